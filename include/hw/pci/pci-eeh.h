/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * EEH (Enhanced Error Handling) of a PCI device's partitionable endpoint
 * (PE), as the platform (the pseries RTAS calls) asks a device type for
 * it.  The numbers are the platform's own; a VFIO device maps them to
 * VFIO_EEH_PE_OP.
 */
#ifndef HW_PCI_PCI_EEH_H
#define HW_PCI_PCI_EEH_H

#include <stdint.h>

typedef enum PCIEehOpKind {
    PCI_EEH_OP_DISABLE,
    PCI_EEH_OP_ENABLE,
    PCI_EEH_OP_THAW_MMIO,
    PCI_EEH_OP_THAW_DMA,
    PCI_EEH_OP_GET_STATE,
    PCI_EEH_OP_RESET_DEACTIVATE,
    PCI_EEH_OP_RESET_HOT,
    PCI_EEH_OP_RESET_FUNDAMENTAL,
    PCI_EEH_OP_CONFIGURE,
    PCI_EEH_OP_INJECT_ERR,
} PCIEehOpKind;

/* What GET_STATE answers (the PAPR slot states). */
#define PCI_EEH_STATE_NORMAL        0   /* running */
#define PCI_EEH_STATE_RESET         1   /* reset asserted */
#define PCI_EEH_STATE_STOPPED       2   /* MMIO and DMA frozen */
#define PCI_EEH_STATE_STOPPED_DMA   4   /* DMA frozen, MMIO on */
#define PCI_EEH_STATE_UNAVAIL       5   /* temporarily unavailable */

/* INJECT_ERR: an error of type 0 (32-bit) or 1 (64-bit), function 0-19. */
#define PCI_EEH_ERR_TYPE_32         0
#define PCI_EEH_ERR_TYPE_64         1
#define PCI_EEH_ERR_FUNC_MAX        19

typedef struct PCIEehOp {
    PCIEehOpKind kind;
    /* INJECT_ERR only */
    uint32_t err_type;
    uint32_t err_func;
    uint64_t err_addr;
    uint64_t err_mask;
} PCIEehOp;

#endif
