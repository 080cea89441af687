/*
 * cmd_scan.c — `argosfs scan`: every pool found, its members and their states.
 *
 * Read-only (argos_scan takes no ownership).  Looks at the MEMBERs given, the
 * image files of every --search DIR and of $ARGOSFS_SEARCH, and — when neither
 * a MEMBER nor --search is given — every block device.
 * Exit status: 0 at least one pool found (degraded or failed ones count),
 * 1 nothing found or the scan failed, 2 usage error.
 *
 * JSON (--json), schema_version 1:
 *   { "schema_version": 1,
 *     "pools": [ { "uuid", "label", "health", "k", "m", "chunk_size",
 *                  "generation", "member_count", "clean", "errors",
 *                  "mounted": null | { "host", "pid" },
 *                  "raw_bytes", "usable_bytes", "members": [ MEMBER... ] } ],
 *     "other": [ MEMBER... ] }        paths given that are in no pool
 *   MEMBER: { "index": n|null, "path": s|null, "status", "device_uuid": s|null,
 *             "generation", "size", "copies_valid", "copies_total", "detail" }
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "common.h"
#include "json.h"

enum { OPT_JSON = 256, OPT_SEARCH };

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--json] [--search DIR]... [MEMBER...]\n"
"Find ArgosFS pools and show each one's geometry, health and members.\n"
"Read-only.  With no MEMBER and no --search, every block device is scanned.\n"
"\n"
"      --search DIR  also consider the image files in DIR (repeatable; also\n"
"                    $" TOOL_SEARCH_ENV ", directories separated by ':')\n"
"      --json        machine-readable output (see argosfs(8))\n"
"  -h, --help        show this help and exit\n"
"\n"
"Exit status: 0 a pool was found (even degraded), 1 none found, 2 usage error.\n",
		prog);
}

static void json_member(struct json *j, const struct argos_member_info *mi)
{
	char uuid[37];

	json_begin_object(j);
	json_key(j, "index");
	if (mi->index >= 0)
		json_uint(j, (uint64_t)mi->index);
	else
		json_null(j);
	json_kv_str(j, "path", mi->path);
	json_kv_str(j, "status", argos_member_status_name(mi->status));
	json_key(j, "device_uuid");
	if (tool_uuid_is_nil(mi->device_uuid)) {
		json_null(j);
	} else {
		tool_format_uuid(mi->device_uuid, uuid);
		json_str(j, uuid);
	}
	json_kv_uint(j, "generation", mi->generation);
	json_kv_uint(j, "size", mi->size);
	json_kv_uint(j, "copies_valid", mi->copies_valid);
	json_kv_uint(j, "copies_total", mi->copies_total);
	json_kv_str(j, "detail", mi->detail);
	json_end_object(j);
}

static void json_pool(struct json *j, const struct argos_pool_info *p)
{
	char uuid[37];

	tool_format_uuid(p->pool_uuid, uuid);
	json_begin_object(j);
	json_kv_str(j, "uuid", uuid);
	json_kv_str(j, "label", p->label);
	json_kv_str(j, "health", argos_pool_health_name(p->health));
	json_kv_uint(j, "k", p->k);
	json_kv_uint(j, "m", p->m);
	json_kv_uint(j, "chunk_size", p->chunk_size);
	json_kv_uint(j, "generation", p->generation);
	json_kv_uint(j, "member_count", p->member_count);
	json_kv_bool(j, "clean", p->clean);
	json_kv_bool(j, "errors", p->errors);
	json_key(j, "mounted");
	if (p->mounted_host[0]) {
		json_begin_object(j);
		json_kv_str(j, "host", p->mounted_host);
		json_kv_uint(j, "pid", p->mounted_pid);
		json_end_object(j);
	} else {
		json_null(j);
	}
	json_kv_uint(j, "raw_bytes", p->raw_bytes);
	json_kv_uint(j, "usable_bytes", p->usable_bytes);
	json_key(j, "members");
	json_begin_array(j);
	for (unsigned i = 0; i < p->nmembers; i++)
		json_member(j, &p->members[i]);
	json_end_array(j);
	json_end_object(j);
}

static void print_json(const struct argos_scan_result *r)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_uint(&j, "schema_version", 1);
	json_key(&j, "pools");
	json_begin_array(&j);
	for (unsigned i = 0; i < r->npools; i++)
		json_pool(&j, &r->pools[i]);
	json_end_array(&j);
	json_key(&j, "other");
	json_begin_array(&j);
	for (unsigned i = 0; i < r->nother; i++)
		json_member(&j, &r->other[i]);
	json_end_array(&j);
	json_end_object(&j);
	(void)json_finish(&j);      /* write errors: see tool_stdout_ok() */
}

