/*
 * A libvirt-style command line: the options libvirt and scripts pass
 * to QEMU start the machine, answer QMP with what they set, and every
 * bad value is refused naming the option and the value.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libfdt.h>
#include "compat.h"

static void test_libvirt_command_line_starts_and_answers(void)
{
    g_autofree char *dir = g_dir_make_tmp("compat-XXXXXX", NULL);
    g_autofree char *pidfile = g_build_filename(dir, "vm.pid", NULL);
    g_autofree char *args = g_strdup_printf(
        "-name guest=vm1,debug-threads=on "
        "-uuid 6c9f3c5e-4a4e-4b0e-9d43-1a2b3c4d5e6f "
        "-no-user-config -nodefaults -no-shutdown -S "
        "-pidfile %s -msg timestamp=on "
        "-global spapr-pci-host-bridge.ddw=off "
        "-global driver=pci-testdev,property=addr,value=5 "
        "-overcommit mem-lock=off -smp 4,sockets=2,cores=2,threads=1 "
        "-cpu POWER9 -rtc base=utc,driftfix=slew -boot strict=on "
        "-machine pseries,accel=qtest,usb=off,dump-guest-core=off "
        "-m 256 -object memory-backend-ram,id=ram0,size=16M "
        "-device pci-testdev,id=td0 -serial none -L /nonexistent "
        "-audio none", pidfile);
    QTestState *qts = qtest_init_qemu_style(qemu_binary(), args, NULL);
    g_autoptr(JsonNode) name = qmp_ret(qts, "{'execute': 'query-name'}");
    g_autoptr(JsonNode) uuid = qmp_ret(qts, "{'execute': 'query-uuid'}");
    g_autoptr(JsonNode) st = qmp_ret(qts, "{'execute': 'query-status'}");
    g_autoptr(JsonNode) ddw = qmp_ret(qts, "{'execute': 'qom-get', "
        "'arguments': {'path': '/machine/unattached/device[0]', "
        "'property': 'ddw'}}");
    g_autoptr(JsonNode) addr = qmp_ret(qts, "{'execute': 'qom-get', "
        "'arguments': {'path': '/machine/peripheral/td0', "
        "'property': 'addr'}}");
    g_autofree char *pidtext = NULL;
    int fd, status;

    g_assert_cmpstr(json_object_get_string_member(
                    json_node_get_object(name), "name"), ==, "vm1");
    g_assert_cmpstr(json_object_get_string_member(
                    json_node_get_object(uuid), "UUID"), ==,
                    "6c9f3c5e-4a4e-4b0e-9d43-1a2b3c4d5e6f");
    g_assert_cmpstr(json_object_get_string_member(
                    json_node_get_object(st), "status"), ==, "prelaunch");
    /* -global: the machine's own PHB and the user's device follow it. */
    g_assert_false(json_node_get_boolean(ddw));
    g_assert_cmpint(json_node_get_int(addr), ==, 5 << 3);
    /* -pidfile: the pid, and a lock another instance would meet. */
    g_assert_true(g_file_get_contents(pidfile, &pidtext, NULL, NULL));
    g_assert_cmpint(atoi(pidtext), ==, qtest_pid(qts));
    fd = open(pidfile, O_WRONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(lockf(fd, F_TLOCK, 0), <, 0);
    close(fd);
    status = qtest_quit(qts);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_false(g_file_test(pidfile, G_FILE_TEST_EXISTS));
    rmdir(dir);
}

/* Exited: no such process, or a zombie its new parent did not reap. */
static bool wait_gone(pid_t pid)
{
    unsigned i;

    for (i = 0; i < 500; i++) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
        g_autofree char *stat = NULL;
        const char *paren;

        if (kill(pid, 0) < 0 ||
            !g_file_get_contents(path, &stat, NULL, NULL)) {
            return true;
        }
        paren = strrchr(stat, ')');
        if (paren && paren[1] == ' ' && paren[2] == 'Z') {
            return true;
        }
        g_usleep(10000);
    }
    return false;
}

