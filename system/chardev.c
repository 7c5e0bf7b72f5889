/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Socket and stdio chardevs driven by the GLib main loop.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "system/chardev.h"
#include "system/keyval.h"
#include "trace.h"
#include <glib-unix.h>
#include <fcntl.h>
#include <netdb.h>
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
    int listen_fd;
    int in_fd, out_fd;          /* -1 while nobody is connected */
    guint listen_watch, io_watch;
    GString *pending;           /* output the peer has not taken yet */
    guint out_watch;            /* waiting to write @pending */
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
    chr->listen_fd = chr->in_fd = chr->out_fd = -1;
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

/* The peer is gone: stop reading, tell the frontend, accept the next. */
static void chardev_hangup(Chardev *chr)
{
    trace_chardev_hangup(chr->id);
    if (chr->io_watch) {
        g_source_remove(chr->io_watch);
        chr->io_watch = 0;
    }
    if (chardev_is_socket(chr) && chr->in_fd >= 0) {
        close(chr->in_fd);
    }
    chr->in_fd = chr->out_fd = -1;
    if (chr->out_watch) {
        g_source_remove(chr->out_watch);
        chr->out_watch = 0;
    }
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

static gboolean chardev_io_ready(gint fd, GIOCondition cond, gpointer data)
{
    Chardev *chr = data;
    uint8_t buf[CHARDEV_READ_CHUNK];
    ssize_t n;

    do {
        n = read(fd, buf, sizeof(buf));
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        chr->io_watch = 0;
        chardev_hangup(chr);
        return G_SOURCE_REMOVE;
    }
    if (chr->handlers && chr->handlers->read) {
        chr->handlers->read(chr->opaque, buf, n);
    }
    return G_SOURCE_CONTINUE;
}

static void chardev_connected(Chardev *chr, int in_fd, int out_fd)
{
    chr->in_fd = in_fd;
    chr->out_fd = out_fd;
    trace_chardev_connected(chr->id);
    if (chr->handlers && chr->handlers->opened) {
        chr->handlers->opened(chr->opaque);
    }
    chr->io_watch = g_unix_fd_add(chr->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                  chardev_io_ready, chr);
}

static bool chardev_accept(Chardev *chr, Error **errp)
{
    int fd;

    do {
        fd = accept4(chr->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        error_setg_errno(errp, errno, "chardev '%s': accept on '%s'",
                         chr->id, chr->where);
        return false;
    }
    chardev_connected(chr, fd, fd);
    return true;
}

static gboolean chardev_listen_ready(gint fd, GIOCondition cond,
                                     gpointer data)
{
    Chardev *chr = data;
    Error *err = NULL;

    /* One peer at a time: later ones wait in the backlog. */
    chr->listen_watch = 0;
    if (!chardev_accept(chr, &err)) {
        error_report_err(err);
        chardev_listen_resume(chr);
    }
    return G_SOURCE_REMOVE;
}

static void chardev_listen_resume(Chardev *chr)
{
    if (chr->listen_fd >= 0 && !chr->listen_watch) {
        chr->listen_watch = g_unix_fd_add(chr->listen_fd, G_IO_IN,
                                          chardev_listen_ready, chr);
    }
}

static int chardev_unix_socket(Chardev *chr, struct sockaddr_un *addr,
                               Error **errp)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        error_setg_errno(errp, errno, "chardev '%s': socket", chr->id);
        return -1;
    }
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    g_strlcpy(addr->sun_path, chr->path, sizeof(addr->sun_path));
    return fd;
}

/* TCP: connect to, or listen on, the first address that works. */
static int chardev_tcp_socket(Chardev *chr, Error **errp)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = chr->server ? AI_PASSIVE : 0,
    };
    struct addrinfo *res, *ai;
    int fd = -1, err, one = 1;

    err = getaddrinfo(chr->host, chr->port, &hints, &res);
    if (err) {
        error_setg(errp, "address resolution failed for '%s': %s",
                   chr->where, gai_strerror(err));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            continue;
        }
        if (chr->server) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
                listen(fd, 1) == 0) {
                break;
            }
        } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
        errno = err;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg_errno(errp, errno, "failed to %s '%s'",
                         chr->server ? "listen on" : "connect to",
                         chr->where);
    }
    return fd;
}

static void chardev_set_nodelay(Chardev *chr, int fd)
{
    int one = 1;

    if (chr->nodelay) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
}

