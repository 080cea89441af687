/*
 * test_ad_doc.c — Description: docs/ondisk-format.md says what the code does.
 * Reads every "<!-- table: name -->" table of the format document and checks
 * it against the code: offsets and sizes of the wire structs (offsetof), the
 * bytes the encoders write at each documented offset (structures, journal
 * payload operations, item records), that each table tiles its structure,
 * the superblock area offsets, and the names and values of member states, key
 * types and features.  Tree items: the record prefix, inode, pool, extent
 * reference, directory and xattr bucket, and stripe tables against their
 * encoders; the inline and orphan tables (written by the engine, no encoder
 * here) tile their prefix; the name hash examples against ad_name_hash; the
 * limits table against the constants (engine ones included).
 */
#include <ctype.h>

#include "ad_defer.h"
#include "ad_dirent.h"
#include "ad_items.h"
#include "ad_jops.h"
#include "ad_prop.h"
#include "ad_stripe.h"
#include "ad_test.h"
#include "data.h"    /* DATA_INLINE_MAX (macros only) */
#include "ns.h"      /* NS_INLINE_CHUNK (macros only) */

#ifndef AD_DOC_PATH
#error "AD_DOC_PATH: the path of docs/ondisk-format.md"
#endif

#define MAX_ROWS 96
#define MAX_COLS 6

struct row {
	char *col[MAX_COLS];
	unsigned ncol;
};

struct table {
	struct row rows[MAX_ROWS];
	char *lines[MAX_ROWS];   /* the rows' storage */
	unsigned nrows;
};

static void free_table(struct table *t)
{
	for (unsigned i = 0; i < t->nrows; i++)
		free(t->lines[i]);
	free(t);
}

static char *doc;   /* the whole document, NUL-terminated */

static int load_doc(void **state)
{
	FILE *f = fopen(AD_DOC_PATH, "r");
	long n;

	(void)state;
	if (!f) {
		fprintf(stderr, "cannot open %s\n", AD_DOC_PATH);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	doc = malloc((size_t)n + 1);
	if (!doc || fread(doc, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	doc[n] = '\0';
	fclose(f);
	return 0;
}

static int free_doc(void **state)
{
	(void)state;
	free(doc);
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Split one "| a | b |" line in place; "\|" stays inside a cell. */
static void split_row(char *line, struct row *r)
{
	char *p = line + 1, *start = p;

	r->ncol = 0;
	for (; *p; p++) {
		if (*p == '|' && p[-1] != '\\') {
			*p = '\0';
			if (r->ncol < MAX_COLS)
				r->col[r->ncol++] = trim(start);
			start = p + 1;
		}
	}
}

/* The rows (header and separator dropped) of the table after the marker. */
static struct table *get_table(const char *name)
{
	char marker[64];
	struct table *t = calloc(1, sizeof(*t));
	const char *at;
	char *copy, *line, *save = NULL;
	unsigned seen = 0;

	assert_non_null(t);
	snprintf(marker, sizeof(marker), "<!-- table: %s -->\n", name);
	at = strstr(doc, marker);
	if (!at)
		fail_msg("no table \"%s\" in %s", name, AD_DOC_PATH);
	copy = strdup(at + strlen(marker));
	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line && line[0] == '|';
	     line = strtok_r(NULL, "\n", &save)) {
		if (seen++ < 2)
			continue;
		assert_true(t->nrows < MAX_ROWS);
		t->lines[t->nrows] = strdup(line);
		assert_non_null(t->lines[t->nrows]);
		split_row(t->lines[t->nrows], &t->rows[t->nrows]);
		t->nrows++;
	}
	free(copy);
	if (t->nrows == 0)
		fail_msg("table \"%s\" is empty", name);
	return t;
}

static unsigned long long num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (end == s || *end != '\0')
		fail_msg("\"%s\" is not a number", s);
	return v;
}

/* Rows must tile [0, size): offsets contiguous, sizes adding up. */
static void check_tiling(const char *name, const struct table *t, unsigned size)
{
	unsigned long long next = 0;

	for (unsigned i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		if (num(r->col[0]) != next)
			fail_msg("table %s: %s at %s, expected %llu", name, r->col[2], r->col[0], next);
		next += num(r->col[1]);
	}
	if (next != size)
		fail_msg("table %s covers %llu bytes, expected %u", name, next, size);
}

/* ---- wire structs: offsetof ----------------------------------------------- */

struct field_pos {
	const char *name;
	size_t off, size;
};

#define F(type, m) { #m, offsetof(type, m), sizeof(((type *)0)->m) }

static void check_fields(const char *name, const struct field_pos *fp, unsigned n,
			 unsigned size)
{
	struct table *t = get_table(name);

	check_tiling(name, t, size);
	if (t->nrows != n)
		fail_msg("table %s has %u rows, the struct %u fields", name, t->nrows, n);
	for (unsigned i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		if (strcmp(r->col[2], fp[i].name) != 0 || num(r->col[0]) != fp[i].off ||
		    num(r->col[1]) != fp[i].size)
			fail_msg("table %s row %u: %s %s %s; the struct has %s at %zu, %zu bytes",
				 name, i, r->col[0], r->col[1], r->col[2], fp[i].name, fp[i].off,
				 fp[i].size);
	}
	free_table(t);
}

static void test_doc_superblock(void **state)
{
#define S(m) F(struct ad_sb_wire, m)
	static const struct field_pos fp[] = {
		S(magic), S(version), S(version_min), S(length), S(csum_type), S(block_shift),
		S(feat_compat), S(feat_ro_compat), S(feat_incompat), S(pool_uuid), S(format_id),
		S(device_uuid), S(generation), S(member_index), S(member_count), S(k), S(m),
		S(chunk_size), S(matrix_type), S(slot), S(state_flags), S(mkfs_time),
		S(write_time), S(device_size), S(logical_sector), S(physical_sector),
		S(journal_off), S(journal_len), S(spacemap_off), S(spacemap_len), S(data_off),
		S(data_len), S(tree_root), S(journal_head_off), S(journal_head_seq),
		S(journal_mirrors), S(meta_mirrors), S(tree_height), S(reserved0), S(ckpt_gen),
		S(spacemap_csum), S(spacemap_slot), S(spacemap_gen), S(mount_time),
		S(last_check), S(mount_count), S(mounted_pid), S(mounted_host), S(label),
		S(mtab_entry_size), S(mtab_blocks), S(mtab_csum), S(reserved1), S(snap_root),
		S(kdf), S(kdf_opslimit), S(kdf_memlimit), S(kdf_salt), S(key_check), S(keyslots),
		S(reserved2), S(csum),
	};
#undef S
	(void)state;
	check_fields("superblock", fp, sizeof(fp) / sizeof(fp[0]), AD_BLOCK);
}

static void test_doc_keyslot_member_bptr(void **state)
{
#define K(m) F(struct ad_keyslot_wire, m)
	static const struct field_pos ks[] = { K(flags), K(kind), K(nonce), K(wrapped),
					       K(reserved) };
#undef K
#define M(m) F(struct ad_member_wire, m)
	static const struct field_pos me[] = {
		M(device_uuid), M(size), M(logical_sector), M(physical_sector), M(state), M(tier),
		M(flags), M(weight), M(last_gen), M(missed_since), M(added_gen), M(reserved),
	};
#undef M
#define B(m) F(struct ad_bptr_wire, m)
	static const struct field_pos bp[] = { B(addr), B(csum), B(nmirrors), B(level),
					       B(reserved), B(gen) };
#undef B
	(void)state;
	check_fields("keyslot", ks, 5, sizeof(struct ad_keyslot_wire));
	check_fields("member", me, 12, AD_MEMBER_ENTRY_SIZE);
	check_fields("bptr", bp, 6, sizeof(struct ad_bptr_wire));
}

/* ---- byte-offset structures: what the encoders write ------------------- */

struct expect {
	const char *name;
	uint64_t value;     /* for 1/2/4/8-byte fields */
	bool zero;          /* other sizes: all zero */
	const uint8_t *bytes;  /* or these bytes (keys) */
};

static const struct expect *find_expect(const struct expect *e, unsigned n, const char *name,
					unsigned occurrence)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(e[i].name, name) == 0 && occurrence-- == 0)
			return &e[i];
	return NULL;
}

