/*
 * argosfs.h — the one public API of the ArgosFS engine (libargosfs).
 *
 * ArgosFS is a self-healing, erasure-coded filesystem that owns its member
 * devices (block devices, partitions or image files) directly.  Tools
 * (mkfs.argosfs, fsck.argosfs, mount.argosfs, argosfs), the FUSE adapter and the
 * fio plugin use only this header; the engine's internal headers stay internal.
 *
 * Conventions
 *  - Every function returning int returns 0 (or a count) on success and a
 *    negative errno value on failure; nothing reports through errno.
 *    argos_strerror() describes any return value, including the ArgosFS
 *    specific ones below.
 *  - Strings and arrays returned to the caller are owned by the caller and
 *    freed with the matching *_free() function named in each comment.
 *  - Diagnostics go to an optional struct argos_log the caller passes in;
 *    with none, the engine is silent.
 *
 * Caveats
 *  - One pool, one owner: opening a pool for writing takes ownership of every
 *    member (O_EXCL on block devices, an OFD lock on image files).  Tools that
 *    only look (scan, dump-super) take none.
 *  - A loop device and its backing image are the same member; list either.
 *  - The engine is not fork-safe: do not fork while a pool is open.
 */
#ifndef ARGOSFS_H
#define ARGOSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ARGOS_VERSION_MAJOR 0
#define ARGOS_VERSION_MINOR 1
#define ARGOS_VERSION_STRING "0.1.0"

/** Version of the library actually loaded, e.g. "0.1.0". */
const char *argos_version(void);

/* ------------------------------------------------------------------------ */
/** @defgroup errors Errors                                                   */

/** Describe a return value: a negative errno or 0.  Never NULL; static. */
const char *argos_strerror(int err);

/* ------------------------------------------------------------------------ */
/** @defgroup log Diagnostics                                                 */

enum argos_log_level {
	ARGOS_LOG_ERR = 3,
	ARGOS_LOG_WARNING = 4,
	ARGOS_LOG_NOTICE = 5,
	ARGOS_LOG_INFO = 6,
	ARGOS_LOG_DEBUG = 7,
};

/** Receives one complete message (no trailing newline). */
typedef void (*argos_log_fn)(void *ctx, int level, const char *msg);

struct argos_log {
	argos_log_fn fn;
	void *ctx;
	int max_level;        /**< messages above this level are dropped */
};

/* ------------------------------------------------------------------------ */
/** @defgroup spec Pool specifications                                       */

/*
 * One grammar for every tool:
 *   PATH[,PATH...]        member paths (image files, block devices, partitions)
 *   UUID=<uuid>           members of the pool with that UUID, found by
 *   LABEL=<label>         scanning block devices and the search directories
 *   pool:UUID=<uuid>      the same; the form to use in /etc/fstab and with
 *   pool:LABEL=<label>    fsck(8), which resolve bare UUID=/LABEL= themselves
 *                         (through libblkid, which does not know ArgosFS)
 */
struct argos_spec_opts {
	const char *const *search_dirs;   /**< directories of image files */
	unsigned nsearch;
	const struct argos_log *log;
};

/**
 * Resolve a pool spec into member paths.
 * @param[out] paths  array of *n strings; free with argos_paths_free()
 * @return 0; -EINVAL for a malformed spec (why says); -ENOENT when a UUID=
 *         or LABEL= matches nothing; -ENOTUNIQ when a LABEL= matches several
 *         pools.
 */
int  argos_spec_resolve(const char *spec, const struct argos_spec_opts *o,
			char ***paths, unsigned *n, char *why, size_t whylen);
void argos_paths_free(char **paths, unsigned n);

/* ------------------------------------------------------------------------ */
/** @defgroup mkfs Formatting                                                */

#define ARGOS_DEFAULT_CHUNK_MAX  (256u << 10)
#define ARGOS_MIN_MEMBER_SIZE    (32ull << 20)

struct argos_mkfs_opts {
	unsigned k, m;             /**< 0/0: defaults from the member count */
	bool     m_set;            /**< m given explicitly (m may be 0) */
	uint32_t chunk_size;       /**< 0: default */
	uint64_t journal_size;     /**< 0: default */
	const char *label;         /**< NULL: none */
	const uint8_t *uuid;       /**< 16 bytes, NULL: random */
	bool     force;            /**< -f: overwrite existing signatures */
	bool     dry_run;          /**< -n: change nothing */
	const struct argos_log *log;
	const char *compression;   /**< the "compression" property to start with
				    *   (see argos_pool_set_compression); NULL:
				    *   none */
};

struct argos_mkfs_result {
	uint8_t  pool_uuid[16];
	unsigned k, m;
	uint32_t chunk_size;
	uint64_t journal_size;
	unsigned members;
	uint64_t raw_bytes;        /**< sum of member sizes */
	uint64_t usable_bytes;     /**< data capacity after parity and metadata */
};

/**
 * Format members into a new pool: superblocks, space maps and an empty
 * filesystem (root directory).  Refuses (-EEXIST, changing nothing) a member
 * holding a filesystem, partition table, RAID signature or ArgosFS member
 * unless o->force; with force, wipes every signature libblkid finds.
 * Other errors: -EINVAL (bad geometry, same member twice; why says),
 * -ENOSPC (member too small), -EBUSY (member in use), I/O errors.
 */
