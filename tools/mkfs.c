/*
 * mkfs.c — mkfs.argosfs: format members into a new ArgosFS pool.
 *
 * A thin driver over argos_mkfs(): parse the options, let the engine check
 * and write (it refuses members holding signatures unless -f, and changes
 * nothing with -n), print what was (or would be) created.
 *
 * Exit status (mke2fs convention): 0 success, 1 anything else, usage errors
 * included.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define PROG "mkfs.argosfs"

enum { MKFS_OK = 0, MKFS_FAIL = 1 };
enum { OPT_CZ = 256, OPT_CZ_UNIT, OPT_CZ_MINSAVE };

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " [-k K] [-m M] [-c CHUNK] [-L LABEL] [-U UUID] [-f] [-n] [-q]\n"
"       [--compression ALGO[:LEVEL]] [--compression-unit SIZE]\n"
"       [--compression-min-save N] MEMBER...\n"
"Format block devices, partitions or image files as the members of a new\n"
"ArgosFS pool.\n"
"\n"
"  -k K         data chunks per stripe, 1..32 (default: members - m)\n"
"  -m M         parity chunks per stripe, 0..3 (default: 0 for one member,\n"
"               1 for two or three, 2 for four or more)\n"
"  -c CHUNK     chunk size, a power of two from 4K to 1M (default 256K, halved\n"
"               while k x chunk exceeds 1M, but not below 64K)\n"
"  -L LABEL     pool label, at most 63 bytes, no ','\n"
"  -U UUID      pool UUID (default: random)\n"
"  --compression ALGO[:LEVEL]\n"
"               compress file data: none (the default), lz4, or zstd with\n"
"               an optional level 1..19 (default 3); later changed with\n"
"               argosfs set-compression\n"
"  --compression-unit SIZE\n"
"               bytes compressed as one unit, a power of two from 4K to 64K\n"
"               (default 64K); a read decompresses only the units it needs\n"
"  --compression-min-save N\n"
"               store a unit raw unless compressing saves 1/N of it (2..64,\n"
"               default 8)\n"
"  -f           format even members that hold a filesystem, partition table,\n"
"               RAID or ArgosFS signature (erasing those signatures)\n"
"  -n           show what would be done; write nothing\n"
"  -q           quiet: print errors only\n"
"  -h, --help   show this help and exit\n"
"  -V, --version  show the version and exit\n"
"\n"
"CHUNK accepts K, M, G suffixes (KiB, MiB, GiB).  Members must be at least\n"
"%llu MiB.  Exit status: 0 success, 1 failure (usage errors included).\n",
		(unsigned long long)(ARGOS_MIN_MEMBER_SIZE >> 20));
}

#define usage_fail(...) (tool_usage_err(PROG, __VA_ARGS__), MKFS_FAIL)

static void print_result(const struct argos_mkfs_result *r, const struct argos_mkfs_opts *o,
			 const char *const *paths, unsigned n)
{
	char uuid[37], h[32];

	tool_format_uuid(r->pool_uuid, uuid);
	if (o->dry_run)
		printf("Would format %u member%s as an ArgosFS pool (-n: nothing written)\n", n,
		       n == 1 ? "" : "s");
	else
		printf("Formatted %u member%s as an ArgosFS pool\n", n, n == 1 ? "" : "s");
	printf("  pool UUID:        %s\n", uuid);
	printf("  label:            %s\n", o->label && *o->label ? o->label : "(none)");
	if (r->m)
		printf("  geometry:         %u+%u (%u data + %u parity chunks per stripe; "
		       "survives %u lost member%s)\n", r->k, r->m, r->k, r->m, r->m,
		       r->m == 1 ? "" : "s");
	else
		printf("  geometry:         %u+0 (%u data chunk%s per stripe; no redundancy)\n",
		       r->k, r->k, r->k == 1 ? "" : "s");
	printf("  chunk size:       %s (%" PRIu32 " bytes)\n",
	       tool_human_size(r->chunk_size, h, sizeof(h)), r->chunk_size);
	printf("  journal size:     %s (%" PRIu64 " bytes) per member\n",
	       tool_human_size(r->journal_size, h, sizeof(h)), r->journal_size);
	printf("  raw capacity:     %s (%" PRIu64 " bytes)\n",
	       tool_human_size(r->raw_bytes, h, sizeof(h)), r->raw_bytes);
	printf("  usable capacity:  %s (%" PRIu64 " bytes)\n",
	       tool_human_size(r->usable_bytes, h, sizeof(h)), r->usable_bytes);
	if (o->compression)
		printf("  compression:      %s\n", o->compression);
	printf("  members:\n");
	for (unsigned i = 0; i < n; i++)
		printf("    %-3u %s\n", i, paths[i]);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "compression", required_argument, NULL, OPT_CZ },
		{ "compression-unit", required_argument, NULL, OPT_CZ_UNIT },
		{ "compression-min-save", required_argument, NULL, OPT_CZ_MINSAVE },
		{ NULL, 0, NULL, 0 },
	};
	const char *cz = NULL, *cz_unit = NULL, *cz_minsave = NULL;
	char czspec[128];
	struct argos_mkfs_opts o = { 0 };
	struct argos_mkfs_result res;
	struct tool_log tl;
	uint8_t uuid[16];
	uint64_t chunk;
	bool quiet = false;
	char why[512] = "";
	int c, err;

	while ((c = getopt_long(argc, argv, "k:m:c:L:U:fnqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (tool_parse_uint(optarg, 1000000, &o.k) || o.k == 0)
				return usage_fail("-k %s: k must be a number of data chunks, at least 1",
						 optarg);
			break;
		case 'm':
			if (tool_parse_uint(optarg, 1000000, &o.m))
				return usage_fail("-m %s: m must be a number of parity chunks", optarg);
			o.m_set = true;
			break;
		case 'c':
			if (tool_parse_size(optarg, &chunk) || chunk == 0 || chunk > UINT32_MAX)
				return usage_fail("-c %s: not a chunk size (e.g. 64K, 256K, 1M)", optarg);
			o.chunk_size = (uint32_t)chunk;
			break;
		case 'L':
			o.label = optarg;
			break;
		case 'U':
			if (!strcmp(optarg, "random")) {
				o.uuid = NULL;
				break;
			}
			if (tool_parse_uuid(optarg, uuid))
				return usage_fail("-U %s: not a UUID "
						 "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", optarg);
			if (tool_uuid_is_nil(uuid))
				return usage_fail("-U %s: the nil UUID cannot name a pool", optarg);
			o.uuid = uuid;
			break;
		case 'f':
			o.force = true;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'q':
			quiet = true;
			break;
		case OPT_CZ:
			cz = optarg;
			break;
		case OPT_CZ_UNIT:
			cz_unit = optarg;
			break;
		case OPT_CZ_MINSAVE:
			cz_minsave = optarg;
			break;
		case 'h':
			usage(stdout);
			return tool_stdout_ok(PROG) ? MKFS_OK : MKFS_FAIL;
		case 'V':
			tool_print_version(PROG);
			return tool_stdout_ok(PROG) ? MKFS_OK : MKFS_FAIL;
		default:
			fprintf(stderr, "Try '" PROG " --help' for more information.\n");
			return MKFS_FAIL;
		}
	}
	if (optind >= argc)
		return usage_fail("no members given");
	if ((cz_unit || cz_minsave) && (!cz || !strncmp(cz, "none", 4)))
		return usage_fail("--compression-unit and --compression-min-save need "
				  "--compression lz4 or zstd");
	if (cz) {
		/* one property value: ALGO[:LEVEL][,unit=SIZE][,min-save=N] */
		if ((size_t)snprintf(czspec, sizeof(czspec), "%s%s%s%s%s", cz,
				     cz_unit ? ",unit=" : "", cz_unit ? cz_unit : "",
				     cz_minsave ? ",min-save=" : "", cz_minsave ? cz_minsave : "")
		    >= sizeof(czspec))
			return usage_fail("--compression: too long");
		o.compression = czspec;
	}

	tool_log_init(&tl, PROG, quiet ? ARGOS_LOG_WARNING : ARGOS_LOG_NOTICE);
	o.log = &tl.log;
	err = argos_mkfs((const char *const *)argv + optind, (unsigned)(argc - optind), &o, &res,
			 why, sizeof(why));
	if (err) {
		if (why[0])
			tool_err(PROG, "%s", why);
		else
			tool_err(PROG, "%s: while formatting", argos_strerror(err));
		if (err == -EEXIST || o.dry_run)
			tool_err(PROG, "nothing was written");
		return MKFS_FAIL;
	}
	if (!quiet)
		print_result(&res, &o, (const char *const *)argv + optind,
			     (unsigned)(argc - optind));
	return tool_stdout_ok(PROG) ? MKFS_OK : MKFS_FAIL;
}
