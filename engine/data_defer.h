/*
 * data_defer.h — deferred small writes (see data_defer.c).
 */
#ifndef ARGOS_DATA_DEFER_H
#define ARGOS_DATA_DEFER_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"

/* Writes of at most this many bytes (and under a quarter of the stripe) are
 * deferred. */
#define DEFER_WRITE_MAX (64u << 10)
/* A window holding more deferred bytes than this (or half the stripe) is
 * folded into a new stripe by the next small write to it. */
#define DEFER_FOLD_BYTES (256u << 10)

/*
 * Write [off, off + n) as DEFER items if the write qualifies (one window
 * holding a stripe record, inside its data, not the file's buffered or
 * parked window, the window's deferred bytes under the fold limit).
 * w->lock held.  1: written; 0: not taken (use the write window); or an error.
 */
int data_defer_write(struct argos_pool *p, struct fwin *w, const void *buf, size_t n,
		     uint64_t off);

/*
 * Lay the DEFER items of window ws (for the stripe with this wgen) over the
 * window bytes [off, off + n) in dst.  -EAGAIN when the window's stripe record
 * is no longer the one with wgen (the caller reads again).
 */
int data_defer_overlay(struct argos_pool *p, uint64_t ino, uint64_t ws, uint64_t wgen,
		       uint64_t off, size_t n, uint8_t *dst);

/* Inside a transaction: delete DEFER items of ino in file bytes [from, to),
 * cutting those that lie partly inside. */
int data_defer_cut(struct txn *t, uint64_t ino, uint64_t from, uint64_t to);

#endif