int argos_mkfs(const char *const *paths, unsigned n, const struct argos_mkfs_opts *o,
	       struct argos_mkfs_result *res, char *why, size_t whylen);

/* ------------------------------------------------------------------------ */
/** @defgroup scan Finding pools and their members                            */

/** What one path is, seen from the pool it belongs to. */
enum argos_member_status {
	ARGOS_MEMBER_ONLINE = 1,    /**< current */
	ARGOS_MEMBER_MISSING,       /**< listed in the table, not found */
	ARGOS_MEMBER_STALE,         /**< found, but missed generations */
	ARGOS_MEMBER_FOREIGN,       /**< belongs to another pool */
	ARGOS_MEMBER_DUPLICATE,     /**< a second device with the same member UUID */
	ARGOS_MEMBER_NOT_ARGOS,     /**< holds no ArgosFS superblock */
	ARGOS_MEMBER_UNREADABLE,    /**< could not be opened or read */
};
const char *argos_member_status_name(int status);

enum argos_pool_health {
	ARGOS_POOL_HEALTHY = 1,     /**< every member online */
	ARGOS_POOL_DEGRADED,        /**< up to m members missing or stale */
	ARGOS_POOL_FAILED,          /**< more than m: cannot be opened */
};
const char *argos_pool_health_name(int health);

struct argos_member_info {
	char    *path;               /**< NULL for a missing member */
	int      index;              /**< index in the member table, -1 if none */
	int      status;             /**< enum argos_member_status */
	uint8_t  device_uuid[16];
	uint64_t generation;         /**< newest valid superblock generation on it */
	uint64_t size;               /**< bytes */
	unsigned copies_valid;       /**< superblock copies of the current slot that are valid (0..2) */
	unsigned copies_total;       /**< copies with any valid superblock (0..4) */
	char     detail[192];        /**< plain words: why it has this status */
};

struct argos_pool_info {
	uint8_t  pool_uuid[16];
	char     label[64];
	unsigned k, m;
	uint32_t chunk_size;
	uint64_t generation;
	unsigned member_count;       /**< entries in the member table */
	int      health;             /**< enum argos_pool_health */
	bool     clean;              /**< cleanly unmounted */
	bool     errors;             /**< errors flag set */
	char     mounted_host[64];   /**< "" when not marked mounted */
	uint32_t mounted_pid;
	uint64_t raw_bytes, usable_bytes;
	unsigned nmembers;
	struct argos_member_info *members;  /**< table members first, then others */
};

struct argos_scan_opts {
	const char *const *search_dirs;  /**< image files to consider */
	unsigned nsearch;
	bool     all_block_devices;      /**< also scan every block device */
	const struct argos_log *log;
};

struct argos_scan_result {
	unsigned npools;
	struct argos_pool_info *pools;
	unsigned nother;                  /**< paths that hold no ArgosFS member */
	struct argos_member_info *other;
};

/**
 * Read every superblock copy of the given paths (plus the search directories
 * and, when asked, every block device) and group them into pools.
 * Free with argos_scan_free().  Returns 0 (even when nothing was found).
 */
int  argos_scan(const char *const *paths, unsigned n, const struct argos_scan_opts *o,
		struct argos_scan_result **out);
void argos_scan_free(struct argos_scan_result *r);

/**
 * Assemble the pool made of exactly these paths (as a spec resolved them):
 * the pool most of them belong to; the others come back FOREIGN, DUPLICATE,
 * NOT_ARGOS or UNREADABLE.  Free with argos_pool_info_free().
 * Returns 0, or -ENOENT when no path holds an ArgosFS member.
 */
int  argos_assemble_info(const char *const *paths, unsigned n, const struct argos_log *log,
			 struct argos_pool_info **out);
void argos_pool_info_free(struct argos_pool_info *p);

/* ------------------------------------------------------------------------ */
/** @defgroup super Superblock inspection                                    */

enum argos_field_kind { ARGOS_FIELD_NUM = 1, ARGOS_FIELD_STR, ARGOS_FIELD_BOOL };

/** One named field of a superblock copy, formatted. */
typedef void (*argos_field_fn)(void *ctx, const char *name, int kind, const char *value);

struct argos_super_copy {
	uint64_t offset;             /**< byte offset of the copy */
	unsigned slot;               /**< 0 = A, 1 = B */
	bool     back;               /**< back copy (end of the device) */
	int      status;             /**< 0 valid, else the decode error */
	char     why[192];           /**< reason when invalid */
	uint64_t generation;         /**< when valid */
	void    *priv;               /**< engine's decoded copy (for fields) */
};

/**
 * Read all four superblock copies of one member, read-only.
 * @param[out] copies  4 entries; release with argos_super_copies_free()
 * @return 0; -errno when the path cannot be opened or read.
 */
int  argos_super_read(const char *path, struct argos_super_copy copies[4],
		      char *why, size_t whylen);
/** Enumerate every field of a valid copy (and its member table). */
void argos_super_fields(const struct argos_super_copy *c, argos_field_fn fn, void *ctx);
void argos_super_copies_free(struct argos_super_copy copies[4]);

