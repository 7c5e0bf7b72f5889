/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The QMP schema (qapi/schema.json) is the one source of argument
 * checking and introspection: every registered command has an entry,
 * every entry's types are real (no "any" return but qom-get's), the
 * argument errors read as QEMU's, and every query answers what its
 * return type says (the binary runs with SPAPR_VFIO_QMP_STRICT=1, which
 * turns a reply off its schema into an error).
 */
#include <string.h>
#include "compat.h"

typedef struct Schema {
    JsonNode *root;
    GHashTable *by_name;        /* name -> SchemaInfo object */
} Schema;

static void schema_load(QTestState *qts, Schema *s)
{
    JsonArray *arr;
    unsigned i;

    s->root = qmp_ret(qts, "{'execute': 'query-qmp-schema'}");
    s->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    arr = json_node_get_array(s->root);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *e = json_array_get_object_element(arr, i);

        g_hash_table_insert(s->by_name, (gpointer)
                            json_object_get_string_member(e, "name"), e);
    }
}

static void schema_free(Schema *s)
{
    g_hash_table_unref(s->by_name);
    json_node_unref(s->root);
}

static JsonObject *schema_get(Schema *s, const char *name)
{
    return g_hash_table_lookup(s->by_name, name);
}

static const char *meta(JsonObject *e)
{
    return json_object_get_string_member(e, "meta-type");
}

/*
 * The integrator's guard: a command some layer registers with
 * qmp_register_command() but qapi/schema.json does not declare.
 */
static void test_every_registered_command_is_in_the_schema(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    g_autoptr(JsonNode) cmds = qmp_ret(qts, "{'execute': 'query-commands'}");
    JsonArray *ca = json_node_get_array(cmds);
    g_autoptr(GString) missing = g_string_new(NULL);
    g_autoptr(GHashTable) registered = g_hash_table_new(g_str_hash,
                                                        g_str_equal);
    Schema s;
    GHashTableIter it;
    gpointer key, value;
    unsigned i;

    schema_load(qts, &s);
    for (i = 0; i < json_array_get_length(ca); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(ca, i), "name");
        JsonObject *e = schema_get(&s, name);

        g_hash_table_add(registered, (gpointer)name);
        if (!e || strcmp(meta(e), "command")) {
            g_string_append_printf(missing, " %s", name);
        }
    }
    if (missing->len) {
        g_error("QMP commands registered without an entry in "
                "qapi/schema.json:%s", missing->str);
    }
    /* ... and no schema command that nothing implements. */
    g_hash_table_iter_init(&it, s.by_name);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (!strcmp(meta(value), "command") &&
            !g_hash_table_contains(registered, key)) {
            g_error("qapi/schema.json declares %s, which nothing "
                    "registers", (char *)key);
        }
    }
    schema_free(&s);
    quit_cleanly(qts);
}

/* Every type a SchemaInfo names exists, as QEMU's schema guarantees. */
static void check_type_ref(Schema *s, const char *owner, const char *t)
{
    if (!schema_get(s, t)) {
        g_error("%s refers to type '%s', which is not in the schema",
                owner, t);
    }
}

static void test_introspection_types_are_real(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    JsonArray *arr;
    unsigned i, j, commands = 0, events = 0, enums = 0;
    Schema s;

    schema_load(qts, &s);
    arr = json_node_get_array(s.root);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *e = json_array_get_object_element(arr, i);
        const char *name = json_object_get_string_member(e, "name");
        const char *m = meta(e);

        if (!strcmp(m, "command")) {
            const char *ret = json_object_get_string_member(e, "ret-type");

            commands++;
            check_type_ref(&s, name,
                           json_object_get_string_member(e, "arg-type"));
            check_type_ref(&s, name, ret);
            /* Only qom-get returns "any" in QEMU's schema too. */
            if (!strcmp(ret, "any") && strcmp(name, "qom-get")) {
                g_error("%s returns 'any'; give it a real type", name);
            }
        } else if (!strcmp(m, "event")) {
            events++;
            check_type_ref(&s, name,
                           json_object_get_string_member(e, "arg-type"));
        } else if (!strcmp(m, "object")) {
            JsonArray *mem = json_object_get_array_member(e, "members");

            for (j = 0; j < json_array_get_length(mem); j++) {
                check_type_ref(&s, name, json_object_get_string_member(
                    json_array_get_object_element(mem, j), "type"));
            }
            if (json_object_has_member(e, "variants")) {
                JsonArray *v = json_object_get_array_member(e, "variants");

                for (j = 0; j < json_array_get_length(v); j++) {
                    check_type_ref(&s, name, json_object_get_string_member(
                        json_array_get_object_element(v, j), "type"));
                }
            }
        } else if (!strcmp(m, "array")) {
            check_type_ref(&s, name, json_object_get_string_member(
                e, "element-type"));
        } else if (!strcmp(m, "enum")) {
            enums++;
            g_assert_cmpuint(json_array_get_length(
                json_object_get_array_member(e, "values")), >, 0);
        } else {
            g_assert_cmpstr(m, ==, "builtin");
        }
    }
    g_assert_cmpuint(commands, >=, 40);
    g_assert_cmpuint(events, >=, 8);
    g_assert_cmpuint(enums, >=, 5);
    /* Type names are masked as QEMU masks them; builtins keep theirs. */
    g_assert_nonnull(schema_get(&s, "str"));
    g_assert_null(schema_get(&s, "VersionInfo"));
    schema_free(&s);
    quit_cleanly(qts);
}

