/*
 * JSON output for QMP (see json-writer.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <float.h>
#include <math.h>
#include "qapi/json-writer.h"

static void json_write_u(GString *out, unsigned cp)
{
    if (cp > 0xffff) {
        /* Outside the BMP: a UTF-16 surrogate pair. */
        cp -= 0x10000;
        g_string_append_printf(out, "\\u%04X\\u%04X", 0xd800 | (cp >> 10),
                               0xdc00 | (cp & 0x3ff));
    } else {
        g_string_append_printf(out, "\\u%04X", cp);
    }
}

void json_write_string(GString *out, const char *s)
{
    const char *p = s;

    g_string_append_c(out, '"');
    while (*p) {
        unsigned char c = *p;
        gunichar cp;

        switch (c) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\b':
            g_string_append(out, "\\b");
            break;
        case '\f':
            g_string_append(out, "\\f");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                g_string_append_c(out, c);
                break;
            }
            if (c < 0x80) {
                json_write_u(out, c);
                break;
            }
            cp = g_utf8_get_char_validated(p, -1);
            if (cp == (gunichar)-1 || cp == (gunichar)-2) {
                /* Not UTF-8: one replacement character per bad byte. */
                json_write_u(out, 0xfffd);
                break;
            }
            json_write_u(out, cp);
            p = g_utf8_next_char(p);
            continue;
        }
        p++;
    }
    g_string_append_c(out, '"');
}

static void json_write_double(GString *out, double d)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    if (isnan(d)) {
        d = 0;
    } else if (isinf(d)) {
        d = d > 0 ? DBL_MAX : -DBL_MAX;
    }
    g_ascii_formatd(buf, sizeof(buf), "%.17g", d);
    g_string_append(out, buf);
}

static void json_write(GString *out, JsonNode *node)
{
    switch (json_node_get_node_type(node)) {
    case JSON_NODE_OBJECT: {
        JsonObject *obj = json_node_get_object(node);
        g_autoptr(GList) members = json_object_get_members(obj);
        GList *l;

        g_string_append_c(out, '{');
        for (l = members; l; l = l->next) {
            json_write_string(out, l->data);
            g_string_append(out, ": ");
            json_write(out, json_object_get_member(obj, l->data));
            if (l->next) {
                g_string_append(out, ", ");
            }
        }
        g_string_append_c(out, '}');
        break;
    }
    case JSON_NODE_ARRAY: {
        JsonArray *arr = json_node_get_array(node);
        unsigned i, n = json_array_get_length(arr);

        g_string_append_c(out, '[');
        for (i = 0; i < n; i++) {
            json_write(out, json_array_get_element(arr, i));
            if (i + 1 < n) {
                g_string_append(out, ", ");
            }
        }
        g_string_append_c(out, ']');
        break;
    }
    case JSON_NODE_NULL:
        g_string_append(out, "null");
        break;
    case JSON_NODE_VALUE:
        switch (json_node_get_value_type(node)) {
        case G_TYPE_INT64:
            g_string_append_printf(out, "%" PRId64, json_node_get_int(node));
            break;
        case G_TYPE_DOUBLE:
            json_write_double(out, json_node_get_double(node));
            break;
        case G_TYPE_BOOLEAN:
            g_string_append(out, json_node_get_boolean(node) ? "true"
                                                               : "false");
            break;
        case G_TYPE_STRING:
            json_write_string(out, json_node_get_string(node));
            break;
        default:
            g_string_append(out, "null");
            break;
        }
        break;
    }
}

char *json_write_node(JsonNode *node)
{
    GString *out = g_string_new(NULL);

    json_write(out, node);
    return g_string_free(out, FALSE);
}
