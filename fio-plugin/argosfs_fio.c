/*
 * argosfs_fio.c — an external fio ioengine (fio 3.33, ops version 31) doing
 * file I/O on an ArgosFS pool through engine/argosfs.h, no FUSE in between.
 *
 *   fio --thread=1 --ioengine=external:<dir>/argosfs-fio.so \
 *       --pool=img0,img1,...,img5 [--io=uring] [--degraded] \
 *       --filename=/bench/f --size=1g --rw=randread --bs=4k --iodepth=32
 *
 * Engine options (after ioengine=): pool= the members, comma-separated (a
 * pool spec: paths, UUID=, LABEL=); io= psync|direct|uring|aio overrides the
 * pool's I/O mode; degraded opens with members missing; workers= the I/O
 * threads of each job (default: min(iodepth, 16)).
 *
 * One pool handle for the whole fio process: the first job that needs it
 * opens it, the last job's cleanup closes it (jobs must agree on pool=, io=
 * and degraded).  That only works with jobs as threads: without thread=1
 * the engine refuses to run.  Files are named by their path in the pool
 * (FIO_DISKLESSIO: fio never touches a host file of that name); missing
 * directories are made, a missing file is created; a job that reads more
 * than the file holds has the rest written first (with a byte pattern), as
 * fio lays out host files.
 *
 * Asynchronous: queue() collects io_us, commit() hands them to the job's
 * workers (threads doing argos_read / argos_write / argos_fsync), and
 * getevents() waits for completions, so iodepth > 1 gives that many
 * requests in the engine at once.  With iodepth=1 queue() does the I/O
 * itself (no thread hand-off).
 *
 * Built without sanitizers (fio is not instrumented) and linked with a
 * private copy of the engine (fio-plugin/local.mk); only get_ioengine is
 * exported.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fio.h"
#include "optgroup.h"

#include "argosfs.h"

#define AFIO_WORKERS_MAX 64
#define AFIO_LAYOUT_CHUNK (1u << 20)

struct afio_opts {
	void        *pad;            /* fio stores the thread_data here */
	char        *pool;
	char        *io;
	unsigned int degraded;
	unsigned int workers;
	bool         held;           /* this job holds a reference on the pool */
};

static struct fio_option afio_options[] = {
	{
		.name     = "pool",
		.lname    = "ArgosFS pool",
		.type     = FIO_OPT_STR_STORE,
		.off1     = offsetof(struct afio_opts, pool),
		.help     = "Pool members, comma-separated (or UUID=, LABEL=)",
		.category = FIO_OPT_C_ENGINE,
		.group    = FIO_OPT_G_INVALID,
	},
	{
		.name     = "io",
		.lname    = "ArgosFS I/O mode",
		.type     = FIO_OPT_STR_STORE,
		.off1     = offsetof(struct afio_opts, io),
		.help     = "I/O mode of the pool: psync, direct, uring or aio (default: the pool's)",
		.category = FIO_OPT_C_ENGINE,
		.group    = FIO_OPT_G_INVALID,
	},
	{
		.name     = "degraded",
		.lname    = "ArgosFS degraded open",
		.type     = FIO_OPT_STR_SET,
		.off1     = offsetof(struct afio_opts, degraded),
		.help     = "Open the pool with members missing or stale",
		.category = FIO_OPT_C_ENGINE,
		.group    = FIO_OPT_G_INVALID,
	},
	{
		.name     = "workers",
		.lname    = "ArgosFS workers",
		.type     = FIO_OPT_INT,
		.off1     = offsetof(struct afio_opts, workers),
		.help     = "I/O threads per job (0: min(iodepth, 16))",
		.def      = "0",
		.category = FIO_OPT_C_ENGINE,
		.group    = FIO_OPT_G_INVALID,
	},
	{
		.name = NULL,
	},
};

/* ---- the shared pool --------------------------------------------------------- */

