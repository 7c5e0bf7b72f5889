/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Compatibility definitions for hosts whose <linux/vfio.h> predates
 * what spapr-vfio uses.  The system header is the source of the ABI:
 * everything here is guarded and only fills gaps.
 */
#ifndef LINUX_VFIO_COMPAT_H
#define LINUX_VFIO_COMPAT_H

#include <linux/vfio.h>

#ifndef VFIO_SPAPR_TCE_v2_IOMMU
#define VFIO_SPAPR_TCE_v2_IOMMU 7
#endif

#ifndef VFIO_IOMMU_SPAPR_INFO_DDW
#define VFIO_IOMMU_SPAPR_INFO_DDW (1 << 0)
#endif

/*
 * VFIO migration v2 additions of Linux 6.2/6.3 (PRE_COPY states, the
 * PRECOPY_INFO ioctl on the data_fd, MIG_DATA_SIZE).  A header without
 * VFIO_MIGRATION_PRE_COPY lacks all of them, enum members included.
 */
#ifndef VFIO_MIGRATION_PRE_COPY
#define VFIO_MIGRATION_PRE_COPY (1 << 2)
#define VFIO_DEVICE_STATE_PRE_COPY 6
#define VFIO_DEVICE_STATE_PRE_COPY_P2P 7

struct vfio_precopy_info {
    __u32 argsz;
    __u32 flags;
    __aligned_u64 initial_bytes;
    __aligned_u64 dirty_bytes;
};

#define VFIO_MIG_GET_PRECOPY_INFO _IO(VFIO_TYPE, VFIO_BASE + 21)
#endif

#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
struct vfio_device_feature_mig_data_size {
    __aligned_u64 stop_copy_length;
};

#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
#endif

#endif
