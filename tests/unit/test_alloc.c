/*
 * test_alloc.c — the extent allocator (engine/alloc.c) against a model.
 *
 * Description: no devices.  A member is loaded from a slot image built as
 * mkfs builds it (or fresh), and driven by reserve/unreserve/commit/free and
 * checkpoint cycles (alloc_snapshot, then alloc_durable or
 * alloc_snapshot_failed).  A model holds the state of every block (free,
 * reserved, used, pending in the current changes / the snapshot / the
 * previous checkpoint) and predicts each reservation exactly (next-fit from
 * the cursor, wrapping once); after every step the allocator's bitmaps and
 * counters must equal the model's.  Every snapshot's writes are applied to an
 * image of the slot it names, which must decode (sm_decode_slot) to exactly
 * the in-memory state, and must contain exactly the bitmap blocks that
 * changed since that slot was last written (all of them the first time).
 * Explicit cases pin down the deferred-free timing, the reserve, next-fit
 * wrapping, fragmentation without a long enough run, and a decoder that
 * refuses bits the format forbids.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ad_crc.h"
#include "ad_format.h"
#include "alloc.h"
#include "spacemap.h"

#define SEED 0x5eed1234u
#define DS   1000u            /* member block of data block 0 */

/* B_PFAIL: freed, in pending(cur) again after a failed checkpoint; its
 * pending bit, set by that snapshot, stays set in memory (harmless: the next
 * snapshot sets it again, and only a snapshot reaches the disk). */
enum bstate { B_FREE, B_RESV, B_USED, B_PCUR, B_PSNAP, B_PPREV, B_PFAIL };

struct mext {
	uint64_t b, n;            /* data-area block, count */
};

struct mlist {
	size_t n, cap;
	struct mext *e;
};

/* One member under test plus its model and its two slot images. */
struct fx {
	struct alloc a;
	uint64_t nb;
	uint8_t *st;              /* model: enum bstate per block */
	uint64_t cursor;
	uint64_t reserve;
	struct mlist resv, used;  /* live reservations and committed extents */
	uint8_t *img[2];          /* slot images, as a device would hold them */
	size_t slot_bytes;
	unsigned slot;            /* slot of the newest durable checkpoint */
	uint64_t gen;             /* generation of the newest durable checkpoint */
	/* per bitmap block (used, then pending): changed since slot s was written */
	bool *dirty[2];
	bool full[2];             /* slot s must be written whole next time */
	uint32_t bm_blocks, idx_blocks;
	uint64_t rng;
	uint64_t n_used, n_resv, n_pend;   /* model counts, kept by m_set() */
	uint64_t *w_used, *w_resv, *w_pend; /* model bitmaps, built by check() */
	/* statistics */
	uint64_t writes, ckpts;
};

static uint64_t rnd(struct fx *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static void ml_push(struct mlist *l, uint64_t b, uint64_t n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		assert_non_null(l->e);
	}
	l->e[l->n++] = (struct mext){ b, n };
}

static struct mext ml_take(struct mlist *l, size_t i)
{
	struct mext x = l->e[i];

	l->e[i] = l->e[--l->n];
	return x;
}

static void m_set(struct fx *f, uint64_t b, uint8_t to);

/* ---- fixture ------------------------------------------------------------------ */

/*
 * Member 0 of nb blocks.  from_image: built as mkfs does (slot 0,
 * generation 1, with `pre_used` blocks used and `pre_pending` of them
 * pending), else a fresh member (no image).
 */
static struct fx *fx_new(uint64_t nb, bool from_image, uint64_t pre_used, uint64_t pre_pending)
{
	struct fx *f = calloc(1, sizeof(*f));
	char why[AD_WHY_MAX] = "";
	uint64_t slot_blocks;
	int err;