/* QEMU's messages, member paths included. */
static void test_argument_errors_read_as_qemu(void)
{
    QTestState *qts = qtest_init("-nodefaults");

    qtest_qmp_assert_error(qts, "Parameter 'path' is missing",
                           "{'execute': 'qom-list'}");
    qtest_qmp_assert_error(qts, "Parameter 'property' is missing",
                           "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine'}}");
    qtest_qmp_assert_error(qts, "Invalid parameter type for 'path', "
                           "expected: string",
                           "{'execute': 'qom-list', 'arguments': "
                           "{'path': 1}}");
    qtest_qmp_assert_error(qts, "Invalid parameter type for 'cpu-index', "
                           "expected: integer",
                           "{'execute': 'human-monitor-command', "
                           "'arguments': {'command-line': 'help', "
                           "'cpu-index': 'x'}}");
    qtest_qmp_assert_error(qts, "Invalid parameter type for 'enable', "
                           "expected: boolean",
                           "{'execute': 'trace-event-set-state', "
                           "'arguments': {'name': 'x', 'enable': 1}}");
    qtest_qmp_assert_error(qts, "Parameter 'bogus' is unexpected",
                           "{'execute': 'query-status', 'arguments': "
                           "{'bogus': 1}}");
    /* Nested members: arrays of unions. */
    qtest_qmp_assert_error(qts, "Invalid parameter type for 'instances', "
                           "expected: array",
                           "{'execute': 'yank', 'arguments': "
                           "{'instances': {}}}");
    qtest_qmp_assert_error(qts, "Invalid parameter type for "
                           "'instances[0]', expected: object",
                           "{'execute': 'yank', 'arguments': "
                           "{'instances': [1]}}");
    qtest_qmp_assert_error(qts, "Parameter 'instances[0].type' is missing",
                           "{'execute': 'yank', 'arguments': "
                           "{'instances': [{}]}}");
    qtest_qmp_assert_error(qts, "Parameter 'type' does not accept value "
                           "'disk'",
                           "{'execute': 'yank', 'arguments': "
                           "{'instances': [{'type': 'disk'}]}}");
    qtest_qmp_assert_error(qts, "Parameter 'instances[0].id' is missing",
                           "{'execute': 'yank', 'arguments': "
                           "{'instances': [{'type': 'chardev'}]}}");
    qtest_qmp_assert_error(qts, "Parameter 'instances[0].node-name' is "
                           "unexpected",
                           "{'execute': 'yank', 'arguments': "
                           "{'instances': [{'type': 'chardev', 'id': 'c', "
                           "'node-name': 'n'}]}}");
    /* Valid arguments reach the handler, which answers its own error. */
    qtest_qmp_assert_error(qts, "Instance of type 'chardev' not found",
                           "{'execute': 'yank', 'arguments': "
                           "{'instances': [{'type': 'chardev', "
                           "'id': 'c'}]}}");
    /* Optional members may be left out; extra-members commands. */
    qtest_qmp_assert_success(qts, "{'execute': 'qom-list-types', "
                             "'arguments': {'abstract': true}}");
    qtest_qmp_assert_error(qts, "Parameter 'driver' is missing",
                           "{'execute': 'device_add', 'arguments': "
                           "{'id': 'x'}}");
    quit_cleanly(qts);
}

/*
 * Every query without required arguments answers what its return type
 * says, on a machine with devices (strict mode makes a mismatch an
 * error reply).
 */
static void test_queries_answer_their_return_types(void)
{
    QTestState *qts = qtest_init("-nodefaults -name guest0 "
        "-m 1G,slots=2,maxmem=2G "
        "-object memory-backend-ram,id=m1,size=256M");
    JsonArray *arr;
    unsigned i, called = 0;
    Schema s;

    /*
     * Plugged at run time, so that device_del below removes it at once
     * (one given on the command line is the guest's: it goes only when
     * the guest releases it, docs/hotplug.md).
     */
    qtest_qmp_assert_success(qts, "{'execute': 'device_add', 'arguments': "
                             "{'driver': 'pc-dimm', 'id': 'd1', "
                             "'memdev': 'm1'}}");
    schema_load(qts, &s);
    arr = json_node_get_array(s.root);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *e = json_array_get_object_element(arr, i);
        const char *name = json_object_get_string_member(e, "name");
        g_autoptr(JsonObject) r = NULL;

        if (strcmp(meta(e), "command") || !g_str_has_prefix(name, "query-")) {
            continue;
        }
        r = qtest_qmp(qts, "{'execute': '%s'}", name);
        if (qtest_qmp_error_desc(r)) {
            g_error("%s: %s", name, qtest_qmp_error_desc(r));
        }
        called++;
    }
    g_assert_cmpuint(called, >=, 15);
    /*
     * Events too: strict mode reports one off its schema on stderr.
     * device_del first: after system_reset the DIMM would be the
     * guest's, as one given on the command line.
     */
    qtest_qmp_assert_success(qts, "{'execute': 'device_del', "
                             "'arguments': {'id': 'd1'}}");
    json_object_unref(qtest_qmp_eventwait(qts, "DEVICE_DELETED"));
    qtest_qmp_assert_success(qts, "{'execute': 'stop'}");
    qtest_qmp_assert_success(qts, "{'execute': 'cont'}");
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    json_object_unref(qtest_qmp_eventwait(qts, "RESET"));
    g_assert_null(strstr(qtest_stderr(qts), "qapi/schema.json"));
    schema_free(&s);
    quit_cleanly(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/compat/schema/every-registered-command-is-in-schema",
                    test_every_registered_command_is_in_the_schema);
    g_test_add_func("/compat/schema/introspection-types-are-real",
                    test_introspection_types_are_real);
    g_test_add_func("/compat/schema/argument-errors-read-as-qemu",
                    test_argument_errors_read_as_qemu);
    g_test_add_func("/compat/schema/queries-answer-their-return-types",
                    test_queries_answer_their_return_types);
    return g_test_run();
}