/* Every documented field holds, at its documented offset, what the encoder put there. */
static void check_bytes(const char *name, const uint8_t *buf, unsigned size,
			const struct expect *e, unsigned ne)
{
	struct table *t = get_table(name);
	unsigned reserved_seen = 0;

	check_tiling(name, t, size);
	for (unsigned i = 0; i < t->nrows; i++) {
		const char *field = t->rows[i].col[2];
		unsigned off = (unsigned)num(t->rows[i].col[0]);
		unsigned len = (unsigned)num(t->rows[i].col[1]);
		const struct expect *x = find_expect(e, ne, field,
						     strcmp(field, "reserved") ? 0 : reserved_seen++);
		uint64_t got = 0;

		if (!x)
			fail_msg("table %s: field %s not known to the test", name, field);
		if (x->bytes) {
			if (memcmp(buf + off, x->bytes, len) != 0)
				fail_msg("table %s: %s at %u does not hold the encoded bytes", name,
					 field, off);
			continue;
		}
		if (x->zero) {
			for (unsigned b = 0; b < len; b++)
				if (buf[off + b] != 0)
					fail_msg("table %s: %s at %u should be zero", name, field, off);
			continue;
		}
		if (len != 1 && len != 2 && len != 4 && len != 8)
			fail_msg("table %s: %s has %u bytes", name, field, len);
		for (unsigned b = 0; b < len; b++)
			got |= (uint64_t)buf[off + b] << (8 * b);
		if (got != x->value)
			fail_msg("table %s: %s at %u holds 0x%llx, expected 0x%llx", name, field, off,
				 (unsigned long long)got, (unsigned long long)x->value);
	}
	free_table(t);
}

