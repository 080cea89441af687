/*
 * nsmodel.c — the namespace model of test_ns_model (see nsmodel.h): the
 * state, its snapshots, and the rules each operation follows on ext4.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "nsmodel.h"

/* ---- names and values ------------------------------------------------------ */

static char long_z[256], long_rand[256], long_bad[257], long_xname[256], long_xbad[257];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void names_init(void)
{
	uint32_t s = 12345;

	memset(long_z, 'z', 255);
	for (int i = 0; i < 255; i++) {
		uint8_t c;

		do {
			s = s * 1103515245u + 12345u;
			c = (uint8_t)(s >> 16);
		} while (c == 0 || c == '/');
		long_rand[i] = (char)c;
	}
	memset(long_bad, 'y', 256);
	memcpy(long_xname, "user.", 5);
	memset(long_xname + 5, 'q', 250);
	memcpy(long_xbad, "user.", 5);
	memset(long_xbad + 5, 'q', 251);
}

static const char *const good[NSM_NNAMES] = {
	"a", "b", "c", "d", "e", "f", "g", "h", "ab", "ba", "x y", ".a", "...",
	"\x01\xff\xfe \t\n", NULL /* 255 x 'z' */, NULL /* 255 random bytes */, "\xc3\xa9", "-",
};

const char *nsm_name(unsigned idx)
{
	pthread_once(&names_once, names_init);
	if (idx == 14)
		return long_z;
	if (idx == 15)
		return long_rand;
	return good[idx];
}

const char *nsm_bad_name(unsigned idx)
{
	static const char *const bad[NSM_NBAD] = { "", NULL, "a/b", ".", ".." };

	pthread_once(&names_once, names_init);
	return idx == 1 ? long_bad : bad[idx];
}

const char *nsm_xname(unsigned idx)
{
	static const char *const xn[NSM_NXNAMES] = {
		"user.a", "user.b", "user.c", "trusted.t", "security.s", NULL, "trusted.x\xff",
	};

	pthread_once(&names_once, names_init);
	return idx == 5 ? long_xname : xn[idx];
}

