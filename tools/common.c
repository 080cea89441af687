/*
 * common.c — helpers shared by the command-line tools (see common.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void tool_err(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);                 /* keep stdout and stderr in order */
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void tool_usage_err(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
}

void tool_print_version(const char *prog)
{
	printf("%s %s (libargosfs %s)\n", prog, PACKAGE_VERSION, argos_version());
}

bool tool_stdout_ok(const char *prog)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return true;
	fprintf(stderr, "%s: error writing to standard output\n", prog);
	return false;
}

static void log_to_stderr(void *ctx, int level, const char *msg)
{
	const struct tool_log *tl = ctx;

	fflush(stdout);
	fprintf(stderr, "%s: %s%s\n", tl->prog, level == ARGOS_LOG_WARNING ? "warning: " : "", msg);
}

void tool_log_init(struct tool_log *tl, const char *prog, int max_level)
{
	tl->prog = prog;
	tl->log.fn = log_to_stderr;
	tl->log.ctx = tl;
	tl->log.max_level = max_level;
}

int tool_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	const char *u;
	char *end;
	uint64_t v;
	unsigned shift = 0;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return -EINVAL;
		shift = 10 * (unsigned)(u - units + 1);
		end++;
		if (!strcmp(end, "iB"))
			end += 2;
		if (*end)
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int tool_parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = (unsigned)v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int tool_parse_uuid(const char *s, uint8_t out[16])
{
	unsigned nib = 0;

	if (strlen(s) != 36)
		return -EINVAL;
	for (unsigned i = 0; i < 36; i++) {
		int v;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		v = hexval(s[i]);
		if (v < 0)
			return -EINVAL;
		if (nib % 2 == 0)
			out[nib / 2] = (uint8_t)(v << 4);
		else
			out[nib / 2] |= (uint8_t)v;
		nib++;
	}
	return 0;
}

void tool_format_uuid(const uint8_t u[16], char out[37])
{
	char *p = out;

	for (unsigned i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p += sprintf(p, "%02x", u[i]);
	}
}

bool tool_uuid_is_nil(const uint8_t u[16])
{
	for (unsigned i = 0; i < 16; i++)
		if (u[i])
			return false;
	return true;
}

const char *tool_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t whole = bytes;

	while (whole >= 1024 && u < 6) {
		whole >>= 10;
		u++;
	}
	if (u == 0 || (bytes & ((1ull << (10 * u)) - 1)) == 0)
		snprintf(buf, len, "%" PRIu64 " %s", whole, units[u]);
	else
		snprintf(buf, len, "%.2f %s", (double)bytes / (double)(1ull << (10 * u)), units[u]);
	return buf;
}

int tool_search_add(struct tool_search *s, const char *dir)
{
	char **d = realloc(s->dirs, (s->n + 1) * sizeof(*d));

	if (!d)
		return -ENOMEM;
	s->dirs = d;
	d[s->n] = strdup(dir);
	if (!d[s->n])
		return -ENOMEM;
	s->n++;
	return 0;
}

int tool_search_add_env(struct tool_search *s)
{
	const char *env = getenv(TOOL_SEARCH_ENV);
	char *copy, *save = NULL, *tok;
	int err = 0;

	if (!env || !*env)
		return 0;
	copy = strdup(env);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ":", &save); tok && !err; tok = strtok_r(NULL, ":", &save))
		err = tool_search_add(s, tok);
	free(copy);
	return err;
}

void tool_search_free(struct tool_search *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->dirs[i]);
	free(s->dirs);
	s->dirs = NULL;
	s->n = 0;
}

int tool_resolve_pool(const char *prog, const char *spec, const struct tool_search *s,
		      const struct argos_log *log, char ***paths, unsigned *n)
{
	struct argos_spec_opts o = {
		.search_dirs = (const char *const *)s->dirs,
		.nsearch = s->n,
		.log = log,
	};
	char why[256] = "";
	int err = argos_spec_resolve(spec, &o, paths, n, why, sizeof(why));

	if (err)
		tool_err(prog, "%s: %s", spec, why[0] ? why : argos_strerror(err));
	return err;
}
