/*
 * test_ns_model.c — the namespace against an in-memory model, at random.
 *
 * Description: on a 4+2 pool of image files, thousands of random namespace
 * operations (every file type, links, unlink/rmdir, rename with its flags,
 * setattr, xattrs small and large, open/release with orphans, lookups and
 * readdir in slices) are checked one by one against a model that predicts
 * ext4's exact result (nsmodel.c), and the whole tree periodically (nsmcheck.c,
 * down to the metadata items).  Between bursts the pool is checkpointed,
 * synced, closed and reopened, or abandoned as in a crash — after a sync, or
 * with more changes after it — and must then equal the model at the sync or
 * at a later operation boundary.  Every named crash point is armed in turn
 * (ARGOSFS_CRASH_POINT): the operation reaching it fails with EIO, the pool
 * refuses writes, and the reopened pool again equals one of those states.
 * Finally four threads work in their own directories while reading a shared
 * one, each against its own model; the models are merged and compared.
 *
 * ARGOS_SEED=<n> repeats a run (the seed is printed); ARGOS_LONG=1 runs 20x
 * more.  Images go to $TMPDIR, else /dev/shm, else /tmp.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "argosfs.h"
#include "crash.h"
#include "nsmcheck.h"
#include "nsmrun.h"
#include "pool.h"
#include "tpool.h"

#define NMEM 6
#define IMG (64ull << 20)
#define NTHREADS 4

struct fx {
	struct tpool tp;
	uint64_t seed;
	unsigned scale;
};

/* cmocka's messages are short: the whole story goes to stdout first. */
#define FAIL(r)                                               \
	do {                                                  \
		printf("# %s\n", (r)->why);                  \
		fflush(stdout);                               \
		fail_msg("model test failed (see above)");    \
	} while (0)
#define RUN(r, call)                                          \
	do {                                                  \
		if ((call) < 0)                               \
			FAIL(r);                              \
	} while (0)

static unsigned scale(void)
{
	const char *s = getenv("ARGOS_LONG");

	return s && !strcmp(s, "1") ? 20 : 1;
}

static uint64_t seed(void)
{
	const char *s = getenv("ARGOS_SEED");

	return s && *s ? strtoull(s, NULL, 0) : 0x5eed0f4d0c5ull;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true, .journal_size = 4u << 20 };
	const char *tmp = getenv("TMPDIR"), *base = NULL;
	char why[256];

	if (!f)
		return -1;
	if ((!tmp || !*tmp) && access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";   /* images in memory */
	if (tpool_make(&f->tp, base, "nsmodel", NMEM, IMG, &o, why, sizeof(why)))
		fail_msg("mkfs: %s", why);
	f->seed = seed();
	f->scale = scale();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tpool_remove(&f->tp);
	free(f);
	return 0;
}

/* Open with background timers drawn from r: none to speak of, or busy ones. */
static int open_pool(struct fx *f, struct nsr *r, argos_pool **p)
{
	struct argos_open_opts o = { .commit_ms = 60000, .ckpt_ms = 600000 };
	char why[512];
	int err;

	if (r && nsr_below(r, 2)) {
		o.commit_ms = 5 + nsr_below(r, 45);
		o.ckpt_ms = 50 + nsr_below(r, 450);
	}
	err = tpool_open(&f->tp, &o, p, why, sizeof(why));
	if (err && !(err == -EIO && getenv("ARGOSFS_CRASH_POINT")))
		fail_msg("open: %s (%s)", argos_strerror(err), why);
	return err;
}

static void must_open(struct fx *f, struct nsr *r)
{
	assert_int_equal(open_pool(f, r, &r->p), 0);
}

/* Abandon the handle as a crash would: no checkpoint, no clean flag. */
static void crash(argos_pool *p)
{
	p->st.err = -EIO;
	(void)argos_pool_close(p);
}

