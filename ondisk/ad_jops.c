/*
 * ad_jops.c — journal payload operations: encode and validating iteration.
 */
#include <errno.h>
#include <string.h>

#include "ad_jops.h"

size_t ad_jop_size(const struct ad_jop *op)
{
	switch (op->type) {
	case AD_JOP_PUT: return 1 + AD_KEY_SIZE + 2 + op->vlen;
	case AD_JOP_DEL: return 1 + AD_KEY_SIZE;
	case AD_JOP_ALLOC:
	case AD_JOP_FREE: return 1 + 2 + 8 + 8;
	default: return 0;
	}
}

void ad_jop_encode(const struct ad_jop *op, uint8_t *out)
{
	out[0] = op->type;
	switch (op->type) {
	case AD_JOP_PUT:
		ad_key_encode(&op->key, out + 1);
		ad_wr16(out + 1 + AD_KEY_SIZE, op->vlen);
		memcpy(out + 3 + AD_KEY_SIZE, op->val, op->vlen);
		break;
	case AD_JOP_DEL:
		ad_key_encode(&op->key, out + 1);
		break;
	case AD_JOP_ALLOC:
	case AD_JOP_FREE:
		ad_wr16(out + 1, op->member);
		ad_wr64(out + 3, op->block);
		ad_wr64(out + 11, op->n);
		break;
	}
}

void ad_jtxn_hdr_encode(uint8_t out[AD_JTXN_HDR], uint32_t len, uint32_t nops, uint64_t id)
{
	ad_wr32(out, len);
	ad_wr32(out + 4, nops);
	ad_wr64(out + 8, id);
}

int ad_jtxn_next(const uint8_t *payload, size_t len, size_t *pos, const uint8_t **ops,
		 size_t *opslen, uint32_t *nops, uint64_t *id, char *why, size_t whylen)
{
	uint32_t tlen;

	if (*pos == len)
		return 0;
	if (len - *pos < AD_JTXN_HDR)
		return ad_fail(why, whylen, -EUCLEAN, "journal payload: %zu stray bytes at %zu",
			       len - *pos, *pos);
	tlen = ad_rd32(payload + *pos);
	if (tlen < AD_JTXN_HDR || tlen > len - *pos)
		return ad_fail(why, whylen, -EUCLEAN,
			       "journal payload: transaction at %zu claims %u bytes, %zu left",
			       *pos, tlen, len - *pos);
	*nops = ad_rd32(payload + *pos + 4);
	*id = ad_rd64(payload + *pos + 8);
	*ops = payload + *pos + AD_JTXN_HDR;
	*opslen = tlen - AD_JTXN_HDR;
	*pos += tlen;
	return 1;
}

int ad_jop_next(const uint8_t *ops, size_t len, size_t *pos, struct ad_jop *op,
		char *why, size_t whylen)
{
	const uint8_t *p = ops + *pos;
	size_t left = len - *pos, need;

	if (left == 0)
		return 0;
	memset(op, 0, sizeof(*op));
	op->type = p[0];
	switch (op->type) {
	case AD_JOP_PUT:
		if (left < 3 + AD_KEY_SIZE)
			break;
		ad_key_decode(p + 1, &op->key);
		op->vlen = ad_rd16(p + 1 + AD_KEY_SIZE);
		op->val = p + 3 + AD_KEY_SIZE;
		need = 3 + AD_KEY_SIZE + (size_t)op->vlen;
		if (op->vlen > AD_ITEM_MAX || need > left)
			break;
		*pos += need;
		return 1;
	case AD_JOP_DEL:
		if (left < 1 + AD_KEY_SIZE)
			break;
		ad_key_decode(p + 1, &op->key);
		*pos += 1 + AD_KEY_SIZE;
		return 1;
	case AD_JOP_ALLOC:
	case AD_JOP_FREE:
		if (left < 19)
			break;
		op->member = ad_rd16(p + 1);
		op->block = ad_rd64(p + 3);
		op->n = ad_rd64(p + 11);
		if (op->member >= AD_MAX_MEMBERS || op->n == 0 || op->block > AD_ADDR_BLOCK_MASK)
			break;
		*pos += 19;
		return 1;
	default:
		return ad_fail(why, whylen, -EUCLEAN, "journal op type %u at %zu unknown",
			       op->type, *pos);
	}
	return ad_fail(why, whylen, -EUCLEAN, "journal op type %u at %zu truncated or out of range",
		       op->type, *pos);
}
