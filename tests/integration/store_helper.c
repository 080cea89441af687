/*
 * store_helper.c — Description: puts a pool's metadata store into states the
 * integration tests need and no tool makes: items, an abandoned (unclean)
 * pool, a leaked extent, a hand-made extent reference item, a tree block
 * marked free.  Test-only: it uses the engine's internal store API.
 *
 *   store_helper fill POOL N SIZE      N items of SIZE bytes (keys of type
 *                                      prop), then a clean close
 *   store_helper crash POOL N          N small items, each transaction synced,
 *                                      then exit without closing (unclean)
 *   store_helper leak POOL MEMBER N    N blocks of MEMBER committed by a
 *                                      transaction ALLOC that nothing
 *                                      references; prints "MEMBER BLOCK N"
 *   store_helper extref POOL MEMBER BLOCK NBLOCKS REFS
 *                                      a hand-made EXTREF item
 *   store_helper free-page POOL        FREE the last mirror of the root page,
 *                                      checkpoint twice, close: the tree
 *                                      still uses a block marked free;
 *                                      prints "MEMBER BLOCK"
 *   store_helper set-errors POOL       record an error as a mount that found
 *                                      unrepairable damage does: the close
 *                                      writes the errors flag
 * POOL is PATH[,PATH...].  Exit status 0, 1 on failure, 2 usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ad_items.h"
#include "argosfs.h"
#include "pool.h"
#include "store.h"

static char *paths_buf;
static const char *paths[AD_MAX_MEMBERS];
static unsigned npaths;

static void split_pool(const char *spec)
{
	paths_buf = strdup(spec);
	for (char *save = NULL, *t = strtok_r(paths_buf, ",", &save); t && npaths < AD_MAX_MEMBERS;
	     t = strtok_r(NULL, ",", &save))
		paths[npaths++] = t;
}

static argos_pool *open_rw(void)
{
	struct argos_open_opts o = { .commit_ms = 50, .ckpt_ms = 3600000 };
	argos_pool *p;
	char why[256] = "";
	int err = argos_pool_open(paths, npaths, &o, &p, why, sizeof(why));

	if (err) {
		fprintf(stderr, "store_helper: open: %s (%s)\n", argos_strerror(err), why);
		exit(1);
	}
	return p;
}

static void check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "store_helper: %s: %s\n", what, argos_strerror(err));
		exit(1);
	}
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (!*s || *end) {
		fprintf(stderr, "store_helper: %s: not a number\n", s);
		exit(2);
	}
	return v;
}

struct put_arg {
	uint64_t first, n;
	unsigned size;
};

static int put_fn(struct txn *t, void *arg)
{
	const struct put_arg *a = arg;
	uint8_t v[AD_ITEM_MAX];

	for (uint64_t i = a->first; i < a->first + a->n; i++) {
		struct ad_key k = { .oid = 1000 + i, .type = AD_KT_PROP, .off = i };

		memset(v, (int)(i & 0xff), a->size);
		txn_put(t, &k, v, a->size);
	}
	return 0;
}

static void put_items(argos_pool *p, uint64_t n, unsigned size, unsigned per_txn)
{
	for (uint64_t i = 0; i < n; i += per_txn) {
		struct put_arg a = { i, n - i < per_txn ? n - i : per_txn, size };

		check(store_txn(&p->st, put_fn, &a, STORE_SYNC), "transaction");
	}
}

struct space_arg {
	bool alloc;
	unsigned member;
	uint64_t block, n;
};

static int space_fn(struct txn *t, void *arg)
{
	const struct space_arg *a = arg;

	return a->alloc ? txn_alloc(t, a->member, a->block, a->n)
			: txn_free(t, a->member, a->block, a->n);
}

struct extref_arg {
	struct ad_key key;
	struct ad_extref x;
};

static int extref_fn(struct txn *t, void *arg)
{
	const struct extref_arg *a = arg;
	uint8_t v[AD_EXTREF_SIZE];

	ad_extref_encode(&a->x, v);
	return txn_put(t, &a->key, v, sizeof(v));
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 2 ? argv[1] : "";
	argos_pool *p;

	if (argc < 3) {
		fprintf(stderr, "usage: store_helper fill|crash|leak|extref|free-page|set-errors POOL "
			"...\n");
		return 2;
	}
	split_pool(argv[2]);
	if (!strcmp(cmd, "fill") && argc == 5) {
		p = open_rw();
		put_items(p, num(argv[3]), (unsigned)num(argv[4]), 50);
	} else if (!strcmp(cmd, "crash") && argc == 4) {
		p = open_rw();
		put_items(p, num(argv[3]), 32, 1);
		fflush(stdout);
		_exit(0);   /* no checkpoint, no clean flag: as a crash leaves it */
	} else if (!strcmp(cmd, "leak") && argc == 5) {
		struct space_arg a = { .alloc = true, .member = (unsigned)num(argv[3]),
				       .n = num(argv[4]) };

		p = open_rw();
		check(alloc_reserve(&p->st.alloc, a.member, a.n, false, &a.block), "reserve");
		check(store_txn(&p->st, space_fn, &a, STORE_SYNC), "transaction");
		printf("%u %" PRIu64 " %" PRIu64 "\n", a.member, a.block, a.n);
	} else if (!strcmp(cmd, "extref") && argc == 7) {
		struct extref_arg a = { .key = { num(argv[3]), AD_KT_EXTREF, num(argv[4]) },
					.x = { .nblocks = num(argv[5]), .refs = num(argv[6]) } };

		p = open_rw();
		check(store_txn(&p->st, extref_fn, &a, STORE_SYNC), "transaction");
	} else if (!strcmp(cmd, "free-page") && argc == 3) {
		struct space_arg a = { .alloc = false, .n = 1 };
		struct ad_bptr root;

		p = open_rw();
		root = p->st.tree.root;
		if (root.nmirrors == 0) {
			fprintf(stderr, "store_helper: the root page is not on disk\n");
			return 1;
		}
		a.member = ad_addr_member(root.addr[root.nmirrors - 1]);
		a.block = ad_addr_block(root.addr[root.nmirrors - 1]);
		check(store_txn(&p->st, space_fn, &a, STORE_SYNC), "transaction");
		check(argos_pool_checkpoint(p), "checkpoint");   /* the block is pending */
		check(argos_pool_checkpoint(p), "checkpoint");   /* ... and released */
		printf("%u %" PRIu64 "\n", a.member, a.block);
	} else if (!strcmp(cmd, "set-errors") && argc == 3) {
		p = open_rw();
		pool_record_error(p);
	} else {
		fprintf(stderr, "store_helper: %s: unknown command or wrong arguments\n", cmd);
		return 2;
	}
	check(argos_pool_close(p), "close");
	free(paths_buf);
	return 0;
}
