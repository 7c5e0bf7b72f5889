/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP as clients see it: the greeting, capabilities negotiation, id
 * echo, error classes, malformed and hostile input, events, and the
 * built-in commands.
 *
 * Tests that need a session before negotiation open a second monitor
 * with -qmp unix:PATH,server=on,wait=off and connect to it directly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "libqtest.h"

typedef struct RawQmp {
    QTestState *qts;
    char *dir, *path;
    int fd;
    GString *buf;
} RawQmp;

static void quit_cleanly(QTestState *qts)
{
    int status = qtest_quit(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void raw_open(RawQmp *r)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    r->dir = g_dir_make_tmp("qmp-raw-XXXXXX", NULL);
    r->path = g_build_filename(r->dir, "qmp.sock", NULL);
    r->qts = qtest_initf("-nodefaults -qmp unix:%s,server=on,wait=off",
                         r->path);
    r->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(r->fd, >=, 0);
    strcpy(addr.sun_path, r->path);
    g_assert_cmpint(connect(r->fd, (struct sockaddr *)&addr,
                            sizeof(addr)), ==, 0);
    r->buf = g_string_new(NULL);
}

static void raw_close(RawQmp *r)
{
    close(r->fd);
    quit_cleanly(r->qts);
    /* The server removes its socket file on the way out. */
    g_assert_false(g_file_test(r->path, G_FILE_TEST_EXISTS));
    rmdir(r->dir);
    g_free(r->dir);
    g_free(r->path);
    g_string_free(r->buf, TRUE);
}

static void raw_send(RawQmp *r, const char *text, size_t len)
{
    while (len) {
        ssize_t n = send(r->fd, text, len, MSG_NOSIGNAL);

        g_assert_cmpint(n, >, 0);
        text += n;
        len -= n;
    }
}

/* Next JSON object from the server (one per line). */
static JsonObject *raw_recv(RawQmp *r)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autofree char *line = NULL;
    char *nl;

    while (!(nl = memchr(r->buf->str, '\n', r->buf->len))) {
        char tmp[4096];
        ssize_t n = read(r->fd, tmp, sizeof(tmp));

        g_assert_cmpint(n, >, 0);
        g_string_append_len(r->buf, tmp, n);
    }
    line = g_strndup(r->buf->str, nl - r->buf->str);
    g_string_erase(r->buf, 0, nl - r->buf->str + 1);
    g_assert_true(json_parser_load_from_data(parser, line, -1, NULL));
    return json_object_ref(json_node_get_object(
                           json_parser_get_root(parser)));
}

static JsonObject *raw_cmd(RawQmp *r, const char *text)
{
    raw_send(r, text, strlen(text));
    return raw_recv(r);
}

static const char *error_class(JsonObject *reply)
{
    g_assert_true(json_object_has_member(reply, "error"));
    return json_object_get_string_member(
        json_object_get_object_member(reply, "error"), "class");
}

static void assert_error(JsonObject *reply, const char *klass)
{
    g_assert_cmpstr(error_class(reply), ==, klass);
    json_object_unref(reply);
}

static void assert_return(JsonObject *reply)
{
    g_assert_null(qtest_qmp_error_desc(reply));
    g_assert_true(json_object_has_member(reply, "return"));
    json_object_unref(reply);
}

static void test_greeting_then_negotiation(void)
{
    RawQmp r;
    g_autoptr(JsonObject) greeting = NULL;
    JsonObject *qmp, *version;

    raw_open(&r);
    greeting = raw_recv(&r);
    qmp = json_object_get_object_member(greeting, "QMP");
    g_assert_nonnull(qmp);
    version = json_object_get_object_member(qmp, "version");
    g_assert_true(json_object_has_member(
                  json_object_get_object_member(version, "qemu"), "major"));
    /* QEMU offers exactly one capability, out-of-band execution. */
    g_assert_cmpuint(json_array_get_length(
                     json_object_get_array_member(qmp, "capabilities")),
                     ==, 1);
    g_assert_cmpstr(json_array_get_string_element(
                    json_object_get_array_member(qmp, "capabilities"), 0),
                    ==, "oob");
    /* Nothing but qmp_capabilities works before negotiation... */
    assert_error(raw_cmd(&r, "{\"execute\": \"query-status\"}"),
                 "CommandNotFound");
    assert_return(raw_cmd(&r, "{\"execute\": \"qmp_capabilities\"}"));
    /* ...and it is refused once done. */
    assert_error(raw_cmd(&r, "{\"execute\": \"qmp_capabilities\"}"),
                 "CommandNotFound");
    assert_return(raw_cmd(&r, "{\"execute\": \"query-status\"}"));
    raw_close(&r);
}

static void test_unknown_capability_is_refused(void)
{
    RawQmp r;
    JsonObject *reply;

    raw_open(&r);
    json_object_unref(raw_recv(&r));
    reply = raw_cmd(&r, "{\"execute\": \"qmp_capabilities\", "
                    "\"arguments\": {\"enable\": [\"cap-does-not-exist\"]}}");
    g_assert_cmpstr(error_class(reply), ==, "GenericError");
    g_assert_cmpstr(qtest_qmp_error_desc(reply), ==, "Parameter 'null' "
                    "does not accept value 'cap-does-not-exist'");
    json_object_unref(reply);
    assert_error(raw_cmd(&r, "{\"execute\": \"qmp_capabilities\", "
                         "\"arguments\": {\"enable\": \"oob\"}}"),
                 "GenericError");
    /* Still not negotiated: the refused requests changed nothing. */
    assert_error(raw_cmd(&r, "{\"execute\": \"query-status\"}"),
                 "CommandNotFound");
    assert_return(raw_cmd(&r, "{\"execute\": \"qmp_capabilities\", "
                          "\"arguments\": {\"enable\": [\"oob\"]}}"));
    raw_close(&r);
}

