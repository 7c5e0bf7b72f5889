/*
 * QMP over the QOM view (qom.h): qom-list-types, qom-list, qom-get,
 * qom-set, device-list-properties, qom-list-properties; and query-name.
 * They get their arguments typed and checked against qapi/schema.json.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "system/machines.h"
#include "system/qdev-internal.h"
#include "system/qmp-internal.h"
#include "qmp-schema-gen.h"
#include "system/qom.h"

JsonNode *qmp_cmd_qom_list_types(const char *implements,
                                 bool has_abstract, bool abstract,
                                 Error **errp)
{
    g_autoptr(GPtrArray) types = NULL;
    JsonArray *ret;
    unsigned i;

    types = qom_type_list();
    ret = json_array_new();
    for (i = 0; i < types->len; i++) {
        QomTypeInfo *ti = types->pdata[i];
        JsonObject *item;

        if ((ti->abstract && !abstract) ||
            (implements && !qom_type_implements(ti->name, implements))) {
            continue;
        }
        item = json_object_new();
        json_object_set_string_member(item, "name", ti->name);
        if (ti->abstract) {
            json_object_set_boolean_member(item, "abstract", true);
        }
        if (ti->parent) {
            json_object_set_string_member(item, "parent", ti->parent);
        }
        json_array_add_object_element(ret, item);
    }
    return qmp_node_take_array(ret);
}

JsonNode *qmp_cmd_qom_list(const char *path, Error **errp)
{
    return qom_list(path, errp);
}

JsonNode *qmp_cmd_qom_get(const char *path, const char *property,
                          Error **errp)
{
    return qom_get(path, property, errp);
}

JsonNode *qmp_cmd_qom_set(const char *path, const char *property,
                          JsonNode *value, Error **errp)
{
    qom_set(path, property, value, errp);
    return NULL;
}

static JsonObject *qmp_prop_info(const char *name, const char *type,
                                 const char *desc, JsonNode *defval)
{
    JsonObject *item = json_object_new();

    json_object_set_string_member(item, "name", name);
    json_object_set_string_member(item, "type", type);
    if (desc) {
        json_object_set_string_member(item, "description", desc);
    }
    if (defval) {
        json_object_set_member(item, "default-value", defval);
    }
    return item;
}

JsonNode *qmp_cmd_device_list_properties(const char *name, Error **errp)
{
    g_autoptr(QomTypeInfo) ti = NULL;
    const DeviceClass *dc;
    const Property *p;
    JsonArray *ret;

    ti = qom_type_find(name);
    if (!ti) {
        qmp_error_set_class("DeviceNotFound");
        error_setg(errp, "Device '%s' not found", name);
        return NULL;
    }
    dc = qdev_find_class(name);
    if (!dc || ti->abstract) {
        error_setg(errp, "Parameter 'typename' expects a non-abstract "
                   "device type");
        return NULL;
    }
    ret = json_array_new();
    for (p = dc->props; p && p->name; p++) {
        json_array_add_object_element(ret, qmp_prop_info(p->name,
            qdev_prop_type_name(p), p->desc,
            qdev_prop_default_json(dc, p)));
    }
    return qmp_node_take_array(ret);
}

/* qom-list-properties: what an instance of @typename would have. */
JsonNode *qmp_cmd_qom_list_properties(const char *name, Error **errp)
{
    g_autoptr(QomTypeInfo) ti = NULL;
    const DeviceClass *dc;
    JsonArray *ret;

    ti = qom_type_find(name);
    if (!ti) {
        qmp_error_set_class("DeviceNotFound");
        error_setg(errp, "Class '%s' not found", name);
        return NULL;
    }
    if (ti->abstract && !qom_type_implements(name, "object")) {
        error_setg(errp, "Parameter 'typename' expects a non-abstract "
                   "type");
        return NULL;
    }
    ret = json_array_new();
    json_array_add_object_element(ret, qmp_prop_info("type", "string",
                                                     NULL, NULL));
    dc = qdev_find_class(name);
    if (dc) {
        const Property *p;

        for (p = dc->props; p && p->name; p++) {
            json_array_add_object_element(ret, qmp_prop_info(p->name,
                qdev_prop_type_name(p), p->desc,
                qdev_prop_default_json(dc, p)));
        }
    }
    return qmp_node_take_array(ret);
}

JsonNode *qmp_cmd_query_name(Error **errp)
{
    JsonObject *ret = json_object_new();

    if (machine_guest_name()) {
        json_object_set_string_member(ret, "name", machine_guest_name());
    }
    return qmp_node_take_object(ret);
}

