/*
 * tutil.h — small helpers shared by the unit tests: temporary directories,
 * image files, verifiable data patterns, running a command.
 *
 * Every helper returns 0 (or what it says) or -errno; none aborts, so a test
 * can clean up before it fails.  Nothing here knows about ArgosFS.
 */
#ifndef ARGOS_TUTIL_H
#define ARGOS_TUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Create a fresh directory $TMPDIR/argos-<tag>-XXXXXX (/tmp without TMPDIR)
 * into dir[len].  Remove it with tutil_rmtree(). */
int tutil_mkdtemp(const char *tag, char *dir, size_t len);

/* Remove path and everything below it (symlinks are not followed). */
int tutil_rmtree(const char *path);

/* Create (or truncate) dir/name as a sparse file of size bytes; its path into
 * path[len]. */
int tutil_mkimage(const char *dir, const char *name, uint64_t size, char *path, size_t len);

/* Fill buf with bytes that depend on seed and on each byte's position
 * (pos = the offset of buf[0]), so data read back from anywhere can be checked
 * with tutil_check_pattern(). */
void tutil_pattern(void *buf, size_t len, uint64_t seed, uint64_t pos);
/* Offset in buf of the first byte that differs from the pattern, or -1. */
long tutil_check_pattern(const void *buf, size_t len, uint64_t seed, uint64_t pos);

/* Run cmd with /bin/sh -c; its first line of standard output (without the
 * newline) into out[outlen] when out is non-NULL.  Returns the exit status
 * (0..255), or -errno when it could not run or was killed. */
int tutil_run(const char *cmd, char *out, size_t outlen);

#endif /* ARGOS_TUTIL_H */
