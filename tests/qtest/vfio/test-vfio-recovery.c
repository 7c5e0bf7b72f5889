/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * End-to-end recovery from host failures: a failed container comes back
 * on ibm,reset-pe-dma-window, a PHB reset or system_reset (windows made
 * again, guest TCEs replayed, the device reset and running), query-vfio
 * shows its state and last error; under every double fault no host TCE
 * lets the device reach a page the guest unmapped; a guest TCE with
 * WRITE only reaches the host as READ|WRITE; a hot-add whose replay
 * fails leaves nothing attached.
 */
#include <errno.h>
#include "vfio-e2e.h"

#define DEV_ARGS VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0"

typedef struct Env {
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestWindow dw;
} Env;

static void env_start(Env *e, const char *host)
{
    e->m = vsim_machine_start(NULL, host, "%s", DEV_ARGS);
    e->g = vt_guest(e->m, VT_RAM, &e->dev);
    e->dw = guest_default_window(e->g, &e->dev);
}

static void env_finish(Env *e)
{
    guest_free(e->g);
    vt_quit_clean(e->m);
}

/* query-vfio's only container; @reply keeps it alive. */
static JsonObject *query_container(Env *e, JsonObject **reply)
{
    JsonArray *list = vt_query_vfio(e->m, reply);

    g_assert_cmpuint(json_array_get_length(list), ==, 1);
    return json_array_get_object_element(list, 0);
}

static void assert_state(Env *e, const char *state, unsigned recoveries,
                         const char *error_has)
{
    g_autoptr(JsonObject) reply = NULL;
    JsonObject *q = query_container(e, &reply);

    g_assert_cmpstr(json_object_get_string_member(q, "state"), ==, state);
    g_assert_cmpint(json_object_get_int_member(q, "recoveries"), ==,
                    recoveries);
    if (error_has) {
        const char *last = json_object_get_string_member(q, "last-error");

        g_assert_nonnull(last);
        g_test_message("last-error: %s", last);
        g_assert_nonnull(strstr(last, error_has));
    }
}

/* The COMMAND register as the device itself holds it. */
static uint16_t device_command(Env *e)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) r = vsim_control_device(vsim_machine_control(e->m),
                                                  VT_BDF0, &err);

    g_assert_no_error(err);
    return (uint16_t)json_object_get_int_member(r, "command");
}

/* Fail the container with a refused MAP_DMA, and see it failed. */
static void fail_container(Env *e)
{
    g_autoptr(JsonObject) ev = NULL;
    uint64_t gpa = guest_alloc(e->g, VT_PAGE, VT_PAGE);

    vt_fault(e->m, "VFIO_IOMMU_MAP_DMA", "EFAULT");
    g_assert_cmphex(guest_dma_map(e->g, &e->dev, gpa, VT_PAGE, TCE_RW), !=,
                    0);
    ev = qtest_qmp_eventwait(e->m->qts, "VFIO_DEVICE_FAILED");
    assert_state(e, "failed", 0, "VFIO_IOMMU_MAP_DMA");
}

static void assert_dma_works(Env *e, uint64_t pattern)
{
    const uint64_t len = 4 * VT_PAGE;
    uint64_t gpa = guest_alloc(e->g, len, VT_PAGE);
    uint64_t iova = guest_dma_map(e->g, &e->dev, gpa, len, TCE_RW);

    g_assert_cmphex(iova, !=, 0);
    vt_dma_roundtrip(e->m, e->g, &e->dev, iova, gpa, len, pattern);
    g_assert_true(guest_dma_unmap(e->g, &e->dev, iova, len));
}

/*
 * ibm,reset-pe-dma-window on a failed container: the device is reset,
 * bus mastering comes back on the device, and DMA works again.
 */
static void test_recover_on_ddw_reset(gconstpointer host)
{
    Env e;
    uint64_t resets;

    env_start(&e, host);
    g_assert_true(device_command(&e) & 0x4);
    fail_container(&e);
    g_assert_false(device_command(&e) & 0x4);
    resets = vt_calls(e.m, "VFIO_DEVICE_RESET");

    g_assert_cmpint(guest_ddw_reset(e.g, &e.dev), ==, 0);
    assert_state(&e, "working", 1, "VFIO_IOMMU_MAP_DMA");
    g_assert_cmpuint(vt_calls(e.m, "VFIO_DEVICE_RESET"), ==, resets + 1);
    g_assert_true(device_command(&e) & 0x4);
    assert_dma_works(&e, 0x1234123412341234ULL);
    env_finish(&e);
}

