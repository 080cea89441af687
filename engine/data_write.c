/*
 * data_write.c — the write window and writing stripes (see data.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ad_crc.h"
#include "crash.h"
#include "data.h"
#include "data_defer.h"
#include "data_compress.h"
#include "ec.h"
#include "elog.h"
#include "ns.h"
#include "place.h"
#include "pool.h"

uint64_t data_stripe_size(const struct argos_pool *p)
{
	return (uint64_t)p->sb.k * p->sb.chunk_size;
}

int data_init(struct argos_pool *p)
{
	pthread_mutex_init(&p->ftab.lock, NULL);
	pthread_mutex_init(&p->dirty_lock, NULL);
	p->ftab.head = NULL;
	return 0;
}

static void win_free(struct fwin *w)
{
	for (unsigned i = 0; i < DATA_WIN_PARK; i++)
		free(w->park[i].buf);
	free(w->buf);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

void data_destroy(struct argos_pool *p)
{
	struct fwin *w = p->ftab.head;

	while (w) {
		struct fwin *n = w->next;

		win_free(w);
		w = n;
	}
	p->ftab.head = NULL;
	pthread_mutex_destroy(&p->ftab.lock);
	pthread_mutex_destroy(&p->dirty_lock);
}

/* ---- the table of windows ------------------------------------------------ */

static struct fwin *win_get(struct argos_pool *p, uint64_t ino, bool create)
{
	struct fwin *w;

	pthread_mutex_lock(&p->ftab.lock);
	for (w = p->ftab.head; w && w->ino != ino; w = w->next)
		;
	if (!w && create) {
		w = calloc(1, sizeof(*w));
		if (w) {
			w->buf = dev_buf_alloc(data_stripe_size(p));
			if (!w->buf) {
				free(w);
				w = NULL;
			} else {
				w->ino = ino;
				w->ws = UINT64_MAX;
				pthread_mutex_init(&w->lock, NULL);
				w->next = p->ftab.head;
				p->ftab.head = w;
			}
		}
	}
	if (w)
		w->refs++;
	pthread_mutex_unlock(&p->ftab.lock);
	return w;
}

static void win_put(struct argos_pool *p, struct fwin *w)
{
	pthread_mutex_lock(&p->ftab.lock);
	w->refs--;
	pthread_mutex_unlock(&p->ftab.lock);
}

void data_forget_ino(struct argos_pool *p, uint64_t ino)
{
	struct fwin **pp, *w = NULL;

	pthread_mutex_lock(&p->ftab.lock);
	for (pp = &p->ftab.head; *pp; pp = &(*pp)->next)
		if ((*pp)->ino == ino && (*pp)->refs == 0) {
			w = *pp;
			*pp = w->next;
			break;
		}
	pthread_mutex_unlock(&p->ftab.lock);
	if (w)
		win_free(w);
}

void data_overlay_attr(struct argos_pool *p, uint64_t ino, uint64_t *size, int64_t *msec,
		       uint32_t *mnsec)
{
	struct fwin *w = win_get(p, ino, false);

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	if (w->dirty || w->npark) {
		if (w->dirty && w->ws + w->len > *size)
			*size = w->ws + w->len;
		for (unsigned i = 0; i < DATA_WIN_PARK; i++)
			if (w->park[i].buf && w->park[i].ws + w->park[i].len > *size)
				*size = w->park[i].ws + w->park[i].len;
		*msec = w->mtime_sec;
		*mnsec = w->mtime_nsec;
	}
	pthread_mutex_unlock(&w->lock);
	win_put(p, w);
}

/* ---- members holding unflushed data ---------------------------------------------- */

void data_mark_dirty(struct argos_pool *p, unsigned member)
{
	pthread_mutex_lock(&p->dirty_lock);
	p->data_dirty[member] = true;
	pthread_mutex_unlock(&p->dirty_lock);
}

