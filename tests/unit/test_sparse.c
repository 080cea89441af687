/*
 * test_sparse.c — holes, fallocate and SEEK_DATA/SEEK_HOLE on a 2+1 pool of
 * image files (32 KiB chunks: 64 KiB stripe windows).
 *
 * Description: a punched range reads as zeros, the windows wholly inside it
 * lose their stripes (st_blocks and the pool's used blocks fall), partial
 * windows keep the rest of their bytes; zero range grows the size unless
 * KEEP_SIZE; the default mode extends the size, reserves nothing and says
 * ENOSPC for a range the free space could not hold; other modes are
 * EOPNOTSUPP.  SEEK_DATA/SEEK_HOLE answers are compared with a model of what
 * each window holds (the bytes up to its last one written), also after a
 * reopen, and fsck finds nothing; argos_pool_usage counts the stripes and
 * inline bytes and its members add up.  A random model mixes small overwrites
 * (deferred as DEFER items when inside a stripe: some must be),
 * appends, truncates (up and down), punches, zero ranges and fallocates on
 * several files with reopens in between, checking every byte, the size and
 * seek answers at random offsets.  SPARSE_SEED=n picks another random
 * sequence, SPARSE_TRACE=1 prints each step.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "argosfs.h"
#include "tpool.h"
#include "tutil.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif
#ifndef FALLOC_FL_COLLAPSE_RANGE
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#endif
#ifndef FALLOC_FL_INSERT_RANGE
#define FALLOC_FL_INSERT_RANGE 0x20
#endif

#define NMEM 3
#define NFILES 4
#define S (64u << 10)                 /* stripe window: 2 x 32 KiB */
#define MAXSIZE (3u << 20)
#define NWIN (2 * MAXSIZE / S + 2)

struct mfile {
	char name[16];
	argos_ino_t ino;
	uint8_t *data;
	size_t size, cap;
	uint32_t dlen[NWIN];              /* bytes of each window holding data */
};

struct fx {
	char dir[256];
	char path[NMEM][512];
	const char *paths[NMEM];
	argos_pool *p;
	struct mfile f[NFILES];
	uint64_t rng;
};

