/*
 * layout.c — member region placement and default geometry (see layout.h).
 *
 * Member layout (offsets in bytes, all 4 KiB aligned):
 *   journal   [1 MiB, 1 MiB + J)
 *   space map [1 MiB + J, + 2 * slot)         slot = ad_sm_geometry(D)
 *   data      [align_up(.., 64 KiB), E - 1 MiB)   D blocks
 * D and the space map size depend on each other; the space map is sized for
 * an upper bound of D, then D is what remains.
 */
#include <errno.h>

#include "ad_format.h"
#include "ad_stripe.h"
#include "layout.h"

#define MIB (1ull << 20)
#define DATA_ALIGN (64ull << 10)
#define MIN_DATA (8ull << 20)

int layout_member(uint64_t size, uint64_t journal_len, struct member_layout *l)
{
	uint64_t sm_blocks, upper;
	uint32_t bm, idx;

	l->size = size;
	l->end = ad_align_down(size, AD_END_ALIGN);
	if (size < AD_MIN_MEMBER_SIZE || l->end < AD_FRONT_RESERVED + AD_BACK_RESERVED + journal_len)
		return -ENOSPC;
	l->journal_off = AD_FRONT_RESERVED;
	l->journal_len = journal_len;
	l->spacemap_off = l->journal_off + journal_len;
	upper = (l->end - AD_BACK_RESERVED - l->spacemap_off) / AD_BLOCK;
	ad_sm_geometry(upper, &bm, &idx, &sm_blocks);
	l->sm_slot_blocks = sm_blocks;
	l->spacemap_len = 2 * sm_blocks * AD_BLOCK;
	l->data_off = ad_align_up(l->spacemap_off + l->spacemap_len, DATA_ALIGN);
	if (l->data_off + MIN_DATA > l->end - AD_BACK_RESERVED)
		return -ENOSPC;
	l->data_len = l->end - AD_BACK_RESERVED - l->data_off;
	l->data_blocks = l->data_len / AD_BLOCK;
	return 0;
}

uint64_t layout_default_journal(uint64_t smallest)
{
	uint64_t j = ad_align_down(smallest / 16, MIB);

	if (j < 4 * MIB)
		j = 4 * MIB;
	if (j > 256 * MIB)
		j = 256 * MIB;
	return j;
}

unsigned layout_default_m(unsigned n)
{
	return n <= 1 ? 0 : n <= 3 ? 1 : 2;
}

uint64_t layout_stripe_record_bytes(unsigned k, unsigned m, uint32_t chunk)
{
	/* The record's own size: header, then per chunk an 8-byte address and a
	 * CRC per 4 KiB block (ondisk/ad_stripe.c; no unit table). */
	return ad_stripe_size(k, m, chunk / AD_BLOCK);
}

int layout_check_chunk(unsigned k, unsigned m, uint32_t chunk)
{
	if (chunk < AD_MIN_CHUNK || chunk > AD_MAX_CHUNK || (chunk & (chunk - 1)))
		return -EINVAL;
	if (layout_stripe_record_bytes(k, m, chunk) > AD_ITEM_MAX)
		return -EINVAL;
	return 0;
}

uint32_t layout_default_chunk(unsigned k, unsigned m)
{
	uint32_t c = 256u << 10;

	while (c > (64u << 10) && (uint64_t)c * k > MIB)
		c >>= 1;
	while (c > AD_MIN_CHUNK && layout_check_chunk(k, m, c))
		c >>= 1;
	return c;
}