/*
 * Mappings the guest kept in its default window survive a recovery
 * through a PHB reset (system_reset): the host mirrors the default
 * window again and a fresh guest's DMA works.
 */
static void test_recover_on_system_reset(void)
{
    Env e;
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) ev = NULL;

    env_start(&e, NULL);
    fail_container(&e);
    reply = qtest_qmp(e.m->qts, "{'execute': 'system_reset'}");
    g_assert_null(qtest_qmp_error_desc(reply));
    ev = qtest_qmp_eventwait(e.m->qts, "RESET");
    assert_state(&e, "working", 1, NULL);

    guest_free(e.g);
    e.g = vt_guest(e.m, VT_RAM, &e.dev);
    e.dw = guest_default_window(e.g, &e.dev);
    assert_dma_works(&e, 0x4321432143214321ULL);
    env_finish(&e);
}

/*
 * The host refuses again during recovery (REGISTER_MEMORY of guest
 * RAM): the container stays failed with that error, the device stays
 * stopped, and a later reset recovers it.
 */
static void test_recover_refused_then_retried(void)
{
    Env e;

    env_start(&e, NULL);
    fail_container(&e);
    g_assert_true(vsim_control_fault(vsim_machine_control(e.m),
                                     "VFIO_IOMMU_SPAPR_REGISTER_MEMORY", 1,
                                     "ENOMEM", NULL));
    g_assert_cmpint(guest_ddw_reset(e.g, &e.dev), ==, 0);
    assert_state(&e, "failed", 0, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY");
    g_assert_false(device_command(&e) & 0x4);

    g_assert_cmpint(guest_ddw_reset(e.g, &e.dev), ==, 0);
    assert_state(&e, "working", 1, NULL);
    g_assert_true(device_command(&e) & 0x4);
    assert_dma_works(&e, 0x5a5a5a5a12121212ULL);
    env_finish(&e);
}

/* ------------------------------------------------------ interrupts */

#define IRQ_TIMEOUT_MS  5000
#define QUIET_MS        300
#define CMD_CHECKSUM    3

/* The guest's interrupts: intercepted, CPPR open, MSI-X set up. */
static void irq_start(Env *e, GuestDevIrq *irq, bool intercept)
{
    if (intercept) {
        guest_irq_intercept(e->g);
    }
    g_assert_cmpint(guest_cppr(e->g, 0xff), ==, 0);
    g_assert_cmpint(guest_dev_irq_setup(e->g, &e->dev, GUEST_IRQ_MSIX, 2,
                                        irq), ==, GUEST_IRQ_MSIX);
}

/* A command that completes at once: does its interrupt arrive? */
static bool irq_arrives(Env *e, const GuestDevIrq *irq, int timeout_ms)
{
    DmaResult r;

    return dma_engine_run_irq(e->g, &e->dev, irq, CMD_CHECKSUM, 0, 0, 0,
                              timeout_ms, &r);
}

static char *host_irq_type(Env *e)
{
    g_autoptr(JsonObject) st = vsim_machine_state(e->m);
    JsonArray *devs = json_object_get_array_member(st, "devices");
    JsonObject *q = json_object_get_object_member(
        json_array_get_object_element(devs, 0), "irq");

    return g_strdup(json_object_get_string_member(q, "type"));
}

static void assert_host_irq_type(Env *e, const char *type)
{
    g_autofree char *t = host_irq_type(e);

    g_assert_cmpstr(t, ==, type);
}

/*
 * The container fails and comes back (ibm,reset-pe-dma-window): the
 * device is reset on the host, and its MSI-X vectors, which the guest
 * never disabled, interrupt it again with the same numbers.
 */
static void test_interrupts_survive_container_recovery(void)
{
    GuestDevIrq irq;
    Env e;

    env_start(&e, NULL);
    irq_start(&e, &irq, true);
    g_assert_true(irq_arrives(&e, &irq, IRQ_TIMEOUT_MS));
    fail_container(&e);
    g_assert_cmpint(guest_ddw_reset(e.g, &e.dev), ==, 0);
    assert_state(&e, "working", 1, NULL);
    assert_host_irq_type(&e, "msix");
    g_assert_true(irq_arrives(&e, &irq, IRQ_TIMEOUT_MS));
    g_assert_true(irq_arrives(&e, &irq, IRQ_TIMEOUT_MS));
    g_assert_cmpuint(guest_irq_count(e.g, irq.irqs[0]), ==, 3);
    env_finish(&e);
}

/*
 * system_reset of a machine whose container failed with MSI-X on: the
 * host is back on INTx after the reset, and a fresh guest that enables
 * MSI-X gets its interrupts.
 */
static void test_interrupts_after_system_reset(void)
{
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) ev = NULL;
    GuestDevIrq irq;
    Env e;

    env_start(&e, NULL);
    irq_start(&e, &irq, true);
    g_assert_true(irq_arrives(&e, &irq, IRQ_TIMEOUT_MS));
    fail_container(&e);
    reply = qtest_qmp(e.m->qts, "{'execute': 'system_reset'}");
    g_assert_null(qtest_qmp_error_desc(reply));
    ev = qtest_qmp_eventwait(e.m->qts, "RESET");
    assert_state(&e, "working", 1, NULL);
    assert_host_irq_type(&e, "intx");

    guest_free(e.g);
    e.g = vt_guest(e.m, VT_RAM, &e.dev);
    irq_start(&e, &irq, false);
    assert_host_irq_type(&e, "msix");
    g_assert_true(irq_arrives(&e, &irq, IRQ_TIMEOUT_MS));
    env_finish(&e);
}

