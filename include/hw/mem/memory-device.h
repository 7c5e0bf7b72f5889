/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The hotplug area of a machine's address space: where memory devices
 * (DIMMs) may go, how many there may be, and which are there.
 *
 * Placement is checked in full before anything changes, so a refused
 * DIMM leaves the area as it was.  Entries are kept sorted by address:
 * looking up the device behind a guest address is a binary search.
 */
#ifndef HW_MEM_MEMORY_DEVICE_H
#define HW_MEM_MEMORY_DEVICE_H

#include "exec/memory.h"

#define MEMORY_DEVICE_SLOT_AUTO UINT32_MAX

typedef struct MemoryDeviceEntry {
    hwaddr addr;
    uint64_t size;
    uint32_t slot;
    char *name;                 /* for messages */
    void *opaque;               /* the device */
} MemoryDeviceEntry;

typedef struct MemoryDeviceArea {
    hwaddr base;                /* first address a device may use */
    uint64_t size;              /* bytes of address space from @base */
    uint64_t align;             /* device sizes and addresses: multiples */
    uint32_t slots;             /* how many devices at most */
    uint64_t max_plugged;       /* bytes the devices may add up to */
    uint64_t plugged;           /* bytes they add up to now */
    GArray *entries;            /* MemoryDeviceEntry, sorted by addr */
} MemoryDeviceArea;

void memory_device_area_init(MemoryDeviceArea *area, hwaddr base,
                             uint64_t size, uint64_t align, uint32_t slots,
                             uint64_t max_plugged);
/* Forget every entry (the devices themselves are the caller's). */
void memory_device_area_cleanup(MemoryDeviceArea *area);

/*
 * Where would a device @name of @size bytes go?  *@addr (0 = first fit)
 * and *@slot (MEMORY_DEVICE_SLOT_AUTO = first free) are checked or
 * chosen; @align is the device's own address alignment (its backing
 * page size), used when larger than the area's.  Nothing changes: on
 * success call memory_device_area_insert() with the results.
 */
bool memory_device_area_place(const MemoryDeviceArea *area,
                              const char *name, uint64_t size,
                              uint64_t align, hwaddr *addr, uint32_t *slot,
                              Error **errp);
void memory_device_area_insert(MemoryDeviceArea *area, hwaddr addr,
                               uint64_t size, uint32_t slot,
                               const char *name, void *opaque);
/* Remove the entry at @addr; false when there is none. */
bool memory_device_area_remove(MemoryDeviceArea *area, hwaddr addr);

/* The device whose range holds all of [addr, addr + size), or NULL. */
void *memory_device_area_lookup(const MemoryDeviceArea *area, hwaddr addr,
                                uint64_t size);
unsigned memory_device_area_count(const MemoryDeviceArea *area);
const MemoryDeviceEntry *memory_device_area_entry(
    const MemoryDeviceArea *area, unsigned i);

#endif
