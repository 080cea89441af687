/*
 * journal.c — write-ahead journal (see journal.h for the protocol).
 *
 * Region layout: entries of whole 4 KiB blocks at increasing offsets; an
 * entry never crosses the region end — a one-block WRAP entry sends the
 * reader back to offset 0.  Free space keeps one block between tail and
 * head, so tail == head means empty.
 *
 * States of the journal lock holder's view:
 *   idle --journal_sync (open buffer non-empty)--> writing (leader)
 *   writing --entry durable--> idle          --I/O error--> failed (sticky)
 *   idle --journal_cut--> frozen --journal_cut_done--> idle (or failed)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ad_jops.h"
#include "elog.h"
#include "journal.h"

static int buf_reserve(struct jbuf *b, size_t payload)
{
	size_t need = ad_align_up(AD_JE_HDR + payload + AD_JE_TRAILER, AD_BLOCK);
	uint8_t *n;

	if (need <= b->cap)
		return 0;
	if (need < 2 * b->cap)
		need = 2 * b->cap;
	n = dev_buf_alloc(need);
	if (!n)
		return -ENOMEM;
	if (b->data)
		memcpy(n, b->data, AD_JE_HDR + b->len);
	free(b->data);
	b->data = n;
	b->cap = need;
	return 0;
}

int journal_init(struct journal *j, struct dev_io *io, struct crash *crash, uint32_t seed,
		 uint64_t region_off, uint64_t region_len, struct dev *const *mirrors,
		 unsigned nmirrors, uint64_t head_off, uint64_t head_seq, uint64_t ckpt_gen)
{
	memset(j, 0, sizeof(*j));
	j->io = io;
	j->crash = crash;
	j->seed = seed;
	j->region_off = region_off;
	j->region_len = region_len;
	j->nmirrors = nmirrors;
	for (unsigned i = 0; i < nmirrors && i < AD_MAX_MIRRORS; i++)
		j->dev[i] = mirrors[i];
	j->head_off = j->tail_off = head_off;
	j->head_seq = j->next_seq = head_seq;
	j->ckpt_gen = ckpt_gen;
	j->open.ticket = 1;
	j->durable_ticket = 0;
	j->kick_bytes = region_len / 16 < (1u << 20) ? region_len / 16 : (1u << 20);
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	return buf_reserve(&j->open, 0);
}

void journal_destroy(struct journal *j)
{
	free(j->open.data);
	j->open.data = NULL;
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
}

int journal_add(struct journal *j, const uint8_t *txn, size_t len, uint64_t *ticket)
{
	int err;

	pthread_mutex_lock(&j->lock);
	if (j->err) {
		err = j->err;
		goto out;
	}
	err = buf_reserve(&j->open, j->open.len + len);
	if (err)
		goto out;
	memcpy(j->open.data + AD_JE_HDR + j->open.len, txn, len);
	j->open.len += len;
	j->open.ntxn++;
	*ticket = j->open.ticket;
	err = j->open.len >= j->kick_bytes ? 1 : 0;
out:
	pthread_mutex_unlock(&j->lock);
	return err;
}

uint64_t journal_last_ticket(struct journal *j)
{
	uint64_t t;

	pthread_mutex_lock(&j->lock);
	t = j->open.len ? j->open.ticket : j->open.ticket - 1;
	pthread_mutex_unlock(&j->lock);
	return t;
}

static uint64_t used_locked(const struct journal *j)
{
	return j->tail_off >= j->head_off ? j->tail_off - j->head_off
					  : j->region_len - j->head_off + j->tail_off;
}

void journal_usage(struct journal *j, uint64_t *used, uint64_t *size)
{
	pthread_mutex_lock(&j->lock);
	*used = used_locked(j);
	*size = j->region_len;
	pthread_mutex_unlock(&j->lock);
}

/* Does an entry of nblocks fit at the tail?  *wrap: it needs a WRAP first. */
static bool fits_locked(const struct journal *j, uint32_t nblocks, bool *wrap)
{
	uint64_t bytes = (uint64_t)nblocks * AD_BLOCK, need = bytes;
	uint64_t used = used_locked(j);

	*wrap = j->tail_off + bytes > j->region_len;
	if (*wrap)
		need += j->region_len - j->tail_off;
	return used + need + AD_BLOCK <= j->region_len;
}

