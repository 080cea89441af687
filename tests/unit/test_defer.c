/*
 * test_defer.c — deferred small writes on a 2+1 pool of image files (32 KiB
 * chunks: 64 KiB stripe windows, so writes under 16 KiB are deferred and a
 * window folds past 32 KiB of deferred bytes).
 *
 * Description: a small overwrite inside a stripe becomes DEFER items (the
 * pool's counter says so, no stripe is written) and reads back at once and
 * after a reopen; overlapping deferred writes (inside, across both ends,
 * covering several) read as the model says; the write that would pass the
 * fold limit loads the window and its release writes a stripe that drops
 * every item; truncation down through deferred ranges and up again reads
 * zeros past the cut; punching and zeroing across deferred ranges (partial
 * and whole windows) leaves the rest; reads with a member missing see the
 * deferred bytes; fsck finds nothing after all of it.
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
#include <cmocka.h>

#include "argosfs.h"
#include "pool.h"
#include "store.h"
#include "tpool.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif

#define NMEM 3
#define S (64u << 10)
#define FSIZE (6 * S + 12345)

struct fx {
	struct tpool tp;
	const char *const *paths;
	argos_pool *p;
	argos_ino_t ino;
	uint8_t model[FSIZE + S];
	size_t size;
	uint64_t seed;
};

static void reopen_with(struct fx *f, const char *const *paths, unsigned n, unsigned flags)
{
	struct argos_open_opts o = { .flags = flags, .commit_ms = 100 };
	char why[256];

	if (f->p)
		assert_int_equal(argos_pool_close(f->p), 0);
	f->p = NULL;
	if (argos_pool_open(paths, n, &o, &f->p, why, sizeof(why)))
		fail_msg("open: %s", why);
}

static void reopen(struct fx *f)
{
	reopen_with(f, f->paths, NMEM, 0);
}

static void wr(struct fx *f, uint64_t off, size_t len)
{
	uint8_t *buf = malloc(len);
	uint64_t fh;

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)((f->seed += 0x9e3779b97f4a7c15ull) >> 56 | 1);
	assert_int_equal(argos_open(f->p, f->ino, O_RDWR, &fh), 0);
	assert_int_equal(argos_write(f->p, f->ino, fh, buf, len, off), (int)len);
	assert_int_equal(argos_release(f->p, f->ino, fh), 0);
	memcpy(f->model + off, buf, len);
	if (off + len > f->size)
		f->size = off + len;
	free(buf);
}

static void check(struct fx *f)
{
	uint8_t *buf = malloc(f->size + 1);
	struct argos_attr a;
	size_t done = 0;

	assert_non_null(buf);
	assert_int_equal(argos_getattr(f->p, f->ino, &a), 0);
	assert_int_equal(a.size, f->size);
	while (done < f->size) {   /* odd pieces: reads start inside items */
		int n = argos_read(f->p, f->ino, 0, buf + done, 5003, done);

		if (n <= 0)
			fail_msg("read at %zu: %d", done, n);
		done += (size_t)n;
	}
	if (f->size && memcmp(buf, f->model, f->size)) {
		size_t i = 0;

		while (buf[i] == f->model[i])
			i++;
		fail_msg("differs at byte %zu of %zu", i, f->size);
	}
	free(buf);
}

static uint64_t deferred(struct fx *f, uint64_t *folds)
{
	struct argos_pool_status st;

	assert_int_equal(argos_pool_status(f->p, &st), 0);
	if (folds)
		*folds = st.deferred_folds;
	return st.deferred_writes;
}

struct cnt {
	uint64_t ino, n;
};

static int count_fn(struct txn *t, void *arg)
{
	struct cnt *c = arg;
	struct ad_key k = { .oid = c->ino, .type = AD_KT_DEFER, .off = 0 }, out;
	bool first = true;

	c->n = 0;
	for (;;) {
		size_t len;
		int err = txn_next(t, &k, first, &out, NULL, 0, &len);

		first = false;
		if (err == -ENOENT || (!err && (out.oid != c->ino || out.type != AD_KT_DEFER)))
			return 0;
		if (err)
			return err;
		c->n++;
		k = out;
	}
}

/* DEFER items of the file. */
static uint64_t items(struct fx *f)
{
	struct cnt c = { .ino = f->ino };

	assert_int_equal(store_read(&f->p->st, count_fn, &c), 0);
	return c.n;
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

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 2, .m = 1, .m_set = true, .chunk_size = S / 2 };
	struct argos_attr a;
	char why[256];

	assert_non_null(f);
	f->seed = 42;
	if (tpool_make(&f->tp, NULL, "defer", NMEM, 64ull << 20, &o, why, sizeof(why)))
		fail_msg("pool: %s", why);
	f->paths = f->tp.paths;
	reopen(f);
	assert_int_equal(argos_mknod(f->p, ARGOS_ROOT_INO, "f", S_IFREG | 0644, 0, NULL, &a), 0);
	f->ino = a.ino;
	wr(f, 0, FSIZE);   /* six full stripes and a short one */
	reopen(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->p)
		argos_pool_close(f->p);
	tpool_remove(&f->tp);
	free(f);
	return 0;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_defer_basic(void **state)
{
	struct fx *f = *state;
	struct argos_pool_status a, b;

	assert_int_equal(argos_pool_status(f->p, &a), 0);
	wr(f, S + 100, 4096);                  /* three items */
	wr(f, 6 * S + 1000, 200);              /* in the short last stripe */
	assert_int_equal(argos_pool_status(f->p, &b), 0);
	assert_int_equal(b.deferred_writes - a.deferred_writes, 2);
	assert_int_equal(b.blocks_used, a.blocks_used);   /* no stripe written */
	assert_int_equal(items(f), 4);
	check(f);
	reopen(f);
	assert_int_equal(items(f), 4);
	check(f);
	/* Through the write window, whose new stripes fold the items. */
	wr(f, 6 * S + 12300, 100);  /* past the short stripe's data */
	assert_int_equal(items(f), 3);
	wr(f, 2 * S - 10, 20);      /* across two windows */
	wr(f, 3 * S, S);            /* a whole window */
	assert_int_equal(deferred(f, NULL), 0);
	assert_int_equal(items(f), 0);
	check(f);
	reopen(f);
	check(f);
	check_fsck(f);
	check(f);
}

