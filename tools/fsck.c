/*
 * fsck.c — fsck.argosfs: check and repair an ArgosFS pool that is not mounted.
 *
 * A thin driver over argos_fsck(): resolve the pool spec (with --search and
 * $ARGOSFS_SEARCH), map -n/-y/-p/-a to a mode, print each finding with its
 * stable code and outcome, a summary line, and exit with the fsck(8) bits
 * the engine computed:
 *    0 no problems     1 problems corrected     4 problems left uncorrected
 *    8 operational error (pool not found, busy, mounted, I/O)
 *   16 usage error
 * Without -n, -y or -p the check runs as -n (we never ask questions).
 * fsck(8) compatibility: -a is -p; -t argosfs, -r and (with a POOL) -V are
 * accepted and ignored; -C FD writes progress lines to FD.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define PROG "fsck.argosfs"

enum { OPT_SEARCH = 256 };

struct fsck_ui {
	int mode;
	int progress_fd;          /* -1: none; 0: human lines on stdout */
	const char *spec;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " [-n|-y|-p|-a] [-f] [-v] [-C FD] [--search DIR]... POOL\n"
"Check, and with -y or -p repair, an ArgosFS pool that is not mounted.\n"
"\n"
"  -n            check only, change nothing (also what happens when no mode\n"
"                is given: " PROG " never asks questions)\n"
"  -y            repair every problem that can be repaired\n"
"  -p, -a        preen: repair only what is safe without a human (boot time)\n"
"  -f            check even a pool that is marked clean\n"
"  -v            verbose (twice: debug messages)\n"
"  -C FD         write progress lines to file descriptor FD (0: standard output)\n"
"  -t TYPE       accepted for fsck(8); TYPE must be argosfs\n"
"  -r            accepted for compatibility; does nothing\n"
"      --search DIR  look for member image files in DIR when POOL is UUID= or\n"
"                LABEL= (repeatable; also $" TOOL_SEARCH_ENV ", dirs separated by ':')\n"
"  -h, --help    show this help and exit\n"
"  -V, --version show the version and exit (-V with a POOL is ignored, as\n"
"                fsck(8) uses it for itself)\n"
"\n"
"POOL is PATH[,PATH...] | UUID=<uuid> | LABEL=<label> | pool:UUID=<uuid> |\n"
"pool:LABEL=<label>.  UUID= and LABEL= look at every block device and at the\n"
"image files of the search directories.\n"
"\n"
"Exit status (bits, as fsck(8)): 0 no problems, 1 problems corrected,\n"
"4 problems left uncorrected, 8 operational error (pool not found, busy or\n"
"mounted), 16 usage error.\n");
}

#define usage_fail(...) (tool_usage_err(PROG, __VA_ARGS__), ARGOS_FSCK_USAGE)

static void on_problem(void *ctx, const struct argos_fsck_problem *p)
{
	const struct fsck_ui *ui = ctx;
	const char *outcome;

	if (p->fixed)
		outcome = "FIXED";
	else if (!p->fixable)
		outcome = "not fixed: fsck cannot repair this";
	else if (ui->mode == ARGOS_FSCK_CHECK)
		outcome = "not fixed: run with -y to repair";
	else if (ui->mode == ARGOS_FSCK_PREEN)
		outcome = "not fixed: needs -y";
	else
		outcome = "NOT FIXED: the repair failed";
	printf("%s: %s [%s]\n", p->code, p->message, outcome);
}

static void on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
	const struct fsck_ui *ui = ctx;

	if (ui->progress_fd == 0) {
		if (total)
			printf("%s: %" PRIu64 "/%" PRIu64 "\n", phase, done, total);
		else
			printf("%s: %" PRIu64 "\n", phase, done);
		fflush(stdout);
	} else if (ui->progress_fd > 0) {
		dprintf(ui->progress_fd, "%s %" PRIu64 " %" PRIu64 " %s\n", phase, done, total,
			ui->spec);
	}
}

static int set_mode(struct fsck_ui *ui, int mode)
{
	if (ui->mode && ui->mode != mode)
		return -EINVAL;
	ui->mode = mode;
	return 0;
}

static void print_summary(const struct fsck_ui *ui, const struct argos_fsck_result *r)
{
	if (r->skipped_clean && r->problems == 0)
		printf("%s: clean (use -f to check it anyway)\n", ui->spec);
	else if (r->problems == 0)
		printf("%s: no problems found\n", ui->spec);
	else
		printf("%s: %u problem%s found, %u fixed, %u left uncorrected\n", ui->spec,
		       r->problems, r->problems == 1 ? "" : "s", r->fixed, r->uncorrected);
}

