/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP command registry, dispatch and events.
 *
 * Registering a name that exists replaces the old handler: the program
 * registers defaults (query-memory-devices returns []) that device code
 * can take over later.
 */
#include "qemu/osdep.h"
#include "qapi/json-writer.h"
#include "qapi/qmp-internal.h"
#include "trace.h"

typedef struct QmpCommand {
    QmpCommandFunc fn;
} QmpCommand;

static GHashTable *qmp_commands;     /* name -> QmpCommand */
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

static const char *const qmp_arg_type_names[] = {
    [QMP_ARG_STR] = "string",
    [QMP_ARG_BOOL] = "boolean",
    [QMP_ARG_INT] = "integer",
    [QMP_ARG_OBJECT] = "object",
    [QMP_ARG_ARRAY] = "array",
    [QMP_ARG_ANY] = "any",
};

static bool qmp_arg_type_ok(JsonNode *node, QmpArgType type)
{
    GType vt;

    switch (type) {
    case QMP_ARG_ANY:
        return true;
    case QMP_ARG_OBJECT:
        return JSON_NODE_HOLDS_OBJECT(node);
    case QMP_ARG_ARRAY:
        return JSON_NODE_HOLDS_ARRAY(node);
    default:
        break;
    }
    if (!JSON_NODE_HOLDS_VALUE(node)) {
        return false;
    }
    vt = json_node_get_value_type(node);
    return (type == QMP_ARG_STR && vt == G_TYPE_STRING) ||
           (type == QMP_ARG_BOOL && vt == G_TYPE_BOOLEAN) ||
           (type == QMP_ARG_INT && vt == G_TYPE_INT64);
}

static bool qmp_args_check_open(JsonObject *args, const QmpArg *spec,
                                bool open, Error **errp);

bool qmp_args_check(JsonObject *args, const QmpArg *spec, Error **errp)
{
    return qmp_args_check_open(args, spec, false, errp);
}

/* @open: members beyond @spec are the command's to check. */
static bool qmp_args_check_open(JsonObject *args, const QmpArg *spec,
                                bool open, Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(args);
    const QmpArg *a;
    GList *l;

    /* As QEMU's input visitor: members in schema order, extras last. */
    for (a = spec; a->name; a++) {
        JsonNode *node = json_object_get_member(args, a->name);

        if (!node) {
            if (!a->optional) {
                error_setg(errp, "Parameter '%s' is missing", a->name);
                return false;
            }
            continue;
        }
        if (!qmp_arg_type_ok(node, a->type)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: "
                       "%s", a->name, qmp_arg_type_names[a->type]);
            return false;
        }
    }
    for (l = open ? NULL : members; l; l = l->next) {
        for (a = spec; a->name && strcmp(a->name, l->data); a++) {
            continue;
        }
        if (!a->name) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (char *)l->data);
            return false;
        }
    }
    return true;
}

void qmp_register_command(const char *name, QmpCommandFunc fn)
{
    QmpCommand *cmd = g_new(QmpCommand, 1);

    if (!qmp_commands) {
        qmp_commands = g_hash_table_new_full(g_str_hash, g_str_equal,
                                             g_free, g_free);
    }
    cmd->fn = fn;
    g_hash_table_replace(qmp_commands, g_strdup(name), cmd);
}

bool qmp_command_allows_oob(const char *name)
{
    const QmpSchemaCommand *schema = qmp_schema_find(name);

    return schema && schema->allow_oob;
}

bool qmp_command_exists(const char *name)
{
    return qmp_commands && g_hash_table_contains(qmp_commands, name);
}

static gint qmp_name_compare(gconstpointer a, gconstpointer b)
{
    return strcmp(a, b);
}

GList *qmp_command_names(void)
{
    if (!qmp_commands) {
        return NULL;
    }
    return g_list_sort(g_hash_table_get_keys(qmp_commands),
                       qmp_name_compare);
}

JsonNode *qmp_dispatch(const char *name, JsonObject *args, Error **errp)
{
    QmpCommand *cmd = qmp_commands ?
                      g_hash_table_lookup(qmp_commands, name) : NULL;
    g_autoptr(JsonObject) empty = NULL;
    const QmpSchemaCommand *schema;
    Error *local_err = NULL;
    JsonNode *ret;

    if (!cmd) {
        error_setg(errp, "The command %s has not been found", name);
        return NULL;
    }
    if (!args) {
        args = empty = json_object_new();
    }
    trace_qmp_dispatch(name);
    qmp_error_class = NULL;
    /* The schema's arguments, checked before any handler sees them. */
    schema = qmp_schema_find(name);
    if (schema && !qmp_args_check_open(args, schema->args, schema->open,
                                       errp)) {
        trace_qmp_dispatch_error(name, "arguments");
        return NULL;
    }
    qmp_running++;
    ret = cmd->fn(args, &local_err);
    qmp_running--;
    if (local_err) {
        /* A handler that fails must not also return a value. */
        if (ret) {
            json_node_unref(ret);
        }
        trace_qmp_dispatch_error(name, error_get_pretty(local_err));
        error_propagate(errp, local_err);
        return NULL;
    }
    if (!ret) {
        ret = qmp_node_take_object(json_object_new());
    }
    return ret;
}

/*
 * Events a command causes but QEMU sends after its reply (device_del's
 * DEVICE_DELETED: QEMU finishes the unplug later): held while a
 * command runs, sent once the session has written the reply.
 */
static char *qmp_event_text(const char *name, JsonObject *data);
static void (*qmp_event_sink)(const char *text);

void qmp_set_event_sink(void (*sink)(const char *text))
{
    qmp_event_sink = sink;
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

/* --preconfig (qmp_preconfig_begin): what x-exit-preconfig runs. */
static void (*qmp_preconfig_exit)(void);

void qmp_preconfig_begin(void (*exit_fn)(void))
{
    qmp_preconfig_exit = exit_fn;
}

/* What QEMU marks allow-preconfig, of the commands this program has. */
static const char *const qmp_preconfig_allowed[] = {
    "qmp_capabilities", "query-commands", "query-version", "query-status",
    "x-exit-preconfig", "qom-list", "qom-get", "qom-set", "qom-list-types",
    "qom-list-properties", "device-list-properties", "query-machines",
    "query-target", "query-kvm", "query-name", "query-uuid", NULL,
};

bool qmp_command_allowed_now(const char *name, Error **errp)
{
    if (qmp_preconfig_exit && !g_strv_contains(qmp_preconfig_allowed,
                                               name)) {
        error_setg(errp, "The command '%s' is permitted only after machine "
                   "initialization has completed", name);
        return false;
    }
    return true;
}

JsonNode *qmp_x_exit_preconfig(JsonObject *args, Error **errp)
{
    void (*fn)(void) = qmp_preconfig_exit;

    if (!fn) {
        error_setg(errp, "The command is permitted only before machine "
                   "initialization");
        return NULL;
    }
    qmp_preconfig_exit = NULL;
    fn();
    return NULL;
}

void qmp_registry_cleanup(void)
{
    g_clear_pointer(&qmp_commands, g_hash_table_unref);
    g_clear_pointer(&qmp_held_events, g_ptr_array_unref);
}
