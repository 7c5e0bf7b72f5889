/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP and HMP internals of the program: the dispatch against the
 * schema (qmp.c, qmp-schema.c), the sessions (monitor.c, monitor-hmp.c)
 * and the built-in commands.  The registry's own (qapi/qmp.c,
 * qapi/qmp-registry.c, qapi/hmp-info.c) are in qapi/qmp-internal.h.
 */
#ifndef SYSTEM_QMP_INTERNAL_H
#define SYSTEM_QMP_INTERNAL_H

#include "qapi/qmp-internal.h"
#include "system/chardev.h"
#include "system/qmp-visit.h"

/*
 * Run a command without a session (HMP, tests, internal use): its
 * arguments checked against the schema, then its handler.
 */
JsonNode *qmp_dispatch(const char *name, JsonObject *args, Error **errp);

/*
 * Register every command with a generated marshaller and install the
 * schema check of events (qmp-schema.c).
 */
void qmp_schema_register(void);
/*
 * The event check qmp_schema_register() installs (qmp.c): under
 * SPAPR_VFIO_QMP_STRICT=1 an event not declared in qapi/schema.json,
 * or sent with other data, is reported.
 */
void qmp_event_check_schema(const char *name, JsonObject *data);

/*
 * Commands QEMU marks allow-oob (the schema says which): a session that
 * enabled the oob capability may send them with "exec-oob".
 */
bool qmp_command_allows_oob(const char *name);

/*
 * --preconfig: until x-exit-preconfig runs @exit_fn (which builds the
 * machine), only the commands QEMU allows before machine creation run;
 * qmp_command_allowed_now() says so, with QEMU's error otherwise.
 */
void qmp_preconfig_begin(void (*exit_fn)(void));
bool qmp_command_allowed_now(const char *name, Error **errp);

/* The built-in commands (qmp-commands.c) and "info mtree" (hmp.c). */
void qmp_register_builtin_commands(void);
/* x-query-irq, query-spapr-irq and "info irq" (qmp-irq.c). */
void qmp_irq_register(void);
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
/* Run "human-monitor-command" text; returns the output text. */
char *hmp_execute(const char *cmdline, Error **errp);
/* A QMP session on @chr (-mon chardev=ID,mode=control or -qmp). */
bool monitor_new_qmp(Chardev *chr, Error **errp);
/* Send one serialized event to every negotiated session. */
void monitor_broadcast(const char *text);
void monitor_cleanup_all(void);
/* A human monitor (HMP) on @chr: -monitor, -mon mode=readline. */
bool monitor_new_hmp(Chardev *chr, Error **errp);
void monitor_hmp_cleanup_all(void);

#endif
