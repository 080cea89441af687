/*
 * ad_journal.c — write-ahead journal entries: size in blocks, sealing
 * (header + commit trailer), and the two-step check a replay does: the header
 * of a block first (is an entry with the expected sequence number here?),
 * then the whole entry (payload and trailer; a torn entry fails here).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ad_crc.h"
#include "ad_format.h"
#include "ad_priv.h"

/* Header offsets. */
#define H_MAGIC        0
#define H_VERSION      4
#define H_TYPE         6
#define H_SEQ          8
#define H_NBLOCKS      16
#define H_PAYLOAD_LEN  20
#define H_NTXN         24
#define H_FLAGS        28
#define H_CKPT_GEN     32
#define H_PAYLOAD_CSUM 40
#define H_RESERVED     44
#define H_CSUM         60

/* Trailer offsets (from the trailer's start, AD_JE_TRAILER bytes before the end). */
#define T_MAGIC        0
#define T_RESERVED0    4
#define T_SEQ          8
#define T_PAYLOAD_CSUM 16
#define T_HDR_CSUM     20
#define T_RESERVED1    24
#define T_CSUM         28

uint32_t ad_je_blocks(uint32_t payload_len)
{
	uint64_t bytes = (uint64_t)AD_JE_HDR + payload_len + AD_JE_TRAILER;

	return (uint32_t)((bytes + AD_BLOCK - 1) / AD_BLOCK);
}

void ad_je_seal(void *entry, struct ad_je *je, uint32_t seed)
{
	uint8_t *p = entry;
	uint8_t *t;
	size_t len, pad_from;
	uint32_t hdr_csum;

	je->nblocks = ad_je_blocks(je->payload_len);
	len = (size_t)je->nblocks * AD_BLOCK;
	pad_from = AD_JE_HDR + (size_t)je->payload_len;
	je->payload_csum = ad_crc32c(seed, p + AD_JE_HDR, je->payload_len);
	memset(p + pad_from, 0, len - AD_JE_TRAILER - pad_from);

	ad_wr32(p + H_MAGIC, AD_JE_MAGIC);
	ad_wr16(p + H_VERSION, AD_JE_VERSION);
	ad_wr16(p + H_TYPE, je->type);
	ad_wr64(p + H_SEQ, je->seq);
	ad_wr32(p + H_NBLOCKS, je->nblocks);
	ad_wr32(p + H_PAYLOAD_LEN, je->payload_len);
	ad_wr32(p + H_NTXN, je->ntxn);
	ad_wr32(p + H_FLAGS, je->flags);
	ad_wr64(p + H_CKPT_GEN, je->ckpt_gen);
	ad_wr32(p + H_PAYLOAD_CSUM, je->payload_csum);
	memset(p + H_RESERVED, 0, H_CSUM - H_RESERVED);
	hdr_csum = ad_crc32c(seed, p, H_CSUM);
	ad_wr32(p + H_CSUM, hdr_csum);

	t = p + len - AD_JE_TRAILER;
	memset(t, 0, AD_JE_TRAILER);
	ad_wr32(t + T_MAGIC, AD_JE_COMMIT);
	ad_wr64(t + T_SEQ, je->seq);
	ad_wr32(t + T_PAYLOAD_CSUM, je->payload_csum);
	ad_wr32(t + T_HDR_CSUM, hdr_csum);
	ad_wr32(t + T_CSUM, ad_crc32c(seed, t, T_CSUM));
}

static int check_fields(const uint8_t *p, const struct ad_je *je, char *why, size_t whylen)
{
	unsigned version = ad_rd16(p + H_VERSION);
	unsigned long long seq = je->seq;

	if (version != AD_JE_VERSION)
		return ad_fail(why, whylen, -EUCLEAN, "journal entry %llu: version %u, expected %u",
			       seq, version, AD_JE_VERSION);
	if (je->type != AD_JE_TXN && je->type != AD_JE_WRAP)
		return ad_fail(why, whylen, -EUCLEAN, "journal entry %llu: unknown type %u",
			       seq, je->type);
	if (je->type == AD_JE_WRAP ? (je->payload_len != 0 || je->ntxn != 0) : je->ntxn == 0)
		return ad_fail(why, whylen, -EUCLEAN,
			       "journal entry %llu: type %u with %u transactions in %u bytes",
			       seq, je->type, je->ntxn, je->payload_len);
	if (je->nblocks != ad_je_blocks(je->payload_len))
		return ad_fail(why, whylen, -EUCLEAN,
			       "journal entry %llu: %u blocks for a payload of %u bytes",
			       seq, je->nblocks, je->payload_len);
	if (je->flags != 0 || !ad_mem_is_zero(p + H_RESERVED, H_CSUM - H_RESERVED))
		return ad_fail(why, whylen, -EUCLEAN,
			       "journal entry %llu: flags 0x%x or reserved bytes set", seq, je->flags);
	return 0;
}

