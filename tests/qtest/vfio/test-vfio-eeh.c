/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * End-to-end EEH: a vfio-pci device whose PE freezes on the host (the
 * control channel, a DMA fault, the guest's ibm,errinjct) reads all
 * ones; the guest model runs Linux's recovery (state, thaw, log, hot
 * reset, configure-pe, restore config) and the device's DMA works again
 * through the windows it had, the DDW window included.  On a host
 * without EEH the calls are absent from /rtas, answer -3 and reach no
 * host ioctl; bad arguments answer -3 and change nothing.
 *
 * After the recovery, the device's MSI-X, MSI or INTx interrupts arrive
 * again with the numbers the guest had.
 */
#include <errno.h>
#include <libfdt.h>
#include <unistd.h>
#include "vfio-e2e.h"

#define DEV_ARGS VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0"
#define DMAE_REG_ID     0x00
#define DMAE_ID_VALUE   0x454d4144
#define EEH_ON          "eeh=on"
/* config address of slot @s on bus 0 */
#define CFG_ADDR(s)     ((uint32_t)(s) << 11)

typedef struct Env {
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestEeh eeh;
} Env;

static void env_start(Env *e, const char *host, const char *extra)
{
    e->m = vsim_machine_start(NULL, host, "%s%s", DEV_ARGS,
                              extra ? extra : "");
    e->g = vt_guest(e->m, VT_RAM, &e->dev);
}

static void env_finish(Env *e)
{
    guest_free(e->g);
    vt_quit_clean(e->m);
}

static uint32_t pe_state(Env *e)
{
    uint32_t state = 0xdead;

    g_assert_cmpint(guest_eeh_get_state(e->g, &e->eeh, &state), ==, 0);
    return state;
}

/* The sim's own view of the PE (state as VFIO numbers it). */
static int64_t host_pe_state(Env *e)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) o = vsim_control_eeh(vsim_machine_control(e->m),
                                               VT_BDF0, "state", &err);

    g_assert_no_error(err);
    return json_object_get_int_member(o, "state");
}

static void host_freeze(Env *e)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) o = vsim_control_eeh(vsim_machine_control(e->m),
                                               VT_BDF0, "freeze", &err);

    g_assert_no_error(err);
}

/* DMA round trip at @iova backed by guest RAM @gpa. */
static void assert_dma_works(Env *e, uint64_t iova, uint64_t gpa,
                             uint64_t pattern)
{
    vt_dma_roundtrip(e->m, e->g, &e->dev, iova, gpa, 4 * VT_PAGE, pattern);
}

/* What Linux sees first: an MMIO read of all ones, then a frozen PE. */
static void assert_frozen(Env *e)
{
    g_assert_cmphex(vt_bar0_readl(e->m, &e->dev, DMAE_REG_ID), ==,
                    0xffffffff);
    g_assert_true(guest_eeh_check_failure(e->g, &e->eeh));
    g_assert_cmpuint(pe_state(e), ==, EEH_STATE_STOPPED);
}

/* The host windows of the only container (count). */
static unsigned host_windows(Env *e)
{
    g_autoptr(JsonObject) st = vsim_machine_state(e->m);

    return json_array_get_length(vt_windows(vt_only_container(st)));
}

/*
 * The recovery sequence after a freeze the host reports (control
 * channel): the device reads all ones, the guest resets and configures
 * the PE, restores its config, and DMA through both the default window
 * and the DDW window works again, with the host windows as before.
 */
