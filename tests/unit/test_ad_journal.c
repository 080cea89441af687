/*
 * test_ad_journal.c — Description: journal entries: size in blocks, seal and
 * check (header, then body), every byte flipped, torn entries (any block or
 * sector replaced by zeros or by an older entry's bytes), wrong format seed,
 * wrong sequence number, header and trailer fields.
 */
#include "ad_test.h"

#define MAX_BLOCKS 4

struct entry {
	uint8_t buf[MAX_BLOCKS * AD_BLOCK];
	struct ad_je je;
	size_t len;
};

static uint32_t seed(void)
{
	return ad_format_seed(test_format_id);
}

/* A TXN entry with a payload of `len` bytes of a pattern that depends on `fill`. */
static void make_entry(struct entry *e, uint64_t seq, uint32_t len, unsigned fill)
{
	memset(e->buf, 0xdd, sizeof(e->buf));   /* garbage the seal must overwrite */
	for (uint32_t i = 0; i < len; i++)
		e->buf[AD_JE_HDR + i] = (uint8_t)(i * 13 + fill);
	memset(&e->je, 0, sizeof(e->je));
	e->je.type = AD_JE_TXN;
	e->je.seq = seq;
	e->je.payload_len = len;
	e->je.ntxn = 3;
	e->je.ckpt_gen = 9;
	ad_je_seal(e->buf, &e->je, seed());
	e->len = (size_t)e->je.nblocks * AD_BLOCK;
	assert_true(e->len <= sizeof(e->buf));
}

/* Header check then body check, as a replay does; returns the first failure. */
static int check_entry(const uint8_t *buf, size_t len, uint64_t seq, char *why)
{
	struct ad_je je;
	int rc;

	why[0] = '\0';
	rc = ad_je_check_header(buf, seed(), seq, &je, why, AD_WHY_MAX);
	if (rc)
		return rc;
	if ((size_t)je.nblocks * AD_BLOCK != len)
		return -E2BIG;
	return ad_je_check_body(buf, len, seed(), &je, why, AD_WHY_MAX);
}

/* Recompute the header checksum after poking header bytes. */
static void reseal_header(uint8_t *buf)
{
	ad_wr32(buf + 60, ad_crc32c(seed(), buf, 60));
}

static void test_je_blocks(void **state)
{
	(void)state;
	assert_int_equal(ad_je_blocks(0), 1);
	assert_int_equal(ad_je_blocks(4000), 1);         /* 64 + 4000 + 32 = 4096 */
	assert_int_equal(ad_je_blocks(4001), 2);
	assert_int_equal(ad_je_blocks(2 * 4096 - 96), 2);
	assert_int_equal(ad_je_blocks(2 * 4096 - 95), 3);
	assert_int_equal(ad_je_blocks(UINT32_MAX), 1048577);   /* no 32-bit overflow */
}

