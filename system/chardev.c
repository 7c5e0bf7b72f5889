/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Socket and stdio chardevs driven by the GLib main loop.
 *
 * Sockets are GIO's: GSocketClient connects, a GSocketListener holds a
 * server's listening socket, and GSources on the GSockets wake the main
 * loop for input, for output room and for a peer to accept.  Output
 * never blocks: what a peer does not take at once waits in its own
 * buffer (see chardev_write_socket).  stdio stays on its fds.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "system/chardev.h"
#include "system/keyval.h"
#include "trace.h"
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#define CHARDEV_READ_CHUNK 65536
/*
 * Output a peer has not read yet, at most.  Above the largest single
 * reply (a 16 MiB qtest read is a 32 MiB hex line), so only a peer
 * that stopped reading gets there; it is then disconnected, and
 * nobody else has waited for it.
 */
#define CHARDEV_MAX_PENDING (64u << 20)

struct Chardev {
    char *id;
    char *path;                 /* UNIX socket path, or NULL */
    char *host, *port;          /* TCP (host= and port=), or NULL */
    int passed_fd;              /* fd=N: inherited socket, else -1 */
    bool nodelay;               /* TCP_NODELAY on TCP connections */
    bool socket;                /* any socket kind (not stdio) */
    char *where;                /* the address, for messages */
    bool server;
    bool wait;
    GSocketListener *listener;  /* server: holds @listen_sock */
    GSocket *listen_sock;
    GSource *accept_src;        /* a peer may be accepted */
    GSocket *sock;              /* the connected peer, or NULL */
    GSocketConnection *conn;    /* client: the connection of @sock */
    GSource *in_src, *out_src;  /* input; room for @pending */
    int in_fd, out_fd;          /* stdio, -1 when closed */
    guint io_watch;             /* stdio input */
    GString *pending;           /* output the peer has not taken yet */
    guint drop_idle;            /* disconnecting a peer over the bound */
    const ChardevHandlers *handlers;
    void *opaque;
};

static GList *chardevs;

static void chardev_free(Chardev *chr);

static Chardev *chardev_add(const char *id, const char *path, bool server,
                            bool wait, Error **errp)
{
    Chardev *chr;

    if (chardev_find(id)) {
        error_setg(errp, "duplicate chardev id '%s'", id);
        return NULL;
    }
    if (path && strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        error_setg(errp, "socket path '%s' is too long", path);
        return NULL;
    }
    chr = g_new0(Chardev, 1);
    chr->id = g_strdup(id);
    chr->path = g_strdup(path);
    chr->server = server;
    chr->wait = wait;
    chr->in_fd = chr->out_fd = -1;
    chr->passed_fd = -1;
    chr->where = g_strdup(path ? path : "stdio");
    chr->socket = path != NULL;
    chardevs = g_list_append(chardevs, chr);
    return chr;
}

/* A socket of any kind (UNIX, TCP, inherited), as opposed to stdio. */
static bool chardev_is_socket(Chardev *chr)
{
    return chr->socket;
}

/*
 * -chardev socket with host=,port= (TCP) or fd=N (a socket the parent,
 * libvirt for one, opened: listening with server=on, else connected).
 */
static Chardev *chardev_new_inet_or_fd(const char *id, GHashTable *opts,
                                       bool server, bool wait,
                                       Error **errp)
{
    g_autofree char *host = keyval_take(opts, "host");
    g_autofree char *port = keyval_take(opts, "port");
    g_autofree char *fd = keyval_take(opts, "fd");
    g_autofree char *nodelay = keyval_take(opts, "nodelay");
    g_autofree char *v4 = keyval_take(opts, "ipv4");
    g_autofree char *v6 = keyval_take(opts, "ipv6");
    bool b;
    uint64_t n = 0;
    Chardev *chr;

    if (nodelay && !qemu_parse_bool(nodelay, &b)) {
        error_setg(errp, "parameter 'nodelay' expects on or off");
        return NULL;
    }
    if ((v4 && !qemu_parse_bool(v4, &b)) || (v6 && !qemu_parse_bool(v6, &b))) {
        error_setg(errp, "parameters 'ipv4' and 'ipv6' expect on or off");
        return NULL;
    }
    if (fd && (host || port)) {
        error_setg(errp, "'fd' cannot be combined with 'host'/'port'");
        return NULL;
    }
    if (fd) {
        if (qemu_strtou64(fd, &n) || n > INT_MAX ||
            fcntl((int)n, F_GETFD) < 0) {
            error_setg(errp, "parameter 'fd': '%s' is not an open file "
                       "descriptor", fd);
            return NULL;
        }
    } else if (!port || !*port) {
        error_setg(errp, "chardev socket needs 'path', 'port' (with "
                   "'host') or 'fd'");
        return NULL;
    }
    chr = chardev_add(id, NULL, server, wait, errp);
    if (!chr) {
        return NULL;
    }
    g_free(chr->where);
    chr->socket = true;
    if (fd) {
        chr->passed_fd = (int)n;
        chr->where = g_strdup_printf("fd %d", chr->passed_fd);
    } else {
        chr->host = g_strdup(host && *host ? host : NULL);
        chr->port = g_strdup(port);
        chr->where = g_strdup_printf("%s:%s", host ? host : "", port);
    }
    chr->nodelay = nodelay && qemu_parse_bool(nodelay, &b) && b;
    return chr;
}

