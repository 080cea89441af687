/*
 * ad_page.c — metadata tree pages: sealing a page image (header + checksum)
 * and validating one read from disk before any of it is used.
 *
 * The entries themselves are laid out by the tree code (ad_node.c); this file
 * only checks that they stay inside the page, are ordered, and that internal
 * pages point one level down.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ad_crc.h"
#include "ad_format.h"
#include "ad_priv.h"

#define P_MAGIC      0
#define P_CSUM       4
#define P_VERSION    8
#define P_LEVEL      10
#define P_NITEMS     12
#define P_FLAGS      14
#define P_GEN        16
#define P_TREE_ID    24
#define P_SELF       32
#define P_DATA_START 40
#define P_RESERVED   42
#define P_CSUM_FROM  8

uint32_t ad_page_seal(void *page, const struct ad_page_hdr *h, uint32_t seed)
{
	uint8_t *p = page;
	uint32_t csum;

	ad_wr32(p + P_MAGIC, AD_PAGE_MAGIC);
	ad_wr16(p + P_VERSION, h->version);
	ad_wr16(p + P_LEVEL, h->level);
	ad_wr16(p + P_NITEMS, h->nitems);
	ad_wr16(p + P_FLAGS, h->flags);
	ad_wr64(p + P_GEN, h->gen);
	ad_wr64(p + P_TREE_ID, h->tree_id);
	ad_wr64(p + P_SELF, h->self);
	ad_wr16(p + P_DATA_START, h->data_start);
	memset(p + P_RESERVED, 0, AD_PAGE_HDR - P_RESERVED);
	csum = ad_crc32c(seed, p + P_CSUM_FROM, AD_BLOCK - P_CSUM_FROM);
	ad_wr32(p + P_CSUM, csum);
	return csum;
}

/* "page at member 3 block 1234", or "page" when the address is unknown. */
static void page_name(char *out, size_t size, uint64_t addr)
{
	if (addr == AD_ADDR_NONE)
		snprintf(out, size, "page");
	else
		snprintf(out, size, "page at member %u block %llu", ad_addr_member(addr),
			 (unsigned long long)ad_addr_block(addr));
}

static int check_leaf(const uint8_t *p, const struct ad_page_hdr *h, const char *name,
		      char *why, size_t whylen)
{
	struct ad_key prev, key;

	if (AD_PAGE_HDR + (size_t)h->nitems * AD_LEAF_ENTRY > h->data_start ||
	    h->data_start > AD_BLOCK)
		return ad_fail(why, whylen, -EUCLEAN, "%s: %u items with values from %u",
			       name, h->nitems, h->data_start);
	for (unsigned i = 0; i < h->nitems; i++) {
		const uint8_t *e = p + AD_PAGE_HDR + (size_t)i * AD_LEAF_ENTRY;
		unsigned off = ad_rd16(e + AD_KEY_SIZE), len = ad_rd16(e + AD_KEY_SIZE + 2);

		ad_key_decode(e, &key);
		if (len > AD_ITEM_MAX || off < h->data_start || off + len > AD_BLOCK)
			return ad_fail(why, whylen, -EUCLEAN,
				       "%s: item %u value at %u, %u bytes, outside [%u, %u)",
				       name, i, off, len, h->data_start, AD_BLOCK);
		if (i > 0 && ad_key_cmp(&prev, &key) >= 0)
			return ad_fail(why, whylen, -EUCLEAN, "%s: item %u out of key order", name, i);
		prev = key;
	}
	return 0;
}

