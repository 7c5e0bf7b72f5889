/*
 * Guest driver for vfio-sim's dma-engine (docs/vfio-sim.md), through its
 * BAR0 as the guest sees it behind vfio-pci.
 *
 * The registers are little-endian; qtest loads and stores are big-endian
 * (guest order), so every value is byte-swapped on the way.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "libspapr-guest.h"

#define DMAE_ID             0x00
#define DMAE_SRC            0x08
#define DMAE_DST            0x10
#define DMAE_LEN            0x18
#define DMAE_PATTERN        0x20
#define DMAE_CMD            0x28
#define DMAE_STATUS         0x2c
#define DMAE_RESULT         0x30
#define DMAE_ERR_IOVA       0x38
#define DMAE_ERR_KIND       0x40
#define DMAE_DONE           0x48

#define DMAE_ID_VALUE       0x454d4144
#define DMAE_CMD_COPY       1
#define DMAE_CMD_FILL       2
#define DMAE_CMD_CHECKSUM   3
#define DMAE_STATUS_BUSY    1

static uint64_t bar0(const GuestDevice *dev)
{
    g_assert(dev->bar_cpu[0]);
    return dev->bar_cpu[0];
}

static void reg_writeq(QTestState *qts, const GuestDevice *dev, unsigned r,
                       uint64_t v)
{
    qtest_writeq(qts, bar0(dev) + r, GUINT64_SWAP_LE_BE(v));
}

static uint64_t reg_readq(QTestState *qts, const GuestDevice *dev,
                          unsigned r)
{
    return GUINT64_SWAP_LE_BE(qtest_readq(qts, bar0(dev) + r));
}

static uint32_t reg_readl(QTestState *qts, const GuestDevice *dev,
                          unsigned r)
{
    return GUINT32_SWAP_LE_BE(qtest_readl(qts, bar0(dev) + r));
}

static DmaResult dma_engine_run(SpaprGuest *g, const GuestDevice *dev,
                                uint32_t cmd, uint64_t src, uint64_t dst,
                                uint64_t len, uint64_t pattern)
{
    QTestState *qts = guest_qts(g);
    DmaResult r = { 0 };
    unsigned spins = 0;

    g_assert_cmphex(reg_readl(qts, dev, DMAE_ID), ==, DMAE_ID_VALUE);
    reg_writeq(qts, dev, DMAE_SRC, src);
    reg_writeq(qts, dev, DMAE_DST, dst);
    reg_writeq(qts, dev, DMAE_LEN, len);
    reg_writeq(qts, dev, DMAE_PATTERN, pattern);
    qtest_writel(qts, bar0(dev) + DMAE_CMD, GUINT32_SWAP_LE_BE(cmd));
    /* The command completes inside the write; busy would be a bug. */
    do {
        r.status = reg_readl(qts, dev, DMAE_STATUS);
    } while (r.status == DMAE_STATUS_BUSY && ++spins < 1000);
    r.err_kind = reg_readl(qts, dev, DMAE_ERR_KIND);
    r.err_iova = reg_readq(qts, dev, DMAE_ERR_IOVA);
    r.done = reg_readq(qts, dev, DMAE_DONE);
    r.result = reg_readq(qts, dev, DMAE_RESULT);
    return r;
}

DmaResult dma_engine_copy(SpaprGuest *g, const GuestDevice *dev,
                          uint64_t src_iova, uint64_t dst_iova,
                          uint64_t len)
{
    return dma_engine_run(g, dev, DMAE_CMD_COPY, src_iova, dst_iova, len, 0);
}

DmaResult dma_engine_fill(SpaprGuest *g, const GuestDevice *dev,
                          uint64_t dst_iova, uint64_t len, uint64_t pattern)
{
    return dma_engine_run(g, dev, DMAE_CMD_FILL, 0, dst_iova, len, pattern);
}

DmaResult dma_engine_checksum(SpaprGuest *g, const GuestDevice *dev,
                              uint64_t src_iova, uint64_t len)
{
    return dma_engine_run(g, dev, DMAE_CMD_CHECKSUM, src_iova, 0, len, 0);
}

uint64_t dma_engine_fnv1a(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;

    for (i = 0; i < len; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}
