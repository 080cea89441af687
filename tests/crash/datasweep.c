/*
 * datasweep.c — crash replay of file data: at every crash state of a
 * recorded workload of file writes, every file whose fsync was acknowledged
 * reads back byte-exact, no file holds anything but bytes it was given, and
 * fsck -n finds nothing an unclean shutdown does not leave by design.
 *
 * Description: six sparse images are formatted 4+2 and kept as the base.  A
 * workload, recorded with ARGOSFS_RECORD, writes files through argos_create,
 * argos_write, argos_setattr (size) and argos_fsync in two sessions (the
 * second reopens the pool): files kept inline (at most 3960 bytes), files of
 * one stripe, files of several stripes, overwrites inside and across
 * stripes (small ones inside a stripe kept as DEFER items: overlapping,
 * synced and not, cut by a truncation, folded into a new stripe), appends, truncations down and up, inline files growing into a
 * stripe and stripes shrinking to inline; explicit checkpoints now and then;
 * most steps end with an fsync, some are left unsynced for later steps.
 * Every step makes a new version of one file; the model keeps every version's
 * bytes.  Marks in the log say which version began and which are durable
 * (their fsync returned).
 *
 * The replay applies the log to a copy of the base images, write by write.
 * At each chosen cut two states are checked: every write so far on disk, and
 * only the writes each member has flushed (the unflushed ones reverted).
 * Each state is opened read-only (the journal replayed in memory) and every
 * file is read whole: a file whose version v was acknowledged must be
 * exactly one of the versions v..(last begun) of that file — one whose
 * creation was not acknowledged may also be missing.  When steps were begun
 * after the last acknowledgement, a state may also hold a multi-stripe
 * write half done; then every 4 KiB block (and the size) must come from one
 * of those versions ("mixed" in the summary): never bytes nobody wrote.
 * fsck -n (argos_fsck, forced) must exit 0 or report only CL_RESIDUE
 * findings (the superblock ones only while a superblock write is unflushed).
 * At the end the replayed images must equal the workload's.
 *
 * Usage: datasweep [--quick | --full] [--seed N] [--budget SEC] [--keep] [-v]
 * Without --quick/--full: --full when ARGOS_LONG=1 (every cut), else --quick
 * (cuts sampled over the whole log to fit --budget, 30 s of replay; the first
 * and last cut always).  Exit 0 pass, 1 failure (images kept), 99 could not
 * run.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "crashlib.h"
#include "pool.h"
#include "record.h"
#include "tutil.h"

#define IMG_SIZE  (64ull << 20)
#define JNL_SIZE  (1ull << 20)
#define NFILES    6
#define MAXVER    64
#define BLK       4096u

struct version {
	uint64_t size;
	uint8_t *data;            /* size bytes; NULL for "absent" */
	bool absent;
};

struct mfile {
	char name[32];
	argos_ino_t ino;
	uint64_t fh;
	unsigned nver;            /* versions[0] is "absent" */
	struct version v[MAXVER];
	/* replay */
	unsigned acked, begun;
};

struct pend {
	size_t rec;
	uint8_t *before;
};

struct dsweep {
	bool full, keep;
	int verbose;
	uint64_t seed, rng;
	double budget, t0;
	char dir[512], logpath[600];
	struct cl_images base, live, work;
	struct cl_msgs msgs;
	struct cl_log log;
	struct cl_fsck fsck;
	struct mfile f[NFILES];
	unsigned nsteps;
	uint32_t step_file[1024];  /* global step -> file << 16 | version */
	uint64_t dev_size, journal_off;
	int fd[CL_NMEM];
	struct pend *pend;
	size_t npend, cappend;
	unsigned cut, nwrites;
	uint64_t states, cuts_checked, mixed, residue, absent_ok;
	unsigned failures;
};

static struct dsweep S;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cl_vfatal("datasweep", S.dir, S.keep, fmt, ap);
}

