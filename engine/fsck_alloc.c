/*
 * fsck_alloc.c — fsck phase 3: the space maps against what is referenced.
 *
 * The blocks that must be used on a member are:
 *   - every mirror of every page of the checkpoint tree (phase 2's list);
 *   - every extent an item references: each chunk of each stripe record;
 *   - every block awaiting release: the map's pending bits (pending(G-1) ∪
 *     pending(G) of the checkpoint) and the frees the replay made.
 * Compared with the member's used bits (as replay leaves them):
 *   used, not referenced  -> leaked (-y/-p: a transaction FREEs them; the
 *                            close's checkpoint records them as pending),
 *                            unless some references could not be read (a
 *                            lost page, a stripe record that does not
 *                            decode): then nothing is freed;
 *   referenced, not used  -> corruption (-y/-p: a transaction ALLOCs them).
 * Reference counts: an extent referenced n > 1 times needs an EXTREF item
 * (oid = member, off = block) saying n, and an EXTREF item must match the
 * references found; two different extents may not overlap (fsck_refs.c).
 * -y rewrites a wrong count (or deletes the item when at most one reference
 * is left) and adds a missing one.
 *
 * Everything is computed from the read-only store before the first report,
 * because a repair reopens the store read-write (fsck_store_rw).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad_items.h"
#include "ad_stripe.h"
#include "elog.h"
#include "fsck.h"
#include "pool.h"
#include "store.h"

#define FIX_OPS_PER_TXN 256
#define LIST_SHOWN      4

struct ext {
	uint64_t block, n;                /* member block numbers */
};

struct extvec {
	size_t n, cap;
	struct ext *e;
	uint64_t blocks;
};

struct bad_extref {
	struct ad_key key;
	char why[AD_WHY_MAX];
};

