/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Device dirty tracking: the device logs the IOVAs it writes
 * (VFIO_DEVICE_FEATURE DMA_LOGGING_START / REPORT / STOP) and each sync
 * turns the reported IOVAs into guest pages through the guest's TCE
 * tables, so exactly the pages the device wrote are resent.
 *
 * It is all or nothing per container: when every migratable device of
 * the container logs, the conservative walk of dirty.c (every page
 * mapped for write) is skipped; when one cannot (no DMA logging, a
 * START refused), none logs and the walk stays.  A REPORT that fails
 * drops the container back to the walk for the rest of the migration,
 * after marking every write-mapped page, as the ABI asks.
 *
 * The ranges logged are the container's host windows, which mirror the
 * guest's DMA windows.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "hw/vfio/vfio-migration.h"
#include "hw/vfio/vfio-dirty.h"
#include "exec/ram.h"
#include "trace.h"
#include <sys/ioctl.h>

/* Containers whose devices all log (VFIOContainer *). */
static GHashTable *vfio_mig_logging;

static bool on_container(VFIOPCIDevice *v, VFIOContainer *c)
{
    return v->group && v->group->container == c && v->migration &&
           v->migration->flags;
}

static int dma_logging_ioctl(VFIOPCIDevice *v, uint32_t feature,
                             const char *name, void *payload, size_t len)
{
    bool get = feature == VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT;

    return vfio_device_feature(v, feature | (get ? VFIO_DEVICE_FEATURE_GET :
                                             VFIO_DEVICE_FEATURE_SET),
                               name, payload, len);
}

static void dma_logging_stop(VFIOPCIDevice *v)
{
    VFIOMigration *m = v->migration;
    int ret;

    if (!m->logging) {
        return;
    }
    ret = dma_logging_ioctl(v, VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP,
                            "VFIO_DEVICE_FEATURE(DMA_LOGGING_STOP)", NULL, 0);
    if (ret < 0) {
        warn_report("%s: VFIO_DEVICE_FEATURE DMA_LOGGING_STOP failed: %s",
                    v->name, g_strerror(-ret));
    }
    m->logging = false;
}

static bool dma_logging_start(VFIOPCIDevice *v, VFIOContainer *c)
{
    VFIOMigration *m = v->migration;
    struct vfio_device_feature_dma_logging_control ctl = { 0 };
    unsigned i;
    int ret;

    if (!m->log_ranges) {
        m->log_ranges = g_array_new(FALSE, FALSE,
                                    sizeof(struct
                                           vfio_device_feature_dma_logging_range));
    }
    g_array_set_size(m->log_ranges, 0);
    for (i = 0; i < c->hostwins->len; i++) {
        VFIOHostDMAWindow *w = g_ptr_array_index(c->hostwins, i);
        struct vfio_device_feature_dma_logging_range r = {
            .iova = w->min_iova,
            .length = w->max_iova - w->min_iova + 1,
        };

        g_array_append_val(m->log_ranges, r);
    }
    if (!m->log_ranges->len) {
        return false;
    }
    ctl.page_size = TARGET_PAGE_SIZE;
    ctl.num_ranges = m->log_ranges->len;
    ctl.ranges = (uintptr_t)m->log_ranges->data;
    ret = dma_logging_ioctl(v, VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
                            "VFIO_DEVICE_FEATURE(DMA_LOGGING_START)", &ctl,
                            sizeof(ctl));
    if (ret < 0) {
        warn_report("%s: VFIO_DEVICE_FEATURE DMA_LOGGING_START failed: %s; "
                    "every page mapped for device write counts as dirty",
                    v->name, g_strerror(-ret));
        return false;
    }
    m->logging = true;
    /* The device may pick another granularity; report in ours. */
    m->log_pgsize = TARGET_PAGE_SIZE;
    return true;
}

