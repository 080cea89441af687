/*
 * xattrval.h — extended attribute values as setfattr(1) reads them and
 * getfattr(1) writes them.
 *
 * Owns: the three encodings of a value on a command line — text (as is, or
 * in double quotes with \\, \" and \ooo octal escapes), 0x hex, 0s base64 —
 * and getfattr's choice when none is asked for (text when at most one byte
 * in eight is not printable, a trailing NUL aside; base64 otherwise).
 */
#ifndef ARGOS_TOOLS_XATTRVAL_H
#define ARGOS_TOOLS_XATTRVAL_H

#include <stdbool.h>
#include <stddef.h>

enum xval_enc { XVAL_AUTO = 0, XVAL_TEXT, XVAL_HEX, XVAL_BASE64 };

/* A value argument into *out (malloc'd, *len bytes).  0, -EINVAL (bad hex
 * or base64, an unterminated quote), -ENOMEM. */
int   xval_decode(const char *arg, char **out, size_t *len);
/* The value in the encoding asked for ("\"text\"", "0x6869", "0saGk=");
 * malloc'd, NULL on ENOMEM. */
char *xval_encode(const char *v, size_t len, enum xval_enc enc);
/* Plain base64 (no 0s prefix); malloc'd, NULL on ENOMEM. */
char *xval_base64(const char *v, size_t len);
/* Every byte printable ASCII, tab or newline (the --json "value_text" rule). */
bool  xval_is_plain_text(const char *v, size_t len);
/* "text", "hex", "base64" -> the encoding; -EINVAL otherwise. */
int   xval_parse_enc(const char *s, enum xval_enc *out);

#endif
