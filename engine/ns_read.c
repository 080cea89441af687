/*
 * ns_read.c — namespace operations that only look: lookup, getattr,
 * readlink, readdir, access, statfs, forget.  They run under the store's
 * shared lock, so they never block each other.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "elog.h"
#include "itab.h"
#include "ns.h"
#include "pool.h"

struct look {
	struct argos_pool *p;
	uint64_t parent, ino;
	const char *name;
	size_t len;
	struct ad_inode in;
};

static int lookup_fn(struct txn *t, void *arg)
{
	struct look *l = arg;
	struct ad_inode dir;
	struct ns_dent d;
	int err = ns_get_dir(t, l->parent, &dir);

	if (err)
		return err;
	if (l->len == 1 && l->name[0] == '.') {
		l->ino = l->parent;
	} else if (l->len == 2 && !memcmp(l->name, "..", 2)) {
		l->ino = dir.parent ? dir.parent : l->parent;
	} else {
		err = ns_dir_find(l->p, t, l->parent, l->name, l->len, &d);
		if (err)
			return err;
		l->ino = d.ino;
	}
	err = ns_get_inode(t, l->ino, &l->in);
	return err == -ENOENT ? -EIO : err;   /* a dangling entry is damage */
}

int argos_lookup(argos_pool *p, argos_ino_t parent, const char *name, struct argos_attr *out)
{
	struct look l = { .p = p, .parent = parent, .name = name };
	int err = ns_check_name(name, &l.len);

	if (err)
		return err;
	err = store_read(&p->st, lookup_fn, &l);
	if (err)
		return err;
	ns_attr_live(p, &l.in, l.ino, out);
	return itab_lookup(&p->itab, l.ino, 1);
}

void argos_forget(argos_pool *p, argos_ino_t ino, uint64_t nlookup)
{
	itab_forget(&p->itab, ino, nlookup);
}

struct getattr_arg {
	uint64_t ino;
	struct ad_inode in;
};

static int getattr_fn(struct txn *t, void *arg)
{
	struct getattr_arg *g = arg;

	return ns_get_inode(t, g->ino, &g->in);
}

int argos_getattr(argos_pool *p, argos_ino_t ino, struct argos_attr *out)
{
	struct getattr_arg g = { .ino = ino };
	int err = store_read(&p->st, getattr_fn, &g);

	if (!err)
		ns_attr_live(p, &g.in, ino, out);
	return err;
}

struct readlink_arg {
	uint64_t ino;
	char *buf;
	size_t size, len;
};

static int readlink_fn(struct txn *t, void *arg)
{
	struct readlink_arg *r = arg;
	struct ad_inode in;
	char *target;
	int err = ns_get_inode(t, r->ino, &in);

	if (err)
		return err;
	if (!S_ISLNK(in.mode))
		return -EINVAL;
	if (in.size > 4095)
		return -EIO;
	target = malloc(in.size ? in.size : 1);
	if (!target)
		return -ENOMEM;
	err = ns_inline_read(t, r->ino, target, in.size);
	if (!err) {
		r->len = in.size < r->size ? in.size : r->size;
		memcpy(r->buf, target, r->len);
	}
	free(target);
	return err;
}

int argos_readlink(argos_pool *p, argos_ino_t ino, char *buf, size_t size)
{
	struct readlink_arg r = { .ino = ino, .buf = buf, .size = size };
	int err = store_read(&p->st, readlink_fn, &r);

	return err ? err : (int)r.len;
}

/* ---- readdir ------------------------------------------------------------------ */

#define RD_BATCH 128

struct rd_ent {
	char     name[AD_NAME_MAX + 1];
	struct argos_attr attr;
	uint64_t next;
};

struct rd_arg {
	struct argos_pool *p;
	uint64_t dir, off;
	bool plus;
	unsigned n;
	bool end;
	struct rd_ent *e;
};

static int rd_add(struct rd_arg *r, struct txn *t, const char *name, size_t len, uint64_t ino,
		  uint8_t type, uint64_t next)
{
	struct rd_ent *e = &r->e[r->n];

	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->next = next;
	memset(&e->attr, 0, sizeof(e->attr));
	e->attr.ino = ino;
	e->attr.mode = (uint32_t)DTTOIF(type);
	if (r->plus) {
		struct ad_inode in;
		int err = ns_get_inode(t, ino, &in);

		if (err)
			return err == -ENOENT ? -EIO : err;
		ns_attr(&in, ino, &e->attr);
	}
	r->n++;
	return 0;
}

