/*
 * data_sparse.c — holes: fallocate (reserve, punch hole, zero range) and
 * SEEK_DATA/SEEK_HOLE answers.
 *
 * A hole is a stripe window with nothing in it: no STRIPE record, no INLINE
 * items (no DEFER items either).  Holes take no space; they read as zeros.
 * Within a window, bytes past the record's data_len (or past the last inline
 * byte) are zeros too, and are reported as a hole by SEEK_HOLE.
 *
 * Punching or zeroing [a, b):
 *   - every window wholly inside [a, b) loses what it holds, several windows
 *     a transaction (their extents freed through it, as a truncation does);
 *   - a window the range covers only in part (at most the first and the
 *     last) is loaded into the file's write window, the range zeroed there,
 *     trailing zeros dropped, and written back through the ordinary
 *     copy-on-write path (a new stripe, inline items, or — nothing left —
 *     a hole).
 * The file's write window stays locked throughout, so writers to the file
 * wait and see either the old contents or the new.
 *
 * The default mode (and KEEP_SIZE) cannot reserve space in a copy-on-write
 * pool: every later write of a window allocates new extents whatever the
 * window held before.  It extends the size (without KEEP_SIZE) and refuses
 * with ENOSPC a range whose holes the free space could not hold now; it
 * reserves nothing (ZFS behaves alike), so later writes may still meet
 * ENOSPC when the pool fills meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "ns.h"
#include "pool.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif
#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

#define PUNCH_BATCH 32u          /* whole windows cleared by one transaction */
#define FILE_MAX (1ull << 60)    /* as argos_write */

/* ---- where data is ------------------------------------------------------------- */

/*
 * The first piece of data [*s, *e) of ino that ends after pos, from the
 * stripe records and the inline items (clamped to nothing past `size` by
 * the caller); -ENOENT when there is none.
 */
static int next_data(struct txn *t, uint64_t ino, uint64_t S, uint64_t pos, uint64_t *s,
		     uint64_t *e)
{
	static const uint8_t types[] = { AD_KT_STRIPE, AD_KT_INLINE };
	bool found = false;

	for (unsigned i = 0; i < sizeof(types); i++) {
		struct ad_key k = { .oid = ino, .type = types[i], .off = pos - pos % S }, out;
		uint8_t raw[AD_ITEM_MAX];

		for (;;) {
			size_t vlen;
			uint64_t end;
			int err = txn_next(t, &k, true, &out, raw, sizeof(raw), &vlen);

			if (err == -ENOENT || (!err && (out.oid != ino || out.type != types[i])))
				break;
			if (err)
				return err;
			if (found && out.off >= *s)
				break;   /* cannot start earlier than what we have */
			if (types[i] == AD_KT_STRIPE)
				end = vlen >= 16 ? out.off + ad_rd32(raw + 12) : out.off;
			else
				end = vlen >= 4 ? out.off + vlen - 4 : out.off;
			if (end > pos && end > out.off) {
				*s = out.off;
				*e = end;
				found = true;
				break;
			}
			k = out;
			k.off++;
		}
	}
	return found ? 0 : -ENOENT;
}

struct seek_arg {
	uint64_t ino, S, off;
	int whence;
	uint64_t res;
};

static int seek_fn(struct txn *t, void *arg)
{
	struct seek_arg *a = arg;
	struct ad_inode in;
	uint64_t pos = a->off, s, e;
	int err = ns_get_inode(t, a->ino, &in);

	if (err)
		return err;
	if (S_ISDIR(in.mode))
		return -EISDIR;
	if (!S_ISREG(in.mode))
		return -EINVAL;
	if (pos >= in.size)
		return -ENXIO;
	for (;;) {
		err = next_data(t, a->ino, a->S, pos, &s, &e);
		if (err && err != -ENOENT)
			return err;
		if (err == -ENOENT || s >= in.size) {
			/* no data from pos on: a hole up to the end (the implicit
			 * hole at EOF) */
			if (a->whence == SEEK_DATA)
				return -ENXIO;
			a->res = pos;
			return 0;
		}
		if (a->whence == SEEK_DATA) {
			a->res = s > pos ? s : pos;
			return 0;
		}
		if (s > pos) {
			a->res = pos;
			return 0;
		}
		pos = e < in.size ? e : in.size;
		if (pos >= in.size) {
			a->res = in.size;
			return 0;
		}
	}
}

