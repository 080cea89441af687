/*
 * spacemap.h — a member's allocation bitmaps in memory and on disk.
 *
 * Owns: the in-memory used/pending bitmaps of one member and their encoding
 * into a space map slot (ad_format.h, "Space map").  Bit b covers data block
 * b, i.e. member block data_off/4096 + b.  The allocator (policy, reserves,
 * deferred frees) is built on top of this.
 */
#ifndef ARGOS_SPACEMAP_H
#define ARGOS_SPACEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spacemap {
	unsigned  member;
	uint64_t  nblocks;            /* data blocks covered */
	uint32_t  bm_blocks;          /* 4 KiB blocks per bitmap */
	uint32_t  idx_blocks;
	uint64_t  slot_blocks;
	uint64_t *used;               /* bm_blocks * 512 words */
	uint64_t *pending;
	uint64_t  used_count, pending_count;
};

int  sm_create(struct spacemap *sm, unsigned member, uint64_t nblocks);
void sm_destroy(struct spacemap *sm);

bool sm_test(const uint64_t *bm, uint64_t b);
/* Set/clear n bits from b in bitmap bm; returns how many changed. */
uint64_t sm_bits_set(uint64_t *bm, uint64_t b, uint64_t n);
uint64_t sm_bits_clear(uint64_t *bm, uint64_t b, uint64_t n);

/* Mark [b, b+n) used (mkfs, replay).  Counts are kept. */
void sm_mark_used(struct spacemap *sm, uint64_t b, uint64_t n);

/*
 * Encode the whole slot (slot_blocks * 4096 bytes) into buf for checkpoint
 * generation gen.  Returns the slot header's checksum.
 */
uint32_t sm_encode_slot(const struct spacemap *sm, uint64_t gen, uint32_t seed, void *buf);

/*
 * Decode a whole slot image: header (generation must equal gen, checksum must
 * equal expect_csum unless 0), index and every bitmap block.  Returns 0 or
 * -EUCLEAN with a reason.
 */
int  sm_decode_slot(struct spacemap *sm, const void *buf, uint64_t gen, uint32_t expect_csum,
		    uint32_t seed, char *why, size_t whylen);

#endif
