/*
 * cmd_dump_tree.c — `argosfs dump-tree`: the metadata tree of the newest
 * checkpoint, page by page (and with --items, item by item).
 *
 * Read-only, no ownership (argos_tree_walk): every mirror of every page is
 * read and checked.  Per page: depth, level, generation, checksum, item
 * count, key range and each mirror's address and state; per item (--items):
 * its key, value length and, for the records the engine knows (inode, pool
 * counters, extent references), the decoded fields.  Changes still in the
 * journal are not in this tree (the pool then shows as not clean).
 * Exit status: 0 every page has a valid mirror, 1 some page has none or the
 * tree cannot be read, 2 usage error.
 *
 * JSON (--json), schema_version 1:
 *   { "schema_version": 1, "generation", "ckpt_gen", "height", "clean",
 *     "pages": [ { "depth", "level", "generation", "csum" (hex string),
 *                  "nitems", "valid", "error": null | ERROR,
 *                  "first_key": null | KEY, "last_key": null | KEY,
 *                  "mirrors": [ { "member", "block", "valid",
 *                                 "error": null | ERROR } ],
 *                  "items": [ ITEM... ] (leaves, with --items) } ],
 *     "summary": { "pages", "items", "lost_pages", "bad_mirrors" } }
 *   KEY: { "oid", "type": name | null, "type_id", "off" }
 *   ITEM: { "key": KEY, "len", "fields": null | { NAME: value... },
 *           "error": null | "why the record does not decode" }
 *   ERROR: { "errno", "message", "reason" }
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "json.h"
#include "poolcmd.h"

struct dump {
	const struct poolcmd *pc;
	struct json j;
	bool started;             /* JSON: the document and its "pages" are open */
	bool in_page;             /* JSON: a page object is open */
};

/* JSON: open the document at the first page (nothing is printed on errors before). */
static void begin_doc(struct dump *d)
{
	if (d->started)
		return;
	json_init(&d->j, stdout);
	json_begin_object(&d->j);
	json_kv_uint(&d->j, "schema_version", 1);
	json_key(&d->j, "pages");
	json_begin_array(&d->j);
	d->started = true;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--json] [--items] [--search DIR]... POOL\n"
"Show the metadata tree of POOL's newest checkpoint: every page (level,\n"
"generation, checksum, item count, key range, and each mirror's address and\n"
"state), and with --items every item (key, length, decoded inode, pool and\n"
"extent reference records).  Every mirror is read and checked.  Read-only;\n"
"changes still in the journal are not shown.\n"
"\n"
"      --items       also show the items of every leaf\n"
"      --search DIR  look for member image files in DIR when POOL is UUID= or\n"
"                    LABEL= (repeatable; also $" TOOL_SEARCH_ENV ")\n"
"      --json        machine-readable output (see argosfs(8))\n"
"  -h, --help        show this help and exit\n"
"\n"
"Exit status: 0 every page has a valid mirror, 1 a page has none or the tree\n"
"cannot be read, 2 usage error.\n", prog);
}

static void key_text(const struct argos_key *k, char *out, size_t len)
{
	const char *t = argos_key_type_name(k->type);

	if (t)
		snprintf(out, len, "(%" PRIu64 ", %s, %" PRIu64 ")", k->oid, t, k->off);
	else
		snprintf(out, len, "(%" PRIu64 ", 0x%02x, %" PRIu64 ")", k->oid, k->type, k->off);
}

static void json_key_obj(struct json *j, const char *name, const struct argos_key *k)
{
	json_key(j, name);
	if (!k) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_kv_uint(j, "oid", k->oid);
	json_kv_str(j, "type", argos_key_type_name(k->type));
	json_kv_uint(j, "type_id", k->type);
	json_kv_uint(j, "off", k->off);
	json_end_object(j);
}

static void close_page(struct dump *d)
{
	if (!d->in_page)
		return;
	if (d->pc->items)
		json_end_array(&d->j);
	json_end_object(&d->j);
	d->in_page = false;
}

