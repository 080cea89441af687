/*
 * tpool.c — a pool of image files for engine tests and benchmarks (see tpool.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpool.h"
#include "tutil.h"

int tpool_make(struct tpool *tp, const char *base, const char *tag, unsigned n, uint64_t size,
	       const struct argos_mkfs_opts *o, char *why, size_t whylen)
{
	struct argos_mkfs_opts def = { 0 };
	struct argos_mkfs_result r;
	int err;

	memset(tp, 0, sizeof(*tp));
	if (n == 0 || n > TPOOL_MAX) {
		snprintf(why, whylen, "%u members (1..%u)", n, TPOOL_MAX);
		return -EINVAL;
	}
	if (base) {
		if ((size_t)snprintf(tp->dir, sizeof(tp->dir), "%s/argos-%s-XXXXXX", base, tag) >=
		    sizeof(tp->dir)) {
			snprintf(why, whylen, "%s: path too long", base);
			return -ENAMETOOLONG;
		}
		err = mkdtemp(tp->dir) ? 0 : -errno;
	} else {
		err = tutil_mkdtemp(tag, tp->dir, sizeof(tp->dir));
	}
	if (err) {
		snprintf(why, whylen, "temporary directory: %s", strerror(-err));
		tp->dir[0] = '\0';
		return err;
	}
	for (unsigned i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "img%u", i);
		err = tutil_mkimage(tp->dir, name, size, tp->path[i], sizeof(tp->path[i]));
		if (err) {
			snprintf(why, whylen, "%s/%s: %s", tp->dir, name, strerror(-err));
			return err;
		}
		tp->paths[i] = tp->path[i];
		tp->n = i + 1;
	}
	return argos_mkfs(tp->paths, n, o ? o : &def, &r, why, whylen);
}

int tpool_open(struct tpool *tp, const struct argos_open_opts *o, argos_pool **p, char *why,
	       size_t whylen)
{
	return argos_pool_open(tp->paths, tp->n, o, p, why, whylen);
}

int tpool_open_without(struct tpool *tp, uint64_t gone, const struct argos_open_opts *o,
		       argos_pool **p, char *why, size_t whylen)
{
	const char *paths[TPOOL_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < tp->n; i++)
		if (!(gone >> i & 1))
			paths[n++] = tp->paths[i];
	return argos_pool_open(paths, n, o, p, why, whylen);
}

int tpool_fsck_clean(const char *const *paths, unsigned n, char *why, size_t whylen)
{
	struct argos_fsck_opts o = { .mode = ARGOS_FSCK_CHECK, .force = true };
	struct argos_fsck_result r;
	int err = argos_fsck(paths, n, &o, &r);

	if (err) {
		snprintf(why, whylen, "fsck could not run: %s", strerror(-err));
		return err;
	}
	if (r.problems || r.exit_code) {
		snprintf(why, whylen, "fsck -f -n: %u problems, exit %d", r.problems, r.exit_code);
		return -EUCLEAN;
	}
	return 0;
}

void tpool_remove(struct tpool *tp)
{
	if (tp->dir[0])
		tutil_rmtree(tp->dir);
	tp->dir[0] = '\0';
	tp->n = 0;
}
