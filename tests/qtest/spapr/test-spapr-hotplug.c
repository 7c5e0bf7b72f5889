/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Memory hotplug on the pseries machine, from outside a real spapr-vfio
 * process (no VFIO): object-add + device_add pc-dimm, the checks that
 * refuse a DIMM and change nothing, placement, query-memory-devices,
 * the device tree, TCEs into DIMM memory, and device_del / object-del
 * refused while the memory is mapped or in use; a DIMM the guest took
 * goes when the guest releases it (libspapr-guest-drc.c).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libfdt.h>
#include <glib/gstdio.h>
#include "spapr-qtest.h"
#include "libspapr-guest.h"

#define H_PARAMETER         (-4)
#define GiB                 ((uint64_t)1 << 30)
#define MiB                 ((uint64_t)1 << 20)

/* Quit through QMP (orderly shutdown) and require exit 0. */
static void quit_qmp(QTestState *qts)
{
    int status = qtest_quit_qmp(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static JsonObject *G_GNUC_PRINTF(2, 0) qmpv(QTestState *qts,
                                            const char *fmt, va_list ap)
{
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);

    return qtest_qmp(qts, "%s", cmd);
}

/* A command that must succeed. */
#define qmp_ok(qts, ...) qtest_qmp_assert_success(qts, __VA_ARGS__)

/* The error text of a command that must fail (g_free it). */
static char *G_GNUC_PRINTF(2, 3) qmp_err(QTestState *qts, const char *fmt,
                                         ...)
{
    JsonObject *reply;
    char *desc;
    va_list ap;

    va_start(ap, fmt);
    reply = qmpv(qts, fmt, ap);
    va_end(ap);
    g_assert_nonnull(qtest_qmp_error_desc(reply));
    desc = g_strdup(qtest_qmp_error_desc(reply));
    json_object_unref(reply);
    return desc;
}

static void assert_err_has(QTestState *qts, const char *cmd,
                           const char *what)
{
    qtest_qmp_assert_error(qts, what, "%s", cmd);
}

static void object_add(QTestState *qts, const char *type, const char *id,
                       uint64_t size)
{
    qmp_ok(qts, "{'execute': 'object-add', 'arguments': {'qom-type': '%s', "
           "'id': '%s', 'size': %" PRIu64 "}}", type, id, size);
}

/* device_add pc-dimm; @extra is more JSON members (", 'addr': 1"). */
static char *dimm_cmd(const char *id, const char *memdev, const char *extra)
{
    return g_strdup_printf("{'execute': 'device_add', 'arguments': "
                           "{'driver': 'pc-dimm', 'id': '%s', "
                           "'memdev': '%s'%s}}", id, memdev, extra);
}

static void dimm_add(QTestState *qts, const char *id, const char *memdev,
                     const char *extra)
{
    g_autofree char *cmd = dimm_cmd(id, memdev, extra);

    qmp_ok(qts, "%s", cmd);
}

static void dimm_refused(QTestState *qts, const char *id, const char *memdev,
                         const char *extra, const char *what)
{
    g_autofree char *cmd = dimm_cmd(id, memdev, extra);

    assert_err_has(qts, cmd, what);
}

/* query-memory-devices as text, to compare before and after. */
static char *memory_devices(QTestState *qts)
{
    JsonObject *reply = qtest_qmp(qts, "{'execute': "
                                  "'query-memory-devices'}");
    JsonNode *ret = json_object_get_member(reply, "return");
    char *text;

    g_assert_nonnull(ret);
    g_assert_true(JSON_NODE_HOLDS_ARRAY(ret));
    text = json_to_string(ret, FALSE);
    json_object_unref(reply);
    return text;
}

/* Data object of the @i-th memory device (json_object_unref it). */
static JsonObject *memory_device(QTestState *qts, unsigned i,
                                 unsigned *count)
{
    JsonObject *reply = qtest_qmp(qts, "{'execute': "
                                  "'query-memory-devices'}");
    JsonArray *list = json_object_get_array_member(reply, "return");
    JsonObject *dev, *data = NULL;

    *count = json_array_get_length(list);
    if (i < *count) {
        dev = json_array_get_object_element(list, i);
        g_assert_cmpstr(json_object_get_string_member(dev, "type"), ==,
                        "dimm");
        data = json_object_ref(json_object_get_object_member(dev, "data"));
    }
    json_object_unref(reply);
    return data;
}

static char *mtree(QTestState *qts)
{
    return qtest_hmp(qts, "info mtree -f");
}

/*
 * Every refusal leaves the machine as it was: the same memory devices,
 * the same memory map.
 */
static void test_errors_change_nothing(void)
{
    QTestState *qts = qtest_init("-machine pseries -nodefaults "
                                 "-m 1G,slots=2,maxmem=2G");
    g_autofree char *before = NULL, *map_before = NULL;
    g_autofree char *after = NULL, *map_after = NULL;
    g_autofree char *one = NULL, *map_one = NULL;
    g_autofree char *cmd = NULL;

    object_add(qts, "memory-backend-ram", "m1", 256 * MiB);
    object_add(qts, "memory-backend-ram", "m2", 256 * MiB);
    object_add(qts, "memory-backend-ram", "m3", 512 * MiB);
    object_add(qts, "memory-backend-ram", "odd", 100 * MiB);
    object_add(qts, "memory-backend-ram", "big", GiB);
    before = memory_devices(qts);
    map_before = mtree(qts);
    g_assert_cmpstr(before, ==, "[]");

    cmd = g_strdup("{'execute': 'device_add', 'arguments': "
                   "{'driver': 'pc-dimm', 'id': 'd0'}}");
    assert_err_has(qts, cmd, "'memdev' is required");
    dimm_refused(qts, "d0", "nosuch", "", "memory backend 'nosuch' not "
                 "found");
    dimm_refused(qts, "d0", "odd", "", "is not a multiple of 0x10000000");
    dimm_refused(qts, "d0", "m1", ", 'addr': 1207959552",
                 "0x48000000 is not a multiple");
    dimm_refused(qts, "d0", "m1", ", 'addr': 2147483648",
                 "outside the hotplug area [0x40000000, 0x80000000)");
    dimm_refused(qts, "d0", "m1", ", 'addr': 268435456",
                 "outside the hotplug area");
    dimm_refused(qts, "d0", "m1", ", 'slot': 2", "slot 2 is out of range");
    dimm_refused(qts, "d0", "m1", ", 'addr': 'x'", "invalid");
    {
        g_autofree char *path = NULL;
        int fd = g_file_open_tmp("spapr-hp-ro-XXXXXX", &path, NULL);

        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(ftruncate(fd, 256 * MiB), ==, 0);
        close(fd);
        qmp_ok(qts, "{'execute': 'object-add', 'arguments': {'qom-type': "
               "'memory-backend-file', 'id': 'ro', 'size': %" PRIu64 ", "
               "'mem-path': '%s', 'readonly': true}}", 256 * MiB, path);
        unlink(path);
        dimm_refused(qts, "d0", "ro", "", "memory backend 'ro' is "
                     "read-only");
    }
    after = memory_devices(qts);
    map_after = mtree(qts);
    g_assert_cmpstr(after, ==, before);
    g_assert_cmpstr(map_after, ==, map_before);

    /* One DIMM in; now the ones that clash with it. */
    dimm_add(qts, "d1", "m1", "");
    one = memory_devices(qts);
    map_one = mtree(qts);
    g_assert_cmpstr(one, !=, before);
    dimm_refused(qts, "d2", "m1", "", "memory backend 'm1' is already in "
                 "use by d1");
    dimm_refused(qts, "d2", "m2", ", 'addr': 1073741824",
                 "overlaps 'd1' at [0x40000000, 0x50000000)");
    dimm_refused(qts, "d2", "m2", ", 'slot': 0", "slot 0 is already used "
                 "by 'd1'");
    dimm_refused(qts, "d2", "big", "", "would exceed maxmem");
    dimm_refused(qts, "d1", "m2", "", "duplicate device id 'd1'");
    g_free(after);
    g_free(map_after);
    after = memory_devices(qts);
    map_after = mtree(qts);
    g_assert_cmpstr(after, ==, one);
    g_assert_cmpstr(map_after, ==, map_one);

    /* Both slots used: a third DIMM has no slot, whatever its size. */
    dimm_add(qts, "d2", "m3", "");
    dimm_refused(qts, "d3", "m2", "", "all 2 memory slots are in use");
    quit_qmp(qts);

    /* Without slots there is no hotplug at all. */
    qts = qtest_init("-machine pseries -nodefaults -m 1G");
    object_add(qts, "memory-backend-ram", "m1", 256 * MiB);
    dimm_refused(qts, "d1", "m1", "", "memory hotplug is not enabled");
    quit_qmp(qts);
}

/* maxmem reaching into the PCI windows cannot be honoured. */
static void test_maxmem_too_large(void)
{
    const char *bin = g_getenv("QTEST_SPAPR_VFIO_BINARY");
    const char *argv[] = { bin, "-machine", "pseries,dumpdtb=/dev/null",
                           "-nodefaults", "-m", "1G,slots=1,maxmem=40T",
                           NULL };
    g_autofree char *err = NULL;
    int status;

    g_assert_nonnull(bin);
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
                               NULL, &err, &status, NULL));
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_nonnull(strstr(err, "is too large: guest RAM must end below "
                            "the PCI windows"));
}

