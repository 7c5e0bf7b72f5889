/*
 * vfio-pci: PCI device assignment through VFIO.
 *
 *   -device vfio-pci,host=DDDD:BB:DD.F[,bus=PHB,addr=SLOT]
 *   -device vfio-pci,sysfsdev=/sys/bus/pci/devices/DDDD:BB:DD.F
 */
#ifndef HW_VFIO_PCI_H
#define HW_VFIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/vfio/vfio-container.h"

#define TYPE_VFIO_PCI "vfio-pci"
#define PCI_STD_HEADER_END 0x40

typedef struct VFIORegion {
    uint64_t offset;            /* in the device fd */
    uint64_t size;
    uint32_t flags;             /* VFIO_REGION_INFO_FLAG_* */
} VFIORegion;

typedef struct VFIOPCIDevice VFIOPCIDevice;

typedef struct VFIOBAR {
    VFIOPCIDevice *vdev;
    int nr;
    VFIORegion region;
    bool is64;
    bool registered;
    MemoryRegion mr;            /* traps to pread/pwrite */
    MemoryRegion mmap_mr;       /* ram_device over the mmap, if any */
    void *mmap;
} VFIOBAR;

struct VFIOPCIDevice {
    PCIDevice parent_obj;       /* must stay first */
    char *host;                 /* property */
    char *sysfsdev;             /* property */
    char *name;                 /* DDDD:BB:DD.F */
    char *sysfs_path;
    VFIOGroup *group;
    int fd;
    uint32_t device_flags;
    VFIORegion config;
    VFIOBAR bars[PCI_NUM_REGIONS];
    uint8_t cap_offsets[48];
    unsigned nr_cap_offsets;
    bool failed;                /* host DMA broke: bus mastering off */
};

static inline VFIOPCIDevice *VFIO_PCI(PCIDevice *pdev)
{
    return (VFIOPCIDevice *)pdev;
}

void vfio_pci_register_types(void);
/* Realized vfio-pci devices (do not free). */
GPtrArray *vfio_pci_device_list(void);
/* "info vfio" and query-vfio (info.c). */
void vfio_info_register(void);

#endif
