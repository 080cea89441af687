/*
 * cmd_mkdir.c — `argosfs mkdir` and `argosfs mknod`: make directories,
 * FIFOs, sockets, device nodes and empty regular files in an unmounted pool.
 *
 * As mkdir(1) and mknod(1): new objects get 0777 (0666) minus the umask
 * 022, or exactly -m MODE; mkdir -p makes missing parents (0755) and
 * accepts directories that exist; the last component of PATH is never
 * followed (an existing symlink there is EEXIST).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cmds.h"
#include "mode.h"
#include "nscmd.h"
#include "nspath.h"

static void mkdir_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [-p] [-m MODE] POOL PATH...\n"
"Make the directories PATH in the unmounted pool POOL.\n"
"\n"
"  -m, --mode MODE   set the mode to MODE (octal, or symbolic as chmod), not\n"
"                    0777 minus the umask (022)\n"
"  -p, --parents     make missing parent directories too; no error if a\n"
"                    directory exists\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static void mknod_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [-m MODE] POOL PATH TYPE [MAJOR MINOR]\n"
"Make PATH in the unmounted pool POOL, of TYPE:\n"
"  p  a FIFO          s  a socket        f  an empty regular file\n"
"  c, u  a character device   b  a block device   (these take MAJOR MINOR)\n"
"\n"
"  -m, --mode MODE   set the mode to MODE (octal, or symbolic as chmod), not\n"
"                    0666 minus the umask (022)\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

/* Set the bits the engine does not take at creation (setuid, setgid). */
static int fix_mode(struct nscmd *nc, const struct argos_attr *a, uint32_t mode)
{
	struct argos_attr in = { .mode = mode };

	if ((a->mode & 07777) == mode)
		return 0;
	return argos_setattr(nc->pool, a->ino, &in, ARGOS_SET_MODE, &nc->cred, NULL);
}

/* mkdir parent/name with mode (umask applied unless exact). */
static int make_dir(struct nscmd *nc, const struct nspath *np, uint32_t mode, bool exact)
{
	struct argos_cred cr = nc->cred;
	struct argos_attr a;
	int err;

	if (exact)
		cr.umask = 0;
	err = argos_mkdir(nc->pool, np->parent, np->name, mode, &cr, &a);
	if (err)
		return err;
	if (exact)
		err = fix_mode(nc, &a, mode);
	argos_forget(nc->pool, a.ino, 1);
	return err;
}

/* One prefix of a mkdir -p path: made when missing, else it must be a directory. */
static int make_prefix(struct nscmd *nc, const char *prefix, bool last, uint32_t mode,
		       bool exact)
{
	struct nspath np;
	int err = nspath_resolve(nc->pool, prefix, NSPATH_FOLLOW | NSPATH_CREATE, &np);

	if (err)
		return err;
	if (np.ino == 0)
		err = last ? make_dir(nc, &np, mode, exact) : make_dir(nc, &np, 0755, true);
	else if (!S_ISDIR(np.attr.mode))
		err = last ? -EEXIST : -ENOTDIR;
	nspath_release(nc->pool, &np);
	return err;
}

static int mkdir_parents(struct nscmd *nc, const char *path, uint32_t mode, bool exact)
{
	size_t len = strlen(path), end = 0;
	char *prefix;
	int err = 0;

	if (len >= NSPATH_MAX)
		return -ENAMETOOLONG;
	prefix = malloc(len + 1);
	if (!prefix)
		return -ENOMEM;
	while (!err) {
		size_t next;

		while (path[end] == '/')
			end++;
		if (!path[end])
			break;
		while (path[end] && path[end] != '/')
			end++;
		for (next = end; path[next] == '/'; next++)
			;
		memcpy(prefix, path, end);
		prefix[end] = '\0';
		err = make_prefix(nc, prefix, path[next] == '\0', mode, exact);
	}
	free(prefix);
	return err;
}

static int mkdir_one(struct nscmd *nc, const char *path, uint32_t mode, bool exact)
{
	struct nspath np;
	int err = nspath_resolve(nc->pool, path, NSPATH_CREATE, &np);

	if (err)
		return err;
	err = np.ino ? -EEXIST : make_dir(nc, &np, mode, exact);
	nspath_release(nc->pool, &np);
	return err;
}

