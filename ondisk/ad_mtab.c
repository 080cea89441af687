/*
 * ad_mtab.c — the member table behind each superblock: 128-byte entries,
 * 32 per block, ceil(member_count / 32) blocks.  Encode, and validating
 * decode of the entries (the table checksum is checked by ad_super.c).
 */
#include <errno.h>
#include <string.h>

#include "ad_format.h"
#include "ad_priv.h"

void ad_mtab_encode(const struct ad_member *mtab, uint32_t count, void *tab, size_t tablen)
{
	struct ad_member_wire *w = tab;

	memset(tab, 0, tablen);
	for (uint32_t i = 0; i < count; i++) {
		const struct ad_member *m = &mtab[i];

		memcpy(w[i].device_uuid, m->device_uuid, 16);
		ad_put64(w[i].size, m->size);
		ad_put32(w[i].logical_sector, m->logical_sector);
		ad_put32(w[i].physical_sector, m->physical_sector);
		w[i].state = m->state;
		w[i].tier = m->tier;
		ad_put16(w[i].flags, m->flags);
		ad_put32(w[i].weight, m->weight);
		ad_put64(w[i].last_gen, m->last_gen);
		ad_put64(w[i].missed_since, m->missed_since);
		ad_put64(w[i].added_gen, m->added_gen);
	}
}

static void unpack_entry(const struct ad_member_wire *w, struct ad_member *m)
{
	memcpy(m->device_uuid, w->device_uuid, 16);
	m->size = ad_get64(w->size);
	m->logical_sector = ad_get32(w->logical_sector);
	m->physical_sector = ad_get32(w->physical_sector);
	m->state = w->state;
	m->tier = w->tier;
	m->flags = ad_get16(w->flags);
	m->weight = ad_get32(w->weight);
	m->last_gen = ad_get64(w->last_gen);
	m->missed_since = ad_get64(w->missed_since);
	m->added_gen = ad_get64(w->added_gen);
}

/* One entry on its own, and against the superblock when it describes this member. */
static int check_entry(const struct ad_member_wire *w, const struct ad_member *m, uint32_t i,
		       const struct ad_super *sb, char *why, size_t whylen)
{
	if (ad_member_state_name(m->state) == NULL)
		return ad_fail(why, whylen, -EUCLEAN, "member %u: unknown state %u", i, m->state);
	if (ad_uuid_is_zero(m->device_uuid))
		return ad_fail(why, whylen, -EUCLEAN, "member %u: zero device UUID", i);
	if (m->size < AD_MIN_MEMBER_SIZE || !ad_sectors_ok(m->logical_sector, m->physical_sector))
		return ad_fail(why, whylen, -EUCLEAN, "member %u: size %llu, sectors %u/%u", i,
			       (unsigned long long)m->size, m->logical_sector, m->physical_sector);
	if (m->flags != 0 || !ad_mem_is_zero(w->reserved, sizeof(w->reserved)))
		return ad_fail(why, whylen, -EUCLEAN, "member %u: flags or reserved bytes set", i);
	if (m->last_gen > sb->generation || m->missed_since > sb->generation ||
	    m->added_gen > sb->generation)
		return ad_fail(why, whylen, -EUCLEAN,
			       "member %u: generations %llu/%llu/%llu (last/missed/added) after %llu",
			       i, (unsigned long long)m->last_gen,
			       (unsigned long long)m->missed_since,
			       (unsigned long long)m->added_gen, (unsigned long long)sb->generation);
	if (i == sb->member_index &&
	    (memcmp(m->device_uuid, sb->device_uuid, 16) != 0 || m->size != sb->device_size ||
	     m->logical_sector != sb->logical_sector || m->physical_sector != sb->physical_sector))
		return ad_fail(why, whylen, -EUCLEAN,
			       "member %u: entry does not describe this device (UUID, size or "
			       "sectors differ from the superblock's)", i);
	return 0;
}

int ad_mtab_decode(const void *tab, size_t tablen, const struct ad_super *sb,
		   struct ad_member *mtab, char *why, size_t whylen)
{
	const struct ad_member_wire *w = tab;
	size_t slots = tablen / AD_MEMBER_ENTRY_SIZE;

	for (uint32_t i = 0; i < sb->member_count; i++) {
		struct ad_member m;
		int err;

		unpack_entry(&w[i], &m);
		err = check_entry(&w[i], &m, i, sb, why, whylen);
		if (err)
			return err;
		for (uint32_t j = 0; j < i; j++)
			if (memcmp(w[j].device_uuid, m.device_uuid, 16) == 0)
				return ad_fail(why, whylen, -EUCLEAN,
					       "members %u and %u have the same device UUID", j, i);
		if (mtab)
			mtab[i] = m;
	}
	for (size_t i = sb->member_count; i < slots; i++)
		if (!ad_mem_is_zero(&w[i], sizeof(w[i])))
			return ad_fail(why, whylen, -EUCLEAN, "member table: unused entry %zu not zero",
				       i);
	return 0;
}
