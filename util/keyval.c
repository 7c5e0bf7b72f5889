/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Option string parsing: "implied,key=value,flag" with ",," escapes.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/keyval.h"
#include <json-glib/json-glib.h>

/*
 * Copy one element of @p (up to an unescaped ',' or the end) into
 * @buf, turning ",," into ','.  Returns where the next element starts.
 */
static const char *keyval_next_element(const char *p, GString *buf)
{
    g_string_truncate(buf, 0);
    while (*p) {
        if (*p == ',') {
            if (p[1] != ',') {
                return p + 1;
            }
            p++;
        }
        g_string_append_c(buf, *p++);
    }
    return p;
}

GHashTable *keyval_parse(const char *str, const char *implied_key,
                         Error **errp)
{
    g_autoptr(GHashTable) opts = g_hash_table_new_full(g_str_hash,
                                                       g_str_equal,
                                                       g_free, g_free);
    g_autoptr(GString) elem = g_string_new(NULL);
    const char *p = str;
    bool first = true;

    while (*p) {
        const char *eq;

        p = keyval_next_element(p, elem);
        if (!elem->len) {
            if (!*p) {
                break;              /* a trailing comma is harmless */
            }
            error_setg(errp, "empty parameter in '%s'", str);
            return NULL;
        }
        eq = strchr(elem->str, '=');
        if (eq == elem->str) {
            error_setg(errp, "parameter without a name in '%s'", str);
            return NULL;
        }
        if (eq) {
            g_hash_table_insert(opts, g_strndup(elem->str, eq - elem->str),
                                g_strdup(eq + 1));
        } else if (first && implied_key && strcmp(elem->str, "help") &&
                   strcmp(elem->str, "?")) {
            g_hash_table_insert(opts, g_strdup(implied_key),
                                g_strdup(elem->str));
        } else if (!strcmp(elem->str, "?")) {
            g_hash_table_insert(opts, g_strdup("help"), g_strdup("on"));
        } else {
            g_hash_table_insert(opts, g_strdup(elem->str), g_strdup("on"));
        }
        first = false;
    }
    return g_steal_pointer(&opts);
}

char *keyval_take(GHashTable *opts, const char *key)
{
    gpointer orig_key, value;

    if (!g_hash_table_steal_extended(opts, key, &orig_key, &value)) {
        return NULL;
    }
    g_free(orig_key);
    return value;
}

static gint keyval_compare(gconstpointer a, gconstpointer b)
{
    return strcmp(a, b);
}

GList *keyval_sorted_keys(GHashTable *opts)
{
    return g_list_sort(g_hash_table_get_keys(opts), keyval_compare);
}

bool keyval_wants_help(GHashTable *opts)
{
    const char *v = g_hash_table_lookup(opts, "help");
    bool on;

    return v && qemu_parse_bool(v, &on) && on;
}

/* One JSON scalar as the string the key=value form would have. */
static char *keyval_json_scalar(const char *key, JsonNode *node,
                                Error **errp)
{
    if (JSON_NODE_HOLDS_VALUE(node)) {
        switch (json_node_get_value_type(node)) {
        case G_TYPE_STRING:
            return g_strdup(json_node_get_string(node));
        case G_TYPE_INT64:
            return g_strdup_printf("%" PRId64, json_node_get_int(node));
        case G_TYPE_BOOLEAN:
            return g_strdup(json_node_get_boolean(node) ? "on" : "off");
        default:
            break;
        }
    }
    error_setg(errp, "'%s': only strings, integers and booleans are "
               "supported here", key);
    return NULL;
}

GHashTable *keyval_parse_any(const char *str, const char *implied_key,
                             Error **errp)
{
    g_autoptr(JsonParser) parser = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GHashTable) opts = NULL;
    g_autoptr(GList) members = NULL;
    JsonObject *obj;
    JsonNode *root;
    GList *l;

    if (str[0] != '{') {
        return keyval_parse(str, implied_key, errp);
    }
    parser = json_parser_new();
    if (!json_parser_load_from_data(parser, str, -1, &gerr)) {
        error_setg(errp, "JSON parse error: %s", gerr->message);
        return NULL;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        error_setg(errp, "the JSON form must be an object");
        return NULL;
    }
    obj = json_node_get_object(root);
    opts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    members = json_object_get_members(obj);
    for (l = members; l; l = l->next) {
        char *v = keyval_json_scalar(l->data,
                                     json_object_get_member(obj, l->data),
                                     errp);

        if (!v) {
            return NULL;
        }
        g_hash_table_replace(opts, g_strdup(l->data), v);
    }
    return g_steal_pointer(&opts);
}