static uint64_t rnd(struct fx *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static uint64_t deferred_writes;   /* by the pools closed so far */

static void reopen_flags(struct fx *f, unsigned flags)
{
	struct argos_open_opts o = { .flags = flags, .commit_ms = 100 };
	struct argos_pool_status st;
	char why[256];

	if (f->p) {
		assert_int_equal(argos_pool_status(f->p, &st), 0);
		deferred_writes += st.deferred_writes;
		assert_int_equal(argos_pool_close(f->p), 0);
	}
	f->p = NULL;
	if (argos_pool_open(f->paths, NMEM, &o, &f->p, why, sizeof(why)))
		fail_msg("open: %s", why);
}

static void reopen(struct fx *f)
{
	reopen_flags(f, 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 2, .m = 1, .m_set = true, .chunk_size = S / 2 };
	struct argos_mkfs_result r;
	char why[256];

	f->rng = getenv("SPARSE_SEED") ? strtoull(getenv("SPARSE_SEED"), NULL, 0) | 1
				       : 0x9e3779b97f4a7c15ull;
	assert_int_equal(tutil_mkdtemp("sparse", f->dir, sizeof(f->dir)), 0);
	for (int i = 0; i < NMEM; i++) {
		char name[16];

		snprintf(name, sizeof(name), "img%d", i);
		assert_int_equal(tutil_mkimage(f->dir, name, 96ull << 20, f->path[i],
					       sizeof(f->path[i])), 0);
		f->paths[i] = f->path[i];
	}
	if (argos_mkfs(f->paths, NMEM, &o, &r, why, sizeof(why)))
		fail_msg("mkfs: %s", why);
	reopen(f);
	for (int i = 0; i < NFILES; i++) {
		struct argos_attr a;

		snprintf(f->f[i].name, sizeof(f->f[i].name), "file%d", i);
		assert_int_equal(argos_mknod(f->p, ARGOS_ROOT_INO, f->f[i].name, S_IFREG | 0644, 0,
					     NULL, &a), 0);
		f->f[i].ino = a.ino;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->p)
		argos_pool_close(f->p);
	for (int i = 0; i < NFILES; i++)
		free(f->f[i].data);
	tutil_rmtree(f->dir);
	free(f);
	return 0;
}

/* ---- the model ---------------------------------------------------------------- */

static void model_resize(struct mfile *m, size_t size)
{
	if (size > m->cap) {
		m->data = realloc(m->data, size);
		m->cap = size;
	}
	if (size > m->size)
		memset(m->data + m->size, 0, size - m->size);
	if (size < m->size) {
		/* Windows past the end go; the one holding the end is cut there. */
		for (size_t w = 0; w < NWIN; w++) {
			uint64_t ws = (uint64_t)w * S;

			if (ws >= size)
				m->dlen[w] = 0;
			else if (ws + m->dlen[w] > size)
				m->dlen[w] = (uint32_t)(size - ws);
		}
	}
	m->size = size;
}

static void model_write(struct mfile *m, uint64_t off, const uint8_t *buf, size_t len)
{
	if (off + len > m->size)
		model_resize(m, off + len);
	memcpy(m->data + off, buf, len);
	for (uint64_t pos = off; pos < off + len;) {
		uint64_t ws = pos - pos % S, e = off + len < ws + S ? off + len : ws + S;

		if (e - ws > m->dlen[ws / S])
			m->dlen[ws / S] = (uint32_t)(e - ws);
		pos = e;
	}
}

/* Punch or zero [off, off + len) as data_sparse.c does. */
static void model_zero(struct mfile *m, uint64_t off, uint64_t len, bool grow)
{
	uint64_t end = off + len, zend = end < m->size ? end : m->size;

	for (uint64_t pos = off; pos < zend;) {
		uint64_t ws = pos - pos % S, e = zend < ws + S ? zend : ws + S;
		uint32_t *d = &m->dlen[ws / S];

		memset(m->data + pos, 0, e - pos);
		if (pos == ws && (e == ws + S || e == m->size)) {
			*d = 0;   /* a whole window (or all of it before the end) */
		} else if (pos - ws < *d) {
			while (*d && !m->data[ws + *d - 1])
				(*d)--;
		}
		pos = e;
	}
	if (grow && end > m->size)
		model_resize(m, end);
}

static bool model_is_data(const struct mfile *m, uint64_t x)
{
	return x < m->size && x % S < m->dlen[x / S];
}

/* Expected SEEK_DATA / SEEK_HOLE answer (-ENXIO as ext4). */
static int64_t model_seek(const struct mfile *m, uint64_t off, int whence)
{
	if (off >= m->size)
		return -ENXIO;
	for (uint64_t x = off; x < m->size;) {
		uint64_t ws = x - x % S;

		if (model_is_data(m, x)) {
			if (whence == SEEK_DATA)
				return (int64_t)x;
			x = ws + m->dlen[x / S];
		} else {
			if (whence == SEEK_HOLE)
				return (int64_t)x;
			x = ws + S;
		}
	}
	return whence == SEEK_DATA ? -ENXIO : (int64_t)m->size;
}

/* ---- the engine ------------------------------------------------------------------ */

static void do_write(struct fx *f, struct mfile *m, uint64_t off, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1);
	uint64_t fh;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(rnd(f) | 1);   /* no zero bytes: data ends where written */
	assert_int_equal(argos_open(f->p, m->ino, O_RDWR, &fh), 0);
	for (size_t done = 0; done < len;) {
		size_t n = len - done > (1u << 20) ? 1u << 20 : len - done;

		assert_int_equal(argos_write(f->p, m->ino, fh, buf + done, n, off + done), (int)n);
		done += n;
	}
	assert_int_equal(argos_release(f->p, m->ino, fh), 0);
	model_write(m, off, buf, len);
	free(buf);
}