static void report(const char *what, const struct nsr *r, double secs)
{
	static const char *const kinds[NSR_NKINDS] = {
		"make", "link", "unlink", "rmdir", "rename", "setattr", "setxattr", "removexattr",
		"open", "release", "lookup", "getattr", "readdir",
	};
	static const int errs[] = { ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL, EPERM,
				    EBUSY, ENAMETOOLONG, ENODATA, ERANGE, E2BIG, EOPNOTSUPP, ELOOP };

	printf("# %s: %lu ops (%lu predicted errors), %lu full checks, %lu crashes matched a "
	       "state after the sync, %.1f s\n#  ", what, r->nops, r->nfail_pred, r->nchecks,
	       r->nmatch_later, secs);
	for (int k = 0; k < NSR_NKINDS; k++)
		printf(" %s %lu", kinds[k], r->by_kind[k]);
	printf("\n#  ");
	for (size_t k = 0; k < sizeof(errs) / sizeof(errs[0]); k++)
		printf(" %s %lu", strerror(errs[k]), r->by_errno[errs[k]]);
	printf("\n");
	fflush(stdout);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- one runner: bursts of operations between syncs, reopens and crashes ------ */

static void test_model_single(void **state)
{
	struct fx *f = *state;
	struct nsr *r = calloc(1, sizeof(*r));
	unsigned long total = 3000ul * f->scale;
	argos_pool *p;
	double t0 = now();

	printf("# seed %#llx (ARGOS_SEED=%#llx repeats it)\n", (unsigned long long)f->seed,
	       (unsigned long long)f->seed);
	assert_int_equal(open_pool(f, NULL, &p), 0);
	RUN(r, nsr_init(r, p, ARGOS_ROOT_INO, ARGOS_ROOT_INO, f->seed, -1));
	r->track = true;
	RUN(r, nsr_after_close(r));
	while (r->nops < total) {
		unsigned ev;

		RUN(r, nsr_ops(r, 30 + nsr_below(r, 200)));
		ev = nsr_below(r, 100);
		if (ev < 15) {
			RUN(r, nsr_check(r, true));
		} else if (ev < 25) {
			RUN(r, nsr_checkpoint(r));
		} else if (ev < 35) {
			RUN(r, nsr_sync(r));
		} else if (ev < 50) {
			assert_int_equal(argos_pool_close(r->p), 0);
			must_open(f, r);
			RUN(r, nsr_after_close(r));
			RUN(r, nsr_check(r, true));
		} else if (ev < 85) {
			/* A crash after a sync, with or without more changes after it. */
			RUN(r, nsr_sync(r));
			if (ev >= 62)
				RUN(r, nsr_ops(r, 1 + nsr_below(r, 40)));
			crash(r->p);
			must_open(f, r);
			RUN(r, nsr_after_crash(r));
		}
	}
	RUN(r, nsr_check(r, true));
	assert_int_equal(argos_pool_close(r->p), 0);
	must_open(f, r);
	RUN(r, nsr_after_close(r));
	RUN(r, nsr_check(r, true));
	report("single", r, now() - t0);
	assert_int_equal(argos_pool_close(r->p), 0);
	nsr_free(r);
	free(r);
}

/* ---- crash points ------------------------------------------------------------------------ */

/* A pool that met its crash point refuses writes. */
static void expect_refused(struct nsr *r)
{
	struct argos_pool_status s;
	struct argos_attr a;
	int err = argos_mkdir(r->p, ARGOS_ROOT_INO, "refused", 0755, NULL, &a);

	if (err != -EIO)
		fail_msg("seed %#llx: after the crash point, mkdir says %s, not EIO",
			 (unsigned long long)r->seed, err ? argos_strerror(err) : "success");
	argos_pool_status(r->p, &s);
	assert_true(s.failed);
}

/* Reopen after a crash point fired (or an open failed on one) and compare. */
static void recover(struct fx *f, struct nsr *r, const char *name, const char *where)
{
	unsigned long later = r->nmatch_later;

	must_open(f, r);
	RUN(r, nsr_after_crash(r));
	printf("# crash point %s: fired %s; the pool came back %s\n", name, where,
	       r->nmatch_later > later ? "at a state after the last sync" : "as synced");
}

static void crash_round(struct fx *f, struct nsr *r, unsigned point, bool after_open)
{
	const char *name = argos_crash_point_name(point), *where = "";
	argos_pool *p;
	int err;

	RUN(r, nsr_ops(r, 30 + nsr_below(r, 120)));
	RUN(r, nsr_sync(r));
	if (point == CRASH_DURING_REPLAY) {
		/* Replay needs a journal: changes, a sync, more changes, a crash. */
		RUN(r, nsr_ops(r, 20 + nsr_below(r, 60)));
		RUN(r, nsr_sync(r));
		RUN(r, nsr_ops(r, nsr_below(r, 20)));
		crash(r->p);
	} else {
		assert_int_equal(argos_pool_close(r->p), 0);
		RUN(r, nsr_after_close(r));
	}
	if (!after_open)
		setenv("ARGOSFS_CRASH_POINT", name, 1);
	err = open_pool(f, r, &p);
	unsetenv("ARGOSFS_CRASH_POINT");
	if (err) {
		/* The open itself wrote (its generation, the replay) and met the point. */
		recover(f, r, name, "in the open");
		return;
	}
	r->p = p;
	if (point == CRASH_DURING_REPLAY) {
		printf("# crash point %s: not reached (nothing to replay)\n", name);
		RUN(r, nsr_after_crash(r));
		return;
	}
	if (after_open)
		p->crash.armed |= 1ull << point;
	r->armed = true;
	for (int k = 0; k < 40 && !r->tripped; k++) {
		err = nsr_ops(r, 5 + nsr_below(r, 10));
		if (err < 0)
			FAIL(r);
		where = "in an operation";
		if (!err && nsr_below(r, 4) == 0) {
			bool sync = nsr_below(r, 2);

			err = sync ? nsr_sync(r) : nsr_checkpoint(r);
			where = sync ? "in a sync" : "in a checkpoint";
		}
		if (err < 0)
			FAIL(r);
	}
	if (!r->tripped) {
		where = "in the last sync";
		if (nsr_sync(r) == 0) {
			where = "in the last checkpoint";
			(void)nsr_checkpoint(r);
		}
	}
	if (r->failed)
		FAIL(r);
	if (!r->tripped) {
		/* A point namespace operations never reach (file data). */
		printf("# crash point %s: not reached\n", name);
		r->armed = false;
		assert_int_equal(argos_pool_close(r->p), 0);
		must_open(f, r);
		RUN(r, nsr_after_close(r));
		RUN(r, nsr_check(r, true));
		return;
	}
	expect_refused(r);
	if (nsr_below(r, 2))
		assert_int_not_equal(argos_pool_close(r->p), 0);   /* no checkpoint, not clean */
	else
		crash(r->p);
	recover(f, r, name, where);
}

static void test_model_crash_points(void **state)
{
	struct fx *f = *state;
	struct nsr *r = calloc(1, sizeof(*r));
	double t0 = now();
	argos_pool *p;

	assert_int_equal(open_pool(f, NULL, &p), 0);
	RUN(r, nsr_init(r, p, ARGOS_ROOT_INO, ARGOS_ROOT_INO, f->seed ^ 0xc4a54, -1));
	r->track = true;
	RUN(r, nsr_after_close(r));
	for (unsigned round = 0; round < 2 * f->scale; round++)
		for (unsigned i = 0; argos_crash_point_name(i); i++) {
			crash_round(f, r, i, false);
			if (i == CRASH_BETWEEN_SB_SLOTS)   /* the env arms it for the open's generation */
				crash_round(f, r, i, true);
		}
	RUN(r, nsr_check(r, true));
	report("crash points", r, now() - t0);
	assert_int_equal(argos_pool_close(r->p), 0);
	nsr_free(r);
	free(r);
}

/* ---- threads ------------------------------------------------------------------------------- */

struct thr {
	struct nsr r;
	unsigned long nops;
	pthread_t tid;
};

/* Read the shared directory while others write their own. */
static int shared_reads(struct nsr *r)
{
	char why[1024];

	if (nsc_check(r->p, r->shared, nsr_below(r, 4), why, sizeof(why)))
		return nsr_fail(r, "shared directory: %s", why);
	for (int k = 0; k < 20; k++) {
		unsigned e = nsr_below(r, r->shared->ne);
		const struct nsm_ent *en = &r->shared->e[e];
		struct argos_attr a;
		int err = argos_lookup(r->p, en->dir, nsm_name(en->name), &a);

		if (err || a.ino != en->ino)
			return nsr_fail(r, "shared lookup(%llu, %.20s): %s, ino %llu, model %llu",
					(unsigned long long)en->dir, nsm_name(en->name),
					argos_strerror(err), (unsigned long long)a.ino,
					(unsigned long long)en->ino);
		argos_forget(r->p, a.ino, 1);
	}
	return 0;
}

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	struct nsr *r = &t->r;

	while (r->nops < t->nops && !r->failed) {
		unsigned ev = nsr_below(r, 100);

		if (nsr_ops(r, 10 + nsr_below(r, 50)) < 0)
			break;
		if (ev < 15)
			(void)nsr_check(r, false);
		else if (ev < 35)
			(void)shared_reads(r);
		else if (ev < 40)
			(void)nsr_sync(r);
		else if (ev < 43)
			(void)nsr_checkpoint(r);
	}
	return NULL;
}

