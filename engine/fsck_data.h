/*
 * fsck_data.h — fsck phase 5's view of one stripe, shared by the scan
 * (fsck_data.c) and the repairs (fsck_datafix.c).
 *
 * One stripe at a time is in memory: all k+m chunks read whole, each 4 KiB
 * block marked good (its CRC matched) or not, so memory stays at one
 * stripe's chunks whatever the pool's size.
 */
#ifndef ARGOS_FSCK_DATA_H
#define ARGOS_FSCK_DATA_H

#include <stdbool.h>
#include <stdint.h>

#include "ad_stripe.h"
#include "fsck.h"

struct fsck_stripe {
	uint64_t ino, ws;              /* key (ino, STRIPE, ws) */
	struct ad_stripe s;            /* the record (s.crc: crc below) */
	uint32_t crc[AD_ITEM_MAX / 4];
	uint8_t *buf;                  /* chunk j at j * chunk bytes */
	bool    *ok;                   /* block (j, r) at j * chunk_blocks + r */
	size_t   cap;                  /* bytes buf holds */
	uint64_t missing;              /* chunks on members not here */
	uint64_t damaged;              /* chunks with blocks that are not good */
	unsigned lost_rows;            /* rows with fewer than k good blocks */
	bool     rewritten;            /* a repair rewrote the whole stripe */
};

static inline bool fs_ok(const struct fsck_stripe *f, unsigned j, unsigned r)
{
	return f->ok[(size_t)j * f->s.chunk_blocks + r];
}

/*
 * fsck_datafix.c, with c->pool read-write:
 * rebuild the damaged chunks onto new extents (the engine's repair path when
 * its rows allow, else the stripe is rewritten), or rewrite the stripe whole
 * at the pool's full width through the engine's write path (the file's times
 * kept).  Both need every row to have k good blocks.  0 or -errno.
 */
int fsck_data_repair(struct fsck_ctx *c, void *arg);    /* arg: struct fsck_stripe */
int fsck_data_rewrite(struct fsck_ctx *c, void *arg);

#endif
