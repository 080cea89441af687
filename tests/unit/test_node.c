/*
 * test_node.c — in-page editing of tree leaves and internal pages.
 *
 * Description: random inserts, updates and deletes on a leaf checked against
 * a model after every step (keys sorted, values intact, free-space accounting
 * exact, compaction transparent); splits and appends; internal page search
 * semantics; item records round trip and reject damage; a sealed page passes
 * ad_page_check().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ad_crc.h"
#include "ad_items.h"

#define MAXM 400

struct model {
	unsigned n;
	struct ad_key k[MAXM];
	size_t len[MAXM];
	uint8_t v[MAXM][AD_ITEM_MAX];
};

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned model_find(const struct model *m, const struct ad_key *k, bool *found)
{
	unsigned i = 0;

	*found = false;
	while (i < m->n && ad_key_cmp(&m->k[i], k) < 0)
		i++;
	if (i < m->n && ad_key_cmp(&m->k[i], k) == 0)
		*found = true;
	return i;
}

static void check_leaf(const void *page, const struct model *m)
{
	size_t used = 0;

	assert_int_equal(ad_leaf_nitems(page), m->n);
	for (unsigned i = 0; i < m->n; i++) {
		struct ad_key k;
		size_t len;
		const uint8_t *v = ad_leaf_val(page, i, &len);
		bool found;

		ad_leaf_key(page, i, &k);
		assert_int_equal(ad_key_cmp(&k, &m->k[i]), 0);
		assert_int_equal(len, m->len[i]);
		assert_memory_equal(v, m->v[i], len);
		assert_int_equal(ad_leaf_search(page, &k, &found), i);
		assert_true(found);
		used += AD_LEAF_ENTRY + len;
	}
	assert_int_equal(ad_leaf_used(page), used);
	assert_int_equal(ad_leaf_free(page), AD_BLOCK - AD_PAGE_HDR - used);
}

static void random_key(struct ad_key *k)
{
	k->oid = rnd() % 50;
	k->type = (uint8_t)(rnd() % 4);
	k->off = rnd() % 1000;
}

static void test_leaf_model(void **state)
{
	uint8_t *page = malloc(AD_BLOCK);
	struct model *m = calloc(1, sizeof(*m));

	ad_leaf_init(page);
	for (int step = 0; step < 20000; step++) {
		struct ad_key k;
		uint8_t val[AD_ITEM_MAX];
		size_t len = rnd() % 3 == 0 ? rnd() % 400 : rnd() % 40;
		bool found;
		unsigned i;
		int op = (int)(rnd() % 3), err;

		random_key(&k);
		for (size_t b = 0; b < len; b++)
			val[b] = (uint8_t)rnd();
		i = model_find(m, &k, &found);
		if (op == 0 && !found) {
			err = ad_leaf_insert(page, i, &k, val, len);
			if (err == -ENOSPC) {
				/* Must only fail when it truly does not fit. */
				assert_true(ad_leaf_free(page) < AD_LEAF_ENTRY + len);
				check_leaf(page, m);
				continue;
			}
			assert_int_equal(err, 0);
			memmove(&m->k[i + 1], &m->k[i], (m->n - i) * sizeof(m->k[0]));
			memmove(&m->len[i + 1], &m->len[i], (m->n - i) * sizeof(m->len[0]));
			memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(m->v[0]));
			m->k[i] = k;
			m->len[i] = len;
			memcpy(m->v[i], val, len);
			m->n++;
		} else if (op == 1 && found) {
			err = ad_leaf_update(page, i, val, len);
			if (err == -ENOSPC) {
				assert_true(ad_leaf_free(page) + m->len[i] < len);
				continue;
			}
			assert_int_equal(err, 0);
			m->len[i] = len;
			memcpy(m->v[i], val, len);
		} else if (op == 2 && found) {
			ad_leaf_delete(page, i);
			memmove(&m->k[i], &m->k[i + 1], (m->n - i - 1) * sizeof(m->k[0]));
			memmove(&m->len[i], &m->len[i + 1], (m->n - i - 1) * sizeof(m->len[0]));
			memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(m->v[0]));
			m->n--;
		}
		check_leaf(page, m);
	}
	free(m);
	free(page);
}