	assert_non_null(f);
	f->nb = nb;
	f->rng = 0x9e3779b97f4a7c15ull ^ nb;
	f->st = calloc(nb, 1);
	assert_non_null(f->st);
	ad_sm_geometry(nb, &f->bm_blocks, &f->idx_blocks, &slot_blocks);
	f->w_used = calloc(f->bm_blocks, AD_BLOCK);
	f->w_resv = calloc(f->bm_blocks, AD_BLOCK);
	f->w_pend = calloc(f->bm_blocks, AD_BLOCK);
	assert_true(f->w_used && f->w_resv && f->w_pend);
	f->slot_bytes = (size_t)slot_blocks * AD_BLOCK;
	for (int s = 0; s < 2; s++) {
		f->img[s] = calloc(1, f->slot_bytes);
		f->dirty[s] = calloc(2 * f->bm_blocks, sizeof(bool));
		assert_non_null(f->img[s]);
		assert_non_null(f->dirty[s]);
	}
	assert_int_equal(alloc_create(&f->a, 1, SEED), 0);
	if (from_image) {
		struct spacemap sm;
		uint32_t csum;

		assert_int_equal(sm_create(&sm, 0, nb), 0);
		sm_mark_used(&sm, 0, pre_used);
		sm.pending_count = sm_bits_set(sm.pending, 0, pre_pending);
		csum = sm_encode_slot(&sm, 1, SEED, f->img[0]);
		sm_destroy(&sm);
		err = alloc_load_member(&f->a, 0, DS, nb, f->img[0], 0, 1, csum, why, sizeof(why));
		if (err)
			fail_msg("load: %s", why);
		for (uint64_t b = 0; b < pre_used; b++)
			m_set(f, b, b < pre_pending ? B_PPREV : B_USED);
		if (pre_used > pre_pending)
			ml_push(&f->used, pre_pending, pre_used - pre_pending);
		f->full[1] = true;
	} else {
		assert_int_equal(alloc_load_member(&f->a, 0, DS, nb, NULL, 0, 0, 0, why, sizeof(why)), 0);
		f->full[0] = f->full[1] = true;
	}
	f->slot = 0;
	f->gen = 1;
	f->reserve = nb / 100 < 128 ? 128 : nb / 100;
	if (f->reserve > nb / 4)
		f->reserve = nb / 4;
	return f;
}

static void fx_free(struct fx *f)
{
	alloc_destroy(&f->a);
	for (int s = 0; s < 2; s++) {
		free(f->img[s]);
		free(f->dirty[s]);
	}
	free(f->st);
	free(f->w_used);
	free(f->w_resv);
	free(f->w_pend);
	free(f->resv.e);
	free(f->used.e);
	free(f);
}

/* ---- model helpers ------------------------------------------------------------- */

static bool m_used(uint8_t s) { return s >= B_USED; }
static bool m_pending(uint8_t s) { return s == B_PSNAP || s == B_PPREV || s == B_PFAIL; }

static void m_count(const struct fx *f, uint64_t *used, uint64_t *resv, uint64_t *pend)
{
	*used = f->n_used;
	*resv = f->n_resv;
	*pend = f->n_pend;
}

/* Mark the bitmap blocks covering [b, b+n) dirty in both slots. */
static void m_dirty(struct fx *f, uint64_t b, uint64_t n, bool pending)
{
	uint32_t base = pending ? f->bm_blocks : 0;

	for (uint64_t j = b / AD_SM_BITS_PER_BLOCK; j <= (b + n - 1) / AD_SM_BITS_PER_BLOCK; j++)
		f->dirty[0][base + j] = f->dirty[1][base + j] = true;
}

/* Block b changes state; counts follow.  Disk changes are marked by callers
 * where the allocator touches the bitmap block (m_move marks real changes). */
static void m_set(struct fx *f, uint64_t b, uint8_t to)
{
	uint8_t from = f->st[b];

	f->n_used += (uint64_t)m_used(to) - (uint64_t)m_used(from);
	f->n_resv += (uint64_t)(to == B_RESV) - (uint64_t)(from == B_RESV);
	f->n_pend += (uint64_t)(to >= B_PCUR) - (uint64_t)(from >= B_PCUR);
	f->st[b] = to;
}

/* Set every block in state from to state to; marks what changes on disk. */
static void m_move(struct fx *f, uint8_t from, uint8_t to)
{
	for (uint64_t b = 0; b < f->nb; b++) {
		if (f->st[b] != from)
			continue;
		if (m_used(from) != m_used(to))
			m_dirty(f, b, 1, false);
		if (m_pending(from) != m_pending(to))
			m_dirty(f, b, 1, true);
		m_set(f, b, to);
	}
}

/* Where the allocator must put a run of n: next fit from the cursor, once around. */
static uint64_t m_find(const struct fx *f, uint64_t from, uint64_t n)
{
	for (uint64_t b = from; b + n <= f->nb; b++) {
		uint64_t i;

		for (i = 0; i < n && f->st[b + i] == B_FREE; i++)
			;
		if (i == n)
			return b;
		b += i;
	}
	return UINT64_MAX;
}

