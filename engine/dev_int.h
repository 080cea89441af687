/*
 * dev_int.h — private to the device layer (engine/dev_*.c): the layout of
 * struct dev and struct dev_io, the backend ops table, and the request
 * life-cycle helpers every backend shares.
 *
 * Request life cycle (every backend follows it, so hooks and batches behave
 * the same whatever runs the I/O):
 *
 *   dev_batch_submit ──► ops->submit(io, chain, n)      backend owns the chain
 *        backend, in the thread that executes the request:
 *          dev_req_begin(r)      validate, run the pre hook; non-zero means
 *                                r->res is already set: do not touch the device
 *          <the transfer>        psync: dev_req_transfer(); io_uring: the ring
 *          dev_req_end(r)        r->res set by the backend; runs the post hook
 *          dev_req_complete(r)   counts it into its batch; wakes the waiter.
 *                                The last touch of r: it may be freed after.
 *
 * Invariants:
 *  1. A backend's submit never fails: every request handed to it passes
 *     through dev_req_complete() exactly once (with -errno if it could not be
 *     issued).  dev_batch_submit() raised batch->inflight by n before.
 *  2. A request's next pointer belongs to the batch until submit, then to the
 *     backend (which may queue the request through it).
 *  3. struct dev is immutable after dev_open() except d_tag, d_hooks and
 *     direct mode (DEV_DIRECT in d_flags, d_dio_*), which the owner sets
 *     before any I/O (dev.h: not thread-safe).
 *  4. An asynchronous backend (io_uring, libaio) runs dev_req_begin() and
 *     dev_bounce_prepare() in the submitting thread, issues the transfer,
 *     and runs dev_bounce_finish(), dev_req_end() and dev_req_complete() in
 *     the thread that reaps the completion: a waiter (5); neither has a
 *     completion thread.
 *  5. The thread that waits for a batch first lends a hand (ops->help): a
 *     request may therefore run, or a completion be finished, in the
 *     waiting thread rather than in a backend thread.  Nothing else changes:
 *     every request still completes exactly once, through
 *     dev_req_complete().  On a loaded machine this saves a wakeup of a
 *     worker (and of the waiter) per request on the critical path.
 *     io_uring's and libaio's help do all the waiting: they reap
 *     completions (of any batch; one thread at a time) until their own
 *     batch is done.
 */
#ifndef ARGOS_DEV_INT_H
#define ARGOS_DEV_INT_H

#include <pthread.h>

#include "dev.h"

/* ---- devices -------------------------------------------------------------- */

/* No lock: see invariant 3. */
struct dev {
	int              d_fd;          /* I/O descriptor (O_EXCL for block + RDWR) */
	int              d_flags;       /* DEV_* given to dev_open(); DEV_DIRECT
					 * follows dev_set_direct() */
	uint32_t         d_dio_mem;     /* direct mode: buffer alignment */
	uint32_t         d_dio_off;     /* direct mode: offset and length alignment */
	struct dev_info  d_info;
	int              d_tag;         /* dev_set_tag() */
	struct dev_hooks d_hooks;       /* all NULL when none */
	/* Ownership beyond d_fd (DEV_RDWR only), released by dev_close(): */
	int              d_backing_fd;  /* loop device: its backing file, OFD-locked
					 * (or a backing block device held O_EXCL);
					 * -1 when none */
	int             *d_held;        /* other loop devices over the same storage,
					 * held O_EXCL */
	unsigned         d_nheld;
};

/* ---- loop devices (dev_loop.c) ---------------------------------------------- */

/* What a loop device is bound to.  Returns 0, -ENXIO when unbound, or -errno. */
struct dev_loop_backing {
	dev_t  lb_id_dev;               /* identity as struct dev_info defines it */
	ino_t  lb_id_ino;
	bool   lb_deleted;              /* sysfs path ended in " (deleted)" */
	char   lb_path[4096];           /* sysfs backing_file, suffix stripped */
};
int dev_loop_backing(int fd, dev_t rdev, struct dev_loop_backing *lb);

/* Open O_EXCL (and keep) every bound loop device other than skip_rdev whose
 * backing storage has identity (id_dev, id_ino).  On success *fds / *n hold
 * them (free with dev_loop_release); on failure nothing is held and why says
 * which loop device refused (-EBUSY when in use).  path is for messages. */
