/*
 * vfio-sim: the file-system names the simulator answers for.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VSIM_PATHS_H
#define VSIM_PATHS_H

#include <stdbool.h>
#include <sys/stat.h>

typedef enum VsimPathKind {
    VSIM_PATH_NONE,             /* not ours: libc answers */
    VSIM_PATH_MISSING,          /* ours, but nothing there: ENOENT */
    VSIM_PATH_VFIO_DIR,         /* /dev/vfio */
    VSIM_PATH_CONTAINER,        /* /dev/vfio/vfio */
    VSIM_PATH_GROUP,            /* /dev/vfio/<N> */
    VSIM_PATH_PCI_DEV,          /* /sys/bus/pci/devices/<BDF> */
    VSIM_PATH_IOMMU_GROUP,      /* /sys/bus/pci/devices/<BDF>/iommu_group */
} VsimPathKind;

typedef struct VsimPath {
    VsimPathKind kind;
    unsigned group;
} VsimPath;

/* True when @path is in the simulator's name space (initialises it). */
bool vsim_path_classify(const char *path, VsimPath *p);
/* The open(2) of such a path: new fd or -errno. */
int vsim_path_open(const VsimPath *p, int flags);
/* stat(2)/lstat(2) of such a path: 0 or -errno. */
int vsim_path_stat(const VsimPath *p, struct stat *st, bool follow);
/* The iommu_group symlink target; NULL for other kinds. */
char *vsim_path_link(const VsimPath *p, bool absolute);
/* fstat(2) of one of our fds. */
void vsim_fd_stat(int fd, struct stat *st);

#endif /* VSIM_PATHS_H */