/* ---- the workload --------------------------------------------------------- */

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t r = cl_rand(&S.rng);

		memcpy(p + i, &r, n - i < 8 ? n - i : 8);
	}
}

static void mark(argos_pool *p, uint64_t kind, unsigned step)
{
	int err = record_mark(p, CL_MARK(kind, step));

	if (err)
		die("record_mark: %s", argos_strerror(err));
}

/* A new version of file i: a copy of the last one resized to size. */
static struct version *new_version(unsigned i, uint64_t size)
{
	struct mfile *f = &S.f[i];
	struct version *last = &f->v[f->nver - 1], *v;

	if (f->nver == MAXVER || S.nsteps + 1 >= sizeof(S.step_file) / sizeof(S.step_file[0]))
		die("too many versions");
	v = &f->v[f->nver++];
	v->size = size;
	v->data = calloc(1, size ? size : 1);
	if (!v->data)
		die("out of memory");
	if (!last->absent)
		memcpy(v->data, last->data, last->size < size ? last->size : size);
	S.step_file[++S.nsteps] = i << 16 | (f->nver - 1);
	return v;
}

static void ack(argos_pool *p, unsigned i)
{
	struct mfile *f = &S.f[i];
	int err = argos_fsync(p, f->ino, 0);

	if (err)
		die("fsync %s: %s\n%s", f->name, argos_strerror(err), S.msgs.buf);
	/* the step whose version is the file's last: everything of it durable */
	for (unsigned s = S.nsteps; s > 0; s--)
		if (S.step_file[s] >> 16 == i) {
			mark(p, CL_MARK_ACK, s);
			return;
		}
}

static void wl_write(argos_pool *p, unsigned i, uint64_t off, uint64_t len, bool sync)
{
	struct mfile *f = &S.f[i];
	uint64_t old = f->v[f->nver - 1].size;
	struct version *v = new_version(i, off + len > old ? off + len : old);
	int n;

	fill(v->data + off, len);
	mark(p, CL_MARK_BEGIN, S.nsteps);
	n = argos_write(p, f->ino, f->fh, v->data + off, len, off);
	if (n != (int)len)
		die("write %s at %" PRIu64 " (%" PRIu64 " bytes): %s\n%s", f->name, off, len,
		    argos_strerror(n < 0 ? n : -EIO), S.msgs.buf);
	if (sync)
		ack(p, i);
}

static void wl_truncate(argos_pool *p, unsigned i, uint64_t size, bool sync)
{
	struct mfile *f = &S.f[i];
	struct argos_attr a = { .size = size };
	int err;

	new_version(i, size);
	mark(p, CL_MARK_BEGIN, S.nsteps);
	err = argos_setattr(p, f->ino, &a, ARGOS_SET_SIZE, &argos_root_cred, NULL);
	if (err)
		die("truncate %s to %" PRIu64 ": %s", f->name, size, argos_strerror(err));
	if (sync)
		ack(p, i);
}

static void wl_create(argos_pool *p, unsigned i)
{
	struct mfile *f = &S.f[i];
	struct argos_attr a;
	int err;

	new_version(i, 0);
	mark(p, CL_MARK_BEGIN, S.nsteps);
	err = argos_create(p, ARGOS_ROOT_INO, f->name, 0644, O_RDWR, &argos_root_cred, &a, &f->fh);
	if (err)
		die("create %s: %s", f->name, argos_strerror(err));
	f->ino = a.ino;
}

static argos_pool *wl_open(void)
{
	struct argos_open_opts o = { .log = &S.msgs.log, .commit_ms = 3600000, .ckpt_ms = 3600000 };
	argos_pool *p;
	char why[512];
	int err;

	setenv("ARGOSFS_RECORD", S.logpath, 1);
	err = argos_pool_open(S.live.paths, CL_NMEM, &o, &p, why, sizeof(why));
	unsetenv("ARGOSFS_RECORD");
	if (err)
		die("workload open: %s (%s)\n%s", argos_strerror(err), why, S.msgs.buf);
	return p;
}

