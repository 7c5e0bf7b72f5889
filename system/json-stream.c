/*
 * QMP's JSON input: lexer and streamer (see json-stream.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/json-stream.h"

typedef enum JsonLexState {
    LEX_START,          /* between tokens */
    LEX_STRING,         /* inside quotes */
    LEX_ESCAPE,         /* after a backslash in a string */
    LEX_HEX,            /* in the four digits of \u */
    LEX_NUMBER,
    LEX_KEYWORD,
    LEX_RECOVER,        /* after a lexical error: find a sync point */
    LEX_SKIP_LINE,      /* after a limit error: until the newline */
} JsonLexState;

struct JsonStream {
    JsonLexState state;
    GString *tok;               /* the token being read */
    char quote;
    unsigned hex_left;
    GPtrArray *tokens;          /* JsonToken *, of the current value */
    size_t bytes;               /* their total size */
    int braces, brackets;
    size_t max_len;
    unsigned max_depth;
    JsonStreamEmit *emit;
    void *opaque;
};

static void json_token_free(gpointer p)
{
    JsonToken *t = p;

    g_free(t->text);
    g_free(t);
}

JsonStream *json_stream_new(size_t max_len, unsigned max_depth,
                            JsonStreamEmit *emit, void *opaque)
{
    JsonStream *js = g_new0(JsonStream, 1);

    js->tok = g_string_new(NULL);
    js->tokens = g_ptr_array_new_with_free_func(json_token_free);
    js->max_len = max_len;
    js->max_depth = max_depth;
    js->emit = emit;
    js->opaque = opaque;
    return js;
}

/* Drop the value being collected (not the lexer state). */
static void json_stream_drop(JsonStream *js)
{
    g_ptr_array_set_size(js->tokens, 0);
    js->bytes = 0;
    js->braces = js->brackets = 0;
}

void json_stream_reset(JsonStream *js)
{
    json_stream_drop(js);
    g_string_truncate(js->tok, 0);
    js->state = LEX_START;
}

void json_stream_free(JsonStream *js)
{
    if (js) {
        g_string_free(js->tok, TRUE);
        g_ptr_array_unref(js->tokens);
        g_free(js);
    }
}

static void json_stream_limit(JsonStream *js, const char *msg)
{
    json_stream_drop(js);
    g_string_truncate(js->tok, 0);
    js->state = LEX_SKIP_LINE;
    js->emit(js->opaque, NULL, msg);
}

/* A complete token from js->tok: collect it; parse a complete value. */
static void json_stream_token(JsonStream *js, JsonTokenType type)
{
    JsonToken *t;
    g_autofree char *error = NULL;
    JsonNode *root;

    if (type == JSON_ERROR) {
        g_autofree char *msg = g_strdup_printf("JSON parse error, stray "
                                               "'%s'", js->tok->str);

        g_string_truncate(js->tok, 0);
        json_stream_drop(js);
        js->state = LEX_RECOVER;
        js->emit(js->opaque, NULL, msg);
        return;
    }
    t = g_new(JsonToken, 1);
    t->type = type;
    t->text = g_strndup(js->tok->str, js->tok->len);
    js->bytes += js->tok->len;
    g_string_truncate(js->tok, 0);
    js->state = LEX_START;
    g_ptr_array_add(js->tokens, t);

    js->braces += type == JSON_LCURLY ? 1 : type == JSON_RCURLY ? -1 : 0;
    js->brackets += type == JSON_LSQUARE ? 1 : type == JSON_RSQUARE ? -1 : 0;
    if (js->bytes > js->max_len) {
        json_stream_limit(js, "JSON token size limit exceeded");
        return;
    }
    if (js->braces + js->brackets > (int)js->max_depth) {
        json_stream_limit(js, "JSON nesting depth limit exceeded");
        return;
    }
    /* Balanced (a whole value, or a scalar) or closed too often: parse. */
    if ((js->braces == 0 && js->brackets == 0) ||
        js->braces < 0 || js->brackets < 0) {
        root = json_parse_tokens(js->tokens, &error);
        json_stream_drop(js);
        js->emit(js->opaque, root, error);
    }
}

