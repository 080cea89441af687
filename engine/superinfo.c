/*
 * superinfo.c — argos_super_read() and argos_super_fields(): every field of
 * every superblock copy of one member, for dump-super and debugging.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elog.h"
#include "member.h"

int argos_super_read(const char *path, struct argos_super_copy copies[4], char *why, size_t whylen)
{
	struct member_probe mp;
	int err;

	memset(copies, 0, 4 * sizeof(*copies));
	err = member_probe_path(path, &mp);
	if (err)
		return err;
	if (mp.open_err) {
		err = ewhy(why, whylen, mp.open_err, "%s", mp.open_why);
		member_probe_release(&mp);
		return err;
	}
	for (int i = 0; i < MEMBER_COPIES; i++) {
		struct sb_copy *c = &mp.copy[i];

		copies[i].offset = c->offset;
		copies[i].slot = c->slot;
		copies[i].back = c->back;
		copies[i].status = c->status;
		snprintf(copies[i].why, sizeof(copies[i].why), "%s", c->status ? c->why : "");
		if (c->status == 0) {
			struct sb_copy *keep = malloc(sizeof(*keep));

			if (!keep) {
				err = -ENOMEM;
				break;
			}
			*keep = *c;
			c->mtab = NULL;     /* moved */
			copies[i].generation = c->sb.generation;
			copies[i].priv = keep;
		}
	}
	member_probe_release(&mp);
	if (err)
		argos_super_copies_free(copies);
	return err;
}

void argos_super_copies_free(struct argos_super_copy copies[4])
{
	for (int i = 0; i < 4; i++) {
		struct sb_copy *c = copies[i].priv;

		if (c) {
			free(c->mtab);
			free(c);
			copies[i].priv = NULL;
		}
	}
}

struct emit {
	argos_field_fn fn;
	void *ctx;
};

static void num(struct emit *e, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	e->fn(e->ctx, name, ARGOS_FIELD_NUM, buf);
}

static void hex(struct emit *e, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	e->fn(e->ctx, name, ARGOS_FIELD_STR, buf);
}

static void str(struct emit *e, const char *name, const char *v)
{
	e->fn(e->ctx, name, ARGOS_FIELD_STR, v);
}

static void boolean(struct emit *e, const char *name, bool v)
{
	e->fn(e->ctx, name, ARGOS_FIELD_BOOL, v ? "true" : "false");
}

static void uuid(struct emit *e, const char *name, const uint8_t u[16])
{
	char buf[37];

	ad_uuid_unparse(u, buf);
	str(e, name, buf);
}

static void bptr(struct emit *e, const char *prefix, const struct ad_bptr *p)
{
	char name[64], buf[64];

	snprintf(name, sizeof(name), "%s.mirrors", prefix);
	num(e, name, p->nmirrors);
	for (unsigned i = 0; i < p->nmirrors; i++) {
		snprintf(name, sizeof(name), "%s.addr%u", prefix, i);
		snprintf(buf, sizeof(buf), "member %u block %" PRIu64, ad_addr_member(p->addr[i]),
			 ad_addr_block(p->addr[i]));
		str(e, name, buf);
	}
	snprintf(name, sizeof(name), "%s.csum", prefix);
	hex(e, name, p->csum);
	snprintf(name, sizeof(name), "%s.level", prefix);
	num(e, name, p->level);
	snprintf(name, sizeof(name), "%s.gen", prefix);
	num(e, name, p->gen);
}

void argos_super_fields(const struct argos_super_copy *cp, argos_field_fn fn, void *ctx)
{
	const struct sb_copy *c = cp->priv;
	const struct ad_super *s;
	struct emit e = { fn, ctx };
	char name[64], buf[64];

	if (!c)
		return;
	s = &c->sb;
	num(&e, "version", s->version);
	num(&e, "version_min", s->version_min);
	str(&e, "csum_type", s->csum_type == AD_CSUM_CRC32C ? "crc32c" : "unknown");
	hex(&e, "feat_compat", s->feat_compat);
	hex(&e, "feat_ro_compat", s->feat_ro_compat);
	hex(&e, "feat_incompat", s->feat_incompat);
	uuid(&e, "pool_uuid", s->pool_uuid);
	uuid(&e, "format_id", s->format_id);
	uuid(&e, "device_uuid", s->device_uuid);
	str(&e, "label", s->label);
	num(&e, "generation", s->generation);
	num(&e, "member_index", s->member_index);
	num(&e, "member_count", s->member_count);
	num(&e, "k", s->k);
	num(&e, "m", s->m);
	num(&e, "chunk_size", s->chunk_size);
	str(&e, "matrix_type", s->matrix_type == AD_MATRIX_CAUCHY1 ? "isal-cauchy1" : "unknown");
	boolean(&e, "clean", s->state_flags & AD_SBF_CLEAN);
	boolean(&e, "errors", s->state_flags & AD_SBF_ERRORS);
	num(&e, "mkfs_time_ns", s->mkfs_time);
	num(&e, "write_time_ns", s->write_time);
	num(&e, "device_size", s->device_size);
	num(&e, "logical_sector", s->logical_sector);
	num(&e, "physical_sector", s->physical_sector);
	num(&e, "journal_off", s->journal_off);
	num(&e, "journal_len", s->journal_len);
	num(&e, "spacemap_off", s->spacemap_off);
	num(&e, "spacemap_len", s->spacemap_len);
	num(&e, "data_off", s->data_off);
	num(&e, "data_len", s->data_len);
	bptr(&e, "tree_root", &s->tree_root);
	num(&e, "tree_height", s->tree_height);
	num(&e, "ckpt_gen", s->ckpt_gen);
	num(&e, "journal_head_off", s->journal_head_off);
	num(&e, "journal_head_seq", s->journal_head_seq);
	buf[0] = '\0';
	for (unsigned i = 0; i < AD_MAX_MIRRORS; i++)
		if (s->journal_mirrors[i] != AD_NO_MEMBER)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%u",
				 buf[0] ? "," : "", s->journal_mirrors[i]);
	str(&e, "journal_mirrors", buf);
	num(&e, "meta_mirrors", s->meta_mirrors);
	hex(&e, "spacemap_csum", s->spacemap_csum);
	num(&e, "spacemap_slot", s->spacemap_slot);
	num(&e, "spacemap_gen", s->spacemap_gen);
	num(&e, "mount_time_ns", s->mount_time);
	num(&e, "last_check_ns", s->last_check);
	num(&e, "mount_count", s->mount_count);
	num(&e, "mounted_pid", s->mounted_pid);
	str(&e, "mounted_host", s->mounted_host);
	for (unsigned i = 0; i < s->member_count && c->mtab; i++) {
		const struct ad_member *m = &c->mtab[i];

		snprintf(name, sizeof(name), "member%u.device_uuid", i);
		uuid(&e, name, m->device_uuid);
		snprintf(name, sizeof(name), "member%u.state", i);
		str(&e, name, ad_member_state_name(m->state));
		snprintf(name, sizeof(name), "member%u.size", i);
		num(&e, name, m->size);
		snprintf(name, sizeof(name), "member%u.weight", i);
		num(&e, name, m->weight);
		snprintf(name, sizeof(name), "member%u.last_gen", i);
		num(&e, name, m->last_gen);
		snprintf(name, sizeof(name), "member%u.missed_since", i);
		num(&e, name, m->missed_since);
		snprintf(name, sizeof(name), "member%u.added_gen", i);
		num(&e, name, m->added_gen);
	}
}
