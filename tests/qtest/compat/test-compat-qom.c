/*
 * The QOM and introspection walks QEMU 7.2's qtests do (qom-test,
 * device-introspect-test, qmp-cmd-test) against every machine this
 * binary lists, plus qom-get/qom-set of the parts the tree must show.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "compat.h"

static const char *G_GNUC_PRINTF(3, 4)
qmp_err_class(QTestState *qts, JsonObject **keep, const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    *keep = qtest_qmp(qts, "%s", cmd);
    g_assert_true(json_object_has_member(*keep, "error"));
    return json_object_get_string_member(
        json_object_get_object_member(*keep, "error"), "class");
}

/* qom-test's walk: recurse child<>, list link<>, read everything else. */
static unsigned walk(QTestState *qts, const char *path)
{
    g_autoptr(JsonNode) list = qmp_ret(qts, "{'execute': 'qom-list', "
                                       "'arguments': {'path': '%s'}}", path);
    JsonArray *arr = json_node_get_array(list);
    unsigned i, n = 1;

    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *e = json_array_get_object_element(arr, i);
        const char *name = json_object_get_string_member(e, "name");
        const char *type = json_object_get_string_member(e, "type");
        g_autofree char *sub = g_strdup_printf("%s/%s", path, name);

        if (g_str_has_prefix(type, "child<")) {
            n += walk(qts, sub);
        } else if (g_str_has_prefix(type, "link<")) {
            g_autoptr(JsonObject) r = qtest_qmp(qts, "{'execute': "
                "'qom-list', 'arguments': {'path': '%s'}}", sub);
        } else {
            /* Errors are allowed; a reply (valid JSON) is not optional. */
            g_autoptr(JsonObject) r = qtest_qmp(qts, "{'execute': "
                "'qom-get', 'arguments': {'path': '%s', 'property': '%s'}}",
                path, name);

            g_assert_true(json_object_has_member(r, "return") ||
                          json_object_has_member(r, "error"));
        }
    }
    return n;
}

static bool list_has(JsonArray *arr, const char *name, const char *type)
{
    unsigned i;

    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *e = json_array_get_object_element(arr, i);

        if (!strcmp(json_object_get_string_member(e, "name"), name) &&
            (!type || !strcmp(json_object_get_string_member(e, "type"),
                              type))) {
            return true;
        }
    }
    return false;
}

static void test_qom_walk_every_machine(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(), "-machine none",
                                            NULL);
    g_autoptr(JsonNode) machines = qmp_ret(qts, "{'execute': "
                                           "'query-machines'}");
    JsonArray *arr = json_node_get_array(machines);
    unsigned i;

    quit_cleanly(qts);
    for (i = 0; i < json_array_get_length(arr); i++) {
        const char *m = json_object_get_string_member(
            json_array_get_object_element(arr, i), "name");
        g_autofree char *args = g_strdup_printf("-machine %s", m);
        g_autoptr(JsonNode) top = NULL;
        g_autoptr(JsonNode) type = NULL;
        unsigned n;

        qts = qtest_init_qemu_style(qemu_binary(), args, NULL);
        top = qmp_ret(qts, "{'execute': 'qom-list', 'arguments': "
                      "{'path': '/machine'}}");
        /* libqtest's accelerator shows as /machine/qtest. */
        g_assert_true(list_has(json_node_get_array(top), "qtest",
                               "child<qtest>"));
        g_assert_true(list_has(json_node_get_array(top), "peripheral",
                               "child<container>"));
        type = qmp_ret(qts, "{'execute': 'qom-get', 'arguments': "
                       "{'path': '/machine', 'property': 'type'}}");
        g_assert_cmpstr(json_node_get_string(type), ==,
                        !strcmp(m, "none") ? "none-machine"
                                           : "pseries-7.2-machine");
        n = walk(qts, "/machine");
        g_test_message("%s: %u objects under /machine", m, n);
        /* pseries: the PHB is /machine/unattached/device[0]. */
        g_assert_cmpuint(n, >=, !strcmp(m, "none") ? 5 : 6);
        qtest_qmp_assert_success(qts, "{'execute': 'quit'}");
        g_assert_cmpint(qtest_wait_exit(qts), ==, 0);
    }
}

