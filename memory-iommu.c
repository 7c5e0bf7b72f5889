/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * IOMMU memory regions: notifier registration, batched notification,
 * replay and the thin wrappers over the region's ops.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "trace.h"

static IOMMUNotifierFlag iommu_flags_union(IOMMUMemoryRegion *iommu)
{
    IOMMUNotifierFlag flags = IOMMU_NOTIFIER_NONE;
    IOMMUNotifier *n;

    for (n = iommu->notifiers; n; n = n->next) {
        flags |= n->notifier_flags;
    }
    return flags;
}

int memory_region_register_iommu_notifier(MemoryRegion *mr,
                                          IOMMUNotifier *n, Error **errp)
{
    IOMMUMemoryRegion *iommu = memory_region_get_iommu(mr);
    IOMMUNotifierFlag old_flags, new_flags;

    assert(iommu);
    assert(n->notify && n->notifier_flags != IOMMU_NOTIFIER_NONE);
    assert(n->start <= n->end && !n->iommu_mr);

    old_flags = iommu->notify_flags;
    new_flags = old_flags | n->notifier_flags;
    if (new_flags != old_flags && iommu->ops->notify_flag_changed) {
        int ret = iommu->ops->notify_flag_changed(iommu, old_flags,
                                                  new_flags, errp);
        if (ret < 0) {
            return ret;
        }
    }
    n->iommu_mr = iommu;
    n->next = iommu->notifiers;
    iommu->notifiers = n;
    iommu->notify_flags = new_flags;
    trace_memory_region_iommu_notifier_register(mr->name, n->notifier_flags,
                                                n->start, n->end);
    return 0;
}

void memory_region_unregister_iommu_notifier(MemoryRegion *mr,
                                             IOMMUNotifier *n)
{
    IOMMUMemoryRegion *iommu = memory_region_get_iommu(mr);
    IOMMUNotifierFlag old_flags;
    IOMMUNotifier **pp;

    assert(iommu && n->iommu_mr == iommu);
    for (pp = &iommu->notifiers; *pp; pp = &(*pp)->next) {
        if (*pp == n) {
            *pp = n->next;
            break;
        }
    }
    n->next = NULL;
    n->iommu_mr = NULL;
    old_flags = iommu->notify_flags;
    iommu->notify_flags = iommu_flags_union(iommu);
    if (old_flags != iommu->notify_flags &&
        iommu->ops->notify_flag_changed) {
        iommu->ops->notify_flag_changed(iommu, old_flags,
                                        iommu->notify_flags, NULL);
    }
    trace_memory_region_iommu_notifier_unregister(mr->name);
}

static bool entry_is_map(const IOMMUTLBEntry *e)
{
    return e->perm != IOMMU_NONE;
}

static bool entry_overlaps(const IOMMUTLBEntry *e, hwaddr start, hwaddr end)
{
    /* Inclusive bounds so that an entry ending at 2^64 - 1 works. */
    return e->iova <= end && e->iova + e->addr_mask >= start;
}

/*
 * Deliver a one-kind run to @n: the entries that overlap its range,
 * which form one contiguous slice because the run is sorted.
 */
static void notify_run(IOMMUNotifier *n, const IOMMUTLBEntry *run,
                       unsigned count)
{
    IOMMUNotifierFlag kind = entry_is_map(run) ? IOMMU_NOTIFIER_MAP
                                               : IOMMU_NOTIFIER_UNMAP;
    unsigned first = 0, last;

    if (!(n->notifier_flags & kind)) {
        return;
    }
    while (first < count && !entry_overlaps(&run[first], n->start, n->end)) {
        first++;
    }
    last = first;
    while (last < count && entry_overlaps(&run[last], n->start, n->end)) {
        last++;
    }
    if (last > first) {
        n->notify(n, run + first, last - first);
    }
}

/* Split @entries into maximal one-kind runs and hand each to @fn. */
static void for_each_run(const IOMMUTLBEntry *entries, unsigned count,
                         IOMMUNotifier *only, IOMMUMemoryRegion *iommu)
{
    unsigned i = 0;

    while (i < count) {
        bool map = entry_is_map(&entries[i]);
        unsigned j = i + 1;

        while (j < count && entry_is_map(&entries[j]) == map) {
            j++;
        }
        if (iommu) {
            trace_memory_region_iommu_notify(iommu->parent_obj.name, map,
                                             entries[i].iova,
                                             entries[i].translated_addr,
                                             entries[i].addr_mask, j - i);
        }
        if (only) {
            notify_run(only, entries + i, j - i);
        } else {
            IOMMUNotifier *n, *next;

            for (n = iommu->notifiers; n; n = next) {
                /* A callback may unregister itself. */
                next = n->next;
                notify_run(n, entries + i, j - i);
            }
        }
        i = j;
    }
}

void memory_region_notify_iommu_batch(IOMMUMemoryRegion *iommu_mr,
                                      int iommu_idx,
                                      const IOMMUTLBEntry *entries,
                                      unsigned count)
{
    if (!count || !iommu_mr->notifiers) {
        return;
    }
    for_each_run(entries, count, NULL, iommu_mr);
}

void memory_region_notify_iommu_one(IOMMUNotifier *notifier,
                                    const IOMMUTLBEntry *entries,
                                    unsigned count)
{
    for_each_run(entries, count, notifier, NULL);
}

IOMMUTLBEntry memory_region_iommu_translate(IOMMUMemoryRegion *iommu_mr,
                                            hwaddr addr,
                                            IOMMUAccessFlags flag,
                                            int iommu_idx)
{
    return iommu_mr->ops->translate(iommu_mr, addr, flag, iommu_idx);
}

uint64_t memory_region_iommu_get_min_page_size(IOMMUMemoryRegion *iommu_mr)
{
    if (iommu_mr->ops->get_min_page_size) {
        return iommu_mr->ops->get_min_page_size(iommu_mr);
    }
    return 4096;
}

int memory_region_iommu_get_attr(IOMMUMemoryRegion *iommu_mr,
                                 IOMMUMemoryRegionAttr attr, void *data)
{
    if (!iommu_mr->ops->get_attr) {
        return -EINVAL;
    }
    return iommu_mr->ops->get_attr(iommu_mr, attr, data);
}

void memory_region_iommu_replay(IOMMUMemoryRegion *iommu_mr,
                                IOMMUNotifier *n)
{
    uint64_t gran, size;
    hwaddr addr;

    trace_memory_region_iommu_replay(iommu_mr->parent_obj.name,
                                     iommu_mr->ops->replay != NULL);
    if (iommu_mr->ops->replay) {
        iommu_mr->ops->replay(iommu_mr, n);
        return;
    }
    /* Generic walk: fine for small regions, overridden by real IOMMUs. */
    gran = memory_region_iommu_get_min_page_size(iommu_mr);
    size = memory_region_size(&iommu_mr->parent_obj);
    for (addr = 0; addr < size; addr += gran) {
        IOMMUTLBEntry e = memory_region_iommu_translate(iommu_mr, addr,
                                                        IOMMU_NONE,
                                                        n->iommu_idx);

        if (e.perm != IOMMU_NONE) {
            memory_region_notify_iommu_one(n, &e, 1);
        }
        if (addr + gran < addr) {
            break;
        }
    }
}
