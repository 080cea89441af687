/*
 * ad_format.h — the ArgosFS on-disk format, version 1.
 *
 * Owns: every constant, wire struct and decoded struct of the format, and the
 * encoder/decoder prototypes.  Pure code: nothing in ondisk/ does I/O or keeps
 * state.  docs/ondisk-format.md is the prose companion of this header; change
 * both together.
 *
 * OVERVIEW
 *
 * A pool is N member devices (block devices, partitions or image files) with a
 * geometry k+m and a chunk size.  Every member is laid out the same way, in
 * 4 KiB blocks (AD_BLOCK), with E = device size rounded down to 64 KiB:
 *
 *   [0, 64 KiB)              never written (boot code, partition tables)
 *   [64 KiB, 128 KiB)        superblock area, slot A, front copy
 *   [128 KiB, 192 KiB)       superblock area, slot B, front copy
 *   [192 KiB, 1 MiB)         reserved, zero
 *   [1 MiB, 1 MiB + J)       journal region (J = journal_len, same on every
 *                            member; used on the journal mirrors only)
 *   [.., .. + S)             space map region of this member (two slots)
 *   [data_off, data_off+D)   data area: stripe chunks and metadata pages,
 *                            handed out by the extent allocator
 *   [E - 1 MiB, E - 256 KiB) reserved, zero
 *   [E - 256 KiB, E - 192 KiB) superblock area, slot A, back copy
 *   [E - 128 KiB, E - 64 KiB)  superblock area, slot B, back copy
 *   [E - 64 KiB, E)            reserved (GPT backup header lives here on
 *                              whole disks)
 *
 * A superblock area is one 4 KiB superblock followed by the member table
 * (128 bytes per member, ceil(N/32) blocks, at most AD_MAX_MEMBERS members).
 * Generation G is written to slot G % 2 on every member (front and back),
 * flushed, and only then may generation G+1 touch the other slot, so a crash
 * leaves a whole generation G-1 or G.  The newest valid generation wins.
 *
 * The superblock points at the checkpoint: the root of the metadata B+tree (a
 * checksum tree: each parent holds its children's addresses and CRCs, pages
 * are mirrored on m+1 members), the journal position replay starts from, and
 * this member's space map slot.  Everything after the superblock is reached
 * through a checksummed pointer.
 *
 * Integers are little-endian, fixed width, read and written only through
 * ad_le.h.  Checksums are CRC-32C as ad_crc.h defines it.  Structures that an
 * earlier mkfs of the same device could have left behind (tree pages, journal
 * entries, space map slots) are seeded with the pool's format id.
 */
#ifndef ARGOS_AD_FORMAT_H
#define ARGOS_AD_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_le.h"

/* ---------------------------------------------------------------------- */
/* Versions, sizes, limits                                                  */

#define AD_VERSION            1u   /* format version this code writes */
#define AD_VERSION_MIN_READ   1u   /* oldest format version this code reads */

#define AD_BLOCK_SHIFT        12
#define AD_BLOCK              (1u << AD_BLOCK_SHIFT)   /* 4096 */

#define AD_MAX_MEMBERS        256  /* member table entries */
#define AD_MAX_K              32
#define AD_MAX_M              3    /* raidz3-like; metadata mirrors = m+1 <= 4 */
#define AD_MAX_MIRRORS        (AD_MAX_M + 1)
#define AD_MIN_CHUNK          (4u << 10)
#define AD_MAX_CHUNK          (1u << 20)

#define AD_LABEL_MAX          64   /* bytes incl. NUL */
#define AD_HOST_MAX           64   /* bytes incl. NUL */

/* Superblock areas (byte offsets). */
#define AD_SB_AREA            (64u << 10)
#define AD_SB_FRONT_A         (64u << 10)
#define AD_SB_FRONT_B         (128u << 10)
#define AD_SB_BACK_A_FROM_END (256u << 10)   /* E - this */
#define AD_SB_BACK_B_FROM_END (128u << 10)   /* E - this */
#define AD_END_ALIGN          (64u << 10)    /* E = align_down(size, this) */
#define AD_FRONT_RESERVED     (1u << 20)     /* journal starts here */
#define AD_BACK_RESERVED      (1u << 20)     /* data ends at E - this */

#define AD_MEMBER_ENTRY_SIZE  128
#define AD_MTAB_PER_BLOCK     (AD_BLOCK / AD_MEMBER_ENTRY_SIZE)  /* 32 */
#define AD_MTAB_MAX_BLOCKS    (AD_MAX_MEMBERS / AD_MTAB_PER_BLOCK) /* 8 */

