/*
 * layout.h — where the regions of a member go, and mkfs-time defaults.
 *
 * Owns: the arithmetic that places the journal, the space map and the data
 * area on a member of a given size (ad_format.h's OVERVIEW), and the default
 * geometry (k, m, chunk size, journal size) for a set of members.
 */
#ifndef ARGOS_LAYOUT_H
#define ARGOS_LAYOUT_H

#include <stdint.h>

struct member_layout {
	uint64_t size;           /* device size, bytes */
	uint64_t end;            /* E = align_down(size, 64 KiB) */
	uint64_t journal_off, journal_len;
	uint64_t spacemap_off, spacemap_len;   /* both slots */
	uint64_t sm_slot_blocks;
	uint64_t data_off, data_len;
	uint64_t data_blocks;
};

/* Lay out a member.  -ENOSPC when it is too small to hold the fixed regions
 * plus at least 8 MiB of data (or below AD_MIN_MEMBER_SIZE). */
int layout_member(uint64_t size, uint64_t journal_len, struct member_layout *l);

/* Default journal length for a pool whose smallest member has this size. */
uint64_t layout_default_journal(uint64_t smallest_member);

/* Default parity count for n members: 1 -> 0, 2..3 -> 1, >= 4 -> 2. */
unsigned layout_default_m(unsigned n);

/* Bytes of the largest stripe record for a geometry (per-4K CRCs). */
uint64_t layout_stripe_record_bytes(unsigned k, unsigned m, uint32_t chunk);

/* Default chunk size: about 1 MiB stripes, 64..256 KiB, record must fit. */
uint32_t layout_default_chunk(unsigned k, unsigned m);

/* 0 if the chunk size is usable with k+m, else -EINVAL. */
int layout_check_chunk(unsigned k, unsigned m, uint32_t chunk);

#endif
