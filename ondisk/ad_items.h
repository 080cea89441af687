/*
 * ad_items.h — values stored in the metadata tree, and page editing helpers.
 *
 * Owns: the byte layout of tree item values (inode, pool counters, extent
 * reference counts) and the in-page operations on leaf and internal pages
 * (search, insert, delete, split support).  Pure code: operates on 4 KiB
 * page images in memory.
 *
 * Every item value starts with a 4-byte prefix:
 *   0 version le16   format version of this record (1)
 *   2 length  le16   bytes of the record, prefix included
 * Readers accept a longer record (newer writer, fields appended) and reject a
 * shorter one than they need.
 */
#ifndef ARGOS_AD_ITEMS_H
#define ARGOS_AD_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_format.h"

/* ---------------------------------------------------------------------- */
/* Inode record: key (ino, AD_KT_INODE, 0), 128 bytes                       */

#define AD_INODE_VERSION 1u
#define AD_INODE_SIZE    128
#define AD_ROOT_INO      1ull    /* the root directory (FUSE_ROOT_ID) */
#define AD_FIRST_INO     2ull    /* first inode number handed out */

/* Inode flags. */
#define AD_INF_INLINE    (1u << 0)  /* data held in INLINE items */
#define AD_INF_ORPHAN    (1u << 1)  /* on the orphan list */
#define AD_INF_KNOWN     (AD_INF_INLINE | AD_INF_ORPHAN)

/*
 *   0  version   le16   1
 *   2  length    le16   128
 *   4  mode      le32   file type and permission bits (S_IF* | 07777)
 *   8  uid       le32
 *   12 gid       le32
 *   16 nlink     le32
 *   20 flags     le32   AD_INF_*
 *   24 size      le64   bytes
 *   32 rdev      le64   device number (character/block devices), Linux dev_t
 *   40 generation le64  inode generation (NFS-style; never reused with ino)
 *   48 atime_sec le64   signed seconds since the epoch
 *   56 mtime_sec le64
 *   64 ctime_sec le64
 *   72 btime_sec le64   birth time
 *   80 atime_nsec le32  0..999999999
 *   84 mtime_nsec le32
 *   88 ctime_nsec le32
 *   92 btime_nsec le32
 *   96 blocks    le64   512-byte units allocated (st_blocks)
 *   104 projid   le32   project id
 *   108 nsubdirs le32   directories: number of subdirectories
 *   112 nentries le64   directories: number of entries (excl. . and ..)
 *   120 parent   le64   directories: the parent directory (root: itself);
 *                       other types: 0
 */
struct ad_inode {
	uint32_t mode, uid, gid, nlink, flags;
	uint64_t size, rdev, generation;
	int64_t  atime_sec, mtime_sec, ctime_sec, btime_sec;
	uint32_t atime_nsec, mtime_nsec, ctime_nsec, btime_nsec;
	uint64_t blocks;
	uint32_t projid, nsubdirs;
	uint64_t nentries;
	uint64_t parent;
};

void ad_inode_encode(const struct ad_inode *ino, uint8_t out[AD_INODE_SIZE]);
int  ad_inode_decode(const void *val, size_t len, struct ad_inode *ino,
		     char *why, size_t whylen);

/* ---------------------------------------------------------------------- */
/* Pool counters: key (0, AD_KT_POOL, 0), 64 bytes                          */

#define AD_POOLREC_VERSION 1u
#define AD_POOLREC_SIZE    64

/*
 *   0  version    le16  1
 *   2  length     le16  64
 *   4  reserved   le32  zero
 *   8  next_ino   le64  next inode number to hand out (>= AD_FIRST_INO)
 *   16 next_igen  le64  next inode generation
 *   24 inodes     le64  inodes in use
 *   32 data_bytes le64  logical bytes of file data
 *   40 reserved   24 bytes zero
 */
struct ad_poolrec {
	uint64_t next_ino, next_igen, inodes, data_bytes;
};

