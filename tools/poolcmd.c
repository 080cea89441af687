/*
 * poolcmd.c — the shared command line of the one-pool commands (see poolcmd.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "poolcmd.h"

enum { OPT_JSON = 256, OPT_ITEMS, OPT_SEARCH };

int poolcmd_parse(struct poolcmd *pc, int argc, char **argv, unsigned allow,
		  void (*usage)(FILE *f, const char *prog))
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "items", no_argument, NULL, OPT_ITEMS },
		{ "search", required_argument, NULL, OPT_SEARCH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(pc, 0, sizeof(*pc));
	pc->prog = argv[0];
	tool_log_init(&pc->tl, pc->prog, ARGOS_LOG_WARNING);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if ((c == OPT_JSON && !(allow & POOLCMD_JSON)) ||
		    (c == OPT_ITEMS && !(allow & POOLCMD_ITEMS))) {
			tool_usage_err(pc->prog, "%s: not an option of this command",
				       c == OPT_JSON ? "--json" : "--items");
			return CMD_USAGE;
		}
		switch (c) {
		case OPT_JSON:
			pc->json = true;
			break;
		case OPT_ITEMS:
			pc->items = true;
			break;
		case OPT_SEARCH:
			if (tool_search_add(&pc->search, optarg)) {
				tool_err(pc->prog, "out of memory");
				return CMD_FAIL;
			}
			break;
		case 'h':
			usage(stdout, pc->prog);
			return tool_stdout_ok(pc->prog) ? CMD_OK : CMD_FAIL;
		default:
			if (c != '?')
				break;
			if (optind > 0 && optind <= argc && argv[optind - 1][0] == '-' &&
			    (!strcmp(argv[optind - 1], "--json") || !strcmp(argv[optind - 1], "--items")))
				tool_err(pc->prog, "%s: not an option of this command", argv[optind - 1]);
			fprintf(stderr, "Try '%s --help' for more information.\n", pc->prog);
			return CMD_USAGE;
		}
	}
	if (argc - optind != 1) {
		tool_usage_err(pc->prog, argc == optind ? "no pool given"
				: "one pool at a time (members are given as PATH,PATH,...)");
		return CMD_USAGE;
	}
	pc->spec = argv[optind];
	if (tool_search_add_env(&pc->search)) {
		tool_err(pc->prog, "out of memory");
		return CMD_FAIL;
	}
	c = tool_resolve_pool(pc->prog, pc->spec, &pc->search, &pc->tl.log, &pc->paths, &pc->n);
	if (c)
		return c == -EINVAL ? CMD_USAGE : CMD_FAIL;   /* a malformed spec is a usage error */
	return -1;
}

void poolcmd_free(struct poolcmd *pc)
{
	argos_paths_free(pc->paths, pc->n);
	pc->paths = NULL;
	pc->n = 0;
	tool_search_free(&pc->search);
}
