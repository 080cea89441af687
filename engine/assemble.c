/*
 * assemble.c — pool assembly from member probes (see assemble.h).
 *
 * Invariants:
 *  1. The pool is the (pool UUID, format id) group with the most distinct
 *     member UUIDs among the paths; ties go to the newer generation.
 *  2. G is the highest generation of any valid copy in that group; the member
 *     table of G is authoritative.  A copy from another mkfs of the same
 *     device (other format id) never counts.
 *  3. A table entry's device is online when it holds G, or G-1 while the
 *     table of G still calls it online (the crash hit between members while
 *     G was being written); anything older, or an entry G marks missing or
 *     stale, is stale.  Stale counts against m exactly like missing.
 *  4. Two devices with one member UUID: the newer generation (then the
 *     first listed) is the member, the other a duplicate.  One device reached
 *     through two paths (a loop device and its image) is one member.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assemble.h"
#include "elog.h"

static bool same_group(const struct ad_super *a, const struct ad_super *b)
{
	return !memcmp(a->pool_uuid, b->pool_uuid, 16) && !memcmp(a->format_id, b->format_id, 16);
}

static bool same_storage(const struct member_probe *a, const struct member_probe *b)
{
	return a->info.id_dev == b->info.id_dev && a->info.id_ino == b->info.id_ino &&
	       (a->info.id_dev || a->info.id_ino);
}

/* Count distinct member UUIDs of the group of probe p; newest generation in it. */
static unsigned group_weight(struct member_probe *pr, unsigned n, unsigned p, uint64_t *newest)
{
	const struct ad_super *ref = &member_best(&pr[p])->sb;
	unsigned count = 0;

	*newest = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct sb_copy *c = member_best(&pr[i]);
		bool seen = false;

		if (!c || !same_group(&c->sb, ref))
			continue;
		for (unsigned j = 0; j < i && !seen; j++) {
			const struct sb_copy *d = member_best(&pr[j]);

			seen = d && same_group(&d->sb, ref) &&
			       !memcmp(d->sb.device_uuid, c->sb.device_uuid, 16);
		}
		if (!seen)
			count++;
		for (int k = 0; k < MEMBER_COPIES; k++)
			if (pr[i].copy[k].status == 0 && same_group(&pr[i].copy[k].sb, ref) &&
			    pr[i].copy[k].sb.generation > *newest)
				*newest = pr[i].copy[k].sb.generation;
	}
	return count;
}

static void pick_group(struct assembly *a)
{
	unsigned best_w = 0;
	uint64_t best_g = 0;
	int best = -1;

	for (unsigned i = 0; i < a->nprobes; i++) {
		uint64_t g;
		unsigned w;

		if (!member_best(&a->probes[i]))
			continue;
		w = group_weight(a->probes, a->nprobes, i, &g);
		if (best < 0 || w > best_w || (w == best_w && g > best_g)) {
			best = (int)i;
			best_w = w;
			best_g = g;
		}
	}
	if (best < 0)
		return;
	/* Find the copy holding G in the group. */
	const struct ad_super *ref = &member_best(&a->probes[best])->sb;
	for (unsigned i = 0; i < a->nprobes; i++)
		for (int k = 0; k < MEMBER_COPIES; k++) {
			const struct sb_copy *c = &a->probes[i].copy[k];

			if (c->status == 0 && same_group(&c->sb, ref) && c->sb.generation == best_g &&
			    a->sb_probe < 0) {
				a->sb_probe = (int)i;
				a->sb_copy = k;
			}
		}
	const struct sb_copy *g = &a->probes[a->sb_probe].copy[a->sb_copy];
	a->found = true;
	a->generation = best_g;
	a->sb = g->sb;
	memcpy(a->mtab, g->mtab, sizeof(a->mtab));
}

/* Newest generation probe i holds within the chosen group (0 if none). */
static uint64_t probe_gen(const struct assembly *a, unsigned i)
{
	uint64_t g = 0;

	for (int k = 0; k < MEMBER_COPIES; k++) {
		const struct sb_copy *c = &a->probes[i].copy[k];

		if (c->status == 0 && same_group(&c->sb, &a->sb) && c->sb.generation > g)
			g = c->sb.generation;
	}
	return g;
}

