/*
 * treewalk.c — physical walk of the metadata tree, every mirror (see treewalk.h).
 *
 * Invariants:
 *  1. Every mirror is checked against the parent's pointer with the FIRST
 *     mirror's address as the self address (all mirrors are the same bytes).
 *  2. A mirror that checks is byte-identical to every other mirror that
 *     checks (equal magic and equal checksum over the rest), so any of them
 *     may stand for the page.
 *  3. A child's key range is [its separator, the next separator), the last
 *     child inheriting its parent's upper bound.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad_items.h"
#include "argosfs.h"
#include "treewalk.h"

bool tw_key_range(const uint8_t *img, unsigned level, struct ad_key *first, struct ad_key *last)
{
	unsigned n = level ? ad_node_nitems(img) : ad_leaf_nitems(img);

	if (n == 0)
		return false;
	if (level) {
		ad_node_key(img, 0, first);
		ad_node_key(img, n - 1, last);
	} else {
		ad_leaf_key(img, 0, first);
		ad_leaf_key(img, n - 1, last);
	}
	return true;
}

/* Is the mirror address inside the pool and its member's data area? */
static bool addr_ok(const struct tw_src *s, struct tw_mirror *m)
{
	unsigned mi = ad_addr_member(m->addr);
	uint64_t b = ad_addr_block(m->addr);

	if (mi >= s->nmembers) {
		m->err = -ERANGE;
		snprintf(m->why, sizeof(m->why), "member %u is not in the pool (%u members)", mi,
			 s->nmembers);
		return false;
	}
	if (s->data_first && s->data_end && s->data_end[mi] &&
	    (b < s->data_first[mi] || b >= s->data_end[mi])) {
		m->err = -ERANGE;
		snprintf(m->why, sizeof(m->why), "block %llu is outside member %u's data area "
			 "[%llu, %llu)", (unsigned long long)b, mi,
			 (unsigned long long)s->data_first[mi], (unsigned long long)s->data_end[mi]);
		return false;
	}
	if (!s->dev[mi]) {
		m->err = -ENODEV;
		snprintf(m->why, sizeof(m->why), "member %u is not available", mi);
		return false;
	}
	return true;
}

/* ad_page_check names the page by its first mirror; a mirror's reason need not. */
static void drop_page_name(char *why)
{
	const char *colon;

	if (strncmp(why, "page at member ", 15) != 0 || !(colon = strstr(why, ": ")))
		return;
	memmove(why, colon + 2, strlen(colon + 2) + 1);
}

/* Read every mirror of pg (into bufs, one block each) and check it. */
static void read_mirrors(const struct tw_src *s, struct tw_page *pg, uint8_t *bufs)
{
	struct dev_req req[AD_MAX_MIRRORS];
	bool issued[AD_MAX_MIRRORS] = { false };
	struct dev_batch b;
	unsigned nr = 0;

	pg->good = -1;
	pg->img = NULL;
	dev_batch_init(&b, s->io);
	for (unsigned i = 0; i < pg->bp.nmirrors; i++) {
		struct tw_mirror *m = &pg->m[i];

		m->addr = pg->bp.addr[i];
		m->err = 0;
		m->why[0] = '\0';
		if (!addr_ok(s, m))
			continue;
		dev_req_read(&req[i], s->dev[ad_addr_member(m->addr)], bufs + (size_t)i * AD_BLOCK,
			     AD_BLOCK, ad_addr_block(m->addr) * AD_BLOCK);
		dev_batch_add(&b, &req[i]);
		issued[i] = true;
		nr++;
	}
	if (nr)
		(void)dev_batch_run(&b);   /* each request's own result is looked at below */
	for (unsigned i = 0; i < pg->bp.nmirrors; i++) {
		struct tw_mirror *m = &pg->m[i];
		const uint8_t *img = bufs + (size_t)i * AD_BLOCK;
		struct ad_page_hdr h;

		if (!issued[i])
			continue;
		if (req[i].res < 0) {
			m->err = req[i].res;
			snprintf(m->why, sizeof(m->why), "read error: %s", argos_strerror(m->err));
			continue;
		}
		m->err = ad_page_check(img, s->seed, pg->bp.addr[0], pg->bp.csum, pg->bp.level, &h,
				       m->why, sizeof(m->why));
		if (m->err)
			drop_page_name(m->why);
		if (!m->err && h.gen != pg->bp.gen) {
			m->err = -EUCLEAN;
			snprintf(m->why, sizeof(m->why), "page generation %llu, its parent says %llu",
				 (unsigned long long)h.gen, (unsigned long long)pg->bp.gen);
		}
		if (!m->err && pg->good < 0) {
			pg->good = (int)i;
			pg->img = img;
			pg->h = h;
		}
	}
}

static int walk(const struct tw_src *s, struct tw_page *pg, tw_fn fn, void *ctx)
{
	uint8_t *bufs = dev_buf_alloc((size_t)AD_MAX_MIRRORS * AD_BLOCK);
	int r;

	if (!bufs)
		return -ENOMEM;
	read_mirrors(s, pg, bufs);
	r = fn(ctx, pg);
	if (r < 0 || r == TW_SKIP || !pg->img || pg->h.level == 0)
		goto out;
	r = 0;
	for (unsigned i = 0, n = ad_node_nitems(pg->img); i < n && r >= 0; i++) {
		struct tw_page *child = calloc(1, sizeof(*child));

		if (!child) {
			r = -ENOMEM;
			break;
		}
		ad_node_ptr(pg->img, i, &child->bp);
		child->depth = pg->depth + 1;
		child->has_lo = true;
		ad_node_key(pg->img, i, &child->lo);
		if (i + 1 < n) {
			child->has_hi = true;
			ad_node_key(pg->img, i + 1, &child->hi);
		} else {
			child->has_hi = pg->has_hi;
			child->hi = pg->hi;
		}
		r = walk(s, child, fn, ctx);
		free(child);
	}
out:
	free(bufs);
	return r < 0 ? r : 0;
}

int treewalk(const struct tw_src *s, const struct ad_bptr *root, tw_fn fn, void *ctx)
{
	struct tw_page *pg;
	int err;

	if (root->nmirrors == 0)
		return 0;
	pg = calloc(1, sizeof(*pg));
	if (!pg)
		return -ENOMEM;
	pg->bp = *root;
	err = walk(s, pg, fn, ctx);
	free(pg);
	return err;
}
