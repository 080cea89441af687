/*
 * crash.h — named crash points of the durability protocol.
 *
 * Owns: the list of crash points and arming them from the environment:
 *   ARGOSFS_CRASH_POINT=name[,name...]   (or "all")
 *   ARGOSFS_CRASH_ABORT=1                abort() there instead of failing
 * Without ARGOSFS_CRASH_ABORT the operation that reaches an armed point fails
 * with -EIO and the pool refuses every later write, as after a real I/O
 * error; the state on disk is whatever the protocol had written so far.
 * `argosfs crash-points` lists the names.
 */
#ifndef ARGOS_CRASH_H
#define ARGOS_CRASH_H

#include <stdbool.h>
#include <stdint.h>

#define CRASH_POINTS(x)                                                         \
	x(BEFORE_DATA_WRITE,    "before-data-write")    /* stripe chunks not written */ \
	x(AFTER_DATA_WRITE,     "after-data-write")     /* written, not flushed */      \
	x(AFTER_DATA_FLUSH,     "after-data-flush")     /* flushed, not committed */    \
	x(MID_JOURNAL_APPEND,   "mid-journal-append")   /* entry on some mirrors only */\
	x(AFTER_JOURNAL_WRITE,  "after-journal-write")  /* entry written, not flushed */\
	x(AFTER_JOURNAL_COMMIT, "after-journal-commit") /* durable, not acknowledged */ \
	x(MID_CKPT_PAGES,       "mid-checkpoint-pages") /* some pages written */        \
	x(AFTER_CKPT_PAGES,     "after-checkpoint-pages") /* pages + maps flushed */    \
	x(BETWEEN_SB_SLOTS,     "between-superblock-slots") /* some members at G+1 */   \
	x(AFTER_SUPERBLOCKS,    "after-superblocks")    /* G+1 durable, not released */ \
	x(DURING_REPLAY,        "during-replay")        /* replay half applied */

enum crash_id {
#define x(id, name) CRASH_##id,
	CRASH_POINTS(x)
#undef x
	CRASH_NPOINTS
};

struct crash {
	uint64_t armed;       /* bit per enum crash_id */
	bool     abort_;      /* abort() instead of failing */
	bool     tripped;     /* a point fired: the pool refuses writes */
};

/* Arm from ARGOSFS_CRASH_POINT / ARGOSFS_CRASH_ABORT.  Unknown names: -EINVAL
 * with the name in why. */
int  crash_init_env(struct crash *c, char *why, size_t whylen);
/* 0, or -EIO when the point is armed (or abort()). */
int  crash_point(struct crash *c, enum crash_id id);
static inline bool crash_armed(const struct crash *c, enum crash_id id)
{
	return c && (c->armed >> id) & 1;
}
const char *crash_point_name(unsigned id);

#endif
