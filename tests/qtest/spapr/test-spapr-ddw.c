/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Dynamic DMA window RTAS calls, in process: the sequence observed on
 * QEMU 7.2, every status code, window placement, LIOBN allocation,
 * restore-default-on-last-remove and reset.
 */
#include "spapr-fixture.h"

#define DDW_QUERY   "ibm,query-pe-dma-window"
#define DDW_CREATE  "ibm,create-pe-dma-window"
#define DDW_REMOVE  "ibm,remove-pe-dma-window"
#define DDW_RESET   "ibm,reset-pe-dma-window"
#define BUID_HI     (uint32_t)(FX_BUID0 >> 32)
#define BUID_LO     (uint32_t)FX_BUID0

static void test_observed_sequence(void)
{
    uint32_t avail, mask, liobn;
    uint64_t addr;

    fx_start(2ULL << 30, NULL);
    g_assert_cmpint(fx_ddw_query(FX_BUID0, &avail, &mask), ==, 0);
    g_assert_cmpuint(avail, ==, 1);
    g_assert_cmphex(mask, ==, 0x107);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 40, &liobn, &addr), ==, 0);
    g_assert_cmphex(liobn, ==, 0x80000001);
    g_assert_cmphex(addr, ==, 0x0800000000000000ULL);
    g_assert_cmpint(fx_ddw_query(FX_BUID0, &avail, NULL), ==, 0);
    g_assert_cmpuint(avail, ==, 0);
    g_assert_cmpint(fx_ddw_remove(0x80000001), ==, 0);
    g_assert_cmpint(fx_ddw_remove(0x80000000), ==, 0);
    g_assert_cmpint(fx_ddw_query(FX_BUID0, &avail, NULL), ==, 0);
    g_assert_cmpuint(avail, ==, 2);
    g_assert_cmpint(fx_ddw_reset(FX_BUID0), ==, 0);
    g_assert_cmpint(fx_ddw_query(FX_BUID0, &avail, NULL), ==, 0);
    g_assert_cmpuint(avail, ==, 1);
    fx_stop();
}

static void test_query_outputs(void)
{
    uint32_t args[] = { 0, BUID_HI, BUID_LO }, rets[6];

    fx_start(0, NULL);
    g_assert_cmpint(fx_rtas(DDW_QUERY, 3, args, 5, rets), ==, 0);
    g_assert_cmpuint(rets[1], ==, 1);
    g_assert_cmphex(rets[2], ==, 0x80000000);
    g_assert_cmphex(rets[3], ==, 0x107);
    g_assert_cmpuint(rets[4], ==, 0);
    g_assert_cmpint(fx_rtas(DDW_QUERY, 3, args, 6, rets), ==, 0);
    g_assert_cmpuint(rets[1], ==, 1);
    g_assert_cmphex(rets[2], ==, 0x20);
    g_assert_cmphex(rets[3], ==, 0);
    g_assert_cmphex(rets[4], ==, 0x107);
    g_assert_cmpuint(rets[5], ==, 0);
    fx_stop();
}

static const char *const ddw_off_devices[] = {
    "spapr-pci-host-bridge,index=1,ddw=off",
    NULL,
};

static void test_query_errors(void)
{
    uint32_t args[] = { 0, BUID_HI, BUID_LO, 0 }, rets[7];
    uint32_t bad_buid[] = { 0, BUID_HI, BUID_LO + 7 };
    uint32_t off_buid[] = { 0, BUID_HI, BUID_LO + 1 };

    fx_start(0, ddw_off_devices);
    g_assert_cmpint(fx_rtas(DDW_QUERY, 2, args, 5, rets), ==, -3);
    g_assert_cmpint(fx_rtas(DDW_QUERY, 4, args, 5, rets), ==, -3);
    g_assert_cmpint(fx_rtas(DDW_QUERY, 3, args, 4, rets), ==, -3);
    g_assert_cmpint(fx_rtas(DDW_QUERY, 3, args, 7, rets), ==, -3);
    /* status only: the rest is left alone */
    g_assert_cmphex(rets[1], ==, FX_RET_POISON);
    g_assert_cmpint(fx_rtas(DDW_QUERY, 3, bad_buid, 5, rets), ==, -3);
    g_assert_cmpint(fx_rtas(DDW_QUERY, 3, off_buid, 5, rets), ==, -3);
    /* nret 0: nothing can be written, nothing is */
    fx_rtas(DDW_QUERY, 3, args, 0, NULL);
    fx_stop();
}

