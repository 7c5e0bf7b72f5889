/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The pseries machine over qtest and QMP, as a guest kernel and a
 * management tool see it from outside a real spapr-vfio process: the
 * DDW sequence, hcalls, PCI config RTAS, test-device DMA, system_reset,
 * device_add/device_del, query-pci and -machine dumpdtb.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/wait.h>
#include <libfdt.h>
#include "spapr-qtest.h"

static int64_t hcall(QTestState *qts, uint64_t op, unsigned n,
                     const uint64_t *args)
{
    return qtest_hcall(qts, op, n, args, 0, NULL);
}

static void test_ddw_sequence(void)
{
    QTestState *qts = qtest_init("-machine pseries -m 2G -nodefaults");
    uint32_t q[] = { 0, BUID >> 32, (uint32_t)BUID }, rets[6];
    uint32_t c[] = { 0, BUID >> 32, (uint32_t)BUID, 16, 40 };
    uint32_t r;

    g_assert_cmpint(rtas(qts, "ibm,query-pe-dma-window", 3, q, 5, rets), ==,
                    0);
    g_assert_cmpuint(rets[1], ==, 1);
    g_assert_cmphex(rets[3], ==, 0x107);
    g_assert_cmpint(rtas(qts, "ibm,create-pe-dma-window", 5, c, 4, rets), ==,
                    0);
    g_assert_cmphex(rets[1], ==, 0x80000001);
    g_assert_cmphex(rets[2], ==, 0x08000000);
    g_assert_cmphex(rets[3], ==, 0);
    g_assert_cmpuint(query_avail(qts), ==, 0);
    r = 0x80000001;
    g_assert_cmpint(rtas(qts, "ibm,remove-pe-dma-window", 1, &r, 1, rets),
                    ==, 0);
    r = 0x80000000;
    g_assert_cmpint(rtas(qts, "ibm,remove-pe-dma-window", 1, &r, 1, rets),
                    ==, 0);
    g_assert_cmpuint(query_avail(qts), ==, 2);
    g_assert_cmpint(rtas(qts, "ibm,reset-pe-dma-window", 3, q, 1, rets), ==,
                    0);
    g_assert_cmpuint(query_avail(qts), ==, 1);
    /* errors come back as statuses; unknown calls as H_PARAMETER */
    g_assert_cmpint(rtas(qts, "ibm,query-pe-dma-window", 3, q, 4, rets), ==,
                    -3);
    g_assert_cmpuint(qtest_rtas_call(qts, "ibm,no-such-call", 0, NULL, 0,
                                     NULL, RTAS_BUF), ==, (uint64_t)-4);
    quit(qts);
}

static void test_hcalls(void)
{
    QTestState *qts = qtest_init("-machine pseries -nodefaults");
    uint64_t args[4], out = 0;
    unsigned i;

    args[0] = LIOBN0;
    args[1] = 0x3000;
    args[2] = 0x100000 | 3;
    g_assert_cmpint(hcall(qts, H_PUT_TCE, 3, args), ==, 0);
    g_assert_cmpint(qtest_hcall(qts, H_GET_TCE, 2, args, 1, &out), ==, 0);
    g_assert_cmphex(out, ==, 0x100000 | 3);
    /* outside RAM (512 MiB), misaligned, unknown LIOBN */
    args[2] = (512ULL << 20) | 3;
    g_assert_cmpint(hcall(qts, H_PUT_TCE, 3, args), ==, -4);
    args[2] = 0x100400 | 3;
    g_assert_cmpint(hcall(qts, H_PUT_TCE, 3, args), ==, -4);
    args[0] = 0x80000005;
    g_assert_cmpint(hcall(qts, H_PUT_TCE, 3, args), ==, -4);
    g_assert_cmpint(hcall(qts, 0x9999, 0, NULL), ==, -2);

    /* 512 entries in one indirect call; 513 and a bad list refused */
    for (i = 0; i < 512; i++) {
        qtest_writeq(qts, LIST + 8 * i, (0x200000 + i * 0x1000ULL) | 3);
    }
    args[0] = LIOBN0;
    args[1] = 0x400000;
    args[2] = LIST;
    args[3] = 512;
    g_assert_cmpint(hcall(qts, H_PUT_TCE_INDIRECT, 4, args), ==, 0);
    args[1] = 0x400000 + 511 * 0x1000;
    g_assert_cmpint(qtest_hcall(qts, H_GET_TCE, 2, args, 1, &out), ==, 0);
    g_assert_cmphex(out, ==, (0x200000 + 511 * 0x1000ULL) | 3);
    args[1] = 0x800000;
    args[3] = 513;
    g_assert_cmpint(hcall(qts, H_PUT_TCE_INDIRECT, 4, args), ==, -4);
    args[2] = LIST + 8;
    args[3] = 2;
    g_assert_cmpint(hcall(qts, H_PUT_TCE_INDIRECT, 4, args), ==, -4);

    /* STUFF 0 clears */
    args[1] = 0x400000;
    args[2] = 0;
    args[3] = 512;
    g_assert_cmpint(hcall(qts, H_STUFF_TCE, 4, args), ==, 0);
    g_assert_cmpint(qtest_hcall(qts, H_GET_TCE, 2, args, 1, &out), ==, 0);
    g_assert_cmphex(out, ==, 0);
    args[3] = (1ULL << 18) + 1;
    g_assert_cmpint(hcall(qts, H_STUFF_TCE, 4, args), ==, -4);
    quit(qts);
}

