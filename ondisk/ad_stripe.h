/*
 * ad_stripe.h — stripe records: where a file's data lives.
 *
 * Owns: the value of AD_KT_STRIPE items.  Key (ino, STRIPE, off) with off a
 * multiple of the pool's stripe size S = k * chunk_size; the record covers
 * file bytes [off, off + data_len).  Bytes of the stripe window beyond
 * data_len, and windows with no record, read as zeros (holes).
 *
 * The stripe's data is split into k data chunks of chunk_blocks * 4 KiB
 * (chunk j holds stripe bytes [j * chunk_len, (j + 1) * chunk_len), zero
 * padded), plus m parity chunks (ISA-L, the matrix named here).  k and m are
 * this stripe's own width: a degraded pool writes fewer parity chunks, and a
 * later rebuild restores the pool's width.  Every chunk sits on a different
 * member, at one extent of chunk_blocks blocks; every 4 KiB block of every
 * chunk has its CRC-32C (seed 0) here, checked on every read.
 *
 *   0  version      le16  1
 *   2  length       le16  bytes of the record
 *   4  k            u8    data chunks (1..32)
 *   5  m            u8    parity chunks (0..3)
 *   6  matrix       u8    AD_MATRIX_*
 *   7  flags        u8    AD_STRIPE_F_COMPRESSED or zero (encryption later)
 *   8  chunk_blocks le16  4 KiB blocks per chunk (>= 1)
 *   10 reserved     le16  zero
 *   12 data_len     le32  logical bytes (1 .. k * chunk_blocks * 4096, or
 *                         1 .. ulen when compressed)
 *   16 wgen         le64  write generation (transaction id that wrote it)
 *   24 reserved     le64  zero
 *   32 addr[k+m]    le64  chunk addresses (ad_addr: member << 52 | block)
 *   ..  crc[k+m][chunk_blocks] le32, chunk by chunk
 * and, only with AD_STRIPE_F_COMPRESSED, the unit table:
 *   +0  calg         u8    AD_CALG_LZ4 or AD_CALG_ZSTD
 *   +1  cshift       u8    unit size U = 1 << cshift (12..16)
 *   +2  nunits       le16  ceil(ulen / U)
 *   +4  ulen         le32  logical bytes the units hold (>= data_len: a
 *                          truncation shortens data_len only)
 *   +8  slen         le32  stored bytes: the sum of the units' stored lengths
 *   +12 unit[nunits] le16  stored length of a compressed unit (1 .. its
 *                          logical length - 1), 0 for a unit stored raw
 * A compressed stripe's chunks hold the STORED stream (the units one after
 * the other, unaligned) exactly as an uncompressed stripe holds the window:
 * chunk_blocks = ceil(ceil(slen / k) / 4096), CRCs of what is on disk.
 * Unit i holds window bytes [i U, min((i + 1) U, ulen)); it starts at the
 * sum of the stored lengths of units 0..i-1 in the stored stream.
 */
#ifndef ARGOS_AD_STRIPE_H
#define ARGOS_AD_STRIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_format.h"

#define AD_STRIPE_VERSION 1u
#define AD_STRIPE_HDR     32
#define AD_STRIPE_MAX_CHUNKS (AD_MAX_K + AD_MAX_M)

#define AD_STRIPE_F_COMPRESSED 0x01u
#define AD_STRIPE_CTAB_HDR     12
#define AD_CUNIT_SHIFT_MIN     12
#define AD_CUNIT_SHIFT_MAX     16
/* The most units a record can hold (one chunk of one block, no parity). */
#define AD_STRIPE_MAX_UNITS    ((AD_ITEM_MAX - AD_STRIPE_HDR - 8 - 4 - AD_STRIPE_CTAB_HDR) / 2)

/* Compression algorithms of a unit table (AD_CALG_NONE: never stored). */
enum { AD_CALG_NONE = 0, AD_CALG_LZ4 = 1, AD_CALG_ZSTD = 2 };

struct ad_stripe {
	uint8_t  k, m, matrix, flags;
	uint16_t chunk_blocks;
	uint32_t data_len;
	uint64_t wgen;
	uint64_t addr[AD_STRIPE_MAX_CHUNKS];
	uint32_t *crc;   /* (k+m) * chunk_blocks entries; caller's storage */
	/* flags & AD_STRIPE_F_COMPRESSED: the unit table */
	uint8_t  calg, cshift;
	uint16_t nunits;
	uint32_t ulen, slen;
	uint16_t unit[AD_STRIPE_MAX_UNITS];
};

/* Bytes of an uncompressed record with this width. */
size_t ad_stripe_size(unsigned k, unsigned m, unsigned chunk_blocks);
/* Bytes of s's record (the unit table included when compressed). */
size_t ad_stripe_rec_size(const struct ad_stripe *s);
/* Bytes of a compressed record with this width and this many units. */
size_t ad_stripe_csize(unsigned k, unsigned m, unsigned chunk_blocks, unsigned nunits);
/* Encode into out (cap bytes); returns the length or -E2BIG. */
int    ad_stripe_encode(const struct ad_stripe *s, void *out, size_t cap);
/*
 * Decode and validate (version, length, widths, data_len within the chunks,
 * distinct members, addresses in range; a unit table's algorithm, unit
 * size, count, lengths and sum).  s->crc must have room for
 * crc_cap entries.  Returns 0 or -EUCLEAN with a reason.
 */
int    ad_stripe_decode(const void *val, size_t len, struct ad_stripe *s, size_t crc_cap,
			char *why, size_t whylen);
static inline uint32_t *ad_stripe_crcs(const struct ad_stripe *s, unsigned chunk)
{
	return s->crc + (size_t)chunk * s->chunk_blocks;
}

/* Where unit i of a compressed stripe starts in the stored stream, its stored
 * and logical lengths, and whether it is stored raw. */
struct ad_cunit {
	uint32_t soff, slen, loff, llen;
	bool raw;
};
void ad_stripe_unit(const struct ad_stripe *s, unsigned i, struct ad_cunit *u);

#endif
