/*
 * ns_create.c — making names: mknod, mkdir, symlink, create, link.
 *
 * A new inode takes its number and generation from the pool record (never
 * reused), its owner from the caller, and its group from the caller — or,
 * in a setgid directory, from the directory (a new subdirectory keeps the
 * setgid bit; a new group-executable file loses it unless the caller is in
 * that group).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "elog.h"
#include "itab.h"
#include "ns.h"
#include "pool.h"

const struct argos_cred argos_root_cred = { .uid = 0, .gid = 0, .ngroups = 0, .groups = NULL,
					    .umask = 0 };

struct mk {
	struct argos_pool *p;
	uint64_t parent;
	const char *name;
	size_t len;
	uint32_t mode;
	uint64_t rdev;
	const char *target;        /* symlinks */
	size_t tlen;
	const struct argos_cred *cr;
	bool open;                 /* create: take a handle in the same txn */
	/* out */
	uint64_t ino, fh;
	struct ad_inode in;
};

static int mk_fn(struct txn *t, void *arg)
{
	struct mk *m = arg;
	struct ad_inode dir, in;
	struct ad_poolrec pr;
	uint64_t ino;
	int err;

	err = ns_get_dir(t, m->parent, &dir);
	if (err)
		return err;
	/*
	 * An existing name: ns_dir_insert() below says -EEXIST and the
	 * transaction (new inode number included) is dropped — no separate
	 * find, which read the same directory bucket once more.
	 */
	err = ns_get_pool(t, &pr);
	if (err)
		return err;
	ino = pr.next_ino++;
	memset(&in, 0, sizeof(in));
	in.generation = pr.next_igen++;
	pr.inodes++;
	in.mode = (m->mode & S_IFMT) | (m->mode & 07777 & ~m->cr->umask);
	in.uid = m->cr->uid;
	in.gid = m->cr->gid;
	if (dir.mode & S_ISGID) {
		in.gid = dir.gid;
		if (S_ISDIR(in.mode))
			in.mode |= S_ISGID;
		else if ((in.mode & S_IXGRP) && !ns_in_group(m->cr, in.gid) && m->cr->uid != 0)
			in.mode &= ~(uint32_t)S_ISGID;   /* as mode_strip_sgid() */
	}
	ns_now(&in.btime_sec, &in.btime_nsec);
	in.atime_sec = in.mtime_sec = in.ctime_sec = in.btime_sec;
	in.atime_nsec = in.mtime_nsec = in.ctime_nsec = in.btime_nsec;
	if (S_ISDIR(in.mode)) {
		in.nlink = 2;
		in.parent = m->parent;
		ns_dir_add_subdir(&dir);
	} else {
		in.nlink = 1;
	}
	if (S_ISCHR(in.mode) || S_ISBLK(in.mode))
		in.rdev = m->rdev;
	if (S_ISLNK(in.mode)) {
		in.size = m->tlen;
		in.flags |= AD_INF_INLINE;
		err = ns_inline_write(t, ino, m->target, m->tlen);
		if (err)
			return err;
	}
	dir.nentries++;
	ns_touch(&dir, true, true);
	err = ns_dir_insert(m->p, t, m->parent, m->name, m->len, ino, ns_dtype(in.mode));
	if (!err)
		err = ns_put_inode(t, ino, &in);
	if (!err)
		err = ns_put_inode(t, m->parent, &dir);
	if (!err)
		err = ns_put_pool(t, &pr);
	if (err)
		return err;
	m->ino = ino;
	m->in = in;
	return 0;
}

static int make(struct mk *m, struct argos_attr *out)
{
	int err = ns_check_name(m->name, &m->len);

	if (err)
		return err;
	if ((m->len == 1 && m->name[0] == '.') || (m->len == 2 && !memcmp(m->name, "..", 2)))
		return -EEXIST;
	if (!m->cr)
		m->cr = &argos_root_cred;
	err = store_txn(&m->p->st, mk_fn, m, 0);
	if (err)
		return err;
	if (out)
		ns_attr(&m->in, m->ino, out);
	return itab_lookup(&m->p->itab, m->ino, 1);
}

int argos_mknod(argos_pool *p, argos_ino_t parent, const char *name, uint32_t mode, uint64_t rdev,
		const struct argos_cred *cr, struct argos_attr *out)
{
	struct mk m = { .p = p, .parent = parent, .name = name, .mode = mode, .rdev = rdev, .cr = cr };

	switch (mode & S_IFMT) {
	case 0:
		m.mode |= S_IFREG;
		break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFCHR:
	case S_IFBLK:
		break;
	case S_IFDIR:
		return argos_mkdir(p, parent, name, mode, cr, out);
	default:
		return -EINVAL;
	}
	return make(&m, out);
}

