/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The command line: help and version output, help for devices, and
 * clear errors (exit status 1, a message naming the option) for
 * everything malformed.  Also -qtest stdio and -machine dumpdtb, which
 * run without sockets.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

typedef struct RunResult {
    int status;
    char *out, *err;
} RunResult;

static const char *binary(void)
{
    const char *bin = g_getenv("QTEST_SPAPR_VFIO_BINARY");

    g_assert_nonnull(bin);
    return bin;
}

/* Run the binary with @args (space separated, shell quoting allowed). */
static void run(RunResult *r, const char *args)
{
    g_autofree char *cmd = g_strdup_printf("'%s' %s", binary(), args);
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &r->out, &r->err, &r->status, &err));
}

static void run_result_free(RunResult *r)
{
    g_free(r->out);
    g_free(r->err);
}

static int exit_code(RunResult *r)
{
    g_assert_true(WIFEXITED(r->status));
    return WEXITSTATUS(r->status);
}

/* Exit 1 with exactly one line on stderr containing every @needle. */
static void assert_fails_with(const char *args, const char *needle1,
                              const char *needle2)
{
    RunResult r;

    run(&r, args);
    if (exit_code(&r) != 1 || !strstr(r.err, needle1) ||
        (needle2 && !strstr(r.err, needle2))) {
        g_test_message("args: %s\nstatus: %d\nstderr: %s", args, r.status,
                       r.err);
    }
    g_assert_cmpint(exit_code(&r), ==, 1);
    g_assert_nonnull(strstr(r.err, needle1));
    if (needle2) {
        g_assert_nonnull(strstr(r.err, needle2));
    }
    g_assert_cmpint(strchr(r.err, '\n') - r.err + 1, ==, strlen(r.err));
    run_result_free(&r);
}

static void test_version(void)
{
    RunResult r;

    run(&r, "-version");
    g_assert_cmpint(exit_code(&r), ==, 0);
    g_assert_true(g_str_has_prefix(r.out, "spapr-vfio version "));
    run_result_free(&r);
}

static void test_help_with_one_or_two_dashes(void)
{
    static const char *const forms[] = { "-h", "--help", "-help" };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(forms); i++) {
        RunResult r;

        run(&r, forms[i]);
        g_assert_cmpint(exit_code(&r), ==, 0);
        g_assert_nonnull(strstr(r.out, "-machine"));
        g_assert_nonnull(strstr(r.out, "-device"));
        g_assert_nonnull(strstr(r.out, "-qtest"));
        run_result_free(&r);
    }
}

/* The first type -device help lists (whatever hw/ provides). */
static char *first_device_type(void)
{
    RunResult r;
    char *start, *end, *type;

    run(&r, "-device help");
    g_assert_cmpint(exit_code(&r), ==, 0);
    start = strstr(r.out, "name \"");
    g_assert_nonnull(start);
    start += strlen("name \"");
    end = strchr(start, '"');
    type = g_strndup(start, end - start);
    run_result_free(&r);
    return type;
}

static void test_device_help_lists_types_and_props(void)
{
    g_autofree char *type = first_device_type();
    g_autofree char *args = g_strdup_printf("-device %s,help", type);
    RunResult r;

    run(&r, args);
    g_assert_cmpint(exit_code(&r), ==, 0);
    g_assert_nonnull(strstr(r.out, type));
    g_assert_nonnull(strstr(r.out, "id=<str>"));
    run_result_free(&r);
    assert_fails_with("-device no-such-type,help", "-device",
                      "no-such-type");
}

static void test_unknown_option(void)
{
    assert_fails_with("-frobnicate", "-frobnicate", "invalid option");
    assert_fails_with("--frobnicate 3", "--frobnicate", "invalid option");
    assert_fails_with("disk.img", "disk.img", NULL);
}

static void test_missing_argument(void)
{
    assert_fails_with("-m", "-m", "requires an argument");
    assert_fails_with("-device", "-device", "requires an argument");
}

