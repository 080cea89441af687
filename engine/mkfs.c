/*
 * mkfs.c — argos_mkfs(): format members into a new pool.
 *
 * Order of writes (every member):
 *   1. (force) wipe foreign signatures
 *   2. zero all four superblock areas (no copy of an earlier pool survives)
 *   3. space map slot 0 and, on the metadata mirrors, the root leaf page
 *   4. flush
 *   5. superblock generation 1 (slot B, front and back), flush
 * A crash before 5 leaves members without any valid superblock: nothing that
 * could be mistaken for a pool.
 *
 * Invariants: nothing is written before every check passed (-n, refusals);
 * the same device is never listed twice (identity, not path).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "ad_crc.h"
#include "ad_items.h"
#include "ad_prop.h"
#include "blkprobe.h"
#include "data_compress.h"
#include "discover.h"
#include "elog.h"
#include "layout.h"
#include "sbwrite.h"
#include "spacemap.h"

struct mk_member {
	const char *path;
	struct dev *dev;
	struct member_layout lay;
	uint8_t uuid[16];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int pick_geometry(unsigned n, const struct argos_mkfs_opts *o, unsigned *k, unsigned *m,
			 uint32_t *chunk, char *why, size_t whylen)
{
	*m = o->m_set ? o->m : layout_default_m(n);
	*k = o->k ? o->k : (n > *m ? n - *m : 0);
	if (*m > AD_MAX_M)
		return ewhy(why, whylen, -EINVAL, "m=%u: at most %u parity chunks per stripe", *m,
			    AD_MAX_M);
	if (*k < 1 || *k > AD_MAX_K)
		return ewhy(why, whylen, -EINVAL, "k=%u: data chunks per stripe must be 1..%u", *k,
			    AD_MAX_K);
	if (*k + *m > n)
		return ewhy(why, whylen, -EINVAL,
			    "%u+%u needs at least %u members, %u given", *k, *m, *k + *m, n);
	*chunk = o->chunk_size ? o->chunk_size : layout_default_chunk(*k, *m);
	if (layout_check_chunk(*k, *m, *chunk))
		return ewhy(why, whylen, -EINVAL,
			    "chunk size %u: must be a power of two from 4 KiB to 1 MiB whose stripe "
			    "record fits (at most %u KiB for %u+%u)", *chunk,
			    layout_default_chunk(*k, *m) >> 10, *k, *m);
	return 0;
}

static int open_members(struct mk_member *mm, const char *const *paths, unsigned n,
			char *why, size_t whylen)
{
	int *alias = calloc(n ? n : 1, sizeof(*alias));

	if (!alias)
		return -ENOMEM;
	paths_aliases(paths, n, alias);
	for (unsigned i = 0; i < n; i++)
		if (alias[i] >= 0) {
			int j = alias[i];

			free(alias);
			return ewhy(why, whylen, -EINVAL, "%s and %s are the same device", paths[j],
				    paths[i]);
		}
	free(alias);
	for (unsigned i = 0; i < n; i++) {
		char w[AD_WHY_MAX];
		int err;

		mm[i].path = paths[i];
		err = dev_open(paths[i], DEV_RDWR, &mm[i].dev, w, sizeof(w));
		if (err)
			return ewhy(why, whylen, err, "%s", w);
		for (unsigned j = 0; j < i; j++) {
			const struct dev_info *a = dev_get_info(mm[i].dev), *b = dev_get_info(mm[j].dev);

			if (a->id_dev == b->id_dev && a->id_ino == b->id_ino)
				return ewhy(why, whylen, -EINVAL, "%s and %s are the same device",
					    paths[j], paths[i]);
		}
	}
	return 0;
}

static int check_signatures(struct mk_member *mm, unsigned n, const struct argos_mkfs_opts *o,
			    char *why, size_t whylen)
{
	int refused = 0;

	for (unsigned i = 0; i < n; i++) {
		struct blk_sig sig[8];
		int cnt = blkprobe_signatures(mm[i].dev, sig, 8);

		if (cnt < 0)
			return ewhy(why, whylen, cnt, "%s: probing for existing signatures failed",
				    mm[i].path);
		for (int s = 0; s < cnt; s++) {
			elog(o->log, o->force ? ARGOS_LOG_NOTICE : ARGOS_LOG_ERR,
			     "%s holds %s %s%s%s (magic at offset %llu)%s", mm[i].path, sig[s].type,
			     sig[s].usage[0] ? sig[s].usage : "signature",
			     sig[s].detail[0] ? ", " : "", sig[s].detail,
			     (unsigned long long)sig[s].offset,
			     o->force ? (o->dry_run ? "; -f would erase it" : "; erasing it") : "");
			if (!refused)
				ewhy(why, whylen, -EEXIST,
				     "%s holds %s %s (%s); use -f to overwrite it", mm[i].path,
				     sig[s].type, sig[s].usage[0] ? sig[s].usage : "signature",
				     sig[s].detail[0] ? sig[s].detail : "no UUID");
			refused++;
		}
	}
	return refused && !o->force ? -EEXIST : 0;
}

/* The empty filesystem: pool counters, the compression property (when not
 * "none": cz), and the root directory. */
