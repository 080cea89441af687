/*
 * fsck_refs.c — phase 3's reference list and the sharing check (see fsck_refs.h).
 *
 * The check sorts references by (member, block, n): equal extents are then
 * adjacent (one group, counted), and an extent that overlaps another without
 * being equal to it is adjacent to one it overlaps, since a later start
 * inside an earlier extent is caught against the furthest-reaching extent
 * before it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsck_refs.h"

int fsck_refs_add(struct fsck_refs *s, unsigned member, uint64_t block, uint64_t n,
		  enum fsck_ref_kind kind)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct fsck_ref *r = realloc(s->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		s->r = r;
		s->cap = cap;
	}
	s->r[s->n++] = (struct fsck_ref){ .member = member, .kind = (uint8_t)kind,
					  .block = block, .n = n };
	s->sorted = false;
	return 0;
}

void fsck_refs_free(struct fsck_refs *s)
{
	free(s->r);
	memset(s, 0, sizeof(*s));
}

static int cmp3(uint64_t am, uint64_t ab, uint64_t an, uint64_t bm, uint64_t bb, uint64_t bn)
{
	if (am != bm)
		return am < bm ? -1 : 1;
	if (ab != bb)
		return ab < bb ? -1 : 1;
	if (an != bn)
		return an < bn ? -1 : 1;
	return 0;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct fsck_ref *x = a, *y = b;

	return cmp3(x->member, x->block, x->n, y->member, y->block, y->n);
}

static int extref_cmp(const void *a, const void *b)
{
	const struct fsck_extref *x = a, *y = b;

	return cmp3(x->member, x->block, x->nblocks, y->member, y->block, y->nblocks);
}

void fsck_refs_sort(struct fsck_refs *s)
{
	if (!s->sorted && s->n)
		qsort(s->r, s->n, sizeof(*s->r), ref_cmp);
	s->sorted = true;
}

/* Index of the first reference not below (member, block, n). */
static size_t lower_bound(const struct fsck_refs *s, unsigned member, uint64_t block, uint64_t n)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fsck_ref *r = &s->r[mid];

		if (cmp3(r->member, r->block, r->n, member, block, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t fsck_refs_count(struct fsck_refs *s, unsigned member, uint64_t block, uint64_t n)
{
	size_t i, c = 0;

	fsck_refs_sort(s);
	for (i = lower_bound(s, member, block, n); i < s->n; i++, c++)
		if (cmp3(s->r[i].member, s->r[i].block, s->r[i].n, member, block, n) != 0)
			break;
	return c;
}

/* The EXTREF item for exactly this extent, or NULL (x sorted). */
static const struct fsck_extref *find_extref(const struct fsck_extref *x, size_t nx,
					     const struct fsck_ref *r)
{
	struct fsck_extref key = { .member = r->member, .block = r->block, .nblocks = r->n };

	return nx ? bsearch(&key, x, nx, sizeof(*x), extref_cmp) : NULL;
}

int fsck_share_check(struct fsck_refs *s, const struct fsck_extref *x, size_t nx,
		     fsck_share_fn fn, void *ctx)
{
	struct fsck_extref *xs = NULL;
	const struct fsck_ref *reach = NULL;   /* furthest-reaching extent so far (this member) */
	int err = 0;

	fsck_refs_sort(s);
	if (nx) {
		xs = malloc(nx * sizeof(*xs));
		if (!xs)
			return -ENOMEM;
		memcpy(xs, x, nx * sizeof(*xs));
		qsort(xs, nx, sizeof(*xs), extref_cmp);
	}
	/* Groups of equal references: overlaps and extents shared without an item. */
	for (size_t i = 0; i < s->n && !err;) {
		const struct fsck_ref *r = &s->r[i];
		size_t j = i;

		while (j < s->n && ref_cmp(&s->r[j], r) == 0)
			j++;
		if (reach && reach->member == r->member && reach->block + reach->n > r->block) {
			struct fsck_share f = { .kind = FSCK_SHARE_OVERLAP, .member = r->member,
						.block = r->block, .n = r->n, .found = j - i,
						.other_block = reach->block, .other_n = reach->n,
						.kind_a = r->kind, .kind_b = reach->kind };

			err = fn(ctx, &f);
		}
		if (!err && j - i > 1 && !find_extref(xs, nx, r)) {
			struct fsck_share f = { .kind = FSCK_SHARE_MISSING, .member = r->member,
						.block = r->block, .n = r->n, .found = j - i };

			err = fn(ctx, &f);
		}
		if (!reach || reach->member != r->member || r->block + r->n > reach->block + reach->n)
			reach = r;
		i = j;
	}
	/* Every EXTREF item against the references found. */
	for (size_t k = 0; k < nx && !err; k++) {
		size_t found = fsck_refs_count(s, xs[k].member, xs[k].block, xs[k].nblocks);

		if (found != xs[k].refs) {
			struct fsck_share f = { .kind = FSCK_SHARE_COUNT, .member = xs[k].member,
						.block = xs[k].block, .n = xs[k].nblocks,
						.refs = xs[k].refs, .found = found };

			err = fn(ctx, &f);
		}
	}
	free(xs);
	return err;
}

/* ---- u64set ---------------------------------------------------------------- */

static size_t slot_of(uint64_t v, size_t cap)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdull;
	v ^= v >> 33;
	return (size_t)(v & (cap - 1));
}

static int grow(struct u64set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024;
	uint64_t *v = malloc(cap * sizeof(*v));

	if (!v)
		return -ENOMEM;
	memset(v, 0xff, cap * sizeof(*v));
	for (size_t i = 0; i < s->cap; i++) {
		size_t k;

		if (s->v[i] == UINT64_MAX)
			continue;
		for (k = slot_of(s->v[i], cap); v[k] != UINT64_MAX; k = (k + 1) & (cap - 1))
			;
		v[k] = s->v[i];
	}
	free(s->v);
	s->v = v;
	s->cap = cap;
	return 0;
}

int u64set_add(struct u64set *s, uint64_t v)
{
	size_t k;

	if (u64set_has(s, v))
		return 0;
	if (2 * (s->n + 1) > s->cap && grow(s))
		return -ENOMEM;
	for (k = slot_of(v, s->cap); s->v[k] != UINT64_MAX; k = (k + 1) & (s->cap - 1))
		;
	s->v[k] = v;
	s->n++;
	return 1;
}

bool u64set_has(const struct u64set *s, uint64_t v)
{
	if (!s->cap)
		return false;
	for (size_t k = slot_of(v, s->cap); s->v[k] != UINT64_MAX; k = (k + 1) & (s->cap - 1))
		if (s->v[k] == v)
			return true;
	return false;
}

void u64set_free(struct u64set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
