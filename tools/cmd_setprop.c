/*
 * cmd_setprop.c — `argosfs set-io-mode POOL [MODE]`, `argosfs set-atime
 * POOL [MODE]` and `argosfs set-compression POOL [ALGO[:LEVEL][,...]]`:
 * record a pool property ("io": psync, direct, uring, aio; "atime":
 * relatime, noatime, strictatime; "compression": none, lz4, zstd[:LEVEL]
 * with unit= and min-save=), or, without MODE, show it.
 *
 * Opens the pool read-write (MODE given) or read-only (shown), so it refuses
 * a mounted or busy pool when setting.  The value takes effect at the next
 * open (compression: for stripes written from then on); mount options (-o io=MODE, -o noatime...) override it for one mount.
 * Exit status: 0 done, 1 the pool could not be opened or written, 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "poolcmd.h"

/* One property command. */
struct propcmd {
	const char *prop;          /* the property's name */
	const char *modes;         /* "a, b, c" for messages */
	const char *help;          /* the modes, one per line, for --help */
	const char *dflt;          /* the value when unset */
	int  (*parse)(const char *s);
	const char *(*name)(int mode);
	int  (*set)(argos_pool *p, const char *mode, char *why, size_t whylen);
	const char *(*stored)(const struct argos_pool_status *s);
	void (*usage)(FILE *f, const char *prog);
};

static void io_usage(FILE *f, const char *prog);
static void atime_usage(FILE *f, const char *prog);
static void cz_usage(FILE *f, const char *prog);

static const char *io_stored(const struct argos_pool_status *s) { return s->io_prop; }
static const char *atime_stored(const struct argos_pool_status *s) { return s->atime_prop; }
static const char *cz_stored(const struct argos_pool_status *s) { return s->compression; }

static int cz_parse(const char *s)
{
	return argos_compression_parse(s, NULL, 0, NULL, 0);
}

static const struct propcmd io_cmd = {
	"io", "psync, direct, uring, aio",
	"  psync   a thread pool doing pread/pwrite on the members (the default)\n"
	"  direct  the same with the members opened O_DIRECT (no page cache)\n"
	"  uring   io_uring (psync when the kernel refuses io_uring, with a notice)\n"
	"  aio     libaio on O_DIRECT members\n",
	"psync", argos_io_mode_parse, argos_io_mode_name, argos_pool_set_io_mode, io_stored,
	io_usage,
};

static const struct propcmd atime_cmd = {
	"atime", "relatime, noatime, strictatime",
	"  relatime     a read writes atime only when it is older than mtime or\n"
	"               ctime, or a day old (the default)\n"
	"  noatime      reads never write atime\n"
	"  strictatime  every read writes atime\n",
	"relatime", argos_atime_mode_parse, argos_atime_mode_name, argos_pool_set_atime,
	atime_stored, atime_usage,
};

static const struct propcmd cz_cmd = {
	"compression", "none, lz4, zstd[:LEVEL], then ,unit=SIZE ,min-save=N",
	"  none          store file data as written (the default)\n"
	"  lz4           lz4 (fast)\n"
	"  zstd[:LEVEL]  zstd, LEVEL 1..19 (default 3)\n"
	"followed by ,unit=SIZE (bytes compressed as one unit: 4K..64K, a power of\n"
	"two, default 64K) and ,min-save=N (a unit is stored raw unless it saves\n"
	"1/N of its bytes: 2..64, default 8).  It applies to file data written\n"
	"from then on; data already written stays readable as it is;\n",
	"none", cz_parse, NULL, argos_pool_set_compression, cz_stored, cz_usage,
};

static void usage(const struct propcmd *cur, FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [--search DIR]... POOL [MODE]\n"
"Set the pool property \"%s\" of POOL to MODE, one of\n"
"%s"
"or, without MODE, print it.  A new value takes effect at the next open or\n"
"mount (mount options override it for one mount).  Setting it needs the pool\n"
"unmounted.\n"
"\n"
"      --search DIR  look for member image files in DIR when POOL is UUID= or\n"
"                    LABEL= (repeatable; also $" TOOL_SEARCH_ENV ")\n"
"  -h, --help        show this help and exit\n"
"\n"
"Exit status: 0 done, 1 the pool could not be opened or written, 2 usage error.\n",
		prog, cur->prop, cur->help);
}

static void io_usage(FILE *f, const char *prog)
{
	usage(&io_cmd, f, prog);
}

static void atime_usage(FILE *f, const char *prog)
{
	usage(&atime_cmd, f, prog);
}

static void cz_usage(FILE *f, const char *prog)
{
	usage(&cz_cmd, f, prog);
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

static int run(const struct propcmd *pc_, int argc, char **argv)
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
		if (pc_->parse(mode) < 0) {
			tool_usage_err(argv[0], "%s: not a value of %s (%s)", mode, pc_->prop,
				       pc_->modes);
			return CMD_USAGE;
		}
		argc--;
	}
	rc = poolcmd_parse(&pc, argc, argv, 0, pc_->usage);
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
		printf("%s: %s %s%s\n", pc.spec, pc_->prop,
		       pc_->stored(&st)[0] ? pc_->stored(&st) : pc_->dflt,
		       pc_->stored(&st)[0] ? "" : " (default)");
		argos_pool_close(p);
		rc = tool_stdout_ok(pc.prog) ? CMD_OK : CMD_FAIL;
		goto out;
	}
	err = pc_->set(p, mode, why, sizeof(why));
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
	if (pc_->name)
		printf("%s: %s %s (from the next open)\n", pc.spec, pc_->prop,
		       pc_->name(pc_->parse(mode)));
	else
		printf("%s: %s %s (for data written from now on)\n", pc.spec, pc_->prop,
		       mode);
	rc = tool_stdout_ok(pc.prog) ? CMD_OK : CMD_FAIL;
out:
	poolcmd_free(&pc);
	return rc;
}

int cmd_set_io_mode(int argc, char **argv)
{
	return run(&io_cmd, argc, argv);
}

int cmd_set_atime(int argc, char **argv)
{
	return run(&atime_cmd, argc, argv);
}

int cmd_set_compression(int argc, char **argv)
{
	return run(&cz_cmd, argc, argv);
}