int data_flush_members(void *pool)
{
	struct argos_pool *p = pool;
	struct dev_req req[AD_MAX_MEMBERS];
	struct dev_batch b;
	unsigned n = 0;
	int err;

	pthread_mutex_lock(&p->dirty_lock);
	dev_batch_init(&b, p->io);
	for (unsigned i = 0; i < p->nmembers; i++)
		if (p->data_dirty[i]) {
			p->data_dirty[i] = false;
			if (!p->m[i].dev)
				continue;
			dev_req_flush(&req[n], p->m[i].dev);
			dev_batch_add(&b, &req[n++]);
		}
	pthread_mutex_unlock(&p->dirty_lock);
	if (n == 0)
		return 0;
	err = dev_batch_run(&b);
	if (!err)
		err = crash_point(&p->crash, CRASH_AFTER_DATA_FLUSH);
	return err;
}

/* ---- writing one stripe --------------------------------------------------------------- */

bool data_read_buffered(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t off, size_t n,
			uint8_t *dst)
{
	struct fwin *w = win_get(p, ino, false);
	bool hit = false;

	if (!w)
		return false;
	pthread_mutex_lock(&w->lock);
	if (w->dirty && w->ws == ws) {
		memcpy(dst, w->buf + off, n);   /* zeros beyond w->len: the buffer is cleared */
		hit = true;
	}
	for (unsigned i = 0; i < DATA_WIN_PARK && !hit; i++)
		if (w->park[i].buf && w->park[i].ws == ws) {
			memcpy(dst, w->park[i].buf + off, n);
			hit = true;
		}
	pthread_mutex_unlock(&w->lock);
	win_put(p, w);
	return hit;
}

/* Choose a member for chunk i among the ranked ones not used yet, reserving
 * blocks on it; 0 or -ENOSPC. */
int data_place_chunk(struct argos_pool *p, const unsigned *order, unsigned nrank, bool *used,
		     unsigned blocks, bool use_reserve, uint64_t *addr)
{
	for (unsigned r = 0; r < nrank; r++) {
		unsigned mi = order[r];
		uint64_t block;

		if (used[mi])
			continue;
		if (alloc_reserve(&p->st.alloc, mi, blocks, use_reserve, &block))
			continue;
		used[mi] = true;
		*addr = ad_addr(mi, block);
		return 0;
	}
	return -ENOSPC;
}

static void unreserve_all(struct argos_pool *p, const struct ad_stripe *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		alloc_unreserve(&p->st.alloc, ad_addr_member(s->addr[i]), ad_addr_block(s->addr[i]),
				s->chunk_blocks);
}

/*
 * Out of space while blocks freed by earlier writes wait for the checkpoints
 * that release them (alloc.h: pending(cur) becomes free once the checkpoint
 * after the next one is durable): run two checkpoints so a writer that keeps
 * rewriting a file faster than the checkpoint timer reuses its own freed
 * space instead of failing.  0: worth one more try; -ENOSPC: nothing pending.
 */
static int reclaim_pending(struct argos_pool *p)
{
	uint64_t pending = 0;
	int err;

	alloc_totals(&p->st.alloc, NULL, NULL, &pending);
	if (!pending)
		return -ENOSPC;
	err = store_checkpoint(&p->st);
	if (!err)
		err = store_checkpoint(&p->st);
	return err;
}

/*
 * Write window data buf[0, len) as the stripe at ws: encode, place, write,
 * commit.  buf must be a k * chunk_size aligned buffer (its tail is zeroed).
 */
