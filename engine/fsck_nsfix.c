/*
 * fsck_nsfix.c — the repairs of fsck phase 4 (see fsck_ns.c).
 *
 * Every repair is one store transaction on the pool reopened read-write
 * (fsck_store_rw), not synchronous: the checkpoint of fsck's final close
 * makes them durable together.  A repair that succeeds updates the model
 * (fsck_ns.h) exactly as it changed the records, so the checks after it see
 * the namespace as it now is.
 *
 * Items keyed by inode are those with a key type below AD_KT_ORPHAN (inode,
 * inline, xattr, xval, dirent, stripe, defer); types from ORPHAN on are
 * keyed by something else (EXTREF: a member index) and never deleted here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ad_stripe.h"
#include "data.h"
#include "fsck_ns.h"
#include "ns.h"
#include "pool.h"

#define DEL_PER_TXN 256

static int run_txn(struct fsck_ctx *c, int (*fn)(struct txn *t, void *arg), void *arg)
{
	int err = fsck_store_rw(c);

	return err ? err : store_txn(&c->pool->st, fn, arg, 0);
}

/* ---- items -------------------------------------------------------------------- */

static int del_one_fn(struct txn *t, void *arg)
{
	return txn_del(t, arg);
}

struct del_under {
	uint64_t ino;
	uint8_t  type;        /* 0: every inode-keyed type */
	unsigned done;        /* items deleted by the last transaction */
};

/* Delete a stripe record, freeing its chunks (a record that does not decode
 * is only deleted: phase 3 did not count its chunks either). */
static int del_stripe(struct txn *t, const struct ad_key *k, const uint8_t *val, size_t len)
{
	uint32_t crc[AD_ITEM_MAX / 4];
	struct ad_stripe s = { .crc = crc };

	if (!ad_stripe_decode(val, len, &s, sizeof(crc) / sizeof(crc[0]), NULL, 0))
		for (unsigned j = 0; j < (unsigned)(s.k + s.m); j++) {
			int err = txn_free(t, ad_addr_member(s.addr[j]), ad_addr_block(s.addr[j]),
					   s.chunk_blocks);

			if (err)
				return err;
		}
	return txn_del(t, k);
}

static int del_under_fn(struct txn *t, void *arg)
{
	struct del_under *d = arg;
	struct ad_key k = { d->ino, d->type ? d->type : AD_KT_INLINE, 0 }, out;
	uint8_t val[AD_ITEM_MAX];
	bool first = true;

	d->done = 0;
	while (d->done < DEL_PER_TXN) {
		size_t len;
		int err = txn_next(t, &k, first, &out, val, sizeof(val), &len);

		first = false;
		if (err == -ENOENT)
			return 0;
		if (err)
			return err;
		if (out.oid != d->ino || out.type >= AD_KT_ORPHAN || (d->type && out.type != d->type))
			return 0;
		err = out.type == AD_KT_STRIPE ? del_stripe(t, &out, val, len) : txn_del(t, &out);
		if (err)
			return err;
		d->done++;
		k = out;
	}
	return 0;
}

/* Remove attribute `name` from its bucket, and the parts of its value. */
static int xattr_drop_fn(struct txn *t, void *arg)
{
	const struct ns_issue *is = arg;
	struct ad_xattr e[64];
	uint8_t raw[AD_ITEM_MAX], out[AD_ITEM_MAX];
	size_t len;
	int n, err = txn_get(t, &is->key, raw, sizeof(raw), &len);

	if (err)
		return err;
	n = ad_xattr_bucket_decode(raw, len, e, 64, NULL, 0);
	if (n < 0)
		return -EIO;
	for (int j = 0; j < n; j++)
		if (e[j].namelen == is->namelen && !memcmp(e[j].name, is->name, is->namelen)) {
			memmove(&e[j], &e[j + 1], (size_t)(n - j - 1) * sizeof(e[0]));
			n--;
			break;
		}
	if (n == 0) {
		err = txn_del(t, &is->key);
	} else {
		int l = ad_xattr_bucket_encode(e, (unsigned)n, out, sizeof(out));

		err = l < 0 ? -EIO : txn_put(t, &is->key, out, (size_t)l);
	}
	for (unsigned p = 0; !err && p < 256 && (size_t)p * AD_XVAL_PART < is->vlen; p++) {
		struct ad_key k = { is->ino, AD_KT_XVAL, (is->key.off << 8) | p };

		err = txn_del(t, &k);
	}
	return err;
}

