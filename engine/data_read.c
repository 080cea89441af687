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
#include "data_defer.h"
#include "data_compress.h"
#include "ec.h"
#include "elog.h"
#include "ns.h"
#include "place.h"
#include "pool.h"

struct get_stripe {
	uint64_t ino, ws;
	struct ad_stripe *s;
	bool *deferred;        /* if set: whether the window has DEFER items */
	uint64_t S;
};

static int get_stripe_fn(struct txn *t, void *arg)
{
	struct get_stripe *g = arg;
	struct ad_key k = { .oid = g->ino, .type = AD_KT_STRIPE, .off = g->ws }, out;
	uint8_t raw[AD_ITEM_MAX];
	size_t len;
	int err = txn_get(t, &k, raw, sizeof(raw), &len);

	if (err)
		return err;
	if (ad_stripe_decode(raw, len, g->s, DATA_CRC_CAP, NULL, 0))
		return -EIO;
	if (!g->deferred)
		return 0;
	/* Items of the window are keyed inside it (a deferred write never
	 * crosses a window): the first DEFER key at or after ws tells. */
	k.type = AD_KT_DEFER;
	err = txn_next(t, &k, true, &out, NULL, 0, &len);
	if (err && err != -ENOENT)
		return err;
	*g->deferred = !err && out.oid == g->ino && out.type == AD_KT_DEFER &&
		       out.off < g->ws + g->S;
	return 0;
}

int data_get_stripe(struct argos_pool *p, uint64_t ino, uint64_t ws, struct ad_stripe *s)
{
	struct get_stripe g = { ino, ws, s, NULL, 0 };

	return store_read(&p->st, get_stripe_fn, &g);
}

