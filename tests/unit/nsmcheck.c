/*
 * nsmcheck.c — reading a pool's namespace through the API and comparing it
 * with a model (see nsmcheck.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nsmcheck.h"
#include "ns.h"
#include "pool.h"

static int bad(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static unsigned long long U(uint64_t v)
{
	return (unsigned long long)v;
}

uint64_t nsc_hash(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t k = 0; k < len; k++)
		h = (h ^ b[k]) * 0x100000001b3ull;
	return h;
}

uint64_t nsc_xval_hash(uint32_t seed, uint32_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t k = 0; k < len; k++)
		h = (h ^ nsm_xval(seed, k)) * 0x100000001b3ull;
	return h;
}

uint64_t nsc_target_hash(uint32_t seed, uint32_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t k = 0; k < len; k++)
		h = (h ^ nsm_tbyte(seed, k)) * 0x100000001b3ull;
	return h;
}

static int name_index(const char *name)
{
	for (unsigned k = 0; k < NSM_NNAMES; k++)
		if (!strcmp(nsm_name(k), name))
			return (int)k;
	return -1;
}

static int xname_index(const char *name)
{
	for (unsigned k = 0; k < NSM_NXNAMES; k++)
		if (!strcmp(nsm_xname(k), name))
			return (int)k;
	return -1;
}

/* ---- one inode ------------------------------------------------------------------- */

/* getattr, readlink, listxattr/getxattr of one inode. */
static int read_inode(argos_pool *p, uint64_t ino, struct nsc_ino *o, char *why, size_t len)
{
	static __thread char list[NSM_NXNAMES * 300 + 4096];
	static __thread uint8_t val[65536 + 16];
	int n, err;

	memset(o, 0, sizeof(*o));
	err = argos_getattr(p, ino, &o->a);
	if (err)
		return err == -ENOENT ? -ENOENT : bad(why, len, "getattr(%llu): %s", U(ino),
						      argos_strerror(err));
	if (S_ISLNK(o->a.mode)) {
		char t[NSM_TARGET_MAX + 2];

		n = argos_readlink(p, ino, t, sizeof(t));
		if (n < 0)
			return bad(why, len, "readlink(%llu): %s", U(ino), argos_strerror(n));
		o->tlen = (uint32_t)n;
		o->th = nsc_hash(t, (size_t)n);
	}
	n = argos_listxattr(p, ino, list, sizeof(list));
	if (n < 0)
		return bad(why, len, "listxattr(%llu): %s", U(ino), argos_strerror(n));
	for (int off = 0; off < n; off += (int)strlen(list + off) + 1) {
		struct nsc_x *x;
		int v;

		if (o->nx == NSM_NXNAMES + 1)
			return bad(why, len, "inode %llu: more xattrs than the model has names",
				   U(ino));
		x = &o->x[o->nx++];
		x->idx = xname_index(list + off);
		v = argos_getxattr(p, ino, list + off, val, sizeof(val));
		if (v < 0)
			return bad(why, len, "getxattr(%llu, %s): %s", U(ino), list + off,
				   argos_strerror(v));
		if (argos_getxattr(p, ino, list + off, NULL, 0) != v)
			return bad(why, len, "getxattr(%llu, %s): size query differs from the value",
				   U(ino), list + off);
		x->vlen = (uint32_t)v;
		x->h = nsc_hash(val, (size_t)v);
	}
	return 0;
}

