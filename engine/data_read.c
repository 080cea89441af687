/*
 * data_read.c — reading stripes: only the 4 KiB blocks asked for, every one
 * checked against its CRC, bad or missing ones rebuilt from any k good
 * chunks of the same block row; and repairing damaged chunks onto new
 * extents (see data.h).
 *
 * Invariant: no byte reaches the caller unless its block matched its CRC or
 * was rebuilt from k blocks that did; otherwise the read fails with EIO.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ad_crc.h"
#include "data.h"
#include "ec.h"
#include "elog.h"
#include "ns.h"
#include "place.h"
#include "pool.h"

struct get_stripe {
	uint64_t ino, ws;
	struct ad_stripe *s;
};

static int get_stripe_fn(struct txn *t, void *arg)
{
	struct get_stripe *g = arg;
	struct ad_key k = { .oid = g->ino, .type = AD_KT_STRIPE, .off = g->ws };
	uint8_t raw[AD_ITEM_MAX];
	size_t len;
	int err = txn_get(t, &k, raw, sizeof(raw), &len);

	if (err)
		return err;
	return ad_stripe_decode(raw, len, g->s, DATA_CRC_CAP, NULL, 0) ? -EIO : 0;
}

int data_get_stripe(struct argos_pool *p, uint64_t ino, uint64_t ws, struct ad_stripe *s)
{
	struct get_stripe g = { ino, ws, s };

	return store_read(&p->st, get_stripe_fn, &g);
}

static struct dev *chunk_dev(const struct argos_pool *p, const struct ad_stripe *s, unsigned c)
{
	unsigned mi = ad_addr_member(s->addr[c]);

	return mi < p->nmembers && p->m[mi].status == ARGOS_MEMBER_ONLINE ? p->m[mi].dev : NULL;
}

static uint64_t chunk_off(const struct ad_stripe *s, unsigned c, unsigned blk)
{
	return (ad_addr_block(s->addr[c]) + blk) * AD_BLOCK;
}

/*
 * Read blocks [i0, i1] of chunk c into dst and check them; ok[i - i0] says
 * which are good.  A missing member or a failed read makes them all bad.
 */
static void read_blocks(struct argos_pool *p, const struct ad_stripe *s, unsigned c, unsigned i0,
			unsigned i1, uint8_t *dst, bool *ok)
{
	struct dev *d = chunk_dev(p, s, c);
	unsigned nb = i1 - i0 + 1;

	memset(ok, 0, nb * sizeof(*ok));
	if (!d || dev_pread(p->io, d, dst, (size_t)nb * AD_BLOCK, chunk_off(s, c, i0)))
		return;
	for (unsigned i = 0; i < nb; i++)
		ok[i] = ad_crc32c(0, dst + (size_t)i * AD_BLOCK, AD_BLOCK) == ad_stripe_crcs(s, c)[i0 + i];
}

/*
 * Rebuild block row `row` for the chunks in want (bit per chunk): known[c]
 * points at verified blocks already read (or NULL); the others are read
 * (one batch) and checked.  out[c] receives each wanted block.
 */
static int rebuild_row(struct argos_pool *p, uint64_t ino, uint64_t ws, const struct ad_stripe *s,
		       unsigned row, uint8_t *const *known, uint64_t want, uint8_t **out,
		       uint64_t *damaged)
{
	unsigned n = s->k + s->m, have[AD_MAX_K], ngood = 0, wl[AD_STRIPE_MAX_CHUNKS], nw = 0;
	uint8_t *in[AD_MAX_K], *extra = dev_buf_alloc((size_t)n * AD_BLOCK);
	struct dev_req req[AD_STRIPE_MAX_CHUNKS];
	bool tried[AD_STRIPE_MAX_CHUNKS] = { 0 };
	struct dev_batch b;
	int err = 0;

	if (!extra)
		return -ENOMEM;
	for (unsigned c = 0; c < n && ngood < s->k; c++)
		if (known[c] && !(want >> c & 1)) {
			have[ngood] = c;
			in[ngood++] = known[c];
		}
	if (ngood < s->k) {
		unsigned nr = 0;

		dev_batch_init(&b, p->io);
		for (unsigned c = 0; c < n; c++) {
			struct dev *d = chunk_dev(p, s, c);

			if (known[c] || (want >> c & 1) || !d)
				continue;
			tried[c] = true;
			dev_req_read(&req[nr], d, extra + (size_t)c * AD_BLOCK, AD_BLOCK,
				     chunk_off(s, c, row));
			req[nr].priv = (void *)(uintptr_t)c;
			dev_batch_add(&b, &req[nr++]);
		}
		(void)dev_batch_run(&b);
		for (unsigned r = 0; r < nr && ngood < s->k; r++) {
			unsigned c = (unsigned)(uintptr_t)req[r].priv;
			uint8_t *blk = extra + (size_t)c * AD_BLOCK;

			if (req[r].res < 0 || ad_crc32c(0, blk, AD_BLOCK) != ad_stripe_crcs(s, c)[row]) {
				*damaged |= 1ull << c;
				continue;
			}
			have[ngood] = c;
			in[ngood++] = blk;
		}
	}
	for (unsigned c = 0; c < n; c++)
		if (want >> c & 1)
			wl[nw++] = c;
	if (ngood < s->k) {
		elog_err(&p->log, "inode %llu, stripe at byte %llu, block row %u: only %u of %u chunks "
			 "readable and valid (%u+%u): data lost, returning EIO",
			 (unsigned long long)ino, (unsigned long long)ws, row, ngood, s->k, s->k, s->m);
		err = -EIO;
	} else {
		err = ec_rebuild(ec_codec_get(s->k, s->m), AD_BLOCK, have, in, wl, nw, out);
	}
	(void)tried;
	free(extra);
	return err;
}