static void print_member(const struct argos_member_info *mi)
{
	char idx[16];
	const char *status = argos_member_status_name(mi->status);

	if (mi->index >= 0)
		snprintf(idx, sizeof(idx), "%d", mi->index);
	else
		snprintf(idx, sizeof(idx), "-");
	printf("    %-4s %-11s %s", idx, status, mi->path ? mi->path : "-");
	if (mi->detail[0] && strcmp(mi->detail, status))
		printf("  (%s)", mi->detail);
	putchar('\n');
}

static void print_pool(const struct argos_pool_info *p)
{
	char uuid[37], usable[32], raw[32], chunk[32];

	tool_format_uuid(p->pool_uuid, uuid);
	printf("pool %s", uuid);
	if (p->label[0])
		printf("  label \"%s\"", p->label);
	printf("  %s\n", argos_pool_health_name(p->health));
	printf("  geometry %u+%u, chunk %s, generation %" PRIu64 ", %u member%s in the table, %s\n",
	       p->k, p->m, tool_human_size(p->chunk_size, chunk, sizeof(chunk)), p->generation,
	       p->member_count, p->member_count == 1 ? "" : "s", p->clean ? "clean" : "not clean");
	printf("  capacity %s usable (%" PRIu64 " bytes), %s raw (%" PRIu64 " bytes)\n",
	       tool_human_size(p->usable_bytes, usable, sizeof(usable)), p->usable_bytes,
	       tool_human_size(p->raw_bytes, raw, sizeof(raw)), p->raw_bytes);
	if (p->mounted_host[0])
		printf("  marked mounted by pid %" PRIu32 " on host %s\n", p->mounted_pid,
		       p->mounted_host);
	if (p->errors)
		printf("  errors flag set: run fsck.argosfs\n");
	printf("  members:\n");
	for (unsigned i = 0; i < p->nmembers; i++)
		print_member(&p->members[i]);
}

static void print_text(const struct argos_scan_result *r)
{
	for (unsigned i = 0; i < r->npools; i++) {
		if (i)
			putchar('\n');
		print_pool(&r->pools[i]);
	}
	if (r->nother) {
		if (r->npools)
			putchar('\n');
		printf("not in any pool:\n");
		for (unsigned i = 0; i < r->nother; i++)
			print_member(&r->other[i]);
	}
}

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "search", required_argument, NULL, OPT_SEARCH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prog = argv[0];
	struct tool_search search = { 0 };
	struct argos_scan_opts o = { 0 };
	struct argos_scan_result *r = NULL;
	struct tool_log tl;
	bool json = false;
	int c, err, rc = CMD_FAIL;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_SEARCH:
			if (tool_search_add(&search, optarg))
				goto nomem;
			break;
		case 'h':
			usage(stdout, prog);
			rc = tool_stdout_ok(prog) ? CMD_OK : CMD_FAIL;
			goto out;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", prog);
			rc = CMD_USAGE;
			goto out;
		}
	}
	/* Block devices only when nothing narrower was asked for on the command line. */
	o.all_block_devices = optind == argc && search.n == 0;
	if (tool_search_add_env(&search))
		goto nomem;
	tool_log_init(&tl, prog, ARGOS_LOG_WARNING);
	o.search_dirs = (const char *const *)search.dirs;
	o.nsearch = search.n;
	o.log = &tl.log;
	err = argos_scan((const char *const *)argv + optind, (unsigned)(argc - optind), &o, &r);
	if (err) {
		tool_err(prog, "%s: while scanning for pools", argos_strerror(err));
		goto out;
	}
	if (json)
		print_json(r);
	else
		print_text(r);
	if (!tool_stdout_ok(prog))
		goto out;
	if (r->npools == 0) {
		tool_err(prog, "no ArgosFS pool found");
		goto out;
	}
	rc = CMD_OK;
	goto out;
nomem:
	tool_err(prog, "out of memory");
out:
	argos_scan_free(r);
	tool_search_free(&search);
	return rc;
}