_Static_assert(AD_BLOCK * (1 + AD_MTAB_MAX_BLOCKS) <= AD_SB_AREA,
	       "superblock + full member table must fit one superblock area");

#define AD_MIN_MEMBER_SIZE    (32ull << 20)  /* documented minimum: 32 MiB */

/* ---------------------------------------------------------------------- */
/* Enumerations (x-macro lists: the enum and its names cannot drift apart). */

/* Checksum types. */
#define AD_CSUM_TYPES(x) \
	x(CRC32C, 1, "crc32c")
enum ad_csum_type {
#define x(n, v, s) AD_CSUM_##n = v,
	AD_CSUM_TYPES(x)
#undef x
};

/* Erasure-code matrix types. */
#define AD_MATRIX_TYPES(x) \
	x(CAUCHY1, 1, "isal-cauchy1")   /* gf_gen_cauchy1_matrix(), GF(2^8) */
enum ad_matrix_type {
#define x(n, v, s) AD_MATRIX_##n = v,
	AD_MATRIX_TYPES(x)
#undef x
};

/* Member states, as recorded in the member table. */
#define AD_MEMBER_STATES(x)                                                   \
	x(ONLINE,    1, "online")    /* holds every generation's data */     \
	x(MISSING,   2, "missing")   /* absent when a generation was written */\
	x(STALE,     3, "stale")     /* came back after missing generations */ \
	x(REPLACING, 4, "replacing") /* being rebuilt onto a new device */     \
	x(DRAINING,  5, "draining")  /* data moving off; no new allocations */ \
	x(REMOVED,   6, "removed")   /* no longer part of the pool */
enum ad_member_state {
#define x(n, v, s) AD_MS_##n = v,
	AD_MEMBER_STATES(x)
#undef x
};
/* Name of a member state; NULL for a value not in the list. */
const char *ad_member_state_name(unsigned state);

/*
 * Feature words, as ext4: an unknown compat bit is ignored, an unknown
 * ro_compat bit allows read-only use, an unknown incompat bit refuses the
 * pool.  *_SUPP is what this build understands.
 */
#define AD_FEATURES_COMPAT(x)    /* none defined in v1 */
#define AD_FEATURES_RO_COMPAT(x) /* none defined in v1 */
#define AD_FEATURES_INCOMPAT(x)                                                \
	x(COMPRESSION, 0, "compression") /* stripes may hold zstd/lz4 units */ \
	x(ENCRYPTION,  1, "encryption")  /* reserved: key slots in use */

enum {
#define x(n, bit, s) AD_FEAT_COMPAT_##n = 1ull << (bit),
	AD_FEATURES_COMPAT(x)
#undef x
#define x(n, bit, s) AD_FEAT_RO_COMPAT_##n = 1ull << (bit),
	AD_FEATURES_RO_COMPAT(x)
#undef x
#define x(n, bit, s) AD_FEAT_INCOMPAT_##n = 1ull << (bit),
	AD_FEATURES_INCOMPAT(x)
#undef x
	AD_FEAT_PLACEHOLDER_ = 0
};
#define AD_FEAT_COMPAT_SUPP     0ull
#define AD_FEAT_RO_COMPAT_SUPP  0ull
#define AD_FEAT_INCOMPAT_SUPP   ((uint64_t)AD_FEAT_INCOMPAT_COMPRESSION)

/* Superblock state flags. */
#define AD_SBF_CLEAN      (1u << 0)  /* unmounted cleanly: no replay needed */
#define AD_SBF_ERRORS     (1u << 1)  /* an error was recorded: fsck first */
#define AD_SBF_KNOWN      (AD_SBF_CLEAN | AD_SBF_ERRORS)

/* ---------------------------------------------------------------------- */
/* Addresses and checksummed pointers                                       */

/*
 * An address names one 4 KiB block on one member:
 *   bits 63..52  member index (0..4095; < AD_MAX_MEMBERS in v1)
 *   bits 51..0   block number from the start of the member (byte offset / 4096)
 * AD_ADDR_NONE (all ones) means "no address".
 */
#define AD_ADDR_NONE           UINT64_MAX
#define AD_ADDR_MEMBER_SHIFT   52
#define AD_ADDR_BLOCK_MASK     ((1ull << AD_ADDR_MEMBER_SHIFT) - 1)
static inline uint64_t ad_addr(unsigned member, uint64_t block)
{
	return ((uint64_t)member << AD_ADDR_MEMBER_SHIFT) | (block & AD_ADDR_BLOCK_MASK);
}
static inline unsigned ad_addr_member(uint64_t a) { return (unsigned)(a >> AD_ADDR_MEMBER_SHIFT); }
static inline uint64_t ad_addr_block(uint64_t a) { return a & AD_ADDR_BLOCK_MASK; }

