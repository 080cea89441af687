/*
 * data_defer.c — deferred small writes: an overwrite of a few KiB inside a
 * window that holds a stripe is stored as DEFER items (ad_defer.h) in one
 * metadata transaction instead of a read-modify-write of the whole stripe.
 *
 * The items live in the checksummed, mirrored tree: durable once the journal
 * entry holding them is flushed (fsync), checkpointed like any item.  They
 * belong to the stripe record with the wgen written in them: a repair keeps
 * the wgen (and the items); any new contents of the window (a stripe, inline
 * data, a hole) delete them in the same transaction (data_commit.c).
 *
 * Readers lay the items over the bytes of the stripe (data_read_window, and
 * win_load when a window is loaded into the write buffer, so the next stripe
 * written there folds them in).  Folding happens on the write path: a small
 * write to a window already holding DEFER_FOLD_BYTES deferred bytes takes
 * the write window instead, which loads the window (items laid over), and
 * writes a new stripe at flush.  There is no background fold: items left at
 * unmount stay, as durable as any metadata.
 *
 * Truncation cuts the items past the new size (data_trunc.c); punching or
 * zeroing goes through the write window or clears whole windows
 * (data_sparse.c), both of which drop the items of the windows they rewrite.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "ad_defer.h"
#include "data_defer.h"
#include "ns.h"
#include "pool.h"

/* Put bytes [off, off + n) as DEFER items of at most AD_DEFER_MAX bytes. */
static int put_items(struct txn *t, uint64_t ino, uint64_t off, uint64_t wgen, const uint8_t *b,
		     size_t n)
{
	uint8_t rec[AD_ITEM_MAX];

	while (n) {
		struct ad_defer d = { .wgen = wgen, .data = b,
				      .count = (uint32_t)(n < AD_DEFER_MAX ? n : AD_DEFER_MAX) };
		struct ad_key k = { .oid = ino, .type = AD_KT_DEFER, .off = off };
		int len = ad_defer_encode(&d, rec, sizeof(rec)), err;

		if (len < 0)
			return len;
		err = txn_put(t, &k, rec, (size_t)len);
		if (err)
			return err;
		off += d.count;
		b += d.count;
		n -= d.count;
	}
	return 0;
}

/* The first key that may hold a byte at or after `from` (items are short). */
static uint64_t scan_from(uint64_t from, uint64_t floor)
{
	return from > floor + AD_DEFER_MAX ? from - AD_DEFER_MAX : floor;
}

int data_defer_cut(struct txn *t, uint64_t ino, uint64_t from, uint64_t to)
{
	struct ad_key k = { .oid = ino, .type = AD_KT_DEFER, .off = scan_from(from, 0) }, out;
	uint8_t raw[AD_ITEM_MAX];
	bool first = true;

	for (;;) {
		struct ad_defer d;
		uint64_t end;
		size_t vlen;
		int err = txn_next(t, &k, first, &out, raw, sizeof(raw), &vlen);

		first = false;
		if (err == -ENOENT || (!err && (out.oid != ino || out.type != AD_KT_DEFER ||
						out.off >= to)))
			return 0;
		if (err)
			return err;
		k = out;
		if (ad_defer_decode(raw, vlen, &d, NULL, 0)) {
			/* not readable: gone with the range it starts in */
			err = out.off >= from ? txn_del(t, &out) : 0;
			if (err)
				return err;
			continue;
		}
		end = out.off + d.count;
		if (end <= from)
			continue;
		if (out.off < from)
			err = put_items(t, ino, out.off, d.wgen, d.data, (size_t)(from - out.off));
		else
			err = txn_del(t, &out);
		if (!err && end > to)
			err = put_items(t, ino, to, d.wgen, d.data + (to - out.off), (size_t)(end - to));
		if (err)
			return err;
	}
}

/* ---- reading ------------------------------------------------------------------ */

/* (The look functions never return -EAGAIN: it is the store's "page not
 * cached" signal.  They say "not taken" or "stale" in their argument.) */
struct overlay {
	uint64_t ino, ws, wgen, off;
	size_t n;
	uint8_t *dst;
	bool stale;        /* the window's record is not the one read */
};

static int get_record(struct txn *t, uint64_t ino, uint64_t ws, struct ad_stripe *s)
{
	struct ad_key k = { .oid = ino, .type = AD_KT_STRIPE, .off = ws };
	uint8_t raw[AD_ITEM_MAX];
	size_t len;
	int err = txn_get(t, &k, raw, sizeof(raw), &len);

	if (err)
		return err;
	return ad_stripe_decode(raw, len, s, DATA_CRC_CAP, NULL, 0) ? -EIO : 0;
}