static void test_doc_page(void **state)
{
	uint8_t page[AD_BLOCK];
	struct ad_page_hdr h = { .version = 0x0102, .level = 0x0304, .nitems = 0x0506,
				 .flags = 0x0708, .gen = 0x1112131415161718ull,
				 .tree_id = 0x2122232425262728ull, .self = 0x3132333435363738ull,
				 .data_start = 0x4142 };
	uint32_t csum;

	(void)state;
	memset(page, 0xee, sizeof(page));
	csum = ad_page_seal(page, &h, 0x12345678);
	{
		const struct expect e[] = {
			{ "magic", AD_PAGE_MAGIC, false }, { "csum", csum, false },
			{ "version", h.version, false }, { "level", h.level, false },
			{ "nitems", h.nitems, false }, { "flags", h.flags, false },
			{ "gen", h.gen, false }, { "tree_id", h.tree_id, false },
			{ "self", h.self, false }, { "data_start", h.data_start, false },
			{ "reserved", 0, true },
		};

		check_bytes("page", page, AD_PAGE_HDR, e, sizeof(e) / sizeof(e[0]));
	}
}

static void test_doc_key(void **state)
{
	const struct ad_key k = { 0x0102030405060708ull, 0x99, 0x1112131415161718ull };
	uint8_t w[AD_KEY_SIZE];
	const struct expect e[] = {
		{ "oid", k.oid, false }, { "type", k.type, false }, { "off", k.off, false },
	};

	(void)state;
	ad_key_encode(&k, w);
	check_bytes("key", w, AD_KEY_SIZE, e, 3);
}

/* Leaf and internal entries: a page built from the documented offsets passes the check. */
static void test_doc_entries(void **state)
{
	struct table *leaf = get_table("leaf"), *node = get_table("node");
	uint8_t page[AD_BLOCK];
	struct ad_page_hdr h = { .version = AD_PAGE_VERSION, .level = 0, .nitems = 2, .gen = 5,
				 .tree_id = AD_MAIN_TREE_ID, .self = AD_ADDR_NONE };
	unsigned key_at, voff_at, vlen_at, child_at;
	char why[AD_WHY_MAX] = "";

	(void)state;
	check_tiling("leaf", leaf, AD_LEAF_ENTRY);
	check_tiling("node", node, AD_NODE_ENTRY);
	assert_string_equal(leaf->rows[0].col[2], "key");
	assert_string_equal(leaf->rows[1].col[2], "val_off");
	assert_string_equal(leaf->rows[2].col[2], "val_len");
	assert_string_equal(node->rows[0].col[2], "key");
	assert_string_equal(node->rows[1].col[2], "child");
	key_at = (unsigned)num(leaf->rows[0].col[0]);
	voff_at = (unsigned)num(leaf->rows[1].col[0]);
	vlen_at = (unsigned)num(leaf->rows[2].col[0]);
	child_at = (unsigned)num(node->rows[1].col[0]);

	memset(page, 0, sizeof(page));
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *e = page + AD_PAGE_HDR + i * AD_LEAF_ENTRY;
		struct ad_key k = { 10 + i, AD_KT_INODE, 0 };

		ad_key_encode(&k, e + key_at);
		ad_wr16(e + voff_at, (uint16_t)(AD_BLOCK - 100 * (i + 1)));
		ad_wr16(e + vlen_at, 100);
	}
	h.data_start = AD_BLOCK - 200;
	ad_page_seal(page, &h, 7);
	assert_int_equal(ad_page_check(page, 7, AD_ADDR_NONE, 0, 0, NULL, why, sizeof(why)), 0);
	ad_wr16(page + AD_PAGE_HDR + vlen_at, 101);   /* now runs off the page */
	ad_page_seal(page, &h, 7);
	assert_int_equal(ad_page_check(page, 7, AD_ADDR_NONE, 0, 0, NULL, why, sizeof(why)),
			 -EUCLEAN);

	memset(page, 0, sizeof(page));
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *e = page + AD_PAGE_HDR + i * AD_NODE_ENTRY;
		struct ad_key k = { 10 + i, AD_KT_INODE, 0 };
		struct ad_bptr p;

		ad_key_encode(&k, e + key_at);
		ad_bptr_null(&p);
		p.nmirrors = 1;
		p.addr[0] = ad_addr(0, 300 + i);
		p.gen = 5;
		ad_bptr_encode(&p, (struct ad_bptr_wire *)(e + child_at));
	}
	h.level = 1;
	h.data_start = 0;
	ad_page_seal(page, &h, 7);
	assert_int_equal(ad_page_check(page, 7, AD_ADDR_NONE, 0, 1, NULL, why, sizeof(why)), 0);
	free_table(node);
	free_table(leaf);
}

