/*
 * test_ns.c — namespace rules and their errno values.
 *
 * Description: on a 4+2 pool of image files, every namespace operation is
 * checked for its result and its error cases as ext4 gives them: create,
 * lookup, link counts, unlink/rmdir, rename in all its forms, setgid
 * inheritance, chmod/chown rules for non-root callers, timestamps, xattrs
 * (namespaces, flags, sizes, large values), readdir offsets, orphans (open
 * then unlinked, released or crashed), and persistence across reopen.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include "argosfs.h"
#include "pool.h"
#include "tutil.h"

#define NMEM 6
#define ROOT ARGOS_ROOT_INO

struct fx {
	char dir[256];
	char path[NMEM][512];
	const char *paths[NMEM];
	argos_pool *p;
};

static argos_pool *reopen(struct fx *f)
{
	struct argos_open_opts o = { .commit_ms = 50 };
	char why[256];

	if (f->p)
		assert_int_equal(argos_pool_close(f->p), 0);
	if (argos_pool_open(f->paths, NMEM, &o, &f->p, why, sizeof(why)))
		fail_msg("open: %s", why);
	return f->p;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true };
	struct argos_mkfs_result r;
	char why[256];

	assert_int_equal(tutil_mkdtemp("ns", f->dir, sizeof(f->dir)), 0);
	for (int i = 0; i < NMEM; i++) {
		char name[16];

		snprintf(name, sizeof(name), "img%d", i);
		assert_int_equal(tutil_mkimage(f->dir, name, 48ull << 20, f->path[i], sizeof(f->path[i])), 0);
		f->paths[i] = f->path[i];
	}
	if (argos_mkfs(f->paths, NMEM, &o, &r, why, sizeof(why)))
		fail_msg("mkfs: %s", why);
	reopen(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->p)
		argos_pool_close(f->p);
	tutil_rmtree(f->dir);
	free(f);
	return 0;
}

static argos_ino_t mkdir_ok(argos_pool *p, argos_ino_t parent, const char *name)
{
	struct argos_attr a;

	assert_int_equal(argos_mkdir(p, parent, name, 0755, &argos_root_cred, &a), 0);
	return a.ino;
}

static argos_ino_t mkfile_ok(argos_pool *p, argos_ino_t parent, const char *name)
{
	struct argos_attr a;

	assert_int_equal(argos_mknod(p, parent, name, S_IFREG | 0644, 0, &argos_root_cred, &a), 0);
	return a.ino;
}

static void test_create_lookup(void **state)
{
	struct fx *f = *state;
	argos_pool *p = f->p;
	struct argos_attr a, b, root;
	char long_name[300];
	argos_ino_t d, x;

	assert_int_equal(argos_getattr(p, ROOT, &root), 0);
	assert_true(S_ISDIR(root.mode));
	assert_int_equal(root.nlink, 2);
	d = mkdir_ok(p, ROOT, "dir");
	assert_int_equal(argos_getattr(p, ROOT, &root), 0);
	assert_int_equal(root.nlink, 3);
	x = mkfile_ok(p, d, "file");
	assert_int_equal(argos_lookup(p, d, "file", &a), 0);
	assert_int_equal(a.ino, x);
	assert_true(S_ISREG(a.mode));
	assert_int_equal(a.mode & 07777, 0644);
	assert_int_equal(a.nlink, 1);
	assert_int_equal(argos_lookup(p, d, ".", &b), 0);
	assert_int_equal(b.ino, d);
	assert_int_equal(argos_lookup(p, d, "..", &b), 0);
	assert_int_equal(b.ino, ROOT);
	assert_int_equal(argos_lookup(p, d, "nope", &b), -ENOENT);
	assert_int_equal(argos_lookup(p, x, "a", &b), -ENOTDIR);
	assert_int_equal(argos_mknod(p, d, "file", S_IFREG | 0600, 0, NULL, &b), -EEXIST);
	assert_int_equal(argos_mkdir(p, d, "file", 0700, NULL, &b), -EEXIST);
	assert_int_equal(argos_mkdir(p, 999999, "z", 0700, NULL, &b), -ENOENT);
	assert_int_equal(argos_mkdir(p, x, "z", 0700, NULL, &b), -ENOTDIR);
	memset(long_name, 'n', 255);
	long_name[255] = '\0';
	assert_int_equal(argos_mknod(p, d, long_name, S_IFREG | 0600, 0, NULL, &b), 0);
	long_name[255] = 'n';
	long_name[256] = '\0';
	assert_int_equal(argos_mknod(p, d, long_name, S_IFREG | 0600, 0, NULL, &b), -ENAMETOOLONG);
	assert_int_equal(argos_lookup(p, d, long_name, &b), -ENAMETOOLONG);
	assert_int_equal(argos_mknod(p, d, "a/b", S_IFREG | 0600, 0, NULL, &b), -EINVAL);
	/* Any bytes but '/' and NUL. */
	assert_int_equal(argos_mknod(p, d, "\x01\xff\xfe \t\n", S_IFREG | 0600, 0, NULL, &b), 0);
	assert_int_equal(argos_lookup(p, d, "\x01\xff\xfe \t\n", &a), 0);
	/* Special files. */
	assert_int_equal(argos_mknod(p, d, "fifo", S_IFIFO | 0600, 0, NULL, &a), 0);
	assert_true(S_ISFIFO(a.mode));
	assert_int_equal(argos_mknod(p, d, "blk", S_IFBLK | 0600, makedev(8, 1), NULL, &a), 0);
	assert_true(S_ISBLK(a.mode));
	assert_int_equal(a.rdev, makedev(8, 1));
	assert_int_equal(argos_mknod(p, d, "sock", S_IFSOCK | 0600, 0, NULL, &a), 0);
	assert_int_equal(argos_symlink(p, d, "ln", "../some/target", NULL, &a), 0);
	assert_true(S_ISLNK(a.mode));
	assert_int_equal(a.size, 14);
	{
		char buf[64];

		assert_int_equal(argos_readlink(p, a.ino, buf, sizeof(buf)), 14);
		assert_memory_equal(buf, "../some/target", 14);
		assert_int_equal(argos_readlink(p, x, buf, sizeof(buf)), -EINVAL);
	}
}