static bool ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static int cmp_inode(const struct nsc_ino *o, const struct nsm_inode *in, char *why, size_t len)
{
	const struct argos_attr *a = &o->a;
	uint64_t ino = in->ino;

	if (a->ino != ino)
		return bad(why, len, "inode %llu: getattr says ino %llu", U(ino), U(a->ino));
	if (a->mode != in->mode)
		return bad(why, len, "inode %llu: mode 0%o, model 0%o", U(ino), a->mode, in->mode);
	if (a->nlink != in->nlink)
		return bad(why, len, "inode %llu: nlink %u, model %u", U(ino), a->nlink, in->nlink);
	if (a->uid != in->uid || a->gid != in->gid)
		return bad(why, len, "inode %llu: owner %u:%u, model %u:%u", U(ino), a->uid, a->gid,
			   in->uid, in->gid);
	if (a->size != nsm_expected_size(in))
		return bad(why, len, "inode %llu: size %llu, model %llu", U(ino), U(a->size),
			   U(nsm_expected_size(in)));
	if (a->rdev != in->rdev)
		return bad(why, len, "inode %llu: rdev %llu, model %llu", U(ino), U(a->rdev),
			   U(in->rdev));
	if (a->generation != in->gen)
		return bad(why, len, "inode %llu: generation %llu, model %llu", U(ino),
			   U(a->generation), U(in->gen));
	if (!ts_eq(&a->btime, &in->btime))
		return bad(why, len, "inode %llu: btime changed", U(ino));
	if (in->atime_known && !ts_eq(&a->atime, &in->atime))
		return bad(why, len, "inode %llu: atime %lld.%09ld, model %lld.%09ld", U(ino),
			   (long long)a->atime.tv_sec, a->atime.tv_nsec, (long long)in->atime.tv_sec,
			   in->atime.tv_nsec);
	if (in->mtime_known && !ts_eq(&a->mtime, &in->mtime))
		return bad(why, len, "inode %llu: mtime %lld.%09ld, model %lld.%09ld", U(ino),
			   (long long)a->mtime.tv_sec, a->mtime.tv_nsec, (long long)in->mtime.tv_sec,
			   in->mtime.tv_nsec);
	if (in->ctime_known && !ts_eq(&a->ctime, &in->ctime))
		return bad(why, len, "inode %llu: ctime %lld.%09ld, model %lld.%09ld", U(ino),
			   (long long)a->ctime.tv_sec, a->ctime.tv_nsec, (long long)in->ctime.tv_sec,
			   in->ctime.tv_nsec);
	if (S_ISLNK(in->mode) && (o->tlen != in->tlen || o->th != nsc_target_hash(in->tseed, in->tlen)))
		return bad(why, len, "inode %llu: symlink target of %u bytes differs from the "
			   "model's (%u bytes)", U(ino), o->tlen, in->tlen);
	if (o->nx != in->nx)
		return bad(why, len, "inode %llu: %u xattrs, model %u", U(ino), o->nx, in->nx);
	for (unsigned k = 0; k < in->nx; k++) {
		const struct nsm_x *mx = &in->x[k];
		unsigned j;

		for (j = 0; j < o->nx; j++)
			if (o->x[j].idx == mx->name)
				break;
		if (j == o->nx)
			return bad(why, len, "inode %llu: xattr %.40s missing", U(ino),
				   nsm_xname(mx->name));
		if (o->x[j].vlen != mx->vlen || o->x[j].h != nsc_xval_hash(mx->vseed, mx->vlen))
			return bad(why, len, "inode %llu: xattr %.40s: %u bytes, model %u (or the "
				   "bytes differ)", U(ino), nsm_xname(mx->name), o->x[j].vlen, mx->vlen);
	}
	return 0;
}

int nsc_inode(argos_pool *p, const struct nsm *m, uint64_t ino, char *why, size_t len)
{
	const struct nsm_inode *in = nsm_inode(m, ino);
	struct nsc_ino o;
	int err = read_inode(p, ino, &o, why, len);

	if (err == -ENOENT)
		return in ? bad(why, len, "inode %llu: getattr says ENOENT, the model has it",
				U(ino)) : 0;
	if (err)
		return err;
	if (!in)
		return bad(why, len, "inode %llu exists, the model freed it (nlink %u)", U(ino),
			   o.a.nlink);
	return cmp_inode(&o, in, why, len);
}

/* ---- directories --------------------------------------------------------------------- */

struct rd_ent {
	char name[256];
	struct argos_attr a;
};

struct rd {
	struct rd_ent *e;
	unsigned n, cap, slice, got;
	uint64_t next;
	bool plus, dup;
	argos_pool *p;
};

