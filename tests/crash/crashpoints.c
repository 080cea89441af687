/*
 * crashpoints.c — the crash-point matrix: every named crash point, hit by a
 * workload in a child process, must leave a pool that reopens with every
 * acknowledged transaction and no half-applied one.
 *
 * Description: a 4+2 pool is prepared with acknowledged transactions, a
 * checkpoint, and a journal left to replay (the handle abandoned).  For every
 * crash point (argos_crash_point_name) and both ways of crashing, a child
 * process opens the pool with ARGOSFS_CRASH_POINT=<name> and runs
 * synchronous transactions, a checkpoint, more transactions and a close:
 *  - with ARGOSFS_CRASH_ABORT=1 the child must die of SIGABRT;
 *  - without it, the operation that reaches the point must fail with EIO,
 *    every later operation (transaction, sync, checkpoint, close) must fail,
 *    and the child's write log (ARGOSFS_RECORD) must show no write or flush
 *    after that operation returned.
 * The child reports over a pipe which transactions began and which were
 * acknowledged.  The parent then opens the images read-only and read-write:
 * both must open and hold the state after one transaction between the last
 * acknowledged and the last begun (crashlib.h); after a clean close fsck -n
 * must exit 0 and a read-only reopen must find the same state.
 * The points on the data path (before-data-write, after-data-write,
 * after-data-flush) cannot be reached yet: they are reported as skipped by
 * name, and the test fails if one of them fires (the list must be updated).
 *
 * Exit 0 when every reachable point passed, 1 on a failure (work directory
 * kept), 99 when the test itself could not run.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "crashlib.h"
#include "pool.h"
#include "record.h"
#include "tutil.h"

#define IMG_SIZE   (40ull << 20)
#define JNL_SIZE   (1ull << 20)
#define PREP_TXNS  14

/* Crash points that only the data path (not written yet) reaches. */
static const char *const not_reachable[] = {
	"before-data-write", "after-data-write", "after-data-flush",
};

struct ctx {
	char             dir[512];
	struct cl_images base, run;
	struct cl_model  model;
	struct cl_msgs   msgs;
	unsigned         failures;
	int              verbose;
};

static void die(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
static void die(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cl_vfatal("crashpoints", c->dir, false, fmt, ap);
}

static argos_pool *open_pool(struct ctx *c, const struct cl_images *im, int *err)
{
	struct argos_open_opts o = { .log = &c->msgs.log, .commit_ms = 3600000, .ckpt_ms = 3600000 };
	argos_pool *p = NULL;
	char why[512];

	*err = argos_pool_open(im->paths, CL_NMEM, &o, &p, why, sizeof(why));
	return p;
}

/* The base: acknowledged transactions, a checkpoint, a journal to replay. */
static void prepare(struct ctx *c)
{
	argos_pool *p;
	int err;

	p = open_pool(c, &c->base, &err);
	if (!p)
		die(c, "prepare: open: %s\n%s", argos_strerror(err), c->msgs.buf);
	for (unsigned t = 1; t <= PREP_TXNS; t++) {
		if (cl_model_next(&c->model))
			die(c, "out of memory");
		err = cl_run_txn(p, &c->model, t, STORE_SYNC);
		if (err)
			die(c, "prepare: transaction %u: %s", t, argos_strerror(err));
		if (t == PREP_TXNS / 2 && (err = argos_pool_checkpoint(p)))
			die(c, "prepare: checkpoint: %s", argos_strerror(err));
	}
	p->st.err = -EIO;     /* abandoned: the next open replays the journal */
	argos_pool_close(p);
	/* The transactions the children run (the same in every child). */
	for (unsigned t = PREP_TXNS + 1; t <= PREP_TXNS + 24; t++)
		if (cl_model_next(&c->model))
			die(c, "out of memory");
}

/* ---- the child ------------------------------------------------------------------ */

static void say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int fd, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && write(fd, line, (size_t)n) != n)
		_exit(98);
}

/*
 * After the crash point failed an operation: every later one must fail.  The
 * checkpoint goes first: a failed transaction must not need another failing
 * transaction before the store refuses to write a checkpoint.
 */
static void child_after(struct ctx *c, argos_pool *p, int fd, unsigned next)
{
	int err;

	record_mark(p, CL_MARK(CL_MARK_CRASH, 0));
	err = argos_pool_checkpoint(p);
	say(fd, "L checkpoint %d\n", err);
	err = argos_pool_sync(p);
	say(fd, "L sync %d\n", err);
	say(fd, "B %u\n", next);
	err = cl_run_txn(p, &c->model, next, STORE_SYNC);
	say(fd, "L txn-sync %d\n", err);
	say(fd, "B %u\n", next + 1);
	err = cl_run_txn(p, &c->model, next + 1, 0);
	say(fd, "L txn %d\n", err);
	err = argos_pool_close(p);
	say(fd, "L close %d\n", err);
}