/*
 * Block pointer: a metadata page (or the root of a structure) mirrored on up to
 * AD_MAX_MIRRORS members.  48 bytes on disk:
 *   0  addr[4]   le64 ×4  mirror addresses, AD_ADDR_NONE for unused slots
 *   32 csum      le32     CRC-32C of the page (the page's own csum field)
 *   36 nmirrors  u8       0..4 addresses in use (the first nmirrors); 0 = null
 *                         pointer: all addresses AD_ADDR_NONE, csum/level/gen 0
 *   37 level     u8       tree level of the page (0 = leaf)
 *   38 reserved  le16     zero
 *   40 gen       le64     checkpoint generation that wrote the page
 * A used pointer has its addresses on distinct members and gen >= 1.
 */
struct ad_bptr_wire {
	ad_le64 addr[AD_MAX_MIRRORS];
	ad_le32 csum;
	uint8_t nmirrors;
	uint8_t level;
	ad_le16 reserved;
	ad_le64 gen;
} __attribute__((packed));
_Static_assert(sizeof(struct ad_bptr_wire) == 48, "bptr wire size");

struct ad_bptr {
	uint64_t addr[AD_MAX_MIRRORS];
	uint32_t csum;
	uint8_t  nmirrors;   /* 0 = null pointer */
	uint8_t  level;
	uint64_t gen;
};

void ad_bptr_encode(const struct ad_bptr *p, struct ad_bptr_wire *w);
/* Returns 0, or -EUCLEAN with a reason when the pointer is malformed. */
int  ad_bptr_decode(const struct ad_bptr_wire *w, unsigned member_count,
		    struct ad_bptr *p, char *why, size_t whylen);
void ad_bptr_null(struct ad_bptr *p);

/* ---------------------------------------------------------------------- */
/* Superblock (4096 bytes, checksum seed 0)                                 */

#define AD_SB_MAGIC   0x3142534f47524141ull   /* "AARGOSB1" read as le64 */
#define AD_KEYSLOTS   4

/* Encryption area (reserved in v1; all zero unless INCOMPAT_ENCRYPTION). */
struct ad_keyslot_wire {
	ad_le32 flags;          /* 0 = empty, bit0 = in use */
	ad_le32 kind;           /* 1 = passphrase (Argon2id), 2 = key file */
	uint8_t nonce[24];      /* XChaCha20-Poly1305 nonce */
	uint8_t wrapped[48];    /* 32-byte pool key + 16-byte tag */
	uint8_t reserved[16];
} __attribute__((packed));
_Static_assert(sizeof(struct ad_keyslot_wire) == 96, "keyslot size");

