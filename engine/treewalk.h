/*
 * treewalk.h — a physical walk of the metadata tree on disk: every page
 * reachable from a root pointer, and every mirror of every page.
 *
 * Owns: reading each mirror of a page and checking it against the pointer
 * its parent holds (ad_page_check: magic, checksum, parent's checksum, level,
 * self address, header fields, entry bounds and key order; and the pointer's
 * generation), choosing a valid image, and the key range each child must keep
 * to (its parent's separators).  Read-only: callers report and repair.
 * Used by fsck phase 2 (fsck_tree.c) and argos_tree_walk() (treeinfo.c).
 *
 * Order: depth first, a page before its children, children in key order.
 * The mirrors of one page are read in one batch; a page with no valid mirror
 * is reported and its subtree is not reached.  Recursion depth is the tree
 * height: every child is checked to be one level below its parent, so a
 * cycle cannot make the walk loop (a page reached twice is the caller's to
 * notice).
 */
#ifndef ARGOS_TREEWALK_H
#define ARGOS_TREEWALK_H

#include <stdbool.h>
#include <stdint.h>

#include "ad_format.h"
#include "dev.h"

/* Where the pages are: the devices of the pool's members. */
struct tw_src {
	struct dev_io     *io;
	struct dev *const *dev;          /* per member index; NULL: not available */
	const uint64_t    *data_first;   /* per member: first block of its data area, */
	const uint64_t    *data_end;     /* and the block after it (NULL: not checked) */
	unsigned           nmembers;
	uint32_t           seed;         /* format seed */
};

struct tw_mirror {
	uint64_t addr;
	/* 0 valid; -ENODEV member not available (missing, stale, not given);
	 * -ERANGE address outside the pool or its member's data area (not read);
	 * -EIO etc. read error; -ENOMSG / -EUCLEAN the image does not check. */
	int      err;
	char     why[AD_WHY_MAX];
};

struct tw_page {
	struct ad_bptr bp;               /* the parent's pointer (the superblock's for the root) */
	unsigned       depth;            /* 0 = root */
	bool           has_lo, has_hi;   /* the root has no bounds */
	struct ad_key  lo, hi;           /* its keys must be >= lo and < hi */
	struct tw_mirror m[AD_MAX_MIRRORS];
	int            good;             /* first valid mirror, -1 when none is */
	const uint8_t *img;              /* that mirror's bytes (NULL when none) */
	struct ad_page_hdr h;            /* header of img */
};

#define TW_SKIP 1   /* callback result: do not descend into this page's children */

/* 0 (descend), TW_SKIP, or a negative errno that stops the walk. */
typedef int (*tw_fn)(void *ctx, const struct tw_page *pg);

/*
 * Walk the tree whose root is *root (null: nothing to walk).  fn sees every
 * page reached, valid or not; the page and its image are valid during the
 * call only.  Returns 0, fn's negative result, or -ENOMEM.
 */
int treewalk(const struct tw_src *s, const struct ad_bptr *root, tw_fn fn, void *ctx);

/* First and last key of a checked page image; false when it holds none. */
bool tw_key_range(const uint8_t *img, unsigned level, struct ad_key *first, struct ad_key *last);

#endif
