/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-pci MSI-X: the table and PBA trapped and emulated in their BAR,
 * and vectors the guest masks masked on the host.
 *
 * msix_init() lays the emulated table and PBA over the device's BAR
 * region (above the mmap, which stays for the rest of the BAR); the
 * guest programs messages there, never the device (the host programs
 * the real table).
 *
 * Masking: a vector whose effective mask changes (its mask bit, the
 * function mask, MSI-X enable) is masked or unmasked on the host.  We
 * ask for VFIO_IRQ_SET_ACTION_MASK/UNMASK first; Linux's vfio-pci
 * answers ENOTTY (it exports no MSI-X masking), and from then on we mask
 * by unsetting the vector's eventfd (SET_IRQS TRIGGER with fd -1) and
 * unmask by setting it again.  The host then masks the vector in the
 * hardware (free_irq), the device latches an interrupt in its PBA, and
 * setting the eventfd again delivers it: nothing is lost.  Our eventfd
 * stays open and watched throughout.
 *
 * The PBA: the message of a vector masked that way waits in the
 * device's own PBA, which the guest cannot see through the emulated one.
 * A region over the emulated PBA answers the guest's reads with the
 * emulated bits ORed with the device's, read through the BAR's region
 * (pread of the device fd; Linux's vfio-pci traps only the table, so the
 * PBA reads through).  A read the host refuses leaves the guest the
 * emulated bits only.  Writes are ignored: the PBA is read-only.
 */
#include "qemu/osdep.h"
#include "hw/pci/msix.h"
#include "pci-irq.h"
#include "trace.h"
#include <unistd.h>

static const char *vname(VFIOPCIDevice *v)
{
    return v->name ? v->name : "vfio-pci";
}

static void vfio_msix_vector_notify(PCIDevice *pdev, unsigned vector,
                                    bool masked, void *opaque)
{
    VFIOPCIDevice *v = opaque;
    VFIOPCIIrq *q = v->irq;
    VFIOIrqVector *vec;
    int32_t fd;
    int ret;

    /* Not enabled on the host yet: enabling sets every vector right. */
    if (!q || q->mode != VFIO_PCI_MSIX_IRQ_INDEX || vector >= q->nvec) {
        return;
    }
    vec = &q->vec[vector];
    if (vec->host_masked == masked) {
        return;
    }
    if (!q->host_mask_refused) {
        ret = vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
                           VFIO_IRQ_SET_DATA_NONE |
                           (masked ? VFIO_IRQ_SET_ACTION_MASK
                                   : VFIO_IRQ_SET_ACTION_UNMASK),
                           vector, 1, NULL);
        if (ret == 0) {
            vec->host_masked = masked;
            trace_vfio_pci_msix_mask(vname(v), vector, masked, "action");
            return;
        }
        if (ret != -ENOTTY) {
            vfio_irq_fail(v, masked ? "VFIO_DEVICE_SET_IRQS (MSI-X mask)"
                                    : "VFIO_DEVICE_SET_IRQS (MSI-X unmask)",
                          ret);
            return;
        }
        q->host_mask_refused = true;
    }
    fd = masked ? -1 : vec->fd;
    ret = vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
                       VFIO_IRQ_SET_DATA_EVENTFD |
                       VFIO_IRQ_SET_ACTION_TRIGGER, vector, 1, &fd);
    if (ret < 0) {
        vfio_irq_fail(v, masked ? "VFIO_DEVICE_SET_IRQS (MSI-X vector "
                                  "unset)"
                                : "VFIO_DEVICE_SET_IRQS (MSI-X vector set)",
                      ret);
        return;
    }
    vec->host_masked = masked;
    trace_vfio_pci_msix_mask(vname(v), vector, masked, "eventfd");
}

static uint64_t vfio_msix_pba_read(void *opaque, hwaddr addr,
                                   unsigned size)
{
    VFIOMsixPba *p = opaque;
    VFIOPCIDevice *v = p->vdev;
    uint32_t val = 0, valid = 0, host;

    if (!v) {
        return 0;
    }
    for (unsigned i = 0; i < 32; i++) {
        unsigned vec = addr * 8 + i;

        if (vec >= p->nentries) {
            break;
        }
        valid |= 1u << i;
        if (msix_is_pending(&v->parent_obj, vec)) {
            val |= 1u << i;
        }
    }
    /*
     * Each read asks again: a host may refuse only for a while (Linux
     * answers EIO while the device's memory decoding is off).
     */
    if (valid) {
        if (pread(v->fd, &host, sizeof(host), p->host_offset + addr) ==
            sizeof(host)) {
            val |= GUINT32_FROM_LE(host) & valid;
        } else {
            trace_vfio_pci_msix_pba_refused(vname(v), errno);
        }
    }
    trace_vfio_pci_msix_pba_read(vname(v), addr, val);
    return val;
}

