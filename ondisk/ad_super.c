/*
 * ad_super.c — the superblock: where its four copies live, its encoder, and
 * its validating decoder (which also checks the member table's checksum; the
 * table entries are ad_mtab.c's).
 *
 * Decode order (docs/ondisk-format.md, "Superblock validation"): magic,
 * length, checksum, version, features, field ranges, reserved bytes, member
 * table.  Encode fills the wire image and then runs the decoder over it, so
 * nothing is written that the decoder would refuse.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ad_crc.h"
#include "ad_format.h"
#include "ad_priv.h"

#define SB_CSUM_LEN offsetof(struct ad_sb_wire, csum)
#define SB_CRYPT_OFF offsetof(struct ad_sb_wire, kdf)
#define SB_CRYPT_LEN (offsetof(struct ad_sb_wire, reserved2) - SB_CRYPT_OFF)

uint64_t ad_sb_area_offset(unsigned slot, bool back, uint64_t device_size)
{
	uint64_t end = ad_align_down(device_size, AD_END_ALIGN);

	if (slot > 1 || device_size < AD_MIN_MEMBER_SIZE)
		return UINT64_MAX;
	if (!back)
		return slot ? AD_SB_FRONT_B : AD_SB_FRONT_A;
	return end - (slot ? AD_SB_BACK_B_FROM_END : AD_SB_BACK_A_FROM_END);
}

static uint64_t mtab_blocks(uint64_t member_count)
{
	return (member_count + AD_MTAB_PER_BLOCK - 1) / AD_MTAB_PER_BLOCK;
}

size_t ad_sb_area_len(uint32_t member_count)
{
	return (size_t)(AD_BLOCK * (1 + mtab_blocks(member_count)));
}

/* ---- decode ------------------------------------------------------------ */

static bool csum_type_known(unsigned v)
{
	switch (v) {
#define x(n, val, s) case val: return true;
	AD_CSUM_TYPES(x)
#undef x
	}
	return false;
}

static bool matrix_type_known(unsigned v)
{
	switch (v) {
#define x(n, val, s) case val: return true;
	AD_MATRIX_TYPES(x)
#undef x
	}
	return false;
}

static const char *incompat_name(unsigned bit)
{
	switch (bit) {
#define x(n, b, s) case b: return s;
	AD_FEATURES_INCOMPAT(x)
#undef x
	}
	return NULL;
}

/* "unsupported incompat features 0x6 (encryption, bit 2)" */
static int fail_incompat(uint64_t bits, char *why, size_t whylen)
{
	char list[AD_WHY_MAX] = "";
	size_t used = 0;

	for (unsigned b = 0; b < 64; b++) {
		const char *name = incompat_name(b);
		const char *sep = used ? ", " : "";
		int n;

		if (!((bits >> b) & 1))
			continue;
		if (name)
			n = snprintf(list + used, sizeof(list) - used, "%s%s", sep, name);
		else
			n = snprintf(list + used, sizeof(list) - used, "%sbit %u", sep, b);
		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	return ad_fail(why, whylen, -EPROTONOSUPPORT, "unsupported incompat features 0x%llx (%s)",
		       (unsigned long long)bits, list);
}

/* Magic, length, checksum, version and features: what decides whether to read on. */
static int check_header(const struct ad_sb_wire *w, struct ad_super *sb, char *why, size_t whylen)
{
	uint64_t magic = ad_get64(w->magic);
	uint32_t stored, calc;

	if (magic != AD_SB_MAGIC)
		return ad_fail(why, whylen, -ENOMSG, "no ArgosFS superblock (magic 0x%016llx)",
			       (unsigned long long)magic);
	if (ad_get32(w->length) != AD_BLOCK)
		return ad_fail(why, whylen, -EUCLEAN, "superblock length %u, expected %u",
			       ad_get32(w->length), AD_BLOCK);
	stored = ad_get32(w->csum);
	calc = ad_crc32c(0, w, SB_CSUM_LEN);
	if (stored != calc)
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock checksum mismatch: stored 0x%08x, computed 0x%08x",
			       stored, calc);
	sb->version = ad_get32(w->version);
	sb->version_min = ad_get32(w->version_min);
	if (sb->version_min > AD_VERSION)
		return ad_fail(why, whylen, -EPROTONOSUPPORT,
			       "superblock needs format version %u to be read, this code reads up to %u",
			       sb->version_min, AD_VERSION);
	if (sb->version_min == 0 || sb->version < sb->version_min)
		return ad_fail(why, whylen, -EUCLEAN, "superblock version %u, version_min %u",
			       sb->version, sb->version_min);
	if (sb->version < AD_VERSION_MIN_READ)
		return ad_fail(why, whylen, -EPROTONOSUPPORT,
			       "superblock format version %u is older than %u, the oldest this code reads",
			       sb->version, AD_VERSION_MIN_READ);
	sb->feat_compat = ad_get64(w->feat_compat);
	sb->feat_ro_compat = ad_get64(w->feat_ro_compat);
	sb->feat_incompat = ad_get64(w->feat_incompat);
	if (sb->feat_incompat & ~AD_FEAT_INCOMPAT_SUPP)
		return fail_incompat(sb->feat_incompat & ~AD_FEAT_INCOMPAT_SUPP, why, whylen);
	sb->ro_only = (sb->feat_ro_compat & ~AD_FEAT_RO_COMPAT_SUPP) != 0;
	return 0;
}

