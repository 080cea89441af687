/*
 * ec.h — Reed-Solomon erasure coding over ISA-L with a Cauchy matrix.
 *
 * Owns: the coding matrices and tables for each k+m in use, encoding m parity
 * chunks from k data chunks, and rebuilding any chunks from any k survivors.
 * The generator is gf_gen_cauchy1_matrix (systematic: rows 0..k-1 are the
 * identity; every k x k submatrix is invertible, unlike the Vandermonde
 * gf_gen_rs_matrix).  Codecs are immutable once built and shared by threads.
 */
#ifndef ARGOS_EC_H
#define ARGOS_EC_H

#include <stddef.h>
#include <stdint.h>

#include "ad_format.h"

#define EC_MAX_CHUNKS (AD_MAX_K + AD_MAX_M)

struct ec_codec {
	unsigned k, m;
	uint8_t  matrix[EC_MAX_CHUNKS * AD_MAX_K];   /* (k+m) x k generator */
	uint8_t *tables;                             /* k * m * 32 bytes (parity rows) */
};

/* The codec for k+m (cached for the life of the process; never freed). */
const struct ec_codec *ec_codec_get(unsigned k, unsigned m);

/* parity[0..m-1] = encode(data[0..k-1]), len bytes each. */
void ec_encode(const struct ec_codec *c, size_t len, uint8_t *const *data, uint8_t **parity);

/*
 * Rebuild chunks.  have[] lists k chunk indices (0..k+m-1) whose contents are
 * in in[] (same order); want[] lists nwant chunk indices to produce into
 * out[].  Returns 0, or -EINVAL when have[] is not k distinct indices.
 */
int  ec_rebuild(const struct ec_codec *c, size_t len, const unsigned *have, uint8_t *const *in,
		const unsigned *want, unsigned nwant, uint8_t **out);

#endif
