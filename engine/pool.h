/*
 * pool.h — an open pool: its members, its superblock generations, its store.
 *
 * Owns: struct argos_pool (the public handle), the member devices held for
 * the life of the handle, the current superblock of every member, and
 * writing new generations (state changes and checkpoints).
 *
 * Locking: gen_lock (the store's ckpt_lock) serialises every generation
 * write; member superblocks and pool->sb change only under it.
 */
#ifndef ARGOS_POOL_H
#define ARGOS_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ad_format.h"
#include "argosfs.h"
#include "crash.h"
#include "data.h"
#include "dev.h"
#include "fault.h"
#include "itab.h"
#include "store.h"

struct record;

struct pool_member {
	char          *path;
	struct dev    *dev;         /* NULL when missing or stale (not used) */
	struct ad_super sb;         /* its superblock of the current generation */
	int            status;      /* ARGOS_MEMBER_* */
};

struct argos_pool {
	struct argos_log log;       /* copy of the caller's; fn may be NULL */
	struct dev_io  *io;
	struct crash    crash;
	unsigned        flags;      /* ARGOS_OPEN_* */
	unsigned        iflags;     /* POOL_* (internal opens) */
	bool            borrowed;   /* the member devices belong to the caller (pool_open_devs) */
	bool            rdonly;
	bool            degraded;
	uint32_t        seed;
	struct ad_super sb;         /* pool-wide fields of the current generation */
	unsigned        nmembers;   /* entries in the member table */
	struct pool_member *m;
	struct ad_member mtab[AD_MAX_MEMBERS];
	struct store    st;
	bool            store_ready;
	struct journal_replay_report replay;   /* what the open replayed */
	bool            opened_unclean;  /* the pool was not marked clean at open */
	struct itab     itab;       /* lookup counts and open handles */
	bool            itab_ready;
	int             atime_policy;   /* ARGOS_ATIME_* in effect (pool_prop.c) */
	int             atime_prop;     /* the "atime" property, -1 unset */
	int             io_prop;    /* enum dev_backend of the "io" property, 0 unset */
	/* file data */
	struct ftab     ftab;       /* per-file write windows */
	pthread_mutex_t dirty_lock; /* protects data_dirty */
	bool            data_dirty[AD_MAX_MEMBERS];   /* unflushed data writes */
	struct fault    fault;      /* injected faults (tests, drills) */
	struct dev_hooks fault_hooks;
	/* data health counters (atomic) */
	uint64_t        bad_blocks;         /* blocks that failed their CRC or read */
	uint64_t        rebuilt_blocks;     /* blocks rebuilt from parity for a reader */
	uint64_t        repaired_chunks;    /* chunks rewritten onto new extents */
	uint64_t        deferred_writes;    /* small overwrites kept as DEFER items */
	uint64_t        deferred_folds;     /* windows folded for holding enough of them */
	bool            defer_off;          /* no deferred writes (bench/rw_bench: before/after) */
	/* compression (data_compress.c; atomic) */
	uint32_t        cz_packed;          /* struct data_cz_cfg in effect, packed */
	uint64_t        cz_units_read;      /* compressed units decompressed for readers */
	uint64_t        cz_stripes_written; /* stripes written compressed */
	bool            data_ready;
	struct record  *rec;        /* ARGOSFS_RECORD write recorder, or NULL */
	/* background work: journal flushes and timed checkpoints */
	pthread_t       bg;
	bool            bg_running, bg_stop;
	pthread_mutex_t bg_lock;
	pthread_cond_t  bg_cond;
	unsigned        commit_ms;  /* journal flush interval */
	unsigned        ckpt_ms;    /* checkpoint interval */
	/* the errors flag (pool_errors.c) */
	int             errors_seen;    /* atomic: damage found that was not repaired */
	bool            errors_written; /* AD_SBF_ERRORS is in a durable generation */
	/* space maps that could not be loaded, rebuilt at open (sm_rebuild.c) */
	bool            sm_rebuilt[AD_MAX_MEMBERS];
	unsigned        nsm_rebuilt;
};

/* Internal open flags. */
#define POOL_NOSTORE  0x1   /* members and superblocks only (read-only inspection): no
			     * space maps, tree, journal or replay */
