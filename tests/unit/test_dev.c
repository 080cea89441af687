/*
 * test_dev.c — the device layer (engine/dev.h) on image files.
 *
 * Description: opening members (kind, geometry, identity, refusals),
 * ownership of image files, aligned buffers, I/O engines, batches of many
 * reads and writes across several images (inline and through the psync
 * pool), flush, hooks (failing writes, flipping read bits, recording order),
 * requests past the end, and several threads running batches at once; the
 * io_uring and libaio backends' waiters reaping their own completions (with fewer
 * slots than requests, and several threads at once).
 * Loop devices are in test_dev_loop.c.
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
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "dev.h"
#include "tutil.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)

static char g_dir[1024];                /* the group's temporary directory */

static int group_setup(void **state)
{
	return tutil_mkdtemp("test-dev", g_dir, sizeof g_dir) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	return tutil_rmtree(g_dir) == 0 ? 0 : -1;
}

/* A fresh image g_dir/name of size bytes; its path in path[4096]. */
static void mkimage(const char *name, uint64_t size, char *path)
{
	assert_int_equal(tutil_mkimage(g_dir, name, size, path, 4096), 0);
}

static struct dev *open_ok(const char *path, int flags)
{
	char why[256];
	struct dev *d = NULL;
	int rc = dev_open(path, flags, &d, why, sizeof why);

	if (rc != 0)
		print_error("dev_open(%s): %d: %s\n", path, rc, why);
	assert_int_equal(rc, 0);
	assert_non_null(d);
	return d;
}

/* Open an image for I/O through io: libaio only queues O_DIRECT I/O (the
 * pool puts members in direct mode for it), so its images are opened in
 * direct mode where the filesystem has O_DIRECT (tmpfs does).  io may be
 * NULL (inline requests). */
static struct dev *open_for(struct dev_io *io, const char *path)
{
	char why[256];
	struct dev *d = NULL;

	if (io && dev_io_backend(io) == DEV_BACKEND_AIO &&
	    dev_open(path, DEV_RDWR | DEV_DIRECT, &d, why, sizeof why) == 0)
		return d;
	return open_ok(path, DEV_RDWR);
}

static struct dev_io *io_ok(unsigned threads)
{
	struct dev_io_cfg cfg = { .backend = DEV_BACKEND_PSYNC, .threads = threads };
	struct dev_io *io = NULL;

	assert_int_equal(dev_io_create(&cfg, &io), 0);
	assert_non_null(io);
	return io;
}

/* ---- opening ------------------------------------------------------------- */

static void test_open_file(void **state)
{
	char path[4096], why[256];
	const struct dev_info *info;
	struct dev_info si;
	struct stat st;
	struct dev *d;

	mkimage("open-file.img", 8 * MiB + 4096, path);
	assert_int_equal(stat(path, &st), 0);
	d = open_ok(path, DEV_RDONLY);
	info = dev_get_info(d);
	assert_string_equal(info->path, path);
	assert_int_equal(info->kind, DEV_KIND_FILE);
	assert_int_equal(info->size, 8 * MiB + 4096);
	assert_int_equal(info->logical_sector, 512);
	assert_int_equal(info->physical_sector, 4096);
	assert_true(info->id_dev == st.st_dev);
	assert_true(info->id_ino == st.st_ino);
	assert_false(info->is_loop);
	assert_string_equal(info->loop_backing, "");
	assert_true(dev_fd(d) >= 0);
	assert_int_equal(dev_get_tag(d), 0);
	dev_set_tag(d, 7);
	assert_int_equal(dev_get_tag(d), 7);

	assert_int_equal(dev_stat(path, &si, why, sizeof why), 0);
	assert_int_equal(si.kind, DEV_KIND_FILE);
	assert_int_equal(si.size, info->size);
	assert_true(si.id_dev == info->id_dev && si.id_ino == info->id_ino);
	dev_close(d);
	dev_close(NULL);
}

/* dev_open and dev_stat both refuse path with want, naming it in why. */
static void expect_refused(const char *path, int want, const char *reason)
{
	char why[512];
	struct dev_info info;
	struct dev *d = (struct dev *)1;

	assert_int_equal(dev_open(path, DEV_RDWR, &d, why, sizeof why), want);
	assert_null(d);
	assert_non_null(strstr(why, path));
	assert_non_null(strstr(why, reason));
	assert_int_equal(dev_open(path, DEV_RDONLY, &d, why, sizeof why), want);
	assert_int_equal(dev_stat(path, &info, why, sizeof why), want);
	assert_non_null(strstr(why, reason));
}

