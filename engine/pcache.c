/*
 * pcache.c — tree page cache (see pcache.h).
 *
 * A chained hash table keyed by page key, grown by doubling; clean pages sit
 * on a clock list (oldest at the head) from which eviction takes: a page whose
 * clock bit is set (looked up since the last sweep) has it cleared and goes to
 * the tail instead.  Lookups only set the bit, so they need the table lock
 * shared only.  Dirty pages are never on the list and never evicted.
 *
 * Invariants:
 *  1. A key is in the table at most once.
 *  2. pg->dirty == !pc_key_is_temp(key) is false for every page: a dirty page
 *     always has a temporary key and a clean one always a disk address.
 *  3. Exactly the clean pages are on the clock list; ndirty counts the others.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcache.h"

static size_t bucket(const struct pcache *pc, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (pc->nbuckets - 1);
}

int pcache_init(struct pcache *pc, size_t budget)
{
	memset(pc, 0, sizeof(*pc));
	pc->nbuckets = 1024;
	pc->hash = calloc(pc->nbuckets, sizeof(*pc->hash));
	if (!pc->hash)
		return -ENOMEM;
	pc->budget = budget ? budget : 65536;
	pc->next_temp = 1;
	if (pgbuf_init(&pc->bufs)) {
		free(pc->hash);
		return -ENOMEM;
	}
	pthread_rwlock_init(&pc->lock, NULL);
	return 0;
}

uint8_t *pcache_buf_get(struct pcache *pc)
{
	return pgbuf_get(&pc->bufs);
}

void pcache_buf_put(struct pcache *pc, uint8_t *buf)
{
	pgbuf_put(&pc->bufs, buf);
}

static void free_page(struct pcache *pc, struct cpage *pg)
{
	pgbuf_put(&pc->bufs, pg->data);
	free(pg);
}

void pcache_destroy(struct pcache *pc)
{
	for (size_t b = 0; b < pc->nbuckets && pc->hash; b++) {
		struct cpage *pg = pc->hash[b];

		while (pg) {
			struct cpage *next = pg->hnext;

			free_page(pc, pg);
			pg = next;
		}
	}
	free(pc->hash);
	pc->hash = NULL;
	pcache_write_end(pc);
	pgbuf_destroy(&pc->bufs);
	pthread_rwlock_destroy(&pc->lock);
}

static void lru_unlink(struct pcache *pc, struct cpage *pg)
{
	if (pg->lprev)
		pg->lprev->lnext = pg->lnext;
	else
		pc->clean_head = pg->lnext;
	if (pg->lnext)
		pg->lnext->lprev = pg->lprev;
	else
		pc->clean_tail = pg->lprev;
	pg->lprev = pg->lnext = NULL;
}

static void lru_append(struct pcache *pc, struct cpage *pg)
{
	pg->lnext = NULL;
	pg->lprev = pc->clean_tail;
	if (pc->clean_tail)
		pc->clean_tail->lnext = pg;
	else
		pc->clean_head = pg;
	pc->clean_tail = pg;
}

static void grow(struct pcache *pc)
{
	size_t old = pc->nbuckets;
	struct cpage **h = calloc(old * 2, sizeof(*h));

	if (!h)
		return;   /* keep going with longer chains */
	pc->nbuckets = old * 2;
	for (size_t b = 0; b < old; b++) {
		struct cpage *pg = pc->hash[b];

		while (pg) {
			struct cpage *next = pg->hnext;
			size_t nb = bucket(pc, pg->key);

			pg->hnext = h[nb];
			h[nb] = pg;
			pg = next;
		}
	}
	free(pc->hash);
	pc->hash = h;
}

static struct cpage *find(struct pcache *pc, uint64_t key)
{
	for (struct cpage *pg = pc->hash[bucket(pc, key)]; pg; pg = pg->hnext)
		if (pg->key == key)
			return pg;
	return NULL;
}

static void hash_add(struct pcache *pc, struct cpage *pg)
{
	size_t b;

	if (pc->npages >= pc->nbuckets * 2)
		grow(pc);
	b = bucket(pc, pg->key);
	pg->hnext = pc->hash[b];
	pc->hash[b] = pg;
	pc->npages++;
}

