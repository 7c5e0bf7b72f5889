/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Migration between two spapr-vfio processes: a source that a guest
 * has set up (RAM contents, TCEs in the default window and in a 2^40
 * byte dynamic window, a pci-testdev-dma with registers and a done
 * DMA) is saved with QMP migrate and loaded by a second process with
 * -incoming.  The destination must show the same RAM, the same TCE
 * tables and windows, the same device state, and DMA must work there.
 * Damaged streams must be refused with the section named.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "spapr-qtest.h"

#define REG_SCRATCH         0x04
#define REG_COUNT           0x2c

#define RAM_SIZE            (256ULL << 20)
#define MACHINE_ARGS        "-m 256M -nodefaults " \
                            "-device pci-testdev-dma,id=d0,addr=1"
#define DDW_PAGE_SHIFT      16
#define DDW_WINDOW_SHIFT    40
/* The DDW maps all of RAM: 4096 TCEs of 64 KiB. */
#define DDW_ENTRIES         (RAM_SIZE >> DDW_PAGE_SHIFT)

typedef struct Setup {
    uint32_t ddw_liobn;
    uint64_t ddw_addr;
} Setup;

static char *tmpdir;

static void load_must_fail(const char *args, const char *path,
                           const char *needle);

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = seed >> 16;
    }
}

/*
 * What a guest leaves behind: data in RAM, default window entries,
 * a 2^40-byte DDW direct-mapping all RAM, device registers.
 */
static void guest_setup(QTestState *qts, Setup *st)
{
    uint32_t c[] = { 0, BUID >> 32, (uint32_t)BUID, DDW_PAGE_SHIFT,
                     DDW_WINDOW_SHIFT }, rets[4];
    g_autofree uint8_t *buf = g_malloc(64 << 10);
    uint64_t list[512];
    uint64_t i, j;

    fill_pattern(buf, 64 << 10, 1);
    qtest_bufwrite(qts, 0x300000, buf, 64 << 10);
    fill_pattern(buf, 4096, 2);
    qtest_bufwrite(qts, RAM_SIZE - 4096, buf, 4096);
    fill_pattern(buf, 4096, 3);
    qtest_bufwrite(qts, 0x8000000, buf, 4096);

    g_assert_cmpint(put_tce(qts, LIOBN0, 0x1000, 0x300000 | 1), ==, 0);
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x2000, 0x301000 | 2), ==, 0);
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x3ffff000, 0x302000 | 3), ==, 0);

    g_assert_cmpint(rtas(qts, "ibm,create-pe-dma-window", 5, c, 4, rets),
                    ==, 0);
    st->ddw_liobn = rets[1];
    st->ddw_addr = (uint64_t)rets[2] << 32 | rets[3];
    for (i = 0; i < DDW_ENTRIES; i += 512) {
        uint64_t args[4] = { st->ddw_liobn,
                             st->ddw_addr + (i << DDW_PAGE_SHIFT), LIST,
                             512 };

        for (j = 0; j < 512; j++) {
            list[j] = GUINT64_TO_BE(((i + j) << DDW_PAGE_SHIFT) | 3);
        }
        qtest_bufwrite(qts, LIST, list, sizeof(list));
        g_assert_cmpint(qtest_hcall(qts, H_PUT_TCE_INDIRECT, 4, args, 0,
                                    NULL), ==, 0);
    }
    /* The list page is guest RAM too: make it a known pattern again. */
    qtest_memset(qts, LIST, 0xa5, sizeof(list));

    bar_writel(qts, REG_SCRATCH, 0xfeedc0de);
    g_assert_cmphex(dma_copy(qts, 0x1000, 0x2000, 256), ==, STATUS_DONE);
    g_assert_cmpuint(bar_readl(qts, REG_COUNT), ==, 1);
    g_assert_cmpuint(query_avail(qts), ==, 0);
}

/* RAM checksum over everything the guest touched plus one page per MiB. */
static char *ram_checksum(QTestState *qts)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_autofree uint8_t *buf = g_malloc(64 << 10);
    char *ret;
    uint64_t a;

    qtest_bufread(qts, 0x300000, buf, 64 << 10);
    g_checksum_update(sum, buf, 64 << 10);
    qtest_bufread(qts, LIST, buf, 4096);
    g_checksum_update(sum, buf, 4096);
    for (a = 0; a < RAM_SIZE; a += 1 << 20) {
        qtest_bufread(qts, a + (1 << 20) - 4096, buf, 4096);
        g_checksum_update(sum, buf, 4096);
    }
    qtest_bufread(qts, 0x8000000, buf, 4096);
    g_checksum_update(sum, buf, 4096);
    ret = g_strdup(g_checksum_get_string(sum));
    g_checksum_free(sum);
    return ret;
}

/* Every entry the guest set, read back with H_GET_TCE, as one string. */
static char *tce_dump(QTestState *qts, const Setup *st)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    uint64_t i, v;
    char *ret;

    for (i = 0; i < 0x4000; i += 0x1000) {
        v = get_tce(qts, LIOBN0, i);
        g_checksum_update(sum, (const guchar *)&v, sizeof(v));
    }
    v = get_tce(qts, LIOBN0, 0x3ffff000);
    g_assert_cmphex(v, ==, 0x302000 | 3);
    g_checksum_update(sum, (const guchar *)&v, sizeof(v));
    for (i = 0; i < DDW_ENTRIES; i++) {
        v = get_tce(qts, st->ddw_liobn, st->ddw_addr + (i << DDW_PAGE_SHIFT));
        g_assert_cmphex(v, ==, (i << DDW_PAGE_SHIFT) | 3);
        g_checksum_update(sum, (const guchar *)&v, sizeof(v));
    }
    /* past what was mapped: empty on both sides */
    v = get_tce(qts, st->ddw_liobn,
                st->ddw_addr + (DDW_ENTRIES << DDW_PAGE_SHIFT));
    g_assert_cmphex(v, ==, 0);
    ret = g_strdup(g_checksum_get_string(sum));
    g_checksum_free(sum);
    return ret;
}

