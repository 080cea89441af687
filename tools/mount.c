/*
 * mount.c — mount.argosfs: mount a pool through FUSE, the way mount(8)
 * calls its helpers.
 *
 *   mount.argosfs POOL DIR [-sfnv] [-N NS] [-o OPTIONS]
 *
 * POOL is a pool spec (paths, UUID=, LABEL=, pool:UUID=, pool:LABEL=).
 * mount(8)'s own options (defaults, auto, noauto, nofail, _netdev, user,
 * users, owner, group, x-*, comment=) are dropped before libfuse sees them.
 * Ours: ro, rw, degraded, force, allow_other, noatime (also relatime and
 * strictatime, which go to the kernel as well), io=psync|direct|uring|
 * aio, search=DIR, entry_timeout=S, attr_timeout=S, negative_timeout=S (how
 * long the kernel caches names, attributes and absent names; long by
 * default, see fuse/afuse.c), writeback_cache or no_writeback_cache (the
 * default; see docs/man/mount.argosfs.8 for the trade), debug, foreground,
 * and the kernel's generic
 * ones (nodev, nosuid, noexec, ...), passed on.  default_permissions is
 * always set.
 *
 * Unless foreground (or debug), the process forks: the child opens the pool,
 * mounts, and only then tells the parent, which exits 0 — so `mount` returns
 * once the filesystem is usable.  Exit codes as mount(8) expects: 0 mounted,
 * 1 usage error, 32 mount failure (with the reason on stderr).
 * umount, `fusermount3 -u` or SIGTERM end the session; the daemon then
 * writes its last checkpoint, marks the pool clean and releases the members.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "argosfs.h"
#include "afuse.h"
#include "common.h"

#define EX_USAGE_M 1
#define EX_FAIL_M  32

struct mopts {
	unsigned flags;              /* ARGOS_OPEN_* */
	bool     foreground, debug, sloppy, fake, verbose, allow_other, noatime;
	bool     writeback;          /* writeback_cache (default off) */
	const char *atime;   /* relatime, strictatime: the engine's atime mode */
	char     fuse_opts[2048];    /* passed to libfuse */
	char     io[16];
	double   entry_timeout, attr_timeout, negative_timeout;
	struct tool_search search;
};

static const char *prog = "mount.argosfs";
static int notify_fd = -1;       /* to the waiting parent */
static bool use_syslog;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s POOL DIR [-sfnvh] [-o OPTIONS]\n"
		"Mount an ArgosFS pool on DIR through FUSE.\n\n"
		"POOL   member paths (a.img,b.img,...), UUID=<uuid>, LABEL=<label>, or\n"
		"       pool:UUID=<uuid> / pool:LABEL=<label> (the form for /etc/fstab)\n"
		"-o     ro, rw, degraded (members missing or stale), force (errors flag set),\n"
		"       allow_other, noatime, io=psync|direct|uring|aio, search=DIR (image files\n"
		"       for UUID=/LABEL=), entry_timeout=S, attr_timeout=S, negative_timeout=S\n"
		"       (seconds the kernel caches names, attributes, absent names; default %.0f),\n"
		"       writeback_cache or no_writeback_cache (default), debug, foreground,\n"
		"       nodev, nosuid, noexec, ...\n"
		"-s     sloppy: ignore unknown options      -f  fake: check, do not mount\n"
		"-n     do not write /etc/mtab (ignored)    -v  verbose\n"
		"-h     this help\n\n"
		"Exit status: 0 mounted, 1 usage error, 32 mount failure.\n", prog,
		AFUSE_TIMEOUT_DEFAULT);
}

static void append(char *buf, size_t len, const char *opt)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? "," : "", opt);
}

/* mount(8)'s own options: consumed by it, meaningless to us. */
static bool mount8_option(const char *o)
{
	static const char *const own[] = { "defaults", "auto", "noauto", "nofail", "_netdev", "user",
					   "nouser", "users", "owner", "group", "loop", NULL };

	for (int i = 0; own[i]; i++)
		if (!strcmp(o, own[i]))
			return true;
	return !strncmp(o, "x-", 2) || !strncmp(o, "comment=", 8);
}

