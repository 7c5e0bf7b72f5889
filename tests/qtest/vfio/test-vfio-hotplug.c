/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * End-to-end memory hotplug with a passthrough device (vfio-sim): a
 * hot-added DIMM is preregistered at once (a new pinned region, locked
 * bytes grow by its size), the guest extends its DDW direct mapping to
 * it and the device's DMA reaches it; removal is refused while any TCE
 * maps it, and once the guest has unmapped it the region is
 * unregistered, the locked bytes are back where they were, and the
 * backend can be deleted.  The guest acquires each DIMM's memory blocks
 * and releases them for device_del (libspapr-guest-drc.c).  When the host refuses to pin a new DIMM, the
 * add fails and nothing changes.
 */
#include "vfio-e2e.h"

#define MiB             ((uint64_t)1 << 20)
#define DIMM_SIZE       (256 * MiB)
/* Boot RAM 512 MiB: the hotplug area starts right above it. */
#define DIMM0_GPA       VT_RAM
#define MAXMEM          (2048 * MiB)
#define MACHINE_ARGS    VT_RAM_ARG ",slots=4,maxmem=2G"
#define DEV_ARGS        " -device vfio-pci,host=" VT_BDF0 ",id=dev0"

typedef struct Env {
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
} Env;

static void env_start(Env *e, const char *extra)
{
    e->m = vsim_machine_start(NULL, NULL, "%s%s %s", MACHINE_ARGS, DEV_ARGS,
                              extra);
    e->g = vt_guest(e->m, VT_RAM, &e->dev);
}

static void env_finish(Env *e)
{
    guest_free(e->g);
    vt_quit_clean(e->m);
}

static JsonObject *qmp(Env *e, const char *cmd)
{
    return qtest_qmp(e->m->qts, "%s", cmd);
}

static void qmp_ok(Env *e, const char *cmd)
{
    g_autoptr(JsonObject) r = qmp(e, cmd);

    if (qtest_qmp_error_desc(r)) {
        g_error("%s: %s", cmd, qtest_qmp_error_desc(r));
    }
}

static void hot_add(Env *e, const char *id, const char *memdev)
{
    g_autofree char *obj = g_strdup_printf(
        "{'execute': 'object-add', 'arguments': {'qom-type': "
        "'memory-backend-ram', 'id': '%s', 'size': %" PRIu64 "}}",
        memdev, DIMM_SIZE);
    g_autofree char *dev = g_strdup_printf(
        "{'execute': 'device_add', 'arguments': {'driver': 'pc-dimm', "
        "'id': '%s', 'memdev': '%s'}}", id, memdev);

    qmp_ok(e, obj);
    qmp_ok(e, dev);
    /* The guest takes the new memory blocks, as Linux does on the event. */
    g_assert_cmpuint(guest_drc_handle_events(e->g), ==, 1);
}

/* device_del that must be refused; returns the error text. */
static char *hot_remove_refused(Env *e, const char *id)
{
    g_autofree char *cmd = g_strdup_printf(
        "{'execute': 'device_del', 'arguments': {'id': '%s'}}", id);
    g_autoptr(JsonObject) r = qmp(e, cmd);

    g_assert_nonnull(qtest_qmp_error_desc(r));
    return g_strdup(qtest_qmp_error_desc(r));
}

/*
 * The guest took the DIMM: device_del asks it, and vt_device_del plays
 * the guest's release (isolate, unusable) before DEVICE_DELETED.
 */
static void hot_remove(Env *e, const char *id, const char *memdev)
{
    g_autofree char *obj = g_strdup_printf(
        "{'execute': 'object-del', 'arguments': {'id': '%s'}}", memdev);

    vt_device_del(e->m, id);
    qmp_ok(e, obj);
}

static uint64_t locked_bytes(Env *e)
{
    g_autoptr(JsonObject) st = vsim_machine_state(e->m);

    return vt_int(st, "locked_bytes");
}