/* The allocator's state equals the model's. */
static void check(struct fx *f)
{
	struct alloc_member *m = &f->a.m[0];
	size_t words = (size_t)f->bm_blocks * (AD_BLOCK / 8);
	uint64_t u, r, p, tot, au, ap, avail;

	memset(f->w_used, 0, words * 8);
	memset(f->w_resv, 0, words * 8);
	memset(f->w_pend, 0, words * 8);
	for (uint64_t b = 0; b < f->nb; b++) {
		uint8_t s = f->st[b];
		uint64_t bit = 1ull << (b % 64);

		if (m_used(s))
			f->w_used[b / 64] |= bit;
		if (s == B_RESV)
			f->w_resv[b / 64] |= bit;
		if (m_pending(s))
			f->w_pend[b / 64] |= bit;
	}
	for (size_t w = 0; w < words; w++)
		if (m->sm.used[w] != f->w_used[w] || m->resv[w] != f->w_resv[w] ||
		    m->sm.pending[w] != f->w_pend[w])
			fail_msg("blocks %zu..%zu: used %016llx resv %016llx pending %016llx, model "
				 "%016llx %016llx %016llx", w * 64, w * 64 + 63,
				 (unsigned long long)m->sm.used[w], (unsigned long long)m->resv[w],
				 (unsigned long long)m->sm.pending[w], (unsigned long long)f->w_used[w],
				 (unsigned long long)f->w_resv[w], (unsigned long long)f->w_pend[w]);
	m_count(f, &u, &r, &p);
	assert_int_equal(m->sm.used_count, u);
	assert_int_equal(m->nresv, r);
	alloc_totals(&f->a, &tot, &au, &ap);
	assert_int_equal(tot, f->nb);
	assert_int_equal(au, u);
	assert_int_equal(ap, p);
	avail = f->nb - u - r;
	assert_int_equal(alloc_free_blocks(&f->a, 0), avail > f->reserve ? avail - f->reserve : 0);
}

/* ---- operations (allocator and model together) ----------------------------------- */

/* Reserve n; returns the data block or UINT64_MAX on ENOSPC (as the model predicts). */
static uint64_t op_reserve(struct fx *f, uint64_t n, bool use_reserve)
{
	uint64_t u, r, p, avail, want = UINT64_MAX, got = 0;
	int err;

	m_count(f, &u, &r, &p);
	avail = f->nb - u - r;
	if (avail >= n && (use_reserve || avail - n >= f->reserve)) {
		want = m_find(f, f->cursor, n);
		if (want == UINT64_MAX)
			want = m_find(f, 0, n);
	}
	err = alloc_reserve(&f->a, 0, n, use_reserve, &got);
	if (want == UINT64_MAX) {
		assert_int_equal(err, -ENOSPC);
		return UINT64_MAX;
	}
	assert_int_equal(err, 0);
	if (got != DS + want)
		fail_msg("reserve %llu (cursor %llu): got data block %llu, model says %llu",
			 (unsigned long long)n, (unsigned long long)f->cursor,
			 (unsigned long long)(got - DS), (unsigned long long)want);
	for (uint64_t i = 0; i < n; i++)
		m_set(f, want + i, B_RESV);
	f->cursor = want + n;
	ml_push(&f->resv, want, n);
	return want;
}

static void op_commit(struct fx *f, size_t i)
{
	struct mext x = ml_take(&f->resv, i);

	alloc_commit(&f->a, 0, DS + x.b, x.n);
	for (uint64_t k = 0; k < x.n; k++)
		m_set(f, x.b + k, B_USED);
	m_dirty(f, x.b, x.n, false);
	ml_push(&f->used, x.b, x.n);
}

static void op_unreserve(struct fx *f, size_t i)
{
	struct mext x = ml_take(&f->resv, i);

	alloc_unreserve(&f->a, 0, DS + x.b, x.n);
	for (uint64_t k = 0; k < x.n; k++)
		m_set(f, x.b + k, B_FREE);
}

/* Free part of committed extent i: the whole, a head or a tail (fragments). */
static void op_free(struct fx *f, size_t i)
{
	struct mext x = ml_take(&f->used, i);
	uint64_t n = x.n > 1 ? 1 + rnd(f) % x.n : 1, b = x.b;

	if (n < x.n) {
		if (rnd(f) & 1) {
			ml_push(&f->used, x.b + n, x.n - n);          /* free the head */
		} else {
			b = x.b + x.n - n;                             /* free the tail */
			ml_push(&f->used, x.b, x.n - n);
		}
	}
	alloc_free(&f->a, 0, DS + b, n);
	for (uint64_t k = 0; k < n; k++)
		m_set(f, b + k, B_PCUR);
}

static void img_decode_check(struct fx *f, unsigned slot, uint64_t gen, uint32_t csum)
{
	struct alloc_member *m = &f->a.m[0];
	struct spacemap sm;
	char why[AD_WHY_MAX] = "";
	size_t words = (size_t)f->bm_blocks * (AD_BLOCK / 8);

	assert_int_equal(sm_create(&sm, 0, f->nb), 0);
	if (sm_decode_slot(&sm, f->img[slot], gen, csum, SEED, why, sizeof(why)))
		fail_msg("slot %u of generation %llu does not decode: %s", slot,
			 (unsigned long long)gen, why);
	assert_memory_equal(sm.used, m->sm.used, words * 8);
	assert_memory_equal(sm.pending, m->sm.pending, words * 8);
	for (uint64_t b = 0; b < f->nb; b++)
		if (f->st[b] == B_RESV)
			assert_false(sm_test(sm.used, b));   /* reservations never reach the disk */
	sm_destroy(&sm);
}

