/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * TCE tables and the TCE hypercalls, in process: every error code,
 * the 512-entry indirect limit, STUFF, RAM-only TCEs, translation,
 * batched notifications, replay and sparse storage.
 */
#include "spapr-fixture.h"

#define PAGE        0x1000ULL
#define LIST        0x100000ULL     /* a TCE list page in guest RAM */

static SpaprTceTable *table(uint32_t liobn)
{
    SpaprTceTable *t = spapr_tce_find_by_liobn(liobn);

    g_assert_nonnull(t);
    return t;
}

static int64_t stuff(uint32_t liobn, uint64_t ioba, uint64_t tce,
                     uint64_t npages)
{
    uint64_t args[] = { liobn, ioba, tce, npages };

    return fx_hcall(H_STUFF_TCE, 4, args, NULL);
}

static int64_t indirect(uint32_t liobn, uint64_t ioba, uint64_t list,
                        uint64_t npages)
{
    uint64_t args[] = { liobn, ioba, list, npages };

    return fx_hcall(H_PUT_TCE_INDIRECT, 4, args, NULL);
}

static void test_put_get(void)
{
    uint64_t args[] = { FX_LIOBN0, 0x5000 }, out = 0;

    fx_start(0, NULL);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x5000, 0x200000 | 3), ==,
                    H_SUCCESS);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x5000), ==, 0x200000 | 3);
    /* ioba is rounded down to the page */
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x5fff), ==, 0x200000 | 3);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x6abc, 0x201000 | 1), ==,
                    H_SUCCESS);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x6000), ==, 0x201000 | 1);
    /* H_GET_TCE returns one register */
    g_assert_cmpint(fx_hcall(H_GET_TCE, 2, args, &out), ==, H_SUCCESS);
    g_assert_cmphex(out, ==, 0x200000 | 3);
    /* Clearing */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x5000, 0), ==, H_SUCCESS);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x5000), ==, 0);
    g_assert_cmpuint(spapr_tce_table_nb_set(table(FX_LIOBN0)), ==, 1);
    fx_stop();
}

static void test_put_get_errors(void)
{
    uint64_t get_bad_liobn[] = { 0x80000077, 0 };
    uint64_t get_outside[] = { FX_LIOBN0, 1ULL << 30 };
    uint64_t out;

    fx_start(0, NULL);
    /* unknown LIOBN, a LIOBN that does not fit 32 bits */
    g_assert_cmpint(fx_put_tce(0x80000077, 0, 0x3), ==, H_PARAMETER);
    g_assert_cmpint(fx_hcall(H_PUT_TCE, 3, (uint64_t[]) {
                        0x180000000ULL, 0, 3 }, NULL), ==, H_PARAMETER);
    /* the second window exists but is disabled */
    g_assert_cmpint(fx_put_tce(FX_LIOBN1, 0, 0x3), ==, H_PARAMETER);
    /* outside the 1 GiB default window */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 1ULL << 30, 0x3), ==,
                    H_PARAMETER);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, ~0ULL, 0x3), ==, H_PARAMETER);
    /* misaligned TCE address: refused, nothing written */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x1000, 0x200800 | 3), ==,
                    H_PARAMETER);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x1000), ==, 0);
    /* not guest RAM: just past the end, far away, straddling the end */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x1000, FX_RAM_SIZE | 3), ==,
                    H_PARAMETER);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x1000, (1ULL << 45) | 1), ==,
                    H_PARAMETER);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x1000,
                               (FX_RAM_SIZE - PAGE) | 2), ==, H_SUCCESS);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x1000), ==,
                    (FX_RAM_SIZE - PAGE) | 2);
    /* H_GET_TCE errors */
    g_assert_cmpint(fx_hcall(H_GET_TCE, 2, get_bad_liobn, &out), ==,
                    H_PARAMETER);
    g_assert_cmpint(fx_hcall(H_GET_TCE, 2, get_outside, &out), ==,
                    H_PARAMETER);
    fx_stop();
}

static void test_unknown_hcall(void)
{
    uint64_t out[4];
    unsigned nout = 4;

    fx_start(0, NULL);
    g_assert_cmpint(machine_hcall(0x4, NULL, 0, out, &nout), ==,
                    H_FUNCTION);
    g_assert_cmpuint(nout, ==, 0);
    g_assert_cmpint(machine_hcall(0xffffffff, NULL, 0, NULL, NULL), ==,
                    H_FUNCTION);
    fx_stop();
}

