/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The qtest protocol as a libqtest client sees it: memory access
 * formats, guest (big-endian) byte order, error replies for bad input,
 * and a server that answers every line even when fed garbage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "libqtest.h"

/* Scratch guest RAM well inside the default 512 MiB. */
#define SCRATCH 0x100000ull

static QTestState *start(void)
{
    return qtest_init("-machine pseries -nodefaults");
}

static void quit_cleanly(QTestState *qts)
{
    int status = qtest_quit(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void assert_reply(QTestState *qts, const char *cmd,
                         const char *expected)
{
    g_autofree char *reply = qtest_command(qts, "%s", cmd);

    g_assert_cmpstr(reply, ==, expected);
}

static void assert_fail(QTestState *qts, const char *cmd)
{
    g_autofree char *reply = qtest_command(qts, "%s", cmd);

    g_assert_true(g_str_has_prefix(reply, "FAIL "));
}

static void test_endianness_is_big(void)
{
    QTestState *qts = start();

    assert_reply(qts, "endianness", "OK big");
    quit_cleanly(qts);
}

static void test_sized_access_is_big_endian(void)
{
    QTestState *qts = start();

    qtest_writel(qts, SCRATCH, 0x11223344);
    g_assert_cmphex(qtest_readb(qts, SCRATCH), ==, 0x11);
    g_assert_cmphex(qtest_readb(qts, SCRATCH + 3), ==, 0x44);
    g_assert_cmphex(qtest_readw(qts, SCRATCH + 2), ==, 0x3344);
    g_assert_cmphex(qtest_readl(qts, SCRATCH), ==, 0x11223344);
    qtest_writeq(qts, SCRATCH + 8, 0x0102030405060708ull);
    g_assert_cmphex(qtest_readq(qts, SCRATCH + 8), ==, 0x0102030405060708ull);
    g_assert_cmphex(qtest_readl(qts, SCRATCH + 12), ==, 0x05060708);
    qtest_writeb(qts, SCRATCH + 8, 0xaa);
    qtest_writew(qts, SCRATCH + 10, 0xbbcc);
    g_assert_cmphex(qtest_readl(qts, SCRATCH + 8), ==, 0xaa02bbcc);
    quit_cleanly(qts);
}

static void test_read_reply_has_sixteen_digits(void)
{
    QTestState *qts = start();

    qtest_writeb(qts, SCRATCH, 0x5a);
    assert_reply(qts, "readb 0x100000", "OK 0x000000000000005a");
    /* Numbers may be written in any C base. */
    assert_reply(qts, "readb 1048576", "OK 0x000000000000005a");
    assert_reply(qts, "readb 04000000", "OK 0x000000000000005a");
    quit_cleanly(qts);
}

static void test_hex_read_write_and_short_data(void)
{
    QTestState *qts = start();
    uint8_t buf[8];

    assert_reply(qts, "write 0x100000 4 0xdeadbeef", "OK");
    assert_reply(qts, "read 0x100000 4", "OK 0xdeadbeef");
    /* Short data: the rest of SIZE is zero-filled. */
    assert_reply(qts, "write 0x100000 4 0xab", "OK");
    assert_reply(qts, "read 0x100000 4", "OK 0xab000000");
    qtest_memwrite(qts, SCRATCH, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    qtest_memread(qts, SCRATCH, buf, sizeof(buf));
    g_assert_cmpmem(buf, 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    quit_cleanly(qts);
}

static void test_b64_round_trip_of_large_buffer(void)
{
    QTestState *qts = start();
    size_t size = 3 * 1024 * 1024 + 17;     /* several client chunks */
    g_autofree uint8_t *out = g_malloc(size);
    g_autofree uint8_t *in = g_malloc0(size);
    size_t i;

    for (i = 0; i < size; i++) {
        out[i] = (uint8_t)(i * 7 + (i >> 12));
    }
    qtest_bufwrite(qts, SCRATCH, out, size);
    qtest_bufread(qts, SCRATCH, in, size);
    g_assert_cmpmem(in, size, out, size);
    /* The same bytes through the hex path. */
    memset(in, 0, size);
    qtest_memread(qts, SCRATCH, in, size);
    g_assert_cmpmem(in, size, out, size);
    assert_reply(qts, "b64write 0x100000 3 AQID", "OK");
    assert_reply(qts, "b64read 0x100000 3", "OK AQID");
    quit_cleanly(qts);
}

static void test_memset_fills_exactly_the_range(void)
{
    QTestState *qts = start();
    uint8_t buf[18];
    unsigned i;

    qtest_memset(qts, SCRATCH, 0x11, sizeof(buf));
    qtest_memset(qts, SCRATCH + 1, 0xee, 16);
    qtest_memread(qts, SCRATCH, buf, sizeof(buf));
    g_assert_cmphex(buf[0], ==, 0x11);
    for (i = 1; i <= 16; i++) {
        g_assert_cmphex(buf[i], ==, 0xee);
    }
    g_assert_cmphex(buf[17], ==, 0x11);
    quit_cleanly(qts);
}

static void test_unassigned_reads_all_ones(void)
{
    QTestState *qts = start();

    /* Far above RAM and every PHB window. */
    g_assert_cmphex(qtest_readl(qts, 0x7f0000000000ull), ==, 0xffffffff);
    qtest_writel(qts, 0x7f0000000000ull, 0);
    g_assert_cmphex(qtest_readq(qts, 0x7f0000000000ull), ==, UINT64_MAX);
    quit_cleanly(qts);
}

static void test_unknown_command_names_the_word(void)
{
    QTestState *qts = start();

    assert_reply(qts, "frobnicate 1 2", "FAIL Unknown command 'frobnicate'");
    assert_reply(qts, "outb 0x3f8 0", "FAIL Unknown command 'outb'");
    assert_reply(qts, "endianness", "OK big");
    quit_cleanly(qts);
}

static void test_bad_numbers_and_argument_counts_fail(void)
{
    QTestState *qts = start();

    assert_fail(qts, "readl banana");
    assert_fail(qts, "readl 0x");
    assert_fail(qts, "readl 99999999999999999999999");
    assert_fail(qts, "readl");
    assert_fail(qts, "readl 0 0");
    assert_fail(qts, "writel 0x100000");
    assert_fail(qts, "write 0x100000 4 deadbeef");
    assert_fail(qts, "write 0x100000 2 0xzzzz");
    assert_fail(qts, "read 0 0xffffffffffffffff");
    assert_fail(qts, "memset 0x100000 4 0x100");
    assert_fail(qts, "rtas get-time-of-day x 0 1 0");
    assert_fail(qts, "hcall");
    assert_fail(qts, "");
    /* The session is intact. */
    qtest_writel(qts, SCRATCH, 0xcafef00d);
    g_assert_cmphex(qtest_readl(qts, SCRATCH), ==, 0xcafef00d);
    quit_cleanly(qts);
}

static void test_binary_and_overlong_lines_get_one_reply(void)
{
    QTestState *qts = start();
    size_t big = 5 * 1024 * 1024;
    g_autofree char *junk = g_malloc(big + 1);
    g_autofree char *reply = NULL;
    size_t i;

    /* Bytes that are not text at all, including NUL-free binary. */
    assert_fail(qts, "\x01\x02\xff\xfe\x7f readl");
    /* A line over the limit: one FAIL, then the next line works. */
    for (i = 0; i < big; i++) {
        junk[i] = 'a' + i % 26;
    }
    junk[big] = '\0';
    reply = qtest_command(qts, "%s", junk);
    g_assert_cmpstr(reply, ==, "FAIL line too long");
    assert_reply(qts, "endianness", "OK big");
    quit_cleanly(qts);
}

static void test_unknown_hcall_and_rtas_names(void)
{
    QTestState *qts = start();
    uint64_t out[2] = { 1, 1 };

    /* H_FUNCTION for an opcode nobody implements. */
    g_assert_cmpint(qtest_hcall(qts, 0x7ffc, 0, NULL, 2, out), ==, -2);
    g_assert_cmphex(out[0], ==, 0);
    /* An unknown RTAS name: OK with H_PARAMETER as unsigned 64-bit. */
    assert_reply(qts, "rtas no-such-call 0 0x100000 1 0x100000",
                 "OK 18446744073709551612");
    quit_cleanly(qts);
}

static void test_clock_step_and_set(void)
{
    QTestState *qts = start();

    assert_reply(qts, "clock_step 100", "OK 100");
    assert_reply(qts, "clock_step", "OK 100");
    assert_reply(qts, "clock_set 1000", "OK 1000");
    /* The clock does not go backwards. */
    assert_reply(qts, "clock_set 10", "OK 1000");
    quit_cleanly(qts);
}

static void test_log_records_both_directions(void)
{
    g_autofree char *dir = g_dir_make_tmp("qtest-log-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "qtest.log", NULL);
    g_autofree char *text = NULL;
    QTestState *qts;

    /* A later -qtest-log replaces libqtest's /dev/null. */
    qts = qtest_initf("-nodefaults -qtest-log %s", log);
    qtest_writel(qts, SCRATCH, 0x12345678);
    g_assert_cmphex(qtest_readl(qts, SCRATCH), ==, 0x12345678);
    quit_cleanly(qts);
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "] readl 0x100000"));
    g_assert_nonnull(strstr(text, "] OK 0x0000000012345678"));
    g_assert_nonnull(strstr(text, "[R +"));
    g_assert_nonnull(strstr(text, "[S +"));
    unlink(log);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest/endianness-is-big", test_endianness_is_big);
    g_test_add_func("/qtest/sized-access-is-big-endian",
                    test_sized_access_is_big_endian);
    g_test_add_func("/qtest/read-reply-has-sixteen-hex-digits",
                    test_read_reply_has_sixteen_digits);
    g_test_add_func("/qtest/hex-read-write-and-short-data",
                    test_hex_read_write_and_short_data);
    g_test_add_func("/qtest/b64-round-trip-of-large-buffer",
                    test_b64_round_trip_of_large_buffer);
    g_test_add_func("/qtest/memset-fills-exactly-the-range",
                    test_memset_fills_exactly_the_range);
    g_test_add_func("/qtest/unassigned-reads-all-ones",
                    test_unassigned_reads_all_ones);
    g_test_add_func("/qtest/unknown-command-names-the-word",
                    test_unknown_command_names_the_word);
    g_test_add_func("/qtest/bad-numbers-and-argument-counts-fail",
                    test_bad_numbers_and_argument_counts_fail);
    g_test_add_func("/qtest/binary-and-overlong-lines-get-one-reply",
                    test_binary_and_overlong_lines_get_one_reply);
    g_test_add_func("/qtest/unknown-hcall-and-rtas-names",
                    test_unknown_hcall_and_rtas_names);
    g_test_add_func("/qtest/clock-step-and-set", test_clock_step_and_set);
    g_test_add_func("/qtest/log-records-both-directions",
                    test_log_records_both_directions);
    return g_test_run();
}