static void do_truncate(struct fx *f, struct mfile *m, uint64_t size)
{
	struct argos_attr set = { .size = size };

	assert_int_equal(argos_setattr(f->p, m->ino, &set, ARGOS_SET_SIZE, NULL, NULL), 0);
	model_resize(m, size);
}

static void do_zero(struct fx *f, struct mfile *m, int mode, uint64_t off, uint64_t len)
{
	int err = argos_fallocate(f->p, m->ino, mode, off, len);

	if (getenv("SPARSE_TRACE"))
		fprintf(stderr, "  fallocate %#x %llu %llu\n", mode, (unsigned long long)off,
			(unsigned long long)len);

	if (err)
		fail_msg("%s: fallocate(%#x, %llu, %llu): %s", m->name, mode,
			 (unsigned long long)off, (unsigned long long)len, argos_strerror(err));
	model_zero(m, off, len, !(mode & FALLOC_FL_KEEP_SIZE));
}

static void check_seek(struct fx *f, const struct mfile *m, uint64_t off)
{
	for (int whence = SEEK_DATA; whence <= SEEK_HOLE; whence++) {
		int64_t want = model_seek(m, off, whence);
		uint64_t got = 0;
		int err = argos_lseek_data(f->p, m->ino, off, whence, &got);

		if (err ? want != err : want != (int64_t)got)
			fail_msg("%s (size %zu): %s from %llu: got %lld, model %lld", m->name,
				 m->size, whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE",
				 (unsigned long long)off, err ? (long long)err : (long long)got,
				 (long long)want);
	}
}

static void check_file(struct fx *f, const struct mfile *m)
{
	struct argos_attr a;
	uint8_t *buf = malloc(m->size + 4096);
	size_t done = 0;

	assert_int_equal(argos_getattr(f->p, m->ino, &a), 0);
	if (a.size != m->size)
		fail_msg("%s: size %llu, model %zu", m->name, (unsigned long long)a.size, m->size);
	while (done < m->size) {
		int n = argos_read(f->p, m->ino, 0, buf + done, 100003, done);

		if (n <= 0)
			fail_msg("%s: read at %zu returned %d", m->name, done, n);
		done += (size_t)n;
	}
	if (m->size && memcmp(buf, m->data, m->size)) {
		size_t i = 0;

		while (buf[i] == m->data[i])
			i++;
		fail_msg("%s: differs at byte %zu of %zu", m->name, i, m->size);
	}
	free(buf);
	/* Seek answers at every window edge and data end, and inside. */
	for (uint64_t ws = 0; ws < m->size + S; ws += S) {
		check_seek(f, m, ws);
		check_seek(f, m, ws + 1);
		if (m->dlen[ws / S]) {
			check_seek(f, m, ws + m->dlen[ws / S] - 1);
			check_seek(f, m, ws + m->dlen[ws / S]);
		}
	}
}