/* server= and wait= (or the old "nowait" flag); wait defaults to on. */
static bool chardev_parse_flags(GHashTable *opts, bool *server, bool *wait,
                                Error **errp)
{
    g_autofree char *s = keyval_take(opts, "server");
    g_autofree char *w = keyval_take(opts, "wait");
    g_autofree char *nowait = keyval_take(opts, "nowait");

    *server = false;
    *wait = true;
    if (s && !qemu_parse_bool(s, server)) {
        error_setg(errp, "parameter 'server' expects on or off");
        return false;
    }
    if (w && !qemu_parse_bool(w, wait)) {
        error_setg(errp, "parameter 'wait' expects on or off");
        return false;
    }
    if (nowait) {
        *wait = false;
    }
    return true;
}

static bool chardev_check_no_extra(GHashTable *opts, Error **errp)
{
    g_autoptr(GList) keys = keyval_sorted_keys(opts);

    if (keys) {
        error_setg(errp, "invalid parameter '%s'", (char *)keys->data);
        return false;
    }
    return true;
}

Chardev *chardev_new_from_opts(const char *optstr, Error **errp)
{
    g_autoptr(GHashTable) opts = keyval_parse(optstr, "backend", errp);
    g_autofree char *backend = NULL;
    g_autofree char *id = NULL;
    g_autofree char *path = NULL;
    bool server, wait;

    if (!opts) {
        return NULL;
    }
    backend = keyval_take(opts, "backend");
    id = keyval_take(opts, "id");
    if (!backend) {
        error_setg(errp, "chardev backend not specified");
        return NULL;
    }
    if (!id) {
        error_setg(errp, "parameter 'id' is missing");
        return NULL;
    }
    if (!strcmp(backend, "stdio")) {
        return chardev_check_no_extra(opts, errp) ?
               chardev_add(id, NULL, false, false, errp) : NULL;
    }
    if (strcmp(backend, "socket")) {
        error_setg(errp, "chardev backend '%s' is not supported "
                   "(only socket and stdio)", backend);
        return NULL;
    }
    path = keyval_take(opts, "path");
    if (!chardev_parse_flags(opts, &server, &wait, errp)) {
        return NULL;
    }
    if (!path) {
        Chardev *chr = chardev_new_inet_or_fd(id, opts, server, wait, errp);

        if (chr && !chardev_check_no_extra(opts, errp)) {
            chardevs = g_list_remove(chardevs, chr);
            chardev_free(chr);
            return NULL;
        }
        return chr;
    }
    if (!chardev_check_no_extra(opts, errp)) {
        return NULL;
    }
    return chardev_add(id, path, server, wait, errp);
}

Chardev *chardev_new_from_spec(const char *id, const char *spec,
                               Error **errp)
{
    g_autoptr(GHashTable) opts = NULL;
    g_autofree char *path = NULL;
    bool server, wait;

    if (!strcmp(spec, "stdio")) {
        return chardev_add(id, NULL, false, false, errp);
    }
    if (!g_str_has_prefix(spec, "unix:")) {
        error_setg(errp, "'%s': expected unix:PATH or stdio", spec);
        return NULL;
    }
    opts = keyval_parse(spec + strlen("unix:"), "path", errp);
    if (!opts) {
        return NULL;
    }
    path = keyval_take(opts, "path");
    if (!path || !*path) {
        error_setg(errp, "'%s': socket path missing", spec);
        return NULL;
    }
    if (!chardev_parse_flags(opts, &server, &wait, errp) ||
        !chardev_check_no_extra(opts, errp)) {
        return NULL;
    }
    return chardev_add(id, path, server, wait, errp);
}

