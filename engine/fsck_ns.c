/*
 * fsck_ns.c — fsck phase 4: the namespace.
 *
 * One ordered walk of every item (fsck_items) builds the model (fsck_ns.h):
 * every INODE (phase 2 reported those that do not decode: they are kept as
 * "bad", never judged), every DIRENT bucket decoded into its entries, XATTR
 * buckets matched with their XVAL parts, INLINE and STRIPE items matched with
 * their inode (an inode's items follow its INODE item in key order), the
 * orphan list and the pool record.  Then, reporting each finding with its
 * repair (fsck_nsfix.c):
 *   1. item findings of the walk: items under no inode, buckets that do not
 *      decode, entries under a non-directory, broken large xattr values,
 *      inline data where none belongs, a symlink whose target is not its
 *      size, stripes of a non-file, data past the end of a file, orphan list
 *      entries naming nothing;
 *   2. entries: pointing at no inode (removed), a type that is not the
 *      inode's (set), in another name's bucket (moved), a second name of a
 *      directory (removed; the name in the directory its parent field names
 *      is kept);
 *   3. reachability: each directory's holder chain must reach the root; a
 *      directory whose chain stops (no name) or loops is reconnected to
 *      /lost+found (created, mode 0700, when missing) as "#<ino>" — a loop
 *      is first cut at the directory where the walk met itself; an inode of
 *      another type with no name is freed if it is on the orphan list (an
 *      open file unlinked before a crash: normal), else reconnected;
 *   4. counts: nlink = names (directories: 2 + subdirectories, 1 past
 *      65000), nentries and nsubdirs as found, parent = the holder (the root:
 *      itself); the orphan list holds only inodes without names;
 *   5. the pool record: inodes = inode records, next_ino above every number.
 * Invariants: the checks of step k see the model as the repairs of steps < k
 * left it, so -y followed by -n finds nothing; with -n nothing is written.
 */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ad_defer.h"
#include "ad_prop.h"
#include "ad_stripe.h"
#include "data.h"
#include "elog.h"
#include "fsck_ns.h"
#include "ns.h"
#include "pool.h"

#define XEXT_MAX 64   /* external values tracked per inode (one per bucket) */

struct xext {
	uint64_t h;
	uint32_t vlen;
	unsigned next;     /* next part expected */
	bool     broken;
	uint8_t  namelen;
	char     name[AD_NAME_MAX + 1];
};

