/*
 * record.h — the write recorder: a log of every write and flush that reached
 * a pool's members, for crash replay (tests/crash/crashsweep.c).
 *
 * Owns: ARGOSFS_RECORD=<file>.  When it is set, a read-write argos_pool_open()
 * installs a post hook on every member device that appends each completed
 * write (member, offset, length, data) and each completed flush (member) to
 * the file, in completion order, from the first write of the open (journal
 * mirror repair, the mount generation) to the last one of the close.  The
 * workload can add its own markers (record_mark) between them, e.g.
 * "transaction N acknowledged".  The format is in docs/testing.md.
 *
 * Invariants:
 *  1. Records are appended under one mutex, so the file order is an order in
 *     which the requests completed; a flush record comes after every write it
 *     can have made durable.
 *  2. Recording never fails the I/O: the first error writing the log is
 *     logged once, recording stops, and record_mark() returns that error
 *     from then on (a test must not trust a log that stopped early).
 *  3. Failed requests are not recorded (they changed nothing the model needs).
 */
#ifndef ARGOS_RECORD_H
#define ARGOS_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct argos_pool;

/* Record types (the "type" field of a record header, docs/testing.md). */
#define RECORD_MAGIC       0x52434741u   /* "AGCR" little-endian */
#define RECORD_HDR_SIZE    40
#define RECORD_NO_MEMBER   0xffffu
enum record_type {
	RECORD_OPEN  = 1,     /* a pool opened: off = member count */
	RECORD_WRITE = 2,     /* member, off, len, data */
	RECORD_FLUSH = 3,     /* member */
	RECORD_MARK  = 4,     /* off = the workload's tag */
};

/*
 * With ARGOSFS_RECORD set and the pool opened read-write: open the log for
 * appending, write an OPEN record and hook every present member (whose dev
 * tag is its member index).  0 (also when not recording), or -errno with why
 * when the log cannot be opened (the open must fail: a crash test asked for a
 * recording it would not get).
 */
int  record_pool_start(struct argos_pool *p, char *why, size_t whylen);
/* After the last I/O of the pool (its devices closed): close the log. */
void record_pool_stop(struct argos_pool *p);

/*
 * Append a MARK record with tag.  0 when the record is written or the pool
 * is not recording; the recorder's error once recording stopped on one.
 */
int  record_mark(struct argos_pool *p, uint64_t tag);

#endif
