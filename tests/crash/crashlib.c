/*
 * crashlib.c — images, the write log reader, the workload model and the
 * state checker shared by the crash tests (see crashlib.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "ad_crc.h"
#include "ad_le.h"
#include "crashlib.h"
#include "pool.h"
#include "record.h"
#include "tutil.h"

/* ---- small things -------------------------------------------------------------- */

double cl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cl_vfatal(const char *prog, const char *dir, bool keep, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (dir && dir[0] && !keep)
		tutil_rmtree(dir);
	else if (dir && dir[0])
		fprintf(stderr, "%s: work directory kept: %s\n", prog, dir);
	exit(99);
}

/* ---- images ----------------------------------------------------------------- */

void cl_images_name(struct cl_images *im, const char *dir, const char *prefix)
{
	snprintf(im->dir, sizeof(im->dir), "%s", dir);
	for (int i = 0; i < CL_NMEM; i++) {
		snprintf(im->path[i], sizeof(im->path[i]), "%s/%s%d", dir, prefix, i);
		im->paths[i] = im->path[i];
	}
}

int cl_copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, err = 0;
	size_t cap = 1u << 20;
	uint8_t *buf = malloc(cap);
	struct stat st;
	off_t pos = 0;

	if (in < 0 || !buf) {
		err = in < 0 ? -errno : -ENOMEM;
		goto out;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0 || fstat(in, &st) < 0 || ftruncate(out, st.st_size) < 0) {
		err = -errno;
		goto out;
	}
	while (pos < st.st_size) {
		off_t data = lseek(in, pos, SEEK_DATA), hole;

		if (data < 0) {
			if (errno != ENXIO)
				err = -errno;
			break;
		}
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0) {
			err = -errno;
			break;
		}
		for (pos = data; pos < hole && !err;) {
			size_t n = (size_t)(hole - pos) < cap ? (size_t)(hole - pos) : cap;
			ssize_t r = pread(in, buf, n, pos);

			if (r <= 0)
				err = r < 0 ? -errno : -EIO;
			else if (pwrite(out, buf, (size_t)r, pos) != r)
				err = -EIO;
			else
				pos += r;
		}
		if (err)
			break;
	}
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !err)
		err = -errno;
	free(buf);
	return err;
}

int cl_copy_images(const struct cl_images *from, const struct cl_images *to)
{
	int err = 0;

	for (int i = 0; i < CL_NMEM && !err; i++)
		err = cl_copy_file(from->path[i], to->path[i]);
	return err;
}

int cl_mkdtemp(const char *tag, char *dir, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	struct stat st;

	if (!tmp || !*tmp)
		tmp = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
		      access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	if ((size_t)snprintf(dir, len, "%s/argos-%s-XXXXXX", tmp, tag) >= len)
		return -ENAMETOOLONG;
	return mkdtemp(dir) ? 0 : -errno;
}

int cl_mkfs(const struct cl_images *im, uint64_t size, uint64_t jsize, char *why, size_t wl)
{
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true, .journal_size = jsize };
	struct argos_mkfs_result r;

	for (int i = 0; i < CL_NMEM; i++) {
		int fd = open(im->path[i], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
			int err = -errno;

			if (fd >= 0)
				close(fd);
			snprintf(why, wl, "%s: %s", im->path[i], strerror(-err));
			return err;
		}
		close(fd);
	}
	return argos_mkfs(im->paths, CL_NMEM, &o, &r, why, wl);
}

/* ---- engine messages -------------------------------------------------------- */

static void msgs_fn(void *ctx, int level, const char *msg)
{
	struct cl_msgs *m = ctx;
	int n;

	(void)level;
	if (m->len + 2 >= sizeof(m->buf))
		return;
	n = snprintf(m->buf + m->len, sizeof(m->buf) - m->len, "    engine: %s\n", msg);
	if (n > 0)
		m->len = m->len + (size_t)n < sizeof(m->buf) ? m->len + (size_t)n : sizeof(m->buf) - 1;
}