static bool in_list(JsonArray *arr, const char *name)
{
    return list_has(arr, name, NULL);
}

static const char *parent_of(JsonArray *arr, const char *name)
{
    unsigned i;

    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *e = json_array_get_object_element(arr, i);

        if (!strcmp(json_object_get_string_member(e, "name"), name)) {
            return json_object_has_member(e, "parent") ?
                   json_object_get_string_member(e, "parent") : NULL;
        }
    }
    return NULL;
}

/* device-introspect-test, quick mode. */
static void test_device_introspection(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
                                            "-nodefaults -machine none",
                                            NULL);
    g_autoptr(JsonNode) all = qmp_ret(qts, "{'execute': 'qom-list-types', "
                                      "'arguments': {'abstract': true}}");
    g_autoptr(JsonNode) concrete = qmp_ret(qts, "{'execute': "
                                           "'qom-list-types'}");
    g_autoptr(JsonNode) devs = qmp_ret(qts, "{'execute': 'qom-list-types', "
        "'arguments': {'implements': 'device', 'abstract': true}}");
    g_autoptr(JsonNode) ifaces = qmp_ret(qts, "{'execute': "
        "'qom-list-types', 'arguments': {'implements': 'interface', "
        "'abstract': true}}");
    JsonArray *a = json_node_get_array(all);
    JsonArray *c = json_node_get_array(concrete);
    JsonArray *d = json_node_get_array(devs);
    JsonArray *ia = json_node_get_array(ifaces);
    g_autoptr(JsonObject) e1 = NULL;
    g_autoptr(JsonObject) e2 = NULL;
    g_autofree char *qom_before = qtest_hmp(qts, "info qom-tree");
    g_autofree char *qtree_before = qtest_hmp(qts, "info qtree");
    g_autofree char *qom_after = NULL, *qtree_after = NULL;
    unsigned i, ndev = 0;

    /* abstract <=> missing from the abstract=false list */
    for (i = 0; i < json_array_get_length(a); i++) {
        JsonObject *t = json_array_get_object_element(a, i);
        const char *name = json_object_get_string_member(t, "name");
        bool abstract = json_object_has_member(t, "abstract") &&
                        json_object_get_boolean_member(t, "abstract");

        g_assert_cmpint(abstract, ==, !in_list(c, name));
    }
    /* interfaces are abstract */
    g_assert_cmpuint(json_array_get_length(ia), >, 0);
    for (i = 0; i < json_array_get_length(ia); i++) {
        g_assert_true(json_object_get_boolean_member(
            json_array_get_object_element(ia, i), "abstract"));
    }
    for (i = 0; i < json_array_get_length(d); i++) {
        JsonObject *t = json_array_get_object_element(d, i);
        const char *name = json_object_get_string_member(t, "name");
        const char *p = name;
        g_autoptr(JsonObject) r = NULL;

        /* the parent chain, within the reply, reaches "device" */
        while (p && strcmp(p, "device")) {
            p = parent_of(d, p);
        }
        g_assert_cmpstr(p, ==, "device");
        if (json_object_has_member(t, "abstract")) {
            continue;
        }
        r = qtest_qmp(qts, "{'execute': 'device-list-properties', "
                      "'arguments': {'typename': '%s'}}", name);
        g_assert_null(qtest_qmp_error_desc(r));
        ndev++;
    }
    g_assert_cmpuint(ndev, >=, 4);
    g_assert_cmpstr(qmp_err_class(qts, &e1, "{'execute': "
                    "'device-list-properties', 'arguments': "
                    "{'typename': 'nonexistent'}}"), ==, "DeviceNotFound");
    g_assert_cmpstr(qmp_err_class(qts, &e2, "{'execute': "
                    "'device-list-properties', 'arguments': "
                    "{'typename': 'device'}}"), ==, "GenericError");
    /* Introspection creates nothing: the trees are as they were. */
    qom_after = qtest_hmp(qts, "info qom-tree");
    qtree_after = qtest_hmp(qts, "info qtree");
    g_assert_cmpstr(qom_before, ==, qom_after);
    g_assert_cmpstr(qtree_before, ==, qtree_after);
    g_assert_true(g_str_has_prefix(qom_before, "/machine (none-machine)\n"));
    quit_cleanly(qts);
}

