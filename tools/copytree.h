/*
 * copytree.h — what import-tree and export-tree share: progress on a
 * terminal, the hard-link map, names joined into paths, xattr name policy,
 * data runs that skip holes, and per-file error reporting.
 *
 * Owns: the progress line (stderr, only when it is a terminal and not
 * --quiet: files and bytes done, rate; at most five updates a second),
 * "prog: PATH: reason" messages (PATH printed with non-printable bytes as
 * \ooo escapes, so names with newlines or 0xff stay on one line), the map
 * from a source file's identity (st_dev/st_ino or the pool's inode) to the
 * copy made first, and which xattr namespaces are copied: user.* always,
 * trusted.* and security.* as root; system.* (POSIX ACLs) never (the pool
 * has no ACLs yet).
 */
#ifndef ARGOS_TOOLS_COPYTREE_H
#define ARGOS_TOOLS_COPYTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct tw_progress {
	const char *prog;
	bool     show;              /* stderr is a terminal and not --quiet */
	uint64_t files, bytes, failed;
	struct timespec start, last;
	bool     drawn;
};

void tw_progress_init(struct tw_progress *pr, const char *prog, bool quiet);
/* One more file (or directory...) done, with bytes of data copied. */
void tw_progress_add(struct tw_progress *pr, uint64_t bytes);
/* Clear the line; with a terminal, print the totals. */
void tw_progress_end(struct tw_progress *pr);

/* "prog: PATH: what: strerror(-err)" (what may be NULL); counts a failure. */
void tw_fail(struct tw_progress *pr, const char *path, const char *what, int err);

/* dir + "/" + name into a new string (NULL: no memory). */
char *tw_join(const char *dir, const char *name);

/* Should an xattr of this name be copied? */
bool tw_xattr_wanted(const char *name, bool root);

/* The hard-link map: (a, b) → a value (an inode number) and a path. */
struct tw_link {
	uint64_t a, b, val;
	char *path;
};
struct tw_links {
	struct tw_link *v;
	size_t n, cap;              /* cap a power of two; open addressing */
};
/* The entry for (a, b), or NULL. */
struct tw_link *tw_links_find(struct tw_links *l, uint64_t a, uint64_t b);
/* Add (a, b); path is copied.  0 or -ENOMEM. */
int  tw_links_add(struct tw_links *l, uint64_t a, uint64_t b, uint64_t val, const char *path);
void tw_links_free(struct tw_links *l);

/* A run of bytes [off, off + len) that is all zeros? */
bool tw_all_zero(const void *buf, size_t len);

#define TW_CHUNK (1u << 20)         /* bytes a read or write */

#endif
