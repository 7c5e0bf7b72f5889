/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * MSI-X delivery benchmark ("make bench") on the emulated path: a
 * pci-testdev with MSI-X enabled the way Linux does it (change-msi,
 * query, unmask), then
 *  - latency: the device's register write that fires a vector, to the
 *    "IRQ raise N" line the client reads (qtest transport included, so
 *    an upper bound), median and 99th percentile over 2000 interrupts;
 *  - rate: interrupts per second one vector sustains, fired back to
 *    back for one second, every one accepted and EOIed by the guest
 *    (H_XIRR, H_EOI) as a driver's handler would.
 */
#include <inttypes.h>
#include <stdio.h>
#include "libspapr-guest.h"

#define BENCH_RAM       (256ULL << 20)
#define REG_MSIX        0x34
#define LATENCY_N       2000

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    QTestState *qts = qtest_init("-m 256M -device pci-testdev,addr=2");
    SpaprGuest *g = guest_new(qts, BENCH_RAM);
    g_autofree double *lat = g_new(double, LATENCY_N);
    GuestDevice dev;
    uint32_t irqs[8], fire;
    uint64_t xirr;
    gint64 t0, end;
    unsigned i, n = 0;

    g_assert_true(guest_find_device(g, 0, 0x1b36, 0x0005, 0, &dev));
    g_assert_cmpint(guest_cppr(g, 0xff), ==, 0);
    g_assert_cmpint(guest_enable_msix(g, &dev, 8, irqs), ==, 8);
    guest_irq_intercept(g);
    fire = GUINT32_SWAP_LE_BE(0u);

    for (i = 0; i < LATENCY_N; i++) {
        t0 = g_get_monotonic_time();
        qtest_writel(qts, dev.bar_cpu[0] + REG_MSIX, fire);
        g_assert_true(guest_wait_irq(g, irqs[0], i + 1, 5000));
        lat[i] = g_get_monotonic_time() - t0;
        g_assert_cmpint(guest_xirr(g, &xirr), ==, 0);
        g_assert_cmpint(guest_eoi(g, xirr), ==, 0);
    }
    qsort(lat, LATENCY_N, sizeof(lat[0]), cmp_double);
    printf("msix latency (register write -> IRQ raise line): median %.1f "
           "us, p99 %.1f us over %u interrupts\n", lat[LATENCY_N / 2],
           lat[LATENCY_N * 99 / 100], LATENCY_N);

    t0 = g_get_monotonic_time();
    end = t0 + G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end) {
        qtest_writel(qts, dev.bar_cpu[0] + REG_MSIX, fire);
        g_assert_cmpint(guest_xirr(g, &xirr), ==, 0);
        g_assert_cmphex(xirr & 0xffffff, ==, irqs[0]);
        g_assert_cmpint(guest_eoi(g, xirr), ==, 0);
        n++;
    }
    g_assert_cmpuint(guest_irq_count(g, irqs[0]), ==, LATENCY_N + n);
    printf("msix rate (fire, H_XIRR, H_EOI): %.0f interrupts/s on one "
           "vector\n", n * (double)G_USEC_PER_SEC /
           (g_get_monotonic_time() - t0));
    guest_free(g);
    qtest_quit(qts);
    return 0;
}