/* The guest enables MSI-X and the host refuses: the device fails. */
static void fail_device_set_irqs(Env *e, GuestDevIrq *irq)
{
    g_autoptr(JsonObject) ev = NULL;

    /* the first SET_IRQS takes INTx down, the second enables MSI-X */
    vt_fault_nth(e->m, "VFIO_DEVICE_SET_IRQS", 2, "ENOSPC");
    irq_start(e, irq, true);
    ev = qtest_qmp_eventwait(e->m->qts, "VFIO_DEVICE_FAILED");
    assert_host_irq_type(e, "none");
    g_assert_false(device_command(e) & 0x4);
}

/* Then its container fails too (no second event: it is stopped). */
static void fail_container_quietly(Env *e)
{
    uint64_t gpa = guest_alloc(e->g, VT_PAGE, VT_PAGE);

    vt_fault(e->m, "VFIO_IOMMU_MAP_DMA", "EFAULT");
    g_assert_cmphex(guest_dma_map(e->g, &e->dev, gpa, VT_PAGE, TCE_RW), !=,
                    0);
    assert_state(e, "failed", 0, "VFIO_IOMMU_MAP_DMA");
}

/*
 * A device that failed because SET_IRQS failed is not made healthy by
 * its container's recovery with its interrupts off: the recovery
 * enables again what the guest has enabled (MSI-X), and interrupts and
 * bus mastering are back.
 */
static void test_container_recovery_reenables_failed_irqs(void)
{
    GuestDevIrq irq;
    Env e;

    env_start(&e, NULL);
    fail_device_set_irqs(&e, &irq);
    fail_container_quietly(&e);
    g_assert_cmpint(guest_ddw_reset(e.g, &e.dev), ==, 0);
    assert_state(&e, "working", 1, NULL);
    assert_host_irq_type(&e, "msix");
    g_assert_true(device_command(&e) & 0x4);
    g_assert_true(irq_arrives(&e, &irq, IRQ_TIMEOUT_MS));
    env_finish(&e);
}

/*
 * The same, with the host refusing SET_IRQS again during the recovery:
 * the device stays failed, with bus mastering off, and says why.
 */
