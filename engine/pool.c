/*
 * pool.c — opening and closing pools; superblock generations of an open pool.
 *
 * Open (argos_pool_open):
 *   1. open every path (exclusively unless read-only) and probe it;
 *   2. assemble; refuse a failed pool, a degraded one without the flag, a
 *      newer format, the errors flag (read-write, unless forced);
 *   3. load each present member's space map slot, the tree root, the journal
 *      (a map that cannot be loaded is loaded empty, to be rebuilt);
 *   4. replay the journal (longest valid chain over the mirrors); rebuild the
 *      maps step 3 could not load from the tree's references (sm_rebuild.c);
 *   5. read-write: repair lagging journal mirrors, write a generation that
 *      marks the pool in use (not clean, mounted by this host and pid), and
 *      start the background thread (journal flushes, timed checkpoints).
 * Close: last checkpoint with the clean flag set, release everything.
 * pool_open_devs() does the same over devices its caller owns (fsck), and
 * POOL_NOSTORE stops after step 2 (inspection tools).
 *
 * Background thread: every commit_ms flushes the journal (so an unsynced
 * change is durable within that time); checkpoints every ckpt_ms, or sooner
 * when the journal is half full.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ad_crc.h"
#include "assemble.h"
#include "discover.h"
#include "elog.h"
#include "holder.h"
#include "ns.h"
#include "pool.h"
#include "record.h"
#include "sbwrite.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

unsigned pool_present_members(const struct argos_pool *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->nmembers; i++)
		n += p->m[i].dev && p->m[i].status == ARGOS_MEMBER_ONLINE;
	return n;
}

/* ---- pages ---------------------------------------------------------------- */

int pool_read_page(void *ctx, const struct ad_bptr *bp, void *buf, bool *repair)
{
	struct argos_pool *p = ctx;
	bool read_one = false;
	int last = -EIO;

	*repair = false;
	for (unsigned i = 0; i < bp->nmirrors; i++) {
		unsigned mi = ad_addr_member(bp->addr[i]);
		struct ad_page_hdr h;
		char why[AD_WHY_MAX];
		struct dev *d = mi < p->nmembers ? p->m[mi].dev : NULL;
		int err;

		if (!d) {
			*repair = true;   /* a mirror is gone: rewrite where it can be */
			continue;
		}
		read_one = true;
		err = dev_pread(p->io, d, buf, AD_BLOCK, ad_addr_block(bp->addr[i]) * AD_BLOCK);
		if (!err)
			err = ad_page_check(buf, p->seed, i == 0 ? bp->addr[0] : AD_ADDR_NONE, bp->csum,
					    bp->level, &h, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "read error: %s", argos_strerror(err));
		if (!err)
			return 0;
		elog_warn(&p->log, "metadata page mirror %u (member %u block %llu) bad: %s%s", i, mi,
			  (unsigned long long)ad_addr_block(bp->addr[i]), why,
			  i + 1 < bp->nmirrors ? "; trying the next mirror" : "");
		*repair = true;
		last = err;
	}
	elog_err(&p->log, "metadata page at member %u block %llu: no valid mirror",
		 ad_addr_member(bp->addr[0]), (unsigned long long)ad_addr_block(bp->addr[0]));
	if (read_one)   /* damage, not only members that are away */
		pool_record_error(p);
	return last == -EIO ? -EIO : -EUCLEAN;
}

/* ---- generations ------------------------------------------------------------ */

static void host_name(char *out, size_t len)
{
	if (gethostname(out, len - 1) != 0)
		snprintf(out, len, "unknown");
	out[len - 1] = '\0';
}

