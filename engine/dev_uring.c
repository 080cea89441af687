/*
 * dev_uring.c — the io_uring backend: one ring per engine, requests issued
 * from the submitting thread, completions reaped by one completion thread.
 *
 * Submit (the caller of dev_batch_submit): for each request of the chain,
 * dev_req_begin() (pre hook), a bounce buffer when the device is in direct
 * mode and the request is not aligned, a slot, an SQE (read, write, or fsync
 * with IORING_FSYNC_DATASYNC); then one io_uring_submit() for the whole
 * chain.  When every slot is taken, what is prepared is submitted and the
 * caller waits for the completion thread to free slots.
 * Complete (the completion thread): wait for one CQE, take every CQE that is
 * there, finish each (short transfers finished with pread/pwrite, bounce
 * copied out, post hook, dev_req_complete), free their slots in one go.
 *
 * Fallback: when io_uring_queue_init() fails (EPERM with
 * kernel.io_uring_disabled, ENOSYS, ENOMEM...) the engine runs psync
 * instead (dev_io.c invariant 3).
 *
 * Invariants:
 *  1. At most depth requests are in the ring (one slot each), and the ring's
 *     SQ has depth entries and its CQ twice that: SQEs are always available
 *     to a slot holder once what is queued was submitted, and the CQ never
 *     overflows.
 *  2. ur_lock protects the SQ, the slot free list, ur_inflight and
 *     ur_unsubmitted.  The CQ belongs to the completion thread alone.
 *  3. A CQE's user_data is its slot index + 1; 0 is the stop NOP, submitted
 *     by stop once nothing is in flight.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <liburing.h>

#include "dev_int.h"

#define DEV_URING_REAP 64               /* CQEs taken per wakeup at most */

struct dev_uring_slot {
	struct dev_req  *us_req;
	struct dev_bounce us_bb;
	bool             us_bounced;
	unsigned         us_next;       /* free list link */
};

struct dev_uring {
	struct io_uring  ur_ring;
	pthread_mutex_t  ur_lock;       /* invariant 2 */
	pthread_cond_t   ur_space;      /* a slot was freed */
	pthread_cond_t   ur_idle;       /* ur_inflight dropped to 0 */
	unsigned         ur_depth;
	struct dev_uring_slot *ur_slots;
	unsigned         ur_free;       /* first free slot, ur_depth when none */
	unsigned         ur_inflight;   /* slots taken */
	unsigned         ur_unsubmitted;/* SQEs prepared, not yet submitted */
	unsigned         ur_waiting;    /* submitters waiting for a slot */
	pthread_t        ur_thread;
};

/* Hand the prepared SQEs to the kernel (lock held). */
static void dev_uring_flush_sq(struct dev_uring *u)
{
	int rc;

	while (u->ur_unsubmitted) {
		rc = io_uring_submit(&u->ur_ring);
		if (rc >= 0) {
			u->ur_unsubmitted -= (unsigned)rc < u->ur_unsubmitted ? (unsigned)rc
									    : u->ur_unsubmitted;
			continue;
		}
		if (rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
			break;  /* left in the SQ: the next submit retries them */
	}
}

/* The part of a read or write the ring did not do (res bytes done). */
static int dev_uring_rest(struct dev_req *r, struct dev_uring_slot *s, int res)
{
	void *buf = s->us_bounced ? s->us_bb.bb_buf : r->buf;
	size_t len = s->us_bounced ? s->us_bb.bb_len : r->len;
	uint64_t off = s->us_bounced ? s->us_bb.bb_off : r->off;
	size_t need = s->us_bounced ? s->us_bb.bb_need : r->len;
	ssize_t n;

	if (res < 0 || r->op == DEV_OP_FLUSH || (size_t)res >= len)
		return res;
	if (res == 0)
		return r->op == DEV_OP_READ && need == 0 ? 0 : -EIO;
	n = dev_xfer(r->dev->d_fd, r->op, (char *)buf + res, len - (size_t)res,
		     off + (uint64_t)res, need > (size_t)res ? need - (size_t)res : 0);
	return n < 0 ? (int)n : res + (int)n;
}

/* Finish one request whose transfer ended with res. */
static void dev_uring_finish(struct dev_uring_slot *s, int res)
{
	struct dev_req *r = s->us_req;

	res = dev_uring_rest(r, s, res);
	if (s->us_bounced)
		res = dev_bounce_finish(r, &s->us_bb, res);
	else if (res >= 0 && r->op != DEV_OP_FLUSH)
		res = (size_t)res < r->len ? -EIO : (int)r->len;
	r->res = res;
	dev_req_end(r);
	dev_req_complete(r);
}

static void *dev_uring_main(void *arg)
{
	struct dev_uring *u = arg;
	unsigned idx[DEV_URING_REAP];
	int res[DEV_URING_REAP];
	struct io_uring_cqe *cqe;
	bool stop = false;

	while (!stop) {
		unsigned n = 0, head;

		if (io_uring_wait_cqe(&u->ur_ring, &cqe) < 0)
			continue;                       /* -EINTR */
		io_uring_for_each_cqe(&u->ur_ring, head, cqe) {
			if (n == DEV_URING_REAP)
				break;
			idx[n] = (unsigned)cqe->user_data;
			res[n++] = cqe->res;
		}
		io_uring_cq_advance(&u->ur_ring, n);

		for (unsigned i = 0; i < n; i++) {
			if (idx[i] == 0)
				stop = true;
			else
				dev_uring_finish(&u->ur_slots[idx[i] - 1], res[i]);
		}
		pthread_mutex_lock(&u->ur_lock);
		for (unsigned i = 0; i < n; i++) {
			if (idx[i] == 0)
				continue;
			u->ur_slots[idx[i] - 1].us_next = u->ur_free;
			u->ur_free = idx[i] - 1;
			u->ur_inflight--;
		}
		if (u->ur_waiting)
			pthread_cond_broadcast(&u->ur_space);
		if (u->ur_inflight == 0)
			pthread_cond_broadcast(&u->ur_idle);
		pthread_mutex_unlock(&u->ur_lock);
	}
	return NULL;
}

static void dev_uring_free(struct dev_uring *u)
{
	pthread_cond_destroy(&u->ur_idle);
	pthread_cond_destroy(&u->ur_space);
	pthread_mutex_destroy(&u->ur_lock);
	io_uring_queue_exit(&u->ur_ring);
	free(u->ur_slots);
	free(u);
}

static int dev_uring_start(struct dev_io *io, const struct dev_io_cfg *cfg)
{
	struct dev_uring *u = calloc(1, sizeof *u);
	sigset_t all, old;
	int rc;

	if (!u)
		return -ENOMEM;
	u->ur_depth = cfg->depth ? cfg->depth : DEV_ASYNC_DEPTH_DEFAULT;
	rc = io_uring_queue_init(u->ur_depth, &u->ur_ring, 0);
	if (rc < 0) {
		free(u);
		io->io_backend = DEV_BACKEND_PSYNC;
		io->io_ops = &dev_psync_ops;
		io->io_fallback = rc;
		return dev_psync_ops.start(io, cfg);
	}
	u->ur_slots = calloc(u->ur_depth, sizeof *u->ur_slots);
	if (!u->ur_slots) {
		io_uring_queue_exit(&u->ur_ring);
		free(u);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < u->ur_depth; i++)
		u->ur_slots[i].us_next = i + 1;
	pthread_mutex_init(&u->ur_lock, NULL);
	pthread_cond_init(&u->ur_space, NULL);
	pthread_cond_init(&u->ur_idle, NULL);

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&u->ur_thread, NULL, dev_uring_main, u);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		dev_uring_free(u);
		return rc;
	}
	io->io_priv = u;
	return 0;
}

