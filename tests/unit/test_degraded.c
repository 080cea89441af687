/*
 * test_degraded.c — the decode-table cache of engine/ec.c and the batched
 * degraded read of engine/data_read.c.
 *
 * Description: ec_rebuild against a direct decode (the survivors' matrix
 * inverted here, every byte multiplied out with gf_mul) and against the
 * original chunks, for every erasure pattern of 4+2, 8+2 and 2+1, visited in
 * orders that make the per-thread table cache hit, miss and switch, with
 * changing lengths and survivor orders, after a refused call, and from three
 * threads at once.  Then a 4+2 pool with blocks corrupted in runs across
 * chunks and rows (some rows with two bad chunks, some with three) is opened
 * with no member, every one and every two members missing: data_read_stripe
 * must give the written bytes, or EIO exactly when a requested bad block's
 * row has fewer than four good chunks; the damaged bits and the bad/rebuilt
 * counters must say what happened; a stripe with chunks on missing members
 * costs k reads, no more; self-heal repairs chunks whose bad blocks are in
 * different rows even when more than m chunks are damaged.
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
#include <sys/stat.h>
#include <cmocka.h>
#include <isa-l/erasure_code.h>

#include "argosfs.h"
#include "data.h"
#include "dev.h"
#include "ec.h"
#include "pool.h"
#include "tpool.h"

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- the codec ------------------------------------------------------------------ */

struct pat {
	unsigned nwant, want[AD_MAX_M], have[AD_MAX_K];
};

struct geo {
	const struct ec_codec *c;
	unsigned k, m, n;
	size_t len;
	uint8_t *chunk[EC_MAX_CHUNKS];   /* k data + m parity, len each */
	struct pat pat[512];
	unsigned npat;
};

/* Every set of 1..m erased chunks; survivors: the lowest k others, or (alt) the highest. */
static void geo_patterns(struct geo *g, bool alt)
{
	g->npat = 0;
	for (uint64_t set = 1; set < 1ull << g->n; set++) {
		struct pat *p;
		unsigned h = 0;

		if ((unsigned)__builtin_popcountll(set) > g->m)
			continue;
		assert_true(g->npat < 512);
		p = &g->pat[g->npat++];
		p->nwant = 0;
		for (unsigned c = 0; c < g->n; c++)
			if (set >> c & 1)
				p->want[p->nwant++] = c;
		for (unsigned i = 0; i < g->n && h < g->k; i++) {
			unsigned c = alt ? g->n - 1 - i : i;

			if (!(set >> c & 1))
				p->have[h++] = c;
		}
	}
}

static void geo_init(struct geo *g, unsigned k, unsigned m, size_t len, uint64_t seed)
{
	memset(g, 0, sizeof(*g));
	g->k = k;
	g->m = m;
	g->n = k + m;
	g->len = len;
	g->c = ec_codec_get(k, m);
	assert_non_null(g->c);
	for (unsigned c = 0; c < g->n; c++) {
		g->chunk[c] = malloc(len);
		assert_non_null(g->chunk[c]);
		for (size_t i = 0; i < len; i++)
			g->chunk[c][i] = (uint8_t)xs(&seed);
	}
	ec_encode(g->c, len, g->chunk, g->chunk + k);
}

static void geo_free(struct geo *g)
{
	for (unsigned c = 0; c < g->n; c++)
		free(g->chunk[c]);
}

/* Direct decode, independent of ec.c: invert the survivors' rows, multiply bytes. */
static void direct_decode(const struct geo *g, const struct pat *p, size_t len, uint8_t **out)
{
	unsigned k = g->k, n = g->n;
	uint8_t gen[EC_MAX_CHUNKS * AD_MAX_K], sub[AD_MAX_K * AD_MAX_K], inv[AD_MAX_K * AD_MAX_K];

	gf_gen_cauchy1_matrix(gen, (int)n, (int)k);
	for (unsigned i = 0; i < k; i++)
		memcpy(sub + i * k, gen + p->have[i] * k, k);
	assert_int_equal(gf_invert_matrix(sub, inv, (int)k), 0);
	for (unsigned w = 0; w < p->nwant; w++) {
		const uint8_t *gr = gen + p->want[w] * k;

		for (size_t b = 0; b < len; b++) {
			uint8_t data[AD_MAX_K], v = 0;

			/* the data bytes: the inverse times the survivors */
			for (unsigned j = 0; j < k; j++) {
				uint8_t s = 0;

				for (unsigned x = 0; x < k; x++)
					s ^= gf_mul(inv[j * k + x], g->chunk[p->have[x]][b]);
				data[j] = s;
			}
			for (unsigned j = 0; j < k; j++)
				v ^= gf_mul(gr[j], data[j]);
			out[w][b] = v;
		}
	}
}

