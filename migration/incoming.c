/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The destination side: -incoming URI, -incoming defer and QMP
 * migrate-incoming.
 *
 * The machine is built from the same command line as the source's, not
 * started, and the stream is applied to it.  Any error stops there: the
 * message names the section, the process exits with status 1 and the
 * machine never runs half-loaded.
 *
 * With "defer" nothing is opened at startup: QMP and qtest are served
 * with the machine stopped until migrate-incoming names the URI.  A URI
 * that cannot be opened is refused with nothing changed, so the client
 * may try another; once one is accepted, the load is under way and a
 * second migrate-incoming is refused.
 */
#include "qemu/osdep.h"
#include "migration/migration.h"
#include "migration/return-path.h"
#include "migration/savevm.h"
#include "migration/transport.h"
#include "sysemu/machine.h"
#include "hw/core/runstate.h"
#include "qapi/qmp.h"
#include "trace.h"
#include <glib-unix.h>
#include <sys/socket.h>

#define INCOMING_DEFER  "defer"

static struct {
    int listen_fd;
    guint watch;
    guint idle;                 /* deferred file:/exec: load */
    int load_fd;                /* ...and what it reads */
    GPid load_child;
    char *uri;                  /* what migrate-incoming accepted */
    bool start_paused;
    bool deferred;              /* -incoming defer */
    bool started;               /* the transport is open */
    bool pending;               /* the machine waits for a load */
    bool failed;
    char *path;                 /* unix: socket to unlink at the end */
} incoming = { .listen_fd = -1, .load_fd = -1 };

bool migration_incoming_check_uri(const char *uri, Error **errp)
{
    MigTransport kind;
    const char *arg;

    if (!strcmp(uri, INCOMING_DEFER)) {
        return true;
    }
    return migration_parse_uri(uri, &kind, &arg, errp);
}

static void incoming_event(const char *status)
{
    g_autoptr(JsonObject) data = json_object_new();

    json_object_set_string_member(data, "status", status);
    qmp_event_send("MIGRATION", data);
}

/* Read and apply the whole stream from @fd. */
static bool incoming_load_fd(int fd, Error **errp)
{
    MigStream s;
    bool ok;

    incoming_event("active");
    mig_stream_init(&s, fd);
    ok = savevm_load(&s, errp);
    trace_migration_incoming_done(s.bytes, ok);
    mig_stream_cleanup(&s);
    return ok;
}

/* Load from @fd, close it, and for exec: require the command's success. */
static bool incoming_load_and_close(int fd, GPid child, const char *uri,
                                    Error **errp)
{
    bool ok = incoming_load_fd(fd, errp);

    close(fd);
    if (child) {
        Error *cerr = NULL;

        if (!migration_wait_child(child, uri, ok ? &cerr : NULL) && ok) {
            error_propagate(errp, cerr);
            ok = false;
        }
        g_spawn_close_pid(child);
    }
    if (!ok) {
        error_prepend(errp, "load of migration failed: ");
    }
    return ok;
}

static void incoming_start_machine(void)
{
    incoming.pending = false;
    incoming_event("completed");
    if (!incoming.start_paused) {
        /* Devices with state of their own go RUNNING as the guest does. */
        savevm_devices_run();
        machine_set_running(true);
        qmp_event_send("RESUME", NULL);
    }
}

/* A load that ran from the main loop failed: report, exit status 1. */
static void incoming_fail_from_loop(Error *err)
{
    incoming.pending = false;
    error_report_err(err);
    incoming.failed = true;
    incoming_event("failed");
    qemu_system_shutdown_request("host-error");
}

static void incoming_stop_listening(void)
{
    if (incoming.watch) {
        g_source_remove(incoming.watch);
        incoming.watch = 0;
    }
    if (incoming.listen_fd >= 0) {
        close(incoming.listen_fd);
        incoming.listen_fd = -1;
    }
    if (incoming.path) {
        unlink(incoming.path);
        g_clear_pointer(&incoming.path, g_free);
    }
}

static gboolean incoming_accept(gint fd, GIOCondition cond, gpointer opaque)
{
    Error *err = NULL;
    int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

    if (conn < 0) {
        if (errno == EINTR || errno == EAGAIN) {
            return G_SOURCE_CONTINUE;
        }
        error_setg_errno(&err, errno, "accept on the migration socket "
                         "failed");
    }
    incoming.watch = 0;
    incoming_stop_listening();
    if (conn >= 0 && incoming_load_fd(conn, &err)) {
        /*
         * The return path: the source waits for this before it says
         * completed; only then does this side run.
         */
        mig_rp_send_verdict(conn, NULL);
        close(conn);
        incoming_start_machine();
        return G_SOURCE_REMOVE;
    }
    error_prepend(&err, "load of migration failed: ");
    if (conn >= 0) {
        /* ...or its reason, so that the source runs again. */
        mig_rp_send_verdict(conn, error_get_pretty(err));
        close(conn);
    }
    incoming_fail_from_loop(err);
    return G_SOURCE_REMOVE;
}