static void test_open_refused(void **state)
{
	char path[4096], why[256];
	struct dev *d;

	expect_refused(g_dir, -EISDIR, "is a directory");
	snprintf(path, sizeof path, "%s/missing.img", g_dir);
	expect_refused(path, -ENOENT, "No such file");
	expect_refused("/dev/null", -ENOTBLK, "character device");
	snprintf(path, sizeof path, "%s/fifo", g_dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_refused(path, -EINVAL, "neither a block device nor a regular file");
	assert_int_equal(unlink(path), 0);

	mkimage("flags.img", 1 * MiB, path);
	assert_int_equal(dev_open(path, 0x100, &d, why, sizeof why), -EINVAL);
	/* a NULL why is allowed */
	assert_int_equal(dev_open(g_dir, DEV_RDONLY, &d, NULL, 0), -EISDIR);
}

static void test_open_ownership(void **state)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[4096], why[512];
	struct dev *a, *b, *r;
	int fd;

	mkimage("owned.img", 4 * MiB, path);
	a = open_ok(path, DEV_RDWR);
	b = (struct dev *)1;
	assert_int_equal(dev_open(path, DEV_RDWR, &b, why, sizeof why), -EBUSY);
	assert_null(b);
	assert_non_null(strstr(why, "is locked by another ArgosFS process"));
	r = open_ok(path, DEV_RDONLY);          /* reading takes no ownership */

	/* another process's lock attempt on the image fails too */
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), -1);
	assert_true(errno == EAGAIN || errno == EACCES);

	dev_close(a);
	b = open_ok(path, DEV_RDWR);            /* free again */
	dev_close(b);

	/* and an outside lock keeps ArgosFS out */
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
	assert_int_equal(dev_open(path, DEV_RDWR, &b, why, sizeof why), -EBUSY);
	close(fd);
	b = open_ok(path, DEV_RDWR);
	dev_close(b);
	dev_close(r);
}

static void test_buf_alloc(void **state)
{
	size_t lens[] = { 0, 1, 512, 4096, 65536 + 17 };

	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		unsigned char *p = dev_buf_alloc(lens[i]);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % DEV_ALIGN, 0);
		for (size_t j = 0; j < lens[i]; j++)
			assert_int_equal(p[j], 0);
		free(p);
	}
}

/* ---- engines ---------------------------------------------------------------- */

static void test_io_create(void **state)
{
	struct dev_io_cfg cfg = { .backend = DEV_BACKEND_PSYNC };
	struct dev_io *io;

	assert_string_equal(dev_backend_name(DEV_BACKEND_PSYNC), "psync");
	assert_string_equal(dev_backend_name(DEV_BACKEND_DIRECT), "direct");
	assert_string_equal(dev_backend_name(DEV_BACKEND_URING), "io_uring");
	assert_string_equal(dev_backend_name(DEV_BACKEND_AIO), "libaio");
	assert_string_equal(dev_backend_name((enum dev_backend)99), "unknown");

	for (unsigned t = 0; t < 20; t++) {     /* workers are joined each time */
		cfg.threads = t % 5;
		assert_int_equal(dev_io_create(&cfg, &io), 0);
		dev_io_destroy(io);
	}
	dev_io_destroy(NULL);
	cfg.threads = 100000;
	assert_int_equal(dev_io_create(&cfg, &io), -EINVAL);
	cfg.threads = 0;
	for (int b = DEV_BACKEND_DIRECT; b <= DEV_BACKEND_AIO; b++) {
		cfg.backend = (enum dev_backend)b;
		io = NULL;
		assert_int_equal(dev_io_create(&cfg, &io), 0);
		assert_non_null(io);
		/* io_uring may fall back to psync (a kernel that refuses rings). */
		assert_true(dev_io_backend(io) == cfg.backend ||
			    (b == DEV_BACKEND_URING && dev_io_fallback(io) < 0));
		dev_io_destroy(io);
	}
	cfg.backend = (enum dev_backend)42;
	assert_int_equal(dev_io_create(&cfg, &io), -EINVAL);
}

/* ---- batches ------------------------------------------------------------------ */

#define NIMG      4
#define IMG_SIZE  (4 * MiB)
#define SLOT      (64 * KiB)
#define NSLOT     (IMG_SIZE / SLOT)

/* Write, flush and read back one batch of requests over NIMG images, with
 * random lengths in non-overlapping slots; check through dev and plain pread. */