static void wl_reopen_handles(argos_pool *p)
{
	for (unsigned i = 0; i < NFILES; i++) {
		int err = argos_open(p, S.f[i].ino, O_RDWR, &S.f[i].fh);

		if (err)
			die("reopen %s: %s", S.f[i].name, argos_strerror(err));
	}
}

static void wl_release(argos_pool *p)
{
	for (unsigned i = 0; i < NFILES; i++)
		argos_release(p, S.f[i].ino, S.f[i].fh);
}

/* The steps meant to be deferred writes (and a fold) were. */
static void check_deferred(argos_pool *p, uint64_t want_folds)
{
	struct argos_pool_status st;
	int err = argos_pool_status(p, &st);

	if (err)
		die("status: %s", argos_strerror(err));
	if (st.deferred_writes < 3 || st.deferred_folds < want_folds)
		die("%" PRIu64 " deferred writes, %" PRIu64 " folds: the deferred steps were not",
		    st.deferred_writes, st.deferred_folds);
}

static void workload(void)
{
	const uint64_t M = 1u << 20;
	argos_pool *p = wl_open();
	int err;

	S.dev_size = p->m[0].sb.device_size;
	S.journal_off = p->m[0].sb.journal_off;
	for (unsigned i = 0; i < NFILES; i++) {
		snprintf(S.f[i].name, sizeof(S.f[i].name), "file%u", i);
		S.f[i].nver = 1;
		S.f[i].v[0].absent = true;
	}
	/* Session 1 */
	for (unsigned i = 0; i < NFILES; i++)
		wl_create(p, i);
	wl_write(p, 0, 0, 100, true);                 /* inline */
	wl_write(p, 1, 0, 3960, true);                /* inline, the largest */
	wl_write(p, 2, 0, 200000, true);              /* one stripe, partial */
	wl_write(p, 3, 0, 2 * M + 12345, true);       /* several stripes */
	wl_write(p, 4, 0, 5000, false);               /* unsynced ... */
	wl_write(p, 4, 5000, 70000, true);            /* ... then synced with the next */
	wl_write(p, 0, 50, 200, true);                /* inline overwrite + extend */
	wl_write(p, 1, 3960, 1, true);                /* inline grows into a stripe */
	wl_write(p, 2, 4096, 8192, true);             /* overwrite inside a stripe */
	wl_write(p, 3, 300000, 4096, true);           /* deferred (DEFER items) */
	wl_write(p, 3, 302000, 3000, false);          /* deferred over it, unsynced */
	wl_write(p, 3, M + 5000, 100, true);          /* deferred, cut by the truncation */
	err = argos_pool_checkpoint(p);
	if (err)
		die("checkpoint: %s", argos_strerror(err));
	wl_write(p, 3, M - 3000, 7000, true);         /* across a stripe boundary */
	wl_truncate(p, 3, M + 777, true);             /* down, mid-stripe */
	wl_write(p, 5, 0, 3 * M, false);              /* full stripes, unsynced */
	wl_truncate(p, 2, 3000, true);                /* a stripe shrinks to inline */
	wl_truncate(p, 0, 100000, true);              /* inline grows by a hole */
	wl_write(p, 5, 3 * M, 4096, true);
	wl_write(p, 4, 0, 75000, false);              /* whole rewrite, unsynced */
	check_deferred(p, 0);
	wl_release(p);
	err = argos_pool_close(p);
	if (err)
		die("close: %s\n%s", argos_strerror(err), S.msgs.buf);

	/* Session 2: reopen, more steps, a crash-free close at the end. */
	p = wl_open();
	wl_reopen_handles(p);
	for (unsigned i = 0; i < NFILES; i++)
		ack(p, i);                                /* all durable after the close */
	wl_write(p, 3, 3 * M, 100, true);             /* append past a hole */
	for (unsigned j = 0; j < 5; j++)              /* deferred, the fifth folds them */
		wl_write(p, 3, j * 61000 + 7, 60000, j >= 3);
	wl_truncate(p, 5, 5 * M, false);              /* up: a hole, unsynced */
	wl_write(p, 5, 4 * M + 100, M, true);         /* into the hole, across stripes */
	wl_write(p, 1, 0, 3961, true);                /* rewrite a one-block stripe */
	wl_truncate(p, 1, 0, true);
	wl_write(p, 1, 0, 1, true);                   /* empty, then inline again */
	err = argos_pool_checkpoint(p);
	if (err)
		die("checkpoint: %s", argos_strerror(err));
	wl_write(p, 2, 0, 3960, false);
	wl_write(p, 0, 4000, 2 * M, false);           /* several unsynced stripes ... */
	wl_write(p, 0, 0, 10, true);                  /* ... synced together */
	wl_write(p, 4, 70000, 3 * M, true);
	wl_truncate(p, 4, 1000, true);
	wl_write(p, 3, 512, 1000, false);             /* left unsynced at close */
	check_deferred(p, 1);
	wl_release(p);
	err = argos_pool_close(p);
	if (err)
		die("close: %s\n%s", argos_strerror(err), S.msgs.buf);
	printf("datasweep: workload: %u files, %u steps, two sessions\n", NFILES, S.nsteps);
}

