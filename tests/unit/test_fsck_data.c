/*
 * test_fsck_data.c — Description: fsck phase 5 (the data scrub) on a 4+2
 * pool of six image files.  Files are written through the public API; then
 * bytes are flipped in chosen blocks of chosen chunks of their stripes (found
 * through the stripe records), or a record is made narrower as a degraded
 * write leaves it.  For each: fsck -f -n exits 4 and changes no image,
 * fsck -f -y exits 1 with all fixed, a second -f -n exits 0 and the files
 * read back right — except a row with three bad chunks, which is lost: every
 * run exits 4 and the read fails with EIO.  A compressed unit written wrong
 * (its bytes replaced, the block CRC recomputed to match) is reported as
 * PR_5_UNIT_BAD by -n and by -y (nothing can rebuild it), and reading it
 * returns an error, never the wrong bytes.
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
#include <unistd.h>
#include <cmocka.h>

#include "ad_crc.h"
#include "ad_stripe.h"
#include "argosfs.h"
#include "data.h"
#include "pool.h"
#include "store.h"
#include "tfsck.h"

#define NMEM 6
#define IMG (64ull << 20)
#define CHUNK (64u << 10)
#define CB (CHUNK / 4096)            /* blocks per chunk */
#define STRIPE (4ull * CHUNK)
#define FSIZE (4 * STRIPE + 10000)   /* four full stripes and a partial one */

struct fx {
	struct tf tf;
	uint64_t ino;
};

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 13));
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true, .chunk_size = CHUNK,
				     .journal_size = 4u << 20 };
	uint8_t *buf = malloc(FSIZE);
	struct argos_attr a;
	argos_pool *p;
	uint64_t fh;

	assert_non_null(f);
	assert_non_null(buf);
	tf_make(&f->tf, "fsckdata", NMEM, IMG, &o);
	p = tf_open(&f->tf, 0);
	for (uint64_t i = 0; i < FSIZE; i++)
		buf[i] = pattern(i);
	assert_int_equal(argos_create(p, ARGOS_ROOT_INO, "f", 0100644, O_RDWR, &argos_root_cred, &a,
				      &fh), 0);
	assert_int_equal(argos_write(p, a.ino, fh, buf, FSIZE, 0), (int)FSIZE);
	assert_int_equal(argos_release(p, a.ino, fh), 0);
	f->ino = a.ino;
	assert_int_equal(argos_pool_close(p), 0);
	free(buf);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tf_remove(&f->tf);
	free(f);
	return 0;
}

/* The file reads back right (rc: what argos_read must return for the whole). */
static void check_file(struct fx *f, int rc)
{
	argos_pool *p = tf_open(&f->tf, 0);
	uint8_t *buf = malloc(FSIZE);

	assert_non_null(buf);
	assert_int_equal(argos_read(p, f->ino, 0, buf, FSIZE, 0), rc);
	for (uint64_t i = 0; rc > 0 && i < (uint64_t)rc; i++)
		if (buf[i] != pattern(i))
			fail_msg("byte %llu differs", (unsigned long long)i);
	assert_int_equal(argos_pool_close(p), 0);
	free(buf);
}

/* ---- damage ----------------------------------------------------------------------- */

/* A block to damage: chunk j, block row r of the stripe at ws. */
struct hit {
	uint64_t ws;
	unsigned j, r;
};