static int rd_fn(void *ctx, const char *name, const struct argos_attr *a, uint64_t next)
{
	struct rd *r = ctx;

	if (r->slice && r->got == r->slice)
		return 1;
	if (nsm_grow((void **)&r->e, &r->cap, r->n + 1, sizeof(*r->e)))
		return 1;
	for (unsigned k = 0; k < r->n; k++)
		if (!strcmp(r->e[k].name, name))
			r->dup = true;
	snprintf(r->e[r->n].name, sizeof(r->e[0].name), "%s", name);
	r->e[r->n++].a = *a;
	r->got++;
	r->next = next;
	return 0;
}

/* The whole listing of dir, slice entries per call. */
static int read_dir(argos_pool *p, uint64_t dir, bool plus, unsigned slice, struct rd *r,
		    char *why, size_t len)
{
	uint64_t off = 0;

	memset(r, 0, sizeof(*r));
	r->slice = slice;
	r->plus = plus;
	r->p = p;
	for (unsigned calls = 0;; calls++) {
		unsigned before = r->n;
		int err;

		r->got = 0;
		err = argos_readdir(p, dir, off, plus, rd_fn, r);
		if (err)
			return err == -ENOENT || err == -ENOTDIR ? err :
				bad(why, len, "readdir(%llu): %s", U(dir), argos_strerror(err));
		if (r->n == before || !slice || r->got < slice)
			break;
		off = r->next;
		if (calls > 100000)
			return bad(why, len, "readdir(%llu) does not end", U(dir));
	}
	if (plus)
		for (unsigned k = 0; k < r->n; k++)
			if (strcmp(r->e[k].name, ".") && strcmp(r->e[k].name, ".."))
				argos_forget(p, r->e[k].a.ino, 1);
	if (r->dup)
		return bad(why, len, "readdir(%llu) gave a name twice", U(dir));
	return 0;
}

int nsc_dir(argos_pool *p, const struct nsm *m, uint64_t dir, bool plus, unsigned slice,
	    char *why, size_t len)
{
	const struct nsm_inode *d = nsm_inode(m, dir);
	int err, want = nsm_dir_err(m, dir);
	unsigned nent = 0;
	struct rd r;

	err = read_dir(p, dir, plus, slice, &r, why, len);
	if (err != want) {
		if (err != -1)
			bad(why, len, "readdir(%llu): %s, model: %s", U(dir), argos_strerror(err),
			    argos_strerror(want));
		goto out;
	}
	err = 0;
	if (want)
		goto out;
	for (unsigned k = 0; k < m->ne; k++)
		nent += m->e[k].dir == dir;
	err = -1;
	if (r.n != nent + 2) {
		bad(why, len, "readdir(%llu): %u entries, model %u (+ . and ..)", U(dir), r.n, nent);
		goto out;
	}
	for (unsigned k = 0; k < r.n; k++) {
		const struct rd_ent *e = &r.e[k];
		const struct nsm_inode *in;
		int idx, me;

		if (!strcmp(e->name, ".") || !strcmp(e->name, "..")) {
			uint64_t want_ino = e->name[1] ? d->parent : dir;

			if (e->a.ino != want_ino) {
				bad(why, len, "readdir(%llu): %s is %llu, model %llu", U(dir), e->name,
				    U(e->a.ino), U(want_ino));
				goto out;
			}
			continue;
		}
		idx = name_index(e->name);
		me = idx < 0 ? -1 : nsm_find(m, dir, (unsigned)idx);
		if (me < 0) {
			char nm[128];

			nsm_fmt_name(e->name, nm, sizeof(nm));
			bad(why, len, "readdir(%llu): entry \"%s\" (ino %llu) not in the model", U(dir),
			    nm, U(e->a.ino));
			goto out;
		}
		in = nsm_inode(m, m->e[me].ino);
		if (e->a.ino != in->ino || (e->a.mode & S_IFMT) != (in->mode & S_IFMT)) {
			bad(why, len, "readdir(%llu): \"%.40s\" is ino %llu type 0%o, model %llu 0%o",
			    U(dir), nsm_name((unsigned)idx), U(e->a.ino), e->a.mode & S_IFMT,
			    U(in->ino), in->mode & S_IFMT);
			goto out;
		}
		if (plus && (e->a.nlink != in->nlink || e->a.mode != in->mode ||
			     e->a.size != nsm_expected_size(in))) {
			bad(why, len, "readdirplus(%llu): \"%.40s\": attributes differ from the model",
			    U(dir), nsm_name((unsigned)idx));
			goto out;
		}
	}
	err = 0;
out:
	free(r.e);
	return err;
}

