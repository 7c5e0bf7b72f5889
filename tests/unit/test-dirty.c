/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Dirty logging (memory-dirty.c): global start/stop with its listener
 * callbacks and refusal, per-region logging, the writers that mark pages
 * (address_space_write/rw/set and the store helpers, map/unmap, through
 * aliases and IOMMUs), snapshots, log_sync, and RAM appearing while
 * logging is on.
 */
#include "memtest.h"

#define PAGE TARGET_PAGE_SIZE

/* ------------------------------------------------------------ Listener */

/*
 * Writes "TAG EVENT" lines into a shared log: "gstart", "gstop",
 * "add|del|lstart|lstop|sync NAME START+SIZE@OFFSET".  With @refuse its
 * log_global_start fails.  log_sync marks @sync_mark (offset into the
 * section's region) when it lies inside the section.
 */
typedef struct DirtyListener {
    MemoryListener ml;
    const char *tag;
    GString *log;
    bool refuse;
    bool log_adds;
    hwaddr sync_mark;
    bool sync_mark_on;
    unsigned syncs;
} DirtyListener;

static void dl_section(DirtyListener *dl, const char *ev,
                       MemoryRegionSection *s)
{
    g_string_append_printf(dl->log, "%s %s %s %" PRIx64 "+%" PRIx64
                           "@%" PRIx64 "\n", dl->tag, ev,
                           memory_region_name(s->mr),
                           s->offset_within_address_space,
                           int128_get64_sat(s->size),
                           s->offset_within_region);
}

static void dl_add(MemoryListener *l, MemoryRegionSection *s)
{
    DirtyListener *dl = container_of(l, DirtyListener, ml);

    if (dl->log_adds) {
        dl_section(dl, "add", s);
    }
}

static void dl_del(MemoryListener *l, MemoryRegionSection *s)
{
    DirtyListener *dl = container_of(l, DirtyListener, ml);

    if (dl->log_adds) {
        dl_section(dl, "del", s);
    }
}

static void dl_log_start(MemoryListener *l, MemoryRegionSection *s,
                         int old, int new_)
{
    DirtyListener *dl = container_of(l, DirtyListener, ml);

    g_assert_cmpint(old, ==, 0);
    g_assert_cmpint(new_, ==, DIRTY_LOG_MIGRATION);
    dl_section(dl, "lstart", s);
}

static void dl_log_stop(MemoryListener *l, MemoryRegionSection *s,
                        int old, int new_)
{
    DirtyListener *dl = container_of(l, DirtyListener, ml);

    g_assert_cmpint(old, ==, DIRTY_LOG_MIGRATION);
    g_assert_cmpint(new_, ==, 0);
    dl_section(dl, "lstop", s);
}

static void dl_log_sync(MemoryListener *l, MemoryRegionSection *s)
{
    DirtyListener *dl = container_of(l, DirtyListener, ml);
    hwaddr start = s->offset_within_region;

    dl->syncs++;
    dl_section(dl, "sync", s);
    if (dl->sync_mark_on && dl->sync_mark >= start &&
        dl->sync_mark - start < int128_get64_sat(s->size)) {
        memory_region_set_dirty(s->mr, dl->sync_mark, 1);
    }
}

static bool dl_global_start(MemoryListener *l, Error **errp)
{
    DirtyListener *dl = container_of(l, DirtyListener, ml);

    if (dl->refuse) {
        g_string_append_printf(dl->log, "%s gstart refused\n", dl->tag);
        error_setg(errp, "%s cannot track dirty pages", dl->tag);
        return false;
    }
    g_string_append_printf(dl->log, "%s gstart\n", dl->tag);
    return true;
}

static void dl_global_stop(MemoryListener *l)
{
    DirtyListener *dl = container_of(l, DirtyListener, ml);

    g_string_append_printf(dl->log, "%s gstop\n", dl->tag);
}

static void dl_init(DirtyListener *dl, const char *tag, unsigned prio,
                    GString *log)
{
    memset(dl, 0, sizeof(*dl));
    dl->tag = tag;
    dl->log = log;
    dl->ml.name = tag;
    dl->ml.priority = prio;
    dl->ml.region_add = dl_add;
    dl->ml.region_del = dl_del;
    dl->ml.log_start = dl_log_start;
    dl->ml.log_stop = dl_log_stop;
    dl->ml.log_sync = dl_log_sync;
    dl->ml.log_global_start = dl_global_start;
    dl->ml.log_global_stop = dl_global_stop;
}

/* ------------------------------------------------------------- Fixture */

/* A 256 MiB root "as" with RAM "ram" (16 pages) at 0x10000. */
typedef struct Fixture {
    MemoryRegion *root;
    AddressSpace as;
    MemoryRegion ram;
    GString *log;
} Fixture;

