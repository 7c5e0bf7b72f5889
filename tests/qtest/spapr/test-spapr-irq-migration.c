/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Interrupt state through migration: a machine with a pci-testdev whose
 * MSI-X vectors are allocated, one vector pending in the PBA, one
 * source pending while masked at the controller, another with its own
 * priority, and INTx asserted and waiting at the presentation side.
 * The destination shows the same sources (query-spapr-irq) and
 * delivers what was pending when the guest unmasks it.
 */
#include <string.h>
#include <glib/gstdio.h>
#include <sys/wait.h>
#include "libspapr-guest.h"

#define RAM         (256ULL << 20)
#define ARGS        "-m 256M -device pci-testdev,addr=2,id=td"
#define REG_MSIX    0x34
#define REG_INTX    0x38
#define TIMEOUT_MS  5000

/* SIGTERM, and the process must exit 0 (sanitizer reports fail it). */
static void quit_clean(QTestState *qts)
{
    int status = qtest_quit(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void dev_writel(QTestState *qts, const GuestDevice *dev,
                       unsigned reg, uint32_t val)
{
    qtest_writel(qts, dev->bar_cpu[0] + reg, GUINT32_SWAP_LE_BE(val));
}

static char *irq_state(QTestState *qts)
{
    JsonObject *reply = qtest_qmp(qts, "{'execute': 'query-spapr-irq'}");
    char *text = json_to_string(json_object_get_member(reply, "return"),
                                FALSE);

    json_object_unref(reply);
    return text;
}

static void test_irq_state_migrates(void)
{
    g_autofree char *dir = g_dir_make_tmp("irq-mig-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "mig", NULL);
    g_autofree char *before = NULL, *after = NULL, *end = NULL;
    QTestState *src, *dst;
    SpaprGuest *g;
    GuestDevice dev;
    uint32_t irqs[8], intx, server = 0, prio = 0;
    uint64_t xirr = 0;

    src = qtest_init(ARGS);
    g = guest_new(src, RAM);
    g_assert_true(guest_find_device(g, 0, 0x1b36, 0x0005, 0, &dev));
    g_assert_cmpint(guest_cppr(g, 0xff), ==, 0);
    g_assert_cmpint(guest_enable_msix(g, &dev, 8, irqs), ==, 8);
    guest_msix_mask(g, &dev, 5, true);
    dev_writel(src, &dev, REG_MSIX, 5);
    g_assert_cmpint(guest_int_off(g, irqs[2]), ==, 0);
    dev_writel(src, &dev, REG_MSIX, 2);
    g_assert_cmpint(guest_set_xive(g, irqs[1], 0, 3), ==, 0);
    intx = guest_intx_irq(g, &dev);
    g_assert_cmpint(guest_irq_unmask(g, intx), ==, 0);
    dev_writel(src, &dev, REG_INTX, 1);
    before = irq_state(src);
    /* The pending MSI and the INTx level are part of what is compared. */
    g_assert_nonnull(strstr(before, "\"asserted\":true"));
    g_assert_nonnull(strstr(before, "\"presented\":true"));
    guest_free(g);

    qtest_qmp_assert_success(src, "{'execute': 'migrate', 'arguments': "
                             "{'uri': 'file:%s'}}", path);
    end = qtest_migration_wait_end(src);
    g_assert_cmpstr(end, ==, "completed");
    quit_clean(src);

    dst = qtest_initf(ARGS " -incoming file:%s", path);
    after = irq_state(dst);
    g_assert_cmpstr(after, ==, before);
    g = guest_new(dst, RAM);
    guest_irq_intercept(g);
    g_assert_cmpint(guest_get_xive(g, irqs[1], &server, &prio), ==, 0);
    g_assert_cmpuint(prio, ==, 3);
    /* The PBA bit came along: unmasking sends it. */
    g_assert_true(guest_msix_pending(g, &dev, 5));
    guest_msix_mask(g, &dev, 5, false);
    g_assert_true(guest_wait_irq(g, irqs[5], 1, TIMEOUT_MS));
    /* So did the source pending while masked. */
    g_assert_cmpint(guest_int_on(g, irqs[2]), ==, 0);
    g_assert_true(guest_wait_irq(g, irqs[2], 1, TIMEOUT_MS));
    /* INTx still waits at the presentation side, still asserted. */
    g_assert_cmpint(guest_xirr(g, &xirr), ==, 0);
    g_assert_cmphex(xirr & 0xffffff, ==, intx);
    g_assert_cmpuint(GUINT32_SWAP_LE_BE(qtest_readl(dst, dev.bar_cpu[0] +
                                                    REG_INTX)), ==, 1);
    dev_writel(dst, &dev, REG_MSIX, 0);
    g_assert_true(guest_wait_irq(g, irqs[0], 1, TIMEOUT_MS));
    guest_free(g);
    quit_clean(dst);
    g_unlink(path);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spapr/irq/state-migrates", test_irq_state_migrates);
    return g_test_run();
}
