/*
 * common.h — helpers shared by the command-line tools.
 *
 * Owns: how the tools speak (messages as "prog: what: reason" on stderr, the
 * engine's log routed there, --version text), how they read arguments
 * (sizes with K/M/G suffixes, bounded integers, UUIDs), how they print sizes,
 * and how a pool spec plus --search/ARGOSFS_SEARCH becomes member paths.
 * Tools include argosfs.h and these helpers, nothing engine-internal.
 */
#ifndef ARGOS_TOOLS_COMMON_H
#define ARGOS_TOOLS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "argosfs.h"

/* Directories of image files named with --search DIR and ARGOSFS_SEARCH. */
#define TOOL_SEARCH_ENV "ARGOSFS_SEARCH"

/* ---- messages ---- */

/* "prog: <formatted>\n" on stderr. */
void tool_err(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* tool_err(), then "Try 'prog --help' for more information." */
void tool_usage_err(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "prog VERSION (libargosfs VERSION)" on stdout. */
void tool_print_version(const char *prog);
/* Flush stdout; on a write error say so and return false (exit non-zero). */
bool tool_stdout_ok(const char *prog);

/* The engine's diagnostics, each line as "prog: [warning: ]msg" on stderr. */
struct tool_log {
	struct argos_log log;     /* pass &tl.log to the engine */
	const char *prog;
};
void tool_log_init(struct tool_log *tl, const char *prog, int max_level);

/* ---- arguments ---- */

/*
 * A byte count: decimal digits, optionally followed by K, M, G, T, P or E
 * (binary multiples; either case; "KiB", "MiB"... accepted too).
 * 0, -EINVAL when malformed, -ERANGE when it does not fit 64 bits.
 */
int tool_parse_size(const char *s, uint64_t *out);
/* A decimal integer 0..max.  0, -EINVAL or -ERANGE. */
int tool_parse_uint(const char *s, unsigned max, unsigned *out);
/* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex, either case).  0 or -EINVAL. */
int tool_parse_uuid(const char *s, uint8_t out[16]);
void tool_format_uuid(const uint8_t u[16], char out[37]);
bool tool_uuid_is_nil(const uint8_t u[16]);

/* "1.50 GiB", "64 MiB", "512 B" into buf; returns buf. */
const char *tool_human_size(uint64_t bytes, char *buf, size_t len);

/* ---- search directories and pool specs ---- */

struct tool_search {
	char   **dirs;
	unsigned n;
};

/* Append one directory (copied).  0 or -ENOMEM. */
int  tool_search_add(struct tool_search *s, const char *dir);
/* Append the directories of $ARGOSFS_SEARCH (colon-separated; empty parts
 * are skipped).  0 or -ENOMEM. */
int  tool_search_add_env(struct tool_search *s);
void tool_search_free(struct tool_search *s);

/*
 * Resolve a pool spec (see argosfs.h) with these search directories.  On
 * failure prints "prog: SPEC: reason" and returns the engine's -errno
 * (-EINVAL: malformed spec; -ENOENT: nothing matched; -ENOTUNIQ...).
 * Free the paths with argos_paths_free().
 */
int tool_resolve_pool(const char *prog, const char *spec, const struct tool_search *s,
		      const struct argos_log *log, char ***paths, unsigned *n);

#endif
