/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers shared by the machine tests that drive a real spapr-vfio
 * process over qtest: the guest-visible constants of the default PHB,
 * RTAS and TCE hcalls as a guest issues them, and the pci-testdev-dma
 * registers (little-endian, while qtest accesses are big-endian).
 */
#ifndef SPAPR_QTEST_H
#define SPAPR_QTEST_H

#include <sys/wait.h>
#include "libqtest.h"

#define H_GET_TCE           0x1C
#define H_PUT_TCE           0x20
#define H_STUFF_TCE         0x138
#define H_PUT_TCE_INDIRECT  0x13C
#define LIOBN0              0x80000000U
#define BUID                0x800000020000000ULL
#define RTAS_BUF            0x10000ULL      /* call blocks */
#define LIST                0x20000ULL      /* TCE list page */
#define BAR0                ((1ULL << 45) + 0x80000000ULL)

/* pci-testdev(-dma) registers */
#define REG_ID              0x00
#define REG_SRC_LO          0x08
#define REG_SRC_HI          0x0c
#define REG_DST_LO          0x10
#define REG_DST_HI          0x14
#define REG_LEN             0x18
#define REG_CMD             0x1c
#define REG_STATUS          0x20
#define CMD_COPY            1
#define STATUS_DONE         1
#define STATUS_WRITE_FAULT  4

/* SIGTERM the process and require a clean exit 0. */
static inline void quit(QTestState *qts)
{
    int status = qtest_quit(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* An RTAS call that must reach the machine; returns rets[0]. */
static inline int32_t rtas(QTestState *qts, const char *name,
                           uint32_t nargs, const uint32_t *args,
                           uint32_t nret, uint32_t *rets)
{
    g_assert_cmpuint(qtest_rtas_call(qts, name, nargs, args, nret, rets,
                                     RTAS_BUF), ==, 0);
    return (int32_t)rets[0];
}

/* DDW windows available on the default PHB. */
static inline uint32_t query_avail(QTestState *qts)
{
    uint32_t args[] = { 0, BUID >> 32, (uint32_t)BUID }, rets[5];

    g_assert_cmpint(rtas(qts, "ibm,query-pe-dma-window", 3, args, 5, rets),
                    ==, 0);
    return rets[1];
}

static inline int64_t put_tce(QTestState *qts, uint32_t liobn,
                              uint64_t ioba, uint64_t tce)
{
    uint64_t args[] = { liobn, ioba, tce };

    return qtest_hcall(qts, H_PUT_TCE, 3, args, 0, NULL);
}

static inline uint64_t get_tce(QTestState *qts, uint32_t liobn,
                               uint64_t ioba)
{
    uint64_t args[] = { liobn, ioba }, out = ~0ULL;

    g_assert_cmpint(qtest_hcall(qts, H_GET_TCE, 2, args, 1, &out), ==, 0);
    return out;
}

static inline uint32_t bar_readl(QTestState *qts, uint64_t reg)
{
    return GUINT32_SWAP_LE_BE(qtest_readl(qts, BAR0 + reg));
}

static inline void bar_writel(QTestState *qts, uint64_t reg, uint32_t val)
{
    qtest_writel(qts, BAR0 + reg, GUINT32_SWAP_LE_BE(val));
}

/* pci-testdev-dma copy between two bus addresses; returns STATUS. */
static inline uint32_t dma_copy(QTestState *qts, uint64_t src, uint64_t dst,
                                uint32_t len)
{
    bar_writel(qts, REG_SRC_LO, (uint32_t)src);
    bar_writel(qts, REG_SRC_HI, src >> 32);
    bar_writel(qts, REG_DST_LO, (uint32_t)dst);
    bar_writel(qts, REG_DST_HI, dst >> 32);
    bar_writel(qts, REG_LEN, len);
    bar_writel(qts, REG_CMD, CMD_COPY);
    return bar_readl(qts, REG_STATUS);
}

#endif /* SPAPR_QTEST_H */
