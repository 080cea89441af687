/*
 * ec_bench.c — erasure coding throughput per core: the engine's stripe codec
 * (engine/ec.c: ec_encode, ec_rebuild) against raw ISA-L (ec_encode_data with
 * the same Cauchy matrix and tables prepared once) in the same run.
 *
 * For each geometry k+m and chunk length: encode (k data chunks -> m parity
 * chunks) and decode (rebuild min(m, 2) lost data chunks from k survivors),
 * each timed for about -t CPU seconds on one thread, in five rounds that
 * alternate engine and raw (the best round of each is kept).  MB/s counts
 * the k data chunks' bytes (10^6 bytes per MB), as ISA-L's own benchmarks
 * do, per CPU second of the thread (per core; wall-clock MB/s is printed
 * too).  The
 * engine's decode inverts the survivors' matrix and builds tables on every
 * call (as data reads do); raw decode does that once, outside the loop.
 *
 * Usage: ec_bench [-t SECONDS] [-g K+M[,K+M...]] [-c BYTES[,BYTES...]]
 * Defaults: -t 1, -g 4+2,2+1,3+2,6+3,8+2,10+4, chunk lengths 4096 (the
 * block a degraded read rebuilds) and the pool's default chunk for that k+m
 * (layout_default_chunk: what full-stripe writes encode).
 * Output: one "key=value ..." line per measurement (encode, decode).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <isa-l/erasure_code.h>

#include "ec.h"
#include "layout.h"

#define ROUNDS 5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct bufs {
	unsigned k, m;
	size_t len;
	uint8_t *chunk[EC_MAX_CHUNKS];     /* data then parity */
	uint8_t *out[EC_MAX_CHUNKS];       /* decode outputs */
};

enum what { ENC_ENGINE, ENC_RAW, DEC_ENGINE, DEC_RAW };

struct raw {
	uint8_t matrix[EC_MAX_CHUNKS * AD_MAX_K];
	uint8_t enc_tables[AD_MAX_K * AD_MAX_M * 32];
	uint8_t dec_tables[AD_MAX_K * AD_MAX_M * 32];
	unsigned have[AD_MAX_K], want[AD_MAX_M], nwant;
	uint8_t *in[AD_MAX_K];
};

static void one(const struct ec_codec *c, struct raw *r, struct bufs *b, enum what w)
{
	switch (w) {
	case ENC_ENGINE:
		ec_encode(c, b->len, b->chunk, b->chunk + b->k);
		break;
	case ENC_RAW:
		ec_encode_data((int)b->len, (int)b->k, (int)b->m, r->enc_tables, b->chunk,
			       b->chunk + b->k);
		break;
	case DEC_ENGINE:
		if (ec_rebuild(c, b->len, r->have, r->in, r->want, r->nwant, b->out)) {
			fprintf(stderr, "ec_bench: ec_rebuild failed\n");
			exit(1);
		}
		break;
	case DEC_RAW:
		ec_encode_data((int)b->len, (int)b->k, (int)r->nwant, r->dec_tables, r->in, b->out);
		break;
	}
}

/*
 * One timed round of about secs seconds: MB/s of data per CPU second of this
 * thread (the machine is shared: wall time would count other processes'
 * turns); *wall gets the wall-clock MB/s.
 */
static double run(const struct ec_codec *c, struct raw *r, struct bufs *b, enum what w,
		  double secs, double *wall)
{
	uint64_t iters = 0, batch = 1;
	double t0, t, c0;

	for (unsigned i = 0; i < 3; i++)
		one(c, r, b, w);        /* warm caches and tables */
	/* batch so that the clock is read about every millisecond */
	t0 = cpu_now();
	while (cpu_now() - t0 < 1e-3) {
		one(c, r, b, w);
		batch++;
	}
	t0 = now();
	c0 = cpu_now();
	do {
		for (uint64_t i = 0; i < batch; i++)
			one(c, r, b, w);
		iters += batch;
		t = cpu_now();
	} while (t - c0 < secs);
	*wall = (double)iters * b->k * b->len / (now() - t0) / 1e6;
	return (double)iters * b->k * b->len / (t - c0) / 1e6;
}

