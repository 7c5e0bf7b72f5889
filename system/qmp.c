/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP dispatch (arguments and replies checked against the schema), the
 * schema check of events, and --preconfig.  The registry and the
 * events themselves are the lower layer's (qapi/qmp-registry.c,
 * qapi/qmp.c): device code registers and sends there, and this file
 * installs the event check (qmp_schema_register()).
 */
#include "qemu/osdep.h"
#include "system/qmp-internal.h"
#include "qmp-schema-gen.h"
#include "trace.h"

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
    qmp_error_set_class(NULL);
    /* The schema's arguments, checked before any handler sees them. */
    schema = qmp_schema_find(name);
    if (schema && !qmp_schema_check_args(schema, args, errp)) {
        trace_qmp_dispatch_error(name, "arguments");
        return NULL;
    }
    qmp_command_enter();
    ret = fn(args, &local_err);
    qmp_command_leave();
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

/* Installed for every event sent (qapi/qmp.c) by qmp_schema_register(). */
void qmp_event_check_schema(const char *name, JsonObject *data)
{
    if (qmp_strict_returns()) {
        qmp_event_check(name, data);
    }
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
