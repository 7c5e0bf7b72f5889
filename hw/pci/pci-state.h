/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PCI device state for migration: the configuration space, which every
 * PCI device sends, and what device models add around it.
 */
#ifndef HW_PCI_PCI_STATE_H
#define HW_PCI_PCI_STATE_H

#include "hw/pci/pci.h"
#include "migration/vmstate.h"

/* Configuration space: size, then the bytes. */
void pci_device_save_config(PCIDevice *dev, GByteArray *out);
/*
 * Check the saved identity (vendor, device, size) against @dev, then
 * take the bytes and remap the BARs as they decoded on the source.
 */
bool pci_device_load_config(PCIDevice *dev, MigReader *in, Error **errp);

#endif
