/*
 * vfio-sim: the container (/dev/vfio/vfio) and its sPAPR TCE IOMMU.
 *
 * Every handler follows the kernel's discipline: copy the mandatory part
 * of the argument (EFAULT), check argsz (EINVAL), flags (EINVAL), then
 * the state checks in the order the spec lists them, and only then touch
 * anything.  Handlers run with the lock held and return -errno.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "vsim.h"

#define HOST_PAGE_SIZE  4096ULL
#define TCE_READ        1ULL
#define TCE_WRITE       2ULL

int vsim_container_open(int flags)
{
    VsimContainer *c = g_new0(VsimContainer, 1);
    int fd;

    c->id = vsim.next_container_id++;
    c->owner = getpid();
    c->groups = g_ptr_array_new();
    c->regions = g_ptr_array_new();
    g_ptr_array_add(vsim.containers, c);
    fd = vsim_file_install(VSIM_FILE_CONTAINER, c, flags);
    if (fd < 0) {
        g_ptr_array_remove(vsim.containers, c);
        g_ptr_array_free(c->groups, true);
        g_ptr_array_free(c->regions, true);
        g_free(c);
    }
    return fd;
}

/* Closing the last fd: groups are detached and everything released. */
void vsim_container_unref(VsimContainer *c)
{
    if (--c->refs) {
        return;
    }
    while (c->groups->len) {
        VsimGroup *g = g_ptr_array_steal_index(c->groups, 0);

        g->container = NULL;
    }
    vsim_container_reset(c);
    g_ptr_array_remove(vsim.containers, c);
    g_ptr_array_free(c->groups, true);
    g_ptr_array_free(c->regions, true);
    g_free(c);
}

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

/* Last group gone: as if the IOMMU driver were released. */
void vsim_container_reset(VsimContainer *c)
{
    for (int i = 0; i < VSIM_MAX_SLOTS; i++) {
        vsim_window_free(&c->win[i]);
    }
    vsim_prereg_release_all(c);
    if (c->v1_charged) {
        vsim_uncharge(c->v1_charged);
        c->v1_charged = 0;
    }
    c->type = VSIM_IOMMU_NONE;
    c->enabled = false;
}

static long check_extension(unsigned long ext)
{
    switch (ext) {
    case VFIO_SPAPR_TCE_IOMMU:
        return vsim.host.allow_v1;
    case VFIO_SPAPR_TCE_v2_IOMMU:
        return vsim.host.allow_v2;
    case VFIO_EEH:
        return vsim.host.eeh;
    default:
        return 0;
    }
}

static long set_iommu(VsimContainer *c, unsigned long type)
{
    if (!c->groups->len || c->type != VSIM_IOMMU_NONE) {
        return -EINVAL;
    }
    if (!(type == VFIO_SPAPR_TCE_IOMMU && vsim.host.allow_v1) &&
        !(type == VFIO_SPAPR_TCE_v2_IOMMU && vsim.host.allow_v2)) {
        return -ENODEV;
    }
    if (type == VFIO_SPAPR_TCE_IOMMU && c->groups->len > 1) {
        return -EBUSY;
    }
    c->type = type;
    vsim_container_attach_default(c);
    return 0;
}

static long tce_get_info(VsimContainer *c, void *arg)
{
    struct vfio_iommu_spapr_tce_info info;
    size_t minsz = MINSZ(struct vfio_iommu_spapr_tce_info,
                         dma32_window_size);

    GET_ARG(info, arg, struct vfio_iommu_spapr_tce_info, dma32_window_size);
    if (!c->groups->len) {
        return -ENXIO;
    }
    info.flags = 0;
    info.dma32_window_start = 0;
    info.dma32_window_size = vsim.host.dma32;
    memset(&info.ddw, 0, sizeof(info.ddw));
    if (c->type == VSIM_IOMMU_V2) {
        info.flags = VFIO_IOMMU_SPAPR_INFO_DDW;
        info.ddw.pgsizes = vsim.host.pgsizes;
        info.ddw.max_dynamic_windows_supported = vsim.host.windows;
        info.ddw.levels = vsim.host.levels;
    }
    if (info.argsz >= sizeof(info)) {
        minsz = sizeof(info);
    }
    return vsim_copy_to_user(arg, &info, minsz);
}

static long v1_enable(VsimContainer *c)
{
    int r;

    if (c->enabled) {
        return -EBUSY;
    }
    /* v1 charges the whole default window up front */
    r = vsim_charge(vsim.host.dma32);
    if (r < 0) {
        return r;
    }
    c->v1_charged = vsim.host.dma32;
    c->enabled = true;
    return 0;
}

static long v1_disable(VsimContainer *c)
{
    if (c->enabled) {
        vsim_uncharge(c->v1_charged);
        c->v1_charged = 0;
        c->enabled = false;
    }
    return 0;
}

