/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-pci EEH: the platform's EEH operations (hw/pci/pci-eeh.h) on the
 * device's PE, as VFIO_EEH_PE_OP on its container.
 */
#ifndef HW_VFIO_EEH_H
#define HW_VFIO_EEH_H

#include "hw/pci/pci.h"
#include "hw/pci/pci-eeh.h"
#include "hw/vfio/vfio-pci.h"

/* PCIDeviceClass.eeh_pe of vfio-pci: the container, or NULL. */
const void *vfio_pci_eeh_pe(PCIDevice *pdev);
/* PCIDeviceClass.eeh_pe_op of vfio-pci. */
int vfio_pci_eeh_pe_op(PCIDevice *pdev, const PCIEehOp *op, Error **errp);
/* On the device's reset: its PE back from a freeze or a reset. */
void vfio_pci_eeh_reset(VFIOPCIDevice *v);

#endif
