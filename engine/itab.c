/*
 * itab.c — in-memory lookup counts and open handles per inode (see itab.h).
 * An entry exists while nlookup or nopen is non-zero.
 */
#include <errno.h>
#include <stdlib.h>

#include "itab.h"

int itab_init(struct itab *t)
{
	t->nb = 4096;
	t->n = 0;
	t->next_fh = 1;
	t->b = calloc(t->nb, sizeof(*t->b));
	if (!t->b)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

void itab_destroy(struct itab *t)
{
	for (size_t i = 0; t->b && i < t->nb; i++) {
		struct itab_ent *e = t->b[i];

		while (e) {
			struct itab_ent *n = e->next;

			free(e);
			e = n;
		}
	}
	free(t->b);
	t->b = NULL;
	pthread_mutex_destroy(&t->lock);
}

static struct itab_ent **slot(struct itab *t, uint64_t ino)
{
	struct itab_ent **pp = &t->b[(ino * 0x9e3779b97f4a7c15ull >> 32) % t->nb];

	while (*pp && (*pp)->ino != ino)
		pp = &(*pp)->next;
	return pp;
}

static struct itab_ent *get(struct itab *t, uint64_t ino, bool create)
{
	struct itab_ent **pp = slot(t, ino);

	if (!*pp && create) {
		*pp = calloc(1, sizeof(**pp));
		if (*pp) {
			(*pp)->ino = ino;
			t->n++;
		}
	}
	return *pp;
}

static void drop_if_idle(struct itab *t, uint64_t ino)
{
	struct itab_ent **pp = slot(t, ino), *e = *pp;

	if (e && !e->nlookup && !e->nopen) {
		*pp = e->next;
		free(e);
		t->n--;
	}
}

int itab_lookup(struct itab *t, uint64_t ino, uint64_t n)
{
	struct itab_ent *e;

	pthread_mutex_lock(&t->lock);
	e = get(t, ino, true);
	if (e)
		e->nlookup += n;
	pthread_mutex_unlock(&t->lock);
	return e ? 0 : -ENOMEM;
}

void itab_forget(struct itab *t, uint64_t ino, uint64_t n)
{
	struct itab_ent *e;

	pthread_mutex_lock(&t->lock);
	e = get(t, ino, false);
	if (e) {
		e->nlookup = e->nlookup > n ? e->nlookup - n : 0;
		drop_if_idle(t, ino);
	}
	pthread_mutex_unlock(&t->lock);
}

uint64_t itab_open(struct itab *t, uint64_t ino)
{
	struct itab_ent *e;
	uint64_t fh = 0;

	pthread_mutex_lock(&t->lock);
	e = get(t, ino, true);
	if (e) {
		e->nopen++;
		fh = t->next_fh++;
	}
	pthread_mutex_unlock(&t->lock);
	return fh;
}

uint32_t itab_release(struct itab *t, uint64_t ino)
{
	struct itab_ent *e;
	uint32_t left = 0;

	pthread_mutex_lock(&t->lock);
	e = get(t, ino, false);
	if (e) {
		if (e->nopen)
			e->nopen--;
		left = e->nopen;
		drop_if_idle(t, ino);
	}
	pthread_mutex_unlock(&t->lock);
	return left;
}

uint32_t itab_nopen(struct itab *t, uint64_t ino)
{
	struct itab_ent *e;
	uint32_t n;

	pthread_mutex_lock(&t->lock);
	e = get(t, ino, false);
	n = e ? e->nopen : 0;
	pthread_mutex_unlock(&t->lock);
	return n;
}
