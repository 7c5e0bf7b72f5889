/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * End-to-end topologies: devices sharing a group, one container per PHB,
 * the v1 IOMMU, hotplug with device_add/device_del (host=, bus=/addr=,
 * sysfsdev=), replay of existing TCEs on attach, and what query-vfio and
 * "info vfio" show.
 */
#include <unistd.h>
#include <glib/gstdio.h>
#include "vfio-e2e.h"

#define TWO_IN_GROUP1   VT_BDF0 "=dma-engine@1," VT_BDF1 "=dma-engine@1"
#define TWO_GROUPS      VT_BDF0 "=dma-engine@1," VT_BDF1 "=dma-engine@2"
#define PHB1            "-device spapr-pci-host-bridge,index=1,id=phb1"

static JsonObject *group_state(JsonObject *st, int64_t id)
{
    JsonArray *gs = json_object_get_array_member(st, "groups");
    unsigned i;

    for (i = 0; i < json_array_get_length(gs); i++) {
        JsonObject *g = json_array_get_object_element(gs, i);

        if (json_object_get_int_member(g, "id") == id) {
            return g;
        }
    }
    g_assert_not_reached();
}

static void assert_dma_works(VsimMachine *m, SpaprGuest *g,
                             const GuestDevice *dev, uint64_t pattern)
{
    const uint64_t len = 4 * VT_PAGE;
    uint64_t gpa = guest_alloc(g, len, VT_PAGE);
    uint64_t iova = guest_dma_map(g, dev, gpa, len, TCE_RW);

    g_assert_cmphex(iova, !=, 0);
    vt_dma_roundtrip(m, g, dev, iova, gpa, len, pattern);
    g_assert_true(guest_dma_unmap(g, dev, iova, len));
}

/* Two functions of one group: one container, the group attached once. */
static void test_two_devices_one_group(void)
{
    VsimMachine *m = vsim_machine_start(TWO_IN_GROUP1, NULL,
        VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=a"
        " -device vfio-pci,host=" VT_BDF1 ",id=b");
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    g_autoptr(JsonObject) st = vsim_machine_state(m);
    g_autoptr(JsonObject) reply = NULL;
    GuestDevice a, b;
    JsonObject *c, *q;
    JsonArray *list;

    c = vt_only_container(st);
    g_assert_cmpuint(json_array_get_length(
                         json_object_get_array_member(c, "groups")), ==, 1);
    g_assert_true(json_object_get_boolean_member(group_state(st, 1),
                                                 "open"));
    g_assert_cmpuint(vt_ioctl_calls(st, "VFIO_GROUP_SET_CONTAINER"), ==, 1);
    g_assert_cmpuint(vt_ioctl_calls(st, "VFIO_GROUP_GET_DEVICE_FD"), ==, 2);

    list = vt_query_vfio(m, &reply);
    g_assert_cmpuint(json_array_get_length(list), ==, 1);
    q = json_array_get_object_element(list, 0);
    g_assert_cmpuint(json_array_get_length(
                         json_object_get_array_member(q, "devices")), ==, 2);

    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &a));
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 1, &b));
    g_assert_cmphex(a.config_addr, !=, b.config_addr);
    assert_dma_works(m, g, &a, 0x1111111111111111ULL);
    assert_dma_works(m, g, &b, 0x2222222222222222ULL);
    guest_free(g);
    vt_quit_clean(m);
}

/* A device behind each of two PHBs: two containers, each its windows. */
static void test_two_phbs_two_containers(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, NULL,
        VT_RAM_ARG " " PHB1 " -device vfio-pci,host=" VT_BDF0 ",id=a"
        " -device vfio-pci,host=" VT_BDF1 ",bus=phb1,id=b");
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    g_autoptr(JsonObject) st = vsim_machine_state(m);
    g_autoptr(JsonObject) reply = NULL;
    GuestDevice a, b;
    GuestWindow wa, wb;
    JsonArray *cs, *list;
    unsigned i;

    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &a));
    g_assert_true(guest_find_device(g, 1, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &b));
    wa = guest_default_window(g, &a);
    wb = guest_default_window(g, &b);
    g_assert_cmphex(wa.liobn, !=, wb.liobn);

    cs = vt_containers(st);
    g_assert_cmpuint(json_array_get_length(cs), ==, 2);
    for (i = 0; i < 2; i++) {
        JsonObject *c = json_array_get_object_element(cs, i);

        g_assert_cmpuint(json_array_get_length(
                             json_object_get_array_member(c, "groups")),
                         ==, 1);
        g_assert_cmpuint(json_array_get_length(vt_windows(c)), ==, 1);
        vt_assert_mirrors(c, &wa, 12, 0);
    }
    /* RAM is pinned once for the process, used by both containers. */
    g_assert_cmpuint(json_array_get_length(
                         json_object_get_array_member(st, "regions")), ==, 1);

    list = vt_query_vfio(m, &reply);
    g_assert_cmpuint(json_array_get_length(list), ==, 2);

    assert_dma_works(m, g, &a, 0x0a0a0a0a0a0a0a0aULL);
    assert_dma_works(m, g, &b, 0x0b0b0b0b0b0b0b0bULL);
    guest_free(g);
    vt_quit_clean(m);
}

