/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The guest model's driver-side interrupt handling (libspapr-guest.h):
 * choosing and setting up MSI-X, MSI or INTx as Linux's PCI core does
 * on pseries, and the dma-engine driven by its completion interrupt.
 *
 * Linux (pci_alloc_irq_vectors with PCI_IRQ_ALL_TYPES): MSI-X first,
 * through rtas_setup_msi_irqs (ibm,change-msi, then
 * ibm,query-interrupt-source-number per vector), the vectors unmasked
 * in the table, the sources unmasked at the controller (set-xive,
 * int-on); MSI likewise when there is no MSI-X; INTx, the LSI of the
 * PHB's interrupt-map, when neither works.
 */
#include <string.h>
#include "libspapr-guest.h"

#define DMAE_SRC            0x08
#define DMAE_DST            0x10
#define DMAE_LEN            0x18
#define DMAE_CMD            0x28
#define DMAE_STATUS         0x2c
#define DMAE_RESULT         0x30
#define DMAE_ERR_IOVA       0x38
#define DMAE_ERR_KIND       0x40
#define DMAE_DONE           0x48
#define DMAE_CMD_NOP        0
#define XIRR_SOURCE         0x00ffffffu
#define CAP_ID_MSI          0x05
#define CAP_ID_MSIX         0x11
#define MSI_CTRL_64BIT      0x0080
#define MSI_CTRL_ENABLE     0x0001
#define MSIX_CTRL_MASKALL   0x4000
#define MSIX_CTRL_ENABLE    0x8000
#define MSIX_ENTRY          16

const char *guest_irq_mode_name(GuestIrqMode mode)
{
    static const char *const names[] = { "none", "INTx", "MSI", "MSI-X" };

    return mode <= GUEST_IRQ_MSIX ? names[mode] : "?";
}

static bool cfg_read(SpaprGuest *g, const GuestDevice *dev, unsigned reg,
                     unsigned size, uint32_t *v)
{
    *v = 0;
    return guest_config_read(g, dev->buid, dev->config_addr, reg, size, v);
}

static bool cfg_write(SpaprGuest *g, const GuestDevice *dev, unsigned reg,
                      unsigned size, uint32_t v)
{
    return guest_config_write(g, dev->buid, dev->config_addr, reg, size, v);
}

/* CPU address of word @word of MSI-X table entry @vector (0: none). */
static uint64_t msix_entry(SpaprGuest *g, const GuestDevice *dev,
                           unsigned cap, unsigned vector, unsigned word)
{
    uint32_t loc;

    if (!cfg_read(g, dev, cap + 4, 4, &loc) || !dev->bar_cpu[loc & 7]) {
        return 0;
    }
    return dev->bar_cpu[loc & 7] + (loc & ~7u) + vector * MSIX_ENTRY +
           4 * word;
}

/* MSI: the offsets of address low, address high (0: none) and data. */
static void msi_layout(unsigned cap, uint32_t ctrl, unsigned off[3])
{
    off[0] = cap + 4;
    off[1] = ctrl & MSI_CTRL_64BIT ? cap + 8 : 0;
    off[2] = ctrl & MSI_CTRL_64BIT ? cap + 12 : cap + 8;
}

/*
 * pci_save_state, for the capability in use: its control word and each
 * vector's message (the pseries firmware programmed them; Linux reads
 * them back into its descriptors).
 */
