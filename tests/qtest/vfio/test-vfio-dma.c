/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * End-to-end DMA through the default window: a guest maps its buffers
 * on demand with H_PUT_TCE(_INDIRECT), the dma-engine behind vfio-pci
 * reaches them through the host IOMMU (vfio-sim), and the data is read
 * back from guest RAM through qtest.  Also: read-only TCEs, remapping,
 * and the coalescing of TCE runs into single MAP_DMA/UNMAP_DMA calls.
 */
#include "vfio-e2e.h"

#define DEV_ARGS VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0"

typedef struct Env {
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestWindow dw;
} Env;

static void env_start(Env *e)
{
    e->m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    e->g = vt_guest(e->m, VT_RAM, &e->dev);
    e->dw = guest_default_window(e->g, &e->dev);
}

static void env_finish(Env *e)
{
    guest_free(e->g);
    vt_quit_clean(e->m);
}

/* The v2 container mirrors the default window and pins all of RAM. */
static void test_default_window_mirrored(void)
{
    Env e;
    g_autoptr(JsonObject) st = NULL;
    JsonObject *c, *region;
    JsonArray *regions;

    env_start(&e);
    st = vsim_machine_state(e.m);
    c = vt_only_container(st);
    g_assert_cmpstr(json_object_get_string_member(c, "iommu"), ==, "v2");
    g_assert_cmpuint(json_array_get_length(vt_windows(c)), ==, 1);
    vt_assert_mirrors(c, &e.dw, 12, 0);
    regions = json_object_get_array_member(c, "regions");
    g_assert_cmpuint(json_array_get_length(regions), ==, 1);
    regions = json_object_get_array_member(st, "regions");
    region = json_array_get_object_element(regions, 0);
    g_assert_cmpuint(vt_int(region, "size"), ==, VT_RAM);
    g_assert_cmpuint(vt_int(st, "locked_bytes"), >=, VT_RAM);
    env_finish(&e);
}

static void test_default_window_fill_copy_checksum(void)
{
    const uint64_t len = 64 * 1024;
    Env e;
    uint64_t src, dst, src_iova, dst_iova;
    DmaResult r;

    env_start(&e);
    src = vt_alloc_pattern(e.m, e.g, len, 0x11);
    dst = guest_alloc(e.g, len, VT_PAGE);
    src_iova = guest_dma_map(e.g, &e.dev, src, len, TCE_READ);
    dst_iova = guest_dma_map(e.g, &e.dev, dst, len, TCE_RW);
    g_assert_cmphex(src_iova, !=, 0);
    g_assert_cmphex(dst_iova, !=, 0);

    /* Device writes guest RAM. */
    vt_dma_roundtrip(e.m, e.g, &e.dev, dst_iova, dst, len,
                     0x0123456789abcdefULL);

    /* Device copies guest RAM to guest RAM. */
    r = dma_engine_copy(e.g, &e.dev, src_iova, dst_iova, len);
    vt_assert_dma_ok(r, len);
    g_assert_cmphex(vt_ram_fnv(e.m, dst, len), ==,
                    vt_ram_fnv(e.m, src, len));

    /* Device reads guest RAM. */
    r = dma_engine_checksum(e.g, &e.dev, src_iova, len);
    vt_assert_dma_ok(r, len);
    g_assert_cmphex(r.result, ==, vt_ram_fnv(e.m, src, len));

    /* After unmapping, the device reaches nothing there. */
    g_assert_true(guest_dma_unmap(e.g, &e.dev, src_iova, len));
    g_assert_true(guest_dma_unmap(e.g, &e.dev, dst_iova, len));
    {
        g_autoptr(JsonObject) st = vsim_machine_state(e.m);

        vt_assert_mirrors(vt_only_container(st), &e.dw, 12, 0);
    }
    r = dma_engine_checksum(e.g, &e.dev, src_iova, len);
    vt_assert_dma_fault(r, VT_ERR_NO_MAPPING, src_iova);
    env_finish(&e);
}

