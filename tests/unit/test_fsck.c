/*
 * test_fsck.c — Description: fsck phases 1-3 on real pools (image files) and
 * the reference checks on hand-made references: the problem codes each kind
 * of damage gives, that -n writes nothing (even on an unclean pool, which it
 * checks as replayed in memory), that -y repairs and a second -n is clean,
 * and that a pool in use is refused with exit code 8.
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
#include <cmocka.h>

#include "ad_crc.h"
#include "ad_items.h"
#include "ad_stripe.h"
#include "argosfs.h"
#include "fsck_refs.h"
#include "pool.h"
#include "store.h"
#include "tpool.h"

#define NMEM 3
#define IMG (64ull << 20)

struct fx {
	struct tpool tp;
	const char *const *paths;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .journal_size = 4u << 20 };
	char why[256];

	assert_non_null(f);
	if (tpool_make(&f->tp, NULL, "fsck", NMEM, IMG, &o, why, sizeof(why)))
		fail_msg("pool: %s", why);
	f->paths = f->tp.paths;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tpool_remove(&f->tp);
	free(f);
	return 0;
}

static argos_pool *open_pool(struct fx *f)
{
	struct argos_open_opts o = { .commit_ms = 50, .ckpt_ms = 3600000 };
	argos_pool *p;
	char why[512];
	int err = tpool_open(&f->tp, &o, &p, why, sizeof(why));

	if (err)
		fail_msg("open: %s (%s)", argos_strerror(err), why);
	return p;
}

/* Abandon a handle as a crash would: no checkpoint, no clean flag. */
static void crash_pool(argos_pool *p)
{
	p->st.err = -EIO;
	(void)argos_pool_close(p);
}

/* ---- running fsck ----------------------------------------------------------- */

struct seen {
	char codes[32][40];
	bool fixed[32];
	unsigned n;
};

static void on_problem(void *ctx, const struct argos_fsck_problem *p)
{
	struct seen *s = ctx;

	if (s->n < 32) {
		snprintf(s->codes[s->n], sizeof(s->codes[0]), "%s", p->code);
		s->fixed[s->n] = p->fixed;
		s->n++;
	}
}

static int fsck(struct fx *f, int mode, struct seen *s)
{
	struct argos_fsck_opts o = { .mode = mode, .on_problem = on_problem, .ctx = s };
	struct argos_fsck_result r;

	memset(s, 0, sizeof(*s));
	assert_int_equal(argos_fsck(f->paths, NMEM, &o, &r), 0);
	assert_int_equal(r.problems, s->n);
	return r.exit_code;
}

static bool saw(const struct seen *s, const char *code)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->codes[i], code))
			return true;
	return false;
}

/* The one finding of the last run was code. */
static void expect_only(const struct seen *s, const char *code)
{
	if (s->n != 1 || strcmp(s->codes[0], code))
		fail_msg("expected exactly %s, got %u findings (first %s)", code, s->n,
			 s->n ? s->codes[0] : "-");
}

/* CRC of every image, to see that -n wrote nothing. */
static void image_sums(struct fx *f, uint32_t out[NMEM])
{
	uint8_t *buf = malloc(1 << 20);

	assert_non_null(buf);
	for (int i = 0; i < NMEM; i++) {
		FILE *fp = fopen(f->tp.path[i], "rb");
		size_t n;

		assert_non_null(fp);
		out[i] = 0;
		while ((n = fread(buf, 1, 1 << 20, fp)) > 0)
			out[i] = ad_crc32c(out[i], buf, n);
		fclose(fp);
	}
	free(buf);
}

/* ---- transactions the tests make ---------------------------------------------- */

struct op_arg {
	int kind;            /* 0 puts, 1 alloc, 2 extref, 3 free */
	uint64_t n;
	unsigned member;
	uint64_t block, count, refs;
};

