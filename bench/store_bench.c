/*
 * store_bench.c — the metadata store at scale: inserts, checkpoint of one
 * change, open time, memory.
 *
 * Usage: store_bench [-n ITEMS] [-b BATCH] [-r REPEATS] [-j JOURNAL_MIB] [-d DIR] [-k]
 *
 * Makes a 4+2 pool of image files sized for the run in a fresh directory
 * (under -d, else /dev/shm when it has room, else $TMPDIR or /tmp), opens it,
 * and inserts ITEMS items shaped like the namespace's: 128-byte inode records
 * (oid = inode number, increasing) and ~60-byte directory entries (oid = one
 * of ITEMS/128 directories, off = a name hash: random order), interleaved,
 * BATCH per transaction, no sync per transaction, one sync at the end.  Then
 * a full checkpoint, then REPEATS times: change one item and time the
 * checkpoint that follows (median and pages written).  Then close and time
 * argos_pool_open() of the closed pool.  -j sets the journal size (mkfs
 * default: member size / 16); a checkpoint runs whenever it is half full.
 * Prints one line of key=value pairs (bench/run-store-bench.sh turns them
 * into a table); -k keeps the images.
 *
 * Not a test: nothing here fails on a number.  It uses engine internals
 * (store_txn) the way the namespace will.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include "ad_items.h"
#include "pool.h"
#include "store.h"
#include "tpool.h"

#define NMEM 6

struct bench {
	uint64_t n, batch, next;
	unsigned repeats;
	uint64_t ndirs;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the whole process (every thread: psync workers, background). */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/* Item i: even = inode record of inode 2 + i/2; odd = an entry in a directory. */
static void item(const struct bench *b, uint64_t i, struct ad_key *k, uint8_t *v, size_t *len)
{
	uint64_t j = i / 2, h = mix(i + 1);

	if (i % 2 == 0) {
		*k = (struct ad_key){ .oid = 2 + j, .type = AD_KT_INODE, .off = 0 };
		*len = AD_INODE_SIZE;
	} else {
		*k = (struct ad_key){ .oid = 2 + 128 * (h % b->ndirs), .type = AD_KT_DIRENT,
				      .off = mix(h) };
		*len = 52 + h % 17;
	}
	for (size_t x = 0; x < *len; x += 8) {     /* v has room past len */
		uint64_t w = h + x;

		memcpy(v + x, &w, 8);
	}
}

static int insert_fn(struct txn *t, void *arg)
{
	struct bench *b = arg;
	uint8_t v[256];

	for (uint64_t i = b->next; i < b->next + b->batch && i < b->n; i++) {
		struct ad_key k;
		size_t len;
		int err;

		item(b, i, &k, v, &len);
		err = txn_put(t, &k, v, len);
		if (err)
			return err;
	}
	return 0;
}

struct one {
	struct bench *b;
	uint64_t i, round;
};

