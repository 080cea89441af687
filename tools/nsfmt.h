/*
 * nsfmt.h — how the namespace commands show an inode's attributes.
 *
 * Owns: the attribute keys of the --json output of ls and stat (one set,
 * written by nsfmt_json_attr), the timestamp formats of stat ("2025-01-02
 * 03:04:05.123456789 +0000") and ls -l ("Jan  2 03:04", or the year for
 * times more than six months away), and reading a symlink's target.
 *
 * JSON attribute keys (argosfs(8), schema_version 1):
 *   "ino", "generation", "type" (mode_type_key), "mode" (the 07777 bits, as a
 *   number), "mode_string" ("-rw-r--r--"), "nlink", "uid", "gid", "user",
 *   "group" (names, or the numbers as strings), "size", "blocks" (512-byte
 *   units), "blksize", "rdev": null | { "major", "minor" },
 *   "atime", "mtime", "ctime", "btime": { "sec", "nsec" },
 *   "target": the symlink's target | null.
 */
#ifndef ARGOS_TOOLS_NSFMT_H
#define ARGOS_TOOLS_NSFMT_H

#include <stddef.h>
#include <time.h>

#include "argosfs.h"
#include "json.h"

#define NSFMT_TARGET_MAX 4096     /* a symlink target, NUL included */

/* The keys above, into the object being written. */
void nsfmt_json_attr(struct json *j, const struct argos_attr *a, const char *target);

/* "YYYY-MM-DD HH:MM:SS.NNNNNNNNN +ZZZZ" (local time) into buf; returns buf. */
const char *nsfmt_time_full(const struct timespec *ts, char *buf, size_t len);
/* ls -l's date: "Mon DD HH:MM", or "Mon DD  YYYY" beyond six months from now. */
const char *nsfmt_time_ls(const struct timespec *ts, char *buf, size_t len);

/* The target of symlink ino, NUL-terminated, into buf (NSFMT_TARGET_MAX).
 * 0 or the engine's -errno. */
int nsfmt_readlink(argos_pool *p, argos_ino_t ino, char *buf);

#endif
