/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Error objects and reporting.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"

struct Error {
    char *msg;
    GString *hint;
    const char *src;
    int line;
};

/* Sentinels: only their addresses matter. */
Error *error_abort;
Error *error_fatal;

static const char *progname = "spapr-vfio";

void error_set_progname(const char *name)
{
    progname = name;
}

/* -msg timestamp=on, guest-name=on (error_set_message_prefix). */
static bool msg_timestamp;
static char *msg_guest_name;

void error_set_message_prefix(bool timestamp, const char *guest_name)
{
    msg_timestamp = timestamp;
    g_free(msg_guest_name);
    msg_guest_name = g_strdup(guest_name);
}

/* As QEMU: "TIME GUEST progname: ", each part when asked for. */
static void error_print_prefix(void)
{
    if (msg_timestamp) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *ts = g_date_time_format_iso8601(now);

        fprintf(stderr, "%s ", ts);
    }
    if (msg_guest_name) {
        fprintf(stderr, "%s ", msg_guest_name);
    }
}

static void error_handle(Error **errp, Error *err)
{
    if (errp == &error_abort) {
        fprintf(stderr, "%s: unexpected error at %s:%d: %s\n", progname,
                err->src, err->line, err->msg);
        abort();
    }
    if (errp == &error_fatal) {
        error_report_err(err);
        exit(1);
    }
    if (!errp) {
        error_free(err);
        return;
    }
    /* The first error wins: a second one would be a caller bug. */
    assert(*errp == NULL);
    *errp = err;
}

static void error_vsetg(Error **errp, const char *src, int line,
                        int os_errno, const char *fmt, va_list ap)
{
    Error *err = g_new0(Error, 1);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    if (os_errno) {
        err->msg = g_strdup_printf("%s: %s", msg, g_strerror(os_errno));
    } else {
        err->msg = g_steal_pointer(&msg);
    }
    err->src = src;
    err->line = line;
    error_handle(errp, err);
}

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vsetg(errp, src, line, 0, fmt, ap);
    va_end(ap);
}

void error_setg_errno_internal(Error **errp, const char *src, int line,
                               int os_errno, const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    va_start(ap, fmt);
    error_vsetg(errp, src, line, os_errno, fmt, ap);
    va_end(ap);
    errno = saved;
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    va_list ap;
    char *prefix, *msg;

    if (!errp || !*errp || errp == &error_abort || errp == &error_fatal) {
        return;
    }
    va_start(ap, fmt);
    prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strconcat(prefix, (*errp)->msg, NULL);
    g_free(prefix);
    g_free((*errp)->msg);
    (*errp)->msg = msg;
}

void error_append_hint(Error **errp, const char *fmt, ...)
{
    va_list ap;

    if (!errp || !*errp || errp == &error_abort || errp == &error_fatal) {
        return;
    }
    if (!(*errp)->hint) {
        (*errp)->hint = g_string_new(NULL);
    }
    va_start(ap, fmt);
    g_string_append_vprintf((*errp)->hint, fmt, ap);
    va_end(ap);
}

void error_propagate(Error **dst_errp, Error *local_err)
{
    if (!local_err) {
        return;
    }
    if (dst_errp && *dst_errp && dst_errp != &error_abort &&
        dst_errp != &error_fatal) {
        error_free(local_err);
        return;
    }
    error_handle(dst_errp, local_err);
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

Error *error_copy(const Error *err)
{
    Error *copy = g_new0(Error, 1);

    copy->msg = g_strdup(err->msg);
    copy->src = err->src;
    copy->line = err->line;
    if (err->hint) {
        copy->hint = g_string_new(err->hint->str);
    }
    return copy;
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        if (err->hint) {
            g_string_free(err->hint, TRUE);
        }
        g_free(err);
    }
}

void error_free_or_abort(Error **errp)
{
    assert(errp && *errp);
    error_free(*errp);
    *errp = NULL;
}

void error_report_err(Error *err)
{
    error_print_prefix();
    fprintf(stderr, "%s: %s\n", progname, err->msg);
    if (err->hint) {
        fputs(err->hint->str, stderr);
    }
    error_free(err);
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    error_print_prefix();
    fprintf(stderr, "%s: %s%s\n", progname, kind, msg);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("info: ", fmt, ap);
    va_end(ap);
}

size_t qemu_real_host_page_size(void)
{
    static size_t size;

    if (!size) {
        size = (size_t)sysconf(_SC_PAGESIZE);
    }
    return size;
}