static void test_je_roundtrip(void **state)
{
	static const uint32_t lens[] = { 0, 1, 4000, 4001, 4032, 10000, 3 * 4096 - 96 };
	struct entry *e = malloc(sizeof(*e));
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(e);
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct ad_je je;
		const uint8_t *t;

		make_entry(e, 1000 + i, lens[i], i);
		t = e->buf + e->len - AD_JE_TRAILER;
		assert_int_equal(e->je.nblocks, ad_je_blocks(lens[i]));
		assert_int_equal(e->je.payload_csum, ad_crc32c(seed(), e->buf + AD_JE_HDR, lens[i]));
		/* Header bytes. */
		assert_memory_equal(e->buf, "JRNL", 4);
		assert_int_equal(ad_rd16(e->buf + 4), AD_JE_VERSION);
		assert_int_equal(ad_rd16(e->buf + 6), AD_JE_TXN);
		assert_true(ad_rd64(e->buf + 8) == 1000 + i);
		assert_int_equal(ad_rd32(e->buf + 16), e->je.nblocks);
		assert_int_equal(ad_rd32(e->buf + 20), lens[i]);
		assert_int_equal(ad_rd32(e->buf + 24), 3);
		assert_int_equal(ad_rd32(e->buf + 28), 0);
		assert_true(ad_rd64(e->buf + 32) == 9);
		assert_int_equal(ad_rd32(e->buf + 40), e->je.payload_csum);
		assert_int_equal(ad_rd32(e->buf + 60), ad_crc32c(seed(), e->buf, 60));
		/* Trailer bytes. */
		assert_memory_equal(t, "COMT", 4);
		assert_true(ad_rd64(t + 8) == 1000 + i);
		assert_int_equal(ad_rd32(t + 16), e->je.payload_csum);
		assert_int_equal(ad_rd32(t + 20), ad_rd32(e->buf + 60));
		assert_int_equal(ad_rd32(t + 28), ad_crc32c(seed(), t, 28));
		/* Padding between payload and trailer is zero. */
		for (size_t b = AD_JE_HDR + lens[i]; b < e->len - AD_JE_TRAILER; b++)
			assert_int_equal(e->buf[b], 0);

		assert_int_equal(ad_je_check_header(e->buf, seed(), 1000 + i, &je, why, sizeof(why)),
				 0);
		assert_int_equal(je.type, AD_JE_TXN);
		assert_true(je.seq == 1000 + i && je.ckpt_gen == 9);
		assert_int_equal(je.nblocks, e->je.nblocks);
		assert_int_equal(je.payload_len, lens[i]);
		assert_int_equal(je.ntxn, 3);
		assert_int_equal(je.flags, 0);
		assert_int_equal(je.payload_csum, e->je.payload_csum);
		assert_int_equal(ad_je_check_body(e->buf, e->len, seed(), &je, why, sizeof(why)), 0);
	}
	free(e);
}

static void test_je_wrap(void **state)
{
	struct entry *e = malloc(sizeof(*e));
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(e);
	memset(&e->je, 0, sizeof(e->je));
	e->je.type = AD_JE_WRAP;
	e->je.seq = 55;
	e->je.ckpt_gen = 2;
	ad_je_seal(e->buf, &e->je, seed());
	assert_int_equal(e->je.nblocks, 1);
	assert_int_equal(check_entry(e->buf, AD_BLOCK, 55, why), 0);
	/* A WRAP entry carries nothing. */
	ad_wr32(e->buf + 24, 1);
	reseal_header(e->buf);
	assert_int_equal(check_entry(e->buf, AD_BLOCK, 55, why), -EUCLEAN);
	assert_reason(why, "type 2 with 1 transactions");
	e->je.payload_len = 10;
	ad_je_seal(e->buf, &e->je, seed());
	assert_int_equal(check_entry(e->buf, AD_BLOCK, 55, why), -EUCLEAN);
	assert_reason(why, "in 10 bytes");
	free(e);
}

/* ---- damage ------------------------------------------------------------ */

static void test_je_flip_every_byte(void **state)
{
	struct entry *e = malloc(sizeof(*e));
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(e);
	make_entry(e, 42, 2 * 4096 + 100, 1);     /* 3 blocks */
	assert_int_equal(e->len, 3 * AD_BLOCK);
	for (size_t off = 0; off < e->len; off++) {
		int rc;

		e->buf[off] ^= 0x20;
		rc = check_entry(e->buf, e->len, 42, why);
		e->buf[off] ^= 0x20;
		if (off < 4 ? rc != -ENOMSG : rc != -EUCLEAN)
			fail_msg("byte %zu flipped: %d (%s)", off, rc, why);
		if (off >= 4)
			assert_reason(why, "journal entry");
	}
	assert_int_equal(check_entry(e->buf, e->len, 42, why), 0);
	free(e);
}

/*
 * A torn write: any block (and any 512-byte sector) of the entry still holds
 * zeros or what an older entry left there.  Two layouts: payload ending in the
 * last block, and payload ending exactly at the end of the next-to-last block
 * (the last block then holds only padding and the commit record).
 */
