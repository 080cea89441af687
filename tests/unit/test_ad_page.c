/*
 * test_ad_page.c — Description: metadata tree pages: seal and check leaf and
 * internal pages, every byte flipped, parent checksum, misdirected I/O (self
 * address), level, wrong format seed, and bounds of entries and values.
 */
#include "ad_test.h"

#define PAGE_ADDR  ad_addr(1, 501)
#define PAGE_GEN   7

static uint32_t seed(void)
{
	return ad_format_seed(test_format_id);
}

static uint8_t *leaf_entry(uint8_t *page, unsigned i)
{
	return page + AD_PAGE_HDR + (size_t)i * AD_LEAF_ENTRY;
}

static uint8_t *node_entry(uint8_t *page, unsigned i)
{
	return page + AD_PAGE_HDR + (size_t)i * AD_NODE_ENTRY;
}

static struct ad_page_hdr leaf_hdr(unsigned n, unsigned data_start)
{
	struct ad_page_hdr h = {
		.version = AD_PAGE_VERSION, .level = 0, .nitems = (uint16_t)n, .flags = 0,
		.gen = PAGE_GEN, .tree_id = AD_MAIN_TREE_ID, .self = PAGE_ADDR,
		.data_start = (uint16_t)data_start,
	};
	return h;
}

/* A leaf with n items (keys ino i+1), value i of 10 + i bytes packed from the end. */
static uint32_t build_leaf(uint8_t *page, unsigned n)
{
	unsigned ds = AD_BLOCK;
	struct ad_page_hdr h;

	memset(page, 0, AD_BLOCK);
	for (unsigned i = 0; i < n; i++) {
		struct ad_key k = { i + 1, AD_KT_INODE, 0 };
		unsigned len = 10 + i;

		ds -= len;
		memset(page + ds, (int)(0x40 + i), len);
		ad_key_encode(&k, leaf_entry(page, i));
		ad_wr16(leaf_entry(page, i) + AD_KEY_SIZE, (uint16_t)ds);
		ad_wr16(leaf_entry(page, i) + AD_KEY_SIZE + 2, (uint16_t)len);
	}
	h = leaf_hdr(n, ds);
	return ad_page_seal(page, &h, seed());
}

/* An internal page at `level` with n children, each mirrored twice. */
static uint32_t build_node(uint8_t *page, unsigned n, unsigned level)
{
	struct ad_page_hdr h = leaf_hdr(n, 0);

	memset(page, 0, AD_BLOCK);
	for (unsigned i = 0; i < n; i++) {
		struct ad_key k = { 100 + i, AD_KT_DIRENT, i * 1000ull };
		struct ad_bptr p;

		ad_key_encode(&k, node_entry(page, i));
		ad_bptr_null(&p);
		p.nmirrors = 2;
		p.addr[0] = ad_addr(i % 7, 1000 + i);
		p.addr[1] = ad_addr(i % 7 + 1, 2000 + i);
		p.csum = 0xabc00000u + i;
		p.level = (uint8_t)(level - 1);
		p.gen = PAGE_GEN - (i % 3);
		ad_bptr_encode(&p, (struct ad_bptr_wire *)(node_entry(page, i) + AD_KEY_SIZE));
	}
	h.level = (uint16_t)level;
	return ad_page_seal(page, &h, seed());
}

/* Recompute the checksum after poking bytes, so the structural check is what fails. */
static void reseal(uint8_t *page)
{
	ad_wr32(page + 4, ad_crc32c(seed(), page + 8, AD_BLOCK - 8));
}

static int check(const uint8_t *page, char *why)
{
	struct ad_page_hdr h;

	why[0] = '\0';
	return ad_page_check(page, seed(), PAGE_ADDR, 0, -1, &h, why, AD_WHY_MAX);
}

/* ---- round trips ------------------------------------------------------ */

