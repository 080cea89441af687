/*
 * ad_crc.h — the one checksum ArgosFS puts on disk: CRC-32C.
 *
 * Owns: the definition of every on-disk checksum value.
 *
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), computed with ISA-L's
 * crc32_iscsi().  ad_crc32c(seed, buf, len) starts the CRC register at
 * ~seed and XORs the result with 0xFFFFFFFF, so:
 *
 *   ad_crc32c(0, buf, len)          == standard CRC-32C of buf
 *                                      ("123456789" -> 0xE3069283)
 *   ad_crc32c(ad_crc32c(0, a), b)   == standard CRC-32C of a ‖ b
 *
 * A structure "seeded with the pool's format id" therefore carries the
 * standard CRC-32C of (format_id[16] ‖ the structure's bytes with the checksum
 * field left out).  A stale structure left by an earlier mkfs of the same
 * device has a different format id and fails its checksum.
 */
#ifndef ARGOS_AD_CRC_H
#define ARGOS_AD_CRC_H

#include <stddef.h>
#include <stdint.h>

uint32_t ad_crc32c(uint32_t seed, const void *buf, size_t len);

/* The seed of every structure tied to one mkfs: ad_crc32c(0, format_id, 16). */
uint32_t ad_format_seed(const uint8_t format_id[16]);

#endif /* ARGOS_AD_CRC_H */
