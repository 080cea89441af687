/*
 * rw_bench.c — 4 KiB random writes and reads through the engine API, with
 * and without deferred small writes, in one run.
 *
 * Usage: rw_bench [-f FILE_MIB] [-n OPS] [-s SYNC_EVERY] [-b BS] [-d DIR] [-k]
 *
 * Makes a 4+2 pool of image files (mkfs defaults: 256 KiB chunks, 1 MiB
 * stripes) in a fresh directory under DIR (default /dev/shm), writes a file
 * of FILE_MIB (default 64) sequentially and checkpoints.  Then, twice — once
 * with deferred writes off (the write window: a read-modify-write of the
 * stripe) and once on — OPS (default 2000) writes of BS (default 4096) bytes
 * at random BS-aligned offsets through one handle, argos_fsync every
 * SYNC_EVERY writes (default 0: only once at the end, included in the time),
 * then one checkpoint (what the writes left for it: pages, space maps),
 * then OPS random reads of BS bytes.  Prints per phase: operations per second
 * of wall time, CPU microseconds per operation (user + sys of the process),
 * and the pool's deferred write and fold counters.  The file is read whole
 * once before the first pass (caches warm for both).  -k keeps the images.
 *
 * Not a test: nothing here fails on a number.  It sets the pool's defer_off
 * (an engine internal) for the "off" pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "pool.h"
#include "tpool.h"

#define NMEM 6

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "rw_bench: %s: %s\n", what, argos_strerror(err));
	exit(1);
}

static void report(const char *phase, uint64_t ops, double wall, double cpu, argos_pool *p)
{
	struct argos_pool_status st;

	argos_pool_status(p, &st);
	printf("%-10s ops=%llu wall_s=%.3f ops_per_s=%.0f cpu_us_per_op=%.1f deferred=%llu "
	       "folds=%llu\n", phase, (unsigned long long)ops, wall, ops / wall, cpu * 1e6 / ops,
	       (unsigned long long)st.deferred_writes, (unsigned long long)st.deferred_folds);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	uint64_t fmib = 64, ops = 2000, sync_every = 0, bs = 4096, fsize, fh;
	const char *dir = "/dev/shm";
	struct argos_open_opts oo = { 0 };
	struct argos_attr a;
	struct tpool tp;
	argos_pool *p;
	uint8_t *buf;
	char why[256];
	bool keep = false;
	int opt, err;

	while ((opt = getopt(argc, argv, "f:n:s:b:d:k")) != -1) {
		switch (opt) {
		case 'f': fmib = strtoull(optarg, NULL, 0); break;
		case 'n': ops = strtoull(optarg, NULL, 0); break;
		case 's': sync_every = strtoull(optarg, NULL, 0); break;
		case 'b': bs = strtoull(optarg, NULL, 0); break;
		case 'd': dir = optarg; break;
		case 'k': keep = true; break;
		default:
			fprintf(stderr, "usage: rw_bench [-f FILE_MIB] [-n OPS] [-s SYNC_EVERY] "
				"[-b BS] [-d DIR] [-k]\n");
			return 2;
		}
	}
	if (!fmib || !ops || !bs || bs > (1u << 20))
		return 2;
	fsize = fmib << 20;
	buf = malloc(1u << 20);
	if (!buf)
		return 1;
	for (size_t i = 0; i < (1u << 20); i++)
		buf[i] = (uint8_t)rnd();
	err = tpool_make(&tp, dir, "rwbench", NMEM, fsize + (256ull << 20), NULL, why,
			 sizeof(why));
	if (!err)
		err = tpool_open(&tp, &oo, &p, why, sizeof(why));
	if (err) {
		fprintf(stderr, "rw_bench: %s\n", why);
		tpool_remove(&tp);
		return 1;
	}
	err = argos_create(p, ARGOS_ROOT_INO, "f", 0100644, O_RDWR, &argos_root_cred, &a, &fh);
	if (err)
		die("create", err);
	for (uint64_t off = 0; off < fsize; off += 1u << 20)
		if ((err = argos_write(p, a.ino, fh, buf, 1u << 20, off)) != 1 << 20)
			die("fill", err < 0 ? err : -EIO);
	if ((err = argos_fsync(p, a.ino, 0)) || (err = argos_pool_checkpoint(p)))
		die("fill sync", err);
	printf("file=%llu MiB bs=%llu ops=%llu sync_every=%llu stripe=%llu\n",
	       (unsigned long long)fmib, (unsigned long long)bs, (unsigned long long)ops,
	       (unsigned long long)sync_every, (unsigned long long)data_stripe_size(p));
	for (int pass = -1; pass < 2; pass++) {
		double t0, c0;

		if (pass < 0) {   /* warm the caches: read the whole file once */
			for (uint64_t off = 0; off < fsize; off += 1u << 20)
				if ((err = argos_read(p, a.ino, fh, buf, 1u << 20, off)) != 1 << 20)
					die("warm-up read", err < 0 ? err : -EIO);
			continue;
		}
		p->defer_off = pass == 0;
		t0 = now_s();
		c0 = cpu_s();
		for (uint64_t i = 0; i < ops; i++) {
			uint64_t off = rnd() % (fsize / bs) * bs;

			err = argos_write(p, a.ino, fh, buf + (i * 4096) % ((1u << 20) - bs), bs, off);
			if (err != (int)bs)
				die("write", err < 0 ? err : -EIO);
			if (sync_every && (i + 1) % sync_every == 0 &&
			    (err = argos_fsync(p, a.ino, 0)))
				die("fsync", err);
		}
		if ((err = argos_fsync(p, a.ino, 0)))
			die("fsync", err);
		report(pass ? "write-on" : "write-off", ops, now_s() - t0, cpu_s() - c0, p);
		t0 = now_s();
		c0 = cpu_s();
		if ((err = argos_pool_checkpoint(p)))
			die("checkpoint", err);
		report(pass ? "ckpt-on" : "ckpt-off", 1, now_s() - t0, cpu_s() - c0, p);
		t0 = now_s();
		c0 = cpu_s();
		for (uint64_t i = 0; i < ops; i++) {
			uint64_t off = rnd() % (fsize / bs) * bs;

			err = argos_read(p, a.ino, fh, buf, bs, off);
			if (err != (int)bs)
				die("read", err < 0 ? err : -EIO);
		}
		report(pass ? "read-on" : "read-off", ops, now_s() - t0, cpu_s() - c0, p);
	}
	argos_release(p, a.ino, fh);
	err = argos_pool_close(p);
	if (err)
		die("close", err);
	if (!keep)
		tpool_remove(&tp);
	else
		printf("images kept in %s\n", tp.dir);
	free(buf);
	return 0;
}
