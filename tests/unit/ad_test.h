/*
 * ad_test.h — shared bits of the ondisk/ unit tests: cmocka includes and
 * checks on failure reasons.
 */
#ifndef ARGOS_AD_TEST_H
#define ARGOS_AD_TEST_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ad_crc.h"
#include "ad_format.h"

/* A reason is one non-empty line that fits AD_WHY_MAX and mentions `part`. */
#define assert_reason(why, part)                                                  \
	do {                                                                      \
		const char *w_ = (why);                                           \
		if (w_[0] == '\0' || strchr(w_, '\n') != NULL ||                  \
		    strlen(w_) >= AD_WHY_MAX || strstr(w_, (part)) == NULL)       \
			fail_msg("reason \"%s\" should be one line mentioning \"%s\"", \
				 w_, (part));                                     \
	} while (0)

/* A format id and the seed it gives, for the seeded structures. */
static const uint8_t test_format_id[16] = {
	0x5a, 0x11, 0x03, 0x9c, 0x42, 0xe7, 0x10, 0x88,
	0x3b, 0x6d, 0xf0, 0x21, 0x97, 0x0c, 0xa4, 0x5e,
};
static const uint8_t other_format_id[16] = {
	0x5a, 0x11, 0x03, 0x9c, 0x42, 0xe7, 0x10, 0x88,
	0x3b, 0x6d, 0xf0, 0x21, 0x97, 0x0c, 0xa4, 0x5f,
};

#endif /* ARGOS_AD_TEST_H */