static void guest_dev_irq_save(SpaprGuest *g, const GuestDevice *dev,
                               GuestDevIrq *irq)
{
    QTestState *qts = guest_qts(g);
    unsigned off[3];

    if (irq->mode == GUEST_IRQ_MSIX) {
        irq->cap = guest_find_capability(g, dev, CAP_ID_MSIX);
        g_assert_true(cfg_read(g, dev, irq->cap + 2, 2, &irq->saved_ctrl));
        for (unsigned i = 0; i < irq->nvec; i++) {
            for (unsigned w = 0; w < 4; w++) {
                uint64_t a = msix_entry(g, dev, irq->cap, i, w);

                g_assert_cmphex(a, !=, 0);
                irq->saved_msg[i][w] = GUINT32_SWAP_LE_BE(
                    qtest_readl(qts, a));
            }
        }
    } else if (irq->mode == GUEST_IRQ_MSI) {
        irq->cap = guest_find_capability(g, dev, CAP_ID_MSI);
        g_assert_true(cfg_read(g, dev, irq->cap + 2, 2, &irq->saved_ctrl));
        msi_layout(irq->cap, irq->saved_ctrl, off);
        for (unsigned w = 0; w < 3; w++) {
            if (off[w]) {
                g_assert_true(cfg_read(g, dev, off[w], w == 2 ? 2 : 4,
                                       &irq->saved_msg[0][w]));
            }
        }
    }
}

bool guest_dev_irq_restore(SpaprGuest *g, const GuestDevice *dev,
                           const GuestDevIrq *irq)
{
    QTestState *qts = guest_qts(g);
    uint32_t ctrl = irq->saved_ctrl;
    unsigned off[3];

    if (irq->mode == GUEST_IRQ_MSIX) {
        /* __pci_restore_msix_state: masked while the table is written */
        if (!cfg_write(g, dev, irq->cap + 2, 2,
                       ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL)) {
            return false;
        }
        for (unsigned i = 0; i < irq->nvec; i++) {
            for (unsigned w = 0; w < 4; w++) {
                uint64_t a = msix_entry(g, dev, irq->cap, i, w);

                if (!a) {
                    return false;
                }
                qtest_writel(qts, a,
                             GUINT32_SWAP_LE_BE(irq->saved_msg[i][w]));
            }
        }
        return cfg_write(g, dev, irq->cap + 2, 2, ctrl);
    }
    if (irq->mode == GUEST_IRQ_MSI) {
        /* __pci_restore_msi_state: disabled, the message, then enabled */
        msi_layout(irq->cap, ctrl, off);
        if (!cfg_write(g, dev, irq->cap + 2, 2, ctrl & ~MSI_CTRL_ENABLE)) {
            return false;
        }
        for (unsigned w = 0; w < 3; w++) {
            if (off[w] && !cfg_write(g, dev, off[w], w == 2 ? 2 : 4,
                                     irq->saved_msg[0][w])) {
                return false;
            }
        }
        return cfg_write(g, dev, irq->cap + 2, 2, ctrl);
    }
    return true;
}

GuestIrqMode guest_dev_irq_setup(SpaprGuest *g, const GuestDevice *dev,
                                 GuestIrqMode best, unsigned nvec,
                                 GuestDevIrq *out)
{
    int n;

    memset(out, 0, sizeof(*out));
    nvec = MIN(MAX(nvec, 1u), GUEST_DEV_MAX_VECTORS);
    if (best >= GUEST_IRQ_MSIX) {
        n = guest_enable_msix(g, dev, nvec, out->irqs);
        if (n > 0) {
            out->mode = GUEST_IRQ_MSIX;
            out->nvec = n;
            guest_dev_irq_save(g, dev, out);
            return out->mode;
        }
    }
    if (best >= GUEST_IRQ_MSI) {
        n = guest_enable_msi(g, dev, 1, out->irqs);
        if (n > 0) {
            out->mode = GUEST_IRQ_MSI;
            out->nvec = n;
            guest_dev_irq_save(g, dev, out);
            return out->mode;
        }
    }
    out->irqs[0] = guest_intx_irq(g, dev);
    if (best >= GUEST_IRQ_INTX && out->irqs[0] &&
        guest_irq_unmask(g, out->irqs[0]) == 0) {
        out->mode = GUEST_IRQ_INTX;
        out->nvec = 1;
    }
    return out->mode;
}