/* ------------------------------------------------------------------------ */
/** @defgroup fsck Checking and repairing                                    */

enum argos_fsck_mode {
	ARGOS_FSCK_CHECK = 1,   /**< -n: report, change nothing */
	ARGOS_FSCK_REPAIR,      /**< -y: repair everything repairable */
	ARGOS_FSCK_PREEN,       /**< -p/-a: repair what is safe unattended */
};

/* fsck(8) exit bits. */
#define ARGOS_FSCK_OK           0
#define ARGOS_FSCK_CORRECTED    1
#define ARGOS_FSCK_REBOOT       2
#define ARGOS_FSCK_UNCORRECTED  4
#define ARGOS_FSCK_ERROR        8
#define ARGOS_FSCK_USAGE        16
#define ARGOS_FSCK_CANCELED     32

/** One finding: a stable code (e.g. "PR_0_SB_COPY_DAMAGED"), words, outcome. */
struct argos_fsck_problem {
	const char *code;
	const char *message;
	bool        fixed;        /**< repaired in this run */
	bool        fixable;      /**< could be repaired by -y */
};

typedef void (*argos_fsck_problem_fn)(void *ctx, const struct argos_fsck_problem *p);
/** Progress: phase name, done and total units (total 0 = unknown). */
typedef void (*argos_progress_fn)(void *ctx, const char *phase, uint64_t done, uint64_t total);

struct argos_fsck_opts {
	int  mode;                     /**< enum argos_fsck_mode */
	bool force;                    /**< -f: check even if clean */
	const struct argos_log *log;
	argos_fsck_problem_fn on_problem;
	argos_progress_fn on_progress;
	void *ctx;
	int  busy_wait_ms;             /**< a member is busy but the pool is not
					*   mounted (a daemon finishing its last
					*   checkpoint after umount): wait this long
					*   for it; 0: 30000, < 0: do not wait */
};

struct argos_fsck_result {
	unsigned problems;       /**< findings */
	unsigned fixed;          /**< repaired */
	unsigned uncorrected;    /**< left as they were */
	bool     skipped_clean;  /**< clean pool, not forced: nothing checked deeply */
	int      exit_code;      /**< the fsck(8) exit bits for this run */
};

/**
 * Check (and with REPAIR/PREEN repair) the pool made of these member paths.
 * Refuses a pool that is mounted or owned by another process (-EBUSY,
 * exit_code 8); a pool held by a process but no longer mounted (a FUSE
 * daemon writing its last checkpoint after umount) is waited for, up to
 * o->busy_wait_ms.  Returns 0 when the check ran (see result), -errno when it
 * could not run at all (result->exit_code is still set).
 */
int argos_fsck(const char *const *paths, unsigned n, const struct argos_fsck_opts *o,
	       struct argos_fsck_result *res);

/* ------------------------------------------------------------------------ */
/** @defgroup inspect Inspecting the metadata store (debugging views)          */

/*
 * These read a pool that is not open, without replaying anything and without
 * taking ownership of its members (like argos_scan), so they also work on a
 * mounted pool, showing its last written state.  They accept a degraded pool
 * and read what is there.
 */

/** Name of an item key type ("inode", "dirent", "extref"...); NULL if unknown. */
const char *argos_key_type_name(unsigned type);

/** One journal entry position of one mirror, as a walk from the head met it. */
struct argos_journal_record {
	uint64_t seq;              /**< sequence number expected there */
	uint64_t offset;           /**< byte offset inside the journal region */
	int      status;           /**< 0 valid; else why the chain ends here:
				    *   -ENOMSG nothing written, -ESTALE an entry of
				    *   another sequence (an older lap), -EUCLEAN damaged
				    *   or torn, or a read error */
	char     why[160];         /**< reason when status != 0 */
	bool     header_valid;     /**< the fields below come from a valid header */
	unsigned type;             /**< 1 transactions, 2 wrap */
	uint32_t blocks;           /**< 4 KiB blocks of the entry */
	uint32_t payload_bytes;
	uint32_t transactions;
	uint32_t operations;       /**< counted in the payload (valid entries only) */
	uint64_t ckpt_gen;         /**< checkpoint generation the entry continues */
};

struct argos_journal_mirror {
	int      member;           /**< member index */
	char    *path;             /**< its device, NULL when the member is missing */
	bool     present;
	uint64_t entries;          /**< valid entries of its chain from the head */
	uint64_t transactions, operations;
	uint64_t end_offset;       /**< where its chain ends (the next entry would go) */
	bool     complete;         /**< holds the longest chain found */
	unsigned nrecords;         /**< the chain's entries, then the one that ended it */
	struct argos_journal_record *records;
};

struct argos_journal_report {
	uint8_t  pool_uuid[16];
	uint64_t generation;       /**< superblock generation read */
	uint64_t ckpt_gen;         /**< checkpoint the journal continues */
	uint64_t head_offset;      /**< where replay starts, in the region */
	uint64_t head_seq;         /**< sequence number expected there */
	uint64_t region_bytes;     /**< size of the journal region */
	bool     clean;            /**< the pool is marked cleanly closed */
	unsigned nmirrors;
	struct argos_journal_mirror *mirrors;
	int      longest;          /**< index into mirrors of the longest chain, -1 none */
	uint64_t longest_entries;
};

