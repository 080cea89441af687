/*
 * sbwrite.c — superblock generation writes (see sbwrite.h).
 *
 * Invariant: generation G touches only slot G % 2.  Slot (G-1) % 2 keeps the
 * previous generation whole while G is written, so a crash at any write
 * leaves every member with a valid G-1 or G (the newest valid one wins).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ad_crc.h"
#include "elog.h"
#include "sbwrite.h"

static void *encode(const struct ad_super *sb, const struct ad_member *mtab, size_t *len,
		    int *err, char *why, size_t whylen)
{
	size_t cap = ad_sb_area_len(sb->member_count);
	void *buf = dev_buf_alloc(cap);
	long n;

	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	n = ad_super_encode(sb, mtab, buf, cap, why, whylen);
	if (n < 0) {
		*err = (int)n;
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

int sb_write_generation(struct dev_io *io, struct sb_target *t, unsigned n,
			const struct ad_member *mtab, char *why, size_t whylen)
{
	struct dev_req *req = calloc((size_t)n * 2 + 1, sizeof(*req));
	void **bufs = calloc(n ? n : 1, sizeof(*bufs));
	struct dev_batch b;
	int err = 0;

	if (!req || !bufs) {
		err = -ENOMEM;
		goto out;
	}
	dev_batch_init(&b, io);
	for (unsigned i = 0; i < n; i++) {
		const struct ad_super *sb = &t[i].sb;
		uint64_t size = dev_get_info(t[i].dev)->size;
		unsigned slot = (unsigned)(sb->generation % 2);
		size_t len;

		bufs[i] = encode(sb, mtab, &len, &err, why, whylen);
		if (!bufs[i])
			goto out;
		dev_req_write(&req[2 * i], t[i].dev, bufs[i], len, ad_sb_area_offset(slot, false, size));
		dev_req_write(&req[2 * i + 1], t[i].dev, bufs[i], len, ad_sb_area_offset(slot, true, size));
		dev_batch_add(&b, &req[2 * i]);
		dev_batch_add(&b, &req[2 * i + 1]);
	}
	err = dev_batch_run(&b);
	if (err)
		goto report;
	dev_batch_init(&b, io);
	for (unsigned i = 0; i < n; i++) {
		dev_req_flush(&req[2 * i], t[i].dev);
		dev_batch_add(&b, &req[2 * i]);
	}
	err = dev_batch_run(&b);
report:
	if (err) {
		for (unsigned i = 0; i < 2 * n; i++)
			if (req[i].res < 0) {
				ewhy(why, whylen, req[i].res, "%s: writing superblock generation %llu: %s",
				     dev_get_info(req[i].dev)->path,
				     (unsigned long long)t[0].sb.generation, argos_strerror(req[i].res));
				break;
			}
	}
out:
	if (bufs)
		for (unsigned i = 0; i < n; i++)
			free(bufs[i]);
	free(bufs);
	free(req);
	return err;
}

int sb_write_copy(struct dev_io *io, struct dev *d, const struct ad_super *sb,
		  const struct ad_member *mtab, bool back, char *why, size_t whylen)
{
	uint64_t size = dev_get_info(d)->size;
	size_t len;
	int err = 0;
	void *buf = encode(sb, mtab, &len, &err, why, whylen);

	if (!buf)
		return err;
	err = dev_pwrite(io, d, buf, len, ad_sb_area_offset((unsigned)(sb->generation % 2), back, size));
	if (!err)
		err = dev_flush(io, d);
	free(buf);
	if (err)
		ewhy(why, whylen, err, "%s: writing a superblock copy: %s", dev_get_info(d)->path,
		     argos_strerror(err));
	return err;
}

int sb_zero_all(struct dev_io *io, struct dev *d, char *why, size_t whylen)
{
	uint64_t size = dev_get_info(d)->size;
	void *zero = dev_buf_alloc(AD_SB_AREA);
	struct dev_req req[4];
	struct dev_batch b;
	int err;

	if (!zero)
		return -ENOMEM;
	dev_batch_init(&b, io);
	for (unsigned i = 0; i < 4; i++) {
		dev_req_write(&req[i], d, zero, AD_SB_AREA, ad_sb_area_offset(i / 2, i % 2, size));
		dev_batch_add(&b, &req[i]);
	}
	err = dev_batch_run(&b);
	free(zero);
	if (err)
		ewhy(why, whylen, err, "%s: clearing superblock areas: %s", dev_get_info(d)->path,
		     argos_strerror(err));
	return err;
}

int sb_catch_up(struct dev_io *io, struct dev *d, const struct ad_super *own,
		const struct ad_super *g, struct ad_super *out)
{
	struct ad_super sb = *g;

	memcpy(sb.device_uuid, own->device_uuid, 16);
	sb.member_index = own->member_index;
	sb.device_size = own->device_size;
	sb.logical_sector = own->logical_sector;
	sb.physical_sector = own->physical_sector;
	sb.journal_off = own->journal_off;
	sb.journal_len = own->journal_len;
	sb.spacemap_off = own->spacemap_off;
	sb.spacemap_len = own->spacemap_len;
	sb.data_off = own->data_off;
	sb.data_len = own->data_len;
	if (g->ckpt_gen == own->spacemap_gen) {
		sb.spacemap_slot = own->spacemap_slot;
		sb.spacemap_gen = own->spacemap_gen;
		sb.spacemap_csum = own->spacemap_csum;
	} else {
		/* G was a checkpoint: its space map is in the other slot. */
		uint64_t slot_bytes = own->spacemap_len / 2;
		unsigned other = 1 - own->spacemap_slot;
		void *blk = dev_buf_alloc(AD_BLOCK);
		struct ad_sm_hdr h;
		int err;

		if (!blk)
			return -ENOMEM;
		err = dev_pread(io, d, blk, AD_BLOCK, own->spacemap_off + other * slot_bytes);
		if (!err)
			err = ad_sm_hdr_decode(blk, ad_format_seed(sb.format_id), &h, NULL, 0);
		if (!err && h.generation != g->ckpt_gen)
			err = -EUCLEAN;
		if (!err) {
			sb.spacemap_slot = other;
			sb.spacemap_gen = h.generation;
			sb.spacemap_csum = ad_rd32((uint8_t *)blk + AD_BLOCK - 4);
		}
		free(blk);
		if (err)
			return err;
	}
	*out = sb;
	return 0;
}
