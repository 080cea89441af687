/*
 * posix_check.c — a small POSIX conformance probe: runs a fixed list of
 * syscall cases in a directory and prints one line per case, "name: result"
 * (OK, an errno name, or a value), so that the output on ArgosFS can be
 * diffed against the output on ext4 (tests/integration/fuse_posix.sh).
 *
 *   posix_check DIR
 *
 * Must run as root: some cases run in a child process as an unprivileged
 * user (uid/gid 64011, not in the file's group) to check the rules for
 * non-owners.  It works in DIR/posix-work (created; left for the caller to
 * remove) through relative paths only, so that results (path length limits
 * in particular) do not depend on where DIR is.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define USER_ID 64011
#define USER_GID 64011

static const char *ename(int e)
{
	const char *n = e ? strerrorname_np(e) : "OK";

	return n ? n : "E?";
}

/* rc < 0: the errno; else OK. */
static void res(const char *name, int rc)
{
	printf("%s: %s\n", name, rc < 0 ? ename(errno) : "OK");
}

static void val(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int mkfile(const char *path, mode_t mode, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0)
		return -1;
	if (data && write(fd, data, strlen(data)) < 0) {
		close(fd);
		return -1;
	}
	fchmod(fd, mode);
	return close(fd);
}

static unsigned mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0xffffffffu : (unsigned)(st.st_mode & 07777);
}

static long long size_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -1 : (long long)st.st_size;
}

static int open_close(const char *path, int flags, mode_t mode)
{
	int fd = open(path, flags, mode);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Run fn(arg) in a child as the unprivileged user; returns its result with
 * errno set as the child saw it. */
static int as_user(int (*fn)(const void *), const void *arg)
{
	int pfd[2], out[2] = { 0, 0 }, status;
	pid_t pid;

	fflush(stdout);
	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		int r[2];

		close(pfd[0]);
		if (setgroups(0, NULL) || setresgid(USER_GID, USER_GID, USER_GID) ||
		    setresuid(USER_ID, USER_ID, USER_ID))
			_exit(2);
		r[0] = fn(arg);
		r[1] = errno;
		if (write(pfd[1], r, sizeof(r)) != sizeof(r))
			_exit(3);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], out, sizeof(out)) != sizeof(out)) {
		close(pfd[0]);
		out[0] = -1;
		out[1] = EPROTO;
	}
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	errno = out[1];
	return out[0];
}

static int u_append(const void *p)
{
	int fd = open(p, O_WRONLY | O_APPEND);

	if (fd < 0)
		return -1;
	if (write(fd, "x", 1) != 1) {
		close(fd);
		return -1;
	}
	return close(fd);
}
static int u_truncate(const void *p) { return truncate(p, 3); }
static int u_chown_self(const void *p) { return chown(p, USER_ID, -1); }
static int u_chown_root(const void *p) { return chown(p, 0, -1); }
static int u_chmod_sgid(const void *p) { return chmod(p, 02755); }
static int u_chmod(const void *p) { return chmod(p, 0644); }
static int u_utime_now(const void *p) { return utimensat(AT_FDCWD, p, NULL, 0); }
static int u_utime_set(const void *p)
{
	struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };

	return utimensat(AT_FDCWD, p, ts, 0);
}
static int u_unlink(const void *p) { return unlink(p); }
static int u_create(const void *p) { return open_close(p, O_CREAT | O_WRONLY, 0644); }
static int u_rename_sticky(const void *p) { return rename(p, "sticky/renamed"); }

