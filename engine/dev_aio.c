/*
 * dev_aio.c — the libaio backend: reads and writes through io_submit and one
 * completion thread (io_getevents); flushes on a small psync pool, because
 * the kernel's AIO has no fdatasync that filesystems implement.
 *
 * Without O_DIRECT, io_submit does the whole transfer before it returns, so
 * the pool puts its members in direct mode for this backend
 * (dev_backend_wants_direct); on a device that is not, requests still work,
 * synchronously.
 *
 * Submit (the caller of dev_batch_submit): flushes go to the psync pool as
 * one chain; every read and write gets dev_req_begin() (pre hook), a bounce
 * buffer when not aligned, a slot with its iocb; then io_submit() of up to
 * DEV_AIO_SUBMIT iocbs per call.  When every slot is taken, what is prepared
 * is submitted first and the caller waits for slots.
 * Complete (the completion thread): io_getevents() of up to DEV_AIO_REAP
 * events per call; each is finished (short transfers with pread/pwrite,
 * bounce copied out, post hook, dev_req_complete), their slots freed in one
 * go.  A batch's waiter does the same with the events already there before
 * it sleeps (dev_aio_help), and runs its own queued flushes.
 *
 * Fallback: when io_setup() fails (EAGAIN past fs.aio-max-nr, ENOSYS), or
 * the kernel refuses the stop POLL iocb, the engine runs the direct backend
 * (psync) instead (dev_io.c invariant 3).
 *
 * Invariants:
 *  1. ai_lock protects the slot free list, ai_inflight and ai_waiting;
 *     io_submit and io_getevents run without it.
 *  2. Every iocb handed to io_submit is completed by an event, or, when
 *     io_submit refused it, failed with its -errno by the submitter.
 *  3. Stop waits until nothing is in flight (the flush pool drains itself),
 *     then wakes the completion thread through an eventfd: a POLL iocb on it
 *     stays submitted from start to stop (data ai_stop_iocb).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <libaio.h>
#include <sys/eventfd.h>

#include "dev_int.h"

#define DEV_AIO_SUBMIT  64              /* iocbs per io_submit */
#define DEV_AIO_REAP    64              /* events per io_getevents */
#define DEV_AIO_FLUSHERS_DEFAULT 4

struct dev_aio_slot {
	struct iocb      as_iocb;       /* as_iocb.data = the slot */
	struct dev_req  *as_req;
	struct dev_bounce as_bb;
	bool             as_bounced;
	unsigned         as_next;       /* free list link */
};

struct dev_aio {
	io_context_t     ai_ctx;
	pthread_mutex_t  ai_lock;       /* invariant 1 */
	pthread_cond_t   ai_space;      /* a slot was freed */
	pthread_cond_t   ai_idle;       /* ai_inflight dropped to 0 */
	unsigned         ai_depth;
	struct dev_aio_slot *ai_slots;
	unsigned         ai_free;       /* first free slot, ai_depth when none */
	unsigned         ai_inflight;
	unsigned         ai_waiting;
	int              ai_efd;        /* eventfd that stops the completion thread */
	struct iocb      ai_stop_iocb;
	pthread_t        ai_thread;
	struct dev_io    ai_flush;      /* psync pool for DEV_OP_FLUSH */
};

/* The part of a transfer io_submit did not do (res bytes done). */
static int dev_aio_rest(struct dev_req *r, struct dev_aio_slot *s, long res)
{
	void *buf = s->as_bounced ? s->as_bb.bb_buf : r->buf;
	size_t len = s->as_bounced ? s->as_bb.bb_len : r->len;
	uint64_t off = s->as_bounced ? s->as_bb.bb_off : r->off;
	size_t need = s->as_bounced ? s->as_bb.bb_need : r->len;
	ssize_t n;

	if (res < 0 || (size_t)res >= len)
		return (int)res;
	if (res == 0)
		return need == 0 ? 0 : -EIO;
	n = dev_xfer(r->dev->d_fd, r->op, (char *)buf + res, len - (size_t)res,
		     off + (uint64_t)res, need > (size_t)res ? need - (size_t)res : 0);
	return n < 0 ? (int)n : (int)res + (int)n;
}

static void dev_aio_finish(struct dev_aio_slot *s, long res)
{
	struct dev_req *r = s->as_req;
	int rc = dev_aio_rest(r, s, res);

	if (s->as_bounced)
		rc = dev_bounce_finish(r, &s->as_bb, rc);
	else if (rc >= 0)
		rc = (size_t)rc < r->len ? -EIO : (int)r->len;
	r->res = rc;
	dev_req_end(r);
	dev_req_complete(r);
}