static void test_page_leaf_roundtrip(void **state)
{
	uint8_t page[AD_BLOCK];
	struct ad_page_hdr h;
	char why[AD_WHY_MAX] = "";
	uint32_t csum = build_leaf(page, 20);

	(void)state;
	/* Header bytes as the format says. */
	assert_int_equal(ad_rd32(page + 0), AD_PAGE_MAGIC);
	assert_memory_equal(page, "PAGE", 4);
	assert_int_equal(ad_rd32(page + 4), csum);
	assert_int_equal(csum, ad_crc32c(seed(), page + 8, AD_BLOCK - 8));
	assert_int_equal(ad_rd16(page + 8), AD_PAGE_VERSION);
	assert_int_equal(ad_rd16(page + 10), 0);
	assert_int_equal(ad_rd16(page + 12), 20);
	assert_true(ad_rd64(page + 16) == PAGE_GEN);
	assert_true(ad_rd64(page + 24) == AD_MAIN_TREE_ID);
	assert_true(ad_rd64(page + 32) == PAGE_ADDR);
	assert_int_equal(ad_rd16(page + 40), AD_BLOCK - (20 * 10 + 190));

	memset(&h, 0, sizeof(h));
	assert_int_equal(ad_page_check(page, seed(), PAGE_ADDR, csum, 0, &h, why, sizeof(why)), 0);
	assert_int_equal(h.version, AD_PAGE_VERSION);
	assert_int_equal(h.level, 0);
	assert_int_equal(h.nitems, 20);
	assert_int_equal(h.flags, 0);
	assert_true(h.gen == PAGE_GEN && h.tree_id == AD_MAIN_TREE_ID && h.self == PAGE_ADDR);
	assert_int_equal(h.data_start, AD_BLOCK - 390);
	/* h may be NULL. */
	assert_int_equal(ad_page_check(page, seed(), PAGE_ADDR, csum, 0, NULL, why, sizeof(why)), 0);
}

static void test_page_node_roundtrip(void **state)
{
	uint8_t page[AD_BLOCK];
	struct ad_page_hdr h;
	char why[AD_WHY_MAX] = "";
	uint32_t csum = build_node(page, 62, 3);   /* 62 children: the most that fit */

	(void)state;
	assert_int_equal(ad_page_check(page, seed(), PAGE_ADDR, csum, 3, &h, why, sizeof(why)), 0);
	assert_int_equal(h.level, 3);
	assert_int_equal(h.nitems, 62);
	assert_int_equal(h.data_start, 0);
}

static void test_page_empty_leaf(void **state)
{
	uint8_t page[AD_BLOCK];
	char why[AD_WHY_MAX];

	(void)state;
	build_leaf(page, 0);
	assert_int_equal(ad_rd16(page + 40), AD_BLOCK);
	assert_int_equal(check(page, why), 0);
}

/* Seal clears the reserved header bytes and covers the whole page. */
static void test_page_seal_clears_reserved(void **state)
{
	uint8_t page[AD_BLOCK];
	struct ad_page_hdr h = leaf_hdr(0, AD_BLOCK);
	char why[AD_WHY_MAX];

	(void)state;
	memset(page, 0xee, AD_BLOCK);
	memset(page + AD_PAGE_HDR, 0, AD_BLOCK - AD_PAGE_HDR);
	ad_page_seal(page, &h, seed());
	for (unsigned i = 42; i < AD_PAGE_HDR; i++)
		assert_int_equal(page[i], 0);
	assert_int_equal(check(page, why), 0);
}

/* ---- damage ------------------------------------------------------------- */

static void flip_all(uint8_t *page)
{
	char why[AD_WHY_MAX];

	for (unsigned off = 0; off < AD_BLOCK; off++) {
		int rc;

		page[off] ^= 0x01;
		rc = check(page, why);
		page[off] ^= 0x01;
		if (off < 4 && rc != -ENOMSG)
			fail_msg("magic byte %u flipped: %d (%s)", off, rc, why);
		if (off >= 4 && rc != -EUCLEAN)
			fail_msg("byte %u flipped: %d (%s)", off, rc, why);
		if (off >= 4)
			assert_reason(why, "page at member 1 block 501: checksum mismatch");
	}
	assert_int_equal(check(page, why), 0);
}

static void test_page_flip_every_byte(void **state)
{
	uint8_t page[AD_BLOCK];

	(void)state;
	build_leaf(page, 30);
	flip_all(page);
	build_node(page, 10, 1);
	flip_all(page);
}

static void test_page_parent_csum(void **state)
{
	uint8_t page[AD_BLOCK];
	char why[AD_WHY_MAX];
	uint32_t csum = build_leaf(page, 3);

	(void)state;
	assert_int_equal(ad_page_check(page, seed(), PAGE_ADDR, csum ^ 1, -1, NULL, why,
				       sizeof(why)), -EUCLEAN);
	assert_reason(why, "does not match parent's 0x");
	/* A stale copy: a whole, valid page, but not the one the parent points at. */
	build_leaf(page, 4);
	assert_int_equal(ad_page_check(page, seed(), PAGE_ADDR, csum, -1, NULL, why, sizeof(why)),
			 -EUCLEAN);
	assert_reason(why, "page at member 1 block 501: checksum 0x");
}