static void torn(uint32_t payload_len)
{
	struct entry *e = malloc(sizeof(*e)), *old = malloc(sizeof(*old));
	uint8_t *img = malloc(MAX_BLOCKS * AD_BLOCK);
	char why[AD_WHY_MAX];

	assert_true(e && old && img);
	make_entry(e, 10, payload_len, 1);
	make_entry(old, 6, payload_len, 2);        /* same place, an earlier lap */
	assert_int_equal(e->len, old->len);
	for (size_t unit = 512; unit <= AD_BLOCK; unit *= 8) {
		for (size_t at = 0; at < e->len; at += unit) {
			int rc;

			/* A sector that already held the right bytes is not torn. */
			memcpy(img, e->buf, e->len);
			memset(img + at, 0, unit);
			rc = check_entry(img, e->len, 10, why);
			if (memcmp(img, e->buf, e->len) != 0 &&
			    (rc == 0 || (at == 0 && rc != -ENOMSG)))
				fail_msg("%zu bytes at %zu zeroed: %d (%s)", unit, at, rc, why);
			memcpy(img + at, old->buf + at, unit);
			rc = check_entry(img, e->len, 10, why);
			if (memcmp(img, e->buf, e->len) != 0 &&
			    (rc == 0 || (at == 0 && rc != -ESTALE)))
				fail_msg("%zu bytes at %zu from the older entry: %d (%s)", unit, at,
					 rc, why);
			if (at + unit == e->len)   /* the commit record's sector always differs */
				assert_int_not_equal(rc, 0);
		}
	}
	free(img);
	free(old);
	free(e);
}

static void test_je_torn(void **state)
{
	(void)state;
	torn(2 * 4096 + 100);          /* 3 blocks, payload into the last */
	torn(4096 - AD_JE_HDR);        /* 2 blocks, last = padding + trailer */
	torn(4000);                    /* 1 block, no padding */
}

static void test_je_wrong_seed(void **state)
{
	struct entry *e = malloc(sizeof(*e));
	struct ad_je je;
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(e);
	make_entry(e, 42, 5000, 1);
	/* Left by an earlier mkfs of the same device: header fails first. */
	assert_int_equal(ad_je_check_header(e->buf, ad_format_seed(other_format_id), 42, &je, why,
					    sizeof(why)), -EUCLEAN);
	assert_reason(why, "journal entry header: checksum mismatch: stored 0x");
	/* Body with the wrong seed (header taken as checked): refused too. */
	assert_int_equal(ad_je_check_header(e->buf, seed(), 42, &je, why, sizeof(why)), 0);
	assert_int_equal(ad_je_check_body(e->buf, e->len, ad_format_seed(other_format_id), &je,
					  why, sizeof(why)), -EUCLEAN);
	free(e);
}

static void test_je_seq(void **state)
{
	struct entry *e = malloc(sizeof(*e));
	struct ad_je je;
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(e);
	make_entry(e, 10, 100, 1);
	assert_int_equal(ad_je_check_header(e->buf, seed(), 11, &je, why, sizeof(why)), -ESTALE);
	assert_reason(why, "sequence 10, expected 11");
	assert_int_equal(ad_je_check_header(e->buf, seed(), 9, &je, why, sizeof(why)), -ESTALE);
	/* Nothing written here yet. */
	memset(e->buf, 0, AD_BLOCK);
	assert_int_equal(ad_je_check_header(e->buf, seed(), 10, &je, why, sizeof(why)), -ENOMSG);
	assert_reason(why, "journal entry header: magic 0x00000000");
	free(e);
}

/* ---- fields ------------------------------------------------------------- */

static void test_je_header_fields(void **state)
{
	struct entry *e = malloc(sizeof(*e));
	struct ad_je je;
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(e);
#define BAD(poke, part)                                                              \
	do {                                                                         \
		make_entry(e, 10, 100, 1);                                           \
		poke;                                                                \
		reseal_header(e->buf);                                               \
		assert_int_equal(ad_je_check_header(e->buf, seed(), 10, &je, why,    \
						    sizeof(why)), -EUCLEAN);          \
		assert_reason(why, (part));                                          \
	} while (0)
	BAD(ad_wr16(e->buf + 4, 2), "version 2");
	BAD(ad_wr16(e->buf + 6, 0), "unknown type 0");
	BAD(ad_wr16(e->buf + 6, 3), "unknown type 3");
	BAD(ad_wr32(e->buf + 24, 0), "with 0 transactions");
	BAD(ad_wr32(e->buf + 16, 2), "2 blocks for a payload of 100 bytes");
	BAD(ad_wr32(e->buf + 16, 0), "0 blocks");
	BAD(ad_wr32(e->buf + 20, 5000), "1 blocks for a payload of 5000 bytes");
	BAD(ad_wr32(e->buf + 28, 4), "flags 0x4");
	BAD(e->buf[59] = 1, "reserved");
#undef BAD
	free(e);
}

