/*
 * ad_crc.c — CRC-32C over ISA-L (see ad_crc.h for the exact definition).
 */
#include <limits.h>
#include <isa-l/crc.h>

#include "ad_crc.h"

uint32_t ad_crc32c(uint32_t seed, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t reg = ~seed;

	/* crc32_iscsi() takes an int length: feed huge buffers in pieces. */
	while (len > 0) {
		int n = len > (size_t)(INT_MAX & ~4095) ? (INT_MAX & ~4095) : (int)len;
		reg = crc32_iscsi((unsigned char *)p, n, reg);
		p += n;
		len -= (size_t)n;
	}
	return ~reg;
}

uint32_t ad_format_seed(const uint8_t format_id[16])
{
	return ad_crc32c(0, format_id, 16);
}
