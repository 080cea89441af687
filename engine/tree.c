/*
 * tree.c — copy-on-write B+tree over cached pages (see tree.h).
 *
 * Levels: leaves are level 0, the root is level height-1.  A change descends
 * from the root making every page on its path dirty (cow), then edits the
 * leaf.  A leaf that overflows is rebuilt into two or three pages; a new page
 * is linked into its parent with insert_child(), which re-descends from the
 * root (every page on that path is dirty and cached), so splits can cascade
 * to a new root without keeping fragile paths.  A leaf or internal page that
 * empties is unlinked; one that falls under a quarter full is merged into a
 * cached sibling when both fit one page; a root with one child collapses.
 *
 * Invariant 1 of tree.h (separator keys) is kept on insert: a key smaller
 * than the first separator of a page on its path lowers that separator.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ad_items.h"
#include "tree.h"

#define LEAF_CAP (AD_BLOCK - AD_PAGE_HDR)
#define H_DATA_START 40

struct path {
	unsigned depth;                      /* pages on the path */
	struct cpage *pg[TREE_MAX_HEIGHT];   /* pg[0] root ... pg[depth-1] leaf */
	unsigned idx[TREE_MAX_HEIGHT];       /* entry taken in pg[d] (internal) */
};

void tree_init(struct tree *t, struct pcache *pc, const struct tree_io *io, uint32_t seed,
	       const struct ad_bptr *root, unsigned height, bool writable)
{
	memset(t, 0, sizeof(*t));
	t->pc = pc;
	t->io = *io;
	t->seed = seed;
	t->root = *root;
	t->height = height;
	t->writable = writable;
}

static void temp_ptr(struct ad_bptr *p, uint64_t key, unsigned level)
{
	ad_bptr_null(p);
	p->addr[0] = key;
	p->level = (uint8_t)level;
}

static int get_page(struct tree *t, const struct ad_bptr *p, struct cpage **out,
		    struct tree_fault *f)
{
	struct cpage *pg = pcache_get(t->pc, p->addr[0]);

	if (!pg) {
		if (p->nmirrors == 0)
			return -EUCLEAN;   /* a dirty page must be cached: tree bug */
		if (f) {
			f->need = true;
			f->ptr = *p;
			f->epoch = t->flushes;
		}
		return -EAGAIN;
	}
	*out = pg;
	return 0;
}

int tree_fault_read(struct tree *t, const struct tree_fault *f, uint8_t **buf, bool *repair)
{
	int err;

	*buf = pcache_buf_get(t->pc);
	if (!*buf)
		return -ENOMEM;
	*repair = false;
	err = t->io.read_page(t->io.ctx, &f->ptr, *buf, repair);
	if (err) {
		pcache_buf_put(t->pc, *buf);
		*buf = NULL;
	}
	return err;
}

int tree_fault_install(struct tree *t, const struct tree_fault *f, uint8_t *buf, bool repair)
{
	struct cpage *pg;

	if (f->epoch != t->flushes) {
		pcache_buf_put(t->pc, buf);
		return -ESTALE;
	}
	pg = pcache_insert(t->pc, &f->ptr, buf);
	if (!pg)
		return -ENOMEM;
	if (repair && t->writable)
		pcache_mark_repair(t->pc, pg);   /* rewritten by the next checkpoint */
	return 0;
}

int tree_fault_in(struct tree *t, const struct tree_fault *f)
{
	struct tree_fault cur = *f;
	uint8_t *buf;
	bool repair;
	int err;

	if (!f->need)
		return 0;
	if (pcache_get(t->pc, f->ptr.addr[0]))
		return 0;
	err = tree_fault_read(t, f, &buf, &repair);
	if (err)
		return err;
	cur.epoch = t->flushes;
	return tree_fault_install(t, &cur, buf, repair);
}

/*
 * Make pg dirty; its parent (already dirty) gets the temporary pointer.  A
 * page a running checkpoint is writing gets its own copy first (pcache.h).
 * 0 or -ENOMEM (nothing changed).
 */
