/*
 * cmd_set_io_mode.c — `argosfs set-io-mode POOL [MODE]`: record the pool's
 * I/O mode (the "io" pool property: psync, direct, uring, aio), or, without
 * MODE, show it.
 *
 * Opens the pool read-write (MODE given) or read-only (shown), so it refuses
 * a mounted or busy pool when setting.  The mode takes effect at the next
 * open; `mount.argosfs -o io=MODE` overrides it for one mount.
 * Exit status: 0 done, 1 the pool could not be opened or written, 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "poolcmd.h"

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--search DIR]... POOL [MODE]\n"
"Set the I/O mode of POOL (the pool property \"io\") to MODE, one of\n"
"  psync   a thread pool doing pread/pwrite on the members (the default)\n"
"  direct  the same with the members opened O_DIRECT (no page cache)\n"
"  uring   io_uring (psync when the kernel refuses io_uring, with a notice)\n"
"  aio     libaio on O_DIRECT members\n"
"or, without MODE, print the pool's mode.  A new mode takes effect at the next\n"
"open or mount (mount.argosfs -o io=MODE overrides it for one mount).  Setting it\n"
"needs the pool unmounted.\n"
"\n"
"      --search DIR  look for member image files in DIR when POOL is UUID= or\n"
"                    LABEL= (repeatable; also $" TOOL_SEARCH_ENV ")\n"
"  -h, --help        show this help and exit\n"
"\n"
"Exit status: 0 done, 1 the pool could not be opened or written, 2 usage error.\n",
		prog);
}

/* Arguments that are not options (nor --search's value). */
static int operands(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			n += argc - i - 1;
			break;
		}
		if (!strcmp(argv[i], "--search"))
			i++;
		else if (argv[i][0] != '-')
			n++;
	}
	return n;
}

int cmd_set_io_mode(int argc, char **argv)
{
	struct argos_open_opts oo = { 0 };
	struct argos_pool_status st;
	struct poolcmd pc;
	argos_pool *p = NULL;
	const char *mode = NULL;
	char why[256] = "";
	int rc, err;

	/* Two operands: the last is MODE (taken off before the shared parser). */
	if (operands(argc, argv) == 2 && argv[argc - 1][0] != '-') {
		mode = argv[argc - 1];
		if (argos_io_mode_parse(mode) < 0) {
			tool_usage_err(argv[0], "%s: not an I/O mode (psync, direct, uring, aio)",
				       mode);
			return CMD_USAGE;
		}
		argc--;
	}
	rc = poolcmd_parse(&pc, argc, argv, 0, usage);
	if (rc >= 0)
		goto out;
	rc = CMD_FAIL;
	oo.log = &pc.tl.log;
	if (!mode)
		oo.flags = ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED;
	err = argos_pool_open((const char *const *)pc.paths, pc.n, &oo, &p, why, sizeof(why));
	if (err) {
		tool_err(pc.prog, "%s: %s: while opening the pool", pc.spec,
			 why[0] ? why : argos_strerror(err));
		goto out;
	}
	if (!mode) {
		argos_pool_status(p, &st);
		printf("%s: io %s%s\n", pc.spec, st.io_prop[0] ? st.io_prop : "psync",
		       st.io_prop[0] ? "" : " (default)");
		argos_pool_close(p);
		rc = tool_stdout_ok(pc.prog) ? CMD_OK : CMD_FAIL;
		goto out;
	}
	err = argos_pool_set_io_mode(p, mode, why, sizeof(why));
	if (err) {
		tool_err(pc.prog, "%s: %s", pc.spec, why[0] ? why : argos_strerror(err));
		argos_pool_close(p);
		goto out;
	}
	err = argos_pool_close(p);
	if (err) {
		tool_err(pc.prog, "%s: %s: while closing the pool", pc.spec, argos_strerror(err));
		goto out;
	}
	printf("%s: io %s (from the next open)\n", pc.spec,
	       argos_io_mode_name(argos_io_mode_parse(mode)));
	rc = tool_stdout_ok(pc.prog) ? CMD_OK : CMD_FAIL;
out:
	poolcmd_free(&pc);
	return rc;
}