static void fixture_init(Fixture *f)
{
    f->root = test_container_new("root", 0x10000000);
    address_space_init(&f->as, f->root, "as");
    g_assert_true(memory_region_init_ram(&f->ram, NULL, "ram", 16 * PAGE,
                                         &error_abort));
    memory_region_add_subregion(f->root, 0x10000, &f->ram);
    f->log = g_string_new(NULL);
}

static void fixture_fini(Fixture *f)
{
    g_assert_false(memory_global_dirty_log_active());
    memory_region_del_subregion(f->root, &f->ram);
    memory_region_unref(&f->ram);
    address_space_destroy(&f->as);
    memory_region_unref(f->root);
    g_string_free(f->log, TRUE);
}

#define assert_log(f, expected) do { \
        g_autofree char *log_ = rec_log_take((f)->log); \
        g_assert_cmpstr(log_, ==, (expected)); \
    } while (0)

/* The block's bitmap as a string of 0/1, page 0 first. */
static char *bits(MemoryRegion *mr)
{
    RAMBlock *rb = memory_region_get_ram_block(mr);
    GString *s = g_string_new(NULL);
    uint64_t i;

    g_assert_nonnull(rb->dirty_bitmap);
    for (i = 0; i < ram_block_dirty_pages(rb); i++) {
        g_string_append_c(s, memory_region_get_dirty(mr, i * PAGE, 1,
                                                     DIRTY_MEMORY_MIGRATION)
                          ? '1' : '0');
    }
    return g_string_free(s, FALSE);
}

#define assert_bits(mr, expected) do { \
        g_autofree char *b_ = bits(mr); \
        g_assert_cmpstr(b_, ==, (expected)); \
    } while (0)

static void clear_all(MemoryRegion *mr)
{
    memory_region_reset_dirty(mr, 0, memory_region_size(mr),
                              DIRTY_MEMORY_MIGRATION);
}

static void start_ok(void)
{
    g_assert_true(memory_global_dirty_log_start(&error_abort));
}

/* -------------------------------------------------------- Global start */

static void test_global_start_stop_order(void)
{
    Fixture f;
    DirtyListener a, b;
    MemoryRegion io, dev;
    RAMBlock *rb;
    uint8_t bar[PAGE];

    fixture_init(&f);
    memory_region_init_io(&io, NULL, &testdev_be_ops, NULL, "io", 0x100);
    memory_region_add_subregion(f.root, 0x1000, &io);
    memory_region_init_ram_device_ptr(&dev, NULL, "bar", sizeof(bar), bar);
    memory_region_add_subregion(f.root, 0x2000, &dev);
    dl_init(&a, "A", 1, f.log);
    dl_init(&b, "B", 2, f.log);
    /* Registered in the other order: calls still follow priority. */
    memory_listener_register(&b.ml, &f.as);
    memory_listener_register(&a.ml, &f.as);
    assert_log(&f, "");
    rb = memory_region_get_ram_block(&f.ram);
    g_assert_false(rb->dirty_log);
    g_assert_null(rb->dirty_bitmap);

    start_ok();
    g_assert_true(memory_global_dirty_log_active());
    g_assert_true(f.as.global_dirty_log);
    /* Only the RAM section is logged: not MMIO, not the device BAR. */
    assert_log(&f, "A gstart\nB gstart\n"
               "A lstart ram 10000+10000@0\nB lstart ram 10000+10000@0\n");
    /* The whole of RAM has to be sent once. */
    g_assert_true(rb->dirty_log);
    assert_bits(&f.ram, "1111111111111111");
    g_assert_false(memory_region_get_dirty(&dev, 0, PAGE,
                                           DIRTY_MEMORY_MIGRATION));

    memory_global_dirty_log_stop();
    g_assert_false(memory_global_dirty_log_active());
    g_assert_false(f.as.global_dirty_log);
    assert_log(&f, "B lstop ram 10000+10000@0\nA lstop ram 10000+10000@0\n"
               "B gstop\nA gstop\n");
    g_assert_false(rb->dirty_log);
    g_assert_null(rb->dirty_bitmap);
    /* Stopping again does nothing. */
    memory_global_dirty_log_stop();
    assert_log(&f, "");

    memory_listener_unregister(&a.ml);
    memory_listener_unregister(&b.ml);
    assert_log(&f, "");
    memory_region_del_subregion(f.root, &io);
    memory_region_unref(&io);
    memory_region_del_subregion(f.root, &dev);
    memory_region_unref(&dev);
    fixture_fini(&f);
}