static unsigned copies_of_gen(const struct member_probe *mp, uint64_t gen)
{
	unsigned n = 0;

	for (int k = 0; k < MEMBER_COPIES; k++)
		if (mp->copy[k].status == 0 && mp->copy[k].sb.generation == gen)
			n++;
	return n;
}

static void describe_other(struct assembly *a, unsigned i)
{
	struct member_probe *mp = &a->probes[i];
	const struct sb_copy *c = member_best(mp);
	char uuid[37];

	if (mp->open_err) {
		a->probe_status[i] = ARGOS_MEMBER_UNREADABLE;
		snprintf(a->probe_detail[i], sizeof(a->probe_detail[i]), "%s", mp->open_why);
	} else if (!c) {
		a->probe_status[i] = ARGOS_MEMBER_NOT_ARGOS;
		if (mp->any_magic)
			snprintf(a->probe_detail[i], sizeof(a->probe_detail[i]),
				 "ArgosFS superblocks present but none is valid (%.120s)",
				 mp->copy[0].why);
		else
			snprintf(a->probe_detail[i], sizeof(a->probe_detail[i]),
				 "holds no ArgosFS superblock");
	} else if (!same_group(&c->sb, &a->sb)) {
		ad_uuid_unparse(c->sb.pool_uuid, uuid);
		a->probe_status[i] = ARGOS_MEMBER_FOREIGN;
		if (!memcmp(c->sb.pool_uuid, a->sb.pool_uuid, 16))
			snprintf(a->probe_detail[i], sizeof(a->probe_detail[i]),
				 "left by an earlier mkfs of pool %s (format id differs)", uuid);
		else
			snprintf(a->probe_detail[i], sizeof(a->probe_detail[i]),
				 "member of another pool %s%s%s%s", uuid,
				 c->sb.label[0] ? " (label \"" : "", c->sb.label,
				 c->sb.label[0] ? "\")" : "");
	}
}

/* Which probe is table entry e?  Marks duplicates and aliases on the way. */
static int match_entry(struct assembly *a, unsigned e)
{
	int chosen = -1;
	uint64_t chosen_gen = 0;

	for (unsigned i = 0; i < a->nprobes; i++) {
		const struct sb_copy *c = member_best(&a->probes[i]);
		uint64_t g;

		if (!c || !same_group(&c->sb, &a->sb) ||
		    memcmp(c->sb.device_uuid, a->mtab[e].device_uuid, 16))
			continue;
		g = probe_gen(a, i);
		if (chosen >= 0 && same_storage(&a->probes[chosen], &a->probes[i])) {
			a->probe_status[i] = ARGOS_MEMBER_DUPLICATE;
			a->probe_entry[i] = (int)e;
			snprintf(a->probe_detail[i], sizeof(a->probe_detail[i]),
				 "same device as %s (listed twice)", a->probes[chosen].path);
			continue;
		}
		if (chosen < 0 || g > chosen_gen) {
			if (chosen >= 0) {
				a->probe_status[chosen] = ARGOS_MEMBER_DUPLICATE;
				a->probe_entry[chosen] = (int)e;
				snprintf(a->probe_detail[chosen], sizeof(a->probe_detail[chosen]),
					 "same member UUID as %s, older generation (a copy?)",
					 a->probes[i].path);
			}
			chosen = (int)i;
			chosen_gen = g;
		} else {
			a->probe_status[i] = ARGOS_MEMBER_DUPLICATE;
			a->probe_entry[i] = (int)e;
			snprintf(a->probe_detail[i], sizeof(a->probe_detail[i]),
				 "same member UUID as %s (a copy of that member?)",
				 a->probes[chosen].path);
		}
	}
	return chosen;
}