/*
 * One checkpoint: snapshot, apply its writes to the slot image it names
 * (only the first half of them when it is to fail: a torn write), check the
 * image and which blocks were written; then durable or failed.
 */
static void op_checkpoint(struct fx *f, bool fail)
{
	struct sm_write *w = NULL;
	unsigned nw = 0, t = 1 - f->slot;
	uint32_t nbm = 2 * f->bm_blocks;
	bool *seen = calloc(nbm, sizeof(bool)), hdr = false;
	uint64_t gen = f->gen + 1;

	assert_non_null(seen);
	assert_int_equal(alloc_snapshot(&f->a, gen, &w, &nw), 0);
	/* pending(cur) becomes pending(G): the snapshot sets (touches) its bits */
	for (uint64_t b = 0; b < f->nb; b++)
		if (f->st[b] == B_PCUR || f->st[b] == B_PFAIL) {
			m_set(f, b, B_PSNAP);
			m_dirty(f, b, 1, true);
		}
	assert_int_equal(nw, 1);
	assert_int_equal(w[0].member, 0);
	assert_int_equal(w[0].slot, t);   /* never the slot the durable checkpoint names */
	for (size_t i = 0; i < w[0].nwrites; i++) {
		uint64_t off = w[0].w[i].off;

		assert_int_equal(w[0].w[i].len, AD_BLOCK);
		assert_true(off % AD_BLOCK == 0 && off + AD_BLOCK <= f->slot_bytes);
		if (off == 0) {
			hdr = true;
		} else if (off >= (uint64_t)(1 + f->idx_blocks) * AD_BLOCK) {
			uint32_t j = (uint32_t)(off / AD_BLOCK) - 1 - f->idx_blocks;

			assert_true(j < nbm);
			assert_false(seen[j]);
			seen[j] = true;
		}
		if (!fail || i < w[0].nwrites / 2)
			memcpy(f->img[t] + off, w[0].w[i].buf, AD_BLOCK);
	}
	assert_true(hdr);
	/* Exactly the bitmap blocks changed since this slot was written (all, the
	 * first time and after a failed write). */
	for (uint32_t j = 0; j < nbm; j++)
		if (seen[j] != (f->full[t] || f->dirty[t][j]))
			fail_msg("gen %llu slot %u bitmap block %u: written %d, changed %d (full %d)",
				 (unsigned long long)gen, t, j, seen[j], f->dirty[t][j], f->full[t]);
	f->writes += w[0].nwrites;
	if (!fail)
		img_decode_check(f, t, gen, w[0].hdr_csum);
	free(seen);
	if (fail) {
		alloc_sm_writes_free(w, nw);
		alloc_snapshot_failed(&f->a);
		m_move(f, B_PSNAP, B_PFAIL);
		f->full[t] = true;   /* torn: the slot must be written whole next time */
		return;
	}
	alloc_durable(&f->a, w, nw);
	alloc_sm_writes_free(w, nw);
	memset(f->dirty[t], 0, nbm * sizeof(bool));
	f->full[t] = false;
	m_move(f, B_PPREV, B_FREE);
	m_move(f, B_PSNAP, B_PPREV);
	f->slot = t;
	f->gen = gen;
	f->ckpts++;
}

/* Data block a one-block reservation (reserve allowed) gets, or UINT64_MAX. */
static uint64_t one(struct fx *f)
{
	uint64_t blk;
	int err = alloc_reserve(&f->a, 0, 1, true, &blk);

	if (err == -ENOSPC)
		return UINT64_MAX;
	assert_int_equal(err, 0);
	return blk - DS;
}

/* A checkpoint in two halves, so that callers can look in between. */
static struct sm_write *snap(struct fx *f, uint64_t gen, unsigned *nw)
{
	struct sm_write *w = NULL;

	assert_int_equal(alloc_snapshot(&f->a, gen, &w, nw), 0);
	return w;
}

static void durable(struct fx *f, struct sm_write *w, unsigned nw)
{
	alloc_durable(&f->a, w, nw);
	alloc_sm_writes_free(w, nw);
}

/* Fill the member: every block committed. */
static void fill(struct fx *f)
{
	while (op_reserve(f, 1, true) != UINT64_MAX)
		;
	while (f->resv.n)
		op_commit(f, 0);
}

/* ---- cases ------------------------------------------------------------------------ */