static void test_create_errors(void)
{
    uint32_t args[] = { 0, BUID_HI, BUID_LO, 16, 40 }, rets[4];
    uint32_t off_args[] = { 0, BUID_HI, BUID_LO + 1, 16, 40 };
    uint32_t liobn;

    fx_start(0, ddw_off_devices);
    g_assert_cmpint(fx_rtas(DDW_CREATE, 4, args, 4, rets), ==, -3);
    g_assert_cmpint(fx_rtas(DDW_CREATE, 5, args, 3, rets), ==, -3);
    g_assert_cmpint(fx_rtas(DDW_CREATE, 5, off_args, 4, rets), ==, -3);
    /* page sizes not offered: 8 KiB, 32 MiB (not in 0x107), huge */
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 13, 40, NULL, NULL), ==, -3);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 25, 40, NULL, NULL), ==, -3);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 64, 80, NULL, NULL), ==, -3);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 200, 300, NULL, NULL), ==, -3);
    /* window smaller than a page */
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 15, NULL, NULL), ==, -3);
    /* a window too big for the bus: hardware error, nothing created */
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 12, 64, NULL, NULL), ==, -1);
    g_assert_cmpint(spapr_phb_active_windows(spapr_phb_find_by_index(0)),
                    ==, 1);
    /* a good one, then no free window is left: -1 */
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 24, 34, &liobn, NULL), ==, 0);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 30, NULL, NULL), ==, -1);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 21, 30, NULL, NULL), ==, -1);
    fx_stop();
}

static void test_remove_errors(void)
{
    uint32_t args[] = { FX_LIOBN0, 0 }, rets[2];

    fx_start(0, ddw_off_devices);
    g_assert_cmpint(fx_rtas(DDW_REMOVE, 2, args, 1, rets), ==, -3);
    g_assert_cmpint(fx_rtas(DDW_REMOVE, 1, args, 2, rets), ==, -3);
    g_assert_cmpint(fx_ddw_remove(0x12345678), ==, -3);
    /* the second window is disabled */
    g_assert_cmpint(fx_ddw_remove(FX_LIOBN1), ==, -3);
    /* PHB 1 has DDW off */
    g_assert_cmpint(fx_ddw_remove(0x80000100), ==, -3);
    g_assert_cmpint(fx_ddw_remove(FX_LIOBN0), ==, 0);
    g_assert_cmpint(fx_ddw_remove(FX_LIOBN0), ==, -3);
    fx_stop();
}

static void test_reset_errors(void)
{
    uint32_t args[] = { 0, BUID_HI, BUID_LO }, rets[2];
    uint32_t off_args[] = { 0, BUID_HI, BUID_LO + 1 };

    fx_start(0, ddw_off_devices);
    g_assert_cmpint(fx_rtas(DDW_RESET, 2, args, 1, rets), ==, -3);
    g_assert_cmpint(fx_rtas(DDW_RESET, 3, args, 2, rets), ==, -3);
    g_assert_cmpint(fx_rtas(DDW_RESET, 3, off_args, 1, rets), ==, -3);
    g_assert_cmpint(fx_rtas(DDW_RESET, 3, args, 1, rets), ==, 0);
    fx_stop();
}

static void test_remove_last_restores_default(void)
{
    SpaprTceTable *t0 = NULL;
    uint32_t avail, liobn;
    uint64_t addr;

    fx_start(0, NULL);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 36, &liobn, &addr), ==, 0);
    g_assert_cmphex(liobn, ==, FX_LIOBN1);
    g_assert_cmpint(fx_ddw_remove(FX_LIOBN0), ==, 0);
    g_assert_cmpint(fx_ddw_query(FX_BUID0, &avail, NULL), ==, 0);
    g_assert_cmpuint(avail, ==, 1);
    /* the last window is not the default one: the default comes back */
    g_assert_cmpint(fx_ddw_remove(FX_LIOBN1), ==, 0);
    g_assert_cmpint(fx_ddw_query(FX_BUID0, &avail, NULL), ==, 0);
    g_assert_cmpuint(avail, ==, 1);
    t0 = spapr_tce_find_by_liobn(FX_LIOBN0);
    g_assert_true(spapr_tce_table_enabled(t0));
    g_assert_cmpuint(spapr_tce_table_page_shift(t0), ==, 12);
    g_assert_cmphex(spapr_tce_table_bus_offset(t0), ==, 0);
    g_assert_cmphex(spapr_tce_table_nb_entries(t0), ==, (1ULL << 30) >> 12);
    fx_stop();
}

static void test_placement(void)
{
    uint32_t liobn, liobn2;
    uint64_t addr, addr2;

    fx_start(0, NULL);
    /* nothing active: the first free table, placed at dma_win_addr */
    g_assert_cmpint(fx_ddw_remove(FX_LIOBN0), ==, 0);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 40, &liobn, &addr), ==, 0);
    g_assert_cmphex(liobn, ==, FX_LIOBN0);
    g_assert_cmphex(addr, ==, 0);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 21, 40, &liobn2, &addr2), ==, 0);
    g_assert_cmphex(liobn2, ==, FX_LIOBN1);
    g_assert_cmphex(addr2, ==, SPAPR_PCI_DMA64_WIN_ADDR);
    /* entries of the new windows start empty and are usable */
    g_assert_cmpint(fx_put_tce(liobn2, addr2 + (1ULL << 21), 0x200000 | 3),
                    ==, 0);
    g_assert_cmphex(fx_get_tce(liobn2, addr2 + (1ULL << 21)), ==,
                    0x200000 | 3);
    g_assert_cmphex(fx_get_tce(liobn, 0), ==, 0);
    g_assert_cmpuint(spapr_tce_table_nb_entries(
                         spapr_tce_find_by_liobn(liobn)), ==, 1 << 24);
    /* 2 MiB pages need 2 MiB aligned TCEs */
    g_assert_cmpint(fx_put_tce(liobn2, addr2, 0x100000 | 3), ==,
                    H_PARAMETER);
    /* reset: only the default window, empty */
    g_assert_cmpint(fx_ddw_reset(FX_BUID0), ==, 0);
    g_assert_false(spapr_tce_table_enabled(spapr_tce_find_by_liobn(
                       FX_LIOBN1)));
    g_assert_cmpint(fx_put_tce(liobn2, addr2, 0), ==, H_PARAMETER);
    fx_stop();
}

