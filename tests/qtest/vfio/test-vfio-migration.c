/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Migration and VFIO.
 *
 * A source with a vfio-pci device that cannot migrate (its host offers
 * no VFIO migration, or enable-migration=off) refuses to migrate, naming
 * it, and keeps running as it was (test-vfio-devmig.c migrates one
 * that can).  A source without one (a guest that enabled
 * DDW and direct-mapped all RAM for an emulated pci-testdev-dma) is
 * saved to a file; a destination under vfio-sim with a vfio-pci device
 * (given on its command line, or added after the load) loads it: the
 * simulated host then holds windows mirroring the loaded ones with all
 * of RAM mapped, the passthrough device's DMA works through them, and
 * the exit report is clean.
 */
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "vfio-e2e.h"

#define TESTDEV_VENDOR  0x1b36
#define TESTDEV_DMA     0x00f5
/* The emulated device in slot 1, the passthrough one in slot 2. */
#define COMMON_ARGS     VT_RAM_ARG " -nodefaults " \
                        "-device pci-testdev-dma,id=d0,addr=1"
#define VFIO_ARGS       "-device vfio-pci,host=" VT_BDF0 ",id=dev0,addr=2"

static char *tmpdir;

typedef struct Source {
    GuestWindow dw;             /* the default window, as the guest left it */
    GuestWindow ddw;
    uint64_t buf_gpa;           /* a patterned buffer */
    uint64_t buf_fnv;
    char *mtree;
    char *path;                 /* the stream file */
} Source;

