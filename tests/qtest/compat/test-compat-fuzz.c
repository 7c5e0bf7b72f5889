/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP input fuzzing over the wire: random bytes, random JSON-ish text
 * and random arguments to every command, sent to a live binary.  After
 * each burst a well-formed request must get its reply: nothing crashes,
 * nothing stalls, every line that comes back is valid JSON (libqtest
 * parses each one and aborts otherwise).
 *
 * The seed is g_test's (--seed to replay); run it under ASan/UBSan with
 * the build-asan tree for the memory side.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "libqtest.h"

#define ROUNDS 300

static const char *const fragments[] = {
    "{", "}", "[", "]", ":", ",", "\"", "'", "\\", "\\u", "\\ud800",
    "\"execute\"", "\"exec-oob\"", "\"arguments\"", "\"id\"", "null",
    "true", "false", "1e308", "-0", "123456789012345678901234567890",
    "1.5e-400", "%", "\xff", "\xfe", "\xc3\x28", "\xe2\x82", "\n", "\t",
    "\x01", " ", "\"query-status\"", "\"qom-list\"", "\"qom-get\"",
    "\"path\"", "\"/machine\"", "\"value\"", "\"enable\"", "[\"oob\"]",
};

static const char *const values[] = {
    "null", "true", "0", "-1", "1e308", "\"\"", "\"/machine\"", "\"x\"",
    "[]", "{}", "[1, \"a\"]", "{\"a\": {}}", "18446744073709551616",
    "\"/machine/unattached/device[0]\"", "\"type\"", "\"pci-testdev\"",
};

static const char *const arg_names[] = {
    "path", "property", "value", "typename", "implements", "abstract",
    "id", "driver", "qom-type", "size", "uri", "instances", "enable",
    "command-line", "filename", "bogus",
};

/* Commands that would end or reshape the session are left out. */
static bool skip_command(const char *name)
{
    static const char *const skip[] = {
        "quit", "migrate", "migrate-incoming", "x-exit-preconfig",
        "dumpdtb", "human-monitor-command", "object-add", "device_add",
        NULL,
    };

    return g_strv_contains(skip, name);
}

/*
 * Resynchronize as QMP clients do after garbage: a newline ends any
 * open string (an error), 0xFF is a lexical error that drops whatever
 * value was being collected; then a good request must be answered.
 */
static void check_alive(QTestState *qts, unsigned round)
{
    g_autofree char *req = g_strdup_printf(
        "\n\xff\n{\"execute\": \"query-status\", \"id\": \"alive%u\"}",
        round);

    qtest_qmp_send_raw(qts, req, strlen(req));
    for (;;) {
        g_autoptr(JsonObject) r = qtest_qmp_receive(qts);
        JsonNode *id = json_object_get_member(r, "id");

        g_assert_true(json_object_has_member(r, "return") ||
                      json_object_has_member(r, "error"));
        if (id && JSON_NODE_HOLDS_VALUE(id) &&
            json_node_get_value_type(id) == G_TYPE_STRING &&
            g_str_has_prefix(json_node_get_string(id), "alive")) {
            g_assert_true(json_object_has_member(r, "return"));
            return;
        }
    }
}