static int write_stripe(struct argos_pool *p, uint64_t ino, uint64_t ws, uint8_t *buf, uint32_t len)
{
	unsigned k = p->sb.k, present = pool_present_members(p), m, n, nrank;
	unsigned order[AD_MAX_MEMBERS];
	uint32_t crcbuf[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crcbuf };
	struct data_commit c = { .p = p, .ino = ino, .ws = ws, .kind = DATA_COMMIT_STRIPE, .s = &s,
				 .len = len };
	uint8_t *parity[AD_MAX_M] = { 0 }, *chunk[AD_STRIPE_MAX_CHUNKS], *pbuf = NULL;
	struct dev_req req[AD_STRIPE_MAX_CHUNKS];
	struct dev_batch b;
	bool used[AD_MAX_MEMBERS] = { 0 };
	uint8_t *zbuf = NULL;      /* the stored stream when compressed */
	uint32_t slen = len;
	size_t clen;
	int err = 0;

	if (present < k)
		return -EIO;
	m = present - k < p->sb.m ? present - k : p->sb.m;   /* degraded: fewer parity */
	n = k + m;
	err = data_cz_window(p, k, m, buf, len, &s, &zbuf, &slen);   /* stored stream */
	if (err < 0)
		return err;
	if (err)
		buf = zbuf;
	err = 0;
	clen = ad_align_up((slen + k - 1) / k, AD_BLOCK);
	memset(buf + slen, 0, clen * k - slen);
	s.k = (uint8_t)k;
	s.m = (uint8_t)m;
	s.matrix = AD_MATRIX_CAUCHY1;
	s.chunk_blocks = (uint16_t)(clen / AD_BLOCK);
	s.data_len = len;
	s.wgen = p->st.next_txn_id;
	for (unsigned i = 0; i < k; i++)
		chunk[i] = buf + i * clen;
	/* The m parity chunks in one buffer, not cleared: the encode sets all of it. */
	if (m && posix_memalign((void **)&pbuf, DEV_ALIGN, m * clen)) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < m; i++) {
		parity[i] = pbuf + i * clen;
		chunk[k + i] = parity[i];
	}
	ec_encode(ec_codec_get(k, m), clen, chunk, parity);
	for (unsigned i = 0; i < n; i++)
		for (unsigned bl = 0; bl < s.chunk_blocks; bl++)
			ad_stripe_crcs(&s, i)[bl] = ad_crc32c(0, chunk[i] + (size_t)bl * AD_BLOCK,
							      AD_BLOCK);
	nrank = place_rank(p, ino, ws, order);
	for (bool retried = false;;) {
		unsigned i;

		for (i = 0; i < n; i++)
			if (data_place_chunk(p, order, nrank, used, s.chunk_blocks, false, &s.addr[i]))
				break;
		if (i == n)
			break;
		unreserve_all(p, &s, i);
		memset(used, 0, sizeof(used));
		err = retried ? -ENOSPC : reclaim_pending(p);
		if (err)
			goto out;
		retried = true;
	}
	err = crash_point(&p->crash, CRASH_BEFORE_DATA_WRITE);
	if (err)
		goto fail;
	dev_batch_init(&b, p->io);
	for (unsigned i = 0; i < n; i++) {
		dev_req_write(&req[i], p->m[ad_addr_member(s.addr[i])].dev, chunk[i], clen,
			      ad_addr_block(s.addr[i]) * AD_BLOCK);
		dev_batch_add(&b, &req[i]);
	}
	err = dev_batch_run(&b);
	if (!err)
		err = crash_point(&p->crash, CRASH_AFTER_DATA_WRITE);
	if (err)
		goto fail;
	for (unsigned i = 0; i < n; i++)
		data_mark_dirty(p, ad_addr_member(s.addr[i]));
	if (crash_armed(&p->crash, CRASH_AFTER_DATA_FLUSH)) {
		err = data_flush_members(p);
		if (err)
			goto fail;
	}
	c.reclen = ad_stripe_encode(&s, c.rec, sizeof(c.rec));
	if (c.reclen < 0) {
		err = -E2BIG;
		goto fail;
	}
	err = data_commit(&c);
	if (err)
		goto fail;
	goto out;
fail:
	if (err == -EIO && p->crash.tripped)
		p->st.err = -EIO;   /* a crash point fired: refuse further writes */
	unreserve_all(p, &s, n);
out:
	free(pbuf);
	free(zbuf);
	return err;
}

/* ---- the window ------------------------------------------------------------------------ */

/* Write out window data buf[0, len) at ws: inline when small, else a
 * stripe.  A file that is gone takes its data with it (0). */
static int flush_buf(struct argos_pool *p, uint64_t ino, uint64_t ws, uint8_t *buf, uint32_t len)
{
	int err;

	if (len <= DATA_INLINE_MAX) {
		struct data_commit c = { .p = p, .ino = ino, .ws = ws, .kind = DATA_COMMIT_INLINE,
					 .data = buf, .len = len };

		err = data_commit(&c);
	} else {
		err = write_stripe(p, ino, ws, buf, len);
	}
	return err == -ENOENT ? 0 : err;
}

