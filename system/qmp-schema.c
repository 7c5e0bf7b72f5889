/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The QMP schema: every command's arguments (checked by qmp_dispatch
 * before the handler runs, with QEMU's messages), whether it returns a
 * value, whether it may run out of band, and the events; served to
 * clients by query-qmp-schema in QEMU's SchemaInfo form.
 *
 * One table is the source for both checking and introspection.  A
 * command registered without an entry here is still dispatched, but
 * shows in query-qmp-schema with no known arguments; the test suite
 * keeps every registered command in the table.
 */
#include "qemu/osdep.h"
#include "system/qmp-internal.h"

#define NOARGS ((const QmpArg[]) { { NULL } })
#define ARGS(...) ((const QmpArg[]) { __VA_ARGS__, { NULL } })
#define S(n) { n, QMP_ARG_STR }
#define OS(n) { n, QMP_ARG_STR, true }
#define OB(n) { n, QMP_ARG_BOOL, true }

/* ret: true when the command returns a value ("any"), false for {}. */
static const QmpSchemaCommand qmp_schema_commands[] = {
    { "qmp_capabilities", ARGS({ "enable", QMP_ARG_ARRAY, true, "[str]" }) },
    { "query-commands", NOARGS, .ret = true },
    { "query-version", NOARGS, .ret = true },
    { "query-status", NOARGS, .ret = true },
    { "query-name", NOARGS, .ret = true },
    { "query-uuid", NOARGS, .ret = true },
    { "query-kvm", NOARGS, .ret = true },
    { "query-target", NOARGS, .ret = true },
    { "query-machines", NOARGS, .ret = true },
    { "query-current-machine", NOARGS, .ret = true },
    { "query-cpus-fast", NOARGS, .ret = true },
    { "query-qmp-schema", NOARGS, .ret = true },
    { "query-memory-devices", NOARGS, .ret = true },
    { "query-pci", NOARGS, .ret = true },
    { "query-vfio", NOARGS, .ret = true },
    { "x-query-irq", NOARGS, .ret = true },
    { "query-spapr-irq", NOARGS, .ret = true },
    { "query-migrate", NOARGS, .ret = true },
    { "query-yank", NOARGS, .ret = true, .allow_oob = true },
    { "quit", NOARGS },
    { "stop", NOARGS },
    { "cont", NOARGS },
    { "system_reset", NOARGS },
    { "x-exit-preconfig", NOARGS },
    { "human-monitor-command", ARGS(S("command-line"), { "cpu-index",
      QMP_ARG_INT, true }), .ret = true },
    /* device_add and object-add also take the type's own properties. */
    { "device_add", ARGS(S("driver"), OS("bus"), OS("id")), .open = true },
    { "device_del", ARGS(S("id")) },
    { "object-add", ARGS(S("qom-type"), S("id")), .open = true },
    { "object-del", ARGS(S("id")) },
    { "dumpdtb", ARGS(S("filename")) },
    { "trace-event-get-state", ARGS(S("name")), .ret = true },
    { "trace-event-set-state", ARGS(S("name"), { "enable", QMP_ARG_BOOL },
                                    OB("ignore-unavailable")) },
    { "qom-list", ARGS(S("path")), .ret = true },
    { "qom-get", ARGS(S("path"), S("property")), .ret = true },
    { "qom-set", ARGS(S("path"), S("property"),
                      { "value", QMP_ARG_ANY }) },
    { "qom-list-types", ARGS(OS("implements"), OB("abstract")),
      .ret = true },
    { "qom-list-properties", ARGS(S("typename")), .ret = true },
    { "device-list-properties", ARGS(S("typename")), .ret = true },
    { "migrate", ARGS(S("uri"), OB("blk"), OB("inc"), OB("detach"),
                      OB("resume")) },
    { "migrate-incoming", ARGS(S("uri")) },
    { "migrate_cancel", NOARGS },
    { "migrate-pause", NOARGS, .allow_oob = true },
    { "migrate-recover", ARGS(S("uri")), .allow_oob = true },
    { "yank", ARGS({ "instances", QMP_ARG_ARRAY, false, "[any]" }),
      .allow_oob = true },
};

/* Events and their data members. */
static const struct {
    const char *name;
    const QmpArg *data;
} qmp_schema_events[] = {
    { "SHUTDOWN", ARGS({ "guest", QMP_ARG_BOOL }, S("reason")) },
    { "RESET", ARGS({ "guest", QMP_ARG_BOOL }, S("reason")) },
    { "STOP", NOARGS },
    { "RESUME", NOARGS },
    { "DEVICE_DELETED", ARGS(OS("device"), S("path")) },
    { "MIGRATION", ARGS(S("status")) },
    { "MIGRATION_PASS", ARGS({ "pass", QMP_ARG_INT }) },
    { "VFIO_DEVICE_FAILED", ARGS(OS("device"), S("host"), S("reason")) },
};

