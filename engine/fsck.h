/*
 * fsck.h — the checker's shared state, problem codes and phases.
 *
 * Owns: the table of every finding fsck can report (a stable code, a short
 * description, whether preen may fix it) and the context the phases share.
 * One file per phase: fsck_super.c (phase 0: superblocks and membership).
 */
#ifndef ARGOS_FSCK_H
#define ARGOS_FSCK_H

#include "argosfs.h"
#include "assemble.h"
#include "dev.h"

/* x(code, preen_ok, description) */
#define FSCK_PROBLEMS(x)                                                         \
	x(PR_0_NO_POOL,          false, "no ArgosFS pool on the devices given")   \
	x(PR_0_PATH_UNREADABLE,  false, "a device given cannot be read")          \
	x(PR_0_PATH_NOT_ARGOS,   false, "a device given holds no ArgosFS member") \
	x(PR_0_PATH_FOREIGN,     false, "a device given belongs to another pool") \
	x(PR_0_PATH_DUPLICATE,   false, "two devices carry the same member UUID") \
	x(PR_0_MEMBER_MISSING,   false, "a member of the pool is missing")        \
	x(PR_0_MEMBER_STALE,     false, "a member missed generations (rebuild)")  \
	x(PR_0_POOL_FAILED,      false, "more members unavailable than parity")   \
	x(PR_0_SB_COPY_DAMAGED,  true,  "a superblock copy is damaged")           \
	x(PR_0_SB_BEHIND,        true,  "a member's superblock update was interrupted") \
	x(PR_0_SIZE_CHANGED,     false, "a member's size differs from the table")

enum fsck_problem {
#define x(code, preen, desc) code,
	FSCK_PROBLEMS(x)
#undef x
	FSCK_NPROBLEMS
};

struct fsck_ctx {
	const struct argos_fsck_opts *o;
	struct argos_fsck_result *res;
	struct dev_io *io;
	unsigned n;
	struct dev **devs;              /* per path, NULL when it could not open */
	struct member_probe *probes;    /* per path */
	struct assembly a;
	bool repair;                    /* REPAIR or PREEN */
};

/*
 * Record a finding.  When the caller could fix it (fix_fn != NULL and the mode
 * allows), fix_fn runs and its result decides fixed/uncorrected.
 */
typedef int (*fsck_fix_fn)(struct fsck_ctx *c, void *arg);
void fsck_report(struct fsck_ctx *c, enum fsck_problem code, fsck_fix_fn fix, void *arg,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

int fsck_phase_super(struct fsck_ctx *c);

#endif
