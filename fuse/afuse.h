/*
 * afuse.h — the FUSE low-level adapter over engine/argosfs.h.
 *
 * Owns: mapping FUSE's low-level operations onto the engine's inode API, the
 * connection's capabilities (large writes, writeback cache, parallel
 * directory operations), and the session loop of a mounted pool.
 */
#ifndef ARGOS_AFUSE_H
#define ARGOS_AFUSE_H

#include <stdbool.h>

#include "argosfs.h"

/*
 * How long the kernel may trust what it was told (seconds): a name's inode
 * (entry), an inode's attributes (attr), a name's absence (negative).  Long
 * values are safe because the daemon is the pool's only writer: see "What
 * the kernel caches" in afuse.c.
 */
#define AFUSE_TIMEOUT_DEFAULT 3600.0
#define AFUSE_TIMEOUT_MAX     1e9    /* ~31 years; libfuse clamps to its own limit */

struct afuse_opts {
	double   entry_timeout;
	double   attr_timeout;
	double   negative_timeout;
	bool     writeback;          /* kernel writeback cache */
	bool     debug;
	unsigned max_threads;        /* of the multi-threaded loop */
};

/*
 * Run the FUSE session for an open pool on mountpoint until it is unmounted
 * or the process gets SIGTERM/SIGINT/SIGHUP.  fuse_argv are libfuse's mount
 * options (argv[0] a program name, then "-o", "opt,opt...").  ready(ctx) is
 * called once the filesystem is mounted and usable (the daemon's parent then
 * exits 0).  Returns 0 or -errno (why says what failed).  The pool is not
 * closed here.
 */
int afuse_run(argos_pool *p, const char *mountpoint, int fuse_argc, char **fuse_argv,
	      const struct afuse_opts *o, void (*ready)(void *ctx), void *ctx,
	      char *why, size_t whylen);

#endif