/* v1: the host's default window is used as is; DMA works there. */
static void test_v1_default_window_dma(void)
{
    VsimMachine *m = vsim_machine_start(NULL, "iommu=v1",
        VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0");
    g_autoptr(JsonObject) st = vsim_machine_state(m);
    g_autoptr(JsonObject) reply = NULL;
    JsonObject *c, *q;
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);

    c = vt_only_container(st);
    g_assert_cmpstr(json_object_get_string_member(c, "iommu"), ==, "v1");
    g_assert_true(json_object_get_boolean_member(c, "enabled"));
    g_assert_cmpuint(vt_ioctl_calls(st, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY"),
                     ==, 0);
    g_assert_cmpuint(vt_ioctl_calls(st, "VFIO_IOMMU_SPAPR_TCE_CREATE"), ==,
                     0);
    q = json_array_get_object_element(vt_query_vfio(m, &reply), 0);
    g_assert_cmpstr(json_object_get_string_member(q, "iommu-type"), ==,
                    "sPAPR TCE v1");
    g_assert_cmpuint(vt_int(q, "registered-bytes"), ==, 0);

    assert_dma_works(m, g, &dev, 0x7171717171717171ULL);
    guest_free(g);
    vt_quit_clean(m);
}

/*
 * v1 cannot host a second window.  The query tells the guest no window
 * is available (and a create would fail with a hardware error), so the
 * guest keeps its default window, and the device keeps working
 * there: no failure, no event, mappings intact.
 */
static void test_v1_ddw_refused_guest_keeps_default_window(void)
{
    VsimMachine *m = vsim_machine_start(NULL, "iommu=v1",
        VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0");
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) st = NULL;
    uint64_t gpa = guest_alloc(g, VT_PAGE, VT_PAGE);
    uint64_t iova = guest_dma_map(g, &dev, gpa, VT_PAGE, TCE_RW);
    GuestWindow w, def;
    uint32_t avail = 0, mask = 0;
    JsonObject *q;

    g_assert_cmphex(iova, !=, 0);
    vt_dma_roundtrip(m, g, &dev, iova, gpa, VT_PAGE, 0x7272727272727272ULL);
    g_assert_false(guest_ddw_enable(g, &dev, 0, &w));

    /*
     * Nothing changed for the guest: the default window is active, and
     * the query offers no other (a v1 host IOMMU cannot mirror one).
     */
    g_assert_cmpint(guest_ddw_query(g, &dev, &avail, &mask), ==, 0);
    g_assert_cmpuint(avail, ==, 0);
    def = guest_default_window(g, &dev);
    g_assert_true(def.active);
    q = json_array_get_object_element(vt_query_vfio(m, &reply), 0);
    g_assert_false(json_object_get_boolean_member(q, "failed"));
    /*
     * A guest told "none available" clears and removes its default
     * window to make room, finds none either, and resets: the default
     * window is back, empty on both sides, and works.
     */
    st = vsim_machine_state(m);
    g_assert_cmpuint(vt_int(vt_window_at(vt_only_container(st), 0),
                            "mapped"), ==, 0);
    iova = guest_dma_map(g, &dev, gpa, VT_PAGE, TCE_RW);
    g_assert_cmphex(iova, !=, 0);
    vt_dma_roundtrip(m, g, &dev, iova, gpa, VT_PAGE, 0x1313131313131313ULL);
    guest_free(g);
    vt_quit_clean(m);
}

/* v1 takes one group per container: two groups, two containers. */
static void test_v1_two_groups_two_containers(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, "iommu=v1",
        VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=a"
        " -device vfio-pci,host=" VT_BDF1 ",id=b");
    g_autoptr(JsonObject) st = vsim_machine_state(m);
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    GuestDevice a, b;

    g_assert_cmpuint(json_array_get_length(vt_containers(st)), ==, 2);
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &a));
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 1, &b));
    assert_dma_works(m, g, &a, 0x7373737373737373ULL);
    assert_dma_works(m, g, &b, 0x7474747474747474ULL);
    guest_free(g);
    vt_quit_clean(m);
}