static void test_defer_overlap(void **state)
{
	struct fx *f = *state;
	uint64_t base = 2 * S;

	wr(f, base + 1000, 5000);   /* items at 1000, 2968, 4936 */
	wr(f, base + 3000, 100);    /* inside one: cut in two */
	check(f);
	wr(f, base + 500, 700);     /* over the first one's head */
	wr(f, base + 5900, 300);    /* over the last one's tail */
	check(f);
	wr(f, base + 900, 5500);    /* over all of them */
	check(f);
	wr(f, base, 1);
	wr(f, base + S - 1, 1);     /* the window's last byte */
	wr(f, base + 6400, 1);      /* just after the big one */
	assert_int_equal(deferred(f, NULL), 8);
	check(f);
	reopen(f);
	check(f);
	check_fsck(f);
}

static void test_defer_fold(void **state)
{
	struct fx *f = *state;
	uint64_t folds;

	for (int i = 0; i < 8; i++)   /* 32000 bytes: at the limit (32 KiB) */
		wr(f, 4 * S + (uint64_t)i * 8000, 4000);
	assert_int_equal(deferred(f, &folds), 8);
	assert_int_equal(folds, 0);
	check(f);
	wr(f, 4 * S + 4000, 1000);   /* would pass it: folded */
	assert_int_equal(deferred(f, &folds), 8);
	assert_int_equal(folds, 1);
	assert_int_equal(items(f), 0);   /* the stripe written at release dropped them */
	check(f);
	wr(f, 4 * S + 7, 10);   /* deferred again, over the new stripe */
	assert_int_equal(deferred(f, NULL), 9);
	assert_int_equal(items(f), 1);
	reopen(f);
	check(f);
	check_fsck(f);
}

static void test_defer_truncate_punch(void **state)
{
	struct fx *f = *state;
	struct argos_attr set;

	for (uint64_t ws = 0; ws < 6 * S; ws += S) {
		wr(f, ws + 100, 3000);
		wr(f, ws + S / 2, 5000);
	}
	assert_int_equal(deferred(f, NULL), 12);
	/* Punch: part of window 0 (through the buffer), all of window 1 (its
	 * records cleared), part of window 2 — each across deferred bytes. */
	assert_int_equal(argos_fallocate(f->p, f->ino, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					 S / 2 + 1000, 2 * S), 0);
	memset(f->model + S / 2 + 1000, 0, 2 * S);
	check(f);
	/* Zero range inside window 3's deferred bytes. */
	assert_int_equal(argos_fallocate(f->p, f->ino, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
					 3 * S + 200, 100), 0);
	memset(f->model + 3 * S + 200, 0, 100);
	check(f);
	/* Truncate through the middle of window 4's second deferred range,
	 * then grow: zeros past the cut. */
	set.size = 4 * S + S / 2 + 2000;
	assert_int_equal(argos_setattr(f->p, f->ino, &set, ARGOS_SET_SIZE, NULL, NULL), 0);
	f->size = set.size;
	check(f);
	set.size = FSIZE;
	assert_int_equal(argos_setattr(f->p, f->ino, &set, ARGOS_SET_SIZE, NULL, NULL), 0);
	memset(f->model + 4 * S + S / 2 + 2000, 0, FSIZE - (4 * S + S / 2 + 2000));
	f->size = FSIZE;
	check(f);
	wr(f, 4 * S + S / 2 + 1000, 500);   /* still a stripe there: deferred */
	assert_int_equal(deferred(f, NULL), 13);
	check(f);
	reopen(f);
	check(f);
	check_fsck(f);
	check(f);
}

static void test_defer_degraded(void **state)
{
	struct fx *f = *state;

	wr(f, 100, 4000);
	wr(f, 5 * S + 60000, 3000);
	/* Any one member gone: the stripe rebuilt from parity, the items on top. */
	for (unsigned gone = 0; gone < NMEM; gone++) {
		const char *paths[NMEM - 1];
		unsigned n = 0;

		for (unsigned i = 0; i < NMEM; i++)
			if (i != gone)
				paths[n++] = f->paths[i];
		reopen_with(f, paths, n, ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED);
		check(f);
	}
	reopen(f);
	check(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defer_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defer_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defer_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defer_truncate_punch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defer_degraded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