static void write_list(uint64_t list, uint64_t first_gpa, unsigned n,
                       uint64_t perm)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        fx_stq(list + 8 * i, (first_gpa + i * PAGE) | perm);
    }
}

static void test_indirect_512(void)
{
    FxNotifier fn;
    const IOMMUTLBEntry *e;
    unsigned i;

    fx_start(0, NULL);
    fx_notifier_register(&fn, spapr_tce_table_iommu(table(FX_LIOBN0)),
                         IOMMU_NOTIFIER_ALL);
    write_list(LIST, 0x400000, 512, 3);
    g_assert_cmpint(indirect(FX_LIOBN0, 0x10000, LIST, 512), ==, H_SUCCESS);
    for (i = 0; i < 512; i++) {
        g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x10000 + i * PAGE), ==,
                        (0x400000 + i * PAGE) | 3);
    }
    /* One notification: a run of 512 MAP entries in IOVA order */
    g_assert_cmpuint(fn.batches->len, ==, 1);
    g_assert_cmpuint(g_array_index(fn.batches, guint, 0), ==, 512);
    for (i = 0; i < 512; i++) {
        e = &g_array_index(fn.entries, IOMMUTLBEntry, i);
        g_assert_cmphex(e->iova, ==, 0x10000 + i * PAGE);
        g_assert_cmphex(e->translated_addr, ==, 0x400000 + i * PAGE);
        g_assert_cmphex(e->addr_mask, ==, PAGE - 1);
        g_assert_cmpint(e->perm, ==, IOMMU_RW);
    }
    fx_notifier_unregister(&fn);
    fx_stop();
}

static void test_indirect_errors(void)
{
    uint64_t nb;

    fx_start(0, NULL);
    write_list(LIST, 0x400000, 512, 3);
    fx_stq(LIST + 512 * 8, 0x400000 | 3);
    /* 513 entries: refused, nothing written */
    g_assert_cmpint(indirect(FX_LIOBN0, 0, LIST, 513), ==, H_PARAMETER);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0), ==, 0);
    /* a list that is not 4 KiB aligned */
    g_assert_cmpint(indirect(FX_LIOBN0, 0, LIST + 8, 4), ==, H_PARAMETER);
    g_assert_cmpint(indirect(FX_LIOBN0, 0, LIST + 0x800, 4), ==,
                    H_PARAMETER);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0), ==, 0);
    /* a list outside guest RAM */
    g_assert_cmpint(indirect(FX_LIOBN0, 0, FX_RAM_SIZE, 4), ==,
                    H_PARAMETER);
    /* unknown LIOBN, and a range running past the window */
    g_assert_cmpint(indirect(0x80000042, 0, LIST, 4), ==, H_PARAMETER);
    g_assert_cmpint(indirect(FX_LIOBN0, (1ULL << 30) - 4 * PAGE, LIST, 5),
                    ==, H_PARAMETER);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, (1ULL << 30) - PAGE), ==, 0);
    g_assert_cmpint(indirect(FX_LIOBN0, (1ULL << 30) - 4 * PAGE, LIST, 4),
                    ==, H_SUCCESS);
    /* entry 10 is bad: 0-9 stay written, 10 and later are not */
    fx_stq(LIST + 10 * 8, FX_RAM_SIZE | 3);
    nb = spapr_tce_table_nb_set(table(FX_LIOBN0));
    g_assert_cmpint(indirect(FX_LIOBN0, 0x100000, LIST, 20), ==,
                    H_PARAMETER);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x100000 + 9 * PAGE), ==,
                    (0x400000 + 9 * PAGE) | 3);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x100000 + 10 * PAGE), ==, 0);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x100000 + 11 * PAGE), ==, 0);
    g_assert_cmpuint(spapr_tce_table_nb_set(table(FX_LIOBN0)), ==, nb + 10);
    /* a misaligned entry stops it the same way */
    fx_stq(LIST, 0x400100 | 3);
    g_assert_cmpint(indirect(FX_LIOBN0, 0x200000, LIST, 2), ==,
                    H_PARAMETER);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x200000), ==, 0);
    fx_stop();
}

