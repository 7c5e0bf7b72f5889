/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Where the stream goes to and comes from: file:PATH, exec:CMD (the
 * command's stdin on the source, its stdout on the destination) and
 * unix:PATH (the destination listens, the source connects).
 */
#include "qemu/osdep.h"
#include "migration/migration.h"
#include "migration/transport.h"
#include "trace.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

bool migration_parse_uri(const char *uri, MigTransport *kind,
                         const char **arg, Error **errp)
{
    static const struct {
        const char *prefix;
        MigTransport kind;
    } kinds[] = {
        { "file:", MIG_TRANSPORT_FILE },
        { "exec:", MIG_TRANSPORT_EXEC },
        { "unix:", MIG_TRANSPORT_UNIX },
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(kinds); i++) {
        if (g_str_has_prefix(uri, kinds[i].prefix)) {
            *kind = kinds[i].kind;
            *arg = uri + strlen(kinds[i].prefix);
            if (!**arg) {
                error_setg(errp, "migration URI '%s': nothing after '%s'",
                           uri, kinds[i].prefix);
                return false;
            }
            if (*kind == MIG_TRANSPORT_UNIX &&
                strlen(*arg) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
                error_setg(errp, "migration URI '%s': socket path too "
                           "long", uri);
                return false;
            }
            return true;
        }
    }
    error_setg(errp, "migration URI '%s' is not supported (use file:PATH, "
               "exec:COMMAND or unix:PATH)", uri);
    return false;
}

static int mig_spawn(const char *cmd, bool to_child, GPid *child,
                     Error **errp)
{
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    GError *gerr = NULL;
    int fd = -1;

    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                  child, to_child ? &fd : NULL,
                                  to_child ? NULL : &fd, NULL, &gerr)) {
        error_setg(errp, "cannot run '%s': %s", cmd, gerr->message);
        g_error_free(gerr);
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    trace_migration_exec(cmd, *child);
    return fd;
}

/* A stream socket and the address of @path, for connect or bind. */
static int mig_unix_socket(struct sockaddr_un *sa, const char *path,
                           Error **errp)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        error_setg_errno(errp, errno, "socket() failed");
        return -1;
    }
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    g_strlcpy(sa->sun_path, path, sizeof(sa->sun_path));
    return fd;
}

int migration_connect_outgoing(const char *uri, GPid *child, Error **errp)
{
    struct sockaddr_un sa;
    MigTransport kind;
    const char *arg;
    int fd;

    *child = 0;
    if (!migration_parse_uri(uri, &kind, &arg, errp)) {
        return -1;
    }
    switch (kind) {
    case MIG_TRANSPORT_FILE:
        fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            error_setg_errno(errp, errno, "cannot open '%s' for the "
                             "migration stream", arg);
        }
        return fd;
    case MIG_TRANSPORT_EXEC:
        return mig_spawn(arg, true, child, errp);
    case MIG_TRANSPORT_UNIX:
        fd = mig_unix_socket(&sa, arg, errp);
        if (fd < 0) {
            return -1;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            error_setg_errno(errp, errno, "cannot connect to '%s'", arg);
            close(fd);
            return -1;
        }
        return fd;
    }
    g_assert_not_reached();
}

int migration_open_incoming(MigTransport kind, const char *arg, GPid *child,
                            Error **errp)
{
    struct sockaddr_un sa;
    int fd;

    *child = 0;
    switch (kind) {
    case MIG_TRANSPORT_FILE:
        fd = open(arg, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            error_setg_errno(errp, errno, "cannot open '%s'", arg);
        }
        return fd;
    case MIG_TRANSPORT_EXEC:
        return mig_spawn(arg, false, child, errp);
    case MIG_TRANSPORT_UNIX:
        fd = mig_unix_socket(&sa, arg, errp);
        if (fd < 0) {
            return -1;
        }
        unlink(arg);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            listen(fd, 1) < 0) {
            error_setg_errno(errp, errno, "cannot listen on '%s'", arg);
            close(fd);
            return -1;
        }
        return fd;
    }
    g_assert_not_reached();
}

bool migration_wait_child(GPid child, const char *uri, Error **errp)
{
    int status;

    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            error_setg_errno(errp, errno, "waiting for '%s' failed", uri);
            return false;
        }
    }
    if (WIFSIGNALED(status)) {
        error_setg(errp, "'%s' was killed by signal %d", uri,
                   WTERMSIG(status));
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        error_setg(errp, "'%s' exited with status %d", uri,
                   WEXITSTATUS(status));
        return false;
    }
    return true;
}
