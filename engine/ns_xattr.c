/*
 * ns_xattr.c — extended attributes.
 *
 * Namespaces and rules, as Linux enforces them for ext4:
 *   user.*      regular files and directories only (others: EPERM to set,
 *               ENODATA to read)
 *   trusted.*   root only (others: EPERM to set; not listed, ENODATA to read)
 *   security.*  anyone the permission bits allow (the kernel checks those)
 *   system.*    system.posix_acl_access / _default: EOPNOTSUPP until ACL
 *               support exists; other system.* names: EOPNOTSUPP
 *   no known prefix: EOPNOTSUPP; a bare prefix ("user."): EINVAL
 * Checks go in the VFS's order: flags, name length, value size, the inode,
 * the namespace's permission, then the namespace itself.
 * Names of 1 to 255 bytes (else ERANGE), values up to 65536 (longer: E2BIG).
 * Values above AD_XATTR_INLINE_MAX live in XVAL items beside the bucket.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "ns.h"
#include "pool.h"

enum xns { XNS_USER, XNS_TRUSTED, XNS_SECURITY, XNS_BAD };

static enum xns classify(const char *name)
{
	if (!strncmp(name, "user.", 5))
		return XNS_USER;
	if (!strncmp(name, "trusted.", 8))
		return XNS_TRUSTED;
	if (!strncmp(name, "security.", 9))
		return XNS_SECURITY;
	return XNS_BAD;    /* system.* and unknown prefixes */
}

/* Only the length here (as import_xattr_name()); the namespace is checked
 * after the inode and its permissions, as the VFS does (see allowed()). */
static int check_name(const char *name, size_t *len)
{
	*len = strlen(name);
	if (*len == 0 || *len > AD_NAME_MAX)
		return -ERANGE;
	return 0;
}

struct xb {
	struct ad_key key;
	uint8_t raw[AD_ITEM_MAX];
	struct ad_xattr e[64];
	int n;
};

static int load(const struct argos_pool *p, struct txn *t, uint64_t ino, const char *name,
		size_t len, struct xb *b)
{
	size_t vlen;
	int err;

	b->key = (struct ad_key){ .oid = ino, .type = AD_KT_XATTR,
				  .off = ad_xattr_h(ns_hash(p, name, len)) };
	b->n = 0;
	err = txn_get(t, &b->key, b->raw, sizeof(b->raw), &vlen);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	b->n = ad_xattr_bucket_decode(b->raw, vlen, b->e, 64, NULL, 0);
	return b->n < 0 ? -EIO : 0;
}

static int find(const struct xb *b, const char *name, size_t len)
{
	for (int i = 0; i < b->n; i++)
		if (b->e[i].namelen == len && !memcmp(b->e[i].name, name, len))
			return i;
	return -1;
}

static struct ad_key xval_key(uint64_t ino, uint64_t h, unsigned part)
{
	return (struct ad_key){ .oid = ino, .type = AD_KT_XVAL, .off = (h << 8) | part };
}

static int del_external(struct txn *t, uint64_t ino, uint64_t h, uint32_t vlen)
{
	for (unsigned part = 0; (size_t)part * AD_XVAL_PART < vlen; part++) {
		struct ad_key k = xval_key(ino, h, part);
		int err = txn_del(t, &k);

		if (err)
			return err;
	}
	return 0;
}

static int read_external(struct txn *t, uint64_t ino, uint64_t h, uint8_t *out, uint32_t vlen)
{
	uint8_t buf[AD_ITEM_MAX];

	for (unsigned part = 0; (size_t)part * AD_XVAL_PART < vlen; part++) {
		struct ad_key k = xval_key(ino, h, part);
		size_t want = vlen - (size_t)part * AD_XVAL_PART, got;
		int err;

		if (want > AD_XVAL_PART)
			want = AD_XVAL_PART;
		err = txn_get(t, &k, buf, sizeof(buf), &got);
		if (err)
			return err == -ENOENT ? -EIO : err;
		if (got != want)
			return -EIO;
		memcpy(out + (size_t)part * AD_XVAL_PART, buf, want);
	}
	return 0;
}

