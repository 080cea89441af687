/*
 * ad_util.c — small helpers of the format library: failure reasons, the
 * magic-and-checksum check every seeded structure starts with, UUID text form,
 * and the names of member states.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "ad_crc.h"
#include "ad_format.h"
#include "ad_priv.h"

int ad_fail(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

int ad_check_magic_csum(const void *p, uint32_t magic, uint32_t seed, size_t from, size_t to,
			size_t csum_at, const char *what, char *why, size_t whylen)
{
	const uint8_t *b = p;
	uint32_t found = ad_rd32(b), stored, calc;

	if (found != magic)
		return ad_fail(why, whylen, -ENOMSG, "%s: magic 0x%08x, expected 0x%08x", what,
			       found, magic);
	stored = ad_rd32(b + csum_at);
	calc = ad_crc32c(seed, b + from, to - from);
	if (stored != calc)
		return ad_fail(why, whylen, -EUCLEAN,
			       "%s: checksum mismatch: stored 0x%08x, computed 0x%08x",
			       what, stored, calc);
	return 0;
}

const char *ad_member_state_name(unsigned state)
{
	switch (state) {
#define x(n, v, s) case v: return s;
	AD_MEMBER_STATES(x)
#undef x
	}
	return NULL;
}

void ad_uuid_unparse(const uint8_t uuid[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	char *o = out;

	for (unsigned i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[uuid[i] >> 4];
		*o++ = hex[uuid[i] & 0xf];
	}
	*o = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ad_uuid_parse(const char *s, uint8_t uuid[16])
{
	uint8_t out[16];
	unsigned nibble = 0;

	/* Stops at the first bad character, so a short string is never overrun. */
	for (unsigned i = 0; i < 36; i++) {
		int v;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		v = hex_value(s[i]);
		if (v < 0)
			return -EINVAL;
		if (nibble % 2 == 0)
			out[nibble / 2] = (uint8_t)(v << 4);
		else
			out[nibble / 2] |= (uint8_t)v;
		nibble++;
	}
	if (s[36] != '\0')
		return -EINVAL;
	memcpy(uuid, out, 16);
	return 0;
}

bool ad_uuid_is_zero(const uint8_t uuid[16])
{
	return ad_mem_is_zero(uuid, 16);
}
