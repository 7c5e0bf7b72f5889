/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Built-in QMP commands: run state, reset, quit, introspection,
 * human-monitor-command, devices, memory backend objects, dumpdtb,
 * trace event state.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "migration/migration.h"
#include "sysemu/machine.h"
#include "system/machines.h"
#include "system/objects.h"
#include "system/qmp-internal.h"
#include "qmp-schema-gen.h"
#include "system/qom.h"
#include "system/qmp-version.h"
#include "system/runstate.h"
#include "qemu/trace.h"

/* The string form of a JSON scalar, as -device/-object would write it. */
static char *qmp_scalar_to_str(const char *name, JsonNode *node,
                               Error **errp)
{
    if (JSON_NODE_HOLDS_VALUE(node)) {
        switch (json_node_get_value_type(node)) {
        case G_TYPE_STRING:
            return g_strdup(json_node_get_string(node));
        case G_TYPE_INT64:
            return g_strdup_printf("%" PRId64, json_node_get_int(node));
        case G_TYPE_BOOLEAN:
            return g_strdup(json_node_get_boolean(node) ? "on" : "off");
        default:
            break;
        }
    }
    error_setg(errp, "parameter '%s' expects a string, an integer or a "
               "boolean", name);
    return NULL;
}

/* Copy the members of @obj (minus @skip) into @props as strings. */
static bool qmp_args_to_props(JsonObject *obj, const char *skip,
                              GHashTable *props, Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(obj);
    GList *l;

    for (l = members; l; l = l->next) {
        const char *name = l->data;
        char *value;

        if (skip && !strcmp(name, skip)) {
            continue;
        }
        value = qmp_scalar_to_str(name, json_object_get_member(obj, name),
                                  errp);
        if (!value) {
            return false;
        }
        g_hash_table_replace(props, g_strdup(name), value);
    }
    return true;
}

/*
 * The handlers below are qmp_cmd_NAME() as qapi/schema.json declares
 * them (scripts/qapi-gen.py): they get their arguments typed and
 * already checked against the schema.
 */

/*
 * device_add and object-add: every member of @args but @skip as a
 * property string.  NULL (with @errp set) on a value no option string
 * could hold.
 */
static GHashTable *qmp_add_props(JsonObject *args, const char *skip,
                                 Error **errp)
{
    GHashTable *props;

    props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!qmp_args_to_props(args, skip, props, errp)) {
        g_hash_table_unref(props);
        return NULL;
    }
    return props;
}

JsonNode *qmp_cmd_query_status(Error **errp)
{
    JsonObject *ret = json_object_new();
    bool running = vl_machine_is_running();

    json_object_set_boolean_member(ret, "running", running);
    json_object_set_boolean_member(ret, "singlestep", false);
    json_object_set_string_member(ret, "status", vl_machine_status());
    return qmp_node_take_object(ret);
}

static gboolean qmp_quit_idle(gpointer opaque)
{
    qemu_system_shutdown_request("host-qmp-quit");
    return G_SOURCE_REMOVE;
}

JsonNode *qmp_cmd_quit(Error **errp)
{
    /* Reply first, then leave: the request ends before the loop does. */
    g_idle_add(qmp_quit_idle, NULL);
    return NULL;
}

JsonNode *qmp_cmd_stop(Error **errp)
{
    vl_machine_set_prelaunch(false);
    if (vl_machine_is_running()) {
        vl_machine_set_running(false);
        qmp_event_send("STOP", NULL);
    }
    return NULL;
}

JsonNode *qmp_cmd_cont(Error **errp)
{
    vl_machine_set_prelaunch(false);
    /* A destination still waiting for its stream runs once loaded. */
    if (migration_incoming_cont()) {
        return NULL;
    }
    if (!vl_machine_is_running()) {
        vl_machine_set_running(true);
        qmp_event_send("RESUME", NULL);
    }
    return NULL;
}

JsonNode *qmp_cmd_system_reset(Error **errp)
{
    g_autoptr(JsonObject) data = json_object_new();

    machine_reset();
    json_object_set_boolean_member(data, "guest", false);
    json_object_set_string_member(data, "reason", "host-qmp-system-reset");
    /* QEMU resets from its main loop: the reply goes out first. */
    qmp_event_send_after_reply("RESET", data);
    return NULL;
}

JsonNode *qmp_cmd_query_commands(Error **errp)
{
    JsonArray *ret = json_array_new();
    GList *names = qmp_command_names(), *l;

    for (l = names; l; l = l->next) {
        JsonObject *cmd = json_object_new();

        json_object_set_string_member(cmd, "name", l->data);
        json_array_add_object_element(ret, cmd);
    }
    g_list_free(names);
    return qmp_node_take_array(ret);
}

JsonNode *qmp_cmd_query_version(Error **errp)
{
    return qmp_node_take_object(qmp_version_object());
}