static void section_open(void)
{
	mkfile("f", 0644, "hello");
	mkdir("d", 0755);
	symlink("f", "ln");
	symlink("missing", "dangling");
	res("open O_CREAT|O_EXCL existing", open_close("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
	res("open O_CREAT|O_EXCL dangling symlink", open_close("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
	res("open O_CREAT dangling symlink (creates target)", open_close("dangling", O_CREAT | O_WRONLY, 0644));
	val("  target created", "%s", access("missing", F_OK) ? ename(errno) : "yes");
	res("open O_CREAT|O_EXCL new", open_close("new", O_CREAT | O_EXCL | O_WRONLY, 0600));
	val("  new mode", "%04o", mode_of("new"));
	res("open O_TRUNC", open_close("f", O_WRONLY | O_TRUNC, 0));
	val("  size after O_TRUNC", "%lld", size_of("f"));
	mkfile("f", 0644, "hello");
	res("open O_RDONLY|O_TRUNC", open_close("f", O_RDONLY | O_TRUNC, 0));
	val("  size after O_RDONLY|O_TRUNC", "%lld", size_of("f"));
	mkfile("f", 0644, "hello");
	res("open O_DIRECTORY file", open_close("f", O_RDONLY | O_DIRECTORY, 0));
	res("open O_DIRECTORY dir", open_close("d", O_RDONLY | O_DIRECTORY, 0));
	res("open O_DIRECTORY symlink to file", open_close("ln", O_RDONLY | O_DIRECTORY, 0));
	res("open O_NOFOLLOW symlink", open_close("ln", O_RDONLY | O_NOFOLLOW, 0));
	res("open O_NOFOLLOW|O_PATH symlink", open_close("ln", O_PATH | O_NOFOLLOW, 0));
	res("open O_NOFOLLOW file", open_close("f", O_RDONLY | O_NOFOLLOW, 0));
	res("open O_WRONLY dir", open_close("d", O_WRONLY, 0));
	res("open O_CREAT dir", open_close("d", O_CREAT | O_RDONLY, 0644));
	res("open O_CREAT|O_EXCL dir", open_close("d", O_CREAT | O_EXCL | O_RDONLY, 0644));
	res("open missing", open_close("nothere", O_RDONLY, 0));
	res("open file/x", open_close("f/x", O_RDONLY, 0));
	res("open O_CREAT missing/x", open_close("nodir/x", O_CREAT | O_WRONLY, 0644));
	res("open O_CREAT name/", open_close("newname/", O_CREAT | O_WRONLY, 0644));
	res("open O_CREAT|O_DIRECTORY", open_close("cd", O_CREAT | O_DIRECTORY | O_RDONLY, 0644));
	res("creat existing", open_close("f", O_CREAT | O_WRONLY | O_TRUNC, 0600));
	val("  creat keeps mode", "%04o", mode_of("f"));
	{
		int fd = open("f", O_RDONLY);
		char c;

		res("write on O_RDONLY fd", fd < 0 ? -1 : (int)write(fd, "x", 1));
		close(fd);
		fd = open("f", O_WRONLY);
		res("read on O_WRONLY fd", fd < 0 ? -1 : (int)read(fd, &c, 1));
		close(fd);
		fd = open("f", O_WRONLY | O_APPEND);
		if (fd >= 0) {
			lseek(fd, 0, SEEK_SET);
			res("O_APPEND write", (int)write(fd, "!", 1));
			close(fd);
		}
		val("  size after append", "%lld", size_of("f"));
	}
}

static void section_attr(void)
{
	struct stat st;

	mkfile("s", 0755, "data");
	chown("s", USER_ID, 100);
	chmod("s", 06755);
	res("root chown setuid file (same owner)", chown("s", USER_ID, -1));
	val("  mode", "%04o", mode_of("s"));
	chmod("s", 06755);
	res("root chown setuid file (new owner)", chown("s", 4242, -1));
	val("  mode", "%04o", mode_of("s"));
	chmod("s", 02745);   /* setgid without group-execute: mandatory locking bit */
	res("root chown setgid file without g+x", chown("s", USER_ID, -1));
	val("  mode", "%04o", mode_of("s"));
	chown("s", USER_ID, 100);
	chmod("s", 06777);
	res("root write setuid file", u_append("s"));
	val("  mode", "%04o", mode_of("s"));
	res("user write setuid file", as_user(u_append, "s"));
	val("  mode", "%04o", mode_of("s"));
	chmod("s", 06777);
	res("user truncate setuid file", as_user(u_truncate, "s"));
	val("  mode", "%04o", mode_of("s"));
	chown("s", 0, 100);
	chmod("s", 06777);
	res("non-owner write setuid file", as_user(u_append, "s"));
	val("  mode", "%04o", mode_of("s"));
	chmod("s", 06777);
	res("non-owner truncate setuid file", as_user(u_truncate, "s"));
	val("  mode", "%04o", mode_of("s"));
	chown("s", USER_ID, 100);
	chmod("s", 06777);
	res("owner chown to self", as_user(u_chown_self, "s"));
	val("  mode", "%04o", mode_of("s"));
	res("owner chown to root", as_user(u_chown_root, "s"));
	res("owner chmod setgid, not in group", as_user(u_chmod_sgid, "s"));
	val("  mode", "%04o", mode_of("s"));
	chown("s", 0, 0);
	res("non-owner chmod", as_user(u_chmod, "s"));
	res("chmod symlink (follows)", chmod("ln", 0600));
	val("  target mode", "%04o", mode_of("f"));
	res("chmod type bits ignored", chmod("f", S_IFDIR | 0640));
	lstat("f", &st);
	val("  still a file", "%s", S_ISREG(st.st_mode) ? "yes" : "no");
	res("lchown symlink", lchown("ln", 7, 8));
	lstat("ln", &st);
	val("  symlink owner", "%u:%u", st.st_uid, st.st_gid);
	val("  target owner", "%u:%u", (stat("f", &st), st.st_uid), st.st_gid);
	res("chown -1 -1", chown("f", (uid_t)-1, (gid_t)-1));
}

static void section_link(void)
{
	struct stat st;

	mkfile("l1", 0644, "x");
	res("link", link("l1", "l2"));
	val("  nlink", "%lu", (unsigned long)(stat("l1", &st), st.st_nlink));
	res("link to existing name", link("l1", "f"));
	res("link dir", link("d", "d2"));
	res("link missing", link("nothere", "l3"));
	res("link into missing dir", link("l1", "nodir/l3"));
	res("link symlink (no follow)", link("dangling", "dl2"));
	val("  is symlink", "%s", (lstat("dl2", &st), S_ISLNK(st.st_mode)) ? "yes" : "no");
	res("unlink dir", unlink("d"));
	res("unlink missing", unlink("nothere"));
	res("unlink file/x", unlink("f/x"));
	res("unlink hard link", unlink("l2"));
	val("  nlink", "%lu", (unsigned long)(stat("l1", &st), st.st_nlink));
	mkdir("sticky", 01777);
	chmod("sticky", 01777);
	mkfile("sticky/rootfile", 0666, "x");
	res("user unlink in sticky dir", as_user(u_unlink, "sticky/rootfile"));
	res("user rename in sticky dir", as_user(u_rename_sticky, "sticky/rootfile"));
	res("user create in sticky dir", as_user(u_create, "sticky/userfile"));
	res("user unlink own in sticky dir", as_user(u_unlink, "sticky/userfile"));
	res("user create in 0755 root dir", as_user(u_create, "d/userfile"));
}

static void section_dirs(void)
{
	struct stat st;

	res("mkdir", mkdir("m", 0755));
	res("mkdir existing", mkdir("m", 0755));
	res("mkdir over file", mkdir("f", 0755));
	symlink("nowhere", "dsym");
	res("mkdir over symlink", mkdir("dsym", 0755));
	res("mkdir trailing slash", mkdir("m2/", 0755));
	res("mkdir missing parent", mkdir("nodir/x", 0755));
	res("mkdir in file", mkdir("f/x", 0755));
	mkdir("m/sub", 0755);
	val("  nlink of parent", "%lu", (unsigned long)(stat("m", &st), st.st_nlink));
	res("rmdir non-empty", rmdir("m"));
	res("rmdir file", rmdir("f"));
	res("rmdir missing", rmdir("nothere"));
	res("rmdir .", rmdir("m/sub/."));
	res("rmdir ..", rmdir("m/sub/.."));
	res("rmdir symlink to dir", (symlink("m", "msym"), rmdir("msym")));
	res("rmdir", rmdir("m/sub"));
	val("  nlink of parent", "%lu", (unsigned long)(stat("m", &st), st.st_nlink));
	mkdir("m/sub", 0755);
	mkfile("m/sub/f", 0644, "x");
	{
		DIR *dp;
		struct dirent *e;
		int n = 0;

		dp = opendir("m/sub");
		while (dp && (e = readdir(dp)))
			n++;
		if (dp)
			closedir(dp);
		val("readdir entries with . and ..", "%d", n);
	}
	mkdir("m/empty", 0755);
	mkdir("m/empty2", 0755);
	mkdir("m/full", 0755);
	mkfile("m/full/x", 0644, "x");
}

static void section_rename(void)
{
	struct stat st;

	mkfile("r1", 0644, "1");
	mkfile("r2", 0644, "22");
	res("rename over file", rename("r1", "r2"));
	val("  size of r2", "%lld", size_of("r2"));
	val("  r1 gone", "%s", access("r1", F_OK) ? ename(errno) : "no");
	res("rename file over dir", rename("r2", "m/empty"));
	res("rename dir over file", rename("m/empty", "r2"));
	res("rename dir over non-empty dir", rename("m/empty", "m/full"));
	res("rename dir over empty dir", rename("m/empty", "m/empty2"));
	res("rename dir into itself", rename("m", "m/sub/m"));
	res("rename missing", rename("nothere", "x"));
	res("rename to missing dir", rename("r2", "nodir/x"));
	res("rename .", rename("m/.", "mm"));
	res("rename to ..", rename("r2", "m/.."));
	link("r2", "r2link");
	res("rename hard links of one inode", rename("r2", "r2link"));
	val("  both still there", "%s", !access("r2", F_OK) && !access("r2link", F_OK) ? "yes" : "no");
	res("rename to itself", rename("r2", "r2"));
	mkfile("x1", 0644, "1");
	mkfile("x2", 0644, "22");
	res("RENAME_NOREPLACE existing", renameat2(AT_FDCWD, "x1", AT_FDCWD, "x2", RENAME_NOREPLACE));
	res("RENAME_NOREPLACE new", renameat2(AT_FDCWD, "x1", AT_FDCWD, "x3", RENAME_NOREPLACE));
	res("RENAME_EXCHANGE", renameat2(AT_FDCWD, "x2", AT_FDCWD, "x3", RENAME_EXCHANGE));
	val("  sizes", "%lld %lld", size_of("x2"), size_of("x3"));
	res("RENAME_EXCHANGE missing", renameat2(AT_FDCWD, "x2", AT_FDCWD, "x9", RENAME_EXCHANGE));
	res("RENAME_EXCHANGE file and dir", renameat2(AT_FDCWD, "x2", AT_FDCWD, "m/full", RENAME_EXCHANGE));
	val("  types", "%s %s", (lstat("x2", &st), S_ISDIR(st.st_mode)) ? "dir" : "file",
	    (lstat("m/full", &st), S_ISDIR(st.st_mode)) ? "dir" : "file");
	res("RENAME_EXCHANGE dir and its child", renameat2(AT_FDCWD, "m", AT_FDCWD, "m/sub", RENAME_EXCHANGE));
	res("RENAME_NOREPLACE|EXCHANGE", renameat2(AT_FDCWD, "x3", AT_FDCWD, "x2", RENAME_NOREPLACE | RENAME_EXCHANGE));
	res("RENAME_WHITEOUT as root", renameat2(AT_FDCWD, "x3", AT_FDCWD, "x4", RENAME_WHITEOUT));
}

static void section_symlink_trunc_fifo(void)
{
	char buf[8192];
	struct stat st;
	ssize_t n;

	res("symlink existing name", symlink("x", "f"));
	res("symlink empty target", symlink("", "empty"));
	memset(buf, 'a', sizeof(buf));
	buf[4095] = '\0';
	res("symlink 4095-byte target", symlink(buf, "long4095"));
	n = readlink("long4095", buf, sizeof(buf));
	val("  readlink length", "%zd", n);
	memset(buf, 'a', sizeof(buf));
	buf[4096] = '\0';
	res("symlink 4096-byte target", symlink(buf, "long4096"));
	res("readlink on file", (int)readlink("f", buf, sizeof(buf)));
	res("readlink small buffer", (int)readlink("ln", buf, 0));
	n = readlink("dangling", buf, 3);
	val("readlink truncated", "%zd", n);
	val("symlink size", "%lld", size_of("dangling"));
	val("symlink mode", "%04o", mode_of("dangling"));

	mkfile("t", 0644, "0123456789");
	res("truncate shrink", truncate("t", 4));
	val("  size", "%lld", size_of("t"));
	res("truncate grow", truncate("t", 100000));
	{
		int fd = open("t", O_RDONLY), zeros = 1;

		n = pread(fd, buf, 8192, 4);
		for (ssize_t i = 0; i < n; i++)
			zeros &= buf[i] == 0;
		close(fd);
		val("  grown part", "%zd bytes, %s", n, zeros ? "zeros" : "NOT zeros");
	}
	res("truncate negative", truncate("t", -1));
	res("truncate dir", truncate("d", 0));
	res("truncate missing", truncate("nothere", 0));
	res("truncate fifo", (mkfifo("tf", 0644), truncate("tf", 0)));
	{
		int fd = open("t", O_RDONLY);

		res("ftruncate O_RDONLY fd", ftruncate(fd, 0));
		close(fd);
	}
	res("truncate huge", truncate("t", (off_t)1 << 62));

	res("mkfifo", mkfifo("fifo", 0640));
	lstat("fifo", &st);
	val("  type and mode", "%s %04o", S_ISFIFO(st.st_mode) ? "fifo" : "?", (unsigned)(st.st_mode & 07777));
	res("mkfifo existing", mkfifo("fifo", 0640));
	res("mkfifo over symlink", mkfifo("dangling", 0640));
	res("mknod socket", mknod("sock", S_IFSOCK | 0644, 0));
	res("mknod char", mknod("chr", S_IFCHR | 0600, makedev(1, 3)));
	val("  rdev", "%u:%u", (lstat("chr", &st), major(st.st_rdev)), minor(st.st_rdev));
	res("mknod bad type", mknod("bad", 0170000 | 0644, 0));
	res("open fifo O_RDONLY|O_NONBLOCK", open_close("fifo", O_RDONLY | O_NONBLOCK, 0));
	res("open fifo O_WRONLY|O_NONBLOCK, no reader", open_close("fifo", O_WRONLY | O_NONBLOCK, 0));
}

static void section_times(void)
{
	struct timespec ts[2];
	struct stat a, b;

	mkfile("tm", 0666, "x");
	ts[0].tv_sec = 1000000000; ts[0].tv_nsec = 123456789;
	ts[1].tv_sec = 1100000000; ts[1].tv_nsec = 987654321;
	res("utimensat explicit", utimensat(AT_FDCWD, "tm", ts, 0));
	stat("tm", &a);
	val("  atime mtime", "%lld.%09ld %lld.%09ld", (long long)a.st_atim.tv_sec, a.st_atim.tv_nsec,
	    (long long)a.st_mtim.tv_sec, a.st_mtim.tv_nsec);
	ts[0].tv_nsec = UTIME_OMIT; ts[1].tv_nsec = UTIME_OMIT;
	res("utimensat OMIT OMIT", utimensat(AT_FDCWD, "tm", ts, 0));
	stat("tm", &b);
	val("  unchanged", "%s", a.st_atim.tv_sec == b.st_atim.tv_sec && a.st_atim.tv_nsec == b.st_atim.tv_nsec &&
	    a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec ? "yes" : "no");
	ts[0].tv_sec = 5; ts[0].tv_nsec = 0; ts[1].tv_nsec = UTIME_OMIT;
	res("utimensat atime, mtime OMIT", utimensat(AT_FDCWD, "tm", ts, 0));
	stat("tm", &b);
	val("  atime mtime", "%lld.%09ld %lld.%09ld", (long long)b.st_atim.tv_sec, b.st_atim.tv_nsec,
	    (long long)b.st_mtim.tv_sec, b.st_mtim.tv_nsec);
	ts[0].tv_nsec = UTIME_NOW; ts[1].tv_nsec = UTIME_OMIT;
	res("utimensat NOW OMIT", utimensat(AT_FDCWD, "tm", ts, 0));
	stat("tm", &b);
	val("  atime recent, mtime kept", "%s %s", b.st_atim.tv_sec > time(NULL) - 60 ? "yes" : "no",
	    b.st_mtim.tv_sec == 1100000000 ? "yes" : "no");
	ts[0].tv_nsec = UTIME_OMIT; ts[1].tv_nsec = UTIME_NOW;
	res("utimensat OMIT NOW", utimensat(AT_FDCWD, "tm", ts, 0));
	stat("tm", &b);
	val("  mtime recent", "%s", b.st_mtim.tv_sec > time(NULL) - 60 ? "yes" : "no");
	res("utimensat NULL", utimensat(AT_FDCWD, "tm", NULL, 0));
	ts[0].tv_sec = 0; ts[0].tv_nsec = 1000000000; ts[1].tv_nsec = 0;
	res("utimensat bad nsec", utimensat(AT_FDCWD, "tm", ts, 0));
	ts[0].tv_sec = 7; ts[0].tv_nsec = 0; ts[1].tv_sec = 8; ts[1].tv_nsec = 0;
	res("utimensat AT_SYMLINK_NOFOLLOW", utimensat(AT_FDCWD, "ln", ts, AT_SYMLINK_NOFOLLOW));
	lstat("ln", &b);
	val("  symlink mtime", "%lld", (long long)b.st_mtim.tv_sec);
	chown("tm", 0, 0);
	chmod("tm", 0666);
	res("user utimensat NOW, writable", as_user(u_utime_now, "tm"));
	res("user utimensat explicit, not owner", as_user(u_utime_set, "tm"));
	chmod("tm", 0644);
	res("user utimensat NOW, not writable", as_user(u_utime_now, "tm"));
	chown("tm", USER_ID, USER_GID);
	res("owner utimensat explicit", as_user(u_utime_set, "tm"));
}

static void section_limits(void)
{
	char name[300], path[PATH_MAX + 200];
	size_t len;
	int depth = 0;

	memset(name, 'n', 255);
	name[255] = '\0';
	res("create NAME_MAX name", open_close(name, O_CREAT | O_WRONLY, 0644));
	res("stat NAME_MAX name", access(name, F_OK));
	res("mkdir NAME_MAX name", mkdir((name[0] = 'd', name), 0755));
	name[255] = 'n';
	name[256] = '\0';
	res("create NAME_MAX+1 name", open_close(name, O_CREAT | O_WRONLY, 0644));
	res("stat NAME_MAX+1 name", access(name, F_OK));
	res("mkdir NAME_MAX+1 name", mkdir(name, 0755));
	res("symlink NAME_MAX+1 name", symlink("x", name));
	res("rename to NAME_MAX+1 name", rename("f", name));

	/* A deep tree: directories of 200-byte names until the relative path
	 * is just under PATH_MAX. */
	memset(name, 'p', 200);
	name[200] = '\0';
	path[0] = '\0';
	len = 0;
	while (len + 201 + 20 < PATH_MAX) {
		snprintf(path + len, sizeof(path) - len, "%s%s", len ? "/" : "", name);
		len = strlen(path);
		if (mkdir(path, 0755))
			break;
		depth++;
	}
	val("deep tree depth", "%d (path %zu bytes)", depth, len);
	path[len] = '/';
	memset(path + len + 1, 'f', PATH_MAX - 1 - len - 1);
	path[PATH_MAX - 1] = '\0';
	val("  file path length", "%zu", strlen(path));
	res("create at PATH_MAX-1", open_close(path, O_CREAT | O_WRONLY, 0644));
	res("stat at PATH_MAX-1", access(path, F_OK));
	strcat(path, "g");
	val("  file path length", "%zu", strlen(path));
	res("create at PATH_MAX", open_close(path, O_CREAT | O_WRONLY, 0644));
	{
		char *p = strrchr(path, '/');

		*p = '\0';
		if (chdir(path) == 0) {
			char cwd[PATH_MAX * 2];

			res("getcwd deep", getcwd(cwd, sizeof(cwd)) ? 0 : -1);
			res("create in deep cwd", open_close("here", O_CREAT | O_WRONLY, 0644));
			for (int i = 0; i < depth; i++)
				if (chdir(".."))
					break;
		}
	}
}

static void section_xattr(void)
{
	char buf[64];

	mkfile("xa", 0644, "x");
	res("setxattr user", setxattr("xa", "user.a", "1", 1, 0));
	res("setxattr XATTR_CREATE existing", setxattr("xa", "user.a", "2", 1, XATTR_CREATE));
	res("setxattr XATTR_REPLACE missing", setxattr("xa", "user.b", "2", 1, XATTR_REPLACE));
	res("getxattr missing", (int)getxattr("xa", "user.b", buf, sizeof(buf)));
	res("getxattr small buffer", (int)getxattr("xa", "user.a", buf, 0) == 1 ? 0 : -1);
	setxattr("xa", "user.c", "0123456789", 10, 0);
	res("getxattr ERANGE", (int)getxattr("xa", "user.c", buf, 3));
	res("listxattr ERANGE", (int)listxattr("xa", buf, 3));
	res("removexattr missing", removexattr("xa", "user.zz"));
	res("setxattr unknown namespace", setxattr("xa", "foo.a", "1", 1, 0));
	res("setxattr user. on symlink", lsetxattr("ln", "user.a", "1", 1, 0));
	res("setxattr user. on fifo", setxattr("fifo", "user.a", "1", 1, 0));
	res("setxattr trusted", setxattr("xa", "trusted.t", "1", 1, 0));
	res("setxattr empty value", setxattr("xa", "user.e", "", 0, 0));
	res("getxattr empty value", (int)getxattr("xa", "user.e", buf, sizeof(buf)));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: posix_check DIR\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "posix_check: must run as root\n");
		return 77;
	}
	umask(022);
	if (chdir(argv[1]) || (mkdir("posix-work", 0755) && errno != EEXIST) || chdir("posix-work")) {
		perror("posix_check: DIR/posix-work");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	section_open();
	section_attr();
	section_link();
	section_dirs();
	section_rename();
	section_symlink_trunc_fifo();
	section_times();
	section_limits();
	section_xattr();
	return 0;
}
