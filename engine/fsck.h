/*
 * fsck.h — the checker's shared state, problem codes and phases.
 *
 * Owns: the table of every finding fsck can report (a stable code, whether
 * preen may fix it, a short description) and the context the phases share.
 * One file per phase:
 *   fsck_super.c    phase 0: superblocks and membership
 *   fsck_journal.c  phase 1: journal mirrors; an unclean pool is replayed
 *   fsck_tree.c     phase 2: every page and mirror of the tree; the items
 *   fsck_alloc.c    phase 3: space maps against the references (fsck_refs.c)
 *   fsck_ns.c       phase 4: the namespace (fsck_nsfix.c: its repairs)
 *   fsck_data.c     phase 5: every block of every stripe read (a scrub)
 * Phases 1-3 run on the devices phase 0 opened; phases 2-3 look at the store
 * through a pool opened over them (read-only; read-write only to repair),
 * so an unclean pool is checked as its journal replay leaves it.
 * Phases 4-5 run only when the pool was not marked clean (or had its errors
 * flag set) when fsck started, or with -f (opts->force), as e2fsck skips a
 * clean filesystem.
 */
#ifndef ARGOS_FSCK_H
#define ARGOS_FSCK_H

#include "argosfs.h"
#include "assemble.h"
#include "dev.h"
#include "fsck_refs.h"

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
	x(PR_0_SIZE_CHANGED,     false, "a member's size differs from the table")      \
	x(PR_0_ERRORS_FLAG,      true,  "the errors flag is set: a mount found damage it could not repair") \
	x(PR_1_JOURNAL_MIRROR_BEHIND, true, "a journal mirror holds less than the longest valid chain") \
	x(PR_1_UNCLEAN,          true,  "the pool was not closed cleanly: replay needed") \
	x(PR_1_STORE_OPEN,       false, "the metadata store cannot be opened")    \
	x(PR_1_SPACEMAP_BAD,     true,  "a member's space map cannot be loaded (rebuilt from the tree)") \
	x(PR_2_PAGE_MIRROR_BAD,  true,  "a mirror of a tree page is damaged; another is good") \
	x(PR_2_PAGE_LOST,        false, "no mirror of a tree page is valid")      \
	x(PR_2_PAGE_ADDR_BAD,    false, "a tree page mirror lies outside the data areas") \
	x(PR_2_PAGE_SHARED,      false, "a tree page or block is reached twice")  \
	x(PR_2_KEY_RANGE,        false, "a page holds keys outside its parent's range") \
	x(PR_2_ITEM_TYPE,        false, "an item has an unknown key type")        \
	x(PR_2_INODE_BAD,        false, "an inode record does not decode")        \
	x(PR_2_STRIPE_BAD,       false, "a stripe record does not decode")        \
	x(PR_2_POOLREC_MISSING,  false, "the pool record is missing")             \
	x(PR_2_POOLREC_BAD,      false, "the pool record does not decode")        \
	x(PR_2_ROOT_MISSING,     false, "the root directory's inode is missing")  \
	x(PR_2_ROOT_BAD,         false, "the root inode is not a directory")      \
	x(PR_3_SPACE_LEAKED,     true,  "blocks marked used that nothing references") \
	x(PR_3_SPACE_UNMARKED,   true,  "referenced blocks marked free")          \
	x(PR_3_REF_RANGE,        false, "a reference outside its member's data area") \
	x(PR_3_BLOCKS_SHARED,    false, "two different extents overlap (cross-linked)") \
	x(PR_3_EXTREF_BAD,       false, "an extent reference item does not decode") \
	x(PR_3_EXTREF_COUNT,     false, "an extent's reference count is not the references found") \
	x(PR_3_EXTREF_MISSING,   false, "an extent referenced more than once has no count") \
	x(PR_4_ITEM_NO_INODE,    false, "items are keyed under an inode that does not exist") \
	x(PR_4_DIRENT_BAD,       false, "a directory entry bucket does not decode")  \
	x(PR_4_DIRENT_NOT_DIR,   false, "directory entries are keyed under a non-directory") \
	x(PR_4_DIRENT_DANGLING,  false, "a directory entry points at no inode")      \
	x(PR_4_DIRENT_TYPE,      false, "a directory entry's type is not its inode's") \
	x(PR_4_DIRENT_HASH,      false, "a directory entry is in another name's bucket") \
	x(PR_4_DIR_MULTI,        false, "a directory is reachable by two names")     \
	x(PR_4_DIR_UNREACHABLE,  false, "a directory is reachable from no directory") \
	x(PR_4_DIR_LOOP,         false, "directories form a cycle cut off from the root") \
	x(PR_4_UNREACHABLE,      false, "an inode is reachable from no directory")   \
	x(PR_4_ORPHAN,           true,  "an inode left on the orphan list (normal after a crash)") \
	x(PR_4_ORPHAN_LINKED,    false, "an inode on the orphan list still has names") \
	x(PR_4_ORPHAN_DANGLING,  true,  "an orphan list entry names no inode")       \
	x(PR_4_NLINK,            false, "an inode's link count is not the names found") \
	x(PR_4_DIR_COUNT,        false, "a directory's entry or subdirectory count is wrong") \
	x(PR_4_DIR_PARENT,       false, "a directory's parent is not the directory holding it") \
	x(PR_4_XATTR_BAD,        false, "an extended attribute bucket does not decode") \
	x(PR_4_XVAL_MISSING,     false, "parts of a large extended attribute value are missing") \
	x(PR_4_XVAL_STRAY,       false, "a large-value part belongs to no extended attribute") \
	x(PR_4_INLINE_STRAY,     false, "inline data on an inode that keeps none")   \
	x(PR_4_SYMLINK_BAD,      false, "a symlink's target is not its size")        \
	x(PR_4_STRIPE_NOT_FILE,  false, "stripes belong to an inode that is not a regular file") \
	x(PR_4_DATA_PAST_EOF,    false, "file data (stripes, inline) beyond the file's size") \
	x(PR_4_POOL_COUNTS,      false, "the pool record's inode count or next number is wrong") \
	x(PR_4_DEFER_BAD,        false, "a deferred write item does not decode or does not fit its stripe") \
	x(PR_4_PROP_BAD,         false, "a pool property item does not decode or is under another name's key") \
	x(PR_5_CHUNK_BAD,        true,  "chunks of a stripe hold blocks that fail their CRC") \
	x(PR_5_STRIPE_LOST,      false, "a block row of a stripe has fewer than k good chunks") \
	x(PR_5_UNIT_BAD,         false, "a compressed unit does not decompress (its blocks pass their CRCs)") \
	x(PR_5_CHUNKS_MISSING,   false, "stripes have chunks on members that are missing") \
	x(PR_5_STRIPE_REDUCED,   false, "a stripe is narrower than the pool (written degraded)")

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
	bool assembled;                 /* a holds an assembly to release */
	uint32_t seed;                  /* format seed of the pool */
	/* phases 2-3: the store, opened over devs (fsck_store_open) */
	struct argos_pool *pool;        /* NULL when it cannot be opened */
	bool pool_rw;                   /* opened read-write for a repair */
	/* phase 2 -> 3 */
	struct u64set seen;             /* mirror addresses of the pages walked */
	struct fsck_refs refs;          /* extents the tree (and later stripes) reference */
	struct fsck_lost *lost;         /* key ranges of subtrees with no valid page */
	size_t nlost, caplost;
	uint64_t pages;                 /* pages walked */
	/* phase 4 -> 5 */
	uint64_t data_bytes;            /* bytes of every stripe's chunks (progress total) */
};

