/*
 * ad_stripe.c — stripe record encode/decode (see ad_stripe.h).
 */
#include <errno.h>
#include <string.h>

#include "ad_stripe.h"

size_t ad_stripe_size(unsigned k, unsigned m, unsigned chunk_blocks)
{
	return AD_STRIPE_HDR + (size_t)(k + m) * 8 + (size_t)(k + m) * chunk_blocks * 4;
}

size_t ad_stripe_csize(unsigned k, unsigned m, unsigned chunk_blocks, unsigned nunits)
{
	return ad_stripe_size(k, m, chunk_blocks) + AD_STRIPE_CTAB_HDR + (size_t)nunits * 2;
}

size_t ad_stripe_rec_size(const struct ad_stripe *s)
{
	if (s->flags & AD_STRIPE_F_COMPRESSED)
		return ad_stripe_csize(s->k, s->m, s->chunk_blocks, s->nunits);
	return ad_stripe_size(s->k, s->m, s->chunk_blocks);
}

void ad_stripe_unit(const struct ad_stripe *s, unsigned i, struct ad_cunit *u)
{
	uint32_t U = 1u << s->cshift;

	u->soff = 0;
	for (unsigned j = 0; j < i; j++)
		u->soff += s->unit[j] ? s->unit[j] : U;   /* units before the last are U long */
	u->loff = i * U;
	u->llen = s->ulen - u->loff < U ? s->ulen - u->loff : U;
	u->raw = s->unit[i] == 0;
	u->slen = u->raw ? u->llen : s->unit[i];
}

/* Append the unit table of a compressed record at o. */
static void ctab_encode(const struct ad_stripe *s, uint8_t *o)
{
	o[0] = s->calg;
	o[1] = s->cshift;
	ad_wr16(o + 2, s->nunits);
	ad_wr32(o + 4, s->ulen);
	ad_wr32(o + 8, s->slen);
	for (unsigned i = 0; i < s->nunits; i++)
		ad_wr16(o + AD_STRIPE_CTAB_HDR + 2 * (size_t)i, s->unit[i]);
}

/* Decode and check the unit table at o (tlen bytes). */
static int ctab_decode(const uint8_t *o, size_t tlen, struct ad_stripe *s, char *why,
		       size_t whylen)
{
	uint64_t U, sum = 0, cap = (uint64_t)s->k * s->chunk_blocks * AD_BLOCK;

	if (tlen < AD_STRIPE_CTAB_HDR)
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: unit table missing");
	s->calg = o[0];
	s->cshift = o[1];
	s->nunits = ad_rd16(o + 2);
	s->ulen = ad_rd32(o + 4);
	s->slen = ad_rd32(o + 8);
	if (s->calg != AD_CALG_LZ4 && s->calg != AD_CALG_ZSTD)
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: compression algorithm %u",
			       s->calg);
	if (s->cshift < AD_CUNIT_SHIFT_MIN || s->cshift > AD_CUNIT_SHIFT_MAX)
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: unit size 2^%u", s->cshift);
	U = 1ull << s->cshift;
	if (s->nunits < 1 || s->nunits > AD_STRIPE_MAX_UNITS ||
	    tlen != AD_STRIPE_CTAB_HDR + (size_t)s->nunits * 2)
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: %u units in %zu table bytes",
			       s->nunits, tlen);
	if (s->ulen == 0 || (s->ulen + U - 1) / U != s->nunits)
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: %u units for %u logical bytes",
			       s->nunits, s->ulen);
	if (s->data_len == 0 || s->data_len > s->ulen)
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: data_len %u outside 1..%u",
			       s->data_len, s->ulen);
	for (unsigned i = 0; i < s->nunits; i++) {
		uint64_t llen = s->ulen - i * U < U ? s->ulen - i * U : U;

		s->unit[i] = ad_rd16(o + AD_STRIPE_CTAB_HDR + 2 * (size_t)i);
		if (s->unit[i] >= llen)
			return ad_fail(why, whylen, -EUCLEAN, "stripe record: unit %u stored in %u "
				       "bytes, holds %llu", i, s->unit[i], (unsigned long long)llen);
		sum += s->unit[i] ? s->unit[i] : llen;
	}
	if (sum != s->slen || s->slen > cap ||
	    ad_align_up((s->slen + s->k - 1) / s->k, AD_BLOCK) / AD_BLOCK != s->chunk_blocks)
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: units sum to %llu stored "
			       "bytes, slen %u, %u+%u x %u blocks", (unsigned long long)sum, s->slen,
			       s->k, s->m, s->chunk_blocks);
	return 0;
}

