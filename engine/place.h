/*
 * place.h — where a stripe's chunks go: weighted rendezvous hashing.
 *
 * Owns: ranking the members for one stripe.  Every present, online member
 * gets the score -ln(u) / weight with u uniform in (0, 1) from a keyed hash of
 * (inode, stripe offset, member UUID); lower is better.  The same stripe
 * always ranks members the same way, members share stripes in proportion to
 * their weight (capacity by default, the member table's weight when set),
 * and adding or losing a member moves only the stripes that ranked it.
 * Missing, stale, draining and full members are skipped by the caller
 * walking the ranking.
 */
#ifndef ARGOS_PLACE_H
#define ARGOS_PLACE_H

#include <stdint.h>

struct argos_pool;

/* Fill order[] with the usable members, best first; returns how many. */
unsigned place_rank(const struct argos_pool *p, uint64_t ino, uint64_t off, unsigned *order);

#endif
