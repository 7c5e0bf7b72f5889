/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * MSI and MSI-X end to end with the emulated pci-testdev: ibm,change-msi
 * and ibm,query-interrupt-source-number program the device, the device
 * fires, its message goes through the PHB's MSI window and arrives as
 * "IRQ raise N" with the number the query gave.  Masked vectors wait
 * (PBA, pending bits) until unmasked.  Bad input answers the PAPR error
 * and changes nothing; allocations go with unplug and reset.
 */
#include <string.h>
#include <sys/wait.h>
#include "libspapr-guest.h"

#define RAM         (512ULL << 20)
#define TESTDEV     "-device pci-testdev,addr=2,id=td"
#define REG_MSI     0x30
#define REG_MSIX    0x34
#define MSI_CAP     0x40
#define TIMEOUT_MS  5000
#define MSI_WINDOW  0x40000000000ULL

/* SIGTERM, and the process must exit 0 (sanitizer reports fail it). */
static void quit_clean(QTestState *qts)
{
    int status = qtest_quit(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

typedef struct Fx {
    QTestState *qts;
    SpaprGuest *g;
    GuestDevice dev;
} Fx;

static void fx_start(Fx *fx, const char *args)
{
    fx->qts = qtest_init(args);
    fx->g = guest_new(fx->qts, RAM);
    g_assert_true(guest_find_device(fx->g, 0, 0x1b36,
                                    strstr(args, "testdev-dma") ? 0x00f5
                                                                : 0x0005,
                                    0, &fx->dev));
    g_assert_cmpint(guest_cppr(fx->g, 0xff), ==, 0);
    guest_irq_intercept(fx->g);
}

static void fx_stop(Fx *fx)
{
    guest_free(fx->g);
    quit_clean(fx->qts);
}

static void dev_writel(Fx *fx, unsigned reg, uint32_t val)
{
    qtest_writel(fx->qts, fx->dev.bar_cpu[0] + reg, GUINT32_SWAP_LE_BE(val));
}

/* Allocated MSI sources of the device (function 0: query). */
static uint32_t allocated(Fx *fx, uint32_t *type)
{
    uint32_t n = 99;

    g_assert_cmpint(guest_change_msi(fx->g, &fx->dev, RTAS_CHANGE_MSI_QUERY,
                                     0, &n, type), ==, 0);
    return n;
}

/* The whole MSI-X path: every vector arrives with its queried number. */
static void test_msix_vector_arrives(void)
{
    uint32_t irqs[8];
    Fx fx;
    int i, n;

    fx_start(&fx, TESTDEV);
    n = guest_enable_msix(fx.g, &fx.dev, 8, irqs);
    g_assert_cmpint(n, ==, 8);
    for (i = 0; i < n; i++) {
        g_assert_cmpuint(irqs[i], >=, 0x1300);
        g_assert_cmpuint(irqs[i], ==, irqs[0] + i);
    }
    dev_writel(&fx, REG_MSIX, 3);
    g_assert_true(guest_wait_irq(fx.g, irqs[3], 1, TIMEOUT_MS));
    g_assert_cmpuint(guest_irq_count(fx.g, irqs[2]), ==, 0);
    g_assert_cmpuint(guest_irq_count(fx.g, irqs[4]), ==, 0);
    /* Edge: raised, then lowered at once. */
    g_assert_false(qtest_get_irq(fx.qts, irqs[3]));
    dev_writel(&fx, REG_MSIX, 3);
    dev_writel(&fx, REG_MSIX, 7);
    g_assert_true(guest_wait_irq(fx.g, irqs[3], 2, TIMEOUT_MS));
    g_assert_true(guest_wait_irq(fx.g, irqs[7], 1, TIMEOUT_MS));
    fx_stop(&fx);
}

/* H_XIRR takes an MSI, H_EOI ends it; an edge is not presented again. */
static void test_msix_xirr_eoi(void)
{
    uint64_t xirr = 0;
    uint32_t irqs[8];
    Fx fx;

    fx_start(&fx, TESTDEV);
    g_assert_cmpint(guest_enable_msix(fx.g, &fx.dev, 1, irqs), ==, 1);
    dev_writel(&fx, REG_MSIX, 0);
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, 0xff000000ULL | irqs[0]);
    g_assert_cmpint(guest_eoi(fx.g, 0xff000000ULL | irqs[0]), ==, 0);
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, 0xff000000ULL);
    fx_stop(&fx);
}

