/*
 * xattrval.c — encoding and decoding extended attribute values (see xattrval.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xattrval.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int decode_hex(const char *s, char *out, size_t *len)
{
	size_t n = strlen(s);

	if (n % 2)
		return -EINVAL;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i / 2] = (char)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

static int decode_base64(const char *s, char *out, size_t *len)
{
	uint32_t acc = 0;
	unsigned bits = 0, pad = 0;
	size_t n = 0;

	for (; *s; s++) {
		const char *d = strchr(b64, *s);

		if (*s == '=') {
			pad++;
			continue;
		}
		if (!d || pad)
			return -EINVAL;          /* a digit after padding is malformed */
		acc = acc << 6 | (uint32_t)(d - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)(acc >> bits);
		}
	}
	if (pad > 2 || bits >= 6)
		return -EINVAL;
	*len = n;
	return 0;
}

/* "..." with \\, \" and \ooo escapes; a missing closing quote is an error. */
static int decode_quoted(const char *s, char *out, size_t *len)
{
	size_t n = 0;

	for (s++; *s && *s != '"'; s++) {
		if (*s != '\\') {
			out[n++] = *s;
			continue;
		}
		s++;
		if (s[0] >= '0' && s[0] <= '7') {
			unsigned v = 0;

			for (int i = 0; i < 3 && s[0] >= '0' && s[0] <= '7'; i++, s++)
				v = v * 8 + (unsigned)(s[0] - '0');
			out[n++] = (char)v;
			s--;
		} else if (*s) {
			out[n++] = *s;
		} else {
			return -EINVAL;
		}
	}
	if (*s != '"' || s[1])
		return -EINVAL;
	*len = n;
	return 0;
}

int xval_decode(const char *arg, char **out, size_t *len)
{
	size_t n = strlen(arg);
	char *v = malloc(n + 1);
	int err;

	if (!v)
		return -ENOMEM;
	if (arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X'))
		err = decode_hex(arg + 2, v, len);
	else if (arg[0] == '0' && (arg[1] == 's' || arg[1] == 'S'))
		err = decode_base64(arg + 2, v, len);
	else if (arg[0] == '"')
		err = decode_quoted(arg, v, len);
	else {
		memcpy(v, arg, n);
		*len = n;
		err = 0;
	}
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	return 0;
}

char *xval_base64(const char *v, size_t len)
{
	const unsigned char *u = (const unsigned char *)v;
	char *s = malloc((len + 2) / 3 * 4 + 1), *e = s;

	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t w = (uint32_t)u[i] << 16 | (i + 1 < len ? (uint32_t)u[i + 1] << 8 : 0) |
			     (i + 2 < len ? u[i + 2] : 0);

		*e++ = b64[w >> 18 & 63];
		*e++ = b64[w >> 12 & 63];
		*e++ = i + 1 < len ? b64[w >> 6 & 63] : '=';
		*e++ = i + 2 < len ? b64[w & 63] : '=';
	}
	*e = '\0';
	return s;
}

/* getfattr's rule: no more than one byte in eight unprintable. */
static bool printable_enough(const char *v, size_t len)
{
	size_t bad = 0;

	if (len && v[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		if (!isprint((unsigned char)v[i]))
			bad++;
	return len >= bad * 8;
}

static char *encode_text(const char *v, size_t len)
{
	char *s = malloc(len * 4 + 3), *e = s;

	if (!s)
		return NULL;
	*e++ = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\0' && i + 1 == len)
			break;                     /* a trailing NUL is not shown */
		if (c == '\0' || c == '\n' || c == '\r') {
			e += sprintf(e, "\\%03o", c);
		} else {
			if (c == '\\' || c == '"')
				*e++ = '\\';
			*e++ = (char)c;
		}
	}
	*e++ = '"';
	*e = '\0';
	return s;
}

char *xval_encode(const char *v, size_t len, enum xval_enc enc)
{
	char *s, *b;

	if (enc == XVAL_AUTO)
		enc = printable_enough(v, len) ? XVAL_TEXT : XVAL_BASE64;
	if (enc == XVAL_TEXT)
		return encode_text(v, len);
	if (enc == XVAL_HEX) {
		s = malloc(len * 2 + 3);
		if (!s)
			return NULL;
		strcpy(s, "0x");
		for (size_t i = 0; i < len; i++)
			sprintf(s + 2 + 2 * i, "%02x", (unsigned char)v[i]);
		return s;
	}
	b = xval_base64(v, len);
	if (!b)
		return NULL;
	s = malloc(strlen(b) + 3);
	if (s)
		sprintf(s, "0s%s", b);
	free(b);
	return s;
}

bool xval_is_plain_text(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t' && c != '\n') || c >= 0x7f)
			return false;
	}
	return true;
}

int xval_parse_enc(const char *s, enum xval_enc *out)
{
	if (!strcmp(s, "text"))
		*out = XVAL_TEXT;
	else if (!strcmp(s, "hex"))
		*out = XVAL_HEX;
	else if (!strcmp(s, "base64"))
		*out = XVAL_BASE64;
	else
		return -EINVAL;
	return 0;
}