const char *nsm_xbad_name(unsigned idx)
{
	static const char *const xb[NSM_NXBAD] = {
		"", NULL, "user.", "system.posix_acl_access", "bogus.name",
	};

	pthread_once(&names_once, names_init);
	return idx == 1 ? long_xbad : xb[idx];
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint8_t nsm_xval(uint32_t seed, size_t i)
{
	return (uint8_t)mix(((uint64_t)seed << 32) ^ i);
}

uint8_t nsm_tbyte(uint32_t seed, size_t i)
{
	return (uint8_t)(1 + mix(((uint64_t)seed << 32) ^ i ^ 0x5555) % 255);
}

void nsm_fmt_name(const char *name, char *out, size_t len)
{
	size_t n = strlen(name), o = 0;

	for (size_t i = 0; i < n && i < 24 && o + 5 < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
	}
	out[o] = '\0';
	if (n > 24)
		snprintf(out + o, len - o, "...(%zu bytes)", n);
}

/* ---- state ---------------------------------------------------------------------- */

int nsm_grow(void **arr, unsigned *cap, unsigned need, size_t sz)
{
	void *n;
	unsigned c;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	while (c < need)
		c *= 2;
	n = realloc(*arr, (size_t)c * sz);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = c;
	return 0;
}

static void set_times(struct nsm_inode *in, const struct argos_attr *a)
{
	in->btime = a->btime;
	in->atime = a->atime;
	in->mtime = a->mtime;
	in->ctime = a->ctime;
	in->atime_known = in->mtime_known = in->ctime_known = !S_ISDIR(a->mode);
}

int nsm_init(struct nsm *m, const struct argos_attr *a, uint64_t parent)
{
	struct nsm_inode *in;

	memset(m, 0, sizeof(*m));
	if (nsm_grow((void **)&m->i, &m->ci, 1, sizeof(*m->i)))
		return -ENOMEM;
	m->root = a->ino;
	in = &m->i[m->ni++];
	memset(in, 0, sizeof(*in));
	in->ino = a->ino;
	in->gen = a->generation;
	in->mode = a->mode;
	in->nlink = a->nlink;
	in->uid = a->uid;
	in->gid = a->gid;
	in->parent = parent;
	in->nsub = a->nlink - 2;   /* an empty directory: no entries yet */
	set_times(in, a);
	return 0;
}

void nsm_free(struct nsm *m)
{
	free(m->i);
	free(m->e);
	free(m->h);
	memset(m, 0, sizeof(*m));
}

int nsm_copy(struct nsm *dst, const struct nsm *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->root = src->root;
	if (nsm_grow((void **)&dst->i, &dst->ci, src->ni, sizeof(*dst->i)) ||
	    nsm_grow((void **)&dst->e, &dst->ce, src->ne, sizeof(*dst->e)) ||
	    nsm_grow((void **)&dst->h, &dst->ch, src->nh, sizeof(*dst->h))) {
		nsm_free(dst);
		return -ENOMEM;
	}
	if (src->ni)
		memcpy(dst->i, src->i, src->ni * sizeof(*src->i));
	if (src->ne)
		memcpy(dst->e, src->e, src->ne * sizeof(*src->e));
	if (src->nh)
		memcpy(dst->h, src->h, src->nh * sizeof(*src->h));
	dst->ni = src->ni;
	dst->ne = src->ne;
	dst->nh = src->nh;
	return 0;
}

int nsm_merge(struct nsm *dst, const struct nsm *src)
{
	for (unsigned k = 0; k < src->ni; k++) {
		struct nsm_inode *in = nsm_inode(dst, src->i[k].ino);

		if (!in) {
			if (nsm_grow((void **)&dst->i, &dst->ci, dst->ni + 1, sizeof(*dst->i)))
				return -ENOMEM;
			in = &dst->i[dst->ni++];
		}
		*in = src->i[k];
	}
	if (nsm_grow((void **)&dst->e, &dst->ce, dst->ne + src->ne, sizeof(*dst->e)) ||
	    nsm_grow((void **)&dst->h, &dst->ch, dst->nh + src->nh, sizeof(*dst->h)))
		return -ENOMEM;
	if (src->ne)
		memcpy(dst->e + dst->ne, src->e, src->ne * sizeof(*src->e));
	if (src->nh)
		memcpy(dst->h + dst->nh, src->h, src->nh * sizeof(*src->h));
	dst->ne += src->ne;
	dst->nh += src->nh;
	return 0;
}

struct nsm_inode *nsm_inode(const struct nsm *m, uint64_t ino)
{
	for (unsigned k = 0; k < m->ni; k++)
		if (m->i[k].ino == ino)
			return &m->i[k];
	return NULL;
}

int nsm_find(const struct nsm *m, uint64_t dir, unsigned name)
{
	for (unsigned k = 0; k < m->ne; k++)
		if (m->e[k].dir == dir && m->e[k].name == name)
			return (int)k;
	return -1;
}

bool nsm_is_dir(const struct nsm_inode *in)
{
	return S_ISDIR(in->mode);
}

uint64_t nsm_expected_size(const struct nsm_inode *in)
{
	if (S_ISDIR(in->mode))
		return 4096ull * (1 + in->nent / 64);
	if (S_ISLNK(in->mode))
		return in->tlen;
	if (S_ISREG(in->mode))
		return in->size;
	return 0;
}

static void del_inode(struct nsm *m, struct nsm_inode *in)
{
	*in = m->i[--m->ni];
}

static void del_ent(struct nsm *m, int e)
{
	m->e[e] = m->e[--m->ne];
}

/* The inode lost its last link or handle: it goes when both are gone. */
static void maybe_free(struct nsm *m, uint64_t ino)
{
	struct nsm_inode *in = nsm_inode(m, ino);

	if (in && in->nlink == 0 && in->nopen == 0)
		del_inode(m, in);
}

void nsm_crash(struct nsm *m)
{
	m->nh = 0;
	for (unsigned k = 0; k < m->ni; k++)
		m->i[k].nopen = 0;
	for (unsigned k = 0; k < m->ni;) {
		if (m->i[k].nlink == 0)
			del_inode(m, &m->i[k]);
		else
			k++;
	}
}

unsigned nsm_orphans(const struct nsm *m)
{
	unsigned n = 0;

	for (unsigned k = 0; k < m->ni; k++)
		n += m->i[k].nlink == 0;
	return n;
}

/* ---- rules ------------------------------------------------------------------------ */

static bool root_cred(const struct argos_cred *cr)
{
	return !cr || cr->uid == 0;
}

static bool in_group(const struct argos_cred *cr, uint32_t gid)
{
	if (!cr)
		return gid == 0;
	if (cr->gid == gid)
		return true;
	for (unsigned k = 0; k < cr->ngroups; k++)
		if (cr->groups[k] == gid)
			return true;
	return false;
}

/* The name's own error (path resolution), and whether it is "." (1) or ".." (2). */
static int name_err(const char *name, int *dot)
{
	size_t len = strlen(name);

	*dot = 0;
	if (len == 0)
		return -ENOENT;
	if (len > 255)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len))
		return -EINVAL;
	if (!strcmp(name, "."))
		*dot = 1;
	else if (!strcmp(name, ".."))
		*dot = 2;
	return 0;
}

