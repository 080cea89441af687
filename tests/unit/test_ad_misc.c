/*
 * test_ad_misc.c — Description: CRC-32C definition (known vectors, chaining,
 * format seed), UUID text form, tree keys, addresses, block pointers, names
 * and ad_fail().
 */
#include "ad_prop.h"
#include "ad_test.h"

/* ---- CRC-32C ------------------------------------------------------------ */

static void test_crc_known_vectors(void **state)
{
	uint8_t buf[32];

	(void)state;
	assert_int_equal(ad_crc32c(0, "123456789", 9), 0xE3069283u);
	/* RFC 3720 (iSCSI) B.4 vectors. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(ad_crc32c(0, buf, 32), 0x8A9136AAu);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(ad_crc32c(0, buf, 32), 0x62A8AB43u);
	for (unsigned i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(ad_crc32c(0, buf, 32), 0x46DD794Eu);
	for (unsigned i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	assert_int_equal(ad_crc32c(0, buf, 32), 0x113FDB5Cu);
	/* Empty input returns the seed unchanged. */
	assert_int_equal(ad_crc32c(0, buf, 0), 0);
	assert_int_equal(ad_crc32c(0x12345678u, buf, 0), 0x12345678u);
}

static void test_crc_chaining(void **state)
{
	uint8_t buf[1000];
	uint32_t whole;

	(void)state;
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	whole = ad_crc32c(0, buf, sizeof(buf));
	for (size_t cut = 0; cut <= sizeof(buf); cut += 37) {
		uint32_t a = ad_crc32c(0, buf, cut);

		assert_int_equal(ad_crc32c(a, buf + cut, sizeof(buf) - cut), whole);
	}
	/* Three pieces chain too. */
	assert_int_equal(ad_crc32c(ad_crc32c(ad_crc32c(0, buf, 10), buf + 10, 500), buf + 510, 490),
			 whole);
}

static void test_crc_format_seed(void **state)
{
	uint8_t cat[16 + 100];
	uint32_t seed = ad_format_seed(test_format_id);

	(void)state;
	assert_int_equal(seed, ad_crc32c(0, test_format_id, 16));
	assert_int_not_equal(seed, ad_format_seed(other_format_id));
	/* A seeded checksum is the plain CRC-32C of format_id || bytes. */
	memcpy(cat, test_format_id, 16);
	for (unsigned i = 0; i < 100; i++)
		cat[16 + i] = (uint8_t)(0xa5 ^ i);
	assert_int_equal(ad_crc32c(seed, cat + 16, 100), ad_crc32c(0, cat, sizeof(cat)));
}

/* ---- UUIDs -------------------------------------------------------------- */

static void test_uuid_roundtrip(void **state)
{
	static const uint8_t u[16] = { 0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
				       0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00 };
	uint8_t back[16];
	char s[37];

	(void)state;
	ad_uuid_unparse(u, s);
	assert_string_equal(s, "123e4567-e89b-12d3-a456-426614174000");
	assert_int_equal(ad_uuid_parse(s, back), 0);
	assert_memory_equal(back, u, 16);
	assert_int_equal(ad_uuid_parse("123E4567-E89B-12D3-A456-426614174000", back), 0);
	assert_memory_equal(back, u, 16);
	assert_false(ad_uuid_is_zero(u));
	memset(back, 0, 16);
	assert_true(ad_uuid_is_zero(back));
	ad_uuid_unparse(back, s);
	assert_string_equal(s, "00000000-0000-0000-0000-000000000000");
}

static void test_uuid_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"123e4567-e89b-12d3-a456-42661417400",    /* short */
		"123e4567-e89b-12d3-a456-4266141740000",  /* long */
		"123e4567e89b-12d3-a456-4266141740000",   /* dash missing */
		"123e4567-e89b-12d3-a456_426614174000",   /* wrong separator */
		"123e4567-e89b-12d3-a456-42661417400g",   /* not hex */
		"-23e4567-e89b-12d3-a456-426614174000",
		"{123e4567-e89b-12d3-a456-426614174000}",
	};
	uint8_t u[16], keep[16];

	(void)state;
	memset(u, 0x77, 16);
	memcpy(keep, u, 16);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ad_uuid_parse(bad[i], u), -EINVAL);
		assert_memory_equal(u, keep, 16);   /* untouched on failure */
	}
}

/* ---- keys --------------------------------------------------------------- */