static void test_id_is_echoed(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    g_autoptr(JsonObject) ok = NULL;
    g_autoptr(JsonObject) err = NULL;
    g_autoptr(JsonObject) obj_id = NULL;

    ok = qtest_qmp(qts, "{\"execute\": \"query-status\", \"id\": 42}");
    g_assert_cmpint(json_object_get_int_member(ok, "id"), ==, 42);
    err = qtest_qmp(qts, "{\"execute\": \"no-such\", \"id\": \"abc\"}");
    g_assert_cmpstr(json_object_get_string_member(err, "id"), ==, "abc");
    g_assert_cmpstr(error_class(err), ==, "CommandNotFound");
    /* Any JSON value is an id, returned as sent. */
    obj_id = qtest_qmp(qts, "{\"id\": {\"n\": [1, 2]}, "
                       "\"execute\": \"query-status\"}");
    g_assert_cmpint(json_array_get_length(json_object_get_array_member(
                    json_object_get_object_member(obj_id, "id"), "n")),
                    ==, 2);
    quit_cleanly(qts);
}

static void test_unknown_command_is_command_not_found(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    g_autoptr(JsonObject) reply = NULL;

    reply = qtest_qmp(qts, "{\"execute\": \"frobnicate\"}");
    g_assert_cmpstr(error_class(reply), ==, "CommandNotFound");
    g_assert_nonnull(strstr(qtest_qmp_error_desc(reply), "frobnicate"));
    quit_cleanly(qts);
}

static void test_bad_requests_get_generic_errors(void)
{
    QTestState *qts = qtest_init("-nodefaults");

    assert_error(qtest_qmp(qts, "[1, 2]"), "GenericError");
    assert_error(qtest_qmp(qts, "{\"arguments\": {}}"), "GenericError");
    assert_error(qtest_qmp(qts, "{\"execute\": 5}"), "GenericError");
    assert_error(qtest_qmp(qts, "{\"execute\": \"query-status\", "
                           "\"arguments\": [1]}"), "GenericError");
    assert_error(qtest_qmp(qts, "{\"execute\": \"query-status\", "
                           "\"bogus\": 1}"), "GenericError");
    assert_error(qtest_qmp(qts, "\"just a string\""), "GenericError");
    assert_error(qtest_qmp(qts, "{\"execute\": \"human-monitor-command\"}"),
                 "GenericError");
    qtest_qmp_assert_success(qts, "{\"execute\": \"query-status\"}");
    quit_cleanly(qts);
}

static void test_malformed_json_and_session_continues(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    static const char *const bad[] = {
        "{\"execute\": }",
        "{\"execute\" \"query-status\"}",
        "{\"execute\": \"query-status\", }",
        "{\"execute\": \"unterminated\n",
        "}",
        "nonsense",
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(JsonObject) reply = NULL;

        qtest_qmp_send_raw(qts, bad[i], strlen(bad[i]));
        qtest_qmp_send_raw(qts, "\n", 1);
        reply = qtest_qmp_receive(qts);
        g_assert_cmpstr(error_class(reply), ==, "GenericError");
        /* Exactly one reply per bad input: the next one is ours. */
        qtest_qmp_assert_success(qts, "{\"execute\": \"query-status\", "
                             "\"id\": 1}");
    }
    /* QEMU's parser takes single quotes; so does this one. */
    qtest_qmp_assert_success(qts, "{'execute': 'query-status', "
                             "'id': '}'}");
    quit_cleanly(qts);
}

static void test_garbage_binary_deep_and_overlong_input(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    size_t big = 3 * 1024 * 1024, i;
    g_autofree char *junk = g_malloc(big);
    g_autoptr(GString) deep = g_string_new(NULL);
    g_autoptr(JsonObject) reply = NULL;
    bool got_error = false;
    const char *binary = "\xff\xfe\x01\x80{\"a\":\"\xc3\x28\"}\n";
    const char *good = "{\"execute\": \"query-status\", \"id\": 7}";

    /* Binary bytes, then an overlong object, then very deep nesting. */
    qtest_qmp_send_raw(qts, binary, strlen(binary));
    junk[0] = '{';
    junk[1] = '"';
    for (i = 2; i < big; i++) {
        junk[i] = 'x';
    }
    qtest_qmp_send_raw(qts, junk, big);
    qtest_qmp_send_raw(qts, "\"}\n", 3);
    for (i = 0; i < 100000; i++) {
        g_string_append_c(deep, '[');
    }
    g_string_append_c(deep, '\n');
    qtest_qmp_send_raw(qts, deep->str, deep->len);
    /* Errors come back, the session survives, our reply arrives. */
    qtest_qmp_send_raw(qts, good, strlen(good));
    for (;;) {
        JsonObject *r = qtest_qmp_receive(qts);

        if (json_object_has_member(r, "id")) {
            reply = r;
            break;
        }
        g_assert_cmpstr(error_class(r), ==, "GenericError");
        got_error = true;
        json_object_unref(r);
    }
    g_assert_true(got_error);
    g_assert_cmpint(json_object_get_int_member(reply, "id"), ==, 7);
    g_assert_true(json_object_has_member(reply, "return"));
    quit_cleanly(qts);
}