static int readdir_fn(struct txn *t, void *arg)
{
	struct rd_arg *r = arg;
	struct ad_inode dir;
	struct ad_key k, out;
	uint8_t raw[AD_ITEM_MAX];
	uint64_t off = r->off;
	size_t vlen;
	int err = ns_get_dir(t, r->dir, &dir);

	r->n = 0;
	r->end = false;
	if (err)
		return err;
	if (off == 0) {
		err = rd_add(r, t, ".", 1, r->dir, DT_DIR, 1);
		off = 1;
	}
	if (!err && off == 1) {
		err = rd_add(r, t, "..", 2, dir.parent ? dir.parent : r->dir, DT_DIR, 2);
		off = 2;
	}
	if (err)
		return err;
	k = (struct ad_key){ .oid = r->dir, .type = AD_KT_DIRENT, .off = off < 16 ? 1 : off >> 4 };
	while (r->n + AD_DIRENT_MAX <= RD_BATCH) {
		struct ad_dirent e[AD_DIRENT_MAX];
		unsigned skip;
		int n;

		err = txn_next(t, &k, true, &out, raw, sizeof(raw), &vlen);
		if (err == -ENOENT || (!err && (out.oid != r->dir || out.type != AD_KT_DIRENT))) {
			r->end = true;
			return 0;
		}
		if (err)
			return err;
		n = ad_dirent_bucket_decode(raw, vlen, e, NULL, 0);
		if (n < 0)
			return -EIO;
		skip = (off >> 4) == out.off ? (unsigned)(off & 15) : 0;
		for (unsigned i = skip; i < (unsigned)n; i++) {
			err = rd_add(r, t, (const char *)e[i].name, e[i].namelen, e[i].ino, e[i].type,
				     (out.off << 4) | (i + 1));
			if (err)
				return err;
		}
		k = out;
		k.off++;
	}
	return 0;
}

int argos_readdir(argos_pool *p, argos_ino_t dir, uint64_t off, bool plus, argos_dirent_fn fn,
		  void *ctx)
{
	struct rd_arg r = { .p = p, .dir = dir, .off = off, .plus = plus };
	int err = 0;

	r.e = malloc(RD_BATCH * sizeof(*r.e));
	if (!r.e)
		return -ENOMEM;
	for (;;) {
		bool stopped = false;

		err = store_read(&p->st, readdir_fn, &r);
		if (err)
			break;
		for (unsigned i = 0; i < r.n; i++) {
			const char *nm = r.e[i].name;

			if (fn(ctx, nm, &r.e[i].attr, r.e[i].next)) {
				stopped = true;
				break;
			}
			if (plus && strcmp(nm, ".") && strcmp(nm, ".."))
				itab_lookup(&p->itab, r.e[i].attr.ino, 1);
			r.off = r.e[i].next;
		}
		if (stopped || r.end || r.n == 0)
			break;
	}
	free(r.e);
	if (!err)
		ns_read_atime(p, dir, NULL);
	return err;
}

/* ---- access, statfs -------------------------------------------------------------- */

int argos_access(argos_pool *p, argos_ino_t ino, int mask, const struct argos_cred *cr)
{
	struct getattr_arg g = { .ino = ino };
	unsigned bits;
	int err = store_read(&p->st, getattr_fn, &g);

	if (err || mask == F_OK)
		return err;
	if (cr->uid == 0) {
		/* root: read and write always; execute if anyone may (or a directory) */
		if ((mask & X_OK) && !S_ISDIR(g.in.mode) && !(g.in.mode & 0111))
			return -EACCES;
		return 0;
	}
	if (cr->uid == g.in.uid)
		bits = (g.in.mode >> 6) & 7;
	else if (ns_in_group(cr, g.in.gid))
		bits = (g.in.mode >> 3) & 7;
	else
		bits = g.in.mode & 7;
	if (((mask & R_OK) && !(bits & 4)) || ((mask & W_OK) && !(bits & 2)) ||
	    ((mask & X_OK) && !(bits & 1)))
		return -EACCES;
	return 0;
}

static int pool_rec_fn(struct txn *t, void *arg)
{
	return ns_get_pool(t, arg);
}

int argos_statfs(argos_pool *p, struct argos_statfs *out)
{
	struct ad_poolrec pr;
	uint64_t total, used, pending, reserve = 0;
	unsigned k = p->sb.k, m = p->sb.m;
	int err = store_read(&p->st, pool_rec_fn, &pr);

	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	alloc_totals(&p->st.alloc, &total, &used, &pending);
	for (unsigned i = 0; i < p->st.alloc.n; i++)
		if (p->st.alloc.m[i].present)
			reserve += p->st.alloc.m[i].reserve;
	/* Data capacity after parity: every k blocks of data cost k+m. */
	out->bsize = AD_BLOCK;
	out->blocks = total / (k + m) * k;
	out->bfree = (total - (used < total ? used : total)) / (k + m) * k;
	out->bavail = out->bfree > reserve ? out->bfree - reserve : 0;
	out->files = pr.inodes + out->bfree;
	out->ffree = out->bfree;
	out->namemax = AD_NAME_MAX;
	return 0;
}
