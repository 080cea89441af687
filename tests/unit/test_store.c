/*
 * test_store.c — the metadata store on real images: transactions, journal
 * replay, checkpoints, reopen.
 *
 * Description: a 4+2 pool on six image files; items are committed through
 * transactions and must be there after (a) a clean close and reopen,
 * (b) an abandoned handle (no checkpoint: the next open replays the journal),
 * (c) many checkpoints and a journal that fills up, (d) a transaction whose
 * function fails (nothing applied) and one that faults pages in, (e) a
 * journal write that failed: no checkpoint may follow it (not even at close).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "argosfs.h"
#include "pool.h"
#include "store.h"
#include "tutil.h"

#define NMEM 6
#define IMG (64ull << 20)

struct fx {
	char dir[256];
	char path[NMEM][512];
	const char *paths[NMEM];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true, .journal_size = 4u << 20 };
	struct argos_mkfs_result r;
	char why[256];

	assert_int_equal(tutil_mkdtemp("store", f->dir, sizeof(f->dir)), 0);
	for (int i = 0; i < NMEM; i++) {
		char name[16];

		snprintf(name, sizeof(name), "img%d", i);
		assert_int_equal(tutil_mkimage(f->dir, name, IMG, f->path[i], sizeof(f->path[i])), 0);
		f->paths[i] = f->path[i];
	}
	if (argos_mkfs(f->paths, NMEM, &o, &r, why, sizeof(why)))
		fail_msg("mkfs: %s", why);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tutil_rmtree(f->dir);
	free(f);
	return 0;
}

static argos_pool *open_pool(struct fx *f, unsigned flags)
{
	struct argos_open_opts o = { .flags = flags, .commit_ms = 50, .ckpt_ms = 100000 };
	argos_pool *p;
	char why[512];
	int err = argos_pool_open(f->paths, NMEM, &o, &p, why, sizeof(why));

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

struct put_arg {
	uint64_t first, n;
	unsigned size;
	int fail;
};

static void val_for(uint64_t i, unsigned size, uint8_t *v)
{
	for (unsigned b = 0; b < size; b++)
		v[b] = (uint8_t)(i * 131 + b);
}

static int put_fn(struct txn *t, void *arg)
{
	struct put_arg *a = arg;
	uint8_t v[AD_ITEM_MAX + 1];

	for (uint64_t i = a->first; i < a->first + a->n; i++) {
		struct ad_key k = { .oid = 1000 + i, .type = AD_KT_PROP, .off = i };

		val_for(i, a->size, v);
		txn_put(t, &k, v, a->size);
	}
	return a->fail;
}

static void put_items(argos_pool *p, uint64_t first, uint64_t n, unsigned size, unsigned flags)
{
	struct put_arg a = { first, n, size, 0 };

	assert_int_equal(store_txn(&p->st, put_fn, &a, flags), 0);
}

struct check_arg {
	uint64_t i;
	unsigned size;
	int found;
};

static int get_fn(struct txn *t, void *arg)
{
	struct check_arg *a = arg;
	struct ad_key k = { .oid = 1000 + a->i, .type = AD_KT_PROP, .off = a->i };
	uint8_t v[AD_ITEM_MAX], want[AD_ITEM_MAX];
	size_t len;
	int err = txn_get(t, &k, v, sizeof(v), &len);

	if (err == -ENOENT) {
		a->found = 0;
		return 0;
	}
	if (err)
		return err;
	val_for(a->i, a->size, want);
	a->found = len == a->size && !memcmp(v, want, len) ? 1 : -1;
	return 0;
}

static void expect_items(argos_pool *p, uint64_t first, uint64_t n, unsigned size, int present)
{
	for (uint64_t i = first; i < first + n; i++) {
		struct check_arg a = { i, size, 0 };

		assert_int_equal(store_read(&p->st, get_fn, &a), 0);
		if (a.found != present)
			fail_msg("item %llu: found=%d, expected %d", (unsigned long long)i, a.found,
				 present);
	}
}

static void test_store_close_reopen(void **state)
{
	struct fx *f = *state;
	argos_pool *p = open_pool(f, 0);
	struct argos_pool_status s;

	for (int t = 0; t < 50; t++)
		put_items(p, (uint64_t)t * 100, 100, 40, 0);
	expect_items(p, 0, 5000, 40, 1);
	assert_int_equal(argos_pool_close(p), 0);
	p = open_pool(f, 0);
	argos_pool_status(p, &s);
	assert_int_equal(s.replayed_entries, 0);   /* clean close: nothing to replay */
	expect_items(p, 0, 5000, 40, 1);
	assert_int_equal(argos_pool_close(p), 0);
}