/* Scan state beside the model. */
struct scan {
	struct ns_model *m;
	size_t cur;                /* index of the inode whose items follow, or SIZE_MAX */
	uint64_t xoid;             /* inode the external values below belong to */
	struct xext *x;
	unsigned nx;
	uint64_t items;
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 64;
	np = realloc(*p, ncap * size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

struct ns_ino *fsck_nsm_find(struct ns_model *m, uint64_t ino)
{
	size_t lo = 0, hi = m->nin;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->in[mid].ino == ino)
			return &m->in[mid];
		if (m->in[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *fsck_nsm_name(const struct ns_model *m, const struct ns_ent *e)
{
	return m->names + e->name;
}

uint32_t nsm_dir_nlink(uint32_t nsubdirs)
{
	return nsubdirs + 2 < NS_MAX_LINKS ? nsubdirs + 2 : 1;
}

static struct ns_issue *add_issue(struct ns_model *m, enum fsck_problem code, enum ns_fix_kind fix,
				  uint64_t ino)
{
	struct ns_issue *is;

	if (grow((void **)&m->iss, &m->capiss, m->niss, sizeof(*m->iss)))
		return NULL;
	is = &m->iss[m->niss++];
	memset(is, 0, sizeof(*is));
	is->code = code;
	is->fix = fix;
	is->ino = ino;
	is->count = 1;
	return is;
}

/* A finding covering every item of `type` under ino: one per (code, ino). */
static int group_issue(struct ns_model *m, enum fsck_problem code, uint64_t ino, uint8_t type,
		       const char *what)
{
	struct ns_issue *is = m->niss ? &m->iss[m->niss - 1] : NULL;

	if (is && is->code == code && is->ino == ino) {
		is->count++;
		return 0;
	}
	is = add_issue(m, code, NSF_DEL_UNDER, ino);
	if (!is)
		return -ENOMEM;
	is->type = type;
	snprintf(is->msg, sizeof(is->msg), "%s", what);
	return 0;
}

/* The inode the item k belongs to, NULL when there is none (or it is bad). */
static struct ns_ino *owner(struct scan *s, const struct ad_key *k, bool *bad)
{
	struct ns_ino *i = s->cur != SIZE_MAX ? &s->m->in[s->cur] : NULL;

	*bad = false;
	if (!i || i->ino != k->oid)
		return NULL;
	*bad = i->bad;
	return i->bad ? NULL : i;
}

/* ---- the walk --------------------------------------------------------------------- */

static int on_inode(struct fsck_ctx *c, struct scan *s, const struct ad_key *k,
		    const uint8_t *val, size_t len)
{
	struct ns_model *m = s->m;
	struct ns_ino *i;

	(void)c;
	if (k->off != 0)
		return 0;   /* phase 2 reported it; not an inode */
	if (grow((void **)&m->in, &m->capin, m->nin, sizeof(*m->in)))
		return -ENOMEM;
	i = &m->in[m->nin];
	memset(i, 0, sizeof(*i));
	i->ino = k->oid;
	i->bad = ad_inode_decode(val, len, &i->in, NULL, 0) != 0;
	s->cur = m->nin++;
	m->inodes++;
	if (k->oid > m->max_ino)
		m->max_ino = k->oid;
	if (!i->bad && i->in.generation > m->max_gen)
		m->max_gen = i->in.generation;
	return 0;
}

static int on_dirent(struct fsck_ctx *c, struct scan *s, const struct ad_key *k,
		     const uint8_t *val, size_t len)
{
	struct ns_model *m = s->m;
	struct ad_dirent e[AD_DIRENT_MAX];
	char why[AD_WHY_MAX], what[200];
	bool bad;
	struct ns_ino *dir = owner(s, k, &bad);
	int n;

	if (!dir && !bad) {
		snprintf(what, sizeof(what), "directory entry buckets");
		return group_issue(m, PR_4_ITEM_NO_INODE, k->oid, AD_KT_DIRENT, what);
	}
	if (dir && !S_ISDIR(dir->in.mode)) {
		snprintf(what, sizeof(what), "mode 0%o", dir->in.mode);
		return group_issue(m, PR_4_DIRENT_NOT_DIR, k->oid, AD_KT_DIRENT, what);
	}
	n = ad_dirent_bucket_decode(val, len, e, why, sizeof(why));
	if (n < 0) {
		struct ns_issue *is = add_issue(m, PR_4_DIRENT_BAD, NSF_DEL_ITEM, k->oid);

		if (!is)
			return -ENOMEM;
		is->key = *k;
		snprintf(is->msg, sizeof(is->msg), "%s", why);
		return 0;
	}
	for (int j = 0; j < n; j++) {
		struct ns_ent *ne;
		uint64_t h;

		if (grow((void **)&m->e, &m->cape, m->ne, sizeof(*m->e)))
			return -ENOMEM;
		while (m->nnames + e[j].namelen + 1 > m->capnames) {
			size_t cap = m->capnames ? 2 * m->capnames : 4096;
			char *np = realloc(m->names, cap);

			if (!np)
				return -ENOMEM;
			m->names = np;
			m->capnames = cap;
		}
		ne = &m->e[m->ne++];
		memset(ne, 0, sizeof(*ne));
		ne->dir = k->oid;
		ne->h = k->off;
		ne->ino = e[j].ino;
		ne->type = e[j].type;
		ne->namelen = e[j].namelen;
		ne->name = m->nnames;
		memcpy(m->names + m->nnames, e[j].name, e[j].namelen);
		m->names[m->nnames + e[j].namelen] = '\0';
		m->nnames += e[j].namelen + 1u;
		h = ad_dirent_h(ad_name_hash(c->a.sb.format_id, e[j].name, e[j].namelen));
		if (h != k->off)
			ne->flags |= NSE_HASH;
	}
	return 0;
}

/* The external values of the inode before: every part there, in order. */
static int finish_xvals(struct scan *s)
{
	for (unsigned j = 0; j < s->nx; j++) {
		struct xext *x = &s->x[j];
		unsigned parts = (x->vlen + AD_XVAL_PART - 1) / AD_XVAL_PART;
		struct ns_issue *is;

		if (!x->broken && x->next == parts)
			continue;
		is = add_issue(s->m, PR_4_XVAL_MISSING, NSF_XATTR_DROP, s->xoid);
		if (!is)
			return -ENOMEM;
		is->key = (struct ad_key){ s->xoid, AD_KT_XATTR, x->h };
		is->vlen = x->vlen;
		is->namelen = x->namelen;
		memcpy(is->name, x->name, x->namelen + 1u);
		snprintf(is->msg, sizeof(is->msg), "the value of \"%.160s\" (%u bytes) has %u of "
			 "its %u parts in order", x->name, x->vlen, x->next, parts);
	}
	s->nx = 0;
	return 0;
}

static int on_xattr(struct scan *s, const struct ad_key *k, const uint8_t *val, size_t len)
{
	struct ad_xattr e[64];
	char why[AD_WHY_MAX];
	int n = ad_xattr_bucket_decode(val, len, e, 64, why, sizeof(why));

	if (n < 0) {
		struct ns_issue *is = add_issue(s->m, PR_4_XATTR_BAD, NSF_DEL_ITEM, k->oid);

		if (!is)
			return -ENOMEM;
		is->key = *k;
		snprintf(is->msg, sizeof(is->msg), "%s", why);
		return 0;
	}
	for (int j = 0; j < n; j++) {
		struct xext *x;

		if (!(e[j].flags & AD_XF_EXTERNAL) || s->nx == XEXT_MAX)
			continue;
		x = &s->x[s->nx++];
		memset(x, 0, sizeof(*x));
		x->h = k->off;
		x->vlen = e[j].vlen;
		x->namelen = e[j].namelen;
		memcpy(x->name, e[j].name, e[j].namelen);
	}
	return 0;
}

static int on_xval(struct scan *s, const struct ad_key *k, size_t len)
{
	uint64_t h = k->off >> 8;
	unsigned part = (unsigned)(k->off & 0xff);
	struct ns_issue *is;

	for (unsigned j = 0; j < s->nx; j++) {
		struct xext *x = &s->x[j];
		size_t want;

		if (x->h != h)
			continue;
		want = x->vlen - (size_t)part * AD_XVAL_PART;
		if (want > AD_XVAL_PART)
			want = AD_XVAL_PART;
		if (part != x->next || (size_t)part * AD_XVAL_PART >= x->vlen || len != want)
			x->broken = true;
		else
			x->next++;
		return 0;
	}
	is = add_issue(s->m, PR_4_XVAL_STRAY, NSF_DEL_ITEM, k->oid);
	if (!is)
		return -ENOMEM;
	is->key = *k;
	snprintf(is->msg, sizeof(is->msg), "part %u of hash %llu, %zu bytes", part,
		 (unsigned long long)h, len);
	return 0;
}

/* A pool property: a record that decodes, under its own name's key.  A bad one
 * is deleted by -y (the property reverts to its default). */
static int on_prop(struct scan *s, const struct ad_key *k, const void *val, size_t len)
{
	char why[AD_WHY_MAX] = "", name[AD_PROP_NAME_MAX + 1];
	struct ns_issue *is;
	struct ad_prop pr;

	if (ad_prop_decode(val, len, &pr, why, sizeof(why)) == 0) {
		memcpy(name, pr.name, pr.namelen);
		name[pr.namelen] = '\0';
		if (ad_prop_key(name).off == k->off)
			return 0;
		snprintf(why, sizeof(why), "property \"%s\" is under key %llu, not its name's "
			 "hash", name, (unsigned long long)k->off);
	}
	is = add_issue(s->m, PR_4_PROP_BAD, NSF_DEL_ITEM, 0);
	if (!is)
		return -ENOMEM;
	is->key = *k;
	snprintf(is->msg, sizeof(is->msg), "%s", why);
	return 0;
}

static int on_inline(struct scan *s, struct ns_ino *i, const struct ad_key *k, size_t len)
{
	char what[200];
	size_t n = len >= 4 ? len - 4 : 0;

	if (S_ISLNK(i->in.mode)) {
		if (k->off != i->inline_len)
			i->inline_gap = true;
		i->inline_len += n;
		return 0;
	}
	if (S_ISREG(i->in.mode)) {
		if (k->off + n > i->in.size)
			i->past_eof = true;
		return 0;
	}
	snprintf(what, sizeof(what), "mode 0%o", i->in.mode);
	return group_issue(s->m, PR_4_INLINE_STRAY, i->ino, AD_KT_INLINE, what);
}

static int on_stripe(struct fsck_ctx *c, struct scan *s, struct ns_ino *i, const struct ad_key *k,
		     const uint8_t *val, size_t len)
{
	uint32_t crc[AD_ITEM_MAX / 4];
	struct ad_stripe st = { .crc = crc };
	char what[200];

	if (ad_stripe_decode(val, len, &st, sizeof(crc) / sizeof(crc[0]), NULL, 0))
		return 0;   /* phase 2 reported it */
	c->data_bytes += (uint64_t)(st.k + st.m) * st.chunk_blocks * AD_BLOCK;
	if (!S_ISREG(i->in.mode)) {
		snprintf(what, sizeof(what), "mode 0%o", i->in.mode);
		return group_issue(s->m, PR_4_STRIPE_NOT_FILE, i->ino, AD_KT_STRIPE, what);
	}
	if (k->off + st.data_len > i->in.size)
		i->past_eof = true;
	return 0;
}

/* A deferred write (ad_defer.h) must decode, belong to a regular file, and
 * apply to its window's stripe record: the same wgen, inside its data and
 * the file's size.  Anything else is never read: -y deletes it. */
static int on_defer(struct fsck_ctx *c, struct scan *s, struct ns_ino *i, const struct ad_key *k,
		    const uint8_t *val, size_t len)
{
	uint64_t S = data_stripe_size(c->pool), ws = k->off - k->off % S;
	uint32_t crc[DATA_CRC_CAP];
	struct ad_stripe st = { .crc = crc };
	struct ad_defer d;
	struct ns_issue *is;
	char why[AD_WHY_MAX];
	int err;

	if (ad_defer_decode(val, len, &d, why, sizeof(why)))
		goto bad;
	if (!S_ISREG(i->in.mode)) {
		snprintf(why, sizeof(why), "the inode is not a regular file (mode 0%o)", i->in.mode);
		goto bad;
	}
	err = data_get_stripe(c->pool, k->oid, ws, &st);
	if (err == -EIO)
		return 0;   /* the record does not decode: phase 2 reported it */
	if (err && err != -ENOENT)
		return err;
	if (err)
		snprintf(why, sizeof(why), "no stripe record at byte %llu", (unsigned long long)ws);
	else if (d.wgen != st.wgen)
		snprintf(why, sizeof(why), "written for stripe wgen %llu, the record has %llu",
			 (unsigned long long)d.wgen, (unsigned long long)st.wgen);
	else if (k->off + d.count > ws + st.data_len || k->off + d.count > i->in.size)
		snprintf(why, sizeof(why), "%u bytes past the stripe's data (%u bytes from %llu) or "
			 "the size (%llu)", d.count, st.data_len, (unsigned long long)ws,
			 (unsigned long long)i->in.size);
	else
		return 0;
bad:
	is = add_issue(s->m, PR_4_DEFER_BAD, NSF_DEL_ITEM, k->oid);
	if (!is)
		return -ENOMEM;
	is->key = *k;
	snprintf(is->msg, sizeof(is->msg), "deferred write at byte %llu: %s",
		 (unsigned long long)k->off, why);
	return 0;
}

static int on_item(struct fsck_ctx *c, const struct ad_key *k, const uint8_t *val, size_t len,
		   void *arg)
{
	struct scan *s = arg;
	struct ns_model *m = s->m;
	struct ns_ino *i;
	bool bad;
	int err;

	if (++s->items % 4096 == 0)
		fsck_progress(c, "namespace", s->items, 0);
	if (s->nx && (k->oid != s->xoid || k->type > AD_KT_XVAL)) {
		err = finish_xvals(s);
		if (err)
			return err;
	}
	if (k->type == AD_KT_ORPHAN) {
		if (grow((void **)&m->orphans, &m->caporph, m->norph, sizeof(*m->orphans)))
			return -ENOMEM;
		m->orphans[m->norph++] = k->off;
		return 0;
	}
	if (k->type == AD_KT_POOL && k->oid == 0 && k->off == 0) {
		struct ad_poolrec pr;

		m->have_pool = ad_poolrec_decode(val, len, &pr, NULL, 0) == 0;
		return 0;
	}
	if (k->type == AD_KT_PROP && k->oid == 0)   /* other oids: not used by v1 */
		return on_prop(s, k, val, len);
	if (k->type >= AD_KT_ORPHAN || !ad_key_type_name(k->type))
		return 0;   /* not keyed by inode */
	if (k->type == AD_KT_INODE)
		return on_inode(c, s, k, val, len);
	if (k->type == AD_KT_DIRENT)
		return on_dirent(c, s, k, val, len);
	i = owner(s, k, &bad);
	if (bad)
		return 0;   /* its inode does not decode: nothing to judge it by */
	if (!i)
		return group_issue(m, PR_4_ITEM_NO_INODE, k->oid, 0, "");
	switch (k->type) {
	case AD_KT_XATTR:
		s->xoid = k->oid;
		return on_xattr(s, k, val, len);
	case AD_KT_XVAL:
		return on_xval(s, k, len);
	case AD_KT_INLINE:
		return on_inline(s, i, k, len);
	case AD_KT_STRIPE:
		return on_stripe(c, s, i, k, val, len);
	case AD_KT_DEFER:
		return on_defer(c, s, i, k, val, len);
	}
	return 0;
}

static int scan(struct fsck_ctx *c, struct ns_model *m)
{
	struct scan s = { .m = m, .cur = SIZE_MAX };
	int err;

	s.x = calloc(XEXT_MAX, sizeof(*s.x));
	if (!s.x)
		return -ENOMEM;
	fsck_progress(c, "namespace", 0, 0);
	err = fsck_items(c, on_item, &s);
	if (!err)
		err = finish_xvals(&s);
	free(s.x);
	for (size_t j = 0; j < m->norph && !err; j++) {
		struct ns_ino *i = fsck_nsm_find(m, m->orphans[j]);
		struct ns_issue *is;

		if (i) {
			i->orphan = true;
			continue;
		}
		is = add_issue(m, PR_4_ORPHAN_DANGLING, NSF_DEL_ITEM, m->orphans[j]);
		if (!is)
			return -ENOMEM;
		is->key = (struct ad_key){ 0, AD_KT_ORPHAN, m->orphans[j] };
		snprintf(is->msg, sizeof(is->msg), "the orphan list names inode %llu, which does "
			 "not exist", (unsigned long long)m->orphans[j]);
	}
	fsck_progress(c, "namespace", s.items, s.items);
	return err;
}

/* ---- 1. findings of the walk -------------------------------------------------------- */

static void report_issues(struct fsck_ctx *c, struct ns_model *m)
{
	for (size_t j = 0; j < m->niss; j++) {
		struct ns_issue *is = &m->iss[j];
		unsigned long long ino = (unsigned long long)is->ino;
		const char *tn = is->type ? ad_key_type_name(is->type) : "inode-keyed";

		switch (is->code) {
		case PR_4_ITEM_NO_INODE:
			fsck_report(c, is->code, nsfix_issue, is, "%llu %s item(s) are keyed under "
				    "inode %llu, which does not exist", (unsigned long long)is->count,
				    tn, ino);
			break;
		case PR_4_DIRENT_NOT_DIR:
		case PR_4_INLINE_STRAY:
		case PR_4_STRIPE_NOT_FILE:
			fsck_report(c, is->code, nsfix_issue, is, "inode %llu (%s) has %llu %s "
				    "item(s)", ino, is->msg, (unsigned long long)is->count, tn);
			break;
		case PR_4_PROP_BAD:
			fsck_report(c, is->code, nsfix_issue, is, "pool property item %llu: %s",
				    (unsigned long long)is->key.off, is->msg);
			break;
		default:
			fsck_report(c, is->code, nsfix_issue, is, "inode %llu: %s", ino, is->msg);
			break;
		}
	}
	for (size_t j = 0; j < m->nin; j++) {
		struct ns_ino *i = &m->in[j];
		struct nsfix_ino f = { m, i, NULL };

		if (i->bad)
			continue;
		if (S_ISLNK(i->in.mode) && (i->inline_len != i->in.size || i->inline_gap ||
					    !(i->in.flags & AD_INF_INLINE)))
			fsck_report(c, PR_4_SYMLINK_BAD, i->inline_len && !i->inline_gap
				    ? nsfix_symlink : NULL, &f, "symlink %llu: size %llu, target "
				    "of %llu bytes%s%s", (unsigned long long)i->ino,
				    (unsigned long long)i->in.size, (unsigned long long)i->inline_len,
				    i->inline_gap ? " (with gaps)" : "",
				    i->in.flags & AD_INF_INLINE ? "" : ", not flagged inline");
		if (i->past_eof)
			fsck_report(c, PR_4_DATA_PAST_EOF, nsfix_truncate, &f, "file %llu: data "
				    "beyond its size of %llu bytes", (unsigned long long)i->ino,
				    (unsigned long long)i->in.size);
	}
}

/* ---- 2. entries ------------------------------------------------------------------------ */

static const char *dtype_name(uint8_t t)
{
	switch (t) {
	case DT_REG: return "file";
	case DT_DIR: return "directory";
	case DT_LNK: return "symlink";
	case DT_CHR: return "char device";
	case DT_BLK: return "block device";
	case DT_FIFO: return "fifo";
	case DT_SOCK: return "socket";
	default: return "unknown";
	}
}

/* Resolve every entry; choose the name a directory keeps. */
static void resolve_entries(struct ns_model *m)
{
	for (size_t j = 0; j < m->ne; j++) {
		struct ns_ent *e = &m->e[j];
		struct ns_ino *t = fsck_nsm_find(m, e->ino);

		if (!t) {
			e->flags |= NSE_DANGLING;
			continue;
		}
		if (t->bad)
			continue;
		if (e->type != ns_dtype(t->in.mode))
			e->flags |= NSE_TYPE;
		if (!S_ISDIR(t->in.mode))
			continue;
		if (t->ino == AD_ROOT_INO) {
			e->flags |= NSE_EXTRA;
		} else if (!t->holder) {
			t->holder = e->dir;
			t->kept = j;
		} else if (e->dir == t->in.parent && t->holder != t->in.parent) {
			m->e[t->kept].flags |= NSE_EXTRA;
			t->holder = e->dir;
			t->kept = j;
		} else {
			e->flags |= NSE_EXTRA;
		}
	}
}

static void report_entries(struct fsck_ctx *c, struct ns_model *m)
{
	for (size_t j = 0; j < m->ne; j++) {
		struct ns_ent *e = &m->e[j];
		struct nsfix_ent f = { m, e };
		struct ns_ino *t;

		if (e->flags & NSE_DANGLING) {
			fsck_report(c, PR_4_DIRENT_DANGLING, nsfix_ent_remove, &f, "directory %llu: "
				    "entry \"%s\" points at inode %llu, which does not exist",
				    (unsigned long long)e->dir, fsck_nsm_name(m, e),
				    (unsigned long long)e->ino);
			continue;
		}
		t = fsck_nsm_find(m, e->ino);
		if (e->flags & NSE_EXTRA) {
			fsck_report(c, PR_4_DIR_MULTI, nsfix_ent_remove, &f, "directory %llu: entry "
				    "\"%s\" is a second name of directory %llu (held by %llu); "
				    "the name goes", (unsigned long long)e->dir, fsck_nsm_name(m, e),
				    (unsigned long long)e->ino,
				    (unsigned long long)(t->ino == AD_ROOT_INO ? 0 : t->holder));
			continue;
		}
		if (e->flags & NSE_TYPE)
			fsck_report(c, PR_4_DIRENT_TYPE, nsfix_ent_type, &f, "directory %llu: entry "
				    "\"%s\" says %s, inode %llu is a %s", (unsigned long long)e->dir,
				    fsck_nsm_name(m, e), dtype_name(e->type), (unsigned long long)e->ino,
				    dtype_name(ns_dtype(t->in.mode)));
		if (e->flags & NSE_HASH)
			fsck_report(c, PR_4_DIRENT_HASH, nsfix_ent_move, &f, "directory %llu: entry "
				    "\"%s\" is in bucket %llu, not its own", (unsigned long long)e->dir,
				    fsck_nsm_name(m, e), (unsigned long long)e->h);
	}
}

/* Count the names of every inode and the entries of every directory. */
static void count_entries(struct ns_model *m)
{
	for (size_t j = 0; j < m->ne; j++) {
		struct ns_ent *e = &m->e[j];
		struct ns_ino *t, *d;

		if (e->flags & (NSE_DANGLING | NSE_EXTRA))
			continue;
		t = fsck_nsm_find(m, e->ino);
		d = fsck_nsm_find(m, e->dir);
		t->links++;
		if (d && !d->bad) {
			d->fentries++;
			if (!t->bad && S_ISDIR(t->in.mode))
				d->fsubdirs++;
		}
	}
}

/* ---- 3. reachability -------------------------------------------------------------------- */

static bool reachable_stop(const struct ns_ino *x)
{
	return x->ino == AD_ROOT_INO || x->walk == NSW_DONE || x->bad || x->freed;
}

static void mark_done(struct ns_model *m, struct ns_ino *d)
{
	while (d && d->walk == NSW_PATH) {
		d->walk = NSW_DONE;
		d = d->holder ? fsck_nsm_find(m, d->holder) : NULL;
	}
}

/* A directory with no name or in a loop: free it (an empty orphan) or reconnect it. */
static void lost_dir(struct fsck_ctx *c, struct ns_model *m, struct ns_ino *x, bool loop)
{
	struct nsfix_ino f = { m, x, NULL };

	if (loop) {
		f.cut = &m->e[x->kept];
		fsck_report(c, PR_4_DIR_LOOP, nsfix_reconnect, &f, "directory %llu is in a loop of "
			    "directories cut off from the root (held by %llu); moved to "
			    "/lost+found", (unsigned long long)x->ino, (unsigned long long)x->holder);
	} else if ((x->orphan || (x->in.flags & AD_INF_ORPHAN)) && x->fentries == 0) {
		fsck_report(c, PR_4_ORPHAN, nsfix_free_orphan, &f, "directory %llu: removed while "
			    "open, left on the orphan list; freed", (unsigned long long)x->ino);
	} else {
		fsck_report(c, PR_4_DIR_UNREACHABLE, nsfix_reconnect, &f, "directory %llu (%llu "
			    "entries) has no name; moved to /lost+found", (unsigned long long)x->ino,
			    (unsigned long long)x->fentries);
	}
	if (!x->freed && !x->holder)
		x->lost = true;
}

static void walk_dirs(struct fsck_ctx *c, struct ns_model *m)
{
	for (size_t j = 0; j < m->nin; j++) {
		struct ns_ino *d = &m->in[j], *x = d;

		if (x->bad || !S_ISDIR(x->in.mode) || reachable_stop(x))
			continue;
		struct ns_ino *lost = NULL;
		bool loop = false;

		for (;;) {
			struct ns_ino *h;

			if (reachable_stop(x))
				break;
			if (x->walk == NSW_PATH) {
				lost = x;
				loop = true;
				break;
			}
			x->walk = NSW_PATH;
			h = x->holder ? fsck_nsm_find(m, x->holder) : NULL;
			if (!h) {
				lost = x;
				break;
			}
			x = h;
		}
		/* The path is done before a repair moves the lost one (its holder
		 * changes: the rest of a loop would look like a second loop). */
		mark_done(m, d);
		if (lost)
			lost_dir(c, m, lost, loop);
	}
}

static void lost_files(struct fsck_ctx *c, struct ns_model *m)
{
	for (size_t j = 0; j < m->nin; j++) {
		struct ns_ino *i = &m->in[j];
		struct nsfix_ino f = { m, i, NULL };

		if (i->bad || S_ISDIR(i->in.mode) || i->links || i->freed)
			continue;
		if (i->orphan || (i->in.flags & AD_INF_ORPHAN)) {
			fsck_report(c, PR_4_ORPHAN, nsfix_free_orphan, &f, "inode %llu: unlinked "
				    "while open, left on the orphan list; freed",
				    (unsigned long long)i->ino);
		} else {
			fsck_report(c, PR_4_UNREACHABLE, nsfix_reconnect, &f, "inode %llu (mode 0%o, "
				    "%llu bytes) has no name; moved to /lost+found",
				    (unsigned long long)i->ino, i->in.mode,
				    (unsigned long long)i->in.size);
		}
		if (!i->freed && !i->links)
			i->lost = true;
	}
}

/* ---- 4. counts ------------------------------------------------------------------------------ */

static void check_counts(struct fsck_ctx *c, struct ns_model *m)
{
	for (size_t j = 0; j < m->nin; j++) {
		struct ns_ino *i = &m->in[j];
		struct nsfix_ino f = { m, i, NULL };
		unsigned long long ino = (unsigned long long)i->ino;
		bool dir, orphaned;
		uint32_t want;

		if (i->bad || i->freed)
			continue;
		dir = S_ISDIR(i->in.mode);
		want = dir ? nsm_dir_nlink(i->fsubdirs) : i->links;
		if (i->in.nlink != want && !(i->lost && !dir))
			fsck_report(c, PR_4_NLINK, nsfix_counts, &f, "inode %llu: link count %u, "
				    "%u found", ino, i->in.nlink, want);
		if (dir && (i->in.nentries != i->fentries || i->in.nsubdirs != i->fsubdirs))
			fsck_report(c, PR_4_DIR_COUNT, nsfix_counts, &f, "directory %llu: %llu "
				    "entries and %u subdirectories recorded, %llu and %u found", ino,
				    (unsigned long long)i->in.nentries, i->in.nsubdirs,
				    (unsigned long long)i->fentries, i->fsubdirs);
		if (dir && !i->lost) {
			uint64_t p = i->ino == AD_ROOT_INO ? AD_ROOT_INO : i->holder;

			if (i->in.parent != p)
				fsck_report(c, PR_4_DIR_PARENT, nsfix_counts, &f, "directory %llu: "
					    "parent %llu recorded, held by %llu", ino,
					    (unsigned long long)i->in.parent, (unsigned long long)p);
		}
		orphaned = i->orphan || (i->in.flags & AD_INF_ORPHAN);
		if (orphaned && (dir ? i->holder || i->ino == AD_ROOT_INO : i->links > 0))
			fsck_report(c, PR_4_ORPHAN_LINKED, nsfix_unorphan, &f, "inode %llu is on the "
				    "orphan list%s but has a name", ino,
				    i->orphan ? "" : " (by its flag only)");
	}
}

/* ---- 5. the pool record ---------------------------------------------------------------- */

static int get_pool_fn(struct txn *t, void *arg)
{
	return ns_get_pool(t, arg);
}

static int check_pool(struct fsck_ctx *c, struct ns_model *m)
{
	struct ad_poolrec pr;
	int err;

	if (!m->have_pool)
		return 0;   /* phase 2 reported it */
	err = store_read(&c->pool->st, get_pool_fn, &pr);
	if (err)
		return err == -EIO ? 0 : err;
	if (pr.inodes != m->inodes || pr.next_ino <= m->max_ino || pr.next_igen <= m->max_gen)
		fsck_report(c, PR_4_POOL_COUNTS, nsfix_pool, m, "the pool record counts %llu "
			    "inodes (%llu found), next inode %llu (highest %llu), next generation "
			    "%llu (highest %llu)", (unsigned long long)pr.inodes,
			    (unsigned long long)m->inodes, (unsigned long long)pr.next_ino,
			    (unsigned long long)m->max_ino, (unsigned long long)pr.next_igen,
			    (unsigned long long)m->max_gen);
	return 0;
}

static void model_free(struct ns_model *m)
{
	free(m->in);
	free(m->e);
	free(m->names);
	free(m->orphans);
	free(m->iss);
}

int fsck_phase_ns(struct fsck_ctx *c)
{
	const struct ad_key root_key = { AD_ROOT_INO, AD_KT_INODE, 0 };
	struct ns_model m = { 0 };
	struct ns_ino *root;
	int err;

	c->data_bytes = 0;
	err = scan(c, &m);
	if (err)
		goto out;
	/* From here on a repair may replace c->pool: only the model is used. */
	report_issues(c, &m);
	root = fsck_nsm_find(&m, AD_ROOT_INO);
	if (!root || root->bad || !S_ISDIR(root->in.mode) || c->nlost ||
	    fsck_key_lost(c, &root_key)) {
		/* Phase 2 reported it: the tree cannot be judged from the root. */
		elog_warn(c->o->log, "phase 4: %s; names and counts are not checked",
			  c->nlost ? "parts of the tree are lost" : "no usable root directory");
		goto out;
	}
	resolve_entries(&m);
	report_entries(c, &m);
	count_entries(&m);
	walk_dirs(c, &m);
	lost_files(c, &m);
	check_counts(c, &m);
	err = c->pool ? check_pool(c, &m) : 0;
out:
	model_free(&m);
	return err;
}