/* Flip a byte in each block named (the pool closed between). */
static void flip(struct fx *f, const struct hit *h, unsigned n)
{
	argos_pool *p = tf_open(&f->tf, ARGOS_OPEN_RDONLY);
	struct { char path[512]; uint64_t off; } *at = calloc(n, sizeof(*at));

	assert_non_null(at);
	for (unsigned i = 0; i < n; i++) {
		uint32_t crc[DATA_CRC_CAP];
		struct ad_stripe s = { .crc = crc };

		assert_int_equal(data_get_stripe(p, f->ino, h[i].ws, &s), 0);
		assert_true(h[i].j < (unsigned)(s.k + s.m) && h[i].r < s.chunk_blocks);
		snprintf(at[i].path, sizeof(at[i].path), "%s", p->m[ad_addr_member(s.addr[h[i].j])].path);
		at[i].off = (ad_addr_block(s.addr[h[i].j]) + h[i].r) * 4096 + 100 + i;
	}
	assert_int_equal(argos_pool_close(p), 0);
	for (unsigned i = 0; i < n; i++) {
		int fd = open(at[i].path, O_RDWR);
		uint8_t c;

		assert_true(fd >= 0);
		assert_int_equal(pread(fd, &c, 1, (off_t)at[i].off), 1);
		c ^= 0xa5;
		assert_int_equal(pwrite(fd, &c, 1, (off_t)at[i].off), 1);
		close(fd);
	}
	free(at);
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_fsck_data_clean(void **state)
{
	struct fx *f = *state;
	struct tf_seen s;

	assert_int_equal(tf_fsck(&f->tf, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_OK);
	assert_int_equal(s.n, 0);
	check_file(f, (int)FSIZE);
}

/* Data blocks bad on two members (chunks 1 and 3) in every stripe. */
static void test_fsck_data_two_members(void **state)
{
	struct fx *f = *state;
	const char *const want[] = { "PR_5_CHUNK_BAD", NULL };
	struct hit h[10];
	struct tf_seen s;

	for (unsigned i = 0; i < 5; i++) {
		h[2 * i] = (struct hit){ i * STRIPE, 1, i % CB };
		h[2 * i + 1] = (struct hit){ i * STRIPE, 3, (i + 3) % CB };
	}
	h[8].r = h[9].r = 0;   /* the partial stripe's chunks have one block */
	flip(f, h, 10);
	tf_check_repair(&f->tf, want);
	check_file(f, (int)FSIZE);
	assert_int_equal(tf_fsck(&f->tf, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_OK);
}

/* Parity only: no read meets it, the scrub does; -p repairs it. */
static void test_fsck_data_parity(void **state)
{
	struct fx *f = *state;
	const struct hit h[] = { { 0, 4, 2 }, { STRIPE, 5, 7 }, { 2 * STRIPE, 4, CB - 1 } };
	const char *const want[] = { "PR_5_CHUNK_BAD", NULL };
	struct argos_pool_status st;
	argos_pool *p;
	struct tf_seen s;
	uint8_t *buf = malloc(FSIZE);

	assert_non_null(buf);
	flip(f, h, 3);
	p = tf_open(&f->tf, ARGOS_OPEN_RDONLY);
	assert_int_equal(argos_read(p, f->ino, 0, buf, FSIZE, 0), (int)FSIZE);
	argos_pool_status(p, &st);
	assert_int_equal(st.bad_blocks, 0);
	assert_int_equal(argos_pool_close(p), 0);
	free(buf);
	tf_sums(&f->tf);
	assert_int_equal(tf_fsck(&f->tf, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_UNCORRECTED);
	tf_expect(&s, want);
	assert_int_equal(s.n, 3);
	tf_sums_same(&f->tf);
	assert_int_equal(tf_fsck(&f->tf, ARGOS_FSCK_PREEN, true, &s), ARGOS_FSCK_CORRECTED);
	tf_all_fixed(&s);
	assert_int_equal(tf_fsck(&f->tf, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_OK);
	check_file(f, (int)FSIZE);
}

/* Three chunks damaged, each in another row: more chunks than m are damaged
 * but every row has k good blocks — rebuilt row by row and rewritten. */
static void test_fsck_data_spread(void **state)
{
	struct fx *f = *state;
	const struct hit h[] = { { STRIPE, 0, 0 }, { STRIPE, 1, 1 }, { STRIPE, 4, 2 } };
	const char *const want[] = { "PR_5_CHUNK_BAD", NULL };

	flip(f, h, 3);
	tf_check_repair(&f->tf, want);
	check_file(f, (int)FSIZE);
}

/* Three bad chunks in one row of a 4+2 stripe: lost, reported, never fixed. */
static void test_fsck_data_lost(void **state)
{
	struct fx *f = *state;
	const struct hit h[] = { { 2 * STRIPE, 0, 5 }, { 2 * STRIPE, 2, 5 }, { 2 * STRIPE, 5, 5 } };
	const char *const want[] = { "PR_5_STRIPE_LOST", NULL };
	struct tf_seen s;

	flip(f, h, 3);
	tf_sums(&f->tf);
	assert_int_equal(tf_fsck(&f->tf, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_UNCORRECTED);
	tf_expect(&s, want);
	tf_sums_same(&f->tf);
	assert_int_equal(tf_fsck(&f->tf, ARGOS_FSCK_REPAIR, true, &s), ARGOS_FSCK_UNCORRECTED);
	tf_expect(&s, want);
	assert_false(s.fixed[0]);
	assert_int_equal(tf_fsck(&f->tf, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_UNCORRECTED);
	/* The stripes before it still read; that one is EIO, never wrong bytes. */
	{
		argos_pool *p = tf_open(&f->tf, ARGOS_OPEN_RDONLY);
		uint8_t *buf = malloc(STRIPE);

		assert_non_null(buf);
		assert_int_equal(argos_read(p, f->ino, 0, buf, STRIPE, STRIPE), (int)STRIPE);
		assert_int_equal(argos_read(p, f->ino, 0, buf, STRIPE, 2 * STRIPE), -EIO);
		assert_int_equal(argos_pool_close(p), 0);
		free(buf);
	}
}

/* A stripe as a write on a degraded pool leaves it: 4+1 (the last parity
 * chunk dropped — Cauchy parity rows do not depend on m). */
struct narrow {
	uint64_t ino, ws;
};

static int narrow_fn(struct txn *t, void *arg)
{
	struct narrow *n = arg;
	struct ad_key k = { n->ino, AD_KT_STRIPE, n->ws };
	uint32_t crc[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crc };
	uint8_t raw[AD_ITEM_MAX];
	size_t len;
	int err = txn_get(t, &k, raw, sizeof(raw), &len), l;

	if (err)
		return err;
	assert_int_equal(ad_stripe_decode(raw, len, &s, DATA_CRC_CAP, NULL, 0), 0);
	assert_int_equal(s.m, 2);
	err = txn_free(t, ad_addr_member(s.addr[5]), ad_addr_block(s.addr[5]), s.chunk_blocks);
	s.m = 1;
	l = ad_stripe_encode(&s, raw, sizeof(raw));
	assert_true(l > 0);
	return err ? err : txn_put(t, &k, raw, (size_t)l);
}

static void test_fsck_data_reduced(void **state)
{
	struct fx *f = *state;
	const char *const want[] = { "PR_5_STRIPE_REDUCED", NULL };
	struct narrow n = { f->ino, 3 * STRIPE };
	argos_pool *p = tf_open(&f->tf, 0);
	uint32_t crc[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crc };
	struct argos_attr before, after;

	assert_int_equal(store_txn(&p->st, narrow_fn, &n, STORE_SYNC), 0);
	assert_int_equal(argos_getattr(p, f->ino, &before), 0);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(&f->tf, want);
	check_file(f, (int)FSIZE);
	p = tf_open(&f->tf, ARGOS_OPEN_RDONLY);
	assert_int_equal(data_get_stripe(p, f->ino, 3 * STRIPE, &s), 0);
	assert_int_equal(s.k + s.m, 6);
	assert_int_equal(argos_getattr(p, f->ino, &after), 0);
	assert_int_equal(after.mtime.tv_sec, before.mtime.tv_sec);
	assert_int_equal(after.mtime.tv_nsec, before.mtime.tv_nsec);
	assert_int_equal(after.blocks, before.blocks);
	assert_int_equal(argos_pool_close(p), 0);
}

/* One member missing: its chunks are counted, the stripes read. */
static void test_fsck_data_missing(void **state)
{
	struct fx *f = *state;
	struct tf_seen s;

	f->tf.n = NMEM - 1;
	assert_int_equal(tf_fsck(&f->tf, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_UNCORRECTED);
	assert_true(tf_saw(&s, "PR_0_MEMBER_MISSING"));
	assert_true(tf_saw(&s, "PR_5_CHUNKS_MISSING"));
	assert_false(tf_saw(&s, "PR_5_CHUNK_BAD"));
	assert_false(tf_saw(&s, "PR_5_STRIPE_LOST"));
	f->tf.n = NMEM;
}

/* ---- a compressed unit that does not decompress ------------------------------------ */

/* Block 0 of data chunk 0 of the stripe at 0 becomes zeros: its CRC is
 * recomputed in the record (as if the wrong bytes had been written). */
struct zero_unit {
	uint64_t ino;
	char path[512];
	uint64_t off;
};

static int zero_unit_fn(struct txn *t, void *arg)
{
	static const uint8_t zero[4096];
	struct zero_unit *z = arg;
	struct ad_key k = { z->ino, AD_KT_STRIPE, 0 };
	uint32_t crc[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crc };
	uint8_t raw[AD_ITEM_MAX];
	size_t len;
	int err = txn_get(t, &k, raw, sizeof(raw), &len), l;

	if (err)
		return err;
	assert_int_equal(ad_stripe_decode(raw, len, &s, DATA_CRC_CAP, NULL, 0), 0);
	assert_true(s.flags & AD_STRIPE_F_COMPRESSED);
	assert_true(s.unit[0] != 0);   /* unit 0 stored compressed */
	ad_stripe_crcs(&s, 0)[0] = ad_crc32c(0, zero, sizeof(zero));
	z->off = ad_addr_block(s.addr[0]) * 4096;
	l = ad_stripe_encode(&s, raw, sizeof(raw));
	assert_true(l > 0);
	return txn_put(t, &k, raw, (size_t)l);
}

static void test_fsck_data_unit_bad(void **state)
{
	const char *const want[] = { "PR_5_UNIT_BAD", NULL };
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true, .chunk_size = CHUNK,
				     .journal_size = 4u << 20, .compression = "lz4" };
	const size_t n = 2 * STRIPE;
	uint8_t *buf = malloc(n), *back = malloc(n);
	uint8_t zero[4096] = { 0 };
	struct zero_unit z = { 0 };
	struct argos_attr a;
	struct tf_seen seen;
	struct tf tf;
	argos_pool *p;
	uint64_t fh;
	int fd, rc;

	(void)state;
	assert_true(buf && back);
	for (size_t i = 0; i < n; i++)   /* text-like: compresses well */
		buf[i] = (uint8_t)("the quick brown fox jumps over the lazy dog\n"[i % 44] +
				   (i / 4096 % 3));
	tf_make(&tf, "fsckunit", NMEM, IMG, &o);
	p = tf_open(&tf, 0);
	assert_int_equal(argos_create(p, ARGOS_ROOT_INO, "t", 0100644, O_RDWR, &argos_root_cred,
				      &a, &fh), 0);
	assert_int_equal(argos_write(p, a.ino, fh, buf, n, 0), (int)n);
	assert_int_equal(argos_release(p, a.ino, fh), 0);
	z.ino = a.ino;
	assert_int_equal(store_txn(&p->st, zero_unit_fn, &z, STORE_SYNC), 0);
	{
		uint32_t crc[DATA_CRC_CAP];
		struct ad_stripe s = { .crc = crc };

		assert_int_equal(data_get_stripe(p, a.ino, 0, &s), 0);
		snprintf(z.path, sizeof(z.path), "%s", p->m[ad_addr_member(s.addr[0])].path);
	}
	assert_int_equal(argos_pool_close(p), 0);
	fd = open(z.path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, zero, sizeof(zero), (off_t)z.off), (ssize_t)sizeof(zero));
	close(fd);

	tf_sums(&tf);
	assert_int_equal(tf_fsck(&tf, ARGOS_FSCK_CHECK, true, &seen), ARGOS_FSCK_UNCORRECTED);
	tf_expect(&seen, want);
	tf_sums_same(&tf);
	assert_int_equal(tf_fsck(&tf, ARGOS_FSCK_REPAIR, true, &seen), ARGOS_FSCK_UNCORRECTED);
	tf_expect(&seen, want);

	/* the damaged window reads as an error; the other one reads right */
	p = tf_open(&tf, ARGOS_OPEN_RDONLY | ARGOS_OPEN_FORCE);
	rc = argos_read(p, a.ino, 0, back, 4096, 0);
	assert_true(rc < 0);
	assert_int_equal(argos_read(p, a.ino, 0, back, STRIPE, STRIPE), (int)STRIPE);
	assert_memory_equal(back, buf + STRIPE, STRIPE);
	assert_int_equal(argos_pool_close(p), 0);
	tf_remove(&tf);
	free(buf);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fsck_data_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_data_two_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_data_parity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_data_spread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_data_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_data_reduced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_data_missing, setup, teardown),
		cmocka_unit_test(test_fsck_data_unit_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
