/*
 * vfio-sim control channel client.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "control-client.h"

#define CONNECT_TRIES   500
#define CONNECT_WAIT_US 10000   /* up to 5 s for the program to start */

struct VsimControl {
    int fd;
    GString *in;
};

static void set_errno_error(GError **errp, const char *what)
{
    int e = errno;

    g_set_error(errp, G_IO_ERROR, g_io_error_from_errno(e),
                "vfio-sim control: %s: %s", what, g_strerror(e));
}

VsimControl *vsim_control_connect(const char *path, GError **errp)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    VsimControl *c;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "vfio-sim control: path too long");
        return NULL;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        set_errno_error(errp, "socket");
        return NULL;
    }
    /* the socket appears when the program first opens /dev/vfio */
    for (int tries = 0;
         connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0; tries++) {
        if ((errno != ENOENT && errno != ECONNREFUSED) ||
            tries == CONNECT_TRIES) {
            set_errno_error(errp, path);
            close(fd);
            return NULL;
        }
        g_usleep(CONNECT_WAIT_US);
    }
    c = g_new0(VsimControl, 1);
    c->fd = fd;
    c->in = g_string_new(NULL);
    return c;
}

void vsim_control_close(VsimControl *c)
{
    if (c) {
        close(c->fd);
        g_string_free(c->in, true);
        g_free(c);
    }
}

static bool send_line(VsimControl *c, const char *s)
{
    size_t n = strlen(s);

    while (n) {
        ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        s += w;
        n -= w;
    }
    return true;
}

static char *recv_line(VsimControl *c)
{
    char *nl;

    while (!(nl = memchr(c->in->str, '\n', c->in->len))) {
        char buf[4096];
        ssize_t n = read(c->fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (!n) {
                errno = ECONNRESET;
            }
            return NULL;
        }
        g_string_append_len(c->in, buf, n);
    }
    {
        char *line = g_strndup(c->in->str, nl - c->in->str);

        g_string_erase(c->in, 0, nl - c->in->str + 1);
        return line;
    }
}

JsonObject *vsim_control_request(VsimControl *c, const char *cmd,
                                 JsonObject *args, GError **errp)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
    g_autofree char *req = NULL, *reply = NULL;
    JsonObject *o = json_object_new(), *r;

    if (args) {
        JsonObjectIter it;
        const char *k;
        JsonNode *v;

        json_object_iter_init(&it, args);
        while (json_object_iter_next(&it, &k, &v)) {
            json_object_set_member(o, k, json_node_copy(v));
        }
    }
    json_object_set_string_member(o, "cmd", cmd);
    json_node_take_object(node, o);
    req = json_to_string(node, false);
    if (!send_line(c, req) || !send_line(c, "\n")) {
        set_errno_error(errp, "send");
        return NULL;
    }
    reply = recv_line(c);
    if (!reply) {
        set_errno_error(errp, "receive");
        return NULL;
    }
    if (!json_parser_load_from_data(parser, reply, -1, errp)) {
        return NULL;
    }
    r = json_node_get_object(json_parser_get_root(parser));
    if (!r || json_object_has_member(r, "error")) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_FAILED,
                    "vfio-sim control: %s: %s", cmd,
                    r ? json_object_get_string_member(r, "error")
                      : "malformed reply");
        return NULL;
    }
    return json_object_ref(json_object_get_object_member(r, "return"));
}

JsonObject *vsim_control_state(VsimControl *c, GError **errp)
{
    return vsim_control_request(c, "state", NULL, errp);
}

JsonObject *vsim_control_tces(VsimControl *c, unsigned container, int slot,
                              GError **errp)
{
    g_autoptr(JsonObject) a = json_object_new();

    json_object_set_int_member(a, "container", container);
    json_object_set_int_member(a, "slot", slot);
    return vsim_control_request(c, "tces", a, errp);
}

static bool ok(JsonObject *r)
{
    if (r) {
        json_object_unref(r);
    }
    return r != NULL;
}

bool vsim_control_fault(VsimControl *c, const char *ioctl, unsigned nth,
                        const char *errno_name, GError **errp)
{
    g_autoptr(JsonObject) a = json_object_new();

    json_object_set_string_member(a, "ioctl", ioctl);
    json_object_set_int_member(a, "nth", nth);
    json_object_set_string_member(a, "errno", errno_name);
    return ok(vsim_control_request(c, "fault", a, errp));
}

JsonObject *vsim_control_dma(VsimControl *c, const char *bdf,
                             const char *op, uint64_t src, uint64_t dst,
                             uint64_t len, uint64_t pattern, GError **errp)
{
    g_autoptr(JsonObject) a = json_object_new();

    if (bdf) {
        json_object_set_string_member(a, "device", bdf);
    }
    json_object_set_string_member(a, "op", op);
    json_object_set_int_member(a, "src", src);
    json_object_set_int_member(a, "dst", dst);
    json_object_set_int_member(a, "len", len);
    json_object_set_int_member(a, "pattern", pattern);
    return vsim_control_request(c, "dma", a, errp);
}

uint64_t vsim_control_dma_result(JsonObject *reply)
{
    const char *hex = json_object_get_string_member_with_default(
        reply, "result_hex", NULL);

    if (hex) {
        return g_ascii_strtoull(hex, NULL, 16);
    }
    return json_object_get_int_member_with_default(reply, "result", 0);
}

JsonObject *vsim_control_device(VsimControl *c, const char *bdf,
                                GError **errp)
{
    g_autoptr(JsonObject) a = json_object_new();

    if (bdf) {
        json_object_set_string_member(a, "device", bdf);
    }
    return vsim_control_request(c, "device", a, errp);
}

bool vsim_control_reset_counters(VsimControl *c, GError **errp)
{
    return ok(vsim_control_request(c, "reset-counters", NULL, errp));
}

JsonObject *vsim_control_eeh(VsimControl *c, const char *bdf,
                             const char *action, GError **errp)
{
    g_autoptr(JsonObject) a = json_object_new();

    json_object_set_string_member(a, "device", bdf);
    json_object_set_string_member(a, "action", action);
    return vsim_control_request(c, "eeh", a, errp);
}

bool vsim_control_fault_freeze(VsimControl *c, const char *bdf, unsigned nth,
                               GError **errp)
{
    g_autoptr(JsonObject) a = json_object_new();
    g_autoptr(JsonObject) r = NULL;

    json_object_set_string_member(a, "freeze", bdf);
    json_object_set_int_member(a, "nth", nth);
    r = vsim_control_request(c, "fault", a, errp);
    return r != NULL;
}
