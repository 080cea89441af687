/*
 * pool_errors.c — the superblock's errors flag (AD_SBF_ERRORS) of an open pool.
 *
 * Set when the engine finds damage it could not repair: a metadata page with
 * no valid mirror (pool_read_page).  (A stripe row with fewer than k good
 * chunks, data_read.c's EIO, is to call it too: not wired yet.)  The reader has logged what; pool_record_error() only notes it and
 * wakes the background thread, which writes a generation with the flag (the
 * reader may hold the store's locks, so it does not write itself).  The close
 * writes it too when the background thread had no chance.  From then on every
 * generation carries it (pool_commit_generation copies the flags), and a
 * read-write open is refused with -EUCLEAN until fsck -y, having repaired
 * everything, clears it (fsck.c) — or the open is forced (ARGOS_OPEN_FORCE).
 *
 * A read-only pool writes nothing: the damage is logged and the next
 * read-write mount meets it again.  fsck's own opens (POOL_FSCK) ignore it:
 * fsck reports each finding and decides about the flag itself.
 */
#include <errno.h>

#include "elog.h"
#include "pool.h"

void pool_record_error(struct argos_pool *p)
{
	if (p->iflags & POOL_FSCK)
		return;
	if (__atomic_exchange_n(&p->errors_seen, 1, __ATOMIC_ACQ_REL))
		return;   /* already noted */
	if (p->rdonly) {
		elog_err(&p->log, "the pool is open read-only: the errors flag cannot be recorded; "
			 "run fsck.argosfs -y");
		return;
	}
	elog_err(&p->log, "setting the pool's errors flag: fsck.argosfs must repair the pool "
		 "before its next read-write mount");
	pthread_mutex_lock(&p->bg_lock);
	pthread_cond_signal(&p->bg_cond);
	pthread_mutex_unlock(&p->bg_lock);
}

int pool_write_errors_flag(struct argos_pool *p)
{
	struct gen_update u = { .set_flags = AD_SBF_ERRORS };
	char why[AD_WHY_MAX] = "";
	int err;

	if (!__atomic_load_n(&p->errors_seen, __ATOMIC_ACQUIRE) || p->errors_written ||
	    p->rdonly || !p->st.writable || p->st.err)
		return 0;
	err = pool_commit_generation(p, &u, why, sizeof(why));
	if (err) {
		elog_err(&p->log, "writing the errors flag failed: %s",
			 why[0] ? why : argos_strerror(err));
		return err;
	}
	p->errors_written = true;
	return 0;
}
