/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Guest memory access (exec.c): translation and read/write of RAM,
 * MMIO, aliases, ROM, ram_device, unassigned space and IOMMU regions.
 */
#include "memtest.h"

#define PAGE 0x1000

/* A root of 2^64 bytes and an address space over it. */
typedef struct Fixture {
    MemoryRegion *root;
    AddressSpace as;
} Fixture;

static void fixture_init(Fixture *f)
{
    f->root = test_container_new("root", UINT64_MAX);
    address_space_init(&f->as, f->root, "test");
}

static void fixture_fini(Fixture *f)
{
    address_space_destroy(&f->as);
    memory_region_unref(f->root);
}

static MemoryRegion *add_ram(Fixture *f, const char *name, hwaddr addr,
                             uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    g_assert_true(memory_region_init_ram(mr, NULL, name, size,
                                         &error_abort));
    memory_region_add_subregion(f->root, addr, mr);
    return mr;
}

/* Unmap and drop a region added with g_new0 above. */
static void drop(Fixture *f, MemoryRegion *mr)
{
    memory_region_del_subregion(f->root, mr);
    memory_region_unref(mr);
    g_free(mr);
}

static void test_ram_roundtrip(void)
{
    Fixture f;
    MemoryRegion *ram;
    uint8_t in[100], out[100];
    hwaddr xlat, len = 0x10000;
    unsigned i;

    fixture_init(&f);
    ram = add_ram(&f, "ram", 0x10000, 0x4000);
    for (i = 0; i < sizeof(in); i++) {
        in[i] = i * 7;
    }
    g_assert_cmpint(address_space_write(&f.as, 0x10ff0,
                                        MEMTXATTRS_UNSPECIFIED, in,
                                        sizeof(in)), ==, MEMTX_OK);
    g_assert_cmpint(address_space_read(&f.as, 0x10ff0,
                                       MEMTXATTRS_UNSPECIFIED, out,
                                       sizeof(out)), ==, MEMTX_OK);
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));
    g_assert_cmpmem((uint8_t *)memory_region_get_ram_ptr(ram) + 0xff0, 100,
                    in, 100);
    g_assert_true(address_space_translate(&f.as, 0x11000, &xlat, &len,
                                          false, MEMTXATTRS_UNSPECIFIED)
                  == ram);
    g_assert_cmphex(xlat, ==, 0x1000);
    g_assert_cmphex(len, ==, 0x3000);   /* clipped to the region's end */
    drop(&f, ram);
    fixture_fini(&f);
}

static void test_alias_translates_to_target(void)
{
    Fixture f;
    MemoryRegion *ram, alias;
    hwaddr xlat, len = 0x100;

    fixture_init(&f);
    ram = add_ram(&f, "ram", 0, 0x10000);
    memory_region_init_alias(&alias, NULL, "win", ram, 0x3000, 0x2000);
    memory_region_add_subregion(f.root, 0x100000, &alias);
    stl_be_phys(&f.as, 0x100010, 0xdeadbeef);
    g_assert_cmphex(ldl_be_phys(&f.as, 0x3010), ==, 0xdeadbeef);
    g_assert_true(address_space_translate(&f.as, 0x101008, &xlat, &len,
                                          true, MEMTXATTRS_UNSPECIFIED)
                  == ram);
    g_assert_cmphex(xlat, ==, 0x4008);
    memory_region_del_subregion(f.root, &alias);
    memory_region_unref(&alias);
    drop(&f, ram);
    fixture_fini(&f);
}

