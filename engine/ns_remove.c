/*
 * ns_remove.c — removing names: unlink and rmdir.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "ns.h"
#include "pool.h"

struct rm {
	struct argos_pool *p;
	uint64_t parent;
	const char *name;
	size_t len;
	bool dir;
};

static int rm_fn(struct txn *t, void *arg)
{
	struct rm *r = arg;
	struct ad_inode dir, in;
	struct ns_dent d;
	int err = ns_get_dir(t, r->parent, &dir);

	if (err)
		return err;
	/*
	 * The entry is deleted first (one bucket read instead of a find and a
	 * delete); a check below that fails the transaction drops the delete
	 * with everything else.
	 */
	err = ns_dir_take(r->p, t, r->parent, r->name, r->len, &d);
	if (err)
		return err;
	err = ns_get_inode(t, d.ino, &in);
	if (err)
		return err == -ENOENT ? -EIO : err;
	if (r->dir && !S_ISDIR(in.mode))
		return -ENOTDIR;
	if (!r->dir && S_ISDIR(in.mode))
		return -EISDIR;
	if (r->dir && in.nentries)
		return -ENOTEMPTY;
	if (dir.nentries)
		dir.nentries--;
	if (r->dir)
		ns_dir_drop_subdir(&dir);
	ns_touch(&dir, true, true);
	err = ns_put_inode(t, r->parent, &dir);
	if (err)
		return err;
	return r->dir ? ns_drop_dir(r->p, t, d.ino, &in) : ns_drop_link(r->p, t, d.ino, &in);
}

static int remove_name(argos_pool *p, argos_ino_t parent, const char *name, bool dir)
{
	struct rm r = { .p = p, .parent = parent, .name = name, .dir = dir };
	int err = ns_check_name(name, &r.len);

	if (err)
		return err;
	if (r.len == 1 && name[0] == '.')
		return dir ? -EINVAL : -EISDIR;
	if (r.len == 2 && !memcmp(name, "..", 2))
		return dir ? -ENOTEMPTY : -EISDIR;
	return store_txn(&p->st, rm_fn, &r, 0);
}

int argos_unlink(argos_pool *p, argos_ino_t parent, const char *name)
{
	return remove_name(p, parent, name, false);
}

int argos_rmdir(argos_pool *p, argos_ino_t parent, const char *name)
{
	return remove_name(p, parent, name, true);
}
