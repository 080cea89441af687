/*
 * dev_loop.c — what loop devices are bound to, and holding the loop devices
 * that sit over a given storage.
 *
 * Identity of a loop device's backing storage comes from LOOP_GET_STATUS64
 * (lo_device/lo_inode of the backing file, as the kernel sees it), not from
 * stat()ing the sysfs path: that path may be stale (" (deleted)"), another
 * hard link, or in another mount namespace.  The sysfs path
 * (/sys/dev/block/M:m/loop/backing_file) only names the file for messages
 * and for locking it.
 *
 * Invariants:
 *  1. Identities follow struct dev_info: a backing regular file gives its
 *     st_dev/st_ino; a backing block device gives 0/its rdev.
 *  2. dev_loop_hold_over() never claims a loop device that is not over the
 *     storage asked for, even for an instant: it checks the binding on a
 *     plain descriptor first, claims with O_EXCL, then checks again (the
 *     binding cannot change while the claim is held).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/loop.h>
#include <linux/major.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "dev_int.h"

#define DEV_LOOP_DELETED " (deleted)"

/* The kernel's huge_encode_dev() format of lo_device/lo_rdevice. */
static dev_t dev_loop_decode(uint64_t x)
{
	return makedev((unsigned)((x & 0xfff00) >> 8),
		       (unsigned)((x & 0xff) | ((x >> 12) & 0xfff00)));
}

static int dev_loop_identity(int fd, dev_t *id_dev, ino_t *id_ino, struct loop_info64 *li)
{
	memset(li, 0, sizeof *li);
	if (ioctl(fd, LOOP_GET_STATUS64, li) < 0)
		return -errno;                  /* -ENXIO: not bound */
	if (li->lo_rdevice) {                   /* over a block device */
		*id_dev = 0;
		*id_ino = (ino_t)dev_loop_decode(li->lo_rdevice);
	} else {
		*id_dev = dev_loop_decode(li->lo_device);
		*id_ino = (ino_t)li->lo_inode;
	}
	return 0;
}

/* The backing path from sysfs; falls back to lo_file_name when it is whole. */
static int dev_loop_path(dev_t rdev, const struct loop_info64 *li, struct dev_loop_backing *lb)
{
	char sys[96];
	size_t dl = strlen(DEV_LOOP_DELETED), len;
	ssize_t got;
	int fd, rc;

	snprintf(sys, sizeof sys, "/sys/dev/block/%u:%u/loop/backing_file",
		 major(rdev), minor(rdev));
	fd = open(sys, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		len = strnlen((const char *)li->lo_file_name, LO_NAME_SIZE);
		if (len == 0 || len >= LO_NAME_SIZE - 1)
			return rc;
		memcpy(lb->lb_path, li->lo_file_name, len);
		lb->lb_path[len] = '\0';
		return 0;
	}
	do
		got = read(fd, lb->lb_path, sizeof lb->lb_path - 1);
	while (got < 0 && errno == EINTR);
	rc = got < 0 ? -errno : 0;
	close(fd);
	if (rc < 0)
		return rc;
	len = (size_t)got;
	while (len > 0 && lb->lb_path[len - 1] == '\n')
		len--;
	if (len >= dl && memcmp(lb->lb_path + len - dl, DEV_LOOP_DELETED, dl) == 0) {
		lb->lb_deleted = true;
		len -= dl;
	}
	lb->lb_path[len] = '\0';
	return 0;
}

int dev_loop_backing(int fd, dev_t rdev, struct dev_loop_backing *lb)
{
	struct loop_info64 li;
	int rc;

	memset(lb, 0, sizeof *lb);
	rc = dev_loop_identity(fd, &lb->lb_id_dev, &lb->lb_id_ino, &li);
	if (rc < 0)
		return rc;
	return dev_loop_path(rdev, &li, lb);
}

/* 1 when the loop device on fd is over (id_dev, id_ino), 0 when not (or
 * unbound), -errno when it cannot be asked. */
static int dev_loop_is_over(int fd, dev_t id_dev, ino_t id_ino)
{
	struct loop_info64 li;
	dev_t d;
	ino_t i;
	int rc;

	rc = dev_loop_identity(fd, &d, &i, &li);
	if (rc == -ENXIO)
		return 0;
	if (rc < 0)
		return rc;
	return d == id_dev && i == id_ino;
}

/* Check one bound loop device (/dev/name); when it is over the storage, hold
 * it: *held gets its fd, else -1.  0 or -errno. */
static int dev_loop_hold_one(const char *name, dev_t id_dev, ino_t id_ino, dev_t skip_rdev,
			     int *held, const char *path, char *why, size_t whylen)
{
	char node[300];
	struct stat st;
	int fd, rc;

	*held = -1;
	snprintf(node, sizeof node, "/dev/%s", name);
	fd = open(node, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ENOENT || rc == -ENXIO || rc == -ENODEV)
			return 0;               /* no node, or gone meanwhile */
		goto fail;
	}
	if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) ||
	    major(st.st_rdev) != LOOP_MAJOR || st.st_rdev == skip_rdev) {
		close(fd);
		return 0;
	}
	rc = dev_loop_is_over(fd, id_dev, id_ino);
	close(fd);
	if (rc <= 0) {
		if (rc == 0)
			return 0;
		goto fail;
	}

	fd = open(node, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EBUSY) {
			dev_why(why, whylen, "%s: backs %s, which is in use (mounted or held "
				"by another process)", path, node);
			return rc;
		}
		if (rc == -ENOENT || rc == -ENXIO || rc == -ENODEV)
			return 0;
		goto fail;
	}
	rc = dev_loop_is_over(fd, id_dev, id_ino);
	if (rc == 1) {
		*held = fd;
		return 0;
	}
	close(fd);
	if (rc == 0)
		return 0;                       /* rebound meanwhile: not ours */
fail:
	dev_why(why, whylen, "%s: cannot check loop device %s: %s", path, node, strerror(-rc));
	return rc;
}

int dev_loop_hold_over(const char *path, dev_t id_dev, ino_t id_ino, dev_t skip_rdev,
		       int **fds, unsigned *n, char *why, size_t whylen)
{
	char bf[300];
	struct dirent *de;
	int *held = NULL, *more;
	unsigned nheld = 0;
	DIR *dir;
	int fd, rc = 0;

	*fds = NULL;
	*n = 0;
	dir = opendir("/sys/block");
	if (!dir) {
		rc = -errno;
		dev_why(why, whylen, "%s: cannot list loop devices in /sys/block: %s",
			path, strerror(-rc));
		return rc;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "loop", 4) != 0)
			continue;
		snprintf(bf, sizeof bf, "/sys/block/%s/loop/backing_file", de->d_name);
		if (access(bf, F_OK) < 0)
			continue;               /* not bound */
		rc = dev_loop_hold_one(de->d_name, id_dev, id_ino, skip_rdev, &fd,
				       path, why, whylen);
		if (rc < 0)
			goto err;
		if (fd < 0)
			continue;
		more = realloc(held, (nheld + 1) * sizeof *held);
		if (!more) {
			close(fd);
			rc = -ENOMEM;
			dev_why(why, whylen, "%s: out of memory", path);
			goto err;
		}
		held = more;
		held[nheld++] = fd;
	}
	closedir(dir);
	*fds = held;
	*n = nheld;
	return 0;
err:
	closedir(dir);
	dev_loop_release(held, nheld);
	return rc;
}

void dev_loop_release(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}