/* ---- the replay ------------------------------------------------------------ */

static void xpwrite(int m, const void *b, size_t n, uint64_t off)
{
	if (pwrite(S.fd[m], b, n, (off_t)off) != (ssize_t)n)
		die("writing %s: %s", S.work.path[m], strerror(errno));
}

static void xpread(int m, void *b, size_t n, uint64_t off)
{
	if (pread(S.fd[m], b, n, (off_t)off) != (ssize_t)n)
		die("reading %s: %s", S.work.path[m], strerror(errno));
}

static void apply_write(size_t i)
{
	const struct cl_rec *r = &S.log.r[i];
	struct pend *pd;

	if (S.npend == S.cappend) {
		S.cappend = S.cappend ? 2 * S.cappend : 256;
		S.pend = realloc(S.pend, S.cappend * sizeof(*S.pend));
		if (!S.pend)
			die("out of memory");
	}
	pd = &S.pend[S.npend++];
	pd->rec = i;
	pd->before = malloc(r->len ? r->len : 1);
	if (!pd->before)
		die("out of memory");
	xpread(r->member, pd->before, r->len, r->off);
	xpwrite(r->member, r->data, r->len, r->off);
}

static void apply_flush(int member)
{
	size_t k = 0;

	for (size_t i = 0; i < S.npend; i++) {
		if (S.log.r[S.pend[i].rec].member == member) {
			free(S.pend[i].before);
			continue;
		}
		S.pend[k++] = S.pend[i];
	}
	S.npend = k;
}

static bool sb_pending(void)
{
	for (size_t k = 0; k < S.npend; k++) {
		uint64_t off = S.log.r[S.pend[k].rec].off;

		if (off < S.journal_off || off >= S.dev_size - (1u << 20))
			return true;
	}
	return false;
}

/* Read file f whole from the open pool: 0, -ENOENT, or -errno. */
static int read_file(argos_pool *p, const struct mfile *f, uint8_t **data, uint64_t *size)
{
	struct argos_attr a;
	uint64_t fh, off = 0;
	int err = argos_lookup(p, ARGOS_ROOT_INO, f->name, &a);

	*data = NULL;
	if (err)
		return err;
	argos_forget(p, a.ino, 1);
	*size = a.size;
	*data = malloc(a.size ? a.size : 1);
	if (!*data)
		return -ENOMEM;
	err = argos_open(p, a.ino, O_RDONLY, &fh);
	if (err)
		return err;
	while (off < a.size) {
		size_t want = a.size - off > (8u << 20) ? 8u << 20 : (size_t)(a.size - off);
		int n = argos_read(p, a.ino, fh, *data + off, want, off);

		if (n <= 0) {
			err = n < 0 ? n : -EIO;   /* short: the size said more */
			break;
		}
		off += (uint64_t)n;
	}
	argos_release(p, a.ino, fh);
	return err;
}

