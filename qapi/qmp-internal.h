/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP and HMP registry internals shared by the registry (qmp.c,
 * qmp-registry.c, hmp-info.c here), the dispatch, the sessions and the
 * built-in commands (system/).  The device layers use "qapi/qmp.h",
 * and hw/core's unplug qmp_event_send_after_reply().
 */
#ifndef QAPI_QMP_INTERNAL_H
#define QAPI_QMP_INTERNAL_H

#include "qapi/qmp.h"

/*
 * A command failing with a class other than GenericError (QEMU's
 * DeviceNotFound, ...) names it here before returning its error; the
 * session takes it (GenericError when none was set) for the reply.
 */
void qmp_error_set_class(const char *klass);
const char *qmp_error_take_class(void);

/*
 * An event QEMU sends after the reply of the command causing it: while
 * a command runs it is held, and the session sends it after the reply
 * (qmp_send_held_events); outside a command it goes out at once.
 */
void qmp_event_send_after_reply(const char *name, JsonObject *data);
void qmp_send_held_events(void);

/*
 * The program's dispatch (system/qmp.c) brackets each command's handler
 * with these, so that events sent meanwhile are held as said above.
 */
void qmp_command_enter(void);
void qmp_command_leave(void);

/* Registered info page names, sorted (g_list_free the list only). */
GList *hmp_info_names(void);
/* The "info NAME" handler, or NULL when there is none. */
HmpInfoFunc hmp_info_find(const char *name);
/* Free the registry (teardown, keeps leak checkers quiet). */
void hmp_cleanup(void);

/*
 * Where events go: the program's QMP server (system/monitor.c) installs
 * its broadcast at start-up; before that, or without one, events are
 * dropped (there is no session to send them to).
 */
void qmp_set_event_sink(void (*sink)(const char *text));
/*
 * A check every event goes through before it is sent: the program
 * installs its schema's (system/qmp-schema.c); none until then.
 */
void qmp_set_event_check(void (*check)(const char *name, JsonObject *data));

#endif