static JsonObject *qmp_return(QTestState *qts, const char *cmd)
{
    JsonObject *reply = qtest_qmp(qts, "{'execute': '%s'}", cmd);
    JsonObject *ret;

    g_assert_null(qtest_qmp_error_desc(reply));
    ret = json_object_ref(json_object_get_object_member(reply, "return"));
    json_object_unref(reply);
    return ret;
}

static const char *migrate_status(JsonObject *info)
{
    return json_object_get_string_member(info, "status");
}

static bool machine_running(QTestState *qts)
{
    g_autoptr(JsonObject) st = qmp_return(qts, "query-status");

    return json_object_get_boolean_member(st, "running");
}

static void migrate(QTestState *qts, const char *uri)
{
    g_autofree char *end = NULL;

    qtest_qmp_assert_success(qts, "{'execute': 'migrate', 'arguments': "
                             "{'uri': '%s'}}", uri);
    end = qtest_migration_wait_end(qts);
    g_assert_cmpstr(end, ==, "completed");
}

/* The flat memory views, to compare source and destination verbatim. */
static char *mtree(QTestState *qts)
{
    return qtest_hmp(qts, "info mtree -f");
}

typedef struct Snapshot {
    char *ram;
    char *tces;
    char *mtree;
} Snapshot;

static void snapshot_take(QTestState *qts, const Setup *st, Snapshot *s)
{
    s->ram = ram_checksum(qts);
    s->tces = tce_dump(qts, st);
    s->mtree = mtree(qts);
}

static void snapshot_check(QTestState *qts, const Setup *st,
                           const Snapshot *s)
{
    g_autofree char *ram = ram_checksum(qts);
    g_autofree char *tces = tce_dump(qts, st);
    g_autofree char *mt = mtree(qts);

    g_assert_cmpstr(ram, ==, s->ram);
    g_assert_cmpstr(tces, ==, s->tces);
    g_assert_cmpstr(mt, ==, s->mtree);
}

static void snapshot_free(Snapshot *s)
{
    g_free(s->ram);
    g_free(s->tces);
    g_free(s->mtree);
}

/* After load: the device kept its registers and its DMA works. */
static void check_device_and_dma(QTestState *qts, const Setup *st)
{
    uint8_t pat[512], got[512];

    g_assert_true(machine_running(qts));
    g_assert_cmphex(bar_readl(qts, REG_SCRATCH), ==, 0xfeedc0de);
    g_assert_cmpuint(bar_readl(qts, REG_COUNT), ==, 1);
    g_assert_cmpuint(query_avail(qts), ==, 0);

    /* through the restored DDW: RAM 0x300000 -> 0x400000 */
    qtest_bufread(qts, 0x300000, pat, sizeof(pat));
    g_assert_cmphex(dma_copy(qts, st->ddw_addr + 0x300000,
                             st->ddw_addr + 0x400000, sizeof(pat)), ==,
                    STATUS_DONE);
    qtest_bufread(qts, 0x400000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), pat, sizeof(pat));
    /* through the restored default window entries */
    g_assert_cmphex(dma_copy(qts, 0x1000, 0x2000, 64), ==, STATUS_DONE);
    g_assert_cmpuint(bar_readl(qts, REG_COUNT), ==, 3);
}

static void test_file_roundtrip(void)
{
    g_autofree char *path = tmp_path("file.mig");
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    QTestState *src = qtest_init(MACHINE_ARGS);
    QTestState *dst;
    g_autoptr(JsonObject) info = NULL;
    JsonObject *ram;
    Snapshot snap;
    Setup st;
    GStatBuf sb;

    guest_setup(src, &st);
    snapshot_take(src, &st, &snap);
    migrate(src, uri);

    info = qmp_return(src, "query-migrate");
    g_assert_cmpstr(migrate_status(info), ==, "completed");
    ram = json_object_get_object_member(info, "ram");
    g_assert_cmpint(json_object_get_int_member(ram, "total"), ==, RAM_SIZE);
    g_assert_cmpint(json_object_get_int_member(ram, "remaining"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(ram, "dirty-sync-count"),
                    >=, 1);
    g_assert_cmpint(json_object_get_int_member(ram, "normal"), >=, 18);
    g_assert_cmpint(g_stat(path, &sb), ==, 0);
    g_assert_cmpint(json_object_get_int_member(ram, "transferred"), ==,
                    sb.st_size);
    /*
     * 2^24 DDW entries of which 4096 are set: the stream carries those
     * (32 KiB), not the window (128 MiB of zeros).
     */
    g_assert_cmpint(sb.st_size, <, 1 << 20);
    /* The source stays stopped after a completed migration. */
    g_assert_false(machine_running(src));
    quit(src);

    dst = qtest_initf(MACHINE_ARGS " -incoming %s", uri);
    snapshot_check(dst, &st, &snap);
    check_device_and_dma(dst, &st);
    quit(dst);
    snapshot_free(&snap);
}

static void test_unix(void)
{
    g_autofree char *path = tmp_path("mig.sock");
    g_autofree char *uri = g_strdup_printf("unix:%s", path);
    QTestState *dst = qtest_initf(MACHINE_ARGS " -incoming %s", uri);
    QTestState *src = qtest_init(MACHINE_ARGS);
    JsonObject *ev;
    Snapshot snap;
    Setup st;

    /* Waiting for the source: served, but not running. */
    g_assert_false(machine_running(dst));
    guest_setup(src, &st);
    snapshot_take(src, &st, &snap);
    migrate(src, uri);
    ev = qtest_qmp_eventwait(dst, "RESUME");
    json_object_unref(ev);
    snapshot_check(dst, &st, &snap);
    check_device_and_dma(dst, &st);
    quit(src);
    quit(dst);
    snapshot_free(&snap);
}

static void test_exec(void)
{
    g_autofree char *path = tmp_path("exec.mig");
    g_autofree char *out = g_strdup_printf("exec:gzip -c > %s", path);
    QTestState *src = qtest_init(MACHINE_ARGS);
    QTestState *dst;
    Snapshot snap;
    Setup st;

    guest_setup(src, &st);
    snapshot_take(src, &st, &snap);
    migrate(src, out);
    quit(src);
    dst = qtest_initf(MACHINE_ARGS " -incoming 'exec:gzip -dc %s'", path);
    snapshot_check(dst, &st, &snap);
    check_device_and_dma(dst, &st);
    quit(dst);
    snapshot_free(&snap);
}

static void mask_7bit(uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] &= 0x7f;
    }
}

