/*
 * cmd_rename.c — `argosfs rename`: rename(2)/renameat2(2) in an unmounted pool.
 *
 * OLD and NEW are names: a symlink in the last component is renamed, not
 * followed.  NEW is replaced when it exists (an empty directory by a
 * directory, a non-directory by a non-directory), unless --noreplace
 * (EEXIST); --exchange swaps two existing names.  Unlike mv(1), a NEW that
 * is a directory is not moved into.
 */
#include <errno.h>
#include <sys/stat.h>

#include "cmds.h"
#include "nscmd.h"
#include "nspath.h"

enum { OPT_NOREPLACE = NSCMD_OPT_FIRST_FREE, OPT_EXCHANGE };

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--noreplace | --exchange] POOL OLD NEW\n"
"Rename OLD to NEW in the unmounted pool POOL, replacing NEW if it exists (an\n"
"empty directory may be replaced by a directory, a file by a file).\n"
"\n"
"      --noreplace   fail (File exists) if NEW exists\n"
"      --exchange    swap OLD and NEW, which must both exist\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

/* Which operand an engine error is about: NEW for the errors that describe it. */
static bool about_new(int err)
{
	return err == -EEXIST || err == -ENOTEMPTY || err == -EISDIR || err == -ENOTDIR;
}

static int do_rename(struct nscmd *nc, const char *old, const char *new, unsigned flags,
		     const char **bad)
{
	struct nspath from, to;
	int err;

	*bad = old;
	err = nspath_resolve(nc->pool, old, 0, &from);
	if (err)
		return err;
	*bad = new;
	err = nspath_resolve(nc->pool, new, NSPATH_CREATE, &to);
	if (err)
		goto out_from;
	if (!from.name[0] || !to.name[0]) {
		*bad = from.name[0] ? new : old;
		err = -EBUSY;                  /* the root cannot move or be replaced */
	} else if (!to.ino && (flags & ARGOS_RENAME_EXCHANGE)) {
		err = -ENOENT;
	} else if ((from.slash || to.slash) && !S_ISDIR(from.attr.mode)) {
		*bad = from.slash ? old : new;
		err = -ENOTDIR;
	} else {
		err = argos_rename(nc->pool, from.parent, from.name, to.parent, to.name, flags);
		*bad = about_new(err) ? new : old;
	}
	nspath_release(nc->pool, &to);
out_from:
	nspath_release(nc->pool, &from);
	return err;
}

int cmd_rename(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "noreplace", no_argument, NULL, OPT_NOREPLACE },
		{ "exchange", no_argument, NULL, OPT_EXCHANGE },
		NSCMD_LONGOPTS
	};
	unsigned flags = 0;
	struct nscmd nc;
	const char *bad;
	int c, rc, err;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_NOREPLACE: flags |= ARGOS_RENAME_NOREPLACE; break;
		case OPT_EXCHANGE: flags |= ARGOS_RENAME_EXCHANGE; break;
		case 'h': c = NSCMD_OPT_HELP; /* fall through */
		default:
			if ((rc = nscmd_option(&nc, c, usage)) >= 0)
				goto out;
		}
	}
	if (flags == (ARGOS_RENAME_NOREPLACE | ARGOS_RENAME_EXCHANGE)) {
		rc = nscmd_usage_err(&nc, "--noreplace and --exchange exclude each other");
		goto out;
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 3, 3)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0)
		goto out;
	err = do_rename(&nc, argv[optind + 1], argv[optind + 2], flags, &bad);
	if (err)
		nscmd_fail(&nc, bad, err);
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}