static void test_bad_memory_sizes(void)
{
    assert_fails_with("-m 12Q", "-m 12Q", "12Q");
    assert_fails_with("-m size=-1", "-m", "-1");
    assert_fails_with("-m 1G,maxmem=lots", "-m", "lots");
    assert_fails_with("-m 1G,slots=many", "-m", "many");
    assert_fails_with("-m 1G,colour=blue", "-m", "colour");
}

/*
 * pseries hands RAM to the guest in 256 MiB blocks (LMBs): the boot
 * RAM and maxmem must be whole blocks, and slots mean nothing without
 * maxmem (QEMU's pseries refuses the same).  Each message names the
 * option and the value given.
 */
static void test_memory_sizes_are_256m_blocks(void)
{
    /* dumpdtb exits at once should the machine accept one of these. */
    static const char *const bad[][3] = {
        { "-m 64M", "-m 64M", "256 MiB" },
        { "-m size=300M", "size", "300M" },
        { "-m 1G,slots=2,maxmem=1100M", "maxmem", "1100M" },
        { "-m 1G,slots=2,maxmem=2049M", "maxmem", "256 MiB" },
        { "-m 1G,slots=2", "slots", "maxmem" },
        { "-m 1G,slots=4", "-m 1G,slots=4", "maxmem" },
        /* RAM from a backend is held to the same rule */
        { "-object memory-backend-ram,id=ram0,size=64M "
          "-machine memory-backend=ram0", "ram0", "256 MiB" },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *args = g_strdup_printf(
            "-machine pseries,dumpdtb=/dev/null -nodefaults %s", bad[i][0]);

        assert_fails_with(args, bad[i][1], bad[i][2]);
    }
}

/* Whole blocks start; slots=0 is no slots and needs no maxmem. */
static void test_memory_sizes_in_blocks_start(void)
{
    static const char *const ok[] = {
        "-m 256M", "-m 768M,slots=2,maxmem=1280M", "-m 1G,slots=0",
        "-m 1G,maxmem=2G", "-m 4G",
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_autofree char *args = g_strdup_printf(
            "-machine pseries,dumpdtb=/dev/null -nodefaults %s", ok[i]);
        RunResult r;

        run(&r, args);
        if (exit_code(&r) != 0) {
            g_test_message("args: %s\nstderr: %s", args, r.err);
        }
        g_assert_cmpint(exit_code(&r), ==, 0);
        run_result_free(&r);
    }
}

static void test_bad_device_options(void)
{
    g_autofree char *type = first_device_type();
    g_autofree char *args = g_strdup_printf("-device %s,bogus-prop=1", type);

    assert_fails_with("-device no-such-type", "-device no-such-type",
                      "no-such-type");
    /* The message names the property and the type. */
    assert_fails_with(args, "bogus-prop", type);
    assert_fails_with("-device driver", "-device", NULL);
}

static void test_bad_machine_accel_and_monitor(void)
{
    assert_fails_with("-machine q35", "-machine", "q35");
    assert_fails_with("-M pseries,no-such-prop=1", "no-such-prop", NULL);
    assert_fails_with("-accel kvm", "-accel kvm", "kvm");
    assert_fails_with("-mon chardev=nope,mode=control", "-mon", "nope");
    /* readline (HMP) and control (QMP) are the modes, as in QEMU. */
    assert_fails_with("-chardev socket,id=c0,path=/tmp/x.sock "
                      "-mon chardev=c0,mode=fancy", "-mon", "fancy");
    assert_fails_with("-chardev socket,id=c0", "-chardev", "path");
    assert_fails_with("-chardev pty,id=c0", "-chardev", "pty");
    assert_fails_with("-qtest tcp:localhost:4444", "-qtest", "tcp");
    assert_fails_with("-trace events=/nonexistent/trace-events", "-trace",
                      NULL);
}

static void test_bad_objects(void)
{
    assert_fails_with("-object frob,id=x", "-object frob,id=x", "frob");
    assert_fails_with("-object memory-backend-ram,size=1M", "-object",
                      "id");
    assert_fails_with("-object memory-backend-ram,id=m,size=1M,colour=red",
                      "-object", "colour");
}