static int check_node(const uint8_t *p, const struct ad_page_hdr *h, const char *name,
		      char *why, size_t whylen)
{
	char sub[AD_WHY_MAX];
	struct ad_key prev, key;
	struct ad_bptr child;

	if (h->nitems == 0 || AD_PAGE_HDR + (size_t)h->nitems * AD_NODE_ENTRY > AD_BLOCK ||
	    h->data_start != 0)
		return ad_fail(why, whylen, -EUCLEAN, "%s: internal page with %u children, "
			       "data_start %u", name, h->nitems, h->data_start);
	for (unsigned i = 0; i < h->nitems; i++) {
		const uint8_t *e = p + AD_PAGE_HDR + (size_t)i * AD_NODE_ENTRY;
		const struct ad_bptr_wire *w = (const struct ad_bptr_wire *)(e + AD_KEY_SIZE);

		ad_key_decode(e, &key);
		if (i > 0 && ad_key_cmp(&prev, &key) >= 0)
			return ad_fail(why, whylen, -EUCLEAN, "%s: child %u out of key order", name, i);
		prev = key;
		if (ad_bptr_decode(w, AD_MAX_MEMBERS, &child, sub, sizeof(sub)))
			return ad_fail(why, whylen, -EUCLEAN, "%s: child %u: %s", name, i, sub);
		if (child.nmirrors == 0 || child.level + 1u != h->level || child.gen > h->gen)
			return ad_fail(why, whylen, -EUCLEAN,
				       "%s: child %u at level %u, generation %llu, %u mirrors "
				       "(page: level %u, generation %llu)", name, i, child.level,
				       (unsigned long long)child.gen, child.nmirrors, h->level,
				       (unsigned long long)h->gen);
	}
	return 0;
}

static void unpack_hdr(const uint8_t *p, struct ad_page_hdr *h)
{
	h->version = ad_rd16(p + P_VERSION);
	h->level = ad_rd16(p + P_LEVEL);
	h->nitems = ad_rd16(p + P_NITEMS);
	h->flags = ad_rd16(p + P_FLAGS);
	h->gen = ad_rd64(p + P_GEN);
	h->tree_id = ad_rd64(p + P_TREE_ID);
	h->self = ad_rd64(p + P_SELF);
	h->data_start = ad_rd16(p + P_DATA_START);
}

int ad_page_check(const void *page, uint32_t seed, uint64_t addr,
		  uint32_t expect_csum, int expect_level,
		  struct ad_page_hdr *h, char *why, size_t whylen)
{
	const uint8_t *p = page;
	struct ad_page_hdr t;
	uint32_t stored;
	char name[64];
	int err;

	page_name(name, sizeof(name), addr);
	err = ad_check_magic_csum(p, AD_PAGE_MAGIC, seed, P_CSUM_FROM, AD_BLOCK, P_CSUM, name,
				  why, whylen);
	if (err)
		return err;
	stored = ad_rd32(p + P_CSUM);
	if (expect_csum != 0 && stored != expect_csum)
		return ad_fail(why, whylen, -EUCLEAN,
			       "%s: checksum 0x%08x does not match parent's 0x%08x",
			       name, stored, expect_csum);
	unpack_hdr(p, &t);
	if (t.version != AD_PAGE_VERSION)
		return ad_fail(why, whylen, -EUCLEAN, "%s: version %u, expected %u", name,
			       t.version, AD_PAGE_VERSION);
	if (expect_level >= 0 && t.level != (unsigned)expect_level)
		return ad_fail(why, whylen, -EUCLEAN, "%s: level %u, expected %d", name, t.level,
			       expect_level);
	if (addr != AD_ADDR_NONE && t.self != addr)
		return ad_fail(why, whylen, -EUCLEAN,
			       "%s: written for member %u block %llu (misdirected I/O)", name,
			       ad_addr_member(t.self), (unsigned long long)ad_addr_block(t.self));
	if (t.flags != 0 || t.gen == 0 || t.tree_id == 0 ||
	    !ad_mem_is_zero(p + P_RESERVED, AD_PAGE_HDR - P_RESERVED))
		return ad_fail(why, whylen, -EUCLEAN,
			       "%s: flags 0x%x, generation %llu, tree %llu, or reserved bytes set",
			       name, t.flags, (unsigned long long)t.gen,
			       (unsigned long long)t.tree_id);
	err = t.level == 0 ? check_leaf(p, &t, name, why, whylen)
			   : check_node(p, &t, name, why, whylen);
	if (err)
		return err;
	if (h)
		*h = t;
	return 0;
}