struct ad_sb_wire {
	ad_le64 magic;              /*   0 AD_SB_MAGIC */
	ad_le32 version;            /*   8 format version that wrote it */
	ad_le32 version_min;        /*  12 oldest format version able to read it */
	ad_le32 length;             /*  16 bytes of the superblock = 4096 */
	ad_le16 csum_type;          /*  20 AD_CSUM_CRC32C */
	ad_le16 block_shift;        /*  22 12 (4 KiB blocks) */
	ad_le64 feat_compat;        /*  24 */
	ad_le64 feat_ro_compat;     /*  32 */
	ad_le64 feat_incompat;      /*  40 */
	uint8_t pool_uuid[16];      /*  48 the pool's identity (UUID=) */
	uint8_t format_id[16];      /*  64 random per mkfs; seeds checksums */
	uint8_t device_uuid[16];    /*  80 this member's identity */
	ad_le64 generation;         /*  96 superblock generation, >= 1 */
	ad_le32 member_index;       /* 104 this member's index in the table */
	ad_le32 member_count;       /* 108 entries in the member table */
	ad_le16 k;                  /* 112 data chunks per stripe */
	ad_le16 m;                  /* 114 parity chunks per stripe */
	ad_le32 chunk_size;         /* 116 bytes per chunk (pool default) */
	ad_le16 matrix_type;        /* 120 AD_MATRIX_* */
	ad_le16 slot;               /* 122 generation % 2 (0 = A, 1 = B) */
	ad_le32 state_flags;        /* 124 AD_SBF_* */
	ad_le64 mkfs_time;          /* 128 ns since the epoch */
	ad_le64 write_time;         /* 136 ns, when this generation was written */
	ad_le64 device_size;        /* 144 bytes of this member at mkfs/resize */
	ad_le32 logical_sector;     /* 152 bytes */
	ad_le32 physical_sector;    /* 156 bytes */
	/* Regions of this member (byte offsets and lengths, 4 KiB aligned). */
	ad_le64 journal_off;        /* 160 */
	ad_le64 journal_len;        /* 168 */
	ad_le64 spacemap_off;       /* 176 */
	ad_le64 spacemap_len;       /* 184 */
	ad_le64 data_off;           /* 192 */
	ad_le64 data_len;           /* 200 */
	/* Checkpoint: pool-wide, identical on every member of a generation. */
	struct ad_bptr_wire tree_root;  /* 208 root page of the metadata tree */
	ad_le64 journal_head_off;   /* 256 replay starts here (offset in region) */
	ad_le64 journal_head_seq;   /* 264 sequence number expected there */
	ad_le16 journal_mirrors[AD_MAX_MIRRORS]; /* 272 member indices, 0xffff unused */
	ad_le16 meta_mirrors;       /* 280 copies of each metadata page (m+1) */
	ad_le16 tree_height;        /* 282 levels in the tree (0 = empty) */
	ad_le32 reserved0;          /* 284 */
	ad_le64 ckpt_gen;           /* 288 generation of the checkpoint (= generation
				     *     unless only state flags changed) */
	/* This member's space map for this generation. */
	ad_le32 spacemap_csum;      /* 296 checksum of the slot header */
	ad_le32 spacemap_slot;      /* 300 slot 0/1 that holds it (see space map) */
	ad_le64 spacemap_gen;       /* 304 generation that wrote it */
	/* Mount bookkeeping. */
	ad_le64 mount_time;         /* 312 ns, last read-write mount */
	ad_le64 last_check;         /* 320 ns, last complete fsck */
	ad_le32 mount_count;        /* 328 mounts since the last fsck */
	ad_le32 mounted_pid;        /* 332 pid holding it mounted (0 = none) */
	char    mounted_host[AD_HOST_MAX]; /* 336 host name holding it (NUL padded) */
	char    label[AD_LABEL_MAX];       /* 400 LABEL= (NUL padded) */
	/* Member table that follows this block. */
	ad_le32 mtab_entry_size;    /* 464 AD_MEMBER_ENTRY_SIZE */
	ad_le32 mtab_blocks;        /* 468 ceil(member_count / 32) */
	ad_le32 mtab_csum;          /* 472 CRC-32C (seed 0) of the table blocks */
	ad_le32 reserved1;          /* 476 */
	/* Reserved for later features (zero in v1). */
	struct ad_bptr_wire snap_root;  /* 480 snapshot/subvolume root table (48 zero
					 *     bytes in v1, not a null pointer's encoding) */
	ad_le32 kdf;                /* 528 0 none, 1 Argon2id */
	ad_le32 kdf_opslimit;       /* 532 */
	ad_le64 kdf_memlimit;       /* 536 bytes */
	uint8_t kdf_salt[32];       /* 544 */
	uint8_t key_check[32];      /* 576 MAC of a fixed string under the pool key */
	struct ad_keyslot_wire keyslots[AD_KEYSLOTS]; /* 608..992 */
	uint8_t reserved2[3100];    /* 992 zero */
	ad_le32 csum;               /* 4092 CRC-32C (seed 0) of bytes [0, 4092) */
} __attribute__((packed));
_Static_assert(sizeof(struct ad_sb_wire) == AD_BLOCK, "superblock is one block");
_Static_assert(__builtin_offsetof(struct ad_sb_wire, tree_root) == 208, "sb tree_root");
_Static_assert(__builtin_offsetof(struct ad_sb_wire, label) == 400, "sb label");
_Static_assert(__builtin_offsetof(struct ad_sb_wire, snap_root) == 480, "sb snap_root");
_Static_assert(__builtin_offsetof(struct ad_sb_wire, keyslots) == 608, "sb keyslots");
_Static_assert(__builtin_offsetof(struct ad_sb_wire, csum) == 4092, "sb csum");

