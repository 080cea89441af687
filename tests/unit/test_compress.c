/*
 * test_compress.c — compressed stripes: the unit table of the stripe record
 * (ondisk/ad_stripe.c), the compression setting (engine/data_compress.c),
 * and file data through the engine with lz4 and zstd.
 *
 * Description: the record's unit table round-trips at the documented
 * offsets and every kind of bad table is refused; settings parse to their
 * canonical form, bad ones are refused, a geometry without room for the
 * table is refused naming a unit that fits.  On 4+2 pools (64 KiB chunks,
 * 256 KiB windows, 64 KiB units): compressible and incompressible windows
 * round-trip with each algorithm (the first stored compressed, the second
 * as is), a 4 KiB read in the middle of a compressed window decompresses
 * one unit, the file reads back with two members missing, truncation and
 * extension read zeros past the new end and an overwrite inside a
 * compressed window keeps its other bytes, a change of the pool property
 * applies to stripes written after it while older ones stay readable, and
 * fsck -n finds nothing on the result.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "argosfs.h"
#include "data.h"
#include "data_compress.h"
#include "layout.h"
#include "pool.h"
#include "tpool.h"

#define NMEM  6
#define CHUNK (64u << 10)
#define S     (4u * CHUNK)

/* ---- the record's unit table ---------------------------------------------------- */

enum { TK = 2, TM = 1, TN = TK + TM };

/* A valid compressed 2+1 record: 3 units of 16 KiB (the last 10000 bytes). */
static void ctab_fill(struct ad_stripe *s, uint32_t *crc)
{
	memset(s, 0, sizeof(*s));
	s->k = TK;
	s->m = TM;
	s->matrix = AD_MATRIX_CAUCHY1;
	s->flags = AD_STRIPE_F_COMPRESSED;
	s->calg = AD_CALG_ZSTD;
	s->cshift = 14;
	s->nunits = 3;
	s->ulen = 2 * 16384 + 10000;
	s->data_len = s->ulen - 7;   /* truncated a little */
	s->unit[0] = 3000;
	s->unit[1] = 0;              /* raw: 16384 */
	s->unit[2] = 4000;
	s->slen = 3000 + 16384 + 4000;
	s->chunk_blocks = (uint16_t)((s->slen / TK + 4095) / 4096);   /* 3 */
	s->wgen = 9;
	s->crc = crc;
	for (unsigned i = 0; i < TN; i++)
		s->addr[i] = ad_addr(i, 100 + i);
	for (unsigned i = 0; i < TN * s->chunk_blocks; i++)
		crc[i] = 0xabc00000u + i;
}

static void test_ctab_roundtrip(void **state)
{
	uint32_t crc[64], back[64];
	struct ad_stripe s, d = { .crc = back };
	struct ad_cunit u;
	uint8_t rec[AD_ITEM_MAX];
	size_t base;
	int len;

	(void)state;
	ctab_fill(&s, crc);
	len = ad_stripe_encode(&s, rec, sizeof(rec));
	base = ad_stripe_size(TK, TM, s.chunk_blocks);
	assert_int_equal(len, (int)(base + 12 + 2 * 3));
	assert_int_equal((size_t)len, ad_stripe_rec_size(&s));
	assert_int_equal(rec[7], AD_STRIPE_F_COMPRESSED);
	assert_int_equal(rec[base], AD_CALG_ZSTD);
	assert_int_equal(rec[base + 1], 14);
	assert_int_equal(ad_rd16(rec + base + 2), 3);
	assert_int_equal(ad_rd32(rec + base + 4), s.ulen);
	assert_int_equal(ad_rd32(rec + base + 8), s.slen);
	assert_int_equal(ad_rd16(rec + base + 12), 3000);
	assert_int_equal(ad_rd16(rec + base + 14), 0);
	assert_int_equal(ad_rd16(rec + base + 16), 4000);
	assert_int_equal(ad_stripe_decode(rec, (size_t)len, &d, 64, NULL, 0), 0);
	assert_int_equal(d.flags, AD_STRIPE_F_COMPRESSED);
	assert_int_equal(d.calg, AD_CALG_ZSTD);
	assert_int_equal(d.nunits, 3);
	assert_int_equal(d.ulen, s.ulen);
	assert_int_equal(d.slen, s.slen);
	assert_int_equal(d.data_len, s.data_len);
	assert_memory_equal(d.unit, s.unit, 3 * sizeof(s.unit[0]));
	ad_stripe_unit(&d, 2, &u);
	assert_int_equal(u.soff, 3000 + 16384);
	assert_int_equal(u.slen, 4000);
	assert_int_equal(u.loff, 32768);
	assert_int_equal(u.llen, 10000);
	assert_false(u.raw);
	ad_stripe_unit(&d, 1, &u);
	assert_true(u.raw);
	assert_int_equal(u.slen, 16384);
	/* an uncompressed record decodes with an empty table */
	s.flags = 0;
	s.data_len = 5000;
	len = ad_stripe_encode(&s, rec, sizeof(rec));
	assert_int_equal((size_t)len, base);
	d.nunits = 77;
	assert_int_equal(ad_stripe_decode(rec, (size_t)len, &d, 64, NULL, 0), 0);
	assert_int_equal(d.nunits, 0);
}

