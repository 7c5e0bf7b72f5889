/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Migration URIs, shared by the source and the destination.
 */
#ifndef MIGRATION_TRANSPORT_H
#define MIGRATION_TRANSPORT_H

#include "qemu/osdep.h"
#include "qemu/error.h"

typedef enum MigTransport {
    MIG_TRANSPORT_FILE,
    MIG_TRANSPORT_EXEC,
    MIG_TRANSPORT_UNIX,
} MigTransport;

bool migration_parse_uri(const char *uri, MigTransport *kind,
                         const char **arg, Error **errp);
/* file: a readable fd; exec: the child's stdout; unix: a listener. */
int migration_open_incoming(MigTransport kind, const char *arg, GPid *child,
                            Error **errp);

#endif
