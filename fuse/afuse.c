/*
 * afuse.c — FUSE low-level operations over the ArgosFS engine (see afuse.h).
 *
 * Every operation is a thin call into engine/argosfs.h: the engine does the
 * work and returns a negative errno, which goes back to the kernel as is.
 * New objects are owned by the caller (fuse_req_ctx) and get its
 * supplementary groups for setgid decisions; the kernel applies the umask.
 *
 * Capabilities asked of the kernel: writes up to 1 MiB, asynchronous reads,
 * parallel directory operations, readdirplus, and, only with -o
 * writeback_cache (afuse_opts.writeback), the writeback cache (safe: the
 * daemon owns the pool exclusively, so no one else changes it; not the
 * default: it costs sequential writes two to three times the daemon CPU, and
 * the kernel drops a file's cached block count at every close, so the next
 * stat is a GETATTR — docs/benchmarks.md).  The
 * kernel keeps clearing setuid/setgid on write/truncate itself (we decline
 * HANDLE_KILLPRIV), sending us the setattr that does it.
 *
 * What the kernel caches.  Entries, attributes and negative entries are
 * given long timeouts (mount options entry_timeout, attr_timeout,
 * negative_timeout; AFUSE_TIMEOUT_DEFAULT): a stat of a known name is then
 * answered from the dcache and inode cache, with no LOOKUP/GETATTR.  That is
 * safe because the engine refuses a second opener of the pool, so every
 * change goes through this mount and the kernel sees its request and reply.
 * What the engine changes besides the inode in the reply, and why the kernel
 * does not keep a stale value of it (fs/fuse/dir.c, file.c):
 *  - the replaced target of rename, the name removed by unlink/rmdir: nlink
 *    and ctime change; the kernel drops the cached link count itself and
 *    invalidates the inode's ctime (fuse_entry_unlinked), and rename
 *    invalidates the ctime of the moved inode (both, for EXCHANGE);
 *  - the parent directories (mtime, ctime, nlink of mkdir/rmdir/rename of a
 *    directory): the kernel invalidates their attributes after every entry
 *    operation (fuse_dir_changed);
 *  - link: the reply carries the inode's new nlink and ctime;
 *  - atime written by the engine on a read or readdir (relatime,
 *    strictatime): FUSE inodes are S_NOATIME in the kernel, which marks the
 *    cached atime invalid after every READ and READDIR it sends
 *    (fuse_invalidate_atime), so the next stat asks us; a read answered from
 *    the page cache does not reach the engine and changes no atime;
 *  - xattrs: setxattr/removexattr invalidate the ctime;
 *  - size, blocks, mtime and ctime after writes: the kernel invalidates them
 *    after each WRITE (and owns mtime/ctime/size under the writeback cache);
 *  - orphans (unlinked while open) are freed at release/forget: the kernel
 *    already has nlink 0 and no name for them.
 * Nothing else in the engine changes an inode or a directory on its own
 * (checkpoints, deferred-write folds and repairs change only where data
 * lives), so no fuse_lowlevel_notify_inval_* is needed; a future change
 * made behind the kernel's back (an online tool through a control socket)
 * must call them.  tests/integration/fuse_cache.sh checks these cases.
 */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <fuse_lowlevel.h>

#include "afuse.h"
#include "rbuf.h"

/* Largest read the kernel sends (max_readahead; max_read is not set). */
#define AFUSE_MAX_READ (1u << 20)

struct afuse {
	argos_pool *p;
	struct afuse_opts o;
	uint32_t blksize;
	struct rbuf_pool rbufs;     /* read replies */
};

static struct afuse *ctx_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static void to_stat(const struct afuse *a, const struct argos_attr *at, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = at->ino;
	st->st_mode = at->mode;
	st->st_nlink = at->nlink;
	st->st_uid = at->uid;
	st->st_gid = at->gid;
	st->st_rdev = at->rdev;
	st->st_size = (off_t)at->size;
	st->st_blocks = (blkcnt_t)at->blocks;
	st->st_blksize = S_ISREG(at->mode) ? a->blksize : 4096;
	st->st_atim = at->atime;
	st->st_mtim = at->mtime;
	st->st_ctim = at->ctime;
}