/* The entry's index for a good name (bad names are never entries). */
static int find_name(const struct nsm *m, uint64_t dir, const char *name)
{
	for (unsigned k = 0; k < NSM_NNAMES; k++)
		if (!strcmp(nsm_name(k), name))
			return nsm_find(m, dir, k);
	return -1;
}

int nsm_dir_err(const struct nsm *m, uint64_t ino)
{
	const struct nsm_inode *in = nsm_inode(m, ino);

	if (!in)
		return -ENOENT;
	if (!nsm_is_dir(in))
		return -ENOTDIR;
	return in->nlink ? 0 : -ENOENT;
}

static void dir_nlink(struct nsm_inode *d)
{
	d->nlink = d->nsub + 2;
}

int nsm_pred_make(const struct nsm *m, const struct nsm_mk *k, struct nsm_inode *t)
{
	const struct argos_cred *cr = k->cr;
	const struct nsm_inode *dir;
	uint32_t type, perm, umask = cr ? cr->umask : 0;
	int err, dot;

	switch (k->kind) {
	case NSM_MKNOD:
		type = k->mode & S_IFMT;
		if (type == 0)
			type = S_IFREG;
		if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR &&
		    type != S_IFBLK && type != S_IFDIR)
			return -EINVAL;
		break;
	case NSM_MKDIR:
		type = S_IFDIR;
		break;
	case NSM_SYMLINK:
		if (k->tlen == 0)
			return -ENOENT;
		if (k->tlen > NSM_TARGET_MAX)
			return -ENAMETOOLONG;
		type = S_IFLNK;
		break;
	default:
		type = S_IFREG;
		break;
	}
	err = name_err(k->name, &dot);
	if (err)
		return err;
	if (dot)
		return -EEXIST;
	err = nsm_dir_err(m, k->parent);
	if (err)
		return err;
	if (find_name(m, k->parent, k->name) >= 0)
		return -EEXIST;
	dir = nsm_inode(m, k->parent);
	memset(t, 0, sizeof(*t));
	if (type == S_IFLNK)
		perm = 0777;
	else if (type == S_IFDIR)   /* mkdir(2) keeps rwx and sticky only */
		perm = k->mode & 01777 & ~umask;
	else
		perm = k->mode & 07777 & ~umask;
	t->mode = type | perm;
	t->uid = cr ? cr->uid : 0;
	t->gid = cr ? cr->gid : 0;
	if (dir->mode & S_ISGID) {
		t->gid = dir->gid;
		if (type == S_IFDIR)
			t->mode |= S_ISGID;
		else if ((t->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
			 !root_cred(cr) && !in_group(cr, t->gid))
			t->mode &= ~(uint32_t)S_ISGID;
	}
	t->nlink = type == S_IFDIR ? 2 : 1;
	t->parent = type == S_IFDIR ? k->parent : 0;
	if (type == S_IFCHR || type == S_IFBLK)
		t->rdev = k->rdev;
	if (type == S_IFLNK) {
		t->tlen = k->tlen;
		t->tseed = k->tseed;
	}
	return 0;
}

