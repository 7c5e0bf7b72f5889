/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Monitor sockets as QEMU's users have them: several QMP monitors (UNIX
 * and TCP) and the qtest socket served at once from one main loop, and
 * a client that stops reading is disconnected without anybody else
 * waiting for it; its monitor then takes the next client.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "compat.h"

typedef struct Client {
    int fd;
    GString *buf;
} Client;

static void client_connect_unix(Client *c, const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(c->fd, >=, 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(c->fd, (struct sockaddr *)&addr,
                            sizeof(addr)), ==, 0);
    c->buf = g_string_new(NULL);
}

static void client_connect_tcp(Client *c, int port)
{
    struct sockaddr_in addr = {
        .sin_family = AF_INET, .sin_port = htons(port),
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };

    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(c->fd, >=, 0);
    g_assert_cmpint(connect(c->fd, (struct sockaddr *)&addr,
                            sizeof(addr)), ==, 0);
    c->buf = g_string_new(NULL);
}

static void client_close(Client *c)
{
    close(c->fd);
    g_string_free(c->buf, TRUE);
}

static void client_send(Client *c, const char *text)
{
    size_t len = strlen(text);

    while (len) {
        ssize_t n = send(c->fd, text, len, MSG_NOSIGNAL);

        g_assert_cmpint(n, >, 0);
        text += n;
        len -= n;
    }
}

/* The next line from the server, parsed (a JSON object). */
static JsonObject *client_recv(Client *c)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autofree char *line = NULL;
    char *nl;

    while (!(nl = memchr(c->buf->str, '\n', c->buf->len))) {
        char tmp[4096];
        ssize_t n = read(c->fd, tmp, sizeof(tmp));

        g_assert_cmpint(n, >, 0);
        g_string_append_len(c->buf, tmp, n);
    }
    line = g_strndup(c->buf->str, nl - c->buf->str);
    g_string_erase(c->buf, 0, nl - c->buf->str + 1);
    g_assert_true(json_parser_load_from_data(parser, line, -1, NULL));
    return json_object_ref(json_node_get_object(
                           json_parser_get_root(parser)));
}

/* Greeting, then qmp_capabilities. */
static void client_handshake(Client *c)
{
    g_autoptr(JsonObject) greeting = client_recv(c);
    g_autoptr(JsonObject) reply = NULL;

    g_assert_true(json_object_has_member(greeting, "QMP"));
    client_send(c, "{\"execute\": \"qmp_capabilities\"}\n");
    reply = client_recv(c);
    g_assert_true(json_object_has_member(reply, "return"));
}

/* Skip events until the reply carrying @id. */
static JsonObject *client_reply(Client *c, const char *id)
{
    for (;;) {
        JsonObject *o = client_recv(c);

        if (json_object_has_member(o, "id") &&
            !g_strcmp0(json_object_get_string_member(o, "id"), id)) {
            return o;
        }
        json_object_unref(o);
    }
}

static JsonObject *client_event(Client *c, const char *name)
{
    for (;;) {
        JsonObject *o = client_recv(c);

        if (json_object_has_member(o, "event") &&
            !strcmp(json_object_get_string_member(o, "event"), name)) {
            return o;
        }
        json_object_unref(o);
    }
}