static void batch_roundtrip(struct dev_io *io, const char *tag, uint64_t seed)
{
	enum { NREQ = NIMG * NSLOT };
	static struct dev_req wr[NREQ], rd[NREQ], fl[NIMG];
	char path[NIMG][4096], name[64];
	struct dev *d[NIMG];
	void *wbuf[NREQ], *rbuf[NREQ];
	struct dev_batch b;
	unsigned n = 0;

	srand((unsigned)seed);
	for (int i = 0; i < NIMG; i++) {
		snprintf(name, sizeof name, "batch-%s-%d.img", tag, i);
		mkimage(name, IMG_SIZE, path[i]);
		d[i] = open_for(io, path[i]);
	}

	dev_batch_init(&b, io);
	for (int i = 0; i < NIMG; i++) {
		for (unsigned s = 0; s < NSLOT; s++, n++) {
			size_t len = 512 * (1 + (size_t)rand() % (SLOT / 512));
			uint64_t off = s * SLOT + (SLOT - len) / 512 / 2 * 512;

			wbuf[n] = malloc(len);          /* any alignment is fine */
			rbuf[n] = malloc(len);
			assert_non_null(wbuf[n]);
			assert_non_null(rbuf[n]);
			tutil_pattern(wbuf[n], len, seed + (uint64_t)i, off);
			memset(rbuf[n], 0xee, len);
			dev_req_write(&wr[n], d[i], wbuf[n], len, off);
			wr[n].priv = wbuf[n];
			dev_batch_add(&b, &wr[n]);
			dev_req_read(&rd[n], d[i], rbuf[n], len, off);
		}
	}
	assert_int_equal(b.queued, NREQ);
	assert_int_equal(dev_batch_run(&b), 0);
	assert_int_equal(b.inflight, 0);
	for (unsigned k = 0; k < n; k++) {
		assert_int_equal(wr[k].res, (int)wr[k].len);
		assert_ptr_equal(wr[k].priv, wbuf[k]);
	}

	dev_batch_init(&b, io);
	for (int i = 0; i < NIMG; i++) {
		dev_req_flush(&fl[i], d[i]);
		dev_batch_add(&b, &fl[i]);
	}
	assert_int_equal(dev_batch_run(&b), 0);
	for (int i = 0; i < NIMG; i++)
		assert_int_equal(fl[i].res, 0);

	/* reads: submitted in two halves, then one wait */
	dev_batch_init(&b, io);
	for (unsigned k = 0; k < n / 2; k++)
		dev_batch_add(&b, &rd[k]);
	assert_int_equal(dev_batch_submit(&b), 0);
	for (unsigned k = n / 2; k < n; k++)
		dev_batch_add(&b, &rd[k]);
	assert_int_equal(dev_batch_submit(&b), 0);
	assert_int_equal(dev_batch_wait(&b), 0);
	assert_int_equal(dev_batch_wait(&b), 0);        /* nothing left: returns at once */

	n = 0;
	for (int i = 0; i < NIMG; i++) {
		int fd = open(path[i], O_RDONLY | O_CLOEXEC);

		assert_true(fd >= 0);
		for (unsigned s = 0; s < NSLOT; s++, n++) {
			size_t len = rd[n].len;

			assert_int_equal(rd[n].res, (int)len);
			assert_int_equal(tutil_check_pattern(rbuf[n], len, seed + (uint64_t)i,
							     rd[n].off), -1);
			memset(rbuf[n], 0, len);
			assert_int_equal(pread(fd, rbuf[n], len, (off_t)rd[n].off), (ssize_t)len);
			assert_memory_equal(rbuf[n], wbuf[n], len);
			free(wbuf[n]);
			free(rbuf[n]);
		}
		close(fd);
		dev_close(d[i]);
		assert_int_equal(unlink(path[i]), 0);
	}
}

static void test_batch_inline(void **state)
{
	batch_roundtrip(NULL, "inline", 11);
}

static void test_batch_psync(void **state)
{
	struct dev_io *io = io_ok(0);

	batch_roundtrip(io, "psync", 22);
	dev_io_destroy(io);
}

static void test_batch_one_worker(void **state)
{
	struct dev_io *io = io_ok(1);

	batch_roundtrip(io, "one", 33);
	dev_io_destroy(io);
}

/* An io_uring or libaio engine with depth slots, or NULL when the kernel
 * refuses it (the engine fell back to psync). */
static struct dev_io *async_or_skip(enum dev_backend backend, unsigned depth)
{
	struct dev_io_cfg cfg = { .backend = backend, .depth = depth };
	struct dev_io *io = NULL;

	assert_int_equal(dev_io_create(&cfg, &io), 0);
	if (dev_io_backend(io) != backend) {
		dev_io_destroy(io);
		return NULL;
	}
	return io;
}

