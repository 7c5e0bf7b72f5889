/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Migration stream framing: full reads and writes on a blocking fd,
 * zlib compression and a CRC-32 per section.
 */
#include "qemu/osdep.h"
#include "migration/stream.h"
#include "trace.h"
#include <zlib.h>

#define MIG_TAG_SECTION 'S'
#define MIG_TAG_END     'E'
/* The compression probe: this many spans of this size, spread out. */
#define MIG_PROBE_SPANS 4
#define MIG_PROBE_SPAN  (16u << 10)

void mig_stream_init(MigStream *s, int fd)
{
    memset(s, 0, sizeof(*s));
    s->fd = fd;
}

void mig_stream_cleanup(MigStream *s)
{
    g_clear_pointer(&s->last, g_free);
}

static bool mig_write_all(MigStream *s, const void *buf, size_t len,
                          Error **errp)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(s->fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : EIO, "write to the "
                             "migration stream failed");
            return false;
        }
        p += n;
        len -= n;
        s->bytes += n;
    }
    return true;
}

/* 1 on success, 0 at end of file (nothing or part read), -1 on error. */
static int mig_read_all(MigStream *s, void *buf, size_t len, size_t *got,
                        Error **errp)
{
    uint8_t *p = buf;
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(s->fd, p + done, len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error_setg_errno(errp, errno, "read from the migration stream "
                             "failed");
            return -1;
        }
        if (n == 0) {
            break;
        }
        done += n;
        s->bytes += n;
    }
    if (got) {
        *got = done;
    }
    return done == len;
}

bool mig_stream_put_header(MigStream *s, Error **errp)
{
    GByteArray *b = g_byte_array_new();
    uint32_t v = GUINT32_TO_BE(MIG_STREAM_VERSION);
    bool ok;

    g_byte_array_append(b, (const guint8 *)MIG_STREAM_MAGIC, 8);
    g_byte_array_append(b, (const guint8 *)&v, 4);
    ok = mig_write_all(s, b->data, b->len, errp);
    g_byte_array_unref(b);
    return ok;
}

static void put_be32(GByteArray *b, uint32_t v)
{
    v = GUINT32_TO_BE(v);
    g_byte_array_append(b, (const guint8 *)&v, 4);
}

/*
 * Even at Z_BEST_SPEED, deflate runs at only some 40 MB/s over bytes it
 * cannot shrink (guest pages already compressed or encrypted), which
 * would make such RAM the bottleneck of a migration.  So compress a
 * few spread-out spans first: if they do not shrink by at least 1/16,
 * the payload goes in zlib's stored blocks.  That is still a zlib
 * stream with its own checksum, so a reader needs nothing new.
 */
static int mig_pick_level(const uint8_t *data, size_t len)
{
    uLongf bound = compressBound(MIG_PROBE_SPAN);
    g_autofree uint8_t *out = NULL;
    size_t in_total = 0, out_total = 0;
    unsigned i;

    if (len < 2 * MIG_PROBE_SPANS * MIG_PROBE_SPAN) {
        return Z_BEST_SPEED;            /* cheap enough to just try */
    }
    out = g_malloc(bound);
    for (i = 0; i < MIG_PROBE_SPANS; i++) {
        size_t off = (len - MIG_PROBE_SPAN) / (MIG_PROBE_SPANS - 1) * i;
        uLongf olen = bound;

        if (compress2(out, &olen, data + off, MIG_PROBE_SPAN,
                      Z_BEST_SPEED) != Z_OK) {
            return Z_BEST_SPEED;
        }
        in_total += MIG_PROBE_SPAN;
        out_total += olen;
    }
    return out_total * 16 > in_total * 15 ? Z_NO_COMPRESSION : Z_BEST_SPEED;
}

bool mig_stream_put_section(MigStream *s, const char *name,
                            const char *instance, uint32_t version,
                            const void *data, size_t len, Error **errp)
{
    g_autoptr(GByteArray) hdr = g_byte_array_new();
    uLongf zlen = compressBound(len);
    g_autofree uint8_t *z = g_malloc(zlen);
    uint8_t tag = MIG_TAG_SECTION, l;
    int zret;

    g_assert(len <= MIG_SECTION_MAX && strlen(name) <= 255 &&
             strlen(instance) <= 255);
    zret = compress2(z, &zlen, data, len, mig_pick_level(data, len));
    if (zret != Z_OK) {
        error_setg(errp, "section '%s' (%s): compression failed (zlib "
                   "error %d)", name, instance, zret);
        return false;
    }
    g_byte_array_append(hdr, &tag, 1);
    l = strlen(name);
    g_byte_array_append(hdr, &l, 1);
    g_byte_array_append(hdr, (const guint8 *)name, l);
    l = strlen(instance);
    g_byte_array_append(hdr, &l, 1);
    g_byte_array_append(hdr, (const guint8 *)instance, l);
    put_be32(hdr, version);
    put_be32(hdr, len);
    put_be32(hdr, zlen);
    put_be32(hdr, crc32(crc32(0, NULL, 0), data, len));
    trace_migration_section_put(name, instance, len, zlen);
    if (!mig_write_all(s, hdr->data, hdr->len, errp) ||
        !mig_write_all(s, z, zlen, errp)) {
        error_prepend(errp, "section '%s' (%s): ", name, instance);
        return false;
    }
    s->sections++;
    return true;
}

bool mig_stream_put_end(MigStream *s, Error **errp)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    uint8_t tag = MIG_TAG_END;

    g_byte_array_append(b, &tag, 1);
    put_be32(b, s->sections);
    return mig_write_all(s, b->data, b->len, errp);
}

