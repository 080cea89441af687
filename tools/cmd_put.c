/*
 * cmd_put.c — `argosfs put`: copy a local file (or standard input) into an
 * unmounted pool, streaming.
 *
 * The data goes through a buffer of PUT_CHUNK bytes filled completely before
 * each write (sequential writes make full stripes); a chunk of zeros is not
 * written but left as a hole, and the size is set at the end.  PATH is
 * followed if it is a symlink; a PATH that is a directory receives
 * LOCAL's base name.  A new file gets LOCAL's permission bits exactly (0644
 * from standard input); an existing regular file is truncated and keeps its
 * mode, as with cp(1).
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

#define PUT_CHUNK (1u << 20)

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s POOL LOCAL PATH\n"
"Copy the local file LOCAL (- for standard input) to PATH in the unmounted pool\n"
"POOL, creating it (with LOCAL's permission bits) or truncating it (keeping its\n"
"mode).  If PATH is a directory, the copy is PATH/<LOCAL's base name>.  Runs of\n"
"zeros become holes.\n"
"\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

/* Fill buf from fd as far as it goes: bytes read, 0 at the end, -errno. */
static ssize_t read_full(int fd, char *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static bool all_zero(const char *buf, size_t n)
{
	return n == 0 || (buf[0] == 0 && !memcmp(buf, buf + 1, n - 1));
}

/*
 * Open (truncating) or create the destination: *ino and *fh.  When PATH is a
 * directory, *joined (malloc'd) is the name used inside it.
 */
static int open_dest(struct nscmd *nc, const char *path, const char *local, mode_t mode,
		     argos_ino_t *ino, uint64_t *fh, char **joined)
{
	struct argos_cred cr = nc->cred;
	struct argos_attr a = { .size = 0 };
	struct nspath np;
	int err = nspath_resolve(nc->pool, path, NSPATH_FOLLOW | NSPATH_CREATE, &np);

	if (!err && np.ino && S_ISDIR(np.attr.mode)) {
		/* into the directory, under LOCAL's base name */
		char *base = strdup(local), *b;

		nspath_release(nc->pool, &np);
		if (!base)
			return -ENOMEM;
		b = basename(base);
		*joined = malloc(strlen(path) + strlen(b) + 2);
		if (*joined)
			sprintf(*joined, "%s/%s", path, b);
		free(base);
		if (!*joined)
			return -ENOMEM;
		if (!strcmp(local, "-"))
			return -EISDIR;
		err = nspath_resolve(nc->pool, *joined, NSPATH_FOLLOW | NSPATH_CREATE, &np);
		if (!err && np.ino && S_ISDIR(np.attr.mode)) {
			nspath_release(nc->pool, &np);
			return -EISDIR;
		}
	}
	if (err)
		return err;
	if (np.ino) {
		*ino = np.ino;
		err = argos_open(nc->pool, np.ino, O_WRONLY, fh);
		if (!err) {
			err = argos_setattr(nc->pool, np.ino, &a, ARGOS_SET_SIZE, &nc->cred, NULL);
			if (err)
				argos_release(nc->pool, np.ino, *fh);
		}
	} else if (np.slash) {
		err = -EISDIR;                /* "newname/": a file cannot be meant */
	} else {
		cr.umask = 0;
		err = argos_create(nc->pool, np.parent, np.name, mode & 07777, O_WRONLY, &cr, &a,
				   fh);
		if (!err) {
			*ino = a.ino;
			argos_forget(nc->pool, a.ino, 1);
		}
	}
	nspath_release(nc->pool, &np);
	return err;
}

/* Copy fd to (ino, fh): 0, or -errno with *local_err telling whose error. */
static int copy_in(struct nscmd *nc, int fd, argos_ino_t ino, uint64_t fh, bool *local_err)
{
	char *buf = malloc(PUT_CHUNK);
	uint64_t off = 0, written_end = 0;
	struct argos_attr a = { 0 };
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read_full(fd, buf, PUT_CHUNK);

		if (n < 0) {
			*local_err = true;
			err = (int)n;
			break;
		}
		if (n == 0)
			break;
		if (!all_zero(buf, (size_t)n)) {
			int w = argos_write(nc->pool, ino, fh, buf, (size_t)n, off);

			if (w < 0) {
				err = w;
				break;
			}
			written_end = off + (uint64_t)n;
		}
		off += (uint64_t)n;
	}
	free(buf);
	if (!err && off > written_end) {
		a.size = off;             /* trailing zeros: a hole up to the size */
		err = argos_setattr(nc->pool, ino, &a, ARGOS_SET_SIZE, &nc->cred, NULL);
	}
	return err;
}

int cmd_put(int argc, char **argv)
{
	const char *local, *path;
	char *joined = NULL;
	bool local_err = false;
	argos_ino_t ino = 0;
	struct stat st;
	struct nscmd nc;
	uint64_t fh = 0;
	int rc, err, c, fd = -1;

	if ((rc = nscmd_parse_common(&nc, argc, argv, usage)) >= 0)
		goto out;
	if ((rc = nscmd_operands(&nc, argc, argv, 3, 3)) >= 0)
		goto out;
	local = argv[optind + 1];
	path = argv[optind + 2];
	rc = CMD_FAIL;
	fd = strcmp(local, "-") ? open(local, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0 || fstat(fd, &st) < 0) {
		tool_err(nc.prog, "%s: %s", local, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		tool_err(nc.prog, "%s: %s", local, strerror(EISDIR));
		goto out;
	}
	if (fd == STDIN_FILENO)
		st.st_mode = 0644;
	if ((rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0)
		goto out;
	err = open_dest(&nc, path, local, st.st_mode, &ino, &fh, &joined);
	if (!err) {
		err = copy_in(&nc, fd, ino, fh, &local_err);
		c = argos_release(nc.pool, ino, fh);
		if (!err)
			err = c;
	}
	if (err && local_err)
		nscmd_fail(&nc, local, err);
	else if (err)
		nscmd_fail(&nc, joined ? joined : path, err);
	rc = -1;
out:
	if (fd > STDIN_FILENO)
		close(fd);
	free(joined);
	return nscmd_finish(&nc, rc);
}
