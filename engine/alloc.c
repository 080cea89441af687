/*
 * alloc.c — extent allocator and space map checkpoints (see alloc.h).
 *
 * Search: next-fit over (used | resv) from a per-member cursor, skipping
 * whole 64-bit words that are full.  Dirty tracking: every change to a bitmap
 * block records the serial of the checkpoint it belongs to (mod[]); a slot
 * write includes the blocks changed since that slot was last written, the
 * index blocks holding their CRCs, and the header.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ad_crc.h"
#include "ad_format.h"
#include "alloc.h"
#include "dev.h"
#include "elog.h"

#define WPB (AD_BLOCK / 8)          /* 64-bit words per bitmap block */
#define BPB AD_SM_BITS_PER_BLOCK    /* bits per bitmap block */

/* ---- extent lists ----------------------------------------------------------- */

static int ext_push(struct ext_list *l, unsigned member, uint64_t block, uint64_t n)
{
	if (l->n && l->e[l->n - 1].member == member && l->e[l->n - 1].block + l->e[l->n - 1].n == block) {
		l->e[l->n - 1].n += n;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct extent *e = realloc(l->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = cap;
	}
	l->e[l->n++] = (struct extent){ member, block, n };
	return 0;
}

static void ext_free(struct ext_list *l)
{
	free(l->e);
	memset(l, 0, sizeof(*l));
}

/* ---- setup ------------------------------------------------------------------- */

int alloc_create(struct alloc *a, unsigned n, uint32_t seed)
{
	memset(a, 0, sizeof(*a));
	a->m = calloc(n ? n : 1, sizeof(*a->m));
	if (!a->m)
		return -ENOMEM;
	a->n = n;
	a->seed = seed;
	a->serial = 1;
	pthread_mutex_init(&a->lock, NULL);
	return 0;
}

static void member_free(struct alloc_member *m)
{
	sm_destroy(&m->sm);
	free(m->resv);
	free(m->mod);
	free(m->crc[0]);
	free(m->crc[1]);
	memset(m, 0, sizeof(*m));
}

void alloc_destroy(struct alloc *a)
{
	for (unsigned i = 0; i < a->n; i++)
		member_free(&a->m[i]);
	free(a->m);
	ext_free(&a->pend_cur);
	ext_free(&a->pend_snap);
	ext_free(&a->pend_prev);
	pthread_mutex_destroy(&a->lock);
}

static int bits_to_extents(unsigned i, const uint64_t *bm, uint64_t nblocks, struct ext_list *out)
{
	int err = 0;

	for (uint64_t b = 0; b < nblocks && !err; b++) {
		if (!(bm[b / 64] >> (b % 64) & 1)) {
			if (bm[b / 64] == 0 && b % 64 == 0)
				b += 63;
			continue;
		}
		err = ext_push(out, i, b, 1);
	}
	return err;
}

int alloc_load_member(struct alloc *a, unsigned i, uint64_t data_start, uint64_t nblocks,
		      const void *slot_img, unsigned slot, uint64_t gen, uint32_t expect_csum,
		      char *why, size_t whylen)
{
	struct alloc_member *m = &a->m[i];
	size_t words;
	int err;

	member_free(m);
	err = sm_create(&m->sm, i, nblocks);
	if (err)
		return err;
	words = (size_t)m->sm.bm_blocks * WPB;
	m->resv = calloc(words, 8);
	m->mod = calloc(2 * (size_t)m->sm.bm_blocks, sizeof(*m->mod));
	m->crc[0] = calloc(2 * (size_t)m->sm.bm_blocks, sizeof(uint32_t));
	m->crc[1] = calloc(2 * (size_t)m->sm.bm_blocks, sizeof(uint32_t));
	if (!m->resv || !m->mod || !m->crc[0] || !m->crc[1]) {
		member_free(m);
		return -ENOMEM;
	}
	if (slot_img) {
		err = sm_decode_slot(&m->sm, slot_img, gen, expect_csum, a->seed, why, whylen);
		if (err) {
			member_free(m);
			return err;
		}
		/* Everything the slot calls pending waits for our first checkpoint. */
		pthread_mutex_lock(&a->lock);
		err = bits_to_extents(i, m->sm.pending, nblocks, &a->pend_prev);
		pthread_mutex_unlock(&a->lock);
		if (err) {
			member_free(m);
			return err;
		}
		/* Slot `slot` holds exactly the in-memory state; the other is unknown. */
		for (uint32_t j = 0; j < 2 * m->sm.bm_blocks; j++)
			m->crc[slot][j] = ad_crc32c(a->seed, (const uint8_t *)slot_img +
						    (size_t)(1 + m->sm.idx_blocks + j) * AD_BLOCK, AD_BLOCK);
		m->written[slot] = 0;                /* every later change has serial >= 1 */
		m->written[1 - slot] = UINT64_MAX;   /* contents unknown: write it whole */
	} else {
		m->written[0] = m->written[1] = UINT64_MAX;
	}
	m->slot = slot;
	m->data_start = data_start;
	m->present = true;
	m->reserve = nblocks / 100;
	if (m->reserve < 128)
		m->reserve = 128;
	if (m->reserve > nblocks / 4)
		m->reserve = nblocks / 4;
	return 0;
}

/* ---- bitmap helpers ------------------------------------------------------------ */

static void touch(struct alloc *a, struct alloc_member *m, uint64_t b, uint64_t n, bool pending)
{
	uint32_t base = pending ? m->sm.bm_blocks : 0;

	for (uint64_t blk = b / BPB; blk <= (b + n - 1) / BPB; blk++)
		m->mod[base + blk] = a->serial;
}

/* First used or reserved block in [b, b+n), or b+n when the run is free. */
static uint64_t run_busy(const struct alloc_member *m, uint64_t b, uint64_t n)
{
	for (uint64_t i = b; i < b + n; i++)
		if ((m->sm.used[i / 64] | m->resv[i / 64]) >> (i % 64) & 1)
			return i;
	return b + n;
}

/* First block >= from of a free run of n blocks below limit, or UINT64_MAX.
 * A run that meets a busy block restarts after it, so a search is linear. */
static uint64_t find_run(const struct alloc_member *m, uint64_t from, uint64_t limit, uint64_t n)
{
	uint64_t b = from, busy;

	while (b + n <= limit) {
		uint64_t w = m->sm.used[b / 64] | m->resv[b / 64];

		if (w == UINT64_MAX) {
			b = (b / 64 + 1) * 64;
			continue;
		}
		if (w >> (b % 64) & 1) {
			b++;
			continue;
		}
		busy = run_busy(m, b, n);
		if (busy == b + n)
			return b;
		b = busy + 1;
	}
	return UINT64_MAX;
}

/* ---- allocation ----------------------------------------------------------------- */

int alloc_reserve(struct alloc *a, unsigned i, uint64_t n, bool use_reserve, uint64_t *block)
{
	struct alloc_member *m;
	uint64_t b, avail;
	int err = 0;

	if (i >= a->n || n == 0)
		return -EINVAL;
	pthread_mutex_lock(&a->lock);
	m = &a->m[i];
	if (!m->present) {
		err = -ENODEV;
		goto out;
	}
	avail = m->sm.nblocks - m->sm.used_count - m->nresv;
	if (avail < n || (!use_reserve && avail - n < m->reserve)) {
		err = -ENOSPC;
		goto out;
	}
	b = find_run(m, m->cursor, m->sm.nblocks, n);
	if (b == UINT64_MAX)
		b = find_run(m, 0, m->sm.nblocks, n);
	if (b == UINT64_MAX) {
		err = -ENOSPC;
		goto out;
	}
	m->nresv += sm_bits_set(m->resv, b, n);
	m->cursor = b + n;
	*block = m->data_start + b;
out:
	pthread_mutex_unlock(&a->lock);
	return err;
}

/* Member i exists and is here, and [block, block+n) lies in its data area
 * (n may come from a journal entry: no sum below may wrap around). */
static bool in_range(const struct alloc *a, unsigned i, uint64_t block, uint64_t n)
{
	const struct alloc_member *m = i < a->n ? &a->m[i] : NULL;

	return m && m->present && block >= m->data_start && n <= m->sm.nblocks &&
	       block - m->data_start <= m->sm.nblocks - n;
}

void alloc_unreserve(struct alloc *a, unsigned i, uint64_t block, uint64_t n)
{
	struct alloc_member *m;

	pthread_mutex_lock(&a->lock);
	if (in_range(a, i, block, n)) {
		m = &a->m[i];
		m->nresv -= sm_bits_clear(m->resv, block - m->data_start, n);
	}
	pthread_mutex_unlock(&a->lock);
}

void alloc_commit(struct alloc *a, unsigned i, uint64_t block, uint64_t n)
{
	struct alloc_member *m;
	uint64_t b;

	pthread_mutex_lock(&a->lock);
	if (in_range(a, i, block, n)) {
		m = &a->m[i];
		b = block - m->data_start;
		m->nresv -= sm_bits_clear(m->resv, b, n);
		m->sm.used_count += sm_bits_set(m->sm.used, b, n);
		touch(a, m, b, n, false);
	}
	pthread_mutex_unlock(&a->lock);
}

void alloc_free(struct alloc *a, unsigned i, uint64_t block, uint64_t n)
{
	pthread_mutex_lock(&a->lock);
	if (in_range(a, i, block, n))
		ext_push(&a->pend_cur, i, block - a->m[i].data_start, n);
	pthread_mutex_unlock(&a->lock);
}

static bool pend_overlaps(const struct ext_list *l, unsigned i, uint64_t b, uint64_t n)
{
	for (size_t e = 0; e < l->n; e++)
		if (l->e[e].member == i && l->e[e].block < b + n && b < l->e[e].block + l->e[e].n)
			return true;
	return false;
}

bool alloc_in_use(struct alloc *a, unsigned i, uint64_t block, uint64_t n)
{
	bool use = false;

	pthread_mutex_lock(&a->lock);
	if (in_range(a, i, block, n)) {
		const struct alloc_member *m = &a->m[i];
		uint64_t b = block - m->data_start;

		use = true;
		for (uint64_t k = b; k < b + n && use; k++)
			use = sm_test(m->sm.used, k);
		use = use && !pend_overlaps(&a->pend_cur, i, b, n) &&
		      !pend_overlaps(&a->pend_snap, i, b, n) && !pend_overlaps(&a->pend_prev, i, b, n);
	}
	pthread_mutex_unlock(&a->lock);
	return use;
}

uint64_t alloc_free_blocks(struct alloc *a, unsigned i)
{
	struct alloc_member *m = &a->m[i];
	uint64_t avail = 0;

	pthread_mutex_lock(&a->lock);
	if (m->present) {
		avail = m->sm.nblocks - m->sm.used_count - m->nresv;
		avail = avail > m->reserve ? avail - m->reserve : 0;
	}
	pthread_mutex_unlock(&a->lock);
	return avail;
}

void alloc_totals(struct alloc *a, uint64_t *total, uint64_t *used, uint64_t *pending)
{
	uint64_t t = 0, u = 0, p = 0;

	pthread_mutex_lock(&a->lock);
	for (unsigned i = 0; i < a->n; i++) {
		if (!a->m[i].present)
			continue;
		t += a->m[i].sm.nblocks;
		u += a->m[i].sm.used_count;
	}
	for (size_t e = 0; e < a->pend_cur.n; e++)
		p += a->pend_cur.e[e].n;
	for (size_t e = 0; e < a->pend_snap.n; e++)
		p += a->pend_snap.e[e].n;
	for (size_t e = 0; e < a->pend_prev.n; e++)
		p += a->pend_prev.e[e].n;
	pthread_mutex_unlock(&a->lock);
	if (total)
		*total = t;
	if (used)
		*used = u;
	if (pending)
		*pending = p;
}

/* ---- checkpoints ------------------------------------------------------------------ */

static int add_write(struct sm_write *w, uint64_t off, const void *src, size_t len)
{
	void *buf;
	void *nw = realloc(w->w, (w->nwrites + 1) * sizeof(*w->w));

	if (!nw)
		return -ENOMEM;
	w->w = nw;
	buf = dev_buf_alloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, src, len);
	w->w[w->nwrites].off = off;
	w->w[w->nwrites].len = len;
	w->w[w->nwrites].buf = buf;
	w->nwrites++;
	return 0;
}

