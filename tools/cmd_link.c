/*
 * cmd_link.c — `argosfs symlink` and `argosfs ln`: new names in an
 * unmounted pool.
 *
 * symlink stores TARGET as given (it is not resolved; relative targets are
 * relative to the link's directory).  ln makes a hard link to TARGET itself:
 * a symlink TARGET is linked, not followed (GNU ln's default on Linux), and
 * a directory TARGET is refused (EPERM).  LINK names the new entry and must
 * not exist.
 */
#include <errno.h>

#include "cmds.h"
#include "nscmd.h"
#include "nspath.h"

static void symlink_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s POOL TARGET LINK\n"
"Make LINK in the unmounted pool POOL a symbolic link to TARGET.  TARGET is\n"
"stored as given; a relative TARGET is resolved from LINK's directory.\n"
"\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static void ln_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s POOL TARGET LINK\n"
"Make LINK in the unmounted pool POOL a hard link to TARGET (not a directory;\n"
"a symlink TARGET is linked itself, not followed).\n"
"\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

/* Parse [options] POOL TARGET LINK and open POOL: -1 to go on, or the status. */
static int parse(struct nscmd *nc, int argc, char **argv,
		 void (*usage)(FILE *f, const char *prog))
{
	int rc;

	if ((rc = nscmd_parse_common(nc, argc, argv, usage)) >= 0)
		return rc;
	if ((rc = nscmd_operands(nc, argc, argv, 3, 3)) >= 0)
		return rc;
	return nscmd_open(nc, argv[optind], NSCMD_WRITE);
}

/* Resolve LINK, which must not exist: -EEXIST when it does. */
static int new_name(struct nscmd *nc, const char *link, struct nspath *np)
{
	int err = nspath_resolve(nc->pool, link, NSPATH_CREATE, np);

	if (!err && np->ino) {
		nspath_release(nc->pool, np);
		err = -EEXIST;
	}
	return err;
}

int cmd_symlink(int argc, char **argv)
{
	struct argos_attr a;
	struct nspath np;
	struct nscmd nc;
	const char *link;
	int rc, err;

	if ((rc = parse(&nc, argc, argv, symlink_usage)) >= 0)
		goto out;
	link = argv[optind + 2];
	err = new_name(&nc, link, &np);
	if (!err) {
		err = argos_symlink(nc.pool, np.parent, np.name, argv[optind + 1], &nc.cred, &a);
		if (!err)
			argos_forget(nc.pool, a.ino, 1);
		nspath_release(nc.pool, &np);
	}
	if (err)
		nscmd_fail(&nc, link, err);
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}

int cmd_ln(int argc, char **argv)
{
	struct nspath target, np;
	struct argos_attr a;
	struct nscmd nc;
	const char *bad;
	int rc, err;

	if ((rc = parse(&nc, argc, argv, ln_usage)) >= 0)
		goto out;
	bad = argv[optind + 1];
	err = nspath_resolve(nc.pool, bad, 0, &target);
	if (err)
		goto fail;
	bad = argv[optind + 2];
	err = new_name(&nc, bad, &np);
	if (!err) {
		err = argos_link(nc.pool, target.ino, np.parent, np.name, &a);
		if (!err)
			argos_forget(nc.pool, a.ino, 1);
		else if (err == -EPERM)
			bad = argv[optind + 1];     /* a directory cannot be linked */
		nspath_release(nc.pool, &np);
	}
	nspath_release(nc.pool, &target);
fail:
	if (err)
		nscmd_fail(&nc, bad, err);
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}