static void child(struct ctx *c, int fd)
{
	struct rlimit no_core = { 0, 0 };
	unsigned t = PREP_TXNS + 1;
	argos_pool *p;
	int err;

	setrlimit(RLIMIT_CORE, &no_core);
	p = open_pool(c, &c->run, &err);
	if (!p) {
		say(fd, "F open %d\n", err);
		return;
	}
	for (unsigned i = 0; i < 16; i++, t++) {
		say(fd, "B %u\n", t);
		err = cl_run_txn(p, &c->model, t, STORE_SYNC);
		if (err) {
			say(fd, "F txn %d\n", err);
			child_after(c, p, fd, t + 1);
			return;
		}
		say(fd, "A %u\n", t);
		if (i == 7) {
			err = argos_pool_checkpoint(p);
			if (err) {
				say(fd, "F checkpoint %d\n", err);
				child_after(c, p, fd, t + 1);
				return;
			}
		}
	}
	err = argos_pool_close(p);
	if (err) {
		say(fd, "F close %d\n", err);
		return;
	}
	say(fd, "D\n");
}

/* ---- the parent ------------------------------------------------------------------ */

struct report {
	unsigned acked, begun;
	char     failed_op[32];     /* "" when nothing failed */
	int      failed_err;
	bool     done;
	unsigned nlater, later_ok;
	char     later[256];        /* later operations that did not fail */
};