/* Copy the plain fields (everything but the two block pointers). */
static void unpack(const struct ad_sb_wire *w, struct ad_super *sb)
{
	sb->csum_type = ad_get16(w->csum_type);
	memcpy(sb->pool_uuid, w->pool_uuid, 16);
	memcpy(sb->format_id, w->format_id, 16);
	memcpy(sb->device_uuid, w->device_uuid, 16);
	sb->generation = ad_get64(w->generation);
	sb->member_index = ad_get32(w->member_index);
	sb->member_count = ad_get32(w->member_count);
	sb->k = ad_get16(w->k);
	sb->m = ad_get16(w->m);
	sb->chunk_size = ad_get32(w->chunk_size);
	sb->matrix_type = ad_get16(w->matrix_type);
	sb->state_flags = ad_get32(w->state_flags);
	sb->mkfs_time = ad_get64(w->mkfs_time);
	sb->write_time = ad_get64(w->write_time);
	sb->device_size = ad_get64(w->device_size);
	sb->logical_sector = ad_get32(w->logical_sector);
	sb->physical_sector = ad_get32(w->physical_sector);
	sb->journal_off = ad_get64(w->journal_off);
	sb->journal_len = ad_get64(w->journal_len);
	sb->spacemap_off = ad_get64(w->spacemap_off);
	sb->spacemap_len = ad_get64(w->spacemap_len);
	sb->data_off = ad_get64(w->data_off);
	sb->data_len = ad_get64(w->data_len);
	sb->journal_head_off = ad_get64(w->journal_head_off);
	sb->journal_head_seq = ad_get64(w->journal_head_seq);
	for (unsigned i = 0; i < AD_MAX_MIRRORS; i++)
		sb->journal_mirrors[i] = ad_get16(w->journal_mirrors[i]);
	sb->meta_mirrors = ad_get16(w->meta_mirrors);
	sb->tree_height = ad_get16(w->tree_height);
	sb->ckpt_gen = ad_get64(w->ckpt_gen);
	sb->spacemap_csum = ad_get32(w->spacemap_csum);
	sb->spacemap_slot = ad_get32(w->spacemap_slot);
	sb->spacemap_gen = ad_get64(w->spacemap_gen);
	sb->mount_time = ad_get64(w->mount_time);
	sb->last_check = ad_get64(w->last_check);
	sb->mount_count = ad_get32(w->mount_count);
	sb->mounted_pid = ad_get32(w->mounted_pid);
	memcpy(sb->mounted_host, w->mounted_host, AD_HOST_MAX);
	memcpy(sb->label, w->label, AD_LABEL_MAX);
	ad_bptr_null(&sb->snap_root);
}

