/*
 * treeinfo.c — argos_tree_walk(), argos_item_fields(), argos_key_type_name():
 * the metadata tree of the newest checkpoint, for debugging views.
 *
 * Read-only and without ownership (a POOL_NOSTORE open: members and
 * superblocks only, no replay).  The walk is treewalk.c's, so every mirror of
 * every page is read and checked; a page without a valid mirror is shown
 * with the reason and nothing below it is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ad_items.h"
#include "ad_stripe.h"
#include "pool.h"
#include "treewalk.h"

const char *argos_key_type_name(unsigned type)
{
	return ad_key_type_name(type);
}

struct walk_state {
	argos_tree_page_fn page_fn;
	argos_tree_item_fn item_fn;
	void *ctx;
	int stop;                      /* a callback's non-zero result */
	struct argos_tree_info info;
};

static void key_out(const struct ad_key *k, struct argos_key *o)
{
	o->oid = k->oid;
	o->type = k->type;
	o->off = k->off;
}

static int items(struct walk_state *w, const uint8_t *img)
{
	for (unsigned i = 0, n = ad_leaf_nitems(img); i < n; i++) {
		struct argos_tree_item it;
		struct ad_key k;
		int r;

		ad_leaf_key(img, i, &k);
		key_out(&k, &it.key);
		it.value = ad_leaf_val(img, i, &it.len);
		w->info.items++;
		r = w->item_fn ? w->item_fn(w->ctx, &it) : 0;
		if (r)
			return r;
	}
	return 0;
}

static int on_page(void *ctx, const struct tw_page *pg)
{
	struct walk_state *w = ctx;
	struct argos_tree_page out = { .depth = pg->depth, .level = pg->bp.level,
				       .generation = pg->bp.gen, .csum = pg->bp.csum,
				       .nmirrors = pg->bp.nmirrors };
	struct ad_key first, last;
	int r;

	for (unsigned i = 0; i < pg->bp.nmirrors; i++) {
		out.mirrors[i].member = ad_addr_member(pg->m[i].addr);
		out.mirrors[i].block = ad_addr_block(pg->m[i].addr);
		out.mirrors[i].status = pg->m[i].err;
		snprintf(out.mirrors[i].why, sizeof(out.mirrors[i].why), "%s", pg->m[i].why);
		if (pg->img && pg->m[i].err && pg->m[i].err != -ENODEV)
			w->info.bad_mirrors++;   /* a missing member's mirrors are not bad */
	}
	w->info.pages++;
	if (pg->img) {
		out.nitems = pg->h.nitems;
		out.has_keys = tw_key_range(pg->img, pg->h.level, &first, &last);
		if (out.has_keys) {
			key_out(&first, &out.first);
			key_out(&last, &out.last);
		}
	} else {
		out.status = pg->bp.nmirrors ? pg->m[0].err : -EUCLEAN;
		w->info.lost_pages++;
	}
	r = w->page_fn ? w->page_fn(w->ctx, &out) : 0;
	if (!r && pg->img && pg->h.level == 0)
		r = items(w, pg->img);
	/* A callback's result may be any value: keep it apart from TW_SKIP. */
	if (r) {
		w->stop = r;
		return -ECANCELED;
	}
	return 0;
}

int argos_tree_walk(const char *const *paths, unsigned n, const struct argos_log *log,
		    argos_tree_page_fn page_fn, argos_tree_item_fn item_fn, void *ctx,
		    struct argos_tree_info *info, char *why, size_t whylen)
{
	struct argos_open_opts oo = { .flags = ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED,
				      .log = log };
	struct walk_state w = { .page_fn = page_fn, .item_fn = item_fn, .ctx = ctx };
	uint64_t first[AD_MAX_MEMBERS], end[AD_MAX_MEMBERS];
	struct dev *devs[AD_MAX_MEMBERS];
	struct tw_src src = { .dev = devs, .data_first = first, .data_end = end };
	struct argos_pool *p;
	int err;

	err = pool_open_paths(paths, n, &oo, POOL_NOSTORE, &p, why, whylen);
	if (err)
		return err;
	for (unsigned e = 0; e < p->nmembers; e++) {
		devs[e] = p->m[e].dev;
		first[e] = devs[e] ? p->m[e].sb.data_off / AD_BLOCK : 0;
		end[e] = devs[e] ? (p->m[e].sb.data_off + p->m[e].sb.data_len) / AD_BLOCK : 0;
	}
	src.io = p->io;
	src.nmembers = p->nmembers;
	src.seed = p->seed;
	w.info.generation = p->sb.generation;
	w.info.ckpt_gen = p->sb.ckpt_gen;
	w.info.height = p->sb.tree_height;
	w.info.clean = p->sb.state_flags & AD_SBF_CLEAN;
	err = treewalk(&src, &p->sb.tree_root, on_page, &w);
	argos_pool_close(p);
	if (err == -ECANCELED && w.stop)
		err = w.stop;
	if (!err && info)
		*info = w.info;
	return err;
}