static int overlay_fn(struct txn *t, void *arg)
{
	struct overlay *a = arg;
	uint64_t lo = a->ws + a->off, hi = lo + a->n;
	struct ad_key k = { .oid = a->ino, .type = AD_KT_DEFER, .off = scan_from(lo, a->ws) }, out;
	uint32_t crcbuf[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crcbuf };
	uint8_t raw[AD_ITEM_MAX];
	bool first = true;
	int err = get_record(t, a->ino, a->ws, &s);

	a->stale = err == -ENOENT || (!err && s.wgen != a->wgen);
	if (a->stale)
		return 0;   /* the window changed since its stripe was read */
	if (err)
		return err;
	for (;;) {
		struct ad_defer d;
		uint64_t b, e;
		size_t vlen;

		err = txn_next(t, &k, first, &out, raw, sizeof(raw), &vlen);
		first = false;
		if (err == -ENOENT || (!err && (out.oid != a->ino || out.type != AD_KT_DEFER ||
						out.off >= hi)))
			return 0;
		if (err)
			return err;
		k = out;
		if (ad_defer_decode(raw, vlen, &d, NULL, 0))
			return -EIO;
		if (d.wgen != a->wgen)
			continue;   /* stale (fsck reports it) */
		b = out.off > lo ? out.off : lo;
		e = out.off + d.count < hi ? out.off + d.count : hi;
		if (b < e)
			memcpy(a->dst + (b - lo), d.data + (b - out.off), (size_t)(e - b));
	}
}

int data_defer_overlay(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t wgen,
		       uint64_t off, size_t n, uint8_t *dst)
{
	struct overlay a = { .ino = ino, .ws = ws, .wgen = wgen, .off = off, .n = n, .dst = dst };
	int err = store_read(&p->st, overlay_fn, &a);

	return err ? err : a.stale ? -EAGAIN : 0;
}

/* ---- writing ------------------------------------------------------------------ */

struct dwrite {
	uint64_t ino, ws, off, S;
	const uint8_t *buf;
	size_t n;
	bool taken;        /* written as DEFER items */
	bool fold;         /* not taken: the window holds enough to fold */
};

/* Deferred bytes of window ws. */
static int window_bytes(struct txn *t, uint64_t ino, uint64_t ws, uint64_t S, uint64_t *bytes)
{
	struct ad_key k = { .oid = ino, .type = AD_KT_DEFER, .off = ws }, out;
	bool first = true;

	*bytes = 0;
	for (;;) {
		size_t vlen;
		int err = txn_next(t, &k, first, &out, NULL, 0, &vlen);

		first = false;
		if (err == -ENOENT || (!err && (out.oid != ino || out.type != AD_KT_DEFER ||
						out.off >= ws + S)))
			return 0;
		if (err)
			return err;
		*bytes += vlen > AD_DEFER_HDR ? vlen - AD_DEFER_HDR : 0;
		k = out;
	}
}

static int dwrite_fn(struct txn *t, void *arg)
{
	struct dwrite *a = arg;
	uint32_t crcbuf[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crcbuf };
	uint64_t have, limit = a->S / 2 < DEFER_FOLD_BYTES ? a->S / 2 : DEFER_FOLD_BYTES;
	struct ad_inode in;
	int err = ns_get_inode(t, a->ino, &in);

	a->taken = a->fold = false;
	if (err)
		return err;
	err = get_record(t, a->ino, a->ws, &s);
	if (err == -ENOENT)
		return 0;   /* inline or a hole: the write window */
	if (err)
		return err;
	/* Inside the stripe's data and the file, and not all of it (a write
	 * of all of it is a rewrite: fsck's rewrite of a narrow stripe). */
	if (a->off + a->n > a->ws + s.data_len || a->off + a->n > in.size ||
	    (a->off == a->ws && a->n == s.data_len))
		return 0;
	err = window_bytes(t, a->ino, a->ws, a->S, &have);
	if (err)
		return err;
	if (have + a->n > limit) {
		a->fold = true;
		return 0;
	}
	err = data_defer_cut(t, a->ino, a->off, a->off + a->n);
	if (!err)
		err = put_items(t, a->ino, a->off, s.wgen, a->buf, a->n);
	if (err)
		return err;
	ns_touch(&in, true, true);
	a->taken = true;
	return ns_put_inode(t, a->ino, &in);
}

int data_defer_write(struct argos_pool *p, struct fwin *w, const void *buf, size_t n,
		     uint64_t off)
{
	uint64_t S = data_stripe_size(p), ws = off - off % S;
	struct dwrite a = { .ino = w->ino, .ws = ws, .off = off, .S = S, .buf = buf, .n = n };
	int err;

	if (p->defer_off || n == 0 || n > DEFER_WRITE_MAX || n >= S / 4 || off - ws + n > S)
		return 0;
	if (w->ws == ws) {
		if (w->dirty)
			return 0;   /* buffered: the write joins the buffer */
		w->ws = UINT64_MAX;   /* a clean copy would go stale */
	}
	for (unsigned i = 0; i < DATA_WIN_PARK; i++)
		if (w->park[i].buf && w->park[i].ws == ws)
			return 0;
	err = store_txn(&p->st, dwrite_fn, &a, 0);
	if (err)
		return err;
	if (!a.taken) {
		if (a.fold)
			__atomic_add_fetch(&p->deferred_folds, 1, __ATOMIC_RELAXED);
		return 0;
	}
	__atomic_add_fetch(&p->deferred_writes, 1, __ATOMIC_RELAXED);
	ns_now(&w->mtime_sec, &w->mtime_nsec);
	return 1;
}
