/*
 * test_evict.c — the page cache budget: clock eviction of clean pages, dirty
 * pages kept until a checkpoint, and the store staying correct under a tiny
 * budget while transactions, reads and checkpoints run at the same time.
 *
 * Description: (a) pcache alone: clean pages over the budget go in clock
 * order (a page looked up since the last sweep gets a second chance), dirty
 * pages and pages marked for repair are never evicted, the over/dirty-over
 * signals; a page's memory is its 4 KiB (no allocator slack); (b) a pool opened with a 24-page cache: one thread commits items,
 * one reads back what was committed, one runs checkpoints; the cache stays
 * near its budget, pages are evicted, checkpoints start by themselves when
 * dirty pages pass half the budget, and every item reads back right before
 * and after a reopen (and after an abandoned handle, through replay).
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "argosfs.h"
#include "dev.h"
#include "pcache.h"
#include "pool.h"
#include "store.h"
#include "tpool.h"
#include "tutil.h"

#define NMEM 6
#define IMG (64ull << 20)
#define BUDGET 24
#define NTXN 300
#define PER_TXN 20

/* ---- (a) the cache alone ---------------------------------------------------- */

static struct cpage *add_clean(struct pcache *pc, uint64_t addr)
{
	struct ad_bptr bp;
	uint8_t *data = pcache_buf_get(pc);
	struct cpage *pg;

	assert_non_null(data);
	ad_bptr_null(&bp);
	bp.addr[0] = addr;
	bp.nmirrors = 1;
	pg = pcache_insert(pc, &bp, data);
	assert_non_null(pg);
	return pg;
}

static void test_pcache_clock(void **state)
{
	struct pcache pc;
	struct cpage *dirty[6], *keep;

	(void)state;
	assert_int_equal(pcache_init(&pc, 32), 0);
	for (int i = 0; i < 6; i++)
		assert_non_null(dirty[i] = pcache_new(&pc));
	for (uint64_t a = 1; a <= 60; a++)
		add_clean(&pc, a * 8);
	assert_true(pcache_over(&pc));
	assert_false(pcache_dirty_over(&pc));       /* 6 <= 32 / 2 */
	/* First sweep: every page was just inserted (clock bit set). */
	pcache_evict(&pc);
	assert_true(pc.npages <= 32 - 32 / 16);
	assert_int_equal(pc.ndirty, 6);
	for (int i = 0; i < 6; i++)
		assert_ptr_equal(pcache_get(&pc, dirty[i]->key), dirty[i]);
	/* A page used after the sweep outlives the unused ones. */
	assert_int_equal(pc.npages, 32 - 32 / 16);
	keep = pcache_get(&pc, pc.clean_head->key);
	assert_non_null(keep);
	pcache_mark_repair(&pc, pc.clean_tail);
	assert_int_equal(pc.nrepair, 1);
	for (uint64_t a = 100; a < 110; a++)
		add_clean(&pc, a * 8);
	pcache_evict(&pc);
	assert_ptr_equal(pcache_get(&pc, keep->key), keep);
	for (uint64_t a = 100; a < 110; a++)
		assert_non_null(pcache_get(&pc, a * 8));   /* new pages: bit set */
	assert_int_equal(pc.nrepair, 1);
	assert_int_equal(pc.npages, 32 - 32 / 16);
	/* Budget 0 empties the cache of everything clean but the repair page. */
	pc.budget = 0;
	pcache_evict(&pc);
	assert_int_equal(pc.npages, 6 + 1);
	assert_int_equal(pc.evictions, 60 + 10 - 1);
	pc.budget = 32;
	for (int i = 0; i < 12; i++)
		assert_non_null(pcache_new(&pc));
	assert_true(pcache_dirty_over(&pc));        /* 18 > 16 */
	assert_false(pcache_over(&pc));
	pcache_destroy(&pc);
}

/*
 * Page memory: a cached page costs its 4 KiB and no more (pgbuf.h).  With
 * posix_memalign each one took 8 KiB of heap; here the heap grows only by
 * the page structs, the buffers come from slabs, are page aligned, and come
 * back zeroed when reused.
 */