static bool kernel_option(const char *o)
{
	static const char *const pass[] = { "dev", "nodev", "suid", "nosuid", "exec", "noexec",
					    "async", "sync", "dirsync", "atime", "relatime",
					    "nodiratime", "lazytime", NULL };

	for (int i = 0; pass[i]; i++)
		if (!strcmp(o, pass[i]))
			return true;
	return false;
}

/* NAME=S: seconds, a finite number from 0 to AFUSE_TIMEOUT_MAX. */
static int parse_timeout(const char *o, const char *name, double *out)
{
	size_t n = strlen(name);
	const char *v = o + n + 1;
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (!*v || *end || errno || !isfinite(d) || d < 0 || d > AFUSE_TIMEOUT_MAX) {
		fprintf(stderr, "%s: %s=%s: expected seconds from 0 to %.0f (e.g. %s=3600 or "
			"%s=0.5)\n", prog, name, v, AFUSE_TIMEOUT_MAX, name, name);
		return -EINVAL;
	}
	*out = d;
	return 0;
}

static bool has_value(const char *o, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(o, name, n) && o[n] == '=';
}

static int parse_options(struct mopts *m, char *list)
{
	char *save = NULL;

	for (char *o = strtok_r(list, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (!*o || mount8_option(o) || !strcmp(o, "rw"))
			continue;
		if (!strcmp(o, "ro")) {
			m->flags |= ARGOS_OPEN_RDONLY;
			append(m->fuse_opts, sizeof(m->fuse_opts), "ro");
		} else if (!strcmp(o, "degraded")) {
			m->flags |= ARGOS_OPEN_DEGRADED;
		} else if (!strcmp(o, "force")) {
			m->flags |= ARGOS_OPEN_FORCE;
		} else if (!strcmp(o, "allow_other")) {
			m->allow_other = true;
		} else if (!strcmp(o, "noatime")) {
			m->noatime = true;
			append(m->fuse_opts, sizeof(m->fuse_opts), "noatime");
		} else if (!strcmp(o, "relatime") || !strcmp(o, "strictatime")) {
			/*
			 * The daemon writes atimes (FUSE inodes are S_NOATIME in
			 * the kernel): tell the engine; relatime goes to the kernel
			 * too (mount(8) shows it), strictatime not: libfuse refuses
			 * it ("unknown option").
			 */
			m->atime = !strcmp(o, "relatime") ? "relatime" : "strictatime";
			if (!strcmp(o, "relatime"))
				append(m->fuse_opts, sizeof(m->fuse_opts), o);
		} else if (!strncmp(o, "io=", 3)) {
			snprintf(m->io, sizeof(m->io), "%s", o + 3);
			if (strcmp(m->io, "psync") && strcmp(m->io, "direct") && strcmp(m->io, "uring") &&
			    strcmp(m->io, "aio")) {
				fprintf(stderr, "%s: io=%s: expected psync, direct, uring or aio\n", prog,
					m->io);
				return -EINVAL;
			}
		} else if (has_value(o, "entry_timeout")) {
			if (parse_timeout(o, "entry_timeout", &m->entry_timeout))
				return -EINVAL;
		} else if (has_value(o, "attr_timeout")) {
			if (parse_timeout(o, "attr_timeout", &m->attr_timeout))
				return -EINVAL;
		} else if (has_value(o, "negative_timeout")) {
			if (parse_timeout(o, "negative_timeout", &m->negative_timeout))
				return -EINVAL;
		} else if (!strncmp(o, "search=", 7)) {
			if (tool_search_add(&m->search, o + 7))
				return -ENOMEM;
		} else if (!strcmp(o, "writeback_cache") || !strcmp(o, "no_writeback_cache")) {
			m->writeback = o[0] == 'w';
		} else if (!strcmp(o, "debug")) {
			m->debug = m->foreground = true;
		} else if (!strcmp(o, "foreground")) {
			m->foreground = true;
		} else if (kernel_option(o)) {
			append(m->fuse_opts, sizeof(m->fuse_opts), o);
		} else if (!m->sloppy) {
			fprintf(stderr, "%s: unknown mount option \"%s\"\n", prog, o);
			return -EINVAL;
		}
	}
	return 0;
}

static void log_fn(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (use_syslog)
		syslog(level, "%s", msg);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
}

/* Report to the waiting parent (or stderr in the foreground) and exit. */
static void __attribute__((noreturn, format(printf, 2, 3))) die(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (notify_fd >= 0) {
		dprintf(notify_fd, "ERR %d %s\n", code, msg);
		close(notify_fd);
	} else {
		fprintf(stderr, "%s: %s\n", prog, msg);
	}
	exit(code);
}

static void ready(void *ctx)
{
	(void)ctx;
	if (notify_fd < 0)
		return;
	/* Mounted: let the parent go, and stop using the terminal. */
	dprintf(notify_fd, "OK\n");
	close(notify_fd);
	notify_fd = -1;
	{
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	use_syslog = true;
}

/* Parent side: wait for the child's word. */
static int wait_child(int fd)
{
	char buf[1200];
	ssize_t n, got = 0;

	while (got < (ssize_t)sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = '\0';
	if (!strncmp(buf, "OK", 2))
		return 0;
	if (!strncmp(buf, "ERR ", 4)) {
		char *msg = strchr(buf + 4, ' ');
		int code = atoi(buf + 4);

		if (msg) {
			msg[strcspn(msg, "\n")] = '\0';
			fprintf(stderr, "%s: %s\n", prog, msg + 1);
		}
		return code ? code : EX_FAIL_M;
	}
	fprintf(stderr, "%s: the mount daemon exited before mounting\n", prog);
	return EX_FAIL_M;
}

int main(int argc, char **argv)
{
	struct mopts m;
	struct argos_log log = { log_fn, NULL, ARGOS_LOG_NOTICE };
	struct argos_open_opts oo = { .log = &log };
	struct afuse_opts fo = { 0 };
	struct argos_pool_status st;
	char **paths = NULL, why[1024], uuid[37], fsname[128], *fargv[4];
	const char *spec, *dir;
	unsigned npaths = 0;
	argos_pool *p;
	int c, err;

	memset(&m, 0, sizeof(m));
	m.entry_timeout = m.attr_timeout = m.negative_timeout = AFUSE_TIMEOUT_DEFAULT;
	static const struct option lo[] = { { "help", no_argument, NULL, 'h' },
					    { "version", no_argument, NULL, 'V' }, { 0 } };
	while ((c = getopt_long(argc, argv, "sfnvhVN:o:", lo, NULL)) != -1) {
		switch (c) {
		case 's': m.sloppy = true; break;
		case 'f': m.fake = true; break;
		case 'n': break;
		case 'v': m.verbose = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("%s (ArgosFS) %s\n", prog, argos_version()); return 0;
		case 'N':
			fprintf(stderr, "%s: -N (mount namespaces) is not supported\n", prog);
			return EX_USAGE_M;
		case 'o':
			if (parse_options(&m, optarg))
				return EX_USAGE_M;
			break;
		default:
			usage(stderr);
			return EX_USAGE_M;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return EX_USAGE_M;
	}
	spec = argv[optind];
	dir = argv[optind + 1];
	if (m.verbose)
		log.max_level = ARGOS_LOG_INFO;
	if (m.debug)
		log.max_level = ARGOS_LOG_DEBUG;
	{
		struct stat sd;

		if (stat(dir, &sd) != 0 || !S_ISDIR(sd.st_mode)) {
			fprintf(stderr, "%s: %s: mount point is not a directory\n", prog, dir);
			return EX_FAIL_M;
		}
	}
	if (tool_search_add_env(&m.search))
		return EX_FAIL_M;
	err = tool_resolve_pool(prog, spec, &m.search, &log, &paths, &npaths);
	tool_search_free(&m.search);
	if (err)
		return err == -EINVAL ? EX_USAGE_M : EX_FAIL_M;
	if (m.fake) {
		argos_paths_free(paths, npaths);
		return 0;
	}
	if (!m.foreground) {
		int pfd[2];
		pid_t pid;

		if (pipe(pfd) != 0) {
			perror(prog);
			return EX_FAIL_M;
		}
		pid = fork();
		if (pid < 0) {
			perror(prog);
			return EX_FAIL_M;
		}
		if (pid > 0) {
			close(pfd[1]);
			argos_paths_free(paths, npaths);   /* the child has its own copy */
			return wait_child(pfd[0]);
		}
		close(pfd[0]);
		notify_fd = pfd[1];
		setsid();
		if (chdir("/") != 0)
			die(EX_FAIL_M, "chdir /: %s", strerror(errno));
		openlog("mount.argosfs", LOG_PID, LOG_DAEMON);
	}
	oo.flags = m.flags;
	oo.io = m.io[0] ? m.io : NULL;   /* overrides the pool's "io" property */
	oo.atime = m.atime;   /* overrides the pool's "atime" property */
	if (m.noatime)
		oo.flags |= ARGOS_OPEN_NOATIME;
	err = argos_pool_open((const char *const *)paths, npaths, &oo, &p, why, sizeof(why));
	argos_paths_free(paths, npaths);
	if (err == -EUCLEAN && !(m.flags & ARGOS_OPEN_FORCE) && !(m.flags & ARGOS_OPEN_RDONLY))
		die(EX_FAIL_M, "%s: %s (-o ro mounts it read-only; -o force mounts it read-write "
		    "anyway)", spec, why[0] ? why : argos_strerror(err));
	if (err)
		die(EX_FAIL_M, "%s: %s", spec, why[0] ? why : argos_strerror(err));
	argos_pool_status(p, &st);
	if (st.opened_unclean) {
		char msg[160];

		snprintf(msg, sizeof(msg), "the pool was not cleanly unmounted: its journal was "
			 "replayed (%llu entries, %llu transactions)",
			 (unsigned long long)st.replayed_entries,
			 (unsigned long long)st.replayed_txns);
		log_fn(NULL, ARGOS_LOG_WARNING, msg);
	}
	if (st.health == ARGOS_POOL_DEGRADED)
		log_fn(NULL, ARGOS_LOG_WARNING, "the pool is DEGRADED: members are missing or stale");
	tool_format_uuid(st.pool_uuid, uuid);
	snprintf(fsname, sizeof(fsname), "pool:UUID=%s", uuid);
	append(m.fuse_opts, sizeof(m.fuse_opts), "default_permissions");
	append(m.fuse_opts, sizeof(m.fuse_opts), "subtype=argosfs");
	if (m.allow_other)
		append(m.fuse_opts, sizeof(m.fuse_opts), "allow_other");
	{
		char opt[200];

		snprintf(opt, sizeof(opt), "fsname=%s", fsname);
		append(m.fuse_opts, sizeof(m.fuse_opts), opt);
	}
	fargv[0] = (char *)prog;
	fargv[1] = "-o";
	fargv[2] = m.fuse_opts;
	fargv[3] = NULL;
	fo.debug = m.debug;
	fo.writeback = m.writeback;
	fo.entry_timeout = m.entry_timeout;
	fo.attr_timeout = m.attr_timeout;
	fo.negative_timeout = m.negative_timeout;
	err = afuse_run(p, dir, 3, fargv, &fo, ready, NULL, why, sizeof(why));
	if (err) {
		argos_pool_close(p);
		die(EX_FAIL_M, "%s", why);
	}
	/* Unmounted (or signalled): last checkpoint, clean flag, members released. */
	err = argos_pool_close(p);
	if (err)
		log_fn(NULL, ARGOS_LOG_ERR, "closing the pool failed: the next mount replays its "
		       "journal");
	return err ? 1 : 0;
}