static int cow(struct tree *t, struct cpage *pg, struct cpage *parent, unsigned pidx,
	       unsigned level)
{
	struct ad_bptr tp;
	uint64_t key;
	int err;

	if (pg->dirty)
		return 0;
	err = pcache_unshare(t->pc, pg);
	if (err)
		return err;
	if (pg->disk.nmirrors)
		t->io.free_page(t->io.ctx, &pg->disk);
	ad_bptr_null(&pg->disk);
	key = pcache_temp_key(t->pc);
	pcache_rekey(t->pc, pg, key, true);
	temp_ptr(&tp, key, level);
	if (parent)
		ad_node_set_ptr(parent->data, pidx, &tp);
	else
		t->root = tp;
	t->cows++;
	return 0;
}

/* Read-only descent for k through `stop` pages (t->height = down to the leaf). */
static int descend_to(struct tree *t, const struct ad_key *k, struct path *p, struct tree_fault *f,
		      unsigned stop)
{
	struct ad_bptr cp = t->root;
	int err;

	p->depth = 0;
	for (unsigned d = 0; d < stop; d++) {
		struct cpage *pg;

		err = get_page(t, &cp, &pg, f);
		if (err)
			return err;
		p->pg[d] = pg;
		p->depth = d + 1;
		if (d + 1 < t->height) {
			p->idx[d] = ad_node_search(pg->data, k);
			ad_node_ptr(pg->data, p->idx[d], &cp);
		}
	}
	return 0;
}

static int descend_r(struct tree *t, const struct ad_key *k, struct path *p, struct tree_fault *f)
{
	return descend_to(t, k, p, f, t->height);
}

/*
 * Write descent: the whole path must be cached (tree_probe() first, or a
 * fault returns -EAGAIN before anything changed); then every page on it is
 * made dirty and separators are lowered for k.
 */
static int descend_w(struct tree *t, const struct ad_key *k, struct path *p, struct tree_fault *f,
		     bool lower)
{
	int err = descend_to(t, k, p, f, t->height);

	if (err)
		return err;
	for (unsigned d = 0; d < p->depth; d++) {
		unsigned level = t->height - 1 - d;

		err = cow(t, p->pg[d], d ? p->pg[d - 1] : NULL, d ? p->idx[d - 1] : 0, level);
		if (err)
			return err;
		if (lower && d + 1 < p->depth && p->idx[d] == 0) {
			struct ad_key first;

			ad_node_key(p->pg[d]->data, 0, &first);
			if (ad_key_cmp(k, &first) < 0)
				ad_node_set_key(p->pg[d]->data, 0, k);
		}
	}
	return 0;
}

/* ---- fingers (tree.h) ------------------------------------------------------- */

static struct cpage *finger_find(const struct tree_finger *fg, const struct ad_key *k)
{
	for (unsigned i = 0; i < fg->n; i++)
		if (ad_key_cmp(k, &fg->e[i].lo) >= 0 && ad_key_cmp(k, &fg->e[i].hi) <= 0)
			return fg->e[i].leaf;
	return NULL;
}

static void finger_add(struct tree_finger *fg, struct cpage *leaf)
{
	unsigned n = ad_leaf_nitems(leaf->data), i;

	if (n == 0)
		return;
	if (fg->n < TREE_FINGERS) {
		i = fg->n++;
	} else {
		i = fg->next;
		fg->next = (fg->next + 1) % TREE_FINGERS;
	}
	fg->e[i].leaf = leaf;
	ad_leaf_key(leaf->data, 0, &fg->e[i].lo);
	ad_leaf_key(leaf->data, n - 1, &fg->e[i].hi);
}

/* The leaf for k (read-only): from the finger when it has one, else a descent. */
static int find_leaf(struct tree *t, const struct ad_key *k, struct tree_fault *f,
		     struct tree_finger *fg, struct cpage **leaf)
{
	struct path p;
	int err;

