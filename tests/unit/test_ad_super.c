/*
 * test_ad_super.c — Description: superblock and member table encode/decode:
 * area offsets, round trips, every byte of the encoded area flipped (with and
 * without recomputing the checksums), targeted out-of-range fields, feature
 * and version rules, member table corruption.
 */
#include "ad_test.h"

#define MIB (1ull << 20)
#define FIX_MEMBERS 6
#define FIX_INDEX   2
#define FIX_AREA    (2 * AD_BLOCK)
#define SB_OFF(f)   offsetof(struct ad_sb_wire, f)

static void fixture_uuid(uint8_t u[16], unsigned i)
{
	/* Distinct in every byte from every other member's UUID. */
	for (unsigned j = 0; j < 16; j++)
		u[j] = (uint8_t)(0x10 * (i + 1) + j);
}

/*
 * A 6-member 4+2 pool, this is member 2, generation 5 (slot B), 64 MiB
 * members.  Values are chosen so that flipping any byte of a field that has a
 * constraint breaks it (see the field table below).
 */
static void fixture(struct ad_super *sb, struct ad_member *mtab)
{
	static const uint8_t pool[16] = { 0xc0, 0xff, 0xee, 1, 2, 3, 4, 5,
					  6, 7, 8, 9, 10, 11, 12, 13 };

	memset(sb, 0, sizeof(*sb));
	sb->version = AD_VERSION;
	sb->version_min = AD_VERSION_MIN_READ;
	sb->csum_type = AD_CSUM_CRC32C;
	sb->feat_incompat = AD_FEAT_INCOMPAT_COMPRESSION;
	memcpy(sb->pool_uuid, pool, 16);
	memcpy(sb->format_id, test_format_id, 16);
	fixture_uuid(sb->device_uuid, FIX_INDEX);
	sb->generation = 5;
	sb->member_index = FIX_INDEX;
	sb->member_count = FIX_MEMBERS;
	sb->k = 4;
	sb->m = 2;
	sb->chunk_size = 64 << 10;
	sb->matrix_type = AD_MATRIX_CAUCHY1;
	sb->state_flags = AD_SBF_CLEAN;
	sb->mkfs_time = 1700000000000000000ull;
	sb->write_time = 1700000500000000000ull;
	sb->device_size = 64 * MIB;
	sb->logical_sector = 512;
	sb->physical_sector = 4096;
	sb->journal_off = 1 * MIB;
	sb->journal_len = 8 * MIB;
	sb->spacemap_off = 15 * MIB;        /* 32 KiB: two 4-block slots */
	sb->spacemap_len = 0x8000;
	sb->data_off = 0x01708000;          /* to E - 1 MiB = 63 MiB */
	sb->data_len = 0x027F8000;
	ad_bptr_null(&sb->tree_root);
	sb->tree_root.nmirrors = 3;
	sb->tree_root.addr[0] = ad_addr(0, 0x1708);
	sb->tree_root.addr[1] = ad_addr(3, 0x1709);
	sb->tree_root.addr[2] = ad_addr(5, 0x170a);
	sb->tree_root.csum = 0x600dcafe;
	sb->tree_root.level = 1;
	sb->tree_root.gen = 4;
	sb->tree_height = 2;
	sb->journal_head_off = 0x7f1000;    /* a flip of byte 2 crosses journal_len */
	sb->journal_head_seq = 77;
	sb->journal_mirrors[0] = 0;
	sb->journal_mirrors[1] = 3;
	sb->journal_mirrors[2] = 5;
	sb->journal_mirrors[3] = AD_NO_MEMBER;
	sb->meta_mirrors = 3;
	sb->ckpt_gen = 5;
	sb->spacemap_csum = 0x12345678;
	sb->spacemap_slot = 1;
	sb->spacemap_gen = 5;
	sb->mount_time = 1700000400000000000ull;
	sb->last_check = 1690000000000000000ull;
	sb->mount_count = 3;
	sb->mounted_pid = 4242;
	strcpy(sb->mounted_host, "host-a");
	strcpy(sb->label, "pool-label");
	ad_bptr_null(&sb->snap_root);

	memset(mtab, 0, AD_MAX_MEMBERS * sizeof(*mtab));
	for (unsigned i = 0; i < FIX_MEMBERS; i++) {
		fixture_uuid(mtab[i].device_uuid, i);
		mtab[i].size = 64 * MIB;
		mtab[i].logical_sector = 512;
		mtab[i].physical_sector = 4096;
		mtab[i].state = AD_MS_ONLINE;
		mtab[i].tier = (uint8_t)i;
		mtab[i].weight = 100 + i;
		mtab[i].last_gen = 5;
		mtab[i].added_gen = 1;
	}
	mtab[4].state = AD_MS_STALE;
	mtab[4].last_gen = 3;
	mtab[4].missed_since = 4;
}

static bool bptr_equal(const struct ad_bptr *a, const struct ad_bptr *b)
{
	return memcmp(a->addr, b->addr, sizeof(a->addr)) == 0 && a->csum == b->csum &&
	       a->nmirrors == b->nmirrors && a->level == b->level && a->gen == b->gen;
}