static void vfio_msix_pba_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    /* read-only */
}

static const MemoryRegionOps vfio_msix_pba_ops = {
    .read = vfio_msix_pba_read,
    .write = vfio_msix_pba_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static void vfio_msix_pba_release(MemoryRegion *mr)
{
    g_free(container_of(mr, VFIOMsixPba, mr));
}

/* Over the MSI-X core's PBA (one priority above it). */
static void vfio_msix_pba_init(VFIOPCIDevice *v, unsigned pbar,
                               uint32_t off, unsigned n)
{
    VFIOMsixPba *p = g_new0(VFIOMsixPba, 1);

    p->vdev = v;
    p->nentries = n;
    p->host_offset = v->bars[pbar].region.offset + off;
    memory_region_init_io(&p->mr, vname(v), &vfio_msix_pba_ops, p,
                          "vfio-msix-pba", QEMU_ALIGN_UP((n + 7) / 8, 8));
    p->mr.release = vfio_msix_pba_release;
    memory_region_add_subregion_overlap(&v->bars[pbar].mr, off, &p->mr,
                                        PCI_MSIX_PRIORITY + 1);
    v->irq->pba = p;
}

bool vfio_pci_msix_setup(VFIOPCIDevice *v, Error **errp)
{
    PCIDevice *pdev = &v->parent_obj;
    VFIOPCIIrq *q = v->irq;
    uint32_t flags, table, pba;
    unsigned tbar, pbar, n;

    if (!vfio_pci_dev_config_read(v, v->msix_cap + PCI_MSIX_FLAGS, 2,
                                  &flags) ||
        !vfio_pci_dev_config_read(v, v->msix_cap + PCI_MSIX_TABLE, 4,
                                  &table) ||
        !vfio_pci_dev_config_read(v, v->msix_cap + PCI_MSIX_PBA, 4, &pba)) {
        error_setg(errp, "%s: cannot read the MSI-X capability", vname(v));
        return false;
    }
    n = (flags & PCI_MSIX_FLAGS_QSIZE) + 1;
    tbar = table & PCI_MSIX_BIR_MASK;
    pbar = pba & PCI_MSIX_BIR_MASK;
    if (tbar >= PCI_NUM_REGIONS || pbar >= PCI_NUM_REGIONS ||
        !v->bars[tbar].registered || !v->bars[pbar].registered) {
        error_setg(errp, "%s: MSI-X table in BAR %u and PBA in BAR %u: "
                   "no such memory BAR", vname(v), tbar, pbar);
        return false;
    }
    if (!msix_init(pdev, n, &v->bars[tbar].mr, tbar,
                   table & ~PCI_MSIX_BIR_MASK, &v->bars[pbar].mr, pbar,
                   pba & ~PCI_MSIX_BIR_MASK, v->msix_cap, errp)) {
        return false;
    }
    q->msix_table_bar = tbar;
    q->msix_pba_bar = pbar;
    vfio_msix_pba_init(v, pbar, pba & ~PCI_MSIX_BIR_MASK, n);
    msix_set_vector_notifier(pdev, vfio_msix_vector_notify, v);
    trace_vfio_pci_msix_setup(vname(v), n, tbar, table & ~PCI_MSIX_BIR_MASK,
                              pbar, pba & ~PCI_MSIX_BIR_MASK);
    return true;
}

void vfio_pci_msix_cleanup(VFIOPCIDevice *v)
{
    VFIOPCIIrq *q = v->irq;
    PCIDevice *pdev = &v->parent_obj;

    if (!q || q->msix_table_bar < 0 || !msix_present(pdev)) {
        return;
    }
    msix_set_vector_notifier(pdev, NULL, NULL);
    if (q->pba) {
        memory_region_del_subregion(&v->bars[q->msix_pba_bar].mr,
                                    &q->pba->mr);
        q->pba->vdev = NULL;
        memory_region_unref(&q->pba->mr);
        q->pba = NULL;
    }
    msix_uninit(pdev, &v->bars[q->msix_table_bar].mr,
                &v->bars[q->msix_pba_bar].mr);
    q->msix_table_bar = -1;
    q->msix_pba_bar = -1;
}