static void entry_of(const struct afuse *a, const struct argos_attr *at, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = at->ino;
	e->generation = at->generation;
	e->attr_timeout = a->o.attr_timeout;
	e->entry_timeout = a->o.entry_timeout;
	to_stat(a, at, &e->attr);
}

/* The caller's credentials, with its supplementary groups. */
struct cred_buf {
	struct argos_cred cr;
	uint32_t groups[64];
};

/* The caller's uid, gid and no supplementary groups. */
static const struct argos_cred *cred_nogroups(fuse_req_t req, struct cred_buf *b)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);

	memset(&b->cr, 0, sizeof(b->cr));
	b->cr.uid = fc->uid;
	b->cr.gid = fc->gid;
	b->cr.umask = 0;   /* the kernel applied it */
	return &b->cr;
}

static const struct argos_cred *cred_of(fuse_req_t req, struct cred_buf *b)
{
	gid_t g[64];
	int n = fuse_req_getgroups(req, 64, g);

	cred_nogroups(req, b);
	if (n > 0) {
		if (n > 64)
			n = 64;
		for (int i = 0; i < n; i++)
			b->groups[i] = g[i];
		b->cr.ngroups = (unsigned)n;
		b->cr.groups = b->groups;
	}
	return &b->cr;
}

/*
 * Credentials for making a name in parent.  The engine looks at the
 * caller's supplementary groups there only in a setgid directory (may a new
 * group-executable file keep its setgid bit?), and fuse_req_getgroups()
 * costs about 2,700 instructions and six system calls per call (libfuse
 * opens and reads /proc/PID/task/TID/status twice: its first buffer is too
 * small).  So read them only for a setgid parent.  The parent's mode cannot change between this check and the
 * create: the kernel holds the parent's inode lock across the request
 * (chmod takes the same lock), and nothing but this mount writes the pool.
 */
static const struct argos_cred *cred_for_create(fuse_req_t req, fuse_ino_t parent,
						struct cred_buf *b)
{
	struct argos_attr dir;

	if (argos_getattr(ctx_of(req)->p, parent, &dir) == 0 && !(dir.mode & S_ISGID))
		return cred_nogroups(req, b);
	return cred_of(req, b);
}

static void reply_entry(fuse_req_t req, int err, const struct argos_attr *at)
{
	struct fuse_entry_param e;

	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	entry_of(ctx_of(req), at, &e);
	fuse_reply_entry(req, &e);
}

/* ---- init ----------------------------------------------------------------- */

static void afuse_init(void *userdata, struct fuse_conn_info *conn)
{
	struct afuse *a = userdata;

	conn->max_write = 1u << 20;
	conn->max_readahead = AFUSE_MAX_READ;
	if (conn->capable & FUSE_CAP_ASYNC_READ)
		conn->want |= FUSE_CAP_ASYNC_READ;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO;
	if (a->o.writeback && (conn->capable & FUSE_CAP_WRITEBACK_CACHE))
		conn->want |= FUSE_CAP_WRITEBACK_CACHE;
	conn->want &= ~(FUSE_CAP_HANDLE_KILLPRIV);
#ifdef FUSE_CAP_HANDLE_KILLPRIV_V2
	conn->want &= ~(FUSE_CAP_HANDLE_KILLPRIV_V2);
#endif
	if (conn->capable & FUSE_CAP_SPLICE_READ)
		conn->want &= ~FUSE_CAP_SPLICE_READ;
}

/* ---- names ------------------------------------------------------------------ */

static void afuse_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct afuse *a = ctx_of(req);
	struct argos_attr at;
	int err = argos_lookup(a->p, parent, name, &at);

	if (err == -ENOENT) {
		/* A negative entry: the kernel remembers the name is absent. */
		struct fuse_entry_param e;

		memset(&e, 0, sizeof(e));
		e.entry_timeout = a->o.negative_timeout;
		fuse_reply_entry(req, &e);
		return;
	}
	reply_entry(req, err, &at);
}

static void afuse_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	argos_forget(ctx_of(req)->p, ino, nlookup);
	fuse_reply_none(req);
}

static void afuse_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *f)
{
	for (size_t i = 0; i < count; i++)
		argos_forget(ctx_of(req)->p, f[i].ino, f[i].nlookup);
	fuse_reply_none(req);
}