static bool super_equal(const struct ad_super *a, const struct ad_super *b)
{
	return a->version == b->version && a->version_min == b->version_min &&
	       a->csum_type == b->csum_type && a->feat_compat == b->feat_compat &&
	       a->feat_ro_compat == b->feat_ro_compat && a->feat_incompat == b->feat_incompat &&
	       memcmp(a->pool_uuid, b->pool_uuid, 16) == 0 &&
	       memcmp(a->format_id, b->format_id, 16) == 0 &&
	       memcmp(a->device_uuid, b->device_uuid, 16) == 0 &&
	       a->generation == b->generation && a->member_index == b->member_index &&
	       a->member_count == b->member_count && a->k == b->k && a->m == b->m &&
	       a->chunk_size == b->chunk_size && a->matrix_type == b->matrix_type &&
	       a->state_flags == b->state_flags && a->mkfs_time == b->mkfs_time &&
	       a->write_time == b->write_time && a->device_size == b->device_size &&
	       a->logical_sector == b->logical_sector && a->physical_sector == b->physical_sector &&
	       a->journal_off == b->journal_off && a->journal_len == b->journal_len &&
	       a->spacemap_off == b->spacemap_off && a->spacemap_len == b->spacemap_len &&
	       a->data_off == b->data_off && a->data_len == b->data_len &&
	       bptr_equal(&a->tree_root, &b->tree_root) &&
	       a->journal_head_off == b->journal_head_off &&
	       a->journal_head_seq == b->journal_head_seq &&
	       memcmp(a->journal_mirrors, b->journal_mirrors, sizeof(a->journal_mirrors)) == 0 &&
	       a->meta_mirrors == b->meta_mirrors && a->tree_height == b->tree_height &&
	       a->ckpt_gen == b->ckpt_gen && a->spacemap_csum == b->spacemap_csum &&
	       a->spacemap_slot == b->spacemap_slot && a->spacemap_gen == b->spacemap_gen &&
	       a->mount_time == b->mount_time && a->last_check == b->last_check &&
	       a->mount_count == b->mount_count && a->mounted_pid == b->mounted_pid &&
	       memcmp(a->mounted_host, b->mounted_host, AD_HOST_MAX) == 0 &&
	       memcmp(a->label, b->label, AD_LABEL_MAX) == 0 &&
	       bptr_equal(&a->snap_root, &b->snap_root) && a->ro_only == b->ro_only;
}

static bool member_equal(const struct ad_member *a, const struct ad_member *b)
{
	return memcmp(a->device_uuid, b->device_uuid, 16) == 0 && a->size == b->size &&
	       a->logical_sector == b->logical_sector && a->physical_sector == b->physical_sector &&
	       a->state == b->state && a->tier == b->tier && a->flags == b->flags &&
	       a->weight == b->weight && a->last_gen == b->last_gen &&
	       a->missed_since == b->missed_since && a->added_gen == b->added_gen;
}

/* Recompute the member table checksum (if the table is there) and the superblock's. */
static void reseal(uint8_t *buf, size_t len)
{
	if (len > AD_BLOCK)
		ad_wr32(buf + SB_OFF(mtab_csum), ad_crc32c(0, buf + AD_BLOCK, len - AD_BLOCK));
	ad_wr32(buf + SB_OFF(csum), ad_crc32c(0, buf, SB_OFF(csum)));
}

struct fixture_area {
	struct ad_super sb;
	struct ad_member mtab[AD_MAX_MEMBERS];
	uint8_t buf[FIX_AREA];
};

static struct fixture_area *encode_fixture(void)
{
	struct fixture_area *f = calloc(1, sizeof(*f));
	char why[AD_WHY_MAX] = "";
	long n;

	assert_non_null(f);
	fixture(&f->sb, f->mtab);
	n = ad_super_encode(&f->sb, f->mtab, f->buf, sizeof(f->buf), why, sizeof(why));
	if (n != FIX_AREA)
		fail_msg("fixture does not encode: %ld: %s", n, why);
	return f;
}

/* ---- layout -------------------------------------------------------------- */

static void test_super_area_offsets(void **state)
{
	const uint64_t size = 1000 * MIB + 12345;   /* E = align_down(size, 64 KiB) */
	const uint64_t e = (1000 * MIB + 12345) & ~(uint64_t)0xffff;

	(void)state;
	assert_true(ad_sb_area_offset(0, false, size) == 64 * 1024);
	assert_true(ad_sb_area_offset(1, false, size) == 128 * 1024);
	assert_true(ad_sb_area_offset(0, true, size) == e - 256 * 1024);
	assert_true(ad_sb_area_offset(1, true, size) == e - 128 * 1024);
	assert_true(ad_sb_area_offset(0, true, 64 * MIB) == 64 * MIB - 256 * 1024);
	assert_true(ad_sb_area_offset(2, false, size) == UINT64_MAX);
	assert_true(ad_sb_area_offset(0, true, AD_MIN_MEMBER_SIZE - 1) == UINT64_MAX);

	assert_int_equal(ad_sb_area_len(1), 2 * AD_BLOCK);
	assert_int_equal(ad_sb_area_len(32), 2 * AD_BLOCK);
	assert_int_equal(ad_sb_area_len(33), 3 * AD_BLOCK);
	assert_int_equal(ad_sb_area_len(AD_MAX_MEMBERS), 9 * AD_BLOCK);
	assert_true(ad_sb_area_len(AD_MAX_MEMBERS) <= AD_SB_AREA);
}

/* The wire offsets the format document states. */
static void test_super_wire_offsets(void **state)
{
	(void)state;
	assert_int_equal(SB_OFF(version), 8);
	assert_int_equal(SB_OFF(csum_type), 20);
	assert_int_equal(SB_OFF(pool_uuid), 48);
	assert_int_equal(SB_OFF(generation), 96);
	assert_int_equal(SB_OFF(state_flags), 124);
	assert_int_equal(SB_OFF(journal_off), 160);
	assert_int_equal(SB_OFF(tree_root), 208);
	assert_int_equal(SB_OFF(journal_head_off), 256);
	assert_int_equal(SB_OFF(journal_mirrors), 272);
	assert_int_equal(SB_OFF(ckpt_gen), 288);
	assert_int_equal(SB_OFF(mount_time), 312);
	assert_int_equal(SB_OFF(mounted_host), 336);
	assert_int_equal(SB_OFF(label), 400);
	assert_int_equal(SB_OFF(mtab_entry_size), 464);
	assert_int_equal(SB_OFF(snap_root), 480);
	assert_int_equal(SB_OFF(kdf), 528);
	assert_int_equal(SB_OFF(keyslots), 608);
	assert_int_equal(SB_OFF(reserved2), 992);
	assert_int_equal(SB_OFF(csum), 4092);
	assert_int_equal(offsetof(struct ad_member_wire, state), 32);
	assert_int_equal(offsetof(struct ad_member_wire, last_gen), 40);
	assert_int_equal(offsetof(struct ad_member_wire, reserved), 64);
}

/* ---- round trips ------------------------------------------------------ */

