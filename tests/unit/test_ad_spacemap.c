/*
 * test_ad_spacemap.c — Description: space map slot geometry and the slot
 * header: round trip, byte layout, every byte flipped, wrong format seed,
 * out-of-range and inconsistent fields, the largest data area a slot covers.
 */
#include "ad_test.h"

#define BITS AD_SM_BITS_PER_BLOCK

static uint32_t seed(void)
{
	return ad_format_seed(test_format_id);
}

static void expect_geometry(uint64_t d, uint32_t b, uint32_t i, uint64_t slot)
{
	uint32_t gb, gi;
	uint64_t gs;

	ad_sm_geometry(d, &gb, &gi, &gs);
	if (gb != b || gi != i || gs != slot)
		fail_msg("D=%llu: B=%u I=%u slot=%llu, expected %u %u %llu", (unsigned long long)d,
			 gb, gi, (unsigned long long)gs, b, i, (unsigned long long)slot);
}

static void test_sm_geometry(void **state)
{
	(void)state;
	expect_geometry(0, 0, 0, 1);
	expect_geometry(1, 1, 1, 4);
	expect_geometry(BITS, 1, 1, 4);
	expect_geometry(BITS + 1, 2, 1, 6);
	expect_geometry(512ull * BITS, 512, 1, 1 + 1 + 1024);
	expect_geometry(512ull * BITS + 1, 513, 2, 1 + 2 + 1026);
	/* The largest data area one slot header can index: 1007 index blocks. */
	expect_geometry((uint64_t)AD_SM_IDX_MAX * 512 * BITS, AD_SM_IDX_MAX * 512, AD_SM_IDX_MAX,
			1 + AD_SM_IDX_MAX + 2ull * AD_SM_IDX_MAX * 512);
	expect_geometry((uint64_t)AD_SM_IDX_MAX * 512 * BITS + 1, AD_SM_IDX_MAX * 512 + 1,
			AD_SM_IDX_MAX + 1, 1 + (AD_SM_IDX_MAX + 1) + 2ull * (AD_SM_IDX_MAX * 512 + 1));
	assert_int_equal(AD_SM_IDX_MAX, 1007);
	{
		/* Absurd sizes saturate instead of wrapping. */
		uint32_t b, i;
		uint64_t s;

		ad_sm_geometry(UINT64_MAX, &b, &i, &s);
		assert_int_equal(b, UINT32_MAX);
		assert_int_equal(i, UINT32_MAX);
		assert_true(s > UINT32_MAX);
	}
}

static void fill_hdr(struct ad_sm_hdr *h, uint64_t nblocks)
{
	memset(h, 0, sizeof(*h));
	h->generation = 12;
	h->nblocks = nblocks;
	ad_sm_geometry(nblocks, &h->bm_blocks, &h->idx_blocks, &(uint64_t){ 0 });
	h->used_count = nblocks / 3;
	h->pending_count = nblocks / 7;
	h->member_index = 5;
	for (uint32_t i = 0; i < h->idx_blocks && i < AD_SM_IDX_MAX; i++)
		h->idx_csum[i] = 0x9e3779b9u * (i + 1);
}

static void test_sm_roundtrip(void **state)
{
	static const uint64_t sizes[] = { 0, 1, 100000, 513ull * BITS, 600000ull * BITS / 2,
					  (uint64_t)AD_SM_IDX_MAX * 512 * BITS };
	struct ad_sm_hdr *h = malloc(sizeof(*h)), *back = malloc(sizeof(*back));
	uint8_t block[AD_BLOCK];
	char why[AD_WHY_MAX] = "";

	(void)state;
	assert_true(h && back);
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t csum;

		fill_hdr(h, sizes[s]);
		memset(block, 0xcc, sizeof(block));
		csum = ad_sm_hdr_encode(h, block, seed());
		/* Bytes as the format says. */
		assert_memory_equal(block, "SMAP", 4);
		assert_int_equal(ad_rd16(block + 4), AD_SM_VERSION);
		assert_int_equal(ad_rd16(block + 6), 0);
		assert_true(ad_rd64(block + 8) == 12);
		assert_true(ad_rd64(block + 16) == sizes[s]);
		assert_int_equal(ad_rd32(block + 24), h->bm_blocks);
		assert_int_equal(ad_rd32(block + 28), h->idx_blocks);
		assert_true(ad_rd64(block + 32) == h->used_count);
		assert_true(ad_rd64(block + 40) == h->pending_count);
		assert_int_equal(ad_rd32(block + 48), 5);
		if (h->idx_blocks)
			assert_int_equal(ad_rd32(block + 64), h->idx_csum[0]);
		assert_int_equal(ad_rd32(block + 4092), csum);
		assert_int_equal(csum, ad_crc32c(seed(), block, 4092));

		memset(back, 0x55, sizeof(*back));
		assert_int_equal(ad_sm_hdr_decode(block, seed(), back, why, sizeof(why)), 0);
		assert_true(back->generation == h->generation && back->nblocks == h->nblocks);
		assert_int_equal(back->bm_blocks, h->bm_blocks);
		assert_int_equal(back->idx_blocks, h->idx_blocks);
		assert_true(back->used_count == h->used_count);
		assert_true(back->pending_count == h->pending_count);
		assert_int_equal(back->member_index, h->member_index);
		assert_memory_equal(back->idx_csum, h->idx_csum, sizeof(h->idx_csum));
	}
	free(back);
	free(h);
}