/* -daemonize: the parent exits 0 once the daemon is up; quit ends it. */
static void test_daemonize_with_pidfile(void)
{
    g_autofree char *dir = g_dir_make_tmp("compat-XXXXXX", NULL);
    g_autofree char *pidfile = g_build_filename(dir, "d.pid", NULL);
    g_autofree char *sock = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *cmd = g_strdup_printf("%s -daemonize -pidfile %s "
        "-M none -display none -qmp unix:%s,server=on,wait=off",
        qemu_binary(), pidfile, sock);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_autofree char *pidtext = NULL;
    const char *quit = "{\"execute\": \"qmp_capabilities\"}"
                       "{\"execute\": \"quit\"}";
    char buf[4096];
    int status, fd;
    pid_t daemon;

    g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status,
                                            NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* Up when the parent returns: pid file written, socket listening. */
    g_assert_true(g_file_get_contents(pidfile, &pidtext, NULL, NULL));
    daemon = atoi(pidtext);
    g_assert_cmpint(daemon, >, 1);
    g_assert_cmpint(kill(daemon, 0), ==, 0);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(sa.sun_path, sock);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(read(fd, buf, sizeof(buf)), >, 0);
    g_assert_cmpint(write(fd, quit, strlen(quit)), ==, strlen(quit));
    while (read(fd, buf, sizeof(buf)) > 0) {
        continue;
    }
    close(fd);
    g_assert_true(wait_gone(daemon));
    g_assert_false(g_file_test(pidfile, G_FILE_TEST_EXISTS));

    /* As QEMU: a daemon has no terminal for stdio to talk to. */
    g_free(cmd);
    cmd = g_strdup_printf("%s -daemonize -M none -qmp stdio", qemu_binary());
    g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status,
                                            NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    rmdir(dir);
}

static void test_bad_values_name_option_and_value(void)
{
    static const char *const bad[][2] = {
        { "-uuid", "not-a-uuid" },
        { "-name", "guest=x,colour=red" },
        { "-msg", "timestamp=perhaps" },
        { "-global", "no-such-device.x=1" },
        { "-global", "spapr-pci-host-bridge.nope=1" },
        { "-global", "spapr-pci-host-bridge.ddw=maybe" },
        { "-global", "noformat" },
        { "-overcommit", "mem-lock=sometimes" },
        { "-smp", "3,sockets=2" },
        { "-smp", "0" },
        { "-smp", "2,dies=2" },
        { "-smp", "2048" },
        { "-cpu", "POWER3" },
        { "-rtc", "base=yesterday" },
        { "-rtc", "clock=wall" },
        { "-boot", "order=z" },
        { "-boot", "menu=perhaps" },
        { "-chardev", "socket,id=c1,fd=999" },
        { "-chardev", "socket,id=c2" },
        { "-device", "{\"driver\": \"pci-testdev\", \"id\": [1]}" },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *quoted = g_shell_quote(bad[i][1]);
        g_autofree char *cmd = g_strdup_printf("%s %s %s -display none",
                                               qemu_binary(), bad[i][0],
                                               quoted);
        g_autofree char *err = NULL;
        g_autofree char *want = g_strdup_printf("%s %s: ", bad[i][0],
                                                bad[i][1]);
        int status;

        g_assert_true(g_spawn_command_line_sync(cmd, NULL, &err, &status,
                                                NULL));
        g_test_message("%s", err);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        g_assert_nonnull(strstr(err, want));
    }
}