void cl_msgs_init(struct cl_msgs *m, int max_level)
{
	memset(m, 0, sizeof(*m));
	m->log.fn = msgs_fn;
	m->log.ctx = m;
	m->log.max_level = max_level;
}

void cl_msgs_clear(struct cl_msgs *m)
{
	m->len = 0;
	m->buf[0] = '\0';
}

/* ---- the write log ------------------------------------------------------------ */

int cl_log_load(const char *path, struct cl_log *log)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t pos = 0, cap = 0;
	int err = 0;

	memset(log, 0, sizeof(*log));
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	log->size = (size_t)st.st_size;
	if (log->size) {
		log->map = mmap(NULL, log->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (log->map == MAP_FAILED) {
			log->map = NULL;
			err = -errno;
			goto out;
		}
	}
	while (pos < log->size) {
		const uint8_t *h = (const uint8_t *)log->map + pos;
		struct cl_rec r;

		if (log->size - pos < RECORD_HDR_SIZE) {
			snprintf(log->why, sizeof(log->why), "short header at byte %zu", pos);
			break;
		}
		if (ad_rd32(h) != RECORD_MAGIC || ad_rd32(h + 36) != ad_crc32c(0, h, 36)) {
			snprintf(log->why, sizeof(log->why), "bad header at byte %zu", pos);
			break;
		}
		r.type = ad_rd16(h + 4);
		r.member = ad_rd16(h + 6) == RECORD_NO_MEMBER ? -1 : ad_rd16(h + 6);
		r.seq = ad_rd64(h + 8);
		r.off = ad_rd64(h + 16);
		r.len = ad_rd32(h + 24);
		r.data = h + RECORD_HDR_SIZE;
		if (log->size - pos - RECORD_HDR_SIZE < r.len ||
		    ad_rd32(h + 28) != ad_crc32c(0, r.data, r.len)) {
			snprintf(log->why, sizeof(log->why), "record %zu (byte %zu): data torn", log->n,
				 pos);
			break;
		}
		if (r.type < RECORD_OPEN || r.type > RECORD_MARK ||
		    ((r.type == RECORD_WRITE || r.type == RECORD_FLUSH) &&
		     (r.member < 0 || r.member >= CL_NMEM))) {
			snprintf(log->why, sizeof(log->why), "record %zu (byte %zu): type %u member %d",
				 log->n, pos, r.type, r.member);
			break;
		}
		if (log->n == cap) {
			struct cl_rec *n = realloc(log->r, (cap = cap ? 2 * cap : 4096) * sizeof(*n));

			if (!n) {
				err = -ENOMEM;
				goto out;
			}
			log->r = n;
		}
		log->r[log->n++] = r;
		pos += RECORD_HDR_SIZE + r.len;
	}
	log->torn = pos < log->size;
out:
	close(fd);
	if (err)
		cl_log_free(log);
	return err;
}

void cl_log_free(struct cl_log *log)
{
	if (log->map)
		munmap(log->map, log->size);
	free(log->r);
	memset(log, 0, sizeof(*log));
}

/* ---- the model ------------------------------------------------------------------ */

uint64_t cl_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t mix(uint64_t x)
{
	return cl_rand(&x);
}

static uint64_t item_hash(unsigned key, const struct cl_item *it)
{
	return mix((uint64_t)key << 48 ^ (uint64_t)it->txn << 20 ^ (uint64_t)it->idx << 8 ^
		   mix(it->len));
}

static void value_make(uint8_t *v, unsigned key, uint32_t txn, unsigned idx, unsigned len)
{
	uint64_t seed = (uint64_t)txn << 32 | (uint64_t)idx << 16 | key, w = 0;

	ad_wr32(v, txn);
	ad_wr16(v + 4, (uint16_t)idx);
	ad_wr16(v + 6, (uint16_t)key);
	ad_wr16(v + 8, (uint16_t)len);
	for (unsigned i = 10; i < len; i++) {
		if ((i - 10) % 8 == 0)
			w = mix(seed * 1000003 + (i - 10) / 8);
		v[i] = (uint8_t)(w >> (8 * ((i - 10) % 8)));
	}
}

