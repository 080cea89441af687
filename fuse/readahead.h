/*
 * readahead.h — the kernel's readahead window of a FUSE mount (the bdi's
 * read_ahead_kb in sysfs), set from inside the session once INIT is done.
 */
#ifndef ARGOS_FUSE_READAHEAD_H
#define ARGOS_FUSE_READAHEAD_H

#include <stdatomic.h>

#include "argosfs.h"

/* Largest window accepted (KiB): 1 GiB. */
#define AFUSE_READ_AHEAD_MAX_KB (1u << 20)

struct afuse_ra {
	atomic_bool pending;            /* set once, cleared by the first taker */
	unsigned    kib;
	unsigned    major, minor;       /* the mount's device (its bdi's name) */
	const struct argos_log *log;    /* may be NULL */
	char        mountpoint[4096];   /* for messages */
};

/*
 * Right after the mount (before the session loop): find the mount's device
 * in /proc/self/mountinfo (no request to the mount itself) and arm ra.
 * kib 0 leaves the kernel's window.  0, or -errno (nothing armed; the
 * caller logs and goes on).
 */
int  afuse_ra_arm(struct afuse_ra *ra, const char *mountpoint, unsigned kib,
		  const struct argos_log *log);

/*
 * Called by every request handler that can come first (lookup, getattr,
 * open, opendir, statfs): the first one writes the window.  The kernel holds
 * every request until it has processed the INIT reply — which caps the
 * window at max_readahead — so any request the daemon handles comes after
 * it.  Failures (not root, no sysfs) are logged at notice level.  Cheap
 * after the first call (one atomic load).
 */
void afuse_ra_apply(struct afuse_ra *ra);

#endif