static void hash_del(struct pcache *pc, struct cpage *pg)
{
	struct cpage **pp = &pc->hash[bucket(pc, pg->key)];

	while (*pp && *pp != pg)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = pg->hnext;
	pg->hnext = NULL;
	pc->npages--;
}

struct cpage *pcache_get(struct pcache *pc, uint64_t key)
{
	struct cpage *pg;

	pthread_rwlock_rdlock(&pc->lock);
	pg = find(pc, key);
	if (pg) {
		__atomic_fetch_add(&pc->hits, 1, __ATOMIC_RELAXED);
		if (!__atomic_load_n(&pg->ref, __ATOMIC_RELAXED))
			__atomic_store_n(&pg->ref, 1, __ATOMIC_RELAXED);
	} else {
		__atomic_fetch_add(&pc->misses, 1, __ATOMIC_RELAXED);
	}
	pthread_rwlock_unlock(&pc->lock);
	return pg;
}

uint64_t pcache_temp_key(struct pcache *pc)
{
	return PC_TEMP | __atomic_fetch_add(&pc->next_temp, 1, __ATOMIC_RELAXED);
}

struct cpage *pcache_new(struct pcache *pc)
{
	struct cpage *pg = calloc(1, sizeof(*pg));

	if (!pg)
		return NULL;
	pg->data = pgbuf_get(&pc->bufs);
	if (!pg->data) {
		free(pg);
		return NULL;
	}
	ad_bptr_null(&pg->disk);
	pg->dirty = true;
	pg->key = pcache_temp_key(pc);
	pthread_rwlock_wrlock(&pc->lock);
	hash_add(pc, pg);
	pc->ndirty++;
	pthread_rwlock_unlock(&pc->lock);
	return pg;
}

struct cpage *pcache_insert(struct pcache *pc, const struct ad_bptr *p, uint8_t *data)
{
	struct cpage *pg, *have;

	pg = calloc(1, sizeof(*pg));
	if (!pg) {
		pgbuf_put(&pc->bufs, data);
		return NULL;
	}
	pg->key = p->addr[0];
	pg->disk = *p;
	pg->data = data;
	pg->ref = 1;
	pthread_rwlock_wrlock(&pc->lock);
	have = find(pc, pg->key);
	if (have) {
		pthread_rwlock_unlock(&pc->lock);
		free_page(pc, pg);
		return have;
	}
	hash_add(pc, pg);
	lru_append(pc, pg);
	pthread_rwlock_unlock(&pc->lock);
	return pg;
}

void pcache_rekey(struct pcache *pc, struct cpage *pg, uint64_t key, bool dirty)
{
	pthread_rwlock_wrlock(&pc->lock);
	hash_del(pc, pg);
	if (pg->dirty && !dirty) {
		pc->ndirty--;
		lru_append(pc, pg);
	} else if (!pg->dirty && dirty) {
		lru_unlink(pc, pg);
		pc->ndirty++;
		if (pg->repair) {
			pg->repair = false;
			pc->nrepair--;
		}
	}
	pg->dirty = dirty;
	pg->key = key;
	hash_add(pc, pg);
	pthread_rwlock_unlock(&pc->lock);
}

/* Keep a busy buffer (in a page struct no longer in the table) until write end. */
static void set_aside(struct pcache *pc, struct cpage *pg)
{
	pg->hnext = pc->aside;
	pc->aside = pg;
}

void pcache_drop(struct pcache *pc, struct cpage *pg)
{
	bool busy = pcache_sealed(pc, pg);

	pthread_rwlock_wrlock(&pc->lock);
	hash_del(pc, pg);
	if (pg->dirty)
		pc->ndirty--;
	else
		lru_unlink(pc, pg);
	if (pg->repair)
		pc->nrepair--;
	if (busy)
		set_aside(pc, pg);
	pthread_rwlock_unlock(&pc->lock);
	if (!busy)
		free_page(pc, pg);
}

