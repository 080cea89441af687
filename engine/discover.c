/*
 * discover.c — candidate members (see discover.h).
 *
 * Invariant: one storage object appears once.  A loop device and its backing
 * image share an identity (dev_info id_dev/id_ino); the block device wins,
 * since it is the path the kernel and fstab know.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discover.h"

void cand_init(struct cand_set *cs)
{
	memset(cs, 0, sizeof(*cs));
}

void cand_release(struct cand_set *cs)
{
	for (unsigned i = 0; i < cs->n; i++)
		member_probe_release(&cs->probes[i]);
	free(cs->probes);
	free(cs->explicit_);
	cand_init(cs);
}

static int same_identity(const struct member_probe *a, const struct member_probe *b)
{
	if (a->open_err || b->open_err)
		return !strcmp(a->path, b->path);
	return a->info.id_dev == b->info.id_dev && a->info.id_ino == b->info.id_ino;
}

int cand_add(struct cand_set *cs, const char *path, bool explicit_)
{
	struct member_probe mp;
	int err;

	err = member_probe_path(path, &mp);
	if (err)
		return err;
	for (unsigned i = 0; i < cs->n; i++) {
		if (!same_identity(&cs->probes[i], &mp))
			continue;
		if (explicit_ && !cs->explicit_[i]) {
			/* An explicit path replaces a discovered alias. */
			member_probe_release(&cs->probes[i]);
			cs->probes[i] = mp;
			cs->explicit_[i] = true;
			return 0;
		}
		if (mp.info.kind == DEV_KIND_BLOCK && cs->probes[i].info.kind == DEV_KIND_FILE &&
		    !cs->explicit_[i]) {
			member_probe_release(&cs->probes[i]);
			cs->probes[i] = mp;
			return 0;
		}
		if (explicit_ && cs->explicit_[i] && !strcmp(cs->probes[i].path, mp.path))
			break;   /* the same name twice: keep both, assembly reports it */
		if (explicit_ && cs->explicit_[i] && mp.info.kind == DEV_KIND_BLOCK &&
		    cs->probes[i].info.kind == DEV_KIND_FILE) {
			/* A loop device and its image: one member, named by the device. */
			member_probe_release(&cs->probes[i]);
			cs->probes[i] = mp;
			return 0;
		}
		member_probe_release(&mp);
		return 0;
	}
	if (cs->n == cs->cap) {
		unsigned cap = cs->cap ? cs->cap * 2 : 16;
		struct member_probe *p = realloc(cs->probes, cap * sizeof(*p));
		bool *e;

		if (!p) {
			member_probe_release(&mp);
			return -ENOMEM;
		}
		cs->probes = p;
		e = realloc(cs->explicit_, cap * sizeof(*e));
		if (!e) {
			member_probe_release(&mp);
			return -ENOMEM;
		}
		cs->explicit_ = e;
		cs->cap = cap;
	}
	cs->probes[cs->n] = mp;
	cs->explicit_[cs->n] = explicit_;
	cs->n++;
	return 0;
}

int cand_add_dir(struct cand_set *cs, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int err = 0;

	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)AD_MIN_MEMBER_SIZE)
			continue;
		err = cand_add(cs, path, false);
	}
	closedir(d);
	return err;
}

int cand_add_block_devices(struct cand_set *cs)
{
	DIR *d = opendir("/sys/class/block");
	struct dirent *de;
	int err = 0;

	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		char path[600], dev[300];
		unsigned long long sectors = 0;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/block/%s/size", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &sectors) != 1)
			sectors = 0;
		fclose(f);
		if (sectors * 512 < AD_MIN_MEMBER_SIZE)
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		if (access(dev, F_OK) != 0)
			continue;
		err = cand_add(cs, dev, false);
	}
	closedir(d);
	return err;
}

void paths_aliases(const char *const *paths, unsigned n, int *alias)
{
	struct dev_info *info = calloc(n ? n : 1, sizeof(*info));
	bool *ok = calloc(n ? n : 1, sizeof(*ok));

	for (unsigned i = 0; i < n; i++) {
		alias[i] = -1;
		if (!info || !ok)
			continue;
		ok[i] = dev_stat(paths[i], &info[i], NULL, 0) == 0;
		for (unsigned j = 0; ok[i] && j < i && alias[i] < 0; j++)
			if (ok[j] && info[j].id_dev == info[i].id_dev && info[j].id_ino == info[i].id_ino)
				alias[i] = (int)j;
	}
	free(info);
	free(ok);
}