/* ---- a whole subtree ------------------------------------------------------------------ */

static struct nsc_ino *st_ino(const struct nsc_state *s, uint64_t ino)
{
	for (unsigned k = 0; k < s->ni; k++)
		if (s->i[k].a.ino == ino)
			return &s->i[k];
	return NULL;
}

/* Read ino into s unless it is there; *is_new when it was not. */
static int st_add(argos_pool *p, struct nsc_state *s, uint64_t ino, bool *is_new, char *why,
		  size_t len)
{
	int err;

	*is_new = false;
	if (st_ino(s, ino))
		return 0;
	if (nsm_grow((void **)&s->i, &s->ci, s->ni + 1, sizeof(*s->i)))
		return bad(why, len, "out of memory");
	err = read_inode(p, ino, &s->i[s->ni], why, len);
	if (err == -ENOENT)
		return bad(why, len, "inode %llu: getattr says ENOENT (dangling entry or lost orphan)",
			   U(ino));
	if (err)
		return err;
	s->ni++;
	*is_new = true;
	return 0;
}

int nsc_read(argos_pool *p, uint64_t root, const uint64_t *extra, unsigned nextra,
	     unsigned slice, struct nsc_state *s, char *why, size_t len)
{
	bool is_new;
	int err;

	memset(s, 0, sizeof(*s));
	err = st_add(p, s, root, &is_new, why, len);
	for (unsigned k = 0; !err && k < nextra; k++)
		err = st_add(p, s, extra[k], &is_new, why, len);
	/* s->i grows while we walk it: directories are read in the order found. */
	for (unsigned k = 0; !err && k < s->ni; k++) {
		struct rd r;

		if (!S_ISDIR(s->i[k].a.mode) || s->i[k].a.nlink == 0)
			continue;
		err = read_dir(p, s->i[k].a.ino, false, slice, &r, why, len);
		if (err > 0 || err < -1)
			err = bad(why, len, "readdir(%llu): %s", U(s->i[k].a.ino), argos_strerror(err));
		for (unsigned j = 0; !err && j < r.n; j++) {
			const struct rd_ent *e = &r.e[j];
			uint64_t dir = s->i[k].a.ino;

			if (!strcmp(e->name, ".")) {
				s->i[k].dot = e->a.ino;
				continue;
			}
			if (!strcmp(e->name, "..")) {
				s->i[k].dotdot = e->a.ino;
				continue;
			}
			if (nsm_grow((void **)&s->e, &s->ce, s->ne + 1, sizeof(*s->e))) {
				err = bad(why, len, "out of memory");
				break;
			}
			s->e[s->ne++] = (struct nsc_ent){ .dir = dir, .ino = e->a.ino,
							  .name = name_index(e->name),
							  .dtype = e->a.mode & S_IFMT };
			if (s->e[s->ne - 1].name < 0) {
				char nm[128];

				nsm_fmt_name(e->name, nm, sizeof(nm));
				err = bad(why, len, "directory %llu holds \"%s\", a name the model never "
					  "made", U(dir), nm);
				break;
			}
			err = st_add(p, s, e->a.ino, &is_new, why, len);
		}
		free(r.e);
	}
	if (err)
		nsc_free(s);
	return err ? -1 : 0;
}

void nsc_free(struct nsc_state *s)
{
	free(s->i);
	free(s->e);
	memset(s, 0, sizeof(*s));
}