/* 256 requests through 8 slots: the submitter reaps to free slots. */
static void test_batch_uring(void **state)
{
	struct dev_io *io = async_or_skip(DEV_BACKEND_URING, 8);

	if (!io)
		skip();
	batch_roundtrip(io, "uring", 44);
	dev_io_destroy(io);
}

/* The same through libaio on direct-mode images (unaligned requests go
 * through bounce buffers; flushes are FDSYNC iocbs). */
static void test_batch_aio(void **state)
{
	struct dev_io *io = async_or_skip(DEV_BACKEND_AIO, 8);

	if (!io)
		skip();
	batch_roundtrip(io, "aio", 45);
	dev_io_destroy(io);
}

static void test_batch_empty_and_invalid(void **state)
{
	struct dev_io *io = io_ok(2);
	char path[4096], buf[512];
	struct dev_req r[3];
	struct dev_batch b;
	struct dev *d;

	dev_batch_init(&b, io);
	assert_int_equal(dev_batch_run(&b), 0);
	assert_int_equal(dev_batch_submit(&b), 0);
	assert_int_equal(dev_batch_wait(&b), 0);

	mkimage("invalid.img", 1 * MiB, path);
	d = open_ok(path, DEV_RDWR);
	dev_req_read(&r[0], d, buf, sizeof buf, 0);
	dev_req_read(&r[1], NULL, buf, sizeof buf, 0);  /* no device */
	dev_req_read(&r[2], d, buf, sizeof buf, 0);
	r[2].op = 9;                                    /* no such op */
	for (int i = 0; i < 3; i++)
		dev_batch_add(&b, &r[i]);
	assert_int_equal(dev_batch_run(&b), -EINVAL);
	assert_int_equal(r[0].res, (int)sizeof buf);
	assert_int_equal(r[1].res, -EINVAL);
	assert_int_equal(r[2].res, -EINVAL);
	/* first_err stays until the batch is initialised again */
	assert_int_equal(b.first_err, -EINVAL);
	dev_req_read(&r[0], d, buf, sizeof buf, 0);
	dev_batch_add(&b, &r[0]);
	assert_int_equal(dev_batch_run(&b), -EINVAL);
	dev_batch_init(&b, io);
	dev_batch_add(&b, &r[0]);
	assert_int_equal(dev_batch_run(&b), 0);

	dev_close(d);
	dev_io_destroy(io);
	assert_int_equal(unlink(path), 0);
}

static void test_flush(void **state)
{
	struct dev_io *io = io_ok(3);
	char path[4096];
	struct dev *d, *r;

	mkimage("flush.img", 1 * MiB, path);
	d = open_ok(path, DEV_RDWR);
	r = open_ok(path, DEV_RDONLY);
	assert_int_equal(dev_pwrite(io, d, "argos", 5, 4096), 0);
	assert_int_equal(dev_flush(io, d), 0);
	assert_int_equal(dev_flush(NULL, d), 0);
	assert_int_equal(dev_flush(io, r), 0);
	dev_close(r);
	dev_close(d);
	dev_io_destroy(io);
	assert_int_equal(unlink(path), 0);
}

static void test_direct(void **state)
{
	char path[4096], why[256];
	struct dev *d = NULL;
	struct dev_io *io;
	void *w, *r;
	int rc;

	mkimage("direct.img", 1 * MiB, path);
	rc = dev_open(path, DEV_RDWR | DEV_DIRECT, &d, why, sizeof why);
	if (rc == -EINVAL) {
		unlink(path);
		skip();                         /* this filesystem has no O_DIRECT */
	}
	assert_int_equal(rc, 0);
	io = io_ok(2);
	w = dev_buf_alloc(64 * KiB);
	r = dev_buf_alloc(64 * KiB);
	assert_non_null(w);
	assert_non_null(r);
	tutil_pattern(w, 64 * KiB, 5, 128 * KiB);
	assert_int_equal(dev_pwrite(io, d, w, 64 * KiB, 128 * KiB), 0);
	assert_int_equal(dev_flush(io, d), 0);
	assert_int_equal(dev_pread(io, d, r, 64 * KiB, 128 * KiB), 0);
	assert_memory_equal(w, r, 64 * KiB);
	free(w);
	free(r);
	dev_io_destroy(io);
	dev_close(d);
	assert_int_equal(unlink(path), 0);
}

/* ---- past the end ----------------------------------------------------------------- */