/* Random reserve/commit/unreserve/free with checkpoints, against the model. */
static void random_run(struct fx *f, unsigned steps, uint64_t maxn, unsigned fail_every)
{
	for (unsigned s = 0; s < steps; s++) {
		uint64_t r = rnd(f) % 100;

		if (r < 40) {
			op_reserve(f, 1 + rnd(f) % maxn, rnd(f) % 8 == 0);
		} else if (r < 65 && f->resv.n) {
			op_commit(f, rnd(f) % f->resv.n);
		} else if (r < 70 && f->resv.n) {
			op_unreserve(f, rnd(f) % f->resv.n);
		} else if (r < 95 && f->used.n) {
			op_free(f, rnd(f) % f->used.n);
		} else if (r >= 95) {
			op_checkpoint(f, fail_every && rnd(f) % fail_every == 0);
		}
		check(f);
	}
}

static void test_alloc_random_fresh(void **state)
{
	struct fx *f = fx_new(4096, false, 0, 0);

	(void)state;
	random_run(f, 4000, 40, 0);
	assert_true(f->ckpts > 50);
	fx_free(f);
}

/* Several bitmap blocks: runs across word and block boundaries, and slot
 * writes of only the blocks that changed. */
static void test_alloc_random_multiblock(void **state)
{
	struct fx *f = fx_new(3 * AD_SM_BITS_PER_BLOCK + 1000, true, 5000, 300);

	(void)state;
	random_run(f, 1500, 3000, 0);
	assert_true(f->ckpts > 20);
	fx_free(f);
}

/* Checkpoints that fail half way: pending frees go back, the torn slot is
 * rewritten whole, and nothing is released early. */
static void test_alloc_random_failures(void **state)
{
	struct fx *f = fx_new(2 * AD_SM_BITS_PER_BLOCK, true, 100, 10);

	(void)state;
	random_run(f, 3000, 200, 3);
	fx_free(f);
}

/* Next fit: runs follow the cursor, freed space behind it is reused only
 * after the cursor wraps. */
static void test_alloc_next_fit_wraps(void **state)
{
	struct fx *f = fx_new(1000, false, 0, 0);

	(void)state;
	for (uint64_t i = 0; i < 50; i++) {
		assert_int_equal(op_reserve(f, 10, false), i * 10);
		op_commit(f, 0);
	}
	/* free [0, 100) and let it become free again */
	for (size_t i = 0; i < f->used.n;)
		if (f->used.e[i].b < 100) {
			struct mext x = ml_take(&f->used, i);

			alloc_free(&f->a, 0, DS + x.b, x.n);
			for (uint64_t k = 0; k < x.n; k++)
				m_set(f, x.b + k, B_PCUR);
		} else {
			i++;
		}
	op_checkpoint(f, false);
	op_checkpoint(f, false);
	check(f);
	assert_int_equal(f->st[0], B_FREE);
	/* the cursor is at 500: the next runs go there, not to the freed front */
	assert_int_equal(op_reserve(f, 10, false), 500);
	assert_int_equal(op_reserve(f, 300, false), 510);
	/* 290 blocks free, the reserve is 128: an ordinary run of 200 is refused
	 * whatever the layout; use_reserve runs fill up to the end, then wrap. */
	assert_int_equal(op_reserve(f, 200, false), UINT64_MAX);
	assert_int_equal(op_reserve(f, 100, true), 810);
	assert_int_equal(op_reserve(f, 95, true), 0);   /* 90 left at the end: wraps */
	check(f);
	fx_free(f);
}

/* Plenty of free blocks but no run long enough: ENOSPC, and shorter runs fit. */
static void test_alloc_fragmented(void **state)
{
	struct fx *f = fx_new(2048, false, 0, 0);

	(void)state;
	fill(f);
	/* every other block, and one run of 3 at 1000..1002 */
	for (size_t i = 0; i < f->used.n;) {
		uint64_t b = f->used.e[i].b;

		if (b % 2 == 0 || (b >= 1000 && b < 1003)) {
			ml_take(&f->used, i);
			alloc_free(&f->a, 0, DS + b, 1);
			m_set(f, b, B_PCUR);
		} else {
			i++;
		}
	}
	op_checkpoint(f, false);
	op_checkpoint(f, false);
	check(f);
	assert_int_equal(op_reserve(f, 4, true), UINT64_MAX);
	f->cursor = f->a.m[0].cursor;
	assert_int_equal(op_reserve(f, 3, true), 1000);
	assert_int_equal(op_reserve(f, 2, true), UINT64_MAX);
	assert_int_equal(op_reserve(f, 1, true), 1004);
	check(f);
	fx_free(f);
}