int pool_commit_generation(struct argos_pool *p, const struct gen_update *u, char *why, size_t whylen)
{
	struct sb_target *t = calloc(p->nmembers, sizeof(*t));
	struct ad_member mtab[AD_MAX_MEMBERS];
	struct ad_super g = p->sb;
	uint64_t gen = p->sb.generation + 1, now = now_ns();
	unsigned n = 0;
	int err;

	if (!t)
		return -ENOMEM;
	/* Pool-wide fields of the new generation. */
	g.generation = gen;
	g.write_time = now;
	g.state_flags = (g.state_flags | u->set_flags) & ~u->clear_flags;
	if (u->mount) {
		g.mount_time = now;
		g.mount_count++;
		g.mounted_pid = (uint32_t)getpid();
		host_name(g.mounted_host, sizeof(g.mounted_host));
	}
	if (u->unmount) {
		g.mounted_pid = 0;
		memset(g.mounted_host, 0, sizeof(g.mounted_host));
	}
	if (u->checked) {
		g.last_check = now;
		g.mount_count = 0;
	}
	if (u->checkpoint) {
		g.tree_root = u->root;
		g.tree_height = (uint16_t)u->height;
		g.journal_head_off = u->head_off;
		g.journal_head_seq = u->head_seq;
		g.ckpt_gen = gen;
	}
	memcpy(mtab, p->mtab, sizeof(mtab));
	for (unsigned i = 0; i < p->nmembers; i++) {
		struct pool_member *m = &p->m[i];

		if (mtab[i].state == AD_MS_REMOVED)
			continue;
		if (!m->dev || m->status != ARGOS_MEMBER_ONLINE) {
			if (mtab[i].state == AD_MS_ONLINE) {
				mtab[i].state = m->status == ARGOS_MEMBER_STALE ? AD_MS_STALE : AD_MS_MISSING;
				mtab[i].missed_since = gen;
			}
			continue;
		}
		mtab[i].last_gen = gen;
		t[n].dev = m->dev;
		t[n].sb = g;
		/* Member-specific fields stay the member's own. */
		memcpy(t[n].sb.device_uuid, m->sb.device_uuid, 16);
		t[n].sb.member_index = m->sb.member_index;
		t[n].sb.device_size = m->sb.device_size;
		t[n].sb.logical_sector = m->sb.logical_sector;
		t[n].sb.physical_sector = m->sb.physical_sector;
		t[n].sb.journal_off = m->sb.journal_off;
		t[n].sb.journal_len = m->sb.journal_len;
		t[n].sb.spacemap_off = m->sb.spacemap_off;
		t[n].sb.spacemap_len = m->sb.spacemap_len;
		t[n].sb.data_off = m->sb.data_off;
		t[n].sb.data_len = m->sb.data_len;
		t[n].sb.spacemap_slot = m->sb.spacemap_slot;
		t[n].sb.spacemap_gen = m->sb.spacemap_gen;
		t[n].sb.spacemap_csum = m->sb.spacemap_csum;
		for (unsigned s = 0; u->checkpoint && s < u->nsmw; s++)
			if (u->smw[s].member == i) {
				t[n].sb.spacemap_slot = u->smw[s].slot;
				t[n].sb.spacemap_gen = gen;
				t[n].sb.spacemap_csum = u->smw[s].hdr_csum;
			}
		n++;
	}
	if (n == 0) {
		free(t);
		return ewhy(why, whylen, -ENODEV, "no member left to write");
	}
	if (crash_armed(&p->crash, CRASH_BETWEEN_SB_SLOTS)) {
		/* The generation reaches the first member only. */
		err = sb_write_generation(p->io, t, 1, mtab, why, whylen);
		if (!err)
			err = crash_point(&p->crash, CRASH_BETWEEN_SB_SLOTS);
	} else {
		err = sb_write_generation(p->io, t, n, mtab, why, whylen);
	}
	if (!err) {
		unsigned k = 0;

		for (unsigned i = 0; i < p->nmembers; i++)
			if (p->m[i].dev && p->m[i].status == ARGOS_MEMBER_ONLINE)
				p->m[i].sb = t[k++].sb;
		p->sb = g;
		memcpy(p->mtab, mtab, sizeof(mtab));
	}
	free(t);
	return err;
}

/* ---- background ---------------------------------------------------------------- */

