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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/compat/fuzz/random-bytes-and-fragments",
                    test_random_bytes_and_fragments);
    g_test_add_func("/compat/fuzz/random-arguments-to-every-command",
                    test_random_arguments_to_every_command);
    return g_test_run();
}
