/*
 * cmd_truncate.c — `argosfs truncate`: set the size of a file in an
 * unmounted pool.
 *
 * As truncate(1): a missing PATH is created (0666 minus the umask) unless
 * -c; growing leaves a hole; shrinking drops the data past SIZE.  PATH is
 * followed if it is a symlink.
 */
#include <errno.h>
#include <sys/stat.h>

#include "cmds.h"
#include "nscmd.h"
#include "nspath.h"

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [-c] POOL PATH SIZE\n"
"Set the size of the file PATH in the unmounted pool POOL to SIZE bytes\n"
"(suffixes K, M, G, T, P, E: powers of 1024; KiB, MiB... too), creating it if\n"
"it does not exist.  Growing a file leaves a hole.\n"
"\n"
"  -c, --no-create   do not create PATH if it does not exist\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static int truncate_one(struct nscmd *nc, const char *path, uint64_t size, bool create)
{
	struct argos_attr a = { .size = size }, made;
	struct nspath np;
	argos_ino_t ino;
	int err = nspath_resolve(nc->pool, path, NSPATH_FOLLOW | (create ? NSPATH_CREATE : 0),
				 &np);

	if (err)
		return err;
	ino = np.ino;
	if (!ino && np.slash) {
		err = -EISDIR;
		goto out;
	}
	if (!ino) {
		err = argos_mknod(nc->pool, np.parent, np.name, S_IFREG | 0666, 0, &nc->cred, &made);
		if (err)
			goto out;
		ino = made.ino;
		argos_forget(nc->pool, ino, 1);
	}
	err = argos_setattr(nc->pool, ino, &a, ARGOS_SET_SIZE, &nc->cred, NULL);
out:
	nspath_release(nc->pool, &np);
	return err;
}

int cmd_truncate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-create", no_argument, NULL, 'c' },
		NSCMD_LONGOPTS
	};
	const char *size_arg;
	bool create = true;
	struct nscmd nc;
	uint64_t size;
	int c, rc, err;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "ch", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': create = false; break;
		case 'h': c = NSCMD_OPT_HELP; /* fall through */
		default:
			if ((rc = nscmd_option(&nc, c, usage)) >= 0)
				goto out;
		}
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 3, 3)) >= 0)
		goto out;
	size_arg = argv[optind + 2];
	if (tool_parse_size(size_arg, &size) || size > INT64_MAX) {
		rc = nscmd_usage_err(&nc, "invalid size '%s'", size_arg);
		goto out;
	}
	if ((rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0)
		goto out;
	err = truncate_one(&nc, argv[optind + 1], size, create);
	if (err == -ENOENT && !create)
		err = 0;               /* -c: a missing file is not an error */
	if (err)
		nscmd_fail(&nc, argv[optind + 1], err);
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}
