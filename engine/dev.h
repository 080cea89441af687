/*
 * dev.h — member devices and the one asynchronous block I/O interface.
 *
 * Owns: opening members (block devices, partitions, image files) with their
 * ownership rules, their geometry, aligned buffers, and the submit-then-wait
 * I/O interface every layer above uses.  Backends (a psync thread pool, the
 * same over O_DIRECT, io_uring, libaio) sit behind struct dev_io.  Hooks on
 * each device see every request: the write recorder (crash replay) and the
 * fault layer are built on them.
 *
 * Usage:
 *   struct dev_io *io;  dev_io_create(&cfg, &io);
 *   struct dev *d;      dev_open(path, DEV_RDWR, &d, why, sizeof why);
 *   struct dev_batch b; dev_batch_init(&b, io);
 *   dev_batch_add(&b, &req1); dev_batch_add(&b, &req2);   // any devices
 *   int err = dev_batch_run(&b);   // submits all, waits for all
 *   // each req->res holds bytes transferred or -errno
 *
 * Invariants:
 *  1. A request completes exactly once; req->res is set before the batch's
 *     waiter wakes.  Reads and writes transfer the full length or fail: a
 *     short transfer is reported as -EIO.
 *  2. Requests of one batch may run in any order and concurrently; callers
 *     that need ordering (data before journal, pages before superblock) put
 *     a DEV_FLUSH in a later batch.
 *  3. A DEV_FLUSH request makes every write to that device that completed
 *     before the flush was submitted durable.
 *  4. Hooks run before (pre) and after (post) each request, in a thread of
 *     the backend or in the submitting thread (io_uring and libaio run pre
 *     in dev_batch_submit's caller, post in whichever waiting thread reaps
 *     the completion); they must be thread-safe.
 *  5. On a device in direct mode (DEV_DIRECT, dev_set_direct) any buffer,
 *     offset and length still works: what the device's direct I/O alignment
 *     does not allow goes through an aligned bounce buffer (a write that
 *     covers part of a sector reads that sector first, so two requests in
 *     flight must not share a sector).
 */
#ifndef ARGOS_DEV_H
#define ARGOS_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct dev;
struct dev_io;
struct dev_req;

/* ---- opening members ---------------------------------------------------- */

enum dev_kind { DEV_KIND_FILE = 1, DEV_KIND_BLOCK = 2 };

/* dev_open() flags */
#define DEV_RDONLY   0x0      /* O_RDONLY, no ownership taken (scan, dump) */
#define DEV_RDWR     0x1      /* O_RDWR and take ownership (see below) */
#define DEV_DIRECT   0x2      /* also O_DIRECT (backends "direct", "libaio") */

struct dev_info {
	char     path[4096];      /* as given */
	enum dev_kind kind;
	uint64_t size;            /* bytes (BLKGETSIZE64 or st_size) */
	uint32_t logical_sector;  /* BLKSSZGET, 512 for files */
	uint32_t physical_sector; /* BLKPBSZGET, 4096 for files */
	dev_t    rdev;            /* block devices: the device number */
	/* Identity of the storage behind the path: for a file its st_dev/st_ino;
	 * for a loop device the st_dev/st_ino of its backing file; for another
	 * block device 0/rdev.  Two paths with equal identity are one member. */
	dev_t    id_dev;
	ino_t    id_ino;
	bool     is_loop;
	char     loop_backing[4096]; /* backing file of a loop device, or "" */
};

/*
 * Open a member.  With DEV_RDWR, ownership is taken:
 *  - a block device is opened O_EXCL (fails with -EBUSY when mounted or held);
 *  - an image file gets an OFD write lock over its whole length (-EBUSY when
 *    another open file description holds one);
 *  - a loop device also locks its backing file, and an image file that backs
 *    a loop device also opens that loop device O_EXCL, so the two paths can
 *    never be owned twice.
 * Returns 0 and *out, or -errno with a one-line reason in why.
 * Free with dev_close().
 */
int  dev_open(const char *path, int flags, struct dev **out, char *why, size_t whylen);
void dev_close(struct dev *d);
const struct dev_info *dev_get_info(const struct dev *d);
int  dev_fd(const struct dev *d);

/*
 * Turn O_DIRECT on or off for an open device (what DEV_DIRECT does at open).
 * Returns 0, or -EINVAL when the filesystem has no direct I/O or an image's
 * size is not a multiple of its direct I/O alignment (why says which).  Not
 * thread-safe against I/O in flight on the device: call it before use.
 */
int  dev_set_direct(struct dev *d, bool on, char *why, size_t whylen);
bool dev_is_direct(const struct dev *d);

/* Identity only (no open for I/O): fills info for path. */
int  dev_stat(const char *path, struct dev_info *info, char *why, size_t whylen);

/* ---- buffers ------------------------------------------------------------ */

#define DEV_ALIGN 4096
/* Aligned (DEV_ALIGN) buffer of len bytes, zeroed; NULL on ENOMEM.  free(). */
void *dev_buf_alloc(size_t len);

/* ---- requests and batches ----------------------------------------------- */

enum dev_op { DEV_OP_READ = 1, DEV_OP_WRITE = 2, DEV_OP_FLUSH = 3 };

