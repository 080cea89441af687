/*
 * cmds.h — the commands of the argosfs multi-command tool.
 *
 * Owns: the command table's entry type, the exit codes every command shares,
 * and one declaration per tools/cmd_<name>.c.  To add a command: write
 * tools/cmd_<name>.c with int cmd_<name>(int argc, char **argv), declare it
 * here, add a row to the table in tools/argosfs.c and the source to
 * tools/local.mk, and document it in docs/man/argosfs.8.
 *
 * A command gets argv[0] = "argosfs <name>" (used as the program name in its
 * messages, getopt's included) and its own arguments after it; it prints its
 * usage to stdout and exits 0 for -h/--help.
 */
#ifndef ARGOS_TOOLS_CMDS_H
#define ARGOS_TOOLS_CMDS_H

#define ARGOSFS_PROG "argosfs"

/* Exit codes shared by the commands (a command may document more). */
enum {
	CMD_OK = 0,
	CMD_FAIL = 1,       /* the command failed, or found nothing */
	CMD_USAGE = 2,      /* bad arguments */
};

struct argos_cmd {
	const char *name;
	const char *summary;              /* one line for `argosfs --help` */
	int (*run)(int argc, char **argv);
};

/* cmd_scan.c */
int cmd_scan(int argc, char **argv);
/* cmd_dump_super.c */
int cmd_dump_super(int argc, char **argv);
/* cmd_verify_journal.c */
int cmd_verify_journal(int argc, char **argv);
/* cmd_checkpoint.c */
int cmd_checkpoint(int argc, char **argv);
/* cmd_dump_tree.c */
int cmd_dump_tree(int argc, char **argv);
/* cmd_crash_points.c */
int cmd_crash_points(int argc, char **argv);

#endif