/* Encode s, apply the damage, expect -EUCLEAN naming `what`. */
static void refuse(const struct ad_stripe *s0, void (*dmg)(struct ad_stripe *s, uint8_t *rec,
							 int *len), const char *what)
{
	uint32_t crc[64], back[64];
	struct ad_stripe s = *s0, d = { .crc = back };
	uint8_t rec[AD_ITEM_MAX];
	char why[256] = "";
	int len;

	memcpy(crc, s0->crc, sizeof(crc));
	s.crc = crc;
	dmg(&s, rec, &len);
	if (len <= 0)
		len = ad_stripe_encode(&s, rec, sizeof(rec));
	assert_true(len > 0);
	if (ad_stripe_decode(rec, (size_t)len, &d, 64, why, sizeof(why)) != -EUCLEAN)
		fail_msg("%s: accepted", what);
	if (!strstr(why, what))
		fail_msg("%s: reason \"%s\"", what, why);
}

static void d_alg0(struct ad_stripe *s, uint8_t *r, int *l) { (void)r; *l = 0; s->calg = 0; }
static void d_alg3(struct ad_stripe *s, uint8_t *r, int *l) { (void)r; *l = 0; s->calg = 3; }
static void d_shift11(struct ad_stripe *s, uint8_t *r, int *l)
{
	(void)r;
	*l = 0;
	s->cshift = 11;
}
static void d_shift17(struct ad_stripe *s, uint8_t *r, int *l)
{
	(void)r;
	*l = 0;
	s->cshift = 17;
}
static void d_ulen(struct ad_stripe *s, uint8_t *r, int *l)
{
	(void)r;
	*l = 0;
	s->ulen = 3 * 16384 + 1;   /* 4 units' worth, 3 given */
}
static void d_datalen(struct ad_stripe *s, uint8_t *r, int *l)
{
	(void)r;
	*l = 0;
	s->data_len = s->ulen + 1;
}
static void d_unitlong(struct ad_stripe *s, uint8_t *r, int *l)
{
	(void)r;
	*l = 0;
	s->unit[2] = 10000;   /* not shorter than the unit: must be raw (0) */
	s->slen = 3000 + 16384 + 10000;
}
static void d_sum(struct ad_stripe *s, uint8_t *r, int *l)
{
	(void)r;
	*l = 0;
	s->slen += 1;
}
static void d_blocks(struct ad_stripe *s, uint8_t *r, int *l)
{
	*l = 0;
	(void)r;
	s->chunk_blocks = 4;   /* slen needs 3 per chunk */
	for (unsigned i = 0; i < TN * 4; i++)
		s->crc[i] = i;
}
static void d_trunc(struct ad_stripe *s, uint8_t *r, int *l)
{
	*l = ad_stripe_encode(s, r, AD_ITEM_MAX) - 2;   /* table one unit short */
	ad_wr16(r + 2, (uint16_t)*l);
}
static void d_noflag(struct ad_stripe *s, uint8_t *r, int *l)
{
	*l = ad_stripe_encode(s, r, AD_ITEM_MAX);
	r[7] = 0;   /* a table but no flag: too long */
}
static void d_flag2(struct ad_stripe *s, uint8_t *r, int *l)
{
	*l = ad_stripe_encode(s, r, AD_ITEM_MAX);
	r[7] |= 2;   /* encryption: unknown */
}
static void d_nunits0(struct ad_stripe *s, uint8_t *r, int *l)
{
	size_t base = ad_stripe_size(TK, TM, s->chunk_blocks);

	*l = ad_stripe_encode(s, r, AD_ITEM_MAX);
	ad_wr16(r + base + 2, 0);
}

