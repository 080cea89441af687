/*
 * ad_spacemap.c — a member's space map slot: its geometry (header, index,
 * used and pending bitmaps) and the slot header's encoder and validating
 * decoder.  The bitmaps themselves are the engine's (engine/spacemap.c).
 */
#include <errno.h>
#include <string.h>

#include "ad_crc.h"
#include "ad_format.h"
#include "ad_priv.h"

#define S_MAGIC       0
#define S_VERSION     4
#define S_RESERVED0   6
#define S_GENERATION  8
#define S_NBLOCKS     16
#define S_BM_BLOCKS   24
#define S_IDX_BLOCKS  28
#define S_USED        32
#define S_PENDING     40
#define S_MEMBER      48
#define S_RESERVED1   52
#define S_IDX         64
#define S_CSUM        (AD_BLOCK - 4)

_Static_assert(S_IDX + 4 * AD_SM_IDX_MAX == S_CSUM, "index checksums fill the header");

#define IDX_PER_BLOCK (AD_BLOCK / 4)

static uint32_t clamp32(uint64_t x)
{
	return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

void ad_sm_geometry(uint64_t nblocks, uint32_t *bm_blocks, uint32_t *idx_blocks,
		    uint64_t *slot_blocks)
{
	uint64_t b = nblocks / AD_SM_BITS_PER_BLOCK + (nblocks % AD_SM_BITS_PER_BLOCK != 0);
	uint64_t i = (2 * b + IDX_PER_BLOCK - 1) / IDX_PER_BLOCK;

	*bm_blocks = clamp32(b);
	*idx_blocks = clamp32(i);
	*slot_blocks = 1 + i + 2 * b;
}

uint32_t ad_sm_hdr_encode(const struct ad_sm_hdr *h, void *block, uint32_t seed)
{
	uint8_t *p = block;
	uint32_t n = h->idx_blocks < AD_SM_IDX_MAX ? h->idx_blocks : AD_SM_IDX_MAX;
	uint32_t csum;

	memset(p, 0, AD_BLOCK);
	ad_wr32(p + S_MAGIC, AD_SM_MAGIC);
	ad_wr16(p + S_VERSION, AD_SM_VERSION);
	ad_wr64(p + S_GENERATION, h->generation);
	ad_wr64(p + S_NBLOCKS, h->nblocks);
	ad_wr32(p + S_BM_BLOCKS, h->bm_blocks);
	ad_wr32(p + S_IDX_BLOCKS, h->idx_blocks);
	ad_wr64(p + S_USED, h->used_count);
	ad_wr64(p + S_PENDING, h->pending_count);
	ad_wr32(p + S_MEMBER, h->member_index);
	for (uint32_t i = 0; i < n; i++)
		ad_wr32(p + S_IDX + 4 * i, h->idx_csum[i]);
	csum = ad_crc32c(seed, p, S_CSUM);
	ad_wr32(p + S_CSUM, csum);
	return csum;
}

static int check_fields(const uint8_t *p, const struct ad_sm_hdr *h, char *why, size_t whylen)
{
	uint32_t bm, idx;
	uint64_t slot;

	if (ad_rd16(p + S_VERSION) != AD_SM_VERSION)
		return ad_fail(why, whylen, -EUCLEAN, "space map: version %u, expected %u",
			       ad_rd16(p + S_VERSION), AD_SM_VERSION);
	if (ad_rd16(p + S_RESERVED0) != 0 || !ad_mem_is_zero(p + S_RESERVED1, S_IDX - S_RESERVED1))
		return ad_fail(why, whylen, -EUCLEAN, "space map: reserved bytes not zero");
	if (h->generation == 0 || h->member_index >= AD_MAX_MEMBERS)
		return ad_fail(why, whylen, -EUCLEAN, "space map: generation %llu, member %u",
			       (unsigned long long)h->generation, h->member_index);
	ad_sm_geometry(h->nblocks, &bm, &idx, &slot);
	if (h->idx_blocks > AD_SM_IDX_MAX || h->bm_blocks != bm || h->idx_blocks != idx)
		return ad_fail(why, whylen, -EUCLEAN,
			       "space map: %u bitmap and %u index blocks for %llu blocks "
			       "(expected %u and %u, at most %u index blocks)", h->bm_blocks,
			       h->idx_blocks, (unsigned long long)h->nblocks, bm, idx, AD_SM_IDX_MAX);
	if (h->used_count > h->nblocks || h->pending_count > h->used_count)
		return ad_fail(why, whylen, -EUCLEAN,
			       "space map: %llu used and %llu pending of %llu blocks",
			       (unsigned long long)h->used_count,
			       (unsigned long long)h->pending_count, (unsigned long long)h->nblocks);
	if (!ad_mem_is_zero(p + S_IDX + 4 * (size_t)h->idx_blocks,
			    4 * (size_t)(AD_SM_IDX_MAX - h->idx_blocks)))
		return ad_fail(why, whylen, -EUCLEAN, "space map: unused index checksums not zero");
	return 0;
}

int ad_sm_hdr_decode(const void *block, uint32_t seed, struct ad_sm_hdr *h,
		     char *why, size_t whylen)
{
	const uint8_t *p = block;
	int err;

	err = ad_check_magic_csum(p, AD_SM_MAGIC, seed, 0, S_CSUM, S_CSUM, "space map header",
				  why, whylen);
	if (err)
		return err;
	h->generation = ad_rd64(p + S_GENERATION);
	h->nblocks = ad_rd64(p + S_NBLOCKS);
	h->bm_blocks = ad_rd32(p + S_BM_BLOCKS);
	h->idx_blocks = ad_rd32(p + S_IDX_BLOCKS);
	h->used_count = ad_rd64(p + S_USED);
	h->pending_count = ad_rd64(p + S_PENDING);
	h->member_index = ad_rd32(p + S_MEMBER);
	err = check_fields(p, h, why, whylen);
	if (err)
		return err;
	for (uint32_t i = 0; i < AD_SM_IDX_MAX; i++)
		h->idx_csum[i] = i < h->idx_blocks ? ad_rd32(p + S_IDX + 4 * i) : 0;
	return 0;
}
