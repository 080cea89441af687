/*
 * cmd_dump_super.c — `argosfs dump-super`: every superblock copy of one member.
 *
 * Read-only (argos_super_read).  For each of the four copies (slot A/B,
 * front/back): its offset and validity (with the reason when invalid) and,
 * for a valid copy, every field the engine names (argos_super_fields),
 * member table included.
 * Exit status: 0 at least one copy is valid, 1 none is (or the member cannot
 * be read), 2 usage error.
 *
 * JSON (--json), schema_version 1:
 *   { "schema_version": 1, "path", "valid_copies": n,
 *     "copies": [ { "slot": "A"|"B", "position": "front"|"back", "offset",
 *                   "valid": bool,
 *                   "error": null | { "errno": n, "message", "reason" },
 *                   "generation": n|null,
 *                   "fields": null | { NAME: number|string|bool, ... } } ] }
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "common.h"
#include "json.h"

enum { OPT_JSON = 256 };

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--json] MEMBER\n"
"Show the four superblock copies of one member (slots A and B, each at the\n"
"front and the back of the device): where they are, whether they are valid and\n"
"why not, and every field of the valid ones.  Read-only.\n"
"\n"
"      --json        machine-readable output (see argosfs(8))\n"
"  -h, --help        show this help and exit\n"
"\n"
"Exit status: 0 at least one copy is valid, 1 none is, 2 usage error.\n", prog);
}

static void text_field(void *ctx, const char *name, int kind, const char *value)
{
	(void)ctx;
	(void)kind;
	printf("    %-28s %s\n", name, value);
}

static char slot_name(const struct argos_super_copy *c)
{
	return c->slot ? 'B' : 'A';
}

static void print_text(const char *path, const struct argos_super_copy *copies, unsigned valid)
{
	printf("%s: %u of 4 superblock copies valid\n", path, valid);
	for (unsigned i = 0; i < 4; i++) {
		const struct argos_super_copy *c = &copies[i];

		printf("\ncopy %c %-5s at offset %" PRIu64 ": ", slot_name(c),
		       c->back ? "back" : "front", c->offset);
		if (c->status) {
			printf("invalid: %s", argos_strerror(c->status));
			if (c->why[0])
				printf(": %s", c->why);
			putchar('\n');
			continue;
		}
		printf("valid, generation %" PRIu64 "\n", c->generation);
		argos_super_fields(c, text_field, NULL);
	}
}

static void print_json(const char *path, const struct argos_super_copy *copies, unsigned valid)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_uint(&j, "schema_version", 1);
	json_kv_str(&j, "path", path);
	json_kv_uint(&j, "valid_copies", valid);
	json_key(&j, "copies");
	json_begin_array(&j);
	for (unsigned i = 0; i < 4; i++) {
		const struct argos_super_copy *c = &copies[i];
		char slot[2] = { slot_name(c), '\0' };

		json_begin_object(&j);
		json_kv_str(&j, "slot", slot);
		json_kv_str(&j, "position", c->back ? "back" : "front");
		json_kv_uint(&j, "offset", c->offset);
		json_kv_bool(&j, "valid", c->status == 0);
		json_kv_argos_error(&j, "error", c->status, c->why);
		if (c->status) {
			json_kv_null(&j, "generation");
			json_kv_null(&j, "fields");
		} else {
			json_kv_uint(&j, "generation", c->generation);
			json_key(&j, "fields");
			json_begin_object(&j);
			argos_super_fields(c, json_argos_field, &j);
			json_end_object(&j);
		}
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	(void)json_finish(&j);      /* write errors: see tool_stdout_ok() */
}

int cmd_dump_super(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prog = argv[0], *path;
	struct argos_super_copy copies[4];
	char why[256] = "";
	unsigned valid = 0;
	bool json = false;
	int c, err;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			usage(stdout, prog);
			return tool_stdout_ok(prog) ? CMD_OK : CMD_FAIL;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", prog);
			return CMD_USAGE;
		}
	}
	if (argc - optind != 1) {
		tool_usage_err(prog, argc == optind ? "no member given" : "one member at a time");
		return CMD_USAGE;
	}
	path = argv[optind];
	err = argos_super_read(path, copies, why, sizeof(why));
	if (err) {
		if (why[0])
			tool_err(prog, "%s", why);
		else
			tool_err(prog, "%s: %s: while reading the superblocks", path,
				 argos_strerror(err));
		return CMD_FAIL;
	}
	for (unsigned i = 0; i < 4; i++)
		valid += copies[i].status == 0;
	if (json)
		print_json(path, copies, valid);
	else
		print_text(path, copies, valid);
	argos_super_copies_free(copies);
	if (!tool_stdout_ok(prog))
		return CMD_FAIL;
	if (!valid) {
		tool_err(prog, "%s: no valid superblock copy", path);
		return CMD_FAIL;
	}
	return CMD_OK;
}