const QmpSchemaCommand *qmp_schema_find(const char *name)
{
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(qmp_schema_commands); i++) {
        if (!strcmp(qmp_schema_commands[i].name, name)) {
            return &qmp_schema_commands[i];
        }
    }
    return NULL;
}

static const char *qmp_schema_type_name(const QmpArg *a)
{
    static const char *const names[] = {
        [QMP_ARG_STR] = "str", [QMP_ARG_BOOL] = "bool",
        [QMP_ARG_INT] = "int", [QMP_ARG_OBJECT] = "any",
        [QMP_ARG_ARRAY] = "[any]", [QMP_ARG_ANY] = "any",
    };

    return a->introspect ? a->introspect : names[a->type];
}

static void qmp_schema_add(JsonArray *out, const char *name,
                           const char *meta)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "meta-type", meta);
    json_array_add_object_element(out, o);
}

/* An object type for @args, named by its position; returns the name. */
static char *qmp_schema_object(JsonArray *out, unsigned *next,
                               const QmpArg *args)
{
    JsonObject *o = json_object_new();
    JsonArray *members = json_array_new();
    char *name = g_strdup_printf("%u", (*next)++);
    const QmpArg *a;

    for (a = args; a && a->name; a++) {
        JsonObject *m = json_object_new();

        json_object_set_string_member(m, "name", a->name);
        json_object_set_string_member(m, "type", qmp_schema_type_name(a));
        if (a->optional) {
            json_object_set_null_member(m, "default");
        }
        json_array_add_object_element(members, m);
    }
    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "meta-type", "object");
    json_object_set_array_member(o, "members", members);
    json_array_add_object_element(out, o);
    return name;
}

static JsonNode *qmp_query_qmp_schema(JsonObject *args, Error **errp)
{
    static const char *const builtins[][2] = {
        { "str", "string" }, { "int", "int" }, { "bool", "boolean" },
        { "number", "number" }, { "null", "null" }, { "any", "value" },
    };
    static const char *const arrays[][2] = {
        { "[str]", "str" }, { "[any]", "any" },
    };
    JsonArray *out = json_array_new();
    GList *names = qmp_command_names(), *l;
    unsigned next = 0, i;
    g_autofree char *empty = qmp_schema_object(out, &next, NULL);

    for (i = 0; i < G_N_ELEMENTS(builtins); i++) {
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name", builtins[i][0]);
        json_object_set_string_member(o, "meta-type", "builtin");
        json_object_set_string_member(o, "json-type", builtins[i][1]);
        json_array_add_object_element(out, o);
    }
    for (i = 0; i < G_N_ELEMENTS(arrays); i++) {
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name", arrays[i][0]);
        json_object_set_string_member(o, "meta-type", "array");
        json_object_set_string_member(o, "element-type", arrays[i][1]);
        json_array_add_object_element(out, o);
    }
    for (l = names; l; l = l->next) {
        const QmpSchemaCommand *c = qmp_schema_find(l->data);
        g_autofree char *arg_type = NULL;
        JsonObject *o;

        arg_type = c && c->args && c->args[0].name ?
                   qmp_schema_object(out, &next, c->args) : g_strdup(empty);
        qmp_schema_add(out, l->data, "command");
        o = json_array_get_object_element(out,
                                          json_array_get_length(out) - 1);
        json_object_set_string_member(o, "arg-type", arg_type);
        json_object_set_string_member(o, "ret-type",
                                      c && c->ret ? "any" : empty);
        if (qmp_command_allows_oob(l->data)) {
            json_object_set_boolean_member(o, "allow-oob", true);
        }
    }
    g_list_free(names);
    for (i = 0; i < G_N_ELEMENTS(qmp_schema_events); i++) {
        g_autofree char *data = qmp_schema_events[i].data[0].name ?
            qmp_schema_object(out, &next, qmp_schema_events[i].data) :
            g_strdup(empty);
        JsonObject *o;

        qmp_schema_add(out, qmp_schema_events[i].name, "event");
        o = json_array_get_object_element(out,
                                          json_array_get_length(out) - 1);
        json_object_set_string_member(o, "arg-type", data);
    }
    return qmp_node_take_array(out);
}

void qmp_schema_register(void)
{
    qmp_register_command("query-qmp-schema", qmp_query_qmp_schema);
}