static void test_key_order(void **state)
{
	const struct ad_key k[] = {   /* strictly increasing */
		{ 0, 0, 0 },
		{ 0, 0, UINT64_MAX },
		{ 0, 1, 0 },
		{ 0, 0xff, 5 },
		{ 1, 0, 0 },
		{ 0x100, 0x01, 0 },
		{ 0x100, 0x20, 0x80000000ull },
		{ 0x100, 0x20, 0x100000000ull },
		{ UINT64_MAX, 0, 0 },
		{ UINT64_MAX, 0xff, UINT64_MAX },
	};
	const unsigned n = sizeof(k) / sizeof(k[0]);

	(void)state;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++) {
			int c = ad_key_cmp(&k[i], &k[j]);
			int want = i < j ? -1 : i > j;

			assert_int_equal(c, want);
		}
}

static void test_key_wire(void **state)
{
	const struct ad_key k = { 0x0102030405060708ull, 0x20, 0x1112131415161718ull };
	const uint8_t want[AD_KEY_SIZE] = { 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x20,
					    0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11 };
	uint8_t w[AD_KEY_SIZE];
	struct ad_key back;

	(void)state;
	ad_key_encode(&k, w);
	assert_memory_equal(w, want, AD_KEY_SIZE);
	ad_key_decode(w, &back);
	assert_int_equal(ad_key_cmp(&k, &back), 0);
	assert_true(back.oid == k.oid && back.type == k.type && back.off == k.off);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ad_member_state_name(AD_MS_ONLINE), "online");
	assert_string_equal(ad_member_state_name(AD_MS_MISSING), "missing");
	assert_string_equal(ad_member_state_name(AD_MS_STALE), "stale");
	assert_string_equal(ad_member_state_name(AD_MS_REPLACING), "replacing");
	assert_string_equal(ad_member_state_name(AD_MS_DRAINING), "draining");
	assert_string_equal(ad_member_state_name(AD_MS_REMOVED), "removed");
	assert_null(ad_member_state_name(0));
	assert_null(ad_member_state_name(7));
	assert_string_equal(ad_key_type_name(AD_KT_INODE), "inode");
	assert_string_equal(ad_key_type_name(AD_KT_DIRENT), "dirent");
	assert_string_equal(ad_key_type_name(AD_KT_STRIPE), "stripe");
	assert_string_equal(ad_key_type_name(AD_KT_SNAP), "snap");
	assert_null(ad_key_type_name(0));
	assert_null(ad_key_type_name(0x03));
}

/* ---- addresses and block pointers -------------------------------------- */

static void test_addr(void **state)
{
	uint64_t a = ad_addr(255, 0x000fffffffffffffull);

	(void)state;
	assert_int_equal(ad_addr_member(a), 255);
	assert_true(ad_addr_block(a) == 0x000fffffffffffffull);
	assert_true(a == 0x0fffffffffffffffull);
	assert_true(ad_addr(3, 10) == ((3ull << 52) | 10));
	/* The block number is masked: it cannot spill into the member. */
	assert_int_equal(ad_addr_member(ad_addr(1, 1ull << 52)), 1);
}

static struct ad_bptr sample_bptr(void)
{
	struct ad_bptr p;

	ad_bptr_null(&p);
	p.nmirrors = 3;
	p.addr[0] = ad_addr(0, 300);
	p.addr[1] = ad_addr(4, 301);
	p.addr[2] = ad_addr(2, 0x123456789ull);
	p.csum = 0xdeadbeef;
	p.level = 2;
	p.gen = 0x1122334455667788ull;
	return p;
}

