/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The main loop and shutdown requests.
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include "qemu/osdep.h"

/* Install SIGTERM/SIGINT/SIGHUP handlers; ignore SIGPIPE. */
void main_loop_init(void);
/* Run until a shutdown is requested. */
void main_loop_run(void);
/*
 * Ask for an orderly exit: the current handler finishes, then the main
 * loop returns.  Emits the SHUTDOWN event with @reason (QEMU's names:
 * "host-qmp-quit", "host-signal", ...).
 */
void qemu_system_shutdown_request(const char *reason);
bool qemu_system_shutdown_requested(void);
void main_loop_cleanup(void);

#endif
