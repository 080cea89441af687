/*
 * data_commit.c — the transactions that switch a stripe window to new
 * contents: a new stripe record, inline data, or a repaired record.
 *
 * A window's contents are exactly one of: nothing (a hole), one STRIPE
 * record, or INLINE items (at most DATA_INLINE_MAX bytes: small files and
 * short tails live in metadata, mirrored m+1 times, instead of a k+m stripe
 * of padding) — plus DEFER items over either (small overwrites not folded
 * yet).  Committing new contents removes what was there in the same
 * transaction: old extents are FREEd (the allocator keeps them until it is
 * safe), old inline and deferred items deleted.
 */
#include <errno.h>
#include <string.h>

#include "data.h"
#include "ns.h"
#include "pool.h"

/* Delete every item of `type` keyed in [from, to) under ino; *bytes adds
 * their value sizes (without the 4-byte prefix). */
int data_del_range(struct txn *t, uint64_t ino, uint8_t type, uint64_t from, uint64_t to,
		   uint64_t *bytes)
{
	struct ad_key k = { .oid = ino, .type = type, .off = from }, out;
	bool first = true;

	for (;;) {
		size_t len;
		int err = txn_next(t, &k, first, &out, NULL, 0, &len);

		first = false;
		if (err == -ENOENT || (!err && (out.oid != ino || out.type != type || out.off >= to)))
			return 0;
		if (err)
			return err;
		err = txn_del(t, &out);
		if (err)
			return err;
		if (bytes)
			*bytes += len > 4 ? len - 4 : 0;
		k = out;
	}
}

/* Remove the window's stripe (freeing its extents), inline and deferred
 * items; *blocks drops by what they accounted for. */
int data_clear_window(struct argos_pool *p, struct txn *t, uint64_t ino, uint64_t ws,
			uint64_t *blocks)
{
	struct ad_key k = { .oid = ino, .type = AD_KT_STRIPE, .off = ws };
	uint32_t crcbuf[DATA_CRC_CAP];
	struct ad_stripe old = { .crc = crcbuf };
	uint8_t raw[AD_ITEM_MAX];
	uint64_t S = data_stripe_size(p), ib = 0, drop = 0;
	size_t vlen;
	int err = txn_get(t, &k, raw, sizeof(raw), &vlen);

	if (err && err != -ENOENT)
		return err;
	if (!err) {
		if (ad_stripe_decode(raw, vlen, &old, DATA_CRC_CAP, NULL, 0))
			return -EIO;
		for (unsigned i = 0; i < (unsigned)(old.k + old.m); i++) {
			err = txn_free(t, ad_addr_member(old.addr[i]), ad_addr_block(old.addr[i]),
				       old.chunk_blocks);
			if (err)
				return err;
		}
		err = txn_del(t, &k);
		if (err)
			return err;
		drop += (uint64_t)old.k * old.chunk_blocks * (AD_BLOCK / 512);
	}
	err = data_del_range(t, ino, AD_KT_INLINE, ws, ws + S, &ib);
	if (!err)
		err = data_del_range(t, ino, AD_KT_DEFER, ws, ws + S, NULL);
	drop += (ib + 511) / 512;
	*blocks = *blocks > drop ? *blocks - drop : 0;
	return err;
}

static int commit_fn(struct txn *t, void *arg)
{
	struct data_commit *c = arg;
	struct ad_key k = { .oid = c->ino, .type = AD_KT_STRIPE, .off = c->ws };
	struct ad_inode in;
	int err = ns_get_inode(t, c->ino, &in);

	if (err)
		return err;
	if (c->kind == DATA_COMMIT_REPAIR) {
		uint32_t crcbuf[DATA_CRC_CAP];
		struct ad_stripe old = { .crc = crcbuf };
		uint8_t raw[AD_ITEM_MAX];
		size_t vlen;

		err = txn_get(t, &k, raw, sizeof(raw), &vlen);
		if (err == -ENOENT)
			return -ESTALE;
		if (err)
			return err;
		if (ad_stripe_decode(raw, vlen, &old, DATA_CRC_CAP, NULL, 0))
			return -EIO;
		if (old.wgen != c->wgen)
			return -ESTALE;   /* rewritten meanwhile: nothing to repair */
		for (unsigned i = 0; i < (unsigned)(old.k + old.m); i++) {
			if (!(c->repaired >> i & 1))
				continue;
			err = txn_alloc(t, ad_addr_member(c->s->addr[i]), ad_addr_block(c->s->addr[i]),
					c->s->chunk_blocks);
			if (!err)
				err = txn_free(t, ad_addr_member(old.addr[i]), ad_addr_block(old.addr[i]),
					       old.chunk_blocks);
			if (err)
				return err;
		}
		return txn_put(t, &k, c->rec, (size_t)c->reclen);
	}
	err = data_clear_window(c->p, t, c->ino, c->ws, &in.blocks);
	if (err)
		return err;
	if (c->kind == DATA_COMMIT_STRIPE) {
		for (unsigned i = 0; i < (unsigned)(c->s->k + c->s->m); i++) {
			err = txn_alloc(t, ad_addr_member(c->s->addr[i]), ad_addr_block(c->s->addr[i]),
					c->s->chunk_blocks);
			if (err)
				return err;
		}
		err = txn_put(t, &k, c->rec, (size_t)c->reclen);
		in.blocks += (uint64_t)c->s->k * c->s->chunk_blocks * (AD_BLOCK / 512);
	} else if (c->len) {
		/* INLINE: the window's bytes in metadata items. */
		err = ns_inline_write_at(t, c->ino, c->ws, c->data, c->len);
		in.blocks += (c->len + 511) / 512;
	}
	if (err)
		return err;
	if (c->ws + c->len > in.size)
		in.size = c->ws + c->len;
	ns_touch(&in, true, true);
	return ns_put_inode(t, c->ino, &in);
}

int data_commit(struct data_commit *c)
{
	return store_txn(&c->p->st, commit_fn, c, 0);
}
