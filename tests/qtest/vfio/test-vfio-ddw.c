/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * End-to-end dynamic DMA windows: the guest's DDW enablement (create,
 * direct-map all RAM) is mirrored into a host window, the device's DMA
 * goes through it, and remove, reset and machine reset bring the host
 * back to a mirror of the default window.
 */
#include "vfio-e2e.h"

#define DEV_ARGS VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0"

typedef struct Env {
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestWindow dw;     /* the default window at start */
    GuestWindow ddw;
} Env;

static void env_start(Env *e)
{
    e->m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    e->g = vt_guest(e->m, VT_RAM, &e->dev);
    e->dw = guest_default_window(e->g, &e->dev);
}

static void env_enable_ddw(Env *e)
{
    g_assert_true(guest_ddw_enable(e->g, &e->dev, 0, &e->ddw));
    g_assert_cmpuint(e->ddw.size, >=, VT_RAM);
}

static void env_finish(Env *e)
{
    guest_free(e->g);
    vt_quit_clean(e->m);
}

/* Host windows: only the default one, empty, as after attach. */
static void assert_default_only(Env *e)
{
    g_autoptr(JsonObject) st = vsim_machine_state(e->m);
    JsonObject *c = vt_only_container(st);

    g_assert_cmpuint(json_array_get_length(vt_windows(c)), ==, 1);
    vt_assert_mirrors(c, &e->dw, 12, 0);
}

/* DMA in the default window after whatever happened before. */
static void assert_default_window_dma(Env *e)
{
    const uint64_t len = 8 * VT_PAGE;
    uint64_t gpa = guest_alloc(e->g, len, VT_PAGE);
    uint64_t iova = guest_dma_map(e->g, &e->dev, gpa, len, TCE_RW);

    g_assert_cmphex(iova, !=, 0);
    g_assert_cmphex(iova, <, e->dw.bus_start + e->dw.size);
    vt_dma_roundtrip(e->m, e->g, &e->dev, iova, gpa, len,
                     0xa5a5a5a55a5a5a5aULL);
    g_assert_true(guest_dma_unmap(e->g, &e->dev, iova, len));
}

/*
 * Enablement: one host window per guest window, all RAM mapped, one
 * MAP_DMA per 512-entry INDIRECT (the direct mapping is contiguous).
 */