/* Member table entry (128 bytes). */
struct ad_member_wire {
	uint8_t device_uuid[16];    /*   0 */
	ad_le64 size;               /*  16 bytes */
	ad_le32 logical_sector;     /*  24 */
	ad_le32 physical_sector;    /*  28 */
	uint8_t state;              /*  32 AD_MS_* */
	uint8_t tier;               /*  33 0 = default; later: hot/cold classes */
	ad_le16 flags;              /*  34 zero in v1 */
	ad_le32 weight;             /*  36 placement weight; 0 = from capacity */
	ad_le64 last_gen;           /*  40 newest generation written to it */
	ad_le64 missed_since;       /*  48 first generation it missed (0 = none) */
	ad_le64 added_gen;          /*  56 generation it joined the pool */
	uint8_t reserved[64];       /*  64 zero */
} __attribute__((packed));
_Static_assert(sizeof(struct ad_member_wire) == AD_MEMBER_ENTRY_SIZE, "member entry size");

struct ad_member {
	uint8_t  device_uuid[16];
	uint64_t size;
	uint32_t logical_sector;
	uint32_t physical_sector;
	uint8_t  state;
	uint8_t  tier;
	uint16_t flags;
	uint32_t weight;
	uint64_t last_gen;
	uint64_t missed_since;
	uint64_t added_gen;
};

/* Decoded superblock (host order).  Field meanings as in struct ad_sb_wire. */
struct ad_super {
	uint32_t version, version_min;
	uint16_t csum_type;
	uint64_t feat_compat, feat_ro_compat, feat_incompat;
	uint8_t  pool_uuid[16], format_id[16], device_uuid[16];
	uint64_t generation;
	uint32_t member_index, member_count;
	uint16_t k, m;
	uint32_t chunk_size;
	uint16_t matrix_type;
	uint32_t state_flags;
	uint64_t mkfs_time, write_time;
	uint64_t device_size;
	uint32_t logical_sector, physical_sector;
	uint64_t journal_off, journal_len;
	uint64_t spacemap_off, spacemap_len;
	uint64_t data_off, data_len;
	struct ad_bptr tree_root;
	uint64_t journal_head_off, journal_head_seq;
	uint16_t journal_mirrors[AD_MAX_MIRRORS];
	uint16_t meta_mirrors;
	uint16_t tree_height;
	uint64_t ckpt_gen;
	uint32_t spacemap_csum, spacemap_slot;
	uint64_t spacemap_gen;
	uint64_t mount_time, last_check;
	uint32_t mount_count, mounted_pid;
	char     mounted_host[AD_HOST_MAX];
	char     label[AD_LABEL_MAX];
	struct ad_bptr snap_root;
	/* Set by decode: an unknown ro_compat feature is present. */
	bool     ro_only;
};

#define AD_NO_MEMBER 0xffffu

/*
 * Byte offset of a superblock area: slot 0 (A) or 1 (B), front or back.
 * UINT64_MAX when slot > 1 or device_size < AD_MIN_MEMBER_SIZE.
 */
uint64_t ad_sb_area_offset(unsigned slot, bool back, uint64_t device_size);
/* Bytes a superblock area occupies for member_count members (4 KiB units). */
size_t   ad_sb_area_len(uint32_t member_count);

/*
 * Encode a superblock and the member table behind it into buf, which must hold
 * ad_sb_area_len(sb->member_count) bytes; mtab holds sb->member_count entries.
 * Writes version sb->version, which must be AD_VERSION, with slot =
 * generation % 2, every unused byte zero, and every checksum set; then decodes
 * the result, so nothing is written that ad_super_decode() would refuse.
 * Returns the number of bytes to write, -ENOSPC if buflen is too small, or
 * -EINVAL if a field is out of range or a feature bit unknown (why says which).
 */
long ad_super_encode(const struct ad_super *sb, const struct ad_member *mtab,
		     void *buf, size_t buflen, char *why, size_t whylen);

/*
 * Validate and decode a superblock area.  The member table is checked
 * whenever len covers it, and decoded into mtab (room for AD_MAX_MEMBERS)
 * when mtab != NULL; with mtab == NULL a buffer of just the superblock is
 * fine.  Order: magic, length, checksum, version, features, field ranges,
 * reserved bytes, table.  Reserved bytes must be zero when version <=
 * AD_VERSION; a newer writer (readable here through version_min) may use them.
 * *sb is written only on success; mtab may be partly written on failure.
 * Returns 0, or:
 *   -ENOMSG           no ArgosFS superblock here (magic absent)
 *   -EUCLEAN          damaged: checksum or a field out of range (why says)
 *   -EPROTONOSUPPORT  written by a newer format (version_min) or with an
 *                     unknown incompat feature
 *   -ENOSPC           len < AD_BLOCK, or mtab != NULL and len too short for
 *                     the member table the superblock announces
 * why always gets one line of reason on failure.
 */
