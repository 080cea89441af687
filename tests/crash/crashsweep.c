/*
 * crashsweep.c — crash replay: every crash state of a recorded workload must
 * open, hold every acknowledged transaction, hold no half transaction, and
 * pass fsck -n.
 *
 * Description: six sparse images are formatted 4+2 with a small journal and
 * kept as the base.  A workload runs with ARGOSFS_RECORD on, in five
 * sessions: (1) transactions, most of them synchronous, explicit checkpoints
 * and at least one checkpoint forced by a full journal, clean close;
 * (2) buffered transactions whose journal entry reaches the first mirror only
 * (crash point mid-journal-append), abandoned; (3) an open that replays that
 * entry and repairs the other mirrors, more transactions and checkpoints, and
 * a clean close; (4) synchronous transactions and a checkpoint that writes
 * half its pages and fails (crash point mid-checkpoint-pages), abandoned;
 * (5) an open that falls back to the last whole generation and replays the
 * journal, transactions over the failed checkpoint's blocks, a clean close.
 * Marks in the log say which transaction began and which are acknowledged.
 *
 * The replay walks the log once, applying it to working copies of the base
 * images; at each chosen cut (after the first c writes) it also builds states
 * where only a subset of the writes not yet flushed reached the disk, and
 * where the last write is torn at a 512-byte sector boundary (only a prefix
 * of its sectors written, or only a suffix).  Every state is opened read-only
 * (the journal is replayed in memory) and must be the model's state after
 * some transaction between the last acknowledged and the last begun; fsck -n
 * must exit 0, or report only what an unclean shutdown leaves by design
 * (CL_RESIDUE).  A few states are also taken out of the crash on a copy, by a
 * read-write open and close and by fsck -p; both must keep the same
 * transactions, and fsck -n must then exit 0.  At the end the replayed images
 * must equal the workload's own images byte for byte (the recorder missed
 * nothing).
 *
 * Usage: crashsweep [--quick | --full] [--seed N] [--at CUT] [--budget SEC]
 *                   [--keep] [--keep-going] [--strict-fsck] [-v]
 * Without --quick/--full: --full when ARGOS_LONG=1, else --quick.  --quick
 * samples cuts over the whole log to fit --budget (35 s of replay); --full
 * checks every cut with more reorderings and torn sectors; --at checks one
 * cut (the one a failure names; the workload is the same for the same seed).
 * Exit 0 when every state passed, 1 on a failure (the images are kept in a
 * directory it names), 99 when the test itself could not run.
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

#define IMG_SIZE   (48ull << 20)
#define JNL_SIZE   (512ull << 10)
#define SECTOR     512u

struct opts {
	bool     full;
	uint64_t seed;
	unsigned subsets;     /* random subsets per cut when too many to enumerate */
	unsigned enum_max;    /* enumerate every subset up to this many pending writes */
	unsigned torn;        /* torn variants per cut (0: every boundary, bounded) */
	unsigned rw;          /* read-write checks on copies */
	double   budget;      /* quick: seconds for the replay (cuts are sampled to fit) */
	long     at;          /* check only this cut (-1: sample or all) */
	bool     keep, keep_going;
	bool     strict_fsck; /* no exception for an interrupted superblock update */
	int      verbose;
};

/* Where things are on a member (the same on all: the images are equal). */
struct layout {
	uint64_t size, journal_off, journal_len, spacemap_off, spacemap_len, data_off;
};

struct pend {
	size_t   rec;         /* index in the log */
	uint8_t *before;      /* the bytes the write replaced */
};

struct sweep {
	struct opts     o;
	char            dir[512];
	struct cl_images base, live, work, rw;
	char            logpath[600];
	struct layout   lay;
	struct cl_model model;
	struct cl_log   log;
	struct cl_msgs  msgs;
	int             fd[CL_NMEM];
	/* writes not yet flushed on their member, in log order */
	struct pend    *pend;
	size_t          npend, cappend;
	bool            overlap;     /* two pending writes overlap */
	/* replay position */
	size_t          rec;         /* next record */
	unsigned        cut;         /* writes applied */
	unsigned        acked, begun;
	/* results */
	uint64_t        states, variants, reorders, torn, rw_done, cuts_checked;
	uint64_t        residue_states;   /* fsck -n 4 with only crash residue (CL_RESIDUE) */
	unsigned        residue_seen;     /* which codes (bits of CL_RESIDUE) */
	struct cl_fsck  fsck;
	unsigned        nwrites;
	unsigned        failures;
	bool            out_of_time;
	double          t0, t_open, t_fsck;
	uint64_t        rng;
};