static void test_super_roundtrip(void **state)
{
	struct fixture_area *f = encode_fixture();
	struct ad_member *mtab = calloc(AD_MAX_MEMBERS, sizeof(*mtab));
	uint8_t again[FIX_AREA];
	struct ad_super sb;
	char why[AD_WHY_MAX] = "";

	(void)state;
	assert_non_null(mtab);
	/* Bytes the fixture implies. */
	assert_true(ad_rd64(f->buf) == AD_SB_MAGIC);
	assert_memory_equal(f->buf, "AARGOSB1", 8);
	assert_int_equal(ad_rd32(f->buf + SB_OFF(length)), AD_BLOCK);
	assert_int_equal(ad_rd16(f->buf + SB_OFF(block_shift)), 12);
	assert_int_equal(ad_rd16(f->buf + SB_OFF(slot)), 1);
	assert_int_equal(ad_rd32(f->buf + SB_OFF(mtab_entry_size)), 128);
	assert_int_equal(ad_rd32(f->buf + SB_OFF(mtab_blocks)), 1);
	assert_int_equal(ad_rd32(f->buf + SB_OFF(csum)), ad_crc32c(0, f->buf, 4092));
	assert_int_equal(ad_rd32(f->buf + SB_OFF(mtab_csum)),
			 ad_crc32c(0, f->buf + AD_BLOCK, AD_BLOCK));
	assert_memory_equal(f->buf + SB_OFF(label), "pool-label", 11);

	assert_int_equal(ad_super_decode(f->buf, sizeof(f->buf), &sb, mtab, why, sizeof(why)), 0);
	assert_true(super_equal(&sb, &f->sb));
	for (unsigned i = 0; i < FIX_MEMBERS; i++)
		assert_true(member_equal(&mtab[i], &f->mtab[i]));
	/* Decode then encode gives back the same bytes. */
	assert_int_equal(ad_super_encode(&sb, mtab, again, sizeof(again), why, sizeof(why)),
			 FIX_AREA);
	assert_memory_equal(again, f->buf, FIX_AREA);
	free(mtab);
	free(f);
}

/* Member counts around the table block boundaries, up to the maximum. */
static void test_super_member_counts(void **state)
{
	static const unsigned counts[] = { 1, 31, 32, 33, 64, 200, AD_MAX_MEMBERS };
	struct ad_member *mtab = calloc(AD_MAX_MEMBERS, sizeof(*mtab));
	struct ad_member *back = calloc(AD_MAX_MEMBERS, sizeof(*back));
	uint8_t *buf = malloc(AD_SB_AREA);
	struct ad_super sb, got;
	char why[AD_WHY_MAX] = "";

	(void)state;
	assert_true(mtab && back && buf);
	for (unsigned c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		unsigned n = counts[c];
		size_t len = ad_sb_area_len(n);

		fixture(&sb, mtab);
		sb.member_count = n;
		sb.member_index = n - 1;
		sb.k = 1;
		sb.m = 0;
		sb.meta_mirrors = 1;
		sb.journal_mirrors[1] = sb.journal_mirrors[2] = AD_NO_MEMBER;
		sb.tree_root.nmirrors = 1;
		sb.tree_root.addr[1] = sb.tree_root.addr[2] = AD_ADDR_NONE;
		for (unsigned i = 0; i < n; i++) {
			mtab[i] = mtab[0];
			fixture_uuid(mtab[i].device_uuid, 0);
			mtab[i].device_uuid[0] = (uint8_t)i;
			mtab[i].device_uuid[1] = (uint8_t)(i >> 8);
		}
		memcpy(sb.device_uuid, mtab[n - 1].device_uuid, 16);
		memset(buf, 0xee, AD_SB_AREA);
		assert_int_equal(ad_super_encode(&sb, mtab, buf, AD_SB_AREA, why, sizeof(why)),
				 (long)len);
		assert_int_equal(buf[len], 0xee);   /* nothing written past the area */
		assert_int_equal(ad_rd32(buf + SB_OFF(mtab_blocks)), (n + 31) / 32);
		assert_int_equal(ad_super_decode(buf, len, &got, back, why, sizeof(why)), 0);
		assert_true(super_equal(&got, &sb));
		for (unsigned i = 0; i < n; i++)
			assert_true(member_equal(&back[i], &mtab[i]));
	}
	free(buf);
	free(back);
	free(mtab);
}

/* ---- every byte -------------------------------------------------------- */

enum kind { K_MAGIC, K_CSUM, K_STRICT, K_FREE };

struct field {
	const char *name;
	unsigned off, len;
	enum kind kind;
	int rc;           /* K_STRICT: expected code, 0 = -EUCLEAN */
};

/*
 * Every byte of the superblock, in order.  K_STRICT: flipping any of its bytes
 * (and recomputing the checksums) must be refused.  K_FREE: the field has no
 * constraint a flip can break; the flip must decode, to a different value.
 */
