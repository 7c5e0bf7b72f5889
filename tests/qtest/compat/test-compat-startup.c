/*
 * What QEMU 7.2's libqtest does before any test runs: derive the
 * target from QTEST_QEMU_BINARY, start "-machine none" to list
 * machines, negotiate QMP, and tear down with SIGTERM.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "compat.h"

/* libqtest: arch = after the last '-', and the name has "-system-". */
static void test_binary_name_gives_target_ppc64(void)
{
    const char *bin = qemu_binary();
    const char *arch = strrchr(bin, '-');

    g_assert_nonnull(strstr(bin, "-system-"));
    g_assert_nonnull(arch);
    g_assert_cmpstr(arch + 1, ==, "ppc64");
    g_assert_true(g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE));
}

static JsonObject *find_machine(JsonArray *machines, const char *name)
{
    unsigned i;

    for (i = 0; i < json_array_get_length(machines); i++) {
        JsonObject *m = json_array_get_object_element(machines, i);

        if (!strcmp(json_object_get_string_member(m, "name"), name)) {
            return m;
        }
    }
    return NULL;
}

/* qtest_cb_for_every_machine: -machine none, then query-machines. */
static void test_machine_none_probe_lists_machines(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
                                            "-machine none", NULL);
    g_autoptr(JsonNode) ret = qmp_ret(qts, "{ 'execute': "
                                         "'query-machines' }");
    JsonArray *machines = json_node_get_array(ret);
    JsonObject *pseries = find_machine(machines, "pseries-7.2");
    JsonObject *none = find_machine(machines, "none");

    g_assert_nonnull(pseries);
    g_assert_nonnull(none);
    g_assert_cmpstr(json_object_get_string_member(pseries, "alias"), ==,
                    "pseries");
    g_assert_true(json_object_get_boolean_member(pseries, "is-default"));
    /* Optional booleans are absent rather than false. */
    g_assert_false(json_object_has_member(none, "is-default"));
    g_assert_false(json_object_has_member(none, "alias"));
    g_assert_true(json_object_has_member(none, "cpu-max"));
    g_assert_true(json_object_has_member(none, "deprecated"));
    quit_cleanly(qts);
}

/* No RAM unless -m: reads of address 0 hit nothing and read as ones. */
static void test_machine_none_has_ram_only_with_m(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
                                            "-nodefaults -machine none",
                                            NULL);

    g_autoptr(JsonNode) pci = qmp_ret(qts, "{'execute': 'query-pci'}");

    /* No PHB either. */
    g_assert_cmpuint(json_array_get_length(json_node_get_array(pci)), ==, 0);
    qtest_writel(qts, 0x1000, 0x12345678);
    g_assert_cmphex(qtest_readl(qts, 0x1000), ==, 0xffffffff);
    quit_cleanly(qts);

    qts = qtest_init_qemu_style(qemu_binary(), "-S -M none -m 2", NULL);
    qtest_writel(qts, 0x1000, 0x12345678);
    g_assert_cmphex(qtest_readl(qts, 0x1000), ==, 0x12345678);
    /* 2 MiB and no more. */
    g_assert_cmphex(qtest_readl(qts, 2 * 1024 * 1024), ==, 0xffffffff);
    quit_cleanly(qts);
}

/* The versioned name and the alias start the same machine. */
static void test_versioned_alias_starts_pseries(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
                                            "-machine pseries-7.2", NULL);
    g_autoptr(JsonNode) ret = qmp_ret(qts, "{ 'execute': 'query-pci' }");

    /* The pseries model has its PHB (none has not). */
    g_assert_cmpuint(json_array_get_length(json_node_get_array(ret)), ==, 1);
    quit_cleanly(qts);
}

static void test_machine_help_lists_alias_and_none(void)
{
    g_autofree char *out = NULL;
    g_autofree char *cmd = g_strdup_printf("%s -machine help",
                                           qemu_binary());
    int status;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, NULL, &status,
                                            NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_nonnull(strstr(out, "Supported machines are:\n"));
    g_assert_true(g_regex_match_simple("^pseries +.*\\(alias of "
                                       "pseries-7\\.2\\)$", out,
                                       G_REGEX_MULTILINE, 0));
    g_assert_true(g_regex_match_simple("^pseries-7\\.2 +.*\\(default\\)$",
                                       out, G_REGEX_MULTILINE, 0));
    g_assert_true(g_regex_match_simple("^none +", out, G_REGEX_MULTILINE,
                                       0));
}