struct dev_req {
	struct dev *dev;
	uint8_t     op;           /* enum dev_op */
	void       *buf;          /* READ/WRITE; any alignment (invariant 5) */
	size_t      len;
	uint64_t    off;          /* byte offset on the device */
	int         res;          /* out: len or -errno; -EINVAL when
				   * [off, off + len) is not inside the device */
	void       *priv;         /* caller's */
	/* internal */
	struct dev_batch *batch;
	struct dev_req   *next;
};

struct dev_batch {
	struct dev_io  *io;
	struct dev_req *head, *tail;   /* queued, not yet submitted */
	unsigned        queued;
	unsigned        inflight;      /* protected by the waiter's lock */
	int             first_err;     /* first -errno seen, 0 if none */
	/* internal: completion signalling */
	void           *waiter;
};

static inline void dev_req_read(struct dev_req *r, struct dev *d, void *buf, size_t len, uint64_t off)
{ r->dev = d; r->op = DEV_OP_READ; r->buf = buf; r->len = len; r->off = off; r->res = 0; r->priv = NULL; }
static inline void dev_req_write(struct dev_req *r, struct dev *d, const void *buf, size_t len, uint64_t off)
{ r->dev = d; r->op = DEV_OP_WRITE; r->buf = (void *)buf; r->len = len; r->off = off; r->res = 0; r->priv = NULL; }
static inline void dev_req_flush(struct dev_req *r, struct dev *d)
{ r->dev = d; r->op = DEV_OP_FLUSH; r->buf = NULL; r->len = 0; r->off = 0; r->res = 0; r->priv = NULL; }

void dev_batch_init(struct dev_batch *b, struct dev_io *io);
void dev_batch_add(struct dev_batch *b, struct dev_req *r);
/* Hand every queued request to the backend without waiting. */
int  dev_batch_submit(struct dev_batch *b);
/* Wait until every submitted request completed; returns 0 or the first error. */
int  dev_batch_wait(struct dev_batch *b);
/* submit + wait */
int  dev_batch_run(struct dev_batch *b);

/* Synchronous conveniences (one request through io, or inline in the caller
 * when io is NULL; hooks run either way).  Return 0 or -errno. */
int dev_pread(struct dev_io *io, struct dev *d, void *buf, size_t len, uint64_t off);
int dev_pwrite(struct dev_io *io, struct dev *d, const void *buf, size_t len, uint64_t off);
int dev_flush(struct dev_io *io, struct dev *d);

/* ---- I/O engines ---------------------------------------------------------- */

enum dev_backend {
	DEV_BACKEND_PSYNC = 1,    /* thread pool doing pread/pwrite/fdatasync */
	DEV_BACKEND_DIRECT = 2,   /* the same pool; members opened O_DIRECT */
	DEV_BACKEND_URING = 3,    /* io_uring: one ring, waiters reap */
	DEV_BACKEND_AIO = 4,      /* libaio on O_DIRECT members, FDSYNC flushes */
};

struct dev_io_cfg {
	enum dev_backend backend;
	unsigned threads;         /* psync and direct workers; 0 = default (8) */
	unsigned depth;           /* io_uring / libaio requests in flight; 0 = 256 */
};

/*
 * Start an engine.  io_uring falls back to psync when the kernel refuses a
 * ring (io_uring_queue_init: -EPERM under kernel.io_uring_disabled, -ENOSYS,
 * -ENOMEM): dev_io_backend() then says psync and dev_io_fallback() why, for
 * the caller to log.  Returns 0, -EINVAL (bad cfg) or -errno.
 */
int  dev_io_create(const struct dev_io_cfg *cfg, struct dev_io **out);
void dev_io_destroy(struct dev_io *io);
/*
 * Replace the backend of an engine that has no request in flight and that no
 * other thread uses (the pool switches after loading its "io" property).
 * Fallbacks as dev_io_create(); on failure the old backend stays.
 */
int  dev_io_switch(struct dev_io *io, const struct dev_io_cfg *cfg);
/* The backend actually running (after a fallback). */
enum dev_backend dev_io_backend(const struct dev_io *io);
/* 0, or the -errno that made the engine fall back from the requested backend. */
int  dev_io_fallback(const struct dev_io *io);
const char *dev_backend_name(enum dev_backend b);
/* Whether members should be in direct mode (dev_set_direct) for backend b. */
bool dev_backend_wants_direct(enum dev_backend b);

/* ---- hooks (recording, fault injection) ------------------------------------ */

struct dev_hooks {
	void *ctx;
	/* Before the request runs.  Return 0 to run it, or -errno to fail it
	 * without touching the device (fault injection). */
	int  (*pre)(void *ctx, struct dev_req *r);
	/* After it ran (r->res set), also when pre failed it.  May change
	 * r->res or, for reads, the data (bit flips); the recorder logs writes
	 * and flushes here. */
	void (*post)(void *ctx, struct dev_req *r);
};

/* Install (or with NULL remove) the hooks of one device.  Not thread-safe
 * against I/O in flight on that device: install before use. */
void dev_set_hooks(struct dev *d, const struct dev_hooks *h);
/* A small integer the owner attaches to the device (member index). */
void dev_set_tag(struct dev *d, int tag);
int  dev_get_tag(const struct dev *d);

#endif /* ARGOS_DEV_H */
