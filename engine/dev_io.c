/*
 * dev_io.c — I/O engines: creating and destroying one (struct dev_io) and
 * choosing its backend's ops table (dev_int.h).  A new backend adds its ops
 * to dev_io_ops_of() and nothing else changes: batches, hooks and completion
 * are shared (dev_batch.c, dev_req.c).
 *
 * Invariants:
 *  1. struct dev_io is immutable after dev_io_create(); its backend state
 *     (io_priv) has its own locking.
 *  2. dev_io_destroy() returns only after every request submitted through
 *     the engine completed and every backend thread is gone.
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

/* The ops of a backend: NULL with -ENOTSUP (known, not built yet) or -EINVAL. */
static const struct dev_io_ops *dev_io_ops_of(enum dev_backend b, int *rc)
{
	switch (b) {
	case DEV_BACKEND_PSYNC:
		return &dev_psync_ops;
	case DEV_BACKEND_DIRECT:
	case DEV_BACKEND_URING:
	case DEV_BACKEND_AIO:
		*rc = -ENOTSUP;
		return NULL;
	}
	*rc = -EINVAL;
	return NULL;
}

int dev_io_create(const struct dev_io_cfg *cfg, struct dev_io **out)
{
	static const struct dev_io_cfg dflt = { .backend = DEV_BACKEND_PSYNC };
	const struct dev_io_ops *ops;
	struct dev_io *io;
	int rc = 0;

	*out = NULL;
	if (!cfg)
		cfg = &dflt;
	ops = dev_io_ops_of(cfg->backend, &rc);
	if (!ops)
		return rc;
	io = calloc(1, sizeof *io);
	if (!io)
		return -ENOMEM;
	io->io_backend = cfg->backend;
	io->io_ops = ops;
	rc = ops->start(io, cfg);
	if (rc < 0) {
		free(io);
		return rc;
	}
	*out = io;
	return 0;
}

void dev_io_destroy(struct dev_io *io)
{
	if (!io)
		return;
	io->io_ops->stop(io);
	free(io);
}
