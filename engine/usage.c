/*
 * usage.c — argos_pool_usage(): where a pool's space goes (argosfs df).
 *
 * Per member: the allocator's data-area totals.  Pool-wide: one pass over
 * the metadata items, counting the blocks stripes hold (data and parity
 * chunks), the logical bytes they store, the bytes of inline data, and for
 * compressed stripes the logical bytes against the stored ones (a scan, no
 * counter: df is rare and the pass reads every item anyway).  The
 * pass runs in batches of USAGE_BATCH items a read-locked look each, so a
 * page fault (which restarts a look from its first item) never redoes more
 * than one batch.
 */
#include <errno.h>
#include <string.h>

#include "ad_stripe.h"
#include "data_compress.h"
#include "pool.h"

#define USAGE_BATCH 2048u

struct usage_walk {
	struct ad_key from;       /* next item to look at */
	bool first, done;
	/* counted by the current batch (added when it finishes) */
	uint64_t stripes, stripe_blocks, stripe_data_blocks, stripe_bytes, inline_bytes, items;
	uint64_t cz_stripes, cz_logical, cz_stored;
};

static int usage_fn(struct txn *t, void *arg)
{
	struct usage_walk *w = arg;
	struct ad_key k = w->from, out;
	bool first = w->first;
	uint8_t raw[AD_ITEM_MAX];

	w->stripes = w->stripe_blocks = w->stripe_data_blocks = w->stripe_bytes = 0;
	w->inline_bytes = w->items = 0;
	w->cz_stripes = w->cz_logical = w->cz_stored = 0;
	for (unsigned n = 0; n < USAGE_BATCH; n++) {
		size_t vlen;
		int err = txn_next(t, &k, first, &out, raw, sizeof(raw), &vlen);

		first = false;
		if (err == -ENOENT) {
			w->done = true;
			return 0;
		}
		if (err)
			return err;
		w->items++;
		if (out.type == AD_KT_STRIPE && vlen >= AD_STRIPE_HDR) {
			unsigned kk = raw[4], mm = raw[5], cb = ad_rd16(raw + 8);

			w->stripes++;
			w->stripe_blocks += (uint64_t)(kk + mm) * cb;
			w->stripe_data_blocks += (uint64_t)kk * cb;
			w->stripe_bytes += ad_rd32(raw + 12);
			if ((raw[7] & AD_STRIPE_F_COMPRESSED) &&
			    vlen >= ad_stripe_csize(kk, mm, cb, 0)) {
				/* slen: 8 bytes into the unit table */
				w->cz_stripes++;
				w->cz_logical += ad_rd32(raw + 12);
				w->cz_stored += ad_rd32(raw + ad_stripe_size(kk, mm, cb) + 8);
			}
		} else if (out.type == AD_KT_INLINE && vlen > 4) {
			w->inline_bytes += vlen - 4;
		}
		k = out;
	}
	w->from = k;
	w->first = false;
	return 0;
}

int argos_pool_usage(argos_pool *p, struct argos_usage *u)
{
	struct usage_walk w = { .first = true };
	uint64_t pending = 0;
	unsigned k = p->sb.k, m = p->sb.m;

	memset(u, 0, sizeof(*u));
	u->k = k;
	u->m = m;
	u->nmembers = p->nmembers < ARGOS_USAGE_MAX_MEMBERS ? p->nmembers : ARGOS_USAGE_MAX_MEMBERS;
	pthread_mutex_lock(&p->st.alloc.lock);
	for (unsigned i = 0; i < u->nmembers; i++) {
		struct argos_usage_member *um = &u->members[i];
		struct alloc_member *am = i < p->st.alloc.n ? &p->st.alloc.m[i] : NULL;

		um->index = (int)i;
		um->status = p->m[i].status;
		um->size = p->mtab[i].size;
		if (p->m[i].path)
			snprintf(um->path, sizeof(um->path), "%s", p->m[i].path);
		u->raw_bytes += um->size;
		if (!am || !am->present)
			continue;
		um->data_bytes = am->sm.nblocks * AD_BLOCK;
		um->used_bytes = am->sm.used_count * AD_BLOCK;
		u->data_area_bytes += um->data_bytes;
		u->used_bytes += um->used_bytes;
	}
	for (size_t e = 0; e < p->st.alloc.pend_cur.n; e++)
		pending += p->st.alloc.pend_cur.e[e].n;
	for (size_t e = 0; e < p->st.alloc.pend_snap.n; e++)
		pending += p->st.alloc.pend_snap.e[e].n;
	for (size_t e = 0; e < p->st.alloc.pend_prev.n; e++)
		pending += p->st.alloc.pend_prev.e[e].n;
	pthread_mutex_unlock(&p->st.alloc.lock);
	u->pending_bytes = pending * AD_BLOCK;
	while (!w.done) {
		int err = store_read(&p->st, usage_fn, &w);

		if (err)
			return err;
		u->stripes += w.stripes;
		u->stripe_bytes += w.stripe_blocks * AD_BLOCK;
		u->stripe_data_bytes += w.stripe_data_blocks * AD_BLOCK;
		u->file_bytes += w.stripe_bytes + w.inline_bytes;
		u->inline_bytes += w.inline_bytes;
		u->items += w.items;
		u->compressed_stripes += w.cz_stripes;
		u->compressed_bytes += w.cz_logical;
		u->compressed_stored_bytes += w.cz_stored;
	}
	u->usable_bytes = k + m ? u->data_area_bytes / (k + m) * k : 0;
	u->free_bytes = u->data_area_bytes > u->used_bytes ? u->data_area_bytes - u->used_bytes : 0;
	u->free_usable_bytes = k + m ? u->free_bytes / AD_BLOCK / (k + m) * k * AD_BLOCK : 0;
	/* What is used but not by stripes: metadata pages (every mirror), the
	 * space maps' slots if in the data area, and extents freed but not yet
	 * returned (pending). */
	u->metadata_bytes = u->used_bytes > u->stripe_bytes + u->pending_bytes
		? u->used_bytes - u->stripe_bytes - u->pending_bytes : 0;
	/* A truncated stripe keeps its units: count no negative saving. */
	u->compression_saved_bytes = u->compressed_bytes > u->compressed_stored_bytes
		? u->compressed_bytes - u->compressed_stored_bytes : 0;
	{
		struct data_cz_cfg c;

		data_cz_get(p, &c);
		data_cz_format(&c, u->compression, sizeof(u->compression));
	}
	return 0;
}
