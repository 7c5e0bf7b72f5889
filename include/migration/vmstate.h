/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Device state in the migration stream: how a device writes its state
 * into a section payload and reads it back.
 *
 * Payloads are big-endian fixed-width fields.  Writers append to a
 * GByteArray; readers go through a MigReader that never reads past the
 * end: an overrun sets a sticky error, the getters then return zeros,
 * and mig_reader_finish() reports it (and unread trailing bytes) so a
 * load function only checks once, before it trusts what it read.
 */
#ifndef MIGRATION_VMSTATE_H
#define MIGRATION_VMSTATE_H

#include "qemu/osdep.h"
#include "qemu/error.h"

typedef struct MigReader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool overrun;
} MigReader;

void mig_put_u8(GByteArray *out, uint8_t v);
void mig_put_be32(GByteArray *out, uint32_t v);
void mig_put_be64(GByteArray *out, uint64_t v);
void mig_put_bytes(GByteArray *out, const void *buf, size_t len);
/* A string of at most 255 bytes: length byte, then the bytes. */
void mig_put_str(GByteArray *out, const char *s);

void mig_reader_init(MigReader *r, const void *data, size_t len);
uint8_t mig_get_u8(MigReader *r);
uint32_t mig_get_be32(MigReader *r);
uint64_t mig_get_be64(MigReader *r);
/* Copies @len bytes (zeros on overrun). */
void mig_get_bytes(MigReader *r, void *buf, size_t len);
/* A pointer to the next @len bytes inside the payload, or NULL. */
const uint8_t *mig_get_ptr(MigReader *r, size_t len);
/* A string written by mig_put_str (g_free it); "" on overrun. */
char *mig_get_str(MigReader *r);
size_t mig_reader_remaining(const MigReader *r);
/* Did everything read fit, and was everything read? */
bool mig_reader_ok(const MigReader *r, Error **errp);
bool mig_reader_finish(const MigReader *r, Error **errp);

#endif