static void test_umask_and_times(void **state)
{
	struct fx *f = *state;
	struct argos_cred cr = { .uid = 1000, .gid = 1000, .umask = 022 };
	struct argos_attr a, d;
	argos_ino_t dir = mkdir_ok(f->p, ROOT, "t");

	assert_int_equal(argos_getattr(f->p, dir, &d), 0);
	assert_int_equal(argos_mknod(f->p, dir, "f", S_IFREG | 0666, 0, &cr, &a), 0);
	assert_int_equal(a.mode & 0777, 0644);
	assert_int_equal(a.uid, 1000);
	assert_int_equal(a.gid, 1000);
	assert_true(a.ctime.tv_sec >= d.ctime.tv_sec);
	assert_int_equal(argos_getattr(f->p, dir, &a), 0);
	assert_true(a.mtime.tv_sec > d.mtime.tv_sec ||
		    (a.mtime.tv_sec == d.mtime.tv_sec && a.mtime.tv_nsec >= d.mtime.tv_nsec));
}

static void test_links_and_removal(void **state)
{
	struct fx *f = *state;
	argos_pool *p = f->p;
	struct argos_attr a;
	argos_ino_t d = mkdir_ok(p, ROOT, "l"), x = mkfile_ok(p, d, "x"), sub;

	assert_int_equal(argos_link(p, x, d, "y", &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(argos_link(p, x, ROOT, "z", &a), 0);
	assert_int_equal(a.nlink, 3);
	assert_int_equal(argos_link(p, x, d, "y", &a), -EEXIST);
	assert_int_equal(argos_link(p, d, ROOT, "dirlink", &a), -EPERM);
	assert_int_equal(argos_unlink(p, d, "x"), 0);
	assert_int_equal(argos_getattr(p, x, &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(argos_unlink(p, d, "x"), -ENOENT);
	assert_int_equal(argos_unlink(p, ROOT, "l"), -EISDIR);
	assert_int_equal(argos_rmdir(p, d, "y"), -ENOTDIR);
	assert_int_equal(argos_rmdir(p, ROOT, "l"), -ENOTEMPTY);
	assert_int_equal(argos_unlink(p, d, "y"), 0);
	assert_int_equal(argos_unlink(p, ROOT, "z"), 0);
	assert_int_equal(argos_getattr(p, x, &a), -ENOENT);   /* freed */
	sub = mkdir_ok(p, d, "sub");
	assert_int_equal(argos_getattr(p, d, &a), 0);
	assert_int_equal(a.nlink, 3);
	assert_int_equal(argos_rmdir(p, d, "."), -EINVAL);
	assert_int_equal(argos_rmdir(p, d, ".."), -ENOTEMPTY);
	assert_int_equal(argos_rmdir(p, d, "sub"), 0);
	assert_int_equal(argos_getattr(p, sub, &a), -ENOENT);
	assert_int_equal(argos_getattr(p, d, &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(argos_rmdir(p, ROOT, "l"), 0);
	assert_int_equal(argos_lookup(p, ROOT, "l", &a), -ENOENT);
}

static void test_rename_rules(void **state)
{
	struct fx *f = *state;
	argos_pool *p = f->p;
	struct argos_attr a, b;
	argos_ino_t r = mkdir_ok(p, ROOT, "r"), d1 = mkdir_ok(p, r, "d1"), d2 = mkdir_ok(p, r, "d2");
	argos_ino_t f1 = mkfile_ok(p, r, "f1"), f2 = mkfile_ok(p, r, "f2"), deep = mkdir_ok(p, d1, "deep");
	argos_ino_t e = mkdir_ok(p, r, "empty");

	assert_int_equal(argos_rename(p, r, "missing", r, "x", 0), -ENOENT);
	assert_int_equal(argos_rename(p, ROOT, "r", d1, "r2", 0), -EINVAL);     /* into itself */
	assert_int_equal(argos_rename(p, r, "d1", deep, "x", 0), -EINVAL);
	assert_int_equal(argos_rename(p, r, "d1", r, "f1", 0), -ENOTDIR);
	assert_int_equal(argos_rename(p, r, "f1", r, "d1", 0), -EISDIR);
	assert_int_equal(argos_rename(p, r, "d2", r, "d1", 0), -ENOTEMPTY);
	assert_int_equal(argos_rename(p, r, "f1", r, "f2", ARGOS_RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(argos_rename(p, r, "f1", r, "nothere", ARGOS_RENAME_EXCHANGE), -ENOENT);
	assert_int_equal(argos_rename(p, r, "f1", r, "f1", 0), 0);
	/* Replace a file: f2's inode goes. */
	assert_int_equal(argos_rename(p, r, "f1", r, "f2", 0), 0);
	assert_int_equal(argos_lookup(p, r, "f2", &a), 0);
	assert_int_equal(a.ino, f1);
	assert_int_equal(argos_getattr(p, f2, &a), -ENOENT);
	assert_int_equal(argos_lookup(p, r, "f1", &a), -ENOENT);
	/* Move a directory: its .. and both parents' link counts follow. */
	assert_int_equal(argos_rename(p, r, "d2", d1, "moved", 0), 0);
	assert_int_equal(argos_lookup(p, d2, "..", &a), 0);
	assert_int_equal(a.ino, d1);
	assert_int_equal(argos_getattr(p, d1, &a), 0);
	assert_int_equal(a.nlink, 4);   /* ., deep, moved */
	/* Directory over an empty directory. */
	assert_int_equal(argos_rename(p, d1, "moved", r, "empty", 0), 0);
	assert_int_equal(argos_getattr(p, e, &a), -ENOENT);
	assert_int_equal(argos_lookup(p, r, "empty", &a), 0);
	assert_int_equal(a.ino, d2);
	/* Exchange a file and a directory across parents. */
	assert_int_equal(argos_rename(p, r, "f2", d1, "deep", ARGOS_RENAME_EXCHANGE), 0);
	assert_int_equal(argos_lookup(p, r, "f2", &a), 0);
	assert_int_equal(a.ino, deep);
	assert_int_equal(argos_lookup(p, d1, "deep", &b), 0);
	assert_int_equal(b.ino, f1);
	assert_int_equal(argos_lookup(p, deep, "..", &a), 0);
	assert_int_equal(a.ino, r);
	assert_int_equal(argos_rename(p, r, "f2", r, "f3", 7), -EINVAL);
}

static void test_setgid_and_permissions(void **state)
{
	struct fx *f = *state;
	argos_pool *p = f->p;
	struct argos_cred u = { .uid = 1000, .gid = 1000 }, v = { .uid = 2000, .gid = 2000 };
	uint32_t groups[] = { 50 };
	struct argos_cred w = { .uid = 1000, .gid = 1000, .ngroups = 1, .groups = groups };
	struct argos_attr a, set;
	argos_ino_t sg = mkdir_ok(p, ROOT, "sg"), sub, file;

	memset(&set, 0, sizeof(set));
	set.gid = 50;
	set.mode = 02775;
	assert_int_equal(argos_setattr(p, sg, &set, ARGOS_SET_GID | ARGOS_SET_MODE, NULL, &a), 0);
	assert_int_equal(a.mode & 07777, 02775);
	assert_int_equal(argos_mkdir(p, sg, "sub", 0755, &u, &a), 0);
	sub = a.ino;
	assert_int_equal(a.gid, 50);
	assert_true(a.mode & S_ISGID);
	(void)sub;
	assert_int_equal(argos_mknod(p, sg, "f", S_IFREG | 02755, 0, &u, &a), 0);
	file = a.ino;
	assert_int_equal(a.gid, 50);
	assert_false(a.mode & S_ISGID);    /* u is not in group 50 */
	assert_int_equal(argos_mknod(p, sg, "g", S_IFREG | 02755, 0, &w, &a), 0);
	assert_true(a.mode & S_ISGID);     /* w is */
	/* chmod: only the owner; outside the group setgid is dropped. */
	set.mode = 0600;
	assert_int_equal(argos_setattr(p, file, &set, ARGOS_SET_MODE, &v, &a), -EPERM);
	set.mode = 02750;
	assert_int_equal(argos_setattr(p, file, &set, ARGOS_SET_MODE, &u, &a), 0);
	assert_false(a.mode & S_ISGID);
	/* chown: owner change is root's; group change to a group the owner is in. */
	set.uid = 2000;
	assert_int_equal(argos_setattr(p, file, &set, ARGOS_SET_UID, &u, &a), -EPERM);
	set.gid = 1000;
	assert_int_equal(argos_setattr(p, file, &set, ARGOS_SET_GID, &u, &a), 0);
	assert_int_equal(a.gid, 1000);
	set.gid = 7;
	assert_int_equal(argos_setattr(p, file, &set, ARGOS_SET_GID, &u, &a), -EPERM);
	/* chown clears setuid/setgid (with group execute). */
	set.mode = 06755;
	assert_int_equal(argos_setattr(p, file, &set, ARGOS_SET_MODE, NULL, &a), 0);
	set.uid = 3000;
	assert_int_equal(argos_setattr(p, file, &set, ARGOS_SET_UID, NULL, &a), 0);
	assert_int_equal(a.mode & 07777, 0755);
	/* utimens: explicit times only by the owner. */
	set.atime.tv_sec = 12345;
	set.atime.tv_nsec = 678;
	set.mtime.tv_sec = 23456;
	set.mtime.tv_nsec = 999999999;
	assert_int_equal(argos_setattr(p, file, &set, ARGOS_SET_ATIME | ARGOS_SET_MTIME, &u, &a), -EPERM);
	assert_int_equal(argos_setattr(p, file, &set, ARGOS_SET_ATIME | ARGOS_SET_MTIME, NULL, &a), 0);
	assert_int_equal(a.atime.tv_sec, 12345);
	assert_int_equal(a.atime.tv_nsec, 678);
	assert_int_equal(a.mtime.tv_nsec, 999999999);
	/* access() by mode bits. */
	assert_int_equal(argos_access(p, file, R_OK, &v), 0);
	assert_int_equal(argos_access(p, file, W_OK, &v), -EACCES);
	set.size = 5;
	assert_int_equal(argos_setattr(p, sg, &set, ARGOS_SET_SIZE, NULL, &a), -EISDIR);
}

static void test_xattrs(void **state)
{
	struct fx *f = *state;
	argos_pool *p = f->p;
	struct argos_cred u = { .uid = 1000, .gid = 1000 };
	argos_ino_t x = mkfile_ok(p, ROOT, "xa");
	struct argos_attr a;
	char buf[70000], list[256];
	size_t i;
	int n;

	assert_int_equal(argos_setxattr(p, x, "user.a", "1", 1, 0, NULL), 0);
	assert_int_equal(argos_setxattr(p, x, "user.a", "22", 2, XATTR_CREATE, NULL), -EEXIST);
	assert_int_equal(argos_setxattr(p, x, "user.b", "22", 2, XATTR_REPLACE, NULL), -ENODATA);
	assert_int_equal(argos_setxattr(p, x, "user.a", "22", 2, XATTR_REPLACE, NULL), 0);
	assert_int_equal(argos_getxattr(p, x, "user.a", NULL, 0), 2);
	assert_int_equal(argos_getxattr(p, x, "user.a", buf, 1), -ERANGE);
	assert_int_equal(argos_getxattr(p, x, "user.a", buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "22", 2);
	assert_int_equal(argos_getxattr(p, x, "user.none", buf, sizeof(buf)), -ENODATA);
	assert_int_equal(argos_setxattr(p, x, "system.posix_acl_access", "x", 1, 0, NULL), -EOPNOTSUPP);
	assert_int_equal(argos_getxattr(p, x, "system.posix_acl_access", buf, 10), -EOPNOTSUPP);
	assert_int_equal(argos_setxattr(p, x, "bogus.a", "x", 1, 0, NULL), -EOPNOTSUPP);
	assert_int_equal(argos_setxattr(p, x, "trusted.t", "x", 1, 0, &u), -EPERM);
	assert_int_equal(argos_setxattr(p, x, "trusted.t", "x", 1, 0, NULL), 0);
	assert_int_equal(argos_setxattr(p, x, "security.s", "", 0, 0, &u), 0);
	memset(buf, 'n', 300);
	memcpy(buf, "user.", 5);
	buf[256] = '\0';
	assert_int_equal(argos_setxattr(p, x, buf, "v", 1, 0, NULL), -ERANGE);
	/* A 64 KiB value lives outside the bucket. */
	for (i = 0; i < 65536; i++)
		buf[i] = (char)(i * 7);
	assert_int_equal(argos_setxattr(p, x, "user.big", buf, 65536, 0, NULL), 0);
	assert_int_equal(argos_setxattr(p, x, "user.big2", buf, 65537, 0, NULL), -E2BIG);
	reopen(f);
	p = f->p;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(argos_getxattr(p, x, "user.big", buf, sizeof(buf)), 65536);
	for (i = 0; i < 65536; i++)
		if (buf[i] != (char)(i * 7))
			fail_msg("big xattr differs at %zu", i);
	n = argos_listxattr(p, x, NULL, 0);
	assert_int_equal(n, (int)(sizeof("user.a") + sizeof("user.big") + sizeof("trusted.t") +
				  sizeof("security.s")));
	assert_int_equal(argos_listxattr(p, x, list, 3), -ERANGE);
	assert_int_equal(argos_listxattr(p, x, list, sizeof(list)), n);
	assert_int_equal(argos_removexattr(p, x, "user.big", NULL), 0);
	assert_int_equal(argos_removexattr(p, x, "user.big", NULL), -ENODATA);
	assert_int_equal(argos_getxattr(p, x, "user.big", buf, sizeof(buf)), -ENODATA);
	/* user.* on a symlink: EPERM. */
	assert_int_equal(argos_symlink(p, ROOT, "xl", "t", NULL, &a), 0);
	assert_int_equal(argos_setxattr(p, a.ino, "user.a", "1", 1, 0, NULL), -EPERM);
}

struct collect {
	unsigned n, stop_after;
	char names[2100][16];
	uint64_t last_off;
};

static int collect_fn(void *ctx, const char *name, const struct argos_attr *a, uint64_t next)
{
	struct collect *c = ctx;

	(void)a;
	if (c->stop_after && c->n >= c->stop_after)
		return 1;
	snprintf(c->names[c->n++], sizeof(c->names[0]), "%s", name);
	c->last_off = next;
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_readdir(void **state)
{
	struct fx *f = *state;
	argos_pool *p = f->p;
	argos_ino_t d = mkdir_ok(p, ROOT, "many");
	struct collect *c = calloc(1, sizeof(*c));
	uint64_t off = 0;
	unsigned total = 0;

	for (int i = 0; i < 2000; i++) {
		char name[16];

		snprintf(name, sizeof(name), "e%05d", i);
		mkfile_ok(p, d, name);
	}
	/* All at once. */
	assert_int_equal(argos_readdir(p, d, 0, false, collect_fn, c), 0);
	assert_int_equal(c->n, 2002);
	qsort(c->names, c->n, sizeof(c->names[0]), cmpstr);
	assert_string_equal(c->names[0], ".");
	assert_string_equal(c->names[1], "..");
	for (int i = 0; i < 2000; i++) {
		char name[16];

		snprintf(name, sizeof(name), "e%05d", i);
		assert_string_equal(c->names[2 + i], name);
	}
	/* In small slices, with removals in between: nothing seen twice. */
	for (;;) {
		unsigned before = total;

		memset(c, 0, sizeof(*c));
		c->stop_after = 37;
		assert_int_equal(argos_readdir(p, d, off, true, collect_fn, c), 0);
		total += c->n;
		if (c->n == 0)
			break;
		off = c->last_off;
		if (before == 0)
			(void)argos_unlink(p, d, "e00000");
	}
	assert_true(total >= 2001 && total <= 2002);
	free(c);
}

static void test_orphans(void **state)
{
	struct fx *f = *state;
	argos_pool *p = f->p;
	struct argos_attr a;
	uint64_t fh, fh2;
	argos_ino_t x;

	assert_int_equal(argos_create(p, ROOT, "tmp", 0600, O_RDWR, NULL, &a, &fh), 0);
	x = a.ino;
	assert_int_equal(argos_unlink(p, ROOT, "tmp"), 0);
	assert_int_equal(argos_getattr(p, x, &a), 0);      /* alive while open */
	assert_int_equal(a.nlink, 0);
	assert_int_equal(argos_release(p, x, fh), 0);
	assert_int_equal(argos_getattr(p, x, &a), -ENOENT);
	/* Crash while an unlinked file is open: the next open frees it. */
	assert_int_equal(argos_create(p, ROOT, "tmp2", 0600, O_RDWR, NULL, &a, &fh), 0);
	x = a.ino;
	assert_int_equal(argos_open(p, x, O_RDONLY, &fh2), 0);
	assert_int_equal(argos_unlink(p, ROOT, "tmp2"), 0);
	assert_int_equal(argos_release(p, x, fh2), 0);
	assert_int_equal(argos_getattr(p, x, &a), 0);
	assert_int_equal(argos_pool_sync(p), 0);
	p->st.err = -EIO;   /* abandon: as a crash */
	(void)argos_pool_close(p);
	f->p = NULL;
	reopen(f);
	assert_int_equal(argos_getattr(f->p, x, &a), -ENOENT);
}

static void test_persistence(void **state)
{
	struct fx *f = *state;
	struct argos_attr a;
	struct argos_statfs s;
	argos_ino_t d = mkdir_ok(f->p, ROOT, "keep"), x = mkfile_ok(f->p, d, "k");

	assert_int_equal(argos_setxattr(f->p, x, "user.k", "v", 1, 0, NULL), 0);
	reopen(f);
	assert_int_equal(argos_lookup(f->p, ROOT, "keep", &a), 0);
	assert_int_equal(a.ino, d);
	assert_int_equal(argos_lookup(f->p, d, "k", &a), 0);
	assert_int_equal(a.ino, x);
	assert_int_equal(argos_getxattr(f->p, x, "user.k", NULL, 0), 1);
	assert_int_equal(argos_statfs(f->p, &s), 0);
	assert_true(s.blocks > 0 && s.bfree <= s.blocks && s.bavail <= s.bfree);
	assert_int_equal(s.namemax, 255);
	assert_true(s.files >= 3);
}

/* The "atime" pool property, the open's atime option and ARGOS_OPEN_NOATIME. */
static int64_t atime_after_read(struct fx *f, argos_ino_t ino, const char *opt, unsigned flags)
{
	struct argos_open_opts o = { .commit_ms = 50, .atime = opt, .flags = flags };
	struct argos_attr a;
	struct argos_attr set = { 0 };
	uint64_t fh;
	char why[256], buf[8];

	assert_int_equal(argos_pool_close(f->p), 0);
	if (argos_pool_open(f->paths, NMEM, &o, &f->p, why, sizeof(why)))
		fail_msg("open: %s", why);
	/* atime newer than mtime and ctime, and recent: relatime leaves it. */
	assert_int_equal(argos_getattr(f->p, ino, &a), 0);
	set.atime.tv_sec = a.ctime.tv_sec + 10;
	assert_int_equal(argos_setattr(f->p, ino, &set, ARGOS_SET_ATIME, NULL, &a), 0);
	assert_int_equal(argos_open(f->p, ino, O_RDONLY, &fh), 0);
	assert_int_equal(argos_read(f->p, ino, fh, buf, sizeof(buf), 0), 5);
	assert_int_equal(argos_release(f->p, ino, fh), 0);
	assert_int_equal(argos_getattr(f->p, ino, &a), 0);
	return a.atime.tv_sec - (set.atime.tv_sec);
}

/* A read in another thread, for test_atime_no_write_txn. */
struct rd_job {
	argos_pool *p;
	argos_ino_t ino;
	uint64_t fh;
	int res;
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	bool done;
};

static void *rd_job_main(void *arg)
{
	struct rd_job *j = arg;
	char buf[8];
	int res = argos_read(j->p, j->ino, j->fh, buf, sizeof(buf), 0);

	pthread_mutex_lock(&j->lock);
	j->res = res;
	j->done = true;
	pthread_cond_signal(&j->done_cv);
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* Under relatime a read whose atime need not move opens no write
 * transaction: it completes while the test holds the store's lock shared
 * (a write transaction would wait for it). */
static void test_atime_no_write_txn(void **state)
{
	struct fx *f = *state;
	argos_ino_t ino = mkfile_ok(f->p, ROOT, "nw");
	struct rd_job j = { .p = f->p, .ino = ino };
	struct argos_attr a, set = { 0 };
	struct timespec until;
	pthread_t tid;
	bool done;
	int rc = 0;

	assert_int_equal(argos_open(f->p, ino, O_RDWR, &j.fh), 0);
	assert_int_equal(argos_write(f->p, ino, j.fh, "hello", 5, 0), 5);
	assert_int_equal(argos_fsync(f->p, ino, 0), 0);
	assert_int_equal(argos_getattr(f->p, ino, &a), 0);
	set.atime.tv_sec = a.ctime.tv_sec + 10;      /* newer than mtime and ctime */
	assert_int_equal(argos_setattr(f->p, ino, &set, ARGOS_SET_ATIME, NULL, &a), 0);
	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.done_cv, NULL);
	pthread_rwlock_rdlock(&f->p->st.lock);
	assert_int_equal(pthread_create(&tid, NULL, rd_job_main, &j), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&j.lock);
	while (!j.done && rc == 0)
		rc = pthread_cond_timedwait(&j.done_cv, &j.lock, &until);
	done = j.done;
	pthread_mutex_unlock(&j.lock);
	pthread_rwlock_unlock(&f->p->st.lock);
	assert_int_equal(pthread_join(tid, NULL), 0);
	if (!done) {
		argos_release(f->p, ino, j.fh);
		fail_msg("a relatime read that changes nothing waited for the write lock");
	}
	assert_int_equal(j.res, 5);
	assert_int_equal(argos_getattr(f->p, ino, &a), 0);
	assert_int_equal(a.atime.tv_sec, set.atime.tv_sec);
	/* An atime older than mtime does move (a write transaction). */
	set.atime.tv_sec = a.mtime.tv_sec - 10;
	assert_int_equal(argos_setattr(f->p, ino, &set, ARGOS_SET_ATIME, NULL, &a), 0);
	rd_job_main(&j);
	assert_int_equal(j.res, 5);
	assert_int_equal(argos_getattr(f->p, ino, &a), 0);
	assert_true(a.atime.tv_sec >= a.mtime.tv_sec);
	assert_int_equal(argos_release(f->p, ino, j.fh), 0);
	pthread_cond_destroy(&j.done_cv);
	pthread_mutex_destroy(&j.lock);
}

static void test_atime_modes(void **state)
{
	struct fx *f = *state;
	argos_ino_t ino = mkfile_ok(f->p, ROOT, "at");
	struct argos_pool_status st;
	uint64_t fh;
	char why[256];

	assert_int_equal(argos_open(f->p, ino, O_WRONLY, &fh), 0);
	assert_int_equal(argos_write(f->p, ino, fh, "hello", 5, 0), 5);
	assert_int_equal(argos_release(f->p, ino, fh), 0);
	assert_int_equal(argos_atime_mode_parse("strictatime"), ARGOS_ATIME_STRICT);
	assert_int_equal(argos_atime_mode_parse("lazytime"), -EINVAL);
	assert_string_equal(argos_atime_mode_name(ARGOS_ATIME_NOATIME), "noatime");
	/* Default: relatime, no property. */
	assert_int_equal(atime_after_read(f, ino, NULL, 0), 0);
	assert_int_equal(argos_pool_status(f->p, &st), 0);
	assert_string_equal(st.atime, "relatime");
	assert_string_equal(st.atime_prop, "");
	/* The open's option: strictatime writes it (atime was set in the future,
	 * so a read moves it back to now). */
	assert_true(atime_after_read(f, ino, "strictatime", 0) < 0);
	/* The property, from the next open on. */
	assert_int_equal(argos_pool_set_atime(f->p, "strictatime", why, sizeof(why)), 0);
	assert_int_equal(argos_pool_set_atime(f->p, "sometimes", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not an atime mode"));
	assert_true(atime_after_read(f, ino, NULL, 0) < 0);
	assert_int_equal(argos_pool_status(f->p, &st), 0);
	assert_string_equal(st.atime, "strictatime");
	assert_string_equal(st.atime_prop, "strictatime");
	/* The open's option and the flag override it; the flag wins. */
	assert_int_equal(atime_after_read(f, ino, "relatime", 0), 0);
	assert_int_equal(atime_after_read(f, ino, "strictatime", ARGOS_OPEN_NOATIME), 0);
	assert_int_equal(argos_pool_status(f->p, &st), 0);
	assert_string_equal(st.atime, "noatime");
	assert_string_equal(st.atime_prop, "strictatime");
	assert_int_equal(argos_pool_set_atime(f->p, "noatime", why, sizeof(why)), 0);
	assert_int_equal(atime_after_read(f, ino, NULL, 0), 0);
	/* A bad option refuses the open. */
	{
		struct argos_open_opts o = { .atime = "often" };
		argos_pool *q = NULL;

		assert_int_equal(argos_pool_close(f->p), 0);
		f->p = NULL;
		assert_int_equal(argos_pool_open(f->paths, NMEM, &o, &q, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, "atime=often"));
		assert_null(q);
		reopen(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atime_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atime_no_write_txn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_umask_and_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_and_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setgid_and_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xattrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