/* Ordinary allocations stop at the reserve; use_reserve ones go on. */
static void test_alloc_reserve(void **state)
{
	struct fx *f = fx_new(20000, false, 0, 0);
	uint64_t ordinary = 0, extra = 0;
	uint64_t blk;

	(void)state;
	assert_int_equal(f->reserve, 200);
	assert_int_equal(alloc_free_blocks(&f->a, 0), 20000 - 200);
	while (op_reserve(f, 7, false) != UINT64_MAX)
		ordinary += 7;
	assert_int_equal(ordinary, (20000 - 200) / 7 * 7);
	assert_int_equal(alloc_free_blocks(&f->a, 0), 4);
	/* a single block still fits above the reserve */
	while (op_reserve(f, 1, false) != UINT64_MAX)
		ordinary++;
	assert_int_equal(ordinary, 20000 - 200);
	assert_int_equal(alloc_reserve(&f->a, 0, 1, false, &blk), -ENOSPC);
	while (f->resv.n)
		op_commit(f, 0);
	check(f);
	while (op_reserve(f, 1, true) != UINT64_MAX)
		extra++;
	assert_int_equal(extra, 200);
	assert_int_equal(alloc_reserve(&f->a, 0, 1, true, &blk), -ENOSPC);
	/* bad arguments */
	assert_int_equal(alloc_reserve(&f->a, 0, 0, true, &blk), -EINVAL);
	assert_int_equal(alloc_reserve(&f->a, 1, 1, true, &blk), -EINVAL);
	check(f);
	fx_free(f);
}

/*
 * Extents outside the data area, wrapping around 2^64, or on a member the
 * allocator does not have are ignored: they can come from a journal entry
 * whose checksums are fine but whose writer was wrong.
 */
static void test_alloc_bad_extents(void **state)
{
	struct fx *f = fx_new(1000, false, 0, 0);

	(void)state;
	op_reserve(f, 10, false);
	op_commit(f, 0);
	alloc_commit(&f->a, 0, DS - 1, 2);
	alloc_commit(&f->a, 0, DS + f->nb - 1, 2);
	alloc_commit(&f->a, 0, DS + 5, UINT64_MAX - 3);
	alloc_free(&f->a, 0, DS + 5, UINT64_MAX - 3);
	alloc_free(&f->a, 0, DS - 1, 1);
	alloc_unreserve(&f->a, 0, DS + 5, UINT64_MAX - 3);
	alloc_commit(&f->a, 3, DS + 100, 1);
	alloc_free(&f->a, 3, DS + 1, 1);
	alloc_unreserve(&f->a, 3, DS + 1, 1);
	check(f);
	op_checkpoint(f, false);
	check(f);
	fx_free(f);
}

/* A full member: a block freed before checkpoint G becomes allocatable exactly
 * when G+1 is durable; one freed while G is being written, when G+2 is. */
static void test_alloc_deferred_free(void **state)
{
	struct fx *f = fx_new(512, false, 0, 0);
	struct sm_write *w;
	unsigned nw;
	uint64_t g;

	(void)state;
	fill(f);
	op_checkpoint(f, false);
	g = f->gen;
	assert_int_equal(one(f), UINT64_MAX);
	alloc_free(&f->a, 0, DS + 100, 1);       /* freed by the changes of G = g+1 */
	m_set(f, 100, B_PCUR);
	check(f);
	assert_int_equal(one(f), UINT64_MAX);
	w = snap(f, g + 1, &nw);
	alloc_free(&f->a, 0, DS + 200, 1);       /* while G is written: belongs to G+1 */
	assert_int_equal(one(f), UINT64_MAX);
	durable(f, w, nw);
	assert_int_equal(one(f), UINT64_MAX);    /* G durable: 100 is G-1's fallback */
	w = snap(f, g + 2, &nw);
	assert_int_equal(one(f), UINT64_MAX);
	durable(f, w, nw);
	assert_int_equal(one(f), 100);           /* G+1 durable */
	assert_int_equal(one(f), UINT64_MAX);
	w = snap(f, g + 3, &nw);
	assert_int_equal(one(f), UINT64_MAX);
	durable(f, w, nw);
	assert_int_equal(one(f), 200);           /* G+2 durable */
	fx_free(f);
}

/* A failed checkpoint puts its pending frees back: they wait for two more. */
static void test_alloc_snapshot_failed(void **state)
{
	struct fx *f = fx_new(512, false, 0, 0);
	struct sm_write *w;
	unsigned nw;
	uint64_t p;

	(void)state;
	fill(f);
	alloc_free(&f->a, 0, DS + 7, 3);
	w = snap(f, 2, &nw);
	alloc_sm_writes_free(w, nw);
	alloc_snapshot_failed(&f->a);
	alloc_totals(&f->a, NULL, NULL, &p);
	assert_int_equal(p, 3);
	assert_int_equal(f->a.pend_snap.n, 0);
	assert_int_equal(f->a.pend_cur.n, 1);
	/* G=2 again, durable: the frees are pending(2), still not allocatable */
	w = snap(f, 2, &nw);
	durable(f, w, nw);
	assert_int_equal(one(f), UINT64_MAX);
	w = snap(f, 3, &nw);
	durable(f, w, nw);
	assert_int_equal(one(f), 7);
	assert_int_equal(one(f), 8);
	alloc_totals(&f->a, NULL, NULL, &p);
	assert_int_equal(p, 0);
	fx_free(f);
}

