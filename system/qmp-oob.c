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

/* Arguments are checked against the schema (qmp-schema.c) first. */
static JsonNode *qmp_migrate_pause(JsonObject *args, Error **errp)
{
    error_setg(errp, "migrate-pause works only while a postcopy "
               "migration is active, and this machine migrates without "
               "postcopy");
    return NULL;
}

static JsonNode *qmp_migrate_recover(JsonObject *args, Error **errp)
{
    error_setg(errp, "migrate-recover works only on a paused postcopy "
               "migration, and this machine migrates without postcopy");
    return NULL;
}

/* Nothing registers yank functions here: the list is always empty. */
static JsonNode *qmp_query_yank(JsonObject *args, Error **errp)
{
    return qmp_node_take_array(json_array_new());
}

static JsonNode *qmp_yank(JsonObject *args, Error **errp)
{
    JsonArray *list;
    unsigned i;

    list = json_object_get_array_member(args, "instances");
    for (i = 0; i < json_array_get_length(list); i++) {
        JsonNode *inst = json_array_get_element(list, i);
        JsonObject *o;
        const char *type;

        if (!JSON_NODE_HOLDS_OBJECT(inst)) {
            error_setg(errp, "Invalid parameter type for 'instances[%u]', "
                       "expected: object", i);
            return NULL;
        }
        o = json_node_get_object(inst);
        type = json_object_has_member(o, "type") ?
               json_object_get_string_member(o, "type") : NULL;
        if (!type) {
            error_setg(errp, "Parameter 'instances[%u].type' is missing", i);
            return NULL;
        }
        if (strcmp(type, "block-node") && strcmp(type, "chardev") &&
            strcmp(type, "migration")) {
            error_setg(errp, "Parameter 'instances[%u].type' does not "
                       "accept value '%s'", i, type);
            return NULL;
        }
        qmp_error_set_class("DeviceNotFound");
        error_setg(errp, "Instance of type '%s' not found (nothing can "
                   "be yanked here)", type);
        return NULL;
    }
    return NULL;
}

void qmp_oob_register(void)
{
    qmp_register_command("migrate-pause", qmp_migrate_pause);
    qmp_register_command("migrate-recover", qmp_migrate_recover);
    qmp_register_command("yank", qmp_yank);
    qmp_register_command("query-yank", qmp_query_yank);
}
