/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Machine state in the stream besides RAM: one section per device that
 * has state (qdev save_state), and the whole load on the destination.
 */
#ifndef MIGRATION_SAVEVM_H
#define MIGRATION_SAVEVM_H

#include "migration/stream.h"
#include "hw/qdev.h"

/* Every realized device with save_state, in creation order. */
bool savevm_save_devices(MigStream *s, Error **errp);
/*
 * Read a whole stream and apply it: RAM, devices, end marker.  On
 * failure @errp names the section; the machine must not be run then.
 */
bool savevm_load(MigStream *s, Error **errp);

/*
 * Devices with DeviceClass.mig_ops (state outside the process): their
 * data goes in "device-data" sections, instance = migration path.
 */
#define SAVEVM_DEVICE_DATA      "device-data"
/* Largest payload of one such section. */
#define SAVEVM_DEVICE_CHUNK     (1u << 20)

/* Source: the migration starts (machine running). */
bool savevm_devices_setup(Error **errp);
/* Source, between RAM passes: what the devices have now. */
bool savevm_devices_iterate(MigStream *s, Error **errp);
/* Source, machine stopped: every device's DMA stops. */
bool savevm_devices_stop(Error **errp);
/* Source, after the last RAM: the devices' final state. */
bool savevm_devices_complete(MigStream *s, Error **errp);
/* Source, the end: @ok, or every device runs again. */
void savevm_devices_cleanup(bool ok);
/* Either side: the machine runs (again). */
void savevm_devices_run(void);
/* Sum over the devices; false when there is none. */
bool savevm_devices_stats(DeviceMigrationStats *sum);

#endif
