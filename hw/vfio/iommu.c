/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Mirroring guest DMA windows and TCEs into the host IOMMU.
 *
 * The IOMMU listener on a PHB's DMA address space sees one section per
 * guest window (an IOMMU region); each gets a host window (v2) and an
 * IOMMU notifier.  The notifier receives runs of TCE changes and turns
 * each stretch that is contiguous in IOVA and in host memory, with one
 * permission, into a single MAP_DMA (or UNMAP_DMA).
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-container.h"
#include "hw/vfio/vfio-dirty.h"
#include "exec/ram.h"
#include "trace.h"

/*
 * Host permissions for a guest TCE.  WRITE alone becomes READ|WRITE: the
 * PowerNV host forces READ on any TCE with WRITE, so asking for it keeps
 * our view of the host table exact, and a DMA_FROM_DEVICE mapping then
 * behaves as it does on hardware.
 */
static uint32_t vfio_dma_flags(IOMMUAccessFlags perm)
{
    if (perm & IOMMU_WO) {
        return VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    }
    return perm & IOMMU_RO ? VFIO_DMA_MAP_FLAG_READ : 0;
}

/*
 * Issue a pending run as one ioctl: MAP_DMA when it carries permissions,
 * UNMAP_DMA when it has none (a mapping always has READ or WRITE).
 */
bool vfio_dma_run_flush(VFIOContainer *c, const VFIODMARun *run)
{
    const char *name;
    int ret;

    if (!run->size) {
        return true;
    }
    if (run->flags) {
        struct vfio_iommu_type1_dma_map map = {
            .argsz = sizeof(map),
            .flags = run->flags,
            .vaddr = run->vaddr,
            .iova = run->iova,
            .size = run->size,
        };

        name = "VFIO_IOMMU_MAP_DMA";
        ret = vfio_container_ioctl(c, VFIO_IOMMU_MAP_DMA, &map);
        c->stats.map_ioctls++;
        trace_vfio_dma_map(run->iova, run->vaddr, run->size, run->flags,
                           ret);
    } else {
        struct vfio_iommu_type1_dma_unmap unmap = {
            .argsz = sizeof(unmap),
            .iova = run->iova,
            .size = run->size,
        };

        name = "VFIO_IOMMU_UNMAP_DMA";
        ret = vfio_container_ioctl(c, VFIO_IOMMU_UNMAP_DMA, &unmap);
        c->stats.unmap_ioctls++;
        trace_vfio_dma_unmap(run->iova, run->size, ret);
    }
    if (ret) {
        vfio_container_set_error(c, ret, "%s (iova 0x%" PRIx64 ", size 0x%"
                                 PRIx64 ") failed", name, run->iova,
                                 run->size);
        return false;
    }
    if (run->flags) {
        c->stats.mapped_pages += run->pages;
    }
    return true;
}

/*
 * Can @next be appended to @run?  Both must be of one kind and follow
 * each other in IOVA; a mapping must also continue in host memory with
 * the same permissions.
 */
static bool vfio_dma_run_extends(const VFIODMARun *run,
                                 const VFIODMARun *next)
{
    return run->size && run->iova + run->size == next->iova &&
           run->flags == next->flags &&
           (!next->flags || run->vaddr + run->size == next->vaddr);
}

/* Host address of guest RAM the TCE points to, or false. */
static bool vfio_tce_to_vaddr(const IOMMUTLBEntry *e, uint64_t *vaddr)
{
    AddressSpace *as = e->target_as ? e->target_as : &address_space_memory;
    hwaddr xlat, len = e->addr_mask + 1;
    MemoryRegion *mr;

    mr = address_space_translate(as, e->translated_addr, &xlat, &len,
                                 (e->perm & IOMMU_WO) != 0,
                                 MEMTXATTRS_UNSPECIFIED);
    if (!memory_region_is_ram(mr) || memory_region_is_ram_device(mr) ||
        len < e->addr_mask + 1) {
        return false;
    }
    *vaddr = (uintptr_t)memory_region_get_ram_ptr(mr) + xlat;
    return true;
}