void vfio_mig_dirty_start(VFIOContainer *c)
{
    GPtrArray *devs = vfio_pci_device_list();
    bool all = true, any = false;
    unsigned i;

    for (i = 0; i < devs->len; i++) {
        VFIOPCIDevice *v = g_ptr_array_index(devs, i);

        if (!on_container(v, c)) {
            continue;
        }
        v->migration->dirty_pages = v->migration->conservative_pages = 0;
        v->migration->dirty_device = false;
        any = true;
        if (!v->migration->dma_logging || !dma_logging_start(v, c)) {
            all = false;
            break;
        }
    }
    if (!any || !all) {
        for (i = 0; i < devs->len; i++) {
            VFIOPCIDevice *v = g_ptr_array_index(devs, i);

            if (on_container(v, c)) {
                dma_logging_stop(v);
            }
        }
        trace_vfio_mig_dirty_mode(c->fd, "conservative");
        return;
    }
    if (!vfio_mig_logging) {
        vfio_mig_logging = g_hash_table_new(NULL, NULL);
    }
    g_hash_table_add(vfio_mig_logging, c);
    for (i = 0; i < devs->len; i++) {
        VFIOPCIDevice *v = g_ptr_array_index(devs, i);

        if (on_container(v, c)) {
            v->migration->dirty_device = true;
        }
    }
    trace_vfio_mig_dirty_mode(c->fd, "device");
}

void vfio_mig_dirty_stop(VFIOContainer *c)
{
    GPtrArray *devs = vfio_pci_device_list();
    unsigned i;

    for (i = 0; i < devs->len; i++) {
        VFIOPCIDevice *v = g_ptr_array_index(devs, i);

        if (on_container(v, c)) {
            dma_logging_stop(v);
        }
    }
    if (vfio_mig_logging) {
        g_hash_table_remove(vfio_mig_logging, c);
    }
}

bool vfio_mig_dirty_active(VFIOContainer *c)
{
    return vfio_mig_logging && g_hash_table_contains(vfio_mig_logging, c);
}

/* The guest IOMMU region of @c holding bus address @iova, if any. */
static VFIOGuestIOMMU *giommu_of(VFIOContainer *c, hwaddr iova)
{
    unsigned i;

    for (i = 0; i < c->giommus->len; i++) {
        VFIOGuestIOMMU *g = g_ptr_array_index(c->giommus, i);

        if (iova >= g->n.start + g->iommu_offset &&
            iova <= g->n.end + g->iommu_offset) {
            return g;
        }
    }
    return NULL;
}

/* A page the device wrote at @iova: mark the guest page behind it. */
static uint64_t mark_iova(VFIOContainer *c, hwaddr iova, uint64_t len)
{
    VFIOGuestIOMMU *g = giommu_of(c, iova);
    IOMMUTLBEntry e;
    hwaddr gpa;

    if (!g) {
        return 0;
    }
    e = memory_region_iommu_translate(g->iommu_mr, iova - g->iommu_offset,
                                      IOMMU_WO, 0);
    if (!(e.perm & IOMMU_WO)) {
        /*
         * Unmapped since the device wrote it: the guest page behind it
         * then is not known any more.  A page mapped while logging is on
         * was marked when it was mapped (vfio_dirty_mark_mapped); one
         * mapped before, written and unmapped between two syncs is the
         * limit of this mode (docs/migration.md).
         */
        return 0;
    }
    gpa = (e.translated_addr & ~e.addr_mask) |
          ((iova - g->iommu_offset) & e.addr_mask);
    return vfio_dirty_mark_gpa(gpa & TARGET_PAGE_MASK,
                               MIN(len, TARGET_PAGE_SIZE));
}

