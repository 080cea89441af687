/*
 * sbwrite.h — writing superblock generations.
 *
 * Owns: the superblock half of the durability protocol.  Generation G goes to
 * slot G % 2 (front and back copies) of every target member in one batch,
 * then every target is flushed.  The caller must have flushed everything the
 * new generation points at (pages, space maps) before calling.
 */
#ifndef ARGOS_SBWRITE_H
#define ARGOS_SBWRITE_H

#include "ad_format.h"
#include "dev.h"

struct sb_target {
	struct dev     *dev;
	struct ad_super sb;      /* this member's superblock of the new generation */
};

/*
 * Write t[i].sb (all with the same generation) with member table mtab to
 * every target, then flush all of them.  Returns 0, or the first error with
 * the failing member's path in why.
 */
int sb_write_generation(struct dev_io *io, struct sb_target *t, unsigned n,
			const struct ad_member *mtab, char *why, size_t whylen);

/* Write one copy (slot sb->generation % 2, front or back) and flush. */
int sb_write_copy(struct dev_io *io, struct dev *d, const struct ad_super *sb,
		  const struct ad_member *mtab, bool back, char *why, size_t whylen);

/*
 * A member left at generation G-1 by an interrupted update (the table of G
 * still calls it online): build its superblock of G from G's pool-wide
 * fields (g) and its own member-specific ones (own).  When G was a
 * checkpoint, the member's space map of G must be in its other slot.
 * Returns 0, -EUCLEAN when that space map is not there, or I/O errors.
 */
int sb_catch_up(struct dev_io *io, struct dev *d, const struct ad_super *own,
		const struct ad_super *g, struct ad_super *out);

/* Overwrite all four superblock areas of a device with zeros (mkfs). */
int sb_zero_all(struct dev_io *io, struct dev *d, char *why, size_t whylen);

#endif
