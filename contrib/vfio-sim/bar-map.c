/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: the program's mmap()s of device BARs, and their zapping.
 *
 * The kernel tears every user mapping of a device's BARs down when its
 * Memory Space bit goes off (vfio_pci_zap_and_down_write_memory_lock);
 * a touch then faults in vfio_pci_mmap_fault, which answers SIGBUS while
 * memory is disabled and maps the BAR again once it is enabled.  We get
 * the same effect by keeping a list of the mappings handed out and
 * replacing each, in place, by a mapping of an empty memfd (any touch
 * past its end is SIGBUS) while decoding is off, then by the BAR's memfd
 * again.  Called with the lock held, except vsim_bar_maps_any().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "vsim.h"

typedef struct BarMap {
    VsimDevice *dev;
    uint64_t addr;
    uint64_t len;
    uint64_t pos;               /* offset in the BAR */
    int prot;
    int flags;
    int mode;                   /* MAP_BAR, MAP_ZAPPED or MAP_FROZEN */
} BarMap;

enum { MAP_BAR, MAP_ZAPPED, MAP_FROZEN };

static GArray *maps;            /* BarMap */
static atomic_uint nmaps;       /* lock-free "is there anything" */
static int zap_fd = -1;

bool vsim_bar_maps_any(void)
{
    return atomic_load_explicit(&nmaps, memory_order_acquire) != 0;
}

static int zapped_fd(void)
{
    if (zap_fd < 0) {
        zap_fd = memfd_create("vfio-sim-zapped-bar", MFD_CLOEXEC);
    }
    return zap_fd;
}

/*
 * What a mapping of @d shows now: nothing with memory decoding off, all
 * ones while its PE is frozen (eeh.c), else the BAR.
 */
static int want_mode(VsimDevice *d)
{
    if (!vsim_device_memory_enabled(d)) {
        return MAP_ZAPPED;
    }
    return vsim_eeh_mmio_frozen(d) ? MAP_FROZEN : MAP_BAR;
}

/*
 * The file behind @mode; a frozen BAR maps an all-ones file privately,
 * so the program's stores land in its own copy and never in the device.
 */
static int mode_fd(VsimDevice *d, int mode, int *flags)
{
    if (mode == MAP_FROZEN) {
        *flags = (*flags & ~MAP_SHARED) | MAP_PRIVATE;
        return vsim_eeh_ones_fd(d->model->bar_size[d->model->mmap_bar]);
    }
    return mode == MAP_BAR ? d->mmap_fd : zapped_fd();
}

/* Map record @m in place as @mode says. */
static bool remap(BarMap *m, int mode)
{
    int flags = m->flags;
    int fd = mode_fd(m->dev, mode, &flags);
    void *p;

    if (fd < 0) {
        return false;
    }
    p = vsim_libc.mmap((void *)(uintptr_t)m->addr, m->len, m->prot,
                       flags | MAP_FIXED, fd, m->pos);
    if (p == MAP_FAILED) {
        return false;
    }
    m->mode = mode;
    return true;
}

static void add(const BarMap *m)
{
    if (!maps) {
        maps = g_array_new(false, false, sizeof(BarMap));
    }
    g_array_append_vals(maps, m, 1);
    atomic_store_explicit(&nmaps, maps->len, memory_order_release);
}

void *vsim_bar_map(VsimDevice *d, void *addr, size_t len, int prot,
                   int flags, uint64_t pos)
{
    int mode = want_mode(d), mflags = flags;
    int fd = mode_fd(d, mode, &mflags);
    BarMap m;
    void *p;

    if (fd < 0) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    p = vsim_map_pages(addr, len, prot, mflags, fd, pos);
    if (p == MAP_FAILED) {
        return p;
    }
    vsim_bar_maps_forget((uintptr_t)p, len);   /* MAP_FIXED over an old one */
    m = (BarMap) {
        .dev = d, .addr = (uintptr_t)p,
        .len = VSIM_ROUND_UP(len, vsim_page_size()), .pos = pos,
        .prot = prot,
        .flags = flags & ~(MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_POPULATE),
        .mode = mode,
    };
    add(&m);
    return p;
}

/* Zap, freeze or restore @d's mappings to match its Memory Space bit
 * and its PE's state. */
void vsim_bar_maps_sync(VsimDevice *d)
{
    static const char *const what[] = { "restore", "zap", "freeze" };
    int mode = want_mode(d);

    for (unsigned i = 0; maps && i < maps->len; i++) {
        BarMap *m = &g_array_index(maps, BarMap, i);

        if (m->dev == d && m->mode != mode && !remap(m, mode)) {
            fprintf(stderr, "vfio-sim: cannot %s a BAR mapping at 0x%"
                    PRIx64 ": %s\n", what[mode], m->addr, strerror(errno));
        }
    }
}

/* [@addr, @addr + @len) is no longer ours (munmap, MAP_FIXED over it). */
void vsim_bar_maps_forget(uint64_t addr, uint64_t len)
{
    uint64_t end = addr + len;

    for (unsigned i = 0; maps && i < maps->len;) {
        BarMap m = g_array_index(maps, BarMap, i);
        uint64_t mend = m.addr + m.len;

        if (mend <= addr || m.addr >= end) {
            i++;
            continue;
        }
        g_array_remove_index_fast(maps, i);
        if (m.addr < addr) {            /* the part below survives */
            BarMap lo = m;

            lo.len = addr - m.addr;
            g_array_append_vals(maps, &lo, 1);
        }
        if (mend > end) {               /* and the part above */
            BarMap hi = m;

            hi.addr = end;
            hi.len = mend - end;
            hi.pos = m.pos + (end - m.addr);
            g_array_append_vals(maps, &hi, 1);
        }
    }
    if (maps) {
        atomic_store_explicit(&nmaps, maps->len, memory_order_release);
    }
}
