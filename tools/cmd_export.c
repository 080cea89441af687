/*
 * cmd_export.c — `argosfs export-tree POOL DEST [SRC]`: copy a directory
 * tree of an unmounted pool (SRC, default /) into the local directory DEST
 * (made when missing), everything a file has: any-byte names, hard links
 * (by the pool's inode numbers), symlinks, modes, owners (as root; as another
 * user only what chown(2) allows), atime and mtime, xattrs (see copytree.h),
 * device, FIFO and socket nodes, and holes (argos_lseek_data finds the data
 * runs; only they are read and written, the rest stays a hole in DEST).
 *
 * The pool is opened read-only, so reading does not change atimes.  An
 * entry that cannot be made (it exists already in DEST, a local error) is
 * reported and skipped; the exit status is then 1.  ctime cannot be set.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cmds.h"
#include "nscmd.h"
#include "nspath.h"
#include "copytree.h"

#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--quiet] POOL DEST [SRC]\n"
"Copy the directory SRC (default /) of the unmounted pool POOL into the local\n"
"directory DEST (made when missing), with names, hard links, symlinks, modes,\n"
"owners, atime and mtime, xattrs (user.*; trusted.* and security.* as root),\n"
"device, FIFO and socket nodes, and holes.  ctime cannot be set.\n"
"\n"
"  -q, --quiet       no progress line (shown only on a terminal anyway)\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
"Exit status: 0 everything copied, 1 some files failed (each is reported) or\n"
"POOL could not be opened, 2 usage error.\n", prog);
}

struct exp {
	struct nscmd *nc;
	struct tw_progress pr;
	struct tw_links links;
	bool root;
	char *buf;
};

struct ent {
	char *name;
	argos_ino_t ino;
};

struct ents {
	struct ent *v;
	size_t n, cap;
};

static int collect(void *ctx, const char *name, const struct argos_attr *attr, uint64_t next)
{
	struct ents *e = ctx;

	(void)next;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		struct ent *v = realloc(e->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n].name = strdup(name);
	if (!e->v[e->n].name)
		return -ENOMEM;
	e->v[e->n++].ino = attr->ino;
	return 0;
}

/* Copy the data runs of ino (size bytes) to fd. */
static int copy_data(struct exp *ex, argos_ino_t ino, uint64_t size, int fd, const char *path,
		     uint64_t *copied)
{
	argos_pool *p = ex->nc->pool;
	uint64_t pos = 0;

	while (pos < size) {
		uint64_t d, h;
		int err = argos_lseek_data(p, ino, pos, SEEK_DATA, &d);

		if (err == -ENXIO)
			break;
		if (!err)
			err = argos_lseek_data(p, ino, d, SEEK_HOLE, &h);
		if (err) {
			tw_fail(&ex->pr, path, "seek", err);
			return -1;
		}
		for (pos = d; pos < h;) {
			size_t want = (size_t)(h - pos < TW_CHUNK ? h - pos : TW_CHUNK);
			int n = argos_read(p, ino, 0, ex->buf, want, pos);

			if (n <= 0) {
				tw_fail(&ex->pr, path, "read", n < 0 ? n : -EIO);
				return -1;
			}
			if (!tw_all_zero(ex->buf, (size_t)n)) {
				for (size_t o = 0; o < (size_t)n;) {
					ssize_t w = pwrite(fd, ex->buf + o, (size_t)n - o,
							   (off_t)(pos + o));

					if (w < 0 && errno == EINTR)
						continue;
					if (w < 0) {
						tw_fail(&ex->pr, path, "write", -errno);
						return -1;
					}
					o += (size_t)w;
				}
				*copied += (uint64_t)n;
			}
			pos += (uint64_t)n;
		}
	}
	if (ftruncate(fd, (off_t)size)) {
		tw_fail(&ex->pr, path, "truncate", -errno);
		return -1;
	}
	return 0;
}

/* Owner, mode, xattrs, times of the local copy (path; dfd/name for *at). */
static void set_meta(struct exp *ex, int dfd, const char *name, const char *path,
		     const struct argos_attr *a)
{
	argos_pool *p = ex->nc->pool;
	struct timespec ts[2] = { a->atime, a->mtime };
	int len;

	if (fchownat(dfd, name, a->uid, a->gid, AT_SYMLINK_NOFOLLOW) && (ex->root || errno != EPERM))
		tw_fail(&ex->pr, path, "chown", -errno);
	if (!S_ISLNK(a->mode) && fchmodat(dfd, name, a->mode & 07777, 0))
		tw_fail(&ex->pr, path, "chmod", -errno);
	len = argos_listxattr(p, a->ino, NULL, 0);
	if (len > 0) {
		char *names = malloc((size_t)len);

		len = names ? argos_listxattr(p, a->ino, names, (size_t)len) : -ENOMEM;
		for (int o = 0; len > 0 && o < len; o += (int)strlen(names + o) + 1) {
			const char *xn = names + o;
			int vl;

			if (!tw_xattr_wanted(xn, ex->root))
				continue;
			vl = argos_getxattr(p, a->ino, xn, ex->buf, TW_CHUNK);
			if (vl < 0)
				tw_fail(&ex->pr, path, xn, vl);
			else if (lsetxattr(path, xn, ex->buf, (size_t)vl, 0))
				tw_fail(&ex->pr, path, xn, -errno);
		}
		free(names);
	}
	if (len < 0)
		tw_fail(&ex->pr, path, "listxattr", len);
	if (utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW))
		tw_fail(&ex->pr, path, "set times", -errno);
}

