/*
 * cmd_ls.c — `argosfs ls`: list directories and files of an unmounted pool.
 *
 * Read-only.  As ls(1): operands that are not directories (or all of them
 * with -d) are listed first, then each directory's entries, under a "PATH:"
 * header when there are several operands; names sorted bytewise; entries
 * starting with '.' only with -a.  -l shows mode, links, owner, group, size
 * (major, minor for devices), mtime and name, "-> target" for symlinks.  A
 * symlink operand is followed without -l and -d (when it leads somewhere).
 *
 * JSON (--json), schema_version 1:
 *   { "schema_version": 1,
 *     "paths": [ { "path": operand, "entry": ENTRY,
 *                  "entries": [ ENTRY... ] | null } ] }   (null: not listed as
 *   a directory)        ENTRY: { "name", <nsfmt.h's attribute keys> }
 * Operands that fail are left out (and said on stderr; exit 1).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cmds.h"
#include "mode.h"
#include "nscmd.h"
#include "nsfmt.h"
#include "nspath.h"
#include "owner.h"

enum { OPT_JSON = NSCMD_OPT_FIRST_FREE };

struct ls_opts {
	bool lng, all, dirs_only, json;
};

struct lsent {
	char *name;
	struct argos_attr attr;
	char *target;                 /* symlinks (read for -l and --json) */
};

struct lslist {
	struct lsent *v;
	size_t n, cap;
	argos_ino_t *forget;          /* readdir's lookups, dropped after */
	size_t nforget, capforget;
	int err;
};

struct lsop {
	const char *path;
	struct lsent self;
	bool listed;                  /* a directory whose entries are shown */
	struct lslist entries;
};

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [-l] [-a] [-d] [--json] POOL [PATH...]\n"
"List the directories and files at PATH (default /) in the unmounted pool POOL,\n"
"one entry per line.  Read-only.\n"
"\n"
"  -l                long listing: mode, links, owner, group, size, mtime, name\n"
"  -a                also entries whose names start with '.', and . and ..\n"
"  -d                list directories themselves, not their contents\n"
"      --json        machine-readable output (see argosfs(8))\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static int push(struct lslist *l, const char *name, const struct argos_attr *a)
{
	struct lsent *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct lsent *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (!e->name)
		return -ENOMEM;
	e->attr = *a;
	l->n++;
	return 0;
}

static void free_entry(struct lsent *e)
{
	free(e->name);
	free(e->target);
}

static void free_list(struct lslist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free_entry(&l->v[i]);
	free(l->v);
	free(l->forget);
}

struct rd_ctx {
	struct lslist *l;
	bool all;
};

static int rd_entry(void *ctx, const char *name, const struct argos_attr *a, uint64_t next)
{
	struct rd_ctx *c = ctx;
	struct lslist *l = c->l;
	bool dot = !strcmp(name, ".") || !strcmp(name, "..");

	(void)next;
	if (!dot) {
		/* readdir counts this lookup once we return: drop it afterwards */
		if (l->nforget == l->capforget) {
			size_t cap = l->capforget ? 2 * l->capforget : 64;
			argos_ino_t *v = realloc(l->forget, cap * sizeof(*v));

			if (!v)
				goto nomem;
			l->forget = v;
			l->capforget = cap;
		}
		l->forget[l->nforget++] = a->ino;
	}
	if (name[0] == '.' && !c->all)
		return 0;
	if (push(l, name, a))
		goto nomem;
	return 0;
nomem:
	l->err = -ENOMEM;
	return 1;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct lsent *)a)->name, ((const struct lsent *)b)->name);
}

static int read_targets(argos_pool *p, struct lsent *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int err;

		if (!S_ISLNK(v[i].attr.mode))
			continue;
		v[i].target = malloc(NSFMT_TARGET_MAX);
		if (!v[i].target)
			return -ENOMEM;
		err = nsfmt_readlink(p, v[i].attr.ino, v[i].target);
		if (err)
			return err;
	}
	return 0;
}

