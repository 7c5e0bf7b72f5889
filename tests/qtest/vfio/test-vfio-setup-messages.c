/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What a user sees on stderr while guest RAM is pinned for VFIO: a
 * REGISTER_MEMORY refused for lack of locked memory says how much is
 * needed and the ways to allow it (ulimit -l, vfio-sim's memlock=,
 * CAP_IPC_LOCK); pinning that takes long reports its progress (bytes
 * done, rate) unless -msg progress=off.  Each case runs spapr-vfio
 * under vfio-sim-run until the machine is built (-qtest stdio with no
 * input), and the host must be left clean.
 */
#include <errno.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "vfio-e2e.h"

typedef struct SimRun {
    int status;
    char *err;
} SimRun;

/*
 * Run spapr-vfio @args (space separated) under vfio-sim-run with host
 * keys @host and one dma-engine; check the exit report is clean.
 */
static void sim_run(SimRun *r, const char *host, const char *args)
{
    const char *bin = g_getenv("QTEST_SPAPR_VFIO_BINARY");
    const char *extra = g_getenv("SPAPR_TEST_HOST");
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vfio-msg-XXXXXX", &err);
    g_autofree char *build = NULL, *run = NULL, *report = NULL;
    g_autofree char *keys = NULL, *cmd = NULL, *json = NULL, *out = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    g_auto(GStrv) argv = NULL;

    g_assert_no_error(err);
    g_assert_nonnull(bin);
    build = g_path_get_dirname(bin);
    run = g_build_filename(build, "..", "contrib", "vfio-sim",
                           "vfio-sim-run", NULL);
    report = g_build_filename(dir, "report.json", NULL);
    keys = extra && *extra ? g_strdup_printf("%s,%s", host, extra)
                           : g_strdup(host);
    cmd = g_strdup_printf("'%s' --device " VT_BDF0 "=dma-engine@1 --host %s "
                          "--report '%s' -- '%s' -nodefaults -qtest stdio "
                          "-accel qtest %s -device vfio-pci,host=" VT_BDF0,
                          run, keys, report, bin, args);
    g_test_message("running %s", cmd);
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &err));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &out, &r->err, &r->status, &err));
    g_assert_no_error(err);
    g_test_message("stderr:\n%s", r->err);
    g_assert_null(strstr(r->err, "Sanitizer"));

    g_assert_true(g_file_get_contents(report, &json, NULL, &err));
    g_assert_true(json_parser_load_from_data(parser, json, -1, &err));
    g_assert_no_error(err);
    vsim_report_assert_clean(json_node_get_object(
                                 json_parser_get_root(parser)));
    g_unlink(report);
    g_rmdir(dir);
}

static int sim_exit_code(SimRun *r)
{
    g_assert_true(WIFEXITED(r->status));
    return WEXITSTATUS(r->status);
}

static unsigned count_lines_with(const char *text, const char *needle)
{
    unsigned n = 0;
    const char *p;

    for (p = strstr(text, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

/*
 * 512 MiB of RAM against a 64 MiB limit: the message names the ioctl and
 * errno, the amount (all of guest RAM) and how to allow it.
 */
static void test_enomem_says_how_much_and_how(void)
{
    SimRun r;

    sim_run(&r, "memlock=64m", "-m 512M");
    g_assert_cmpint(sim_exit_code(&r), ==, 1);
    g_assert_nonnull(strstr(r.err, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY"));
    g_assert_nonnull(strstr(r.err, g_strerror(ENOMEM)));
    g_assert_nonnull(strstr(r.err, "needs 512 MiB of locked memory"));
    /* 512 MiB in KiB, with room for the TCE tables */
    g_assert_nonnull(strstr(r.err, "ulimit -l 557056 "));
    g_assert_nonnull(strstr(r.err, "memlock="));
    g_assert_nonnull(strstr(r.err, "CAP_IPC_LOCK"));
    g_free(r.err);
}

/* RAM and DIMMs count together: the amount is all of it. */
static void test_enomem_counts_all_guest_ram(void)
{
    SimRun r;

    sim_run(&r, "memlock=64m",
            "-m 512M,slots=1,maxmem=1G "
            "-object memory-backend-ram,id=m0,size=256M "
            "-device pc-dimm,memdev=m0,id=d0");
    g_assert_cmpint(sim_exit_code(&r), ==, 1);
    g_assert_nonnull(strstr(r.err, "needs 768 MiB of locked memory"));
    g_free(r.err);
}

/*
 * Progress: 1.25 GiB of RAM is pinned in two pieces (1 GiB, 256 MiB);
 * with the delay set to 0 each piece reports the bytes done and a rate,
 * the last one all of it.
 */
static void test_progress_reports_bytes_and_rate(void)
{
    SimRun r;

    sim_run(&r, "memlock=unlimited", "-m 1280M -msg x-progress-after=0");
    g_assert_cmpint(sim_exit_code(&r), ==, 0);
    g_assert_nonnull(strstr(r.err, "pinning guest RAM"));
    g_assert_nonnull(strstr(r.err, ": 1 GiB of 1280 MiB (80%)"));
    g_assert_nonnull(strstr(r.err, ": 1280 MiB of 1280 MiB (100%)"));
    g_assert_nonnull(strstr(r.err, "MiB/s"));
    g_free(r.err);
}

/* Off, or under the (default one second) delay: nothing is printed. */
static void test_progress_off_is_silent(void)
{
    SimRun r;

    sim_run(&r, "memlock=unlimited",
            "-m 1280M -msg progress=off,x-progress-after=0");
    g_assert_cmpint(sim_exit_code(&r), ==, 0);
    g_assert_cmpuint(count_lines_with(r.err, "pinning"), ==, 0);
    g_free(r.err);
    sim_run(&r, "memlock=unlimited", "-m 512M -msg x-progress-after=60000");
    g_assert_cmpint(sim_exit_code(&r), ==, 0);
    g_assert_cmpuint(count_lines_with(r.err, "pinning"), ==, 0);
    g_free(r.err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/messages/enomem-says-how-much-and-how",
                    test_enomem_says_how_much_and_how);
    g_test_add_func("/vfio/messages/enomem-counts-all-guest-ram",
                    test_enomem_counts_all_guest_ram);
    g_test_add_func("/vfio/messages/progress-reports-bytes-and-rate",
                    test_progress_reports_bytes_and_rate);
    g_test_add_func("/vfio/messages/progress-off-is-silent",
                    test_progress_off_is_silent);
    return g_test_run();
}