static int change_fn(struct txn *t, void *arg)
{
	struct one *o = arg;
	struct ad_key k;
	uint8_t v[256];
	size_t len;

	item(o->b, o->i, &k, v, &len);
	v[0] ^= (uint8_t)(o->round + 1);
	return txn_put(t, &k, v, len);
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

int main(int argc, char **argv)
{
	struct bench b = { .n = 100000, .batch = 100, .repeats = 9 };
	struct argos_open_opts oo = { .commit_ms = 1000, .ckpt_ms = 3600000 };
	struct argos_mkfs_opts mo = { .k = 4, .m = 2, .m_set = true };
	struct argos_pool_status s;
	struct tpool tp;
	struct rusage ru;
	const char *base = NULL;
	char why[512] = "";
	argos_pool *p = NULL;
	double t0, c0, t_ins, c_ins, t_full, c_full, t_open, *ck;
	uint64_t member, need, *pages, full_pages, height, ckpts_during;
	bool keep = false;
	int opt, err;

	while ((opt = getopt(argc, argv, "n:b:r:j:d:k")) != -1) {
		switch (opt) {
		case 'n': b.n = strtoull(optarg, NULL, 0); break;
		case 'b': b.batch = strtoull(optarg, NULL, 0); break;
		case 'r': b.repeats = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'j': mo.journal_size = strtoull(optarg, NULL, 0) << 20; break;
		case 'd': base = optarg; break;
		case 'k': keep = true; break;
		default:
			fprintf(stderr, "usage: %s [-n ITEMS] [-b BATCH] [-r REPEATS] [-j JOURNAL_MIB] "
				"[-d DIR] [-k]\n", argv[0]);
			return 2;
		}
	}
	if (b.n == 0 || b.batch == 0 || b.repeats == 0) {
		fprintf(stderr, "store_bench: -n, -b and -r must be positive\n");
		return 2;
	}
	b.ndirs = b.n / 128 + 1;
	/* ~3 mirrors x ~200 bytes per item of live pages, as much again for
	 * copy-on-write churn, and the journal (mkfs: member/16). */
	member = (256ull << 20) + b.n * 512;
	need = NMEM * member / 4;
	base = pick_base(base, need);
	ck = calloc(b.repeats, sizeof(*ck));
	pages = calloc(b.repeats, sizeof(*pages));
	if (!ck || !pages)
		return 1;

	err = tpool_make(&tp, base, "bench", NMEM, member, &mo, why, sizeof(why));
	if (!err)
		err = tpool_open(&tp, &oo, &p, why, sizeof(why));
	if (err)
		goto fail;

	t0 = now_s();
	c0 = cpu_s();
	for (b.next = 0; b.next < b.n; b.next += b.batch) {
		err = store_txn(&p->st, insert_fn, &b, 0);
		if (err) {
			snprintf(why, sizeof(why), "insert at %llu", (unsigned long long)b.next);
			goto fail;
		}
	}
	err = argos_pool_sync(p);
	t_ins = now_s() - t0;
	c_ins = cpu_s() - c0;
	argos_pool_status(p, &s);
	ckpts_during = s.checkpoints;
	if (!err) {
		t0 = now_s();
		c0 = cpu_s();
		err = argos_pool_checkpoint(p);
		t_full = now_s() - t0;
		c_full = cpu_s() - c0;
	}
	if (err) {
		snprintf(why, sizeof(why), "sync or first checkpoint");
		goto fail;
	}
	argos_pool_status(p, &s);
	full_pages = s.last_ckpt_pages;
	height = s.tree_height;
	for (unsigned r = 0; r < b.repeats; r++) {
		struct one o = { &b, mix(r + 77) % b.n, r };

		err = store_txn(&p->st, change_fn, &o, 0);
		if (!err) {
			t0 = now_s();
			err = argos_pool_checkpoint(p);
			ck[r] = now_s() - t0;
		}
		if (err) {
			snprintf(why, sizeof(why), "checkpoint %u", r);
			goto fail;
		}
		argos_pool_status(p, &s);
		pages[r] = s.last_ckpt_pages;
	}
	err = argos_pool_close(p);
	p = NULL;
	if (!err) {
		t0 = now_s();
		err = tpool_open(&tp, &oo, &p, why, sizeof(why));
		t_open = now_s() - t0;
	}
	if (err)
		goto fail;
	argos_pool_status(p, &s);
	err = argos_pool_close(p);
	p = NULL;
	if (err)
		goto fail;
	getrusage(RUSAGE_SELF, &ru);
	qsort(ck, b.repeats, sizeof(*ck), cmp_double);
	{
		uint64_t pmin = UINT64_MAX, pmax = 0;

		for (unsigned r = 0; r < b.repeats; r++) {
			pmin = pages[r] < pmin ? pages[r] : pmin;
			pmax = pages[r] > pmax ? pages[r] : pmax;
		}
		printf("items=%llu batch=%llu inserts_per_s=%.0f insert_s=%.2f insert_cpu_s=%.2f ckpts_during_insert=%llu "
		       "full_ckpt_s=%.3f full_ckpt_cpu_s=%.3f full_ckpt_pages=%llu tree_height=%llu "
		       "ckpt1_median_ms=%.2f ckpt1_min_ms=%.2f ckpt1_max_ms=%.2f ckpt1_pages=%llu-%llu "
		       "open_ms=%.1f maxrss_mib=%.1f blocks_used=%llu dir=%s\n",
		       (unsigned long long)b.n, (unsigned long long)b.batch, (double)b.n / t_ins, t_ins, c_ins,
		       (unsigned long long)ckpts_during, t_full, c_full, (unsigned long long)full_pages,
		       (unsigned long long)height, ck[b.repeats / 2] * 1e3, ck[0] * 1e3,
		       ck[b.repeats - 1] * 1e3, (unsigned long long)pmin, (unsigned long long)pmax,
		       t_open * 1e3, (double)ru.ru_maxrss / 1024.0, (unsigned long long)s.blocks_used,
		       tp.dir);
	}
	if (!keep)
		tpool_remove(&tp);
	free(ck);
	free(pages);
	return 0;
fail:
	fprintf(stderr, "store_bench: %s: %s\n", why, argos_strerror(err));
	if (p)
		(void)argos_pool_close(p);
	if (!keep)
		tpool_remove(&tp);
	free(ck);
	free(pages);
	return 1;
}
