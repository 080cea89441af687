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
 *   7  flags        u8    zero in v1 (compression, encryption come later)
 *   8  chunk_blocks le16  4 KiB blocks per chunk (>= 1)
 *   10 reserved     le16  zero
 *   12 data_len     le32  logical bytes (1 .. k * chunk_blocks * 4096)
 *   16 wgen         le64  write generation (transaction id that wrote it)
 *   24 reserved     le64  zero
 *   32 addr[k+m]    le64  chunk addresses (ad_addr: member << 52 | block)
 *   ..  crc[k+m][chunk_blocks] le32, chunk by chunk
 */
#ifndef ARGOS_AD_STRIPE_H
#define ARGOS_AD_STRIPE_H

#include <stddef.h>
#include <stdint.h>

#include "ad_format.h"

#define AD_STRIPE_VERSION 1u
#define AD_STRIPE_HDR     32
#define AD_STRIPE_MAX_CHUNKS (AD_MAX_K + AD_MAX_M)

struct ad_stripe {
	uint8_t  k, m, matrix, flags;
	uint16_t chunk_blocks;
	uint32_t data_len;
	uint64_t wgen;
	uint64_t addr[AD_STRIPE_MAX_CHUNKS];
	uint32_t *crc;   /* (k+m) * chunk_blocks entries; caller's storage */
};

/* Bytes of a record with this width. */
size_t ad_stripe_size(unsigned k, unsigned m, unsigned chunk_blocks);
/* Encode into out (cap bytes); returns the length or -E2BIG. */
int    ad_stripe_encode(const struct ad_stripe *s, void *out, size_t cap);
/*
 * Decode and validate (version, length, widths, data_len within the chunks,
 * distinct members, addresses in range).  s->crc must have room for
 * crc_cap entries.  Returns 0 or -EUCLEAN with a reason.
 */
int    ad_stripe_decode(const void *val, size_t len, struct ad_stripe *s, size_t crc_cap,
			char *why, size_t whylen);
static inline uint32_t *ad_stripe_crcs(const struct ad_stripe *s, unsigned chunk)
{
	return s->crc + (size_t)chunk * s->chunk_blocks;
}

#endif
