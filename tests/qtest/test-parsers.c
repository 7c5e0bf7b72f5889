/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The option-string parser (keyval) and the QMP input splitter
 * (json-stream) in-process: escapes, implied keys and flags; framing
 * of split, batched, nested and hostile JSON input.
 */
#include "qemu/osdep.h"
#include "system/json-stream.h"
#include "system/json-writer.h"
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

/* Collected output: "T:<json>" or "E:<error>" per emitted item. */
static void collect(void *opaque, JsonNode *root, const char *error)
{
    GPtrArray *out = opaque;

    if (error) {
        g_assert_null(root);
        g_ptr_array_add(out, g_strdup_printf("E:%s", error));
    } else {
        g_autofree char *text = json_write_node(root);

        g_ptr_array_add(out, g_strdup_printf("T:%s", text));
        json_node_unref(root);
    }
}

static GPtrArray *split_len(const char *input, size_t len, size_t max_len,
                            unsigned depth)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    JsonStream *js = json_stream_new(max_len, depth, collect, out);
    size_t i;

    /* Byte by byte: framing must not depend on how reads fall. */
    for (i = 0; i < len; i++) {
        json_stream_feed(js, (const uint8_t *)input + i, 1);
    }
    json_stream_free(js);
    return out;
}

static GPtrArray *split(const char *input, size_t max_len, unsigned depth)
{
    return split_len(input, strlen(input), max_len, depth);
}

