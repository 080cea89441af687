/*
 * ad_le.h — little-endian wire types and their accessors.
 *
 * Owns: the only place where on-disk integers are converted to and from host
 * order.  Wire structs use ad_le16/32/64 (wrapper structs, so arithmetic on a
 * raw field does not compile); code reads them with ad_get*() and writes them
 * with ad_put*().  Unaligned access is fine: everything goes through memcpy.
 */
#ifndef ARGOS_AD_LE_H
#define ARGOS_AD_LE_H

#include <stdint.h>
#include <string.h>
#include <endian.h>

typedef struct { uint8_t b[2]; } ad_le16;
typedef struct { uint8_t b[4]; } ad_le32;
typedef struct { uint8_t b[8]; } ad_le64;

_Static_assert(sizeof(ad_le16) == 2, "ad_le16 size");
_Static_assert(sizeof(ad_le32) == 4, "ad_le32 size");
_Static_assert(sizeof(ad_le64) == 8, "ad_le64 size");

static inline uint16_t ad_get16(ad_le16 v) { uint16_t x; memcpy(&x, v.b, 2); return le16toh(x); }
static inline uint32_t ad_get32(ad_le32 v) { uint32_t x; memcpy(&x, v.b, 4); return le32toh(x); }
static inline uint64_t ad_get64(ad_le64 v) { uint64_t x; memcpy(&x, v.b, 8); return le64toh(x); }

static inline ad_le16 ad_le16_of(uint16_t x) { ad_le16 v; x = htole16(x); memcpy(v.b, &x, 2); return v; }
static inline ad_le32 ad_le32_of(uint32_t x) { ad_le32 v; x = htole32(x); memcpy(v.b, &x, 4); return v; }
static inline ad_le64 ad_le64_of(uint64_t x) { ad_le64 v; x = htole64(x); memcpy(v.b, &x, 8); return v; }

#define ad_put16(field, x) ((field) = ad_le16_of(x))
#define ad_put32(field, x) ((field) = ad_le32_of(x))
#define ad_put64(field, x) ((field) = ad_le64_of(x))

/* Raw byte-buffer accessors, for variable-length records (items, journal ops). */
static inline uint16_t ad_rd16(const void *p) { uint16_t x; memcpy(&x, p, 2); return le16toh(x); }
static inline uint32_t ad_rd32(const void *p) { uint32_t x; memcpy(&x, p, 4); return le32toh(x); }
static inline uint64_t ad_rd64(const void *p) { uint64_t x; memcpy(&x, p, 8); return le64toh(x); }
static inline void ad_wr16(void *p, uint16_t x) { x = htole16(x); memcpy(p, &x, 2); }
static inline void ad_wr32(void *p, uint32_t x) { x = htole32(x); memcpy(p, &x, 4); }
static inline void ad_wr64(void *p, uint64_t x) { x = htole64(x); memcpy(p, &x, 8); }

#endif /* ARGOS_AD_LE_H */
