/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Dirty logging on the pseries machine, in process: qtest protocol
 * writes, the emulated DMA device writing through its TCE window, and
 * the conservative rule for passthrough devices (hw/vfio/dirty.c): pages
 * a TCE maps for device write count as dirty, found by walking the
 * sparse TCE tables and driven by snapshots through the prereg
 * listener's log_sync.
 */
#include "spapr-fixture.h"
#include "hw/pci/pci-testdev.h"
#include "hw/ppc/spapr_iommu.h"
#include "hw/vfio/vfio-container.h"
#include "hw/vfio/vfio-dirty.h"
#include "system/qtest.h"

#define PAGE            TARGET_PAGE_SIZE
#define BAR0_CPU        (SPAPR_PCI_BASE + 0x80000000ULL)

static const char *const one_dma_dev[] = {
    "pci-testdev-dma,id=dma0,addr=2",
    NULL,
};

static MemoryRegion *boot_ram(void)
{
    return spapr_machine->ram;
}

static bool page_dirty(hwaddr gpa)
{
    return memory_region_get_dirty(boot_ram(), gpa, 1,
                                   DIRTY_MEMORY_MIGRATION);
}

static void clear_ram(void)
{
    memory_region_reset_dirty(boot_ram(), 0, machine_ram_size(),
                              DIRTY_MEMORY_MIGRATION);
    g_assert_false(memory_region_get_dirty(boot_ram(), 0, machine_ram_size(),
                                           DIRTY_MEMORY_MIGRATION));
}

/* Dirty pages of [gpa, gpa + n pages) as a 0/1 string. */
static char *pages(hwaddr gpa, unsigned n)
{
    GString *s = g_string_new(NULL);
    unsigned i;

    for (i = 0; i < n; i++) {
        g_string_append_c(s, page_dirty(gpa + i * PAGE) ? '1' : '0');
    }
    return g_string_free(s, FALSE);
}

#define assert_pages(gpa, n, expected) do { \
        g_autofree char *p_ = pages((gpa), (n)); \
        g_assert_cmpstr(p_, ==, (expected)); \
    } while (0)

static void qtest_ok(const char *line)
{
    g_autofree char *reply = qtest_process_line(line);

    g_assert_cmpstr(reply, ==, "OK");
}

/* ------------------------------------------------------------ qtest */

static void test_qtest_writes_mark_exact_pages(void)
{
    g_autofree char *reply = NULL;

    fx_start(0, NULL);
    g_assert_true(memory_global_dirty_log_start(&error_abort));
    /* The whole of RAM is dirty at the start. */
    assert_pages(0x100000, 4, "1111");
    clear_ram();
    qtest_ok("writeq 0x103008 0x1122334455667788");
    qtest_ok("write 0x105ffe 4 0x01020304");
    qtest_ok("memset 0x10a000 0x1000 0x5a");
    qtest_ok("writeb 0x10f000 0x1");
    reply = qtest_process_line("readq 0x10c000");
    g_assert_cmpstr(reply, ==, "OK 0x0000000000000000");
    assert_pages(0x100000, 16, "0001011000100001");
    memory_global_dirty_log_stop();
    fx_stop();
}

/* ------------------------------------------------- emulated device DMA */

static void reg_write(unsigned reg, uint32_t val)
{
    val = GUINT32_TO_LE(val);
    fx_write(BAR0_CPU + reg, &val, 4);
}

static uint32_t dma_run(uint32_t cmd, uint64_t src, uint64_t dst,
                        uint32_t len)
{
    uint32_t v = 0;

    reg_write(PCI_TESTDEV_REG_SRC_LO, (uint32_t)src);
    reg_write(PCI_TESTDEV_REG_SRC_HI, src >> 32);
    reg_write(PCI_TESTDEV_REG_DST_LO, (uint32_t)dst);
    reg_write(PCI_TESTDEV_REG_DST_HI, dst >> 32);
    reg_write(PCI_TESTDEV_REG_LEN, len);
    reg_write(PCI_TESTDEV_REG_CMD, cmd);
    address_space_read(&address_space_memory,
                       BAR0_CPU + PCI_TESTDEV_REG_STATUS,
                       MEMTXATTRS_UNSPECIFIED, &v, 4);
    return GUINT32_FROM_LE(v);
}

static void test_emulated_dma_marks_written_pages(void)
{
    fx_start(0, one_dma_dev);
    /* bus 0x10000 -> 0x200000 (2 pages, read), 0x20000 -> 0x300000 */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x10000, 0x200000 | 1), ==, 0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x11000, 0x201000 | 1), ==, 0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x20000, 0x300000 | 2), ==, 0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x21000, 0x301000 | 2), ==, 0);
    g_assert_true(memory_global_dirty_log_start(&error_abort));
    clear_ram();
    /* Copy 0x1800 bytes: the source pages are only read. */
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_COPY, 0x10000, 0x20000, 0x1800),
                    ==, PCI_TESTDEV_STATUS_DONE);
    assert_pages(0x200000, 2, "00");
    assert_pages(0x300000, 3, "110");
    clear_ram();
    /* A write into the read-only window faults and marks nothing. */
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_FILL, 0, 0x10000, 0x10), ==,
                    PCI_TESTDEV_STATUS_DONE | PCI_TESTDEV_STATUS_WRITE_FAULT);
    assert_pages(0x200000, 2, "00");
    /* A small fill in the second page marks that page only. */
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_FILL, 0, 0x21100, 0x10), ==,
                    PCI_TESTDEV_STATUS_DONE);
    assert_pages(0x300000, 2, "01");
    memory_global_dirty_log_stop();
    fx_stop();
}

