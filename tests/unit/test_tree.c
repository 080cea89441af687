/*
 * test_tree.c — the copy-on-write B+tree against a model.
 *
 * Description: random inserts, updates (small and up to AD_ITEM_MAX bytes)
 * and deletes on a tree over an in-memory "disk", compared with a sorted
 * model after every step (lookups) and periodically in full (ordered
 * iteration).  Checkpoints (tree_flush) seal pages to new addresses, after
 * which the whole cache is dropped so that every later access faults pages
 * back in and verifies their checksums; freed disk pages are checked never
 * to be referenced again.  A page damaged on one mirror is served from the
 * other and rewritten at the next checkpoint.  Lookups through a finger
 * (tree_get_near) find the same items as full descents.
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

#include "ad_crc.h"
#include "ad_items.h"
#include "tree.h"

#define DISK_BLOCKS 200000
#define NMIRROR 2

struct fakedisk {
	uint8_t *blk[NMIRROR][DISK_BLOCKS];   /* member m, block b */
	uint8_t live[DISK_BLOCKS];            /* block in use (both mirrors alike) */
	uint64_t next;
	uint64_t frees, allocs, reads, emitted;
	uint32_t seed;
	int corrupt_member;                   /* reads from this member fail, -1 none */
	/* test_tree_write_no_copy: the images emitted, as a checkpoint keeps them */
	bool recording;
	size_t nrec;
	const uint8_t **rec;
	uint8_t **rec_copy;
};

static int fd_read(void *ctx, const struct ad_bptr *p, void *buf, bool *repair)
{
	struct fakedisk *d = ctx;
	char why[AD_WHY_MAX];

	*repair = false;
	d->reads++;
	for (unsigned m = 0; m < p->nmirrors; m++) {
		uint64_t a = p->addr[m];
		struct ad_page_hdr h;
		uint8_t *src = d->blk[ad_addr_member(a)][ad_addr_block(a)];

		assert_non_null(src);
		assert_true(d->live[ad_addr_block(a)]);
		memcpy(buf, src, AD_BLOCK);
		if ((int)ad_addr_member(a) == d->corrupt_member)
			((uint8_t *)buf)[100] ^= 0xff;
		if (ad_page_check(buf, d->seed, m == 0 ? a : AD_ADDR_NONE, p->csum, p->level, &h,
				  why, sizeof(why)) == 0)
			return 0;
		*repair = true;
	}
	return -EUCLEAN;
}

static void fd_free(void *ctx, const struct ad_bptr *p)
{
	struct fakedisk *d = ctx;
	uint64_t b = ad_addr_block(p->addr[0]);

	assert_true(d->live[b]);
	d->live[b] = 0;
	d->frees++;
}

static int fd_alloc(void *ctx, struct ad_bptr *p)
{
	struct fakedisk *d = ctx;
	uint64_t b = d->next++;

	assert_true(b < DISK_BLOCKS);
	p->nmirrors = NMIRROR;
	for (unsigned m = 0; m < NMIRROR; m++)
		p->addr[m] = ad_addr(m, b);
	d->live[b] = 1;
	d->allocs++;
	return 0;
}

static int fd_emit(void *ctx, const struct ad_bptr *p, const void *page)
{
	struct fakedisk *d = ctx;

	for (unsigned m = 0; m < p->nmirrors; m++) {
		uint64_t b = ad_addr_block(p->addr[m]);

		if (!d->blk[m][b])
			d->blk[m][b] = malloc(AD_BLOCK);
		memcpy(d->blk[m][b], page, AD_BLOCK);
	}
	if (d->recording) {
		assert_true(d->nrec < DISK_BLOCKS);
		d->rec[d->nrec] = page;
		d->rec_copy[d->nrec] = malloc(AD_BLOCK);
		assert_non_null(d->rec_copy[d->nrec]);
		memcpy(d->rec_copy[d->nrec++], page, AD_BLOCK);
	}
	d->emitted++;
	return 0;
}

/* ---- model ------------------------------------------------------------------ */

struct mitem {
	struct ad_key k;
	uint16_t len;
	uint8_t *v;
};

