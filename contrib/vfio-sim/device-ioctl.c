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
        info.size = VSIM_CFG_SIZE;
        info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
    } else if (info.index <= VFIO_PCI_BAR5_REGION_INDEX &&
               m->bar_size[info.index]) {
        info.size = m->bar_size[info.index];
        info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
        if ((int)info.index == m->mmap_bar) {
            info.flags |= VFIO_REGION_INFO_FLAG_MMAP;
        }
    }
    return vsim_copy_to_user(arg, &info,
                             MINSZ(struct vfio_region_info, offset));
}

/* A capability in the standard list (walk bounded: no loop hangs us). */
static bool has_cap(VsimDevice *d, uint8_t id)
{
    unsigned pos = d->config[PCI_CAPABILITY_LIST] & ~3u;

    for (int n = 0; pos >= 0x40 && n < 48; n++) {
        if (d->config[pos + PCI_CAP_LIST_ID] == id) {
            return true;
        }
        pos = d->config[pos + PCI_CAP_LIST_NEXT] & ~3u;
    }
    return false;
}

/*
 * Vectors per index as vfio_pci_get_irq_count counts them: INTx when an
 * interrupt pin is wired, MSI from its capability, MSI-X none (no
 * capability), ERR one on a PCI Express device only, REQ always one.
 */
static unsigned irq_count(VsimDevice *d, unsigned index)
{
    switch (index) {
    case VFIO_PCI_INTX_IRQ_INDEX:
        return d->config[PCI_INTERRUPT_PIN] ? 1 : 0;
    case VFIO_PCI_MSI_IRQ_INDEX:
        return has_cap(d, PCI_CAP_ID_MSI) ? 1 : 0;
    case VFIO_PCI_ERR_IRQ_INDEX:
        return has_cap(d, PCI_CAP_ID_EXP) ? 1 : 0;
    case VFIO_PCI_REQ_IRQ_INDEX:
        return 1;
    default:
        return 0;
    }
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
         !has_cap(d, PCI_CAP_ID_EXP))) {
        return -EINVAL;
    }
    info.count = irq_count(d, info.index);
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
    vsim_device_reset(d);
    return 0;
}

static bool one_bit(uint32_t v)
{
    return v && !(v & (v - 1));
}

static long set_irq_triggers(VsimDevice *d, unsigned index, uint32_t flags,
                             const uint8_t *data)
{
    if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        int32_t fd;
        int nfd = -1;

        memcpy(&fd, data, sizeof(fd));
        if (fd >= 0) {
            nfd = vsim_libc.fcntl(fd, F_DUPFD_CLOEXEC, 0);
            if (nfd < 0) {
                return -EBADF;
            }
        } else if (fd != -1) {
            return -EINVAL;
        }
        if (d->irq_fd[index] >= 0) {
            vsim_libc.close(d->irq_fd[index]);
        }
        d->irq_fd[index] = nfd;
        return 0;
    }
    /* DATA_NONE, or DATA_BOOL true: loopback-fire the interrupt */
    if ((flags & VFIO_IRQ_SET_DATA_NONE) || data[0]) {
        if (index == VFIO_PCI_INTX_IRQ_INDEX) {
            d->intx_masked = false;
        }
        vsim_device_irq(d);
    }
    return 0;
}

static long set_irqs(VsimDevice *d, void *arg)
{
    struct vfio_irq_set hdr;
    const size_t minsz = MINSZ(struct vfio_irq_set, count);
    uint32_t dtype, action;
    size_t dsize = 0;
    uint8_t data[4] = { 0 };
    unsigned max;

    GET_ARG(hdr, arg, struct vfio_irq_set, count);
    dtype = hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
    action = hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
    if (hdr.index >= VFIO_PCI_NUM_IRQS || !one_bit(dtype) ||
        !one_bit(action) ||
        (hdr.flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
                       VFIO_IRQ_SET_ACTION_TYPE_MASK))) {
        return -EINVAL;
    }
    max = irq_count(d, hdr.index);
    /* count 0 with DATA_NONE|TRIGGER tears every trigger down */
    if (!hdr.count && dtype == VFIO_IRQ_SET_DATA_NONE &&
        action == VFIO_IRQ_SET_ACTION_TRIGGER) {
        if (d->irq_fd[hdr.index] >= 0) {
            vsim_libc.close(d->irq_fd[hdr.index]);
            d->irq_fd[hdr.index] = -1;
        }
        return 0;
    }
    if (!max || !hdr.count || hdr.start >= max ||
        hdr.count > max - hdr.start) {
        return -EINVAL;
    }
    if (dtype == VFIO_IRQ_SET_DATA_BOOL) {
        dsize = 1;
    } else if (dtype == VFIO_IRQ_SET_DATA_EVENTFD) {
        dsize = sizeof(int32_t);
    }
    if (hdr.argsz - minsz < dsize * hdr.count) {
        return -EINVAL;
    }
    if (vsim_copy_from_user(data, (uint8_t *)arg + minsz, dsize) < 0) {
        return -EFAULT;
    }
    if (action == VFIO_IRQ_SET_ACTION_TRIGGER) {
        return set_irq_triggers(d, hdr.index, hdr.flags, data);
    }
    /* MASK/UNMASK: INTx only, as vfio-pci */
    if (hdr.index != VFIO_PCI_INTX_IRQ_INDEX) {
        return -EINVAL;
    }
    if (dtype != VFIO_IRQ_SET_DATA_EVENTFD) {
        bool set = dtype == VFIO_IRQ_SET_DATA_NONE || data[0];

        if (set) {
            d->intx_masked = action == VFIO_IRQ_SET_ACTION_MASK;
        }
    }
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
        return set_irqs(d, arg);
    case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
        return hot_reset_info(d, arg);
    case VFIO_DEVICE_PCI_HOT_RESET:
        return hot_reset(d, arg);
    case VFIO_DEVICE_RESET:
        vsim_device_reset(d);
        return 0;
    case VFIO_DEVICE_FEATURE:
        return vsim_device_feature(d, arg);
    default:
        return -ENOTTY;
    }
}
