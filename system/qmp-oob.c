/*
 * The commands QEMU 7.2 allows out of band (exec-oob): migrate-pause,
 * migrate-recover, yank and query-yank.  They exist for recovering a
 * stuck postcopy migration or a hung connection; this machine has no
 * postcopy and nothing registered for yanking, so each answers what
 * QEMU answers in that state.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/qmp-internal.h"
#include "qmp-schema-gen.h"

/* Arguments come typed and checked against qapi/schema.json. */
JsonNode *qmp_cmd_migrate_pause(Error **errp)
{
    error_setg(errp, "migrate-pause works only while a postcopy "
               "migration is active, and this machine migrates without "
               "postcopy");
    return NULL;
}

JsonNode *qmp_cmd_migrate_recover(const char *uri, Error **errp)
{
    error_setg(errp, "migrate-recover works only on a paused postcopy "
               "migration, and this machine migrates without postcopy");
    return NULL;
}

/* Nothing registers yank functions here: the list is always empty. */
JsonNode *qmp_cmd_query_yank(Error **errp)
{
    return qmp_node_take_array(json_array_new());
}

/* Every element of @instances is a valid YankInstance already. */
JsonNode *qmp_cmd_yank(JsonArray *instances, Error **errp)
{
    if (json_array_get_length(instances)) {
        JsonObject *o = json_array_get_object_element(instances, 0);
        const char *type = json_object_get_string_member(o, "type");

        qmp_error_set_class("DeviceNotFound");
        error_setg(errp, "Instance of type '%s' not found (nothing can "
                   "be yanked here)", type);
        return NULL;
    }
    return NULL;
}