static void vfio_runtime_failure(VFIOContainer *c)
{
    Error *err;

    /*
     * While the listener registers (set-up of a new container, or a
     * recovery) the replay's failure is the caller's: it collects the
     * error and unwinds, so that device_add fails instead of attaching
     * a device that can never do DMA.
     */
    if (!c->listener_registered) {
        return;
    }
    err = vfio_container_take_error(c);

    /* Stop the device before anything else, then say why. */
    vfio_container_mark_failed(c);
    if (err) {
        error_report_err(err);
    }
}

/*
 * A failed container whose host tables could not be cleared still
 * passes the guest's unmaps on, so that a page the guest takes back is
 * not left reachable should the device ever run again.
 */
static void vfio_iommu_notify_stale(VFIOGuestIOMMU *g, const IOMMUTLBEntry *e,
                                    unsigned count)
{
    VFIOContainer *c = g->container;
    unsigned i;

    for (i = 0; i < count; i++) {
        VFIODMARun run = {
            .iova = e[i].iova + g->iommu_offset,
            .size = e[i].addr_mask + 1,
        };
        bool ok;

        if (e[i].perm != IOMMU_NONE) {
            continue;
        }
        ok = vfio_dma_run_flush(c, &run);
        trace_vfio_dma_unmap_stale(run.iova, run.size, ok ? 0 : -1);
        error_free(vfio_container_take_error(c));
    }
}

/*
 * A batch is all MAPs or all UNMAPs, sorted by IOVA: grow one run while
 * the entries continue it and issue an ioctl only where it breaks.
 */
static void vfio_iommu_notify(IOMMUNotifier *n, const IOMMUTLBEntry *e,
                              unsigned count)
{
    VFIOGuestIOMMU *g = container_of(n, VFIOGuestIOMMU, n);
    VFIOContainer *c = g->container;
    VFIODMARun run = { 0 };
    unsigned i;

    if (c->failed) {
        if (c->stale) {
            vfio_iommu_notify_stale(g, e, count);
        }
        return;
    }
    /* While logging, a page mapped for write counts as dirty at once. */
    if (count && e[0].perm != IOMMU_NONE) {
        vfio_dirty_mark_mapped(e, count);
    }
    for (i = 0; i < count; i++) {
        VFIODMARun next = {
            .iova = e[i].iova + g->iommu_offset,
            .size = e[i].addr_mask + 1,
            .flags = vfio_dma_flags(e[i].perm),
            .pages = 1,
        };

        if (next.flags && !vfio_tce_to_vaddr(&e[i], &next.vaddr)) {
            vfio_container_set_error(c, 0, "TCE at iova 0x%" PRIx64
                                     " points to 0x%" PRIx64 ", which is "
                                     "not guest RAM", next.iova,
                                     e[i].translated_addr);
            goto fail;
        }
        if (vfio_dma_run_extends(&run, &next)) {
            run.size += next.size;
            run.pages++;
            continue;
        }
        if (!vfio_dma_run_flush(c, &run)) {
            goto fail;
        }
        run = next;
    }
    if (vfio_dma_run_flush(c, &run)) {
        return;
    }

fail:
    vfio_runtime_failure(c);
}

static uint64_t vfio_guest_iommu_pgsize(IOMMUMemoryRegion *iommu)
{
    unsigned shift;

    if (memory_region_iommu_get_attr(iommu, IOMMU_ATTR_PAGE_SHIFT,
                                     &shift) == 0) {
        return 1ULL << shift;
    }
    return memory_region_iommu_get_min_page_size(iommu);
}

/*
 * A guest window the host cannot mirror.  In a checked transaction (a
 * DDW create) the caller takes the window back and tells the guest, and
 * the container stays as it was; otherwise the container has failed.
 */
static void vfio_window_add_failed(VFIOContainer *c, Error *err)
{
    trace_vfio_window_refused(error_get_pretty(err),
                              memory_region_transaction_checked());
    if (memory_region_transaction_checked()) {
        g_free(c->last_error);
        c->last_error = g_strdup(error_get_pretty(err));
        memory_listener_report_error(err);
        return;
    }
    vfio_container_set_error(c, 0, "%s", error_get_pretty(err));
    error_free(err);
}

