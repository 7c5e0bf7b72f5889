/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: pinned memory, locked-memory accounting and simulated host
 * physical addresses.
 *
 * Preregistered regions (v2) are per process, as the kernel's mm_iommu
 * list is per mm: a second container may map from a region the first
 * registered, and registering the same range again only adds a user.
 * Each region gets a contiguous range of simulated host physical
 * addresses from a bump allocator that never reuses an address, so a
 * stale TCE can never alias a newer pin.  v1 pins single pages on MAP_DMA.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vsim.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_READ  22
#define MADV_POPULATE_WRITE 23
#endif

#define TCE_PERM_MASK   3ULL
#define HPA_ALIGN       (1ULL << 30)    /* keeps large IOMMU pages aligned */

int vsim_charge(uint64_t bytes)
{
    uint64_t lim = vsim.host.memlock;

    if (lim != VSIM_UNLIMITED &&
        (bytes > lim || vsim.locked > lim - bytes)) {
        return -ENOMEM;
    }
    vsim.locked += bytes;
    return 0;
}

void vsim_uncharge(uint64_t bytes)
{
    g_assert(vsim.locked >= bytes);
    vsim.locked -= bytes;
}

static uint64_t hpa_alloc(uint64_t size)
{
    uint64_t hpa = vsim.next_hpa;

    vsim.next_hpa = VSIM_ROUND_UP(hpa + size, HPA_ALIGN);
    return hpa;
}

/* Pins are appended in increasing hpa order: the array stays sorted. */
VsimPin *vsim_pin_by_hpa(uint64_t hpa)
{
    GPtrArray *a = vsim.pins;
    unsigned lo = 0, hi = a->len;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        VsimPin *p = a->pdata[mid];

        if (hpa < p->hpa) {
            hi = mid;
        } else if (hpa >= p->hpa + p->size) {
            lo = mid + 1;
        } else {
            return p;
        }
    }
    return NULL;
}

/* The live preregistered region containing [vaddr, vaddr + size). */
VsimPin *vsim_pin_by_vaddr(uint64_t vaddr, uint64_t size)
{
    for (unsigned i = 0; i < vsim.pins->len; i++) {
        VsimPin *p = vsim.pins->pdata[i];

        /* mm_iommu_lookup: orphaned regions too, they are still listed */
        if (p->kind == VSIM_PIN_PREREG &&
            vaddr >= p->vaddr && vaddr - p->vaddr + size <= p->size) {
            return p;
        }
    }
    return NULL;
}

static void pin_free(VsimPin *p)
{
    g_ptr_array_remove(vsim.pins, p);
    if (p->kind == VSIM_PIN_PREREG) {
        if (p->mlocked) {
            munlock((void *)(uintptr_t)p->vaddr, p->size);
        }
        vsim_uncharge(p->size);
    } else {
        g_hash_table_remove(vsim.v1_pins, &p->vaddr);
    }
    g_free(p);
}

/*
 * Fault the range in for writing as get_user_pages(FOLL_WRITE) would:
 * unmapped or read-only memory cannot be pinned.
 */
static int pin_pages(uint64_t vaddr, uint64_t size, bool write)
{
    int adv = write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;

    if (madvise((void *)(uintptr_t)vaddr, size, adv) == 0 ||
        errno == EINVAL) {      /* EINVAL: kernel without POPULATE */
        return 0;
    }
    return -EFAULT;
}

/*
 * The smallest page size the kernel backs [vaddr, vaddr + size) with, as
 * a shift: what /proc/self/smaps reports as each mapping's
 * KernelPageSize.  A mapping whose pages are bigger than the machine's
 * base page is hugetlbfs-backed and gives its huge page size; any other
 * is backed by the simulated host's PAGE_SIZE pages.
 */
static unsigned backing_shift(uint64_t vaddr, uint64_t size)
{
    uint64_t end = vaddr + size, base_page = getauxval(AT_PAGESZ);
    unsigned shift = 63;
    bool inside = false;
    FILE *f = fopen("/proc/self/smaps", "re");
    char *line = NULL;
    size_t cap = 0;

    if (!f) {
        return vsim.host.page_shift;
    }
    while (getline(&line, &cap, f) > 0) {
        unsigned long long lo, hi, kib;

        if (sscanf(line, "%llx-%llx ", &lo, &hi) == 2 &&
            strchr(line, '-') < strchr(line, ' ')) {
            inside = lo < end && vaddr < hi;
        } else if (inside &&
                   sscanf(line, "KernelPageSize: %llu kB", &kib) == 1) {
            uint64_t bytes = kib << 10;

            shift = MIN(shift, bytes > base_page ? __builtin_ctzll(bytes)
                                                 : vsim.host.page_shift);
        }
    }
    free(line);
    fclose(f);
    return shift == 63 ? vsim.host.page_shift : shift;
}

/*
 * mm_iommu_do_alloc: the largest IOMMU page a region may take is the
 * smaller of its natural alignment and the page size backing it.
 */
static unsigned region_page_shift(uint64_t vaddr, uint64_t size)
{
    return MIN(__builtin_ctzll(vaddr | size), backing_shift(vaddr, size));
}

/*
 * tce_iommu_register_pages: the exact range already in the process's
 * list (mm_iommu_get) is shared, or re-adopted if it was orphaned; any
 * other range is new (mm_iommu_new -> mm_iommu_do_alloc), which charges
 * and pins before it looks for an overlap, so ENOMEM and EFAULT win over
 * EINVAL.
 */