static void parse(const char *buf, struct report *r)
{
	const char *line = buf;

	while (line && *line) {
		char op[32];
		int e;
		unsigned t;

		if (sscanf(line, "A %u", &t) == 1 && t > r->acked)
			r->acked = t;
		else if (sscanf(line, "B %u", &t) == 1 && t > r->begun)
			r->begun = t;
		else if (sscanf(line, "F %31s %d", op, &e) == 2) {
			snprintf(r->failed_op, sizeof(r->failed_op), "%s", op);
			r->failed_err = e;
		} else if (sscanf(line, "L %31s %d", op, &e) == 2) {
			r->nlater++;
			if (e == 0) {
				size_t l = strlen(r->later);

				r->later_ok++;
				snprintf(r->later + l, sizeof(r->later) - l, "%s%s", l ? ", " : "", op);
			}
		} else if (line[0] == 'D') {
			r->done = true;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

static void fail(struct ctx *c, const char *name, bool ab, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(struct ctx *c, const char *name, bool ab, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: %s (%s): ", name, ab ? "abort" : "EIO");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	c->failures++;
}

/* No write or flush may follow the CRASH mark in the child's log. */
static void check_log(struct ctx *c, const char *name, const char *logpath)
{
	struct cl_log log;
	bool crashed = false;
	unsigned after = 0;

	if (cl_log_load(logpath, &log)) {
		fail(c, name, false, "cannot read the child's write log %s", logpath);
		return;
	}
	for (size_t i = 0; i < log.n; i++) {
		if (log.r[i].type == RECORD_MARK && CL_MARK_KIND(log.r[i].off) == CL_MARK_CRASH)
			crashed = true;
		else if (crashed && (log.r[i].type == RECORD_WRITE || log.r[i].type == RECORD_FLUSH))
			after++;
	}
	if (after)
		fail(c, name, false, "%u writes or flushes reached the members after the crash point "
		     "failed the operation (the pool must refuse every later write)", after);
	cl_log_free(&log);
}

/* Reopen what the child left: read-only, read-write, close, fsck, read-only. */
static void check_recovery(struct ctx *c, const char *name, bool ab, const struct report *r)
{
	char why[4096];
	long j_ro = -1, j_rw = -1, j_again = -1;
	struct cl_fsck f;

	cl_msgs_clear(&c->msgs);
	if (cl_check_open(&c->run, ARGOS_OPEN_RDONLY, &c->model, r->acked, r->begun, &c->msgs,
			  &j_ro, why, sizeof(why))) {
		fail(c, name, ab, "read-only reopen: %s", why);
		return;
	}
	cl_msgs_clear(&c->msgs);
	if (cl_check_open(&c->run, 0, &c->model, (unsigned)j_ro, (unsigned)j_ro, &c->msgs, &j_rw,
			  why, sizeof(why))) {
		fail(c, name, ab, "read-write reopen (the read-only one found txn %ld): %s", j_ro,
		     why);
		return;
	}
	cl_fsck(&c->run, ARGOS_FSCK_CHECK, &f);
	if (f.exit_code != 0) {
		fail(c, name, ab, "fsck -n after a clean close exited %d: %s", f.exit_code, f.why);
		return;
	}
	cl_msgs_clear(&c->msgs);
	if (cl_check_open(&c->run, ARGOS_OPEN_RDONLY, &c->model, (unsigned)j_ro, (unsigned)j_ro,
			  &c->msgs, &j_again, why, sizeof(why))) {
		fail(c, name, ab, "read-only open after the clean close: %s", why);
		return;
	}
	if (c->verbose)
		printf("  %s (%s): acknowledged %u, begun %u, reopened after txn %ld\n", name,
		       ab ? "abort" : "EIO", r->acked, r->begun, j_ro);
}

static void run_point(struct ctx *c, unsigned id, bool ab, bool reachable)
{
	const char *name = argos_crash_point_name(id);
	char buf[4096], logpath[600];
	struct report r = { .acked = PREP_TXNS, .begun = PREP_TXNS };
	size_t len = 0;
	int fds[2], st;
	pid_t pid;
	ssize_t n;

	snprintf(logpath, sizeof(logpath), "%s/child.log", c->dir);
	unlink(logpath);
	if (cl_copy_images(&c->base, &c->run))
		die(c, "copying the base images");
	fflush(stdout);
	fflush(stderr);
	if (pipe(fds) < 0)
		die(c, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die(c, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		setenv("ARGOSFS_CRASH_POINT", name, 1);
		if (ab)
			setenv("ARGOSFS_CRASH_ABORT", "1", 1);
		setenv("ARGOSFS_RECORD", logpath, 1);
		child(c, fds[1]);
		close(fds[1]);
		exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fds[0]);
	if (waitpid(pid, &st, 0) < 0)
		die(c, "waitpid: %s", strerror(errno));
	parse(buf, &r);

	if (!reachable) {
		if (!WIFEXITED(st) || WEXITSTATUS(st) || !r.done)
			fail(c, name, ab, "fired although listed as not reachable (the data path exists "
			     "now: move it into the matrix)");
		else
			check_recovery(c, name, ab, &r);
		return;
	}
	if (ab) {
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT) {
			fail(c, name, ab, "the child should have died of SIGABRT, %s %d%s",
			     WIFSIGNALED(st) ? "got signal" : "exited with", WIFSIGNALED(st) ?
			     WTERMSIG(st) : WEXITSTATUS(st), r.done ? " (the point never fired)" : "");
			return;
		}
	} else {
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fail(c, name, ab, "the child did not exit normally (status 0x%x)", st);
			return;
		}
		if (r.done || !r.failed_op[0]) {
			fail(c, name, ab, "the point never fired: every operation succeeded");
			return;
		}
		if (r.failed_err != -EIO) {
			fail(c, name, ab, "%s failed with %s, expected EIO", r.failed_op,
			     argos_strerror(r.failed_err));
			return;
		}
		if (r.later_ok)
			fail(c, name, ab, "after %s failed at the crash point, %u of %u later "
			     "operations succeeded: %s", r.failed_op, r.later_ok, r.nlater, r.later);
		if (strcmp(r.failed_op, "open"))
			check_log(c, name, logpath);
	}
	check_recovery(c, name, ab, &r);
}

int main(int argc, char **argv)
{
	struct ctx *c = calloc(1, sizeof(*c));
	unsigned npoints = 0, skipped = 0;
	double t0 = cl_now();
	char why[512];
	int rc;

	if (!c)
		return 99;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			c->verbose++;
		} else {
			fprintf(stderr, "usage: crashpoints [-v]\n");
			return 99;
		}
	}
	unsetenv("ARGOSFS_CRASH_POINT");
	unsetenv("ARGOSFS_CRASH_ABORT");
	unsetenv("ARGOSFS_RECORD");
	if (cl_mkdtemp("crashpoints", c->dir, sizeof(c->dir)))
		die(c, "cannot create a work directory");
	cl_images_name(&c->base, c->dir, "base");
	cl_images_name(&c->run, c->dir, "run");
	cl_msgs_init(&c->msgs, ARGOS_LOG_WARNING);
	if (cl_model_init(&c->model, 4242))
		die(c, "out of memory");
	if (cl_mkfs(&c->base, IMG_SIZE, JNL_SIZE, why, sizeof(why)))
		die(c, "mkfs: %s", why);
	prepare(c);
	for (unsigned id = 0; argos_crash_point_name(id); id++) {
		const char *name = argos_crash_point_name(id);
		bool reachable = true;

		for (size_t k = 0; k < sizeof(not_reachable) / sizeof(not_reachable[0]); k++)
			if (!strcmp(name, not_reachable[k]))
				reachable = false;
		if (!reachable) {
			printf("SKIP: %s: not reachable yet (only the data path, not written yet, "
			       "reaches it); checked that it does not fire\n", name);
			skipped++;
		}
		npoints++;
		run_point(c, id, true, reachable);
		run_point(c, id, false, reachable);
	}
	printf("crashpoints: %s: %u crash points (%u not reachable yet), %u runs, %.1f s\n",
	       c->failures ? "FAILED" : "passed", npoints, skipped, 2 * npoints, cl_now() - t0);
	cl_model_free(&c->model);
	if (c->failures)
		printf("crashpoints: work directory kept: %s\n", c->dir);
	else
		tutil_rmtree(c->dir);
	rc = c->failures ? 1 : 0;
	free(c);
	return rc;
}