static int check_geometry(const struct ad_sb_wire *w, const struct ad_super *sb,
			  char *why, size_t whylen)
{
	if (!csum_type_known(sb->csum_type))
		return ad_fail(why, whylen, -EUCLEAN, "superblock: unknown checksum type %u",
			       sb->csum_type);
	if (ad_get16(w->block_shift) != AD_BLOCK_SHIFT)
		return ad_fail(why, whylen, -EUCLEAN, "superblock: block shift %u, expected %u",
			       ad_get16(w->block_shift), AD_BLOCK_SHIFT);
	if (sb->generation == 0 || ad_get16(w->slot) != sb->generation % 2)
		return ad_fail(why, whylen, -EUCLEAN, "superblock: generation %llu in slot %u",
			       (unsigned long long)sb->generation, ad_get16(w->slot));
	if (sb->member_count == 0 || sb->member_count > AD_MAX_MEMBERS ||
	    sb->member_index >= sb->member_count)
		return ad_fail(why, whylen, -EUCLEAN, "superblock: member %u of %u (at most %u)",
			       sb->member_index, sb->member_count, AD_MAX_MEMBERS);
	if (sb->k < 1 || sb->k > AD_MAX_K || sb->m > AD_MAX_M ||
	    (uint32_t)sb->k + sb->m > sb->member_count)
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: geometry %u+%u on %u members (k 1..%u, m 0..%u)",
			       sb->k, sb->m, sb->member_count, AD_MAX_K, AD_MAX_M);
	if (!ad_is_pow2(sb->chunk_size) || sb->chunk_size < AD_MIN_CHUNK ||
	    sb->chunk_size > AD_MAX_CHUNK)
		return ad_fail(why, whylen, -EUCLEAN, "superblock: chunk size %u", sb->chunk_size);
	if (!matrix_type_known(sb->matrix_type))
		return ad_fail(why, whylen, -EUCLEAN, "superblock: unknown matrix type %u",
			       sb->matrix_type);
	if (sb->state_flags & ~AD_SBF_KNOWN)
		return ad_fail(why, whylen, -EUCLEAN, "superblock: unknown state flags 0x%x",
			       sb->state_flags & ~AD_SBF_KNOWN);
	if (sb->device_size < AD_MIN_MEMBER_SIZE)
		return ad_fail(why, whylen, -EUCLEAN, "superblock: device size %llu below %llu",
			       (unsigned long long)sb->device_size, AD_MIN_MEMBER_SIZE);
	if (!ad_sectors_ok(sb->logical_sector, sb->physical_sector))
		return ad_fail(why, whylen, -EUCLEAN, "superblock: sector sizes %u/%u",
			       sb->logical_sector, sb->physical_sector);
	return 0;
}

struct region {
	const char *name;
	uint64_t off, len;
};

/* Journal, space map and data: aligned, non-empty, inside [1 MiB, E - 1 MiB), apart. */
static int check_regions(const struct ad_super *sb, char *why, size_t whylen)
{
	const struct region r[] = {
		{ "journal", sb->journal_off, sb->journal_len },
		{ "space map", sb->spacemap_off, sb->spacemap_len },
		{ "data", sb->data_off, sb->data_len },
	};
	const unsigned n = sizeof(r) / sizeof(r[0]);
	uint64_t lo = AD_FRONT_RESERVED;
	uint64_t hi = ad_align_down(sb->device_size, AD_END_ALIGN) - AD_BACK_RESERVED;
	uint32_t bm, idx;
	uint64_t slot;

	for (unsigned i = 0; i < n; i++) {
		if (r[i].off % AD_BLOCK || r[i].len % AD_BLOCK || r[i].len == 0 ||
		    r[i].off < lo || r[i].off > hi || r[i].len > hi - r[i].off)
			return ad_fail(why, whylen, -EUCLEAN,
				       "superblock: %s region at %llu, %llu bytes: not 4 KiB "
				       "aligned or outside [%llu, %llu)", r[i].name,
				       (unsigned long long)r[i].off, (unsigned long long)r[i].len,
				       (unsigned long long)lo, (unsigned long long)hi);
		for (unsigned j = 0; j < i; j++)
			if (r[i].off < r[j].off + r[j].len && r[j].off < r[i].off + r[i].len)
				return ad_fail(why, whylen, -EUCLEAN,
					       "superblock: %s and %s regions overlap",
					       r[j].name, r[i].name);
	}
	ad_sm_geometry(sb->data_len / AD_BLOCK, &bm, &idx, &slot);
	if (idx > AD_SM_IDX_MAX)
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: data region of %llu bytes is too large for a space map",
			       (unsigned long long)sb->data_len);
	/* Two equal slots, slot s at spacemap_off + s * spacemap_len / 2. */
	if (sb->spacemap_len / AD_BLOCK < 2 * slot || sb->spacemap_len % (2 * AD_BLOCK))
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: space map region of %llu blocks, two equal slots "
			       "need %llu", (unsigned long long)(sb->spacemap_len / AD_BLOCK),
			       (unsigned long long)(2 * slot));
	return 0;
}