static void *bg_main(void *arg)
{
	struct argos_pool *p = arg;
	uint64_t last_ckpt = now_ns();

	pthread_mutex_lock(&p->bg_lock);
	while (!p->bg_stop) {
		struct timespec ts;
		uint64_t used, size;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += p->commit_ms / 1000;
		ts.tv_nsec += (long)(p->commit_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->bg_cond, &p->bg_lock, &ts);
		if (p->bg_stop)
			break;
		pthread_mutex_unlock(&p->bg_lock);
		if (!p->st.err) {
			pthread_mutex_lock(&p->st.ckpt_lock);
			pool_write_errors_flag(p);
			pthread_mutex_unlock(&p->st.ckpt_lock);
			store_sync(&p->st);
			journal_usage(&p->st.jnl, &used, &size);
			if (used > size / 2 || now_ns() - last_ckpt > (uint64_t)p->ckpt_ms * 1000000ull) {
				store_checkpoint(&p->st);
				last_ckpt = now_ns();
			}
		}
		pthread_mutex_lock(&p->bg_lock);
	}
	pthread_mutex_unlock(&p->bg_lock);
	return NULL;
}

static int journal_full(void *ctx)
{
	return store_checkpoint(ctx);
}

static int journal_pre_write(void *ctx)
{
	struct store *st = ctx;

	return data_flush_members(st->pool);
}

/* ---- device hooks: injected faults ---------------------------------------- */

static int hook_pre(void *ctx, struct dev_req *r)
{
	return fault_pre(&((struct argos_pool *)ctx)->fault, r);
}

static void hook_post(void *ctx, struct dev_req *r)
{
	fault_post(&((struct argos_pool *)ctx)->fault, r);
}

static void install_fault_hooks(struct argos_pool *p)
{
	if (p->fault_hooks.pre)
		return;
	p->fault_hooks = (struct dev_hooks){ .ctx = p, .pre = hook_pre, .post = hook_post };
	for (unsigned i = 0; i < p->nmembers; i++)
		if (p->m[i].dev)
			dev_set_hooks(p->m[i].dev, &p->fault_hooks);
}

int argos_fault_set(argos_pool *p, unsigned member, const struct argos_fault *f)
{
	int err;

	if (member >= p->nmembers || !f)
		return -EINVAL;
	err = fault_set(&p->fault, member, f);
	if (!err)
		install_fault_hooks(p);
	return err;
}

/* ---- open ------------------------------------------------------------------------- */

static void pool_free(struct argos_pool *p)
{
	if (p->itab_ready)
		itab_destroy(&p->itab);
	if (p->data_ready) {
		data_destroy(p);
		fault_destroy(&p->fault);
	}
	if (p->store_ready) {
		journal_destroy(&p->st.jnl);
		alloc_destroy(&p->st.alloc);
		pcache_destroy(&p->st.pc);
		pthread_rwlock_destroy(&p->st.lock);
		pthread_mutex_destroy(&p->st.ckpt_lock);
	}
	for (unsigned i = 0; p->m && i < p->nmembers; i++) {
		if (p->m[i].dev && !p->borrowed)
			dev_close(p->m[i].dev);
		free(p->m[i].path);
	}
	free(p->m);
	if (p->io)
		dev_io_destroy(p->io);
	record_pool_stop(p);   /* after the last I/O */
	pthread_mutex_destroy(&p->bg_lock);
	pthread_cond_destroy(&p->bg_cond);
	free(p);
}

static int describe_unavailable(const struct assembly *a, char *why, size_t whylen)
{
	size_t used = 0;

	for (unsigned e = 0; e < a->sb.member_count && used + 1 < whylen; e++) {
		const struct asm_entry *en = &a->entry[e];
		char uuid[37];

		if (en->status == ARGOS_MEMBER_ONLINE || a->mtab[e].state == AD_MS_REMOVED)
			continue;
		ad_uuid_unparse(a->mtab[e].device_uuid, uuid);
		used += (size_t)snprintf(why + used, whylen - used, "%smember %u (%s) %s",
					 used ? "; " : "", e, uuid, argos_member_status_name(en->status));
	}
	return 0;
}

/*
 * Assemble the probed devices and take the pool's online members into p->m
 * (a device taken is set to NULL in devs; the caller closes the others).
 */
