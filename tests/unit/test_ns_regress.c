/*
 * test_ns_regress.c — cases test_ns_model found, kept as fixed regressions.
 *
 * Description: on a 4+2 pool of image files, each case replays the shortest
 * sequence that showed an engine bug; its comment says what went wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <cmocka.h>

#include "argosfs.h"
#include "pool.h"
#include "store.h"
#include "tpool.h"

#define NMEM 6
#define ROOT ARGOS_ROOT_INO

struct fx {
	struct tpool tp;
	argos_pool *p;
};

static void reopen(struct fx *f)
{
	struct argos_open_opts o = { .commit_ms = 60000, .ckpt_ms = 600000 };
	char why[256];

	if (f->p)
		assert_int_equal(argos_pool_close(f->p), 0);
	if (tpool_open(&f->tp, &o, &f->p, why, sizeof(why)))
		fail_msg("open: %s", why);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .k = 4, .m = 2, .m_set = true };
	char why[256];

	if (tpool_make(&f->tp, NULL, "nsreg", NMEM, 40ull << 20, &o, why, sizeof(why)))
		fail_msg("mkfs: %s", why);
	reopen(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->p)
		argos_pool_close(f->p);
	tpool_remove(&f->tp);
	free(f);
	return 0;
}

/* ---- the store: emptying a leaf and refilling its range in one transaction ---- */

#define BIG 1900            /* two items per leaf */

struct refill {
	uint64_t first, n;      /* delete items first..first+n-1, then put them back */
	uint8_t fill;
};

static struct ad_key key_of(uint64_t i)
{
	return (struct ad_key){ .oid = 5000 + i, .type = AD_KT_PROP, .off = 0 };
}

static int refill_fn(struct txn *t, void *arg)
{
	struct refill *r = arg;
	uint8_t v[BIG];

	memset(v, r->fill, sizeof(v));
	for (uint64_t i = r->first; i < r->first + r->n; i++) {
		struct ad_key k = key_of(i);

		txn_del(t, &k);
	}
	for (uint64_t i = r->first; i < r->first + r->n; i++) {
		struct ad_key k = key_of(i);

		txn_put(t, &k, v, sizeof(v));
	}
	return 0;
}

struct look {
	uint64_t i;
	uint8_t fill;
	bool ok;
};

static int look_fn(struct txn *t, void *arg)
{
	struct look *l = arg;
	struct ad_key k = key_of(l->i);
	uint8_t v[AD_ITEM_MAX];
	size_t len;
	int err = txn_get(t, &k, v, sizeof(v), &len);

	if (err)
		return err;
	l->ok = len == BIG && v[0] == l->fill && v[BIG - 1] == l->fill;
	return 0;
}

/*
 * A delete that empties a leaf unlinked it, so its key range went to a
 * sibling the transaction had not probed (a cold cache after reopen); the put
 * that followed faulted while the transaction was being applied, and the
 * store failed for good with EAGAIN.  Seen as setxattr replacing a large value
 * (its XVAL parts deleted, then put again) after a reopen.
 */
static void test_store_refill_emptied_leaf(void **state)
{
	struct fx *f = *state;
	struct refill all = { .first = 0, .n = 24, .fill = 1 };

	assert_int_equal(store_txn(&f->p->st, refill_fn, &all, STORE_SYNC), 0);
	for (uint64_t first = 1; first < 24; first++) {
		struct refill r = { .first = first, .n = 24 - first, .fill = (uint8_t)(first + 1) };

		reopen(f);   /* cold cache: only what the open itself read */
		assert_int_equal(store_txn(&f->p->st, refill_fn, &r, 0), 0);
		for (uint64_t i = 0; i < 24; i++) {
			struct look l = { .i = i, .fill = i < first ? (uint8_t)(i ? i + 1 : 1)
							      : (uint8_t)(first + 1) };

			assert_int_equal(store_read(&f->p->st, look_fn, &l), 0);
			if (!l.ok)
				fail_msg("item %llu wrong after refilling from %llu",
					 (unsigned long long)i, (unsigned long long)first);
		}
	}
}

