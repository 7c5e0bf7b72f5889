/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Checking JSON values against the schema's types, as QEMU's QObject
 * input visitor does: members in declaration order (missing, then
 * wrong type), then members nobody declared.  The messages are QEMU's.
 */
#include "qemu/osdep.h"
#include "system/qmp-visit.h"

static bool qmp_check_type_error(const char *path, const char *expected,
                                 Error **errp)
{
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               path ? path : "null", expected);
    return false;
}

static bool qmp_node_is(JsonNode *n, GType type)
{
    return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == type;
}

bool qmp_check_str(JsonNode *n, const char *path, const char *name,
                   Error **errp)
{
    return qmp_node_is(n, G_TYPE_STRING) ||
           qmp_check_type_error(path, "string", errp);
}

bool qmp_check_int(JsonNode *n, const char *path, const char *name,
                   Error **errp)
{
    return qmp_node_is(n, G_TYPE_INT64) ||
           qmp_check_type_error(path, "integer", errp);
}

bool qmp_check_bool(JsonNode *n, const char *path, const char *name,
                    Error **errp)
{
    return qmp_node_is(n, G_TYPE_BOOLEAN) ||
           qmp_check_type_error(path, "boolean", errp);
}

bool qmp_check_number(JsonNode *n, const char *path, const char *name,
                      Error **errp)
{
    return qmp_node_is(n, G_TYPE_INT64) || qmp_node_is(n, G_TYPE_DOUBLE) ||
           qmp_check_type_error(path, "number", errp);
}

bool qmp_check_null(JsonNode *n, const char *path, const char *name,
                    Error **errp)
{
    return JSON_NODE_HOLDS_NULL(n) ||
           qmp_check_type_error(path, "null", errp);
}

bool qmp_check_any(JsonNode *n, const char *path, const char *name,
                   Error **errp)
{
    return true;
}

bool qmp_check_enum(JsonNode *n, const char *path, const char *name,
                    const char *const *values, Error **errp)
{
    if (!qmp_check_str(n, path, name, errp)) {
        return false;
    }
    if (!g_strv_contains(values, json_node_get_string(n))) {
        /* QEMU names the member only, 'null' for an array element. */
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   name ? name : "null", json_node_get_string(n));
        return false;
    }
    return true;
}

bool qmp_check_list(JsonNode *n, const char *path, QmpCheckFunc *elem,
                    Error **errp)
{
    JsonArray *arr;
    unsigned i;

    if (!JSON_NODE_HOLDS_ARRAY(n)) {
        return qmp_check_type_error(path, "array", errp);
    }
    arr = json_node_get_array(n);
    for (i = 0; i < json_array_get_length(arr); i++) {
        g_autofree char *p = g_strdup_printf("%s[%u]", path ? path : "",
                                             i);

        if (!elem(json_array_get_element(arr, i), p, NULL, errp)) {
            return false;
        }
    }
    return true;
}

static char *qmp_member_path(const char *path, const char *member)
{
    return path ? g_strdup_printf("%s.%s", path, member) : g_strdup(member);
}

bool qmp_check_members(JsonNode *n, const char *path,
                       const QmpMember *members, Error **errp)
{
    JsonObject *o;
    const QmpMember *m;

    if (!JSON_NODE_HOLDS_OBJECT(n)) {
        return qmp_check_type_error(path, "object", errp);
    }
    o = json_node_get_object(n);
    for (m = members; m->name; m++) {
        JsonNode *v = json_object_get_member(o, m->name);
        g_autofree char *p = qmp_member_path(path, m->name);

        if (!v) {
            if (m->optional) {
                continue;
            }
            error_setg(errp, "Parameter '%s' is missing", p);
            return false;
        }
        if (!m->check(v, p, m->name, errp)) {
            return false;
        }
    }
    return true;
}

static bool qmp_member_declared(const QmpMember *members, const char *name)
{
    const QmpMember *m;

    for (m = members; m && m->name; m++) {
        if (!strcmp(m->name, name)) {
            return true;
        }
    }
    return false;
}

bool qmp_check_struct(JsonNode *n, const char *path,
                      const QmpMember *members, const QmpMember *branch,
                      bool open, Error **errp)
{
    g_autoptr(GList) names = NULL;
    GList *l;

    if (!qmp_check_members(n, path, members, errp) ||
        (branch && !qmp_check_members(n, path, branch, errp))) {
        return false;
    }
    if (open) {
        return true;
    }
    names = json_object_get_members(json_node_get_object(n));
    for (l = names; l; l = l->next) {
        if (!qmp_member_declared(members, l->data) &&
            !qmp_member_declared(branch, l->data)) {
            g_autofree char *p = qmp_member_path(path, l->data);

            error_setg(errp, "Parameter '%s' is unexpected", p);
            return false;
        }
    }
    return true;
}

const QmpSchemaCommand *qmp_schema_find(const char *name)
{
    const QmpSchemaCommand *c;

    for (c = qmp_schema_commands; c->name; c++) {
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

bool qmp_schema_check_args(const QmpSchemaCommand *cmd, JsonObject *args,
                           Error **errp)
{
    g_autoptr(JsonObject) empty = args ? NULL : json_object_new();
    g_autoptr(JsonNode) n = json_node_alloc();

    json_node_init_object(n, args ? args : empty);
    return qmp_check_struct(n, NULL, cmd->args, NULL, cmd->extra_members,
                            errp);
}

const char *qmp_arg_str(JsonObject *args, const char *name)
{
    JsonNode *n = json_object_get_member(args, name);

    return n ? json_node_get_string(n) : NULL;
}

int64_t qmp_arg_int(JsonObject *args, const char *name)
{
    JsonNode *n = json_object_get_member(args, name);

    return n ? json_node_get_int(n) : 0;
}

bool qmp_arg_bool(JsonObject *args, const char *name)
{
    JsonNode *n = json_object_get_member(args, name);

    return n && json_node_get_boolean(n);
}

double qmp_arg_number(JsonObject *args, const char *name)
{
    JsonNode *n = json_object_get_member(args, name);

    if (!n) {
        return 0;
    }
    return json_node_get_value_type(n) == G_TYPE_INT64 ?
           (double)json_node_get_int(n) : json_node_get_double(n);
}

JsonNode *qmp_arg_node(JsonObject *args, const char *name)
{
    return json_object_get_member(args, name);
}

JsonArray *qmp_arg_array(JsonObject *args, const char *name)
{
    JsonNode *n = json_object_get_member(args, name);

    return n ? json_node_get_array(n) : NULL;
}

JsonObject *qmp_arg_object(JsonObject *args, const char *name)
{
    JsonNode *n = json_object_get_member(args, name);

    return n ? json_node_get_object(n) : NULL;
}

int qmp_arg_enum(JsonObject *args, const char *name,
                 const char *const *values)
{
    const char *s = qmp_arg_str(args, name);
    int i;

    for (i = 0; s && values[i]; i++) {
        if (!strcmp(values[i], s)) {
            return i;
        }
    }
    return 0;
}
