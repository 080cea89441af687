/*
 * crashlib.h — shared by the crash tests (crashsweep, crashpoints): image
 * files, the write log reader (ARGOSFS_RECORD, format in docs/testing.md),
 * a workload model whose every item says which transaction wrote it, and
 * the state checker.
 *
 * The model: NKEYS keys (tree items of type PROP at oid CL_OID + key).
 * Transaction t puts and deletes some of them; the value of an item put by
 * operation i of transaction t encodes (t, i, key, length) and a pattern, so a
 * state read back from a pool tells for every item which transaction wrote
 * it.  hash[t] sums a 64-bit mix of (key, t, i, length) over the items present
 * after transaction t; a pool state is "after transaction j" exactly when its
 * hash and item count are hash[j] and count[j] (and every value is intact).
 * Because the journal and checkpoints keep transactions in commit order, a
 * crash state must be "after j" for some j between the last acknowledged
 * transaction and the last one started: not a half-applied transaction, not a
 * hole in the order.
 *
 * Every function returns 0 or -errno unless it says otherwise.
 */
#ifndef ARGOS_CRASHLIB_H
#define ARGOS_CRASHLIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "argosfs.h"
#include "store.h"

#define CL_NMEM     6
#define CL_NKEYS    320
#define CL_OID      0x7a000000ull
#define CL_VAL_MIN  10
#define CL_VAL_MAX  1900

/* ---- small things -------------------------------------------------------------- */

/* CLOCK_MONOTONIC in seconds. */
double cl_now(void);
/* "prog: message" on stderr, remove dir (unless keep, then name it), exit 99:
 * the test itself could not run. */
void cl_vfatal(const char *prog, const char *dir, bool keep, const char *fmt, va_list ap)
	__attribute__((noreturn));

/* ---- images ----------------------------------------------------------------- */

struct cl_images {
	char  dir[512];
	char  path[CL_NMEM][600];
	const char *paths[CL_NMEM];
};

/* Name dir/<prefix><i> for every member (no file is created). */
void cl_images_name(struct cl_images *im, const char *dir, const char *prefix);
/* Copy one image file, keeping holes (SEEK_DATA/SEEK_HOLE). */
int  cl_copy_file(const char *from, const char *to);
int  cl_copy_images(const struct cl_images *from, const struct cl_images *to);
/* A fresh work directory: $TMPDIR, else /dev/shm (no flush cost), else /tmp. */
int  cl_mkdtemp(const char *tag, char *dir, size_t len);

/* mkfs 4+2 on CL_NMEM sparse images of size bytes with a journal of jsize. */
int  cl_mkfs(const struct cl_images *im, uint64_t size, uint64_t jsize, char *why, size_t wl);

/* ---- engine messages -------------------------------------------------------- */

/* Keeps the last messages of the engine (warnings and errors) for reports. */
struct cl_msgs {
	struct argos_log log;
	char buf[2048];
	size_t len;
};
void cl_msgs_init(struct cl_msgs *m, int max_level);
void cl_msgs_clear(struct cl_msgs *m);

/* ---- the write log ------------------------------------------------------------ */

struct cl_rec {
	unsigned type;            /* RECORD_* */
	int      member;          /* -1 for OPEN and MARK */
	uint64_t seq, off;        /* off: offset, tag (MARK) or member count (OPEN) */
	uint32_t len;
	const uint8_t *data;      /* inside the mapped log */
};

struct cl_log {
	void   *map;
	size_t  size;
	struct cl_rec *r;
	size_t  n;
	bool    torn;             /* stopped before the end of the file */
	char    why[160];         /* where and why it stopped */
};

/* Map and parse a log; stops at the first bad record (torn, why set). */
int  cl_log_load(const char *path, struct cl_log *log);
void cl_log_free(struct cl_log *log);

/* MARK tags written by the workloads: kind << 56 | transaction number. */
#define CL_MARK_BEGIN   1ull     /* transaction t is about to be run */
#define CL_MARK_ACK     2ull     /* transactions <= t are durable */
#define CL_MARK_CRASH   3ull     /* a crash point fired (crashpoints) */
#define CL_MARK(kind, t) ((kind) << 56 | (uint64_t)(t))
#define CL_MARK_KIND(tag) ((tag) >> 56)
#define CL_MARK_TXN(tag)  ((tag) & ((1ull << 56) - 1))