/* migrate-incoming's file: or exec: load, once the reply has gone. */
static gboolean incoming_load_idle(gpointer opaque)
{
    Error *err = NULL;
    int fd = incoming.load_fd;
    GPid child = incoming.load_child;

    incoming.idle = 0;
    incoming.load_fd = -1;
    incoming.load_child = 0;
    if (incoming_load_and_close(fd, child, incoming.uri, &err)) {
        incoming_start_machine();
    } else {
        incoming_fail_from_loop(err);
    }
    return G_SOURCE_REMOVE;
}

/*
 * Open @uri.  unix: listens and loads when the source connects; file:
 * and exec: load now, or with @from_loop from an idle source so that
 * the QMP reply goes out first.  False (nothing open) if the URI is bad
 * or its transport cannot be opened.
 */
static bool incoming_open(const char *uri, bool from_loop, Error **errp)
{
    MigTransport kind;
    const char *arg;
    GPid child = 0;
    int fd;

    if (!migration_parse_uri(uri, &kind, &arg, errp)) {
        return false;
    }
    fd = migration_open_incoming(kind, arg, &child, errp);
    if (fd < 0) {
        return false;
    }
    trace_migration_incoming(uri);
    incoming.started = true;
    g_free(incoming.uri);
    incoming.uri = g_strdup(uri);
    if (kind == MIG_TRANSPORT_UNIX) {
        /* QMP and qtest are served while the source gets ready. */
        incoming.listen_fd = fd;
        incoming.path = g_strdup(arg);
        incoming.watch = g_unix_fd_add(fd, G_IO_IN, incoming_accept, NULL);
        return true;
    }
    if (from_loop) {
        incoming.load_fd = fd;
        incoming.load_child = child;
        incoming.idle = g_idle_add(incoming_load_idle, NULL);
        return true;
    }
    if (!incoming_load_and_close(fd, child, uri, errp)) {
        return false;
    }
    incoming_start_machine();
    return true;
}

bool migration_incoming_start(const char *uri, bool start_paused,
                              Error **errp)
{
    incoming.start_paused = start_paused;
    incoming.pending = true;
    machine_set_running(false);
    if (!strcmp(uri, INCOMING_DEFER)) {
        incoming.deferred = true;
        trace_migration_incoming(uri);
        return true;
    }
    return incoming_open(uri, false, errp);
}

static JsonNode *qmp_migrate_incoming(JsonObject *args, Error **errp)
{
    JsonNode *node = json_object_get_member(args, "uri");

    if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING) {
        error_setg(errp, "parameter 'uri' is missing or not a string");
        return NULL;
    }
    if (!incoming.deferred) {
        error_setg(errp, "migrate-incoming needs a destination started "
                   "with -incoming defer");
        return NULL;
    }
    if (incoming.started) {
        error_setg(errp, "an incoming migration was already started "
                   "from '%s'", incoming.uri);
        return NULL;
    }
    incoming_open(json_node_get_string(node), true, errp);
    return NULL;
}

void migration_incoming_register_qmp(void)
{
    qmp_register_command("migrate-incoming", qmp_migrate_incoming);
}

bool migration_incoming_cont(void)
{
    if (!incoming.pending) {
        /*
         * Devices a migration left stopped (a loaded destination started
         * with -S, a source after completed) run again with the guest.
         */
        savevm_devices_run();
        return false;
    }
    incoming.start_paused = false;
    return true;
}

bool migration_incoming_failed(void)
{
    return incoming.failed;
}

void migration_incoming_cleanup(void)
{
    incoming_stop_listening();
    if (incoming.idle) {
        g_source_remove(incoming.idle);
        incoming.idle = 0;
    }
    if (incoming.load_fd >= 0) {
        /* An exec: command sees its output closed and ends. */
        close(incoming.load_fd);
        incoming.load_fd = -1;
    }
    if (incoming.load_child) {
        migration_wait_child(incoming.load_child, incoming.uri, NULL);
        g_spawn_close_pid(incoming.load_child);
        incoming.load_child = 0;
    }
    g_clear_pointer(&incoming.uri, g_free);
}