static void dev_uring_stop(struct dev_io *io)
{
	struct dev_uring *u = io->io_priv;
	struct io_uring_sqe *sqe;

	pthread_mutex_lock(&u->ur_lock);
	while (u->ur_inflight)
		pthread_cond_wait(&u->ur_idle, &u->ur_lock);
	sqe = io_uring_get_sqe(&u->ur_ring);    /* the SQ is empty: never NULL */
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 0);
	u->ur_unsubmitted++;
	dev_uring_flush_sq(u);
	pthread_mutex_unlock(&u->ur_lock);
	pthread_join(u->ur_thread, NULL);
	dev_uring_free(u);
	io->io_priv = NULL;
}

/* Queue one request that passed dev_req_begin(); 0 or -errno (not queued). */
static int dev_uring_queue(struct dev_uring *u, struct dev_req *r)
{
	struct dev_uring_slot *s;
	struct io_uring_sqe *sqe;
	struct dev_bounce bb = { 0 };
	bool bounced = false;
	unsigned i;
	int rc;

	if (dev_req_needs_bounce(r)) {
		rc = dev_bounce_prepare(r, &bb);
		if (rc < 0)
			return rc;
		bounced = true;
	}
	pthread_mutex_lock(&u->ur_lock);
	while (u->ur_free == u->ur_depth) {
		dev_uring_flush_sq(u);
		u->ur_waiting++;
		pthread_cond_wait(&u->ur_space, &u->ur_lock);
		u->ur_waiting--;
	}
	while (!(sqe = io_uring_get_sqe(&u->ur_ring)))
		dev_uring_flush_sq(u);          /* invariant 1: frees entries */
	i = u->ur_free;
	s = &u->ur_slots[i];
	u->ur_free = s->us_next;
	u->ur_inflight++;
	s->us_req = r;
	s->us_bb = bb;
	s->us_bounced = bounced;
	switch (r->op) {
	case DEV_OP_READ:
		io_uring_prep_read(sqe, r->dev->d_fd, bounced ? bb.bb_buf : r->buf,
				   (unsigned)(bounced ? bb.bb_len : r->len),
				   bounced ? bb.bb_off : r->off);
		break;
	case DEV_OP_WRITE:
		io_uring_prep_write(sqe, r->dev->d_fd, bounced ? bb.bb_buf : r->buf,
				    (unsigned)(bounced ? bb.bb_len : r->len),
				    bounced ? bb.bb_off : r->off);
		break;
	default:
		io_uring_prep_fsync(sqe, r->dev->d_fd, IORING_FSYNC_DATASYNC);
		break;
	}
	io_uring_sqe_set_data64(sqe, (uint64_t)i + 1);
	u->ur_unsubmitted++;
	pthread_mutex_unlock(&u->ur_lock);
	return 0;
}

static void dev_uring_submit(struct dev_io *io, struct dev_req *head, unsigned n)
{
	struct dev_uring *u = io->io_priv;
	struct dev_req *r, *next;
	int rc;

	for (r = head; r; r = next) {
		next = r->next;
		r->next = NULL;
		if (dev_req_begin(r) == 0) {
			rc = dev_uring_queue(u, r);
			if (rc == 0)
				continue;
			r->res = rc;
		}
		dev_req_end(r);
		dev_req_complete(r);
	}
	pthread_mutex_lock(&u->ur_lock);
	dev_uring_flush_sq(u);
	pthread_mutex_unlock(&u->ur_lock);
}

const struct dev_io_ops dev_uring_ops = {
	.start  = dev_uring_start,
	.stop   = dev_uring_stop,
	.submit = dev_uring_submit,
};