static void test_stuff(void)
{
    FxNotifier fn;
    uint64_t covered = 0, next;
    unsigned i;

    fx_start(0, NULL);
    g_assert_cmpint(stuff(FX_LIOBN0, 0, 0x300000 | 1, 1024), ==, H_SUCCESS);
    for (i = 0; i < 1024; i += 97) {
        g_assert_cmphex(fx_get_tce(FX_LIOBN0, i * PAGE), ==, 0x300000 | 1);
    }
    g_assert_cmpuint(spapr_tce_table_nb_set(table(FX_LIOBN0)), ==, 1024);

    /* Clearing [5, 1005) is one run of aligned power-of-two blocks */
    fx_notifier_register(&fn, spapr_tce_table_iommu(table(FX_LIOBN0)),
                         IOMMU_NOTIFIER_ALL);
    g_assert_cmpint(stuff(FX_LIOBN0, 5 * PAGE, 0, 1000), ==, H_SUCCESS);
    g_assert_cmpuint(fn.batches->len, ==, 1);
    next = 5 * PAGE;
    for (i = 0; i < fn.entries->len; i++) {
        const IOMMUTLBEntry *e = &g_array_index(fn.entries, IOMMUTLBEntry,
                                                i);
        uint64_t size = e->addr_mask + 1;

        g_assert_cmpint(e->perm, ==, IOMMU_NONE);
        g_assert_true(is_power_of_2(size));
        g_assert_cmphex(e->iova & e->addr_mask, ==, 0);
        g_assert_cmphex(e->iova, ==, next);
        next += size;
        covered += size;
    }
    g_assert_cmphex(covered, ==, 1000 * PAGE);
    g_assert_cmpuint(fn.entries->len, <=, 2 * 10);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 4 * PAGE), ==, 0x300000 | 1);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 5 * PAGE), ==, 0);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 1004 * PAGE), ==, 0);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 1005 * PAGE), ==, 0x300000 | 1);
    g_assert_cmpuint(spapr_tce_table_nb_set(table(FX_LIOBN0)), ==, 24);

    /* Clearing what is already clear changes nothing: no event */
    fx_notifier_clear(&fn);
    g_assert_cmpint(stuff(FX_LIOBN0, 5 * PAGE, 0, 1000), ==, H_SUCCESS);
    g_assert_cmpuint(fn.batches->len, ==, 0);

    /* A MAP stuff is notified in runs, not entry by entry */
    g_assert_cmpint(stuff(FX_LIOBN0, 0x800000, 0x300000 | 3, 600), ==,
                    H_SUCCESS);
    g_assert_cmpuint(fn.batches->len, ==, 2);
    g_assert_cmpuint(fn.entries->len, ==, 600);
    fx_notifier_unregister(&fn);

    /* Errors: too many pages, bad TCE, unknown LIOBN */
    g_assert_cmpint(stuff(FX_LIOBN0, 0, 0, (1ULL << 18) + 1), ==,
                    H_PARAMETER);
    g_assert_cmpint(stuff(FX_LIOBN0, PAGE, 0, 1ULL << 18), ==, H_PARAMETER);
    g_assert_cmpint(stuff(FX_LIOBN0, 0, 0, 1ULL << 18), ==, H_SUCCESS);
    g_assert_cmpuint(spapr_tce_table_nb_set(table(FX_LIOBN0)), ==, 0);
    g_assert_cmpint(stuff(FX_LIOBN0, 0, FX_RAM_SIZE | 3, 4), ==,
                    H_PARAMETER);
    g_assert_cmpint(stuff(FX_LIOBN0, 0, 0x300010 | 3, 4), ==, H_PARAMETER);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0), ==, 0);
    g_assert_cmpint(stuff(0x80000099, 0, 0, 1), ==, H_PARAMETER);
    fx_stop();
}

/* Pages covered by the UNMAP entries @fn received, each checked. */
static uint64_t unmapped_pages(FxNotifier *fn, const uint64_t *want,
                               unsigned nwant)
{
    uint64_t pages = 0;
    unsigned i, k;

    for (i = 0; i < fn->entries->len; i++) {
        const IOMMUTLBEntry *e = &g_array_index(fn->entries, IOMMUTLBEntry,
                                                i);

        g_assert_cmpint(e->perm, ==, IOMMU_NONE);
        g_assert_true(is_power_of_2(e->addr_mask + 1));
        g_assert_cmphex(e->iova & e->addr_mask, ==, 0);
        /* every page it covers is one that was mapped */
        for (k = 0; k <= e->addr_mask / PAGE; k++) {
            uint64_t idx = e->iova / PAGE + k;
            unsigned j;

            for (j = 0; j < nwant && want[j] != idx; j++) {
            }
            g_assert_cmpuint(j, <, nwant);
        }
        pages += (e->addr_mask + 1) / PAGE;
    }
    return pages;
}

