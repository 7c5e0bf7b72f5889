/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Interrupts of a passed-through device, end to end: the dma-engine
 * under vfio-sim completes a command, the host signals an eventfd, the
 * machine's main loop raises MSI-X, MSI or INTx, and the guest model
 * sees "IRQ raise N" with the number the platform gave it.
 */
#include "vfio-e2e.h"

#define DEV_ARGS    VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0"
#define TIMEOUT_MS  5000
#define QUIET_MS    300
#define CMD_CHECKSUM 3
#define CMD_BAD     7

typedef struct Fx {
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestDevIrq irq;
} Fx;

static void fx_start(Fx *fx, const char *args)
{
    fx->m = vsim_machine_start(NULL, NULL, "%s", args);
    fx->g = vt_guest(fx->m, VT_RAM, &fx->dev);
    guest_irq_intercept(fx->g);
    g_assert_cmpint(guest_cppr(fx->g, 0xff), ==, 0);
}

static void fx_stop(Fx *fx)
{
    g_autoptr(JsonObject) report = NULL;
    JsonArray *devs;

    guest_free(fx->g);
    report = vsim_machine_quit(fx->m);
    vsim_report_assert_clean(report);
    /* the machine gave back every eventfd it handed the host */
    devs = json_object_get_array_member(report, "devices");
    for (unsigned i = 0; i < json_array_get_length(devs); i++) {
        JsonObject *irq = json_object_get_object_member(
            json_array_get_object_element(devs, i), "irq");

        g_assert_cmpint(json_object_get_int_member(irq, "eventfds"), ==, 0);
    }
}

/* The sim's irq state of the device (new reference). */
static JsonObject *host_irq(Fx *fx)
{
    g_autoptr(JsonObject) st = vsim_machine_state(fx->m);
    JsonArray *devs = json_object_get_array_member(st, "devices");

    return json_object_ref(json_object_get_object_member(
        json_array_get_object_element(devs, 0), "irq"));
}

static char *host_irq_type(Fx *fx)
{
    g_autoptr(JsonObject) q = host_irq(fx);

    return g_strdup(json_object_get_string_member(q, "type"));
}

static int64_t host_irq_int(Fx *fx, const char *member)
{
    g_autoptr(JsonObject) q = host_irq(fx);

    return json_object_get_int_member(q, member);
}

/* A command that completes at once (no DMA): checksum of 0 bytes. */
static bool run(Fx *fx)
{
    DmaResult r;
    bool ok = dma_engine_run_irq(fx->g, &fx->dev, &fx->irq, CMD_CHECKSUM,
                                 0, 0, 0, TIMEOUT_MS, &r);

    g_assert_cmpuint(r.status, ==, VT_DMA_DONE);
    return ok;
}

/*
 * MSI-X vector 0 of the dma-engine arrives as "IRQ raise N" with the N
 * ibm,query-interrupt-source-number gave, on completion and on error;
 * the host holds one eventfd per vector.
 */
static void test_msix_vector_raises_queried_number(void)
{
    uint32_t q = 0;
    DmaResult r;
    Fx fx;

    fx_start(&fx, DEV_ARGS);
    g_assert_cmpint(guest_dev_irq_setup(fx.g, &fx.dev, GUEST_IRQ_MSIX, 4,
                                        &fx.irq), ==, GUEST_IRQ_MSIX);
    g_assert_cmpuint(fx.irq.nvec, ==, 4);
    g_assert_cmpint(guest_query_irq_number(fx.g, &fx.dev, 0, &q), ==, 0);
    g_assert_cmphex(fx.irq.irqs[0], ==, q);
    {
        g_autofree char *t = host_irq_type(&fx);
        g_assert_cmpstr(t, ==, "msix");
    }
    g_assert_cmpint(host_irq_int(&fx, "vectors"), ==, 4);
    g_assert_cmpint(host_irq_int(&fx, "eventfds"), ==, 4);

    g_assert_true(run(&fx));
    g_assert_cmpuint(guest_irq_count(fx.g, q), ==, 1);
    g_assert_true(dma_engine_run_irq(fx.g, &fx.dev, &fx.irq, CMD_BAD, 0, 0,
                                     0, TIMEOUT_MS, &r));
    g_assert_cmpuint(r.status, ==, VT_DMA_ERROR);
    g_assert_cmpuint(guest_irq_count(fx.g, q), ==, 2);
    /* the other vectors stayed quiet */
    for (unsigned i = 1; i < fx.irq.nvec; i++) {
        g_assert_cmpuint(guest_irq_count(fx.g, fx.irq.irqs[i]), ==, 0);
    }
    fx_stop(&fx);
}

