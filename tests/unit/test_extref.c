/*
 * test_extref.c — extent reference counts (engine/extref.c) in a real pool.
 *
 * Description: a 4+2 pool on six image files.  Extents are allocated through
 * transactions, then referenced and released in random order against a model
 * of their counts: after every transaction extref_get() equals the model, an
 * EXTREF item exists exactly while the count is above one and holds it, and
 * an extent whose count reaches zero is freed — its blocks stay allocated
 * until the second checkpoint after the free is durable, are free right
 * after it, and a reservation can then have them again.  Counts survive a
 * clean reopen and a journal replay.  Inside one transaction the count sees
 * the transaction's own allocation, frees and increments; a transaction that
 * fails changes nothing; bad arguments are refused.
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

#include "ad_items.h"
#include "argosfs.h"
#include "extref.h"
#include "pool.h"
#include "store.h"
#include "tpool.h"

#define NMEM 6
#define IMG  (64ull << 20)
#define NEXT 24                     /* extents in the random run */

static int setup(void **state)
{
	struct tpool *tp = calloc(1, sizeof(*tp));
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true, .journal_size = 4u << 20 };
	char why[256];

	assert_non_null(tp);
	if (tpool_make(tp, NULL, "extref", NMEM, IMG, &o, why, sizeof(why))) {
		tpool_remove(tp);
		fail_msg("pool: %s", why);
	}
	*state = tp;
	return 0;
}

static int teardown(void **state)
{
	tpool_remove(*state);
	free(*state);
	return 0;
}

static argos_pool *open_pool(struct tpool *tp)
{
	struct argos_open_opts o = { .commit_ms = 50, .ckpt_ms = 1000000 };
	argos_pool *p;
	char why[512];
	int err = tpool_open(tp, &o, &p, why, sizeof(why));

	if (err)
		fail_msg("open: %s (%s)", argos_strerror(err), why);
	return p;
}

/* ---- transactions --------------------------------------------------------------- */

enum { OP_ALLOC, OP_INC, OP_DEC, OP_GET };

struct step {
	int op;
	unsigned member;
	uint64_t block, n;
};

/* Up to 8 steps in one transaction; the results of each, and a final error. */
struct op_arg {
	unsigned nsteps;
	struct step s[8];
	int res[8];
	uint64_t refs[8];
	int fail;                 /* the function returns this at the end */
};

static int op_fn(struct txn *t, void *arg)
{
	struct op_arg *a = arg;

	for (unsigned i = 0; i < a->nsteps; i++) {
		const struct step *s = &a->s[i];
		int r = 0;

		switch (s->op) {
		case OP_ALLOC:
			r = txn_alloc(t, s->member, s->block, s->n);
			break;
		case OP_INC:
			r = extref_inc(t, s->member, s->block, s->n);
			break;
		case OP_DEC:
			r = extref_dec(t, s->member, s->block, s->n);
			break;
		case OP_GET:
			r = extref_get(t, s->member, s->block, s->n, &a->refs[i]);
			break;
		}
		if (r == -EAGAIN)
			return r;
		a->res[i] = r;
	}
	return a->fail;
}

/* One step in its own transaction: its result. */
static int run1(argos_pool *p, int op, unsigned member, uint64_t block, uint64_t n)
{
	struct op_arg a = { .nsteps = 1, .s = { { op, member, block, n } } };

	assert_int_equal(store_txn(&p->st, op_fn, &a, 0), 0);
	return a.res[0];
}

static uint64_t get_refs(argos_pool *p, unsigned member, uint64_t block, uint64_t n)
{
	struct op_arg a = { .nsteps = 1, .s = { { OP_GET, member, block, n } } };

	assert_int_equal(store_read(&p->st, op_fn, &a), 0);
	assert_int_equal(a.res[0], 0);
	return a.refs[0];
}

struct item_arg {
	struct ad_key k;
	int err;
	struct ad_extref x;
};

static int item_fn(struct txn *t, void *arg)
{
	struct item_arg *a = arg;
	uint8_t v[AD_ITEM_MAX];
	size_t len;
	char why[AD_WHY_MAX];
	int err = txn_get(t, &a->k, v, sizeof(v), &len);

	if (err == -EAGAIN)
		return err;
	a->err = err ? err : ad_extref_decode(v, len, &a->x, why, sizeof(why));
	return 0;
}