static void test_placement_and_query(void)
{
    QTestState *qts = qtest_init("-machine pseries -nodefaults "
                                 "-m 768M,slots=4,maxmem=4G "
                                 "-object memory-backend-ram,id=c0,size=256M "
                                 "-device pc-dimm,id=cold,memdev=c0");
    JsonObject *d;
    unsigned n;

    /* Boot RAM 768 MiB: the area starts right there; cold DIMM first. */
    d = memory_device(qts, 0, &n);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpstr(json_object_get_string_member(d, "id"), ==, "cold");
    g_assert_cmphex(json_object_get_int_member(d, "addr"), ==, 768 * MiB);
    g_assert_cmphex(json_object_get_int_member(d, "size"), ==, 256 * MiB);
    g_assert_cmpint(json_object_get_int_member(d, "slot"), ==, 0);
    g_assert_cmpstr(json_object_get_string_member(d, "memdev"), ==,
                    "/objects/c0");
    g_assert_false(json_object_get_boolean_member(d, "hotplugged"));
    g_assert_true(json_object_get_boolean_member(d, "hotpluggable"));
    json_object_unref(d);

    object_add(qts, "memory-backend-ram", "m1", 512 * MiB);
    object_add(qts, "memory-backend-ram", "m2", 256 * MiB);
    object_add(qts, "memory-backend-ram", "m3", 256 * MiB);
    /* explicit address and slot, leaving a hole at 1 GiB */
    dimm_add(qts, "a", "m1", ", 'addr': '0x60000000', 'slot': 3");
    /* first fit goes into the hole, first free slot */
    dimm_add(qts, "b", "m2", "");
    d = memory_device(qts, 1, &n);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpstr(json_object_get_string_member(d, "id"), ==, "b");
    g_assert_cmphex(json_object_get_int_member(d, "addr"), ==, GiB);
    g_assert_cmpint(json_object_get_int_member(d, "slot"), ==, 1);
    g_assert_true(json_object_get_boolean_member(d, "hotplugged"));
    json_object_unref(d);
    d = memory_device(qts, 2, &n);
    g_assert_cmpstr(json_object_get_string_member(d, "id"), ==, "a");
    g_assert_cmphex(json_object_get_int_member(d, "addr"), ==,
                    0x60000000);
    g_assert_cmpint(json_object_get_int_member(d, "slot"), ==, 3);
    json_object_unref(d);
    /* next: the rest of the hole, below 'a' */
    dimm_add(qts, "c", "m3", "");
    d = memory_device(qts, 2, &n);
    g_assert_cmpstr(json_object_get_string_member(d, "id"), ==, "c");
    g_assert_cmphex(json_object_get_int_member(d, "addr"), ==,
                    0x50000000);
    g_assert_cmpint(json_object_get_int_member(d, "slot"), ==, 2);
    json_object_unref(d);

    /* RAM works there, and the memory map shows each DIMM */
    qtest_writeq(qts, GiB + 8, 0x1122334455667788ULL);
    g_assert_cmphex(qtest_readq(qts, GiB + 8), ==, 0x1122334455667788ULL);
    {
        g_autofree char *map = mtree(qts);

        g_assert_nonnull(strstr(map, "0000000040000000-000000004fffffff "
                                "(prio 0, ram): m2"));
    }

    /* removing 'b' frees its range and slot for the next one */
    qmp_ok(qts, "{'execute': 'device_del', 'arguments': {'id': 'b'}}");
    json_object_unref(qtest_qmp_eventwait(qts, "DEVICE_DELETED"));
    dimm_add(qts, "b2", "m2", "");
    d = memory_device(qts, 1, &n);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpstr(json_object_get_string_member(d, "id"), ==, "b2");
    g_assert_cmphex(json_object_get_int_member(d, "addr"), ==, GiB);
    g_assert_cmpint(json_object_get_int_member(d, "slot"), ==, 1);
    json_object_unref(d);

    /* reset keeps the DIMMs and their content */
    qmp_ok(qts, "{'execute': 'system_reset'}");
    memory_device(qts, 0, &n);
    g_assert_cmpuint(n, ==, 4);
    qtest_writeq(qts, 0x50000000ULL + 16, 42);
    g_assert_cmphex(qtest_readq(qts, 0x50000000ULL + 16), ==, 42);
    quit_qmp(qts);
}

