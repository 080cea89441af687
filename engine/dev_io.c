/*
 * dev_io.c — I/O engines: creating and destroying one (struct dev_io) and
 * choosing its backend's ops table (dev_int.h).  A new backend adds its ops
 * to dev_io_ops_of() and nothing else changes: batches, hooks and completion
 * are shared (dev_batch.c, dev_req.c).
 *
 * Invariants:
 *  1. struct dev_io changes only in dev_io_create() and dev_io_switch()
 *     (idle engine, one thread); its backend state (io_priv) has its own
 *     locking.
 *  2. dev_io_destroy() returns only after every request submitted through
 *     the engine completed and every backend thread is gone.
 *  3. A backend whose kernel interface is refused (io_uring, libaio) starts
 *     psync in its place from its own start(), setting io_backend and
 *     io_fallback: callers see a working engine and can say why.
 */
#include <errno.h>
#include <stdlib.h>

#include "dev_int.h"

static const char *const dev_backend_names[] = {
	[DEV_BACKEND_PSYNC]  = "psync",
	[DEV_BACKEND_DIRECT] = "direct",
	[DEV_BACKEND_URING]  = "io_uring",
	[DEV_BACKEND_AIO]    = "libaio",
};

const char *dev_backend_name(enum dev_backend b)
{
	if ((unsigned)b < sizeof dev_backend_names / sizeof dev_backend_names[0] &&
	    dev_backend_names[b])
		return dev_backend_names[b];
	return "unknown";
}

/* The ops of a backend, or NULL with -EINVAL. */
static const struct dev_io_ops *dev_io_ops_of(enum dev_backend b, int *rc)
{
	switch (b) {
	case DEV_BACKEND_PSYNC:
	case DEV_BACKEND_DIRECT:
		return &dev_psync_ops;
	case DEV_BACKEND_URING:
		return &dev_uring_ops;
	case DEV_BACKEND_AIO:
		return &dev_aio_ops;
	}
	*rc = -EINVAL;
	return NULL;
}

bool dev_backend_wants_direct(enum dev_backend b)
{
	return b == DEV_BACKEND_DIRECT || b == DEV_BACKEND_AIO;
}

static const struct dev_io_cfg dev_io_dflt = { .backend = DEV_BACKEND_PSYNC };

/* Start cfg's backend into io (ops, backend, priv); 0 or -errno. */
static int dev_io_start(struct dev_io *io, const struct dev_io_cfg *cfg)
{
	const struct dev_io_ops *ops;
	int rc = 0;

	ops = dev_io_ops_of(cfg->backend, &rc);
	if (!ops)
		return rc;
	if (cfg->depth > DEV_ASYNC_DEPTH_MAX)
		return -EINVAL;
	io->io_backend = cfg->backend;
	io->io_fallback = 0;
	io->io_ops = ops;
	io->io_priv = NULL;
	return ops->start(io, cfg);     /* may switch io to psync (invariant 3) */
}

int dev_io_create(const struct dev_io_cfg *cfg, struct dev_io **out)
{
	struct dev_io *io;
	int rc;

	*out = NULL;
	io = calloc(1, sizeof *io);
	if (!io)
		return -ENOMEM;
	rc = dev_io_start(io, cfg ? cfg : &dev_io_dflt);
	if (rc < 0) {
		free(io);
		return rc;
	}
	*out = io;
	return 0;
}

int dev_io_switch(struct dev_io *io, const struct dev_io_cfg *cfg)
{
	struct dev_io next;
	int rc;

	rc = dev_io_start(&next, cfg ? cfg : &dev_io_dflt);
	if (rc < 0)
		return rc;
	io->io_ops->stop(io);
	*io = next;
	return 0;
}

void dev_io_destroy(struct dev_io *io)
{
	if (!io)
		return;
	io->io_ops->stop(io);
	free(io);
}

enum dev_backend dev_io_backend(const struct dev_io *io)
{
	return io->io_backend;
}

int dev_io_fallback(const struct dev_io *io)
{
	return io->io_fallback;
}
