/*
 * ad_dirent.h — directory entry buckets and extended attribute buckets.
 *
 * Owns: the values of AD_KT_DIRENT, AD_KT_XATTR and AD_KT_XVAL items, and
 * the keyed name hash that places them.
 *
 * Names hash with SipHash-2-4 (libsodium crypto_shorthash) keyed with the
 * pool's format id, so colliding names cannot be chosen without the key.
 *
 * Directory entries: key (dir, DIRENT, h) with h = (hash >> 6) | 1, in
 * [1, 2^58): all names of one directory that share h live in one bucket:
 *   0 version le16  1
 *   2 length  le16  bytes of the bucket
 *   4 count   u8    entries (1..AD_DIRENT_MAX)
 *   5 reserved 3 bytes zero
 *   8 entries: ino le64, type u8 (DT_* of <dirent.h>), namelen u8, name[namelen]
 * readdir offsets are (h << 4) | (index in bucket + 1), so they survive other
 * entries coming and going; 0, 1, 2 are the start, "." and "..".
 *
 * Extended attributes: key (ino, XATTR, h) with h = hash >> 12 (52 bits):
 *   0 version le16, 2 length le16, 4 count u8, 5 reserved 3 bytes
 *   8 entries: namelen u8, flags u8, vlen le32, name[namelen], value[vlen]
 *     (flags bit 0 AD_XF_EXTERNAL: the value is not here but in XVAL items
 *     (ino, XVAL, (h << 8) | part), parts of up to AD_XVAL_PART bytes, in
 *     order; at most one external value per bucket)
 */
#ifndef ARGOS_AD_DIRENT_H
#define ARGOS_AD_DIRENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_format.h"

#define AD_BUCKET_VERSION   1u
#define AD_BUCKET_HDR       8
#define AD_NAME_MAX         255
#define AD_DIRENT_MAX       15      /* entries per bucket (offset index: 4 bits) */
#define AD_XATTR_VALUE_MAX  65536
#define AD_XATTR_INLINE_MAX 1024    /* larger values go to XVAL items */
#define AD_XVAL_PART        1900
#define AD_XF_EXTERNAL      0x1

/* 64-bit keyed hash of a name (key = the pool's format id). */
uint64_t ad_name_hash(const uint8_t key[16], const void *name, size_t len);
/* Bucket key offsets. */
static inline uint64_t ad_dirent_h(uint64_t hash) { return (hash >> 6) | 1; }
static inline uint64_t ad_xattr_h(uint64_t hash) { return hash >> 12; }

struct ad_dirent {
	uint64_t ino;
	uint8_t  type;
	uint8_t  namelen;
	const uint8_t *name;   /* points into the bucket */
};

struct ad_xattr {
	uint8_t  namelen;
	uint8_t  flags;
	uint32_t vlen;
	const uint8_t *name;
	const uint8_t *value;  /* NULL when external */
};

/* Decode a directory bucket: up to AD_DIRENT_MAX entries into e[]; returns
 * the count or -EUCLEAN. */
int ad_dirent_bucket_decode(const void *val, size_t len, struct ad_dirent *e,
			    char *why, size_t whylen);
/* Encode n entries into out (cap bytes); returns the length or -E2BIG. */
int ad_dirent_bucket_encode(const struct ad_dirent *e, unsigned n, void *out, size_t cap);

int ad_xattr_bucket_decode(const void *val, size_t len, struct ad_xattr *e, unsigned max,
			   char *why, size_t whylen);
int ad_xattr_bucket_encode(const struct ad_xattr *e, unsigned n, void *out, size_t cap);

#endif