static void test_global_refusal_unwinds(void)
{
    Fixture f;
    DirtyListener a, b, c;
    MemoryRegion kept;
    RAMBlock *rb, *kept_rb;
    Error *err = NULL;

    fixture_init(&f);
    g_assert_true(memory_region_init_ram(&kept, NULL, "kept", 2 * PAGE,
                                         &error_abort));
    memory_region_add_subregion(f.root, 0x40000, &kept);
    /* Logged on its own before the start: the unwind must keep that. */
    memory_region_set_log(&kept, true, DIRTY_MEMORY_MIGRATION);
    memory_region_set_dirty(&kept, PAGE, 1);
    dl_init(&a, "A", 1, f.log);
    dl_init(&b, "B", 2, f.log);
    dl_init(&c, "C", 3, f.log);
    b.refuse = true;
    memory_listener_register(&a.ml, &f.as);
    memory_listener_register(&b.ml, &f.as);
    memory_listener_register(&c.ml, &f.as);
    assert_log(&f, "A lstart kept 40000+2000@0\nB lstart kept 40000+2000@0\n"
               "C lstart kept 40000+2000@0\n");

    g_assert_false(memory_global_dirty_log_start(&err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "listener B on as"));
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "B cannot track dirty pages"));
    error_free(err);
    /* A was started and is stopped again; C never hears of it. */
    assert_log(&f, "A gstart\nB gstart refused\nA gstop\n");
    g_assert_false(memory_global_dirty_log_active());
    g_assert_false(f.as.global_dirty_log);
    rb = memory_region_get_ram_block(&f.ram);
    g_assert_false(rb->dirty_log);
    g_assert_null(rb->dirty_bitmap);
    kept_rb = memory_region_get_ram_block(&kept);
    g_assert_true(kept_rb->dirty_log);
    g_assert_nonnull(kept_rb->dirty_bitmap);

    /* Once B agrees, the start goes through. */
    b.refuse = false;
    start_ok();
    assert_log(&f, "A gstart\nB gstart\nC gstart\n"
               "A lstart ram 10000+10000@0\nB lstart ram 10000+10000@0\n"
               "C lstart ram 10000+10000@0\n");
    err = NULL;
    g_assert_false(memory_global_dirty_log_start(&err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "dirty logging is already active");
    error_free(err);
    assert_log(&f, "");
    memory_global_dirty_log_stop();
    assert_log(&f, "C lstop ram 10000+10000@0\nB lstop ram 10000+10000@0\n"
               "A lstop ram 10000+10000@0\nC gstop\nB gstop\nA gstop\n");
    /* Per-region logging survives the global stop. */
    g_assert_true(kept_rb->dirty_log);

    memory_listener_unregister(&c.ml);
    memory_listener_unregister(&b.ml);
    memory_listener_unregister(&a.ml);
    assert_log(&f, "C lstop kept 40000+2000@0\nB lstop kept 40000+2000@0\n"
               "A lstop kept 40000+2000@0\n");
    memory_region_del_subregion(f.root, &kept);
    memory_region_unref(&kept);
    fixture_fini(&f);
}

static void test_listener_registered_while_logging(void)
{
    Fixture f;
    DirtyListener a;

    fixture_init(&f);
    start_ok();
    dl_init(&a, "A", 1, f.log);
    a.log_adds = true;
    memory_listener_register(&a.ml, &f.as);
    assert_log(&f, "A gstart\nA add ram 10000+10000@0\n"
               "A lstart ram 10000+10000@0\n");
    memory_listener_unregister(&a.ml);
    assert_log(&f, "A lstop ram 10000+10000@0\nA del ram 10000+10000@0\n"
               "A gstop\n");
    /* Gone: the global stop does not call it again. */
    memory_global_dirty_log_stop();
    assert_log(&f, "");
    fixture_fini(&f);
}

/* ------------------------------------------------------------ Hotplug */