/* Exactly meta_mirrors distinct members, listed first, then AD_NO_MEMBER. */
static int check_journal_mirrors(const struct ad_super *sb, char *why, size_t whylen)
{
	unsigned used = 0;

	for (unsigned i = 0; i < AD_MAX_MIRRORS; i++) {
		uint16_t v = sb->journal_mirrors[i];

		if (v == AD_NO_MEMBER)
			continue;
		if (i != used || v >= sb->member_count)
			return ad_fail(why, whylen, -EUCLEAN,
				       "superblock: journal mirror slot %u holds member %u", i, v);
		for (unsigned j = 0; j < i; j++)
			if (sb->journal_mirrors[j] == v)
				return ad_fail(why, whylen, -EUCLEAN,
					       "superblock: journal mirrors %u and %u both on member %u",
					       j, i, v);
		used++;
	}
	if (used != sb->meta_mirrors)
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: %u journal mirrors, metadata has %u copies",
			       used, sb->meta_mirrors);
	return 0;
}

/* Checkpoint pointers: journal position, tree root, space map slot. */
static int check_checkpoint(const struct ad_sb_wire *w, struct ad_super *sb,
			    char *why, size_t whylen)
{
	char sub[AD_WHY_MAX];
	int err;

	if (sb->meta_mirrors != sb->m + 1)
		return ad_fail(why, whylen, -EUCLEAN, "superblock: %u metadata copies with m = %u",
			       sb->meta_mirrors, sb->m);
	err = check_journal_mirrors(sb, why, whylen);
	if (err)
		return err;
	if (sb->journal_head_off >= sb->journal_len || sb->journal_head_off % AD_BLOCK)
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: journal head at %llu in a journal of %llu bytes",
			       (unsigned long long)sb->journal_head_off,
			       (unsigned long long)sb->journal_len);
	if (sb->ckpt_gen == 0 || sb->ckpt_gen > sb->generation)
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: checkpoint generation %llu, superblock generation %llu",
			       (unsigned long long)sb->ckpt_gen, (unsigned long long)sb->generation);
	if (ad_bptr_decode(&w->tree_root, sb->member_count, &sb->tree_root, sub, sizeof(sub)))
		return ad_fail(why, whylen, -EUCLEAN, "superblock: tree root: %s", sub);
	if ((sb->tree_height == 0) != (sb->tree_root.nmirrors == 0) ||
	    (sb->tree_height > 0 && sb->tree_root.level != sb->tree_height - 1) ||
	    sb->tree_root.gen > sb->ckpt_gen)
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: tree of height %u, root at level %u of generation %llu "
			       "with %u mirrors", sb->tree_height, sb->tree_root.level,
			       (unsigned long long)sb->tree_root.gen, sb->tree_root.nmirrors);
	/* The space map slot alternates per checkpoint (the one the previous
	 * superblock does not use), not per generation: any of 0, 1. */
	if (sb->spacemap_gen == 0 || sb->spacemap_gen > sb->ckpt_gen || sb->spacemap_slot > 1)
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: space map of generation %llu in slot %u",
			       (unsigned long long)sb->spacemap_gen, sb->spacemap_slot);
	return 0;
}

/* Strings, member table geometry, and the bytes v1 reserves. */
static int check_rest(const struct ad_sb_wire *w, const struct ad_super *sb,
		      char *why, size_t whylen)
{
	const uint8_t *raw = (const uint8_t *)w;

	if (!ad_str_field_ok(w->mounted_host, AD_HOST_MAX) || !ad_str_field_ok(w->label, AD_LABEL_MAX))
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: label or host name not NUL-terminated and NUL-padded");
	if (ad_uuid_is_zero(w->pool_uuid) || ad_uuid_is_zero(w->format_id) ||
	    ad_uuid_is_zero(w->device_uuid))
		return ad_fail(why, whylen, -EUCLEAN, "superblock: zero pool, format or device UUID");
	if (ad_get32(w->mtab_entry_size) != AD_MEMBER_ENTRY_SIZE ||
	    ad_get32(w->mtab_blocks) != mtab_blocks(sb->member_count))
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: member table of %u blocks of %u-byte entries for %u members",
			       ad_get32(w->mtab_blocks), ad_get32(w->mtab_entry_size),
			       sb->member_count);
	/* A newer writer (version > ours, readable by us) may use reserved bytes. */
	if (sb->version > AD_VERSION)
		return 0;
	if (ad_get32(w->reserved0) || ad_get32(w->reserved1) ||
	    !ad_mem_is_zero(w->reserved2, sizeof(w->reserved2)))
		return ad_fail(why, whylen, -EUCLEAN, "superblock: reserved bytes not zero");
	if (!ad_mem_is_zero(&w->snap_root, sizeof(w->snap_root)))
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: snapshot root set (reserved, zero in v1)");
	if (!(sb->feat_incompat & AD_FEAT_INCOMPAT_ENCRYPTION) &&
	    !ad_mem_is_zero(raw + SB_CRYPT_OFF, SB_CRYPT_LEN))
		return ad_fail(why, whylen, -EUCLEAN,
			       "superblock: encryption area set without the encryption feature");
	return 0;
}

