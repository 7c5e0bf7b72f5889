/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Migration as the program sees it: QMP commands on the source and
 * -incoming on the destination.  See docs/migration.md.
 */
#ifndef MIGRATION_MIGRATION_H
#define MIGRATION_MIGRATION_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/* QMP migrate, migrate_cancel, query-migrate. */
void migration_register_qmp(void);
/* Cancel what is in flight and free everything (teardown). */
void migration_cleanup(void);

/*
 * -incoming URI: check the URI, then, once the machine is built, load.
 * file: and exec: load before returning; unix:PATH listens and loads
 * from the main loop when the source connects.  "defer" opens nothing
 * and waits for QMP migrate-incoming, which takes any of those URIs and
 * loads from the main loop.  The machine is started after a successful
 * load unless @start_paused.  A failed load from the main loop reports
 * the error and asks for shutdown; migration_incoming_failed() then
 * tells main() to exit with status 1.
 */
bool migration_incoming_check_uri(const char *uri, Error **errp);
bool migration_incoming_start(const char *uri, bool start_paused,
                              Error **errp);
bool migration_incoming_failed(void);
/*
 * For QMP cont: true while a destination still waits for its stream
 * (-incoming defer, or unix: not yet connected); the machine must not
 * run yet, and is then set to run once the load succeeds even with -S.
 * Otherwise devices a migration left stopped run again.
 */
bool migration_incoming_cont(void);
/* QMP migrate-incoming (registered by migration_register_qmp()). */
void migration_incoming_register_qmp(void);
void migration_incoming_cleanup(void);

/* Both sides: open @uri ("file:", "exec:", "unix:") for the stream. */
int migration_connect_outgoing(const char *uri, GPid *child, Error **errp);
/* Wait for an exec: child; false with @errp unless it exited with 0. */
bool migration_wait_child(GPid child, const char *uri, Error **errp);

#endif