static void encode_block(const uint64_t *words, uint8_t *out)
{
	for (size_t w = 0; w < WPB; w++)
		ad_wr64(out + w * 8, words[w]);
}

/* Encode the changed blocks of member m into slot t. */
static int snapshot_member(struct alloc *a, unsigned i, uint64_t gen, struct sm_write *w)
{
	struct alloc_member *m = &a->m[i];
	unsigned t = 1 - m->slot;
	uint32_t nb = 2 * m->sm.bm_blocks, ni = m->sm.idx_blocks;
	uint64_t since = m->written[t];
	uint8_t *blk = malloc(AD_BLOCK), *idx = calloc(ni ? ni : 1, AD_BLOCK);
	bool *idx_dirty = calloc(ni ? ni : 1, sizeof(*idx_dirty));
	struct ad_sm_hdr h;
	int err = 0;

	w->member = i;
	w->slot = t;
	if (!blk || !idx || !idx_dirty) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t j = 0; j < nb && !err; j++) {
		const uint64_t *src = j < m->sm.bm_blocks ? m->sm.used + (size_t)j * WPB
							  : m->sm.pending + (size_t)(j - m->sm.bm_blocks) * WPB;

		if (since != UINT64_MAX && m->mod[j] <= since)
			continue;
		encode_block(src, blk);
		m->crc[t][j] = ad_crc32c(a->seed, blk, AD_BLOCK);
		idx_dirty[j / (AD_BLOCK / 4)] = true;
		err = add_write(w, (uint64_t)(1 + ni + j) * AD_BLOCK, blk, AD_BLOCK);
	}
	memset(&h, 0, sizeof(h));
	for (uint32_t j = 0; j < nb; j++)
		ad_wr32(idx + (size_t)j * 4, m->crc[t][j]);
	for (uint32_t k = 0; k < ni && !err; k++) {
		h.idx_csum[k] = ad_crc32c(a->seed, idx + (size_t)k * AD_BLOCK, AD_BLOCK);
		if (idx_dirty[k] || since == UINT64_MAX)
			err = add_write(w, (uint64_t)(1 + k) * AD_BLOCK, idx + (size_t)k * AD_BLOCK, AD_BLOCK);
	}
	if (err)
		goto out;
	h.generation = gen;
	h.nblocks = m->sm.nblocks;
	h.bm_blocks = m->sm.bm_blocks;
	h.idx_blocks = ni;
	h.used_count = m->sm.used_count;
	h.pending_count = 0;
	for (uint32_t j = 0; j < m->sm.bm_blocks * WPB; j++)
		h.pending_count += (uint64_t)__builtin_popcountll(m->sm.pending[j]);
	h.member_index = i;
	memset(blk, 0, AD_BLOCK);
	w->hdr_csum = ad_sm_hdr_encode(&h, blk, a->seed);
	err = add_write(w, 0, blk, AD_BLOCK);
	if (!err)
		m->written[t] = a->serial;
