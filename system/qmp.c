/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP dispatch (arguments and replies checked against the schema),
 * events, and --preconfig.  The registry is qmp-registry.c.
 */
#include "qemu/osdep.h"
#include "system/json-writer.h"
#include "system/qmp-internal.h"
#include "qmp-schema-gen.h"
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

/*
 * SPAPR_VFIO_QMP_STRICT=1 (the tests set it): a reply that does not
 * match the command's return type in the schema becomes an error, so
 * that the schema cannot drift from what the handlers send.
 */
static bool qmp_strict_returns(void)
{
    static int strict = -1;

    if (strict < 0) {
        const char *env = g_getenv("SPAPR_VFIO_QMP_STRICT");

        strict = env && !strcmp(env, "1");
    }
    return strict;
}

static void qmp_check_return(const QmpSchemaCommand *schema, JsonNode *ret,
                             Error **errp)
{
    Error *err = NULL;

    if (!schema->check_ret(ret, "return", NULL, &err)) {
        error_setg(errp, "%s replied against its schema (%s)",
                   schema->name, error_get_pretty(err));
        error_free(err);
    }
}

bool qmp_command_allows_oob(const char *name)
{
    const QmpSchemaCommand *schema = qmp_schema_find(name);

    return schema && schema->allow_oob;
}

JsonNode *qmp_dispatch(const char *name, JsonObject *args, Error **errp)
{
    QmpCommandFunc fn = qmp_command_lookup(name);
    g_autoptr(JsonObject) empty = NULL;
    const QmpSchemaCommand *schema;
    Error *local_err = NULL;
    JsonNode *ret;

    if (!fn) {
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
    if (schema && !qmp_schema_check_args(schema, args, errp)) {
        trace_qmp_dispatch_error(name, "arguments");
        return NULL;
    }
    qmp_running++;
    ret = fn(args, &local_err);
    qmp_running--;
    if (!local_err && ret && schema && schema->check_ret &&
        qmp_strict_returns()) {
        qmp_check_return(schema, ret, &local_err);
    }
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

    for (i = 0; held && i < held->len; i++) {
        monitor_broadcast(held->pdata[i]);
    }
}

void qmp_event_send(const char *name, JsonObject *data)
{
    g_autofree char *text = qmp_event_text(name, data);

    monitor_broadcast(text);
}

/* Strict mode: an event not in the schema, or off its data, is reported. */
static void qmp_event_check(const char *name, JsonObject *data)
{
    g_autoptr(JsonObject) empty = data ? NULL : json_object_new();
    g_autoptr(JsonNode) n = json_node_alloc();
    const QmpSchemaEvent *e;
    Error *err = NULL;

    for (e = qmp_schema_events; e->name && strcmp(e->name, name); e++) {
        continue;
    }
    if (!e->name) {
        error_report("QMP event %s is not declared in qapi/schema.json",
                     name);
        return;
    }
    json_node_init_object(n, data ? data : empty);
    if (!qmp_check_struct(n, "data", e->data, NULL, false, &err)) {
        error_report("QMP event %s is sent against qapi/schema.json: %s",
                     name, error_get_pretty(err));
        error_free(err);
    }
}

static char *qmp_event_text(const char *name, JsonObject *data)
{
    g_autoptr(JsonObject) ev = json_object_new();
    g_autoptr(JsonNode) root = json_node_alloc();
    JsonObject *ts = json_object_new();
    gint64 now = g_get_real_time();

    trace_qmp_event(name);
    if (qmp_strict_returns()) {
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

JsonNode *qmp_cmd_x_exit_preconfig(Error **errp)
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

void qmp_events_cleanup(void)
{
    g_clear_pointer(&qmp_held_events, g_ptr_array_unref);
}