/* ---- namespace: results as ext4 gives them -------------------------------------- */

static argos_ino_t mk(argos_pool *p, argos_ino_t dir, const char *name, uint32_t mode)
{
	struct argos_attr a;

	assert_int_equal(argos_mknod(p, dir, name, mode, 0, NULL, &a), 0);
	return a.ino;
}

static int count_fn(void *ctx, const char *name, const struct argos_attr *a, uint64_t next)
{
	(void)name;
	(void)a;
	(void)next;
	++*(unsigned *)ctx;
	return 0;
}

static unsigned count_entries(argos_pool *p, argos_ino_t dir)
{
	unsigned n = 0;

	assert_int_equal(argos_readdir(p, dir, 0, false, count_fn, &n), 0);
	return n;
}

/* create() took "." and ".." for new names and added entries called so. */
static void test_create_dot(void **state)
{
	struct fx *f = *state;
	struct argos_attr a;
	uint64_t fh;

	assert_int_equal(argos_create(f->p, ROOT, ".", 0644, O_RDWR, NULL, &a, &fh), -EEXIST);
	assert_int_equal(argos_create(f->p, ROOT, "..", 0644, O_RDWR, NULL, &a, &fh), -EEXIST);
	assert_int_equal(count_entries(f->p, ROOT), 2);
}

/* mkdir(2) keeps rwx and sticky only (vfs_mkdir()); setgid comes from the parent. */
static void test_mkdir_mode(void **state)
{
	struct fx *f = *state;
	struct argos_attr a, set = { .mode = 02755 };

	assert_int_equal(argos_mkdir(f->p, ROOT, "d", 07777, NULL, &a), 0);
	assert_int_equal(a.mode, S_IFDIR | 01777);
	assert_int_equal(argos_setattr(f->p, a.ino, &set, ARGOS_SET_MODE, NULL, NULL), 0);
	assert_int_equal(argos_mkdir(f->p, a.ino, "e", 06700, NULL, &a), 0);
	assert_int_equal(a.mode, S_IFDIR | 02700);
}

/* In a setgid directory a new file loses setgid only when group-executable
 * (mode_strip_sgid()): setgid without it marks mandatory locking. */
static void test_setgid_without_group_exec(void **state)
{
	struct fx *f = *state;
	struct argos_cred u = { .uid = 1000, .gid = 1000 };
	struct argos_attr a, set = { .mode = 02777, .gid = 50 };
	argos_ino_t d;

	assert_int_equal(argos_mkdir(f->p, ROOT, "sg", 0777, NULL, &a), 0);
	d = a.ino;
	assert_int_equal(argos_setattr(f->p, d, &set, ARGOS_SET_MODE | ARGOS_SET_GID, NULL, NULL), 0);
	assert_int_equal(argos_mknod(f->p, d, "lock", S_IFREG | 02644, 0, &u, &a), 0);
	assert_int_equal(a.mode, S_IFREG | 02644);
	assert_int_equal(argos_mknod(f->p, d, "exec", S_IFREG | 02754, 0, &u, &a), 0);
	assert_int_equal(a.mode, S_IFREG | 0754);
}

/* link(2) looks at the new name (filename_create()) before the inode (vfs_link()). */
static void test_link_order(void **state)
{
	struct fx *f = *state;
	struct argos_attr a;
	argos_ino_t d, x;
	uint64_t fh;

	assert_int_equal(argos_mkdir(f->p, ROOT, "d", 0755, NULL, &a), 0);
	d = a.ino;
	x = mk(f->p, ROOT, "x", S_IFREG | 0644);
	assert_int_equal(argos_link(f->p, d, ROOT, "x", &a), -EEXIST);
	assert_int_equal(argos_link(f->p, d, x, "y", &a), -ENOTDIR);
	assert_int_equal(argos_link(f->p, d, ROOT, "y", &a), -EPERM);
	assert_int_equal(argos_open(f->p, x, O_RDONLY, &fh), 0);
	assert_int_equal(argos_unlink(f->p, ROOT, "x"), 0);
	assert_int_equal(argos_link(f->p, x, ROOT, "d", &a), -EEXIST);
	assert_int_equal(argos_link(f->p, x, ROOT, "y", &a), -ENOENT);
	assert_int_equal(argos_release(f->p, x, fh), 0);
}