/* Sizes of the preregistered regions, sorted by host address. */
static GArray *region_sizes(Env *e)
{
    g_autoptr(JsonObject) st = vsim_machine_state(e->m);
    JsonArray *regions = json_object_get_array_member(st, "regions");
    g_autoptr(GArray) vaddrs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    GArray *sizes = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    unsigned i, j;

    for (i = 0; i < json_array_get_length(regions); i++) {
        JsonObject *r = json_array_get_object_element(regions, i);
        uint64_t va = vt_int(r, "vaddr"), sz = vt_int(r, "size");

        g_assert_cmpuint(vt_int(r, "users"), ==, 1);
        g_assert_false(json_object_get_boolean_member(r, "leaked"));
        for (j = 0; j < vaddrs->len &&
             g_array_index(vaddrs, uint64_t, j) < va; j++) {
            continue;
        }
        g_array_insert_val(vaddrs, j, va);
        g_array_insert_val(sizes, j, sz);
    }
    return sizes;
}

static uint64_t total_registered(Env *e)
{
    g_autoptr(GArray) sizes = region_sizes(e);
    uint64_t sum = 0;
    unsigned i;

    for (i = 0; i < sizes->len; i++) {
        sum += g_array_index(sizes, uint64_t, i);
    }
    return sum;
}

static unsigned region_count(Env *e)
{
    g_autoptr(GArray) sizes = region_sizes(e);

    return sizes->len;
}

/*
 * The whole cycle with a DDW: hot-add, extend the direct mapping, DMA,
 * removal refused, unmap, removal, object-del.
 */