/**
 * Walk every journal mirror of the pool made of these paths from the
 * checkpoint's head, entry by entry, as replay would (read-only).
 * @param[out] out  the report; free with argos_journal_report_free()
 * @return 0 (damaged or short mirrors are in the report, not errors);
 *         -ENOENT no pool on the paths; -ENODEV more than m members missing
 *         or every journal mirror missing; -ENOMEM; why says which.
 */
int  argos_journal_verify(const char *const *paths, unsigned n, const struct argos_log *log,
			  struct argos_journal_report **out, char *why, size_t whylen);
void argos_journal_report_free(struct argos_journal_report *r);

struct argos_key {
	uint64_t oid;
	unsigned type;             /**< see argos_key_type_name() */
	uint64_t off;
};

struct argos_page_mirror {
	unsigned member;
	uint64_t block;            /**< 4 KiB block number on that member */
	int      status;           /**< 0 valid; -ENODEV member not available;
				    *   -ERANGE outside the pool or the data area;
				    *   -ENOMSG / -EUCLEAN damaged; or a read error */
	char     why[160];
};

/** One page of the checkpoint's tree, as its parent points at it. */
struct argos_tree_page {
	unsigned depth;            /**< 0 = root */
	unsigned level;            /**< 0 = leaf */
	uint64_t generation;       /**< checkpoint that wrote it */
	uint32_t csum;
	unsigned nmirrors;
	struct argos_page_mirror mirrors[4];
	int      status;           /**< 0 some mirror valid; else no mirror is (the
				    *   first mirror's error) and nothing below is shown */
	unsigned nitems;           /**< items (leaf) or children (internal) */
	bool     has_keys;         /**< first and last are set */
	struct argos_key first, last;
};

/** One item of a leaf; value points into the page, valid during the callback. */
struct argos_tree_item {
	struct argos_key key;
	const void *value;
	size_t   len;
};

struct argos_tree_info {
	uint64_t generation;       /**< superblock generation read */
	uint64_t ckpt_gen;         /**< checkpoint whose tree is walked */
	unsigned height;
	bool     clean;            /**< false: the journal may hold newer changes */
	uint64_t pages, items;     /**< pages and items met */
	uint64_t lost_pages;       /**< pages without a valid mirror */
	uint64_t bad_mirrors;      /**< damaged mirrors of readable pages (not
				    *   counting those on members not available) */
};

/** Return 0 to go on, anything else to stop the walk (argos_tree_walk returns it). */
typedef int (*argos_tree_page_fn)(void *ctx, const struct argos_tree_page *pg);
typedef int (*argos_tree_item_fn)(void *ctx, const struct argos_tree_item *it);

/**
 * Walk the metadata tree of the newest checkpoint of the pool made of these
 * paths, depth first: each page (every mirror read and checked), then, for a
 * leaf, its items (when item_fn is not NULL), then its children.  Changes
 * still in the journal are not shown (see info->clean).
 * @param[out] info  filled on success (may be NULL)
 * @return 0; a callback's non-zero result; -ENOENT no pool; -ENODEV too
 *         many members missing; -ENOMEM; why says which.
 */
int  argos_tree_walk(const char *const *paths, unsigned n, const struct argos_log *log,
		     argos_tree_page_fn page_fn, argos_tree_item_fn item_fn, void *ctx,
		     struct argos_tree_info *info, char *why, size_t whylen);

/**
 * The fields of an item's record, decoded (inode, pool counters, stripe,
 * extent reference), each through fn as argos_super_fields() gives them.
 * @return 0; -ENOENT no decoder for this key type; -EUCLEAN the record does
 *         not decode (why says why; no field was given).
 */
int  argos_item_fields(const struct argos_tree_item *it, argos_field_fn fn, void *ctx,
		       char *why, size_t whylen);

/* ------------------------------------------------------------------------ */
/** @defgroup pool Opening pools                                             */

typedef struct argos_pool argos_pool;

#define ARGOS_OPEN_RDONLY    0x1   /**< no writes at all; no ownership taken */
#define ARGOS_OPEN_DEGRADED  0x2   /**< open with up to m members missing or stale */
#define ARGOS_OPEN_FORCE     0x4   /**< read-write although the errors flag is set */
#define ARGOS_OPEN_NOATIME   0x8   /**< never write atime (overrides the pool
				    *   property and argos_open_opts.atime) */

struct argos_open_opts {
	unsigned flags;              /**< ARGOS_OPEN_* */
	const struct argos_log *log;
	size_t   cache_pages;        /**< metadata page cache (4 KiB pages), 0: default */
	unsigned commit_ms;          /**< journal flush interval, 0: 1000 ms */
	unsigned ckpt_ms;            /**< checkpoint interval, 0: 30000 ms */
	int      busy_wait_ms;       /**< as in argos_fsck_opts: wait for a holder
				      *   that is not a mount; 0: 30000, < 0: no */
	const char *io;              /**< I/O mode for this open ("psync", "direct",
				      *   "uring", "aio"), overriding the pool's "io"
				      *   property; NULL or "": the property (psync
				      *   when unset).  See argos_pool_set_io_mode(). */
	const char *atime;           /**< atime mode for this open ("relatime",
				      *   "noatime", "strictatime"), overriding the
				      *   pool's "atime" property; NULL or "": the
				      *   property (relatime when unset). */
};

