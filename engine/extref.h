/*
 * extref.h — reference counts of extents.
 *
 * Owns: the EXTREF items of the metadata tree (key: oid = member index,
 * type AD_KT_EXTREF, off = member block of the extent's first block; value:
 * struct ad_extref, ad_items.h) and the rule that frees an extent when its
 * last reference goes.
 *
 * An extent is referenced once by whoever allocated it (a stripe record);
 * reflink copies, snapshots and dedup add references.  The count is stored
 * only while it is above one, so the common case costs nothing:
 *
 *   refs  item            state of the blocks
 *   0     none            free, or pending release (alloc.h)
 *   1     none            in use (committed, not pending)
 *   n>=2  refs = n        in use
 *
 * Transitions, inside a transaction (store.h), applied whole or not at all:
 *   extref_inc  1 -> 2 creates the item; n -> n+1 updates it
 *   extref_dec  n -> n-1 updates it; 2 -> 1 deletes it;
 *               1 -> 0 frees the extent (txn_free: the allocator releases
 *               the blocks only after two more checkpoints are durable)
 * An extent is named by its first block and its length; an item's nblocks
 * must equal the n the caller gives.
 *
 * Errors: -ENOENT (the extent is not in use: nothing to reference or
 * release), -EINVAL (n == 0, a member the pool does not have, or n differs
 * from the item's length), -EUCLEAN (an item that does not decode), -EAGAIN
 * (a page must be read: return it from the transaction function, the store
 * retries), -EOVERFLOW (2^64 - 1 references).
 */
#ifndef ARGOS_EXTREF_H
#define ARGOS_EXTREF_H

#include <stdint.h>

#include "store.h"

int extref_inc(struct txn *t, unsigned member, uint64_t block, uint64_t n);
int extref_dec(struct txn *t, unsigned member, uint64_t block, uint64_t n);
/* References to the extent, seen from inside t (its own changes included). */
int extref_get(struct txn *t, unsigned member, uint64_t block, uint64_t n, uint64_t *refs);

#endif