int cl_model_init(struct cl_model *m, uint64_t seed)
{
	memset(m, 0, sizeof(*m));
	m->rng = seed;
	m->cap = 256;
	m->t = calloc(m->cap + 1, sizeof(*m->t));
	m->hash = calloc(m->cap + 1, sizeof(*m->hash));
	m->count = calloc(m->cap + 1, sizeof(*m->count));
	return m->t && m->hash && m->count ? 0 : -ENOMEM;
}

void cl_model_free(struct cl_model *m)
{
	for (unsigned t = 1; m->t && t <= m->ntxn; t++)
		free(m->t[t].ops);
	free(m->t);
	free(m->hash);
	free(m->count);
	memset(m, 0, sizeof(*m));
}

int cl_model_next(struct cl_model *m)
{
	unsigned t = m->ntxn + 1, n = 3 + (unsigned)(cl_rand(&m->rng) % 18);
	uint64_t h = m->hash[m->ntxn];
	uint32_t count = m->count[m->ntxn];
	struct cl_txn *x;

	if (t > m->cap) {
		unsigned cap = m->cap * 2;
		struct cl_txn *nt = realloc(m->t, (cap + 1) * sizeof(*nt));
		uint64_t *nh = nt ? realloc(m->hash, (cap + 1) * sizeof(*nh)) : NULL;
		uint32_t *nc = nh ? realloc(m->count, (cap + 1) * sizeof(*nc)) : NULL;

		if (nt)
			m->t = nt;
		if (nh)
			m->hash = nh;
		if (!nc)
			return -ENOMEM;
		m->count = nc;
		m->cap = cap;
	}
	x = &m->t[t];
	x->nops = n;
	x->ops = calloc(n, sizeof(*x->ops));
	if (!x->ops)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		uint64_t r = cl_rand(&m->rng);
		unsigned key = (unsigned)(r % CL_NKEYS);
		struct cl_item *it;

		if (i > 0 && r % 17 == 0) {
			key = x->ops[i - 1].key;          /* the same key twice in one txn */
		} else if (r % 5 == 0 && count > 0) {
			/* a delete of an existing item */
			while (!m->cur[key].txn)
				key = (key + 1) % CL_NKEYS;
			x->ops[i].key = (uint16_t)key;
			x->ops[i].len = 0;
			h -= item_hash(key, &m->cur[key]);
			count--;
			memset(&m->cur[key], 0, sizeof(m->cur[key]));
			continue;
		}
		it = &m->cur[key];
		if (it->txn) {
			h -= item_hash(key, it);
			count--;
		}
		x->ops[i].key = (uint16_t)key;
		x->ops[i].len = (uint16_t)(CL_VAL_MIN + (r >> 32) % (CL_VAL_MAX - CL_VAL_MIN + 1));
		it->txn = t;
		it->idx = (uint16_t)i;
		it->len = x->ops[i].len;
		h += item_hash(key, it);
		count++;
	}
	m->ntxn = t;
	m->hash[t] = h;
	m->count[t] = count;
	return 0;
}

struct run_arg {
	const struct cl_txn *x;
	unsigned t;
};

static int run_fn(struct txn *tx, void *arg)
{
	struct run_arg *a = arg;
	uint8_t v[CL_VAL_MAX];

	for (unsigned i = 0; i < a->x->nops; i++) {
		const struct cl_op *op = &a->x->ops[i];
		struct ad_key k = { .oid = CL_OID + op->key, .type = AD_KT_PROP, .off = op->key };
		int err;

		if (op->len == 0) {
			err = txn_del(tx, &k);
		} else {
			value_make(v, op->key, a->t, i, op->len);
			err = txn_put(tx, &k, v, op->len);
		}
		if (err)
			return err;
	}
	return 0;
}

