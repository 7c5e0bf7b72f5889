/*
 * vfio-sim: the control channel (state, tces, fault, dma,
 * reset-counters), the exit report, host settings (memlock, leak,
 * iommu=) and the vfio-sim-run launcher.  Settings that are read once per
 * process are checked in child processes of this program.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <sys/wait.h>
#include "vsim-test.h"

static const char *self;

static void test_fault_fails_nth_call_once(void)
{
    g_autoptr(GError) err = NULL;
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(MiB, 64 * KiB);
    g_autoptr(JsonObject) st = NULL;
    JsonObject *cnt;

    g_assert_true(vsim_control_reset_counters(ctl(), &err));
    g_assert_true(vsim_control_fault(ctl(), "VFIO_IOMMU_SPAPR_REGISTER_MEMORY",
                                     2, "ENOMEM", &err));
    g_assert_no_error(err);
    g_assert_cmpint(reg_mem(c, m, 64 * KiB), ==, 0);
    g_assert_cmpint(reg_mem(c, m + 64 * KiB, 64 * KiB), ==, -ENOMEM);
    g_assert_cmpint(reg_mem(c, m + 64 * KiB, 64 * KiB), ==, 0);
    g_assert_true(vsim_control_fault(ctl(), "IOMMU_MAP_DMA", 1, "EIO",
                                     &err));
    g_assert_cmpint(map_dma(c, m, 0, 4096, RW), ==, -EIO);
    g_assert_cmpint(map_dma(c, m, 0, 4096, RW), ==, 0);
    st = state();
    cnt = json_object_get_object_member(
        json_object_get_object_member(st, "ioctls"),
        "VFIO_IOMMU_SPAPR_REGISTER_MEMORY");
    g_assert_cmpint(json_object_get_int_member(cnt, "calls"), ==, 3);
    g_assert_cmpint(json_object_get_int_member(cnt, "errors"), ==, 1);
    g_assert_false(vsim_control_fault(ctl(), "VFIO_NOPE", 1, "EIO", &err));
    g_assert_nonnull(err);
    close(g);
    close(c);
    munmap(m, MiB);
}

static JsonObject *ioctl_counter(JsonObject *st, const char *name)
{
    JsonObject *cnt = json_object_get_object_member(
        json_object_get_object_member(st, "ioctls"), name);

    g_assert_nonnull(cnt);
    return cnt;
}

/*
 * The hot-reset ioctls have counters of their own (not "other"), and an
 * armed fault shows in its ioctl's counter until it fires.
 */
