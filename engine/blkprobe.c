/*
 * blkprobe.c — foreign and ArgosFS signature detection, wiping (blkprobe.h).
 *
 * libblkid is driven as wipefs(8) drives it: superblocks (with type, usage
 * and magic offset) and partition tables, probed one at a time with
 * blkid_do_probe(); blkid_do_wipe() erases the magic of the current one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <blkid/blkid.h>

#include "ad_format.h"
#include "blkprobe.h"
#include "member.h"

static blkid_probe new_probe(struct dev *d)
{
	blkid_probe pr = blkid_new_probe();

	if (!pr)
		return NULL;
	if (blkid_probe_set_device(pr, dev_fd(d), 0, 0) != 0) {
		blkid_free_probe(pr);
		return NULL;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE |
				BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC | BLKID_PARTS_FORCE_GPT);
	return pr;
}

static void lookup(blkid_probe pr, const char *name, char *out, size_t len)
{
	const char *v = NULL;

	out[0] = '\0';
	if (blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v)
		snprintf(out, len, "%s", v);
}

static void describe(blkid_probe pr, struct blk_sig *s)
{
	char off[32];

	memset(s, 0, sizeof(*s));
	lookup(pr, "TYPE", s->type, sizeof(s->type));
	lookup(pr, "USAGE", s->usage, sizeof(s->usage));
	lookup(pr, "SBMAGIC_OFFSET", off, sizeof(off));
	if (!s->type[0]) {
		lookup(pr, "PTTYPE", s->type, sizeof(s->type));
		snprintf(s->usage, sizeof(s->usage), "partition table");
		lookup(pr, "PTMAGIC_OFFSET", off, sizeof(off));
	}
	s->offset = strtoull(off, NULL, 10);
	lookup(pr, "UUID", s->detail, sizeof(s->detail));
}

static int argos_signature(struct dev *d, struct blk_sig *s)
{
	struct member_probe mp;
	const struct sb_copy *c;
	int err = member_probe_dev(d, NULL, &mp);

	if (err)
		return err;
	if (!mp.any_magic) {
		member_probe_release(&mp);
		return 0;
	}
	memset(s, 0, sizeof(*s));
	snprintf(s->type, sizeof(s->type), "argosfs");
	snprintf(s->usage, sizeof(s->usage), "filesystem");
	c = member_best(&mp);
	for (int i = 0; i < MEMBER_COPIES; i++)
		if (mp.copy[i].status != -ENOMSG) {
			s->offset = mp.copy[i].offset;
			break;
		}
	if (c) {
		char uuid[37];

		ad_uuid_unparse(c->sb.pool_uuid, uuid);
		snprintf(s->detail, sizeof(s->detail), "member %u of pool %s", c->sb.member_index, uuid);
	} else {
		snprintf(s->detail, sizeof(s->detail), "damaged ArgosFS superblocks");
	}
	member_probe_release(&mp);
	return 1;
}

int blkprobe_signatures(struct dev *d, struct blk_sig *out, unsigned max)
{
	blkid_probe pr;
	unsigned n = 0;
	int rc;

	if (max == 0)
		return 0;
	rc = argos_signature(d, &out[n]);
	if (rc < 0)
		return rc;
	n += (unsigned)rc;
	pr = new_probe(d);
	if (!pr)
		return -ENOMEM;
	while (n < max && (rc = blkid_do_probe(pr)) == 0)
		describe(pr, &out[n++]);
	blkid_free_probe(pr);
	return rc < 0 ? -EIO : (int)n;
}

int blkprobe_wipe(struct dev *d)
{
	blkid_probe pr = new_probe(d);
	int n = 0, rc;

	if (!pr)
		return -ENOMEM;
	while ((rc = blkid_do_probe(pr)) == 0) {
		if (blkid_do_wipe(pr, 0) != 0) {
			blkid_free_probe(pr);
			return -EIO;
		}
		n++;
	}
	blkid_free_probe(pr);
	return rc < 0 ? -EIO : n;
}