static pthread_mutex_t afio_lock = PTHREAD_MUTEX_INITIALIZER;   /* the fields below, names */
static argos_pool *afio_pool;
static unsigned afio_refs;
static char afio_pool_key[4096];        /* pool= io= degraded of the open */

static void afio_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (level <= ARGOS_LOG_WARNING)
		log_err("argosfs: %s\n", msg);
	else
		log_info("argosfs: %s\n", msg);
}

static const struct argos_log afio_logger = { .fn = afio_log, .max_level = ARGOS_LOG_NOTICE };

/* Take a reference on the pool (opening it first); 0 or 1 (said why). */
static int afio_pool_get(struct thread_data *td)
{
	struct afio_opts *o = td->eo;
	struct argos_open_opts oo = { .log = &afio_logger };
	char key[sizeof(afio_pool_key)], why[1024] = "", **paths = NULL;
	unsigned n = 0;
	int err;

	if (o->held)
		return 0;
	if (!td->o.use_thread) {
		log_err("argosfs: job %s: thread=1 is required (the jobs share one pool handle)\n",
			td->o.name);
		return 1;
	}
	if (!o->pool || !o->pool[0]) {
		log_err("argosfs: job %s: pool=<member,member,...> is required\n", td->o.name);
		return 1;
	}
	if (o->io && o->io[0] && argos_io_mode_parse(o->io) < 0) {
		log_err("argosfs: io=%s: expected psync, direct, uring or aio\n", o->io);
		return 1;
	}
	snprintf(key, sizeof(key), "%s|%s|%u", o->pool, o->io ? o->io : "", o->degraded);
	pthread_mutex_lock(&afio_lock);
	if (afio_pool) {
		if (strcmp(key, afio_pool_key)) {
			pthread_mutex_unlock(&afio_lock);
			log_err("argosfs: job %s: every job must use the same pool=, io= and "
				"degraded (one pool handle per fio process)\n", td->o.name);
			return 1;
		}
		afio_refs++;
		o->held = true;
		pthread_mutex_unlock(&afio_lock);
		return 0;
	}
	err = argos_spec_resolve(o->pool, NULL, &paths, &n, why, sizeof(why));
	if (!err) {
		oo.flags = o->degraded ? ARGOS_OPEN_DEGRADED : 0;
		oo.io = o->io && o->io[0] ? o->io : NULL;
		err = argos_pool_open((const char *const *)paths, n, &oo, &afio_pool, why,
				      sizeof(why));
		argos_paths_free(paths, n);
	}
	if (err) {
		pthread_mutex_unlock(&afio_lock);
		log_err("argosfs: %s: %s\n", o->pool, why[0] ? why : argos_strerror(err));
		return 1;
	}
	{
		struct argos_pool_status st;

		argos_pool_status(afio_pool, &st);
		log_info("argosfs: pool %s open: %u+%u, io %s%s\n", st.label[0] ? st.label : o->pool,
			 st.k, st.m, st.io, st.io_fallback ? " (fallback)" : "");
	}
	snprintf(afio_pool_key, sizeof(afio_pool_key), "%s", key);
	afio_refs = 1;
	o->held = true;
	pthread_mutex_unlock(&afio_lock);
	return 0;
}

static void afio_pool_put(struct afio_opts *o)
{
	int err;

	if (!o->held)
		return;
	o->held = false;
	pthread_mutex_lock(&afio_lock);
	if (--afio_refs == 0) {
		err = argos_pool_close(afio_pool);
		afio_pool = NULL;
		if (err)
			log_err("argosfs: closing the pool: %s\n", argos_strerror(err));
	}
	pthread_mutex_unlock(&afio_lock);
}

/* ---- files ------------------------------------------------------------------------ */

struct afio_file {
	argos_ino_t ino;
	uint64_t    fh;
};

/* Look name up in dir, making it (a directory, or with file a regular file)
 * when missing.  Caller holds afio_lock.  0 or -errno. */