	if (fg) {
		*leaf = finger_find(fg, k);
		if (*leaf) {
			fg->hits++;
			return 0;
		}
	}
	err = descend_r(t, k, &p, f);
	if (err)
		return err;
	*leaf = p.pg[p.depth - 1];
	if (fg)
		finger_add(fg, *leaf);
	return 0;
}

int tree_probe_near(struct tree *t, const struct ad_key *k, struct tree_fault *f,
		    struct tree_finger *fg)
{
	struct cpage *leaf;

	return find_leaf(t, k, f, fg, &leaf);
}

int tree_probe(struct tree *t, const struct ad_key *k, struct tree_fault *f)
{
	return tree_probe_near(t, k, f, NULL);
}

int tree_get_near(struct tree *t, const struct ad_key *k, void *buf, size_t cap, size_t *len,
		  struct tree_fault *f, struct tree_finger *fg)
{
	struct cpage *leaf;
	const uint8_t *v;
	unsigned i;
	bool found;
	size_t l;
	int err = find_leaf(t, k, f, fg, &leaf);

	if (err)
		return err;
	i = ad_leaf_search(leaf->data, k, &found);
	if (!found)
		return -ENOENT;
	v = ad_leaf_val(leaf->data, i, &l);
	if (len)
		*len = l;
	if (buf)
		memcpy(buf, v, l < cap ? l : cap);
	return 0;
}

int tree_get(struct tree *t, const struct ad_key *k, void *buf, size_t cap, size_t *len,
	     struct tree_fault *f)
{
	return tree_get_near(t, k, buf, cap, len, f, NULL);
}

int tree_next(struct tree *t, const struct ad_key *k, bool inclusive, struct ad_key *out,
	      void *buf, size_t cap, size_t *len, struct tree_fault *f)
{
	struct path p;
	struct cpage *leaf;
	unsigned i;
	bool found;
	int err = descend_r(t, k, &p, f);

	if (err)
		return err;
	leaf = p.pg[p.depth - 1];
	i = ad_leaf_search(leaf->data, k, &found);
	if (found && !inclusive)
		i++;
	while (i >= ad_leaf_nitems(leaf->data)) {
		/* Climb to the first ancestor with an entry to the right. */
		int d = (int)p.depth - 2;
		struct ad_bptr cp;

		while (d >= 0 && p.idx[d] + 1 >= ad_node_nitems(p.pg[d]->data))
			d--;
		if (d < 0)
			return -ENOENT;
		p.idx[d]++;
		ad_node_ptr(p.pg[d]->data, p.idx[d], &cp);
		for (unsigned e = (unsigned)d + 1; e < p.depth; e++) {
			err = get_page(t, &cp, &p.pg[e], f);
			if (err)
				return err;
			if (e + 1 < p.depth) {
				p.idx[e] = 0;
				ad_node_ptr(p.pg[e]->data, 0, &cp);
			}
		}
		leaf = p.pg[p.depth - 1];
		i = 0;
	}
	ad_leaf_key(leaf->data, i, out);
	{
		size_t l;
		const uint8_t *v = ad_leaf_val(leaf->data, i, &l);

		if (len)
			*len = l;
		if (buf)
			memcpy(buf, v, l < cap ? l : cap);
	}
	return 0;
}

/* ---- growing ---------------------------------------------------------------- */

static int insert_child(struct tree *t, unsigned level, const struct ad_key *k,
			const struct ad_bptr *ptr);

