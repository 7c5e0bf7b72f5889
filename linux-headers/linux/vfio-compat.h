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

#endif