static const struct field sb_fields[] = {
	{ "magic", 0, 8, K_MAGIC, 0 },
	{ "version", 8, 4, K_FREE, 0 },   /* newer writers are readable (version_min) */
	{ "version_min", 12, 4, K_STRICT, -EPROTONOSUPPORT },
	{ "length", 16, 4, K_STRICT, 0 },
	{ "csum_type", 20, 2, K_STRICT, 0 },
	{ "block_shift", 22, 2, K_STRICT, 0 },
	{ "feat_compat", 24, 8, K_FREE, 0 },
	{ "feat_ro_compat", 32, 8, K_FREE, 0 },
	{ "feat_incompat", 40, 8, K_STRICT, -EPROTONOSUPPORT },
	{ "pool_uuid", 48, 16, K_FREE, 0 },
	{ "format_id", 64, 16, K_FREE, 0 },
	{ "device_uuid", 80, 16, K_STRICT, 0 },   /* must match its table entry */
	{ "generation[0]", 96, 1, K_STRICT, 0 },  /* parity must match the slot */
	{ "generation[1..7]", 97, 7, K_FREE, 0 },
	{ "member_index", 104, 4, K_STRICT, 0 },
	{ "member_count", 108, 4, K_STRICT, 0 },
	{ "k", 112, 2, K_STRICT, 0 },
	{ "m", 114, 2, K_STRICT, 0 },
	{ "chunk_size", 116, 4, K_STRICT, 0 },
	{ "matrix_type", 120, 2, K_STRICT, 0 },
	{ "slot", 122, 2, K_STRICT, 0 },
	{ "state_flags", 124, 4, K_STRICT, 0 },
	{ "mkfs_time", 128, 8, K_FREE, 0 },
	{ "write_time", 136, 8, K_FREE, 0 },
	{ "device_size", 144, 8, K_STRICT, 0 },
	{ "logical_sector", 152, 4, K_STRICT, 0 },
	{ "physical_sector", 156, 4, K_STRICT, 0 },
	{ "journal_off", 160, 8, K_STRICT, 0 },
	{ "journal_len", 168, 8, K_STRICT, 0 },
	{ "spacemap_off", 176, 8, K_STRICT, 0 },
	{ "spacemap_len", 184, 8, K_STRICT, 0 },
	{ "data_off", 192, 8, K_STRICT, 0 },
	{ "data_len", 200, 8, K_STRICT, 0 },
	{ "tree_root.addr[0] block", 208, 6, K_FREE, 0 },
	{ "tree_root.addr[0] member", 214, 2, K_STRICT, 0 },
	{ "tree_root.addr[1] block", 216, 6, K_FREE, 0 },
	{ "tree_root.addr[1] member", 222, 2, K_STRICT, 0 },
	{ "tree_root.addr[2] block", 224, 6, K_FREE, 0 },
	{ "tree_root.addr[2] member", 230, 2, K_STRICT, 0 },
	{ "tree_root.addr[3] (unused)", 232, 8, K_STRICT, 0 },
	{ "tree_root.csum", 240, 4, K_FREE, 0 },
	{ "tree_root.nmirrors", 244, 1, K_STRICT, 0 },
	{ "tree_root.level", 245, 1, K_STRICT, 0 },
	{ "tree_root.reserved", 246, 2, K_STRICT, 0 },
	{ "tree_root.gen", 248, 8, K_STRICT, 0 },
	{ "journal_head_off", 256, 8, K_STRICT, 0 },
	{ "journal_head_seq", 264, 8, K_FREE, 0 },
	{ "journal_mirrors", 272, 8, K_STRICT, 0 },
	{ "meta_mirrors", 280, 2, K_STRICT, 0 },
	{ "tree_height", 282, 2, K_STRICT, 0 },
	{ "reserved0", 284, 4, K_STRICT, 0 },
	{ "ckpt_gen", 288, 8, K_STRICT, 0 },
	{ "spacemap_csum", 296, 4, K_FREE, 0 },
	{ "spacemap_slot", 300, 4, K_STRICT, 0 },
	{ "spacemap_gen", 304, 8, K_STRICT, 0 },
	{ "mount_time", 312, 8, K_FREE, 0 },
	{ "last_check", 320, 8, K_FREE, 0 },
	{ "mount_count", 328, 4, K_FREE, 0 },
	{ "mounted_pid", 332, 4, K_FREE, 0 },
	{ "mounted_host text+NUL", 336, 7, K_FREE, 0 },
	{ "mounted_host padding", 343, 57, K_STRICT, 0 },
	{ "label text+NUL", 400, 11, K_FREE, 0 },
	{ "label padding", 411, 53, K_STRICT, 0 },
	{ "mtab_entry_size", 464, 4, K_STRICT, 0 },
	{ "mtab_blocks", 468, 4, K_STRICT, 0 },
	{ "mtab_csum", 472, 4, K_STRICT, 0 },
	{ "reserved1", 476, 4, K_STRICT, 0 },
	{ "snap_root", 480, 48, K_STRICT, 0 },
	{ "encryption area", 528, 464, K_STRICT, 0 },
	{ "reserved2", 992, 3100, K_STRICT, 0 },
	{ "csum", 4092, 4, K_CSUM, 0 },
};

static const struct field *sb_field_at(unsigned off)
{
	for (unsigned i = 0; i < sizeof(sb_fields) / sizeof(sb_fields[0]); i++)
		if (off >= sb_fields[i].off && off < sb_fields[i].off + sb_fields[i].len)
			return &sb_fields[i];
	return NULL;
}

static void test_super_field_table_complete(void **state)
{
	unsigned next = 0;

	(void)state;
	for (unsigned i = 0; i < sizeof(sb_fields) / sizeof(sb_fields[0]); i++) {
		if (sb_fields[i].off != next)
			fail_msg("field table: %s starts at %u, expected %u", sb_fields[i].name,
				 sb_fields[i].off, next);
		next += sb_fields[i].len;
	}
	assert_int_equal(next, AD_BLOCK);
}

/* No checksum fix-up: every flipped byte of the area must be refused. */
static void test_super_flip_unsealed(void **state)
{
	struct fixture_area *f = encode_fixture();
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	for (unsigned off = 0; off < FIX_AREA; off++) {
		int rc;

		f->buf[off] ^= 0xff;
		why[0] = '\0';
		rc = ad_super_decode(f->buf, FIX_AREA, &sb, f->mtab, why, sizeof(why));
		f->buf[off] ^= 0xff;
		if (off < 8) {
			if (rc != -ENOMSG)
				fail_msg("magic byte %u flipped: %d (%s)", off, rc, why);
		} else if (rc != -EUCLEAN) {
			fail_msg("byte %u flipped: decode returned %d (%s)", off, rc, why);
		} else if (off < SB_OFF(length) || off >= SB_OFF(length) + 4) {
			assert_reason(why, "checksum mismatch");
		}
	}
	free(f);
}