/* ---------------------------------------------- passthrough (VFIO) */

static void test_vfio_walk_marks_write_mapped_only(void)
{
    SpaprTceTable *tcet;
    IOMMUMemoryRegion *iommu;
    uint64_t win_addr, args[4], n;
    uint32_t liobn;
    g_autoptr(GArray) rec = g_array_new(FALSE, FALSE,
                                        sizeof(VFIODirtyRange));
    VFIODirtyRange *r;

    fx_start(0, NULL);
    /* Default window (4 KiB TCEs): RW, write-only, read-only. */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x0000, 0x100000 | 3), ==, 0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x1000, 0x101000 | 2), ==, 0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x2000, 0x102000 | 1), ==, 0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x9000, 0x180000 | 3), ==, 0);
    /* A 2^36-byte dynamic window of 64 KiB pages with one page mapped. */
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 36, &liobn, &win_addr), ==,
                    0);
    args[0] = liobn;
    args[1] = win_addr + (0x123ULL << 16);
    args[2] = 0x4000000 | 3;
    g_assert_cmpint(fx_hcall(H_PUT_TCE, 3, args, NULL), ==, 0);

    /* Not logging: nothing can be marked. */
    tcet = spapr_tce_find_by_liobn(FX_LIOBN0);
    iommu = spapr_tce_table_iommu(tcet);
    g_assert_cmpuint(vfio_dirty_mark_iommu(iommu, 0, UINT64_MAX, NULL), ==,
                     0);

    g_assert_true(memory_global_dirty_log_start(&error_abort));
    clear_ram();
    n = vfio_dirty_mark_iommu(iommu, 0, UINT64_MAX, rec);
    g_assert_cmpuint(n, ==, 3);
    assert_pages(0x100000, 3, "110");
    g_assert_true(page_dirty(0x180000));
    /* Adjacent write mappings are recorded as one range. */
    g_assert_cmpuint(rec->len, ==, 2);
    r = &g_array_index(rec, VFIODirtyRange, 0);
    g_assert_cmphex(r->gpa, ==, 0x100000);
    g_assert_cmphex(r->len, ==, 0x2000);
    r = &g_array_index(rec, VFIODirtyRange, 1);
    g_assert_cmphex(r->gpa, ==, 0x180000);

    /* The notifier range limits the walk (region offsets). */
    clear_ram();
    n = vfio_dirty_mark_iommu(iommu, 0x1000, 0x8fff, NULL);
    g_assert_cmpuint(n, ==, 1);
    assert_pages(0x100000, 3, "010");
    g_assert_false(page_dirty(0x180000));

    /* One 64 KiB TCE covers 16 target pages; the rest of 2^36 is empty. */
    clear_ram();
    tcet = spapr_tce_find_by_liobn(liobn);
    g_assert_cmpuint(spapr_tce_table_nb_set(tcet), ==, 1);
    n = vfio_dirty_mark_iommu(spapr_tce_table_iommu(tcet), 0, UINT64_MAX,
                              NULL);
    g_assert_cmpuint(n, ==, 16);
    assert_pages(0x3fff000, 18, "011111111111111110");

    /* TCEs being mapped while logging are marked at once. */
    clear_ram();
    {
        IOMMUTLBEntry e[2] = {
            { .iova = 0, .translated_addr = 0x500000, .addr_mask = 0xfff,
              .perm = IOMMU_RO },
            { .iova = 0x1000, .translated_addr = 0x501000,
              .addr_mask = 0xfff, .perm = IOMMU_RW },
        };

        vfio_dirty_mark_mapped(e, 2);
        assert_pages(0x500000, 2, "01");
        memory_global_dirty_log_stop();
        clear_ram();
        vfio_dirty_mark_mapped(e, 2);
    }
    g_assert_false(page_dirty(0x501000));
    fx_stop();
}

/*
 * A container as the VFIO backend would have it (one guest window being
 * mirrored), with only the dirty callbacks of the prereg listener
 * registered: no host is needed to see what log_sync does.
 */
typedef struct FakeContainer {
    VFIOContainer *c;
    VFIOGuestIOMMU *g;
} FakeContainer;

