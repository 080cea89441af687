/*
 * crash.c — named crash points (see crash.h) and argos_crash_point_name().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash.h"
#include "elog.h"

static const char *const names[] = {
#define x(id, name) name,
	CRASH_POINTS(x)
#undef x
};

const char *crash_point_name(unsigned id)
{
	return id < CRASH_NPOINTS ? names[id] : NULL;
}

const char *argos_crash_point_name(unsigned i)
{
	return crash_point_name(i);
}

int crash_init_env(struct crash *c, char *why, size_t whylen)
{
	const char *v = getenv("ARGOSFS_CRASH_POINT"), *ab = getenv("ARGOSFS_CRASH_ABORT");
	char *copy, *save = NULL, *tok;
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->abort_ = ab && *ab && strcmp(ab, "0");
	if (!v || !*v)
		return 0;
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		unsigned i;

		if (!strcmp(tok, "all")) {
			c->armed = (1ull << CRASH_NPOINTS) - 1;
			continue;
		}
		for (i = 0; i < CRASH_NPOINTS; i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == CRASH_NPOINTS)
			err = ewhy(why, whylen, -EINVAL, "ARGOSFS_CRASH_POINT: unknown crash point "
				   "\"%s\" (see argosfs crash-points)", tok);
		else
			c->armed |= 1ull << i;
	}
	free(copy);
	return err;
}

int crash_point(struct crash *c, enum crash_id id)
{
	if (!crash_armed(c, id))
		return 0;
	if (c->abort_) {
		fprintf(stderr, "argosfs: crash point %s reached: aborting\n", names[id]);
		fflush(stderr);
		abort();
	}
	c->tripped = true;
	return -EIO;
}
