/*
 * nscmd.c — the shared frame of the offline namespace commands (see nscmd.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "nscmd.h"

void nscmd_init(struct nscmd *nc, char **argv)
{
	memset(nc, 0, sizeof(*nc));
	nc->prog = argv[0];
	tool_log_init(&nc->tl, nc->prog, ARGOS_LOG_WARNING);
	nc->cred = argos_root_cred;
	nc->cred.umask = 022;
}

int nscmd_option(struct nscmd *nc, int c, void (*usage)(FILE *f, const char *prog))
{
	switch (c) {
	case NSCMD_OPT_HELP:
		usage(stdout, nc->prog);
		return tool_stdout_ok(nc->prog) ? CMD_OK : CMD_FAIL;
	case NSCMD_OPT_SEARCH:
		if (tool_search_add(&nc->search, optarg)) {
			tool_err(nc->prog, "out of memory");
			return CMD_FAIL;
		}
		return -1;
	case NSCMD_OPT_DEGRADED:
		nc->open_flags |= ARGOS_OPEN_DEGRADED;
		return -1;
	default:
		/* '?' or ':': getopt said what was wrong */
		fprintf(stderr, "Try '%s --help' for more information.\n", nc->prog);
		return CMD_USAGE;
	}
}

int nscmd_parse_common(struct nscmd *nc, int argc, char **argv,
		       void (*usage)(FILE *f, const char *prog))
{
	static const struct option longopts[] = { NSCMD_LONGOPTS };
	int c, rc;

	nscmd_init(nc, argv);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h')
			c = NSCMD_OPT_HELP;
		if ((rc = nscmd_option(nc, c, usage)) >= 0)
			return rc;
	}
	return -1;
}

int nscmd_usage_err(struct nscmd *nc, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", nc->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", nc->prog);
	return CMD_USAGE;
}

int nscmd_operands(struct nscmd *nc, int argc, char **argv, int min, int max)
{
	int n = argc - optind;

	if (n <= 0)
		return nscmd_usage_err(nc, "no pool given");
	if (n < min)
		return nscmd_usage_err(nc, "missing operand");
	if (max >= 0 && n > max)
		return nscmd_usage_err(nc, "extra operand '%s'", argv[optind + max]);
	return -1;
}

/*
 * Is member path held by another process (a mount, a tool writing)?  A
 * read-only open takes no ownership, so it would read a pool under change:
 * an image file with a lock on it (the engine's OFD lock, or any POSIX
 * lock), or a block device that another process has open O_EXCL, is held.
 */
static bool member_held(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat st;
	bool held = false;
	int fd;

	if (stat(path, &st) < 0)
		return false;           /* missing: the open says so */
	if (S_ISBLK(st.st_mode)) {
		fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC);
		if (fd < 0)
			return errno == EBUSY;
		close(fd);
		return false;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fcntl(fd, F_OFD_GETLK, &fl) == 0)
		held = fl.l_type != F_UNLCK;
	close(fd);
	return held;
}

/* The first held member of the pool, waiting up to NSCMD_HELD_WAIT_MS for a
 * holder that is letting go (a daemon's last checkpoint after umount). */
#define NSCMD_HELD_WAIT_MS 2000
static const char *held_member(struct nscmd *nc)
{
	for (unsigned waited = 0;; waited += 100) {
		const char *held = NULL;

		for (unsigned i = 0; i < nc->n && !held; i++)
			if (member_held(nc->paths[i]))
				held = nc->paths[i];
		if (!held || waited >= NSCMD_HELD_WAIT_MS)
			return held;
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	}
}

int nscmd_open(struct nscmd *nc, const char *spec, bool write)
{
	const char *held;
	struct argos_open_opts oo = { .flags = nc->open_flags, .log = &nc->tl.log };
	char why[256] = "";
	int err;

	nc->spec = spec;
	if (tool_search_add_env(&nc->search)) {
		tool_err(nc->prog, "out of memory");
		return CMD_FAIL;
	}
	err = tool_resolve_pool(nc->prog, spec, &nc->search, &nc->tl.log, &nc->paths, &nc->n);
	if (err)
		return err == -EINVAL ? CMD_USAGE : CMD_FAIL;
	if (!write) {
		oo.flags |= ARGOS_OPEN_RDONLY;
		held = held_member(nc);
		if (held) {
			tool_err(nc->prog, "%s is in use (mounted?): %s is held by another process",
				 spec, held);
			return CMD_FAIL;
		}
	}
	err = argos_pool_open((const char *const *)nc->paths, nc->n, &oo, &nc->pool, why,
			      sizeof(why));
	if (err == -EBUSY) {
		tool_err(nc->prog, "%s is in use (mounted?)%s%s", spec, why[0] ? ": " : "", why);
		return CMD_FAIL;
	}
	if (err) {
		tool_err(nc->prog, "%s: %s: while opening the pool", spec,
			 why[0] ? why : argos_strerror(err));
		return CMD_FAIL;
	}
	return -1;
}

void nscmd_fail(struct nscmd *nc, const char *path, int err)
{
	tool_err(nc->prog, "%s: %s", path, argos_strerror(err));
	nc->failed = true;
}

int nscmd_finish(struct nscmd *nc, int rc)
{
	int err;

	if (nc->pool) {
		err = argos_pool_close(nc->pool);
		nc->pool = NULL;
		if (err) {
			tool_err(nc->prog, "%s: %s: while closing the pool", nc->spec,
				 argos_strerror(err));
			nc->failed = true;
		}
	}
	if (rc < 0)
		rc = tool_stdout_ok(nc->prog) && !nc->failed ? CMD_OK : CMD_FAIL;
	argos_paths_free(nc->paths, nc->n);
	nc->paths = NULL;
	nc->n = 0;
	tool_search_free(&nc->search);
	return rc;
}