/*
 * A vector masked in the table is masked on the host (its eventfd
 * unset): the completion does not arrive while masked, it waits in the
 * device's PBA (which the guest reads in its PBA), and arrives once the
 * guest unmasks the vector.
 */
static void test_msix_masked_vector_waits_for_unmask(void)
{
    uint32_t n;
    Fx fx;

    fx_start(&fx, DEV_ARGS);
    g_assert_cmpint(guest_dev_irq_setup(fx.g, &fx.dev, GUEST_IRQ_MSIX, 1,
                                        &fx.irq), ==, GUEST_IRQ_MSIX);
    n = fx.irq.irqs[0];
    guest_msix_mask(fx.g, &fx.dev, 0, true);
    g_assert_cmpint(host_irq_int(&fx, "eventfds"), ==, 0);
    dma_engine_start(fx.g, &fx.dev, CMD_CHECKSUM, 0, 0, 0);
    g_assert_false(guest_wait_irq(fx.g, n, 1, QUIET_MS));
    g_assert_cmpint(host_irq_int(&fx, "msix_pending"), ==, 1);
    /* the guest's PBA shows what the device holds */
    g_assert_true(guest_msix_pending(fx.g, &fx.dev, 0));
    g_assert_false(guest_msix_pending(fx.g, &fx.dev, 1));

    guest_msix_mask(fx.g, &fx.dev, 0, false);
    g_assert_true(guest_wait_irq(fx.g, n, 1, TIMEOUT_MS));
    g_assert_cmpuint(guest_dev_irq_handle(fx.g, &fx.dev, &fx.irq), ==, n);
    g_assert_cmpint(host_irq_int(&fx, "msix_pending"), ==, 0);
    g_assert_false(guest_msix_pending(fx.g, &fx.dev, 0));
    g_assert_cmpint(host_irq_int(&fx, "eventfds"), ==, 1);
    /* and the next completion comes straight through */
    g_assert_true(run(&fx));
    g_assert_cmpuint(guest_irq_count(fx.g, n), ==, 2);
    fx_stop(&fx);
}

/*
 * INTx: the host masks on trigger; the guest's EOI lowers the line and
 * unmasks the host.  A driver that acks the device gets one interrupt
 * per command; an EOI without the ack (the device still asserts)
 * brings the interrupt back.
 */
static void test_intx_eoi_unmasks_host(void)
{
    uint32_t n;
    Fx fx;

    fx_start(&fx, DEV_ARGS);
    g_assert_cmpint(guest_dev_irq_setup(fx.g, &fx.dev, GUEST_IRQ_INTX, 1,
                                        &fx.irq), ==, GUEST_IRQ_INTX);
    n = fx.irq.irqs[0];
    g_assert_cmphex(n, ==, guest_intx_irq(fx.g, &fx.dev));
    {
        g_autofree char *t = host_irq_type(&fx);
        g_assert_cmpstr(t, ==, "intx");
    }
    g_assert_true(run(&fx));
    g_assert_cmpuint(guest_irq_count(fx.g, n), ==, 1);
    g_assert_false(qtest_get_irq(fx.m->qts, n));
    g_assert_false(json_object_get_boolean_member(host_irq(&fx),
                                                  "intx_masked"));
    g_assert_true(run(&fx));
    g_assert_cmpuint(guest_irq_count(fx.g, n), ==, 2);

    /* no ack: the EOI unmasks the host, which signals again */
    {
        uint64_t xirr = 0;

        dma_engine_start(fx.g, &fx.dev, CMD_CHECKSUM, 0, 0, 0);
        g_assert_true(guest_wait_irq(fx.g, n, 3, TIMEOUT_MS));
        g_assert_true(json_object_get_boolean_member(host_irq(&fx),
                                                     "intx_masked"));
        g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
        g_assert_cmphex(xirr & 0xffffff, ==, n);
        g_assert_cmpint(guest_eoi(fx.g, xirr), ==, 0);
        g_assert_true(guest_wait_irq(fx.g, n, 4, TIMEOUT_MS));
        g_assert_cmpuint(guest_dev_irq_handle(fx.g, &fx.dev, &fx.irq), ==,
                         n);
    }
    fx_stop(&fx);
}

