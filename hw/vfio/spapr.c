/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * sPAPR TCE v2 specifics: preregistration of guest RAM and host DMA
 * windows.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-container.h"
#include "hw/vfio/vfio-dirty.h"
#include "hw/vfio/vfio-progress.h"
#include "qemu/cutils.h"
#include "exec/ram.h"
#include "trace.h"

/* ------------------------------------------------------ Preregistration */

static bool vfio_prereg_section_wanted(MemoryRegionSection *s)
{
    /* Device memory (ram_device) is not pinnable guest RAM. */
    return memory_region_is_ram(s->mr) && !memory_region_is_ram_device(s->mr);
}

static VFIOPreregRegion *vfio_prereg_find(VFIOContainer *c, uint64_t vaddr,
                                          uint64_t size, unsigned *idx)
{
    unsigned i;

    for (i = 0; i < c->prereg->len; i++) {
        VFIOPreregRegion *r = g_ptr_array_index(c->prereg, i);

        if (r->vaddr == vaddr && r->size == size) {
            if (idx) {
                *idx = i;
            }
            return r;
        }
    }
    return NULL;
}

static bool vfio_prereg_section_range(VFIOContainer *c,
                                      MemoryRegionSection *s,
                                      uint64_t *vaddr, uint64_t *size,
                                      bool report)
{
    uint64_t pgsize = qemu_real_host_page_size();
    uint64_t sz = int128_get64_sat(s->size);

    if (!QEMU_IS_ALIGNED(s->offset_within_address_space, pgsize) ||
        !QEMU_IS_ALIGNED(s->offset_within_region, pgsize) ||
        !QEMU_IS_ALIGNED(sz, pgsize)) {
        if (report) {
            /* Not pinnable as a whole: guest DMA there will fail. */
            warn_report("vfio: RAM section %s at 0x%" PRIx64 " (offset 0x%"
                        PRIx64 ", size 0x%" PRIx64 ") is not aligned to the "
                        "host page size 0x%" PRIx64 "; not preregistered",
                        s->mr->name, s->offset_within_address_space,
                        s->offset_within_region, sz, pgsize);
            trace_vfio_prereg_skip_misaligned(s->mr->name,
                                              s->offset_within_address_space,
                                              sz);
        }
        return false;
    }
    *vaddr = (uintptr_t)memory_region_get_ram_ptr(s->mr) +
             s->offset_within_region;
    *size = sz;
    return true;
}

/*
 * A host window's IOMMU page may not be larger than the backing page of
 * any RAM it maps (the host refuses such a MAP with EFAULT).  Windows
 * are sized from the RAM there is when they are made; RAM added later
 * with smaller pages (a DIMM on anonymous memory next to hugetlbfs RAM)
 * could never be mapped, so it is refused when it comes.
 */
static bool vfio_prereg_backing_fits(VFIOContainer *c, MemoryRegionSection *s)
{
    uint64_t backing = memory_region_host_page_size(s->mr);
    Error *err = NULL;
    unsigned i;

    for (i = 0; i < c->hostwins->len; i++) {
        VFIOHostDMAWindow *w = g_ptr_array_index(c->hostwins, i);

        if (w->iova_pgsizes <= backing) {
            continue;
        }
        error_setg(&err, "%s (gpa 0x%" PRIx64 ") is backed by 0x%" PRIx64
                   "-byte pages, smaller than the 0x%" PRIx64 "-byte IOMMU "
                   "pages of host DMA window 0x%" PRIx64 "; its memory "
                   "could not be mapped for DMA", s->mr->name,
                   s->offset_within_address_space, backing, w->iova_pgsizes,
                   w->min_iova);
        if (memory_region_transaction_checked()) {
            memory_listener_report_error(err);
        } else {
            vfio_container_set_error(c, 0, "%s", error_get_pretty(err));
            error_free(err);
        }
        return false;
    }
    return true;
}

/*
 * Guest RAM larger than this is registered piece by piece, so that a
 * long pin can report its progress.  1 GiB is a multiple of every IOMMU
 * page size a host offers, so each IOMMU page still lies inside one
 * registered piece, as MAP_DMA requires.  The pieces are derived from
 * the section alone, so unregistering finds the same ones.
 */
#define VFIO_PREREG_CHUNK (1ULL << 30)

static bool prereg_progress = true;
static int64_t prereg_progress_after_us = G_USEC_PER_SEC;

void vfio_prereg_set_progress(bool on, int64_t after_ms)
{
    prereg_progress = on;
    prereg_progress_after_us = after_ms * 1000;
}