static void fake_container_init(FakeContainer *fc, uint32_t liobn)
{
    SpaprTceTable *tcet = spapr_tce_find_by_liobn(liobn);
    IOMMUMemoryRegion *iommu = spapr_tce_table_iommu(tcet);
    uint64_t size = memory_region_size(IOMMU_MR_REGION(iommu));
    MemoryListener *l;

    fc->c = g_new0(VFIOContainer, 1);
    fc->c->fd = -1;
    fc->c->giommus = g_ptr_array_new();
    fc->g = g_new0(VFIOGuestIOMMU, 1);
    fc->g->container = fc->c;
    fc->g->iommu_mr = iommu;
    fc->g->iommu_offset = spapr_tce_table_bus_offset(tcet);
    fc->g->n.start = 0;
    fc->g->n.end = size - 1;
    g_ptr_array_add(fc->c->giommus, fc->g);

    l = &fc->c->prereg_listener;
    *l = vfio_prereg_listener_template;
    /* No REGISTER_MEMORY without a host: keep only the dirty part. */
    l->region_add = NULL;
    l->region_del = NULL;
    l->commit = NULL;
    memory_listener_register(l, &address_space_memory);
}

static void fake_container_fini(FakeContainer *fc)
{
    memory_listener_unregister(&fc->c->prereg_listener);
    g_ptr_array_free(fc->c->giommus, TRUE);
    g_free(fc->g);
    g_free(fc->c);
}

/* Snapshot pages [gpa, gpa + n pages) of boot RAM as a 0/1 string. */
static char *snapshot(hwaddr gpa, unsigned n)
{
    DirtyBitmapSnapshot *snap;
    GString *s = g_string_new(NULL);
    unsigned i;

    snap = memory_region_snapshot_and_clear_dirty(boot_ram(), gpa, n * PAGE,
                                                  DIRTY_MEMORY_MIGRATION);
    for (i = 0; i < n; i++) {
        g_string_append_c(s, memory_region_snapshot_get_dirty(
                                 boot_ram(), snap, gpa + i * PAGE, PAGE)
                          ? '1' : '0');
    }
    memory_region_snapshot_free(snap);
    return g_string_free(s, FALSE);
}

#define assert_snapshot(gpa, n, expected) do { \
        g_autofree char *s_ = snapshot((gpa), (n)); \
        g_assert_cmpstr(s_, ==, (expected)); \
    } while (0)

static void test_vfio_log_sync_through_snapshot(void)
{
    FakeContainer fc;

    fx_start(0, NULL);
    g_assert_true(vfio_prereg_listener_template.log_sync ==
                  vfio_dirty_log_sync);
    fake_container_init(&fc, FX_LIOBN0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x0000, 0x200000 | 3), ==, 0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x1000, 0x202000 | 1), ==, 0);
    g_assert_true(memory_global_dirty_log_start(&error_abort));
    g_assert_true(fc.c->prereg_listener.log_global_on);
    clear_ram();

    /*
     * Nobody wrote anything the core saw; the device might have written
     * the write-mapped page.  The snapshot syncs by itself.
     */
    assert_snapshot(0x200000, 4, "1000");
    /* Still mapped: dirty again at every pass. */
    assert_snapshot(0x200000, 4, "1000");
    /* Unmapped: once more (written between the last pass and now)... */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x0000, 0), ==, 0);
    assert_snapshot(0x200000, 4, "1000");
    /* ...then never again. */
    assert_snapshot(0x200000, 4, "0000");
    /* A global sync marks what is mapped now. */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x5000, 0x203000 | 2), ==, 0);
    memory_global_dirty_log_sync();
    assert_pages(0x200000, 4, "0001");

    memory_global_dirty_log_stop();
    g_assert_false(fc.c->prereg_listener.log_global_on);
    fake_container_fini(&fc);
    fx_stop();
}

static void test_vfio_listener_added_while_logging(void)
{
    FakeContainer fc;

    fx_start(0, NULL);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x3000, 0x210000 | 3), ==, 0);
    g_assert_true(memory_global_dirty_log_start(&error_abort));
    clear_ram();
    /* A device hot-plugged during migration joins the logging. */
    fake_container_init(&fc, FX_LIOBN0);
    g_assert_true(fc.c->prereg_listener.log_global_on);
    assert_snapshot(0x210000, 2, "10");
    /* Unplugged while logging: its state goes with it. */
    fake_container_fini(&fc);
    memory_global_dirty_log_stop();
    fx_stop();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spapr-dirty/qtest-writes-mark-exact-pages",
                    test_qtest_writes_mark_exact_pages);
    g_test_add_func("/spapr-dirty/emulated-dma-marks-written-pages",
                    test_emulated_dma_marks_written_pages);
    g_test_add_func("/spapr-dirty/vfio-walk-marks-write-mapped-only",
                    test_vfio_walk_marks_write_mapped_only);
    g_test_add_func("/spapr-dirty/vfio-log-sync-through-snapshot",
                    test_vfio_log_sync_through_snapshot);
    g_test_add_func("/spapr-dirty/vfio-listener-added-while-logging",
                    test_vfio_listener_added_while_logging);
    return g_test_run();
}