int cl_run_txn(argos_pool *p, const struct cl_model *m, unsigned t, unsigned flags)
{
	struct run_arg a = { &m->t[t], t };

	return store_txn(&p->st, run_fn, &a, flags);
}

/* ---- reading and matching ------------------------------------------------------- */

struct read_arg {
	struct cl_state *s;
	unsigned next;
};

static void state_add(struct cl_state *s, unsigned key, const uint8_t *v, size_t len)
{
	uint8_t want[CL_VAL_MAX];
	struct cl_item *it = &s->item[key];

	if (len >= CL_VAL_MIN && len <= CL_VAL_MAX) {
		it->txn = ad_rd32(v);
		it->idx = ad_rd16(v + 4);
		it->len = (uint16_t)len;
		if (it->txn && ad_rd16(v + 6) == key && ad_rd16(v + 8) == len) {
			value_make(want, key, it->txn, it->idx, (unsigned)len);
			if (!memcmp(want, v, len)) {
				s->hash += item_hash(key, it);
				s->count++;
				return;
			}
		}
	}
	if (!s->bad++)
		snprintf(s->bad_why, sizeof(s->bad_why), "key %u: value of %zu bytes is damaged "
			 "(says txn %u op %u)", key, len, len >= 6 ? ad_rd32(v) : 0,
			 len >= 6 ? ad_rd16(v + 4) : 0);
	it->txn = UINT32_MAX;
}

static int read_fn(struct txn *tx, void *arg)
{
	struct read_arg *a = arg;
	uint8_t v[AD_ITEM_MAX];

	for (; a->next < CL_NKEYS; a->next++) {
		struct ad_key k = { .oid = CL_OID + a->next, .type = AD_KT_PROP, .off = a->next };
		size_t len = 0;
		int err = txn_get(tx, &k, v, sizeof(v), &len);

		if (err == -ENOENT)
			continue;
		if (err)
			return err;   /* -EAGAIN: store_read faults the page in and calls again */
		state_add(a->s, a->next, v, len);
	}
	return 0;
}

int cl_state_read(argos_pool *p, struct cl_state *s)
{
	struct read_arg a = { s, 0 };

	memset(s, 0, sizeof(*s));
	return store_read(&p->st, read_fn, &a);
}

long cl_state_match(const struct cl_model *m, const struct cl_state *s, unsigned lo, unsigned hi)
{
	if (s->bad)
		return -1;
	for (unsigned j = lo; j <= hi && j <= m->ntxn; j++)
		if (m->hash[j] == s->hash && m->count[j] == s->count)
			return j;
	return -1;
}

void cl_state_diff(const struct cl_model *m, const struct cl_state *s, unsigned j, char *out,
		   size_t len)
{
	struct cl_item want[CL_NKEYS];
	size_t used = 0;
	unsigned shown = 0, ndiff = 0, newest = 0;

	memset(want, 0, sizeof(want));
	for (unsigned t = 1; t <= j && t <= m->ntxn; t++)
		for (unsigned i = 0; i < m->t[t].nops; i++) {
			const struct cl_op *op = &m->t[t].ops[i];
			struct cl_item *it = &want[op->key];

			if (op->len) {
				it->txn = t;
				it->idx = (uint16_t)i;
				it->len = op->len;
			} else {
				memset(it, 0, sizeof(*it));
			}
		}
	out[0] = '\0';
	for (unsigned k = 0; k < CL_NKEYS; k++) {
		const struct cl_item *a = &s->item[k], *b = &want[k];

		if (a->txn != UINT32_MAX && a->txn > newest)
			newest = a->txn;
		if (a->txn == b->txn && a->idx == b->idx && (!a->txn || a->len == b->len))
			continue;
		ndiff++;
		if (shown++ >= 6 || used + 1 >= len)
			continue;
		used += (size_t)snprintf(out + used, len - used, "%skey %u: ", used ? "; " : "", k);
		if (used < len)
			used += (size_t)snprintf(out + used, len - used, a->txn ? "has t%u.%u" : "absent",
						 a->txn, a->idx);
		if (used < len)
			used += (size_t)snprintf(out + used, len - used, b->txn ? ", want t%u.%u" :
						 ", want absent", b->txn, b->idx);
	}
	if (used < len)
		snprintf(out + used, len - used, "%s(%u keys differ from the state after txn %u; the "
			 "newest txn seen is %u)", used ? " " : "", ndiff, j, newest);
}

