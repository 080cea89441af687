/*
 * dev_aio.c — the libaio backend: one AIO context per engine, requests
 * (reads, writes, and flushes as IOCB_CMD_FDSYNC) issued from the
 * submitting thread through io_submit, completions reaped by the threads
 * that wait for them (no completion thread, no flush workers).
 *
 * Without O_DIRECT, io_submit does the whole transfer before it returns, so
 * the pool puts its members in direct mode for this backend
 * (dev_backend_wants_direct); on a device that is not, requests still work,
 * synchronously.  A flush is an FDSYNC iocb: the kernel (4.18 and later)
 * runs it on a workqueue, so the flushes of several members run in
 * parallel; a kernel that refuses it (-EINVAL) gets an fdatasync in the
 * submitting thread instead.
 *
 * Submit (the caller of dev_batch_submit): for each request of the chain,
 * dev_req_begin() (pre hook), a bounce buffer when the device is in direct
 * mode and the request is not aligned, a slot with its iocb; then
 * io_submit() of up to DEV_AIO_SUBMIT iocbs per call.  When every slot is
 * taken, what is prepared is submitted first and the caller reaps (or waits
 * for the reaper) until a slot is free.
 * Complete (dev_aio_help, the batch's waiter; also a submitter waiting for a
 * slot, and stop): one thread at a time is the reaper — it sleeps in
 * io_getevents until as many events are there as it still waits for, takes
 * every event that is there (up to DEV_AIO_REAP), finishes each (short
 * transfers with pread/pwrite, bounce copied out, post hook,
 * dev_req_complete), whatever batch it belongs to, frees their slots, and
 * hands the turn on; the others wait for the reaper's round to end and look
 * again.  The same protocol as dev_uring.c, for the same reason: a
 * completion thread costs a second wakeup per completion (event ->
 * completion thread -> waiter), which is where a loaded machine's time went.
 *
 * Fallback: when io_setup() fails (EAGAIN past fs.aio-max-nr, ENOSYS), the
 * engine runs the direct backend (psync) instead (dev_io.c invariant 3).
 *
 * Invariants:
 *  1. At most depth requests hold a slot; the context was set up for depth
 *     events, so io_submit of a slot holder never meets a full ring.
 *  2. ai_lock protects the slot free list, ai_inflight and ai_reaping.
 *     io_submit and io_getevents run without it; the context's completion
 *     ring belongs to the reaper alone (ai_reaping set, by at most one
 *     thread).
 *  3. Every iocb handed to io_submit is completed by an event, or, when
 *     io_submit refused it, finished with its -errno by the submitter.
 *  4. Every slot taken belongs to a request of a batch some thread waits
 *     for (dev_batch_run), or to a submitter that issues it before it waits
 *     for a slot: the reaper sleeps only for min(what it waits for, what is
 *     in flight) events, and those all come.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <libaio.h>

#include "dev_int.h"

#define DEV_AIO_SUBMIT  64              /* iocbs per io_submit */
#define DEV_AIO_REAP    64              /* events taken per wakeup at most */

struct dev_aio_slot {
	struct iocb      as_iocb;       /* as_iocb.data = the slot */
	struct dev_req  *as_req;
	struct dev_bounce as_bb;
	bool             as_bounced;
	unsigned         as_next;       /* free list link */
};

struct dev_aio {
	io_context_t     ai_ctx;
	pthread_mutex_t  ai_lock;       /* invariant 2 */
	pthread_cond_t   ai_turn;       /* a reaper's round ended */
	unsigned         ai_depth;
	struct dev_aio_slot *ai_slots;
	unsigned         ai_free;       /* first free slot, ai_depth when none */
	unsigned         ai_inflight;   /* slots taken */
	bool             ai_reaping;    /* a thread owns the completion ring */
};

/* The part of a transfer the kernel did not do (res bytes done). */
static int dev_aio_rest(struct dev_req *r, struct dev_aio_slot *s, long res)
{
	void *buf = s->as_bounced ? s->as_bb.bb_buf : r->buf;
	size_t len = s->as_bounced ? s->as_bb.bb_len : r->len;
	uint64_t off = s->as_bounced ? s->as_bb.bb_off : r->off;
	size_t need = s->as_bounced ? s->as_bb.bb_need : r->len;
	ssize_t n;

	if (res < 0 || r->op == DEV_OP_FLUSH || (size_t)res >= len)
		return (int)res;
	if (res == 0)
		return r->op == DEV_OP_READ && need == 0 ? 0 : -EIO;
	n = dev_xfer(r->dev->d_fd, r->op, (char *)buf + res, len - (size_t)res,
		     off + (uint64_t)res, need > (size_t)res ? need - (size_t)res : 0);
	return n < 0 ? (int)n : (int)res + (int)n;
}

