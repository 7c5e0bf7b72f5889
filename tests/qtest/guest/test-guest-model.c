/*
 * Self-test of the guest model (libspapr-guest.h) on spapr-vfio under
 * vfio-sim: device discovery through RTAS, on-demand mapping in the
 * default window, DDW enablement and its fallback, the dma-engine
 * driver, and a clean exit report after each machine.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>
#include "libspapr-guest.h"

#define DEV_ARGS "-device vfio-pci,host=0001:00:01.0"

static void fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        seed = seed * 1103515245 + 12345;
        buf[i] = seed >> 16;
    }
}

/*
 * The machine with @ram_arg of RAM and the device on PHB @phb (0 or 1;
 * PHB 1 offers the page sizes of @pgsz), on a host of @host keys.
 */
static void setup_phb(VsimMachine **m, SpaprGuest **g, GuestDevice *dev,
                      uint64_t ram, const char *ram_arg, const char *host,
                      unsigned phb, const char *pgsz)
{
    if (phb) {
        *m = vsim_machine_start(NULL, host, "-m %s -device "
                                "spapr-pci-host-bridge,index=1,pgsz=%s "
                                DEV_ARGS ",bus=pci.1", ram_arg, pgsz);
    } else {
        *m = vsim_machine_start(NULL, host, "-m %s " DEV_ARGS, ram_arg);
    }
    g_assert_nonnull((*m)->ctl);
    *g = guest_new((*m)->qts, ram);
    g_assert_true(guest_find_device(*g, phb, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, dev));
    g_assert_cmphex(dev->bar_size[0], ==, 0x1000);
    g_assert_cmphex(dev->bar_size[2], ==, 0x10000);
    /* the second dma-engine does not exist */
    g_assert_false(guest_find_device(*g, phb, DMA_ENGINE_VENDOR,
                                     DMA_ENGINE_DEVICE, 1,
                                     &(GuestDevice){ 0 }));
}

static void setup(VsimMachine **m, SpaprGuest **g, GuestDevice *dev,
                  uint64_t ram, const char *ram_arg)
{
    setup_phb(m, g, dev, ram, ram_arg, NULL, 0, NULL);
}

static void teardown(VsimMachine *m, SpaprGuest *g)
{
    g_autoptr(JsonObject) report = NULL;

    guest_free(g);
    report = vsim_machine_quit(m);
    vsim_report_assert_clean(report);
}

/* Copy through two on-demand mappings; read-only source, checksum. */
static void test_default_window_dma(void)
{
    const size_t len = 3 * 4096 + 123;
    g_autofree uint8_t *src = g_malloc(len), *dst = g_malloc0(len);
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestWindow w;
    uint64_t a, b, ia, ib;
    DmaResult r;

    setup(&m, &g, &dev, 512ULL << 20, "512M");
    w = guest_default_window(g, &dev);
    g_assert_true(w.active);
    g_assert_cmphex(w.liobn, ==, 0x80000000);
    g_assert_cmphex(w.bus_start, ==, 0);
    g_assert_cmphex(w.size, ==, 1ULL << 30);
    g_assert_cmpuint(w.page_shift, ==, 12);

    fill_pattern(src, len, 7);
    a = guest_alloc(g, len + 100, 1);
    b = guest_alloc(g, len, 4096);
    g_assert_cmpuint(a, >=, GUEST_RESERVED);
    a += 100;       /* not page aligned: the mapping keeps the offset */
    qtest_bufwrite(m->qts, a, src, len);
    ia = guest_dma_map(g, &dev, a, len, TCE_READ);
    ib = guest_dma_map(g, &dev, b, len, TCE_RW);
    g_assert_cmpuint(ia, !=, 0);
    g_assert_cmpuint(ib, !=, 0);
    g_assert_cmphex(ia & 0xfff, ==, a & 0xfff);

    r = dma_engine_copy(g, &dev, ia, ib, len);
    g_assert_cmpuint(r.status, ==, 2);
    g_assert_cmpuint(r.done, ==, len);
    qtest_bufread(m->qts, b, dst, len);
    g_assert_cmpmem(src, len, dst, len);
    r = dma_engine_checksum(g, &dev, ib, len);
    g_assert_cmpuint(r.status, ==, 2);
    g_assert_cmphex(r.result, ==, dma_engine_fnv1a(src, len));

    /* read-only: the device may not write the source */
    r = dma_engine_fill(g, &dev, ia, 64, 0x1122334455667788ULL);
    g_assert_cmpuint(r.status, ==, 3);
    g_assert_cmpuint(r.err_kind, ==, 3);

    /* unmapped: the device faults at the first page */
    g_assert_true(guest_dma_unmap(g, &dev, ib, len));
    r = dma_engine_checksum(g, &dev, ib, len);
    g_assert_cmpuint(r.status, ==, 3);
    g_assert_cmpuint(r.err_kind, ==, 2);
    g_assert_cmphex(r.err_iova, ==, ib);
    g_assert_true(guest_dma_unmap(g, &dev, ia, len));
    g_assert_cmpuint(guest_stats(g)->tces_put, ==, 8);
    teardown(m, g);
}