/* Does (data, size) match a version of f in [lo, hi] exactly, or block by block? */
static int match(const struct mfile *f, unsigned lo, unsigned hi, const uint8_t *data,
		 uint64_t size, bool *mixed, char *why, size_t wl)
{
	bool size_ok = false;

	*mixed = false;
	for (unsigned v = lo; v <= hi; v++)
		if (!f->v[v].absent && f->v[v].size == size) {
			size_ok = true;
			if (!memcmp(f->v[v].data, data, size))
				return 0;
		}
	if (!size_ok) {
		snprintf(why, wl, "size %" PRIu64 " is the size of no version %u..%u", size, lo, hi);
		return -1;
	}
	if (lo == hi) {
		uint64_t at = 0;

		while (at < size && f->v[lo].data[at] == data[at])
			at++;
		snprintf(why, wl, "acknowledged version %u differs at byte %" PRIu64, lo, at);
		return -1;
	}
	for (uint64_t b = 0; b < size; b += BLK) {
		size_t n = size - b < BLK ? size - b : BLK;
		bool ok = false;

		for (unsigned v = lo; v <= hi && !ok; v++) {
			const struct version *x = &f->v[v];
			static const uint8_t zero[BLK];

			if (x->absent)
				continue;
			if (b + n <= x->size)
				ok = !memcmp(x->data + b, data + b, n);
			else if (b >= x->size)
				ok = !memcmp(zero, data + b, n);   /* past it: a hole, zeros */
			else
				ok = !memcmp(x->data + b, data + b, x->size - b) &&
				     !memcmp(zero, data + x->size, n - (x->size - b));
		}
		if (!ok) {
			snprintf(why, wl, "the block at byte %" PRIu64 " is in no version %u..%u", b, lo,
				 hi);
			return -1;
		}
	}
	*mixed = true;
	return 0;
}

static void fail_state(const char *variant, const char *what)
{
	S.failures++;
	S.keep = true;
	printf("FAIL: cut %u of %u, %s: %s\n  (work images kept in %s)\n", S.cut, S.nwrites, variant,
	       what, S.dir);
	printf("datasweep: reproduce: datasweep %s --seed %" PRIu64 "\n",
	       S.full ? "--full" : "--quick", S.seed);
	exit(1);
}

static void check_state(const char *variant)
{
	struct argos_open_opts o = { .flags = ARGOS_OPEN_RDONLY, .log = &S.msgs.log,
				     .commit_ms = 3600000, .ckpt_ms = 3600000 };
	char why[600], msg[5000];
	argos_pool *p;
	int err;

	S.states++;
	cl_msgs_clear(&S.msgs);
	err = argos_pool_open(S.work.paths, CL_NMEM, &o, &p, why, sizeof(why));
	if (err) {
		snprintf(msg, sizeof(msg), "read-only open: %s (%s)\n%s", argos_strerror(err), why,
			 S.msgs.buf);
		fail_state(variant, msg);
	}
	for (unsigned i = 0; i < NFILES; i++) {
		struct mfile *f = &S.f[i];
		unsigned lo = f->acked, hi = f->begun;
		uint8_t *data;
		uint64_t size = 0;
		bool mixed;

		err = read_file(p, f, &data, &size);
		if (err == -ENOENT && lo == 0) {
			/* creation not acknowledged: a missing file is fine */
			S.absent_ok++;
			free(data);
			continue;
		}
		if (err) {
			snprintf(msg, sizeof(msg), "%s (versions %u..%u allowed): %s\n%s", f->name, lo,
				 hi, argos_strerror(err), S.msgs.buf);
			argos_pool_close(p);
			fail_state(variant, msg);
		}
		if (lo == 0)
			lo = 1;
		if (match(f, lo, hi < lo ? lo : hi, data, size, &mixed, why, sizeof(why))) {
			snprintf(msg, sizeof(msg), "%s (versions %u..%u allowed): %s", f->name, lo, hi,
				 why);
			argos_pool_close(p);
			fail_state(variant, msg);
		}
		S.mixed += mixed;
		free(data);
	}
	err = argos_pool_close(p);
	if (err) {
		snprintf(msg, sizeof(msg), "closing the read-only pool: %s", argos_strerror(err));
		fail_state(variant, msg);
	}
	cl_fsck(&S.work, ARGOS_FSCK_CHECK, &S.fsck);
	if (S.fsck.exit_code != 0) {
		if (S.fsck.residue_only && (!S.fsck.sb_residue || sb_pending())) {
			S.residue++;
		} else {
			snprintf(msg, sizeof(msg), "fsck -n exited %d: %s", S.fsck.exit_code, S.fsck.why);
			fail_state(variant, msg);
		}
	}
}

