/*
 * data_compress.c — compressed stripe windows: the setting, compressing a
 * window unit by unit, reading logical bytes back (see data_compress.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <zstd.h>

#include "data.h"
#include "data_compress.h"
#include "elog.h"
#include "pool.h"

/* ---- the setting -------------------------------------------------------------- */

static const char *const alg_names[] = {
	[AD_CALG_NONE] = "none", [AD_CALG_LZ4] = "lz4", [AD_CALG_ZSTD] = "zstd",
};

/* A decimal number with an optional K suffix (x 1024); -1 when not one. */
static long parse_num(const char *s, size_t n, bool ksuffix)
{
	long v = 0;
	size_t i = 0;

	if (n == 0)
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > (1l << 30))
			return -1;
	}
	if (i + 1 == n && ksuffix && (s[i] == 'K' || s[i] == 'k'))
		return v * 1024;
	return i == n && i > 0 ? v : -1;
}

int data_cz_parse(const char *spec, struct data_cz_cfg *c, char *why, size_t whylen)
{
	const char *p = spec, *e;
	size_t n;

	memset(c, 0, sizeof(*c));
	c->level = DATA_CZ_LEVEL_DEFAULT;
	c->shift = DATA_CZ_SHIFT_DEFAULT;
	c->minsave = DATA_CZ_MINSAVE_DEFAULT;
	if (!spec)
		return ewhy(why, whylen, -EINVAL, "no compression given");
	n = strcspn(p, ":,");
	if (n == 4 && !strncmp(p, "none", 4))
		c->alg = AD_CALG_NONE;
	else if (n == 3 && !strncmp(p, "lz4", 3))
		c->alg = AD_CALG_LZ4;
	else if (n == 4 && !strncmp(p, "zstd", 4))
		c->alg = AD_CALG_ZSTD;
	else
		return ewhy(why, whylen, -EINVAL, "%s: not a compression (none, lz4, zstd[:LEVEL])",
			    spec);
	p += n;
	if (*p == ':') {
		long lv;

		p++;
		n = strcspn(p, ",");
		lv = parse_num(p, n, false);
		if (c->alg != AD_CALG_ZSTD || lv < 1 || lv > DATA_CZ_LEVEL_MAX)
			return ewhy(why, whylen, -EINVAL, "%s: a level (1..%d) is for zstd only",
				    spec, DATA_CZ_LEVEL_MAX);
		c->level = (uint8_t)lv;
		p += n;
	}
	while (*p == ',') {
		long v;

		p++;
		n = strcspn(p, ",");
		e = memchr(p, '=', n);
		if (!e)
			return ewhy(why, whylen, -EINVAL, "%s: expected unit=BYTES or min-save=N", spec);
		if ((size_t)(e - p) == 4 && !strncmp(p, "unit", 4)) {
			unsigned sh = AD_CUNIT_SHIFT_MIN;

			v = parse_num(e + 1, n - (size_t)(e + 1 - p), true);
			while (sh < AD_CUNIT_SHIFT_MAX && (1l << sh) < v)
				sh++;
			if (v != 1l << sh)
				return ewhy(why, whylen, -EINVAL, "%s: the unit must be a power of two "
					    "from 4K to 64K", spec);
			c->shift = (uint8_t)sh;
		} else if ((size_t)(e - p) == 8 && !strncmp(p, "min-save", 8)) {
			v = parse_num(e + 1, n - (size_t)(e + 1 - p), false);
			if (v < 2 || v > 64)
				return ewhy(why, whylen, -EINVAL, "%s: min-save=N keeps a unit raw "
					    "unless it saves 1/N of its bytes (N 2..64)", spec);
			c->minsave = (uint8_t)v;
		} else {
			return ewhy(why, whylen, -EINVAL, "%s: expected unit=BYTES or min-save=N", spec);
		}
		p += n;
	}
	if (*p)
		return ewhy(why, whylen, -EINVAL, "%s: not a compression (none, lz4, zstd[:LEVEL])",
			    spec);
	return 0;
}

void data_cz_format(const struct data_cz_cfg *c, char *out, size_t cap)
{
	const char *name = c->alg < 3 ? alg_names[c->alg] : "unknown";

	if (c->alg == AD_CALG_NONE)
		snprintf(out, cap, "none");
	else if (c->alg == AD_CALG_ZSTD)
		snprintf(out, cap, "%s:%u,unit=%u,min-save=%u", name, c->level, 1u << c->shift,
			 c->minsave);
	else
		snprintf(out, cap, "%s,unit=%u,min-save=%u", name, 1u << c->shift, c->minsave);
}

