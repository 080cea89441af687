/*
 * fsck_data.c — fsck phase 5: the file data, every block of it (a scrub).
 *
 * For every stripe record, in key order, one at a time: every chunk — data
 * and parity, k + m of them — is read whole from its member and every 4 KiB
 * block checked against the record's CRC (a chunk whose read fails is read
 * again block by block, so one bad sector costs one block).  Then:
 *   - a block row with fewer than k good blocks cannot be rebuilt: the
 *     stripe's data is lost (PR_5_STRIPE_LOST; never "fixed");
 *   - chunks on members that are here but hold bad blocks are damaged
 *     (PR_5_CHUNK_BAD): -y/-p rebuild them onto new extents (fsck_datafix.c);
 *     parity is checked too, so damage no read would meet is found;
 *   - chunks on members that are missing are counted (PR_5_CHUNKS_MISSING,
 *     once for the pool): the stripes stay readable while k chunks are good;
 *   - a compressed stripe whose data chunks are all good has every unit
 *     decompressed: a unit that does not decompress to its length although
 *     its blocks pass their CRCs (written wrong) is PR_5_UNIT_BAD (its bytes
 *     are lost; never "fixed"); a bad unit table is phase 2's;
 *   - a stripe narrower than the pool (k + m' with m' < m: written while the
 *     pool was degraded) has reduced redundancy (PR_5_STRIPE_REDUCED): -y
 *     rewrites it at full width when enough members are present.
 * Progress: bytes of chunks read against phase 4's total.  Reads only in -n.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad_crc.h"
#include "data_compress.h"
#include "elog.h"
#include "fsck_data.h"
#include "pool.h"

struct dstate {
	struct fsck_stripe f;
	uint64_t done, stripes, degraded;
	uint64_t missing_chunks[AD_MAX_MEMBERS];
};

static struct dev *chunk_dev(struct fsck_ctx *c, const struct ad_stripe *s, unsigned j)
{
	unsigned mi = ad_addr_member(s->addr[j]);
	struct argos_pool *p = c->pool;

	return mi < p->nmembers && p->m[mi].status == ARGOS_MEMBER_ONLINE ? p->m[mi].dev : NULL;
}

static void check_blocks(struct fsck_stripe *f, unsigned j)
{
	unsigned cb = f->s.chunk_blocks;

	for (unsigned r = 0; r < cb; r++)
		f->ok[(size_t)j * cb + r] =
			ad_crc32c(0, f->buf + ((size_t)j * cb + r) * AD_BLOCK, AD_BLOCK) ==
			ad_stripe_crcs(&f->s, j)[r];
}

/* Read every chunk (one batch) and check every block. */
static int read_stripe(struct fsck_ctx *c, struct fsck_stripe *f)
{
	unsigned n = f->s.k + f->s.m, cb = f->s.chunk_blocks;
	size_t clen = (size_t)cb * AD_BLOCK;
	struct dev_req req[AD_STRIPE_MAX_CHUNKS];
	struct dev_batch b;
	unsigned nr = 0;

	if (n * clen > f->cap) {
		free(f->buf);
		free(f->ok);
		f->buf = dev_buf_alloc(n * clen);
		f->ok = calloc((size_t)n * cb, sizeof(*f->ok));
		f->cap = f->buf && f->ok ? n * clen : 0;
		if (!f->cap)
			return -ENOMEM;
	}
	memset(f->ok, 0, (size_t)n * cb * sizeof(*f->ok));
	f->missing = f->damaged = 0;
	f->lost_rows = 0;
	f->rewritten = false;
	dev_batch_init(&b, c->pool->io);
	for (unsigned j = 0; j < n; j++) {
		struct dev *d = chunk_dev(c, &f->s, j);

		if (!d) {
			f->missing |= 1ull << j;
			continue;
		}
		dev_req_read(&req[nr], d, f->buf + j * clen, clen,
			     ad_addr_block(f->s.addr[j]) * AD_BLOCK);
		req[nr].priv = (void *)(uintptr_t)j;
		dev_batch_add(&b, &req[nr++]);
	}
	(void)dev_batch_run(&b);
	for (unsigned q = 0; q < nr; q++) {
		unsigned j = (unsigned)(uintptr_t)req[q].priv;

		if (req[q].res == (int)clen) {
			check_blocks(f, j);
			continue;
		}
		/* A failed read: block by block, so one bad sector costs one block. */
		for (unsigned r = 0; r < cb; r++) {
			uint8_t *blk = f->buf + j * clen + (size_t)r * AD_BLOCK;

			f->ok[(size_t)j * cb + r] =
				dev_pread(c->pool->io, req[q].dev, blk, AD_BLOCK,
					  (ad_addr_block(f->s.addr[j]) + r) * AD_BLOCK) == 0 &&
				ad_crc32c(0, blk, AD_BLOCK) == ad_stripe_crcs(&f->s, j)[r];
		}
	}
	for (unsigned j = 0; j < n; j++)
		for (unsigned r = 0; r < cb && !(f->missing >> j & 1); r++)
			if (!fs_ok(f, j, r)) {
				f->damaged |= 1ull << j;
				break;
			}
	for (unsigned r = 0; r < cb; r++) {
		unsigned good = 0;

		for (unsigned j = 0; j < n; j++)
			good += fs_ok(f, j, r);
		if (good < f->s.k)
			f->lost_rows++;
	}
	return 0;
}