static int read_dir(argos_pool *p, argos_ino_t dir, const struct ls_opts *o, struct lslist *l)
{
	struct rd_ctx c = { .l = l, .all = o->all };
	int err = argos_readdir(p, dir, 0, true, rd_entry, &c);

	for (size_t i = 0; i < l->nforget; i++)
		argos_forget(p, l->forget[i], 1);
	l->nforget = 0;
	if (!err)
		err = l->err;
	if (err)
		return err;
	if (l->n)   /* l->v is NULL for an empty directory */
		qsort(l->v, l->n, sizeof(*l->v), cmp_entry);
	return o->lng || o->json ? read_targets(p, l->v, l->n) : 0;
}

/* ---- long format ---- */

struct widths {
	int nlink, user, group, size;
};

static void size_field(const struct argos_attr *a, char *buf, size_t len)
{
	if (S_ISCHR(a->mode) || S_ISBLK(a->mode))
		snprintf(buf, len, "%u, %u", major(a->rdev), minor(a->rdev));
	else
		snprintf(buf, len, "%" PRIu64, a->size);
}

static int width_of(const char *s)
{
	return (int)strlen(s);
}

static void measure(const struct lsent *v, size_t n, struct widths *w)
{
	char buf[64];

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < n; i++) {
		const struct argos_attr *a = &v[i].attr;
		int x;

		snprintf(buf, sizeof(buf), "%" PRIu32, a->nlink);
		if ((x = width_of(buf)) > w->nlink)
			w->nlink = x;
		if ((x = width_of(owner_user_name(a->uid, buf, sizeof(buf)))) > w->user)
			w->user = x;
		if ((x = width_of(owner_group_name(a->gid, buf, sizeof(buf)))) > w->group)
			w->group = x;
		size_field(a, buf, sizeof(buf));
		if ((x = width_of(buf)) > w->size)
			w->size = x;
	}
}

static void print_long(const struct lsent *e, const struct widths *w)
{
	const struct argos_attr *a = &e->attr;
	char ms[11], user[64], group[64], size[64], date[64];

	mode_string(a->mode, ms);
	size_field(a, size, sizeof(size));
	printf("%s %*" PRIu32 " %-*s %-*s %*s %s %s", ms, w->nlink, a->nlink,
	       w->user, owner_user_name(a->uid, user, sizeof(user)),
	       w->group, owner_group_name(a->gid, group, sizeof(group)),
	       w->size, size, nsfmt_time_ls(&a->mtime, date, sizeof(date)), e->name);
	if (e->target)
		printf(" -> %s", e->target);
	putchar('\n');
}

static void print_entries(const struct lsent *v, size_t n, const struct ls_opts *o, bool total)
{
	struct widths w;

	if (!o->lng) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", v[i].name);
		return;
	}
	measure(v, n, &w);
	if (total) {
		uint64_t kib = 0;

		for (size_t i = 0; i < n; i++)
			kib += (v[i].attr.blocks + 1) / 2;
		printf("total %" PRIu64 "\n", kib);
	}
	for (size_t i = 0; i < n; i++)
		print_long(&v[i], &w);
}

static int print_text(struct lsop *ops, size_t nops, const struct ls_opts *o)
{
	struct lsent *files = malloc(nops * sizeof(*files));
	size_t nfiles = 0;
	bool printed;

	if (!files)
		return -ENOMEM;
	for (size_t i = 0; i < nops; i++)
		if (ops[i].self.name && !ops[i].listed)
			files[nfiles++] = ops[i].self;
	qsort(files, nfiles, sizeof(*files), cmp_entry);
	print_entries(files, nfiles, o, false);
	free(files);
	printed = nfiles > 0;
	for (size_t i = 0; i < nops; i++) {
		if (!ops[i].listed)
			continue;
		if (printed)
			putchar('\n');
		if (nops > 1)
			printf("%s:\n", ops[i].path);
		print_entries(ops[i].entries.v, ops[i].entries.n, o, true);
		printed = true;
	}
	return 0;
}