/* Checksums recomputed: what each field's own validation says. */
static void test_super_flip_sealed(void **state)
{
	struct fixture_area *f = encode_fixture();
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	for (unsigned off = 8; off < SB_OFF(csum); off++) {
		const struct field *fd = sb_field_at(off);
		int rc;

		assert_non_null(fd);
		f->buf[off] ^= 0xff;
		if (fd->off != SB_OFF(mtab_csum))
			reseal(f->buf, FIX_AREA);
		else
			ad_wr32(f->buf + SB_OFF(csum), ad_crc32c(0, f->buf, SB_OFF(csum)));
		why[0] = '\0';
		memset(&sb, 0, sizeof(sb));
		rc = ad_super_decode(f->buf, FIX_AREA, &sb, f->mtab, why, sizeof(why));
		f->buf[off] ^= 0xff;
		reseal(f->buf, FIX_AREA);
		if (fd->kind == K_STRICT && rc != (fd->rc ? fd->rc : -EUCLEAN))
			fail_msg("%s (byte %u) flipped: decode returned %d (%s)", fd->name, off, rc,
				 why);
		if (fd->kind == K_STRICT)
			assert_reason(why, "");
		if (fd->kind == K_FREE && (rc != 0 || super_equal(&sb, &f->sb)))
			fail_msg("%s (byte %u) flipped: decode returned %d (%s), value %s", fd->name,
				 off, rc, why, rc ? "-" : "unchanged");
	}
	/* The flips were undone: the fixture still decodes. */
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, f->mtab, why, sizeof(why)), 0);
	free(f);
}

/* Member table entry bytes: which ones have constraints. */
static enum kind mtab_byte_kind(unsigned entry, unsigned b)
{
	bool own = entry == FIX_INDEX;

	if (entry >= FIX_MEMBERS)
		return K_STRICT;                          /* unused entries are zero */
	if (b < 16 || (b >= 16 && b < 24))               /* device_uuid, size */
		return own ? K_STRICT : K_FREE;
	if (b == 33 || (b >= 36 && b < 40))               /* tier, weight */
		return K_FREE;
	return K_STRICT;  /* sectors, state, flags, generations, reserved */
}

static void test_super_mtab_flip(void **state)
{
	struct fixture_area *f = encode_fixture();
	struct ad_member *mtab = calloc(AD_MAX_MEMBERS, sizeof(*mtab));
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(mtab);
	for (unsigned off = AD_BLOCK; off < FIX_AREA; off++) {
		unsigned entry = (off - AD_BLOCK) / AD_MEMBER_ENTRY_SIZE;
		unsigned b = (off - AD_BLOCK) % AD_MEMBER_ENTRY_SIZE;
		enum kind k = mtab_byte_kind(entry, b);
		int rc;

		f->buf[off] ^= 0xff;
		reseal(f->buf, FIX_AREA);
		why[0] = '\0';
		rc = ad_super_decode(f->buf, FIX_AREA, &sb, mtab, why, sizeof(why));
		f->buf[off] ^= 0xff;
		reseal(f->buf, FIX_AREA);
		if (k == K_STRICT && rc != -EUCLEAN)
			fail_msg("member %u byte %u flipped: decode returned %d (%s)", entry, b, rc,
				 why);
		if (k == K_STRICT)
			assert_reason(why, "member");
		if (k == K_FREE && (rc != 0 || member_equal(&mtab[entry], &f->mtab[entry])))
			fail_msg("member %u byte %u flipped: decode returned %d (%s)", entry, b, rc,
				 why);
	}
	free(mtab);
	free(f);
}

/* ---- targeted values ---------------------------------------------------- */

struct patch {
	unsigned off, size;
	uint64_t value;
};

struct sb_case {
	const char *name;
	struct patch p[2];
	int rc;
	const char *reason;
};

#define P(f, v) { SB_OFF(f), sizeof(((struct ad_sb_wire *)0)->f), (v) }
#define PAT(o, s, v) { (o), (s), (v) }
#define JM(i) PAT(SB_OFF(journal_mirrors) + 2 * (i), 2, 0)
#define TR(f) SB_OFF(tree_root) + offsetof(struct ad_bptr_wire, f)