static int adopt_members(struct argos_pool *p, struct member_probe *pr, struct dev **devs,
			 unsigned n, char *why, size_t whylen)
{
	struct assembly a;
	int err = assemble(pr, n, &a);

	if (err)
		return err;
	if (!a.found) {
		err = ewhy(why, whylen, -ENOENT, "no ArgosFS pool on the %u device(s) given%s%s%s%s",
			   n, n ? " (" : "", n ? pr[0].path : "", n ? ": " : "",
			   n ? a.probe_detail[0] : "");
		if (n)
			ewhy(why + strlen(why), whylen - strlen(why), 0, ")");
		goto out;
	}
	if (a.health == ARGOS_POOL_FAILED) {
		char list[400];

		describe_unavailable(&a, list, sizeof(list));
		err = ewhy(why, whylen, -ENODEV, "too many members unavailable for %u+%u: %s",
			   a.sb.k, a.sb.m, list);
		goto out;
	}
	if (a.health == ARGOS_POOL_DEGRADED && !(p->flags & ARGOS_OPEN_DEGRADED)) {
		char list[400];

		describe_unavailable(&a, list, sizeof(list));
		err = ewhy(why, whylen, -ENODEV, "pool is degraded (%s); open it degraded to use it",
			   list);
		goto out;
	}
	p->degraded = a.health == ARGOS_POOL_DEGRADED;
	p->sb = a.sb;
	p->nmembers = a.sb.member_count;
	memcpy(p->mtab, a.mtab, sizeof(p->mtab));
	p->m = calloc(p->nmembers, sizeof(*p->m));
	if (!p->m) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned e = 0; e < p->nmembers; e++) {
		struct asm_entry *en = &a.entry[e];
		struct pool_member *m = &p->m[e];
		int pi = en->probe;

		m->status = a.mtab[e].state == AD_MS_REMOVED ? 0 : en->status;
		if (pi < 0)
			continue;
		m->path = strdup(pr[pi].path);
		if (en->status != ARGOS_MEMBER_ONLINE)
			continue;   /* stale members are not used until rebuilt */
		if (en->behind) {
			err = sb_catch_up(p->io, devs[pi], &member_best(&pr[pi])->sb, &a.sb, &m->sb);
			if (err) {
				ewhy(why, whylen, err, "%s: interrupted superblock update cannot be "
				     "completed; run fsck.argosfs", pr[pi].path);
				break;
			}
		} else {
			for (int c = 0; c < MEMBER_COPIES; c++)
				if (pr[pi].copy[c].status == 0 && pr[pi].copy[c].sb.generation == a.generation)
					m->sb = pr[pi].copy[c].sb;
		}
		dev_set_tag(devs[pi], (int)e);   /* the member index (write recorder) */
		m->dev = devs[pi];
		devs[pi] = NULL;
	}
out:
	assembly_release(&a);
	return err;
}

/* Open every path and assemble; fills p->m from the member table. */
static int open_members(struct argos_pool *p, const char *const *paths, unsigned n,
			char *why, size_t whylen)
{
	struct member_probe *pr = calloc(n ? n : 1, sizeof(*pr));
	struct dev **devs = calloc(n ? n : 1, sizeof(*devs));
	int *alias = calloc(n ? n : 1, sizeof(*alias));
	const char **u = calloc(n ? n : 1, sizeof(*u));
	unsigned nu = 0;
	int err = 0;

	if (!pr || !devs || !alias || !u) {
		err = -ENOMEM;
		goto out;
	}
	/* One name per storage object (a loop device and its image are one). */
	paths_aliases(paths, n, alias);
	for (unsigned i = 0; i < n; i++)
		if (alias[i] < 0)
			u[nu++] = paths[i];
	paths = u;
	n = nu;
	for (unsigned i = 0; i < n; i++) {
		char w[AD_WHY_MAX];
		int e = dev_open(paths[i], p->rdonly ? DEV_RDONLY : DEV_RDWR, &devs[i], w, sizeof(w));

		if (e == -EBUSY) {
			err = ewhy(why, whylen, e, "%s", w);
			goto out;
		}
		if (e) {
			pr[i].best = -1;
			pr[i].path = strdup(paths[i]);
			pr[i].open_err = e;
			snprintf(pr[i].open_why, sizeof(pr[i].open_why), "%s", w);
			if (!pr[i].path) {
				err = -ENOMEM;
				goto out;
			}
			continue;
		}
		err = member_probe_dev(devs[i], p->io, &pr[i]);
		if (err)
			goto out;
	}
	err = adopt_members(p, pr, devs, n, why, whylen);
out:
	for (unsigned i = 0; i < n; i++) {
		if (devs && devs[i])
			dev_close(devs[i]);
		if (pr)
			member_probe_release(&pr[i]);
	}
	free(pr);
	free(devs);
	free(alias);
	free(u);
	return err;
}

