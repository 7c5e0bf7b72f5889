/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Dirty logging for passthrough devices (hw/vfio/dirty.c).
 *
 * The host IOMMU cannot say which pages a device wrote, so every guest
 * page that a TCE maps for device write counts as dirty while logging
 * is on: the ones mapped at a sync, the ones mapped at the previous sync
 * (the device may have written them before they were cleared) and,
 * through vfio_dirty_mark_mapped(), the ones mapped in between.
 */
#ifndef HW_VFIO_DIRTY_H
#define HW_VFIO_DIRTY_H

#include "exec/memory.h"

typedef struct VFIOContainer VFIOContainer;

/* A stretch of guest physical memory mapped for device write. */
typedef struct VFIODirtyRange {
    hwaddr gpa;
    uint64_t len;
} VFIODirtyRange;

/*
 * Mark dirty every guest page that a TCE of @iommu with an IOVA (region
 * offset) in [start, end] maps with the WRITE bit.  Only mapped entries
 * are visited (the region's replay).  When @record is not NULL the
 * write-mapped guest ranges are appended to it (VFIODirtyRange,
 * adjacent ones merged).  Returns the number of target pages marked
 * (pages of blocks that are not logged are not counted).
 */
uint64_t vfio_dirty_mark_iommu(IOMMUMemoryRegion *iommu, hwaddr start,
                               hwaddr end, GArray *record);
/* Mark the pages of [gpa, gpa + len) that are logged guest RAM. */
uint64_t vfio_dirty_mark_gpa(hwaddr gpa, uint64_t len);
/*
 * For the IOMMU notifier: entries being mapped now.  While global dirty
 * logging is on, their write-mapped pages are marked at once, so a TCE
 * set and cleared between two syncs still counts.  Otherwise it costs
 * one branch.
 */
void vfio_dirty_mark_mapped(const IOMMUTLBEntry *entries, unsigned count);

/* Listener callbacks of the prereg listener (on address_space_memory). */
bool vfio_dirty_log_global_start(MemoryListener *l, Error **errp);
void vfio_dirty_log_global_stop(MemoryListener *l);
void vfio_dirty_log_sync(MemoryListener *l, MemoryRegionSection *s);

#endif