static int store(struct txn *t, struct xb *b)
{
	uint8_t out[AD_ITEM_MAX];
	int len;

	if (b->n == 0)
		return txn_del(t, &b->key);
	len = ad_xattr_bucket_encode(b->e, (unsigned)b->n, out, sizeof(out));
	if (len < 0)
		return -ENOSPC;
	return txn_put(t, &b->key, out, (size_t)len);
}

/* May this caller see/change this name on this inode?  For reads, a hidden
 * name answers ENODATA.  In the VFS's order: xattr_permission(), then the
 * handler (xattr_resolve_name(): none EOPNOTSUPP, a bare prefix EINVAL). */
static int allowed(const struct ad_inode *in, const char *name, const struct argos_cred *cr,
		   bool write)
{
	switch (classify(name)) {
	case XNS_USER:
		if (!S_ISREG(in->mode) && !S_ISDIR(in->mode))
			return write ? -EPERM : -ENODATA;
		break;
	case XNS_TRUSTED:
		if (cr && cr->uid != 0)
			return write ? -EPERM : -ENODATA;
		break;
	case XNS_SECURITY:
		break;
	default:
		return -EOPNOTSUPP;
	}
	return strchr(name, '.')[1] ? 0 : -EINVAL;
}

struct xop {
	struct argos_pool *p;
	uint64_t ino;
	const char *name;
	size_t len;
	const void *value;
	size_t size;
	int flags;
	const struct argos_cred *cr;
	/* get/list out */
	void *buf;
	size_t cap, result;
};

static int set_fn(struct txn *t, void *arg)
{
	struct xop *x = arg;
	struct ad_inode in;
	struct xb b;
	int err = ns_get_inode(t, x->ino, &in), i;
	bool external = x->size > AD_XATTR_INLINE_MAX;

	if (err)
		return err;
	err = allowed(&in, x->name, x->cr, true);
	if (err)
		return err;
	err = load(x->p, t, x->ino, x->name, x->len, &b);
	if (err)
		return err;
	i = find(&b, x->name, x->len);
	if (i >= 0 && (x->flags & XATTR_CREATE))
		return -EEXIST;
	if (i < 0 && (x->flags & XATTR_REPLACE))
		return -ENODATA;
	if (i >= 0) {
		if (b.e[i].flags & AD_XF_EXTERNAL) {
			err = del_external(t, x->ino, b.key.off, b.e[i].vlen);
			if (err)
				return err;
		}
		memmove(&b.e[i], &b.e[i + 1], (size_t)(b.n - i - 1) * sizeof(b.e[0]));
		b.n--;
	}
	if (b.n >= 64)
		return -ENOSPC;
	if (external) {
		for (int j = 0; j < b.n; j++)
			if (b.e[j].flags & AD_XF_EXTERNAL)
				return -ENOSPC;   /* one large value per hash bucket */
		for (unsigned part = 0; (size_t)part * AD_XVAL_PART < x->size; part++) {
			struct ad_key k = xval_key(x->ino, b.key.off, part);
			size_t n = x->size - (size_t)part * AD_XVAL_PART;

			err = txn_put(t, &k, (const uint8_t *)x->value + (size_t)part * AD_XVAL_PART,
				      n > AD_XVAL_PART ? AD_XVAL_PART : n);
			if (err)
				return err;
		}
	}
	b.e[b.n++] = (struct ad_xattr){ .namelen = (uint8_t)x->len,
					.flags = external ? AD_XF_EXTERNAL : 0,
					.vlen = (uint32_t)x->size,
					.name = (const uint8_t *)x->name,
					.value = external ? NULL : x->value };
	err = store(t, &b);
	if (err)
		return err;
	ns_touch(&in, false, true);
	return ns_put_inode(t, x->ino, &in);
}

int argos_setxattr(argos_pool *p, argos_ino_t ino, const char *name, const void *value,
		   size_t size, int flags, const struct argos_cred *cr)
{
	struct xop x = { .p = p, .ino = ino, .name = name, .value = value, .size = size,
			 .flags = flags, .cr = cr };
	int err;

	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	err = check_name(name, &x.len);
	if (err)
		return err;
	if (size > AD_XATTR_VALUE_MAX)
		return -E2BIG;
	return store_txn(&p->st, set_fn, &x, 0);
}

