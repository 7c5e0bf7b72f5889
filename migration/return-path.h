/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The return path: the destination's verdict, sent back on the stream's
 * own connection once it has loaded (or failed to load) everything.
 *
 *   verdict  "ok\n" or "failed: <reason>\n" (one line, at most
 *            MIG_RP_MAX bytes; newlines in the reason become spaces)
 *
 * Only a bidirectional transport has one (unix:); file: has no
 * destination at migration time and exec: gives the source only the
 * command's stdin.
 */
#ifndef MIGRATION_RETURN_PATH_H
#define MIGRATION_RETURN_PATH_H

#include "qemu/osdep.h"
#include "qemu/error.h"

#define MIG_RP_MAX              4096
/* How long the source waits for the verdict after the end marker. */
#define MIG_RP_TIMEOUT_S        60

/* The verdict's outcome: @err NULL for "ok", else the reason. */
typedef void MigReturnPathDone(void *opaque, Error *err);

typedef struct MigReturnPath {
    int fd;
    guint watch;
    guint timeout;
    GString *line;
    MigReturnPathDone *done;
    void *opaque;
} MigReturnPath;

/* Destination: send the verdict (@reason NULL: ok).  False if not sent. */
bool mig_rp_send_verdict(int fd, const char *reason);

/*
 * Source: wait from the main loop for the verdict on @fd, then call
 * @done once (the watch is gone by then).  No verdict within
 * @timeout_s, or the connection closed without one, is a failure.
 */
void mig_rp_wait(MigReturnPath *rp, int fd, unsigned timeout_s,
                 MigReturnPathDone *done, void *opaque);
/* Stop waiting without calling @done; harmless if not waiting. */
void mig_rp_cancel(MigReturnPath *rp);

/*
 * Source, after a failed write: a verdict the destination sent before
 * it went away, if one is already there (g_free), else NULL.
 */
char *mig_rp_poll_reason(int fd);

#endif