int nsc_diff(const struct nsc_state *s, const struct nsm *m, char *why, size_t len)
{
	for (unsigned k = 0; k < m->ni; k++) {
		const struct nsm_inode *in = &m->i[k];
		const struct nsc_ino *o = st_ino(s, in->ino);

		if (!o)
			return bad(why, len, "inode %llu (model: mode 0%o nlink %u) not found in the "
				   "pool", U(in->ino), in->mode, in->nlink);
		if (cmp_inode(o, in, why, len))
			return -1;
		if (S_ISDIR(in->mode) && in->nlink &&
		    (o->dot != in->ino || o->dotdot != in->parent))
			return bad(why, len, "directory %llu: . is %llu, .. is %llu; model %llu, %llu",
				   U(in->ino), U(o->dot), U(o->dotdot), U(in->ino), U(in->parent));
	}
	if (s->ni != m->ni) {
		for (unsigned k = 0; k < s->ni; k++)
			if (!nsm_inode(m, s->i[k].a.ino))
				return bad(why, len, "the pool has inode %llu (mode 0%o nlink %u), the "
					   "model does not", U(s->i[k].a.ino), s->i[k].a.mode,
					   s->i[k].a.nlink);
	}
	for (unsigned k = 0; k < s->ne; k++) {
		const struct nsc_ent *e = &s->e[k];
		int me = nsm_find(m, e->dir, (unsigned)e->name);

		if (me < 0)
			return bad(why, len, "directory %llu: entry \"%.40s\" -> %llu is not in the model",
				   U(e->dir), nsm_name((unsigned)e->name), U(e->ino));
		if (m->e[me].ino != e->ino)
			return bad(why, len, "directory %llu: \"%.40s\" -> %llu, model -> %llu",
				   U(e->dir), nsm_name((unsigned)e->name), U(e->ino), U(m->e[me].ino));
		if (e->dtype != (nsm_inode(m, e->ino)->mode & S_IFMT))
			return bad(why, len, "directory %llu: \"%.40s\" has type 0%o in readdir",
				   U(e->dir), nsm_name((unsigned)e->name), e->dtype);
	}
	if (s->ne != m->ne)
		return bad(why, len, "the pool has %u entries, the model %u", s->ne, m->ne);
	return 0;
}

int nsc_check(argos_pool *p, const struct nsm *m, unsigned slice, char *why, size_t len)
{
	uint64_t *extra = calloc(m->ni + 1, sizeof(*extra));
	struct nsc_state s;
	unsigned n = 0;
	int err;

	if (!extra)
		return bad(why, len, "out of memory");
	for (unsigned k = 0; k < m->ni; k++)
		if (m->i[k].nlink == 0)
			extra[n++] = m->i[k].ino;
	err = nsc_read(p, m->root, extra, n, slice, &s, why, len);
	if (!err) {
		err = nsc_diff(&s, m, why, len);
		nsc_free(&s);
	}
	free(extra);
	return err;
}

/* ---- the items of the tree ------------------------------------------------------------- */

enum { IT_INODE, IT_INLINE, IT_XATTR, IT_XVAL, IT_DIRENT, IT_OTHER, IT_N };

struct items {
	const struct nsm *m;
	unsigned *cnt;              /* m->ni * IT_N */
	uint64_t *orphans;
	unsigned norphans, corphans;
	struct ad_poolrec pr;
	bool have_pr;
	uint64_t stray_oid;
	unsigned stray_type;
	uint64_t nitems;
};

static int slot_of(unsigned type)
{
	switch (type) {
	case AD_KT_INODE: return IT_INODE;
	case AD_KT_INLINE: return IT_INLINE;
	case AD_KT_XATTR: return IT_XATTR;
	case AD_KT_XVAL: return IT_XVAL;
	case AD_KT_DIRENT: return IT_DIRENT;
	default: return IT_OTHER;
	}
}

