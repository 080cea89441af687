/*
 * ckpt.c — checkpoints: the tree's page I/O callbacks and store_checkpoint().
 *
 * Protocol (G = new generation):
 *   under the store write lock (no I/O):
 *     1. cut the journal: buffered transactions are covered by G, and no
 *        entry is written until G is durable or failed; a journal whose
 *        write failed fails the checkpoint here (nothing more is written);
 *     2. seal every dirty page bottom-up into new blocks (tree_flush), the
 *        replaced blocks going to the pending frees; the sealed pages stay
 *        busy (pcache_write_begin: a change copies them, pcache.h) so they
 *        are written from their own buffers, not from copies;
 *     3. snapshot the space maps (pending frees become pending(G)).
 *   without the lock (transactions go on in memory):
 *     4. write the pages and space map slots; flush every member;
 *     5. write superblock generation G (slot G % 2) on every member; flush;
 *     6. release pending(G-1) and the journal space before the cut;
 *     7. under the lock again: end the write (nothing busy) and evict.
 * A failure in 4 or 5 leaves G-1 whole on disk; the store then refuses
 * writes (its memory is ahead of any durable state it could still reach).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "elog.h"
#include "pool.h"
#include "store.h"

struct ckpt_page {
	struct ad_bptr bp;
	const void *img;
};

struct ckpt_io {
	size_t n, cap;
	struct ckpt_page *p;
};

static int ck_alloc_page(void *ctx, struct ad_bptr *bp)
{
	struct store *st = ctx;
	struct argos_pool *p = st->pool;
	unsigned want = p->sb.meta_mirrors, got = 0;

	for (unsigned tries = 0; tries < p->nmembers && got < want; tries++) {
		unsigned i = (st->meta_rr + tries) % p->nmembers;
		uint64_t block;

		if (!p->m[i].dev || p->m[i].status != ARGOS_MEMBER_ONLINE)
			continue;
		if (alloc_reserve(&st->alloc, i, 1, true, &block))
			continue;
		alloc_commit(&st->alloc, i, block, 1);
		bp->addr[got++] = ad_addr(i, block);
	}
	st->meta_rr++;
	if (got == 0)
		return -ENOSPC;
	bp->nmirrors = (uint8_t)got;
	return 0;
}

static void ck_free_page(void *ctx, const struct ad_bptr *bp)
{
	struct store *st = ctx;

	for (unsigned i = 0; i < bp->nmirrors; i++)
		alloc_free(&st->alloc, ad_addr_member(bp->addr[i]), ad_addr_block(bp->addr[i]), 1);
}

static int ck_emit_page(void *ctx, const struct ad_bptr *bp, const void *page)
{
	struct store *st = ctx;
	struct ckpt_io *c = st->cio;

	if (!c)
		return -EINVAL;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct ckpt_page *n = realloc(c->p, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->p = n;
		c->cap = cap;
	}
	c->p[c->n].img = page;   /* the page's own buffer: sealed until write end */
	c->p[c->n].bp = *bp;
	c->n++;
	return 0;
}

static int ck_read_page(void *ctx, const struct ad_bptr *bp, void *buf, bool *repair)
{
	struct store *st = ctx;

	return pool_read_page(st->pool, bp, buf, repair);
}

const struct tree_io store_tree_io = {
	.read_page = ck_read_page,
	.free_page = ck_free_page,
	.alloc_page = ck_alloc_page,
	.emit_page = ck_emit_page,
};

static void cio_free(struct ckpt_io *c)
{
	if (c)
		free(c->p);
	free(c);
}

