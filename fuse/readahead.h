/*
 * readahead.h — sets the kernel's readahead window of a FUSE mount once the
 * session is up (the bdi's read_ahead_kb in sysfs).
 */
#ifndef ARGOS_FUSE_READAHEAD_H
#define ARGOS_FUSE_READAHEAD_H

#include "argosfs.h"

/* Largest window accepted (KiB): 1 GiB. */
#define AFUSE_READ_AHEAD_MAX_KB (1u << 20)

/*
 * Start a detached thread that waits until the mount on mountpoint answers
 * (a stat of it: the kernel holds every request until the session's INIT
 * reply is processed, and that reply caps the window at max_readahead), then
 * writes kib to /sys/class/bdi/MAJOR:MINOR/read_ahead_kb of the mount's
 * device.  Failures (no sysfs, not root, the mount already gone) are logged
 * through log (may be NULL) at notice level and change nothing else.
 * Returns 0, or -errno when the thread could not be started.
 */
int afuse_readahead_start(const char *mountpoint, unsigned kib, const struct argos_log *log);

#endif