Chardev *chardev_find(const char *id)
{
    GList *l;

    for (l = chardevs; l; l = l->next) {
        Chardev *chr = l->data;

        if (!strcmp(chr->id, id)) {
            return chr;
        }
    }
    return NULL;
}

bool chardev_any_stdio(void)
{
    GList *l;

    for (l = chardevs; l; l = l->next) {
        if (!chardev_is_socket(l->data)) {
            return true;
        }
    }
    return false;
}

const char *chardev_id(Chardev *chr)
{
    return chr->id;
}

bool chardev_is_server(Chardev *chr)
{
    return chr->server;
}

bool chardev_attach(Chardev *chr, const ChardevHandlers *handlers,
                    void *opaque, Error **errp)
{
    if (chr->handlers) {
        error_setg(errp, "chardev '%s' is already in use", chr->id);
        return false;
    }
    chr->handlers = handlers;
    chr->opaque = opaque;
    return true;
}

static void chardev_listen_resume(Chardev *chr);

static void chardev_source_drop(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

static GSource *chardev_socket_watch(GSocket *sock, GIOCondition cond,
                                     GSocketSourceFunc fn, Chardev *chr)
{
    GSource *src = g_socket_create_source(sock, cond, NULL);

    g_source_set_callback(src, G_SOURCE_FUNC(fn), chr, NULL);
    g_source_attach(src, NULL);
    return src;
}

/* The peer is gone: stop reading, tell the frontend, accept the next. */
static void chardev_hangup(Chardev *chr)
{
    trace_chardev_hangup(chr->id);
    if (chr->io_watch) {
        g_source_remove(chr->io_watch);
        chr->io_watch = 0;
    }
    chardev_source_drop(&chr->in_src);
    chardev_source_drop(&chr->out_src);
    if (chr->sock) {
        g_socket_close(chr->sock, NULL);
        g_clear_object(&chr->sock);
    }
    g_clear_object(&chr->conn);
    chr->in_fd = chr->out_fd = -1;
    if (chr->pending) {
        g_string_truncate(chr->pending, 0);
    }
    if (chr->handlers && chr->handlers->closed) {
        chr->handlers->closed(chr->opaque);
    }
    if (chr->server) {
        chardev_listen_resume(chr);
    }
}

static void chardev_deliver(Chardev *chr, const uint8_t *buf, size_t n)
{
    if (chr->handlers && chr->handlers->read) {
        chr->handlers->read(chr->opaque, buf, n);
    }
}

static gboolean chardev_socket_in(GSocket *sock, GIOCondition cond,
                                  gpointer data)
{
    Chardev *chr = data;
    g_autofree uint8_t *buf = g_malloc(CHARDEV_READ_CHUNK);
    g_autoptr(GError) err = NULL;
    gssize n;

    n = g_socket_receive(sock, (gchar *)buf, CHARDEV_READ_CHUNK, NULL,
                         &err);
    if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        chardev_hangup(chr);
        return G_SOURCE_REMOVE;
    }
    chardev_deliver(chr, buf, n);
    return G_SOURCE_CONTINUE;
}

static gboolean chardev_stdio_in(gint fd, GIOCondition cond, gpointer data)
{
    Chardev *chr = data;
    g_autofree uint8_t *buf = g_malloc(CHARDEV_READ_CHUNK);
    ssize_t n;

    do {
        n = read(fd, buf, CHARDEV_READ_CHUNK);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        chr->io_watch = 0;
        chardev_hangup(chr);
        return G_SOURCE_REMOVE;
    }
    chardev_deliver(chr, buf, n);
    return G_SOURCE_CONTINUE;
}

