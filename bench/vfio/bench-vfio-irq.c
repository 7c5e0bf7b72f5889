/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Interrupt benchmark ("make bench"): the dma-engine behind vfio-pci on
 * vfio-sim, MSI-X vector 0 set up as pseries Linux does.
 *  - latency: from the device's completion (vfio-sim stamps the raise
 *    with CLOCK_MONOTONIC) to the "IRQ raise N" line reaching the qtest
 *    client: host eventfd, the machine's main loop, MSI-X, the PHB's MSI
 *    window, the interrupt controller and the qtest line.  Commands are
 *    started through vfio-sim's control channel, so the client's own
 *    MMIO is not in the measurement;
 *  - rate: what one vector sustains with a driver in the loop: start a
 *    command (MMIO), sleep until its interrupt, H_XIRR, H_EOI, again.
 * And INTx's round trip for comparison (EOI -> host unmask each time).
 */
#include <inttypes.h>
#include <stdio.h>
#include "libspapr-guest.h"

#define BENCH_RAM       (512ULL << 20)
#define BENCH_ARGS      "-m 512M -device vfio-pci,host=0001:00:01.0"
#define LAT_N           500
#define RATE_N          3000
#define TIMEOUT_MS      5000
#define CMD_CHECKSUM    3

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static int64_t last_raise_us(VsimMachine *m)
{
    g_autoptr(JsonObject) st = vsim_machine_state(m);
    JsonObject *irq = json_object_get_object_member(
        json_array_get_object_element(
            json_object_get_array_member(st, "devices"), 0), "irq");

    return json_object_get_int_member(irq, "last_raise_us");
}

static void bench_latency(VsimMachine *m, SpaprGuest *g,
                          const GuestDevice *dev, const GuestDevIrq *irq)
{
    g_autofree int64_t *lat = g_new(int64_t, LAT_N);
    uint32_t n = irq->irqs[0];

    for (unsigned i = 0; i < LAT_N; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(JsonObject) r = NULL;
        unsigned seen = guest_irq_count(g, n);
        int64_t t_line;

        r = vsim_control_dma(vsim_machine_control(m), NULL, "checksum", 0,
                             0, 0, 0, &err);
        g_assert_no_error(err);
        g_assert_true(guest_wait_irq(g, n, seen + 1, TIMEOUT_MS));
        t_line = g_get_monotonic_time();
        lat[i] = t_line - last_raise_us(m);
        g_assert_cmpuint(guest_dev_irq_handle(g, dev, irq), ==, n);
    }
    qsort(lat, LAT_N, sizeof(*lat), cmp_i64);
    printf("latency, device completion -> \"IRQ raise 0x%x\" (MSI-X vector "
           "0), %u samples:\n  min %" PRId64 " us, median %" PRId64
           " us, p99 %" PRId64 " us, max %" PRId64 " us\n", n, LAT_N,
           lat[0], lat[LAT_N / 2], lat[LAT_N * 99 / 100], lat[LAT_N - 1]);
}

static void bench_rate(SpaprGuest *g, const GuestDevice *dev,
                       const GuestDevIrq *irq, const char *what)
{
    gint64 t0 = g_get_monotonic_time();
    double s;

    for (unsigned i = 0; i < RATE_N; i++) {
        DmaResult r;

        g_assert_true(dma_engine_run_irq(g, dev, irq, CMD_CHECKSUM, 0, 0,
                                         0, TIMEOUT_MS, &r));
    }
    s = (g_get_monotonic_time() - t0) / 1e6;
    printf("rate, %s: %u commands each waited for by interrupt in %.2f s: "
           "%.0f interrupts/s (%.1f us per command + interrupt + EOI)\n",
           what, RATE_N, s, RATE_N / s, s * 1e6 / RATE_N);
}

int main(int argc, char **argv)
{
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestDevIrq irq;

    g_test_init(&argc, &argv, NULL);
    m = vsim_machine_start(NULL, NULL, "%s", BENCH_ARGS);
    g = guest_new(m->qts, BENCH_RAM);
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &dev));
    guest_irq_intercept(g);
    g_assert_cmpint(guest_cppr(g, 0xff), ==, 0);
    g_assert_cmpint(guest_dev_irq_setup(g, &dev, GUEST_IRQ_MSIX, 1, &irq),
                    ==, GUEST_IRQ_MSIX);

    bench_latency(m, g, &dev, &irq);
    bench_rate(g, &dev, &irq, "MSI-X vector 0");

    guest_dev_irq_teardown(g, &dev, &irq);
    g_assert_cmpint(guest_dev_irq_setup(g, &dev, GUEST_IRQ_INTX, 1, &irq),
                    ==, GUEST_IRQ_INTX);
    bench_rate(g, &dev, &irq, "INTx (ack, EOI, host unmask)");

    guest_free(g);
    vsim_report_assert_clean(vsim_machine_quit(m));
    return 0;
}