/**
 * Open the pool made of these members: assemble, load the newest checkpoint,
 * replay the journal, and (read-write) mark the pool in use.
 * Errors (why says which member and what): -ENOENT no pool; -ENODEV more
 * than m members missing or stale, or a degraded pool without
 * ARGOS_OPEN_DEGRADED; -EBUSY a member is in use (mounted: at once; held by
 * a process letting go: after waiting o->busy_wait_ms); -EUCLEAN damage that
 * needs fsck (or the errors flag without ARGOS_OPEN_FORCE);
 * -EPROTONOSUPPORT a newer format.  Close with argos_pool_close().
 */
int  argos_pool_open(const char *const *paths, unsigned n, const struct argos_open_opts *o,
		     argos_pool **out, char *why, size_t whylen);
/**
 * Write a last checkpoint, mark the pool clean, release the members, free p.
 * Returns the first error met (p is freed anyway).
 */
int  argos_pool_close(argos_pool *p);
/** Make everything done so far durable (journal flush). */
int  argos_pool_sync(argos_pool *p);
/** Write a checkpoint now. */
int  argos_pool_checkpoint(argos_pool *p);

struct argos_pool_status {
	uint8_t  pool_uuid[16];
	char     label[64];
	unsigned k, m;
	uint64_t generation;         /**< superblock generation */
	int      health;             /**< enum argos_pool_health */
	bool     rdonly;
	bool     failed;             /**< an error stopped writes */
	unsigned tree_height;
	uint64_t cached_pages, dirty_pages;
	uint64_t journal_used, journal_size;
	uint64_t blocks_total, blocks_used, blocks_pending;   /**< 4 KiB blocks */
	uint64_t replayed_entries, replayed_txns;             /**< at open */
	bool     opened_unclean;     /**< not cleanly closed before this open */
	uint64_t checkpoints, last_ckpt_pages, last_ckpt_ns;
	uint64_t txns;
	uint64_t bad_blocks;         /**< data blocks that failed their CRC or read */
	uint64_t rebuilt_blocks;     /**< of those, rebuilt from parity */
	uint64_t repaired_chunks;    /**< chunks rewritten onto new extents */
	uint64_t deferred_writes;    /**< small overwrites kept as DEFER items (this open) */
	uint64_t deferred_folds;     /**< windows folded into a new stripe for holding enough */
	char     io[16];             /**< I/O mode running (after any fallback) */
	char     io_prop[16];        /**< the pool's "io" property, "" when unset */
	int      io_fallback;        /**< 0, or why the mode asked for was refused
				      *   (-errno; io says what runs instead) */
	char     atime[16];          /**< atime mode in effect */
	char     atime_prop[16];     /**< the pool's "atime" property, "" when unset */
	char     compression[64];    /**< compression in effect (canonical
				      *   property value; "none") */
	uint64_t cz_units_read;      /**< compressed units decompressed for reads */
	uint64_t cz_stripes_written; /**< stripes written compressed */
	uint64_t ckpt_pages;         /**< tree pages written by all checkpoints of this open */
	uint64_t ckpt_copies;        /**< of those, page images copied because a page changed
				      *   while its checkpoint was writing it */
	uint64_t page_buf_pages;     /**< 4 KiB page buffers mapped by the tree page cache */
};
int  argos_pool_status(argos_pool *p, struct argos_pool_status *s);

/**
 * I/O modes (the pool property "io", argos_open_opts.io, mount -o io=):
 * psync (a thread pool doing pread/pwrite on buffered members, the default),
 * direct (the same on members in O_DIRECT mode), uring (io_uring; psync when
 * the kernel refuses a ring, with a notice), aio (libaio on O_DIRECT
 * members).  argos_io_mode_parse() also takes "io_uring" and "libaio";
 * it returns a mode number > 0 or -EINVAL.  argos_io_mode_name() gives the
 * canonical name of a mode number ("unknown" for others).
 */
int  argos_io_mode_parse(const char *name);
const char *argos_io_mode_name(int mode);
/**
 * Record the pool's I/O mode (the "io" property; a synchronous transaction).
 * It takes effect at the next open (the running engine is not switched).
 * @return 0; -EINVAL not a mode; -EROFS read-only; -errno (why says which).
 */
int  argos_pool_set_io_mode(argos_pool *p, const char *mode, char *why, size_t whylen);

/**
 * atime modes (the pool property "atime", argos_open_opts.atime; the mount
 * options relatime, noatime, strictatime): relatime (the default: a read
 * writes atime only when it is older than mtime or ctime, or a day old),
 * noatime (never), strictatime (every read).  argos_atime_mode_parse()
 * returns an enum argos_atime or -EINVAL; argos_atime_mode_name() the name
 * ("unknown" for others).
 */
enum argos_atime { ARGOS_ATIME_RELATIME = 0, ARGOS_ATIME_NOATIME = 1, ARGOS_ATIME_STRICT = 2 };
int  argos_atime_mode_parse(const char *name);
const char *argos_atime_mode_name(int mode);
/**
 * Record the pool's atime mode (the "atime" property; a synchronous
 * transaction), taking effect at the next open.
 * @return 0; -EINVAL not a mode; -EROFS read-only; -errno (why says which).
 */