static void test_unassigned_all_ones(void)
{
    Fixture f;
    MemoryRegion *ram;
    uint8_t buf[16];
    uint8_t ones[16];
    uint8_t v = 0x12;
    MemTxResult r = MEMTX_OK;

    fixture_init(&f);
    ram = add_ram(&f, "ram", 0x2000, PAGE);
    memset(ones, 0xff, sizeof(ones));
    g_assert_cmpint(address_space_read(&f.as, 0x9000,
                                       MEMTXATTRS_UNSPECIFIED, buf,
                                       sizeof(buf)), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpmem(buf, sizeof(buf), ones, sizeof(ones));
    g_assert_cmphex(address_space_ldq_be(&f.as, 0x9000,
                                         MEMTXATTRS_UNSPECIFIED, &r), ==,
                    UINT64_MAX);
    g_assert_cmpint(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_write(&f.as, 0x1fff,
                                        MEMTXATTRS_UNSPECIFIED, &v, 1),
                    ==, MEMTX_DECODE_ERROR);
    g_assert_false(address_space_access_valid(&f.as, 0x1ff0, 0x20, false,
                                              MEMTXATTRS_UNSPECIFIED));
    g_assert_true(address_space_access_valid(&f.as, 0x2000, PAGE, true,
                                             MEMTXATTRS_UNSPECIFIED));
    drop(&f, ram);
    fixture_fini(&f);
}

/* A read across RAM, a hole and RAM again: each part as it should be. */
static void test_read_spanning_sections(void)
{
    Fixture f;
    MemoryRegion *a, *b;
    uint8_t buf[3 * PAGE];

    fixture_init(&f);
    a = add_ram(&f, "a", 0, PAGE);
    b = add_ram(&f, "b", 2 * PAGE, PAGE);
    memset(memory_region_get_ram_ptr(a), 0x0a, PAGE);
    memset(memory_region_get_ram_ptr(b), 0x0b, PAGE);
    g_assert_cmpint(address_space_read(&f.as, 0, MEMTXATTRS_UNSPECIFIED,
                                       buf, sizeof(buf)), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpuint(buf[PAGE - 1], ==, 0x0a);
    g_assert_cmpuint(buf[PAGE], ==, 0xff);
    g_assert_cmpuint(buf[2 * PAGE - 1], ==, 0xff);
    g_assert_cmpuint(buf[2 * PAGE], ==, 0x0b);
    g_assert_cmpint(address_space_set(&f.as, 0x800, 0x5e, 0x1000,
                                      MEMTXATTRS_UNSPECIFIED), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpuint(((uint8_t *)memory_region_get_ram_ptr(a))[0x7ff], ==,
                     0x0a);
    g_assert_cmpuint(((uint8_t *)memory_region_get_ram_ptr(a))[0x800], ==,
                     0x5e);
    drop(&f, a);
    drop(&f, b);
    fixture_fini(&f);
}

static void add_dev(Fixture *f, MemoryRegion *mr, TestDev *d,
                    const MemoryRegionOps *ops, hwaddr addr)
{
    memory_region_init_io(mr, NULL, ops, d, "dev", sizeof(d->regs));
    memory_region_add_subregion(f->root, addr, mr);
}

static void drop_dev(Fixture *f, MemoryRegion *mr)
{
    memory_region_del_subregion(f->root, mr);
    memory_region_unref(mr);
}

static void test_mmio_big_endian(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    TestDev d = { .log = log };
    Fixture f;
    MemoryRegion mr;
    uint8_t buf[4] = { 0x11, 0x22, 0x33, 0x44 };
    uint8_t out[4];

    fixture_init(&f);
    add_dev(&f, &mr, &d, &testdev_be_ops, 0x1000);
    /* Guest-order bytes 11 22 33 44 are the value 0x11223344. */
    g_assert_cmpint(address_space_write(&f.as, 0x1010,
                                        MEMTXATTRS_UNSPECIFIED, buf, 4),
                    ==, MEMTX_OK);
    g_assert_cmpstr(log->str, ==, "w 10/4=11223344\n");
    g_assert_cmpmem(d.regs + 0x10, 4, buf, 4);
    g_string_truncate(log, 0);
    g_assert_cmpint(address_space_read(&f.as, 0x1010,
                                       MEMTXATTRS_UNSPECIFIED, out, 4),
                    ==, MEMTX_OK);
    g_assert_cmpstr(log->str, ==, "r 10/4=11223344\n");
    g_assert_cmpmem(out, 4, buf, 4);
    g_assert_cmphex(ldl_be_phys(&f.as, 0x1010), ==, 0x11223344);
    drop_dev(&f, &mr);
    fixture_fini(&f);
}

static void test_mmio_little_endian(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    TestDev d = { .log = log, .little_endian = true };
    Fixture f;
    MemoryRegion mr;

    fixture_init(&f);
    add_dev(&f, &mr, &d, &testdev_le_ops, 0x1000);
    /* A big-endian store to a little-endian device is byte-swapped. */
    stl_be_phys(&f.as, 0x1000, 0x11223344);
    g_assert_cmpstr(log->str, ==, "w 0/4=44332211\n");
    g_assert_cmpuint(d.regs[0], ==, 0x11);
    g_assert_cmpuint(d.regs[3], ==, 0x44);
    g_assert_cmphex(ldl_be_phys(&f.as, 0x1000), ==, 0x11223344);
    drop_dev(&f, &mr);
    fixture_fini(&f);
}

static void test_mmio_split_by_size(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    TestDev d = { .log = log };
    Fixture f;
    MemoryRegion mr;
    uint8_t buf[7] = { 1, 2, 3, 4, 5, 6, 7 };

    fixture_init(&f);
    add_dev(&f, &mr, &d, &testdev_be_max4_ops, 0);
    stq_be_phys(&f.as, 0x20, 0x0102030405060708ULL);
    g_assert_cmpstr(log->str, ==, "w 20/4=1020304\nw 24/4=5060708\n");
    g_string_truncate(log, 0);
    /* 7 bytes at an odd address: natural-alignment pieces, in order. */
    g_assert_cmpint(address_space_write(&f.as, 0x41,
                                        MEMTXATTRS_UNSPECIFIED, buf, 7),
                    ==, MEMTX_OK);
    g_assert_cmpstr(log->str, ==,
                    "w 41/1=1\nw 42/2=203\nw 44/4=4050607\n");
    g_assert_cmpmem(d.regs + 0x41, 7, buf, 7);
    drop_dev(&f, &mr);
    fixture_fini(&f);
}

static void test_mmio_valid_rules(void)
{
    TestDev d = { 0 };
    Fixture f;
    MemoryRegion mr;
    uint8_t b = 0;

    fixture_init(&f);
    add_dev(&f, &mr, &d, &testdev_min4_ops, 0);
    /* A byte access to a device that only takes 4..8 is refused. */
    g_assert_cmpint(address_space_read(&f.as, 0, MEMTXATTRS_UNSPECIFIED,
                                       &b, 1), ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_write(&f.as, 0, MEMTXATTRS_UNSPECIFIED,
                                        &b, 1), ==, MEMTX_ERROR);
    g_assert_cmpuint(d.accesses, ==, 0);
    g_assert_false(address_space_access_valid(&f.as, 0, 1, false,
                                              MEMTXATTRS_UNSPECIFIED));
    g_assert_true(address_space_access_valid(&f.as, 0, 8, false,
                                             MEMTXATTRS_UNSPECIFIED));
    stl_be_phys(&f.as, 4, 0xcafe);
    g_assert_cmpuint(d.accesses, ==, 1);
    drop_dev(&f, &mr);
    fixture_fini(&f);
}

static void test_rom_ignores_writes(void)
{
    Fixture f;
    MemoryRegion rom;
    uint32_t v = 0x12345678;
    hwaddr len = 4;

    fixture_init(&f);
    g_assert_true(memory_region_init_rom(&rom, NULL, "rom", PAGE,
                                         &error_abort));
    memset(memory_region_get_ram_ptr(&rom), 0x3c, PAGE);
    memory_region_add_subregion(f.root, 0x5000, &rom);
    g_assert_cmpint(address_space_write(&f.as, 0x5000,
                                        MEMTXATTRS_UNSPECIFIED, &v, 4),
                    ==, MEMTX_OK);
    g_assert_cmphex(ldl_be_phys(&f.as, 0x5000), ==, 0x3c3c3c3c);
    /* No writable pointer into ROM either. */
    g_assert_null(address_space_map(&f.as, 0x5000, &len, true,
                                    MEMTXATTRS_UNSPECIFIED));
    len = 4;
    g_assert_nonnull(address_space_map(&f.as, 0x5000, &len, false,
                                       MEMTXATTRS_UNSPECIFIED));
    memory_region_del_subregion(f.root, &rom);
    memory_region_unref(&rom);
    fixture_fini(&f);
}

typedef struct WidthLog {
    GString *log;
} WidthLog;

static void width_hook(MemoryRegion *mr, hwaddr offset, unsigned size,
                       bool is_write, void *opaque)
{
    WidthLog *w = opaque;

    g_string_append_printf(w->log, "%c%" PRIx64 "/%u ", is_write ? 'w' : 'r',
                           offset, size);
}

static void test_ram_device_exact_width(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    WidthLog w = { log };
    uint64_t bar[8] = { 0 };
    Fixture f;
    MemoryRegion dev;
    uint8_t buf[15], out[15];
    hwaddr len = 8;
    unsigned i;

    fixture_init(&f);
    memory_region_init_ram_device_ptr(&dev, NULL, "bar", sizeof(bar), bar);
    memory_region_add_subregion(f.root, 0x40000, &dev);
    ram_device_set_access_hook(width_hook, &w);
    for (i = 0; i < sizeof(buf); i++) {
        buf[i] = 0xa0 + i;
    }
    g_assert_cmpint(address_space_write(&f.as, 0x40001,
                                        MEMTXATTRS_UNSPECIFIED, buf, 15),
                    ==, MEMTX_OK);
    /* 15 bytes at offset 1: 1 + 2 + 4 + 8, each one aligned access. */
    g_assert_cmpstr(log->str, ==, "w1/1 w2/2 w4/4 w8/8 ");
    g_assert_cmpmem((uint8_t *)bar + 1, 15, buf, 15);
    g_string_truncate(log, 0);
    g_assert_cmpint(address_space_read(&f.as, 0x40001,
                                       MEMTXATTRS_UNSPECIFIED, out, 15),
                    ==, MEMTX_OK);
    g_assert_cmpstr(log->str, ==, "r1/1 r2/2 r4/4 r8/8 ");
    g_assert_cmpmem(out, 15, buf, 15);
    g_string_truncate(log, 0);
    g_assert_cmphex(ldl_be_phys(&f.as, 0x40010), ==, 0);
    g_assert_cmpstr(log->str, ==, "r10/4 ");
    ram_device_set_access_hook(NULL, NULL);
    /* Device memory is never handed out as a plain pointer. */
    g_assert_null(address_space_map(&f.as, 0x40000, &len, false,
                                    MEMTXATTRS_UNSPECIFIED));
    memory_region_del_subregion(f.root, &dev);
    memory_region_unref(&dev);
    fixture_fini(&f);
}

static void test_map_unmap_dirty(void)
{
    Fixture f;
    MemoryRegion *ram;
    RAMBlock *rb;
    TestDev d = { 0 };
    MemoryRegion io;
    hwaddr len = 0x10000;
    uint8_t *p;

    fixture_init(&f);
    ram = add_ram(&f, "ram", 0x100000, 8 * PAGE);
    add_dev(&f, &io, &d, &testdev_be_ops, 0x200000);
    rb = memory_region_get_ram_block(ram);
    rb->dirty_bitmap = g_new0(unsigned long, 1);
    rb->dirty_log = true;

    p = address_space_map(&f.as, 0x101800, &len, true,
                          MEMTXATTRS_UNSPECIFIED);
    g_assert_true(p == (uint8_t *)memory_region_get_ram_ptr(ram) + 0x1800);
    g_assert_cmphex(len, ==, 8 * PAGE - 0x1800);
    memset(p, 1, 0x1000);
    address_space_unmap(&f.as, p, len, true, 0x1000);
    /* Bytes 0x1800..0x27ff: pages 1 and 2. */
    g_assert_cmphex(rb->dirty_bitmap[0], ==, 0x6);

    len = 4;
    g_assert_null(address_space_map(&f.as, 0x200000, &len, false,
                                    MEMTXATTRS_UNSPECIFIED));
    g_assert_cmphex(len, ==, 0);
    len = 4;
    g_assert_null(address_space_map(&f.as, 0x300000, &len, false,
                                    MEMTXATTRS_UNSPECIFIED));
    drop_dev(&f, &io);
    drop(&f, ram);
    fixture_fini(&f);
}

static void test_ldst_big_endian(void)
{
    Fixture f;
    MemoryRegion *ram;
    uint8_t *host;
    MemTxResult r = MEMTX_ERROR;

    fixture_init(&f);
    ram = add_ram(&f, "ram", 0, PAGE);
    host = memory_region_get_ram_ptr(ram);
    address_space_stq_be(&f.as, 0, 0x0102030405060708ULL,
                         MEMTXATTRS_UNSPECIFIED, &r);
    g_assert_cmpint(r, ==, MEMTX_OK);
    g_assert_cmpuint(host[0], ==, 1);
    g_assert_cmpuint(host[7], ==, 8);
    g_assert_cmphex(address_space_lduw_be(&f.as, 2, MEMTXATTRS_UNSPECIFIED,
                                          NULL), ==, 0x0304);
    g_assert_cmphex(address_space_ldub(&f.as, 7, MEMTXATTRS_UNSPECIFIED,
                                       NULL), ==, 8);
    address_space_stw_be(&f.as, 0x10, 0xabcd, MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stb(&f.as, 0x12, 0xef, MEMTXATTRS_UNSPECIFIED, NULL);
    stl_be_phys(&f.as, 0x14, 0x11223344);
    g_assert_cmphex(ldq_be_phys(&f.as, 0x10), ==, 0xabcdef0011223344ULL);
    g_assert_cmphex(address_space_lduw_be(&f.as, 0x2000,
                                          MEMTXATTRS_UNSPECIFIED, &r),
                    ==, 0xffff);
    g_assert_cmpint(r, ==, MEMTX_DECODE_ERROR);
    drop(&f, ram);
    fixture_fini(&f);
}

/* The very top of a 2^64 address space is reachable. */
static void test_top_of_address_space(void)
{
    Fixture f;
    MemoryRegion *ram;
    hwaddr xlat, len = UINT64_MAX;

    fixture_init(&f);
    ram = add_ram(&f, "top", UINT64_MAX - PAGE + 1, PAGE);
    stq_be_phys(&f.as, UINT64_MAX - 7, 0x1122334455667788ULL);
    g_assert_cmphex(ldq_be_phys(&f.as, UINT64_MAX - 7), ==,
                    0x1122334455667788ULL);
    g_assert_true(address_space_translate(&f.as, UINT64_MAX - 7, &xlat,
                                          &len, false,
                                          MEMTXATTRS_UNSPECIFIED) == ram);
    g_assert_cmphex(xlat, ==, PAGE - 8);
    g_assert_cmphex(len, ==, 8);
    drop(&f, ram);
    fixture_fini(&f);
}

/* Thousands of sections: every lookup still finds its own. */
static void test_many_sections_lookup(void)
{
    enum { N = 4096 };
    Fixture f;
    MemoryRegion *ram;
    MemoryRegion *alias = g_new0(MemoryRegion, N);
    unsigned i;

    fixture_init(&f);
    ram = add_ram(&f, "backing", 0, N * 8);
    memory_region_transaction_begin();
    for (i = 0; i < N; i++) {
        /* Every other page, in reverse order of offsets: never merged. */
        memory_region_init_alias(&alias[i], NULL, "a", ram,
                                 (N - 1 - i) * 8, 8);
        memory_region_add_subregion(f.root, 0x100000 + 2 * i * PAGE,
                                    &alias[i]);
    }
    memory_region_transaction_commit();
    g_assert_cmpuint(address_space_to_flatview(&f.as)->nr, ==, N + 1);
    for (i = 0; i < N; i++) {
        stq_be_phys(&f.as, 0x100000 + 2 * i * PAGE, i);
    }
    for (i = 0; i < N; i++) {
        g_assert_cmpuint(ldq_be_phys(&f.as, (N - 1 - i) * 8), ==, i);
        g_assert_cmphex(ldq_be_phys(&f.as, 0x100000 + (2 * i + 1) * PAGE),
                        ==, UINT64_MAX);
    }
    memory_region_transaction_begin();
    for (i = 0; i < N; i++) {
        memory_region_del_subregion(f.root, &alias[i]);
        memory_region_unref(&alias[i]);
    }
    memory_region_transaction_commit();
    g_free(alias);
    drop(&f, ram);
    fixture_fini(&f);
}

/* ---------------------------------------------------------------- IOMMU */

/* 16 IOVA pages of 4 KiB, each mapped to a target address or not. */
typedef struct TestIommu {
    IOMMUMemoryRegion iommu;
    AddressSpace *target;
    hwaddr map[16];
    IOMMUAccessFlags perm[16];
} TestIommu;

static IOMMUTLBEntry test_iommu_translate(IOMMUMemoryRegion *iommu,
                                          hwaddr addr, IOMMUAccessFlags flag,
                                          int idx)
{
    TestIommu *t = container_of(iommu, TestIommu, iommu);
    unsigned i = addr / PAGE;

    return (IOMMUTLBEntry) {
        .target_as = t->target,
        .iova = addr & ~(hwaddr)(PAGE - 1),
        .translated_addr = t->map[i],
        .addr_mask = PAGE - 1,
        .perm = t->perm[i],
    };
}

static const IOMMUMemoryRegionOps test_iommu_ops = {
    .translate = test_iommu_translate,
};

static void test_iommu_access(void)
{
    Fixture f, dma;
    MemoryRegion *ram;
    TestIommu t = { 0 };
    uint8_t *host;
    uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint8_t out[0x1100];
    hwaddr xlat, len = 0x3000;
    MemTxResult r = MEMTX_OK;

    fixture_init(&f);
    ram = add_ram(&f, "ram", 0x40000000, 16 * PAGE);
    host = memory_region_get_ram_ptr(ram);
    dma = (Fixture) { 0 };
    dma.root = test_container_new("dma-root", UINT64_MAX);
    t.target = &f.as;
    t.map[0] = 0x40005000;
    t.perm[0] = IOMMU_RW;
    t.map[1] = 0x40002000;
    t.perm[1] = IOMMU_RO;
    memory_region_init_iommu(&t.iommu, NULL, &test_iommu_ops, &t, "iommu",
                             16 * PAGE);
    memory_region_add_subregion(dma.root, 0x80000000,
                                IOMMU_MR_REGION(&t.iommu));
    address_space_init(&dma.as, dma.root, "dma");

    /* Translation: final region, offset, and length clipped to a page. */
    g_assert_true(address_space_translate(&dma.as, 0x80000ff8, &xlat, &len,
                                          true, MEMTXATTRS_UNSPECIFIED)
                  == ram);
    g_assert_cmphex(xlat, ==, 0x5ff8);
    g_assert_cmphex(len, ==, 8);

    g_assert_cmpint(address_space_write(&dma.as, 0x80000010,
                                        MEMTXATTRS_UNSPECIFIED, buf, 8),
                    ==, MEMTX_OK);
    g_assert_cmpmem(host + 0x5010, 8, buf, 8);

    /* Reads may go through a read-only entry, writes may not. */
    host[0x2004] = 0x66;
    g_assert_cmphex(address_space_ldub(&dma.as, 0x80001004,
                                       MEMTXATTRS_UNSPECIFIED, &r), ==, 0x66);
    g_assert_cmpint(r, ==, MEMTX_OK);
    g_assert_cmpint(address_space_write(&dma.as, 0x80001000,
                                        MEMTXATTRS_UNSPECIFIED, buf, 8),
                    ==, MEMTX_ACCESS_ERROR);
    g_assert_cmpuint(host[0x2000], ==, 0);
    len = 8;
    address_space_translate_full(&dma.as, 0x80001000, &xlat, &len, true,
                                 MEMTXATTRS_UNSPECIFIED, &r);
    g_assert_cmpint(r, ==, MEMTX_ACCESS_ERROR);
    g_assert_false(address_space_access_valid(&dma.as, 0x80001000, 8, true,
                                              MEMTXATTRS_UNSPECIFIED));
    g_assert_true(address_space_access_valid(&dma.as, 0x80001000, 8, false,
                                             MEMTXATTRS_UNSPECIFIED));

    /* Unmapped page: all ones, access error. */
    g_assert_cmphex(address_space_ldl_be(&dma.as, 0x80003000,
                                         MEMTXATTRS_UNSPECIFIED, &r), ==,
                    0xffffffff);
    g_assert_cmpint(r, ==, MEMTX_ACCESS_ERROR);

    /* A read across two IOMMU pages follows each page's mapping. */
    memset(host + 0x5000, 0x55, PAGE);
    memset(host + 0x2000, 0x22, PAGE);
    g_assert_cmpint(address_space_read(&dma.as, 0x80000f80,
                                       MEMTXATTRS_UNSPECIFIED, out, 0x100),
                    ==, MEMTX_OK);
    g_assert_cmpuint(out[0x7f], ==, 0x55);
    g_assert_cmpuint(out[0x80], ==, 0x22);

    address_space_destroy(&dma.as);
    memory_region_del_subregion(dma.root, IOMMU_MR_REGION(&t.iommu));
    memory_region_unref(IOMMU_MR_REGION(&t.iommu));
    memory_region_unref(dma.root);
    drop(&f, ram);
    fixture_fini(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_init_system();
    g_test_add_func("/access/ram/write-read-roundtrip-and-translate",
                    test_ram_roundtrip);
    g_test_add_func("/access/alias/translates-to-target-offset",
                    test_alias_translates_to_target);
    g_test_add_func("/access/unassigned/reads-all-ones-decode-error",
                    test_unassigned_all_ones);
    g_test_add_func("/access/rw/spanning-ram-hole-ram",
                    test_read_spanning_sections);
    g_test_add_func("/access/mmio/big-endian-guest-byte-order",
                    test_mmio_big_endian);
    g_test_add_func("/access/mmio/little-endian-device-swapped",
                    test_mmio_little_endian);
    g_test_add_func("/access/mmio/split-into-aligned-valid-sizes",
                    test_mmio_split_by_size);
    g_test_add_func("/access/mmio/invalid-size-rejected",
                    test_mmio_valid_rules);
    g_test_add_func("/access/rom/writes-ignored", test_rom_ignores_writes);
    g_test_add_func("/access/ram-device/exact-width-accesses-only",
                    test_ram_device_exact_width);
    g_test_add_func("/access/map/direct-pointer-and-unmap-marks-dirty",
                    test_map_unmap_dirty);
    g_test_add_func("/access/ldst/big-endian-helpers",
                    test_ldst_big_endian);
    g_test_add_func("/access/ram/top-of-2-64-address-space",
                    test_top_of_address_space);
    g_test_add_func("/access/lookup/thousands-of-sections",
                    test_many_sections_lookup);
    g_test_add_func("/access/iommu/translate-permission-and-page-clip",
                    test_iommu_access);
    return g_test_run();
}