/* Write the sealed entry (and a WRAP block before it) to every mirror, flush. */
static int write_entry(struct journal *j, uint8_t *entry, uint32_t nblocks, uint64_t off,
		       bool wrap, uint64_t wrap_off)
{
	struct dev_req req[2 * AD_MAX_MIRRORS];
	uint8_t *wb = NULL;
	struct dev_batch b;
	unsigned nr = 0, present = 0;
	int err;

	if (wrap) {
		struct ad_je w = { .type = AD_JE_WRAP, .seq = j->next_seq, .nblocks = 1,
				   .ckpt_gen = j->ckpt_gen };

		wb = dev_buf_alloc(AD_BLOCK);
		if (!wb)
			return -ENOMEM;
		ad_je_seal(wb, &w, j->seed);
	}
	dev_batch_init(&b, j->io);
	for (unsigned i = 0; i < j->nmirrors; i++) {
		if (!j->dev[i])
			continue;
		present++;
		if (wrap)
			dev_req_write(&req[nr++], j->dev[i], wb, AD_BLOCK, j->region_off + wrap_off);
		dev_req_write(&req[nr++], j->dev[i], entry, (size_t)nblocks * AD_BLOCK,
			      j->region_off + off);
		if (crash_armed(j->crash, CRASH_MID_JOURNAL_APPEND))
			break;   /* the entry reaches the first mirror only */
	}
	for (unsigned r = 0; r < nr; r++)
		dev_batch_add(&b, &req[r]);
	err = present ? dev_batch_run(&b) : -ENODEV;
	free(wb);
	if (!err)
		err = crash_point(j->crash, CRASH_MID_JOURNAL_APPEND);
	if (!err)
		err = crash_point(j->crash, CRASH_AFTER_JOURNAL_WRITE);
	if (err)
		return err;
	dev_batch_init(&b, j->io);
	nr = 0;
	for (unsigned i = 0; i < j->nmirrors; i++)
		if (j->dev[i]) {
			dev_req_flush(&req[nr], j->dev[i]);
			dev_batch_add(&b, &req[nr++]);
		}
	err = dev_batch_run(&b);
	if (!err)
		err = crash_point(j->crash, CRASH_AFTER_JOURNAL_COMMIT);
	return err;
}