static const struct sb_case sb_cases[] = {
	{ "version_min too new", { P(version_min, 2) }, -EPROTONOSUPPORT, "version 2" },
	{ "version_min 0", { P(version_min, 0) }, -EUCLEAN, "version_min 0" },
	{ "version 0", { P(version, 0) }, -EUCLEAN, "version 0" },
	{ "encryption", { P(feat_incompat, AD_FEAT_INCOMPAT_ENCRYPTION) }, -EPROTONOSUPPORT,
	  "(encryption)" },
	{ "unknown incompat bits", { P(feat_incompat, (1ull << 5) | (1ull << 40) | 1) },
	  -EPROTONOSUPPORT, "0x10000000020 (bit 5, bit 40)" },
	{ "length 8192", { P(length, 8192) }, -EUCLEAN, "length 8192" },
	{ "csum type", { P(csum_type, 2) }, -EUCLEAN, "checksum type 2" },
	{ "block shift", { P(block_shift, 13) }, -EUCLEAN, "block shift 13" },
	{ "generation 0", { P(generation, 0), P(slot, 0) }, -EUCLEAN, "generation 0" },
	{ "slot parity", { P(generation, 6) }, -EUCLEAN, "generation 6 in slot 1" },
	{ "no members", { P(member_count, 0) }, -EUCLEAN, "of 0" },
	{ "too many members", { P(member_count, 257) }, -EUCLEAN, "of 257" },
	{ "member index", { P(member_index, 6) }, -EUCLEAN, "member 6 of 6" },
	{ "k 0", { P(k, 0) }, -EUCLEAN, "geometry 0+2" },
	{ "k+m > members", { P(k, 5) }, -EUCLEAN, "geometry 5+2 on 6" },
	{ "k > 32", { P(k, 33), P(member_count, 40) }, -EUCLEAN, "geometry 33+2" },
	{ "m 4", { P(m, 4), P(k, 1) }, -EUCLEAN, "geometry 1+4" },
	{ "chunk not 2^n", { P(chunk_size, 3 * 4096) }, -EUCLEAN, "chunk size 12288" },
	{ "chunk too small", { P(chunk_size, 2048) }, -EUCLEAN, "chunk size 2048" },
	{ "chunk too large", { P(chunk_size, 2 << 20) }, -EUCLEAN, "chunk size 2097152" },
	{ "chunk 4 KiB", { P(chunk_size, 4096) }, 0, NULL },
	{ "chunk 1 MiB", { P(chunk_size, 1 << 20) }, 0, NULL },
	{ "matrix", { P(matrix_type, 0) }, -EUCLEAN, "matrix type 0" },
	{ "state flags", { P(state_flags, 4) }, -EUCLEAN, "state flags 0x4" },
	{ "errors flag", { P(state_flags, AD_SBF_ERRORS) }, 0, NULL },
	{ "device too small", { P(device_size, 31 * MIB) }, -EUCLEAN, "device size" },
	{ "logical > physical", { P(logical_sector, 8192) }, -EUCLEAN, "sector sizes 8192/4096" },
	{ "sector 256", { P(logical_sector, 256) }, -EUCLEAN, "sector sizes 256/4096" },
	{ "sector 128 KiB", { P(physical_sector, 128 << 10) }, -EUCLEAN, "sector sizes" },
	{ "journal in front area", { P(journal_off, MIB - 4096) }, -EUCLEAN, "journal region" },
	{ "journal empty", { P(journal_len, 0) }, -EUCLEAN, "journal region" },
	{ "data past E - 1 MiB", { P(data_len, 0x027F8000 + 4096) }, -EUCLEAN, "data region" },
	{ "regions overlap", { P(spacemap_off, 8 * MIB) }, -EUCLEAN,
	  "journal and space map regions overlap" },
	{ "data overlaps space map", { P(spacemap_off, 0x01701000) },
	  -EUCLEAN, "space map and data regions overlap" },
	{ "space map too small", { P(spacemap_len, 0x4000) }, -EUCLEAN, "two equal slots need 8" },
	{ "space map odd blocks", { P(spacemap_len, 0x9000) }, -EUCLEAN, "9 blocks, two equal" },
	{ "space map larger", { P(spacemap_len, 0xA000) }, 0, NULL },
	{ "offset overflows", { P(data_off, UINT64_MAX - 4095) }, -EUCLEAN, "data region" },
	{ "journal head past end", { P(journal_head_off, 8 * MIB) }, -EUCLEAN, "journal head" },
	{ "journal head unaligned", { P(journal_head_off, 4097) }, -EUCLEAN, "journal head" },
	{ "journal mirror twice", { JM(1) }, -EUCLEAN, "both on member 0" },
	{ "journal mirror extra", { PAT(SB_OFF(journal_mirrors) + 6, 2, 1) }, -EUCLEAN,
	  "4 journal mirrors" },
	{ "journal mirror hole", { PAT(SB_OFF(journal_mirrors) + 2, 2, 0xffff),
				   PAT(SB_OFF(journal_mirrors) + 6, 2, 3) }, -EUCLEAN,
	  "slot 2 holds member 5" },
	{ "meta mirrors", { P(meta_mirrors, 2) }, -EUCLEAN, "2 metadata copies" },
	{ "height 0 with a root", { P(tree_height, 0) }, -EUCLEAN, "height 0" },
	{ "height/level", { P(tree_height, 3) }, -EUCLEAN, "height 3, root at level 1" },
	{ "root newer than checkpoint", { PAT(TR(gen), 8, 6) }, -EUCLEAN, "generation 6" },
	{ "root mirror on missing member", { PAT(TR(addr) + 8, 8, (6ull << 52) | 1) }, -EUCLEAN,
	  "tree root: block pointer: mirror 1 on member 6" },
	{ "ckpt_gen 0", { P(ckpt_gen, 0) }, -EUCLEAN, "checkpoint generation 0" },
	{ "ckpt_gen ahead", { P(ckpt_gen, 6) }, -EUCLEAN, "checkpoint generation 6" },
	{ "older checkpoint", { P(ckpt_gen, 4), P(spacemap_gen, 3) }, 0, NULL },
	{ "space map slot", { P(spacemap_slot, 2) }, -EUCLEAN, "space map of generation 5 in slot 2" },
	{ "space map in either slot", { P(spacemap_slot, 0) }, 0, NULL },
	{ "space map gen 0", { P(spacemap_gen, 0), P(spacemap_slot, 0) }, -EUCLEAN, "generation 0" },
	{ "zero pool uuid", { PAT(SB_OFF(pool_uuid), 8, 0), PAT(SB_OFF(pool_uuid) + 8, 8, 0) },
	  -EUCLEAN, "zero pool" },
	{ "label padding", { PAT(SB_OFF(label) + 56, 8, 0x6161616161616161ull) }, -EUCLEAN,
	  "label or host" },
	{ "host padding", { PAT(SB_OFF(mounted_host) + 20, 1, 1) }, -EUCLEAN, "label or host" },
	{ "entry size", { P(mtab_entry_size, 64) }, -EUCLEAN, "64-byte entries" },
	{ "table blocks", { P(mtab_blocks, 2) }, -EUCLEAN, "2 blocks" },
	{ "reserved0", { P(reserved0, 1) }, -EUCLEAN, "reserved" },
	{ "reserved2", { PAT(SB_OFF(reserved2) + 3099, 1, 1) }, -EUCLEAN, "reserved" },
	{ "snapshot root", { PAT(SB_OFF(snap_root) + 36, 1, 1) }, -EUCLEAN, "snapshot root" },
	{ "key slot", { PAT(SB_OFF(keyslots) + 200, 1, 1) }, -EUCLEAN, "encryption area" },
	{ "newer writer uses reserved", { P(version, 2), PAT(SB_OFF(reserved2) + 10, 1, 7) }, 0,
	  NULL },
	{ "unknown compat", { P(feat_compat, 1ull << 63) }, 0, NULL },
};

static void apply(uint8_t *buf, const struct patch *p)
{
	switch (p->size) {
	case 1: buf[p->off] = (uint8_t)p->value; break;
	case 2: ad_wr16(buf + p->off, (uint16_t)p->value); break;
	case 4: ad_wr32(buf + p->off, (uint32_t)p->value); break;
	case 8: ad_wr64(buf + p->off, p->value); break;
	default: break;
	}
}

