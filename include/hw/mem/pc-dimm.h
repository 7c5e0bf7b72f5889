/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pc-dimm: a DIMM of guest RAM, plugged at start (-device) or at run
 * time (device_add), backed by a host memory backend (memdev=).
 *
 * The device knows its backend and where it sits; where that may be is
 * the machine's decision.  At realize the DIMM asks its machine
 * (qdev_get_machine()->hotplug_handler) for its PCDIMMHotplugOps and
 * keeps the link until unrealize; a machine without one cannot take a
 * DIMM.
 */
#ifndef HW_MEM_PC_DIMM_H
#define HW_MEM_PC_DIMM_H

#include "hw/qdev.h"
#include "sysemu/hostmem.h"

#define TYPE_PC_DIMM            "pc-dimm"
/* "slot" when the user did not choose one. */
#define PC_DIMM_SLOT_AUTO       UINT32_MAX

typedef struct PCDIMMHotplugOps PCDIMMHotplugOps;

typedef struct PCDIMMDevice {
    DeviceState parent_obj;

    /* properties */
    char *memdev;               /* id of the memory backend */
    uint64_t addr;              /* guest physical address, 0 = auto */
    uint32_t slot;              /* PC_DIMM_SLOT_AUTO = first free */
    uint32_t node;              /* NUMA node (reported only) */

    /* while realized */
    HostMemoryBackend *backend;
    const PCDIMMHotplugOps *hotplug;    /* its machine's rules */
    bool plugged;               /* the machine mapped it */
} PCDIMMDevice;

struct PCDIMMHotplugOps {
    /*
     * Check @dimm against the machine's rules and map its memory
     * (dimm->addr and dimm->slot are final afterwards).  On failure
     * nothing changed.
     */
    bool (*plug)(PCDIMMDevice *dimm, Error **errp);
    /* May @dimm be removed now?  false with @errp set refuses. */
    bool (*unplug_request)(PCDIMMDevice *dimm, Error **errp);
    /* Unmap @dimm's memory; it is gone from the guest afterwards. */
    void (*unplug)(PCDIMMDevice *dimm);
};

/* @dev as a DIMM, or NULL when it is some other device. */
PCDIMMDevice *pc_dimm_cast(DeviceState *dev);
uint64_t pc_dimm_size(const PCDIMMDevice *dimm);
MemoryRegion *pc_dimm_memory(PCDIMMDevice *dimm);
/* Realized DIMMs in creation order (g_list_free the list). */
GList *pc_dimm_list(void);

#endif
