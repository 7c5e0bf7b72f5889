/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * User-created objects: -object and QMP object-add/object-del.  The
 * only kinds are the memory backends (memory-backend-ram/file/memfd).
 */
#ifndef SYSTEM_OBJECTS_H
#define SYSTEM_OBJECTS_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/* @props holds "qom-type", "id" and the type's properties as strings. */
bool user_object_create(GHashTable *props, Error **errp);
/* -object TYPE,id=ID,prop=value,... ("help" lists types/properties). */
bool user_object_create_str(const char *optstr, bool *printed_help,
                            Error **errp);
bool user_object_del(const char *id, Error **errp);
/* Destroy every backend, newest first (after the machine is gone). */
void user_object_destroy_all(void);

#endif
