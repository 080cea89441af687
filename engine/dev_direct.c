/*
 * dev_direct.c — direct mode of a device (O_DIRECT): switching it, the
 * device's direct I/O alignment, and the bounce buffers that let every
 * request through whatever its buffer, offset and length (dev.h invariant 5).
 *
 * Alignment: statx(STATX_DIOALIGN) when the filesystem or block device
 * reports it (ext4: 512 / 512); otherwise the logical sector size (512 for
 * image files: tmpfs reports nothing and takes any alignment).
 *
 * A bounced request covers [align_down(off), align_up(off + len)) with a
 * buffer from dev_buf_alloc().  A write that covers part of its first or
 * last sector reads those sectors first (read-modify-write: no other request
 * in flight may write the same sector).  A read copies its bytes out after
 * the transfer.
 *
 * Invariants:
 *  1. Direct mode is refused (-EINVAL, nothing changed) when the filesystem
 *     has no direct I/O, or when the device's size is not a multiple of the
 *     offset alignment: the last sector of such an image could only be
 *     written by growing the file.
 *  2. A bounced transfer reaches the device only with aligned buffer,
 *     offset and length, inside the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "dev_int.h"

ssize_t dev_xfer(int fd, uint8_t op, void *buf, size_t len, uint64_t off, size_t need)
{
	char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (op == DEV_OP_READ)
			n = pread(fd, p + done, len - done, (off_t)(off + done));
		else
			n = pwrite(fd, p + done, len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return op == DEV_OP_READ && done >= need ? (ssize_t)done : -EIO;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Buffer and offset alignment of direct I/O on fd. */
static void dev_dio_align(int fd, const struct dev_info *info, uint32_t *mem, uint32_t *off)
{
	struct statx sx;

	*mem = *off = info->logical_sector ? info->logical_sector : 512;
#ifdef STATX_DIOALIGN
	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 &&
	    (sx.stx_mask & STATX_DIOALIGN) && sx.stx_dio_offset_align) {
		*mem = sx.stx_dio_mem_align ? sx.stx_dio_mem_align : 1;
		*off = sx.stx_dio_offset_align;
	}
#else
	(void)sx;
#endif
}

int dev_set_direct(struct dev *d, bool on, char *why, size_t whylen)
{
	int fl = fcntl(d->d_fd, F_GETFL), rc;
	uint32_t mem, off;

	if (fl < 0)
		goto err_errno;
	if (!on) {
		if ((fl & O_DIRECT) && fcntl(d->d_fd, F_SETFL, fl & ~O_DIRECT) < 0)
			goto err_errno;
		d->d_flags &= ~DEV_DIRECT;
		d->d_dio_mem = d->d_dio_off = 0;
		return 0;
	}
	if (!(fl & O_DIRECT) && fcntl(d->d_fd, F_SETFL, fl | O_DIRECT) < 0) {
		rc = -errno;
		if (rc == -EINVAL) {
			dev_why(why, whylen, "%s: O_DIRECT is not supported here", d->d_info.path);
			return rc;
		}
		goto err_rc;
	}
	dev_dio_align(d->d_fd, &d->d_info, &mem, &off);
	if (d->d_info.size % off) {
		dev_why(why, whylen, "%s: size %llu is not a multiple of its direct I/O "
			"alignment (%u bytes)", d->d_info.path,
			(unsigned long long)d->d_info.size, off);
		if (!(fl & O_DIRECT))
			fcntl(d->d_fd, F_SETFL, fl);
		return -EINVAL;
	}
	d->d_dio_mem = mem;
	d->d_dio_off = off;
	d->d_flags |= DEV_DIRECT;
	return 0;

err_errno:
	rc = -errno;
err_rc:
	dev_why(why, whylen, "%s: fcntl: %s", d->d_info.path, strerror(-rc));
	return rc;
}

bool dev_is_direct(const struct dev *d)
{
	return d->d_flags & DEV_DIRECT;
}

bool dev_req_needs_bounce(const struct dev_req *r)
{
	const struct dev *d = r->dev;

	if (!(d->d_flags & DEV_DIRECT) || r->op == DEV_OP_FLUSH)
		return false;
	return (uintptr_t)r->buf % d->d_dio_mem || r->off % d->d_dio_off ||
	       r->len % d->d_dio_off;
}

int dev_bounce_prepare(struct dev_req *r, struct dev_bounce *bb)
{
	const struct dev *d = r->dev;
	uint64_t a = d->d_dio_off, end = r->off + r->len;
	ssize_t n;

	bb->bb_off = r->off - r->off % a;
	bb->bb_len = (size_t)((end + a - 1) / a * a - bb->bb_off);
	bb->bb_skip = (size_t)(r->off - bb->bb_off);
	bb->bb_need = bb->bb_skip + r->len;
	bb->bb_buf = NULL;
	if (bb->bb_len > INT_MAX)
		return -EINVAL;
	bb->bb_buf = dev_buf_alloc(bb->bb_len);
	if (!bb->bb_buf)
		return -ENOMEM;
	if (r->op != DEV_OP_WRITE)
		return 0;
	/* Partial first / last sector: their other bytes come from the device. */
	if (bb->bb_skip) {
		n = dev_xfer(d->d_fd, DEV_OP_READ, bb->bb_buf, a, bb->bb_off, a);
		if (n < 0)
			goto err;
	}
	if (end % a && (bb->bb_len > a || !bb->bb_skip)) {
		n = dev_xfer(d->d_fd, DEV_OP_READ, (char *)bb->bb_buf + bb->bb_len - a, a,
			     bb->bb_off + bb->bb_len - a, a);
		if (n < 0)
			goto err;
	}
	memcpy((char *)bb->bb_buf + bb->bb_skip, r->buf, r->len);
	return 0;
err:
	free(bb->bb_buf);
	bb->bb_buf = NULL;
	return (int)n;
}

int dev_bounce_finish(struct dev_req *r, struct dev_bounce *bb, int res)
{
	if (res >= 0) {
		if (r->op == DEV_OP_READ && (size_t)res < bb->bb_need)
			res = -EIO;
		else if (r->op == DEV_OP_WRITE && (size_t)res < bb->bb_len)
			res = -EIO;
		else
			res = (int)r->len;
	}
	if (res >= 0 && r->op == DEV_OP_READ)
		memcpy(r->buf, (char *)bb->bb_buf + bb->bb_skip, r->len);
	free(bb->bb_buf);
	bb->bb_buf = NULL;
	return res;
}