int  argos_pool_set_atime(argos_pool *p, const char *mode, char *why, size_t whylen);

/**
 * Compression of file data (the pool property "compression"; mkfs
 * --compression): "none", "lz4" or "zstd[:LEVEL]" (1..19, default 3), then
 * optionally ",unit=BYTES" (4K..64K, a power of two; default 64K: a read
 * decompresses only the units it covers) and ",min-save=N" (a unit is kept
 * raw unless it saves 1/N of its bytes; 2..64, default 8).  Applies to
 * stripes written from then on; existing stripes stay readable.  Sets the
 * INCOMPAT compression feature bit (a checkpoint) the first time.
 * @return 0; -EINVAL not a setting, or the pool's geometry has no room for
 * the unit table (why says the smallest unit that fits); -EROFS; -errno.
 */
int  argos_pool_set_compression(argos_pool *p, const char *spec, char *why, size_t whylen);
/** Check a compression setting (as above) without a pool; its canonical form
 * into canon (cap bytes, may be NULL).  0 or -EINVAL (why says why). */
int  argos_compression_parse(const char *spec, char *canon, size_t cap, char *why,
			     size_t whylen);

/** Space of one member (argos_pool_usage). */
struct argos_usage_member {
	int      index;              /**< in the member table */
	int      status;             /**< enum argos_member_status */
	char     path[256];          /**< "" when missing */
	uint64_t size;               /**< bytes of the device */
	uint64_t data_bytes;         /**< its data area (0 when not present) */
	uint64_t used_bytes;         /**< of that, allocated */
};

#define ARGOS_USAGE_MAX_MEMBERS 64

/** Where a pool's space goes (argosfs df).  Bytes unless said. */
struct argos_usage {
	unsigned k, m;
	uint64_t raw_bytes;          /**< sum of member sizes */
	uint64_t data_area_bytes;    /**< the members' data areas (raw minus
				      *   superblocks, journal, space maps) */
	uint64_t usable_bytes;       /**< data_area_bytes * k / (k + m) */
	uint64_t used_bytes;         /**< allocated in the data areas (raw) */
	uint64_t free_bytes;         /**< not allocated (raw) */
	uint64_t free_usable_bytes;  /**< free_bytes * k / (k + m) */
	uint64_t stripes;            /**< stripe records */
	uint64_t stripe_bytes;       /**< blocks stripes hold, data and parity chunks */
	uint64_t stripe_data_bytes;  /**< of those, data chunks (padding included) */
	uint64_t file_bytes;         /**< logical bytes stored (stripes' and inline) */
	uint64_t inline_bytes;       /**< of those, kept inline in metadata */
	uint64_t metadata_bytes;     /**< used minus stripes minus pending: metadata
				      *   pages (all mirrors) */
	uint64_t pending_bytes;      /**< freed, returned after two checkpoints */
	uint64_t compression_saved_bytes;  /**< compressed_bytes - compressed_stored_bytes */
	uint64_t compressed_stripes; /**< stripes stored compressed */
	uint64_t compressed_bytes;   /**< logical bytes of those stripes */
	uint64_t compressed_stored_bytes;  /**< bytes they take stored (before
				      *   rounding to blocks and parity) */
	char     compression[64];    /**< the setting in effect ("none") */
	uint64_t items;              /**< metadata items */
	unsigned nmembers;
	struct argos_usage_member members[ARGOS_USAGE_MAX_MEMBERS];
};
/** Fill u: the allocator's totals and one pass over the metadata items. */
int  argos_pool_usage(argos_pool *p, struct argos_usage *u);

/** Name of crash point i (0, 1, ...), NULL past the last; see crash.h. */
const char *argos_crash_point_name(unsigned i);

/* ------------------------------------------------------------------------ */
/** @defgroup ns Files and directories (inode-based, as FUSE's low-level API)
 *
 * Objects are named by inode number; ARGOS_ROOT_INO is the root directory.
 * argos_lookup(), argos_mknod() and friends, and argos_readdir() with plus,
 * count a lookup reference that argos_forget() drops (FUSE's nlookup).  An
 * open handle (argos_open/argos_create) keeps an inode — and its data —
 * alive after its last link is removed, until argos_release(); an inode
 * unlinked while open is on the on-disk orphan list and is freed at the next
 * open of the pool if the process dies first.  Names are any bytes but '/'
 * and NUL, 1..255 bytes; "." and ".." are not names of entries.
 *
 * Errors are negative errno values with ext4's meanings: ENOENT, EEXIST,
 * ENOTDIR, EISDIR, ENOTEMPTY, ENAMETOOLONG, EMLINK, EINVAL, EXDEV, ENOSPC,
 * EROFS (read-only pool), EPERM/EACCES (credentials), ENODATA/ERANGE/
 * EOPNOTSUPP (xattrs), EIO (device errors, damaged metadata).
 */

typedef uint64_t argos_ino_t;
#define ARGOS_ROOT_INO 1ull

