/*
 * pool_io.c — the pool's I/O mode: the "io" pool property (psync, direct,
 * uring, aio), kept as a property item in the metadata tree, loaded at open
 * and applied to the pool's engine (dev_io_switch) and members
 * (dev_set_direct); argos_open_opts.io overrides it for one open.
 *
 * Invariants:
 *  1. The engine is switched only where nothing else uses it: in
 *     pool_io_apply(), called by the opening thread after the store is
 *     loaded and before any other thread of the pool (background thread,
 *     callers) exists.  argos_pool_set_io_mode() therefore only records the
 *     property: it takes effect at the next open.
 *  2. Members are put in direct mode only for the backends that want it
 *     (dev_backend_wants_direct) and only for devices the pool owns (not
 *     pool_open_devs' borrowed ones); a member that refuses stays buffered,
 *     with a warning (I/O on it still works: psync or synchronous libaio).
 *  3. An engine that falls back (io_uring refused by the kernel) keeps
 *     running its fallback; the open logs a notice that says why.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "ad_prop.h"     /* AD_PROP_VALUE_MAX */
#include "elog.h"
#include "pool.h"

static const struct {
	const char *name;          /* canonical: what the property stores */
	const char *alias;         /* also accepted */
	enum dev_backend b;
} io_modes[] = {
	{ "psync",  NULL,       DEV_BACKEND_PSYNC },
	{ "direct", NULL,       DEV_BACKEND_DIRECT },
	{ "uring",  "io_uring", DEV_BACKEND_URING },
	{ "aio",    "libaio",   DEV_BACKEND_AIO },
};

int argos_io_mode_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(io_modes) / sizeof(io_modes[0]); i++)
		if (!strcmp(s, io_modes[i].name) || (io_modes[i].alias && !strcmp(s, io_modes[i].alias)))
			return (int)io_modes[i].b;
	return -EINVAL;
}

const char *argos_io_mode_name(int mode)
{
	for (size_t i = 0; i < sizeof(io_modes) / sizeof(io_modes[0]); i++)
		if ((int)io_modes[i].b == mode)
			return io_modes[i].name;
	return "unknown";
}

/* ---- the io property -------------------------------------------------------- */

int argos_pool_set_io_mode(argos_pool *p, const char *mode, char *why, size_t whylen)
{
	int b = argos_io_mode_parse(mode), err;

	if (b < 0)
		return ewhy(why, whylen, -EINVAL, "%s: not an I/O mode (psync, direct, uring, aio)",
			    mode ? mode : "(null)");
	err = pool_prop_set(p, "io", argos_io_mode_name(b));
	if (err)
		return ewhy(why, whylen, err, "setting the io property: %s", argos_strerror(err));
	p->io_prop = b;
	return 0;
}

/* Members into (or out of) direct mode for backend b; see invariant 2. */
static void pool_io_direct(struct argos_pool *p, enum dev_backend b)
{
	bool want = dev_backend_wants_direct(b);

	for (unsigned i = 0; i < p->nmembers; i++) {
		struct dev *d = p->m[i].dev;
		char why[AD_WHY_MAX] = "";

		if (!d || dev_is_direct(d) == want)
			continue;
		if (dev_set_direct(d, want, why, sizeof(why)))
			elog_warn(&p->log, "member %u: %s; it stays buffered (io=%s)", i,
				  why[0] ? why : "direct I/O refused", argos_io_mode_name((int)b));
	}
}

int pool_io_apply(struct argos_pool *p, const struct argos_open_opts *o, char *why,
		  size_t whylen)
{
	struct dev_io_cfg cfg = { 0 };
	char val[AD_PROP_VALUE_MAX + 1];
	const char *from = "pool property";
	int b = DEV_BACKEND_PSYNC, err;

	err = pool_prop_get(p, "io", val, sizeof(val));
	if (err == 0) {
		p->io_prop = argos_io_mode_parse(val);
		if (p->io_prop < 0) {
			elog_warn(&p->log, "pool property io=%s is not an I/O mode this version "
				  "knows; using psync", val);
			p->io_prop = 0;
		}
	} else if (err == -EIO) {
		elog_warn(&p->log, "pool property io is damaged; using psync (fsck -f -y deletes "
			  "the item)");
	} else if (err != -ENOENT) {
		return ewhy(why, whylen, err, "reading the io property: %s", argos_strerror(err));
	}
	if (p->io_prop > 0)
		b = p->io_prop;
	if (o && o->io && o->io[0]) {
		b = argos_io_mode_parse(o->io);
		if (b < 0)
			return ewhy(why, whylen, -EINVAL, "io=%s: not an I/O mode (psync, direct, "
				    "uring, aio)", o->io);
		from = "open option";
	}
	if (b == (int)dev_io_backend(p->io) && b == DEV_BACKEND_PSYNC)
		return 0;
	cfg.backend = (enum dev_backend)b;
	err = dev_io_switch(p->io, &cfg);
	if (err)
		return ewhy(why, whylen, err, "starting the %s I/O backend: %s",
			    argos_io_mode_name(b), argos_strerror(err));
	if (dev_io_fallback(p->io))
		elog_notice(&p->log, "io=%s (%s) refused by the kernel (%s): using %s instead",
			    argos_io_mode_name(b), from, argos_strerror(dev_io_fallback(p->io)),
			    argos_io_mode_name((int)dev_io_backend(p->io)));
	else
		elog_info(&p->log, "I/O mode %s (%s)", argos_io_mode_name(b), from);
	if (!p->borrowed)
		pool_io_direct(p, dev_io_backend(p->io));
	return 0;
}

void pool_io_status(struct argos_pool *p, struct argos_pool_status *s)
{
	snprintf(s->io, sizeof(s->io), "%s", argos_io_mode_name((int)dev_io_backend(p->io)));
	snprintf(s->io_prop, sizeof(s->io_prop), "%s",
		 p->io_prop > 0 ? argos_io_mode_name(p->io_prop) : "");
	s->io_fallback = dev_io_fallback(p->io);
}
