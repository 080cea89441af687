/*
 * spec.c — argos_spec_resolve(): the one pool-spec grammar (see argosfs.h).
 *
 *   PATH[,PATH...] | [pool:]UUID=<uuid> | [pool:]LABEL=<label>
 *
 * UUID= and LABEL= look at every block device and at the regular files of the
 * search directories, read-only, and return the paths whose newest valid
 * superblock names the pool.  Paths are returned in member-table order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "elog.h"

static int split_paths(const char *spec, char ***paths, unsigned *n, char *why, size_t whylen)
{
	unsigned cnt = 1;
	char *copy, *save = NULL, *tok;
	char **out;

	for (const char *p = spec; *p; p++)
		cnt += *p == ',';
	out = calloc(cnt, sizeof(*out));
	copy = strdup(spec);
	if (!out || !copy) {
		free(out);
		free(copy);
		return -ENOMEM;
	}
	*n = 0;
	if (spec[0] == ',' || spec[strlen(spec) - 1] == ',' || strstr(spec, ",,")) {
		free(copy);
		free(out);
		return ewhy(why, whylen, -EINVAL, "empty member path in \"%s\"", spec);
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		out[*n] = strdup(tok);
		if (!out[*n]) {
			free(copy);
			argos_paths_free(out, *n);
			return -ENOMEM;
		}
		(*n)++;
	}
	free(copy);
	*paths = out;
	return 0;
}

int argos_spec_resolve(const char *spec, const struct argos_spec_opts *o, char ***paths,
		       unsigned *n, char *why, size_t whylen)
{
	struct argos_spec_opts dflt = { 0 };
	struct cand_set cs;
	uint8_t uuid[16], first[16];
	const char *val;
	bool by_uuid, have_first = false;
	char **out = NULL;
	unsigned cnt = 0;
	int err = 0;

	*paths = NULL;
	*n = 0;
	if (!o)
		o = &dflt;
	if (!spec || !*spec)
		return ewhy(why, whylen, -EINVAL, "empty pool spec");
	if (!strncmp(spec, "pool:", 5))
		spec += 5;
	by_uuid = !strncmp(spec, "UUID=", 5);
	if (!by_uuid && strncmp(spec, "LABEL=", 6))
		return split_paths(spec, paths, n, why, whylen);
	val = spec + (by_uuid ? 5 : 6);
	if (by_uuid && ad_uuid_parse(val, uuid))
		return ewhy(why, whylen, -EINVAL, "\"%s\" is not a UUID", val);
	if (!by_uuid && (!*val || strlen(val) >= AD_LABEL_MAX))
		return ewhy(why, whylen, -EINVAL, "bad label \"%s\"", val);

	cand_init(&cs);
	for (unsigned i = 0; i < o->nsearch && !err; i++) {
		err = cand_add_dir(&cs, o->search_dirs[i]);
		if (err)
			ewhy(why, whylen, err, "cannot search %s: %s", o->search_dirs[i],
			     argos_strerror(err));
	}
	if (!err)
		err = cand_add_block_devices(&cs);
	if (err)
		goto out;
	out = calloc(cs.n ? cs.n : 1, sizeof(*out));
	if (!out) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < cs.n; i++) {
		const struct sb_copy *c = member_best(&cs.probes[i]);
		bool match;

		if (!c)
			continue;
		match = by_uuid ? !memcmp(c->sb.pool_uuid, uuid, 16) : !strcmp(c->sb.label, val);
		if (!match)
			continue;
		if (!by_uuid) {
			if (!have_first) {
				memcpy(first, c->sb.pool_uuid, 16);
				have_first = true;
			} else if (memcmp(first, c->sb.pool_uuid, 16)) {
				err = ewhy(why, whylen, -ENOTUNIQ,
					   "LABEL=%s matches more than one pool; use UUID=", val);
				goto out;
			}
		}
		out[cnt] = strdup(cs.probes[i].path);
		if (!out[cnt]) {
			err = -ENOMEM;
			goto out;
		}
		cnt++;
	}
	if (cnt == 0) {
		err = ewhy(why, whylen, -ENOENT, "no ArgosFS member with %s found%s", spec,
			   o->nsearch ? "" : " (image files need --search DIR)");
		goto out;
	}
	elog_debug(o->log, "%s resolved to %u member(s)", spec, cnt);
	*paths = out;
	*n = cnt;
	out = NULL;
out:
	argos_paths_free(out, cnt);
	cand_release(&cs);
	return err;
}