int nsfix_issue(struct fsck_ctx *c, void *arg)
{
	struct ns_issue *is = arg;
	struct del_under d = { .ino = is->ino, .type = is->type };
	int err;

	switch (is->fix) {
	case NSF_DEL_ITEM:
		return run_txn(c, del_one_fn, &is->key);
	case NSF_XATTR_DROP:
		return run_txn(c, xattr_drop_fn, is);
	case NSF_DEL_UNDER:
		do
			err = run_txn(c, del_under_fn, &d);
		while (!err && d.done == DEL_PER_TXN);
		return err;
	default:
		return -EINVAL;
	}
}

/* ---- entries ------------------------------------------------------------------- */

enum { ENT_REMOVE, ENT_TYPE, ENT_MOVE };

struct ent_edit {
	struct fsck_ctx *c;
	const struct ns_model *m;
	const struct ns_ent *e;
	int op;
	uint8_t type;         /* ENT_TYPE: the new type */
};

/* Remove or retype the entry in its bucket (found by name and inode). */
static int bucket_edit(struct txn *t, const struct ns_model *m, const struct ns_ent *e, int op,
		       uint8_t type)
{
	struct ad_key k = { e->dir, AD_KT_DIRENT, e->h };
	struct ad_dirent d[AD_DIRENT_MAX];
	uint8_t raw[AD_ITEM_MAX], out[AD_ITEM_MAX];
	size_t len;
	int n, j, err = txn_get(t, &k, raw, sizeof(raw), &len);

	if (err)
		return err;
	n = ad_dirent_bucket_decode(raw, len, d, NULL, 0);
	if (n < 0)
		return -EIO;
	for (j = 0; j < n; j++)
		if (d[j].ino == e->ino && d[j].namelen == e->namelen &&
		    !memcmp(d[j].name, fsck_nsm_name(m, e), e->namelen))
			break;
	if (j == n)
		return -ENOENT;
	if (op == ENT_TYPE) {
		d[j].type = type;
	} else {
		memmove(&d[j], &d[j + 1], (size_t)(n - j - 1) * sizeof(d[0]));
		n--;
	}
	if (n == 0)
		return txn_del(t, &k);
	n = ad_dirent_bucket_encode(d, (unsigned)n, out, sizeof(out));
	return n < 0 ? -EIO : txn_put(t, &k, out, (size_t)n);
}

static int ent_fn(struct txn *t, void *arg)
{
	struct ent_edit *x = arg;
	int err = bucket_edit(t, x->m, x->e, x->op == ENT_MOVE ? ENT_REMOVE : x->op, x->type);

	if (err || x->op != ENT_MOVE)
		return err;
	return ns_dir_insert(x->c->pool, t, x->e->dir, fsck_nsm_name(x->m, x->e), x->e->namelen,
			     x->e->ino, x->e->type);
}

static int ent_run(struct fsck_ctx *c, void *arg, int op)
{
	struct nsfix_ent *f = arg;
	struct ent_edit x = { .c = c, .m = f->m, .e = f->e, .op = op };

	if (op == ENT_TYPE) {
		struct ns_ino *i = fsck_nsm_find(f->m, f->e->ino);

		if (!i)
			return -ENOENT;
		x.type = ns_dtype(i->in.mode);
	}
	return run_txn(c, ent_fn, &x);
}

int nsfix_ent_remove(struct fsck_ctx *c, void *arg)
{
	return ent_run(c, arg, ENT_REMOVE);
}

int nsfix_ent_type(struct fsck_ctx *c, void *arg)
{
	int err = ent_run(c, arg, ENT_TYPE);
	struct nsfix_ent *f = arg;

	if (!err) {
		struct ns_ino *i = fsck_nsm_find(f->m, f->e->ino);

		f->e->type = ns_dtype(i->in.mode);
		f->e->flags &= (uint8_t)~NSE_TYPE;
	}
	return err;
}

int nsfix_ent_move(struct fsck_ctx *c, void *arg)
{
	struct nsfix_ent *f = arg;
	int err = ent_run(c, arg, ENT_MOVE);

	if (!err)
		f->e->flags &= (uint8_t)~NSE_HASH;
	return err;
}

/* ---- lost+found ---------------------------------------------------------------------- */

struct lf_find {
	struct argos_pool *p;
	struct ns_dent d;
};

static int lf_find_fn(struct txn *t, void *arg)
{
	struct lf_find *l = arg;

	return ns_dir_find(l->p, t, AD_ROOT_INO, "lost+found", 10, &l->d);
}