static void afuse_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct afuse *a = ctx_of(req);
	struct argos_attr at;
	struct stat st;
	int err = argos_getattr(a->p, ino, &at);

	(void)fi;
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	to_stat(a, &at, &st);
	fuse_reply_attr(req, &st, a->o.attr_timeout);
}

/* Is mode the inode's mode minus some of its setuid/setgid bits? */
static bool only_drops_suidgid(struct afuse *a, fuse_ino_t ino, mode_t mode)
{
	const uint32_t priv = S_ISUID | S_ISGID;
	struct argos_attr cur;

	if (argos_getattr(a->p, ino, &cur))
		return false;
	return ((cur.mode & 07777 & ~priv) == (mode & 07777 & ~priv)) && !(mode & ~cur.mode & priv) &&
	       (cur.mode & priv & ~mode);
}

static void afuse_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *in, int to_set,
			  struct fuse_file_info *fi)
{
	struct afuse *a = ctx_of(req);
	const struct argos_cred *cr;
	struct argos_attr at, out;
	struct cred_buf cb;
	unsigned what = 0;
	struct stat st;
	int err;

	(void)fi;
	memset(&at, 0, sizeof(at));
	at.mode = in->st_mode;
	at.uid = in->st_uid;
	at.gid = in->st_gid;
	at.size = (uint64_t)in->st_size;
	at.atime = in->st_atim;
	at.mtime = in->st_mtim;
	at.ctime = in->st_ctim;
	if (to_set & FUSE_SET_ATTR_MODE)
		what |= ARGOS_SET_MODE;
	if (to_set & FUSE_SET_ATTR_UID)
		what |= ARGOS_SET_UID;
	if (to_set & FUSE_SET_ATTR_GID)
		what |= ARGOS_SET_GID;
	if (to_set & FUSE_SET_ATTR_SIZE)
		what |= ARGOS_SET_SIZE;
	if (to_set & FUSE_SET_ATTR_ATIME_NOW)
		what |= ARGOS_SET_ATIME_NOW;
	else if (to_set & FUSE_SET_ATTR_ATIME)
		what |= ARGOS_SET_ATIME;
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		what |= ARGOS_SET_MTIME_NOW;
	else if (to_set & FUSE_SET_ATTR_MTIME)
		what |= ARGOS_SET_MTIME;
	if (to_set & FUSE_SET_ATTR_CTIME)
		what |= ARGOS_SET_CTIME;
	/*
	 * Times only: the kernel (default_permissions, always on) has checked
	 * them — explicit times need the owner, "now" write permission — and
	 * with the writeback cache it sends "now" for mtime as an explicit
	 * time (touch by a non-owner with write permission, and the later
	 * flush of times a write by such a user left).  The engine would see
	 * an explicit mtime from a non-owner and refuse it (EPERM).
	 */
	if (!(what & ~(unsigned)(ARGOS_SET_ATIME | ARGOS_SET_MTIME | ARGOS_SET_ATIME_NOW |
				 ARGOS_SET_MTIME_NOW | ARGOS_SET_CTIME)))
		cr = &argos_root_cred;   /* (no getgroups: the close of every written file sends one) */
	else
		cr = cred_of(req, &cb);
	/*
	 * A mode change that only removes setuid/setgid is how the kernel
	 * (HANDLE_KILLPRIV declined) clears them when a user who is not the
	 * owner writes or truncates the file; it comes with that user's
	 * credentials, which may not chmod.  Dropping privileges is never an
	 * escalation, so do it as root.
	 */
	if ((what & ARGOS_SET_MODE) && cr != &argos_root_cred && only_drops_suidgid(a, ino, in->st_mode))
		cr = &argos_root_cred;
	err = argos_setattr(a->p, ino, &at, what, cr, &out);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	to_stat(a, &out, &st);
	fuse_reply_attr(req, &st, a->o.attr_timeout);
}

static void afuse_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[PATH_MAX + 1];
	int n = argos_readlink(ctx_of(req)->p, ino, buf, PATH_MAX);

	if (n < 0) {
		fuse_reply_err(req, -n);
		return;
	}
	buf[n] = '\0';
	fuse_reply_readlink(req, buf);
}

