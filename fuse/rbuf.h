/*
 * rbuf.h — the read handler's reply buffers (see rbuf.c).
 */
#ifndef ARGOS_FUSE_RBUF_H
#define ARGOS_FUSE_RBUF_H

#include <pthread.h>
#include <stddef.h>

/* Buffers kept for reuse: one per FUSE thread (mount.argosfs's default 16). */
#define RBUF_KEEP 16

struct rbuf_pool {
	pthread_mutex_t lock;
	size_t size;              /* bytes of each kept buffer */
	unsigned n;               /* kept buffers in free[] */
	void *free[RBUF_KEEP];
};

void  rbuf_init(struct rbuf_pool *rp, size_t size);
void  rbuf_destroy(struct rbuf_pool *rp);
/* A 4 KiB-aligned buffer of at least len bytes (not cleared); NULL: no memory. */
void *rbuf_get(struct rbuf_pool *rp, size_t len);
/* Give back a buffer rbuf_get returned for len. */
void  rbuf_put(struct rbuf_pool *rp, void *buf, size_t len);

#endif