static void json_entry(struct json *j, const struct lsent *e)
{
	json_begin_object(j);
	json_kv_str(j, "name", e->name);
	nsfmt_json_attr(j, &e->attr, e->target);
	json_end_object(j);
}

static void print_json(const struct lsop *ops, size_t nops)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_uint(&j, "schema_version", 1);
	json_key(&j, "paths");
	json_begin_array(&j);
	for (size_t i = 0; i < nops; i++) {
		if (!ops[i].self.name)
			continue;
		json_begin_object(&j);
		json_kv_str(&j, "path", ops[i].path);
		json_key(&j, "entry");
		json_entry(&j, &ops[i].self);
		json_key(&j, "entries");
		if (ops[i].listed) {
			json_begin_array(&j);
			for (size_t k = 0; k < ops[i].entries.n; k++)
				json_entry(&j, &ops[i].entries.v[k]);
			json_end_array(&j);
		} else {
			json_null(&j);
		}
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	(void)json_finish(&j);       /* write errors: see nscmd_finish() */
}

/* Resolve one operand into op->self (and its entries for a directory). */
static int do_operand(argos_pool *p, struct lsop *op, const struct ls_opts *o)
{
	struct nspath np;
	bool follow = !o->lng && !o->dirs_only;
	int err = nspath_resolve(p, op->path, follow ? NSPATH_FOLLOW : 0, &np);

	if (follow && (err == -ENOENT || err == -ELOOP))
		err = nspath_resolve(p, op->path, 0, &np);    /* show a dangling link itself */
	if (err)
		return err;
	op->self.name = strdup(op->path);
	op->self.attr = np.attr;
	if (!op->self.name)
		err = -ENOMEM;
	else if (S_ISDIR(np.attr.mode) && !o->dirs_only) {
		op->listed = true;
		err = read_dir(p, np.ino, o, &op->entries);
	} else if (o->lng || o->json) {
		err = read_targets(p, &op->self, 1);
	}
	nspath_release(p, &np);
	return err;
}

int cmd_ls(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		NSCMD_LONGOPTS
	};
	static const char *const root[] = { "/" };
	struct ls_opts o = { 0 };
	struct lsop *ops = NULL;
	const char *const *paths;
	struct nscmd nc;
	size_t nops = 0;
	int c, rc;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "lad", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': o.lng = true; break;
		case 'a': o.all = true; break;
		case 'd': o.dirs_only = true; break;
		case OPT_JSON: o.json = true; break;
		default:
			if ((rc = nscmd_option(&nc, c, usage)) >= 0)
				goto out;
		}
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 1, -1)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_READ)) >= 0)
		goto out;
	paths = optind + 1 < argc ? (const char *const *)argv + optind + 1 : root;
	nops = optind + 1 < argc ? (size_t)(argc - optind - 1) : 1;
	ops = calloc(nops, sizeof(*ops));
	if (!ops) {
		tool_err(nc.prog, "out of memory");
		rc = CMD_FAIL;
		goto out;
	}
	for (size_t i = 0; i < nops; i++) {
		int err;

		ops[i].path = paths[i];
		err = do_operand(nc.pool, &ops[i], &o);
		if (err) {
			nscmd_fail(&nc, paths[i], err);
			free_entry(&ops[i].self);
			free_list(&ops[i].entries);
			memset(&ops[i], 0, sizeof(ops[i]));
			ops[i].path = paths[i];
		}
	}
	if (o.json)
		print_json(ops, nops);
	else if (print_text(ops, nops, &o))
		nscmd_fail(&nc, nc.spec, -ENOMEM);
	rc = -1;
out:
	for (size_t i = 0; i < nops && ops; i++) {
		free_entry(&ops[i].self);
		free_list(&ops[i].entries);
	}
	free(ops);
	return nscmd_finish(&nc, rc);
}
