/*
 * test_layout.c — member region placement and default geometry.
 *
 * Description: for member sizes from the minimum to 16 TiB, the regions do not
 * overlap, stay inside [1 MiB, E - 1 MiB), are 4 KiB aligned, and the space
 * map slot covers every data block; default k/m/chunk follow the documented
 * rules; bad chunk sizes are refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ad_format.h"
#include "layout.h"

static void check_one(uint64_t size, uint64_t jlen)
{
	struct member_layout l;
	uint32_t bm, idx;
	uint64_t slot;

	assert_int_equal(layout_member(size, jlen, &l), 0);
	assert_int_equal(l.end % AD_END_ALIGN, 0);
	assert_true(l.end <= size);
	assert_int_equal(l.journal_off, 1u << 20);
	assert_int_equal(l.journal_len, jlen);
	assert_int_equal(l.spacemap_off, l.journal_off + l.journal_len);
	assert_true(l.data_off >= l.spacemap_off + l.spacemap_len);
	assert_int_equal(l.data_off + l.data_len, l.end - AD_BACK_RESERVED);
	assert_int_equal(l.data_off % AD_BLOCK, 0);
	assert_int_equal(l.data_len % AD_BLOCK, 0);
	assert_int_equal(l.spacemap_len, 2 * l.sm_slot_blocks * AD_BLOCK);
	/* The slot must be big enough for the data blocks it covers. */
	ad_sm_geometry(l.data_blocks, &bm, &idx, &slot);
	assert_true(slot <= l.sm_slot_blocks);
	assert_true((uint64_t)bm * AD_SM_BITS_PER_BLOCK >= l.data_blocks);
	assert_true(idx <= AD_SM_IDX_MAX);
	/* The back superblock areas are beyond the data. */
	assert_true(ad_sb_area_offset(0, true, size) >= l.data_off + l.data_len);
	assert_true(ad_sb_area_offset(1, false, size) + AD_SB_AREA <= l.journal_off);
}

static void test_layout_sizes(void **state)
{
	uint64_t sizes[] = { 32ull << 20, (32ull << 20) + 12345, 64ull << 20, 100ull << 20,
			     1ull << 30, (1ull << 30) + 4096 * 7 + 511, 1ull << 40, 16ull << 40 };

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_one(sizes[i], layout_default_journal(sizes[i]));
}

static void test_layout_too_small(void **state)
{
	struct member_layout l;

	assert_int_equal(layout_member(16ull << 20, 4ull << 20, &l), -ENOSPC);
	assert_int_equal(layout_member(32ull << 20, 28ull << 20, &l), -ENOSPC);
}

static void test_layout_defaults(void **state)
{
	assert_int_equal(layout_default_m(1), 0);
	assert_int_equal(layout_default_m(2), 1);
	assert_int_equal(layout_default_m(3), 1);
	assert_int_equal(layout_default_m(4), 2);
	assert_int_equal(layout_default_m(12), 2);
	assert_int_equal(layout_default_journal(32ull << 20), 4ull << 20);
	assert_int_equal(layout_default_journal(1ull << 30), 64ull << 20);
	assert_int_equal(layout_default_journal(1ull << 40), 256ull << 20);
	assert_int_equal(layout_default_chunk(4, 2), 256u << 10);
	assert_int_equal(layout_default_chunk(8, 2), 128u << 10);
	for (unsigned k = 1; k <= AD_MAX_K; k++)
		for (unsigned m = 0; m <= AD_MAX_M; m++)
			assert_int_equal(layout_check_chunk(k, m, layout_default_chunk(k, m)), 0);
}

static void test_layout_chunk_checks(void **state)
{
	assert_int_equal(layout_check_chunk(4, 2, 3000), -EINVAL);
	assert_int_equal(layout_check_chunk(4, 2, 2048), -EINVAL);
	assert_int_equal(layout_check_chunk(4, 2, 2u << 20), -EINVAL);
	assert_int_equal(layout_check_chunk(4, 2, 4096), 0);
	assert_int_equal(layout_check_chunk(4, 2, 256u << 10), 0);
	/* 16+3 with 1 MiB chunks: the stripe record would not fit an item. */
	assert_int_equal(layout_check_chunk(16, 3, 1u << 20), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_sizes),
		cmocka_unit_test(test_layout_too_small),
		cmocka_unit_test(test_layout_defaults),
		cmocka_unit_test(test_layout_chunk_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
