/*
 * nsmrun.c — random namespace operations against a pool and a model (see
 * nsmrun.h): drawing them, predicting, running, following, and the crash
 * candidates.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "nsmcheck.h"
#include "nsmrun.h"

#define SNAP_MAX 48        /* changes kept since the durable point; then sync */

static const uint32_t grp50[] = { 50 };
static const struct argos_cred cred_u = { .uid = 1000, .gid = 1000, .ngroups = 1,
					  .groups = grp50, .umask = 022 };
static const struct argos_cred cred_v = { .uid = 2000, .gid = 2000, .umask = 077 };

static const char *const kind_name[NSR_NKINDS] = {
	"make", "link", "unlink", "rmdir", "rename", "setattr", "setxattr", "removexattr",
	"open", "release", "lookup", "getattr", "readdir",
};

/* ---- basics ---------------------------------------------------------------------- */

uint64_t nsr_rand(struct nsr *r)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

unsigned nsr_below(struct nsr *r, unsigned n)
{
	return n ? (unsigned)(nsr_rand(r) % n) : 0;
}

static bool pct(struct nsr *r, unsigned p)
{
	return nsr_below(r, 100) < p;
}

int nsr_fail(struct nsr *r, const char *fmt, ...)
{
	size_t o;
	va_list ap;

	if (r->failed)
		return -1;
	r->failed = true;
	o = (size_t)snprintf(r->why, sizeof(r->why), "runner %d, seed %#llx (ARGOS_SEED), op %lu: ",
			     r->id, (unsigned long long)r->seed, r->nops);
	va_start(ap, fmt);
	o += (size_t)vsnprintf(r->why + o, sizeof(r->why) - o, fmt, ap);
	va_end(ap);
	for (unsigned k = r->nlast > NSR_LAST ? r->nlast - NSR_LAST : 0; k < r->nlast; k++)
		if (o < sizeof(r->why))
			o += (size_t)snprintf(r->why + o, sizeof(r->why) - o, "\n  %s",
					      r->last[k % NSR_LAST]);
	return -1;
}

static int add_seen(struct nsr *r, uint64_t ino)
{
	if (nsm_grow((void **)&r->seen, &r->cseen, r->nseen + 1, sizeof(*r->seen)))
		return nsr_fail(r, "out of memory");
	r->seen[r->nseen++] = ino;
	return 0;
}

/* ---- durability bookkeeping ------------------------------------------------------------ */

static void drop_snaps(struct nsr *r)
{
	for (unsigned k = 0; k < r->nsnap; k++)
		nsm_free(&r->snap[k]);
	r->nsnap = 0;
}

static int push_snap(struct nsr *r)
{
	if (!r->track)
		return 0;
	if (nsm_grow((void **)&r->snap, &r->csnap, r->nsnap + 1, sizeof(*r->snap)))
		return nsr_fail(r, "out of memory");
	if (nsm_copy(&r->snap[r->nsnap], &r->m))
		return nsr_fail(r, "out of memory");
	r->nsnap++;
	return 0;
}

/* Everything so far is durable: the model now is the only candidate. */
static int durable(struct nsr *r)
{
	drop_snaps(r);
	return push_snap(r);
}

int nsr_init(struct nsr *r, argos_pool *p, uint64_t root, uint64_t parent, uint64_t seed, int id)
{
	struct argos_attr a;
	int err;

	memset(r, 0, sizeof(*r));
	r->p = p;
	r->seed = seed;
	r->rng = seed ^ ((uint64_t)(id + 2) * 0xd1b54a32d192ed03ull);
	r->id = id;
	r->max_inodes = 250;
	err = argos_getattr(p, root, &a);
	if (err)
		return nsr_fail(r, "getattr(%llu): %s", (unsigned long long)root, argos_strerror(err));
	if (nsm_init(&r->m, &a, parent))
		return nsr_fail(r, "out of memory");
	return 0;
}

void nsr_free(struct nsr *r)
{
	drop_snaps(r);
	free(r->snap);
	free(r->seen);
	nsm_free(&r->m);
}

/* ---- drawing operations -------------------------------------------------------------------- */

static uint64_t dead_ino(struct nsr *r)
{
	for (int tries = 0; tries < 8 && r->nseen; tries++) {
		uint64_t ino = r->seen[nsr_below(r, r->nseen)];

		if (!nsm_inode(&r->m, ino))
			return ino;
	}
	return 0xfffffff0ull + nsr_below(r, 8);
}