JsonNode *qmp_cmd_human_monitor_command(const char *cmdline,
                                        bool has_cpu_index,
                                        int64_t cpu_index, Error **errp)
{
    g_autofree char *out = NULL;
    Error *err = NULL;
    JsonNode *ret;

    /*
     * As QEMU: what a command fails with is part of its output text;
     * the QMP command itself succeeds.
     */
    out = hmp_execute(cmdline, &err);
    if (!out) {
        out = g_strdup_printf("Error: %s\r\n", error_get_pretty(err));
        error_free(err);
    }
    ret = json_node_alloc();
    json_node_init_string(ret, out);
    return ret;
}

/* @driver, @bus and @id are among @args, read with the rest. */
JsonNode *qmp_cmd_device_add(JsonObject *args, const char *driver,
                             const char *bus, const char *id, Error **errp)
{
    g_autoptr(GHashTable) props = qmp_add_props(args, NULL, errp);

    if (props) {
        qdev_device_add_props(props, errp);
    }
    return NULL;
}

/* The device's class may refuse (a DIMM still mapped for DMA). */
JsonNode *qmp_cmd_device_del(const char *id, Error **errp)
{
    qdev_device_del(id, errp);
    return NULL;
}

JsonNode *qmp_cmd_object_add(JsonObject *args, const char *qom_type,
                             const char *id, Error **errp)
{
    JsonNode *legacy = json_object_get_member(args, "props");
    g_autoptr(GHashTable) props = qmp_add_props(args, "props", errp);

    if (!props) {
        return NULL;
    }
    /* Old clients nest the properties in "props"; accept both forms. */
    if (legacy) {
        if (!JSON_NODE_HOLDS_OBJECT(legacy)) {
            error_setg(errp, "parameter 'props' expects an object");
            return NULL;
        }
        if (!qmp_args_to_props(json_node_get_object(legacy), NULL, props,
                               errp)) {
            return NULL;
        }
    }
    user_object_create(props, errp);
    return NULL;
}

JsonNode *qmp_cmd_object_del(const char *id, Error **errp)
{
    user_object_del(id, errp);
    return NULL;
}

/* As QEMU's dumpdtb: the device tree as the guest would boot with now. */
JsonNode *qmp_cmd_dumpdtb(const char *filename, Error **errp)
{
    machine_dump_dtb(filename, errp);
    return NULL;
}

static JsonNode *qmp_noop(JsonObject *args, Error **errp)
{
    return NULL;
}

/*
 * trace-event-get-state / trace-event-set-state, as QEMU has them: @name
 * is an event name or a glob.  A plain name that names no event is an
 * error; a glob may match nothing.  Every event here is available and
 * none is per vCPU.
 */
static bool qmp_trace_name_ok(const char *name, Error **errp)
{
    if (!strpbrk(name, "*?") && !trace_event_exists(name)) {
        error_setg(errp, "unknown event \"%s\"", name);
        return false;
    }
    return true;
}

typedef struct TraceStateQuery {
    GPatternSpec *spec;
    JsonArray *ret;
} TraceStateQuery;

static void qmp_trace_state_add(const char *name, bool enabled, void *opaque)
{
    TraceStateQuery *q = opaque;
    JsonObject *o;

    if (!g_pattern_spec_match_string(q->spec, name)) {
        return;
    }
    o = json_object_new();
    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "state",
                                  enabled ? "enabled" : "disabled");
    json_object_set_boolean_member(o, "vcpu", false);
    json_array_add_object_element(q->ret, o);
}

JsonNode *qmp_cmd_trace_event_get_state(const char *name, Error **errp)
{
    TraceStateQuery q;

    if (!qmp_trace_name_ok(name, errp)) {
        return NULL;
    }
    q.spec = g_pattern_spec_new(name);
    q.ret = json_array_new();
    trace_event_foreach(qmp_trace_state_add, &q);
    g_pattern_spec_free(q.spec);
    return qmp_node_take_array(q.ret);
}

JsonNode *qmp_cmd_trace_event_set_state(const char *name, bool enable,
                                        bool has_ignore_unavailable,
                                        bool ignore_unavailable,
                                        Error **errp)
{
    g_autofree char *pattern = NULL;

    if (!qmp_trace_name_ok(name, errp)) {
        return NULL;
    }
    /* ignore-unavailable: accepted; no event here is unavailable. */
    pattern = g_strconcat(enable ? "" : "-", name, NULL);
    trace_enable_pattern(pattern);
    return NULL;
}

void qmp_register_builtin_commands(void)
{
    /* Sessions handle negotiation; this entry is for query-commands. */
    qmp_register_command("qmp_capabilities", qmp_noop);
    /* Every command with a generated marshaller (qapi/schema.json). */
    qmp_schema_register();
    qmp_irq_register();
    qom_register_hmp();
    hmp_register_builtin();
}