int ad_super_decode(const void *buf, size_t len, struct ad_super *sb,
		    struct ad_member *mtab, char *why, size_t whylen);

/* ---------------------------------------------------------------------- */
/* Metadata B+tree pages (4096 bytes, seeded with the format id)            */

#define AD_PAGE_MAGIC   0x45474150u   /* "PAGE" */
#define AD_PAGE_VERSION 1u
#define AD_PAGE_HDR     64

/*
 * Page header (64 bytes):
 *   0  magic      le32 AD_PAGE_MAGIC
 *   4  csum       le32 CRC-32C(seed = format seed) of bytes [8, 4096)
 *   8  version    le16 AD_PAGE_VERSION
 *   10 level      le16 0 = leaf
 *   12 nitems     le16 items (leaf) or children (internal)
 *   14 flags      le16 zero in v1
 *   16 gen        le64 checkpoint generation that wrote it
 *   24 tree_id    le64 1 = the main tree (snapshots later)
 *   32 self       le64 address of the first mirror (catches misdirected I/O)
 *   40 data_start le16 leaf: lowest offset used by values; internal: 0
 *   42 reserved   22 bytes zero
 *
 * Leaf: after the header, nitems entries of 21 bytes, sorted by key:
 *   key (17 bytes: oid le64, type u8, off le64), val_off le16, val_len le16;
 * values are packed downward from the end of the page.
 * Internal: nitems entries of 65 bytes: key (17) + struct ad_bptr_wire (48);
 * entry i covers keys >= key i (key 0 is the smallest key of the subtree).
 * Keys strictly increase in both kinds; gen and tree_id are >= 1; a child
 * pointer is not null, is one level down and has gen <= the page's gen.
 */
#define AD_KEY_SIZE        17
#define AD_LEAF_ENTRY      (AD_KEY_SIZE + 4)
#define AD_NODE_ENTRY      (AD_KEY_SIZE + 48)
#define AD_ITEM_MAX        1984    /* largest value an item may hold */
#define AD_MAIN_TREE_ID    1

/* Tree key: (oid, type, off), ordered by oid, then type, then off. */
struct ad_key {
	uint64_t oid;
	uint8_t  type;
	uint64_t off;
};

/* Key types (what each item holds is defined with its record below). */
#define AD_KEY_TYPES(x)                                                       \
	x(INODE,   0x01, "inode")   /* oid=ino, off=0: struct inode record  */ \
	x(INLINE,  0x02, "inline")  /* oid=ino, off=file offset: inline data */ \
	x(XATTR,   0x10, "xattr")   /* oid=ino, off=name hash: xattr bucket  */ \
	x(XVAL,    0x11, "xval")    /* oid=ino, off=hash<<8|part: large value */ \
	x(DIRENT,  0x20, "dirent")  /* oid=dir, off=name hash: entry bucket  */ \
	x(STRIPE,  0x30, "stripe")  /* oid=ino, off=file offset: stripe rec  */ \
	x(DEFER,   0x31, "defer")   /* oid=ino, off=file offset: deferred write */ \
	x(ORPHAN,  0x40, "orphan")  /* oid=0, off=ino: unlinked while open   */ \
	x(EXTREF,  0x50, "extref")  /* oid=member, off=block: refcount > 1   */ \
	x(POOL,    0x60, "pool")    /* oid=0, off=0: pool counters           */ \
	x(PROP,    0x61, "prop")    /* oid=0, off=name hash: property        */ \
	x(ERRLOG,  0x62, "errlog")  /* oid=0, off=seq: persistent error log  */ \
	x(CURSOR,  0x63, "cursor")  /* oid=0, off=kind: scrub/rebuild resume */ \
	x(SNAP,    0x70, "snap")    /* reserved: snapshot/subvolume table    */
enum ad_key_type {
#define x(n, v, s) AD_KT_##n = v,
	AD_KEY_TYPES(x)
#undef x
};
/* Name of a key type; NULL for a value not in the list. */
const char *ad_key_type_name(unsigned type);

int  ad_key_cmp(const struct ad_key *a, const struct ad_key *b);
void ad_key_encode(const struct ad_key *k, uint8_t out[AD_KEY_SIZE]);
void ad_key_decode(const uint8_t in[AD_KEY_SIZE], struct ad_key *k);

struct ad_page_hdr {
	uint16_t version;
	uint16_t level;
	uint16_t nitems;
	uint16_t flags;
	uint64_t gen;
	uint64_t tree_id;
	uint64_t self;
	uint16_t data_start;
};

/*
 * Fill header fields (as given in h, reserved bytes cleared) and set the
 * checksum of a page image whose entries are in place; returns the csum.
 */