static uint64_t pick_dir(struct nsr *r)
{
	unsigned n = 0, k, want;

	if (pct(r, 4)) {
		switch (nsr_below(r, 3)) {
		case 0:
			return dead_ino(r);
		case 1:   /* an orphaned directory, or any inode */
			for (k = 0; k < r->m.ni; k++)
				if (nsm_is_dir(&r->m.i[k]) && r->m.i[k].nlink == 0)
					return r->m.i[k].ino;
			/* fall through */
		default:
			return r->m.i[nsr_below(r, r->m.ni)].ino;
		}
	}
	for (k = 0; k < r->m.ni; k++)
		n += nsm_is_dir(&r->m.i[k]) && r->m.i[k].nlink;
	want = nsr_below(r, n);
	for (k = 0; k < r->m.ni; k++)
		if (nsm_is_dir(&r->m.i[k]) && r->m.i[k].nlink && want-- == 0)
			return r->m.i[k].ino;
	return r->m.root;
}

static uint64_t pick_ino(struct nsr *r)
{
	if (pct(r, 4))
		return dead_ino(r);
	return r->m.i[nsr_below(r, r->m.ni)].ino;
}

/* A name: mostly good ones (they collide), sometimes a bad one. */
static const char *pick_name(struct nsr *r, int *idx)
{
	if (pct(r, 6)) {
		*idx = -1;
		return nsm_bad_name(nsr_below(r, NSM_NBAD));
	}
	*idx = (int)nsr_below(r, NSM_NNAMES);
	return nsm_name((unsigned)*idx);
}

/* An existing entry (most of the time), or any (dir, name). */
static void pick_entry(struct nsr *r, uint64_t *dir, const char **name, int *idx, bool want_dir)
{
	if (r->m.ne && pct(r, 85)) {
		unsigned e = nsr_below(r, r->m.ne);

		for (int tries = 0; want_dir && tries < 6; tries++) {
			if (nsm_is_dir(nsm_inode(&r->m, r->m.e[e].ino)))
				break;
			e = nsr_below(r, r->m.ne);
		}
		*dir = r->m.e[e].dir;
		*idx = r->m.e[e].name;
		*name = nsm_name(r->m.e[e].name);
		return;
	}
	*dir = pick_dir(r);
	*name = pick_name(r, idx);
}

static const struct argos_cred *pick_cred(struct nsr *r, unsigned root_pct)
{
	if (pct(r, root_pct))
		return NULL;
	return pct(r, 60) ? &cred_u : &cred_v;
}

static uint32_t pick_perm(struct nsr *r)
{
	static const uint32_t common[] = { 0644, 0755, 0600, 0700, 0777, 02775, 04755, 01777 };

	return pct(r, 60) ? common[nsr_below(r, 8)] : (uint32_t)nsr_below(r, 010000);
}

static void gen_make(struct nsr *r, struct nsr_op *o)
{
	static const uint32_t types[] = { S_IFREG, S_IFREG, S_IFREG, S_IFIFO, S_IFSOCK, S_IFCHR,
					  S_IFBLK, 0, S_IFDIR, 0170000, 0110000 };
	struct nsm_mk *k = &o->mk;
	unsigned w = nsr_below(r, 100);

	k->kind = w < 35 ? NSM_MKNOD : w < 65 ? NSM_MKDIR : w < 80 ? NSM_SYMLINK : NSM_CREATE;
	k->parent = pick_dir(r);
	k->name = pick_name(r, &k->name_idx);
	k->cr = pick_cred(r, 75);
	k->mode = pick_perm(r);
	if (k->kind == NSM_MKNOD) {
		unsigned t = nsr_below(r, pct(r, 95) ? 9 : 11);

		k->mode |= types[t];
		if (types[t] == S_IFCHR || types[t] == S_IFBLK)
			k->rdev = makedev(nsr_below(r, 300), nsr_below(r, 1u << 20));
	}
	if (k->kind == NSM_SYMLINK) {
		w = nsr_below(r, 100);
		k->tlen = w < 70 ? 1 + nsr_below(r, 40) : w < 90 ? 41 + nsr_below(r, 1960) :
			  w < 97 ? 2001 + nsr_below(r, 2095) : (pct(r, 50) ? 0 : 4096);
		k->tseed = (uint32_t)nsr_rand(r);
	}
}