static int run(struct fsck_ui *ui, bool force, int verbose, const struct tool_search *search)
{
	struct argos_fsck_result res;
	struct argos_fsck_opts o = { 0 };
	struct tool_log tl;
	char **paths = NULL;
	unsigned n = 0;
	int err, rc;

	tool_log_init(&tl, PROG, verbose > 1 ? ARGOS_LOG_DEBUG
				 : verbose ? ARGOS_LOG_INFO : ARGOS_LOG_NOTICE);
	err = tool_resolve_pool(PROG, ui->spec, search, &tl.log, &paths, &n);
	if (err)
		return err == -EINVAL ? ARGOS_FSCK_USAGE : ARGOS_FSCK_ERROR;
	if (verbose) {
		printf("Checking pool %s (%s):\n", ui->spec,
		       ui->mode == ARGOS_FSCK_CHECK ? "read-only"
		       : ui->mode == ARGOS_FSCK_PREEN ? "preen" : "repair");
		for (unsigned i = 0; i < n; i++)
			printf("  %s\n", paths[i]);
	}
	o.mode = ui->mode;
	o.force = force;
	o.log = &tl.log;
	o.on_problem = on_problem;
	o.on_progress = ui->progress_fd >= 0 ? on_progress : NULL;
	o.ctx = ui;
	err = argos_fsck((const char *const *)paths, n, &o, &res);
	argos_paths_free(paths, n);
	rc = res.exit_code;
	if (err) {
		if (err == -EBUSY)
			tool_err(PROG, "%s: the pool is in use (mounted, or held by another "
				 "process); not checked", ui->spec);
		else if (err == -ENOENT)
			tool_err(PROG, "%s: no ArgosFS pool found; not checked", ui->spec);
		else
			tool_err(PROG, "%s: %s: while checking the pool", ui->spec,
				 argos_strerror(err));
		if (rc == 0)
			rc = ARGOS_FSCK_ERROR;
		return rc;
	}
	print_summary(ui, &res);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "search", required_argument, NULL, OPT_SEARCH },
		{ NULL, 0, NULL, 0 },
	};
	struct fsck_ui ui = { .progress_fd = -1 };
	struct tool_search search = { 0 };
	bool force = false, version = false;
	int verbose = 0, c, rc;
	unsigned fd;

	while ((c = getopt_long(argc, argv, "nypafvC:t:rhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
		case 'y':
		case 'p':
		case 'a':
			if (set_mode(&ui, c == 'n' ? ARGOS_FSCK_CHECK
					  : c == 'y' ? ARGOS_FSCK_REPAIR : ARGOS_FSCK_PREEN)) {
				rc = usage_fail("only one of -n, -y and -p/-a may be given");
				goto out;
			}
			break;
		case 'f':
			force = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'C':
			if (tool_parse_uint(optarg, 1u << 20, &fd)) {
				rc = usage_fail("-C %s: not a file descriptor number", optarg);
				goto out;
			}
			ui.progress_fd = (int)fd;
			break;
		case 't':
			if (strcmp(optarg, "argosfs") && strcmp(optarg, "fuse.argosfs")) {
				rc = usage_fail("-t %s: this program checks argosfs only", optarg);
				goto out;
			}
			break;
		case 'r':
			break;
		case OPT_SEARCH:
			if (tool_search_add(&search, optarg)) {
				tool_err(PROG, "out of memory");
				rc = ARGOS_FSCK_ERROR;
				goto out;
			}
			break;
		case 'h':
			usage(stdout);
			rc = tool_stdout_ok(PROG) ? ARGOS_FSCK_OK : ARGOS_FSCK_ERROR;
			goto out;
		case 'V':
			version = true;
			break;
		default:
			fprintf(stderr, "Try '" PROG " --help' for more information.\n");
			rc = ARGOS_FSCK_USAGE;
			goto out;
		}
	}
	if (version && optind == argc) {
		tool_print_version(PROG);
		rc = tool_stdout_ok(PROG) ? ARGOS_FSCK_OK : ARGOS_FSCK_ERROR;
		goto out;
	}
	if (optind == argc) {
		rc = usage_fail("no pool given");
		goto out;
	}
	if (argc - optind > 1) {
		rc = usage_fail("one pool at a time (members are given as PATH,PATH,...)");
		goto out;
	}
	ui.spec = argv[optind];
	if (ui.progress_fd > 0 && fcntl(ui.progress_fd, F_GETFD) < 0) {
		tool_err(PROG, "-C %d: not an open file descriptor; no progress shown",
			 ui.progress_fd);
		ui.progress_fd = -1;
	}
	if (tool_search_add_env(&search)) {
		tool_err(PROG, "out of memory");
		rc = ARGOS_FSCK_ERROR;
		goto out;
	}
	if (!ui.mode) {
		ui.mode = ARGOS_FSCK_CHECK;
		tool_err(PROG, "no -n, -y or -p given: checking only, as with -n");
	}
	rc = run(&ui, force, verbose, &search);
	if (!tool_stdout_ok(PROG))
		rc |= ARGOS_FSCK_ERROR;
out:
	tool_search_free(&search);
	return rc;
}