/* ec_rebuild one pattern over the first len bytes; compare with the original chunks. */
static void rebuild_check(const struct geo *g, const struct pat *p, size_t len)
{
	static __thread uint8_t buf[AD_MAX_M][4096 * 3];
	uint8_t *in[AD_MAX_K], *out[AD_MAX_M];

	assert_true(len <= sizeof(buf[0]));
	for (unsigned i = 0; i < g->k; i++)
		in[i] = g->chunk[p->have[i]];
	for (unsigned w = 0; w < p->nwant; w++) {
		out[w] = buf[w];
		memset(buf[w], 0xee, len);
	}
	assert_int_equal(ec_rebuild(g->c, len, p->have, in, p->want, p->nwant, out), 0);
	for (unsigned w = 0; w < p->nwant; w++)
		if (memcmp(out[w], g->chunk[p->want[w]], len))
			fail_msg("%u+%u: chunk %u rebuilt wrong (len %zu, survivors %u %u ...)",
				 g->k, g->m, p->want[w], len, p->have[0], p->have[1]);
}

static void test_codec_patterns(void **state)
{
	static const unsigned geos[][2] = { { 4, 2 }, { 8, 2 }, { 2, 1 } };
	struct geo *g = malloc(sizeof(*g));
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	(void)state;
	assert_non_null(g);
	for (unsigned gi = 0; gi < 3; gi++) {
		geo_init(g, geos[gi][0], geos[gi][1], 4096 * 3, gi + 1);
		for (unsigned alt = 0; alt < 2; alt++) {
			geo_patterns(g, alt);
			/* each pattern against the direct decode (256 bytes: it is slow) */
			for (unsigned i = 0; i < g->npat; i++) {
				uint8_t d[AD_MAX_M][256], *dp[AD_MAX_M] = { d[0], d[1], d[2] };

				direct_decode(g, &g->pat[i], sizeof(d[0]), dp);
				for (unsigned w = 0; w < g->pat[i].nwant; w++)
					assert_memory_equal(d[w], g->chunk[g->pat[i].want[w]], sizeof(d[0]));
				rebuild_check(g, &g->pat[i], 4096);
			}
			/* the same tables at other lengths, backwards, then in random order */
			for (unsigned i = 0; i < g->npat; i++) {
				rebuild_check(g, &g->pat[i], 4096);
				rebuild_check(g, &g->pat[i], 4096 * 3);
				rebuild_check(g, &g->pat[i], 64);
			}
			for (unsigned i = g->npat; i-- > 0;)
				rebuild_check(g, &g->pat[i], 4096 * 2);
			for (unsigned i = 0; i < 4 * g->npat; i++)
				rebuild_check(g, &g->pat[xs(&seed) % g->npat], 4096 * (1 + xs(&seed) % 3));
		}
		/* same wanted chunks, survivors in another order: the cache tells them apart */
		{
			struct pat a = g->pat[0], b = a;

			for (unsigned i = 0; i < g->k; i++)
				b.have[i] = a.have[g->k - 1 - i];
			rebuild_check(g, &a, 4096);
			rebuild_check(g, &b, 4096);
			rebuild_check(g, &a, 4096);
		}
		/* a refused call (a survivor twice) leaves no stale tables behind */
		{
			struct pat a = g->pat[g->npat - 1], bad = a;
			uint8_t *in[AD_MAX_K], o[AD_MAX_M][64], *out[AD_MAX_M] = { o[0], o[1], o[2] };

			rebuild_check(g, &a, 4096);
			bad.have[1] = bad.have[0];
			for (unsigned i = 0; i < g->k; i++)
				in[i] = g->chunk[bad.have[i]];
			assert_int_equal(ec_rebuild(g->c, 64, bad.have, in, bad.want, bad.nwant, out),
					 -EINVAL);
			rebuild_check(g, &a, 4096);
		}
		geo_free(g);
	}
	free(g);
}