static void test_leaf_too_big(void **state)
{
	uint8_t page[AD_BLOCK], val[AD_ITEM_MAX + 1] = { 0 };
	struct ad_key k = { 1, 1, 1 };

	ad_leaf_init(page);
	assert_int_equal(ad_leaf_insert(page, 0, &k, val, AD_ITEM_MAX + 1), -E2BIG);
	assert_int_equal(ad_leaf_insert(page, 0, &k, val, AD_ITEM_MAX), 0);
	/* Two maximal items always fit one page (the split guarantee). */
	k.off = 2;
	assert_int_equal(ad_leaf_insert(page, 1, &k, val, AD_ITEM_MAX), 0);
}

static void test_leaf_split_append(void **state)
{
	uint8_t a[AD_BLOCK], b[AD_BLOCK];
	uint8_t val[100];
	unsigned n = 0;

	ad_leaf_init(a);
	for (;;) {
		struct ad_key k = { .oid = n, .type = 1, .off = n * 7 };

		memset(val, (int)n, sizeof(val));
		if (ad_leaf_insert(a, n, &k, val, sizeof(val)))
			break;
		n++;
	}
	assert_true(n > 20);
	ad_leaf_move_tail(a, n / 2, b);
	assert_int_equal(ad_leaf_nitems(a), n / 2);
	assert_int_equal(ad_leaf_nitems(b), n - n / 2);
	for (unsigned i = 0; i < ad_leaf_nitems(b); i++) {
		struct ad_key k;
		size_t len;
		const uint8_t *v = ad_leaf_val(b, i, &len);

		ad_leaf_key(b, i, &k);
		assert_int_equal(k.oid, n / 2 + i);
		assert_int_equal(len, sizeof(val));
		assert_int_equal(v[0], (uint8_t)(n / 2 + i));
	}
	assert_int_equal(ad_leaf_append(a, b), 0);
	assert_int_equal(ad_leaf_nitems(a), n);
	assert_int_equal(ad_leaf_append(a, b), -ENOSPC);
}

static void test_node_ops(void **state)
{
	uint8_t page[AD_BLOCK], other[AD_BLOCK];
	struct ad_bptr p, q;

	ad_node_init(page, 2);
	assert_int_equal(ad_page_level(page), 2);
	ad_bptr_null(&p);
	p.nmirrors = 2;
	p.level = 1;
	for (unsigned i = 0; i < AD_NODE_MAX; i++) {
		struct ad_key k = { .oid = i * 10, .type = 1, .off = 0 };

		p.addr[0] = ad_addr(0, 100 + i);
		p.addr[1] = ad_addr(1, 200 + i);
		p.csum = i;
		assert_int_equal(ad_node_insert(page, i, &k, &p), 0);
	}
	{
		struct ad_key k = { .oid = 9999 };

		assert_int_equal(ad_node_insert(page, AD_NODE_MAX, &k, &p), -ENOSPC);
	}
	for (unsigned i = 0; i < AD_NODE_MAX; i++) {
		struct ad_key k = { .oid = i * 10 + 5, .type = 0, .off = 0 };

		assert_int_equal(ad_node_search(page, &k), i);
		ad_node_ptr(page, i, &q);
		assert_int_equal(q.addr[0], ad_addr(0, 100 + i));
		assert_int_equal(q.addr[1], ad_addr(1, 200 + i));
		assert_int_equal(q.csum, i);
		assert_int_equal(q.nmirrors, 2);
	}
	{
		struct ad_key below = { .oid = 0, .type = 0, .off = 0 };

		assert_int_equal(ad_node_search(page, &below), 0);
	}
	ad_node_move_tail(page, 31, other);
	assert_int_equal(ad_node_nitems(page), 31);
	assert_int_equal(ad_node_nitems(other), AD_NODE_MAX - 31);
	ad_node_ptr(other, 0, &q);
	assert_int_equal(q.csum, 31);
	assert_int_equal(ad_node_append(page, other), 0);
	assert_int_equal(ad_node_nitems(page), AD_NODE_MAX);
	ad_node_delete(page, 0);
	ad_node_ptr(page, 0, &q);
	assert_int_equal(q.csum, 1);
}

