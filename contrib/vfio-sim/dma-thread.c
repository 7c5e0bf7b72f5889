/*
 * vfio-sim: the dma-engine's own thread, for a device with a rate.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "mig.h"

/* Without a rate the engine runs inside the CMD write: no thread. */
bool vsim_dmae_thread_start(VsimDevice *d)
{
    return false;
}

void vsim_dmae_thread_wait(VsimDevice *d)
{
}