static void *dump_dtb(QTestState *qts, const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "t.dtb", NULL);
    char *blob = NULL;
    gsize len;

    qmp_ok(qts, "{'execute': 'dumpdtb', 'arguments': {'filename': '%s'}}",
           path);
    g_assert_true(g_file_get_contents(path, &blob, &len, NULL));
    unlink(path);
    g_assert_cmpint(fdt_check_header(blob), ==, 0);
    g_assert_cmpuint(fdt_totalsize(blob), ==, len);
    return blob;
}

static uint64_t fdt_u64(const fdt32_t *p)
{
    return (uint64_t)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1]);
}

static void test_device_tree(void)
{
    QTestState *qts = qtest_init("-machine pseries -nodefaults "
                                 "-m 1G,slots=4,maxmem=3G");
    g_autofree char *dir = g_dir_make_tmp("spapr-hp-XXXXXX", NULL);
    g_autofree void *blob = NULL;
    const fdt32_t *p;
    int off, len;

    blob = dump_dtb(qts, dir);
    g_assert_cmpint(fdt_path_offset(blob, "/memory@40000000"), <, 0);
    off = fdt_path_offset(blob, "/rtas");
    p = fdt_getprop(blob, off, "ibm,lrdr-capacity", &len);
    g_assert_cmpint(len, ==, 20);
    g_assert_cmphex(fdt_u64(p), ==, 3 * GiB);
    g_assert_cmphex(fdt_u64(p + 2), ==, 256 * MiB);
    g_free(blob);

    object_add(qts, "memory-backend-ram", "m1", 512 * MiB);
    dimm_add(qts, "d1", "m1", ", 'addr': '0x80000000'");
    blob = dump_dtb(qts, dir);
    off = fdt_path_offset(blob, "/memory@80000000");
    g_assert_cmpint(off, >=, 0);
    g_assert_cmpstr(fdt_getprop(blob, off, "device_type", NULL), ==,
                    "memory");
    p = fdt_getprop(blob, off, "reg", &len);
    g_assert_cmpint(len, ==, 16);
    g_assert_cmphex(fdt_u64(p), ==, 2 * GiB);
    g_assert_cmphex(fdt_u64(p + 2), ==, 512 * MiB);
    /* boot RAM unchanged */
    p = fdt_getprop(blob, fdt_path_offset(blob, "/memory@0"), "reg", &len);
    g_assert_cmphex(fdt_u64(p + 2), ==, GiB);
    g_free(blob);

    qmp_ok(qts, "{'execute': 'device_del', 'arguments': {'id': 'd1'}}");
    blob = dump_dtb(qts, dir);
    g_assert_cmpint(fdt_path_offset(blob, "/memory@80000000"), <, 0);
    quit_qmp(qts);
    rmdir(dir);
}