int data_cz_check_geometry(const struct data_cz_cfg *c, unsigned k, unsigned m, uint32_t chunk,
			   char *why, size_t whylen)
{
	unsigned cb = chunk / AD_BLOCK;
	uint64_t S = (uint64_t)k * chunk;

	if (c->alg == AD_CALG_NONE)
		return 0;
	if (cb < 2)
		return ewhy(why, whylen, -EINVAL, "compression needs chunks of at least 8 KiB (a "
			    "stripe must get shorter chunks to save anything)");
	/* A compressed full window has at most cb - 1 blocks per chunk. */
	for (unsigned sh = c->shift; sh <= AD_CUNIT_SHIFT_MAX; sh++) {
		uint64_t units = (S + (1u << sh) - 1) >> sh;

		if (ad_stripe_csize(k, m, cb - 1, (unsigned)units) <= AD_ITEM_MAX) {
			if (sh == c->shift)
				return 0;
			return ewhy(why, whylen, -EINVAL, "a %u KiB unit is too small for %u+%u "
				    "with %u KiB chunks: the unit table would not fit the stripe "
				    "record; use unit=%uK or more", (1u << c->shift) >> 10, k, m,
				    chunk >> 10, (1u << sh) >> 10);
		}
	}
	return ewhy(why, whylen, -EINVAL, "%u+%u with %u KiB chunks leaves no room for a unit "
		    "table in the stripe record; use a smaller chunk size", k, m, chunk >> 10);
}

void data_cz_get(struct argos_pool *p, struct data_cz_cfg *c)
{
	uint32_t v = __atomic_load_n(&p->cz_packed, __ATOMIC_RELAXED);

	c->alg = (uint8_t)v;
	c->level = (uint8_t)(v >> 8);
	c->shift = (uint8_t)(v >> 16);
	c->minsave = (uint8_t)(v >> 24);
}

void data_cz_set(struct argos_pool *p, const struct data_cz_cfg *c)
{
	uint32_t v = c->alg | (uint32_t)c->level << 8 | (uint32_t)c->shift << 16 |
		     (uint32_t)c->minsave << 24;

	__atomic_store_n(&p->cz_packed, v, __ATOMIC_RELAXED);
}

/* ---- writing -------------------------------------------------------------------- */

/* Compress src[0, n) into dst (at most cap bytes): the compressed length, or
 * 0 when it does not fit. */
static size_t cz_one(const struct data_cz_cfg *c, ZSTD_CCtx *zc, const uint8_t *src, size_t n,
		     uint8_t *dst, size_t cap)
{
	if (c->alg == AD_CALG_LZ4) {
		int r = LZ4_compress_default((const char *)src, (char *)dst, (int)n, (int)cap);

		return r > 0 ? (size_t)r : 0;
	}
	{
		size_t r = ZSTD_compressCCtx(zc, dst, cap, src, n, c->level);

		return ZSTD_isError(r) ? 0 : r;
	}
}

static unsigned blocks_per_chunk(uint64_t bytes, unsigned k)
{
	return (unsigned)(ad_align_up((bytes + k - 1) / k, AD_BLOCK) / AD_BLOCK);
}

int data_cz_window(struct argos_pool *p, unsigned k, unsigned m, const uint8_t *buf,
		   uint32_t len, struct ad_stripe *s, uint8_t **out, uint32_t *slen)
{
	struct data_cz_cfg c;
	ZSTD_CCtx *zc = NULL;
	uint32_t U, nunits, pos = 0;
	uint8_t *dst;

	data_cz_get(p, &c);
	if (c.alg == AD_CALG_NONE || len == 0)
		return 0;
	U = 1u << c.shift;
	nunits = (len + U - 1) / U;
	if (nunits > AD_STRIPE_MAX_UNITS)
		return 0;
	dst = dev_buf_alloc(data_stripe_size(p));
	if (!dst)
		return -ENOMEM;
	if (c.alg == AD_CALG_ZSTD && !(zc = ZSTD_createCCtx())) {
		free(dst);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < nunits; i++) {
		uint32_t llen = len - i * U < U ? len - i * U : U;
		uint32_t save = llen / c.minsave ? llen / c.minsave : 1;
		size_t z = cz_one(&c, zc, buf + (size_t)i * U, llen, dst + pos, llen - save);

		if (z > 0 && z < llen && z <= UINT16_MAX) {
			s->unit[i] = (uint16_t)z;
			pos += (uint32_t)z;
		} else {
			s->unit[i] = 0;
			memcpy(dst + pos, buf + (size_t)i * U, llen);
			pos += llen;
		}
	}
	ZSTD_freeCCtx(zc);
	if (blocks_per_chunk(pos, k) >= blocks_per_chunk(len, k) ||
	    ad_stripe_csize(k, m, blocks_per_chunk(pos, k), nunits) > AD_ITEM_MAX) {
		free(dst);
		return 0;   /* no block saved, or no room for the table: store it as is */
	}
	s->flags |= AD_STRIPE_F_COMPRESSED;
	s->calg = c.alg;
	s->cshift = c.shift;
	s->nunits = (uint16_t)nunits;
	s->ulen = len;
	s->slen = pos;
	s->data_len = len;
	*out = dst;
	*slen = pos;
	__atomic_add_fetch(&p->cz_stripes_written, 1, __ATOMIC_RELAXED);
	return 1;
}

