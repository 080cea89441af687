/*
 * ad_priv.h — helpers shared by the ondisk/ sources; not part of the format
 * contract (ad_format.h) and not for use outside ondisk/.
 */
#ifndef ARGOS_AD_PRIV_H
#define ARGOS_AD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ad_format.h"

/* True when the len bytes at p are all zero. */
static inline bool ad_mem_is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static inline bool ad_is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* Sector sizes the format accepts: logical <= physical, each 2^n in [512, 64 KiB]. */
#define AD_SECTOR_MIN 512u
#define AD_SECTOR_MAX 65536u
static inline bool ad_sectors_ok(uint32_t logical, uint32_t physical)
{
	return ad_is_pow2(logical) && ad_is_pow2(physical) && logical >= AD_SECTOR_MIN &&
	       physical <= AD_SECTOR_MAX && logical <= physical;
}

/* A field that must hold a NUL-terminated string, zero-padded to its end. */
static inline bool ad_str_field_ok(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	return n < size && ad_mem_is_zero(s + n, size - n);
}

/*
 * ad_util.c: the first two checks of every seeded structure.  -ENOMSG when the
 * le32 at p is not magic ("<what>: magic 0x.., expected 0x.."), -EUCLEAN when
 * the le32 at csum_at is not ad_crc32c(seed, p + from, to - from)
 * ("<what>: checksum mismatch: stored 0x.., computed 0x..").
 */
int ad_check_magic_csum(const void *p, uint32_t magic, uint32_t seed, size_t from, size_t to,
			size_t csum_at, const char *what, char *why, size_t whylen);

/*
 * ad_mtab.c: the member table behind the superblock (its checksum is the
 * superblock's business).  tab holds ceil(sb->member_count / 32) blocks.
 * Decode validates every entry against sb and fills mtab when it is not NULL.
 */
void ad_mtab_encode(const struct ad_member *mtab, uint32_t count, void *tab, size_t tablen);
int  ad_mtab_decode(const void *tab, size_t tablen, const struct ad_super *sb,
		    struct ad_member *mtab, char *why, size_t whylen);

#endif /* ARGOS_AD_PRIV_H */
