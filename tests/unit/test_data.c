/*
 * test_data.c — erasure-coded file data on a 4+2 pool of image files.
 *
 * Description: random files written at unaligned offsets with overwrites
 * (small ones inside a stripe deferred: DEFER items, counted), appends, truncates (up and down) and holes are compared byte for byte
 * with a model, across reopens; then every one of the 15 ways to lose two
 * of the six members must still read every file exactly; bytes flipped in
 * the data areas of two members are caught by the CRCs, read around, and
 * repaired; three members gone refuses the open; the fault layer's EIO and
 * latency on one member leave reads right.
 *
 * I/O backends: ARGOSFS_IO=psync|direct|uring|aio runs the tests with that
 * engine (argos_open_opts.io).  Built with TEST_DATA_IO (test_data_io), the
 * program runs bit flips caught and repaired (reads, degraded reads around
 * bad blocks, repair writes) and concurrent writers (with ARGOS_LONG=1 also
 * every loss of two members, the random model and the fault layer) once with
 * each of direct, uring and aio, and checks that the pool runs the backend
 * asked for (io_uring may fall back to psync: then said).
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
#include <unistd.h>
#include <cmocka.h>

#include "argosfs.h"
#include "pool.h"
#include "tutil.h"

#define NMEM 6
#define NFILES 6

struct mfile {
	char name[16];
	argos_ino_t ino;
	uint8_t *data;
	size_t size, cap;
};

struct fx {
	char dir[256];
	char path[NMEM][512];
	const char *paths[NMEM];
	argos_pool *p;
	struct mfile f[NFILES];
	uint64_t rng;
	size_t maxsize;
};

static uint64_t rnd(struct fx *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static const char *io_mode;   /* NULL: the pool's own (psync) */

static int open_with(struct fx *f, const char *const *paths, unsigned n, unsigned flags,
		     argos_pool **out, char *why, size_t wl)
{
	struct argos_open_opts o = { .flags = flags, .commit_ms = 100, .io = io_mode };
	struct argos_pool_status s;
	int err = argos_pool_open(paths, n, &o, out, why, wl);

	if (err || !io_mode)
		return err;
	argos_pool_status(*out, &s);
	if (s.io_fallback)
		print_message("io=%s refused (%s): running %s\n", io_mode,
			      argos_strerror(s.io_fallback), s.io);
	else if (strcmp(s.io, argos_io_mode_name(argos_io_mode_parse(io_mode))))
		fail_msg("io=%s asked for, %s running", io_mode, s.io);
	return 0;
}

static uint64_t deferred_writes;   /* by the pools closed so far */

static void reopen(struct fx *f)
{
	struct argos_pool_status st;
	char why[256];

	if (f->p) {
		assert_int_equal(argos_pool_status(f->p, &st), 0);
		deferred_writes += st.deferred_writes;
		assert_int_equal(argos_pool_close(f->p), 0);
	}
	f->p = NULL;
	if (open_with(f, f->paths, NMEM, 0, &f->p, why, sizeof(why)))
		fail_msg("open: %s", why);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true, .chunk_size = 64u << 10 };
	struct argos_mkfs_result r;
	const char *e = getenv("ARGOS_LONG");
	char why[256];

	f->rng = 0x1234567887654321ull;
	f->maxsize = e && *e == '1' ? 64u << 20 : 3u << 20;
	assert_int_equal(tutil_mkdtemp("data", f->dir, sizeof(f->dir)), 0);
	for (int i = 0; i < NMEM; i++) {
		char name[16];

		snprintf(name, sizeof(name), "img%d", i);
		assert_int_equal(tutil_mkimage(f->dir, name, f->maxsize * 3 + (64ull << 20),
					       f->path[i], sizeof(f->path[i])), 0);
		f->paths[i] = f->path[i];
	}
	if (argos_mkfs(f->paths, NMEM, &o, &r, why, sizeof(why)))
		fail_msg("mkfs: %s", why);
	reopen(f);
	for (int i = 0; i < NFILES; i++) {
		struct argos_attr a;

		snprintf(f->f[i].name, sizeof(f->f[i].name), "file%d", i);
		assert_int_equal(argos_mknod(f->p, ARGOS_ROOT_INO, f->f[i].name, S_IFREG | 0644, 0,
					     NULL, &a), 0);
		f->f[i].ino = a.ino;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->p)
		argos_pool_close(f->p);
	for (int i = 0; i < NFILES; i++)
		free(f->f[i].data);
	tutil_rmtree(f->dir);
	free(f);
	return 0;
}

