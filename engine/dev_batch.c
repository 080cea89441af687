/*
 * dev_batch.c — batches (init, add, submit, wait, run) and the synchronous
 * helpers dev_pread / dev_pwrite / dev_flush built on a batch of one.
 *
 * A batch belongs to one thread: only that thread adds, submits and waits.
 * Completions arrive from the backend's threads and meet the owner through
 * the batch's waiter (struct dev_waiter, dev_int.h).
 *
 * States of a batch:
 *   IDLE (no waiter) ──dev_batch_submit──► IN FLIGHT (waiter, inflight ≥ 0)
 *   IN FLIGHT ──dev_batch_submit──► IN FLIGHT    (more requests, same waiter)
 *   IN FLIGHT ──dev_batch_wait (inflight reaches 0)──► IDLE (waiter freed)
 *
 * Invariants:
 *  1. batch->inflight is raised (under the waiter's lock) before the
 *     requests reach the backend, so it cannot drop to 0 early.
 *  2. first_err is sticky: the first failure since dev_batch_init().
 *  3. Without an engine (io == NULL) submit executes every request inline in
 *     the caller, hooks included, and no waiter is allocated.
 *  4. Each submitted request completes exactly once, also when submit
 *     fails for want of memory (res = -ENOMEM, hooks not run).
 *  5. dev_batch_wait() lets the backend's help op work in the waiting
 *     thread before it sleeps (dev_int.h invariant 5).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev_int.h"

static struct dev_waiter *dev_waiter_new(void)
{
	struct dev_waiter *w = malloc(sizeof *w);

	if (!w)
		return NULL;
	if (pthread_mutex_init(&w->w_lock, NULL) != 0)
		goto err_free;
	if (pthread_cond_init(&w->w_done, NULL) != 0)
		goto err_mutex;
	return w;
err_mutex:
	pthread_mutex_destroy(&w->w_lock);
err_free:
	free(w);
	return NULL;
}

static void dev_waiter_free(struct dev_waiter *w)
{
	pthread_cond_destroy(&w->w_done);
	pthread_mutex_destroy(&w->w_lock);
	free(w);
}

void dev_batch_init(struct dev_batch *b, struct dev_io *io)
{
	memset(b, 0, sizeof *b);
	b->io = io;
}

void dev_batch_add(struct dev_batch *b, struct dev_req *r)
{
	r->batch = b;
	r->next = NULL;
	r->res = 0;
	if (b->tail)
		b->tail->next = r;
	else
		b->head = r;
	b->tail = r;
	b->queued++;
}

static void dev_batch_note(struct dev_batch *b, int res)
{
	if (res < 0 && b->first_err == 0)
		b->first_err = res;
}

int dev_batch_submit(struct dev_batch *b)
{
	struct dev_req *head = b->head, *r, *next;
	struct dev_waiter *w = b->waiter;
	unsigned n = b->queued;

	if (!head)
		return 0;
	b->head = b->tail = NULL;
	b->queued = 0;

	if (!b->io) {
		for (r = head; r; r = next) {
			next = r->next;
			dev_req_execute(r);
			dev_batch_note(b, r->res);
		}
		return 0;
	}
	if (!w) {
		w = dev_waiter_new();
		if (!w) {
			for (r = head; r; r = r->next)
				r->res = -ENOMEM;
			dev_batch_note(b, -ENOMEM);
			return -ENOMEM;
		}
		b->waiter = w;
	}
	pthread_mutex_lock(&w->w_lock);
	b->inflight += n;
	pthread_mutex_unlock(&w->w_lock);
	b->io->io_ops->submit(b->io, head, n);
	return 0;
}

int dev_batch_wait(struct dev_batch *b)
{
	struct dev_waiter *w = b->waiter;
	int err;

	if (!w)
		return b->first_err;
	if (b->io->io_ops->help)
		b->io->io_ops->help(b->io, b);  /* dev_int.h invariant 5 */
	pthread_mutex_lock(&w->w_lock);
	while (b->inflight > 0)
		pthread_cond_wait(&w->w_done, &w->w_lock);
	err = b->first_err;
	pthread_mutex_unlock(&w->w_lock);
	b->waiter = NULL;
	dev_waiter_free(w);
	return err;
}

int dev_batch_run(struct dev_batch *b)
{
	dev_batch_submit(b);            /* a failure is in first_err too */
	return dev_batch_wait(b);
}

/* One request through io (or inline); its res. */
static int dev_sync_one(struct dev_io *io, struct dev_req *r)
{
	struct dev_batch b;

	dev_batch_init(&b, io);
	dev_batch_add(&b, r);
	dev_batch_run(&b);
	return r->res < 0 ? r->res : 0;
}

int dev_pread(struct dev_io *io, struct dev *d, void *buf, size_t len, uint64_t off)
{
	struct dev_req r;

	dev_req_read(&r, d, buf, len, off);
	return dev_sync_one(io, &r);
}

int dev_pwrite(struct dev_io *io, struct dev *d, const void *buf, size_t len, uint64_t off)
{
	struct dev_req r;

	dev_req_write(&r, d, buf, len, off);
	return dev_sync_one(io, &r);
}

int dev_flush(struct dev_io *io, struct dev *d)
{
	struct dev_req r;

	dev_req_flush(&r, d);
	return dev_sync_one(io, &r);
}