/* rename(2) of "." or "..": EBUSY (do_renameat2()); as a NOREPLACE target, EEXIST. */
static void test_rename_dots(void **state)
{
	struct fx *f = *state;

	mk(f->p, ROOT, "a", S_IFREG | 0644);
	assert_int_equal(argos_rename(f->p, ROOT, ".", ROOT, "b", 0), -EBUSY);
	assert_int_equal(argos_rename(f->p, ROOT, "..", ROOT, "b", 0), -EBUSY);
	assert_int_equal(argos_rename(f->p, ROOT, "a", ROOT, "..", 0), -EBUSY);
	assert_int_equal(argos_rename(f->p, ROOT, "a", ROOT, ".", ARGOS_RENAME_EXCHANGE), -EBUSY);
	assert_int_equal(argos_rename(f->p, ROOT, "a", ROOT, ".", ARGOS_RENAME_NOREPLACE), -EEXIST);
}

/* A rename over a directory above the source is lock_rename()'s trap:
 * ENOTEMPTY (EXCHANGE: EINVAL), whatever the source is. */
static void test_rename_over_ancestor(void **state)
{
	struct fx *f = *state;
	struct argos_attr a;
	argos_ino_t da, db;

	assert_int_equal(argos_mkdir(f->p, ROOT, "a", 0755, NULL, &a), 0);
	da = a.ino;
	assert_int_equal(argos_mkdir(f->p, da, "b", 0755, NULL, &a), 0);
	db = a.ino;
	mk(f->p, db, "file", S_IFREG | 0644);
	assert_int_equal(argos_mkdir(f->p, db, "dir", 0755, NULL, &a), 0);
	assert_int_equal(argos_rename(f->p, db, "file", ROOT, "a", 0), -ENOTEMPTY);
	assert_int_equal(argos_rename(f->p, db, "dir", ROOT, "a", 0), -ENOTEMPTY);
	assert_int_equal(argos_rename(f->p, db, "file", da, "b", 0), -ENOTEMPTY);
	assert_int_equal(argos_rename(f->p, db, "file", ROOT, "a", ARGOS_RENAME_EXCHANGE), -EINVAL);
}

/* xattr checks in the VFS's order: flags, name length (an empty name is
 * ERANGE), the inode, the namespace's permission, then the namespace (none:
 * EOPNOTSUPP; a bare prefix: EINVAL). */
static void test_xattr_order(void **state)
{
	struct fx *f = *state;
	struct argos_attr a;
	argos_ino_t x = mk(f->p, ROOT, "x", S_IFREG | 0644);
	char buf[16];

	assert_int_equal(argos_symlink(f->p, ROOT, "l", "x", NULL, &a), 0);
	assert_int_equal(argos_setxattr(f->p, x, "", "v", 1, 0, NULL), -ERANGE);
	assert_int_equal(argos_getxattr(f->p, x, "", buf, sizeof(buf)), -ERANGE);
	assert_int_equal(argos_removexattr(f->p, x, "", NULL), -ERANGE);
	assert_int_equal(argos_setxattr(f->p, x, "", "v", 1, 4, NULL), -EINVAL);
	assert_int_equal(argos_setxattr(f->p, x, "user.", "v", 1, 0, NULL), -EINVAL);
	assert_int_equal(argos_getxattr(f->p, x, "trusted.", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(argos_setxattr(f->p, a.ino, "user.", "v", 1, 0, NULL), -EPERM);
	assert_int_equal(argos_setxattr(f->p, 999999, "bogus.x", "v", 1, 0, NULL), -ENOENT);
	assert_int_equal(argos_setxattr(f->p, x, "bogus.x", "v", 1, 0, NULL), -EOPNOTSUPP);
	assert_int_equal(argos_setxattr(f->p, x, "system.x", "v", 1, 0, NULL), -EOPNOTSUPP);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_refill_emptied_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_dot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setgid_without_group_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_dots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_over_ancestor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xattr_order, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