static void test_container_recovery_keeps_device_failed_on_irqs(void)
{
    g_autoptr(JsonObject) ev = NULL;
    GuestDevIrq irq;
    const char *reason;
    Env e;

    env_start(&e, NULL);
    fail_device_set_irqs(&e, &irq);
    fail_container_quietly(&e);
    vt_fault(e.m, "VFIO_DEVICE_SET_IRQS", "EIO");
    g_assert_cmpint(guest_ddw_reset(e.g, &e.dev), ==, 0);
    assert_state(&e, "working", 1, NULL);
    ev = qtest_qmp_eventwait(e.m->qts, "VFIO_DEVICE_FAILED");
    reason = json_object_get_string_member(
        json_object_get_object_member(ev, "data"), "reason");
    g_test_message("reason: %s", reason);
    g_assert_nonnull(strstr(reason, "VFIO_DEVICE_SET_IRQS"));
    g_assert_nonnull(strstr(reason, "EIO"));
    assert_host_irq_type(&e, "none");
    g_assert_false(device_command(&e) & 0x4);
    g_assert_false(irq_arrives(&e, &irq, QUIET_MS));
    env_finish(&e);
}

/*
 * system_reset gives a device that failed on SET_IRQS another start:
 * the host is back on INTx and a fresh guest's MSI-X works.
 */
static void test_system_reset_restarts_irq_failed_device(void)
{
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) ev = NULL;
    GuestDevIrq irq;
    Env e;

    env_start(&e, NULL);
    fail_device_set_irqs(&e, &irq);
    reply = qtest_qmp(e.m->qts, "{'execute': 'system_reset'}");
    g_assert_null(qtest_qmp_error_desc(reply));
    ev = qtest_qmp_eventwait(e.m->qts, "RESET");
    assert_host_irq_type(&e, "intx");

    guest_free(e.g);
    e.g = vt_guest(e.m, VT_RAM, &e.dev);
    g_assert_true(device_command(&e) & 0x4);
    irq_start(&e, &irq, false);
    assert_host_irq_type(&e, "msix");
    g_assert_true(irq_arrives(&e, &irq, IRQ_TIMEOUT_MS));
    env_finish(&e);
}

/* ------------------------------------------------- no stale host TCE */

typedef struct DoubleFault {
    const char *map;            /* MAP_DMA fault, or NULL */
    const char *unmap;          /* UNMAP_DMA fault, or NULL */
    const char *remove;         /* TCE_REMOVE fault, or NULL */
} DoubleFault;

/*
 * Page A is mapped and reachable.  The faults strike (a MAP of page B,
 * or the guest's unmap of A), then the guest unmaps A: the device's
 * write to A's bus address must not land in guest RAM, whatever the
 * host refused on the way.
 */
static void test_no_stale_tce(gconstpointer opaque)
{
    const DoubleFault *f = opaque;
    Env e;
    uint64_t a, b, iova_a, before;
    g_autoptr(JsonObject) ev = NULL;
    DmaResult r;

    env_start(&e, NULL);
    a = vt_alloc_pattern(e.m, e.g, VT_PAGE, 0x31);
    b = vt_alloc_pattern(e.m, e.g, VT_PAGE, 0x32);
    before = vt_ram_fnv(e.m, a, VT_PAGE);
    iova_a = guest_dma_map(e.g, &e.dev, a, VT_PAGE, TCE_RW);
    g_assert_cmphex(iova_a, !=, 0);
    r = dma_engine_checksum(e.g, &e.dev, iova_a, VT_PAGE);
    vt_assert_dma_ok(r, VT_PAGE);

    if (f->map) {
        vt_fault(e.m, "VFIO_IOMMU_MAP_DMA", f->map);
    }
    if (f->unmap) {
        vt_fault(e.m, "VFIO_IOMMU_UNMAP_DMA", f->unmap);
    }
    if (f->remove) {
        vt_fault(e.m, "VFIO_IOMMU_SPAPR_TCE_REMOVE", f->remove);
    }
    if (f->map) {
        g_assert_cmphex(guest_dma_map(e.g, &e.dev, b, VT_PAGE, TCE_RW), !=,
                        0);
    }
    g_assert_true(guest_dma_unmap(e.g, &e.dev, iova_a, VT_PAGE));
    ev = qtest_qmp_eventwait(e.m->qts, "VFIO_DEVICE_FAILED");

    r = dma_engine_fill(e.g, &e.dev, iova_a, VT_PAGE, 0);
    g_assert_cmpuint(r.status, ==, VT_DMA_ERROR);
    g_assert_cmphex(vt_ram_fnv(e.m, a, VT_PAGE), ==, before);
    assert_state(&e, "failed", 0, NULL);

    /* And the device comes back clean. */
    g_assert_cmpint(guest_ddw_reset(e.g, &e.dev), ==, 0);
    assert_state(&e, "working", 1, NULL);
    assert_dma_works(&e, 0x7777000077770000ULL);
    env_finish(&e);
}

