/*
 * cmd_df.c — `argosfs df`: where an unmounted pool's space goes: raw and
 * usable capacity, used and free, the share of stripes (data and parity),
 * inline data and metadata, compression savings, and each member.
 *
 * Opens the pool read-only (argos_pool_usage: the allocator's totals and one
 * pass over the metadata items).  Usable is the data areas times k/(k+m).
 *
 * JSON (--json), schema_version 1: { "schema_version", "k", "m",
 * "raw_bytes", "data_area_bytes", "usable_bytes", "used_bytes",
 * "free_bytes", "free_usable_bytes", "stripes", "stripe_bytes",
 * "stripe_data_bytes", "parity_bytes", "file_bytes", "inline_bytes",
 * "metadata_bytes", "pending_bytes", "compression": { "algorithm" (the
 * setting in effect, e.g. "none" or "zstd:3,unit=65536,min-save=8"),
 * "implemented": true, "saved_bytes", "stripes", "logical_bytes",
 * "stored_bytes" }, "members": [ { "index",
 * "path" (null when missing), "state", "size_bytes", "data_bytes",
 * "used_bytes", "free_bytes" } ] }.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "json.h"
#include "nscmd.h"

enum { OPT_JSON = NSCMD_OPT_FIRST_FREE };

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--json] POOL\n"
"Show where the space of the unmounted pool POOL goes: raw capacity (every\n"
"member), usable capacity (the data areas times k/(k+m)), used and free, the\n"
"blocks of stripes (data and parity), inline data and metadata, compression\n"
"savings (logical against stored bytes of compressed stripes), and each member's\n"
"path, state, size and use.\n"
"\n"
"      --json        machine-readable output (see argosfs(8))\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static const char *pct(uint64_t part, uint64_t whole, char *buf, size_t len)
{
	if (!whole)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", 100.0 * (double)part / (double)whole);
	return buf;
}

static void line(const char *what, uint64_t bytes, const char *note)
{
	char h[32];

	printf("%-18s %12s  %20" PRIu64 "%s%s\n", what, tool_human_size(bytes, h, sizeof(h)),
	       bytes, note ? "  " : "", note ? note : "");
}

static void print_text(const struct argos_usage *u)
{
	char note[160], p[16], c[2][32];

	printf("Pool geometry: %u+%u (usable share %u/%u)\n\n", u->k, u->m, u->k, u->k + u->m);
	line("Raw:", u->raw_bytes, "every member's size");
	line("Data areas:", u->data_area_bytes, "raw minus superblocks, journal, space maps");
	line("Usable:", u->usable_bytes, "data areas x k/(k+m)");
	snprintf(note, sizeof(note), "%s of the data areas",
		 pct(u->used_bytes, u->data_area_bytes, p, sizeof(p)));
	line("Used (raw):", u->used_bytes, note);
	line("Free (raw):", u->free_bytes, NULL);
	line("Free (usable):", u->free_usable_bytes, "what files can still take");
	printf("\n");
	snprintf(note, sizeof(note), "%" PRIu64 " stripes", u->stripes);
	line("Stripes:", u->stripe_bytes, note);
	line("  data chunks:", u->stripe_data_bytes, "padding included");
	line("  parity chunks:", u->stripe_bytes - u->stripe_data_bytes, NULL);
	line("File data:", u->file_bytes, "logical bytes stored");
	line("  inline:", u->inline_bytes, "kept in metadata");
	line("Metadata:", u->metadata_bytes, "tree pages, every mirror");
	line("Pending free:", u->pending_bytes, "returned after two checkpoints");
	snprintf(note, sizeof(note), "%" PRIu64 " compressed stripes hold %s in %s (%s)",
		 u->compressed_stripes, tool_human_size(u->compressed_bytes, c[0], 32),
		 tool_human_size(u->compressed_stored_bytes, c[1], 32), u->compression);
	line("Compression saved:", u->compression_saved_bytes, note);
	printf("\n%-5s %-10s %10s %10s %10s %6s  %s\n", "Index", "State", "Size", "Data", "Used",
	       "Use%", "Path");
	for (unsigned i = 0; i < u->nmembers; i++) {
		const struct argos_usage_member *m = &u->members[i];
		char s[3][32];

		printf("%-5d %-10s %10s %10s %10s %6s  %s\n", m->index,
		       argos_member_status_name(m->status), tool_human_size(m->size, s[0], 32),
		       tool_human_size(m->data_bytes, s[1], 32),
		       tool_human_size(m->used_bytes, s[2], 32),
		       pct(m->used_bytes, m->data_bytes, p, sizeof(p)),
		       m->path[0] ? m->path : "(missing)");
	}
}

static void print_json(const struct argos_usage *u)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_uint(&j, "schema_version", 1);
	json_kv_uint(&j, "k", u->k);
	json_kv_uint(&j, "m", u->m);
	json_kv_uint(&j, "raw_bytes", u->raw_bytes);
	json_kv_uint(&j, "data_area_bytes", u->data_area_bytes);
	json_kv_uint(&j, "usable_bytes", u->usable_bytes);
	json_kv_uint(&j, "used_bytes", u->used_bytes);
	json_kv_uint(&j, "free_bytes", u->free_bytes);
	json_kv_uint(&j, "free_usable_bytes", u->free_usable_bytes);
	json_kv_uint(&j, "stripes", u->stripes);
	json_kv_uint(&j, "stripe_bytes", u->stripe_bytes);
	json_kv_uint(&j, "stripe_data_bytes", u->stripe_data_bytes);
	json_kv_uint(&j, "parity_bytes", u->stripe_bytes - u->stripe_data_bytes);
	json_kv_uint(&j, "file_bytes", u->file_bytes);
	json_kv_uint(&j, "inline_bytes", u->inline_bytes);
	json_kv_uint(&j, "metadata_bytes", u->metadata_bytes);
	json_kv_uint(&j, "pending_bytes", u->pending_bytes);
	json_key(&j, "compression");
	json_begin_object(&j);
	json_kv_str(&j, "algorithm", u->compression);
	json_kv_bool(&j, "implemented", true);
	json_kv_uint(&j, "saved_bytes", u->compression_saved_bytes);
	json_kv_uint(&j, "stripes", u->compressed_stripes);
	json_kv_uint(&j, "logical_bytes", u->compressed_bytes);
	json_kv_uint(&j, "stored_bytes", u->compressed_stored_bytes);
	json_end_object(&j);
	json_key(&j, "members");
	json_begin_array(&j);
	for (unsigned i = 0; i < u->nmembers; i++) {
		const struct argos_usage_member *m = &u->members[i];

		json_begin_object(&j);
		json_kv_int(&j, "index", m->index);
		if (m->path[0])
			json_kv_str(&j, "path", m->path);
		else
			json_kv_null(&j, "path");
		json_kv_str(&j, "state", argos_member_status_name(m->status));
		json_kv_uint(&j, "size_bytes", m->size);
		json_kv_uint(&j, "data_bytes", m->data_bytes);
		json_kv_uint(&j, "used_bytes", m->used_bytes);
		json_kv_uint(&j, "free_bytes", m->data_bytes - m->used_bytes);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	(void)json_finish(&j);
}

int cmd_df(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		NSCMD_LONGOPTS
	};
	struct argos_usage *u = NULL;
	bool json = false;
	struct nscmd nc;
	int c, rc, err;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case 'h': c = NSCMD_OPT_HELP; /* fall through */
		default:
			if ((rc = nscmd_option(&nc, c, usage)) >= 0)
				goto out;
		}
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 1, 1)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_READ)) >= 0)
		goto out;
	u = calloc(1, sizeof(*u));
	err = u ? argos_pool_usage(nc.pool, u) : -ENOMEM;
	if (err) {
		nscmd_fail(&nc, nc.spec, err);
	} else if (json) {
		print_json(u);
	} else {
		print_text(u);
	}
	rc = -1;
out:
	free(u);
	return nscmd_finish(&nc, rc);
}