static void test_state_counts_hot_reset_and_armed_faults(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) st = NULL;
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    int dev = enable_bus_master(g, BDF0);
    struct vfio_pci_hot_reset_info info = { .argsz = sizeof(info) };
    struct {
        struct vfio_pci_hot_reset h;
        int32_t fd;
    } hr = { { .argsz = sizeof(hr), .count = 1 }, g };
    JsonObject *cnt;

    g_assert_true(vsim_control_reset_counters(ctl(), &err));
    g_assert_true(vsim_control_fault(ctl(), "VFIO_DEVICE_PCI_HOT_RESET", 2,
                                     "EIO", &err));
    g_assert_no_error(err);
    /* too small for the one device: ENOSPC, an error */
    g_assert_cmpint(xioctl(dev, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info),
                    ==, -ENOSPC);
    g_assert_cmpint(xioctl(dev, VFIO_DEVICE_PCI_HOT_RESET, &hr), ==, 0);
    st = state();
    cnt = ioctl_counter(st, "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO");
    g_assert_cmpint(json_object_get_int_member(cnt, "calls"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(cnt, "errors"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(cnt, "fault_nth"), ==, 0);
    cnt = ioctl_counter(st, "VFIO_DEVICE_PCI_HOT_RESET");
    g_assert_cmpint(json_object_get_int_member(cnt, "calls"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(cnt, "errors"), ==, 0);
    /* armed for the 2nd call, one made: it fails the next one */
    g_assert_cmpint(json_object_get_int_member(cnt, "fault_nth"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(cnt, "fault_errno"), ==, EIO);
    g_assert_cmpint(json_object_get_int_member(ioctl_counter(st, "other"),
                                               "calls"), ==, 0);
    g_clear_pointer(&st, json_object_unref);

    g_assert_cmpint(xioctl(dev, VFIO_DEVICE_PCI_HOT_RESET, &hr), ==, -EIO);
    st = state();
    cnt = ioctl_counter(st, "VFIO_DEVICE_PCI_HOT_RESET");
    g_assert_cmpint(json_object_get_int_member(cnt, "calls"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(cnt, "errors"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(cnt, "fault_nth"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(cnt, "fault_errno"), ==, 0);
    close(dev);
    close(g);
    close(c);
}

static void test_dma_request_goes_through_iommu(void)
{
    g_autoptr(GError) err = NULL;
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    int dev = enable_bus_master(g, BDF0);
    uint8_t *m = alloc_aligned(MiB, 64 * KiB);
    g_autoptr(JsonObject) r = NULL;

    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    g_assert_cmpint(map_dma(c, m, 0, 64 * KiB, VFIO_DMA_MAP_FLAG_READ), ==, 0);
    g_assert_cmpint(map_dma(c, m + 64 * KiB, 64 * KiB, 64 * KiB, RW), ==, 0);
    memset(m, 0x5a, 4096);
    r = vsim_control_dma(ctl(), BDF0, "copy", 0, 64 * KiB, 4096, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(r, "status"), ==, "done");
    g_assert_cmpint(m[64 * KiB + 4095], ==, 0x5a);
    g_clear_pointer(&r, json_object_unref);
    r = vsim_control_dma(ctl(), BDF0, "fill", 0, 0, 16, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(r, "status"), ==, "error");
    g_assert_cmpstr(json_object_get_string_member(r, "error"), ==,
                    "permission");
    g_assert_cmpint(json_object_get_int_member(r, "error_iova"), ==, 0);
    g_assert_cmpint(m[0], ==, 0x5a);
    close(dev);
    close(g);
    close(c);
    munmap(m, MiB);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}

/*
 * A checksum from 2^63 up is not a JSON integer: "result_hex" carries
 * it unsigned ("result" keeps its bits, negative); 64-bit arguments may
 * be strings, so a pattern from 2^63 up needs no negative number.
 */
static void test_dma_result_is_unsigned_safe(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) r = NULL;
    g_autoptr(JsonObject) a = json_object_new();
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    int dev = enable_bus_master(g, BDF0);
    uint8_t *m = alloc_aligned(MiB, 64 * KiB);
    uint64_t want;
    unsigned i;

    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    g_assert_cmpint(map_dma(c, m, 0, 64 * KiB, RW), ==, 0);
    for (i = 0; i < 256; i++) {
        memset(m, i, 8);
        if (fnv1a(m, 8) >> 63) {
            break;
        }
    }
    g_assert_cmpuint(i, <, 256);
    want = fnv1a(m, 8);
    r = vsim_control_dma(ctl(), BDF0, "checksum", 0, 0, 8, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(r, "status"), ==, "done");
    g_assert_cmphex(vsim_control_dma_result(r), ==, want);
    g_assert_cmphex(g_ascii_strtoull(json_object_get_string_member(
                        r, "result_hex"), NULL, 16), ==, want);
    g_assert_cmpint(json_object_get_int_member(r, "result"), <, 0);
    g_assert_cmphex(json_object_get_int_member(r, "result"), ==, want);
    g_clear_pointer(&r, json_object_unref);

    /* arguments as strings: a fill with a pattern from 2^63 up */
    json_object_set_string_member(a, "op", "fill");
    json_object_set_string_member(a, "dst", "0x1000");
    json_object_set_string_member(a, "len", "8");
    json_object_set_string_member(a, "pattern", "0xfedcba9876543210");
    r = vsim_control_request(ctl(), "dma", a, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(r, "status"), ==, "done");
    g_assert_cmphex(*(uint64_t *)(m + 0x1000), ==,
                    GUINT64_TO_LE(0xfedcba9876543210ULL));
    g_assert_cmpint(unmap_dma(c, 0, 64 * KiB), ==, 0);
    close(dev);
    close(g);
    close(c);
    munmap(m, MiB);
}

static void test_tces_are_run_length_compressed(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(MiB, 64 * KiB);
    g_autoptr(JsonObject) w = NULL;
    JsonArray *e;

    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    g_assert_cmpint(map_dma(c, m, 0, 40960, RW), ==, 0);
    g_assert_cmpint(map_dma(c, m + 40960, 40960, 8192,
                            VFIO_DMA_MAP_FLAG_READ), ==, 0);
    g_assert_cmpint(map_dma(c, m, 1 * MiB, 4096, RW), ==, 0);
    w = tces(0, 0);
    e = json_object_get_array_member(w, "entries");
    g_assert_cmpint(json_array_get_length(e), ==, 3);
    g_assert_cmpint(json_object_get_int_member(
                        json_array_get_object_element(e, 0), "pages"), ==, 10);
    g_assert_cmpstr(json_object_get_string_member(
                        json_array_get_object_element(e, 1), "perm"), ==, "r");
    g_assert_cmpint(json_object_get_int_member(
                        json_array_get_object_element(e, 2), "iova"), ==, MiB);
    close(g);
    close(c);
    munmap(m, MiB);
}

/* ---- children: one configuration per process ---- */

static int child_main(const char *mode)
{
    int g, c;
    uint8_t *m = alloc_aligned(16 * MiB, 64 * KiB);

    if (!strcmp(mode, "memlock")) {
        c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
        g_assert_cmpint(reg_mem(c, m, 16 * MiB), ==, -ENOMEM);
        g_assert_cmpint(reg_mem(c, m, 4 * MiB), ==, 0);
        /* mm_iommu_do_alloc charges before its overlap check */
        g_assert_cmpint(reg_mem(c, m + 2 * MiB, 8 * MiB), ==, -ENOMEM);
        /* the pending default window (8 MiB of table) comes first */
        g_assert_cmpint(tce_create(c, 16, 1ULL << 30, 1, NULL), ==, -ENOMEM);
        g_assert_cmpint(tce_remove(c, 0), ==, 0);
        /* 2^40 / 64 KiB entries of 8 bytes: 128 MiB of table, doubled */
        g_assert_cmpint(tce_create(c, 16, 1ULL << 40, 2, NULL), ==, -ENOMEM);
        g_assert_cmpint(tce_create(c, 16, 1ULL << 30, 1, NULL), ==, 0);
    } else if (!strcmp(mode, "leak")) {
        /*
         * tce_iommu_unregister_pages / mm_iommu_put: the region leaves
         * the container but stays in the process's list until exit.
         */
        g_autoptr(JsonObject) cs = NULL;
        g_autoptr(JsonObject) st = NULL;
        JsonObject *reg;
        int64_t base;

        c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
        g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
        g_assert_cmpint(map_dma(c, m, 0, 8192, RW), ==, 0);
        base = locked_bytes();
        g_assert_cmpint(unreg_mem(c, m, MiB), ==, 0);
        g_assert_cmpint(unreg_mem(c, m, MiB), ==, -ENOENT);
        cs = container_state(-1);
        g_assert_cmpint(json_array_get_length(
                            json_object_get_array_member(cs, "regions")),
                        ==, 0);
        st = state();
        reg = json_array_get_object_element(
            json_object_get_array_member(st, "regions"), 0);
        g_assert_true(json_object_get_boolean_member(reg, "leaked"));
        g_assert_cmpint(locked_bytes(), ==, base);
        /* still usable by MAP_DMA, still in the way of an overlap */
        g_assert_cmpint(map_dma(c, m + 64 * KiB, 0x10000, 8192, RW), ==, 0);
        g_assert_cmpint(reg_mem(c, m + 512 * KiB, MiB), ==, -EINVAL);
        g_assert_cmpint(unmap_dma(c, 0, 0x20000), ==, 0);
        g_assert_cmpint(locked_bytes(), ==, base);
        /* the same range again: adopted, not charged twice */
        g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
        g_assert_cmpint(locked_bytes(), ==, base);
        g_clear_pointer(&cs, json_object_unref);
        cs = container_state(-1);
        g_assert_cmpint(json_array_get_length(
                            json_object_get_array_member(cs, "regions")),
                        ==, 1);
        /* its leaked reference stays: only the exit frees it */
        g_assert_cmpint(unreg_mem(c, m, MiB), ==, 0);
        g_assert_cmpint(n_regions(), ==, 1);
    } else if (!strcmp(mode, "ebusy")) {
        c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
        g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
        g_assert_cmpint(map_dma(c, m, 0, 8192, RW), ==, 0);
        g_assert_cmpint(unreg_mem(c, m, MiB), ==, -EBUSY);
        g_assert_cmpint(unmap_dma(c, 0, 8192), ==, 0);
        g_assert_cmpint(unreg_mem(c, m, MiB), ==, 0);
        g_assert_cmpint(n_regions(), ==, 0);
    } else if (!strcmp(mode, "orphan-by-close")) {
        /*
         * tce_iommu_release -> tce_iommu_prereg_free: a region another
         * container still maps survives its registering container.
         */
        int g2, c2;
        uint8_t *b = m + 4 * MiB;

        c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
        c2 = setup_container(2, VFIO_SPAPR_TCE_v2_IOMMU, &g2);
        g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
        g_assert_cmpint(reg_mem(c2, b, MiB), ==, 0);
        g_assert_cmpint(map_dma(c2, m, 0, 8192, RW), ==, 0);
        close(g);
        close(c);
        g_assert_cmpint(n_regions(), ==, 2);
        g_assert_cmpint(unmap_dma(c2, 0, 8192), ==, 0);
        g_assert_cmpint(unreg_mem(c2, b, MiB), ==, 0);
        close(g2);
        close(c2);
        /* nothing maps it now, yet only the exit frees it */
        g_assert_cmpint(n_regions(), ==, 1);
        g_assert_cmpint(locked_bytes(), ==, MiB);
        return 0;
    } else if (!strcmp(mode, "v1-small-window")) {
        /* tce_iommu_enable: dma32=4k is no whole page on a 64k host */
        c = setup_container(1, VFIO_SPAPR_TCE_IOMMU, &g);
        g_assert_cmpint(xioctl(c, VFIO_IOMMU_ENABLE, NULL), ==, 0);
        g_assert_cmpint(locked_bytes(), ==,
                        host_page() == 4096 ? 4096 : 0);
    } else if (!strcmp(mode, "clean")) {
        c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
        g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
        g_assert_cmpint(map_dma(c, m, 0, 8192, RW), ==, 0);
        g_assert_cmpint(unmap_dma(c, 0, 8192), ==, 0);
        g_assert_cmpint(unreg_mem(c, m, MiB), ==, 0);
    } else if (!strcmp(mode, "v1only")) {
        /* tce_iommu_attach_group: a group without DDW refuses v2 */
        c = open_container();
        g = open_group(1);
        attach(g, c);
        g_assert_cmpint(xioctl(c, VFIO_CHECK_EXTENSION,
                               (void *)VFIO_SPAPR_TCE_v2_IOMMU), ==, 1);
        g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU,
                               (void *)VFIO_SPAPR_TCE_v2_IOMMU), ==, -EPERM);
        g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU,
                               (void *)VFIO_SPAPR_TCE_IOMMU), ==, 0);
    } else if (!strcmp(mode, "touch")) {
        close(open_container());
        return 0;
    } else if (!strcmp(mode, "leave-mapped")) {
        /* exit with a region registered and mapped: the report says so */
        c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
        g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
        g_assert_cmpint(map_dma(c, m, 0, 8192, RW), ==, 0);
        return 0;
    } else if (!strcmp(mode, "launched")) {
        /* under vfio-sim-run: sysfs dir, device, host settings */
        struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
        g_autofree char *link = g_build_filename(
            g_getenv("VFIO_SIM_SYSFS"), "0002:00:03.0", "iommu_group", NULL);
        g_autofree char *target = g_file_read_link(link, NULL);

        g_assert_nonnull(target);
        g_assert_cmpstr(strrchr(target, '/'), ==, "/7");
        c = setup_container(7, VFIO_SPAPR_TCE_v2_IOMMU, &g);
        g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info), ==,
                        0);
        g_assert_cmpint(info.dma32_window_size, ==, GiB);
        g_assert_cmpint(xioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0002:00:03.0"),
                        >=, 0);
    } else {
        return 2;
    }
    close(g);
    close(c);
    return 0;
}