/* A read-only TCE: the device may read the page but never write it. */
static void test_read_only_tce_write_faults(void)
{
    const uint64_t len = 2 * VT_PAGE;
    Env e;
    uint64_t ro, rw, ro_iova, rw_iova, before;
    DmaResult r;

    env_start(&e);
    ro = vt_alloc_pattern(e.m, e.g, len, 0x5a);
    rw = vt_alloc_pattern(e.m, e.g, len, 0xc3);
    before = vt_ram_fnv(e.m, ro, len);
    ro_iova = guest_dma_map(e.g, &e.dev, ro, len, TCE_READ);
    rw_iova = guest_dma_map(e.g, &e.dev, rw, len, TCE_RW);
    g_assert_cmphex(ro_iova, !=, 0);
    g_assert_cmphex(rw_iova, !=, 0);

    r = dma_engine_fill(e.g, &e.dev, ro_iova, len, 0xffffffffffffffffULL);
    vt_assert_dma_fault(r, VT_ERR_PERMISSION, ro_iova);
    g_assert_cmpuint(r.done, ==, 0);
    g_assert_cmphex(vt_ram_fnv(e.m, ro, len), ==, before);

    /* A copy into it faults before moving a byte, too. */
    r = dma_engine_copy(e.g, &e.dev, rw_iova, ro_iova, len);
    vt_assert_dma_fault(r, VT_ERR_PERMISSION, ro_iova);
    g_assert_cmphex(vt_ram_fnv(e.m, ro, len), ==, before);

    /* Reading it is allowed. */
    r = dma_engine_checksum(e.g, &e.dev, ro_iova, len);
    vt_assert_dma_ok(r, len);
    g_assert_cmphex(r.result, ==, before);

    /* The host table holds the page read-only. */
    {
        g_autoptr(GError) err = NULL;
        g_autoptr(JsonObject) t = vsim_control_tces(vsim_machine_control(e.m),
                                                    0, 0, &err);
        JsonArray *runs;
        JsonObject *run;

        g_assert_no_error(err);
        runs = json_object_get_array_member(t, "entries");
        run = json_array_get_object_element(runs, 0);
        g_assert_cmphex(vt_int(run, "iova"), ==, ro_iova);
        g_assert_cmpstr(json_object_get_string_member(run, "perm"), ==, "r");
    }
    env_finish(&e);
}

/* Overwriting a TCE moves the device to the new page at once. */
static void test_remap_tce_device_sees_new_page(void)
{
    Env e;
    uint64_t a, b, iova, fnv_a, fnv_b;
    DmaResult r;

    env_start(&e);
    a = vt_alloc_pattern(e.m, e.g, VT_PAGE, 0x01);
    b = vt_alloc_pattern(e.m, e.g, VT_PAGE, 0x80);
    fnv_a = vt_ram_fnv(e.m, a, VT_PAGE);
    fnv_b = vt_ram_fnv(e.m, b, VT_PAGE);
    g_assert_cmphex(fnv_a, !=, fnv_b);
    iova = e.dw.bus_start + 16 * VT_PAGE;

    g_assert_cmpint(guest_put_tce(e.g, e.dw.liobn, iova, a | TCE_RW), ==,
                    H_SUCCESS);
    r = dma_engine_checksum(e.g, &e.dev, iova, VT_PAGE);
    vt_assert_dma_ok(r, VT_PAGE);
    g_assert_cmphex(r.result, ==, fnv_a);

    g_assert_cmpint(guest_put_tce(e.g, e.dw.liobn, iova, b | TCE_RW), ==,
                    H_SUCCESS);
    r = dma_engine_checksum(e.g, &e.dev, iova, VT_PAGE);
    vt_assert_dma_ok(r, VT_PAGE);
    g_assert_cmphex(r.result, ==, fnv_b);

    /* Writes land in the new page only. */
    r = dma_engine_fill(e.g, &e.dev, iova, VT_PAGE, 0x7777777777777777ULL);
    vt_assert_dma_ok(r, VT_PAGE);
    vt_assert_filled(e.m, b, VT_PAGE, 0x7777777777777777ULL);
    g_assert_cmphex(vt_ram_fnv(e.m, a, VT_PAGE), ==, fnv_a);

    g_assert_cmpint(guest_stuff_tce(e.g, e.dw.liobn, iova, 0, 1), ==,
                    H_SUCCESS);
    r = dma_engine_checksum(e.g, &e.dev, iova, VT_PAGE);
    vt_assert_dma_fault(r, VT_ERR_NO_MAPPING, iova);
    env_finish(&e);
}

