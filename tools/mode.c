/*
 * mode.c — MODE arguments, mode strings and file type names (see mode.h).
 *
 * Symbolic modes are applied clause by clause and operator by operator, as
 * coreutils' mode_adjust() does: each operator computes the bits it names
 * (value), limited to the who letters' bits (or to ~umask without any), and
 * then sets (+), clears (-) or replaces (=) them.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "mode.h"

#define ALL_BITS 07777u
#define RWX_ALL  0777u

/* Bits named by one operator's permission letters, given the mode so far. */
static uint32_t perm_value(const char *perms, size_t n, uint32_t cur, bool dir)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n; i++) {
		switch (perms[i]) {
		case 'r': v |= 0444; break;
		case 'w': v |= 0222; break;
		case 'x': v |= 0111; break;
		case 'X':
			if (dir || (cur & 0111))
				v |= 0111;
			break;
		case 's': v |= S_ISUID | S_ISGID; break;
		case 't': v |= S_ISVTX; break;
		}
	}
	return v;
}

/* The rwx bits of one class (u, g or o) copied to all three classes. */
static uint32_t copy_class(char who, uint32_t cur)
{
	unsigned shift = who == 'u' ? 6 : who == 'g' ? 3 : 0;
	uint32_t bits = (cur >> shift) & 7;

	return bits * 0111;
}

static int parse_octal(const char *s, uint32_t old, uint32_t *out)
{
	uint32_t v = 0, mentioned;
	size_t n = 0;

	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '7')
			return -EINVAL;
		v = v * 8 + (uint32_t)(s[n] - '0');
		if (v > ALL_BITS)
			return -EINVAL;
	}
	mentioned = n < 5 ? (v & (S_ISUID | S_ISGID)) | S_ISVTX | RWX_ALL : ALL_BITS;
	if (S_ISDIR(old))
		v |= old & (S_ISUID | S_ISGID) & ~mentioned;
	*out = v;
	return 0;
}

int mode_parse(const char *s, uint32_t old, uint32_t umask, uint32_t *out)
{
	bool dir = S_ISDIR(old);
	uint32_t cur = old & ALL_BITS;
	const char *p = s;

	if (!*s)
		return -EINVAL;
	if (*s >= '0' && *s <= '9')
		return parse_octal(s, old, out);
	for (;;) {
		uint32_t who = 0;

		/* who letters */
		for (;; p++) {
			if (*p == 'u')
				who |= S_ISUID | S_IRWXU;
			else if (*p == 'g')
				who |= S_ISGID | S_IRWXG;
			else if (*p == 'o')
				who |= S_ISVTX | S_IRWXO;
			else if (*p == 'a')
				who |= ALL_BITS;
			else
				break;
		}
		if (*p != '+' && *p != '-' && *p != '=')
			return -EINVAL;
		/* one or more operators, each with its permissions */
		while (*p == '+' || *p == '-' || *p == '=') {
			char op = *p++;
			uint32_t value, omit = 0, preserved;
			bool s_named = false;

			if (*p == 'u' || *p == 'g' || *p == 'o') {
				value = copy_class(*p++, cur);
			} else {
				size_t n = strspn(p, "rwxXst");

				value = perm_value(p, n, cur, dir);
				s_named = memchr(p, 's', n) != NULL;
				p += n;
			}
			/* A directory keeps setuid/setgid unless the operator names them. */
			if (dir)
				omit = (S_ISUID | S_ISGID) & ~(s_named ? (who ? who : ALL_BITS) : 0);
			value &= (who ? who : ~umask) & ~omit;
			switch (op) {
			case '+':
				cur |= value;
				break;
			case '-':
				cur &= ~value;
				break;
			default:
				preserved = (who ? ~who : 0) | omit;
				cur = (cur & preserved) | value;
			}
			cur &= ALL_BITS;
		}
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return -EINVAL;
	}
	*out = cur;
	return 0;
}

void mode_string(uint32_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	char t;

	switch (mode & S_IFMT) {
	case S_IFDIR: t = 'd'; break;
	case S_IFLNK: t = 'l'; break;
	case S_IFCHR: t = 'c'; break;
	case S_IFBLK: t = 'b'; break;
	case S_IFIFO: t = 'p'; break;
	case S_IFSOCK: t = 's'; break;
	case S_IFREG: t = '-'; break;
	default: t = '?';
	}
	out[0] = t;
	for (unsigned i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = (mode & S_IXUSR) ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = (mode & S_IXGRP) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = (mode & S_IXOTH) ? 't' : 'T';
	out[10] = '\0';
}

const char *mode_type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symbolic link";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "character special file";
	case S_IFBLK: return "block special file";
	default: return "weird file";
	}
}

const char *mode_type_key(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "chardev";
	case S_IFBLK: return "blockdev";
	default: return "unknown";
	}
}