static void test_region_added_while_logging(void)
{
    Fixture f;
    DirtyListener a;
    MemoryRegion dimm;
    RAMBlock *rb;

    fixture_init(&f);
    dl_init(&a, "A", 1, f.log);
    a.log_adds = true;
    memory_listener_register(&a.ml, &f.as);
    g_free(rec_log_take(f.log));
    start_ok();
    g_free(rec_log_take(f.log));

    g_assert_true(memory_region_init_ram(&dimm, NULL, "dimm", 4 * PAGE,
                                         &error_abort));
    rb = memory_region_get_ram_block(&dimm);
    g_assert_false(rb->dirty_log);
    memory_region_add_subregion(f.root, 0x80000, &dimm);
    assert_log(&f, "A add dimm 80000+4000@0\nA lstart dimm 80000+4000@0\n");
    /* New RAM has never been sent: all of it is dirty. */
    assert_bits(&dimm, "1111");
    clear_all(&dimm);
    address_space_stl_be(&f.as, 0x82004, 1, MEMTXATTRS_UNSPECIFIED, NULL);
    assert_bits(&dimm, "0010");

    /* Moving it keeps its bits; listeners see stop/del then add/start. */
    memory_region_set_address(&dimm, 0x90000);
    assert_log(&f, "A lstop dimm 80000+4000@0\nA del dimm 80000+4000@0\n"
               "A add dimm 90000+4000@0\nA lstart dimm 90000+4000@0\n");
    assert_bits(&dimm, "0010");

    memory_region_del_subregion(f.root, &dimm);
    assert_log(&f, "A lstop dimm 90000+4000@0\nA del dimm 90000+4000@0\n");
    memory_global_dirty_log_stop();
    /* Unplugged but still alive: its bitmap goes with the stop too. */
    g_assert_false(rb->dirty_log);
    g_assert_null(rb->dirty_bitmap);
    memory_region_unref(&dimm);
    memory_listener_unregister(&a.ml);
    fixture_fini(&f);
}

static void test_address_space_created_while_logging(void)
{
    Fixture f;
    MemoryRegion *root2;
    MemoryRegion ram2;
    AddressSpace as2;

    fixture_init(&f);
    start_ok();
    root2 = test_container_new("root2", 0x10000);
    g_assert_true(memory_region_init_ram(&ram2, NULL, "ram2", 2 * PAGE,
                                         &error_abort));
    memory_region_add_subregion(root2, 0, &ram2);
    g_assert_null(memory_region_get_ram_block(&ram2)->dirty_bitmap);
    address_space_init(&as2, root2, "as2");
    g_assert_true(as2.global_dirty_log);
    assert_bits(&ram2, "11");
    memory_global_dirty_log_stop();
    g_assert_false(as2.global_dirty_log);
    g_assert_null(memory_region_get_ram_block(&ram2)->dirty_bitmap);
    address_space_destroy(&as2);
    memory_region_del_subregion(root2, &ram2);
    memory_region_unref(&ram2);
    memory_region_unref(root2);
    fixture_fini(&f);
}

/* ------------------------------------------------------------ Writers */

static void test_write_marks_exact_pages(void)
{
    Fixture f;
    uint8_t buf[2 * PAGE] = { 0 };
    const MemTxAttrs at = MEMTXATTRS_UNSPECIFIED;

    fixture_init(&f);
    /* Not logging: no bitmap, nothing to mark, no harm. */
    g_assert_cmpint(address_space_write(&f.as, 0x10000, at, buf, 8), ==,
                    MEMTX_OK);
    g_assert_null(memory_region_get_ram_block(&f.ram)->dirty_bitmap);
    g_assert_false(memory_region_get_dirty(&f.ram, 0, 16 * PAGE,
                                           DIRTY_MEMORY_MIGRATION));

    start_ok();
    clear_all(&f.ram);
    assert_bits(&f.ram, "0000000000000000");
    /* One byte: one page. */
    address_space_write(&f.as, 0x10000 + 3 * PAGE + 0x7ff, at, buf, 1);
    assert_bits(&f.ram, "0001000000000000");
    /* Two bytes straddling pages 5 and 6. */
    address_space_write(&f.as, 0x10000 + 6 * PAGE - 1, at, buf, 2);
    assert_bits(&f.ram, "0001011000000000");
    clear_all(&f.ram);
    /* Exactly two whole pages. */
    address_space_rw(&f.as, 0x10000 + 8 * PAGE, at, buf, 2 * PAGE, true);
    assert_bits(&f.ram, "0000000011000000");
    clear_all(&f.ram);
    /* Reads mark nothing. */
    address_space_read(&f.as, 0x10000, at, buf, sizeof(buf));
    address_space_rw(&f.as, 0x10000 + PAGE, at, buf, PAGE, false);
    g_assert_cmpuint(address_space_ldq_be(&f.as, 0x10000, at, NULL), ==, 0);
    assert_bits(&f.ram, "0000000000000000");
    /* The helpers built on the write path. */
    address_space_stq_be(&f.as, 0x10000 + 15 * PAGE + 8, 1, at, NULL);
    address_space_stb(&f.as, 0x10000, 1, at, NULL);
    address_space_set(&f.as, 0x10000 + 10 * PAGE + 0x800, 0xaa, PAGE, at);
    assert_bits(&f.ram, "1000000000110001");
    /* A write running past the end of RAM marks only RAM pages. */
    clear_all(&f.ram);
    address_space_write(&f.as, 0x10000 + 16 * PAGE - 4, at, buf, 16);
    assert_bits(&f.ram, "0000000000000001");
    memory_global_dirty_log_stop();
    fixture_fini(&f);
}