static void test_query_target_kvm_version(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
                                            "-nodefaults -machine none",
                                            NULL);
    g_autoptr(JsonNode) target = qmp_ret(qts, "{'execute': "
                                            "'query-target'}");
    g_autoptr(JsonNode) kvm = qmp_ret(qts, "{'execute': 'query-kvm'}");
    g_autoptr(JsonNode) ver = qmp_ret(qts, "{'execute': "
                                         "'query-version'}");
    g_autoptr(JsonNode) cur = qmp_ret(qts, "{'execute': "
                                         "'query-current-machine'}");
    JsonObject *qemu = json_object_get_object_member(
        json_node_get_object(ver), "qemu");

    g_assert_cmpstr(json_object_get_string_member(
                    json_node_get_object(target), "arch"), ==, "ppc64");
    g_assert_false(json_object_get_boolean_member(
                   json_node_get_object(kvm), "enabled"));
    g_assert_false(json_object_get_boolean_member(
                   json_node_get_object(kvm), "present"));
    g_assert_cmpint(json_object_get_int_member(qemu, "major"), ==, 7);
    g_assert_cmpint(json_object_get_int_member(qemu, "minor"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(qemu, "micro"), ==, 0);
    g_assert_true(g_str_has_prefix(json_object_get_string_member(
                  json_node_get_object(ver), "package"), "spapr-vfio "));
    g_assert_false(json_object_get_boolean_member(
                   json_node_get_object(cur), "wakeup-suspend-support"));
    quit_cleanly(qts);
}

/* QEMU's client parses the greeting as a strict VersionInfo. */
static void test_greeting_is_strict_and_offers_oob(void)
{
    JsonObject *greeting = NULL;
    QTestState *qts = qtest_init_qemu_style(qemu_binary(), "-machine none",
                                            &greeting);
    JsonObject *qmp = json_object_get_object_member(greeting, "QMP");
    JsonObject *version = json_object_get_object_member(qmp, "version");
    JsonObject *qemu = json_object_get_object_member(version, "qemu");
    JsonArray *caps = json_object_get_array_member(qmp, "capabilities");

    g_assert_cmpuint(json_object_get_size(greeting), ==, 1);
    g_assert_cmpuint(json_object_get_size(qmp), ==, 2);
    g_assert_cmpuint(json_object_get_size(version), ==, 2);
    g_assert_cmpuint(json_object_get_size(qemu), ==, 3);
    g_assert_cmpint(json_object_get_int_member(qemu, "major"), ==, 7);
    g_assert_cmpint(json_object_get_int_member(qemu, "minor"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(qemu, "micro"), ==, 0);
    g_assert_nonnull(json_object_get_string_member(version, "package"));
    g_assert_cmpuint(json_array_get_length(caps), ==, 1);
    g_assert_cmpstr(json_array_get_string_element(caps, 0), ==, "oob");
    json_object_unref(greeting);
    quit_cleanly(qts);
}

/* qmp-test's preconfig case: QMP before the machine exists. */
static void test_preconfig_then_exit(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
        "-nodefaults -machine none --preconfig", NULL);
    g_autoptr(JsonNode) cmds = qmp_ret(qts, "{'execute': "
                                          "'query-commands'}");
    g_autoptr(JsonNode) st1 = qmp_ret(qts, "{'execute': "
                                         "'query-status'}");
    const char *exit_cmd = "{'execute': 'x-exit-preconfig'}";
    g_autoptr(JsonNode) cpus = NULL;
    g_autoptr(JsonNode) st2 = NULL;
    g_autoptr(JsonObject) ev = NULL;
    g_autoptr(JsonObject) reply = NULL;

    g_assert_cmpstr(json_object_get_string_member(
                    json_node_get_object(st1), "status"), ==, "prelaunch");
    qtest_qmp_assert_error(qts, "permitted only after machine "
                           "initialization", "{'execute': "
                           "'query-cpus-fast'}");
    /* RESUME, then the reply, as QEMU sends them. */
    qtest_qmp_send_raw(qts, exit_cmd, strlen(exit_cmd));
    ev = qtest_qmp_eventwait_or_reply(qts);
    g_assert_cmpstr(json_object_get_string_member(ev, "event"), ==,
                    "RESUME");
    reply = qtest_qmp_receive(qts);
    g_assert_true(json_object_has_member(reply, "return"));
    qtest_qmp_assert_error(qts, "permitted only before machine "
                           "initialization", "{'execute': "
                           "'x-exit-preconfig'}");
    cpus = qmp_ret(qts, "{'execute': 'query-cpus-fast'}");
    g_assert_cmpuint(json_array_get_length(json_node_get_array(cpus)), ==,
                     0);
    st2 = qmp_ret(qts, "{'execute': 'query-status'}");
    g_assert_cmpstr(json_object_get_string_member(
                    json_node_get_object(st2), "status"), ==, "running");
    quit_cleanly(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/compat/startup/binary-name-gives-target-ppc64",
                    test_binary_name_gives_target_ppc64);
    g_test_add_func("/compat/startup/machine-none-probe-lists-machines",
                    test_machine_none_probe_lists_machines);
    g_test_add_func("/compat/startup/machine-none-has-ram-only-with-m",
                    test_machine_none_has_ram_only_with_m);
    g_test_add_func("/compat/startup/versioned-alias-starts-pseries",
                    test_versioned_alias_starts_pseries);
    g_test_add_func("/compat/startup/machine-help-lists-alias-and-none",
                    test_machine_help_lists_alias_and_none);
    g_test_add_func("/compat/startup/greeting-is-strict-and-offers-oob",
                    test_greeting_is_strict_and_offers_oob);
    g_test_add_func("/compat/startup/preconfig-then-exit",
                    test_preconfig_then_exit);
    g_test_add_func("/compat/startup/query-target-kvm-version",
                    test_query_target_kvm_version);
    return g_test_run();
}
