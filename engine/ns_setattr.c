/*
 * ns_setattr.c — changing attributes, and atime updates on reads.
 *
 * The rules follow Linux (chmod(2), chown(2), utimensat(2), truncate(2)):
 *  - only root or the owner changes mode, times (other than "now") and the
 *    group; only root changes the owner, or the group to one the owner is not
 *    in (EPERM);
 *  - chmod by a caller outside the file's group (not root) drops setgid;
 *  - chown of a non-directory drops setuid, and setgid when group-execute is
 *    set (a setgid bit without it marks mandatory locking and stays);
 *  - a size change of a directory is EISDIR, of a special file EINVAL.
 * atime (relatime, the default): written on a read only when it is older than
 * mtime or ctime, or a day old; the "atime" pool property (or the open's
 * options) selects noatime or strictatime (pool_prop.c).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "data.h"
#include "ns.h"
#include "pool.h"

struct sa {
	struct argos_pool *p;
	uint64_t ino;
	const struct argos_attr *in;
	unsigned what;
	const struct argos_cred *cr;
	struct ad_inode out;
};

static void kill_suidgid(struct ad_inode *in)
{
	in->mode &= ~(uint32_t)S_ISUID;
	if (in->mode & S_IXGRP)
		in->mode &= ~(uint32_t)S_ISGID;
}

static int setattr_fn(struct txn *t, void *arg)
{
	struct sa *s = arg;
	const struct argos_attr *a = s->in;
	const struct argos_cred *cr = s->cr;
	struct ad_inode in;
	bool root = cr->uid == 0, owner;
	int err = ns_get_inode(t, s->ino, &in);

	if (err)
		return err;
	owner = root || cr->uid == in.uid;
	if (s->what & ARGOS_SET_SIZE) {
		if (S_ISDIR(in.mode))
			return -EISDIR;
		if (!S_ISREG(in.mode))
			return -EINVAL;
		if (a->size != in.size) {
			err = ns_data_truncate(s->p, t, s->ino, &in, a->size);
			if (err)
				return err;
			in.size = a->size;
		}
		ns_touch(&in, true, false);
	}
	if (s->what & ARGOS_SET_MODE) {
		if (!owner)
			return -EPERM;
		in.mode = (in.mode & S_IFMT) | (a->mode & 07777);
		if (!root && !ns_in_group(cr, in.gid))
			in.mode &= ~(uint32_t)S_ISGID;
	}
	if (s->what & (ARGOS_SET_UID | ARGOS_SET_GID)) {
		bool uid_change = (s->what & ARGOS_SET_UID) && a->uid != in.uid;
		bool gid_change = (s->what & ARGOS_SET_GID) && a->gid != in.gid;

		if (uid_change && !root)
			return -EPERM;
		if (gid_change && !root && (!owner || !ns_in_group(cr, a->gid)))
			return -EPERM;
		if (s->what & ARGOS_SET_UID)
			in.uid = a->uid;
		if (s->what & ARGOS_SET_GID)
			in.gid = a->gid;
		if (!S_ISDIR(in.mode))
			kill_suidgid(&in);
	}
	if (s->what & (ARGOS_SET_ATIME | ARGOS_SET_MTIME)) {
		if (!owner)
			return -EPERM;
	}
	if (s->what & ARGOS_SET_ATIME) {
		in.atime_sec = a->atime.tv_sec;
		in.atime_nsec = (uint32_t)a->atime.tv_nsec;
	}
	if (s->what & ARGOS_SET_MTIME) {
		in.mtime_sec = a->mtime.tv_sec;
		in.mtime_nsec = (uint32_t)a->mtime.tv_nsec;
	}
	if (s->what & (ARGOS_SET_ATIME_NOW | ARGOS_SET_MTIME_NOW)) {
		int64_t sec;
		uint32_t nsec;

		ns_now(&sec, &nsec);
		if (s->what & ARGOS_SET_ATIME_NOW) {
			in.atime_sec = sec;
			in.atime_nsec = nsec;
		}
		if (s->what & ARGOS_SET_MTIME_NOW) {
			in.mtime_sec = sec;
			in.mtime_nsec = nsec;
		}
	}
	if (s->what & ARGOS_SET_KILL_SUIDGID)
		kill_suidgid(&in);
	ns_touch(&in, false, true);
	if (s->what & ARGOS_SET_CTIME) {
		in.ctime_sec = a->ctime.tv_sec;
		in.ctime_nsec = (uint32_t)a->ctime.tv_nsec;
	}
	if ((uint64_t)in.atime_nsec > 999999999u || (uint64_t)in.mtime_nsec > 999999999u ||
	    (uint64_t)in.ctime_nsec > 999999999u)
		return -EINVAL;
	s->out = in;
	return ns_put_inode(t, s->ino, &in);
}

int argos_setattr(argos_pool *p, argos_ino_t ino, const struct argos_attr *in, unsigned what,
		  const struct argos_cred *cr, struct argos_attr *out)
{
	struct sa s = { .p = p, .ino = ino, .in = in, .what = what,
			.cr = cr ? cr : &argos_root_cred };
	int err;

	if (what & ~0x3ffu)
		return -EINVAL;
	if (what & ARGOS_SET_SIZE) {
		/* Buffered writes go first, and the window must not outlive them. */
		err = data_invalidate_ino(p, ino);
		if (err)
			return err;
	} else if ((what & (ARGOS_SET_ATIME | ARGOS_SET_MTIME | ARGOS_SET_ATIME_NOW |
			    ARGOS_SET_MTIME_NOW)) && !p->rdonly) {
		/* Buffered writes go first: their commit stamps mtime, which
		 * must not overwrite the times set here (cp -a, tar, touch). */
		err = data_flush_ino(p, ino);
		if (err)
			return err;
	}
	err = store_txn(&p->st, setattr_fn, &s, 0);
	if (!err && out)
		ns_attr(&s.out, ino, out);
	return err;
}