static void test_pcache_page_memory(void **state)
{
	enum { N = 4096 };
	struct pcache pc;
	struct cpage **pg = calloc(N, sizeof(*pg));
	struct mallinfo2 before, after;

	(void)state;
	assert_non_null(pg);
	assert_int_equal(pcache_init(&pc, 2 * N), 0);
	before = mallinfo2();
	for (int i = 0; i < N; i++) {
		assert_non_null(pg[i] = pcache_new(&pc));
		assert_int_equal((uintptr_t)pg[i]->data % DEV_ALIGN, 0);
		memset(pg[i]->data, 0xee, AD_BLOCK);
	}
	after = mallinfo2();
	assert_true(after.uordblks + after.hblkhd - before.uordblks - before.hblkhd <
		    (size_t)N * 512);
	assert_true(pgbuf_mapped(&pc.bufs) <= N + PGBUF_SLAB);
	for (int i = 0; i < N / 2; i++)
		pcache_drop(&pc, pg[i]);
	for (int i = 0; i < N / 2; i++) {
		struct cpage *n = pcache_new(&pc);
		static const uint8_t zero[AD_BLOCK];

		assert_non_null(n);
		assert_memory_equal(n->data, zero, AD_BLOCK);
	}
	assert_true(pgbuf_mapped(&pc.bufs) <= N + PGBUF_SLAB);   /* reused, not mapped */
	pcache_destroy(&pc);
	free(pg);
}

/* ---- (b) the store under a tiny budget ---------------------------------------- */

/* The pool's images (tests/unit/tpool.c): made by setup, removed by teardown. */
static int setup(void **state)
{
	struct tpool *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true, .journal_size = 4u << 20 };
	char why[256];

	assert_non_null(f);
	if (tpool_make(f, NULL, "evict", NMEM, IMG, &o, why, sizeof(why)))
		fail_msg("mkfs: %s", why);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	tpool_remove(*state);
	free(*state);
	return 0;
}

static argos_pool *open_small(struct tpool *f)
{
	struct argos_open_opts o = { .cache_pages = BUDGET, .commit_ms = 20, .ckpt_ms = 100000 };
	argos_pool *p;
	char why[512];
	int err = argos_pool_open(f->paths, NMEM, &o, &p, why, sizeof(why));

	if (err)
		fail_msg("open: %s (%s)", argos_strerror(err), why);
	return p;
}

static void val_for(uint64_t i, uint8_t *v, size_t len)
{
	for (size_t b = 0; b < len; b++)
		v[b] = (uint8_t)(i * 37 + b * 11);
}

/* Item i: its key spreads over the tree (so paths differ), 100 bytes. */
static struct ad_key key_of(uint64_t i)
{
	return (struct ad_key){ .oid = 2000 + (i * 7919) % 100003, .type = AD_KT_PROP, .off = i };
}

struct put_arg {
	uint64_t first;
};

static int put_fn(struct txn *t, void *arg)
{
	struct put_arg *a = arg;
	uint8_t v[100];

	for (uint64_t i = a->first; i < a->first + PER_TXN; i++) {
		struct ad_key k = key_of(i);

		val_for(i, v, sizeof(v));
		txn_put(t, &k, v, sizeof(v));
	}
	/* The transaction reads back its own first item and an older one. */
	{
		struct ad_key k = key_of(a->first);
		uint8_t got[100];
		size_t len;
		int err = txn_get(t, &k, got, sizeof(got), &len);

		if (err)
			return err;
		if (a->first) {
			k = key_of(a->first / 2);
			err = txn_get(t, &k, got, sizeof(got), &len);
			if (err)
				return err == -ENOENT ? -ENODATA : err;
		}
	}
	return 0;
}

struct get_arg {
	uint64_t i;
	int ok;   /* 1 right, 0 missing, -1 wrong */
};

static int get_fn(struct txn *t, void *arg)
{
	struct get_arg *a = arg;
	struct ad_key k = key_of(a->i);
	uint8_t v[100], want[100];
	size_t len;
	int err = txn_get(t, &k, v, sizeof(v), &len);

	if (err == -ENOENT) {
		a->ok = 0;
		return 0;
	}
	if (err)
		return err;
	val_for(a->i, want, sizeof(want));
	a->ok = len == sizeof(want) && !memcmp(v, want, len) ? 1 : -1;
	return 0;
}

struct run {
	argos_pool *p;
	uint64_t done;        /* items committed (atomic) */
	int stop;             /* atomic */
	int err, bad;
	size_t max_pages;
	uint64_t reads, ckpts;
};