static void chardev_set_nodelay(Chardev *chr, GSocket *sock)
{
    if (chr->nodelay &&
        g_socket_get_family(sock) != G_SOCKET_FAMILY_UNIX) {
        g_socket_set_option(sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
    }
}

/* @sock (ours now) is the peer. */
static void chardev_connected(Chardev *chr, GSocket *sock)
{
    chr->sock = sock;
    g_socket_set_blocking(sock, FALSE);
    chardev_set_nodelay(chr, sock);
    trace_chardev_connected(chr->id);
    if (chr->handlers && chr->handlers->opened) {
        chr->handlers->opened(chr->opaque);
    }
    /* The frontend may have written and failed already: still ours? */
    if (chr->sock == sock) {
        chr->in_src = chardev_socket_watch(sock, G_IO_IN | G_IO_HUP |
                                           G_IO_ERR, chardev_socket_in, chr);
    }
}

static void chardev_connected_stdio(Chardev *chr)
{
    chr->in_fd = STDIN_FILENO;
    chr->out_fd = STDOUT_FILENO;
    trace_chardev_connected(chr->id);
    if (chr->handlers && chr->handlers->opened) {
        chr->handlers->opened(chr->opaque);
    }
    chr->io_watch = g_unix_fd_add(chr->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                  chardev_stdio_in, chr);
}

static bool chardev_accept(Chardev *chr, bool block, Error **errp)
{
    g_autoptr(GError) err = NULL;
    GSocket *sock;

    if (block) {
        sock = g_socket_listener_accept_socket(chr->listener, NULL, NULL,
                                               &err);
    } else {
        sock = g_socket_accept(chr->listen_sock, NULL, &err);
    }
    if (!sock) {
        error_setg(errp, "chardev '%s': accept on '%s': %s", chr->id,
                   chr->where, err->message);
        return false;
    }
    chardev_connected(chr, sock);
    return true;
}

static gboolean chardev_listen_ready(GSocket *sock, GIOCondition cond,
                                     gpointer data)
{
    Chardev *chr = data;
    Error *err = NULL;

    /* One peer at a time: later ones wait in the backlog. */
    chardev_source_drop(&chr->accept_src);
    if (!chardev_accept(chr, false, &err)) {
        error_report_err(err);
        chardev_listen_resume(chr);
    }
    return G_SOURCE_REMOVE;
}

static void chardev_listen_resume(Chardev *chr)
{
    if (chr->listen_sock && !chr->accept_src && !chr->sock) {
        chr->accept_src = chardev_socket_watch(chr->listen_sock, G_IO_IN,
                                               chardev_listen_ready, chr);
    }
}

/* The addresses to listen on or connect to, in order of preference. */
static GSocketConnectable *chardev_connectable(Chardev *chr, Error **errp)
{
    guint64 port;

    if (chr->path) {
        return G_SOCKET_CONNECTABLE(g_unix_socket_address_new(chr->path));
    }
    if (qemu_strtou64(chr->port, &port) || port > 65535) {
        error_setg(errp, "parameter 'port': '%s' is not a port number",
                   chr->port);
        return NULL;
    }
    if (!chr->host) {
        /* Every local address, IPv4 too (GLib's IPv6 sockets are dual). */
        g_autoptr(GInetAddress) any =
            g_inet_address_new_any(G_SOCKET_FAMILY_IPV6);

        return G_SOCKET_CONNECTABLE(g_inet_socket_address_new(any, port));
    }
    return G_SOCKET_CONNECTABLE(g_network_address_new(chr->host, port));
}

/* A listening socket on the first address of @c that works. */
static GSocket *chardev_listen_socket(Chardev *chr, GSocketConnectable *c,
                                      Error **errp)
{
    g_autoptr(GSocketAddressEnumerator) e = g_socket_connectable_enumerate(c);
    g_autofree char *why = NULL;

    for (;;) {
        g_autoptr(GError) err = NULL;
        g_autoptr(GSocketAddress) addr =
            g_socket_address_enumerator_next(e, NULL, &err);
        GSocket *sock;

        if (!addr) {
            if (err) {
                g_free(why);
                why = g_strdup(err->message);
            }
            break;
        }
        sock = g_socket_new(g_socket_address_get_family(addr),
                            G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                            &err);
        if (sock) {
            g_socket_set_listen_backlog(sock, 1);
            if (g_socket_bind(sock, addr, !chr->path, &err) &&
                g_socket_listen(sock, &err)) {
                return sock;
            }
            g_object_unref(sock);
        }
        g_free(why);
        why = g_strdup(err->message);
    }
    error_setg(errp, "failed to listen on '%s': %s", chr->where,
               why ? why : "no address");
    return NULL;
}

/* Listen on @sock (ours now); with wait=on, accept the first peer. */
static bool chardev_serve(Chardev *chr, GSocket *sock, Error **errp)
{
    g_autoptr(GError) err = NULL;

    chr->listener = g_socket_listener_new();
    g_socket_listener_set_backlog(chr->listener, 1);
    if (!g_socket_listener_add_socket(chr->listener, sock, NULL, &err)) {
        error_setg(errp, "failed to listen on '%s': %s", chr->where,
                   err->message);
        g_object_unref(sock);
        return false;
    }
    chr->listen_sock = sock;
    if (chr->wait) {
        info_report("chardev '%s': waiting for a connection on %s",
                    chr->id, chr->where);
        return chardev_accept(chr, true, errp);
    }
    chardev_listen_resume(chr);
    return true;
}

static bool chardev_connect(Chardev *chr, GSocketConnectable *c,
                            Error **errp)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GError) err = NULL;

    chr->conn = g_socket_client_connect(client, c, NULL, &err);
    if (!chr->conn) {
        error_setg(errp, "failed to connect to '%s': %s", chr->where,
                   err->message);
        return false;
    }
    chardev_connected(chr,
                      g_object_ref(g_socket_connection_get_socket(chr->conn)));
    return true;
}

