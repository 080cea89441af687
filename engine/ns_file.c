/*
 * ns_file.c — open handles and durability: open, release, fsync, fsyncdir.
 *
 * An open handle keeps the inode alive: unlinking its last name while it is
 * open puts it on the orphan list; the last release frees it.  Opening is a
 * check under the store's shared lock, so it cannot cross an unlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "data.h"
#include "itab.h"
#include "ns.h"
#include "pool.h"

struct op {
	struct argos_pool *p;
	uint64_t ino, fh;
	int flags;
};

static int open_fn(struct txn *t, void *arg)
{
	struct op *o = arg;
	struct ad_inode in;
	int err = ns_get_inode(t, o->ino, &in);

	if (err)
		return err;
	if (S_ISDIR(in.mode) && (o->flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if (S_ISLNK(in.mode))
		return -ELOOP;
	if (!o->fh) {
		o->fh = itab_open(&o->p->itab, o->ino);
		if (!o->fh)
			return -ENOMEM;
	}
	return 0;
}

int argos_open(argos_pool *p, argos_ino_t ino, int flags, uint64_t *fh)
{
	struct op o = { .p = p, .ino = ino, .flags = flags };
	int err;

	if (p->rdonly && (flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	err = store_read(&p->st, open_fn, &o);
	if (err) {
		if (o.fh)
			itab_release(&p->itab, ino);
		return err;
	}
	*fh = o.fh;
	return 0;
}

static int reap_fn(struct txn *t, void *arg)
{
	struct op *o = arg;
	struct ad_inode in;
	int err = ns_get_inode(t, o->ino, &in);

	if (err)
		return err == -ENOENT ? 0 : err;
	/* Still linked, or opened again meanwhile: nothing to do. */
	if (in.nlink > 0 || itab_nopen(&o->p->itab, o->ino) > 0)
		return 0;
	return ns_destroy(o->p, t, o->ino);
}

int argos_release(argos_pool *p, argos_ino_t ino, uint64_t fh)
{
	struct op o = { .p = p, .ino = ino, .fh = fh };
	int err = p->rdonly ? 0 : data_flush_ino(p, ino);

	if (itab_release(&p->itab, ino) > 0 || p->rdonly)
		return err;
	data_forget_ino(p, ino);
	return store_txn(&p->st, reap_fn, &o, 0) ?: err;
}

int argos_fsync(argos_pool *p, argos_ino_t ino, int datasync)
{
	int err;

	(void)datasync;
	if (p->rdonly)
		return 0;
	err = data_flush_ino(p, ino);
	return err ? err : store_sync(&p->st);
}

int argos_fsyncdir(argos_pool *p, argos_ino_t dir)
{
	(void)dir;
	return store_sync(&p->st);
}