bool mig_stream_get_header(MigStream *s, Error **errp)
{
    uint8_t hdr[12];
    uint32_t version;
    int r = mig_read_all(s, hdr, sizeof(hdr), NULL, errp);

    if (r < 0) {
        error_prepend(errp, "stream header: ");
        return false;
    }
    if (!r) {
        error_setg(errp, "stream header: truncated (the stream is shorter "
                   "than its %zu-byte header)", sizeof(hdr));
        return false;
    }
    if (memcmp(hdr, MIG_STREAM_MAGIC, 8)) {
        error_setg(errp, "stream header: bad magic, this is not a "
                   "spapr-vfio migration stream");
        return false;
    }
    memcpy(&version, hdr + 8, 4);
    version = GUINT32_FROM_BE(version);
    if (version != MIG_STREAM_VERSION) {
        error_setg(errp, "stream header: format version %u is not "
                   "supported (this build reads version %u)", version,
                   MIG_STREAM_VERSION);
        return false;
    }
    return true;
}

static int mig_get_name(MigStream *s, char **out, Error **errp)
{
    uint8_t len;
    char buf[256];
    int r = mig_read_all(s, &len, 1, NULL, errp);

    if (r <= 0) {
        return r;
    }
    r = mig_read_all(s, buf, len, NULL, errp);
    if (r <= 0) {
        return r;
    }
    buf[len] = 0;
    *out = g_strdup(buf);
    return 1;
}

/* Where a damaged section is reported: its name once it is known. */
static void mig_section_error(MigStream *s, MigSection *sec, Error **errp,
                              const char *what)
{
    if (sec->name && sec->instance && *sec->instance) {
        error_setg(errp, "section '%s' (%s): %s", sec->name, sec->instance,
                   what);
    } else if (sec->name) {
        error_setg(errp, "section '%s': %s", sec->name, what);
    } else if (s->last) {
        error_setg(errp, "section after '%s': %s", s->last, what);
    } else {
        error_setg(errp, "first section: %s", what);
    }
}

int mig_stream_get_section(MigStream *s, MigSection *sec, Error **errp)
{
    uint8_t tag;
    uint32_t f[4], count;
    g_autofree uint8_t *z = NULL;
    Error *local = NULL;
    uLongf rawlen;
    size_t got = 0;
    int r, zret;

    memset(sec, 0, sizeof(*sec));
    r = mig_read_all(s, &tag, 1, NULL, &local);
    if (r <= 0) {
        mig_section_error(s, sec, errp, local ? error_get_pretty(local) :
                          "truncated: the stream ends without its end "
                          "marker");
        goto fail;
    }
    if (tag == MIG_TAG_END) {
        r = mig_read_all(s, &count, 4, NULL, &local);
        if (r <= 0) {
            mig_section_error(s, sec, errp, "truncated end marker");
            goto fail;
        }
        if (GUINT32_FROM_BE(count) != s->sections) {
            g_autofree char *m = g_strdup_printf(
                "end marker counts %u sections, %u were read",
                GUINT32_FROM_BE(count), s->sections);
            mig_section_error(s, sec, errp, m);
            goto fail;
        }
        return 0;
    }
    if (tag != MIG_TAG_SECTION) {
        g_autofree char *m = g_strdup_printf("bad section tag 0x%02x "
                                             "(corrupt stream)", tag);
        mig_section_error(s, sec, errp, m);
        goto fail;
    }
    if (mig_get_name(s, &sec->name, &local) <= 0 ||
        mig_get_name(s, &sec->instance, &local) <= 0 ||
        mig_read_all(s, f, sizeof(f), NULL, &local) <= 0) {
        mig_section_error(s, sec, errp, "truncated section header");
        goto fail;
    }
    sec->version = GUINT32_FROM_BE(f[0]);
    sec->len = GUINT32_FROM_BE(f[1]);
    if (sec->len > MIG_SECTION_MAX ||
        GUINT32_FROM_BE(f[2]) > compressBound(MIG_SECTION_MAX)) {
        mig_section_error(s, sec, errp, "impossible payload length "
                          "(corrupt section header)");
        goto fail;
    }
    z = g_malloc(GUINT32_FROM_BE(f[2]) + 1);
    r = mig_read_all(s, z, GUINT32_FROM_BE(f[2]), &got, &local);
    if (r <= 0) {
        g_autofree char *m = g_strdup_printf(
            "truncated: %zu of %u payload bytes", got, GUINT32_FROM_BE(f[2]));
        mig_section_error(s, sec, errp, local ? error_get_pretty(local) : m);
        goto fail;
    }
    sec->data = g_malloc(sec->len + 1);
    rawlen = sec->len;
    zret = uncompress(sec->data, &rawlen, z, GUINT32_FROM_BE(f[2]));
    if (zret != Z_OK || rawlen != sec->len) {
        g_autofree char *m = g_strdup_printf("corrupt compressed payload "
                                             "(zlib error %d)", zret);
        mig_section_error(s, sec, errp, m);
        goto fail;
    }
    if (crc32(crc32(0, NULL, 0), sec->data, sec->len) !=
        GUINT32_FROM_BE(f[3])) {
        mig_section_error(s, sec, errp, "payload checksum mismatch");
        goto fail;
    }
    s->sections++;
    g_free(s->last);
    s->last = g_strdup(sec->name);
    trace_migration_section_get(sec->name, sec->instance, sec->len);
    error_free(local);
    return 1;

fail:
    error_free(local);
    mig_section_clear(sec);
    return -1;
}

void mig_section_clear(MigSection *sec)
{
    g_clear_pointer(&sec->name, g_free);
    g_clear_pointer(&sec->instance, g_free);
    g_clear_pointer(&sec->data, g_free);
    sec->len = 0;
}
