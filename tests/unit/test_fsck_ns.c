/*
 * test_fsck_ns.c — Description: fsck phase 4 (the namespace) on pools of
 * image files.  Files, directories, symlinks and xattrs are made through the
 * public API, then broken deliberately with engine transactions (txn_put,
 * txn_del in a store_txn).  For each kind of damage: fsck -f -n exits 4 with
 * the expected codes and changes no image, fsck -f -y exits 1 with all fixed,
 * a second fsck -f -n exits 0, and the files read back right.  Also: a clean
 * pool is skipped without -f, and an orphan left by a crash is freed by -p.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ad_defer.h"
#include "ad_items.h"
#include "ad_stripe.h"
#include "ad_prop.h"
#include "argosfs.h"
#include "ns.h"
#include "pool.h"
#include "store.h"
#include "tfsck.h"

#define NMEM 3
#define IMG (64ull << 20)

static int setup(void **state)
{
	struct tf *f = calloc(1, sizeof(*f));
	struct argos_mkfs_opts o = { .journal_size = 4u << 20 };

	assert_non_null(f);
	tf_make(f, "fsckns", NMEM, IMG, &o);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	tf_remove(*state);
	free(*state);
	return 0;
}

/* ---- building and breaking ------------------------------------------------------- */

static uint8_t pattern(uint64_t i, uint8_t seed)
{
	return (uint8_t)(i * 131 + seed + (i >> 12));
}

static uint64_t make_file(argos_pool *p, uint64_t dir, const char *name, size_t size, uint8_t seed)
{
	struct argos_attr a;
	uint64_t fh;
	uint8_t *buf = malloc(size ? size : 1);

	assert_non_null(buf);
	for (size_t i = 0; i < size; i++)
		buf[i] = pattern(i, seed);
	assert_int_equal(argos_create(p, dir, name, 0100644, O_RDWR, &argos_root_cred, &a, &fh), 0);
	if (size)
		assert_int_equal(argos_write(p, a.ino, fh, buf, size, 0), (int)size);
	assert_int_equal(argos_release(p, a.ino, fh), 0);
	free(buf);
	return a.ino;
}

static uint64_t make_dir(argos_pool *p, uint64_t dir, const char *name)
{
	struct argos_attr a;

	assert_int_equal(argos_mkdir(p, dir, name, 040755, &argos_root_cred, &a), 0);
	return a.ino;
}

static void check_file(argos_pool *p, uint64_t ino, size_t size, uint8_t seed)
{
	uint8_t *buf = malloc(size + 1);
	struct argos_attr a;

	assert_non_null(buf);
	assert_int_equal(argos_getattr(p, ino, &a), 0);
	assert_int_equal(a.size, size);
	assert_int_equal(argos_read(p, ino, 0, buf, size + 1, 0), (int)size);
	for (size_t i = 0; i < size; i++)
		if (buf[i] != pattern(i, seed))
			fail_msg("inode %llu: byte %zu differs", (unsigned long long)ino, i);
	free(buf);
}

static uint64_t lookup(argos_pool *p, uint64_t dir, const char *name)
{
	struct argos_attr a;
	int err = argos_lookup(p, dir, name, &a);

	if (err)
		fail_msg("lookup %s: %s", name, argos_strerror(err));
	argos_forget(p, a.ino, 1);
	return a.ino;
}

/* What a test breaks, in one transaction. */
struct brk {
	argos_pool *p;
	int (*fn)(struct brk *b, struct txn *t);
	uint64_t ino, ino2;
	const char *name;
};

static int brk_fn(struct txn *t, void *arg)
{
	struct brk *b = arg;

	return b->fn(b, t);
}

static void run_brk(struct brk *b)
{
	assert_int_equal(store_txn(&b->p->st, brk_fn, b, STORE_SYNC), 0);
}

/* inode fields: change with a function */
static int edit_inode(struct txn *t, uint64_t ino, void (*edit)(struct ad_inode *in, uint64_t v),
		      uint64_t v)
{
	struct ad_inode in;
	int err = ns_get_inode(t, ino, &in);

	if (err)
		return err;
	edit(&in, v);
	return ns_put_inode(t, ino, &in);
}

static void one_less_entry(struct ad_inode *in, uint64_t v)
{
	(void)v;
	in->nentries--;
}

static void one_less_subdir(struct ad_inode *in, uint64_t v)
{
	(void)v;
	in->nentries--;
	ns_dir_drop_subdir(in);
}

