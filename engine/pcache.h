/*
 * pcache.h — the cache of metadata tree pages.
 *
 * Owns: every in-memory tree page, clean or dirty, keyed by a 64-bit key:
 * the address of the page's first mirror for pages that are on disk
 * unchanged, or PC_TEMP | n for pages created or modified since the last
 * checkpoint (they have no disk address yet).  A parent's pointer to a dirty
 * child carries the child's temporary key (ad_bptr with nmirrors == 0), so
 * dirty pages are reachable from the root exactly like clean ones.
 *
 * Budget: `budget` pages bound the whole cache.  Dirty pages cannot be
 * dropped before the checkpoint that writes them; pcache_dirty_over() tells
 * the store when they pass half the budget so it starts one.  Clean pages
 * fill the rest and are evicted in clock order (a page used since the last
 * sweep gets a second chance) when the cache passes the budget.
 *
 * Checkpoint writes without copies: a checkpoint seals its dirty pages in
 * place (they turn clean under their new addresses) and writes them from the
 * pages' own buffers after dropping the store lock.  Between
 * pcache_write_begin() and pcache_write_end() a page sealed by
 * pcache_seal() must not change in place: the first change (tree.c cow)
 * calls pcache_unshare(), which gives the page a copy and keeps the sealed
 * buffer aside until pcache_write_end(); a sealed page dropped from the tree
 * keeps its buffer aside too, and none is evicted.  So the only copies are of
 * the pages that change while their checkpoint writes them (`copies`).
 *
 * Locking: the cache's own rwlock protects the hash table and the lists;
 * lookups take it shared (readers do not block each other: the clock bit and
 * the hit counters are atomics), everything that changes the table takes it
 * exclusive, never across I/O.  Page contents and the dirty state belong to
 * the tree and are protected by the store lock (read for lookups, write for
 * changes).  Pages are freed (evicted) only by a caller holding the store lock
 * for writing, so a page pointer obtained under the store lock stays valid
 * until it is released.
 */
#ifndef ARGOS_PCACHE_H
#define ARGOS_PCACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_format.h"
#include "pgbuf.h"

#define PC_TEMP (1ull << 63)      /* key bit: a page without a disk address */

struct cpage {
	uint64_t key;
	struct ad_bptr disk;        /* where the page lives on disk; nmirrors 0 if new */
	uint8_t *data;              /* AD_BLOCK bytes from pc->bufs (DEV_ALIGN aligned) */
	bool     dirty;
	bool     repair;            /* read from a good mirror after a bad one */
	uint8_t  ref;               /* clock bit: used since the last sweep (atomic) */
	uint64_t wepoch;            /* sealed by checkpoint write number wepoch */
	struct cpage *hnext;        /* hash chain */
	struct cpage *lprev, *lnext;/* clean list (clock order, oldest first) */
};

struct pcache {
	pthread_rwlock_t lock;
	struct cpage  **hash;
	size_t          nbuckets;
	size_t          npages, ndirty;
	size_t          nrepair;    /* clean pages marked for rewriting */
	size_t          budget;     /* pages in all; dirty ones up to half of it */
	uint64_t        next_temp;  /* atomic */
	struct cpage   *clean_head, *clean_tail;
	struct pgbuf    bufs;       /* the pages' memory */
	uint64_t        wepoch;     /* checkpoint writes begun */
	bool            writing;    /* one is under way: pages sealed in wepoch are busy */
	struct cpage   *aside;      /* busy buffers the tree let go of (chained by hnext) */
	/* statistics (hits and misses atomic) */
	uint64_t        hits, misses, evictions, copies;
};

int  pcache_init(struct pcache *pc, size_t budget_pages);
void pcache_destroy(struct pcache *pc);

/* A zeroed page buffer from the cache's pool (for pcache_insert), and back. */
uint8_t *pcache_buf_get(struct pcache *pc);
void pcache_buf_put(struct pcache *pc, uint8_t *buf);

/* Find a page by key; NULL when not cached.  Marks it referenced. */
struct cpage *pcache_get(struct pcache *pc, uint64_t key);

/* A new dirty page with a fresh temporary key and zeroed data; NULL on ENOMEM. */
struct cpage *pcache_new(struct pcache *pc);

/*
 * Insert a clean page read from disk at p (key = p->addr[0]); takes
 * ownership of data (a buffer from pcache_buf_get()).  If the key is already
 * cached (another thread won the race) data is freed and the cached page is
 * returned.  NULL on ENOMEM (data freed).
 */
struct cpage *pcache_insert(struct pcache *pc, const struct ad_bptr *p, uint8_t *data);

/* Give a page a new key (clean -> dirty: a temporary key; dirty -> clean at
 * checkpoint: its new disk address) and update the dirty/clean lists. */
void pcache_rekey(struct pcache *pc, struct cpage *pg, uint64_t key, bool dirty);

/* A fresh temporary key. */
uint64_t pcache_temp_key(struct pcache *pc);

/* Drop a page (deleted from the tree). */
void pcache_drop(struct pcache *pc, struct cpage *pg);

/*
 * Evict clean pages (store lock held for writing) until the cache is 1/16
 * under its budget or no clean page is left to take; pages marked for repair
 * stay.  A budget of 0 evicts every clean page.
 */
void pcache_evict(struct pcache *pc);

/* The cache holds more pages than its budget (pcache_evict() would act). */
bool pcache_over(struct pcache *pc);

/* Dirty pages are past half the budget: time for a checkpoint. */
bool pcache_dirty_over(struct pcache *pc);

/* Mark a clean page for rewriting (a mirror was bad); cleared when it turns dirty. */
void pcache_mark_repair(struct pcache *pc, struct cpage *pg);

/* Call fn on every clean page marked for repair (order unspecified). */
void pcache_for_each_repair(struct pcache *pc, void (*fn)(void *ctx, struct cpage *pg), void *ctx);

/*
 * Checkpoint writes (the store lock held for writing in each call).
 * begin: pages sealed from now on are busy until end.  seal: pg's buffer is
 * the image being written (no-op outside begin/end).  sealed: pg is busy.
 * unshare: before changing a busy page, give it a private copy of its data
 * (-ENOMEM).  end: nothing is busy; the buffers set aside are freed.
 */
void pcache_write_begin(struct pcache *pc);
void pcache_seal(struct pcache *pc, struct cpage *pg);
bool pcache_sealed(const struct pcache *pc, const struct cpage *pg);
int  pcache_unshare(struct pcache *pc, struct cpage *pg);
void pcache_write_end(struct pcache *pc);

static inline bool pc_key_is_temp(uint64_t key) { return key & PC_TEMP; }

#endif