static void test_recovery_restores_device_and_windows(void)
{
    uint64_t gpa, dgpa, iova;
    GuestWindow dw;
    unsigned wins;
    Env e;

    env_start(&e, EEH_ON, NULL);
    /* the device is not frozen at start: reads are the registers */
    g_assert_cmpint(guest_eeh_probe(e.g, &e.dev, &e.eeh), ==, 0);
    g_assert_cmphex(e.eeh.pe_addr, ==, e.dev.config_addr);
    g_assert_cmpuint(e.eeh.pe_mode, ==, 1);
    g_assert_true(guest_ddw_enable(e.g, &e.dev, 0, &dw));
    dgpa = guest_alloc(e.g, 4 * VT_PAGE, VT_PAGE);
    gpa = guest_alloc(e.g, 4 * VT_PAGE, VT_PAGE);
    iova = guest_dma_map(e.g, &e.dev, gpa, 4 * VT_PAGE, TCE_RW);
    if (!iova) {
        /* Linux removed the default window to make room for DDW */
        iova = guest_ddw_iova(&dw, gpa);
    }
    assert_dma_works(&e, guest_ddw_iova(&dw, dgpa), dgpa, 0x0101);
    wins = host_windows(&e);
    g_assert_cmpint(pe_state(&e), ==, EEH_STATE_NORMAL);

    host_freeze(&e);
    assert_frozen(&e);
    g_assert_true(guest_eeh_recover(e.g, &e.eeh));
    g_assert_cmpint(host_pe_state(&e), ==, EEH_STATE_NORMAL);
    g_assert_cmphex(vt_bar0_readl(e.m, &e.dev, DMAE_REG_ID), ==,
                    DMAE_ID_VALUE);
    g_assert_cmpuint(host_windows(&e), ==, wins);
    assert_dma_works(&e, guest_ddw_iova(&dw, dgpa), dgpa, 0x2323);
    assert_dma_works(&e, iova, gpa, 0x4545);
    env_finish(&e);
}

/*
 * A TCE fault of the device freezes its PE (the guest enabled EEH at
 * probe): the engine's STATUS reads all ones; after the recovery the
 * device works again through the default window.
 */
static void test_dma_fault_freezes_then_recovery(void)
{
    uint64_t gpa, iova;
    DmaResult r;
    Env e;

    env_start(&e, EEH_ON, NULL);
    g_assert_cmpint(guest_eeh_probe(e.g, &e.dev, &e.eeh), ==, 0);
    gpa = guest_alloc(e.g, 4 * VT_PAGE, VT_PAGE);
    iova = guest_dma_map(e.g, &e.dev, gpa, 4 * VT_PAGE, TCE_RW);
    g_assert_cmphex(iova, !=, 0);
    r = dma_engine_fill(e.g, &e.dev, iova + 64 * VT_PAGE, 64, 0);
    g_assert_cmphex(r.status, ==, 0xffffffff);
    assert_frozen(&e);
    g_assert_true(guest_eeh_recover(e.g, &e.eeh));
    assert_dma_works(&e, iova, gpa, 0x6767);
    env_finish(&e);
}

/* The guest freezes its own PE through ibm,errinjct, then recovers. */
static void test_errinjct_freezes_then_recovery(void)
{
    uint64_t gpa, iova;
    Env e;

    env_start(&e, EEH_ON, NULL);
    g_assert_cmpint(guest_eeh_probe(e.g, &e.dev, &e.eeh), ==, 0);
    gpa = guest_alloc(e.g, 4 * VT_PAGE, VT_PAGE);
    iova = guest_dma_map(e.g, &e.dev, gpa, 4 * VT_PAGE, TCE_RW);
    g_assert_cmpint(guest_eeh_inject(e.g, &e.eeh, 16, (uint32_t)iova,
                                     0xffffffff), ==, 0);
    assert_frozen(&e);
    g_assert_true(guest_eeh_recover(e.g, &e.eeh));
    assert_dma_works(&e, iova, gpa, 0x8989);
    env_finish(&e);
}

/*
 * A machine reset with the PE still frozen (a guest that never ran its
 * recovery): the device comes back thawed and a fresh guest uses it.
 */
static void test_system_reset_thaws_frozen_pe(void)
{
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) ev = NULL;
    uint64_t gpa, iova;
    Env e;

    env_start(&e, EEH_ON, NULL);
    g_assert_cmpint(guest_eeh_probe(e.g, &e.dev, &e.eeh), ==, 0);
    host_freeze(&e);
    assert_frozen(&e);
    reply = qtest_qmp(e.m->qts, "{'execute': 'system_reset'}");
    g_assert_null(qtest_qmp_error_desc(reply));
    ev = qtest_qmp_eventwait(e.m->qts, "RESET");
    g_assert_cmpint(host_pe_state(&e), ==, EEH_STATE_NORMAL);
    guest_free(e.g);
    e.g = vt_guest(e.m, VT_RAM, &e.dev);
    gpa = guest_alloc(e.g, 4 * VT_PAGE, VT_PAGE);
    iova = guest_dma_map(e.g, &e.dev, gpa, 4 * VT_PAGE, TCE_RW);
    assert_dma_works(&e, iova, gpa, 0xcdcd);
    env_finish(&e);
}

