/*
 * json.h — a tiny streaming JSON writer for the tools' --json output.
 *
 * Owns: writing one JSON document to a FILE, with commas, nesting,
 * two-space indentation and string escaping handled here, so callers only
 * say what comes next.  No parsing, no allocation.
 *
 * Strings: '"' and '\\' are escaped, control characters become \n, \t...
 * or \u00XX, valid UTF-8 passes through, and each byte of an invalid UTF-8
 * sequence becomes U+FFFD (paths are bytes, JSON text is Unicode).
 *
 * Usage:
 *   struct json j;
 *   json_init(&j, stdout);
 *   json_begin_object(&j);
 *   json_kv_str(&j, "path", p);
 *   json_key(&j, "members"); json_begin_array(&j); ... json_end_array(&j);
 *   json_end_object(&j);
 *   if (json_finish(&j)) ...write error...
 * Misuse (a value without a key inside an object, nesting deeper than
 * JSON_MAX_DEPTH) is a programming error and is caught by assert().
 */
#ifndef ARGOS_TOOLS_JSON_H
#define ARGOS_TOOLS_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	unsigned depth;
	bool has_items[JSON_MAX_DEPTH];   /* the container at this depth has a member */
	bool in_object[JSON_MAX_DEPTH];
	bool after_key;                   /* a key was written, its value comes next */
};

void json_init(struct json *j, FILE *f);
/* Terminate the document with a newline; 0, or -EIO when writing failed. */
int  json_finish(struct json *j);

void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);

void json_str(struct json *j, const char *s);      /* NULL writes null */
void json_uint(struct json *j, uint64_t v);
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* A number given as decimal text; written as a string if it is not one. */
void json_num_text(struct json *j, const char *digits);

/*
 * An argos_field_fn (argosfs.h: argos_super_fields, argos_item_fields) with
 * ctx = the struct json: writes "name": value into the object being written,
 * ARGOS_FIELD_NUM as a number, ARGOS_FIELD_BOOL as a boolean, else a string.
 */
void json_argos_field(void *ctx, const char *name, int kind, const char *value);

/* "key": null when err is 0, else { "errno": -err, "message": argos_strerror(err),
 * "reason": reason }. */
void json_kv_argos_error(struct json *j, const char *key, int err, const char *reason);

/* key + value in one call */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);
void json_kv_null(struct json *j, const char *key);

#endif