/* Host physical address for one IOMMU page at @va, or -errno. */
static int page_hpa(VsimContainer *c, VsimWindow *w, uint64_t va,
                    bool write, VsimPin **cache, uint64_t *hpa)
{
    uint64_t pgsz = 1ULL << w->page_shift;
    VsimPin *p = *cache;

    if (c->type == VSIM_IOMMU_V1) {
        return vsim_v1_pin(va, pgsz, write, hpa);
    }
    if (!p || va < p->vaddr || va - p->vaddr + pgsz > p->size) {
        p = vsim_pin_by_vaddr(va, pgsz);
        if (!p) {
            return -EINVAL;     /* not inside one preregistered region */
        }
        *cache = p;
    }
    if (w->page_shift > p->page_shift) {
        return -EINVAL;         /* backing pages smaller than IOMMU page */
    }
    *hpa = p->hpa + (va - p->vaddr);
    return 0;
}

static long map_dma(VsimContainer *c, void *arg)
{
    struct vfio_iommu_type1_dma_map map;
    const uint32_t perms = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    VsimPin *cache = NULL;
    VsimWindow *w;
    uint64_t mask, first, n, i;
    int r = 0;

    GET_ARG(map, arg, struct vfio_iommu_type1_dma_map, size);
    if (!c->enabled) {
        return -EPERM;
    }
    if (map.flags & ~perms) {
        return -EINVAL;
    }
    w = vsim_window_find(c, map.iova);
    if (!w) {
        return -ENXIO;
    }
    mask = (1ULL << w->page_shift) - 1;
    if ((map.size & mask) || (map.vaddr & mask)) {
        return -EINVAL;
    }
    if (!(map.flags & perms)) {
        return -EINVAL;
    }
    if ((map.iova & mask) || map.size > w->size - (map.iova - w->start) ||
        map.vaddr + map.size < map.vaddr) {
        return -EINVAL;
    }
    first = (map.iova - w->start) >> w->page_shift;
    n = map.size >> w->page_shift;
    for (i = 0; i < n; i++) {
        uint64_t va = map.vaddr + (i << w->page_shift);
        uint64_t hpa, tce, old;

        r = page_hpa(c, w, va, map.flags & VFIO_DMA_MAP_FLAG_WRITE,
                     &cache, &hpa);
        if (r < 0) {
            break;
        }
        /* TCE bits: 1 = device may read, 2 = may write, as the flags */
        tce = hpa | (map.flags & perms);
        vsim_tce_ref(tce);
        old = vsim_tce_xchg(w->table, first + i, tce);
        if (old) {
            vsim_tce_unref(old);
        }
    }
    if (r < 0) {
        /* as the kernel does: clear what this call wrote, not restore */
        vsim_tce_clear(w->table, first, i, unref_visit, NULL);
        return r;
    }
    w->is_default = false;
    return 0;
}

static long unmap_dma(VsimContainer *c, void *arg)
{
    struct vfio_iommu_type1_dma_unmap unmap;
    VsimWindow *w;
    uint64_t mask;

    GET_ARG(unmap, arg, struct vfio_iommu_type1_dma_unmap, size);
    if (!c->enabled) {
        return -EPERM;
    }
    if (unmap.flags) {
        return -EINVAL;
    }
    w = vsim_window_find(c, unmap.iova);
    if (!w) {
        return -ENXIO;
    }
    mask = (1ULL << w->page_shift) - 1;
    if ((unmap.size & mask) || (unmap.iova & mask) ||
        unmap.size > w->size - (unmap.iova - w->start)) {
        return -EINVAL;
    }
    vsim_tce_clear(w->table, (unmap.iova - w->start) >> w->page_shift,
                   unmap.size >> w->page_shift, unref_visit, NULL);
    return 0;
}

static long prereg(VsimContainer *c, void *arg, bool reg)
{
    struct vfio_iommu_spapr_register_memory rm;
    const uint64_t mask = HOST_PAGE_SIZE - 1;
    long r;

    GET_ARG(rm, arg, struct vfio_iommu_spapr_register_memory, size);
    if (rm.flags) {
        return -EINVAL;
    }
    if ((rm.vaddr & mask) || (rm.size & mask) || !rm.size ||
        rm.vaddr + rm.size < rm.vaddr) {
        return -EINVAL;
    }
    if (!reg) {
        return vsim_prereg_unregister(c, rm.vaddr, rm.size);
    }
    r = vsim_prereg_register(c, rm.vaddr, rm.size);
    if (!r) {
        c->enabled = true;
    }
    return r;
}

/* Locked memory the kernel charges for a table: every level, per page. */
static uint64_t table_bytes(uint64_t entries, unsigned levels)
{
    unsigned shift = __builtin_ctzll(entries);
    unsigned bits = (shift + levels - 1) / levels;
    uint64_t tables = entries, total = 0;

    for (unsigned l = 0; l < levels; l++) {
        uint64_t per = MIN(tables, 1ULL << bits);

        tables = (tables + per - 1) / per;
        total += tables * VSIM_ROUND_UP(per * 8, HOST_PAGE_SIZE);
        if (tables == 1) {
            break;
        }
    }
    return total;
}