static JsonObject *run_child(const char *mode, const char *host,
                             bool launcher, const char *report)
{
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(JsonParser) p = json_parser_new();
    g_autofree char *sock = g_strdup_printf("%s.%s", g_getenv(
                                            "VFIO_SIM_CONTROL"), mode);
    int status;

    env = g_environ_setenv(env, "VFIO_SIM_CONTROL", sock, true);
    env = g_environ_setenv(env, "VFIO_SIM_REPORT", report, true);
    if (host) {
        /* later keys win: the run's page size stays unless @host sets it */
        const char *base = g_environ_getenv(env, "VFIO_SIM_HOST");
        g_autofree char *spec = base ? g_strdup_printf("%s,%s", base, host)
                                     : g_strdup(host);

        env = g_environ_setenv(env, "VFIO_SIM_HOST", spec, true);
    }
    if (launcher) {
        /* the launcher must add the preload itself */
        env = g_environ_unsetenv(env, "LD_PRELOAD");
        env = g_environ_unsetenv(env, "VFIO_SIM_DEVICES");
        g_ptr_array_add(argv, (char *)g_getenv("VFIO_SIM_RUN"));
        g_ptr_array_add(argv, "--device");
        g_ptr_array_add(argv, "0002:00:03.0=dma-engine@7");
        g_ptr_array_add(argv, "--host");
        g_ptr_array_add(argv, "dma32=1g");
        g_ptr_array_add(argv, "--");
    }
    g_ptr_array_add(argv, (char *)self);
    g_ptr_array_add(argv, "--child");
    g_ptr_array_add(argv, (char *)mode);
    g_ptr_array_add(argv, NULL);
    remove(report);
    g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL,
                 NULL, NULL, NULL, &status, &err);
    g_assert_no_error(err);
    g_assert_true(g_spawn_check_wait_status(status, &err));
    g_assert_true(json_parser_load_from_file(p, report, &err));
    g_assert_no_error(err);
    return json_object_ref(json_node_get_object(json_parser_get_root(p)));
}