static void test_bptr_roundtrip(void **state)
{
	struct ad_bptr p = sample_bptr(), back;
	struct ad_bptr_wire w;
	const uint8_t *b = (const uint8_t *)&w;
	char why[AD_WHY_MAX];

	(void)state;
	memset(&w, 0xcc, sizeof(w));
	ad_bptr_encode(&p, &w);
	/* Wire layout, byte for byte. */
	assert_true(ad_rd64(b + 0) == ad_addr(0, 300));
	assert_true(ad_rd64(b + 8) == ad_addr(4, 301));
	assert_true(ad_rd64(b + 16) == ad_addr(2, 0x123456789ull));
	assert_true(ad_rd64(b + 24) == AD_ADDR_NONE);
	assert_int_equal(ad_rd32(b + 32), 0xdeadbeef);
	assert_int_equal(b[36], 3);
	assert_int_equal(b[37], 2);
	assert_int_equal(ad_rd16(b + 38), 0);
	assert_true(ad_rd64(b + 40) == 0x1122334455667788ull);

	assert_int_equal(ad_bptr_decode(&w, 5, &back, why, sizeof(why)), 0);
	assert_memory_equal(back.addr, p.addr, sizeof(p.addr));
	assert_int_equal(back.csum, p.csum);
	assert_int_equal(back.nmirrors, p.nmirrors);
	assert_int_equal(back.level, p.level);
	assert_true(back.gen == p.gen);
	/* Member 4 is not in a pool of 4. */
	assert_int_equal(ad_bptr_decode(&w, 4, &back, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "member 4");
}

static void test_bptr_null(void **state)
{
	struct ad_bptr p, back;
	struct ad_bptr_wire w, zero;
	char why[AD_WHY_MAX];

	(void)state;
	ad_bptr_null(&p);
	assert_int_equal(p.nmirrors, 0);
	for (unsigned i = 0; i < AD_MAX_MIRRORS; i++)
		assert_true(p.addr[i] == AD_ADDR_NONE);
	ad_bptr_encode(&p, &w);
	assert_int_equal(ad_bptr_decode(&w, 1, &back, why, sizeof(why)), 0);
	assert_int_equal(back.nmirrors, 0);
	/* All-zero bytes are not the null pointer (unused slots must be all ones). */
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(ad_bptr_decode(&zero, 1, &back, why, sizeof(why)), -EUCLEAN);
	/* A null pointer carries no checksum, level or generation. */
	p.csum = 1;
	ad_bptr_encode(&p, &w);
	assert_int_equal(ad_bptr_decode(&w, 1, &back, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "null");
}

static void expect_bptr_bad(const struct ad_bptr *p, const char *part)
{
	struct ad_bptr_wire w;
	struct ad_bptr back;
	char why[AD_WHY_MAX] = "";

	ad_bptr_encode(p, &w);
	if (ad_bptr_decode(&w, 8, &back, why, sizeof(why)) != -EUCLEAN)
		fail_msg("pointer accepted, expected a reason with \"%s\"", part);
	assert_reason(why, part);
}

static void test_bptr_rejects(void **state)
{
	struct ad_bptr p, back;
	struct ad_bptr_wire w;
	char why[AD_WHY_MAX];

	(void)state;
	p = sample_bptr();
	p.nmirrors = 5;
	expect_bptr_bad(&p, "5 mirrors");
	p = sample_bptr();
	p.addr[1] = AD_ADDR_NONE;           /* hole among the used mirrors */
	expect_bptr_bad(&p, "no address");
	p = sample_bptr();
	p.addr[2] = ad_addr(0, 999);        /* same member as mirror 0 */
	expect_bptr_bad(&p, "both on member 0");
	p = sample_bptr();
	p.addr[3] = ad_addr(7, 1);          /* unused slot holds an address */
	expect_bptr_bad(&p, "unused mirror slot 3");
	p = sample_bptr();
	p.gen = 0;
	expect_bptr_bad(&p, "generation 0");

	p = sample_bptr();
	ad_bptr_encode(&p, &w);
	ad_put16(w.reserved, 1);
	assert_int_equal(ad_bptr_decode(&w, 8, &back, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "reserved");

	/* Exactly AD_MAX_MIRRORS is fine. */
	p = sample_bptr();
	p.nmirrors = 4;
	p.addr[3] = ad_addr(7, 1);
	ad_bptr_encode(&p, &w);
	assert_int_equal(ad_bptr_decode(&w, 8, &back, why, sizeof(why)), 0);
	assert_int_equal(back.nmirrors, 4);
}

/* ---- ad_fail ------------------------------------------------------------ */

/* Pool property records: round trip, key, and every rejection. */
static void test_prop(void **state)
{
	uint8_t rec[AD_PROP_MAX], bad[AD_PROP_MAX];
	char name33[34], val65[66], why[AD_WHY_MAX];
	struct ad_prop p;
	int n;

	(void)state;
	n = ad_prop_encode("io", "uring", rec, why, sizeof(why));
	assert_int_equal(n, AD_PROP_HDR + 2 + 5);
	assert_int_equal(ad_prop_decode(rec, (size_t)n, &p, why, sizeof(why)), 0);
	assert_int_equal(p.namelen, 2);
	assert_int_equal(p.vlen, 5);
	assert_memory_equal(p.name, "io", 2);
	assert_memory_equal(p.value, "uring", 5);
	assert_int_equal(ad_prop_key("io").type, AD_KT_PROP);
	assert_int_equal(ad_prop_key("io").oid, 0);
	assert_int_equal(ad_prop_key("io").off, ad_crc32c(0, "io", 2));
	/* An empty value is a value. */
	n = ad_prop_encode("x", "", rec, NULL, 0);
	assert_int_equal(n, AD_PROP_HDR + 1);
	assert_int_equal(ad_prop_decode(rec, (size_t)n, &p, NULL, 0), 0);
	assert_int_equal(p.vlen, 0);
	/* Encoder limits. */
	memset(name33, 'a', 33);
	name33[33] = '\0';
	memset(val65, 'v', 65);
	val65[65] = '\0';
	assert_int_equal(ad_prop_encode(name33, "1", rec, NULL, 0), -EINVAL);
	name33[32] = '\0';
	assert_int_equal(ad_prop_encode(name33, "1", rec, NULL, 0), AD_PROP_HDR + 33);
	assert_int_equal(ad_prop_encode("io", val65, rec, NULL, 0), -EINVAL);
	assert_int_equal(ad_prop_encode("", "1", rec, NULL, 0), -EINVAL);
	assert_int_equal(ad_prop_encode("a b", "1", rec, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not allowed"));
	assert_int_equal(ad_prop_encode("io", NULL, rec, NULL, 0), -EINVAL);
	/* Decoder: each field broken in turn. */
	n = ad_prop_encode("io", "aio", rec, NULL, 0);
	assert_int_equal(ad_prop_decode(rec, 5, &p, NULL, 0), -EUCLEAN);
	assert_int_equal(ad_prop_decode(rec, (size_t)n - 1, &p, NULL, 0), -EUCLEAN);
	memcpy(bad, rec, (size_t)n);
	bad[0] = 2;
	assert_int_equal(ad_prop_decode(bad, (size_t)n, &p, why, sizeof(why)), -EUCLEAN);
	assert_non_null(strstr(why, "version"));
	memcpy(bad, rec, (size_t)n);
	bad[4] = 3;     /* namelen + vlen no longer the length */
	assert_int_equal(ad_prop_decode(bad, (size_t)n, &p, NULL, 0), -EUCLEAN);
	memcpy(bad, rec, (size_t)n);
	bad[4] = 0;     /* empty name */
	bad[5] = 5;
	assert_int_equal(ad_prop_decode(bad, (size_t)n, &p, NULL, 0), -EUCLEAN);
	memcpy(bad, rec, (size_t)n);
	bad[AD_PROP_HDR + 1] = '\0';   /* NUL in the name */
	assert_int_equal(ad_prop_decode(bad, (size_t)n, &p, NULL, 0), -EUCLEAN);
	memcpy(bad, rec, (size_t)n);
	bad[AD_PROP_HDR + 3] = '\0';   /* NUL in the value */
	assert_int_equal(ad_prop_decode(bad, (size_t)n, &p, NULL, 0), -EUCLEAN);
}

static void test_fail(void **state)
{
	char why[16];

	(void)state;
	assert_int_equal(ad_fail(why, sizeof(why), -EUCLEAN, "x=%d", 42), -EUCLEAN);
	assert_string_equal(why, "x=42");
	/* Truncated, still terminated. */
	assert_int_equal(ad_fail(why, sizeof(why), -EIO, "%s", "0123456789abcdefghij"), -EIO);
	assert_string_equal(why, "0123456789abcde");
	/* No buffer: just the code. */
	assert_int_equal(ad_fail(NULL, 0, -ENOMSG, "ignored %d", 1), -ENOMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_known_vectors),
		cmocka_unit_test(test_crc_chaining),
		cmocka_unit_test(test_crc_format_seed),
		cmocka_unit_test(test_uuid_roundtrip),
		cmocka_unit_test(test_uuid_parse_rejects),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_key_wire),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_bptr_roundtrip),
		cmocka_unit_test(test_bptr_null),
		cmocka_unit_test(test_bptr_rejects),
		cmocka_unit_test(test_prop),
		cmocka_unit_test(test_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
