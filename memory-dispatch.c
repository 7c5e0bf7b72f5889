/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * MMIO dispatch: apply a region's access rules and call its callbacks.
 *
 * The value exchanged with callers is what a big-endian (guest) load of
 * the bytes at the address gives.  Internally an access is turned into
 * the bytes it covers: each callback access of the implemented size
 * contributes its bytes in the device's byte order, and the requested
 * bytes are taken out of (or put into) that byte image.  This one rule
 * covers splitting wide accesses, widening narrow ones, unaligned
 * accesses and device endianness.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "trace.h"

static unsigned ops_min(unsigned v)
{
    return v ? v : 1;
}

static unsigned ops_max(unsigned v)
{
    return v ? v : 4;
}

static bool size_ok(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

static bool access_valid(MemoryRegion *mr, hwaddr addr, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;

    if (!size_ok(size) || size < ops_min(ops->valid.min_access_size) ||
        size > ops_max(ops->valid.max_access_size)) {
        return false;
    }
    if (!ops->valid.unaligned && (addr & (size - 1))) {
        return false;
    }
    return (Int128)addr + size <= mr->size;
}

static void store_bytes(uint8_t *p, uint64_t v, unsigned size, bool big)
{
    unsigned i;

    for (i = 0; i < size; i++) {
        unsigned shift = big ? (size - 1 - i) * 8 : i * 8;

        p[i] = (uint8_t)(v >> shift);
    }
}

static uint64_t load_bytes(const uint8_t *p, unsigned size, bool big)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < size; i++) {
        unsigned shift = big ? (size - 1 - i) * 8 : i * 8;

        v |= (uint64_t)p[i] << shift;
    }
    return v;
}

typedef struct AccessPlan {
    hwaddr start;       /* first callback access */
    unsigned width;     /* callback access size */
    unsigned count;     /* number of callback accesses */
    unsigned skip;      /* bytes before the requested ones */
} AccessPlan;

static AccessPlan plan_access(MemoryRegion *mr, hwaddr addr, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned imin = ops_min(ops->impl.min_access_size);
    unsigned imax = ops_max(ops->impl.max_access_size);
    AccessPlan p;
    hwaddr end;

    p.width = MIN(MAX(size, imin), imax);
    /* Without unaligned support, narrow down to the address alignment. */
    while (!ops->impl.unaligned && p.width > imin && (addr & (p.width - 1))) {
        p.width /= 2;
    }
    p.start = ops->impl.unaligned ? addr : addr & ~(hwaddr)(p.width - 1);
    end = addr + size;
    p.count = (unsigned)DIV_ROUND_UP(end - p.start, p.width);
    p.skip = (unsigned)(addr - p.start);
    return p;
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
                                        uint64_t *data, unsigned size,
                                        MemTxAttrs attrs)
{
    bool big = mr->ops && mr->ops->endianness != DEVICE_LITTLE_ENDIAN;
    uint8_t bytes[32];
    AccessPlan p;
    unsigned i;

    if (mr->kind != MR_IO || !mr->ops->read || !access_valid(mr, addr,
                                                             size)) {
        *data = size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
        return MEMTX_ERROR;
    }
    p = plan_access(mr, addr, size);
    assert(p.count * p.width <= sizeof(bytes));
    for (i = 0; i < p.count; i++) {
        hwaddr a = p.start + (hwaddr)i * p.width;
        uint64_t v = mr->ops->read(mr->opaque, a, p.width);

        trace_memory_region_ops_read(mr->name, a, v, p.width);
        store_bytes(bytes + i * p.width, v, p.width, big);
    }
    *data = load_bytes(bytes + p.skip, size, true);
    return MEMTX_OK;
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
                                         uint64_t data, unsigned size,
                                         MemTxAttrs attrs)
{
    bool big = mr->ops && mr->ops->endianness != DEVICE_LITTLE_ENDIAN;
    uint8_t bytes[32] = { 0 };
    AccessPlan p;
    unsigned i;

    if (mr->kind != MR_IO || !mr->ops->write || !access_valid(mr, addr,
                                                              size)) {
        return MEMTX_ERROR;
    }
    p = plan_access(mr, addr, size);
    assert(p.count * p.width <= sizeof(bytes));
    /* Bytes around the requested ones are written as zero: no RMW. */
    store_bytes(bytes + p.skip, data, size, true);
    for (i = 0; i < p.count; i++) {
        hwaddr a = p.start + (hwaddr)i * p.width;
        uint64_t v = load_bytes(bytes + i * p.width, p.width, big);

        trace_memory_region_ops_write(mr->name, a, v, p.width);
        mr->ops->write(mr->opaque, a, v, p.width);
    }
    return MEMTX_OK;
}
