/*
 * vfio-sim: vfio-pci device fd ioctls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include "vsim.h"

static long get_info(VsimDevice *d, void *arg)
{
    struct vfio_device_info info;

    GET_ARG(info, arg, struct vfio_device_info, num_irqs);
    info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
    info.num_regions = VFIO_PCI_NUM_REGIONS;
    info.num_irqs = VFIO_PCI_NUM_IRQS;
    return vsim_copy_to_user(arg, &info,
                             MINSZ(struct vfio_device_info, num_irqs));
}

static long get_region_info(VsimDevice *d, void *arg)
{
    struct vfio_region_info info;
    const VsimModel *m = d->model;

    GET_ARG(info, arg, struct vfio_region_info, offset);
    if (info.index >= VFIO_PCI_NUM_REGIONS) {
        return -EINVAL;
    }
    info.offset = (uint64_t)info.index << VSIM_REGION_SHIFT;
    info.cap_offset = 0;
    info.flags = 0;
    info.size = 0;
    if (info.index == VFIO_PCI_CONFIG_REGION_INDEX) {
        info.size = vsim_device_cfg_size(d);
        info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
    } else if (info.index <= VFIO_PCI_BAR5_REGION_INDEX &&
               m->bar_size[info.index]) {
        info.size = m->bar_size[info.index];
        info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
        if ((int)info.index == m->mmap_bar) {
            info.flags |= VFIO_REGION_INFO_FLAG_MMAP;
        }
        if (vsim_msix_region_caps(d, arg, &info) < 0) {
            return -EFAULT;
        }
    }
    return vsim_copy_to_user(arg, &info,
                             MINSZ(struct vfio_region_info, offset));
}

/*
 * vfio_pci_ioctl_get_irq_info: ERR is refused (EINVAL) on conventional
 * PCI; every known index is EVENTFD, INTx maskable and automasked, the
 * others NORESIZE (MSI-X without dynamic allocation included).
 */
static long get_irq_info(VsimDevice *d, void *arg)
{
    struct vfio_irq_info info;

    GET_ARG(info, arg, struct vfio_irq_info, count);
    if (info.index >= VFIO_PCI_NUM_IRQS ||
        (info.index == VFIO_PCI_ERR_IRQ_INDEX &&
         !vsim_find_cap(d, PCI_CAP_ID_EXP))) {
        return -EINVAL;
    }
    info.count = vsim_irq_count(d, info.index);
    info.flags = VFIO_IRQ_INFO_EVENTFD;
    if (info.index == VFIO_PCI_INTX_IRQ_INDEX) {
        info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
    } else {
        info.flags |= VFIO_IRQ_INFO_NORESIZE;
    }
    return vsim_copy_to_user(arg, &info, MINSZ(struct vfio_irq_info, count));
}

/*
 * vfio_pci_ioctl_get_pci_hot_reset_info: the devices a slot or bus reset
 * of this one would also reset.  Each simulated device sits alone in its
 * slot, so the list is itself.  Too small a buffer: ENOSPC with the
 * header's count set; flags are 0 for a group-opened device.
 */
static long hot_reset_info(VsimDevice *d, void *arg)
{
    struct vfio_pci_hot_reset_info hdr;
    struct vfio_pci_dependent_device dev = { 0 };
    const size_t minsz = MINSZ(struct vfio_pci_hot_reset_info, count);
    unsigned seg, bus, slot, fn;
    long r = 0;

    GET_ARG(hdr, arg, struct vfio_pci_hot_reset_info, count);
    hdr.flags = 0;
    if (hdr.argsz < sizeof(hdr) + sizeof(dev)) {
        r = -ENOSPC;
    }
    hdr.count = 1;
    if (vsim_copy_to_user(arg, &hdr, minsz) < 0) {
        return -EFAULT;
    }
    if (r) {
        return r;
    }
    sscanf(d->bdf, "%x:%x:%x.%x", &seg, &bus, &slot, &fn);
    dev.group_id = d->group->num;
    dev.segment = seg;
    dev.bus = bus;
    dev.devfn = slot << 3 | fn;
    return vsim_copy_to_user((uint8_t *)arg + sizeof(hdr), &dev,
                             sizeof(dev));
}

/*
 * vfio_pci_ioctl_pci_hot_reset with a group fd list: flags must be 0,
 * the list non-empty and no longer than the reset domain (one device),
 * each entry an open fd (EBADF) of a vfio group (EINVAL), and the groups
 * given must own every device of the domain (EINVAL).  The reset itself
 * is the device's reset.
 */
static long hot_reset(VsimDevice *d, void *arg)
{
    struct vfio_pci_hot_reset hdr;
    int32_t fd;
    bool owned = false;

    GET_ARG(hdr, arg, struct vfio_pci_hot_reset, count);
    if (hdr.flags || !hdr.count || hdr.count > 1) {
        return -EINVAL;
    }
    if (vsim_copy_from_user(&fd, (uint8_t *)arg + sizeof(hdr),
                            sizeof(fd)) < 0) {
        return -EFAULT;
    }
    for (unsigned i = 0; i < hdr.count; i++) {
        VsimFile *f = vsim_file_lookup(fd);

        if (!f && vsim_libc.fcntl(fd, F_GETFD) < 0) {
            return -EBADF;
        }
        if (!f || f->kind != VSIM_FILE_GROUP) {
            return -EINVAL;
        }
        owned |= f->group == d->group;
    }
    if (!owned) {
        return -EINVAL;
    }
    vsim_device_reset_function(d);    /* pci_reset_bus saves/restores */
    return 0;
}

long vsim_device_ioctl(VsimDevice *d, unsigned long req, void *arg)
{
    switch (req) {
    case VFIO_DEVICE_GET_INFO:
        return get_info(d, arg);
    case VFIO_DEVICE_GET_REGION_INFO:
        return get_region_info(d, arg);
    case VFIO_DEVICE_GET_IRQ_INFO:
        return get_irq_info(d, arg);
    case VFIO_DEVICE_SET_IRQS:
        return vsim_irq_set_irqs(d, arg);
    case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
        return hot_reset_info(d, arg);
    case VFIO_DEVICE_PCI_HOT_RESET:
        return hot_reset(d, arg);
    case VFIO_DEVICE_RESET:
        vsim_device_reset_function(d);
        return 0;
    case VFIO_DEVICE_FEATURE:
        return vsim_device_feature(d, arg);
    default:
        return -ENOTTY;
    }
}
