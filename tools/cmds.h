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
/* cmd_setprop.c */
int cmd_set_io_mode(int argc, char **argv);
int cmd_set_atime(int argc, char **argv);
int cmd_set_compression(int argc, char **argv);

/* The offline namespace commands (nscmd.c, nspath.c): */
/* cmd_ls.c */
int cmd_ls(int argc, char **argv);
/* cmd_stat.c */
int cmd_stat(int argc, char **argv);
/* cmd_mkdir.c */
int cmd_mkdir(int argc, char **argv);
int cmd_mknod(int argc, char **argv);
/* cmd_link.c */
int cmd_symlink(int argc, char **argv);
int cmd_ln(int argc, char **argv);
/* cmd_rename.c */
int cmd_rename(int argc, char **argv);
/* cmd_chmod.c */
int cmd_chmod(int argc, char **argv);
int cmd_chown(int argc, char **argv);
/* cmd_rm.c */
int cmd_rm(int argc, char **argv);
int cmd_rmdir(int argc, char **argv);
/* cmd_xattr.c */
int cmd_setfattr(int argc, char **argv);
int cmd_getfattr(int argc, char **argv);
/* cmd_put.c */
int cmd_put(int argc, char **argv);
/* cmd_get.c */
int cmd_get(int argc, char **argv);
int cmd_cat(int argc, char **argv);
/* cmd_truncate.c */
int cmd_truncate(int argc, char **argv);
/* cmd_df.c */
int cmd_df(int argc, char **argv);
/* cmd_import.c */
int cmd_import_tree(int argc, char **argv);
/* cmd_export.c */
int cmd_export_tree(int argc, char **argv);

#endif