static void export_dir(struct exp *ex, argos_ino_t dino, int dfd, const char *path);

static void export_one(struct exp *ex, argos_ino_t ino, int dfd, const char *name,
		       const char *path)
{
	argos_pool *p = ex->nc->pool;
	struct argos_attr a;
	struct tw_link *l;
	uint64_t copied = 0;
	int err = argos_getattr(p, ino, &a);

	if (err) {
		tw_fail(&ex->pr, path, NULL, err);
		return;
	}
	if (!S_ISDIR(a.mode) && a.nlink > 1 && (l = tw_links_find(&ex->links, ino, 0))) {
		if (linkat(AT_FDCWD, l->path, dfd, name, 0))
			tw_fail(&ex->pr, path, "link", -errno);
		else
			tw_progress_add(&ex->pr, 0);
		return;
	}
	switch (a.mode & S_IFMT) {
	case S_IFDIR: {
		int fd;

		if (mkdirat(dfd, name, 0700)) {
			tw_fail(&ex->pr, path, "mkdir", -errno);
			return;
		}
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (fd < 0) {
			tw_fail(&ex->pr, path, "open", -errno);
			return;
		}
		export_dir(ex, ino, fd, path);
		close(fd);
		break;
	}
	case S_IFREG: {
		int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);

		if (fd < 0) {
			tw_fail(&ex->pr, path, "create", -errno);
			return;
		}
		copy_data(ex, ino, a.size, fd, path, &copied);
		if (close(fd))
			tw_fail(&ex->pr, path, "close", -errno);
		break;
	}
	case S_IFLNK: {
		char target[4097];
		int n = argos_readlink(p, ino, target, sizeof(target) - 1);

		if (n < 0) {
			tw_fail(&ex->pr, path, "readlink", n);
			return;
		}
		target[n] = 0;
		if (symlinkat(target, dfd, name)) {
			tw_fail(&ex->pr, path, "symlink", -errno);
			return;
		}
		break;
	}
	default:
		if (mknodat(dfd, name, (a.mode & S_IFMT) | 0600, (dev_t)a.rdev)) {
			tw_fail(&ex->pr, path, "mknod", -errno);
			return;
		}
		break;
	}
	set_meta(ex, dfd, name, path, &a);
	if (!S_ISDIR(a.mode) && a.nlink > 1 && tw_links_add(&ex->links, ino, 0, ino, path))
		tw_fail(&ex->pr, path, "remember hard link", -ENOMEM);
	tw_progress_add(&ex->pr, copied);
}

static void export_dir(struct exp *ex, argos_ino_t dino, int dfd, const char *path)
{
	struct ents e = { 0 };
	int err = argos_readdir(ex->nc->pool, dino, 0, false, collect, &e);

	if (err)
		tw_fail(&ex->pr, path, "readdir", err);
	for (size_t i = 0; i < e.n; i++) {
		char *sub = tw_join(path, e.v[i].name);

		if (!sub)
			tw_fail(&ex->pr, path, NULL, -ENOMEM);
		else
			export_one(ex, e.v[i].ino, dfd, e.v[i].name, sub);
		free(sub);
		free(e.v[i].name);
	}
	free(e.v);
}

int cmd_export_tree(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		NSCMD_LONGOPTS
	};
	struct exp ex = { 0 };
	const char *dest, *src;
	struct nspath np = { 0 };
	struct nscmd nc;
	bool quiet = false;
	int c, rc, err, fd = -1;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'h': c = NSCMD_OPT_HELP; /* fall through */
		default:
			if ((rc = nscmd_option(&nc, c, usage)) >= 0)
				goto out;
		}
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 2, 3)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_READ)) >= 0)
		goto out;
	dest = argv[optind + 1];
	src = optind + 2 < argc ? argv[optind + 2] : "/";
	ex.nc = &nc;
	ex.root = geteuid() == 0;
	ex.buf = malloc(TW_CHUNK);
	tw_progress_init(&ex.pr, nc.prog, quiet);
	err = ex.buf ? nspath_resolve(nc.pool, src, NSPATH_FOLLOW, &np) : -ENOMEM;
	if (!err && !S_ISDIR(np.attr.mode))
		err = -ENOTDIR;
	if (err) {
		tool_err(nc.prog, "%s: %s", src, argos_strerror(err));
		nc.failed = true;
	} else if ((mkdir(dest, 0700) && errno != EEXIST) ||
		   (fd = open(dest, O_RDONLY | O_DIRECTORY)) < 0) {
		tool_err(nc.prog, "%s: %s", dest, strerror(errno));
		nc.failed = true;
	} else {
		export_dir(&ex, np.ino, fd, dest);
		set_meta(&ex, AT_FDCWD, dest, dest, &np.attr);
		tw_progress_end(&ex.pr);
		if (ex.pr.failed) {
			tool_err(nc.prog, "%llu entries could not be copied (said above)",
				 (unsigned long long)ex.pr.failed);
			nc.failed = true;
		}
	}
	if (fd >= 0)
		close(fd);
	if (ex.buf)
		nspath_release(nc.pool, &np);
	rc = -1;
out:
	tw_links_free(&ex.links);
	free(ex.buf);
	return nscmd_finish(&nc, rc);
}
