/*
 * The option-string parser (keyval) and the QMP input splitter
 * (json-stream) in-process: escapes, implied keys and flags; framing
 * of split, batched, nested and hostile JSON input.
 */
#include "qemu/osdep.h"
#include "system/json-stream.h"
#include "system/keyval.h"

static void test_keyval_implied_flags_and_escapes(void)
{
    g_autoptr(GHashTable) h = NULL;

    h = keyval_parse("pci-testdev,id=a,,b,server,?,x=1,x=2", "driver",
                     &error_abort);
    g_assert_cmpstr(g_hash_table_lookup(h, "driver"), ==, "pci-testdev");
    g_assert_cmpstr(g_hash_table_lookup(h, "id"), ==, "a,b");
    g_assert_cmpstr(g_hash_table_lookup(h, "server"), ==, "on");
    g_assert_true(keyval_wants_help(h));
    /* The last value of a repeated key wins. */
    g_assert_cmpstr(g_hash_table_lookup(h, "x"), ==, "2");
    g_assert_cmpuint(g_hash_table_size(h), ==, 5);
}

static void test_keyval_help_is_never_the_implied_value(void)
{
    g_autoptr(GHashTable) h = keyval_parse("help", "driver", &error_abort);
    g_autofree char *v = NULL;

    g_assert_false(g_hash_table_contains(h, "driver"));
    g_assert_true(keyval_wants_help(h));
    v = keyval_take(h, "help");
    g_assert_cmpstr(v, ==, "on");
    g_assert_false(g_hash_table_contains(h, "help"));
    g_assert_null(keyval_take(h, "help"));
}

static void test_keyval_errors(void)
{
    Error *err = NULL;

    g_assert_null(keyval_parse("a=1,,,=2", NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(keyval_parse(",a=1", NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(keyval_parse("=x", NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
}

static void test_keyval_trailing_comma_and_escaped_comma(void)
{
    g_autoptr(GHashTable) h = keyval_parse("a=1,,,", NULL, &error_abort);

    g_assert_cmpstr(g_hash_table_lookup(h, "a"), ==, "1,");
    g_assert_cmpuint(g_hash_table_size(h), ==, 1);
}

static void test_keyval_sorted_keys(void)
{
    g_autoptr(GHashTable) h = keyval_parse("c=1,a=2,b=3", NULL,
                                           &error_abort);
    g_autoptr(GList) keys = keyval_sorted_keys(h);

    g_assert_cmpstr(keys->data, ==, "a");
    g_assert_cmpstr(keys->next->data, ==, "b");
    g_assert_cmpstr(keys->next->next->data, ==, "c");
}

/* Collected output: "T:<text>" or "E:<error>" per emitted item. */
static void collect(void *opaque, const char *text, size_t len,
                    const char *error)
{
    GPtrArray *out = opaque;

    if (error) {
        g_ptr_array_add(out, g_strdup_printf("E:%s", error));
    } else {
        g_assert_cmpuint(strlen(text), ==, len);
        g_ptr_array_add(out, g_strdup_printf("T:%s", text));
    }
}

static GPtrArray *split(const char *input, size_t max_len, unsigned depth)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    JsonStream *js = json_stream_new(max_len, depth, collect, out);
    size_t i, len = strlen(input);

    /* Byte by byte: framing must not depend on how reads fall. */
    for (i = 0; i < len; i++) {
        json_stream_feed(js, (const uint8_t *)input + i, 1);
    }
    json_stream_free(js);
    return out;
}

static void assert_items(GPtrArray *out, const char *const *want)
{
    unsigned i;

    for (i = 0; want[i]; i++) {
        g_assert_cmpuint(i, <, out->len);
        if (want[i][0] == 'E') {
            g_assert_true(g_str_has_prefix(out->pdata[i], "E:"));
        } else {
            g_assert_cmpstr(out->pdata[i], ==, want[i]);
        }
    }
    g_assert_cmpuint(out->len, ==, i);
    g_ptr_array_unref(out);
}

static void test_stream_objects_split_and_batched(void)
{
    const char *const want[] = {
        "T:{\"a\": \"}{\\\"\"}", "T:[1,{\"b\":[]}]", "T:{'q': '}'}", NULL,
    };

    assert_items(split("  {\"a\": \"}{\\\"\"}[1,{\"b\":[]}]\r\n"
                       "{'q': '}'}", 1024, 8), want);
}

static void test_stream_bare_tokens_become_texts(void)
{
    const char *const want[] = {
        "T:nonsense", "T:}", "T:42", "T:\"str\"", "T:{}", NULL,
    };

    assert_items(split("nonsense } 42\n\"str\"{}", 1024, 8), want);
}

static void test_stream_limits_report_once_and_resync(void)
{
    const char *const long_want[] = { "E", "T:{\"ok\":1}", NULL };
    const char *const deep_want[] = { "E", "T:[[1]]", NULL };
    const char *const ctl_want[] = { "E", "T:{\"ok\":2}", NULL };

    /* Too long: one error, skip to the newline, carry on. */
    assert_items(split("{\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\": 1, "
                       "\"more\": [1,2,3]}\n{\"ok\":1}", 16, 8),
                 long_want);
    /* Too deep: the same. */
    assert_items(split("[[[[[[[[[[[[]]]]]]]]]]]]\n[[1]]", 1024, 4),
                 deep_want);
    /* A raw newline in a string ends that request at once. */
    assert_items(split("{\"open\": \"abc\n{\"ok\":2}", 1024, 8), ctl_want);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keyval/implied-flags-and-escapes",
                    test_keyval_implied_flags_and_escapes);
    g_test_add_func("/keyval/help-is-never-the-implied-value",
                    test_keyval_help_is_never_the_implied_value);
    g_test_add_func("/keyval/errors", test_keyval_errors);
    g_test_add_func("/keyval/trailing-comma-and-escaped-comma",
                    test_keyval_trailing_comma_and_escaped_comma);
    g_test_add_func("/keyval/sorted-keys", test_keyval_sorted_keys);
    g_test_add_func("/json-stream/objects-split-and-batched",
                    test_stream_objects_split_and_batched);
    g_test_add_func("/json-stream/bare-tokens-become-texts",
                    test_stream_bare_tokens_become_texts);
    g_test_add_func("/json-stream/limits-report-once-and-resync",
                    test_stream_limits_report_once_and_resync);
    return g_test_run();
}
