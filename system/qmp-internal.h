/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP internals shared by the registry, the sessions (monitor.c) and
 * the built-in commands.
 */
#ifndef SYSTEM_QMP_INTERNAL_H
#define SYSTEM_QMP_INTERNAL_H

#include "qapi/qmp.h"
#include "system/chardev.h"

#include "system/qmp-visit.h"

/* Register every command with a generated marshaller (qmp-schema.c). */
void qmp_schema_register(void);

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

/* The built-in commands (qmp-commands.c) and "info mtree" (hmp.c). */
void qmp_register_builtin_commands(void);
void hmp_register_builtin(void);
/*
 * HMP commands other than info (hmp-cmds.c): runs @cmd when it is one
 * (*@found set) and says whether it succeeded.
 */
bool hmp_run_command(const char *cmd, const char *args, GString *out,
                     bool *found, Error **errp);
void hmp_register_cmds(void);
/* info pci, info memory-devices (hmp-info.c). */
void hmp_register_info_pages(void);
/* Registered info page names, sorted (g_list_free the list only). */
GList *hmp_info_names(void);
/* Run "human-monitor-command" text; returns the output text. */
char *hmp_execute(const char *cmdline, Error **errp);
/* Free the registries (teardown, keeps leak checkers quiet). */
void hmp_cleanup(void);

/* A QMP session on @chr (-mon chardev=ID,mode=control or -qmp). */
bool monitor_new_qmp(Chardev *chr, Error **errp);
/* Send one serialized event to every negotiated session. */
void monitor_broadcast(const char *text);
void monitor_cleanup_all(void);
/* A human monitor (HMP) on @chr: -monitor, -mon mode=readline. */
bool monitor_new_hmp(Chardev *chr, Error **errp);
void monitor_hmp_cleanup_all(void);

#endif