/*
 * The default window removed while a DDW stays at dma64_win_addr: the
 * next window must not land on top of it.
 */
static void test_create_never_overlaps_active_window(void)
{
    uint32_t liobn, liobn2;
    uint64_t addr, addr2;

    fx_start(0, NULL);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 24, &liobn, &addr), ==, 0);
    g_assert_cmphex(addr, ==, SPAPR_PCI_DMA64_WIN_ADDR);
    g_assert_cmpint(fx_ddw_remove(FX_LIOBN0), ==, 0);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 24, 25, &liobn2, &addr2), ==, 0);
    g_assert_cmphex(liobn2, ==, FX_LIOBN0);
    g_assert_cmphex(addr2, ==, 0);
    /* both windows answer for their own range */
    g_assert_cmpint(fx_put_tce(liobn, addr, 0x10000 | 3), ==, 0);
    g_assert_cmpint(fx_put_tce(liobn2, 0, 0x1000000 | 3), ==, 0);
    g_assert_cmphex(fx_get_tce(liobn, addr), ==, 0x10000 | 3);
    g_assert_cmphex(fx_get_tce(liobn2, 0), ==, 0x1000000 | 3);
    fx_stop();

    /* a DDW at 0 large enough to cover dma64_win_addr: no room left */
    fx_start(0, NULL);
    g_assert_cmpint(fx_ddw_remove(FX_LIOBN0), ==, 0);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 24, 60, &liobn, &addr), ==, 0);
    g_assert_cmphex(addr, ==, 0);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 30, &liobn2, &addr2), ==,
                    -1);
    fx_stop();
}

static const char *const custom_phb[] = {
    "spapr-pci-host-bridge,index=2,dma_win_addr=0x10000000,"
    "dma_win_size=256M,dma64_win_addr=0x100000000000,pgsz=0x11000",
    NULL,
};

static void test_phb_properties(void)
{
    uint64_t buid = SPAPR_PCI_BASE_BUID + 2, addr;
    SpaprTceTable *t;
    uint32_t avail, mask, liobn;

    fx_start(0, custom_phb);
    t = spapr_tce_find_by_liobn(0x80000200);
    g_assert_nonnull(t);
    g_assert_cmphex(spapr_tce_table_bus_offset(t), ==, 0x10000000);
    g_assert_cmphex(spapr_tce_table_nb_entries(t), ==, (256 << 20) >> 12);
    g_assert_cmpint(fx_ddw_query(buid, &avail, &mask), ==, 0);
    g_assert_cmphex(mask, ==, 0x3);
    g_assert_cmpint(fx_ddw_create(buid, 21, 40, NULL, NULL), ==, -3);
    g_assert_cmpint(fx_ddw_create(buid, 16, 40, &liobn, &addr), ==, 0);
    g_assert_cmphex(liobn, ==, 0x80000201);
    g_assert_cmphex(addr, ==, 0x100000000000ULL);
    /* the first PHB is unaffected */
    g_assert_cmpint(fx_ddw_query(FX_BUID0, &avail, NULL), ==, 0);
    g_assert_cmpuint(avail, ==, 1);
    fx_stop();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spapr/ddw/observed-qemu-sequence",
                    test_observed_sequence);
    g_test_add_func("/spapr/ddw/query-5-and-6-outputs", test_query_outputs);
    g_test_add_func("/spapr/ddw/query-errors", test_query_errors);
    g_test_add_func("/spapr/ddw/create-errors", test_create_errors);
    g_test_add_func("/spapr/ddw/remove-errors", test_remove_errors);
    g_test_add_func("/spapr/ddw/reset-errors", test_reset_errors);
    g_test_add_func("/spapr/ddw/remove-last-restores-default",
                    test_remove_last_restores_default);
    g_test_add_func("/spapr/ddw/placement-and-reset", test_placement);
    g_test_add_func("/spapr/ddw/create-never-overlaps-active-window",
                    test_create_never_overlaps_active_window);
    g_test_add_func("/spapr/ddw/phb-properties", test_phb_properties);
    return g_test_run();
}
