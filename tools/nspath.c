/*
 * nspath.c — resolving path names inside a pool (see nspath.h).
 *
 * The walk keeps the rest of the path in a buffer; following a symlink
 * replaces the component by the link's target (target + rest), and an
 * absolute target restarts from the root.  At most one directory is held
 * (looked up) at a time besides the result.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "nspath.h"

static void drop(argos_pool *p, argos_ino_t ino, bool *held)
{
	if (*held)
		argos_forget(p, ino, 1);
	*held = false;
}

/* Replace buf[0..pos) by the target of symlink ino: buf = target + buf[pos..]. */
static int splice_link(argos_pool *p, argos_ino_t ino, char *buf, size_t pos, bool *absolute)
{
	char target[NSPATH_MAX];
	size_t rest = strlen(buf + pos);
	int n = argos_readlink(p, ino, target, sizeof(target) - 1);

	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;                 /* an empty target names nothing */
	if ((size_t)n + rest + 1 > NSPATH_MAX)
		return -ENAMETOOLONG;
	memmove(buf + n, buf + pos, rest + 1);
	memcpy(buf, target, (size_t)n);
	*absolute = target[0] == '/';
	return 0;
}

int nspath_resolve(argos_pool *p, const char *path, unsigned flags, struct nspath *out)
{
	char buf[NSPATH_MAX];
	argos_ino_t cur = ARGOS_ROOT_INO;
	bool cur_ref = false;
	unsigned links = 0;
	size_t pos = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (strlen(path) >= NSPATH_MAX)
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (;;) {
		struct argos_attr a;
		size_t start, len, next;
		bool last, slash, absolute;

		while (buf[pos] == '/')
			pos++;
		if (!buf[pos]) {
			/* Nothing left: the path names the directory reached (the root). */
			err = argos_getattr(p, cur, &out->attr);
			if (err)
				goto fail;
			out->parent = out->ino = cur;
			out->ino_ref = cur_ref;
			out->name[0] = '\0';
			out->slash = true;
			return 0;
		}
		start = pos;
		while (buf[pos] && buf[pos] != '/')
			pos++;
		len = pos - start;
		if (len > NSPATH_NAME_MAX) {
			err = -ENAMETOOLONG;
			goto fail;
		}
		memcpy(out->name, buf + start, len);
		out->name[len] = '\0';
		for (next = pos; buf[next] == '/'; next++)
			;
		last = !buf[next];
		slash = buf[pos] == '/';

		err = argos_lookup(p, cur, out->name, &a);
		if (err == -ENOENT && last && (flags & NSPATH_CREATE)) {
			out->parent = cur;
			out->parent_ref = cur_ref;
			out->slash = slash;
			return 0;
		}
		if (err)
			goto fail;
		if (S_ISLNK(a.mode) && (!last || slash || (flags & NSPATH_FOLLOW))) {
			err = ++links > NSPATH_MAX_LINKS ? -ELOOP
				: splice_link(p, a.ino, buf, pos, &absolute);
			argos_forget(p, a.ino, 1);
			if (err)
				goto fail;
			pos = 0;
			if (absolute) {
				drop(p, cur, &cur_ref);
				cur = ARGOS_ROOT_INO;
			}
			continue;
		}
		if ((!last || slash) && !S_ISDIR(a.mode)) {
			argos_forget(p, a.ino, 1);
			err = -ENOTDIR;
			goto fail;
		}
		if (last) {
			out->parent = cur;
			out->parent_ref = cur_ref;
			out->ino = a.ino;
			out->ino_ref = true;
			out->attr = a;
			out->slash = slash;
			return 0;
		}
		drop(p, cur, &cur_ref);
		cur = a.ino;
		cur_ref = true;
	}
fail:
	drop(p, cur, &cur_ref);
	memset(out, 0, sizeof(*out));
	return err;
}

void nspath_release(argos_pool *p, struct nspath *np)
{
	drop(p, np->parent, &np->parent_ref);
	drop(p, np->ino, &np->ino_ref);
}

bool nspath_is_root(const struct nspath *np)
{
	return np->ino == ARGOS_ROOT_INO;
}
