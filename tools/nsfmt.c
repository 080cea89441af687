/*
 * nsfmt.c — attributes as JSON keys and timestamps as text (see nsfmt.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "mode.h"
#include "nsfmt.h"
#include "owner.h"

static void json_time(struct json *j, const char *key, const struct timespec *ts)
{
	json_key(j, key);
	json_begin_object(j);
	json_kv_int(j, "sec", (int64_t)ts->tv_sec);
	json_kv_uint(j, "nsec", (uint64_t)ts->tv_nsec);
	json_end_object(j);
}

void nsfmt_json_attr(struct json *j, const struct argos_attr *a, const char *target)
{
	char ms[11], name[64];

	mode_string(a->mode, ms);
	json_kv_uint(j, "ino", a->ino);
	json_kv_uint(j, "generation", a->generation);
	json_kv_str(j, "type", mode_type_key(a->mode));
	json_kv_uint(j, "mode", a->mode & 07777);
	json_kv_str(j, "mode_string", ms);
	json_kv_uint(j, "nlink", a->nlink);
	json_kv_uint(j, "uid", a->uid);
	json_kv_uint(j, "gid", a->gid);
	json_kv_str(j, "user", owner_user_name(a->uid, name, sizeof(name)));
	json_kv_str(j, "group", owner_group_name(a->gid, name, sizeof(name)));
	json_kv_uint(j, "size", a->size);
	json_kv_uint(j, "blocks", a->blocks);
	json_kv_uint(j, "blksize", a->blksize);
	json_key(j, "rdev");
	if (S_ISCHR(a->mode) || S_ISBLK(a->mode)) {
		json_begin_object(j);
		json_kv_uint(j, "major", major(a->rdev));
		json_kv_uint(j, "minor", minor(a->rdev));
		json_end_object(j);
	} else {
		json_null(j);
	}
	json_time(j, "atime", &a->atime);
	json_time(j, "mtime", &a->mtime);
	json_time(j, "ctime", &a->ctime);
	json_time(j, "btime", &a->btime);
	json_kv_str(j, "target", target);
}

const char *nsfmt_time_full(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char date[32], zone[8];
	time_t t = ts->tv_sec;

	if (!localtime_r(&t, &tm)) {
		snprintf(buf, len, "%" PRId64 ".%09ld", (int64_t)ts->tv_sec, ts->tv_nsec);
		return buf;
	}
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, len, "%s.%09ld %s", date, ts->tv_nsec, zone);
	return buf;
}

const char *nsfmt_time_ls(const struct timespec *ts, char *buf, size_t len)
{
	const time_t six_months = 31556952 / 2;   /* half a Gregorian year, as ls */
	time_t t = ts->tv_sec, now = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		snprintf(buf, len, "%" PRId64, (int64_t)t);
		return buf;
	}
	if (t > now - six_months && t <= now + 60)
		strftime(buf, len, "%b %e %H:%M", &tm);
	else
		strftime(buf, len, "%b %e  %Y", &tm);
	return buf;
}

int nsfmt_readlink(argos_pool *p, argos_ino_t ino, char *buf)
{
	int n = argos_readlink(p, ino, buf, NSFMT_TARGET_MAX - 1);

	if (n < 0)
		return n;
	buf[n] = '\0';
	return 0;
}
