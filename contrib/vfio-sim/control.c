/*
 * vfio-sim: the control channel, JSON lines over a UNIX socket.
 *
 * One request object per line, {"cmd": NAME, ...arguments}; one reply
 * per line, {"return": {...}} or {"error": "message"}.  A thread of its
 * own serves every connection with poll(); requests take the state lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "vsim.h"

#define MAX_CONN 16

typedef struct ControlConn {
    int fd;
    GString *buf;
} ControlConn;

static struct {
    pthread_t thread;
    pid_t pid;              /* the process that runs the thread */
    int listen_fd;
    int wake_fd;
    char *path;
} ctl = { .listen_fd = -1, .wake_fd = -1 };

static const struct {
    const char *name;
    int value;
} errnos[] = {
    { "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EIO", EIO },
    { "ENXIO", ENXIO }, { "EBADF", EBADF }, { "EAGAIN", EAGAIN },
    { "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EFAULT", EFAULT },
    { "EBUSY", EBUSY }, { "EEXIST", EEXIST }, { "ENODEV", ENODEV },
    { "EINVAL", EINVAL }, { "ENOSPC", ENOSPC }, { "ENOTTY", ENOTTY },
    { "ENOSYS", ENOSYS }, { "E2BIG", E2BIG }, { "EINTR", EINTR },
};

static JsonNode *node_take(JsonObject *o)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(n, o);
    return n;
}

static bool errno_from_json(JsonNode *n, int *out)
{
    if (!n) {
        return false;
    }
    if (json_node_get_value_type(n) == G_TYPE_INT64) {
        *out = json_node_get_int(n);
        return *out > 0;
    }
    if (json_node_get_value_type(n) != G_TYPE_STRING) {
        return false;
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(errnos); i++) {
        if (!strcmp(errnos[i].name, json_node_get_string(n))) {
            *out = errnos[i].value;
            return true;
        }
    }
    return false;
}

/*
 * A 64-bit unsigned argument: a JSON integer (signed, so values from
 * 2^63 arrive negative and keep their bits) or a string in C syntax
 * ("0x8000000000000000", "18446744073709551615").
 */
static uint64_t get_u64(JsonObject *o, const char *k, uint64_t dflt)
{
    JsonNode *n = json_object_get_member(o, k);

    if (!n || !JSON_NODE_HOLDS_VALUE(n)) {
        return dflt;
    }
    if (json_node_get_value_type(n) == G_TYPE_STRING) {
        return g_ascii_strtoull(json_node_get_string(n), NULL, 0);
    }
    return (uint64_t)json_node_get_int(n);
}

static JsonNode *do_fault(JsonObject *req, GError **errp)
{
    const char *name = json_object_get_string_member_with_default(
        req, "ioctl", "");
    uint64_t nth = get_u64(req, "nth", 1);
    VsimIoctlId id;
    int err;

    if (json_object_has_member(req, "freeze")) {
        return vsim_eeh_fault(req, errp);       /* a PE freeze: eeh.c */
    }
    if (!vsim_ioctl_lookup(name, &id)) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "unknown ioctl '%s'", name);
        return NULL;
    }
    if (!errno_from_json(json_object_get_member(req, "errno"), &err) ||
        nth < 1 || nth > G_MAXUINT) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "fault wants \"errno\" (name or number) and nth >= 1");
        return NULL;
    }
    vsim.counters[id].fault_nth = nth;
    vsim.counters[id].fault_errno = err;
    return node_take(json_object_new());
}

/* The request's "device" (a BDF), or the first device when absent. */
static VsimDevice *req_device(JsonObject *req, GError **errp)
{
    const char *bdf = json_object_get_string_member_with_default(
        req, "device", NULL);
    VsimDevice *d = bdf ? vsim_device_find(bdf)
                  : vsim.devices->len ? vsim.devices->pdata[0] : NULL;

    if (!d) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "no device '%s'", bdf ? bdf : "");
    }
    return d;
}

