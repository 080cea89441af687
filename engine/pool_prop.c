/*
 * pool_prop.c — pool properties: named settings kept as property items in the
 * metadata tree (ondisk/ad_prop.h; docs/ondisk-format.md "Pool properties"),
 * read at open and applied to the pool: "io" (pool_io.c), "atime" and
 * "compression" (here; data_compress.c parses it).
 *
 * Invariants:
 *  1. A property is set by one synchronous transaction and takes effect at the
 *     next open: the running pool is not changed under its users — except
 *     "compression", which applies to stripes written from then on (stripes
 *     already written stay readable whatever it says).
 *  2. A property item that does not decode is treated as unset (with a
 *     warning at open); setting the property replaces it; fsck deletes it.
 *  3. Open options (argos_open_opts.io, .atime, ARGOS_OPEN_NOATIME) override
 *     the stored value for one open and are never written back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ad_prop.h"
#include "data_compress.h"
#include "elog.h"
#include "ns.h"
#include "pool.h"

struct prop_arg {
	const char *name;
	const char *value;         /* set */
	char       *out;           /* get */
	size_t      cap;
};

/* The record of a->name in buf: 0 with it in *pr, -ENOENT when the item holds
 * another name with the same hash, -EIO when it is damaged. */
static int prop_find(const struct prop_arg *a, const uint8_t *buf, size_t len,
		     struct ad_prop *pr)
{
	if (ad_prop_decode(buf, len, pr, NULL, 0))
		return -EIO;
	if (pr->namelen != strlen(a->name) || memcmp(pr->name, a->name, pr->namelen))
		return -ENOENT;
	return 0;
}

static int prop_get_fn(struct txn *t, void *arg)
{
	struct prop_arg *a = arg;
	struct ad_key k = ad_prop_key(a->name);
	uint8_t buf[AD_ITEM_MAX];
	struct ad_prop pr;
	size_t len;
	int err = txn_get(t, &k, buf, sizeof(buf), &len);

	if (err)
		return err;
	err = prop_find(a, buf, len < sizeof(buf) ? len : sizeof(buf), &pr);
	if (err)
		return err;
	if (pr.vlen + 1 > a->cap)
		return -ERANGE;
	memcpy(a->out, pr.value, pr.vlen);
	a->out[pr.vlen] = '\0';
	return 0;
}

static int prop_set_fn(struct txn *t, void *arg)
{
	struct prop_arg *a = arg;
	struct ad_key k = ad_prop_key(a->name);
	uint8_t buf[AD_ITEM_MAX], rec[AD_PROP_MAX];
	struct ad_prop pr;
	size_t len;
	int n, err = txn_get(t, &k, buf, sizeof(buf), &len);

	if (err == 0) {
		/* Another name with this hash is kept; a damaged record is replaced. */
		if (prop_find(a, buf, len < sizeof(buf) ? len : sizeof(buf), &pr) == -ENOENT)
			return -EEXIST;
	} else if (err != -ENOENT) {
		return err;
	}
	n = ad_prop_encode(a->name, a->value, rec, NULL, 0);
	return n < 0 ? n : txn_put(t, &k, rec, (size_t)n);
}

int pool_prop_get(struct argos_pool *p, const char *name, char *out, size_t cap)
{
	struct prop_arg a = { .name = name, .out = out, .cap = cap };

	if (!p->store_ready || ad_prop_check(name, "", NULL, 0))
		return -EINVAL;
	return store_read(&p->st, prop_get_fn, &a);
}

int pool_prop_set(struct argos_pool *p, const char *name, const char *value)
{
	struct prop_arg a = { .name = name, .value = value };

	if (!p->store_ready || ad_prop_check(name, value, NULL, 0))
		return -EINVAL;
	if (p->rdonly)
		return -EROFS;
	return store_txn(&p->st, prop_set_fn, &a, STORE_SYNC);
}

/* Read property `name` at open: 1 with its value in val, 0 when unset or
 * damaged (a warning saying what happens instead: `instead`), or -errno. */
static int prop_load(struct argos_pool *p, const char *name, const char *instead, char *val,
		     size_t cap, char *why, size_t whylen)
{
	int err = pool_prop_get(p, name, val, cap);

	if (err == 0)
		return 1;
	if (err == -EIO)
		elog_warn(&p->log, "pool property %s is damaged; %s (fsck -f -y deletes the item)",
			  name, instead);
	else if (err != -ENOENT)
		return ewhy(why, whylen, err, "reading the %s property: %s", name,
			    argos_strerror(err));
	return 0;
}

/* ---- the atime property ----------------------------------------------------- */

static const char *const atime_modes[] = {
	[ARGOS_ATIME_RELATIME] = "relatime",
	[ARGOS_ATIME_NOATIME] = "noatime",
	[ARGOS_ATIME_STRICT] = "strictatime",
};

#define NATIME (sizeof(atime_modes) / sizeof(atime_modes[0]))

int argos_atime_mode_parse(const char *s)
{
	for (size_t i = 0; s && i < NATIME; i++)
		if (!strcmp(s, atime_modes[i]))
			return (int)i;
	return -EINVAL;
}

const char *argos_atime_mode_name(int mode)
{
	return mode >= 0 && (size_t)mode < NATIME ? atime_modes[mode] : "unknown";
}