static char *report_path(void)
{
    return g_strdup_printf("%s.report.json", g_getenv("VFIO_SIM_CONTROL"));
}

static void test_host_memlock_limit_is_enomem(void)
{
    g_autofree char *rep = report_path();
    g_autoptr(JsonObject) r = run_child("memlock", "memlock=8m", false, rep);

    g_assert_cmpint(json_object_get_int_member(r, "memlock_limit"), ==,
                    8 * MiB);
    g_assert_cmpint(json_object_get_int_member(r, "locked_bytes"), ==, 0);
}

static JsonObject *exit_part(JsonObject *r, const char *key)
{
    g_assert_true(json_object_has_member(r, key));
    return json_object_get_object_member(r, key);
}

static void assert_nothing_left(JsonObject *r)
{
    JsonObject *left = exit_part(r, "left_after_exit");

    g_assert_cmpint(json_object_get_int_member(left, "locked_bytes"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(left, "regions"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(left, "windows"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(left, "containers"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(left, "v1_pinned_pages"), ==,
                    0);
}

/* tce_iommu_unregister_pages / mm_iommu_put on current kernels (default) */
static void test_host_unregister_busy_leak(void)
{
    g_autofree char *rep = report_path();
    g_autoptr(JsonObject) r = run_child("leak", NULL, false, rep);
    JsonArray *regions = json_object_get_array_member(r, "regions");
    JsonObject *rel = exit_part(r, "released_at_exit");

    /* the orphan was left by the process: the exit released it */
    g_assert_cmpint(json_array_get_length(regions), ==, 1);
    g_assert_true(json_object_get_boolean_member(
                      json_array_get_object_element(regions, 0), "leaked"));
    g_assert_cmpint(json_object_get_int_member(rel, "regions"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(r, "locked_bytes"), ==,
                    json_object_get_int_member(rel, "locked_bytes"));
    g_assert_cmpint(json_object_get_int_member(rel, "locked_bytes"), >=,
                    MiB);
    assert_nothing_left(r);
}

static void test_host_region_orphaned_by_close(void)
{
    g_autofree char *rep = report_path();
    g_autoptr(JsonObject) r = run_child("orphan-by-close", NULL, false, rep);

    g_assert_cmpint(json_object_get_int_member(
                        exit_part(r, "released_at_exit"), "regions"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(
                        exit_part(r, "released_at_exit"), "locked_bytes"),
                    ==, MiB);
    assert_nothing_left(r);
}

static void test_host_v1_enable_charges_whole_pages(void)
{
    g_autofree char *rep = report_path();
    g_autoptr(JsonObject) r = run_child("v1-small-window", "dma32=4k", false,
                                        rep);

    g_assert_cmpint(json_object_get_int_member(r, "locked_bytes"), ==, 0);
}

/* mm_iommu_put as older kernels returned it: EBUSY */
static void test_host_unregister_busy_ebusy(void)
{
    g_autofree char *rep = report_path();
    g_autoptr(JsonObject) r = run_child("ebusy", "unregister_busy=ebusy",
                                        false, rep);

    g_assert_cmpint(json_object_get_int_member(r, "locked_bytes"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(
                        exit_part(r, "released_at_exit"), "locked_bytes"),
                    ==, 0);
}

/* tce_iommu_attach_group: SET_IOMMU(v2) on a group without DDW is EPERM */
static void test_host_iommu_v1_only(void)
{
    g_autofree char *rep = report_path();
    g_autoptr(JsonObject) r = run_child("v1only", "iommu=v1", false, rep);
    JsonObject *cnt = json_object_get_object_member(
        json_object_get_object_member(r, "ioctls"), "VFIO_SET_IOMMU");

    g_assert_cmpint(json_object_get_int_member(cnt, "errors"), ==, 1);
}

static void test_exit_report_shows_leftovers(void)
{
    g_autofree char *rep = report_path();
    g_autoptr(JsonObject) r = run_child("leave-mapped", NULL, false, rep);
    JsonArray *regions = json_object_get_array_member(r, "regions");
    JsonObject *rel = exit_part(r, "released_at_exit");

    /* the process exited without closing: the pin is still accounted */
    g_assert_cmpint(json_array_get_length(regions), ==, 1);
    g_assert_cmpint(json_object_get_int_member(
                        json_array_get_object_element(regions, 0), "mapped"),
                    ==, 2);
    /* the region and the default window (8 MiB of table) it mapped in */
    g_assert_cmpint(json_object_get_int_member(r, "locked_bytes"), ==,
                    MiB + 8 * MiB);
    /* tce_iommu_release at the close of its fds frees all of it */
    g_assert_cmpint(json_object_get_int_member(rel, "containers"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(rel, "windows"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(rel, "regions"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(rel, "locked_bytes"), ==,
                    MiB + 8 * MiB);
    assert_nothing_left(r);
}

static void test_exit_report_clean_process(void)
{
    g_autofree char *rep = report_path();
    g_autoptr(JsonObject) r = run_child("clean", NULL, false, rep);
    JsonObject *rel = exit_part(r, "released_at_exit");

    g_assert_cmpint(json_object_get_int_member(rel, "containers"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(rel, "windows"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(rel, "regions"), ==, 0);
    assert_nothing_left(r);
}

/* VFIO_SIM_HOST page= and max_alloc= */
static void check_host_page(const char *host, int64_t page, int64_t max)
{
    g_autofree char *rep = report_path();
    g_autoptr(JsonObject) r = run_child("touch", host, false, rep);

    g_assert_cmpint(json_object_get_int_member(r, "page_size"), ==, page);
    g_assert_cmpint(json_object_get_int_member(r, "max_alloc"), ==, max);
}

static void test_host_page_and_max_alloc(void)
{
    check_host_page("page=64k", 64 * KiB, 16 * MiB);
    check_host_page("page=4k", 4 * KiB, 4 * MiB);
    check_host_page("page=64k,max_alloc=8m", 64 * KiB, 8 * MiB);
    check_host_page("max_alloc=32m,page=4k", 4 * KiB, 32 * MiB);
}

/* Bad configuration stops the process at start with the key named. */
static void check_bad_host(const char *host, const char *want)
{
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) env = g_get_environ();
    g_autofree char *err_out = NULL;
    g_autofree char *sock = g_strdup_printf("%s.bad",
                                            g_getenv("VFIO_SIM_CONTROL"));
    const char *argv[] = { self, "--child", "touch", NULL };
    int status;

    env = g_environ_setenv(env, "VFIO_SIM_HOST", host, true);
    env = g_environ_setenv(env, "VFIO_SIM_CONTROL", sock, true);
    env = g_environ_unsetenv(env, "VFIO_SIM_REPORT");
    g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                 NULL, &err_out, &status, &err);
    g_assert_no_error(err);
    g_assert_false(g_spawn_check_wait_status(status, NULL));
    if (!strstr(err_out, want)) {
        g_error("VFIO_SIM_HOST=%s: '%s' not in: %s", host, want, err_out);
    }
}

static void test_host_bad_config_names_key(void)
{
    check_bad_host("page=8k", "page=8k: want 64k or 4k");
    check_bad_host("max_alloc=0", "max_alloc=0:");
    check_bad_host("pages=64k", "unknown key 'pages'");
    check_bad_host("page", "'page' has no value");
    check_bad_host("levels=9", "levels=9:");
}

static void test_launcher_sets_up_preload_sysfs_and_host(void)
{
    g_autofree char *rep = report_path();
    g_autoptr(JsonObject) r = run_child("launched", NULL, true, rep);
    JsonArray *devs = json_object_get_array_member(r, "devices");

    g_assert_cmpint(json_array_get_length(devs), ==, 1);
    g_assert_cmpstr(json_object_get_string_member(
                        json_array_get_object_element(devs, 0), "bdf"), ==,
                    "0002:00:03.0");
    g_assert_cmpint(json_object_get_int_member(r, "locked_bytes"), ==, 0);
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc == 3 && !strcmp(argv[1], "--child")) {
        return child_main(argv[2]);
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/control/fault-fails-nth-call-once",
                    test_fault_fails_nth_call_once);
    g_test_add_func("/vfio-sim/control/state-counts-hot-reset-and-armed-"
                    "faults", test_state_counts_hot_reset_and_armed_faults);
    g_test_add_func("/vfio-sim/control/dma-request-goes-through-iommu",
                    test_dma_request_goes_through_iommu);
    g_test_add_func("/vfio-sim/control/dma-result-is-unsigned-safe",
                    test_dma_result_is_unsigned_safe);
    g_test_add_func("/vfio-sim/control/tces-are-run-length-compressed",
                    test_tces_are_run_length_compressed);
    g_test_add_func("/vfio-sim/host/memlock-limit-is-enomem",
                    test_host_memlock_limit_is_enomem);
    g_test_add_func("/vfio-sim/host/unregister-busy-leak-by-default",
                    test_host_unregister_busy_leak);
    g_test_add_func("/vfio-sim/host/region-orphaned-by-container-close",
                    test_host_region_orphaned_by_close);
    g_test_add_func("/vfio-sim/host/v1-enable-charges-whole-pages",
                    test_host_v1_enable_charges_whole_pages);
    g_test_add_func("/vfio-sim/host/unregister-busy-ebusy",
                    test_host_unregister_busy_ebusy);
    g_test_add_func("/vfio-sim/host/iommu-v1-only",
                    test_host_iommu_v1_only);
    g_test_add_func("/vfio-sim/host/page-and-max-alloc",
                    test_host_page_and_max_alloc);
    g_test_add_func("/vfio-sim/host/bad-config-names-key",
                    test_host_bad_config_names_key);
    g_test_add_func("/vfio-sim/report/exit-report-clean-process",
                    test_exit_report_clean_process);
    g_test_add_func("/vfio-sim/report/exit-report-shows-leftovers",
                    test_exit_report_shows_leftovers);
    g_test_add_func("/vfio-sim/launcher/sets-up-preload-sysfs-and-host",
                    test_launcher_sets_up_preload_sysfs_and_host);
    return g_test_run();
}