static int afio_step(argos_ino_t dir, const char *name, bool file, struct argos_attr *a)
{
	int err = argos_lookup(afio_pool, dir, name, a);

	if (err != -ENOENT)
		return err;
	if (file)
		return argos_mknod(afio_pool, dir, name, S_IFREG | 0644, 0, &argos_root_cred, a);
	return argos_mkdir(afio_pool, dir, name, 0755, &argos_root_cred, a);
}

/* The inode of path (made when missing, directories too); 0 or -errno. */
static int afio_resolve(const char *path, bool create, struct argos_attr *out)
{
	char *copy = strdup(path), *save = NULL, *name, *next;
	argos_ino_t dir = ARGOS_ROOT_INO;
	int err = -ENOENT;

	if (!copy)
		return -ENOMEM;
	pthread_mutex_lock(&afio_lock);
	name = strtok_r(copy, "/", &save);
	while (name) {
		next = strtok_r(NULL, "/", &save);
		err = create ? afio_step(dir, name, !next, out) : argos_lookup(afio_pool, dir, name, out);
		if (err)
			break;
		argos_forget(afio_pool, out->ino, 1);   /* no kernel holds it: nothing to count */
		if (next && !S_ISDIR(out->mode)) {
			err = -ENOTDIR;
			break;
		}
		dir = out->ino;
		name = next;
	}
	pthread_mutex_unlock(&afio_lock);
	free(copy);
	if (!err && !S_ISREG(out->mode))
		err = -EISDIR;
	return err;
}

static int afio_get_file_size(struct thread_data *td, struct fio_file *f)
{
	struct argos_attr a;
	int err;

	if (fio_file_size_known(f))
		return 0;
	if (afio_pool_get(td))
		return 1;
	err = afio_resolve(f->file_name, false, &a);
	if (err == -ENOENT) {
		f->real_file_size = -1ULL;      /* fio uses size= */
	} else if (err) {
		log_err("argosfs: %s: %s\n", f->file_name, argos_strerror(err));
		return 1;
	} else {
		f->real_file_size = a.size;
	}
	fio_file_set_size_known(f);
	return 0;
}

/* Write [from, to) of a file with a pattern, for jobs that read what no
 * one wrote yet. */
static int afio_layout(struct afio_file *af, uint64_t from, uint64_t to)
{
	uint8_t *buf = malloc(AFIO_LAYOUT_CHUNK);
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < AFIO_LAYOUT_CHUNK; i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 12) + 1);
	while (!err && from < to) {
		size_t n = to - from > AFIO_LAYOUT_CHUNK ? AFIO_LAYOUT_CHUNK : (size_t)(to - from);
		int w = argos_write(afio_pool, af->ino, af->fh, buf, n, from);

		err = w < 0 ? w : (size_t)w != n ? -EIO : 0;
		from += n;
	}
	if (!err)
		err = argos_fsync(afio_pool, af->ino, 1);
	free(buf);
	return err;
}

static int afio_open_file(struct thread_data *td, struct fio_file *f)
{
	struct afio_file *af;
	struct argos_attr a;
	uint64_t end = f->file_offset + f->io_size;
	int err;

	if (afio_pool_get(td))
		return 1;
	af = calloc(1, sizeof(*af));
	if (!af)
		return ENOMEM;
	err = afio_resolve(f->file_name, true, &a);
	if (!err) {
		af->ino = a.ino;
		err = argos_open(afio_pool, af->ino, O_RDWR, &af->fh);
	}
	if (!err && td_read(td) && a.size < end && !td->o.read_iolog_file) {
		log_info("argosfs: %s: laying out %llu MiB\n", f->file_name,
			 (unsigned long long)((end - a.size) >> 20));
		err = afio_layout(af, a.size, end);
	}
	if (err) {
		log_err("argosfs: %s: %s\n", f->file_name, argos_strerror(err));
		td_verror(td, -err, "open_file");
		if (af->fh)
			argos_release(afio_pool, af->ino, af->fh);
		free(af);
		return 1;
	}
	f->engine_data = af;
	return 0;
}

