/*
 * test_sb_crash.c — crash safety of superblock generation updates.
 *
 * Description: a pool of 6 image files (4+2) is formatted, then generation
 * updates are written with the device layer's recording hook on.  Every
 * subset of the (unordered) writes of an update, and every write torn at a
 * 512-byte sector boundary, is applied to the superblock areas as they were
 * before the update; assembly must always find a whole generation N-1 or N
 * with every member online — never a mix, never a stale member, never none.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "argosfs.h"
#include "assemble.h"
#include "member.h"
#include "sbwrite.h"
#include "tutil.h"

#define NMEM 6
#define IMG_SIZE (64ull << 20)
#define MAXREC 64

struct rec {
	int member;
	uint64_t off;
	size_t len;
	uint8_t *data;
};

struct recorder {
	pthread_mutex_t lock;
	unsigned n;
	struct rec r[MAXREC];
};

static void rec_post(void *ctx, struct dev_req *r)
{
	struct recorder *rc = ctx;

	if (r->op != DEV_OP_WRITE || r->res < 0)
		return;
	pthread_mutex_lock(&rc->lock);
	if (rc->n < MAXREC) {
		struct rec *x = &rc->r[rc->n++];

		x->member = dev_get_tag(r->dev);
		x->off = r->off;
		x->len = r->len;
		x->data = malloc(r->len);
		memcpy(x->data, r->buf, r->len);
	}
	pthread_mutex_unlock(&rc->lock);
}

struct fixture {
	char dir[256];
	char paths[NMEM][512];
	struct dev *devs[NMEM];
	struct dev_io *io;
	uint8_t *areas[NMEM][MEMBER_COPIES];   /* superblock areas before an update */
	struct recorder rec;
};

static void read_areas(struct fixture *f)
{
	for (int m = 0; m < NMEM; m++)
		for (unsigned c = 0; c < MEMBER_COPIES; c++) {
			if (!f->areas[m][c])
				f->areas[m][c] = malloc(AD_SB_AREA);
			assert_int_equal(dev_pread(f->io, f->devs[m], f->areas[m][c], AD_SB_AREA,
						   ad_sb_area_offset(c / 2, c % 2, IMG_SIZE)), 0);
		}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *paths[NMEM];
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true };
	struct argos_mkfs_result res;
	struct dev_io_cfg cfg = { .backend = DEV_BACKEND_PSYNC };
	char why[256];

	assert_non_null(f);
	assert_int_equal(tutil_mkdtemp("sbcrash", f->dir, sizeof(f->dir)), 0);
	for (int i = 0; i < NMEM; i++) {
		char name[16];

		snprintf(name, sizeof(name), "img%d", i);
		assert_int_equal(tutil_mkimage(f->dir, name, IMG_SIZE, f->paths[i], sizeof(f->paths[i])), 0);
		paths[i] = f->paths[i];
	}
	if (argos_mkfs(paths, NMEM, &o, &res, why, sizeof(why)) != 0)
		fail_msg("mkfs: %s", why);
	assert_int_equal(dev_io_create(&cfg, &f->io), 0);
	for (int i = 0; i < NMEM; i++) {
		assert_int_equal(dev_open(f->paths[i], DEV_RDWR, &f->devs[i], why, sizeof(why)), 0);
		dev_set_tag(f->devs[i], i);
	}
	pthread_mutex_init(&f->rec.lock, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < NMEM; i++) {
		dev_close(f->devs[i]);
		for (unsigned c = 0; c < MEMBER_COPIES; c++)
			free(f->areas[i][c]);
	}
	for (unsigned i = 0; i < f->rec.n; i++)
		free(f->rec.r[i].data);
	dev_io_destroy(f->io);
	tutil_rmtree(f->dir);
	free(f);
	return 0;
}

/* Probe all members from in-memory areas; caller releases. */
static void probe_memory(struct fixture *f, uint8_t *areas[NMEM][MEMBER_COPIES],
			 struct member_probe *pr)
{
	for (int m = 0; m < NMEM; m++) {
		memset(&pr[m], 0, sizeof(pr[m]));
		pr[m].path = strdup(f->paths[m]);
		pr[m].info.id_dev = 1;
		pr[m].info.id_ino = (ino_t)m + 1;
		for (unsigned c = 0; c < MEMBER_COPIES; c++) {
			pr[m].copy[c].slot = c / 2;
			pr[m].copy[c].back = c % 2;
			pr[m].copy[c].offset = ad_sb_area_offset(c / 2, c % 2, IMG_SIZE);
			member_decode_copy(&pr[m].copy[c], areas[m][c], AD_SB_AREA, &pr[m].any_magic);
		}
		member_pick_best(&pr[m]);
	}
}

/* Assemble the in-memory state; returns the generation found (0 if none). */
static uint64_t check_state(struct fixture *f, uint8_t *areas[NMEM][MEMBER_COPIES],
			    uint64_t old_gen)
{
	struct member_probe pr[NMEM];
	struct assembly a;
	uint64_t g;

	probe_memory(f, areas, pr);
	assert_int_equal(assemble(pr, NMEM, &a), 0);
	assert_true(a.found);
	g = a.generation;
	assert_true(g == old_gen || g == old_gen + 1);
	assert_int_equal(a.health, ARGOS_POOL_HEALTHY);
	assert_int_equal(a.online, NMEM);
	assert_int_equal(a.stale, 0);
	assert_int_equal(a.missing, 0);
	for (int e = 0; e < NMEM; e++) {
		assert_int_equal(a.entry[e].status, ARGOS_MEMBER_ONLINE);
		/* Behind (G-1) is only possible when G is the new generation. */
		if (a.entry[e].behind)
			assert_true(g == old_gen + 1);
	}
	assembly_release(&a);
	for (int m = 0; m < NMEM; m++)
		member_probe_release(&pr[m]);
	return g;
}