static void test_sm_flip_every_byte(void **state)
{
	struct ad_sm_hdr *h = malloc(sizeof(*h));
	uint8_t block[AD_BLOCK];
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(h);
	fill_hdr(h, 600000ull * BITS / 2);     /* 300000 bitmap blocks, 586 index blocks */
	ad_sm_hdr_encode(h, block, seed());
	for (unsigned off = 0; off < AD_BLOCK; off++) {
		int rc;

		block[off] ^= 0x04;
		why[0] = '\0';
		rc = ad_sm_hdr_decode(block, seed(), h, why, sizeof(why));
		block[off] ^= 0x04;
		if (off < 4 ? rc != -ENOMSG : rc != -EUCLEAN)
			fail_msg("byte %u flipped: %d (%s)", off, rc, why);
		if (off >= 4)
			assert_reason(why, "space map header: checksum mismatch");
	}
	assert_int_equal(ad_sm_hdr_decode(block, seed(), h, why, sizeof(why)), 0);
	free(h);
}

static void test_sm_wrong_seed(void **state)
{
	struct ad_sm_hdr *h = malloc(sizeof(*h));
	uint8_t block[AD_BLOCK];
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(h);
	fill_hdr(h, 1000);
	ad_sm_hdr_encode(h, block, seed());
	assert_int_equal(ad_sm_hdr_decode(block, ad_format_seed(other_format_id), h, why,
					  sizeof(why)), -EUCLEAN);
	memset(block, 0, sizeof(block));
	assert_int_equal(ad_sm_hdr_decode(block, seed(), h, why, sizeof(why)), -ENOMSG);
	assert_reason(why, "space map header: magic 0x00000000");
	free(h);
}

static void test_sm_fields(void **state)
{
	struct ad_sm_hdr *h = malloc(sizeof(*h));
	uint8_t block[AD_BLOCK];
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(h);
#define BAD(setup, poke, part)                                                        \
	do {                                                                          \
		fill_hdr(h, 100000);                                                  \
		setup;                                                                \
		ad_sm_hdr_encode(h, block, seed());                                   \
		poke;                                                                 \
		ad_wr32(block + 4092, ad_crc32c(seed(), block, 4092));                \
		why[0] = '\0';                                                        \
		assert_int_equal(ad_sm_hdr_decode(block, seed(), h, why, sizeof(why)), \
				 -EUCLEAN);                                           \
		assert_reason(why, (part));                                           \
	} while (0)
	BAD((void)0, ad_wr16(block + 4, 2), "version 2");
	BAD((void)0, ad_wr16(block + 6, 1), "reserved");
	BAD((void)0, block[63] = 1, "reserved");
	BAD(h->generation = 0, (void)0, "generation 0");
	BAD(h->member_index = AD_MAX_MEMBERS, (void)0, "member 256");
	BAD(h->bm_blocks = 5, (void)0, "5 bitmap and 1 index blocks for 100000 blocks");
	BAD(h->idx_blocks = 2, (void)0, "expected 4 and 1");
	BAD(h->idx_blocks = 0, (void)0, "expected 4 and 1");
	BAD(h->used_count = 100001, (void)0, "100001 used");
	BAD(h->pending_count = h->used_count + 1, (void)0, "pending");
	BAD((void)0, ad_wr32(block + 64 + 4, 1), "unused index checksums");
	BAD((void)0, ad_wr32(block + 4088, 1), "unused index checksums");
	/* A data area one header cannot index (consistent geometry, I = 1008). */
	BAD(fill_hdr(h, (uint64_t)AD_SM_IDX_MAX * 512 * BITS + 1), (void)0,
	    "at most 1007 index blocks");
	/* Edges that are fine: everything used, everything pending. */
	fill_hdr(h, 100000);
	h->used_count = h->pending_count = 100000;
	ad_sm_hdr_encode(h, block, seed());
	assert_int_equal(ad_sm_hdr_decode(block, seed(), h, why, sizeof(why)), 0);
#undef BAD
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sm_geometry),
		cmocka_unit_test(test_sm_roundtrip),
		cmocka_unit_test(test_sm_flip_every_byte),
		cmocka_unit_test(test_sm_wrong_seed),
		cmocka_unit_test(test_sm_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