static long tce_create(VsimContainer *c, void *arg)
{
    struct vfio_iommu_spapr_tce_create cr;
    int slot = -1;
    uint64_t bytes;
    int r;

    GET_ARG(cr, arg, struct vfio_iommu_spapr_tce_create, start_addr);
    if (cr.flags) {
        return -EINVAL;
    }
    for (unsigned i = 0; i < vsim.host.windows; i++) {
        if (!c->win[i].present) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        return -ENOSPC;
    }
    if (cr.page_shift >= 64 ||
        !(vsim.host.pgsizes & (1ULL << cr.page_shift))) {
        return -EINVAL;
    }
    if (!cr.levels || cr.levels > vsim.host.levels) {
        return -EINVAL;
    }
    if (!cr.window_size || (cr.window_size & (cr.window_size - 1)) ||
        cr.window_size < (1ULL << cr.page_shift) ||
        cr.window_size > VSIM_DDW_START) {
        return -EINVAL;
    }
    bytes = table_bytes(cr.window_size >> cr.page_shift, cr.levels);
    r = vsim_charge(bytes);
    if (r < 0) {
        return r;
    }
    cr.start_addr = slot ? VSIM_DDW_START : 0;
    r = vsim_copy_to_user(arg, &cr,
                          MINSZ(struct vfio_iommu_spapr_tce_create,
                                start_addr));
    if (r < 0) {
        vsim_uncharge(bytes);
        return r;
    }
    window_init(&c->win[slot], cr.start_addr, cr.window_size,
                cr.page_shift, cr.levels, bytes);
    return 0;
}

static long tce_remove(VsimContainer *c, void *arg)
{
    struct vfio_iommu_spapr_tce_remove rm;
    VsimWindow *w;

    GET_ARG(rm, arg, struct vfio_iommu_spapr_tce_remove, start_addr);
    if (rm.flags) {
        return -EINVAL;
    }
    w = vsim_window_find(c, rm.start_addr);
    if (!w) {
        return -EINVAL;
    }
    vsim_window_free(w);
    return 0;
}

static long eeh_pe_op(VsimContainer *c, void *arg)
{
    struct vfio_eeh_pe_op op;

    if (!vsim.host.eeh) {
        return -ENOTTY;
    }
    GET_ARG(op, arg, struct vfio_eeh_pe_op, op);
    if (op.flags) {
        return -EINVAL;
    }
    switch (op.op) {
    case VFIO_EEH_PE_GET_STATE:
        return VFIO_EEH_PE_STATE_NORMAL;
    case VFIO_EEH_PE_DISABLE ... VFIO_EEH_PE_UNFREEZE_DMA:
    case VFIO_EEH_PE_RESET_DEACTIVATE ... VFIO_EEH_PE_INJECT_ERR:
        return 0;
    default:
        return -EINVAL;
    }
}

long vsim_container_ioctl(VsimContainer *c, unsigned long req, void *arg)
{
    bool v2;

    if (c->owner != getpid()) {
        return -EPERM;
    }
    switch (req) {
    case VFIO_GET_API_VERSION:
        return VFIO_API_VERSION;
    case VFIO_CHECK_EXTENSION:
        return check_extension((unsigned long)arg);
    case VFIO_SET_IOMMU:
        return set_iommu(c, (unsigned long)arg);
    case VFIO_IOMMU_SPAPR_TCE_GET_INFO:
    case VFIO_IOMMU_ENABLE:
    case VFIO_IOMMU_DISABLE:
    case VFIO_IOMMU_MAP_DMA:
    case VFIO_IOMMU_UNMAP_DMA:
    case VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
    case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY:
    case VFIO_IOMMU_SPAPR_TCE_CREATE:
    case VFIO_IOMMU_SPAPR_TCE_REMOVE:
    case VFIO_EEH_PE_OP:
        break;
    default:
        return -ENOTTY;
    }
    if (c->type == VSIM_IOMMU_NONE) {
        return -EINVAL;
    }
    v2 = c->type == VSIM_IOMMU_V2;
    switch (req) {
    case VFIO_IOMMU_SPAPR_TCE_GET_INFO:
        return tce_get_info(c, arg);
    case VFIO_IOMMU_ENABLE:
        return v2 ? -ENOTTY : v1_enable(c);
    case VFIO_IOMMU_DISABLE:
        return v2 ? -ENOTTY : v1_disable(c);
    case VFIO_IOMMU_MAP_DMA:
        return map_dma(c, arg);
    case VFIO_IOMMU_UNMAP_DMA:
        return unmap_dma(c, arg);
    case VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
        return v2 ? prereg(c, arg, true) : -ENOTTY;
    case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY:
        return v2 ? prereg(c, arg, false) : -ENOTTY;
    case VFIO_IOMMU_SPAPR_TCE_CREATE:
        return v2 ? tce_create(c, arg) : -ENOTTY;
    case VFIO_IOMMU_SPAPR_TCE_REMOVE:
        return v2 ? tce_remove(c, arg) : -ENOTTY;
    default:
        return eeh_pe_op(c, arg);
    }
}