/* Finish one request whose transfer ended with res. */
static void dev_aio_finish(struct dev_aio_slot *s, long res)
{
	struct dev_req *r = s->as_req;
	int rc = dev_aio_rest(r, s, res);

	if (s->as_bounced)
		rc = dev_bounce_finish(r, &s->as_bb, rc);
	else if (rc >= 0 && r->op != DEV_OP_FLUSH)
		rc = (size_t)rc < r->len ? -EIO : (int)r->len;
	r->res = rc;
	dev_req_end(r);
	dev_req_complete(r);
}

/* Give n slots back (lock held). */
static void dev_aio_put_slots(struct dev_aio *a, struct dev_aio_slot **s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		s[i]->as_next = a->ai_free;
		a->ai_free = (unsigned)(s[i] - a->ai_slots);
		a->ai_inflight--;
	}
}

/* One round of the reaper: wait until want events are there (1 <= want <=
 * what is in flight), finish every event there (up to DEV_AIO_REAP), free
 * their slots, hand the turn on.  Called and returns with ai_lock held and
 * ai_reaping clear. */
static void dev_aio_reap(struct dev_aio *a, unsigned want)
{
	struct io_event ev[DEV_AIO_REAP];
	struct dev_aio_slot *done[DEV_AIO_REAP];
	int n;

	a->ai_reaping = true;
	pthread_mutex_unlock(&a->ai_lock);
	if (want > DEV_AIO_REAP)
		want = DEV_AIO_REAP;
	n = io_getevents(a->ai_ctx, (long)want, DEV_AIO_REAP, ev, NULL);
	if (n < 0)
		n = 0;                          /* -EINTR: look again */
	for (int i = 0; i < n; i++) {
		done[i] = ev[i].data;
		dev_aio_finish(done[i], (long)ev[i].res);
	}
	pthread_mutex_lock(&a->ai_lock);
	dev_aio_put_slots(a, done, (unsigned)n);
	a->ai_reaping = false;
	pthread_cond_broadcast(&a->ai_turn);
}

/* Reap, or wait for the reaper, until left(a, arg) — the completions the
 * caller still waits for — is 0 (ai_lock held). */
static void dev_aio_reap_until(struct dev_aio *a, unsigned (*left)(struct dev_aio *, void *),
			       void *arg)
{
	unsigned want;

	while ((want = left(a, arg)) > 0) {
		if (a->ai_reaping)
			pthread_cond_wait(&a->ai_turn, &a->ai_lock);
		else
			dev_aio_reap(a, want < a->ai_inflight ? want : a->ai_inflight);
	}
}

static unsigned dev_aio_no_slot(struct dev_aio *a, void *arg)
{
	(void)arg;
	return a->ai_free == a->ai_depth;
}

static unsigned dev_aio_busy(struct dev_aio *a, void *arg)
{
	(void)arg;
	return a->ai_inflight > 0;
}

static unsigned dev_aio_batch_left(struct dev_aio *a, void *arg)
{
	struct dev_batch *b = arg;
	struct dev_waiter *w = b->waiter;
	unsigned left;

	(void)a;
	pthread_mutex_lock(&w->w_lock);
	left = b->inflight;
	pthread_mutex_unlock(&w->w_lock);
	return left;
}

static void dev_aio_free(struct dev_aio *a)
{
	pthread_cond_destroy(&a->ai_turn);
	pthread_mutex_destroy(&a->ai_lock);
	io_destroy(a->ai_ctx);
	free(a->ai_slots);
	free(a);
}

static int dev_aio_start(struct dev_io *io, const struct dev_io_cfg *cfg)
{
	struct dev_aio *a = calloc(1, sizeof *a);
	int rc;

	if (!a)
		return -ENOMEM;
	a->ai_depth = cfg->depth ? cfg->depth : DEV_ASYNC_DEPTH_DEFAULT;
	rc = io_setup((int)a->ai_depth, &a->ai_ctx);
	if (rc < 0) {
		free(a);
		io->io_backend = DEV_BACKEND_DIRECT;
		io->io_ops = &dev_psync_ops;
		io->io_fallback = rc;
		return dev_psync_ops.start(io, cfg);
	}
	a->ai_slots = calloc(a->ai_depth, sizeof *a->ai_slots);
	if (!a->ai_slots) {
		io_destroy(a->ai_ctx);
		free(a);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < a->ai_depth; i++)
		a->ai_slots[i].as_next = i + 1;
	pthread_mutex_init(&a->ai_lock, NULL);
	pthread_cond_init(&a->ai_turn, NULL);
	io->io_priv = a;
	return 0;
}

/* Reaps what is still in flight (dev_io.c invariant 2). */
static void dev_aio_stop(struct dev_io *io)
{
	struct dev_aio *a = io->io_priv;

	pthread_mutex_lock(&a->ai_lock);
	dev_aio_reap_until(a, dev_aio_busy, NULL);
	pthread_mutex_unlock(&a->ai_lock);
	dev_aio_free(a);
	io->io_priv = NULL;
}