int ad_je_check_header(const void *block, uint32_t seed, uint64_t expect_seq,
		       struct ad_je *je, char *why, size_t whylen)
{
	const uint8_t *p = block;
	struct ad_je t;
	int err;

	err = ad_check_magic_csum(p, AD_JE_MAGIC, seed, 0, H_CSUM, H_CSUM, "journal entry header",
				  why, whylen);
	if (err)
		return err;
	t.seq = ad_rd64(p + H_SEQ);
	if (t.seq != expect_seq)
		return ad_fail(why, whylen, -ESTALE, "journal entry has sequence %llu, expected %llu",
			       (unsigned long long)t.seq, (unsigned long long)expect_seq);
	t.type = ad_rd16(p + H_TYPE);
	t.nblocks = ad_rd32(p + H_NBLOCKS);
	t.payload_len = ad_rd32(p + H_PAYLOAD_LEN);
	t.ntxn = ad_rd32(p + H_NTXN);
	t.flags = ad_rd32(p + H_FLAGS);
	t.ckpt_gen = ad_rd64(p + H_CKPT_GEN);
	t.payload_csum = ad_rd32(p + H_PAYLOAD_CSUM);
	err = check_fields(p, &t, why, whylen);
	if (err)
		return err;
	*je = t;
	return 0;
}

static bool je_equal(const struct ad_je *a, const struct ad_je *b)
{
	return a->type == b->type && a->seq == b->seq && a->nblocks == b->nblocks &&
	       a->payload_len == b->payload_len && a->ntxn == b->ntxn && a->flags == b->flags &&
	       a->ckpt_gen == b->ckpt_gen && a->payload_csum == b->payload_csum;
}

static int check_trailer(const uint8_t *p, size_t len, uint32_t seed, const struct ad_je *je,
			 char *why, size_t whylen)
{
	const uint8_t *t = p + len - AD_JE_TRAILER;
	unsigned long long seq = je->seq;

	char what[64];

	snprintf(what, sizeof(what), "journal entry %llu: commit record", seq);
	/* A missing commit record is a torn entry, not an absent one: -EUCLEAN. */
	if (ad_check_magic_csum(t, AD_JE_COMMIT, seed, 0, T_CSUM, T_CSUM, what, why, whylen))
		return -EUCLEAN;
	if (ad_rd64(t + T_SEQ) != je->seq || ad_rd32(t + T_PAYLOAD_CSUM) != je->payload_csum ||
	    ad_rd32(t + T_HDR_CSUM) != ad_rd32(p + H_CSUM) ||
	    ad_rd32(t + T_RESERVED0) != 0 || ad_rd32(t + T_RESERVED1) != 0)
		return ad_fail(why, whylen, -EUCLEAN, "journal entry %llu: commit record belongs "
			       "to another entry (sequence %llu)", seq,
			       (unsigned long long)ad_rd64(t + T_SEQ));
	return 0;
}

int ad_je_check_body(const void *entry, size_t len, uint32_t seed,
		     const struct ad_je *je, char *why, size_t whylen)
{
	const uint8_t *p = entry;
	unsigned long long seq = je->seq;
	size_t pad_from = AD_JE_HDR + (size_t)je->payload_len;
	struct ad_je h;
	uint32_t calc;
	int err;

	if (je->nblocks != ad_je_blocks(je->payload_len) || len != (size_t)je->nblocks * AD_BLOCK)
		return ad_fail(why, whylen, -EINVAL, "journal entry %llu: %zu bytes given, "
			       "entry is %u blocks", seq, len, je->nblocks);
	/* The header in the buffer must still be the one that was checked. */
	err = ad_je_check_header(p, seed, je->seq, &h, why, whylen);
	if (err)
		return -EUCLEAN;
	if (!je_equal(&h, je))
		return ad_fail(why, whylen, -EUCLEAN,
			       "journal entry %llu: header differs from the one checked", seq);
	calc = ad_crc32c(seed, p + AD_JE_HDR, je->payload_len);
	if (calc != je->payload_csum)
		return ad_fail(why, whylen, -EUCLEAN, "journal entry %llu: payload checksum "
			       "mismatch: stored 0x%08x, computed 0x%08x", seq, je->payload_csum, calc);
	if (!ad_mem_is_zero(p + pad_from, len - AD_JE_TRAILER - pad_from))
		return ad_fail(why, whylen, -EUCLEAN,
			       "journal entry %llu: padding before the commit record not zero", seq);
	return check_trailer(p, len, seed, je, why, whylen);
}