/* ---- a clean namespace -------------------------------------------------------------- */

static void populate(argos_pool *p)
{
	uint64_t d = make_dir(p, ARGOS_ROOT_INO, "d"), e = make_dir(p, d, "e"), f;
	struct argos_attr a;
	char big[3000];

	f = make_file(p, d, "f", 700000, 1);
	make_file(p, e, "g", 5000, 2);
	make_file(p, ARGOS_ROOT_INO, "empty", 0, 3);
	assert_int_equal(argos_link(p, f, ARGOS_ROOT_INO, "f-link", &a), 0);
	argos_forget(p, f, 1);
	assert_int_equal(argos_symlink(p, d, "s", "../f-link", &argos_root_cred, &a), 0);
	memset(big, 'x', sizeof(big));
	assert_int_equal(argos_setxattr(p, f, "user.big", big, sizeof(big), 0, &argos_root_cred), 0);
	assert_int_equal(argos_setxattr(p, f, "user.small", "v", 1, 0, &argos_root_cred), 0);
	assert_int_equal(argos_unlink(p, ARGOS_ROOT_INO, "empty"), 0);
}

static void test_fsck_ns_clean(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	struct tf_seen s;

	populate(p);
	assert_int_equal(argos_pool_close(p), 0);
	/* Clean and not forced: phases 4 and 5 are skipped. */
	assert_int_equal(tf_fsck(f, ARGOS_FSCK_CHECK, false, &s), ARGOS_FSCK_OK);
	assert_true(s.skipped_clean);
	assert_int_equal(tf_fsck(f, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_OK);
	assert_false(s.skipped_clean);
	assert_int_equal(s.n, 0);
}

/* ---- link counts, entries ------------------------------------------------------------- */

static void nlink_five(struct ad_inode *in, uint64_t v)
{
	(void)v;
	in->nlink = 5;
}

static int brk_nlink(struct brk *b, struct txn *t)
{
	return edit_inode(t, b->ino, nlink_five, 0);
}

static void test_fsck_ns_nlink(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t ino = make_file(p, ARGOS_ROOT_INO, "f", 100000, 7);
	struct brk b = { .p = p, .fn = brk_nlink, .ino = ino };
	const char *const want[] = { "PR_4_NLINK", NULL };
	struct argos_attr a;

	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	assert_int_equal(argos_getattr(p, ino, &a), 0);
	assert_int_equal(a.nlink, 1);
	check_file(p, ino, 100000, 7);
	assert_int_equal(argos_pool_close(p), 0);
}

static int brk_dangling(struct brk *b, struct txn *t)
{
	return ns_dir_insert(b->p, t, ARGOS_ROOT_INO, "ghost", 5, 99999, DT_REG);
}

static void test_fsck_ns_dangling(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t ino = make_file(p, ARGOS_ROOT_INO, "f", 3000, 8);
	struct brk b = { .p = p, .fn = brk_dangling };
	const char *const want[] = { "PR_4_DIRENT_DANGLING", NULL };
	struct argos_attr a;

	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	assert_int_equal(argos_lookup(p, ARGOS_ROOT_INO, "ghost", &a), -ENOENT);
	check_file(p, ino, 3000, 8);
	assert_int_equal(argos_pool_close(p), 0);
}

static int brk_type(struct brk *b, struct txn *t)
{
	return ns_dir_set(b->p, t, ARGOS_ROOT_INO, "f", 1, b->ino, DT_LNK);
}

static int brk_alias(struct brk *b, struct txn *t)
{
	return ns_dir_insert(b->p, t, ARGOS_ROOT_INO, "alias", 5, b->ino2, DT_DIR);
}

/* An entry with the wrong type; a second name of a directory. */
static void test_fsck_ns_entries(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t ino = make_file(p, ARGOS_ROOT_INO, "f", 3000, 9), d = make_dir(p, ARGOS_ROOT_INO, "d");
	struct brk b = { .p = p, .fn = brk_type, .ino = ino, .ino2 = d };
	const char *const want[] = { "PR_4_DIRENT_TYPE", "PR_4_DIR_MULTI", NULL };
	struct argos_attr a;

	run_brk(&b);
	b.fn = brk_alias;
	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	/* Both names are in the root, so either may be the one kept (the
	 * first in hash order, and the hash is keyed per mkfs): exactly one. */
	{
		int e1 = argos_lookup(p, ARGOS_ROOT_INO, "alias", &a);

		if (e1 == 0) {
			assert_int_equal(a.ino, d);
			argos_forget(p, a.ino, 1);
			assert_int_equal(argos_lookup(p, ARGOS_ROOT_INO, "d", &a), -ENOENT);
		} else {
			assert_int_equal(e1, -ENOENT);
			assert_int_equal(lookup(p, ARGOS_ROOT_INO, "d"), d);
		}
	}
	assert_int_equal(argos_lookup(p, ARGOS_ROOT_INO, "f", &a), 0);
	assert_true((a.mode & S_IFMT) == S_IFREG);
	argos_forget(p, a.ino, 1);
	check_file(p, ino, 3000, 9);
	assert_int_equal(argos_pool_close(p), 0);
}

/* ---- unreachable inodes: lost+found --------------------------------------------------- */

static int brk_unlink_file(struct brk *b, struct txn *t)
{
	int err = ns_dir_delete(b->p, t, ARGOS_ROOT_INO, b->name, strlen(b->name));

	return err ? err : edit_inode(t, ARGOS_ROOT_INO, one_less_entry, 0);
}

static int brk_unlink_dir(struct brk *b, struct txn *t)
{
	int err = ns_dir_delete(b->p, t, ARGOS_ROOT_INO, b->name, strlen(b->name));

	return err ? err : edit_inode(t, ARGOS_ROOT_INO, one_less_subdir, 0);
}

static void test_fsck_ns_lost_found(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t ino = make_file(p, ARGOS_ROOT_INO, "f", 1300000, 10);
	uint64_t d = make_dir(p, ARGOS_ROOT_INO, "d"), g = make_file(p, d, "g", 5000, 11);
	struct brk b = { .p = p, .fn = brk_unlink_file, .name = "f" };
	const char *const want[] = { "PR_4_UNREACHABLE", "PR_4_DIR_UNREACHABLE", NULL };
	uint64_t lf;
	char name[32];
	struct argos_attr a;

	run_brk(&b);
	b.fn = brk_unlink_dir;
	b.name = "d";
	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	lf = lookup(p, ARGOS_ROOT_INO, "lost+found");
	assert_int_equal(argos_getattr(p, lf, &a), 0);
	assert_int_equal(a.mode, 040700);
	assert_int_equal(a.nlink, 3);
	snprintf(name, sizeof(name), "#%llu", (unsigned long long)ino);
	assert_int_equal(lookup(p, lf, name), ino);
	check_file(p, ino, 1300000, 10);
	snprintf(name, sizeof(name), "#%llu", (unsigned long long)d);
	assert_int_equal(lookup(p, lf, name), d);
	assert_int_equal(lookup(p, d, "g"), g);
	check_file(p, g, 5000, 11);
	assert_int_equal(argos_rmdir(p, lf, name), -ENOTEMPTY);
	assert_int_equal(argos_pool_close(p), 0);
}

/* a and b hold each other, cut off from the root. */
static void set_parent(struct ad_inode *in, uint64_t v)
{
	in->parent = v;
}

static void one_more_subdir(struct ad_inode *in, uint64_t v)
{
	(void)v;
	in->nentries++;
	ns_dir_add_subdir(in);
}

static int brk_loop(struct brk *b, struct txn *t)
{
	int err = ns_dir_delete(b->p, t, ARGOS_ROOT_INO, "a", 1);

	if (!err)
		err = edit_inode(t, ARGOS_ROOT_INO, one_less_subdir, 0);
	if (!err)
		err = ns_dir_insert(b->p, t, b->ino2, "up", 2, b->ino, DT_DIR);
	if (!err)
		err = edit_inode(t, b->ino2, one_more_subdir, 0);
	return err ? err : edit_inode(t, b->ino, set_parent, b->ino2);
}

static void test_fsck_ns_loop(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t a = make_dir(p, ARGOS_ROOT_INO, "a"), bb = make_dir(p, a, "b");
	uint64_t x = make_file(p, bb, "x", 20000, 12);
	struct brk b = { .p = p, .fn = brk_loop, .ino = a, .ino2 = bb };
	const char *const want[] = { "PR_4_DIR_LOOP", NULL };
	uint64_t lf;
	char name[32];

	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	lf = lookup(p, ARGOS_ROOT_INO, "lost+found");
	snprintf(name, sizeof(name), "#%llu", (unsigned long long)a);
	assert_int_equal(lookup(p, lf, name), a);
	assert_int_equal(lookup(p, a, "b"), bb);
	assert_int_equal(lookup(p, bb, "x"), x);
	check_file(p, x, 20000, 12);
	assert_int_equal(argos_pool_close(p), 0);
}

/* ---- directory counts and parents ---------------------------------------------------------- */

static void bad_counts(struct ad_inode *in, uint64_t v)
{
	(void)v;
	in->nentries = 7;
	in->nsubdirs = 3;
}


static int brk_counts(struct brk *b, struct txn *t)
{
	int err = edit_inode(t, b->ino, bad_counts, 0);

	return err ? err : edit_inode(t, b->ino2, set_parent, ARGOS_ROOT_INO);
}

static void test_fsck_ns_dir_counts(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t d = make_dir(p, ARGOS_ROOT_INO, "d"), e = make_dir(p, d, "e");
	struct brk b = { .p = p, .fn = brk_counts, .ino = d, .ino2 = e };
	const char *const want[] = { "PR_4_DIR_COUNT", "PR_4_DIR_PARENT", NULL };
	struct argos_attr a;

	make_file(p, d, "f", 100, 13);
	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	assert_int_equal(argos_rmdir(p, d, "e"), 0);
	assert_int_equal(argos_unlink(p, d, "f"), 0);
	assert_int_equal(argos_rmdir(p, ARGOS_ROOT_INO, "d"), 0);
	assert_int_equal(argos_getattr(p, ARGOS_ROOT_INO, &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(argos_pool_close(p), 0);
}

/* ---- orphans --------------------------------------------------------------------------------- */

/* Open, unlink, crash: the orphan is normal after a crash, and -p frees it. */
static void test_fsck_ns_orphan(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t keep = make_file(p, ARGOS_ROOT_INO, "keep", 50000, 14), fh;
	struct argos_attr a;
	uint8_t buf[8192];
	struct tf_seen s;
	const char *const want[] = { "PR_1_UNCLEAN", "PR_4_ORPHAN", NULL };

	memset(buf, 0x77, sizeof(buf));
	assert_int_equal(argos_create(p, ARGOS_ROOT_INO, "tmp", 0100600, O_RDWR, &argos_root_cred,
				      &a, &fh), 0);
	assert_int_equal(argos_write(p, a.ino, fh, buf, sizeof(buf), 0), (int)sizeof(buf));
	assert_int_equal(argos_fsync(p, a.ino, 0), 0);
	assert_int_equal(argos_unlink(p, ARGOS_ROOT_INO, "tmp"), 0);
	assert_int_equal(argos_fsyncdir(p, ARGOS_ROOT_INO), 0);
	tf_crash(p);
	tf_sums(f);
	assert_int_equal(tf_fsck(f, ARGOS_FSCK_CHECK, false, &s), ARGOS_FSCK_UNCORRECTED);
	tf_expect(&s, want);
	tf_sums_same(f);
	assert_int_equal(tf_fsck(f, ARGOS_FSCK_PREEN, false, &s), ARGOS_FSCK_CORRECTED);
	tf_expect(&s, want);
	tf_all_fixed(&s);
	assert_int_equal(tf_fsck(f, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_OK);
	p = tf_open(f, 0);
	assert_int_equal(argos_getattr(p, a.ino, &a), -ENOENT);
	check_file(p, keep, 50000, 14);
	assert_int_equal(argos_pool_close(p), 0);
}

static int brk_orphan_item(struct brk *b, struct txn *t)
{
	struct ad_key k = { 0, AD_KT_ORPHAN, b->ino };
	uint8_t v[4] = { 1, 0, 4, 0 };

	return txn_put(t, &k, v, sizeof(v));
}

/* An orphan list entry for a linked inode, and one for no inode. */
static void test_fsck_ns_orphan_list(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t ino = make_file(p, ARGOS_ROOT_INO, "f", 100, 15);
	struct brk b = { .p = p, .fn = brk_orphan_item, .ino = ino };
	const char *const want[] = { "PR_4_ORPHAN_LINKED", "PR_4_ORPHAN_DANGLING", NULL };

	run_brk(&b);
	b.ino = 77777;
	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	check_file(p, ino, 100, 15);
	assert_int_equal(argos_pool_close(p), 0);
}

/* ---- data against sizes, symlinks, xattrs, the pool record ----------------------------- */

static void size_small(struct ad_inode *in, uint64_t v)
{
	(void)v;
	in->size = 600000;
}

static void size_wrong(struct ad_inode *in, uint64_t v)
{
	(void)v;
	in->size = 3;
}

static int brk_sizes(struct brk *b, struct txn *t)
{
	int err = edit_inode(t, b->ino, size_small, 0);

	return err ? err : edit_inode(t, b->ino2, size_wrong, 0);
}

static void test_fsck_ns_past_eof(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t ino = make_file(p, ARGOS_ROOT_INO, "f", 2500000, 16);
	struct argos_attr a, in = { .size = 3000000 }, out;
	struct brk b = { .p = p, .fn = brk_sizes, .ino = ino };
	const char *const want[] = { "PR_4_DATA_PAST_EOF", "PR_4_SYMLINK_BAD", NULL };
	uint8_t *buf = malloc(3000000);
	char target[64];

	assert_non_null(buf);
	assert_int_equal(argos_symlink(p, ARGOS_ROOT_INO, "s", "a/target", &argos_root_cred, &a), 0);
	b.ino2 = a.ino;
	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	check_file(p, ino, 600000, 16);
	/* Growing the file again shows zeros, not the old bytes past the end. */
	assert_int_equal(argos_setattr(p, ino, &in, ARGOS_SET_SIZE, &argos_root_cred, &out), 0);
	assert_int_equal(argos_read(p, ino, 0, buf, 3000000, 0), 3000000);
	for (size_t i = 600000; i < 3000000; i++)
		if (buf[i])
			fail_msg("byte %zu past the repaired end is %u", i, buf[i]);
	assert_int_equal(argos_readlink(p, b.ino2, target, sizeof(target)), 8);
	assert_memory_equal(target, "a/target", 8);
	assert_int_equal(argos_pool_close(p), 0);
	free(buf);
}

static int brk_xval(struct brk *b, struct txn *t)
{
	struct ad_key k = { b->ino, AD_KT_XVAL, 0 }, out;
	int err = txn_next(t, &k, true, &out, NULL, 0, NULL);

	if (err)
		return err;
	assert_int_equal(out.type, AD_KT_XVAL);
	out.off |= 1;   /* part 1 of that value */
	return txn_del(t, &out);
}

static int brk_pool(struct brk *b, struct txn *t)
{
	struct ad_poolrec pr;
	int err = ns_get_pool(t, &pr);

	(void)b;
	if (err)
		return err;
	pr.inodes += 3;
	return ns_put_pool(t, &pr);
}

static void test_fsck_ns_xattr_pool(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t ino = make_file(p, ARGOS_ROOT_INO, "f", 100, 17);
	struct brk b = { .p = p, .fn = brk_xval, .ino = ino };
	const char *const want[] = { "PR_4_XVAL_MISSING", "PR_4_POOL_COUNTS", NULL };
	char big[5000], v[8];

	memset(big, 'q', sizeof(big));
	assert_int_equal(argos_setxattr(p, ino, "user.big", big, sizeof(big), 0, &argos_root_cred), 0);
	assert_int_equal(argos_setxattr(p, ino, "user.small", "ok", 2, 0, &argos_root_cred), 0);
	run_brk(&b);
	b.fn = brk_pool;
	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	assert_int_equal(argos_getxattr(p, ino, "user.big", NULL, 0), -ENODATA);
	assert_int_equal(argos_getxattr(p, ino, "user.small", v, sizeof(v)), 2);
	check_file(p, ino, 100, 17);
	assert_int_equal(argos_pool_close(p), 0);
}

/* Pool properties: a record that does not decode, and a good one under another name's key. */
static int brk_props(struct brk *b, struct txn *t)
{
	struct ad_key k = ad_prop_key("compression");
	uint8_t rec[AD_PROP_MAX] = { 9, 0, 7, 0, 1, 0, 'z' };
	int n, err;

	(void)b;
	err = txn_put(t, &k, rec, 7);
	if (err)
		return err;
	n = ad_prop_encode("io", "aio", rec, NULL, 0);
	assert_true(n > 0);
	k.off ^= 1;
	return txn_put(t, &k, rec, (size_t)n);
}

static void test_fsck_ns_props(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	struct brk b = { .p = p, .fn = brk_props };
	const char *const want[] = { "PR_4_PROP_BAD", NULL };
	struct argos_pool_status st;
	char why[AD_WHY_MAX];

	assert_int_equal(argos_pool_set_io_mode(p, "psync", why, sizeof(why)), 0);
	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	/* The damaged items do not stop an open, nor hide the real "io" property. */
	p = tf_open(f, 0);
	assert_int_equal(argos_pool_status(p, &st), 0);
	assert_string_equal(st.io_prop, "psync");
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	assert_int_equal(argos_pool_status(p, &st), 0);
	assert_string_equal(st.io_prop, "psync");
	assert_int_equal(argos_pool_close(p), 0);
}

/* ---- deferred writes ------------------------------------------------------------------ */

static int put_defer(struct txn *t, uint64_t ino, uint64_t off, uint64_t wgen, uint32_t count)
{
	static const uint8_t zeros[AD_DEFER_MAX];
	struct ad_key k = { .oid = ino, .type = AD_KT_DEFER, .off = off };
	struct ad_defer d = { .wgen = wgen, .count = count, .data = zeros };
	uint8_t rec[AD_ITEM_MAX];
	int n = ad_defer_encode(&d, rec, sizeof(rec));

	assert_true(n > 0);
	return txn_put(t, &k, rec, (size_t)n);
}

/* On file ino (one stripe at 0): a stale wgen, one that does not decode, one
 * past the size; on ino2 (inline): one with no stripe record; on the
 * directory: one on a non-file. */
static int brk_defer(struct brk *b, struct txn *t)
{
	static const uint8_t junk[5] = { 1, 0, 5, 0, 9 };
	struct ad_key sk = { .oid = b->ino, .type = AD_KT_STRIPE, .off = 0 };
	struct ad_key jk = { .oid = b->ino, .type = AD_KT_DEFER, .off = 30000 };
	uint8_t raw[AD_ITEM_MAX];
	uint32_t crc[AD_ITEM_MAX / 4];
	struct ad_stripe s = { .crc = crc };
	struct ad_inode in;
	size_t len;
	int err = txn_get(t, &sk, raw, sizeof(raw), &len);

	if (!err)
		err = ad_stripe_decode(raw, len, &s, sizeof(crc) / sizeof(crc[0]), NULL, 0);
	if (!err)
		err = ns_get_inode(t, b->ino, &in);
	if (!err)
		err = put_defer(t, b->ino, 20000, s.wgen + 1, 100);
	if (!err)
		err = txn_put(t, &jk, junk, sizeof(junk));
	if (!err)
		err = put_defer(t, b->ino, in.size - 10, s.wgen, 100);
	if (!err)
		err = put_defer(t, b->ino2, 0, s.wgen, 10);
	if (!err)
		err = put_defer(t, ARGOS_ROOT_INO, 0, s.wgen, 10);
	return err;
}

static void test_fsck_ns_defer(void **state)
{
	struct tf *f = *state;
	argos_pool *p = tf_open(f, 0);
	uint64_t a = make_file(p, ARGOS_ROOT_INO, "a", 70000, 4);
	uint64_t g = make_file(p, ARGOS_ROOT_INO, "g", 500, 5);
	struct brk b = { .p = p, .fn = brk_defer, .ino = a, .ino2 = g };
	const char *const want[] = { "PR_4_DEFER_BAD", NULL };
	struct argos_pool_status st;
	struct tf_seen s;
	uint8_t mine[3000], buf[70001];
	uint64_t fh;

	/* A real deferred write: nothing to report, and kept by the repair. */
	memset(mine, 0x5a, sizeof(mine));
	assert_int_equal(argos_open(p, a, O_RDWR, &fh), 0);
	assert_int_equal(argos_write(p, a, fh, mine, sizeof(mine), 1000), (int)sizeof(mine));
	assert_int_equal(argos_release(p, a, fh), 0);
	assert_int_equal(argos_pool_status(p, &st), 0);
	assert_int_equal(st.deferred_writes, 1);
	assert_int_equal(argos_pool_close(p), 0);
	assert_int_equal(tf_fsck(f, ARGOS_FSCK_CHECK, true, &s), ARGOS_FSCK_OK);
	assert_int_equal(s.n, 0);
	p = tf_open(f, 0);
	b.p = p;
	run_brk(&b);
	assert_int_equal(argos_pool_close(p), 0);
	tf_check_repair(f, want);
	p = tf_open(f, 0);
	assert_int_equal(argos_read(p, a, 0, buf, sizeof(buf), 0), 70000);
	for (size_t i = 0; i < 70000; i++)
		if (buf[i] != (i >= 1000 && i < 4000 ? 0x5a : pattern(i, 4)))
			fail_msg("byte %zu differs", i);
	assert_int_equal(argos_pool_close(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fsck_ns_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_nlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_dangling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_lost_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_dir_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_orphan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_orphan_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_past_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_xattr_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_props, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsck_ns_defer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