int data_read_stripe(struct argos_pool *p, uint64_t ino, uint64_t ws, const struct ad_stripe *s,
		     uint64_t off, size_t len, uint8_t *dst, uint64_t *damaged)
{
	unsigned cb = s->chunk_blocks, n = s->k + s->m;
	uint64_t dend = off + len < s->data_len ? off + len : s->data_len, fb, lb;
	uint8_t *tmp = NULL;
	bool *ok = NULL;
	int err = 0;

	if (off >= dend) {
		memset(dst, 0, len);
		return 0;
	}
	fb = off / AD_BLOCK;
	lb = (dend - 1) / AD_BLOCK;
	tmp = dev_buf_alloc((size_t)(lb - fb + 1) * AD_BLOCK);
	ok = calloc(lb - fb + 1, sizeof(*ok));
	if (!tmp || !ok) {
		err = -ENOMEM;
		goto out;
	}
	/* Pass 1: the data blocks asked for, chunk by chunk, one batch each. */
	for (unsigned c = (unsigned)(fb / cb); c <= lb / cb; c++) {
		unsigned i0 = c == fb / cb ? (unsigned)(fb % cb) : 0;
		unsigned i1 = c == lb / cb ? (unsigned)(lb % cb) : cb - 1;
		uint64_t at = (uint64_t)c * cb + i0 - fb;

		read_blocks(p, s, c, i0, i1, tmp + at * AD_BLOCK, ok + at);
	}
	/* Pass 2: rebuild every bad block from its row. */
	for (uint64_t b = fb; b <= lb && !err; b++) {
		unsigned c = (unsigned)(b / cb), row = (unsigned)(b % cb);
		uint8_t *known[AD_STRIPE_MAX_CHUNKS] = { 0 }, *out[1];

		if (ok[b - fb])
			continue;
		*damaged |= 1ull << c;
		__atomic_add_fetch(&p->bad_blocks, 1, __ATOMIC_RELAXED);
		/* Blocks of the same row already read and valid help. */
		for (unsigned o = 0; o < n; o++) {
			uint64_t ob = (uint64_t)o * cb + row;

			if (o < s->k && ob >= fb && ob <= lb && ok[ob - fb])
				known[o] = tmp + (ob - fb) * AD_BLOCK;
		}
		out[0] = tmp + (b - fb) * AD_BLOCK;
		err = rebuild_row(p, ino, ws, s, row, known, 1ull << c, out, damaged);
		if (!err) {
			ok[b - fb] = true;
			__atomic_add_fetch(&p->rebuilt_blocks, 1, __ATOMIC_RELAXED);
		}
	}
	if (!err) {
		memcpy(dst, tmp + (off - fb * AD_BLOCK), dend - off);
		memset(dst + (dend - off), 0, len - (dend - off));
	}
out:
	free(tmp);
	free(ok);
	(void)n;
	return err;
}

/* ---- repair ------------------------------------------------------------------ */

