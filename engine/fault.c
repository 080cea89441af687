/*
 * fault.c — injected device faults (see fault.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "elog.h"
#include "fault.h"

int fault_init(struct fault *f)
{
	memset(f, 0, sizeof(*f));
	f->rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)time(NULL);
	pthread_mutex_init(&f->lock, NULL);
	return 0;
}

void fault_destroy(struct fault *f)
{
	pthread_mutex_destroy(&f->lock);
}

static int parse_one(struct argos_fault *c, const char *tok)
{
	char *end;

	if (!strcmp(tok, "vanish")) {
		c->vanish = true;
		return 0;
	}
	if (!strncmp(tok, "read-eio=", 9)) {
		c->read_eio = strtod(tok + 9, &end);
	} else if (!strncmp(tok, "write-eio=", 10)) {
		c->write_eio = strtod(tok + 10, &end);
	} else if (!strncmp(tok, "flip=", 5)) {
		c->flip = strtod(tok + 5, &end);
	} else if (!strncmp(tok, "latency=", 8)) {
		c->latency_ms = (unsigned)strtoul(tok + 8, &end, 10);
	} else {
		return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	if (c->read_eio < 0 || c->read_eio > 1 || c->write_eio < 0 || c->write_eio > 1 ||
	    c->flip < 0 || c->flip > 1)
		return -EINVAL;
	return 0;
}

int fault_parse_env(struct fault *f, unsigned nmembers, char *why, size_t whylen)
{
	const char *v = getenv("ARGOSFS_FAULT");
	char *copy, *save = NULL, *spec;
	int err = 0;

	if (!v || !*v)
		return 0;
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	for (spec = strtok_r(copy, ";", &save); spec && !err; spec = strtok_r(NULL, ";", &save)) {
		struct argos_fault c = { 0 };
		char *colon = strchr(spec, ':'), *s2 = NULL, *tok, *end;
		unsigned long m = strtoul(spec, &end, 10);

		if (!colon || end != colon || m >= nmembers) {
			err = ewhy(why, whylen, -EINVAL, "ARGOSFS_FAULT: \"%s\": expected MEMBER:FAULT "
				   "with MEMBER below %u", spec, nmembers);
			break;
		}
		for (tok = strtok_r(colon + 1, ",", &s2); tok && !err; tok = strtok_r(NULL, ",", &s2))
			if (parse_one(&c, tok))
				err = ewhy(why, whylen, -EINVAL, "ARGOSFS_FAULT: unknown or bad fault "
					   "\"%s\" (read-eio=P, write-eio=P, flip=P, vanish, "
					   "latency=MS)", tok);
		if (!err)
			err = fault_set(f, (unsigned)m, &c);
	}
	free(copy);
	return err;
}

int fault_set(struct fault *f, unsigned member, const struct argos_fault *cfg)
{
	if (member >= AD_MAX_MEMBERS)
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	f->cfg[member] = *cfg;
	f->any = false;
	for (unsigned i = 0; i < AD_MAX_MEMBERS; i++) {
		const struct argos_fault *c = &f->cfg[i];

		if (c->vanish || c->read_eio > 0 || c->write_eio > 0 || c->flip > 0 || c->latency_ms)
			f->any = true;
	}
	pthread_mutex_unlock(&f->lock);
	return 0;
}

/* Uniform in [0, 1); the lock protects the generator. */
static double roll(struct fault *f)
{
	uint64_t x;

	pthread_mutex_lock(&f->lock);
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	x = f->rng;
	pthread_mutex_unlock(&f->lock);
	return (double)(x >> 11) / 9007199254740992.0;
}

int fault_pre(struct fault *f, struct dev_req *r)
{
	int m = dev_get_tag(r->dev);
	struct argos_fault c;

	if (!f->any || m < 0 || m >= AD_MAX_MEMBERS)
		return 0;
	pthread_mutex_lock(&f->lock);
	c = f->cfg[m];
	pthread_mutex_unlock(&f->lock);
	if (c.latency_ms) {
		struct timespec ts = { c.latency_ms / 1000, (long)(c.latency_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (c.vanish || (r->op == DEV_OP_READ && c.read_eio > 0 && roll(f) < c.read_eio) ||
	    (r->op == DEV_OP_WRITE && c.write_eio > 0 && roll(f) < c.write_eio)) {
		__atomic_add_fetch(&f->injected[m], 1, __ATOMIC_RELAXED);
		return -EIO;
	}
	return 0;
}

void fault_post(struct fault *f, struct dev_req *r)
{
	int m = dev_get_tag(r->dev);
	double p;

	if (!f->any || m < 0 || m >= AD_MAX_MEMBERS || r->op != DEV_OP_READ || r->res < 0 || !r->len)
		return;
	pthread_mutex_lock(&f->lock);
	p = f->cfg[m].flip;
	pthread_mutex_unlock(&f->lock);
	if (p > 0 && roll(f) < p) {
		size_t bit = (size_t)(roll(f) * (double)r->len * 8);

		((uint8_t *)r->buf)[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		__atomic_add_fetch(&f->injected[m], 1, __ATOMIC_RELAXED);
	}
}