/* Write out the current window if dirty.  w->lock held. */
static int win_flush_cur(struct argos_pool *p, struct fwin *w)
{
	int err;

	if (!w->dirty)
		return 0;
	err = flush_buf(p, w->ino, w->ws, w->buf, w->len);
	if (!err)
		w->dirty = false;
	return err;
}

/* Write out every dirty window of the file, parked ones included (their
 * buffers freed).  w->lock held. */
static int win_flush(struct argos_pool *p, struct fwin *w)
{
	int err = win_flush_cur(p, w);

	for (unsigned i = 0; i < DATA_WIN_PARK && !err && w->npark; i++) {
		struct fwin_park *k = &w->park[i];

		if (!k->buf)
			continue;
		err = flush_buf(p, w->ino, k->ws, k->buf, k->len);
		if (!err) {
			free(k->buf);
			k->buf = NULL;
			w->npark--;
		}
	}
	return err;
}

/* The current window is dirty and another one is wanted: swap in the
 * wanted one if parked (true), else park the current one in a free slot
 * with a fresh buffer in its place (true), else false (no slot, no memory). */
static bool win_park(struct argos_pool *p, struct fwin *w, uint64_t ws)
{
	struct fwin_park *slot = NULL;

	for (unsigned i = 0; i < DATA_WIN_PARK; i++) {
		struct fwin_park *k = &w->park[i];

		if (k->buf && k->ws == ws) {
			struct fwin_park cur = { w->ws, w->buf, w->len };

			w->ws = k->ws;
			w->buf = k->buf;
			w->len = k->len;
			*k = cur;
			return true;
		}
		if (!k->buf && !slot)
			slot = k;
	}
	if (!slot)
		return false;
	/* not cleared: win_load sets every byte of it before use */
	if (posix_memalign((void **)&slot->buf, DEV_ALIGN, data_stripe_size(p))) {
		slot->buf = NULL;
		return false;
	}
	/* the fresh buffer becomes the current one */
	{
		uint8_t *fresh = slot->buf;

		slot->buf = w->buf;
		slot->ws = w->ws;
		slot->len = w->len;
		w->buf = fresh;
	}
	w->npark++;
	w->dirty = false;
	w->ws = UINT64_MAX;
	w->len = 0;
	return false;
}

/*
 * Make ws the window, loading what the stripe there holds (unless the write
 * replaces the whole window).  The stripe record's data_len is the truth
 * about how much of the window holds data (truncation shortens it); the
 * file size seen before taking the window lock may be stale and is not used.
 * w->lock held.
 */
static int win_load(struct argos_pool *p, struct fwin *w, uint64_t ws, bool full)
{
	uint32_t crcbuf[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crcbuf };
	uint64_t S = data_stripe_size(p), damaged = 0;
	int err;

	if (w->ws == ws)
		return 0;
	if (w->dirty && win_park(p, w, ws))
		return 0;   /* the wanted window was parked: it is current now */
	if (!w->dirty) {
		/* A parked window wanted while the current one is clean: make it current. */
		for (unsigned i = 0; i < DATA_WIN_PARK; i++) {
			struct fwin_park *k = &w->park[i];

			if (k->buf && k->ws == ws) {
				free(w->buf);
				w->buf = k->buf;
				w->ws = k->ws;
				w->len = k->len;
				w->dirty = true;
				k->buf = NULL;
				w->npark--;
				return 0;
			}
		}
	}
	err = win_flush_cur(p, w);
	if (err)
		return err;
	w->ws = UINT64_MAX;
	w->len = 0;
	/*
	 * Every byte of the buffer is set below: by the write (full), the
	 * inline load (zeros where no item), or the stripe's data and zeros
	 * after it.  Deferred writes to the window need w->lock: the items seen
	 * with the record are all there are.
	 */
	do {
		bool deferred = false;

		err = full ? -ENOENT : data_get_stripe_deferred(p, w->ino, ws, &s, &deferred);
		if (err == -ENOENT) {
			err = full ? 0 : data_load_inline(p, w->ino, ws, w->buf, S, &w->len);
		} else if (!err) {
			err = data_read_logical(p, w->ino, ws, &s, 0, s.data_len, w->buf,
						&damaged);
			if (!err && (deferred || damaged))   /* laid over: the next stripe folds them */
				err = data_defer_overlay(p, w->ino, ws, s.wgen, 0, s.data_len, w->buf);
			w->len = s.data_len;
			if (!err)
				memset(w->buf + s.data_len, 0, S - s.data_len);
		}
	} while (err == -EAGAIN);
	if (err)
		return err;
	w->ws = ws;
	return 0;
}