/* Give n slots back (they finished or were never submitted). */
static void dev_aio_release(struct dev_aio *a, struct dev_aio_slot **s, unsigned n)
{
	pthread_mutex_lock(&a->ai_lock);
	for (unsigned i = 0; i < n; i++) {
		s[i]->as_next = a->ai_free;
		a->ai_free = (unsigned)(s[i] - a->ai_slots);
		a->ai_inflight--;
	}
	if (a->ai_waiting)
		pthread_cond_broadcast(&a->ai_space);
	if (a->ai_inflight == 0)
		pthread_cond_broadcast(&a->ai_idle);
	pthread_mutex_unlock(&a->ai_lock);
}

/* Finish n reaped events and free their slots; true when the stop iocb was
 * among them. */
static bool dev_aio_reap(struct dev_aio *a, const struct io_event *ev, int n)
{
	struct dev_aio_slot *done[DEV_AIO_REAP];
	unsigned nd = 0;
	bool stop = false;

	for (int i = 0; i < n; i++) {
		if (ev[i].obj == &a->ai_stop_iocb) {
			stop = true;
			continue;
		}
		done[nd] = ev[i].data;
		dev_aio_finish(done[nd++], (long)ev[i].res);
	}
	if (nd)
		dev_aio_release(a, done, nd);
	return stop;
}

static void *dev_aio_main(void *arg)
{
	struct dev_aio *a = arg;
	struct io_event ev[DEV_AIO_REAP];
	bool stop = false;

	while (!stop) {
		int n = io_getevents(a->ai_ctx, 1, DEV_AIO_REAP, ev, NULL);

		if (n < 0)
			continue;                       /* -EINTR */
		stop = dev_aio_reap(a, ev, n);
	}
	return NULL;
}

/* Whether batch b still has requests in flight. */
static bool dev_aio_batch_busy(struct dev_batch *b)
{
	struct dev_waiter *w = b->waiter;
	bool busy;

	pthread_mutex_lock(&w->w_lock);
	busy = b->inflight > 0;
	pthread_mutex_unlock(&w->w_lock);
	return busy;
}

/* The waiter of batch b (dev_int.h invariant 5): run the flushes of b still
 * queued on the flush pool, and finish the events that are already there
 * (on tmpfs, and for any transfer the kernel does not queue, io_submit has
 * done the I/O before it returns), without waiting for the device, while b
 * has requests in flight.  The completion thread keeps reaping too: each
 * event goes to one of them. */
static void dev_aio_help(struct dev_io *io, struct dev_batch *b)
{
	struct dev_aio *a = io->io_priv;
	struct io_event ev[DEV_AIO_REAP];
	struct timespec now = { 0, 0 };
	struct iocb *stop = &a->ai_stop_iocb;
	int n, rc;

	dev_psync_ops.help(&a->ai_flush, b);
	while (dev_aio_batch_busy(b)) {
		n = io_getevents(a->ai_ctx, 0, DEV_AIO_REAP, ev, &now);
		if (n <= 0)
			return;                 /* nothing there yet (or -EINTR) */
		if (!dev_aio_reap(a, ev, n))
			continue;
		/* The stop iocb: b's last request completed in the completion
		 * thread meanwhile and the engine is being stopped.  Put it
		 * back for the completion thread (its eventfd stays readable). */
		do {
			io_prep_poll(stop, a->ai_efd, POLLIN);
			rc = io_submit(a->ai_ctx, 1, &stop);
		} while (rc == -EAGAIN || rc == -EINTR);
		return;
	}
}

static void dev_aio_free(struct dev_aio *a)
{
	pthread_cond_destroy(&a->ai_idle);
	pthread_cond_destroy(&a->ai_space);
	pthread_mutex_destroy(&a->ai_lock);
	close(a->ai_efd);
	io_destroy(a->ai_ctx);
	free(a->ai_slots);
	free(a);
}

/* Everything but the completion thread; 0 or -errno (a freed). */
static int dev_aio_setup(struct dev_aio *a, const struct dev_io_cfg *cfg)
{
	struct dev_io_cfg fcfg = { .backend = DEV_BACKEND_PSYNC,
				   .threads = cfg->threads ? cfg->threads
							   : DEV_AIO_FLUSHERS_DEFAULT };
	struct iocb *stop = &a->ai_stop_iocb;
	int rc;

	a->ai_slots = calloc(a->ai_depth, sizeof *a->ai_slots);
	a->ai_efd = eventfd(0, EFD_CLOEXEC);
	if (!a->ai_slots || a->ai_efd < 0) {
		rc = a->ai_slots ? -errno : -ENOMEM;
		goto err;
	}
	for (unsigned i = 0; i < a->ai_depth; i++)
		a->ai_slots[i].as_next = i + 1;
	a->ai_free = 0;
	pthread_mutex_init(&a->ai_lock, NULL);
	pthread_cond_init(&a->ai_space, NULL);
	pthread_cond_init(&a->ai_idle, NULL);
	io_prep_poll(stop, a->ai_efd, POLLIN);
	rc = io_submit(a->ai_ctx, 1, &stop);
	if (rc != 1) {
		rc = rc < 0 ? rc : -EIO;
		goto err_sync;
	}
	a->ai_flush.io_backend = DEV_BACKEND_PSYNC;
	a->ai_flush.io_ops = &dev_psync_ops;
	rc = dev_psync_ops.start(&a->ai_flush, &fcfg);
	if (rc == 0)
		return 0;
	eventfd_write(a->ai_efd, 1);            /* retires the poll iocb */
err_sync:
	pthread_cond_destroy(&a->ai_idle);
	pthread_cond_destroy(&a->ai_space);
	pthread_mutex_destroy(&a->ai_lock);
err:
	if (a->ai_efd >= 0)
		close(a->ai_efd);
	io_destroy(a->ai_ctx);
	free(a->ai_slots);
	free(a);
	return rc;
}

