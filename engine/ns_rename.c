/*
 * ns_rename.c — rename, with RENAME_NOREPLACE and RENAME_EXCHANGE, as ext4
 * answers it:
 *   source missing                         ENOENT
 *   directory into itself or below         EINVAL
 *   over a directory above the source      ENOTEMPTY (EXCHANGE: EINVAL)
 *   same inode under both names            success, nothing changes
 *   directory over non-directory           ENOTDIR
 *   non-directory over directory           EISDIR
 *   directory over non-empty directory     ENOTEMPTY
 *   NOREPLACE and the target exists        EEXIST
 *   EXCHANGE and the target is missing     ENOENT
 *   "." or ".." as a name                  EBUSY (NOREPLACE, as the target: EEXIST)
 * A directory that changes parent moves its ".." and the parents' link counts.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "ns.h"
#include "pool.h"

struct rn {
	struct argos_pool *p;
	uint64_t sp, dp;             /* source and destination parents */
	const char *sn, *dn;
	size_t sl, dl;
	unsigned flags;
};

/* Is `dir` equal to `anc` or below it? */
static int is_below(struct txn *t, uint64_t dir, uint64_t anc, bool *below)
{
	struct ad_inode in;

	*below = false;
	for (unsigned depth = 0; depth < 4096; depth++) {
		int err;

		if (dir == anc) {
			*below = true;
			return 0;
		}
		if (dir == AD_ROOT_INO)
			return 0;
		err = ns_get_inode(t, dir, &in);
		if (err)
			return err;
		if (!in.parent || in.parent == dir)
			return 0;
		dir = in.parent;
	}
	return -ELOOP;   /* a cycle: damaged tree */
}

/* Re-parent a directory that moves from sp to dp (parents already loaded). */
static void move_dir(struct ad_inode *child, uint64_t dp, struct ad_inode *src_parent,
		     struct ad_inode *dst_parent)
{
	child->parent = dp;
	ns_dir_drop_subdir(src_parent);
	ns_dir_add_subdir(dst_parent);
}

static int rename_fn(struct txn *t, void *arg)
{
	struct rn *r = arg;
	struct ad_inode spi, dpi, sin, din;
	struct ad_inode *dparent;
	struct ns_dent s, d;
	bool have_d, below, same_dir = r->sp == r->dp;
	int err;

	err = ns_get_dir(t, r->sp, &spi);
	if (err)
		return err;
	if (same_dir) {
		dparent = &spi;
	} else {
		err = ns_get_dir(t, r->dp, &dpi);
		if (err)
			return err;
		dparent = &dpi;
	}
	err = ns_dir_find(r->p, t, r->sp, r->sn, r->sl, &s);
	if (err)
		return err;
	err = ns_get_inode(t, s.ino, &sin);
	if (err)
		return err == -ENOENT ? -EIO : err;
	err = ns_dir_find(r->p, t, r->dp, r->dn, r->dl, &d);
	if (err && err != -ENOENT)
		return err;
	have_d = err == 0;
	if ((r->flags & ARGOS_RENAME_NOREPLACE) && have_d)
		return -EEXIST;
	if ((r->flags & ARGOS_RENAME_EXCHANGE) && !have_d)
		return -ENOENT;
	if (have_d && d.ino == s.ino)
		return 0;
	if (S_ISDIR(sin.mode) && !same_dir) {
		err = is_below(t, r->dp, s.ino, &below);
		if (err)
			return err;
		if (below)
			return -EINVAL;
	}
	if (have_d) {
		err = ns_get_inode(t, d.ino, &din);
		if (err)
			return err == -ENOENT ? -EIO : err;
		/* The target above the source (lock_rename()'s trap), whatever the
		 * source's type: it is not empty. */
		if (S_ISDIR(din.mode) && !same_dir) {
			err = is_below(t, r->sp, d.ino, &below);
			if (err)
				return err;
			if (below)
				return (r->flags & ARGOS_RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
		}
	}

	if (r->flags & ARGOS_RENAME_EXCHANGE) {
		/* Swap the two entries. */
		err = ns_dir_set(r->p, t, r->sp, r->sn, r->sl, d.ino, d.type);
		if (!err)
			err = ns_dir_set(r->p, t, r->dp, r->dn, r->dl, s.ino, s.type);
		if (err)
			return err;
		if (!same_dir) {
			if (S_ISDIR(sin.mode))
				move_dir(&sin, r->dp, &spi, dparent);
			if (S_ISDIR(din.mode))
				move_dir(&din, r->sp, dparent, &spi);
		}
		ns_touch(&sin, false, true);
		ns_touch(&din, false, true);
		err = ns_put_inode(t, s.ino, &sin);
		if (!err)
			err = ns_put_inode(t, d.ino, &din);
	} else {
		if (have_d) {
			if (S_ISDIR(sin.mode) && !S_ISDIR(din.mode))
				return -ENOTDIR;
			if (!S_ISDIR(sin.mode) && S_ISDIR(din.mode))
				return -EISDIR;
			if (S_ISDIR(din.mode) && din.nentries)
				return -ENOTEMPTY;
			err = ns_dir_set(r->p, t, r->dp, r->dn, r->dl, s.ino, s.type);
		} else {
			err = ns_dir_insert(r->p, t, r->dp, r->dn, r->dl, s.ino, s.type);
			if (!err)
				dparent->nentries++;
		}
		if (!err)
			err = ns_dir_delete(r->p, t, r->sp, r->sn, r->sl);
		if (err)
			return err;
		if (spi.nentries)
			spi.nentries--;
		if (S_ISDIR(sin.mode) && !same_dir)
			move_dir(&sin, r->dp, &spi, dparent);
		ns_touch(&sin, false, true);
		err = ns_put_inode(t, s.ino, &sin);
		if (!err && have_d) {
			/* The replaced inode loses this name. */
			if (S_ISDIR(din.mode)) {
				ns_dir_drop_subdir(dparent);
				err = ns_drop_dir(r->p, t, d.ino, &din);
			} else {
				err = ns_drop_link(r->p, t, d.ino, &din);
			}
		}
	}
	if (err)
		return err;
	ns_touch(&spi, true, true);
	err = ns_put_inode(t, r->sp, &spi);
	if (!err && !same_dir) {
		ns_touch(&dpi, true, true);
		err = ns_put_inode(t, r->dp, &dpi);
	}
	return err;
}

int argos_rename(argos_pool *p, argos_ino_t parent, const char *name, argos_ino_t newparent,
		 const char *newname, unsigned flags)
{
	struct rn r = { .p = p, .sp = parent, .dp = newparent, .sn = name, .dn = newname,
			.flags = flags };
	int err;

	if ((flags & ~(ARGOS_RENAME_NOREPLACE | ARGOS_RENAME_EXCHANGE)) ||
	    ((flags & ARGOS_RENAME_NOREPLACE) && (flags & ARGOS_RENAME_EXCHANGE)))
		return -EINVAL;
	err = ns_check_name(name, &r.sl);
	if (!err)
		err = ns_check_name(newname, &r.dl);
	if (err)
		return err;
	/* As do_renameat2(): "." or ".." on either side is busy (NOREPLACE: exists). */
	if ((r.sl == 1 && name[0] == '.') || (r.sl == 2 && !memcmp(name, "..", 2)))
		return -EBUSY;
	if ((r.dl == 1 && newname[0] == '.') || (r.dl == 2 && !memcmp(newname, "..", 2)))
		return (flags & ARGOS_RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
	return store_txn(&p->st, rename_fn, &r, 0);
}