static void afuse_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			dev_t rdev)
{
	struct argos_attr at;
	struct cred_buf cb;

	reply_entry(req, argos_mknod(ctx_of(req)->p, parent, name, mode, rdev,
				     cred_for_create(req, parent, &cb), &at), &at);
}

static void afuse_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct argos_attr at;
	struct cred_buf cb;

	reply_entry(req, argos_mkdir(ctx_of(req)->p, parent, name, mode,
				     cred_for_create(req, parent, &cb), &at), &at);
}

static void afuse_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct argos_attr at;
	struct cred_buf cb;

	reply_entry(req, argos_symlink(ctx_of(req)->p, parent, name, link,
				       cred_for_create(req, parent, &cb), &at), &at);
}

static void afuse_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct argos_attr at;

	reply_entry(req, argos_link(ctx_of(req)->p, ino, newparent, newname, &at), &at);
}

static void afuse_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, -argos_unlink(ctx_of(req)->p, parent, name));
}

static void afuse_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, -argos_rmdir(ctx_of(req)->p, parent, name));
}

static void afuse_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			 fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	unsigned f = 0;

	if (flags & RENAME_NOREPLACE)
		f |= ARGOS_RENAME_NOREPLACE;
	if (flags & RENAME_EXCHANGE)
		f |= ARGOS_RENAME_EXCHANGE;
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
		fuse_reply_err(req, EINVAL);   /* RENAME_WHITEOUT */
		return;
	}
	fuse_reply_err(req, -argos_rename(ctx_of(req)->p, parent, name, newparent, newname, f));
}

/* ---- files ---------------------------------------------------------------------- */

static void afuse_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct afuse *a = ctx_of(req);
	uint64_t fh;
	int err = argos_open(a->p, ino, fi->flags, &fh);

	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	fi->fh = fh;
	fi->keep_cache = 1;   /* nothing but this mount changes the pool */
	if (fi->flags & O_TRUNC) {
		struct argos_attr at = { .size = 0 };
		struct cred_buf cb;

		err = argos_setattr(a->p, ino, &at, ARGOS_SET_SIZE, cred_of(req, &cb), NULL);
		if (err) {
			argos_release(a->p, ino, fh);
			fuse_reply_err(req, -err);
			return;
		}
		fi->keep_cache = 0;
	}
	fuse_reply_open(req, fi);
}

static void afuse_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 struct fuse_file_info *fi)
{
	struct afuse *a = ctx_of(req);
	struct fuse_entry_param e;
	struct argos_attr at;
	struct cred_buf cb;
	uint64_t fh;
	int err = argos_create(a->p, parent, name, mode, fi->flags, cred_for_create(req, parent, &cb),
			       &at, &fh);

	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	fi->fh = fh;
	entry_of(a, &at, &e);
	fuse_reply_create(req, &e, fi);
}

static void afuse_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct afuse *a = ctx_of(req);
	char *buf = rbuf_get(&a->rbufs, size);
	int n;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = argos_read(a->p, ino, fi->fh, buf, size, (uint64_t)off);
	if (n < 0)
		fuse_reply_err(req, -n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	rbuf_put(&a->rbufs, buf, size);
}

static void afuse_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	int n = argos_write(ctx_of(req)->p, ino, fi->fh, buf, size, (uint64_t)off);

	if (n < 0)
		fuse_reply_err(req, -n);
	else
		fuse_reply_write(req, (size_t)n);
}

static void afuse_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, -argos_flush(ctx_of(req)->p, ino, fi->fh));
}

static void afuse_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, -argos_release(ctx_of(req)->p, ino, fi->fh));
}

static void afuse_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)fi;
	fuse_reply_err(req, -argos_fsync(ctx_of(req)->p, ino, datasync));
}

static void afuse_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
			    struct fuse_file_info *fi)
{
	(void)fi;
	if (off < 0 || len <= 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	/* Modes, holes and the space check: argos_fallocate() (data_sparse.c). */
	fuse_reply_err(req, -argos_fallocate(ctx_of(req)->p, ino, mode, (uint64_t)off,
					     (uint64_t)len));
}

static void afuse_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
			struct fuse_file_info *fi)
{
	uint64_t res;
	int err;