static void test_doc_journal(void **state)
{
	uint8_t buf[AD_BLOCK];
	struct ad_je je = { .type = 0x0102, .seq = 0x1112131415161718ull, .payload_len = 5,
			    .ntxn = 0x0a0b0c0d, .flags = 0x01020304,
			    .ckpt_gen = 0x2122232425262728ull };
	const uint8_t *t = buf + AD_BLOCK - AD_JE_TRAILER;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	memcpy(buf + AD_JE_HDR, "hello", 5);
	ad_je_seal(buf, &je, 0x12345678);
	{
		const struct expect h[] = {
			{ "magic", AD_JE_MAGIC, false }, { "version", AD_JE_VERSION, false },
			{ "type", je.type, false }, { "seq", je.seq, false },
			{ "nblocks", 1, false }, { "payload_len", 5, false },
			{ "ntxn", je.ntxn, false }, { "flags", je.flags, false },
			{ "ckpt_gen", je.ckpt_gen, false },
			{ "payload_csum", ad_crc32c(0x12345678, "hello", 5), false },
			{ "reserved", 0, true },
			{ "hdr_csum", ad_crc32c(0x12345678, buf, 60), false },
		};
		const struct expect tr[] = {
			{ "magic", AD_JE_COMMIT, false }, { "reserved", 0, true },
			{ "seq", je.seq, false }, { "payload_csum", je.payload_csum, false },
			{ "hdr_csum", ad_rd32(buf + 60), false }, { "reserved", 0, true },
			{ "csum", ad_crc32c(0x12345678, t, 28), false },
		};

		check_bytes("jheader", buf, AD_JE_HDR, h, sizeof(h) / sizeof(h[0]));
		check_bytes("jtrailer", t, AD_JE_TRAILER, tr, sizeof(tr) / sizeof(tr[0]));
	}
}

static void test_doc_spacemap(void **state)
{
	struct ad_sm_hdr *h = calloc(1, sizeof(*h));
	uint8_t block[AD_BLOCK];
	uint32_t csum;

	(void)state;
	assert_non_null(h);
	h->generation = 0x1112131415161718ull;
	h->nblocks = 0x2122232425262728ull;
	h->bm_blocks = 0x31323334;
	h->idx_blocks = 1;
	h->used_count = 0x4142434445464748ull;
	h->pending_count = 0x5152535455565758ull;
	h->member_index = 0x61626364;
	h->idx_csum[0] = 0x71727374;
	csum = ad_sm_hdr_encode(h, block, 0x12345678);
	{
		const struct expect e[] = {
			{ "magic", AD_SM_MAGIC, false }, { "version", AD_SM_VERSION, false },
			{ "reserved", 0, true }, { "generation", h->generation, false },
			{ "nblocks", h->nblocks, false }, { "bm_blocks", h->bm_blocks, false },
			{ "idx_blocks", h->idx_blocks, false },
			{ "used_count", h->used_count, false },
			{ "pending_count", h->pending_count, false },
			{ "member_index", h->member_index, false }, { "reserved", 0, true },
			{ "idx_csum", 0, true }, { "csum", csum, false },
		};

		/* idx_csum[0] is the one non-zero entry: clear it for the zero check. */
		assert_int_equal(ad_rd32(block + 64), 0x71727374);
		ad_wr32(block + 64, 0);
		check_bytes("smheader", block, AD_BLOCK, e, sizeof(e) / sizeof(e[0]));
	}
	free(h);
}

/* ---- layout and enumerations ------------------------------------------- */

/* "64 KiB" or "E − 256 KiB" (E = end) in bytes. */
static uint64_t parse_offset(const char *s, uint64_t end)
{
	unsigned long long kib;

	if (sscanf(s, "%llu KiB", &kib) == 1)
		return kib << 10;
	if (sscanf(s, "E \xe2\x88\x92 %llu KiB", &kib) == 1)
		return end - (kib << 10);
	fail_msg("layout offset \"%s\" not understood", s);
	return 0;
}

static void test_doc_extref(void **state)
{
	const struct ad_extref x = { .refs = 0x0102030405060708ull,
				     .nblocks = 0x1112131415161718ull };
	uint8_t v[AD_EXTREF_SIZE];

	(void)state;
	ad_extref_encode(&x, v);
	{
		const struct expect e[] = {
			{ "version", AD_EXTREF_VERSION, false }, { "length", AD_EXTREF_SIZE, false },
			{ "reserved", 0, true }, { "refs", x.refs, false },
			{ "nblocks", x.nblocks, false },
		};

		check_bytes("extref", v, AD_EXTREF_SIZE, e, sizeof(e) / sizeof(e[0]));
	}
}

/* Pool property records: the header, then name and value where the text says. */
static void test_doc_prop(void **state)
{
	uint8_t v[AD_PROP_MAX];
	int n = ad_prop_encode("io", "uring", v, NULL, 0);
	const struct expect e[] = {
		{ "version", AD_PROP_VERSION, false }, { "length", AD_PROP_HDR + 7, false },
		{ "namelen", 2, false }, { "vlen", 5, false },
	};

	(void)state;
	assert_int_equal(n, AD_PROP_HDR + 7);
	check_bytes("prop", v, AD_PROP_HDR, e, sizeof(e) / sizeof(e[0]));
	assert_memory_equal(v + 6, "io", 2);
	assert_memory_equal(v + 6 + 2, "uring", 5);
	assert_non_null(strstr(doc, "Key (0, `prop` 0x61, h) with h = CRC-32C (seed 0)"));
	assert_int_equal(ad_prop_key("io").off, ad_crc32c(0, "io", 2));
}

