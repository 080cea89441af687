/*
 * ns_util.c — namespace internals: inode and pool records, directory entry
 * buckets, inline data, and the end of an inode's life (see ns.h).
 */
#include <errno.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "data.h"
#include "elog.h"
#include "itab.h"
#include "ns.h"
#include "pool.h"

uint64_t ns_hash(const struct argos_pool *p, const char *name, size_t len)
{
	return ad_name_hash(p->sb.format_id, name, len);
}

int ns_check_name(const char *name, size_t *len)
{
	size_t l = strlen(name);

	if (l == 0)
		return -ENOENT;
	if (l > AD_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', l))
		return -EINVAL;
	*len = l;
	return 0;
}

void ns_now(int64_t *sec, uint32_t *nsec)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = ts.tv_sec;
	*nsec = (uint32_t)ts.tv_nsec;
}

void ns_touch(struct ad_inode *in, bool mtime, bool ctime)
{
	int64_t s;
	uint32_t ns;

	ns_now(&s, &ns);
	if (mtime) {
		in->mtime_sec = s;
		in->mtime_nsec = ns;
	}
	if (ctime) {
		in->ctime_sec = s;
		in->ctime_nsec = ns;
	}
}

bool ns_is_dir(const struct ad_inode *in)
{
	return S_ISDIR(in->mode);
}

void ns_attr(const struct ad_inode *in, uint64_t ino, struct argos_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->generation = in->generation;
	a->mode = in->mode;
	a->nlink = in->nlink;
	a->uid = in->uid;
	a->gid = in->gid;
	a->rdev = in->rdev;
	a->size = S_ISDIR(in->mode) ? 4096 * (1 + in->nentries / 64) : in->size;
	a->blocks = in->blocks;
	a->blksize = 4096;
	a->atime.tv_sec = in->atime_sec;
	a->atime.tv_nsec = in->atime_nsec;
	a->mtime.tv_sec = in->mtime_sec;
	a->mtime.tv_nsec = in->mtime_nsec;
	a->ctime.tv_sec = in->ctime_sec;
	a->ctime.tv_nsec = in->ctime_nsec;
	a->btime.tv_sec = in->btime_sec;
	a->btime.tv_nsec = in->btime_nsec;
}

void ns_attr_live(struct argos_pool *p, const struct ad_inode *in, uint64_t ino,
		  struct argos_attr *a)
{
	ns_attr(in, ino, a);
	if (S_ISREG(in->mode)) {
		int64_t ms = a->mtime.tv_sec;
		uint32_t mns = (uint32_t)a->mtime.tv_nsec;

		data_overlay_attr(p, ino, &a->size, &ms, &mns);
		a->mtime.tv_sec = ms;
		a->mtime.tv_nsec = mns;
	}
}

uint8_t ns_dtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return DT_REG;
	case S_IFDIR: return DT_DIR;
	case S_IFLNK: return DT_LNK;
	case S_IFCHR: return DT_CHR;
	case S_IFBLK: return DT_BLK;
	case S_IFIFO: return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	default: return DT_UNKNOWN;
	}
}

bool ns_in_group(const struct argos_cred *cr, uint32_t gid)
{
	if (cr->gid == gid)
		return true;
	for (unsigned i = 0; i < cr->ngroups; i++)
		if (cr->groups[i] == gid)
			return true;
	return false;
}

/* ---- records ------------------------------------------------------------- */

int ns_get_inode(struct txn *t, uint64_t ino, struct ad_inode *out)
{
	struct ad_key k = { .oid = ino, .type = AD_KT_INODE, .off = 0 };
	uint8_t buf[AD_ITEM_MAX];
	size_t len;
	int err;

	if (ino == 0)
		return -ENOENT;
	err = txn_get(t, &k, buf, sizeof(buf), &len);
	if (err)
		return err;
	return ad_inode_decode(buf, len < sizeof(buf) ? len : sizeof(buf), out, NULL, 0) ? -EIO : 0;
}

int ns_put_inode(struct txn *t, uint64_t ino, const struct ad_inode *in)
{
	struct ad_key k = { .oid = ino, .type = AD_KT_INODE, .off = 0 };
	uint8_t buf[AD_INODE_SIZE];

	ad_inode_encode(in, buf);
	return txn_put(t, &k, buf, sizeof(buf));
}

int ns_get_dir(struct txn *t, uint64_t ino, struct ad_inode *out)
{
	int err = ns_get_inode(t, ino, out);

	if (err)
		return err;
	if (!ns_is_dir(out))
		return -ENOTDIR;
	if (out->nlink == 0)
		return -ENOENT;   /* removed while something still held it */
	return 0;
}