static int afio_close_file(struct thread_data *td, struct fio_file *f)
{
	struct afio_file *af = f->engine_data;
	int err;

	(void)td;
	if (!af)
		return 0;
	f->engine_data = NULL;
	err = argos_release(afio_pool, af->ino, af->fh);
	free(af);
	return err ? -err : 0;
}

/* ---- asynchronous I/O ------------------------------------------------------------- */

struct afio_job {
	pthread_mutex_t lock;
	pthread_cond_t  work;        /* requests queued, or stop */
	pthread_cond_t  done;        /* a request completed */
	struct io_u   **pending;     /* queued by queue(), not yet committed */
	unsigned        npending;
	struct io_u   **ring;        /* committed, waiting for a worker (FIFO) */
	unsigned        rhead, rcount;
	struct io_u   **completed;   /* done, not yet reaped */
	unsigned        ncompleted;
	struct io_u   **events;      /* reaped by getevents, handed out by event */
	unsigned        depth;
	bool            stop;
	unsigned        nworkers;
	pthread_t       workers[AFIO_WORKERS_MAX];
};

/* Run one io_u: sets io_u->error and io_u->resid. */
static void afio_do(struct io_u *io_u)
{
	struct afio_file *af = io_u->file->engine_data;
	size_t len = io_u->xfer_buflen, done = 0;
	int n;

	io_u->error = 0;
	switch (io_u->ddir) {
	case DDIR_READ:
		while (done < len) {
			n = argos_read(afio_pool, af->ino, af->fh, (char *)io_u->xfer_buf + done,
				       len - done, io_u->offset + done);
			if (n <= 0) {
				if (n < 0)
					io_u->error = -n;
				break;
			}
			done += (size_t)n;
		}
		io_u->resid = len - done;
		break;
	case DDIR_WRITE:
		n = argos_write(afio_pool, af->ino, af->fh, io_u->xfer_buf, len, io_u->offset);
		if (n < 0)
			io_u->error = -n;
		else
			io_u->resid = len - (size_t)n;
		break;
	case DDIR_SYNC:
	case DDIR_DATASYNC:
		n = argos_fsync(afio_pool, af->ino, io_u->ddir == DDIR_DATASYNC);
		if (n < 0)
			io_u->error = -n;
		break;
	default:
		io_u->error = EINVAL;   /* trim: not supported */
		break;
	}
}

