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

static void unref_visit(uint64_t idx, uint64_t tce, void *opaque)
{
    vsim_tce_unref(tce);
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
    c->def_window_pending = false;
}

static long check_extension(unsigned long ext)
{
    switch (ext) {
    case VFIO_SPAPR_TCE_IOMMU:
    case VFIO_SPAPR_TCE_v2_IOMMU:
        /*
         * tce_iommu_check_extension: the sPAPR driver answers for both
         * types whatever the groups can do; SET_IOMMU finds out.
         */
        return 1;
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
    if (type != VFIO_SPAPR_TCE_IOMMU && type != VFIO_SPAPR_TCE_v2_IOMMU) {
        return -ENODEV;
    }
    /* iommu=v2 is a sim-only host without the v1 driver */
    if (type == VFIO_SPAPR_TCE_IOMMU && !vsim.host.allow_v1) {
        return -ENODEV;
    }
    /* tce_iommu_attach_group: a group without DDW refuses a v2 container */
    if (type == VFIO_SPAPR_TCE_v2_IOMMU && !vsim.host.allow_v2) {
        return -EPERM;
    }
    if (type == VFIO_SPAPR_TCE_IOMMU && c->groups->len > 1) {
        return -EBUSY;
    }
    c->type = type;
    if (type == VFIO_SPAPR_TCE_IOMMU) {
        /* v1 uses the platform's table as it is (charged by ENABLE) */
        vsim_container_attach_default(c);
    } else {
        /*
         * tce_iommu_attach_group: the first DDW group leaves the default
         * window pending; tce_iommu_create_default_window makes it on
         * first use.
         */
        c->def_window_pending = true;
    }
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
    /* tce_iommu_enable charges the window's size in whole PAGE_SIZE pages */
    uint64_t bytes = vsim.host.dma32 & ~(vsim_page_size() - 1);
    int r;

    if (c->enabled) {
        return -EBUSY;
    }
    r = vsim_charge(bytes);
    if (r < 0) {
        return r;
    }
    c->v1_charged = bytes;
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
    /* mm_iommu_ua_to_hpa: backing pages smaller than the IOMMU page */
    if (w->page_shift > p->page_shift) {
        return -EFAULT;
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
    uint64_t mask, first, n, i, tce_perm;
    int r = 0;

    GET_ARG(map, arg, struct vfio_iommu_type1_dma_map, size);
    if (!c->enabled) {
        return -EPERM;
    }
    if (map.flags & ~perms) {
        return -EINVAL;
    }
    r = vsim_window_create_default(c);
    if (r < 0) {
        return r;
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
    /*
     * tce_iommu_ioctl returns iommu_tce_put_param_check's value as is:
     * a boolean, so the caller sees 1 and an untouched errno.
     */
    if (!vsim_window_ioba_ok(w, map.iova, 1)) {
        return 1;
    }
    /*
     * The kernel checks no more than the first page: tce_iommu_build_v2
     * would go on writing entries past the table's end (pnv_tce has no
     * bound).  There is no errno to follow and nothing to write, so we
     * refuse the whole map (docs/vfio-sim.md, "still not modelled").
     */
    if (map.size > w->size - (map.iova - w->start) ||
        map.vaddr + map.size < map.vaddr) {
        return -EINVAL;
    }
    /*
     * pnv_tce_xchg (iommu_direction_to_tce_perm): PowerNV sets READ in
     * any TCE that has WRITE, so the device may read what it may write.
     */
    tce_perm = map.flags & perms;
    if (tce_perm & TCE_WRITE) {
        tce_perm |= TCE_READ;
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
        tce = hpa | tce_perm;
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
    int r;

    GET_ARG(unmap, arg, struct vfio_iommu_type1_dma_unmap, size);
    if (!c->enabled) {
        return -EPERM;
    }
    if (unmap.flags) {
        return -EINVAL;
    }
    r = vsim_window_create_default(c);
    if (r < 0) {
        return r;
    }
    w = vsim_window_find(c, unmap.iova);
    if (!w) {
        return -ENXIO;
    }
    mask = (1ULL << w->page_shift) - 1;
    if (unmap.size & mask) {
        return -EINVAL;
    }
    /* iommu_tce_clear_param_check: a boolean again, returned as is */
    if (!vsim_window_ioba_ok(w, unmap.iova, unmap.size >> w->page_shift)) {
        return 1;
    }
    vsim_tce_clear(w->table, (unmap.iova - w->start) >> w->page_shift,
                   unmap.size >> w->page_shift, unref_visit, NULL);
    return 0;
}

static long prereg(VsimContainer *c, void *arg, bool reg)
{
    struct vfio_iommu_spapr_register_memory rm;
    /* tce_iommu_register_pages: PAGE_SIZE-aligned vaddr and size */
    const uint64_t mask = vsim_page_size() - 1;
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

static long tce_create(VsimContainer *c, void *arg)
{
    struct vfio_iommu_spapr_tce_create cr;
    uint64_t start;
    int r;

    GET_ARG(cr, arg, struct vfio_iommu_spapr_tce_create, start_addr);
    if (cr.flags) {
        return -EINVAL;
    }
    r = vsim_window_create_default(c);
    if (r < 0) {
        return r;
    }
    r = vsim_window_create(c, cr.page_shift, cr.window_size, cr.levels,
                           &start);
    if (r < 0) {
        return r;
    }
    /*
     * tce_iommu_ioctl: the window is made before start_addr is copied
     * back, and a failed copy only turns the result into EFAULT: the
     * window stays, charged, for TCE_REMOVE or the container's release.
     */
    cr.start_addr = start;
    return vsim_copy_to_user(arg, &cr,
                             MINSZ(struct vfio_iommu_spapr_tce_create,
                                   start_addr));
}

static long tce_remove(VsimContainer *c, void *arg)
{
    struct vfio_iommu_spapr_tce_remove rm;
    VsimWindow *w;

    GET_ARG(rm, arg, struct vfio_iommu_spapr_tce_remove, start_addr);
    if (rm.flags) {
        return -EINVAL;
    }
    /* tce_iommu_ioctl: removing the pending default window cancels it */
    if (c->def_window_pending && !rm.start_addr) {
        c->def_window_pending = false;
        return 0;
    }
    w = vsim_window_find(c, rm.start_addr);
    if (!w) {
        return -EINVAL;
    }
    vsim_window_free(w);
    return 0;
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
        return vsim_eeh_pe_op(c, arg);
    }
}