/* Journal payload: transaction header and the three operation layouts. */
static void test_doc_jops(void **state)
{
	const struct ad_key k = { 0x0102030405060708ull, 0x99, 0x1112131415161718ull };
	struct ad_jop op = { .type = AD_JOP_PUT, .key = k, .val = (const uint8_t *)"abc",
			     .vlen = 3 };
	uint8_t buf[64], kb[AD_KEY_SIZE];

	(void)state;
	ad_key_encode(&k, kb);
	ad_jtxn_hdr_encode(buf, 0x01020304, 0x05060708, 0x1112131415161718ull);
	{
		const struct expect e[] = {
			{ "len", 0x01020304, false }, { "nops", 0x05060708, false },
			{ "id", 0x1112131415161718ull, false },
		};

		check_bytes("jtxn", buf, AD_JTXN_HDR, e, 3);
	}
	/* PUT: the 20 bytes of the table, then the value. */
	assert_int_equal(ad_jop_size(&op), 20 + 3);
	ad_jop_encode(&op, buf);
	{
		const struct expect e[] = {
			{ "type", AD_JOP_PUT, false }, { "key", 0, false, kb }, { "vlen", 3, false },
		};

		check_bytes("jop_put", buf, 20, e, 3);
		assert_memory_equal(buf + 20, "abc", 3);
	}
	op.type = AD_JOP_DEL;
	assert_int_equal(ad_jop_size(&op), 18);
	ad_jop_encode(&op, buf);
	{
		const struct expect e[] = { { "type", AD_JOP_DEL, false }, { "key", 0, false, kb } };

		check_bytes("jop_del", buf, 18, e, 2);
	}
	for (uint8_t type = AD_JOP_ALLOC; type <= AD_JOP_FREE; type++) {
		const struct ad_jop sp = { .type = type, .member = 0x0102,
					   .block = 0x000a0b0c0d0e0f10ull, .n = 0x2122232425262728ull };
		const struct expect e[] = {
			{ "type", type, false }, { "member", sp.member, false },
			{ "block", sp.block, false }, { "n", sp.n, false },
		};

		assert_int_equal(ad_jop_size(&sp), 19);
		ad_jop_encode(&sp, buf);
		check_bytes("jop_space", buf, 19, e, 4);
	}
}

/* Item records: the common prefix, inode, pool record. */
static void test_doc_records(void **state)
{
	const struct ad_inode ino = {
		.mode = 0x01020304, .uid = 0x05060708, .gid = 0x090a0b0c, .nlink = 0x0d0e0f10,
		.flags = 0x11121314, .size = 0x2122232425262728ull, .rdev = 0x3132333435363738ull,
		.generation = 0x4142434445464748ull, .atime_sec = 0x5152535455565758ll,
		.mtime_sec = 0x6162636465666768ll, .ctime_sec = 0x7172737475767778ll,
		.btime_sec = 0x0102030405060709ll, .atime_nsec = 0x1a1b1c1d,
		.mtime_nsec = 0x2a2b2c2d, .ctime_nsec = 0x3a3b3c3d, .btime_nsec = 0x4a4b4c4d,
		.blocks = 0x5a5b5c5d5e5f5051ull, .projid = 0x6a6b6c6d, .nsubdirs = 0x7a7b7c7d,
		.nentries = 0x0b0c0d0e0f101112ull, .parent = 0x1b1c1d1e1f202122ull,
	};
	const struct ad_poolrec pr = { .next_ino = 0x0102030405060708ull,
				       .next_igen = 0x1112131415161718ull,
				       .inodes = 0x2122232425262728ull,
				       .data_bytes = 0x3132333435363738ull };
	uint8_t v[AD_INODE_SIZE], pv[AD_POOLREC_SIZE];

	(void)state;
	ad_inode_encode(&ino, v);
	ad_poolrec_encode(&pr, pv);
	{
		const struct expect e[] = {
			{ "version", AD_POOLREC_VERSION, false }, { "length", AD_POOLREC_SIZE, false },
		};

		check_bytes("recprefix", pv, 4, e, 2);
	}
	{
		const struct expect e[] = {
			{ "version", AD_INODE_VERSION, false }, { "length", AD_INODE_SIZE, false },
			{ "mode", ino.mode, false }, { "uid", ino.uid, false },
			{ "gid", ino.gid, false }, { "nlink", ino.nlink, false },
			{ "flags", ino.flags, false }, { "size", ino.size, false },
			{ "rdev", ino.rdev, false }, { "generation", ino.generation, false },
			{ "atime_sec", (uint64_t)ino.atime_sec, false },
			{ "mtime_sec", (uint64_t)ino.mtime_sec, false },
			{ "ctime_sec", (uint64_t)ino.ctime_sec, false },
			{ "btime_sec", (uint64_t)ino.btime_sec, false },
			{ "atime_nsec", ino.atime_nsec, false }, { "mtime_nsec", ino.mtime_nsec, false },
			{ "ctime_nsec", ino.ctime_nsec, false }, { "btime_nsec", ino.btime_nsec, false },
			{ "blocks", ino.blocks, false }, { "projid", ino.projid, false },
			{ "nsubdirs", ino.nsubdirs, false }, { "nentries", ino.nentries, false },
			{ "parent", ino.parent, false },
		};

		check_bytes("inode", v, AD_INODE_SIZE, e, sizeof(e) / sizeof(e[0]));
	}
	{
		const struct expect e[] = {
			{ "version", AD_POOLREC_VERSION, false }, { "length", AD_POOLREC_SIZE, false },
			{ "reserved", 0, true }, { "next_ino", pr.next_ino, false },
			{ "next_igen", pr.next_igen, false }, { "inodes", pr.inodes, false },
			{ "data_bytes", pr.data_bytes, false }, { "reserved", 0, true },
		};

		check_bytes("poolrec", pv, AD_POOLREC_SIZE, e, sizeof(e) / sizeof(e[0]));
	}
}