static void test_config_and_dma(void)
{
    QTestState *qts = qtest_init("-machine pseries -nodefaults "
                                 "-device pci-testdev-dma,id=d0,addr=1");
    uint32_t cfg[] = { 1 << 11, BUID >> 32, (uint32_t)BUID, 4 }, rets[4];
    uint32_t c[] = { 0, BUID >> 32, (uint32_t)BUID, 16, 30 };
    uint64_t args[3], win;
    uint8_t pat[256], got[256];
    unsigned i;

    g_assert_cmpint(rtas(qts, "ibm,read-pci-config", 4, cfg, 2, rets), ==,
                    0);
    g_assert_cmphex(rets[1], ==, 0x00f51b36);
    g_assert_cmphex(bar_readl(qts, REG_ID), ==, 0x54535445);

    /* default window: bus 0x1000 -> 0x300000, 0x2000 -> 0x301000 */
    for (i = 0; i < sizeof(pat); i++) {
        pat[i] = i ^ 0x5a;
    }
    qtest_memwrite(qts, 0x300000, pat, sizeof(pat));
    args[0] = LIOBN0;
    args[1] = 0x1000;
    args[2] = 0x300000 | 1;
    g_assert_cmpint(hcall(qts, H_PUT_TCE, 3, args), ==, 0);
    args[1] = 0x2000;
    args[2] = 0x301000 | 2;
    g_assert_cmpint(hcall(qts, H_PUT_TCE, 3, args), ==, 0);
    g_assert_cmphex(dma_copy(qts, 0x1000, 0x2000, sizeof(pat)), ==,
                    STATUS_DONE);
    qtest_memread(qts, 0x301000, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), pat, sizeof(pat));
    /* a read-only TCE cannot be written through */
    g_assert_cmphex(dma_copy(qts, 0x1000, 0x1010, 16), ==,
                    STATUS_DONE | STATUS_WRITE_FAULT);

    /* a dynamic window with 64 KiB pages */
    g_assert_cmpint(rtas(qts, "ibm,create-pe-dma-window", 5, c, 4, rets),
                    ==, 0);
    win = (uint64_t)rets[2] << 32 | rets[3];
    args[0] = rets[1];
    args[1] = win + 0x300000;
    args[2] = 0x300000 | 3;
    g_assert_cmpint(hcall(qts, H_PUT_TCE, 3, args), ==, 0);
    g_assert_cmphex(dma_copy(qts, win + 0x300000, win + 0x308000, 64), ==,
                    STATUS_DONE);
    qtest_memread(qts, 0x308000, got, 64);
    g_assert_cmpmem(got, 64, pat, 64);

    /* system_reset: default window back, empty; the BAR still works */
    qtest_qmp(qts, "{'execute': 'system_reset'}");
    g_assert_cmpuint(query_avail(qts), ==, 1);
    args[0] = LIOBN0;
    args[1] = 0x1000;
    g_assert_cmpint(qtest_hcall(qts, H_GET_TCE, 2, args, 1, &args[2]), ==,
                    0);
    g_assert_cmphex(args[2], ==, 0);
    g_assert_cmphex(bar_readl(qts, REG_ID), ==, 0x54535445);
    quit(qts);
}

static JsonArray *devices_of(JsonObject *reply, unsigned bus)
{
    JsonArray *buses = json_object_get_array_member(reply, "return");

    return json_object_get_array_member(
        json_array_get_object_element(buses, bus), "devices");
}