static void classify_entry(struct assembly *a, unsigned e)
{
	struct asm_entry *en = &a->entry[e];
	const struct ad_member *m = &a->mtab[e];
	int p = match_entry(a, e);
	uint64_t g;

	en->probe = p;
	if (p < 0) {
		en->status = ARGOS_MEMBER_MISSING;
		if (m->state == AD_MS_MISSING || m->state == AD_MS_STALE)
			snprintf(en->detail, sizeof(en->detail),
				 "not found; missing since generation %llu",
				 (unsigned long long)m->missed_since);
		else
			snprintf(en->detail, sizeof(en->detail), "not found among the devices given");
		a->missing++;
		return;
	}
	g = probe_gen(a, (unsigned)p);
	a->probe_entry[p] = (int)e;
	en->copies_valid = copies_of_gen(&a->probes[p], a->generation);
	if (m->state == AD_MS_MISSING || m->state == AD_MS_STALE || m->state == AD_MS_REPLACING) {
		en->status = ARGOS_MEMBER_STALE;
		snprintf(en->detail, sizeof(en->detail),
			 "stale: missed generations %llu..%llu (holds %llu); needs a rebuild",
			 (unsigned long long)m->missed_since, (unsigned long long)a->generation,
			 (unsigned long long)g);
		a->stale++;
	} else if (g == a->generation) {
		en->status = ARGOS_MEMBER_ONLINE;
		if (en->copies_valid < 2) {
			snprintf(en->detail, sizeof(en->detail),
				 "online; %u of 2 superblock copies of generation %llu damaged",
				 2 - en->copies_valid, (unsigned long long)g);
			a->damaged_copies += 2 - en->copies_valid;
		} else {
			snprintf(en->detail, sizeof(en->detail), "online");
		}
		a->online++;
	} else if (g + 1 == a->generation) {
		en->status = ARGOS_MEMBER_ONLINE;
		en->behind = true;
		snprintf(en->detail, sizeof(en->detail),
			 "online; superblock at generation %llu, pool at %llu (interrupted update)",
			 (unsigned long long)g, (unsigned long long)a->generation);
		a->online++;
		a->behind++;
	} else {
		en->status = ARGOS_MEMBER_STALE;
		snprintf(en->detail, sizeof(en->detail),
			 "stale: holds generation %llu, pool is at %llu; needs a rebuild",
			 (unsigned long long)g, (unsigned long long)a->generation);
		a->stale++;
	}
	a->probe_status[p] = en->status;
	snprintf(a->probe_detail[p], sizeof(a->probe_detail[p]), "%s", en->detail);
}

