/*
 * VsimMachine: a spapr-vfio process under vfio-sim, for the guest model.
 *
 * Each machine gets a private temporary directory for the simulator's
 * control socket and exit report, so tests can run in parallel and never
 * read each other's reports.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "libspapr-guest.h"

#define VSIM_DEFAULT_DEVICES "0001:00:01.0=dma-engine@1"

static const char *vsim_lib_path(void)
{
    const char *lib = g_getenv("VFIO_SIM_LIB");

#ifdef VFIO_SIM_LIB
    if (!lib) {
        lib = VFIO_SIM_LIB;
    }
#endif
    if (!lib) {
        g_error("vsim_machine: VFIO_SIM_LIB is not set");
    }
    return lib;
}

/*
 * The environment the child gets on top of ours.  A preload already in
 * place (a sanitizer runtime) must stay first, so the simulator goes
 * after it.  "memlock=unlimited" comes first in the host keys so that a
 * machine whose RLIMIT_MEMLOCK is tiny can still register guest RAM; an
 * explicit memlock= in @host comes later and wins.  SPAPR_TEST_HOST
 * (e.g. "page=4k") sits between the two, so a whole suite can run on
 * another kind of host while a test's own keys still win.
 */
static char **vsim_machine_env(VsimMachine *m, const char *devices,
                               const char *host)
{
    const char *preload = g_getenv("LD_PRELOAD");
    const char *suite_host = g_getenv("SPAPR_TEST_HOST");
    GPtrArray *env = g_ptr_array_new();

    if (preload && *preload) {
        g_ptr_array_add(env, g_strdup_printf("LD_PRELOAD=%s:%s", preload,
                                             vsim_lib_path()));
    } else {
        g_ptr_array_add(env, g_strdup_printf("LD_PRELOAD=%s",
                                             vsim_lib_path()));
    }
    g_ptr_array_add(env, g_strdup_printf("VFIO_SIM_DEVICES=%s",
                                         devices ? devices
                                                 : VSIM_DEFAULT_DEVICES));
    g_ptr_array_add(env, g_strdup_printf(
                        "VFIO_SIM_HOST=memlock=unlimited%s%s%s%s",
                        suite_host && *suite_host ? "," : "",
                        suite_host ? suite_host : "",
                        host && *host ? "," : "", host ? host : ""));
    g_ptr_array_add(env, g_strdup_printf("VFIO_SIM_CONTROL=%s",
                                         m->control_path));
    g_ptr_array_add(env, g_strdup_printf("VFIO_SIM_REPORT=%s",
                                         m->report_path));
    g_ptr_array_add(env, NULL);
    return (char **)g_ptr_array_free(env, FALSE);
}

VsimMachine *vsim_machine_start(const char *devices, const char *host,
                                const char *fmt, ...)
{
    VsimMachine *m = g_new0(VsimMachine, 1);
    g_autoptr(GError) err = NULL;
    g_autofree char *args = NULL;
    g_auto(GStrv) env = NULL;
    va_list ap;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    m->dir = g_dir_make_tmp("spapr-vsim-XXXXXX", &err);
    if (!m->dir) {
        g_error("vsim_machine_start: %s", err->message);
    }
    m->control_path = g_build_filename(m->dir, "control.sock", NULL);
    m->report_path = g_build_filename(m->dir, "report.json", NULL);
    env = vsim_machine_env(m, devices, host);
    m->qts = qtest_init_env(args, env);

    /*
     * The machine opens its chardevs after creating every -device, so
     * by now the socket exists exactly when a vfio-pci device made the
     * simulator start.
     */
    if (g_file_test(m->control_path, G_FILE_TEST_EXISTS)) {
        vsim_machine_control(m);
    }
    return m;
}

VsimControl *vsim_machine_control(VsimMachine *m)
{
    g_autoptr(GError) err = NULL;

    if (!m->ctl) {
        m->ctl = vsim_control_connect(m->control_path, &err);
        if (!m->ctl) {
            g_error("vsim_machine_control: %s", err->message);
        }
    }
    return m->ctl;
}

JsonObject *vsim_machine_state(VsimMachine *m)
{
    g_autoptr(GError) err = NULL;
    JsonObject *st = vsim_control_state(vsim_machine_control(m), &err);

    if (!st) {
        g_error("vsim_machine_state: %s", err->message);
    }
    return st;
}

static void vsim_remove_dir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);

        g_unlink(p);
    }
    g_rmdir(dir);
}

JsonObject *vsim_machine_quit(VsimMachine *m)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    JsonObject *report;
    JsonNode *root;
    int status;

    g_clear_pointer(&m->ctl, vsim_control_close);
    status = qtest_quit_qmp(m->qts);
    m->qts = NULL;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_error("vsim_machine_quit: spapr-vfio ended with status 0x%x",
                status);
    }
    if (!json_parser_load_from_file(parser, m->report_path, &err)) {
        g_error("vsim_machine_quit: exit report %s: %s", m->report_path,
                err->message);
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_error("vsim_machine_quit: exit report is not a JSON object");
    }
    report = json_object_ref(json_node_get_object(root));
    vsim_remove_dir(m->dir);
    g_free(m->dir);
    g_free(m->control_path);
    g_free(m->report_path);
    g_free(m);
    return report;
}

static void vsim_assert_none_open(JsonObject *report, const char *member)
{
    JsonArray *a = json_object_get_array_member(report, member);
    unsigned i;

    g_assert_nonnull(a);
    for (i = 0; i < json_array_get_length(a); i++) {
        JsonObject *o = json_array_get_object_element(a, i);

        if (json_object_get_boolean_member_with_default(o, "open", FALSE)) {
            g_error("exit report: %s[%u] is still open", member, i);
        }
    }
}

void vsim_report_assert_clean(JsonObject *report)
{
    JsonArray *a;

    g_assert_nonnull(report);
    g_assert_cmpint(json_object_get_int_member(report, "locked_bytes"), ==,
                    0);
    g_assert_cmpint(json_object_get_int_member_with_default(
                        report, "v1_pinned_pages", 0), ==, 0);
    a = json_object_get_array_member(report, "containers");
    g_assert_nonnull(a);
    g_assert_cmpuint(json_array_get_length(a), ==, 0);
    a = json_object_get_array_member(report, "regions");
    g_assert_nonnull(a);
    g_assert_cmpuint(json_array_get_length(a), ==, 0);
    vsim_assert_none_open(report, "groups");
    vsim_assert_none_open(report, "devices");
}
