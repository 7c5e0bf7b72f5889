/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PCI configuration space layout (type 0 header), from the PCI Local Bus
 * specification.
 */
#ifndef HW_PCI_PCI_REGS_H
#define HW_PCI_PCI_REGS_H

#define PCI_CONFIG_SPACE_SIZE       0x100
#define PCIE_CONFIG_SPACE_SIZE      0x1000

#define PCI_VENDOR_ID               0x00
#define PCI_DEVICE_ID               0x02
#define PCI_COMMAND                 0x04
#define  PCI_COMMAND_IO             0x1
#define  PCI_COMMAND_MEMORY         0x2
#define  PCI_COMMAND_MASTER         0x4
#define  PCI_COMMAND_INTX_DISABLE   0x400
#define PCI_STATUS                  0x06
#define  PCI_STATUS_INTERRUPT       0x08
#define  PCI_STATUS_CAP_LIST        0x10
#define PCI_REVISION_ID             0x08
#define PCI_CLASS_PROG              0x09
#define PCI_CLASS_DEVICE            0x0a
#define PCI_CACHE_LINE_SIZE         0x0c
#define PCI_LATENCY_TIMER           0x0d
#define PCI_HEADER_TYPE             0x0e
#define PCI_BASE_ADDRESS_0          0x10
#define  PCI_BASE_ADDRESS_SPACE_IO      0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_64   0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH  0x08
#define  PCI_BASE_ADDRESS_MEM_MASK      (~0x0fULL)
#define  PCI_BASE_ADDRESS_IO_MASK       (~0x03ULL)
#define PCI_SUBSYSTEM_VENDOR_ID     0x2c
#define PCI_SUBSYSTEM_ID            0x2e
#define PCI_ROM_ADDRESS             0x30
#define PCI_CAPABILITY_LIST         0x34
#define PCI_INTERRUPT_LINE          0x3c
#define PCI_INTERRUPT_PIN           0x3d

#define PCI_CLASS_OTHERS            0xff00

#endif