static void test_page_wrong_seed(void **state)
{
	uint8_t page[AD_BLOCK];
	char why[AD_WHY_MAX];

	(void)state;
	build_leaf(page, 3);
	/* A page left by an earlier mkfs of the device. */
	assert_int_equal(ad_page_check(page, ad_format_seed(other_format_id), PAGE_ADDR, 0, -1,
				       NULL, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "checksum mismatch");
}

static void test_page_misdirected(void **state)
{
	uint8_t page[AD_BLOCK];
	char why[AD_WHY_MAX];

	(void)state;
	build_leaf(page, 3);
	assert_int_equal(ad_page_check(page, seed(), ad_addr(1, 502), 0, -1, NULL, why,
				       sizeof(why)), -EUCLEAN);
	assert_reason(why, "page at member 1 block 502: written for member 1 block 501");
	assert_int_equal(ad_page_check(page, seed(), ad_addr(2, 501), 0, -1, NULL, why,
				       sizeof(why)), -EUCLEAN);
	assert_reason(why, "misdirected");
	/* No address given: not checked. */
	assert_int_equal(ad_page_check(page, seed(), AD_ADDR_NONE, 0, -1, NULL, why, sizeof(why)),
			 0);
}

static void test_page_level(void **state)
{
	uint8_t page[AD_BLOCK];
	char why[AD_WHY_MAX];

	(void)state;
	build_leaf(page, 3);
	assert_int_equal(ad_page_check(page, seed(), PAGE_ADDR, 0, 1, NULL, why, sizeof(why)),
			 -EUCLEAN);
	assert_reason(why, "level 0, expected 1");
	build_node(page, 3, 2);
	assert_int_equal(ad_page_check(page, seed(), PAGE_ADDR, 0, 1, NULL, why, sizeof(why)),
			 -EUCLEAN);
	assert_int_equal(ad_page_check(page, seed(), PAGE_ADDR, 0, 2, NULL, why, sizeof(why)), 0);
}

static void test_page_no_magic(void **state)
{
	uint8_t page[AD_BLOCK];
	char why[AD_WHY_MAX];

	(void)state;
	memset(page, 0, AD_BLOCK);
	assert_int_equal(check(page, why), -ENOMSG);
	assert_reason(why, "page at member 1 block 501: magic 0x00000000, expected 0x45474150");
}

/* ---- header fields and bounds (checksum recomputed each time) ------------ */

static void expect_bad(uint8_t *page, const char *part)
{
	char why[AD_WHY_MAX];

	reseal(page);
	if (check(page, why) != -EUCLEAN)
		fail_msg("expected -EUCLEAN mentioning \"%s\", got \"%s\"", part, why);
	assert_reason(why, part);
}

static void test_page_header_fields(void **state)
{
	static const struct { unsigned off, size; uint64_t value; const char *reason; } bad[] = {
		{ 8, 2, 2, "version 2" },
		{ 14, 2, 1, "flags 0x1" },
		{ 16, 8, 0, "generation 0" },
		{ 24, 8, 0, "tree 0" },
		{ 63, 1, 1, "reserved" },
	};
	uint8_t page[AD_BLOCK];

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build_leaf(page, 5);
		if (bad[i].size == 1)
			page[bad[i].off] = (uint8_t)bad[i].value;
		else if (bad[i].size == 2)
			ad_wr16(page + bad[i].off, (uint16_t)bad[i].value);
		else
			ad_wr64(page + bad[i].off, bad[i].value);
		expect_bad(page, bad[i].reason);
	}
}