/* A new root above the current one, with children (old root, right). */
static int new_root(struct tree *t, const struct ad_key *sep, const struct ad_bptr *right)
{
	struct cpage *old, *root;
	struct ad_key first;
	int err;

	if (t->height >= TREE_MAX_HEIGHT)
		return -EFBIG;
	err = get_page(t, &t->root, &old, NULL);
	if (err)
		return err;
	root = pcache_new(t->pc);
	if (!root)
		return -ENOMEM;
	ad_node_init(root->data, t->height);
	if (t->height == 1)
		ad_leaf_key(old->data, 0, &first);
	else
		ad_node_key(old->data, 0, &first);
	if (ad_key_cmp(&first, sep) >= 0)
		first = (struct ad_key){ 0, 0, 0 };
	ad_node_insert(root->data, 0, &first, &t->root);
	ad_node_insert(root->data, 1, sep, right);
	temp_ptr(&t->root, root->key, t->height);
	t->height++;
	return 0;
}

/*
 * Split a full internal page that entry pos is to go into; returns the new
 * right page and its first key.  An entry appended at the end moves only the
 * last entry over (ascending inserts keep the pages full), else half.
 */
static int split_node(struct tree *t, struct cpage *node, unsigned pos, struct cpage **right,
		      struct ad_key *sep)
{
	struct cpage *r = pcache_new(t->pc);
	unsigned n = ad_node_nitems(node->data);

	if (!r)
		return -ENOMEM;
	ad_node_move_tail(node->data, pos >= n && n > 1 ? n - 1 : n / 2, r->data);
	ad_node_key(r->data, 0, sep);
	*right = r;
	t->splits++;
	return 0;
}

/*
 * Link child ptr (whose smallest key is k) into the page at `level` that
 * covers k, right after the entry that covers the keys below k.
 */
static int insert_child(struct tree *t, unsigned level, const struct ad_key *k,
			const struct ad_bptr *ptr)
{
	struct path p;
	struct cpage *node, *right;
	struct ad_key sep, rk;
	struct ad_bptr rp;
	unsigned d, pos;
	int err;

	if (level >= t->height)
		return new_root(t, k, ptr);
	/* Only the pages above `level` are needed: all dirty, so all cached. */
	d = t->height - 1 - level;
	err = descend_to(t, k, &p, NULL, d + 1);
	if (err)
		return err;
	node = p.pg[d];
	pos = ad_node_search(node->data, k) + 1;
	err = ad_node_insert(node->data, pos, k, ptr);
	if (err != -ENOSPC)
		return err;
	err = split_node(t, node, pos, &right, &sep);
	if (err)
		return err;
	rk = *k;
	if (ad_key_cmp(k, &sep) >= 0) {
		pos = ad_node_search(right->data, k) + 1;
		err = ad_node_insert(right->data, pos, &rk, ptr);
	} else {
		err = ad_node_insert(node->data, pos, &rk, ptr);
	}
	if (err)
		return err;
	temp_ptr(&rp, right->key, level);
	return insert_child(t, level + 1, &sep, &rp);
}

struct item {
	struct ad_key key;
	const uint8_t *val;
	size_t len;
};

/*
 * Rebuild the leaf at the end of path p with its items plus (k, val): item
 * idx replaced when `replace`, else inserted at idx.  Splits into as many
 * pages as needed (two, or three when a large item lands in a full page).
 */