static void build_root_leaf(void *page, uint64_t now, const char *cz)
{
	struct ad_key k;
	struct ad_poolrec pr = { .next_ino = AD_FIRST_INO, .next_igen = 2, .inodes = 1 };
	struct ad_inode root = {
		.mode = 040755, .nlink = 2, .generation = 1, .parent = AD_ROOT_INO,
		.atime_sec = (int64_t)(now / 1000000000ull), .atime_nsec = (uint32_t)(now % 1000000000ull),
	};
	uint8_t ibuf[AD_INODE_SIZE], pbuf[AD_POOLREC_SIZE];

	root.mtime_sec = root.ctime_sec = root.btime_sec = root.atime_sec;
	root.mtime_nsec = root.ctime_nsec = root.btime_nsec = root.atime_nsec;
	ad_leaf_init(page);
	ad_inode_encode(&root, ibuf);
	ad_poolrec_encode(&pr, pbuf);
	/* Key order: (0, POOL, 0) < (1, INODE, 0). */
	k = (struct ad_key){ .oid = 0, .type = AD_KT_POOL, .off = 0 };
	(void)ad_leaf_insert(page, 0, &k, pbuf, sizeof(pbuf));
	k = (struct ad_key){ .oid = AD_ROOT_INO, .type = AD_KT_INODE, .off = 0 };
	(void)ad_leaf_insert(page, 1, &k, ibuf, sizeof(ibuf));
	if (cz) {
		/* (0, POOL, 0) < (0, PROP, hash) < (1, INODE, 0) */
		uint8_t rec[AD_PROP_MAX];
		int n = ad_prop_encode("compression", cz, rec, NULL, 0);

		k = ad_prop_key("compression");
		if (n > 0)
			(void)ad_leaf_insert(page, 1, &k, rec, (size_t)n);
	}
}

static void fill_super(struct ad_super *sb, const struct mk_member *mm, unsigned i, unsigned n,
		       unsigned k, unsigned m, uint32_t chunk, const uint8_t pool[16],
		       const uint8_t fmt[16], const char *label, uint64_t now)
{
	const struct member_layout *l = &mm[i].lay;
	const struct dev_info *di = dev_get_info(mm[i].dev);

	memset(sb, 0, sizeof(*sb));
	sb->version = AD_VERSION;
	sb->version_min = AD_VERSION_MIN_READ;
	sb->csum_type = AD_CSUM_CRC32C;
	memcpy(sb->pool_uuid, pool, 16);
	memcpy(sb->format_id, fmt, 16);
	memcpy(sb->device_uuid, mm[i].uuid, 16);
	sb->generation = 1;
	sb->member_index = i;
	sb->member_count = n;
	sb->k = (uint16_t)k;
	sb->m = (uint16_t)m;
	sb->chunk_size = chunk;
	sb->matrix_type = AD_MATRIX_CAUCHY1;
	sb->state_flags = AD_SBF_CLEAN;
	sb->mkfs_time = sb->write_time = now;
	sb->device_size = l->size;
	sb->logical_sector = di->logical_sector;
	sb->physical_sector = di->physical_sector;
	sb->journal_off = l->journal_off;
	sb->journal_len = l->journal_len;
	sb->spacemap_off = l->spacemap_off;
	sb->spacemap_len = l->spacemap_len;
	sb->data_off = l->data_off;
	sb->data_len = l->data_len;
	sb->journal_head_off = 0;
	sb->journal_head_seq = 1;
	for (unsigned j = 0; j < AD_MAX_MIRRORS; j++)
		sb->journal_mirrors[j] = j <= m ? (uint16_t)j : AD_NO_MEMBER;
	sb->meta_mirrors = (uint16_t)(m + 1);
	sb->tree_height = 1;
	sb->ckpt_gen = 1;
	sb->spacemap_slot = 0;
	sb->spacemap_gen = 1;
	sb->last_check = now;
	snprintf(sb->label, sizeof(sb->label), "%s", label ? label : "");
	ad_bptr_null(&sb->snap_root);
}