/* One write per page mirror; a crash point may stop half way. */
static int write_pages(struct store *st, struct ckpt_io *c, const struct sm_write *smw, unsigned nsmw)
{
	struct argos_pool *p = st->pool;
	size_t nreq = 0, cap = 0, limit;
	struct dev_req *req;
	struct dev_batch b;
	int err;

	for (size_t i = 0; i < c->n; i++)
		cap += c->p[i].bp.nmirrors;
	for (unsigned i = 0; i < nsmw; i++)
		cap += smw[i].nwrites;
	req = calloc(cap + p->nmembers + 1, sizeof(*req));
	if (!req)
		return -ENOMEM;
	dev_batch_init(&b, p->io);
	for (size_t i = 0; i < c->n; i++)
		for (unsigned m = 0; m < c->p[i].bp.nmirrors; m++) {
			uint64_t a = c->p[i].bp.addr[m];
			struct dev *d = p->m[ad_addr_member(a)].dev;

			dev_req_write(&req[nreq], d, c->p[i].img, AD_BLOCK, ad_addr_block(a) * AD_BLOCK);
			nreq++;
		}
	for (unsigned i = 0; i < nsmw; i++) {
		const struct ad_super *sb = &p->m[smw[i].member].sb;
		uint64_t base = sb->spacemap_off + smw[i].slot * (sb->spacemap_len / 2);

		for (size_t w = 0; w < smw[i].nwrites; w++) {
			dev_req_write(&req[nreq], p->m[smw[i].member].dev, smw[i].w[w].buf,
				      smw[i].w[w].len, base + smw[i].w[w].off);
			nreq++;
		}
	}
	limit = crash_armed(st->crash, CRASH_MID_CKPT_PAGES) ? nreq / 2 : nreq;
	for (size_t r = 0; r < limit; r++)
		dev_batch_add(&b, &req[r]);
	err = dev_batch_run(&b);
	if (!err)
		err = crash_point(st->crash, CRASH_MID_CKPT_PAGES);
	if (!err) {
		dev_batch_init(&b, p->io);
		nreq = 0;
		for (unsigned i = 0; i < p->nmembers; i++)
			if (p->m[i].dev && p->m[i].status == ARGOS_MEMBER_ONLINE) {
				dev_req_flush(&req[nreq], p->m[i].dev);
				dev_batch_add(&b, &req[nreq++]);
			}
		err = dev_batch_run(&b);
	}
	if (!err)
		err = crash_point(st->crash, CRASH_AFTER_CKPT_PAGES);
	free(req);
	return err;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int store_checkpoint_flags(struct store *st, uint32_t set_flags, bool unmount)
{
	struct argos_pool *p = st->pool;
	struct gen_update u = { .checkpoint = true, .set_flags = set_flags, .unmount = unmount };
	struct sm_write *smw = NULL;
	struct ckpt_io *c;
	uint64_t cut = 0, gen, t0 = mono_ns();
	char why[AD_WHY_MAX] = "";
	unsigned nsmw = 0;
	int err;

	if (!st->writable)
		return -EROFS;
	pthread_mutex_lock(&st->ckpt_lock);
	if (st->err) {
		err = st->err;
		goto out_unlocked;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		goto out_unlocked;
	}
	gen = p->sb.generation + 1;

	pthread_rwlock_wrlock(&st->lock);
	journal_cut(&st->jnl, &u.head_off, &u.head_seq, &cut);
	/*
	 * A journal write that failed (an I/O error, a crash point) failed its
	 * transactions, and the pool must write nothing more: a checkpoint now
	 * would make them durable after all and let close mark the pool clean.
	 * The store only learns of it when a later transaction fails, so look
	 * here, after the cut (which waited for any write in progress).
	 */
	pthread_mutex_lock(&st->jnl.lock);
	err = st->jnl.err;
	pthread_mutex_unlock(&st->jnl.lock);
	st->cio = c;
	pcache_write_begin(&st->pc);
	if (!err)
		err = tree_flush(&st->tree, gen);
	st->cio = NULL;
	if (!err)
		err = alloc_snapshot(&st->alloc, gen, &smw, &nsmw);
	u.root = st->tree.root;
	u.height = st->tree.height;
	pthread_rwlock_unlock(&st->lock);

	if (!err)
		err = write_pages(st, c, smw, nsmw);
	if (!err) {
		u.smw = smw;
		u.nsmw = nsmw;
		err = pool_commit_generation(p, &u, why, sizeof(why));
	}
	if (!err)
		err = crash_point(st->crash, CRASH_AFTER_SUPERBLOCKS);
	if (!err) {
		alloc_durable(&st->alloc, smw, nsmw);
		journal_cut_done(&st->jnl, true, 0, u.head_off, u.head_seq, cut, gen);
		st->gen = gen;
		st->stats.checkpoints++;
		st->stats.ckpt_pages += c->n;
		st->stats.last_ckpt_pages = c->n;
		st->stats.last_ckpt_ns = mono_ns() - t0;
		pthread_rwlock_wrlock(&st->lock);
		pcache_write_end(&st->pc);
		pcache_evict(&st->pc);
		pthread_rwlock_unlock(&st->lock);
	} else {
		pthread_rwlock_wrlock(&st->lock);
		pcache_write_end(&st->pc);
		pthread_rwlock_unlock(&st->lock);
		alloc_snapshot_failed(&st->alloc);
		journal_cut_done(&st->jnl, false, err, 0, 0, cut, 0);
		st->err = err;
		elog_err(&p->log, "checkpoint %llu failed: %s%s%s; the pool refuses further writes",
			 (unsigned long long)gen, argos_strerror(err), why[0] ? ": " : "", why);
	}
	alloc_sm_writes_free(smw, nsmw);
	cio_free(c);
out_unlocked:
	pthread_mutex_unlock(&st->ckpt_lock);
	return err;
}

int store_checkpoint(struct store *st)
{
	return store_checkpoint_flags(st, 0, false);
}