/* Where the n-th write of the dirty test goes: a distinct place each. */
static uint64_t dirty_addr(unsigned n)
{
    return (uint64_t)(n % 256) * 0x40000 + (n / 256) * 64;
}

/*
 * Writes made while the migration runs reach the destination: each
 * write is followed by query-migrate, and every write that was
 * followed by a still-running migration must be in the stream.  RAM is
 * a file of random 7-bit bytes: deflate can shrink them a little, so it
 * does not store them raw, but slowly, so the passes take a while; the
 * destination starts from a file of zeros.  RAM is one 256 MiB block;
 * its first 64 MiB are random, the rest zeros, which go fast.
 */
static void test_dirty_pages_resent(void)
{
    const size_t size = 256 << 20, rnd_size = 64 << 20;
    g_autofree char *path = tmp_path("dirty.mig");
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    g_autofree char *rnd = tmp_path("random.ram");
    g_autofree char *zero = tmp_path("zero.ram");
    g_autofree uint8_t *buf = g_malloc(size);
    g_autofree char *sargs = NULL, *dargs = NULL;
    QTestState *src, *dst;
    g_autoptr(JsonObject) info = NULL;
    unsigned n, confirmed = 0;

    memset(buf, 0, size);
    fill_pattern(buf, rnd_size, 7);
    mask_7bit(buf, rnd_size);
    g_assert_true(g_file_set_contents(rnd, (char *)buf, size, NULL));
    memset(buf, 0, size);
    g_assert_true(g_file_set_contents(zero, (char *)buf, size, NULL));
    sargs = g_strdup_printf("-m 256M -nodefaults -object memory-backend-"
                            "file,id=mem,size=256M,mem-path=%s -machine "
                            "memory-backend=mem", rnd);
    dargs = g_strdup_printf("-m 256M -nodefaults -object memory-backend-"
                            "file,id=mem,size=256M,mem-path=%s -machine "
                            "memory-backend=mem -incoming %s", zero, uri);
    src = qtest_init(sargs);
    qtest_qmp_assert_success(src, "{'execute': 'migrate', 'arguments': "
                             "{'uri': '%s'}}", uri);
    for (n = 0; n < 4096; n++) {
        g_autoptr(JsonObject) q = NULL;
        const char *status;

        qtest_writeq(src, dirty_addr(n), 0x1111000000000000ULL | n);
        q = qmp_return(src, "query-migrate");
        status = migrate_status(q);
        if (strcmp(status, "active") && strcmp(status, "setup")) {
            g_assert_cmpstr(status, ==, "completed");
            break;
        }
        confirmed = n + 1;
    }
    info = qmp_return(src, "query-migrate");
    g_assert_cmpstr(migrate_status(info), ==, "completed");
    g_test_message("%u writes during the migration, %" PRId64 " syncs",
                   confirmed, json_object_get_int_member(
                       json_object_get_object_member(info, "ram"),
                       "dirty-sync-count"));
    quit(src);

    dst = qtest_init(dargs);
    for (n = 0; n < confirmed; n++) {
        g_assert_cmphex(qtest_readq(dst, dirty_addr(n)), ==,
                        0x1111000000000000ULL | n);
    }
    /* ...and the rest of RAM is the source's, not the zero file's */
    qtest_bufread(dst, 0x3010000, buf, 4096);
    fill_pattern(buf + 4096, rnd_size, 7);
    mask_7bit(buf + 4096, rnd_size);
    g_assert_cmpmem(buf, 4096, buf + 4096 + 0x3010000, 4096);
    quit(dst);
}

/*
 * RAM the compressor cannot shrink (random bytes, stored as they are)
 * next to RAM it can (7-bit bytes, deflated) in one section: both load
 * back exactly, and the stream is not bigger than the data it holds
 * by more than its framing.
 */
static void test_incompressible_ram(void)
{
    const size_t rnd = 12 << 20, txt = 4 << 20;
    g_autofree char *path = tmp_path("rand.mig");
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    g_autofree uint8_t *buf = g_malloc(rnd + txt);
    g_autofree uint8_t *got = g_malloc(rnd + txt);
    QTestState *src = qtest_init(MACHINE_ARGS), *dst;
    GStatBuf sb;

    fill_pattern(buf, rnd + txt, 11);
    mask_7bit(buf + rnd, txt);
    qtest_bufwrite(src, 16 << 20, buf, rnd + txt);
    migrate(src, uri);
    quit(src);
    g_assert_cmpint(g_stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_size, <, rnd + txt + (256 << 10));
    dst = qtest_initf(MACHINE_ARGS " -incoming %s", uri);
    qtest_bufread(dst, 16 << 20, got, rnd + txt);
    g_assert_cmpmem(got, rnd + txt, buf, rnd + txt);
    quit(dst);
}

static uint64_t dimm_addr(QTestState *qts)
{
    JsonObject *reply = qtest_qmp(qts,
                                  "{'execute': 'query-memory-devices'}");
    JsonArray *list = json_object_get_array_member(reply, "return");
    uint64_t addr;

    g_assert_cmpuint(json_array_get_length(list), ==, 1);
    addr = json_object_get_int_member(json_object_get_object_member(
               json_array_get_object_element(list, 0), "data"), "addr");
    json_object_unref(reply);
    return addr;
}

