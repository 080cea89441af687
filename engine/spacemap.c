/*
 * spacemap.c — allocation bitmaps and their slot encoding (see spacemap.h).
 *
 * Slot image: [header][index: CRC per bitmap block][used bitmap][pending bitmap]
 * (ad_format.h).  Bits beyond nblocks are always zero on disk and in memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ad_crc.h"
#include "ad_format.h"
#include "elog.h"
#include "spacemap.h"

#define WORDS_PER_BLOCK (AD_BLOCK / 8)

int sm_create(struct spacemap *sm, unsigned member, uint64_t nblocks)
{
	size_t words;

	memset(sm, 0, sizeof(*sm));
	sm->member = member;
	sm->nblocks = nblocks;
	ad_sm_geometry(nblocks, &sm->bm_blocks, &sm->idx_blocks, &sm->slot_blocks);
	words = (size_t)sm->bm_blocks * WORDS_PER_BLOCK;
	sm->used = calloc(words, 8);
	sm->pending = calloc(words, 8);
	if (!sm->used || !sm->pending) {
		sm_destroy(sm);
		return -ENOMEM;
	}
	return 0;
}

void sm_destroy(struct spacemap *sm)
{
	free(sm->used);
	free(sm->pending);
	sm->used = sm->pending = NULL;
}

bool sm_test(const uint64_t *bm, uint64_t b)
{
	return (bm[b / 64] >> (b % 64)) & 1;
}

uint64_t sm_bits_set(uint64_t *bm, uint64_t b, uint64_t n)
{
	uint64_t changed = 0;

	for (uint64_t i = b; i < b + n; i++) {
		uint64_t bit = 1ull << (i % 64);

		if (!(bm[i / 64] & bit)) {
			bm[i / 64] |= bit;
			changed++;
		}
	}
	return changed;
}

uint64_t sm_bits_clear(uint64_t *bm, uint64_t b, uint64_t n)
{
	uint64_t changed = 0;

	for (uint64_t i = b; i < b + n; i++) {
		uint64_t bit = 1ull << (i % 64);

		if (bm[i / 64] & bit) {
			bm[i / 64] &= ~bit;
			changed++;
		}
	}
	return changed;
}

void sm_mark_used(struct spacemap *sm, uint64_t b, uint64_t n)
{
	sm->used_count += sm_bits_set(sm->used, b, n);
}

/* Little-endian bitmap bytes: bit b is bit b%8 of byte b/8. */
static void bitmap_to_disk(const uint64_t *words, uint8_t *out, uint32_t blocks)
{
	for (size_t w = 0; w < (size_t)blocks * WORDS_PER_BLOCK; w++)
		ad_wr64(out + w * 8, words[w]);
}

static void bitmap_from_disk(uint64_t *words, const uint8_t *in, uint32_t blocks)
{
	for (size_t w = 0; w < (size_t)blocks * WORDS_PER_BLOCK; w++)
		words[w] = ad_rd64(in + w * 8);
}

uint32_t sm_encode_slot(const struct spacemap *sm, uint64_t gen, uint32_t seed, void *buf)
{
	uint8_t *p = buf;
	uint8_t *idx = p + AD_BLOCK;
	uint8_t *bm = idx + (size_t)sm->idx_blocks * AD_BLOCK;
	struct ad_sm_hdr h;

	memset(buf, 0, (size_t)sm->slot_blocks * AD_BLOCK);
	bitmap_to_disk(sm->used, bm, sm->bm_blocks);
	bitmap_to_disk(sm->pending, bm + (size_t)sm->bm_blocks * AD_BLOCK, sm->bm_blocks);
	for (uint32_t i = 0; i < 2 * sm->bm_blocks; i++)
		ad_wr32(idx + (size_t)i * 4, ad_crc32c(seed, bm + (size_t)i * AD_BLOCK, AD_BLOCK));
	memset(&h, 0, sizeof(h));
	h.generation = gen;
	h.nblocks = sm->nblocks;
	h.bm_blocks = sm->bm_blocks;
	h.idx_blocks = sm->idx_blocks;
	h.used_count = sm->used_count;
	h.pending_count = sm->pending_count;
	h.member_index = sm->member;
	for (uint32_t i = 0; i < sm->idx_blocks; i++)
		h.idx_csum[i] = ad_crc32c(seed, idx + (size_t)i * AD_BLOCK, AD_BLOCK);
	return ad_sm_hdr_encode(&h, p, seed);
}