struct thr {
	unsigned k, m;
	uint64_t seed;
	int failed;
};

/* Each thread cycles through its own patterns: a shared cache would mix them up. */
static void *thr_main(void *arg)
{
	struct thr *t = arg;
	struct geo *g = malloc(sizeof(*g));

	if (!g) {
		t->failed = 1;
		return NULL;
	}
	geo_init(g, t->k, t->m, 4096, t->seed);
	geo_patterns(g, t->seed & 1);
	for (unsigned it = 0; it < 3000 && !t->failed; it++) {
		const struct pat *p = &g->pat[(it / 3) % g->npat];
		uint8_t *in[AD_MAX_K], o[AD_MAX_M][4096], *out[AD_MAX_M] = { o[0], o[1], o[2] };

		for (unsigned i = 0; i < g->k; i++)
			in[i] = g->chunk[p->have[i]];
		if (ec_rebuild(g->c, 4096, p->have, in, p->want, p->nwant, out))
			t->failed = 2;
		for (unsigned w = 0; w < p->nwant; w++)
			if (memcmp(o[w], g->chunk[p->want[w]], 4096))
				t->failed = 3;
	}
	geo_free(g);
	free(g);
	return NULL;
}

static void test_codec_threads(void **state)
{
	struct thr t[3] = { { 4, 2, 11, 0 }, { 8, 2, 22, 0 }, { 4, 2, 34, 0 } };
	pthread_t id[3];

	(void)state;
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&id[i], NULL, thr_main, &t[i]), 0);
	for (unsigned i = 0; i < 3; i++) {
		pthread_join(id[i], NULL);
		if (t[i].failed)
			fail_msg("thread %u (%u+%u): failure %d", i, t[i].k, t[i].m, t[i].failed);
	}
}

/* ---- the batched degraded read -------------------------------------------------- */

#define NMEM 6
#define CHUNK (16u << 10)             /* 4 block rows a chunk: runs cross chunks */
#define CB (CHUNK / 4096)
#define S (4 * CHUNK)
#define NSTRIPE 4                     /* 0..2 damaged, 3 clean; a partial 5th after */
#define FSIZE (NSTRIPE * S + S / 2 + 1234)

struct dfx {
	struct tpool tp;
	uint8_t *data;
	argos_ino_t ino;
	bool bad[NSTRIPE][NMEM][CB];   /* blocks corrupted on disk */
	uint64_t reads, read_bytes;    /* counted by the hooks */
};

static int count_pre(void *ctx, struct dev_req *r)
{
	struct dfx *f = ctx;

	if (r->op == DEV_OP_READ) {
		__atomic_add_fetch(&f->reads, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&f->read_bytes, r->len, __ATOMIC_RELAXED);
	}
	return 0;
}

static void count_post(void *ctx, struct dev_req *r)
{
	(void)ctx;
	(void)r;
}

static argos_pool *dopen(struct dfx *f, uint64_t gone, unsigned flags)
{
	struct argos_open_opts o = { .flags = flags, .commit_ms = 100 };
	argos_pool *p;
	char why[256];

	if (tpool_open_without(&f->tp, gone, &o, &p, why, sizeof(why)))
		fail_msg("open without %#llx: %s", (unsigned long long)gone, why);
	return p;
}

static void get_stripe(struct dfx *f, argos_pool *p, unsigned st, struct ad_stripe *s)
{
	assert_int_equal(data_get_stripe(p, f->ino, (uint64_t)st * S, s), 0);
	assert_int_equal(s->k, 4);
	assert_int_equal(s->m, 2);
	assert_int_equal(s->chunk_blocks, CB);
}