static void die(struct sweep *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
static void die(struct sweep *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cl_vfatal("crashsweep", s->dir, s->o.keep, fmt, ap);
}

/* ---- the workload ------------------------------------------------------------ */

static void mark(struct sweep *s, argos_pool *p, uint64_t kind, unsigned t)
{
	int err = record_mark(p, CL_MARK(kind, t));

	if (err)
		die(s, "record_mark: %s", argos_strerror(err));
}

static argos_pool *wl_open(struct sweep *s, const char *crash_point)
{
	struct argos_open_opts o = { .log = &s->msgs.log, .commit_ms = 3600000, .ckpt_ms = 3600000 };
	argos_pool *p;
	char why[512];
	int err;

	setenv("ARGOSFS_RECORD", s->logpath, 1);
	if (crash_point)
		setenv("ARGOSFS_CRASH_POINT", crash_point, 1);
	err = argos_pool_open(s->live.paths, CL_NMEM, &o, &p, why, sizeof(why));
	unsetenv("ARGOSFS_RECORD");
	unsetenv("ARGOSFS_CRASH_POINT");
	if (err)
		die(s, "workload open: %s (%s)\n%s", argos_strerror(err), why, s->msgs.buf);
	return p;
}

static unsigned wl_txn(struct sweep *s, argos_pool *p, bool sync)
{
	unsigned t;
	int err = cl_model_next(&s->model);

	if (err)
		die(s, "model: %s", argos_strerror(err));
	t = s->model.ntxn;
	mark(s, p, CL_MARK_BEGIN, t);
	err = cl_run_txn(p, &s->model, t, sync ? STORE_SYNC : 0);
	if (err)
		die(s, "workload transaction %u: %s\n%s", t, argos_strerror(err), s->msgs.buf);
	if (sync)
		mark(s, p, CL_MARK_ACK, t);
	return t;
}

static void wl_checkpoint(struct sweep *s, argos_pool *p)
{
	int err = argos_pool_checkpoint(p);

	if (err)
		die(s, "workload checkpoint: %s\n%s", argos_strerror(err), s->msgs.buf);
	mark(s, p, CL_MARK_ACK, s->model.ntxn);
}

static void wl_sync_close(struct sweep *s, argos_pool *p)
{
	int err = argos_pool_sync(p);

	if (err)
		die(s, "workload sync: %s", argos_strerror(err));
	mark(s, p, CL_MARK_ACK, s->model.ntxn);
	err = argos_pool_close(p);
	if (err)
		die(s, "workload close: %s\n%s", argos_strerror(err), s->msgs.buf);
}

/* The live pool must hold exactly the model after its last transaction. */
static void wl_expect(struct sweep *s, argos_pool *p, const char *when)
{
	struct cl_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		die(s, "out of memory");
	err = cl_state_read(p, st);
	if (err || cl_state_match(&s->model, st, s->model.ntxn, s->model.ntxn) < 0) {
		char d[1024];

		cl_state_diff(&s->model, st, s->model.ntxn, d, sizeof(d));
		die(s, "workload %s: the pool does not hold the model (%s): %s", when,
		    argos_strerror(err), d);
	}
	free(st);
}

static void workload(struct sweep *s)
{
	uint64_t full_ckpts = 0, ckpts = 0;
	argos_pool *p;
	int err;

	/* Session 1: transactions, explicit checkpoints, a full journal, close. */
	p = wl_open(s, NULL);
	{
		struct pool_member *m = &p->m[0];

		s->lay.size = m->sb.device_size;
		s->lay.journal_off = m->sb.journal_off;
		s->lay.journal_len = m->sb.journal_len;
		s->lay.spacemap_off = m->sb.spacemap_off;
		s->lay.spacemap_len = m->sb.spacemap_len;
		s->lay.data_off = m->sb.data_off;
	}
	for (unsigned i = 0; i < 110; i++) {
		wl_txn(s, p, cl_rand(&s->rng) % 5 != 0);
		if (i == 25 || i == 26)
			wl_checkpoint(s, p);   /* the second one has little to write */
	}
	full_ckpts += p->st.jnl.full_ckpts;
	ckpts += p->st.stats.checkpoints;
	wl_expect(s, p, "session 1");
	wl_sync_close(s, p);

	/* Session 2: buffered transactions, then a sync; the first journal
	 * write (the sync's, or one a full buffer starts) reaches mirror 0 only
	 * and fails with EIO; the pool is abandoned. */
	p = wl_open(s, "mid-journal-append");
	for (unsigned i = 0; i < 4; i++) {
		unsigned t;

		err = cl_model_next(&s->model);
		if (err)
			die(s, "model: %s", argos_strerror(err));
		t = s->model.ntxn;
		mark(s, p, CL_MARK_BEGIN, t);
		err = cl_run_txn(p, &s->model, t, i == 3 ? STORE_SYNC : 0);
		if (err == -EIO)
			break;
		if (err)
			die(s, "session 2, transaction %u: %s", t, argos_strerror(err));
	}
	if (err != -EIO)
		die(s, "session 2: the crash point should fail the sync with EIO, got %s",
		    argos_strerror(err));
	p->st.err = -EIO;          /* abandoned: nothing more is written */
	argos_pool_close(p);

	/* Session 3: replay from mirror 0, repair the others, go on, close. */
	p = wl_open(s, NULL);
	if (p->replay.entries != 1)
		die(s, "session 3 replayed %" PRIu64 " entries, expected 1", p->replay.entries);
	wl_expect(s, p, "session 3 open");
	mark(s, p, CL_MARK_ACK, s->model.ntxn);    /* repaired and in generation */
	for (unsigned i = 0; i < 40; i++) {
		wl_txn(s, p, cl_rand(&s->rng) % 4 != 0);
		if (i == 20)
			wl_checkpoint(s, p);
	}
	full_ckpts += p->st.jnl.full_ckpts;
	ckpts += p->st.stats.checkpoints;
	wl_expect(s, p, "session 3");
	wl_sync_close(s, p);

	/* Session 4: synchronous transactions, then a checkpoint that writes
	 * half of its pages and fails (crash point mid-checkpoint-pages). */
	p = wl_open(s, "mid-checkpoint-pages");
	for (unsigned i = 0; i < 12; i++)
		wl_txn(s, p, true);
	err = argos_pool_checkpoint(p);
	if (err != -EIO)
		die(s, "session 4: the crash point should fail the checkpoint with EIO, got %s",
		    argos_strerror(err));
	p->st.err = -EIO;
	argos_pool_close(p);

	/* Session 5: back to the last whole generation, replay session 4's
	 * journal, write over the blocks of the failed checkpoint, close. */
	p = wl_open(s, NULL);
	wl_expect(s, p, "session 5 open");
	for (unsigned i = 0; i < 20; i++) {
		wl_txn(s, p, cl_rand(&s->rng) % 4 != 0);
		if (i == 10)
			wl_checkpoint(s, p);
	}
	ckpts += p->st.stats.checkpoints;
	wl_expect(s, p, "session 5");
	wl_sync_close(s, p);
	if (full_ckpts == 0)
		die(s, "the workload never filled the journal (no checkpoint triggered by it)");
	printf("crashsweep: workload: %u transactions, %" PRIu64 " checkpoints (%" PRIu64
	       " by a full journal) + 3 at close\n", s->model.ntxn, ckpts, full_ckpts);
}

/* ---- describing writes --------------------------------------------------------- */

static const char *region(const struct sweep *s, uint64_t off)
{
	const struct layout *l = &s->lay;

	if (off < l->journal_off || off >= l->size - (1u << 20))
		return "superblock";
	if (off < l->journal_off + l->journal_len)
		return "journal";
	if (off < l->spacemap_off + l->spacemap_len)
		return "space map";
	return "metadata page";
}

static void describe_rec(const struct sweep *s, size_t i, char *out, size_t len)
{
	const struct cl_rec *r = &s->log.r[i];

	switch (r->type) {
	case RECORD_WRITE:
		snprintf(out, len, "record %zu: write member %d offset %" PRIu64 " length %u (%s)", i,
			 r->member, r->off, r->len, region(s, r->off));
		break;
	case RECORD_FLUSH:
		snprintf(out, len, "record %zu: flush member %d", i, r->member);
		break;
	case RECORD_MARK:
		snprintf(out, len, "record %zu: mark %llu txn %llu", i,
			 (unsigned long long)CL_MARK_KIND(r->off), (unsigned long long)CL_MARK_TXN(r->off));
		break;
	default:
		snprintf(out, len, "record %zu: pool open", i);
	}
}

/* ---- working images ------------------------------------------------------------------ */

static void xpwrite(struct sweep *s, int member, const void *buf, size_t len, uint64_t off)
{
	if (pwrite(s->fd[member], buf, len, (off_t)off) != (ssize_t)len)
		die(s, "writing %s: %s", s->work.path[member], strerror(errno));
}

static void xpread(struct sweep *s, int member, void *buf, size_t len, uint64_t off)
{
	if (pread(s->fd[member], buf, len, (off_t)off) != (ssize_t)len)
		die(s, "reading %s: %s", s->work.path[member], strerror(errno));
}

static void open_work(struct sweep *s)
{
	if (cl_copy_images(&s->base, &s->work))
		die(s, "copying the base images");
	for (int i = 0; i < CL_NMEM; i++) {
		s->fd[i] = open(s->work.path[i], O_RDWR | O_CLOEXEC);
		if (s->fd[i] < 0)
			die(s, "%s: %s", s->work.path[i], strerror(errno));
	}
}

static void apply_write(struct sweep *s, size_t i)
{
	const struct cl_rec *r = &s->log.r[i];
	struct pend *pd;

	if (s->npend == s->cappend) {
		s->cappend = s->cappend ? 2 * s->cappend : 256;
		s->pend = realloc(s->pend, s->cappend * sizeof(*s->pend));
		if (!s->pend)
			die(s, "out of memory");
	}
	for (size_t k = 0; k < s->npend; k++) {
		const struct cl_rec *o = &s->log.r[s->pend[k].rec];

		if (o->member == r->member && o->off < r->off + r->len && r->off < o->off + o->len)
			s->overlap = true;
	}
	pd = &s->pend[s->npend++];
	pd->rec = i;
	pd->before = malloc(r->len ? r->len : 1);
	if (!pd->before)
		die(s, "out of memory");
	xpread(s, r->member, pd->before, r->len, r->off);
	xpwrite(s, r->member, r->data, r->len, r->off);
}

static void apply_flush(struct sweep *s, int member)
{
	size_t k = 0;

	for (size_t i = 0; i < s->npend; i++) {
		if (s->log.r[s->pend[i].rec].member == member) {
			free(s->pend[i].before);
			continue;
		}
		s->pend[k++] = s->pend[i];
	}
	s->npend = k;
	s->overlap = false;
	for (size_t i = 0; i < s->npend && !s->overlap; i++)
		for (size_t j = i + 1; j < s->npend; j++) {
			const struct cl_rec *a = &s->log.r[s->pend[i].rec], *b = &s->log.r[s->pend[j].rec];

			if (a->member == b->member && a->off < b->off + b->len && b->off < a->off + a->len) {
				s->overlap = true;
				break;
			}
		}
}

/* Make only the pending writes in keep[] present (all others reverted). */
static void set_subset(struct sweep *s, const uint8_t *keep)
{
	if (!s->overlap) {
		for (size_t k = 0; k < s->npend; k++)
			if (!keep[k]) {
				const struct cl_rec *r = &s->log.r[s->pend[k].rec];

				xpwrite(s, r->member, s->pend[k].before, r->len, r->off);
			}
		return;
	}
	/* Overlapping writes: back to the state before all of them, then replay. */
	for (size_t k = s->npend; k-- > 0;) {
		const struct cl_rec *r = &s->log.r[s->pend[k].rec];

		xpwrite(s, r->member, s->pend[k].before, r->len, r->off);
	}
	for (size_t k = 0; k < s->npend; k++)
		if (keep[k]) {
			const struct cl_rec *r = &s->log.r[s->pend[k].rec];

			xpwrite(s, r->member, r->data, r->len, r->off);
		}
}

/* Back to every pending write present. */
static void unset_subset(struct sweep *s, const uint8_t *keep)
{
	if (!s->overlap) {
		for (size_t k = 0; k < s->npend; k++)
			if (!keep[k]) {
				const struct cl_rec *r = &s->log.r[s->pend[k].rec];

				xpwrite(s, r->member, r->data, r->len, r->off);
			}
		return;
	}
	for (size_t k = s->npend; k-- > 0;) {
		const struct cl_rec *r = &s->log.r[s->pend[k].rec];

		xpwrite(s, r->member, s->pend[k].before, r->len, r->off);
	}
	for (size_t k = 0; k < s->npend; k++) {
		const struct cl_rec *r = &s->log.r[s->pend[k].rec];

		xpwrite(s, r->member, r->data, r->len, r->off);
	}
}

/* ---- checking one state ----------------------------------------------------------------- */

static void keep_failed_state(struct sweep *s, char *kept, size_t len)
{
	struct cl_images f;
	char d[600];

	snprintf(d, sizeof(d), "%s/failed-%u", s->dir, s->failures);
	if (mkdir(d, 0700) < 0 && errno != EEXIST) {
		snprintf(kept, len, "(could not keep the images: %s)", strerror(errno));
		return;
	}
	cl_images_name(&f, d, "img");
	if (cl_copy_images(&s->work, &f))
		snprintf(kept, len, "(could not copy the images)");
	else
		snprintf(kept, len, "%s/img0..%d", d, CL_NMEM - 1);
}

static void fail_state(struct sweep *s, const char *variant, const char *what)
{
	char at[256] = "(base images)", kept[700];

	if (s->cut > 0) {
		size_t i = s->rec;

		/* The last write applied: the record before the next write. */
		while (i-- > 0)
			if (s->log.r[i].type == RECORD_WRITE)
				break;
		describe_rec(s, i, at, sizeof(at));
	}
	s->failures++;
	s->o.keep = true;
	keep_failed_state(s, kept, sizeof(kept));
	printf("FAIL: cut %u (after %s; acknowledged txn %u, begun %u), %s:\n  %s\n  images: %s\n",
	       s->cut, at, s->acked, s->begun, variant, what, kept);
	fflush(stdout);
	if (!s->o.keep_going || s->failures >= 20) {
		printf("crashsweep: stopped at the first failure; work directory kept: %s\n"
		       "  reproduce: crashsweep %s --seed %" PRIu64 "\n", s->dir,
		       s->o.full ? "--full" : "--quick", s->o.seed);
		exit(1);
	}
}

/*
 * The two ways out of a crash state, each on a copy of it: a read-write open
 * (replay, journal mirror repair, a new generation) and a clean close; and
 * fsck -p.  Either must leave the state after the same transaction j, and
 * fsck -n must then exit 0 with no exception.
 */
static void check_rw(struct sweep *s, const char *variant, long j)
{
	char why[4096], msg[4400], v[600];
	long j2 = -1;

	s->rw_done++;
	for (int way = 0; way < 2; way++) {
		snprintf(v, sizeof(v), "%s, then %s on a copy", variant,
			 way ? "fsck -p" : "a read-write open and close");
		if (cl_copy_images(&s->work, &s->rw))
			die(s, "copying images for a read-write check");
		cl_msgs_clear(&s->msgs);
		if (way == 0) {
			if (cl_check_open(&s->rw, 0, &s->model, (unsigned)j, (unsigned)j, &s->msgs,
					  &j2, why, sizeof(why))) {
				snprintf(msg, sizeof(msg), "read-write open: %s", why);
				goto fail;
			}
		} else {
			cl_fsck(&s->rw, ARGOS_FSCK_PREEN, &s->fsck);
			if (s->fsck.exit_code > ARGOS_FSCK_CORRECTED) {
				snprintf(msg, sizeof(msg), "fsck -p exited %d: %s", s->fsck.exit_code,
					 s->fsck.why);
				goto fail;
			}
		}
		cl_fsck(&s->rw, ARGOS_FSCK_CHECK, &s->fsck);
		if (s->fsck.exit_code != 0) {
			snprintf(msg, sizeof(msg), "fsck -n then exited %d: %s", s->fsck.exit_code,
				 s->fsck.why);
			goto fail;
		}
		cl_msgs_clear(&s->msgs);
		if (cl_check_open(&s->rw, ARGOS_OPEN_RDONLY, &s->model, (unsigned)j, (unsigned)j,
				  &s->msgs, &j2, why, sizeof(why))) {
			snprintf(msg, sizeof(msg), "a read-only open then: %s", why);
			goto fail;
		}
	}
	return;
fail:
	fail_state(s, v, msg);
}

/* Is a superblock write still waiting for its flush (the update in flight)? */
static bool sb_update_pending(const struct sweep *s)
{
	for (size_t k = 0; k < s->npend; k++)
		if (!strcmp(region(s, s->log.r[s->pend[k].rec].off), "superblock"))
			return true;
	return false;
}

/* Check the working images as they are now.  Returns the j found (or -1). */
static long check_state(struct sweep *s, const char *variant, bool rw)
{
	char why[4096];
	long j = -1;
	double t;
	int err;

	if (s->out_of_time)
		return -1;
	cl_msgs_clear(&s->msgs);
	t = cl_now();
	err = cl_check_open(&s->work, ARGOS_OPEN_RDONLY, &s->model, s->acked, s->begun, &s->msgs,
			    &j, why, sizeof(why));
	s->t_open += cl_now() - t;
	s->states++;
	if (err) {
		fail_state(s, variant, why);
		return -1;
	}
	t = cl_now();
	cl_fsck(&s->work, ARGOS_FSCK_CHECK, &s->fsck);
	s->t_fsck += cl_now() - t;
	if (s->fsck.exit_code != 0 && s->fsck.residue_only && !s->o.strict_fsck &&
	    (!s->fsck.sb_residue || sb_update_pending(s))) {
		/* docs/testing.md: fsck -n reports what an unclean shutdown leaves
		 * by design (the next open or fsck -p completes it); nothing else. */
		s->residue_states++;
		s->residue_seen |= s->fsck.residue_seen;
	} else if (s->fsck.exit_code != 0) {
		char msg[4200];

		snprintf(msg, sizeof(msg), "fsck -n exited %d: %s", s->fsck.exit_code, s->fsck.why);
		fail_state(s, variant, msg);
		return -1;
	}
	if (s->o.verbose > 1)
		printf("  cut %u %s: after txn %ld\n", s->cut, variant, j);
	if (rw)
		check_rw(s, variant, j);
	return j;
}

/* The read-write check goes to the first state that takes it. */
static bool take(bool *rw)
{
	bool r = *rw;

	*rw = false;
	return r;
}

/* Does the last write applied still wait for a flush?  Its index in pend. */
static long last_pending(const struct sweep *s)
{
	size_t last = s->rec;

	while (last-- > 0)
		if (s->log.r[last].type == RECORD_WRITE)
			break;
	if (s->cut == 0 || !s->npend || s->pend[s->npend - 1].rec != last)
		return -1;
	return (long)s->npend - 1;
}

static void check_torn(struct sweep *s, long lp, bool *rw)
{
	const struct cl_rec *r = &s->log.r[s->pend[lp].rec];
	const uint8_t *before = s->pend[lp].before;
	unsigned nsec = r->len / SECTOR, *cuts, ncuts = 0;
	char v[200];

	if (nsec < 2)
		return;
	cuts = calloc(nsec + 2, sizeof(*cuts));
	if (!cuts)
		die(s, "out of memory");
	if (s->o.full && !strcmp(region(s, r->off), "superblock")) {
		/* Superblock areas: every sector boundary (inside the superblock
		 * block, between it and the member table, inside the table). */
		for (unsigned b = 1; b < nsec; b++)
			cuts[ncuts++] = b;
	} else if (s->o.full) {
		/* Elsewhere a torn 4 KiB block fails its checksum wherever the tear
		 * is: every 4 KiB boundary (up to 16) and two sector boundaries. */
		for (unsigned b = 8; b < nsec && ncuts < 16; b += 8)
			cuts[ncuts++] = b;
		for (unsigned k = 0; k < 2; k++)
			cuts[ncuts++] = 1 + (unsigned)(cl_rand(&s->rng) % (nsec - 1));
	} else {
		for (unsigned k = 0; k < s->o.torn; k++)
			cuts[ncuts++] = 1 + (unsigned)(cl_rand(&s->rng) % (nsec - 1));
	}
	for (unsigned k = 0; k < ncuts && !s->out_of_time; k++) {
		size_t at = (size_t)cuts[k] * SECTOR;

		/* Prefix: sectors [0, b) written, the rest as before. */
		xpwrite(s, r->member, before + at, r->len - at, r->off + at);
		snprintf(v, sizeof(v), "write torn: only its first %u of %u sectors written", cuts[k],
			 nsec);
		check_state(s, v, take(rw));
		xpwrite(s, r->member, r->data + at, r->len - at, r->off + at);
		/* Suffix: sectors [b, n) written. */
		xpwrite(s, r->member, before, at, r->off);
		snprintf(v, sizeof(v), "write torn: only its last %u of %u sectors written",
			 nsec - cuts[k], nsec);
		check_state(s, v, false);
		xpwrite(s, r->member, r->data, at, r->off);
		s->torn += 2;
		s->variants += 2;
	}
	free(cuts);
}

static void describe_subset(const struct sweep *s, const uint8_t *keep, char *out, size_t len)
{
	size_t used = (size_t)snprintf(out, len, "reordered: of %zu unflushed writes only", s->npend);
	unsigned shown = 0, n = 0;

	for (size_t k = 0; k < s->npend; k++)
		if (keep[k]) {
			n++;
			if (shown++ < 12 && used + 1 < len)
				used += (size_t)snprintf(out + used, len - used, " #%zu", s->pend[k].rec);
		}
	if (used + 1 < len)
		snprintf(out + used, len - used, "%s (%u) reached the disk", shown > 12 ? " ..." : "",
			 n);
}

/* Only the pending writes in keep[] on disk: check, and put them all back. */
static void check_subset(struct sweep *s, const uint8_t *keep, bool *rw)
{
	char v[400];

	set_subset(s, keep);
	describe_subset(s, keep, v, sizeof(v));
	check_state(s, v, take(rw));
	unset_subset(s, keep);
	s->reorders++;
	s->variants++;
}

/*
 * Check cut s->cut: all pending writes present, then subsets of them, then
 * the last write torn.  only_with_last: the subsets without the last write
 * were checked at the previous cut already (nothing flushed or marked since).
 */
static void check_cut(struct sweep *s, bool only_with_last, bool rw)
{
	long lp = last_pending(s);
	uint8_t *keep;

	s->cuts_checked++;
	check_state(s, "all unflushed writes on disk", s->npend ? false : take(&rw));
	if (!s->npend || s->out_of_time)
		goto torn;
	keep = calloc(s->npend, 1);
	if (!keep)
		die(s, "out of memory");
	if (s->npend <= s->o.enum_max) {
		uint64_t all = (1ull << s->npend) - 1;

		for (uint64_t mask = 0; mask < all && !s->out_of_time; mask++) {
			if (only_with_last && lp >= 0 && !(mask >> lp & 1))
				continue;
			for (size_t k = 0; k < s->npend; k++)
				keep[k] = mask >> k & 1;
			check_subset(s, keep, &rw);
		}
	} else {
		for (unsigned n = 0; n < s->o.subsets && !s->out_of_time; n++) {
			/* Random subsets of varying density; the first keeps none. */
			unsigned density = n == 0 ? 0 : (unsigned)(cl_rand(&s->rng) % 101);

			for (size_t k = 0; k < s->npend; k++)
				keep[k] = cl_rand(&s->rng) % 100 < density;
			check_subset(s, keep, &rw);
		}
	}
	free(keep);
torn:
	if (lp >= 0 && !s->out_of_time)
		check_torn(s, lp, &rw);
	if (take(&rw))   /* no variant took it */
		check_state(s, "all unflushed writes on disk", true);
	/* want_cut() keeps quick mode inside its budget; this only stops a
	 * machine so slow that even the sampling cannot keep up. */
	if (!s->o.full && s->o.at < 0 && cl_now() - s->t0 > 2 * s->o.budget)
		s->out_of_time = true;
}

/* ---- the replay ------------------------------------------------------------------------ */

/*
 * How much a cut is worth checking when not every cut can be: 4 when its
 * last write is a superblock copy (a generation in flight), 3 just before a
 * flush (the most writes unflushed), 2 after a mark (more transactions
 * acknowledged), 1 otherwise.
 */
static void weigh_cuts(struct sweep *s, unsigned nwrites, uint8_t *w)
{
	unsigned c = 0;

	memset(w, 1, nwrites + 1);
	for (size_t i = 0; i < s->log.n; i++) {
		const struct cl_rec *r = &s->log.r[i];

		if (r->type == RECORD_MARK && w[c] < 2)
			w[c] = 2;
		if (r->type != RECORD_WRITE)
			continue;
		c++;
		if (!strcmp(region(s, r->off), "superblock"))
			w[c] = 4;
		else if (i + 1 < s->log.n && s->log.r[i + 1].type == RECORD_FLUSH)
			w[c] = 3;
	}
}

/*
 * Quick mode: sample cuts along the whole log within the time budget.  The
 * chance of checking cut c is its weight times the cuts the remaining time
 * affords (at the average cost so far) over the weight still ahead, so the
 * budget is spread over the whole log whatever the machine's speed; the
 * first and the last cut are always checked.
 */
static bool want_cut(struct sweep *s, unsigned c, unsigned nwrites, const uint8_t *w,
		     uint64_t weight_ahead, double *spent)
{
	double left, afford, cost;

	if (s->o.full || c == 0 || c == nwrites)
		return true;
	left = s->o.budget - (cl_now() - s->t0);
	if (left <= 0)
		return false;
	cost = s->cuts_checked ? *spent / (double)s->cuts_checked : 0.2;
	afford = left / cost;
	return (double)(cl_rand(&s->rng) % 1000000) / 1e6 <
	       afford * w[c] / (double)(weight_ahead ? weight_ahead : 1);
}

static void replay(struct sweep *s)
{
	unsigned nwrites = 0, nflush = 0, nmarks = 0, nopen = 0, rw_next = 0;
	uint8_t *w;
	uint64_t weight_ahead = 0;
	double spent = 0;
	bool changed = true;    /* flush or mark since the previous checked cut */
	bool prev_checked = false;

	for (size_t i = 0; i < s->log.n; i++) {
		nwrites += s->log.r[i].type == RECORD_WRITE;
		nflush += s->log.r[i].type == RECORD_FLUSH;
		nmarks += s->log.r[i].type == RECORD_MARK;
		nopen += s->log.r[i].type == RECORD_OPEN;
	}
	printf("crashsweep: log: %zu records: %u writes, %u flushes, %u marks, %u opens\n",
	       s->log.n, nwrites, nflush, nmarks, nopen);
	if (nopen != 5)
		die(s, "the log holds %u pool opens, expected 5", nopen);
	w = malloc(nwrites + 1);
	if (!w)
		die(s, "out of memory");
	weigh_cuts(s, nwrites, w);
	for (unsigned c = 0; c <= nwrites; c++)
		weight_ahead += w[c];
	open_work(s);
	s->t0 = cl_now();
	for (s->rec = 0; s->rec <= s->log.n; s->rec++) {
		const struct cl_rec *r = s->rec < s->log.n ? &s->log.r[s->rec] : NULL;

		if (!r || r->type == RECORD_WRITE) {
			/* The state after s->cut writes and what followed them.  The
			 * read-write checks go to the first cuts checked past evenly
			 * spaced points of the log. */
			bool rw = rw_next < s->o.rw &&
				  s->cut >= (uint64_t)(2 * rw_next + 1) * nwrites / (2 * s->o.rw);

			if (!s->out_of_time && (s->o.at < 0 ? want_cut(s, s->cut, nwrites, w,
								       weight_ahead, &spent)
							    : s->cut == (unsigned)s->o.at)) {
				double t = cl_now();

				check_cut(s, prev_checked && !changed, rw);
				spent += cl_now() - t;
				rw_next += rw;
				prev_checked = true;
				changed = false;
				if (s->o.verbose && s->cuts_checked % 100 == 0)
					printf("  %" PRIu64 " cuts, %" PRIu64 " states, %.1f s\n",
					       s->cuts_checked, s->states, cl_now() - s->t0);
			} else {
				prev_checked = false;
			}
			weight_ahead -= w[s->cut];
			if (!r)
				break;
			apply_write(s, s->rec);
			s->cut++;
			continue;
		}
		switch (r->type) {
		case RECORD_FLUSH:
			apply_flush(s, r->member);
			changed = true;
			break;
		case RECORD_MARK:
			if (CL_MARK_KIND(r->off) == CL_MARK_ACK && CL_MARK_TXN(r->off) > s->acked)
				s->acked = (unsigned)CL_MARK_TXN(r->off);
			if (CL_MARK_KIND(r->off) == CL_MARK_BEGIN && CL_MARK_TXN(r->off) > s->begun)
				s->begun = (unsigned)CL_MARK_TXN(r->off);
			changed = true;
			break;
		}
	}
	s->nwrites = nwrites;
	free(w);
}

/* The replayed images must equal the workload's: the log missed no write. */
static void compare_live(struct sweep *s)
{
	size_t cap = 1u << 20;
	uint8_t *a = malloc(cap), *b = malloc(cap);

	if (!a || !b)
		die(s, "out of memory");
	for (int i = 0; i < CL_NMEM; i++) {
		int fd = open(s->live.path[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			die(s, "%s: %s", s->live.path[i], strerror(errno));
		for (uint64_t off = 0; off < IMG_SIZE; off += cap) {
			if (pread(fd, a, cap, (off_t)off) != (ssize_t)cap)
				die(s, "reading %s", s->live.path[i]);
			xpread(s, i, b, cap, off);
			if (memcmp(a, b, cap)) {
				size_t k = 0;

				while (a[k] == b[k])
					k++;
				printf("FAIL: after the whole log, member %d differs from the workload's "
				       "image at byte %" PRIu64 ": the recorder missed a write\n", i,
				       off + k);
				s->failures++;
				break;
			}
		}
		close(fd);
	}
	free(a);
	free(b);
}

static void usage(void)
{
	fprintf(stderr, "usage: crashsweep [--quick | --full] [--seed N] [--at CUT] [--budget SEC] "
		"[--keep] [--keep-going] [--strict-fsck] [-v]\n");
	exit(99);
}

int main(int argc, char **argv)
{
	struct sweep *s = calloc(1, sizeof(*s));
	const char *lng = getenv("ARGOS_LONG");
	char why[512];
	double t_start = cl_now(), t_wl;
	int rc;

	if (!s)
		return 99;
	setvbuf(stdout, NULL, _IOLBF, 0);
	s->o.full = lng && !strcmp(lng, "1");
	s->o.seed = (uint64_t)time(NULL) % 100000;
	s->o.at = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			s->o.full = false;
		} else if (!strcmp(argv[i], "--full")) {
			s->o.full = true;
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			s->o.seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--at") && i + 1 < argc) {
			s->o.at = strtol(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--budget") && i + 1 < argc) {
			s->o.budget = strtod(argv[++i], NULL);
		} else if (!strcmp(argv[i], "--keep")) {
			s->o.keep = true;
		} else if (!strcmp(argv[i], "--strict-fsck")) {
			s->o.strict_fsck = true;
		} else if (!strcmp(argv[i], "--keep-going")) {
			s->o.keep_going = true;
		} else if (!strcmp(argv[i], "-v")) {
			s->o.verbose++;
		} else {
			usage();
		}
	}
	if (s->o.full) {
		s->o.subsets = s->o.subsets ? s->o.subsets : 12;
		s->o.enum_max = 6;
		s->o.rw = 40;
	} else {
		s->o.subsets = 3;
		s->o.enum_max = 3;
		s->o.torn = 1;
		s->o.rw = 5;
		if (s->o.budget == 0)
			s->o.budget = 35;
	}
	s->rng = s->o.seed * 0x2545f4914f6cdd1dull + 1;
	printf("crashsweep: %s mode, seed %" PRIu64 "\n", s->o.full ? "full" : "quick", s->o.seed);
	fflush(stdout);
	if (cl_mkdtemp("crashsweep", s->dir, sizeof(s->dir)))
		die(s, "cannot create a work directory");
	cl_images_name(&s->base, s->dir, "base");
	cl_images_name(&s->live, s->dir, "live");
	cl_images_name(&s->work, s->dir, "work");
	cl_images_name(&s->rw, s->dir, "rw");
	snprintf(s->logpath, sizeof(s->logpath), "%s/write.log", s->dir);
	cl_msgs_init(&s->msgs, ARGOS_LOG_WARNING);
	if (cl_model_init(&s->model, s->o.seed))
		die(s, "out of memory");
	if (cl_mkfs(&s->base, IMG_SIZE, JNL_SIZE, why, sizeof(why)))
		die(s, "mkfs: %s", why);
	if (cl_copy_images(&s->base, &s->live))
		die(s, "copying the base images");

	workload(s);
	t_wl = cl_now() - t_start;
	if (cl_log_load(s->logpath, &s->log))
		die(s, "%s: cannot read the log", s->logpath);
	if (s->log.torn)
		die(s, "%s: the log is torn (%s) although the workload ended cleanly", s->logpath,
		    s->log.why);
	replay(s);
	compare_live(s);
	printf("crashsweep: %s: %" PRIu64 " cuts checked, %" PRIu64 " states (%" PRIu64
	       " variants: %" PRIu64 " reorderings, %" PRIu64 " torn writes), %" PRIu64
	       " read-write reopens; workload %.1f s, replay %.1f s%s\n",
	       s->failures ? "FAILED" : "passed", s->cuts_checked, s->states, s->variants,
	       s->reorders, s->torn, s->rw_done, t_wl, cl_now() - s->t0,
	       s->out_of_time ? " (stopped at the time budget: later cuts not checked)" : "");
	if (s->o.verbose && s->states)
		printf("crashsweep: per state: %.1f ms to open read-only and read, %.1f ms fsck -n\n",
		       1000 * s->t_open / (double)s->states, 1000 * s->t_fsck / (double)s->states);
	if (s->residue_states) {
		printf("crashsweep: %" PRIu64 " states: fsck -n exit 4 with only what an unclean "
		       "shutdown leaves (", s->residue_states);
		for (unsigned i = 0, n = 0; cl_residue_name(i); i++)
			if (s->residue_seen >> i & 1)
				printf("%s%s", n++ ? ", " : "", cl_residue_name(i));
		printf("), accepted: the next open or fsck -p completes it (--strict-fsck fails "
		       "them)\n");
	}
	for (int i = 0; i < CL_NMEM; i++)
		if (s->fd[i] > 0)
			close(s->fd[i]);
	for (size_t k = 0; k < s->npend; k++)
		free(s->pend[k].before);
	free(s->pend);
	cl_log_free(&s->log);
	cl_model_free(&s->model);
	if (s->o.keep || s->failures)
		printf("crashsweep: work directory kept: %s\n", s->dir);
	else
		tutil_rmtree(s->dir);
	rc = s->failures ? 1 : 0;
	free(s);
	return rc;
}