static void model_resize(struct mfile *m, size_t size)
{
	if (size > m->cap) {
		m->data = realloc(m->data, size);
		m->cap = size;
	}
	if (size > m->size)
		memset(m->data + m->size, 0, size - m->size);
	m->size = size;
}

static void do_write(struct fx *f, struct mfile *m, uint64_t off, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1);
	uint64_t fh;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rnd(f);
	assert_int_equal(argos_open(f->p, m->ino, O_RDWR, &fh), 0);
	/* In pieces, as FUSE would (up to 1 MiB each). */
	for (size_t done = 0; done < len;) {
		size_t n = len - done > (1u << 20) ? 1u << 20 : len - done;

		assert_int_equal(argos_write(f->p, m->ino, fh, buf + done, n, off + done), (int)n);
		done += n;
	}
	assert_int_equal(argos_release(f->p, m->ino, fh), 0);
	if (off + len > m->size)
		model_resize(m, off + len);
	memcpy(m->data + off, buf, len);
	free(buf);
}

static void check_file(argos_pool *p, const struct mfile *m)
{
	struct argos_attr a;
	uint8_t *buf = malloc(m->size + 4096);
	size_t done = 0;

	assert_int_equal(argos_getattr(p, m->ino, &a), 0);
	if (a.size != m->size)
		fail_msg("%s: size %llu, model %zu", m->name, (unsigned long long)a.size, m->size);
	while (done < m->size) {
		size_t want = 700001;   /* odd sizes cross stripes and blocks */
		int n = argos_read(p, m->ino, 0, buf + done, want, done);

		if (n <= 0)
			fail_msg("%s: read at %zu returned %d", m->name, done, n);
		done += (size_t)n;
	}
	assert_int_equal(argos_read(p, m->ino, 0, buf, 10, m->size), 0);
	if (m->size && memcmp(buf, m->data, m->size)) {
		size_t i = 0;

		while (buf[i] == m->data[i])
			i++;
		fail_msg("%s: differs at byte %zu of %zu", m->name, i, m->size);
	}
	free(buf);
}

static void check_all(argos_pool *p, struct fx *f)
{
	for (int i = 0; i < NFILES; i++)
		check_file(p, &f->f[i]);
}

static void test_random_model(void **state)
{
	struct fx *f = *state;

	deferred_writes = 0;
	for (int step = 0; step < 120; step++) {
		struct mfile *m = &f->f[rnd(f) % NFILES];
		unsigned op = (unsigned)(rnd(f) % 10);

		if (op < 4) {          /* append */
			do_write(f, m, m->size, rnd(f) % (f->maxsize / 8));
		} else if (op < 7) {   /* overwrite inside, maybe past the end; small: deferred */
			uint64_t off = m->size ? rnd(f) % m->size : 0;

			do_write(f, m, off, 1 + rnd(f) % (op == 6 ? 20000 : 300000));
		} else if (op < 8) {   /* a write far out: a hole */
			do_write(f, m, m->size + rnd(f) % (1u << 20), 1 + rnd(f) % 5000);
		} else {               /* truncate up or down */
			struct argos_attr set = { .size = m->size ? rnd(f) % (m->size * 2) : 12345 };

			assert_int_equal(argos_setattr(f->p, m->ino, &set, ARGOS_SET_SIZE, NULL, NULL), 0);
			model_resize(m, set.size);
		}
		if (m->size > f->maxsize) {
			struct argos_attr set = { .size = f->maxsize / 2 };

			assert_int_equal(argos_setattr(f->p, m->ino, &set, ARGOS_SET_SIZE, NULL, NULL), 0);
			model_resize(m, set.size);
		}
		if (step % 17 == 0)
			check_file(f->p, m);
		if (step % 29 == 0) {
			reopen(f);
			check_all(f->p, f);
		}
	}
	reopen(f);
	check_all(f->p, f);
	assert_true(deferred_writes > 0);
}

static void fill_files(struct fx *f)
{
	for (int i = 0; i < NFILES; i++)
		do_write(f, &f->f[i], 0, (size_t)(rnd(f) % f->maxsize) + (i == 0 ? 0 : 1));
	/* one file with a hole and a short tail */
	do_write(f, &f->f[1], f->f[1].size + 300000, 777);
	reopen(f);
	check_all(f->p, f);
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = NULL;
}

