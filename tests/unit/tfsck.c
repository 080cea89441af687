/*
 * tfsck.c — running fsck in cmocka tests of its phases (see tfsck.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ad_crc.h"
#include "pool.h"
#include "tfsck.h"

void tf_make(struct tf *f, const char *tag, unsigned n, uint64_t size,
	     const struct argos_mkfs_opts *o)
{
	char why[256];

	memset(f, 0, sizeof(*f));
	f->n = n;
	if (tpool_make(&f->tp, NULL, tag, n, size, o, why, sizeof(why)))
		fail_msg("pool: %s", why);
}

void tf_remove(struct tf *f)
{
	tpool_remove(&f->tp);
}

argos_pool *tf_open(struct tf *f, unsigned flags)
{
	struct argos_open_opts o = { .flags = flags, .commit_ms = 50, .ckpt_ms = 3600000 };
	argos_pool *p;
	char why[512];
	int err = tpool_open(&f->tp, &o, &p, why, sizeof(why));

	if (err)
		fail_msg("open: %s (%s)", argos_strerror(err), why);
	return p;
}

void tf_crash(argos_pool *p)
{
	p->st.err = -EIO;
	(void)argos_pool_close(p);
}

static void on_problem(void *ctx, const struct argos_fsck_problem *p)
{
	struct tf_seen *s = ctx;

	print_message("  %s: %s%s\n", p->code, p->message, p->fixed ? " [FIXED]" : "");
	if (s->n < TF_MAX_SEEN) {
		snprintf(s->codes[s->n], sizeof(s->codes[0]), "%s", p->code);
		s->fixed[s->n] = p->fixed;
		s->n++;
	}
}

int tf_fsck(struct tf *f, int mode, bool force, struct tf_seen *s)
{
	struct argos_fsck_opts o = { .mode = mode, .force = force, .on_problem = on_problem,
				     .ctx = s };
	struct argos_fsck_result r;

	memset(s, 0, sizeof(*s));
	print_message("fsck %s%s\n", force ? "-f " : "", mode == ARGOS_FSCK_CHECK ? "-n"
		      : mode == ARGOS_FSCK_REPAIR ? "-y" : "-p");
	assert_int_equal(argos_fsck(f->tp.paths, f->n, &o, &r), 0);
	assert_int_equal(r.problems, s->n);
	s->skipped_clean = r.skipped_clean;
	return r.exit_code;
}

bool tf_saw(const struct tf_seen *s, const char *code)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->codes[i], code))
			return true;
	return false;
}

void tf_expect(const struct tf_seen *s, const char *const *codes)
{
	for (unsigned i = 0; i < s->n; i++) {
		bool listed = false;

		for (const char *const *c = codes; *c && !listed; c++)
			listed = !strcmp(*c, s->codes[i]);
		if (!listed)
			fail_msg("unexpected finding %s", s->codes[i]);
	}
	for (const char *const *c = codes; *c; c++)
		if (!tf_saw(s, *c))
			fail_msg("expected finding %s not reported", *c);
}

void tf_all_fixed(const struct tf_seen *s)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!s->fixed[i])
			fail_msg("finding %s was not fixed", s->codes[i]);
}

void tf_sums(struct tf *f)
{
	uint8_t *buf = malloc(1 << 20);

	assert_non_null(buf);
	for (unsigned i = 0; i < f->n; i++) {
		FILE *fp = fopen(f->tp.path[i], "rb");
		size_t n;

		assert_non_null(fp);
		f->sums[i] = 0;
		while ((n = fread(buf, 1, 1 << 20, fp)) > 0)
			f->sums[i] = ad_crc32c(f->sums[i], buf, n);
		fclose(fp);
	}
	free(buf);
}

void tf_sums_same(struct tf *f)
{
	uint32_t before[TPOOL_MAX];

	memcpy(before, f->sums, sizeof(before));
	tf_sums(f);
	for (unsigned i = 0; i < f->n; i++)
		if (before[i] != f->sums[i])
			fail_msg("image %u changed under fsck -n", i);
}

void tf_check_repair(struct tf *f, const char *const *codes)
{
	struct tf_seen s;

	tf_sums(f);
	assert_int_equal(tf_fsck(f, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_UNCORRECTED);
	tf_expect(&s, codes);
	tf_sums_same(f);
	assert_int_equal(tf_fsck(f, ARGOS_FSCK_REPAIR, true, &s), ARGOS_FSCK_CORRECTED);
	tf_expect(&s, codes);
	tf_all_fixed(&s);
	assert_int_equal(tf_fsck(f, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_OK);
}
