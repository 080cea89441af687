/*
 * cmd_get.c — `argosfs get` and `argosfs cat`: copy files out of an
 * unmounted pool, streaming (read-only).
 *
 * PATH is followed if it is a symlink.  get writes LOCAL (- for standard
 * output; an existing directory receives PATH's base name), created with
 * PATH's permission bits minus the umask, as cp(1) does; blocks of zeros
 * become holes in a regular LOCAL.  cat writes each PATH to standard output.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "nscmd.h"
#include "nspath.h"

#define GET_CHUNK (1u << 20)
#define GET_BLOCK 4096u

static void get_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s POOL PATH LOCAL\n"
"Copy the file PATH of the unmounted pool POOL to the local file LOCAL (- for\n"
"standard output), which is created or truncated; if LOCAL is a directory, the\n"
"copy is LOCAL/<PATH's base name>.  Holes stay holes.  Read-only.\n"
"\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static void cat_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s POOL PATH...\n"
"Write each file PATH of the unmounted pool POOL to standard output.  Read-only.\n"
"\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write buf at the current offset of fd, seeking over zero blocks. */
static int write_sparse(int fd, const char *buf, size_t n)
{
	static const char zero[GET_BLOCK];

	for (size_t i = 0; i < n; i += GET_BLOCK) {
		size_t len = n - i < GET_BLOCK ? n - i : GET_BLOCK;
		int err;

		if (!memcmp(buf + i, zero, len)) {
			if (lseek(fd, (off_t)len, SEEK_CUR) < 0)
				return -errno;
			continue;
		}
		err = write_all(fd, buf + i, len);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Copy regular file ino to fd.  0, or -errno with *local_err when writing fd
 * failed.  sparse: fd is a regular file opened by us (seek over zeros, then
 * set its length).
 */
static int copy_out(argos_pool *p, argos_ino_t ino, int fd, bool sparse, bool *local_err)
{
	char *buf = malloc(GET_CHUNK);
	uint64_t off = 0, fh;
	int err;

	if (!buf)
		return -ENOMEM;
	err = argos_open(p, ino, O_RDONLY, &fh);
	if (err)
		goto out;
	for (;;) {
		int n = argos_read(p, ino, fh, buf, GET_CHUNK, off);

		if (n <= 0) {
			err = n;
			break;
		}
		err = sparse ? write_sparse(fd, buf, (size_t)n) : write_all(fd, buf, (size_t)n);
		if (err) {
			*local_err = true;
			break;
		}
		off += (uint64_t)n;
	}
	argos_release(p, ino, fh);
	if (!err && sparse && ftruncate(fd, (off_t)off) < 0) {
		err = -errno;
		*local_err = true;
	}
out:
	free(buf);
	return err;
}

/* Resolve path to a regular file (following symlinks): held in np. */
static int resolve_file(argos_pool *p, const char *path, struct nspath *np)
{
	int err = nspath_resolve(p, path, NSPATH_FOLLOW, np);

	if (!err && !S_ISREG(np->attr.mode)) {
		err = S_ISDIR(np->attr.mode) ? -EISDIR : -EINVAL;
		nspath_release(p, np);
	}
	return err;
}

/* Open LOCAL for writing (created with mode minus the umask); into a
 * directory under path's base name (*joined, malloc'd). */
static int open_local(const char *local, const char *path, mode_t mode, char **joined)
{
	struct stat st;
	int fd;

	if (stat(local, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *copy = strdup(path), *b;

		if (!copy)
			return -ENOMEM;
		b = basename(copy);
		*joined = malloc(strlen(local) + strlen(b) + 2);
		if (*joined)
			sprintf(*joined, "%s/%s", local, b);
		free(copy);
		if (!*joined)
			return -ENOMEM;
		local = *joined;
	}
	fd = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777);
	return fd < 0 ? -errno : fd;
}

int cmd_get(int argc, char **argv)
{
	const char *path, *local;
	char *joined = NULL;
	bool local_err = false, to_stdout;
	struct nspath np;
	struct nscmd nc;
	int rc, err, fd = -1;

	if ((rc = nscmd_parse_common(&nc, argc, argv, get_usage)) >= 0)
		goto out;
	if ((rc = nscmd_operands(&nc, argc, argv, 3, 3)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_READ)) >= 0)
		goto out;
	path = argv[optind + 1];
	local = argv[optind + 2];
	to_stdout = !strcmp(local, "-");
	rc = -1;
	err = resolve_file(nc.pool, path, &np);
	if (err) {
		nscmd_fail(&nc, path, err);
		goto out;
	}
	fd = to_stdout ? STDOUT_FILENO : open_local(local, path, np.attr.mode, &joined);
	if (fd < 0) {
		nscmd_fail(&nc, joined ? joined : local, fd);
	} else {
		err = copy_out(nc.pool, np.ino, fd, !to_stdout, &local_err);
		if (!to_stdout && close(fd) < 0 && !err) {
			err = -errno;
			local_err = true;
		}
		if (err)
			nscmd_fail(&nc, local_err ? (joined ? joined : local) : path, err);
	}
	nspath_release(nc.pool, &np);
out:
	free(joined);
	return nscmd_finish(&nc, rc);
}

int cmd_cat(int argc, char **argv)
{
	struct nscmd nc;
	int rc;

	if ((rc = nscmd_parse_common(&nc, argc, argv, cat_usage)) >= 0)
		goto out;
	if ((rc = nscmd_operands(&nc, argc, argv, 2, -1)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_READ)) >= 0)
		goto out;
	for (int i = optind + 1; i < argc; i++) {
		bool local_err = false;
		struct nspath np;
		int err = resolve_file(nc.pool, argv[i], &np);

		if (!err) {
			err = copy_out(nc.pool, np.ino, STDOUT_FILENO, false, &local_err);
			nspath_release(nc.pool, &np);
		}
		if (err && local_err) {
			tool_err(nc.prog, "write error: %s", argos_strerror(err));
			nc.failed = true;
			break;
		}
		if (err)
			nscmd_fail(&nc, argv[i], err);
	}
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}