int argos_lseek_data(argos_pool *p, argos_ino_t ino, uint64_t off, int whence, uint64_t *out)
{
	struct seek_arg a = { .ino = ino, .S = data_stripe_size(p), .off = off, .whence = whence };
	int err;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return -EINVAL;
	if (off > (uint64_t)INT64_MAX)
		return -ENXIO;
	if (!p->rdonly) {
		/* Buffered bytes count: write them out so the records say all. */
		err = data_flush_ino(p, ino);
		if (err)
			return err;
	}
	err = store_read(&p->st, seek_fn, &a);
	if (!err)
		*out = a.res;
	return err;
}

/* ---- fallocate ------------------------------------------------------------------ */

struct clear_arg {
	struct argos_pool *p;
	uint64_t ino, from, to;   /* window-aligned */
	uint64_t next;            /* where the next batch starts (to: done) */
};

/* Clear up to PUNCH_BATCH windows holding something in [from, to). */
static int clear_fn(struct txn *t, void *arg)
{
	struct clear_arg *a = arg;
	uint64_t S = data_stripe_size(a->p), pos = a->from;
	struct ad_inode in;
	unsigned n = 0;
	int err = ns_get_inode(t, a->ino, &in);

	if (err)
		return err;
	a->next = a->to;
	while (pos < a->to) {
		uint64_t s, e;

		err = next_data(t, a->ino, S, pos, &s, &e);
		if (err == -ENOENT)
			break;
		if (err)
			return err;
		s -= s % S;
		if (s >= a->to)
			break;
		if (n == PUNCH_BATCH) {
			a->next = s;
			break;
		}
		err = data_clear_window(a->p, t, a->ino, s, &in.blocks);
		if (err)
			return err;
		n++;
		pos = s + S;
	}
	if (!n)
		return 0;
	ns_touch(&in, true, true);
	return ns_put_inode(t, a->ino, &in);
}

static int clear_windows(struct argos_pool *p, uint64_t ino, uint64_t from, uint64_t to)
{
	struct clear_arg a = { .p = p, .ino = ino, .from = from, .to = to };

	while (a.from < a.to) {
		int err = store_txn(&p->st, clear_fn, &a, 0);

		if (err)
			return err;
		a.from = a.next;
	}
	return 0;
}

/* Zero window bytes [a, b) (relative to ws) through the write window. */
static int zero_part(struct argos_pool *p, struct fwin *w, uint64_t ws, uint64_t a, uint64_t b)
{
	int err = data_win_load(p, w, ws);

	if (err)
		return err;
	if (a >= w->len)
		return 0;   /* zeros already */
	if (b > w->len)
		b = w->len;
	memset(w->buf + a, 0, b - a);
	while (w->len && !w->buf[w->len - 1])
		w->len--;   /* trailing zeros are a hole */
	w->dirty = true;
	ns_now(&w->mtime_sec, &w->mtime_nsec);
	return data_win_flush(p, w);
}

struct fa_arg {
	uint64_t ino;
	int mode;
	uint64_t newsize;         /* 0: keep */
	struct ad_inode in;       /* read */
};

static int fa_get_fn(struct txn *t, void *arg)
{
	struct fa_arg *a = arg;

	return ns_get_inode(t, a->ino, &a->in);
}

/* The size grows to newsize (never shrinks); mtime with it, ctime always. */
static int fa_set_fn(struct txn *t, void *arg)
{
	struct fa_arg *a = arg;
	struct ad_inode in;
	bool grow;
	int err = ns_get_inode(t, a->ino, &in);

	if (err)
		return err;
	grow = a->newsize > in.size;
	if (grow)
		in.size = a->newsize;
	ns_touch(&in, grow || (a->mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)), true);
	return ns_put_inode(t, a->ino, &in);
}