static void test_ctab_refused(void **state)
{
	uint32_t crc[64];
	struct ad_stripe s;

	(void)state;
	ctab_fill(&s, crc);
	refuse(&s, d_alg0, "compression algorithm 0");
	refuse(&s, d_alg3, "compression algorithm 3");
	refuse(&s, d_shift11, "unit size 2^11");
	refuse(&s, d_shift17, "unit size 2^17");
	refuse(&s, d_ulen, "3 units for");
	refuse(&s, d_datalen, "data_len");
	refuse(&s, d_unitlong, "unit 2 stored in 10000");
	refuse(&s, d_sum, "units sum to");
	refuse(&s, d_blocks, "units sum to");
	refuse(&s, d_trunc, "units in");
	refuse(&s, d_noflag, "bytes for 2+1");
	refuse(&s, d_flag2, "flags 3");
	refuse(&s, d_nunits0, "0 units");
}

static void test_settings(void **state)
{
	struct data_cz_cfg c;
	char out[DATA_CZ_SPEC_MAX], why[256];
	static const char *const bad[] = {
		"", "gzip", "lz4:3", "zstd:0", "zstd:20", "zstd:x", "zstd,unit=3000",
		"zstd,unit=128K", "zstd,unit=2K", "lz4,min-save=1", "lz4,min-save=65", "lz4,foo=1",
		"zstd:3,", "none:1", "zstdx",
	};

	(void)state;
	assert_int_equal(data_cz_parse("none", &c, NULL, 0), 0);
	assert_int_equal(c.alg, AD_CALG_NONE);
	data_cz_format(&c, out, sizeof(out));
	assert_string_equal(out, "none");
	assert_int_equal(data_cz_parse("zstd", &c, NULL, 0), 0);
	data_cz_format(&c, out, sizeof(out));
	assert_string_equal(out, "zstd:3,unit=65536,min-save=8");
	assert_int_equal(data_cz_parse("zstd:19,unit=16K,min-save=4", &c, NULL, 0), 0);
	assert_int_equal(c.level, 19);
	assert_int_equal(c.shift, 14);
	assert_int_equal(c.minsave, 4);
	assert_int_equal(data_cz_parse("lz4,unit=4096", &c, NULL, 0), 0);
	data_cz_format(&c, out, sizeof(out));
	assert_string_equal(out, "lz4,unit=4096,min-save=8");
	/* the canonical form parses to itself */
	assert_int_equal(data_cz_parse(out, &c, NULL, 0), 0);
	assert_int_equal(c.shift, 12);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (data_cz_parse(bad[i], &c, why, sizeof(why)) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
	/* room for the table: 7+0 with 256 KiB chunks holds 28 units of 64 KiB,
	 * not 448 of 4 KiB; 4 KiB chunks can save nothing */
	assert_int_equal(data_cz_parse("lz4", &c, NULL, 0), 0);
	assert_int_equal(data_cz_check_geometry(&c, 7, 0, 256u << 10, NULL, 0), 0);
	assert_int_equal(data_cz_check_geometry(&c, 4, 2, 64u << 10, NULL, 0), 0);
	assert_int_equal(data_cz_parse("lz4,unit=4K", &c, NULL, 0), 0);
	assert_int_equal(data_cz_check_geometry(&c, 7, 0, 256u << 10, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "use unit="));
	assert_int_equal(data_cz_check_geometry(&c, 4, 2, 4096, why, sizeof(why)), -EINVAL);
	/* every geometry mkfs allows holds 64 KiB units (k, m, the largest chunk) */
	assert_int_equal(data_cz_parse("zstd", &c, NULL, 0), 0);
	for (unsigned k = 1; k <= AD_MAX_K; k++)
		for (unsigned m = 0; m <= AD_MAX_M; m++) {
			uint32_t ch = 1u << 20;

			while (ch > 4096 && layout_check_chunk(k, m, ch))
				ch >>= 1;
			if (ch >= 8192 && data_cz_check_geometry(&c, k, m, ch, why, sizeof(why)))
				fail_msg("%u+%u, %u KiB chunks: %s", k, m, ch >> 10, why);
		}
}

/* ---- through the engine --------------------------------------------------------- */

struct cfx {
	struct tpool tp;
	argos_pool *p;
	uint8_t *text, *noise;      /* FSIZE bytes each */
};

#define FSIZE (3 * S + 50000)

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static argos_pool *copen(struct cfx *f, uint64_t gone, unsigned flags)
{
	struct argos_open_opts o = { .flags = flags, .commit_ms = 100 };
	argos_pool *p;
	char why[256];

	if (tpool_open_without(&f->tp, gone, &o, &p, why, sizeof(why)))
		fail_msg("open without %#llx: %s", (unsigned long long)gone, why);
	return p;
}

static struct cfx *cmake(const char *cz)
{
	struct cfx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true, .chunk_size = CHUNK,
				     .compression = cz };
	uint64_t seed = 4242;
	char why[256];
	size_t at = 0;

	assert_non_null(f);
	if (tpool_make(&f->tp, NULL, "compress", NMEM, 64ull << 20, &o, why, sizeof(why)))
		fail_msg("pool: %s", why);
	f->text = malloc(FSIZE);
	f->noise = malloc(FSIZE);
	assert_true(f->text && f->noise);
	while (at < FSIZE) {
		char line[96];
		int n = snprintf(line, sizeof(line), "line %08llu: the %s fox jumps over %u dogs\n",
				 (unsigned long long)(at / 50), (xs(&seed) & 1) ? "quick" : "lazy",
				 (unsigned)(xs(&seed) % 1000));
		size_t c = (size_t)n < FSIZE - at ? (size_t)n : FSIZE - at;

		memcpy(f->text + at, line, c);
		at += c;
	}
	for (size_t i = 0; i < FSIZE; i++)
		f->noise[i] = (uint8_t)xs(&seed);
	f->p = copen(f, 0, 0);
	return f;
}