struct model {
	size_t n, cap;
	struct mitem *it;
};

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t mfind(const struct model *m, const struct ad_key *k, bool *found)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = ad_key_cmp(&m->it[mid].k, k);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static void mput(struct model *m, const struct ad_key *k, const uint8_t *v, size_t len)
{
	bool found;
	size_t i = mfind(m, k, &found);

	if (!found) {
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 1024;
			m->it = realloc(m->it, m->cap * sizeof(*m->it));
		}
		memmove(&m->it[i + 1], &m->it[i], (m->n - i) * sizeof(*m->it));
		m->it[i].k = *k;
		m->it[i].v = NULL;
		m->n++;
	}
	free(m->it[i].v);
	m->it[i].v = malloc(len ? len : 1);
	memcpy(m->it[i].v, v, len);
	m->it[i].len = (uint16_t)len;
}

static void mdel(struct model *m, size_t i)
{
	free(m->it[i].v);
	memmove(&m->it[i], &m->it[i + 1], (m->n - i - 1) * sizeof(*m->it));
	m->n--;
}

/* ---- helpers that resolve faults as the store will ----------------------------- */

struct env {
	struct fakedisk *d;
	struct pcache pc;
	struct tree t;
	struct model m;
	uint64_t faults;
};

#define RETRY(e, call)                                              \
	({                                                          \
		int _r;                                             \
		struct tree_fault _f = { 0 };                       \
		while ((_r = (call)) == -EAGAIN) {                  \
			assert_true(_f.need);                       \
			assert_int_equal(tree_fault_in(&(e)->t, &_f), 0); \
			(e)->faults++;                              \
			_f.need = false;                            \
		}                                                   \
		_r;                                                 \
	})
#define F (&_f)

static void drop_clean(struct env *e)
{
	size_t budget = e->pc.budget;

	e->pc.budget = 0;
	pcache_evict(&e->pc);
	e->pc.budget = budget;
}

static void checkpoint(struct env *e, uint64_t gen)
{
	assert_int_equal(tree_flush(&e->t, gen), 0);
	assert_int_equal(e->pc.ndirty, 0);
	assert_true(e->t.root.nmirrors == NMIRROR);
}

static void check_get(struct env *e, const struct mitem *mi)
{
	uint8_t buf[AD_ITEM_MAX];
	size_t len = 0;
	int r = RETRY(e, tree_get(&e->t, &mi->k, buf, sizeof(buf), &len, F));

	assert_int_equal(r, 0);
	assert_int_equal(len, mi->len);
	assert_memory_equal(buf, mi->v, len);
}

static void check_all(struct env *e)
{
	struct ad_key k = { 0, 0, 0 }, out;
	uint8_t buf[AD_ITEM_MAX];
	size_t i = 0, len;
	bool incl = true;

	for (;;) {
		int r = RETRY(e, tree_next(&e->t, &k, incl, &out, buf, sizeof(buf), &len, F));

		if (r == -ENOENT)
			break;
		assert_int_equal(r, 0);
		assert_true(i < e->m.n);
		assert_int_equal(ad_key_cmp(&out, &e->m.it[i].k), 0);
		assert_int_equal(len, e->m.it[i].len);
		assert_memory_equal(buf, e->m.it[i].v, len);
		k = out;
		incl = false;
		i++;
	}
	assert_int_equal(i, e->m.n);
}

static void env_init(struct env *e, struct fakedisk *d)
{
	struct tree_io io = { d, fd_read, fd_free, fd_alloc, fd_emit };
	struct ad_bptr root;
	struct cpage *pg;

	memset(e, 0, sizeof(*e));
	e->d = d;
	assert_int_equal(pcache_init(&e->pc, 1 << 20), 0);
	/* An empty root leaf, dirty. */
	pg = pcache_new(&e->pc);
	ad_leaf_init(pg->data);
	ad_bptr_null(&root);
	root.addr[0] = pg->key;
	tree_init(&e->t, &e->pc, &io, d->seed, &root, 1, true);
}

static void env_free(struct env *e)
{
	for (size_t i = 0; i < e->m.n; i++)
		free(e->m.it[i].v);
	free(e->m.it);
	pcache_destroy(&e->pc);
}

static struct fakedisk *disk_new(void)
{
	struct fakedisk *d = calloc(1, sizeof(*d));
	uint8_t fmt[16] = "tree-test-fmtid";