/* A TCP port nobody listens on now (the kernel's choice). */
static int free_tcp_port(void)
{
    struct sockaddr_in addr = {
        .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static void test_two_qmp_clients_and_qtest_at_once(void)
{
    g_autofree char *dir = g_dir_make_tmp("qmp-socks-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "a.sock", NULL);
    int port = free_tcp_port();
    QTestState *qts = qtest_initf("-nodefaults "
        "-qmp unix:%s,server=on,wait=off "
        "-chardev socket,id=tcpmon,host=127.0.0.1,port=%d,server=on,"
        "wait=off -mon chardev=tcpmon,mode=control", path, port);
    Client a, b;
    unsigned i;

    client_connect_unix(&a, path);
    client_connect_tcp(&b, port);
    client_handshake(&a);
    client_handshake(&b);
    for (i = 0; i < 20; i++) {
        g_autofree char *ra = g_strdup_printf("a%u", i);
        g_autofree char *rb = g_strdup_printf("b%u", i);
        g_autofree char *qa = g_strdup_printf("{\"execute\": \"query-name\", "
                                              "\"id\": \"%s\"}\n", ra);
        g_autofree char *qb = g_strdup_printf("{\"execute\": "
                                              "\"query-status\", "
                                              "\"id\": \"%s\"}\n", rb);
        JsonObject *r;

        /* Both requests are in flight before either reply is read. */
        client_send(&a, qa);
        client_send(&b, qb);
        qtest_writel(qts, 0x1000, i);
        g_assert_cmpuint(qtest_readl(qts, 0x1000), ==, i);
        r = client_reply(&b, rb);
        g_assert_true(json_object_has_member(r, "return"));
        json_object_unref(r);
        r = client_reply(&a, ra);
        g_assert_true(json_object_has_member(r, "return"));
        json_object_unref(r);
    }
    /* An event goes to every negotiated session. */
    qtest_qmp_assert_success(qts, "{'execute': 'stop'}");
    json_object_unref(client_event(&a, "STOP"));
    json_object_unref(client_event(&b, "STOP"));
    /* One leaving changes nothing for the others. */
    client_close(&a);
    client_send(&b, "{\"execute\": \"cont\", \"id\": \"c\"}\n");
    json_object_unref(client_reply(&b, "c"));
    g_assert_cmpuint(qtest_readl(qts, 0x1000), ==, 19);
    /* ... and its monitor serves the next client. */
    client_connect_unix(&a, path);
    client_handshake(&a);
    client_close(&a);
    client_close(&b);
    quit_cleanly(qts);
    g_rmdir(dir);
}

/*
 * A QMP client that sends and never reads fills its buffer up to the
 * bound and is dropped; meanwhile the other QMP client and qtest get
 * every answer at once.
 */
static void test_stalled_client_stalls_nobody_else(void)
{
    g_autofree char *dir = g_dir_make_tmp("qmp-socks-XXXXXX", NULL);
    g_autofree char *pa = g_build_filename(dir, "a.sock", NULL);
    g_autofree char *pb = g_build_filename(dir, "b.sock", NULL);
    QTestState *qts = qtest_initf("-nodefaults "
        "-qmp unix:%s,server=on,wait=off -qmp unix:%s,server=on,wait=off",
        pa, pb);
    g_autoptr(GString) req = g_string_new("{\"execute\": \"query-name\", "
                                          "\"id\": \"");
    unsigned sent = 0;
    bool dropped = false;
    Client a, b;

    client_connect_unix(&a, pa);
    client_connect_unix(&b, pb);
    client_handshake(&a);
    client_handshake(&b);
    while (req->len < 512 * 1024) {
        g_string_append(req, "0123456789abcdef");
    }
    g_string_append(req, "\"}\n");
    while (sent < 1000) {
        ssize_t n = send(a.fd, req->str, req->len, MSG_NOSIGNAL);

        if (n < 0) {
            dropped = true;
            break;
        }
        if (++sent % 8 == 0) {
            JsonObject *r;

            client_send(&b, "{\"execute\": \"query-status\", "
                        "\"id\": \"s\"}\n");
            r = client_reply(&b, "s");
            g_assert_true(json_object_has_member(r, "return"));
            json_object_unref(r);
            qtest_writeb(qts, 0x2000, sent & 0xff);
            g_assert_cmpuint(qtest_readb(qts, 0x2000), ==, sent & 0xff);
        }
    }
    g_test_message("dropped after %u requests", sent);
    g_assert_true(dropped);
    client_close(&a);
    /* Its monitor takes the next client. */
    client_connect_unix(&a, pa);
    client_handshake(&a);
    client_close(&a);
    client_close(&b);
    quit_cleanly(qts);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/compat/sockets/two-qmp-clients-and-qtest-at-once",
                    test_two_qmp_clients_and_qtest_at_once);
    g_test_add_func("/compat/sockets/stalled-client-stalls-nobody-else",
                    test_stalled_client_stalls_nobody_else);
    return g_test_run();
}