static void cfree(struct cfx *f)
{
	if (f->p)
		assert_int_equal(argos_pool_close(f->p), 0);
	tpool_remove(&f->tp);
	free(f->text);
	free(f->noise);
	free(f);
}

static uint64_t put(argos_pool *p, const char *name, const uint8_t *data, size_t len)
{
	struct argos_attr a;
	uint64_t fh;

	assert_int_equal(argos_mknod(p, ARGOS_ROOT_INO, name, S_IFREG | 0644, 0, NULL, &a), 0);
	assert_int_equal(argos_open(p, a.ino, O_RDWR, &fh), 0);
	assert_int_equal(argos_write(p, a.ino, fh, data, len, 0), (int)len);
	assert_int_equal(argos_fsync(p, a.ino, 0), 0);
	assert_int_equal(argos_release(p, a.ino, fh), 0);
	return a.ino;
}

static void check(argos_pool *p, uint64_t ino, const uint8_t *want, size_t len)
{
	uint8_t *buf = malloc(len + 4096);
	int n;

	assert_non_null(buf);
	n = argos_read(p, ino, 0, buf, len + 4096, 0);
	if (n != (int)len || memcmp(buf, want, len)) {
		size_t i = 0;

		while (n > 0 && i < (size_t)n && i < len && buf[i] == want[i])
			i++;
		fail_msg("inode %llu: read %d of %zu bytes, first difference at %zu",
			 (unsigned long long)ino, n, len, i);
	}
	free(buf);
}

/* The stripe of window w (flags, calg) or -ENOENT. */
static int stripe_of(argos_pool *p, uint64_t ino, unsigned w, struct ad_stripe *s)
{
	return data_get_stripe(p, ino, (uint64_t)w * S, s);
}