int argos_pool_set_atime(argos_pool *p, const char *mode, char *why, size_t whylen)
{
	int a = argos_atime_mode_parse(mode), err;

	if (a < 0)
		return ewhy(why, whylen, -EINVAL, "%s: not an atime mode (relatime, noatime, "
			    "strictatime)", mode ? mode : "(null)");
	err = pool_prop_set(p, "atime", atime_modes[a]);
	if (err)
		return ewhy(why, whylen, err, "setting the atime property: %s",
			    argos_strerror(err));
	p->atime_prop = a;
	return 0;
}

/* p->atime_prop from the pool, p->atime_policy from it and the open options. */
static int pool_atime_apply(struct argos_pool *p, const struct argos_open_opts *o, char *why,
			    size_t whylen)
{
	char val[AD_PROP_VALUE_MAX + 1];
	int err = prop_load(p, "atime", "using relatime", val, sizeof(val), why, whylen);

	if (err < 0)
		return err;
	p->atime_prop = -1;
	if (err) {
		p->atime_prop = argos_atime_mode_parse(val);
		if (p->atime_prop < 0)
			elog_warn(&p->log, "pool property atime=%s is not an atime mode this "
				  "version knows; using relatime", val);
	}
	p->atime_policy = p->atime_prop >= 0 ? p->atime_prop : ARGOS_ATIME_RELATIME;
	if (o && o->atime && o->atime[0]) {
		int a = argos_atime_mode_parse(o->atime);

		if (a < 0)
			return ewhy(why, whylen, -EINVAL, "atime=%s: not an atime mode (relatime, "
				    "noatime, strictatime)", o->atime);
		p->atime_policy = a;
	}
	if (p->flags & ARGOS_OPEN_NOATIME)
		p->atime_policy = ARGOS_ATIME_NOATIME;
	return 0;
}

/* ---- the compression property -------------------------------------------------- */

int argos_pool_set_compression(argos_pool *p, const char *spec, char *why, size_t whylen)
{
	struct data_cz_cfg c;
	char val[DATA_CZ_SPEC_MAX];
	int err = data_cz_parse(spec, &c, why, whylen);

	if (err)
		return err;
	err = data_cz_check_geometry(&c, p->sb.k, p->sb.m, p->sb.chunk_size, why, whylen);
	if (err)
		return err;
	data_cz_format(&c, val, sizeof(val));
	err = pool_prop_set(p, "compression", val);
	if (err)
		return ewhy(why, whylen, err, "setting the compression property: %s",
			    argos_strerror(err));
	if (c.alg != AD_CALG_NONE && !(p->sb.feat_incompat & AD_FEAT_INCOMPAT_COMPRESSION)) {
		/* Readers that do not know compressed stripes must refuse the pool. */
		p->sb.feat_incompat |= AD_FEAT_INCOMPAT_COMPRESSION;
		err = argos_pool_checkpoint(p);
		if (err)
			return ewhy(why, whylen, err, "writing the compression feature bit: %s",
				    argos_strerror(err));
	}
	data_cz_set(p, &c);
	return 0;
}

int argos_compression_parse(const char *spec, char *canon, size_t cap, char *why, size_t whylen)
{
	struct data_cz_cfg c;
	int err = data_cz_parse(spec, &c, why, whylen);

	if (!err && canon)
		data_cz_format(&c, canon, cap);
	return err;
}

/* The "compression" property into p->cz_packed (none when unset or damaged). */
static int pool_cz_apply(struct argos_pool *p, char *why, size_t whylen)
{
	char val[AD_PROP_VALUE_MAX + 1];
	struct data_cz_cfg c;
	int err = prop_load(p, "compression", "writing uncompressed", val, sizeof(val), why,
			    whylen);

	if (err < 0)
		return err;
	(void)data_cz_parse("none", &c, NULL, 0);
	if (err && data_cz_parse(val, &c, NULL, 0)) {
		elog_warn(&p->log, "pool property compression=%s is not a setting this version "
			  "knows; writing uncompressed", val);
		(void)data_cz_parse("none", &c, NULL, 0);
	}
	data_cz_set(p, &c);
	return 0;
}

/* ---- at open, in status --------------------------------------------------------- */

int pool_props_apply(struct argos_pool *p, const struct argos_open_opts *o, char *why,
		     size_t whylen)
{
	int err = pool_atime_apply(p, o, why, whylen);

	if (!err)
		err = pool_cz_apply(p, why, whylen);
	return err ? err : pool_io_apply(p, o, why, whylen);
}

void pool_props_status(struct argos_pool *p, struct argos_pool_status *s)
{
	pool_io_status(p, s);
	snprintf(s->atime, sizeof(s->atime), "%s", argos_atime_mode_name(p->atime_policy));
	snprintf(s->atime_prop, sizeof(s->atime_prop), "%s",
		 p->atime_prop >= 0 ? argos_atime_mode_name(p->atime_prop) : "");
	{
		struct data_cz_cfg c;

		data_cz_get(p, &c);
		data_cz_format(&c, s->compression, sizeof(s->compression));
	}
	s->cz_units_read = __atomic_load_n(&p->cz_units_read, __ATOMIC_RELAXED);
	s->cz_stripes_written = __atomic_load_n(&p->cz_stripes_written, __ATOMIC_RELAXED);
}
