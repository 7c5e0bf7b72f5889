/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PCI Message Signalled Interrupts (MSI capability, PCI Local Bus 3.0
 * section 6.8.1).
 *
 * The capability lives in the device's configuration space: the guest
 * (or platform firmware, RTAS ibm,change-msi on pseries) programs the
 * message address and data and sets the enable bit with ordinary
 * configuration writes, which pci_default_write_config() applies.  A
 * device raises vector v with msi_notify(): the message is the
 * programmed data with the low bits replaced by v (multiple message
 * enable), written as a 4-byte little-endian memory write to the
 * programmed address in pci_device_dma_as(), exactly like a DMA write.
 */
#ifndef HW_PCI_MSI_H
#define HW_PCI_MSI_H

#include "hw/pci/pci.h"

/* A message: a 4-byte memory write of @data at bus address @address. */
typedef struct MSIMessage {
    uint64_t address;
    uint32_t data;
} MSIMessage;

/* MSI capability layout (offsets from the capability start). */
#define PCI_CAP_ID_MSI              0x05
#define PCI_MSI_FLAGS               0x02
#define  PCI_MSI_FLAGS_ENABLE       0x0001
#define  PCI_MSI_FLAGS_QMASK        0x000e  /* vectors capable, log2 */
#define  PCI_MSI_FLAGS_QSIZE        0x0070  /* vectors enabled, log2 */
#define  PCI_MSI_FLAGS_64BIT        0x0080
#define  PCI_MSI_FLAGS_MASKBIT      0x0100  /* per-vector masking */
#define PCI_MSI_ADDRESS_LO          0x04
#define PCI_MSI_ADDRESS_HI          0x08    /* 64-bit only */
#define PCI_MSI_DATA_32             0x08
#define PCI_MSI_DATA_64             0x0c
#define PCI_MSI_MASK_32             0x0c
#define PCI_MSI_MASK_64             0x10
#define PCI_MSI_PENDING_32          0x10
#define PCI_MSI_PENDING_64          0x14

#define PCI_MSI_VECTORS_MAX         32

/*
 * Adds an MSI capability at configuration offset @offset (0x40..0xfc,
 * dword aligned, room for the capability) capable of @nr_vectors
 * (a power of two, 1..32), with 64-bit addresses and per-vector
 * masking as asked, and links it into the capability list.
 */
bool msi_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors,
              bool msi64bit, bool per_vector_mask, Error **errp);
void msi_uninit(PCIDevice *dev);
/* Capability back to its reset state: disabled, message cleared. */
void msi_reset(PCIDevice *dev);

bool msi_present(PCIDevice *dev);
bool msi_enabled(PCIDevice *dev);
/* Vectors the device is capable of (Multiple Message Capable). */
unsigned msi_nr_vectors_allocated(PCIDevice *dev);
/* Vectors the guest enabled (Multiple Message Enable); 0 if disabled. */
unsigned msi_nr_vectors_enabled(PCIDevice *dev);
MSIMessage msi_get_message(PCIDevice *dev, unsigned vector);
/*
 * Firmware-style programming (RTAS ibm,change-msi): @msg is vector 0's
 * message, @nr_vectors (a power of two) goes to Multiple Message Enable;
 * the enable bit is left to the guest.
 */
void msi_set_message(PCIDevice *dev, MSIMessage msg, unsigned nr_vectors);
/* Per-vector mask bit set (false when the device has no mask bits). */
bool msi_is_masked(PCIDevice *dev, unsigned vector);
/*
 * Raise @vector: sends its message when MSI is enabled and the vector
 * is not masked; a masked vector sets its pending bit and is sent when
 * the guest clears the mask.
 */
void msi_notify(PCIDevice *dev, unsigned vector);

/* Called by pci_default_write_config() for writes to the capability. */
void msi_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len);

#endif