static void test_qom_paths_get_and_set(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
        "-machine pseries -object memory-backend-ram,id=mem0,size=4M "
        "-device pci-testdev,id=td0 -device pci-testdev", NULL);
    g_autoptr(JsonNode) objs = qmp_ret(qts, "{'execute': 'qom-list', "
                                       "'arguments': {'path': '/objects'}}");
    g_autoptr(JsonNode) size = qmp_ret(qts, "{'execute': 'qom-get', "
        "'arguments': {'path': '/objects/mem0', 'property': 'size'}}");
    g_autoptr(JsonNode) realized = qmp_ret(qts, "{'execute': 'qom-get', "
        "'arguments': {'path': '/machine/peripheral/td0', "
        "'property': 'realized'}}");
    g_autoptr(JsonNode) anon = qmp_ret(qts, "{'execute': 'qom-list', "
        "'arguments': {'path': '/machine/peripheral-anon'}}");
    g_autoptr(JsonNode) phb = qmp_ret(qts, "{'execute': 'qom-get', "
        "'arguments': {'path': '/machine/unattached/device[0]', "
        "'property': 'type'}}");
    g_autoptr(JsonNode) initrd = NULL;
    g_autoptr(JsonNode) cap = NULL;
    g_autoptr(JsonObject) e1 = NULL;
    g_autoptr(JsonObject) e2 = NULL;
    g_autoptr(JsonObject) e3 = NULL;
    g_autoptr(JsonObject) r = NULL;

    g_assert_true(list_has(json_node_get_array(objs), "mem0",
                           "child<memory-backend-ram>"));
    g_assert_cmpint(json_node_get_int(size), ==, 4 << 20);
    g_assert_true(json_node_get_boolean(realized));
    g_assert_true(list_has(json_node_get_array(anon), "device[0]",
                           "child<pci-testdev>"));
    g_assert_cmpstr(json_node_get_string(phb), ==, "spapr-pci-host-bridge");

    /* test-hmp does this: machine string properties are settable. */
    qtest_qmp_assert_success(qts, "{'execute': 'qom-set', 'arguments': "
        "{'path': '/machine', 'property': 'initrd', 'value': 'test'}}");
    initrd = qmp_ret(qts, "{'execute': 'qom-get', 'arguments': "
                     "{'path': '/machine', 'property': 'initrd'}}");
    g_assert_cmpstr(json_node_get_string(initrd), ==, "test");
    /* Post-init values of the pseries capabilities. */
    cap = qmp_ret(qts, "{'execute': 'qom-get', 'arguments': "
                  "{'path': '/machine', 'property': 'cap-cfpc'}}");
    g_assert_cmpstr(json_node_get_string(cap), ==, "workaround");
    /* A cap value QEMU refuses is refused; a realized device is fixed. */
    qtest_qmp_assert_error(qts, "cap-cfpc", "{'execute': 'qom-set', "
        "'arguments': {'path': '/machine', 'property': 'cap-cfpc', "
        "'value': 'bogus'}}");
    qtest_qmp_assert_error(qts, "after it was realized", "{'execute': "
        "'qom-set', 'arguments': {'path': '/machine/peripheral/td0', "
        "'property': 'addr', 'value': 3}}");
    g_assert_cmpstr(qmp_err_class(qts, &e1, "{'execute': 'qom-list', "
                    "'arguments': {'path': '/machine/nope'}}"), ==,
                    "DeviceNotFound");
    g_assert_cmpstr(qmp_err_class(qts, &e2, "{'execute': 'qom-get', "
                    "'arguments': {'path': '/machine'}}"), ==,
                    "GenericError");
    g_assert_cmpstr(qtest_qmp_error_desc(e2), ==,
                    "Parameter 'property' is missing");
    g_assert_cmpstr(qmp_err_class(qts, &e3, "{'execute': 'qom-list', "
                    "'arguments': {'path': 1}}"), ==, "GenericError");
    g_assert_cmpstr(qtest_qmp_error_desc(e3), ==,
                    "Invalid parameter type for 'path', expected: string");

    /* device_del: the device leaves /machine/peripheral. */
    qtest_qmp_assert_success(qts, "{'execute': 'device_add', 'arguments': "
                             "{'driver': 'pci-testdev', 'id': 'hot1'}}");
    json_node_unref(qmp_ret(qts, "{'execute': 'qom-list', 'arguments': "
                            "{'path': '/machine/peripheral/hot1'}}"));
    qtest_qmp_assert_success(qts, "{'execute': 'device_del', 'arguments': "
                             "{'id': 'hot1'}}");
    json_object_unref(qtest_qmp_eventwait(qts, "DEVICE_DELETED"));
    r = qtest_qmp(qts, "{'execute': 'qom-list', 'arguments': "
                  "{'path': '/machine/peripheral/hot1'}}");
    g_assert_nonnull(qtest_qmp_error_desc(r));
    quit_cleanly(qts);
}