/*
 * RAM hot-added on the source (a DIMM) travels as its own block; the
 * destination names it on its command line.  A TCE pointing into it is
 * restored and DMA through it works.
 */
static void test_hotplugged_dimm(void)
{
    g_autofree char *path = tmp_path("dimm.mig");
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    QTestState *src = qtest_init("-m 256M,slots=2,maxmem=1G -nodefaults "
                                 "-device pci-testdev-dma,id=d0,addr=1");
    QTestState *dst;
    uint8_t pat[4096], got[4096];
    uint64_t daddr;

    qtest_qmp_assert_success(src, "{'execute': 'object-add', 'arguments': "
                             "{'qom-type': 'memory-backend-ram', "
                             "'id': 'm1', 'size': %llu}}", 256ULL << 20);
    qtest_qmp_assert_success(src, "{'execute': 'device_add', 'arguments': "
                             "{'driver': 'pc-dimm', 'id': 'dimm1', "
                             "'memdev': 'm1'}}");
    daddr = dimm_addr(src);
    fill_pattern(pat, sizeof(pat), 9);
    qtest_bufwrite(src, daddr + 0x5000, pat, sizeof(pat));
    g_assert_cmpint(put_tce(src, LIOBN0, 0x7000, (daddr + 0x5000) | 3), ==,
                    0);
    migrate(src, uri);
    quit(src);

    /* Without the DIMM's memory the layout is not the source's. */
    load_must_fail("-m 256M,slots=2,maxmem=1G -nodefaults "
                   "-device pci-testdev-dma,id=d0,addr=1", path,
                   "RAM block 'm1'");
    dst = qtest_initf("-m 256M,slots=2,maxmem=1G -nodefaults "
                      "-device pci-testdev-dma,id=d0,addr=1 "
                      "-object memory-backend-ram,id=m1,size=256M "
                      "-device pc-dimm,id=dimm1,memdev=m1 -incoming %s",
                      uri);
    g_assert_cmphex(dimm_addr(dst), ==, daddr);
    qtest_bufread(dst, daddr + 0x5000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), pat, sizeof(pat));
    g_assert_cmphex(get_tce(dst, LIOBN0, 0x7000), ==, (daddr + 0x5000) | 3);
    g_assert_cmphex(dma_copy(dst, 0x7000, 0x7800, 256), ==, STATUS_DONE);
    qtest_bufread(dst, daddr + 0x5800, got, 256);
    g_assert_cmpmem(got, 256, pat, 256);
    quit(dst);
}

static void test_migrate_errors_leave_source_running(void)
{
    QTestState *src = qtest_init(MACHINE_ARGS);
    g_autoptr(JsonObject) info = NULL;

    qtest_qmp_assert_error(src, "not supported",
                           "{'execute': 'migrate', 'arguments': "
                           "{'uri': 'tcp:localhost:4444'}}");
    qtest_qmp_assert_error(src, "cannot open",
                           "{'execute': 'migrate', 'arguments': "
                           "{'uri': 'file:/nonexistent/dir/x'}}");
    qtest_qmp_assert_error(src, "cannot connect",
                           "{'execute': 'migrate', 'arguments': "
                           "{'uri': 'unix:/nonexistent/sock'}}");
    qtest_qmp_assert_error(src, "'uri'",
                           "{'execute': 'migrate', 'arguments': {}}");
    g_assert_true(machine_running(src));
    info = qmp_return(src, "query-migrate");
    g_assert_false(json_object_has_member(info, "status"));
    quit(src);
}

/* A transport that fails midway: failed, reported, the guest runs on. */
static void test_failed_transport_resumes_source(void)
{
    QTestState *src = qtest_init(MACHINE_ARGS);
    g_autoptr(JsonObject) info = NULL;
    g_autofree char *end = NULL;

    qtest_writeq(src, 0x100000, 0x1234);
    qtest_qmp_assert_success(src, "{'execute': 'migrate', 'arguments': "
                             "{'uri': 'exec:exit 3'}}");
    end = qtest_migration_wait_end(src);
    g_assert_cmpstr(end, ==, "failed");
    info = qmp_return(src, "query-migrate");
    g_assert_cmpstr(migrate_status(info), ==, "failed");
    g_assert_true(json_object_has_member(info, "error-desc"));
    g_test_message("%s", json_object_get_string_member(info, "error-desc"));
    g_assert_true(machine_running(src));
    g_assert_cmphex(qtest_readq(src, 0x100000), ==, 0x1234);
    /* and it can migrate again */
    {
        g_autofree char *path = tmp_path("again.mig");
        g_autofree char *uri = g_strdup_printf("file:%s", path);

        migrate(src, uri);
    }
    quit(src);
}

/*
 * unix: has a return path: a destination that cannot load the stream
 * (a machine that is not the source's) says why before it exits 1, and
 * the source fails with that reason and runs on instead of completing.
 */
static void test_unix_destination_failure_resumes_source(void)
{
    g_autofree char *path = tmp_path("refuse.sock");
    g_autofree char *uri = g_strdup_printf("unix:%s", path);
    QTestState *dst = qtest_initf("-m 512M -nodefaults "
                                  "-device pci-testdev-dma,addr=1 "
                                  "-incoming %s", uri);
    QTestState *src = qtest_init(MACHINE_ARGS);
    g_autoptr(JsonObject) info = NULL;
    g_autofree char *end = NULL;
    const char *desc;
    int status;

    qtest_writeq(src, 0x100000, 0x1234);
    qtest_qmp_assert_success(src, "{'execute': 'migrate', 'arguments': "
                             "{'uri': '%s'}}", uri);
    end = qtest_migration_wait_end(src);
    g_assert_cmpstr(end, ==, "failed");
    info = qmp_return(src, "query-migrate");
    desc = json_object_get_string_member(info, "error-desc");
    g_test_message("%s", desc);
    g_assert_nonnull(strstr(desc, "the destination failed: load of "
                            "migration failed"));
    g_assert_nonnull(strstr(desc, "RAM block 'ppc_spapr.ram'"));
    g_assert_true(machine_running(src));
    g_assert_cmphex(qtest_readq(src, 0x100000), ==, 0x1234);
    /* The destination said so before it went: its stderr has it. */
    g_assert_nonnull(strstr(qtest_stderr(dst), "RAM block 'ppc_spapr.ram'"));
    status = qtest_wait_exit(dst);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    quit(src);
}