int data_get_stripe_deferred(struct argos_pool *p, uint64_t ino, uint64_t ws, struct ad_stripe *s,
			     bool *deferred)
{
	struct get_stripe g = { ino, ws, s, deferred, data_stripe_size(p) };

	*deferred = false;
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

/* ---- reading and rebuilding block rows ---------------------------------------- */

/*
 * A read of some blocks of a stripe, and what it needs from the other
 * chunks.  The caller wants rows [lo[c], hi[c]] of chunk c (none when
 * lo > hi) at dst[c] + (r - lo[c]) * AD_BLOCK; every other block it takes
 * lands in ext (chunk c, row r at ext + (c * cb + r) * AD_BLOCK).  st[] holds
 * one state per (chunk, row).  Reads go out in rounds, each round one device
 * batch: the first round reads every wanted block and, for the rows that
 * will need a rebuild (a wanted block on a missing member), enough other
 * chunks that each such row has k blocks; later rounds only make up for
 * reads that failed or blocks that failed their CRC.  Rows with the same
 * survivors are then rebuilt together (rs_rebuild).
 */
enum { RS_UNREAD = 0, RS_PLANNED, RS_GOOD, RS_BAD };

/* Read requests per round; what does not fit goes in the next round. */
#define RS_MAXREQ 64
/* Rows between two runs of rows to rebuild read through rather than split. */
#define RS_GAP 16

struct rowset {
	struct argos_pool *p;
	const struct ad_stripe *s;
	unsigned n, cb;
	unsigned lo[AD_STRIPE_MAX_CHUNKS], hi[AD_STRIPE_MAX_CHUNKS];
	uint8_t *dst[AD_STRIPE_MAX_CHUNKS];
	uint8_t *st;              /* n * cb states */
	uint8_t *ext;             /* n * cb blocks, allocated on first use */
	uint64_t damaged;         /* chunks seen missing, unreadable or failing a CRC */
	unsigned nreq;
	struct dev_req req[RS_MAXREQ];
	struct dev_batch b;
};

static bool rs_wanted(const struct rowset *x, unsigned c, unsigned r)
{
	return x->lo[c] <= r && r <= x->hi[c];
}

static uint8_t *rs_blk(const struct rowset *x, unsigned c, unsigned r)
{
	if (rs_wanted(x, c, r))
		return x->dst[c] + (size_t)(r - x->lo[c]) * AD_BLOCK;
	return x->ext + ((size_t)c * x->cb + r) * AD_BLOCK;
}

static uint8_t *rs_st(const struct rowset *x, unsigned c, unsigned r)
{
	return &x->st[(size_t)c * x->cb + r];
}

/* Queue a read of rows [r0, r1] of chunk c (one buffer: all wanted or none). */
static void rs_queue(struct rowset *x, struct dev *d, unsigned c, unsigned r0, unsigned r1)
{
	struct dev_req *q = &x->req[x->nreq++];

	dev_req_read(q, d, rs_blk(x, c, r0), (size_t)(r1 - r0 + 1) * AD_BLOCK,
		     chunk_off(x->s, c, r0));
	q->priv = (void *)(uintptr_t)(c << 16 | r0);
	dev_batch_add(&x->b, q);
	memset(rs_st(x, c, r0), RS_PLANNED, r1 - r0 + 1);
}

/* A row whose wanted blocks include a bad one. */
static bool rs_needs(const struct rowset *x, unsigned r)
{
	for (unsigned c = 0; c < x->n; c++)
		if (rs_wanted(x, c, r) && *rs_st(x, c, r) == RS_BAD)
			return true;
	return false;
}

/* Blocks of row r that are good or being read. */
static unsigned rs_good(const struct rowset *x, unsigned r, bool planned)
{
	unsigned g = 0;

	for (unsigned c = 0; c < x->n; c++) {
		uint8_t v = *rs_st(x, c, r);

		g += v == RS_GOOD || (planned && v == RS_PLANNED);
	}
	return g;
}

/* Whether block (c, r) can still be read to help its row. */
static bool rs_can_read(const struct rowset *x, unsigned c, unsigned r)
{
	return *rs_st(x, c, r) == RS_UNREAD && chunk_dev(x->p, x->s, c);
}

/*
 * Plan reads of chunk c for the deficient rows (def[r] > 0): maximal runs of
 * readable rows, split where more than RS_GAP rows in a row would be read
 * for nothing.  Returns how many deficient rows got a block.
 */
static unsigned rs_plan_chunk(struct rowset *x, unsigned c, unsigned *def)
{
	struct dev *d = chunk_dev(x->p, x->s, c);
	unsigned helped = 0, r = 0;

	while (r < x->cb && x->nreq < RS_MAXREQ) {
		unsigned r0, last, e;

		if (!def[r] || !rs_can_read(x, c, r)) {
			r++;
			continue;
		}
		/* A run from deficient row r.  Unread blocks are never wanted ones
		 * (those were all queued at first, or are on a missing member), so
		 * the run is one buffer in ext. */
		r0 = last = r;
		for (e = r + 1; e < x->cb && e - last <= RS_GAP && rs_can_read(x, c, e); e++)
			if (def[e])
				last = e;
		for (unsigned i = r0; i <= last; i++)
			if (def[i]) {
				def[i]--;
				helped++;
			}
		rs_queue(x, d, c, r0, last);
		r = last + 1;
	}
	return helped;
}

/*
 * Plan one round: for every row that needs a rebuild and has fewer than k
 * good or planned blocks, pick chunks to read, the chunk helping most such
 * rows first (ties: the lower index).  Returns how many reads were queued.
 */
static int rs_plan(struct rowset *x, unsigned *def)
{
	unsigned k = x->s->k, want = 0;
	uint64_t used = 0;

	for (unsigned r = 0; r < x->cb; r++) {
		unsigned g = rs_needs(x, r) ? rs_good(x, r, true) : k;

		def[r] = g < k ? k - g : 0;
		want += def[r];
	}
	while (want && x->nreq < RS_MAXREQ) {
		unsigned best = UINT32_MAX, bestn = 0, got;

		for (unsigned c = 0; c < x->n; c++) {
			unsigned cnt = 0;

			if (used >> c & 1)
				continue;
			for (unsigned r = 0; r < x->cb; r++)
				cnt += def[r] && rs_can_read(x, c, r);
			if (cnt > bestn) {
				best = c;
				bestn = cnt;
			}
		}
		if (!bestn)
			break;
		if (!x->ext) {
			/* not zeroed: a block is used only once read and verified */
			if (posix_memalign((void **)&x->ext, DEV_ALIGN,
					   (size_t)x->n * x->cb * AD_BLOCK)) {
				x->ext = NULL;
				return -ENOMEM;
			}
		}
		used |= 1ull << best;
		got = rs_plan_chunk(x, best, def);
		want -= got;
	}
	return (int)x->nreq;
}

/* Run the queued reads and check every block read against its CRC. */
static void rs_run(struct rowset *x)
{
	(void)dev_batch_run(&x->b);
	for (unsigned i = 0; i < x->nreq; i++) {
		struct dev_req *q = &x->req[i];
		unsigned c = (unsigned)(uintptr_t)q->priv >> 16, r0 = (unsigned)(uintptr_t)q->priv & 0xffff;
		unsigned nb = (unsigned)(q->len / AD_BLOCK);
		const uint32_t *crc = ad_stripe_crcs(x->s, c);

		for (unsigned j = 0; j < nb; j++) {
			bool ok = q->res >= 0 && ad_crc32c(0, (uint8_t *)q->buf + (size_t)j * AD_BLOCK,
							   AD_BLOCK) == crc[r0 + j];

			*rs_st(x, c, r0 + j) = ok ? RS_GOOD : RS_BAD;
			if (!ok)
				x->damaged |= 1ull << c;
		}
	}
	x->nreq = 0;
	dev_batch_init(&x->b, x->p->io);
}

/*
 * Rebuild the bad wanted blocks of every row (each row has k good blocks by
 * now): the survivors of a row are its first k good chunks, and consecutive
 * rows with the same survivors, the same chunks to rebuild and contiguous
 * buffers go through one ec_rebuild call.  *nblk counts the blocks rebuilt.
 */
static int rs_rebuild(struct rowset *x, uint64_t *nblk)
{
	const struct ec_codec *ec = ec_codec_get(x->s->k, x->s->m);
	unsigned k = x->s->k, r = 0;

	if (!ec)
		return -EINVAL;
	while (r < x->cb) {
		unsigned have[AD_MAX_K], want[AD_STRIPE_MAX_CHUNKS], nh = 0, nw = 0, e;
		uint8_t *in[AD_MAX_K], *out[AD_STRIPE_MAX_CHUNKS];
		int err;

		if (!rs_needs(x, r)) {
			r++;
			continue;
		}
		for (unsigned c = 0; c < x->n; c++) {
			uint8_t v = *rs_st(x, c, r);

			if (v == RS_GOOD && nh < k) {
				have[nh] = c;
				in[nh++] = rs_blk(x, c, r);
			} else if (v == RS_BAD && rs_wanted(x, c, r)) {
				want[nw] = c;
				out[nw++] = rs_blk(x, c, r);
			}
		}
		if (nh < k)
			return -EIO;   /* rs_fill() checked every row: cannot happen */
		/* extend while row e has the same pattern in the next block of each buffer */
		for (e = r + 1; e < x->cb; e++) {
			unsigned h = 0, w = 0;
			bool same = true;

			for (unsigned c = 0; c < x->n && same; c++) {
				uint8_t v = *rs_st(x, c, e);
				bool in_h = h < nh && have[h] == c, in_w = w < nw && want[w] == c;

				if (in_h) {
					same = v == RS_GOOD &&
					       rs_blk(x, c, e) == in[h] + (size_t)(e - r) * AD_BLOCK;
					h++;
				} else if (in_w) {
					same = v == RS_BAD && rs_wanted(x, c, e) &&
					       rs_blk(x, c, e) == out[w] + (size_t)(e - r) * AD_BLOCK;
					w++;
				} else {
					/* a chunk in neither list must stay out of both */
					same = !(v == RS_BAD && rs_wanted(x, c, e)) &&
					       !(v == RS_GOOD && h < nh);
				}
			}
			if (!same)
				break;
		}
		err = ec_rebuild(ec, (size_t)(e - r) * AD_BLOCK, have, in, want, nw, out);
		if (err)
			return err;
		for (unsigned i = r; i < e; i++)
			for (unsigned w = 0; w < nw; w++)
				*rs_st(x, want[w], i) = RS_GOOD;
		*nblk += (uint64_t)(e - r) * nw;
		r = e;
	}
	return 0;
}

/*
 * Fill every wanted block: read and check it, and rebuild the bad ones.
 * Returns 0, -EIO (logged: a row with fewer than k good chunks), -ENOMEM.
 * *bad and *rebuilt count the wanted blocks found bad and rebuilt.
 */
static int rs_fill(struct rowset *x, uint64_t ino, uint64_t ws, uint64_t *bad, uint64_t *rebuilt)
{
	unsigned *def = calloc(x->cb, sizeof(*def));
	int err = 0;

	x->st = calloc((size_t)x->n * x->cb, 1);
	if (!def || !x->st) {
		err = -ENOMEM;
		goto out;
	}
	dev_batch_init(&x->b, x->p->io);
	x->nreq = 0;
	/* The wanted blocks: read in one batch, or bad at once (member missing). */
	for (unsigned c = 0; c < x->n; c++) {
		struct dev *d = chunk_dev(x->p, x->s, c);

		if (x->lo[c] > x->hi[c])
			continue;
		if (!d) {
			memset(rs_st(x, c, x->lo[c]), RS_BAD, x->hi[c] - x->lo[c] + 1);
			x->damaged |= 1ull << c;
			continue;
		}
		rs_queue(x, d, c, x->lo[c], x->hi[c]);
	}
	/* The same batch reads what rows known bad already need; then make up. */
	for (;;) {
		err = rs_plan(x, def);
		if (err < 0)
			goto out;
		if (!x->nreq)
			break;
		rs_run(x);
	}
	err = 0;
	for (unsigned c = 0; c < x->n; c++)
		for (unsigned r = x->lo[c]; r <= x->hi[c] && x->lo[c] <= x->hi[c]; r++)
			*bad += *rs_st(x, c, r) == RS_BAD;
	for (unsigned r = 0; r < x->cb; r++) {
		unsigned g;

		if (!rs_needs(x, r) || (g = rs_good(x, r, false)) >= x->s->k)
			continue;
		elog_err(&x->p->log, "inode %llu, stripe at byte %llu, block row %u: only %u of %u "
			 "chunks readable and valid (%u+%u): data lost, returning EIO",
			 (unsigned long long)ino, (unsigned long long)ws, r, g, x->s->k, x->s->k,
			 x->s->m);
		err = -EIO;
		goto out;
	}
	err = rs_rebuild(x, rebuilt);
out:
	free(def);
	free(x->st);
	free(x->ext);
	x->st = x->ext = NULL;
	return err;
}

int data_read_stripe(struct argos_pool *p, uint64_t ino, uint64_t ws, const struct ad_stripe *s,
		     uint64_t off, size_t len, uint8_t *dst, uint64_t *damaged)
{
	unsigned cb = s->chunk_blocks;
	uint64_t dend = off + len < s->data_len ? off + len : s->data_len, fb, lb;
	uint64_t bad = 0, rebuilt = 0;
	struct rowset *x = NULL;
	uint8_t *tmp = NULL, *buf = NULL;
	int err = 0;

	if (off >= dend) {
		memset(dst, 0, len);
		return 0;
	}
	fb = off / AD_BLOCK;
	lb = (dend - 1) / AD_BLOCK;
	/*
	 * Blocks that fit dst exactly (a block-aligned read: the kernel's page
	 * reads) are read straight into it; otherwise into tmp, not cleared: it
	 * is copied out only once every block of it was read or rebuilt.
	 */
	if (off % AD_BLOCK == 0 && (lb + 1) * AD_BLOCK <= off + len)
		buf = dst;
	else if (posix_memalign((void **)&tmp, DEV_ALIGN, (size_t)(lb - fb + 1) * AD_BLOCK))
		tmp = NULL;
	else
		buf = tmp;
	x = calloc(1, sizeof(*x));
	if (!buf || !x) {
		err = -ENOMEM;
		goto out;
	}
	x->p = p;
	x->s = s;
	x->n = s->k + s->m;
	x->cb = cb;
	/* The data blocks asked for: chunk c's rows lo..hi, in stripe order in tmp. */
	for (unsigned c = 0; c < x->n; c++) {
		x->lo[c] = 1;
		x->hi[c] = 0;
	}
	for (unsigned c = (unsigned)(fb / cb); c <= lb / cb; c++) {
		x->lo[c] = c == fb / cb ? (unsigned)(fb % cb) : 0;
		x->hi[c] = c == lb / cb ? (unsigned)(lb % cb) : cb - 1;
		x->dst[c] = buf + ((uint64_t)c * cb + x->lo[c] - fb) * AD_BLOCK;
	}
	err = rs_fill(x, ino, ws, &bad, &rebuilt);
	*damaged |= x->damaged;
	if (bad)
		__atomic_add_fetch(&p->bad_blocks, bad, __ATOMIC_RELAXED);
	if (rebuilt)
		__atomic_add_fetch(&p->rebuilt_blocks, rebuilt, __ATOMIC_RELAXED);
	if (!err) {
		if (buf == tmp)
			memcpy(dst, tmp + (off - fb * AD_BLOCK), dend - off);
		memset(dst + (dend - off), 0, len - (dend - off));
	}
out:
	free(tmp);
	free(x);
	return err;
}

/* ---- repair ------------------------------------------------------------------ */

/*
 * Whether some damaged chunk has somewhere to go: a chunk on an online
 * member moves to a new extent there; one on a missing member needs an online
 * member holding no chunk of the stripe.  A 4+2 stripe on a pool of six with
 * one member gone has none: every read of it (a read-write -o degraded
 * mount) would otherwise read and rebuild the lost chunk whole only to fail
 * to place it.
 */
static bool repair_has_room(const struct argos_pool *p, const struct ad_stripe *s, uint64_t damaged)
{
	bool used[AD_MAX_MEMBERS] = { 0 };
	unsigned n = s->k + s->m, spare = 0;

	for (unsigned c = 0; c < n; c++) {
		if ((damaged >> c & 1) && chunk_dev(p, s, c))
			return true;
		if (ad_addr_member(s->addr[c]) < AD_MAX_MEMBERS)
			used[ad_addr_member(s->addr[c])] = true;
	}
	for (unsigned mi = 0; mi < p->nmembers && mi < AD_MAX_MEMBERS; mi++)
		spare += !used[mi] && p->m[mi].status == ARGOS_MEMBER_ONLINE && p->m[mi].dev;
	return spare > 0;
}

int data_repair_stripe(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t wgen,
		       uint64_t damaged)
{
	uint32_t crcbuf[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crcbuf };
	unsigned n, cb, order[AD_MAX_MEMBERS], nrank, fixed = 0;
	uint8_t *chunks = NULL;
	struct rowset *x = NULL;
	uint64_t nbad = 0, nrebuilt = 0;
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
	if (!repair_has_room(p, &s, damaged))
		return 0;   /* stays degraded: nothing read or rebuilt for nothing */
	chunks = dev_buf_alloc(n * clen);
	if (!chunks)
		return -ENOMEM;
	/* Every block of every damaged chunk: read, and rebuilt where it is bad. */
	x = calloc(1, sizeof(*x));
	if (!x) {
		err = -ENOMEM;
		goto out;
	}
	x->p = p;
	x->s = &s;
	x->n = n;
	x->cb = cb;
	for (unsigned c = 0; c < n; c++) {
		bool d = damaged >> c & 1;

		x->lo[c] = d ? 0 : 1;
		x->hi[c] = d ? cb - 1 : 0;
		x->dst[c] = chunks + c * clen;
	}
	err = rs_fill(x, ino, ws, &nbad, &nrebuilt);   /* other damage: later reads repair it */
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
	free(x);
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
	bool deferred;
	int err;

	if (data_read_buffered(p, ino, ws, off, n, dst))
		return 0;
	err = data_get_stripe_deferred(p, ino, ws, &s, &deferred);
	if (err == -ENOENT)
		return data_read_inline(p, ino, ws, off, n, dst);   /* inline, or a hole */
	if (err)
		return err;
	err = data_read_logical(p, ino, ws, &s, off, n, dst, &damaged);
	/* The overlay also sees whether the record changed meanwhile: done when
	 * the window had items, or when blocks failed (reused extents?). */
	if (!err && (deferred || damaged))
		err = data_defer_overlay(p, ino, ws, s.wgen, off, n, dst);
	if (err == -EAGAIN)
		return data_read_window(p, ino, ws, off, n, dst);   /* rewritten meanwhile */
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
		ns_read_atime(p, ino, &a.in);
	return done ? (int)done : err;
}