/*
 * TCEs may point into a DIMM only while it is plugged, and the DIMM
 * cannot go while any TCE of any window points into it.
 */
static void test_tce_and_unplug(void)
{
    QTestState *qts = qtest_init("-machine pseries -nodefaults "
                                 "-m 1G,slots=2,maxmem=2G");
    SpaprGuest *g = guest_new(qts, GiB);
    uint32_t c[] = { 0, BUID >> 32, (uint32_t)BUID, 16, 32 }, rets[4];
    const uint64_t dimm = GiB;
    uint64_t win;
    uint32_t liobn1;
    char *desc;

    g_assert_cmpint(put_tce(qts, LIOBN0, 0x1000, dimm | 3), ==,
                    H_PARAMETER);
    object_add(qts, "memory-backend-ram", "m1", 256 * MiB);
    dimm_add(qts, "d1", "m1", "");
    /* the guest takes the new memory, as Linux does on the event */
    g_assert_cmpuint(guest_drc_handle_events(g), ==, 1);
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x1000, dimm | 3), ==, 0);
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x2000,
                            (dimm + 256 * MiB - 4096) | 1), ==, 0);
    /* one past the DIMM is not RAM */
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x3000, (dimm + 256 * MiB) | 1),
                    ==, H_PARAMETER);

    desc = qmp_err(qts, "{'execute': 'device_del', 'arguments': "
                   "{'id': 'd1'}}");
    g_assert_nonnull(strstr(desc, "still mapped for DMA (TCE table "
                            "0x80000000, bus address 0x1000)"));
    g_free(desc);
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x1000, 0), ==, 0);
    desc = qmp_err(qts, "{'execute': 'device_del', 'arguments': "
                   "{'id': 'd1'}}");
    g_assert_nonnull(strstr(desc, "bus address 0x2000"));
    g_free(desc);
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x2000, 0), ==, 0);

    /* the same through a dynamic window with 64 KiB pages */
    g_assert_cmpuint(qtest_rtas_call(qts, "ibm,create-pe-dma-window", 5, c,
                                     4, rets, RTAS_BUF), ==, 0);
    g_assert_cmpint(rets[0], ==, 0);
    liobn1 = rets[1];
    win = (uint64_t)rets[2] << 32 | rets[3];
    g_assert_cmpint(put_tce(qts, liobn1, win + dimm, dimm | 3), ==, 0);
    desc = qmp_err(qts, "{'execute': 'device_del', 'arguments': "
                   "{'id': 'd1'}}");
    g_assert_nonnull(strstr(desc, "TCE table 0x80000001"));
    g_free(desc);
    /* an entry that grants nothing does not hold the memory */
    g_assert_cmpint(put_tce(qts, liobn1, win + dimm, dimm), ==, 0);
    /* the DIMM is still there after the refusals */
    qtest_writeq(qts, dimm, 7);
    g_assert_cmphex(qtest_readq(qts, dimm), ==, 7);

    /* accepted: the guest is asked, and the memory stays until then */
    qmp_ok(qts, "{'execute': 'device_del', 'arguments': {'id': 'd1'}}");
    g_assert_cmphex(qtest_readq(qts, dimm), ==, 7);
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x1000, dimm | 3), ==, 0);
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x1000, 0), ==, 0);
    /* the guest releases the block: now it goes */
    g_assert_cmpuint(guest_drc_handle_events(g), ==, 1);
    json_object_unref(qtest_qmp_eventwait(qts, "DEVICE_DELETED"));
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x1000, dimm | 3), ==,
                    H_PARAMETER);
    g_assert_cmpint(put_tce(qts, liobn1, win + dimm, dimm | 3), ==,
                    H_PARAMETER);
    guest_free(g);
    quit_qmp(qts);
}