#define POOL_FSCK     0x2   /* fsck: no background thread, and a read-write open is not
			     * counted as a mount (no mounted-by, no mount count) */

/* argos_pool_open() with internal flags.  Close with argos_pool_close(). */
int  pool_open_paths(const char *const *paths, unsigned n, const struct argos_open_opts *o,
		     unsigned iflags, struct argos_pool **out, char *why, size_t whylen);
/*
 * Open the pool held by devices the caller already owns (NULL entries are
 * skipped).  The devices stay the caller's: argos_pool_close() does not close
 * them, and the caller must not close them before it.  Errors as
 * argos_pool_open().
 */
int  pool_open_devs(struct dev *const *devs, unsigned n, const struct argos_open_opts *o,
		    unsigned iflags, struct argos_pool **out, char *why, size_t whylen);

/*
 * Set up j over the pool's journal mirrors (as recorded in the superblock;
 * missing ones have no device): member[] gets their member indices,
 * *nmirrors their number.  -ENODEV when every mirror is missing.  Undo with
 * journal_destroy().
 */
int  pool_journal_init(struct argos_pool *p, struct journal *j, struct crash *crash, int *member,
		       unsigned *nmirrors, char *why, size_t whylen);

/* What a new generation changes beside the generation number. */
struct gen_update {
	bool           checkpoint;  /* tree, journal head and space maps move */
	struct ad_bptr root;
	unsigned       height;
	uint64_t       head_off, head_seq;
	const struct sm_write *smw; /* per present member */
	unsigned       nsmw;
	uint32_t       set_flags, clear_flags;   /* AD_SBF_* */
	bool           mount;       /* record mounted-by, count a mount */
	bool           unmount;     /* clear mounted-by */
	bool           checked;     /* record a completed fsck */
};

/* Write generation sb.generation + 1 on every present member.  Caller holds
 * the store's ckpt_lock (or is single-threaded: open/close). */
int  pool_commit_generation(struct argos_pool *p, const struct gen_update *u, char *why,
			    size_t whylen);

/* Read and verify a tree page (any mirror); tree_io.read_page. */
int  pool_read_page(void *ctx, const struct ad_bptr *bp, void *buf, bool *repair);

/* Pool properties (pool_io.c): get (-ENOENT when unset, -ERANGE when cap is
 * too small) and set (a synchronous transaction). */
/* pool_prop.c: property items (0, -ENOENT unset or held by another name, -EIO
 * damaged, -ERANGE cap too small; set: -EEXIST another name holds the key,
 * -EROFS); pool_props_apply() reads every property at open (after the store is
 * loaded, before any other thread uses the pool) and applies it with the open
 * options; pool_props_status() fills their part of argos_pool_status. */
int  pool_prop_get(struct argos_pool *p, const char *name, char *out, size_t cap);
int  pool_prop_set(struct argos_pool *p, const char *name, const char *value);
int  pool_props_apply(struct argos_pool *p, const struct argos_open_opts *o, char *why,
		      size_t whylen);
void pool_props_status(struct argos_pool *p, struct argos_pool_status *s);
/* Load the "io" property (or o->io) and switch the engine and the members to
 * it; the opening thread only, before any other thread uses the pool. */
int  pool_io_apply(struct argos_pool *p, const struct argos_open_opts *o, char *why,
		   size_t whylen);
void pool_io_status(struct argos_pool *p, struct argos_pool_status *s);

/* Members currently usable for new data and metadata. */
unsigned pool_present_members(const struct argos_pool *p);

/*
 * The errors flag (pool_errors.c).  pool_record_error(): damage was found
 * that no mirror or parity could repair (the caller has logged what); the
 * flag is written with the next generation the background thread or the
 * close writes, and refuses read-write opens until fsck clears it.  A
 * read-only pool cannot record it (logged); fsck's own opens ignore it (fsck
 * reports what it finds).  pool_write_errors_flag(): write it now if it is
 * pending (caller holds ckpt_lock or is single-threaded).
 */
void pool_record_error(struct argos_pool *p);
int  pool_write_errors_flag(struct argos_pool *p);

/* After the journal replay: rebuild the space maps marked sm_rebuilt from the
 * checkpoint tree's references and the pending frees (sm_rebuild.c). */
int  pool_rebuild_spacemaps(struct argos_pool *p, char *why, size_t whylen);

#endif