/* "E" matches any error, "E:..." that exact one. */
static void assert_items(GPtrArray *out, const char *const *want)
{
    unsigned i;

    for (i = 0; want[i]; i++) {
        g_assert_cmpuint(i, <, out->len);
        if (!strcmp(want[i], "E")) {
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
        "T:{\"a\": \"}{\\\"\"}", "T:[1, {\"b\": []}]",
        "T:{\"q\": \"}\"}", NULL,
    };

    assert_items(split("  {\"a\": \"}{\\\"\"}[1,{\"b\":[]}]\r\n"
                       "{'q': '}'}", 1024, 8), want);
}

static void test_stream_scalars_and_syntax_errors(void)
{
    const char *const want[] = {
        "E:JSON parse error, invalid keyword 'nonsense'",
        "E:JSON parse error, expecting value", "T:42", "T:\"str\"",
        "T:{}", "E:JSON parse error, expecting value", "T:true", NULL,
    };

    assert_items(split("nonsense } 42\n\"str\"{}{]true ", 1024, 8), want);
}

/* QEMU's lexer: a stray byte is reported at once, then resync. */
static void test_stream_stray_bytes_reported_at_once(void)
{
    const char *const ff_want[] = {
        "E:JSON parse error, stray '\xff'", "T:{\"ok\": 1}", NULL,
    };
    const char *const pct_want[] = {
        "E:JSON parse error, stray '%'", "T:[1]", NULL,
    };
    const char *const nl_want[] = {
        "E:JSON parse error, stray '\"abc\n'", "T:{\"ok\": 2}", NULL,
    };
    const char *const sq_want[] = {
        "E:JSON parse error, stray ''\n'", "T:[3]", NULL,
    };

    assert_items(split("{\xff\n{\"ok\": 1}", 1024, 8), ff_want);
    /* Skipped up to the next structural character, here '['. */
    assert_items(split("%junk[1]", 1024, 8), pct_want);
    assert_items(split("{\"open\": \"abc\n{\"ok\":2}", 1024, 8), nl_want);
    /* The error ends the token; what follows waits for a sync point. */
    assert_items(split("{'\n3 [3]", 1024, 8), sq_want);
}

static void test_stream_numbers_keep_their_value(void)
{
    const char *const want[] = {
        "T:-9223372036854775808", "T:1e+308",
        "T:1.2345678901234568e+29", "T:1.8446744073709552e+19",
        "T:1.7976931348623157e+308", NULL,
    };

    assert_items(split("-9223372036854775808 1e308 "
                       "123456789012345678901234567890 "
                       "18446744073709551615 1e999 ", 1024, 8), want);
}

static void test_writer_escapes_non_ascii(void)
{
    const char *const want[] = {
        "T:\"\\u00E9\\uD83D\\uDE00\\t\"", NULL,
    };
    const char *const bad_want[] = {
        "E:JSON parse error, invalid UTF-8 sequence in string", NULL,
    };

    assert_items(split("\"\xc3\xa9\\ud83d\\ude00\\t\"", 1024, 8), want);
    assert_items(split("\"\xc3\x28\"", 1024, 8), bad_want);
}

static void test_stream_limits_report_once_and_resync(void)
{
    const char *const long_want[] = { "E", "T:{\"ok\": 1}", NULL };
    const char *const deep_want[] = {
        "E:JSON nesting depth limit exceeded", "T:[[1]]", NULL,
    };

    /* Too long: one error, skip to the newline, carry on. */
    assert_items(split("{\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\": 1, "
                       "\"more\": [1,2,3]}\n{\"ok\":1}", 16, 8),
                 long_want);
    /* Too deep: the same. */
    assert_items(split("[[[[[[[[[[[[]]]]]]]]]]]]\n[[1]]", 1024, 4),
                 deep_want);
}

/*
 * Random input, byte by byte: whatever comes out is either an error or
 * a value whose serialization reads back as itself (valid JSON).
 */
static void test_stream_random_input_round_trips(void)
{
    static const char *const frags[] = {
        "{", "}", "[", "]", ":", ",", "\"", "'", "\\", "\\u00e9", "1e308",
        "-12", "1.5", "true", "null", "\"k\"", "\xff", "\xc3\xa9", "\n",
        "123456789012345678901234567890", "\\ud83d\\ude00", "%", " ",
    };
    unsigned round;

    for (round = 0; round < 2000; round++) {
        g_autoptr(GString) in = g_string_new(NULL);
        g_autoptr(GPtrArray) out = NULL;
        unsigned i, n = g_test_rand_int_range(1, 40);

        for (i = 0; i < n; i++) {
            if (g_test_rand_int_range(0, 4) == 0) {
                g_string_append_c(in, g_test_rand_int_range(1, 256));
            } else {
                g_string_append(in, frags[g_test_rand_int_range(
                    0, G_N_ELEMENTS(frags))]);
            }
        }
        out = split_len(in->str, in->len, 64, 8);
        for (i = 0; i < out->len; i++) {
            const char *item = out->pdata[i];
            g_autoptr(GPtrArray) again = NULL;
            g_autofree char *want = NULL;
            g_autofree char *text = NULL;

            if (item[0] == 'E') {
                continue;
            }
            /* Written output is ASCII and parses back to itself. */
            g_assert_true(g_str_is_ascii(item));
            want = g_strdup(item);
            /* A top-level number ends at the next byte: give it one. */
            text = g_strconcat(item + 2, " ", NULL);
            again = split(text, 4096, 64);
            g_assert_cmpuint(again->len, ==, 1);
            g_assert_cmpstr(again->pdata[0], ==, want);
        }
    }
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
    g_test_add_func("/json-stream/scalars-and-syntax-errors",
                    test_stream_scalars_and_syntax_errors);
    g_test_add_func("/json-stream/stray-bytes-reported-at-once",
                    test_stream_stray_bytes_reported_at_once);
    g_test_add_func("/json-stream/numbers-keep-their-value",
                    test_stream_numbers_keep_their_value);
    g_test_add_func("/json-stream/random-input-round-trips",
                    test_stream_random_input_round_trips);
    g_test_add_func("/json-writer/escapes-non-ascii",
                    test_writer_escapes_non_ascii);
    g_test_add_func("/json-stream/limits-report-once-and-resync",
                    test_stream_limits_report_once_and_resync);
    return g_test_run();
}
