/*
 * cmd_crash_points.c — `argosfs crash-points`: the names of the crash points
 * that ARGOSFS_CRASH_POINT arms, one per line (argos_crash_point_name).
 * Exit status: 0, 2 usage error.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmds.h"
#include "common.h"

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s\n"
"List the crash points of the durability protocol, one name per line.  Set\n"
"ARGOSFS_CRASH_POINT=NAME[,NAME...] (or \"all\") to make the engine fail there\n"
"with an I/O error, and ARGOSFS_CRASH_ABORT=1 to abort the process there instead.\n"
"\n"
"  -h, --help        show this help and exit\n"
"\n"
"Exit status: 0, 2 usage error.\n", prog);
}

int cmd_crash_points(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prog = argv[0], *name;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout, prog);
			return tool_stdout_ok(prog) ? CMD_OK : CMD_FAIL;
		}
		fprintf(stderr, "Try '%s --help' for more information.\n", prog);
		return CMD_USAGE;
	}
	if (optind != argc) {
		tool_usage_err(prog, "no arguments expected");
		return CMD_USAGE;
	}
	for (unsigned i = 0; (name = argos_crash_point_name(i)) != NULL; i++)
		puts(name);
	return tool_stdout_ok(prog) ? CMD_OK : CMD_FAIL;
}
