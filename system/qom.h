/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The QOM view of this program, as QEMU's QOM clients see it: a type
 * hierarchy (qom-list-types, device-list-properties) and a tree of
 * objects at QEMU's paths (qom-list, qom-get, qom-set).
 *
 * Nothing here owns state.  Types come from the registries that exist
 * (device classes, memory backend types, machine types) plus the
 * abstract types and interfaces QEMU clients ask about; objects are
 * the devices, backends and machine as they are now, found anew at
 * every request, so the tree can never disagree with the machine.
 */
#ifndef SYSTEM_QOM_H
#define SYSTEM_QOM_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include <json-glib/json-glib.h>

typedef struct QomTypeInfo {
    char *name;
    char *parent;               /* NULL for a root ("object", "interface") */
    bool abstract;
    GPtrArray *interfaces;      /* names (char *), may be empty */
} QomTypeInfo;

/* Every type, sorted by name (g_ptr_array_unref it). */
GPtrArray *qom_type_list(void);
/* One type (qom_type_free it), NULL when unknown. */
QomTypeInfo *qom_type_find(const char *name);
void qom_type_free(QomTypeInfo *ti);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QomTypeInfo, qom_type_free)
/* Is @type @target, a subtype of it, or an implementer of it? */
bool qom_type_implements(const char *type, const char *target);

/* qom-list: [{"name", "type"}]; NULL with DeviceNotFound when no path. */
JsonNode *qom_list(const char *path, Error **errp);
JsonNode *qom_get(const char *path, const char *prop, Error **errp);
bool qom_set(const char *path, const char *prop, JsonNode *value,
             Error **errp);

/* HMP info qom-tree and info qtree. */
void qom_register_hmp(void);
/* qom-list-types, qom-list, qom-get, qom-set, device-list-properties. */

#endif