static void test_write_through_alias_and_rom(void)
{
    Fixture f;
    MemoryRegion alias, rom;
    uint8_t buf[8] = { 1 };
    const MemTxAttrs at = MEMTXATTRS_UNSPECIFIED;

    fixture_init(&f);
    /* A window onto ram pages 4..7 at 0x60000. */
    memory_region_init_alias(&alias, NULL, "win", &f.ram, 4 * PAGE,
                             4 * PAGE);
    memory_region_add_subregion(f.root, 0x60000, &alias);
    g_assert_true(memory_region_init_rom(&rom, NULL, "rom", 2 * PAGE,
                                         &error_abort));
    memory_region_add_subregion(f.root, 0x70000, &rom);
    start_ok();
    clear_all(&f.ram);
    clear_all(&rom);
    address_space_write(&f.as, 0x60000 + PAGE, at, buf, 1);
    assert_bits(&f.ram, "0000010000000000");
    /* Offsets through the alias land in the right page of the block. */
    g_assert_true(memory_region_get_dirty(&alias, PAGE, 1,
                                          DIRTY_MEMORY_MIGRATION));
    memory_region_set_dirty(&alias, 3 * PAGE, 1);
    assert_bits(&f.ram, "0000010100000000");
    /* Guest writes to ROM are dropped and mark nothing. */
    address_space_write(&f.as, 0x70000, at, buf, 8);
    assert_bits(&rom, "00");
    memory_global_dirty_log_stop();
    memory_region_del_subregion(f.root, &alias);
    memory_region_unref(&alias);
    memory_region_del_subregion(f.root, &rom);
    memory_region_unref(&rom);
    fixture_fini(&f);
}

static void test_map_unmap_marks_access_len(void)
{
    Fixture f;
    const MemTxAttrs at = MEMTXATTRS_UNSPECIFIED;
    hwaddr len = 4 * PAGE;
    void *p;

    fixture_init(&f);
    start_ok();
    clear_all(&f.ram);
    p = address_space_map(&f.as, 0x10000 + 2 * PAGE, &len, true, at);
    g_assert_nonnull(p);
    g_assert_cmphex(len, ==, 4 * PAGE);
    /* Mapping alone marks nothing: the device has not written yet. */
    assert_bits(&f.ram, "0000000000000000");
    memset(p, 0x5a, PAGE + 1);
    address_space_unmap(&f.as, p, len, true, PAGE + 1);
    assert_bits(&f.ram, "0011000000000000");
    /* A read mapping marks nothing on unmap. */
    len = 2 * PAGE;
    p = address_space_map(&f.as, 0x10000 + 8 * PAGE, &len, false, at);
    g_assert_nonnull(p);
    address_space_unmap(&f.as, p, len, false, len);
    /* A write mapping unmapped with nothing written marks nothing. */
    len = PAGE;
    p = address_space_map(&f.as, 0x10000 + 9 * PAGE, &len, true, at);
    address_space_unmap(&f.as, p, len, true, 0);
    assert_bits(&f.ram, "0011000000000000");
    memory_global_dirty_log_stop();
    fixture_fini(&f);
}

static void test_ram_device_never_logged(void)
{
    Fixture f;
    MemoryRegion dev;
    uint8_t bar[2 * PAGE] = { 0 };
    uint8_t buf[8] = { 1 };
    DirtyBitmapSnapshot *snap;

    fixture_init(&f);
    memory_region_init_ram_device_ptr(&dev, NULL, "bar", sizeof(bar), bar);
    memory_region_add_subregion(f.root, 0x50000, &dev);
    start_ok();
    address_space_write(&f.as, 0x50000, MEMTXATTRS_UNSPECIFIED, buf, 8);
    g_assert_cmpuint(bar[0], ==, 1);
    g_assert_null(memory_region_get_ram_block(&dev));
    memory_region_set_dirty(&dev, 0, PAGE);
    memory_region_set_log(&dev, true, DIRTY_MEMORY_MIGRATION);
    g_assert_false(dev.log_dirty);
    g_assert_false(memory_region_get_dirty(&dev, 0, sizeof(bar),
                                           DIRTY_MEMORY_MIGRATION));
    snap = memory_region_snapshot_and_clear_dirty(&dev, 0, sizeof(bar),
                                                  DIRTY_MEMORY_MIGRATION);
    g_assert_false(memory_region_snapshot_get_dirty(&dev, snap, 0,
                                                    sizeof(bar)));
    memory_region_snapshot_free(snap);
    memory_global_dirty_log_stop();
    memory_region_del_subregion(f.root, &dev);
    memory_region_unref(&dev);
    fixture_fini(&f);
}

