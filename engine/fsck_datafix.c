/*
 * fsck_datafix.c — the repairs of fsck phase 5 (see fsck_data.c), through
 * the engine's own paths:
 *   - damaged chunks: data_repair_stripe() rebuilds them onto new extents and
 *     switches the record in one transaction (copy-on-write: the old extents
 *     are freed through it).  It is called when damaged + missing chunks
 *     are at most m (it could do more: it keeps a damaged chunk's good
 *     blocks, see data_read.c); otherwise (damage spread over more chunks than m,
 *     each row still with k good blocks) the stripe's data is rebuilt here,
 *     row by row from the blocks the scan found good, and rewritten whole;
 *   - reduced redundancy: the stripe's data goes through argos_write() and
 *     data_flush_ino(), which write a new stripe at the width the present
 *     members allow, then the file's times are put back (fsck changes no
 *     file's mtime).
 * Each repair checks its result in the record it leaves: a repair that left
 * the stripe as it was is an error, never "fixed".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "data_defer.h"
#include "data_compress.h"
#include "ec.h"
#include "fsck_data.h"
#include "ns.h"
#include "pool.h"

/* Rebuild the data blocks the scan found bad, row by row, in f->buf. */
static int rebuild_data(struct fsck_stripe *f)
{
	unsigned k = f->s.k, n = f->s.k + f->s.m, cb = f->s.chunk_blocks;
	size_t clen = (size_t)cb * AD_BLOCK;

	for (unsigned r = 0; r < cb; r++) {
		unsigned have[AD_MAX_K], want[AD_MAX_K], nh = 0, nw = 0;
		uint8_t *in[AD_MAX_K], *out[AD_MAX_K];
		int err;

		for (unsigned j = 0; j < k; j++)
			if (!fs_ok(f, j, r)) {
				want[nw] = j;
				out[nw++] = f->buf + j * clen + (size_t)r * AD_BLOCK;
			}
		if (!nw)
			continue;
		for (unsigned j = 0; j < n && nh < k; j++)
			if (fs_ok(f, j, r)) {
				have[nh] = j;
				in[nh++] = f->buf + j * clen + (size_t)r * AD_BLOCK;
			}
		if (nh < k)
			return -EIO;   /* the scan called this row lost */
		err = ec_rebuild(ec_codec_get(k, f->s.m), AD_BLOCK, have, in, want, nw, out);
		if (err)
			return err;
		for (unsigned w = 0; w < nw; w++)
			f->ok[(size_t)want[w] * cb + r] = true;
	}
	return 0;
}

struct times {
	uint64_t ino;
	struct ad_inode in;
	bool put;
};

static int times_fn(struct txn *t, void *arg)
{
	struct times *x = arg;
	struct ad_inode cur;
	int err;

	if (!x->put)
		return ns_get_inode(t, x->ino, &x->in);
	err = ns_get_inode(t, x->ino, &cur);
	if (err)
		return err;
	cur.mtime_sec = x->in.mtime_sec;
	cur.mtime_nsec = x->in.mtime_nsec;
	cur.ctime_sec = x->in.ctime_sec;
	cur.ctime_nsec = x->in.ctime_nsec;
	return ns_put_inode(t, x->ino, &cur);
}

/* Write the stripe's data anew through the write path; the file's times stay. */
static int rewrite(struct fsck_ctx *c, struct fsck_stripe *f)
{
	struct argos_pool *p = c->pool;
	struct times x = { .ino = f->ino };
	uint8_t *logical = NULL, *data = f->buf;   /* the window's bytes */
	int n, err = rebuild_data(f);

	if (!err && (f->s.flags & AD_STRIPE_F_COMPRESSED)) {
		/* f->buf holds the stored stream: the window's bytes are its units */
		unsigned bad;

		logical = malloc(f->s.ulen);
		if (!logical)
			return -ENOMEM;
		if (data_cz_decode_all(&f->s, f->buf, logical, &bad)) {
			free(logical);
			return -EIO;
		}
		data = logical;
	}
	if (!err)   /* deferred writes are part of the data written anew */
		err = data_defer_overlay(p, f->ino, f->ws, f->s.wgen, 0, f->s.data_len, data);
	if (!err)
		err = store_read(&p->st, times_fn, &x);
	if (err) {
		free(logical);
		return err;
	}
	n = argos_write(p, f->ino, 0, data, f->s.data_len, f->ws);
	free(logical);
	err = n < 0 ? n : (uint32_t)n != f->s.data_len ? -EIO : 0;
	if (!err)
		err = data_flush_ino(p, f->ino);
	data_forget_ino(p, f->ino);
	if (err)
		return err;
	x.put = true;
	err = store_txn(&p->st, times_fn, &x, 0);
	if (!err)
		f->rewritten = true;
	return err;
}

static unsigned popcount64(uint64_t v)
{
	return (unsigned)__builtin_popcountll(v);
}

int fsck_data_repair(struct fsck_ctx *c, void *arg)
{
	struct fsck_stripe *f = arg;
	uint32_t crc[DATA_CRC_CAP];
	struct ad_stripe now = { .crc = crc };
	int err = fsck_store_rw(c);

	if (err || f->rewritten)
		return err;
	if (popcount64(f->damaged | f->missing) > f->s.m)
		return rewrite(c, f);
	err = data_repair_stripe(c->pool, f->ino, f->ws, f->s.wgen, f->damaged);
	if (!err)
		err = data_get_stripe(c->pool, f->ino, f->ws, &now);
	if (err)
		return err;
	for (unsigned j = 0; j < (unsigned)(f->s.k + f->s.m); j++)
		if ((f->damaged >> j & 1) && now.addr[j] == f->s.addr[j])
			return -EIO;   /* not moved: no member to rebuild it onto */
	return 0;
}

int fsck_data_rewrite(struct fsck_ctx *c, void *arg)
{
	struct fsck_stripe *f = arg;
	uint32_t crc[DATA_CRC_CAP];
	struct ad_stripe now = { .crc = crc };
	int err = fsck_store_rw(c);

	if (!err && !f->rewritten)
		err = rewrite(c, f);
	if (err)
		return err;
	err = data_get_stripe(c->pool, f->ino, f->ws, &now);
	if (err == -ENOENT)
		return 0;   /* the window is now kept another way (inline) */
	if (err)
		return err;
	return now.k + now.m < c->pool->sb.k + c->pool->sb.m ? -EIO : 0;
}