static JsonNode *do_dma(JsonObject *req, GError **errp)
{
    VsimDevice *d = req_device(req, errp);
    JsonObject *r;

    if (!d) {
        return NULL;
    }
    r = vsim_dma_engine_run(d,
            json_object_get_string_member_with_default(req, "op", ""),
            get_u64(req, "src", 0), get_u64(req, "dst", 0),
            get_u64(req, "len", 0), get_u64(req, "pattern", 0), errp);
    return r ? node_take(r) : NULL;
}

/*
 * The device's own view of its config header, as hardware holds it (not
 * what a VMM emulates for its guest): COMMAND decides whether it decodes
 * its BARs and may master the bus.
 */
static JsonNode *do_device(JsonObject *req, GError **errp)
{
    VsimDevice *d = req_device(req, errp);
    JsonObject *r;

    if (!d) {
        return NULL;
    }
    r = json_object_new();
    json_object_set_string_member(r, "device", d->bdf);
    json_object_set_int_member(r, "command",
                               d->config[0x04] | d->config[0x05] << 8);
    json_object_set_int_member(r, "status",
                               d->config[0x06] | d->config[0x07] << 8);
    json_object_set_object_member(r, "irq", vsim_irq_json(d));
    return node_take(r);
}

static JsonNode *dispatch(JsonObject *req, GError **errp)
{
    const char *cmd = json_object_get_string_member_with_default(
        req, "cmd", "");

    vsim.used = true;
    if (!strcmp(cmd, "state")) {
        return vsim_state_json();
    } else if (!strcmp(cmd, "tces")) {
        return vsim_tces_json(get_u64(req, "container", 0),
                              get_u64(req, "slot", 0), errp);
    } else if (!strcmp(cmd, "fault")) {
        return do_fault(req, errp);
    } else if (!strcmp(cmd, "dma")) {
        return do_dma(req, errp);
    } else if (!strcmp(cmd, "device")) {
        return do_device(req, errp);
    } else if (g_str_has_prefix(cmd, "mig-")) {
        return vsim_mig_control(cmd, req, errp);
    } else if (!strcmp(cmd, "eeh")) {
        return vsim_eeh_control(req, errp);
    } else if (!strcmp(cmd, "reset-counters")) {
        memset(vsim.counters, 0, sizeof(vsim.counters));
        vsim_eeh_fault_disarm();
        return node_take(json_object_new());
    }
    g_set_error(errp, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                "unknown cmd '%s'", cmd);
    return NULL;
}

bool vsim_control_errno(JsonNode *n, int *out)
{
    return errno_from_json(n, out);
}

VsimDevice *vsim_control_device(JsonObject *req, GError **errp)
{
    return req_device(req, errp);
}

/* One request line in, one reply line out (without the newline). */
char *vsim_control_handle(const char *line)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    JsonObject *reply = json_object_new();
    JsonNode *node, *result = NULL;
    char *out;

    if (json_parser_load_from_data(parser, line, -1, &err) &&
        JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        vsim_lock();
        result = dispatch(json_node_get_object(json_parser_get_root(parser)),
                          &err);
        vsim_unlock();
    } else if (!err) {
        g_set_error(&err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "request must be a JSON object");
    }
    if (result) {
        json_object_set_member(reply, "return", result);
    } else {
        json_object_set_string_member(reply, "error", err->message);
    }
    node = json_node_init_object(json_node_alloc(), reply);
    out = json_to_string(node, false);
    json_node_unref(node);
    json_object_unref(reply);
    return out;
}

static bool write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

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

