/*
 * holder.c — a busy pool: mounted (refuse) or being let go (wait); see holder.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ad_format.h"
#include "elog.h"
#include "holder.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void holder_wait_init(struct holder_wait *w, int busy_wait_ms)
{
	memset(w, 0, sizeof(*w));
	w->start_ns = mono_ns();
	w->bound_ms = busy_wait_ms < 0 ? 0 : busy_wait_ms == 0 ? HOLDER_WAIT_DEFAULT_MS
			: (unsigned)busy_wait_ms;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int holder_mountpoint(const uint8_t uuid[16], char *mnt, size_t len)
{
	char want[64], u[37], *line = NULL;
	size_t cap = 0;
	int found = -ENOENT;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -ENOENT;
	ad_uuid_unparse(uuid, u);
	snprintf(want, sizeof(want), "pool:UUID=%s", u);
	while (found && getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS */
		char *save = NULL, *mp = NULL, *tok;
		int field = 0;
		bool after = false;
		const char *fstype = NULL, *source = NULL;

		line[strcspn(line, "\n")] = '\0';
		for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save), field++) {
			if (field == 4)
				mp = tok;
			else if (!after && field > 5 && !strcmp(tok, "-"))
				after = true;
			else if (after && !fstype)
				fstype = tok;
			else if (after && !source)
				source = tok;
		}
		if (!mp || !fstype || !source || strcmp(fstype, "fuse.argosfs"))
			continue;
		unescape((char *)source);
		if (strcasecmp(source, want))
			continue;
		unescape(mp);
		snprintf(mnt, len, "%s", mp);
		found = 0;
	}
	free(line);
	fclose(f);
	return found;
}

/* Does the superblock name a live process of this host as the pool's holder? */
static bool named_holder(const struct argos_pool_info *pi)
{
	char host[sizeof(pi->mounted_host)];

	if (!pi->mounted_pid || !pi->mounted_host[0])
		return false;
	if (gethostname(host, sizeof(host) - 1) != 0)
		return false;
	host[sizeof(host) - 1] = '\0';
	if (strcmp(host, pi->mounted_host))
		return false;
	return kill((pid_t)pi->mounted_pid, 0) == 0 || errno == EPERM;
}

int holder_wait(struct holder_wait *w, const char *const *paths, unsigned n,
		const struct argos_log *log, const char *inner, char *why, size_t whylen)
{
	struct argos_pool_info *pi = NULL;
	char mnt[512], u[37] = "";
	unsigned bound = w->bound_ms;
	uint64_t waited_ms = (mono_ns() - w->start_ns) / 1000000u;
	bool named = false;
	uint32_t pid = 0;
	struct timespec nap = { 0, HOLDER_POLL_MS * 1000000L };

	if (argos_assemble_info(paths, n, NULL, &pi) == 0 && pi) {
		ad_uuid_unparse(pi->pool_uuid, u);
		if (holder_mountpoint(pi->pool_uuid, mnt, sizeof(mnt)) == 0) {
			argos_pool_info_free(pi);
			return ewhy(why, whylen, -EBUSY, "%s: the pool is mounted on %s", inner, mnt);
		}
		named = named_holder(pi);
		pid = pi->mounted_pid;
		argos_pool_info_free(pi);
	}
	if (!named && bound > HOLDER_GRACE_MS)
		bound = HOLDER_GRACE_MS;
	if (waited_ms >= bound) {
		if (named)
			return ewhy(why, whylen, -EBUSY, "%s: still held by process %u after %u s "
				    "(not mounted here)", inner, pid, (bound + 999) / 1000);
		return ewhy(why, whylen, -EBUSY, "%s (held by another process; not mounted here)",
			    inner);
	}
	if (named && !w->announced) {
		elog_notice(log, "pool %s is not mounted but still held by process %u (a daemon "
			    "writing its last checkpoint?): waiting up to %u s for it to let go",
			    u, pid, (bound + 999) / 1000);
		w->announced = true;
	}
	nanosleep(&nap, NULL);
	return 0;
}