static int load_spacemaps(struct argos_pool *p, char *why, size_t whylen)
{
	int err = alloc_create(&p->st.alloc, p->nmembers, p->seed);

	for (unsigned i = 0; !err && i < p->nmembers; i++) {
		struct pool_member *m = &p->m[i];
		uint64_t nblocks = m->sb.data_len / AD_BLOCK, slot_blocks;
		uint32_t bm, idx;
		void *img;

		if (!m->dev)
			continue;
		ad_sm_geometry(nblocks, &bm, &idx, &slot_blocks);
		img = dev_buf_alloc((size_t)slot_blocks * AD_BLOCK);
		if (!img)
			return -ENOMEM;
		err = dev_pread(p->io, m->dev, img, (size_t)slot_blocks * AD_BLOCK,
				m->sb.spacemap_off + m->sb.spacemap_slot * (m->sb.spacemap_len / 2));
		if (!err)
			err = alloc_load_member(&p->st.alloc, i, m->sb.data_off / AD_BLOCK, nblocks, img,
						m->sb.spacemap_slot, m->sb.spacemap_gen,
						m->sb.spacemap_csum, why, whylen);
		free(img);
		if (err && err != -ENOMEM) {
			/* Damaged or unreadable: load it empty and rebuild it after the
			 * replay from what references the member's blocks (sm_rebuild.c). */
			elog_warn(&p->log, "%s (member %u): space map cannot be loaded (%s): rebuilding "
				  "it from the tree", m->path, i,
				  why && why[0] ? why : argos_strerror(err));
			if (why)
				why[0] = '\0';
			err = alloc_load_member(&p->st.alloc, i, m->sb.data_off / AD_BLOCK, nblocks,
						NULL, m->sb.spacemap_slot, 0, 0, why, whylen);
			p->sm_rebuilt[i] = true;
			p->nsm_rebuilt++;
		}
	}
	return err;
}

int pool_journal_init(struct argos_pool *p, struct journal *j, struct crash *crash, int *member,
		      unsigned *nmirrors, char *why, size_t whylen)
{
	struct dev *mirrors[AD_MAX_MIRRORS] = { NULL };
	uint64_t joff = 0, jlen = 0;
	unsigned nm = 0;

	for (unsigned i = 0; i < AD_MAX_MIRRORS; i++) {
		unsigned mi = p->sb.journal_mirrors[i];

		if (mi == AD_NO_MEMBER || mi >= p->nmembers)
			continue;
		member[nm] = (int)mi;
		mirrors[nm++] = p->m[mi].dev;
		if (p->m[mi].dev) {
			joff = p->m[mi].sb.journal_off;
			jlen = p->m[mi].sb.journal_len;
		}
	}
	*nmirrors = nm;
	if (!jlen)
		return ewhy(why, whylen, -ENODEV, "every journal mirror is missing");
	return journal_init(j, p->io, crash, p->seed, joff, jlen, mirrors, nm,
			    p->sb.journal_head_off, p->sb.journal_head_seq, p->sb.ckpt_gen);
}