/* Directory and xattr buckets: header, entry heads, names and values where the text says. */
static void test_doc_buckets(void **state)
{
	const struct ad_dirent de[2] = {
		{ .ino = 0x0102030405060708ull, .type = 8, .namelen = 5,
		  .name = (const uint8_t *)"hello" },
		{ .ino = 0x1112131415161718ull, .type = 4, .namelen = 3,
		  .name = (const uint8_t *)"sub" },
	};
	const struct ad_xattr xe[2] = {
		{ .namelen = 6, .flags = 0, .vlen = 3, .name = (const uint8_t *)"user.a",
		  .value = (const uint8_t *)"xyz" },
		{ .namelen = 6, .flags = AD_XF_EXTERNAL, .vlen = AD_XATTR_VALUE_MAX,
		  .name = (const uint8_t *)"user.b" },
	};
	uint8_t b[AD_ITEM_MAX];
	int len;

	(void)state;
	len = ad_dirent_bucket_encode(de, 2, b, sizeof(b));
	assert_int_equal(len, AD_BUCKET_HDR + 10 + 5 + 10 + 3);
	{
		const struct expect h[] = {
			{ "version", AD_BUCKET_VERSION, false }, { "length", (uint64_t)len, false },
			{ "count", 2, false }, { "reserved", 0, true },
		};

		check_bytes("bucket", b, AD_BUCKET_HDR, h, 4);
	}
	for (unsigned i = 0, at = AD_BUCKET_HDR; i < 2; i++) {
		const struct expect e[] = {
			{ "ino", de[i].ino, false }, { "type", de[i].type, false },
			{ "namelen", de[i].namelen, false },
		};

		check_bytes("dirent", b + at, 10, e, 3);
		assert_memory_equal(b + at + 10, de[i].name, de[i].namelen);   /* "follows at 10" */
		at += 10 + de[i].namelen;
	}

	len = ad_xattr_bucket_encode(xe, 2, b, sizeof(b));
	assert_int_equal(len, AD_BUCKET_HDR + 6 + 6 + 3 + 6 + 6);
	{
		const struct expect h[] = {
			{ "version", AD_BUCKET_VERSION, false }, { "length", (uint64_t)len, false },
			{ "count", 2, false }, { "reserved", 0, true },
		};

		check_bytes("bucket", b, AD_BUCKET_HDR, h, 4);
	}
	for (unsigned i = 0, at = AD_BUCKET_HDR; i < 2; i++) {
		const struct expect e[] = {
			{ "namelen", xe[i].namelen, false }, { "flags", xe[i].flags, false },
			{ "vlen", xe[i].vlen, false },
		};

		check_bytes("xattr", b + at, 6, e, 3);
		assert_memory_equal(b + at + 6, xe[i].name, xe[i].namelen);   /* "follows at 6" */
		at += 6 + xe[i].namelen;
		if (!(xe[i].flags & AD_XF_EXTERNAL)) {
			assert_memory_equal(b + at, xe[i].value, xe[i].vlen);
			at += xe[i].vlen;
		}
	}
}

