/*
 * mode.h — file modes for the namespace commands: reading them as chmod(1)
 * does, and writing them as ls(1) and stat(1) do.
 *
 * Owns: the grammar of MODE arguments (octal, or symbolic clauses
 * [ugoa]*([-+=]([rwxXst]*|[ugo]))+ separated by commas, with coreutils'
 * rules: no who letter means "a" minus the umask; X is x for directories or
 * when someone already has x; a directory keeps its setuid/setgid bits under
 * an octal mode of four digits or fewer unless the digits set them), the
 * ten-character mode string ("drwxr-sr-t"), and the names of file types.
 */
#ifndef ARGOS_TOOLS_MODE_H
#define ARGOS_TOOLS_MODE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The permission bits (07777) that MODE makes of old's (07777 of old are
 * used; old's type says whether it is a directory).  0, or -EINVAL when
 * MODE is not a mode.
 */
int  mode_parse(const char *mode, uint32_t old, uint32_t umask, uint32_t *out);

/* "-rw-r--r--", "drwxrwsrwt", "lrwxrwxrwx"... into out (11 bytes). */
void mode_string(uint32_t mode, char out[11]);

/* stat(1)'s words: "regular file", "directory", "symbolic link", "fifo",
 * "socket", "character special file", "block special file". */
const char *mode_type_name(uint32_t mode);
/* The --json names: "file", "dir", "symlink", "fifo", "socket", "chardev",
 * "blockdev" ("unknown" otherwise). */
const char *mode_type_key(uint32_t mode);

#endif