/* MSI (the guest asks for no MSI-X): one vector, its queried number. */
static void test_msi_raises_queried_number(void)
{
    uint32_t q = 0;
    Fx fx;

    fx_start(&fx, DEV_ARGS);
    g_assert_cmpint(guest_dev_irq_setup(fx.g, &fx.dev, GUEST_IRQ_MSI, 1,
                                        &fx.irq), ==, GUEST_IRQ_MSI);
    g_assert_cmpint(guest_query_irq_number(fx.g, &fx.dev, 0, &q), ==, 0);
    g_assert_cmphex(fx.irq.irqs[0], ==, q);
    {
        g_autofree char *t = host_irq_type(&fx);
        g_assert_cmpstr(t, ==, "msi");
    }
    g_assert_true(run(&fx));
    g_assert_true(run(&fx));
    g_assert_cmpuint(guest_irq_count(fx.g, q), ==, 2);
    fx_stop(&fx);
}

/*
 * Disable and re-enable: the host follows the guest back to INTx and
 * to MSI-X again, with fresh eventfds, and interrupts keep arriving.
 */
static void test_disable_and_reenable(void)
{
    Fx fx;

    fx_start(&fx, DEV_ARGS);
    g_assert_cmpint(guest_dev_irq_setup(fx.g, &fx.dev, GUEST_IRQ_MSIX, 2,
                                        &fx.irq), ==, GUEST_IRQ_MSIX);
    g_assert_true(run(&fx));
    guest_dev_irq_teardown(fx.g, &fx.dev, &fx.irq);
    {
        g_autofree char *t = host_irq_type(&fx);
        g_assert_cmpstr(t, ==, "intx");
    }
    g_assert_cmpint(host_irq_int(&fx, "eventfds"), ==, 1);
    g_assert_cmpint(guest_dev_irq_setup(fx.g, &fx.dev, GUEST_IRQ_MSIX, 2,
                                        &fx.irq), ==, GUEST_IRQ_MSIX);
    g_assert_cmpint(host_irq_int(&fx, "eventfds"), ==, 2);
    g_assert_true(run(&fx));
    g_assert_cmpuint(guest_irq_count(fx.g, fx.irq.irqs[0]), >=, 1);
    fx_stop(&fx);
}

/*
 * The host refuses SET_IRQS when the guest enables MSI-X: the device
 * (only it) fails with a message naming the ioctl and the errno, its
 * interrupts are off on the host, and the machine keeps running.
 */
static void test_set_irqs_failure_fails_device(void)
{
    g_autoptr(JsonObject) ev = NULL;
    g_autoptr(JsonObject) st = NULL;
    JsonObject *data;
    const char *reason;
    Fx fx;

    fx_start(&fx, DEV_ARGS);
    /* the first SET_IRQS takes INTx down, the second enables MSI-X */
    vt_fault_nth(fx.m, "VFIO_DEVICE_SET_IRQS", 2, "ENOSPC");
    g_assert_cmpint(guest_dev_irq_setup(fx.g, &fx.dev, GUEST_IRQ_MSIX, 1,
                                        &fx.irq), ==, GUEST_IRQ_MSIX);
    ev = qtest_qmp_eventwait(fx.m->qts, "VFIO_DEVICE_FAILED");
    data = json_object_get_object_member(ev, "data");
    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==,
                    "dev0");
    reason = json_object_get_string_member(data, "reason");
    g_test_message("reason: %s", reason);
    g_assert_nonnull(strstr(reason, "VFIO_DEVICE_SET_IRQS (MSI-X enable)"));
    g_assert_nonnull(strstr(reason, "ENOSPC"));
    g_assert_cmpint(host_irq_int(&fx, "eventfds"), ==, 0);
    {
        g_autofree char *t = host_irq_type(&fx);
        g_assert_cmpstr(t, ==, "none");
    }
    st = qtest_qmp(fx.m->qts, "{'execute': 'query-status'}");
    g_assert_null(qtest_qmp_error_desc(st));
    fx_stop(&fx);
}