/* Bytes of whole windows in [from, to) that hold something (window-aligned). */
struct used_arg {
	uint64_t ino, S, from, to, bytes;
};

static int used_fn(struct txn *t, void *arg)
{
	struct used_arg *a = arg;
	uint64_t pos = a->from, s, e;

	a->bytes = 0;
	while (pos < a->to) {
		int err = next_data(t, a->ino, a->S, pos, &s, &e);

		if (err == -ENOENT)
			return 0;
		if (err)
			return err;
		s -= s % a->S;
		if (s >= a->to)
			return 0;
		a->bytes += a->S;
		pos = s + a->S;
	}
	return 0;
}

/* Could the holes of [off, end) be written now?  0 or -ENOSPC. */
static int space_check(struct argos_pool *p, uint64_t ino, uint64_t off, uint64_t end)
{
	uint64_t S = data_stripe_size(p);
	struct used_arg u = { .ino = ino, .S = S, .from = off - off % S,
			      .to = end + (S - end % S) % S };
	struct argos_statfs sf;
	int err = store_read(&p->st, used_fn, &u);

	if (!err)
		err = argos_statfs(p, &sf);
	if (err)
		return err;
	return u.to - u.from - u.bytes > sf.bavail * sf.bsize ? -ENOSPC : 0;
}

int argos_fallocate(argos_pool *p, argos_ino_t ino, int mode, uint64_t off, uint64_t len)
{
	uint64_t S = data_stripe_size(p), end, zend, fa, fb;
	struct fa_arg a = { .ino = ino, .mode = mode };
	struct fwin *w;
	int err;

	if (len == 0 || off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) &&
	    ((mode & FALLOC_FL_ZERO_RANGE) || !(mode & FALLOC_FL_KEEP_SIZE)))
		return -EOPNOTSUPP;   /* as vfs_fallocate() */
	end = off + len;
	if (end < off || end > FILE_MAX)
		return -EFBIG;
	if (p->rdonly)
		return -EROFS;
	if (p->st.err)
		return p->st.err;
	w = data_win_hold(p, ino);
	if (!w)
		return -ENOMEM;
	/* Buffered bytes go out first: from here the records say everything. */
	err = data_win_flush(p, w);
	if (err)
		goto out;
	w->ws = UINT64_MAX;
	err = store_read(&p->st, fa_get_fn, &a);
	if (err)
		goto out;
	if (S_ISDIR(a.in.mode)) {
		err = -EISDIR;
		goto out;
	}
	if (!S_ISREG(a.in.mode)) {
		err = S_ISFIFO(a.in.mode) ? -ESPIPE : -ENODEV;
		goto out;
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE))
		a.newsize = end;
	if (!(mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))) {
		err = space_check(p, ino, off, end);
		if (!err && end > a.in.size && !(mode & FALLOC_FL_KEEP_SIZE))
			err = store_txn(&p->st, fa_set_fn, &a, 0);
		goto out;
	}
	/* Punch or zero [off, zend): nothing holds data at or past the size. */
	zend = end < a.in.size ? end : a.in.size;
	if (off < zend) {
		uint64_t ws0 = off - off % S, we = zend - zend % S;

		/* [fa, fb): the whole windows; the last window is whole when the
		 * range reaches the end of the file (nothing lies past it). */
		fa = off % S ? ws0 + S : off;
		fb = zend % S && zend < a.in.size ? we : zend + (S - zend % S) % S;
		if (zend <= ws0 + S && fa >= fb) {
			err = zero_part(p, w, ws0, off - ws0, zend - ws0);   /* one window, in part */
		} else {
			if (off < fa)
				err = zero_part(p, w, ws0, off - ws0, S);
			if (!err && fa < fb)
				err = clear_windows(p, ino, fa, fb);
			if (!err && fb < zend)
				err = zero_part(p, w, fb, 0, zend - fb);
		}
		w->ws = UINT64_MAX;   /* whole windows cleared under a cached copy */
	}
	if (!err)
		err = store_txn(&p->st, fa_set_fn, &a, 0);
out:
	w->ws = w->dirty ? w->ws : UINT64_MAX;
	data_win_release(p, w);
	return err;
}
