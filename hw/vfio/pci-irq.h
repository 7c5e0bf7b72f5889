/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-pci interrupts: state shared by pci-irq.c (INTx, MSI, switching,
 * eventfds) and pci-msix.c (the MSI-X table and vector masking).
 */
#ifndef HW_VFIO_PCI_IRQ_H
#define HW_VFIO_PCI_IRQ_H

#include "hw/vfio/vfio-pci.h"
#include <linux/vfio.h>

#define VFIO_IRQ_NONE   (-1)

/* One eventfd the host signals, watched by the main loop. */
typedef struct VFIOIrqVector {
    VFIOPCIDevice *vdev;
    int index;                  /* VFIO_PCI_*_IRQ_INDEX */
    unsigned nr;                /* vector number in the index */
    int fd;                     /* eventfd, -1: none */
    unsigned watch;             /* GSource id, 0: none */
    bool host_masked;           /* unset/masked on the host */
} VFIOIrqVector;

/*
 * The guest's view of the PBA (pci-msix.c): over the MSI-X core's own
 * PBA, it adds what the device latched in its hardware PBA.  Heap-held:
 * the region may outlive the device's state until its last reference.
 */
typedef struct VFIOMsixPba {
    MemoryRegion mr;
    VFIOPCIDevice *vdev;        /* NULL once the device let go */
    uint64_t host_offset;       /* the PBA in the device fd */
    unsigned nentries;
} VFIOMsixPba;

struct VFIOPCIIrq {
    int mode;                   /* index enabled on the host, or NONE */
    unsigned count[VFIO_PCI_NUM_IRQS];  /* GET_IRQ_INFO */
    VFIOIrqVector intx;
    VFIOIrqVector *vec;         /* MSI/MSI-X vectors while enabled */
    unsigned nvec;
    bool failed;                /* a SET_IRQS failed: interrupts off */
    bool host_mask_refused;     /* ACTION_MASK on MSI-X was ENOTTY */
    int msix_table_bar;         /* -1 without MSI-X */
    int msix_pba_bar;
    VFIOMsixPba *pba;           /* NULL without MSI-X */
    uint64_t delivered[VFIO_PCI_NUM_IRQS];
};

const char *vfio_irq_index_name(int index);
/* VFIO_DEVICE_SET_IRQS of @count vectors from @start; -errno or 0. */
int vfio_irq_set(VFIOPCIDevice *v, int index, uint32_t flags,
                 unsigned start, unsigned count, const int32_t *fds);
/* A SET_IRQS failed at run time: the device (only it) is failed. */
void vfio_irq_fail(VFIOPCIDevice *v, const char *what, int ret);

/* pci-msix.c */
bool vfio_pci_msix_setup(VFIOPCIDevice *v, Error **errp);
void vfio_pci_msix_cleanup(VFIOPCIDevice *v);

#endif
