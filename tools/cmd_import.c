/*
 * cmd_import.c — `argosfs import-tree POOL SRC [DEST]`: copy a local
 * directory tree into an unmounted pool, everything a file has: any-byte
 * names, hard links (by st_dev/st_ino), symlinks, modes (setuid, setgid,
 * sticky), owners, atime and mtime, xattrs (see copytree.h), device, FIFO
 * and socket nodes, and sparse files (only the data runs SEEK_DATA and
 * SEEK_HOLE find are read; all-zero chunks are left as holes too).
 *
 * The contents of SRC go into the pool directory DEST (default "/"),
 * created (with SRC's attributes) when missing.  SRC's own attributes are
 * given to DEST too.  An entry that cannot be copied (it exists already in
 * DEST, an I/O error, a name the pool refuses) is reported and skipped; the
 * rest goes on, and the exit status is 1.  The walk stays on SRC's
 * filesystem only when --one-file-system is given.  ctime cannot be set: the
 * copies' ctime is the time of the import.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cmds.h"
#include "nscmd.h"
#include "nspath.h"
#include "copytree.h"

enum { OPT_QUIET = NSCMD_OPT_FIRST_FREE, OPT_XDEV };

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--quiet] [--one-file-system] POOL SRC [DEST]\n"
"Copy the local directory tree SRC into the directory DEST (default /) of the\n"
"unmounted pool POOL, with names, hard links, symlinks, modes, owners, atime and\n"
"mtime, xattrs (user.*; trusted.* and security.* as root), device, FIFO and socket\n"
"nodes, and holes.  DEST is made when missing.  ctime cannot be set.\n"
"\n"
"  -q, --quiet            no progress line (shown only on a terminal anyway)\n"
"  -x, --one-file-system  do not descend into other filesystems\n"
"  -h                     the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
"Exit status: 0 everything copied, 1 some files failed (each is reported) or\n"
"POOL could not be opened, 2 usage error.\n", prog);
}

struct imp {
	struct nscmd *nc;
	struct argos_cred cr;        /* root, umask 0 */
	struct tw_progress pr;
	struct tw_links links;
	bool root, xdev;
	dev_t dev0;
	char *buf;
};

/* Copy the regular file fd (size st) into (ino, fh), its data runs only. */
static int copy_data(struct imp *im, int fd, const struct stat *st, argos_ino_t ino, uint64_t fh,
		     const char *path, uint64_t *copied)
{
	off_t pos = 0;

	while (pos < st->st_size) {
		off_t d = lseek(fd, pos, SEEK_DATA), h;

		if (d < 0 && errno == ENXIO)
			break;                    /* a hole up to the end */
		if (d < 0) {
			if (errno != EINVAL && errno != EOPNOTSUPP) {
				tw_fail(&im->pr, path, "seek", -errno);
				return -1;
			}
			d = pos;                  /* no SEEK_DATA here: read it all */
			h = st->st_size;
		} else {
			h = lseek(fd, d, SEEK_HOLE);
			if (h < 0)
				h = st->st_size;
		}
		for (pos = d; pos < h;) {
			size_t want = (size_t)(h - pos < TW_CHUNK ? h - pos : TW_CHUNK);
			ssize_t n = pread(fd, im->buf, want, pos);
			int w;

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				tw_fail(&im->pr, path, "read", -errno);
				return -1;
			}
			if (n == 0) {
				h = pos;              /* the file shrank meanwhile */
				break;
			}
			if (!tw_all_zero(im->buf, (size_t)n)) {
				w = argos_write(im->nc->pool, ino, fh, im->buf, (size_t)n,
						(uint64_t)pos);
				if (w != n) {
					tw_fail(&im->pr, path, "write", w < 0 ? w : -EIO);
					return -1;
				}
				*copied += (uint64_t)n;
			}
			pos += n;
		}
		pos = h;
	}
	return 0;
}