/* A flush the kernel refused as an iocb: fdatasync here. */
static void dev_aio_flush_here(struct dev_aio *a, struct dev_aio_slot *s)
{
	struct dev_req *r = s->as_req;

	dev_aio_finish(s, dev_req_transfer(r->dev->d_fd, r));
	pthread_mutex_lock(&a->ai_lock);
	dev_aio_put_slots(a, &s, 1);
	pthread_mutex_unlock(&a->ai_lock);
}

/* io_submit n prepared slots (invariant 3). */
static void dev_aio_issue(struct dev_aio *a, struct dev_aio_slot **s, unsigned n)
{
	struct iocb *cbs[DEV_AIO_SUBMIT];
	unsigned done = 0;
	int rc;

	for (unsigned i = 0; i < n; i++)
		cbs[i] = &s[i]->as_iocb;
	while (done < n) {
		rc = io_submit(a->ai_ctx, (long)(n - done), cbs + done);
		if (rc > 0) {
			done += (unsigned)rc;
			continue;
		}
		if (rc == -EINTR || rc == -EAGAIN)
			continue;
		if (rc == -EINVAL && s[done]->as_req->op == DEV_OP_FLUSH) {
			dev_aio_flush_here(a, s[done++]);
			continue;
		}
		/* The first one left is refused: it fails, the rest go on. */
		dev_aio_finish(s[done], rc == 0 ? -EIO : rc);
		pthread_mutex_lock(&a->ai_lock);
		dev_aio_put_slots(a, &s[done], 1);
		pthread_mutex_unlock(&a->ai_lock);
		done++;
	}
}

/* Take a slot for r (after issuing the *np prepared ones and reaping when
 * none is free) and prepare its iocb; issue when DEV_AIO_SUBMIT are ready. */
static void dev_aio_prep(struct dev_aio *a, struct dev_req *r, const struct dev_bounce *bb,
			 bool bounced, struct dev_aio_slot **prep, unsigned *np)
{
	struct dev_aio_slot *s;
	void *buf = bounced ? bb->bb_buf : r->buf;
	size_t len = bounced ? bb->bb_len : r->len;
	long long off = (long long)(bounced ? bb->bb_off : r->off);

	pthread_mutex_lock(&a->ai_lock);
	if (a->ai_free == a->ai_depth && *np) {
		pthread_mutex_unlock(&a->ai_lock);
		dev_aio_issue(a, prep, *np);    /* invariant 4 */
		*np = 0;
		pthread_mutex_lock(&a->ai_lock);
	}
	dev_aio_reap_until(a, dev_aio_no_slot, NULL);
	s = &a->ai_slots[a->ai_free];
	a->ai_free = s->as_next;
	a->ai_inflight++;
	pthread_mutex_unlock(&a->ai_lock);

	s->as_req = r;
	s->as_bb = *bb;
	s->as_bounced = bounced;
	switch (r->op) {
	case DEV_OP_READ:
		io_prep_pread(&s->as_iocb, r->dev->d_fd, buf, len, off);
		break;
	case DEV_OP_WRITE:
		io_prep_pwrite(&s->as_iocb, r->dev->d_fd, buf, len, off);
		break;
	default:
		io_prep_fdsync(&s->as_iocb, r->dev->d_fd);
		break;
	}
	s->as_iocb.data = s;
	prep[(*np)++] = s;
	if (*np == DEV_AIO_SUBMIT) {
		dev_aio_issue(a, prep, *np);
		*np = 0;
	}
}

static void dev_aio_submit(struct dev_io *io, struct dev_req *head, unsigned n)
{
	struct dev_aio *a = io->io_priv;
	struct dev_aio_slot *prep[DEV_AIO_SUBMIT];
	struct dev_req *r, *next;
	unsigned np = 0;

	(void)n;
	for (r = head; r; r = next) {
		struct dev_bounce bb = { 0 };
		bool bounced = false;
		int rc;

		next = r->next;
		r->next = NULL;
		rc = dev_req_begin(r);
		if (rc == 0 && dev_req_needs_bounce(r)) {
			rc = dev_bounce_prepare(r, &bb);
			if (rc < 0)
				r->res = rc;
			bounced = rc == 0;
		}
		if (rc != 0) {
			dev_req_end(r);
			dev_req_complete(r);
			continue;
		}
		dev_aio_prep(a, r, &bb, bounced, prep, &np);
	}
	if (np)
		dev_aio_issue(a, prep, np);
}

/* The waiter of batch b reaps until b is done (dev_int.h invariant 5). */
static void dev_aio_help(struct dev_io *io, struct dev_batch *b)
{
	struct dev_aio *a = io->io_priv;

	pthread_mutex_lock(&a->ai_lock);
	dev_aio_reap_until(a, dev_aio_batch_left, b);
	pthread_mutex_unlock(&a->ai_lock);
}

const struct dev_io_ops dev_aio_ops = {
	.start  = dev_aio_start,
	.stop   = dev_aio_stop,
	.submit = dev_aio_submit,
	.help   = dev_aio_help,
};
