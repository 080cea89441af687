/*
 * ad_node.c — in-page editing of tree leaves and internal pages.
 *
 * Layout (see ad_format.h): a 64-byte header, then sorted entries.
 *   leaf entry      key[17] val_off le16 val_len le16     (21 bytes)
 *   internal entry  key[17] bptr[48]                      (65 bytes)
 * Leaf values are packed downward from the end of the page; data_start (header
 * offset 40) is the lowest byte used by a value.  Holes left by deletes and
 * updates are reclaimed by compaction when an insert needs the room.
 *
 * Invariants: entries sorted by key; every value lies in [data_start, 4096);
 * values never overlap.  These functions trust their caller on index bounds
 * (the tree code) — pages read from disk are validated by ad_page_check()
 * before they get here.
 */
#include <errno.h>
#include <string.h>

#include "ad_items.h"

#define H_LEVEL       10
#define H_NITEMS      12
#define H_DATA_START  40

static unsigned hdr16(const void *p, unsigned off) { return ad_rd16((const uint8_t *)p + off); }
static void set_hdr16(void *p, unsigned off, unsigned v) { ad_wr16((uint8_t *)p + off, (uint16_t)v); }

unsigned ad_page_level(const void *page) { return hdr16(page, H_LEVEL); }

/* ---- leaves ----------------------------------------------------------------- */

static uint8_t *lentry(void *page, unsigned i)
{
	return (uint8_t *)page + AD_PAGE_HDR + (size_t)i * AD_LEAF_ENTRY;
}

static const uint8_t *clentry(const void *page, unsigned i)
{
	return (const uint8_t *)page + AD_PAGE_HDR + (size_t)i * AD_LEAF_ENTRY;
}

void ad_leaf_init(void *page)
{
	memset(page, 0, AD_BLOCK);
	set_hdr16(page, H_LEVEL, 0);
	set_hdr16(page, H_NITEMS, 0);
	set_hdr16(page, H_DATA_START, AD_BLOCK);
}

unsigned ad_leaf_nitems(const void *page) { return hdr16(page, H_NITEMS); }

void ad_leaf_key(const void *page, unsigned i, struct ad_key *k)
{
	ad_key_decode(clentry(page, i), k);
}

const uint8_t *ad_leaf_val(const void *page, unsigned i, size_t *len)
{
	const uint8_t *e = clentry(page, i);

	*len = ad_rd16(e + AD_KEY_SIZE + 2);
	return (const uint8_t *)page + ad_rd16(e + AD_KEY_SIZE);
}

size_t ad_leaf_used(const void *page)
{
	unsigned n = ad_leaf_nitems(page);
	size_t used = (size_t)n * AD_LEAF_ENTRY;

	for (unsigned i = 0; i < n; i++)
		used += ad_rd16(clentry(page, i) + AD_KEY_SIZE + 2);
	return used;
}

size_t ad_leaf_free(const void *page)
{
	size_t cap = AD_BLOCK - AD_PAGE_HDR, used = ad_leaf_used(page);

	return used >= cap ? 0 : cap - used;
}

static unsigned data_start(const void *page) { return hdr16(page, H_DATA_START); }
static void set_data_start(void *page, unsigned ds) { set_hdr16(page, H_DATA_START, ds); }

static size_t contiguous_free(const void *page)
{
	size_t end = AD_PAGE_HDR + (size_t)ad_leaf_nitems(page) * AD_LEAF_ENTRY;
	size_t ds = data_start(page);

	return ds > end ? ds - end : 0;
}

/* Repack values at the end of the page, in entry order. */
static void leaf_compact(void *page)
{
	uint8_t tmp[AD_BLOCK];
	unsigned n = ad_leaf_nitems(page), pos = AD_BLOCK;

	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = lentry(page, i);
		unsigned off = ad_rd16(e + AD_KEY_SIZE), len = ad_rd16(e + AD_KEY_SIZE + 2);

		pos -= len;
		memcpy(tmp + pos, (uint8_t *)page + off, len);
		ad_wr16(e + AD_KEY_SIZE, (uint16_t)pos);
	}
	memcpy((uint8_t *)page + pos, tmp + pos, AD_BLOCK - pos);
	/* Zero what is now free, so no stale value bytes reach the disk. */
	memset(lentry(page, n), 0, pos - (AD_PAGE_HDR + (size_t)n * AD_LEAF_ENTRY));
	set_data_start(page, pos);
}

