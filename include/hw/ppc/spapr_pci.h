/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * sPAPR PCI host bridge (PHB), device "spapr-pci-host-bridge".
 *
 * Placement of PHB index i (as QEMU places them):
 *   BUID      0x800000020000000 + i
 *   PIO       2^45 + i * 64 KiB, 64 KiB
 *   MMIO32    2^45 + (i + 1) * 2 GiB, 2 GiB, PCI address 0x80000000
 *   MMIO64    2^45 + (i + 1) * 1 TiB, 1 TiB, PCI address = CPU address
 *   DMA       window n has LIOBN 0x80000000 | i << 8 | n (n < 2)
 */
#ifndef HW_PPC_SPAPR_PCI_H
#define HW_PPC_SPAPR_PCI_H

#include "hw/qdev.h"
#include "hw/pci/pci.h"
#include "hw/ppc/spapr_iommu.h"

#define TYPE_SPAPR_PCI_HOST_BRIDGE  "spapr-pci-host-bridge"

#define SPAPR_PCI_BASE_BUID         0x800000020000000ULL
#define SPAPR_PCI_BASE              (1ULL << 45)
#define SPAPR_PCI_LIMIT             (1ULL << 46)
#define SPAPR_PCI_IO_WIN_SIZE       0x10000ULL
#define SPAPR_PCI_MEM32_WIN_SIZE    0x80000000ULL
#define SPAPR_PCI_MEM_WIN_BUS_OFFSET 0x80000000ULL
#define SPAPR_PCI_MEM64_WIN_SIZE    (1ULL << 40)
#define SPAPR_PCI_MSI_WINDOW        0x40000000000ULL
#define SPAPR_PCI_MSI_WINDOW_SIZE   0x10000ULL
/* Index i's windows stay below SPAPR_PCI_LIMIT for i < this. */
#define SPAPR_MAX_PHBS              31

#define SPAPR_PCI_DMA_MAX_WINDOWS   2
#define SPAPR_PCI_LIOBN(i, n)       (0x80000000U | (i) << 8 | (n))
#define SPAPR_PCI_DMA_WIN_SIZE      0x40000000ULL
#define SPAPR_PCI_DMA64_WIN_ADDR    0x800000000000000ULL

/* Page sizes, as a mask of sizes in bytes */
#define SPAPR_PCI_PGSZ_DEFAULT \
    ((1ULL << 12) | (1ULL << 16) | (1ULL << 21) | (1ULL << 24))

typedef struct SpaprMachineState SpaprMachineState;

typedef struct SpaprPhbState {
    DeviceState parent_obj;
    SpaprMachineState *machine; /* owner: lists this PHB while realized */

    /* properties */
    uint32_t index;
    bool ddw_enabled;
    uint64_t dma_win_addr;
    uint64_t dma_win_size;
    uint64_t dma64_win_addr;
    uint64_t page_size_mask;

    /* placement, from the index */
    uint64_t buid;
    hwaddr io_win_addr;
    hwaddr mem_win_addr;
    hwaddr mem64_win_addr;
    hwaddr mem64_win_pciaddr;
    hwaddr msi_win_addr;

    /* outbound: CPU -> PCI */
    MemoryRegion memspace;      /* PCI bus memory space (BARs) */
    MemoryRegion iospace;
    MemoryRegion memwindow;     /* alias of memspace, 32-bit window */
    MemoryRegion mem64window;   /* alias of memspace, 64-bit window */
    MemoryRegion iowindow;

    /* inbound: PCI -> RAM through the TCE tables */
    MemoryRegion dma_root;
    AddressSpace dma_as;
    SpaprTceTable *tables[SPAPR_PCI_DMA_MAX_WINDOWS];
    MemoryRegion msiwindow;     /* MSI writes become interrupts */

    PCIBus bus;
    /* firmware-like BAR allocator: next free PCI addresses */
    pcibus_t next_mem32;
    pcibus_t next_mem64;
} SpaprPhbState;

SpaprPhbState *spapr_phb_find_by_buid(uint64_t buid);
SpaprPhbState *spapr_phb_find_by_index(uint32_t index);
/* The machine's PHBs sorted by index (do not free). */
GList *spapr_phb_list(void);

/* DMA windows (used by the DDW RTAS calls and reset). */
unsigned spapr_phb_active_windows(SpaprPhbState *sphb);
/* Back to the default window only, every table cleared. */
void spapr_phb_dma_reset(SpaprPhbState *sphb);
/*
 * After spapr_phb_dma_reset() on a guest's or machine's reset: every
 * device behind the PHB whose DMA broke gets another chance (a failed
 * VFIO container re-creates its host windows and replays its TCEs).
 */
void spapr_phb_dma_recover(SpaprPhbState *sphb);
/* Assign every BAR of every device (machine start and reset). */
void spapr_phb_assign_all_bars(SpaprPhbState *sphb);

/* EEH (spapr_pci_eeh.c): a device behind @sphb has a PE with EEH. */
bool spapr_phb_eeh_available(SpaprPhbState *sphb);
/* /rtas properties of EEH (error injection types), when offered. */
int spapr_eeh_fdt_rtas(void *fdt, int rtas_off);
/*
 * Interrupts (spapr_pci_msi.c): the four INTx LSIs and the MSI window
 * (init at realize, fini at unrealize), MSI blocks freed on a PHB
 * reset and when a device goes; PCIBusOps.set_irq.
 */
bool spapr_phb_irq_init(SpaprPhbState *sphb, const char *owner,
                        Error **errp);
void spapr_phb_irq_fini(SpaprPhbState *sphb);
void spapr_phb_irq_reset(SpaprPhbState *sphb);
void spapr_phb_irq_device_gone(SpaprPhbState *sphb, PCIDevice *dev);
void spapr_phb_set_irq(PCIBus *bus, int intx, int level);

#endif
