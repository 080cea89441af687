/*
 * info.c — names of public enums and freeing of public result structs.
 */
#include <stdlib.h>

#include "argosfs.h"
#include "assemble.h"

const char *argos_member_status_name(int status)
{
	switch (status) {
	case ARGOS_MEMBER_ONLINE: return "online";
	case ARGOS_MEMBER_MISSING: return "missing";
	case ARGOS_MEMBER_STALE: return "stale";
	case ARGOS_MEMBER_FOREIGN: return "foreign";
	case ARGOS_MEMBER_DUPLICATE: return "duplicate";
	case ARGOS_MEMBER_NOT_ARGOS: return "not-argosfs";
	case ARGOS_MEMBER_UNREADABLE: return "unreadable";
	default: return "unknown";
	}
}

const char *argos_pool_health_name(int health)
{
	switch (health) {
	case ARGOS_POOL_HEALTHY: return "healthy";
	case ARGOS_POOL_DEGRADED: return "degraded";
	case ARGOS_POOL_FAILED: return "failed";
	default: return "unknown";
	}
}

void pool_info_free_members(struct argos_pool_info *p)
{
	for (unsigned i = 0; i < p->nmembers; i++)
		free(p->members[i].path);
	free(p->members);
	p->members = NULL;
	p->nmembers = 0;
}

void argos_pool_info_free(struct argos_pool_info *p)
{
	if (!p)
		return;
	pool_info_free_members(p);
	free(p);
}

void argos_scan_free(struct argos_scan_result *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->npools; i++)
		pool_info_free_members(&r->pools[i]);
	free(r->pools);
	for (unsigned i = 0; i < r->nother; i++)
		free(r->other[i].path);
	free(r->other);
	free(r);
}

void argos_paths_free(char **paths, unsigned n)
{
	if (!paths)
		return;
	for (unsigned i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