static uint64_t popcount_bm(const uint64_t *w, uint32_t blocks)
{
	uint64_t n = 0;

	for (size_t i = 0; i < (size_t)blocks * WORDS_PER_BLOCK; i++)
		n += (uint64_t)__builtin_popcountll(w[i]);
	return n;
}

int sm_decode_slot(struct spacemap *sm, const void *buf, uint64_t gen, uint32_t expect_csum,
		   uint32_t seed, char *why, size_t whylen)
{
	const uint8_t *p = buf;
	const uint8_t *idx = p + AD_BLOCK;
	const uint8_t *bm = idx + (size_t)sm->idx_blocks * AD_BLOCK;
	struct ad_sm_hdr h;
	int err;

	err = ad_sm_hdr_decode(p, seed, &h, why, whylen);
	if (err)
		return err;
	if (expect_csum && ad_rd32(p + AD_BLOCK - 4) != expect_csum)
		return ewhy(why, whylen, -EUCLEAN, "space map of member %u: header checksum does "
			    "not match the superblock's", sm->member);
	if (h.generation != gen || h.nblocks != sm->nblocks || h.member_index != sm->member)
		return ewhy(why, whylen, -EUCLEAN,
			    "space map of member %u: generation %llu / %llu blocks / member %u, "
			    "expected %llu / %llu / %u", sm->member,
			    (unsigned long long)h.generation, (unsigned long long)h.nblocks,
			    h.member_index, (unsigned long long)gen,
			    (unsigned long long)sm->nblocks, sm->member);
	for (uint32_t i = 0; i < sm->idx_blocks; i++)
		if (ad_crc32c(seed, idx + (size_t)i * AD_BLOCK, AD_BLOCK) != h.idx_csum[i])
			return ewhy(why, whylen, -EUCLEAN,
				    "space map of member %u: index block %u checksum mismatch",
				    sm->member, i);
	for (uint32_t i = 0; i < 2 * sm->bm_blocks; i++)
		if (ad_crc32c(seed, bm + (size_t)i * AD_BLOCK, AD_BLOCK) != ad_rd32(idx + (size_t)i * 4))
			return ewhy(why, whylen, -EUCLEAN,
				    "space map of member %u: bitmap block %u checksum mismatch",
				    sm->member, i);
	bitmap_from_disk(sm->used, bm, sm->bm_blocks);
	bitmap_from_disk(sm->pending, bm + (size_t)sm->bm_blocks * AD_BLOCK, sm->bm_blocks);
	for (size_t w = 0; w < (size_t)sm->bm_blocks * WORDS_PER_BLOCK; w++) {
		uint64_t first = (uint64_t)w * 64;
		uint64_t past = first >= sm->nblocks ? UINT64_MAX
			      : sm->nblocks - first < 64 ? ~0ull << (sm->nblocks - first) : 0;

		if ((sm->used[w] | sm->pending[w]) & past)
			return ewhy(why, whylen, -EUCLEAN, "space map of member %u: bits set past "
				    "its %llu data blocks", sm->member, (unsigned long long)sm->nblocks);
		if (sm->pending[w] & ~sm->used[w])
			return ewhy(why, whylen, -EUCLEAN, "space map of member %u: pending block "
				    "%llu is not used", sm->member, (unsigned long long)(first +
				    (uint64_t)__builtin_ctzll(sm->pending[w] & ~sm->used[w])));
	}
	sm->used_count = popcount_bm(sm->used, sm->bm_blocks);
	sm->pending_count = popcount_bm(sm->pending, sm->bm_blocks);
	if (sm->used_count != h.used_count || sm->pending_count != h.pending_count)
		return ewhy(why, whylen, -EUCLEAN, "space map of member %u: bit counts disagree "
			    "with the header", sm->member);
	return 0;
}