static void test_enable_direct_maps_all_ram(void)
{
    Env e;
    uint64_t puts0, hcalls;
    g_autoptr(JsonObject) st = NULL;
    g_autoptr(JsonObject) reply = NULL;
    JsonObject *c, *q;

    env_start(&e);
    vt_reset_counters(e.m);
    puts0 = guest_stats(e.g)->tces_put;
    env_enable_ddw(&e);

    st = vsim_machine_state(e.m);
    c = vt_only_container(st);
    /* anonymous guest RAM: host TCEs of the host's page size */
    vt_assert_mirrors(c, &e.ddw, vt_host_page_shift(e.m),
                      VT_RAM >> vt_host_page_shift(e.m));
    /* Linux keeps the default window when a second one is free. */
    g_assert_cmpuint(json_array_get_length(vt_windows(c)), ==, 2);
    vt_assert_mirrors(c, &e.dw, 12, 0);

    hcalls = (guest_stats(e.g)->tces_put - puts0 + 511) / 512;
    g_assert_cmpuint(vt_ioctl_calls(st, "VFIO_IOMMU_MAP_DMA"), ==, hcalls);
    g_assert_cmpuint(vt_ioctl_calls(st, "VFIO_IOMMU_SPAPR_TCE_CREATE"), ==,
                     1);
    g_assert_cmpuint(vt_ioctl_calls(st, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY"),
                     ==, 0);

    q = json_array_get_object_element(vt_query_vfio(e.m, &reply), 0);
    g_assert_cmpuint(json_array_get_length(
                         json_object_get_array_member(q, "windows")), ==, 2);
    env_finish(&e);
}

static void test_dma_through_ddw(void)
{
    const uint64_t len = 1 << 20;
    Env e;
    uint64_t src, dst;
    DmaResult r;

    env_start(&e);
    env_enable_ddw(&e);
    src = vt_alloc_pattern(e.m, e.g, len, 0x33);
    dst = guest_alloc(e.g, len, VT_PAGE);
    vt_dma_roundtrip(e.m, e.g, &e.dev, guest_ddw_iova(&e.ddw, dst), dst,
                     len, 0x1122334455667788ULL);
    r = dma_engine_copy(e.g, &e.dev, guest_ddw_iova(&e.ddw, src),
                        guest_ddw_iova(&e.ddw, dst), len);
    vt_assert_dma_ok(r, len);
    g_assert_cmphex(vt_ram_fnv(e.m, dst, len), ==, vt_ram_fnv(e.m, src, len));
    /* The last page of RAM is reachable too. */
    vt_dma_roundtrip(e.m, e.g, &e.dev,
                     guest_ddw_iova(&e.ddw, VT_RAM - VT_PAGE),
                     VT_RAM - VT_PAGE, VT_PAGE, 0x0102030405060708ULL);
    env_finish(&e);
}

static void test_remove_drops_host_window(void)
{
    Env e;
    DmaResult r;

    env_start(&e);
    env_enable_ddw(&e);
    g_assert_cmpint(guest_ddw_remove(e.g, e.ddw.liobn), ==, 0);
    assert_default_only(&e);
    r = dma_engine_checksum(e.g, &e.dev, guest_ddw_iova(&e.ddw, 1 << 20),
                            VT_PAGE);
    vt_assert_dma_fault(r, VT_ERR_NO_WINDOW, guest_ddw_iova(&e.ddw, 1 << 20));
    assert_default_window_dma(&e);
    env_finish(&e);
}

static void test_reset_restores_default_window(void)
{
    Env e;
    DmaResult r;
    uint32_t avail = 0;

    env_start(&e);
    env_enable_ddw(&e);
    g_assert_cmpint(guest_ddw_reset(e.g, &e.dev), ==, 0);
    assert_default_only(&e);
    g_assert_cmpint(guest_ddw_query(e.g, &e.dev, &avail, NULL), ==, 0);
    g_assert_cmpuint(avail, ==, 1);
    r = dma_engine_checksum(e.g, &e.dev, guest_ddw_iova(&e.ddw, 0), VT_PAGE);
    g_assert_cmpuint(r.status, ==, VT_DMA_ERROR);
    assert_default_window_dma(&e);
    env_finish(&e);
}

/*
 * Linux's step 2 when no window is free: the default window is removed
 * and the new one takes its place at bus address 0.
 */
static void test_window_replacing_default(void)
{
    const uint64_t len = 64 * 1024;
    Env e;
    GuestWindow w;
    uint64_t gpa;

    env_start(&e);
    g_assert_cmpint(guest_ddw_remove(e.g, e.dw.liobn), ==, 0);
    {
        g_autoptr(JsonObject) st = vsim_machine_state(e.m);

        g_assert_cmpuint(json_array_get_length(
                             vt_windows(vt_only_container(st))), ==, 0);
    }
    g_assert_cmpint(guest_ddw_create(e.g, &e.dev, 16, 30, &w), ==, 0);
    g_assert_cmphex(w.bus_start, ==, 0);
    g_assert_true(guest_ddw_map_range(e.g, &w, 0, VT_RAM));
    {
        g_autoptr(JsonObject) st = vsim_machine_state(e.m);
        JsonObject *c = vt_only_container(st);

        g_assert_cmpuint(json_array_get_length(vt_windows(c)), ==, 1);
        vt_assert_mirrors(c, &w, vt_host_page_shift(e.m),
                          VT_RAM >> vt_host_page_shift(e.m));
    }
    gpa = guest_alloc(e.g, len, 1 << 16);
    vt_dma_roundtrip(e.m, e.g, &e.dev, guest_ddw_iova(&w, gpa), gpa, len,
                     0xdeadbeefcafef00dULL);
    /*
     * The new window took the default window's table (LIOBN), so removing
     * it leaves no window at all; the guest resets to get the default
     * one back.
     */
    g_assert_cmphex(w.liobn, ==, e.dw.liobn);
    g_assert_cmpint(guest_ddw_remove(e.g, w.liobn), ==, 0);
    {
        g_autoptr(JsonObject) st = vsim_machine_state(e.m);

        g_assert_cmpuint(json_array_get_length(
                             vt_windows(vt_only_container(st))), ==, 0);
    }
    g_assert_cmpint(guest_ddw_reset(e.g, &e.dev), ==, 0);
    assert_default_only(&e);
    assert_default_window_dma(&e);
    env_finish(&e);
}

/*
 * system_reset: the device is reset (its registers back to power-on),
 * the DDW goes away and the host mirrors the default window again.
 */
static void test_system_reset(void)
{
    Env e;
    DmaResult r;
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) ev = NULL;
    uint64_t resets;

    env_start(&e);
    env_enable_ddw(&e);
    /* Leave the engine in its error state. */
    r = dma_engine_checksum(e.g, &e.dev, e.ddw.bus_start + e.ddw.size,
                            VT_PAGE);
    g_assert_cmpuint(r.status, ==, VT_DMA_ERROR);
    g_assert_cmpuint(vt_bar0_readl(e.m, &e.dev, VT_REG_STATUS), ==,
                     VT_DMA_ERROR);
    resets = vt_calls(e.m, "VFIO_DEVICE_RESET");

    reply = qtest_qmp(e.m->qts, "{'execute': 'system_reset'}");
    g_assert_null(qtest_qmp_error_desc(reply));
    ev = qtest_qmp_eventwait(e.m->qts, "RESET");
    g_assert_cmpuint(vt_calls(e.m, "VFIO_DEVICE_RESET"), ==, resets + 1);
    assert_default_only(&e);

    /* A fresh guest: find and enable the device again, as firmware. */
    guest_free(e.g);
    e.g = vt_guest(e.m, VT_RAM, &e.dev);
    g_assert_cmpuint(vt_bar0_readl(e.m, &e.dev, VT_REG_STATUS), ==, 0);
    e.dw = guest_default_window(e.g, &e.dev);
    assert_default_window_dma(&e);
    env_finish(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/ddw/enable/direct-maps-all-ram-one-map-per-list",
                    test_enable_direct_maps_all_ram);
    g_test_add_func("/vfio/ddw/dma/fill-copy-checksum-through-window",
                    test_dma_through_ddw);
    g_test_add_func("/vfio/ddw/remove/drops-host-window",
                    test_remove_drops_host_window);
    g_test_add_func("/vfio/ddw/reset/restores-default-window",
                    test_reset_restores_default_window);
    g_test_add_func("/vfio/ddw/replace-default/window-at-zero",
                    test_window_replacing_default);
    g_test_add_func("/vfio/ddw/system-reset/device-reset-default-mirrored",
                    test_system_reset);
    return g_test_run();
}
