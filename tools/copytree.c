/*
 * copytree.c — see copytree.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "copytree.h"

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void tw_progress_init(struct tw_progress *pr, const char *prog, bool quiet)
{
	memset(pr, 0, sizeof(*pr));
	pr->prog = prog;
	pr->show = !quiet && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &pr->start);
	pr->last = pr->start;
}

static void draw(struct tw_progress *pr, const struct timespec *now)
{
	double t = secs(&pr->start, now);
	char b[32], r[32];

	fprintf(stderr, "\r%s: %llu files, %s, %s/s%s\033[K", pr->prog,
		(unsigned long long)pr->files, tool_human_size(pr->bytes, b, sizeof(b)),
		tool_human_size(t > 0 ? (uint64_t)((double)pr->bytes / t) : 0, r, sizeof(r)),
		pr->failed ? " (some failed)" : "");
	pr->drawn = true;
}

void tw_progress_add(struct tw_progress *pr, uint64_t bytes)
{
	struct timespec now;

	pr->files++;
	pr->bytes += bytes;
	if (!pr->show)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (secs(&pr->last, &now) >= 0.2) {
		pr->last = now;
		draw(pr, &now);
	}
}

void tw_progress_end(struct tw_progress *pr)
{
	struct timespec now;

	if (!pr->show)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	draw(pr, &now);
	fputc('\n', stderr);
	pr->drawn = false;
}

/* PATH with bytes that are not printable ASCII as \ooo. */
static void put_path(FILE *f, const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\\')
			fputs("\\\\", f);
		else if (isprint(c) && c < 0x80)
			fputc(c, f);
		else
			fprintf(f, "\\%03o", c);
	}
}

void tw_fail(struct tw_progress *pr, const char *path, const char *what, int err)
{
	if (pr->drawn) {
		fputs("\r\033[K", stderr);
		pr->drawn = false;
	}
	fprintf(stderr, "%s: ", pr->prog);
	put_path(stderr, path);
	fprintf(stderr, ": %s%s%s\n", what ? what : "", what ? ": " : "", argos_strerror(err));
	pr->failed++;
}

char *tw_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *s = malloc(dl + nl + 2);

	if (!s)
		return NULL;
	memcpy(s, dir, dl);
	if (dl && dir[dl - 1] != '/')
		s[dl++] = '/';
	memcpy(s + dl, name, nl + 1);
	return s;
}

bool tw_xattr_wanted(const char *name, bool root)
{
	if (!strncmp(name, "user.", 5))
		return true;
	if (!strncmp(name, "trusted.", 8) || !strncmp(name, "security.", 9))
		return root;
	return false;   /* system.* (ACLs): not supported by the pool yet */
}

static size_t slot(uint64_t a, uint64_t b, size_t cap)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull) * 0xbf58476d1ce4e5b9ull;

	return (size_t)(h ^ h >> 29) & (cap - 1);
}

struct tw_link *tw_links_find(struct tw_links *l, uint64_t a, uint64_t b)
{
	if (!l->cap)
		return NULL;
	for (size_t i = slot(a, b, l->cap);; i = (i + 1) & (l->cap - 1)) {
		if (!l->v[i].path)
			return NULL;
		if (l->v[i].a == a && l->v[i].b == b)
			return &l->v[i];
	}
}

int tw_links_add(struct tw_links *l, uint64_t a, uint64_t b, uint64_t val, const char *path)
{
	char *p;

	if ((l->n + 1) * 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct tw_link *v = calloc(cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < l->cap; i++) {
			size_t j;

			if (!l->v[i].path)
				continue;
			for (j = slot(l->v[i].a, l->v[i].b, cap); v[j].path; j = (j + 1) & (cap - 1))
				;
			v[j] = l->v[i];
		}
		free(l->v);
		l->v = v;
		l->cap = cap;
	}
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	for (size_t i = slot(a, b, l->cap);; i = (i + 1) & (l->cap - 1))
		if (!l->v[i].path) {
			l->v[i] = (struct tw_link){ .a = a, .b = b, .val = val, .path = p };
			l->n++;
			return 0;
		}
}

void tw_links_free(struct tw_links *l)
{
	for (size_t i = 0; i < l->cap; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool tw_all_zero(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	return len == 0 || (p[0] == 0 && !memcmp(p, p + 1, len - 1));
}
