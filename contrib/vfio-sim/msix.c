/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: the MSI-X capability of a device model, its table and PBA.
 *
 * The table and PBA live in the model's mmap-able BAR.  Following
 * drivers/vfio/pci/vfio_pci_core.c as a PowerNV host runs it:
 * - the BAR stays mmap-able in full and its region info carries
 *   VFIO_REGION_INFO_CAP_MSIX_MAPPABLE (msix_mmappable_cap): the PHB
 *   remaps interrupts, so the user cannot forge an MSI by touching it;
 * - read()/write() of the table range are excluded: reads give 0xff,
 *   writes are dropped (vfio_pci_bar_rw, vfio_pci_core_do_io_rw);
 * - the capability has no write permission bits for the user (writes
 *   dropped, vfio_config_do_rw); its Enable bit is what the host set in
 *   hardware through SET_IRQS (vfio_msi_enable / vfio_msi_disable).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include "vsim.h"

/* A capability in the standard list (walk bounded: no loop hangs us). */
unsigned vsim_find_cap(VsimDevice *d, uint8_t id)
{
    unsigned pos = d->config[PCI_CAPABILITY_LIST] & ~3u;

    for (int n = 0; pos >= 0x40 && n < 48; n++) {
        if (d->config[pos + PCI_CAP_LIST_ID] == id) {
            return pos;
        }
        pos = d->config[pos + PCI_CAP_LIST_NEXT] & ~3u;
    }
    return 0;
}

static void put_le(VsimDevice *d, unsigned off, unsigned len, uint32_t v)
{
    for (unsigned i = 0; i < len; i++) {
        d->config[off + i] = v >> (8 * i);
        d->wmask[off + i] = 0;
    }
}

/* Append the MSI-X capability at VSIM_MSIX_CAP after @last. */
void vsim_msix_cap_init(VsimDevice *d, unsigned last)
{
    const VsimModel *m = d->model;

    if (!m->msix_vectors) {
        return;
    }
    d->config[last + PCI_CAP_LIST_NEXT] = VSIM_MSIX_CAP;
    put_le(d, VSIM_MSIX_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSIX);
    put_le(d, VSIM_MSIX_CAP + PCI_CAP_LIST_NEXT, 1, 0);
    put_le(d, VSIM_MSIX_CAP + PCI_MSIX_FLAGS, 2, m->msix_vectors - 1);
    put_le(d, VSIM_MSIX_CAP + PCI_MSIX_TABLE, 4,
           m->msix_table | m->msix_bar);
    put_le(d, VSIM_MSIX_CAP + PCI_MSIX_PBA, 4, m->msix_pba | m->msix_bar);
}

/* Table size from Message Control, 0 without the capability. */
unsigned vsim_msix_table_size(VsimDevice *d)
{
    unsigned pos = vsim_find_cap(d, PCI_CAP_ID_MSIX);

    if (!pos) {
        return 0;
    }
    return ((d->config[pos + PCI_MSIX_FLAGS] |
             d->config[pos + PCI_MSIX_FLAGS + 1] << 8) &
            PCI_MSIX_FLAGS_QSIZE) + 1;
}

/* vfio_msi_enable / vfio_msi_disable: the hardware's MSI-X Enable bit. */
void vsim_msix_set_enable(VsimDevice *d, bool on)
{
    unsigned pos = vsim_find_cap(d, PCI_CAP_ID_MSIX);
    uint8_t bit = PCI_MSIX_FLAGS_ENABLE >> 8;

    if (pos) {
        d->config[pos + PCI_MSIX_FLAGS + 1] =
            (d->config[pos + PCI_MSIX_FLAGS + 1] & ~bit) | (on ? bit : 0);
    }
}

/* The PBA as the hardware latches it: one bit per vector, in the BAR. */
void vsim_msix_set_pba(VsimDevice *d, uint64_t pending)
{
    const VsimModel *m = d->model;
    uint64_t le = GUINT64_TO_LE(pending);

    if (m->msix_vectors && d->mmap_fd >= 0 && (int)m->msix_bar ==
        m->mmap_bar) {
        (void)vsim_libc.pwrite(d->mmap_fd, &le, sizeof(le), m->msix_pba);
    }
}

/*
 * The run of BAR @index bytes from @pos (at most @len) that is entirely
 * inside (*in_table) or entirely outside the MSI-X table.
 */
uint64_t vsim_msix_run(VsimDevice *d, unsigned index, uint64_t pos,
                       uint64_t len, bool *in_table)
{
    const VsimModel *m = d->model;
    uint64_t start = m->msix_table;
    uint64_t end = start + m->msix_vectors * PCI_MSIX_ENTRY_SIZE;

    *in_table = false;
    if (!m->msix_vectors || index != m->msix_bar || pos >= end) {
        return len;
    }
    if (pos < start) {
        return MIN(len, start - pos);
    }
    *in_table = true;
    return MIN(len, end - pos);
}

/*
 * vfio_pci_ioctl_get_region_info: the MSI-X BAR, when mmap-able, carries
 * the MSIX_MAPPABLE capability (msix_mmappable_cap).  A buffer too small
 * for it gets FLAG_CAPS, the needed argsz and cap_offset 0.
 */
long vsim_msix_region_caps(VsimDevice *d, void *arg,
                           struct vfio_region_info *info)
{
    struct vfio_info_cap_header cap = {
        .id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, .version = 1,
    };
    const VsimModel *m = d->model;

    if (!m->msix_vectors || info->index != m->msix_bar ||
        !(info->flags & VFIO_REGION_INFO_FLAG_MMAP)) {
        return 0;
    }
    info->flags |= VFIO_REGION_INFO_FLAG_CAPS;
    if (info->argsz < sizeof(*info) + sizeof(cap)) {
        info->argsz = sizeof(*info) + sizeof(cap);
        info->cap_offset = 0;
        return 0;
    }
    info->cap_offset = sizeof(*info);
    return vsim_copy_to_user((uint8_t *)arg + sizeof(*info), &cap,
                             sizeof(cap));
}
