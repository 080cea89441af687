/*
 * pgbuf.c — page buffer pool (see pgbuf.h).
 *
 * A buffer is handed out from the free list if it has one, else from the
 * unused tail of the newest slab (`fresh` buffers left), else from a new
 * slab.  Fresh buffers are zero (anonymous mmap); reused ones are cleared.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ad_format.h"
#include "pgbuf.h"

#define SLAB_BYTES ((size_t)PGBUF_SLAB * AD_BLOCK)

int pgbuf_init(struct pgbuf *pb)
{
	memset(pb, 0, sizeof(*pb));
	return -pthread_mutex_init(&pb->lock, NULL);
}

void pgbuf_destroy(struct pgbuf *pb)
{
	for (size_t i = 0; i < pb->nslab; i++)
		munmap(pb->slab[i], SLAB_BYTES);
	free(pb->slab);
	pb->slab = NULL;
	pb->nslab = pb->slabcap = 0;
	pb->free = NULL;
	pthread_mutex_destroy(&pb->lock);
}

static int add_slab(struct pgbuf *pb)
{
	void *s;

	if (pb->nslab == pb->slabcap) {
		size_t cap = pb->slabcap ? pb->slabcap * 2 : 16;
		void **n = realloc(pb->slab, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		pb->slab = n;
		pb->slabcap = cap;
	}
	s = mmap(NULL, SLAB_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return -ENOMEM;
	pb->slab[pb->nslab++] = s;
	pb->fresh = PGBUF_SLAB;
	return 0;
}

void *pgbuf_get(struct pgbuf *pb)
{
	void *b = NULL;

	pthread_mutex_lock(&pb->lock);
	if (pb->free) {
		b = pb->free;
		memcpy(&pb->free, b, sizeof(void *));
		memset(b, 0, AD_BLOCK);
	} else if (pb->fresh || add_slab(pb) == 0) {
		b = (uint8_t *)pb->slab[pb->nslab - 1] + (PGBUF_SLAB - pb->fresh) * AD_BLOCK;
		pb->fresh--;
	}
	if (b)
		pb->nused++;
	pthread_mutex_unlock(&pb->lock);
	return b;
}

void pgbuf_put(struct pgbuf *pb, void *buf)
{
	if (!buf)
		return;
	pthread_mutex_lock(&pb->lock);
	memcpy(buf, &pb->free, sizeof(void *));
	pb->free = buf;
	pb->nused--;
	pthread_mutex_unlock(&pb->lock);
}

size_t pgbuf_mapped(struct pgbuf *pb)
{
	size_t n;

	pthread_mutex_lock(&pb->lock);
	n = pb->nslab * PGBUF_SLAB;
	pthread_mutex_unlock(&pb->lock);
	return n;
}