void pcache_write_begin(struct pcache *pc)
{
	pc->wepoch++;
	pc->writing = true;
}

void pcache_seal(struct pcache *pc, struct cpage *pg)
{
	if (pc->writing)
		pg->wepoch = pc->wepoch;
}

bool pcache_sealed(const struct pcache *pc, const struct cpage *pg)
{
	return pc->writing && pg->wepoch == pc->wepoch;
}

int pcache_unshare(struct pcache *pc, struct cpage *pg)
{
	struct cpage *old;
	uint8_t *copy;

	if (!pcache_sealed(pc, pg))
		return 0;
	old = calloc(1, sizeof(*old));
	copy = pgbuf_get(&pc->bufs);
	if (!old || !copy) {
		free(old);
		pgbuf_put(&pc->bufs, copy);
		return -ENOMEM;
	}
	memcpy(copy, pg->data, AD_BLOCK);
	old->data = pg->data;
	pthread_rwlock_wrlock(&pc->lock);
	pg->data = copy;
	pg->wepoch = 0;
	set_aside(pc, old);
	pc->copies++;
	pthread_rwlock_unlock(&pc->lock);
	return 0;
}

void pcache_write_end(struct pcache *pc)
{
	struct cpage *pg;

	pthread_rwlock_wrlock(&pc->lock);
	pc->writing = false;
	pg = pc->aside;
	pc->aside = NULL;
	pthread_rwlock_unlock(&pc->lock);
	while (pg) {
		struct cpage *next = pg->hnext;

		free_page(pc, pg);
		pg = next;
	}
}

void pcache_evict(struct pcache *pc)
{
	size_t target, budget;

	pthread_rwlock_wrlock(&pc->lock);
	budget = pc->budget;
	target = budget - budget / 16;
	/* Each clean page is passed over at most twice (its clock bit, then a
	 * repair mark keeps it): the sweep ends even when nothing can go. */
	for (size_t left = 2 * (pc->npages - pc->ndirty); left && pc->npages > target &&
	     pc->clean_head; left--) {
		struct cpage *pg = pc->clean_head;

		lru_unlink(pc, pg);
		if (pg->repair || __atomic_load_n(&pg->ref, __ATOMIC_RELAXED) ||
		    pcache_sealed(pc, pg)) {
			/* Used since the last sweep, waiting for a rewrite, or
			 * being written by a checkpoint. */
			__atomic_store_n(&pg->ref, 0, __ATOMIC_RELAXED);
			lru_append(pc, pg);
			continue;
		}
		hash_del(pc, pg);
		free_page(pc, pg);
		pc->evictions++;
	}
	pthread_rwlock_unlock(&pc->lock);
}

bool pcache_over(struct pcache *pc)
{
	bool over;

	pthread_rwlock_rdlock(&pc->lock);
	over = pc->npages > pc->budget && pc->npages > pc->ndirty + pc->nrepair;
	pthread_rwlock_unlock(&pc->lock);
	return over;
}

bool pcache_dirty_over(struct pcache *pc)
{
	bool over;

	pthread_rwlock_rdlock(&pc->lock);
	over = pc->ndirty > pc->budget / 2;
	pthread_rwlock_unlock(&pc->lock);
	return over;
}

void pcache_mark_repair(struct pcache *pc, struct cpage *pg)
{
	pthread_rwlock_wrlock(&pc->lock);
	if (!pg->dirty && !pg->repair) {
		pg->repair = true;
		pc->nrepair++;
	}
	pthread_rwlock_unlock(&pc->lock);
}

void pcache_for_each_repair(struct pcache *pc, void (*fn)(void *ctx, struct cpage *pg), void *ctx)
{
	pthread_rwlock_rdlock(&pc->lock);
	for (size_t b = 0; b < pc->nbuckets && pc->nrepair; b++)
		for (struct cpage *pg = pc->hash[b]; pg; pg = pg->hnext)
			if (pg->repair)
				fn(ctx, pg);
	pthread_rwlock_unlock(&pc->lock);
}