/* An emulated device copies boot RAM into DIMM memory through TCEs. */
static void test_device_dma_into_dimm(void)
{
    QTestState *qts = qtest_init("-machine pseries -nodefaults "
                                 "-m 1G,slots=1,maxmem=2G "
                                 "-device pci-testdev-dma,id=t0,addr=1");
    uint8_t pat[4096], got[4096];
    const uint64_t dst = GiB + 0x3000;
    unsigned i;

    object_add(qts, "memory-backend-memfd", "m1", 256 * MiB);
    dimm_add(qts, "d1", "m1", "");
    for (i = 0; i < sizeof(pat); i++) {
        pat[i] = i * 7 + 1;
    }
    qtest_memwrite(qts, 0x300000, pat, sizeof(pat));
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x1000, 0x300000 | 1), ==, 0);
    g_assert_cmpint(put_tce(qts, LIOBN0, 0x2000, dst | 2), ==, 0);
    g_assert_cmphex(dma_copy(qts, 0x1000, 0x2000, sizeof(pat)), ==,
                    STATUS_DONE);
    qtest_memread(qts, dst, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), pat, sizeof(pat));
    quit_qmp(qts);
}

/* Is a memfd named @id mapped in process @pid? */
static bool memfd_mapped(pid_t pid, const char *id)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/maps", (int)pid);
    g_autofree char *maps = NULL;
    g_autofree char *needle = g_strdup_printf("/memfd:%s ", id);

    g_assert_true(g_file_get_contents(path, &maps, NULL, NULL));
    return strstr(maps, needle) != NULL;
}

