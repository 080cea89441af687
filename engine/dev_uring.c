/*
 * dev_uring.c — the io_uring backend: one ring per engine, requests issued
 * from the submitting thread, completions reaped by the threads that wait
 * for them (no completion thread).
 *
 * Submit (the caller of dev_batch_submit): for each request of the chain,
 * dev_req_begin() (pre hook), a bounce buffer when the device is in direct
 * mode and the request is not aligned, a slot, an SQE (read, write, or fsync
 * with IORING_FSYNC_DATASYNC); then one io_uring_submit() for the whole
 * chain.  When every slot is taken, what is prepared is submitted and the
 * caller reaps (or waits for the reaper) until a slot is free.
 * Complete (dev_uring_help, the batch's waiter; also a submitter waiting for
 * a slot, and stop): one thread at a time is the reaper — it sleeps in the
 * kernel for the next CQE, takes every CQE that is there, finishes each
 * (short transfers finished with pread/pwrite, bounce copied out, post hook,
 * dev_req_complete), whatever batch it belongs to, frees their slots, and
 * hands the turn on; the others wait for the reaper's round to end and look
 * again.  So the waiter is woken by the kernel itself: a completion costs
 * one wakeup, not two (CQE -> completion thread -> waiter), which is what
 * the time goes into on a loaded machine, and on tmpfs, whose files take no
 * IOCB_NOWAIT, every request already costs the wakeup of an io-wq worker.
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
 *  2. ur_lock protects the SQ, the slot free list, ur_inflight,
 *     ur_unsubmitted and ur_reaping.  The CQ belongs to the reaper alone
 *     (ur_reaping set, by at most one thread).
 *  3. A CQE's user_data is its slot index.
 *  4. Every request in the ring belongs to a batch some thread waits for
 *     (dev_batch_run), or to a submitter waiting for a slot: someone reaps
 *     it.  The reaper sleeps in the kernel only with its own condition
 *     unmet and nothing in the SQ, so it has a request of its own in flight
 *     (or, waiting for a slot, depth of them).
 */
#include <errno.h>
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
	pthread_cond_t   ur_turn;       /* a reaper's round ended */
	unsigned         ur_depth;
	struct dev_uring_slot *ur_slots;
	unsigned         ur_free;       /* first free slot, ur_depth when none */
	unsigned         ur_inflight;   /* slots taken */
	unsigned         ur_unsubmitted;/* SQEs prepared, not yet submitted */
	bool             ur_reaping;    /* a thread owns the CQ */
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

/* One round of the reaper: wait until want CQEs are there (1 <= want <=
 * what is in flight), finish every CQE there (up to DEV_URING_REAP), free
 * their slots, hand the turn on.  Called and returns with ur_lock held and
 * ur_reaping clear. */
static void dev_uring_reap(struct dev_uring *u, unsigned want)
{
	unsigned idx[DEV_URING_REAP];
	int res[DEV_URING_REAP];
	struct io_uring_cqe *cqe;
	unsigned n = 0, head;

	u->ur_reaping = true;
	dev_uring_flush_sq(u);
	pthread_mutex_unlock(&u->ur_lock);
	if (io_uring_wait_cqe_nr(&u->ur_ring, &cqe, want) == 0) {       /* else -EINTR */
		io_uring_for_each_cqe(&u->ur_ring, head, cqe) {
			if (n == DEV_URING_REAP)
				break;
			idx[n] = (unsigned)cqe->user_data;
			res[n++] = cqe->res;
		}
		io_uring_cq_advance(&u->ur_ring, n);
		for (unsigned i = 0; i < n; i++)
			dev_uring_finish(&u->ur_slots[idx[i]], res[i]);
	}
	pthread_mutex_lock(&u->ur_lock);
	for (unsigned i = 0; i < n; i++) {
		u->ur_slots[idx[i]].us_next = u->ur_free;
		u->ur_free = idx[i];
		u->ur_inflight--;
	}
	u->ur_reaping = false;
	pthread_cond_broadcast(&u->ur_turn);
}

/* Reap, or wait for the reaper, until left(u, arg) — the completions the
 * caller still waits for — is 0 (ur_lock held).  A reaper sleeps until that
 * many CQEs are there (at most what is in flight): one wakeup for a batch
 * whose requests all go to io-wq workers, not one per request. */
static void dev_uring_reap_until(struct dev_uring *u, unsigned (*left)(struct dev_uring *, void *),
				 void *arg)
{
	unsigned want;

	while ((want = left(u, arg)) > 0) {
		if (u->ur_reaping)
			pthread_cond_wait(&u->ur_turn, &u->ur_lock);
		else
			dev_uring_reap(u, want < u->ur_inflight ? want : u->ur_inflight);
	}
}

static unsigned dev_uring_no_slot(struct dev_uring *u, void *arg)
{
	(void)arg;
	return u->ur_free == u->ur_depth;
}

static unsigned dev_uring_busy(struct dev_uring *u, void *arg)
{
	(void)arg;
	return u->ur_inflight > 0;
}

static unsigned dev_uring_batch_left(struct dev_uring *u, void *arg)
{
	struct dev_batch *b = arg;
	struct dev_waiter *w = b->waiter;
	unsigned left;

	(void)u;
	pthread_mutex_lock(&w->w_lock);
	left = b->inflight;
	pthread_mutex_unlock(&w->w_lock);
	return left;
}

static void dev_uring_free(struct dev_uring *u)
{
	pthread_cond_destroy(&u->ur_turn);
	pthread_mutex_destroy(&u->ur_lock);
	io_uring_queue_exit(&u->ur_ring);
	free(u->ur_slots);
	free(u);
}

static int dev_uring_start(struct dev_io *io, const struct dev_io_cfg *cfg)
{
	struct dev_uring *u = calloc(1, sizeof *u);
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
	pthread_cond_init(&u->ur_turn, NULL);
	io->io_priv = u;
	return 0;
}

/* Reaps what is still in flight (dev_io.c invariant 2). */
static void dev_uring_stop(struct dev_io *io)
{
	struct dev_uring *u = io->io_priv;

	pthread_mutex_lock(&u->ur_lock);
	dev_uring_reap_until(u, dev_uring_busy, NULL);
	pthread_mutex_unlock(&u->ur_lock);
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
	dev_uring_reap_until(u, dev_uring_no_slot, NULL);      /* flushes the SQ first */
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
	io_uring_sqe_set_data64(sqe, i);
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

/* The waiter of batch b reaps until b is done (dev_int.h invariant 5). */
static void dev_uring_help(struct dev_io *io, struct dev_batch *b)
{
	struct dev_uring *u = io->io_priv;

	pthread_mutex_lock(&u->ur_lock);
	dev_uring_reap_until(u, dev_uring_batch_left, b);
	pthread_mutex_unlock(&u->ur_lock);
}

const struct dev_io_ops dev_uring_ops = {
	.start  = dev_uring_start,
	.stop   = dev_uring_stop,
	.submit = dev_uring_submit,
	.help   = dev_uring_help,
};
