/*
 * pgbuf.h — a pool of AD_BLOCK page buffers for the tree page cache.
 *
 * Owns: the memory of cached tree pages.  Buffers come from slabs of
 * PGBUF_SLAB pages mapped with mmap (page aligned, so DEV_ALIGN aligned for
 * O_DIRECT), and go back to a free list for reuse.  Why not posix_memalign:
 * glibc serves an aligned 4 KiB request from a 4 KiB + 4 KiB span (the
 * leading fragment is only good for small allocations), so every cached page
 * cost 8 KiB of heap — twice its size (docs/benchmarks.md, "where the memory
 * goes").  Here a page costs 4 KiB plus nothing.
 *
 * Slabs are not returned to the system before pgbuf_destroy(): the cache
 * keeps its page count near its budget, so the pool never holds more than the
 * cache's peak.  Thread-safe (a mutex; never held across I/O).
 */
#ifndef ARGOS_PGBUF_H
#define ARGOS_PGBUF_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define PGBUF_SLAB 256          /* pages per slab (1 MiB) */

struct pgbuf {
	pthread_mutex_t lock;
	void   *free;           /* free list, linked through each buffer's first word */
	void  **slab;           /* mapped slabs */
	size_t  nslab, slabcap;
	size_t  fresh;          /* buffers of the last slab never handed out */
	size_t  nused;          /* buffers handed out */
};

int   pgbuf_init(struct pgbuf *pb);
/* Unmaps every slab: every buffer handed out is invalid afterwards. */
void  pgbuf_destroy(struct pgbuf *pb);
/* A buffer of AD_BLOCK bytes, zeroed; NULL on ENOMEM. */
void *pgbuf_get(struct pgbuf *pb);
/* Give a buffer back (NULL is ignored). */
void  pgbuf_put(struct pgbuf *pb, void *buf);
/* Pages mapped in all (handed out + free). */
size_t pgbuf_mapped(struct pgbuf *pb);

#endif
