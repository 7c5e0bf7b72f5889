/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim conformance: device DMA logging
 * (VFIO_DEVICE_FEATURE_DMA_LOGGING_START/STOP/REPORT).
 */
#include "mig-test.h"

/* ---- device dirty tracking ---- */

static void test_logging_start_checks(void)
{
    struct vfio_device_feature_dma_logging_range r[3] = {
        { 0, 1 * MiB }, { 4 * MiB, 1 * MiB }, { 0, 0 },
    };
    uint64_t max = host_page() / sizeof(r[0]), chosen = 0;
    g_autofree struct vfio_device_feature_dma_logging_range *many =
        g_new0(struct vfio_device_feature_dma_logging_range, max + 1);
    Dev v;

    dev_open(&v, 1);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_PROBE |
                            VFIO_DEVICE_FEATURE_SET |
                            VFIO_DEVICE_FEATURE_DMA_LOGGING_START, NULL, 0),
                    ==, 0);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_PROBE |
                            VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_DMA_LOGGING_START, NULL, 0),
                    ==, -EINVAL);
    g_assert_cmpint(log_start(v.d, 4096, r, 0, NULL), ==, -EINVAL);
    for (uint64_t i = 0; i <= max; i++) {
        many[i].iova = i * 64 * KiB;
        many[i].length = 64 * KiB;
    }
    g_assert_cmpint(log_start(v.d, 4096, many, max + 1, NULL), ==, -E2BIG);
    g_assert_cmpint(log_start(v.d, 3000, r, 2, NULL), ==, -EINVAL);
    g_assert_cmpint(log_start(v.d, 2048, r, 2, NULL), ==, -EINVAL);
    r[2] = (struct vfio_device_feature_dma_logging_range) { 8 * MiB, 0 };
    g_assert_cmpint(log_start(v.d, 4096, r, 3, NULL), ==, -EINVAL);
    r[2].iova = 8 * MiB + 512;
    r[2].length = 4096;
    g_assert_cmpint(log_start(v.d, 4096, r, 3, NULL), ==, -EINVAL);
    r[2].iova = 512 * KiB;                  /* inside the first */
    g_assert_cmpint(log_start(v.d, 4096, r, 3, NULL), ==, -EINVAL);
    r[2].iova = -4096ULL;
    r[2].length = 8192;
    g_assert_cmpint(log_start(v.d, 4096, r, 3, NULL), ==, -EOVERFLOW);
    g_assert_cmpint(log_start(v.d, 4096, many, max, &chosen), ==, 0);
    g_assert_cmpuint(chosen, ==, 4096);
    g_assert_cmpint(log_start(v.d, 4096, r, 2, NULL), ==, -EBUSY);
    g_assert_cmpint(log_stop(v.d), ==, 0);
    g_assert_cmpint(log_stop(v.d), ==, 0);
    dev_close(&v);

    dev_open(&v, 3);                        /* dirty-log=off */
    g_assert_cmpint(log_start(v.d, 4096, r, 2, NULL), ==, -ENOTTY);
    g_assert_cmpint(log_stop(v.d), ==, -ENOTTY);
    dev_close(&v);
}

/*
 * Pages the device writes, and only those, are reported at the
 * report's page size; a report clears them; bits already set in the
 * user's bitmap stay set; reads are not logged.
 */
