/*
 * QMP over the QOM view (qom.h): qom-list-types, qom-list, qom-get,
 * qom-set, device-list-properties, qom-list-properties; and query-name.
 * Their arguments are checked against the schema (qmp-schema.c) before
 * they run.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "system/machines.h"
#include "system/qdev-internal.h"
#include "system/qmp-internal.h"
#include "system/qom.h"

static const char *qmp_str_arg(JsonObject *args, const char *name)
{
    JsonNode *n = json_object_get_member(args, name);

    return n ? json_node_get_string(n) : NULL;
}

static JsonNode *qmp_qom_list_types(JsonObject *args, Error **errp)
{
    g_autoptr(GPtrArray) types = NULL;
    const char *implements;
    bool abstract;
    JsonArray *ret;
    unsigned i;

    implements = qmp_str_arg(args, "implements");
    abstract = json_object_has_member(args, "abstract") &&
               json_object_get_boolean_member(args, "abstract");
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

static JsonNode *qmp_qom_list(JsonObject *args, Error **errp)
{
    return qom_list(qmp_str_arg(args, "path"), errp);
}

static JsonNode *qmp_qom_get(JsonObject *args, Error **errp)
{
    return qom_get(qmp_str_arg(args, "path"),
                   qmp_str_arg(args, "property"), errp);
}

static JsonNode *qmp_qom_set(JsonObject *args, Error **errp)
{
    qom_set(qmp_str_arg(args, "path"), qmp_str_arg(args, "property"),
            json_object_get_member(args, "value"), errp);
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

static JsonNode *qmp_device_list_properties(JsonObject *args, Error **errp)
{
    g_autoptr(QomTypeInfo) ti = NULL;
    const DeviceClass *dc;
    const char *name;
    const Property *p;
    JsonArray *ret;

    name = qmp_str_arg(args, "typename");
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
static JsonNode *qmp_qom_list_properties(JsonObject *args, Error **errp)
{
    g_autoptr(QomTypeInfo) ti = NULL;
    const DeviceClass *dc;
    const char *name;
    JsonArray *ret;

    name = qmp_str_arg(args, "typename");
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

static JsonNode *qmp_query_name(JsonObject *args, Error **errp)
{
    JsonObject *ret = json_object_new();

    if (machine_guest_name()) {
        json_object_set_string_member(ret, "name", machine_guest_name());
    }
    return qmp_node_take_object(ret);
}

void qmp_qom_register(void)
{
    qmp_register_command("qom-list-types", qmp_qom_list_types);
    qmp_register_command("qom-list", qmp_qom_list);
    qmp_register_command("qom-get", qmp_qom_get);
    qmp_register_command("qom-set", qmp_qom_set);
    qmp_register_command("device-list-properties",
                         qmp_device_list_properties);
    qmp_register_command("qom-list-properties", qmp_qom_list_properties);
    qmp_register_command("query-name", qmp_query_name);
    qom_register_hmp();
}