static void test_query_pci_and_hotplug(void)
{
    QTestState *qts = qtest_init("-machine pseries -nodefaults "
                                 "-device pci-testdev,id=t0");
    JsonObject *reply, *dev, *region;
    JsonArray *regions;

    reply = qtest_qmp(qts, "{'execute': 'query-pci'}");
    g_assert_cmpuint(json_array_get_length(devices_of(reply, 0)), ==, 1);
    dev = json_array_get_object_element(devices_of(reply, 0), 0);
    g_assert_cmpstr(json_object_get_string_member(dev, "qdev_id"), ==, "t0");
    regions = json_object_get_array_member(dev, "regions");
    region = json_array_get_object_element(regions, 0);
    g_assert_cmphex(json_object_get_int_member(region, "address"), ==,
                    0x80000000);
    json_object_unref(reply);

    reply = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': "
                      "{'driver': 'pci-testdev', 'id': 'hot'}}");
    g_assert_null(qtest_qmp_error_desc(reply));
    json_object_unref(reply);
    reply = qtest_qmp(qts, "{'execute': 'query-pci'}");
    g_assert_cmpuint(json_array_get_length(devices_of(reply, 0)), ==, 2);
    dev = json_array_get_object_element(devices_of(reply, 0), 1);
    regions = json_object_get_array_member(dev, "regions");
    region = json_array_get_object_element(regions, 0);
    g_assert_cmphex(json_object_get_int_member(region, "address"), ==,
                    0x80001000);
    json_object_unref(reply);
    g_assert_cmphex(GUINT32_SWAP_LE_BE(qtest_readl(qts, BAR0 + 0x1000)), ==,
                    0x54535445);

    reply = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': "
                      "{'driver': 'spapr-pci-host-bridge', 'index': '0'}}");
    g_assert_nonnull(qtest_qmp_error_desc(reply));
    json_object_unref(reply);

    reply = qtest_qmp(qts, "{'execute': 'device_del', 'arguments': "
                      "{'id': 'hot'}}");
    g_assert_null(qtest_qmp_error_desc(reply));
    json_object_unref(reply);
    reply = qtest_qmp(qts, "{'execute': 'query-pci'}");
    g_assert_cmpuint(json_array_get_length(devices_of(reply, 0)), ==, 1);
    json_object_unref(reply);
    quit(qts);
}

static void test_dumpdtb(void)
{
    const char *bin = g_getenv("QTEST_SPAPR_VFIO_BINARY");
    g_autofree char *dir = g_dir_make_tmp("spapr-dtb-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "t.dtb", NULL);
    g_autofree char *opt = g_strdup_printf("pseries,dumpdtb=%s", path);
    g_autofree char *blob = NULL;
    const char *argv[] = { bin, "-machine", opt, "-m", "1G", "-nodefaults",
                           "-device", "pci-testdev-dma,addr=4", NULL };
    const fdt32_t *p;
    gsize len;
    int status, off, plen;

    g_assert_nonnull(bin);
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
                               NULL, NULL, &status, NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_true(g_file_get_contents(path, &blob, &len, NULL));
    unlink(path);
    rmdir(dir);
    g_assert_cmpint(fdt_check_header(blob), ==, 0);
    off = fdt_path_offset(blob, "/memory@0");
    p = fdt_getprop(blob, off, "reg", &plen);
    g_assert_cmpint(plen, ==, 16);
    g_assert_cmphex(fdt32_to_cpu(p[3]), ==, 1U << 30);
    off = fdt_path_offset(blob, "/pci@800000020000000");
    g_assert_cmpint(off, >=, 0);
    p = fdt_getprop(blob, off, "ibm,ddw-extensions", &plen);
    g_assert_cmpint(plen, ==, 12);
    g_assert_cmphex(fdt32_to_cpu(p[1]), ==, 0x2029);
    off = fdt_path_offset(blob, "/pci@800000020000000/pci1b36,f5@4");
    g_assert_cmpint(off, >=, 0);
    p = fdt_getprop(blob, off, "assigned-addresses", &plen);
    g_assert_cmpint(plen, ==, 40);
    off = fdt_path_offset(blob, "/rtas");
    p = fdt_getprop(blob, off, "ibm,query-pe-dma-window", &plen);
    g_assert_cmphex(fdt32_to_cpu(p[0]), ==, 0x2026);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spapr/qtest/ddw-observed-sequence", test_ddw_sequence);
    g_test_add_func("/spapr/qtest/tce-hcalls", test_hcalls);
    g_test_add_func("/spapr/qtest/config-dma-and-reset",
                    test_config_and_dma);
    g_test_add_func("/spapr/qtest/query-pci-and-hotplug",
                    test_query_pci_and_hotplug);
    g_test_add_func("/spapr/qtest/dumpdtb", test_dumpdtb);
    return g_test_run();
}
