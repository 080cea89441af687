/*
 * test_record.c — the write recorder (ARGOSFS_RECORD, engine/record.c).
 *
 * Description: a read-write open with ARGOSFS_RECORD logs the open's own
 * writes, every later write and flush, and marks, in the format
 * docs/testing.md gives (read back with the crash tests' reader); replaying
 * the log over copies of the images taken before the open gives the images
 * after the close byte for byte; a read-only open records nothing; a log
 * that cannot be opened (or takes no first record) fails the open; one that
 * fails later stops recording without failing any I/O, and record_mark()
 * then reports the error; without ARGOSFS_RECORD record_mark() does nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "crashlib.h"
#include "pool.h"
#include "record.h"
#include "tutil.h"

struct fx {
	char dir[256], log[512];
	struct cl_images img, before;
	struct cl_model model;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char why[256];

	assert_non_null(f);
	assert_int_equal(tutil_mkdtemp("record", f->dir, sizeof(f->dir)), 0);
	cl_images_name(&f->img, f->dir, "img");
	cl_images_name(&f->before, f->dir, "before");
	snprintf(f->log, sizeof(f->log), "%s/write.log", f->dir);
	if (cl_mkfs(&f->img, 32ull << 20, 1u << 20, why, sizeof(why)))
		fail_msg("mkfs: %s", why);
	assert_int_equal(cl_model_init(&f->model, 7), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	cl_model_free(&f->model);
	tutil_rmtree(f->dir);
	free(f);
	return 0;
}

static argos_pool *open_pool(struct fx *f, const char *record, unsigned flags)
{
	struct argos_open_opts o = { .flags = flags, .commit_ms = 3600000, .ckpt_ms = 3600000 };
	argos_pool *p;
	char why[512];
	int err;

	if (record)
		setenv("ARGOSFS_RECORD", record, 1);
	err = argos_pool_open(f->img.paths, CL_NMEM, &o, &p, why, sizeof(why));
	unsetenv("ARGOSFS_RECORD");
	if (err)
		fail_msg("open: %s (%s)", argos_strerror(err), why);
	return p;
}

static void run_txns(struct fx *f, argos_pool *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(cl_model_next(&f->model), 0);
		assert_int_equal(cl_run_txn(p, &f->model, f->model.ntxn, STORE_SYNC), 0);
	}
}

static void test_record_log_replays_to_the_images(void **state)
{
	struct fx *f = *state;
	struct cl_log log;
	unsigned writes = 0, flushes = 0, marks = 0, before_mark = 0;
	argos_pool *p;
	int fd[CL_NMEM];

	assert_int_equal(cl_copy_images(&f->img, &f->before), 0);
	p = open_pool(f, f->log, 0);
	run_txns(f, p, 5);
	assert_int_equal(record_mark(p, 0x1234), 0);
	assert_int_equal(argos_pool_checkpoint(p), 0);
	assert_int_equal(argos_pool_close(p), 0);

	assert_int_equal(cl_log_load(f->log, &log), 0);
	assert_false(log.torn);
	assert_true(log.n > 0);
	assert_int_equal(log.r[0].type, RECORD_OPEN);
	assert_int_equal(log.r[0].off, CL_NMEM);
	for (size_t i = 0; i < log.n; i++) {
		const struct cl_rec *r = &log.r[i];

		if (i > 0)
			assert_int_equal(r->seq, i);
		writes += r->type == RECORD_WRITE;
		flushes += r->type == RECORD_FLUSH;
		if (r->type == RECORD_MARK) {
			assert_int_equal(r->off, 0x1234);
			assert_int_equal(r->member, -1);
			before_mark = writes;
			marks++;
		}
	}
	assert_int_equal(marks, 1);
	assert_true(before_mark > 0 && before_mark < writes);   /* open and txns before, ckpt after */
	assert_true(flushes > 0);
	/* Applying the writes to the images from before the open gives the images now. */
	for (int i = 0; i < CL_NMEM; i++) {
		fd[i] = open(f->before.path[i], O_RDWR);
		assert_true(fd[i] >= 0);
	}
	for (size_t i = 0; i < log.n; i++)
		if (log.r[i].type == RECORD_WRITE)
			assert_int_equal(pwrite(fd[log.r[i].member], log.r[i].data, log.r[i].len,
						(off_t)log.r[i].off), (ssize_t)log.r[i].len);
	for (int i = 0; i < CL_NMEM; i++) {
		char cmd[1400];

		close(fd[i]);
		snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", f->before.path[i], f->img.path[i]);
		assert_int_equal(tutil_run(cmd, NULL, 0), 0);
	}
	cl_log_free(&log);

	/* A read-only open records nothing (not even an OPEN record). */
	p = open_pool(f, f->log, ARGOS_OPEN_RDONLY);
	assert_int_equal(record_mark(p, 1), 0);
	assert_int_equal(argos_pool_close(p), 0);
	assert_int_equal(cl_log_load(f->log, &log), 0);
	assert_int_equal(log.n, writes + flushes + marks + 1);
	cl_log_free(&log);
}

