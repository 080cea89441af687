/*
 * test_space_reuse.c — space freed by overwrites comes back while the pool
 * stays open: a writer that keeps rewriting a file (copy-on-write: every
 * stripe written frees the old one's extents, released only after two
 * checkpoints) must not get ENOSPC on a pool that is mostly free just
 * because no checkpoint ran.
 *
 * Description: a 2+1 pool of three 32 MiB images; one open with checkpoints
 * every 10 minutes (so the timer never fires); a 12 MiB file is rewritten
 * whole 10 times (about 180 MiB of stripes through ~60 MiB of data space;
 * it failed at the fourth before writers reclaimed pending frees);
 * every rewrite must succeed, the last contents read back, and the freed
 * space must show up free after a last checkpoint.
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
#include <sys/stat.h>
#include <cmocka.h>

#include "argosfs.h"
#include "tpool.h"

#define NMEM   3
#define FSIZE  (12u << 20)
#define ROUNDS 10
#define PIECE  (128u << 10)

static void fill(uint8_t *buf, size_t n, unsigned round)
{
	uint64_t x = 0x9e3779b97f4a7c15ull * (round + 1);

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
}

static void test_rewrites_reuse_space(void **state)
{
	struct argos_mkfs_opts mo = { .k = 2, .m = 1, .m_set = true };
	struct argos_open_opts oo = { .commit_ms = 100, .ckpt_ms = 600000 };
	struct argos_pool_status st;
	struct argos_attr a;
	struct tpool tp;
	argos_pool *p = NULL;
	uint8_t *buf = malloc(FSIZE), *back = malloc(FSIZE);
	uint64_t ckpts;
	char why[256];

	(void)state;
	assert_non_null(buf);
	assert_non_null(back);
	if (tpool_make(&tp, NULL, "reuse", NMEM, 32ull << 20, &mo, why, sizeof(why)))
		fail_msg("pool: %s", why);
	if (tpool_open(&tp, &oo, &p, why, sizeof(why))) {
		tpool_remove(&tp);
		fail_msg("open: %s", why);
	}
	assert_int_equal(argos_mknod(p, ARGOS_ROOT_INO, "f", S_IFREG | 0644, 0, NULL, &a), 0);
	assert_int_equal(argos_pool_status(p, &st), 0);
	ckpts = st.checkpoints;
	for (unsigned r = 0; r < ROUNDS; r++) {
		uint64_t fh;

		fill(buf, FSIZE, r);
		assert_int_equal(argos_open(p, a.ino, O_RDWR, &fh), 0);
		for (size_t off = 0; off < FSIZE; off += PIECE) {
			int n = argos_write(p, a.ino, fh, buf + off, PIECE, off);

			if (n != (int)PIECE)
				fail_msg("round %u, offset %zu: %s", r, off,
					 n < 0 ? argos_strerror(n) : "short write");
		}
		assert_int_equal(argos_release(p, a.ino, fh), 0);
	}
	for (size_t off = 0; off < FSIZE; off += PIECE)
		assert_int_equal(argos_read(p, a.ino, 0, back + off, PIECE, off), (int)PIECE);
	assert_memory_equal(back, buf, FSIZE);
	/* it took checkpoints to get there (the timer did not run them) */
	assert_int_equal(argos_pool_status(p, &st), 0);
	assert_true(st.checkpoints > ckpts);
	assert_int_equal(argos_pool_checkpoint(p), 0);
	assert_int_equal(argos_pool_checkpoint(p), 0);
	assert_int_equal(argos_pool_status(p, &st), 0);
	assert_int_equal(st.blocks_pending, 0);
	/* the file's stripes, the metadata and little else are in use */
	assert_true(st.blocks_used < st.blocks_total / 2);
	assert_int_equal(argos_pool_close(p), 0);
	tpool_remove(&tp);
	free(buf);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewrites_reuse_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