static int add_ent(struct nsm *m, uint64_t dir, unsigned name, uint64_t ino)
{
	if (nsm_grow((void **)&m->e, &m->ce, m->ne + 1, sizeof(*m->e)))
		return -ENOMEM;
	m->e[m->ne++] = (struct nsm_ent){ .dir = dir, .ino = ino, .name = (uint16_t)name };
	return 0;
}

int nsm_do_make(struct nsm *m, const struct nsm_mk *k, const struct nsm_inode *tmpl,
		const struct argos_attr *got, uint64_t fh)
{
	struct nsm_inode *in, *dir;

	if (nsm_grow((void **)&m->i, &m->ci, m->ni + 1, sizeof(*m->i)))
		return -ENOMEM;
	in = &m->i[m->ni++];
	*in = *tmpl;
	in->ino = got->ino;
	in->gen = got->generation;
	set_times(in, got);
	dir = nsm_inode(m, k->parent);
	dir->nent++;
	if (S_ISDIR(in->mode)) {
		dir->nsub++;
		dir_nlink(dir);
	}
	if (k->kind == NSM_CREATE)
		nsm_do_open(m, in->ino, fh);
	return add_ent(m, k->parent, (unsigned)k->name_idx, got->ino);
}

int nsm_pred_link(const struct nsm *m, uint64_t ino, uint64_t parent, const char *name)
{
	const struct nsm_inode *in;
	int dot, err = name_err(name, &dot);

	if (err)
		return err;
	if (dot)
		return -EEXIST;
	in = nsm_inode(m, ino);
	if (!in)
		return -ENOENT;
	err = nsm_dir_err(m, parent);
	if (err)
		return err;
	if (find_name(m, parent, name) >= 0)
		return -EEXIST;
	if (nsm_is_dir(in))
		return -EPERM;
	if (in->nlink == 0)
		return -ENOENT;
	return 0;
}

int nsm_do_link(struct nsm *m, uint64_t ino, uint64_t parent, unsigned name)
{
	struct nsm_inode *in = nsm_inode(m, ino);

	in->nlink++;
	in->ctime_known = false;
	nsm_inode(m, parent)->nent++;
	return add_ent(m, parent, name, ino);
}

int nsm_pred_remove(const struct nsm *m, uint64_t parent, const char *name, bool dir)
{
	const struct nsm_inode *in;
	int dot, e, err = name_err(name, &dot);

	if (err)
		return err;
	if (dot)
		return !dir ? -EISDIR : dot == 1 ? -EINVAL : -ENOTEMPTY;
	err = nsm_dir_err(m, parent);
	if (err)
		return err;
	e = find_name(m, parent, name);
	if (e < 0)
		return -ENOENT;
	in = nsm_inode(m, m->e[e].ino);
	if (dir && !nsm_is_dir(in))
		return -ENOTDIR;
	if (!dir && nsm_is_dir(in))
		return -EISDIR;
	if (dir && in->nent)
		return -ENOTEMPTY;
	return 0;
}

/* The inode `ino` loses the name that pointed at it from dir. */
static void drop_name(struct nsm *m, uint64_t dir, uint64_t ino)
{
	struct nsm_inode *in = nsm_inode(m, ino), *d = nsm_inode(m, dir);

	if (nsm_is_dir(in)) {
		d->nsub--;
		dir_nlink(d);
		in->nlink = 0;
	} else {
		in->nlink--;
		in->ctime_known = false;
	}
	maybe_free(m, ino);
}

void nsm_do_remove(struct nsm *m, uint64_t parent, unsigned name)
{
	int e = nsm_find(m, parent, name);
	uint64_t ino = m->e[e].ino;

	del_ent(m, e);
	nsm_inode(m, parent)->nent--;
	drop_name(m, parent, ino);
}

/* Is dir equal to anc or below it (inside this model)? */
static bool below(const struct nsm *m, uint64_t dir, uint64_t anc)
{
	for (unsigned depth = 0; depth < 100000; depth++) {
		const struct nsm_inode *in;

		if (dir == anc)
			return true;
		if (dir == m->root)
			return false;
		in = nsm_inode(m, dir);
		if (!in)
			return false;
		dir = in->parent;
	}
	return false;
}