static void gen_setattr(struct nsr *r, struct nsr_op *o)
{
	static const uint32_t ids[] = { 0, 1000, 2000, 50, 7 };
	unsigned w = nsr_below(r, 100);

	o->ino = pick_ino(r);
	o->cr = pick_cred(r, 70);
	memset(&o->a, 0, sizeof(o->a));
	o->a.size = pct(r, 40) ? nsr_below(r, 5000) : pct(r, 50) ? nsr_rand(r) % (1ull << 40) : 0;
	o->a.mode = pick_perm(r);
	o->a.uid = ids[nsr_below(r, 5)];
	o->a.gid = ids[nsr_below(r, 5)];
	o->a.atime.tv_sec = (time_t)(nsr_rand(r) % (1ull << 33));
	o->a.atime.tv_nsec = (long)nsr_below(r, 1000000000);
	o->a.mtime.tv_sec = (time_t)(nsr_rand(r) % (1ull << 33));
	o->a.mtime.tv_nsec = (long)nsr_below(r, 1000000000);
	o->a.ctime.tv_sec = (time_t)(nsr_rand(r) % (1ull << 33));
	o->a.ctime.tv_nsec = (long)nsr_below(r, 1000000000);
	if (w < 20)
		o->what = ARGOS_SET_SIZE;
	else if (w < 40)
		o->what = ARGOS_SET_MODE;
	else if (w < 50)
		o->what = ARGOS_SET_UID;
	else if (w < 60)
		o->what = ARGOS_SET_GID;
	else if (w < 72)
		o->what = pct(r, 50) ? ARGOS_SET_ATIME | ARGOS_SET_MTIME :
			  pct(r, 50) ? ARGOS_SET_ATIME : ARGOS_SET_MTIME;
	else if (w < 78)
		o->what = pct(r, 50) ? ARGOS_SET_ATIME_NOW | ARGOS_SET_MTIME_NOW : ARGOS_SET_MTIME_NOW;
	else if (w < 82)
		o->what = ARGOS_SET_KILL_SUIDGID;
	else if (w < 86)
		o->what = ARGOS_SET_CTIME;
	else if (w < 99)
		o->what = (unsigned)nsr_below(r, 0x400) & ~(unsigned)(ARGOS_SET_ATIME_NOW |
								   ARGOS_SET_MTIME_NOW);
	else
		o->what = 0x400;   /* unknown bit: EINVAL */
	if (o->cr && o->what != ARGOS_SET_SIZE && __builtin_popcount(o->what) > 1)
		o->cr = NULL;      /* several changes at once: as root (checks are ordered) */
	if (!o->cr && pct(r, 3)) {
		o->a.mtime.tv_nsec = 1000000000;   /* EINVAL */
		o->what |= ARGOS_SET_MTIME;
	}
}

static void gen_xattr(struct nsr *r, struct nsr_op *o, bool set)
{
	const struct nsm_inode *in;
	unsigned w = nsr_below(r, 100);

	o->ino = pick_ino(r);
	in = nsm_inode(&r->m, o->ino);
	o->cr = pct(r, 90) ? NULL : &cred_u;
	if (pct(r, 5)) {
		o->xidx = -1;
		o->xname = nsm_xbad_name(nsr_below(r, NSM_NXBAD));
	} else if (!set && in && in->nx && pct(r, 80)) {
		o->xidx = in->x[nsr_below(r, in->nx)].name;
		o->xname = nsm_xname((unsigned)o->xidx);
	} else {
		o->xidx = (int)nsr_below(r, NSM_NXNAMES);
		o->xname = nsm_xname((unsigned)o->xidx);
	}
	o->vlen = w < 40 ? nsr_below(r, 41) : w < 65 ? 900 + nsr_below(r, 125) :
		  w < 90 ? 1025 + nsr_below(r, 8000) : w < 97 ? 8000 + nsr_below(r, 57537) :
		  pct(r, 50) ? 65536 : 65537;
	o->vseed = (uint32_t)nsr_rand(r);
	w = nsr_below(r, 100);
	o->flags = w < 70 ? 0 : w < 84 ? XATTR_CREATE : w < 98 ? XATTR_REPLACE : 4;
}