static int leaf_rebuild(struct tree *t, struct path *p, unsigned idx, bool replace,
			const struct ad_key *k, const void *val, size_t len)
{
	struct cpage *leaf = p->pg[p->depth - 1];
	unsigned n = ad_leaf_nitems(leaf->data), total = n + (replace ? 0 : 1), ngroups = 0;
	uint8_t *copy = malloc(AD_BLOCK);
	struct item *it = calloc(total, sizeof(*it));
	unsigned start[4];
	size_t sum = 0, acc = 0;
	int err = 0;

	if (!copy || !it) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(copy, leaf->data, AD_BLOCK);
	for (unsigned i = 0, j = 0; j < total; j++) {
		if (j == idx) {
			it[j] = (struct item){ *k, val, len };
			if (replace)
				i++;
			continue;
		}
		ad_leaf_key(copy, i, &it[j].key);
		it[j].val = ad_leaf_val(copy, i, &it[j].len);
		i++;
	}
	for (unsigned j = 0; j < total; j++)
		sum += AD_LEAF_ENTRY + it[j].len;
	/*
	 * Two balanced halves when they fit, else greedy groups.  An item
	 * appended after the last one (ascending keys: new inodes, a file's
	 * next extents) leaves the old items together and starts a new page,
	 * so sequential inserts fill pages instead of leaving them half empty.
	 */
	start[ngroups++] = 0;
	if (sum > LEAF_CAP) {
		unsigned best = 0;
		size_t best_max = SIZE_MAX, l = 0;

		if (!replace && idx == total - 1 && total > 1 &&
		    sum - AD_LEAF_ENTRY - it[idx].len <= LEAF_CAP) {
			best = idx;
		} else {
			for (unsigned s = 1; s < total; s++) {
				l += AD_LEAF_ENTRY + it[s - 1].len;   /* items before s */
				if (l <= LEAF_CAP && sum - l <= LEAF_CAP &&
				    (l > sum - l ? l : sum - l) < best_max) {
					best = s;
					best_max = l > sum - l ? l : sum - l;
				}
			}
		}
		if (best) {
			start[ngroups++] = best;
		} else {
			for (unsigned j = 0; j < total; j++) {
				size_t need = AD_LEAF_ENTRY + it[j].len;

				if (acc + need > LEAF_CAP && ngroups < 4) {
					start[ngroups++] = j;
					acc = 0;
				}
				acc += need;
			}
		}
	}
	/* Group 0 goes back into the leaf, the others into new pages. */
	for (unsigned g = 0; g < ngroups && !err; g++) {
		unsigned from = start[g], to = g + 1 < ngroups ? start[g + 1] : total;
		struct cpage *pg = leaf;

		if (g > 0) {
			pg = pcache_new(t->pc);
			if (!pg) {
				err = -ENOMEM;
				break;
			}
		}
		ad_leaf_init(pg->data);
		for (unsigned j = from; j < to && !err; j++)
			err = ad_leaf_insert(pg->data, j - from, &it[j].key, it[j].val, it[j].len);
		if (!err && g > 0) {
			struct ad_bptr ptr;

			temp_ptr(&ptr, pg->key, 0);
			err = insert_child(t, 1, &it[from].key, &ptr);
			t->splits++;
		}
	}
out:
	free(it);
	free(copy);
	return err;
}

/* Put into a leaf in place: 0, or -ENOSPC (the leaf is unchanged). */
static int leaf_put(struct cpage *leaf, const struct ad_key *k, const void *val, size_t len,
		    unsigned *i, bool *found)
{
	*i = ad_leaf_search(leaf->data, k, found);
	return *found ? ad_leaf_update(leaf->data, *i, val, len)
		      : ad_leaf_insert(leaf->data, *i, k, val, len);
}

int tree_put_near(struct tree *t, const struct ad_key *k, const void *val, size_t len,
		  struct tree_fault *f, struct tree_finger *fg)
{
	struct path p;
	struct cpage *leaf = fg ? finger_find(fg, k) : NULL;
	uint64_t splits = t->splits;
	unsigned i;
	bool found;
	int err;

	if (len > AD_ITEM_MAX)
		return -E2BIG;
	/*
	 * A dirty leaf has a dirty path (invariant 2) and k >= its first key
	 * needs no separator lowered: only a split needs the path.
	 */
	if (leaf && leaf->dirty) {
		err = leaf_put(leaf, k, val, len, &i, &found);
		if (err != -ENOSPC) {
			fg->hits++;
			return err;
		}
	}
	err = descend_w(t, k, &p, f, true);
	if (err)
		return err;
	leaf = p.pg[p.depth - 1];
	err = leaf_put(leaf, k, val, len, &i, &found);
	if (err == -ENOSPC)
		err = leaf_rebuild(t, &p, i, found, k, val, len);
	if (fg) {
		if (err || t->splits != splits)
			tree_finger_reset(fg);   /* leaves' ranges moved */
		else
			finger_add(fg, leaf);
	}
	return err;
}