	d->seed = ad_format_seed(fmt);
	d->corrupt_member = -1;
	return d;
}

static void disk_free(struct fakedisk *d)
{
	for (unsigned m = 0; m < NMIRROR; m++)
		for (unsigned b = 0; b < DISK_BLOCKS; b++)
			free(d->blk[m][b]);
	free(d);
}

static void random_ops(struct env *e, unsigned steps, unsigned keyspace, unsigned bigpct)
{
	uint8_t val[AD_ITEM_MAX];
	uint64_t gen = 2;

	for (unsigned s = 0; s < steps; s++) {
		struct ad_key k = { .oid = rnd() % keyspace, .type = (uint8_t)(1 + rnd() % 3),
				    .off = rnd() % 16 };
		unsigned op = (unsigned)(rnd() % 10);
		bool found;
		size_t i = mfind(&e->m, &k, &found);

		if (op < 6) {
			size_t len = rnd() % 100 < bigpct ? rnd() % (AD_ITEM_MAX + 1) : rnd() % 64;

			for (size_t b = 0; b < len; b++)
				val[b] = (uint8_t)rnd();
			assert_int_equal(RETRY(e, tree_put(&e->t, &k, val, len, F)), 0);
			mput(&e->m, &k, val, len);
		} else if (op < 9) {
			int r = RETRY(e, tree_del(&e->t, &k, F));

			if (found) {
				assert_int_equal(r, 0);
				mdel(&e->m, i);
			} else {
				assert_int_equal(r, -ENOENT);
			}
		} else if (found) {
			check_get(e, &e->m.it[i]);
		} else {
			assert_int_equal(RETRY(e, tree_get(&e->t, &k, val, sizeof(val), NULL, F)),
					 -ENOENT);
		}
		if (s % 997 == 0) {
			checkpoint(e, gen++);
			drop_clean(e);
		}
		if (s % 4999 == 0)
			check_all(e);
	}
	check_all(e);
	checkpoint(e, gen);
	drop_clean(e);
	check_all(e);
}

static void test_tree_random_small(void **state)
{
	struct fakedisk *d = disk_new();
	struct env e;

	env_init(&e, d);
	random_ops(&e, 60000, 5000, 2);
	print_message("items %zu height %u splits %llu merges %llu faults %llu pages emitted %llu\n",
		      e.m.n, e.t.height, (unsigned long long)e.t.splits,
		      (unsigned long long)e.t.merges, (unsigned long long)e.faults,
		      (unsigned long long)d->emitted);
	assert_true(e.t.height >= 3);
	assert_true(e.t.merges > 0);
	env_free(&e);
	disk_free(d);
}

/*
 * Fingers (tree.h): in a read-only stretch, lookups of present and absent
 * keys through a finger answer as full descents do, and keys near each
 * other skip descents; after a checkpoint and a cache drop, a reset finger
 * works again.
 */
static void finger_pass(struct env *e, uint64_t *hits, uint64_t *lookups)
{
	struct tree_finger fg = { 0 };
	uint8_t buf[AD_ITEM_MAX];

	for (size_t i = 0; i < e->m.n; i++) {
		const struct mitem *mi = &e->m.it[(i * 7) % e->m.n];
		struct ad_key gap = mi->k;
		size_t len = 0;
		bool found;

		if (i % 64 == 0)
			tree_finger_reset(&fg);
		assert_int_equal(RETRY(e, tree_get_near(&e->t, &mi->k, buf, sizeof(buf), &len, F,
							&fg)), 0);
		assert_int_equal(len, mi->len);
		assert_memory_equal(buf, mi->v, len);
		assert_int_equal(RETRY(e, tree_probe_near(&e->t, &mi->k, F, &fg)), 0);
		/* A key that is not there, inside the same leaf's range or past it. */
		gap.off = mi->k.off + 1;
		mfind(&e->m, &gap, &found);
		if (!found)
			assert_int_equal(RETRY(e, tree_get_near(&e->t, &gap, buf, sizeof(buf), NULL,
								F, &fg)), -ENOENT);
		*lookups += 2;
	}
	*hits += fg.hits;
}