/*
 * qmp-cmd-test's walk, for the commands without arguments: each
 * query-* command called bare answers a return or a clean error.
 */
static void test_every_query_command_answers(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
                                            "-nodefaults -machine none",
                                            NULL);
    g_autoptr(JsonNode) cmds = qmp_ret(qts, "{'execute': "
                                       "'query-commands'}");
    JsonArray *arr = json_node_get_array(cmds);
    unsigned i, n = 0;

    for (i = 0; i < json_array_get_length(arr); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(arr, i), "name");
        g_autoptr(JsonObject) r = NULL;

        if (!g_str_has_prefix(name, "query-")) {
            continue;
        }
        r = qtest_qmp(qts, "{'execute': '%s', 'id': 'q%u'}", name, i);
        g_assert_true(json_object_has_member(r, "id"));
        if (json_object_has_member(r, "error")) {
            JsonObject *e = json_object_get_object_member(r, "error");

            g_test_message("%s: %s", name,
                           json_object_get_string_member(e, "desc"));
            g_assert_true(json_object_has_member(e, "class"));
            g_assert_true(json_object_has_member(e, "desc"));
        } else {
            g_assert_true(json_object_has_member(r, "return"));
        }
        n++;
    }
    g_assert_true(in_list(arr, "query-machines"));
    g_assert_true(in_list(arr, "qom-list-types"));
    g_assert_true(in_list(arr, "qmp_capabilities"));
    g_assert_cmpuint(n, >=, 10);
    quit_cleanly(qts);
}

static JsonObject *schema_entry(GHashTable *by_name, const char *name)
{
    JsonObject *e = g_hash_table_lookup(by_name, name);

    if (!e) {
        g_error("schema type '%s' is referenced but not defined", name);
    }
    return e;
}

/*
 * query-qmp-schema as QEMU's clients read it (strict SchemaInfo), then
 * qmp-cmd-test's walk: every command whose arguments are all optional
 * and which returns a value is called bare and must not fail, except
 * where QEMU itself answers an error.
 */
