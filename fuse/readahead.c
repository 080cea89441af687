/*
 * readahead.c — the readahead window of a mounted FUSE session (see
 * readahead.h).
 *
 * Why: the kernel gives a FUSE mount's bdi the default window (128 KiB) and
 * the INIT reply can only lower it, so a cold sequential read asks the
 * daemon for 128 KiB at a time and waits for each answer's member reads.  A
 * window of several stripes keeps more of them in flight.  sysfs is the only
 * way to raise it, and it has to happen after INIT (which would lower it
 * again): from the first other request the daemon handles.  Nothing here
 * makes a request of the mount, so nothing holds the mount busy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readahead.h"

/* Undo mountinfo's octal escapes (\040 for a space...) in place. */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
}

int afuse_ra_arm(struct afuse_ra *ra, const char *mountpoint, unsigned kib,
		 const struct argos_log *log)
{
	char *line = NULL, mp[4096];
	size_t cap = 0;
	bool found = false;
	FILE *f;

	atomic_store(&ra->pending, false);
	ra->kib = kib;
	ra->log = log;
	snprintf(ra->mountpoint, sizeof(ra->mountpoint), "%s", mountpoint);
	if (!kib)
		return 0;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...": the last match is ours
	 * (a mount on top of an older one on the same directory). */
	while (getline(&line, &cap, f) > 0) {
		unsigned maj, min;

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mp) != 3)
			continue;
		unescape(mp);
		if (strcmp(mp, mountpoint))
			continue;
		ra->major = maj;
		ra->minor = min;
		found = true;
	}
	free(line);
	fclose(f);
	if (!found)
		return -ENOENT;
	atomic_store(&ra->pending, true);
	return 0;
}

static void ra_notice(const struct afuse_ra *ra, const char *path, int err)
{
	char msg[8400];

	if (!ra->log || !ra->log->fn || ra->log->max_level < ARGOS_LOG_NOTICE)
		return;
	snprintf(msg, sizeof(msg), "read_ahead_kb=%u on %s: %s: %s (the kernel's window stays)",
		 ra->kib, ra->mountpoint, path, strerror(err));
	ra->log->fn(ra->log->ctx, ARGOS_LOG_NOTICE, msg);
}

void afuse_ra_apply(struct afuse_ra *ra)
{
	char path[96], val[16];
	int fd, len, err = 0;

	if (!atomic_load_explicit(&ra->pending, memory_order_relaxed) ||
	    !atomic_exchange(&ra->pending, false))
		return;
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb", ra->major, ra->minor);
	len = snprintf(val, sizeof(val), "%u\n", ra->kib);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
	} else {
		errno = 0;
		if (write(fd, val, (size_t)len) != len)
			err = errno ? errno : EIO;
		close(fd);
	}
	if (err)
		ra_notice(ra, path, err);
}