/* mkdir name in dir through the model, as the runner's own operation would. */
static uint64_t model_mkdir(struct nsr *r, uint64_t dir, unsigned name)
{
	struct nsm_mk k = { .kind = NSM_MKDIR, .parent = dir, .name = nsm_name(name),
			    .name_idx = (int)name, .mode = 0755 };
	struct nsm_inode t;
	struct argos_attr a;

	assert_int_equal(nsm_pred_make(&r->m, &k, &t), 0);
	assert_int_equal(argos_mkdir(r->p, dir, k.name, k.mode, NULL, &a), 0);
	assert_int_equal(nsm_do_make(&r->m, &k, &t, &a, 0), 0);
	return a.ino;
}

static void test_model_threads(void **state)
{
	struct fx *f = *state;
	struct nsr *main_r = calloc(1, sizeof(*main_r)), *shared = calloc(1, sizeof(*shared));
	struct thr *t = calloc(NTHREADS, sizeof(*t));
	struct argos_open_opts o = { .commit_ms = 10, .ckpt_ms = 100 };
	uint64_t sdir, tdir[NTHREADS];
	double t0 = now();
	unsigned long total = 0;
	argos_pool *p;
	char why[512];

	assert_int_equal(tpool_open(&f->tp, &o, &p, why, sizeof(why)), 0);
	RUN(main_r, nsr_init(main_r, p, ARGOS_ROOT_INO, ARGOS_ROOT_INO, f->seed ^ 0x7417, -1));
	sdir = model_mkdir(main_r, ARGOS_ROOT_INO, 0);
	for (int k = 0; k < NTHREADS; k++)
		tdir[k] = model_mkdir(main_r, ARGOS_ROOT_INO, 1 + (unsigned)k);
	/* The shared directory's contents, made by one runner before the threads start. */
	RUN(shared, nsr_init(shared, p, sdir, ARGOS_ROOT_INO, f->seed ^ 0x5a5a, 10));
	shared->max_inodes = 120;
	RUN(shared, nsr_ops(shared, 300));
	for (int k = 0; k < NTHREADS; k++) {
		RUN(&t[k].r, nsr_init(&t[k].r, p, tdir[k], ARGOS_ROOT_INO, f->seed, k));
		t[k].r.max_inodes = 120;
		t[k].r.shared = &shared->m;
		t[k].r.shared_dir = sdir;
		t[k].nops = 600ul * f->scale;
		assert_int_equal(pthread_create(&t[k].tid, NULL, thr_main, &t[k]), 0);
	}
	for (int k = 0; k < NTHREADS; k++)
		pthread_join(t[k].tid, NULL);
	for (int k = 0; k < NTHREADS; k++)
		if (t[k].r.failed)
			FAIL(&t[k].r);
	/* One model of the whole pool: root, the shared tree, the threads' trees. */
	assert_int_equal(nsm_merge(&main_r->m, &shared->m), 0);
	for (int k = 0; k < NTHREADS; k++) {
		assert_int_equal(nsm_merge(&main_r->m, &t[k].r.m), 0);
		total += t[k].r.nops;
	}
	RUN(main_r, nsr_check(main_r, true));
	main_r->track = true;
	RUN(main_r, nsr_sync(main_r));
	crash(main_r->p);
	must_open(f, main_r);
	RUN(main_r, nsr_after_crash(main_r));
	assert_int_equal(argos_pool_close(main_r->p), 0);
	must_open(f, main_r);
	RUN(main_r, nsr_after_close(main_r));
	RUN(main_r, nsr_check(main_r, true));
	for (int k = 0; k < NTHREADS; k++)
		report(k == 0 ? "thread 0" : k == 1 ? "thread 1" : k == 2 ? "thread 2" : "thread 3",
		       &t[k].r, now() - t0);
	printf("# threads: %lu ops in %d threads, %.1f s\n", total, NTHREADS, now() - t0);
	assert_int_equal(argos_pool_close(main_r->p), 0);
	for (int k = 0; k < NTHREADS; k++)
		nsr_free(&t[k].r);
	nsr_free(shared);
	nsr_free(main_r);
	free(t);
	free(shared);
	free(main_r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_model_single, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_crash_points, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
