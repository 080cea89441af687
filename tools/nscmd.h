/*
 * nscmd.h — what every offline namespace command (ls, stat, mkdir, put...)
 * shares: its common options, opening the pool, reporting operands that
 * fail, and the exit status.
 *
 * Owns: the options --search DIR, --degraded and --help (and -h where the
 * command does not use it otherwise); opening POOL read-write (read-only for
 * commands that only look) with argos_pool_open, saying "POOL is in use
 * (mounted?)" when a member is held; the credentials the commands act with
 * (root, umask 022); refusing, for the read-only commands too, a pool with
 * a member held by another process (waiting 2 s for a holder letting go);
 * messages "argosfs CMD: PATH: <strerror>"; the exit
 * status: 0 success, 1 when any operand failed (or the pool could not be
 * opened or closed), 2 usage.
 *
 * A command's shape:
 *   static const struct option longopts[] = { { "long", ... }, NSCMD_LONGOPTS };
 *   nscmd_init(&nc, argv);
 *   while ((c = getopt_long(argc, argv, "+lh", longopts, NULL)) != -1) {
 *       switch (c) {
 *       case 'l': ...; break;
 *       default: if ((rc = nscmd_option(&nc, c, usage)) >= 0) goto out;
 *       }
 *   }
 *   if ((rc = nscmd_operands(&nc, argc, argv, 2, -1)) >= 0) goto out;
 *   if ((rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0) goto out;
 *   ...nscmd_fail(&nc, path, err) for each operand that fails...
 *   rc = -1;
 * out:
 *   return nscmd_finish(&nc, rc);
 */
#ifndef ARGOS_TOOLS_NSCMD_H
#define ARGOS_TOOLS_NSCMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "common.h"

enum { NSCMD_OPT_HELP = 0x1000, NSCMD_OPT_SEARCH, NSCMD_OPT_DEGRADED, NSCMD_OPT_FIRST_FREE };

#define NSCMD_LONGOPTS \
	{ "help", no_argument, NULL, NSCMD_OPT_HELP }, \
	{ "search", required_argument, NULL, NSCMD_OPT_SEARCH }, \
	{ "degraded", no_argument, NULL, NSCMD_OPT_DEGRADED }, \
	{ NULL, 0, NULL, 0 }

/* The lines of the common options, for each command's usage text. */
#define NSCMD_OPTIONS_HELP \
"      --degraded    open the pool even with up to m members missing\n" \
"      --search DIR  look for member images in DIR when POOL is UUID= or LABEL=\n" \
"                    (repeatable; also $" TOOL_SEARCH_ENV ")\n" \
"      --help        show this help and exit\n"

/* The exit status line of each command's usage text. */
#define NSCMD_EXIT_HELP \
"Exit status: 0 success, 1 an operand failed or POOL could not be opened\n" \
"(in use, damaged), 2 usage error.\n"

#define NSCMD_READ  false
#define NSCMD_WRITE true

struct nscmd {
	const char *prog;             /* "argosfs CMD" */
	const char *spec;             /* POOL as given */
	unsigned open_flags;          /* ARGOS_OPEN_* */
	struct tool_search search;
	struct tool_log tl;
	char **paths;                 /* POOL's members */
	unsigned n;
	argos_pool *pool;             /* open after nscmd_open() */
	struct argos_cred cred;       /* root, umask 022 */
	bool failed;                  /* an operand failed */
};

void nscmd_init(struct nscmd *nc, char **argv);
/*
 * An option the command did not handle: the common ones, and '?' (getopt
 * already said what).  Returns -1 to go on, or the exit status to leave
 * with (0 after --help, 2 usage).
 */
int  nscmd_option(struct nscmd *nc, int c, void (*usage)(FILE *f, const char *prog));
/* nscmd_init, then getopt over the shared options only (-h, --help, --search,
 * --degraded): a command that has none of its own.  -1: go on (optind at the
 * operands); >= 0: return that (nscmd_finish). */
int  nscmd_parse_common(struct nscmd *nc, int argc, char **argv,
			void (*usage)(FILE *f, const char *prog));
/* "prog: <message>" + the --help hint; returns 2. */
int  nscmd_usage_err(struct nscmd *nc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Check the operands left after getopt (argv[optind..], POOL included)
 * against min..max (max < 0: no limit): -1 when they fit, else says "no pool
 * given", "missing operand" or "extra operand 'X'" and returns 2.
 */
int  nscmd_operands(struct nscmd *nc, int argc, char **argv, int min, int max);
/* Resolve POOL and open it.  -1 when open, else the exit status (1, or 2 for
 * a malformed POOL), the reason said. */
int  nscmd_open(struct nscmd *nc, const char *spec, bool write);
/* "prog: path: <strerror(err)>"; the command will exit 1. */
void nscmd_fail(struct nscmd *nc, const char *path, int err);
/*
 * Close the pool (a read-write pool writes its last checkpoint), check that
 * stdout was written, free everything.  rc >= 0 is an exit status decided
 * earlier and returned as is (after the cleanup); rc < 0 returns 0 or 1
 * from the operands, the close and stdout.
 */
int  nscmd_finish(struct nscmd *nc, int rc);

#endif