static void test_io_past_end(void **state)
{
	const uint64_t size = 1 * MiB;
	struct dev_io *io = io_ok(2);
	struct dev_io *ios[2] = { NULL, io };
	char path[4096];
	struct stat st;
	struct dev *d;
	char *buf;

	buf = calloc(1, 16 * KiB);
	assert_non_null(buf);
	mkimage("end.img", size, path);
	d = open_ok(path, DEV_RDWR);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(dev_pread(ios[i], d, buf, 8 * KiB, size - 4 * KiB), -EINVAL);
		assert_int_equal(dev_pread(ios[i], d, buf, 512, size), -EINVAL);
		assert_int_equal(dev_pread(ios[i], d, buf, 512, size + 4 * KiB), -EINVAL);
		assert_int_equal(dev_pread(ios[i], d, buf, 512, UINT64_MAX - 100), -EINVAL);
		assert_int_equal(dev_pwrite(ios[i], d, buf, 8 * KiB, size - 4 * KiB), -EINVAL);
		assert_int_equal(dev_pwrite(ios[i], d, buf, 512, size), -EINVAL);
		assert_int_equal(dev_pread(ios[i], d, buf, 0, size), 0);
		assert_int_equal(dev_pread(ios[i], d, buf, 4 * KiB, size - 4 * KiB), 0);
	}
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, size);             /* never grown */

	/* the image shrinks under us: the device ends early, -EIO */
	assert_int_equal(truncate(path, (off_t)(size / 2)), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(dev_pread(ios[i], d, buf, 4 * KiB, size / 2 + 8 * KiB), -EIO);
		assert_int_equal(dev_pread(ios[i], d, buf, 8 * KiB, size / 2 - 4 * KiB), -EIO);
		assert_int_equal(dev_pread(ios[i], d, buf, 4 * KiB, 0), 0);
	}
	free(buf);
	dev_close(d);
	dev_io_destroy(io);
	assert_int_equal(unlink(path), 0);
}

/* ---- hooks ----------------------------------------------------------------------- */

static int pre_fail_writes(void *ctx, struct dev_req *r)
{
	int *calls = ctx;

	__atomic_add_fetch(calls, 1, __ATOMIC_RELAXED);
	return r->op == DEV_OP_WRITE ? -EIO : 0;
}

static void test_hook_pre_fails_writes(void **state)
{
	enum { N = 32 };
	struct dev_io *io = io_ok(4);
	struct dev_req req[N];
	struct dev_batch b;
	char path[4096];
	struct dev *d;
	char *buf, *rb;
	int calls = 0;
	struct dev_hooks h = { .ctx = &calls, .pre = pre_fail_writes };

	buf = malloc(N * 4 * KiB);
	rb = malloc(N * 4 * KiB);
	assert_non_null(buf);
	assert_non_null(rb);
	mkimage("pre.img", 1 * MiB, path);
	d = open_ok(path, DEV_RDWR);
	tutil_pattern(buf, N * 4 * KiB, 1, 0);
	assert_int_equal(dev_pwrite(io, d, buf, N * 4 * KiB, 0), 0);

	dev_set_hooks(d, &h);
	tutil_pattern(buf, N * 4 * KiB, 2, 0);
	dev_batch_init(&b, io);
	for (int i = 0; i < N; i++) {
		dev_req_write(&req[i], d, buf + i * 4 * KiB, 4 * KiB, (uint64_t)i * 4 * KiB);
		dev_batch_add(&b, &req[i]);
	}
	assert_int_equal(dev_batch_run(&b), -EIO);
	for (int i = 0; i < N; i++)
		assert_int_equal(req[i].res, -EIO);
	assert_int_equal(dev_pwrite(NULL, d, buf, 4 * KiB, 0), -EIO);
	assert_int_equal(calls, N + 1);
	/* reads pass, and see the old data */
	assert_int_equal(dev_pread(io, d, rb, N * 4 * KiB, 0), 0);
	assert_int_equal(tutil_check_pattern(rb, N * 4 * KiB, 1, 0), -1);
	assert_int_equal(calls, N + 2);

	dev_set_hooks(d, NULL);
	assert_int_equal(dev_pread(io, d, rb, N * 4 * KiB, 0), 0);
	assert_int_equal(tutil_check_pattern(rb, N * 4 * KiB, 1, 0), -1);
	assert_int_equal(calls, N + 2);
	free(buf);
	free(rb);
	dev_close(d);
	dev_io_destroy(io);
	assert_int_equal(unlink(path), 0);
}

static void post_flip_reads(void *ctx, struct dev_req *r)
{
	if (r->op == DEV_OP_READ && r->res > 0)
		((unsigned char *)r->buf)[*(size_t *)ctx] ^= 0x10;
}