static void chunk_list(const struct fsck_stripe *f, uint64_t mask, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (unsigned j = 0; j < (unsigned)(f->s.k + f->s.m) && used + 1 < len; j++) {
		unsigned bad = 0;

		if (!(mask >> j & 1))
			continue;
		for (unsigned r = 0; r < f->s.chunk_blocks; r++)
			bad += !fs_ok(f, j, r);
		used += (size_t)snprintf(out + used, len - used, "%s%s %u on member %u (%u of %u "
					 "blocks bad)", used ? ", " : "", j < f->s.k ? "data" : "parity",
					 j, ad_addr_member(f->s.addr[j]), bad, f->s.chunk_blocks);
	}
}

/* Decompress every unit of a compressed stripe whose data chunks read good. */
static void check_units(struct fsck_ctx *c, struct fsck_stripe *f)
{
	uint8_t *out;
	unsigned bad = 0;

	if (!(f->s.flags & AD_STRIPE_F_COMPRESSED) || f->missing)
		return;
	for (unsigned j = 0; j < f->s.k; j++)
		for (unsigned r = 0; r < f->s.chunk_blocks; r++)
			if (!fs_ok(f, j, r))
				return;
	out = malloc(f->s.ulen);
	if (!out)
		return;
	if (data_cz_decode_all(&f->s, f->buf, out, &bad))
		fsck_report(c, PR_5_UNIT_BAD, NULL, NULL, "inode %llu, stripe at byte %llu: "
			    "compressed unit %u of %u does not decompress although its blocks "
			    "match their CRCs: bytes %llu..%llu of the window are lost",
			    (unsigned long long)f->ino, (unsigned long long)f->ws, bad, f->s.nunits,
			    (unsigned long long)bad << f->s.cshift,
			    (((unsigned long long)bad + 1) << f->s.cshift) - 1);
	free(out);
}

static void judge(struct fsck_ctx *c, struct dstate *d)
{
	struct fsck_stripe *f = &d->f;
	unsigned long long ino = (unsigned long long)f->ino, ws = (unsigned long long)f->ws;
	/* A copy: a repair below reopens the pool read-write (c->pool changes). */
	const unsigned pk = c->pool->sb.k, pm = c->pool->sb.m;
	char list[512];

	if (f->missing) {
		d->degraded++;
		for (unsigned j = 0; j < (unsigned)(f->s.k + f->s.m); j++)
			if (f->missing >> j & 1)
				d->missing_chunks[ad_addr_member(f->s.addr[j])]++;
	}
	if (f->lost_rows) {
		chunk_list(f, f->damaged | f->missing, list, sizeof(list));
		fsck_report(c, PR_5_STRIPE_LOST, NULL, NULL, "inode %llu, stripe at byte %llu "
			    "(%u+%u): %u block rows have fewer than %u good chunks: data lost (%s)",
			    ino, ws, f->s.k, f->s.m, f->lost_rows, f->s.k, list);
		return;   /* nothing can be rebuilt from it */
	}
	check_units(c, f);
	if (f->damaged) {
		chunk_list(f, f->damaged, list, sizeof(list));
		fsck_report(c, PR_5_CHUNK_BAD, fsck_data_repair, f, "inode %llu, stripe at byte "
			    "%llu (%u+%u): %s; rebuilt onto new extents", ino, ws, f->s.k, f->s.m,
			    list);
	}
	if (f->s.k + f->s.m < pk + pm) {
		bool room = pool_present_members(c->pool) >= (unsigned)(pk + pm);

		fsck_report(c, PR_5_STRIPE_REDUCED, room ? fsck_data_rewrite : NULL, f, "inode "
			    "%llu, stripe at byte %llu: written as %u+%u in a %u+%u pool%s", ino, ws,
			    f->s.k, f->s.m, pk, pm, room ? "; rewritten at full width"
			    : "; too few members present to rewrite it at full width");
	}
}

static int on_item(struct fsck_ctx *c, const struct ad_key *k, const uint8_t *val, size_t len,
		   void *arg)
{
	struct dstate *d = arg;
	struct fsck_stripe *f = &d->f;
	int err;

	if (k->type != AD_KT_STRIPE)
		return 0;
	f->s.crc = f->crc;
	if (ad_stripe_decode(val, len, &f->s, sizeof(f->crc) / sizeof(f->crc[0]), NULL, 0))
		return 0;   /* phase 2 reported it */
	f->ino = k->oid;
	f->ws = k->off;
	err = read_stripe(c, f);
	if (err)
		return err;
	judge(c, d);
	d->stripes++;
	d->done += (uint64_t)(f->s.k + f->s.m) * f->s.chunk_blocks * AD_BLOCK;
	fsck_progress(c, "data", d->done, c->data_bytes > d->done ? c->data_bytes : d->done);
	return 0;
}

int fsck_phase_data(struct fsck_ctx *c)
{
	struct dstate *d = calloc(1, sizeof(*d));
	char list[256];
	size_t used = 0;
	int err;

	if (!d)
		return -ENOMEM;
	fsck_progress(c, "data", 0, c->data_bytes);
	err = fsck_items(c, on_item, d);
	if (!err && d->degraded) {
		list[0] = '\0';
		for (unsigned i = 0; i < AD_MAX_MEMBERS && used + 1 < sizeof(list); i++)
			if (d->missing_chunks[i])
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%llu on "
							 "member %u", used ? ", " : "",
							 (unsigned long long)d->missing_chunks[i], i);
		fsck_report(c, PR_5_CHUNKS_MISSING, NULL, NULL, "%llu of %llu stripes have chunks "
			    "on members that are missing (%s): readable while k chunks are good, "
			    "at reduced redundancy until the members are rebuilt",
			    (unsigned long long)d->degraded, (unsigned long long)d->stripes, list);
	}
	fsck_progress(c, "data", d->done, d->done);
	free(d->f.buf);
	free(d->f.ok);
	free(d);
	return err;
}
