/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One GLib main loop runs everything: chardev I/O (qtest, QMP) and
 * signals.  There are no other threads of machine state.
 */
#include "qemu/osdep.h"
#include "qapi/qmp.h"
#include "hw/core/runstate.h"
#include "trace.h"
#include <glib-unix.h>
#include <signal.h>

static GMainLoop *main_loop;
static bool shutdown_requested;
static guint signal_sources[3];

void qemu_system_shutdown_request(const char *reason)
{
    g_autoptr(JsonObject) data = json_object_new();

    if (shutdown_requested) {
        return;
    }
    shutdown_requested = true;
    trace_runstate_shutdown_request(reason);
    json_object_set_boolean_member(data, "guest", false);
    json_object_set_string_member(data, "reason", reason);
    qmp_event_send("SHUTDOWN", data);
    if (main_loop) {
        g_main_loop_quit(main_loop);
    }
}

bool qemu_system_shutdown_requested(void)
{
    return shutdown_requested;
}

static gboolean main_loop_signal(gpointer opaque)
{
    qemu_system_shutdown_request("host-signal");
    return G_SOURCE_CONTINUE;
}

void main_loop_init(void)
{
    static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
    unsigned i;

    /* A peer closing its socket must be a read of 0, not a kill. */
    signal(SIGPIPE, SIG_IGN);
    main_loop = g_main_loop_new(NULL, FALSE);
    for (i = 0; i < ARRAY_SIZE(signals); i++) {
        signal_sources[i] = g_unix_signal_add(signals[i], main_loop_signal,
                                              NULL);
    }
}

void main_loop_run(void)
{
    if (!shutdown_requested) {
        g_main_loop_run(main_loop);
    }
}

void main_loop_cleanup(void)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(signal_sources); i++) {
        if (signal_sources[i]) {
            g_source_remove(signal_sources[i]);
            signal_sources[i] = 0;
        }
    }
    g_clear_pointer(&main_loop, g_main_loop_unref);
}