static void test_hook_post_flips_bit(void **state)
{
	struct dev_io *io = io_ok(2);
	size_t at = 100;
	struct dev_hooks h = { .ctx = &at, .post = post_flip_reads };
	char path[4096];
	unsigned char w[4096], r[4096];
	struct dev *d;

	mkimage("flip.img", 1 * MiB, path);
	d = open_ok(path, DEV_RDWR);
	tutil_pattern(w, sizeof w, 3, 8192);
	assert_int_equal(dev_pwrite(io, d, w, sizeof w, 8192), 0);
	dev_set_hooks(d, &h);
	assert_int_equal(dev_pwrite(io, d, w, sizeof w, 8192), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(dev_pread(i ? io : NULL, d, r, sizeof r, 8192), 0);
		assert_int_equal(tutil_check_pattern(r, sizeof r, 3, 8192), (long)at);
		assert_int_equal(r[at], w[at] ^ 0x10);
		r[at] ^= 0x10;
		assert_memory_equal(r, w, sizeof w);
	}
	dev_set_hooks(d, NULL);
	assert_int_equal(dev_pread(io, d, r, sizeof r, 8192), 0);
	assert_memory_equal(r, w, sizeof w);
	dev_close(d);
	dev_io_destroy(io);
	assert_int_equal(unlink(path), 0);
}

/* Which threads ran requests (pre hook), for test_waiter_runs_requests. */
struct runners {
	pthread_mutex_t lock;           /* protects the fields below */
	pthread_t caller;
	unsigned by_caller, by_others;
};

/* Count the calling thread as the test's own or another one. */
static void note_thread(struct runners *rn)
{
	pthread_mutex_lock(&rn->lock);
	if (pthread_equal(pthread_self(), rn->caller))
		rn->by_caller++;
	else
		rn->by_others++;
	pthread_mutex_unlock(&rn->lock);
}

static int pre_note_thread(void *ctx, struct dev_req *r)
{
	struct timespec nap = { 0, 5 * 1000 * 1000 };

	note_thread(ctx);
	nanosleep(&nap, NULL);          /* long enough for a woken worker to join in */
	return 0;
}

/* psync (dev_int.h invariant 5): a batch of one runs in the waiting
 * thread, no worker involved; a larger batch is shared between the waiter
 * and the workers. */