/* ---- atime on reads ---------------------------------------------------------- */

static bool older(int64_t as, uint32_t an, int64_t bs, uint32_t bn)
{
	return as < bs || (as == bs && an <= bn);
}

struct at {
	uint64_t ino;
	int policy;
	struct ad_inode in;   /* filled by atime_load_due */
	int64_t now;
	uint32_t nsec;
};

/* Whether a read must move in's atime to now under policy (relatime:
 * atime not after mtime or ctime, or a day old; strictatime: always). */
static bool atime_due(const struct ad_inode *in, int policy, int64_t now)
{
	if (policy == NS_ATIME_NOATIME)
		return false;
	if (policy != NS_ATIME_RELATIME)
		return true;
	return older(in->atime_sec, in->atime_nsec, in->mtime_sec, in->mtime_nsec) ||
	       older(in->atime_sec, in->atime_nsec, in->ctime_sec, in->ctime_nsec) ||
	       now - in->atime_sec >= 24 * 3600;
}

/* Read the inode and decide: 1 the atime must move (a->in, a->now, a->nsec
 * set), 0 not, or an error.  Both the read-only check and the write
 * transaction decide with it. */
static int atime_load_due(struct txn *t, struct at *a)
{
	int err = ns_get_inode(t, a->ino, &a->in);

	if (err)
		return err;
	ns_now(&a->now, &a->nsec);
	return atime_due(&a->in, a->policy, a->now) ? 1 : 0;
}

static int atime_fn(struct txn *t, void *arg)
{
	struct at *a = arg;
	int err = atime_load_due(t, a);

	if (err <= 0)
		return err == -ENOENT ? 0 : err;
	a->in.atime_sec = a->now;
	a->in.atime_nsec = a->nsec;
	return ns_put_inode(t, a->ino, &a->in);
}

/* The read-only half: is an update due at all? (errors: let the txn see) */
static int atime_check_fn(struct txn *t, void *arg)
{
	return atime_load_due(t, arg);
}

/*
 * Most reads under relatime change nothing: decide from the inode the
 * caller already read (in, when not NULL) or from a read transaction, and
 * open a write transaction — which decides again, under the store's write
 * lock — only when the atime must move.
 */
void ns_read_atime(struct argos_pool *p, uint64_t ino, const struct ad_inode *in)
{
	struct at a = { .ino = ino, .policy = p->atime_policy };
	int64_t now;
	uint32_t nsec;

	if (a.policy == NS_ATIME_NOATIME || p->rdonly || p->st.err)
		return;
	if (in) {
		ns_now(&now, &nsec);
		if (!atime_due(in, a.policy, now))
			return;
	} else if (a.policy == NS_ATIME_RELATIME &&
		   store_read(&p->st, atime_check_fn, &a) == 0) {
		return;
	}
	(void)store_txn(&p->st, atime_fn, &a, 0);
}
