/*
 * fsck_ns.h — fsck phase 4's model of the namespace, shared by the scan and
 * the checks (fsck_ns.c) and the repairs (fsck_nsfix.c).
 *
 * The scan walks every item once, in key order, and keeps per inode what its
 * record says and what the other items say about it (names pointing at it,
 * entries and subdirectories found in it, the directory holding it), plus
 * every directory entry (names in one arena).  Item-level findings are
 * collected during the scan and reported after it, since a repair reopens the
 * store read-write.  A repair that succeeds updates the model, so the checks
 * after it see the namespace as the repair left it.
 */
#ifndef ARGOS_FSCK_NS_H
#define ARGOS_FSCK_NS_H

#include <stdbool.h>
#include <stdint.h>

#include "ad_dirent.h"
#include "ad_items.h"
#include "fsck.h"

/* Reachability walk states. */
enum { NSW_NEW = 0, NSW_PATH, NSW_DONE };

struct ns_ino {
	uint64_t ino;
	bool     bad;            /* the record does not decode (phase 2 said so) */
	bool     orphan;         /* an ORPHAN item names it */
	bool     freed;          /* freed by a repair */
	bool     lost;           /* unreachable and left so (not repaired) */
	uint8_t  walk;           /* NSW_* */
	struct ad_inode in;      /* as stored (updated by repairs) */
	uint32_t links;          /* names found pointing at it */
	uint64_t fentries;       /* directories: entries found in it */
	uint32_t fsubdirs;       /* directories: subdirectories found in it */
	uint64_t holder;         /* directories: the directory holding its (kept) name */
	size_t   kept;           /* directories with a holder: index of that entry */
	uint64_t inline_len;     /* bytes of its INLINE items */
	bool     inline_gap;     /* its INLINE items do not follow each other from 0 */
	bool     past_eof;       /* a stripe or inline piece ends beyond the size */
};

/* Entry flags. */
#define NSE_DANGLING 0x1         /* points at no inode */
#define NSE_EXTRA    0x2         /* a second name of a directory */
#define NSE_TYPE     0x4         /* its type is not the inode's */
#define NSE_HASH     0x8         /* in another name's bucket */

struct ns_ent {
	uint64_t dir, h, ino;    /* bucket (dir, DIRENT, h); the inode it names */
	uint64_t name;           /* offset in the name arena */
	uint8_t  namelen, type, flags;
};

/* An item-level finding of the scan, reported after it. */
enum ns_fix_kind {
	NSF_NONE = 0,
	NSF_DEL_ITEM,            /* delete one item (key) */
	NSF_DEL_UNDER,           /* delete the items of `type` under ino (0: every inode-keyed type) */
	NSF_XATTR_DROP,          /* remove attribute `name` from bucket key (and its parts) */
};

struct ns_issue {
	enum fsck_problem code;
	enum ns_fix_kind fix;
	struct ad_key key;
	uint64_t ino;
	uint8_t  type;
	uint64_t count;          /* items it covers */
	uint32_t vlen;           /* XATTR_DROP: the value's length */
	uint8_t  namelen;
	char     name[AD_NAME_MAX + 1];
	char     msg[256];
};

struct ns_model {
	struct ns_ino *in;       /* sorted by ino (key order) */
	size_t nin, capin;
	struct ns_ent *e;
	size_t ne, cape;
	char *names;
	size_t nnames, capnames;
	uint64_t *orphans;       /* inode numbers on the orphan list, sorted */
	size_t norph, caporph;
	struct ns_issue *iss;
	size_t niss, capiss;
	bool have_pool;          /* the pool record was found and decodes */
	uint64_t max_ino, max_gen;
	uint64_t inodes;         /* inode records found (repairs adjust) */
	uint64_t lf;             /* lost+found, 0 until known */
};

struct ns_ino *fsck_nsm_find(struct ns_model *m, uint64_t ino);
const char *fsck_nsm_name(const struct ns_model *m, const struct ns_ent *e);

/* fsck_nsfix.c: repairs, each one store transaction (c->pool read-write).
 * They return 0 or -errno and update the model when they succeed. */
int nsfix_issue(struct fsck_ctx *c, void *arg);          /* arg: struct ns_issue */
struct nsfix_ent {
	struct ns_model *m;
	struct ns_ent *e;
};
int nsfix_ent_remove(struct fsck_ctx *c, void *arg);     /* arg: struct nsfix_ent */
int nsfix_ent_type(struct fsck_ctx *c, void *arg);
int nsfix_ent_move(struct fsck_ctx *c, void *arg);
struct nsfix_ino {
	struct ns_model *m;
	struct ns_ino *i;
	struct ns_ent *cut;      /* reconnect: the entry to remove first (a cycle), or NULL */
};
int nsfix_reconnect(struct fsck_ctx *c, void *arg);      /* into lost+found as "#<ino>" */
int nsfix_free_orphan(struct fsck_ctx *c, void *arg);
int nsfix_unorphan(struct fsck_ctx *c, void *arg);       /* drop the orphan item and flag */
int nsfix_counts(struct fsck_ctx *c, void *arg);         /* nlink, nentries, nsubdirs, parent */
int nsfix_symlink(struct fsck_ctx *c, void *arg);        /* size = the inline bytes */
int nsfix_truncate(struct fsck_ctx *c, void *arg);       /* free data beyond the size */
int nsfix_pool(struct fsck_ctx *c, void *arg);           /* arg: struct ns_model */

/* The link count a directory with n subdirectories has (ns.h rule 2). */
uint32_t nsm_dir_nlink(uint32_t nsubdirs);

#endif
