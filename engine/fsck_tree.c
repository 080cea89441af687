/*
 * fsck_tree.c — fsck phase 2: the metadata tree, physically and logically.
 *
 * Physical (treewalk.c, on the devices, from the checkpoint's root): every
 * page reachable, EVERY mirror of it, each checked against its parent's
 * pointer (checksum, self address, level, generation, header, item bounds,
 * key order), its keys inside the range its parent's separators give it,
 * and every page and mirror block reached once.  A damaged mirror of a page
 * that has a good one is rewritten in place with the good mirror's bytes
 * (safe: a valid mirror is byte-identical to the page, and the block already
 * belongs to it).  A page with no valid mirror is lost: reported, never
 * guessed at; its key range is remembered so the logical pass skips it.
 * Every mirror address in range goes to the reference list of phase 3.
 *
 * Logical (through the store, i.e. after replay): every item's key type is
 * known; inode and stripe records decode; the pool record (0, pool, 0) and
 * the root inode (1, inode, 0), a directory, are present and decode.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ad_items.h"
#include "ad_stripe.h"
#include "elog.h"
#include "fsck.h"
#include "treewalk.h"

struct mirror_fix {
	struct dev *dev;
	uint64_t block;
	const uint8_t *img;
};

/* Rewrite one mirror's block with the good mirror's bytes, and flush. */
static int fix_mirror(struct fsck_ctx *c, void *arg)
{
	struct mirror_fix *f = arg;
	int err = dev_pwrite(c->io, f->dev, f->img, AD_BLOCK, f->block * AD_BLOCK);

	return err ? err : dev_flush(c->io, f->dev);
}

static void key_text(const struct ad_key *k, char *out, size_t len)
{
	const char *t = ad_key_type_name(k->type);

	if (t)
		snprintf(out, len, "(%llu, %s, %llu)", (unsigned long long)k->oid, t,
			 (unsigned long long)k->off);
	else
		snprintf(out, len, "(%llu, 0x%02x, %llu)", (unsigned long long)k->oid, k->type,
			 (unsigned long long)k->off);
}

static int add_lost(struct fsck_ctx *c, const struct tw_page *pg)
{
	if (c->nlost == c->caplost) {
		size_t cap = c->caplost ? 2 * c->caplost : 16;
		struct fsck_lost *l = realloc(c->lost, cap * sizeof(*l));

		if (!l)
			return -ENOMEM;
		c->lost = l;
		c->caplost = cap;
	}
	c->lost[c->nlost++] = (struct fsck_lost){ .has_lo = pg->has_lo, .has_hi = pg->has_hi,
						  .lo = pg->lo, .hi = pg->hi };
	return 0;
}

/*
 * Mirror addresses seen before are reported; fresh[i] says mirror i's was
 * not.  Returns 1 when the first mirror (the page itself) was seen.
 */
static int check_seen(struct fsck_ctx *c, const struct tw_page *pg, const char *what,
		      bool fresh[AD_MAX_MIRRORS])
{
	int first_seen = 0;

	for (unsigned i = 0; i < pg->bp.nmirrors; i++) {
		uint64_t a = pg->bp.addr[i];
		int r;

		fresh[i] = false;
		if (pg->m[i].err == -ERANGE)
			continue;
		r = u64set_add(&c->seen, a);
		if (r < 0)
			return r;
		fresh[i] = r == 1;
		if (r == 1)
			continue;
		if (i == 0)
			first_seen = 1;
		fsck_report(c, PR_2_PAGE_SHARED, NULL, NULL, "%s: mirror %u at member %u block %llu "
			    "is reached a second time%s", what, i, ad_addr_member(a),
			    (unsigned long long)ad_addr_block(a),
			    i == 0 ? " (the same page twice: not walked again)" : "");
	}
	return first_seen;
}

static void check_range(struct fsck_ctx *c, const struct tw_page *pg, const char *what)
{
	struct ad_key first, last;
	char k[80], b[80];

	if (!tw_key_range(pg->img, pg->h.level, &first, &last))
		return;
	if (pg->has_lo && ad_key_cmp(&first, &pg->lo) < 0) {
		key_text(&first, k, sizeof(k));
		key_text(&pg->lo, b, sizeof(b));
		fsck_report(c, PR_2_KEY_RANGE, NULL, NULL, "%s: first key %s is below its parent's "
			    "separator %s", what, k, b);
	}
	if (pg->has_hi && ad_key_cmp(&last, &pg->hi) >= 0) {
		key_text(&last, k, sizeof(k));
		key_text(&pg->hi, b, sizeof(b));
		fsck_report(c, PR_2_KEY_RANGE, NULL, NULL, "%s: last key %s is not below the next "
			    "separator %s", what, k, b);
	}
}

