/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP and HMP internals of the program: the sessions (monitor.c,
 * monitor-hmp.c) and the built-in commands.  The registry's own
 * (qapi/qmp.c, qapi/hmp-info.c) are in qapi/qmp-internal.h.
 */
#ifndef SYSTEM_QMP_INTERNAL_H
#define SYSTEM_QMP_INTERNAL_H

#include "qapi/qmp-internal.h"
#include "system/chardev.h"

/* migrate-pause, migrate-recover, yank, query-yank (qmp-oob.c). */
void qmp_oob_register(void);
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