static void test_client_socket_that_nobody_listens_on(void)
{
    assert_fails_with("-qtest unix:/nonexistent/dir/sock -accel qtest",
                      "/nonexistent/dir/sock", NULL);
}

static void test_ignored_display_options_are_accepted(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-XXXXXX", NULL);
    g_autofree char *dtb = g_build_filename(dir, "ignored.dtb", NULL);
    g_autofree char *args = g_strdup_printf(
        "-display none -nographic -serial none -L /usr/share/qemu "
        "-nodefaults -accel qtest -machine pseries,dumpdtb=%s", dtb);
    RunResult r;

    run(&r, args);
    g_assert_cmpint(exit_code(&r), ==, 0);
    g_assert_true(g_file_test(dtb, G_FILE_TEST_EXISTS));
    run_result_free(&r);
    unlink(dtb);
    rmdir(dir);
}

static void test_dumpdtb_writes_file_and_exits(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-XXXXXX", NULL);
    g_autofree char *dtb = g_build_filename(dir, "out.dtb", NULL);
    g_autofree char *args = g_strdup_printf("-M pseries,dumpdtb=%s", dtb);
    g_autofree char *data = NULL;
    gsize len = 0;
    RunResult r;

    run(&r, args);
    g_assert_cmpint(exit_code(&r), ==, 0);
    g_assert_true(g_file_get_contents(dtb, &data, &len, NULL));
    g_assert_cmpuint(len, >, 0);
    run_result_free(&r);
    unlink(dtb);
    rmdir(dir);
}

/*
 * dumpdtb writes into the file it is given: a link stays a link and
 * its target gets the tree.  Renaming a temporary file over the path
 * would replace it, and with dumpdtb=/dev/null as root would turn the
 * machine's /dev/null into a regular file.
 */
static void test_dumpdtb_writes_in_place(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-XXXXXX", NULL);
    g_autofree char *target = g_build_filename(dir, "target.dtb", NULL);
    g_autofree char *link = g_build_filename(dir, "link.dtb", NULL);
    g_autofree char *args = g_strdup_printf("-M pseries,dumpdtb=%s", link);
    g_autofree char *data = NULL;
    gsize len = 0;
    RunResult r;

    g_assert_true(g_file_set_contents(target, "old", -1, NULL));
    g_assert_cmpint(symlink(target, link), ==, 0);
    run(&r, args);
    g_assert_cmpint(exit_code(&r), ==, 0);
    g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    g_assert_true(g_file_get_contents(target, &data, &len, NULL));
    g_assert_cmpuint(len, >, 40);
    g_assert_cmphex(GUINT32_FROM_BE(*(guint32 *)data), ==, 0xd00dfeed);
    run_result_free(&r);
    unlink(link);
    unlink(target);
    rmdir(dir);
}

static void test_qtest_stdio_serves_and_exits_at_eof(void)
{
    const char *argv[] = { binary(), "-nodefaults", "-qtest", "stdio",
                           "-accel", "qtest", NULL };
    const char *input = "endianness\nwritel 0x2000 0xa1b2c3d4\n"
                        "readl 0x2000\nnope\n";
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    GPid pid;
    int in_fd, out_fd, status;
    char buf[256];
    ssize_t n;

    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                           NULL, &pid, &in_fd, &out_fd,
                                           NULL, &err));
    g_assert_cmpint(write(in_fd, input, strlen(input)), ==, strlen(input));
    /* End of input ends the session: the process exits cleanly. */
    close(in_fd);
    while ((n = read(out_fd, buf, sizeof(buf))) > 0) {
        g_string_append_len(out, buf, n);
    }
    close(out_fd);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpstr(out->str, ==, "OK big\nOK\nOK 0x00000000a1b2c3d4\n"
                    "FAIL Unknown command 'nope'\n");
    g_spawn_close_pid(pid);
}