static int on_page(void *ctx, const struct tw_page *pg)
{
	struct fsck_ctx *c = ctx;
	bool fresh[AD_MAX_MIRRORS];
	char what[128];
	int r;

	snprintf(what, sizeof(what), "page at member %u block %llu (level %u, generation %llu)",
		 ad_addr_member(pg->bp.addr[0]), (unsigned long long)ad_addr_block(pg->bp.addr[0]),
		 pg->bp.level, (unsigned long long)pg->bp.gen);
	r = check_seen(c, pg, what, fresh);
	if (r)
		return r < 0 ? r : TW_SKIP;
	if (++c->pages % 256 == 0)
		fsck_progress(c, "tree", c->pages, 0);
	for (unsigned i = 0; i < pg->bp.nmirrors; i++) {
		const struct tw_mirror *m = &pg->m[i];

		if (m->err == -ERANGE) {
			fsck_report(c, PR_2_PAGE_ADDR_BAD, NULL, NULL, "%s: mirror %u: %s", what, i,
				    m->why);
			continue;
		}
		r = fresh[i] ? fsck_refs_add(&c->refs, ad_addr_member(m->addr),
					     ad_addr_block(m->addr), 1, FSCK_REF_PAGE) : 0;
		if (r)
			return r;
		if (m->err && m->err != -ENODEV && pg->img) {
			struct mirror_fix f = { fsck_member_dev(c, ad_addr_member(m->addr)),
						ad_addr_block(m->addr), pg->img };

			fsck_report(c, PR_2_PAGE_MIRROR_BAD, f.dev ? fix_mirror : NULL, &f,
				    "%s: mirror %u at member %u block %llu: %s; mirror %d is good",
				    what, i, ad_addr_member(m->addr),
				    (unsigned long long)ad_addr_block(m->addr), m->why, pg->good);
		}
	}
	if (!pg->img) {
		char why[3 * AD_WHY_MAX] = "";
		size_t used = 0;

		for (unsigned i = 0; i < pg->bp.nmirrors && used + 1 < sizeof(why); i++)
			used += (size_t)snprintf(why + used, sizeof(why) - used, "%smirror %u: %s",
						 i ? "; " : "", i, pg->m[i].why);
		fsck_report(c, PR_2_PAGE_LOST, NULL, NULL, "%s: no valid mirror (%s); the items "
			    "under it are lost", what, why);
		r = add_lost(c, pg);
		return r ? r : TW_SKIP;
	}
	check_range(c, pg, what);
	return 0;
}

/* ---- logical ---------------------------------------------------------------- */

struct items_state {
	bool pool_seen, root_seen;
	uint64_t items;
};

static int on_item(struct fsck_ctx *c, const struct ad_key *k, const uint8_t *val, size_t len,
		   void *arg)
{
	struct items_state *st = arg;
	char why[AD_WHY_MAX], kt[80];
	struct ad_inode ino;
	struct ad_poolrec pr;

	if (++st->items % 4096 == 0)
		fsck_progress(c, "items", st->items, 0);
	key_text(k, kt, sizeof(kt));
	if (!ad_key_type_name(k->type)) {
		fsck_report(c, PR_2_ITEM_TYPE, NULL, NULL, "item %s: key type 0x%02x is not known",
			    kt, k->type);
		return 0;
	}
	if (k->type == AD_KT_INODE) {
		bool root = k->oid == AD_ROOT_INO && k->off == 0;

		if (ad_inode_decode(val, len, &ino, why, sizeof(why))) {
			fsck_report(c, PR_2_INODE_BAD, NULL, NULL, "item %s: %s", kt, why);
		} else if (k->off != 0) {
			fsck_report(c, PR_2_INODE_BAD, NULL, NULL, "item %s: an inode record at "
				    "offset %llu (must be 0)", kt, (unsigned long long)k->off);
		} else if (root && !S_ISDIR(ino.mode)) {
			fsck_report(c, PR_2_ROOT_BAD, NULL, NULL, "the root inode has mode 0%o, not "
				    "a directory", ino.mode);
		}
		st->root_seen |= root;
	} else if (k->type == AD_KT_STRIPE) {
		uint32_t crc[AD_ITEM_MAX / 4];
		struct ad_stripe sr = { .crc = crc };

		if (ad_stripe_decode(val, len, &sr, sizeof(crc) / sizeof(crc[0]), why, sizeof(why)))
			fsck_report(c, PR_2_STRIPE_BAD, NULL, NULL, "item %s: %s; its chunks are not "
				    "counted as references", kt, why);
	} else if (k->type == AD_KT_POOL && k->oid == 0 && k->off == 0) {
		if (ad_poolrec_decode(val, len, &pr, why, sizeof(why)))
			fsck_report(c, PR_2_POOLREC_BAD, NULL, NULL, "item %s: %s", kt, why);
		st->pool_seen = true;
	}
	return 0;
}

static int check_items(struct fsck_ctx *c)
{
	const struct ad_key pool_key = { 0, AD_KT_POOL, 0 }, root_key = { AD_ROOT_INO, AD_KT_INODE, 0 };
	struct items_state st = { 0 };
	int err = fsck_items(c, on_item, &st);

	if (err)
		return err;
	if (!st.pool_seen && !fsck_key_lost(c, &pool_key))
		fsck_report(c, PR_2_POOLREC_MISSING, NULL, NULL, "no pool record (0, pool, 0) in "
			    "the tree");
	if (!st.root_seen && !fsck_key_lost(c, &root_key))
		fsck_report(c, PR_2_ROOT_MISSING, NULL, NULL, "no inode record for the root "
			    "directory (1, inode, 0)");
	fsck_progress(c, "items", st.items, st.items);
	return 0;
}

int fsck_phase_tree(struct fsck_ctx *c)
{
	uint64_t first[AD_MAX_MEMBERS], end[AD_MAX_MEMBERS];
	struct dev *devs[AD_MAX_MEMBERS];
	struct tw_src src = { .io = c->io, .dev = devs, .data_first = first, .data_end = end,
			      .nmembers = c->a.sb.member_count, .seed = c->seed };
	int err;

	for (unsigned e = 0; e < c->a.sb.member_count; e++) {
		const struct ad_super *sb = fsck_member_sb(c, e);

		devs[e] = fsck_member_dev(c, e);
		first[e] = sb ? sb->data_off / AD_BLOCK : 0;
		end[e] = sb ? (sb->data_off + sb->data_len) / AD_BLOCK : 0;
	}
	fsck_progress(c, "tree", 0, 0);
	err = treewalk(&src, &c->a.sb.tree_root, on_page, c);
	if (err)
		return err;
	fsck_progress(c, "tree", c->pages, c->pages);
	return c->pool ? check_items(c) : 0;
}