/* A vector masked in the table sets its PBA bit and fires on unmask. */
static void test_msix_masked_vector_waits(void)
{
    uint32_t irqs[8];
    Fx fx;

    fx_start(&fx, TESTDEV);
    g_assert_cmpint(guest_enable_msix(fx.g, &fx.dev, 8, irqs), ==, 8);
    guest_msix_mask(fx.g, &fx.dev, 5, true);
    dev_writel(&fx, REG_MSIX, 5);
    g_assert_cmpuint(guest_irq_count(fx.g, irqs[5]), ==, 0);
    g_assert_true(guest_msix_pending(fx.g, &fx.dev, 5));
    g_assert_false(guest_msix_pending(fx.g, &fx.dev, 4));
    guest_msix_mask(fx.g, &fx.dev, 5, false);
    g_assert_true(guest_wait_irq(fx.g, irqs[5], 1, TIMEOUT_MS));
    g_assert_false(guest_msix_pending(fx.g, &fx.dev, 5));
    fx_stop(&fx);
}

/* The function mask holds every vector; clearing it sends them. */
static void test_msix_function_mask(void)
{
    uint32_t irqs[8], ctrl = 0;
    unsigned cap;
    Fx fx;

    fx_start(&fx, TESTDEV);
    g_assert_cmpint(guest_enable_msix(fx.g, &fx.dev, 8, irqs), ==, 8);
    cap = guest_find_capability(fx.g, &fx.dev, 0x11);
    g_assert_true(guest_config_read(fx.g, fx.dev.buid, fx.dev.config_addr,
                                    cap + 2, 2, &ctrl));
    g_assert_true(guest_config_write(fx.g, fx.dev.buid, fx.dev.config_addr,
                                     cap + 2, 2, ctrl | 0x4000));
    dev_writel(&fx, REG_MSIX, 1);
    dev_writel(&fx, REG_MSIX, 6);
    g_assert_cmpuint(guest_irq_count(fx.g, irqs[1]), ==, 0);
    g_assert_true(guest_msix_pending(fx.g, &fx.dev, 1));
    g_assert_true(guest_config_write(fx.g, fx.dev.buid, fx.dev.config_addr,
                                     cap + 2, 2, ctrl));
    g_assert_true(guest_wait_irq(fx.g, irqs[1], 1, TIMEOUT_MS));
    g_assert_true(guest_wait_irq(fx.g, irqs[6], 1, TIMEOUT_MS));
    fx_stop(&fx);
}

/* Masked at the controller (int-off): the MSI arrives on int-on. */
static void test_msi_masked_source_waits(void)
{
    uint32_t irqs[8];
    Fx fx;

    fx_start(&fx, TESTDEV);
    g_assert_cmpint(guest_enable_msix(fx.g, &fx.dev, 2, irqs), ==, 2);
    g_assert_cmpint(guest_int_off(fx.g, irqs[1]), ==, 0);
    dev_writel(&fx, REG_MSIX, 1);
    g_assert_cmpuint(guest_irq_count(fx.g, irqs[1]), ==, 0);
    g_assert_cmpint(guest_int_on(fx.g, irqs[1]), ==, 0);
    g_assert_true(guest_wait_irq(fx.g, irqs[1], 1, TIMEOUT_MS));
    fx_stop(&fx);
}