static void test_sigterm_exits_zero(void)
{
    const char *argv[] = { binary(), "-nodefaults", "-qtest", "stdio",
                           "-accel", "qtest", NULL };
    g_autoptr(GError) err = NULL;
    GPid pid;
    int in_fd, out_fd, status;
    char buf[64];

    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                           NULL, &pid, &in_fd, &out_fd,
                                           NULL, &err));
    /* Once it answers, the main loop is running. */
    g_assert_cmpint(write(in_fd, "endianness\n", 11), ==, 11);
    g_assert_cmpint(read(out_fd, buf, 7), ==, 7);
    kill(pid, SIGTERM);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    close(in_fd);
    close(out_fd);
    g_spawn_close_pid(pid);
}

/*
 * Started with no monitor and no qtest, the process says on stderr how to
 * talk to it (then runs until a signal); with a front end it says nothing.
 */
static void test_no_monitor_says_how_to_connect(void)
{
    const char *argv[] = { binary(), "-nodefaults", "-m", "256M", NULL };
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) line = g_string_new(NULL);
    GPid pid;
    int err_fd, status;
    char c;

    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                           NULL, &pid, NULL, NULL, &err_fd,
                                           &err));
    while (read(err_fd, &c, 1) == 1 && c != '\n') {
        g_string_append_c(line, c);
    }
    g_test_message("stderr: %s", line->str);
    g_assert_nonnull(strstr(line->str, "no monitor"));
    g_assert_nonnull(strstr(line->str, "-qmp unix:"));
    g_assert_nonnull(strstr(line->str, "-monitor stdio"));
    g_assert_nonnull(strstr(line->str, "-mon chardev="));
    kill(pid, SIGTERM);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    close(err_fd);
    g_spawn_close_pid(pid);
}

static void test_frontend_gets_no_connect_hint(void)
{
    RunResult r;

    /* qtest on stdio: stdin is /dev/null, so the session ends at once. */
    run(&r, "-nodefaults -qtest stdio -accel qtest");
    g_assert_cmpint(exit_code(&r), ==, 0);
    g_assert_null(strstr(r.err, "no monitor"));
    run_result_free(&r);
    run(&r, "-nodefaults -monitor none -qtest stdio");
    g_assert_cmpint(exit_code(&r), ==, 0);
    g_assert_null(strstr(r.err, "no monitor"));
    run_result_free(&r);
}

/* -msg progress=on|off and its test knob are checked like other keys. */
static void test_msg_progress_values(void)
{
    RunResult r;

    assert_fails_with("-nodefaults -msg progress=maybe", "progress",
                      "'on' or 'off'");
    assert_fails_with("-nodefaults -msg x-progress-after=-5",
                      "x-progress-after", NULL);
    assert_fails_with("-nodefaults -msg x-progress-after=99999999999",
                      "x-progress-after", NULL);
    run(&r, "-nodefaults -msg timestamp=off,progress=off,x-progress-after=0"
        " -qtest stdio");
    g_assert_cmpint(exit_code(&r), ==, 0);
    run_result_free(&r);
}

/* -trace events=FILE that cannot be read: one error, the option once. */
static void test_trace_events_file_error_once(void)
{
    RunResult r;

    run(&r, "-nodefaults -trace events=/nonexistent/events");
    g_test_message("stderr: %s", r.err);
    g_assert_cmpint(exit_code(&r), ==, 1);
    g_assert_nonnull(strstr(r.err, "-trace events=/nonexistent/events: "));
    g_assert_null(strstr(strstr(r.err, "-trace") + 1, "-trace"));
    g_assert_cmpint(strchr(r.err, '\n') - r.err + 1, ==, strlen(r.err));
    run_result_free(&r);
    assert_fails_with("-nodefaults -trace bogus=1", "-trace bogus=1: "
                      "unknown parameter 'bogus'", NULL);
}

