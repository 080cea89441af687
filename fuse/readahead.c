/*
 * readahead.c — the readahead window of a mounted FUSE session (see
 * readahead.h).
 *
 * Why: the kernel gives a FUSE mount's bdi the default window (128 KiB) and
 * the INIT reply can only lower it, so a cold sequential read asks the
 * daemon for 128 KiB at a time and waits for each answer's member reads.
 * A window of several stripes keeps more of them in flight.  sysfs is the
 * only way to raise it; it has to happen after INIT (which would lower it
 * again), hence a thread that first makes one request of the mount itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "readahead.h"

struct ra_job {
	char *mountpoint;
	unsigned kib;
	struct argos_log log;   /* fn NULL: no logging */
};

static void ra_notice(const struct ra_job *j, const char *what, int err)
{
	char msg[512];

	if (!j->log.fn || j->log.max_level < ARGOS_LOG_NOTICE)
		return;
	snprintf(msg, sizeof(msg), "read_ahead_kb=%u on %s: %s: %s (the kernel's window stays)",
		 j->kib, j->mountpoint, what, strerror(err));
	j->log.fn(j->log.ctx, ARGOS_LOG_NOTICE, msg);
}

/* Write the window; 0 or -errno (what says which step failed). */
static int ra_write(const struct ra_job *j, const char **what)
{
	char path[128], val[32];
	struct stat st;
	ssize_t n;
	int fd, len;

	*what = "stat";
	if (stat(j->mountpoint, &st) != 0)
		return -errno;
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb", major(st.st_dev),
		 minor(st.st_dev));
	*what = path;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(val, sizeof(val), "%u\n", j->kib);
	n = write(fd, val, (size_t)len);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return n == len ? 0 : -EIO;
}

static void *ra_main(void *arg)
{
	struct ra_job *j = arg;
	const char *what = "";
	int err = ra_write(j, &what);

	if (err)
		ra_notice(j, what, -err);
	free(j->mountpoint);
	free(j);
	return NULL;
}

int afuse_readahead_start(const char *mountpoint, unsigned kib, const struct argos_log *log)
{
	struct ra_job *j = calloc(1, sizeof(*j));
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int err;

	if (!j)
		return -ENOMEM;
	j->mountpoint = strdup(mountpoint);    /* not realpath: it would ask the mount */
	if (!j->mountpoint) {
		free(j);
		return -ENOMEM;
	}
	j->kib = kib;
	if (log)
		j->log = *log;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);                       /* signals stay with the session */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&t, &attr, ra_main, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err) {
		free(j->mountpoint);
		free(j);
	}
	return err;
}
