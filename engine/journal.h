/*
 * journal.h — the write-ahead journal: group commit, checkpoint cuts, replay.
 *
 * Owns: the journal region of the journal mirrors (m+1 members), the entries
 * written there, which transactions are durable, and replay.
 *
 * Transactions are appended (journal_add) to the open buffer in the order the
 * store applies them.  journal_sync(ticket) makes a buffer durable: one
 * caller (the leader) closes the open buffer, writes it as one entry to every
 * mirror, flushes them all, and wakes everyone whose ticket it covered — so
 * concurrent fsyncs share one flush (group commit).
 *
 * A checkpoint cuts the journal (journal_cut): every buffer not yet written
 * is covered by the checkpoint and will never be written; no entry is written
 * until the checkpoint is durable or failed (journal_cut_done); then the
 * journal restarts at the cut position, which the new superblock records as
 * the replay start.  Space before it is free again.
 *
 * Invariants:
 *  1. Entries on disk carry consecutive sequence numbers from the head; an
 *     entry is written only after the previous one is durable on every mirror.
 *  2. An acknowledged ticket is in a durable entry or a durable checkpoint.
 *  3. The region between head and tail is never overwritten.
 */
#ifndef ARGOS_JOURNAL_H
#define ARGOS_JOURNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ad_format.h"
#include "crash.h"
#include "dev.h"

struct jbuf {
	uint8_t *data;          /* AD_JE_HDR bytes of room, then the payload */
	size_t   len, cap;      /* payload bytes */
	uint32_t ntxn;
	uint64_t ticket;
};

/* Asks the owner to run a checkpoint now (the journal is full).  Called
 * without any journal lock held. */
typedef int (*journal_ckpt_fn)(void *ctx);

struct journal {
	pthread_mutex_t lock;
	pthread_cond_t  cond;
	struct dev_io  *io;
	struct crash   *crash;
	unsigned        nmirrors;
	struct dev     *dev[AD_MAX_MIRRORS];   /* NULL: that mirror is missing */
	uint64_t        region_off, region_len;
	uint32_t        seed;
	uint64_t        ckpt_gen;              /* recorded in entry headers */
	/* protected by lock: */
	uint64_t        head_off, head_seq;    /* replay start of the durable checkpoint */
	uint64_t        tail_off, next_seq;    /* where the next entry goes */
	struct jbuf     open;                  /* accepting transactions */
	uint64_t        durable_ticket;        /* tickets <= this are durable */
	bool            writing;               /* a leader is writing an entry */
	bool            frozen;                /* a checkpoint is running */
	int             err;                   /* sticky: every later sync fails */
	size_t          kick_bytes;            /* open buffer size that asks for a write */
	journal_ckpt_fn ckpt_fn;
	void           *ckpt_ctx;
	/* Called by the leader before it writes an entry (same ctx): flushes the
	 * members holding data the entry's transactions reference. */
	int           (*pre_write)(void *ctx);
	/* statistics */
	uint64_t        entries, bytes, syncs, full_ckpts;
};

int  journal_init(struct journal *j, struct dev_io *io, struct crash *crash, uint32_t seed,
		  uint64_t region_off, uint64_t region_len, struct dev *const *mirrors,
		  unsigned nmirrors, uint64_t head_off, uint64_t head_seq, uint64_t ckpt_gen);
void journal_destroy(struct journal *j);

/*
 * Append one encoded transaction (ad_jops.h layout, header included).  Call
 * with the store lock held so journal order equals apply order.  *ticket is
 * what journal_sync() waits for.  Returns 1 when the open buffer has grown
 * big enough that the caller should start a write soon, 0, or -errno.
 */
int  journal_add(struct journal *j, const uint8_t *txn, size_t len, uint64_t *ticket);

/* Make every transaction up to ticket durable.  0 or -errno (sticky). */
int  journal_sync(struct journal *j, uint64_t ticket);
/* Ticket of the newest transaction appended so far. */
uint64_t journal_last_ticket(struct journal *j);

/* Bytes between head and tail, and the region size. */
void journal_usage(struct journal *j, uint64_t *used, uint64_t *size);

/*
 * Checkpoint cut (store lock held): waits for a write in progress, freezes
 * writes, and covers every buffered transaction.  Returns the replay start
 * the checkpoint must record and the last ticket it covers.
 */
void journal_cut(struct journal *j, uint64_t *head_off, uint64_t *head_seq, uint64_t *cut_ticket);
/* The checkpoint is durable (ok) or failed: unfreeze; on success the head
 * moves to the cut and covered tickets become durable; on failure the
 * journal fails every later sync with err. */
void journal_cut_done(struct journal *j, bool ok, int err, uint64_t head_off, uint64_t head_seq,
		      uint64_t cut_ticket, uint64_t new_ckpt_gen);

/* ---- replay ---------------------------------------------------------------- */

/* One transaction's operations (ad_jops.h) for the replayer to apply. */
typedef int (*journal_apply_fn)(void *ctx, uint64_t seq, const uint8_t *ops, size_t len,
				uint32_t nops);

struct journal_mirror_report {
	int      member;          /* member index, -1 unused */
	bool     present;
	uint64_t entries;         /* valid entries from the head */
	uint64_t last_seq;        /* sequence of the last valid entry (head_seq-1 if none) */
	uint64_t end_off;         /* where the next entry would go */
	int      stop_err;        /* why the walk stopped (-ENOMSG, -ESTALE, -EUCLEAN, -EIO) */
	char     stop_why[AD_WHY_MAX];
};

struct journal_replay_report {
	unsigned nmirrors;
	struct journal_mirror_report mirror[AD_MAX_MIRRORS];
	int      best;            /* mirror whose chain was replayed */
	uint64_t entries, txns;   /* replayed */
};

/*
 * Walk every mirror from the head, take the longest valid chain, and apply
 * its transactions in order with fn (fn may be NULL: verify only).  Sets the
 * tail after the chain.  Returns 0 or -errno (read errors on every mirror,
 * or fn's error).
 */
int  journal_replay(struct journal *j, const int *mirror_member, journal_apply_fn fn, void *ctx,
		    struct journal_replay_report *rep);

/* One entry as a mirror walk meets it (journal_walk_mirror). */
struct journal_record {
	uint64_t    seq;          /* sequence number expected at this position */
	uint64_t    off;          /* offset in the journal region */
	int         err;          /* 0 valid; else why the chain ends here (as stop_err) */
	char        why[AD_WHY_MAX];
	bool        have_hdr;     /* je holds the entry's header (it checked) */
	struct ad_je je;
	uint32_t    nops;         /* operations in the payload (valid entries) */
};
typedef void (*journal_record_fn)(void *ctx, const struct journal_record *r);

/*
 * Walk mirror i alone from the head, read-only, as journal_replay() does:
 * rec sees every valid entry of the chain, then the entry that ends it.  r
 * gets the mirror's counters (r->member is left -1).  0, -ENODEV (the
 * mirror is missing) or -ENOMEM; read errors end the chain (stop_err).
 */
int  journal_walk_mirror(struct journal *j, unsigned i, journal_record_fn rec, void *ctx,
			 struct journal_mirror_report *r);

/* Copy the best chain onto mirrors that hold less of it (read-write opens). */
int  journal_repair_mirrors(struct journal *j, const struct journal_replay_report *rep);

#endif
