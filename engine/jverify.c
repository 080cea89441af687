/*
 * jverify.c — argos_journal_verify(): every journal mirror, entry by entry.
 *
 * Read-only and without ownership (the pool is opened POOL_NOSTORE: members
 * and superblocks only).  Each present mirror is walked alone from the
 * checkpoint's head (journal_walk_mirror(), the walk replay uses), so the
 * report shows exactly where each mirror's chain ends and why; the longest
 * chain is the one replay would take.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elog.h"
#include "journal.h"
#include "pool.h"

struct walk_ctx {
	struct argos_journal_mirror *m;
	size_t cap;
	int err;
};

static void on_record(void *ctx, const struct journal_record *jr)
{
	struct walk_ctx *w = ctx;
	struct argos_journal_mirror *m = w->m;
	struct argos_journal_record *r;

	if (m->nrecords == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		void *n = realloc(m->records, cap * sizeof(*m->records));

		if (!n) {
			w->err = -ENOMEM;
			return;
		}
		m->records = n;
		w->cap = cap;
	}
	r = &m->records[m->nrecords++];
	memset(r, 0, sizeof(*r));
	r->seq = jr->seq;
	r->offset = jr->off;
	r->status = jr->err;
	snprintf(r->why, sizeof(r->why), "%s", jr->why);
	r->header_valid = jr->have_hdr;
	if (jr->have_hdr) {
		r->type = jr->je.type;
		r->blocks = jr->je.nblocks;
		r->payload_bytes = jr->je.payload_len;
		r->transactions = jr->je.ntxn;
		r->ckpt_gen = jr->je.ckpt_gen;
	}
	r->operations = jr->nops;
	if (!jr->err) {
		m->transactions += r->transactions;
		m->operations += r->operations;
	}
}

static int fill(struct argos_pool *p, struct journal *j, const int *member, unsigned nm,
		struct argos_journal_report *r)
{
	memcpy(r->pool_uuid, p->sb.pool_uuid, 16);
	r->generation = p->sb.generation;
	r->ckpt_gen = p->sb.ckpt_gen;
	r->head_offset = p->sb.journal_head_off;
	r->head_seq = p->sb.journal_head_seq;
	r->region_bytes = j->region_len;
	r->clean = p->sb.state_flags & AD_SBF_CLEAN;
	r->longest = -1;
	r->mirrors = calloc(nm ? nm : 1, sizeof(*r->mirrors));
	if (!r->mirrors)
		return -ENOMEM;
	r->nmirrors = nm;
	for (unsigned i = 0; i < nm; i++) {
		struct argos_journal_mirror *m = &r->mirrors[i];
		struct walk_ctx w = { .m = m };
		struct journal_mirror_report mr;
		int err;

		m->member = member[i];
		if (p->m[member[i]].path) {
			m->path = strdup(p->m[member[i]].path);
			if (!m->path)
				return -ENOMEM;
		}
		m->present = j->dev[i] != NULL;
		if (!m->present)
			continue;
		err = journal_walk_mirror(j, i, on_record, &w, &mr);
		if (!err)
			err = w.err;
		if (err)
			return err;
		m->entries = mr.entries;
		m->end_offset = mr.end_off;
		if (r->longest < 0 || m->entries > r->longest_entries) {
			r->longest = (int)i;
			r->longest_entries = m->entries;
		}
	}
	for (unsigned i = 0; i < nm; i++)
		r->mirrors[i].complete = r->mirrors[i].present &&
					 r->mirrors[i].entries == r->longest_entries;
	return 0;
}

int argos_journal_verify(const char *const *paths, unsigned n, const struct argos_log *log,
			 struct argos_journal_report **out, char *why, size_t whylen)
{
	struct argos_open_opts oo = { .flags = ARGOS_OPEN_RDONLY | ARGOS_OPEN_DEGRADED,
				      .log = log };
	struct argos_journal_report *r = NULL;
	int member[AD_MAX_MIRRORS];
	struct argos_pool *p;
	struct journal j;
	unsigned nm;
	int err;

	*out = NULL;
	err = pool_open_paths(paths, n, &oo, POOL_NOSTORE, &p, why, whylen);
	if (err)
		return err;
	memset(&j, 0, sizeof(j));
	err = pool_journal_init(p, &j, NULL, member, &nm, why, whylen);
	if (!err) {
		r = calloc(1, sizeof(*r));
		err = r ? fill(p, &j, member, nm, r) : -ENOMEM;
	}
	journal_destroy(&j);
	argos_pool_close(p);
	if (err) {
		argos_journal_report_free(r);
		return err;
	}
	*out = r;
	return 0;
}

void argos_journal_report_free(struct argos_journal_report *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->nmirrors; i++) {
		free(r->mirrors[i].path);
		free(r->mirrors[i].records);
	}
	free(r->mirrors);
	free(r);
}
