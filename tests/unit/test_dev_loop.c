/*
 * test_dev_loop.c — the device layer on a loop device and its image file.
 *
 * Description: a loop device and its backing image are one member: equal
 * identity, and ownership (DEV_RDWR) of either path keeps the other out,
 * whoever holds it.  Needs root and a working `losetup -f --show`; skipped
 * (exit 77 when every test skipped) otherwise.
 *
 * Each test attaches its own 64 MiB sparse image in a temporary directory.
 * The fixture makes sure the loop device goes away: it sets autoclear on the
 * device and keeps one plain descriptor open, so even a crash detaches it
 * when the process dies; teardown runs `losetup -d` while that descriptor is
 * still open (so the number cannot be reused and detached from someone
 * else), then closes everything and checks the binding is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "dev.h"
#include "tutil.h"

#define MiB (1024ull * 1024)
#define IMG_SIZE (64 * MiB)
#define MAXOPEN 4

struct fixture {
	char        dir[4096];
	char        img[4096];
	char        loop[64];           /* /dev/loopN, "" when not attached */
	int         keeper;             /* plain fd that keeps the binding */
	struct stat img_st;
	/* what a test opened, closed by teardown if the test failed */
	struct dev *dev[MAXOPEN];
	int         fd[MAXOPEN];
};

static unsigned g_skipped, g_run;

static void fixture_close_all(struct fixture *f)
{
	for (int i = 0; i < MAXOPEN; i++) {
		dev_close(f->dev[i]);
		f->dev[i] = NULL;
		if (f->fd[i] >= 0)
			close(f->fd[i]);
		f->fd[i] = -1;
	}
}

/* 1 while f->loop is still bound to the image. */
static int loop_still_ours(const struct fixture *f)
{
	struct loop_info64 li;
	int fd = open(f->loop, O_RDONLY | O_CLOEXEC);
	int ours;

	if (fd < 0)
		return 0;
	ours = ioctl(fd, LOOP_GET_STATUS64, &li) == 0 && li.lo_inode == f->img_st.st_ino;
	close(fd);
	return ours;
}

static int fixture_detach(struct fixture *f)
{
	char cmd[256];
	int rc = 0;

	if (f->loop[0]) {
		/* keeper still open: the number stays ours until the last close */
		snprintf(cmd, sizeof cmd, "losetup -d %s 2>/dev/null", f->loop);
		tutil_run(cmd, NULL, 0);
	}
	fixture_close_all(f);
	if (f->keeper >= 0)
		close(f->keeper);
	f->keeper = -1;
	if (f->loop[0]) {
		for (int i = 0; i < 500 && loop_still_ours(f); i++)
			nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
		if (loop_still_ours(f)) {
			print_error("%s is still attached to %s\n", f->loop, f->img);
			rc = -1;
		}
		f->loop[0] = '\0';
	}
	if (f->dir[0] && tutil_rmtree(f->dir) < 0)
		rc = -1;
	f->dir[0] = '\0';
	return rc;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct loop_info64 li;
	char cmd[4300];

	if (!f)
		return -1;
	f->keeper = -1;
	for (int i = 0; i < MAXOPEN; i++)
		f->fd[i] = -1;
	*state = f;
	g_run++;
	if (geteuid() != 0)
		return 0;                       /* the test skips */
	if (tutil_mkdtemp("test-dev-loop", f->dir, sizeof f->dir) < 0 ||
	    tutil_mkimage(f->dir, "loop.img", IMG_SIZE, f->img, sizeof f->img) < 0 ||
	    stat(f->img, &f->img_st) < 0)
		goto fail;
	snprintf(cmd, sizeof cmd, "losetup -f --show '%s' 2>/dev/null", f->img);
	if (tutil_run(cmd, f->loop, sizeof f->loop) != 0 ||
	    strncmp(f->loop, "/dev/loop", 9) != 0) {
		f->loop[0] = '\0';
		return fixture_detach(f);       /* no loop devices here: skip */
	}
	f->keeper = open(f->loop, O_RDONLY | O_CLOEXEC);
	if (f->keeper < 0)
		goto fail;
	if (ioctl(f->keeper, LOOP_GET_STATUS64, &li) == 0) {
		li.lo_flags |= LO_FLAGS_AUTOCLEAR;
		ioctl(f->keeper, LOOP_SET_STATUS64, &li);       /* best effort */
	}
	return 0;
fail:
	fixture_detach(f);
	return -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int rc = fixture_detach(f);

	free(f);
	return rc;
}

