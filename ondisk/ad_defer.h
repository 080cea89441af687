/*
 * ad_defer.h — deferred write records: small overwrites of a file's stripe
 * kept in metadata until they are folded into a new stripe.
 *
 * Owns: the value of AD_KT_DEFER items.  Key (ino, DEFER, off) with off the
 * file offset of the first byte; the record holds the bytes
 * [off, off + count), which replace what the stripe record of the window
 * holding them (ino, STRIPE, ws) says — only while that record has the wgen
 * written here.  The engine keeps every item inside one stripe window and
 * inside that record's data_len, and the items of a window never overlap.
 *
 *   0  version  le16  1
 *   2  length   le16  bytes of the record: 16 + count
 *   4  count    le32  data bytes (1 .. AD_DEFER_MAX)
 *   8  wgen     le64  wgen of the stripe record the bytes apply to
 *   16 data     u8[count]
 */
#ifndef ARGOS_AD_DEFER_H
#define ARGOS_AD_DEFER_H

#include <stddef.h>
#include <stdint.h>

#include "ad_format.h"

#define AD_DEFER_VERSION 1u
#define AD_DEFER_HDR     16
#define AD_DEFER_MAX     (AD_ITEM_MAX - AD_DEFER_HDR)   /* data bytes per item */

struct ad_defer {
	uint64_t wgen;
	uint32_t count;
	const uint8_t *data;   /* encode: the bytes; decode: points into the value */
};

/* Encode into out (cap bytes); returns the length, -EINVAL for a count of
 * 0 or over AD_DEFER_MAX, -E2BIG when cap is too small. */
int ad_defer_encode(const struct ad_defer *d, void *out, size_t cap);
/* Decode and validate (version, length = 16 + count, count in range);
 * d->data points into val.  0 or -EUCLEAN with a reason. */
int ad_defer_decode(const void *val, size_t len, struct ad_defer *d, char *why, size_t whylen);

#endif
