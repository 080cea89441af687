/*
 * tutil.c — helpers shared by the unit tests (see tutil.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tutil.h"

int tutil_mkdtemp(const char *tag, char *dir, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if ((size_t)snprintf(dir, len, "%s/argos-%s-XXXXXX", tmp, tag) >= len)
		return -ENAMETOOLONG;
	return mkdtemp(dir) ? 0 : -errno;
}

static int tutil_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

int tutil_rmtree(const char *path)
{
	return nftw(path, tutil_rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -errno;
}

int tutil_mkimage(const char *dir, const char *name, uint64_t size, char *path, size_t len)
{
	int fd, rc = 0;

	if ((size_t)snprintf(path, len, "%s/%s", dir, name) >= len)
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* splitmix64 of (seed, 8-byte word index): any word can be recomputed alone. */
static uint64_t tutil_word(uint64_t seed, uint64_t idx)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ull + idx * 0xbf58476d1ce4e5b9ull + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void tutil_pattern(void *buf, size_t len, uint64_t seed, uint64_t pos)
{
	uint8_t *p = buf;
	uint64_t w = tutil_word(seed, pos / 8);

	for (size_t i = 0; i < len; i++, pos++) {
		if (pos % 8 == 0)
			w = tutil_word(seed, pos / 8);
		p[i] = (uint8_t)(w >> (8 * (pos % 8)));
	}
}

long tutil_check_pattern(const void *buf, size_t len, uint64_t seed, uint64_t pos)
{
	uint8_t want[4096];
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i += sizeof want) {
		size_t n = len - i < sizeof want ? len - i : sizeof want;

		tutil_pattern(want, n, seed, pos + i);
		if (memcmp(p + i, want, n) != 0)
			for (size_t j = 0; j < n; j++)
				if (p[i + j] != want[j])
					return (long)(i + j);
	}
	return -1;
}

int tutil_run(const char *cmd, char *out, size_t outlen)
{
	char line[4096];
	FILE *f;
	int st;

	if (out && outlen)
		out[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		return -errno;
	if (fgets(line, sizeof line, f) && out && outlen) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, outlen, "%s", line);
	}
	while (fgets(line, sizeof line, f))
		;
	st = pclose(f);
	if (st < 0)
		return -errno;
	if (!WIFEXITED(st))
		return -EINTR;
	return WEXITSTATUS(st);
}
