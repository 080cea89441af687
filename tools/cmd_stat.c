/*
 * cmd_stat.c — `argosfs stat`: every attribute of files in an unmounted pool.
 *
 * Read-only.  As stat(1): a symlink is shown itself unless -L; the layout is
 * stat's, plus the inode's generation; times with nanoseconds, birth time
 * included.
 *
 * JSON (--json), schema_version 1:
 *   { "schema_version": 1, "files": [ { "path": operand, <nsfmt.h's keys> } ] }
 * Operands that fail are left out (and said on stderr; exit 1).
 */
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cmds.h"
#include "mode.h"
#include "nscmd.h"
#include "nsfmt.h"
#include "nspath.h"
#include "owner.h"

enum { OPT_JSON = NSCMD_OPT_FIRST_FREE };

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [-L] [--json] POOL PATH...\n"
"Show every attribute of each PATH in the unmounted pool POOL: type, size,\n"
"blocks, inode number and generation, links, mode, owner, group, device number,\n"
"and access, modification, change and birth times with nanoseconds.  Read-only.\n"
"\n"
"  -L, --dereference show what a symlink points to, not the link\n"
"      --json        machine-readable output (see argosfs(8))\n"
"  -h                the same as --help\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

static void print_text(const char *path, const struct argos_attr *a, const char *target)
{
	char ms[11], user[64], group[64], t[4][64];
	const char *type = mode_type_name(a->mode);

	mode_string(a->mode, ms);
	if (S_ISREG(a->mode) && a->size == 0)
		type = "regular empty file";
	printf("  File: %s", path);
	if (target)
		printf(" -> %s", target);
	printf("\n  Size: %-15" PRIu64 " Blocks: %-10" PRIu64 " IO Block: %-6" PRIu32 " %s\n",
	       a->size, a->blocks, a->blksize, type);
	printf(" Inode: %-15" PRIu64 " Generation: %-10" PRIu64 " Links: %" PRIu32,
	       a->ino, a->generation, a->nlink);
	if (S_ISCHR(a->mode) || S_ISBLK(a->mode))
		printf("  Device type: %u,%u", major(a->rdev), minor(a->rdev));
	printf("\nAccess: (%04o/%s)  Uid: (%5" PRIu32 "/%8s)   Gid: (%5" PRIu32 "/%8s)\n",
	       a->mode & 07777, ms, a->uid, owner_user_name(a->uid, user, sizeof(user)),
	       a->gid, owner_group_name(a->gid, group, sizeof(group)));
	printf("Access: %s\nModify: %s\nChange: %s\n Birth: %s\n",
	       nsfmt_time_full(&a->atime, t[0], sizeof(t[0])),
	       nsfmt_time_full(&a->mtime, t[1], sizeof(t[1])),
	       nsfmt_time_full(&a->ctime, t[2], sizeof(t[2])),
	       nsfmt_time_full(&a->btime, t[3], sizeof(t[3])));
}

/* One operand: printed as text, or as one object of the "files" array. */
static int stat_one(argos_pool *p, const char *path, bool follow, struct json *j)
{
	char target[NSFMT_TARGET_MAX];
	struct nspath np;
	int err = nspath_resolve(p, path, follow ? NSPATH_FOLLOW : 0, &np);

	if (err)
		return err;
	if (S_ISLNK(np.attr.mode))
		err = nsfmt_readlink(p, np.ino, target);
	if (!err && j) {
		json_begin_object(j);
		json_kv_str(j, "path", path);
		nsfmt_json_attr(j, &np.attr, S_ISLNK(np.attr.mode) ? target : NULL);
		json_end_object(j);
	} else if (!err) {
		print_text(path, &np.attr, S_ISLNK(np.attr.mode) ? target : NULL);
	}
	nspath_release(p, &np);
	return err;
}

int cmd_stat(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "dereference", no_argument, NULL, 'L' },
		NSCMD_LONGOPTS
	};
	bool json = false, follow = false;
	struct nscmd nc;
	struct json j;
	int c, rc;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "Lh", longopts, NULL)) != -1) {
		switch (c) {
		case 'L': follow = true; break;
		case OPT_JSON: json = true; break;
		case 'h': c = NSCMD_OPT_HELP; /* fall through */
		default:
			if ((rc = nscmd_option(&nc, c, usage)) >= 0)
				goto out;
		}
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 2, -1)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_READ)) >= 0)
		goto out;
	if (json) {
		json_init(&j, stdout);
		json_begin_object(&j);
		json_kv_uint(&j, "schema_version", 1);
		json_key(&j, "files");
		json_begin_array(&j);
	}
	for (int i = optind + 1; i < argc; i++) {
		int err = stat_one(nc.pool, argv[i], follow, json ? &j : NULL);

		if (err)
			nscmd_fail(&nc, argv[i], err);
	}
	if (json) {
		json_end_array(&j);
		json_end_object(&j);
		(void)json_finish(&j);
	}
	rc = -1;
out:
	return nscmd_finish(&nc, rc);
}