static void gen_op(struct nsr *r, struct nsr_op *o)
{
	unsigned make_w = r->m.ni > r->max_inodes ? 6 : 30;
	unsigned w = nsr_below(r, make_w + 70);

	memset(o, 0, sizeof(*o));
	if (w < make_w) {
		o->k = NSR_MAKE;
		gen_make(r, o);
		return;
	}
	w -= make_w;
	if (w < 6) {
		o->k = NSR_LINK;
		o->ino = pick_ino(r);
		o->p1 = pick_dir(r);
		o->n1 = pick_name(r, &o->i1);
	} else if (w < 16) {
		o->k = NSR_UNLINK;
		pick_entry(r, &o->p1, &o->n1, &o->i1, false);
	} else if (w < 22) {
		o->k = NSR_RMDIR;
		pick_entry(r, &o->p1, &o->n1, &o->i1, true);
	} else if (w < 36) {
		unsigned f = nsr_below(r, 100);

		o->k = NSR_RENAME;
		pick_entry(r, &o->p1, &o->n1, &o->i1, pct(r, 30));
		o->p2 = pct(r, 40) ? o->p1 : pick_dir(r);
		o->n2 = pick_name(r, &o->i2);
		o->flags = f < 60 ? 0 : f < 80 ? ARGOS_RENAME_NOREPLACE : f < 97 ? ARGOS_RENAME_EXCHANGE :
			   f < 99 ? 3 : 4;
	} else if (w < 46) {
		o->k = NSR_SETATTR;
		gen_setattr(r, o);
	} else if (w < 54) {
		o->k = NSR_SETX;
		gen_xattr(r, o, true);
	} else if (w < 58) {
		o->k = NSR_REMX;
		gen_xattr(r, o, false);
	} else if (w < 62 || (w < 66 && !r->m.nh)) {
		static const int fl[] = { O_RDONLY, O_RDWR, O_WRONLY };

		o->k = NSR_OPEN;
		o->ino = pick_ino(r);
		o->flags = (unsigned)fl[nsr_below(r, 3)];
	} else if (w < 66) {
		unsigned h = nsr_below(r, r->m.nh);

		o->k = NSR_RELEASE;
		o->ino = r->m.h[h].ino;
		o->fh = r->m.h[h].fh;
	} else if (w < 68) {
		o->k = NSR_LOOKUP;
		o->p1 = pick_dir(r);
		if (pct(r, 10)) {
			o->i1 = -1;
			o->n1 = pct(r, 50) ? "." : "..";
		} else {
			o->n1 = pick_name(r, &o->i1);
		}
	} else if (w < 69) {
		o->k = NSR_GETATTR;
		o->ino = pick_ino(r);
	} else {
		o->k = NSR_READDIR;
		o->p1 = pick_dir(r);
		o->plus = pct(r, 50);
		o->slice = pct(r, 50) ? 1 + nsr_below(r, 5) : 0;
	}
}

/* ---- describing ------------------------------------------------------------------------------ */

