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
 *  4. Phases 1-3 run only on a pool that assembled and is not failed.  The
 *     store they look at is a pool opened over fsck's own devices
 *     (pool_open_devs), read-only; it is reopened read-write only when a
 *     repair needs a transaction, and closed (a checkpoint, clean) at the end.
 *
 * Order: open and probe every path -> assemble -> phase 0 -> (reassemble if
 * phase 0 repaired) -> phase 1 (a replay reassembles) -> open the store ->
 * (space maps it rebuilt) -> phase 2 -> phase 3 -> [phase 4 -> phase 5,
 * unless the pool was clean at the start and -f was not given] -> the errors
 * flag (fsck_state.c) -> close the store -> exit code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad_crc.h"
#include "discover.h"
#include "elog.h"
#include "fsck.h"
#include "holder.h"
#include "pool.h"
#include "store.h"

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

/* Undo open_all's first n opens (to try again). */
static void close_opened(struct fsck_ctx *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		member_probe_release(&c->probes[i]);
		if (c->devs[i])
			dev_close(c->devs[i]);
		c->devs[i] = NULL;
	}
}

static int open_all(struct fsck_ctx *c, const char *const *paths)
{
	struct holder_wait w;

	holder_wait_init(&w, c->o->busy_wait_ms);
	for (unsigned i = 0; i < c->n; i++) {
		char why[AD_WHY_MAX], msg[AD_WHY_MAX + 600];
		int err = dev_open(paths[i], DEV_RDWR, &c->devs[i], why, sizeof(why));

		if (err == -EBUSY) {
			/* Mounted: refuse.  Being let go after umount: wait, bounded. */
			close_opened(c, i);
			err = holder_wait(&w, paths, c->n, c->o->log, why, msg, sizeof(msg));
			if (!err) {
				i = (unsigned)-1;   /* again from the first */
				continue;
			}
			elog_err(c->o->log, "%s", msg);
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

void fsck_progress(struct fsck_ctx *c, const char *phase, uint64_t done, uint64_t total)
{
	if (c->o->on_progress)
		c->o->on_progress(c->o->ctx, phase, done, total);
}

struct dev *fsck_member_dev(struct fsck_ctx *c, unsigned e)
{
	const struct asm_entry *en;

	if (!c->assembled || e >= c->a.sb.member_count)
		return NULL;
	en = &c->a.entry[e];
	if (en->status != ARGOS_MEMBER_ONLINE || en->probe < 0)
		return NULL;
	return c->devs[en->probe];
}

const struct ad_super *fsck_member_sb(struct fsck_ctx *c, unsigned e)
{
	const struct sb_copy *best;

	if (!fsck_member_dev(c, e))
		return NULL;
	best = member_best(&c->probes[c->a.entry[e].probe]);
	return best ? &best->sb : NULL;
}

int fsck_reassemble(struct fsck_ctx *c)
{
	int err;

	if (c->assembled)
		assembly_release(&c->a);
	c->assembled = false;
	for (unsigned i = 0; i < c->n; i++) {
		if (!c->devs[i])
			continue;   /* unreadable: its probe records why */
		member_probe_release(&c->probes[i]);
		err = member_probe_dev(c->devs[i], c->io, &c->probes[i]);
		if (err)
			return err;
	}
	err = assemble(c->probes, c->n, &c->a);
	if (err)
		return err;
	c->assembled = true;
	c->seed = ad_format_seed(c->a.sb.format_id);
	return 0;
}

/* Open the store over our devices; rw only for a repair. */
static int store_open(struct fsck_ctx *c, bool rw, char *why, size_t whylen)
{
	struct argos_log quiet = { 0 };
	struct argos_open_opts oo = { .flags = ARGOS_OPEN_DEGRADED | ARGOS_OPEN_FORCE };

	if (c->o->log) {
		/* What the read-only store meets (bad mirrors, lost pages) is reported
		 * as findings; a repair's errors are worth saying. */
		quiet = *c->o->log;
		if (quiet.max_level > ARGOS_LOG_ERR)
			quiet.max_level = rw ? ARGOS_LOG_ERR : ARGOS_LOG_ERR - 1;
		oo.log = &quiet;
	}
	if (!rw)
		oo.flags |= ARGOS_OPEN_RDONLY;
	return pool_open_devs(c->devs, c->n, &oo, POOL_FSCK, &c->pool, why, whylen);
}

static int store_close(struct fsck_ctx *c)
{
	int err = c->pool ? argos_pool_close(c->pool) : 0;

	c->pool = NULL;
	c->pool_rw = false;
	return err;
}

int fsck_store_rw(struct fsck_ctx *c)
{
	char why[256] = "";
	int err;

	if (c->pool && c->pool_rw)
		return 0;
	store_close(c);
	err = store_open(c, true, why, sizeof(why));
	if (err) {
		elog_err(c->o->log, "cannot open the pool read-write to repair it: %s",
			 why[0] ? why : argos_strerror(err));
		return err;
	}
	c->pool_rw = true;
	return 0;
}

bool fsck_key_lost(const struct fsck_ctx *c, const struct ad_key *k)
{
	for (size_t i = 0; i < c->nlost; i++) {
		const struct fsck_lost *l = &c->lost[i];

		if ((!l->has_lo || ad_key_cmp(k, &l->lo) >= 0) &&
		    (!l->has_hi || ad_key_cmp(k, &l->hi) < 0))
			return true;
	}
	return false;
}

struct next_arg {
	struct ad_key from, out;
	bool inclusive;
	size_t len;
	uint8_t val[AD_ITEM_MAX];
};

static int next_item(struct txn *t, void *arg)
{
	struct next_arg *a = arg;

	return txn_next(t, &a->from, a->inclusive, &a->out, a->val, sizeof(a->val), &a->len);
}

/* Where iteration goes on after a subtree that cannot be read: the end of
 * the first lost range past `from`.  false when none (or it runs to the end). */
static bool resume_after(const struct fsck_ctx *c, const struct ad_key *from, struct ad_key *at)
{
	const struct fsck_lost *best = NULL;

	for (size_t i = 0; i < c->nlost; i++) {
		const struct fsck_lost *l = &c->lost[i];

		if (l->has_hi && ad_key_cmp(&l->hi, from) <= 0)
			continue;   /* wholly before from */
		if (!best || (!l->has_lo && best->has_lo) ||
		    (l->has_lo && best->has_lo && ad_key_cmp(&l->lo, &best->lo) < 0))
			best = l;
	}
	if (!best || !best->has_hi)
		return false;
	*at = best->hi;
	return true;
}

int fsck_items(struct fsck_ctx *c, fsck_item_fn fn, void *arg)
{
	struct next_arg *a = calloc(1, sizeof(*a));
	int err;

	if (!a)
		return -ENOMEM;
	a->inclusive = true;
	for (;;) {
		err = store_read(&c->pool->st, next_item, a);
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		if (err) {
			/* A page phase 2 found lost: go on after its subtree. */
			if (!resume_after(c, &a->from, &a->from)) {
				if (!c->nlost)
					break;   /* an error phase 2 did not see: report it */
				err = 0;
				break;
			}
			a->inclusive = true;
			continue;
		}
		err = fn(c, &a->out, a->val, a->len, arg);
		if (err)
			break;
		a->from = a->out;
		a->inclusive = false;
	}
	free(a);
	return err;
}

/*
 * Phases 4-5 (namespace, data scrub) run on a pool that was not marked clean
 * when fsck started (or had its errors flag set), or when forced (-f).
 */
static bool deep_wanted(const struct fsck_ctx *c, uint32_t start_flags)
{
	return c->o->force || !(start_flags & AD_SBF_CLEAN) || (start_flags & AD_SBF_ERRORS);
}

/* Phases 1-5, on a pool that assembled. */
static int run_store_phases(struct fsck_ctx *c)
{
	uint32_t start_flags = c->a.sb.state_flags;   /* before a replay marks it clean */
	char why[256] = "";
	int err;

	err = fsck_phase_journal(c);
	if (err)
		return err;
	err = store_open(c, false, why, sizeof(why));
	if (err == -ENOMEM)
		return err;
	if (err)
		fsck_report(c, PR_1_STORE_OPEN, NULL, NULL, "%s; the items and the space maps "
			    "are not checked", why[0] ? why : argos_strerror(err));
	fsck_check_spacemaps(c);
	err = fsck_phase_tree(c);
	if (!err && c->pool)
		err = fsck_phase_alloc(c);
	if (!err && c->pool && !deep_wanted(c, start_flags))
		c->res->skipped_clean = true;
	else if (!err && c->pool)
		err = fsck_phase_ns(c);
	if (!err && c->pool && !c->res->skipped_clean)
		err = fsck_phase_data(c);
	if (!err)
		fsck_check_errors_flag(c, start_flags);
	if (c->pool) {
		int e = store_close(c);

		if (e)
			elog_err(c->o->log, "closing the pool after repairs failed: %s",
				 argos_strerror(e));
		if (!err)
			err = e;
	}
	return err;
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
	fsck_progress(&c, "superblocks", 0, 1);
	err = assemble(c.probes, c.n, &c.a);
	if (err)
		goto out;
	c.assembled = true;
	if (c.a.found) {
		/* A read-only mount takes no ownership of the members: ask the mount table. */
		char mnt[512];

		if (holder_mountpoint(c.a.sb.pool_uuid, mnt, sizeof(mnt)) == 0) {
			elog_err(o->log, "the pool is mounted on %s: unmount it first", mnt);
			err = -EBUSY;
			goto out;
		}
	}
	c.seed = ad_format_seed(c.a.sb.format_id);
	err = fsck_phase_super(&c);
	if (err)
		goto out;
	fsck_progress(&c, "superblocks", 1, 1);
	if (res->fixed)
		err = fsck_reassemble(&c);   /* phase 0 rewrote superblocks */
	if (!err && c.a.found && c.a.health != ARGOS_POOL_FAILED)
		err = run_store_phases(&c);
	if (err)
		goto out;
	res->exit_code = res->uncorrected ? ARGOS_FSCK_UNCORRECTED
				: res->fixed ? ARGOS_FSCK_CORRECTED : ARGOS_FSCK_OK;
out:
	store_close(&c);
	if (c.assembled)
		assembly_release(&c.a);
	u64set_free(&c.seen);
	fsck_refs_free(&c.refs);
	free(c.lost);
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
