/*
 * owner.c — user and group names and numbers (see owner.h).
 *
 * A name is looked up first and a number second, as chown(1) does, so a
 * user named "100" wins over uid 100.  Printing remembers the last id asked
 * for, which makes a long listing of one owner's files one lookup.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argosfs.h"
#include "owner.h"

/* A decimal id below 2^32 - 1 (which means "no change" to chown(2)). */
static bool parse_id(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v >= UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int user_id(const char *name, uint32_t *uid, uint32_t *login_gid, bool *has_login)
{
	struct passwd *pw = getpwnam(name);

	if (!pw && parse_id(name, uid))
		pw = getpwuid(*uid);
	else if (pw)
		*uid = (uint32_t)pw->pw_uid;
	else
		return -EINVAL;
	*has_login = pw != NULL;
	if (pw)
		*login_gid = (uint32_t)pw->pw_gid;
	return 0;
}

static int group_id(const char *name, uint32_t *gid)
{
	struct group *gr = getgrnam(name);

	if (gr) {
		*gid = (uint32_t)gr->gr_gid;
		return 0;
	}
	return parse_id(name, gid) ? 0 : -EINVAL;
}

int owner_parse(const char *spec, uint32_t *uid, uint32_t *gid, unsigned *what,
		char *why, size_t whylen)
{
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	char user[256];
	uint32_t login_gid = 0;
	bool has_login = false;

	*what = 0;
	if (ulen >= sizeof(user)) {
		snprintf(why, whylen, "invalid user: '%s'", spec);
		return -EINVAL;
	}
	memcpy(user, spec, ulen);
	user[ulen] = '\0';
	if (ulen) {
		if (user_id(user, uid, &login_gid, &has_login)) {
			snprintf(why, whylen, "invalid user: '%s'", user);
			return -EINVAL;
		}
		*what |= ARGOS_SET_UID;
	}
	if (!colon)
		return 0;
	if (colon[1]) {
		if (group_id(colon + 1, gid)) {
			snprintf(why, whylen, "invalid group: '%s'", colon + 1);
			return -EINVAL;
		}
		*what |= ARGOS_SET_GID;
	} else if (ulen) {
		/* "USER:": the user's login group */
		if (!has_login) {
			snprintf(why, whylen, "no login group for user '%s'", user);
			return -EINVAL;
		}
		*gid = login_gid;
		*what |= ARGOS_SET_GID;
	}
	if (!*what) {
		snprintf(why, whylen, "invalid owner: '%s'", spec);
		return -EINVAL;
	}
	return 0;
}

const char *owner_user_name(uint32_t uid, char *buf, size_t len)
{
	static uint32_t last = UINT32_MAX;
	static char name[64];
	struct passwd *pw;

	if (uid != last) {
		pw = getpwuid(uid);
		if (pw && strlen(pw->pw_name) < sizeof(name))
			snprintf(name, sizeof(name), "%s", pw->pw_name);
		else
			snprintf(name, sizeof(name), "%" PRIu32, uid);
		last = uid;
	}
	snprintf(buf, len, "%s", name);
	return buf;
}

const char *owner_group_name(uint32_t gid, char *buf, size_t len)
{
	static uint32_t last = UINT32_MAX;
	static char name[64];
	struct group *gr;

	if (gid != last) {
		gr = getgrgid(gid);
		if (gr && strlen(gr->gr_name) < sizeof(name))
			snprintf(name, sizeof(name), "%s", gr->gr_name);
		else
			snprintf(name, sizeof(name), "%" PRIu32, gid);
		last = gid;
	}
	snprintf(buf, len, "%s", name);
	return buf;
}