int cmd_mkdir(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "parents", no_argument, NULL, 'p' },
		NSCMD_LONGOPTS
	};
	const char *mode_arg = NULL;
	bool parents = false;
	uint32_t mode = 0777;
	struct nscmd nc;
	int c, rc;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "m:ph", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': mode_arg = optarg; break;
		case 'p': parents = true; break;
		case 'h': c = NSCMD_OPT_HELP; /* fall through */
		default:
			if ((rc = nscmd_option(&nc, c, mkdir_usage)) >= 0)
				goto out;
		}
	}
	if (mode_arg && mode_parse(mode_arg, S_IFDIR | 0777, nc.cred.umask, &mode)) {
		rc = nscmd_usage_err(&nc, "invalid mode '%s'", mode_arg);
		goto out;
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 2, -1)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0)
		goto out;
	for (int i = optind + 1; i < argc; i++) {
		int err = parents ? mkdir_parents(&nc, argv[i], mode, mode_arg != NULL)
				  : mkdir_one(&nc, argv[i], mode, mode_arg != NULL);

		if (err)
			nscmd_fail(&nc, argv[i], err);
	}
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}

/* ---- mknod ---- */

static int node_type(const char *t, uint32_t *type)
{
	if (strlen(t) != 1)
		return -EINVAL;
	switch (t[0]) {
	case 'p': *type = S_IFIFO; return 0;
	case 's': *type = S_IFSOCK; return 0;
	case 'f': *type = S_IFREG; return 0;
	case 'c':
	case 'u': *type = S_IFCHR; return 0;
	case 'b': *type = S_IFBLK; return 0;
	default: return -EINVAL;
	}
}

static int mknod_one(struct nscmd *nc, const char *path, uint32_t mode, bool exact,
		     uint64_t rdev)
{
	struct argos_cred cr = nc->cred;
	struct argos_attr a;
	struct nspath np;
	int err = nspath_resolve(nc->pool, path, NSPATH_CREATE, &np);

	if (err)
		return err;
	if (np.ino) {
		err = -EEXIST;
		goto out;
	}
	if (exact)
		cr.umask = 0;
	err = argos_mknod(nc->pool, np.parent, np.name, mode, rdev, &cr, &a);
	if (err)
		goto out;
	if (exact)
		err = fix_mode(nc, &a, mode & 07777);
	argos_forget(nc->pool, a.ino, 1);
out:
	nspath_release(nc->pool, &np);
	return err;
}

int cmd_mknod(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		NSCMD_LONGOPTS
	};
	const char *mode_arg = NULL;
	unsigned maj = 0, min = 0;
	uint32_t type, perm = 0666;
	struct nscmd nc;
	int c, rc, nargs;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': mode_arg = optarg; break;
		case 'h': c = NSCMD_OPT_HELP; /* fall through */
		default:
			if ((rc = nscmd_option(&nc, c, mknod_usage)) >= 0)
				goto out;
		}
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 3, 5)) >= 0)
		goto out;
	nargs = argc - optind;
	if (node_type(argv[optind + 2], &type)) {
		rc = nscmd_usage_err(&nc, "invalid type '%s'", argv[optind + 2]);
		goto out;
	}
	if (type == S_IFCHR || type == S_IFBLK) {
		if (nargs != 5) {
			rc = nscmd_usage_err(&nc, "special files need MAJOR and MINOR");
			goto out;
		}
		if (tool_parse_uint(argv[optind + 3], 4095, &maj) ||
		    tool_parse_uint(argv[optind + 4], 0xfffff, &min)) {
			rc = nscmd_usage_err(&nc, "invalid device number '%s %s'",
					     argv[optind + 3], argv[optind + 4]);
			goto out;
		}
	} else if (nargs != 3) {
		rc = nscmd_usage_err(&nc, "only character and block devices take MAJOR MINOR");
		goto out;
	}
	if (mode_arg && mode_parse(mode_arg, type | 0666, nc.cred.umask, &perm)) {
		rc = nscmd_usage_err(&nc, "invalid mode '%s'", mode_arg);
		goto out;
	}
	if ((rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0)
		goto out;
	rc = mknod_one(&nc, argv[optind + 1], type | perm, mode_arg != NULL, makedev(maj, min));
	if (rc)
		nscmd_fail(&nc, argv[optind + 1], rc);
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}