static void quit(QTestState *qts)
{
    int status = qtest_quit(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* Only the DMA side of "info mtree -f": the PHB's windows. */
static char *iommu_lines(QTestState *qts)
{
    g_autofree char *all = qtest_hmp(qts, "info mtree -f");
    g_auto(GStrv) lines = g_strsplit(all, "\n", -1);
    GString *out = g_string_new(NULL);
    unsigned i;

    for (i = 0; lines[i]; i++) {
        if (strstr(lines[i], "iommu-spapr")) {
            g_string_append_printf(out, "%s\n", lines[i]);
        }
    }
    g_assert_cmpuint(out->len, >, 0);
    return g_string_free(out, FALSE);
}

/* Every entry of a direct-mapped window, read with H_GET_TCE. */
static void assert_direct_mapped(SpaprGuest *g, const GuestWindow *w)
{
    uint64_t page = 1ULL << w->page_shift, gpa, tce;

    for (gpa = 0; gpa < VT_RAM; gpa += page) {
        g_assert_cmpint(guest_get_tce(g, w->liobn, w->bus_start + gpa,
                                      &tce), ==, 0);
        g_assert_cmphex(tce & ~3ULL, ==, gpa);
        g_assert_cmphex(tce & 3, ==, 3);
    }
}

/* A guest on an emulated device sets DDW up; save the machine. */
static void source_run(Source *s, const char *name)
{
    QTestState *qts = qtest_init(COMMON_ARGS);
    SpaprGuest *g = guest_new(qts, VT_RAM);
    g_autofree char *uri = NULL;
    g_autofree char *end = NULL;
    g_autofree uint8_t *buf = g_malloc(1 << 20);
    GuestDevice dev;
    unsigned i;

    g_assert_true(guest_find_device(g, 0, TESTDEV_VENDOR, TESTDEV_DMA, 0,
                                    &dev));
    s->dw = guest_default_window(g, &dev);
    g_assert_true(guest_ddw_enable(g, &dev, 0, &s->ddw));
    s->buf_gpa = guest_alloc(g, 1 << 20, VT_PAGE);
    for (i = 0; i < (1 << 20); i++) {
        buf[i] = (uint8_t)(i * 13 + (i >> 9));
    }
    qtest_bufwrite(qts, s->buf_gpa, buf, 1 << 20);
    s->buf_fnv = dma_engine_fnv1a(buf, 1 << 20);
    s->mtree = iommu_lines(qts);

    s->path = g_build_filename(tmpdir, name, NULL);
    uri = g_strdup_printf("file:%s", s->path);
    qtest_qmp_assert_success(qts, "{'execute': 'migrate', 'arguments': "
                             "{'uri': '%s'}}", uri);
    end = qtest_migration_wait_end(qts);
    g_assert_cmpstr(end, ==, "completed");
    guest_free(g);
    quit(qts);
}

static void source_free(Source *s)
{
    g_unlink(s->path);
    g_free(s->path);
    g_free(s->mtree);
}

/* The host IOMMU state after the load mirrors the loaded windows. */
static void assert_host_mirrors(VsimMachine *m, const Source *s)
{
    g_autoptr(JsonObject) st = vsim_machine_state(m);
    JsonObject *c = vt_only_container(st);
    unsigned host_shift = vt_host_page_shift(m);
    uint64_t pages = 0;
    int slot;

    g_assert_cmpuint(json_array_get_length(vt_windows(c)), ==, 2);
    vt_assert_mirrors(c, &s->ddw, host_shift, VT_RAM >> host_shift);
    /* the default window's guest TCEs are 4 KiB: so are the host's */
    vt_assert_mirrors(c, &s->dw, 12, 0);
    /* The sim's TCEs: all RAM, from the window's first address on. */
    for (slot = 0; slot < 2; slot++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(JsonObject) t = vsim_control_tces(vsim_machine_control(m),
                                                    0, slot, &err);
        JsonArray *runs;
        unsigned i;

        g_assert_no_error(err);
        runs = json_object_get_array_member(t, "entries");
        for (i = 0; i < json_array_get_length(runs); i++) {
            JsonObject *r = json_array_get_object_element(runs, i);

            if (i == 0) {
                g_assert_cmphex(vt_int(r, "iova"), ==, s->ddw.bus_start);
            }
            g_assert_cmpstr(json_object_get_string_member(r, "perm"), ==,
                            "rw");
            pages += vt_int(r, "pages");
        }
    }
    g_assert_cmpuint(pages, ==, VT_RAM >> host_shift);
}

/* The passthrough device reaches all of RAM through the loaded DDW. */
static void assert_passthrough_dma(VsimMachine *m, const Source *s)
{
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    GuestDevice dev;
    uint64_t dst;
    DmaResult r;

    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &dev));
    g_assert_cmphex(vt_ram_fnv(m, s->buf_gpa, 1 << 20), ==, s->buf_fnv);
    assert_direct_mapped(g, &s->ddw);
    r = dma_engine_checksum(g, &dev, guest_ddw_iova(&s->ddw, s->buf_gpa),
                            1 << 20);
    vt_assert_dma_ok(r, 1 << 20);
    g_assert_cmphex(r.result, ==, s->buf_fnv);
    dst = s->buf_gpa + (1 << 20);
    r = dma_engine_copy(g, &dev, guest_ddw_iova(&s->ddw, s->buf_gpa),
                        guest_ddw_iova(&s->ddw, dst), 1 << 20);
    vt_assert_dma_ok(r, 1 << 20);
    g_assert_cmphex(vt_ram_fnv(m, dst, 1 << 20), ==, s->buf_fnv);
    vt_dma_roundtrip(m, g, &dev, guest_ddw_iova(&s->ddw, VT_RAM - VT_PAGE),
                     VT_RAM - VT_PAGE, VT_PAGE, 0x0102030405060708ULL);
    guest_free(g);
}

static void test_load_with_vfio_device_on_cmdline(void)
{
    Source s = { 0 };
    VsimMachine *m;
    g_autofree char *mt = NULL;

    source_run(&s, "cmdline.mig");
    m = vsim_machine_start(NULL, NULL, COMMON_ARGS " " VFIO_ARGS
                           " -incoming file:%s", s.path);
    mt = iommu_lines(m->qts);
    g_assert_cmpstr(mt, ==, s.mtree);
    assert_host_mirrors(m, &s);
    assert_passthrough_dma(m, &s);
    vt_quit_clean(m);
    source_free(&s);
}

