/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The return path (see return-path.h): a one-line verdict from the
 * destination, read by the source from a main loop watch so that QMP
 * (query-migrate, migrate_cancel) is served while it waits.
 */
#include "qemu/osdep.h"
#include "migration/return-path.h"
#include "trace.h"
#include <glib-unix.h>
#include <sys/socket.h>

#define MIG_RP_OK       "ok"
#define MIG_RP_FAILED   "failed: "

bool mig_rp_send_verdict(int fd, const char *reason)
{
    g_autoptr(GString) msg = g_string_new(reason ? MIG_RP_FAILED
                                                 : MIG_RP_OK);
    const char *p;
    size_t left;

    if (reason) {
        g_string_append(msg, reason);
        g_strdelimit(msg->str, "\n\r", ' ');
        /* Room for the newline: a reason too long is cut, not lost. */
        if (msg->len > MIG_RP_MAX - 1) {
            g_string_truncate(msg, MIG_RP_MAX - 1);
        }
    }
    trace_migration_rp_send(msg->str);
    g_string_append_c(msg, '\n');
    p = msg->str;
    left = msg->len;
    while (left) {
        /* The source may be gone: an error here, never SIGPIPE. */
        ssize_t n = send(fd, p, left, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        left -= n;
    }
    return true;
}

/* The verdict in @line (no newline): NULL for ok, else the error. */
static Error *mig_rp_parse(const char *line)
{
    Error *err = NULL;

    if (!strcmp(line, MIG_RP_OK)) {
        return NULL;
    }
    if (g_str_has_prefix(line, MIG_RP_FAILED)) {
        error_setg(&err, "the destination failed: %s",
                   line + strlen(MIG_RP_FAILED));
    } else {
        error_setg(&err, "the destination sent an unknown verdict '%s'",
                   line);
    }
    return err;
}

static void mig_rp_finish(MigReturnPath *rp, Error *err)
{
    MigReturnPathDone *done = rp->done;
    void *opaque = rp->opaque;

    mig_rp_cancel(rp);
    trace_migration_rp_verdict(err ? error_get_pretty(err) : "ok");
    done(opaque, err);
}

static gboolean mig_rp_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    MigReturnPath *rp = opaque;
    Error *err = NULL;
    char buf[512];
    char *nl;
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return G_SOURCE_CONTINUE;
    }
    if (n < 0) {
        error_setg_errno(&err, errno, "reading the destination's verdict "
                         "failed");
    } else if (n == 0) {
        error_setg(&err, "the destination closed the connection without "
                   "a verdict");
    } else {
        g_string_append_len(rp->line, buf, n);
        nl = memchr(rp->line->str, '\n', rp->line->len);
        if (nl) {
            *nl = '\0';
            err = mig_rp_parse(rp->line->str);
        } else if (rp->line->len < MIG_RP_MAX) {
            return G_SOURCE_CONTINUE;
        } else {
            error_setg(&err, "the destination's verdict is longer than "
                       "%d bytes", MIG_RP_MAX);
        }
    }
    rp->watch = 0;              /* removed by returning REMOVE */
    mig_rp_finish(rp, err);
    return G_SOURCE_REMOVE;
}

static gboolean mig_rp_timed_out(gpointer opaque)
{
    MigReturnPath *rp = opaque;
    Error *err = NULL;

    rp->timeout = 0;
    error_setg(&err, "no verdict from the destination within %d s",
               MIG_RP_TIMEOUT_S);
    mig_rp_finish(rp, err);
    return G_SOURCE_REMOVE;
}

void mig_rp_wait(MigReturnPath *rp, int fd, unsigned timeout_s,
                 MigReturnPathDone *done, void *opaque)
{
    mig_rp_cancel(rp);
    rp->fd = fd;
    rp->done = done;
    rp->opaque = opaque;
    rp->line = g_string_new(NULL);
    rp->watch = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                              mig_rp_readable, rp);
    rp->timeout = g_timeout_add_seconds(timeout_s, mig_rp_timed_out, rp);
}

void mig_rp_cancel(MigReturnPath *rp)
{
    if (rp->watch) {
        g_source_remove(rp->watch);
        rp->watch = 0;
    }
    if (rp->timeout) {
        g_source_remove(rp->timeout);
        rp->timeout = 0;
    }
    if (rp->line) {
        g_string_free(rp->line, TRUE);
        rp->line = NULL;
    }
    rp->done = NULL;
}

char *mig_rp_poll_reason(int fd)
{
    char buf[MIG_RP_MAX + 1];
    ssize_t n = recv(fd, buf, MIG_RP_MAX, MSG_DONTWAIT | MSG_PEEK);
    char *nl;

    if (n <= 0) {
        return NULL;
    }
    buf[n] = '\0';
    nl = strchr(buf, '\n');
    if (!nl || !g_str_has_prefix(buf, MIG_RP_FAILED)) {
        return NULL;
    }
    *nl = '\0';
    return g_strdup(buf + strlen(MIG_RP_FAILED));
}
