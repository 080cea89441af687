/*
 * cmd_chmod.c — `argosfs chmod` and `argosfs chown`: mode, owner and group
 * of files in an unmounted pool.
 *
 * The new mode or owner comes last (POOL PATH... MODE), so that a mode such
 * as "-w" is an operand: options go before POOL.  chmod follows a symlink
 * (a link's own mode means nothing); chown follows it unless -h.  MODE is
 * read as chmod(1) reads it (mode.h), OWNER[:GROUP] as chown(1) (owner.h).
 */
#include <errno.h>
#include <sys/stat.h>

#include "cmds.h"
#include "mode.h"
#include "nscmd.h"
#include "nspath.h"
#include "owner.h"

static void chmod_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [options] POOL PATH... MODE\n"
"Change the mode of each PATH in the unmounted pool POOL to MODE: octal (755,\n"
"4755), or symbolic clauses as chmod(1): [ugoa]*[-+=][rwxXst]* or [-+=][ugo],\n"
"separated by commas (u+x,g-w,o=r).  Without u, g, o or a, the umask (022)\n"
"limits the change.  Symlinks are followed.  Options come before POOL.\n"
"\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static void chown_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [-h] [options] POOL PATH... OWNER[:GROUP]\n"
"Change the owner and/or group of each PATH in the unmounted pool POOL.  OWNER\n"
"and GROUP are names (looked up on this system) or numbers; \"OWNER:\" also sets\n"
"OWNER's login group, \":GROUP\" the group only.  Symlinks are followed.\n"
"Options come before POOL.\n"
"\n"
"  -h, --no-dereference  change a symlink itself, not what it points to\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static int chmod_one(struct nscmd *nc, const char *path, const char *mode)
{
	struct argos_attr in = { 0 };
	struct nspath np;
	int err = nspath_resolve(nc->pool, path, NSPATH_FOLLOW, &np);

	if (err)
		return err;
	err = mode_parse(mode, np.attr.mode, nc->cred.umask, &in.mode);
	if (!err)
		err = argos_setattr(nc->pool, np.ino, &in, ARGOS_SET_MODE, &nc->cred, NULL);
	nspath_release(nc->pool, &np);
	return err;
}

int cmd_chmod(int argc, char **argv)
{
	static const struct option longopts[] = { NSCMD_LONGOPTS };
	const char *mode;
	struct nscmd nc;
	uint32_t probe;
	int c, rc;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'h')
			c = NSCMD_OPT_HELP;
		if ((rc = nscmd_option(&nc, c, chmod_usage)) >= 0)
			goto out;
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 3, -1)) >= 0)
		goto out;
	mode = argv[argc - 1];
	if (mode_parse(mode, 0, 0, &probe)) {
		rc = nscmd_usage_err(&nc, "invalid mode: '%s'", mode);
		goto out;
	}
	if ((rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0)
		goto out;
	for (int i = optind + 1; i < argc - 1; i++) {
		int err = chmod_one(&nc, argv[i], mode);

		if (err)
			nscmd_fail(&nc, argv[i], err);
	}
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}

int cmd_chown(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-dereference", no_argument, NULL, 'h' },
		NSCMD_LONGOPTS
	};
	struct argos_attr in = { 0 };
	unsigned flags = NSPATH_FOLLOW, what;
	char why[128];
	struct nscmd nc;
	int c, rc;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'h')
			flags = 0;
		else if ((rc = nscmd_option(&nc, c, chown_usage)) >= 0)
			goto out;
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 3, -1)) >= 0)
		goto out;
	if (owner_parse(argv[argc - 1], &in.uid, &in.gid, &what, why, sizeof(why))) {
		rc = nscmd_usage_err(&nc, "%s", why);
		goto out;
	}
	if ((rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0)
		goto out;
	for (int i = optind + 1; i < argc - 1; i++) {
		struct nspath np;
		int err = nspath_resolve(nc.pool, argv[i], flags, &np);

		if (!err) {
			err = argos_setattr(nc.pool, np.ino, &in, what, &nc.cred, NULL);
			nspath_release(nc.pool, &np);
		}
		if (err)
			nscmd_fail(&nc, argv[i], err);
	}
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}
