/*
 * ad_defer.c — deferred write record encode/decode (see ad_defer.h).
 */
#include <errno.h>
#include <string.h>

#include "ad_defer.h"

int ad_defer_encode(const struct ad_defer *d, void *out, size_t cap)
{
	uint8_t *o = out;
	size_t len = AD_DEFER_HDR + (size_t)d->count;

	if (d->count == 0 || d->count > AD_DEFER_MAX)
		return -EINVAL;
	if (len > cap)
		return -E2BIG;
	ad_wr16(o, AD_DEFER_VERSION);
	ad_wr16(o + 2, (uint16_t)len);
	ad_wr32(o + 4, d->count);
	ad_wr64(o + 8, d->wgen);
	memcpy(o + AD_DEFER_HDR, d->data, d->count);
	return (int)len;
}

int ad_defer_decode(const void *val, size_t len, struct ad_defer *d, char *why, size_t whylen)
{
	const uint8_t *o = val;

	if (len < AD_DEFER_HDR + 1)
		return ad_fail(why, whylen, -EUCLEAN, "defer record too short (%zu bytes)", len);
	if (ad_rd16(o) != AD_DEFER_VERSION || ad_rd16(o + 2) != len)
		return ad_fail(why, whylen, -EUCLEAN, "defer record version %u length %u (item %zu)",
			       ad_rd16(o), ad_rd16(o + 2), len);
	d->count = ad_rd32(o + 4);
	d->wgen = ad_rd64(o + 8);
	d->data = o + AD_DEFER_HDR;
	if (d->count == 0 || d->count > AD_DEFER_MAX || AD_DEFER_HDR + (size_t)d->count != len)
		return ad_fail(why, whylen, -EUCLEAN, "defer record: count %u in a %zu-byte record",
			       d->count, len);
	return 0;
}