/*
 * INTx fallback: a device without MSI and MSI-X (dma-engine-intx) is
 * set up as Linux does for any device, and its driver ends on INTx,
 * the LSI of the PHB's interrupt-map.
 */
static void test_intx_fallback_without_msi(void)
{
    Fx fx;

    fx.m = vsim_machine_start(VT_BDF0 "=dma-engine-intx@1", NULL, "%s",
                              DEV_ARGS);
    fx.g = vt_guest(fx.m, VT_RAM, &fx.dev);
    guest_irq_intercept(fx.g);
    g_assert_cmpint(guest_cppr(fx.g, 0xff), ==, 0);
    g_assert_cmpint(guest_dev_irq_setup(fx.g, &fx.dev, GUEST_IRQ_MSIX, 4,
                                        &fx.irq), ==, GUEST_IRQ_INTX);
    g_assert_cmphex(fx.irq.irqs[0], ==, guest_intx_irq(fx.g, &fx.dev));
    g_assert_true(run(&fx));
    g_assert_true(run(&fx));
    g_assert_cmpuint(guest_irq_count(fx.g, fx.irq.irqs[0]), ==, 2);
    fx_stop(&fx);
}

/* MSI sources query-spapr-irq shows owned by @cfg (MSI-X ones). */
static unsigned msi_sources_of(Fx *fx, uint32_t cfg)
{
    g_autoptr(JsonObject) r = qtest_qmp(fx->m->qts,
                                        "{'execute': 'query-spapr-irq'}");
    JsonArray *list = json_object_get_array_member(r, "return");
    unsigned n = 0;

    g_assert_nonnull(list);
    for (unsigned i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);

        if (!g_strcmp0(json_object_get_string_member(o, "type"), "msi") &&
            json_object_get_int_member(o, "config-addr") == cfg &&
            json_object_get_boolean_member(o, "msix")) {
            n++;
        }
    }
    return n;
}

/*
 * The guest-driven unplug (DRC) of a device whose MSI-X vectors are
 * enabled, by a guest whose driver did not free them: the machine gives
 * every eventfd back before the device fd closes, and the interrupt
 * numbers are free again (query-spapr-irq lists none of the device's;
 * the sim's exit report shows no eventfd held).
 */
static void test_unplug_releases_eventfds(void)
{
    Fx fx;

    fx_start(&fx, DEV_ARGS);
    g_assert_cmpint(guest_dev_irq_setup(fx.g, &fx.dev, GUEST_IRQ_MSIX, 4,
                                        &fx.irq), ==, GUEST_IRQ_MSIX);
    g_assert_true(run(&fx));
    g_assert_cmpuint(msi_sources_of(&fx, fx.dev.config_addr), ==, 4);
    vt_device_del(fx.m, "dev0");
    g_assert_cmpint(host_irq_int(&fx, "eventfds"), ==, 0);
    g_assert_cmpuint(msi_sources_of(&fx, fx.dev.config_addr), ==, 0);
    fx_stop(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/irq/msix-vector-raises-queried-number",
                    test_msix_vector_raises_queried_number);
    g_test_add_func("/vfio/irq/msix-masked-vector-waits-for-unmask",
                    test_msix_masked_vector_waits_for_unmask);
    g_test_add_func("/vfio/irq/intx-eoi-unmasks-host",
                    test_intx_eoi_unmasks_host);
    g_test_add_func("/vfio/irq/intx-fallback-without-msi",
                    test_intx_fallback_without_msi);
    g_test_add_func("/vfio/irq/msi-raises-queried-number",
                    test_msi_raises_queried_number);
    g_test_add_func("/vfio/irq/disable-and-reenable",
                    test_disable_and_reenable);
    g_test_add_func("/vfio/irq/set-irqs-failure-fails-only-the-device",
                    test_set_irqs_failure_fails_device);
    g_test_add_func("/vfio/irq/unplug-releases-eventfds",
                    test_unplug_releases_eventfds);
    return g_test_run();
}