static int open_store(struct argos_pool *p, const struct argos_open_opts *o, char *why,
		      size_t whylen)
{
	struct store *st = &p->st;
	int mirror_member[AD_MAX_MIRRORS];
	struct journal_replay_report rep;
	unsigned nmir;
	int err;

	memset(st, 0, sizeof(*st));
	st->pool = p;
	st->crash = &p->crash;
	st->gen = p->sb.generation;
	st->next_txn_id = 1;
	pthread_rwlock_init(&st->lock, NULL);
	pthread_mutex_init(&st->ckpt_lock, NULL);
	err = pcache_init(&st->pc, o && o->cache_pages ? o->cache_pages : 65536);
	if (err)
		return err;
	p->store_ready = true;
	err = load_spacemaps(p, why, whylen);
	if (err)
		return err;
	tree_init(&st->tree, &st->pc, &store_tree_io, p->seed, &p->sb.tree_root, p->sb.tree_height,
		  !p->rdonly);
	st->tree.io.ctx = st;
	err = pool_journal_init(p, &st->jnl, &p->crash, mirror_member, &nmir, why, whylen);
	if (err)
		return err;
	st->jnl.ckpt_fn = journal_full;
	st->jnl.ckpt_ctx = st;
	st->jnl.pre_write = journal_pre_write;
	err = journal_replay(&st->jnl, mirror_member, store_apply_ops, st, &rep);
	if (err)
		return ewhy(why, whylen, err, "journal replay failed: %s", argos_strerror(err));
	if (rep.entries)
		elog_notice(&p->log, "replayed %llu journal entries (%llu transactions)%s",
			    (unsigned long long)rep.entries, (unsigned long long)rep.txns,
			    p->sb.state_flags & AD_SBF_CLEAN ? "" : " after an unclean shutdown");
	else if (!(p->sb.state_flags & AD_SBF_CLEAN))
		elog_notice(&p->log, "the pool was not cleanly closed (nothing in the journal to "
			    "replay)");
	if (p->nsm_rebuilt) {
		err = pool_rebuild_spacemaps(p, why, whylen);
		if (err)
			return err;
	}
	st->stats.txns = 0;
	p->st.stats.faults = 0;
	st->writable = !p->rdonly;
	if (!p->rdonly) {
		err = journal_repair_mirrors(&st->jnl, &rep);
		if (err)
			return ewhy(why, whylen, err, "repairing journal mirrors failed: %s",
				    argos_strerror(err));
	}
	p->replay = rep;
	return 0;
}

/* A pool handle with its I/O engine and crash points; no members yet. */
static int pool_new(const struct argos_open_opts *o, unsigned iflags, struct argos_pool **out,
		    char *why, size_t whylen)
{
	struct dev_io_cfg cfg = { .backend = DEV_BACKEND_PSYNC };
	struct argos_pool *p = calloc(1, sizeof(*p));
	int err;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->bg_lock, NULL);
	pthread_cond_init(&p->bg_cond, NULL);
	if (o && o->log)
		p->log = *o->log;
	p->flags = o ? o->flags : 0;
	p->iflags = iflags;
	p->rdonly = (p->flags & ARGOS_OPEN_RDONLY) || (iflags & POOL_NOSTORE);
	p->commit_ms = o && o->commit_ms ? o->commit_ms : 1000;
	p->ckpt_ms = o && o->ckpt_ms ? o->ckpt_ms : 30000;
	err = crash_init_env(&p->crash, why, whylen);
	if (!err)
		err = dev_io_create(&cfg, &p->io);
	if (!err)
		err = itab_init(&p->itab);
	if (err) {
		pool_free(p);
		return err;
	}
	p->itab_ready = true;
	data_init(p);
	fault_init(&p->fault);
	p->data_ready = true;
	*out = p;
	return 0;
}

/* Members are in place: refuse what this open may not use, load the store,
 * mark the pool in use (read-write). */
