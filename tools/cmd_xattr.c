/*
 * cmd_xattr.c — `argosfs setfattr` and `argosfs getfattr`: extended
 * attributes of files in an unmounted pool, as setfattr(1)/getfattr(1).
 *
 * Symlinks are followed unless -h.  Values: see xattrval.h.  getfattr shows
 * names matching -m PATTERN (an extended regular expression; default
 * "^user\.", "-" for all), with -d their values, with -n NAME one value.
 *
 * JSON (getfattr --json), schema_version 1:
 *   { "schema_version": 1,
 *     "files": [ { "path": operand,
 *                  "xattrs": [ { "name", "size", "value_base64",
 *                                "value_text": string | null } ] } ] }
 *   (value_text: the value when it is plain printable text)
 * Operands that fail are left out (and said on stderr; exit 1).
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "json.h"
#include "nscmd.h"
#include "nspath.h"
#include "xattrval.h"

enum { OPT_JSON = NSCMD_OPT_FIRST_FREE, OPT_ONLY_VALUES };

static void setfattr_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [-h] POOL PATH... -n NAME [-v VALUE]\n"
"       %s [-h] POOL PATH... -x NAME\n"
"Set (or with -x remove) the extended attribute NAME of each PATH in the\n"
"unmounted pool POOL.  NAME carries its namespace (user., trusted.,\n"
"security.).\n"
"\n"
"  -n, --name NAME       the attribute to set\n"
"  -v, --value VALUE     its value (default empty): text, \"text\" with \\ooo\n"
"                        escapes, 0x hex digits, or 0s base64\n"
"  -x, --remove NAME     remove the attribute\n"
"  -h, --no-dereference  act on a symlink itself, not what it points to\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog, prog);
}

static void getfattr_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [-h] [-d] [-n NAME] [-e ENCODING] [-m PATTERN] [--json] POOL PATH...\n"
"Show the extended attributes of each PATH in the unmounted pool POOL, as\n"
"getfattr(1): a \"# file: PATH\" line, then one line per attribute, then an\n"
"empty line.\n"
"\n"
"  -n, --name NAME       show the value of NAME\n"
"  -d, --dump            show the values of all (matching) attributes\n"
"  -e, --encoding ENC    values as text, hex or base64 (default: text when\n"
"                        printable, base64 otherwise)\n"
"  -m, --match PATTERN   names matching the extended regular expression\n"
"                        PATTERN (default ^user\\.; - for all)\n"
"      --only-values     the raw value only (with -n)\n"
"      --json            machine-readable output (see argosfs(8))\n"
"  -h, --no-dereference  look at a symlink itself, not what it points to\n"
NSCMD_OPTIONS_HELP
"\n"
NSCMD_EXIT_HELP, prog);
}

/* "PATH: NAME: reason", with getfattr's words for a missing attribute. */
static void fail_attr(struct nscmd *nc, const char *path, const char *name, int err)
{
	tool_err(nc->prog, "%s: %s: %s", path, name,
		 err == -ENODATA ? "No such attribute" : argos_strerror(err));
	nc->failed = true;
}

int cmd_setfattr(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "value", required_argument, NULL, 'v' },
		{ "remove", required_argument, NULL, 'x' },
		{ "no-dereference", no_argument, NULL, 'h' },
		NSCMD_LONGOPTS
	};
	const char *name = NULL, *remove = NULL, *value_arg = NULL;
	unsigned flags = NSPATH_FOLLOW;
	char *value = NULL;
	size_t vlen = 0;
	struct nscmd nc;
	int c, rc;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "n:v:x:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'v': value_arg = optarg; break;
		case 'x': remove = optarg; break;
		case 'h': flags = 0; break;
		default:
			if ((rc = nscmd_option(&nc, c, setfattr_usage)) >= 0)
				goto out;
		}
	}
	if (!name == !remove || (remove && value_arg)) {
		rc = nscmd_usage_err(&nc, "give either -n NAME [-v VALUE] or -x NAME");
		goto out;
	}
	if (value_arg && (rc = xval_decode(value_arg, &value, &vlen)) < 0) {
		rc = rc == -ENOMEM ? (tool_err(nc.prog, "out of memory"), CMD_FAIL)
				   : nscmd_usage_err(&nc, "bad input encoding: '%s'", value_arg);
		goto out;
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 2, -1)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_WRITE)) >= 0)
		goto out;
	for (int i = optind + 1; i < argc; i++) {
		struct nspath np;
		int err = nspath_resolve(nc.pool, argv[i], flags, &np);

		if (err) {
			nscmd_fail(&nc, argv[i], err);
			continue;
		}
		if (remove)
			err = argos_removexattr(nc.pool, np.ino, remove, &nc.cred);
		else
			err = argos_setxattr(nc.pool, np.ino, name, value ? value : "", vlen, 0,
					     &nc.cred);
		if (err)
			fail_attr(&nc, argv[i], remove ? remove : name, err);
		nspath_release(nc.pool, &np);
	}
	rc = -1;