/* ---- records ------------------------------------------------------------------ */

static void num(argos_field_fn fn, void *ctx, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	fn(ctx, name, ARGOS_FIELD_NUM, buf);
}

static void snum(argos_field_fn fn, void *ctx, const char *name, int64_t v, uint32_t nsec)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%" PRId64 ".%09u", v, nsec);
	fn(ctx, name, ARGOS_FIELD_STR, buf);
}

static void inode_fields(const struct ad_inode *i, argos_field_fn fn, void *ctx)
{
	char mode[16];

	snprintf(mode, sizeof(mode), "0%o", i->mode);
	fn(ctx, "mode", ARGOS_FIELD_STR, mode);
	num(fn, ctx, "uid", i->uid);
	num(fn, ctx, "gid", i->gid);
	num(fn, ctx, "nlink", i->nlink);
	num(fn, ctx, "flags", i->flags);
	num(fn, ctx, "size", i->size);
	num(fn, ctx, "rdev", i->rdev);
	num(fn, ctx, "generation", i->generation);
	snum(fn, ctx, "atime", i->atime_sec, i->atime_nsec);
	snum(fn, ctx, "mtime", i->mtime_sec, i->mtime_nsec);
	snum(fn, ctx, "ctime", i->ctime_sec, i->ctime_nsec);
	snum(fn, ctx, "btime", i->btime_sec, i->btime_nsec);
	num(fn, ctx, "blocks", i->blocks);
	num(fn, ctx, "projid", i->projid);
	num(fn, ctx, "nsubdirs", i->nsubdirs);
	num(fn, ctx, "nentries", i->nentries);
	num(fn, ctx, "parent", i->parent);
}

static void stripe_fields(const struct ad_stripe *s, argos_field_fn fn, void *ctx)
{
	char name[32], addr[64];

	num(fn, ctx, "k", s->k);
	num(fn, ctx, "m", s->m);
	num(fn, ctx, "matrix", s->matrix);
	num(fn, ctx, "flags", s->flags);
	num(fn, ctx, "chunk_blocks", s->chunk_blocks);
	num(fn, ctx, "data_len", s->data_len);
	num(fn, ctx, "wgen", s->wgen);
	if (s->flags & AD_STRIPE_F_COMPRESSED) {
		unsigned raw = 0;

		for (unsigned i = 0; i < s->nunits; i++)
			raw += s->unit[i] == 0;
		fn(ctx, "compression", ARGOS_FIELD_STR, s->calg == AD_CALG_LZ4 ? "lz4" : "zstd");
		num(fn, ctx, "unit_size", 1u << s->cshift);
		num(fn, ctx, "units", s->nunits);
		num(fn, ctx, "raw_units", raw);
		num(fn, ctx, "units_len", s->ulen);
		num(fn, ctx, "stored_len", s->slen);
	}
	for (unsigned j = 0; j < (unsigned)s->k + s->m; j++) {
		snprintf(name, sizeof(name), "chunk%u", j);
		snprintf(addr, sizeof(addr), "member %u block %" PRIu64, ad_addr_member(s->addr[j]),
			 ad_addr_block(s->addr[j]));
		fn(ctx, name, ARGOS_FIELD_STR, addr);
	}
}

int argos_item_fields(const struct argos_tree_item *it, argos_field_fn fn, void *ctx, char *why,
		      size_t whylen)
{
	uint32_t crc[AD_ITEM_MAX / 4];
	union {
		struct ad_inode ino;
		struct ad_poolrec pool;
		struct ad_extref x;
		struct ad_stripe st;
	} u;
	int err;

	switch (it->key.type) {
	case AD_KT_INODE:
		err = ad_inode_decode(it->value, it->len, &u.ino, why, whylen);
		if (!err)
			inode_fields(&u.ino, fn, ctx);
		return err;
	case AD_KT_POOL:
		err = ad_poolrec_decode(it->value, it->len, &u.pool, why, whylen);
		if (!err) {
			num(fn, ctx, "next_ino", u.pool.next_ino);
			num(fn, ctx, "next_igen", u.pool.next_igen);
			num(fn, ctx, "inodes", u.pool.inodes);
			num(fn, ctx, "data_bytes", u.pool.data_bytes);
		}
		return err;
	case AD_KT_STRIPE:
		u.st.crc = crc;
		err = ad_stripe_decode(it->value, it->len, &u.st, sizeof(crc) / sizeof(crc[0]), why,
				       whylen);
		if (!err)
			stripe_fields(&u.st, fn, ctx);
		return err;
	case AD_KT_EXTREF:
		err = ad_extref_decode(it->value, it->len, &u.x, why, whylen);
		if (!err) {
			num(fn, ctx, "refs", u.x.refs);
			num(fn, ctx, "nblocks", u.x.nblocks);
		}
		return err;
	}
	return -ENOENT;
}
