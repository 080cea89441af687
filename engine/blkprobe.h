/*
 * blkprobe.h — what else a device holds, and wiping it (libblkid).
 *
 * Owns: detection of foreign signatures (filesystems, partition tables, RAID
 * members) through libblkid, detection of ArgosFS members (which libblkid does
 * not know), and wiping every signature libblkid finds (mkfs -f).
 */
#ifndef ARGOS_BLKPROBE_H
#define ARGOS_BLKPROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "dev.h"

struct blk_sig {
	char     type[32];       /* "ext4", "gpt", "linux_raid_member", "argosfs" */
	char     usage[16];      /* "filesystem", "partition table", "raid", "" */
	uint64_t offset;         /* byte offset of the magic */
	char     detail[96];     /* e.g. the pool UUID of an ArgosFS member */
};

/* Fill up to max signatures found on the open device; returns the count or
 * -errno (a libblkid failure). */
int blkprobe_signatures(struct dev *d, struct blk_sig *out, unsigned max);

/* Erase every signature libblkid finds (not the ArgosFS ones: mkfs rewrites
 * those areas).  Returns the number erased or -errno. */
int blkprobe_wipe(struct dev *d);

#endif
