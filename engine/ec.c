/*
 * ec.c — ISA-L Reed-Solomon codec (see ec.h).
 *
 * Rebuild: take the k generator rows of the chunks we have, invert that
 * k x k matrix (gf_invert_matrix); a wanted data chunk i is row i of the
 * inverse applied to the survivors; a wanted parity chunk p is generator row
 * k+p times the inverse.  ec_init_tables() + ec_encode_data() do the work.
 *
 * The codec cache is process-wide on purpose: codecs are pure functions of
 * (k, m), immutable once built, and shared by every pool in the process.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <isa-l/erasure_code.h>

#include "ec.h"

static pthread_mutex_t codec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ec_codec *codecs[AD_MAX_K + 1][AD_MAX_M + 1];

const struct ec_codec *ec_codec_get(unsigned k, unsigned m)
{
	struct ec_codec *c;

	if (k < 1 || k > AD_MAX_K || m > AD_MAX_M)
		return NULL;
	pthread_mutex_lock(&codec_lock);
	c = codecs[k][m];
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (c) {
			c->k = k;
			c->m = m;
			gf_gen_cauchy1_matrix(c->matrix, (int)(k + m), (int)k);
			if (m) {
				c->tables = malloc((size_t)k * m * 32);
				if (!c->tables) {
					free(c);
					c = NULL;
				} else {
					ec_init_tables((int)k, (int)m, c->matrix + (size_t)k * k, c->tables);
				}
			}
			codecs[k][m] = c;
		}
	}
	pthread_mutex_unlock(&codec_lock);
	return c;
}

void ec_encode(const struct ec_codec *c, size_t len, uint8_t *const *data, uint8_t **parity)
{
	if (c->m == 0 || len == 0)
		return;
	ec_encode_data((int)len, (int)c->k, (int)c->m, c->tables, (uint8_t **)data, parity);
}

/*
 * The decode tables of the last rebuild of this thread: a degraded read
 * rebuilds block row after block row of a stripe from the same survivors, and
 * inverting the matrix and building tables for each 4 KiB row cost as much as
 * the decoding itself (ec_bench).
 */
struct ec_dcache {
	const struct ec_codec *c;
	unsigned nwant;
	unsigned have[AD_MAX_K], want[EC_MAX_CHUNKS];
	uint8_t  tables[AD_MAX_K * EC_MAX_CHUNKS * 32];
};
static __thread struct ec_dcache dcache;

static int build_tables(const struct ec_codec *c, const unsigned *have, const unsigned *want,
			unsigned nwant, uint8_t *tables)
{
	unsigned k = c->k;
	uint8_t sub[AD_MAX_K * AD_MAX_K], inv[AD_MAX_K * AD_MAX_K];
	uint8_t rows[EC_MAX_CHUNKS * AD_MAX_K];
	uint64_t seen = 0;

	for (unsigned i = 0; i < k; i++) {
		if (have[i] >= k + c->m || (seen >> have[i] & 1))
			return -EINVAL;
		seen |= 1ull << have[i];
		memcpy(sub + (size_t)i * k, c->matrix + (size_t)have[i] * k, k);
	}
	if (gf_invert_matrix(sub, inv, (int)k) < 0)
		return -EINVAL;
	for (unsigned w = 0; w < nwant; w++) {
		uint8_t *row = rows + (size_t)w * k;

		if (want[w] >= k + c->m)
			return -EINVAL;
		if (want[w] < k) {
			memcpy(row, inv + (size_t)want[w] * k, k);
		} else {
			/* parity row times the inverse */
			const uint8_t *g = c->matrix + (size_t)want[w] * k;

			for (unsigned j = 0; j < k; j++) {
				uint8_t s = 0;

				for (unsigned x = 0; x < k; x++)
					s ^= gf_mul(g[x], inv[(size_t)x * k + j]);
				row[j] = s;
			}
		}
	}
	ec_init_tables((int)k, (int)nwant, rows, tables);
	return 0;
}

int ec_rebuild(const struct ec_codec *c, size_t len, const unsigned *have, uint8_t *const *in,
	       const unsigned *want, unsigned nwant, uint8_t **out)
{
	struct ec_dcache *d = &dcache;
	int err;

	if (nwant == 0)
		return 0;
	if (nwant > EC_MAX_CHUNKS)
		return -EINVAL;
	if (d->c != c || d->nwant != nwant || memcmp(d->have, have, c->k * sizeof(*have)) ||
	    memcmp(d->want, want, nwant * sizeof(*want))) {
		d->c = NULL;
		err = build_tables(c, have, want, nwant, d->tables);
		if (err)
			return err;
		d->c = c;
		d->nwant = nwant;
		memcpy(d->have, have, c->k * sizeof(*have));
		memcpy(d->want, want, nwant * sizeof(*want));
	}
	ec_encode_data((int)len, (int)c->k, (int)nwant, d->tables, (uint8_t **)in, out);
	return 0;
}
