/*
 * -machine pseries,... as QEMU 7.2 command lines and libqos write it:
 * every pseries property accepted with QEMU's values, bad values
 * refused naming property and value, help marking what has no effect.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "libqtest.h"

typedef struct Run {
    int status;
    char *out, *err;
} Run;

static void run(Run *r, const char *args)
{
    g_autofree char *cmd = g_strdup_printf("%s %s",
                                           g_getenv("QTEST_QEMU_BINARY"),
                                           args);

    g_assert_true(g_spawn_command_line_sync(cmd, &r->out, &r->err,
                                            &r->status, NULL));
}

static void run_free(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

static void test_libqos_default_capabilities_accepted(void)
{
    g_autofree char *dir = g_dir_make_tmp("compat-XXXXXX", NULL);
    g_autofree char *dtb = g_build_filename(dir, "m.dtb", NULL);
    g_autofree char *args = NULL;
    Run r;

    /* libqos-spapr's PSERIES_DEFAULT_CAPABILITIES, trailing comma too. */
    args = g_strdup_printf("-nodefaults -machine pseries,cap-cfpc=broken,"
        "cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off, "
        "-machine x-vof=on,vsmt=8,ic-mode=xive,max-cpu-compat=power9,"
        "resize-hpt=disabled,kvm-type=HV,cap-hpt-max-page-size=16M,"
        "cap-htm=on,cap-nested-hv=on,cap-large-decr=off,cap-fwnmi=off,"
        "cap-rpt-invalidate=on,cap-ail-mode-3=off,cap-vsx=off,cap-dfp=off,"
        "kernel-addr=0x1000000,modern-hotplug-events=off,host-model=m,"
        "host-serial=s,kernel=k,initrd=i,append=a,usb=off,graphics=off "
        "-machine dumpdtb=%s", dtb);
    run(&r, args);
    g_test_message("stderr: %s", r.err);
    g_assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    g_assert_true(g_file_test(dtb, G_FILE_TEST_EXISTS));
    unlink(dtb);
    rmdir(dir);
    run_free(&r);
}

static void test_bad_values_named(void)
{
    static const char *const bad[][2] = {
        { "cap-cfpc=bogus", "bogus" },
        { "cap-ibs=fixed", "fixed" },
        { "cap-htm=maybe", "maybe" },
        { "vsmt=3", "3" },
        { "vsmt=16", "16" },
        { "ic-mode=apic", "apic" },
        { "resize-hpt=sometimes", "sometimes" },
        { "max-cpu-compat=power4", "power4" },
        { "cap-hpt-max-page-size=3000", "3000" },
        { "kernel-addr=zero", "zero" },
        { "no-such-prop=1", "no-such-prop" },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *args = g_strdup_printf("-machine pseries,%s",
                                                bad[i][0]);
        Run r;

        run(&r, args);
        g_test_message("%s -> %s", bad[i][0], r.err);
        g_assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
        g_assert_nonnull(strstr(r.err, "-machine"));
        g_assert_nonnull(strstr(r.err, bad[i][1]));
        g_assert_null(strchr(strchr(r.err, '\n') + 1, '\n'));
        run_free(&r);
    }
}

static void test_none_machine_has_no_pseries_props(void)
{
    Run r;

    run(&r, "-machine none,cap-htm=on");
    g_assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
    g_assert_nonnull(strstr(r.err, "none-machine.cap-htm"));
    run_free(&r);
}

static void test_help_marks_props_without_effect(void)
{
    static const char *const props[] = {
        "cap-htm", "cap-vsx", "cap-dfp", "cap-cfpc", "cap-sbbc", "cap-ibs",
        "cap-hpt-max-page-size", "cap-nested-hv", "cap-large-decr",
        "cap-ccf-assist", "cap-fwnmi", "cap-rpt-invalidate", "x-vof",
        "vsmt", "ic-mode", "max-cpu-compat", "resize-hpt", "kvm-type",
        "kernel-addr", "modern-hotplug-events", "host-model",
        "host-serial",
    };
    g_autofree char *dumpdtb = NULL;
    Run r;
    unsigned i;

    run(&r, "-machine pseries,help");
    g_assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    g_assert_true(g_str_has_prefix(r.out, "pseries-7.2-machine options:"));
    for (i = 0; i < G_N_ELEMENTS(props); i++) {
        g_autofree char *re = g_strdup_printf("^  %s=<[a-z0-9]+> .*"
                                              "\\[no effect: ", props[i]);

        g_assert_true(g_regex_match_simple(re, r.out, G_REGEX_MULTILINE,
                                           0));
    }
    /* ...and the ones acted on are not marked. */
    g_assert_true(g_regex_match_simple("^  dumpdtb=<string> +- [^[]*$",
                                       r.out, G_REGEX_MULTILINE, 0));
    run_free(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/compat/machine/libqos-default-capabilities-accepted",
                    test_libqos_default_capabilities_accepted);
    g_test_add_func("/compat/machine/bad-values-named",
                    test_bad_values_named);
    g_test_add_func("/compat/machine/none-machine-has-no-pseries-props",
                    test_none_machine_has_no_pseries_props);
    g_test_add_func("/compat/machine/help-marks-props-without-effect",
                    test_help_marks_props_without_effect);
    return g_test_run();
}