/* ------------------------------------------- interrupts after recovery */

#define IRQ_TIMEOUT_MS  5000
#define CMD_CHECKSUM    3

/* A command that completes at once; its interrupt must arrive. */
static void assert_irq_arrives(Env *e, const GuestDevIrq *irq)
{
    unsigned before = guest_irq_count(e->g, irq->irqs[0]);
    DmaResult r;

    g_assert_true(dma_engine_run_irq(e->g, &e->dev, irq, CMD_CHECKSUM, 0, 0,
                                     0, IRQ_TIMEOUT_MS, &r));
    g_assert_cmpuint(r.status, ==, VT_DMA_DONE);
    g_assert_cmpuint(guest_irq_count(e->g, irq->irqs[0]), ==, before + 1);
}

/* The sim's interrupt type of the device ("msix", "msi", "intx"). */
static char *host_irq_type(Env *e)
{
    g_autoptr(JsonObject) st = vsim_machine_state(e->m);
    JsonArray *devs = json_object_get_array_member(st, "devices");
    JsonObject *q = json_object_get_object_member(
        json_array_get_object_element(devs, 0), "irq");

    return g_strdup(json_object_get_string_member(q, "type"));
}

static const char *host_type_of(GuestIrqMode mode)
{
    return mode == GUEST_IRQ_MSIX ? "msix" :
           mode == GUEST_IRQ_MSI ? "msi" : "intx";
}

/*
 * Linux's recovery of a device whose driver uses MSI-X, MSI or INTx:
 * after the PE reset the EEH core restores the header and the driver's
 * slot_reset restores its MSI state (pci_restore_state); completions
 * then interrupt the guest again with the numbers it had, and every
 * vector's number is still what ibm,query-interrupt-source-number says.
 */
static void test_recovery_restores_interrupts(gconstpointer data)
{
    GuestIrqMode mode = GPOINTER_TO_INT(data);
    unsigned nvec = mode == GUEST_IRQ_MSIX ? 4 : 1;
    GuestDevIrq irq;
    Env e;

    env_start(&e, EEH_ON, NULL);
    g_assert_cmpint(guest_eeh_probe(e.g, &e.dev, &e.eeh), ==, 0);
    guest_irq_intercept(e.g);
    g_assert_cmpint(guest_cppr(e.g, 0xff), ==, 0);
    g_assert_cmpint(guest_dev_irq_setup(e.g, &e.dev, mode, nvec, &irq), ==,
                    mode);
    assert_irq_arrives(&e, &irq);

    host_freeze(&e);
    assert_frozen(&e);
    g_assert_true(guest_eeh_recover(e.g, &e.eeh));
    g_assert_true(guest_dev_irq_restore(e.g, &e.dev, &irq));
    {
        g_autofree char *t = host_irq_type(&e);
        g_assert_cmpstr(t, ==, host_type_of(mode));
    }
    for (unsigned i = 0; mode != GUEST_IRQ_INTX && i < irq.nvec; i++) {
        uint32_t n = 0;

        g_assert_cmpint(guest_query_irq_number(e.g, &e.dev, i, &n), ==, 0);
        g_assert_cmphex(n, ==, irq.irqs[i]);
    }
    assert_irq_arrives(&e, &irq);
    assert_irq_arrives(&e, &irq);
    env_finish(&e);
}

/*
 * A driver that frees its MSI-X vectors when the error is reported
 * (error_detected, the PE still frozen) and sets them up again after
 * the recovery (resume): the host goes back to INTx while frozen, then
 * to MSI-X with fresh eventfds, and the completion interrupts arrive.
 */