int ns_get_pool(struct txn *t, struct ad_poolrec *r)
{
	struct ad_key k = { .oid = 0, .type = AD_KT_POOL, .off = 0 };
	uint8_t buf[AD_ITEM_MAX];
	size_t len;
	int err = txn_get(t, &k, buf, sizeof(buf), &len);

	if (err)
		return err == -ENOENT ? -EIO : err;
	return ad_poolrec_decode(buf, len < sizeof(buf) ? len : sizeof(buf), r, NULL, 0) ? -EIO : 0;
}

int ns_put_pool(struct txn *t, const struct ad_poolrec *r)
{
	struct ad_key k = { .oid = 0, .type = AD_KT_POOL, .off = 0 };
	uint8_t buf[AD_POOLREC_SIZE];

	ad_poolrec_encode(r, buf);
	return txn_put(t, &k, buf, sizeof(buf));
}

/* ---- directory entries --------------------------------------------------------- */

struct bucket {
	struct ad_key key;
	uint8_t raw[AD_ITEM_MAX];
	struct ad_dirent e[AD_DIRENT_MAX];
	int n;
};

static int load_bucket(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
		       size_t len, struct bucket *b)
{
	size_t vlen;
	int err;

	b->key = (struct ad_key){ .oid = dir, .type = AD_KT_DIRENT,
				  .off = ad_dirent_h(ns_hash(p, name, len)) };
	b->n = 0;
	err = txn_get(t, &b->key, b->raw, sizeof(b->raw), &vlen);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	b->n = ad_dirent_bucket_decode(b->raw, vlen, b->e, NULL, 0);
	return b->n < 0 ? -EIO : 0;
}

static int find_in(const struct bucket *b, const char *name, size_t len)
{
	for (int i = 0; i < b->n; i++)
		if (b->e[i].namelen == len && !memcmp(b->e[i].name, name, len))
			return i;
	return -1;
}

static int store_bucket(struct txn *t, struct bucket *b)
{
	uint8_t out[AD_ITEM_MAX];
	int len;

	if (b->n == 0)
		return txn_del(t, &b->key);
	len = ad_dirent_bucket_encode(b->e, (unsigned)b->n, out, sizeof(out));
	if (len < 0)
		return -ENOSPC;   /* too many long names share one hash */
	return txn_put(t, &b->key, out, (size_t)len);
}

int ns_dir_find(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
		size_t len, struct ns_dent *out)
{
	struct bucket b;
	int err = load_bucket(p, t, dir, name, len, &b), i;

	if (err)
		return err;
	i = find_in(&b, name, len);
	if (i < 0)
		return -ENOENT;
	out->ino = b.e[i].ino;
	out->type = b.e[i].type;
	return 0;
}

int ns_dir_insert(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
		  size_t len, uint64_t ino, uint8_t type)
{
	struct bucket b;
	int err = load_bucket(p, t, dir, name, len, &b);

	if (err)
		return err;
	if (find_in(&b, name, len) >= 0)
		return -EEXIST;
	if (b.n >= AD_DIRENT_MAX)
		return -ENOSPC;
	b.e[b.n++] = (struct ad_dirent){ .ino = ino, .type = type, .namelen = (uint8_t)len,
					 .name = (const uint8_t *)name };
	return store_bucket(t, &b);
}

int ns_dir_delete(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
		  size_t len)
{
	struct ns_dent d;

	return ns_dir_take(p, t, dir, name, len, &d);
}

int ns_dir_take(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
		size_t len, struct ns_dent *out)
{
	struct bucket b;
	int err = load_bucket(p, t, dir, name, len, &b), i;

	if (err)
		return err;
	i = find_in(&b, name, len);
	if (i < 0)
		return -ENOENT;
	out->ino = b.e[i].ino;
	out->type = b.e[i].type;
	memmove(&b.e[i], &b.e[i + 1], (size_t)(b.n - i - 1) * sizeof(b.e[0]));
	b.n--;
	return store_bucket(t, &b);
}

int ns_dir_set(const struct argos_pool *p, struct txn *t, uint64_t dir, const char *name,
	       size_t len, uint64_t ino, uint8_t type)
{
	struct bucket b;
	int err = load_bucket(p, t, dir, name, len, &b), i;

	if (err)
		return err;
	i = find_in(&b, name, len);
	if (i < 0)
		return -ENOENT;
	b.e[i].ino = ino;
	b.e[i].type = type;
	return store_bucket(t, &b);
}

void ns_dir_add_subdir(struct ad_inode *dir)
{
	dir->nsubdirs++;
	dir->nlink = dir->nsubdirs + 2 < NS_MAX_LINKS ? dir->nsubdirs + 2 : 1;
}

void ns_dir_drop_subdir(struct ad_inode *dir)
{
	if (dir->nsubdirs)
		dir->nsubdirs--;
	dir->nlink = dir->nsubdirs + 2 < NS_MAX_LINKS ? dir->nsubdirs + 2 : 1;
}

/* ---- inline data ------------------------------------------------------------------ */

#define INLINE_CHUNK NS_INLINE_CHUNK