static void test_logging_report_device_writes(void)
{
    struct vfio_device_feature_dma_logging_range r = { 0, 4 * MiB };
    uint8_t *ram = alloc_aligned(4 * MiB, 64 * KiB);
    uint64_t bm[16] = { 0 };
    Dev v;

    dev_open(&v, 1);
    g_assert_cmpint(reg_mem(v.c, ram, 4 * MiB), ==, 0);
    g_assert_cmpint(map_dma(v.c, ram, 0, 4 * MiB, RW), ==, 0);
    wr(v.d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmpint(log_report(v.d, 0, 4 * MiB, 4096, bm), ==, -EINVAL);
    g_assert_cmpint(log_start(v.d, 4096, &r, 1, NULL), ==, 0);
    g_assert_cmpint(log_report(v.d, 0, 4 * MiB, 2048, bm), ==, -EINVAL);
    /* FILL 5000 bytes at 1 MiB + 100: 4 KiB pages 256 and 257 */
    wr(v.d, BAR0_OFF + DMAE_REG_DST, 8, 1 * MiB + 100);
    wr(v.d, BAR0_OFF + DMAE_REG_LEN, 8, 5000);
    wr(v.d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_FILL);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4), ==,
                     DMAE_STATUS_DONE);
    /* CHECKSUM only reads */
    wr(v.d, BAR0_OFF + DMAE_REG_SRC, 8, 2 * MiB);
    wr(v.d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_CHECKSUM);
    bm[0] = 1;                              /* the user's own bit */
    g_assert_cmpint(log_report(v.d, 0, 4 * MiB, 64 * KiB, bm), ==, 0);
    g_assert_cmpuint(bm[0], ==, 1 | 1ULL << 16);
    memset(bm, 0, sizeof(bm));
    g_assert_cmpint(log_report(v.d, 0, 4 * MiB, 64 * KiB, bm), ==, 0);
    g_assert_cmpuint(bm[0], ==, 0);         /* cleared by the report */
    wr(v.d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_FILL);
    g_assert_cmpint(log_report(v.d, 1 * MiB, 1 * MiB, 4096, bm), ==, 0);
    g_assert_cmpuint(bm[0], ==, 3);
    for (unsigned i = 1; i < G_N_ELEMENTS(bm); i++) {
        g_assert_cmpuint(bm[i], ==, 0);
    }
    g_assert_cmpint(log_stop(v.d), ==, 0);
    g_assert_cmpint(log_report(v.d, 0, 4 * MiB, 4096, bm), ==, -EINVAL);
    g_assert_cmpint(unmap_dma(v.c, 0, 4 * MiB), ==, 0);
    g_assert_cmpint(unreg_mem(v.c, ram, 4 * MiB), ==, 0);
    dev_close(&v);
    munmap(ram, 4 * MiB);
}

/*
 * Reports taken while the engine copies: each 4 KiB page of the
 * destination is reported exactly once over the reports, no page
 * outside it ever is, and what was reported is what DONE says moved.
 */
static void test_logging_exact_while_engine_runs(void)
{
    struct vfio_device_feature_dma_logging_range r = { 0, 16 * MiB };
    const uint64_t words = 16 * MiB / 4096 / 64;
    g_autofree uint64_t *seen = g_new0(uint64_t, words);
    g_autofree uint64_t *bm = g_new0(uint64_t, words);
    uint64_t pages = 0, done;
    uint8_t *ram;
    Dev v;

    ram = xfer_setup(&v, 6);
    g_assert_cmpint(log_start(v.d, 4096, &r, 1, NULL), ==, 0);
    xfer_start(&v);
    do {
        g_usleep(20000);
        done = rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8);
        memset(bm, 0, words * 8);
        g_assert_cmpint(log_report(v.d, 0, 16 * MiB, 4096, bm), ==, 0);
        for (uint64_t i = 0; i < words; i++) {
            g_assert_cmpuint(seen[i] & bm[i], ==, 0);  /* once each */
            seen[i] |= bm[i];
            pages += __builtin_popcountll(bm[i]);
        }
        /* the engine may have moved on after DONE was read */
        g_assert_cmpuint(pages, >=, done / 4096);
    } while (rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4) == DMAE_STATUS_BUSY);
    memset(bm, 0, words * 8);
    g_assert_cmpint(log_report(v.d, 0, 16 * MiB, 4096, bm), ==, 0);
    for (uint64_t i = 0; i < words; i++) {
        seen[i] |= bm[i];
    }
    for (uint64_t p = 0; p < 16 * MiB / 4096; p++) {
        bool in_dst = p >= XFER_DST / 4096 &&
                      p < (XFER_DST + XFER_LEN) / 4096;

        g_assert_cmpint(!!(seen[p / 64] & 1ULL << (p % 64)), ==, in_dst);
    }
    g_assert_cmpint(log_stop(v.d), ==, 0);
    xfer_teardown(&v, ram);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_logging_start/"
                    "ranges-page-size-busy-and-enotty",
                    test_logging_start_checks);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_logging_report/"
                    "device-writes-reported-and-cleared",
                    test_logging_report_device_writes);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_logging_report/"
                    "exact-pages-while-engine-runs",
                    test_logging_exact_while_engine_runs);
    return g_test_run();
}