unsigned ad_leaf_search(const void *page, const struct ad_key *k, bool *found)
{
	unsigned lo = 0, hi = ad_leaf_nitems(page);

	*found = false;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		struct ad_key mk;
		int c;

		ad_leaf_key(page, mid, &mk);
		c = ad_key_cmp(&mk, k);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int leaf_room(void *page, size_t need)
{
	if (contiguous_free(page) >= need)
		return 0;
	if (ad_leaf_free(page) < need)
		return -ENOSPC;
	leaf_compact(page);
	return contiguous_free(page) >= need ? 0 : -ENOSPC;
}

int ad_leaf_insert(void *page, unsigned i, const struct ad_key *k, const void *val, size_t len)
{
	unsigned n = ad_leaf_nitems(page), ds;
	uint8_t *e;
	int err;

	if (len > AD_ITEM_MAX)
		return -E2BIG;
	err = leaf_room(page, AD_LEAF_ENTRY + len);
	if (err)
		return err;
	e = lentry(page, i);
	memmove(e + AD_LEAF_ENTRY, e, (size_t)(n - i) * AD_LEAF_ENTRY);
	ds = data_start(page) - (unsigned)len;
	memcpy((uint8_t *)page + ds, val, len);
	ad_key_encode(k, e);
	ad_wr16(e + AD_KEY_SIZE, (uint16_t)ds);
	ad_wr16(e + AD_KEY_SIZE + 2, (uint16_t)len);
	set_data_start(page, ds);
	set_hdr16(page, H_NITEMS, n + 1);
	return 0;
}

int ad_leaf_update(void *page, unsigned i, const void *val, size_t len)
{
	uint8_t *e = lentry(page, i);
	unsigned old = ad_rd16(e + AD_KEY_SIZE + 2), ds;

	if (len > AD_ITEM_MAX)
		return -E2BIG;
	if (len <= old) {
		/* Shrink in place; the tail becomes a hole. */
		memcpy((uint8_t *)page + ad_rd16(e + AD_KEY_SIZE), val, len);
		ad_wr16(e + AD_KEY_SIZE + 2, (uint16_t)len);
		return 0;
	}
	if (ad_leaf_free(page) + old < len)
		return -ENOSPC;
	/* Drop the old value, then place the new one. */
	ad_wr16(e + AD_KEY_SIZE + 2, 0);
	if (contiguous_free(page) < len)
		leaf_compact(page);
	ds = data_start(page) - (unsigned)len;
	memcpy((uint8_t *)page + ds, val, len);
	ad_wr16(e + AD_KEY_SIZE, (uint16_t)ds);
	ad_wr16(e + AD_KEY_SIZE + 2, (uint16_t)len);
	set_data_start(page, ds);
	return 0;
}

void ad_leaf_delete(void *page, unsigned i)
{
	unsigned n = ad_leaf_nitems(page);
	uint8_t *e = lentry(page, i);

	memmove(e, e + AD_LEAF_ENTRY, (size_t)(n - i - 1) * AD_LEAF_ENTRY);
	memset(lentry(page, n - 1), 0, AD_LEAF_ENTRY);
	set_hdr16(page, H_NITEMS, n - 1);
	if (n == 1)
		set_data_start(page, AD_BLOCK);
}

void ad_leaf_move_tail(void *src, unsigned from, void *dst)
{
	unsigned n = ad_leaf_nitems(src);

	ad_leaf_init(dst);
	for (unsigned i = from; i < n; i++) {
		struct ad_key k;
		size_t len;
		const uint8_t *v = ad_leaf_val(src, i, &len);

		ad_leaf_key(src, i, &k);
		/* dst is empty and src fit in one page: cannot fail. */
		(void)ad_leaf_insert(dst, i - from, &k, v, len);
	}
	set_hdr16(src, H_NITEMS, from);
	leaf_compact(src);
	/* Zero the freed entries and value bytes so page images stay deterministic. */
	memset(lentry(src, from), 0, data_start(src) - (AD_PAGE_HDR + (size_t)from * AD_LEAF_ENTRY));
}

int ad_leaf_append(void *dst, const void *src)
{
	unsigned n = ad_leaf_nitems(src), base = ad_leaf_nitems(dst);

	if (ad_leaf_free(dst) < ad_leaf_used(src))
		return -ENOSPC;
	for (unsigned i = 0; i < n; i++) {
		struct ad_key k;
		size_t len;
		const uint8_t *v = ad_leaf_val(src, i, &len);
		int err;

		ad_leaf_key(src, i, &k);
		err = ad_leaf_insert(dst, base + i, &k, v, len);
		if (err)
			return err;
	}
	return 0;
}

/* ---- internal pages ----------------------------------------------------------- */

static uint8_t *nentry(void *page, unsigned i)
{
	return (uint8_t *)page + AD_PAGE_HDR + (size_t)i * AD_NODE_ENTRY;
}

static const uint8_t *cnentry(const void *page, unsigned i)
{
	return (const uint8_t *)page + AD_PAGE_HDR + (size_t)i * AD_NODE_ENTRY;
}

void ad_node_init(void *page, unsigned level)
{
	memset(page, 0, AD_BLOCK);
	set_hdr16(page, H_LEVEL, level);
}

unsigned ad_node_nitems(const void *page) { return hdr16(page, H_NITEMS); }

void ad_node_key(const void *page, unsigned i, struct ad_key *k)
{
	ad_key_decode(cnentry(page, i), k);
}

void ad_node_set_key(void *page, unsigned i, const struct ad_key *k)
{
	ad_key_encode(k, nentry(page, i));
}

void ad_node_ptr(const void *page, unsigned i, struct ad_bptr *p)
{
	struct ad_bptr_wire w;

	memcpy(&w, cnentry(page, i) + AD_KEY_SIZE, sizeof(w));
	for (unsigned m = 0; m < AD_MAX_MIRRORS; m++)
		p->addr[m] = ad_get64(w.addr[m]);
	p->csum = ad_get32(w.csum);
	p->nmirrors = w.nmirrors;
	p->level = w.level;
	p->gen = ad_get64(w.gen);
}

void ad_node_set_ptr(void *page, unsigned i, const struct ad_bptr *p)
{
	struct ad_bptr_wire w;

	ad_bptr_encode(p, &w);
	memcpy(nentry(page, i) + AD_KEY_SIZE, &w, sizeof(w));
}

unsigned ad_node_search(const void *page, const struct ad_key *k)
{
	unsigned lo = 0, hi = ad_node_nitems(page);

	/* Find the last entry with key <= k. */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		struct ad_key mk;

		ad_node_key(page, mid, &mk);
		if (ad_key_cmp(&mk, k) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : 0;
}

int ad_node_insert(void *page, unsigned i, const struct ad_key *k, const struct ad_bptr *p)
{
	unsigned n = ad_node_nitems(page);

	if (n >= AD_NODE_MAX)
		return -ENOSPC;
	memmove(nentry(page, i + 1), nentry(page, i), (size_t)(n - i) * AD_NODE_ENTRY);
	ad_node_set_key(page, i, k);
	ad_node_set_ptr(page, i, p);
	set_hdr16(page, H_NITEMS, n + 1);
	return 0;
}

void ad_node_delete(void *page, unsigned i)
{
	unsigned n = ad_node_nitems(page);

	memmove(nentry(page, i), nentry(page, i + 1), (size_t)(n - i - 1) * AD_NODE_ENTRY);
	memset(nentry(page, n - 1), 0, AD_NODE_ENTRY);
	set_hdr16(page, H_NITEMS, n - 1);
}

void ad_node_move_tail(void *src, unsigned from, void *dst)
{
	unsigned n = ad_node_nitems(src);

	ad_node_init(dst, ad_page_level(src));
	memcpy(nentry(dst, 0), nentry(src, from), (size_t)(n - from) * AD_NODE_ENTRY);
	memset(nentry(src, from), 0, (size_t)(n - from) * AD_NODE_ENTRY);
	set_hdr16(dst, H_NITEMS, n - from);
	set_hdr16(src, H_NITEMS, from);
}

int ad_node_append(void *dst, const void *src)
{
	unsigned nd = ad_node_nitems(dst), ns = ad_node_nitems(src);

	if (nd + ns > AD_NODE_MAX)
		return -ENOSPC;
	memcpy(nentry(dst, nd), cnentry(src, 0), (size_t)ns * AD_NODE_ENTRY);
	set_hdr16(dst, H_NITEMS, nd + ns);
	return 0;
}
