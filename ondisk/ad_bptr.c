/*
 * ad_bptr.c — block pointers (struct ad_bptr_wire, 48 bytes): encode, the
 * canonical null pointer, and validating decode.
 *
 * A valid pointer has nmirrors in 0..AD_MAX_MIRRORS; the first nmirrors
 * addresses are real (not AD_ADDR_NONE) and on distinct members below
 * member_count; the other slots are AD_ADDR_NONE; reserved is zero.  A used
 * pointer has gen >= 1; the null pointer (nmirrors 0) has csum, level and gen
 * zero, so it has exactly one encoding.
 */
#include <errno.h>
#include <string.h>

#include "ad_format.h"

void ad_bptr_null(struct ad_bptr *p)
{
	memset(p, 0, sizeof(*p));
	for (unsigned i = 0; i < AD_MAX_MIRRORS; i++)
		p->addr[i] = AD_ADDR_NONE;
}

void ad_bptr_encode(const struct ad_bptr *p, struct ad_bptr_wire *w)
{
	for (unsigned i = 0; i < AD_MAX_MIRRORS; i++)
		ad_put64(w->addr[i], p->addr[i]);
	ad_put32(w->csum, p->csum);
	w->nmirrors = p->nmirrors;
	w->level = p->level;
	ad_put16(w->reserved, 0);
	ad_put64(w->gen, p->gen);
}

static int check_addrs(const struct ad_bptr *p, unsigned member_count, char *why, size_t whylen)
{
	for (unsigned i = 0; i < AD_MAX_MIRRORS; i++) {
		uint64_t a = p->addr[i];

		if (i >= p->nmirrors) {
			if (a != AD_ADDR_NONE)
				return ad_fail(why, whylen, -EUCLEAN,
					       "block pointer: unused mirror slot %u holds 0x%llx",
					       i, (unsigned long long)a);
			continue;
		}
		if (a == AD_ADDR_NONE)
			return ad_fail(why, whylen, -EUCLEAN,
				       "block pointer: mirror %u of %u has no address",
				       i, p->nmirrors);
		if (ad_addr_member(a) >= member_count)
			return ad_fail(why, whylen, -EUCLEAN,
				       "block pointer: mirror %u on member %u, pool has %u",
				       i, ad_addr_member(a), member_count);
		for (unsigned j = 0; j < i; j++)
			if (ad_addr_member(p->addr[j]) == ad_addr_member(a))
				return ad_fail(why, whylen, -EUCLEAN,
					       "block pointer: mirrors %u and %u both on member %u",
					       j, i, ad_addr_member(a));
	}
	return 0;
}

int ad_bptr_decode(const struct ad_bptr_wire *w, unsigned member_count,
		   struct ad_bptr *p, char *why, size_t whylen)
{
	struct ad_bptr t;
	int err;

	for (unsigned i = 0; i < AD_MAX_MIRRORS; i++)
		t.addr[i] = ad_get64(w->addr[i]);
	t.csum = ad_get32(w->csum);
	t.nmirrors = w->nmirrors;
	t.level = w->level;
	t.gen = ad_get64(w->gen);

	if (t.nmirrors > AD_MAX_MIRRORS)
		return ad_fail(why, whylen, -EUCLEAN, "block pointer: %u mirrors, at most %u",
			       t.nmirrors, AD_MAX_MIRRORS);
	if (ad_get16(w->reserved) != 0)
		return ad_fail(why, whylen, -EUCLEAN, "block pointer: reserved field is 0x%x",
			       ad_get16(w->reserved));
	err = check_addrs(&t, member_count, why, whylen);
	if (err)
		return err;
	if (t.nmirrors == 0 && (t.csum != 0 || t.level != 0 || t.gen != 0))
		return ad_fail(why, whylen, -EUCLEAN,
			       "block pointer: null pointer with csum 0x%08x, level %u, gen %llu",
			       t.csum, t.level, (unsigned long long)t.gen);
	if (t.nmirrors != 0 && t.gen == 0)
		return ad_fail(why, whylen, -EUCLEAN, "block pointer: generation 0");
	*p = t;
	return 0;
}
