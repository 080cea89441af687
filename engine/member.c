/*
 * member.c — read and decode the four superblock copies of a member.
 *
 * Invariants:
 *  1. Every copy is decoded independently; one damaged copy never hides the
 *     others (a short read or I/O error marks only that copy invalid).
 *  2. The best copy is the valid one with the highest generation; on a tie
 *     the front copy wins (both are byte-identical when healthy).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elog.h"
#include "member.h"

int member_decode_copy(struct sb_copy *c, const void *buf, size_t len, bool *magic)
{
	free(c->mtab);
	c->mtab = NULL;
	if (len >= 8 && ad_rd64(buf) == AD_SB_MAGIC)
		*magic = true;
	c->mtab = calloc(AD_MAX_MEMBERS, sizeof(*c->mtab));
	if (!c->mtab)
		return c->status = -ENOMEM;
	c->status = ad_super_decode(buf, len, &c->sb, c->mtab, c->why, sizeof(c->why));
	if (c->status == 0 && c->sb.generation % 2 != c->slot)
		c->status = ewhy(c->why, sizeof(c->why), -EUCLEAN, "generation %llu found in slot %c",
				 (unsigned long long)c->sb.generation, "AB"[c->slot]);
	if (c->status != 0) {
		free(c->mtab);
		c->mtab = NULL;
	}
	return c->status;
}

void member_pick_best(struct member_probe *mp)
{
	mp->best = -1;
	for (int i = 0; i < MEMBER_COPIES; i++) {
		if (mp->copy[i].status != 0)
			continue;
		if (mp->best < 0 || mp->copy[i].sb.generation > mp->copy[mp->best].sb.generation)
			mp->best = i;
	}
}

static void probe_copy(struct dev *d, struct dev_io *io, uint64_t size,
		       struct sb_copy *c, void *buf, bool *magic)
{
	int err;

	if (c->offset + AD_SB_AREA > size) {
		c->status = ewhy(c->why, sizeof(c->why), -ENOSPC,
				 "device too small for a superblock at %llu",
				 (unsigned long long)c->offset);
		return;
	}
	err = dev_pread(io, d, buf, AD_SB_AREA, c->offset);
	if (err < 0) {
		c->status = ewhy(c->why, sizeof(c->why), err, "read error at %llu: %s",
				 (unsigned long long)c->offset, argos_strerror(err));
		return;
	}
	member_decode_copy(c, buf, AD_SB_AREA, magic);
}

int member_probe_dev(struct dev *d, struct dev_io *io, struct member_probe *mp)
{
	const struct dev_info *info = dev_get_info(d);
	void *buf;

	memset(mp, 0, sizeof(*mp));
	mp->best = -1;
	mp->info = *info;
	mp->path = strdup(info->path);
	buf = dev_buf_alloc(AD_SB_AREA);
	if (!mp->path || !buf) {
		free(buf);
		return -ENOMEM;
	}
	for (unsigned slot = 0; slot < 2; slot++) {
		for (unsigned back = 0; back < 2; back++) {
			struct sb_copy *c = &mp->copy[sb_copy_index(slot, back)];

			c->slot = slot;
			c->back = back;
			c->offset = ad_sb_area_offset(slot, back, info->size);
			probe_copy(d, io, info->size, c, buf, &mp->any_magic);
		}
	}
	free(buf);
	member_pick_best(mp);
	return 0;
}

int member_probe_path(const char *path, struct member_probe *mp)
{
	struct dev *d;
	char why[AD_WHY_MAX];
	int err;

	err = dev_open(path, DEV_RDONLY, &d, why, sizeof(why));
	if (err < 0) {
		memset(mp, 0, sizeof(*mp));
		mp->best = -1;
		mp->path = strdup(path);
		if (!mp->path)
			return -ENOMEM;
		mp->open_err = err;
		snprintf(mp->open_why, sizeof(mp->open_why), "%s", why);
		snprintf(mp->info.path, sizeof(mp->info.path), "%s", path);
		return 0;
	}
	err = member_probe_dev(d, NULL, mp);
	dev_close(d);
	return err;
}

void member_probe_release(struct member_probe *mp)
{
	for (int i = 0; i < MEMBER_COPIES; i++) {
		free(mp->copy[i].mtab);
		mp->copy[i].mtab = NULL;
	}
	free(mp->path);
	mp->path = NULL;
}
