/*
 * vfio-sim: vfio-pci device fd ioctls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
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

static unsigned irq_count(unsigned index)
{
    return index == VFIO_PCI_INTX_IRQ_INDEX ||
           index == VFIO_PCI_MSI_IRQ_INDEX;
}

static long get_irq_info(VsimDevice *d, void *arg)
{
    struct vfio_irq_info info;

    GET_ARG(info, arg, struct vfio_irq_info, count);
    if (info.index >= VFIO_PCI_NUM_IRQS) {
        return -EINVAL;
    }
    info.count = irq_count(info.index);
    info.flags = 0;
    if (info.index == VFIO_PCI_INTX_IRQ_INDEX) {
        info.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
                     VFIO_IRQ_INFO_AUTOMASKED;
    } else if (info.count) {
        info.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
    }
    return vsim_copy_to_user(arg, &info, MINSZ(struct vfio_irq_info, count));
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
    max = irq_count(hdr.index);
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
    case VFIO_DEVICE_RESET:
        vsim_device_reset(d);
        return 0;
    default:
        return -ENOTTY;
    }
}