static void test_je_body(void **state)
{
	struct entry *e = malloc(sizeof(*e));
	uint8_t *t;
	struct ad_je je;
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(e);
	make_entry(e, 10, 5000, 1);
	t = e->buf + e->len - AD_JE_TRAILER;
	assert_int_equal(ad_je_check_header(e->buf, seed(), 10, &je, why, sizeof(why)), 0);
	/* Caller passes the wrong length. */
	assert_int_equal(ad_je_check_body(e->buf, e->len - AD_BLOCK, seed(), &je, why, sizeof(why)),
			 -EINVAL);
	/* je does not describe this header. */
	je.payload_csum ^= 1;
	assert_int_equal(ad_je_check_body(e->buf, e->len, seed(), &je, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "header differs");
	je.payload_csum ^= 1;
	/* Payload damaged. */
	e->buf[AD_JE_HDR + 4999] ^= 1;
	assert_int_equal(ad_je_check_body(e->buf, e->len, seed(), &je, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "journal entry 10: payload checksum mismatch: stored 0x");
	e->buf[AD_JE_HDR + 4999] ^= 1;
	/* Padding not zero. */
	e->buf[AD_JE_HDR + 5000] = 1;
	assert_int_equal(ad_je_check_body(e->buf, e->len, seed(), &je, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "padding");
	e->buf[AD_JE_HDR + 5000] = 0;
	/* Trailer: magic, checksum, agreement, reserved. */
	t[0] ^= 1;
	assert_int_equal(ad_je_check_body(e->buf, e->len, seed(), &je, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "journal entry 10: commit record: magic 0x544d4f42, expected 0x544d4f43");
	t[0] ^= 1;
	t[27] ^= 1;
	assert_int_equal(ad_je_check_body(e->buf, e->len, seed(), &je, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "commit record: checksum mismatch");
	t[27] ^= 1;
	ad_wr64(t + 8, 11);
	ad_wr32(t + 28, ad_crc32c(seed(), t, 28));
	assert_int_equal(ad_je_check_body(e->buf, e->len, seed(), &je, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "belongs to another entry (sequence 11)");
	ad_wr64(t + 8, 10);
	ad_wr32(t + 20, ad_rd32(t + 20) ^ 1);
	ad_wr32(t + 28, ad_crc32c(seed(), t, 28));
	assert_int_equal(ad_je_check_body(e->buf, e->len, seed(), &je, why, sizeof(why)), -EUCLEAN);
	ad_wr32(t + 20, ad_rd32(t + 20) ^ 1);
	ad_wr32(t + 4, 1);
	ad_wr32(t + 28, ad_crc32c(seed(), t, 28));
	assert_int_equal(ad_je_check_body(e->buf, e->len, seed(), &je, why, sizeof(why)), -EUCLEAN);
	ad_wr32(t + 4, 0);
	ad_wr32(t + 28, ad_crc32c(seed(), t, 28));
	assert_int_equal(ad_je_check_body(e->buf, e->len, seed(), &je, why, sizeof(why)), 0);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_je_blocks),
		cmocka_unit_test(test_je_roundtrip),
		cmocka_unit_test(test_je_wrap),
		cmocka_unit_test(test_je_flip_every_byte),
		cmocka_unit_test(test_je_torn),
		cmocka_unit_test(test_je_wrong_seed),
		cmocka_unit_test(test_je_seq),
		cmocka_unit_test(test_je_header_fields),
		cmocka_unit_test(test_je_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