int dev_loop_hold_over(const char *path, dev_t id_dev, ino_t id_ino, dev_t skip_rdev,
		       int **fds, unsigned *n, char *why, size_t whylen);
void dev_loop_release(int *fds, unsigned n);

/* snprintf into why when why is non-NULL and whylen > 0. */
void dev_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- requests (dev_req.c) ----------------------------------------------------- */

int  dev_req_begin(struct dev_req *r);
/* pread/pwrite until done (EINTR and short transfers retried) or fdatasync;
 * returns r->len (0 for a flush) or -errno; -EIO when the device ends early. */
int  dev_req_transfer(int fd, struct dev_req *r);
void dev_req_end(struct dev_req *r);
void dev_req_complete(struct dev_req *r);
/* begin + transfer + end, in the calling thread (no batch accounting). */
void dev_req_execute(struct dev_req *r);

/* ---- direct I/O bounce buffers (dev_direct.c) ----------------------------------- */

/* The aligned transfer that stands for one request on a direct device. */
struct dev_bounce {
	void    *bb_buf;                /* dev_buf_alloc'd, NULL when not bounced */
	size_t   bb_len;                /* aligned length */
	uint64_t bb_off;                /* aligned offset */
	size_t   bb_skip;               /* r->off - bb_off */
	size_t   bb_need;               /* bytes a read must get: bb_skip + r->len */
};
/* Whether r (READ or WRITE on a direct device) needs a bounce buffer. */
bool dev_req_needs_bounce(const struct dev_req *r);
/* Set bb up for r: allocate, and for a write fill it (reading the partial
 * sectors at either end from the device first).  0 or -errno; nothing to
 * undo on failure. */
int  dev_bounce_prepare(struct dev_req *r, struct dev_bounce *bb);
/* The aligned transfer ended with res (bytes or -errno): copy a read out,
 * free the buffer; returns r's result (r->len or -errno). */
int  dev_bounce_finish(struct dev_req *r, struct dev_bounce *bb, int res);
/* pread/pwrite loop (EINTR, short transfers) for len bytes at off; a read
 * may stop at the end of the file once need bytes are in.  Bytes or -errno;
 * -EIO when the device ends early. */
ssize_t dev_xfer(int fd, uint8_t op, void *buf, size_t len, uint64_t off, size_t need);

/* The batch's waiter: allocated by the first dev_batch_submit() that hands
 * requests to a backend, freed by the dev_batch_wait() that sees inflight 0. */
struct dev_waiter {
	pthread_mutex_t w_lock;         /* protects batch->inflight, ->first_err */
	pthread_cond_t  w_done;         /* broadcast when inflight drops to 0 */
};

/* ---- engines ---------------------------------------------------------------- */

struct dev_io_ops {
	/* Set up io->io_priv from cfg.  0 or -errno (nothing left to undo). */
	int  (*start)(struct dev_io *io, const struct dev_io_cfg *cfg);
	/* Finish every request already submitted, then free io->io_priv. */
	void (*stop)(struct dev_io *io);
	/* Take n requests chained through ->next (see invariant 1). */
	void (*submit)(struct dev_io *io, struct dev_req *head, unsigned n);
	/* Optional (invariant 5): the owner of batch b, about to sleep in
	 * dev_batch_wait(), does work itself instead — runs requests of b that
	 * no worker took yet (psync).  Returns when it finds nothing more to
	 * do; never blocks waiting for the device — except io_uring's and
	 * libaio's, which reap until b is done (the waiter sleeps in the kernel
	 * instead of on its cond). */
	void (*help)(struct dev_io *io, struct dev_batch *b);
};

struct dev_io {
	enum dev_backend         io_backend;   /* running (after any fallback) */
	int                      io_fallback;  /* 0, or why the requested one did not start */
	const struct dev_io_ops *io_ops;
	void                    *io_priv;  /* the backend's state */
};

extern const struct dev_io_ops dev_psync_ops;   /* psync and direct */
extern const struct dev_io_ops dev_uring_ops;
extern const struct dev_io_ops dev_aio_ops;

/* Submit-side slots of the asynchronous backends are sized by cfg->depth. */
#define DEV_ASYNC_DEPTH_DEFAULT 256
#define DEV_ASYNC_DEPTH_MAX     4096

#endif /* ARGOS_DEV_INT_H */