static void test_super_cases(void **state)
{
	struct fixture_area *f = encode_fixture();
	uint8_t orig[FIX_AREA];
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	memcpy(orig, f->buf, FIX_AREA);
	for (unsigned c = 0; c < sizeof(sb_cases) / sizeof(sb_cases[0]); c++) {
		const struct sb_case *sc = &sb_cases[c];
		int rc;

		memcpy(f->buf, orig, FIX_AREA);
		for (unsigned i = 0; i < 2; i++)
			if (sc->p[i].size)
				apply(f->buf, &sc->p[i]);
		reseal(f->buf, FIX_AREA);
		why[0] = '\0';
		rc = ad_super_decode(f->buf, FIX_AREA, &sb, f->mtab, why, sizeof(why));
		if (rc != sc->rc)
			fail_msg("case \"%s\": decode returned %d, expected %d (%s)", sc->name, rc,
				 sc->rc, why);
		if (sc->reason)
			assert_reason(why, sc->reason);
	}
	free(f);
}

/* Label and host name must end inside their fields. */
static void test_super_strings(void **state)
{
	struct fixture_area *f = encode_fixture();
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	memset(f->buf + SB_OFF(label), 'a', AD_LABEL_MAX);
	reseal(f->buf, FIX_AREA);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "NUL-terminated");
	memset(f->buf + SB_OFF(label), 0, AD_LABEL_MAX);       /* empty label is fine */
	memset(f->buf + SB_OFF(mounted_host), 'h', AD_HOST_MAX - 1);
	reseal(f->buf, FIX_AREA);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), 0);
	assert_string_equal(sb.label, "");
	assert_int_equal(strlen(sb.mounted_host), AD_HOST_MAX - 1);
	f->buf[SB_OFF(mounted_host) + AD_HOST_MAX - 1] = 'h';
	reseal(f->buf, FIX_AREA);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), -EUCLEAN);
	free(f);
}

static void test_super_features(void **state)
{
	struct fixture_area *f = encode_fixture();
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), 0);
	assert_false(sb.ro_only);
	/* Unknown ro_compat: readable, read-only. */
	ad_wr64(f->buf + SB_OFF(feat_ro_compat), 1ull << 17);
	reseal(f->buf, FIX_AREA);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), 0);
	assert_true(sb.ro_only);
	assert_true(sb.feat_ro_compat == 1ull << 17);
	/* ... and encode refuses to write it back. */
	assert_int_equal(ad_super_encode(&sb, f->mtab, f->buf, FIX_AREA, why, sizeof(why)), -EINVAL);
	assert_reason(why, "unknown features");
	/* Unknown compat: ignored. */
	fixture(&f->sb, f->mtab);
	assert_int_equal(ad_super_encode(&f->sb, f->mtab, f->buf, FIX_AREA, why, sizeof(why)),
			 FIX_AREA);
	ad_wr64(f->buf + SB_OFF(feat_compat), 1);
	reseal(f->buf, FIX_AREA);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), 0);
	assert_false(sb.ro_only);
	assert_true(sb.feat_compat == 1);
	/* Unknown incompat wins over a bad field further on (order: features first). */
	ad_wr64(f->buf + SB_OFF(feat_incompat), 1ull << 9);
	ad_wr16(f->buf + SB_OFF(k), 0);
	reseal(f->buf, FIX_AREA);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)),
			 -EPROTONOSUPPORT);
	assert_reason(why, "bit 9");
	free(f);
}

static void test_super_header_order(void **state)
{
	struct fixture_area *f = encode_fixture();
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	/* Checksum is checked before the version: a damaged new superblock is damaged. */
	ad_wr32(f->buf + SB_OFF(version_min), 9);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "superblock checksum mismatch: stored 0x");
	reseal(f->buf, FIX_AREA);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)),
			 -EPROTONOSUPPORT);
	/* Length before checksum. */
	ad_wr32(f->buf + SB_OFF(length), 512);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "length 512");
	/* Magic first of all; an all-zero block is "nothing here". */
	memset(f->buf, 0, FIX_AREA);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), -ENOMSG);
	assert_reason(why, "no ArgosFS superblock");
	free(f);
}

/* Failed decodes leave the output alone. */
static void test_super_output_untouched(void **state)
{
	struct fixture_area *f = encode_fixture();
	struct ad_super sb, keep;
	char why[AD_WHY_MAX];

	(void)state;
	memset(&sb, 0xab, sizeof(sb));
	memcpy(&keep, &sb, sizeof(sb));
	ad_wr16(f->buf + SB_OFF(m), 3);
	reseal(f->buf, FIX_AREA);
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), -EUCLEAN);
	assert_memory_equal(&sb, &keep, sizeof(sb));
	free(f);
}

/* ---- lengths ----------------------------------------------------------- */

static void test_super_short_buffers(void **state)
{
	struct fixture_area *f = encode_fixture();
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	assert_int_equal(ad_super_decode(f->buf, AD_BLOCK - 1, &sb, NULL, why, sizeof(why)),
			 -ENOSPC);
	/* The superblock alone, the table not wanted: fine. */
	assert_int_equal(ad_super_decode(f->buf, AD_BLOCK, &sb, NULL, why, sizeof(why)), 0);
	/* The table wanted but not there. */
	assert_int_equal(ad_super_decode(f->buf, AD_BLOCK, &sb, f->mtab, why, sizeof(why)),
			 -ENOSPC);
	assert_reason(why, "member table needs 8192");
	/* Without mtab, a table that is there is still checked. */
	f->buf[AD_BLOCK + 10] ^= 1;
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, NULL, why, sizeof(why)), -EUCLEAN);
	assert_reason(why, "member table checksum mismatch");
	free(f);
}

/* ---- member table ------------------------------------------------------ */