static int dev_aio_start(struct dev_io *io, const struct dev_io_cfg *cfg)
{
	struct dev_aio *a = calloc(1, sizeof *a);
	sigset_t all, old;
	int rc;

	if (!a)
		return -ENOMEM;
	a->ai_efd = -1;
	a->ai_depth = cfg->depth ? cfg->depth : DEV_ASYNC_DEPTH_DEFAULT;
	rc = io_setup((int)a->ai_depth + 1, &a->ai_ctx);   /* + the stop iocb */
	if (rc < 0)
		free(a);
	else
		rc = dev_aio_setup(a, cfg);             /* frees a on failure */
	if (rc < 0) {
		io->io_backend = DEV_BACKEND_DIRECT;
		io->io_ops = &dev_psync_ops;
		io->io_fallback = rc;
		return dev_psync_ops.start(io, cfg);
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&a->ai_thread, NULL, dev_aio_main, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		dev_psync_ops.stop(&a->ai_flush);
		dev_aio_free(a);
		return rc;
	}
	io->io_priv = a;
	return 0;
}

static void dev_aio_stop(struct dev_io *io)
{
	struct dev_aio *a = io->io_priv;

	dev_psync_ops.stop(&a->ai_flush);       /* drains the flushes */
	pthread_mutex_lock(&a->ai_lock);
	while (a->ai_inflight)
		pthread_cond_wait(&a->ai_idle, &a->ai_lock);
	pthread_mutex_unlock(&a->ai_lock);
	eventfd_write(a->ai_efd, 1);
	pthread_join(a->ai_thread, NULL);
	dev_aio_free(a);
	io->io_priv = NULL;
}

/* io_submit n prepared slots; those it refuses fail with its error. */
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
		if (rc == 0)
			rc = -EIO;
		for (unsigned i = done; i < n; i++)
			dev_aio_finish(s[i], rc);
		dev_aio_release(a, s + done, n - done);
		return;
	}
}

/* Take a slot for r (waiting for one when none is free, after issuing the
 * *np prepared ones) and prepare its iocb. */
static void dev_aio_prep(struct dev_aio *a, struct dev_req *r, const struct dev_bounce *bb,
			 bool bounced, struct dev_aio_slot **prep, unsigned *np)
{
	struct dev_aio_slot *s;

	pthread_mutex_lock(&a->ai_lock);
	while (a->ai_free == a->ai_depth) {
		if (*np) {
			pthread_mutex_unlock(&a->ai_lock);
			dev_aio_issue(a, prep, *np);
			*np = 0;
			pthread_mutex_lock(&a->ai_lock);
			continue;
		}
		a->ai_waiting++;
		pthread_cond_wait(&a->ai_space, &a->ai_lock);
		a->ai_waiting--;
	}
	s = &a->ai_slots[a->ai_free];
	a->ai_free = s->as_next;
	a->ai_inflight++;
	pthread_mutex_unlock(&a->ai_lock);

	s->as_req = r;
	s->as_bb = *bb;
	s->as_bounced = bounced;
	if (r->op == DEV_OP_READ)
		io_prep_pread(&s->as_iocb, r->dev->d_fd, bounced ? bb->bb_buf : r->buf,
			      bounced ? bb->bb_len : r->len, (long long)(bounced ? bb->bb_off : r->off));
	else
		io_prep_pwrite(&s->as_iocb, r->dev->d_fd, bounced ? bb->bb_buf : r->buf,
			       bounced ? bb->bb_len : r->len, (long long)(bounced ? bb->bb_off : r->off));
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
	struct dev_req *r, *next, *fhead = NULL, **ftail = &fhead;
	unsigned np = 0, nf = 0;

	for (r = head; r; r = next) {
		struct dev_bounce bb = { 0 };
		bool bounced = false;
		int rc;

		next = r->next;
		r->next = NULL;
		if (r->op == DEV_OP_FLUSH) {
			*ftail = r;
			ftail = &r->next;
			nf++;
			continue;
		}
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
	if (fhead)
		dev_psync_ops.submit(&a->ai_flush, fhead, nf);
}

const struct dev_io_ops dev_aio_ops = {
	.start  = dev_aio_start,
	.stop   = dev_aio_stop,
	.submit = dev_aio_submit,
	.help   = dev_aio_help,
};