/** Attributes of an inode. */
struct argos_attr {
	argos_ino_t ino;
	uint64_t generation;       /**< distinguishes reuses of a number (never reused) */
	uint32_t mode;             /**< S_IF* | permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t rdev;             /**< device number of char/block devices */
	uint64_t size;             /**< bytes; directories: 4096 per 64 entries */
	uint64_t blocks;           /**< 512-byte units allocated */
	uint32_t blksize;          /**< preferred I/O size */
	struct timespec atime, mtime, ctime, btime;
};

/** Who asks (FUSE's fuse_req_ctx, or the tool's own identity). */
struct argos_cred {
	uint32_t uid, gid;
	unsigned ngroups;          /**< supplementary groups */
	const uint32_t *groups;
	uint32_t umask;            /**< applied to create modes (0 when the kernel did) */
};

/** Credentials of root with umask 0. */
extern const struct argos_cred argos_root_cred;

int  argos_lookup(argos_pool *p, argos_ino_t parent, const char *name, struct argos_attr *out);
void argos_forget(argos_pool *p, argos_ino_t ino, uint64_t nlookup);
int  argos_getattr(argos_pool *p, argos_ino_t ino, struct argos_attr *out);

/* argos_setattr() `what` bits */
#define ARGOS_SET_MODE       0x001
#define ARGOS_SET_UID        0x002
#define ARGOS_SET_GID        0x004
#define ARGOS_SET_SIZE       0x008
#define ARGOS_SET_ATIME      0x010   /**< to in->atime */
#define ARGOS_SET_MTIME      0x020   /**< to in->mtime */
#define ARGOS_SET_ATIME_NOW  0x040
#define ARGOS_SET_MTIME_NOW  0x080
#define ARGOS_SET_CTIME      0x100   /**< to in->ctime */
#define ARGOS_SET_KILL_SUIDGID 0x200 /**< clear setuid/setgid as the kernel would */

/**
 * Change attributes.  chown by a non-root caller is EPERM unless it only
 * changes the group to one the owner belongs to; chown clears setuid and
 * setgid (setgid only with group-execute) for non-directories; chmod by a
 * caller outside the file's group clears setgid.  Size changes truncate or
 * extend (holes).  ctime is set on every change.
 */
int  argos_setattr(argos_pool *p, argos_ino_t ino, const struct argos_attr *in, unsigned what,
		   const struct argos_cred *cr, struct argos_attr *out);

/** Create a regular file, FIFO, socket, or char/block device (counts a lookup). */
int  argos_mknod(argos_pool *p, argos_ino_t parent, const char *name, uint32_t mode,
		 uint64_t rdev, const struct argos_cred *cr, struct argos_attr *out);
int  argos_mkdir(argos_pool *p, argos_ino_t parent, const char *name, uint32_t mode,
		 const struct argos_cred *cr, struct argos_attr *out);
int  argos_symlink(argos_pool *p, argos_ino_t parent, const char *name, const char *target,
		   const struct argos_cred *cr, struct argos_attr *out);
/** Copy the target into buf (no NUL added); returns its length, -EINVAL if not a symlink. */
int  argos_readlink(argos_pool *p, argos_ino_t ino, char *buf, size_t size);
/** New name for ino (not a directory: EPERM); counts a lookup. */
int  argos_link(argos_pool *p, argos_ino_t ino, argos_ino_t newparent, const char *newname,
		struct argos_attr *out);
int  argos_unlink(argos_pool *p, argos_ino_t parent, const char *name);
int  argos_rmdir(argos_pool *p, argos_ino_t parent, const char *name);

#define ARGOS_RENAME_NOREPLACE 0x1
#define ARGOS_RENAME_EXCHANGE  0x2
int  argos_rename(argos_pool *p, argos_ino_t parent, const char *name, argos_ino_t newparent,
		  const char *newname, unsigned flags);

/** Open an existing inode; *fh identifies the handle for argos_release(). */
int  argos_open(argos_pool *p, argos_ino_t ino, int flags, uint64_t *fh);
/** Create and open a regular file (counts a lookup). */
int  argos_create(argos_pool *p, argos_ino_t parent, const char *name, uint32_t mode, int flags,
		  const struct argos_cred *cr, struct argos_attr *out, uint64_t *fh);
int  argos_release(argos_pool *p, argos_ino_t ino, uint64_t fh);
/** Make the inode's data and metadata durable (datasync: metadata only if needed). */
int  argos_fsync(argos_pool *p, argos_ino_t ino, int datasync);

/**
 * Directory listing.  fn gets each entry with the offset of the entry after
 * it; it returns non-zero to stop (buffer full): the next call resumes at that
 * offset.  Offsets stay valid while the directory changes (entries created
 * later may or may not appear; none appears twice, none is skipped that
 * existed throughout).  Offset 0 starts with "." and "..".  With plus, attr
 * is complete and every entry but . and .. counts a lookup; without, only
 * ino and the type bits of mode are set.
 */
typedef int (*argos_dirent_fn)(void *ctx, const char *name, const struct argos_attr *attr,
			       uint64_t next_off);
int  argos_readdir(argos_pool *p, argos_ino_t dir, uint64_t off, bool plus, argos_dirent_fn fn,
		   void *ctx);
int  argos_fsyncdir(argos_pool *p, argos_ino_t dir);