static void describe(const struct nsr_op *o, char *buf, size_t len)
{
	char a[96], b[96];
	unsigned long long p1 = o->p1, p2 = o->p2, ino = o->ino;

	a[0] = b[0] = '\0';
	switch (o->k) {
	case NSR_MAKE:
		nsm_fmt_name(o->mk.name, a, sizeof(a));
		snprintf(buf, len, "make(kind %d, %llu, \"%s\", mode 0%o, tlen %u, cred %u)",
			 o->mk.kind, (unsigned long long)o->mk.parent, a, o->mk.mode, o->mk.tlen,
			 o->mk.cr ? o->mk.cr->uid : 0);
		break;
	case NSR_LINK:
		nsm_fmt_name(o->n1, a, sizeof(a));
		snprintf(buf, len, "link(%llu, %llu, \"%s\")", ino, p1, a);
		break;
	case NSR_UNLINK:
	case NSR_RMDIR:
		nsm_fmt_name(o->n1, a, sizeof(a));
		snprintf(buf, len, "%s(%llu, \"%s\")", kind_name[o->k], p1, a);
		break;
	case NSR_RENAME:
		nsm_fmt_name(o->n1, a, sizeof(a));
		nsm_fmt_name(o->n2, b, sizeof(b));
		snprintf(buf, len, "rename(%llu, \"%s\", %llu, \"%s\", flags %u)", p1, a, p2, b, o->flags);
		break;
	case NSR_SETATTR:
		snprintf(buf, len, "setattr(%llu, what %#x, mode 0%o, %u:%u, size %llu, cred %u)", ino,
			 o->what, o->a.mode, o->a.uid, o->a.gid, (unsigned long long)o->a.size,
			 o->cr ? o->cr->uid : 0);
		break;
	case NSR_SETX:
	case NSR_REMX:
		nsm_fmt_name(o->xname, a, sizeof(a));
		snprintf(buf, len, "%s(%llu, \"%s\", %u bytes, flags %u, cred %u)", kind_name[o->k],
			 ino, a, o->vlen, o->flags, o->cr ? o->cr->uid : 0);
		break;
	case NSR_OPEN:
		snprintf(buf, len, "open(%llu, flags %u)", ino, o->flags);
		break;
	case NSR_RELEASE:
		snprintf(buf, len, "release(%llu, fh %llu)", ino, (unsigned long long)o->fh);
		break;
	case NSR_LOOKUP:
		nsm_fmt_name(o->n1, a, sizeof(a));
		snprintf(buf, len, "lookup(%llu, \"%s\")", p1, a);
		break;
	case NSR_GETATTR:
		snprintf(buf, len, "getattr(%llu)", ino);
		break;
	default:
		snprintf(buf, len, "readdir(%llu, plus %d, slice %u)", p1, o->plus, o->slice);
		break;
	}
}

/* ---- predicting, running, following ------------------------------------------------------ */

static int predict(const struct nsm *m, struct nsr_op *o)
{
	switch (o->k) {
	case NSR_MAKE:
		return nsm_pred_make(m, &o->mk, &o->tmpl);
	case NSR_LINK:
		return nsm_pred_link(m, o->ino, o->p1, o->n1);
	case NSR_UNLINK:
		return nsm_pred_remove(m, o->p1, o->n1, false);
	case NSR_RMDIR:
		return nsm_pred_remove(m, o->p1, o->n1, true);
	case NSR_RENAME:
		return nsm_pred_rename(m, o->p1, o->n1, o->p2, o->n2, o->flags);
	case NSR_SETATTR:
		return nsm_pred_setattr(m, o->ino, &o->a, o->what, o->cr);
	case NSR_SETX:
		return nsm_pred_setxattr(m, o->ino, o->xname, o->xidx, o->vlen, (int)o->flags, o->cr);
	case NSR_REMX:
		return nsm_pred_removexattr(m, o->ino, o->xname, o->xidx, o->cr);
	case NSR_OPEN:
		return nsm_pred_open(m, o->ino, (int)o->flags);
	case NSR_RELEASE:
		return 0;
	case NSR_LOOKUP:
		return nsm_pred_lookup(m, o->p1, o->n1, &o->found);
	case NSR_GETATTR:
		return nsm_inode(m, o->ino) ? 0 : -ENOENT;
	default:
		return nsm_dir_err(m, o->p1);
	}
}

static int run_make(argos_pool *p, struct nsr_op *o)
{
	const struct nsm_mk *k = &o->mk;
	char *t;
	int err;

	switch (k->kind) {
	case NSM_MKNOD:
		return argos_mknod(p, k->parent, k->name, k->mode, k->rdev, k->cr, &o->out);
	case NSM_MKDIR:
		return argos_mkdir(p, k->parent, k->name, k->mode, k->cr, &o->out);
	case NSM_CREATE:
		return argos_create(p, k->parent, k->name, k->mode, O_RDWR, k->cr, &o->out, &o->fh);
	default:
		t = malloc(k->tlen + 1);
		if (!t)
			return -ENOMEM;
		for (uint32_t i = 0; i < k->tlen; i++)
			t[i] = (char)nsm_tbyte(k->tseed, i);
		t[k->tlen] = '\0';
		err = argos_symlink(p, k->parent, k->name, t, k->cr, &o->out);
		free(t);
		return err;
	}
}

