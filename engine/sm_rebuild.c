/*
 * sm_rebuild.c — a member's space map rebuilt from what uses its blocks,
 * when the map on disk cannot be loaded at open (see pool.c, pool.h).
 *
 * The open loads such a member's map empty and replays the journal over it
 * (ALLOC records mark what they allocated; FREE records go to the pending
 * lists).  Then, for every member marked p->sm_rebuilt[]:
 *   used = every mirror of every page of the checkpoint tree on it
 *        ∪ every chunk, on it, of every stripe record in that tree
 *        ∪ what the replay allocated
 *        ∪ every extent waiting in a pending list (freed, not yet released).
 * The checkpoint tree is the one the superblock names, read from disk (the
 * replay's changes to it are in memory, their new pages not yet allocated),
 * so every block a durable checkpoint or the journal references is marked.
 * What is lost: the old map's pending bits (blocks freed by the last two
 * checkpoints), which only the previous checkpoint could still reference;
 * they become free at once instead of one checkpoint later.
 * A tree page with no valid mirror hides the references below it: the
 * rebuild then fails (-EUCLEAN) and the open with it; fsck reports the lost
 * page.  The rebuilt map reaches the disk with the next checkpoint (a member
 * loaded empty has both slots marked unwritten, so the slot is written whole).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ad_items.h"
#include "ad_stripe.h"
#include "elog.h"
#include "pool.h"
#include "treewalk.h"

struct rebuild {
	struct argos_pool *p;
	uint64_t pages, chunks;
	char why[AD_WHY_MAX];
};

static void mark(struct rebuild *r, unsigned member, uint64_t block, uint64_t n)
{
	if (member < r->p->nmembers && r->p->sm_rebuilt[member])
		alloc_commit(&r->p->st.alloc, member, block, n);
}

static void stripe_chunks(struct rebuild *r, const uint8_t *val, size_t len)
{
	uint32_t crc[AD_ITEM_MAX / 4];
	struct ad_stripe s = { .crc = crc };

	if (ad_stripe_decode(val, len, &s, sizeof(crc) / sizeof(crc[0]), NULL, 0))
		return;   /* its chunks are unknown; fsck reports the record */
	for (unsigned j = 0; j < (unsigned)s.k + s.m; j++) {
		mark(r, ad_addr_member(s.addr[j]), ad_addr_block(s.addr[j]), s.chunk_blocks);
		r->chunks++;
	}
}

static int on_page(void *ctx, const struct tw_page *pg)
{
	struct rebuild *r = ctx;

	for (unsigned i = 0; i < pg->bp.nmirrors; i++)
		mark(r, ad_addr_member(pg->bp.addr[i]), ad_addr_block(pg->bp.addr[i]), 1);
	r->pages++;
	if (!pg->img) {
		snprintf(r->why, sizeof(r->why), "tree page at member %u block %llu has no valid "
			 "mirror: the references below it are unknown",
			 ad_addr_member(pg->bp.addr[0]),
			 (unsigned long long)ad_addr_block(pg->bp.addr[0]));
		return -EUCLEAN;
	}
	if (pg->h.level != 0)
		return 0;
	for (unsigned i = 0, n = ad_leaf_nitems(pg->img); i < n; i++) {
		struct ad_key k;
		const uint8_t *val;
		size_t len;

		ad_leaf_key(pg->img, i, &k);
		if (k.type != AD_KT_STRIPE)
			continue;
		val = ad_leaf_val(pg->img, i, &len);
		stripe_chunks(r, val, len);
	}
	return 0;
}

static void mark_pending(struct rebuild *r, const struct ext_list *l)
{
	for (size_t e = 0; e < l->n; e++) {
		unsigned mi = l->e[e].member;

		if (mi < r->p->nmembers)
			mark(r, mi, r->p->st.alloc.m[mi].data_start + l->e[e].block, l->e[e].n);
	}
}

int pool_rebuild_spacemaps(struct argos_pool *p, char *why, size_t whylen)
{
	uint64_t first[AD_MAX_MEMBERS], end[AD_MAX_MEMBERS];
	struct dev *devs[AD_MAX_MEMBERS];
	struct tw_src src = { .io = p->io, .dev = devs, .data_first = first, .data_end = end,
			      .nmembers = p->nmembers, .seed = p->seed };
	struct rebuild r = { .p = p };
	int err;

	for (unsigned e = 0; e < p->nmembers; e++) {
		devs[e] = p->m[e].dev;
		first[e] = devs[e] ? p->m[e].sb.data_off / AD_BLOCK : 0;
		end[e] = devs[e] ? (p->m[e].sb.data_off + p->m[e].sb.data_len) / AD_BLOCK : 0;
	}
	err = treewalk(&src, &p->sb.tree_root, on_page, &r);
	if (err == -EUCLEAN)
		return ewhy(why, whylen, err, "space map cannot be rebuilt: %s", r.why);
	if (err)
		return ewhy(why, whylen, err, "space map rebuild: tree walk failed: %s",
			    argos_strerror(err));
	/* (The open is single-threaded still: the lists need no lock.) */
	mark_pending(&r, &p->st.alloc.pend_cur);
	mark_pending(&r, &p->st.alloc.pend_snap);
	mark_pending(&r, &p->st.alloc.pend_prev);
	for (unsigned e = 0; e < p->nmembers; e++)
		if (p->sm_rebuilt[e])
			elog_warn(&p->log, "member %u: space map rebuilt (the walk: %llu tree pages, "
				  "%llu stripe chunks): %llu blocks in use", e,
				  (unsigned long long)r.pages, (unsigned long long)r.chunks,
				  (unsigned long long)p->st.alloc.m[e].sm.used_count);
	return 0;
}
