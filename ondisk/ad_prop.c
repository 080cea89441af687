/*
 * ad_prop.c — encode/decode of pool property items (see ad_prop.h).
 */
#include <errno.h>
#include <string.h>

#include "ad_crc.h"
#include "ad_prop.h"

struct ad_key ad_prop_key(const char *name)
{
	return (struct ad_key){ .oid = 0, .type = AD_KT_PROP,
				.off = ad_crc32c(0, name, strlen(name)) };
}

static int check_bytes(const char *s, size_t n, const char *what, bool name, char *why,
		       size_t whylen)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || (name && (s[i] <= ' ' || s[i] > '~')))
			return ad_fail(why, whylen, name ? -EINVAL : -EUCLEAN,
				       "property %s: byte %zu (0x%02x) not allowed", what, i,
				       (unsigned char)s[i]);
	return 0;
}

int ad_prop_check(const char *name, const char *value, char *why, size_t whylen)
{
	size_t nl = name ? strlen(name) : 0, vl = value ? strlen(value) : 0;

	if (nl < 1 || nl > AD_PROP_NAME_MAX)
		return ad_fail(why, whylen, -EINVAL, "property name of %zu bytes (1..%u)", nl,
			       AD_PROP_NAME_MAX);
	if (!value || vl > AD_PROP_VALUE_MAX)
		return ad_fail(why, whylen, -EINVAL, "property value of %zu bytes (0..%u)", vl,
			       AD_PROP_VALUE_MAX);
	return check_bytes(name, nl, "name", true, why, whylen) ? -EINVAL : 0;
}

int ad_prop_encode(const char *name, const char *value, uint8_t out[AD_PROP_MAX], char *why,
		   size_t whylen)
{
	size_t nl, vl;
	int err = ad_prop_check(name, value, why, whylen);

	if (err)
		return err;
	nl = strlen(name);
	vl = strlen(value);
	ad_wr16(out + 0, AD_PROP_VERSION);
	ad_wr16(out + 2, (uint16_t)(AD_PROP_HDR + nl + vl));
	out[4] = (uint8_t)nl;
	out[5] = (uint8_t)vl;
	memcpy(out + AD_PROP_HDR, name, nl);
	memcpy(out + AD_PROP_HDR + nl, value, vl);
	return (int)(AD_PROP_HDR + nl + vl);
}

int ad_prop_decode(const void *val, size_t len, struct ad_prop *p, char *why, size_t whylen)
{
	const uint8_t *o = val;

	if (len < AD_PROP_HDR)
		return ad_fail(why, whylen, -EUCLEAN, "property record too short (%zu bytes)", len);
	if (ad_rd16(o) != AD_PROP_VERSION)
		return ad_fail(why, whylen, -EUCLEAN, "property record version %u, expected %u",
			       ad_rd16(o), AD_PROP_VERSION);
	p->namelen = o[4];
	p->vlen = o[5];
	if (ad_rd16(o + 2) != len || AD_PROP_HDR + (size_t)p->namelen + p->vlen != len)
		return ad_fail(why, whylen, -EUCLEAN, "property record length %u (item %zu, "
			       "name %u, value %u bytes)", ad_rd16(o + 2), len, p->namelen, p->vlen);
	if (p->namelen < 1 || p->namelen > AD_PROP_NAME_MAX || p->vlen > AD_PROP_VALUE_MAX)
		return ad_fail(why, whylen, -EUCLEAN, "property record: name %u bytes, value %u",
			       p->namelen, p->vlen);
	p->name = (const char *)o + AD_PROP_HDR;
	p->value = p->name + p->namelen;
	if (check_bytes(p->name, p->namelen, "name", true, why, whylen) ||
	    check_bytes(p->value, p->vlen, "value", false, why, whylen))
		return -EUCLEAN;
	return 0;
}
