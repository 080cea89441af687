/*
 * elog.c — engine diagnostics (see elog.h) and argos_strerror().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "elog.h"

void elog(const struct argos_log *log, int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!log || !log->fn || level > log->max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log->fn(log->ctx, level, msg);
}

int ewhy(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *argos_version(void)
{
	return ARGOS_VERSION_STRING;
}

const char *argos_strerror(int err)
{
	if (err > 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case -EUCLEAN:
		return "on-disk structure is damaged (checksum or validation failed)";
	case -ENOMSG:
		return "no ArgosFS structure found";
	case -EPROTONOSUPPORT:
		return "written by a newer ArgosFS format or with an unsupported feature";
	case -ENOTUNIQ:
		return "name matches more than one pool";
	default:
		return strerror(-err);
	}
}
