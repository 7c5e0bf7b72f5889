/*
 * vfio-sim: answering for /dev/vfio and the devices' sysfs entries.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "vsim.h"
#include "paths.h"

#define DEV_VFIO        "/dev/vfio"
#define SYS_PCI_DEVICES "/sys/bus/pci/devices/"
#define VFIO_MISC_MINOR 196
#define VFIO_GROUP_MAJOR 243    /* dynamic on a real host; fixed here */

static bool parse_group(const char *s, unsigned *num)
{
    char *end;
    unsigned long n;

    if (!g_ascii_isdigit(*s)) {
        return false;
    }
    n = strtoul(s, &end, 10);
    if (*end || n >= VSIM_MAX_GROUPS) {
        return false;
    }
    *num = n;
    return true;
}

bool vsim_path_classify(const char *path, VsimPath *p)
{
    p->kind = VSIM_PATH_NONE;
    if (!path) {
        return false;
    }
    if (!strncmp(path, DEV_VFIO, strlen(DEV_VFIO))) {
        const char *rest = path + strlen(DEV_VFIO);

        if (*rest && *rest != '/') {
            return false;           /* /dev/vfiox: not ours */
        }
        vsim_init();
        vsim_lock();
        vsim.used = true;
        if (!*rest || !strcmp(rest, "/")) {
            p->kind = VSIM_PATH_VFIO_DIR;
        } else if (!strcmp(rest, "/vfio")) {
            p->kind = VSIM_PATH_CONTAINER;
        } else if (parse_group(rest + 1, &p->group) &&
                   vsim.groups[p->group]) {
            p->kind = VSIM_PATH_GROUP;
        } else {
            p->kind = VSIM_PATH_MISSING;
        }
        vsim_unlock();
        return true;
    }
    if (!strncmp(path, SYS_PCI_DEVICES, strlen(SYS_PCI_DEVICES))) {
        const char *rest = path + strlen(SYS_PCI_DEVICES);
        g_autofree char *bdf = g_strndup(rest, 12);
        VsimDevice *d;

        if (strlen(bdf) != 12 || (rest[12] && strcmp(rest + 12, "/") &&
                                  strcmp(rest + 12, "/iommu_group"))) {
            return false;
        }
        vsim_init();
        vsim_lock();
        d = vsim_device_find(bdf);
        if (d) {
            vsim.used = true;
            p->group = d->group->num;
            p->kind = !strcmp(rest + 12, "/iommu_group")
                      ? VSIM_PATH_IOMMU_GROUP : VSIM_PATH_PCI_DEV;
        }
        vsim_unlock();
        return d != NULL;
    }
    return false;
}

int vsim_path_open(const VsimPath *p, int flags)
{
    int r;

    switch (p->kind) {
    case VSIM_PATH_CONTAINER:
        vsim_lock();
        r = vsim_container_open(flags);
        vsim_unlock();
        return r;
    case VSIM_PATH_GROUP:
        vsim_lock();
        r = vsim_group_open(p->group, flags);
        vsim_unlock();
        return r;
    case VSIM_PATH_VFIO_DIR:
    case VSIM_PATH_PCI_DEV:
    case VSIM_PATH_IOMMU_GROUP:
        return -EISDIR;
    default:
        return -ENOENT;
    }
}

static void fill_stat(struct stat *st, mode_t mode, dev_t rdev, ino_t ino)
{
    memset(st, 0, sizeof(*st));
    st->st_mode = mode;
    st->st_nlink = S_ISDIR(mode) ? 2 : 1;
    st->st_uid = getuid();
    st->st_gid = getgid();
    st->st_rdev = rdev;
    st->st_ino = ino;
    st->st_dev = makedev(0, 6);
    st->st_blksize = 4096;
}

int vsim_path_stat(const VsimPath *p, struct stat *st, bool follow)
{
    switch (p->kind) {
    case VSIM_PATH_VFIO_DIR:
        fill_stat(st, S_IFDIR | 0755, 0, 0x7f000);
        return 0;
    case VSIM_PATH_CONTAINER:
        fill_stat(st, S_IFCHR | 0666, makedev(10, VFIO_MISC_MINOR), 0x7f001);
        return 0;
    case VSIM_PATH_GROUP:
        fill_stat(st, S_IFCHR | 0600, makedev(VFIO_GROUP_MAJOR, p->group),
                  0x7f100 + p->group);
        return 0;
    case VSIM_PATH_PCI_DEV:
        fill_stat(st, S_IFDIR | 0755, 0, 0x7f200);
        return 0;
    case VSIM_PATH_IOMMU_GROUP:
        /* following the link lands in /sys/kernel/iommu_groups/<N> */
        fill_stat(st, follow ? S_IFDIR | 0755 : S_IFLNK | 0777, 0,
                  0x7f300 + p->group);
        return 0;
    default:
        return -ENOENT;
    }
}

char *vsim_path_link(const VsimPath *p, bool absolute)
{
    if (p->kind != VSIM_PATH_IOMMU_GROUP) {
        return NULL;
    }
    return g_strdup_printf("%s/kernel/iommu_groups/%u",
                           absolute ? "/sys" : "../../../..", p->group);
}

void vsim_fd_stat(int fd, struct stat *st)
{
    VsimFile *f = vsim_file_lookup(fd);
    VsimPath p = { .kind = VSIM_PATH_CONTAINER };

    if (f && f->kind != VSIM_FILE_CONTAINER) {
        /* a device fd is an anonymous inode on the host; close enough */
        p.kind = VSIM_PATH_GROUP;
        p.group = f->kind == VSIM_FILE_GROUP ? f->group->num
                                             : f->device->group->num;
    }
    vsim_path_stat(&p, st, true);
}
