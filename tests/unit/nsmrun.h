/*
 * nsmrun.h — random namespace operations against a pool and a model, for
 * test_ns_model.
 *
 * A runner owns a model of one directory's subtree and a random stream; each
 * operation is drawn at random, predicted by the model (nsmodel.h), run on
 * the pool, and its result compared; then the model follows and the inodes
 * it touched are read back (nsmcheck.h).  Several runners may share a pool
 * (one per thread, each in its own directory).
 *
 * Durability: the runner keeps the model as it was at the last point the
 * pool called durable (a sync, a checkpoint, an open) and after every change
 * since.  After a crash the pool must equal one of those (nsr_after_crash).
 * With a crash point armed, the operation that fails with EIO may or may not
 * have reached the disk: it is one more candidate.
 *
 * Functions return 0, 1 when an armed crash point fired (the pool refuses
 * writes), or -1 after recording the first failure in r->why.
 */
#ifndef ARGOS_NSMRUN_H
#define ARGOS_NSMRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "argosfs.h"
#include "nsmodel.h"

#define NSR_LAST 12        /* operations kept for failure messages */

enum nsr_kind {
	NSR_MAKE, NSR_LINK, NSR_UNLINK, NSR_RMDIR, NSR_RENAME, NSR_SETATTR, NSR_SETX,
	NSR_REMX, NSR_OPEN, NSR_RELEASE, NSR_LOOKUP, NSR_GETATTR, NSR_READDIR, NSR_NKINDS
};

struct nsr_op {
	enum nsr_kind k;
	struct nsm_mk mk;                /* MAKE */
	uint64_t ino;                    /* LINK source, SETATTR, SETX, REMX, OPEN, GETATTR */
	uint64_t p1, p2;                 /* parents / directories */
	const char *n1, *n2;             /* names */
	int i1, i2;                      /* their indices (-1: bad name) */
	unsigned flags;                  /* rename, open, xattr flags */
	unsigned what;                   /* setattr */
	struct argos_attr a;
	const struct argos_cred *cr;
	const char *xname;
	int xidx;
	uint32_t vlen, vseed;
	uint64_t fh;                     /* RELEASE */
	bool plus;                       /* READDIR */
	unsigned slice;
	/* results */
	int pred, got;
	struct nsm_inode tmpl;
	struct argos_attr out;
	uint64_t found;                  /* LOOKUP: the model's answer */
};

struct nsr {
	argos_pool *p;
	struct nsm m;
	uint64_t seed, rng;
	int id;                          /* thread number, -1 for the main runner */
	unsigned max_inodes;             /* above it, creating becomes rare */
	/* durability */
	bool track;
	struct nsm *snap;                /* snap[0]: durable; then one per change */
	unsigned nsnap, csnap;
	bool armed, tripped, have_pending;
	struct nsr_op pending;           /* the operation that failed with EIO */
	/* every inode number the pool handed out (for ENOENT checks) */
	uint64_t *seen;
	unsigned nseen, cseen;
	/* a directory other runners read too (read-only model), 0: none */
	const struct nsm *shared;
	uint64_t shared_dir;
	/* counters */
	unsigned long nops, nfail_pred, nchecks, nmatch_later;
	unsigned long by_kind[NSR_NKINDS];
	unsigned long by_errno[160];
	/* failure */
	char last[NSR_LAST][200];
	unsigned nlast;
	bool failed;
	char why[6144];
};

/* A runner over the directory `root` of p (its model starts from getattr). */
int  nsr_init(struct nsr *r, argos_pool *p, uint64_t root, uint64_t parent, uint64_t seed,
	      int id);
void nsr_free(struct nsr *r);
int  nsr_fail(struct nsr *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t nsr_rand(struct nsr *r);
unsigned nsr_below(struct nsr *r, unsigned n);

/* n random operations (stops early at a crash point: 1). */
int  nsr_ops(struct nsr *r, unsigned n);
/* Compare the whole subtree (and, for a whole-pool model, the tree's items). */
int  nsr_check(struct nsr *r, bool items);
/* Make everything durable through the pool (sync or checkpoint). */
int  nsr_sync(struct nsr *r);
int  nsr_checkpoint(struct nsr *r);
/* The pool was closed cleanly and opened again as r->p. */
int  nsr_after_close(struct nsr *r);
/* The pool was abandoned and opened again as r->p: it must equal a candidate. */
int  nsr_after_crash(struct nsr *r);

#endif /* ARGOS_NSMRUN_H */
