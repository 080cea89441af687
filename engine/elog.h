/*
 * elog.h — engine diagnostics through the caller's struct argos_log.
 *
 * Owns: formatting of log messages.  With a NULL log (or no callback) the
 * engine is silent; nothing is ever written to stderr from the engine.
 */
#ifndef ARGOS_ELOG_H
#define ARGOS_ELOG_H

#include "argosfs.h"

void elog(const struct argos_log *log, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define elog_err(l, ...)    elog((l), ARGOS_LOG_ERR, __VA_ARGS__)
#define elog_warn(l, ...)   elog((l), ARGOS_LOG_WARNING, __VA_ARGS__)
#define elog_notice(l, ...) elog((l), ARGOS_LOG_NOTICE, __VA_ARGS__)
#define elog_info(l, ...)   elog((l), ARGOS_LOG_INFO, __VA_ARGS__)
#define elog_debug(l, ...)  elog((l), ARGOS_LOG_DEBUG, __VA_ARGS__)

/* Write a reason into why (if non-NULL) and return err. */
int ewhy(char *why, size_t whylen, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