static void check_cut(void)
{
	S.cuts_checked++;
	check_state("every write so far on disk");
	if (!S.npend)
		return;
	/* only what each member flushed: revert the unflushed writes, newest first */
	for (size_t k = S.npend; k-- > 0;) {
		const struct cl_rec *r = &S.log.r[S.pend[k].rec];

		xpwrite(r->member, S.pend[k].before, r->len, r->off);
	}
	check_state("only the flushed writes on disk");
	for (size_t k = 0; k < S.npend; k++) {
		const struct cl_rec *r = &S.log.r[S.pend[k].rec];

		xpwrite(r->member, r->data, r->len, r->off);
	}
}

static bool want_cut(unsigned c)
{
	double left, cost, afford;

	if (S.full || c == 0 || c == S.nwrites)
		return true;
	left = S.budget - (cl_now() - S.t0);
	if (left <= 0)
		return false;
	cost = S.cuts_checked ? (cl_now() - S.t0) / (double)S.cuts_checked : 0.5;
	afford = left / cost;
	return (double)(cl_rand(&S.rng) % 1000000) / 1e6 < afford / (double)(S.nwrites - c + 1);
}

static void replay(void)
{
	unsigned nmarks = 0;

	for (size_t i = 0; i < S.log.n; i++) {
		S.nwrites += S.log.r[i].type == RECORD_WRITE;
		nmarks += S.log.r[i].type == RECORD_MARK;
	}
	printf("datasweep: log: %zu records, %u writes, %u marks\n", S.log.n, S.nwrites, nmarks);
	if (cl_copy_images(&S.base, &S.work))
		die("copying the base images");
	for (int i = 0; i < CL_NMEM; i++) {
		S.fd[i] = open(S.work.path[i], O_RDWR | O_CLOEXEC);
		if (S.fd[i] < 0)
			die("%s: %s", S.work.path[i], strerror(errno));
	}
	S.t0 = cl_now();
	for (size_t rec = 0; rec <= S.log.n; rec++) {
		const struct cl_rec *r = rec < S.log.n ? &S.log.r[rec] : NULL;

		if (!r || r->type == RECORD_WRITE) {
			if (want_cut(S.cut)) {
				check_cut();
				if (S.verbose && S.cuts_checked % 50 == 0)
					printf("  %" PRIu64 " cuts, %.1f s\n", S.cuts_checked,
					       cl_now() - S.t0);
			}
			if (!r)
				break;
			apply_write(rec);
			S.cut++;
			continue;
		}
		if (r->type == RECORD_FLUSH) {
			apply_flush(r->member);
		} else if (r->type == RECORD_MARK) {
			unsigned step = (unsigned)CL_MARK_TXN(r->off);
			struct mfile *f = &S.f[S.step_file[step] >> 16];
			unsigned v = S.step_file[step] & 0xffff;

			if (CL_MARK_KIND(r->off) == CL_MARK_BEGIN && v > f->begun)
				f->begun = v;
			if (CL_MARK_KIND(r->off) == CL_MARK_ACK && v > f->acked)
				f->acked = v;
		}
	}
}

