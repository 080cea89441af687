/*
 * ad_dirent.c — directory entry and xattr buckets (see ad_dirent.h).
 */
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "ad_dirent.h"

uint64_t ad_name_hash(const uint8_t key[16], const void *name, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];

	crypto_shorthash(out, name, len, key);
	return ad_rd64(out);
}

static int bucket_hdr(const uint8_t *v, size_t len, const char *what, char *why, size_t wl)
{
	if (len < AD_BUCKET_HDR)
		return ad_fail(why, wl, -EUCLEAN, "%s bucket too short (%zu bytes)", what, len);
	if (ad_rd16(v) != AD_BUCKET_VERSION || ad_rd16(v + 2) != len)
		return ad_fail(why, wl, -EUCLEAN, "%s bucket: version %u, length %u (item %zu)",
			       what, ad_rd16(v), ad_rd16(v + 2), len);
	if (v[4] == 0 || v[5] || v[6] || v[7])
		return ad_fail(why, wl, -EUCLEAN, "%s bucket: %u entries, reserved bytes set",
			       what, v[4]);
	return v[4];
}

int ad_dirent_bucket_decode(const void *val, size_t len, struct ad_dirent *e, char *why, size_t wl)
{
	const uint8_t *v = val;
	size_t pos = AD_BUCKET_HDR;
	int n = bucket_hdr(v, len, "directory", why, wl);

	if (n < 0)
		return n;
	if (n > AD_DIRENT_MAX)
		return ad_fail(why, wl, -EUCLEAN, "directory bucket: %d entries", n);
	for (int i = 0; i < n; i++) {
		if (len - pos < 10)
			return ad_fail(why, wl, -EUCLEAN, "directory bucket: entry %d truncated", i);
		e[i].ino = ad_rd64(v + pos);
		e[i].type = v[pos + 8];
		e[i].namelen = v[pos + 9];
		e[i].name = v + pos + 10;
		if (e[i].namelen == 0 || len - pos - 10 < e[i].namelen || e[i].ino == 0 ||
		    memchr(e[i].name, '/', e[i].namelen) || memchr(e[i].name, 0, e[i].namelen))
			return ad_fail(why, wl, -EUCLEAN, "directory bucket: entry %d malformed", i);
		pos += 10 + (size_t)e[i].namelen;
	}
	if (pos != len)
		return ad_fail(why, wl, -EUCLEAN, "directory bucket: %zu stray bytes", len - pos);
	return n;
}

static void put_hdr(uint8_t *o, size_t len, unsigned n)
{
	ad_wr16(o, AD_BUCKET_VERSION);
	ad_wr16(o + 2, (uint16_t)len);
	o[4] = (uint8_t)n;
	o[5] = o[6] = o[7] = 0;
}

int ad_dirent_bucket_encode(const struct ad_dirent *e, unsigned n, void *out, size_t cap)
{
	uint8_t *o = out;
	size_t pos = AD_BUCKET_HDR;

	if (n == 0 || n > AD_DIRENT_MAX)
		return -E2BIG;
	for (unsigned i = 0; i < n; i++) {
		if (pos + 10 + e[i].namelen > cap || pos + 10 + e[i].namelen > 0xffff)
			return -E2BIG;
		ad_wr64(o + pos, e[i].ino);
		o[pos + 8] = e[i].type;
		o[pos + 9] = e[i].namelen;
		memmove(o + pos + 10, e[i].name, e[i].namelen);
		pos += 10 + (size_t)e[i].namelen;
	}
	put_hdr(o, pos, n);
	return (int)pos;
}

int ad_xattr_bucket_decode(const void *val, size_t len, struct ad_xattr *e, unsigned max,
			   char *why, size_t wl)
{
	const uint8_t *v = val;
	size_t pos = AD_BUCKET_HDR;
	int n = bucket_hdr(v, len, "xattr", why, wl);
	unsigned external = 0;

	if (n < 0)
		return n;
	if ((unsigned)n > max)
		return ad_fail(why, wl, -EUCLEAN, "xattr bucket: %d entries", n);
	for (int i = 0; i < n; i++) {
		if (len - pos < 6)
			return ad_fail(why, wl, -EUCLEAN, "xattr bucket: entry %d truncated", i);
		e[i].namelen = v[pos];
		e[i].flags = v[pos + 1];
		e[i].vlen = ad_rd32(v + pos + 2);
		e[i].name = v + pos + 6;
		if (e[i].namelen == 0 || (e[i].flags & ~AD_XF_EXTERNAL) ||
		    e[i].vlen > AD_XATTR_VALUE_MAX || len - pos - 6 < e[i].namelen)
			return ad_fail(why, wl, -EUCLEAN, "xattr bucket: entry %d malformed", i);
		pos += 6 + (size_t)e[i].namelen;
		if (e[i].flags & AD_XF_EXTERNAL) {
			e[i].value = NULL;
			external++;
			continue;
		}
		if (len - pos < e[i].vlen)
			return ad_fail(why, wl, -EUCLEAN, "xattr bucket: value %d truncated", i);
		e[i].value = v + pos;
		pos += e[i].vlen;
	}
	if (pos != len || external > 1)
		return ad_fail(why, wl, -EUCLEAN, "xattr bucket: %zu stray bytes, %u external values",
			       len - pos, external);
	return n;
}

int ad_xattr_bucket_encode(const struct ad_xattr *e, unsigned n, void *out, size_t cap)
{
	uint8_t *o = out;
	size_t pos = AD_BUCKET_HDR;

	if (n == 0 || n > 255)
		return -E2BIG;
	for (unsigned i = 0; i < n; i++) {
		size_t vl = (e[i].flags & AD_XF_EXTERNAL) ? 0 : e[i].vlen;

		if (pos + 6 + e[i].namelen + vl > cap || pos + 6 + e[i].namelen + vl > 0xffff)
			return -E2BIG;
		o[pos] = e[i].namelen;
		o[pos + 1] = e[i].flags;
		ad_wr32(o + pos + 2, e[i].vlen);
		memmove(o + pos + 6, e[i].name, e[i].namelen);
		pos += 6 + (size_t)e[i].namelen;
		if (vl) {
			memmove(o + pos, e[i].value, vl);
			pos += vl;
		}
	}
	put_hdr(o, pos, n);
	return (int)pos;
}
