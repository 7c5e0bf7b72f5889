/*
 * vfio-sim: a container's DMA windows and their TCE tables, shaped and
 * charged as the PowerNV IODA2 code does.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include "vsim.h"

VsimWindow *vsim_window_find(VsimContainer *c, uint64_t iova)
{
    for (int i = 0; i < VSIM_MAX_SLOTS; i++) {
        VsimWindow *w = &c->win[i];

        if (w->present && iova >= w->start && iova - w->start < w->size) {
            return w;
        }
    }
    return NULL;
}

static void unref_visit(uint64_t idx, uint64_t tce, void *opaque)
{
    vsim_tce_unref(tce);
}

void vsim_window_free(VsimWindow *w)
{
    if (!w->present) {
        return;
    }
    vsim_tce_clear(w->table, 0, vsim_tce_table_entries(w->table),
                   unref_visit, NULL);
    vsim_tce_table_free(w->table);
    vsim_uncharge(w->charged);
    *w = (VsimWindow) { 0 };
}

static void window_init(VsimWindow *w, uint64_t start, uint64_t size,
                        unsigned page_shift, unsigned levels,
                        uint64_t charged)
{
    *w = (VsimWindow) {
        .present = true,
        .start = start,
        .size = size,
        .page_shift = page_shift,
        .levels = levels,
        .charged = charged,
        .table = vsim_tce_table_new(size >> page_shift),
    };
}

/* The 32-bit window the platform sets up when a group is attached. */
void vsim_container_attach_default(VsimContainer *c)
{
    window_init(&c->win[0], 0, vsim.host.dma32, 12, 1, 0);
    c->win[0].is_default = true;
}

/*
 * iommu_tce_check_ioba as iommu_tce_put_param_check and
 * iommu_tce_clear_param_check use it: the IOMMU-page-aligned @iova and
 * @pages entries from it lie inside the table.
 */
bool vsim_window_ioba_ok(VsimWindow *w, uint64_t iova, uint64_t pages)
{
    uint64_t entries = vsim_tce_table_entries(w->table), idx;

    if (iova & ((1ULL << w->page_shift) - 1) || iova < w->start) {
        return false;
    }
    idx = (iova - w->start) >> w->page_shift;
    return idx < entries && pages <= entries - idx;
}

/*
 * tce_iommu_create_default_window: the v2 container's first MAP_DMA,
 * UNMAP_DMA or TCE_CREATE makes the pending 32-bit window: 4 KiB IOMMU
 * pages, one level, charged by the same table rule as any window.
 */
int vsim_window_create_default(VsimContainer *c)
{
    uint64_t start;
    int r;

    if (!c->def_window_pending) {
        return 0;
    }
    r = vsim_window_create(c, 12, vsim.host.dma32, 1, &start);
    if (r < 0) {
        return r;
    }
    c->win[0].is_default = true;
    c->def_window_pending = false;
    return 0;
}

/*
 * The size of a window's table as pnv_pci_ioda2_get_table_size and
 * pnv_pci_ioda2_table_alloc_pages shape it.  The entries' index bits are
 * split evenly over the levels; every level is made of tables of
 * 2^level_shift bytes (at least one page).  Going up from the leaves,
 * each level holds one 8-byte pointer per table below it and is rounded
 * up to whole tables.  The charge is the sum, doubled: the hardware
 * table plus the kernel's userspace view of it.
 */
static void table_shape(unsigned page_shift, uint64_t window,
                        unsigned levels, uint64_t *cost,
                        unsigned *level_shift)
{
    unsigned entries_shift = __builtin_ctzll(window) - page_shift;
    unsigned bits = (entries_shift + levels - 1) / levels;
    uint64_t tsize, bytes, total = 0;

    *level_shift = MAX(bits + 3, vsim.host.page_shift);
    tsize = 1ULL << MIN(*level_shift, 62);
    bytes = MAX(8ULL << MIN(entries_shift, 60), 4096);
    for (unsigned l = 0; l < levels; l++) {
        uint64_t rounded = VSIM_ROUND_UP(bytes, tsize);

        total += rounded;
        bytes = MAX(rounded / tsize * 8, tsize);
    }
    *cost = 2 * total;
}

/*
 * tce_iommu_create_window / tce_iommu_create_table in the first free
 * slot: the charge comes before the driver's own limits, and is given
 * back when those refuse.
 */
int vsim_window_create(VsimContainer *c, unsigned page_shift,
                       uint64_t size, unsigned levels, uint64_t *start)
{
    unsigned level_shift;
    uint64_t bytes;
    int slot = -1;
    int r;

    for (unsigned i = 0; i < vsim.host.windows; i++) {
        if (!c->win[i].present) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        return -ENOSPC;
    }
    if (page_shift >= 64 || !(vsim.host.pgsizes & (1ULL << page_shift))) {
        return -EINVAL;
    }
    if (!levels || levels > vsim.host.levels) {
        return -EINVAL;
    }
    if (!size || (size & (size - 1)) || size < (1ULL << page_shift)) {
        return -EINVAL;
    }
    table_shape(page_shift, size, levels, &bytes, &level_shift);
    r = vsim_charge(bytes);
    if (r < 0) {
        return r;
    }
    /* pnv_pci_ioda2_table_alloc_pages: a TCE holds 55 address bits */
    if ((level_shift - 3) * levels + page_shift >= 55) {
        vsim_uncharge(bytes);
        return -EINVAL;
    }
    /* each table is one contiguous allocation of the page allocator */
    if (level_shift >= 64 || (1ULL << level_shift) > vsim.host.max_alloc) {
        vsim_uncharge(bytes);
        return -ENOMEM;
    }
    *start = slot ? VSIM_DDW_START : 0;
    window_init(&c->win[slot], *start, size, page_shift, levels, bytes);
    return 0;
}

