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
    bool zapped;
} BarMap;

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

/* Map record @m in place from the BAR (@on) or from the empty file. */
static bool remap(BarMap *m, bool on)
{
    int fd = on ? m->dev->mmap_fd : zapped_fd();
    void *p;

    if (fd < 0) {
        return false;
    }
    p = vsim_libc.mmap((void *)(uintptr_t)m->addr, m->len, m->prot,
                       m->flags | MAP_FIXED, fd, m->pos);
    if (p == MAP_FAILED) {
        return false;
    }
    m->zapped = !on;
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
    bool on = vsim_device_memory_enabled(d);
    int fd = on ? d->mmap_fd : zapped_fd();
    BarMap m;
    void *p;

    if (fd < 0) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    p = vsim_map_pages(addr, len, prot, flags, fd, pos);
    if (p == MAP_FAILED) {
        return p;
    }
    vsim_bar_maps_forget((uintptr_t)p, len);   /* MAP_FIXED over an old one */
    m = (BarMap) {
        .dev = d, .addr = (uintptr_t)p,
        .len = VSIM_ROUND_UP(len, vsim_page_size()), .pos = pos,
        .prot = prot,
        .flags = flags & ~(MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_POPULATE),
        .zapped = !on,
    };
    add(&m);
    return p;
}

/* Zap or restore @d's mappings to match its Memory Space bit. */
void vsim_bar_maps_sync(VsimDevice *d)
{
    bool on = vsim_device_memory_enabled(d);

    for (unsigned i = 0; maps && i < maps->len; i++) {
        BarMap *m = &g_array_index(maps, BarMap, i);

        if (m->dev == d && m->zapped == on && !remap(m, on)) {
            fprintf(stderr, "vfio-sim: cannot %s a BAR mapping at 0x%"
                    PRIx64 ": %s\n", on ? "restore" : "zap", m->addr,
                    strerror(errno));
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
