/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Character devices: the byte streams qtest and QMP talk over.
 *
 * Only what the program needs: a UNIX or TCP socket (GIO) that
 * connects to a listening peer (libqtest style) or listens itself
 * (server=on, one peer at a time), an inherited socket (fd=), and
 * stdio.  One frontend per chardev.  Reads are delivered from the main
 * loop; socket writes never block: output waits in a per-peer buffer,
 * and a peer that lets it grow past 64 MiB is disconnected.
 */
#ifndef SYSTEM_CHARDEV_H
#define SYSTEM_CHARDEV_H

#include "qemu/osdep.h"
#include "qemu/error.h"

typedef struct Chardev Chardev;

typedef struct ChardevHandlers {
    void (*opened)(void *opaque);   /* a peer is connected */
    void (*read)(void *opaque, const uint8_t *buf, size_t len);
    void (*closed)(void *opaque);   /* the peer went away */
} ChardevHandlers;

/* -chardev socket,id=ID,path=PATH[,server=on|off][,wait=on|off] */
Chardev *chardev_new_from_opts(const char *optstr, Error **errp);
/*
 * Short forms of -qtest and -qmp: "unix:PATH[,server=on][,wait=off]"
 * or "stdio"; @id names the chardev made for it.
 */
Chardev *chardev_new_from_spec(const char *id, const char *spec,
                               Error **errp);
Chardev *chardev_find(const char *id);
const char *chardev_id(Chardev *chr);
/* Is any chardev on stdio (which -daemonize takes away)? */
bool chardev_any_stdio(void);
bool chardev_is_server(Chardev *chr);

/* Attach the one frontend; fails if another one has it already. */
bool chardev_attach(Chardev *chr, const ChardevHandlers *handlers,
                    void *opaque, Error **errp);
/*
 * Connect (client), or listen and, with wait=on, wait for the first
 * peer (server).  Frontends must be attached first.
 */
bool chardev_open_all(Error **errp);
/* False if nobody is connected or the peer is gone. */
bool chardev_write(Chardev *chr, const void *buf, size_t len);
/* Close every fd and unlink server sockets (teardown). */
void chardev_destroy_all(void);

#endif