/* Plain MSI: an aligned block, vector v is data | v. */
static void test_msi_vectors_arrive(void)
{
    uint32_t irqs[4];
    Fx fx;
    int n;

    fx_start(&fx, TESTDEV);
    n = guest_enable_msi(fx.g, &fx.dev, 4, irqs);
    g_assert_cmpint(n, ==, 4);
    g_assert_cmpuint(irqs[0] % 4, ==, 0);
    dev_writel(&fx, REG_MSI, 2);
    g_assert_true(guest_wait_irq(fx.g, irqs[2], 1, TIMEOUT_MS));
    g_assert_cmpuint(guest_irq_count(fx.g, irqs[0]), ==, 0);
    fx_stop(&fx);
}

/* The MSI per-vector mask: pending bit, then delivery on unmask. */
static void test_msi_per_vector_mask(void)
{
    uint32_t irqs[4], pending = 0;
    Fx fx;

    fx_start(&fx, TESTDEV);
    g_assert_cmpint(guest_enable_msi(fx.g, &fx.dev, 4, irqs), ==, 4);
    /* 64-bit capability: mask at +0x10, pending at +0x14. */
    g_assert_true(guest_config_write(fx.g, fx.dev.buid, fx.dev.config_addr,
                                     MSI_CAP + 0x10, 4, 1u << 1));
    dev_writel(&fx, REG_MSI, 1);
    g_assert_cmpuint(guest_irq_count(fx.g, irqs[1]), ==, 0);
    g_assert_true(guest_config_read(fx.g, fx.dev.buid, fx.dev.config_addr,
                                    MSI_CAP + 0x14, 4, &pending));
    g_assert_cmphex(pending, ==, 1u << 1);
    g_assert_true(guest_config_write(fx.g, fx.dev.buid, fx.dev.config_addr,
                                     MSI_CAP + 0x10, 4, 0));
    g_assert_true(guest_wait_irq(fx.g, irqs[1], 1, TIMEOUT_MS));
    fx_stop(&fx);
}

/* A device's DMA write into the MSI window is an interrupt. */
static void test_msi_window_dma_write(void)
{
    uint32_t irqs[1], data;
    uint64_t src;
    Fx fx;

    fx_start(&fx, "-device pci-testdev-dma,addr=2");
    g_assert_cmpint(guest_enable_msix(fx.g, &fx.dev, 1, irqs), ==, 1);
    /* The data, in RAM the default window maps at bus address 0x1000. */
    src = guest_alloc(fx.g, 4096, 4096);
    data = GUINT32_TO_LE(irqs[0]);
    qtest_memwrite(fx.qts, src, &data, 4);
    g_assert_cmpint(guest_put_tce(fx.g, 0x80000000, 0x1000, src | 3), ==, 0);
    dev_writel(&fx, 0x08, 0x1000);
    dev_writel(&fx, 0x0c, 0);
    dev_writel(&fx, 0x10, (uint32_t)MSI_WINDOW);
    dev_writel(&fx, 0x14, MSI_WINDOW >> 32);
    dev_writel(&fx, 0x18, 4);
    dev_writel(&fx, 0x1c, 1);
    g_assert_true(guest_wait_irq(fx.g, irqs[0], 1, TIMEOUT_MS));
    fx_stop(&fx);
}

