/*
 * argosfs.c — the argosfs multi-command tool: dispatch to tools/cmd_*.c.
 *
 *   argosfs <command> [args]     run a command (see the table below)
 *   argosfs help [<command>]     list the commands, or a command's usage
 *   argosfs --help | --version
 * Exit status: the command's; 2 for an unknown command or bad usage here.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "common.h"

static const struct argos_cmd commands[] = {
	{ "scan", "find ArgosFS pools and show their members and states", cmd_scan },
	{ "dump-super", "show every superblock copy of one member", cmd_dump_super },
	{ "verify-journal", "walk every journal mirror entry by entry (read-only)",
	  cmd_verify_journal },
	{ "checkpoint", "open a pool read-write (replaying), checkpoint, close", cmd_checkpoint },
	{ "dump-tree", "show the metadata tree's pages (and items) with every mirror",
	  cmd_dump_tree },
	{ "crash-points", "list the crash point names (ARGOSFS_CRASH_POINT)", cmd_crash_points },
	{ "set-io-mode", "set (or show) a pool's I/O mode: psync, direct, uring, aio",
	  cmd_set_io_mode },
	{ "set-atime", "set (or show) a pool's atime mode: relatime, noatime, strictatime",
	  cmd_set_atime },
	{ "set-compression", "set (or show) a pool's compression: none, lz4, zstd[:LEVEL]",
	  cmd_set_compression },
	/* files and directories of an unmounted pool */
	{ "ls", "list directory contents", cmd_ls },
	{ "stat", "show every attribute of files", cmd_stat },
	{ "mkdir", "make directories", cmd_mkdir },
	{ "mknod", "make a FIFO, socket, device or empty regular file", cmd_mknod },
	{ "symlink", "make a symbolic link", cmd_symlink },
	{ "ln", "make a hard link", cmd_ln },
	{ "rename", "rename or move a file (or exchange two)", cmd_rename },
	{ "chmod", "change a file's mode", cmd_chmod },
	{ "chown", "change a file's owner and group", cmd_chown },
	{ "rm", "remove files (and with -r directory trees)", cmd_rm },
	{ "rmdir", "remove empty directories", cmd_rmdir },
	{ "setfattr", "set or remove an extended attribute", cmd_setfattr },
	{ "getfattr", "show extended attributes", cmd_getfattr },
	{ "put", "copy a local file into the pool", cmd_put },
	{ "get", "copy a file out of the pool", cmd_get },
	{ "cat", "write files of the pool to standard output", cmd_cat },
	{ "truncate", "set a file's size", cmd_truncate },
	{ "df", "show raw, usable, used and free space, per member too", cmd_df },
	{ "import-tree", "copy a local directory tree into the pool", cmd_import_tree },
	{ "export-tree", "copy a directory tree of the pool out", cmd_export_tree },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: " ARGOSFS_PROG " <command> [options] [args]\n"
		   "       " ARGOSFS_PROG " help [<command>]\n"
		   "       " ARGOSFS_PROG " --help | --version\n"
		   "\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-15s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'" ARGOSFS_PROG " <command> --help' shows a command's options.\n"
		   "Exit status: the command's (0 success, 1 failure or nothing found,\n"
		   "2 usage error).\n");
}

static const struct argos_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Run cmd with argv[0] renamed "argosfs <name>" for its messages. */
static int run_command(const struct argos_cmd *cmd, int argc, char **argv)
{
	char name[64];

	snprintf(name, sizeof(name), ARGOSFS_PROG " %s", cmd->name);
	argv[0] = name;
	return cmd->run(argc, argv);
}

int main(int argc, char **argv)
{
	const struct argos_cmd *cmd;
	const char *arg = argc > 1 ? argv[1] : NULL;

	if (!arg) {
		usage(stderr);
		return CMD_USAGE;
	}
	if (!strcmp(arg, "--help") || !strcmp(arg, "-h") ||
	    (!strcmp(arg, "help") && argc == 2)) {
		usage(stdout);
		return tool_stdout_ok(ARGOSFS_PROG) ? CMD_OK : CMD_FAIL;
	}
	if (!strcmp(arg, "--version") || !strcmp(arg, "-V")) {
		tool_print_version(ARGOSFS_PROG);
		return tool_stdout_ok(ARGOSFS_PROG) ? CMD_OK : CMD_FAIL;
	}
	if (!strcmp(arg, "help")) {
		char help[] = "--help";
		char *hargv[] = { argv[2], help, NULL };

		cmd = find_command(argv[2]);
		if (!cmd) {
			tool_usage_err(ARGOSFS_PROG, "'%s' is not an argosfs command", argv[2]);
			return CMD_USAGE;
		}
		return run_command(cmd, 2, hargv);
	}
	if (arg[0] == '-') {
		tool_usage_err(ARGOSFS_PROG, "unrecognized option '%s' (options follow the command)",
			       arg);
		return CMD_USAGE;
	}
	cmd = find_command(arg);
	if (!cmd) {
		tool_usage_err(ARGOSFS_PROG, "'%s' is not an argosfs command", arg);
		return CMD_USAGE;
	}
	return run_command(cmd, argc - 1, argv + 1);
}