/* A pattern (given or in an events file) that matches nothing is said. */
static void test_trace_pattern_matching_nothing_warns(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-trace-XXXXXX", NULL);
    g_autofree char *events = g_build_filename(dir, "events", NULL);
    g_autofree char *args = NULL;
    RunResult r;

    g_assert_true(g_file_set_contents(events, "# comment\nqtest_*\n"
                                      "no_such_event_*\n", -1, NULL));
    args = g_strdup_printf("-nodefaults -trace 'nothing_matches_this*' "
                           "-trace 'qmp_*,enable=-nope' -trace events=%s "
                           "-qtest stdio -D /dev/null", events);
    run(&r, args);
    g_test_message("stderr: %s", r.err);
    g_assert_cmpint(exit_code(&r), ==, 0);
    g_assert_nonnull(strstr(r.err, "warning: -trace: no trace event "
                            "matches 'nothing_matches_this*'"));
    g_assert_nonnull(strstr(r.err, "no trace event matches '-nope'"));
    g_assert_nonnull(strstr(r.err, ":3: no trace event matches "
                            "'no_such_event_*'"));
    /* Patterns that match say nothing. */
    g_assert_null(strstr(r.err, "'qtest_*'"));
    g_assert_null(strstr(r.err, "'qmp_*'"));
    run_result_free(&r);
    g_unlink(events);
    g_rmdir(dir);
}

/* ",," is a comma inside a -trace value, as in every other option. */
static void test_trace_values_escape_commas(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-trace-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "a,b.log", NULL);
    g_autofree char *args = NULL;
    g_autofree char *text = NULL;
    RunResult r;

    args = g_strdup_printf("-nodefaults -trace 'file=%s/a,,b.log,qtest_*' "
                           "-qtest stdio", dir);
    run(&r, args);
    g_test_message("stderr: %s", r.err);
    g_assert_cmpint(exit_code(&r), ==, 0);
    g_assert_cmpstr(r.err, ==, "");
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    run_result_free(&r);
    g_unlink(log);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cmdline/version", test_version);
    g_test_add_func("/cmdline/help-with-one-or-two-dashes",
                    test_help_with_one_or_two_dashes);
    g_test_add_func("/cmdline/device-help-lists-types-and-props",
                    test_device_help_lists_types_and_props);
    g_test_add_func("/cmdline/unknown-option", test_unknown_option);
    g_test_add_func("/cmdline/missing-argument", test_missing_argument);
    g_test_add_func("/cmdline/bad-memory-sizes", test_bad_memory_sizes);
    g_test_add_func("/cmdline/memory-sizes-are-256m-blocks",
                    test_memory_sizes_are_256m_blocks);
    g_test_add_func("/cmdline/memory-sizes-in-blocks-start",
                    test_memory_sizes_in_blocks_start);
    g_test_add_func("/cmdline/bad-device-options", test_bad_device_options);
    g_test_add_func("/cmdline/bad-machine-accel-and-monitor",
                    test_bad_machine_accel_and_monitor);
    g_test_add_func("/cmdline/bad-objects", test_bad_objects);
    g_test_add_func("/cmdline/client-socket-that-nobody-listens-on",
                    test_client_socket_that_nobody_listens_on);
    g_test_add_func("/cmdline/ignored-display-options-are-accepted",
                    test_ignored_display_options_are_accepted);
    g_test_add_func("/cmdline/dumpdtb-writes-file-and-exits",
                    test_dumpdtb_writes_file_and_exits);
    g_test_add_func("/cmdline/dumpdtb-writes-in-place",
                    test_dumpdtb_writes_in_place);
    g_test_add_func("/cmdline/qtest-stdio-serves-and-exits-at-eof",
                    test_qtest_stdio_serves_and_exits_at_eof);
    g_test_add_func("/cmdline/sigterm-exits-zero", test_sigterm_exits_zero);
    g_test_add_func("/cmdline/no-monitor-says-how-to-connect",
                    test_no_monitor_says_how_to_connect);
    g_test_add_func("/cmdline/frontend-gets-no-connect-hint",
                    test_frontend_gets_no_connect_hint);
    g_test_add_func("/cmdline/msg-progress-values", test_msg_progress_values);
    g_test_add_func("/cmdline/trace-events-file-error-once",
                    test_trace_events_file_error_once);
    g_test_add_func("/cmdline/trace-pattern-matching-nothing-warns",
                    test_trace_pattern_matching_nothing_warns);
    g_test_add_func("/cmdline/trace-values-escape-commas",
                    test_trace_values_escape_commas);
    return g_test_run();
}
