/*
 * scan.c — argos_scan() and argos_assemble_info(): pools seen on devices.
 *
 * Read-only.  Candidates are probed once; each (pool UUID, format id) group
 * is assembled on its own, so one scan reports every pool it finds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "assemble.h"
#include "discover.h"
#include "elog.h"

static int add_pool(struct argos_scan_result *r, struct member_probe *probes, unsigned n)
{
	struct argos_pool_info *pools;
	struct assembly a;
	int err;

	err = assemble(probes, n, &a);
	if (err)
		return err;
	pools = realloc(r->pools, (r->npools + 1) * sizeof(*pools));
	if (!pools) {
		assembly_release(&a);
		return -ENOMEM;
	}
	r->pools = pools;
	err = assembly_to_info(&a, &r->pools[r->npools]);
	assembly_release(&a);
	if (!err)
		r->npools++;
	return err;
}

static int add_other(struct argos_scan_result *r, const struct member_probe *mp)
{
	struct argos_member_info *o = realloc(r->other, (r->nother + 1) * sizeof(*o));

	if (!o)
		return -ENOMEM;
	r->other = o;
	o = &r->other[r->nother];
	memset(o, 0, sizeof(*o));
	o->index = -1;
	o->size = mp->info.size;
	o->path = strdup(mp->path);
	if (!o->path)
		return -ENOMEM;
	if (mp->open_err) {
		o->status = ARGOS_MEMBER_UNREADABLE;
		snprintf(o->detail, sizeof(o->detail), "%s", mp->open_why);
	} else {
		o->status = ARGOS_MEMBER_NOT_ARGOS;
		snprintf(o->detail, sizeof(o->detail), "%s",
			 mp->any_magic ? "ArgosFS superblocks present but none is valid"
				       : "holds no ArgosFS superblock");
	}
	r->nother++;
	return 0;
}

static bool same_pool(const struct member_probe *a, const struct member_probe *b)
{
	const struct sb_copy *x = member_best(a), *y = member_best(b);

	return x && y && !memcmp(x->sb.pool_uuid, y->sb.pool_uuid, 16) &&
	       !memcmp(x->sb.format_id, y->sb.format_id, 16);
}

int argos_scan(const char *const *paths, unsigned n, const struct argos_scan_opts *o,
	       struct argos_scan_result **out)
{
	struct argos_scan_opts dflt = { 0 };
	struct argos_scan_result *r;
	struct cand_set cs;
	struct member_probe *group = NULL;
	bool *done = NULL;
	int err = 0;

	if (!o)
		o = &dflt;
	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	cand_init(&cs);
	for (unsigned i = 0; i < n && !err; i++)
		err = cand_add(&cs, paths[i], true);
	for (unsigned i = 0; i < o->nsearch && !err; i++) {
		err = cand_add_dir(&cs, o->search_dirs[i]);
		if (err)
			elog_err(o->log, "cannot search %s: %s", o->search_dirs[i], argos_strerror(err));
	}
	if (!err && o->all_block_devices)
		err = cand_add_block_devices(&cs);
	if (err)
		goto out;
	done = calloc(cs.n ? cs.n : 1, sizeof(*done));
	group = calloc(cs.n ? cs.n : 1, sizeof(*group));
	if (!done || !group) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < cs.n && !err; i++) {
		unsigned g = 0;

		if (done[i])
			continue;
		if (!member_best(&cs.probes[i])) {
			done[i] = true;
			if (cs.explicit_[i])
				err = add_other(r, &cs.probes[i]);
			continue;
		}
		for (unsigned j = i; j < cs.n; j++)
			if (!done[j] && same_pool(&cs.probes[i], &cs.probes[j])) {
				group[g++] = cs.probes[j];   /* shallow: cs keeps ownership */
				done[j] = true;
			}
		err = add_pool(r, group, g);
	}
out:
	free(done);
	free(group);
	cand_release(&cs);
	if (err) {
		argos_scan_free(r);
		return err;
	}
	*out = r;
	return 0;
}

int argos_assemble_info(const char *const *paths, unsigned n, const struct argos_log *log,
			struct argos_pool_info **out)
{
	struct member_probe *probes = calloc(n ? n : 1, sizeof(*probes));
	struct argos_pool_info *pi = calloc(1, sizeof(*pi));
	struct assembly a;
	unsigned got = 0;
	int err = 0;

	*out = NULL;
	if (!probes || !pi) {
		err = -ENOMEM;
		goto out;
	}
	for (; got < n && !err; got++)
		err = member_probe_path(paths[got], &probes[got]);
	if (err)
		goto out;
	err = assemble(probes, n, &a);
	if (err)
		goto out;
	if (!a.found) {
		elog_err(log, "no ArgosFS member among the %u device(s) given", n);
		err = -ENOENT;
	} else {
		err = assembly_to_info(&a, pi);
	}
	assembly_release(&a);
	if (!err) {
		*out = pi;
		pi = NULL;
	}
out:
	for (unsigned i = 0; i < got; i++)
		member_probe_release(&probes[i]);
	free(probes);
	free(pi);
	return err;
}