/*
 * A destination played by the test: it reads the stream to its end
 * marker, then answers @reply (NULL: closes without a word), so each
 * verdict the source can get is tried without a second machine.
 */
typedef struct FakeDest {
    int listen_fd;
    const char *reply;          /* "": none, wait for the source to close */
    gint at_end;                /* the end marker is read */
} FakeDest;

static void fake_read(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);

        g_assert_cmpint(n, >, 0);
        p += n;
        len -= n;
    }
}

static void fake_skip(int fd, size_t len)
{
    uint8_t buf[65536];

    while (len) {
        size_t n = MIN(len, sizeof(buf));

        fake_read(fd, buf, n);
        len -= n;
    }
}

static uint32_t fake_be32(int fd)
{
    uint8_t b[4];

    fake_read(fd, b, 4);
    return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

static gpointer fake_dest_run(gpointer opaque)
{
    FakeDest *f = opaque;
    int fd = accept(f->listen_fd, NULL, NULL);
    uint8_t tag, n;

    g_assert_cmpint(fd, >=, 0);
    fake_skip(fd, 12);                  /* magic, version */
    for (;;) {
        fake_read(fd, &tag, 1);
        if (tag == 'E') {
            fake_be32(fd);
            break;
        }
        g_assert_cmpint(tag, ==, 'S');
        fake_read(fd, &n, 1);           /* name */
        fake_skip(fd, n);
        fake_read(fd, &n, 1);           /* instance */
        fake_skip(fd, n);
        fake_skip(fd, 8);               /* version, raw length */
        /* stored length, then the CRC and the stored bytes */
        fake_skip(fd, fake_be32(fd) + 4);
    }
    g_atomic_int_set(&f->at_end, 1);
    if (f->reply && !*f->reply) {
        g_assert_cmpint(read(fd, &tag, 1), ==, 0);
    } else if (f->reply) {
        g_assert_cmpint(write(fd, f->reply, strlen(f->reply)), ==,
                        strlen(f->reply));
    }
    close(fd);
    return NULL;
}

/*
 * Migrate to a fake destination answering @reply; the end status.  With
 * @cancel, migrate_cancel once the whole stream is there.
 */
static char *migrate_to_fake(QTestState *src, const char *name,
                             const char *reply, bool cancel)
{
    g_autofree char *path = tmp_path(name);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    FakeDest f = { .reply = reply };
    GThread *t;
    char *end;

    f.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(f.listen_fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    unlink(path);
    g_assert_cmpint(bind(f.listen_fd, (struct sockaddr *)&sa,
                         sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(f.listen_fd, 1), ==, 0);
    t = g_thread_new("fake-dest", fake_dest_run, &f);
    qtest_qmp_assert_success(src, "{'execute': 'migrate', 'arguments': "
                             "{'uri': 'unix:%s'}}", path);
    if (cancel) {
        g_autoptr(JsonObject) info = NULL;

        while (!g_atomic_int_get(&f.at_end)) {
            g_usleep(10000);
        }
        /* All sent, no verdict: the source waits, still active. */
        info = qmp_return(src, "query-migrate");
        g_assert_cmpstr(migrate_status(info), ==, "active");
        g_assert_false(machine_running(src));
        qtest_qmp_assert_success(src, "{'execute': 'migrate_cancel'}");
    }
    end = qtest_migration_wait_end(src);
    g_thread_join(t);
    close(f.listen_fd);
    unlink(path);
    return end;
}

/* A verdict that is not "ok": failed with what it said, running. */
static void verdict_must_fail(const char *reply, const char *what)
{
    QTestState *src = qtest_init(MACHINE_ARGS);
    g_autoptr(JsonObject) info = NULL;
    g_autofree char *end = NULL;
    const char *desc;

    qtest_writeq(src, 0x100000, 0x1234);
    end = migrate_to_fake(src, "verdict.sock", reply, false);
    g_assert_cmpstr(end, ==, "failed");
    info = qmp_return(src, "query-migrate");
    desc = json_object_get_string_member(info, "error-desc");
    if (!strstr(desc, what)) {
        g_error("error-desc '%s' does not name '%s'", desc, what);
    }
    g_assert_true(machine_running(src));
    g_assert_cmphex(qtest_readq(src, 0x100000), ==, 0x1234);
    quit(src);
}

static void test_unix_verdicts(void)
{
    QTestState *src = qtest_init(MACHINE_ARGS);
    g_autofree char *end = migrate_to_fake(src, "ok.sock", "ok\n", false);

    /* "ok": completed, and the source stays stopped. */
    g_assert_cmpstr(end, ==, "completed");
    g_assert_false(machine_running(src));
    quit(src);

    verdict_must_fail("failed: no room for it\n",
                      "the destination failed: no room for it");
    verdict_must_fail(NULL, "the destination closed the connection "
                      "without a verdict");
    verdict_must_fail("what?\n", "unknown verdict 'what?'");
}

/* Cancelled while it waits for the verdict: cancelled, running again. */
static void test_unix_cancel_waiting_for_verdict(void)
{
    QTestState *src = qtest_init(MACHINE_ARGS);
    g_autofree char *end = NULL;

    qtest_writeq(src, 0x100000, 0x1234);
    end = migrate_to_fake(src, "wait.sock", "", true);
    g_assert_cmpstr(end, ==, "cancelled");
    g_assert_true(machine_running(src));
    g_assert_cmphex(qtest_readq(src, 0x100000), ==, 0x1234);
    quit(src);
}

/* Cancel while RAM is being sent: cancelled, the guest runs on. */
static void test_cancel_resumes_source(void)
{
    g_autofree char *path = tmp_path("cancel.mig");
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    QTestState *src = qtest_init("-m 4G -nodefaults");
    g_autoptr(JsonObject) info = NULL;
    g_autofree char *end = NULL;

    qtest_qmp_assert_success(src, "{'execute': 'migrate', 'arguments': "
                             "{'uri': '%s'}}", uri);
    qtest_qmp_assert_success(src, "{'execute': 'migrate_cancel'}");
    end = qtest_migration_wait_end(src);
    info = qmp_return(src, "query-migrate");
    g_assert_cmpstr(migrate_status(info), ==, end);
    if (!strcmp(end, "completed")) {
        /* 4 GiB went out before the cancel was read: nothing to undo. */
        g_test_message("the migration completed before the cancel");
    } else {
        g_assert_cmpstr(end, ==, "cancelled");
        g_assert_true(machine_running(src));
    }
    quit(src);
}

/* --------------------------------------------------- damaged streams */

static char *good_stream;       /* a complete stream of MACHINE_ARGS */

static void make_good_stream(void)
{
    g_autofree char *uri = NULL;
    QTestState *src;
    Setup st;

    if (good_stream) {
        return;
    }
    good_stream = tmp_path("good.mig");
    uri = g_strdup_printf("file:%s", good_stream);
    src = qtest_init(MACHINE_ARGS);
    guest_setup(src, &st);
    migrate(src, uri);
    quit(src);
}

/* Run a destination on @path; it must exit 1 saying @needle. */
static void load_must_fail(const char *args, const char *path,
                           const char *needle)
{
    const char *bin = g_getenv("QTEST_SPAPR_VFIO_BINARY");
    g_autofree char *cmd = NULL, *out = NULL, *err = NULL;
    g_auto(GStrv) argv = NULL;
    GError *gerr = NULL;
    int status;

    g_assert_nonnull(bin);
    cmd = g_strdup_printf("%s %s -incoming file:%s", bin, args, path);
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &out, &err, &status, &gerr));
    g_assert_no_error(gerr);
    g_test_message("%s", err);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, "load of migration failed"));
    g_assert_nonnull(strstr(err, needle));
}

