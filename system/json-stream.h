/*
 * Split a byte stream into JSON texts, as QMP reads its input: no
 * framing, a value ends where its outermost brace or bracket closes.
 *
 * Garbage between values comes out as separate "texts" for the JSON
 * parser to reject, so every bad input produces exactly one error and
 * the stream carries on.  Limits keep hostile input cheap: a value
 * longer than @max_len or nested deeper than @max_depth is reported
 * once and the rest of it is skipped up to the next newline.
 */
#ifndef SYSTEM_JSON_STREAM_H
#define SYSTEM_JSON_STREAM_H

#include "qemu/osdep.h"

typedef struct JsonStream JsonStream;

/*
 * Called once per complete text (@error NULL; @text NUL-terminated at
 * @len) or once per limit violation (@text NULL, @error a message).
 */
typedef void JsonStreamEmit(void *opaque, const char *text, size_t len,
                            const char *error);

JsonStream *json_stream_new(size_t max_len, unsigned max_depth,
                            JsonStreamEmit *emit, void *opaque);
void json_stream_feed(JsonStream *js, const uint8_t *buf, size_t len);
/* Forget any partial value (a new peer connected). */
void json_stream_reset(JsonStream *js);
void json_stream_free(JsonStream *js);

#endif