/*
 * Reopen: a slot written by the allocator loads back into a new allocator
 * with the same used blocks; what it calls pending is released after the
 * first durable checkpoint of the reopened member, not before.
 */
static void test_alloc_reload(void **state)
{
	struct fx *f = fx_new(40000, true, 64, 0);
	struct alloc b;
	struct sm_write *w;
	unsigned nw;
	char why[AD_WHY_MAX] = "";
	uint32_t csum;
	uint64_t total, used, pend;

	(void)state;
	random_run(f, 800, 50, 0);
	/* one more checkpoint with known frees, read back from its slot */
	while (f->used.n > 2)
		op_free(f, 0);
	assert_int_equal(alloc_snapshot(&f->a, f->gen + 1, &w, &nw), 0);
	for (size_t i = 0; i < w[0].nwrites; i++)
		memcpy(f->img[w[0].slot] + w[0].w[i].off, w[0].w[i].buf, w[0].w[i].len);
	csum = w[0].hdr_csum;
	assert_int_equal(alloc_create(&b, 1, SEED), 0);
	if (alloc_load_member(&b, 0, DS, f->nb, f->img[w[0].slot], w[0].slot, f->gen + 1, csum,
			      why, sizeof(why)))
		fail_msg("reload: %s", why);
	assert_memory_equal(b.m[0].sm.used, f->a.m[0].sm.used, (size_t)f->bm_blocks * AD_BLOCK);
	assert_memory_equal(b.m[0].sm.pending, f->a.m[0].sm.pending, (size_t)f->bm_blocks * AD_BLOCK);
	assert_int_equal(b.m[0].nresv, 0);   /* reservations did not survive */
	alloc_totals(&b, &total, &used, &pend);
	assert_int_equal(used, f->a.m[0].sm.used_count);
	assert_int_equal(pend, b.m[0].sm.pending_count);
	assert_true(pend > 0);
	/* the wrong generation or checksum is refused */
	{
		struct alloc c;

		assert_int_equal(alloc_create(&c, 1, SEED), 0);
		assert_int_equal(alloc_load_member(&c, 0, DS, f->nb, f->img[w[0].slot], w[0].slot,
						   f->gen, csum, why, sizeof(why)), -EUCLEAN);
		assert_int_equal(alloc_load_member(&c, 0, DS, f->nb, f->img[w[0].slot], w[0].slot,
						   f->gen + 1, csum ^ 1, why, sizeof(why)), -EUCLEAN);
		alloc_destroy(&c);
	}
	alloc_sm_writes_free(w, nw);
	/* first checkpoint of the reopened member: writes the other slot whole;
	 * the loaded pending blocks stay used until it is durable */
	assert_int_equal(alloc_snapshot(&b, f->gen + 2, &w, &nw), 0);
	assert_int_equal(w[0].slot, 1 - b.m[0].slot);
	assert_int_equal(w[0].nwrites, 1 + f->idx_blocks + 2 * f->bm_blocks);
	alloc_totals(&b, &total, &used, &pend);
	assert_true(pend > 0);
	assert_int_equal(used, f->a.m[0].sm.used_count);
	alloc_durable(&b, w, nw);
	alloc_sm_writes_free(w, nw);
	alloc_totals(&b, &total, &used, &pend);
	assert_int_equal(pend, 0);
	alloc_destroy(&b);
	fx_free(f);
}

/* Only changed blocks are written once both slots have been written whole. */
static void test_alloc_incremental_writes(void **state)
{
	struct fx *f = fx_new(5 * AD_SM_BITS_PER_BLOCK, true, 10, 0);
	uint64_t before;

	(void)state;
	op_checkpoint(f, false);               /* slot 1: whole */
	assert_int_equal(f->writes, 1 + f->idx_blocks + 10);
	before = f->writes;
	op_checkpoint(f, false);               /* slot 0: nothing changed since mkfs */
	assert_int_equal(f->writes - before, 1);
	/* one change in bitmap block 3 reaches both slots, then nothing more */
	f->cursor = 3 * AD_SM_BITS_PER_BLOCK + 5;
	f->a.m[0].cursor = f->cursor;
	op_reserve(f, 2, false);
	op_commit(f, 0);
	before = f->writes;
	op_checkpoint(f, false);
	assert_int_equal(f->writes - before, 3);   /* header, index, used block 3 */
	before = f->writes;
	op_checkpoint(f, false);
	assert_int_equal(f->writes - before, 3);
	before = f->writes;
	op_checkpoint(f, false);
	assert_int_equal(f->writes - before, 1);
	check(f);
	fx_free(f);
}