static void test_requests_split_and_batched(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    const char *part1 = "{\"execute\": \"query-";
    const char *part2 = "status\", \"id\": 1}{\"execute\": "
                        "\"query-status\", \"id\": 2}";
    g_autoptr(JsonObject) r1 = NULL;
    g_autoptr(JsonObject) r2 = NULL;

    /* No framing: a request may arrive in pieces or several at once. */
    qtest_qmp_send_raw(qts, part1, strlen(part1));
    qtest_qmp_send_raw(qts, part2, strlen(part2));
    r1 = qtest_qmp_receive(qts);
    r2 = qtest_qmp_receive(qts);
    g_assert_cmpint(json_object_get_int_member(r1, "id"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(r2, "id"), ==, 2);
    quit_cleanly(qts);
}

static bool status_running(QTestState *qts, const char **status)
{
    g_autoptr(JsonObject) reply = qtest_qmp(qts, "{\"execute\": "
                                            "\"query-status\"}");
    JsonObject *ret = json_object_get_object_member(reply, "return");
    static char buf[32];

    g_strlcpy(buf, json_object_get_string_member(ret, "status"),
              sizeof(buf));
    *status = buf;
    return json_object_get_boolean_member(ret, "running");
}

static void test_stop_cont_and_events(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    g_autoptr(JsonObject) stop = NULL;
    g_autoptr(JsonObject) resume = NULL;
    const char *status;

    g_assert_true(status_running(qts, &status));
    g_assert_cmpstr(status, ==, "running");
    qtest_qmp_assert_success(qts, "{\"execute\": \"stop\"}");
    stop = qtest_qmp_eventwait(qts, "STOP");
    g_assert_true(json_object_has_member(stop, "timestamp"));
    g_assert_false(status_running(qts, &status));
    g_assert_cmpstr(status, ==, "paused");
    qtest_qmp_assert_success(qts, "{\"execute\": \"cont\"}");
    resume = qtest_qmp_eventwait(qts, "RESUME");
    g_assert_true(status_running(qts, &status));
    quit_cleanly(qts);
}

static void test_start_paused_with_S(void)
{
    QTestState *qts = qtest_init("-nodefaults -S");
    const char *status;

    /* QEMU's state for a machine that never ran yet. */
    g_assert_false(status_running(qts, &status));
    g_assert_cmpstr(status, ==, "prelaunch");
    qtest_qmp_assert_success(qts, "{\"execute\": \"cont\"}");
    g_assert_true(status_running(qts, &status));
    qtest_qmp_assert_success(qts, "{\"execute\": \"stop\"}");
    g_assert_false(status_running(qts, &status));
    g_assert_cmpstr(status, ==, "paused");
    quit_cleanly(qts);
}

static void test_system_reset_emits_reset(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    g_autoptr(JsonObject) ev = NULL;
    JsonObject *data;

    const char *reset = "{\"execute\": \"system_reset\", \"id\": 1}";
    g_autoptr(JsonObject) reply = NULL;

    /* As QEMU: the reply, then the event. */
    qtest_qmp_send_raw(qts, reset, strlen(reset));
    reply = qtest_qmp_eventwait_or_reply(qts);
    g_assert_true(json_object_has_member(reply, "return"));
    ev = qtest_qmp_eventwait(qts, "RESET");
    data = json_object_get_object_member(ev, "data");
    g_assert_false(json_object_get_boolean_member(data, "guest"));
    quit_cleanly(qts);
}

static void test_query_commands_lists_builtins(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    g_autoptr(JsonObject) reply = NULL;
    static const char *const want[] = {
        "qmp_capabilities", "query-status", "quit", "stop", "cont",
        "system_reset", "query-commands", "human-monitor-command",
        "device_add", "device_del", "object-add", "object-del",
        "query-memory-devices",
    };
    JsonArray *cmds;
    unsigned i, j;

    reply = qtest_qmp(qts, "{\"execute\": \"query-commands\"}");
    cmds = json_object_get_array_member(reply, "return");
    for (i = 0; i < G_N_ELEMENTS(want); i++) {
        bool found = false;

        for (j = 0; j < json_array_get_length(cmds); j++) {
            JsonObject *c = json_array_get_object_element(cmds, j);

            found |= !strcmp(json_object_get_string_member(c, "name"),
                             want[i]);
        }
        g_assert_true(found);
    }
    quit_cleanly(qts);
}

static void test_hmp_info_mtree(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    g_autofree char *tree = qtest_hmp(qts, "info mtree");
    g_autofree char *flat = qtest_hmp(qts, "info mtree -f");
    g_autofree char *list = qtest_hmp(qts, "info");
    g_autofree char *unknown = qtest_hmp(qts, "frobnicate");
    g_autoptr(JsonObject) bad = NULL;

    g_assert_nonnull(strstr(tree, "address-space"));
    g_assert_nonnull(strstr(flat, "FlatView"));
    g_assert_nonnull(strstr(list, "info mtree"));
    g_assert_nonnull(strstr(unknown, "unknown command"));
    /* As QEMU (test-hmp relies on it): failures are output text. */
    g_free(unknown);
    unknown = qtest_hmp(qts, "info nope");
    g_assert_cmpstr(unknown, ==, "unknown command: 'info nope'\n");
    bad = qtest_qmp(qts, "{\"execute\": \"human-monitor-command\", "
                    "\"arguments\": {\"command-line\": \"info mtree -x\"}}");
    g_assert_true(g_str_has_prefix(json_object_get_string_member(bad,
                  "return"), "Error: info mtree: unknown option '-x'"));
    quit_cleanly(qts);
}

static void test_query_memory_devices_empty(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    g_autoptr(JsonObject) reply = NULL;

    reply = qtest_qmp(qts, "{\"execute\": \"query-memory-devices\"}");
    g_assert_cmpuint(json_array_get_length(
                     json_object_get_array_member(reply, "return")), ==, 0);
    quit_cleanly(qts);
}

static void test_device_add_del_errors(void)
{
    QTestState *qts = qtest_init("-nodefaults");

    qtest_qmp_assert_error(qts, "no-such-device",
                           "{\"execute\": \"device_add\", \"arguments\": "
                           "{\"driver\": \"no-such-device\"}}");
    qtest_qmp_assert_error(qts, "ghost",
                           "{\"execute\": \"device_del\", \"arguments\": "
                           "{\"id\": \"ghost\"}}");
    qtest_qmp_assert_error(qts, "driver",
                           "{\"execute\": \"device_add\", \"arguments\": "
                           "{\"id\": \"x\"}}");
    quit_cleanly(qts);
}

static void test_device_add_del_round_trip(void)
{
    QTestState *qts = qtest_init("-nodefaults "
                                 "-device pci-testdev,id=cold,addr=2");
    /* set-indicator isolation-state isolate: a PCI slot is released */
    const uint32_t isolate[3] = { 9001, 0x40000010, 0 };
    uint32_t rets[1];
    g_autoptr(JsonObject) badprop = NULL;
    g_autoptr(JsonObject) ev1 = NULL;
    g_autoptr(JsonObject) ev2 = NULL;

    qtest_qmp_assert_success(qts, "{\"execute\": \"device_add\", "
                             "\"arguments\": {\"driver\": \"pci-testdev\", "
                             "\"id\": \"hot\"}}");
    qtest_qmp_assert_error(qts, "hot",
                           "{\"execute\": \"device_add\", \"arguments\": "
                           "{\"driver\": \"pci-testdev\", \"id\": \"hot\"}}");
    badprop = qtest_qmp(qts, "{\"execute\": \"device_add\", "
                        "\"arguments\": {\"driver\": \"pci-testdev\", "
                        "\"id\": \"h2\", \"colour\": \"red\"}}");
    g_assert_nonnull(strstr(qtest_qmp_error_desc(badprop), "colour"));
    g_assert_nonnull(strstr(qtest_qmp_error_desc(badprop), "pci-testdev"));

    /*
     * Both go, with an event: the hotplugged one at once (the guest
     * never took it), the cold-plugged one when the guest has released
     * its slot (PCI DRC 0x40000010: PHB 0, devfn 0x10), as on QEMU's
     * pseries.
     */
    qtest_qmp_assert_success(qts, "{\"execute\": \"device_del\", "
                             "\"arguments\": {\"id\": \"hot\"}}");
    ev1 = qtest_qmp_eventwait(qts, "DEVICE_DELETED");
    g_assert_cmpstr(json_object_get_string_member(
                    json_object_get_object_member(ev1, "data"), "device"),
                    ==, "hot");
    qtest_qmp_assert_success(qts, "{\"execute\": \"device_del\", "
                             "\"arguments\": {\"id\": \"cold\"}}");
    g_assert_cmpuint(qtest_rtas_call(qts, "set-indicator", 3, isolate, 1,
                                     rets, 0x100000), ==, 0);
    g_assert_cmpuint(rets[0], ==, 0);
    ev2 = qtest_qmp_eventwait(qts, "DEVICE_DELETED");
    g_assert_cmpstr(json_object_get_string_member(
                    json_object_get_object_member(ev2, "data"), "path"),
                    ==, "/machine/peripheral/cold");
    qtest_qmp_assert_error(qts, "hot",
                           "{\"execute\": \"device_del\", \"arguments\": "
                           "{\"id\": \"hot\"}}");
    quit_cleanly(qts);
}

static void test_object_add_del_memory_backend(void)
{
    QTestState *qts = qtest_init("-nodefaults");

    qtest_qmp_assert_success(qts, "{\"execute\": \"object-add\", "
                             "\"arguments\": {\"qom-type\": "
                             "\"memory-backend-ram\", \"id\": \"m1\", "
                             "\"size\": 1048576}}");
    qtest_qmp_assert_error(qts, "m1",
                           "{\"execute\": \"object-add\", \"arguments\": "
                           "{\"qom-type\": \"memory-backend-ram\", \"id\": "
                           "\"m1\", \"size\": 1048576}}");
    qtest_qmp_assert_success(qts, "{\"execute\": \"object-del\", "
                             "\"arguments\": {\"id\": \"m1\"}}");
    qtest_qmp_assert_error(qts, "m1",
                           "{\"execute\": \"object-del\", \"arguments\": "
                           "{\"id\": \"m1\"}}");
    qtest_qmp_assert_error(qts, "frob", "{\"execute\": \"object-add\", "
                           "\"arguments\": {\"qom-type\": \"frob\", "
                           "\"id\": \"m2\"}}");
    quit_cleanly(qts);
}

static void test_object_del_of_guest_ram_is_refused(void)
{
    QTestState *qts = qtest_init("-object memory-backend-ram,id=ram0,"
                                 "size=256M -machine memory-backend=ram0 "
                                 "-m 256M");
    g_autoptr(JsonObject) reply = NULL;

    reply = qtest_qmp(qts, "{\"execute\": \"object-del\", \"arguments\": "
                      "{\"id\": \"ram0\"}}");
    g_assert_nonnull(qtest_qmp_error_desc(reply));
    /* Guest RAM still works: the backend was not touched. */
    qtest_writel(qts, 0x1000, 0x600dd00d);
    g_assert_cmphex(qtest_readl(qts, 0x1000), ==, 0x600dd00d);
    quit_cleanly(qts);
}

static void test_quit_exits_zero(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    int status = qtest_quit_qmp(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* exec-oob is a command key only after enable: ["oob"]. */
static void test_exec_oob_needs_the_capability(void)
{
    RawQmp r;
    JsonObject *reply;

    raw_open(&r);
    json_object_unref(raw_recv(&r));
    assert_return(raw_cmd(&r, "{\"execute\": \"qmp_capabilities\"}"));
    reply = raw_cmd(&r, "{\"exec-oob\": \"migrate-pause\", \"id\": 1}");
    g_assert_cmpstr(qtest_qmp_error_desc(reply), ==,
                    "QMP input member 'exec-oob' is unexpected");
    g_assert_cmpint(json_object_get_int_member(reply, "id"), ==, 1);
    json_object_unref(reply);
    raw_close(&r);
}

static void test_exec_oob_runs_allowed_commands_only(void)
{
    RawQmp r;
    JsonObject *reply;

    raw_open(&r);
    json_object_unref(raw_recv(&r));
    assert_return(raw_cmd(&r, "{\"execute\": \"qmp_capabilities\", "
                          "\"arguments\": {\"enable\": [\"oob\"]}}"));
    /* An in-band command is refused out of band, naming it. */
    reply = raw_cmd(&r, "{\"exec-oob\": \"query-status\", \"id\": 2}");
    g_assert_cmpstr(error_class(reply), ==, "GenericError");
    g_assert_cmpstr(qtest_qmp_error_desc(reply), ==,
                    "The command query-status does not support OOB");
    json_object_unref(reply);
    reply = raw_cmd(&r, "{\"exec-oob\": \"no-such-command\"}");
    g_assert_cmpstr(error_class(reply), ==, "CommandNotFound");
    json_object_unref(reply);
    reply = raw_cmd(&r, "{\"exec-oob\": \"query-status\", "
                    "\"execute\": \"query-status\"}");
    g_assert_cmpstr(qtest_qmp_error_desc(reply), ==,
                    "QMP input member 'execute' clashes with 'exec-oob'");
    json_object_unref(reply);
    /* The allow-oob ones run: query-yank returns, migrate-pause errs. */
    reply = raw_cmd(&r, "{\"exec-oob\": \"query-yank\", \"id\": 3}");
    g_assert_true(json_object_has_member(reply, "return"));
    g_assert_cmpint(json_object_get_int_member(reply, "id"), ==, 3);
    json_object_unref(reply);
    reply = raw_cmd(&r, "{\"exec-oob\": \"migrate-pause\", \"id\": 4}");
    g_assert_cmpstr(error_class(reply), ==, "GenericError");
    g_assert_nonnull(strstr(qtest_qmp_error_desc(reply), "postcopy"));
    json_object_unref(reply);
    assert_return(raw_cmd(&r, "{\"execute\": \"query-status\"}"));
    raw_close(&r);
}

/*
 * Bytes the lexer refuses get their error at once, without waiting for
 * more input (no newline, no closing brace), and the session goes on.
 */
static void test_stray_bytes_answered_at_once(void)
{
    static const struct {
        const char *bytes;
        const char *desc;
    } cases[] = {
        { "{\xff", "JSON parse error, stray '\xef\xbf\xbd'" },
        { "%", "JSON parse error, stray '%'" },
        { "{\"execute\": \"query-status\n",
          "JSON parse error, stray '\"query-status\n'" },
        { "{\"a\": 1, \x01", "JSON parse error, stray '\x01'" },
    };
    QTestState *qts = qtest_init("-nodefaults");
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonObject) reply = NULL;

        qtest_qmp_send_raw(qts, cases[i].bytes, strlen(cases[i].bytes));
        reply = qtest_qmp_receive(qts);
        g_assert_cmpstr(error_class(reply), ==, "GenericError");
        g_assert_cmpstr(qtest_qmp_error_desc(reply), ==, cases[i].desc);
        g_assert_false(json_object_has_member(reply, "id"));
        /* A structural character resynchronizes the lexer. */
        qtest_qmp_assert_success(qts, "{\"execute\": \"query-status\", "
                                 "\"id\": %u}", i);
    }
    quit_cleanly(qts);
}

/* Every id comes back as valid JSON with its value. */
static void test_big_number_ids_echoed_as_valid_json(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    g_autoptr(JsonObject) r1 = qtest_qmp(qts, "{\"execute\": "
        "\"query-status\", \"id\": 1e308}");
    g_autoptr(JsonObject) r2 = qtest_qmp(qts, "{\"execute\": "
        "\"query-status\", \"id\": 123456789012345678901234567890}");
    g_autoptr(JsonObject) r3 = qtest_qmp(qts, "{\"execute\": "
        "\"query-status\", \"id\": -9223372036854775808}");
    g_autoptr(JsonObject) r4 = qtest_qmp(qts, "{\"execute\": "
        "\"query-status\", \"id\": [\"\\u00e9\", 0.5, null]}");
    JsonArray *a4;

    /* libqtest parsed each reply line: each is valid JSON. */
    g_assert_cmpfloat(json_object_get_double_member(r1, "id"), ==, 1e308);
    g_assert_cmpfloat(json_object_get_double_member(r2, "id"), ==,
                      123456789012345678901234567890.0);
    g_assert_cmpint(json_object_get_int_member(r3, "id"), ==, G_MININT64);
    a4 = json_object_get_array_member(r4, "id");
    g_assert_cmpstr(json_array_get_string_element(a4, 0), ==, "\xc3\xa9");
    g_assert_cmpfloat(json_array_get_double_element(a4, 1), ==, 0.5);
    g_assert_true(json_array_get_null_element(a4, 2));
    quit_cleanly(qts);
}

/* As QEMU: device_del's reply comes before its DEVICE_DELETED event. */
static void test_device_del_replies_before_event(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    const char *del = "{\"execute\": \"device_del\", \"arguments\": "
                      "{\"id\": \"td\"}, \"id\": \"del\"}";
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) ev = NULL;

    qtest_qmp_assert_success(qts, "{\"execute\": \"device_add\", "
        "\"arguments\": {\"driver\": \"pci-testdev\", \"id\": \"td\"}}");
    qtest_qmp_send_raw(qts, del, strlen(del));
    /* The next line, event or not, must be the reply. */
    reply = qtest_qmp_eventwait_or_reply(qts);
    g_assert_false(json_object_has_member(reply, "event"));
    g_assert_cmpstr(json_object_get_string_member(reply, "id"), ==, "del");
    ev = qtest_qmp_eventwait(qts, "DEVICE_DELETED");
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(ev, "data"), "device"), ==, "td");
    quit_cleanly(qts);
}

