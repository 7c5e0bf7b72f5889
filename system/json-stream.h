/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP's JSON input, as QEMU reads it: a lexer over a byte stream with
 * no framing, a streamer that collects tokens until the outermost
 * brace or bracket closes (or a top-level scalar ends), and a parser
 * building json-glib nodes.
 *
 * Every bad input gives exactly one error, at once, and the stream
 * carries on: a lexical error ("stray" token) resets what was
 * collected and skips input up to the next structural character
 * ({ } [ ] : ,), ASCII control character other than tab, or 0xFE/0xFF;
 * a syntax error rejects the collected value only.  Numbers keep
 * their value: integers beyond 64 bits become doubles, never wrap.
 */
#ifndef SYSTEM_JSON_STREAM_H
#define SYSTEM_JSON_STREAM_H

#include "qemu/osdep.h"
#include <json-glib/json-glib.h>

typedef struct JsonStream JsonStream;

typedef enum JsonTokenType {
    JSON_LCURLY, JSON_RCURLY, JSON_LSQUARE, JSON_RSQUARE, JSON_COLON,
    JSON_COMMA, JSON_INTEGER, JSON_FLOAT, JSON_KEYWORD, JSON_STRING,
    JSON_ERROR,
} JsonTokenType;

typedef struct JsonToken {
    JsonTokenType type;
    char *text;                 /* as written, quotes included */
} JsonToken;

/*
 * Called once per value (@root, owned by the callee; @error NULL) or
 * once per error (@root NULL; @error "JSON parse error, ..." or a
 * limit message).
 */
typedef void JsonStreamEmit(void *opaque, JsonNode *root,
                            const char *error);

/* Limits: bytes collected for one value, and nesting depth. */
JsonStream *json_stream_new(size_t max_len, unsigned max_depth,
                            JsonStreamEmit *emit, void *opaque);
void json_stream_feed(JsonStream *js, const uint8_t *buf, size_t len);
/* Forget any partial value (a new peer connected). */
void json_stream_reset(JsonStream *js);
void json_stream_free(JsonStream *js);

/* The parser (json-parse.c): NULL with *@error (g_free) on failure. */
JsonNode *json_parse_tokens(GPtrArray *tokens, char **error);

#endif