/* Stripe record: the header table, and the arrays where the text puts them. */
static void test_doc_stripe(void **state)
{
	enum { K = 2, M = 1, CB = 3, N = K + M };
	uint32_t crc[N * CB], back[N * CB];
	struct ad_stripe s = { .k = K, .m = M, .matrix = AD_MATRIX_CAUCHY1, .flags = 0,
			       .chunk_blocks = CB, .data_len = 0x00004321,
			       .wgen = 0x1112131415161718ull, .crc = crc };
	struct ad_stripe d = { .crc = back };
	uint8_t rec[AD_ITEM_MAX];
	int len;

	(void)state;
	for (unsigned i = 0; i < N; i++)
		s.addr[i] = ad_addr(i + 1, 0x100 * (i + 1));
	for (unsigned i = 0; i < N * CB; i++)
		crc[i] = 0xc0c00000u + i;
	len = ad_stripe_encode(&s, rec, sizeof(rec));
	assert_int_equal(len, 32 + 8 * N + 4 * N * CB);
	assert_int_equal((size_t)len, ad_stripe_size(K, M, CB));
	{
		const struct expect e[] = {
			{ "version", AD_STRIPE_VERSION, false }, { "length", (uint64_t)len, false },
			{ "k", K, false }, { "m", M, false }, { "matrix", AD_MATRIX_CAUCHY1, false },
			{ "flags", 0, false }, { "chunk_blocks", CB, false },
			{ "reserved", 0, true }, { "data_len", s.data_len, false },
			{ "wgen", s.wgen, false }, { "reserved", 0, true },
		};

		check_bytes("stripe", rec, AD_STRIPE_HDR, e, sizeof(e) / sizeof(e[0]));
	}
	/* addr[i] at 32 + 8 i; the CRC of block b of chunk i at 32 + 8 n + 4 (i × cb + b). */
	for (unsigned i = 0; i < N; i++) {
		assert_true(ad_rd64(rec + 32 + 8 * i) == s.addr[i]);
		for (unsigned bl = 0; bl < CB; bl++)
			assert_int_equal(ad_rd32(rec + 32 + 8 * N + 4 * (i * CB + bl)), crc[i * CB + bl]);
	}
	assert_int_equal(ad_stripe_decode(rec, (size_t)len, &d, N * CB, NULL, 0), 0);
	/* A compressed record: the unit table after the CRCs, unit[i] at 12 + 2 i. */
	s.flags = AD_STRIPE_F_COMPRESSED;
	s.calg = AD_CALG_LZ4;
	s.cshift = 13;
	s.nunits = 3;
	s.ulen = 20000;
	s.data_len = 19000;
	s.unit[0] = 1000;
	s.unit[1] = 0;
	s.unit[2] = 2000;
	s.slen = 1000 + 8192 + 2000;
	s.chunk_blocks = 2;
	len = ad_stripe_encode(&s, rec, sizeof(rec));
	assert_int_equal((size_t)len, ad_stripe_csize(K, M, 2, 3));
	assert_int_equal(len, 32 + 8 * N + 4 * N * 2 + 12 + 2 * 3);
	{
		const struct expect e[] = {
			{ "calg", AD_CALG_LZ4, false }, { "cshift", 13, false },
			{ "nunits", 3, false }, { "ulen", 20000, false }, { "slen", s.slen, false },
		};
		const uint8_t *t = rec + ad_stripe_size(K, M, 2);

		check_bytes("stripe-units", t, 12, e, sizeof(e) / sizeof(e[0]));
		for (unsigned i = 0; i < 3; i++)
			assert_int_equal(ad_rd16(t + 12 + 2 * i), s.unit[i]);
	}
	assert_int_equal(ad_stripe_decode(rec, (size_t)len, &d, N * CB, NULL, 0), 0);
	assert_int_equal(d.flags, AD_STRIPE_F_COMPRESSED);
}

/* Deferred write record: the header table, the bytes after it. */
static void test_doc_defer(void **state)
{
	uint8_t data[5] = { 0xd1, 0xd2, 0xd3, 0xd4, 0xd5 }, rec[AD_ITEM_MAX];
	struct ad_defer d = { .wgen = 0x2122232425262728ull, .count = sizeof(data), .data = data };
	struct ad_defer back;
	int len = ad_defer_encode(&d, rec, sizeof(rec));

	(void)state;
	assert_int_equal(len, AD_DEFER_HDR + (int)sizeof(data));
	{
		const struct expect e[] = {
			{ "version", AD_DEFER_VERSION, false }, { "length", (uint64_t)len, false },
			{ "count", sizeof(data), false }, { "wgen", d.wgen, false },
		};

		check_bytes("defer", rec, AD_DEFER_HDR, e, sizeof(e) / sizeof(e[0]));
	}
	assert_memory_equal(rec + AD_DEFER_HDR, data, sizeof(data));
	assert_int_equal(ad_defer_decode(rec, (size_t)len, &back, NULL, 0), 0);
}

/* Records the engine writes itself (no encoder here): the prefix, nothing else. */
static void test_doc_prefix_only(void **state)
{
	static const char *const names[] = { "inline", "orphan" };

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		struct table *t = get_table(names[i]);

		check_tiling(names[i], t, 4);
		assert_int_equal(t->nrows, 2);
		assert_string_equal(t->rows[0].col[2], "version");
		assert_string_equal(t->rows[1].col[2], "length");
		free_table(t);
	}
}

/* "0011…ff" (32 hex digits) into 16 bytes. */
static void parse_hex16(const char *s, uint8_t out[16])
{
	if (strlen(s) != 32)
		fail_msg("\"%s\" is not 16 bytes of hex", s);
	for (unsigned i = 0; i < 16; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			fail_msg("\"%s\" is not hex", s);
		out[i] = (uint8_t)v;
	}
}

static void test_doc_namehash(void **state)
{
	struct table *t = get_table("namehash");

	(void)state;
	for (unsigned i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		const char *q = r->col[1];
		size_t n = strlen(q);
		uint8_t key[16];
		uint64_t h;

		if (n < 2 || q[0] != '"' || q[n - 1] != '"')
			fail_msg("table namehash: name %s is not quoted", q);
		parse_hex16(r->col[0], key);
		h = ad_name_hash(key, q + 1, n - 2);
		if (h != num(r->col[2]) || ad_dirent_h(h) != num(r->col[3]) ||
		    ad_xattr_h(h) != num(r->col[4]))
			fail_msg("table namehash: %s hashes to 0x%016llx (dirent 0x%llx, xattr 0x%llx)",
				 q, (unsigned long long)h, (unsigned long long)ad_dirent_h(h),
				 (unsigned long long)ad_xattr_h(h));
	}
	free_table(t);
}

