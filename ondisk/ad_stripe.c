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

int ad_stripe_encode(const struct ad_stripe *s, void *out, size_t cap)
{
	unsigned n = s->k + s->m;
	size_t len = ad_stripe_size(s->k, s->m, s->chunk_blocks);
	uint8_t *o = out;

	if (len > cap || len > 0xffff || n > AD_STRIPE_MAX_CHUNKS)
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
	return (int)len;
}

int ad_stripe_decode(const void *val, size_t len, struct ad_stripe *s, size_t crc_cap,
		     char *why, size_t whylen)
{
	const uint8_t *o = val;
	unsigned n;

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
	n = s->k + s->m;
	if (s->k < 1 || s->k > AD_MAX_K || s->m > AD_MAX_M || s->matrix != AD_MATRIX_CAUCHY1 ||
	    s->flags || s->chunk_blocks < 1 || ad_rd16(o + 10) || ad_rd64(o + 24))
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: bad width %u+%u, matrix %u, "
			       "flags %u, %u blocks per chunk", s->k, s->m, s->matrix, s->flags,
			       s->chunk_blocks);
	if (len != ad_stripe_size(s->k, s->m, s->chunk_blocks))
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: %zu bytes for %u+%u x %u blocks",
			       len, s->k, s->m, s->chunk_blocks);
	if (s->data_len == 0 || s->data_len > (uint64_t)s->k * s->chunk_blocks * AD_BLOCK)
		return ad_fail(why, whylen, -EUCLEAN, "stripe record: data_len %u outside 1..%llu",
			       s->data_len,
			       (unsigned long long)s->k * s->chunk_blocks * AD_BLOCK);
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
