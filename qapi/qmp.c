/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP events and the state of the command running now, which every
 * layer may use.  The registry is qmp-registry.c; the dispatch that
 * checks commands against the schema is the program's (system/qmp.c),
 * which tells this file when a command runs (qmp_command_enter/leave)
 * and installs where events go and how they are checked.
 */
#include "qemu/osdep.h"
#include "qapi/json-writer.h"
#include "qapi/qmp-internal.h"
#include "trace.h"

/* Commands running now (nested through human-monitor-command). */
static unsigned qmp_running;
/* Serialized events held until the running command's reply is out. */
static GPtrArray *qmp_held_events;
/* The class of the error the running command is failing with. */
static const char *qmp_error_class;

void qmp_error_set_class(const char *klass)
{
    qmp_error_class = klass;
}

const char *qmp_error_take_class(void)
{
    const char *klass = qmp_error_class ? qmp_error_class : "GenericError";

    qmp_error_class = NULL;
    return klass;
}

void qmp_command_enter(void)
{
    qmp_running++;
}

void qmp_command_leave(void)
{
    g_assert(qmp_running);
    qmp_running--;
}

/*
 * Events a command causes but QEMU sends after its reply (device_del's
 * DEVICE_DELETED: QEMU finishes the unplug later): held while a
 * command runs, sent once the session has written the reply.
 */
static char *qmp_event_text(const char *name, JsonObject *data);
static void (*qmp_event_sink)(const char *text);
static void (*qmp_event_check)(const char *name, JsonObject *data);

void qmp_set_event_sink(void (*sink)(const char *text))
{
    qmp_event_sink = sink;
}

void qmp_set_event_check(void (*check)(const char *name, JsonObject *data))
{
    qmp_event_check = check;
}

void qmp_event_send_after_reply(const char *name, JsonObject *data)
{
    if (!qmp_running) {
        qmp_event_send(name, data);
        return;
    }
    if (!qmp_held_events) {
        qmp_held_events = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(qmp_held_events, qmp_event_text(name, data));
}

void qmp_send_held_events(void)
{
    g_autoptr(GPtrArray) held = g_steal_pointer(&qmp_held_events);
    unsigned i;

    for (i = 0; qmp_event_sink && held && i < held->len; i++) {
        qmp_event_sink(held->pdata[i]);
    }
}

void qmp_event_send(const char *name, JsonObject *data)
{
    g_autofree char *text = qmp_event_text(name, data);

    if (qmp_event_sink) {
        qmp_event_sink(text);
    }
}

static char *qmp_event_text(const char *name, JsonObject *data)
{
    g_autoptr(JsonObject) ev = json_object_new();
    g_autoptr(JsonNode) root = json_node_alloc();
    JsonObject *ts = json_object_new();
    gint64 now = g_get_real_time();

    trace_qmp_event(name);
    if (qmp_event_check) {
        qmp_event_check(name, data);
    }
    json_object_set_string_member(ev, "event", name);
    if (data) {
        json_object_set_object_member(ev, "data", json_object_ref(data));
    } else {
        json_object_set_object_member(ev, "data", json_object_new());
    }
    json_object_set_int_member(ts, "seconds", now / G_USEC_PER_SEC);
    json_object_set_int_member(ts, "microseconds", now % G_USEC_PER_SEC);
    json_object_set_object_member(ev, "timestamp", ts);
    json_node_init_object(root, ev);
    return json_write_node(root);
}

void qmp_events_cleanup(void)
{
    g_clear_pointer(&qmp_held_events, g_ptr_array_unref);
}