static void test_tree_finger(void **state)
{
	struct fakedisk *d = disk_new();
	struct env e;
	uint64_t hits = 0, lookups = 0;

	env_init(&e, d);
	for (unsigned i = 0; i < 6000; i++) {
		struct ad_key k = { .oid = rnd() % 3000, .type = 1, .off = 2 * (rnd() % 8) };
		uint8_t val[40];

		memset(val, (int)i, sizeof(val));
		assert_int_equal(RETRY(&e, tree_put(&e.t, &k, val, sizeof(val), F)), 0);
		mput(&e.m, &k, val, sizeof(val));
	}
	assert_true(e.t.height >= 2);
	finger_pass(&e, &hits, &lookups);
	checkpoint(&e, 2);
	drop_clean(&e);
	finger_pass(&e, &hits, &lookups);
	/* Puts through one finger (split leaves, clean and dirty ones), deletes reset it. */
	{
		struct tree_finger fg = { 0 };

		for (unsigned s = 0; s < 30000; s++) {
			/* runs of eight puts near each other, as a transaction's */
			struct ad_key k = { .oid = (s / 8 * 131) % 3000, .type = 1, .off = rnd() % 16 };
			uint8_t val[64];
			size_t len = 1 + rnd() % sizeof(val);
			bool found;
			size_t i = mfind(&e.m, &k, &found);

			if (rnd() % 8 == 0) {
				tree_finger_reset(&fg);
				assert_int_equal(RETRY(&e, tree_del(&e.t, &k, F)), found ? 0 : -ENOENT);
				if (found)
					mdel(&e.m, i);
				continue;
			}
			memset(val, (int)s, len);
			assert_int_equal(RETRY(&e, tree_put_near(&e.t, &k, val, len, F, &fg)), 0);
			mput(&e.m, &k, val, len);
			if (s % 5000 == 4999) {
				check_all(&e);
				checkpoint(&e, 3 + s);
				tree_finger_reset(&fg);
				if (s % 10000 == 9999)
					drop_clean(&e);
			}
		}
		check_all(&e);
		print_message("finger: %llu puts went straight to a dirty leaf\n",
			      (unsigned long long)fg.hits);
		assert_true(fg.hits > 1000);
	}
	print_message("finger: %llu of %llu lookups skipped the descent\n",
		      (unsigned long long)hits, (unsigned long long)lookups);
	assert_true(hits > lookups / 2);   /* each probe after its get, at least */
	env_free(&e);
	disk_free(d);
}

static void test_tree_random_big_items(void **state)
{
	struct fakedisk *d = disk_new();
	struct env e;

	env_init(&e, d);
	random_ops(&e, 20000, 300, 60);
	env_free(&e);
	disk_free(d);
}

/* Delete everything in order, then in reverse: the tree shrinks back to one leaf. */
static void test_tree_shrink(void **state)
{
	struct fakedisk *d = disk_new();
	struct env e;
	uint8_t val[200];

	env_init(&e, d);
	memset(val, 7, sizeof(val));
	for (unsigned i = 0; i < 20000; i++) {
		struct ad_key k = { .oid = i, .type = 1 };

		assert_int_equal(RETRY(&e, tree_put(&e.t, &k, val, sizeof(val), F)), 0);
	}
	assert_true(e.t.height >= 3);
	checkpoint(&e, 2);
	drop_clean(&e);
	for (unsigned i = 0; i < 20000; i++) {
		struct ad_key k = { .oid = i % 2 ? 19999 - i / 2 : i / 2, .type = 1 };

		assert_int_equal(RETRY(&e, tree_del(&e.t, &k, F)), 0);
		if (i % 3000 == 0) {
			checkpoint(&e, 3 + i);
			drop_clean(&e);
		}
	}
	checkpoint(&e, 99999);
	assert_int_equal(e.t.height, 1);
	{
		struct ad_key k = { 0 }, out;

		assert_int_equal(RETRY(&e, tree_next(&e.t, &k, true, &out, NULL, 0, NULL, F)), -ENOENT);
	}
	/* Every page but the root was freed exactly once (fd_free asserts). */
	assert_int_equal(d->allocs - d->frees, 1);
	env_free(&e);
	disk_free(d);
}