/* Unplugging one device of a shared group keeps the group for the other. */
static void test_hotplug_del_one_of_group(void)
{
    VsimMachine *m = vsim_machine_start(TWO_IN_GROUP1, NULL,
        VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=a"
        " -device vfio-pci,host=" VT_BDF1 ",id=b");
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    GuestDevice dev;

    vt_device_del(m, "a");
    {
        g_autoptr(JsonObject) st = vsim_machine_state(m);

        vt_only_container(st);
        g_assert_true(json_object_get_boolean_member(group_state(st, 1),
                                                     "open"));
    }
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &dev));
    assert_dma_works(m, g, &dev, 0x6b6b6b6b6b6b6b6bULL);
    vt_device_del(m, "b");
    vt_assert_host_idle(m);
    guest_free(g);
    vt_quit_clean(m);
}

/*
 * A device hotplugged behind a PHB whose guest already enabled DDW gets
 * both windows mirrored and the direct mapping replayed in runs.
 */
static void test_hotplug_after_ddw(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, NULL,
        VT_RAM_ARG " " PHB1 " -device vfio-pci,host=" VT_BDF0 ",id=a");
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    GuestDevice a, b;
    GuestWindow w, dw1;
    uint64_t gpa;

    /*
     * No device is behind PHB1 yet: the DDW calls name the PE by PHB
     * (BUID) and a config address, so use device a's slot on PHB1.
     */
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &a));
    b = a;
    b.phb_index = 1;
    b.buid = a.buid + 1;
    dw1 = guest_default_window(g, &b);
    g_assert_true(guest_ddw_enable(g, &b, 0, &w));
    vt_reset_counters(m);
    vt_device_add(m, "b", "'host': '" VT_BDF1 "', 'bus': 'phb1'");
    {
        g_autoptr(JsonObject) st = vsim_machine_state(m);
        JsonObject *c = json_array_get_object_element(vt_containers(st), 1);

        g_assert_cmpuint(json_array_get_length(vt_windows(c)), ==, 2);
        vt_assert_mirrors(c, &w, vt_host_page_shift(m),
                          VT_RAM >> vt_host_page_shift(m));
        vt_assert_mirrors(c, &dw1, 12, 0);
        g_assert_cmpuint(vt_ioctl_calls(st, "VFIO_IOMMU_MAP_DMA"), <=,
                         (VT_RAM >> w.page_shift) / 512 + 1);
    }
    g_assert_true(guest_find_device(g, 1, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &b));
    gpa = vt_alloc_pattern(m, g, 64 * 1024, 0x17);
    vt_dma_roundtrip(m, g, &b, guest_ddw_iova(&w, gpa), gpa, 64 * 1024,
                     0x1818181818181818ULL);
    guest_free(g);
    vt_quit_clean(m);
}

/* device_add, DMA, device_del: everything released while running. */
static void test_hotplug_add_del(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, VT_RAM_ARG);
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    GuestDevice dev;

    g_assert_null(m->ctl);
    vt_device_add(m, "hp0", "'host': '" VT_BDF0 "'");
    vsim_machine_control(m);
    {
        g_autoptr(JsonObject) st = vsim_machine_state(m);
        JsonObject *c = vt_only_container(st);

        g_assert_cmpstr(json_object_get_string_member(c, "iommu"), ==,
                        "v2");
        g_assert_cmpuint(json_array_get_length(vt_windows(c)), ==, 1);
    }
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &dev));
    assert_dma_works(m, g, &dev, 0x4848484848484848ULL);

    vt_device_del(m, "hp0");
    vt_assert_host_idle(m);
    g_assert_false(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                     DMA_ENGINE_DEVICE, 0, &dev));

    /* And again: nothing stale blocks a second attach. */
    vt_device_add(m, "hp1", "'host': '" VT_BDF0 "'");
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &dev));
    assert_dma_works(m, g, &dev, 0x4949494949494949ULL);
    vt_device_del(m, "hp1");
    vt_assert_host_idle(m);
    guest_free(g);
    vt_quit_clean(m);
}