int data_repair_stripe(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t wgen,
		       uint64_t damaged)
{
	uint32_t crcbuf[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crcbuf };
	unsigned n, cb, order[AD_MAX_MEMBERS], nrank, fixed = 0;
	uint8_t *chunks = NULL, *row[AD_STRIPE_MAX_CHUNKS];
	bool used[AD_MAX_MEMBERS] = { 0 };
	struct dev_req req[AD_STRIPE_MAX_CHUNKS];
	struct dev_batch b;
	uint64_t newaddr[AD_STRIPE_MAX_CHUNKS], repaired = 0;
	size_t clen;
	int err;

	if (p->rdonly || p->st.err)
		return 0;
	err = data_get_stripe(p, ino, ws, &s);
	if (err || s.wgen != wgen)
		return err == -ENOENT ? 0 : err;
	n = s.k + s.m;
	cb = s.chunk_blocks;
	clen = (size_t)cb * AD_BLOCK;
	chunks = dev_buf_alloc(n * clen);
	if (!chunks)
		return -ENOMEM;
	/* Every block of every damaged chunk, row by row. */
	for (unsigned r = 0; r < cb && !err; r++) {
		uint8_t *known[AD_STRIPE_MAX_CHUNKS] = { 0 };
		uint64_t more = 0;   /* other bad blocks met on the way: later reads repair them */
		unsigned nw = 0;

		for (unsigned c = 0; c < n; c++)
			if (damaged >> c & 1)
				row[nw++] = chunks + c * clen + (size_t)r * AD_BLOCK;
		err = rebuild_row(p, ino, ws, &s, r, known, damaged, row, &more);
	}
	if (err)
		goto out;
	for (unsigned c = 0; c < n; c++)
		used[ad_addr_member(s.addr[c])] = true;
	nrank = place_rank(p, ino, ws, order);
	dev_batch_init(&b, p->io);
	for (unsigned c = 0; c < n; c++) {
		unsigned mi = ad_addr_member(s.addr[c]);
		uint64_t block;

		if (!(damaged >> c & 1))
			continue;
		if (chunk_dev(p, &s, c) && !alloc_reserve(&p->st.alloc, mi, cb, true, &block)) {
			newaddr[c] = ad_addr(mi, block);   /* same member, new extent */
		} else if (data_place_chunk(p, order, nrank, used, cb, true, &newaddr[c])) {
			elog_warn(&p->log, "inode %llu, stripe at byte %llu: no member to rebuild "
				  "chunk %u onto; it stays degraded", (unsigned long long)ino,
				  (unsigned long long)ws, c);
			continue;
		}
		dev_req_write(&req[fixed], p->m[ad_addr_member(newaddr[c])].dev, chunks + c * clen,
			      clen, ad_addr_block(newaddr[c]) * AD_BLOCK);
		dev_batch_add(&b, &req[fixed++]);
		repaired |= 1ull << c;
	}
	if (!fixed)
		goto out;
	err = dev_batch_run(&b);
	if (!err) {
		struct ad_stripe ns = s;
		uint8_t rec[1];

		for (unsigned c = 0; c < n; c++)
			if (repaired >> c & 1) {
				ns.addr[c] = newaddr[c];
				data_mark_dirty(p, ad_addr_member(newaddr[c]));
			}
		struct data_commit c = { .p = p, .ino = ino, .ws = ws, .kind = DATA_COMMIT_REPAIR,
					 .s = &ns, .wgen = wgen, .repaired = repaired };

		(void)rec;
		c.reclen = ad_stripe_encode(&ns, c.rec, sizeof(c.rec));
		err = c.reclen < 0 ? -E2BIG : data_commit(&c);
	}
	if (err) {
		for (unsigned c = 0; c < n; c++)
			if (repaired >> c & 1)
				alloc_unreserve(&p->st.alloc, ad_addr_member(newaddr[c]),
						ad_addr_block(newaddr[c]), cb);
		if (err == -ESTALE)
			err = 0;
	} else {
		__atomic_add_fetch(&p->repaired_chunks, fixed, __ATOMIC_RELAXED);
		elog_notice(&p->log, "inode %llu, stripe at byte %llu: rebuilt %u damaged chunk(s) "
			    "onto new extents", (unsigned long long)ino, (unsigned long long)ws, fixed);
	}
out:
	free(chunks);
	return err;
}

/* ---- inline windows ---------------------------------------------------------- */

struct inl {
	uint64_t ino, ws, S, off;
	uint8_t *dst;
	size_t n;
	uint32_t len;            /* load: bytes found */
};