int tree_put(struct tree *t, const struct ad_key *k, const void *val, size_t len,
	     struct tree_fault *f)
{
	return tree_put_near(t, k, val, len, f, NULL);
}

/* ---- shrinking ------------------------------------------------------------- */

/* Forget a page that left the tree. */
static void discard(struct tree *t, struct cpage *pg)
{
	if (!pg->dirty && pg->disk.nmirrors)
		t->io.free_page(t->io.ctx, &pg->disk);
	pcache_drop(t->pc, pg);
}

static size_t page_used(const struct cpage *pg, unsigned level)
{
	return level == 0 ? ad_leaf_used(pg->data)
			  : (size_t)ad_node_nitems(pg->data) * AD_NODE_ENTRY;
}

static unsigned page_items(const struct cpage *pg, unsigned level)
{
	return level == 0 ? ad_leaf_nitems(pg->data) : ad_node_nitems(pg->data);
}

/* Root with a single child: make the child the root while it is cached. */
static void collapse_root(struct tree *t)
{
	while (t->height > 1) {
		struct cpage *root, *child;
		struct ad_bptr cp;

		if (get_page(t, &t->root, &root, NULL) || ad_node_nitems(root->data) != 1)
			return;
		ad_node_ptr(root->data, 0, &cp);
		if (get_page(t, &cp, &child, NULL))
			return;
		t->root = cp;
		t->height--;
		discard(t, root);
	}
}

/*
 * After a delete in the page at depth d of path p: unlink it when empty, or
 * merge it with a cached sibling when it is under a quarter full and both
 * fit; repeat upwards for the parent.
 */
static void rebalance(struct tree *t, struct path *p, int d)
{
	for (; d > 0; d--) {
		struct cpage *pg = p->pg[d], *parent = p->pg[d - 1], *sib;
		unsigned level = t->height - 1 - (unsigned)d, pi = p->idx[d - 1], li, ri;
		struct ad_bptr sp;
		int merged;

		if (page_items(pg, level) == 0) {
			ad_node_delete(parent->data, pi);
			discard(t, pg);
			continue;   /* the parent may be empty now */
		}
		if (page_used(pg, level) >= LEAF_CAP / 4 || ad_node_nitems(parent->data) < 2)
			break;
		/* Merge right sibling into pg, or pg into the left sibling. */
		li = pi + 1 < ad_node_nitems(parent->data) ? pi : pi - 1;
		ri = li + 1;
		ad_node_ptr(parent->data, li == pi ? ri : li, &sp);
		if (get_page(t, &sp, &sib, NULL))
			break;   /* not cached: leave it underfull */
		if (cow(t, sib, parent, li == pi ? ri : li, level))
			break;   /* no memory for a copy: leave it underfull */
		{
			struct cpage *left = li == pi ? pg : sib, *right = li == pi ? sib : pg;

			merged = level == 0 ? ad_leaf_append(left->data, right->data)
					    : ad_node_append(left->data, right->data);
			if (merged != 0)
				break;
			ad_node_delete(parent->data, ri);
			discard(t, right);
			t->merges++;
		}
	}
	collapse_root(t);
}

int tree_del(struct tree *t, const struct ad_key *k, struct tree_fault *f)
{
	struct path p;
	unsigned i;
	bool found;
	int err;

	err = descend_r(t, k, &p, f);
	if (err)
		return err;
	ad_leaf_search(p.pg[p.depth - 1]->data, k, &found);
	if (!found)
		return -ENOENT;
	err = descend_w(t, k, &p, f, false);
	if (err)
		return err;
	i = ad_leaf_search(p.pg[p.depth - 1]->data, k, &found);
	ad_leaf_delete(p.pg[p.depth - 1]->data, i);
	rebalance(t, &p, (int)p.depth - 1);
	return 0;
}

