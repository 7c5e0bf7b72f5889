/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-pci: PCI device assignment through VFIO.
 *
 *   -device vfio-pci,host=DDDD:BB:DD.F[,bus=PHB,addr=SLOT]
 *   -device vfio-pci,sysfsdev=/sys/bus/pci/devices/DDDD:BB:DD.F
 *   ...,enable-migration=on|off|auto (default auto)
 */
#ifndef HW_VFIO_PCI_H
#define HW_VFIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/vfio/vfio-container.h"
#include "hw/vfio/vfio-migration.h"

#define TYPE_VFIO_PCI "vfio-pci"
#define PCI_STD_HEADER_END 0x40

typedef struct VFIORegion {
    uint64_t offset;            /* in the device fd */
    uint64_t size;
    uint32_t flags;             /* VFIO_REGION_INFO_FLAG_* */
} VFIORegion;

typedef struct VFIOPCIDevice VFIOPCIDevice;
typedef struct VFIOPCIIrq VFIOPCIIrq;

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
    /* Config space (pci-config.c), one byte of mask per config byte. */
    uint8_t *emu_bits;          /* bits read from the emulated copy */
    uint8_t *dev_wbits;         /* bits of guest writes sent to the device */
    uint8_t msi_cap;            /* offset of the MSI capability, 0: none */
    uint8_t msix_cap;           /* offset of the MSI-X capability, 0: none */
    bool failed;                /* host DMA broke: bus mastering off */
    /* Added to the group's container while realized. */
    VFIOContainerClient container_client;
    VFIOPCIIrq *irq;            /* interrupts (pci-irq.c, pci-msix.c) */
    char *enable_migration;     /* property: on, off, auto */
    VFIOMigration *migration;   /* migration.c */
};

static inline VFIOPCIDevice *VFIO_PCI(PCIDevice *pdev)
{
    return (VFIOPCIDevice *)pdev;
}

/* Config space (pci-config.c). */
bool vfio_pci_config_setup(VFIOPCIDevice *v, Error **errp);
void vfio_pci_config_cleanup(VFIOPCIDevice *v);
uint32_t vfio_pci_config_read(PCIDevice *pdev, uint32_t addr, unsigned len);
void vfio_pci_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
                           unsigned len);
/* The device's own registers, through the fd (warns on failure). */
bool vfio_pci_dev_config_read(VFIOPCIDevice *v, uint32_t addr,
                              unsigned len, uint32_t *val);
bool vfio_pci_dev_config_write(VFIOPCIDevice *v, uint32_t addr,
                               unsigned len, uint32_t val);
/*
 * Clear then set COMMAND bits in the device; true when the device reads
 * back with them so.
 */
bool vfio_pci_config_set_command(VFIOPCIDevice *v, uint16_t clear,
                                 uint16_t set);
/*
 * Interrupts (pci-irq.c): INTx, MSI and MSI-X through
 * VFIO_DEVICE_SET_IRQS.  Setup after the BARs (MSI-X lives in one);
 * update when the guest wrote the MSI or MSI-X capability; reset puts
 * the host back on INTx; cleanup before the BARs go.
 */
bool vfio_pci_irq_setup(VFIOPCIDevice *v, Error **errp);
void vfio_pci_irq_update(VFIOPCIDevice *v);
void vfio_pci_irq_reset(VFIOPCIDevice *v);
bool vfio_pci_irq_restart(VFIOPCIDevice *v);
void vfio_pci_irq_cleanup(VFIOPCIDevice *v);
/* Realized vfio-pci devices (do not free). */
GPtrArray *vfio_pci_device_list(void);

#endif