static int get_fn(struct txn *t, void *arg)
{
	struct xop *x = arg;
	struct ad_inode in;
	struct xb b;
	int err = ns_get_inode(t, x->ino, &in), i;

	if (err)
		return err;
	err = allowed(&in, x->name, x->cr, false);
	if (err)
		return err;
	err = load(x->p, t, x->ino, x->name, x->len, &b);
	if (err)
		return err;
	i = find(&b, x->name, x->len);
	if (i < 0)
		return -ENODATA;
	x->result = b.e[i].vlen;
	if (x->cap == 0)
		return 0;
	if (x->cap < b.e[i].vlen)
		return -ERANGE;
	if (b.e[i].flags & AD_XF_EXTERNAL)
		return read_external(t, x->ino, b.key.off, x->buf, b.e[i].vlen);
	memcpy(x->buf, b.e[i].value, b.e[i].vlen);
	return 0;
}

int argos_getxattr(argos_pool *p, argos_ino_t ino, const char *name, void *value, size_t size)
{
	struct xop x = { .p = p, .ino = ino, .name = name, .buf = value, .cap = size };
	int err = check_name(name, &x.len);

	if (err)
		return err;
	err = store_read(&p->st, get_fn, &x);
	return err ? err : (int)x.result;
}

static int list_fn(struct txn *t, void *arg)
{
	struct xop *x = arg;
	struct ad_key k = { .oid = x->ino, .type = AD_KT_XATTR, .off = 0 }, out;
	uint8_t raw[AD_ITEM_MAX];
	struct ad_inode in;
	bool first = true;
	size_t vlen;
	int err = ns_get_inode(t, x->ino, &in);

	if (err)
		return err;
	x->result = 0;
	for (;;) {
		struct ad_xattr e[64];
		int n;

		err = txn_next(t, &k, first, &out, raw, sizeof(raw), &vlen);
		first = false;
		if (err == -ENOENT || (!err && (out.oid != x->ino || out.type != AD_KT_XATTR)))
			return 0;
		if (err)
			return err;
		n = ad_xattr_bucket_decode(raw, vlen, e, 64, NULL, 0);
		if (n < 0)
			return -EIO;
		for (int i = 0; i < n; i++) {
			char name[AD_NAME_MAX + 1];

			memcpy(name, e[i].name, e[i].namelen);
			name[e[i].namelen] = '\0';
			if (allowed(&in, name, x->cr, false))
				continue;
			if (x->cap) {
				if (x->result + e[i].namelen + 1 > x->cap)
					return -ERANGE;
				memcpy((char *)x->buf + x->result, name, e[i].namelen + 1u);
			}
			x->result += e[i].namelen + 1u;
		}
		k = out;
	}
}

int argos_listxattr(argos_pool *p, argos_ino_t ino, char *list, size_t size)
{
	struct xop x = { .p = p, .ino = ino, .buf = list, .cap = size };
	int err = store_read(&p->st, list_fn, &x);

	return err ? err : (int)x.result;
}

static int remove_fn(struct txn *t, void *arg)
{
	struct xop *x = arg;
	struct ad_inode in;
	struct xb b;
	int err = ns_get_inode(t, x->ino, &in), i;

	if (err)
		return err;
	err = allowed(&in, x->name, x->cr, true);
	if (err)
		return err;
	err = load(x->p, t, x->ino, x->name, x->len, &b);
	if (err)
		return err;
	i = find(&b, x->name, x->len);
	if (i < 0)
		return -ENODATA;
	if (b.e[i].flags & AD_XF_EXTERNAL) {
		err = del_external(t, x->ino, b.key.off, b.e[i].vlen);
		if (err)
			return err;
	}
	memmove(&b.e[i], &b.e[i + 1], (size_t)(b.n - i - 1) * sizeof(b.e[0]));
	b.n--;
	err = store(t, &b);
	if (err)
		return err;
	ns_touch(&in, false, true);
	return ns_put_inode(t, x->ino, &in);
}

int argos_removexattr(argos_pool *p, argos_ino_t ino, const char *name, const struct argos_cred *cr)
{
	struct xop x = { .p = p, .ino = ino, .name = name, .cr = cr };
	int err = check_name(name, &x.len);

	if (err)
		return err;
	return store_txn(&p->st, remove_fn, &x, 0);
}