/* ---- checkpoint --------------------------------------------------------------- */

static int flush_page(struct tree *t, struct cpage *pg, unsigned level, uint64_t gen,
		      struct ad_bptr *out)
{
	struct ad_page_hdr h;
	struct ad_bptr bp;
	int err;

	if (level > 0) {
		for (unsigned i = 0; i < ad_node_nitems(pg->data); i++) {
			struct ad_bptr cp, np;
			struct cpage *child;

			ad_node_ptr(pg->data, i, &cp);
			if (cp.nmirrors)
				continue;   /* clean child: pointer stays */
			err = get_page(t, &cp, &child, NULL);
			if (err)
				return err;
			err = flush_page(t, child, level - 1, gen, &np);
			if (err)
				return err;
			ad_node_set_ptr(pg->data, i, &np);
		}
	}
	ad_bptr_null(&bp);
	bp.level = (uint8_t)level;
	bp.gen = gen;
	err = t->io.alloc_page(t->io.ctx, &bp);
	if (err)
		return err;
	memset(&h, 0, sizeof(h));
	h.version = AD_PAGE_VERSION;
	h.level = (uint16_t)level;
	h.nitems = (uint16_t)page_items(pg, level);
	h.gen = gen;
	h.tree_id = AD_MAIN_TREE_ID;
	h.self = bp.addr[0];
	h.data_start = level == 0 ? ad_rd16(pg->data + H_DATA_START) : 0;
	bp.csum = ad_page_seal(pg->data, &h, t->seed);
	pcache_seal(t->pc, pg);
	err = t->io.emit_page(t->io.ctx, &bp, pg->data);
	if (err)
		return err;
	pg->disk = bp;
	pcache_rekey(t->pc, pg, bp.addr[0], false);
	*out = bp;
	return 0;
}

struct repair_list {
	unsigned n;
	struct { struct ad_key key; unsigned level; } e[64];
};

static void collect_repair(void *ctx, struct cpage *pg)
{
	struct repair_list *l = ctx;
	unsigned level = ad_page_level(pg->data);

	if (l->n >= 64)
		return;
	if (level == 0 && ad_leaf_nitems(pg->data))
		ad_leaf_key(pg->data, 0, &l->e[l->n].key);
	else if (level > 0 && ad_node_nitems(pg->data))
		ad_node_key(pg->data, 0, &l->e[l->n].key);
	else
		l->e[l->n].key = (struct ad_key){ 0, 0, 0 };
	l->e[l->n++].level = level;
}

/*
 * Pages read from a good mirror after a bad one: make them (and their path)
 * dirty so this checkpoint writes them to new blocks.  A page whose path is
 * not cached stays marked and is tried again next time.
 */
static void repair_pages(struct tree *t)
{
	struct repair_list l = { 0 };

	pcache_for_each_repair(t->pc, collect_repair, &l);
	for (unsigned i = 0; i < l.n; i++) {
		struct path p;

		if (l.e[i].level >= t->height)
			continue;
		if (descend_to(t, &l.e[i].key, &p, NULL, t->height - l.e[i].level) == 0)
			for (unsigned d = 0; d < p.depth; d++)
				if (cow(t, p.pg[d], d ? p.pg[d - 1] : NULL, d ? p.idx[d - 1] : 0,
					t->height - 1 - d))
					break;   /* stays marked: tried again next time */
	}
}

int tree_flush(struct tree *t, uint64_t gen)
{
	struct cpage *root;
	int err;

	t->flushes++;
	if (t->writable && t->pc->nrepair)
		repair_pages(t);
	if (t->root.nmirrors)
		return 0;   /* nothing dirty */
	err = get_page(t, &t->root, &root, NULL);
	if (err)
		return err;
	return flush_page(t, root, t->height - 1, gen, &t->root);
}

size_t tree_dirty_pages(const struct tree *t)
{
	return t->pc->ndirty;
}