int vsim_prereg_register(VsimContainer *c, uint64_t vaddr, uint64_t size)
{
    VsimPin *p;
    int r;

    for (unsigned i = 0; i < vsim.pins->len; i++) {
        p = vsim.pins->pdata[i];
        if (p->kind == VSIM_PIN_PREREG && p->vaddr == vaddr &&
            p->size == size) {
            if (g_ptr_array_find(c->regions, p, NULL)) {
                return -EBUSY;
            }
            p->users++;
            g_ptr_array_add(c->regions, p);
            return 0;
        }
    }
    r = vsim_charge(size);
    if (r < 0) {
        return r;
    }
    r = pin_pages(vaddr, size, true);
    if (r < 0) {
        vsim_uncharge(size);
        return r;
    }
    for (unsigned i = 0; i < vsim.pins->len; i++) {
        p = vsim.pins->pdata[i];
        if (p->kind == VSIM_PIN_PREREG &&
            vaddr < p->vaddr + p->size && p->vaddr < vaddr + size) {
            vsim_uncharge(size);
            return -EINVAL;
        }
    }
    p = g_new0(VsimPin, 1);
    p->kind = VSIM_PIN_PREREG;
    p->vaddr = vaddr;
    p->size = size;
    p->page_shift = region_page_shift(vaddr, size);
    p->users = 1;
    /* real pinning cost; without CAP_IPC_LOCK/rlimit room it may fail and
     * the pages then stay merely populated */
    p->mlocked = mlock((void *)(uintptr_t)vaddr, size) == 0;
    p->hpa = hpa_alloc(size);
    g_ptr_array_add(vsim.pins, p);
    g_ptr_array_add(c->regions, p);
    return 0;
}

/*
 * Drop @c's use of @p (mm_iommu_put).  The last user frees it unless a
 * TCE still points into it: then mm_iommu_put finds it mapped, keeps
 * the reference, and nobody drops it again; the region stays in the
 * process's list, charged and usable, until the process exits.
 */
static void region_put(VsimContainer *c, VsimPin *p)
{
    g_ptr_array_remove(c->regions, p);
    if (--p->users) {
        return;
    }
    if (p->tce_refs) {
        p->leaked = true;
    }
    if (!p->leaked) {
        pin_free(p);
    }
}

/*
 * tce_iommu_unregister_pages: current kernels ignore mm_iommu_put's
 * EBUSY and drop the region from the container anyway (leak); older
 * ones returned EBUSY and kept it.
 */
int vsim_prereg_unregister(VsimContainer *c, uint64_t vaddr, uint64_t size)
{
    VsimPin *p = NULL;

    for (unsigned i = 0; i < c->regions->len; i++) {
        VsimPin *q = c->regions->pdata[i];

        if (q->vaddr == vaddr && q->size == size) {
            p = q;
            break;
        }
    }
    if (!p) {
        return -ENOENT;
    }
    if (p->users == 1 && p->tce_refs && !vsim.host.unregister_leak) {
        return -EBUSY;
    }
    region_put(c, p);
    return 0;
}

void vsim_prereg_release_all(VsimContainer *c)
{
    while (c->regions->len) {
        region_put(c, c->regions->pdata[c->regions->len - 1]);
    }
}

/*
 * The process's mm goes away (mm_iommu_cleanup): every region still in
 * its list is unpinned and uncharged.  Called once the containers are
 * released, so no TCE points anywhere any more.
 */
unsigned vsim_pins_release_all(void)
{
    unsigned n = 0;

    while (vsim.pins->len) {
        VsimPin *p = vsim.pins->pdata[vsim.pins->len - 1];

        n += p->kind == VSIM_PIN_PREREG;
        pin_free(p);
    }
    return n;
}

/* v1: pin one IOMMU page at @vaddr, giving its host physical address. */
int vsim_v1_pin(uint64_t vaddr, uint64_t size, bool write, uint64_t *hpa)
{
    VsimPin *p = g_hash_table_lookup(vsim.v1_pins, &vaddr);
    int r;

    if (!p) {
        r = pin_pages(vaddr, size, write);
        if (r < 0) {
            return r;
        }
        p = g_new0(VsimPin, 1);
        p->kind = VSIM_PIN_V1;
        p->vaddr = vaddr;
        p->size = size;
        p->page_shift = __builtin_ctzll(size);
        p->hpa = hpa_alloc(size);
        g_ptr_array_add(vsim.pins, p);
        g_hash_table_insert(vsim.v1_pins, &p->vaddr, p);
    }
    *hpa = p->hpa;
    return 0;
}

void vsim_tce_ref(uint64_t tce)
{
    VsimPin *p = vsim_pin_by_hpa(tce & ~TCE_PERM_MASK);

    g_assert(p);
    p->tce_refs++;
}

void vsim_tce_unref(uint64_t tce)
{
    VsimPin *p = vsim_pin_by_hpa(tce & ~TCE_PERM_MASK);

    g_assert(p && p->tce_refs);
    if (--p->tce_refs == 0 && p->kind == VSIM_PIN_V1) {
        pin_free(p);
    }
}

/* Where the device's access to [hpa, hpa + len) lands in this process. */
void *vsim_hpa_to_host(uint64_t hpa, uint64_t len)
{
    VsimPin *p = vsim_pin_by_hpa(hpa);

    if (!p || hpa - p->hpa + len > p->size) {
        return NULL;
    }
    return (void *)(uintptr_t)(p->vaddr + (hpa - p->hpa));
}