/* fd=N: the parent (libvirt) made it, listening if server=on. */
static bool chardev_open_fd(Chardev *chr, int fd, Error **errp)
{
    g_autoptr(GError) err = NULL;
    GSocket *sock = g_socket_new_from_fd(fd, &err);
    gint listening = 0;

    if (!sock) {
        error_setg(errp, "'%s' is not a socket: %s", chr->where,
                   err->message);
        close(fd);
        return false;
    }
    g_socket_get_option(sock, SOL_SOCKET, SO_ACCEPTCONN, &listening, NULL);
    if (chr->server != !!listening) {
        error_setg(errp, "'%s' is %s listening socket but server=%s",
                   chr->where, listening ? "a" : "not a",
                   chr->server ? "on" : "off");
        g_object_unref(sock);
        return false;
    }
    if (!chr->server) {
        chardev_connected(chr, sock);
        return true;
    }
    return chardev_serve(chr, sock, errp);
}

static bool chardev_open(Chardev *chr, Error **errp)
{
    g_autoptr(GSocketConnectable) c = NULL;
    GSocket *sock;

    if (!chardev_is_socket(chr)) {
        chardev_connected_stdio(chr);
        return true;
    }
    if (chr->passed_fd >= 0) {
        int fd = chr->passed_fd;

        /* Ours from now on: closed with the chardev. */
        chr->passed_fd = -1;
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        return chardev_open_fd(chr, fd, errp);
    }
    c = chardev_connectable(chr, errp);
    if (!c) {
        return false;
    }
    if (!chr->server) {
        return chardev_connect(chr, c, errp);
    }
    if (chr->path) {
        /* A stale socket file from an earlier run would make bind fail. */
        unlink(chr->path);
    }
    sock = chardev_listen_socket(chr, c, errp);
    return sock && chardev_serve(chr, sock, errp);
}

bool chardev_open_all(Error **errp)
{
    GList *l;

    for (l = chardevs; l; l = l->next) {
        Chardev *chr = l->data;

        if (!chardev_open(chr, errp)) {
            error_prepend(errp, "chardev '%s': ", chr->id);
            return false;
        }
    }
    return true;
}

/* Write what the socket takes now; the rest stays in @pending. */
static bool chardev_flush_some(Chardev *chr)
{
    while (chr->pending->len && chr->sock) {
        g_autoptr(GError) err = NULL;
        gssize n = g_socket_send(chr->sock, chr->pending->str,
                                 chr->pending->len, NULL, &err);

        if (n < 0 && g_error_matches(err, G_IO_ERROR,
                                     G_IO_ERROR_WOULD_BLOCK)) {
            return true;
        }
        if (n <= 0) {
            /* Reading will see the hangup and tell the frontend. */
            g_string_truncate(chr->pending, 0);
            return false;
        }
        g_string_erase(chr->pending, 0, n);
    }
    return true;
}