static int pool_start(struct argos_pool *p, const struct argos_open_opts *o, char *why,
		      size_t whylen)
{
	int err;

	p->seed = ad_format_seed(p->sb.format_id);
	p->opened_unclean = !(p->sb.state_flags & AD_SBF_CLEAN);
	if (p->iflags & POOL_NOSTORE)
		return 0;
	err = fault_parse_env(&p->fault, p->nmembers, why, whylen);
	if (err)
		return err;
	if (p->fault.any)
		install_fault_hooks(p);
	if (p->sb.feat_ro_compat & ~AD_FEAT_RO_COMPAT_SUPP) {
		if (!p->rdonly)
			return ewhy(why, whylen, -EROFS, "pool uses features this version can only "
				    "read (ro_compat 0x%llx): open it read-only",
				    (unsigned long long)p->sb.feat_ro_compat);
	}
	if (!p->rdonly && (p->sb.state_flags & AD_SBF_ERRORS) && !(p->flags & ARGOS_OPEN_FORCE))
		return ewhy(why, whylen, -EUCLEAN, "the pool's errors flag is set: run fsck.argosfs "
			    "first (or force the open)");
	err = open_store(p, o, why, whylen);
	if (!err)   /* before any other thread uses p->io (pool_io.c) */
		err = pool_props_apply(p, o, why, whylen);
	if (err)
		return err;
	if (!p->rdonly) {
		/* fsck's own opens are not mounts: no mounted-by, no mount count. */
		struct gen_update u = { .clear_flags = AD_SBF_CLEAN,
					.mount = !(p->iflags & POOL_FSCK) };

		pthread_mutex_lock(&p->st.ckpt_lock);
		err = pool_commit_generation(p, &u, why, whylen);
		pthread_mutex_unlock(&p->st.ckpt_lock);
		if (err)
			return err;
		/* Inodes unlinked while open when the pool last went down. */
		if (!(p->iflags & POOL_FSCK)) {
			err = ns_cleanup_orphans(p);
			if (err)
				return ewhy(why, whylen, err, "freeing orphaned inodes failed: %s",
					    argos_strerror(err));
		}
		if (!(p->iflags & POOL_FSCK) && pthread_create(&p->bg, NULL, bg_main, p) == 0)
			p->bg_running = true;
	}
	if (p->degraded)
		elog_warn(&p->log, "pool opened DEGRADED: %u of %u members present",
			  pool_present_members(p), p->nmembers);
	return 0;
}

int pool_open_paths(const char *const *paths, unsigned n, const struct argos_open_opts *o,
		    unsigned iflags, struct argos_pool **out, char *why, size_t whylen)
{
	struct argos_pool *p;
	int err;

	*out = NULL;
	err = pool_new(o, iflags, &p, why, whylen);
	if (err)
		return err;
	err = open_members(p, paths, n, why, whylen);
	if (!err)   /* before the first write (journal repair, mount generation) */
		err = record_pool_start(p, why, whylen);
	if (!err)
		err = pool_start(p, o, why, whylen);
	if (err) {
		pool_free(p);
		return err;
	}
	*out = p;
	return 0;
}

int argos_pool_open(const char *const *paths, unsigned n, const struct argos_open_opts *o,
		    argos_pool **out, char *why, size_t whylen)
{
	struct holder_wait w;
	char inner[1024];
	int err;

	holder_wait_init(&w, o ? o->busy_wait_ms : 0);
	for (;;) {
		inner[0] = '\0';
		err = pool_open_paths(paths, n, o, 0, out, inner, sizeof(inner));
		if (err != -EBUSY || (o && (o->flags & ARGOS_OPEN_RDONLY)))
			break;
		/* Mounted: refuse.  Being let go (after umount): wait, bounded. */
		err = holder_wait(&w, paths, n, o ? o->log : NULL, inner, inner, sizeof(inner));
		if (err)
			break;
	}
	if (err && why)
		snprintf(why, whylen, "%s", inner);
	return err;
}

int pool_open_devs(struct dev *const *devs, unsigned n, const struct argos_open_opts *o,
		   unsigned iflags, struct argos_pool **out, char *why, size_t whylen)
{
	struct member_probe *pr = calloc(n ? n : 1, sizeof(*pr));
	struct dev **dv = calloc(n ? n : 1, sizeof(*dv));
	struct argos_pool *p = NULL;
	unsigned k = 0;
	int err;

	*out = NULL;
	if (!pr || !dv) {
		err = -ENOMEM;
		goto out;
	}
	err = pool_new(o, iflags, &p, why, whylen);
	if (err)
		goto out;
	p->borrowed = true;
	for (unsigned i = 0; i < n && !err; i++) {
		if (!devs[i])
			continue;
		dv[k] = devs[i];
		err = member_probe_dev(dv[k], p->io, &pr[k]);
		k++;
	}
	if (!err)
		err = adopt_members(p, pr, dv, k, why, whylen);
	if (!err)
		err = pool_start(p, o, why, whylen);
	if (!err) {
		*out = p;
		p = NULL;
	}
out:
	if (p)
		pool_free(p);
	for (unsigned i = 0; pr && i < k; i++)
		member_probe_release(&pr[i]);
	free(pr);
	free(dv);
	return err;
}