int ns_inline_write_at(struct txn *t, uint64_t ino, uint64_t base, const void *data, size_t len)
{
	uint8_t buf[AD_ITEM_MAX];
	int err = 0;

	for (size_t off = 0; off < len && !err; off += INLINE_CHUNK) {
		struct ad_key k = { .oid = ino, .type = AD_KT_INLINE, .off = base + off };
		size_t n = len - off < INLINE_CHUNK ? len - off : INLINE_CHUNK;

		ad_wr16(buf, 1);
		ad_wr16(buf + 2, (uint16_t)(n + 4));
		memcpy(buf + 4, (const uint8_t *)data + off, n);
		err = txn_put(t, &k, buf, n + 4);
	}
	return err;
}

int ns_inline_read(struct txn *t, uint64_t ino, void *data, size_t len)
{
	uint8_t buf[AD_ITEM_MAX];

	for (size_t off = 0; off < len; off += INLINE_CHUNK) {
		struct ad_key k = { .oid = ino, .type = AD_KT_INLINE, .off = off };
		size_t want = len - off < INLINE_CHUNK ? len - off : INLINE_CHUNK, vlen;
		int err = txn_get(t, &k, buf, sizeof(buf), &vlen);

		if (err)
			return err == -ENOENT ? -EIO : err;
		if (vlen < 4 + want || ad_rd16(buf) != 1 || ad_rd16(buf + 2) != vlen)
			return -EIO;
		memcpy((uint8_t *)data + off, buf + 4, want);
	}
	return 0;
}

/* ---- end of life -------------------------------------------------------------------- */

int ns_data_truncate(struct argos_pool *p, struct txn *t, uint64_t ino, struct ad_inode *in,
		     uint64_t newsize)
{
	return data_truncate_txn(p, t, ino, newsize, in ? &in->blocks : NULL);
}

int ns_destroy(struct argos_pool *p, struct txn *t, uint64_t ino)
{
	struct ad_key k = { .oid = ino, .type = 0, .off = 0 }, out;
	struct ad_poolrec pr;
	bool first = true;
	int err;

	err = ns_data_truncate(p, t, ino, NULL, 0);
	if (err)
		return err;
	/* Every item keyed under the inode: the inode, inline data, xattrs... */
	for (;;) {
		err = txn_next(t, &k, first, &out, NULL, 0, NULL);
		first = false;
		if (err == -ENOENT || (!err && out.oid != ino))
			break;
		if (err)
			return err;
		err = txn_del(t, &out);
		if (err)
			return err;
		k = out;
	}
	k = (struct ad_key){ .oid = 0, .type = AD_KT_ORPHAN, .off = ino };
	err = txn_del(t, &k);
	if (err)
		return err;
	err = ns_get_pool(t, &pr);
	if (err)
		return err;
	if (pr.inodes)
		pr.inodes--;
	return ns_put_pool(t, &pr);
}

static int orphan(struct txn *t, uint64_t ino, struct ad_inode *in)
{
	struct ad_key k = { .oid = 0, .type = AD_KT_ORPHAN, .off = ino };
	uint8_t v[4];

	in->flags |= AD_INF_ORPHAN;
	ad_wr16(v, 1);
	ad_wr16(v + 2, 4);
	return txn_put(t, &k, v, sizeof(v)) ?: ns_put_inode(t, ino, in);
}

int ns_drop_link(struct argos_pool *p, struct txn *t, uint64_t ino, struct ad_inode *in)
{
	if (in->nlink)
		in->nlink--;
	ns_touch(in, false, true);
	if (in->nlink > 0)
		return ns_put_inode(t, ino, in);
	if (itab_nopen(&p->itab, ino) > 0)
		return orphan(t, ino, in);
	return ns_destroy(p, t, ino);
}

int ns_drop_dir(struct argos_pool *p, struct txn *t, uint64_t ino, struct ad_inode *in)
{
	in->nlink = 0;
	ns_touch(in, false, true);
	if (itab_nopen(&p->itab, ino) > 0)
		return orphan(t, ino, in);
	return ns_destroy(p, t, ino);
}

/* ---- orphans at open ------------------------------------------------------------------ */

static int reap_one(struct txn *t, void *arg)
{
	struct argos_pool *p = arg;
	struct ad_key k = { .oid = 0, .type = AD_KT_ORPHAN, .off = 0 }, out;
	int err = txn_next(t, &k, true, &out, NULL, 0, NULL);

	if (err == -ENOENT || (!err && (out.oid != 0 || out.type != AD_KT_ORPHAN)))
		return -ENOENT;   /* none left */
	if (err)
		return err;
	return ns_destroy(p, t, out.off);
}

int ns_cleanup_orphans(struct argos_pool *p)
{
	unsigned n = 0;
	int err;

	while ((err = store_txn(&p->st, reap_one, p, 0)) == 0)
		n++;
	if (n)
		elog_notice(&p->log, "freed %u inode(s) left on the orphan list", n);
	return err == -ENOENT ? 0 : err;
}
