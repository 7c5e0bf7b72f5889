/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim control channel client, for tests that check the simulated
 * host's state from outside the program under test.
 *
 *   VsimControl *c = vsim_control_connect(path, &err);
 *   JsonObject *st = vsim_control_state(c, &err);    // caller unrefs
 *   vsim_control_fault(c, "VFIO_IOMMU_MAP_DMA", 1, "ENOMEM", &err);
 *   vsim_control_close(c);
 *
 * vsim_control_connect() waits (up to 5 s) for the socket to appear: the
 * simulator opens it when the program first touches /dev/vfio.
 * Every call returns NULL/false with @errp set on failure, including an
 * {"error": ...} reply from the simulator.
 */
#ifndef VSIM_CONTROL_CLIENT_H
#define VSIM_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct VsimControl VsimControl;

VsimControl *vsim_control_connect(const char *path, GError **errp);
void vsim_control_close(VsimControl *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VsimControl, vsim_control_close)

/* Send {"cmd": @cmd, ...@args}; return the "return" object. */
JsonObject *vsim_control_request(VsimControl *c, const char *cmd,
                                 JsonObject *args, GError **errp);

JsonObject *vsim_control_state(VsimControl *c, GError **errp);
/* Mapped runs of window @slot of container @container (0: the only one). */
JsonObject *vsim_control_tces(VsimControl *c, unsigned container, int slot,
                              GError **errp);
/* Make the @nth next call of @ioctl fail with @errno_name ("EBUSY"). */
bool vsim_control_fault(VsimControl *c, const char *ioctl, unsigned nth,
                        const char *errno_name, GError **errp);
/* Run a dma-engine command: op is "copy", "fill", "checksum" or "nop". */
JsonObject *vsim_control_dma(VsimControl *c, const char *bdf,
                             const char *op, uint64_t src, uint64_t dst,
                             uint64_t len, uint64_t pattern, GError **errp);
/*
 * The checksum of a "dma" reply, unsigned: "result_hex" when the
 * simulator sends it, else the signed "result" of older ones.
 */
uint64_t vsim_control_dma_result(JsonObject *reply);
/* The device's own config header view: {device, command, status}. */
JsonObject *vsim_control_device(VsimControl *c, const char *bdf,
                                GError **errp);
bool vsim_control_reset_counters(VsimControl *c, GError **errp);
/* The PE of device @bdf: @action "freeze" or "state" (caller unrefs). */
JsonObject *vsim_control_eeh(VsimControl *c, const char *bdf,
                             const char *action, GError **errp);
/* The @nth next access of device @bdf freezes its PE. */
bool vsim_control_fault_freeze(VsimControl *c, const char *bdf, unsigned nth,
                               GError **errp);

#endif /* VSIM_CONTROL_CLIENT_H */
