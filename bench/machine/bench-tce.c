/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * TCE benchmarks:
 *  - H_PUT_TCE_INDIRECT throughput (TCEs/s) with the hcall handler called
 *    in process, without and with an IOMMU notifier listening (what VFIO
 *    adds is its own cost: here a notifier that only counts);
 *  - the same through a spapr-vfio process and the qtest "hcall" command;
 *  - host memory of a TCE table for a 2^40-byte window with 64 KiB pages,
 *    empty and with 1 GiB direct-mapped.
 * The guest does what Linux does for DDW: direct-map all RAM, 512 TCEs
 * (one 4 KiB list page) per call.
 */
#include <malloc.h>
#include "spapr-fixture.h"
#include "libqtest.h"

#define LIST        0x10000ULL
#define PAGE_SHIFT  16
#define WIN_SHIFT   40
#define MAP_BYTES   (1ULL << 30)
#define ROUNDS      16

static uint64_t mapped_tces;

static void count_notify(IOMMUNotifier *n, const IOMMUTLBEntry *e,
                         unsigned count)
{
    mapped_tces += count;
}

/* Direct-map [0, bytes) at window + gpa: returns TCEs written. */
static uint64_t direct_map(uint32_t liobn, uint64_t win, uint64_t bytes)
{
    uint64_t pg = 1ULL << PAGE_SHIFT, gpa, n = 0, list[512];
    unsigned i;

    for (gpa = 0; gpa < bytes; gpa += 512 * pg) {
        uint64_t args[4] = { liobn, win + gpa, LIST, 512 };

        /* The guest fills its list page, then makes the call. */
        for (i = 0; i < 512; i++) {
            list[i] = GUINT64_TO_BE((gpa + i * pg) | 3);
        }
        fx_write(LIST, list, sizeof(list));
        if (fx_hcall(H_PUT_TCE_INDIRECT, 4, args, NULL) != H_SUCCESS) {
            g_error("H_PUT_TCE_INDIRECT failed at 0x%" PRIx64, gpa);
        }
        n += 512;
    }
    return n;
}

static double bench_in_process(bool listener, size_t *empty, size_t *full,
                               size_t *heap_delta)
{
    SpaprTceTable *t;
    IOMMUNotifier n;
    uint32_t liobn;
    uint64_t win, tces = 0;
    struct mallinfo2 before, after;
    gint64 start, ns;
    int r;

    fx_start(MAP_BYTES, NULL);
    before = mallinfo2();
    g_assert_cmpint(fx_ddw_create(FX_BUID0, PAGE_SHIFT, WIN_SHIFT, &liobn,
                                  &win), ==, 0);
    t = spapr_tce_find_by_liobn(liobn);
    if (empty) {
        *empty = spapr_tce_table_mem_usage(t);
    }
    if (listener) {
        iommu_notifier_init(&n, count_notify, IOMMU_NOTIFIER_ALL, 0,
                            HWADDR_MAX, 0);
        memory_region_register_iommu_notifier(
            IOMMU_MR_REGION(spapr_tce_table_iommu(t)), &n, &error_abort);
    }
    start = g_get_monotonic_time();
    for (r = 0; r < ROUNDS; r++) {
        tces += direct_map(liobn, win, MAP_BYTES);
    }
    ns = (g_get_monotonic_time() - start) * 1000;
    after = mallinfo2();
    if (full) {
        *full = spapr_tce_table_mem_usage(t);
    }
    if (heap_delta) {
        *heap_delta = after.uordblks - before.uordblks;
    }
    if (listener) {
        memory_region_unregister_iommu_notifier(
            IOMMU_MR_REGION(spapr_tce_table_iommu(t)), &n);
        g_assert_cmpuint(mapped_tces, ==, tces);
    }
    fx_stop();
    return tces * 1e9 / ns;
}

static void bench_qtest(void)
{
    QTestState *qts;
    uint32_t q[] = { 0, FX_BUID0 >> 32, (uint32_t)FX_BUID0, PAGE_SHIFT,
                     WIN_SHIFT }, rets[4];
    uint64_t pg = 1ULL << PAGE_SHIFT, win, gpa, list[512];
    gint64 start, hcall_us = 0, total_us;
    uint64_t tces = 0;
    unsigned i;

    if (!g_getenv("QTEST_SPAPR_VFIO_BINARY")) {
        printf("qtest: skipped (QTEST_SPAPR_VFIO_BINARY not set)\n");
        return;
    }
    qts = qtest_init("-machine pseries -m 1G -nodefaults");
    qtest_rtas_call(qts, "ibm,create-pe-dma-window", 5, q, 4, rets, 0x1000);
    g_assert_cmpuint(rets[0], ==, 0);
    win = (uint64_t)rets[2] << 32 | rets[3];
    start = g_get_monotonic_time();
    for (gpa = 0; gpa < ROUNDS * MAP_BYTES; gpa += 512 * pg) {
        uint64_t args[4] = { rets[1], win + gpa % MAP_BYTES, LIST, 512 };
        gint64 t0;

        for (i = 0; i < 512; i++) {
            list[i] = GUINT64_TO_BE((gpa % MAP_BYTES + i * pg) | 3);
        }
        qtest_bufwrite(qts, LIST, list, sizeof(list));
        t0 = g_get_monotonic_time();
        g_assert_cmpint(qtest_hcall(qts, H_PUT_TCE_INDIRECT, 4, args, 0,
                                    NULL), ==, 0);
        hcall_us += g_get_monotonic_time() - t0;
        tces += 512;
    }
    total_us = g_get_monotonic_time() - start;
    printf("qtest hcall path: %" PRIu64 " TCEs in %.1f ms: %.0f TCEs/s "
           "(hcall round trips only); %.0f TCEs/s including the list "
           "writes\n", tces, hcall_us / 1e3, tces * 1e6 / hcall_us,
           tces * 1e6 / total_us);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    size_t empty, full, heap;
    double plain, listened;

    plain = bench_in_process(false, &empty, &full, &heap);
    listened = bench_in_process(true, NULL, NULL, NULL);
    printf("in-process H_PUT_TCE_INDIRECT (512 TCEs/call, 64 KiB pages, "
           "%d x 1 GiB): %.0f TCEs/s without listeners, %.0f TCEs/s with "
           "a counting IOMMU notifier\n", ROUNDS, plain, listened);
    printf("TCE table, 2^40-byte window, 64 KiB pages (2^24 entries): "
           "%zu bytes empty, %zu bytes with 1 GiB mapped (16384 TCEs; "
           "malloc heap grew %zu bytes); a flat table would be %llu "
           "bytes\n", empty, full, heap, (1ULL << 24) * 8);
    bench_qtest();
    return 0;
}