/* DDW on 1 GiB: 16 MiB pages, a second window, engine copy through it. */
static void test_ddw_enable_copy(void)
{
    const uint64_t ram = 1ULL << 30, len = 4ULL << 20;
    g_autofree uint8_t *buf = g_malloc(len), *out = g_malloc(len);
    g_autoptr(JsonObject) st = NULL;
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestWindow w;
    uint64_t a, b;
    uint32_t avail, mask;
    DmaResult r;

    setup(&m, &g, &dev, ram, "1G");
    g_assert_true(guest_ddw_enable(g, &dev, 0, &w));
    g_assert_cmphex(w.liobn, ==, 0x80000001);
    g_assert_cmphex(w.bus_start, ==, 1ULL << 59);
    g_assert_cmpuint(w.page_shift, ==, 24);
    g_assert_cmphex(w.size, ==, ram);
    g_assert_cmpuint(guest_stats(g)->tces_put, ==, ram >> 24);
    g_assert_cmpint(guest_ddw_query(g, &dev, &avail, &mask), ==, 0);
    g_assert_cmpuint(avail, ==, 0);
    g_assert_cmphex(mask, ==, 0x107);

    /* the host mirrors it: one window of 1 GiB, all of it mapped */
    st = vsim_machine_state(m);
    g_assert_cmpint(json_object_get_int_member(st, "locked_bytes"), >=,
                    (gint64)ram);

    a = guest_alloc(g, len, 1 << 20);
    b = guest_alloc(g, len, 1 << 20);
    r = dma_engine_fill(g, &dev, guest_ddw_iova(&w, a), len,
                        0x0706050403020100ULL);
    g_assert_cmpuint(r.status, ==, 2);
    r = dma_engine_copy(g, &dev, guest_ddw_iova(&w, a),
                        guest_ddw_iova(&w, b), len);
    g_assert_cmpuint(r.status, ==, 2);
    qtest_bufread(m->qts, b, out, len);
    for (uint64_t i = 0; i < len; i++) {
        buf[i] = i % 8;
    }
    g_assert_cmpmem(buf, len, out, len);
    r = dma_engine_checksum(g, &dev, guest_ddw_iova(&w, b), len);
    g_assert_cmphex(r.result, ==, dma_engine_fnv1a(buf, len));

    /* remove: the default window comes back, empty and usable */
    g_assert_cmpint(guest_ddw_remove(g, w.liobn), ==, 0);
    r = dma_engine_checksum(g, &dev, guest_ddw_iova(&w, b), 64);
    g_assert_cmpuint(r.status, ==, 3);
    g_assert_cmpuint(guest_dma_map(g, &dev, b, 64, TCE_READ), !=, 0);
    teardown(m, g);
}

/*
 * 768 MiB (RAM comes in 256 MiB blocks) is not a multiple of the 16 GiB
 * DDW page a PHB and host offering 16 GiB pages make the guest pick:
 * the direct TCE would reach past RAM, the hypervisor refuses it, and
 * the guest falls back to the default window, which still works.
 */
static void test_ddw_fallback(void)
{
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestWindow w = { 0 };
    uint32_t avail, mask;
    uint64_t a, ia;
    DmaResult r;

    setup_phb(&m, &g, &dev, 768ULL << 20, "768M",
              "pgsizes=4K:64K:16M:16G", 1, "0x401011000");
    g_assert_false(guest_ddw_enable(g, &dev, 0, &w));
    g_assert_false(w.active);
    g_assert_cmpint(guest_ddw_query(g, &dev, &avail, &mask), ==, 0);
    g_assert_cmpuint(avail, ==, 1);

    a = guest_alloc(g, 8192, 4096);
    qtest_memset(m->qts, a, 0x5a, 8192);
    ia = guest_dma_map(g, &dev, a, 8192, TCE_RW);
    g_assert_cmpuint(ia, !=, 0);
    r = dma_engine_checksum(g, &dev, ia, 8192);
    g_assert_cmpuint(r.status, ==, 2);
    g_assert_true(guest_dma_unmap(g, &dev, ia, 8192));
    teardown(m, g);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guest-model/default-window-dma",
                    test_default_window_dma);
    g_test_add_func("/guest-model/ddw-enable-copy", test_ddw_enable_copy);
    g_test_add_func("/guest-model/ddw-fallback", test_ddw_fallback);
    return g_test_run();
}
