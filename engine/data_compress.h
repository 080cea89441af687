/*
 * data_compress.h — compression of stripe windows in units (lz4, zstd).
 *
 * Owns: the pool's compression setting (the "compression" pool property:
 * algorithm, zstd level, unit size, minimum saving), turning a window's
 * logical bytes into the stored stream of a compressed stripe and its unit
 * table (ad_stripe.h), and reading logical bytes back: a read decompresses
 * only the units it covers, reading their stored bytes through
 * data_read_stripe (so CRCs, parity, degraded reads and repair work on the
 * stored stream unchanged).
 *
 * Property value (canonical form written by data_cz_format):
 *   none | lz4[,unit=BYTES][,min-save=N] | zstd[:LEVEL][,unit=BYTES][,min-save=N]
 * unit: 4 KiB .. 64 KiB, a power of two (default 64 KiB); a unit is stored
 * raw unless it saves at least 1/N of its bytes (N 2..64, default 8); LEVEL
 * 1..19 (default 3).  A stripe is stored uncompressed when compressing saves
 * no block of chunk, or when its unit table would not fit the record.
 */
#ifndef ARGOS_DATA_COMPRESS_H
#define ARGOS_DATA_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "ad_stripe.h"

struct argos_pool;

#define DATA_CZ_LEVEL_DEFAULT  3
#define DATA_CZ_LEVEL_MAX      19
#define DATA_CZ_SHIFT_DEFAULT  16
#define DATA_CZ_MINSAVE_DEFAULT 8
#define DATA_CZ_SPEC_MAX       64

struct data_cz_cfg {
	uint8_t alg;        /* AD_CALG_* (AD_CALG_NONE: off) */
	uint8_t level;      /* zstd level 1..19 */
	uint8_t shift;      /* unit size 1 << shift */
	uint8_t minsave;    /* a unit must save >= 1/minsave of its bytes */
};

/* Parse a property value or a --compression argument; defaults filled in.
 * 0 or -EINVAL with a reason. */
int  data_cz_parse(const char *spec, struct data_cz_cfg *c, char *why, size_t whylen);
/* The canonical text of c (at most DATA_CZ_SPEC_MAX bytes with the NUL). */
void data_cz_format(const struct data_cz_cfg *c, char *out, size_t cap);
/* Whether a full window of this geometry has room for its unit table in a
 * record (AD_ITEM_MAX); 0 or -EINVAL with a reason naming the smallest unit
 * size that fits. */
int  data_cz_check_geometry(const struct data_cz_cfg *c, unsigned k, unsigned m, uint32_t chunk,
			    char *why, size_t whylen);

/* The setting in effect (atomic snapshot), and setting it. */
void data_cz_get(struct argos_pool *p, struct data_cz_cfg *c);
void data_cz_set(struct argos_pool *p, const struct data_cz_cfg *c);

/*
 * Compress window buf[0, len) for a k+m stripe: on success *out is a new
 * aligned buffer of *slen stored bytes (room for k * chunk_size), s->flags,
 * the unit table and s->data_len are set, and 1 is returned; 0 when the
 * window is to be stored as is (nothing allocated, s untouched); -ENOMEM.
 */
int  data_cz_window(struct argos_pool *p, unsigned k, unsigned m, const uint8_t *buf,
		    uint32_t len, struct ad_stripe *s, uint8_t **out, uint32_t *slen);

/*
 * Read logical window bytes [off, off + len) of stripe s into dst, zeros
 * past data_len: data_read_stripe for an uncompressed stripe, else the
 * covering units' stored bytes, decompressed.  -EIO for a unit that does not
 * decompress to its length (logged).
 */
int  data_read_logical(struct argos_pool *p, uint64_t ino, uint64_t ws, const struct ad_stripe *s,
		       uint64_t off, size_t len, uint8_t *dst, uint64_t *damaged);

/* Decompress unit i of s from its stored bytes src into dst (the unit's
 * logical length): 0, or -EUCLEAN when it does not decompress exactly. */
int  data_cz_unit(const struct ad_stripe *s, unsigned i, const uint8_t *src, uint8_t *dst);

/* Decompress every unit of s from the stored stream (slen bytes) into out
 * (ulen bytes): 0, or -EUCLEAN with *bad the first unit that does not
 * decompress exactly. */
int  data_cz_decode_all(const struct ad_stripe *s, const uint8_t *stored, uint8_t *out,
			unsigned *bad);

#endif