static void test_lose_any_two(void **state)
{
	struct fx *f = *state;
	unsigned combos = 0;

	fill_files(f);
	for (unsigned a = 0; a < NMEM; a++)
		for (unsigned b = a + 1; b < NMEM; b++) {
			const char *paths[NMEM];
			argos_pool *p;
			char why[256];
			unsigned n = 0;

			for (unsigned i = 0; i < NMEM; i++)
				if (i != a && i != b)
					paths[n++] = f->paths[i];
			if (open_with(f, paths, n, ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED, &p, why,
				      sizeof(why)))
				fail_msg("open without members %u and %u: %s", a, b, why);
			check_all(p, f);
			assert_int_equal(argos_pool_close(p), 0);
			combos++;
		}
	assert_int_equal(combos, 15);
	/* Three gone: refused, naming them. */
	{
		argos_pool *p;
		char why[512];

		assert_int_equal(open_with(f, f->paths + 3, 3, ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED,
					   &p, why, sizeof(why)), -ENODEV);
		assert_non_null(strstr(why, "missing"));
	}
	/* Two gone without the degraded flag: refused too. */
	{
		argos_pool *p;
		char why[512];

		assert_int_equal(open_with(f, f->paths + 2, 4, ARGOS_OPEN_RDONLY, &p, why, sizeof(why)),
				 -ENODEV);
	}
	reopen(f);
}

/* The member blocks in use on member mi (data and metadata), from the
 * allocator of an open pool. */
static size_t used_blocks(argos_pool *p, unsigned mi, uint64_t **out)
{
	const struct alloc_member *am = &p->st.alloc.m[mi];
	size_t n = 0;

	*out = malloc(am->sm.nblocks * sizeof(**out));
	for (uint64_t b = 0; b < am->sm.nblocks; b++)
		if (am->sm.used[b / 64] >> (b % 64) & 1)
			(*out)[n++] = am->data_start + b;
	return n;
}

/* Flip one byte in each of `count` random blocks in use on member mi. */
static void corrupt(struct fx *f, unsigned mi, unsigned count)
{
	uint64_t *blocks;
	size_t n;
	int fd;

	reopen(f);
	n = used_blocks(f->p, mi, &blocks);
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = NULL;
	assert_true(n > 100);
	fd = open(f->paths[mi], O_RDWR);
	assert_true(fd >= 0);
	for (unsigned i = 0; i < count; i++) {
		off_t at = (off_t)(blocks[rnd(f) % n] * 4096 + rnd(f) % 4096);
		uint8_t c;

		assert_int_equal(pread(fd, &c, 1, at), 1);
		c ^= 0x5a;
		assert_int_equal(pwrite(fd, &c, 1, at), 1);
	}
	fsync(fd);
	close(fd);
	free(blocks);
}

static void test_bitflips_and_repair(void **state)
{
	struct fx *f = *state;
	struct argos_fault none = { 0 };

	fill_files(f);
	corrupt(f, 1, 300);
	corrupt(f, 4, 300);
	reopen(f);
	check_all(f->p, f);          /* CRCs catch every flipped byte; parity rebuilds */
	{
		struct argos_pool_status s;

		argos_pool_status(f->p, &s);
		print_message("bad blocks %llu, rebuilt %llu, chunks repaired %llu\n",
			      (unsigned long long)s.bad_blocks, (unsigned long long)s.rebuilt_blocks,
			      (unsigned long long)s.repaired_chunks);
		assert_true(s.bad_blocks > 50);
		assert_int_equal(s.rebuilt_blocks, s.bad_blocks);
		assert_true(s.repaired_chunks > 10);
	}
	reopen(f);
	check_all(f->p, f);          /* and again after self-heal rewrote chunks */
	{
		struct argos_pool_status s;

		argos_pool_status(f->p, &s);
		assert_int_equal(s.bad_blocks, 0);   /* the damaged chunks were replaced */
	}
	/* With members 1 and 4 gone now, the healed pool still reads right. */
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = NULL;
	{
		const char *paths[4] = { f->paths[0], f->paths[2], f->paths[3], f->paths[5] };
		argos_pool *p;
		char why[256];

		if (open_with(f, paths, 4, ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED, &p, why, sizeof(why)))
			fail_msg("open: %s", why);
		check_all(p, f);
		argos_pool_close(p);
	}
	reopen(f);
	(void)none;
}

