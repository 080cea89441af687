/*
 * dev_req.c — the life of one request, shared by every backend: validation,
 * hooks, the synchronous transfer, and completion into its batch (see the
 * life cycle in dev_int.h).
 *
 * Invariants:
 *  1. A request outside the device ([off, off + len) not inside [0, size))
 *     fails with -EINVAL before the pre hook and before the device: it is the
 *     caller's bug, and must not count as a media error against the device.
 *     A transfer the device ends early (a zero-byte read or write, e.g. an
 *     image shrunk under us) is -EIO (dev.h invariant 1).
 *  2. The post hook runs for every request that reached dev_req_begin() with
 *     a device, after r->res is final, including requests the pre hook failed;
 *     first_err is taken from r->res after the post hook (which may change it).
 *  3. dev_req_complete() is the last access to the request and to its batch:
 *     the waiter may return, and the caller free both, as soon as the
 *     waiter's lock is released.
 */
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "dev_int.h"

int dev_req_begin(struct dev_req *r)
{
	struct dev *d = r->dev;
	int rc = 0;

	if (!d) {
		rc = -EINVAL;
		goto out;
	}
	switch (r->op) {
	case DEV_OP_READ:
	case DEV_OP_WRITE:
		if (r->len > INT_MAX || (!r->buf && r->len) ||
		    r->off > d->d_info.size || r->len > d->d_info.size - r->off)
			rc = -EINVAL;
		break;
	case DEV_OP_FLUSH:
		break;
	default:
		rc = -EINVAL;
		break;
	}
	if (rc == 0 && d->d_hooks.pre) {
		rc = d->d_hooks.pre(d->d_hooks.ctx, r);
		if (rc > 0)
			rc = -EIO;              /* a hook must return -errno */
	}
out:
	if (rc < 0)
		r->res = rc;
	return rc;
}

int dev_req_transfer(int fd, struct dev_req *r)
{
	struct dev_bounce bb;
	ssize_t n;
	int rc;

	if (r->op == DEV_OP_FLUSH) {
		while (fdatasync(fd) < 0)
			if (errno != EINTR)
				return -errno;
		return 0;
	}
	if (!dev_req_needs_bounce(r)) {
		n = dev_xfer(fd, r->op, r->buf, r->len, r->off, r->len);
		return n < 0 ? (int)n : (int)r->len;
	}
	rc = dev_bounce_prepare(r, &bb);
	if (rc < 0)
		return rc;
	n = dev_xfer(fd, r->op, bb.bb_buf, bb.bb_len, bb.bb_off, bb.bb_need);
	return dev_bounce_finish(r, &bb, (int)n);
}

void dev_req_end(struct dev_req *r)
{
	struct dev *d = r->dev;

	if (d && d->d_hooks.post)
		d->d_hooks.post(d->d_hooks.ctx, r);
}

void dev_req_execute(struct dev_req *r)
{
	if (dev_req_begin(r) == 0)
		r->res = dev_req_transfer(r->dev->d_fd, r);
	dev_req_end(r);
}

void dev_req_complete(struct dev_req *r)
{
	struct dev_batch *b = r->batch;
	struct dev_waiter *w = b->waiter;
	int res = r->res;

	pthread_mutex_lock(&w->w_lock);
	if (res < 0 && b->first_err == 0)
		b->first_err = res;
	if (--b->inflight == 0)
		pthread_cond_broadcast(&w->w_done);
	pthread_mutex_unlock(&w->w_lock);
}
