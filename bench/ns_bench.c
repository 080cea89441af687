/*
 * ns_bench.c — the namespace at scale: create, stat and unlink N empty
 * files through the public API; open time, one-change checkpoints, memory.
 *
 * Usage: ns_bench [-n FILES] [-p PER_DIR] [-r REPEATS] [-j JOURNAL_MIB] [-c CACHE_PAGES]
 *                 [-d DIR] [-L] [-k]
 *
 * Makes a 4+2 pool of image files sized for the run in a fresh directory
 * (under -d, else /dev/shm when it has room, else $TMPDIR or /tmp) and opens
 * it.  Files go PER_DIR to a directory (default 1000; -p 0: all N in one
 * directory).  Phases, each timed (wall and process CPU):
 *   create  argos_mknod of N empty regular files (then one sync);
 *   open    close (a checkpoint), then argos_pool_open of the closed pool;
 *   stat    argos_lookup of every file by name (cold cache: just opened);
 *   ckpt    REPEATS times: chmod one file, time argos_pool_checkpoint;
 *   unlink  argos_unlink of every file, then the directories.
 * Where the memory goes, at the end of create: cached pages, page buffers
 * mapped (4 KiB each), malloc heap in use (mallinfo2), pages the create
 * phase's checkpoints wrote and how many of them were copied (pcache.h).
 * Lookup counts are dropped at once (argos_forget), as a kernel whose dentry
 * cache holds nothing would; -L keeps them until the phase ends (a kernel
 * that caches every inode).  Prints one line of key=value pairs
 * (bench/run-ns-bench.sh turns them into a table); -k keeps the images.
 *
 * Not a test: nothing here fails on a number.
 */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "argosfs.h"
#include "tpool.h"

#define NMEM 6

struct bench {
	uint64_t n, per_dir, ndirs;
	unsigned repeats;
	bool hold;                  /* -L: keep lookup counts until the phase ends */
	argos_pool *p;
	argos_ino_t *dir;           /* ndirs directory inodes */
};

struct phase {
	double wall, cpu;
};

static double now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void start(struct phase *ph)
{
	ph->wall = -now_s(CLOCK_MONOTONIC);
	ph->cpu = -now_s(CLOCK_PROCESS_CPUTIME_ID);
}

static void stop(struct phase *ph)
{
	ph->wall += now_s(CLOCK_MONOTONIC);
	ph->cpu += now_s(CLOCK_PROCESS_CPUTIME_ID);
}

static void file_name(uint64_t i, char *buf, size_t len)
{
	snprintf(buf, len, "file-%010llu", (unsigned long long)i);
}

static argos_ino_t dir_of(const struct bench *b, uint64_t i)
{
	return b->dir[b->per_dir ? i / b->per_dir : 0];
}

/* Drop lookup counts taken by a phase (-L), as a kernel evicting its cache. */
static void forget_all(struct bench *b, argos_ino_t *held, uint64_t n)
{
	for (uint64_t i = 0; held && i < n; i++)
		argos_forget(b->p, held[i], 1);
}

static int make_dirs(struct bench *b, char *why, size_t len)
{
	b->dir = calloc(b->ndirs, sizeof(*b->dir));
	if (!b->dir)
		return -ENOMEM;
	for (uint64_t d = 0; d < b->ndirs; d++) {
		struct argos_attr a;
		char name[32];
		int err;

		snprintf(name, sizeof(name), "dir-%07llu", (unsigned long long)d);
		err = argos_mkdir(b->p, ARGOS_ROOT_INO, name, 0755, NULL, &a);
		if (err) {
			snprintf(why, len, "mkdir %s", name);
			return err;
		}
		argos_forget(b->p, a.ino, 1);
		b->dir[d] = a.ino;
	}
	return 0;
}

static int create_all(struct bench *b, char *why, size_t len)
{
	argos_ino_t *held = b->hold ? calloc(b->n, sizeof(*held)) : NULL;
	int err = 0;

	if (b->hold && !held)
		return -ENOMEM;
	for (uint64_t i = 0; i < b->n && !err; i++) {
		struct argos_attr a;
		char name[32];

		file_name(i, name, sizeof(name));
		err = argos_mknod(b->p, dir_of(b, i), name, S_IFREG | 0644, 0, NULL, &a);
		if (err)
			snprintf(why, len, "mknod %s", name);
		else if (held)
			held[i] = a.ino;
		else
			argos_forget(b->p, a.ino, 1);
	}
	if (!err)
		err = argos_pool_sync(b->p);
	forget_all(b, held, b->n);
	free(held);
	return err;
}