/*
 * A checkpoint write without copies (pcache.h): between pcache_write_begin()
 * and pcache_write_end() the images tree_flush() emitted stay as they were
 * sealed while the tree goes on changing (updates, splits, deletes that
 * drop sealed pages), and only pages changed in that window were copied.
 */
static void test_tree_write_no_copy(void **state)
{
	struct fakedisk *d = disk_new();
	struct env e;
	uint8_t val[120];
	size_t n;

	(void)state;
	env_init(&e, d);
	for (unsigned i = 0; i < 4000; i++) {
		struct ad_key k = { .oid = rnd() % 100000, .type = 1 };

		memset(val, (int)(i & 0xff), sizeof(val));
		assert_int_equal(RETRY(&e, tree_put(&e.t, &k, val, sizeof(val), F)), 0);
		mput(&e.m, &k, val, sizeof(val));
	}
	d->rec = calloc(DISK_BLOCKS, sizeof(*d->rec));
	d->rec_copy = calloc(DISK_BLOCKS, sizeof(*d->rec_copy));
	assert_true(d->rec && d->rec_copy);
	d->recording = true;
	pcache_write_begin(&e.pc);
	checkpoint(&e, 2);
	d->recording = false;
	n = d->nrec;
	assert_true(n > 20);
	for (unsigned i = 0; i < 3000; i++) {
		struct ad_key k = { .oid = rnd() % 100000, .type = 1 };

		if (i % 3 == 0 && e.m.n) {
			size_t at = rnd() % e.m.n;

			assert_int_equal(RETRY(&e, tree_del(&e.t, &e.m.it[at].k, F)), 0);
			mdel(&e.m, at);
			continue;
		}
		memset(val, 0xa5, sizeof(val));
		assert_int_equal(RETRY(&e, tree_put(&e.t, &k, val, sizeof(val), F)), 0);
		mput(&e.m, &k, val, sizeof(val));
	}
	/* Every emitted image is still exactly what was sealed. */
	for (size_t i = 0; i < n; i++)
		assert_memory_equal(d->rec[i], d->rec_copy[i], AD_BLOCK);
	assert_true(e.pc.copies > 0 && e.pc.copies <= n);
	assert_non_null(e.pc.aside);
	pcache_write_end(&e.pc);
	assert_null(e.pc.aside);
	check_all(&e);
	checkpoint(&e, 3);
	drop_clean(&e);
	check_all(&e);
	for (size_t i = 0; i < n; i++)
		free(d->rec_copy[i]);
	free(d->rec_copy);
	free(d->rec);
	env_free(&e);
	disk_free(d);
}

/* Mirror 0 returns garbage: reads succeed from mirror 1 and the page moves. */
static void test_tree_mirror_repair(void **state)
{
	struct fakedisk *d = disk_new();
	struct env e;
	uint8_t val[50];
	uint64_t emitted;

	env_init(&e, d);
	memset(val, 3, sizeof(val));
	for (unsigned i = 0; i < 3000; i++) {
		struct ad_key k = { .oid = i, .type = 1 };

		assert_int_equal(RETRY(&e, tree_put(&e.t, &k, val, sizeof(val), F)), 0);
	}
	checkpoint(&e, 2);
	drop_clean(&e);
	d->corrupt_member = 0;
	{
		struct ad_key k = { .oid = 1234, .type = 1 };
		uint8_t out[50];

		assert_int_equal(RETRY(&e, tree_get(&e.t, &k, out, sizeof(out), NULL, F)), 0);
		assert_memory_equal(out, val, sizeof(val));
	}
	assert_true(e.pc.nrepair > 0);
	emitted = d->emitted;
	d->corrupt_member = -1;
	checkpoint(&e, 3);
	/* The repaired pages (and their path) were written again. */
	assert_true(d->emitted > emitted);
	assert_int_equal(e.pc.nrepair, 0);
	env_free(&e);
	disk_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_random_small),
		cmocka_unit_test(test_tree_random_big_items),
		cmocka_unit_test(test_tree_shrink),
		cmocka_unit_test(test_tree_mirror_repair),
		cmocka_unit_test(test_tree_write_no_copy),
		cmocka_unit_test(test_tree_finger),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