typedef struct VFIOPreregProgress {
    const char *name;
    uint64_t total;
    int64_t start;
    int64_t last;       /* when a line was last printed, 0: never */
} VFIOPreregProgress;

static void vfio_prereg_progress(VFIOPreregProgress *p, uint64_t done)
{
    int64_t now = g_get_monotonic_time();
    int64_t took = now - p->start;
    g_autofree char *sdone = NULL, *stotal = NULL;

    if (!prereg_progress || took < prereg_progress_after_us) {
        return;
    }
    /* At most one line a second, but always the last one. */
    if (p->last && done < p->total && now - p->last < G_USEC_PER_SEC) {
        return;
    }
    p->last = now;
    sdone = size_to_str(done);
    stotal = size_to_str(p->total);
    info_report("vfio: pinning guest RAM %s: %s of %s (%u%%) in %.1f s, "
                "%.0f MiB/s", p->name, sdone, stotal,
                (unsigned)(done * 100 / p->total), took / 1e6,
                took ? done / 1048576.0 / (took / 1e6) : 0.0);
}

#define vfio_prereg_ioctl(c, req, vaddr, size) \
    vfio_prereg_ioctl_named((c), (req), #req, (vaddr), (size))

static int vfio_prereg_ioctl_named(VFIOContainer *c, unsigned long req,
                                   const char *name, uint64_t vaddr,
                                   uint64_t size)
{
    struct vfio_iommu_spapr_register_memory reg = {
        .argsz = sizeof(reg),
        .vaddr = vaddr,
        .size = size,
    };

    c->stats.register_ioctls++;
    return vfio_container_ioctl_named(c, req, name, &reg);
}

/* Unregister the pieces of [vaddr, vaddr + size); the first error. */
static int vfio_prereg_unregister(VFIOContainer *c, uint64_t vaddr,
                                  uint64_t size)
{
    uint64_t off, len;
    int ret, first = 0;

    for (off = 0; off < size; off += len) {
        len = MIN(size - off, VFIO_PREREG_CHUNK);
        ret = vfio_prereg_ioctl(c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY,
                                vaddr + off, len);
        first = first ? first : ret;
    }
    return first;
}

/* Register [vaddr, vaddr + size) in pieces; all or nothing. */
static int vfio_prereg_register(VFIOContainer *c, const char *name,
                                uint64_t vaddr, uint64_t size)
{
    VFIOPreregProgress p = {
        .name = name, .total = size, .start = g_get_monotonic_time(),
    };
    uint64_t off, len;
    int ret;

    for (off = 0; off < size; off += len) {
        len = MIN(size - off, VFIO_PREREG_CHUNK);
        ret = vfio_prereg_ioctl(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY,
                                vaddr + off, len);
        if (ret) {
            if (off) {
                vfio_prereg_unregister(c, vaddr, off);
            }
            return ret;
        }
        vfio_prereg_progress(&p, off + len);
    }
    return 0;
}

/*
 * Bytes of guest RAM the container pins: every RAM section of the view
 * being committed, which the process is charged for once whatever the
 * number of containers.
 */
static uint64_t vfio_prereg_ram_total(MemoryRegionSection *s)
{
    uint64_t total = 0;
    unsigned i;

    if (!s->fv) {
        return int128_get64_sat(s->size);
    }
    for (i = 0; i < s->fv->nr; i++) {
        const FlatRange *fr = &s->fv->ranges[i];

        if (memory_region_is_ram(fr->mr) &&
            !memory_region_is_ram_device(fr->mr)) {
            total += int128_get64_sat(fr->size);
        }
    }
    return MAX(total, int128_get64_sat(s->size));
}

/* What to do about ENOMEM: the amount and the three ways to allow it. */
static char *vfio_prereg_enomem_hint(MemoryRegionSection *s)
{
    g_autofree char *need = size_to_str(vfio_prereg_ram_total(s));
    uint64_t kib = DIV_ROUND_UP(vfio_prereg_ram_total(s), 1024);

    return g_strdup_printf("; pinning guest RAM for VFIO needs %s of "
        "locked memory (RLIMIT_MEMLOCK), plus the host's DMA window "
        "tables: raise the limit (ulimit -l %" PRIu64 " or more, in KiB; "
        "LimitMEMLOCK= for a systemd service; under vfio-sim-run, "
        "--host memlock=SIZE), or give the process CAP_IPC_LOCK",
        need, kib + kib / 16);
}

static void vfio_prereg_region_add(MemoryListener *l, MemoryRegionSection *s)
{
    VFIOContainer *c = container_of(l, VFIOContainer, prereg_listener);
    g_autofree char *hint = NULL;
    VFIOPreregRegion *r;
    uint64_t vaddr, size;
    int ret;

    if (!vfio_prereg_section_wanted(s)) {
        trace_vfio_prereg_skip(s->mr->name, s->offset_within_address_space);
        return;
    }
    if (!vfio_prereg_section_range(c, s, &vaddr, &size, true)) {
        return;
    }
    if (!vfio_prereg_backing_fits(c, s)) {
        return;
    }
    ret = vfio_prereg_register(c, s->mr->name, vaddr, size);
    trace_vfio_prereg_register(s->mr->name, s->offset_within_address_space,
                               vaddr, size, ret);
    hint = ret == -ENOMEM ? vfio_prereg_enomem_hint(s) : g_strdup("");
    if (ret && memory_region_transaction_checked()) {
        Error *err = NULL;

        /*
         * The caller (a DIMM hot-add) takes the change back: the region
         * stays unregistered and the container keeps working.
         */
        error_setg(&err, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY of %s (gpa 0x%"
                   PRIx64 ", size 0x%" PRIx64 ") failed: %s%s", s->mr->name,
                   s->offset_within_address_space, size,
                   vfio_ioctl_strerror(ret), hint);
        memory_listener_report_error(err);
        return;
    }
    if (ret) {
        /* The errno goes into the text here, so the hint can follow it. */
        vfio_container_set_error(c, 0, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY "
                                 "of %s (gpa 0x%" PRIx64 ", size 0x%" PRIx64
                                 ") failed: %s%s", s->mr->name,
                                 s->offset_within_address_space, size,
                                 vfio_ioctl_strerror(ret), hint);
        return;
    }
    r = g_new0(VFIOPreregRegion, 1);
    r->mr = s->mr;
    r->vaddr = vaddr;
    r->size = size;
    r->gpa = s->offset_within_address_space;
    /* Registered memory must outlive its registration. */
    memory_region_ref(s->mr);
    g_ptr_array_add(c->prereg, r);
}

static void vfio_prereg_region_del(MemoryListener *l, MemoryRegionSection *s)
{
    VFIOContainer *c = container_of(l, VFIOContainer, prereg_listener);
    VFIOPreregRegion *r;
    uint64_t vaddr, size;
    unsigned idx;
    int ret;

    if (!vfio_prereg_section_wanted(s) ||
        !vfio_prereg_section_range(c, s, &vaddr, &size, false)) {
        return;
    }
    r = vfio_prereg_find(c, vaddr, size, &idx);
    if (!r) {
        /* Its registration failed (and a checked add is being undone). */
        return;
    }
    ret = vfio_prereg_unregister(c, vaddr, size);
    trace_vfio_prereg_unregister(s->mr->name, vaddr, size, ret);
    if (ret) {
        /*
         * EBUSY: a host TCE still points into it.  The pin stays with the
         * container and is released when the container closes.
         */
        warn_report("vfio: VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY of %s "
                    "(vaddr 0x%" PRIx64 ", size 0x%" PRIx64 ") failed: %s",
                    s->mr->name, vaddr, size, vfio_ioctl_strerror(ret));
    }
    g_ptr_array_remove_index(c->prereg, idx);
    memory_region_unref(r->mr);
    g_free(r);
}

static void vfio_prereg_commit(MemoryListener *l)
{
    VFIOContainer *c = container_of(l, VFIOContainer, prereg_listener);

    /* At run time (hotplug) a failed REGISTER breaks DMA to that RAM. */
    if (c->listener_registered && c->error) {
        Error *err = vfio_container_take_error(c);

        error_report_err(err);
        vfio_container_mark_failed(c);
    }
}

const MemoryListener vfio_prereg_listener_template = {
    .name = "vfio-prereg",
    .priority = 10,
    .region_add = vfio_prereg_region_add,
    .region_del = vfio_prereg_region_del,
    .commit = vfio_prereg_commit,
    .log_global_start = vfio_dirty_log_global_start,
    .log_global_stop = vfio_dirty_log_global_stop,
    .log_sync = vfio_dirty_log_sync,
};

uint64_t vfio_prereg_min_pagesize(VFIOContainer *c)
{
    uint64_t min = UINT64_MAX;
    unsigned i;

    for (i = 0; i < c->prereg->len; i++) {
        VFIOPreregRegion *r = g_ptr_array_index(c->prereg, i);

        min = MIN(min, memory_region_host_page_size(r->mr));
    }
    return min == UINT64_MAX ? qemu_real_host_page_size() : min;
}

/* ----------------------------------------------------------- Windows */

VFIOHostDMAWindow *vfio_host_win_find(VFIOContainer *c, hwaddr min,
                                      hwaddr max)
{
    unsigned i;

    for (i = 0; i < c->hostwins->len; i++) {
        VFIOHostDMAWindow *w = g_ptr_array_index(c->hostwins, i);

        if (w->min_iova <= min && max <= w->max_iova) {
            return w;
        }
    }
    return NULL;
}

static bool vfio_host_win_overlaps(VFIOContainer *c, hwaddr min, hwaddr max)
{
    unsigned i;

    for (i = 0; i < c->hostwins->len; i++) {
        VFIOHostDMAWindow *w = g_ptr_array_index(c->hostwins, i);

        if (min <= w->max_iova && w->min_iova <= max) {
            return true;
        }
    }
    return false;
}

/*
 * The host builds each level of a TCE table from one contiguous kernel
 * allocation of 2^level_shift bytes, level_shift = max(ceil(entries
 * bits / levels) + 3, PAGE_SHIFT) (tce_iommu_create_table ->
 * pnv_pci_ioda2_table_alloc_pages).  The largest allocation a host can
 * be expected to satisfy is 2^8 pages with 64 KiB pages (16 MiB) and
 * 4 MiB with 4 KiB pages.  We start from the fewest levels whose level
 * fits that; a host short of contiguous memory answers ENOMEM and we go
 * one level deeper.
 */
static unsigned vfio_spapr_max_level_shift(unsigned host_shift)
{
    return MAX(host_shift + 8, 22u);
}

static unsigned vfio_spapr_min_levels(uint64_t entries)
{
    unsigned host_shift = __builtin_ctzll(qemu_real_host_page_size());
    unsigned max_level_shift = vfio_spapr_max_level_shift(host_shift);
    unsigned entries_shift = 63 - __builtin_clzll(MAX(entries, 1));
    unsigned levels;

    for (levels = 1; levels < 64; levels++) {
        unsigned level_shift = DIV_ROUND_UP(entries_shift, levels) + 3;

        if (MAX(level_shift, host_shift) <= max_level_shift) {
            break;
        }
    }
    return levels;
}

static int vfio_spapr_remove(VFIOContainer *c, hwaddr start)
{
    struct vfio_iommu_spapr_tce_remove remove = {
        .argsz = sizeof(remove),
        .start_addr = start,
    };
    int ret = vfio_container_ioctl(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove);

    c->stats.window_ioctls++;
    trace_vfio_spapr_remove_window(start, ret);
    return ret;
}

/*
 * The host page size for a guest window at @iova+@size with @guest_pgsize
 * pages: the largest the host supports that is no bigger than the
 * guest's or the page size backing guest RAM.  0 with @errp set when the
 * window overlaps a host window or no page size fits.
 */
static uint64_t vfio_spapr_window_pgsize(VFIOContainer *c, hwaddr iova,
                                         uint64_t size,
                                         uint64_t guest_pgsize,
                                         Error **errp)
{
    uint64_t ram_pgsize = vfio_prereg_min_pagesize(c);
    uint64_t pgmask;

    if (vfio_host_win_overlaps(c, iova, iova + size - 1)) {
        error_setg(errp, "guest DMA window 0x%" PRIx64 "+0x%" PRIx64
                   " overlaps an existing host window", iova, size);
        return 0;
    }
    pgmask = c->host_pgsizes & ((MIN(guest_pgsize, ram_pgsize) << 1) - 1);
    if (!pgmask) {
        error_setg(errp, "host IOMMU page sizes 0x%" PRIx64 " have none "
                   "<= guest page size 0x%" PRIx64 " and RAM page size 0x%"
                   PRIx64, c->host_pgsizes, guest_pgsize, ram_pgsize);
        return 0;
    }
    return 1ULL << (63 - __builtin_clzll(pgmask));
}

bool vfio_spapr_window_check(VFIOContainer *c, hwaddr iova, uint64_t size,
                             uint64_t guest_pgsize, Error **errp)
{
    unsigned i, created = 0;

    if (c->iommu_type != VFIO_SPAPR_TCE_v2_IOMMU) {
        /* v1: the host's default window is all there is. */
        if (!vfio_host_win_find(c, iova, iova + size - 1)) {
            error_setg(errp, "the %s host IOMMU has only its default "
                       "window 0x%" PRIx64 "+0x%" PRIx64 "; a DMA window "
                       "at 0x%" PRIx64 "+0x%" PRIx64 " cannot be mirrored",
                       vfio_iommu_type_name(c->iommu_type), c->dma32_start,
                       c->dma32_size, iova, size);
            return false;
        }
        return true;
    }
    if (!vfio_spapr_window_pgsize(c, iova, size, guest_pgsize, errp)) {
        return false;
    }
    for (i = 0; i < c->hostwins->len; i++) {
        created += ((VFIOHostDMAWindow *)
                    g_ptr_array_index(c->hostwins, i))->created;
    }
    if (c->max_windows && created >= c->max_windows) {
        error_setg(errp, "the host IOMMU has no free DMA window (%u in use)",
                   created);
        return false;
    }
    return true;
}

bool vfio_spapr_create_window(VFIOContainer *c, hwaddr iova,
                              uint64_t size, uint64_t guest_pgsize,
                              Error **errp)
{
    struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };
    uint64_t pgsize;
    VFIOHostDMAWindow *w;
    unsigned max_levels = MAX(c->max_levels, 1u);
    unsigned levels;
    int ret;

    pgsize = vfio_spapr_window_pgsize(c, iova, size, guest_pgsize, errp);
    if (!pgsize) {
        return false;
    }
    if (!is_power_of_2(size) || size < pgsize) {
        error_setg(errp, "guest DMA window size 0x%" PRIx64 " is not a "
                   "power of two of at least 0x%" PRIx64, size, pgsize);
        return false;
    }

    create.page_shift = __builtin_ctzll(pgsize);
    create.window_size = size;
    levels = vfio_spapr_min_levels(size / pgsize);
    if (levels > max_levels) {
        /* Never "success" without a window: nothing was created. */
        error_setg(errp, "a host DMA window of 0x%" PRIx64 " with 0x%"
                   PRIx64 " pages needs %u TCE levels; the host offers at "
                   "most %u (VFIO_IOMMU_SPAPR_TCE_GET_INFO)", size, pgsize,
                   levels, max_levels);
        return false;
    }
    /* Deeper tables need less contiguous host memory: retry deeper. */
    for (;; levels++) {
        create.levels = levels;
        create.start_addr = 0;
        ret = vfio_container_ioctl(c, VFIO_IOMMU_SPAPR_TCE_CREATE, &create);
        c->stats.window_ioctls++;
        trace_vfio_spapr_create_window(create.page_shift, size, levels,
                                       create.start_addr, ret);
        if (ret != -ENOMEM || levels >= max_levels) {
            break;
        }
    }
    if (ret) {
        error_setg(errp, "VFIO_IOMMU_SPAPR_TCE_CREATE (page shift %u, size "
                   "0x%" PRIx64 ", levels %u) failed: %s", create.page_shift,
                   size, create.levels, vfio_ioctl_strerror(ret));
        return false;
    }
    if (create.start_addr != iova) {
        /* The host places windows itself: it must agree with the guest. */
        if (vfio_spapr_remove(c, create.start_addr)) {
            /*
             * Still on the host: keep it known, so that a recovery or the
             * teardown removes it again instead of losing its slot.
             */
            w = g_new0(VFIOHostDMAWindow, 1);
            w->min_iova = create.start_addr;
            w->max_iova = create.start_addr + size - 1;
            w->iova_pgsizes = pgsize;
            w->levels = create.levels;
            w->created = true;
            g_ptr_array_add(c->hostwins, w);
        }
        error_setg(errp, "host created the DMA window at 0x%" PRIx64
                   " but the guest window is at 0x%" PRIx64,
                   (uint64_t)create.start_addr, iova);
        return false;
    }
    w = g_new0(VFIOHostDMAWindow, 1);
    w->min_iova = iova;
    w->max_iova = iova + size - 1;
    w->iova_pgsizes = pgsize;
    w->levels = create.levels;
    w->created = true;
    g_ptr_array_add(c->hostwins, w);
    return true;
}

void vfio_spapr_remove_window(VFIOContainer *c, VFIOHostDMAWindow *w)
{
    if (w->created) {
        int ret = vfio_spapr_remove(c, w->min_iova);

        if (ret) {
            warn_report("vfio: VFIO_IOMMU_SPAPR_TCE_REMOVE at 0x%" PRIx64
                        " failed: %s", w->min_iova, vfio_ioctl_strerror(ret));
        }
    }
    g_ptr_array_remove(c->hostwins, w);
}

bool vfio_spapr_drop_window(VFIOContainer *c, VFIOHostDMAWindow *w)
{
    int ret = vfio_spapr_remove(c, w->min_iova);

    if (ret) {
        vfio_container_set_error(c, ret, "VFIO_IOMMU_SPAPR_TCE_REMOVE at 0x%"
                                 PRIx64 " failed", w->min_iova);
        error_free(vfio_container_take_error(c));
        return false;
    }
    g_ptr_array_remove(c->hostwins, w);
    return true;
}
