/*
 * rbuf.c — reply buffers for FUSE reads: 4 KiB aligned (the engine reads
 * page-aligned requests straight into them, and a direct-I/O member needs
 * no bounce), and kept for the next read instead of freed: a fresh 1 MiB
 * buffer per read costs an mmap, 256 page faults with their clearing, and a
 * munmap.  Owns the buffers in free[]; a buffer handed out belongs to the
 * caller until rbuf_put.
 */
#include <stdlib.h>

#include "rbuf.h"

#define RBUF_ALIGN 4096

void rbuf_init(struct rbuf_pool *rp, size_t size)
{
	pthread_mutex_init(&rp->lock, NULL);
	rp->size = size;
	rp->n = 0;
}

void rbuf_destroy(struct rbuf_pool *rp)
{
	while (rp->n)
		free(rp->free[--rp->n]);
	pthread_mutex_destroy(&rp->lock);
}

void *rbuf_get(struct rbuf_pool *rp, size_t len)
{
	void *b = NULL;

	if (len <= rp->size) {
		pthread_mutex_lock(&rp->lock);
		if (rp->n)
			b = rp->free[--rp->n];
		pthread_mutex_unlock(&rp->lock);
		if (b)
			return b;
		len = rp->size;
	}
	if (posix_memalign(&b, RBUF_ALIGN, len ? len : 1))
		return NULL;
	return b;
}

void rbuf_put(struct rbuf_pool *rp, void *buf, size_t len)
{
	if (len <= rp->size) {
		pthread_mutex_lock(&rp->lock);
		if (rp->n < RBUF_KEEP) {
			rp->free[rp->n++] = buf;
			buf = NULL;
		}
		pthread_mutex_unlock(&rp->lock);
	}
	free(buf);
}