static void roundtrip(const char *cz, uint8_t alg)
{
	struct cfx *f = cmake(cz);
	static uint32_t crc[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crc };
	struct argos_pool_status a, b;
	uint64_t t, r;
	uint8_t buf[4096];

	t = put(f->p, "text", f->text, FSIZE);
	r = put(f->p, "noise", f->noise, FSIZE);
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = copen(f, 0, 0);
	check(f->p, t, f->text, FSIZE);
	check(f->p, r, f->noise, FSIZE);
	for (unsigned w = 0; w < 4; w++) {
		assert_int_equal(stripe_of(f->p, t, w, &s), 0);
		assert_true(s.flags & AD_STRIPE_F_COMPRESSED);
		assert_int_equal(s.calg, alg);
		assert_true(s.slen < s.ulen / 2);
		assert_int_equal(s.data_len, w < 3 ? S : 50000);
		assert_int_equal(stripe_of(f->p, r, w, &s), 0);
		assert_false(s.flags & AD_STRIPE_F_COMPRESSED);
		assert_int_equal(s.data_len, w < 3 ? S : 50000);
	}
	/* a 4 KiB read in the middle of window 1 decompresses one unit */
	argos_pool_status(f->p, &a);
	assert_int_equal(argos_read(f->p, t, 0, buf, 4096, S + 100000), 4096);
	argos_pool_status(f->p, &b);
	assert_memory_equal(buf, f->text + S + 100000, 4096);
	assert_int_equal(b.cz_units_read - a.cz_units_read, 1);
	/* across a unit boundary: two */
	assert_int_equal(argos_read(f->p, t, 0, buf, 4096, S + 65536 - 100), 4096);
	argos_pool_status(f->p, &a);
	assert_int_equal(a.cz_units_read - b.cz_units_read, 2);
	assert_memory_equal(buf, f->text + S + 65536 - 100, 4096);
	/* two members missing: every byte still there */
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = copen(f, 1u << 1 | 1u << 4, ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED);
	check(f->p, t, f->text, FSIZE);
	check(f->p, r, f->noise, FSIZE);
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = copen(f, 1u << 0 | 1u << 5, ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED);
	check(f->p, t, f->text, FSIZE);
	cfree(f);
}

static void test_lz4(void **state)
{
	(void)state;
	roundtrip("lz4", AD_CALG_LZ4);
}

static void test_zstd(void **state)
{
	(void)state;
	roundtrip("zstd:5", AD_CALG_ZSTD);
}

static void set_size(argos_pool *p, uint64_t ino, uint64_t size)
{
	struct argos_attr in = { .size = size }, out;

	assert_int_equal(argos_setattr(p, ino, &in, ARGOS_SET_SIZE, NULL, &out), 0);
}

static void test_trunc_extend(void **state)
{
	struct cfx *f = cmake("zstd");
	static uint32_t crc[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crc };
	uint8_t *want = calloc(1, 2 * S);
	uint64_t t, fh;

	(void)state;
	assert_non_null(want);
	t = put(f->p, "t", f->text, 2 * S);
	/* cut inside window 1's second unit: the record keeps its units */
	set_size(f->p, t, S + 70000);
	assert_int_equal(stripe_of(f->p, t, 1, &s), 0);
	assert_true(s.flags & AD_STRIPE_F_COMPRESSED);
	assert_int_equal(s.data_len, 70000);
	assert_int_equal(s.ulen, S);
	set_size(f->p, t, 2 * S);
	memcpy(want, f->text, S + 70000);
	check(f->p, t, want, 2 * S);
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = copen(f, 0, 0);
	check(f->p, t, want, 2 * S);
	/* an overwrite inside compressed window 0 keeps the rest of it (a deferred
	 * write laid over the decompressed units, or a new stripe) */
	assert_int_equal(argos_open(f->p, t, O_RDWR, &fh), 0);
	assert_int_equal(argos_write(f->p, t, fh, f->noise, 5000, 123456), 5000);
	assert_int_equal(argos_fsync(f->p, t, 0), 0);
	assert_int_equal(argos_release(f->p, t, fh), 0);
	memcpy(want + 123456, f->noise, 5000);
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = copen(f, 0, 0);
	check(f->p, t, want, 2 * S);
	assert_int_equal(stripe_of(f->p, t, 0, &s), 0);
	assert_true(s.flags & AD_STRIPE_F_COMPRESSED);
	/* more small overwrites of text: the window is folded into a new
	 * compressed stripe on the way */
	assert_int_equal(argos_open(f->p, t, O_RDWR, &fh), 0);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t at = 1000 + i * 60000;

		assert_int_equal(argos_write(f->p, t, fh, f->text + S, 50000, at), 50000);
		memcpy(want + at, f->text + S, 50000);
		assert_int_equal(argos_fsync(f->p, t, 0), 0);
	}
	assert_int_equal(argos_release(f->p, t, fh), 0);
	check(f->p, t, want, 2 * S);
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = copen(f, 0, 0);
	check(f->p, t, want, 2 * S);
	assert_int_equal(stripe_of(f->p, t, 0, &s), 0);
	assert_true(s.flags & AD_STRIPE_F_COMPRESSED);
	free(want);
	cfree(f);
}