uint32_t ad_page_seal(void *page, const struct ad_page_hdr *h, uint32_t seed);
/*
 * Validate a page image: magic, checksum (against the page and, when
 * expect_csum != 0, against the parent's pointer), version, level (when
 * expect_level >= 0), self address, then flags/gen/tree_id/reserved and entry
 * bounds.  addr is the address of the page's FIRST mirror (the parent
 * pointer's addr[0]) whichever mirror the image was read from, since all
 * mirrors are identical bytes and self names the first; AD_ADDR_NONE skips
 * the self check.  *h is written on success only (h may be NULL).
 * Returns 0, -ENOMSG (no page magic) or -EUCLEAN, with a reason.
 * Note: expect_csum 0 means "none", so a page whose checksum happens to be 0
 * is checked against itself only.
 */
int  ad_page_check(const void *page, uint32_t seed, uint64_t addr,
		   uint32_t expect_csum, int expect_level,
		   struct ad_page_hdr *h, char *why, size_t whylen);

/* ---------------------------------------------------------------------- */
/* Journal entries (4 KiB aligned, seeded with the format id)               */

#define AD_JE_MAGIC      0x4c4e524au   /* "JRNL" */
#define AD_JE_COMMIT     0x544d4f43u   /* "COMT" */
#define AD_JE_VERSION    1u
#define AD_JE_HDR        64
#define AD_JE_TRAILER    32

/* Entry types. */
#define AD_JE_TXN   1   /* one or more transactions (group commit) */
#define AD_JE_WRAP  2   /* no payload: continue at the region start */

/*
 * Entry header (first 64 bytes of the entry's first block):
 *   0  magic       le32 AD_JE_MAGIC
 *   4  version     le16
 *   6  type        le16 AD_JE_TXN / AD_JE_WRAP
 *   8  seq         le64 sequence number, contiguous from the checkpoint's
 *   16 nblocks     le32 length of the entry in 4 KiB blocks (header to trailer)
 *   20 payload_len le32 bytes of payload starting at byte 64
 *   24 ntxn        le32 transactions in the payload
 *   28 flags       le32 zero in v1
 *   32 ckpt_gen    le64 generation of the checkpoint the journal continues
 *   40 payload_csum le32 CRC-32C(format seed) of the payload
 *   44 reserved    16 bytes zero
 *   60 hdr_csum    le32 CRC-32C(format seed) of bytes [0, 60)
 * Commit trailer (last 32 bytes of the entry's last block):
 *   0  magic       le32 AD_JE_COMMIT
 *   4  reserved    le32
 *   8  seq         le64 same as the header
 *   16 payload_csum le32 same as the header
 *   20 hdr_csum    le32 same as the header
 *   24 reserved    le32
 *   28 csum        le32 CRC-32C(format seed) of trailer bytes [0, 28)
 * The entry is valid only if header, payload and trailer all check and agree.
 */
struct ad_je {
	uint16_t type;
	uint64_t seq;
	uint32_t nblocks;
	uint32_t payload_len;
	uint32_t ntxn;
	uint32_t flags;
	uint64_t ckpt_gen;
	uint32_t payload_csum;
};

/* Blocks an entry with this payload needs. */
uint32_t ad_je_blocks(uint32_t payload_len);
/*
 * Seal an entry image of ad_je_blocks(payload_len) blocks whose payload has
 * already been placed at byte AD_JE_HDR: sets je->nblocks and
 * je->payload_csum, zeroes the padding between payload and trailer, fills
 * header (version AD_JE_VERSION) and trailer.
 */
void ad_je_seal(void *entry, struct ad_je *je, uint32_t seed);
/*
 * Check the header of a block (does not need the rest): 0 when it starts a
 * plausible entry with seq == expect_seq; -ENOMSG (no entry), -ESTALE (other
 * seq), -EUCLEAN (damaged) otherwise.
 */
int  ad_je_check_header(const void *block, uint32_t seed, uint64_t expect_seq,
			struct ad_je *je, char *why, size_t whylen);
/*
 * Check the whole entry (header already checked into je): the header in the
 * buffer again, payload checksum, zero padding, trailer magic/checksum and its
 * agreement with the header.  -EINVAL when len != je->nblocks * 4096,
 * -EUCLEAN (torn or damaged) otherwise.
 */
int  ad_je_check_body(const void *entry, size_t len, uint32_t seed,
		      const struct ad_je *je, char *why, size_t whylen);

/* ---------------------------------------------------------------------- */
/* Space map (per member, two slots, seeded with the format id)             */