/*
 * A client that sends requests but never reads its replies cannot
 * stall the machine: its unread output is bounded, it is disconnected
 * when it passes the bound, and the other sessions never wait.
 */
static void test_client_that_stops_reading_is_dropped(void)
{
    g_autoptr(GString) req = g_string_new("{\"execute\": \"query-name\", "
                                          "\"id\": \"");
    unsigned sent = 0;
    bool dropped = false;
    RawQmp r;

    raw_open(&r);
    json_object_unref(raw_recv(&r));
    assert_return(raw_cmd(&r, "{\"execute\": \"qmp_capabilities\"}"));
    /* Each reply echoes a 512 KiB id: cheap to make, big to queue. */
    while (req->len < 512 * 1024) {
        g_string_append(req, "0123456789abcdef");
    }
    g_string_append(req, "\"}\n");
    /* Far more than the bound (64 MiB) of replies, none of them read. */
    while (sent < 1000) {
        ssize_t n = send(r.fd, req->str, req->len, MSG_NOSIGNAL);

        if (n < 0) {
            dropped = true;
            break;
        }
        if (++sent % 16 == 0) {
            /* The libqtest session is answered all along. */
            qtest_qmp_assert_success(r.qts, "{\"execute\": "
                                     "\"query-status\"}");
        }
    }
    g_test_message("dropped after %u requests", sent);
    g_assert_true(dropped);
    g_assert_nonnull(strstr(qtest_stderr(r.qts), "stopped reading"));
    qtest_qmp_assert_success(r.qts, "{\"execute\": \"query-status\"}");
    raw_close(&r);
}

