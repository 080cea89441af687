/*
 * test_journal.c — the write-ahead journal (engine/journal.c) on image files.
 *
 * Description: three small image files opened with dev_open serve as the
 * journal mirrors.  Transactions (PUT/DEL operations whose keys name the
 * transaction) are appended and synced, then a fresh journal over the same
 * files replays them, and the replayed transactions are compared with what
 * was written.  Cases: round trip and appending after replay; a last entry
 * torn at every 512-byte boundary (over zeros and over old bytes); replaying
 * twice; a journal left by an earlier mkfs (other seed) or another
 * checkpoint (other sequence); WRAP entries at the region end; mirrors that
 * disagree (the longest chain wins, journal_repair_mirrors makes the others
 * equal); a sequence gap; group commit from many threads; a journal that
 * fills up (the checkpoint callback cuts it; live entries are never
 * overwritten); and errors that stay.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ad_format.h"
#include "ad_jops.h"
#include "dev.h"
#include "journal.h"
#include "tutil.h"

#define NMIR     3
#define SEED     0x0badf00du
#define ROFF     8192ull                 /* region offset in each file */
#define FILESZ   (8ull << 20)
#define MAXTXN   2048

struct fx {
	char dir[256];
	char path[NMIR][512];
	struct dev *dev[NMIR];
	struct dev_io *io;
	uint64_t rlen;                      /* region length of this case */
};

static int setup(void **state)
{
	struct dev_io_cfg cfg = { .backend = DEV_BACKEND_PSYNC };
	struct fx *f = calloc(1, sizeof(*f));
	char why[256];

	assert_non_null(f);
	assert_int_equal(tutil_mkdtemp("journal", f->dir, sizeof(f->dir)), 0);
	assert_int_equal(dev_io_create(&cfg, &f->io), 0);
	for (int i = 0; i < NMIR; i++) {
		char name[16];

		snprintf(name, sizeof(name), "m%d", i);
		assert_int_equal(tutil_mkimage(f->dir, name, FILESZ, f->path[i], sizeof(f->path[i])), 0);
		if (dev_open(f->path[i], DEV_RDWR, &f->dev[i], why, sizeof(why)))
			fail_msg("dev_open: %s", why);
	}
	f->rlen = 256 * AD_BLOCK;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < NMIR; i++)
		dev_close(f->dev[i]);
	dev_io_destroy(f->io);
	tutil_rmtree(f->dir);
	free(f);
	return 0;
}

static void jinit(struct fx *f, struct journal *j, uint32_t seed, uint64_t head_off,
		  uint64_t head_seq)
{
	assert_int_equal(journal_init(j, f->io, NULL, seed, ROFF, f->rlen, f->dev, NMIR, head_off,
				      head_seq, 7), 0);
}

/* ---- transactions -------------------------------------------------------------- */

static uint8_t vbyte(uint64_t id, unsigned op, unsigned i)
{
	return (uint8_t)(id * 131 + op * 17 + i);
}

/* Transaction id: nops PUTs of vlen bytes (key oid = id, off = op), and a DEL
 * when id is odd.  Returns its length. */
static size_t make_txn(uint8_t *buf, uint64_t id, unsigned nops, unsigned vlen)
{
	size_t len = AD_JTXN_HDR;
	uint8_t val[AD_ITEM_MAX];
	uint32_t n = 0;

	for (unsigned o = 0; o < nops; o++) {
		struct ad_jop op = { .type = AD_JOP_PUT, .key = { id, AD_KT_PROP, o },
				     .val = val, .vlen = (uint16_t)vlen };

		for (unsigned i = 0; i < vlen; i++)
			val[i] = vbyte(id, o, i);
		ad_jop_encode(&op, buf + len);
		len += ad_jop_size(&op);
		n++;
	}
	if (id & 1) {
		struct ad_jop op = { .type = AD_JOP_DEL, .key = { id, AD_KT_PROP, 999 } };

		ad_jop_encode(&op, buf + len);
		len += ad_jop_size(&op);
		n++;
	}
	ad_jtxn_hdr_encode(buf, (uint32_t)len, n, id);
	return len;
}

