/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Machine state in the stream besides RAM: one section per device that
 * has state (qdev save_state), and the whole load on the destination.
 */
#ifndef MIGRATION_SAVEVM_H
#define MIGRATION_SAVEVM_H

#include "migration/stream.h"

/* Every realized device with save_state, in creation order. */
bool savevm_save_devices(MigStream *s, Error **errp);
/*
 * Read a whole stream and apply it: RAM, devices, end marker.  On
 * failure @errp names the section; the machine must not be run then.
 */
bool savevm_load(MigStream *s, Error **errp);

#endif
