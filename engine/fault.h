/*
 * fault.h — injected device faults, for tests and drills.
 *
 * Owns: per member, faults applied to its I/O through the device hooks:
 *   read-eio=P    a read fails with EIO with probability P (0..1)
 *   write-eio=P   a write fails with EIO with probability P
 *   flip=P        a successful read returns one flipped bit with probability P
 *                 (silent corruption: only the CRCs can tell)
 *   vanish        every request fails with EIO (the device went away)
 *   latency=MS    every request waits MS milliseconds first
 * From the environment at pool open:
 *   ARGOSFS_FAULT="MEMBER:FAULT[,FAULT...][;MEMBER:...]"
 *   e.g. ARGOSFS_FAULT="2:vanish;4:flip=0.01,latency=5"
 * or through argos_fault_set() (public API) at any time.
 */
#ifndef ARGOS_FAULT_H
#define ARGOS_FAULT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ad_format.h"
#include "argosfs.h"
#include "dev.h"

struct fault {
	pthread_mutex_t lock;
	bool     any;                          /* some fault configured */
	struct argos_fault cfg[AD_MAX_MEMBERS];
	uint64_t rng;
	uint64_t injected[AD_MAX_MEMBERS];     /* faults applied, per member */
};

int  fault_init(struct fault *f);
void fault_destroy(struct fault *f);
/* Parse ARGOSFS_FAULT; -EINVAL with a reason for a malformed value. */
int  fault_parse_env(struct fault *f, unsigned nmembers, char *why, size_t whylen);
int  fault_set(struct fault *f, unsigned member, const struct argos_fault *cfg);
/* Hook halves (the member index is the device's tag). */
int  fault_pre(struct fault *f, struct dev_req *r);
void fault_post(struct fault *f, struct dev_req *r);

#endif