static void test_recovery_driver_reallocates_msix(void)
{
    GuestDevIrq irq;
    Env e;

    env_start(&e, EEH_ON, NULL);
    g_assert_cmpint(guest_eeh_probe(e.g, &e.dev, &e.eeh), ==, 0);
    guest_irq_intercept(e.g);
    g_assert_cmpint(guest_cppr(e.g, 0xff), ==, 0);
    g_assert_cmpint(guest_dev_irq_setup(e.g, &e.dev, GUEST_IRQ_MSIX, 2,
                                        &irq), ==, GUEST_IRQ_MSIX);
    assert_irq_arrives(&e, &irq);

    host_freeze(&e);
    assert_frozen(&e);
    guest_dev_irq_teardown(e.g, &e.dev, &irq);
    {
        g_autofree char *t = host_irq_type(&e);
        g_assert_cmpstr(t, ==, "intx");
    }
    g_assert_true(guest_eeh_recover(e.g, &e.eeh));
    g_assert_cmpint(guest_dev_irq_setup(e.g, &e.dev, GUEST_IRQ_MSIX, 2,
                                        &irq), ==, GUEST_IRQ_MSIX);
    {
        g_autofree char *t = host_irq_type(&e);
        g_assert_cmpstr(t, ==, "msix");
    }
    assert_irq_arrives(&e, &irq);
    env_finish(&e);
}

/* The machine's device tree, through QMP dumpdtb (g_free it). */
static char *dump_fdt(Env *e)
{
    g_autofree char *path = g_build_filename(e->m->dir, "eeh.dtb", NULL);
    g_autoptr(JsonObject) r = qtest_qmp(e->m->qts,
        "{'execute': 'dumpdtb', 'arguments': {'filename': '%s'}}", path);
    char *blob = NULL;

    g_assert_null(qtest_qmp_error_desc(r));
    g_assert_true(g_file_get_contents(path, &blob, NULL, NULL));
    unlink(path);
    g_assert_cmpint(fdt_check_header(blob), ==, 0);
    return blob;
}

static const char *const eeh_calls[] = {
    "ibm,set-eeh-option", "ibm,get-config-addr-info2",
    "ibm,read-slot-reset-state2", "ibm,set-slot-reset", "ibm,configure-pe",
    "ibm,slot-error-detail", "ibm,open-errinjct", "ibm,errinjct",
    "ibm,close-errinjct",
};

static void assert_rtas_tokens(Env *e, bool present)
{
    g_autofree char *blob = dump_fdt(e);
    int off = fdt_path_offset(blob, "/rtas");
    unsigned i;

    g_assert_cmpint(off, >=, 0);
    for (i = 0; i < G_N_ELEMENTS(eeh_calls); i++) {
        const void *p = fdt_getprop(blob, off, eeh_calls[i], NULL);

        if ((p != NULL) != present) {
            g_error("/rtas %s: %s", eeh_calls[i],
                    present ? "missing" : "present without EEH");
        }
    }
    g_assert_true((fdt_getprop(blob, off, "ibm,errinjct-tokens", NULL) !=
                   NULL) == present);
    /* what is always there stays */
    g_assert_nonnull(fdt_getprop(blob, off, "ibm,read-pci-config", NULL));
}

/* With EEH on the host the calls are in /rtas. */
static void test_rtas_tokens_with_eeh_host(void)
{
    Env e;

    env_start(&e, EEH_ON, NULL);
    assert_rtas_tokens(&e, true);
    env_finish(&e);
}

/*
 * A host without EEH (CHECK_EXTENSION(VFIO_EEH) = 0): no EEH call in
 * /rtas, each call answers -3, no VFIO_EEH_PE_OP reaches the host, and
 * the device keeps working.
 */
