/*
 * alloc.h — the extent allocator over the members' space maps.
 *
 * Owns: which 4 KiB blocks of each member's data area are free, reserved
 * (handed to a writer, not yet committed), used (committed), or pending
 * release; the deferred-free rule; the space reserve; and writing the space
 * map slots at a checkpoint.
 *
 * Life of a block:
 *   free --alloc_reserve--> reserved --alloc_commit (txn ALLOC)--> used
 *   reserved --alloc_unreserve (write failed)--> free
 *   used --alloc_free (txn FREE)--> used+pending(cur)
 *   pending(cur) --checkpoint G snapshot--> pending(G)
 *   pending(G) --checkpoint G+1 durable--> free
 * so a block freed by the changes in checkpoint G is reused only once G+1 is
 * durable everywhere, and the previous checkpoint stays readable.
 *
 * On disk (slot of checkpoint G): used = every used block (pending ones
 * included), pending = pending(G-1) ∪ pending(G).  A pool opened from G
 * releases all of those after its first checkpoint is durable: conservative
 * by one checkpoint, never early.  Reservations and pending(cur) never reach
 * the disk, so a crash leaks nothing and frees nothing early.
 *
 * Locking: one mutex (a->lock) protects everything here; it is never held
 * across I/O (slot images are copied out under it and written after).
 */
#ifndef ARGOS_ALLOC_H
#define ARGOS_ALLOC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "spacemap.h"

struct extent {
	uint32_t member;
	uint64_t block;      /* data-area block number (not the member block) */
	uint64_t n;
};

struct ext_list {
	size_t n, cap;
	struct extent *e;
};

struct alloc_member {
	bool      present;         /* the device is here and writable */
	uint64_t  data_start;      /* member block number of data block 0 */
	struct spacemap sm;        /* used + on-disk pending bitmaps */
	uint64_t *resv;            /* reservation bitmap */
	uint64_t  nresv;
	uint64_t  cursor;          /* next-fit start */
	uint64_t  reserve;         /* blocks kept for deletes and repairs */
	/* per bitmap block (used then pending): serial of its last change */
	uint64_t *mod;
	uint32_t *crc[2];          /* per slot: CRC of each bitmap block as written */
	uint64_t  written[2];      /* per slot: serial of its last full write (0 = never) */
	unsigned  slot;            /* slot of the newest durable checkpoint */
};

struct alloc {
	pthread_mutex_t lock;
	unsigned  n;
	struct alloc_member *m;
	uint32_t  seed;
	uint64_t  serial;          /* checkpoint serial the current changes belong to */
	struct ext_list pend_cur;  /* freed since the last snapshot */
	struct ext_list pend_snap; /* pending(G) of the checkpoint being written */
	struct ext_list pend_prev; /* pending(G-1): released when G is durable */
};

/* Set up an allocator for n members (all absent until alloc_load/alloc_init_member). */
int  alloc_create(struct alloc *a, unsigned n, uint32_t seed);
void alloc_destroy(struct alloc *a);

/* Attach member i with data area data_start (member block), nblocks blocks,
 * from the slot image `slot_img` of checkpoint gen (decoded and verified), or
 * as a fresh empty member when slot_img is NULL. */
int  alloc_load_member(struct alloc *a, unsigned i, uint64_t data_start, uint64_t nblocks,
		       const void *slot_img, unsigned slot, uint64_t gen, uint32_t expect_csum,
		       char *why, size_t whylen);

/* Reserve n contiguous blocks on member i; *block = member block number.
 * use_reserve lets metadata and repairs dip into the reserve.  -ENOSPC. */
int  alloc_reserve(struct alloc *a, unsigned i, uint64_t n, bool use_reserve, uint64_t *block);
void alloc_unreserve(struct alloc *a, unsigned i, uint64_t block, uint64_t n);
/* A transaction committed these blocks (journal ALLOC; replay too). */
void alloc_commit(struct alloc *a, unsigned i, uint64_t block, uint64_t n);
/* A transaction freed these blocks (journal FREE; replay too). */
void alloc_free(struct alloc *a, unsigned i, uint64_t block, uint64_t n);

/* [block, block+n) of member i (member block numbers) is committed and no
 * block of it waits for release: the extent is in use. */
bool alloc_in_use(struct alloc *a, unsigned i, uint64_t block, uint64_t n);

/* Free blocks of member i available to ordinary allocations. */
uint64_t alloc_free_blocks(struct alloc *a, unsigned i);
/* Totals over present members. */
void alloc_totals(struct alloc *a, uint64_t *total, uint64_t *used, uint64_t *pending);

/* ---- checkpoints ---------------------------------------------------------- */

/* A slot write for one member: blocks to write (byte offsets within the slot). */
struct sm_write {
	unsigned member;
	unsigned slot;
	uint32_t hdr_csum;
	size_t   nwrites;
	struct { uint64_t off; size_t len; uint8_t *buf; } *w;
};

/*
 * Snapshot for checkpoint gen: pending(cur) becomes pending(G) and the slot
 * not used by the newest durable checkpoint is encoded (changed blocks only)
 * for every present member.  out[] gets one entry per present member;
 * free them with alloc_sm_writes_free().
 */
int  alloc_snapshot(struct alloc *a, uint64_t gen, struct sm_write **out, unsigned *nout);
void alloc_sm_writes_free(struct sm_write *w, unsigned n);

/* The checkpoint of the last snapshot is durable: release pending(G-1),
 * make the written slots current. */
void alloc_durable(struct alloc *a, const struct sm_write *w, unsigned n);

/* The checkpoint failed: its snapshot's pending blocks go back to pending(cur). */
void alloc_snapshot_failed(struct alloc *a);

#endif