/* An IOMMU that maps IOVA page n to address 0x10000 + n pages of "as". */
static AddressSpace *iommu_target;

static IOMMUTLBEntry shift_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
                                     IOMMUAccessFlags flag, int iommu_idx)
{
    return (IOMMUTLBEntry) {
        .target_as = iommu_target,
        .iova = addr & TARGET_PAGE_MASK,
        .translated_addr = 0x10000 + (addr & TARGET_PAGE_MASK),
        .addr_mask = PAGE - 1,
        .perm = IOMMU_RW,
    };
}

static const IOMMUMemoryRegionOps shift_iommu_ops = {
    .translate = shift_translate,
};

static void test_dma_through_iommu_marks_target(void)
{
    Fixture f;
    IOMMUMemoryRegion iommu;
    MemoryRegion *dma_root;
    AddressSpace dma_as;
    uint8_t buf[PAGE + 2] = { 0 };
    const MemTxAttrs at = MEMTXATTRS_UNSPECIFIED;
    hwaddr len = PAGE;
    void *p;

    fixture_init(&f);
    iommu_target = &f.as;
    dma_root = test_container_new("dma", UINT64_MAX);
    memory_region_init_iommu(&iommu, NULL, &shift_iommu_ops, NULL, "tce",
                             16 * PAGE);
    memory_region_add_subregion(dma_root, 0x800000, IOMMU_MR_REGION(&iommu));
    address_space_init(&dma_as, dma_root, "dma");
    start_ok();
    clear_all(&f.ram);
    /* An emulated device's DMA write, one byte short of two pages. */
    address_space_write(&dma_as, 0x800000 + 4 * PAGE + 1, at, buf,
                        PAGE + 1);
    assert_bits(&f.ram, "0000110000000000");
    p = address_space_map(&dma_as, 0x800000 + 9 * PAGE, &len, true, at);
    g_assert_nonnull(p);
    address_space_unmap(&dma_as, p, len, true, 4);
    assert_bits(&f.ram, "0000110001000000");
    memory_global_dirty_log_stop();
    address_space_destroy(&dma_as);
    memory_region_del_subregion(dma_root, IOMMU_MR_REGION(&iommu));
    memory_region_unref(IOMMU_MR_REGION(&iommu));
    memory_region_unref(dma_root);
    fixture_fini(&f);
}

/* ---------------------------------------------------------- Snapshots */