static void compare_live(void)
{
	size_t cap = 1u << 20;
	uint8_t *a = malloc(cap), *b = malloc(cap);

	if (!a || !b)
		die("out of memory");
	for (int i = 0; i < CL_NMEM; i++) {
		int fd = open(S.live.path[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			die("%s: %s", S.live.path[i], strerror(errno));
		for (uint64_t off = 0; off < IMG_SIZE; off += cap) {
			if (pread(fd, a, cap, (off_t)off) != (ssize_t)cap)
				die("reading %s", S.live.path[i]);
			xpread(i, b, cap, off);
			if (memcmp(a, b, cap)) {
				printf("FAIL: after the whole log, member %d differs from the workload's "
				       "image near byte %" PRIu64 ": the recorder missed a write\n", i, off);
				S.failures++;
				break;
			}
		}
		close(fd);
	}
	free(a);
	free(b);
}

int main(int argc, char **argv)
{
	const char *lng = getenv("ARGOS_LONG");
	char why[512];
	double t_start = cl_now();

	setvbuf(stdout, NULL, _IOLBF, 0);
	S.full = lng && !strcmp(lng, "1");
	S.seed = (uint64_t)time(NULL) % 100000;
	S.budget = 30;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			S.full = false;
		else if (!strcmp(argv[i], "--full"))
			S.full = true;
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			S.seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--budget") && i + 1 < argc)
			S.budget = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--keep"))
			S.keep = true;
		else if (!strcmp(argv[i], "-v"))
			S.verbose++;
		else {
			fprintf(stderr, "usage: datasweep [--quick | --full] [--seed N] [--budget SEC] "
				"[--keep] [-v]\n");
			return 99;
		}
	}
	S.rng = S.seed * 0x2545f4914f6cdd1dull + 7;
	printf("datasweep: %s mode, seed %" PRIu64 "\n", S.full ? "full" : "quick", S.seed);
	if (cl_mkdtemp("datasweep", S.dir, sizeof(S.dir)))
		die("cannot create a work directory");
	cl_images_name(&S.base, S.dir, "base");
	cl_images_name(&S.live, S.dir, "live");
	cl_images_name(&S.work, S.dir, "work");
	snprintf(S.logpath, sizeof(S.logpath), "%s/write.log", S.dir);
	cl_msgs_init(&S.msgs, ARGOS_LOG_WARNING);
	if (cl_mkfs(&S.base, IMG_SIZE, JNL_SIZE, why, sizeof(why)))
		die("mkfs: %s", why);
	if (cl_copy_images(&S.base, &S.live))
		die("copying the base images");
	workload();
	if (cl_log_load(S.logpath, &S.log))
		die("%s: cannot read the log", S.logpath);
	if (S.log.torn)
		die("%s: the log is torn (%s)", S.logpath, S.log.why);
	replay();
	compare_live();
	printf("datasweep: %s: %" PRIu64 " of %u cuts checked, %" PRIu64 " states (%" PRIu64
	       " with a multi-stripe write half done, block by block from written versions; %"
	       PRIu64 " files missing before their creation was acknowledged; %" PRIu64
	       " with fsck -n reporting only crash residue); workload + replay %.1f s\n",
	       S.failures ? "FAILED" : "passed", S.cuts_checked, S.nwrites + 1, S.states, S.mixed,
	       S.absent_ok, S.residue, cl_now() - t_start);
	for (int i = 0; i < CL_NMEM; i++)
		if (S.fd[i] > 0)
			close(S.fd[i]);
	for (size_t k = 0; k < S.npend; k++)
		free(S.pend[k].before);
	free(S.pend);
	cl_log_free(&S.log);
	for (unsigned i = 0; i < NFILES; i++)
		for (unsigned v = 0; v < S.f[i].nver; v++)
			free(S.f[i].v[v].data);
	if (S.keep || S.failures)
		printf("datasweep: work directory kept: %s\n", S.dir);
	else
		tutil_rmtree(S.dir);
	return S.failures ? 1 : 0;
}