/* After a TCP or inherited socket is set up: as for UNIX sockets. */
static bool chardev_open_fd(Chardev *chr, int fd, Error **errp)
{
    int listening = 0;
    socklen_t len = sizeof(listening);

    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0) {
        error_setg_errno(errp, errno, "'%s' is not a socket", chr->where);
        return false;
    }
    if (chr->server != !!listening) {
        error_setg(errp, "'%s' is %s listening socket but server=%s",
                   chr->where, listening ? "a" : "not a",
                   chr->server ? "on" : "off");
        return false;
    }
    if (!chr->server) {
        chardev_set_nodelay(chr, fd);
        chardev_connected(chr, fd, fd);
        return true;
    }
    chr->listen_fd = fd;
    if (chr->wait) {
        info_report("chardev '%s': waiting for a connection on %s",
                    chr->id, chr->where);
        return chardev_accept(chr, errp);
    }
    chardev_listen_resume(chr);
    return true;
}

static bool chardev_open(Chardev *chr, Error **errp)
{
    struct sockaddr_un addr;
    int fd;

    if (!chardev_is_socket(chr)) {
        chardev_connected(chr, STDIN_FILENO, STDOUT_FILENO);
        return true;
    }
    if (chr->passed_fd >= 0) {
        fd = chr->passed_fd;
        /* Ours from now on: closed with the chardev. */
        chr->passed_fd = -1;
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        return chardev_open_fd(chr, fd, errp);
    }
    if (chr->port) {
        fd = chardev_tcp_socket(chr, errp);
        return fd >= 0 && chardev_open_fd(chr, fd, errp);
    }
    fd = chardev_unix_socket(chr, &addr, errp);
    if (fd < 0) {
        return false;
    }
    if (!chr->server) {
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
            error_setg_errno(errp, errno, "failed to connect to '%s'",
                             chr->path);
            close(fd);
            return false;
        }
        chardev_connected(chr, fd, fd);
        return true;
    }
    /* A stale socket file from an earlier run would make bind fail. */
    unlink(chr->path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "failed to listen on '%s'",
                         chr->path);
        close(fd);
        return false;
    }
    chr->listen_fd = fd;
    if (chr->wait) {
        info_report("chardev '%s': waiting for a connection on %s",
                    chr->id, chr->path);
        return chardev_accept(chr, errp);
    }
    chardev_listen_resume(chr);
    return true;
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
    while (chr->pending->len && chr->out_fd >= 0) {
        ssize_t n = send(chr->out_fd, chr->pending->str, chr->pending->len,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
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

static gboolean chardev_out_ready(gint fd, GIOCondition cond,
                                  gpointer data)
{
    Chardev *chr = data;

    if (!chardev_flush_some(chr) || !chr->pending->len) {
        chr->out_watch = 0;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean chardev_drop_peer(gpointer data)
{
    Chardev *chr = data;

    chr->drop_idle = 0;
    if (chr->out_fd >= 0) {
        chardev_hangup(chr);
    }
    return G_SOURCE_REMOVE;
}

/*
 * Sockets never block the main loop: what the peer does not take at
 * once waits in @pending and goes out as the socket drains.  A peer
 * with more than CHARDEV_MAX_PENDING unread is disconnected (from an
 * idle callback: the frontend may be in the middle of a request).
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
    if (chr->pending->len && !chr->out_watch) {
        chr->out_watch = g_unix_fd_add(chr->out_fd, G_IO_OUT,
                                       chardev_out_ready, chr);
    }
    return true;
}

/* Teardown: give a reading peer what is left (the last replies). */
static void chardev_flush_at_exit(Chardev *chr)
{
    gint64 deadline = g_get_monotonic_time() + G_USEC_PER_SEC;

    while (chr->pending && chr->pending->len && chr->out_fd >= 0 &&
           g_get_monotonic_time() < deadline) {
        struct pollfd pfd = { .fd = chr->out_fd, .events = POLLOUT };

        if (poll(&pfd, 1, 100) > 0 && !chardev_flush_some(chr)) {
            break;
        }
    }
}

bool chardev_write(Chardev *chr, const void *buf, size_t len)
{
    const char *p = buf;

    if (chardev_is_socket(chr)) {
        return chr->out_fd >= 0 && chardev_write_socket(chr, buf, len);
    }
    while (len && chr->out_fd >= 0) {
        ssize_t n;

        if (chardev_is_socket(chr)) {
            n = send(chr->out_fd, p, len, MSG_NOSIGNAL);
        } else {
            n = write(chr->out_fd, p, len);
        }
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

static void chardev_free(Chardev *chr)
{
    chardev_flush_at_exit(chr);
    if (chr->out_watch) {
        g_source_remove(chr->out_watch);
    }
    if (chr->drop_idle) {
        g_source_remove(chr->drop_idle);
    }
    if (chr->pending) {
        g_string_free(chr->pending, TRUE);
    }
    if (chr->io_watch) {
        g_source_remove(chr->io_watch);
    }
    if (chr->listen_watch) {
        g_source_remove(chr->listen_watch);
    }
    if (chardev_is_socket(chr) && chr->in_fd >= 0) {
        close(chr->in_fd);
    }
    if (chr->listen_fd >= 0) {
        close(chr->listen_fd);
        if (chr->path) {
            unlink(chr->path);
        }
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