/* Extended attributes (user., trusted., security., system.; Linux limits:
 * names up to 255 bytes, values up to 65536).  system.posix_acl_* answer
 * EOPNOTSUPP until ACLs exist.  flags: XATTR_CREATE / XATTR_REPLACE. */
int  argos_setxattr(argos_pool *p, argos_ino_t ino, const char *name, const void *value,
		    size_t size, int flags, const struct argos_cred *cr);
/** Value length; copies it when size > 0 (-ERANGE if larger than size). */
int  argos_getxattr(argos_pool *p, argos_ino_t ino, const char *name, void *value, size_t size);
/** NUL-separated names; same size rules as getxattr. */
int  argos_listxattr(argos_pool *p, argos_ino_t ino, char *list, size_t size);
int  argos_removexattr(argos_pool *p, argos_ino_t ino, const char *name,
		       const struct argos_cred *cr);

/** Permission check as the kernel does without default_permissions (mask:
 * R_OK W_OK X_OK, 0 = existence).  0 or -EACCES. */
int  argos_access(argos_pool *p, argos_ino_t ino, int mask, const struct argos_cred *cr);

struct argos_statfs {
	uint64_t bsize;            /**< 4096 */
	uint64_t blocks;           /**< usable data capacity in bsize units (after parity) */
	uint64_t bfree, bavail;
	uint64_t files, ffree;     /**< inodes in use + free (free is an estimate) */
	uint32_t namemax;          /**< 255 */
};
int  argos_statfs(argos_pool *p, struct argos_statfs *out);

/* ------------------------------------------------------------------------ */
/** @defgroup data File data                                                  */

/**
 * Read up to size bytes at off (fewer at the end of the file; 0 at or past
 * it).  Returns the byte count or -errno: EISDIR, EINVAL (not a regular
 * file), EIO (more members lost or lying than the stripe's parity covers —
 * never wrong data).  Damaged chunks met on the way are rebuilt onto new
 * extents when the pool is writable.
 */
int  argos_read(argos_pool *p, argos_ino_t ino, uint64_t fh, void *buf, size_t size,
		uint64_t off);
/**
 * Write size bytes at off (holes are left as holes); returns size or -errno
 * (ENOSPC, EFBIG, EIO, EROFS).  Data is buffered per file up to a stripe and
 * becomes durable with argos_flush()/argos_fsync()/argos_release() (full
 * stripes are written at once); until then reads see it.
 */
int  argos_write(argos_pool *p, argos_ino_t ino, uint64_t fh, const void *buf, size_t size,
		 uint64_t off);
/** Write out the file's buffered data (FUSE flush). */
int  argos_flush(argos_pool *p, argos_ino_t ino, uint64_t fh);

/**
 * fallocate(2) on a regular file.  mode 0 (or FALLOC_FL_KEEP_SIZE):
 * extend the size to off + len (not with KEEP_SIZE) and check that the
 * free space could hold the range's holes (-ENOSPC if not) — it reserves
 * nothing: in a copy-on-write pool every later write allocates anew, so a
 * write may still meet ENOSPC if the pool fills meanwhile.
 * FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE: [off, off + len) reads as zeros
 * and stripe windows wholly inside it hold nothing (their space is freed);
 * windows the range covers in part are rewritten with the zeros.
 * FALLOC_FL_ZERO_RANGE (optionally with KEEP_SIZE): the same, and without
 * KEEP_SIZE the size grows to off + len.  Other modes: -EOPNOTSUPP (as the
 * kernel: PUNCH_HOLE without KEEP_SIZE, PUNCH_HOLE with ZERO_RANGE).
 * Errors: EINVAL (len 0), EFBIG, EISDIR, ENODEV (not a regular file),
 * ESPIPE (a FIFO), EROFS, ENOSPC, EIO.
 */
int  argos_fallocate(argos_pool *p, argos_ino_t ino, int mode, uint64_t off, uint64_t len);
/**
 * lseek(2) SEEK_DATA / SEEK_HOLE (whence 3 / 4): the next offset >= off
 * holding data, or in a hole.  Data is tracked per stripe window: a window
 * with a stripe or inline data is data up to its last byte written (or
 * kept by a truncation); the rest of it, windows with nothing, and the end
 * of the file are holes.  -ENXIO when off is at or past the size (and, for
 * SEEK_DATA, when no data follows off), as ext4; -EINVAL another whence or
 * not a regular file, -EISDIR a directory.
 */
int  argos_lseek_data(argos_pool *p, argos_ino_t ino, uint64_t off, int whence, uint64_t *out);

/* ------------------------------------------------------------------------ */
/** @defgroup fault Fault injection (tests, drills)                            */

/** Faults applied to one member's I/O (see also ARGOSFS_FAULT). */
struct argos_fault {
	double   read_eio;           /**< probability a read fails with EIO */
	double   write_eio;          /**< probability a write fails with EIO */
	double   flip;               /**< probability a read returns one flipped bit */
	bool     vanish;             /**< every request fails: the device is gone */
	unsigned latency_ms;         /**< added to every request */
};
/** Set (or with all zero, clear) the faults of member i. */
int  argos_fault_set(argos_pool *p, unsigned member, const struct argos_fault *f);

#ifdef __cplusplus
}
#endif
#endif /* ARGOSFS_H */