static void test_record_log_error_stops_recording(void **state)
{
	struct fx *f = *state;
	argos_pool *p;

	if (access("/dev/full", W_OK) != 0)
		skip();
	/* The OPEN record already fails: the open must fail (asked for a log). */
	{
		struct argos_open_opts o = { .commit_ms = 3600000, .ckpt_ms = 3600000 };
		char why[512];

		setenv("ARGOSFS_RECORD", "/dev/full", 1);
		assert_int_equal(argos_pool_open(f->img.paths, CL_NMEM, &o, &p, why, sizeof(why)),
				 -ENOSPC);
		unsetenv("ARGOSFS_RECORD");
		assert_non_null(strstr(why, "/dev/full"));
	}
	/* A log that cannot be opened fails the open too. */
	{
		struct argos_open_opts o = { 0 };
		char why[512], bad[600];

		snprintf(bad, sizeof(bad), "%s/no/such/dir/log", f->dir);
		setenv("ARGOSFS_RECORD", bad, 1);
		assert_int_equal(argos_pool_open(f->img.paths, CL_NMEM, &o, &p, why, sizeof(why)),
				 -ENOENT);
		unsetenv("ARGOSFS_RECORD");
	}
	/* Without ARGOSFS_RECORD, record_mark does nothing. */
	p = open_pool(f, NULL, 0);
	assert_null(p->rec);
	assert_int_equal(record_mark(p, 5), 0);
	run_txns(f, p, 2);
	assert_int_equal(argos_pool_close(p), 0);
}

/*
 * Recording fails after the open: the I/O goes on, record_mark reports it.
 * The log is a FIFO whose reader goes away (later appends fail with EPIPE).
 */
static void test_record_error_never_fails_io(void **state)
{
	struct fx *f = *state;
	char fifo[600];
	argos_pool *p;
	int rfd;

	snprintf(fifo, sizeof(fifo), "%s/fifo", f->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	rfd = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(rfd >= 0);
	/* Room for everything the open writes (nobody reads the FIFO). */
	if (fcntl(rfd, F_SETPIPE_SZ, 1 << 20) < 0) {
		close(rfd);
		skip();
	}
	signal(SIGPIPE, SIG_IGN);
	p = open_pool(f, fifo, 0);
	assert_non_null(p->rec);
	close(rfd);                                 /* the next append fails */
	run_txns(f, p, 3);                          /* writes and flushes go on */
	assert_int_equal(record_mark(p, 2), -EPIPE);
	assert_int_equal(argos_pool_checkpoint(p), 0);
	assert_int_equal(argos_pool_close(p), 0);
	p = open_pool(f, NULL, ARGOS_OPEN_RDONLY);   /* and the pool holds them */
	{
		struct cl_state *s = calloc(1, sizeof(*s));

		assert_non_null(s);
		assert_int_equal(cl_state_read(p, s), 0);
		assert_int_equal(cl_state_match(&f->model, s, f->model.ntxn, f->model.ntxn),
				 (long)f->model.ntxn);
		free(s);
	}
	assert_int_equal(argos_pool_close(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_record_log_replays_to_the_images, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_log_error_stops_recording, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_error_never_fails_io, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