/* The fixture, or skip() when this host cannot attach a loop device. */
static struct fixture *need_loop(void **state)
{
	struct fixture *f = *state;

	if (!f->loop[0]) {
		g_skipped++;
		print_message("skipped: needs root and a working `losetup -f --show`\n");
		skip();
	}
	return f;
}

/* dev_open into slot i of the fixture; returns the result. */
static int try_open(struct fixture *f, int i, const char *path, int flags, char *why, size_t whylen)
{
	int rc;

	assert_null(f->dev[i]);
	rc = dev_open(path, flags, &f->dev[i], why, whylen);
	if (rc != 0)
		assert_null(f->dev[i]);
	return rc;
}

static void open_ok(struct fixture *f, int i, const char *path, int flags)
{
	char why[512];
	int rc = try_open(f, i, path, flags, why, sizeof why);

	if (rc != 0)
		print_error("dev_open(%s): %d: %s\n", path, rc, why);
	assert_int_equal(rc, 0);
}

/* A plain descriptor in slot i (another process holding or locking a path). */
static void open_fd(struct fixture *f, int i, const char *path, int oflags)
{
	assert_int_equal(f->fd[i], -1);
	f->fd[i] = open(path, oflags | O_CLOEXEC);
	assert_true(f->fd[i] >= 0);
}

static void close_slot(struct fixture *f, int i)
{
	dev_close(f->dev[i]);
	f->dev[i] = NULL;
	if (f->fd[i] >= 0)
		close(f->fd[i]);
	f->fd[i] = -1;
}

/* Nobody owns path any more: DEV_RDWR succeeds (and is let go at once). */
static void expect_free(struct fixture *f, const char *path)
{
	open_ok(f, MAXOPEN - 1, path, DEV_RDWR);
	close_slot(f, MAXOPEN - 1);
}

static void test_loop_identity(void **state)
{
	struct fixture *f = need_loop(state);
	struct dev_info li, ii;
	char why[512], real[4096];

	assert_int_equal(dev_stat(f->loop, &li, why, sizeof why), 0);
	assert_int_equal(dev_stat(f->img, &ii, why, sizeof why), 0);
	assert_int_equal(li.kind, DEV_KIND_BLOCK);
	assert_true(li.is_loop);
	assert_int_equal(li.size, IMG_SIZE);
	assert_true(li.logical_sector >= 512);
	assert_true(li.physical_sector >= li.logical_sector);
	assert_non_null(realpath(f->img, real));
	assert_string_equal(li.loop_backing, real);
	assert_int_equal(ii.kind, DEV_KIND_FILE);
	assert_false(ii.is_loop);
	assert_true(ii.id_dev == f->img_st.st_dev && ii.id_ino == f->img_st.st_ino);
	assert_true(li.id_dev == ii.id_dev);
	assert_true(li.id_ino == ii.id_ino);

	/* an open device reports the same */
	open_ok(f, 0, f->loop, DEV_RDONLY);
	assert_true(dev_get_info(f->dev[0])->id_ino == ii.id_ino);
	close_slot(f, 0);
}

