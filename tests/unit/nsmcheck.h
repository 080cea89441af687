/*
 * nsmcheck.h — comparing an open pool with a namespace model (nsmodel.h):
 * read what the pool holds below a directory through the public API
 * (readdir, getattr, readlink, listxattr/getxattr), then compare it with a
 * model; and walk the metadata tree's items to find what the API cannot
 * show (leaked items of freed inodes, orphan records, the inode counter).
 *
 * Functions return 0 when the pool matches, -1 with a one-line reason in
 * why[len] otherwise; nothing here aborts, so threads can use it.
 */
#ifndef ARGOS_NSMCHECK_H
#define ARGOS_NSMCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "argosfs.h"
#include "nsmodel.h"

struct nsc_x {
	int      idx;           /* nsm_xname() index, -1 for an unknown name */
	uint32_t vlen;
	uint64_t h;             /* hash of the value */
};

struct nsc_ino {
	struct argos_attr a;
	uint32_t tlen;          /* symlinks: target length and hash */
	uint64_t th;
	unsigned nx;
	struct nsc_x x[NSM_NXNAMES + 1];
	uint64_t dot, dotdot;   /* directories, as readdir gave them */
};

struct nsc_ent {
	uint64_t dir, ino;
	int      name;          /* nsm_name() index, -1 for a name the model never makes */
	uint32_t dtype;         /* S_IF* bits readdir gave */
};

/* What the pool holds below a directory. */
struct nsc_state {
	unsigned ni, ci;
	struct nsc_ino *i;
	unsigned ne, ce;
	struct nsc_ent *e;
};

/* Value hashes: of bytes, and of a model value or target. */
uint64_t nsc_hash(const void *buf, size_t len);
uint64_t nsc_xval_hash(uint32_t seed, uint32_t len);
uint64_t nsc_target_hash(uint32_t seed, uint32_t len);

/* Read the subtree below root plus the inodes extra[] (orphans: no name).
 * Readdir goes in slices of `slice` entries (0: all at once). */
int  nsc_read(argos_pool *p, uint64_t root, const uint64_t *extra, unsigned nextra,
	      unsigned slice, struct nsc_state *s, char *why, size_t len);
void nsc_free(struct nsc_state *s);
/* s against the model m (whose root s was read from). */
int  nsc_diff(const struct nsc_state *s, const struct nsm *m, char *why, size_t len);
/* Read the subtree of m (and its orphans) and compare. */
int  nsc_check(argos_pool *p, const struct nsm *m, unsigned slice, char *why, size_t len);
/* One inode (getattr, readlink, xattrs), or -ENOENT when the model has none. */
int  nsc_inode(argos_pool *p, const struct nsm *m, uint64_t ino, char *why, size_t len);
/* One directory's listing, in slices, with or without plus. */
int  nsc_dir(argos_pool *p, const struct nsm *m, uint64_t dir, bool plus, unsigned slice,
	     char *why, size_t len);
/* Every item of the tree against a whole-pool model: items only of live
 * inodes and in the numbers their state implies, orphan records of the
 * model's orphans, the pool's inode counter.  Must run with no other thread
 * changing the pool. */
int  nsc_items(argos_pool *p, const struct nsm *m, char *why, size_t len);

#endif /* ARGOS_NSMCHECK_H */
