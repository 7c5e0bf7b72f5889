/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers shared by the memory API unit tests.
 */
#include "memtest.h"

static char *size_str(Int128 size)
{
    if (size == int128_2_64()) {
        return g_strdup("2^64");
    }
    return g_strdup_printf("%" PRIx64, int128_get64(size));
}

static void rec_section(RecListener *rl, const char *ev,
                        MemoryRegionSection *s)
{
    g_autofree char *sz = size_str(s->size);

    g_string_append_printf(rl->log, "%s %s %s %" PRIx64 "+%s@%" PRIx64
                           "%s\n", rl->tag, ev, memory_region_name(s->mr),
                           s->offset_within_address_space, sz,
                           s->offset_within_region,
                           s->readonly ? " ro" : "");
}

static void rec_begin(MemoryListener *ml)
{
    RecListener *rl = container_of(ml, RecListener, ml);

    g_string_append_printf(rl->log, "%s begin\n", rl->tag);
}

static void rec_commit(MemoryListener *ml)
{
    RecListener *rl = container_of(ml, RecListener, ml);

    g_string_append_printf(rl->log, "%s commit\n", rl->tag);
}

static void rec_add(MemoryListener *ml, MemoryRegionSection *s)
{
    RecListener *rl = container_of(ml, RecListener, ml);

    rec_section(rl, "add", s);
    if (rl->hold_refs) {
        memory_region_ref(s->mr);
    }
}

static void rec_del(MemoryListener *ml, MemoryRegionSection *s)
{
    RecListener *rl = container_of(ml, RecListener, ml);

    rec_section(rl, "del", s);
    if (rl->hold_refs) {
        memory_region_unref(s->mr);
    }
}

static void rec_nop(MemoryListener *ml, MemoryRegionSection *s)
{
    rec_section(container_of(ml, RecListener, ml), "nop", s);
}

void rec_listener_init(RecListener *rl, const char *tag, unsigned priority,
                       GString *log)
{
    memset(rl, 0, sizeof(*rl));
    rl->ml.begin = rec_begin;
    rl->ml.commit = rec_commit;
    rl->ml.region_add = rec_add;
    rl->ml.region_del = rec_del;
    rl->ml.region_nop = rec_nop;
    rl->ml.name = tag;
    rl->ml.priority = priority;
    rl->tag = tag;
    rl->log = log;
}

char *rec_log_take(GString *log)
{
    char *s = g_strdup(log->str);

    g_string_truncate(log, 0);
    return s;
}

static uint64_t testdev_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDev *d = opaque;
    uint64_t v = 0;
    unsigned i;

    g_assert_cmpuint(addr + size, <=, sizeof(d->regs));
    for (i = 0; i < size; i++) {
        unsigned b = d->little_endian ? size - 1 - i : i;

        v = (v << 8) | d->regs[addr + b];
    }
    d->accesses++;
    if (d->log) {
        g_string_append_printf(d->log, "r %" PRIx64 "/%u=%" PRIx64 "\n",
                               addr, size, v);
    }
    return v;
}

static void testdev_write(void *opaque, hwaddr addr, uint64_t v,
                          unsigned size)
{
    TestDev *d = opaque;
    unsigned i;

    g_assert_cmpuint(addr + size, <=, sizeof(d->regs));
    d->accesses++;
    if (d->log) {
        g_string_append_printf(d->log, "w %" PRIx64 "/%u=%" PRIx64 "\n",
                               addr, size, v);
    }
    for (i = 0; i < size; i++) {
        unsigned b = d->little_endian ? i : size - 1 - i;

        d->regs[addr + b] = v >> (8 * i);
    }
}

const MemoryRegionOps testdev_be_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

const MemoryRegionOps testdev_be_max4_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

const MemoryRegionOps testdev_le_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

const MemoryRegionOps testdev_min4_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

char *flatview_dump(AddressSpace *as)
{
    FlatView *fv = address_space_to_flatview(as);
    GString *out = g_string_new(NULL);
    unsigned i;

    for (i = 0; fv && i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        Int128 last = fr->start + fr->size - 1;

        g_string_append_printf(out, "%" PRIx64 "-%" PRIx64 " %s@%" PRIx64
                               "%s\n", int128_get64(fr->start),
                               int128_get64(last),
                               memory_region_name(fr->mr),
                               fr->offset_in_region,
                               fr->readonly ? " ro" : "");
    }
    return g_string_free(out, FALSE);
}

static void test_container_release(MemoryRegion *mr)
{
    g_free(mr);
}

MemoryRegion *test_container_new(const char *name, uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init(mr, NULL, name, size);
    mr->release = test_container_release;
    return mr;
}
