/*
 * poolcmd.h — the command line every `argosfs` command on one pool shares.
 *
 * Owns: parsing [--json] [--items] [--search DIR]... [-h] POOL (each command
 * says which of --json/--items it takes), and resolving POOL into member
 * paths with the search directories and $ARGOSFS_SEARCH (tools/common.c).
 * Engine messages go to stderr as "prog: msg" (warnings and errors).
 */
#ifndef ARGOS_TOOLS_POOLCMD_H
#define ARGOS_TOOLS_POOLCMD_H

#include <stdbool.h>
#include <stdio.h>

#include "common.h"

#define POOLCMD_JSON  0x1   /* the command takes --json */
#define POOLCMD_ITEMS 0x2   /* the command takes --items */

struct poolcmd {
	const char *prog;
	const char *spec;         /* POOL as given */
	bool json, items;
	char **paths;             /* resolved members */
	unsigned n;
	struct tool_search search;
	struct tool_log tl;
};

/*
 * Parse argv and resolve POOL.  Returns -1 when the command should run, or
 * the exit status to leave with: 0 after --help (usage(stdout) printed),
 * 2 on a usage error (a malformed POOL too), 1 when POOL matches nothing
 * (said on stderr).
 * Call poolcmd_free() in every case.
 */
int  poolcmd_parse(struct poolcmd *pc, int argc, char **argv, unsigned allow,
		   void (*usage)(FILE *f, const char *prog));
void poolcmd_free(struct poolcmd *pc);

#endif
