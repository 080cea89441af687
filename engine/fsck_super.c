/*
 * fsck_super.c — fsck phase 0: superblock copies and pool membership.
 *
 * Checks, for the generation G that assembly chose:
 *  - every path given is a member of the pool (else foreign, duplicate, not
 *    ArgosFS, unreadable: reported, never written);
 *  - every member of the table is present and current (missing and stale
 *    members are reported; they need a rebuild, which fsck does not do here —
 *    a stale member is never made current by copying a superblock onto it);
 *  - both copies (front, back) of slot G % 2 on every online member hold G.
 * Repairs (-y, and -p since they are safe): a damaged copy is rewritten from
 * the member's own valid copy of G; a member whose update to G was
 * interrupted (it holds G-1 and the table of G calls it online) gets G built
 * from its own G-1 superblock plus the pool-wide fields of G.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elog.h"
#include "fsck.h"
#include "sbwrite.h"

struct copy_fix {
	unsigned probe;
	const struct ad_super *sb;   /* what to write */
	bool back;
};

static int fix_copy(struct fsck_ctx *c, void *arg)
{
	struct copy_fix *f = arg;
	char why[AD_WHY_MAX];

	return sb_write_copy(c->io, c->devs[f->probe], f->sb, c->a.mtab, f->back, why, sizeof(why));
}

/* The member's own valid copy of generation G, or NULL. */
static const struct ad_super *own_copy(const struct member_probe *mp, uint64_t gen)
{
	for (int k = 0; k < MEMBER_COPIES; k++)
		if (mp->copy[k].status == 0 && mp->copy[k].sb.generation == gen)
			return &mp->copy[k].sb;
	return NULL;
}

static void check_copies(struct fsck_ctx *c, unsigned e)
{
	const struct asm_entry *en = &c->a.entry[e];
	unsigned p = (unsigned)en->probe;
	const struct member_probe *mp = &c->probes[p];
	const struct ad_super *good = own_copy(mp, c->a.generation);
	unsigned slot = (unsigned)(c->a.generation % 2);

	if (!good)
		return;
	for (unsigned back = 0; back < 2; back++) {
		const struct sb_copy *cp = &mp->copy[sb_copy_index(slot, back)];
		struct copy_fix f = { .probe = p, .sb = good, .back = back };

		if (cp->status == 0 && cp->sb.generation == c->a.generation)
			continue;
		fsck_report(c, PR_0_SB_COPY_DAMAGED, fix_copy, &f,
			    "%s: %s superblock copy of generation %llu (slot %c, offset %llu) is "
			    "damaged: %s", mp->path, back ? "back" : "front",
			    (unsigned long long)c->a.generation, "AB"[slot],
			    (unsigned long long)cp->offset,
			    cp->status ? cp->why : "holds an older generation");
	}
}

struct behind_fix {
	unsigned probe;
	struct ad_super sb;
};

static int fix_behind(struct fsck_ctx *c, void *arg)
{
	struct behind_fix *f = arg;
	char why[AD_WHY_MAX];
	int err;

	for (unsigned back = 0; back < 2; back++) {
		err = sb_write_copy(c->io, c->devs[f->probe], &f->sb, c->a.mtab, back, why,
				    sizeof(why));
		if (err)
			return err;
	}
	return 0;
}

static int build_behind(struct fsck_ctx *c, unsigned p, struct ad_super *out)
{
	return sb_catch_up(c->io, c->devs[p], &member_best(&c->probes[p])->sb, &c->a.sb, out);
}

int fsck_phase_super(struct fsck_ctx *c)
{
	struct assembly *a = &c->a;

	if (!a->found) {
		for (unsigned i = 0; i < c->n; i++)
			elog_err(c->o->log, "%s", a->probe_detail[i]);
		fsck_report(c, PR_0_NO_POOL, NULL, NULL,
			    "no ArgosFS pool found on the %u device(s) given", c->n);
		return -ENOENT;
	}
	for (unsigned i = 0; i < c->n; i++) {
		enum fsck_problem code;

		switch (a->probe_status[i]) {
		case ARGOS_MEMBER_UNREADABLE: code = PR_0_PATH_UNREADABLE; break;
		case ARGOS_MEMBER_NOT_ARGOS: code = PR_0_PATH_NOT_ARGOS; break;
		case ARGOS_MEMBER_FOREIGN: code = PR_0_PATH_FOREIGN; break;
		case ARGOS_MEMBER_DUPLICATE: code = PR_0_PATH_DUPLICATE; break;
		default: continue;
		}
		if (!strncmp(a->probe_detail[i], c->probes[i].path, strlen(c->probes[i].path)))
			fsck_report(c, code, NULL, NULL, "%s", a->probe_detail[i]);
		else
			fsck_report(c, code, NULL, NULL, "%s: %s", c->probes[i].path,
				    a->probe_detail[i]);
	}
	for (unsigned e = 0; e < a->sb.member_count; e++) {
		const struct asm_entry *en = &a->entry[e];
		char uuid[37];

		if (a->mtab[e].state == AD_MS_REMOVED)
			continue;
		ad_uuid_unparse(a->mtab[e].device_uuid, uuid);
		if (en->status == ARGOS_MEMBER_MISSING) {
			fsck_report(c, PR_0_MEMBER_MISSING, NULL, NULL, "member %u (%s) is missing: %s",
				    e, uuid, en->detail);
			continue;
		}
		if (en->status == ARGOS_MEMBER_STALE) {
			fsck_report(c, PR_0_MEMBER_STALE, NULL, NULL, "member %u (%s, %s) is %s", e,
				    uuid, c->probes[en->probe].path, en->detail);
			continue;
		}
		if (c->probes[en->probe].info.size < a->mtab[e].size)
			fsck_report(c, PR_0_SIZE_CHANGED, NULL, NULL,
				    "%s: member %u is %llu bytes, the pool recorded %llu (shrunk?)",
				    c->probes[en->probe].path, e,
				    (unsigned long long)c->probes[en->probe].info.size,
				    (unsigned long long)a->mtab[e].size);
		if (en->behind) {
			struct behind_fix f = { .probe = (unsigned)en->probe };
			int err = build_behind(c, (unsigned)en->probe, &f.sb);

			fsck_report(c, PR_0_SB_BEHIND, err ? NULL : fix_behind, &f,
				    "%s: member %u holds generation %llu, the pool %llu (update "
				    "interrupted)%s", c->probes[en->probe].path, e,
				    (unsigned long long)(a->generation - 1),
				    (unsigned long long)a->generation,
				    err ? "; its space map for the new generation is not there" : "");
			continue;
		}
		check_copies(c, e);
	}
	if (a->health == ARGOS_POOL_FAILED)
		fsck_report(c, PR_0_POOL_FAILED, NULL, NULL,
			    "%u member(s) missing and %u stale: more than m=%u, the pool cannot be "
			    "opened", a->missing, a->stale, a->sb.m);
	return 0;
}
