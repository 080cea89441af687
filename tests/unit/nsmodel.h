/*
 * nsmodel.h — an in-memory model of the namespace for test_ns_model: a
 * tree of names -> inodes with their attributes, link counts, xattrs,
 * symlink targets and open handles, and for every operation the exact
 * result ext4 gives (the errno, checked in the order Linux checks).
 *
 * A model owns the subtree below `root` (the whole filesystem, or one
 * thread's directory).  Values are flat arrays, so a copy (nsm_copy) is a
 * snapshot: the crash tests keep one per operation since the last sync.
 * Names of entries are indices into a fixed table (nsm_name); xattr values
 * and symlink targets are (seed, length) pairs expanded by nsm_xval/nsm_tbyte.
 *
 * Each operation has a predict function (nsm_pred_*: the errno the engine
 * must return, 0 when it must succeed; nothing changes) and an apply
 * function (nsm_do_*: the change, once the engine succeeded).  Credentials
 * are those of argosfs.h; NULL means root.  Directory permission bits are not
 * checked by the namespace (argos_access is the caller's), so never here.
 */
#ifndef ARGOS_NSMODEL_H
#define ARGOS_NSMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "argosfs.h"

#define NSM_NNAMES  18      /* good names (collide on purpose: small alphabet) */
#define NSM_NBAD    5       /* bad names: "", 256 bytes, "a/b", ".", ".." */
#define NSM_BAD_DOT    3
#define NSM_BAD_DOTDOT 4
#define NSM_NXNAMES 7       /* xattr names an inode may hold */
#define NSM_NXBAD   5       /* bad xattr names */
#define NSM_TARGET_MAX 4095

struct nsm_x {
	uint8_t  name;          /* index into nsm_xname() */
	uint32_t vlen, vseed;
};

struct nsm_inode {
	uint64_t ino, gen;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev, size;
	uint64_t parent;        /* directories */
	uint32_t nent, nsub;    /* directories: entries, subdirectories */
	uint32_t tlen, tseed;   /* symlinks */
	uint32_t nopen;         /* handles */
	uint8_t  nx;
	struct nsm_x x[NSM_NXNAMES];
	bool     atime_known, mtime_known, ctime_known;   /* non-directories */
	struct timespec atime, mtime, ctime, btime;
};

struct nsm_ent {
	uint64_t dir, ino;
	uint16_t name;          /* index into nsm_name() */
};

struct nsm_fh {
	uint64_t ino, fh;
};

struct nsm {
	uint64_t root;
	unsigned ni, ci;
	struct nsm_inode *i;
	unsigned ne, ce;
	struct nsm_ent *e;
	unsigned nh, ch;
	struct nsm_fh *h;
};

/* ---- names and values ---------------------------------------------------- */

const char *nsm_name(unsigned idx);        /* good names, 0..NSM_NNAMES-1 */
const char *nsm_bad_name(unsigned idx);    /* 0..NSM_NBAD-1 */
const char *nsm_xname(unsigned idx);       /* 0..NSM_NXNAMES-1 */
const char *nsm_xbad_name(unsigned idx);   /* 0..NSM_NXBAD-1 */
uint8_t nsm_xval(uint32_t seed, size_t i);     /* byte i of an xattr value */
uint8_t nsm_tbyte(uint32_t seed, size_t i);    /* byte i of a symlink target (never NUL) */
/* Printable form of a name for messages (static buffer per call site). */
void nsm_fmt_name(const char *name, char *out, size_t len);

/* ---- the model ------------------------------------------------------------- */

/* Make room for need elements of sz bytes in *arr (capacity *cap); -ENOMEM. */
int  nsm_grow(void **arr, unsigned *cap, unsigned need, size_t sz);

/* A model of the empty directory whose attributes are a (its parent: parent). */
int  nsm_init(struct nsm *m, const struct argos_attr *a, uint64_t parent);
void nsm_free(struct nsm *m);
int  nsm_copy(struct nsm *dst, const struct nsm *src);
/* Add src's inodes, entries and handles to dst; src's root replaces dst's copy. */
int  nsm_merge(struct nsm *dst, const struct nsm *src);

