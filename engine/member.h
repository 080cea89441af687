/*
 * member.h — what one path holds: its four superblock copies, decoded.
 *
 * Owns: reading and decoding the superblock areas of a member (front and back
 * copies of slots A and B) and choosing its newest valid copy.  Read-only.
 */
#ifndef ARGOS_MEMBER_H
#define ARGOS_MEMBER_H

#include <stdbool.h>
#include <stdint.h>

#include "ad_format.h"
#include "dev.h"

#define MEMBER_COPIES 4   /* index = slot * 2 + back */

struct sb_copy {
	uint64_t offset;
	unsigned slot;
	bool     back;
	int      status;            /* 0 valid, else the decode error */
	char     why[AD_WHY_MAX];
	struct ad_super sb;         /* valid when status == 0 */
	struct ad_member *mtab;     /* AD_MAX_MEMBERS entries, status == 0 */
};

struct member_probe {
	char    *path;
	int      open_err;          /* 0, or why the path could not be read */
	char     open_why[AD_WHY_MAX];
	struct dev_info info;
	struct sb_copy copy[MEMBER_COPIES];
	int      best;              /* newest valid copy, -1 if none */
	bool     any_magic;         /* some copy carries the superblock magic */
};

static inline unsigned sb_copy_index(unsigned slot, bool back) { return slot * 2 + (back ? 1 : 0); }

/* Probe an already open device.  mp->path is set from dev info. */
int  member_probe_dev(struct dev *d, struct dev_io *io, struct member_probe *mp);
/* Open path read-only, probe it, close it.  Open failures are recorded in
 * mp->open_err (the function still returns 0); returns -ENOMEM only. */
int  member_probe_path(const char *path, struct member_probe *mp);
void member_probe_release(struct member_probe *mp);

/* Decode one superblock area image into c (c->slot must be set); updates
 * *magic.  Returns c->status.  Used by the probes and by crash tests. */
int  member_decode_copy(struct sb_copy *c, const void *buf, size_t len, bool *magic);
/* Recompute mp->best from the copies' status and generations. */
void member_pick_best(struct member_probe *mp);

/* The newest valid copy, or NULL. */
static inline const struct sb_copy *member_best(const struct member_probe *mp)
{
	return mp->best >= 0 ? &mp->copy[mp->best] : NULL;
}

#endif