static void test_records(void **state)
{
	struct ad_inode a = { .mode = 0100644, .uid = 1000, .gid = 100, .nlink = 3, .size = 12345,
			      .rdev = 0x0801, .generation = 77, .atime_sec = -5, .atime_nsec = 999999999,
			      .mtime_sec = 1700000000, .ctime_sec = 1, .btime_sec = 2, .blocks = 24,
			      .projid = 9, .nsubdirs = 1, .nentries = 4 };
	struct ad_inode b;
	struct ad_poolrec p = { .next_ino = 100, .next_igen = 5, .inodes = 7 }, q;
	uint8_t buf[AD_INODE_SIZE], pbuf[AD_POOLREC_SIZE];
	char why[AD_WHY_MAX];

	ad_inode_encode(&a, buf);
	assert_int_equal(ad_inode_decode(buf, sizeof(buf), &b, why, sizeof(why)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(ad_inode_decode(buf, 64, &b, why, sizeof(why)), -EUCLEAN);
	buf[0] = 9;
	assert_int_equal(ad_inode_decode(buf, sizeof(buf), &b, why, sizeof(why)), -EUCLEAN);
	ad_inode_encode(&a, buf);
	ad_wr32(buf + 80, 1000000000u);
	assert_int_equal(ad_inode_decode(buf, sizeof(buf), &b, why, sizeof(why)), -EUCLEAN);
	ad_inode_encode(&a, buf);
	ad_wr32(buf + 20, 0x80000000u);
	assert_int_equal(ad_inode_decode(buf, sizeof(buf), &b, why, sizeof(why)), -EUCLEAN);

	ad_poolrec_encode(&p, pbuf);
	assert_int_equal(ad_poolrec_decode(pbuf, sizeof(pbuf), &q, why, sizeof(why)), 0);
	assert_int_equal(q.next_ino, 100);
	assert_int_equal(q.inodes, 7);
	p.next_ino = 1;
	ad_poolrec_encode(&p, pbuf);
	assert_int_equal(ad_poolrec_decode(pbuf, sizeof(pbuf), &q, why, sizeof(why)), -EUCLEAN);
}

static void test_sealed_leaf_checks(void **state)
{
	uint8_t page[AD_BLOCK];
	uint8_t fmt[16] = { 1, 2, 3 };
	uint32_t seed = ad_format_seed(fmt), csum;
	struct ad_key k = { .oid = 1, .type = AD_KT_INODE };
	struct ad_page_hdr h = { .version = AD_PAGE_VERSION, .level = 0, .gen = 3,
				 .tree_id = AD_MAIN_TREE_ID, .self = ad_addr(2, 77) }, out;
	char why[AD_WHY_MAX];
	uint8_t v[10] = { 0 };

	ad_leaf_init(page);
	assert_int_equal(ad_leaf_insert(page, 0, &k, v, sizeof(v)), 0);
	h.nitems = 1;
	h.data_start = AD_BLOCK - sizeof(v);
	csum = ad_page_seal(page, &h, seed);
	assert_int_equal(ad_page_check(page, seed, ad_addr(2, 77), csum, 0, &out, why, sizeof(why)), 0);
	assert_int_equal(out.nitems, 1);
	page[AD_BLOCK - 1] ^= 1;
	assert_int_not_equal(ad_page_check(page, seed, ad_addr(2, 77), csum, 0, &out, why,
					   sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf_model),
		cmocka_unit_test(test_leaf_too_big),
		cmocka_unit_test(test_leaf_split_append),
		cmocka_unit_test(test_node_ops),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_sealed_leaf_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