/* The EXTREF item of an extent: -ENOENT or 0 with *x. */
static int get_item(argos_pool *p, unsigned member, uint64_t block, struct ad_extref *x)
{
	struct item_arg a = { .k = { member, AD_KT_EXTREF, block } };

	assert_int_equal(store_read(&p->st, item_fn, &a), 0);
	*x = a.x;
	return a.err;
}

/* A new extent of n blocks on member, committed by a transaction. */
static uint64_t new_extent(argos_pool *p, unsigned member, uint64_t n)
{
	uint64_t block;

	assert_int_equal(alloc_reserve(&p->st.alloc, member, n, false, &block), 0);
	assert_int_equal(run1(p, OP_ALLOC, member, block, n), 0);
	return block;
}

/* Every block of the extent is marked used in the allocator. */
static bool blocks_used(argos_pool *p, unsigned member, uint64_t block, uint64_t n, bool *all)
{
	const struct alloc_member *m = &p->st.alloc.m[member];
	unsigned used = 0;

	for (uint64_t b = block - m->data_start; b < block - m->data_start + n; b++)
		used += sm_test(m->sm.used, b);
	*all = used == n;
	return used != 0;
}

/* ---- model -------------------------------------------------------------------------- */

struct mext {
	unsigned member;
	uint64_t block, n;
	uint64_t refs;
	int ckpts_since_free;     /* -1 while referenced */
};

static uint64_t rng = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void check_extent(argos_pool *p, const struct mext *e)
{
	struct ad_extref x;
	int err = get_item(p, e->member, e->block, &x);
	bool all;

	assert_int_equal(get_refs(p, e->member, e->block, e->n), e->refs);
	if (e->refs >= 2) {
		assert_int_equal(err, 0);
		assert_int_equal(x.refs, e->refs);
		assert_int_equal(x.nblocks, e->n);
	} else {
		assert_int_equal(err, -ENOENT);
	}
	if (e->refs > 0 || e->ckpts_since_free < 2) {
		/* referenced, or freed and waiting: every block stays allocated */
		assert_true(blocks_used(p, e->member, e->block, e->n, &all) && all);
		assert_int_equal(alloc_in_use(&p->st.alloc, e->member, e->block, e->n), e->refs > 0);
	}
}

static void checkpoint(argos_pool *p, struct mext *e, unsigned ne)
{
	bool all;

	assert_int_equal(argos_pool_checkpoint(p), 0);
	for (unsigned i = 0; i < ne; i++) {
		if (e[i].refs || e[i].ckpts_since_free < 0 || e[i].ckpts_since_free >= 2)
			continue;
		if (++e[i].ckpts_since_free == 2)
			/* released by this checkpoint, before anything could reuse it */
			assert_false(blocks_used(p, e[i].member, e[i].block, e[i].n, &all));
	}
}

/* ---- cases --------------------------------------------------------------------------- */