static int write_pool(struct dev_io *io, struct mk_member *mm, unsigned n, unsigned k,
		      unsigned m, uint32_t chunk, const struct argos_mkfs_opts *o, uint8_t pool[16],
		      char *why, size_t whylen)
{
	struct ad_member *mtab = calloc(AD_MAX_MEMBERS, sizeof(*mtab));
	struct sb_target *t = calloc(n, sizeof(*t));
	uint32_t *smcsum = calloc(n, sizeof(*smcsum));
	void *page = dev_buf_alloc(AD_BLOCK);
	struct ad_bptr root;
	uint8_t fmt[16];
	uint64_t now = now_ns();
	uint32_t seed;
	char cz[DATA_CZ_SPEC_MAX] = "";
	struct data_cz_cfg czc;
	int err = 0;

	if (o->compression && !data_cz_parse(o->compression, &czc, NULL, 0) &&
	    czc.alg != AD_CALG_NONE)
		data_cz_format(&czc, cz, sizeof(cz));
	if (!mtab || !t || !smcsum || !page) {
		err = -ENOMEM;
		goto out;
	}
	randombytes_buf(fmt, 16);
	seed = ad_format_seed(fmt);

	/* The root leaf: data block 0 of members 0..m. */
	ad_bptr_null(&root);
	root.nmirrors = (uint8_t)(m + 1);
	root.level = 0;
	root.gen = 1;
	for (unsigned j = 0; j <= m; j++)
		root.addr[j] = ad_addr(j, mm[j].lay.data_off / AD_BLOCK);
	build_root_leaf(page, now, cz[0] ? cz : NULL);
	{
		struct ad_page_hdr h = { .version = AD_PAGE_VERSION, .level = 0,
					 .nitems = (uint16_t)ad_leaf_nitems(page), .gen = 1,
					 .tree_id = AD_MAIN_TREE_ID, .self = root.addr[0],
					 .data_start = (uint16_t)ad_rd16((uint8_t *)page + 40) };
		root.csum = ad_page_seal(page, &h, seed);
	}

	for (unsigned i = 0; i < n; i++) {
		struct spacemap sm;
		struct dev_batch b;
		struct dev_req req[2];
		void *slot;

		err = sb_zero_all(io, mm[i].dev, why, whylen);
		if (err)
			goto out;
		err = sm_create(&sm, i, mm[i].lay.data_blocks);
		if (err)
			goto out;
		if (i <= m)
			sm_mark_used(&sm, 0, 1);
		slot = dev_buf_alloc((size_t)sm.slot_blocks * AD_BLOCK);
		if (!slot) {
			sm_destroy(&sm);
			err = -ENOMEM;
			goto out;
		}
		smcsum[i] = sm_encode_slot(&sm, 1, seed, slot);
		dev_batch_init(&b, io);
		dev_req_write(&req[0], mm[i].dev, slot, (size_t)sm.slot_blocks * AD_BLOCK,
			      mm[i].lay.spacemap_off);
		dev_batch_add(&b, &req[0]);
		if (i <= m) {
			dev_req_write(&req[1], mm[i].dev, page, AD_BLOCK, mm[i].lay.data_off);
			dev_batch_add(&b, &req[1]);
		}
		err = dev_batch_run(&b);
		if (!err)
			err = dev_flush(io, mm[i].dev);
		sm_destroy(&sm);
		free(slot);
		if (err) {
			ewhy(why, whylen, err, "%s: writing the space map and root page: %s",
			     mm[i].path, argos_strerror(err));
			goto out;
		}
	}

	for (unsigned i = 0; i < n; i++) {
		const struct dev_info *di = dev_get_info(mm[i].dev);

		memcpy(mtab[i].device_uuid, mm[i].uuid, 16);
		mtab[i].size = mm[i].lay.size;
		mtab[i].logical_sector = di->logical_sector;
		mtab[i].physical_sector = di->physical_sector;
		mtab[i].state = AD_MS_ONLINE;
		mtab[i].last_gen = 1;
		mtab[i].added_gen = 1;
	}
	for (unsigned i = 0; i < n; i++) {
		t[i].dev = mm[i].dev;
		fill_super(&t[i].sb, mm, i, n, k, m, chunk, pool, fmt, o->label, now);
		if (cz[0])
			t[i].sb.feat_incompat |= AD_FEAT_INCOMPAT_COMPRESSION;
		t[i].sb.tree_root = root;
		t[i].sb.spacemap_csum = smcsum[i];
	}
	err = sb_write_generation(io, t, n, mtab, why, whylen);
out:
	free(page);
	free(smcsum);
	free(t);
	free(mtab);
	return err;
}