static gboolean chardev_out_ready(GSocket *sock, GIOCondition cond,
                                  gpointer data)
{
    Chardev *chr = data;

    if (!chardev_flush_some(chr) || !chr->pending->len) {
        g_source_unref(chr->out_src);
        chr->out_src = NULL;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean chardev_drop_peer(gpointer data)
{
    Chardev *chr = data;

    chr->drop_idle = 0;
    if (chr->sock) {
        chardev_hangup(chr);
    }
    return G_SOURCE_REMOVE;
}

/*
 * Sockets never block the main loop: what the peer does not take at
 * once waits in @pending and goes out as the socket drains.  A peer
 * with more than CHARDEV_MAX_PENDING unread is disconnected (from an
 * idle callback: the frontend may be in the middle of a request), and
 * nobody else waits for it.
 */
static bool chardev_write_socket(Chardev *chr, const void *buf, size_t len)
{
    if (!chr->pending) {
        chr->pending = g_string_new(NULL);
    }
    if (chr->drop_idle) {
        return false;
    }
    if (chr->pending->len + len > CHARDEV_MAX_PENDING) {
        warn_report("chardev '%s': the peer on %s stopped reading (%zu "
                    "bytes unread); disconnecting it", chr->id, chr->where,
                    chr->pending->len);
        trace_chardev_peer_dropped(chr->id, chr->pending->len);
        g_string_truncate(chr->pending, 0);
        /* Before its next request is read: input outranks idle. */
        chr->drop_idle = g_idle_add_full(G_PRIORITY_HIGH, chardev_drop_peer,
                                         chr, NULL);
        return false;
    }
    g_string_append_len(chr->pending, buf, len);
    if (!chardev_flush_some(chr)) {
        return false;
    }
    if (chr->pending->len && !chr->out_src) {
        chr->out_src = chardev_socket_watch(chr->sock, G_IO_OUT,
                                            chardev_out_ready, chr);
    }
    return true;
}

/* Teardown: give a reading peer what is left (the last replies). */
static void chardev_flush_at_exit(Chardev *chr)
{
    gint64 deadline = g_get_monotonic_time() + G_USEC_PER_SEC;

    while (chr->pending && chr->pending->len && chr->sock &&
           g_get_monotonic_time() < deadline) {
        if (g_socket_condition_timed_wait(chr->sock, G_IO_OUT,
                                          100 * 1000, NULL, NULL) &&
            !chardev_flush_some(chr)) {
            break;
        }
    }
}

/* stdio: a terminal or pipe; writes wait for room (the user reads). */
static bool chardev_write_stdio(Chardev *chr, const void *buf, size_t len)
{
    const char *p = buf;

    while (len && chr->out_fd >= 0) {
        ssize_t n = write(chr->out_fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            struct pollfd pfd = { .fd = chr->out_fd, .events = POLLOUT };

            poll(&pfd, 1, -1);
            continue;
        }
        if (n <= 0) {
            /* Reading will see the hangup and tell the frontend. */
            return false;
        }
        p += n;
        len -= n;
    }
    return !len;
}

bool chardev_write(Chardev *chr, const void *buf, size_t len)
{
    if (chardev_is_socket(chr)) {
        return chr->sock && chardev_write_socket(chr, buf, len);
    }
    return chardev_write_stdio(chr, buf, len);
}

static void chardev_free(Chardev *chr)
{
    chardev_flush_at_exit(chr);
    chardev_source_drop(&chr->out_src);
    chardev_source_drop(&chr->in_src);
    chardev_source_drop(&chr->accept_src);
    if (chr->drop_idle) {
        g_source_remove(chr->drop_idle);
    }
    if (chr->pending) {
        g_string_free(chr->pending, TRUE);
    }
    if (chr->io_watch) {
        g_source_remove(chr->io_watch);
    }
    if (chr->sock) {
        g_socket_close(chr->sock, NULL);
        g_object_unref(chr->sock);
    }
    g_clear_object(&chr->conn);
    if (chr->listener) {
        g_socket_listener_close(chr->listener);
        g_object_unref(chr->listener);
        if (chr->path) {
            unlink(chr->path);
        }
    }
    g_clear_object(&chr->listen_sock);
    if (chr->passed_fd >= 0) {
        close(chr->passed_fd);
    }
    g_free(chr->id);
    g_free(chr->path);
    g_free(chr->host);
    g_free(chr->port);
    g_free(chr->where);
    g_free(chr);
}

void chardev_destroy_all(void)
{
    g_list_free_full(g_steal_pointer(&chardevs),
                     (GDestroyNotify)chardev_free);
}