static int stat_all(struct bench *b, char *why, size_t len)
{
	argos_ino_t *held = b->hold ? calloc(b->n, sizeof(*held)) : NULL;
	int err = 0;

	if (b->hold && !held)
		return -ENOMEM;
	for (uint64_t i = 0; i < b->n && !err; i++) {
		struct argos_attr a;
		char name[32];

		file_name(i, name, sizeof(name));
		err = argos_lookup(b->p, dir_of(b, i), name, &a);
		if (err)
			snprintf(why, len, "lookup %s", name);
		else if (held)
			held[i] = a.ino;
		else
			argos_forget(b->p, a.ino, 1);
	}
	forget_all(b, held, b->n);
	free(held);
	return err;
}

static int unlink_all(struct bench *b, char *why, size_t len)
{
	int err = 0;

	for (uint64_t i = 0; i < b->n && !err; i++) {
		char name[32];

		file_name(i, name, sizeof(name));
		err = argos_unlink(b->p, dir_of(b, i), name);
		if (err)
			snprintf(why, len, "unlink %s", name);
	}
	for (uint64_t d = 0; d < b->ndirs && !err; d++) {
		char name[32];

		snprintf(name, sizeof(name), "dir-%07llu", (unsigned long long)d);
		err = argos_rmdir(b->p, ARGOS_ROOT_INO, name);
		if (err)
			snprintf(why, len, "rmdir %s", name);
	}
	if (!err)
		err = argos_pool_sync(b->p);
	return err;
}