/* ---- the model ------------------------------------------------------------------ */

struct cl_op {
	uint16_t key, len;        /* len 0: delete */
};

struct cl_txn {
	unsigned      nops;
	struct cl_op *ops;
};

struct cl_item {
	uint32_t txn;             /* 0: absent */
	uint16_t idx, len;
};

struct cl_model {
	unsigned        ntxn, cap;
	struct cl_txn  *t;        /* t[1..ntxn] */
	uint64_t       *hash;     /* hash[j]: after transaction j (hash[0]: empty) */
	uint32_t       *count;
	struct cl_item  cur[CL_NKEYS];   /* state after the last transaction */
	uint64_t        rng;
};

int  cl_model_init(struct cl_model *m, uint64_t seed);
void cl_model_free(struct cl_model *m);
uint64_t cl_rand(uint64_t *s);
/* Generate transaction ntxn + 1 (3..20 operations: new items, overwrites,
 * deletes, now and then the same key twice) and advance the model. */
int  cl_model_next(struct cl_model *m);
/* Run model transaction t on the pool. */
int  cl_run_txn(argos_pool *p, const struct cl_model *m, unsigned t, unsigned flags);

/* ---- reading and matching a pool state ----------------------------------------- */

struct cl_state {
	struct cl_item item[CL_NKEYS];
	uint64_t hash;
	uint32_t count;
	unsigned bad;             /* items whose value is damaged */
	char     bad_why[160];
};

/* Read every model key from an open pool. */
int  cl_state_read(argos_pool *p, struct cl_state *s);
/* The j in [lo, hi] whose model state equals s, or -1. */
long cl_state_match(const struct cl_model *m, const struct cl_state *s, unsigned lo, unsigned hi);
/* Describe how s differs from the model after transaction j (a few keys). */
void cl_state_diff(const struct cl_model *m, const struct cl_state *s, unsigned j, char *out,
		   size_t len);

/*
 * Open the pool (flags: ARGOS_OPEN_*), read the state, close it, and require
 * it to be after some j in [lo, hi]: *j_out.  On failure returns non-zero and
 * says why (including the engine's messages from msgs).
 */
int  cl_check_open(const struct cl_images *im, unsigned flags, const struct cl_model *m,
		   unsigned lo, unsigned hi, struct cl_msgs *msgs, long *j_out, char *why,
		   size_t wl);

/*
 * Findings that describe an unclean shutdown, not damage: the protocol leaves
 * them on purpose and the next open (or fsck -p) completes them.
 *   PR_0_SB_BEHIND, PR_0_SB_COPY_DAMAGED   a superblock generation write was
 *                                          interrupted (only while one is in
 *                                          flight: the caller checks that)
 *   PR_1_UNCLEAN                           the journal needs replaying
 *   PR_1_JOURNAL_MIRROR_BEHIND             an entry reached some mirrors only
 */
#define CL_RESIDUE(x) \
	x(PR_0_SB_BEHIND) x(PR_0_SB_COPY_DAMAGED) x(PR_1_UNCLEAN) x(PR_1_JOURNAL_MIRROR_BEHIND)

struct cl_fsck {
	int      exit_code;
	bool     residue_only;   /* exit 4, every finding fixable and in CL_RESIDUE */
	bool     sb_residue;     /* one of them is a PR_0_SB_* finding */
	unsigned residue_seen;   /* bit i: the i-th code of CL_RESIDUE was reported */
	char     why[4096];      /* every finding: "CODE: message; ..." */
};

/* Run argos_fsck (mode: ARGOS_FSCK_CHECK or _PREEN) over the images. */
void cl_fsck(const struct cl_images *im, int mode, struct cl_fsck *out);
/* Name of bit i of residue_seen, NULL past the last. */
const char *cl_residue_name(unsigned i);

#endif