static int run(argos_pool *p, struct nsr_op *o)
{
	uint8_t *v;
	int err;

	switch (o->k) {
	case NSR_MAKE:
		return run_make(p, o);
	case NSR_LINK:
		return argos_link(p, o->ino, o->p1, o->n1, &o->out);
	case NSR_UNLINK:
		return argos_unlink(p, o->p1, o->n1);
	case NSR_RMDIR:
		return argos_rmdir(p, o->p1, o->n1);
	case NSR_RENAME:
		return argos_rename(p, o->p1, o->n1, o->p2, o->n2, o->flags);
	case NSR_SETATTR:
		return argos_setattr(p, o->ino, &o->a, o->what, o->cr, &o->out);
	case NSR_SETX:
		v = malloc(o->vlen ? o->vlen : 1);
		if (!v)
			return -ENOMEM;
		for (uint32_t i = 0; i < o->vlen; i++)
			v[i] = nsm_xval(o->vseed, i);
		err = argos_setxattr(p, o->ino, o->xname, v, o->vlen, (int)o->flags, o->cr);
		free(v);
		return err;
	case NSR_REMX:
		return argos_removexattr(p, o->ino, o->xname, o->cr);
	case NSR_OPEN:
		return argos_open(p, o->ino, (int)o->flags, &o->fh);
	case NSR_RELEASE:
		return argos_release(p, o->ino, o->fh);
	case NSR_LOOKUP:
		return argos_lookup(p, o->p1, o->n1, &o->out);
	case NSR_GETATTR:
		return argos_getattr(p, o->ino, &o->out);
	default:
		return 0;   /* checked by nsc_dir */
	}
}

static bool mutates(const struct nsr_op *o)
{
	return o->k <= NSR_RELEASE;
}

/* Follow a successful operation in model m. */
static int apply(struct nsm *m, const struct nsr_op *o)
{
	int h;

	switch (o->k) {
	case NSR_MAKE:
		return nsm_do_make(m, &o->mk, &o->tmpl, &o->out, o->fh);
	case NSR_LINK:
		return nsm_do_link(m, o->ino, o->p1, (unsigned)o->i1);
	case NSR_UNLINK:
	case NSR_RMDIR:
		nsm_do_remove(m, o->p1, (unsigned)o->i1);
		return 0;
	case NSR_RENAME:
		return nsm_do_rename(m, o->p1, (unsigned)o->i1, o->p2, (unsigned)o->i2, o->flags);
	case NSR_SETATTR:
		nsm_do_setattr(m, o->ino, &o->a, o->what, o->cr);
		return 0;
	case NSR_SETX:
		nsm_do_setxattr(m, o->ino, (unsigned)o->xidx, o->vlen, o->vseed);
		return 0;
	case NSR_REMX:
		nsm_do_removexattr(m, o->ino, (unsigned)o->xidx);
		return 0;
	case NSR_OPEN:
		return nsm_do_open(m, o->ino, o->fh);
	case NSR_RELEASE:
		for (h = 0; h < (int)m->nh; h++)
			if (m->h[h].fh == o->fh)
				break;
		if (h < (int)m->nh)
			nsm_do_release(m, (unsigned)h);
		return 0;
	default:
		return 0;
	}
}

/* What a new inode's attributes must be. */
static int check_made(struct nsr *r, const struct nsr_op *o)
{
	const struct nsm_inode *t = &o->tmpl;
	const struct argos_attr *a = &o->out;
	uint64_t want_size = S_ISDIR(t->mode) ? 4096 : S_ISLNK(t->mode) ? t->tlen : 0;

	if (nsm_inode(&r->m, a->ino) || a->ino < 2)
		return nsr_fail(r, "new inode %llu is already in use", (unsigned long long)a->ino);
	if (a->mode != t->mode || a->uid != t->uid || a->gid != t->gid || a->nlink != t->nlink ||
	    a->rdev != t->rdev || a->size != want_size)
		return nsr_fail(r, "new inode %llu: mode 0%o %u:%u nlink %u rdev %llu size %llu; "
				"model 0%o %u:%u nlink %u rdev %llu size %llu",
				(unsigned long long)a->ino, a->mode, a->uid, a->gid, a->nlink,
				(unsigned long long)a->rdev, (unsigned long long)a->size, t->mode, t->uid,
				t->gid, t->nlink, (unsigned long long)t->rdev,
				(unsigned long long)want_size);
	return 0;
}