out:
	free(blk);
	free(idx);
	free(idx_dirty);
	return err;
}

void alloc_sm_writes_free(struct sm_write *w, unsigned n)
{
	for (unsigned i = 0; w && i < n; i++) {
		for (size_t j = 0; j < w[i].nwrites; j++)
			free(w[i].w[j].buf);
		free(w[i].w);
	}
	free(w);
}

int alloc_snapshot(struct alloc *a, uint64_t gen, struct sm_write **out, unsigned *nout)
{
	struct sm_write *w;
	unsigned n = 0;
	int err = 0;

	*out = NULL;
	*nout = 0;
	w = calloc(a->n ? a->n : 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	pthread_mutex_lock(&a->lock);
	/* pending(cur) -> pending(G): on disk as pending, still used. */
	a->pend_snap = a->pend_cur;
	memset(&a->pend_cur, 0, sizeof(a->pend_cur));
	for (size_t e = 0; e < a->pend_snap.n; e++) {
		struct extent *x = &a->pend_snap.e[e];
		struct alloc_member *m = &a->m[x->member];

		sm_bits_set(m->sm.pending, x->block, x->n);
		touch(a, m, x->block, x->n, true);
	}
	for (unsigned i = 0; i < a->n && !err; i++) {
		if (!a->m[i].present)
			continue;
		err = snapshot_member(a, i, gen, &w[n]);
		n++;
	}
	a->serial++;
	pthread_mutex_unlock(&a->lock);
	if (err) {
		alloc_sm_writes_free(w, n);
		alloc_snapshot_failed(a);
		return err;
	}
	*out = w;
	*nout = n;
	return 0;
}

void alloc_durable(struct alloc *a, const struct sm_write *w, unsigned n)
{
	pthread_mutex_lock(&a->lock);
	for (size_t e = 0; e < a->pend_prev.n; e++) {
		struct extent *x = &a->pend_prev.e[e];
		struct alloc_member *m = &a->m[x->member];

		if (!m->present)
			continue;
		m->sm.used_count -= sm_bits_clear(m->sm.used, x->block, x->n);
		sm_bits_clear(m->sm.pending, x->block, x->n);
		touch(a, m, x->block, x->n, false);
		touch(a, m, x->block, x->n, true);
	}
	ext_free(&a->pend_prev);
	a->pend_prev = a->pend_snap;
	memset(&a->pend_snap, 0, sizeof(a->pend_snap));
	for (unsigned i = 0; i < n; i++)
		a->m[w[i].member].slot = w[i].slot;
	pthread_mutex_unlock(&a->lock);
}

void alloc_snapshot_failed(struct alloc *a)
{
	pthread_mutex_lock(&a->lock);
	for (size_t e = 0; e < a->pend_snap.n; e++)
		ext_push(&a->pend_cur, a->pend_snap.e[e].member, a->pend_snap.e[e].block,
			 a->pend_snap.e[e].n);
	ext_free(&a->pend_snap);
	for (unsigned i = 0; i < a->n; i++)
		a->m[i].written[1 - a->m[i].slot] = UINT64_MAX;
	pthread_mutex_unlock(&a->lock);
}