/*
 * A 512-entry INDIRECT of contiguous pages is one MAP_DMA; clearing them
 * with H_STUFF_TCE, even from an unaligned IOVA (several aligned blocks
 * in the notification), is one UNMAP_DMA.
 */
static void test_coalesce_indirect_and_stuff(void)
{
    const unsigned n = 512;
    Env e;
    g_autofree uint64_t *tces = g_new(uint64_t, n);
    uint64_t gpa, iova;
    unsigned i;
    DmaResult r;

    env_start(&e);
    gpa = guest_alloc(e.g, n * VT_PAGE, VT_PAGE);
    iova = e.dw.bus_start + 3 * VT_PAGE;
    for (i = 0; i < n; i++) {
        tces[i] = (gpa + i * VT_PAGE) | TCE_RW;
    }
    vt_reset_counters(e.m);
    g_assert_cmpint(guest_put_tce_indirect(e.g, e.dw.liobn, iova, tces, n),
                    ==, H_SUCCESS);
    g_assert_cmpuint(vt_calls(e.m, "VFIO_IOMMU_MAP_DMA"), ==, 1);
    {
        g_autoptr(JsonObject) st = vsim_machine_state(e.m);

        vt_assert_mirrors(vt_only_container(st), &e.dw, 12, n);
    }
    vt_dma_roundtrip(e.m, e.g, &e.dev, iova, gpa, n * VT_PAGE,
                     0x0f1e2d3c4b5a6978ULL);

    g_assert_cmpint(guest_stuff_tce(e.g, e.dw.liobn, iova, 0, n), ==,
                    H_SUCCESS);
    g_assert_cmpuint(vt_calls(e.m, "VFIO_IOMMU_UNMAP_DMA"), ==, 1);
    g_assert_cmpuint(vt_calls(e.m, "VFIO_IOMMU_MAP_DMA"), ==, 1);
    {
        g_autoptr(JsonObject) st = vsim_machine_state(e.m);

        vt_assert_mirrors(vt_only_container(st), &e.dw, 12, 0);
    }
    r = dma_engine_checksum(e.g, &e.dev, iova, VT_PAGE);
    vt_assert_dma_fault(r, VT_ERR_NO_MAPPING, iova);
    env_finish(&e);
}

/*
 * A run is cut where host addresses stop being contiguous and where the
 * permission changes: 3 pieces, 3 MAP_DMA, each exact.
 */