/* Inodes an operation may change (and that the model knows before it). */
static unsigned touched(const struct nsm *m, const struct nsr_op *o, uint64_t *out)
{
	unsigned n = 0;
	int e;

	out[n++] = o->k == NSR_MAKE ? o->mk.parent : o->p1;
	if (o->p2)
		out[n++] = o->p2;
	if (o->ino)
		out[n++] = o->ino;
	if (o->i1 >= 0 && (e = nsm_find(m, o->p1, (unsigned)o->i1)) >= 0)
		out[n++] = m->e[e].ino;
	if (o->i2 >= 0 && o->p2 && (e = nsm_find(m, o->p2, (unsigned)o->i2)) >= 0)
		out[n++] = m->e[e].ino;
	return n;
}

static void note(struct nsr *r, const struct nsr_op *o)
{
	char d[150];

	describe(o, d, sizeof(d));
	snprintf(r->last[r->nlast % NSR_LAST], sizeof(r->last[0]), "#%lu %s -> %s (model %s)",
		 r->nops, d, o->got ? argos_strerror(o->got) : "ok",
		 o->pred ? argos_strerror(o->pred) : "ok");
	r->nlast++;
}

/* One operation; 1 when it met the armed crash point. */
static int one(struct nsr *r, struct nsr_op *o)
{
	uint64_t t[6];
	unsigned nt = 0;
	char why[1024];
	bool was[6];

	o->pred = predict(&r->m, o);
	if (mutates(o))
		nt = touched(&r->m, o, t);
	for (unsigned k = 0; k < nt; k++)
		was[k] = t[k] && nsm_inode(&r->m, t[k]);
	o->got = o->k == NSR_READDIR ? o->pred : run(r->p, o);
	r->nops++;
	r->by_kind[o->k]++;
	if (-o->got >= 0 && -o->got < 160)
		r->by_errno[-o->got]++;
	note(r, o);
	if (o->got != o->pred) {
		if (r->armed && o->got == -EIO && mutates(o)) {
			r->tripped = true;
			r->pending = *o;
			r->have_pending = o->pred == 0;
			return 1;
		}
		return nsr_fail(r, "%s: pool says %s, model %s", kind_name[o->k],
				o->got ? argos_strerror(o->got) : "success",
				o->pred ? argos_strerror(o->pred) : "success");
	}
	if (o->got) {
		r->nfail_pred++;
		return 0;
	}
	switch (o->k) {
	case NSR_MAKE:
		if (check_made(r, o) || add_seen(r, o->out.ino))
			return -1;
		argos_forget(r->p, o->out.ino, 1);
		break;
	case NSR_LINK:
		argos_forget(r->p, o->ino, 1);
		break;
	case NSR_LOOKUP:
		if (o->out.ino != o->found)
			return nsr_fail(r, "lookup found %llu, model %llu",
					(unsigned long long)o->out.ino, (unsigned long long)o->found);
		argos_forget(r->p, o->out.ino, 1);
		if (nsm_inode(&r->m, o->found) && nsc_inode(r->p, &r->m, o->found, why, sizeof(why)))
			return nsr_fail(r, "after lookup: %s", why);
		return 0;
	case NSR_GETATTR:
		if (nsc_inode(r->p, &r->m, o->ino, why, sizeof(why)))
			return nsr_fail(r, "%s", why);
		return 0;
	case NSR_READDIR:
		if (nsc_dir(r->p, &r->m, o->p1, o->plus, o->slice, why, sizeof(why)))
			return nsr_fail(r, "%s", why);
		return 0;
	default:
		break;
	}
	if (apply(&r->m, o))
		return nsr_fail(r, "out of memory");
	for (unsigned k = 0; k < nt; k++)
		if (was[k] && nsc_inode(r->p, &r->m, t[k], why, sizeof(why)))
			return nsr_fail(r, "after %s: %s", kind_name[o->k], why);
	if (o->k == NSR_MAKE && nsc_inode(r->p, &r->m, o->out.ino, why, sizeof(why)))
		return nsr_fail(r, "after make: %s", why);
	return push_snap(r);
}

int nsr_ops(struct nsr *r, unsigned n)
{
	for (unsigned k = 0; k < n && !r->failed; k++) {
		struct nsr_op o;
		int err;

		gen_op(r, &o);
		err = one(r, &o);
		if (err)
			return err;
		if (r->track && r->nsnap >= SNAP_MAX) {
			err = nsr_sync(r);
			if (err)
				return err;
		}
	}
	return r->failed ? -1 : 0;
}

