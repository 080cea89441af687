/*
 * ad_jops.h — what a journal entry's payload holds: transactions of item
 * operations.
 *
 * Owns: the byte layout of the payload (ad_format.h, "Journal entries") and
 * its validating iterator.  A payload is a sequence of transactions:
 *
 *   transaction header (16 bytes)
 *     0  len   le32  bytes of the transaction, header included
 *     4  nops  le32  operations that follow
 *     8  id    le64  transaction id (informational, increasing)
 *   operations, each starting with a type byte:
 *     AD_JOP_PUT   1  key[17] vlen le16 value[vlen]    insert or replace an item
 *     AD_JOP_DEL   2  key[17]                          delete an item (absent: no-op)
 *     AD_JOP_ALLOC 3  member le16 block le64 n le64     blocks now used (member block numbers)
 *     AD_JOP_FREE  4  member le16 block le64 n le64     blocks no longer referenced
 *     AD_JOP_DATA  5  reserved for deferred small writes
 *
 * Replaying a transaction applies its operations in order; every operation
 * is idempotent on the state it was logged against, so replaying a journal
 * twice from the same checkpoint gives the same result.
 */
#ifndef ARGOS_AD_JOPS_H
#define ARGOS_AD_JOPS_H

#include <stddef.h>
#include <stdint.h>

#include "ad_format.h"

#define AD_JOP_PUT    1
#define AD_JOP_DEL    2
#define AD_JOP_ALLOC  3
#define AD_JOP_FREE   4
#define AD_JOP_DATA   5

#define AD_JTXN_HDR   16

struct ad_jop {
	uint8_t        type;
	struct ad_key  key;        /* PUT, DEL */
	const uint8_t *val;        /* PUT (points into the payload when decoded) */
	uint16_t       vlen;
	uint16_t       member;     /* ALLOC, FREE */
	uint64_t       block, n;
};

/* Bytes op takes in a payload. */
size_t ad_jop_size(const struct ad_jop *op);
/* Encode op at out (ad_jop_size(op) bytes). */
void   ad_jop_encode(const struct ad_jop *op, uint8_t *out);
/* Encode a transaction header. */
void   ad_jtxn_hdr_encode(uint8_t out[AD_JTXN_HDR], uint32_t len, uint32_t nops, uint64_t id);

/*
 * Next transaction of a payload at *pos: *ops and *opslen cover its operations
 * (header excluded).  Returns 1 with *pos advanced, 0 at the end, or
 * -EUCLEAN when lengths do not add up.
 */
int ad_jtxn_next(const uint8_t *payload, size_t len, size_t *pos, const uint8_t **ops,
		 size_t *opslen, uint32_t *nops, uint64_t *id, char *why, size_t whylen);
/* Next operation of a transaction's ops: 1, 0 at the end, -EUCLEAN. */
int ad_jop_next(const uint8_t *ops, size_t len, size_t *pos, struct ad_jop *op,
		char *why, size_t whylen);

#endif