/*
 * A member's space map region holds two equal slots: slot s (0 or 1) starts at
 * spacemap_off + s * spacemap_len / 2, and spacemap_len is a multiple of
 * 8 KiB with room for two slots of 1 + I + 2B blocks.  Slot s of a member with
 * D = data_len / 4096 data blocks is:
 *   block 0                       slot header
 *   blocks 1 .. I                 index: le32 CRC-32C(format seed) per bitmap
 *                                 block, used bitmap blocks first, then
 *                                 pending bitmap blocks
 *   blocks 1+I .. 1+I+B-1         used bitmap: bit b set = data block b is
 *                                 allocated (or awaiting release)
 *   blocks 1+I+B .. 1+I+2B-1      pending bitmap: blocks freed by the
 *                                 checkpoint of this generation, released once
 *                                 the next generation is durable
 * with B = ceil(D / 32768) and I = ceil(2B * 4 / 4096).  Bit b of the bitmap
 * is bit (b % 8) of byte (b / 8).  A checkpoint that rewrites a member's space
 * map writes the slot its current superblock does NOT name (spacemap_slot),
 * and the new superblock names the slot written and its generation.  (Not
 * "slot G % 2": a space map left untouched by checkpoint G-1 may still be the
 * one superblock G-1 names in slot G % 2.)  pending is a subset of used.
 *
 * Slot header (4096 bytes):
 *   0  magic        le32 AD_SM_MAGIC
 *   4  version      le16
 *   6  reserved     le16
 *   8  generation   le64 checkpoint generation that wrote the slot
 *   16 nblocks      le64 D
 *   24 bm_blocks    le32 B
 *   28 idx_blocks   le32 I
 *   32 used_count   le64 bits set in the used bitmap
 *   40 pending_count le64 bits set in the pending bitmap
 *   48 member_index le32
 *   52 reserved     12 bytes zero
 *   64 idx_csum[]   le32 ×I CRC-32C(format seed) of each index block
 *   4092 csum       le32 CRC-32C(format seed) of bytes [0, 4092)
 */
#define AD_SM_MAGIC       0x50414d53u   /* "SMAP" */
#define AD_SM_VERSION     1u
#define AD_SM_IDX_MAX     ((AD_BLOCK - 64 - 4) / 4)   /* 1007 index blocks: at
							* most 515,584 bitmap blocks,
							* ~62.9 TiB of data area */
#define AD_SM_BITS_PER_BLOCK (AD_BLOCK * 8)

struct ad_sm_hdr {
	uint64_t generation;
	uint64_t nblocks;
	uint32_t bm_blocks;
	uint32_t idx_blocks;
	uint64_t used_count;
	uint64_t pending_count;
	uint32_t member_index;
	uint32_t idx_csum[AD_SM_IDX_MAX];
};

/*
 * Geometry of one slot for a data area of nblocks blocks.  Counts that do not
 * fit 32 bits saturate at UINT32_MAX; a data area too large for one slot
 * shows as *idx_blocks > AD_SM_IDX_MAX.
 */
void     ad_sm_geometry(uint64_t nblocks, uint32_t *bm_blocks, uint32_t *idx_blocks,
			uint64_t *slot_blocks);
uint32_t ad_sm_hdr_encode(const struct ad_sm_hdr *h, void *block, uint32_t seed);
/* Returns 0, -ENOMSG (no magic) or -EUCLEAN; *h is unspecified on failure. */
int      ad_sm_hdr_decode(const void *block, uint32_t seed, struct ad_sm_hdr *h,
			  char *why, size_t whylen);

/* ---------------------------------------------------------------------- */
/* Helpers                                                                   */

/* Reasons are one line, at most this long including the NUL. */
#define AD_WHY_MAX 160

/* Write "fmt" into why (if why != NULL) and return err. */
int ad_fail(char *why, size_t whylen, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline uint64_t ad_align_down(uint64_t x, uint64_t a) { return x - (x % a); }
static inline uint64_t ad_align_up(uint64_t x, uint64_t a) { return ad_align_down(x + a - 1, a); }

/* Format a 16-byte UUID as the usual 36-character string (out: 37 bytes). */
void ad_uuid_unparse(const uint8_t uuid[16], char out[37]);
/* Parse a 36-character UUID; returns 0 or -EINVAL. */
int  ad_uuid_parse(const char *s, uint8_t uuid[16]);
bool ad_uuid_is_zero(const uint8_t uuid[16]);

#endif /* ARGOS_AD_FORMAT_H */