static void test_prop_change(void **state)
{
	struct cfx *f = cmake(NULL);
	static uint32_t crc[DATA_CRC_CAP];
	struct ad_stripe s = { .crc = crc };
	struct argos_pool_status st;
	struct argos_usage *u = malloc(sizeof(*u));
	uint64_t a, b, c;
	char why[256];

	(void)state;
	assert_non_null(u);
	assert_false(f->p->sb.feat_incompat & AD_FEAT_INCOMPAT_COMPRESSION);
	a = put(f->p, "a", f->text, FSIZE);
	assert_int_equal(argos_pool_set_compression(f->p, "zstd:1,unit=16K", why, sizeof(why)), 0);
	b = put(f->p, "b", f->text, FSIZE);
	assert_int_equal(argos_pool_set_compression(f->p, "lz4", why, sizeof(why)), 0);
	c = put(f->p, "c", f->text, FSIZE);
	assert_int_equal(argos_pool_set_compression(f->p, "gzip", why, sizeof(why)), -EINVAL);
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = copen(f, 0, 0);
	assert_true(f->p->sb.feat_incompat & AD_FEAT_INCOMPAT_COMPRESSION);
	argos_pool_status(f->p, &st);
	assert_string_equal(st.compression, "lz4,unit=65536,min-save=8");
	assert_int_equal(stripe_of(f->p, a, 0, &s), 0);
	assert_false(s.flags & AD_STRIPE_F_COMPRESSED);
	assert_int_equal(stripe_of(f->p, b, 0, &s), 0);
	assert_int_equal(s.calg, AD_CALG_ZSTD);
	assert_int_equal(s.cshift, 14);
	assert_int_equal(s.nunits, 16);
	assert_int_equal(stripe_of(f->p, c, 0, &s), 0);
	assert_int_equal(s.calg, AD_CALG_LZ4);
	assert_int_equal(s.cshift, 16);
	check(f->p, a, f->text, FSIZE);
	check(f->p, b, f->text, FSIZE);
	check(f->p, c, f->text, FSIZE);
	/* df: two files' worth of compressed stripes, the savings they make */
	assert_int_equal(argos_pool_usage(f->p, u), 0);
	assert_int_equal(u->compressed_stripes, 8);
	assert_int_equal(u->compressed_bytes, 2ull * FSIZE);
	assert_true(u->compressed_stored_bytes < FSIZE);
	assert_int_equal(u->compression_saved_bytes, u->compressed_bytes -
			 u->compressed_stored_bytes);
	assert_string_equal(u->compression, "lz4,unit=65536,min-save=8");
	/* back to none: new stripes are stored as written */
	assert_int_equal(argos_pool_set_compression(f->p, "none", why, sizeof(why)), 0);
	a = put(f->p, "d", f->text, S);
	assert_int_equal(stripe_of(f->p, a, 0, &s), 0);
	assert_false(s.flags & AD_STRIPE_F_COMPRESSED);
	assert_int_equal(argos_pool_close(f->p), 0);
	f->p = NULL;
	/* fsck -n -f: nothing to say */
	if (tpool_fsck_clean(f->tp.paths, NMEM, why, sizeof(why)))
		fail_msg("%s", why);
	free(u);
	cfree(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctab_roundtrip),
		cmocka_unit_test(test_ctab_refused),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_lz4),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_trunc_extend),
		cmocka_unit_test(test_prop_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