static void test_qmp_schema_and_bare_walk(void)
{
    static const char *const keys_ok[] = {
        "name", "meta-type", "features", "json-type", "members", "values",
        "element-type", "tag", "variants", "arg-type", "ret-type",
        "allow-oob", NULL,
    };
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
                                            "-nodefaults -machine none",
                                            NULL);
    g_autoptr(JsonNode) schema = qmp_ret(qts, "{'execute': "
                                         "'query-qmp-schema'}");
    g_autoptr(JsonNode) cmds = qmp_ret(qts, "{'execute': "
                                       "'query-commands'}");
    g_autoptr(GHashTable) by_name = g_hash_table_new(g_str_hash,
                                                     g_str_equal);
    JsonArray *arr = json_node_get_array(schema);
    JsonArray *ca = json_node_get_array(cmds);
    unsigned i, called = 0;

    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *e = json_array_get_object_element(arr, i);
        g_autoptr(GList) keys = json_object_get_members(e);
        GList *l;

        for (l = keys; l; l = l->next) {
            g_assert_true(g_strv_contains(keys_ok, l->data));
        }
        g_hash_table_insert(by_name, (gpointer)
                            json_object_get_string_member(e, "name"), e);
    }
    for (i = 0; i < json_array_get_length(ca); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(ca, i), "name");
        JsonObject *cmd = schema_entry(by_name, name);
        JsonObject *arg, *ret;
        JsonArray *members;
        bool bare_ok = true;
        unsigned j;

        g_assert_cmpstr(json_object_get_string_member(cmd, "meta-type"),
                        ==, "command");
        arg = schema_entry(by_name,
                           json_object_get_string_member(cmd, "arg-type"));
        ret = schema_entry(by_name,
                           json_object_get_string_member(cmd, "ret-type"));
        g_assert_cmpstr(json_object_get_string_member(arg, "meta-type"),
                        ==, "object");
        members = json_object_get_array_member(arg, "members");
        for (j = 0; j < json_array_get_length(members); j++) {
            JsonObject *m = json_array_get_object_element(members, j);

            schema_entry(by_name, json_object_get_string_member(m, "type"));
            if (json_object_has_member(m, "default")) {
                g_assert_true(json_object_get_null_member(m, "default"));
            } else {
                bare_ok = false;
            }
        }
        if (!strcmp(json_object_get_string_member(ret, "meta-type"),
                    "object") &&
            !json_array_get_length(json_object_get_array_member(ret,
                                                                "members"))) {
            bare_ok = false;        /* an action, not a query */
        }
        if (bare_ok) {
            g_autoptr(JsonObject) r = qtest_qmp(qts, "{'execute': '%s'}",
                                                name);

            if (qtest_qmp_error_desc(r)) {
                g_error("%s: %s", name, qtest_qmp_error_desc(r));
            }
            called++;
        }
    }
    g_assert_cmpuint(called, >=, 15);
    quit_cleanly(qts);
}

/*
 * Every command's arguments are checked against the schema before it
 * runs: an unknown argument gets QEMU's message from every command
 * (a required one missing comes first), so none lacks an entry.
 */
static void test_every_command_checks_its_arguments(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
                                            "-nodefaults -machine none",
                                            NULL);
    g_autoptr(JsonNode) cmds = qmp_ret(qts, "{'execute': "
                                       "'query-commands'}");
    JsonArray *ca = json_node_get_array(cmds);
    unsigned i;

    for (i = 0; i < json_array_get_length(ca); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(ca, i), "name");
        g_autoptr(JsonObject) r = NULL;
        const char *desc;

        if (!strcmp(name, "qmp_capabilities") ||
            !strcmp(name, "device_add") || !strcmp(name, "object-add")) {
            continue;       /* negotiated already / open argument sets */
        }
        r = qtest_qmp(qts, "{'execute': '%s', 'arguments': "
                      "{'bogus-arg': 1}}", name);
        desc = qtest_qmp_error_desc(r);
        g_test_message("%s: %s", name, desc ? desc : "(success)");
        g_assert_nonnull(desc);
        g_assert_true(g_str_has_prefix(desc, "Parameter '"));
        g_assert_true(g_str_has_suffix(desc, "' is unexpected") ||
                      g_str_has_suffix(desc, "' is missing"));
    }
    quit_cleanly(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/compat/qom/walk-every-machine",
                    test_qom_walk_every_machine);
    g_test_add_func("/compat/qom/device-introspection",
                    test_device_introspection);
    g_test_add_func("/compat/qom/paths-get-and-set",
                    test_qom_paths_get_and_set);
    g_test_add_func("/compat/qmp/schema-and-bare-walk",
                    test_qmp_schema_and_bare_walk);
    g_test_add_func("/compat/qmp/every-command-checks-its-arguments",
                    test_every_command_checks_its_arguments);
    g_test_add_func("/compat/qmp/every-query-command-answers",
                    test_every_query_command_answers);
    return g_test_run();
}
