/*
 * cmd_checkpoint.c — `argosfs checkpoint`: open a pool read-write (which
 * replays its journal), write a checkpoint, close it.
 *
 * Takes ownership of the members like a mount, so it refuses a mounted or
 * busy pool.  Prints the generation of the checkpoint written; closing the
 * pool then writes one more generation that marks it clean.
 * Exit status: 0 checkpoint written and the pool closed cleanly, 1 it could
 * not be (busy, damaged, I/O error), 2 usage error.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cmds.h"
#include "poolcmd.h"

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--search DIR]... POOL\n"
"Open POOL read-write (replaying its journal after an unclean shutdown), write a\n"
"checkpoint, and close it cleanly.  Prints the checkpoint's generation.  The pool\n"
"must not be mounted.\n"
"\n"
"      --search DIR  look for member image files in DIR when POOL is UUID= or\n"
"                    LABEL= (repeatable; also $" TOOL_SEARCH_ENV ")\n"
"  -h, --help        show this help and exit\n"
"\n"
"Exit status: 0 checkpoint written, 1 it could not be (pool busy, damaged or an\n"
"I/O error), 2 usage error.\n", prog);
}

int cmd_checkpoint(int argc, char **argv)
{
	struct argos_open_opts oo = { 0 };
	struct argos_pool_status st;
	struct poolcmd pc;
	argos_pool *p = NULL;
	char why[256] = "";
	int rc, err;

	rc = poolcmd_parse(&pc, argc, argv, 0, usage);
	if (rc >= 0)
		goto out;
	rc = CMD_FAIL;
	oo.log = &pc.tl.log;
	err = argos_pool_open((const char *const *)pc.paths, pc.n, &oo, &p, why, sizeof(why));
	if (err) {
		tool_err(pc.prog, "%s: %s: while opening the pool", pc.spec,
			 why[0] ? why : argos_strerror(err));
		goto out;
	}
	err = argos_pool_checkpoint(p);
	argos_pool_status(p, &st);
	if (err) {
		tool_err(pc.prog, "%s: %s: while writing a checkpoint", pc.spec, argos_strerror(err));
		argos_pool_close(p);
		goto out;
	}
	err = argos_pool_close(p);
	if (err) {
		tool_err(pc.prog, "%s: %s: while closing the pool", pc.spec, argos_strerror(err));
		goto out;
	}
	printf("%s: checkpoint written: generation %" PRIu64, pc.spec, st.generation);
	if (st.replayed_entries)
		printf(" (replayed %" PRIu64 " journal entries, %" PRIu64 " transactions)",
		       st.replayed_entries, st.replayed_txns);
	putchar('\n');
	rc = tool_stdout_ok(pc.prog) ? CMD_OK : CMD_FAIL;
out:
	poolcmd_free(&pc);
	return rc;
}
