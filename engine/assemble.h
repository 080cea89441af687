/*
 * assemble.h — deciding which pool a set of paths makes and what each is.
 *
 * Owns: pool assembly from member probes.  Takes the pool most paths belong
 * to, its newest valid generation G, the member table of G, and classifies:
 *   every table entry  online / missing / stale (removed entries are skipped)
 *   every other path   foreign / duplicate / not-argos / unreadable
 * Read-only: it never writes, and never makes a stale member current.
 */
#ifndef ARGOS_ASSEMBLE_H
#define ARGOS_ASSEMBLE_H

#include "argosfs.h"
#include "member.h"

struct asm_entry {             /* one member-table entry */
	int      status;           /* ARGOS_MEMBER_ONLINE / MISSING / STALE */
	int      probe;            /* index into the probes, -1 when missing */
	bool     behind;           /* online, but its superblock is at G-1
				    * (a generation update was interrupted) */
	unsigned copies_valid;     /* valid copies of generation G (0..2) */
	char     detail[192];
};

struct assembly {
	unsigned nprobes;
	struct member_probe *probes;   /* not owned */
	int     *probe_status;         /* per probe: ARGOS_MEMBER_* */
	int     *probe_entry;          /* per probe: table index or -1 */
	char   (*probe_detail)[192];

	bool     found;                /* some path holds a valid member */
	uint64_t generation;           /* G */
	int      sb_probe;             /* a probe holding G ... */
	int      sb_copy;              /* ... and its copy index */
	struct ad_super sb;            /* the superblock of G (from sb_probe) */
	struct ad_member mtab[AD_MAX_MEMBERS];
	struct asm_entry entry[AD_MAX_MEMBERS];
	unsigned online, missing, stale, behind, damaged_copies;
	int      health;               /* enum argos_pool_health */
};

/* Returns 0 (a->found tells whether a pool was found) or -ENOMEM. */
int  assemble(struct member_probe *probes, unsigned n, struct assembly *a);
void assembly_release(struct assembly *a);

/* Usable data bytes of a pool: the data areas times k/(k+m). */
uint64_t assembly_usable_bytes(const struct assembly *a);

/* Free the members array of a pool description (not the struct). */
void pool_info_free_members(struct argos_pool_info *p);

/* Fill a public pool description from an assembly.  Returns 0 or -ENOMEM. */
int  assembly_to_info(const struct assembly *a, struct argos_pool_info *pi);

#endif
