/*
 * tree.h — the copy-on-write B+tree that holds all metadata.
 *
 * Owns: lookups, ordered iteration, inserts, updates and deletes of items
 * (ad_format.h keys, values up to AD_ITEM_MAX bytes) over pages held in the
 * page cache, and turning the dirty pages into sealed page images with new
 * disk addresses at a checkpoint (tree_flush).
 *
 * Pages on disk are never modified: the first change to a clean page since
 * the last checkpoint gives it a temporary key (copy-on-write in memory; its
 * old disk copy is released through io.free_page), and the checkpoint writes
 * it somewhere new.  Every parent records each child's addresses and CRC, so
 * the tree is a checksum tree.
 *
 * No I/O happens inside these calls.  When a page is not cached, a call
 * returns -EAGAIN and fills *f with the pointer to load; the caller drops the
 * store lock, calls tree_fault_in(), and retries.  Locking is the caller's:
 * reads need the store lock shared, changes and tree_flush exclusive.
 *
 * Invariants:
 *  1. Keys are unique and sorted within and across pages; an internal entry's
 *     key is <= every key in its subtree and > every key in the subtree of
 *     the entry before it.
 *  2. Every page on the path to a dirty page is dirty; a dirty page's parent
 *     pointer is a temporary pointer (nmirrors 0, addr[0] = its cache key).
 *  3. height >= 1; the root may be an empty leaf; no other page is empty.
 */
#ifndef ARGOS_TREE_H
#define ARGOS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_format.h"
#include "pcache.h"

#define TREE_MAX_HEIGHT 12

struct tree_fault {
	bool           need;
	struct ad_bptr ptr;         /* the page to load */
	uint64_t       epoch;       /* tree->flushes when ptr was read */
};

/*
 * Leaves found during one read-only stretch: lookups under one hold of the
 * store lock with no change to the tree in between (a transaction's function
 * and its probe; a read).  A key between a remembered leaf's first and last
 * key lives in that leaf (invariant 1), so tree_get_near() and
 * tree_probe_near() take it without descending.  The caller owns the finger
 * and must tree_finger_reset() it whenever the lock is dropped or the tree
 * changes (a page it names may move or be freed), except through
 * tree_put_near() with the same finger.
 */
#define TREE_FINGERS 4

struct tree_finger {
	unsigned n, next;           /* entries in use; the one to replace next */
	struct {
		struct cpage *leaf;
		struct ad_key lo, hi;   /* its first and last key when found */
	} e[TREE_FINGERS];
	uint64_t hits;              /* descents skipped (statistics) */
};

static inline void tree_finger_reset(struct tree_finger *fg)
{
	fg->n = 0;
	fg->next = 0;
}

struct tree_io {
	void *ctx;
	/* Read and verify the page p points at (any mirror) into buf (AD_BLOCK
	 * bytes); *repair = true when a mirror was bad and another served it. */
	int  (*read_page)(void *ctx, const struct ad_bptr *p, void *buf, bool *repair);
	/* A page's disk copy left the tree (its blocks go to the pending frees). */
	void (*free_page)(void *ctx, const struct ad_bptr *p);
	/* Checkpoint: choose disk blocks for a page (fills addr[] and nmirrors). */
	int  (*alloc_page)(void *ctx, struct ad_bptr *p);
	/* Checkpoint: a sealed page image to write at p.  It stays unchanged
	 * until pcache_write_end() when the caller bracketed tree_flush() with
	 * pcache_write_begin() (pcache.h); otherwise copy it: it changes. */
	int  (*emit_page)(void *ctx, const struct ad_bptr *p, const void *page);
};

struct tree {
	struct pcache *pc;
	struct tree_io io;
	uint32_t       seed;        /* checksum seed (format id) */
	struct ad_bptr root;        /* disk pointer, or temporary when dirty */
	unsigned       height;
	bool           writable;    /* repairs may dirty pages */
	/* checkpoints begun (tree_flush calls): a disk pointer seen before the
	 * last one may name blocks since freed and reused */
	uint64_t       flushes;
	/* statistics */
	uint64_t       splits, merges, cows;
};

/* Attach a tree whose root is at *root (height levels, >= 1). */
void tree_init(struct tree *t, struct pcache *pc, const struct tree_io *io, uint32_t seed,
	       const struct ad_bptr *root, unsigned height, bool writable);

/* Load the page a fault names (single-threaded use: replay, or with the
 * store lock held for writing; nothing can move the page meanwhile). */
int  tree_fault_in(struct tree *t, const struct tree_fault *f);

/*
 * The same in two halves for a caller that drops the store lock for the
 * read: tree_fault_read() (no lock) reads the page into a new buffer;
 * tree_fault_install() (store lock held, shared is enough) caches it, or,
 * when a checkpoint began since the fault was recorded (the pointer may be
 * stale and its blocks reused), frees it and returns -ESTALE: descend again.
 */
int  tree_fault_read(struct tree *t, const struct tree_fault *f, uint8_t **buf, bool *repair);
int  tree_fault_install(struct tree *t, const struct tree_fault *f, uint8_t *buf, bool repair);

/* Copy the value of key into buf (cap bytes); *len = its full length.
 * -ENOENT, -EAGAIN (fault), -EUCLEAN (damaged page). */
int  tree_get(struct tree *t, const struct ad_key *k, void *buf, size_t cap, size_t *len,
	      struct tree_fault *f);

/* The same, first trying the leaves in fg (may be NULL), and remembering the
 * leaf it descended to. */
int  tree_get_near(struct tree *t, const struct ad_key *k, void *buf, size_t cap, size_t *len,
		   struct tree_fault *f, struct tree_finger *fg);

/*
 * The first item with key > *k (>= when inclusive): its key into *out and
 * value into buf.  -ENOENT at the end of the tree.
 */
int  tree_next(struct tree *t, const struct ad_key *k, bool inclusive, struct ad_key *out,
	       void *buf, size_t cap, size_t *len, struct tree_fault *f);

/* Make sure every page a change of key would touch is cached: 0 or -EAGAIN. */
int  tree_probe(struct tree *t, const struct ad_key *k, struct tree_fault *f);
int  tree_probe_near(struct tree *t, const struct ad_key *k, struct tree_fault *f,
		     struct tree_finger *fg);

/* Insert or replace an item.  -E2BIG when len > AD_ITEM_MAX, -ENOMEM,
 * -EAGAIN (fault: nothing was changed). */
int  tree_put(struct tree *t, const struct ad_key *k, const void *val, size_t len,
	      struct tree_fault *f);

/*
 * The same through a finger whose leaves may have changed since they were
 * found, but only by puts that split nothing (their key ranges only grew):
 * a key in a remembered dirty leaf goes straight into it.  A put that splits
 * resets the finger; so must a caller's delete.
 */
int  tree_put_near(struct tree *t, const struct ad_key *k, const void *val, size_t len,
		   struct tree_fault *f, struct tree_finger *fg);

/* Delete an item: 0, -ENOENT, -EAGAIN (nothing changed). */
int  tree_del(struct tree *t, const struct ad_key *k, struct tree_fault *f);

/*
 * Checkpoint: seal every dirty page bottom-up for generation gen, give each
 * new disk blocks (io.alloc_page), hand its image to io.emit_page, and make
 * it clean under its new address.  On return t->root is a disk pointer.
 * Returns 0 or the first error (the tree is then unusable for writing).
 */
int  tree_flush(struct tree *t, uint64_t gen);

/* Dirty pages waiting for the next checkpoint. */
size_t tree_dirty_pages(const struct tree *t);

#endif