/* Offset of the payload of the first section called @name, and its size. */
static size_t find_section(const uint8_t *data, size_t len,
                           const char *name, size_t *stored)
{
    size_t pos = 12;

    while (pos < len && data[pos] == 'S') {
        size_t nlen = data[pos + 1];
        const uint8_t *nm = data + pos + 2;
        size_t ilen = data[pos + 2 + nlen];
        size_t f = pos + 3 + nlen + ilen;
        uint32_t zlen;

        memcpy(&zlen, data + f + 8, 4);
        zlen = GUINT32_FROM_BE(zlen);
        if (nlen == strlen(name) && !memcmp(nm, name, nlen)) {
            *stored = zlen;
            return f + 16;
        }
        pos = f + 16 + zlen;
    }
    g_assert_not_reached();
}

static void write_variant(const char *path, const uint8_t *data, size_t len)
{
    g_assert_true(g_file_set_contents(path, (const char *)data, len, NULL));
}

/* The bytes of the good stream, to damage a copy (g_free them). */
static uint8_t *good_stream_copy(size_t *len)
{
    uint8_t *data = NULL;

    make_good_stream();
    g_assert_true(g_file_get_contents(good_stream, (char **)&data, len,
                                      NULL));
    return data;
}

/*
 * Flip @mask in byte @at, write the stream to @path: loading it must
 * fail naming @needle.  The byte is restored afterwards.
 */
static void flip_must_fail(const char *path, uint8_t *data, size_t len,
                           size_t at, uint8_t mask, const char *needle)
{
    data[at] ^= mask;
    write_variant(path, data, len);
    load_must_fail(MACHINE_ARGS, path, needle);
    data[at] ^= mask;
}

static void test_corrupt_streams_rejected(void)
{
    g_autofree char *bad = tmp_path("bad.mig");
    g_autofree uint8_t *data = NULL;
    size_t len, off, stored;

    data = good_stream_copy(&len);

    /* a bit flipped inside the PHB's (TCE tables') payload */
    off = find_section(data, len, "spapr-pci-host-bridge", &stored);
    flip_must_fail(bad, data, len, off + stored / 2, 0x10,
                   "section 'spapr-pci-host-bridge' (phb0)");
    /* ...and inside RAM */
    off = find_section(data, len, "ram", &stored);
    flip_must_fail(bad, data, len, off + stored - 1, 0xff,
                   "section 'ram' (ppc_spapr.ram)");
    /* the device section */
    off = find_section(data, len, "pci-testdev-dma", &stored);
    flip_must_fail(bad, data, len, off, 0x01, "section 'pci-testdev-dma'");

    /* the good stream still loads (the variants were the only damage) */
    write_variant(bad, data, len);
    {
        QTestState *dst = qtest_initf(MACHINE_ARGS " -incoming file:%s",
                                      bad);

        g_assert_true(machine_running(dst));
        quit(dst);
    }
}

