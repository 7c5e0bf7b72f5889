/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Section payload encoding: big-endian writers over a GByteArray and a
 * bounds-checked reader with a sticky overrun flag.
 */
#include "qemu/osdep.h"
#include "migration/vmstate.h"

void mig_put_u8(GByteArray *out, uint8_t v)
{
    g_byte_array_append(out, &v, 1);
}

void mig_put_be32(GByteArray *out, uint32_t v)
{
    uint32_t be = GUINT32_TO_BE(v);

    g_byte_array_append(out, (const guint8 *)&be, sizeof(be));
}

void mig_put_be64(GByteArray *out, uint64_t v)
{
    uint64_t be = GUINT64_TO_BE(v);

    g_byte_array_append(out, (const guint8 *)&be, sizeof(be));
}

void mig_put_bytes(GByteArray *out, const void *buf, size_t len)
{
    g_byte_array_append(out, buf, len);
}

void mig_put_str(GByteArray *out, const char *s)
{
    size_t len = strlen(s);

    g_assert(len <= 255);
    mig_put_u8(out, len);
    mig_put_bytes(out, s, len);
}

void mig_reader_init(MigReader *r, const void *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->overrun = false;
}

const uint8_t *mig_get_ptr(MigReader *r, size_t len)
{
    const uint8_t *p;

    if (r->overrun || len > r->len - r->pos) {
        r->overrun = true;
        return NULL;
    }
    p = r->data + r->pos;
    r->pos += len;
    return p;
}

void mig_get_bytes(MigReader *r, void *buf, size_t len)
{
    const uint8_t *p = mig_get_ptr(r, len);

    if (p) {
        memcpy(buf, p, len);
    } else {
        memset(buf, 0, len);
    }
}

uint8_t mig_get_u8(MigReader *r)
{
    const uint8_t *p = mig_get_ptr(r, 1);

    return p ? *p : 0;
}

uint32_t mig_get_be32(MigReader *r)
{
    uint32_t v;

    mig_get_bytes(r, &v, sizeof(v));
    return GUINT32_FROM_BE(v);
}

uint64_t mig_get_be64(MigReader *r)
{
    uint64_t v;

    mig_get_bytes(r, &v, sizeof(v));
    return GUINT64_FROM_BE(v);
}

char *mig_get_str(MigReader *r)
{
    uint8_t len = mig_get_u8(r);
    const uint8_t *p = mig_get_ptr(r, len);

    return p ? g_strndup((const char *)p, len) : g_strdup("");
}

size_t mig_reader_remaining(const MigReader *r)
{
    return r->overrun ? 0 : r->len - r->pos;
}

bool mig_reader_ok(const MigReader *r, Error **errp)
{
    if (r->overrun) {
        error_setg(errp, "payload too short (%zu bytes)", r->len);
        return false;
    }
    return true;
}

bool mig_reader_finish(const MigReader *r, Error **errp)
{
    if (!mig_reader_ok(r, errp)) {
        return false;
    }
    if (r->pos != r->len) {
        error_setg(errp, "%zu unexpected bytes at the end of the payload",
                   r->len - r->pos);
        return false;
    }
    return true;
}
