/*
 * QMP's JSON parser: one value from the tokens the streamer collected
 * (json-stream.c), as json-glib nodes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <errno.h>
#include "system/json-stream.h"

typedef struct JsonParse {
    GPtrArray *tokens;
    unsigned pos;
    char *error;
} JsonParse;

static JsonNode *json_parse_value(JsonParse *p);

static bool G_GNUC_PRINTF(2, 3) json_fail(JsonParse *p, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (!p->error) {
        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        p->error = g_strdup_printf("JSON parse error, %s", msg);
    }
    return false;
}

static JsonToken *json_peek(JsonParse *p)
{
    return p->pos < p->tokens->len ? p->tokens->pdata[p->pos] : NULL;
}

static JsonToken *json_next(JsonParse *p)
{
    JsonToken *t = json_peek(p);

    if (t) {
        p->pos++;
    }
    return t;
}

static int json_hex4(const char *s)
{
    int v = 0, i;

    for (i = 0; i < 4; i++) {
        v = v << 4 | g_ascii_xdigit_value(s[i]);
    }
    return v;
}

/* Decode a string token (quotes included); NULL after json_fail. */
static char *json_decode_string(JsonParse *p, const char *text)
{
    g_autoptr(GString) out = g_string_new(NULL);
    size_t len = strlen(text);
    const char *s = text + 1, *end = text + len - 1;

    while (s < end) {
        gunichar cp;

        if (*s != '\\') {
            g_string_append_c(out, *s++);
            continue;
        }
        s++;
        switch (*s++) {
        case 'b':
            g_string_append_c(out, '\b');
            continue;
        case 'f':
            g_string_append_c(out, '\f');
            continue;
        case 'n':
            g_string_append_c(out, '\n');
            continue;
        case 'r':
            g_string_append_c(out, '\r');
            continue;
        case 't':
            g_string_append_c(out, '\t');
            continue;
        case 'u':
            break;
        default:
            g_string_append_c(out, s[-1]);      /* " ' \ / */
            continue;
        }
        cp = json_hex4(s);
        s += 4;
        if (cp >= 0xd800 && cp < 0xdc00) {
            /* A high surrogate must have its low half next. */
            if (end - s < 6 || s[0] != '\\' || s[1] != 'u' ||
                (json_hex4(s + 2) & 0xfc00) != 0xdc00) {
                json_fail(p, "invalid UTF-16 surrogate pair in string");
                return NULL;
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (json_hex4(s + 2) -
                                                    0xdc00);
            s += 6;
        } else if (cp >= 0xdc00 && cp < 0xe000) {
            json_fail(p, "invalid UTF-16 surrogate pair in string");
            return NULL;
        }
        if (!cp) {
            /* Strings are NUL-terminated inside; refuse rather than cut. */
            json_fail(p, "\\u0000 is not supported in strings");
            return NULL;
        }
        g_string_append_unichar(out, cp);
    }
    if (!g_utf8_validate(out->str, out->len, NULL)) {
        json_fail(p, "invalid UTF-8 sequence in string");
        return NULL;
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

static JsonNode *json_parse_number(JsonToken *t)
{
    JsonNode *n = json_node_alloc();
    char *end;
    gint64 i;
    guint64 u;

    if (t->type == JSON_INTEGER) {
        errno = 0;
        i = g_ascii_strtoll(t->text, &end, 10);
        if (!errno) {
            return json_node_init_int(n, i);
        }
        /* Too big for 64 bits (or beyond int64): a double, as QEMU. */
        errno = 0;
        u = g_ascii_strtoull(t->text, &end, 10);
        if (!errno && t->text[0] != '-') {
            return json_node_init_double(n, (double)u);
        }
    }
    return json_node_init_double(n, g_ascii_strtod(t->text, NULL));
}

static JsonNode *json_parse_object(JsonParse *p)
{
    g_autoptr(JsonObject) obj = json_object_new();
    JsonToken *t = json_peek(p);

    if (t && t->type == JSON_RCURLY) {
        json_next(p);
        return json_node_init_object(json_node_alloc(), obj);
    }
    for (;;) {
        g_autofree char *key = NULL;
        JsonNode *val;

        t = json_next(p);
        if (!t || t->type != JSON_STRING) {
            /* As QEMU: a key that is no value at all is "expecting value". */
            bool is_value = t && (t->type == JSON_LCURLY ||
                                  t->type == JSON_LSQUARE ||
                                  t->type == JSON_INTEGER ||
                                  t->type == JSON_FLOAT ||
                                  t->type == JSON_KEYWORD);

            json_fail(p, is_value ? "key is not a string in object"
                                  : "expecting value");
            return NULL;
        }
        key = json_decode_string(p, t->text);
        if (!key) {
            return NULL;
        }
        t = json_next(p);
        if (!t || t->type != JSON_COLON) {
            json_fail(p, "missing ':' after key in object");
            return NULL;
        }
        val = json_parse_value(p);
        if (!val) {
            return NULL;
        }
        if (json_object_has_member(obj, key)) {
            json_node_unref(val);
            json_fail(p, "duplicate key '%s' in object", key);
            return NULL;
        }
        json_object_set_member(obj, key, val);
        t = json_next(p);
        if (t && t->type == JSON_RCURLY) {
            return json_node_init_object(json_node_alloc(), obj);
        }
        if (!t || t->type != JSON_COMMA) {
            json_fail(p, "expecting ',' or '}' in object");
            return NULL;
        }
    }
}

static JsonNode *json_parse_array(JsonParse *p)
{
    g_autoptr(JsonArray) arr = json_array_new();
    JsonToken *t = json_peek(p);

    if (t && t->type == JSON_RSQUARE) {
        json_next(p);
        return json_node_init_array(json_node_alloc(), arr);
    }
    for (;;) {
        JsonNode *val = json_parse_value(p);

        if (!val) {
            return NULL;
        }
        json_array_add_element(arr, val);
        t = json_next(p);
        if (t && t->type == JSON_RSQUARE) {
            return json_node_init_array(json_node_alloc(), arr);
        }
        if (!t || t->type != JSON_COMMA) {
            json_fail(p, "expecting ',' or ']' in array");
            return NULL;
        }
    }
}

static JsonNode *json_parse_value(JsonParse *p)
{
    JsonToken *t = json_next(p);
    g_autofree char *s = NULL;

    if (!t) {
        json_fail(p, "expecting value");
        return NULL;
    }
    switch (t->type) {
    case JSON_LCURLY:
        return json_parse_object(p);
    case JSON_LSQUARE:
        return json_parse_array(p);
    case JSON_STRING:
        s = json_decode_string(p, t->text);
        return s ? json_node_init_string(json_node_alloc(), s) : NULL;
    case JSON_INTEGER:
    case JSON_FLOAT:
        return json_parse_number(t);
    case JSON_KEYWORD:
        if (!strcmp(t->text, "true") || !strcmp(t->text, "false")) {
            return json_node_init_boolean(json_node_alloc(),
                                          t->text[0] == 't');
        }
        if (!strcmp(t->text, "null")) {
            return json_node_init_null(json_node_alloc());
        }
        json_fail(p, "invalid keyword '%s'", t->text);
        return NULL;
    default:
        json_fail(p, "expecting value");
        return NULL;
    }
}

JsonNode *json_parse_tokens(GPtrArray *tokens, char **error)
{
    JsonParse p = { .tokens = tokens };
    JsonNode *root = json_parse_value(&p);

    if (root && p.pos < tokens->len) {
        json_node_unref(root);
        root = NULL;
        json_fail(&p, "unexpected '%s' after the value",
                  ((JsonToken *)tokens->pdata[p.pos])->text);
    }
    if (!root) {
        *error = g_steal_pointer(&p.error);
        return NULL;
    }
    *error = NULL;
    return root;
}