/* bus= and addr= place the device; its PHB gets its own container. */
static void test_hotplug_bus_addr(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, NULL,
        VT_RAM_ARG " " PHB1 " -device vfio-pci,host=" VT_BDF0 ",id=a");
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    GuestDevice dev;

    vt_device_add(m, "b", "'host': '" VT_BDF1 "', 'bus': 'phb1', "
                  "'addr': '5'");
    {
        g_autoptr(JsonObject) st = vsim_machine_state(m);

        g_assert_cmpuint(json_array_get_length(vt_containers(st)), ==, 2);
    }
    g_assert_true(guest_find_device(g, 1, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &dev));
    g_assert_cmphex(dev.config_addr, ==, 5 << 11);
    assert_dma_works(m, g, &dev, 0x5555555555555555ULL);
    vt_device_del(m, "b");
    {
        g_autoptr(JsonObject) st = vsim_machine_state(m);

        g_assert_cmpuint(json_array_get_length(vt_containers(st)), ==, 1);
        g_assert_false(json_object_get_boolean_member(group_state(st, 2),
                                                      "open"));
        g_assert_true(json_object_get_boolean_member(group_state(st, 1),
                                                     "open"));
    }
    guest_free(g);
    vt_quit_clean(m);
}

/* sysfsdev=: the group comes from the directory's iommu_group link. */
static void test_hotplug_sysfsdev(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vfio-sysfs-XXXXXX", &err);
    g_autofree char *groups = NULL, *grp = NULL, *devdir = NULL;
    g_autofree char *link = NULL, *props = NULL;
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;

    g_assert_no_error(err);
    groups = g_build_filename(dir, "iommu_groups", NULL);
    grp = g_build_filename(groups, "1", NULL);
    devdir = g_build_filename(dir, VT_BDF0, NULL);
    link = g_build_filename(devdir, "iommu_group", NULL);
    g_assert_cmpint(g_mkdir_with_parents(grp, 0700), ==, 0);
    g_assert_cmpint(g_mkdir(devdir, 0700), ==, 0);
    g_assert_cmpint(symlink("../iommu_groups/1", link), ==, 0);

    m = vsim_machine_start(NULL, NULL, VT_RAM_ARG);
    g = guest_new(m->qts, VT_RAM);
    props = g_strdup_printf("'sysfsdev': '%s/'", devdir);
    vt_device_add(m, "s0", props);
    vsim_machine_control(m);
    {
        g_autoptr(JsonObject) reply = NULL;
        JsonObject *q = json_array_get_object_element(
            vt_query_vfio(m, &reply), 0);
        JsonArray *devs = json_object_get_array_member(q, "devices");

        g_assert_cmpstr(json_array_get_string_element(devs, 0), ==,
                        VT_BDF0);
    }
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &dev));
    assert_dma_works(m, g, &dev, 0x5f5f5f5f5f5f5f5fULL);
    vt_device_del(m, "s0");
    vt_assert_host_idle(m);
    guest_free(g);
    vt_quit_clean(m);

    g_unlink(link);
    g_rmdir(devdir);
    g_rmdir(grp);
    g_rmdir(groups);
    g_rmdir(dir);
}

/*
 * TCEs the guest set before the device arrived are replayed on attach,
 * and only those: two runs, two MAP_DMA.
 */
static void test_hotplug_replays_existing_tces(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, NULL,
        VT_RAM_ARG " " PHB1 " -device vfio-pci,host=" VT_BDF0 ",id=a");
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    const uint32_t liobn1 = 0x80000100;
    uint64_t tces[64];
    uint64_t gpa = vt_alloc_pattern(m, g, 128 * VT_PAGE, 0x99);
    GuestDevice dev;
    DmaResult r;
    unsigned i;

    for (i = 0; i < 64; i++) {
        tces[i] = (gpa + i * VT_PAGE) | TCE_RW;
    }
    g_assert_cmpint(guest_put_tce_indirect(g, liobn1, 0x100000, tces, 64),
                    ==, H_SUCCESS);
    g_assert_cmpint(guest_put_tce(g, liobn1, 0x800000,
                                  (gpa + 100 * VT_PAGE) | TCE_READ), ==,
                    H_SUCCESS);
    vt_reset_counters(m);
    vt_device_add(m, "b", "'host': '" VT_BDF1 "', 'bus': 'phb1'");
    {
        g_autoptr(JsonObject) st = vsim_machine_state(m);

        g_assert_cmpuint(vt_ioctl_calls(st, "VFIO_IOMMU_MAP_DMA"), ==, 2);
    }
    g_assert_true(guest_find_device(g, 1, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &dev));
    r = dma_engine_checksum(g, &dev, 0x100000, 64 * VT_PAGE);
    vt_assert_dma_ok(r, 64 * VT_PAGE);
    g_assert_cmphex(r.result, ==, vt_ram_fnv(m, gpa, 64 * VT_PAGE));
    r = dma_engine_checksum(g, &dev, 0x800000, VT_PAGE);
    vt_assert_dma_ok(r, VT_PAGE);
    g_assert_cmphex(r.result, ==, vt_ram_fnv(m, gpa + 100 * VT_PAGE,
                                             VT_PAGE));
    r = dma_engine_fill(g, &dev, 0x800000, VT_PAGE, 0);
    vt_assert_dma_fault(r, VT_ERR_PERMISSION, 0x800000);
    guest_free(g);
    vt_quit_clean(m);
}

