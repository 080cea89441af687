/*
 * place.c — weighted rendezvous hashing of stripe chunks (see place.h).
 */
#include <math.h>
#include <string.h>
#include <sodium.h>

#include "ad_format.h"
#include "place.h"
#include "pool.h"

static double score(const struct argos_pool *p, uint64_t ino, uint64_t off, unsigned i)
{
	uint8_t msg[32];
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t x;
	double u, w = p->mtab[i].weight ? (double)p->mtab[i].weight
					 : (double)(p->m[i].sb.data_len >> 20) + 1.0;

	ad_wr64(msg, ino);
	ad_wr64(msg + 8, off);
	memcpy(msg + 16, p->mtab[i].device_uuid, 16);
	crypto_shorthash(h, msg, sizeof(msg), p->sb.format_id);
	x = ad_rd64(h);
	u = ((double)(x >> 11) + 0.5) / 9007199254740992.0;   /* (0, 1) */
	return -log(u) / w;
}

unsigned place_rank(const struct argos_pool *p, uint64_t ino, uint64_t off, unsigned *order)
{
	double s[AD_MAX_MEMBERS];
	unsigned n = 0;

	for (unsigned i = 0; i < p->nmembers; i++) {
		unsigned j;

		if (!p->m[i].dev || p->m[i].status != ARGOS_MEMBER_ONLINE ||
		    p->mtab[i].state != AD_MS_ONLINE)
			continue;
		s[i] = score(p, ino, off, i);
		/* insertion sort: n is small */
		for (j = n; j > 0 && s[order[j - 1]] > s[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
		n++;
	}
	return n;
}