static void test_truncated_streams_rejected(void)
{
    g_autofree char *bad = tmp_path("trunc.mig");
    g_autofree uint8_t *data = NULL;
    size_t len, off, stored;

    data = good_stream_copy(&len);
    write_variant(bad, data, 0);
    load_must_fail(MACHINE_ARGS, bad, "stream header: truncated");
    write_variant(bad, data, 7);
    load_must_fail(MACHINE_ARGS, bad, "stream header: truncated");
    /* no end marker */
    write_variant(bad, data, len - 5);
    load_must_fail(MACHINE_ARGS, bad, "truncated");
    /* in the middle of the PHB's payload */
    off = find_section(data, len, "spapr-pci-host-bridge", &stored);
    write_variant(bad, data, off + stored / 2);
    load_must_fail(MACHINE_ARGS, bad,
                   "section 'spapr-pci-host-bridge' (phb0): truncated");
    /* in the middle of a section header */
    write_variant(bad, data, off - 6);
    load_must_fail(MACHINE_ARGS, bad,
                   "section 'spapr-pci-host-bridge' (phb0): truncated");
}

static void test_wrong_stream_rejected(void)
{
    g_autofree char *bad = tmp_path("wrong.mig");
    g_autofree uint8_t *data = NULL;
    size_t len;

    data = good_stream_copy(&len);
    data[11] = 2;
    write_variant(bad, data, len);
    load_must_fail(MACHINE_ARGS, bad, "stream header: format version 2");
    data[11] = 1;
    data[0] = 'X';
    write_variant(bad, data, len);
    load_must_fail(MACHINE_ARGS, bad, "stream header: bad magic");

    /* a machine that is not the source's */
    load_must_fail("-m 512M -nodefaults -device pci-testdev-dma,addr=1",
                   good_stream, "RAM block 'ppc_spapr.ram'");
    load_must_fail("-m 256M -nodefaults", good_stream,
                   "section 'pci-testdev-dma' (pci.0/01.0): no such "
                   "device");
    load_must_fail(MACHINE_ARGS " -device pci-testdev,addr=2", good_stream,
                   "section 'pci-testdev' (pci.0/02.0): missing");
    load_must_fail("-m 256M -nodefaults -device pci-testdev,addr=1",
                   good_stream, "the device there is a pci-testdev");
    load_must_fail("-m 256M -nodefaults -device pci-testdev-dma,addr=1 "
                   "-object memory-backend-ram,id=extra,size=64M",
                   good_stream, "RAM block 'extra' of this machine");
}

/* ---------------------------- -incoming defer, migrate-incoming */

static void wait_resume(QTestState *qts)
{
    JsonObject *ev = qtest_qmp_eventwait(qts, "RESUME");

    json_object_unref(ev);
}

/*
 * A deferred destination serves QMP stopped, refuses URIs it cannot
 * open (and stays ready for another), loads the one it accepts, then
 * refuses a second migrate-incoming.
 */
static void test_defer_file(void)
{
    g_autofree char *uri = NULL;
    QTestState *dst;
    g_autoptr(JsonObject) info = NULL;

    make_good_stream();
    uri = g_strdup_printf("file:%s", good_stream);
    dst = qtest_init(MACHINE_ARGS " -incoming defer");
    g_assert_false(machine_running(dst));
    /* nothing loaded yet: the device is as the command line built it */
    g_assert_cmphex(bar_readl(dst, REG_SCRATCH), ==, 0);

    qtest_qmp_assert_error(dst, "not supported",
                           "{'execute': 'migrate-incoming', 'arguments': "
                           "{'uri': 'tcp:localhost:4444'}}");
    qtest_qmp_assert_error(dst, "nothing after 'file:'",
                           "{'execute': 'migrate-incoming', 'arguments': "
                           "{'uri': 'file:'}}");
    qtest_qmp_assert_error(dst, "/nonexistent/x.mig",
                           "{'execute': 'migrate-incoming', 'arguments': "
                           "{'uri': 'file:/nonexistent/x.mig'}}");
    qtest_qmp_assert_error(dst, "'uri'",
                           "{'execute': 'migrate-incoming', 'arguments': "
                           "{'uri': 7}}");
    g_assert_false(machine_running(dst));
    g_assert_cmphex(bar_readl(dst, REG_SCRATCH), ==, 0);

    qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': '%s'}}", uri);
    wait_resume(dst);
    g_assert_true(machine_running(dst));
    g_assert_cmphex(bar_readl(dst, REG_SCRATCH), ==, 0xfeedc0de);
    g_assert_cmpuint(bar_readl(dst, REG_COUNT), ==, 1);
    g_assert_cmphex(get_tce(dst, LIOBN0, 0x1000), ==, 0x300000 | 1);

    qtest_qmp_assert_error(dst, "already started",
                           "{'execute': 'migrate-incoming', 'arguments': "
                           "{'uri': '%s'}}", uri);
    g_assert_true(machine_running(dst));
    /* the destination is not a source mid-migration */
    info = qmp_return(dst, "query-migrate");
    g_assert_false(json_object_has_member(info, "status"));
    quit(dst);
}

/* defer + unix: + -S: listens only once asked, loads, stays stopped. */
static void test_defer_unix_paused(void)
{
    g_autofree char *path = tmp_path("defer.sock");
    g_autofree char *uri = g_strdup_printf("unix:%s", path);
    QTestState *dst = qtest_init(MACHINE_ARGS " -S -incoming defer");
    QTestState *src = qtest_init(MACHINE_ARGS);
    Snapshot snap;
    Setup st;
    g_autofree char *status = NULL;

    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': '%s'}}", uri);
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
    guest_setup(src, &st);
    snapshot_take(src, &st, &snap);
    migrate(src, uri);
    status = qtest_migration_wait_end(dst);
    g_assert_cmpstr(status, ==, "completed");
    g_assert_false(machine_running(dst));
    /* the socket is gone once the source connected */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    snapshot_check(dst, &st, &snap);
    qtest_qmp_assert_success(dst, "{'execute': 'cont'}");
    check_device_and_dma(dst, &st);
    quit(src);
    quit(dst);
    snapshot_free(&snap);
}

/*
 * cont on a destination still waiting for its stream must not run the
 * empty machine; it runs once the stream is loaded (even with -S).
 */
