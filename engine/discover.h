/*
 * discover.h — finding candidate member devices and probing them.
 *
 * Owns: the list of places a pool's members may be (explicit paths, regular
 * files in search directories, every block device the kernel lists), probing
 * them read-only, and folding two paths to one device (a loop device and its
 * backing image) into one candidate.
 */
#ifndef ARGOS_DISCOVER_H
#define ARGOS_DISCOVER_H

#include <stdbool.h>

#include "argosfs.h"
#include "member.h"

struct cand_set {
	unsigned n, cap;
	struct member_probe *probes;
	bool *explicit_;          /* named by the caller (not discovered) */
};

void cand_init(struct cand_set *cs);
void cand_release(struct cand_set *cs);
/* Probe path and add it unless the same storage is already in the set. */
int  cand_add(struct cand_set *cs, const char *path, bool explicit_);
/* Add the regular files of a directory (not recursive). */
int  cand_add_dir(struct cand_set *cs, const char *dir);
/* Add every block device with a non-zero size (/sys/class/block). */
int  cand_add_block_devices(struct cand_set *cs);

/*
 * For each path, alias[i] = the index of an earlier path that names the same
 * storage (the same file twice, or a loop device and its backing image), or
 * -1.  Paths that cannot be examined get -1 (opening them reports why).
 */
void paths_aliases(const char *const *paths, unsigned n, int *alias);

#endif