static void test_doc_limits(void **state)
{
	static const struct { const char *name; unsigned long long v; } c[] = {
		{ "AD_ITEM_MAX", AD_ITEM_MAX }, { "AD_BUCKET_HDR", AD_BUCKET_HDR },
		{ "AD_NAME_MAX", AD_NAME_MAX }, { "AD_DIRENT_MAX", AD_DIRENT_MAX },
		{ "AD_XATTR_INLINE_MAX", AD_XATTR_INLINE_MAX },
		{ "AD_XATTR_VALUE_MAX", AD_XATTR_VALUE_MAX }, { "AD_XVAL_PART", AD_XVAL_PART },
		{ "AD_STRIPE_HDR", AD_STRIPE_HDR }, { "AD_STRIPE_MAX_CHUNKS", AD_STRIPE_MAX_CHUNKS },
		{ "AD_DEFER_HDR", AD_DEFER_HDR }, { "AD_DEFER_MAX", AD_DEFER_MAX },
		{ "NS_INLINE_CHUNK", NS_INLINE_CHUNK }, { "DATA_INLINE_MAX", DATA_INLINE_MAX },
	};
	struct table *t = get_table("itemlimits");

	(void)state;
	for (unsigned i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		unsigned j;

		for (j = 0; j < sizeof(c) / sizeof(c[0]); j++)
			if (strcmp(c[j].name, r->col[0]) == 0)
				break;
		if (j == sizeof(c) / sizeof(c[0]))
			fail_msg("table itemlimits: %s not known to the test", r->col[0]);
		if (num(r->col[1]) != c[j].v)
			fail_msg("table itemlimits: %s is %s, the code says %llu", r->col[0],
				 r->col[1], c[j].v);
	}
	free_table(t);
}

static void test_doc_layout(void **state)
{
	struct table *t = get_table("layout");
	const uint64_t size = (1ull << 30) + 12345, end = ad_align_down(size, AD_END_ALIGN);
	unsigned areas = 0;

	(void)state;
	for (unsigned i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		unsigned slot;
		bool back;

		if (strncmp(r->col[2], "superblock area, slot ", 22) != 0)
			continue;
		slot = r->col[2][22] == 'B';
		back = strstr(r->col[2], "back copy") != NULL;
		assert_true(parse_offset(r->col[0], end) == ad_sb_area_offset(slot, back, size));
		assert_true(parse_offset(r->col[1], end) == AD_SB_AREA);
		areas++;
	}
	assert_int_equal(areas, 4);
	free_table(t);
}

/* A table of "| value | name | ..." rows lists exactly the n values name_of() knows. */
static void check_names(const char *table, unsigned n, const char *(*name_of)(unsigned))
{
	struct table *t = get_table(table);

	assert_int_equal(t->nrows, n);
	for (unsigned i = 0; i < t->nrows; i++) {
		const char *name = name_of((unsigned)num(t->rows[i].col[0]));

		if (!name || strcmp(name, t->rows[i].col[1]) != 0)
			fail_msg("table %s: %s is \"%s\" in the code", table, t->rows[i].col[0],
				 name ? name : "(none)");
	}
	free_table(t);
}

static void test_doc_enums(void **state)
{
	static const struct { unsigned bit; const char *name; } inc[] = {
#define x(n_, b, s) { b, s },
		AD_FEATURES_INCOMPAT(x)
#undef x
	};
	struct table *ft = get_table("features");
	unsigned nstates = 0, nkeys = 0;

	(void)state;
#define x(n_, v, s) nstates++;
	AD_MEMBER_STATES(x)
#undef x
#define x(n_, v, s) nkeys++;
	AD_KEY_TYPES(x)
#undef x
	check_names("states", nstates, ad_member_state_name);
	check_names("keytypes", nkeys, ad_key_type_name);
	assert_int_equal(ft->nrows, sizeof(inc) / sizeof(inc[0]));
	for (unsigned i = 0; i < ft->nrows; i++) {
		assert_string_equal(ft->rows[i].col[0], "incompat");
		assert_int_equal(num(ft->rows[i].col[1]), inc[i].bit);
		assert_string_equal(ft->rows[i].col[2], inc[i].name);
		/* "(supported)" exactly for the bits in the SUPP mask. */
		assert_int_equal(strstr(ft->rows[i].col[3], "(supported)") != NULL,
				 (AD_FEAT_INCOMPAT_SUPP >> inc[i].bit) & 1);
	}
	free_table(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_superblock),
		cmocka_unit_test(test_doc_keyslot_member_bptr),
		cmocka_unit_test(test_doc_page),
		cmocka_unit_test(test_doc_key),
		cmocka_unit_test(test_doc_entries),
		cmocka_unit_test(test_doc_journal),
		cmocka_unit_test(test_doc_spacemap),
		cmocka_unit_test(test_doc_extref),
		cmocka_unit_test(test_doc_prop),
		cmocka_unit_test(test_doc_jops),
		cmocka_unit_test(test_doc_records),
		cmocka_unit_test(test_doc_buckets),
		cmocka_unit_test(test_doc_stripe),
		cmocka_unit_test(test_doc_defer),
		cmocka_unit_test(test_doc_prefix_only),
		cmocka_unit_test(test_doc_namehash),
		cmocka_unit_test(test_doc_limits),
		cmocka_unit_test(test_doc_layout),
		cmocka_unit_test(test_doc_enums),
	};

	return cmocka_run_group_tests(tests, load_doc, free_doc);
}