int argos_mkfs(const char *const *paths, unsigned n, const struct argos_mkfs_opts *o,
	       struct argos_mkfs_result *res, char *why, size_t whylen)
{
	struct argos_mkfs_opts dflt = { 0 };
	struct dev_io_cfg cfg = { .backend = DEV_BACKEND_PSYNC, .threads = 0 };
	struct dev_io *io = NULL;
	struct mk_member *mm = NULL;
	unsigned k = 0, m = 0;
	uint32_t chunk = 0;
	uint64_t jlen, smallest = UINT64_MAX;
	uint8_t pool[16];
	int err;

	if (!o)
		o = &dflt;
	memset(res, 0, sizeof(*res));
	if (n < 1)
		return ewhy(why, whylen, -EINVAL, "no members given");
	if (n > AD_MAX_MEMBERS)
		return ewhy(why, whylen, -EINVAL, "%u members: at most %u", n, AD_MAX_MEMBERS);
	if (o->label && strlen(o->label) >= AD_LABEL_MAX)
		return ewhy(why, whylen, -EINVAL, "label longer than %u bytes", AD_LABEL_MAX - 1);
	if (o->label && strchr(o->label, ','))
		return ewhy(why, whylen, -EINVAL, "label must not contain ','");
	err = pick_geometry(n, o, &k, &m, &chunk, why, whylen);
	if (err)
		return err;
	if (o->compression) {
		struct data_cz_cfg c;

		err = data_cz_parse(o->compression, &c, why, whylen);
		if (!err)
			err = data_cz_check_geometry(&c, k, m, chunk, why, whylen);
		if (err)
			return err;
	}
	if (sodium_init() < 0)
		return ewhy(why, whylen, -EIO, "libsodium failed to initialise");
	mm = calloc(n, sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	err = open_members(mm, paths, n, why, whylen);
	if (err)
		goto out;
	for (unsigned i = 0; i < n; i++) {
		uint64_t sz = dev_get_info(mm[i].dev)->size;

		if (sz < AD_MIN_MEMBER_SIZE) {
			err = ewhy(why, whylen, -ENOSPC, "%s is %llu MiB; members must be at least %llu MiB",
				   paths[i], (unsigned long long)(sz >> 20),
				   (unsigned long long)(AD_MIN_MEMBER_SIZE >> 20));
			goto out;
		}
		if (sz < smallest)
			smallest = sz;
	}
	jlen = o->journal_size ? ad_align_up(o->journal_size, AD_BLOCK) : layout_default_journal(smallest);
	for (unsigned i = 0; i < n; i++) {
		err = layout_member(dev_get_info(mm[i].dev)->size, jlen, &mm[i].lay);
		if (err) {
			err = ewhy(why, whylen, -ENOSPC, "%s is too small for a %llu MiB journal",
				   paths[i], (unsigned long long)(jlen >> 20));
			goto out;
		}
		res->raw_bytes += mm[i].lay.size;
		res->usable_bytes += mm[i].lay.data_len;
		randombytes_buf(mm[i].uuid, 16);
		mm[i].uuid[6] = (mm[i].uuid[6] & 0x0f) | 0x40;
		mm[i].uuid[8] = (mm[i].uuid[8] & 0x3f) | 0x80;
	}
	res->usable_bytes = res->usable_bytes / (k + m) * k;
	if (o->uuid) {
		memcpy(pool, o->uuid, 16);
	} else {
		randombytes_buf(pool, 16);
		pool[6] = (pool[6] & 0x0f) | 0x40;
		pool[8] = (pool[8] & 0x3f) | 0x80;
	}
	memcpy(res->pool_uuid, pool, 16);
	res->k = k;
	res->m = m;
	res->chunk_size = chunk;
	res->journal_size = jlen;
	res->members = n;

	err = check_signatures(mm, n, o, why, whylen);
	if (err || o->dry_run)
		goto out;
	if (o->force)
		for (unsigned i = 0; i < n; i++) {
			int w = blkprobe_wipe(mm[i].dev);

			if (w < 0) {
				err = ewhy(why, whylen, w, "%s: erasing old signatures failed", paths[i]);
				goto out;
			}
		}
	err = dev_io_create(&cfg, &io);
	if (err) {
		ewhy(why, whylen, err, "cannot start the I/O engine");
		goto out;
	}
	err = write_pool(io, mm, n, k, m, chunk, o, pool, why, whylen);
	if (!err)
		elog_info(o->log, "formatted %u members as %u+%u", n, k, m);
out:
	if (io)
		dev_io_destroy(io);
	for (unsigned i = 0; i < n && mm; i++)
		if (mm[i].dev)
			dev_close(mm[i].dev);
	free(mm);
	return err;
}
