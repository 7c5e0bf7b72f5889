/*
 * vfio-sim: per-ioctl call/error counters and fault injection.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>
#include "vsim.h"
#include "linux/vfio-compat.h"

typedef struct IoctlDesc {
    VsimFileKind kind;
    unsigned long req;
    const char *name;
} IoctlDesc;

static const IoctlDesc ioctls[VSIM_IOC_COUNT] = {
#define C(id, r) [VSIM_IOC_##id] = { VSIM_FILE_CONTAINER, r, #r }
#define G(id, r) [VSIM_IOC_##id] = { VSIM_FILE_GROUP, r, #r }
#define D(id, r) [VSIM_IOC_##id] = { VSIM_FILE_DEVICE, r, #r }
    C(GET_API_VERSION, VFIO_GET_API_VERSION),
    C(CHECK_EXTENSION, VFIO_CHECK_EXTENSION),
    C(SET_IOMMU, VFIO_SET_IOMMU),
    C(TCE_GET_INFO, VFIO_IOMMU_SPAPR_TCE_GET_INFO),
    C(ENABLE, VFIO_IOMMU_ENABLE),
    C(DISABLE, VFIO_IOMMU_DISABLE),
    C(MAP_DMA, VFIO_IOMMU_MAP_DMA),
    C(UNMAP_DMA, VFIO_IOMMU_UNMAP_DMA),
    C(REGISTER_MEMORY, VFIO_IOMMU_SPAPR_REGISTER_MEMORY),
    C(UNREGISTER_MEMORY, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY),
    C(TCE_CREATE, VFIO_IOMMU_SPAPR_TCE_CREATE),
    C(TCE_REMOVE, VFIO_IOMMU_SPAPR_TCE_REMOVE),
    C(EEH_PE_OP, VFIO_EEH_PE_OP),
    G(GROUP_GET_STATUS, VFIO_GROUP_GET_STATUS),
    G(GROUP_SET_CONTAINER, VFIO_GROUP_SET_CONTAINER),
    G(GROUP_UNSET_CONTAINER, VFIO_GROUP_UNSET_CONTAINER),
    G(GROUP_GET_DEVICE_FD, VFIO_GROUP_GET_DEVICE_FD),
    D(DEVICE_GET_INFO, VFIO_DEVICE_GET_INFO),
    D(DEVICE_GET_REGION_INFO, VFIO_DEVICE_GET_REGION_INFO),
    D(DEVICE_GET_IRQ_INFO, VFIO_DEVICE_GET_IRQ_INFO),
    D(DEVICE_SET_IRQS, VFIO_DEVICE_SET_IRQS),
    D(DEVICE_RESET, VFIO_DEVICE_RESET),
    D(DEVICE_FEATURE, VFIO_DEVICE_FEATURE),
    D(DEVICE_GET_PCI_HOT_RESET_INFO, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO),
    D(DEVICE_PCI_HOT_RESET, VFIO_DEVICE_PCI_HOT_RESET),
    [VSIM_IOC_MIG_GET_PRECOPY_INFO] = { VSIM_FILE_MIG,
        VFIO_MIG_GET_PRECOPY_INFO, "VFIO_MIG_GET_PRECOPY_INFO" },
    [VSIM_IOC_OTHER] = { 0, 0, "other" },
#undef C
#undef G
#undef D
};

VsimIoctlId vsim_ioctl_id(unsigned long req, VsimFileKind kind)
{
    for (int i = 0; i < VSIM_IOC_OTHER; i++) {
        if (ioctls[i].req == req && ioctls[i].kind == kind) {
            return i;
        }
    }
    return VSIM_IOC_OTHER;
}

const char *vsim_ioctl_name(VsimIoctlId id)
{
    return ioctls[id].name;
}

/* Full name ("VFIO_IOMMU_MAP_DMA") or without "VFIO_" ("IOMMU_MAP_DMA"). */
bool vsim_ioctl_lookup(const char *name, VsimIoctlId *id)
{
    for (int i = 0; i < VSIM_IOC_OTHER; i++) {
        const char *n = ioctls[i].name;

        if (!strcmp(n, name) || !strcmp(n + strlen("VFIO_"), name)) {
            *id = i;
            return true;
        }
    }
    return false;
}

/* -errno when an injected fault fires on this call, else 0. */
int vsim_fault_check(VsimIoctlId id)
{
    VsimCounter *c = &vsim.counters[id];

    if (!c->fault_nth || --c->fault_nth) {
        return 0;
    }
    return -c->fault_errno;
}