static void test_coalesce_splits_runs(void)
{
    const unsigned n = 512;
    Env e;
    g_autofree uint64_t *tces = g_new(uint64_t, n);
    uint64_t a, b, iova;
    unsigned i;
    DmaResult r;

    env_start(&e);
    a = vt_alloc_pattern(e.m, e.g, 256 * VT_PAGE, 0x21);
    guest_alloc(e.g, VT_PAGE, VT_PAGE);     /* a hole between a and b */
    b = vt_alloc_pattern(e.m, e.g, 256 * VT_PAGE, 0x42);
    iova = e.dw.bus_start + 1024 * VT_PAGE;
    for (i = 0; i < 256; i++) {
        tces[i] = (a + i * VT_PAGE) | TCE_RW;
    }
    for (i = 256; i < n; i++) {
        tces[i] = (b + (i - 256) * VT_PAGE) |
                  (i < 384 ? TCE_RW : TCE_READ);
    }
    vt_reset_counters(e.m);
    g_assert_cmpint(guest_put_tce_indirect(e.g, e.dw.liobn, iova, tces, n),
                    ==, H_SUCCESS);
    g_assert_cmpuint(vt_calls(e.m, "VFIO_IOMMU_MAP_DMA"), ==, 3);

    r = dma_engine_checksum(e.g, &e.dev, iova, n * VT_PAGE);
    vt_assert_dma_ok(r, n * VT_PAGE);
    {
        g_autofree uint8_t *buf = g_malloc(n * VT_PAGE);

        qtest_bufread(e.m->qts, a, buf, 256 * VT_PAGE);
        qtest_bufread(e.m->qts, b, buf + 256 * VT_PAGE, 256 * VT_PAGE);
        g_assert_cmphex(r.result, ==, dma_engine_fnv1a(buf, n * VT_PAGE));
    }
    /* The read-only tail refuses writes. */
    r = dma_engine_fill(e.g, &e.dev, iova + 384 * VT_PAGE, VT_PAGE, 1);
    vt_assert_dma_fault(r, VT_ERR_PERMISSION, iova + 384 * VT_PAGE);

    g_assert_cmpint(guest_stuff_tce(e.g, e.dw.liobn, iova, 0, n), ==,
                    H_SUCCESS);
    g_assert_cmpuint(vt_calls(e.m, "VFIO_IOMMU_UNMAP_DMA"), ==, 1);
    env_finish(&e);
}

/* query-vfio's own counters agree with the host's. */
static void test_query_vfio_counts_ioctls(void)
{
    const unsigned n = 512;
    Env e;
    g_autofree uint64_t *tces = g_new(uint64_t, n);
    g_autoptr(JsonObject) r0 = NULL;
    g_autoptr(JsonObject) r1 = NULL;
    JsonObject *c0, *c1;
    uint64_t gpa;
    unsigned i;

    env_start(&e);
    gpa = guest_alloc(e.g, n * VT_PAGE, VT_PAGE);
    for (i = 0; i < n; i++) {
        tces[i] = (gpa + i * VT_PAGE) | TCE_READ;
    }
    c0 = json_array_get_object_element(vt_query_vfio(e.m, &r0), 0);
    g_assert_cmpint(guest_put_tce_indirect(e.g, e.dw.liobn,
                                           e.dw.bus_start, tces, n),
                    ==, H_SUCCESS);
    g_assert_cmpint(guest_stuff_tce(e.g, e.dw.liobn, e.dw.bus_start, 0, n),
                    ==, H_SUCCESS);
    c1 = json_array_get_object_element(vt_query_vfio(e.m, &r1), 0);
    g_assert_cmpuint(vt_int(c1, "map-ioctls") - vt_int(c0, "map-ioctls"),
                     ==, 1);
    g_assert_cmpuint(vt_int(c1, "unmap-ioctls") -
                     vt_int(c0, "unmap-ioctls"), ==, 1);
    g_assert_cmpuint(vt_int(c1, "mapped-pages") -
                     vt_int(c0, "mapped-pages"), ==, n);
    env_finish(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/dma/default-window/mirrored-and-ram-registered",
                    test_default_window_mirrored);
    g_test_add_func("/vfio/dma/default-window/fill-copy-checksum",
                    test_default_window_fill_copy_checksum);
    g_test_add_func("/vfio/dma/read-only-tce/write-faults-nothing-written",
                    test_read_only_tce_write_faults);
    g_test_add_func("/vfio/dma/remap-tce/device-sees-new-page",
                    test_remap_tce_device_sees_new_page);
    g_test_add_func("/vfio/dma/coalesce/indirect-512-one-map-stuff-one-unmap",
                    test_coalesce_indirect_and_stuff);
    g_test_add_func("/vfio/dma/coalesce/split-at-gap-and-permission",
                    test_coalesce_splits_runs);
    g_test_add_func("/vfio/dma/query-vfio/counts-map-and-unmap-ioctls",
                    test_query_vfio_counts_ioctls);
    return g_test_run();
}