/*
 * Clearing a whole window tells listeners about the entries that were
 * mapped, and only those: never the empty stretches between them, nor
 * entries that granted nothing.  A count, not a timing: the time and
 * memory are measured by bench-stuff-tce.
 */
static void test_stuff_clear_notifies_only_mapped(void)
{
    static const uint64_t mapped[] = { 10, 11, 12, 700, 200000, 262143 };
    const uint64_t nb = (1ULL << 30) / PAGE;
    FxNotifier fn;
    unsigned i;

    fx_start(0, NULL);
    for (i = 0; i < G_N_ELEMENTS(mapped); i++) {
        g_assert_cmpint(fx_put_tce(FX_LIOBN0, mapped[i] * PAGE,
                                   0x300000 | 3), ==, H_SUCCESS);
    }
    /* set, but grants nothing: not a mapping anyone was told about */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 5000 * PAGE, 0x300000), ==,
                    H_SUCCESS);
    fx_notifier_register(&fn, spapr_tce_table_iommu(table(FX_LIOBN0)),
                         IOMMU_NOTIFIER_ALL);
    g_assert_cmpint(stuff(FX_LIOBN0, 0, 0, nb), ==, H_SUCCESS);
    g_assert_cmpuint(unmapped_pages(&fn, mapped, G_N_ELEMENTS(mapped)), ==,
                     G_N_ELEMENTS(mapped));
    g_assert_cmpuint(spapr_tce_table_nb_set(table(FX_LIOBN0)), ==, 0);

    /* A table holding only permissionless entries clears silently. */
    g_assert_cmpint(stuff(FX_LIOBN0, 64 * PAGE, 0x300000, 1000), ==,
                    H_SUCCESS);
    g_assert_cmpuint(spapr_tce_table_nb_set(table(FX_LIOBN0)), ==, 1000);
    fx_notifier_clear(&fn);
    g_assert_cmpint(stuff(FX_LIOBN0, 0, 0, nb), ==, H_SUCCESS);
    g_assert_cmpuint(fn.batches->len, ==, 0);
    g_assert_cmpuint(spapr_tce_table_nb_set(table(FX_LIOBN0)), ==, 0);
    fx_notifier_unregister(&fn);
    fx_stop();
}

/*
 * Stuffing a permissionless TCE changes no translation where nothing
 * was mapped: listeners hear about the mapped entries it replaces only.
 */
static void test_stuff_permissionless_notifies_replaced(void)
{
    static const uint64_t mapped[] = { 100, 101, 900 };
    FxNotifier fn;
    unsigned i;

    fx_start(0, NULL);
    for (i = 0; i < G_N_ELEMENTS(mapped); i++) {
        g_assert_cmpint(fx_put_tce(FX_LIOBN0, mapped[i] * PAGE,
                                   0x300000 | 1), ==, H_SUCCESS);
    }
    fx_notifier_register(&fn, spapr_tce_table_iommu(table(FX_LIOBN0)),
                         IOMMU_NOTIFIER_ALL);
    g_assert_cmpint(stuff(FX_LIOBN0, 0, 0x300000, 1024), ==, H_SUCCESS);
    g_assert_cmpuint(unmapped_pages(&fn, mapped, G_N_ELEMENTS(mapped)), ==,
                     G_N_ELEMENTS(mapped));
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 100 * PAGE), ==, 0x300000);
    g_assert_cmpuint(spapr_tce_table_nb_set(table(FX_LIOBN0)), ==, 1024);
    /* H_PUT_TCE_INDIRECT of permissionless entries over empty ones */
    fx_notifier_clear(&fn);
    write_list(LIST, 0x400000, 16, 0);
    g_assert_cmpint(indirect(FX_LIOBN0, 4096 * PAGE, LIST, 16), ==,
                    H_SUCCESS);
    g_assert_cmpuint(fn.batches->len, ==, 0);
    fx_notifier_unregister(&fn);
    fx_stop();
}

/*
 * npages 0 is a bad parameter for both (PAPR; QEMU 7.2 answers the
 * same), even where a 1-page call at that ioba would succeed, and it
 * writes and notifies nothing.
 */