int assemble(struct member_probe *probes, unsigned n, struct assembly *a)
{
	memset(a, 0, sizeof(*a));
	a->nprobes = n;
	a->probes = probes;
	a->sb_probe = -1;
	a->sb_copy = -1;
	a->probe_status = calloc(n ? n : 1, sizeof(*a->probe_status));
	a->probe_entry = calloc(n ? n : 1, sizeof(*a->probe_entry));
	a->probe_detail = calloc(n ? n : 1, sizeof(*a->probe_detail));
	if (!a->probe_status || !a->probe_entry || !a->probe_detail) {
		assembly_release(a);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		a->probe_entry[i] = -1;
	pick_group(a);
	if (!a->found) {
		for (unsigned i = 0; i < n; i++)
			describe_other(a, i);
		return 0;
	}
	for (unsigned e = 0; e < a->sb.member_count; e++) {
		if (a->mtab[e].state == AD_MS_REMOVED)
			continue;
		classify_entry(a, e);
	}
	for (unsigned i = 0; i < n; i++)
		if (a->probe_status[i] == 0)
			describe_other(a, i);
	/* A member of this pool that is not in its table (removed). */
	for (unsigned i = 0; i < n; i++)
		if (a->probe_status[i] == 0) {
			a->probe_status[i] = ARGOS_MEMBER_FOREIGN;
			snprintf(a->probe_detail[i], sizeof(a->probe_detail[i]),
				 "was a member of this pool but is no longer in its member table");
		}
	unsigned out = a->missing + a->stale;
	a->health = out == 0 ? ARGOS_POOL_HEALTHY : out <= a->sb.m ? ARGOS_POOL_DEGRADED
								 : ARGOS_POOL_FAILED;
	return 0;
}

void assembly_release(struct assembly *a)
{
	free(a->probe_status);
	free(a->probe_entry);
	free(a->probe_detail);
	a->probe_status = NULL;
	a->probe_entry = NULL;
	a->probe_detail = NULL;
}

uint64_t assembly_usable_bytes(const struct assembly *a)
{
	uint64_t overhead = a->sb.device_size - a->sb.data_len, data = 0;
	unsigned k = a->sb.k, m = a->sb.m;

	for (unsigned e = 0; e < a->sb.member_count; e++) {
		if (a->mtab[e].state == AD_MS_REMOVED)
			continue;
		if (a->mtab[e].size > overhead)
			data += a->mtab[e].size - overhead;
	}
	return data / (k + m) * k;
}

static int fill_member(struct argos_member_info *mi, const char *path, int index, int status,
		       const char *detail)
{
	memset(mi, 0, sizeof(*mi));
	mi->index = index;
	mi->status = status;
	snprintf(mi->detail, sizeof(mi->detail), "%s", detail);
	if (path) {
		mi->path = strdup(path);
		if (!mi->path)
			return -ENOMEM;
	}
	return 0;
}

int assembly_to_info(const struct assembly *a, struct argos_pool_info *pi)
{
	unsigned cap = a->sb.member_count + a->nprobes, n = 0;
	int err;

	memset(pi, 0, sizeof(*pi));
	pi->members = calloc(cap ? cap : 1, sizeof(*pi->members));
	if (!pi->members)
		return -ENOMEM;
	memcpy(pi->pool_uuid, a->sb.pool_uuid, 16);
	snprintf(pi->label, sizeof(pi->label), "%s", a->sb.label);
	pi->k = a->sb.k;
	pi->m = a->sb.m;
	pi->chunk_size = a->sb.chunk_size;
	pi->generation = a->generation;
	pi->member_count = a->sb.member_count;
	pi->health = a->health;
	pi->clean = a->sb.state_flags & AD_SBF_CLEAN;
	pi->errors = a->sb.state_flags & AD_SBF_ERRORS;
	snprintf(pi->mounted_host, sizeof(pi->mounted_host), "%s", a->sb.mounted_host);
	pi->mounted_pid = a->sb.mounted_pid;
	for (unsigned e = 0; e < a->sb.member_count; e++) {
		const struct asm_entry *en = &a->entry[e];
		struct argos_member_info *mi = &pi->members[n];
		int p = en->probe;

		if (a->mtab[e].state == AD_MS_REMOVED)
			continue;
		err = fill_member(mi, p >= 0 ? a->probes[p].path : NULL, (int)e, en->status,
				  en->detail);
		if (err)
			goto fail;
		memcpy(mi->device_uuid, a->mtab[e].device_uuid, 16);
		mi->size = a->mtab[e].size;
		pi->raw_bytes += a->mtab[e].size;
		if (p >= 0) {
			const struct member_probe *mp = &a->probes[p];

			mi->generation = member_best(mp)->sb.generation;
			mi->copies_valid = en->copies_valid;
			for (int k = 0; k < MEMBER_COPIES; k++)
				mi->copies_total += mp->copy[k].status == 0;
		}
		n++;
	}
	for (unsigned i = 0; i < a->nprobes; i++) {
		const struct member_probe *mp = &a->probes[i];
		const struct sb_copy *c = member_best(mp);
		int st = a->probe_status[i];

		if (st == ARGOS_MEMBER_ONLINE || st == ARGOS_MEMBER_STALE)
			continue;
		err = fill_member(&pi->members[n], mp->path, a->probe_entry[i], st, a->probe_detail[i]);
		if (err)
			goto fail;
		if (c) {
			memcpy(pi->members[n].device_uuid, c->sb.device_uuid, 16);
			pi->members[n].generation = c->sb.generation;
		}
		pi->members[n].size = mp->info.size;
		n++;
	}
	pi->nmembers = n;
	pi->usable_bytes = assembly_usable_bytes(a);
	return 0;
fail:
	pi->nmembers = n + 1;
	pool_info_free_members(pi);
	return err;
}