/* Owner, mode, xattrs, times of the copy (after its data and children). */
static void set_meta(struct imp *im, const char *path, const struct stat *st, argos_ino_t ino)
{
	argos_pool *p = im->nc->pool;
	struct argos_attr a = { .uid = st->st_uid, .gid = st->st_gid,
				.mode = st->st_mode & 07777,
				.atime = st->st_atim, .mtime = st->st_mtim };
	int err;

	err = argos_setattr(p, ino, &a, ARGOS_SET_UID | ARGOS_SET_GID, &im->cr, NULL);
	if (err)
		tw_fail(&im->pr, path, "chown", err);
	if (!S_ISLNK(st->st_mode)) {
		/* after chown, which clears setuid/setgid */
		err = argos_setattr(p, ino, &a, ARGOS_SET_MODE, &im->cr, NULL);
		if (err)
			tw_fail(&im->pr, path, "chmod", err);
	}
	{
		ssize_t ln = llistxattr(path, NULL, 0);
		char *names = ln > 0 ? malloc((size_t)ln) : NULL;

		if (ln < 0 && errno != ENOTSUP)
			tw_fail(&im->pr, path, "listxattr", -errno);
		if (names)
			ln = llistxattr(path, names, (size_t)ln);
		for (ssize_t o = 0; names && o < ln; o += (ssize_t)strlen(names + o) + 1) {
			const char *name = names + o;
			ssize_t vl;

			if (!tw_xattr_wanted(name, im->root))
				continue;
			vl = lgetxattr(path, name, im->buf, TW_CHUNK);
			if (vl < 0) {
				tw_fail(&im->pr, path, name, -errno);
				continue;
			}
			err = argos_setxattr(p, ino, name, im->buf, (size_t)vl, 0, &im->cr);
			if (err)
				tw_fail(&im->pr, path, name, err);
		}
		free(names);
	}
	err = argos_setattr(p, ino, &a, ARGOS_SET_ATIME | ARGOS_SET_MTIME, &im->cr, NULL);
	if (err)
		tw_fail(&im->pr, path, "set times", err);
}

static void import_dir(struct imp *im, int dfd, const char *path, argos_ino_t dino);

/* Copy one entry `name` of local directory dfd (path: its path) into dino. */
static void import_one(struct imp *im, int dfd, const char *path, const char *name,
		       argos_ino_t dino)
{
	argos_pool *p = im->nc->pool;
	struct argos_attr a;
	struct tw_link *l;
	struct stat st;
	uint64_t copied = 0;
	int err;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		tw_fail(&im->pr, path, NULL, -errno);
		return;
	}
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 &&
	    (l = tw_links_find(&im->links, st.st_dev, st.st_ino))) {
		err = argos_link(p, l->val, dino, name, &a);
		if (err) {
			tw_fail(&im->pr, path, "link", err);
		} else {
			argos_forget(p, a.ino, 1);
			tw_progress_add(&im->pr, 0);
		}
		return;
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR: {
		int fd;

		err = argos_mkdir(p, dino, name, st.st_mode & 07777, &im->cr, &a);
		if (err) {
			tw_fail(&im->pr, path, "mkdir", err);
			return;
		}
		argos_forget(p, a.ino, 1);
		if (im->xdev && st.st_dev != im->dev0) {
			set_meta(im, path, &st, a.ino);
			break;
		}
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (fd < 0) {
			tw_fail(&im->pr, path, "open", -errno);
			return;
		}
		import_dir(im, fd, path, a.ino);   /* closes fd */
		set_meta(im, path, &st, a.ino);
		break;
	}
	case S_IFREG: {
		uint64_t fh;
		int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOATIME);

		if (fd < 0 && errno == EPERM)
			fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW);
		if (fd < 0) {
			tw_fail(&im->pr, path, "open", -errno);
			return;
		}
		err = argos_create(p, dino, name, st.st_mode & 07777, O_WRONLY, &im->cr, &a, &fh);
		if (err) {
			tw_fail(&im->pr, path, "create", err);
			close(fd);
			return;
		}
		argos_forget(p, a.ino, 1);
		err = copy_data(im, fd, &st, a.ino, fh, path, &copied);
		close(fd);
		if (!err) {
			struct argos_attr sz = { .size = (uint64_t)st.st_size };

			err = argos_setattr(p, a.ino, &sz, ARGOS_SET_SIZE, &im->cr, NULL);
			if (err)
				tw_fail(&im->pr, path, "truncate", err);
		}
		err = argos_release(p, a.ino, fh);
		if (err)
			tw_fail(&im->pr, path, "close", err);
		set_meta(im, path, &st, a.ino);
		break;
	}
	case S_IFLNK: {
		char target[4097];
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);

		if (n < 0) {
			tw_fail(&im->pr, path, "readlink", -errno);
			return;
		}
		target[n] = 0;
		err = argos_symlink(p, dino, name, target, &im->cr, &a);
		if (err) {
			tw_fail(&im->pr, path, "symlink", err);
			return;
		}
		argos_forget(p, a.ino, 1);
		set_meta(im, path, &st, a.ino);
		break;
	}
	default:   /* devices, FIFOs, sockets */
		err = argos_mknod(p, dino, name, st.st_mode, S_ISCHR(st.st_mode) ||
				  S_ISBLK(st.st_mode) ? (uint64_t)st.st_rdev : 0, &im->cr, &a);
		if (err) {
			tw_fail(&im->pr, path, "mknod", err);
			return;
		}
		argos_forget(p, a.ino, 1);
		set_meta(im, path, &st, a.ino);
		break;
	}
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 &&
	    tw_links_add(&im->links, st.st_dev, st.st_ino, a.ino, path))
		tw_fail(&im->pr, path, "remember hard link", -ENOMEM);
	tw_progress_add(&im->pr, copied);
}