/*
 * The slot decoder refuses what the format forbids even under valid
 * checksums and counts: a used bit past D, and a pending bit that is not used.
 */

/* Recompute the index, the header counts and checksums of a slot image. */
static uint32_t reseal(uint8_t *img, uint32_t idx_blocks, uint32_t bm_blocks)
{
	struct ad_sm_hdr h;
	char why[AD_WHY_MAX];
	uint8_t *idx = img + AD_BLOCK, *bm = idx + (size_t)idx_blocks * AD_BLOCK;

	assert_int_equal(ad_sm_hdr_decode(img, SEED, &h, why, sizeof(why)), 0);
	h.used_count = h.pending_count = 0;
	for (size_t i = 0; i < (size_t)bm_blocks * AD_BLOCK; i++) {
		h.used_count += (uint64_t)__builtin_popcount(bm[i]);
		h.pending_count += (uint64_t)__builtin_popcount(bm[(size_t)bm_blocks * AD_BLOCK + i]);
	}
	for (uint32_t j = 0; j < 2 * bm_blocks; j++)
		ad_wr32(idx + (size_t)j * 4, ad_crc32c(SEED, bm + (size_t)j * AD_BLOCK, AD_BLOCK));
	for (uint32_t k = 0; k < idx_blocks; k++)
		h.idx_csum[k] = ad_crc32c(SEED, idx + (size_t)k * AD_BLOCK, AD_BLOCK);
	return ad_sm_hdr_encode(&h, img, SEED);
}

static void refused(struct spacemap *out, const uint8_t *img, uint32_t csum, const char *what)
{
	char why[AD_WHY_MAX] = "";

	assert_int_equal(sm_decode_slot(out, img, 5, csum, SEED, why, sizeof(why)), -EUCLEAN);
	if (!strstr(why, what))
		fail_msg("reason \"%s\" does not say \"%s\"", why, what);
}

static void test_alloc_decode_rules(void **state)
{
	const uint64_t nb = 1000;
	struct spacemap sm, out;
	uint32_t bmb, idxb, csum;
	uint64_t slotb;
	uint8_t *img, *bm;
	char why[AD_WHY_MAX] = "";

	(void)state;
	ad_sm_geometry(nb, &bmb, &idxb, &slotb);
	img = calloc(slotb, AD_BLOCK);
	assert_non_null(img);
	bm = img + (size_t)(1 + idxb) * AD_BLOCK;
	assert_int_equal(sm_create(&sm, 0, nb), 0);
	assert_int_equal(sm_create(&out, 0, nb), 0);
	sm_mark_used(&sm, 10, 20);
	csum = sm_encode_slot(&sm, 5, SEED, img);
	assert_int_equal(sm_decode_slot(&out, img, 5, csum, SEED, why, sizeof(why)), 0);
	assert_int_equal(out.used_count, 20);
	assert_int_equal(reseal(img, idxb, bmb), csum);   /* reseal changes nothing by itself */

	bm[nb / 8] |= 1u << (nb % 8);                       /* used bit past D */
	refused(&out, img, reseal(img, idxb, bmb), "past");

	csum = sm_encode_slot(&sm, 5, SEED, img);
	bm[(size_t)bmb * AD_BLOCK + 50 / 8] |= 1u << (50 % 8);   /* pending, not used */
	refused(&out, img, reseal(img, idxb, bmb), "pending block 50");

	csum = sm_encode_slot(&sm, 5, SEED, img);
	bm[3] ^= 0x10;                                      /* damaged bitmap block */
	refused(&out, img, csum, "checksum");
	sm_destroy(&sm);
	sm_destroy(&out);
	free(img);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_random_fresh),
		cmocka_unit_test(test_alloc_random_multiblock),
		cmocka_unit_test(test_alloc_random_failures),
		cmocka_unit_test(test_alloc_next_fit_wraps),
		cmocka_unit_test(test_alloc_fragmented),
		cmocka_unit_test(test_alloc_reserve),
		cmocka_unit_test(test_alloc_bad_extents),
		cmocka_unit_test(test_alloc_deferred_free),
		cmocka_unit_test(test_alloc_snapshot_failed),
		cmocka_unit_test(test_alloc_reload),
		cmocka_unit_test(test_alloc_incremental_writes),
		cmocka_unit_test(test_alloc_decode_rules),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);   /* one case by name, for debugging */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