/* Bad input: the PAPR error, and the allocation is what it was. */
static void test_change_msi_bad_input(void)
{
    uint32_t irqs[8], irq = 0, n = 0, args[6], rets[4];
    Fx fx;

    fx_start(&fx, TESTDEV);
    g_assert_cmpint(guest_enable_msix(fx.g, &fx.dev, 2, irqs), ==, 2);
    /* Unknown function, unknown device, wrong counts. */
    g_assert_cmpint(guest_change_msi(fx.g, &fx.dev, 7, 1, &n, NULL), ==, -3);
    args[0] = 0x1f << 11;
    args[1] = fx.dev.buid >> 32;
    args[2] = (uint32_t)fx.dev.buid;
    args[3] = RTAS_CHANGE_MSI_MSIX;
    args[4] = 1;
    args[5] = 0;
    g_assert_cmpint(guest_rtas(fx.g, "ibm,change-msi", 6, args, 4, rets),
                    ==, -3);
    args[0] = fx.dev.config_addr;
    args[2] += 5;
    g_assert_cmpint(guest_rtas(fx.g, "ibm,change-msi", 6, args, 4, rets),
                    ==, -3);
    args[2] = (uint32_t)fx.dev.buid;
    g_assert_cmpint(guest_rtas(fx.g, "ibm,change-msi", 5, args, 4, rets),
                    ==, -3);
    g_assert_cmpint(guest_rtas(fx.g, "ibm,change-msi", 6, args, 2, rets),
                    ==, -3);
    /* Double enable: MSI while MSI-X is allocated. */
    g_assert_cmpint(guest_change_msi(fx.g, &fx.dev, RTAS_CHANGE_MSI_MSI, 1,
                                     &n, NULL), ==, -3);
    /* A vector number beyond the block. */
    g_assert_cmpint(guest_query_irq_number(fx.g, &fx.dev, 2, &irq), ==, -3);
    /* Nothing changed. */
    g_assert_cmpuint(allocated(&fx, &n), ==, 2);
    g_assert_cmpuint(n, ==, 2);                 /* MSI-X */
    g_assert_cmpint(guest_query_irq_number(fx.g, &fx.dev, 1, &irq), ==, 0);
    g_assert_cmpuint(irq, ==, irqs[1]);
    dev_writel(&fx, REG_MSIX, 1);
    g_assert_true(guest_wait_irq(fx.g, irqs[1], 1, TIMEOUT_MS));
    fx_stop(&fx);
}

/* A device without MSI or MSI-X: -3 for every allocating function. */
static void test_change_msi_no_capability(void)
{
    uint32_t n = 0;
    Fx fx;

    fx_start(&fx, "-device pci-testdev,addr=2,msi=off,msix=off");
    g_assert_cmpint(guest_change_msi(fx.g, &fx.dev, RTAS_CHANGE_MSI_CHANGE,
                                     1, &n, NULL), ==, -3);
    g_assert_cmpint(guest_change_msi(fx.g, &fx.dev, RTAS_CHANGE_MSI_MSI, 1,
                                     &n, NULL), ==, -3);
    g_assert_cmpint(guest_change_msi(fx.g, &fx.dev, RTAS_CHANGE_MSI_MSIX, 1,
                                     &n, NULL), ==, -3);
    g_assert_cmpuint(allocated(&fx, NULL), ==, 0);
    fx_stop(&fx);
}

/* Asking too many gets the count back and nothing allocated. */
static void test_change_msi_fewer_than_asked(void)
{
    uint32_t n = 0, type = 0;
    Fx fx;

    fx_start(&fx, TESTDEV);
    g_assert_cmpint(guest_change_msi(fx.g, &fx.dev, RTAS_CHANGE_MSI_MSIX, 64,
                                     &n, &type), ==, 0);
    g_assert_cmpuint(n, ==, 8);
    g_assert_cmpuint(type, ==, 2);
    g_assert_cmpuint(allocated(&fx, NULL), ==, 0);
    g_assert_cmpint(guest_change_msi(fx.g, &fx.dev, RTAS_CHANGE_MSI_MSI, 5,
                                     &n, &type), ==, 0);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpuint(type, ==, 1);
    g_assert_cmpuint(allocated(&fx, NULL), ==, 0);
    fx_stop(&fx);
}