struct nsm_inode *nsm_inode(const struct nsm *m, uint64_t ino);
int  nsm_find(const struct nsm *m, uint64_t dir, unsigned name);   /* entry index or -1 */
bool nsm_is_dir(const struct nsm_inode *in);
uint64_t nsm_expected_size(const struct nsm_inode *in);
/* A crash (or close): every handle goes, and inodes with no link left. */
void nsm_crash(struct nsm *m);
/* Inodes with nlink 0 held by handles. */
unsigned nsm_orphans(const struct nsm *m);

/* ---- operations ------------------------------------------------------------ */

enum nsm_make { NSM_MKNOD, NSM_MKDIR, NSM_SYMLINK, NSM_CREATE };

struct nsm_mk {
	enum nsm_make kind;
	uint64_t parent;
	const char *name;       /* good or bad name */
	int      name_idx;      /* its index when good, else -1 */
	uint32_t mode;          /* mknod: type and permissions; mkdir/create: permissions */
	uint64_t rdev;
	uint32_t tlen, tseed;   /* symlink */
	const struct argos_cred *cr;
};

/* Expected errno; on 0, *tmpl holds the new inode (but ino, gen, btime). */
int  nsm_pred_make(const struct nsm *m, const struct nsm_mk *k, struct nsm_inode *tmpl);
int  nsm_do_make(struct nsm *m, const struct nsm_mk *k, const struct nsm_inode *tmpl,
		 const struct argos_attr *got, uint64_t fh);

int  nsm_pred_link(const struct nsm *m, uint64_t ino, uint64_t parent, const char *name);
int  nsm_do_link(struct nsm *m, uint64_t ino, uint64_t parent, unsigned name);

int  nsm_pred_remove(const struct nsm *m, uint64_t parent, const char *name, bool dir);
void nsm_do_remove(struct nsm *m, uint64_t parent, unsigned name);

int  nsm_pred_rename(const struct nsm *m, uint64_t sp, const char *sn, uint64_t dp,
		     const char *dn, unsigned flags);
int  nsm_do_rename(struct nsm *m, uint64_t sp, unsigned sn, uint64_t dp, unsigned dn,
		   unsigned flags);

int  nsm_pred_setattr(const struct nsm *m, uint64_t ino, const struct argos_attr *a,
		      unsigned what, const struct argos_cred *cr);
void nsm_do_setattr(struct nsm *m, uint64_t ino, const struct argos_attr *a, unsigned what,
		    const struct argos_cred *cr);

/* xattrs: name is a good name (xidx >= 0) or a bad one (xidx -1). */
int  nsm_pred_setxattr(const struct nsm *m, uint64_t ino, const char *name, int xidx,
		       size_t size, int flags, const struct argos_cred *cr);
void nsm_do_setxattr(struct nsm *m, uint64_t ino, unsigned xidx, uint32_t vlen, uint32_t vseed);
int  nsm_pred_removexattr(const struct nsm *m, uint64_t ino, const char *name, int xidx,
			  const struct argos_cred *cr);
void nsm_do_removexattr(struct nsm *m, uint64_t ino, unsigned xidx);

/* lookup: the inode it finds in *ino. */
int  nsm_pred_lookup(const struct nsm *m, uint64_t parent, const char *name, uint64_t *ino);
int  nsm_pred_open(const struct nsm *m, uint64_t ino, int flags);
int  nsm_do_open(struct nsm *m, uint64_t ino, uint64_t fh);
void nsm_do_release(struct nsm *m, unsigned h);   /* index into m->h */
/* 0 for a live directory; -ENOTDIR, -ENOENT otherwise. */
int  nsm_dir_err(const struct nsm *m, uint64_t ino);

#endif /* ARGOS_NSMODEL_H */