/* Flip a byte in block row r of chunk c of stripe st, through the pool's device. */
static void corrupt(struct dfx *f, argos_pool *p, unsigned st, unsigned c, unsigned r)
{
	uint32_t crc[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crc };
	uint8_t *blk = dev_buf_alloc(4096);
	struct dev *d;
	uint64_t off;

	assert_non_null(blk);
	get_stripe(f, p, st, &s);
	d = p->m[ad_addr_member(s.addr[c])].dev;
	off = (ad_addr_block(s.addr[c]) + r) * 4096;
	assert_int_equal(dev_pread(p->io, d, blk, 4096, off), 0);
	blk[(c * 977 + r * 131) % 4096] ^= 0x5a;
	assert_int_equal(dev_pwrite(p->io, d, blk, 4096, off), 0);
	free(blk);
	f->bad[st][c][r] = true;
}

static int dsetup(void **state)
{
	struct dfx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true, .chunk_size = CHUNK };
	struct argos_attr a;
	uint64_t fh, seed = 77;
	argos_pool *p;
	char why[256];

	assert_non_null(f);
	if (tpool_make(&f->tp, NULL, "degraded", NMEM, 64ull << 20, &o, why, sizeof(why)))
		fail_msg("pool: %s", why);
	f->data = malloc(FSIZE);
	assert_non_null(f->data);
	for (size_t i = 0; i < FSIZE; i++)
		f->data[i] = (uint8_t)xs(&seed);
	p = dopen(f, 0, 0);
	assert_int_equal(argos_mknod(p, ARGOS_ROOT_INO, "f", S_IFREG | 0644, 0, NULL, &a), 0);
	f->ino = a.ino;
	assert_int_equal(argos_open(p, f->ino, O_RDWR, &fh), 0);
	assert_int_equal(argos_write(p, f->ino, fh, f->data, FSIZE, 0), FSIZE);
	assert_int_equal(argos_fsync(p, f->ino, 0), 0);
	assert_int_equal(argos_release(p, f->ino, fh), 0);
	/*
	 * Runs of bad blocks, (chunk: rows):
	 * stripe 0: 0: 1-3, 1: 0-2, 4: 2, 3: 3 — rows 1 and 3 two bad, row 2 three (lost)
	 * stripe 1: 2: 0-3, 5: 0-1, 3: 1 — row 0 two bad, row 1 three (lost)
	 * stripe 2: 1: 3, 2: 3, 0: 0 — row 3 two bad: three chunks damaged, no row lost
	 * stripe 3: clean
	 */
	for (unsigned r = 1; r <= 3; r++)
		corrupt(f, p, 0, 0, r);
	for (unsigned r = 0; r <= 2; r++)
		corrupt(f, p, 0, 1, r);
	corrupt(f, p, 0, 4, 2);
	corrupt(f, p, 0, 3, 3);
	for (unsigned r = 0; r <= 3; r++)
		corrupt(f, p, 1, 2, r);
	corrupt(f, p, 1, 5, 0);
	corrupt(f, p, 1, 5, 1);
	corrupt(f, p, 1, 3, 1);
	corrupt(f, p, 2, 1, 3);
	corrupt(f, p, 2, 2, 3);
	corrupt(f, p, 2, 0, 0);
	assert_int_equal(argos_pool_close(p), 0);
	*state = f;
	return 0;
}

static int dteardown(void **state)
{
	struct dfx *f = *state;

	tpool_remove(&f->tp);
	free(f->data);
	free(f);
	return 0;
}

/* Chunks of stripe s on members that are not open. */
static uint64_t missing_chunks(argos_pool *p, const struct ad_stripe *s)
{
	uint64_t m = 0;

	for (unsigned c = 0; c < NMEM; c++)
		if (p->m[ad_addr_member(s->addr[c])].status != ARGOS_MEMBER_ONLINE)
			m |= 1ull << c;
	return m;
}