	(void)fi;
	if (whence != SEEK_DATA && whence != SEEK_HOLE) {
		fuse_reply_err(req, EINVAL);   /* the kernel answers SEEK_SET/CUR/END itself */
		return;
	}
	if (off < 0) {
		fuse_reply_err(req, ENXIO);
		return;
	}
	err = argos_lseek_data(ctx_of(req)->p, ino, (uint64_t)off, whence, &res);
	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_lseek(req, (off_t)res);
}

static void afuse_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
				  struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
				  struct fuse_file_info *fi_out, size_t len, int flags)
{
	struct afuse *a = ctx_of(req);
	size_t done = 0, chunk = 1u << 20;
	char *buf;
	int err = 0;

	if (flags) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	buf = malloc(chunk);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	while (done < len) {
		size_t want = len - done < chunk ? len - done : chunk;
		int n = argos_read(a->p, ino_in, fi_in->fh, buf, want, (uint64_t)off_in + done);
		int w;

		if (n <= 0) {
			err = n;
			break;
		}
		w = argos_write(a->p, ino_out, fi_out->fh, buf, (size_t)n, (uint64_t)off_out + done);
		if (w < 0) {
			err = w;
			break;
		}
		done += (size_t)w;
		if (n < (int)want)
			break;
	}
	free(buf);
	if (err && !done)
		fuse_reply_err(req, -err);
	else
		fuse_reply_write(req, done);
}

/* ---- directories ------------------------------------------------------------------ */

static void afuse_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct argos_attr at;
	int err = argos_getattr(ctx_of(req)->p, ino, &at);

	if (!err && !S_ISDIR(at.mode))
		err = -ENOTDIR;
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	fi->fh = 0;
	fi->cache_readdir = 0;
	fuse_reply_open(req, fi);
}

struct dirbuf {
	fuse_req_t req;
	struct afuse *a;
	char *buf;
	size_t size, pos;
	bool plus;
};

static int add_dirent(void *ctx, const char *name, const struct argos_attr *at, uint64_t next)
{
	struct dirbuf *d = ctx;
	size_t need;

	if (d->plus) {
		struct fuse_entry_param e;

		entry_of(d->a, at, &e);
		if (!strcmp(name, ".") || !strcmp(name, "..")) {
			e.ino = 0;   /* no lookup reference for these */
			e.attr.st_ino = at->ino;
		}
		need = fuse_add_direntry_plus(d->req, d->buf + d->pos, d->size - d->pos, name, &e,
					      (off_t)next);
	} else {
		struct stat st;

		memset(&st, 0, sizeof(st));
		st.st_ino = at->ino;
		st.st_mode = at->mode;
		need = fuse_add_direntry(d->req, d->buf + d->pos, d->size - d->pos, name, &st,
					 (off_t)next);
	}
	if (need > d->size - d->pos)
		return 1;   /* full: the kernel asks again from this entry */
	d->pos += need;
	return 0;
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
	struct dirbuf d = { .req = req, .a = ctx_of(req), .size = size, .plus = plus };
	int err;

	d.buf = malloc(size ? size : 1);
	if (!d.buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	err = argos_readdir(d.a->p, ino, (uint64_t)off, plus, add_dirent, &d);
	if (err && d.pos == 0)
		fuse_reply_err(req, -err);
	else
		fuse_reply_buf(req, d.buf, d.pos);
	free(d.buf);
}

static void afuse_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, false);
}

static void afuse_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			      struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, true);
}

static void afuse_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

static void afuse_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)datasync;
	(void)fi;
	fuse_reply_err(req, -argos_fsyncdir(ctx_of(req)->p, ino));
}

/* ---- the rest ---------------------------------------------------------------------- */

static void afuse_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct argos_statfs s;
	struct statvfs v;
	int err = argos_statfs(ctx_of(req)->p, &s);

	(void)ino;
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	memset(&v, 0, sizeof(v));
	v.f_bsize = s.bsize;
	v.f_frsize = s.bsize;
	v.f_blocks = s.blocks;
	v.f_bfree = s.bfree;
	v.f_bavail = s.bavail;
	v.f_files = s.files;
	v.f_ffree = s.ffree;
	v.f_favail = s.ffree;
	v.f_namemax = s.namemax;
	fuse_reply_statfs(req, &v);
}

