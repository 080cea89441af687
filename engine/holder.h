/*
 * holder.h — what to do when a pool's member is busy (owned by another process).
 *
 * A FUSE mount gets no DESTROY before umount(8) returns, so the daemon writes
 * its last checkpoint and releases the members just after the mount is gone.
 * Opens that find a member busy (-EBUSY) ask holder_wait():
 *   - the pool is mounted (a fuse.argosfs line of /proc/self/mountinfo whose
 *     source is "pool:UUID=<uuid>", the fsname mount.argosfs gives): refuse at
 *     once, saying where it is mounted;
 *   - not mounted: sleep a little and let the caller try again, until the
 *     bound passes.  The full bound applies while the superblock names a live
 *     process of this host as the holder (a daemon finishing, a tool at work);
 *     an unnamed holder (fsck, or a daemon between its last superblock write
 *     and its exit) gets at most HOLDER_GRACE_MS.
 */
#ifndef ARGOS_HOLDER_H
#define ARGOS_HOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "argosfs.h"

#define HOLDER_WAIT_DEFAULT_MS 30000
#define HOLDER_GRACE_MS        1500
#define HOLDER_POLL_MS         100

struct holder_wait {
	uint64_t start_ns;
	unsigned bound_ms;      /* from the open's busy_wait_ms */
	bool     announced;     /* the "waiting" notice was given */
};

/* busy_wait_ms as in argos_open_opts: 0 default, < 0 no waiting. */
void holder_wait_init(struct holder_wait *w, int busy_wait_ms);

/*
 * An open of the pool made of paths met -EBUSY; inner is the device layer's
 * reason.  Returns 0 after sleeping (try again), or -EBUSY with why set (give
 * up: mounted, or still held when the bound passed).
 */
int holder_wait(struct holder_wait *w, const char *const *paths, unsigned n,
		const struct argos_log *log, const char *inner, char *why, size_t whylen);

/* The mount point of the fuse.argosfs mount of this pool, if any (0), into mnt. */
int holder_mountpoint(const uint8_t uuid[16], char *mnt, size_t len);

#endif
