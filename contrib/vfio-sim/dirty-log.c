/*
 * vfio-sim: device DMA logging (VFIO_DEVICE_FEATURE_DMA_LOGGING_*).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include "mig.h"

long vsim_dirty_log_start(VsimDevice *d, uint32_t flags, void *data,
                          size_t size)
{
    return -ENOTTY;
}

long vsim_dirty_log_stop(VsimDevice *d, uint32_t flags, void *data,
                         size_t size)
{
    return -ENOTTY;
}

long vsim_dirty_log_report(VsimDevice *d, uint32_t flags, void *data,
                           size_t size)
{
    return -ENOTTY;
}

void vsim_dirty_log_close(VsimDevice *d)
{
}

void vsim_dirty_log_write(VsimDevice *d, uint64_t iova, uint64_t len)
{
}