static void test_random_bytes_and_fragments(void)
{
    QTestState *qts = qtest_init_qemu_style(g_getenv("QTEST_QEMU_BINARY"),
                                            "-nodefaults -machine none",
                                            NULL);
    unsigned round;

    for (round = 0; round < ROUNDS; round++) {
        g_autoptr(GString) junk = g_string_new(NULL);
        unsigned i, n = g_test_rand_int_range(1, 64);

        for (i = 0; i < n; i++) {
            if (g_test_rand_bit()) {
                g_string_append_c(junk, g_test_rand_int_range(0, 256));
            } else {
                g_string_append(junk, fragments[g_test_rand_int_range(
                    0, G_N_ELEMENTS(fragments))]);
            }
        }
        qtest_qmp_send_raw(qts, junk->str, junk->len);
        check_alive(qts, round);
    }
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_random_arguments_to_every_command(void)
{
    QTestState *qts = qtest_init_qemu_style(g_getenv("QTEST_QEMU_BINARY"),
        "-nodefaults -machine pseries -device pci-testdev,id=td", NULL);
    g_autoptr(JsonObject) reply = qtest_qmp(qts, "{'execute': "
                                            "'query-commands'}");
    JsonArray *cmds = json_object_get_array_member(reply, "return");
    unsigned round;

    for (round = 0; round < ROUNDS; round++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(cmds, g_test_rand_int_range(
                0, json_array_get_length(cmds))), "name");
        g_autoptr(GString) req = g_string_new(NULL);
        unsigned i, n = g_test_rand_int_range(0, 4);
        g_autoptr(JsonObject) r = NULL;

        if (skip_command(name)) {
            continue;
        }
        g_string_printf(req, "{\"execute\": \"%s\", \"id\": %u, "
                        "\"arguments\": {", name, round);
        for (i = 0; i < n; i++) {
            g_string_append_printf(req, "%s\"%s\": %s", i ? ", " : "",
                arg_names[g_test_rand_int_range(0, G_N_ELEMENTS(arg_names))],
                values[g_test_rand_int_range(0, G_N_ELEMENTS(values))]);
        }
        g_string_append(req, "}}");
        r = qtest_qmp(qts, "%s", req->str);
        /* Duplicate keys are a parse error (no id); else the id is ours. */
        if (json_object_has_member(r, "id")) {
            g_assert_cmpint(json_object_get_int_member(r, "id"), ==, round);
        } else {
            g_assert_true(json_object_has_member(r, "error"));
        }
    }
    check_alive(qts, ROUNDS);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/*
 * Arguments generated from query-qmp-schema: for every command, values
 * of each member's type (enums from their values, arrays, nested
 * objects and unions), then the same with one fault: a required member
 * left out, a member of the wrong JSON type, an unknown member.  A
 * faulty request must get QEMU's message for that fault; every reply
 * carries its id, and the binary runs with SPAPR_VFIO_QMP_STRICT=1 so
 * that a successful reply off its return type is an error too.
 */
typedef struct SchemaFuzz {
    GHashTable *types;          /* name -> SchemaInfo */
    unsigned depth;
} SchemaFuzz;

static JsonNode *fuzz_value(SchemaFuzz *f, const char *type);

static JsonNode *fuzz_scalar_of_kind(unsigned kind)
{
    static const char *const strs[] = {
        "", "x", "/machine", "zz\xc3\xa9", "/machine/peripheral/td",
        "type", "pci-testdev", "memory-backend-ram", "zzz,zzz=1",
    };
    static const gint64 ints[] = {
        0, 1, -1, 4096, G_MAXINT32, G_MININT64, G_MAXINT64, 1ll << 40,
    };
    JsonNode *n = json_node_alloc();

    switch (kind % 5) {
    case 0:
        json_node_init_string(n, strs[g_test_rand_int_range(
            0, G_N_ELEMENTS(strs))]);
        break;
    case 1:
        json_node_init_int(n, ints[g_test_rand_int_range(
            0, G_N_ELEMENTS(ints))]);
        break;
    case 2:
        json_node_init_boolean(n, g_test_rand_bit());
        break;
    case 3:
        json_node_init_double(n, g_test_rand_double_range(-1e6, 1e6));
        break;
    default:
        json_node_init_null(n);
        break;
    }
    return n;
}

/* A value of another JSON type than @json_type ("string", ...). */
static JsonNode *fuzz_wrong_value(const char *json_type)
{
    JsonNode *n;

    if (!strcmp(json_type, "object")) {
        return fuzz_scalar_of_kind(g_test_rand_int_range(0, 3));
    }
    if (g_test_rand_int_range(0, 4) == 0) {
        n = json_node_alloc();
        json_node_init_object(n, json_object_new());
        json_object_unref(json_node_get_object(n));
        return n;
    }
    for (;;) {
        unsigned kind = g_test_rand_int_range(0, 5);
        static const char *const kinds[] = {
            "string", "int", "boolean", "number", "null",
        };

        if (strcmp(kinds[kind], json_type) &&
            !(kind == 1 && !strcmp(json_type, "number"))) {
            return fuzz_scalar_of_kind(kind);
        }
    }
}

static void fuzz_members(SchemaFuzz *f, JsonObject *o, JsonArray *members)
{
    unsigned i;

    for (i = 0; members && i < json_array_get_length(members); i++) {
        JsonObject *m = json_array_get_object_element(members, i);
        bool optional = json_object_has_member(m, "default");

        if (!optional || g_test_rand_bit()) {
            json_object_set_member(o, json_object_get_string_member(m,
                                                                   "name"),
                fuzz_value(f, json_object_get_string_member(m, "type")));
        }
    }
}

static JsonNode *fuzz_value(SchemaFuzz *f, const char *type)
{
    JsonObject *t = g_hash_table_lookup(f->types, type);
    const char *meta;
    JsonNode *n = json_node_alloc();

    g_assert_nonnull(t);
    meta = json_object_get_string_member(t, "meta-type");
    f->depth++;
    if (!strcmp(meta, "builtin")) {
        static const char *const kinds[] = {
            "string", "int", "boolean", "number", "null",
        };
        const char *jt = json_object_get_string_member(t, "json-type");
        unsigned k;

        json_node_unref(n);
        for (k = 0; k < G_N_ELEMENTS(kinds) && strcmp(kinds[k], jt); k++) {
            continue;
        }
        n = fuzz_scalar_of_kind(k < G_N_ELEMENTS(kinds) ? k :
                                g_test_rand_int_range(0, 5));
    } else if (!strcmp(meta, "enum")) {
        JsonArray *v = json_object_get_array_member(t, "values");

        json_node_init_string(n, json_array_get_string_element(v,
            g_test_rand_int_range(0, json_array_get_length(v))));
    } else if (!strcmp(meta, "array")) {
        JsonArray *a = json_array_new();
        unsigned i, len = f->depth > 4 ? 0 : g_test_rand_int_range(0, 3);

        for (i = 0; i < len; i++) {
            json_array_add_element(a, fuzz_value(f,
                json_object_get_string_member(t, "element-type")));
        }
        json_node_init_array(n, a);
        json_array_unref(a);
    } else {
        JsonObject *o = json_object_new();

        g_assert_cmpstr(meta, ==, "object");
        fuzz_members(f, o, json_object_get_array_member(t, "members"));
        if (json_object_has_member(t, "variants")) {
            JsonArray *v = json_object_get_array_member(t, "variants");
            JsonObject *c = json_array_get_object_element(v,
                g_test_rand_int_range(0, json_array_get_length(v)));
            JsonObject *bt = g_hash_table_lookup(f->types,
                json_object_get_string_member(c, "type"));

            json_object_set_string_member(o, json_object_get_string_member(
                t, "tag"), json_object_get_string_member(c, "case"));
            fuzz_members(f, o, json_object_get_array_member(bt, "members"));
        }
        json_node_init_object(n, o);
        json_object_unref(o);
    }
    f->depth--;
    return n;
}

/* The builtin JSON type @type stands for, or NULL (any, enum: string). */
static const char *fuzz_json_type(SchemaFuzz *f, const char *type)
{
    JsonObject *t = g_hash_table_lookup(f->types, type);
    const char *meta = json_object_get_string_member(t, "meta-type");

    if (!strcmp(meta, "builtin")) {
        const char *jt = json_object_get_string_member(t, "json-type");

        return strcmp(jt, "value") ? jt : NULL;
    }
    return !strcmp(meta, "enum") ? "string" : meta;
}

static void test_schema_driven_arguments(void)
{
    static const char *const skip[] = {
        "quit", "migrate", "migrate-incoming", "x-exit-preconfig",
        "dumpdtb", NULL,
    };
    QTestState *qts = qtest_init_qemu_style(g_getenv("QTEST_QEMU_BINARY"),
        "-nodefaults -machine pseries -m 1G,slots=2,maxmem=2G "
        "-device pci-testdev,id=td", NULL);
    g_autoptr(JsonObject) reply = qtest_qmp(qts, "{'execute': "
                                            "'query-qmp-schema'}");
    JsonArray *schema = json_object_get_array_member(reply, "return");
    SchemaFuzz f = { g_hash_table_new(g_str_hash, g_str_equal) };
    unsigned i, pass, id = 0, faults = 0;

    for (i = 0; i < json_array_get_length(schema); i++) {
        JsonObject *e = json_array_get_object_element(schema, i);

        g_hash_table_insert(f.types, (gpointer)
                            json_object_get_string_member(e, "name"), e);
    }
    for (pass = 0; pass < 8; pass++) {
        for (i = 0; i < json_array_get_length(schema); i++) {
            JsonObject *e = json_array_get_object_element(schema, i);
            const char *name = json_object_get_string_member(e, "name");
            g_autoptr(JsonObject) req = json_object_new();
            g_autoptr(JsonNode) root = json_node_alloc();
            g_autoptr(JsonObject) r = NULL;
            g_autofree char *text = NULL;
            JsonObject *argt, *args;
            JsonArray *members;
            const char *want = NULL;
            unsigned fault = pass % 4, nm;

            if (strcmp(json_object_get_string_member(e, "meta-type"),
                       "command") || g_strv_contains(skip, name)) {
                continue;
            }
            argt = g_hash_table_lookup(f.types,
                json_object_get_string_member(e, "arg-type"));
            members = json_object_get_array_member(argt, "members");
            nm = json_array_get_length(members);
            args = json_node_get_object(fuzz_value(&f,
                json_object_get_string_member(e, "arg-type")));
            if (fault == 1 && nm) {
                /* Leave out a required member, if there is one. */
                JsonObject *m = json_array_get_object_element(members,
                    g_test_rand_int_range(0, nm));

                if (!json_object_has_member(m, "default")) {
                    json_object_remove_member(args,
                        json_object_get_string_member(m, "name"));
                    want = "' is missing";
                }
            } else if (fault == 2 && nm) {
                JsonObject *m = json_array_get_object_element(members,
                    g_test_rand_int_range(0, nm));
                const char *jt = fuzz_json_type(&f,
                    json_object_get_string_member(m, "type"));

                if (jt) {
                    json_object_set_member(args,
                        json_object_get_string_member(m, "name"),
                        fuzz_wrong_value(jt));
                    want = "Invalid parameter type for '";
                }
            } else if (fault == 3 && strcmp(name, "device_add") &&
                       strcmp(name, "object-add")) {
                json_object_set_int_member(args, "zz-unknown", 1);
                want = "' is unexpected";
            }
            json_object_set_string_member(req, "execute", name);
            json_object_set_int_member(req, "id", ++id);
            json_object_set_object_member(req, "arguments", args);
            json_node_init_object(root, req);
            text = json_to_string(root, FALSE);
            r = qtest_qmp(qts, "%s", text);
            g_assert_cmpint(json_object_get_int_member(r, "id"), ==, id);
            g_assert_true(json_object_has_member(r, "return") ||
                          json_object_has_member(r, "error"));
            if (want) {
                const char *desc = qtest_qmp_error_desc(r);

                faults++;
                if (!desc || !strstr(desc, want)) {
                    g_error("%s: wanted '%s', got '%s'", text, want,
                            desc ? desc : "(success)");
                }
            } else if (qtest_qmp_error_desc(r)) {
                /* The handler may refuse; the schema must not have. */
                const char *desc = qtest_qmp_error_desc(r);

                if (strstr(desc, "replied against its schema")) {
                    g_error("%s: %s", text, desc);
                }
            }
        }
        check_alive(qts, pass);
    }
    g_test_message("%u requests, %u with a fault", id, faults);
    g_assert_cmpuint(faults, >=, 50);
    g_hash_table_unref(f.types);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/compat/fuzz/random-bytes-and-fragments",
                    test_random_bytes_and_fragments);
    g_test_add_func("/compat/fuzz/random-arguments-to-every-command",
                    test_random_arguments_to_every_command);
    g_test_add_func("/compat/fuzz/schema-driven-arguments",
                    test_schema_driven_arguments);
    return g_test_run();
}
