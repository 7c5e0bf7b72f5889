/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The hotplug area: placement of memory devices (checks, first fit,
 * slots) and lookup of the device behind a guest address.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "hw/mem/memory-device.h"

void memory_device_area_init(MemoryDeviceArea *area, hwaddr base,
                             uint64_t size, uint64_t align, uint32_t slots,
                             uint64_t max_plugged)
{
    g_assert(is_power_of_2(align));
    memset(area, 0, sizeof(*area));
    area->base = base;
    area->size = size;
    area->align = align;
    area->slots = slots;
    area->max_plugged = max_plugged;
    area->entries = g_array_new(FALSE, FALSE, sizeof(MemoryDeviceEntry));
}

void memory_device_area_cleanup(MemoryDeviceArea *area)
{
    unsigned i;

    if (!area->entries) {
        return;
    }
    for (i = 0; i < area->entries->len; i++) {
        g_free(g_array_index(area->entries, MemoryDeviceEntry, i).name);
    }
    g_array_free(area->entries, TRUE);
    area->entries = NULL;
    area->plugged = 0;
}

static const MemoryDeviceEntry *entry_at(const MemoryDeviceArea *area,
                                         unsigned i)
{
    return &g_array_index(area->entries, MemoryDeviceEntry, i);
}

/* Index of the first entry that ends after @addr. */
static unsigned first_ending_after(const MemoryDeviceArea *area,
                                   hwaddr addr)
{
    unsigned lo = 0, hi = area->entries->len;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        const MemoryDeviceEntry *e = entry_at(area, mid);

        if (e->addr + e->size <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static const MemoryDeviceEntry *slot_user(const MemoryDeviceArea *area,
                                          uint32_t slot)
{
    unsigned i;

    for (i = 0; i < area->entries->len; i++) {
        if (entry_at(area, i)->slot == slot) {
            return entry_at(area, i);
        }
    }
    return NULL;
}

static bool choose_slot(const MemoryDeviceArea *area, uint32_t *slot,
                        Error **errp)
{
    const MemoryDeviceEntry *user;
    g_autofree bool *used = NULL;
    unsigned i;

    if (*slot != MEMORY_DEVICE_SLOT_AUTO) {
        if (*slot >= area->slots) {
            error_setg(errp, "slot %" PRIu32 " is out of range: the machine "
                       "has %" PRIu32 " memory slots (0 to %" PRIu32 ")",
                       *slot, area->slots, area->slots - 1);
            return false;
        }
        user = slot_user(area, *slot);
        if (user) {
            error_setg(errp, "slot %" PRIu32 " is already used by '%s'",
                       *slot, user->name);
            return false;
        }
        return true;
    }
    used = g_new0(bool, area->slots);
    for (i = 0; i < area->entries->len; i++) {
        used[entry_at(area, i)->slot] = true;
    }
    for (i = 0; i < area->slots; i++) {
        if (!used[i]) {
            *slot = i;
            return true;
        }
    }
    /* Unreachable while entries <= slots, which plugging ensures. */
    error_setg(errp, "all %" PRIu32 " memory slots are in use", area->slots);
    return false;
}

/* Check an address the user gave: alignment, bounds, neighbours. */
static bool check_addr(const MemoryDeviceArea *area, uint64_t size,
                       uint64_t align, hwaddr addr, Error **errp)
{
    hwaddr end = area->base + area->size;
    unsigned i;

    if (!QEMU_IS_ALIGNED(addr, align)) {
        error_setg(errp, "address 0x%" HWADDR_PRIx " is not a multiple of "
                   "0x%" PRIx64 " (the memory block size)", addr, align);
        return false;
    }
    if (addr < area->base || addr > end || size > end - addr) {
        error_setg(errp, "range [0x%" HWADDR_PRIx ", 0x%" HWADDR_PRIx
                   ") is outside the hotplug area [0x%" HWADDR_PRIx
                   ", 0x%" HWADDR_PRIx ")", addr, addr + size, area->base,
                   end);
        return false;
    }
    i = first_ending_after(area, addr);
    if (i < area->entries->len && entry_at(area, i)->addr < addr + size) {
        const MemoryDeviceEntry *e = entry_at(area, i);

        error_setg(errp, "range [0x%" HWADDR_PRIx ", 0x%" HWADDR_PRIx
                   ") overlaps '%s' at [0x%" HWADDR_PRIx ", 0x%"
                   HWADDR_PRIx ")", addr, addr + size, e->name, e->addr,
                   e->addr + e->size);
        return false;
    }
    return true;
}

/* The lowest aligned gap that holds @size bytes. */
static bool first_fit(const MemoryDeviceArea *area, uint64_t size,
                      uint64_t align, hwaddr *addr, Error **errp)
{
    hwaddr end = area->base + area->size;
    hwaddr pos = QEMU_ALIGN_UP(area->base, align);
    unsigned i;

    for (i = 0; i <= area->entries->len; i++) {
        hwaddr gap_end = end;

        if (i < area->entries->len) {
            gap_end = entry_at(area, i)->addr;
        }
        if (pos <= gap_end && size <= gap_end - pos) {
            *addr = pos;
            return true;
        }
        if (i < area->entries->len) {
            const MemoryDeviceEntry *e = entry_at(area, i);

            pos = MAX(pos, QEMU_ALIGN_UP(e->addr + e->size, align));
        }
    }
    error_setg(errp, "no free range of 0x%" PRIx64 " bytes aligned to 0x%"
               PRIx64 " in the hotplug area [0x%" HWADDR_PRIx ", 0x%"
               HWADDR_PRIx ")", size, align, area->base, end);
    return false;
}

bool memory_device_area_place(const MemoryDeviceArea *area,
                              const char *name, uint64_t size,
                              uint64_t align, hwaddr *addr, uint32_t *slot,
                              Error **errp)
{
    uint64_t left = area->max_plugged - area->plugged;

    align = MAX(align, area->align);
    if (!area->slots) {
        error_setg(errp, "memory hotplug is not enabled: start the machine "
                   "with -m SIZE,slots=N,maxmem=MAX");
        return false;
    }
    if (!size || !QEMU_IS_ALIGNED(size, align)) {
        error_setg(errp, "'%s': size 0x%" PRIx64 " is not a multiple of "
                   "0x%" PRIx64 " (the memory block size)", name, size,
                   align);
        return false;
    }
    if (area->entries->len >= area->slots) {
        error_setg(errp, "all %" PRIu32 " memory slots are in use",
                   area->slots);
        return false;
    }
    if (size > left) {
        error_setg(errp, "'%s': 0x%" PRIx64 " more bytes would exceed "
                   "maxmem: 0x%" PRIx64 " of 0x%" PRIx64 " bytes for "
                   "memory devices are in use", name, size, area->plugged,
                   area->max_plugged);
        return false;
    }
    if (!choose_slot(area, slot, errp)) {
        return false;
    }
    if (*addr) {
        return check_addr(area, size, align, *addr, errp);
    }
    return first_fit(area, size, align, addr, errp);
}

void memory_device_area_insert(MemoryDeviceArea *area, hwaddr addr,
                               uint64_t size, uint32_t slot,
                               const char *name, void *opaque)
{
    MemoryDeviceEntry e = {
        .addr = addr,
        .size = size,
        .slot = slot,
        .name = g_strdup(name),
        .opaque = opaque,
    };

    g_array_insert_val(area->entries, first_ending_after(area, addr), e);
    area->plugged += size;
}

bool memory_device_area_remove(MemoryDeviceArea *area, hwaddr addr)
{
    unsigned i = first_ending_after(area, addr);
    MemoryDeviceEntry *e;

    if (i >= area->entries->len) {
        return false;
    }
    e = &g_array_index(area->entries, MemoryDeviceEntry, i);
    if (e->addr != addr) {
        return false;
    }
    area->plugged -= e->size;
    g_free(e->name);
    g_array_remove_index(area->entries, i);
    return true;
}

void *memory_device_area_lookup(const MemoryDeviceArea *area, hwaddr addr,
                                uint64_t size)
{
    const MemoryDeviceEntry *e;
    unsigned i;

    if (!area->entries) {
        return NULL;
    }
    i = first_ending_after(area, addr);
    if (i >= area->entries->len) {
        return NULL;
    }
    e = entry_at(area, i);
    if (addr < e->addr || size > e->addr + e->size - addr) {
        return NULL;
    }
    return e->opaque;
}

unsigned memory_device_area_count(const MemoryDeviceArea *area)
{
    return area->entries ? area->entries->len : 0;
}

const MemoryDeviceEntry *memory_device_area_entry(
    const MemoryDeviceArea *area, unsigned i)
{
    return entry_at(area, i);
}
