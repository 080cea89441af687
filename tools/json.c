/*
 * json.c — the tools' streaming JSON writer (see json.h).
 *
 * Layout: every member of a container goes on its own line, indented two
 * spaces per level; empty containers are written as {} and [].
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "argosfs.h"
#include "json.h"

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

int json_finish(struct json *j)
{
	assert(j->depth == 0 && !j->after_key);
	fputc('\n', j->f);
	return fflush(j->f) != 0 || ferror(j->f) ? -EIO : 0;
}

static void indent(struct json *j)
{
	fputc('\n', j->f);
	for (unsigned i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Whatever must precede a value: a comma and a new line, or nothing after a key. */
static void before_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	assert(!j->in_object[j->depth - 1]);   /* a value in an object needs a key */
	if (j->has_items[j->depth - 1])
		fputc(',', j->f);
	j->has_items[j->depth - 1] = true;
	indent(j);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;              /* overlong */
	else if (c == 0xed)
		hi = 0x9f;              /* surrogates */
	else if (c == 0xf0)
		lo = 0x90;              /* overlong */
	else if (c == 0xf4)
		hi = 0x8f;              /* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static void write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		unsigned char c = *s;
		size_t n;

		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
			} else if (c < 0x80) {
				fputc(c, f);
			} else if ((n = utf8_len(s)) != 0) {
				fwrite(s, 1, n, f);
				s += n;
				continue;
			} else {
				fputs("\\ufffd", f);
			}
		}
		s++;
	}
	fputc('"', f);
}

static void begin(struct json *j, char open, bool object)
{
	before_value(j);
	assert(j->depth < JSON_MAX_DEPTH);
	fputc(open, j->f);
	j->has_items[j->depth] = false;
	j->in_object[j->depth] = object;
	j->depth++;
}

static void end(struct json *j, char close, bool object)
{
	assert(j->depth > 0 && j->in_object[j->depth - 1] == object && !j->after_key);
	j->depth--;
	if (j->has_items[j->depth])
		indent(j);
	fputc(close, j->f);
}

void json_begin_object(struct json *j) { begin(j, '{', true); }
void json_end_object(struct json *j) { end(j, '}', true); }
void json_begin_array(struct json *j) { begin(j, '[', false); }
void json_end_array(struct json *j) { end(j, ']', false); }

void json_key(struct json *j, const char *key)
{
	assert(j->depth > 0 && j->in_object[j->depth - 1] && !j->after_key);
	if (j->has_items[j->depth - 1])
		fputc(',', j->f);
	j->has_items[j->depth - 1] = true;
	indent(j);
	write_string(j->f, key);
	fputs(": ", j->f);
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	before_value(j);
	write_string(j->f, s);
}

void json_uint(struct json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRIu64, v);
}

void json_int(struct json *j, int64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRId64, v);
}

void json_bool(struct json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
	before_value(j);
	fputs("null", j->f);
}

void json_num_text(struct json *j, const char *digits)
{
	size_t n = strspn(digits, "0123456789");

	/* Plain non-negative integers only, without leading zeros. */
	if (n == 0 || digits[n] != '\0' || (digits[0] == '0' && n > 1)) {
		json_str(j, digits);
		return;
	}
	before_value(j);
	fputs(digits, j->f);
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kv_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_null(j);
}

void json_argos_field(void *ctx, const char *name, int kind, const char *value)
{
	struct json *j = ctx;

	json_key(j, name);
	if (kind == ARGOS_FIELD_NUM)
		json_num_text(j, value);
	else if (kind == ARGOS_FIELD_BOOL)
		json_bool(j, !strcmp(value, "true"));
	else
		json_str(j, value);
}

void json_kv_argos_error(struct json *j, const char *key, int err, const char *reason)
{
	json_key(j, key);
	if (!err) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_kv_int(j, "errno", err < 0 ? -err : err);
	json_kv_str(j, "message", argos_strerror(err));
	json_kv_str(j, "reason", reason);
	json_end_object(j);
}