static void test_hot_add_ddw_dma_and_remove(void)
{
    const uint64_t len = 1 * MiB;
    const uint64_t gpa = DIMM0_GPA + 64 * MiB;
    Env e;
    GuestWindow ddw;
    uint64_t locked0, register0, npages;
    g_autofree char *desc = NULL;
    DmaResult r;

    env_start(&e, "");
    g_assert_true(guest_ddw_enable(e.g, &e.dev, MAXMEM, &ddw));
    g_assert_cmpuint(ddw.size, >=, MAXMEM);
    g_assert_cmpuint(region_count(&e), ==, 1);
    locked0 = locked_bytes(&e);
    register0 = vt_calls(e.m, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY");

    /* Before the DIMM exists the guest cannot map that range. */
    g_assert_false(guest_ddw_map_range(e.g, &ddw, DIMM0_GPA, DIMM_SIZE));

    hot_add(&e, "dimm0", "mem0");
    g_assert_cmpuint(vt_calls(e.m, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY"), ==,
                     register0 + 1);
    g_assert_cmpuint(region_count(&e), ==, 2);
    g_assert_cmpuint(total_registered(&e), ==, VT_RAM + DIMM_SIZE);
    g_assert_cmpuint(locked_bytes(&e), ==, locked0 + DIMM_SIZE);

    /* As Linux on hot-add: extend the direct mapping, then use it. */
    g_assert_true(guest_ddw_map_range(e.g, &ddw, DIMM0_GPA, DIMM_SIZE));
    vt_dma_roundtrip(e.m, e.g, &e.dev, guest_ddw_iova(&ddw, gpa), gpa, len,
                     0x0f1e2d3c4b5a6978ULL);
    /* boot RAM -> DIMM copy through the same window */
    {
        uint64_t src = vt_alloc_pattern(e.m, e.g, len, 0x42);

        r = dma_engine_copy(e.g, &e.dev, guest_ddw_iova(&ddw, src),
                            guest_ddw_iova(&ddw, gpa), len);
        vt_assert_dma_ok(r, len);
        g_assert_cmphex(vt_ram_fnv(e.m, gpa, len), ==,
                        vt_ram_fnv(e.m, src, len));
    }
    /* the DIMM's last page */
    vt_dma_roundtrip(e.m, e.g, &e.dev,
                     guest_ddw_iova(&ddw, DIMM0_GPA + DIMM_SIZE - VT_PAGE),
                     DIMM0_GPA + DIMM_SIZE - VT_PAGE, VT_PAGE,
                     0x1111222233334444ULL);

    /* Mapped: removal refused, nothing changes on the host. */
    desc = hot_remove_refused(&e, "dimm0");
    g_assert_nonnull(strstr(desc, "still mapped for DMA"));
    g_assert_cmpuint(region_count(&e), ==, 2);
    g_assert_cmpuint(locked_bytes(&e), ==, locked0 + DIMM_SIZE);
    vt_dma_roundtrip(e.m, e.g, &e.dev, guest_ddw_iova(&ddw, gpa), gpa,
                     VT_PAGE, 0x5555666677778888ULL);

    /* As Linux before hot-remove: drop the range from the window. */
    npages = DIMM_SIZE >> ddw.page_shift;
    g_assert_cmpint(guest_stuff_tce(e.g, ddw.liobn,
                                    guest_ddw_iova(&ddw, DIMM0_GPA), 0,
                                    npages), ==, H_SUCCESS);
    hot_remove(&e, "dimm0", "mem0");
    g_assert_cmpuint(region_count(&e), ==, 1);
    g_assert_cmpuint(total_registered(&e), ==, VT_RAM);
    g_assert_cmpuint(locked_bytes(&e), ==, locked0);
    g_assert_cmpuint(vt_calls(e.m, "VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY"),
                     >=, 1);

    /* The device finds nothing there any more; boot RAM still works. */
    r = dma_engine_checksum(e.g, &e.dev, guest_ddw_iova(&ddw, gpa), VT_PAGE);
    vt_assert_dma_fault(r, VT_ERR_NO_MAPPING, guest_ddw_iova(&ddw, gpa));
    {
        uint64_t buf = guest_alloc(e.g, len, VT_PAGE);

        vt_dma_roundtrip(e.m, e.g, &e.dev, guest_ddw_iova(&ddw, buf), buf,
                         len, 0x9999aaaabbbbccccULL);
    }
    env_finish(&e);
}

/*
 * On-demand mappings in the default window hold a DIMM just as the
 * direct mapping does.
 */
static void test_default_window_mapping_holds_dimm(void)
{
    const uint64_t len = 16 * VT_PAGE;
    const uint64_t gpa = DIMM0_GPA + DIMM_SIZE - len;
    Env e;
    uint64_t locked0, iova;
    g_autofree char *desc = NULL;

    env_start(&e, "");
    locked0 = locked_bytes(&e);
    hot_add(&e, "dimm0", "mem0");
    g_assert_cmpuint(locked_bytes(&e), ==, locked0 + DIMM_SIZE);
    iova = guest_dma_map(e.g, &e.dev, gpa, len, TCE_RW);
    g_assert_cmphex(iova, !=, 0);
    vt_dma_roundtrip(e.m, e.g, &e.dev, iova, gpa, len, 0x7f7f7f7f01010101ULL);

    desc = hot_remove_refused(&e, "dimm0");
    g_assert_nonnull(strstr(desc, "TCE table 0x80000000"));
    g_assert_cmpuint(region_count(&e), ==, 2);

    g_assert_true(guest_dma_unmap(e.g, &e.dev, iova, len));
    hot_remove(&e, "dimm0", "mem0");
    g_assert_cmpuint(region_count(&e), ==, 1);
    g_assert_cmpuint(locked_bytes(&e), ==, locked0);
    env_finish(&e);
}

/*
 * A sequence of adds and removes: after each step the host has exactly
 * one registered region per piece of guest RAM, and locked bytes follow.
 */
static void test_add_remove_sequence(void)
{
    static const char *const ids[] = { "d0", "d1", "d2" };
    static const char *const mems[] = { "m0", "m1", "m2" };
    Env e;
    uint64_t locked0;
    unsigned i;

    env_start(&e, "");
    locked0 = locked_bytes(&e);
    for (i = 0; i < 3; i++) {
        hot_add(&e, ids[i], mems[i]);
        g_assert_cmpuint(region_count(&e), ==, 2 + i);
        g_assert_cmpuint(locked_bytes(&e), ==,
                         locked0 + (i + 1) * DIMM_SIZE);
    }
    g_assert_cmpuint(total_registered(&e), ==, VT_RAM + 3 * DIMM_SIZE);

    /* the middle one out, then back in (same place, same size) */
    hot_remove(&e, "d1", "m1");
    g_assert_cmpuint(region_count(&e), ==, 3);
    g_assert_cmpuint(locked_bytes(&e), ==, locked0 + 2 * DIMM_SIZE);
    hot_add(&e, "d1", "m1");
    g_assert_cmpuint(region_count(&e), ==, 4);
    g_assert_cmpuint(locked_bytes(&e), ==, locked0 + 3 * DIMM_SIZE);
    {
        g_autoptr(JsonObject) r = qmp(&e, "{'execute': "
                                      "'query-memory-devices'}");
        JsonArray *list = json_object_get_array_member(r, "return");
        JsonObject *mid = json_object_get_object_member(
            json_array_get_object_element(list, 1), "data");

        g_assert_cmpstr(json_object_get_string_member(mid, "id"), ==, "d1");
        g_assert_cmphex(vt_int(mid, "addr"), ==, DIMM0_GPA + DIMM_SIZE);
    }

    for (i = 0; i < 3; i++) {
        hot_remove(&e, ids[i], mems[i]);
        g_assert_cmpuint(region_count(&e), ==, 3 - i);
    }
    g_assert_cmpuint(locked_bytes(&e), ==, locked0);
    g_assert_cmpuint(total_registered(&e), ==, VT_RAM);
    env_finish(&e);
}

/*
 * A DIMM given on the command line is registered when the device
 * attaches; quitting with it present and mapped leaves nothing behind.
 */
static void test_cold_dimm_and_quit_while_mapped(void)
{
    const uint64_t gpa = DIMM0_GPA + 8 * MiB;
    Env e;
    GuestWindow ddw;

    env_start(&e, "-object memory-backend-ram,id=c0,size=256M "
                  "-device pc-dimm,id=cold,memdev=c0");
    g_assert_cmpuint(region_count(&e), ==, 2);
    g_assert_cmpuint(total_registered(&e), ==, VT_RAM + DIMM_SIZE);
    g_assert_true(guest_ddw_enable(e.g, &e.dev, MAXMEM, &ddw));
    g_assert_true(guest_ddw_map_range(e.g, &ddw, DIMM0_GPA, DIMM_SIZE));
    vt_dma_roundtrip(e.m, e.g, &e.dev, guest_ddw_iova(&ddw, gpa), gpa,
                     64 * 1024, 0x0102030405060708ULL);
    /* and a hot-added one next to it, also left mapped */
    hot_add(&e, "hot", "h0");
    g_assert_true(guest_ddw_map_range(e.g, &ddw, DIMM0_GPA + DIMM_SIZE,
                                      DIMM_SIZE));
    vt_dma_roundtrip(e.m, e.g, &e.dev,
                     guest_ddw_iova(&ddw, DIMM0_GPA + DIMM_SIZE),
                     DIMM0_GPA + DIMM_SIZE, VT_PAGE, 0x1234ULL);
    /* system_reset drops the DDW: the DIMMs can go now */
    qmp_ok(&e, "{'execute': 'system_reset'}");
    g_assert_cmpuint(region_count(&e), ==, 3);
    hot_remove(&e, "hot", "h0");
    g_assert_cmpuint(region_count(&e), ==, 2);
    /*
     * Quit with the cold DIMM plugged and mapped by a new DDW: the
     * windows go first, so its unregistration does not find it busy.
     */
    g_assert_true(guest_ddw_enable(e.g, &e.dev, MAXMEM, &ddw));
    g_assert_true(guest_ddw_map_range(e.g, &ddw, DIMM0_GPA, DIMM_SIZE));
    guest_free(e.g);
    {
        g_autoptr(JsonObject) report = vsim_machine_quit(e.m);

        vsim_report_assert_clean(report);
        g_assert_cmpuint(vt_ioctl_errors(report,
                             "VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY"), ==, 0);
        g_assert_cmpuint(vt_ioctl_calls(report,
                             "VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY"), >=, 1);
    }
}

/* query-vfio's "failed" flag of the only container. */
static bool container_failed(Env *e)
{
    g_autoptr(JsonObject) reply = NULL;
    JsonArray *list = vt_query_vfio(e->m, &reply);

    g_assert_cmpuint(json_array_get_length(list), ==, 1);
    return json_object_get_boolean_member(
        json_array_get_object_element(list, 0), "failed");
}

/*
 * The host refuses to pin a hot-added DIMM (memlock limit reached):
 * device_add fails naming the ioctl and the errno, and nothing changes
 * -- no region registered, no bytes locked, the container not failed,
 * the DIMM not in the machine, the device's DMA still working.  Once
 * room is made, the same DIMM goes in.
 */
static void test_add_refused_by_host_changes_nothing(void)
{
    const uint64_t gpa = DIMM0_GPA + 32 * MiB;
    g_autoptr(JsonObject) r = NULL;
    Env e;
    GuestWindow ddw;
    uint64_t locked1, calls;
    const char *desc;

    /* Room for boot RAM and one DIMM, not two. */
    e.m = vsim_machine_start(NULL, "memlock=800m", "%s%s", MACHINE_ARGS,
                             DEV_ARGS);
    e.g = vt_guest(e.m, VT_RAM, &e.dev);
    g_assert_true(guest_ddw_enable(e.g, &e.dev, MAXMEM, &ddw));
    hot_add(&e, "d0", "m0");
    g_assert_true(guest_ddw_map_range(e.g, &ddw, DIMM0_GPA, DIMM_SIZE));
    locked1 = locked_bytes(&e);
    g_assert_cmpuint(region_count(&e), ==, 2);
    calls = vt_calls(e.m, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY");

    qmp_ok(&e, "{'execute': 'object-add', 'arguments': {'qom-type': "
           "'memory-backend-ram', 'id': 'm1', 'size': 268435456}}");
    r = qmp(&e, "{'execute': 'device_add', 'arguments': {'driver': "
            "'pc-dimm', 'id': 'd1', 'memdev': 'm1'}}");
    desc = qtest_qmp_error_desc(r);
    g_assert_nonnull(desc);
    g_test_message("refused: %s", desc);
    g_assert_nonnull(strstr(desc, "'d1'"));
    g_assert_nonnull(strstr(desc, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY"));
    g_assert_nonnull(strstr(desc, g_strerror(ENOMEM)));
    /* It was tried once, and refused: the host state is as before. */
    g_assert_cmpuint(vt_calls(e.m, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY"), ==,
                     calls + 1);
    g_assert_cmpuint(region_count(&e), ==, 2);
    g_assert_cmpuint(locked_bytes(&e), ==, locked1);
    g_assert_cmpuint(total_registered(&e), ==, VT_RAM + DIMM_SIZE);
    g_assert_false(container_failed(&e));
    {
        g_autoptr(JsonObject) q = qmp(&e, "{'execute': "
                                      "'query-memory-devices'}");

        g_assert_cmpuint(json_array_get_length(
            json_object_get_array_member(q, "return")), ==, 1);
    }
    /* The device keeps working, in boot RAM and in the first DIMM. */
    vt_dma_roundtrip(e.m, e.g, &e.dev, guest_ddw_iova(&ddw, gpa), gpa,
                     64 * 1024, 0x2468ace013579bdfULL);
    {
        uint64_t buf = guest_alloc(e.g, VT_PAGE, VT_PAGE);

        vt_dma_roundtrip(e.m, e.g, &e.dev, guest_ddw_iova(&ddw, buf), buf,
                         VT_PAGE, 0x0badcafe0badcafeULL);
    }

    /* Make room: d0 out (unmapped first), then d1 goes in. */
    g_assert_cmpint(guest_stuff_tce(e.g, ddw.liobn,
                                    guest_ddw_iova(&ddw, DIMM0_GPA), 0,
                                    DIMM_SIZE >> ddw.page_shift), ==,
                    H_SUCCESS);
    hot_remove(&e, "d0", "m0");
    qmp_ok(&e, "{'execute': 'device_add', 'arguments': {'driver': "
           "'pc-dimm', 'id': 'd1', 'memdev': 'm1'}}");
    g_assert_cmpuint(region_count(&e), ==, 2);
    g_assert_cmpuint(locked_bytes(&e), ==, locked1);
    g_assert_false(container_failed(&e));
    g_assert_true(guest_ddw_map_range(e.g, &ddw, DIMM0_GPA, DIMM_SIZE));
    vt_dma_roundtrip(e.m, e.g, &e.dev, guest_ddw_iova(&ddw, gpa), gpa,
                     VT_PAGE, 0x1122334455667788ULL);
    env_finish(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/hotplug/add-registers-ddw-dma-remove-unregisters",
                    test_hot_add_ddw_dma_and_remove);
    g_test_add_func("/vfio/hotplug/default-window-mapping-holds-dimm",
                    test_default_window_mapping_holds_dimm);
    g_test_add_func("/vfio/hotplug/add-remove-sequence-tracks-host",
                    test_add_remove_sequence);
    g_test_add_func("/vfio/hotplug/cold-dimm-and-quit-while-mapped",
                    test_cold_dimm_and_quit_while_mapped);
    g_test_add_func("/vfio/hotplug/add-refused-by-host-changes-nothing",
                    test_add_refused_by_host_changes_nothing);
    return g_test_run();
}
