/*
 * fsck_journal.c — fsck phase 1: the journal mirrors and replay.
 *
 * Checks, for the generation G assembly chose:
 *  - every present journal mirror, walked from G's head (journal_replay()
 *    without applying: read-only): a mirror whose valid chain is shorter than
 *    the longest one is reported, and repaired (-y, -p) by copying the
 *    longest chain onto it, as a read-write open does;
 *  - a pool not closed cleanly (no CLEAN flag, or a chain to replay) is
 *    reported; -y and -p replay it by opening the pool read-write and
 *    closing it (a checkpoint), after which the pool is reassembled.  With
 *    -n nothing is written: phases 2 and 3 see the replayed state in memory.
 * Missing mirrors are phase 0's (a missing member), not reported again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elog.h"
#include "fsck.h"
#include "journal.h"
#include "pool.h"

struct jstate {
	struct journal j;
	int member[AD_MAX_MIRRORS];
	struct journal_replay_report rep;
};

struct mirror_fix {
	struct jstate *js;
	unsigned mirror;
};

/* Copy the longest chain onto one mirror. */
static int fix_mirror(struct fsck_ctx *c, void *arg)
{
	struct mirror_fix *f = arg;
	struct journal_replay_report one = f->js->rep;

	(void)c;
	for (unsigned i = 0; i < one.nmirrors; i++)
		if (i != f->mirror && (int)i != one.best)
			one.mirror[i].present = false;
	return journal_repair_mirrors(&f->js->j, &one);
}

/* Replay: open read-write over our devices (replays, repairs mirrors) and close (checkpoint). */
static int fix_unclean(struct fsck_ctx *c, void *arg)
{
	struct argos_open_opts oo = { .flags = ARGOS_OPEN_DEGRADED | ARGOS_OPEN_FORCE,
				      .log = c->o->log };
	struct argos_pool *p;
	char why[256] = "";
	int err;

	(void)arg;
	err = pool_open_devs(c->devs, c->n, &oo, POOL_FSCK, &p, why, sizeof(why));
	if (err) {
		elog_err(c->o->log, "replaying the journal: %s", why[0] ? why : argos_strerror(err));
		return err;
	}
	err = argos_pool_close(p);
	if (!err)
		err = fsck_reassemble(c);
	return err;
}

static const char *stop_words(const struct journal_mirror_report *r)
{
	switch (r->stop_err) {
	case -ENOMSG: return "nothing written there";
	case -ESTALE: return "an older entry there";
	case 0: return "";
	default: return r->stop_why;
	}
}

static void check_mirrors(struct fsck_ctx *c, struct jstate *js)
{
	const struct journal_mirror_report *b = &js->rep.mirror[js->rep.best];

	for (unsigned i = 0; i < js->rep.nmirrors; i++) {
		const struct journal_mirror_report *r = &js->rep.mirror[i];
		struct mirror_fix f = { js, i };
		struct dev *d = js->j.dev[i];

		if (!r->present || r->entries >= b->entries)
			continue;
		fsck_report(c, PR_1_JOURNAL_MIRROR_BEHIND, fix_mirror, &f,
			    "%s: journal mirror of member %d holds %llu of the %llu entries from "
			    "sequence %llu (its chain ends at offset %llu: %s)",
			    d ? dev_get_info(d)->path : "?", r->member,
			    (unsigned long long)r->entries, (unsigned long long)b->entries,
			    (unsigned long long)js->j.head_seq, (unsigned long long)r->end_off,
			    stop_words(r));
	}
}

int fsck_phase_journal(struct fsck_ctx *c)
{
	struct argos_open_opts oo = { .flags = ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED,
				      .log = c->o->log };
	const struct ad_super *g = &c->a.sb;
	struct jstate *js = calloc(1, sizeof(*js));
	struct argos_pool *p = NULL;
	char why[256] = "";
	uint64_t entries;
	unsigned nm = 0;
	bool clean;
	int err;

	if (!js)
		return -ENOMEM;
	/* The journal as an open would set it up, over our devices. */
	err = pool_open_devs(c->devs, c->n, &oo, POOL_NOSTORE, &p, why, sizeof(why));
	if (!err)
		err = pool_journal_init(p, &js->j, NULL, js->member, &nm, why, sizeof(why));
	if (err == -ENODEV) {
		/* Every mirror missing: phase 0 said so; the store cannot open. */
		err = 0;
		goto out;
	}
	fsck_progress(c, "journal", 0, nm);
	if (!err)
		err = journal_replay(&js->j, js->member, NULL, NULL, &js->rep);
	if (err) {
		elog_err(c->o->log, "walking the journal mirrors: %s",
			 why[0] ? why : argos_strerror(err));
		goto out;
	}
	fsck_progress(c, "journal", nm, nm);
	check_mirrors(c, js);
	entries = js->rep.mirror[js->rep.best].entries;
	clean = g->state_flags & AD_SBF_CLEAN;
	if (!clean || entries) {
		char what[160];

		if (entries)
			snprintf(what, sizeof(what), "the journal holds %llu entries from sequence "
				 "%llu to replay", (unsigned long long)entries,
				 (unsigned long long)g->journal_head_seq);
		else
			snprintf(what, sizeof(what), "no journal entries to replay");
		fsck_report(c, PR_1_UNCLEAN, fix_unclean, NULL,
			    "the pool was %s: %s%s", clean ? "marked clean" : "not closed cleanly",
			    what, c->o->mode == ARGOS_FSCK_CHECK && entries
			    ? " (checked as replayed, in memory)" : "");
	}
out:
	journal_destroy(&js->j);
	free(js);
	if (p)
		argos_pool_close(p);
	return err;
}