/* chmod one file, then time the checkpoint that writes it. */
static int one_change_ckpts(struct bench *b, double *ms, uint64_t *pages, char *why, size_t len)
{
	for (unsigned r = 0; r < b->repeats; r++) {
		uint64_t i = (r * 7919ull + 13) % b->n;
		struct argos_attr a, set = { .mode = r % 2 ? 0600 : 0640 };
		struct argos_pool_status s;
		struct phase ph;
		char name[32];
		int err;

		file_name(i, name, sizeof(name));
		err = argos_lookup(b->p, dir_of(b, i), name, &a);
		if (!err) {
			argos_forget(b->p, a.ino, 1);
			err = argos_setattr(b->p, a.ino, &set, ARGOS_SET_MODE, NULL, NULL);
		}
		if (!err) {
			start(&ph);
			err = argos_pool_checkpoint(b->p);
			stop(&ph);
		}
		if (err) {
			snprintf(why, len, "one-change checkpoint %u", r);
			return err;
		}
		argos_pool_status(b->p, &s);
		ms[r] = ph.wall * 1e3;
		pages[r] = s.last_ckpt_pages;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *pick_base(const char *given, uint64_t need)
{
	struct statvfs sv;

	if (given)
		return given;
	if (statvfs("/dev/shm", &sv) == 0 && (uint64_t)sv.f_bavail * sv.f_frsize > 2 * need &&
	    access("/dev/shm", W_OK) == 0)
		return "/dev/shm";
	return NULL;   /* $TMPDIR or /tmp */
}

static double rss_now_mib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return (double)rss * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

int main(int argc, char **argv)
{
	struct bench b = { .n = 10000, .per_dir = 1000, .repeats = 9 };
	struct argos_open_opts oo = { .commit_ms = 1000, .ckpt_ms = 3600000 };
	struct argos_mkfs_opts mo = { .k = 4, .m = 2, .m_set = true };
	struct phase create, open, stat_, unlink_;
	struct argos_pool_status s;
	struct tpool tp = { 0 };
	struct rusage ru;
	const char *base = NULL;
	char why[512] = "";
	double *ms = NULL, rss_created = 0, heap_created = 0;
	uint64_t ckpt_pages_create = 0, copies_create = 0, bufs_created = 0, cached_created = 0;
	uint64_t member, *pages = NULL, height = 0, ckpts_create = 0, blocks = 0, cached = 0;
	bool keep = false;
	int opt, err;

	while ((opt = getopt(argc, argv, "n:p:r:j:c:d:Lk")) != -1) {
		switch (opt) {
		case 'n': b.n = strtoull(optarg, NULL, 0); break;
		case 'p': b.per_dir = strtoull(optarg, NULL, 0); break;
		case 'r': b.repeats = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'j': mo.journal_size = strtoull(optarg, NULL, 0) << 20; break;
		case 'c': oo.cache_pages = strtoull(optarg, NULL, 0); break;
		case 'd': base = optarg; break;
		case 'L': b.hold = true; break;
		case 'k': keep = true; break;
		default:
			fprintf(stderr, "usage: %s [-n FILES] [-p PER_DIR] [-r REPEATS] [-j JOURNAL_MIB] "
				"[-c CACHE_PAGES] [-d DIR] [-L] [-k]\n", argv[0]);
			return 2;
		}
	}
	if (b.n == 0 || b.repeats == 0) {
		fprintf(stderr, "ns_bench: -n and -r must be positive\n");
		return 2;
	}
	b.ndirs = b.per_dir ? (b.n + b.per_dir - 1) / b.per_dir : 1;
	/* ~3 mirrors x ~250 bytes per file of live pages, as much again for
	 * copy-on-write churn, and the journal (mkfs: member/16). */
	member = (256ull << 20) + b.n * 1024;
	base = pick_base(base, NMEM * member / 4);
	ms = calloc(b.repeats, sizeof(*ms));
	pages = calloc(b.repeats, sizeof(*pages));
	if (!ms || !pages)
		return 1;

	err = tpool_make(&tp, base, "nsbench", NMEM, member, &mo, why, sizeof(why));
	if (!err)
		err = tpool_open(&tp, &oo, &b.p, why, sizeof(why));
	if (!err)
		err = make_dirs(&b, why, sizeof(why));
	if (err)
		goto fail;

	start(&create);
	err = create_all(&b, why, sizeof(why));
	stop(&create);
	if (err)
		goto fail;
	argos_pool_status(b.p, &s);
	ckpts_create = s.checkpoints;
	ckpt_pages_create = s.ckpt_pages;
	copies_create = s.ckpt_copies;
	bufs_created = s.page_buf_pages;
	cached_created = s.cached_pages;
	rss_created = rss_now_mib();
	{
		struct mallinfo2 mi = mallinfo2();

		heap_created = (double)(mi.uordblks + mi.hblkhd) / 1048576.0;
	}

	err = argos_pool_close(b.p);
	b.p = NULL;
	if (err) {
		snprintf(why, sizeof(why), "close after create");
		goto fail;
	}
	start(&open);
	err = tpool_open(&tp, &oo, &b.p, why, sizeof(why));
	stop(&open);
	if (err)
		goto fail;

	start(&stat_);
	err = stat_all(&b, why, sizeof(why));
	stop(&stat_);
	if (!err)
		err = one_change_ckpts(&b, ms, pages, why, sizeof(why));
	if (err)
		goto fail;
	argos_pool_status(b.p, &s);
	height = s.tree_height;
	blocks = s.blocks_used;
	cached = s.cached_pages;

	start(&unlink_);
	err = unlink_all(&b, why, sizeof(why));
	stop(&unlink_);
	if (!err)
		err = argos_pool_close(b.p);
	b.p = NULL;
	if (err) {
		if (!why[0])
			snprintf(why, sizeof(why), "close");
		goto fail;
	}
	getrusage(RUSAGE_SELF, &ru);
	qsort(ms, b.repeats, sizeof(*ms), cmp_double);
	{
		uint64_t pmin = UINT64_MAX, pmax = 0;

		for (unsigned r = 0; r < b.repeats; r++) {
			pmin = pages[r] < pmin ? pages[r] : pmin;
			pmax = pages[r] > pmax ? pages[r] : pmax;
		}
		printf("files=%llu per_dir=%llu dirs=%llu hold=%d "
		       "create_per_s=%.0f create_s=%.2f create_cpu_s=%.2f ckpts_during_create=%llu "
		       "open_ms=%.1f open_cpu_ms=%.1f stat_per_s=%.0f stat_s=%.2f stat_cpu_s=%.2f "
		       "unlink_per_s=%.0f unlink_s=%.2f unlink_cpu_s=%.2f "
		       "ckpt1_median_ms=%.2f ckpt1_min_ms=%.2f ckpt1_max_ms=%.2f ckpt1_pages=%llu-%llu "
		       "tree_height=%llu blocks_used=%llu cached_pages=%llu rss_created_mib=%.1f "
		       "maxrss_mib=%.1f ckpt_pages_during_create=%llu ckpt_copies_during_create=%llu "
		       "cached_pages_created=%llu page_bufs_created=%llu heap_created_mib=%.1f dir=%s\n",
		       (unsigned long long)b.n, (unsigned long long)b.per_dir,
		       (unsigned long long)b.ndirs, b.hold, (double)b.n / create.wall, create.wall,
		       create.cpu, (unsigned long long)ckpts_create, open.wall * 1e3, open.cpu * 1e3,
		       (double)b.n / stat_.wall, stat_.wall, stat_.cpu, (double)b.n / unlink_.wall,
		       unlink_.wall, unlink_.cpu, ms[b.repeats / 2], ms[0], ms[b.repeats - 1],
		       (unsigned long long)pmin, (unsigned long long)pmax, (unsigned long long)height,
		       (unsigned long long)blocks, (unsigned long long)cached, rss_created,
		       (double)ru.ru_maxrss / 1024.0, (unsigned long long)ckpt_pages_create,
		       (unsigned long long)copies_create, (unsigned long long)cached_created,
		       (unsigned long long)bufs_created, heap_created, tp.dir);
	}
	if (!keep)
		tpool_remove(&tp);
	free(b.dir);
	free(ms);
	free(pages);
	return 0;
fail:
	fprintf(stderr, "ns_bench: %s: %s\n", why, argos_strerror(err));
	if (b.p)
		(void)argos_pool_close(b.p);
	if (!keep)
		tpool_remove(&tp);
	free(b.dir);
	free(ms);
	free(pages);
	return 1;
}