/* The lost+found directory, made (mode 0700) when the root has none. */
static int lost_found(struct fsck_ctx *c, struct ns_model *m)
{
	struct lf_find l = { .p = c->pool };
	struct argos_attr a;
	struct ns_ino *root, *i;
	int err;

	if (m->lf)
		return 0;
	err = store_read(&c->pool->st, lf_find_fn, &l);
	if (!err) {
		i = fsck_nsm_find(m, l.d.ino);
		if (!i || i->bad || !S_ISDIR(i->in.mode) || i->freed)
			return -ENOTDIR;
		m->lf = l.d.ino;
		return 0;
	}
	if (err != -ENOENT)
		return err;
	err = argos_mkdir(c->pool, AD_ROOT_INO, "lost+found", 0700, &argos_root_cred, &a);
	if (err)
		return err;
	argos_forget(c->pool, a.ino, 1);
	m->lf = a.ino;
	m->inodes++;
	if (a.ino > m->max_ino)
		m->max_ino = a.ino;
	if (a.generation > m->max_gen)
		m->max_gen = a.generation;
	/* The root gained an entry and a subdirectory, in its record too. */
	root = fsck_nsm_find(m, AD_ROOT_INO);
	root->fentries++;
	root->fsubdirs++;
	root->in.nentries++;
	ns_dir_add_subdir(&root->in);
	return 0;
}

/* ---- reconnecting, freeing --------------------------------------------------------- */

struct reconnect {
	struct fsck_ctx *c;
	struct ns_model *m;
	struct ns_ino *i;
	const struct ns_ent *cut;
	char name[32];
};

static int reconnect_fn(struct txn *t, void *arg)
{
	struct reconnect *r = arg;
	bool dir = S_ISDIR(r->i->in.mode);
	struct ad_inode lf, in;
	int err;

	if (r->cut) {
		struct ad_inode h;

		err = bucket_edit(t, r->m, r->cut, ENT_REMOVE, 0);
		if (!err)
			err = ns_get_inode(t, r->cut->dir, &h);
		if (err)
			return err;
		if (h.nentries)
			h.nentries--;
		if (dir)
			ns_dir_drop_subdir(&h);
		ns_touch(&h, true, true);
		err = ns_put_inode(t, r->cut->dir, &h);
		if (err)
			return err;
	}
	err = ns_dir_insert(r->c->pool, t, r->m->lf, r->name, strlen(r->name), r->i->ino,
			    ns_dtype(r->i->in.mode));
	if (!err)
		err = ns_get_inode(t, r->m->lf, &lf);
	if (err)
		return err;
	lf.nentries++;
	if (dir)
		ns_dir_add_subdir(&lf);
	ns_touch(&lf, true, true);
	err = ns_put_inode(t, r->m->lf, &lf);
	if (!err)
		err = ns_get_inode(t, r->i->ino, &in);
	if (err)
		return err;
	if (dir)
		in.parent = r->m->lf;
	else
		in.nlink = 1;
	ns_touch(&in, false, true);
	return ns_put_inode(t, r->i->ino, &in);
}

int nsfix_reconnect(struct fsck_ctx *c, void *arg)
{
	struct nsfix_ino *f = arg;
	struct reconnect r = { .c = c, .m = f->m, .i = f->i, .cut = f->cut };
	bool dir = S_ISDIR(f->i->in.mode);
	struct ns_ino *lf, *h;
	int err = fsck_store_rw(c);

	if (!err)
		err = lost_found(c, f->m);
	if (err)
		return err;
	if (f->i->ino == f->m->lf)
		return -ELOOP;   /* lost+found itself is cut off: not by this */
	snprintf(r.name, sizeof(r.name), "#%llu", (unsigned long long)f->i->ino);
	err = store_txn(&c->pool->st, reconnect_fn, &r, 0);
	if (err)
		return err;
	/* The model follows what the transaction did. */
	if (f->cut) {
		h = fsck_nsm_find(f->m, f->cut->dir);
		f->m->e[f->cut - f->m->e].flags |= NSE_EXTRA;
		if (h) {
			if (h->fentries)
				h->fentries--;
			if (h->in.nentries)
				h->in.nentries--;
			if (dir) {
				if (h->fsubdirs)
					h->fsubdirs--;
				ns_dir_drop_subdir(&h->in);
			}
		}
	}
	lf = fsck_nsm_find(f->m, f->m->lf);
	if (lf) {
		lf->fentries++;
		lf->in.nentries++;
		if (dir) {
			lf->fsubdirs++;
			ns_dir_add_subdir(&lf->in);
		}
	}
	f->i->links = 1;
	f->i->lost = false;
	if (dir) {
		f->i->holder = f->m->lf;
		f->i->in.parent = f->m->lf;
	} else {
		f->i->in.nlink = 1;
	}
	return 0;
}

struct ino_arg {
	struct fsck_ctx *c;   /* c->pool read in the transaction: run_txn reopens it */
	struct ns_ino *i;
};