static void test_fault_layer(void **state)
{
	struct fx *f = *state;
	struct argos_fault eio = { .read_eio = 1.0 }, slow = { .latency_ms = 2 }, flip = { .flip = 0.5 };
	struct argos_fault none = { 0 };

	fill_files(f);
	reopen(f);
	assert_int_equal(argos_fault_set(f->p, 2, &eio), 0);
	assert_int_equal(argos_fault_set(f->p, 3, &slow), 0);
	check_all(f->p, f);
	{
		struct argos_pool_status s;

		argos_pool_status(f->p, &s);
		assert_true(s.rebuilt_blocks > 0);
	}
	assert_int_equal(argos_fault_set(f->p, 2, &none), 0);
	assert_int_equal(argos_fault_set(f->p, 3, &none), 0);
	assert_int_equal(argos_fault_set(f->p, 0, &flip), 0);
	check_all(f->p, f);
	assert_int_equal(argos_fault_set(f->p, 0, &none), 0);
	/* A member that vanishes while open: reads go on from parity. */
	{
		struct argos_fault gone = { .vanish = true };

		assert_int_equal(argos_fault_set(f->p, 5, &gone), 0);
		check_all(f->p, f);
		assert_int_equal(argos_fault_set(f->p, 5, &none), 0);
	}
}

/*
 * Pieces of the same stripe windows written by several threads in any order
 * (as the kernel's writeback does): each thread owns every 4th piece.
 */
struct piece_arg {
	struct fx *f;
	argos_ino_t ino;
	const uint8_t *data;
	size_t total, piece;
	unsigned id, nthreads;
	int err;
};

static void *piece_writer(void *arg)
{
	struct piece_arg *a = arg;
	uint64_t fh;
	size_t npieces = (a->total + a->piece - 1) / a->piece;

	a->err = argos_open(a->f->p, a->ino, O_RDWR, &fh);
	/* Thread t owns pieces t, t+n, t+2n...: even threads go up, odd ones
	 * down, so neighbouring pieces of one window arrive in either order. */
	for (size_t j = 0; !a->err && j * a->nthreads + a->id < npieces; j++) {
		size_t cnt = (npieces - a->id + a->nthreads - 1) / a->nthreads;
		size_t jj = a->id % 2 ? cnt - 1 - j : j;
		size_t k = jj * a->nthreads + a->id;
		size_t off = k * a->piece;
		size_t len = off + a->piece > a->total ? a->total - off : a->piece;
		int n = argos_write(a->f->p, a->ino, fh, a->data + off, len, off);

		if (n != (int)len)
			a->err = n < 0 ? n : -EIO;
	}
	if (!a->err)
		a->err = argos_release(a->f->p, a->ino, fh);
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	struct fx *f = *state;
	struct mfile *m = &f->f[0];
	size_t total = 6u << 20;
	pthread_t th[4];
	struct piece_arg a[4];
	uint8_t *data = malloc(total);

	for (size_t i = 0; i < total; i++)
		data[i] = (uint8_t)rnd(f);
	for (int round = 0; round < 3; round++) {
		size_t piece = round == 0 ? 94208 : round == 1 ? 131072 : 4096 * 7 + 512;

		for (unsigned t = 0; t < 4; t++) {
			a[t] = (struct piece_arg){ f, m->ino, data, total, piece, t, 4, 0 };
			pthread_create(&th[t], NULL, piece_writer, &a[t]);
		}
		for (unsigned t = 0; t < 4; t++) {
			pthread_join(th[t], NULL);
			assert_int_equal(a[t].err, 0);
		}
		model_resize(m, total);
		memcpy(m->data, data, total);
		check_file(f->p, m);
		reopen(f);
		check_file(f->p, m);
		/* the next round overwrites with new bytes */
		for (size_t i = 0; i < total; i++)
			data[i] = (uint8_t)rnd(f);
	}
	free(data);
}

#ifdef TEST_DATA_IO
int main(void)
{
	static const char *const modes[] = { "direct", "uring", "aio" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bitflips_and_repair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
	};
	const struct CMUnitTest long_tests[] = {   /* ARGOS_LONG=1: the rest too */
		cmocka_unit_test_setup_teardown(test_lose_any_two, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_layer, setup, teardown),
	};
	const char *e = getenv("ARGOS_LONG");
	int failed = 0;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		io_mode = modes[i];
		print_message("[ io=%s ]\n", io_mode);
		failed += cmocka_run_group_tests_name(modes[i], tests, NULL, NULL);
		if (e && *e == '1')
			failed += cmocka_run_group_tests_name(modes[i], long_tests, NULL, NULL);
	}
	return failed;
}
#else
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lose_any_two, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bitflips_and_repair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_layer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
	};

	io_mode = getenv("ARGOSFS_IO");
	if (io_mode && !*io_mode)
		io_mode = NULL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