/* One read of stripe st, bytes [off, off + len), checked against the model. */
static void check_read(struct dfx *f, argos_pool *p, unsigned st, const struct ad_stripe *s,
		       uint64_t off, size_t len, uint64_t gone)
{
	uint64_t miss = missing_chunks(p, s), damaged = 0, dend, nbad = 0, allowed = miss;
	struct argos_pool_status a, b;
	uint8_t *buf = malloc(len + 1), *want = calloc(1, len + 1);
	bool eio = false;
	int err;

	assert_true(buf && want);
	dend = off + len < s->data_len ? off + len : s->data_len;
	if (off < dend) {
		for (uint64_t blk = off / 4096; blk <= (dend - 1) / 4096; blk++) {
			unsigned c = (unsigned)(blk / CB), r = (unsigned)(blk % CB), nb = 0;

			if (!f->bad[st][c][r] && !(miss >> c & 1))
				continue;
			nbad++;
			for (unsigned o = 0; o < NMEM; o++)
				nb += f->bad[st][o][r] || (miss >> o & 1);
			if (nb > 2)
				eio = true;
		}
		memcpy(want, f->data + (uint64_t)st * S + off, dend - off);
	}
	for (unsigned c = 0; c < NMEM; c++)
		for (unsigned r = 0; r < CB; r++)
			if (f->bad[st][c][r])
				allowed |= 1ull << c;
	argos_pool_status(p, &a);
	memset(buf, 0xcc, len + 1);
	err = data_read_stripe(p, f->ino, (uint64_t)st * S, s, off, len, buf, &damaged);
	argos_pool_status(p, &b);
	if (err != (eio ? -EIO : 0))
		fail_msg("without %#llx, stripe %u [%llu, +%zu): %d, expected %d",
			 (unsigned long long)gone, st, (unsigned long long)off, len, err,
			 eio ? -EIO : 0);
	if (!eio && memcmp(buf, want, len))
		fail_msg("without %#llx, stripe %u [%llu, +%zu): wrong bytes",
			 (unsigned long long)gone, st, (unsigned long long)off, len);
	assert_int_equal(buf[len], 0xcc);
	assert_int_equal(b.bad_blocks - a.bad_blocks, nbad);
	assert_int_equal(b.rebuilt_blocks - a.rebuilt_blocks, eio ? 0 : nbad);
	/* every chunk with a bad block asked for is marked, and only bad chunks are */
	if (off < dend)
		for (uint64_t blk = off / 4096; blk <= (dend - 1) / 4096; blk++) {
			unsigned c = (unsigned)(blk / CB);

			if (f->bad[st][c][blk % CB] || (miss >> c & 1))
				assert_true(damaged >> c & 1);
		}
	if (damaged & ~allowed)
		fail_msg("without %#llx, stripe %u: damaged %#llx, allowed %#llx",
			 (unsigned long long)gone, st, (unsigned long long)damaged,
			 (unsigned long long)allowed);
	free(buf);
	free(want);
}

static void check_pattern(struct dfx *f, uint64_t gone)
{
	argos_pool *p = dopen(f, gone, ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED);
	uint64_t seed = gone * 7919 + 1;

	for (unsigned st = 0; st < NSTRIPE; st++) {
		uint32_t crc[DATA_CRC_CAP];
		struct ad_stripe s = { .crc = crc };

		get_stripe(f, p, st, &s);
		check_read(f, p, st, &s, 0, S, gone);
		for (unsigned c = 0; c < 4; c++)   /* each chunk alone */
			check_read(f, p, st, &s, (uint64_t)c * CHUNK, CHUNK, gone);
		for (unsigned b = 0; b < 4 * CB; b++)   /* each block alone */
			check_read(f, p, st, &s, (uint64_t)b * 4096, 4096, gone);
		for (unsigned i = 0; i < 24; i++) {   /* unaligned pieces, some past the end */
			uint64_t off = xs(&seed) % S;
			size_t len = 1 + xs(&seed) % (S - off + 100);

			check_read(f, p, st, &s, off, len, gone);
		}
	}
	assert_int_equal(argos_pool_close(p), 0);
}

static void test_every_loss(void **state)
{
	struct dfx *f = *state;

	check_pattern(f, 0);
	for (unsigned a = 0; a < NMEM; a++) {
		check_pattern(f, 1ull << a);
		for (unsigned b = a + 1; b < NMEM; b++)
			check_pattern(f, 1ull << a | 1ull << b);
	}
}

