/*
 * store.h — the metadata store: transactions over the tree, the journal,
 * the allocator, and checkpoints.
 *
 * Owns: the store lock, running transactions (retrying them when a page must
 * be read), applying committed operations to the tree and the allocator,
 * the journal, and the checkpoint protocol.
 *
 * A transaction is a function the store runs under its write lock:
 *
 *   static int op(struct txn *t, void *arg) {
 *       txn_get(t, &k, buf, sizeof buf, &len);    // sees the txn's own puts
 *       txn_put(t, &k2, val, len);
 *       return 0;                                 // or -errno: nothing happens
 *   }
 *   store_txn(st, op, &arg, STORE_SYNC);
 *
 * When a read needs a page that is not cached, txn_* returns -EAGAIN; the
 * function must return it, the store drops its lock, reads the page, and runs
 * the function again from the start (so functions must not have side effects
 * outside the txn).  Operations are applied only after the function returned
 * 0 and every page they touch is cached, so a transaction is applied whole or
 * not at all, and no lock is held across device I/O (but in one rare case:
 * a page an earlier operation of the transaction routed a key to; store.c).
 *
 * Durability (written once, here): data chunks are written and flushed by the
 * caller before store_txn(); the transaction is appended to the journal under
 * the store lock; STORE_SYNC waits until its entry is flushed on every journal
 * mirror (group commit) — only then is it acknowledged.  A checkpoint writes
 * the dirty pages and space maps, flushes, writes the next superblock
 * generation on every member, flushes, and only then releases the journal
 * space and the blocks freed two checkpoints ago.
 */
#ifndef ARGOS_STORE_H
#define ARGOS_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ad_format.h"
#include "ad_jops.h"
#include "alloc.h"
#include "crash.h"
#include "journal.h"
#include "pcache.h"
#include "tree.h"

struct argos_pool;

#define STORE_SYNC   0x1     /* wait until durable */

struct txn {
	struct store     *st;
	uint8_t          *buf;       /* encoded operations (journal layout) */
	size_t            len, cap;
	uint32_t          nops;
	struct tree_fault fault;
	struct tree_finger finger;   /* leaves found since the lock was taken */
	int               err;       /* first error recorded by txn_put/del */
};

struct store_stats {
	uint64_t txns, checkpoints, ckpt_pages, ckpt_bytes, faults;
	uint64_t last_ckpt_pages, last_ckpt_ns;
};

struct store {
	pthread_rwlock_t lock;        /* tree, pages, txn application */
	pthread_mutex_t  ckpt_lock;   /* one checkpoint at a time */
	struct argos_pool *pool;
	struct pcache    pc;
	struct tree      tree;
	struct alloc     alloc;
	struct journal   jnl;
	struct crash    *crash;
	uint64_t         gen;         /* superblock generation of the last durable checkpoint */
	uint64_t         next_txn_id;
	bool             writable;
	int              err;         /* sticky: the store refuses writes */
	struct store_stats stats;
	unsigned         meta_rr;     /* rotation for metadata page placement */
	bool             ckpt_kicked; /* a writer runs a checkpoint for dirty pages (atomic) */
	/* checkpoint output being built (under the write lock) */
	struct ckpt_io  *cio;
};

/* ---- transactions --------------------------------------------------------- */

int  store_txn(struct store *st, int (*fn)(struct txn *t, void *arg), void *arg, unsigned flags);
/* A read-only look (shared lock), with the same retry rule. */
int  store_read(struct store *st, int (*fn)(struct txn *t, void *arg), void *arg);

int  txn_get(struct txn *t, const struct ad_key *k, void *buf, size_t cap, size_t *len);
/* Next item after *k (inclusive or not) from the tree only: a transaction's
 * own changes are not visible to iteration. */
int  txn_next(struct txn *t, const struct ad_key *k, bool inclusive, struct ad_key *out,
	      void *buf, size_t cap, size_t *len);
int  txn_put(struct txn *t, const struct ad_key *k, const void *val, size_t len);
int  txn_del(struct txn *t, const struct ad_key *k);
int  txn_alloc(struct txn *t, unsigned member, uint64_t block, uint64_t n);
int  txn_free(struct txn *t, unsigned member, uint64_t block, uint64_t n);

/* Make everything committed so far durable (fsync of the whole store). */
int  store_sync(struct store *st);

/* Run a checkpoint now.  0 or -errno (the store then refuses writes). */
int  store_checkpoint(struct store *st);
/* The same, also setting superblock flags (AD_SBF_CLEAN at unmount) and,
 * with unmount, clearing the mounted-by fields. */
int  store_checkpoint_flags(struct store *st, uint32_t set_flags, bool unmount);

/* Page I/O callbacks of the tree (ckpt.c); ctx is the store. */
extern const struct tree_io store_tree_io;

/* Apply one replayed transaction (journal_apply_fn). */
int  store_apply_ops(void *ctx, uint64_t seq, const uint8_t *ops, size_t len, uint32_t nops);

#endif