out:
	free(value);
	return nscmd_finish(&nc, rc);
}

/* ---- getfattr ---- */

struct gf_opts {
	const char *name;             /* -n */
	bool dump, json, only_values;
	enum xval_enc enc;
	regex_t match;
	bool match_all;
};

/* The value of name (malloc'd into *v, *len bytes).  0 or -errno. */
static int get_value(argos_pool *p, argos_ino_t ino, const char *name, char **v, size_t *len)
{
	int n, m;

	do {
		n = argos_getxattr(p, ino, name, NULL, 0);
		if (n < 0)
			return n;
		*v = malloc((size_t)n + 1);
		if (!*v)
			return -ENOMEM;
		m = n ? argos_getxattr(p, ino, name, *v, (size_t)n) : 0;
		if (m < 0) {
			free(*v);
			*v = NULL;
		}
	} while (m == -ERANGE);         /* it grew between the two calls */
	*len = m < 0 ? 0 : (size_t)m;
	return m < 0 ? m : 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of ino's attributes that match, sorted: (*names)[0..*n), pointing
 * into *list.  0 or -errno; free both in every case. */
static int list_names(argos_pool *p, argos_ino_t ino, const struct gf_opts *o, char **list,
		      const char ***names, size_t *n)
{
	int len = argos_listxattr(p, ino, NULL, 0);
	size_t k = 0;

	*list = NULL;
	*names = NULL;
	*n = 0;
	if (len < 0)
		return len;
	*list = malloc((size_t)len + 1);
	*names = malloc(((size_t)len + 1) * sizeof(**names));
	if (!*list || !*names)
		return -ENOMEM;
	len = len ? argos_listxattr(p, ino, *list, (size_t)len) : 0;
	if (len < 0)
		return len;
	for (char *s = *list; s < *list + len; s += strlen(s) + 1)
		if (*s && (o->match_all || !regexec(&o->match, s, 0, NULL, 0)))
			(*names)[k++] = s;
	qsort(*names, k, sizeof(**names), cmp_names);
	*n = k;
	return 0;
}

static void json_attr(struct json *j, const char *name, const char *v, size_t len)
{
	char *b = xval_base64(v, len);

	json_begin_object(j);
	json_kv_str(j, "name", name);
	json_kv_uint(j, "size", len);
	json_kv_str(j, "value_base64", b);
	json_key(j, "value_text");
	if (xval_is_plain_text(v, len)) {
		char *t = strndup(v, len);

		json_str(j, t);
		free(t);
	} else {
		json_null(j);
	}
	json_end_object(j);
	free(b);
}

/* One attribute of one file, in the form asked for. */
static void show_attr(struct nscmd *nc, argos_ino_t ino, const char *path, const char *name,
		      const struct gf_opts *o, struct json *j, bool *header)
{
	char *v = NULL, *enc;
	size_t len = 0;
	int err = 0;

	if (j || o->dump || o->name || o->only_values)
		err = get_value(nc->pool, ino, name, &v, &len);
	if (err) {
		fail_attr(nc, path, name, err);
		return;
	}
	if (j) {
		json_attr(j, name, v, len);
	} else if (o->only_values) {
		fwrite(v, 1, len, stdout);
	} else {
		if (!*header)
			printf("# file: %s\n", path);
		*header = true;
		if (o->dump || o->name) {
			enc = xval_encode(v, len, o->enc);
			if (enc)
				printf("%s=%s\n", name, enc);
			else
				fail_attr(nc, path, name, -ENOMEM);
			free(enc);
		} else {
			printf("%s\n", name);
		}
	}
	free(v);
}

static void show_file(struct nscmd *nc, const char *path, unsigned flags,
		      const struct gf_opts *o, struct json *j)
{
	const char **names = NULL;
	char *list = NULL;
	struct nspath np;
	bool header = false;
	size_t n = 0;
	int err = nspath_resolve(nc->pool, path, flags, &np);

	if (err) {
		nscmd_fail(nc, path, err);
		return;
	}
	if (!o->name)
		err = list_names(nc->pool, np.ino, o, &list, &names, &n);
	if (err) {
		nscmd_fail(nc, path, err);
		goto out;
	}
	if (j) {
		json_begin_object(j);
		json_kv_str(j, "path", path);
		json_key(j, "xattrs");
		json_begin_array(j);
	}
	if (o->name)
		show_attr(nc, np.ino, path, o->name, o, j, &header);
	for (size_t i = 0; i < n; i++)
		show_attr(nc, np.ino, path, names[i], o, j, &header);
	if (j) {
		json_end_array(j);
		json_end_object(j);
	}
	if (header)
		putchar('\n');
out:
	free(names);
	free(list);
	nspath_release(nc->pool, &np);
}

int cmd_getfattr(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "dump", no_argument, NULL, 'd' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "match", required_argument, NULL, 'm' },
		{ "only-values", no_argument, NULL, OPT_ONLY_VALUES },
		{ "no-dereference", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		NSCMD_LONGOPTS
	};
	struct gf_opts o = { .enc = XVAL_AUTO };
	const char *pattern = "^user\\.";
	unsigned flags = NSPATH_FOLLOW;
	bool compiled = false;
	struct nscmd nc;
	struct json j;
	int c, rc;

	nscmd_init(&nc, argv);
	while ((c = getopt_long(argc, argv, "n:de:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o.name = optarg; break;
		case 'd': o.dump = true; break;
		case 'm': pattern = optarg; break;
		case 'h': flags = 0; break;
		case OPT_JSON: o.json = true; break;
		case OPT_ONLY_VALUES: o.only_values = true; break;
		case 'e':
			if (xval_parse_enc(optarg, &o.enc) == 0)
				break;
			rc = nscmd_usage_err(&nc, "invalid encoding '%s' (text, hex or base64)",
					     optarg);
			goto out;
		default:
			if ((rc = nscmd_option(&nc, c, getfattr_usage)) >= 0)
				goto out;
		}
	}
	if (o.only_values && !o.name) {
		rc = nscmd_usage_err(&nc, "--only-values needs -n NAME");
		goto out;
	}
	o.match_all = !strcmp(pattern, "-") || !pattern[0];
	if (!o.match_all) {
		if (regcomp(&o.match, pattern, REG_EXTENDED | REG_NOSUB)) {
			rc = nscmd_usage_err(&nc, "invalid regular expression '%s'", pattern);
			goto out;
		}
		compiled = true;
	}
	if ((rc = nscmd_operands(&nc, argc, argv, 2, -1)) >= 0 ||
	    (rc = nscmd_open(&nc, argv[optind], NSCMD_READ)) >= 0)
		goto out;
	if (o.json) {
		json_init(&j, stdout);
		json_begin_object(&j);
		json_kv_uint(&j, "schema_version", 1);
		json_key(&j, "files");
		json_begin_array(&j);
	}
	for (int i = optind + 1; i < argc; i++)
		show_file(&nc, argv[i], flags, &o, o.json ? &j : NULL);
	if (o.json) {
		json_end_array(&j);
		json_end_object(&j);
		(void)json_finish(&j);
	}
	rc = -1;
out:
	if (compiled)
		regfree(&o.match);
	return nscmd_finish(&nc, rc);
}
