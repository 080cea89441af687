/*
 * record.c — the write recorder (see record.h; the log format is in
 * docs/testing.md).
 *
 * Record header, 40 bytes, little-endian, followed by len bytes of data:
 *
 *   offset size field
 *        0    4 magic     RECORD_MAGIC
 *        4    2 type      enum record_type
 *        6    2 member    member index, RECORD_NO_MEMBER for OPEN and MARK
 *        8    8 seq       0 for OPEN, then 1, 2, ... within one open pool
 *       16    8 off       WRITE: byte offset on the member; MARK: tag;
 *                         OPEN: number of members; FLUSH: 0
 *       24    4 len       bytes of data after the header (WRITE only)
 *       28    4 data_crc  ad_crc32c(0, data, len)
 *       32    4 reserved  0
 *       36    4 hdr_crc   ad_crc32c(0, bytes 0..35)
 *
 * A reader stops at the first record whose magic or checksums do not match
 * or whose data runs past the end of the file: that is where a recording
 * process died in the middle of an append.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#include "ad_crc.h"
#include "ad_le.h"
#include "elog.h"
#include "pool.h"
#include "record.h"

struct record {
	pthread_mutex_t lock;           /* protects everything below */
	int             fd;             /* -1 once recording stopped */
	uint64_t        seq;
	int             err;            /* sticky: why recording stopped */
	const struct argos_log *log;
	char           *path;
	struct dev_hooks hooks;
};

static int write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int append(struct record *rc, unsigned type, int member, uint64_t off, const void *data,
		  size_t len)
{
	uint8_t h[RECORD_HDR_SIZE];
	struct iovec iov[2];
	int err;

	pthread_mutex_lock(&rc->lock);
	if (rc->err) {
		err = rc->err;
		goto out;
	}
	if (len > UINT32_MAX) {
		err = -EFBIG;
		goto fail;
	}
	memset(h, 0, sizeof(h));
	ad_wr32(h + 0, RECORD_MAGIC);
	ad_wr16(h + 4, (uint16_t)type);
	ad_wr16(h + 6, member < 0 ? RECORD_NO_MEMBER : (uint16_t)member);
	ad_wr64(h + 8, type == RECORD_OPEN ? 0 : ++rc->seq);
	ad_wr64(h + 16, off);
	ad_wr32(h + 24, (uint32_t)len);
	ad_wr32(h + 28, ad_crc32c(0, data, len));
	ad_wr32(h + 36, ad_crc32c(0, h, 36));
	iov[0].iov_base = h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)data;
	iov[1].iov_len = len;
	err = write_all(rc->fd, iov, len ? 2 : 1);
	if (!err)
		goto out;
fail:
	/* Invariant 2: log once, stop, never fail the I/O itself. */
	rc->err = err;
	elog_err(rc->log, "ARGOSFS_RECORD=%s: writing the log failed: %s; recording stopped",
		 rc->path, argos_strerror(err));
	close(rc->fd);
	rc->fd = -1;
out:
	pthread_mutex_unlock(&rc->lock);
	return err;
}

static void rec_post(void *ctx, struct dev_req *r)
{
	struct record *rc = ctx;

	if (r->res < 0)
		return;
	if (r->op == DEV_OP_WRITE)
		append(rc, RECORD_WRITE, dev_get_tag(r->dev), r->off, r->buf, r->len);
	else if (r->op == DEV_OP_FLUSH)
		append(rc, RECORD_FLUSH, dev_get_tag(r->dev), 0, NULL, 0);
}

int record_pool_start(struct argos_pool *p, char *why, size_t whylen)
{
	const char *path = getenv("ARGOSFS_RECORD");
	struct record *rc;
	int err;

	if (!path || !*path || p->rdonly)
		return 0;
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return -ENOMEM;
	rc->path = strdup(path);
	if (!rc->path) {
		free(rc);
		return -ENOMEM;
	}
	rc->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (rc->fd < 0) {
		err = -errno;
		ewhy(why, whylen, err, "ARGOSFS_RECORD=%s: %s", path, argos_strerror(err));
		free(rc->path);
		free(rc);
		return err;
	}
	pthread_mutex_init(&rc->lock, NULL);
	rc->log = &p->log;
	rc->hooks.ctx = rc;
	rc->hooks.post = rec_post;
	p->rec = rc;
	err = append(rc, RECORD_OPEN, -1, p->nmembers, NULL, 0);
	if (err)
		return ewhy(why, whylen, err, "ARGOSFS_RECORD=%s: %s", path, argos_strerror(err));
	for (unsigned i = 0; i < p->nmembers; i++)
		if (p->m[i].dev)
			dev_set_hooks(p->m[i].dev, &rc->hooks);
	elog_info(&p->log, "recording every write and flush to %s", path);
	return 0;
}

void record_pool_stop(struct argos_pool *p)
{
	struct record *rc = p->rec;

	if (!rc)
		return;
	if (rc->fd >= 0)
		close(rc->fd);
	pthread_mutex_destroy(&rc->lock);
	free(rc->path);
	free(rc);
	p->rec = NULL;
}

int record_mark(struct argos_pool *p, uint64_t tag)
{
	if (!p || !p->rec)
		return 0;
	return append(p->rec, RECORD_MARK, -1, tag, NULL, 0);
}