/* Read what is there; answer each complete line.  False: drop conn. */
static bool conn_serve(ControlConn *c)
{
    char chunk[4096];
    ssize_t n = vsim_libc.read(c->fd, chunk, sizeof(chunk));
    char *nl;

    if (n <= 0) {
        return n < 0 && errno == EINTR;
    }
    g_string_append_len(c->buf, chunk, n);
    while ((nl = memchr(c->buf->str, '\n', c->buf->len))) {
        g_autofree char *line = g_strndup(c->buf->str, nl - c->buf->str);
        g_autofree char *reply = NULL;

        g_string_erase(c->buf, 0, nl - c->buf->str + 1);
        if (!*g_strstrip(line)) {
            continue;
        }
        reply = vsim_control_handle(line);
        if (!write_all(c->fd, reply, strlen(reply)) ||
            !write_all(c->fd, "\n", 1)) {
            return false;
        }
    }
    return true;
}

static void *control_thread(void *opaque)
{
    ControlConn conns[MAX_CONN];
    unsigned nconn = 0;

    for (;;) {
        struct pollfd pfd[MAX_CONN + 2];

        pfd[0] = (struct pollfd) { .fd = ctl.wake_fd, .events = POLLIN };
        pfd[1] = (struct pollfd) { .fd = ctl.listen_fd, .events = POLLIN };
        for (unsigned i = 0; i < nconn; i++) {
            pfd[i + 2] = (struct pollfd) { .fd = conns[i].fd,
                                           .events = POLLIN };
        }
        if (poll(pfd, nconn + 2, -1) < 0) {
            continue;
        }
        if (pfd[0].revents) {
            break;
        }
        for (unsigned i = nconn; i-- > 0;) {
            if (pfd[i + 2].revents && !conn_serve(&conns[i])) {
                vsim_libc.close(conns[i].fd);
                g_string_free(conns[i].buf, true);
                conns[i] = conns[--nconn];
            }
        }
        if (pfd[1].revents && nconn < MAX_CONN) {
            int fd = accept4(ctl.listen_fd, NULL, NULL, SOCK_CLOEXEC);

            if (fd >= 0) {
                conns[nconn++] = (ControlConn) { fd, g_string_new(NULL) };
            }
        }
    }
    while (nconn--) {
        vsim_libc.close(conns[nconn].fd);
        g_string_free(conns[nconn].buf, true);
    }
    return NULL;
}

/* Someone answers on @path: another live process owns the channel. */
static bool socket_alive(const struct sockaddr_un *sa)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool alive = fd >= 0 &&
                 connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;

    if (fd >= 0) {
        vsim_libc.close(fd);
    }
    return alive;
}

void vsim_control_start(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "vfio-sim: control path too long: %s\n", path);
        return;
    }
    strcpy(sa.sun_path, path);
    if (socket_alive(&sa)) {
        /* e.g. a child process inheriting VFIO_SIM_CONTROL */
        return;
    }
    unlink(path);
    ctl.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ctl.listen_fd < 0 ||
        bind(ctl.listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(ctl.listen_fd, 8) < 0) {
        fprintf(stderr, "vfio-sim: control socket %s: %s\n", path,
                strerror(errno));
        goto fail;
    }
    ctl.wake_fd = eventfd(0, EFD_CLOEXEC);
    if (ctl.wake_fd < 0 ||
        pthread_create(&ctl.thread, NULL, control_thread, NULL)) {
        goto fail;
    }
    ctl.pid = getpid();
    ctl.path = g_strdup(path);
    return;

fail:
    if (ctl.listen_fd >= 0) {
        vsim_libc.close(ctl.listen_fd);
        ctl.listen_fd = -1;
    }
    if (ctl.wake_fd >= 0) {
        vsim_libc.close(ctl.wake_fd);
        ctl.wake_fd = -1;
    }
}

void vsim_control_stop(void)
{
    uint64_t one = 1;

    if (!ctl.pid || ctl.pid != getpid()) {
        return;         /* not started here (or we are a forked child) */
    }
    (void)vsim_libc.write(ctl.wake_fd, &one, sizeof(one));
    pthread_join(ctl.thread, NULL);
    vsim_libc.close(ctl.listen_fd);
    vsim_libc.close(ctl.wake_fd);
    unlink(ctl.path);
    g_free(ctl.path);
    ctl.pid = 0;
}
