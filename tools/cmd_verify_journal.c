/*
 * cmd_verify_journal.c — `argosfs verify-journal`: every journal mirror,
 * entry by entry, from the checkpoint's head.
 *
 * Read-only, no ownership (argos_journal_verify).  For each mirror: every
 * entry of its chain (sequence, offset, blocks, transactions, operations)
 * and the position that ends it, with the reason; which mirror holds the
 * longest chain (the one replay takes).
 * Exit status: 0 every present mirror holds the whole longest chain, 1 some
 * mirror holds less (fsck -y repairs it) or the journal cannot be read,
 * 2 usage error.
 *
 * JSON (--json), schema_version 1:
 *   { "schema_version": 1, "pool_uuid", "generation", "ckpt_gen",
 *     "head": { "offset", "seq" }, "region_bytes", "clean",
 *     "longest": mirror index | null, "longest_entries",
 *     "mirrors": [ { "member", "path": s|null, "present", "entries",
 *                    "transactions", "operations", "end_offset", "complete",
 *                    "records": [ RECORD... ] } ] }
 *   RECORD: { "seq", "offset", "valid", "error": null | { "errno", "message",
 *             "reason" }, "type": "txn"|"wrap"|null, "blocks", "payload_bytes",
 *             "transactions", "operations", "ckpt_gen" }   (the last five
 *             null when the header did not check)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "json.h"
#include "poolcmd.h"

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--json] [--search DIR]... POOL\n"
"Walk every journal mirror of POOL from the checkpoint's head, entry by entry,\n"
"as replay would: each entry's sequence number, offset, blocks, transactions\n"
"and operations, where each mirror's chain ends and why, and which mirror holds\n"
"the longest chain.  Read-only; works on a mounted pool (its last written state).\n"
"\n"
"      --search DIR  look for member image files in DIR when POOL is UUID= or\n"
"                    LABEL= (repeatable; also $" TOOL_SEARCH_ENV ")\n"
"      --json        machine-readable output (see argosfs(8))\n"
"  -h, --help        show this help and exit\n"
"\n"
"Exit status: 0 every present mirror holds the whole chain, 1 a mirror holds\n"
"less (fsck.argosfs -y copies the chain onto it) or the journal cannot be read,\n"
"2 usage error.\n", prog);
}

static const char *type_name(const struct argos_journal_record *r)
{
	if (!r->header_valid)
		return NULL;
	return r->type == 1 ? "txn" : r->type == 2 ? "wrap" : "?";
}

static const char *end_words(int status)
{
	switch (status) {
	case -ENOMSG: return "nothing written here";
	case -ESTALE: return "an entry of another sequence (an older lap)";
	case -EUCLEAN: return "damaged or torn";
	default: return argos_strerror(status);
	}
}

static void print_text(const struct poolcmd *pc, const struct argos_journal_report *r)
{
	char uuid[37];

	tool_format_uuid(r->pool_uuid, uuid);
	printf("pool %s: generation %" PRIu64 ", checkpoint %" PRIu64 ", %s\n", uuid,
	       r->generation, r->ckpt_gen, r->clean ? "clean" : "not clean");
	printf("journal: head at offset %" PRIu64 ", sequence %" PRIu64 ", region %" PRIu64
	       " bytes\n", r->head_offset, r->head_seq, r->region_bytes);
	for (unsigned i = 0; i < r->nmirrors; i++) {
		const struct argos_journal_mirror *m = &r->mirrors[i];

		printf("\nmirror %u: member %d %s: ", i, m->member, m->path ? m->path : "-");
		if (!m->present) {
			printf("missing\n");
			continue;
		}
		printf("%" PRIu64 " entries, %" PRIu64 " transactions, %" PRIu64 " operations; "
		       "chain ends at offset %" PRIu64 " (%s)\n", m->entries, m->transactions,
		       m->operations, m->end_offset, m->complete ? "complete" : "INCOMPLETE");
		for (unsigned k = 0; k < m->nrecords; k++) {
			const struct argos_journal_record *e = &m->records[k];

			printf("  seq %-8" PRIu64 " offset %-10" PRIu64 " ", e->seq, e->offset);
			if (e->status) {
				printf("end: %s: %s\n", end_words(e->status), e->why);
				continue;
			}
			printf("%-4s blocks %-4u transactions %-5u operations %-6u valid\n",
			       type_name(e), e->blocks, e->transactions, e->operations);
		}
	}
	if (r->longest >= 0)
		printf("\nlongest chain: mirror %d (member %d), %" PRIu64 " entries\n", r->longest,
		       r->mirrors[r->longest].member, r->longest_entries);
	(void)pc;
}

static void json_record(struct json *j, const struct argos_journal_record *e)
{
	json_begin_object(j);
	json_kv_uint(j, "seq", e->seq);
	json_kv_uint(j, "offset", e->offset);
	json_kv_bool(j, "valid", e->status == 0);
	json_kv_argos_error(j, "error", e->status, e->why);
	json_kv_str(j, "type", type_name(e));
	if (e->header_valid) {
		json_kv_uint(j, "blocks", e->blocks);
		json_kv_uint(j, "payload_bytes", e->payload_bytes);
		json_kv_uint(j, "transactions", e->transactions);
		json_kv_uint(j, "operations", e->operations);
		json_kv_uint(j, "ckpt_gen", e->ckpt_gen);
	} else {
		json_kv_null(j, "blocks");
		json_kv_null(j, "payload_bytes");
		json_kv_null(j, "transactions");
		json_kv_null(j, "operations");
		json_kv_null(j, "ckpt_gen");
	}
	json_end_object(j);
}

static void print_json(const struct argos_journal_report *r)
{
	struct json j;
	char uuid[37];

	tool_format_uuid(r->pool_uuid, uuid);
	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_uint(&j, "schema_version", 1);
	json_kv_str(&j, "pool_uuid", uuid);
	json_kv_uint(&j, "generation", r->generation);
	json_kv_uint(&j, "ckpt_gen", r->ckpt_gen);
	json_key(&j, "head");
	json_begin_object(&j);
	json_kv_uint(&j, "offset", r->head_offset);
	json_kv_uint(&j, "seq", r->head_seq);
	json_end_object(&j);
	json_kv_uint(&j, "region_bytes", r->region_bytes);
	json_kv_bool(&j, "clean", r->clean);
	json_key(&j, "longest");
	if (r->longest >= 0)
		json_uint(&j, (uint64_t)r->longest);
	else
		json_null(&j);
	json_kv_uint(&j, "longest_entries", r->longest_entries);
	json_key(&j, "mirrors");
	json_begin_array(&j);
	for (unsigned i = 0; i < r->nmirrors; i++) {
		const struct argos_journal_mirror *m = &r->mirrors[i];

		json_begin_object(&j);
		json_kv_int(&j, "member", m->member);
		json_kv_str(&j, "path", m->path);
		json_kv_bool(&j, "present", m->present);
		json_kv_uint(&j, "entries", m->entries);
		json_kv_uint(&j, "transactions", m->transactions);
		json_kv_uint(&j, "operations", m->operations);
		json_kv_uint(&j, "end_offset", m->end_offset);
		json_kv_bool(&j, "complete", m->complete);
		json_key(&j, "records");
		json_begin_array(&j);
		for (unsigned k = 0; k < m->nrecords; k++)
			json_record(&j, &m->records[k]);
		json_end_array(&j);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	(void)json_finish(&j);      /* write errors: see tool_stdout_ok() */
}

int cmd_verify_journal(int argc, char **argv)
{
	struct argos_journal_report *r = NULL;
	struct poolcmd pc;
	char why[256] = "";
	int rc, err;

	rc = poolcmd_parse(&pc, argc, argv, POOLCMD_JSON, usage);
	if (rc >= 0)
		goto out;
	rc = CMD_FAIL;
	err = argos_journal_verify((const char *const *)pc.paths, pc.n, &pc.tl.log, &r, why,
				   sizeof(why));
	if (err) {
		tool_err(pc.prog, "%s: %s: while reading the journal", pc.spec,
			 why[0] ? why : argos_strerror(err));
		goto out;
	}
	if (pc.json)
		print_json(r);
	else
		print_text(&pc, r);
	if (!tool_stdout_ok(pc.prog))
		goto out;
	rc = CMD_OK;
	for (unsigned i = 0; i < r->nmirrors; i++)
		if (r->mirrors[i].present && !r->mirrors[i].complete)
			rc = CMD_FAIL;
out:
	argos_journal_report_free(r);
	poolcmd_free(&pc);
	return rc;
}