static void *afio_worker(void *arg)
{
	struct afio_job *j = arg;
	struct io_u *io_u;

	pthread_mutex_lock(&j->lock);
	for (;;) {
		while (!j->rcount && !j->stop)
			pthread_cond_wait(&j->work, &j->lock);
		if (!j->rcount)
			break;
		io_u = j->ring[j->rhead];
		j->rhead = (j->rhead + 1) % j->depth;
		j->rcount--;
		pthread_mutex_unlock(&j->lock);
		afio_do(io_u);
		pthread_mutex_lock(&j->lock);
		j->completed[j->ncompleted++] = io_u;
		pthread_cond_signal(&j->done);
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

static void afio_job_free(struct afio_job *j)
{
	pthread_mutex_lock(&j->lock);
	j->stop = true;
	pthread_cond_broadcast(&j->work);
	pthread_mutex_unlock(&j->lock);
	for (unsigned i = 0; i < j->nworkers; i++)
		pthread_join(j->workers[i], NULL);
	pthread_cond_destroy(&j->done);
	pthread_cond_destroy(&j->work);
	pthread_mutex_destroy(&j->lock);
	free(j->pending);
	free(j->ring);
	free(j->completed);
	free(j->events);
	free(j);
}

static int afio_init(struct thread_data *td)
{
	struct afio_opts *o = td->eo;
	struct afio_job *j;
	unsigned want;

	if (afio_pool_get(td))
		return 1;
	j = calloc(1, sizeof(*j));
	if (!j)
		return 1;
	j->depth = td->o.iodepth ? td->o.iodepth : 1;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->work, NULL);
	pthread_cond_init(&j->done, NULL);
	j->pending = calloc(j->depth, sizeof(*j->pending));
	j->ring = calloc(j->depth, sizeof(*j->ring));
	j->completed = calloc(j->depth, sizeof(*j->completed));
	j->events = calloc(j->depth, sizeof(*j->events));
	td->io_ops_data = j;
	if (!j->pending || !j->ring || !j->completed || !j->events)
		return 1;
	want = o->workers ? o->workers : j->depth < 16 ? j->depth : 16;
	if (want > AFIO_WORKERS_MAX)
		want = AFIO_WORKERS_MAX;
	if (j->depth > 1)
		for (; j->nworkers < want; j->nworkers++)
			if (pthread_create(&j->workers[j->nworkers], NULL, afio_worker, j))
				return 1;
	return 0;
}

static void afio_cleanup(struct thread_data *td)
{
	struct afio_job *j = td->io_ops_data;

	if (j)
		afio_job_free(j);
	td->io_ops_data = NULL;
	if (td->eo)
		afio_pool_put(td->eo);
}

static enum fio_q_status afio_queue(struct thread_data *td, struct io_u *io_u)
{
	struct afio_job *j = td->io_ops_data;

	fio_ro_check(td, io_u);
	if (!j->nworkers) {             /* iodepth=1: synchronous */
		afio_do(io_u);
		return FIO_Q_COMPLETED;
	}
	if (j->npending == j->depth)
		return FIO_Q_BUSY;
	j->pending[j->npending++] = io_u;
	return FIO_Q_QUEUED;
}

static int afio_commit(struct thread_data *td)
{
	struct afio_job *j = td->io_ops_data;

	if (!j->npending)
		return 0;
	pthread_mutex_lock(&j->lock);
	for (unsigned i = 0; i < j->npending; i++) {
		j->ring[(j->rhead + j->rcount) % j->depth] = j->pending[i];
		j->rcount++;
	}
	if (j->npending == 1)
		pthread_cond_signal(&j->work);
	else
		pthread_cond_broadcast(&j->work);
	pthread_mutex_unlock(&j->lock);
	io_u_mark_submit(td, j->npending);
	j->npending = 0;
	return 0;
}

static int afio_getevents(struct thread_data *td, unsigned int min, unsigned int max,
			  const struct timespec *t)
{
	struct afio_job *j = td->io_ops_data;
	struct timespec until;
	unsigned n;

	if (t) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += t->tv_sec;
		until.tv_nsec += t->tv_nsec;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&j->lock);
	while (j->ncompleted < min) {
		if (!t)
			pthread_cond_wait(&j->done, &j->lock);
		else if (pthread_cond_timedwait(&j->done, &j->lock, &until) == ETIMEDOUT)
			break;
	}
	n = j->ncompleted < max ? j->ncompleted : max;
	memcpy(j->events, j->completed, n * sizeof(*j->events));
	memmove(j->completed, j->completed + n, (j->ncompleted - n) * sizeof(*j->completed));
	j->ncompleted -= n;
	pthread_mutex_unlock(&j->lock);
	return (int)n;
}

static struct io_u *afio_event(struct thread_data *td, int event)
{
	struct afio_job *j = td->io_ops_data;

	return j->events[event];
}

static struct ioengine_ops afio_ops = {
	.name               = "argosfs",
	.version            = FIO_IOOPS_VERSION,
	.flags              = FIO_DISKLESSIO | FIO_NODISKUTIL,
	.init               = afio_init,
	.cleanup            = afio_cleanup,
	.queue              = afio_queue,
	.commit             = afio_commit,
	.getevents          = afio_getevents,
	.event              = afio_event,
	.open_file          = afio_open_file,
	.close_file         = afio_close_file,
	.get_file_size      = afio_get_file_size,
	.options            = afio_options,
	.option_struct_size = sizeof(struct afio_opts),
};

void get_ioengine(struct ioengine_ops **ops);

void get_ioengine(struct ioengine_ops **ops)
{
	*ops = &afio_ops;
}
