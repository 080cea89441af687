/*
 * ad_items.c — encode/decode of tree item values (inode, pool counters,
 * extent reference counts).
 */
#include <errno.h>
#include <string.h>

#include "ad_items.h"

static int rec_prefix(const void *val, size_t len, unsigned need, unsigned version,
		      const char *what, char *why, size_t whylen)
{
	if (len < 4)
		return ad_fail(why, whylen, -EUCLEAN, "%s record too short (%zu bytes)", what, len);
	if (ad_rd16(val) != version)
		return ad_fail(why, whylen, -EUCLEAN, "%s record version %u, expected %u", what,
			       ad_rd16(val), version);
	if (ad_rd16((const uint8_t *)val + 2) != len || len < need)
		return ad_fail(why, whylen, -EUCLEAN, "%s record length %u (item %zu, need %u)",
			       what, ad_rd16((const uint8_t *)val + 2), len, need);
	return 0;
}

void ad_inode_encode(const struct ad_inode *ino, uint8_t o[AD_INODE_SIZE])
{
	memset(o, 0, AD_INODE_SIZE);
	ad_wr16(o + 0, AD_INODE_VERSION);
	ad_wr16(o + 2, AD_INODE_SIZE);
	ad_wr32(o + 4, ino->mode);
	ad_wr32(o + 8, ino->uid);
	ad_wr32(o + 12, ino->gid);
	ad_wr32(o + 16, ino->nlink);
	ad_wr32(o + 20, ino->flags);
	ad_wr64(o + 24, ino->size);
	ad_wr64(o + 32, ino->rdev);
	ad_wr64(o + 40, ino->generation);
	ad_wr64(o + 48, (uint64_t)ino->atime_sec);
	ad_wr64(o + 56, (uint64_t)ino->mtime_sec);
	ad_wr64(o + 64, (uint64_t)ino->ctime_sec);
	ad_wr64(o + 72, (uint64_t)ino->btime_sec);
	ad_wr32(o + 80, ino->atime_nsec);
	ad_wr32(o + 84, ino->mtime_nsec);
	ad_wr32(o + 88, ino->ctime_nsec);
	ad_wr32(o + 92, ino->btime_nsec);
	ad_wr64(o + 96, ino->blocks);
	ad_wr32(o + 104, ino->projid);
	ad_wr32(o + 108, ino->nsubdirs);
	ad_wr64(o + 112, ino->nentries);
	ad_wr64(o + 120, ino->parent);
}

int ad_inode_decode(const void *val, size_t len, struct ad_inode *ino, char *why, size_t whylen)
{
	const uint8_t *o = val;
	int err = rec_prefix(val, len, AD_INODE_SIZE, AD_INODE_VERSION, "inode", why, whylen);

	if (err)
		return err;
	ino->mode = ad_rd32(o + 4);
	ino->uid = ad_rd32(o + 8);
	ino->gid = ad_rd32(o + 12);
	ino->nlink = ad_rd32(o + 16);
	ino->flags = ad_rd32(o + 20);
	ino->size = ad_rd64(o + 24);
	ino->rdev = ad_rd64(o + 32);
	ino->generation = ad_rd64(o + 40);
	ino->atime_sec = (int64_t)ad_rd64(o + 48);
	ino->mtime_sec = (int64_t)ad_rd64(o + 56);
	ino->ctime_sec = (int64_t)ad_rd64(o + 64);
	ino->btime_sec = (int64_t)ad_rd64(o + 72);
	ino->atime_nsec = ad_rd32(o + 80);
	ino->mtime_nsec = ad_rd32(o + 84);
	ino->ctime_nsec = ad_rd32(o + 88);
	ino->btime_nsec = ad_rd32(o + 92);
	ino->blocks = ad_rd64(o + 96);
	ino->projid = ad_rd32(o + 104);
	ino->nsubdirs = ad_rd32(o + 108);
	ino->nentries = ad_rd64(o + 112);
	ino->parent = ad_rd64(o + 120);
	if (ino->flags & ~AD_INF_KNOWN)
		return ad_fail(why, whylen, -EUCLEAN, "inode has unknown flags 0x%x", ino->flags);
	if (ino->atime_nsec > 999999999u || ino->mtime_nsec > 999999999u ||
	    ino->ctime_nsec > 999999999u || ino->btime_nsec > 999999999u)
		return ad_fail(why, whylen, -EUCLEAN, "inode timestamp nanoseconds out of range");
	return 0;
}

void ad_poolrec_encode(const struct ad_poolrec *p, uint8_t o[AD_POOLREC_SIZE])
{
	memset(o, 0, AD_POOLREC_SIZE);
	ad_wr16(o + 0, AD_POOLREC_VERSION);
	ad_wr16(o + 2, AD_POOLREC_SIZE);
	ad_wr64(o + 8, p->next_ino);
	ad_wr64(o + 16, p->next_igen);
	ad_wr64(o + 24, p->inodes);
	ad_wr64(o + 32, p->data_bytes);
}

int ad_poolrec_decode(const void *val, size_t len, struct ad_poolrec *p, char *why, size_t whylen)
{
	const uint8_t *o = val;
	int err = rec_prefix(val, len, AD_POOLREC_SIZE, AD_POOLREC_VERSION, "pool", why, whylen);

	if (err)
		return err;
	p->next_ino = ad_rd64(o + 8);
	p->next_igen = ad_rd64(o + 16);
	p->inodes = ad_rd64(o + 24);
	p->data_bytes = ad_rd64(o + 32);
	if (p->next_ino < AD_FIRST_INO)
		return ad_fail(why, whylen, -EUCLEAN, "pool record: next inode %llu below %llu",
			       (unsigned long long)p->next_ino, (unsigned long long)AD_FIRST_INO);
	return 0;
}

void ad_extref_encode(const struct ad_extref *x, uint8_t o[AD_EXTREF_SIZE])
{
	memset(o, 0, AD_EXTREF_SIZE);
	ad_wr16(o + 0, AD_EXTREF_VERSION);
	ad_wr16(o + 2, AD_EXTREF_SIZE);
	ad_wr64(o + 8, x->refs);
	ad_wr64(o + 16, x->nblocks);
}

int ad_extref_decode(const void *val, size_t len, struct ad_extref *x, char *why, size_t whylen)
{
	const uint8_t *o = val;
	int err = rec_prefix(val, len, AD_EXTREF_SIZE, AD_EXTREF_VERSION, "extent reference", why,
			     whylen);

	if (err)
		return err;
	x->refs = ad_rd64(o + 8);
	x->nblocks = ad_rd64(o + 16);
	if (x->refs < 2)
		return ad_fail(why, whylen, -EUCLEAN, "extent reference record: %llu references "
			       "(an item exists only for 2 or more)", (unsigned long long)x->refs);
	if (x->nblocks == 0)
		return ad_fail(why, whylen, -EUCLEAN, "extent reference record: empty extent");
	return 0;
}
