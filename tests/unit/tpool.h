/*
 * tpool.h — a pool of image files for engine tests and benchmarks: make the
 * images in a fresh directory, mkfs them, open them, remove them.
 *
 * Like tutil.h, nothing here aborts: every call returns 0 or -errno with a
 * reason, so tests can clean up before they fail and a benchmark can report.
 */
#ifndef ARGOS_TPOOL_H
#define ARGOS_TPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "argosfs.h"

#define TPOOL_MAX 16

struct tpool {
	char        dir[256];
	unsigned    n;
	char        path[TPOOL_MAX][512];
	const char *paths[TPOOL_MAX];   /* for argos_pool_open() */
};

/*
 * n sparse image files of size bytes in a new directory
 * <base>/argos-<tag>-XXXXXX (base NULL: $TMPDIR, else /tmp), formatted with
 * o (NULL: mkfs defaults).  Remove with tpool_remove(), also after a failure.
 */
int  tpool_make(struct tpool *tp, const char *base, const char *tag, unsigned n, uint64_t size,
		const struct argos_mkfs_opts *o, char *why, size_t whylen);
int  tpool_open(struct tpool *tp, const struct argos_open_opts *o, argos_pool **p, char *why,
		size_t whylen);
/* The same without the members whose bit is set in gone (degraded opens). */
int  tpool_open_without(struct tpool *tp, uint64_t gone, const struct argos_open_opts *o,
			argos_pool **p, char *why, size_t whylen);
/* fsck -f -n of the n members (the pool closed): 0 when it found nothing,
 * -EUCLEAN (or fsck's own error) with what it found in why. */
int  tpool_fsck_clean(const char *const *paths, unsigned n, char *why, size_t whylen);
/* Remove the directory and the images (nothing when tpool_make failed early). */
void tpool_remove(struct tpool *tp);

#endif /* ARGOS_TPOOL_H */
