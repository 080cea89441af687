/*
 * ad_prop.h — pool property items: named settings stored in the metadata
 * tree (the I/O mode today).
 *
 * Owns: the key and value of AD_KT_PROP items.  Key (0, PROP, CRC-32C (seed
 * 0) of the name's bytes); two names with the same CRC cannot both be stored
 * (the second is refused, the decoder tells them apart by the stored name).
 *
 *   0  version  le16  1
 *   2  length   le16  bytes of the record, equal to the item's value length
 *   4  namelen  u8    1..32 (AD_PROP_NAME_MAX)
 *   5  vlen     u8    0..64 (AD_PROP_VALUE_MAX)
 *   6  name     namelen bytes, printable ASCII, no NUL
 *   6+namelen   value, vlen bytes, no NUL
 * Pure code: no I/O.
 */
#ifndef ARGOS_AD_PROP_H
#define ARGOS_AD_PROP_H

#include <stddef.h>
#include <stdint.h>

#include "ad_format.h"

#define AD_PROP_VERSION    1u
#define AD_PROP_HDR        6
#define AD_PROP_NAME_MAX   32
#define AD_PROP_VALUE_MAX  64
#define AD_PROP_MAX        (AD_PROP_HDR + AD_PROP_NAME_MAX + AD_PROP_VALUE_MAX)

struct ad_prop {
	const char    *name;     /* not NUL-terminated when decoded: use namelen */
	const char    *value;    /* likewise: vlen */
	unsigned       namelen, vlen;
};

/* The key of property `name` (NUL-terminated). */
struct ad_key ad_prop_key(const char *name);

/* Checks a name (1..32 printable ASCII bytes) and value (0..64 bytes, no NUL):
 * 0 or -EINVAL with a reason. */
int ad_prop_check(const char *name, const char *value, char *why, size_t whylen);

/* Encodes into out[AD_PROP_MAX]; returns the record's length, or -EINVAL
 * (see ad_prop_check). */
int ad_prop_encode(const char *name, const char *value, uint8_t out[AD_PROP_MAX],
		   char *why, size_t whylen);

/* Decodes a record of len bytes (the item's value length); p points into val.
 * -EUCLEAN for a damaged record. */
int ad_prop_decode(const void *val, size_t len, struct ad_prop *p, char *why, size_t whylen);

#endif