static void test_store_crash_replay(void **state)
{
	struct fx *f = *state;
	argos_pool *p = open_pool(f, 0);
	struct argos_pool_status s;

	put_items(p, 0, 300, 100, STORE_SYNC);
	assert_int_equal(argos_pool_checkpoint(p), 0);
	put_items(p, 300, 300, 100, STORE_SYNC);          /* only in the journal */
	put_items(p, 600, 10, 100, STORE_SYNC);
	crash_pool(p);
	p = open_pool(f, 0);
	argos_pool_status(p, &s);
	assert_true(s.replayed_txns >= 2);
	expect_items(p, 0, 610, 100, 1);
	/* Replaying again after another crash gives the same state. */
	crash_pool(p);
	p = open_pool(f, 0);
	expect_items(p, 0, 610, 100, 1);
	assert_int_equal(argos_pool_close(p), 0);
	p = open_pool(f, ARGOS_OPEN_RDONLY);
	expect_items(p, 0, 610, 100, 1);
	assert_int_equal(argos_pool_close(p), 0);
}

static void test_store_journal_fills(void **state)
{
	struct fx *f = *state;
	argos_pool *p = open_pool(f, 0);
	struct argos_pool_status s;

	/* ~8 MiB of journal traffic through a 4 MiB journal. */
	for (int t = 0; t < 400; t++)
		put_items(p, (uint64_t)(t % 40) * 25, 25, 800, STORE_SYNC);
	argos_pool_status(p, &s);
	assert_true(s.checkpoints > 0);
	assert_true(p->st.jnl.full_ckpts > 0 || s.checkpoints > 1);
	crash_pool(p);
	p = open_pool(f, 0);
	expect_items(p, 0, 1000, 800, 1);
	assert_int_equal(argos_pool_close(p), 0);
}

static void test_store_failed_txn(void **state)
{
	struct fx *f = *state;
	argos_pool *p = open_pool(f, 0);
	struct put_arg a = { 5000, 10, 16, -EEXIST };

	assert_int_equal(store_txn(&p->st, put_fn, &a, STORE_SYNC), -EEXIST);
	expect_items(p, 5000, 10, 16, 0);
	a.fail = 0;
	a.size = AD_ITEM_MAX + 1;
	assert_int_equal(store_txn(&p->st, put_fn, &a, 0), -E2BIG);
	expect_items(p, 5000, 10, 16, 0);
	assert_int_equal(argos_pool_close(p), 0);
}

static void test_store_many_items_small_cache(void **state)
{
	struct fx *f = *state;
	struct argos_open_opts o = { .cache_pages = 64, .commit_ms = 50 };
	argos_pool *p;
	char why[256];

	assert_int_equal(argos_pool_open(f->paths, NMEM, &o, &p, why, sizeof(why)), 0);
	for (int t = 0; t < 40; t++) {
		put_items(p, (uint64_t)t * 500, 500, 60, 0);
		if (t % 10 == 9)
			assert_int_equal(argos_pool_checkpoint(p), 0);
	}
	assert_int_equal(argos_pool_close(p), 0);
	assert_int_equal(argos_pool_open(f->paths, NMEM, &o, &p, why, sizeof(why)), 0);
	expect_items(p, 0, 20000, 60, 1);
	assert_true(p->st.stats.faults > 100);
	assert_int_equal(argos_pool_close(p), 0);
}

/*
 * Regression: after a journal write failed (here the crash point
 * after-journal-commit: the entry is durable, the sync still fails), an
 * explicit checkpoint and the one at close used to go ahead, writing a new
 * generation (marked clean at close) after the "crash".  They must fail and
 * leave the superblocks as they were.
 */
static void test_store_no_checkpoint_after_journal_error(void **state)
{
	struct fx *f = *state;
	struct argos_pool_status s;
	argos_pool *p = open_pool(f, 0);
	struct argos_pool_info *info;
	uint64_t gen;

	put_items(p, 0, 10, 50, STORE_SYNC);
	assert_int_equal(argos_pool_close(p), 0);
	setenv("ARGOSFS_CRASH_POINT", "after-journal-commit", 1);
	p = open_pool(f, 0);
	unsetenv("ARGOSFS_CRASH_POINT");
	gen = p->sb.generation;            /* the open's own generation */
	{
		struct put_arg a = { 10, 10, 50, 0 };

		assert_int_equal(store_txn(&p->st, put_fn, &a, STORE_SYNC), -EIO);
	}
	assert_int_not_equal(argos_pool_checkpoint(p), 0);
	argos_pool_status(p, &s);
	assert_true(s.failed);
	assert_int_not_equal(argos_pool_close(p), 0);
	assert_int_equal(argos_assemble_info(f->paths, NMEM, NULL, &info), 0);
	assert_true(info->generation == gen);
	assert_false(info->clean);
	argos_pool_info_free(info);
	/* The entry was durable: the next open replays it. */
	p = open_pool(f, 0);
	expect_items(p, 0, 20, 50, 1);
	assert_int_equal(argos_pool_close(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_close_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_crash_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_journal_fills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_failed_txn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_many_items_small_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_no_checkpoint_after_journal_error, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