int argos_mkdir(argos_pool *p, argos_ino_t parent, const char *name, uint32_t mode,
		const struct argos_cred *cr, struct argos_attr *out)
{
	/* As vfs_mkdir(): rwx and sticky only (setgid comes from a setgid parent). */
	struct mk m = { .p = p, .parent = parent, .name = name,
			.mode = S_IFDIR | (mode & 01777), .cr = cr };

	return make(&m, out);
}

int argos_symlink(argos_pool *p, argos_ino_t parent, const char *name, const char *target,
		  const struct argos_cred *cr, struct argos_attr *out)
{
	struct mk m = { .p = p, .parent = parent, .name = name, .mode = S_IFLNK | 0777,
			.target = target, .cr = cr };
	struct argos_cred c;

	m.tlen = strlen(target);
	if (m.tlen == 0)
		return -ENOENT;
	if (m.tlen > 4095)
		return -ENAMETOOLONG;
	/* Symlinks are always 0777, whatever the umask. */
	c = cr ? *cr : argos_root_cred;
	c.umask = 0;
	m.cr = &c;
	return make(&m, out);
}

static int create_fn(struct txn *t, void *arg)
{
	struct mk *m = arg;
	int err = mk_fn(t, m);

	/* The handle is taken under the store lock, so no unlink can slip in.
	 * A re-run (page fault) computes the same inode number: open once. */
	if (!err && !m->fh) {
		m->fh = itab_open(&m->p->itab, m->ino);
		if (!m->fh)
			return -ENOMEM;
	}
	return err;
}

int argos_create(argos_pool *p, argos_ino_t parent, const char *name, uint32_t mode, int flags,
		 const struct argos_cred *cr, struct argos_attr *out, uint64_t *fh)
{
	struct mk m = { .p = p, .parent = parent, .name = name,
			.mode = S_IFREG | (mode & 07777), .cr = cr ? cr : &argos_root_cred };
	int err = ns_check_name(name, &m.len);

	(void)flags;
	if (err)
		return err;
	/* "." and ".." exist (as for make(); open(O_CREAT|O_EXCL) says EEXIST). */
	if ((m.len == 1 && name[0] == '.') || (m.len == 2 && !memcmp(name, "..", 2)))
		return -EEXIST;
	err = store_txn(&p->st, create_fn, &m, 0);
	if (err) {
		/* A failed transaction after the handle was taken (re-run) drops it. */
		if (m.fh)
			itab_release(&p->itab, m.ino);
		return err;
	}
	*fh = m.fh;
	if (out)
		ns_attr(&m.in, m.ino, out);
	return itab_lookup(&p->itab, m.ino, 1);
}

struct ln {
	struct argos_pool *p;
	uint64_t ino, parent;
	const char *name;
	size_t len;
	struct ad_inode in;
};

static int link_fn(struct txn *t, void *arg)
{
	struct ln *l = arg;
	struct ad_inode dir;
	struct ns_dent d;
	int err = ns_get_inode(t, l->ino, &l->in);

	if (err)
		return err;
	/* The new name first (filename_create()), then the inode (vfs_link()). */
	err = ns_get_dir(t, l->parent, &dir);
	if (err)
		return err;
	err = ns_dir_find(l->p, t, l->parent, l->name, l->len, &d);
	if (err != -ENOENT)
		return err ? err : -EEXIST;
	if (S_ISDIR(l->in.mode))
		return -EPERM;
	if (l->in.nlink == 0)
		return -ENOENT;
	if (l->in.nlink >= NS_MAX_LINKS)
		return -EMLINK;
	l->in.nlink++;
	ns_touch(&l->in, false, true);
	dir.nentries++;
	ns_touch(&dir, true, true);
	err = ns_dir_insert(l->p, t, l->parent, l->name, l->len, l->ino, ns_dtype(l->in.mode));
	if (!err)
		err = ns_put_inode(t, l->ino, &l->in);
	if (!err)
		err = ns_put_inode(t, l->parent, &dir);
	return err;
}

int argos_link(argos_pool *p, argos_ino_t ino, argos_ino_t newparent, const char *newname,
	       struct argos_attr *out)
{
	struct ln l = { .p = p, .ino = ino, .parent = newparent, .name = newname };
	int err = ns_check_name(newname, &l.len);

	if (err)
		return err;
	if ((l.len == 1 && newname[0] == '.') || (l.len == 2 && !memcmp(newname, "..", 2)))
		return -EEXIST;
	err = store_txn(&p->st, link_fn, &l, 0);
	if (err)
		return err;
	if (out)
		ns_attr(&l.in, ino, out);
	return itab_lookup(&p->itab, ino, 1);
}