static void *writer(void *arg)
{
	struct run *r = arg;

	for (uint64_t n = 0; n < NTXN; n++) {
		struct put_arg a = { n * PER_TXN };
		size_t pages;
		int err = store_txn(&r->p->st, put_fn, &a, n % 7 ? 0 : STORE_SYNC);

		if (err) {
			r->err = err;
			break;
		}
		__atomic_store_n(&r->done, (n + 1) * PER_TXN, __ATOMIC_RELEASE);
		pthread_rwlock_rdlock(&r->p->st.pc.lock);
		pages = r->p->st.pc.npages;
		pthread_rwlock_unlock(&r->p->st.pc.lock);
		if (pages > r->max_pages)
			r->max_pages = pages;
	}
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *reader(void *arg)
{
	struct run *r = arg;
	uint64_t x = 1;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		uint64_t done = __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
		struct get_arg a = { 0, 0 };

		if (!done)
			continue;
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		a.i = (x >> 33) % done;
		{
			int e = store_read(&r->p->st, get_fn, &a);

			if (e || a.ok != 1) {
				if (r->bad++ < 5)
					print_message("read %llu of %llu: %d ok=%d\n",
						      (unsigned long long)a.i, (unsigned long long)done, e, a.ok);
			}
		}
		r->reads++;
	}
	return NULL;
}

static void *checkpointer(void *arg)
{
	struct run *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (argos_pool_checkpoint(r->p) && r->bad++ < 5)
			print_message("checkpoint failed\n");
		r->ckpts++;
		usleep(2000);
	}
	return NULL;
}

static void expect_all(argos_pool *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct get_arg a = { i, 0 };

		assert_int_equal(store_read(&p->st, get_fn, &a), 0);
		if (a.ok != 1)
			fail_msg("item %llu: %s", (unsigned long long)i, a.ok ? "wrong value" : "missing");
	}
}

static void test_store_tiny_cache_concurrent(void **state)
{
	struct tpool *f = *state;
	struct run r = { 0 };
	pthread_t tw, tr, tc;
	struct argos_pool_status s;
	uint64_t ckpts_before;

	r.p = open_small(f);
	argos_pool_status(r.p, &s);
	ckpts_before = s.checkpoints;
	assert_int_equal(pthread_create(&tw, NULL, writer, &r), 0);
	assert_int_equal(pthread_create(&tr, NULL, reader, &r), 0);
	assert_int_equal(pthread_create(&tc, NULL, checkpointer, &r), 0);
	pthread_join(tw, NULL);
	pthread_join(tr, NULL);
	pthread_join(tc, NULL);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.bad, 0);
	assert_true(r.reads > 0);
	assert_true(r.p->st.pc.evictions > 0);
	/*
	 * While a checkpoint runs nothing is evicted (its sealed pages are not
	 * on disk yet) and a transaction's paths may take ~40 pages, so under
	 * back-to-back checkpoints the cache overshoots for a while, but only
	 * by a bounded amount; at rest the budget holds.
	 */
	if (r.max_pages > 16 * BUDGET)
		fail_msg("cache grew to %zu pages (budget %d)", r.max_pages, BUDGET);
	expect_all(r.p, NTXN * PER_TXN);
	assert_int_equal(argos_pool_checkpoint(r.p), 0);
	expect_all(r.p, 1);
	if (r.p->st.pc.npages > BUDGET + 4)
		fail_msg("at rest the cache holds %zu pages (budget %d)", r.p->st.pc.npages, BUDGET);
	argos_pool_status(r.p, &s);
	assert_true(s.checkpoints > ckpts_before);
	assert_int_equal(argos_pool_close(r.p), 0);

	r.p = open_small(f);
	expect_all(r.p, NTXN * PER_TXN);
	assert_int_equal(argos_pool_close(r.p), 0);
}

/* No explicit checkpoint at all: dirty pages past half the budget start one. */
static void test_store_dirty_pages_start_checkpoints(void **state)
{
	struct tpool *f = *state;
	argos_pool *p = open_small(f);
	struct argos_pool_status s;
	uint64_t before;

	argos_pool_status(p, &s);
	before = s.checkpoints;
	for (uint64_t n = 0; n < 100; n++) {
		struct put_arg a = { n * PER_TXN };

		assert_int_equal(store_txn(&p->st, put_fn, &a, 0), 0);
		assert_true(p->st.pc.ndirty <= BUDGET / 2 + 4 * PER_TXN);
	}
	argos_pool_status(p, &s);
	assert_true(s.checkpoints > before);
	assert_int_equal(store_sync(&p->st), 0);
	/* Abandon the handle: the journal since the last checkpoint replays. */
	p->st.err = -EIO;
	(void)argos_pool_close(p);
	p = open_small(f);
	expect_all(p, 100 * PER_TXN);
	assert_int_equal(argos_pool_close(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcache_clock),
		cmocka_unit_test(test_pcache_page_memory),
		cmocka_unit_test_setup_teardown(test_store_tiny_cache_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_dirty_pages_start_checkpoints, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
