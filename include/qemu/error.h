/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Error reporting: fallible functions take Error **errp last and return
 * bool (or a negative int) on failure.
 */
#ifndef QEMU_ERROR_H
#define QEMU_ERROR_H

#include "qemu/osdep.h"

typedef struct Error Error;

/* Pass as errp to abort / exit(1) on error. */
extern Error *error_abort;
extern Error *error_fatal;

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *fmt, ...) QEMU_PRINTF(4, 5);
void error_setg_errno_internal(Error **errp, const char *src, int line,
                               int os_errno, const char *fmt, ...)
    QEMU_PRINTF(5, 6);

#define error_setg(errp, ...) \
    error_setg_internal((errp), __FILE__, __LINE__, __VA_ARGS__)
#define error_setg_errno(errp, os_errno, ...) \
    error_setg_errno_internal((errp), __FILE__, __LINE__, (os_errno), \
                              __VA_ARGS__)

void error_prepend(Error **errp, const char *fmt, ...) QEMU_PRINTF(2, 3);
void error_append_hint(Error **errp, const char *fmt, ...) QEMU_PRINTF(2, 3);
void error_propagate(Error **dst_errp, Error *local_err);
const char *error_get_pretty(const Error *err);
Error *error_copy(const Error *err);
void error_free(Error *err);
void error_free_or_abort(Error **errp);
/* Print "progname: msg" to stderr and free. */
void error_report_err(Error *err);

void error_report(const char *fmt, ...) QEMU_PRINTF(1, 2);
void warn_report(const char *fmt, ...) QEMU_PRINTF(1, 2);
void info_report(const char *fmt, ...) QEMU_PRINTF(1, 2);
/* Name used as prefix by error_report(); defaults to "spapr-vfio". */
void error_set_progname(const char *name);
/*
 * -msg: prefix every report with the time (ISO 8601, UTC) when
 * @timestamp, and with @guest_name when not NULL, as QEMU does.
 */
void error_set_message_prefix(bool timestamp, const char *guest_name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Error, error_free)

#endif