static void stop_bg(struct argos_pool *p)
{
	if (!p->bg_running)
		return;
	pthread_mutex_lock(&p->bg_lock);
	p->bg_stop = true;
	pthread_cond_signal(&p->bg_cond);
	pthread_mutex_unlock(&p->bg_lock);
	pthread_join(p->bg, NULL);
	p->bg_running = false;
}

int argos_pool_close(argos_pool *p)
{
	int err = 0;

	if (!p)
		return 0;
	stop_bg(p);
	if (!p->rdonly && p->store_ready && !p->st.err) {
		uint32_t flags = AD_SBF_CLEAN;

		if (__atomic_load_n(&p->errors_seen, __ATOMIC_ACQUIRE))
			flags |= AD_SBF_ERRORS;   /* not written yet, or written: it stays */
		err = store_checkpoint_flags(&p->st, flags, true);
		if (err)
			elog_err(&p->log, "final checkpoint failed: %s; the pool is left unclean "
				 "(the next open replays its journal)", argos_strerror(err));
	} else if (!p->rdonly && p->st.err) {
		err = p->st.err;
	}
	pool_free(p);
	return err;
}

int argos_pool_sync(argos_pool *p)
{
	return store_sync(&p->st);
}

int argos_pool_checkpoint(argos_pool *p)
{
	return store_checkpoint(&p->st);
}

int argos_pool_status(argos_pool *p, struct argos_pool_status *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->pool_uuid, p->sb.pool_uuid, 16);
	snprintf(s->label, sizeof(s->label), "%s", p->sb.label);
	s->k = p->sb.k;
	s->m = p->sb.m;
	s->generation = p->sb.generation;
	s->health = p->degraded ? ARGOS_POOL_DEGRADED : ARGOS_POOL_HEALTHY;
	s->rdonly = p->rdonly;
	s->failed = p->st.err != 0;
	pthread_rwlock_rdlock(&p->st.lock);
	s->tree_height = p->st.tree.height;
	s->cached_pages = p->st.pc.npages;
	s->dirty_pages = p->st.pc.ndirty;
	pthread_rwlock_unlock(&p->st.lock);
	journal_usage(&p->st.jnl, &s->journal_used, &s->journal_size);
	alloc_totals(&p->st.alloc, &s->blocks_total, &s->blocks_used, &s->blocks_pending);
	s->replayed_entries = p->replay.entries;
	s->replayed_txns = p->replay.txns;
	s->opened_unclean = p->opened_unclean;
	s->checkpoints = p->st.stats.checkpoints;
	s->last_ckpt_pages = p->st.stats.last_ckpt_pages;
	s->last_ckpt_ns = p->st.stats.last_ckpt_ns;
	s->ckpt_pages = p->st.stats.ckpt_pages;
	s->ckpt_copies = p->st.pc.copies;
	s->page_buf_pages = pgbuf_mapped(&p->st.pc.bufs);
	s->txns = p->st.stats.txns;
	s->bad_blocks = __atomic_load_n(&p->bad_blocks, __ATOMIC_RELAXED);
	s->rebuilt_blocks = __atomic_load_n(&p->rebuilt_blocks, __ATOMIC_RELAXED);
	s->repaired_chunks = __atomic_load_n(&p->repaired_chunks, __ATOMIC_RELAXED);
	s->deferred_writes = __atomic_load_n(&p->deferred_writes, __ATOMIC_RELAXED);
	s->deferred_folds = __atomic_load_n(&p->deferred_folds, __ATOMIC_RELAXED);
	pool_props_status(p, s);
	return 0;
}
