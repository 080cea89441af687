/*
 * test_ad_defer.c — Description: deferred write records (ondisk/ad_defer.c)
 * round-trip at every size from 1 to AD_DEFER_MAX; the encoder refuses a
 * count of 0 or over the maximum and a short buffer; the decoder refuses
 * every short value, a wrong version, a length other than the item's and a
 * count that does not match the length.
 */
#include "ad_defer.h"
#include "ad_test.h"

static void test_defer_roundtrip(void **state)
{
	uint8_t data[AD_DEFER_MAX], rec[AD_ITEM_MAX];

	(void)state;
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 7);
	for (uint32_t n = 1; n <= AD_DEFER_MAX; n += n < 20 ? 1 : 97) {
		struct ad_defer d = { .wgen = 0x0102030405060708ull + n, .count = n, .data = data };
		struct ad_defer back;
		int len = ad_defer_encode(&d, rec, sizeof(rec));

		assert_int_equal(len, AD_DEFER_HDR + (int)n);
		assert_int_equal(ad_defer_decode(rec, (size_t)len, &back, NULL, 0), 0);
		assert_int_equal(back.count, n);
		assert_true(back.wgen == d.wgen);
		assert_ptr_equal(back.data, rec + AD_DEFER_HDR);
		assert_memory_equal(back.data, data, n);
	}
	{
		struct ad_defer d = { .wgen = 1, .count = AD_DEFER_MAX, .data = data };
		struct ad_defer back;

		assert_int_equal(ad_defer_encode(&d, rec, sizeof(rec)), AD_ITEM_MAX);
		assert_int_equal(ad_defer_decode(rec, AD_ITEM_MAX, &back, NULL, 0), 0);
	}
}

static void test_defer_encode_refuses(void **state)
{
	uint8_t data[AD_DEFER_MAX + 1] = { 0 }, rec[AD_ITEM_MAX + 16];
	struct ad_defer d = { .wgen = 1, .data = data };

	(void)state;
	d.count = 0;
	assert_int_equal(ad_defer_encode(&d, rec, sizeof(rec)), -EINVAL);
	d.count = AD_DEFER_MAX + 1;
	assert_int_equal(ad_defer_encode(&d, rec, sizeof(rec)), -EINVAL);
	d.count = 100;
	assert_int_equal(ad_defer_encode(&d, rec, AD_DEFER_HDR + 99), -E2BIG);
	assert_int_equal(ad_defer_encode(&d, rec, AD_DEFER_HDR + 100), AD_DEFER_HDR + 100);
}

static void test_defer_decode_refuses(void **state)
{
	uint8_t data[40], rec[AD_ITEM_MAX], bad[AD_ITEM_MAX];
	struct ad_defer d = { .wgen = 77, .count = sizeof(data), .data = data }, back;
	char why[AD_WHY_MAX];
	int len;

	(void)state;
	memset(data, 0xab, sizeof(data));
	len = ad_defer_encode(&d, rec, sizeof(rec));
	assert_int_equal(len, AD_DEFER_HDR + 40);
	for (int l = 0; l < len; l++)   /* every shorter value */
		assert_int_equal(ad_defer_decode(rec, (size_t)l, &back, NULL, 0), -EUCLEAN);
	memcpy(bad, rec, (size_t)len);
	ad_wr16(bad, 2);   /* version */
	assert_int_equal(ad_defer_decode(bad, (size_t)len, &back, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "version");
	memcpy(bad, rec, (size_t)len);
	bad[len] = 0;      /* the item one byte longer than its length says */
	assert_int_equal(ad_defer_decode(bad, (size_t)len + 1, &back, NULL, 0), -EUCLEAN);
	memcpy(bad, rec, (size_t)len);
	ad_wr32(bad + 4, 39);   /* count short of the length */
	assert_int_equal(ad_defer_decode(bad, (size_t)len, &back, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "count");
	ad_wr32(bad + 4, 0);
	assert_int_equal(ad_defer_decode(bad, (size_t)len, &back, NULL, 0), -EUCLEAN);
	assert_int_equal(ad_defer_decode(rec, (size_t)len, &back, NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defer_roundtrip),
		cmocka_unit_test(test_defer_encode_refuses),
		cmocka_unit_test(test_defer_decode_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
