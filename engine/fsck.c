/*
 * fsck.c — argos_fsck(): open the members, run the phases, decide the exit code.
 *
 * Invariants:
 *  1. Every member is opened with ownership (DEV_RDWR) in every mode, so fsck
 *     never runs beside a mounted pool or another tool; a busy member ends the
 *     run with exit code 8 before anything is read.
 *  2. CHECK mode writes nothing.  PREEN fixes only what the problem table
 *     marks preen-safe; anything else found in PREEN is left uncorrected.
 *  3. Exit code: 4 if anything is left uncorrected, else 1 if anything was
 *     fixed, else 0; 8 when the check could not run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "elog.h"
#include "fsck.h"

static const struct {
	const char *code;
	bool preen;
} problems[] = {
#define x(code, preen, desc) { #code, preen },
	FSCK_PROBLEMS(x)
#undef x
};

void fsck_report(struct fsck_ctx *c, enum fsck_problem code, fsck_fix_fn fix, void *arg,
		 const char *fmt, ...)
{
	struct argos_fsck_problem p = { .code = problems[code].code };
	char msg[512];
	va_list ap;
	bool allowed = c->o->mode == ARGOS_FSCK_REPAIR ||
		       (c->o->mode == ARGOS_FSCK_PREEN && problems[code].preen);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p.message = msg;
	p.fixable = fix != NULL;
	c->res->problems++;
	if (fix && allowed) {
		int err = fix(c, arg);

		if (err == 0) {
			p.fixed = true;
			c->res->fixed++;
		} else {
			elog_err(c->o->log, "%s: repair failed: %s", problems[code].code,
				 argos_strerror(err));
		}
	}
	if (!p.fixed)
		c->res->uncorrected++;
	if (c->o->on_problem)
		c->o->on_problem(c->o->ctx, &p);
}

static int open_all(struct fsck_ctx *c, const char *const *paths)
{
	for (unsigned i = 0; i < c->n; i++) {
		char why[AD_WHY_MAX];
		int err = dev_open(paths[i], DEV_RDWR, &c->devs[i], why, sizeof(why));

		if (err == -EBUSY) {
			elog_err(c->o->log, "%s", why);
			return err;
		}
		if (err) {
			/* Unreadable: assembly reports it. */
			memset(&c->probes[i], 0, sizeof(c->probes[i]));
			c->probes[i].best = -1;
			c->probes[i].path = strdup(paths[i]);
			if (!c->probes[i].path)
				return -ENOMEM;
			c->probes[i].open_err = err;
			snprintf(c->probes[i].open_why, sizeof(c->probes[i].open_why), "%s", why);
			continue;
		}
		err = member_probe_dev(c->devs[i], c->io, &c->probes[i]);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Keep one name per storage object: a loop device and its image are one
 * member (merged quietly); the same name given twice is reported.
 */
static const char **unique_paths(struct fsck_ctx *c, const char *const *paths, unsigned n)
{
	const char **u = calloc(n ? n : 1, sizeof(*u));
	int *alias = calloc(n ? n : 1, sizeof(*alias));

	if (!u || !alias) {
		free(u);
		free(alias);
		return NULL;
	}
	paths_aliases(paths, n, alias);
	c->n = 0;
	for (unsigned i = 0; i < n; i++) {
		if (alias[i] < 0) {
			u[c->n++] = paths[i];
			continue;
		}
		if (!strcmp(paths[i], paths[alias[i]]))
			fsck_report(c, PR_0_PATH_DUPLICATE, NULL, NULL, "%s: listed twice", paths[i]);
		else
			elog_info(c->o->log, "%s and %s are the same member (a loop device and its "
				  "image)", paths[alias[i]], paths[i]);
	}
	free(alias);
	return u;
}

int argos_fsck(const char *const *paths, unsigned n, const struct argos_fsck_opts *o,
	       struct argos_fsck_result *res)
{
	struct dev_io_cfg cfg = { .backend = DEV_BACKEND_PSYNC };
	struct fsck_ctx c = { .o = o, .res = res, .n = n };
	const char **upaths = NULL;
	int err;

	memset(res, 0, sizeof(*res));
	res->exit_code = ARGOS_FSCK_ERROR;
	c.repair = o->mode == ARGOS_FSCK_REPAIR || o->mode == ARGOS_FSCK_PREEN;
	c.devs = calloc(n ? n : 1, sizeof(*c.devs));
	c.probes = calloc(n ? n : 1, sizeof(*c.probes));
	upaths = unique_paths(&c, paths, n);
	if (!c.devs || !c.probes || !upaths) {
		err = -ENOMEM;
		goto out;
	}
	err = dev_io_create(&cfg, &c.io);
	if (err)
		goto out;
	err = open_all(&c, upaths);
	if (err)
		goto out;
	if (o->on_progress)
		o->on_progress(o->ctx, "superblocks", 0, 1);
	err = assemble(c.probes, c.n, &c.a);
	if (err)
		goto out;
	err = fsck_phase_super(&c);
	if (o->on_progress && !err)
		o->on_progress(o->ctx, "superblocks", 1, 1);
	assembly_release(&c.a);
	if (err)
		goto out;
	res->exit_code = res->uncorrected ? ARGOS_FSCK_UNCORRECTED
				: res->fixed ? ARGOS_FSCK_CORRECTED : ARGOS_FSCK_OK;
out:
	for (unsigned i = 0; i < c.n && c.probes; i++)
		member_probe_release(&c.probes[i]);
	for (unsigned i = 0; i < c.n && c.devs; i++)
		if (c.devs[i])
			dev_close(c.devs[i]);
	if (c.io)
		dev_io_destroy(c.io);
	free(c.devs);
	free(c.probes);
	free(upaths);
	return err;
}