/* The loop device held O_EXCL by someone else keeps the image out. */
static void test_loop_held_blocks_image(void **state)
{
	struct fixture *f = need_loop(state);
	char why[512];

	open_fd(f, 0, f->loop, O_RDONLY | O_EXCL);
	assert_int_equal(try_open(f, 1, f->img, DEV_RDWR, why, sizeof why), -EBUSY);
	assert_non_null(strstr(why, f->loop));
	assert_non_null(strstr(why, "in use"));
	assert_int_equal(try_open(f, 1, f->loop, DEV_RDWR, why, sizeof why), -EBUSY);
	assert_non_null(strstr(why, "in use (mounted or held by another process)"));
	open_ok(f, 1, f->img, DEV_RDONLY);              /* reading is always fine */
	open_ok(f, 2, f->loop, DEV_RDONLY);
	close_slot(f, 1);
	close_slot(f, 2);

	/* the failed opens left nothing behind: once let go, the image opens */
	close_slot(f, 0);
	expect_free(f, f->img);
}

/* Owning the image holds the loop device; owning the loop device holds the image. */
static void test_loop_owner_excludes(void **state)
{
	struct fixture *f = need_loop(state);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char why[512];

	open_ok(f, 0, f->img, DEV_RDWR);
	assert_int_equal(try_open(f, 1, f->loop, DEV_RDWR, why, sizeof why), -EBUSY);
	assert_int_equal(open(f->loop, O_RDONLY | O_EXCL | O_CLOEXEC), -1);
	assert_int_equal(errno, EBUSY);
	close_slot(f, 0);

	open_ok(f, 0, f->loop, DEV_RDWR);
	assert_int_equal(try_open(f, 1, f->img, DEV_RDWR, why, sizeof why), -EBUSY);
	/* its backing file is locked, too */
	open_fd(f, 1, f->img, O_RDWR);
	assert_int_equal(fcntl(f->fd[1], F_OFD_SETLK, &fl), -1);
	close_slot(f, 1);
	close_slot(f, 0);

	expect_free(f, f->img);
}

/* A lock on the image (another ArgosFS process) keeps the loop device out,
 * and the refused open does not stay holding the loop device. */
static void test_loop_image_locked_blocks_loop(void **state)
{
	struct fixture *f = need_loop(state);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char why[512];

	open_fd(f, 0, f->img, O_RDWR);
	assert_int_equal(fcntl(f->fd[0], F_OFD_SETLK, &fl), 0);
	assert_int_equal(try_open(f, 1, f->loop, DEV_RDWR, why, sizeof why), -EBUSY);
	assert_non_null(strstr(why, "locked by another ArgosFS process"));
	open_fd(f, 1, f->loop, O_RDONLY | O_EXCL);
	close_slot(f, 1);
	close_slot(f, 0);
	expect_free(f, f->loop);
}

/* Data written through the loop device is in the image. */
static void test_loop_io(void **state)
{
	struct fixture *f = need_loop(state);
	const size_t len = 256 * 1024;
	struct dev_io_cfg cfg = { .backend = DEV_BACKEND_PSYNC, .threads = 2 };
	struct dev_io *io;
	char *w, *r;

	w = dev_buf_alloc(len);
	r = dev_buf_alloc(len);
	assert_non_null(w);
	assert_non_null(r);
	tutil_pattern(w, len, 77, MiB);
	assert_int_equal(dev_io_create(&cfg, &io), 0);
	open_ok(f, 0, f->loop, DEV_RDWR);
	assert_int_equal(dev_pwrite(io, f->dev[0], w, len, MiB), 0);
	assert_int_equal(dev_flush(io, f->dev[0]), 0);
	assert_int_equal(dev_pread(io, f->dev[0], r, len, MiB), 0);
	assert_memory_equal(w, r, len);
	close_slot(f, 0);
	open_ok(f, 0, f->img, DEV_RDWR);
	memset(r, 0, len);
	assert_int_equal(dev_pread(io, f->dev[0], r, len, MiB), 0);
	assert_memory_equal(w, r, len);
	close_slot(f, 0);
	dev_io_destroy(io);
	free(w);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_loop_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_held_blocks_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_owner_excludes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_image_locked_blocks_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_io, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	if (rc == 0 && g_run > 0 && g_skipped == g_run)
		return 77;                      /* Automake: SKIP */
	return rc;
}
