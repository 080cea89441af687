/*
 * dev_psync.c — the psync backend: a pool of worker threads taking requests
 * from one FIFO queue and doing pread / pwrite / fdatasync.  The direct
 * backend is the same pool over devices in direct mode (dev_req_transfer
 * bounces what O_DIRECT cannot take), and libaio runs its flushes on one.
 *
 * Invariants:
 *  1. Workers run with every signal blocked, so signals reach the
 *     application's own threads, never an I/O worker in the middle of a
 *     request.  (Requests the waiter runs, invariant 5, run under its own
 *     mask: dev_xfer and fdatasync retry EINTR.)
 *  2. A worker exits only when stop is set and the queue is empty: stop
 *     drains what was submitted before it (each request still completes
 *     exactly once), then joins every worker.
 *  3. A worker holds the queue lock only to take a request, never across
 *     the I/O or the hooks.
 *  4. Submit wakes at most n - 1 sleeping workers for n queued requests
 *     (the batch's waiter runs one, invariant 5), and none that another
 *     submit already woke (ps_woken): a worker that is busy takes the next
 *     request when it is done, without a wakeup, so a batch of n requests
 *     costs at most n - 1 wakeups whatever the pool size, and a batch of one
 *     (dev_pread, dev_flush) none: it runs in the caller.
 *  5. The thread waiting for a batch takes that batch's requests from the
 *     queue and runs them itself until none is left (dev_psync_help): the
 *     workers woken for them run the others in parallel, but the waiter never
 *     sleeps while one of its requests waits for a worker to be scheduled.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "dev_int.h"

#define DEV_PSYNC_THREADS_DEFAULT 8
#define DEV_PSYNC_THREADS_MAX     1024

struct dev_psync {
	pthread_mutex_t ps_lock;        /* protects the fields up to ps_stop */
	pthread_cond_t  ps_work;        /* requests queued, or stop set */
	struct dev_req *ps_head, *ps_tail;
	unsigned        ps_idle;        /* workers waiting on ps_work */
	unsigned        ps_woken;       /* of those, signalled and not yet running */
	bool            ps_stop;
	unsigned        ps_nthreads;    /* immutable once started */
	pthread_t      *ps_threads;
};

static void *dev_psync_worker(void *arg)
{
	struct dev_psync *ps = arg;
	struct dev_req *r;

	for (;;) {
		pthread_mutex_lock(&ps->ps_lock);
		while (!ps->ps_head && !ps->ps_stop) {
			ps->ps_idle++;
			pthread_cond_wait(&ps->ps_work, &ps->ps_lock);
			ps->ps_idle--;
			if (ps->ps_woken)
				ps->ps_woken--;
		}
		r = ps->ps_head;
		if (r) {
			ps->ps_head = r->next;
			if (!ps->ps_head)
				ps->ps_tail = NULL;
		}
		pthread_mutex_unlock(&ps->ps_lock);
		if (!r)
			break;                  /* stopped and drained */
		r->next = NULL;
		dev_req_execute(r);
		dev_req_complete(r);
	}
	return NULL;
}

/* Ask the workers to finish the queue, join them, free everything. */
static void dev_psync_free(struct dev_psync *ps)
{
	pthread_mutex_lock(&ps->ps_lock);
	ps->ps_stop = true;
	pthread_cond_broadcast(&ps->ps_work);
	pthread_mutex_unlock(&ps->ps_lock);
	for (unsigned i = 0; i < ps->ps_nthreads; i++)
		pthread_join(ps->ps_threads[i], NULL);
	pthread_cond_destroy(&ps->ps_work);
	pthread_mutex_destroy(&ps->ps_lock);
	free(ps->ps_threads);
	free(ps);
}

static int dev_psync_start(struct dev_io *io, const struct dev_io_cfg *cfg)
{
	unsigned want = cfg->threads ? cfg->threads : DEV_PSYNC_THREADS_DEFAULT;
	struct dev_psync *ps;
	sigset_t all, old;
	int rc;

	if (want > DEV_PSYNC_THREADS_MAX)
		return -EINVAL;
	ps = calloc(1, sizeof *ps);
	if (!ps)
		return -ENOMEM;
	ps->ps_threads = calloc(want, sizeof *ps->ps_threads);
	if (!ps->ps_threads) {
		free(ps);
		return -ENOMEM;
	}
	rc = -pthread_mutex_init(&ps->ps_lock, NULL);
	if (rc < 0)
		goto err_threads;
	rc = -pthread_cond_init(&ps->ps_work, NULL);
	if (rc < 0)
		goto err_mutex;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);       /* inherited by workers */
	for (; ps->ps_nthreads < want; ps->ps_nthreads++) {
		rc = -pthread_create(&ps->ps_threads[ps->ps_nthreads], NULL,
				     dev_psync_worker, ps);
		if (rc < 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		dev_psync_free(ps);             /* joins the ones started */
		return rc;
	}
	io->io_priv = ps;
	return 0;

err_mutex:
	pthread_mutex_destroy(&ps->ps_lock);
err_threads:
	free(ps->ps_threads);
	free(ps);
	return rc;
}

static void dev_psync_stop(struct dev_io *io)
{
	dev_psync_free(io->io_priv);
	io->io_priv = NULL;
}

static void dev_psync_submit(struct dev_io *io, struct dev_req *head, unsigned n)
{
	struct dev_psync *ps = io->io_priv;
	struct dev_req *tail = head;
	unsigned wake;

	while (tail->next)
		tail = tail->next;
	pthread_mutex_lock(&ps->ps_lock);
	if (ps->ps_tail)
		ps->ps_tail->next = head;
	else
		ps->ps_head = head;
	ps->ps_tail = tail;
	/* n - 1: the waiter runs one itself (invariant 5) */
	wake = ps->ps_idle > ps->ps_woken ? ps->ps_idle - ps->ps_woken : 0;
	if (wake > n - 1)
		wake = n - 1;
	ps->ps_woken += wake;
	while (wake--)
		pthread_cond_signal(&ps->ps_work);
	pthread_mutex_unlock(&ps->ps_lock);
}

/* Unlink and return the first queued request of batch b, or NULL (lock held). */
static struct dev_req *dev_psync_take(struct dev_psync *ps, const struct dev_batch *b)
{
	struct dev_req *r, *prev = NULL;

	for (r = ps->ps_head; r && r->batch != b; r = r->next)
		prev = r;
	if (!r)
		return NULL;
	if (prev)
		prev->next = r->next;
	else
		ps->ps_head = r->next;
	if (ps->ps_tail == r)
		ps->ps_tail = prev;
	r->next = NULL;
	return r;
}

static void dev_psync_help(struct dev_io *io, struct dev_batch *b)
{
	struct dev_psync *ps = io->io_priv;
	struct dev_req *r;

	for (;;) {
		pthread_mutex_lock(&ps->ps_lock);
		r = dev_psync_take(ps, b);
		pthread_mutex_unlock(&ps->ps_lock);
		if (!r)
			return;
		dev_req_execute(r);
		dev_req_complete(r);
	}
}

const struct dev_io_ops dev_psync_ops = {
	.start  = dev_psync_start,
	.stop   = dev_psync_stop,
	.submit = dev_psync_submit,
	.help   = dev_psync_help,
};