static void test_defer_cont_waits_for_load(void)
{
    g_autofree char *uri = NULL;
    QTestState *dst;

    make_good_stream();
    uri = g_strdup_printf("file:%s", good_stream);
    dst = qtest_init(MACHINE_ARGS " -S -incoming defer");
    qtest_qmp_assert_success(dst, "{'execute': 'cont'}");
    g_assert_false(machine_running(dst));
    g_assert_cmphex(bar_readl(dst, REG_SCRATCH), ==, 0);
    qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': '%s'}}", uri);
    wait_resume(dst);
    g_assert_true(machine_running(dst));
    g_assert_cmphex(bar_readl(dst, REG_SCRATCH), ==, 0xfeedc0de);
    quit(dst);
}

/* Without -incoming defer there is nothing for migrate-incoming to do. */
static void test_migrate_incoming_needs_defer(void)
{
    g_autofree char *path = tmp_path("nodefer.sock");
    QTestState *qts = qtest_init(MACHINE_ARGS);

    make_good_stream();
    qtest_qmp_assert_error(qts, "-incoming defer",
                           "{'execute': 'migrate-incoming', 'arguments': "
                           "{'uri': 'file:%s'}}", good_stream);
    g_assert_true(machine_running(qts));
    g_assert_cmphex(bar_readl(qts, REG_SCRATCH), ==, 0);
    quit(qts);

    /* nor on a destination already given its URI */
    qts = qtest_initf(MACHINE_ARGS " -incoming unix:%s", path);
    qtest_qmp_assert_error(qts, "-incoming defer",
                           "{'execute': 'migrate-incoming', 'arguments': "
                           "{'uri': 'file:%s'}}", good_stream);
    g_assert_false(machine_running(qts));
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
    quit(qts);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

/* migrate-incoming @uri is accepted; the load fails: exit status 1. */
static void defer_load_must_fail(const char *uri, const char *needle)
{
    QTestState *dst = qtest_init(MACHINE_ARGS " -incoming defer");
    g_autofree char *end = NULL;
    int status;

    qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': '%s'}}", uri);
    end = qtest_migration_wait_end(dst);
    g_assert_cmpstr(end, ==, "failed");
    g_test_message("%s", qtest_stderr(dst));
    g_assert_nonnull(strstr(qtest_stderr(dst), "load of migration failed"));
    g_assert_nonnull(strstr(qtest_stderr(dst), needle));
    /* it exits by itself: a SIGTERM now could race with that exit */
    status = qtest_wait_exit(dst);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
}

/* A damaged stream or a failing command: "failed", exit status 1. */
static void test_defer_bad_stream_exits(void)
{
    g_autofree char *bad = tmp_path("defer-bad.mig");
    g_autofree char *uri = g_strdup_printf("file:%s", bad);
    g_autofree uint8_t *data = NULL;
    size_t len;

    data = good_stream_copy(&len);
    write_variant(bad, data, len - 5);
    defer_load_must_fail(uri, "truncated");
    /* the whole stream, then the command fails: its status counts */
    g_free(uri);
    uri = g_strdup_printf("exec:cat %s; exit 3", good_stream);
    defer_load_must_fail(uri, "exited with status 3");
}

static void rm_tmpdir(void)
{
    g_autoptr(GDir) dir = g_dir_open(tmpdir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *p = tmp_path(name);

        g_unlink(p);
    }
    g_rmdir(tmpdir);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("spapr-mig-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_func("/spapr/migration/file-same-ram-tces-mtree-dma",
                    test_file_roundtrip);
    g_test_add_func("/spapr/migration/unix-destination-waits-then-runs",
                    test_unix);
    g_test_add_func("/spapr/migration/exec-through-gzip", test_exec);
    g_test_add_func("/spapr/migration/writes-during-migration-arrive",
                    test_dirty_pages_resent);
    g_test_add_func("/spapr/migration/incompressible-ram-round-trip",
                    test_incompressible_ram);
    g_test_add_func("/spapr/migration/hotplugged-dimm-ram-and-tces",
                    test_hotplugged_dimm);
    g_test_add_func("/spapr/migration/bad-migrate-leaves-source-running",
                    test_migrate_errors_leave_source_running);
    g_test_add_func("/spapr/migration/failed-transport-resumes-source",
                    test_failed_transport_resumes_source);
    g_test_add_func("/spapr/migration/unix-destination-failure-resumes-source",
                    test_unix_destination_failure_resumes_source);
    g_test_add_func("/spapr/migration/unix-source-obeys-verdict",
                    test_unix_verdicts);
    g_test_add_func("/spapr/migration/unix-cancel-waiting-for-verdict",
                    test_unix_cancel_waiting_for_verdict);
    g_test_add_func("/spapr/migration/cancel-resumes-source",
                    test_cancel_resumes_source);
    g_test_add_func("/spapr/migration/corrupt-stream-names-section",
                    test_corrupt_streams_rejected);
    g_test_add_func("/spapr/migration/truncated-stream-names-section",
                    test_truncated_streams_rejected);
    g_test_add_func("/spapr/migration/wrong-version-or-machine-rejected",
                    test_wrong_stream_rejected);
    g_test_add_func("/spapr/migration/defer-cont-waits-for-load",
                    test_defer_cont_waits_for_load);
    g_test_add_func("/spapr/migration/defer-refuses-bad-uri-then-loads",
                    test_defer_file);
    g_test_add_func("/spapr/migration/defer-unix-with-S-stays-stopped",
                    test_defer_unix_paused);
    g_test_add_func("/spapr/migration/migrate-incoming-needs-defer",
                    test_migrate_incoming_needs_defer);
    g_test_add_func("/spapr/migration/defer-bad-stream-fails-exit-1",
                    test_defer_bad_stream_exits);
    ret = g_test_run();
    rm_tmpdir();
    g_free(good_stream);
    g_free(tmpdir);
    return ret;
}