/* Copy the window's INLINE items overlapping [off, off + n) into dst. */
static int inline_fn(struct txn *t, void *arg)
{
	struct inl *a = arg;
	struct ad_key k = { .oid = a->ino, .type = AD_KT_INLINE, .off = a->ws }, out;
	uint8_t raw[AD_ITEM_MAX];
	bool first = true;

	memset(a->dst, 0, a->n);
	a->len = 0;
	for (;;) {
		size_t vlen;
		uint64_t lo, hi, s, e;
		int err = txn_next(t, &k, first, &out, raw, sizeof(raw), &vlen);

		first = false;
		if (err == -ENOENT || (!err && (out.oid != a->ino || out.type != AD_KT_INLINE ||
						out.off >= a->ws + a->S)))
			return 0;
		if (err)
			return err;
		if (vlen < 4 || ad_rd16(raw) != 1 || ad_rd16(raw + 2) != vlen)
			return -EIO;
		lo = out.off - a->ws;
		hi = lo + vlen - 4;
		if (hi > a->len)
			a->len = (uint32_t)hi;
		s = lo > a->off ? lo : a->off;
		e = hi < a->off + a->n ? hi : a->off + a->n;
		if (s < e)
			memcpy(a->dst + (s - a->off), raw + 4 + (s - lo), e - s);
		k = out;
	}
}

int data_read_inline(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t off, size_t n,
		     uint8_t *dst)
{
	struct inl a = { .ino = ino, .ws = ws, .S = data_stripe_size(p), .off = off, .dst = dst,
			 .n = n };

	return store_read(&p->st, inline_fn, &a);
}

int data_load_inline(struct argos_pool *p, uint64_t ino, uint64_t ws, uint8_t *buf, size_t cap,
		     uint32_t *len)
{
	struct inl a = { .ino = ino, .ws = ws, .S = data_stripe_size(p), .off = 0, .dst = buf,
			 .n = cap };
	int err = store_read(&p->st, inline_fn, &a);

	*len = err ? 0 : a.len;
	return err;
}

/* ---- one window ------------------------------------------------------------- */

int data_read_window(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t off, size_t n,
		     uint8_t *dst)
{
	uint32_t crcbuf[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crcbuf };
	uint64_t damaged = 0;
	int err;

	if (data_read_buffered(p, ino, ws, off, n, dst))
		return 0;
	err = data_get_stripe(p, ino, ws, &s);
	if (err == -ENOENT)
		return data_read_inline(p, ino, ws, off, n, dst);   /* inline, or a hole */
	if (err)
		return err;
	err = data_read_stripe(p, ino, ws, &s, off, n, dst, &damaged);
	if (!err && damaged && !p->rdonly) {
		int rerr = data_repair_stripe(p, ino, ws, s.wgen, damaged);

		if (rerr)
			elog_warn(&p->log, "inode %llu, stripe at byte %llu: self-heal failed: %s",
				  (unsigned long long)ino, (unsigned long long)ws, argos_strerror(rerr));
	}
	return err;
}

/* ---- argos_read -------------------------------------------------------------- */

struct rd_attr {
	uint64_t ino;
	struct ad_inode in;
};

static int rd_attr_fn(struct txn *t, void *arg)
{
	struct rd_attr *a = arg;

	return ns_get_inode(t, a->ino, &a->in);
}

int argos_read(argos_pool *p, argos_ino_t ino, uint64_t fh, void *buf, size_t size, uint64_t off)
{
	struct rd_attr a = { .ino = ino };
	uint64_t S = data_stripe_size(p), fsize, done = 0;
	int64_t ms;
	uint32_t mns;
	int err;

	(void)fh;
	err = store_read(&p->st, rd_attr_fn, &a);
	if (err)
		return err;
	if (S_ISDIR(a.in.mode))
		return -EISDIR;
	if (!S_ISREG(a.in.mode))
		return -EINVAL;
	fsize = a.in.size;
	data_overlay_attr(p, ino, &fsize, &ms, &mns);
	if (off >= fsize || size == 0)
		return 0;
	if (size > (1u << 30))
		size = 1u << 30;
	if (size > fsize - off)
		size = (size_t)(fsize - off);
	while (done < size && !err) {
		uint64_t pos = off + done, ws = pos - pos % S;
		size_t n = (size_t)(ws + S - pos < size - done ? ws + S - pos : size - done);

		err = data_read_window(p, ino, ws, pos - ws, n, (uint8_t *)buf + done);
		if (!err)
			done += n;
	}
	if (done)
		ns_read_atime(p, ino);
	return done ? (int)done : err;
}