static int op_fn(struct txn *t, void *arg)
{
	const struct op_arg *a = arg;
	uint8_t v[AD_EXTREF_SIZE];

	switch (a->kind) {
	case 0:
		for (uint64_t i = 0; i < a->n; i++) {
			struct ad_key k = { .oid = 5000 + i, .type = AD_KT_PROP, .off = i };

			memset(v, (int)i, sizeof(v));
			txn_put(t, &k, v, sizeof(v));
		}
		return 0;
	case 1:
		return txn_alloc(t, a->member, a->block, a->count);
	case 3:
		return txn_free(t, a->member, a->block, a->count);
	default: {
		struct ad_key k = { .oid = a->member, .type = AD_KT_EXTREF, .off = a->block };
		struct ad_extref x = { .refs = a->refs, .nblocks = a->count };

		ad_extref_encode(&x, v);
		return txn_put(t, &k, v, sizeof(v));
	}
	}
}

static void run_op(argos_pool *p, struct op_arg *a)
{
	assert_int_equal(store_txn(&p->st, op_fn, a, STORE_SYNC), 0);
}

/* ---- pools -------------------------------------------------------------------- */

static void test_fsck_clean_pool(void **state)
{
	struct fx *f = *state;
	struct seen s;

	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(fsck(f, ARGOS_FSCK_REPAIR, &s), ARGOS_FSCK_OK);
}

/* -n on an unclean pool: replay in memory only, nothing written; -y replays. */
static void test_fsck_unclean(void **state)
{
	struct fx *f = *state;
	struct op_arg a = { .kind = 0, .n = 40 };
	uint32_t before[NMEM], after[NMEM];
	argos_pool *p = open_pool(f);
	struct seen s;

	run_op(p, &a);
	crash_pool(p);
	image_sums(f, before);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_UNCORRECTED);
	expect_only(&s, "PR_1_UNCLEAN");
	image_sums(f, after);
	assert_memory_equal(before, after, sizeof(before));
	assert_int_equal(fsck(f, ARGOS_FSCK_REPAIR, &s), ARGOS_FSCK_CORRECTED);
	expect_only(&s, "PR_1_UNCLEAN");
	assert_true(s.fixed[0]);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_OK);
}

/*
 * A leak that exists only in the journal (the ALLOC was never checkpointed):
 * -n finds it against the replayed state; -y replays, then frees it.
 */
static void test_fsck_checks_replayed_state(void **state)
{
	struct fx *f = *state;
	struct op_arg a = { .kind = 1, .member = 2, .count = 3 };
	argos_pool *p = open_pool(f);
	struct seen s;

	assert_int_equal(alloc_reserve(&p->st.alloc, 2, 3, false, &a.block), 0);
	run_op(p, &a);
	crash_pool(p);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_UNCORRECTED);
	assert_int_equal(s.n, 2);
	assert_true(saw(&s, "PR_1_UNCLEAN"));
	assert_true(saw(&s, "PR_3_SPACE_LEAKED"));
	assert_int_equal(fsck(f, ARGOS_FSCK_REPAIR, &s), ARGOS_FSCK_CORRECTED);
	assert_int_equal(s.n, 2);
	assert_true(s.fixed[0] && s.fixed[1]);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_OK);
	/* Freed blocks wait as pending frees; the next checkpoints release them. */
	p = open_pool(f);
	assert_int_equal(argos_pool_checkpoint(p), 0);
	assert_int_equal(argos_pool_close(p), 0);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_OK);
}

/* A root page block freed (a transaction FREE) and released while the tree
 * still uses it: marked free but referenced. */
static void test_fsck_unmarked(void **state)
{
	struct fx *f = *state;
	argos_pool *p = open_pool(f);
	struct ad_bptr root = p->st.tree.root;
	struct op_arg a = { .kind = 3, .count = 1 };
	struct seen s;

	assert_true(root.nmirrors >= 2);
	a.member = ad_addr_member(root.addr[1]);
	a.block = ad_addr_block(root.addr[1]);
	run_op(p, &a);
	assert_int_equal(argos_pool_checkpoint(p), 0);   /* pending */
	assert_int_equal(argos_pool_checkpoint(p), 0);   /* released */
	assert_int_equal(argos_pool_close(p), 0);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_UNCORRECTED);
	expect_only(&s, "PR_3_SPACE_UNMARKED");
	assert_int_equal(fsck(f, ARGOS_FSCK_PREEN, &s), ARGOS_FSCK_CORRECTED);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_OK);
}