static uint64_t used_blocks(struct fx *f)
{
	struct argos_pool_status st;

	/* Freed extents come back two checkpoints later. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(argos_pool_checkpoint(f->p), 0);
	assert_int_equal(argos_pool_status(f->p, &st), 0);
	return st.blocks_used;
}

/* argos_pool_usage: stripes counted, members add up. */
static uint64_t usage_stripes(struct fx *f, uint64_t *inline_bytes)
{
	struct argos_usage *u = calloc(1, sizeof(*u));
	uint64_t used = 0, n;

	assert_non_null(u);
	assert_int_equal(argos_pool_usage(f->p, u), 0);
	assert_int_equal(u->nmembers, NMEM);
	for (unsigned i = 0; i < u->nmembers; i++)
		used += u->members[i].used_bytes;
	assert_int_equal(used, u->used_bytes);
	assert_int_equal(u->used_bytes + u->free_bytes, u->data_area_bytes);
	assert_int_equal(u->compression_saved_bytes, 0);
	assert_true(u->stripe_bytes == u->stripe_data_bytes * 3 / 2);   /* 2+1 */
	if (inline_bytes)
		*inline_bytes = u->inline_bytes;
	n = u->stripes;
	free(u);
	return n;
}

static void check_fsck(struct fx *f)
{
	char why[256];

	if (f->p)
		assert_int_equal(argos_pool_close(f->p), 0);
	f->p = NULL;
	if (tpool_fsck_clean(f->paths, NMEM, why, sizeof(why)))
		fail_msg("%s", why);
	reopen(f);
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_punch_and_seek(void **state)
{
	struct fx *f = *state;
	struct mfile *m = &f->f[0];
	struct argos_attr a0, a1;
	uint64_t u0, u1, got;

	do_write(f, m, 0, 16 * S);                               /* 16 full windows */
	assert_int_equal(argos_getattr(f->p, m->ino, &a0), 0);
	u0 = used_blocks(f);
	assert_int_equal(usage_stripes(f, NULL), 16);
	/* Windows 2..9 whole, 1 and 10 in part. */
	do_zero(f, m, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, S + 1000, 10 * S - 2000);
	check_file(f, m);
	assert_int_equal(argos_lseek_data(f->p, m->ino, 0, SEEK_HOLE, &got), 0);
	assert_int_equal(got, S + 1000);
	assert_int_equal(argos_lseek_data(f->p, m->ino, S + 1000, SEEK_DATA, &got), 0);
	assert_int_equal(got, 10 * S);          /* window 10 still holds its start (zeros) */
	assert_int_equal(argos_lseek_data(f->p, m->ino, 3 * S, SEEK_HOLE, &got), 0);
	assert_int_equal(got, 3 * S);
	assert_int_equal(argos_lseek_data(f->p, m->ino, 16 * S, SEEK_DATA, &got), -ENXIO);
	assert_int_equal(argos_lseek_data(f->p, m->ino, 16 * S, SEEK_HOLE, &got), -ENXIO);
	assert_int_equal(argos_lseek_data(f->p, m->ino, 15 * S, SEEK_HOLE, &got), 0);
	assert_int_equal(got, 16 * S);          /* the implicit hole at EOF */
	assert_int_equal(argos_getattr(f->p, m->ino, &a1), 0);
	assert_int_equal(a1.size, 16 * S);
	/* 8 windows of 2 x 64 KiB data chunks went, one window got shorter. */
	assert_true(a1.blocks + 8 * S / 512 <= a0.blocks);
	/* 16 - 8, and window 1 kept 1000 bytes: inline now */
	assert_int_equal(usage_stripes(f, NULL), 7);
	u1 = used_blocks(f);
	/* each window: 3 chunks of 8 blocks */
	if (u1 + 8 * 3 * 8 > u0)
		fail_msg("used blocks %llu -> %llu: the punched stripes were not freed",
			 (unsigned long long)u0, (unsigned long long)u1);

	/* Zero range past the end grows the file; with KEEP_SIZE it does not. */
	do_zero(f, m, FALLOC_FL_ZERO_RANGE, 15 * S + 5, 3 * S);
	assert_int_equal(m->size, 18 * S + 5);
	do_zero(f, m, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 17 * S, 10 * S);
	assert_int_equal(m->size, 18 * S + 5);
	check_file(f, m);
	/* Punching the first window whole makes the file start with a hole. */
	do_zero(f, m, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, S);
	assert_int_equal(argos_lseek_data(f->p, m->ino, 0, SEEK_DATA, &got), 0);
	assert_int_equal(got, S);
	/* Everything punched: no data at all. */
	reopen(f);
	check_file(f, m);
	do_zero(f, m, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 100 * S);
	assert_int_equal(argos_lseek_data(f->p, m->ino, 0, SEEK_DATA, &got), -ENXIO);
	assert_int_equal(argos_lseek_data(f->p, m->ino, 0, SEEK_HOLE, &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(argos_getattr(f->p, m->ino, &a1), 0);
	assert_int_equal(a1.blocks, 0);
	assert_int_equal(a1.size, 18 * S + 5);
	check_fsck(f);
	check_file(f, m);
}

static void test_small_and_inline(void **state)
{
	struct fx *f = *state;
	struct mfile *m = &f->f[1];
	struct argos_attr a;

	/* An inline file (<= 3960 bytes) punched in the middle, then at its end. */
	do_write(f, m, 0, 3000);
	{
		uint64_t ib = 0;

		assert_int_equal(usage_stripes(f, &ib), 0);
		assert_int_equal(ib, 3000);
	}
	do_zero(f, m, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1000, 500);
	check_file(f, m);
	do_zero(f, m, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2000, 5000);
	check_file(f, m);
	do_zero(f, m, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 3000);
	check_file(f, m);
	assert_int_equal(argos_getattr(f->p, m->ino, &a), 0);
	assert_int_equal(a.blocks, 0);
	/* A write into a punched window, a write far out leaves holes between. */
	do_write(f, m, 100, 10);
	do_write(f, m, 5 * S + 77, 40000);
	check_file(f, m);
	/* A buffered (not yet flushed) write is seen by punch and seek. */
	{
		uint64_t fh, got;
		uint8_t b[300];

		memset(b, 0x5a, sizeof(b));
		assert_int_equal(argos_open(f->p, m->ino, O_RDWR, &fh), 0);
		assert_int_equal(argos_write(f->p, m->ino, fh, b, sizeof(b), 3 * S + 10), 300);
		model_write(m, 3 * S + 10, b, sizeof(b));
		assert_int_equal(argos_lseek_data(f->p, m->ino, S, SEEK_DATA, &got), 0);
		assert_int_equal(got, 3 * S);
		assert_int_equal(argos_write(f->p, m->ino, fh, b, sizeof(b), 4 * S + 10), 300);
		model_write(m, 4 * S + 10, b, sizeof(b));
		do_zero(f, m, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4 * S + 100, 100);
		assert_int_equal(argos_release(f->p, m->ino, fh), 0);
	}
	check_file(f, m);
	reopen(f);
	check_file(f, m);
	check_fsck(f);
}

static void test_modes(void **state)
{
	struct fx *f = *state;
	struct mfile *m = &f->f[2];
	struct argos_attr a;
	struct argos_statfs sf;
	uint64_t got;

	/* Default mode: the size grows, nothing is allocated; KEEP_SIZE: nothing. */
	assert_int_equal(argos_fallocate(f->p, m->ino, 0, 0, 5 * S + 3), 0);
	model_resize(m, 5 * S + 3);
	assert_int_equal(argos_getattr(f->p, m->ino, &a), 0);
	assert_int_equal(a.size, 5 * S + 3);
	assert_int_equal(a.blocks, 0);
	assert_int_equal(argos_fallocate(f->p, m->ino, FALLOC_FL_KEEP_SIZE, 0, 50 * S), 0);
	assert_int_equal(argos_fallocate(f->p, m->ino, 0, S, S), 0);
	assert_int_equal(argos_getattr(f->p, m->ino, &a), 0);
	assert_int_equal(a.size, 5 * S + 3);
	assert_int_equal(argos_lseek_data(f->p, m->ino, 0, SEEK_DATA, &got), -ENXIO);
	check_file(f, m);
	/* More than the free space: ENOSPC, the size unchanged. */
	assert_int_equal(argos_statfs(f->p, &sf), 0);
	assert_int_equal(argos_fallocate(f->p, m->ino, 0, 0, (sf.bavail + 100) * sf.bsize),
			 -ENOSPC);
	assert_int_equal(argos_getattr(f->p, m->ino, &a), 0);
	assert_int_equal(a.size, 5 * S + 3);
	/* Modes the kernel refuses, and those not supported. */
	assert_int_equal(argos_fallocate(f->p, m->ino, FALLOC_FL_PUNCH_HOLE, 0, 10), -EOPNOTSUPP);
	assert_int_equal(argos_fallocate(f->p, m->ino, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE |
					 FALLOC_FL_KEEP_SIZE, 0, 10), -EOPNOTSUPP);
	assert_int_equal(argos_fallocate(f->p, m->ino, FALLOC_FL_COLLAPSE_RANGE, 0, S),
			 -EOPNOTSUPP);
	assert_int_equal(argos_fallocate(f->p, m->ino, FALLOC_FL_INSERT_RANGE, 0, S), -EOPNOTSUPP);
	assert_int_equal(argos_fallocate(f->p, m->ino, 0, 0, 0), -EINVAL);
	assert_int_equal(argos_fallocate(f->p, m->ino, 0, 1ull << 62, 1), -EFBIG);
	assert_int_equal(argos_fallocate(f->p, ARGOS_ROOT_INO, 0, 0, 1), -EISDIR);
	assert_int_equal(argos_lseek_data(f->p, m->ino, 0, SEEK_SET, &got), -EINVAL);
	assert_int_equal(argos_lseek_data(f->p, ARGOS_ROOT_INO, 0, SEEK_DATA, &got), -EISDIR);
	{
		struct argos_attr fifo;

		assert_int_equal(argos_mknod(f->p, ARGOS_ROOT_INO, "fifo", S_IFIFO | 0644, 0, NULL,
					     &fifo), 0);
		assert_int_equal(argos_fallocate(f->p, fifo.ino, 0, 0, 1), -ESPIPE);
	}
	/* Read-only: EROFS; seek still answers. */
	do_write(f, m, 2 * S, 100);
	reopen_flags(f, ARGOS_OPEN_RDONLY);
	assert_int_equal(argos_fallocate(f->p, m->ino, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					 0, 10), -EROFS);
	assert_int_equal(argos_lseek_data(f->p, m->ino, 0, SEEK_DATA, &got), 0);
	assert_int_equal(got, 2 * S);
	check_file(f, m);
	reopen(f);
}

static void test_random_model(void **state)
{
	struct fx *f = *state;

	deferred_writes = 0;
	for (int step = 0; step < 400; step++) {
		struct mfile *m = &f->f[rnd(f) % NFILES];
		unsigned op = (unsigned)(rnd(f) % 20);
		uint64_t off = m->size ? rnd(f) % m->size : 0;

		if (getenv("SPARSE_TRACE"))
			fprintf(stderr, "step %d %s op %u off %llu size %zu\n", step, m->name, op,
				(unsigned long long)off, m->size);
		if (op < 4) {          /* small overwrite inside */
			do_write(f, m, off, 1 + rnd(f) % 5000);
		} else if (op < 6) {   /* larger overwrite */
			do_write(f, m, off, 1 + rnd(f) % (3 * S));
		} else if (op < 9) {   /* append, maybe past a hole */
			do_write(f, m, m->size + (op == 8 ? rnd(f) % (4 * S) : 0),
				 1 + rnd(f) % (2 * S));
		} else if (op < 11) {  /* truncate up or down */
			do_truncate(f, m, m->size ? rnd(f) % (m->size * 3 / 2 + 1) : rnd(f) % S);
		} else if (op < 15) {  /* punch */
			uint64_t len = 1 + rnd(f) % (op == 14 ? 6 * S : S / 2);

			do_zero(f, m, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
		} else if (op < 17) {  /* zero range, maybe growing */
			do_zero(f, m, FALLOC_FL_ZERO_RANGE | (op == 15 ? FALLOC_FL_KEEP_SIZE : 0),
				off, 1 + rnd(f) % (2 * S));
		} else if (op < 18) {  /* fallocate */
			uint64_t len = 1 + rnd(f) % (2 * S);

			assert_int_equal(argos_fallocate(f->p, m->ino, 0, off, len), 0);
			if (off + len > m->size)
				model_resize(m, off + len);
		} else {               /* seek at random */
			for (int i = 0; i < 8; i++)
				check_seek(f, m, rnd(f) % (m->size + S));
		}
		if (m->size > MAXSIZE)
			do_truncate(f, m, MAXSIZE / 2);
		if (step % 23 == 0)
			check_file(f, m);
		if (step % 61 == 60) {
			reopen(f);
			for (int i = 0; i < NFILES; i++)
				check_file(f, &f->f[i]);
		}
	}
	check_fsck(f);
	for (int i = 0; i < NFILES; i++)
		check_file(f, &f->f[i]);
	assert_true(deferred_writes > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_punch_and_seek, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_and_inline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_model, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