static void test_extref_random(void **state)
{
	struct tpool *f = *state;
	argos_pool *p = open_pool(f);
	struct mext e[NEXT];
	unsigned freed = 0, maxrefs = 0;

	for (unsigned i = 0; i < NEXT; i++) {
		e[i] = (struct mext){ .member = i % NMEM, .n = 1 + rnd() % 16, .refs = 1,
				      .ckpts_since_free = -1 };
		e[i].block = new_extent(p, e[i].member, e[i].n);
		check_extent(p, &e[i]);
	}
	for (unsigned step = 0; step < 600; step++) {
		struct mext *x = &e[rnd() % NEXT];
		bool inc = rnd() % 100 < 55;
		int r = run1(p, inc ? OP_INC : OP_DEC, x->member, x->block, x->n);

		if (x->refs == 0) {
			assert_int_equal(r, -ENOENT);        /* freed: nothing to reference */
		} else {
			assert_int_equal(r, 0);
			x->refs += inc ? 1 : -1;
			if (x->refs == 0) {
				x->ckpts_since_free = 0;
				freed++;
			}
		}
		if (x->refs > maxrefs)
			maxrefs = x->refs;
		check_extent(p, x);
		if (step % 50 == 49) {
			checkpoint(p, e, NEXT);
			for (unsigned i = 0; i < NEXT; i++)
				check_extent(p, &e[i]);
		}
	}
	print_message("%u extents freed, up to %u references\n", freed, maxrefs);
	assert_true(freed > 3 && maxrefs > 3);

	/* a clean reopen, then a journal replay, keep every count */
	assert_int_equal(argos_pool_close(p), 0);
	p = open_pool(f);
	for (unsigned i = 0; i < NEXT; i++)
		assert_int_equal(get_refs(p, e[i].member, e[i].block, e[i].n), e[i].refs);
	for (unsigned i = 0; i < NEXT; i++)
		if (e[i].refs)
			assert_int_equal(run1(p, OP_INC, e[i].member, e[i].block, e[i].n), 0);
	assert_int_equal(store_sync(&p->st), 0);
	p->st.err = -EIO;                     /* abandon it: no checkpoint */
	(void)argos_pool_close(p);
	p = open_pool(f);
	assert_true(p->replay.txns > 0);
	for (unsigned i = 0; i < NEXT; i++)
		assert_int_equal(get_refs(p, e[i].member, e[i].block, e[i].n),
				 e[i].refs ? e[i].refs + 1 : 0);
	assert_int_equal(argos_pool_close(p), 0);
}

/* The last reference frees the extent; it is reused only after two checkpoints. */
static void test_extref_free_and_reuse(void **state)
{
	struct tpool *f = *state;
	argos_pool *p = open_pool(f);
	struct alloc_member *m = &p->st.alloc.m[2];
	uint64_t blk = new_extent(p, 2, 8), again;
	bool all;

	assert_int_equal(get_refs(p, 2, blk, 8), 1);
	assert_int_equal(run1(p, OP_INC, 2, blk, 8), 0);
	assert_int_equal(run1(p, OP_INC, 2, blk, 8), 0);
	assert_int_equal(get_refs(p, 2, blk, 8), 3);
	assert_int_equal(run1(p, OP_DEC, 2, blk, 8), 0);
	assert_int_equal(run1(p, OP_DEC, 2, blk, 8), 0);
	assert_int_equal(get_refs(p, 2, blk, 8), 1);
	assert_true(alloc_in_use(&p->st.alloc, 2, blk, 8));
	assert_int_equal(run1(p, OP_DEC, 2, blk, 8), 0);      /* the last one */
	assert_int_equal(get_refs(p, 2, blk, 8), 0);
	assert_int_equal(run1(p, OP_DEC, 2, blk, 8), -ENOENT);
	assert_int_equal(run1(p, OP_INC, 2, blk, 8), -ENOENT);
	for (int c = 0; c < 2; c++) {
		/* not yet: a reservation from the extent's start goes elsewhere */
		assert_true(blocks_used(p, 2, blk, 8, &all) && all);
		m->cursor = blk - m->data_start;
		assert_int_equal(alloc_reserve(&p->st.alloc, 2, 8, false, &again), 0);
		assert_true(again >= blk + 8 || again + 8 <= blk);
		alloc_unreserve(&p->st.alloc, 2, again, 8);
		assert_int_equal(argos_pool_checkpoint(p), 0);
	}
	assert_false(blocks_used(p, 2, blk, 8, &all));
	m->cursor = blk - m->data_start;
	assert_int_equal(alloc_reserve(&p->st.alloc, 2, 8, false, &again), 0);
	assert_int_equal(again, blk);
	alloc_unreserve(&p->st.alloc, 2, again, 8);
	assert_int_equal(argos_pool_close(p), 0);
}