static void test_page_leaf_bounds(void **state)
{
	uint8_t page[AD_BLOCK];
	char why[AD_WHY_MAX];
	unsigned ds;

	(void)state;
	/* data_start below the entry array. */
	build_leaf(page, 5);
	ad_wr16(page + 40, AD_PAGE_HDR + 5 * AD_LEAF_ENTRY - 1);
	expect_bad(page, "5 items with values from 168");
	/* data_start past the page. */
	build_leaf(page, 0);
	ad_wr16(page + 40, AD_BLOCK + 1);
	expect_bad(page, "values from 4097");
	/* More entries than the page holds. */
	build_leaf(page, 5);
	ad_wr16(page + 12, 200);
	expect_bad(page, "200 items");
	/* A value below data_start. */
	build_leaf(page, 5);
	ds = ad_rd16(page + 40);
	ad_wr16(leaf_entry(page, 2) + AD_KEY_SIZE, (uint16_t)(ds - 1));
	expect_bad(page, "item 2 value at");
	/* A value running off the end. */
	build_leaf(page, 5);
	ad_wr16(leaf_entry(page, 0) + AD_KEY_SIZE + 2, 11);
	expect_bad(page, "item 0 value at 4086, 11 bytes");
	/* A value larger than an item may be, though it fits the page. */
	build_leaf(page, 1);
	ad_wr16(page + 40, AD_BLOCK - AD_ITEM_MAX - 1);
	ad_wr16(leaf_entry(page, 0) + AD_KEY_SIZE, AD_BLOCK - AD_ITEM_MAX - 1);
	ad_wr16(leaf_entry(page, 0) + AD_KEY_SIZE + 2, AD_ITEM_MAX + 1);
	expect_bad(page, "1985 bytes");
	ad_wr16(leaf_entry(page, 0) + AD_KEY_SIZE + 2, AD_ITEM_MAX);
	reseal(page);
	assert_int_equal(check(page, why), 0);
	/* An empty value at the very end is inside the page. */
	build_leaf(page, 1);
	ad_wr16(leaf_entry(page, 0) + AD_KEY_SIZE, AD_BLOCK);
	ad_wr16(leaf_entry(page, 0) + AD_KEY_SIZE + 2, 0);
	reseal(page);
	assert_int_equal(check(page, why), 0);
}

static void test_page_leaf_order(void **state)
{
	uint8_t page[AD_BLOCK];
	struct ad_key k;

	(void)state;
	build_leaf(page, 5);                   /* equal keys */
	memcpy(leaf_entry(page, 3), leaf_entry(page, 2), AD_KEY_SIZE);
	expect_bad(page, "item 3 out of key order");
	build_leaf(page, 5);                   /* smaller type, same oid */
	ad_key_decode(leaf_entry(page, 4), &k);
	k.oid = 4;
	k.type = 0;
	ad_key_encode(&k, leaf_entry(page, 4));
	expect_bad(page, "item 4 out of key order");
}

static void test_page_node_bounds(void **state)
{
	uint8_t page[AD_BLOCK];
	struct ad_bptr_wire *w;

	(void)state;
	build_node(page, 3, 1);
	ad_wr16(page + 12, 0);
	expect_bad(page, "internal page with 0 children");
	build_node(page, 62, 1);
	ad_wr16(page + 12, 63);
	expect_bad(page, "63 children");
	build_node(page, 3, 1);
	ad_wr16(page + 40, 4096);
	expect_bad(page, "data_start 4096");
	build_node(page, 3, 1);                /* keys out of order */
	memcpy(node_entry(page, 2), node_entry(page, 0), AD_KEY_SIZE);
	expect_bad(page, "child 2 out of key order");
	build_node(page, 3, 2);                /* child at the wrong level */
	node_entry(page, 1)[AD_KEY_SIZE + 37] = 0;
	expect_bad(page, "child 1 at level 0");
	build_node(page, 3, 1);                /* null child */
	w = (struct ad_bptr_wire *)(node_entry(page, 2) + AD_KEY_SIZE);
	{
		struct ad_bptr nul;

		ad_bptr_null(&nul);
		ad_bptr_encode(&nul, w);
	}
	expect_bad(page, "0 mirrors");
	build_node(page, 3, 1);                /* child newer than its parent */
	w = (struct ad_bptr_wire *)(node_entry(page, 0) + AD_KEY_SIZE);
	ad_put64(w->gen, PAGE_GEN + 1);
	expect_bad(page, "generation 8");
	build_node(page, 3, 1);                /* malformed child pointer */
	w = (struct ad_bptr_wire *)(node_entry(page, 1) + AD_KEY_SIZE);
	w->addr[1] = w->addr[0];
	expect_bad(page, "child 1: block pointer: mirrors 0 and 1 both on member");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_leaf_roundtrip),
		cmocka_unit_test(test_page_node_roundtrip),
		cmocka_unit_test(test_page_empty_leaf),
		cmocka_unit_test(test_page_seal_clears_reserved),
		cmocka_unit_test(test_page_flip_every_byte),
		cmocka_unit_test(test_page_parent_csum),
		cmocka_unit_test(test_page_wrong_seed),
		cmocka_unit_test(test_page_misdirected),
		cmocka_unit_test(test_page_level),
		cmocka_unit_test(test_page_no_magic),
		cmocka_unit_test(test_page_header_fields),
		cmocka_unit_test(test_page_leaf_bounds),
		cmocka_unit_test(test_page_leaf_order),
		cmocka_unit_test(test_page_node_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
