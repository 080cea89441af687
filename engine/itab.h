/*
 * itab.h — what the kernel and open handles hold of each inode, in memory.
 *
 * Owns: per inode, the lookup count (FUSE nlookup: raised by lookup, create,
 * readdirplus; lowered by forget) and the number of open handles.  An inode
 * whose last link goes while a handle is open becomes an orphan, freed at
 * its last release (or at the next open of the pool after a crash).
 *
 * Locking: its own mutex; callers that must decide atomically with a tree
 * change (unlink vs open) hold the store lock around the call.
 */
#ifndef ARGOS_ITAB_H
#define ARGOS_ITAB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct itab_ent {
	uint64_t ino;
	uint64_t nlookup;
	uint32_t nopen;
	struct itab_ent *next;
};

struct itab {
	pthread_mutex_t   lock;
	struct itab_ent **b;
	size_t            nb, n;
	uint64_t          next_fh;
};

int  itab_init(struct itab *t);
void itab_destroy(struct itab *t);
int  itab_lookup(struct itab *t, uint64_t ino, uint64_t n);   /* raise nlookup */
void itab_forget(struct itab *t, uint64_t ino, uint64_t n);
/* A new handle on ino; returns its handle number (never 0), 0 on ENOMEM. */
uint64_t itab_open(struct itab *t, uint64_t ino);
/* Drop a handle; returns the handles left. */
uint32_t itab_release(struct itab *t, uint64_t ino);
uint32_t itab_nopen(struct itab *t, uint64_t ino);

#endif