void guest_dev_irq_teardown(SpaprGuest *g, const GuestDevice *dev,
                            GuestDevIrq *irq)
{
    for (unsigned i = 0; i < irq->nvec; i++) {
        guest_int_off(g, irq->irqs[i]);
    }
    if (irq->mode == GUEST_IRQ_MSI || irq->mode == GUEST_IRQ_MSIX) {
        guest_disable_msi(g, dev);
    }
    memset(irq, 0, sizeof(*irq));
}

static void reg_writeq(SpaprGuest *g, const GuestDevice *dev, unsigned r,
                       uint64_t v)
{
    qtest_writeq(guest_qts(g), dev->bar_cpu[0] + r, GUINT64_SWAP_LE_BE(v));
}

static uint64_t reg_readq(SpaprGuest *g, const GuestDevice *dev,
                          unsigned r)
{
    return GUINT64_SWAP_LE_BE(qtest_readq(guest_qts(g),
                                          dev->bar_cpu[0] + r));
}

static uint32_t reg_readl(SpaprGuest *g, const GuestDevice *dev,
                          unsigned r)
{
    return GUINT32_SWAP_LE_BE(qtest_readl(guest_qts(g),
                                          dev->bar_cpu[0] + r));
}

static void reg_writel(SpaprGuest *g, const GuestDevice *dev, unsigned r,
                       uint32_t v)
{
    qtest_writel(guest_qts(g), dev->bar_cpu[0] + r, GUINT32_SWAP_LE_BE(v));
}

uint32_t guest_dev_irq_handle(SpaprGuest *g, const GuestDevice *dev,
                              const GuestDevIrq *irq)
{
    uint64_t xirr = 0;
    uint32_t src;

    g_assert_cmpint(guest_xirr(g, &xirr), ==, 0);
    src = xirr & XIRR_SOURCE;
    if (!src) {
        return 0;
    }
    /*
     * A level-triggered line: the driver acks the device before the EOI
     * (a NOP ends the engine's last command and lowers INTx), or the
     * EOI presents it again.
     */
    if (irq->mode == GUEST_IRQ_INTX) {
        reg_writel(g, dev, DMAE_CMD, DMAE_CMD_NOP);
    }
    g_assert_cmpint(guest_eoi(g, xirr), ==, 0);
    return src;
}

void dma_engine_start(SpaprGuest *g, const GuestDevice *dev, uint32_t cmd,
                      uint64_t src, uint64_t dst, uint64_t len)
{
    reg_writeq(g, dev, DMAE_SRC, src);
    reg_writeq(g, dev, DMAE_DST, dst);
    reg_writeq(g, dev, DMAE_LEN, len);
    reg_writel(g, dev, DMAE_CMD, cmd);
}

bool dma_engine_run_irq(SpaprGuest *g, const GuestDevice *dev,
                        const GuestDevIrq *irq, uint32_t cmd, uint64_t src,
                        uint64_t dst, uint64_t len, int timeout_ms,
                        DmaResult *r)
{
    uint32_t n = irq->irqs[0];
    unsigned seen = guest_irq_count(g, n);
    bool arrived;

    dma_engine_start(g, dev, cmd, src, dst, len);
    arrived = guest_wait_irq(g, n, seen + 1, timeout_ms);
    memset(r, 0, sizeof(*r));
    /* The handler reads the result before it acks the device. */
    r->status = reg_readl(g, dev, DMAE_STATUS);
    r->err_kind = reg_readl(g, dev, DMAE_ERR_KIND);
    r->err_iova = reg_readq(g, dev, DMAE_ERR_IOVA);
    r->done = reg_readq(g, dev, DMAE_DONE);
    r->result = reg_readq(g, dev, DMAE_RESULT);
    if (arrived) {
        g_assert_cmpuint(guest_dev_irq_handle(g, dev, irq), ==, n);
    }
    return arrived;
}