static const DoubleFault df_map_unmap = { "EFAULT", "EINVAL", NULL };
static const DoubleFault df_unmap = { NULL, "EINVAL", NULL };
static const DoubleFault df_map_unmap_remove = { "EFAULT", "EIO", "EIO" };
static const DoubleFault df_unmap_remove = { NULL, "EIO", "EIO" };

/* ------------------------------------------------- permissions */

/* The first mapped run of the default window: its permissions. */
static const char *host_perm_at(Env *e, uint64_t iova, JsonObject **keep)
{
    g_autoptr(GError) err = NULL;
    JsonArray *runs;
    unsigned i;

    *keep = vsim_control_tces(vsim_machine_control(e->m), 0, 0, &err);
    g_assert_no_error(err);
    runs = json_object_get_array_member(*keep, "entries");
    for (i = 0; i < json_array_get_length(runs); i++) {
        JsonObject *r = json_array_get_object_element(runs, i);

        if (vt_int(r, "iova") == iova) {
            return json_object_get_string_member(r, "perm");
        }
    }
    return NULL;
}

/*
 * A guest TCE with WRITE only (DMA_FROM_DEVICE) gets READ|WRITE on the
 * host, as PowerNV gives it; READ only stays READ only.
 */
static void test_write_only_gets_read(void)
{
    Env e;
    g_autoptr(JsonObject) t1 = NULL;
    g_autoptr(JsonObject) t2 = NULL;
    uint64_t a, b, iova_a, iova_b;
    DmaResult r;

    env_start(&e, NULL);
    a = guest_alloc(e.g, VT_PAGE, VT_PAGE);
    b = guest_alloc(e.g, VT_PAGE, VT_PAGE);
    iova_a = guest_dma_map(e.g, &e.dev, a, VT_PAGE, TCE_WRITE);
    iova_b = guest_dma_map(e.g, &e.dev, b, VT_PAGE, TCE_READ);
    g_assert_cmpstr(host_perm_at(&e, iova_a, &t1), ==, "rw");
    g_assert_cmpstr(host_perm_at(&e, iova_b, &t2), ==, "r");
    r = dma_engine_fill(e.g, &e.dev, iova_a, VT_PAGE, 0x99);
    vt_assert_dma_ok(r, VT_PAGE);
    r = dma_engine_checksum(e.g, &e.dev, iova_a, VT_PAGE);
    vt_assert_dma_ok(r, VT_PAGE);
    env_finish(&e);
}

/* ------------------------------------------------- hot-add replay */

#define PHB1        "-device spapr-pci-host-bridge,index=1,id=phb1"
#define TWO_GROUPS  VT_BDF0 "=dma-engine@1," VT_BDF1 "=dma-engine@2"
#define PHB1_LIOBN  0x80000100u

/*
 * The guest already has TCEs in a PHB's default window when a device is
 * hot-added there; the replay of them into the new container fails:
 * device_add fails naming the ioctl and errno, nothing of it stays
 * (no container, no open group or device), and a retry works.
 */
