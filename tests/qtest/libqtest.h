/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * libqtest-style client: starts build/spapr-vfio the way QEMU's libqtest
 * starts QEMU (it listens on a qtest socket and a QMP socket, the binary
 * connects to both) and speaks both protocols.  Also used by the demo
 * and the benchmarks.
 *
 * Errors in the protocol (a FAIL reply, a dead process) abort the test
 * with a message: tests assert on values, not on transport.
 */
#ifndef LIBQTEST_H
#define LIBQTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct QTestState QTestState;

/*
 * Binary: $QTEST_SPAPR_VFIO_BINARY, else the build's spapr-vfio.
 * Environment additions for the child (e.g. LD_PRELOAD for vfio-sim)
 * come from qtest_init_env().  @extra_args are appended to the command
 * line (split on spaces, as libqtest does).
 */
QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* @envp: NULL-terminated "KEY=VALUE" strings added to the environment. */
QTestState *qtest_init_env(const char *extra_args, char **envp);
/* SIGTERM, wait; returns the exit status (as from waitpid). */
int qtest_quit(QTestState *s);
/* Wait for a process that is exiting on its own (no signal), then
 * free; returns the exit status.  For tests of fatal errors, where a
 * SIGTERM could race with the process's own exit. */
int qtest_wait_exit(QTestState *s);
/* Like quit but sends QMP "quit" first. */
int qtest_quit_qmp(QTestState *s);
pid_t qtest_pid(QTestState *s);
/* What the child wrote to stderr so far (captured). */
const char *qtest_stderr(QTestState *s);

/* Raw qtest line: returns the reply line without "\n" (g_free it). */
char *qtest_command(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t value);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t value);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value);
void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
/* b64read / b64write: for large buffers. */
void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t patt, size_t size);

/*
 * "hcall OPCODE ARGS...": returns the hcall return code; up to @nout
 * output registers are stored in @out (may be NULL when @nout is 0).
 */
int64_t qtest_hcall(QTestState *s, uint64_t opcode, unsigned nargs,
                    const uint64_t *args, unsigned nout, uint64_t *out);
/*
 * RTAS call through guest memory at @buf (scratch RAM the test owns):
 * args are written there as big-endian words, "rtas NAME ..." is sent,
 * rets read back.  Returns the qtest reply value (0 when NAME exists).
 */
uint64_t qtest_rtas_call(QTestState *s, const char *name,
                         uint32_t nargs, const uint32_t *args,
                         uint32_t nret, uint32_t *rets, uint64_t buf);

/*
 * QMP: send a command (printf-style JSON text), wait for its reply,
 * skipping and queueing events.  Returns the whole reply object
 * (json_object_unref it).
 */
JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Send raw bytes on the QMP socket (for malformed input tests). */
void qtest_qmp_send_raw(QTestState *s, const char *data, size_t len);
/* Read the next reply (not event) object. */
JsonObject *qtest_qmp_receive(QTestState *s);
/* Wait for an event NAME (returns it; queued events are searched first). */
JsonObject *qtest_qmp_eventwait(QTestState *s, const char *name);
/* Wait for a MIGRATION event past "setup"/"active"; its status (g_free). */
char *qtest_migration_wait_end(QTestState *s);
/*
 * human-monitor-command; returns the text (g_free it), its CR LF line
 * ends as LF.
 */
char *qtest_hmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Run a command; fail the test unless it returns without error. */
void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Run a command; fail the test unless its error desc contains @needle. */
void qtest_qmp_assert_error(QTestState *s, const char *needle,
                            const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Does a reply carry "error"? Returns its "desc" (or NULL). */
const char *qtest_qmp_error_desc(JsonObject *reply);

/*
 * Start @binary exactly as QEMU 7.2's libqtest starts QEMU (see
 * libqtest.c); @greeting, when not NULL, receives the QMP greeting
 * (json_object_unref it).
 */
QTestState *qtest_init_qemu_style(const char *binary, const char *extra,
                                  JsonObject **greeting);
/*
 * The next QMP object as the binary sent it, event or reply, bypassing
 * the event queue: for tests of what comes first.
 */
JsonObject *qtest_qmp_eventwait_or_reply(QTestState *s);

/*
 * Interrupts, as QEMU's libqtest offers them.  After an intercept on
 * the interrupt controller (its QOM path, or "ics") the binary sends
 * asynchronous "IRQ raise N" / "IRQ lower N" lines; every command's
 * reply skips and records them.  qtest_get_irq: the level last seen for
 * global number @num (an edge source raises then lowers at once, so
 * its level reads 0); qtest_irq_count: raises seen so far;
 * qtest_irq_wait: read asynchronous lines until @num was raised
 * @count times in all, or @timeout_ms passed (false).
 */
void qtest_irq_intercept_out(QTestState *s, const char *qom_path);
void qtest_irq_intercept_in(QTestState *s, const char *qom_path);
bool qtest_get_irq(QTestState *s, int num);
unsigned qtest_irq_count(QTestState *s, int num);
bool qtest_irq_wait(QTestState *s, int num, unsigned count, int timeout_ms);
#endif