/* The member table behind the superblock: checksum here, entries in ad_mtab.c. */
static int check_mtab(const uint8_t *buf, size_t len, const struct ad_sb_wire *w,
		      const struct ad_super *sb, struct ad_member *mtab, char *why, size_t whylen)
{
	size_t need = ad_sb_area_len(sb->member_count);
	uint32_t stored, calc;

	if (len < need) {
		if (mtab == NULL)
			return 0;
		return ad_fail(why, whylen, -ENOSPC,
			       "superblock area of %zu bytes, its member table needs %zu", len, need);
	}
	stored = ad_get32(w->mtab_csum);
	calc = ad_crc32c(0, buf + AD_BLOCK, need - AD_BLOCK);
	if (stored != calc)
		return ad_fail(why, whylen, -EUCLEAN,
			       "member table checksum mismatch: stored 0x%08x, computed 0x%08x",
			       stored, calc);
	return ad_mtab_decode(buf + AD_BLOCK, need - AD_BLOCK, sb, mtab, why, whylen);
}

int ad_super_decode(const void *buf, size_t len, struct ad_super *sb,
		    struct ad_member *mtab, char *why, size_t whylen)
{
	const struct ad_sb_wire *w = buf;
	struct ad_super t;
	int err;

	memset(&t, 0, sizeof(t));
	if (len < AD_BLOCK)
		return ad_fail(why, whylen, -ENOSPC, "%zu bytes is shorter than a superblock", len);
	err = check_header(w, &t, why, whylen);
	if (err)
		return err;
	unpack(w, &t);
	err = check_geometry(w, &t, why, whylen);
	if (!err)
		err = check_regions(&t, why, whylen);
	if (!err)
		err = check_checkpoint(w, &t, why, whylen);
	if (!err)
		err = check_rest(w, &t, why, whylen);
	if (!err)
		err = check_mtab(buf, len, w, &t, mtab, why, whylen);
	if (err)
		return err;
	*sb = t;
	return 0;
}

/* ---- encode ------------------------------------------------------------ */

