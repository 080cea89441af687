/*
 * ad_key.c — metadata tree keys: order, 17-byte wire form, key type names.
 *
 * Wire form: oid le64 at 0, type u8 at 8, off le64 at 9.
 */
#include "ad_format.h"

const char *ad_key_type_name(unsigned type)
{
	switch (type) {
#define x(n, v, s) case v: return s;
	AD_KEY_TYPES(x)
#undef x
	}
	return NULL;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

int ad_key_cmp(const struct ad_key *a, const struct ad_key *b)
{
	if (a->oid != b->oid)
		return cmp_u64(a->oid, b->oid);
	if (a->type != b->type)
		return cmp_u64(a->type, b->type);
	return cmp_u64(a->off, b->off);
}

void ad_key_encode(const struct ad_key *k, uint8_t out[AD_KEY_SIZE])
{
	ad_wr64(out, k->oid);
	out[8] = k->type;
	ad_wr64(out + 9, k->off);
}

void ad_key_decode(const uint8_t in[AD_KEY_SIZE], struct ad_key *k)
{
	k->oid = ad_rd64(in);
	k->type = in[8];
	k->off = ad_rd64(in + 9);
}