/* ---- reading -------------------------------------------------------------------- */

int data_cz_unit(const struct ad_stripe *s, unsigned i, const uint8_t *src, uint8_t *dst)
{
	struct ad_cunit u;

	u.loff = i << s->cshift;
	u.llen = s->ulen - u.loff < (1u << s->cshift) ? s->ulen - u.loff : 1u << s->cshift;
	u.raw = s->unit[i] == 0;
	u.slen = u.raw ? u.llen : s->unit[i];
	if (u.raw) {
		memcpy(dst, src, u.llen);
		return 0;
	}
	if (s->calg == AD_CALG_LZ4) {
		int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)u.slen, (int)u.llen);

		return r == (int)u.llen ? 0 : -EUCLEAN;
	}
	if (s->calg == AD_CALG_ZSTD) {
		size_t r = ZSTD_decompress(dst, u.llen, src, u.slen);

		return !ZSTD_isError(r) && r == u.llen ? 0 : -EUCLEAN;
	}
	return -EUCLEAN;
}

int data_cz_decode_all(const struct ad_stripe *s, const uint8_t *stored, uint8_t *out,
		       unsigned *bad)
{
	uint32_t at = 0;

	for (unsigned i = 0; i < s->nunits; i++) {
		uint32_t loff = i << s->cshift;
		uint32_t llen = s->ulen - loff < (1u << s->cshift) ? s->ulen - loff : 1u << s->cshift;

		if (data_cz_unit(s, i, stored + at, out + loff)) {
			*bad = i;
			return -EUCLEAN;
		}
		at += s->unit[i] ? s->unit[i] : llen;
	}
	return 0;
}

int data_read_logical(struct argos_pool *p, uint64_t ino, uint64_t ws, const struct ad_stripe *s,
		      uint64_t off, size_t len, uint8_t *dst, uint64_t *damaged)
{
	uint64_t dend = off + len < s->data_len ? off + len : s->data_len;
	uint32_t U = 1u << s->cshift, u0, u1, soff, send;
	struct ad_stripe *v = NULL;
	uint8_t *sbuf = NULL, *ubuf = NULL;
	struct ad_cunit a;
	int err = 0;

	if (!(s->flags & AD_STRIPE_F_COMPRESSED))
		return data_read_stripe(p, ino, ws, s, off, len, dst, damaged);
	if (off >= dend) {
		memset(dst, 0, len);
		return 0;
	}
	u0 = (uint32_t)(off / U);
	u1 = (uint32_t)((dend - 1) / U);
	ad_stripe_unit(s, u0, &a);
	soff = send = a.soff;
	for (uint32_t i = u0; i <= u1; i++)
		send += s->unit[i] ? s->unit[i] : (s->ulen - i * U < U ? s->ulen - i * U : U);
	/* The stored stream is read as an uncompressed stripe of slen bytes. */
	v = malloc(sizeof(*v));
	sbuf = malloc(send - soff);
	ubuf = malloc(U);
	if (!v || !sbuf || !ubuf) {
		err = -ENOMEM;
		goto out;
	}
	*v = *s;
	v->flags = 0;
	v->data_len = s->slen;
	err = data_read_stripe(p, ino, ws, v, soff, send - soff, sbuf, damaged);
	for (uint32_t i = u0, at = 0; i <= u1 && !err; i++) {
		uint64_t loff = (uint64_t)i * U, llen = s->ulen - loff < U ? s->ulen - loff : U;
		uint64_t lo = off > loff ? off : loff, hi = dend < loff + llen ? dend : loff + llen;
		bool whole = lo == loff && hi == loff + llen;
		uint8_t *to = whole ? dst + (lo - off) : ubuf;

		if (s->unit[i] == 0 && !whole) {
			memcpy(dst + (lo - off), sbuf + at + (lo - loff), hi - lo);
		} else {
			err = data_cz_unit(s, i, sbuf + at, to);
			if (err) {
				elog_err(&p->log, "inode %llu, stripe at byte %llu: unit %u (%s) does "
					 "not decompress although its blocks match their CRCs: "
					 "returning EIO", (unsigned long long)ino,
					 (unsigned long long)ws, i, alg_names[s->calg]);
				err = -EIO;
				break;
			}
			if (!whole)
				memcpy(dst + (lo - off), ubuf + (lo - loff), hi - lo);
		}
		if (s->unit[i])
			__atomic_add_fetch(&p->cz_units_read, 1, __ATOMIC_RELAXED);
		at += s->unit[i] ? s->unit[i] : (uint32_t)llen;
	}
	if (!err)
		memset(dst + (dend - off), 0, len - (dend - off));
out:
	free(ubuf);
	free(sbuf);
	free(v);
	return err;
}