void ad_poolrec_encode(const struct ad_poolrec *p, uint8_t out[AD_POOLREC_SIZE]);
int  ad_poolrec_decode(const void *val, size_t len, struct ad_poolrec *p,
		       char *why, size_t whylen);

/* ---------------------------------------------------------------------- */
/* Extent reference count: key (member, AD_KT_EXTREF, block), 24 bytes      */

#define AD_EXTREF_VERSION 1u
#define AD_EXTREF_SIZE    24

/*
 * Present only for an extent referenced more than once (reflinks, snapshots,
 * dedup); an extent without one is referenced once.  oid = member index,
 * off = member block number of the extent's first block.
 *   0  version   le16  1
 *   2  length    le16  24
 *   4  reserved  le32  zero
 *   8  refs      le64  references to the extent (>= 2)
 *   16 nblocks   le64  length of the extent in blocks (>= 1)
 */
struct ad_extref {
	uint64_t refs, nblocks;
};

void ad_extref_encode(const struct ad_extref *x, uint8_t out[AD_EXTREF_SIZE]);
int  ad_extref_decode(const void *val, size_t len, struct ad_extref *x, char *why, size_t whylen);

/* ---------------------------------------------------------------------- */
/* Leaf pages                                                                */

/* Start an empty leaf (header fields other than level/nitems/data_start are
 * filled by ad_page_seal()). */
void     ad_leaf_init(void *page);
unsigned ad_leaf_nitems(const void *page);
void     ad_leaf_key(const void *page, unsigned i, struct ad_key *k);
const uint8_t *ad_leaf_val(const void *page, unsigned i, size_t *len);
/* Bytes free for one more item (entry + value), after compaction. */
size_t   ad_leaf_free(const void *page);
/* Binary search: index of the first item with key >= k; *found if equal. */
unsigned ad_leaf_search(const void *page, const struct ad_key *k, bool *found);
/* Insert at index i (keys must stay ordered).  -ENOSPC if it does not fit,
 * -E2BIG if len > AD_ITEM_MAX.  Compacts the value area when needed. */
int      ad_leaf_insert(void *page, unsigned i, const struct ad_key *k,
			const void *val, size_t len);
/* Replace the value of item i (same key).  -ENOSPC if it does not fit. */
int      ad_leaf_update(void *page, unsigned i, const void *val, size_t len);
void     ad_leaf_delete(void *page, unsigned i);
/* Move items [from, n) of src into the empty leaf dst (for splits). */
void     ad_leaf_move_tail(void *src, unsigned from, void *dst);
/* Append all items of src to the end of dst; -ENOSPC if they do not fit. */
int      ad_leaf_append(void *dst, const void *src);
/* Bytes used by items (entries + values): for merge decisions. */
size_t   ad_leaf_used(const void *page);

/* ---------------------------------------------------------------------- */
/* Internal pages                                                            */

#define AD_NODE_MAX ((AD_BLOCK - AD_PAGE_HDR) / AD_NODE_ENTRY)   /* 62 */

void     ad_node_init(void *page, unsigned level);
unsigned ad_node_nitems(const void *page);
void     ad_node_key(const void *page, unsigned i, struct ad_key *k);
void     ad_node_set_key(void *page, unsigned i, const struct ad_key *k);
void     ad_node_ptr(const void *page, unsigned i, struct ad_bptr *p);
void     ad_node_set_ptr(void *page, unsigned i, const struct ad_bptr *p);
/* Index of the child covering k: the last entry with key <= k (0 if none). */
unsigned ad_node_search(const void *page, const struct ad_key *k);
/* Insert at index i; -ENOSPC when the page is full. */
int      ad_node_insert(void *page, unsigned i, const struct ad_key *k, const struct ad_bptr *p);
void     ad_node_delete(void *page, unsigned i);
void     ad_node_move_tail(void *src, unsigned from, void *dst);
int      ad_node_append(void *dst, const void *src);

/* Page header fields readable without a full check. */
unsigned ad_page_level(const void *page);

#endif /* ARGOS_AD_ITEMS_H */
