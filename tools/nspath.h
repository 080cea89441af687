/*
 * nspath.h — path names inside a pool, resolved through the inode API.
 *
 * Owns: turning "/a/b/c" into (parent directory, last name, inode) the way
 * the kernel's path walk does, for every offline namespace command.
 *  - Paths are absolute inside the pool; a relative one starts at the root
 *    too.  Empty components ("a//b") are skipped; "." and ".." are looked
 *    up like names (".." of the root is the root).
 *  - A symlink met before the last component is followed: a relative
 *    target continues from the directory holding the link, an absolute one
 *    from the pool's root.  The last component is followed only with
 *    NSPATH_FOLLOW, or when the path ends with '/'.
 *  - More than NSPATH_MAX_LINKS symlinks on one walk: -ELOOP.  A component
 *    other than the last that is not a directory: -ENOTDIR.  A component
 *    longer than 255 bytes, or a path (with the targets spliced in) longer
 *    than NSPATH_MAX: -ENAMETOOLONG.
 * Every inode looked up on the way is forgotten (argos_forget) as soon as the
 * walk leaves it; the two the result names are held until nspath_release().
 */
#ifndef ARGOS_TOOLS_NSPATH_H
#define ARGOS_TOOLS_NSPATH_H

#include <stdbool.h>

#include "argosfs.h"

#define NSPATH_MAX_LINKS 40
#define NSPATH_MAX 4096          /* bytes, the terminating NUL included */
#define NSPATH_NAME_MAX 255

/* nspath_resolve() flags */
#define NSPATH_FOLLOW 0x1        /* follow a symlink in the last component */
#define NSPATH_CREATE 0x2        /* the last component may be missing: ino 0 */

struct nspath {
	argos_ino_t parent;          /* directory holding `name` (the root for "/") */
	char name[NSPATH_NAME_MAX + 1];  /* last component; "" for the root itself */
	argos_ino_t ino;             /* what it names; 0 when missing (NSPATH_CREATE) */
	struct argos_attr attr;      /* of ino, when ino != 0 */
	bool slash;                  /* the path ended with '/' (a directory is meant) */
	bool parent_ref, ino_ref;    /* lookups held, dropped by nspath_release() */
};

/*
 * Resolve path.  Returns 0 with *out filled (release it with nspath_release()
 * in every case), or a negative errno: -ENOENT (a component is missing; the
 * last one only without NSPATH_CREATE), -ENOTDIR (a component is not a
 * directory, or the path ends with '/' and names a non-directory), -ELOOP,
 * -ENAMETOOLONG, or an engine error (-EIO...).
 */
int  nspath_resolve(argos_pool *p, const char *path, unsigned flags, struct nspath *out);
void nspath_release(argos_pool *p, struct nspath *np);

/* True when np names the pool's root directory ("/", "", "/.", "a/.."...). */
bool nspath_is_root(const struct nspath *np);

#endif
