/*
 * data.h — file data: stripes, the per-file write window, reads (degraded
 * included), truncation and chunk repair.
 *
 * Owns: turning file offsets into stripes and back.  A file's data is a
 * sequence of stripe windows of S = k * chunk_size bytes; window w has at
 * most one stripe record (ad_stripe.h).  Writes land in the file's write
 * window (one stripe window of buffered data per open file, plus up to
 * DATA_WIN_PARK parked dirty ones); a full window is written at once, a
 * partial one at flush, fsync, release, truncate, or when it cannot be
 * parked — sequential writers therefore produce full stripes.
 *
 * Writing a stripe (copy-on-write, no write hole):
 *   1. encode k data chunks + m parity chunks (ISA-L), CRC every 4 KiB block;
 *   2. reserve one extent per chunk on distinct members (rendezvous order);
 *   3. submit every chunk write, then wait for all (one batch);
 *   4. mark those members as holding unflushed data;
 *   5. one transaction: put the new record, ALLOC the new extents, FREE the
 *      old record's extents (the allocator keeps them until it is safe).
 * The journal flushes the members marked in 4 before it writes the entry
 * holding the transaction, and a checkpoint flushes every member before its
 * superblocks: data is durable before anything points at it.
 *
 * Locking: each file's window has its own mutex (writers to different files
 * run in parallel); no lock is held across device I/O except that mutex,
 * which serialises writes to one file only.
 */
#ifndef ARGOS_DATA_H
#define ARGOS_DATA_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ad_items.h"
#include "ad_stripe.h"
#include "store.h"

struct argos_pool;

/*
 * Dirty windows a file may keep besides the current one: a write to another
 * window parks the current dirty one (up to this many) instead of writing
 * it out, so writes that come back to a window soon (the kernel's writeback
 * of scattered 4 KiB pages, sent in offset order but handled by several
 * threads at once) fold into one stripe write.  Parked windows are written
 * out with the current one (flush, fsync, release, truncate), or the current
 * window is written when the slots are full.
 */
#define DATA_WIN_PARK 8

struct fwin_park {
	uint64_t ws;
	uint8_t *buf;               /* S bytes, aligned; NULL: slot free */
	uint32_t len;
};

struct fwin {
	uint64_t ino;
	pthread_mutex_t lock;
	unsigned refs;              /* protected by the table lock */
	uint64_t ws;                /* window start; UINT64_MAX: none */
	uint8_t *buf;               /* S bytes, aligned */
	uint32_t len;               /* bytes of the window that hold data */
	bool     dirty;
	unsigned npark;             /* parked (dirty) windows in park[] */
	struct fwin_park park[DATA_WIN_PARK];
	int64_t  mtime_sec;         /* time of the last buffered write */
	uint32_t mtime_nsec;
	struct fwin *next;
};

struct ftab {
	pthread_mutex_t lock;
	struct fwin *head;
};

int  data_init(struct argos_pool *p);
void data_destroy(struct argos_pool *p);

/* Stripe size of the pool (k * chunk_size). */
uint64_t data_stripe_size(const struct argos_pool *p);

/* Write out the file's buffered window (fsync, flush, release, truncate). */
int  data_flush_ino(struct argos_pool *p, uint64_t ino);
/* Drop the window of a file that no longer exists / has no handle. */
void data_forget_ino(struct argos_pool *p, uint64_t ino);
/* A buffered size/mtime beyond what the inode record says (getattr). */
void data_overlay_attr(struct argos_pool *p, uint64_t ino, uint64_t *size, int64_t *msec,
		       uint32_t *mnsec);

/* Inside a transaction: free what lies beyond newsize (stripes, inline);
 * *blocks (if given) drops by what the freed stripes held. */
int  data_truncate_txn(struct argos_pool *p, struct txn *t, uint64_t ino, uint64_t newsize,
		       uint64_t *blocks);
/* Write out and forget the file's window (before a truncation). */
int  data_invalidate_ino(struct argos_pool *p, uint64_t ino);

/* Members written since the journal last flushed them; the journal's
 * pre-write hook flushes them. */
void data_mark_dirty(struct argos_pool *p, unsigned member);
int  data_flush_members(void *pool);