/* Hand-made EXTREF items: no references exist, so any count is wrong. */
static void test_fsck_extref_items(void **state)
{
	struct fx *f = *state;
	argos_pool *p = open_pool(f);
	uint64_t data = p->m[1].sb.data_off / AD_BLOCK;
	struct op_arg bad = { .kind = 2, .member = 1, .block = data + 10, .count = 2, .refs = 1 };
	struct op_arg x = { .kind = 2, .member = 1, .block = data + 50, .count = 2, .refs = 3 };
	struct seen s;

	run_op(p, &x);
	run_op(p, &bad);
	assert_int_equal(argos_pool_close(p), 0);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_UNCORRECTED);
	assert_int_equal(s.n, 2);
	assert_true(saw(&s, "PR_3_EXTREF_BAD"));
	assert_true(saw(&s, "PR_3_EXTREF_COUNT"));
	/* Not preen-safe: -p leaves both. */
	assert_int_equal(fsck(f, ARGOS_FSCK_PREEN, &s), ARGOS_FSCK_UNCORRECTED);
	assert_false(s.fixed[0] || s.fixed[1]);
	assert_int_equal(fsck(f, ARGOS_FSCK_REPAIR, &s), ARGOS_FSCK_CORRECTED);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_OK);
}

/* ---- stripe records: their chunks are references -------------------------------- */

struct stripe_arg {
	uint64_t ino;
	struct ad_stripe st;
	bool alloc, garbage;
};

static int stripe_fn(struct txn *t, void *arg)
{
	struct stripe_arg *a = arg;
	struct ad_key k = { .oid = a->ino, .type = AD_KT_STRIPE, .off = 0 };
	uint8_t v[AD_ITEM_MAX];
	int len = ad_stripe_encode(&a->st, v, sizeof(v));

	assert_true(len > 0);
	if (a->garbage)
		v[4] = 99;   /* k = 99: does not decode */
	for (unsigned j = 0; a->alloc && j < (unsigned)a->st.k + a->st.m; j++)
		txn_alloc(t, ad_addr_member(a->st.addr[j]), ad_addr_block(a->st.addr[j]),
			  a->st.chunk_blocks);
	return txn_put(t, &k, v, (size_t)len);
}

/* A 2+1 stripe of 4-block chunks on members 0, 1, 2 (blocks reserved). */
static void make_stripe(argos_pool *p, struct stripe_arg *a, uint32_t *crc)
{
	memset(a, 0, sizeof(*a));
	a->ino = 2;
	a->alloc = true;
	a->st = (struct ad_stripe){ .k = 2, .m = 1, .matrix = AD_MATRIX_CAUCHY1, .chunk_blocks = 4,
				    .data_len = 8192, .wgen = 1, .crc = crc };
	for (unsigned j = 0; j < 3; j++) {
		uint64_t b;

		assert_int_equal(alloc_reserve(&p->st.alloc, j, 4, false, &b), 0);
		a->st.addr[j] = ad_addr(j, b);
	}
}

static void test_fsck_stripe_refs(void **state)
{
	struct fx *f = *state;
	uint32_t crc[12] = { 0 };
	struct stripe_arg a;
	argos_pool *p = open_pool(f);
	struct seen s;

	make_stripe(p, &a, crc);
	assert_int_equal(store_txn(&p->st, stripe_fn, &a, STORE_SYNC), 0);
	assert_int_equal(argos_pool_close(p), 0);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_OK);

	/* A second stripe on the same chunks (a reflink without its counts). */
	p = open_pool(f);
	a.ino = 3;
	a.alloc = false;
	assert_int_equal(store_txn(&p->st, stripe_fn, &a, STORE_SYNC), 0);
	assert_int_equal(argos_pool_close(p), 0);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_UNCORRECTED);
	assert_int_equal(s.n, 3);
	for (unsigned i = 0; i < s.n; i++)
		assert_string_equal(s.codes[i], "PR_3_EXTREF_MISSING");
	assert_int_equal(fsck(f, ARGOS_FSCK_REPAIR, &s), ARGOS_FSCK_CORRECTED);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_OK);
}

