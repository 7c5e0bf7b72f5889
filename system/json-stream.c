/*
 * JSON stream splitter: tracks strings, escapes and nesting only; the
 * real parsing is json-glib's job.
 */
#include "qemu/osdep.h"
#include "system/json-stream.h"

typedef enum JsonStreamState {
    JS_IDLE,        /* between values, skipping whitespace */
    JS_VALUE,       /* inside an object, array or string */
    JS_TOKEN,       /* a bare word at top level (number, literal, junk) */
    JS_SKIP,        /* after a limit error, until the next newline */
} JsonStreamState;

struct JsonStream {
    JsonStreamState state;
    GString *buf;
    unsigned depth;
    char quote;                 /* in a string: its quote, else 0 */
    bool escape;
    size_t max_len;
    unsigned max_depth;
    JsonStreamEmit *emit;
    void *opaque;
};

JsonStream *json_stream_new(size_t max_len, unsigned max_depth,
                            JsonStreamEmit *emit, void *opaque)
{
    JsonStream *js = g_new0(JsonStream, 1);

    js->buf = g_string_new(NULL);
    js->max_len = max_len;
    js->max_depth = max_depth;
    js->emit = emit;
    js->opaque = opaque;
    return js;
}

void json_stream_reset(JsonStream *js)
{
    js->state = JS_IDLE;
    js->depth = 0;
    js->quote = 0;
    js->escape = false;
    g_string_truncate(js->buf, 0);
}

void json_stream_free(JsonStream *js)
{
    if (js) {
        g_string_free(js->buf, TRUE);
        g_free(js);
    }
}

static void json_stream_flush(JsonStream *js)
{
    js->emit(js->opaque, js->buf->str, js->buf->len, NULL);
    json_stream_reset(js);
}

static void json_stream_fail(JsonStream *js, const char *msg, bool at_nl)
{
    json_stream_reset(js);
    /* A newline that ended the bad value also ends the skipping. */
    js->state = at_nl ? JS_IDLE : JS_SKIP;
    js->emit(js->opaque, NULL, 0, msg);
}

static bool json_is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Characters that end a bare top-level token. */
static bool json_ends_token(uint8_t c)
{
    return json_is_space(c) || c == '{' || c == '[' || c == '"' ||
           c == '\'';
}

static void json_stream_value_byte(JsonStream *js, uint8_t c)
{
    if (js->quote) {
        if (c < 0x20) {
            /*
             * JSON forbids raw control characters in strings; failing
             * here keeps an unclosed quote from eating later requests.
             */
            json_stream_fail(js, "JSON parse error, control character "
                             "inside a string", c == '\n');
        } else if (js->escape) {
            js->escape = false;
        } else if (c == '\\') {
            js->escape = true;
        } else if (c == js->quote) {
            js->quote = 0;
            if (!js->depth) {
                json_stream_flush(js);      /* a top-level string */
            }
        }
        return;
    }
    switch (c) {
    case '"':
    case '\'':
        /* QMP, like QEMU's parser, also takes 'single-quoted' strings. */
        js->quote = c;
        break;
    case '{':
    case '[':
        if (++js->depth > js->max_depth) {
            json_stream_fail(js, "JSON nesting too deep", false);
        }
        break;
    case '}':
    case ']':
        if (!--js->depth) {
            json_stream_flush(js);
        }
        break;
    }
}

static void json_stream_start(JsonStream *js, uint8_t c)
{
    js->state = JS_VALUE;
    if (c == '{' || c == '[') {
        js->depth = 1;
    } else if (c == '"' || c == '\'') {
        js->quote = c;
    } else {
        js->state = JS_TOKEN;
    }
}

void json_stream_feed(JsonStream *js, const uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        uint8_t c = buf[i];

        switch (js->state) {
        case JS_SKIP:
            if (c == '\n') {
                js->state = JS_IDLE;
            }
            continue;
        case JS_TOKEN:
            if (json_ends_token(c)) {
                json_stream_flush(js);
                if (json_is_space(c)) {
                    continue;
                }
                break;      /* c starts the next value */
            }
            /* fall through */
        case JS_VALUE:
            if (js->buf->len >= js->max_len) {
                json_stream_fail(js, "JSON input too long", c == '\n');
                continue;
            }
            g_string_append_c(js->buf, c);
            if (js->state == JS_VALUE) {
                json_stream_value_byte(js, c);
            }
            continue;
        case JS_IDLE:
            break;
        }
        /* JS_IDLE, or a token just ended at c */
        if (json_is_space(c)) {
            continue;
        }
        g_string_append_c(js->buf, c);
        json_stream_start(js, c);
    }
}
