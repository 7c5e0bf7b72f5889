/*
 * The destination side: -incoming URI.
 *
 * The machine is built from the same command line as the source's, not
 * started, and the stream is applied to it.  Any error stops there: the
 * message names the section, the process exits with status 1 and the
 * machine never runs half-loaded.
 */
#include "qemu/osdep.h"
#include "migration/migration.h"
#include "migration/savevm.h"
#include "migration/transport.h"
#include "sysemu/machine.h"
#include "system/runstate.h"
#include "qapi/qmp.h"
#include "trace.h"
#include <glib-unix.h>
#include <sys/socket.h>

static struct {
    int listen_fd;
    guint watch;
    bool start_paused;
    bool failed;
    char *path;                 /* unix: socket to unlink at the end */
} incoming = { .listen_fd = -1 };

bool migration_incoming_check_uri(const char *uri, Error **errp)
{
    MigTransport kind;
    const char *arg;

    return migration_parse_uri(uri, &kind, &arg, errp);
}

/* Read and apply the whole stream from @fd. */
static bool incoming_load_fd(int fd, Error **errp)
{
    MigStream s;
    bool ok;

    mig_stream_init(&s, fd);
    ok = savevm_load(&s, errp);
    trace_migration_incoming_done(s.bytes, ok);
    mig_stream_cleanup(&s);
    return ok;
}

static void incoming_start_machine(void)
{
    if (!incoming.start_paused) {
        machine_set_running(true);
        qmp_event_send("RESUME", NULL);
    }
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
    if (conn >= 0) {
        incoming_load_fd(conn, &err);
        close(conn);
    }
    if (err) {
        error_prepend(&err, "load of migration failed: ");
        error_report_err(err);
        incoming.failed = true;
        qemu_system_shutdown_request("host-error");
    } else {
        incoming_start_machine();
    }
    return G_SOURCE_REMOVE;
}

bool migration_incoming_start(const char *uri, bool start_paused,
                              Error **errp)
{
    MigTransport kind;
    const char *arg;
    GPid child;
    bool ok;
    int fd;

    if (!migration_parse_uri(uri, &kind, &arg, errp)) {
        return false;
    }
    incoming.start_paused = start_paused;
    machine_set_running(false);
    fd = migration_open_incoming(kind, arg, &child, errp);
    if (fd < 0) {
        return false;
    }
    trace_migration_incoming(uri);
    if (kind == MIG_TRANSPORT_UNIX) {
        /* QMP and qtest are served while the source gets ready. */
        incoming.listen_fd = fd;
        incoming.path = g_strdup(arg);
        incoming.watch = g_unix_fd_add(fd, G_IO_IN, incoming_accept, NULL);
        return true;
    }
    ok = incoming_load_fd(fd, errp);
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
        return false;
    }
    incoming_start_machine();
    return true;
}

bool migration_incoming_failed(void)
{
    return incoming.failed;
}

void migration_incoming_cleanup(void)
{
    incoming_stop_listening();
}