static void test_snapshot_takes_and_clears(void)
{
    Fixture f;
    DirtyBitmapSnapshot *snap;
    unsigned i;

    fixture_init(&f);
    start_ok();
    clear_all(&f.ram);
    memory_region_set_dirty(&f.ram, 1 * PAGE, 1);
    memory_region_set_dirty(&f.ram, 4 * PAGE, 2 * PAGE);
    memory_region_set_dirty(&f.ram, 14 * PAGE, 1);
    assert_bits(&f.ram, "0100110000000010");
    /* Pages 2..9 only (unaligned bounds widen to whole pages). */
    snap = memory_region_snapshot_and_clear_dirty(&f.ram, 2 * PAGE + 5,
                                                  7 * PAGE,
                                                  DIRTY_MEMORY_MIGRATION);
    assert_bits(&f.ram, "0100000000000010");
    for (i = 0; i < 16; i++) {
        g_assert_cmpint(memory_region_snapshot_get_dirty(&f.ram, snap,
                                                         i * PAGE, PAGE),
                        ==, i == 4 || i == 5);
    }
    g_assert_true(memory_region_snapshot_get_dirty(&f.ram, snap, 0,
                                                   16 * PAGE));
    g_assert_false(memory_region_snapshot_get_dirty(&f.ram, snap, 6 * PAGE,
                                                    4 * PAGE));
    memory_region_snapshot_free(snap);
    /* Written after the snapshot: seen by the next one only. */
    address_space_stb(&f.as, 0x10000 + 5 * PAGE, 1,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    snap = memory_region_snapshot_and_clear_dirty(&f.ram, 0, 16 * PAGE,
                                                  DIRTY_MEMORY_MIGRATION);
    assert_bits(&f.ram, "0000000000000000");
    for (i = 0; i < 16; i++) {
        g_assert_cmpint(memory_region_snapshot_get_dirty(&f.ram, snap,
                                                         i * PAGE, 1),
                        ==, i == 1 || i == 5 || i == 14);
    }
    memory_region_snapshot_free(snap);
    /* Out of range: an empty snapshot. */
    snap = memory_region_snapshot_and_clear_dirty(&f.ram, 16 * PAGE, PAGE,
                                                  DIRTY_MEMORY_MIGRATION);
    g_assert_false(memory_region_snapshot_get_dirty(&f.ram, snap, 0,
                                                    UINT64_MAX));
    memory_region_snapshot_free(snap);
    memory_global_dirty_log_stop();
    fixture_fini(&f);
}

static void test_snapshot_large_block(void)
{
    Fixture f;
    MemoryRegion big;
    DirtyBitmapSnapshot *snap;
    const uint64_t pages = 1000;   /* spans many bitmap words */
    uint64_t i, n = 0;

    fixture_init(&f);
    g_assert_true(memory_region_init_ram(&big, NULL, "big", pages * PAGE,
                                         &error_abort));
    memory_region_add_subregion(f.root, 0x1000000, &big);
    start_ok();
    snap = memory_region_snapshot_and_clear_dirty(&big, 0, pages * PAGE,
                                                  DIRTY_MEMORY_MIGRATION);
    for (i = 0; i < pages; i++) {
        n += memory_region_snapshot_get_dirty(&big, snap, i * PAGE, PAGE);
    }
    /* Global start made every page dirty, and no page beyond. */
    g_assert_cmpuint(n, ==, pages);
    memory_region_snapshot_free(snap);
    for (i = 63; i < pages; i += 97) {
        memory_region_set_dirty(&big, i * PAGE, 1);
    }
    /* Pages 100..899: the marks at 63 and 936 stay outside. */
    snap = memory_region_snapshot_and_clear_dirty(&big, 100 * PAGE,
                                                  800 * PAGE,
                                                  DIRTY_MEMORY_MIGRATION);
    for (i = 0; i < pages; i++) {
        bool marked = i >= 63 && (i - 63) % 97 == 0;
        bool want = marked && i >= 100 && i < 900;

        g_assert_cmpint(memory_region_snapshot_get_dirty(&big, snap,
                                                         i * PAGE, PAGE),
                        ==, want);
        /* Outside the snapshot's range the bits are still there. */
        g_assert_cmpint(memory_region_get_dirty(&big, i * PAGE, PAGE,
                                                DIRTY_MEMORY_MIGRATION), ==,
                        marked && !want);
    }
    memory_region_snapshot_free(snap);
    memory_global_dirty_log_stop();
    memory_region_del_subregion(f.root, &big);
    memory_region_unref(&big);
    fixture_fini(&f);
}

static void test_snapshot_syncs_listeners(void)
{
    Fixture f;
    DirtyListener a;
    DirtyBitmapSnapshot *snap;
    MemoryRegion other;
    uint64_t round;

    fixture_init(&f);
    g_assert_true(memory_region_init_ram(&other, NULL, "other", PAGE,
                                         &error_abort));
    memory_region_add_subregion(f.root, 0x30000, &other);
    dl_init(&a, "A", 1, f.log);
    memory_listener_register(&a.ml, &f.as);
    /* Not logging: snapshots and syncs do not call log_sync. */
    snap = memory_region_snapshot_and_clear_dirty(&f.ram, 0, 16 * PAGE,
                                                  DIRTY_MEMORY_MIGRATION);
    memory_region_snapshot_free(snap);
    memory_global_dirty_log_sync();
    g_assert_cmpuint(a.syncs, ==, 0);

    start_ok();
    clear_all(&f.ram);
    g_free(rec_log_take(f.log));
    /* The listener knows of a write the core did not see (page 7). */
    a.sync_mark = 7 * PAGE + 12;
    a.sync_mark_on = true;
    round = memory_dirty_sync_round();
    snap = memory_region_snapshot_and_clear_dirty(&f.ram, 4 * PAGE,
                                                  8 * PAGE,
                                                  DIRTY_MEMORY_MIGRATION);
    g_assert_cmpuint(memory_dirty_sync_round(), ==, round + 1);
    /* Synced first, only for the snapshot's part of the region. */
    assert_log(&f, "A sync ram 14000+8000@4000\n");
    g_assert_true(memory_region_snapshot_get_dirty(&f.ram, snap, 7 * PAGE,
                                                   PAGE));
    g_assert_false(memory_region_snapshot_get_dirty(&f.ram, snap, 0,
                                                    7 * PAGE));
    memory_region_snapshot_free(snap);
    /* ...and cleared with the rest. */
    assert_bits(&f.ram, "0000000000000000");

    /* A global sync reaches every logged section once. */
    memory_global_dirty_log_sync();
    g_assert_cmpuint(memory_dirty_sync_round(), ==, round + 2);
    assert_log(&f, "A sync ram 10000+10000@0\nA sync other 30000+1000@0\n");
    assert_bits(&f.ram, "0000000100000000");
    memory_global_dirty_log_stop();
    memory_listener_unregister(&a.ml);
    memory_region_del_subregion(f.root, &other);
    memory_region_unref(&other);
    fixture_fini(&f);
}

/* --------------------------------------------------- Per-region logging */

static void test_region_set_log(void)
{
    Fixture f;
    DirtyListener a;
    RAMBlock *rb;

    fixture_init(&f);
    dl_init(&a, "A", 1, f.log);
    memory_listener_register(&a.ml, &f.as);
    rb = memory_region_get_ram_block(&f.ram);

    memory_region_set_log(&f.ram, true, DIRTY_MEMORY_MIGRATION);
    assert_log(&f, "A lstart ram 10000+10000@0\n");
    /* A per-region client wants changes from now on: starts clean. */
    assert_bits(&f.ram, "0000000000000000");
    address_space_stb(&f.as, 0x10000 + 2 * PAGE, 1,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    assert_bits(&f.ram, "0010000000000000");
    /* Setting it again changes nothing. */
    memory_region_set_log(&f.ram, true, DIRTY_MEMORY_MIGRATION);
    assert_log(&f, "");

    /* Global logging on top: the section was logged already. */
    start_ok();
    assert_log(&f, "A gstart\n");
    assert_bits(&f.ram, "1111111111111111");
    memory_region_set_log(&f.ram, false, DIRTY_MEMORY_MIGRATION);
    assert_log(&f, "");
    g_assert_true(rb->dirty_log);
    memory_region_set_log(&f.ram, true, DIRTY_MEMORY_MIGRATION);
    memory_global_dirty_log_stop();
    assert_log(&f, "A gstop\n");
    g_assert_true(rb->dirty_log);

    memory_region_set_log(&f.ram, false, DIRTY_MEMORY_MIGRATION);
    assert_log(&f, "A lstop ram 10000+10000@0\n");
    g_assert_false(rb->dirty_log);
    g_assert_null(rb->dirty_bitmap);
    memory_listener_unregister(&a.ml);
    fixture_fini(&f);
}

/* The system address space, as the qtest protocol's writes use it. */
static void test_system_memory_writes(void)
{
    MemoryRegion *sys = get_system_memory();
    MemoryRegion ram;
    uint8_t buf[16] = { 0 };

    g_assert_true(memory_region_init_ram(&ram, NULL, "sysram", 8 * PAGE,
                                         &error_abort));
    memory_region_add_subregion(sys, 0, &ram);
    start_ok();
    clear_all(&ram);
    address_space_write(&address_space_memory, 6 * PAGE + 8,
                        MEMTXATTRS_UNSPECIFIED, buf, sizeof(buf));
    stq_be_phys(&address_space_memory, 2 * PAGE, 1);
    assert_bits(&ram, "00100010");
    memory_global_dirty_log_stop();
    memory_region_del_subregion(sys, &ram);
    memory_region_unref(&ram);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dirty/global/start-stop-callback-order",
                    test_global_start_stop_order);
    g_test_add_func("/dirty/global/refusal-unwinds-and-names-listener",
                    test_global_refusal_unwinds);
    g_test_add_func("/dirty/global/listener-registered-while-logging",
                    test_listener_registered_while_logging);
    g_test_add_func("/dirty/hotplug/region-added-gets-bitmap-and-log-start",
                    test_region_added_while_logging);
    g_test_add_func("/dirty/hotplug/address-space-created-while-logging",
                    test_address_space_created_while_logging);
    g_test_add_func("/dirty/write/address-space-write-marks-exact-pages",
                    test_write_marks_exact_pages);
    g_test_add_func("/dirty/write/alias-offsets-and-rom",
                    test_write_through_alias_and_rom);
    g_test_add_func("/dirty/write/map-unmap-marks-access-len",
                    test_map_unmap_marks_access_len);
    g_test_add_func("/dirty/write/ram-device-never-logged",
                    test_ram_device_never_logged);
    g_test_add_func("/dirty/write/dma-through-iommu-marks-target",
                    test_dma_through_iommu_marks_target);
    g_test_add_func("/dirty/write/system-memory-as-qtest-writes",
                    test_system_memory_writes);
    g_test_add_func("/dirty/snapshot/takes-and-clears-range",
                    test_snapshot_takes_and_clears);
    g_test_add_func("/dirty/snapshot/large-block-word-boundaries",
                    test_snapshot_large_block);
    g_test_add_func("/dirty/snapshot/syncs-listeners-first",
                    test_snapshot_syncs_listeners);
    g_test_add_func("/dirty/region/set-log-start-stop",
                    test_region_set_log);
    return g_test_run();
}