static int on_page(void *ctx, const struct argos_tree_page *pg)
{
	struct dump *d = ctx;
	char first[96], last[96], csum[16];

	snprintf(csum, sizeof(csum), "0x%08x", pg->csum);
	if (!d->pc->json) {
		printf("%*spage depth %u level %u generation %" PRIu64 " csum %s ", 2 * pg->depth, "",
		       pg->depth, pg->level, pg->generation, csum);
		if (pg->status) {
			printf("LOST: no valid mirror\n");
		} else {
			printf("%s %u", pg->level ? "children" : "items", pg->nitems);
			if (pg->has_keys) {
				key_text(&pg->first, first, sizeof(first));
				key_text(&pg->last, last, sizeof(last));
				printf(" keys %s .. %s", first, last);
			}
			putchar('\n');
		}
		for (unsigned i = 0; i < pg->nmirrors; i++) {
			const struct argos_page_mirror *m = &pg->mirrors[i];

			printf("%*s  mirror %u: member %u block %" PRIu64 " %s%s\n", 2 * pg->depth, "",
			       i, m->member, m->block,
			       !m->status ? "ok" : m->status == -ENODEV ? "unavailable: " : "BAD: ",
			       m->status ? m->why : "");
		}
		return 0;
	}
	begin_doc(d);
	close_page(d);
	json_begin_object(&d->j);
	json_kv_uint(&d->j, "depth", pg->depth);
	json_kv_uint(&d->j, "level", pg->level);
	json_kv_uint(&d->j, "generation", pg->generation);
	json_kv_str(&d->j, "csum", csum);
	json_kv_uint(&d->j, "nitems", pg->nitems);
	json_kv_bool(&d->j, "valid", pg->status == 0);
	json_kv_argos_error(&d->j, "error", pg->status, pg->status ? "no valid mirror" : "");
	json_key_obj(&d->j, "first_key", pg->has_keys ? &pg->first : NULL);
	json_key_obj(&d->j, "last_key", pg->has_keys ? &pg->last : NULL);
	json_key(&d->j, "mirrors");
	json_begin_array(&d->j);
	for (unsigned i = 0; i < pg->nmirrors; i++) {
		json_begin_object(&d->j);
		json_kv_uint(&d->j, "member", pg->mirrors[i].member);
		json_kv_uint(&d->j, "block", pg->mirrors[i].block);
		json_kv_bool(&d->j, "valid", pg->mirrors[i].status == 0);
		json_kv_argos_error(&d->j, "error", pg->mirrors[i].status, pg->mirrors[i].why);
		json_end_object(&d->j);
	}
	json_end_array(&d->j);
	if (d->pc->items) {
		json_key(&d->j, "items");
		json_begin_array(&d->j);
	}
	d->in_page = true;
	return 0;
}

static void text_field(void *ctx, const char *name, int kind, const char *value)
{
	(void)ctx;
	(void)kind;
	printf(" %s=%s", name, value);
}

static int on_item(void *ctx, const struct argos_tree_item *it)
{
	struct dump *d = ctx;
	char k[96], why[256] = "";
	int err;

	if (!d->pc->json) {
		key_text(&it->key, k, sizeof(k));
		printf("      item %s len %zu", k, it->len);
		err = argos_item_fields(it, text_field, NULL, why, sizeof(why));
		if (err && err != -ENOENT)
			printf(" (does not decode: %s)", why);
		putchar('\n');
		return 0;
	}
	json_begin_object(&d->j);
	json_key_obj(&d->j, "key", &it->key);
	json_kv_uint(&d->j, "len", it->len);
	json_key(&d->j, "fields");
	json_begin_object(&d->j);
	err = argos_item_fields(it, json_argos_field, &d->j, why, sizeof(why));
	json_end_object(&d->j);
	json_kv_str(&d->j, "error", err && err != -ENOENT ? why : NULL);
	json_end_object(&d->j);
	return 0;
}

int cmd_dump_tree(int argc, char **argv)
{
	struct argos_tree_info info;
	struct poolcmd pc;
	struct dump d = { .pc = &pc };
	char why[256] = "";
	int rc, err;

	rc = poolcmd_parse(&pc, argc, argv, POOLCMD_JSON | POOLCMD_ITEMS, usage);
	if (rc >= 0)
		goto out;
	rc = CMD_FAIL;
	err = argos_tree_walk((const char *const *)pc.paths, pc.n, &pc.tl.log, on_page,
			      pc.items ? on_item : NULL, &d, &info, why, sizeof(why));
	if (err) {
		tool_err(pc.prog, "%s: %s: while reading the tree", pc.spec,
			 why[0] ? why : argos_strerror(err));
		goto out;
	}
	if (pc.json) {
		begin_doc(&d);
		close_page(&d);
		json_end_array(&d.j);
		json_kv_uint(&d.j, "generation", info.generation);
		json_kv_uint(&d.j, "ckpt_gen", info.ckpt_gen);
		json_kv_uint(&d.j, "height", info.height);
		json_kv_bool(&d.j, "clean", info.clean);
		json_key(&d.j, "summary");
		json_begin_object(&d.j);
		json_kv_uint(&d.j, "pages", info.pages);
		json_kv_uint(&d.j, "items", info.items);
		json_kv_uint(&d.j, "lost_pages", info.lost_pages);
		json_kv_uint(&d.j, "bad_mirrors", info.bad_mirrors);
		json_end_object(&d.j);
		json_end_object(&d.j);
		(void)json_finish(&d.j);
	} else {
		printf("tree of checkpoint %" PRIu64 " (superblock generation %" PRIu64 "), height %u%s\n"
		       "%" PRIu64 " pages, %" PRIu64 " items, %" PRIu64 " lost pages, %" PRIu64
		       " bad mirrors\n", info.ckpt_gen, info.generation, info.height,
		       info.clean ? "" : "; not clean: the journal may hold newer changes",
		       info.pages, info.items, info.lost_pages, info.bad_mirrors);
	}
	if (tool_stdout_ok(pc.prog))
		rc = info.lost_pages ? CMD_FAIL : CMD_OK;
out:
	poolcmd_free(&pc);
	return rc;
}