static void test_super_mtab_rejects(void **state)
{
	struct fixture_area *f = encode_fixture();
	uint8_t *tab = f->buf + AD_BLOCK;
	uint8_t orig[FIX_AREA];
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	memcpy(orig, f->buf, FIX_AREA);
#define E(i, field) (tab + (i) * AD_MEMBER_ENTRY_SIZE + offsetof(struct ad_member_wire, field))
#define EXPECT(rc_, part)                                                                \
	do {                                                                             \
		reseal(f->buf, FIX_AREA);                                                \
		assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, f->mtab, why,    \
						 sizeof(why)), (rc_));                   \
		assert_reason(why, (part));                                              \
		memcpy(f->buf, orig, FIX_AREA);                                          \
	} while (0)

	memcpy(E(5, device_uuid), E(1, device_uuid), 16);
	EXPECT(-EUCLEAN, "members 1 and 5 have the same device UUID");
	memset(E(3, device_uuid), 0, 16);
	EXPECT(-EUCLEAN, "member 3: zero device UUID");
	E(FIX_INDEX, device_uuid)[15] ^= 1;
	EXPECT(-EUCLEAN, "does not describe this device");
	ad_wr64(E(FIX_INDEX, size), 65 * MIB);
	EXPECT(-EUCLEAN, "does not describe this device");
	ad_wr32(E(FIX_INDEX, physical_sector), 512);
	EXPECT(-EUCLEAN, "does not describe this device");
	*E(1, state) = 0;
	EXPECT(-EUCLEAN, "member 1: unknown state 0");
	*E(1, state) = 7;
	EXPECT(-EUCLEAN, "unknown state 7");
	ad_wr64(E(0, size), 16 * MIB);
	EXPECT(-EUCLEAN, "member 0: size");
	ad_wr32(E(0, logical_sector), 4096);
	ad_wr32(E(0, physical_sector), 2048);
	EXPECT(-EUCLEAN, "sectors 4096/2048");
	ad_wr16(E(0, flags), 1);
	EXPECT(-EUCLEAN, "flags or reserved");
	*(E(0, reserved) + 63) = 1;
	EXPECT(-EUCLEAN, "flags or reserved");
	ad_wr64(E(4, missed_since), 6);
	EXPECT(-EUCLEAN, "member 4: generations");
	*(tab + FIX_MEMBERS * AD_MEMBER_ENTRY_SIZE + 5) = 1;
	EXPECT(-EUCLEAN, "unused entry 6");
	*(tab + AD_BLOCK - 1) = 1;
	EXPECT(-EUCLEAN, "unused entry 31");
	/* Without resealing the table, its checksum catches it. */
	tab[0] ^= 0x80;
	ad_wr32(f->buf + SB_OFF(csum), ad_crc32c(0, f->buf, SB_OFF(csum)));
	assert_int_equal(ad_super_decode(f->buf, FIX_AREA, &sb, f->mtab, why, sizeof(why)),
			 -EUCLEAN);
	assert_reason(why, "member table checksum mismatch: stored 0x");
#undef EXPECT
#undef E
	free(f);
}

/* ---- encode ------------------------------------------------------------- */

static void test_super_encode_rejects(void **state)
{
	struct fixture_area *f = calloc(1, sizeof(*f));
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(f);
#define ENC(mod, rc_, part)                                                              \
	do {                                                                             \
		fixture(&sb, f->mtab);                                                   \
		mod;                                                                     \
		assert_int_equal(ad_super_encode(&sb, f->mtab, f->buf, sizeof(f->buf),   \
						 why, sizeof(why)), (rc_));              \
		assert_reason(why, (part));                                              \
	} while (0)

	ENC(sb.member_count = 0, -EINVAL, "0 members");
	ENC(sb.member_count = 257, -EINVAL, "257 members");
	ENC(sb.version = 2, -EINVAL, "version 1 only");
	ENC(sb.feat_incompat |= AD_FEAT_INCOMPAT_ENCRYPTION, -EINVAL, "unknown features");
	ENC(memset(sb.label, 'x', AD_LABEL_MAX), -EINVAL, "longer than 63");
	ENC(memset(sb.mounted_host, 'x', AD_HOST_MAX), -EINVAL, "longer than 63");
	ENC(sb.snap_root.nmirrors = 1, -EINVAL, "snapshot root");
	/* Field ranges come from the decoder run over the result. */
	ENC(sb.k = 0, -EINVAL, "geometry 0+2");
	ENC(sb.version_min = 2, -EINVAL, "version 2");
	ENC(sb.generation = 0, -EINVAL, "generation 0");
	ENC(f->mtab[3].state = 0, -EINVAL, "unknown state");
	ENC(sb.tree_root.addr[3] = 0, -EINVAL, "unused mirror slot 3");
	/* Too small a buffer. */
	fixture(&sb, f->mtab);
	assert_int_equal(ad_super_encode(&sb, f->mtab, f->buf, FIX_AREA - 1, why, sizeof(why)),
			 -ENOSPC);
	assert_int_equal(ad_super_encode(&sb, NULL, f->buf, FIX_AREA, why, sizeof(why)), -EINVAL);
#undef ENC
	free(f);
}

/* Encode writes canonical bytes whatever sits in the unused parts of the input. */
static void test_super_encode_canonical(void **state)
{
	struct fixture_area *f = encode_fixture();
	uint8_t *again = malloc(FIX_AREA);
	struct ad_super sb;
	char why[AD_WHY_MAX];

	(void)state;
	assert_non_null(again);
	fixture(&sb, f->mtab);
	memset(sb.label + 11, 'z', AD_LABEL_MAX - 12);          /* after the NUL */
	memset(sb.mounted_host + 7, 'z', AD_HOST_MAX - 8);
	sb.ro_only = true;                                       /* decode output only */
	memset(again, 0x5a, FIX_AREA);
	assert_int_equal(ad_super_encode(&sb, f->mtab, again, FIX_AREA, why, sizeof(why)),
			 FIX_AREA);
	assert_memory_equal(again, f->buf, FIX_AREA);
	free(again);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_super_area_offsets),
		cmocka_unit_test(test_super_wire_offsets),
		cmocka_unit_test(test_super_roundtrip),
		cmocka_unit_test(test_super_member_counts),
		cmocka_unit_test(test_super_field_table_complete),
		cmocka_unit_test(test_super_flip_unsealed),
		cmocka_unit_test(test_super_flip_sealed),
		cmocka_unit_test(test_super_mtab_flip),
		cmocka_unit_test(test_super_cases),
		cmocka_unit_test(test_super_strings),
		cmocka_unit_test(test_super_features),
		cmocka_unit_test(test_super_header_order),
		cmocka_unit_test(test_super_output_untouched),
		cmocka_unit_test(test_super_short_buffers),
		cmocka_unit_test(test_super_mtab_rejects),
		cmocka_unit_test(test_super_encode_rejects),
		cmocka_unit_test(test_super_encode_canonical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