static void test_zero_npages_is_parameter_error(void)
{
    FxNotifier fn;

    fx_start(0, NULL);
    fx_notifier_register(&fn, spapr_tce_table_iommu(table(FX_LIOBN0)),
                         IOMMU_NOTIFIER_ALL);
    write_list(LIST, 0x400000, 1, 3);
    g_assert_cmpint(indirect(FX_LIOBN0, 0x10000, LIST, 1), ==, H_SUCCESS);
    fx_notifier_clear(&fn);

    g_assert_cmpint(stuff(FX_LIOBN0, 0x10000, 0, 0), ==, H_PARAMETER);
    g_assert_cmpint(stuff(FX_LIOBN0, 0x20000, 0x400000 | 3, 0), ==,
                    H_PARAMETER);
    g_assert_cmpint(indirect(FX_LIOBN0, 0x20000, LIST, 0), ==,
                    H_PARAMETER);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x10000), ==, 0x400000 | 3);
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x20000), ==, 0);
    g_assert_cmpuint(fn.batches->len, ==, 0);
    fx_notifier_unregister(&fn);
    fx_stop();
}

static void test_translate(void)
{
    SpaprPhbState *sphb;
    uint8_t buf[16], ram[16];
    MemTxResult r;

    fx_start(0, NULL);
    sphb = spapr_phb_find_by_index(0);
    memset(ram, 0xa5, sizeof(ram));
    fx_write(0x700010, ram, sizeof(ram));
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x3000, 0x700000 | 3), ==,
                    H_SUCCESS);
    /* bus 0x3010 -> guest 0x700010 */
    r = address_space_read(&sphb->dma_as, 0x3010, MEMTXATTRS_UNSPECIFIED,
                           buf, sizeof(buf));
    g_assert_cmpint(r, ==, MEMTX_OK);
    g_assert_cmpmem(buf, sizeof(buf), ram, sizeof(ram));
    /* writes land in RAM */
    memset(buf, 0x5a, sizeof(buf));
    r = address_space_write(&sphb->dma_as, 0x3020, MEMTXATTRS_UNSPECIFIED,
                            buf, sizeof(buf));
    g_assert_cmpint(r, ==, MEMTX_OK);
    fx_read(0x700020, ram, sizeof(ram));
    g_assert_cmpmem(buf, sizeof(buf), ram, sizeof(ram));
    /* an unmapped page faults */
    g_assert_false(address_space_access_valid(&sphb->dma_as, 0x4000, 4,
                                              false,
                                              MEMTXATTRS_UNSPECIFIED));
    /* read-only TCE: reads pass, writes are denied */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x3000, 0x700000 | 1), ==,
                    H_SUCCESS);
    g_assert_true(address_space_access_valid(&sphb->dma_as, 0x3000, 8,
                                             false, MEMTXATTRS_UNSPECIFIED));
    g_assert_false(address_space_access_valid(&sphb->dma_as, 0x3000, 8,
                                              true, MEMTXATTRS_UNSPECIFIED));
    /* beyond the window: nothing there */
    g_assert_false(address_space_access_valid(&sphb->dma_as, 1ULL << 30, 8,
                                              false,
                                              MEMTXATTRS_UNSPECIFIED));
    fx_stop();
}

static void test_replay_walks_set_entries(void)
{
    IOMMUMemoryRegion *iommu;
    uint32_t liobn;
    uint64_t addr;
    FxNotifier fn;
    const IOMMUTLBEntry *e;

    fx_start(0, NULL);
    /* a 2^40-byte window of 64 KiB pages: 2^24 entries */
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 40, &liobn, &addr), ==, 0);
    g_assert_cmpint(fx_put_tce(liobn, addr + 0x10000, 0x10000 | 3), ==, 0);
    g_assert_cmpint(fx_put_tce(liobn, addr + (1ULL << 39), 0x20000 | 1),
                    ==, 0);
    g_assert_cmpint(fx_put_tce(liobn, addr + (1ULL << 40) - 0x10000,
                               0x30000 | 2), ==, 0);
    /* an entry with no permission maps nothing: not replayed */
    g_assert_cmpint(fx_put_tce(liobn, addr + 0x20000, 0x40000), ==, 0);

    iommu = spapr_tce_table_iommu(table(liobn));
    fx_notifier_register(&fn, iommu, IOMMU_NOTIFIER_MAP);
    memory_region_iommu_replay(iommu, &fn.n);
    g_assert_cmpuint(fn.entries->len, ==, 3);
    e = &g_array_index(fn.entries, IOMMUTLBEntry, 0);
    g_assert_cmphex(e->iova, ==, 0x10000);
    g_assert_cmphex(e->translated_addr, ==, 0x10000);
    g_assert_cmphex(e->addr_mask, ==, 0xffff);
    g_assert_cmpint(e->perm, ==, IOMMU_RW);
    e = &g_array_index(fn.entries, IOMMUTLBEntry, 1);
    g_assert_cmphex(e->iova, ==, 1ULL << 39);
    g_assert_cmpint(e->perm, ==, IOMMU_RO);
    e = &g_array_index(fn.entries, IOMMUTLBEntry, 2);
    g_assert_cmphex(e->iova, ==, (1ULL << 40) - 0x10000);
    g_assert_cmphex(e->translated_addr, ==, 0x30000);
    g_assert_cmpint(e->perm, ==, IOMMU_WO);
    fx_notifier_unregister(&fn);
    fx_stop();
}