/* query-vfio and "info vfio": container, type, groups, windows, bytes. */
static void test_query_and_info_vfio(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL,
        VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0");
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    g_autoptr(JsonObject) r0 = NULL;
    g_autoptr(JsonObject) r1 = NULL;
    g_autofree char *info = NULL;
    g_autofree char *info2 = NULL;
    JsonObject *q, *w;
    JsonArray *ws, *groups;
    GuestWindow ddw;

    q = json_array_get_object_element(vt_query_vfio(m, &r0), 0);
    g_assert_cmpstr(json_object_get_string_member(q, "iommu-type"), ==,
                    "sPAPR TCE v2");
    g_assert_false(json_object_get_boolean_member(q, "failed"));
    groups = json_object_get_array_member(q, "groups");
    g_assert_cmpuint(json_array_get_length(groups), ==, 1);
    g_assert_cmpint(json_array_get_int_element(groups, 0), ==, 1);
    g_assert_cmpuint(vt_int(q, "registered-bytes"), ==, VT_RAM);
    ws = json_object_get_array_member(q, "windows");
    g_assert_cmpuint(json_array_get_length(ws), ==, 1);
    w = json_array_get_object_element(ws, 0);
    g_assert_cmphex(vt_int(w, "start"), ==, 0);
    g_assert_cmphex(vt_int(w, "size"), ==, 1ULL << 30);
    g_assert_cmphex(vt_int(w, "page-size"), ==, VT_PAGE);

    info = qtest_hmp(m->qts, "info vfio");
    g_assert_nonnull(strstr(info, "sPAPR TCE v2"));
    g_assert_nonnull(strstr(info, "groups: 1\n"));
    g_assert_nonnull(strstr(info, "registered: 536870912 bytes"));
    g_assert_nonnull(strstr(info, "window 0x0000000000000000-"
                                  "0x000000003fffffff page 0x1000"));

    g_assert_true(guest_ddw_enable(g, &dev, 0, &ddw));
    q = json_array_get_object_element(vt_query_vfio(m, &r1), 0);
    ws = json_object_get_array_member(q, "windows");
    g_assert_cmpuint(json_array_get_length(ws), ==, 2);
    info2 = qtest_hmp(m->qts, "info vfio");
    {
        g_autofree char *line = g_strdup_printf(
            "window 0x%016" PRIx64 "-0x%016" PRIx64, ddw.bus_start,
            ddw.bus_start + ddw.size - 1);

        g_assert_nonnull(strstr(info2, line));
    }
    guest_free(g);
    vt_quit_clean(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/topology/one-group-two-devices/one-container",
                    test_two_devices_one_group);
    g_test_add_func("/vfio/topology/two-phbs/two-containers",
                    test_two_phbs_two_containers);
    g_test_add_func("/vfio/topology/v1/default-window-dma",
                    test_v1_default_window_dma);
    g_test_add_func("/vfio/topology/v1/ddw-refused-guest-keeps-default-"
                    "window", test_v1_ddw_refused_guest_keeps_default_window);
    g_test_add_func("/vfio/topology/v1/two-groups-two-containers",
                    test_v1_two_groups_two_containers);
    g_test_add_func("/vfio/topology/hotplug/del-one-of-shared-group",
                    test_hotplug_del_one_of_group);
    g_test_add_func("/vfio/topology/hotplug/after-guest-ddw-replayed",
                    test_hotplug_after_ddw);
    g_test_add_func("/vfio/topology/hotplug/add-del-releases-all",
                    test_hotplug_add_del);
    g_test_add_func("/vfio/topology/hotplug/bus-addr-own-container",
                    test_hotplug_bus_addr);
    g_test_add_func("/vfio/topology/hotplug/sysfsdev",
                    test_hotplug_sysfsdev);
    g_test_add_func("/vfio/topology/hotplug/replays-existing-tces",
                    test_hotplug_replays_existing_tces);
    g_test_add_func("/vfio/topology/query-vfio-and-info-vfio",
                    test_query_and_info_vfio);
    return g_test_run();
}
