/*
 * extref.c — extent reference counts (see extref.h).
 *
 * Whether an extent without an item is in use (one reference) or not (none)
 * is the allocator's answer (alloc_in_use), overridden by the transaction's
 * own ALLOC and FREE operations on it, the last of which wins: so a
 * transaction that allocates an extent can reference it again, and one that
 * dropped the last reference cannot drop it twice.
 */
#include <errno.h>
#include <string.h>

#include "ad_items.h"
#include "extref.h"

static int check_args(const struct txn *t, unsigned member, uint64_t n)
{
	return n == 0 || member >= t->st->alloc.n ? -EINVAL : 0;
}

/* The transaction's own verdict on [block, block+n): 1 allocated by it, 0
 * freed by it, -1 it did not say. */
static int own_space_op(const struct txn *t, unsigned member, uint64_t block, uint64_t n)
{
	struct ad_jop op;
	size_t pos = 0;
	int last = -1;

	if (t->len <= AD_JTXN_HDR)
		return -1;
	while (ad_jop_next(t->buf + AD_JTXN_HDR, t->len - AD_JTXN_HDR, &pos, &op, NULL, 0) == 1) {
		if ((op.type != AD_JOP_ALLOC && op.type != AD_JOP_FREE) || op.member != member ||
		    op.block >= block + n || block >= op.block + op.n)
			continue;
		if (op.type == AD_JOP_FREE)
			last = 0;
		else if (op.block <= block && op.block + op.n >= block + n)
			last = 1;
	}
	return last;
}

static bool in_use(struct txn *t, unsigned member, uint64_t block, uint64_t n)
{
	int own = own_space_op(t, member, block, n);

	return own >= 0 ? own == 1 : alloc_in_use(&t->st->alloc, member, block, n);
}

/* The item of the extent: 0, -ENOENT (none), -EINVAL (other length), or an error. */
static int read_item(struct txn *t, const struct ad_key *k, uint64_t n, struct ad_extref *x)
{
	uint8_t v[AD_ITEM_MAX];
	char why[AD_WHY_MAX];
	size_t len = 0;
	int err = txn_get(t, k, v, sizeof(v), &len);

	if (err)
		return err;
	err = ad_extref_decode(v, len < sizeof(v) ? len : sizeof(v), x, why, sizeof(why));
	if (err)
		return err;
	return x->nblocks == n ? 0 : -EINVAL;
}

static int write_item(struct txn *t, const struct ad_key *k, const struct ad_extref *x)
{
	uint8_t v[AD_EXTREF_SIZE];

	ad_extref_encode(x, v);
	return txn_put(t, k, v, sizeof(v));
}

/*
 * The extent's count as t sees it, into *x (refs 0, 1 or the item's; nblocks
 * n) and *k (its item's key).  Returns 1 when an item holds it, 0 when none
 * does, or an error.
 */
static int lookup(struct txn *t, unsigned member, uint64_t block, uint64_t n, struct ad_key *k,
		  struct ad_extref *x)
{
	int err = check_args(t, member, n);

	*k = (struct ad_key){ .oid = member, .type = AD_KT_EXTREF, .off = block };
	if (!err)
		err = read_item(t, k, n, x);
	if (!err)
		return 1;
	if (err != -ENOENT)
		return err;
	x->refs = in_use(t, member, block, n) ? 1 : 0;
	x->nblocks = n;
	return 0;
}

int extref_get(struct txn *t, unsigned member, uint64_t block, uint64_t n, uint64_t *refs)
{
	struct ad_key k;
	struct ad_extref x;
	int err = lookup(t, member, block, n, &k, &x);

	if (err < 0)
		return err;
	*refs = x.refs;
	return 0;
}

int extref_inc(struct txn *t, unsigned member, uint64_t block, uint64_t n)
{
	struct ad_key k;
	struct ad_extref x;
	int err = lookup(t, member, block, n, &k, &x);

	if (err < 0)
		return err;
	if (x.refs == 0)
		return -ENOENT;
	if (x.refs == UINT64_MAX)
		return -EOVERFLOW;
	x.refs++;                                 /* 1 -> 2 creates the item */
	return write_item(t, &k, &x);
}

int extref_dec(struct txn *t, unsigned member, uint64_t block, uint64_t n)
{
	struct ad_key k;
	struct ad_extref x;
	int err = lookup(t, member, block, n, &k, &x);

	if (err < 0)
		return err;
	switch (x.refs) {
	case 0:
		return -ENOENT;
	case 1:
		return txn_free(t, member, block, n);   /* the last reference */
	case 2:
		return txn_del(t, &k);
	}
	x.refs--;
	return write_item(t, &k, &x);
}