int ad_stripe_encode(const struct ad_stripe *s, void *out, size_t cap)
{
	unsigned n = s->k + s->m;
	size_t len = ad_stripe_rec_size(s);
	uint8_t *o = out;

	if (len > cap || len > 0xffff || n > AD_STRIPE_MAX_CHUNKS ||
	    ((s->flags & AD_STRIPE_F_COMPRESSED) && s->nunits > AD_STRIPE_MAX_UNITS))
		return -E2BIG;
	memset(o, 0, AD_STRIPE_HDR);
	ad_wr16(o, AD_STRIPE_VERSION);
	ad_wr16(o + 2, (uint16_t)len);
	o[4] = s->k;
	o[5] = s->m;
	o[6] = s->matrix;
	o[7] = s->flags;
	ad_wr16(o + 8, s->chunk_blocks);
	ad_wr32(o + 12, s->data_len);
	ad_wr64(o + 16, s->wgen);
	for (unsigned i = 0; i < n; i++)
		ad_wr64(o + AD_STRIPE_HDR + (size_t)i * 8, s->addr[i]);
	for (size_t i = 0; i < (size_t)n * s->chunk_blocks; i++)
		ad_wr32(o + AD_STRIPE_HDR + (size_t)n * 8 + i * 4, s->crc[i]);
	if (s->flags & AD_STRIPE_F_COMPRESSED)
		ctab_encode(s, o + ad_stripe_size(s->k, s->m, s->chunk_blocks));
	return (int)len;
}

int ad_stripe_decode(const void *val, size_t len, struct ad_stripe *s, size_t crc_cap,
		     char *why, size_t whylen)
{
	const uint8_t *o = val;
	unsigned n;
	size_t base;
	int err;

	if (len < AD_STRIPE_HDR)
		return ad_fail(why, whylen, -EUCLEAN, "stripe record too short (%zu bytes)", len);
	if (ad_rd16(o) != AD_STRIPE_VERSION || ad_rd16(o + 2) != len)
		return ad_fail(why, whylen, -EUCLEAN, "stripe record version %u length %u (item %zu)",
			       ad_rd16(o), ad_rd16(o + 2), len);
	s->k = o[4];
	s->m = o[5];
	s->matrix = o[6];
	s->flags = o[7];
	s->chunk_blocks = ad_rd16(o + 8);
	s->data_len = ad_rd32(o + 12);
	s->wgen = ad_rd64(o + 16);
	s->calg = s->cshift = 0;
	s->nunits = 0;
	s->ulen = s->slen = 0;
	n = s->k + s->m;
	if (s->k < 1 || s->k > AD_MAX_K || s->m > AD_MAX_M || s->matrix != AD_MATRIX_CAUCHY1 ||
	    (s->flags & ~AD_STRIPE_F_COMPRESSED) || s->chunk_blocks < 1 || ad_rd16(o + 10) ||
	    ad_rd64(o + 24))
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: bad width %u+%u, matrix %u, "
			       "flags %u, %u blocks per chunk", s->k, s->m, s->matrix, s->flags,
			       s->chunk_blocks);
	base = ad_stripe_size(s->k, s->m, s->chunk_blocks);
	if (s->flags & AD_STRIPE_F_COMPRESSED) {
		if (len < base)
			return ad_fail(why, whylen, -EUCLEAN, "stripe record: %zu bytes for %u+%u x "
				       "%u blocks and a unit table", len, s->k, s->m, s->chunk_blocks);
		err = ctab_decode(o + base, len - base, s, why, whylen);
		if (err)
			return err;
	} else if (len != base) {
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: %zu bytes for %u+%u x %u blocks",
			       len, s->k, s->m, s->chunk_blocks);
	} else if (s->data_len == 0 || s->data_len > (uint64_t)s->k * s->chunk_blocks * AD_BLOCK) {
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: data_len %u outside 1..%llu",
			       s->data_len,
			       (unsigned long long)s->k * s->chunk_blocks * AD_BLOCK);
	}
	if ((size_t)n * s->chunk_blocks > crc_cap)
		return ad_fail(why, whylen, -E2BIG, "stripe record: %u checksums, room for %zu",
			       n * s->chunk_blocks, crc_cap);
	for (unsigned i = 0; i < n; i++) {
		s->addr[i] = ad_rd64(o + AD_STRIPE_HDR + (size_t)i * 8);
		if (ad_addr_member(s->addr[i]) >= AD_MAX_MEMBERS || s->addr[i] == AD_ADDR_NONE)
			return ad_fail(why, whylen, -EUCLEAN, "stripe record: chunk %u address invalid", i);
		for (unsigned j = 0; j < i; j++)
			if (ad_addr_member(s->addr[j]) == ad_addr_member(s->addr[i]))
				return ad_fail(why, whylen, -EUCLEAN,
					       "stripe record: chunks %u and %u on one member", j, i);
	}
	for (size_t i = 0; i < (size_t)n * s->chunk_blocks; i++)
		s->crc[i] = ad_rd32(o + AD_STRIPE_HDR + (size_t)n * 8 + i * 4);
	return 0;
}
