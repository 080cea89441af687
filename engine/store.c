/*
 * store.c — transactions: run, retry on page faults, apply, journal.
 *
 * See store.h for the durability protocol.  Invariants:
 *  1. A transaction's operations reach the tree only after its function
 *     returned 0 and tree_probe() found every page they touch cached, so the
 *     whole transaction is applied under one hold of the write lock, and
 *     journaled under the same hold (journal order = apply order).  A page
 *     the probe could not foresee is read under the lock (apply_all()).
 *  2. An error while applying (out of memory in the middle of a split) leaves
 *     the in-memory tree unknown: the store is marked failed and refuses all
 *     further writes; the disk still holds the last checkpoint and journal.
 *  3. The page cache stays near its budget: clean pages over it are evicted
 *     before a transaction or a read starts (it holds no page yet, so a
 *     retried function never loses the pages it faulted in), and a writer
 *     that leaves dirty pages past half the budget runs a checkpoint after
 *     its transaction (one at a time; the others go on).
 *  4. A transaction's finger (tree.h) lives from txn_reset() to the end of
 *     apply_all(): its function, probe and application run under one hold of
 *     the write lock, and application forgets it at each delete (tree_put_near()
 *     itself at each split).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elog.h"
#include "pool.h"
#include "store.h"

static int txn_room(struct txn *t, size_t more)
{
	size_t need = t->len + more;
	uint8_t *n;

	if (need <= t->cap)
		return 0;
	if (need < 2 * t->cap)
		need = 2 * t->cap;
	if (need < 1024)
		need = 1024;
	n = realloc(t->buf, need);
	if (!n)
		return -ENOMEM;
	t->buf = n;
	t->cap = need;
	return 0;
}

static void txn_reset(struct txn *t)
{
	t->len = AD_JTXN_HDR;   /* room for the header */
	t->nops = 0;
	t->err = 0;
	t->fault.need = false;
	tree_finger_reset(&t->finger);   /* the lock was dropped: pages may move */
}

static int txn_add(struct txn *t, const struct ad_jop *op)
{
	size_t sz = ad_jop_size(op);
	int err;

	if (t->err)
		return t->err;
	err = txn_room(t, sz);
	if (err)
		return t->err = err;
	ad_jop_encode(op, t->buf + t->len);
	t->len += sz;
	t->nops++;
	return 0;
}

int txn_put(struct txn *t, const struct ad_key *k, const void *val, size_t len)
{
	struct ad_jop op = { .type = AD_JOP_PUT, .key = *k, .val = val, .vlen = (uint16_t)len };

	if (len > AD_ITEM_MAX)
		return t->err = -E2BIG;
	return txn_add(t, &op);
}

int txn_del(struct txn *t, const struct ad_key *k)
{
	struct ad_jop op = { .type = AD_JOP_DEL, .key = *k };

	return txn_add(t, &op);
}

static int txn_space(struct txn *t, uint8_t type, unsigned member, uint64_t block, uint64_t n)
{
	struct ad_jop op = { .type = type, .member = (uint16_t)member, .block = block, .n = n };

	if (member >= t->st->alloc.n || n == 0)
		return t->err = -EINVAL;
	return txn_add(t, &op);
}

int txn_alloc(struct txn *t, unsigned member, uint64_t block, uint64_t n)
{
	return txn_space(t, AD_JOP_ALLOC, member, block, n);
}

int txn_free(struct txn *t, unsigned member, uint64_t block, uint64_t n)
{
	return txn_space(t, AD_JOP_FREE, member, block, n);
}

/* The transaction's own last operation on k: 1 put (val/len set), 2 deleted, 0 none. */
static int own_op(const struct txn *t, const struct ad_key *k, const uint8_t **val, size_t *len)
{
	size_t pos = 0;
	struct ad_jop op;
	int found = 0;

	if (t->len <= AD_JTXN_HDR)
		return 0;
	while (ad_jop_next(t->buf + AD_JTXN_HDR, t->len - AD_JTXN_HDR, &pos, &op, NULL, 0) == 1) {
		if ((op.type != AD_JOP_PUT && op.type != AD_JOP_DEL) || ad_key_cmp(&op.key, k))
			continue;
		if (op.type == AD_JOP_PUT) {
			*val = op.val;
			*len = op.vlen;
			found = 1;
		} else {
			found = 2;
		}
	}
	return found;
}