/* Free, free again (-1), and a second allocation replacing the first. */
static void test_change_msi_free_and_replace(void)
{
    uint32_t irqs[8], irq = 0, n = 0, server, prio;
    Fx fx;

    fx_start(&fx, TESTDEV);
    g_assert_cmpint(guest_enable_msix(fx.g, &fx.dev, 4, irqs), ==, 4);
    /* Same kind again: a new block, the old one freed (as QEMU). */
    g_assert_cmpint(guest_change_msi(fx.g, &fx.dev, RTAS_CHANGE_MSI_MSIX, 2,
                                     &n, NULL), ==, 0);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpuint(allocated(&fx, NULL), ==, 2);
    g_assert_cmpint(guest_query_irq_number(fx.g, &fx.dev, 0, &irq), ==, 0);
    g_assert_cmpuint(irq, !=, irqs[0]);
    g_assert_cmpint(guest_get_xive(fx.g, irqs[0], &server, &prio), ==, -3);
    g_assert_cmpint(guest_disable_msi(fx.g, &fx.dev), ==, 0);
    g_assert_cmpuint(allocated(&fx, NULL), ==, 0);
    g_assert_cmpint(guest_get_xive(fx.g, irq, &server, &prio), ==, -3);
    g_assert_cmpint(guest_change_msi(fx.g, &fx.dev, RTAS_CHANGE_MSI_CHANGE,
                                     0, &n, NULL), ==, -1);
    fx_stop(&fx);
}

/* Unplug and reset give the numbers back. */
static void test_msi_freed_on_unplug_and_reset(void)
{
    uint32_t irqs[8], server, prio;
    Fx fx;

    fx_start(&fx, TESTDEV);
    g_assert_cmpint(guest_enable_msix(fx.g, &fx.dev, 4, irqs), ==, 4);
    qtest_qmp_assert_success(fx.qts, "{'execute': 'system_reset'}");
    g_assert_cmpint(guest_get_xive(fx.g, irqs[0], &server, &prio), ==, -3);
    g_assert_cmpuint(allocated(&fx, NULL), ==, 0);
    /* BARs were assigned again by the reset; find the device anew. */
    g_assert_true(guest_find_device(fx.g, 0, 0x1b36, 0x0005, 0, &fx.dev));
    g_assert_cmpint(guest_enable_msix(fx.g, &fx.dev, 4, irqs), ==, 4);
    qtest_qmp_assert_success(fx.qts, "{'execute': 'device_del', "
                             "'arguments': {'id': 'td'}}");
    /* The device is the guest's: it goes once the guest releases it. */
    g_assert_cmpuint(guest_drc_handle_events(fx.g), ==, 1);
    json_object_unref(qtest_qmp_eventwait(fx.qts, "DEVICE_DELETED"));
    g_assert_cmpint(guest_get_xive(fx.g, irqs[0], &server, &prio), ==, -3);
    g_assert_cmpint(guest_get_xive(fx.g, irqs[3], &server, &prio), ==, -3);
    guest_free(fx.g);
    quit_clean(fx.qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spapr/msi/msix-vector-arrives-with-queried-number",
                    test_msix_vector_arrives);
    g_test_add_func("/spapr/msi/msix-xirr-eoi", test_msix_xirr_eoi);
    g_test_add_func("/spapr/msi/msix-masked-vector-arrives-on-unmask",
                    test_msix_masked_vector_waits);
    g_test_add_func("/spapr/msi/msix-function-mask", test_msix_function_mask);
    g_test_add_func("/spapr/msi/source-masked-arrives-on-int-on",
                    test_msi_masked_source_waits);
    g_test_add_func("/spapr/msi/msi-vectors-arrive", test_msi_vectors_arrive);
    g_test_add_func("/spapr/msi/msi-per-vector-mask",
                    test_msi_per_vector_mask);
    g_test_add_func("/spapr/msi/window-dma-write-is-interrupt",
                    test_msi_window_dma_write);
    g_test_add_func("/spapr/msi/change-msi-bad-input-changes-nothing",
                    test_change_msi_bad_input);
    g_test_add_func("/spapr/msi/change-msi-without-capability",
                    test_change_msi_no_capability);
    g_test_add_func("/spapr/msi/change-msi-fewer-than-asked",
                    test_change_msi_fewer_than_asked);
    g_test_add_func("/spapr/msi/change-msi-free-and-replace",
                    test_change_msi_free_and_replace);
    g_test_add_func("/spapr/msi/freed-on-unplug-and-reset",
                    test_msi_freed_on_unplug_and_reset);
    return g_test_run();
}