/*
 * The backend cannot go while a DIMM uses it; after device_del it can,
 * and its memory is unmapped from the process.
 */
static void test_object_del(void)
{
    QTestState *qts = qtest_init("-machine pseries -nodefaults "
                                 "-m 1G,slots=2,maxmem=2G");
    pid_t pid = qtest_pid(qts);
    char *desc;

    object_add(qts, "memory-backend-memfd", "mfd1", 256 * MiB);
    dimm_add(qts, "d1", "mfd1", "");
    g_assert_true(memfd_mapped(pid, "mfd1"));
    desc = qmp_err(qts, "{'execute': 'object-del', 'arguments': "
                   "{'id': 'mfd1'}}");
    g_assert_cmpstr(desc, ==, "memory backend 'mfd1' is in use by d1");
    g_free(desc);

    qmp_ok(qts, "{'execute': 'device_del', 'arguments': {'id': 'd1'}}");
    g_assert_true(memfd_mapped(pid, "mfd1"));
    qmp_ok(qts, "{'execute': 'object-del', 'arguments': {'id': 'mfd1'}}");
    g_assert_false(memfd_mapped(pid, "mfd1"));

    /* a DIMM left plugged at quit is torn down cleanly */
    object_add(qts, "memory-backend-memfd", "mfd2", 256 * MiB);
    dimm_add(qts, "d2", "mfd2", "");
    quit_qmp(qts);
}

/* Plug and unplug show in the trace with the DIMM's id and place. */
static void test_trace_plug_unplug(void)
{
    g_autofree char *dir = g_dir_make_tmp("spapr-hotplug-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "trace.log", NULL);
    g_autofree char *text = NULL;
    QTestState *qts;

    g_assert_nonnull(dir);
    qts = qtest_initf("-machine pseries -nodefaults -m 1G,slots=2,maxmem=2G "
                      "-trace 'spapr_dimm_*,file=%s'", path);
    object_add(qts, "memory-backend-ram", "m1", 256 * MiB);
    dimm_add(qts, "d1", "m1", ", 'slot': 1");
    qmp_ok(qts, "{'execute': 'device_del', 'arguments': {'id': 'd1'}}");
    /* A refused add is not a plug. */
    dimm_refused(qts, "d2", "m1", ", 'addr': 1", "not a multiple");
    quit_qmp(qts);
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, ":spapr_dimm_plug d1 at 0x40000000 size "
                            "0x10000000 slot 1\n"));
    g_assert_nonnull(strstr(text, ":spapr_dimm_unplug d1 at 0x40000000 "
                            "size 0x10000000\n"));
    g_assert_null(strstr(text, "d2"));
    g_unlink(path);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spapr/hotplug/refusals-change-nothing",
                    test_errors_change_nothing);
    g_test_add_func("/spapr/hotplug/maxmem-beyond-pci-windows-refused",
                    test_maxmem_too_large);
    g_test_add_func("/spapr/hotplug/placement-query-and-reset",
                    test_placement_and_query);
    g_test_add_func("/spapr/hotplug/device-tree-memory-nodes",
                    test_device_tree);
    g_test_add_func("/spapr/hotplug/tce-into-dimm-and-unplug-refusal",
                    test_tce_and_unplug);
    g_test_add_func("/spapr/hotplug/emulated-dma-into-dimm",
                    test_device_dma_into_dimm);
    g_test_add_func("/spapr/hotplug/trace-plug-and-unplug",
                    test_trace_plug_unplug);
    g_test_add_func("/spapr/hotplug/object-del-after-unplug-unmaps",
                    test_object_del);
    return g_test_run();
}