int txn_get(struct txn *t, const struct ad_key *k, void *buf, size_t cap, size_t *len)
{
	const uint8_t *v;
	size_t l;

	switch (own_op(t, k, &v, &l)) {
	case 1:
		if (len)
			*len = l;
		if (buf)
			memcpy(buf, v, l < cap ? l : cap);
		return 0;
	case 2:
		return -ENOENT;
	}
	return tree_get_near(&t->st->tree, k, buf, cap, len, &t->fault, &t->finger);
}

int txn_next(struct txn *t, const struct ad_key *k, bool inclusive, struct ad_key *out,
	     void *buf, size_t cap, size_t *len)
{
	return tree_next(&t->st->tree, k, inclusive, out, buf, cap, len, &t->fault);
}

/* ---- applying ---------------------------------------------------------------- */

/* fg: the leaves the transaction found (or NULL); a delete forgets them. */
static int apply_op(struct store *st, const struct ad_jop *op, struct tree_fault *f,
		    struct tree_finger *fg)
{
	int err;

	switch (op->type) {
	case AD_JOP_PUT:
		return tree_put_near(&st->tree, &op->key, op->val, op->vlen, f, fg);
	case AD_JOP_DEL:
		if (fg)
			tree_finger_reset(fg);
		err = tree_del(&st->tree, &op->key, f);
		return err == -ENOENT ? 0 : err;
	case AD_JOP_ALLOC:
		alloc_commit(&st->alloc, op->member, op->block, op->n);
		return 0;
	case AD_JOP_FREE:
		alloc_free(&st->alloc, op->member, op->block, op->n);
		return 0;
	}
	return -EUCLEAN;
}

