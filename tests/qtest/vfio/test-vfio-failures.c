/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * End-to-end host failures: at device creation (REGISTER_MEMORY over the
 * locked-memory limit, TCE_CREATE refused) the device fails with the
 * ioctl and errno named and nothing stays registered, mapped or open;
 * at run time (MAP_DMA refused) the device is marked failed, a QMP event
 * is sent, the process lives on and the device can no longer reach
 * guest RAM.
 */
#include <errno.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "vfio-e2e.h"

#define DEV_ARGS VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0"
#define PHB1     "-device spapr-pci-host-bridge,index=1,id=phb1"
#define TWO_GROUPS VT_BDF0 "=dma-engine@1," VT_BDF1 "=dma-engine@2"

/* device_add that must fail; returns its error text. */
static char *device_add_fails(VsimMachine *m, const char *props)
{
    g_autoptr(JsonObject) r = qtest_qmp(m->qts,
        "{'execute': 'device_add', 'arguments': {'driver': 'vfio-pci', "
        "'id': 'bad', %s}}", props);
    const char *desc = qtest_qmp_error_desc(r);

    g_assert_nonnull(desc);
    g_test_message("device_add error: %s", desc);
    return g_strdup(desc);
}

static void assert_alive(VsimMachine *m)
{
    g_autoptr(JsonObject) r = qtest_qmp(m->qts,
                                        "{'execute': 'query-status'}");

    g_assert_null(qtest_qmp_error_desc(r));
}

/*
 * Cold plug with too little locked memory: spapr-vfio exits 1 with the
 * ioctl and errno in its message, and the host is left clean.
 */
static void test_register_enomem_coldplug(void)
{
    const char *bin = g_getenv("QTEST_SPAPR_VFIO_BINARY");
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vfio-fail-XXXXXX", &err);
    g_autofree char *build = NULL, *run = NULL, *report = NULL;
    g_autofree char *out = NULL, *errout = NULL, *json = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    int status;
    char *argv[] = {
        NULL, "--device", VT_BDF0 "=dma-engine@1",
        "--host", "memlock=64m", "--report", NULL, "--", NULL,
        "-nodefaults", "-m", "512M", "-device",
        "vfio-pci,host=" VT_BDF0, NULL,
    };

    g_assert_no_error(err);
    g_assert_nonnull(bin);
    build = g_path_get_dirname(bin);
    run = g_build_filename(build, "..", "contrib", "vfio-sim",
                           "vfio-sim-run", NULL);
    report = g_build_filename(dir, "report.json", NULL);
    argv[0] = run;
    argv[6] = report;
    argv[8] = (char *)bin;
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &out, &errout, &status, &err));
    g_assert_no_error(err);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(errout, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY"));
    g_assert_nonnull(strstr(errout, g_strerror(ENOMEM)));
    /* Exit status 1 must come from the failure, not from a sanitizer. */
    g_assert_null(strstr(errout, "Sanitizer"));

    g_assert_true(g_file_get_contents(report, &json, NULL, &err));
    g_assert_true(json_parser_load_from_data(parser, json, -1, &err));
    g_assert_no_error(err);
    vsim_report_assert_clean(json_node_get_object(
                                 json_parser_get_root(parser)));
    g_unlink(report);
    g_rmdir(dir);
}

