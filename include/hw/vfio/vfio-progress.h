/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Progress of long host operations of vfio (pinning guest RAM), as set
 * by "-msg progress=on|off".
 */
#ifndef HW_VFIO_VFIO_PROGRESS_H
#define HW_VFIO_VFIO_PROGRESS_H

#include "qemu/osdep.h"

/*
 * Print progress of REGISTER_MEMORY on stderr once it has taken
 * @after_ms milliseconds (default: on, after 1000 ms).
 */
void vfio_prereg_set_progress(bool on, int64_t after_ms);

#endif