/* Probe every page the ops touch: 0, or -EAGAIN with t->fault set. */
static int probe_ops(struct store *st, struct txn *t)
{
	size_t pos = 0;
	struct ad_jop op;

	while (ad_jop_next(t->buf + AD_JTXN_HDR, t->len - AD_JTXN_HDR, &pos, &op, NULL, 0) == 1) {
		int err;

		if (op.type != AD_JOP_PUT && op.type != AD_JOP_DEL)
			continue;
		err = tree_probe_near(&st->tree, &op.key, &t->fault, &t->finger);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Apply a probed transaction.  The probe cached every page on the paths of
 * its keys as the tree stood, but an operation can send a later one
 * elsewhere: a delete that empties a leaf unlinks it, and its key range goes
 * to a neighbour no one probed.  Such a page is read here, under the write
 * lock (the one case of I/O under it; rare), and the operation, which faults
 * before it changes anything, runs again.
 */
static int apply_all(struct store *st, const uint8_t *ops, size_t len, struct tree_finger *fg)
{
	size_t pos = 0;
	struct ad_jop op;
	int r, err = 0;

	while (!err && (r = ad_jop_next(ops, len, &pos, &op, NULL, 0)) == 1) {
		struct tree_fault f = { 0 };

		while ((err = apply_op(st, &op, &f, fg)) == -EAGAIN && f.need) {
			err = tree_fault_in(&st->tree, &f);
			if (err)
				break;
			f.need = false;
			st->stats.faults++;
		}
	}
	return err;
}

int store_apply_ops(void *ctx, uint64_t seq, const uint8_t *ops, size_t len, uint32_t nops)
{
	struct store *st = ctx;
	size_t pos = 0;
	struct ad_jop op;
	int err = 0;

	/* Replay is single-threaded: fault pages in directly, then apply. */
	while (!err && ad_jop_next(ops, len, &pos, &op, NULL, 0) == 1) {
		if (op.type == AD_JOP_PUT || op.type == AD_JOP_DEL) {
			struct tree_fault f = { 0 };

			while ((err = tree_probe(&st->tree, &op.key, &f)) == -EAGAIN) {
				err = tree_fault_in(&st->tree, &f);
				if (err)
					return err;
				f.need = false;
			}
			if (err)
				return err;
		}
		err = apply_op(st, &op, NULL, NULL);
	}
	st->next_txn_id++;
	if (!err)
		err = crash_point(st->crash, CRASH_DURING_REPLAY);
	return err;
}

/*
 * Read the page a transaction or a read faulted on, without the store lock,
 * and cache it under the lock.  A checkpoint that began meanwhile may have
 * moved the page and let its blocks be reused (a read of them then fails
 * its checksum, or would cache an old image under a live address): then
 * nothing is cached and the function runs again from the root.
 */
static int resolve_fault(struct store *st, struct txn *t)
{
	uint8_t *buf = NULL;
	bool repair;
	int err;

	if (!t->fault.need)
		return -EUCLEAN;
	t->fault.need = false;
	if (pcache_get(&st->pc, t->fault.ptr.addr[0]))
		return 0;   /* another thread loaded it */
	err = tree_fault_read(&st->tree, &t->fault, &buf, &repair);
	pthread_rwlock_rdlock(&st->lock);
	if (t->fault.epoch != st->tree.flushes) {
		pcache_buf_put(&st->pc, buf);
		err = 0;
	} else if (!err) {
		err = tree_fault_install(&st->tree, &t->fault, buf, repair);
		__atomic_fetch_add(&st->stats.faults, 1, __ATOMIC_RELAXED);
	}
	pthread_rwlock_unlock(&st->lock);
	return err;
}

/*
 * Evict clean pages over the cache budget (invariant 3); no lock held.  The
 * pages a running checkpoint sealed are clean but not on disk until it ends,
 * so nothing is evicted while one runs (it evicts itself when done).
 */
static void trim_cache(struct store *st)
{
	if (!pcache_over(&st->pc) || pthread_mutex_trylock(&st->ckpt_lock))
		return;
	pthread_rwlock_wrlock(&st->lock);
	pcache_evict(&st->pc);
	pthread_rwlock_unlock(&st->lock);
	pthread_mutex_unlock(&st->ckpt_lock);
}

/* Too many dirty pages: checkpoint, unless another thread already does. */
static int flush_dirty(struct store *st)
{
	int err;

	if (!pcache_dirty_over(&st->pc) || __atomic_exchange_n(&st->ckpt_kicked, true,
								 __ATOMIC_ACQ_REL))
		return 0;
	err = store_checkpoint(st);
	__atomic_store_n(&st->ckpt_kicked, false, __ATOMIC_RELEASE);
	return err;
}

int store_txn(struct store *st, int (*fn)(struct txn *t, void *arg), void *arg, unsigned flags)
{
	struct txn t = { .st = st };
	uint64_t ticket = 0;
	int err, kick = 0;

	trim_cache(st);
	for (;;) {
		if (!st->writable) {
			err = -EROFS;
			break;
		}
		pthread_rwlock_wrlock(&st->lock);
		if (st->err) {
			err = st->err;
			pthread_rwlock_unlock(&st->lock);
			break;
		}
		txn_reset(&t);
		err = fn(&t, arg);
		if (!err && t.err)
			err = t.err;
		if (!err && t.nops)
			err = probe_ops(st, &t);
		if (err == -EAGAIN) {
			pthread_rwlock_unlock(&st->lock);
			err = resolve_fault(st, &t);
			if (err)
				break;
			continue;
		}
		if (err || t.nops == 0) {
			pthread_rwlock_unlock(&st->lock);
			break;
		}
		err = apply_all(st, t.buf + AD_JTXN_HDR, t.len - AD_JTXN_HDR, &t.finger);
		if (!err) {
			ad_jtxn_hdr_encode(t.buf, (uint32_t)t.len, t.nops, st->next_txn_id++);
			kick = journal_add(&st->jnl, t.buf, t.len, &ticket);
			if (kick < 0)
				err = kick;
		}
		if (err) {
			st->err = err;
			elog_err(&st->pool->log, "metadata transaction failed while being applied: %s; "
				 "the pool refuses further writes", argos_strerror(err));
		}
		st->stats.txns++;
		pthread_rwlock_unlock(&st->lock);
		if (!err && ((flags & STORE_SYNC) || kick))
			err = journal_sync(&st->jnl, ticket);
		if (!err)
			err = flush_dirty(st);
		break;
	}
	free(t.buf);
	return err;
}

int store_read(struct store *st, int (*fn)(struct txn *t, void *arg), void *arg)
{
	struct txn t = { .st = st };
	int err;

	trim_cache(st);
	for (;;) {
		pthread_rwlock_rdlock(&st->lock);
		txn_reset(&t);
		err = fn(&t, arg);
		pthread_rwlock_unlock(&st->lock);
		if (err != -EAGAIN)
			break;
		err = resolve_fault(st, &t);
		if (err)
			break;
	}
	free(t.buf);
	return err;
}

int store_sync(struct store *st)
{
	if (!st->writable)
		return 0;
	if (st->err)
		return st->err;
	return journal_sync(&st->jnl, journal_last_ticket(&st->jnl));
}