static bool json_is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void json_lex_start(JsonStream *js, uint8_t c)
{
    static const char structural[] = "{}[]:,";
    static const JsonTokenType types[] = {
        JSON_LCURLY, JSON_RCURLY, JSON_LSQUARE, JSON_RSQUARE, JSON_COLON,
        JSON_COMMA,
    };
    const char *s;

    if (json_is_space(c)) {
        return;
    }
    g_string_append_c(js->tok, c);
    s = c ? strchr(structural, c) : NULL;
    if (s) {
        json_stream_token(js, types[s - structural]);
    } else if (c == '"' || c == '\'') {
        /* QMP, as QEMU's parser, also takes 'single-quoted' strings. */
        js->quote = c;
        js->state = LEX_STRING;
    } else if (c == '-' || g_ascii_isdigit(c)) {
        js->state = LEX_NUMBER;
    } else if (g_ascii_isalpha(c)) {
        js->state = LEX_KEYWORD;
    } else {
        json_stream_token(js, JSON_ERROR);
    }
}

/* Is @text a JSON number?  Sets *@is_float when it has . or e. */
static bool json_number_ok(const char *p, bool *is_float)
{
    *is_float = false;
    if (*p == '-') {
        p++;
    }
    if (*p == '0') {
        p++;
    } else if (g_ascii_isdigit(*p)) {
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    } else {
        return false;
    }
    if (*p == '.') {
        *is_float = true;
        if (!g_ascii_isdigit(*++p)) {
            return false;
        }
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        *is_float = true;
        p++;
        if (*p == '+' || *p == '-') {
            p++;
        }
        if (!g_ascii_isdigit(*p)) {
            return false;
        }
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    }
    return !*p;
}

/* One byte; returns false when @c must be looked at again. */
static bool json_lex_byte(JsonStream *js, uint8_t c)
{
    bool is_float;

    switch (js->state) {
    case LEX_START:
        json_lex_start(js, c);
        return true;
    case LEX_STRING:
        g_string_append_c(js->tok, c);
        if (c < 0x20) {
            /* Raw control characters (a newline) end it as an error. */
            json_stream_token(js, JSON_ERROR);
        } else if (c == '\\') {
            js->state = LEX_ESCAPE;
        } else if (c == js->quote) {
            json_stream_token(js, JSON_STRING);
        } else if (js->tok->len > js->max_len) {
            json_stream_limit(js, "JSON token size limit exceeded");
        }
        return true;
    case LEX_ESCAPE:
        g_string_append_c(js->tok, c);
        if (c == 'u') {
            js->hex_left = 4;
            js->state = LEX_HEX;
        } else if (c && strchr("\"'\\/bfnrt", c)) {
            js->state = LEX_STRING;
        } else {
            json_stream_token(js, JSON_ERROR);
        }
        return true;
    case LEX_HEX:
        g_string_append_c(js->tok, c);
        if (!g_ascii_isxdigit(c)) {
            json_stream_token(js, JSON_ERROR);
        } else if (!--js->hex_left) {
            js->state = LEX_STRING;
        }
        return true;
    case LEX_NUMBER:
        if (g_ascii_isdigit(c) || (c && strchr("+-.eE", c))) {
            g_string_append_c(js->tok, c);
            return true;
        }
        json_stream_token(js, json_number_ok(js->tok->str, &is_float) ?
                          (is_float ? JSON_FLOAT : JSON_INTEGER) :
                          JSON_ERROR);
        return false;
    case LEX_KEYWORD:
        if (g_ascii_isalpha(c)) {
            g_string_append_c(js->tok, c);
            if (js->tok->len > 64) {
                json_stream_token(js, JSON_ERROR);
            }
            return true;
        }
        json_stream_token(js, JSON_KEYWORD);
        return false;
    case LEX_RECOVER:
        /* Structural characters, control characters but tab, 0xFE/0xFF. */
        if ((c && strchr("{}[]:,", c)) || (c < 0x20 && c != '\t') ||
            c >= 0xfe) {
            js->state = LEX_START;
            return json_is_space(c);
        }
        return true;
    case LEX_SKIP_LINE:
        if (c == '\n') {
            js->state = LEX_START;
        }
        return true;
    }
    g_assert_not_reached();
}

void json_stream_feed(JsonStream *js, const uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        while (!json_lex_byte(js, buf[i])) {
            continue;
        }
    }
}