/* The same at hotplug: device_add fails, the machine runs on. */
static void test_register_enomem_hotplug(void)
{
    VsimMachine *m = vsim_machine_start(NULL, "memlock=64m", VT_RAM_ARG);
    g_autofree char *msg = device_add_fails(m, "'host': '" VT_BDF0 "'");

    g_assert_nonnull(strstr(msg, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY"));
    g_assert_nonnull(strstr(msg, g_strerror(ENOMEM)));
    vt_assert_host_idle(m);
    assert_alive(m);
    vt_quit_clean(m);
}

/*
 * An injected REGISTER failure for a second container (new PHB): that
 * device fails, the first container is untouched and keeps working.
 */
static void test_register_fault_second_container(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, NULL,
                                        DEV_ARGS " " PHB1);
    g_autofree char *msg = NULL;
    g_autoptr(JsonObject) st = NULL;
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    JsonObject *c;
    uint64_t gpa, iova;

    vt_fault(m, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY", "ENOMEM");
    msg = device_add_fails(m, "'host': '" VT_BDF1 "', 'bus': 'phb1'");
    g_assert_nonnull(strstr(msg, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY"));
    g_assert_nonnull(strstr(msg, g_strerror(ENOMEM)));

    st = vsim_machine_state(m);
    c = vt_only_container(st);
    g_assert_cmpuint(json_array_get_length(
                         json_object_get_array_member(c, "regions")), ==, 1);
    g_assert_cmpuint(json_array_get_length(vt_windows(c)), ==, 1);

    gpa = guest_alloc(g, VT_PAGE, VT_PAGE);
    iova = guest_dma_map(g, &dev, gpa, VT_PAGE, TCE_RW);
    vt_dma_roundtrip(m, g, &dev, iova, gpa, VT_PAGE, 0x3c3c3c3c3c3c3c3cULL);
    guest_free(g);
    vt_quit_clean(m);
}

/* TCE_CREATE refused for the first window: nothing stays behind. */
static void test_tce_create_failure(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, NULL,
                                        DEV_ARGS " " PHB1);
    g_autofree char *msg = NULL;
    g_autoptr(JsonObject) st = NULL;
    JsonArray *regions;

    vt_fault(m, "VFIO_IOMMU_SPAPR_TCE_CREATE", "ENOSPC");
    msg = device_add_fails(m, "'host': '" VT_BDF1 "', 'bus': 'phb1'");
    g_assert_nonnull(strstr(msg, "VFIO_IOMMU_SPAPR_TCE_CREATE"));
    g_assert_nonnull(strstr(msg, g_strerror(ENOSPC)));

    st = vsim_machine_state(m);
    vt_only_container(st);
    regions = json_object_get_array_member(st, "regions");
    g_assert_cmpuint(json_array_get_length(regions), ==, 1);
    g_assert_cmpuint(vt_int(json_array_get_object_element(regions, 0),
                            "users"), ==, 1);
    assert_alive(m);

    /* The device can be added once the host agrees. */
    vt_device_add(m, "good", "'host': '" VT_BDF1 "', 'bus': 'phb1'");
    vt_device_del(m, "good");
    vt_quit_clean(m);
}

/* ENOMEM from TCE_CREATE is retried with a deeper table. */
static void test_tce_create_enomem_retried_deeper(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, NULL,
                                        DEV_ARGS " " PHB1);
    g_autoptr(JsonObject) st0 = vsim_machine_state(m);
    g_autoptr(JsonObject) st = NULL;
    JsonObject *w0, *w1;

    w0 = json_array_get_object_element(vt_windows(vt_only_container(st0)),
                                       0);
    vt_fault(m, "VFIO_IOMMU_SPAPR_TCE_CREATE", "ENOMEM");
    vt_device_add(m, "b", "'host': '" VT_BDF1 "', 'bus': 'phb1'");
    st = vsim_machine_state(m);
    g_assert_cmpuint(json_array_get_length(vt_containers(st)), ==, 2);
    w1 = json_array_get_object_element(vt_windows(
             json_array_get_object_element(vt_containers(st), 1)), 0);
    g_assert_cmpuint(vt_int(w1, "levels"), ==, vt_int(w0, "levels") + 1);
    g_assert_cmpuint(vt_ioctl_errors(st, "VFIO_IOMMU_SPAPR_TCE_CREATE"), ==,
                     1);
    vt_quit_clean(m);
}

/*
 * MAP_DMA refused at run time: VFIO_DEVICE_FAILED, the container shows
 * failed, the guest's own TCE stays as it wrote it, the device can no
 * longer reach guest RAM at all, and the process stays up.
 */
static void test_runtime_map_failure(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    GuestWindow dw = guest_default_window(g, &dev);
    g_autoptr(JsonObject) ev = NULL;
    g_autoptr(JsonObject) reply = NULL;
    JsonObject *data, *q;
    uint64_t a, b, iova_a, iova_b, tce = 0, before;
    DmaResult r;

    a = vt_alloc_pattern(m, g, VT_PAGE, 0x10);
    b = vt_alloc_pattern(m, g, VT_PAGE, 0x20);
    before = vt_ram_fnv(m, a, VT_PAGE);
    iova_a = guest_dma_map(g, &dev, a, VT_PAGE, TCE_RW);
    g_assert_cmphex(iova_a, !=, 0);
    r = dma_engine_checksum(g, &dev, iova_a, VT_PAGE);
    vt_assert_dma_ok(r, VT_PAGE);

    vt_fault(m, "VFIO_IOMMU_MAP_DMA", "EFAULT");
    iova_b = dw.bus_start + 200 * VT_PAGE;
    g_assert_cmpint(guest_put_tce(g, dw.liobn, iova_b, b | TCE_RW), ==,
                    H_SUCCESS);
    ev = qtest_qmp_eventwait(m->qts, "VFIO_DEVICE_FAILED");
    data = json_object_get_object_member(ev, "data");
    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==,
                    "dev0");
    assert_alive(m);

    /* The guest's table holds what it wrote. */
    g_assert_cmpint(guest_get_tce(g, dw.liobn, iova_b, &tce), ==,
                    H_SUCCESS);
    g_assert_cmphex(tce, ==, b | TCE_RW);
    q = json_array_get_object_element(vt_query_vfio(m, &reply), 0);
    g_assert_true(json_object_get_boolean_member(q, "failed"));

    /* The device reaches neither the new nor the old mapping. */
    r = dma_engine_checksum(g, &dev, iova_b, VT_PAGE);
    g_assert_cmpuint(r.status, ==, VT_DMA_ERROR);
    r = dma_engine_fill(g, &dev, iova_a, VT_PAGE, 0);
    g_assert_cmpuint(r.status, ==, VT_DMA_ERROR);
    g_assert_cmphex(vt_ram_fnv(m, a, VT_PAGE), ==, before);

    /* Guest TCE calls keep working and touch no host state. */
    g_assert_true(guest_dma_unmap(g, &dev, iova_a, VT_PAGE));
    g_assert_cmpint(guest_stuff_tce(g, dw.liobn, iova_b, 0, 1), ==,
                    H_SUCCESS);
    assert_alive(m);
    guest_free(g);
    vt_quit_clean(m);
}

/*
 * UNMAP_DMA refused at run time: the host would keep a page the guest
 * took back.  The device is failed: bus mastering goes off on the device
 * first, then the host tables are cleared, so the stale mapping is gone
 * as well.
 */
static void test_runtime_unmap_failure(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    g_autoptr(JsonObject) ev = NULL;
    g_autoptr(JsonObject) st = NULL;
    uint64_t gpa = vt_alloc_pattern(m, g, 4 * VT_PAGE, 0x61);
    uint64_t before = vt_ram_fnv(m, gpa, 4 * VT_PAGE);
    uint64_t iova = guest_dma_map(g, &dev, gpa, 4 * VT_PAGE, TCE_RW);
    DmaResult r;

    g_assert_cmphex(iova, !=, 0);
    vt_fault(m, "VFIO_IOMMU_UNMAP_DMA", "EINVAL");
    g_assert_true(guest_dma_unmap(g, &dev, iova, 4 * VT_PAGE));
    ev = qtest_qmp_eventwait(m->qts, "VFIO_DEVICE_FAILED");
    st = vsim_machine_state(m);
    g_assert_cmpuint(vt_int(vt_window_at(vt_only_container(st), 0),
                            "mapped"), ==, 0);
    r = dma_engine_fill(g, &dev, iova, 4 * VT_PAGE, 0);
    vt_assert_dma_fault(r, VT_ERR_BUS_MASTER, iova);
    g_assert_cmphex(vt_ram_fnv(m, gpa, 4 * VT_PAGE), ==, before);
    assert_alive(m);
    guest_free(g);
    vt_quit_clean(m);
}

/*
 * SIGTERM with a DDW and mappings in place: an orderly exit that removes
 * every window it created and unregisters every region it registered
 * (not merely closing the fds and letting the host clean up).
 */
static void test_sigterm_teardown(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    uint64_t gpa = guest_alloc(g, 16 * VT_PAGE, VT_PAGE);
    GuestWindow w;
    JsonObject *report;
    int status;

    g_assert_cmphex(guest_dma_map(g, &dev, gpa, 16 * VT_PAGE, TCE_RW), !=,
                    0);
    g_assert_true(guest_ddw_enable(g, &dev, 0, &w));
    guest_free(g);

    g_clear_pointer(&m->ctl, vsim_control_close);
    status = qtest_quit(m->qts);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_true(json_parser_load_from_file(parser, m->report_path, &err));
    g_assert_no_error(err);
    report = json_node_get_object(json_parser_get_root(parser));
    vsim_report_assert_clean(report);
    g_assert_cmpuint(vt_ioctl_calls(report,
                                    "VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY"),
                     ==, vt_ioctl_calls(report,
                                        "VFIO_IOMMU_SPAPR_REGISTER_MEMORY"));
    /* The host's default window at setup, then each window we made. */
    g_assert_cmpuint(vt_ioctl_calls(report, "VFIO_IOMMU_SPAPR_TCE_REMOVE"),
                     ==, 1 + vt_ioctl_calls(report,
                                            "VFIO_IOMMU_SPAPR_TCE_CREATE"));
    g_assert_cmpuint(vt_ioctl_errors(report, "VFIO_IOMMU_SPAPR_TCE_REMOVE"),
                     ==, 0);
    g_assert_cmpuint(vt_ioctl_errors(report,
                                     "VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY"),
                     ==, 0);

    g_unlink(m->report_path);
    g_unlink(m->control_path);
    g_rmdir(m->dir);
    g_free(m->dir);
    g_free(m->control_path);
    g_free(m->report_path);
    g_free(m);
}

/* A group's devices must share one address space (one PHB). */
static void test_group_split_across_phbs(void)
{
    VsimMachine *m = vsim_machine_start(VT_BDF0 "=dma-engine@1,"
                                        VT_BDF1 "=dma-engine@1", NULL,
                                        DEV_ARGS " " PHB1);
    g_autofree char *msg = device_add_fails(m, "'host': '" VT_BDF1 "', "
                                            "'bus': 'phb1'");
    g_autoptr(JsonObject) st = NULL;

    g_assert_nonnull(strstr(msg, "group 1"));
    st = vsim_machine_state(m);
    vt_only_container(st);
    assert_alive(m);
    vt_quit_clean(m);
}

static void test_bad_host_property(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    g_autofree char *m1 = device_add_fails(m, "'host': 'nonsense'");
    g_autofree char *m2 = device_add_fails(m, "'host': '" VT_BDF0 "', "
                                           "'sysfsdev': '/tmp'");
    g_autofree char *m3 = device_add_fails(m, "'host': '0001:00:07.0'");

    g_assert_nonnull(strstr(m1, "nonsense"));
    g_assert_nonnull(strstr(m2, "not both"));
    g_assert_nonnull(strstr(m3, "0001:00:07.0"));
    {
        g_autoptr(JsonObject) st = vsim_machine_state(m);

        vt_only_container(st);
    }
    vt_quit_clean(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/failures/init/register-enomem-coldplug-exits",
                    test_register_enomem_coldplug);
    g_test_add_func("/vfio/failures/init/register-enomem-hotplug",
                    test_register_enomem_hotplug);
    g_test_add_func("/vfio/failures/init/register-fault-second-container",
                    test_register_fault_second_container);
    g_test_add_func("/vfio/failures/init/tce-create-refused",
                    test_tce_create_failure);
    g_test_add_func("/vfio/failures/init/tce-create-enomem-retried-deeper",
                    test_tce_create_enomem_retried_deeper);
    g_test_add_func("/vfio/failures/runtime/map-dma-marks-device-failed",
                    test_runtime_map_failure);
    g_test_add_func("/vfio/failures/runtime/unmap-dma-clears-stale-mappings",
                    test_runtime_unmap_failure);
    g_test_add_func("/vfio/failures/teardown/sigterm-removes-and-unregisters",
                    test_sigterm_teardown);
    g_test_add_func("/vfio/failures/init/group-split-across-phbs",
                    test_group_split_across_phbs);
    g_test_add_func("/vfio/failures/init/bad-host-property",
                    test_bad_host_property);
    return g_test_run();
}