static void test_waiter_runs_requests(void **state)
{
	struct dev_io *io = io_ok(4);
	struct runners rn = { .lock = PTHREAD_MUTEX_INITIALIZER, .caller = pthread_self() };
	struct dev_hooks h = { .ctx = &rn, .pre = pre_note_thread };
	struct dev_req req[16];
	unsigned char w[4096], r[4096];
	struct dev_batch b;
	char path[4096];
	struct dev *d;

	mkimage("waiter.img", 1 * MiB, path);
	d = open_ok(path, DEV_RDWR);
	dev_set_hooks(d, &h);
	tutil_pattern(w, sizeof w, 5, 0);
	assert_int_equal(dev_pwrite(io, d, w, sizeof w, 0), 0);
	assert_int_equal(dev_flush(io, d), 0);
	assert_int_equal(dev_pread(io, d, r, sizeof r, 0), 0);
	assert_memory_equal(r, w, sizeof w);
	assert_int_equal(rn.by_caller, 3);
	assert_int_equal(rn.by_others, 0);

	rn.by_caller = 0;
	dev_batch_init(&b, io);
	for (unsigned i = 0; i < 16; i++) {
		dev_req_write(&req[i], d, w, sizeof w, (uint64_t)i * sizeof w);
		dev_batch_add(&b, &req[i]);
	}
	assert_int_equal(dev_batch_run(&b), 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(req[i].res, (int)sizeof w);
	assert_int_equal(rn.by_caller + rn.by_others, 16);
	assert_true(rn.by_caller >= 1);
	assert_true(rn.by_others >= 1);         /* the workers took part */
	dev_close(d);
	dev_io_destroy(io);
	assert_int_equal(unlink(path), 0);
}

/* Which threads finished requests (post hook), for waiter_reaps. */
static void post_note_thread(void *ctx, struct dev_req *r)
{
	(void)r;
	note_thread(ctx);
}

/* io_uring and libaio (dev_int.h invariant 5): the thread waiting for a
 * batch reaps its completions itself — post hooks run there, not in another
 * thread — for a batch of one (a read, a write, a flush) and for a batch of
 * many.  Fails with a completion thread or flush workers. */
static void waiter_reaps(enum dev_backend backend)
{
	struct dev_io *io = async_or_skip(backend, 0);
	struct runners rn = { .lock = PTHREAD_MUTEX_INITIALIZER, .caller = pthread_self() };
	struct dev_hooks h = { .ctx = &rn, .post = post_note_thread };
	struct dev_req req[16];
	unsigned char w[4096], r[4096];
	struct dev_batch b;
	char path[4096];
	struct dev *d;

	if (!io)
		skip();
	mkimage("reaps.img", 1 * MiB, path);
	d = open_for(io, path);
	dev_set_hooks(d, &h);
	tutil_pattern(w, sizeof w, 6, 0);
	assert_int_equal(dev_pwrite(io, d, w, sizeof w, 0), 0);
	assert_int_equal(dev_flush(io, d), 0);
	assert_int_equal(dev_pread(io, d, r, sizeof r, 0), 0);
	assert_memory_equal(r, w, sizeof w);
	dev_batch_init(&b, io);
	for (unsigned i = 0; i < 16; i++) {
		dev_req_write(&req[i], d, w, sizeof w, (uint64_t)i * sizeof w);
		dev_batch_add(&b, &req[i]);
	}
	assert_int_equal(dev_batch_run(&b), 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(req[i].res, (int)sizeof w);
	assert_int_equal(rn.by_caller, 3 + 16);
	assert_int_equal(rn.by_others, 0);
	dev_close(d);
	dev_io_destroy(io);
	assert_int_equal(unlink(path), 0);
}

static void test_uring_waiter_reaps(void **state)
{
	waiter_reaps(DEV_BACKEND_URING);
}

static void test_aio_waiter_reaps(void **state)
{
	waiter_reaps(DEV_BACKEND_AIO);
}

struct recorder {
	pthread_mutex_t lock;           /* protects n, log */
	unsigned n;
	struct { int tag; uint8_t op; uint64_t off; size_t len; int res; } log[64];
};

static void post_record(void *ctx, struct dev_req *r)
{
	struct recorder *rec = ctx;

	if (r->op == DEV_OP_READ)
		return;
	pthread_mutex_lock(&rec->lock);
	if (rec->n < 64) {
		rec->log[rec->n].tag = dev_get_tag(r->dev);
		rec->log[rec->n].op = r->op;
		rec->log[rec->n].off = r->off;
		rec->log[rec->n].len = r->len;
		rec->log[rec->n].res = r->res;
	}
	rec->n++;
	pthread_mutex_unlock(&rec->lock);
}

static void test_hook_post_records_order(void **state)
{
	struct dev_io *io = io_ok(4);
	struct recorder rec = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct dev_hooks h = { .ctx = &rec, .post = post_record };
	char path[2][4096], buf[16384];
	struct dev *d[2];
	unsigned i;

	mkimage("rec0.img", 1 * MiB, path[0]);
	mkimage("rec1.img", 1 * MiB, path[1]);
	for (i = 0; i < 2; i++) {
		d[i] = open_ok(path[i], DEV_RDWR);
		dev_set_tag(d[i], (int)i + 10);
		dev_set_hooks(d[i], &h);
	}
	memset(buf, 0x5a, sizeof buf);
	/* each call waits for its request, so this is the order of completion */
	for (i = 0; i < 20; i++) {
		struct dev *t = d[i % 2];

		if (i % 5 == 4)
			assert_int_equal(dev_flush(i % 3 ? io : NULL, t), 0);
		else
			assert_int_equal(dev_pwrite(i % 3 ? io : NULL, t, buf, 512 * (i + 1),
						    4096ull * i), 0);
		assert_int_equal(dev_pread(io, t, buf, 512, 0), 0);     /* not recorded */
	}
	assert_int_equal(rec.n, 20);
	for (i = 0; i < 20; i++) {
		assert_int_equal(rec.log[i].tag, (int)(i % 2) + 10);
		if (i % 5 == 4) {
			assert_int_equal(rec.log[i].op, DEV_OP_FLUSH);
			assert_int_equal(rec.log[i].res, 0);
		} else {
			assert_int_equal(rec.log[i].op, DEV_OP_WRITE);
			assert_int_equal(rec.log[i].off, 4096ull * i);
			assert_int_equal(rec.log[i].len, 512 * (i + 1));
			assert_int_equal(rec.log[i].res, (int)(512 * (i + 1)));
		}
	}
	for (i = 0; i < 2; i++) {
		dev_close(d[i]);
		assert_int_equal(unlink(path[i]), 0);
	}
	dev_io_destroy(io);
}

/* ---- concurrency ----------------------------------------------------------------- */

#define NTHREADS 4
#define ROUNDS   25
#define PER      16                     /* requests per batch per device */

struct worker {
	pthread_t     tid;
	unsigned      id;
	struct dev_io *io;
	struct dev   **d;                   /* 2 devices, shared by all workers */
	int           failures;             /* checked by the main thread */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct dev_req req[2 * PER];
	const size_t len = 4 * KiB;
	uint64_t base = w->id * (PER * len);
	struct dev_batch b;
	char *buf;

	buf = malloc(2 * PER * len);
	if (!buf) {
		w->failures++;
		return NULL;
	}
	for (unsigned round = 0; round < ROUNDS; round++) {
		uint64_t seed = w->id * 1000 + round;

		dev_batch_init(&b, w->io);
		for (unsigned k = 0; k < 2 * PER; k++) {
			uint64_t off = base + (k / 2) * len;

			tutil_pattern(buf + k * len, len, seed + k % 2, off);
			dev_req_write(&req[k], w->d[k % 2], buf + k * len, len, off);
			dev_batch_add(&b, &req[k]);
		}
		if (dev_batch_run(&b) != 0)
			w->failures++;
		memset(buf, 0, 2 * PER * len);
		dev_batch_init(&b, w->io);
		for (unsigned k = 0; k < 2 * PER; k++) {
			dev_req_read(&req[k], w->d[k % 2], buf + k * len, len, base + (k / 2) * len);
			dev_batch_add(&b, &req[k]);
		}
		if (dev_batch_run(&b) != 0)
			w->failures++;
		for (unsigned k = 0; k < 2 * PER; k++)
			if (req[k].res != (int)len ||
			    tutil_check_pattern(buf + k * len, len, seed + k % 2, req[k].off) != -1)
				w->failures++;
	}
	free(buf);
	return NULL;
}

/* NTHREADS threads running batches through io at once on two images. */
static void concurrent_batches(struct dev_io *io, const char *tag)
{
	struct worker w[NTHREADS];
	char path[2][4096], name[64];
	struct dev *d[2];

	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof name, "conc-%s%u.img", tag, i);
		mkimage(name, 2 * MiB, path[i]);
		d[i] = open_for(io, path[i]);
	}
	for (unsigned i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .id = i, .io = io, .d = d };
		assert_int_equal(pthread_create(&w[i].tid, NULL, worker_main, &w[i]), 0);
	}
	for (unsigned i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(w[i].tid, NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
	for (unsigned i = 0; i < 2; i++) {
		dev_close(d[i]);
		assert_int_equal(unlink(path[i]), 0);
	}
}

static void test_concurrent_batches(void **state)
{
	struct dev_io *io = io_ok(3);

	concurrent_batches(io, "psync");
	dev_io_destroy(io);
}

/* io_uring: four threads' batches of 32 through 4 slots — the threads take
 * turns reaping, each finishing the others' completions too. */
static void test_uring_concurrent(void **state)
{
	struct dev_io *io = async_or_skip(DEV_BACKEND_URING, 4);

	if (!io)
		skip();
	concurrent_batches(io, "uring");
	dev_io_destroy(io);
}

/* The same through libaio (direct-mode images). */
static void test_aio_concurrent(void **state)
{
	struct dev_io *io = async_or_skip(DEV_BACKEND_AIO, 4);

	if (!io)
		skip();
	concurrent_batches(io, "aio");
	dev_io_destroy(io);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_file),
		cmocka_unit_test(test_open_refused),
		cmocka_unit_test(test_open_ownership),
		cmocka_unit_test(test_buf_alloc),
		cmocka_unit_test(test_io_create),
		cmocka_unit_test(test_batch_inline),
		cmocka_unit_test(test_batch_psync),
		cmocka_unit_test(test_batch_one_worker),
		cmocka_unit_test(test_batch_empty_and_invalid),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_direct),
		cmocka_unit_test(test_io_past_end),
		cmocka_unit_test(test_hook_pre_fails_writes),
		cmocka_unit_test(test_hook_post_flips_bit),
		cmocka_unit_test(test_hook_post_records_order),
		cmocka_unit_test(test_concurrent_batches),
		cmocka_unit_test(test_batch_uring),
		cmocka_unit_test(test_uring_waiter_reaps),
		cmocka_unit_test(test_uring_concurrent),
		cmocka_unit_test(test_batch_aio),
		cmocka_unit_test(test_aio_waiter_reaps),
		cmocka_unit_test(test_aio_concurrent),
		cmocka_unit_test(test_waiter_runs_requests),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