/* Append transaction id of about `bytes` bytes and return its ticket. */
static uint64_t add(struct journal *j, uint64_t id, unsigned bytes)
{
	uint8_t buf[16384];
	uint64_t ticket = 0;
	unsigned nops = bytes / 1900 + 1;
	size_t len = make_txn(buf, id, nops, bytes / nops);

	assert_true(journal_add(j, buf, len, &ticket) >= 0);
	return ticket;
}

static void add_sync(struct journal *j, uint64_t id, unsigned bytes)
{
	assert_int_equal(journal_sync(j, add(j, id, bytes)), 0);
}

/* What a replay saw: transaction ids and their entries' sequence numbers. */
struct seen {
	size_t n;
	uint64_t id[MAXTXN], seq[MAXTXN];
};

/* journal_apply_fn: check the operations and record the transaction. */
static int collect(void *ctx, uint64_t seq, const uint8_t *ops, size_t len, uint32_t nops)
{
	struct seen *s = ctx;
	struct ad_jop op;
	size_t pos = 0;
	uint32_t n = 0;
	uint64_t id = UINT64_MAX;

	while (ad_jop_next(ops, len, &pos, &op, NULL, 0) == 1) {
		if (id == UINT64_MAX)
			id = op.key.oid;
		assert_int_equal(op.key.oid, id);
		if (op.type == AD_JOP_PUT)
			for (unsigned i = 0; i < op.vlen; i++)
				assert_int_equal(op.val[i], vbyte(id, (unsigned)op.key.off, i));
		else
			assert_int_equal(op.type, AD_JOP_DEL);
		n++;
	}
	assert_int_equal(n, nops);
	assert_true(s->n < MAXTXN);
	s->id[s->n] = id;
	s->seq[s->n] = seq;
	s->n++;
	return 0;
}

/* Replay from (head_off, head_seq) with a fresh journal; fills rep and s. */
static void replay(struct fx *f, uint32_t seed, uint64_t head_off, uint64_t head_seq,
		   struct journal_replay_report *rep, struct seen *s)
{
	struct journal j;

	memset(s, 0, sizeof(*s));
	jinit(f, &j, seed, head_off, head_seq);
	assert_int_equal(journal_replay(&j, NULL, collect, s, rep), 0);
	assert_int_equal(rep->txns, s->n);
	journal_destroy(&j);
}

