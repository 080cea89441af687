/*
 * ns.h — the namespace's shared internals (inodes, directory entries, inode
 * life and death) used by the ns_*.c operation files.
 *
 * Every helper that takes a struct txn runs inside a store transaction and
 * may return -EAGAIN (a page must be read: the transaction is re-run).
 *
 * Rules kept here:
 *  1. An inode with nlink 0 exists only while a handle holds it open; it is
 *     then on the orphan list (ORPHAN item) and AD_INF_ORPHAN is set.
 *  2. A directory's nlink is 2 + subdirectories (1 once that passes
 *     NS_MAX_LINKS, as ext4's dir_nlink); its nentries counts its entries.
 *  3. Every change sets ctime; entry changes set the directory's mtime too.
 */
#ifndef ARGOS_NS_H
#define ARGOS_NS_H

#include <stdbool.h>
#include <stdint.h>

#include "ad_dirent.h"
#include "ad_items.h"
#include "argosfs.h"
#include "store.h"

struct argos_pool;

#define NS_MAX_LINKS 65000

/* atime policies (enum argos_atime: the pool property "atime", pool_prop.c) */
enum { NS_ATIME_RELATIME = ARGOS_ATIME_RELATIME, NS_ATIME_NOATIME = ARGOS_ATIME_NOATIME,
       NS_ATIME_STRICT = ARGOS_ATIME_STRICT };

uint64_t ns_hash(const struct argos_pool *p, const char *name, size_t len);
/* 0 and *len, or -ENOENT (empty), -ENAMETOOLONG, -EINVAL ('/' in it). */
int  ns_check_name(const char *name, size_t *len);
void ns_now(int64_t *sec, uint32_t *nsec);
void ns_touch(struct ad_inode *in, bool mtime, bool ctime);
void ns_attr(const struct ad_inode *in, uint64_t ino, struct argos_attr *a);
/* ns_attr plus what the file's buffered writes add (size, mtime). */
void ns_attr_live(struct argos_pool *p, const struct ad_inode *in, uint64_t ino,
		  struct argos_attr *a);
uint8_t ns_dtype(uint32_t mode);
bool ns_in_group(const struct argos_cred *cr, uint32_t gid);
bool ns_is_dir(const struct ad_inode *in);

int  ns_get_inode(struct txn *t, uint64_t ino, struct ad_inode *out);
int  ns_put_inode(struct txn *t, uint64_t ino, const struct ad_inode *in);
/* A directory inode, or -ENOENT / -ENOTDIR. */
int  ns_get_dir(struct txn *t, uint64_t ino, struct ad_inode *out);
int  ns_get_pool(struct txn *t, struct ad_poolrec *r);
int  ns_put_pool(struct txn *t, const struct ad_poolrec *r);

struct ns_dent {
	uint64_t ino;
	uint8_t  type;
};

int  ns_dir_find(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
		 size_t len, struct ns_dent *out);
int  ns_dir_insert(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
		   size_t len, uint64_t ino, uint8_t type);
int  ns_dir_delete(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
		   size_t len);
/* Delete an entry and say what it was (one bucket read for the find and the delete:
 * the caller's checks of the inode may still fail the transaction). */
int  ns_dir_take(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
		 size_t len, struct ns_dent *out);
/* Point an existing entry at another inode. */
int  ns_dir_set(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
		size_t len, uint64_t ino, uint8_t type);

/* Directory bookkeeping when a subdirectory comes or goes. */
void ns_dir_add_subdir(struct ad_inode *dir);
void ns_dir_drop_subdir(struct ad_inode *dir);

/*
 * One link of a non-directory inode goes away (unlink, rename over it):
 * nlink drops, and at 0 the inode is destroyed — or orphaned if open.
 * The caller has not written `in` back; this does.
 */
int  ns_drop_link(struct argos_pool *p, struct txn *t, uint64_t ino, struct ad_inode *in);
/* A directory (already unlinked from its parent) goes away, or is orphaned. */
int  ns_drop_dir(struct argos_pool *p, struct txn *t, uint64_t ino, struct ad_inode *in);
/* Delete an inode and everything keyed under it; pool counters follow. */
int  ns_destroy(struct argos_pool *p, struct txn *t, uint64_t ino);

/* Small data kept in INLINE items (symlink targets, small files and tails):
 * items at base, base + 1980, ... each holding up to 1980 bytes. */
#define NS_INLINE_CHUNK (AD_ITEM_MAX - 4)
int  ns_inline_write_at(struct txn *t, uint64_t ino, uint64_t base, const void *data, size_t len);
int  ns_inline_read(struct txn *t, uint64_t ino, void *buf, size_t len);
static inline int ns_inline_write(struct txn *t, uint64_t ino, const void *data, size_t len)
{
	return ns_inline_write_at(t, ino, 0, data, len);
}

/* Data layer hooks: free what a file's data holds beyond newsize / all of it. */
int  ns_data_truncate(struct argos_pool *p, struct txn *t, uint64_t ino, struct ad_inode *in,
		      uint64_t newsize);

/* Update atime after a read of ino, as the pool's atime policy says; in is
 * ino's inode as the reader saw it (NULL: read it here).  A write
 * transaction is opened only when the atime must change. */
void ns_read_atime(struct argos_pool *p, uint64_t ino, const struct ad_inode *in);

/* Free the inodes left on the orphan list (pool open, read-write). */
int  ns_cleanup_orphans(struct argos_pool *p);

#endif