static void afuse_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			   size_t size, int flags)
{
	struct cred_buf cb;

	fuse_reply_err(req, -argos_setxattr(ctx_of(req)->p, ino, name, value, size, flags,
					    cred_of(req, &cb)));
}

static void afuse_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	char *buf = size ? malloc(size) : NULL;
	int n;

	if (size && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = argos_getxattr(ctx_of(req)->p, ino, name, buf, size);
	if (n < 0)
		fuse_reply_err(req, -n);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

static void afuse_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	char *buf = size ? malloc(size) : NULL;
	int n;

	if (size && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = argos_listxattr(ctx_of(req)->p, ino, buf, size);
	if (n < 0)
		fuse_reply_err(req, -n);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

static void afuse_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct cred_buf cb;

	fuse_reply_err(req, -argos_removexattr(ctx_of(req)->p, ino, name, cred_of(req, &cb)));
}

static void afuse_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct cred_buf cb;

	fuse_reply_err(req, -argos_access(ctx_of(req)->p, ino, mask, cred_of(req, &cb)));
}

static const struct fuse_lowlevel_ops afuse_ops = {
	.init = afuse_init,
	.lookup = afuse_lookup,
	.forget = afuse_forget,
	.forget_multi = afuse_forget_multi,
	.getattr = afuse_getattr,
	.setattr = afuse_setattr,
	.readlink = afuse_readlink,
	.mknod = afuse_mknod,
	.mkdir = afuse_mkdir,
	.unlink = afuse_unlink,
	.rmdir = afuse_rmdir,
	.symlink = afuse_symlink,
	.rename = afuse_rename,
	.link = afuse_link,
	.open = afuse_open,
	.read = afuse_read,
	.write = afuse_write,
	.flush = afuse_flush,
	.release = afuse_release,
	.fsync = afuse_fsync,
	.opendir = afuse_opendir,
	.readdir = afuse_readdir,
	.readdirplus = afuse_readdirplus,
	.releasedir = afuse_releasedir,
	.fsyncdir = afuse_fsyncdir,
	.statfs = afuse_statfs,
	.setxattr = afuse_setxattr,
	.getxattr = afuse_getxattr,
	.listxattr = afuse_listxattr,
	.removexattr = afuse_removexattr,
	.access = afuse_access,
	.create = afuse_create,
	.fallocate = afuse_fallocate,
	.lseek = afuse_lseek,
	.copy_file_range = afuse_copy_file_range,
};

int afuse_run(argos_pool *p, const char *mountpoint, int fuse_argc, char **fuse_argv,
	      const struct afuse_opts *o, void (*ready)(void *ctx), void *rctx,
	      char *why, size_t whylen)
{
	struct fuse_args args = FUSE_ARGS_INIT(fuse_argc, fuse_argv);
	struct afuse a = { .p = p, .o = *o, .blksize = 1u << 20 };
	struct fuse_loop_config *cfg;
	struct fuse_session *se;
	int err = 0;

	rbuf_init(&a.rbufs, AFUSE_MAX_READ);
	se = fuse_session_new(&args, &afuse_ops, sizeof(afuse_ops), &a);
	if (!se) {
		snprintf(why, whylen, "cannot start a FUSE session (bad options?)");
		rbuf_destroy(&a.rbufs);
		return -EINVAL;
	}
	if (fuse_set_signal_handlers(se) != 0) {
		snprintf(why, whylen, "cannot install signal handlers");
		err = -EIO;
		goto out_destroy;
	}
	if (fuse_session_mount(se, mountpoint) != 0) {
		snprintf(why, whylen, "mounting on %s failed (is /dev/fuse there, and %s a directory?)",
			 mountpoint, mountpoint);
		err = -EIO;
		goto out_signals;
	}
	if (ready)
		ready(rctx);
	cfg = fuse_loop_cfg_create();
	if (!cfg) {
		err = -ENOMEM;
		goto out_unmount;
	}
	fuse_loop_cfg_set_max_threads(cfg, o->max_threads ? o->max_threads : 16);
	fuse_loop_cfg_set_clone_fd(cfg, 0);
	if (fuse_session_loop_mt(se, cfg) != 0)
		err = -EIO;
	fuse_loop_cfg_destroy(cfg);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	rbuf_destroy(&a.rbufs);
	return err;
}