static void pack(const struct ad_super *sb, struct ad_sb_wire *w)
{
	ad_put64(w->magic, AD_SB_MAGIC);
	ad_put32(w->version, sb->version);
	ad_put32(w->version_min, sb->version_min);
	ad_put32(w->length, AD_BLOCK);
	ad_put16(w->csum_type, sb->csum_type);
	ad_put16(w->block_shift, AD_BLOCK_SHIFT);
	ad_put64(w->feat_compat, sb->feat_compat);
	ad_put64(w->feat_ro_compat, sb->feat_ro_compat);
	ad_put64(w->feat_incompat, sb->feat_incompat);
	memcpy(w->pool_uuid, sb->pool_uuid, 16);
	memcpy(w->format_id, sb->format_id, 16);
	memcpy(w->device_uuid, sb->device_uuid, 16);
	ad_put64(w->generation, sb->generation);
	ad_put32(w->member_index, sb->member_index);
	ad_put32(w->member_count, sb->member_count);
	ad_put16(w->k, sb->k);
	ad_put16(w->m, sb->m);
	ad_put32(w->chunk_size, sb->chunk_size);
	ad_put16(w->matrix_type, sb->matrix_type);
	ad_put16(w->slot, (uint16_t)(sb->generation % 2));
	ad_put32(w->state_flags, sb->state_flags);
	ad_put64(w->mkfs_time, sb->mkfs_time);
	ad_put64(w->write_time, sb->write_time);
	ad_put64(w->device_size, sb->device_size);
	ad_put32(w->logical_sector, sb->logical_sector);
	ad_put32(w->physical_sector, sb->physical_sector);
	ad_put64(w->journal_off, sb->journal_off);
	ad_put64(w->journal_len, sb->journal_len);
	ad_put64(w->spacemap_off, sb->spacemap_off);
	ad_put64(w->spacemap_len, sb->spacemap_len);
	ad_put64(w->data_off, sb->data_off);
	ad_put64(w->data_len, sb->data_len);
	ad_bptr_encode(&sb->tree_root, &w->tree_root);
	ad_put64(w->journal_head_off, sb->journal_head_off);
	ad_put64(w->journal_head_seq, sb->journal_head_seq);
	for (unsigned i = 0; i < AD_MAX_MIRRORS; i++)
		ad_put16(w->journal_mirrors[i], sb->journal_mirrors[i]);
	ad_put16(w->meta_mirrors, sb->meta_mirrors);
	ad_put16(w->tree_height, sb->tree_height);
	ad_put64(w->ckpt_gen, sb->ckpt_gen);
	ad_put32(w->spacemap_csum, sb->spacemap_csum);
	ad_put32(w->spacemap_slot, sb->spacemap_slot);
	ad_put64(w->spacemap_gen, sb->spacemap_gen);
	ad_put64(w->mount_time, sb->mount_time);
	ad_put64(w->last_check, sb->last_check);
	ad_put32(w->mount_count, sb->mount_count);
	ad_put32(w->mounted_pid, sb->mounted_pid);
	/* Bytes after the NUL stay zero (buffer cleared by the caller). */
	memcpy(w->mounted_host, sb->mounted_host, strnlen(sb->mounted_host, AD_HOST_MAX));
	memcpy(w->label, sb->label, strnlen(sb->label, AD_LABEL_MAX));
	ad_put32(w->mtab_entry_size, AD_MEMBER_ENTRY_SIZE);
	ad_put32(w->mtab_blocks, (uint32_t)mtab_blocks(sb->member_count));
}

long ad_super_encode(const struct ad_super *sb, const struct ad_member *mtab,
		     void *buf, size_t buflen, char *why, size_t whylen)
{
	struct ad_sb_wire *w = buf;
	uint8_t *tab = (uint8_t *)buf + AD_BLOCK;
	struct ad_super check;
	size_t need;

	if (sb->member_count < 1 || sb->member_count > AD_MAX_MEMBERS || mtab == NULL)
		return ad_fail(why, whylen, -EINVAL, "superblock: %u members (1..%u) and %s table",
			       sb->member_count, AD_MAX_MEMBERS, mtab ? "a" : "no");
	need = ad_sb_area_len(sb->member_count);
	if (buflen < need)
		return ad_fail(why, whylen, -ENOSPC,
			       "superblock area needs %zu bytes, buffer holds %zu", need, buflen);
	if (sb->version != AD_VERSION)
		return ad_fail(why, whylen, -EINVAL, "superblock: this code writes format version "
			       "%u only, not %u", AD_VERSION, sb->version);
	if ((sb->feat_compat & ~AD_FEAT_COMPAT_SUPP) ||
	    (sb->feat_ro_compat & ~AD_FEAT_RO_COMPAT_SUPP) ||
	    (sb->feat_incompat & ~AD_FEAT_INCOMPAT_SUPP))
		return ad_fail(why, whylen, -EINVAL, "superblock: refusing to write unknown features "
			       "0x%llx/0x%llx/0x%llx", (unsigned long long)sb->feat_compat,
			       (unsigned long long)sb->feat_ro_compat,
			       (unsigned long long)sb->feat_incompat);
	if (strnlen(sb->label, AD_LABEL_MAX) == AD_LABEL_MAX ||
	    strnlen(sb->mounted_host, AD_HOST_MAX) == AD_HOST_MAX)
		return ad_fail(why, whylen, -EINVAL, "superblock: label or host name longer than %u "
			       "bytes", AD_LABEL_MAX - 1);
	if (sb->snap_root.nmirrors != 0)
		return ad_fail(why, whylen, -EINVAL,
			       "superblock: snapshot root is reserved in format version 1");

	memset(buf, 0, need);
	pack(sb, w);
	ad_mtab_encode(mtab, sb->member_count, tab, need - AD_BLOCK);
	ad_put32(w->mtab_csum, ad_crc32c(0, tab, need - AD_BLOCK));
	ad_put32(w->csum, ad_crc32c(0, w, SB_CSUM_LEN));
	if (ad_super_decode(buf, need, &check, NULL, why, whylen) != 0)
		return -EINVAL;
	return (long)need;
}