static void test_hotadd_replay_failure(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, NULL,
                                        DEV_ARGS " " PHB1);
    GuestDevice d0, d1;
    SpaprGuest *g = vt_guest(m, VT_RAM, &d0);
    g_autoptr(JsonObject) r = NULL;
    g_autoptr(JsonObject) st = NULL;
    g_autoptr(JsonObject) reply = NULL;
    JsonArray *groups, *devs;
    const char *desc;
    uint64_t gpa = guest_alloc(g, VT_PAGE, VT_PAGE);
    const uint64_t ioba = 0x10000;
    unsigned i;

    g_assert_cmpint(guest_put_tce(g, PHB1_LIOBN, ioba, gpa | TCE_RW), ==,
                    H_SUCCESS);
    vt_fault(m, "VFIO_IOMMU_MAP_DMA", "EFAULT");
    r = qtest_qmp(m->qts, "{'execute': 'device_add', 'arguments': "
                  "{'driver': 'vfio-pci', 'id': 'b', 'host': '" VT_BDF1
                  "', 'bus': 'phb1'}}");
    desc = qtest_qmp_error_desc(r);
    g_assert_nonnull(desc);
    g_test_message("device_add error: %s", desc);
    g_assert_nonnull(strstr(desc, "VFIO_IOMMU_MAP_DMA"));
    g_assert_nonnull(strstr(desc, g_strerror(EFAULT)));

    st = vsim_machine_state(m);
    vt_only_container(st);
    groups = json_object_get_array_member(st, "groups");
    for (i = 0; i < json_array_get_length(groups); i++) {
        JsonObject *go = json_array_get_object_element(groups, i);

        if (json_object_get_int_member(go, "id") == 2) {
            g_assert_false(json_object_get_boolean_member(go, "open"));
        }
    }
    devs = json_object_get_array_member(st, "devices");
    for (i = 0; i < json_array_get_length(devs); i++) {
        JsonObject *d = json_array_get_object_element(devs, i);

        if (!strcmp(json_object_get_string_member(d, "bdf"), VT_BDF1)) {
            g_assert_false(json_object_get_boolean_member(d, "open"));
        }
    }
    g_assert_cmpuint(json_array_get_length(vt_query_vfio(m, &reply)), ==,
                     1);

    /* The host agrees now: the replay brings the guest's TCE over. */
    vt_device_add(m, "b", "'host': '" VT_BDF1 "', 'bus': 'phb1'");
    guest_free(g);
    g = guest_new(m->qts, VT_RAM);
    g_assert_true(guest_find_device(g, 1, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &d1));
    vt_dma_roundtrip(m, g, &d1, ioba, gpa, VT_PAGE, 0x0f0f0f0ff0f0f0f0ULL);
    guest_free(g);
    vt_device_del(m, "b");
    vt_quit_clean(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/vfio/recovery/ddw-reset-recovers-device",
                         NULL, test_recover_on_ddw_reset);
    g_test_add_data_func("/vfio/recovery/v1/ddw-reset-recovers-device",
                         "iommu=v1", test_recover_on_ddw_reset);
    g_test_add_func("/vfio/recovery/system-reset-recovers-device",
                    test_recover_on_system_reset);
    g_test_add_func("/vfio/recovery/refused-then-retried",
                    test_recover_refused_then_retried);
    g_test_add_func("/vfio/recovery/irq/interrupts-survive-container-"
                    "recovery", test_interrupts_survive_container_recovery);
    g_test_add_func("/vfio/recovery/irq/interrupts-after-system-reset",
                    test_interrupts_after_system_reset);
    g_test_add_func("/vfio/recovery/irq/container-recovery-reenables-"
                    "failed-irqs",
                    test_container_recovery_reenables_failed_irqs);
    g_test_add_func("/vfio/recovery/irq/container-recovery-keeps-device-"
                    "failed-when-set-irqs-fails",
                    test_container_recovery_keeps_device_failed_on_irqs);
    g_test_add_func("/vfio/recovery/irq/system-reset-restarts-irq-failed-"
                    "device", test_system_reset_restarts_irq_failed_device);
    g_test_add_data_func("/vfio/recovery/no-stale-tce/map-and-unmap-fail",
                         &df_map_unmap, test_no_stale_tce);
    g_test_add_data_func("/vfio/recovery/no-stale-tce/unmap-fails",
                         &df_unmap, test_no_stale_tce);
    g_test_add_data_func("/vfio/recovery/no-stale-tce/"
                         "map-unmap-and-remove-fail",
                         &df_map_unmap_remove, test_no_stale_tce);
    g_test_add_data_func("/vfio/recovery/no-stale-tce/unmap-and-remove-fail",
                         &df_unmap_remove, test_no_stale_tce);
    g_test_add_func("/vfio/recovery/permissions/write-only-gets-read",
                    test_write_only_gets_read);
    g_test_add_func("/vfio/recovery/hotadd/replay-failure-fails-device-add",
                    test_hotadd_replay_failure);
    return g_test_run();
}