static int area_of(uint64_t off)
{
	for (unsigned c = 0; c < MEMBER_COPIES; c++)
		if (ad_sb_area_offset(c / 2, c % 2, IMG_SIZE) == off)
			return (int)c;
	return -1;
}

/* Apply the writes selected by mask (and, if torn >= 0, write torn_w cut after
 * torn sectors) to a copy of the pre-update areas. */
static void apply(struct fixture *f, uint8_t *out[NMEM][MEMBER_COPIES], uint64_t mask,
		  int torn_w, unsigned torn)
{
	for (int m = 0; m < NMEM; m++)
		for (unsigned c = 0; c < MEMBER_COPIES; c++)
			memcpy(out[m][c], f->areas[m][c], AD_SB_AREA);
	for (unsigned w = 0; w < f->rec.n; w++) {
		const struct rec *r = &f->rec.r[w];
		int c = area_of(r->off);
		size_t len = r->len;

		assert_true(c >= 0);
		if ((int)w == torn_w)
			len = (size_t)torn * 512;
		else if (!(mask & (1ull << w)))
			continue;
		memcpy(out[r->member][c], r->data, len);
	}
}

/* Write generation gen+1 (a state change) with the recorder on. */
static uint64_t bump(struct fixture *f)
{
	struct member_probe pr[NMEM];
	struct sb_target t[NMEM];
	struct assembly a;
	struct dev_hooks h = { .ctx = &f->rec, .post = rec_post };
	char why[256];
	uint64_t gen;

	for (unsigned i = 0; i < f->rec.n; i++)
		free(f->rec.r[i].data);
	f->rec.n = 0;
	read_areas(f);
	for (int m = 0; m < NMEM; m++)
		assert_int_equal(member_probe_dev(f->devs[m], f->io, &pr[m]), 0);
	assert_int_equal(assemble(pr, NMEM, &a), 0);
	gen = a.generation;
	for (int m = 0; m < NMEM; m++) {
		t[m].dev = f->devs[m];
		t[m].sb = member_best(&pr[m])->sb;
		t[m].sb.generation = gen + 1;
		t[m].sb.state_flags ^= AD_SBF_CLEAN;
		t[m].sb.mount_count++;
		dev_set_hooks(f->devs[m], &h);
	}
	assert_int_equal(sb_write_generation(f->io, t, NMEM, a.mtab, why, sizeof(why)), 0);
	for (int m = 0; m < NMEM; m++) {
		dev_set_hooks(f->devs[m], NULL);
		member_probe_release(&pr[m]);
	}
	assembly_release(&a);
	/* front + back on every member */
	assert_int_equal(f->rec.n, 2 * NMEM);
	return gen;
}

static void sweep(struct fixture *f, uint64_t old_gen, unsigned *states)
{
	uint8_t *work[NMEM][MEMBER_COPIES];
	uint64_t all = (1ull << f->rec.n) - 1;
	unsigned seen_new = 0, seen_old = 0;

	for (int m = 0; m < NMEM; m++)
		for (unsigned c = 0; c < MEMBER_COPIES; c++)
			work[m][c] = malloc(AD_SB_AREA);
	/* Every subset of the writes (they are unordered until the flush). */
	for (uint64_t mask = 0; mask <= all; mask++) {
		uint64_t g;

		apply(f, work, mask, -1, 0);
		g = check_state(f, work, old_gen);
		seen_new += g == old_gen + 1;
		seen_old += g == old_gen;
		(*states)++;
	}
	/* The empty subset keeps the old generation, the full one has the new. */
	apply(f, work, 0, -1, 0);
	assert_int_equal(check_state(f, work, old_gen), old_gen);
	apply(f, work, all, -1, 0);
	assert_int_equal(check_state(f, work, old_gen), old_gen + 1);
	/* Every write torn at every sector boundary, with the others absent,
	 * all present, or a pseudo-random half. */
	for (unsigned w = 0; w < f->rec.n; w++) {
		for (unsigned s = 1; s < f->rec.r[w].len / 512; s++) {
			uint64_t masks[3] = { 0, all, (0x9e3779b97f4a7c15ull * (w + 1) * s) & all };

			for (int k = 0; k < 3; k++) {
				apply(f, work, masks[k] & ~(1ull << w), (int)w, s);
				check_state(f, work, old_gen);
				(*states)++;
			}
		}
	}
	assert_true(seen_new > 0 && seen_old > 0);
	for (int m = 0; m < NMEM; m++)
		for (unsigned c = 0; c < MEMBER_COPIES; c++)
			free(work[m][c]);
}

static void test_sb_update_crash_every_write(void **state)
{
	struct fixture *f = *state;
	unsigned states = 0;

	/* Two updates, so both slots get exercised (1 -> 2 -> 3). */
	for (int round = 0; round < 2; round++) {
		uint64_t g = bump(f);

		sweep(f, g, &states);
	}
	print_message("checked %u crash states\n", states);
	assert_true(states > 8000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sb_update_crash_every_write, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