static void vfio_listener_region_add(MemoryListener *l,
                                     MemoryRegionSection *s)
{
    VFIOContainer *c = container_of(l, VFIOContainer, listener);
    IOMMUMemoryRegion *iommu = memory_region_get_iommu(s->mr);
    hwaddr iova = s->offset_within_address_space;
    uint64_t size = int128_get64_sat(s->size);
    hwaddr end = iova + size - 1;
    VFIOGuestIOMMU *g;
    Error *err = NULL;

    if (!iommu) {
        /* Only guest DMA windows matter in a PHB's DMA address space. */
        trace_vfio_listener_skip(s->mr->name, iova);
        return;
    }
    trace_vfio_listener_window_add(s->mr->name, iova, size);
    if (c->iommu_type == VFIO_SPAPR_TCE_v2_IOMMU) {
        if (!vfio_spapr_create_window(c, iova, size,
                                      vfio_guest_iommu_pgsize(iommu),
                                      &err)) {
            vfio_window_add_failed(c, err);
            return;
        }
    } else if (!vfio_host_win_find(c, iova, end)) {
        error_setg(&err, "guest DMA window 0x%" PRIx64 "-0x%" PRIx64
                   " does not fit the host's only window (v1 IOMMU) 0x%"
                   PRIx64 "+0x%" PRIx64, iova, end, c->dma32_start,
                   c->dma32_size);
        vfio_window_add_failed(c, err);
        return;
    }

    g = g_new0(VFIOGuestIOMMU, 1);
    g->container = c;
    g->iommu_mr = iommu;
    g->iommu_offset = iova - s->offset_within_region;
    iommu_notifier_init(&g->n, vfio_iommu_notify, IOMMU_NOTIFIER_ALL,
                        s->offset_within_region,
                        s->offset_within_region + size - 1, 0);
    memory_region_ref(s->mr);
    if (memory_region_register_iommu_notifier(s->mr, &g->n, &err) < 0) {
        vfio_container_set_error(c, 0, "%s", error_get_pretty(err));
        error_free(err);
        memory_region_unref(s->mr);
        g_free(g);
        return;
    }
    g_ptr_array_add(c->giommus, g);
    /* Entries the guest set before we attached: only those are walked. */
    memory_region_iommu_replay(iommu, &g->n);
}

static void vfio_listener_region_del(MemoryListener *l,
                                     MemoryRegionSection *s)
{
    VFIOContainer *c = container_of(l, VFIOContainer, listener);
    IOMMUMemoryRegion *iommu = memory_region_get_iommu(s->mr);
    hwaddr iova = s->offset_within_address_space;
    uint64_t size = int128_get64_sat(s->size);
    VFIOHostDMAWindow *w;
    unsigned i;

    if (!iommu) {
        return;
    }
    trace_vfio_listener_window_del(s->mr->name, iova, size);
    for (i = 0; i < c->giommus->len; i++) {
        VFIOGuestIOMMU *g = g_ptr_array_index(c->giommus, i);

        if (g->iommu_mr == iommu &&
            g->n.start == s->offset_within_region) {
            memory_region_unregister_iommu_notifier(s->mr, &g->n);
            g_ptr_array_remove_index(c->giommus, i);
            memory_region_unref(s->mr);
            g_free(g);
            break;
        }
    }
    if (c->iommu_type != VFIO_SPAPR_TCE_v2_IOMMU) {
        VFIODMARun run = { .iova = iova, .size = size };

        /* v1 keeps its window: just clear what the guest window had. */
        if (!c->failed && !vfio_dma_run_flush(c, &run)) {
            vfio_runtime_failure(c);
        }
        return;
    }
    w = vfio_host_win_find(c, iova, iova + size - 1);
    if (w && !vfio_spapr_drop_window(c, w)) {
        /*
         * The host keeps a window (and its TCEs) the guest removed: the
         * device must stop; a recovery removes the window again.
         */
        vfio_container_set_error(c, 0, "%s", c->last_error);
        vfio_runtime_failure(c);
    }
}

static void vfio_listener_commit(MemoryListener *l)
{
    VFIOContainer *c = container_of(l, VFIOContainer, listener);

    /* During setup the caller collects the error and unwinds. */
    if (c->listener_registered && c->error) {
        vfio_runtime_failure(c);
    }
}

const MemoryListener vfio_iommu_listener_template = {
    .name = "vfio-iommu",
    .priority = 10,
    .region_add = vfio_listener_region_add,
    .region_del = vfio_listener_region_del,
    .commit = vfio_listener_commit,
};
