/*
 * tfsck.h — running fsck in cmocka tests of its phases: a pool of image
 * files, fsck in a mode with the codes it reports recorded, checksums of the
 * images (to see that -n wrote nothing), and abandoning a pool as a crash
 * would.  Used by test_fsck_ns.c and test_fsck_data.c.
 */
#ifndef ARGOS_TFSCK_H
#define ARGOS_TFSCK_H

#include <stdbool.h>
#include <stdint.h>

#include "argosfs.h"
#include "tpool.h"

#define TF_MAX_SEEN 64

struct tf_seen {
	char codes[TF_MAX_SEEN][40];
	bool fixed[TF_MAX_SEEN];
	unsigned n;
	bool skipped_clean;
};

struct tf {
	struct tpool tp;
	unsigned n;
	uint32_t sums[TPOOL_MAX];
};

/* n images of size bytes, formatted with o (cmocka failure on error). */
void tf_make(struct tf *f, const char *tag, unsigned n, uint64_t size,
	     const struct argos_mkfs_opts *o);
void tf_remove(struct tf *f);
argos_pool *tf_open(struct tf *f, unsigned flags);
/* Abandon the handle: no checkpoint, no clean flag (as a crash). */
void tf_crash(argos_pool *p);

/* Run fsck (force: -f); returns its exit code, s gets the findings. */
int  tf_fsck(struct tf *f, int mode, bool force, struct tf_seen *s);
bool tf_saw(const struct tf_seen *s, const char *code);
/* Every finding of the last run was one of the codes (NULL-terminated
 * list), and each of them was seen. */
void tf_expect(const struct tf_seen *s, const char *const *codes);
/* Every finding was fixed. */
void tf_all_fixed(const struct tf_seen *s);

/* CRC of every image into f->sums (tf_sums_same: unchanged since). */
void tf_sums(struct tf *f);
void tf_sums_same(struct tf *f);

/*
 * The standard sequence on a damaged pool: fsck -f -n exits 4 with exactly
 * `codes` and changes no image; -f -y exits 1 with every finding fixed; a
 * second -f -n exits 0 with nothing found.
 */
void tf_check_repair(struct tf *f, const char *const *codes);

#endif