static void test_device_added_after_load_gets_mappings(void)
{
    Source s = { 0 };
    VsimMachine *m;
    g_autofree char *mt = NULL;

    source_run(&s, "hotplug.mig");
    m = vsim_machine_start(NULL, NULL, COMMON_ARGS " -incoming file:%s",
                           s.path);
    mt = iommu_lines(m->qts);
    g_assert_cmpstr(mt, ==, s.mtree);
    /* The device comes later: its container replays what was loaded. */
    vt_device_add(m, "dev0", "'host': '" VT_BDF0 "', 'addr': '2'");
    assert_host_mirrors(m, &s);
    assert_passthrough_dma(m, &s);
    vt_quit_clean(m);
    source_free(&s);
}

/*
 * A vfio-pci device that cannot migrate: its host driver offers no
 * VFIO migration, or it was given enable-migration=off.
 */
static void migrate_refused(const char *devices, const char *extra,
                            const char *why)
{
    VsimMachine *m = vsim_machine_start(devices, NULL, "%s%s",
                                        COMMON_ARGS " " VFIO_ARGS, extra);
    g_autofree char *path = g_build_filename(tmpdir, "refused.mig", NULL);
    g_autoptr(JsonObject) before = vsim_machine_state(m);
    g_autoptr(JsonObject) after = NULL;
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) status = NULL;
    g_autoptr(JsonObject) info = NULL;
    const char *desc;
    uint64_t creates;

    reply = qtest_qmp(m->qts, "{'execute': 'migrate', 'arguments': "
                      "{'uri': 'file:%s'}}", path);
    desc = qtest_qmp_error_desc(reply);
    g_assert_nonnull(desc);
    g_assert_nonnull(strstr(desc, "'dev0'"));
    g_assert_nonnull(strstr(desc, VT_BDF0));
    g_assert_nonnull(strstr(desc, "cannot be migrated"));
    g_assert_nonnull(strstr(desc, why));
    /* Nothing started: no file, no migration, still running. */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    info = qtest_qmp(m->qts, "{'execute': 'query-migrate'}");
    g_assert_false(json_object_has_member(
                       json_object_get_object_member(info, "return"),
                       "status"));
    status = qtest_qmp(m->qts, "{'execute': 'query-status'}");
    g_assert_true(json_object_get_boolean_member(
                      json_object_get_object_member(status, "return"),
                      "running"));
    /* ...and the host untouched. */
    after = vsim_machine_state(m);
    creates = vt_ioctl_calls(before, "VFIO_IOMMU_SPAPR_TCE_CREATE");
    g_assert_cmpuint(vt_ioctl_calls(after, "VFIO_IOMMU_SPAPR_TCE_CREATE"),
                     ==, creates);
    g_assert_cmpuint(vt_int(after, "locked_bytes"), ==,
                     vt_int(before, "locked_bytes"));
    vt_quit_clean(m);
}

static void test_migrate_refused_with_vfio_device(void)
{
    migrate_refused(VT_BDF0 "=dma-engine@1,migration=off", "",
                    "no VFIO migration (STOP_COPY)");
}

static void test_migrate_refused_with_enable_migration_off(void)
{
    migrate_refused(NULL, ",enable-migration=off", "enable-migration=off");
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("vfio-mig-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_func("/vfio/migration/refused-with-vfio-device",
                    test_migrate_refused_with_vfio_device);
    g_test_add_func("/vfio/migration/refused-with-enable-migration-off",
                    test_migrate_refused_with_enable_migration_off);
    g_test_add_func("/vfio/migration/load-replays-host-windows",
                    test_load_with_vfio_device_on_cmdline);
    g_test_add_func("/vfio/migration/device-added-after-load-gets-mappings",
                    test_device_added_after_load_gets_mappings);
    ret = g_test_run();
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