/* human-monitor-command's text as sent (CR LF line ends kept). */
static char *hmp_raw(QTestState *qts, const char *cmdline)
{
    g_autoptr(JsonObject) r = qtest_qmp(qts, "{'execute': "
                                        "'human-monitor-command', "
                                        "'arguments': {'command-line': "
                                        "'%s'}}", cmdline);

    g_assert_null(qtest_qmp_error_desc(r));
    return g_strdup(json_object_get_string_member(r, "return"));
}

/*
 * The HMP pages and commands QEMU's users type, each running the QMP
 * command of the same meaning, with QEMU's CR LF line ends.
 */
static void test_hmp_pages_and_commands(void)
{
    QTestState *qts = qtest_init("-nodefaults -m 1G,slots=2,maxmem=2G "
        "-device pci-testdev,id=td "
        "-object memory-backend-ram,id=m1,size=256M "
        "-device pc-dimm,id=d1,memdev=m1");
    g_autofree char *status = hmp_raw(qts, "info status");
    g_autofree char *version = hmp_raw(qts, "info version");
    g_autofree char *pci = qtest_hmp(qts, "info pci");
    g_autofree char *mem = qtest_hmp(qts, "info memory-devices");
    g_autofree char *help = qtest_hmp(qts, "help");
    g_autofree char *help_info = qtest_hmp(qts, "help info");
    g_autofree char *added = qtest_hmp(qts, "object_add "
                                       "memory-backend-ram,id=m2,size=64M");
    g_autofree char *objs = NULL, *dup = NULL, *del = NULL, *mig = NULL;
    g_autofree char *reset = NULL;

    g_assert_cmpstr(status, ==, "VM status: running\r\n");
    g_assert_true(g_str_has_prefix(version, "7.2.0 ("));
    g_assert_true(g_str_has_suffix(version, ")\r\n"));
    g_assert_nonnull(strstr(pci, "  Bus  0, device"));
    g_assert_nonnull(strstr(pci, ": PCI device 1b36:0005\n"));
    g_assert_nonnull(strstr(pci, "      id \"td\"\n"));
    g_assert_nonnull(strstr(mem, "Memory device [dimm]: \"d1\"\n"));
    g_assert_nonnull(strstr(mem, "  memdev: /objects/m1\n"));
    g_assert_nonnull(strstr(mem, "  size: 268435456\n"));
    g_assert_nonnull(strstr(help, "object_add "));
    g_assert_nonnull(strstr(help, "migrate [-d] uri"));
    g_assert_nonnull(strstr(help_info, "info pci  -- "));
    g_assert_nonnull(strstr(help_info, "info memory-devices  -- "));
    g_assert_cmpstr(added, ==, "");
    objs = qtest_hmp(qts, "info qom-tree /objects");
    g_assert_nonnull(strstr(objs, "m2"));
    dup = qtest_hmp(qts, "object_add memory-backend-ram,id=m2,size=64M");
    g_assert_true(g_str_has_prefix(dup, "Error: "));
    del = qtest_hmp(qts, "object_del m2");
    g_assert_cmpstr(del, ==, "");
    mig = qtest_hmp(qts, "migrate");
    g_assert_cmpstr(mig, ==, "Error: migrate: a URI is required "
                    "(migrate [-d] URI)\n");
    reset = qtest_hmp(qts, "system_reset");
    g_assert_cmpstr(reset, ==, "");
    json_object_unref(qtest_qmp_eventwait(qts, "RESET"));
    quit_cleanly(qts);
}

