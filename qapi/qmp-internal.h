/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP and HMP registry internals shared by the registry (qmp.c,
 * qmp-schema.c, hmp-info.c here), the sessions and the built-in
 * commands (system/).  The device layers use only "qapi/qmp.h".
 */
#ifndef QAPI_QMP_INTERNAL_H
#define QAPI_QMP_INTERNAL_H

#include "qapi/qmp.h"

/*
 * Argument checking as QEMU's QAPI does it, for commands that declare
 * their arguments: each listed member present (unless optional) and of
 * its JSON type, nothing else present.  @spec ends with { NULL }.
 */
typedef enum QmpArgType {
    QMP_ARG_STR, QMP_ARG_BOOL, QMP_ARG_INT, QMP_ARG_OBJECT, QMP_ARG_ARRAY,
    QMP_ARG_ANY,
} QmpArgType;

typedef struct QmpArg {
    const char *name;
    QmpArgType type;
    bool optional;
    const char *introspect;     /* query-qmp-schema type, if not implied */
} QmpArg;

/* One command of the schema (qmp-schema.c). */
typedef struct QmpSchemaCommand {
    const char *name;
    const QmpArg *args;         /* { NULL }-terminated */
    bool ret;                   /* returns a value (else {}) */
    bool allow_oob;
    bool open;                  /* takes members beyond @args too */
} QmpSchemaCommand;

const QmpSchemaCommand *qmp_schema_find(const char *name);
/* query-qmp-schema. */
void qmp_schema_register(void);

bool qmp_args_check(JsonObject *args, const QmpArg *spec, Error **errp);

/*
 * A command failing with a class other than GenericError (QEMU's
 * DeviceNotFound, ...) names it here before returning its error; the
 * session takes it (GenericError when none was set) for the reply.
 */
void qmp_error_set_class(const char *klass);
const char *qmp_error_take_class(void);

/*
 * Commands QEMU marks allow-oob (the schema says which): a session that
 * enabled the oob capability may send them with "exec-oob".
 */
bool qmp_command_allows_oob(const char *name);
/*
 * An event QEMU sends after the reply of the command causing it: while
 * a command runs it is held, and the session sends it after the reply
 * (qmp_send_held_events); outside a command it goes out at once.
 */
void qmp_event_send_after_reply(const char *name, JsonObject *data);
void qmp_send_held_events(void);

/*
 * --preconfig: until x-exit-preconfig runs @exit_fn (which builds the
 * machine), only the commands QEMU allows before machine creation run;
 * qmp_command_allowed_now() says so, with QEMU's error otherwise.
 */
void qmp_preconfig_begin(void (*exit_fn)(void));
bool qmp_command_allowed_now(const char *name, Error **errp);

JsonNode *qmp_x_exit_preconfig(JsonObject *args, Error **errp);

/* Registered command names, sorted (g_list_free the list only). */
GList *qmp_command_names(void);
/* Registered info page names, sorted (g_list_free the list only). */
GList *hmp_info_names(void);
/* The "info NAME" handler, or NULL when there is none. */
HmpInfoFunc hmp_info_find(const char *name);
/* Free the registries (teardown, keeps leak checkers quiet). */
void qmp_registry_cleanup(void);
void hmp_cleanup(void);

/*
 * Where events go: the program's QMP server (system/monitor.c) installs
 * its broadcast at start-up; before that, or without one, events are
 * dropped (there is no session to send them to).
 */
void qmp_set_event_sink(void (*sink)(const char *text));

#endif