/* Reads of the clean stripe with chunks on missing members: k reads, k chunks' worth. */
static void test_read_cost(void **state)
{
	struct dfx *f = *state;
	struct dev_hooks h = { .ctx = f, .pre = count_pre, .post = count_post };

	for (uint64_t gone = 0; gone < 1ull << NMEM; gone++) {
		uint32_t crc[DATA_CRC_CAP];
		struct ad_stripe s = { .crc = crc };
		uint8_t *buf = malloc(S);
		uint64_t damaged = 0;
		argos_pool *p;

		assert_non_null(buf);
		if (__builtin_popcountll(gone) > 2) {
			free(buf);
			continue;
		}
		p = dopen(f, gone, ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED);
		get_stripe(f, p, 3, &s);
		for (unsigned i = 0; i < p->nmembers; i++)
			if (p->m[i].dev)
				dev_set_hooks(p->m[i].dev, &h);
		f->reads = f->read_bytes = 0;
		assert_int_equal(data_read_stripe(p, f->ino, 3 * S, &s, 0, S, buf, &damaged), 0);
		assert_memory_equal(buf, f->data + 3 * S, S);
		if (f->reads != 4 || f->read_bytes != (uint64_t)S)
			fail_msg("without %#llx: %llu reads, %llu bytes for one stripe",
				 (unsigned long long)gone, (unsigned long long)f->reads,
				 (unsigned long long)f->read_bytes);
		assert_int_equal(damaged, missing_chunks(p, &s) & 0xf);
		/* 100 bytes of a lost data chunk: k one-block reads */
		if (damaged) {
			unsigned c = (unsigned)__builtin_ctzll(damaged);

			f->reads = f->read_bytes = 0;
			assert_int_equal(data_read_stripe(p, f->ino, 3 * S, &s,
							  (uint64_t)c * CHUNK + 4096 + 5, 100, buf,
							  &damaged), 0);
			assert_memory_equal(buf, f->data + 3 * S + c * CHUNK + 4096 + 5, 100);
			assert_int_equal(f->reads, 4);
			assert_int_equal(f->read_bytes, 4 * 4096);
		}
		for (unsigned i = 0; i < p->nmembers; i++)
			if (p->m[i].dev)
				dev_set_hooks(p->m[i].dev, NULL);
		free(buf);
		assert_int_equal(argos_pool_close(p), 0);
	}
}

/*
 * Self-heal on a writable pool: stripe 2 has three damaged chunks (more than
 * m) but at most two bad blocks a row; the repair keeps each chunk's good
 * blocks and rebuilds the bad ones, so all three are replaced.
 */
static void test_repair(void **state)
{
	struct dfx *f = *state;
	struct argos_pool_status st;
	uint8_t *buf = malloc(S);
	argos_pool *p;

	assert_non_null(buf);
	p = dopen(f, 0, 0);
	assert_int_equal(data_read_window(p, f->ino, 2 * S, 0, S, buf), 0);
	assert_memory_equal(buf, f->data + 2 * S, S);
	argos_pool_status(p, &st);
	assert_int_equal(st.bad_blocks, 3);
	assert_int_equal(st.rebuilt_blocks, 3);
	assert_int_equal(st.repaired_chunks, 3);
	assert_int_equal(argos_pool_close(p), 0);
	p = dopen(f, 0, ARGOS_OPEN_RDONLY);
	memset(buf, 0, S);
	assert_int_equal(data_read_window(p, f->ino, 2 * S, 0, S, buf), 0);
	assert_memory_equal(buf, f->data + 2 * S, S);
	argos_pool_status(p, &st);
	assert_int_equal(st.bad_blocks, 0);
	assert_int_equal(argos_pool_close(p), 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_patterns),
		cmocka_unit_test(test_codec_threads),
		cmocka_unit_test_setup_teardown(test_every_loss, dsetup, dteardown),
		cmocka_unit_test_setup_teardown(test_read_cost, dsetup, dteardown),
		cmocka_unit_test_setup_teardown(test_repair, dsetup, dteardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