static void test_sparse_memory(void)
{
    SpaprTceTable *t;
    uint32_t liobn;
    uint64_t addr, gpa;
    size_t before, after;
    unsigned n;

    /* 1 GiB of RAM, direct-mapped into a 2^40 window of 64 KiB pages */
    fx_start(1ULL << 30, NULL);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 40, &liobn, &addr), ==, 0);
    t = table(liobn);
    before = spapr_tce_table_mem_usage(t);
    g_assert_cmpuint(before, <, 4096);
    for (gpa = 0; gpa < (1ULL << 30); gpa += 512 * 0x10000ULL) {
        for (n = 0; n < 512; n++) {
            fx_stq(LIST + 8 * n, (gpa + n * 0x10000ULL) | 3);
        }
        g_assert_cmpint(indirect(liobn, addr + gpa, LIST, 512), ==, 0);
    }
    g_assert_cmpuint(spapr_tce_table_nb_set(t), ==, 16384);
    after = spapr_tce_table_mem_usage(t);
    /* 16384 entries of 8 bytes, plus little overhead */
    g_assert_cmpuint(after, >=, 16384 * 8);
    g_assert_cmpuint(after, <, 16384 * 8 * 5 / 4);
    /* clearing gives it back */
    g_assert_cmpint(stuff(liobn, addr, 0, 1ULL << 24), ==, 0);
    g_assert_cmpuint(spapr_tce_table_mem_usage(t), ==, before);
    fx_stop();
}

static void test_disable_unmaps(void)
{
    FxNotifier fn;
    const IOMMUTLBEntry *e;

    fx_start(0, NULL);
    fx_notifier_register(&fn, spapr_tce_table_iommu(table(FX_LIOBN0)),
                         IOMMU_NOTIFIER_UNMAP);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x7000, 0x7000 | 3), ==, 0);
    g_assert_cmpuint(fn.batches->len, ==, 0);  /* MAP not asked for */
    /* reset empties the window: listeners see it all unmapped */
    g_assert_cmpint(fx_ddw_reset(FX_BUID0), ==, 0);
    g_assert_cmpuint(fn.batches->len, ==, 1);
    g_assert_cmpuint(fn.entries->len, ==, 1);
    e = &g_array_index(fn.entries, IOMMUTLBEntry, 0);
    g_assert_cmphex(e->iova, ==, 0);
    g_assert_cmphex(e->addr_mask, ==, (1ULL << 30) - 1);
    g_assert_cmpint(e->perm, ==, IOMMU_NONE);
    fx_notifier_unregister(&fn);
    /* and the new default window is empty */
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0x7000), ==, 0);
    fx_stop();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spapr/tce/put-get", test_put_get);
    g_test_add_func("/spapr/tce/put-get-errors", test_put_get_errors);
    g_test_add_func("/spapr/hcall/unknown-is-h-function", test_unknown_hcall);
    g_test_add_func("/spapr/tce/indirect-512-one-batch", test_indirect_512);
    g_test_add_func("/spapr/tce/indirect-errors", test_indirect_errors);
    g_test_add_func("/spapr/tce/stuff", test_stuff);
    g_test_add_func("/spapr/tce/stuff-clear-notifies-only-mapped",
                    test_stuff_clear_notifies_only_mapped);
    g_test_add_func("/spapr/tce/stuff-permissionless-notifies-replaced",
                    test_stuff_permissionless_notifies_replaced);
    g_test_add_func("/spapr/tce/zero-npages-is-h-parameter",
                    test_zero_npages_is_parameter_error);
    g_test_add_func("/spapr/tce/translate-reaches-ram", test_translate);
    g_test_add_func("/spapr/tce/replay-walks-set-entries",
                    test_replay_walks_set_entries);
    g_test_add_func("/spapr/tce/sparse-memory", test_sparse_memory);
    g_test_add_func("/spapr/tce/reset-unmaps-window", test_disable_unmaps);
    return g_test_run();
}
