/*
 * mdbench.c — the metadata workload of bench/run-peer-bench.sh: create,
 * stat and delete N small files in one directory, each phase timed.
 *
 *   mdbench DIR [N [BYTES [PID]]]
 *
 * create: open(O_CREAT|O_EXCL|O_WRONLY), BYTES written (default 0), close;
 * stat: stat() of every name; delete: unlink() of every name, then fsync of
 * the directory.  Prints "create=<files/s> stat=<files/s> delete=<files/s>";
 * with PID (a FUSE daemon's), also the CPU seconds (utime + stime from
 * /proc/PID/stat) that process spent in each phase: "cpu_create=<s>
 * cpu_stat=<s> cpu_delete=<s>".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *name)
{
	fprintf(stderr, "mdbench: %s %s: %s\n", what, name, strerror(errno));
	exit(1);
}

/* utime + stime of pid in seconds; -1 when it cannot be read (or no pid). */
static double cpu_of(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	size_t n;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');   /* the command name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void dirsync(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0 || fsync(fd) != 0)
		die("fsync", dir);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *dir;
	long n = 20000, bytes = 0, pid = 0;
	char name[4096], data[65536];
	double t0, t[3], c[4];
	struct stat st;

	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: mdbench DIR [N [BYTES [PID]]]\n");
		return 2;
	}
	dir = argv[1];
	if (argc > 2)
		n = atol(argv[2]);
	if (argc > 3)
		bytes = atol(argv[3]);
	if (argc > 4)
		pid = atol(argv[4]);
	if (n <= 0 || bytes < 0 || bytes > (long)sizeof(data))
		return 2;
	if (pid && cpu_of(pid) < 0) {
		fprintf(stderr, "mdbench: cannot read /proc/%ld/stat\n", pid);
		return 2;
	}
	memset(data, 'x', sizeof(data));
	c[0] = cpu_of(pid);
	t0 = now();
	for (long i = 0; i < n; i++) {
		int fd;

		snprintf(name, sizeof(name), "%s/f%08ld", dir, i);
		fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			die("create", name);
		if (bytes && write(fd, data, (size_t)bytes) != bytes)
			die("write", name);
		if (close(fd) != 0)
			die("close", name);
	}
	dirsync(dir);
	t[0] = now() - t0;
	c[1] = cpu_of(pid);
	t0 = now();
	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s/f%08ld", dir, i);
		if (stat(name, &st) != 0)
			die("stat", name);
	}
	t[1] = now() - t0;
	c[2] = cpu_of(pid);
	t0 = now();
	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s/f%08ld", dir, i);
		if (unlink(name) != 0)
			die("unlink", name);
	}
	dirsync(dir);
	t[2] = now() - t0;
	c[3] = cpu_of(pid);
	printf("create=%.0f stat=%.0f delete=%.0f", n / t[0], n / t[1], n / t[2]);
	if (pid)
		printf(" cpu_create=%.2f cpu_stat=%.2f cpu_delete=%.2f", c[1] - c[0], c[2] - c[1],
		       c[3] - c[2]);
	printf("\n");
	return 0;
}