int nsm_pred_rename(const struct nsm *m, uint64_t sp, const char *sn, uint64_t dp,
		    const char *dn, unsigned flags)
{
	const struct nsm_inode *s, *d = NULL;
	int sdot, ddot, se, de, err;

	if ((flags & ~(unsigned)(ARGOS_RENAME_NOREPLACE | ARGOS_RENAME_EXCHANGE)) ||
	    ((flags & ARGOS_RENAME_NOREPLACE) && (flags & ARGOS_RENAME_EXCHANGE)))
		return -EINVAL;
	err = name_err(sn, &sdot);
	if (!err)
		err = name_err(dn, &ddot);
	if (err)
		return err;
	if (sdot)
		return -EBUSY;
	if (ddot)
		return (flags & ARGOS_RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
	err = nsm_dir_err(m, sp);
	if (!err)
		err = nsm_dir_err(m, dp);
	if (err)
		return err;
	se = find_name(m, sp, sn);
	if (se < 0)
		return -ENOENT;
	s = nsm_inode(m, m->e[se].ino);
	de = find_name(m, dp, dn);
	if (de >= 0)
		d = nsm_inode(m, m->e[de].ino);
	if ((flags & ARGOS_RENAME_NOREPLACE) && d)
		return -EEXIST;
	if ((flags & ARGOS_RENAME_EXCHANGE) && !d)
		return -ENOENT;
	if (sp != dp) {
		/* lock_rename()'s trap: the source above the target's directory... */
		if (nsm_is_dir(s) && below(m, dp, s->ino))
			return -EINVAL;
		/* ...or the target above the source's. */
		if (d && nsm_is_dir(d) && below(m, sp, d->ino))
			return (flags & ARGOS_RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
	}
	if (d == s)
		return 0;
	if (d && !(flags & ARGOS_RENAME_EXCHANGE)) {
		if (nsm_is_dir(s) && !nsm_is_dir(d))
			return -ENOTDIR;
		if (!nsm_is_dir(s) && nsm_is_dir(d))
			return -EISDIR;
		if (nsm_is_dir(d) && d->nent)
			return -ENOTEMPTY;
	}
	return 0;
}

/* A directory moves from parent `from` to parent `to`. */
static void move_dir(struct nsm *m, uint64_t ino, uint64_t from, uint64_t to)
{
	struct nsm_inode *in = nsm_inode(m, ino), *f = nsm_inode(m, from), *t = nsm_inode(m, to);

	in->parent = to;
	f->nsub--;
	dir_nlink(f);
	t->nsub++;
	dir_nlink(t);
}

int nsm_do_rename(struct nsm *m, uint64_t sp, unsigned sn, uint64_t dp, unsigned dn,
		  unsigned flags)
{
	int se = nsm_find(m, sp, sn), de = nsm_find(m, dp, dn);
	uint64_t s = m->e[se].ino, d = de >= 0 ? m->e[de].ino : 0;

	if (d == s)
		return 0;
	nsm_inode(m, s)->ctime_known = false;
	if (flags & ARGOS_RENAME_EXCHANGE) {
		m->e[se].ino = d;
		m->e[de].ino = s;
		nsm_inode(m, d)->ctime_known = false;
		if (sp != dp) {
			if (nsm_is_dir(nsm_inode(m, s)))
				move_dir(m, s, sp, dp);
			if (nsm_is_dir(nsm_inode(m, d)))
				move_dir(m, d, dp, sp);
		}
		return 0;
	}
	if (nsm_is_dir(nsm_inode(m, s)) && sp != dp)
		move_dir(m, s, sp, dp);
	if (de >= 0) {
		m->e[de].ino = s;
		drop_name(m, dp, d);
	} else {
		nsm_inode(m, dp)->nent++;
		if (add_ent(m, dp, dn, s))
			return -ENOMEM;
		se = nsm_find(m, sp, sn);
	}
	del_ent(m, se);
	nsm_inode(m, sp)->nent--;
	return 0;
}

int nsm_pred_setattr(const struct nsm *m, uint64_t ino, const struct argos_attr *a,
		     unsigned what, const struct argos_cred *cr)
{
	const struct nsm_inode *in = nsm_inode(m, ino);
	bool root = root_cred(cr), owner;

	if (what & ~0x3ffu)
		return -EINVAL;
	if (!in)
		return -ENOENT;
	owner = root || cr->uid == in->uid;
	if (what & ARGOS_SET_SIZE) {
		if (nsm_is_dir(in))
			return -EISDIR;
		if (!S_ISREG(in->mode))
			return -EINVAL;
	}
	if ((what & ARGOS_SET_MODE) && !owner)
		return -EPERM;
	if (what & (ARGOS_SET_UID | ARGOS_SET_GID)) {
		bool uid_change = (what & ARGOS_SET_UID) && a->uid != in->uid;
		bool gid_change = (what & ARGOS_SET_GID) && a->gid != in->gid;

		if (uid_change && !root)
			return -EPERM;
		if (gid_change && !root && (!owner || !in_group(cr, a->gid)))
			return -EPERM;
	}
	if ((what & (ARGOS_SET_ATIME | ARGOS_SET_MTIME)) && !owner)
		return -EPERM;
	/* With *_NOW (FUSE sends it with the plain bit) the timespec is not used. */
	if (((what & ARGOS_SET_ATIME) && !(what & ARGOS_SET_ATIME_NOW) &&
	     (uint64_t)a->atime.tv_nsec > 999999999u) ||
	    ((what & ARGOS_SET_MTIME) && !(what & ARGOS_SET_MTIME_NOW) &&
	     (uint64_t)a->mtime.tv_nsec > 999999999u) ||
	    ((what & ARGOS_SET_CTIME) && (uint64_t)a->ctime.tv_nsec > 999999999u))
		return -EINVAL;
	return 0;
}

static void kill_suidgid(struct nsm_inode *in)
{
	in->mode &= ~(uint32_t)S_ISUID;
	if (in->mode & S_IXGRP)
		in->mode &= ~(uint32_t)S_ISGID;
}

void nsm_do_setattr(struct nsm *m, uint64_t ino, const struct argos_attr *a, unsigned what,
		    const struct argos_cred *cr)
{
	struct nsm_inode *in = nsm_inode(m, ino);
	bool nd = !nsm_is_dir(in);

	if (what & ARGOS_SET_SIZE) {
		in->size = a->size;
		in->mtime_known = false;
	}
	if (what & ARGOS_SET_MODE) {
		in->mode = (in->mode & S_IFMT) | (a->mode & 07777);
		if (!root_cred(cr) && !in_group(cr, in->gid))
			in->mode &= ~(uint32_t)S_ISGID;
	}
	if (what & ARGOS_SET_UID)
		in->uid = a->uid;
	if (what & ARGOS_SET_GID)
		in->gid = a->gid;
	if ((what & (ARGOS_SET_UID | ARGOS_SET_GID)) && nd)
		kill_suidgid(in);
	if (what & ARGOS_SET_ATIME) {
		in->atime = a->atime;
		in->atime_known = nd;
	}
	if (what & ARGOS_SET_MTIME) {
		in->mtime = a->mtime;
		in->mtime_known = nd;
	}
	if (what & ARGOS_SET_ATIME_NOW)
		in->atime_known = false;
	if (what & ARGOS_SET_MTIME_NOW)
		in->mtime_known = false;
	if (what & ARGOS_SET_KILL_SUIDGID)
		kill_suidgid(in);
	in->ctime_known = false;
	if (what & ARGOS_SET_CTIME) {
		in->ctime = a->ctime;
		in->ctime_known = nd;
	}
}

/* ---- xattrs ------------------------------------------------------------------------ */

static int xfind(const struct nsm_inode *in, unsigned xidx)
{
	for (unsigned k = 0; k < in->nx; k++)
		if (in->x[k].name == xidx)
			return (int)k;
	return -1;
}

/* import_xattr_name(): the length, before anything else about the name. */
static int xname_err(const char *name)
{
	size_t len = strlen(name);

	return len == 0 || len > 255 ? -ERANGE : 0;
}

/* xattr_permission() (who may write this name on this inode), then
 * xattr_resolve_name(): ext4 has user., trusted. and security. handlers
 * (system.posix_acl_* answer EOPNOTSUPP until ACLs exist); a bare prefix
 * names nothing (EINVAL). */
static int xperm(const struct nsm_inode *in, const char *name, const struct argos_cred *cr)
{
	static const char *const pfx[] = { "user.", "trusted.", "security." };

	if (!strncmp(name, "trusted.", 8) && !root_cred(cr))
		return -EPERM;
	if (!strncmp(name, "user.", 5) && !S_ISREG(in->mode) && !S_ISDIR(in->mode))
		return -EPERM;
	for (unsigned k = 0; k < sizeof(pfx) / sizeof(pfx[0]); k++)
		if (!strncmp(name, pfx[k], strlen(pfx[k])))
			return name[strlen(pfx[k])] ? 0 : -EINVAL;
	return -EOPNOTSUPP;
}

int nsm_pred_setxattr(const struct nsm *m, uint64_t ino, const char *name, int xidx,
		      size_t size, int flags, const struct argos_cred *cr)
{
	const struct nsm_inode *in;
	int err, has;

	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	err = xname_err(name);
	if (err)
		return err;
	if (size > 65536)
		return -E2BIG;
	in = nsm_inode(m, ino);
	if (!in)
		return -ENOENT;
	err = xperm(in, name, cr);
	if (err)
		return err;
	has = xidx >= 0 ? xfind(in, (unsigned)xidx) : -1;
	if (has >= 0 && (flags & XATTR_CREATE))
		return -EEXIST;
	if (has < 0 && (flags & XATTR_REPLACE))
		return -ENODATA;
	return 0;
}

void nsm_do_setxattr(struct nsm *m, uint64_t ino, unsigned xidx, uint32_t vlen, uint32_t vseed)
{
	struct nsm_inode *in = nsm_inode(m, ino);
	int k = xfind(in, xidx);

	if (k < 0)
		k = in->nx++;
	in->x[k] = (struct nsm_x){ .name = (uint8_t)xidx, .vlen = vlen, .vseed = vseed };
	in->ctime_known = false;
}

int nsm_pred_removexattr(const struct nsm *m, uint64_t ino, const char *name, int xidx,
			 const struct argos_cred *cr)
{
	const struct nsm_inode *in;
	int err = xname_err(name);

	if (err)
		return err;
	in = nsm_inode(m, ino);
	if (!in)
		return -ENOENT;
	err = xperm(in, name, cr);
	if (err)
		return err;
	return xidx >= 0 && xfind(in, (unsigned)xidx) >= 0 ? 0 : -ENODATA;
}

void nsm_do_removexattr(struct nsm *m, uint64_t ino, unsigned xidx)
{
	struct nsm_inode *in = nsm_inode(m, ino);
	int k = xfind(in, xidx);

	in->x[k] = in->x[--in->nx];
	in->ctime_known = false;
}

/* ---- lookup, open, release --------------------------------------------------------------- */

int nsm_pred_lookup(const struct nsm *m, uint64_t parent, const char *name, uint64_t *ino)
{
	int dot, e, err = name_err(name, &dot);

	if (err)
		return err;
	err = nsm_dir_err(m, parent);
	if (err)
		return err;
	if (dot == 1) {
		*ino = parent;
		return 0;
	}
	if (dot == 2) {
		*ino = nsm_inode(m, parent)->parent;
		return 0;
	}
	e = find_name(m, parent, name);
	if (e < 0)
		return -ENOENT;
	*ino = m->e[e].ino;
	return 0;
}

int nsm_pred_open(const struct nsm *m, uint64_t ino, int flags)
{
	const struct nsm_inode *in = nsm_inode(m, ino);

	if (!in)
		return -ENOENT;
	if (nsm_is_dir(in) && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if (S_ISLNK(in->mode))
		return -ELOOP;
	return 0;
}

int nsm_do_open(struct nsm *m, uint64_t ino, uint64_t fh)
{
	if (nsm_grow((void **)&m->h, &m->ch, m->nh + 1, sizeof(*m->h)))
		return -ENOMEM;
	m->h[m->nh++] = (struct nsm_fh){ .ino = ino, .fh = fh };
	nsm_inode(m, ino)->nopen++;
	return 0;
}

void nsm_do_release(struct nsm *m, unsigned h)
{
	uint64_t ino = m->h[h].ino;

	m->h[h] = m->h[--m->nh];
	nsm_inode(m, ino)->nopen--;
	maybe_free(m, ino);
}
