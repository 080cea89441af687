/*
 * fsck_state.c — fsck's findings about the pool's state rather than its
 * contents: space maps the store's open had to rebuild, and the errors flag.
 *
 * Space maps: a map that cannot be loaded (checksum, read error) is rebuilt
 * by every open from the checkpoint tree's references (sm_rebuild.c), so the
 * pool mounts; on disk it stays damaged until a checkpoint writes it.  fsck
 * reports each such member (PR_1_SPACEMAP_BAD); the repair reopens the store
 * read-write (which rebuilds it again) and checkpoints, writing the map whole.
 *
 * The errors flag (pool_errors.c): set by a mount that found damage it could
 * not repair.  Checked last, after every phase: set, it is a finding
 * (PR_0_ERRORS_FLAG — so fsck -n exits 4); -y/-p clear it only when nothing
 * else is left uncorrected, by writing a generation without it.
 */
#include <errno.h>
#include <stdio.h>

#include "elog.h"
#include "fsck.h"
#include "pool.h"
#include "store.h"

static int write_spacemaps(struct fsck_ctx *c, void *arg)
{
	int err = fsck_store_rw(c);

	(void)arg;
	return err ? err : store_checkpoint(&c->pool->st);
}

void fsck_check_spacemaps(struct fsck_ctx *c)
{
	const struct argos_pool *p = c->pool;
	bool rebuilt[AD_MAX_MEMBERS];
	unsigned n;

	if (!p || !p->nsm_rebuilt)
		return;
	n = p->nmembers;
	/* A repair replaces c->pool: copy what the reports need first. */
	for (unsigned i = 0; i < n; i++)
		rebuilt[i] = p->sm_rebuilt[i];
	for (unsigned i = 0; i < n; i++)
		if (rebuilt[i])
			fsck_report(c, PR_1_SPACEMAP_BAD, write_spacemaps, NULL, "member %u: the "
				    "space map cannot be loaded; rebuilt from the tree's references",
				    i);
}

static int clear_errors_flag(struct fsck_ctx *c, void *arg)
{
	struct gen_update u = { .clear_flags = AD_SBF_ERRORS };
	char why[AD_WHY_MAX] = "";
	int err = fsck_store_rw(c);

	(void)arg;
	if (err)
		return err;
	pthread_mutex_lock(&c->pool->st.ckpt_lock);
	err = pool_commit_generation(c->pool, &u, why, sizeof(why));
	pthread_mutex_unlock(&c->pool->st.ckpt_lock);
	if (err)
		elog_err(c->o->log, "clearing the errors flag: %s", why[0] ? why : argos_strerror(err));
	return err;
}

void fsck_check_errors_flag(struct fsck_ctx *c, uint32_t start_flags)
{
	if (!(start_flags & AD_SBF_ERRORS))
		return;
	if (!c->pool || c->res->uncorrected)
		fsck_report(c, PR_0_ERRORS_FLAG, NULL, NULL, "the errors flag is set (a mount found "
			    "damage it could not repair); left set: %s",
			    c->pool ? "problems remain uncorrected" : "the store cannot be opened");
	else
		fsck_report(c, PR_0_ERRORS_FLAG, clear_errors_flag, NULL, "the errors flag is set "
			    "(a mount found damage it could not repair)");
}