static int items_fn(struct txn *t, void *arg)
{
	struct items *it = arg;
	struct ad_key k = { 0 }, out;
	uint8_t buf[AD_ITEM_MAX];
	bool first = true;

	memset(it->cnt, 0, (size_t)it->m->ni * IT_N * sizeof(*it->cnt));
	it->norphans = 0;
	it->have_pr = false;
	it->stray_oid = 0;
	it->nitems = 0;
	for (;;) {
		size_t vlen;
		int err = txn_next(t, &k, first, &out, buf, sizeof(buf), &vlen);

		first = false;
		if (err == -ENOENT)
			return 0;
		if (err)
			return err;
		k = out;
		it->nitems++;
		if (out.oid == 0) {
			if (out.type == AD_KT_POOL)
				it->have_pr = !ad_poolrec_decode(buf, vlen, &it->pr, NULL, 0);
			if (out.type == AD_KT_ORPHAN) {
				if (nsm_grow((void **)&it->orphans, &it->corphans, it->norphans + 1,
					 sizeof(*it->orphans)))
					return -ENOMEM;
				it->orphans[it->norphans++] = out.off;
			}
			continue;
		}
		if (out.type >= AD_KT_ORPHAN)   /* keyed by member (EXTREF) or pool-wide */
			continue;
		{
			const struct nsm_inode *in = nsm_inode(it->m, out.oid);

			if (!in) {
				if (!it->stray_oid) {
					it->stray_oid = out.oid;
					it->stray_type = out.type;
				}
				continue;
			}
			it->cnt[(size_t)(in - it->m->i) * IT_N + (unsigned)slot_of(out.type)]++;
		}
	}
}

static unsigned div_up(unsigned a, unsigned b)
{
	return (a + b - 1) / b;
}

int nsc_items(argos_pool *p, const struct nsm *m, char *why, size_t len)
{
	struct items it = { .m = m };
	unsigned morph = 0;
	int err = -1;

	it.cnt = calloc((size_t)m->ni * IT_N + 1, sizeof(*it.cnt));
	if (!it.cnt)
		return bad(why, len, "out of memory");
	if (store_read(&p->st, items_fn, &it)) {
		bad(why, len, "walking the tree's items failed");
		goto out;
	}
	if (it.stray_oid) {
		bad(why, len, "the tree holds a %s item of inode %llu, which the model freed",
		    ad_key_type_name(it.stray_type) ? ad_key_type_name(it.stray_type) : "?",
		    U(it.stray_oid));
		goto out;
	}
	if (!it.have_pr || it.pr.inodes != m->ni) {
		bad(why, len, "pool counter: %llu inodes, model %u", U(it.pr.inodes), m->ni);
		goto out;
	}
	for (unsigned k = 0; k < m->ni; k++) {
		const struct nsm_inode *in = &m->i[k];
		const unsigned *c = &it.cnt[(size_t)k * IT_N];
		unsigned want[IT_N] = { 1, 0, in->nx, 0, 0, 0 };

		if (S_ISLNK(in->mode))
			want[IT_INLINE] = div_up(in->tlen, AD_ITEM_MAX - 4);
		for (unsigned x = 0; x < in->nx; x++)
			if (in->x[x].vlen > AD_XATTR_INLINE_MAX)
				want[IT_XVAL] += div_up(in->x[x].vlen, AD_XVAL_PART);
		if (S_ISDIR(in->mode))
			want[IT_DIRENT] = in->nent;
		for (unsigned s = 0; s < IT_N; s++)
			if (c[s] != want[s]) {
				static const char *const what[IT_N] = {
					"inode", "inline", "xattr bucket", "xval", "dirent bucket", "other",
				};
				bad(why, len, "inode %llu (mode 0%o): %u %s items, the model implies %u",
				    U(in->ino), in->mode, c[s], what[s], want[s]);
				goto out;
			}
		if (in->nlink == 0) {
			unsigned j;

			morph++;
			for (j = 0; j < it.norphans; j++)
				if (it.orphans[j] == in->ino)
					break;
			if (j == it.norphans) {
				bad(why, len, "inode %llu is an orphan without an orphan record", U(in->ino));
				goto out;
			}
		}
	}
	if (it.norphans != morph) {
		bad(why, len, "%u orphan records, the model has %u orphans", it.norphans, morph);
		goto out;
	}
	err = 0;
out:
	free(it.cnt);
	free(it.orphans);
	return err;
}