static int bench(unsigned k, unsigned m, size_t len, double secs)
{
	const struct ec_codec *c = ec_codec_get(k, m);
	struct bufs b = { .k = k, .m = m, .len = len };
	struct raw r = { .nwant = m < 2 ? m : 2 };
	uint8_t sub[AD_MAX_K * AD_MAX_K], inv[AD_MAX_K * AD_MAX_K], rows[AD_MAX_M * AD_MAX_K];
	static const char *names[] = { "encode", "encode", "decode", "decode" };
	double mbs[4], wall[4];
	int rc = 0;

	if (!c || m == 0) {
		fprintf(stderr, "ec_bench: %u+%u: not a geometry to measure\n", k, m);
		return 1;
	}
	for (unsigned i = 0; i < k + m; i++) {
		if (posix_memalign((void **)&b.chunk[i], 64, len) ||
		    posix_memalign((void **)&b.out[i], 64, len)) {
			fprintf(stderr, "ec_bench: out of memory\n");
			exit(1);
		}
		for (size_t j = 0; j < len; j++)
			b.chunk[i][j] = (uint8_t)(rand() >> 7);
	}
	/* raw ISA-L: the same generator the engine uses, tables built once */
	gf_gen_cauchy1_matrix(r.matrix, (int)(k + m), (int)k);
	ec_init_tables((int)k, (int)m, r.matrix + (size_t)k * k, r.enc_tables);
	ec_encode(c, len, b.chunk, b.chunk + k);
	/* decode: lose data chunks 0..nwant-1, rebuild from the next k chunks */
	for (unsigned i = 0; i < k; i++) {
		r.have[i] = r.nwant + i;
		r.in[i] = b.chunk[r.nwant + i];
		memcpy(sub + (size_t)i * k, r.matrix + (size_t)r.have[i] * k, k);
	}
	for (unsigned w = 0; w < r.nwant; w++)
		r.want[w] = w;
	if (gf_invert_matrix(sub, inv, (int)k) < 0) {
		fprintf(stderr, "ec_bench: %u+%u: singular matrix\n", k, m);
		return 1;
	}
	for (unsigned w = 0; w < r.nwant; w++)
		memcpy(rows + (size_t)w * k, inv + (size_t)r.want[w] * k, k);
	ec_init_tables((int)k, (int)r.nwant, rows, r.dec_tables);

	/* ROUNDS rounds, engine and raw alternating; the best of each */
	memset(mbs, 0, sizeof(mbs));
	memset(wall, 0, sizeof(wall));
	for (int round = 0; round < ROUNDS; round++)
		for (int w = 0; w < 4; w++) {
			double wl, v = run(c, &r, &b, (enum what)w, secs / ROUNDS, &wl);

			if (v > mbs[w])
				mbs[w] = v;
			if (wl > wall[w])
				wall[w] = wl;
		}
	/* both decoders must give back the lost chunks */
	for (unsigned w = 0; w < r.nwant; w++)
		if (memcmp(b.out[w], b.chunk[r.want[w]], len)) {
			fprintf(stderr, "ec_bench: %u+%u: decode gave wrong data\n", k, m);
			rc = 1;
		}
	for (int w = 0; w < 4; w += 2)
		printf("op=%s k=%u m=%u chunk=%zu lost=%u engine_MBps=%.0f raw_MBps=%.0f "
		       "ratio=%.3f engine_wall_MBps=%.0f raw_wall_MBps=%.0f\n", names[w], k, m, len,
		       w ? r.nwant : 0, mbs[w], mbs[w + 1], mbs[w] / mbs[w + 1], wall[w], wall[w + 1]);
	for (unsigned i = 0; i < k + m; i++) {
		free(b.chunk[i]);
		free(b.out[i]);
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *geoms = "4+2,2+1,3+2,6+3,8+2,10+4", *chunks = NULL;
	double secs = 1;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			secs = strtod(argv[++i], NULL);
		} else if (!strcmp(argv[i], "-g") && i + 1 < argc) {
			geoms = argv[++i];
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			chunks = argv[++i];
		} else {
			fprintf(stderr, "usage: ec_bench [-t SECONDS] [-g K+M[,K+M...]] "
				"[-c BYTES[,BYTES...]]\n");
			return 2;
		}
	}
	srand(1);
	for (const char *g = geoms; *g;) {
		unsigned k, m;
		int used;

		if (sscanf(g, "%u+%u%n", &k, &m, &used) != 2) {
			fprintf(stderr, "ec_bench: bad geometry at '%s'\n", g);
			return 2;
		}
		g += used;
		if (*g == ',')
			g++;
		if (chunks) {
			for (const char *s = chunks; *s;) {
				char *end;
				unsigned long len = strtoul(s, &end, 0);

				if (end == s || len == 0) {
					fprintf(stderr, "ec_bench: bad chunk length at '%s'\n", s);
					return 2;
				}
				rc |= bench(k, m, len, secs);
				s = *end == ',' ? end + 1 : end;
			}
		} else {
			rc |= bench(k, m, 4096, secs);
			rc |= bench(k, m, layout_default_chunk(k, m), secs);
		}
	}
	return rc;
}