/* One transaction sees its own allocation, increments and frees. */
static void test_extref_in_one_txn(void **state)
{
	struct tpool *f = *state;
	argos_pool *p = open_pool(f);
	uint64_t blk, blk2;
	struct ad_extref x;

	assert_int_equal(alloc_reserve(&p->st.alloc, 1, 4, false, &blk), 0);
	{
		struct op_arg a = { .nsteps = 6, .s = {
			{ OP_GET, 1, blk, 4 }, { OP_ALLOC, 1, blk, 4 }, { OP_INC, 1, blk, 4 },
			{ OP_INC, 1, blk, 4 }, { OP_DEC, 1, blk, 4 }, { OP_GET, 1, blk, 4 } } };

		assert_int_equal(store_txn(&p->st, op_fn, &a, STORE_SYNC), 0);
		for (int i = 0; i < 6; i++)
			assert_int_equal(a.res[i], 0);
		assert_int_equal(a.refs[0], 0);      /* reserved is not in use */
		assert_int_equal(a.refs[5], 2);
	}
	assert_int_equal(get_item(p, 1, blk, &x), 0);
	assert_int_equal(x.refs, 2);
	assert_int_equal(x.nblocks, 4);
	/* down to zero and once more in one transaction: the second fails */
	{
		struct op_arg a = { .nsteps = 4, .s = {
			{ OP_DEC, 1, blk, 4 }, { OP_DEC, 1, blk, 4 }, { OP_GET, 1, blk, 4 },
			{ OP_DEC, 1, blk, 4 } } };

		assert_int_equal(store_txn(&p->st, op_fn, &a, 0), 0);
		assert_int_equal(a.res[0], 0);
		assert_int_equal(a.res[1], 0);
		assert_int_equal(a.refs[2], 0);
		assert_int_equal(a.res[3], -ENOENT);
	}
	assert_int_equal(get_refs(p, 1, blk, 4), 0);
	assert_int_equal(get_item(p, 1, blk, &x), -ENOENT);
	/* a transaction that fails leaves the count alone */
	blk2 = new_extent(p, 1, 3);
	{
		struct op_arg a = { .nsteps = 2, .s = { { OP_INC, 1, blk2, 3 }, { OP_INC, 1, blk2, 3 } },
				    .fail = -ECANCELED };

		assert_int_equal(store_txn(&p->st, op_fn, &a, 0), -ECANCELED);
		assert_int_equal(get_refs(p, 1, blk2, 3), 1);
		assert_int_equal(get_item(p, 1, blk2, &x), -ENOENT);
	}
	/* bad arguments */
	assert_int_equal(run1(p, OP_INC, 1, blk2, 0), -EINVAL);
	assert_int_equal(run1(p, OP_INC, NMEM, blk2, 3), -EINVAL);
	assert_int_equal(run1(p, OP_INC, 1, blk2, 3), 0);
	assert_int_equal(run1(p, OP_INC, 1, blk2, 2), -EINVAL);   /* item says 3 blocks */
	assert_int_equal(run1(p, OP_DEC, 1, blk2, 4), -EINVAL);
	assert_int_equal(get_refs(p, 1, blk2, 3), 2);
	assert_int_equal(argos_pool_close(p), 0);
}

/* The record: what ad_extref_encode writes, ad_extref_decode reads and checks. */
static void test_extref_record(void **state)
{
	struct ad_extref x = { .refs = 0x0102030405060708ull, .nblocks = 0x1112131415161718ull }, y;
	uint8_t v[AD_EXTREF_SIZE + 8];
	char why[AD_WHY_MAX];

	(void)state;
	ad_extref_encode(&x, v);
	assert_int_equal(ad_extref_decode(v, AD_EXTREF_SIZE, &y, why, sizeof(why)), 0);
	assert_int_equal(y.refs, x.refs);
	assert_int_equal(y.nblocks, x.nblocks);
	assert_int_equal(ad_extref_decode(v, AD_EXTREF_SIZE - 1, &y, why, sizeof(why)), -EUCLEAN);
	x.refs = 1;
	ad_extref_encode(&x, v);
	assert_int_equal(ad_extref_decode(v, AD_EXTREF_SIZE, &y, why, sizeof(why)), -EUCLEAN);
	x.refs = 2;
	x.nblocks = 0;
	ad_extref_encode(&x, v);
	assert_int_equal(ad_extref_decode(v, AD_EXTREF_SIZE, &y, why, sizeof(why)), -EUCLEAN);
	x.nblocks = 1;
	ad_extref_encode(&x, v);
	v[0] = 2;                                              /* version */
	assert_int_equal(ad_extref_decode(v, AD_EXTREF_SIZE, &y, why, sizeof(why)), -EUCLEAN);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_extref_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extref_free_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extref_in_one_txn, setup, teardown),
		cmocka_unit_test(test_extref_record),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);   /* one case by name, for debugging */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