static void test_no_eeh_host_calls_are_param_error(void)
{
    uint32_t rets[5], args[8] = { 0 };
    uint64_t gpa, iova;
    GuestEeh eeh;
    Env e;

    env_start(&e, "eeh=off", NULL);
    assert_rtas_tokens(&e, false);
    vt_reset_counters(e.m);
    g_assert_cmpint(guest_eeh_probe(e.g, &e.dev, &eeh), ==, -3);
    args[0] = e.dev.config_addr;
    args[1] = e.dev.buid >> 32;
    args[2] = (uint32_t)e.dev.buid;
    g_assert_cmpint(guest_rtas(e.g, "ibm,read-slot-reset-state2", 3, args,
                               4, rets), ==, -3);
    args[3] = 1;
    g_assert_cmpint(guest_rtas(e.g, "ibm,set-slot-reset", 4, args, 1, rets),
                    ==, -3);
    g_assert_cmpint(guest_rtas(e.g, "ibm,configure-pe", 3, args, 1, rets),
                    ==, -3);
    g_assert_cmpint(guest_rtas(e.g, "ibm,get-config-addr-info2", 4, args, 2,
                               rets), ==, -3);
    g_assert_cmpuint(vt_calls(e.m, "VFIO_EEH_PE_OP"), ==, 0);
    gpa = guest_alloc(e.g, 4 * VT_PAGE, VT_PAGE);
    iova = guest_dma_map(e.g, &e.dev, gpa, 4 * VT_PAGE, TCE_RW);
    assert_dma_works(&e, iova, gpa, 0xabab);
    env_finish(&e);
}

/*
 * Two groups behind one PHB share a container, and VFIO_EEH_PE_OP acts
 * on the container: neither device has EEH, although the host has.
 */
static void test_shared_container_has_no_eeh(void)
{
    GuestDevice b;
    GuestEeh eeh;
    Env e;

    e.m = vsim_machine_start(VT_BDF0 "=dma-engine@1," VT_BDF1
                             "=dma-engine@2", EEH_ON,
                             "%s -device vfio-pci,host=" VT_BDF1 ",id=dev1",
                             DEV_ARGS);
    e.g = vt_guest(e.m, VT_RAM, &e.dev);
    g_assert_true(guest_find_device(e.g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 1, &b));
    assert_rtas_tokens(&e, false);
    vt_reset_counters(e.m);
    g_assert_cmpint(guest_eeh_probe(e.g, &e.dev, &eeh), ==, -3);
    g_assert_cmpint(guest_eeh_probe(e.g, &b, &eeh), ==, -3);
    g_assert_cmpuint(vt_calls(e.m, "VFIO_EEH_PE_OP"), ==, 0);
    env_finish(&e);
}

/*
 * Bad arguments: argument counts, an unknown PHB or device, a device
 * without EEH (an emulated one), an unknown option, reset function,
 * info function, severity, error type or function, and error injection
 * that is not open.  Each answers -3 (-4 for injection not open) and
 * none reaches the host or changes the PE.
 */
