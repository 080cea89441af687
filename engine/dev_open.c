/*
 * dev_open.c — opening members: kind, geometry, identity and ownership
 * (dev_open, dev_close, dev_stat), the per-device accessors, aligned buffers.
 *
 * Ownership (DEV_RDWR), in this order, undone in reverse on failure:
 *   1. open the path O_RDWR (block devices: O_EXCL — the kernel refuses
 *      while mounted or held, and also holds whole disk vs partitions);
 *   2. image file: an OFD write lock over the whole file on that descriptor;
 *      loop device: the same lock on its backing file (a block device behind
 *      a loop device is opened O_EXCL instead);
 *   3. every other loop device over the same storage (same identity) is
 *      opened O_EXCL and kept open.
 * Two owners racing through these steps from the two paths of one storage
 * cannot both win: each takes one claim the other needs, without blocking,
 * so the loser (or both) gets -EBUSY and nothing stays held.
 *
 * Invariants:
 *  1. A descriptor here is never inherited (O_CLOEXEC).
 *  2. The path is stat()ed before open() so that FIFOs and directories are
 *     refused without opening them; the kind is checked again on the open
 *     descriptor, which is authoritative.
 *  3. A backing file whose sysfs path says " (deleted)" gets no lock (no
 *     path to it is known; a hard link may still reach it, but an owner
 *     coming through that link meets step 3, the loop device held O_EXCL).
 *     Any other backing file that cannot be opened and matched to the loop
 *     device's identity refuses the open (-ESTALE).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/major.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "dev_int.h"

void dev_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* stat() path (fd < 0) or fstat() fd into *st, and refuse what is neither
 * a regular file nor a block device. */