struct astate {
	struct fsck_extref *x;            /* decoded EXTREF items */
	size_t nx, capx;
	struct bad_extref *bad;           /* EXTREF items that do not decode or fit */
	size_t nbad, capbad;
	struct fsck_share *sh;            /* sharing findings */
	size_t nsh, capsh;
	struct extvec *leaked, *unmarked; /* per member */
	struct fsck_ref *out_of_range;    /* references outside a data area */
	size_t nout, capout;
	bool incomplete;                  /* some references could not be read */
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 16;
	np = realloc(*p, ncap * size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static int ext_add(struct extvec *v, uint64_t block, uint64_t n)
{
	if (v->n && v->e[v->n - 1].block + v->e[v->n - 1].n == block) {
		v->e[v->n - 1].n += n;
	} else {
		if (grow((void **)&v->e, &v->cap, v->n, sizeof(*v->e)))
			return -ENOMEM;
		v->e[v->n++] = (struct ext){ block, n };
	}
	v->blocks += n;
	return 0;
}

static const char *kind_name(unsigned kind)
{
	return kind == FSCK_REF_PAGE ? "tree page" : kind == FSCK_REF_STRIPE ? "stripe" : "?";
}

/* ---- references held by items ------------------------------------------------ */

/*
 * References held by items.  A stripe record (ad_stripe.h) references one
 * extent per chunk: (member, first block, chunk_blocks).  A record that does
 * not decode (phase 2 reports it) leaves the references incomplete, and
 * blocks that then look leaked are not freed.
 * HOOK: later kinds of references (deferred writes that own blocks, snapshot
 * tables) get a function like this one and a case in on_item().
 */
static int stripe_refs(struct fsck_ctx *c, struct astate *as, const uint8_t *val, size_t len)
{
	uint32_t crc[AD_ITEM_MAX / 4];
	struct ad_stripe st = { .crc = crc };

	if (ad_stripe_decode(val, len, &st, sizeof(crc) / sizeof(crc[0]), NULL, 0)) {
		as->incomplete = true;
		return 0;
	}
	for (unsigned j = 0; j < (unsigned)st.k + st.m; j++) {
		int err = fsck_refs_add(&c->refs, ad_addr_member(st.addr[j]),
					ad_addr_block(st.addr[j]), st.chunk_blocks, FSCK_REF_STRIPE);

		if (err)
			return err;
	}
	return 0;
}

static int collect_extref(struct fsck_ctx *c, struct astate *as, const struct ad_key *k,
			  const uint8_t *val, size_t len)
{
	struct alloc *al = &c->pool->st.alloc;
	struct bad_extref b = { .key = *k };
	struct ad_extref x;
	int err = ad_extref_decode(val, len, &x, b.why, sizeof(b.why));

	if (!err) {
		const struct alloc_member *m = k->oid < al->n ? &al->m[k->oid] : NULL;

		if (!m || !m->present) {
			if (k->oid < al->n)
				return 0;   /* a member not here: nothing to compare with */
			snprintf(b.why, sizeof(b.why), "member %llu is not in the pool",
				 (unsigned long long)k->oid);
			err = -EUCLEAN;
		} else if (k->off < m->data_start || k->off - m->data_start > m->sm.nblocks ||
			   x.nblocks > m->sm.nblocks - (k->off - m->data_start)) {
			snprintf(b.why, sizeof(b.why), "extent %llu+%llu is outside member %llu's "
				 "data area", (unsigned long long)k->off,
				 (unsigned long long)x.nblocks, (unsigned long long)k->oid);
			err = -EUCLEAN;
		}
	}
	if (err) {
		if (grow((void **)&as->bad, &as->capbad, as->nbad, sizeof(*as->bad)))
			return -ENOMEM;
		as->bad[as->nbad++] = b;
		return 0;
	}
	if (grow((void **)&as->x, &as->capx, as->nx, sizeof(*as->x)))
		return -ENOMEM;
	as->x[as->nx++] = (struct fsck_extref){ .member = (unsigned)k->oid, .block = k->off,
						.nblocks = x.nblocks, .refs = x.refs };
	return 0;
}

static int on_item(struct fsck_ctx *c, const struct ad_key *k, const uint8_t *val, size_t len,
		   void *arg)
{
	switch (k->type) {
	case AD_KT_STRIPE:
		return stripe_refs(c, arg, val, len);
	case AD_KT_EXTREF:
		return collect_extref(c, arg, k, val, len);
	}
	return 0;
}

static int on_share(void *ctx, const struct fsck_share *f)
{
	struct astate *as = ctx;

	if (grow((void **)&as->sh, &as->capsh, as->nsh, sizeof(*as->sh)))
		return -ENOMEM;
	as->sh[as->nsh++] = *f;
	return 0;
}

/* ---- the maps ------------------------------------------------------------------ */

static void mark_list(const struct ext_list *l, unsigned i, uint64_t *must)
{
	for (size_t e = 0; e < l->n; e++)
		if (l->e[e].member == i)
			sm_bits_set(must, l->e[e].block, l->e[e].n);
}

/* must = references ∪ pending on member i; leaked/unmarked = the differences with used. */
static int compare_member(struct fsck_ctx *c, struct astate *as, unsigned i)
{
	struct alloc *al = &c->pool->st.alloc;
	struct alloc_member *m = &al->m[i];
	size_t words = (size_t)m->sm.bm_blocks * (AD_BLOCK / 8);
	uint64_t *must = calloc(words ? words : 1, sizeof(*must));
	int err = 0;

	if (!must)
		return -ENOMEM;
	for (size_t r = 0; r < c->refs.n && !err; r++) {
		const struct fsck_ref *f = &c->refs.r[r];

		if (f->member != i)
			continue;
		if (f->block < m->data_start || f->block - m->data_start > m->sm.nblocks ||
		    f->n > m->sm.nblocks - (f->block - m->data_start)) {
			err = grow((void **)&as->out_of_range, &as->capout, as->nout,
				   sizeof(*as->out_of_range));
			if (!err)
				as->out_of_range[as->nout++] = *f;
			continue;
		}
		sm_bits_set(must, f->block - m->data_start, f->n);
	}
	pthread_mutex_lock(&al->lock);
	for (size_t w = 0; w < words; w++)
		must[w] |= m->sm.pending[w];
	mark_list(&al->pend_cur, i, must);
	mark_list(&al->pend_snap, i, must);
	mark_list(&al->pend_prev, i, must);
	for (uint64_t b = 0; b < m->sm.nblocks && !err; b++) {
		uint64_t w = b / 64, used = m->sm.used[w];

		if (b % 64 == 0 && used == must[w]) {
			b += 63;
			continue;
		}
		if (((used ^ must[w]) >> (b % 64) & 1) == 0)
			continue;
		err = ext_add((used >> (b % 64) & 1) ? &as->leaked[i] : &as->unmarked[i],
			      m->data_start + b, 1);
	}
	pthread_mutex_unlock(&al->lock);
	free(must);
	return err;
}

/* ---- repairs ---------------------------------------------------------------------- */

struct space_fix {
	unsigned member;
	bool alloc;                 /* ALLOC (unmarked) or FREE (leaked) */
	const struct extvec *v;
	size_t from, to;            /* the extents of one transaction */
};

static int space_txn(struct txn *t, void *arg)
{
	const struct space_fix *f = arg;

	for (size_t i = f->from; i < f->to; i++) {
		const struct ext *e = &f->v->e[i];
		int err = f->alloc ? txn_alloc(t, f->member, e->block, e->n)
				   : txn_free(t, f->member, e->block, e->n);

		if (err)
			return err;
	}
	return 0;
}

static int fix_space(struct fsck_ctx *c, void *arg)
{
	struct space_fix f = *(const struct space_fix *)arg;
	int err = fsck_store_rw(c);

	for (f.from = 0; !err && f.from < f.v->n; f.from = f.to) {
		f.to = f.from + FIX_OPS_PER_TXN < f.v->n ? f.from + FIX_OPS_PER_TXN : f.v->n;
		err = store_txn(&c->pool->st, space_txn, &f, STORE_SYNC);
	}
	return err;
}

struct extref_fix {
	struct ad_key key;
	bool del;
	struct ad_extref x;
};

static int extref_txn(struct txn *t, void *arg)
{
	const struct extref_fix *f = arg;
	uint8_t v[AD_EXTREF_SIZE];

	if (f->del)
		return txn_del(t, &f->key);
	ad_extref_encode(&f->x, v);
	return txn_put(t, &f->key, v, sizeof(v));
}

static int fix_extref(struct fsck_ctx *c, void *arg)
{
	int err = fsck_store_rw(c);

	return err ? err : store_txn(&c->pool->st, extref_txn, arg, STORE_SYNC);
}

/* ---- reporting ---------------------------------------------------------------------- */

static void ext_text(const struct extvec *v, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < v->n && i < LIST_SHOWN && used + 1 < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%sblock %llu+%llu", i ? ", " : "",
					 (unsigned long long)v->e[i].block,
					 (unsigned long long)v->e[i].n);
	if (v->n > LIST_SHOWN && used + 1 < len)
		snprintf(out + used, len - used, ", ...");
}

static void report_space(struct fsck_ctx *c, struct astate *as, unsigned nmembers)
{
	char list[200];

	for (unsigned i = 0; i < nmembers; i++) {
		struct space_fix fl = { .member = i, .alloc = false, .v = &as->leaked[i] };
		struct space_fix fu = { .member = i, .alloc = true, .v = &as->unmarked[i] };

		if (as->leaked[i].n) {
			ext_text(&as->leaked[i], list, sizeof(list));
			fsck_report(c, PR_3_SPACE_LEAKED, as->incomplete ? NULL : fix_space, &fl,
				    "member %u: %llu blocks in %zu extents are marked used but nothing "
				    "references them (%s)%s", i,
				    (unsigned long long)as->leaked[i].blocks, as->leaked[i].n, list,
				    as->incomplete ? "; not freed: some references could not be read "
				    "(lost pages or damaged stripe records)" : "");
		}
		if (as->unmarked[i].n) {
			ext_text(&as->unmarked[i], list, sizeof(list));
			fsck_report(c, PR_3_SPACE_UNMARKED, fix_space, &fu,
				    "member %u: %llu blocks in %zu extents are referenced (or awaiting "
				    "release) but marked free (%s)", i,
				    (unsigned long long)as->unmarked[i].blocks, as->unmarked[i].n, list);
		}
	}
	for (size_t r = 0; r < as->nout; r++)
		fsck_report(c, PR_3_REF_RANGE, NULL, NULL, "a %s references member %u block "
			    "%llu+%llu, outside its data area", kind_name(as->out_of_range[r].kind),
			    as->out_of_range[r].member,
			    (unsigned long long)as->out_of_range[r].block,
			    (unsigned long long)as->out_of_range[r].n);
}

static void report_shares(struct fsck_ctx *c, struct astate *as)
{
	for (size_t i = 0; i < as->nbad; i++) {
		struct extref_fix f = { .key = as->bad[i].key, .del = true };

		fsck_report(c, PR_3_EXTREF_BAD, fix_extref, &f, "extent reference item (%llu, "
			    "extref, %llu): %s", (unsigned long long)f.key.oid,
			    (unsigned long long)f.key.off, as->bad[i].why);
	}
	for (size_t i = 0; i < as->nsh; i++) {
		const struct fsck_share *s = &as->sh[i];
		struct extref_fix f = { .key = { s->member, AD_KT_EXTREF, s->block },
					.x = { .refs = s->found, .nblocks = s->n } };

		switch (s->kind) {
		case FSCK_SHARE_OVERLAP:
			fsck_report(c, PR_3_BLOCKS_SHARED, NULL, NULL, "member %u: extent "
				    "%llu+%llu (%s) overlaps extent %llu+%llu (%s)", s->member,
				    (unsigned long long)s->block, (unsigned long long)s->n,
				    kind_name(s->kind_a), (unsigned long long)s->other_block,
				    (unsigned long long)s->other_n, kind_name(s->kind_b));
			break;
		case FSCK_SHARE_MISSING:
			fsck_report(c, PR_3_EXTREF_MISSING, fix_extref, &f, "member %u: extent "
				    "%llu+%llu is referenced %llu times but has no extent reference "
				    "item", s->member, (unsigned long long)s->block,
				    (unsigned long long)s->n, (unsigned long long)s->found);
			break;
		case FSCK_SHARE_COUNT:
			f.del = s->found < 2;
			fsck_report(c, PR_3_EXTREF_COUNT, fix_extref, &f, "extent reference item "
				    "(%u, extref, %llu) counts %llu references to %llu blocks; %llu "
				    "found%s", s->member, (unsigned long long)s->block,
				    (unsigned long long)s->refs, (unsigned long long)s->n,
				    (unsigned long long)s->found, f.del ? " (the item goes)" : "");
			break;
		}
	}
}

static void astate_free(struct astate *as, unsigned nmembers)
{
	for (unsigned i = 0; as->leaked && i < nmembers; i++)
		free(as->leaked[i].e);
	for (unsigned i = 0; as->unmarked && i < nmembers; i++)
		free(as->unmarked[i].e);
	free(as->leaked);
	free(as->unmarked);
	free(as->x);
	free(as->bad);
	free(as->sh);
	free(as->out_of_range);
}

int fsck_phase_alloc(struct fsck_ctx *c)
{
	unsigned n = c->pool->st.alloc.n;
	struct astate as = { 0 };
	int err;

	as.leaked = calloc(n ? n : 1, sizeof(*as.leaked));
	as.unmarked = calloc(n ? n : 1, sizeof(*as.unmarked));
	if (!as.leaked || !as.unmarked) {
		err = -ENOMEM;
		goto out;
	}
	fsck_progress(c, "allocator", 0, n);
	as.incomplete = c->nlost > 0;   /* the items under a lost page are unknown */
	err = fsck_items(c, on_item, &as);
	if (!err)
		err = fsck_share_check(&c->refs, as.x, as.nx, on_share, &as);
	for (unsigned i = 0; i < n && !err; i++) {
		if (c->pool->st.alloc.m[i].present)
			err = compare_member(c, &as, i);
		fsck_progress(c, "allocator", i + 1, n);
	}
	if (err)
		goto out;
	/* From here on a repair may replace c->pool: only as is used. */
	report_shares(c, &as);
	report_space(c, &as, n);
out:
	astate_free(&as, n);
	return err;
}
