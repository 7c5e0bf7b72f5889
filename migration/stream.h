/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The migration stream on a file descriptor: header, sections, end.
 *
 *   header   "SPAPRMIG" (8 bytes), be32 format version
 *   section  u8 'S', u8 len + name, u8 len + instance, be32 version,
 *            be32 raw length, be32 stored length, be32 CRC-32 of the
 *            raw payload, stored bytes (the zlib-compressed payload)
 *   end      u8 'E', be32 number of sections before it
 *
 * Every field a reader needs to name what is wrong comes before the
 * payload: a corrupt or short section is reported by its name.
 */
#ifndef MIGRATION_STREAM_H
#define MIGRATION_STREAM_H

#include "qemu/osdep.h"
#include "qemu/error.h"

#define MIG_STREAM_MAGIC        "SPAPRMIG"
#define MIG_STREAM_VERSION      1
/* Largest payload either side accepts (RAM goes in smaller pieces). */
#define MIG_SECTION_MAX         (64u << 20)

typedef struct MigStream {
    int fd;
    uint64_t bytes;             /* written or read so far */
    uint32_t sections;
    char *last;                 /* name of the last section read */
} MigStream;

typedef struct MigSection {
    char *name;
    char *instance;
    uint32_t version;
    uint8_t *data;              /* raw payload (g_free) */
    size_t len;
} MigSection;

void mig_stream_init(MigStream *s, int fd);
/* Frees the bookkeeping; the fd belongs to the caller. */
void mig_stream_cleanup(MigStream *s);

bool mig_stream_put_header(MigStream *s, Error **errp);
/* Compresses @len bytes of @data and writes one section. */
bool mig_stream_put_section(MigStream *s, const char *name,
                            const char *instance, uint32_t version,
                            const void *data, size_t len, Error **errp);
bool mig_stream_put_end(MigStream *s, Error **errp);

bool mig_stream_get_header(MigStream *s, Error **errp);
/*
 * The next section: 1 with @sec filled (mig_section_clear it), 0 at the
 * end marker, -1 with @errp naming the section on any damage.
 */
int mig_stream_get_section(MigStream *s, MigSection *sec, Error **errp);
void mig_section_clear(MigSection *sec);

#endif
