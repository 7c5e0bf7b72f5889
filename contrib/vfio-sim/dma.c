/*
 * vfio-sim: device DMA through the host TCE tables.
 *
 * A device sees bus addresses only.  Each access is resolved one IOMMU
 * page at a time, exactly as the PHB would: find the container window
 * holding the address, read the TCE, check its READ/WRITE bit against
 * the direction, and turn the host physical address back into this
 * process's memory.  Called with the lock held.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>
#include "vsim.h"

#define TCE_READ    1ULL
#define TCE_WRITE   2ULL

const char *vsim_dma_error_name(VsimDmaError e)
{
    static const char *names[] = {
        [VSIM_DMA_OK] = "none",
        [VSIM_DMA_NO_WINDOW] = "no-window",
        [VSIM_DMA_NO_MAPPING] = "no-mapping",
        [VSIM_DMA_PERMISSION] = "permission",
        [VSIM_DMA_BUS_MASTER] = "bus-master",
        [VSIM_DMA_FROZEN] = "frozen",
    };
    return e < G_N_ELEMENTS(names) && names[e] ? names[e] : "unknown";
}

/*
 * Translate @iova for an access in direction @to_mem (device writes
 * memory); on success *@host points at it and *@avail bytes are
 * contiguous up to the end of the IOMMU page.
 */
VsimDmaError vsim_dma_translate(VsimDevice *d, uint64_t iova, bool to_mem,
                                void **host, uint64_t *avail)
{
    VsimContainer *c = d->group->container;
    VsimWindow *w;
    uint64_t pgsz, off, tce;

    /* no memory request leaves a device whose bus mastering is off */
    if (!vsim_device_bus_master(d)) {
        return VSIM_DMA_BUS_MASTER;
    }
    /* a frozen PE's PHB lets no request through (eeh.c) */
    if (vsim_eeh_dma_blocked(d)) {
        return VSIM_DMA_FROZEN;
    }
    if (!c || c->type == VSIM_IOMMU_NONE) {
        return VSIM_DMA_NO_WINDOW;
    }
    w = vsim_window_find(c, iova);
    if (!w) {
        vsim_eeh_dma_fault(d);
        return VSIM_DMA_NO_WINDOW;
    }
    pgsz = 1ULL << w->page_shift;
    off = (iova - w->start) & (pgsz - 1);
    tce = vsim_tce_get(w->table, (iova - w->start) >> w->page_shift);
    if (!tce) {
        vsim_eeh_dma_fault(d);      /* a TCE fault freezes the PE */
        return VSIM_DMA_NO_MAPPING;
    }
    if (!(tce & (to_mem ? TCE_WRITE : TCE_READ))) {
        vsim_eeh_dma_fault(d);
        return VSIM_DMA_PERMISSION;
    }
    *host = vsim_hpa_to_host((tce & ~(TCE_READ | TCE_WRITE)) + off,
                             pgsz - off);
    if (!*host) {
        return VSIM_DMA_NO_MAPPING;
    }
    *avail = pgsz - off;
    return VSIM_DMA_OK;
}

VsimDmaError vsim_dma_rw(VsimDevice *d, uint64_t iova, void *buf,
                         uint64_t len, bool is_write, uint64_t *done)
{
    uint8_t *b = buf;

    *done = 0;
    while (*done < len) {
        void *host;
        uint64_t avail, n;
        VsimDmaError e = vsim_dma_translate(d, iova + *done, is_write,
                                            &host, &avail);

        if (e) {
            return e;
        }
        n = MIN(avail, len - *done);
        if (is_write) {
            memcpy(host, b + *done, n);
        } else {
            memcpy(b + *done, host, n);
        }
        *done += n;
    }
    return VSIM_DMA_OK;
}