static void expect_ids(const struct seen *s, uint64_t first, size_t n)
{
	if (s->n != n)
		fail_msg("replayed %zu transactions, expected %zu", s->n, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(s->id[i], first + i);
}

/* ---- region images --------------------------------------------------------------- */

static uint8_t *region_read(struct fx *f, int m)
{
	uint8_t *buf = dev_buf_alloc(f->rlen);

	assert_non_null(buf);
	assert_int_equal(dev_pread(f->io, f->dev[m], buf, f->rlen, ROFF), 0);
	return buf;
}

static void region_write(struct fx *f, int m, const uint8_t *buf)
{
	assert_int_equal(dev_pwrite(f->io, f->dev[m], buf, f->rlen, ROFF), 0);
}

/* ---- cases ------------------------------------------------------------------------ */

/* Entries of 1 to 3 blocks come back in order; appending after a replay
 * continues the chain. */
static void test_journal_roundtrip(void **state)
{
	struct fx *f = *state;
	struct journal j, k;
	struct journal_replay_report rep;
	struct seen s;

	jinit(f, &j, SEED, 5 * AD_BLOCK, 40);
	for (uint64_t id = 1; id <= 20; id++)
		add_sync(&j, id, (unsigned)(id * 613 % 12000));
	assert_int_equal(j.entries, 20);
	replay(f, SEED, 5 * AD_BLOCK, 40, &rep, &s);
	expect_ids(&s, 1, 20);
	assert_int_equal(rep.entries, 20);
	assert_int_equal(s.seq[0], 40);
	assert_int_equal(s.seq[19], 59);
	for (int m = 0; m < NMIR; m++) {
		assert_int_equal(rep.mirror[m].entries, 20);
		assert_int_equal(rep.mirror[m].last_seq, 59);
		assert_int_equal(rep.mirror[m].end_off, j.tail_off);
		assert_int_equal(rep.mirror[m].stop_err, -ENOMSG);   /* zeros after the chain */
	}
	journal_destroy(&j);

	/* reopen: replay, then append more */
	jinit(f, &k, SEED, 5 * AD_BLOCK, 40);
	memset(&s, 0, sizeof(s));
	assert_int_equal(journal_replay(&k, NULL, collect, &s, &rep), 0);
	for (uint64_t id = 21; id <= 25; id++)
		add_sync(&k, id, 300);
	journal_destroy(&k);
	replay(f, SEED, 5 * AD_BLOCK, 40, &rep, &s);
	expect_ids(&s, 1, 25);
}

/*
 * The last entry (3 blocks) torn at every 512-byte boundary, on every mirror,
 * over zeros and over old bytes: replay stops before it.
 */
static void test_journal_torn_tail(void **state)
{
	struct fx *f = *state;
	struct journal j;
	struct journal_replay_report rep;
	struct seen s;
	uint8_t *before[2], *after;
	uint64_t off, len;

	jinit(f, &j, SEED, 0, 1);
	for (uint64_t id = 1; id <= 5; id++)
		add_sync(&j, id, 500);
	before[0] = region_read(f, 0);
	before[1] = region_read(f, 0);
	for (uint64_t i = 0; i < f->rlen; i++)
		before[1][i] = j.tail_off <= i ? (uint8_t)(0xa5 ^ i) : before[1][i];
	off = j.tail_off;
	add_sync(&j, 6, 9000);       /* 3 blocks */
	len = j.tail_off - off;
	assert_int_equal(len, 3 * AD_BLOCK);
	after = region_read(f, 0);
	journal_destroy(&j);
	for (int b = 0; b < 2; b++) {
		for (uint64_t cut = 0; cut <= len; cut += 512) {
			uint8_t *img = dev_buf_alloc(f->rlen);

			memcpy(img, before[b], f->rlen);
			memcpy(img + off, after + off, cut);
			for (int m = 0; m < NMIR; m++)
				region_write(f, m, img);
			free(img);
			replay(f, SEED, 0, 1, &rep, &s);
			if (cut < len) {
				expect_ids(&s, 1, 5);
				assert_int_equal(rep.mirror[0].end_off, off);
				assert_int_not_equal(rep.mirror[0].stop_err, 0);
			} else {
				expect_ids(&s, 1, 6);
			}
		}
	}
	free(before[0]);
	free(before[1]);
	free(after);
}

/* Replaying twice from the same head reads the same transactions and
 * changes nothing on the mirrors; applying them twice to a model gives the
 * state of applying them once. */
static void test_journal_replay_twice(void **state)
{
	struct fx *f = *state;
	struct journal j;
	struct journal_replay_report rep1, rep2;
	struct seen *s1 = calloc(1, sizeof(*s1)), *s2 = calloc(1, sizeof(*s2));
	uint8_t *img1, *img2;

	jinit(f, &j, SEED, 3 * AD_BLOCK, 9);
	for (uint64_t id = 1; id <= 30; id++) {
		add(&j, id, 200);
		if (id % 4 == 0)
			assert_int_equal(journal_sync(&j, journal_last_ticket(&j)), 0);
	}
	assert_int_equal(journal_sync(&j, journal_last_ticket(&j)), 0);
	assert_true(j.entries < 30);             /* several transactions per entry */
	journal_destroy(&j);
	img1 = region_read(f, 1);
	replay(f, SEED, 3 * AD_BLOCK, 9, &rep1, s1);
	replay(f, SEED, 3 * AD_BLOCK, 9, &rep2, s2);
	img2 = region_read(f, 1);
	assert_memory_equal(img1, img2, f->rlen);
	expect_ids(s1, 1, 30);
	assert_int_equal(s1->n, s2->n);
	assert_memory_equal(s1->id, s2->id, s1->n * sizeof(s1->id[0]));
	assert_memory_equal(s1->seq, s2->seq, s1->n * sizeof(s1->seq[0]));
	assert_int_equal(rep1.entries, rep2.entries);
	assert_int_equal(rep1.mirror[0].end_off, rep2.mirror[0].end_off);
	free(img1);
	free(img2);
	free(s1);
	free(s2);
}

/* A journal written under another format id (earlier mkfs) or starting at
 * another sequence (another checkpoint) replays nothing. */
static void test_journal_foreign(void **state)
{
	struct fx *f = *state;
	struct journal j;
	struct journal_replay_report rep;
	struct seen s;

	jinit(f, &j, SEED, 0, 100);
	for (uint64_t id = 1; id <= 5; id++)
		add_sync(&j, id, 100);
	journal_destroy(&j);
	replay(f, SEED ^ 0x10000, 0, 100, &rep, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(rep.entries, 0);
	for (int m = 0; m < NMIR; m++)
		assert_int_equal(rep.mirror[m].stop_err, -EUCLEAN);
	replay(f, SEED, 0, 101, &rep, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(rep.mirror[0].stop_err, -ESTALE);
	replay(f, SEED, AD_BLOCK, 100, &rep, &s);   /* not where an entry starts */
	assert_int_equal(s.n, 0);
}

/* Near the region end an entry that does not fit is preceded by a WRAP
 * block and goes to offset 0; replay follows it. */
static void test_journal_wrap(void **state)
{
	struct fx *f = *state;
	struct journal j;
	struct journal_replay_report rep;
	struct seen s;
	uint8_t *blk = dev_buf_alloc(AD_BLOCK);
	struct ad_je je;
	char why[AD_WHY_MAX];
	uint64_t head = 13 * AD_BLOCK;

	f->rlen = 16 * AD_BLOCK;
	jinit(f, &j, SEED, head, 50);
	add_sync(&j, 1, 9000);                          /* 13-15 */
	assert_int_equal(j.tail_off, 0);                /* ends exactly at the region end */
	add_sync(&j, 2, 9000);                          /* 0-2 */
	add_sync(&j, 3, 6000);                          /* 3-4 */
	journal_destroy(&j);
	replay(f, SEED, head, 50, &rep, &s);
	expect_ids(&s, 1, 3);
	assert_int_equal(rep.entries, 3);

	/* head at 14: the first entry (3 blocks) needs a WRAP at 14 */
	memset(blk, 0, AD_BLOCK);
	for (int m = 0; m < NMIR; m++)
		for (uint64_t b = 0; b < 16; b++)
			assert_int_equal(dev_pwrite(f->io, f->dev[m], blk, AD_BLOCK, ROFF + b * AD_BLOCK), 0);
	head = 14 * AD_BLOCK;
	jinit(f, &j, SEED, head, 50);
	add_sync(&j, 1, 9000);
	assert_int_equal(j.tail_off, 3 * AD_BLOCK);
	assert_int_equal(j.next_seq, 52);               /* WRAP took 50 */
	add_sync(&j, 2, 100);
	journal_destroy(&j);
	assert_int_equal(dev_pread(f->io, f->dev[2], blk, AD_BLOCK, ROFF + head), 0);
	assert_int_equal(ad_je_check_header(blk, SEED, 50, &je, why, sizeof(why)), 0);
	assert_int_equal(je.type, AD_JE_WRAP);
	replay(f, SEED, head, 50, &rep, &s);
	expect_ids(&s, 1, 2);
	assert_int_equal(s.seq[0], 51);
	assert_int_equal(rep.entries, 3);               /* WRAP, 1, 2 */
	assert_int_equal(rep.mirror[0].end_off, 4 * AD_BLOCK);
	/* a WRAP whose entry at 0 is torn: the chain ends after the WRAP */
	memset(blk, 0, AD_BLOCK);
	for (int m = 0; m < NMIR; m++)
		assert_int_equal(dev_pwrite(f->io, f->dev[m], blk, AD_BLOCK, ROFF + 2 * AD_BLOCK), 0);
	replay(f, SEED, head, 50, &rep, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(rep.entries, 1);
	free(blk);
}

/* Mirrors holding 8, 4 and 6 entries (the longest not first): the longest
 * wins; after repair every mirror holds it byte for byte.  A mirror damaged
 * in the middle, or missing, does not matter either. */
static void test_journal_mirrors_disagree(void **state)
{
	struct fx *f = *state;
	struct journal j;
	struct journal_replay_report rep;
	struct seen s;
	uint8_t *r4 = NULL, *r6 = NULL, *a, *b;
	uint64_t end;

	jinit(f, &j, SEED, 2 * AD_BLOCK, 1);
	for (uint64_t id = 1; id <= 8; id++) {
		add_sync(&j, id, id == 5 ? 6000 : 300);
		if (id == 4)
			r4 = region_read(f, 1);
		if (id == 6)
			r6 = region_read(f, 2);
	}
	end = j.tail_off;
	journal_destroy(&j);
	region_write(f, 0, r4);                        /* mirror 0: 4 entries */
	region_write(f, 2, r6);                        /* mirror 2: 6 entries */
	replay(f, SEED, 2 * AD_BLOCK, 1, &rep, &s);
	expect_ids(&s, 1, 8);
	assert_int_equal(rep.best, 1);
	assert_int_equal(rep.mirror[0].entries, 4);
	assert_int_equal(rep.mirror[1].entries, 8);
	assert_int_equal(rep.mirror[2].entries, 6);
	/* repair, then every mirror has the chain */
	jinit(f, &j, SEED, 2 * AD_BLOCK, 1);
	assert_int_equal(journal_replay(&j, NULL, NULL, NULL, &rep), 0);
	assert_int_equal(journal_repair_mirrors(&j, &rep), 0);
	journal_destroy(&j);
	replay(f, SEED, 2 * AD_BLOCK, 1, &rep, &s);
	expect_ids(&s, 1, 8);
	a = region_read(f, 1);
	for (int m = 0; m < NMIR; m++) {
		assert_int_equal(rep.mirror[m].entries, 8);
		b = region_read(f, m);
		assert_memory_equal(a + 2 * AD_BLOCK, b + 2 * AD_BLOCK, end - 2 * AD_BLOCK);
		free(b);
	}
	/* mirror 1 damaged in entry 3, mirror 2 missing: mirror 0 serves */
	a[2 * AD_BLOCK + 2 * AD_BLOCK + 100] ^= 1;
	region_write(f, 1, a);
	{
		struct dev *d2 = f->dev[2];

		f->dev[2] = NULL;
		replay(f, SEED, 2 * AD_BLOCK, 1, &rep, &s);
		f->dev[2] = d2;
	}
	expect_ids(&s, 1, 8);
	assert_int_equal(rep.best, 0);
	assert_int_equal(rep.mirror[1].entries, 2);
	assert_int_equal(rep.mirror[1].stop_err, -EUCLEAN);
	assert_false(rep.mirror[2].present);
	free(a);
	free(r4);
	free(r6);
}

/* An entry with a valid checksum but the wrong sequence number ends the chain. */
static void test_journal_seq_gap(void **state)
{
	struct fx *f = *state;
	struct journal j;
	struct journal_replay_report rep;
	struct seen s;
	uint64_t off4 = 0, len4 = 0;
	uint8_t *e;
	struct ad_je je;
	char why[AD_WHY_MAX];

	jinit(f, &j, SEED, 0, 10);
	for (uint64_t id = 1; id <= 6; id++) {
		if (id == 4)
			off4 = j.tail_off;
		add_sync(&j, id, 700);
		if (id == 4)
			len4 = j.tail_off - off4;
	}
	journal_destroy(&j);
	/* entry 4 (seq 13) re-sealed as seq 16 on every mirror */
	e = dev_buf_alloc(len4);
	for (int m = 0; m < NMIR; m++) {
		assert_int_equal(dev_pread(f->io, f->dev[m], e, len4, ROFF + off4), 0);
		assert_int_equal(ad_je_check_header(e, SEED, 13, &je, why, sizeof(why)), 0);
		je.seq = 16;
		ad_je_seal(e, &je, SEED);
		assert_int_equal(dev_pwrite(f->io, f->dev[m], e, len4, ROFF + off4), 0);
	}
	free(e);
	replay(f, SEED, 0, 10, &rep, &s);
	expect_ids(&s, 1, 3);
	assert_int_equal(rep.mirror[0].stop_err, -ESTALE);
	assert_int_equal(rep.mirror[0].end_off, off4);
}

/* ---- group commit ------------------------------------------------------------------ */

#define GC_THREADS 8
#define GC_TXNS    40

struct gc_arg {
	struct journal *j;
	unsigned t;
	int err;
	uint64_t max_ticket;
};

static void *gc_thread(void *p)
{
	struct gc_arg *a = p;

	for (unsigned i = 0; i < GC_TXNS && !a->err; i++) {
		uint64_t ticket = add(a->j, 1000u * (a->t + 1) + i, 64);

		a->err = journal_sync(a->j, ticket);
		if (!a->err && a->j->durable_ticket < ticket)
			a->err = -EPROTO;   /* acknowledged but not durable */
		if (ticket > a->max_ticket)
			a->max_ticket = ticket;
	}
	return NULL;
}

/* Writes take a millisecond, as on a disk: concurrent syncs must share them. */
static int slow_pre(void *ctx, struct dev_req *r)
{
	(void)ctx;
	if (r->op == DEV_OP_WRITE)
		usleep(1000);
	return 0;
}

static void test_journal_group_commit(void **state)
{
	struct fx *f = *state;
	struct dev_hooks h = { .pre = slow_pre };
	struct journal j;
	struct journal_replay_report rep;
	struct seen *s = calloc(1, sizeof(*s));
	pthread_t th[GC_THREADS];
	struct gc_arg arg[GC_THREADS];
	size_t next[GC_THREADS] = { 0 };

	for (int m = 0; m < NMIR; m++)
		dev_set_hooks(f->dev[m], &h);
	jinit(f, &j, SEED, 0, 1);
	for (unsigned t = 0; t < GC_THREADS; t++) {
		arg[t] = (struct gc_arg){ .j = &j, .t = t };
		assert_int_equal(pthread_create(&th[t], NULL, gc_thread, &arg[t]), 0);
	}
	for (unsigned t = 0; t < GC_THREADS; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(arg[t].err, 0);
		assert_true(arg[t].max_ticket <= j.durable_ticket);
	}
	for (int m = 0; m < NMIR; m++)
		dev_set_hooks(f->dev[m], NULL);
	print_message("group commit: %u transactions in %llu entries (%llu syncs)\n",
		      GC_THREADS * GC_TXNS, (unsigned long long)j.entries, (unsigned long long)j.syncs);
	assert_true(j.entries < GC_THREADS * GC_TXNS / 2);
	journal_destroy(&j);
	replay(f, SEED, 0, 1, &rep, s);
	assert_int_equal(s->n, GC_THREADS * GC_TXNS);
	for (size_t i = 0; i < s->n; i++) {      /* each thread's in its own order */
		unsigned t = (unsigned)(s->id[i] / 1000 - 1);

		assert_true(t < GC_THREADS);
		assert_int_equal(s->id[i] % 1000, next[t]);
		next[t]++;
	}
	free(s);
}

/* ---- the journal fills up ------------------------------------------------------------ */

struct full_ctx {
	struct journal *j;
	unsigned calls;
	uint64_t first_after;     /* first transaction id after the last cut */
	uint64_t next_id;
	int fail;                 /* the checkpoint fails with this */
	unsigned overwrites;      /* writes that hit the live region */
};

/* The checkpoint the journal asks for: cut, "write", done. */
static int fake_ckpt(void *ctx)
{
	struct full_ctx *c = ctx;
	uint64_t ho, hs, ct;

	c->calls++;
	journal_cut(c->j, &ho, &hs, &ct);
	journal_cut_done(c->j, c->fail == 0, c->fail, ho, hs, ct, c->j->ckpt_gen + 1);
	c->first_after = c->next_id + 1;   /* the one being synced is covered */
	return c->fail;
}

/* Every journal write stays outside [head, tail): the live entries. */
static int live_pre(void *ctx, struct dev_req *r)
{
	struct full_ctx *c = ctx;
	const struct journal *j = c->j;
	uint64_t lo, hi, h = j->head_off, t = j->tail_off;

	if (r->op != DEV_OP_WRITE)
		return 0;
	lo = r->off - ROFF;
	hi = lo + r->len;
	for (uint64_t b = lo; b < hi; b += AD_BLOCK) {
		bool live = h <= t ? b >= h && b < t : b >= h || b < t;

		if (live)
			c->overwrites++;
	}
	return 0;
}

static void test_journal_full(void **state)
{
	struct fx *f = *state;
	struct journal j;
	struct journal_replay_report rep;
	struct full_ctx c = { .j = &j };
	struct dev_hooks h = { .ctx = &c, .pre = live_pre };
	struct seen s;
	uint64_t id;

	f->rlen = 24 * AD_BLOCK;
	jinit(f, &j, SEED, 0, 1);
	j.ckpt_fn = fake_ckpt;
	j.ckpt_ctx = &c;
	for (int m = 0; m < NMIR; m++)
		dev_set_hooks(f->dev[m], &h);
	for (id = 1; id <= 200; id++) {
		c.next_id = id;
		add_sync(&j, id, 1000 + (unsigned)(id % 7) * 1200);
	}
	for (int m = 0; m < NMIR; m++)
		dev_set_hooks(f->dev[m], NULL);
	assert_true(c.calls >= 10);
	assert_int_equal(j.full_ckpts, c.calls);
	assert_int_equal(c.overwrites, 0);
	assert_int_equal(j.err, 0);
	/* after the last cut: what the head names is exactly the rest */
	replay(f, SEED, j.head_off, j.head_seq, &rep, &s);
	expect_ids(&s, c.first_after, 200 - c.first_after + 1);
	assert_int_equal(rep.mirror[0].end_off, j.tail_off);
	journal_destroy(&j);

	/* a checkpoint that fails: the sync fails, and every later one */
	jinit(f, &j, SEED, 0, 1);
	c = (struct full_ctx){ .j = &j, .fail = -EIO };
	j.ckpt_fn = fake_ckpt;
	j.ckpt_ctx = &c;
	for (id = 1; id <= 200 && c.calls == 0; id++) {
		uint64_t t = add(&j, id, 1500);
		int err = journal_sync(&j, t);

		assert_int_equal(err, c.calls ? -EIO : 0);
	}
	assert_int_equal(journal_sync(&j, journal_last_ticket(&j)), -EIO);
	journal_destroy(&j);
}

/* ---- errors -------------------------------------------------------------------------- */

struct fail_ctx {
	uint8_t op;               /* fail requests of this op */
	int err;
	unsigned failed;
};

static int fail_pre(void *ctx, struct dev_req *r)
{
	struct fail_ctx *c = ctx;

	if (r->op != c->op)
		return 0;
	c->failed++;
	return c->err;
}

/* A failed write (or flush) on one mirror fails the sync, and every later
 * add and sync, even once the device works again. */
static void test_journal_sticky_error(void **state)
{
	struct fx *f = *state;
	const uint8_t ops[2] = { DEV_OP_WRITE, DEV_OP_FLUSH };

	for (int k = 0; k < 2; k++) {
		struct fail_ctx c = { .op = ops[k], .err = -EIO };
		struct dev_hooks h = { .ctx = &c, .pre = fail_pre };
		struct journal j;
		uint8_t buf[256];
		uint64_t t;

		jinit(f, &j, SEED, 0, 1);
		add_sync(&j, 1, 50);
		dev_set_hooks(f->dev[1], &h);
		t = add(&j, 2, 50);
		assert_int_equal(journal_sync(&j, t), -EIO);
		assert_true(c.failed > 0);
		dev_set_hooks(f->dev[1], NULL);
		assert_int_equal(journal_sync(&j, t), -EIO);
		assert_int_equal(journal_add(&j, buf, make_txn(buf, 3, 1, 10), &t), -EIO);
		assert_int_equal(journal_sync(&j, 1), 0);    /* durable before the error */
		journal_destroy(&j);
	}
	/* a failed checkpoint cut is sticky too */
	{
		struct journal j;
		uint64_t ho, hs, ct, t;

		jinit(f, &j, SEED, 0, 1);
		t = add(&j, 1, 10);
		journal_cut(&j, &ho, &hs, &ct);
		assert_int_equal(ct, t);
		journal_cut_done(&j, false, -ENOSPC, 0, 0, ct, 0);
		assert_int_equal(journal_sync(&j, t + 1), -ENOSPC);
		journal_destroy(&j);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_journal_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_torn_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_replay_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_mirrors_disagree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_seq_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_group_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_sticky_error, setup, teardown),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);   /* one case by name, for debugging */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
