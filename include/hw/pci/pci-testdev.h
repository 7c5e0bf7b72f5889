/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Emulated PCI test devices ("pci-testdev", "pci-testdev-dma").
 *
 * BAR0 (32-bit memory, 4 KiB, little-endian registers, 32-bit access):
 *   0x00 ID       RO  PCI_TESTDEV_ID_VALUE
 *   0x04 SCRATCH  RW  plain storage
 *   0x08 SRC_LO   RW  DMA source bus address, low/high word
 *   0x0c SRC_HI   RW
 *   0x10 DST_LO   RW  DMA destination bus address
 *   0x14 DST_HI   RW
 *   0x18 LEN      RW  DMA length in bytes (<= PCI_TESTDEV_DMA_MAX)
 *   0x1c CMD      WO  starts a DMA: COPY, FILL or SUM (see below)
 *   0x20 STATUS   RO  DONE | READ_FAULT | WRITE_FAULT | BAD_CMD
 *   0x24 PATTERN  RW  FILL byte
 *   0x28 RESULT   RO  SUM: byte sum of the source
 *   0x2c COUNT    RO  DMA commands run since reset
 *   0x30 MSI      WO  raise MSI vector N (msi_notify)
 *   0x34 MSIX     WO  raise MSI-X vector N (msix_notify)
 *   0x38 INTX     RW  INTA# level (0 or 1)
 *   0x800        MSI-X table (8 vectors), 0xc00 MSI-X PBA
 * BAR2 (64-bit prefetchable memory, 64 KiB): a scratch buffer.
 *
 * Interrupts (properties msi=, msix=, default on): an MSI capability
 * at 0x40 (4 vectors, 64-bit, per-vector mask), an MSI-X capability at
 * 0x60 (8 vectors, table and PBA in BAR0), interrupt pin A.
 *
 * DMA goes through the PHB's DMA address space, i.e. the TCE tables.
 * A faulting transfer writes nothing: the whole destination range is
 * checked before the first byte is written.  The plain pci-testdev
 * has the registers but runs no DMA (STATUS = BAD_CMD).
 */
#ifndef HW_PCI_PCI_TESTDEV_H
#define HW_PCI_PCI_TESTDEV_H

#define TYPE_PCI_TESTDEV            "pci-testdev"
#define TYPE_PCI_TESTDEV_DMA        "pci-testdev-dma"

#define PCI_TESTDEV_VENDOR_ID       0x1b36
#define PCI_TESTDEV_DEVICE_ID       0x0005
#define PCI_TESTDEV_DMA_DEVICE_ID   0x00f5

#define PCI_TESTDEV_REG_ID          0x00
#define PCI_TESTDEV_REG_SCRATCH     0x04
#define PCI_TESTDEV_REG_SRC_LO      0x08
#define PCI_TESTDEV_REG_SRC_HI      0x0c
#define PCI_TESTDEV_REG_DST_LO      0x10
#define PCI_TESTDEV_REG_DST_HI      0x14
#define PCI_TESTDEV_REG_LEN         0x18
#define PCI_TESTDEV_REG_CMD         0x1c
#define PCI_TESTDEV_REG_STATUS      0x20
#define PCI_TESTDEV_REG_PATTERN     0x24
#define PCI_TESTDEV_REG_RESULT      0x28
#define PCI_TESTDEV_REG_COUNT       0x2c
#define PCI_TESTDEV_REG_MSI         0x30
#define PCI_TESTDEV_REG_MSIX        0x34
#define PCI_TESTDEV_REG_INTX        0x38

#define PCI_TESTDEV_MSI_CAP         0x40
#define PCI_TESTDEV_MSI_VECTORS     4
#define PCI_TESTDEV_MSIX_CAP        0x60
#define PCI_TESTDEV_MSIX_VECTORS    8
#define PCI_TESTDEV_MSIX_TABLE      0x800
#define PCI_TESTDEV_MSIX_PBA        0xc00

#define PCI_TESTDEV_ID_VALUE        0x54535445  /* "ETST" read as LE */

#define PCI_TESTDEV_CMD_COPY        1   /* SRC -> DST */
#define PCI_TESTDEV_CMD_FILL        2   /* PATTERN -> DST */
#define PCI_TESTDEV_CMD_SUM         3   /* sum of SRC bytes -> RESULT */

#define PCI_TESTDEV_STATUS_DONE         0x1
#define PCI_TESTDEV_STATUS_READ_FAULT   0x2
#define PCI_TESTDEV_STATUS_WRITE_FAULT  0x4
#define PCI_TESTDEV_STATUS_BAD_CMD      0x8

#define PCI_TESTDEV_BAR0_SIZE       0x1000
#define PCI_TESTDEV_BAR2_SIZE       0x10000
#define PCI_TESTDEV_DMA_MAX         (16 << 20)

#endif