static void test_bad_args_are_param_error_and_change_nothing(void)
{
    uint32_t rets[5], a[8], tok[2];
    Env e;

    env_start(&e, EEH_ON, " -device pci-testdev-dma,addr=4");
    g_assert_cmpint(guest_eeh_probe(e.g, &e.dev, &e.eeh), ==, 0);
    vt_reset_counters(e.m);
    a[0] = e.dev.config_addr;
    a[1] = e.dev.buid >> 32;
    a[2] = (uint32_t)e.dev.buid;
    a[3] = 1;
    /* counts */
    g_assert_cmpint(guest_rtas(e.g, "ibm,set-eeh-option", 3, a, 1, rets),
                    ==, -3);
    g_assert_cmpint(guest_rtas(e.g, "ibm,set-eeh-option", 4, a, 2, rets),
                    ==, -3);
    g_assert_cmpint(guest_rtas(e.g, "ibm,read-slot-reset-state2", 3, a, 3,
                               rets), ==, -3);
    g_assert_cmpint(guest_rtas(e.g, "ibm,configure-pe", 4, a, 1, rets), ==,
                    -3);
    /* unknown option, reset function, info function */
    a[3] = 4;
    g_assert_cmpint(guest_rtas(e.g, "ibm,set-eeh-option", 4, a, 1, rets),
                    ==, -3);
    a[3] = 2;
    g_assert_cmpint(guest_rtas(e.g, "ibm,set-slot-reset", 4, a, 1, rets),
                    ==, -3);
    g_assert_cmpint(guest_rtas(e.g, "ibm,get-config-addr-info2", 4, a, 2,
                               rets), ==, -3);
    /* severity */
    memset(&a[3], 0, 5 * sizeof(a[0]));
    a[7] = 3;
    g_assert_cmpint(guest_rtas(e.g, "ibm,slot-error-detail", 8, a, 1, rets),
                    ==, -3);
    /* unknown PHB, unknown device, the emulated device */
    a[3] = 1;
    a[2] ^= 0x10;
    g_assert_cmpint(guest_rtas(e.g, "ibm,set-eeh-option", 4, a, 1, rets),
                    ==, -3);
    a[2] ^= 0x10;
    a[0] = CFG_ADDR(7);
    g_assert_cmpint(guest_rtas(e.g, "ibm,set-eeh-option", 4, a, 1, rets),
                    ==, -3);
    a[0] = CFG_ADDR(4);
    g_assert_cmpint(guest_rtas(e.g, "ibm,set-eeh-option", 4, a, 1, rets),
                    ==, -3);
    g_assert_cmpint(guest_rtas(e.g, "ibm,set-slot-reset", 4, a, 1, rets),
                    ==, -3);
    /* injection: not open, then a bad function, then a bad type */
    a[0] = 7;
    a[1] = 1;
    a[2] = 0x3000;
    g_assert_cmpint(guest_rtas(e.g, "ibm,errinjct", 3, a, 1, rets), ==, -4);
    g_assert_cmpint(guest_eeh_inject(e.g, &e.eeh, 20, 0, 0), ==, -3);
    guest_rtas(e.g, "ibm,open-errinjct", 0, NULL, 2, tok);
    g_assert_cmpint((int32_t)tok[1], ==, 0);
    g_assert_cmpuint(tok[0], !=, 0);
    a[0] = 9;
    a[1] = tok[0];
    g_assert_cmpint(guest_rtas(e.g, "ibm,errinjct", 3, a, 1, rets), ==, -3);
    /* a second open while open: -4 */
    g_assert_cmpint(guest_rtas(e.g, "ibm,open-errinjct", 0, NULL, 2, rets),
                    ==, 0);
    g_assert_cmpint((int32_t)rets[1], ==, -4);
    g_assert_cmpint(guest_rtas(e.g, "ibm,close-errinjct", 1, &tok[0], 1,
                               rets), ==, 0);

    g_assert_cmpuint(vt_calls(e.m, "VFIO_EEH_PE_OP"), ==, 0);
    g_assert_cmpint(host_pe_state(&e), ==, EEH_STATE_NORMAL);
    g_assert_cmphex(vt_bar0_readl(e.m, &e.dev, DMAE_REG_ID), ==,
                    DMAE_ID_VALUE);
    env_finish(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/eeh/recovery-restores-device-and-windows",
                    test_recovery_restores_device_and_windows);
    g_test_add_data_func("/vfio/eeh/recovery-restores-interrupts/msix",
                         GINT_TO_POINTER(GUEST_IRQ_MSIX),
                         test_recovery_restores_interrupts);
    g_test_add_data_func("/vfio/eeh/recovery-restores-interrupts/msi",
                         GINT_TO_POINTER(GUEST_IRQ_MSI),
                         test_recovery_restores_interrupts);
    g_test_add_data_func("/vfio/eeh/recovery-restores-interrupts/intx",
                         GINT_TO_POINTER(GUEST_IRQ_INTX),
                         test_recovery_restores_interrupts);
    g_test_add_func("/vfio/eeh/recovery-driver-reallocates-msix",
                    test_recovery_driver_reallocates_msix);
    g_test_add_func("/vfio/eeh/dma-fault-freezes-then-recovery",
                    test_dma_fault_freezes_then_recovery);
    g_test_add_func("/vfio/eeh/errinjct-freezes-then-recovery",
                    test_errinjct_freezes_then_recovery);
    g_test_add_func("/vfio/eeh/system-reset-thaws-frozen-pe",
                    test_system_reset_thaws_frozen_pe);
    g_test_add_func("/vfio/eeh/rtas-tokens-with-eeh-host",
                    test_rtas_tokens_with_eeh_host);
    g_test_add_func("/vfio/eeh/no-eeh-host-calls-are-param-error",
                    test_no_eeh_host_calls_are_param_error);
    g_test_add_func("/vfio/eeh/shared-container-has-no-eeh",
                    test_shared_container_has_no_eeh);
    g_test_add_func("/vfio/eeh/bad-args-are-param-error-and-change-nothing",
                    test_bad_args_are_param_error_and_change_nothing);
    return g_test_run();
}