/* The array a trace-event-get-state for @name returns. */
static JsonArray *trace_state(QTestState *qts, const char *name)
{
    JsonObject *r = qtest_qmp(qts, "{'execute': 'trace-event-get-state', "
                              "'arguments': {'name': '%s'}}", name);
    JsonArray *a;

    g_assert_null(qtest_qmp_error_desc(r));
    a = json_array_ref(json_object_get_array_member(r, "return"));
    json_object_unref(r);
    return a;
}

static const char *trace_state_of(JsonArray *a, unsigned i)
{
    return json_object_get_string_member(
        json_array_get_object_element(a, i), "state");
}

/*
 * QMP trace-event-get-state / -set-state: names and globs, QEMU's reply
 * form and errors, and an event enabled at run time is logged (and no
 * longer once disabled again).
 */
static void test_trace_event_state_at_run_time(void)
{
    g_autofree char *dir = g_dir_make_tmp("qmp-trace-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "trace.log", NULL);
    QTestState *qts = qtest_initf("-nodefaults -D %s", log);
    g_autoptr(JsonArray) one = trace_state(qts, "qmp_command");
    g_autoptr(JsonArray) glob = trace_state(qts, "qmp_*");
    g_autoptr(JsonArray) none = trace_state(qts, "no_event_is_called_*");
    g_autoptr(JsonArray) after = NULL;
    g_autofree char *text = NULL;
    JsonObject *o;
    unsigned i;

    g_assert_cmpuint(json_array_get_length(one), ==, 1);
    o = json_array_get_object_element(one, 0);
    g_assert_cmpstr(json_object_get_string_member(o, "name"), ==,
                    "qmp_command");
    g_assert_cmpstr(json_object_get_string_member(o, "state"), ==,
                    "disabled");
    g_assert_false(json_object_get_boolean_member(o, "vcpu"));
    g_assert_cmpuint(json_array_get_length(glob), >=, 3);
    for (i = 0; i < json_array_get_length(glob); i++) {
        g_assert_cmpstr(trace_state_of(glob, i), ==, "disabled");
    }
    g_assert_cmpuint(json_array_get_length(none), ==, 0);
    qtest_qmp_assert_error(qts, "unknown event \"no_such_event\"",
                           "{'execute': 'trace-event-get-state', "
                           "'arguments': {'name': 'no_such_event'}}");
    qtest_qmp_assert_error(qts, "unknown event \"no_such_event\"",
                           "{'execute': 'trace-event-set-state', "
                           "'arguments': {'name': 'no_such_event', "
                           "'enable': true}}");
    qtest_qmp_assert_error(qts, "enable",
                           "{'execute': 'trace-event-set-state', "
                           "'arguments': {'name': 'qmp_command'}}");

    qtest_qmp_assert_success(qts, "{'execute': 'trace-event-set-state', "
                             "'arguments': {'name': 'qmp_command', "
                             "'enable': true}}");
    after = trace_state(qts, "qmp_command");
    g_assert_cmpstr(trace_state_of(after, 0), ==, "enabled");
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    qtest_qmp_assert_success(qts, "{'execute': 'trace-event-set-state', "
                             "'arguments': {'name': 'qmp_comm*', "
                             "'enable': false, "
                             "'ignore-unavailable': true}}");
    qtest_qmp_assert_success(qts, "{'execute': 'query-version'}");
    quit_cleanly(qts);

    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_test_message("log:\n%s", text);
#ifdef CONFIG_TRACE_LOG
    g_assert_nonnull(strstr(text, ":qmp_command query-status\n"));
#else
    /* Built with the dtrace backend alone: events are probes, not logged */
    g_assert_null(strstr(text, "qmp_command"));
#endif
    g_assert_null(strstr(text, "query-version"));
    g_unlink(log);
    g_rmdir(dir);
}

/* HMP trace-event NAME on|off and info trace-events. */
static void test_hmp_trace_event(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    g_autofree char *on = qtest_hmp(qts, "trace-event qmp_dispatch on");
    g_autofree char *info = qtest_hmp(qts, "info trace-events qmp_dispatch");
    g_autofree char *all = qtest_hmp(qts, "info trace-events");
    g_autofree char *off = qtest_hmp(qts, "trace-event  qmp_disp*  off");
    g_autofree char *info2 = qtest_hmp(qts, "info trace-events qmp_dispatch");
    g_autofree char *unknown = qtest_hmp(qts, "trace-event nope on");
    g_autofree char *usage = qtest_hmp(qts, "trace-event qmp_dispatch");
    g_autoptr(JsonArray) st = NULL;

    g_assert_cmpstr(on, ==, "");
    g_assert_cmpstr(info, ==, "qmp_dispatch : state 1\n");
    g_assert_nonnull(strstr(all, "qmp_command : state 0\n"));
    g_assert_cmpstr(off, ==, "");
    g_assert_cmpstr(info2, ==, "qmp_dispatch : state 0\n");
    g_assert_nonnull(strstr(unknown, "unknown event \"nope\""));
    g_assert_nonnull(strstr(usage, "NAME on|off"));
    st = trace_state(qts, "qmp_dispatch");
    g_assert_cmpstr(trace_state_of(st, 0), ==, "disabled");
    quit_cleanly(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/greeting-then-negotiation",
                    test_greeting_then_negotiation);
    g_test_add_func("/qmp/unknown-capability-is-refused",
                    test_unknown_capability_is_refused);
    g_test_add_func("/qmp/id-is-echoed", test_id_is_echoed);
    g_test_add_func("/qmp/unknown-command-is-command-not-found",
                    test_unknown_command_is_command_not_found);
    g_test_add_func("/qmp/bad-requests-get-generic-errors",
                    test_bad_requests_get_generic_errors);
    g_test_add_func("/qmp/malformed-json-and-session-continues",
                    test_malformed_json_and_session_continues);
    g_test_add_func("/qmp/garbage-binary-deep-and-overlong-input",
                    test_garbage_binary_deep_and_overlong_input);
    g_test_add_func("/qmp/requests-split-and-batched",
                    test_requests_split_and_batched);
    g_test_add_func("/qmp/stop-cont-and-events", test_stop_cont_and_events);
    g_test_add_func("/qmp/start-paused-with-S", test_start_paused_with_S);
    g_test_add_func("/qmp/system-reset-emits-reset",
                    test_system_reset_emits_reset);
    g_test_add_func("/qmp/query-commands-lists-builtins",
                    test_query_commands_lists_builtins);
    g_test_add_func("/qmp/hmp-info-mtree", test_hmp_info_mtree);
    g_test_add_func("/qmp/query-memory-devices-empty",
                    test_query_memory_devices_empty);
    g_test_add_func("/qmp/device-add-del-errors",
                    test_device_add_del_errors);
    g_test_add_func("/qmp/device-add-del-round-trip",
                    test_device_add_del_round_trip);
    g_test_add_func("/qmp/object-add-del-memory-backend",
                    test_object_add_del_memory_backend);
    g_test_add_func("/qmp/object-del-of-guest-ram-is-refused",
                    test_object_del_of_guest_ram_is_refused);
    g_test_add_func("/qmp/quit-exits-zero", test_quit_exits_zero);
    g_test_add_func("/qmp/stray-bytes-answered-at-once",
                    test_stray_bytes_answered_at_once);
    g_test_add_func("/qmp/big-number-ids-echoed-as-valid-json",
                    test_big_number_ids_echoed_as_valid_json);
    g_test_add_func("/qmp/device-del-replies-before-event",
                    test_device_del_replies_before_event);
    g_test_add_func("/qmp/client-that-stops-reading-is-dropped",
                    test_client_that_stops_reading_is_dropped);
    g_test_add_func("/qmp/exec-oob-needs-the-capability",
                    test_exec_oob_needs_the_capability);
    g_test_add_func("/qmp/exec-oob-runs-allowed-commands-only",
                    test_exec_oob_runs_allowed_commands_only);
    g_test_add_func("/qmp/trace-event-state-at-run-time",
                    test_trace_event_state_at_run_time);
    g_test_add_func("/qmp/hmp-trace-event", test_hmp_trace_event);
    g_test_add_func("/qmp/hmp-pages-and-commands",
                    test_hmp_pages_and_commands);
    return g_test_run();
}