int journal_sync(struct journal *j, uint64_t ticket)
{
	int err = 0;

	pthread_mutex_lock(&j->lock);
	j->syncs++;
	for (;;) {
		struct jbuf b;
		struct ad_je je;
		uint32_t nblocks;
		uint64_t off, wrap_off;
		bool wrap;

		if (ticket <= j->durable_ticket)
			break;
		if (j->err) {
			err = j->err;
			break;
		}
		if (j->writing || j->frozen) {
			pthread_cond_wait(&j->cond, &j->lock);
			continue;
		}
		if (j->open.len == 0) {
			/* Nothing buffered: ticket was covered by a checkpoint cut. */
			if (j->durable_ticket < j->open.ticket - 1)
				j->durable_ticket = j->open.ticket - 1;
			continue;
		}
		nblocks = ad_je_blocks((uint32_t)j->open.len);
		if (!fits_locked(j, nblocks, &wrap)) {
			/* Full: a checkpoint covers the buffer and frees the journal. */
			pthread_mutex_unlock(&j->lock);
			j->full_ckpts++;
			err = j->ckpt_fn ? j->ckpt_fn(j->ckpt_ctx) : -ENOSPC;
			pthread_mutex_lock(&j->lock);
			if (err) {
				if (!j->err)
					j->err = err;
				break;
			}
			continue;
		}
		/* Take the open buffer; a fresh one accepts new transactions. */
		b = j->open;
		memset(&j->open, 0, sizeof(j->open));
		j->open.ticket = b.ticket + 1;
		err = buf_reserve(&j->open, 0);
		if (err) {
			j->open = b;
			break;
		}
		j->writing = true;
		wrap_off = j->tail_off;
		off = wrap ? 0 : j->tail_off;
		memset(&je, 0, sizeof(je));
		je.type = AD_JE_TXN;
		je.seq = j->next_seq + (wrap ? 1 : 0);
		je.nblocks = nblocks;
		je.payload_len = (uint32_t)b.len;
		je.ntxn = b.ntxn;
		je.ckpt_gen = j->ckpt_gen;
		pthread_mutex_unlock(&j->lock);

		memset(b.data + AD_JE_HDR + b.len, 0, (size_t)nblocks * AD_BLOCK - AD_JE_HDR - b.len);
		ad_je_seal(b.data, &je, j->seed);
		/* Data the entry's transactions point at is made durable first. */
		err = j->pre_write ? j->pre_write(j->ckpt_ctx) : 0;
		if (!err)
			err = write_entry(j, b.data, nblocks, off, wrap, wrap_off);
		free(b.data);

		pthread_mutex_lock(&j->lock);
		j->writing = false;
		if (err) {
			j->err = err;
		} else {
			j->tail_off = off + (uint64_t)nblocks * AD_BLOCK;
			if (j->tail_off == j->region_len)
				j->tail_off = 0;
			j->next_seq = je.seq + 1;
			j->durable_ticket = b.ticket;
			j->entries++;
			j->bytes += (uint64_t)nblocks * AD_BLOCK;
		}
		pthread_cond_broadcast(&j->cond);
	}
	pthread_mutex_unlock(&j->lock);
	return err;
}

void journal_cut(struct journal *j, uint64_t *head_off, uint64_t *head_seq, uint64_t *cut_ticket)
{
	pthread_mutex_lock(&j->lock);
	while (j->writing)
		pthread_cond_wait(&j->cond, &j->lock);
	j->frozen = true;
	*cut_ticket = j->open.len ? j->open.ticket : j->open.ticket - 1;
	j->open.len = 0;
	j->open.ntxn = 0;
	j->open.ticket++;
	*head_off = j->tail_off;
	*head_seq = j->next_seq;
	pthread_mutex_unlock(&j->lock);
}