/* REPORT one range of @v; false when the log can no longer be trusted. */
static bool report_range(VFIOPCIDevice *v, VFIOContainer *c,
                         const struct vfio_device_feature_dma_logging_range
                         *r, uint64_t *pages)
{
    uint64_t pg = v->migration->log_pgsize;
    uint64_t bits = DIV_ROUND_UP(r->length, pg);
    g_autofree uint64_t *map = g_new0(uint64_t, DIV_ROUND_UP(bits, 64));
    struct vfio_device_feature_dma_logging_report rep = {
        .iova = r->iova,
        .length = r->length,
        .page_size = pg,
        .bitmap = (uintptr_t)map,
    };
    uint64_t w, b;
    int ret;

    ret = dma_logging_ioctl(v, VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
                            "VFIO_DEVICE_FEATURE(DMA_LOGGING_REPORT)", &rep,
                            sizeof(rep));
    if (ret < 0) {
        warn_report("%s: VFIO_DEVICE_FEATURE DMA_LOGGING_REPORT failed: "
                    "%s; every page mapped for device write counts as "
                    "dirty from now on", v->name, g_strerror(-ret));
        return false;
    }
    for (w = 0; w < DIV_ROUND_UP(bits, 64); w++) {
        uint64_t word = map[w];

        while (word) {
            b = w * 64 + __builtin_ctzll(word);
            word &= word - 1;
            *pages += mark_iova(c, r->iova + b * pg, pg);
        }
    }
    return true;
}

/* Do the logged ranges still cover the container's windows exactly? */
static bool ranges_current(VFIOMigration *m, VFIOContainer *c)
{
    unsigned i;

    if (m->log_ranges->len != c->hostwins->len) {
        return false;
    }
    for (i = 0; i < c->hostwins->len; i++) {
        VFIOHostDMAWindow *w = g_ptr_array_index(c->hostwins, i);
        struct vfio_device_feature_dma_logging_range *r =
            &g_array_index(m->log_ranges,
                           struct vfio_device_feature_dma_logging_range, i);

        if (r->iova != w->min_iova ||
            r->length != w->max_iova - w->min_iova + 1) {
            return false;
        }
    }
    return true;
}

static void fall_back(VFIOContainer *c, GPtrArray *devs)
{
    unsigned j;

    vfio_mig_dirty_stop(c);
    for (j = 0; j < devs->len; j++) {
        VFIOPCIDevice *o = g_ptr_array_index(devs, j);

        if (on_container(o, c)) {
            o->migration->dirty_device = false;
        }
    }
    trace_vfio_mig_dirty_mode(c->fd, "conservative");
}

uint64_t vfio_mig_dirty_sync(VFIOContainer *c)
{
    GPtrArray *devs = vfio_pci_device_list();
    uint64_t total = 0;
    unsigned i, j;

    for (i = 0; i < devs->len; i++) {
        VFIOPCIDevice *v = g_ptr_array_index(devs, i);
        VFIOMigration *m = v->migration;
        uint64_t pages = 0;

        if (!on_container(v, c) || !m->logging) {
            continue;
        }
        /*
         * The guest created or removed a DMA window since START: the
         * device is not watching the new one.  The walk covers it.
         */
        if (!ranges_current(m, c)) {
            warn_report("%s: the guest's DMA windows changed during the "
                        "migration; every page mapped for device write "
                        "counts as dirty from now on", v->name);
            fall_back(c, devs);
            return UINT64_MAX;
        }
        for (j = 0; j < m->log_ranges->len; j++) {
            if (!report_range(v, c, &g_array_index(
                    m->log_ranges,
                    struct vfio_device_feature_dma_logging_range, j),
                    &pages)) {
                /* Fall back: the caller walks the write mappings. */
                fall_back(c, devs);
                return UINT64_MAX;
            }
        }
        m->dirty_pages += pages;
        total += pages;
    }
    trace_vfio_mig_dirty_sync(c->fd, total);
    return total;
}

const char *vfio_mig_dirty_mode(VFIOPCIDevice *v)
{
    return v->migration && v->migration->dirty_device ? "device"
                                                      : "conservative";
}

void vfio_mig_dirty_count_conservative(VFIOContainer *c, uint64_t pages)
{
    GPtrArray *devs = vfio_pci_device_list();
    unsigned i;

    for (i = 0; i < devs->len; i++) {
        VFIOPCIDevice *v = g_ptr_array_index(devs, i);

        if (on_container(v, c)) {
            v->migration->conservative_pages += pages;
        }
    }
}
