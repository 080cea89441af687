/*
 * data_trunc.c — what a truncation frees: stripe records beyond the new
 * size go (their extents freed through the transaction, so the allocator
 * defers their reuse), the stripe holding the new end keeps its extents with
 * a shorter data_len (bytes past it read as zeros), inline pieces beyond it go.
 */
#include <errno.h>
#include <string.h>

#include "data.h"
#include "data_defer.h"
#include "ns.h"
#include "pool.h"

static int free_stripe(struct txn *t, const struct ad_stripe *s)
{
	for (unsigned i = 0; i < (unsigned)(s->k + s->m); i++) {
		int err = txn_free(t, ad_addr_member(s->addr[i]), ad_addr_block(s->addr[i]),
				   s->chunk_blocks);

		if (err)
			return err;
	}
	return 0;
}

/* Inline items past newsize go; the one holding newsize is cut there (its
 * bytes past it would come back as data if the file grew again). */
static int truncate_inline(struct txn *t, uint64_t ino, uint64_t newsize, uint64_t S)
{
	struct ad_key k = { .oid = ino, .type = AD_KT_INLINE, .off = newsize - newsize % S }, out;
	uint8_t raw[AD_ITEM_MAX];

	for (;;) {
		size_t vlen;
		int err = txn_next(t, &k, true, &out, raw, sizeof(raw), &vlen);

		if (err == -ENOENT || (!err && (out.oid != ino || out.type != AD_KT_INLINE)))
			return 0;
		if (err)
			return err;
		if (out.off >= newsize) {
			err = txn_del(t, &out);
		} else if (vlen > 4 && out.off + (vlen - 4) > newsize) {
			size_t n = (size_t)(newsize - out.off) + 4;

			ad_wr16(raw + 2, (uint16_t)n);
			err = txn_put(t, &out, raw, n);
		}
		if (err)
			return err;
		k = out;
		k.off++;
	}
}

int data_truncate_txn(struct argos_pool *p, struct txn *t, uint64_t ino, uint64_t newsize,
		      uint64_t *blocks)
{
	uint64_t S = data_stripe_size(p);
	struct ad_key k = { .oid = ino, .type = AD_KT_STRIPE, .off = newsize - newsize % S }, out;
	uint32_t crcbuf[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crcbuf };
	uint8_t raw[AD_ITEM_MAX];
	bool first = true;
	int err;

	for (;;) {
		size_t len;

		err = txn_next(t, &k, first, &out, raw, sizeof(raw), &len);
		first = false;
		if (err == -ENOENT || (!err && (out.oid != ino || out.type != AD_KT_STRIPE)))
			break;
		if (err)
			return err;
		k = out;
		if (ad_stripe_decode(raw, len, &s, DATA_CRC_CAP, NULL, 0))
			return -EIO;
		if (out.off >= newsize) {
			uint64_t b = (uint64_t)s.k * s.chunk_blocks * (AD_BLOCK / 512);

			err = free_stripe(t, &s);
			if (!err)
				err = txn_del(t, &out);
			if (blocks)
				*blocks = *blocks > b ? *blocks - b : 0;
		} else if (out.off + s.data_len > newsize) {
			uint8_t rec[AD_ITEM_MAX];
			int rl;

			s.data_len = (uint32_t)(newsize - out.off);
			rl = ad_stripe_encode(&s, rec, sizeof(rec));
			err = rl < 0 ? -EIO : txn_put(t, &out, rec, (size_t)rl);
		}
		if (err)
			return err;
	}
	err = data_defer_cut(t, ino, newsize, UINT64_MAX);
	return err ? err : truncate_inline(t, ino, newsize, S);
}
