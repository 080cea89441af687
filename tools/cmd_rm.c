/*
 * cmd_rm.c — `argosfs rm` and `argosfs rmdir`: remove names from an
 * unmounted pool.
 *
 * As rm(1) and rmdir(1): the last component is never followed (a symlink is
 * removed itself); rm refuses directories unless -r, which empties them
 * depth first; -f says nothing about names that do not exist; the root
 * directory and names ending in "." or ".." are refused.  A failure on one
 * entry of a tree is reported and the rest is still removed.
 *
 * Emptying a directory reads it in batches from the offset after the last
 * entry read (readdir offsets stay valid while entries go), so an entry that
 * cannot be removed is not met again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "nscmd.h"
#include "nspath.h"

#define RM_BATCH 64

static void rm_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [-r] [-f] POOL PATH...\n"
"Remove each PATH from the unmounted pool POOL.  Directories only with -r.\n"
"A symlink is removed itself, never what it points to.\n"
"\n"
"  -r, -R, --recursive  remove directories and their contents\n"
"  -f, --force          ignore names that do not exist\n"
"  -h                   the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static void rmdir_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s POOL PATH...\n"
"Remove each directory PATH, which must be empty, from the unmounted pool POOL.\n"
"\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

struct rm_batch {
	struct {
		char name[NSPATH_NAME_MAX + 1];
		argos_ino_t ino;
		bool dir;
	} e[RM_BATCH];
	unsigned n;
	uint64_t next;                /* offset after the last entry taken */
};

static int batch_add(void *ctx, const char *name, const struct argos_attr *a, uint64_t next)
{
	struct rm_batch *b = ctx;

	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		b->next = next;
		return 0;
	}
	if (b->n == RM_BATCH)
		return 1;                  /* full: the next call resumes here */
	snprintf(b->e[b->n].name, sizeof(b->e[b->n].name), "%s", name);
	b->e[b->n].ino = a->ino;
	b->e[b->n].dir = S_ISDIR(a->mode);
	b->n++;
	b->next = next;
	return 0;
}

static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	char *s = malloc(dl + strlen(name) + 2);

	if (s)
		sprintf(s, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);
	return s;
}

/* Remove everything in directory ino (named path in messages). */
static void empty_dir(struct nscmd *nc, argos_ino_t ino, const char *path)
{
	struct rm_batch *b = malloc(sizeof(*b));
	uint64_t off = 0;

	if (!b) {
		nscmd_fail(nc, path, -ENOMEM);
		return;
	}
	for (;;) {
		int err;

		b->n = 0;
		b->next = off;
		err = argos_readdir(nc->pool, ino, off, false, batch_add, b);
		if (err) {
			nscmd_fail(nc, path, err);
			break;
		}
		if (b->n == 0)
			break;
		off = b->next;
		for (unsigned i = 0; i < b->n; i++) {
			char *child = join(path, b->e[i].name);

			if (!child) {
				nscmd_fail(nc, path, -ENOMEM);
				continue;
			}
			if (b->e[i].dir)
				empty_dir(nc, b->e[i].ino, child);
			err = b->e[i].dir ? argos_rmdir(nc->pool, ino, b->e[i].name)
					  : argos_unlink(nc->pool, ino, b->e[i].name);
			if (err)
				nscmd_fail(nc, child, err);
			free(child);
		}
	}
	free(b);
}

static bool dot_or_dotdot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

static void rm_one(struct nscmd *nc, const char *path, bool recursive, bool force)
{
	struct nspath np;
	int err = nspath_resolve(nc->pool, path, 0, &np);

	if (err) {
		if (!(force && err == -ENOENT))
			nscmd_fail(nc, path, err);
		return;
	}
	if (!np.name[0] || dot_or_dotdot(np.name)) {
		tool_err(nc->prog, "%s: refusing to remove %s", path,
			 np.name[0] ? "'.' or '..'" : "the pool's root directory");
		nc->failed = true;
	} else if (S_ISDIR(np.attr.mode) && !recursive) {
		nscmd_fail(nc, path, -EISDIR);
	} else if (S_ISDIR(np.attr.mode)) {
		empty_dir(nc, np.ino, path);
		err = argos_rmdir(nc->pool, np.parent, np.name);
		if (err)
			nscmd_fail(nc, path, err);
	} else {
		err = argos_unlink(nc->pool, np.parent, np.name);
		if (err)
			nscmd_fail(nc, path, err);
	}
	nspath_release(nc->pool, &np);
}

int cmd_rm(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "recursive", no_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		NSCMD_LONGOPTS
	};
	bool recursive = false, force = false;
	struct nscmd nc;
	int c, rc;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "rRfh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'R': recursive = true; break;
		case 'f': force = true; break;
		case 'h': c = NSCMD_OPT_HELP; /* fall through */
		default:
			if ((rc = nscmd_option(&nc, c, rm_usage)) >= 0)
				goto out;
		}
	}
	/* rm -f with no PATH is not an error (as rm(1)); without -f it is */
	if ((rc = nscmd_operands(&nc, argc, argv, force ? 1 : 2, -1)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0)
		goto out;
	for (int i = optind + 1; i < argc; i++)
		rm_one(&nc, argv[i], recursive, force);
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}

int cmd_rmdir(int argc, char **argv)
{
	struct nscmd nc;
	int rc;

	if ((rc = nscmd_parse_common(&nc, argc, argv, rmdir_usage)) >= 0)
		goto out;
	if ((rc = nscmd_operands(&nc, argc, argv, 2, -1)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0)
		goto out;
	for (int i = optind + 1; i < argc; i++) {
		struct nspath np;
		int err = nspath_resolve(nc.pool, argv[i], 0, &np);

		if (!err) {
			err = np.name[0] ? argos_rmdir(nc.pool, np.parent, np.name) : -EBUSY;
			nspath_release(nc.pool, &np);
		}
		if (err)
			nscmd_fail(&nc, argv[i], err);
	}
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}