static int free_fn(struct txn *t, void *arg)
{
	struct ino_arg *a = arg;

	return ns_destroy(a->c->pool, t, a->i->ino);
}

int nsfix_free_orphan(struct fsck_ctx *c, void *arg)
{
	struct nsfix_ino *f = arg;
	struct ino_arg a = { .c = c, .i = f->i };
	int err = run_txn(c, free_fn, &a);

	if (!err) {
		f->i->freed = true;
		f->i->lost = false;
		f->m->inodes--;
	}
	return err;
}

static int unorphan_fn(struct txn *t, void *arg)
{
	struct ino_arg *a = arg;
	struct ad_key k = { 0, AD_KT_ORPHAN, a->i->ino };
	struct ad_inode in;
	int err = txn_del(t, &k);

	if (!err)
		err = ns_get_inode(t, a->i->ino, &in);
	if (err)
		return err;
	in.flags &= ~AD_INF_ORPHAN;
	return ns_put_inode(t, a->i->ino, &in);
}

int nsfix_unorphan(struct fsck_ctx *c, void *arg)
{
	struct nsfix_ino *f = arg;
	struct ino_arg a = { .i = f->i };
	int err = run_txn(c, unorphan_fn, &a);

	if (!err) {
		f->i->orphan = false;
		f->i->in.flags &= ~AD_INF_ORPHAN;
	}
	return err;
}

/* ---- counts, symlinks, data past the end ------------------------------------------------ */

/* What the model says the record should hold: into in. */
static void want_counts(const struct ns_ino *i, struct ad_inode *in)
{
	if (!S_ISDIR(i->in.mode)) {
		in->nlink = i->links;
		return;
	}
	in->nlink = nsm_dir_nlink(i->fsubdirs);
	in->nentries = i->fentries;
	in->nsubdirs = i->fsubdirs;
	if (i->ino == AD_ROOT_INO)
		in->parent = AD_ROOT_INO;
	else if (i->holder)
		in->parent = i->holder;
}

static int counts_fn(struct txn *t, void *arg)
{
	struct ino_arg *a = arg;
	struct ad_inode in;
	int err = ns_get_inode(t, a->i->ino, &in);

	if (err)
		return err;
	want_counts(a->i, &in);
	ns_touch(&in, false, true);
	return ns_put_inode(t, a->i->ino, &in);
}

int nsfix_counts(struct fsck_ctx *c, void *arg)
{
	struct nsfix_ino *f = arg;
	struct ino_arg a = { .i = f->i };
	int err = run_txn(c, counts_fn, &a);

	if (!err)
		want_counts(f->i, &f->i->in);
	return err;
}

static int symlink_fn(struct txn *t, void *arg)
{
	struct ino_arg *a = arg;
	struct ad_inode in;
	int err = ns_get_inode(t, a->i->ino, &in);

	if (err)
		return err;
	in.size = a->i->inline_len;
	in.flags |= AD_INF_INLINE;
	return ns_put_inode(t, a->i->ino, &in);
}

int nsfix_symlink(struct fsck_ctx *c, void *arg)
{
	struct nsfix_ino *f = arg;
	struct ino_arg a = { .i = f->i };
	int err = run_txn(c, symlink_fn, &a);

	if (!err) {
		f->i->in.size = f->i->inline_len;
		f->i->in.flags |= AD_INF_INLINE;
	}
	return err;
}

static int truncate_fn(struct txn *t, void *arg)
{
	struct ino_arg *a = arg;
	struct ad_inode in;
	int err = ns_get_inode(t, a->i->ino, &in);

	if (!err)
		err = data_truncate_txn(a->c->pool, t, a->i->ino, in.size, &in.blocks);
	return err ? err : ns_put_inode(t, a->i->ino, &in);
}

int nsfix_truncate(struct fsck_ctx *c, void *arg)
{
	struct nsfix_ino *f = arg;
	struct ino_arg a = { .c = c, .i = f->i };
	int err = run_txn(c, truncate_fn, &a);

	if (!err)
		f->i->past_eof = false;
	return err;
}

/* ---- the pool record ------------------------------------------------------------------ */

static int pool_fn(struct txn *t, void *arg)
{
	const struct ns_model *m = arg;
	struct ad_poolrec pr;
	int err = ns_get_pool(t, &pr);

	if (err)
		return err;
	pr.inodes = m->inodes;
	if (pr.next_ino <= m->max_ino)
		pr.next_ino = m->max_ino + 1;
	if (pr.next_igen <= m->max_gen)
		pr.next_igen = m->max_gen + 1;
	return ns_put_pool(t, &pr);
}

int nsfix_pool(struct fsck_ctx *c, void *arg)
{
	return run_txn(c, pool_fn, arg);
}
