/*
 * Option string parsing: "implied,key=value,flag" with ",," escapes.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "system/keyval.h"

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