struct size_arg {
	uint64_t ino;
	struct ad_inode in;
};

static int size_fn(struct txn *t, void *arg)
{
	struct size_arg *a = arg;

	return ns_get_inode(t, a->ino, &a->in);
}

int argos_write(argos_pool *p, argos_ino_t ino, uint64_t fh, const void *buf, size_t size,
		uint64_t off)
{
	struct size_arg sa = { .ino = ino };
	uint64_t S = data_stripe_size(p), done = 0;
	struct fwin *w;
	int err;

	(void)fh;
	if (p->rdonly)
		return -EROFS;
	if (p->st.err)
		return p->st.err;
	if (size > (1u << 30))
		size = 1u << 30;
	if (size == 0)
		return 0;
	if (off + size < off || off + size > (1ull << 60))
		return -EFBIG;
	err = store_read(&p->st, size_fn, &sa);
	if (err)
		return err;
	if (!S_ISREG(sa.in.mode))
		return S_ISDIR(sa.in.mode) ? -EISDIR : -EINVAL;
	w = win_get(p, ino, true);
	if (!w)
		return -ENOMEM;
	pthread_mutex_lock(&w->lock);
	err = data_defer_write(p, w, buf, size, off);   /* 1: done as DEFER items */
	if (err > 0)
		done = size;
	while (err >= 0 && done < size) {
		uint64_t pos = off + done, ws = pos - pos % S;
		size_t n = (size_t)(ws + S - pos < size - done ? ws + S - pos : size - done);

		err = win_load(p, w, ws, pos == ws && n == S);
		if (err)
			break;
		memcpy(w->buf + (pos - ws), (const uint8_t *)buf + done, n);
		if (pos - ws + n > w->len)
			w->len = (uint32_t)(pos - ws + n);
		w->dirty = true;
		ns_now(&w->mtime_sec, &w->mtime_nsec);
		done += n;
		if (pos - ws + n == S) {
			err = win_flush_cur(p, w);   /* a full stripe: write it now */
			if (err)
				break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	win_put(p, w);
	if (done)
		return (int)done;
	return err;
}

struct fwin *data_win_hold(struct argos_pool *p, uint64_t ino)
{
	struct fwin *w = win_get(p, ino, true);

	if (w)
		pthread_mutex_lock(&w->lock);
	return w;
}

void data_win_release(struct argos_pool *p, struct fwin *w)
{
	pthread_mutex_unlock(&w->lock);
	win_put(p, w);
}

int data_win_load(struct argos_pool *p, struct fwin *w, uint64_t ws)
{
	return win_load(p, w, ws, false);
}

int data_win_flush(struct argos_pool *p, struct fwin *w)
{
	return win_flush(p, w);
}

int data_flush_ino(struct argos_pool *p, uint64_t ino)
{
	struct fwin *w = win_get(p, ino, false);
	int err;

	if (!w)
		return 0;
	pthread_mutex_lock(&w->lock);
	err = win_flush(p, w);
	pthread_mutex_unlock(&w->lock);
	win_put(p, w);
	return err;
}

int data_invalidate_ino(struct argos_pool *p, uint64_t ino)
{
	struct fwin *w = win_get(p, ino, false);
	int err;

	if (!w)
		return 0;
	pthread_mutex_lock(&w->lock);
	err = win_flush(p, w);
	if (!err)
		w->ws = UINT64_MAX;
	pthread_mutex_unlock(&w->lock);
	win_put(p, w);
	return err;
}

int argos_flush(argos_pool *p, argos_ino_t ino, uint64_t fh)
{
	(void)fh;
	return p->rdonly ? 0 : data_flush_ino(p, ino);
}