/* ---- checks, durability, crashes --------------------------------------------------------- */

int nsr_check(struct nsr *r, bool items)
{
	char why[1024];
	unsigned slice = pct(r, 50) ? 0 : 1 + nsr_below(r, 7);

	r->nchecks++;
	if (nsc_check(r->p, &r->m, slice, why, sizeof(why)))
		return nsr_fail(r, "check: %s", why);
	if (items && nsc_items(r->p, &r->m, why, sizeof(why)))
		return nsr_fail(r, "items: %s", why);
	/* Inodes the model freed are gone. */
	for (int k = 0; k < 4 && r->nseen; k++) {
		uint64_t ino = r->seen[nsr_below(r, r->nseen)];
		struct argos_attr a;
		int err;

		if (nsm_inode(&r->m, ino))
			continue;
		err = argos_getattr(r->p, ino, &a);
		if (err != -ENOENT)
			return nsr_fail(r, "freed inode %llu: getattr says %s", (unsigned long long)ino,
					argos_strerror(err));
	}
	return 0;
}

static int fired(struct nsr *r, int err, const char *what)
{
	if (r->armed && err == -EIO) {
		r->tripped = true;
		return 1;
	}
	return nsr_fail(r, "%s: %s", what, argos_strerror(err));
}

int nsr_sync(struct nsr *r)
{
	int err = argos_pool_sync(r->p);

	return err ? fired(r, err, "sync") : durable(r);
}

int nsr_checkpoint(struct nsr *r)
{
	int err = argos_pool_checkpoint(r->p);

	return err ? fired(r, err, "checkpoint") : durable(r);
}

int nsr_after_close(struct nsr *r)
{
	nsm_crash(&r->m);
	r->armed = r->tripped = r->have_pending = false;
	return durable(r);
}

/* The pending operation, as it would be if it reached the disk. */
static int pending_candidate(struct nsr *r, struct nsm *c)
{
	struct nsr_op o = r->pending;
	int err;

	if (o.k == NSR_MAKE) {
		/* Its inode number is the pool's to tell. */
		err = argos_lookup(r->p, o.mk.parent, o.mk.name, &o.out);
		if (err)
			return 1;
		argos_forget(r->p, o.out.ino, 1);
		o.fh = 0;
	}
	if (nsm_copy(c, &r->m))
		return -1;
	if (apply(c, &o)) {
		nsm_free(c);
		return -1;
	}
	return 0;
}

int nsr_after_crash(struct nsr *r)
{
	char why[1024], first[1024] = "", last[1024] = "";
	struct nsc_state s;
	int match = -1;

	if (!r->track || !r->nsnap)
		return nsr_fail(r, "crash without durability tracking");
	if (nsc_read(r->p, r->m.root, NULL, 0, pct(r, 50) ? 0 : 3, &s, why, sizeof(why)))
		return nsr_fail(r, "after crash: %s", why);
	for (int k = (int)r->nsnap - 1; k >= -1 && match < 0; k--) {
		struct nsm c;

		if (k == -1) {
			if (!r->have_pending)
				break;
			if (pending_candidate(r, &c))
				break;
		} else if (nsm_copy(&c, &r->snap[k])) {
			nsc_free(&s);
			return nsr_fail(r, "out of memory");
		}
		nsm_crash(&c);
		if (nsc_diff(&s, &c, why, sizeof(why)) == 0) {
			match = k;
			nsm_free(&r->m);
			r->m = c;
			break;
		}
		if (k == (int)r->nsnap - 1)
			snprintf(last, sizeof(last), "%s", why);
		if (k == 0)
			snprintf(first, sizeof(first), "%s", why);
		nsm_free(&c);
	}
	nsc_free(&s);
	if (match < 0)
		return nsr_fail(r, "after a crash the pool matches no state between the last sync "
				"and the crash (%u candidates%s); against the synced one: %s; against "
				"the last one: %s", r->nsnap, r->have_pending ? " + the failed op" : "",
				first, last);
	if (match != 0)
		r->nmatch_later++;
	r->armed = r->tripped = r->have_pending = false;
	if (nsr_check(r, true))
		return -1;
	return durable(r);
}