/* A second instance with the same pid file is refused, naming it. */
static void test_pidfile_is_exclusive(void)
{
    g_autofree char *dir = g_dir_make_tmp("compat-XXXXXX", NULL);
    g_autofree char *pidfile = g_build_filename(dir, "vm.pid", NULL);
    g_autofree char *args = g_strdup_printf("-M none -pidfile %s", pidfile);
    g_autofree char *cmd = g_strdup_printf("%s -M none -display none "
                                           "-pidfile %s", qemu_binary(),
                                           pidfile);
    QTestState *qts = qtest_init_qemu_style(qemu_binary(), args, NULL);
    g_autofree char *err = NULL;
    int status;

    g_assert_true(g_spawn_command_line_sync(cmd, NULL, &err, &status,
                                            NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    g_assert_nonnull(strstr(err, "-pidfile"));
    g_assert_nonnull(strstr(err, "lock"));
    /* The loser must not remove the winner's file. */
    g_assert_true(g_file_test(pidfile, G_FILE_TEST_EXISTS));
    status = qtest_quit(qts);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    rmdir(dir);
}

/* The QMP greeting from @fd, then negotiation and query-name. */
static void raw_qmp_check(int fd)
{
    const char *req = "{\"execute\": \"qmp_capabilities\"}\n"
                      "{\"execute\": \"query-name\", \"id\": 9}\n";
    g_autoptr(GString) in = g_string_new(NULL);
    char buf[4096];

    g_assert_cmpint(write(fd, req, strlen(req)), ==, strlen(req));
    /* Greeting, {}, and the reply with our id. */
    while (!strstr(in->str, "\"id\": 9")) {
        ssize_t n = read(fd, buf, sizeof(buf));

        g_assert_cmpint(n, >, 0);
        g_string_append_len(in, buf, n);
    }
    g_assert_nonnull(strstr(in->str, "\"QMP\""));
    g_assert_nonnull(strstr(in->str, "\"name\": \"fdvm\""));
}

/* libvirt's way: it makes the listening socket and passes fd=N. */
static void test_chardev_socket_fd_and_tcp(void)
{
    g_autofree char *dir = g_dir_make_tmp("compat-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "mon.sock", NULL);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct sockaddr_in in = { .sin_family = AF_INET };
    socklen_t len = sizeof(in);
    g_autofree char *args = NULL;
    QTestState *qts;
    int lfd, cfd, tfd;

    /* fd=: a listening UNIX socket, inherited (no close-on-exec). */
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(sa.sun_path, path);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    args = g_strdup_printf("-M none -name fdvm -chardev socket,id=mon1,"
                           "fd=%d,server=on,wait=off "
                           "-mon chardev=mon1,mode=control", lfd);
    qts = qtest_init_qemu_style(qemu_binary(), args, NULL);
    close(lfd);
    cfd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    raw_qmp_check(cfd);
    close(cfd);
    g_assert_cmpint(qtest_quit(qts), ==, 0);

    /* host=,port=: the binary connects to a TCP listener (client). */
    tfd = socket(AF_INET, SOCK_STREAM, 0);
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(tfd, (struct sockaddr *)&in, sizeof(in)), ==, 0);
    g_assert_cmpint(listen(tfd, 1), ==, 0);
    g_assert_cmpint(getsockname(tfd, (struct sockaddr *)&in, &len), ==, 0);
    g_free(args);
    args = g_strdup_printf("-M none -name fdvm -chardev socket,id=mon2,"
                           "host=127.0.0.1,port=%u,nodelay=on "
                           "-mon chardev=mon2,mode=control",
                           ntohs(in.sin_port));
    qts = qtest_init_qemu_style(qemu_binary(), args, NULL);
    cfd = accept(tfd, NULL, NULL);
    g_assert_cmpint(cfd, >=, 0);
    raw_qmp_check(cfd);
    close(cfd);
    close(tfd);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    unlink(path);
    rmdir(dir);
}

/* libvirt (QEMU >= 6.2) writes -device and -object as JSON. */
static void test_json_device_and_object(void)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(),
        "-nodefaults -object '{\"qom-type\": \"memory-backend-ram\", "
        "\"id\": \"m1\", \"size\": 4194304, \"share\": true}' "
        "-device '{\"driver\": \"pci-testdev\", \"id\": \"td\", "
        "\"addr\": \"4\"}'", NULL);
    g_autoptr(JsonNode) addr = qmp_ret(qts, "{'execute': 'qom-get', "
        "'arguments': {'path': '/machine/peripheral/td', "
        "'property': 'addr'}}");
    g_autoptr(JsonNode) share = qmp_ret(qts, "{'execute': 'qom-get', "
        "'arguments': {'path': '/objects/m1', 'property': 'share'}}");
    g_autoptr(JsonNode) size = qmp_ret(qts, "{'execute': 'qom-get', "
        "'arguments': {'path': '/objects/m1', 'property': 'size'}}");

    g_assert_cmpint(json_node_get_int(addr), ==, 4 << 3);
    g_assert_true(json_node_get_boolean(share));
    g_assert_cmpint(json_node_get_int(size), ==, 4 << 20);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* Read from @fd until @needle shows up; return all of it. */
static char *read_until(int fd, const char *needle)
{
    GString *in = g_string_new(NULL);
    char buf[4096];

    while (!strstr(in->str, needle)) {
        ssize_t n = read(fd, buf, sizeof(buf));

        g_assert_cmpint(n, >, 0);
        g_string_append_len(in, buf, n);
    }
    return g_string_free(in, FALSE);
}

/* -monitor / -mon mode=readline: QEMU's human monitor on a socket. */
static void test_human_monitor_socket(void)
{
    g_autofree char *dir = g_dir_make_tmp("compat-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "hmp.sock", NULL);
    g_autofree char *args = g_strdup_printf("-S -M none -name hvm "
        "-monitor unix:%s,server=on,wait=off", path);
    QTestState *qts = qtest_init_qemu_style(qemu_binary(), args, NULL);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *cmds = "info status\r\ninfo name\r\ncont\r\n"
                       "info status\r\nnonsense\r\n";
    g_autofree char *banner = NULL, *out = NULL, *help = NULL;
    g_auto(GStrv) lines = NULL;
    char **l;
    int fd;

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(sa.sun_path, path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    banner = read_until(fd, "(qemu) ");
    g_assert_true(g_str_has_prefix(banner, "QEMU 7.2.0 monitor - type "
                                   "'help' for more information\r\n"));
    g_assert_cmpint(write(fd, cmds, strlen(cmds)), ==, strlen(cmds));
    out = read_until(fd, "unknown command: 'nonsense'\r\n(qemu) ");
    g_assert_nonnull(strstr(out, "VM status: paused (prelaunch)\r\n"));
    g_assert_nonnull(strstr(out, "hvm\r\n"));
    g_assert_nonnull(strstr(out, "VM status: running\r\n"));
    /* A reset from the human monitor reaches QMP clients at once. */
    g_assert_cmpint(write(fd, "system_reset\r\n", 14), ==, 14);
    g_free(read_until(fd, "(qemu) "));
    json_object_unref(qtest_qmp_eventwait(qts, "RESET"));
    close(fd);

    /* test-hmp's rule for "help info": every line is "info NAME ...". */
    help = qtest_hmp(qts, "help info");
    lines = g_strsplit(help, "\n", -1);
    g_assert_nonnull(lines[0]);
    for (l = lines; *l && **l; l++) {
        g_assert_true(g_str_has_prefix(*l, "info "));
        g_assert_nonnull(strchr(*l + 5, ' '));
    }
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    rmdir(dir);
}

/* The device tree -machine dumpdtb writes for @args (g_free it). */
static char *dump_dtb(const char *args, gsize *len)
{
    g_autofree char *dir = g_dir_make_tmp("dtb-XXXXXX", NULL);
    g_autofree char *dtb = g_build_filename(dir, "out.dtb", NULL);
    g_autofree char *cmd = g_strdup_printf("'%s' -nodefaults %s "
                                           "-machine pseries,dumpdtb=%s",
                                           qemu_binary(), args, dtb);
    g_auto(GStrv) argv = NULL;
    char *data = NULL;
    int status;

    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, NULL, NULL, &status, NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_true(g_file_get_contents(dtb, &data, len, NULL));
    unlink(dtb);
    rmdir(dir);
    return data;
}

static uint32_t fdt_cell(const void *fdt, int off, const char *name,
                         unsigned i)
{
    int len = 0;
    const fdt32_t *p = fdt_getprop(fdt, off, name, &len);

    g_assert_nonnull(p);
    g_assert_cmpint(len, >, (int)(4 * i));
    return fdt32_to_cpu(p[i]);
}

/*
 * -smp and -cpu describe the guest's CPUs in /cpus as QEMU's pseries
 * does: one node per present core, ids spaced by threads per core.
 */
static void test_smp_and_cpu_in_device_tree(void)
{
    gsize len;
    g_autofree char *fdt = dump_dtb("-smp 6,threads=4,maxcpus=8 "
                                    "-cpu power10", &len);
    g_autofree char *dflt = dump_dtb("", &len);
    int off;
    int plen;

    g_assert_cmpint(fdt_path_offset(fdt, "/cpus"), >=, 0);
    off = fdt_path_offset(fdt, "/cpus/PowerPC,POWER10@0");
    g_assert_cmpint(off, >=, 0);
    g_assert_cmpstr(fdt_getprop(fdt, off, "device_type", NULL), ==, "cpu");
    g_assert_cmpuint(fdt_cell(fdt, off, "reg", 0), ==, 0);
    fdt_getprop(fdt, off, "ibm,ppc-interrupt-server#s", &plen);
    g_assert_cmpint(plen, ==, 16);
    g_assert_cmpuint(fdt_cell(fdt, off, "ibm,ppc-interrupt-server#s", 3),
                     ==, 3);
    /* Six threads present: the second core has two of its four. */
    off = fdt_path_offset(fdt, "/cpus/PowerPC,POWER10@4");
    g_assert_cmpint(off, >=, 0);
    g_assert_cmpuint(fdt_cell(fdt, off, "reg", 0), ==, 4);
    fdt_getprop(fdt, off, "ibm,ppc-interrupt-server#s", &plen);
    g_assert_cmpint(plen, ==, 8);
    g_assert_cmpuint(fdt_cell(fdt, off, "ibm,ppc-interrupt-server#s", 1),
                     ==, 5);
    g_assert_cmpint(fdt_path_offset(fdt, "/cpus/PowerPC,POWER10@8"), <, 0);
    /* Without -smp / -cpu: one POWER9 core, as QEMU's default. */
    off = fdt_path_offset(dflt, "/cpus/PowerPC,POWER9@0");
    g_assert_cmpint(off, >=, 0);
    g_assert_cmpuint(fdt_cell(dflt, off, "cpu-version", 0) >> 16, ==,
                     0x004e);
}

/* RTAS get-time-of-day: year, month, day, hour, minute (rets 1..5). */
static void rtas_time(const char *args, uint32_t *rets)
{
    QTestState *qts = qtest_init_qemu_style(qemu_binary(), args, NULL);

    g_assert_cmpuint(qtest_rtas_call(qts, "get-time-of-day", 0, NULL, 8,
                                     rets, 0x100000), ==, 0);
    g_assert_cmpuint(rets[0], ==, 0);
    quit_cleanly(qts);
}

/* -rtc base=: the guest's clock is UTC, local time, or starts at a date. */
static void test_rtc_base_sets_rtas_time_of_day(void)
{
    g_autoptr(GDateTime) utc = g_date_time_new_now_utc();
    g_autoptr(GDateTime) local = g_date_time_to_local(utc);
    uint32_t rets[8];

    rtas_time("-nodefaults -rtc base=2006-06-17T16:01:21", rets);
    g_assert_cmpuint(rets[1], ==, 2006);
    g_assert_cmpuint(rets[2], ==, 6);
    g_assert_cmpuint(rets[3], ==, 17);
    g_assert_cmpuint(rets[4], ==, 16);
    g_assert_cmpuint(rets[5], <=, 2);
    rtas_time("-nodefaults -rtc base=2010-01-02", rets);
    g_assert_cmpuint(rets[1], ==, 2010);
    g_assert_cmpuint(rets[3], ==, 2);
    rtas_time("-nodefaults -rtc base=utc", rets);
    g_assert_cmpuint(rets[1], ==, g_date_time_get_year(utc));
    rtas_time("-nodefaults -rtc base=localtime", rets);
    /* (an hour boundary between the two readings would be a flake) */
    g_assert_cmpuint(rets[4], ==, g_date_time_get_hour(local));
}

/* -msg timestamp=on: "TIME progname: message", time in ISO 8601 UTC. */
static void test_msg_timestamp_prefixes_errors(void)
{
    g_autofree char *cmd = g_strdup_printf("'%s' -msg timestamp=on "
                                           "-msg guest-name=on -name g1 "
                                           "-m foo", qemu_binary());
    g_autoptr(GRegex) re = g_regex_new("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"
                                       "[0-9:.]+Z g1 [^ ]+: -m foo: ", 0, 0,
                                       NULL);
    g_auto(GStrv) argv = NULL;
    g_autofree char *err = NULL;
    int status;

    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, NULL));
    g_test_message("stderr: %s", err);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    g_assert_true(g_regex_match(re, err, 0, NULL));
}

/* Run the binary with @args; its exit status and stderr. */
static int run_stderr(const char *args, char **err)
{
    g_autofree char *cmd = g_strdup_printf("'%s' %s", qemu_binary(), args);
    g_auto(GStrv) argv = NULL;
    int status;

    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, err, &status, NULL));
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* -readconfig: QEMU's sections, each as its option would be. */
static void test_readconfig_sections(void)
{
    g_autofree char *dir = g_dir_make_tmp("readconfig-XXXXXX", NULL);
    g_autofree char *cfg = g_build_filename(dir, "vm.cfg", NULL);
    g_autofree char *sock = g_build_filename(dir, "mon.sock", NULL);
    g_autofree char *text = g_strdup_printf(
        "# a libvirt-style configuration\n"
        "[machine]\n  type = \"pseries\"\n  x-vof = \"on\"\n"
        "[memory]\n  size = \"1G\"\n  slots = \"2\"\n  maxmem = \"2G\"\n"
        "[object \"m1\"]\n  qom-type = \"memory-backend-ram\"\n"
        "  size = \"256M\"\n"
        "[device \"d1\"]\n  driver = \"pc-dimm\"\n  memdev = \"m1\"\n"
        "\n[device \"td\"]\n  driver = \"pci-testdev\"\n"
        "[name]\n  guest = \"cfg-guest\"\n"
        "[smp-opts]\n  cpus = \"2\"\n"
        "[chardev \"c0\"]\n  backend = \"socket\"\n  path = \"%s\"\n"
        "  server = \"on\"\n  wait = \"off\"\n"
        "[mon]\n  chardev = \"c0\"\n  mode = \"control\"\n", sock);
    g_autofree char *args = g_strdup_printf("-nodefaults -readconfig %s",
                                            cfg);
    QTestState *qts;
    g_autoptr(JsonNode) name = NULL, mem = NULL, td = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    char greeting[8] = "";
    int fd;

    g_assert_true(g_file_set_contents(cfg, text, -1, NULL));
    qts = qtest_init_qemu_style(qemu_binary(), args, NULL);
    name = qmp_ret(qts, "{'execute': 'query-name'}");
    g_assert_cmpstr(json_object_get_string_member(
        json_node_get_object(name), "name"), ==, "cfg-guest");
    mem = qmp_ret(qts, "{'execute': 'query-memory-devices'}");
    g_assert_cmpuint(json_array_get_length(json_node_get_array(mem)), ==, 1);
    td = qmp_ret(qts, "{'execute': 'qom-get', 'arguments': {'path': "
                 "'/machine/peripheral/td', 'property': 'type'}}");
    g_assert_cmpstr(json_node_get_string(td), ==, "pci-testdev");
    /* [chardev] + [mon]: a second QMP monitor. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_strlcpy(addr.sun_path, sock, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    g_assert_cmpint(read(fd, greeting, 7), ==, 7);
    g_assert_cmpstr(greeting, ==, "{\"QMP\":");
    close(fd);
    quit_cleanly(qts);
    unlink(cfg);
    rmdir(dir);
}

/* Errors name the file and the line of the section or line at fault. */
static void test_readconfig_errors_name_file_and_line(void)
{
    static const char *const cases[][2] = {
        { "[machine]\n  type = \"pseries\"\n[device \"x\"]\n"
          "  driver = \"nope\"\n", ":3: -device id=x,driver=nope: " },
        { "[memory]\n  size = \"foo\"\n", ":1: -m size=foo: " },
        { "\n[machine]\n  type = pseries\n", ":3: parse error" },
        { "[drive]\n  file = \"x\"\n", ":1: there is no option group "
          "'drive'" },
        { "  type = \"pseries\"\n", ":1: '" },
        { "[name \"x\"]\n", ":1: section [name] takes no id" },
    };
    g_autofree char *dir = g_dir_make_tmp("readconfig-XXXXXX", NULL);
    g_autofree char *cfg = g_build_filename(dir, "bad.cfg", NULL);
    g_autofree char *args = g_strdup_printf("-nodefaults -readconfig %s",
                                            cfg);
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *err = NULL;
        g_autofree char *want = g_strconcat(cfg, cases[i][1], NULL);

        g_assert_true(g_file_set_contents(cfg, cases[i][0], -1, NULL));
        g_assert_cmpint(run_stderr(args, &err), ==, 1);
        g_test_message("stderr: %s", err);
        g_assert_nonnull(strstr(err, want));
    }
    unlink(cfg);
    rmdir(dir);
    {
        g_autofree char *err = NULL;

        g_assert_cmpint(run_stderr("-readconfig /nonexistent/vm.cfg", &err),
                        ==, 1);
        g_assert_nonnull(strstr(err, "-readconfig /nonexistent/vm.cfg: "));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/compat/cmdline/libvirt-command-line-starts-and-answers",
                    test_libvirt_command_line_starts_and_answers);
    g_test_add_func("/compat/cmdline/daemonize-with-pidfile",
                    test_daemonize_with_pidfile);
    g_test_add_func("/compat/cmdline/bad-values-name-option-and-value",
                    test_bad_values_name_option_and_value);
    g_test_add_func("/compat/cmdline/chardev-socket-fd-and-tcp",
                    test_chardev_socket_fd_and_tcp);
    g_test_add_func("/compat/cmdline/json-device-and-object",
                    test_json_device_and_object);
    g_test_add_func("/compat/cmdline/human-monitor-socket",
                    test_human_monitor_socket);
    g_test_add_func("/compat/cmdline/smp-and-cpu-in-device-tree",
                    test_smp_and_cpu_in_device_tree);
    g_test_add_func("/compat/cmdline/rtc-base-sets-rtas-time-of-day",
                    test_rtc_base_sets_rtas_time_of_day);
    g_test_add_func("/compat/cmdline/msg-timestamp-prefixes-errors",
                    test_msg_timestamp_prefixes_errors);
    g_test_add_func("/compat/cmdline/readconfig-sections",
                    test_readconfig_sections);
    g_test_add_func("/compat/cmdline/readconfig-errors-name-file-and-line",
                    test_readconfig_errors_name_file_and_line);
    g_test_add_func("/compat/cmdline/pidfile-is-exclusive",
                    test_pidfile_is_exclusive);
    return g_test_run();
}