/* Copy the entries of the local directory fd (closed here) into dino. */
static void import_dir(struct imp *im, int fd, const char *path, argos_ino_t dino)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		tw_fail(&im->pr, path, "opendir", -errno);
		close(fd);
		return;
	}
	for (;;) {
		char *sub;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				tw_fail(&im->pr, path, "readdir", -errno);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = tw_join(path, de->d_name);
		if (!sub) {
			tw_fail(&im->pr, path, NULL, -ENOMEM);
			break;
		}
		import_one(im, dirfd(d), sub, de->d_name, dino);
		free(sub);
	}
	closedir(d);
}

int cmd_import_tree(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "one-file-system", no_argument, NULL, 'x' },
		NSCMD_LONGOPTS
	};
	struct imp im = { 0 };
	const char *src, *dest;
	struct nscmd nc;
	struct nspath np = { 0 };
	struct stat st;
	bool quiet = false;
	int c, rc, err, fd;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "qxh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'x': im.xdev = true; break;
		case 'h': c = NSCMD_OPT_HELP; /* fall through */
		default:
			if ((rc = nscmd_option(&nc, c, usage)) >= 0)
				goto out;
		}
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 2, 3)) >= 0)
		goto out;
	src = argv[optind + 1];
	dest = optind + 2 < argc ? argv[optind + 2] : "/";
	fd = open(src, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fstat(fd, &st)) {
		tool_err(nc.prog, "%s: %s", src, strerror(errno));
		if (fd >= 0)
			close(fd);
		rc = CMD_FAIL;
		goto out;
	}
	if ((rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0) {
		close(fd);
		goto out;
	}
	im.nc = &nc;
	im.cr = nc.cred;
	im.cr.umask = 0;
	im.root = geteuid() == 0;
	im.dev0 = st.st_dev;
	im.buf = malloc(TW_CHUNK);
	tw_progress_init(&im.pr, nc.prog, quiet);
	err = im.buf ? nspath_resolve(nc.pool, dest, NSPATH_FOLLOW | NSPATH_CREATE, &np) : -ENOMEM;
	if (!err && !np.ino) {
		struct argos_attr a;

		err = argos_mkdir(nc.pool, np.parent, np.name, 0700, &im.cr, &a);
		if (!err) {
			np.ino = a.ino;
			argos_forget(nc.pool, a.ino, 1);
		}
	} else if (!err && !S_ISDIR(np.attr.mode)) {
		err = -ENOTDIR;
	}
	if (err) {
		tool_err(nc.prog, "%s: %s", dest, argos_strerror(err));
		nc.failed = true;
		close(fd);
	} else {
		import_dir(&im, fd, src, np.ino);
		set_meta(&im, src, &st, np.ino);
		tw_progress_end(&im.pr);
		if (im.pr.failed) {
			tool_err(nc.prog, "%llu entries could not be copied (said above)",
				 (unsigned long long)im.pr.failed);
			nc.failed = true;
		}
	}
	if (err != -ENOMEM || im.buf)
		nspath_release(nc.pool, &np);
	rc = -1;
out:
	tw_links_free(&im.links);
	free(im.buf);
	return nscmd_finish(&nc, rc);
}