void journal_cut_done(struct journal *j, bool ok, int err, uint64_t head_off, uint64_t head_seq,
		      uint64_t cut_ticket, uint64_t new_ckpt_gen)
{
	pthread_mutex_lock(&j->lock);
	j->frozen = false;
	if (ok) {
		j->head_off = head_off;
		j->head_seq = head_seq;
		j->ckpt_gen = new_ckpt_gen;
		if (j->durable_ticket < cut_ticket)
			j->durable_ticket = cut_ticket;
	} else if (!j->err) {
		j->err = err ? err : -EIO;
	}
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

/* ---- replay ------------------------------------------------------------------------ */

/* Check an entry's transactions and operations without applying them;
 * *nops_total counts the operations. */
static int check_payload(const uint8_t *payload, size_t len, uint32_t ntxn, uint32_t *nops_total,
			 char *why, size_t wl)
{
	size_t pos = 0;
	uint32_t seen = 0;
	int r;

	*nops_total = 0;
	for (;;) {
		const uint8_t *ops;
		size_t opslen, opos = 0;
		uint32_t nops, cnt = 0;
		uint64_t id;
		struct ad_jop op;

		r = ad_jtxn_next(payload, len, &pos, &ops, &opslen, &nops, &id, why, wl);
		if (r <= 0)
			break;
		seen++;
		while ((r = ad_jop_next(ops, opslen, &opos, &op, why, wl)) == 1)
			cnt++;
		*nops_total += cnt;
		if (r < 0)
			return r;
		if (cnt != nops)
			return ewhy(why, wl, -EUCLEAN, "transaction %llu: %u operations, header says %u",
				    (unsigned long long)id, cnt, nops);
	}
	if (r < 0)
		return r;
	if (seen != ntxn)
		return ewhy(why, wl, -EUCLEAN, "%u transactions, header says %u", seen, ntxn);
	return 0;
}

/* Tell the observer (if any) about the entry at off: valid (err 0) or the end. */
static void observe(journal_record_fn rec, void *rctx, uint64_t seq, uint64_t off, int err,
		    const char *why, const struct ad_je *je, uint32_t nops)
{
	struct journal_record jr = { .seq = seq, .off = off, .err = err, .nops = nops };

	if (!rec)
		return;
	if (je) {
		jr.je = *je;
		jr.have_hdr = true;
	}
	if (err)
		snprintf(jr.why, sizeof(jr.why), "%s", why);
	rec(rctx, &jr);
}

/*
 * Walk one mirror's chain from the head.  With fn, apply it too; with rec,
 * report every entry met.  Fills the report's counters and where/why the
 * walk stopped.
 */
static int walk(struct journal *j, struct dev *d, struct journal_mirror_report *r,
		uint64_t max_entries, journal_apply_fn fn, void *ctx, uint64_t *txns,
		journal_record_fn rec, void *rctx)
{
	uint8_t *hdr = dev_buf_alloc(AD_BLOCK), *ent = NULL;
	size_t entcap = 0;
	uint64_t off = j->head_off, seq = j->head_seq;
	int err = 0;

	r->entries = 0;
	r->last_seq = seq - 1;
	if (!hdr)
		return -ENOMEM;
	while (r->entries < max_entries) {
		struct ad_je je;
		uint32_t entry_ops = 0;
		size_t elen;
		int e;

		if (off == j->region_len)
			off = 0;
		e = dev_pread(j->io, d, hdr, AD_BLOCK, j->region_off + off);
		if (e)
			snprintf(r->stop_why, sizeof(r->stop_why), "read error: %s", argos_strerror(e));
		else
			e = ad_je_check_header(hdr, j->seed, seq, &je, r->stop_why, sizeof(r->stop_why));
		if (e) {
			r->stop_err = e;
			observe(rec, rctx, seq, off, e, r->stop_why, NULL, 0);
			break;
		}
		if (je.type == AD_JE_WRAP) {
			observe(rec, rctx, seq, off, 0, NULL, &je, 0);
			r->entries++;
			r->last_seq = seq++;
			off = 0;
			continue;
		}
		elen = (size_t)je.nblocks * AD_BLOCK;
		if (off + elen > j->region_len) {
			r->stop_err = ewhy(r->stop_why, sizeof(r->stop_why), -EUCLEAN,
					   "entry %llu at %llu runs past the region end",
					   (unsigned long long)seq, (unsigned long long)off);
			observe(rec, rctx, seq, off, r->stop_err, r->stop_why, &je, 0);
			break;
		}
		if (elen > entcap) {
			free(ent);
			ent = dev_buf_alloc(elen);
			entcap = elen;
			if (!ent) {
				err = -ENOMEM;
				break;
			}
		}
		e = dev_pread(j->io, d, ent, elen, j->region_off + off);
		if (e)
			snprintf(r->stop_why, sizeof(r->stop_why), "read error: %s", argos_strerror(e));
		else
			e = ad_je_check_body(ent, elen, j->seed, &je, r->stop_why, sizeof(r->stop_why));
		if (!e)
			e = check_payload(ent + AD_JE_HDR, je.payload_len, je.ntxn, &entry_ops,
					  r->stop_why, sizeof(r->stop_why));
		if (e) {
			r->stop_err = e;
			observe(rec, rctx, seq, off, e, r->stop_why, &je, 0);
			break;
		}
		observe(rec, rctx, seq, off, 0, NULL, &je, entry_ops);
		if (fn) {
			size_t pos = 0;
			const uint8_t *ops;
			size_t opslen;
			uint32_t nops;
			uint64_t id;

			while (ad_jtxn_next(ent + AD_JE_HDR, je.payload_len, &pos, &ops, &opslen, &nops,
					    &id, NULL, 0) == 1) {
				err = fn(ctx, seq, ops, opslen, nops);
				if (err)
					break;
				(*txns)++;
			}
			if (err)
				break;
		}
		r->entries++;
		r->last_seq = seq++;
		off += elen;
	}
	r->end_off = off == j->region_len ? 0 : off;
	free(hdr);
	free(ent);
	return err;
}

int journal_replay(struct journal *j, const int *mirror_member, journal_apply_fn fn, void *ctx,
		   struct journal_replay_report *rep)
{
	uint64_t txns = 0;
	int best = -1, err;

	memset(rep, 0, sizeof(*rep));
	rep->nmirrors = j->nmirrors;
	rep->best = -1;
	for (unsigned i = 0; i < j->nmirrors; i++) {
		struct journal_mirror_report *r = &rep->mirror[i];

		r->member = mirror_member ? mirror_member[i] : (int)i;
		r->present = j->dev[i] != NULL;
		if (!r->present)
			continue;
		err = walk(j, j->dev[i], r, UINT64_MAX, NULL, NULL, NULL, NULL, NULL);
		if (err)
			return err;
		if (best < 0 || r->entries > rep->mirror[best].entries)
			best = (int)i;
	}
	if (best < 0)
		return -ENODEV;
	rep->best = best;
	if (fn && rep->mirror[best].entries) {
		struct journal_mirror_report again = { 0 };

		err = walk(j, j->dev[best], &again, rep->mirror[best].entries, fn, ctx, &txns, NULL,
			   NULL);
		if (err)
			return err;
	}
	rep->entries = rep->mirror[best].entries;
	rep->txns = txns;
	pthread_mutex_lock(&j->lock);
	j->tail_off = rep->mirror[best].end_off;
	j->next_seq = rep->mirror[best].last_seq + 1;
	pthread_mutex_unlock(&j->lock);
	return 0;
}

int journal_walk_mirror(struct journal *j, unsigned i, journal_record_fn rec, void *ctx,
			struct journal_mirror_report *r)
{
	memset(r, 0, sizeof(*r));
	r->member = -1;
	if (i >= j->nmirrors || !j->dev[i])
		return -ENODEV;
	r->present = true;
	return walk(j, j->dev[i], r, UINT64_MAX, NULL, NULL, NULL, rec, ctx);
}

int journal_repair_mirrors(struct journal *j, const struct journal_replay_report *rep)
{
	const struct journal_mirror_report *b;
	uint64_t start, end, len;
	uint8_t *buf;
	int err = 0;

	if (rep->best < 0)
		return 0;
	b = &rep->mirror[rep->best];
	/* The live region of the best chain: [head, end) possibly wrapping. */
	start = j->head_off;
	end = b->end_off;
	len = end >= start ? end - start : j->region_len - start + end;
	if (len == 0)
		return 0;
	for (unsigned i = 0; i < rep->nmirrors; i++) {
		if ((int)i == rep->best || !rep->mirror[i].present ||
		    rep->mirror[i].entries >= b->entries)
			continue;
		for (uint64_t done = 0; done < len && !err;) {
			uint64_t off = (start + done) % j->region_len;
			uint64_t n = len - done;

			if (n > (4u << 20))
				n = 4u << 20;
			if (off + n > j->region_len)
				n = j->region_len - off;
			buf = dev_buf_alloc(n);
			if (!buf)
				return -ENOMEM;
			err = dev_pread(j->io, j->dev[rep->best], buf, n, j->region_off + off);
			if (!err)
				err = dev_pwrite(j->io, j->dev[i], buf, n, j->region_off + off);
			free(buf);
			done += n;
		}
		if (!err)
			err = dev_flush(j->io, j->dev[i]);
		if (err)
			return err;
	}
	return 0;
}