/* A stripe record that does not decode: its chunks look leaked, and stay. */
static void test_fsck_stripe_bad(void **state)
{
	struct fx *f = *state;
	uint32_t crc[12] = { 0 };
	struct stripe_arg a;
	argos_pool *p = open_pool(f);
	struct seen s;

	make_stripe(p, &a, crc);
	a.garbage = true;
	assert_int_equal(store_txn(&p->st, stripe_fn, &a, STORE_SYNC), 0);
	assert_int_equal(argos_pool_close(p), 0);
	assert_int_equal(fsck(f, ARGOS_FSCK_REPAIR, &s), ARGOS_FSCK_UNCORRECTED);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.codes[0], "PR_2_STRIPE_BAD");
	for (unsigned i = 1; i < s.n; i++) {
		assert_string_equal(s.codes[i], "PR_3_SPACE_LEAKED");
		assert_false(s.fixed[i]);
	}
}

/* ---- files written through the namespace and data layers -------------------- */

static void write_file(argos_pool *p, const char *name, size_t size, uint8_t seed, bool keep_open,
		       uint64_t *ino_out)
{
	struct argos_attr a;
	uint64_t fh;
	uint8_t *buf = malloc(size ? size : 1);

	assert_non_null(buf);
	memset(buf, seed, size);
	assert_int_equal(argos_create(p, ARGOS_ROOT_INO, name, 0100644, O_RDWR, &argos_root_cred,
				      &a, &fh), 0);
	assert_int_equal(argos_write(p, a.ino, fh, buf, size, 0), (int)size);
	if (!keep_open)
		assert_int_equal(argos_release(p, a.ino, fh), 0);
	else
		assert_int_equal(argos_fsync(p, a.ino, 0), 0);
	if (ino_out)
		*ino_out = a.ino;
	free(buf);
}

/* Stripes, overwrites (copy-on-write frees), truncation, unlink: all consistent. */
static void test_fsck_files(void **state)
{
	struct fx *f = *state;
	argos_pool *p = open_pool(f);
	struct argos_attr in = { .size = 5000 }, out;
	uint64_t big, ino, fh;
	uint8_t *buf = calloc(1, 1u << 20);
	struct seen s;

	assert_non_null(buf);
	write_file(p, "big", 3u << 20, 1, false, &big);
	write_file(p, "small", 10000, 2, false, &ino);
	write_file(p, "gone", 1u << 20, 3, false, NULL);
	/* Overwrite the middle of "big": new stripes, the old extents freed. */
	assert_int_equal(argos_open(p, big, O_RDWR, &fh), 0);
	assert_int_equal(argos_write(p, big, fh, buf, 1u << 20, 512u << 10), 1 << 20);
	assert_int_equal(argos_release(p, big, fh), 0);
	free(buf);
	assert_int_equal(argos_setattr(p, ino, &in, ARGOS_SET_SIZE, &argos_root_cred, &out), 0);
	assert_int_equal(argos_unlink(p, ARGOS_ROOT_INO, "gone"), 0);
	assert_int_equal(argos_pool_checkpoint(p), 0);
	write_file(p, "later", 700000, 5, false, NULL);
	assert_int_equal(argos_pool_close(p), 0);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_OK);

	/* The same after a crash with data in the journal only. */
	p = open_pool(f);
	write_file(p, "crash", 2u << 20, 6, true, NULL);
	crash_pool(p);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_UNCORRECTED);
	expect_only(&s, "PR_1_UNCLEAN");
	assert_int_equal(fsck(f, ARGOS_FSCK_REPAIR, &s), ARGOS_FSCK_CORRECTED);
	assert_int_equal(fsck(f, ARGOS_FSCK_CHECK, &s), ARGOS_FSCK_OK);
}

static void test_fsck_busy(void **state)
{
	struct fx *f = *state;
	struct argos_fsck_opts o = { .mode = ARGOS_FSCK_CHECK };
	struct argos_fsck_result r;
	argos_pool *p = open_pool(f);

	assert_int_equal(argos_fsck(f->paths, NMEM, &o, &r), -EBUSY);
	assert_int_equal(r.exit_code, ARGOS_FSCK_ERROR);
	assert_int_equal(argos_pool_close(p), 0);
}

/* ---- the reference checks, by hand --------------------------------------------- */

struct found {
	struct fsck_share f[8];
	unsigned n;
};

