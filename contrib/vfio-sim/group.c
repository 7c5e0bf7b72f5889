/*
 * vfio-sim: IOMMU groups (/dev/vfio/<N>).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <linux/vfio.h>
#include "vsim.h"

#define DEVNAME_MAX 4096    /* the kernel's strndup_user(arg, PAGE_SIZE) */

VsimGroup *vsim_group_get_or_create(unsigned num)
{
    VsimGroup *g = vsim.groups[num];

    if (!g) {
        g = g_new0(VsimGroup, 1);
        g->num = num;
        g->devices = g_ptr_array_new();
        vsim.groups[num] = g;
    }
    return g;
}

int vsim_group_open(unsigned num, int flags)
{
    VsimGroup *g = vsim.groups[num];

    if (!g) {
        return -ENOENT;
    }
    if (g->fd_refs) {
        return -EBUSY;          /* a group file is opened once */
    }
    return vsim_file_install(VSIM_FILE_GROUP, g, flags);
}

static void group_detach(VsimGroup *g)
{
    VsimContainer *c = g->container;

    g_ptr_array_remove(c->groups, g);
    g->container = NULL;
    if (!c->groups->len) {
        vsim_container_reset(c);
    }
}

/* A group fd or device fd went away: detach once nothing holds it. */
void vsim_group_put(VsimGroup *g)
{
    if (!g->fd_refs && !g->dev_refs && g->container) {
        group_detach(g);
    }
}

static long get_status(VsimGroup *g, void *arg)
{
    struct vfio_group_status st;
    size_t minsz = offsetof(struct vfio_group_status, flags) +
                   sizeof(st.flags);

    if (vsim_copy_from_user(&st, arg, minsz) < 0) {
        return -EFAULT;
    }
    if (st.argsz < minsz) {
        return -EINVAL;
    }
    st.flags = VFIO_GROUP_FLAGS_VIABLE;
    if (g->container) {
        st.flags |= VFIO_GROUP_FLAGS_CONTAINER_SET;
    }
    return vsim_copy_to_user(arg, &st, minsz);
}

static long set_container(VsimGroup *g, void *arg)
{
    VsimContainer *c;
    VsimFile *f;
    int fd;

    if (vsim_copy_from_user(&fd, arg, sizeof(fd)) < 0) {
        return -EFAULT;
    }
    f = vsim_file_lookup(fd);
    if (!f && fcntl(fd, F_GETFD) < 0) {
        return -EBADF;
    }
    if (!f || f->kind != VSIM_FILE_CONTAINER) {
        return -EINVAL;
    }
    if (g->container) {
        return -EINVAL;
    }
    c = f->container;
    /* v1 tables belong to a single group */
    if (c->type == VSIM_IOMMU_V1 && c->groups->len) {
        return -EBUSY;
    }
    g->container = c;
    g_ptr_array_add(c->groups, g);
    return 0;
}

static long unset_container(VsimGroup *g)
{
    if (!g->container) {
        return -EINVAL;
    }
    if (g->dev_refs) {
        return -EBUSY;
    }
    group_detach(g);
    return 0;
}

static long get_device_fd(VsimGroup *g, void *arg)
{
    char name[DEVNAME_MAX];
    VsimDevice *d;
    size_t i;

    for (i = 0; i < sizeof(name); i++) {
        if (vsim_copy_from_user(&name[i], (char *)arg + i, 1) < 0) {
            return -EFAULT;
        }
        if (!name[i]) {
            break;
        }
    }
    if (i == sizeof(name)) {
        return -EINVAL;
    }
    if (!g->container || g->container->type == VSIM_IOMMU_NONE) {
        return -EINVAL;
    }
    d = vsim_device_find(name);
    if (!d || d->group != g) {
        return -ENODEV;
    }
    if (!d->fd_refs) {
        vsim_eeh_change_owner(d);   /* vfio_spapr_pci_eeh_open */
    }
    return vsim_file_install(VSIM_FILE_DEVICE, d, O_RDWR | O_CLOEXEC);
}

long vsim_group_ioctl(VsimGroup *g, unsigned long req, void *arg)
{
    switch (req) {
    case VFIO_GROUP_GET_STATUS:
        return get_status(g, arg);
    case VFIO_GROUP_SET_CONTAINER:
        return set_container(g, arg);
    case VFIO_GROUP_UNSET_CONTAINER:
        return unset_container(g);
    case VFIO_GROUP_GET_DEVICE_FD:
        return get_device_fd(g, arg);
    default:
        return -ENOTTY;
    }
}
