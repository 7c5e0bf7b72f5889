/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers the compat programs share: the binary QEMU's libqtest would
 * start, a clean quit, and a QMP command's "return".
 */
#ifndef COMPAT_H
#define COMPAT_H

#include <stdarg.h>
#include <sys/wait.h>
#include "libqtest.h"

static inline const char *qemu_binary(void)
{
    const char *bin = g_getenv("QTEST_QEMU_BINARY");

    g_assert_nonnull(bin);
    return bin;
}

static inline void quit_cleanly(QTestState *qts)
{
    int status = qtest_quit(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* The reply's "return" (copied), failing the test on an error. */
static inline JsonNode *G_GNUC_PRINTF(2, 3)
qmp_ret(QTestState *qts, const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    g_autoptr(JsonObject) reply = NULL;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    reply = qtest_qmp(qts, "%s", cmd);
    if (qtest_qmp_error_desc(reply)) {
        g_error("%s: %s", cmd, qtest_qmp_error_desc(reply));
    }
    return json_node_copy(json_object_get_member(reply, "return"));
}

#endif