static int on_share(void *ctx, const struct fsck_share *f)
{
	struct found *fd = ctx;

	assert_true(fd->n < 8);
	fd->f[fd->n++] = *f;
	return 0;
}

static void test_fsck_refs_share(void **state)
{
	struct fsck_refs r = { 0 };
	struct found fd = { 0 };
	const struct fsck_extref x[] = {
		{ .member = 0, .block = 100, .nblocks = 4, .refs = 2 },   /* right */
		{ .member = 0, .block = 200, .nblocks = 4, .refs = 3 },   /* 2 found */
		{ .member = 1, .block = 100, .nblocks = 4, .refs = 2 },   /* none found */
	};

	(void)state;
	/* Two references to the same extent, counted by an item: fine. */
	assert_int_equal(fsck_refs_add(&r, 0, 100, 4, FSCK_REF_STRIPE), 0);
	assert_int_equal(fsck_refs_add(&r, 0, 100, 4, FSCK_REF_STRIPE), 0);
	/* Two to another, with a wrong count. */
	assert_int_equal(fsck_refs_add(&r, 0, 200, 4, FSCK_REF_STRIPE), 0);
	assert_int_equal(fsck_refs_add(&r, 0, 200, 4, FSCK_REF_STRIPE), 0);
	/* Two with no item at all. */
	assert_int_equal(fsck_refs_add(&r, 2, 300, 1, FSCK_REF_STRIPE), 0);
	assert_int_equal(fsck_refs_add(&r, 2, 300, 1, FSCK_REF_STRIPE), 0);
	/* A page inside a stripe's extent: cross-linked. */
	assert_int_equal(fsck_refs_add(&r, 0, 500, 8, FSCK_REF_STRIPE), 0);
	assert_int_equal(fsck_refs_add(&r, 0, 503, 1, FSCK_REF_PAGE), 0);
	/* Pages side by side: fine. */
	assert_int_equal(fsck_refs_add(&r, 1, 10, 1, FSCK_REF_PAGE), 0);
	assert_int_equal(fsck_refs_add(&r, 1, 11, 1, FSCK_REF_PAGE), 0);

	assert_int_equal(fsck_refs_count(&r, 0, 100, 4), 2);
	assert_int_equal(fsck_refs_count(&r, 0, 100, 3), 0);
	assert_int_equal(fsck_share_check(&r, x, 3, on_share, &fd), 0);
	assert_int_equal(fd.n, 4);
	/* References in (member, block) order, then the items. */
	assert_int_equal(fd.f[0].kind, FSCK_SHARE_OVERLAP);
	assert_int_equal(fd.f[0].block, 503);
	assert_int_equal(fd.f[0].other_block, 500);
	assert_int_equal(fd.f[0].kind_a, FSCK_REF_PAGE);
	assert_int_equal(fd.f[1].kind, FSCK_SHARE_MISSING);
	assert_int_equal(fd.f[1].member, 2);
	assert_int_equal(fd.f[1].found, 2);
	assert_int_equal(fd.f[2].kind, FSCK_SHARE_COUNT);
	assert_int_equal(fd.f[2].block, 200);
	assert_int_equal(fd.f[2].refs, 3);
	assert_int_equal(fd.f[2].found, 2);
	assert_int_equal(fd.f[3].kind, FSCK_SHARE_COUNT);
	assert_int_equal(fd.f[3].member, 1);
	assert_int_equal(fd.f[3].found, 0);
	fsck_refs_free(&r);
}

static void test_fsck_u64set(void **state)
{
	struct u64set s = { 0 };

	(void)state;
	for (uint64_t i = 0; i < 5000; i++)
		assert_int_equal(u64set_add(&s, i * 7919), 1);
	for (uint64_t i = 0; i < 5000; i++)
		assert_int_equal(u64set_add(&s, i * 7919), 0);
	assert_true(u64set_has(&s, 7919 * 4999));
	assert_false(u64set_has(&s, 7919 * 5000));
	assert_int_equal(s.n, 5000);
	u64set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fsck_refs_share),
		cmocka_unit_test(test_fsck_u64set),
		cmocka_unit_test_setup_teardown(test_fsck_clean_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_unclean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_checks_replayed_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_unmarked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_extref_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_stripe_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_stripe_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_busy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