static int dev_kind_of(const char *path, int fd, struct stat *st, char *why, size_t whylen)
{
	int rc;

	if ((fd < 0 ? stat(path, st) : fstat(fd, st)) < 0) {
		rc = -errno;
		dev_why(why, whylen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (S_ISREG(st->st_mode) || S_ISBLK(st->st_mode))
		return 0;
	if (S_ISDIR(st->st_mode)) {
		dev_why(why, whylen, "%s: is a directory, not a block device or image file", path);
		return -EISDIR;
	}
	if (S_ISCHR(st->st_mode)) {
		dev_why(why, whylen, "%s: is a character device, not a block device", path);
		return -ENOTBLK;
	}
	dev_why(why, whylen, "%s: is neither a block device nor a regular file", path);
	return -EINVAL;
}

/* Fill info (but path) from an open descriptor of the right kind. */
static int dev_probe(int fd, const char *path, struct dev_info *info, char *why, size_t whylen)
{
	struct dev_loop_backing lb;
	struct stat st;
	unsigned int pbsz;
	int lbsz, rc;

	rc = dev_kind_of(path, fd, &st, why, whylen);
	if (rc < 0)
		return rc;

	if (S_ISREG(st.st_mode)) {
		info->kind = DEV_KIND_FILE;
		info->size = (uint64_t)st.st_size;
		info->logical_sector = 512;
		info->physical_sector = 4096;
		info->id_dev = st.st_dev;
		info->id_ino = st.st_ino;
		return 0;
	}

	info->kind = DEV_KIND_BLOCK;
	info->rdev = st.st_rdev;
	if (ioctl(fd, BLKGETSIZE64, &info->size) < 0 ||
	    ioctl(fd, BLKSSZGET, &lbsz) < 0 || ioctl(fd, BLKPBSZGET, &pbsz) < 0) {
		rc = -errno;
		dev_why(why, whylen, "%s: cannot read the device geometry: %s", path, strerror(-rc));
		return rc;
	}
	info->logical_sector = (uint32_t)lbsz;
	info->physical_sector = pbsz;
	info->id_dev = 0;
	info->id_ino = (ino_t)st.st_rdev;
	if (major(st.st_rdev) != LOOP_MAJOR)
		return 0;

	info->is_loop = true;
	rc = dev_loop_backing(fd, st.st_rdev, &lb);
	if (rc == -ENXIO)
		return 0;                       /* unbound: a plain empty device */
	if (rc < 0) {
		dev_why(why, whylen, "%s: cannot query the loop device: %s", path, strerror(-rc));
		return rc;
	}
	info->id_dev = lb.lb_id_dev;
	info->id_ino = lb.lb_id_ino;
	snprintf(info->loop_backing, sizeof info->loop_backing, "%s", lb.lb_path);
	return 0;
}

/* Open path after refusing what must not be opened; fills info. */
static int dev_open_fd(const char *path, int oflags, struct dev_info *info,
		       char *why, size_t whylen)
{
	struct stat st;
	int fd, rc;

	memset(info, 0, sizeof *info);
	if (strlen(path) >= sizeof info->path) {
		dev_why(why, whylen, "path too long (%zu bytes)", strlen(path));
		return -ENAMETOOLONG;
	}
	strcpy(info->path, path);
	rc = dev_kind_of(path, -1, &st, why, whylen);
	if (rc < 0)
		return rc;
	if (!S_ISBLK(st.st_mode))
		oflags &= ~O_EXCL;

	/* O_NONBLOCK: should path become a FIFO after stat(), open() must not
	 * wait for a writer; dev_probe() then refuses it.  Cleared below. */
	fd = open(path, oflags | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EBUSY)
			dev_why(why, whylen, "%s: is in use (mounted or held by another process)", path);
		else if (rc == -EINVAL && (oflags & O_DIRECT))
			dev_why(why, whylen, "%s: O_DIRECT is not supported here", path);
		else
			dev_why(why, whylen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	rc = dev_probe(fd, path, info, why, whylen);
	if (rc < 0)
		goto err;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		rc = -errno;
		dev_why(why, whylen, "%s: fcntl: %s", path, strerror(-rc));
		goto err;
	}
	return fd;
err:
	close(fd);
	return rc;
}

/* Whole-file OFD write lock: -EBUSY when another open file description has one. */
static int dev_lock_file(int fd, const char *path, const char *what, char *why, size_t whylen)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	int rc;

	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	rc = -errno;
	if (rc == -EAGAIN || rc == -EACCES || rc == -EBUSY) {
		dev_why(why, whylen, "%s: %s is locked by another ArgosFS process", path, what);
		return -EBUSY;
	}
	dev_why(why, whylen, "%s: cannot lock %s: %s", path, what, strerror(-rc));
	return rc;
}

/* Step 2 for a loop device (fd, bound or not, held O_EXCL so its binding
 * cannot change): claim its backing storage.  *keep gets the descriptor to
 * keep, or -1 when there is nothing to claim.  0 or -errno. */
static int dev_claim_backing(int fd, const struct dev_info *info, int *keep,
			     char *why, size_t whylen)
{
	struct dev_loop_backing lb;
	struct stat st;
	int bfd, rc;
	bool blk, same;

	*keep = -1;
	rc = dev_loop_backing(fd, info->rdev, &lb);
	if (rc == -ENXIO || (rc == 0 && lb.lb_deleted))
		return 0;                       /* unbound, or no path reaches it */
	if (rc < 0) {
		dev_why(why, whylen, "%s: cannot query the loop device: %s", info->path, strerror(-rc));
		return rc;
	}
	blk = lb.lb_id_dev == 0;
	bfd = open(lb.lb_path, (blk ? O_RDONLY | O_EXCL : O_RDWR) | O_CLOEXEC);
	if (bfd < 0) {
		rc = -errno;
		if (rc == -EBUSY)
			dev_why(why, whylen, "%s: its backing device %s is in use", info->path, lb.lb_path);
		else
			dev_why(why, whylen, "%s: cannot open its backing file %s: %s",
				info->path, lb.lb_path, strerror(-rc));
		return rc;
	}
	same = fstat(bfd, &st) == 0 &&
	       (blk ? S_ISBLK(st.st_mode) && (ino_t)st.st_rdev == lb.lb_id_ino
		    : st.st_dev == lb.lb_id_dev && st.st_ino == lb.lb_id_ino);
	if (!same) {
		dev_why(why, whylen, "%s: %s is not the file it is bound to (other mount "
			"namespace?): cannot lock it", info->path, lb.lb_path);
		rc = -ESTALE;
		goto err;
	}
	if (!blk) {
		rc = dev_lock_file(bfd, info->path, "its backing file", why, whylen);
		if (rc < 0)
			goto err;
	}
	*keep = bfd;
	return 0;
err:
	close(bfd);
	return rc;
}

int dev_open(const char *path, int flags, struct dev **out, char *why, size_t whylen)
{
	struct dev *d;
	int oflags, rc;

	*out = NULL;
	dev_why(why, whylen, "%s", "");
	if (flags & ~(DEV_RDWR | DEV_DIRECT)) {
		dev_why(why, whylen, "%s: unknown open flags 0x%x", path, (unsigned)flags);
		return -EINVAL;
	}
	d = calloc(1, sizeof *d);
	if (!d) {
		dev_why(why, whylen, "%s: out of memory", path);
		return -ENOMEM;
	}
	d->d_flags = flags;
	d->d_backing_fd = -1;

	oflags = (flags & DEV_RDWR) ? O_RDWR | O_EXCL : O_RDONLY;
	if (flags & DEV_DIRECT)
		oflags |= O_DIRECT;
	rc = dev_open_fd(path, oflags, &d->d_info, why, whylen);
	if (rc < 0)
		goto err_free;
	d->d_fd = rc;
	if (flags & DEV_DIRECT) {
		rc = dev_set_direct(d, true, why, whylen);   /* its alignment */
		if (rc < 0)
			goto err_close;
	}

	if (flags & DEV_RDWR) {
		rc = 0;
		if (d->d_info.kind == DEV_KIND_FILE)
			rc = dev_lock_file(d->d_fd, path, "it", why, whylen);
		else if (d->d_info.is_loop)
			rc = dev_claim_backing(d->d_fd, &d->d_info, &d->d_backing_fd, why, whylen);
		if (rc < 0)
			goto err_close;
		/* Identity 0/rdev of a non-loop block device: loop devices over it
		 * have it too (dev_loop_backing), so the scan is the same. */
		rc = dev_loop_hold_over(path, d->d_info.id_dev, d->d_info.id_ino,
					d->d_info.kind == DEV_KIND_BLOCK ? d->d_info.rdev : 0,
					&d->d_held, &d->d_nheld, why, whylen);
		if (rc < 0)
			goto err_close;
	}
	*out = d;
	return 0;

err_close:
	if (d->d_backing_fd >= 0)
		close(d->d_backing_fd);
	close(d->d_fd);
err_free:
	free(d);
	return rc;
}

void dev_close(struct dev *d)
{
	if (!d)
		return;
	dev_loop_release(d->d_held, d->d_nheld);
	if (d->d_backing_fd >= 0)
		close(d->d_backing_fd);
	close(d->d_fd);                         /* drops the OFD lock */
	free(d);
}

int dev_stat(const char *path, struct dev_info *info, char *why, size_t whylen)
{
	int fd;

	dev_why(why, whylen, "%s", "");
	fd = dev_open_fd(path, O_RDONLY, info, why, whylen);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

const struct dev_info *dev_get_info(const struct dev *d)
{
	return &d->d_info;
}

int dev_fd(const struct dev *d)
{
	return d->d_fd;
}

void dev_set_hooks(struct dev *d, const struct dev_hooks *h)
{
	if (h)
		d->d_hooks = *h;
	else
		memset(&d->d_hooks, 0, sizeof d->d_hooks);
}

void dev_set_tag(struct dev *d, int tag)
{
	d->d_tag = tag;
}

int dev_get_tag(const struct dev *d)
{
	return d->d_tag;
}

void *dev_buf_alloc(size_t len)
{
	void *p;

	if (posix_memalign(&p, DEV_ALIGN, len ? len : 1) != 0)
		return NULL;
	memset(p, 0, len);
	return p;
}
