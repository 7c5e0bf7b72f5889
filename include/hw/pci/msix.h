/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PCI MSI-X (PCI Local Bus 3.0 section 6.8.2): a table of per-vector
 * messages and a pending bit array (PBA) in memory BARs.
 *
 * msix_init() puts the table and the PBA as MMIO subregions, with
 * priority PCI_MSIX_PRIORITY, inside the memory regions of the BARs
 * they live in: the rest of those BARs stays whatever the device made
 * it (registers, or a VFIO device's mmap'ed RAM at priority 1).  The
 * function enable and function mask bits are in the capability's
 * Message Control word, written with ordinary configuration writes.
 */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include "hw/pci/msi.h"

/* MSI-X capability layout (offsets from the capability start). */
#define PCI_CAP_ID_MSIX             0x11
#define PCI_MSIX_FLAGS              0x02
#define  PCI_MSIX_FLAGS_QSIZE       0x07ff  /* table size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL     0x4000
#define  PCI_MSIX_FLAGS_ENABLE      0x8000
#define PCI_MSIX_TABLE              0x04    /* offset | BIR */
#define PCI_MSIX_PBA                0x08    /* offset | BIR */
#define  PCI_MSIX_BIR_MASK          0x7
#define PCI_MSIX_CAP_SIZE           12

/* Table entry layout (16 bytes each). */
#define PCI_MSIX_ENTRY_SIZE         16
#define PCI_MSIX_ENTRY_LOWER_ADDR   0x0
#define PCI_MSIX_ENTRY_UPPER_ADDR   0x4
#define PCI_MSIX_ENTRY_DATA         0x8
#define PCI_MSIX_ENTRY_VECTOR_CTRL  0xc
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1

#define PCI_MSIX_VECTORS_MAX        2048
/* Of the table and PBA regions in their BAR: above an mmap at 1. */
#define PCI_MSIX_PRIORITY           2

/*
 * Tells the device that @vector's effective mask (vector mask bit, or
 * function mask, or MSI-X disabled) changed to @masked.
 */
typedef void (*MSIVectorNotifier)(PCIDevice *dev, unsigned vector,
                                  bool masked, void *opaque);

/*
 * Adds an MSI-X capability at configuration offset @cap_pos with
 * @nentries vectors (1..2048): the table at @table_offset in BAR
 * @table_bar_nr (region @table_bar), the PBA at @pba_offset in BAR
 * @pba_bar_nr (region @pba_bar).  Offsets are 8-byte aligned and both
 * structures fit in their BAR.  Every vector starts masked.
 */
bool msix_init(PCIDevice *dev, unsigned nentries,
               MemoryRegion *table_bar, uint8_t table_bar_nr,
               uint32_t table_offset,
               MemoryRegion *pba_bar, uint8_t pba_bar_nr,
               uint32_t pba_offset, uint8_t cap_pos, Error **errp);
void msix_uninit(PCIDevice *dev, MemoryRegion *table_bar,
                 MemoryRegion *pba_bar);
/* Disabled, function unmasked, every vector masked, nothing pending. */
void msix_reset(PCIDevice *dev);

bool msix_present(PCIDevice *dev);
bool msix_enabled(PCIDevice *dev);
unsigned msix_nr_vectors(PCIDevice *dev);
/* The vector's mask bit or the function mask is set. */
bool msix_is_masked(PCIDevice *dev, unsigned vector);
bool msix_is_pending(PCIDevice *dev, unsigned vector);
MSIMessage msix_get_message(PCIDevice *dev, unsigned vector);
/* Firmware-style programming of one table entry (RTAS ibm,change-msi). */
void msix_set_message(PCIDevice *dev, unsigned vector, MSIMessage msg);
/*
 * Raise @vector: sends its message when MSI-X is enabled and the vector
 * is unmasked; while masked, sets its PBA bit, and the message goes
 * out when the vector is unmasked.  Nothing when MSI-X is disabled.
 */
void msix_notify(PCIDevice *dev, unsigned vector);
/* One notifier per device; NULL @fn removes it. */
void msix_set_vector_notifier(PCIDevice *dev, MSIVectorNotifier fn,
                              void *opaque);

/*
 * Migration of what lives outside configuration space (the table and
 * the PBA); pci_device_save_config() / _load_config() call these.
 */
void msix_save(PCIDevice *dev, GByteArray *out);
bool msix_load(PCIDevice *dev, MigReader *in, Error **errp);

/* Called by pci_default_write_config() for writes to the capability. */
void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                       unsigned len);

#endif