int cl_check_open(const struct cl_images *im, unsigned flags, const struct cl_model *m,
		  unsigned lo, unsigned hi, struct cl_msgs *msgs, long *j_out, char *why, size_t wl)
{
	struct argos_open_opts o = { .flags = flags, .log = &msgs->log, .commit_ms = 3600000,
				     .ckpt_ms = 3600000 };
	struct cl_state *s = calloc(1, sizeof(*s));
	argos_pool *p = NULL;
	char w[512] = "";
	int err;

	*j_out = -1;
	if (!s)
		return -ENOMEM;
	err = argos_pool_open(im->paths, CL_NMEM, &o, &p, w, sizeof(w));
	if (err) {
		snprintf(why, wl, "open%s failed: %s (%s)\n%s", flags & ARGOS_OPEN_RDONLY ?
			 " read-only" : "", argos_strerror(err), w, msgs->buf);
		goto out;
	}
	err = cl_state_read(p, s);
	if (err) {
		snprintf(why, wl, "reading the items failed: %s\n%s", argos_strerror(err), msgs->buf);
		argos_pool_close(p);
		goto out;
	}
	err = argos_pool_close(p);
	if (err) {
		snprintf(why, wl, "close failed: %s\n%s", argos_strerror(err), msgs->buf);
		goto out;
	}
	*j_out = cl_state_match(m, s, lo, hi);
	if (*j_out < 0) {
		char d[1024];

		cl_state_diff(m, s, lo, d, sizeof(d));
		snprintf(why, wl, "state is not the state after any transaction %u..%u%s%s: %s",
			 lo, hi, s->bad ? ": " : "", s->bad ? s->bad_why : "", d);
		err = -EUCLEAN;
	}
out:
	free(s);
	return err;
}

static const char *const residue[] = {
#define x(code) #code,
	CL_RESIDUE(x)
#undef x
};

const char *cl_residue_name(unsigned i)
{
	return i < sizeof(residue) / sizeof(residue[0]) ? residue[i] : NULL;
}

static void fsck_problem(void *ctx, const struct argos_fsck_problem *pr)
{
	struct cl_fsck *f = ctx;
	size_t used = strlen(f->why);
	unsigned i;

	for (i = 0; cl_residue_name(i) && strcmp(pr->code, cl_residue_name(i)); i++)
		;
	if (!cl_residue_name(i) || !pr->fixable)
		f->residue_only = false;
	else
		f->residue_seen |= 1u << i;
	if (!strncmp(pr->code, "PR_0_SB_", 8))
		f->sb_residue = true;
	if (used + 1 < sizeof(f->why))
		snprintf(f->why + used, sizeof(f->why) - used, "%s%s: %s", used ? "; " : "", pr->code,
			 pr->message);
}

void cl_fsck(const struct cl_images *im, int mode, struct cl_fsck *out)
{
	struct argos_fsck_opts o = { .mode = mode, .force = true, .on_problem = fsck_problem,
				     .ctx = out };
	struct argos_fsck_result r;
	int err;

	memset(out, 0, sizeof(*out));
	out->residue_only = true;
	err = argos_fsck(im->paths, CL_NMEM, &o, &r);
	if (err && !out->why[0])
		snprintf(out->why, sizeof(out->why), "fsck could not run: %s", argos_strerror(err));
	out->exit_code = r.exit_code;
	out->residue_only = out->residue_only && !err && r.exit_code == ARGOS_FSCK_UNCORRECTED;
}