/* Keys [lo, hi) of a subtree that could not be read (has_lo/has_hi: bounded). */
struct fsck_lost {
	bool has_lo, has_hi;
	struct ad_key lo, hi;
};

/*
 * Record a finding.  When the caller could fix it (fix_fn != NULL and the mode
 * allows), fix_fn runs and its result decides fixed/uncorrected.
 */
typedef int (*fsck_fix_fn)(struct fsck_ctx *c, void *arg);
void fsck_report(struct fsck_ctx *c, enum fsck_problem code, fsck_fix_fn fix, void *arg,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* fsck.c: shared by the phases */
/* The open device of member e of the pool, NULL when it is not online here. */
struct dev *fsck_member_dev(struct fsck_ctx *c, unsigned e);
/* That member's own newest superblock (its regions), NULL when absent. */
const struct ad_super *fsck_member_sb(struct fsck_ctx *c, unsigned e);
/* Probe the devices again and reassemble (after a repair changed them). */
int  fsck_reassemble(struct fsck_ctx *c);
/* Switch c->pool to read-write for a repair (reopened over the devices). */
int  fsck_store_rw(struct fsck_ctx *c);
/* Is k inside a subtree phase 2 could not read? */
bool fsck_key_lost(const struct fsck_ctx *c, const struct ad_key *k);
/* Every item of the store in key order (skipping subtrees that cannot be
 * read); fn's non-zero result stops.  Returns 0 or an error. */
typedef int (*fsck_item_fn)(struct fsck_ctx *c, const struct ad_key *k, const uint8_t *val,
			    size_t len, void *arg);
int  fsck_items(struct fsck_ctx *c, fsck_item_fn fn, void *arg);
void fsck_progress(struct fsck_ctx *c, const char *phase, uint64_t done, uint64_t total);

int fsck_phase_super(struct fsck_ctx *c);
int fsck_phase_journal(struct fsck_ctx *c);
int fsck_phase_tree(struct fsck_ctx *c);
int fsck_phase_alloc(struct fsck_ctx *c);
int fsck_phase_ns(struct fsck_ctx *c);
int fsck_phase_data(struct fsck_ctx *c);
/* fsck_state.c: space maps the store's open rebuilt (after the store opens);
 * the errors flag the pool had when fsck started (after every phase). */
void fsck_check_spacemaps(struct fsck_ctx *c);
void fsck_check_errors_flag(struct fsck_ctx *c, uint32_t start_flags);

#endif
