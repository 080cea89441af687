/*
 * fsck_refs.h — what fsck phase 3 compares the space maps with: the extents
 * the metadata references, counted.
 *
 * Owns: the reference list (every extent something points at: tree page
 * mirrors from phase 2, and — from the data layer on — stripe chunks), a set
 * of 64-bit values (addresses phase 2 has seen), and the sharing check: an
 * extent referenced n > 1 times must have an EXTREF item saying n, an EXTREF
 * item must match the references found, and two references may not overlap
 * unless they are the same extent.  Pure code over memory; unit-tested with
 * hand-made references (tests/unit/test_fsck.c).
 */
#ifndef ARGOS_FSCK_REFS_H
#define ARGOS_FSCK_REFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fsck_ref_kind {
	FSCK_REF_PAGE = 1,     /* a mirror of a metadata tree page */
	FSCK_REF_STRIPE,       /* a chunk of a stripe (data layer) */
};

struct fsck_ref {
	uint32_t member;
	uint8_t  kind;
	uint64_t block;        /* member block number */
	uint64_t n;            /* blocks */
};

struct fsck_refs {
	size_t n, cap;
	struct fsck_ref *r;
	bool   sorted;
};

int  fsck_refs_add(struct fsck_refs *s, unsigned member, uint64_t block, uint64_t n,
		   enum fsck_ref_kind kind);
void fsck_refs_free(struct fsck_refs *s);
/* Sort by (member, block, n); done by the functions below when needed. */
void fsck_refs_sort(struct fsck_refs *s);
/* References to exactly the extent (member, block, n). */
size_t fsck_refs_count(struct fsck_refs *s, unsigned member, uint64_t block, uint64_t n);

/* An EXTREF item as decoded: oid = member, off = block. */
struct fsck_extref {
	unsigned member;
	uint64_t block, nblocks, refs;
};

enum fsck_share_kind {
	FSCK_SHARE_COUNT = 1,  /* an EXTREF item's count differs from the references found */
	FSCK_SHARE_MISSING,    /* an extent referenced more than once has no EXTREF item */
	FSCK_SHARE_OVERLAP,    /* two different extents overlap (cross-linked blocks) */
};

struct fsck_share {
	int      kind;         /* enum fsck_share_kind */
	unsigned member;
	uint64_t block, n;     /* the extent (COUNT: the item's) */
	uint64_t refs;         /* COUNT: what the item says */
	uint64_t found;        /* references found to the extent */
	uint64_t other_block, other_n;   /* OVERLAP: the extent it overlaps */
	uint8_t  kind_a, kind_b;         /* OVERLAP: what the two references are */
};

typedef int (*fsck_share_fn)(void *ctx, const struct fsck_share *f);

/*
 * Compare the references with the EXTREF items (any order): fn sees every
 * finding, in (member, block) order.  Returns 0, fn's error or -ENOMEM.
 */
int fsck_share_check(struct fsck_refs *s, const struct fsck_extref *x, size_t nx,
		     fsck_share_fn fn, void *ctx);

/* A set of 64-bit values (open addressing; UINT64_MAX cannot be a member). */
struct u64set {
	size_t    n, cap;
	uint64_t *v;
};

/* Insert v: 1 when new, 0 when it was there, -ENOMEM. */
int  u64set_add(struct u64set *s, uint64_t v);
bool u64set_has(const struct u64set *s, uint64_t v);
void u64set_free(struct u64set *s);

#endif
