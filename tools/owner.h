/*
 * owner.h — user and group names for the namespace commands.
 *
 * Owns: reading OWNER[:GROUP] as chown(1) does (names through getpwnam and
 * getgrnam, numbers where no such name exists, "USER:" for the user's login
 * group, ":GROUP" for the group alone) and printing ids as names where the
 * system knows them (ls -l, stat), as decimal numbers otherwise.
 */
#ifndef ARGOS_TOOLS_OWNER_H
#define ARGOS_TOOLS_OWNER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse spec.  *what gets ARGOS_SET_UID and/or ARGOS_SET_GID for the parts
 * given.  0, or -EINVAL with why ("invalid user: 'x'"...).
 */
int owner_parse(const char *spec, uint32_t *uid, uint32_t *gid, unsigned *what,
		char *why, size_t whylen);

/* The name of uid (gid), or its number, in buf; returns buf. */
const char *owner_user_name(uint32_t uid, char *buf, size_t len);
const char *owner_group_name(uint32_t gid, char *buf, size_t len);

#endif