/*
 * Read one stripe's bytes [off, off + len) (off relative to the stripe) into
 * dst: only the 4 KiB blocks needed, every block's CRC checked, bad or
 * missing blocks rebuilt from parity.  *damaged gets a bit per chunk that
 * failed (for repair).  Bytes beyond data_len are zeros.  -EIO when more
 * chunks than parity are bad for some block (logged with file and stripe).
 */
int  data_read_stripe(struct argos_pool *p, uint64_t ino, uint64_t ws, const struct ad_stripe *s,
		      uint64_t off, size_t len, uint8_t *dst, uint64_t *damaged);

/* Rebuild the chunks marked in `damaged` onto new extents and switch the
 * stripe to them (only if the record is still the one read, same wgen). */
int  data_repair_stripe(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t wgen,
			uint64_t damaged);

/* Load a stripe record (store read); -ENOENT for a hole.  crc must have
 * room for AD_STRIPE_MAX_CHUNKS * 256 entries. */
int  data_get_stripe(struct argos_pool *p, uint64_t ino, uint64_t ws, struct ad_stripe *s);
/* The same, and in the same store look whether the window has DEFER items
 * (false: no overlay needed). */
int  data_get_stripe_deferred(struct argos_pool *p, uint64_t ino, uint64_t ws, struct ad_stripe *s,
			      bool *deferred);

#define DATA_CRC_CAP (AD_STRIPE_MAX_CHUNKS * 256)

/* Windows holding at most this many bytes are kept inline (two INLINE items). */
#define DATA_INLINE_MAX (2 * (AD_ITEM_MAX - 4))

enum data_commit_kind {
	DATA_COMMIT_STRIPE = 1,   /* a new stripe record */
	DATA_COMMIT_INLINE,       /* the window's bytes as INLINE items (len 0: a hole) */
	DATA_COMMIT_REPAIR,       /* chunks of the same record moved to new extents */
};

struct data_commit {
	struct argos_pool *p;
	uint64_t ino, ws;
	enum data_commit_kind kind;
	/* STRIPE, REPAIR */
	const struct ad_stripe *s;
	uint8_t  rec[AD_ITEM_MAX];
	int      reclen;
	/* REPAIR: only if the record still has this wgen; the chunks that moved */
	uint64_t wgen, repaired;
	/* INLINE */
	const uint8_t *data;
	/* STRIPE, INLINE: bytes of the window that hold data */
	uint32_t len;
};

/* Switch the window to its new contents (one transaction, see data_commit.c). */
int  data_commit(struct data_commit *c);
/* Inside a transaction: make window ws a hole (its stripe's extents freed,
 * inline and deferred items deleted); *blocks drops by what they held. */
int  data_clear_window(struct argos_pool *p, struct txn *t, uint64_t ino, uint64_t ws,
		       uint64_t *blocks);
/* Inside a transaction: delete items of `type` keyed in [from, to) under ino. */
int  data_del_range(struct txn *t, uint64_t ino, uint8_t type, uint64_t from, uint64_t to,
		    uint64_t *bytes);
/* The window's inline bytes into buf (up to cap); *len = how many (0: none). */
int  data_load_inline(struct argos_pool *p, uint64_t ino, uint64_t ws, uint8_t *buf, size_t cap,
		      uint32_t *len);

/* Read window bytes [off, off + n): the buffered window if it is this one,
 * else the stripe (holes are zeros); damaged chunks are repaired. */
int  data_read_window(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t off, size_t n,
		      uint8_t *dst);
/* Read inline window bytes (zeros where none: also a hole). */
int  data_read_inline(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t off, size_t n,
		      uint8_t *dst);
/* Copy from the file's dirty window if it is ws; false otherwise. */
bool data_read_buffered(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t off, size_t n,
			uint8_t *dst);

/* Reserve `blocks` on the best-ranked member not yet used[]; marks it used. */
int  data_place_chunk(struct argos_pool *p, const unsigned *order, unsigned nrank, bool *used,
		      unsigned blocks, bool use_reserve, uint64_t *addr);

/*
 * The file's window for data_sparse.c: hold returns it locked (created when
 * missing; NULL: no memory), writers to the file waiting meanwhile; load
 * makes ws the window (its bytes read); flush writes it out if dirty.
 */
struct fwin *data_win_hold(struct argos_pool *p, uint64_t ino);
void data_win_release(struct argos_pool *p, struct fwin *w);
int  data_win_load(struct argos_pool *p, struct fwin *w, uint64_t ws);
int  data_win_flush(struct argos_pool *p, struct fwin *w);

#endif
