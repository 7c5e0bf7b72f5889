/*
 * vfio-sim conformance: EEH on the container fd (VFIO_EEH_PE_OP) and the
 * PE freeze as a PowerNV host has them.  Run with eeh=on at both page
 * sizes, and with eeh=off for the host without EEH.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <signal.h>
#include <sys/wait.h>
#include <linux/pci_regs.h>
#include "vsim-test.h"
#include "dma-engine.h"

#define CFG_OFF     (7ULL << 40)
#define BAR0_OFF    (0ULL << 40)
#define BAR2_OFF    (2ULL << 40)
#define WIN         (1ULL << 59)

typedef struct Rig {
    int c, g, d;
    uint8_t *ram;
} Rig;

static long pe_op(int c, uint32_t op)
{
    struct vfio_eeh_pe_op o = { .argsz = sizeof(o), .op = op };

    return xioctl(c, VFIO_EEH_PE_OP, &o);
}

/* A v2 container with the device, 1 MiB of RAM mapped RW at WIN. */
static void rig_up(Rig *r)
{
    r->c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &r->g);
    r->d = xioctl(r->g, VFIO_GROUP_GET_DEVICE_FD, BDF0);
    g_assert_cmpint(r->d, >=, 0);
    r->ram = alloc_aligned(4 * MiB, 64 * KiB);
    g_assert_cmpint(reg_mem(r->c, r->ram, 4 * MiB), ==, 0);
    g_assert_cmpint(tce_create(r->c, host_page_shift(), GiB, 2, NULL), ==, 0);
    g_assert_cmpint(map_dma(r->c, r->ram, WIN, MiB, RW), ==, 0);
    vt_dev_wr(r->d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void rig_down(Rig *r)
{
    close(r->d);
    close(r->g);
    close(r->c);
    munmap(r->ram, 4 * MiB);
    g_assert_cmpint(locked_bytes(), ==, 0);
}

static uint32_t dmae_fill(int d, uint64_t dst, uint64_t len, uint64_t pat)
{
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_DST, 8, dst);
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_LEN, 8, len);
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_PATTERN, 8, pat);
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_FILL);
    return vt_dev_rd(d, BAR0_OFF + DMAE_REG_STATUS, 4);
}

static void freeze_by_control(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) o = vsim_control_eeh(ctl(), BDF0, "freeze",
                                               &err);

    g_assert_no_error(err);
    g_assert_cmpint(json_object_get_int_member(o, "state"), ==,
                    VFIO_EEH_PE_STATE_STOPPED);
}

/* tce_iommu_check_extension -> vfio_spapr_iommu_eeh_ioctl: eeh_enabled() */
static void test_check_extension_answers_eeh(void)
{
    int c = open_container();

    g_assert_cmpint(xioctl(c, VFIO_CHECK_EXTENSION, (void *)VFIO_EEH), ==, 1);
    close(c);
}

/*
 * vfio_spapr_iommu_eeh_ioctl: before SET_IOMMU the container has no
 * driver (EINVAL); then the head is copied (EFAULT), argsz and flags
 * checked (EINVAL), unknown ops are EINVAL, and INJECT_ERR wants the
 * argument up to err.mask.  None of them changes the PE.
 */
static void test_pe_op_checks_argsz_flags_and_op(void)
{
    struct vfio_eeh_pe_op o = { .argsz = sizeof(o),
                                .op = VFIO_EEH_PE_GET_STATE };
    int c = open_container(), g = open_group(1);

    attach(g, c);
    g_assert_cmpint(xioctl(c, VFIO_EEH_PE_OP, &o), ==, -EINVAL);
    g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU,
                           (void *)VFIO_SPAPR_TCE_v2_IOMMU), ==, 0);
    g_assert_cmpint(xioctl(c, VFIO_EEH_PE_OP, &o), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    g_assert_cmpint(xioctl(c, VFIO_EEH_PE_OP, (void *)8), ==, -EFAULT);
    o.argsz = offsetof(struct vfio_eeh_pe_op, op) + 3;
    g_assert_cmpint(xioctl(c, VFIO_EEH_PE_OP, &o), ==, -EINVAL);
    o.argsz = offsetof(struct vfio_eeh_pe_op, op) + 4;
    g_assert_cmpint(xioctl(c, VFIO_EEH_PE_OP, &o), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    o.flags = 1;
    g_assert_cmpint(xioctl(c, VFIO_EEH_PE_OP, &o), ==, -EINVAL);
    o.flags = 0;
    o.op = VFIO_EEH_PE_INJECT_ERR + 1;
    g_assert_cmpint(xioctl(c, VFIO_EEH_PE_OP, &o), ==, -EINVAL);
    o.op = VFIO_EEH_PE_INJECT_ERR;
    g_assert_cmpint(xioctl(c, VFIO_EEH_PE_OP, &o), ==, -EINVAL);
    g_assert_cmpint(pe_op(c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    close(g);
    close(c);
}

/*
 * eeh_pe_get_state and the PHB's freeze: config and BAR reads through
 * the device fd return all ones, writes are dropped, an mmap'ed BAR
 * reads all ones and keeps the program's stores to itself, and device
 * DMA stops.  eeh_pe_set_option(EEH_OPT_THAW_MMIO) then THAW_DMA bring
 * it back step by step: STOPPED, STOPPED_DMA, NORMAL.
 */
static void test_eeh_pe_get_state_frozen_pe_reads_all_ones(void)
{
    volatile uint8_t *bar;
    Rig r;

    rig_up(&r);
    bar = mmap(NULL, DMAE_BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
               r.d, BAR2_OFF);
    g_assert(bar != MAP_FAILED);
    bar[0] = 0x5a;
    vt_dev_wr(r.d, BAR0_OFF + DMAE_REG_SRC, 8, 0x1234);
    memset(r.ram, 0x11, 4096);

    freeze_by_control();
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_STOPPED);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 4), ==, 0xffffffff);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ID, 4), ==, 0xffffffff);
    g_assert_cmphex(vt_dev_rd(r.d, BAR2_OFF, 8), ==, UINT64_MAX);
    g_assert_cmphex(bar[0], ==, 0xff);
    g_assert_cmphex(bar[DMAE_BAR2_SIZE - 1], ==, 0xff);
    bar[1] = 0x77;                      /* dropped */
    vt_dev_wr(r.d, BAR0_OFF + DMAE_REG_SRC, 8, 0x9999);
    vt_dev_wr(r.d, CFG_OFF + PCI_COMMAND, 2, 0);
    /* the engine's write to RAM does not get through the PHB */
    vt_dev_wr(r.d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_FILL);

    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_UNFREEZE_IO), ==, 0);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_STOPPED_DMA);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 2), ==, DMAE_VENDOR_ID);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_COMMAND, 2), ==,
                    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_SRC, 8), ==, 0x1234);
    g_assert_cmphex(bar[0], ==, 0x5a);
    g_assert_cmphex(bar[1], ==, 0);
    g_assert_cmpint(dmae_fill(r.d, WIN, 4096, 0x2222222222222222ULL), ==,
                    DMAE_STATUS_ERROR);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ERR_KIND, 4), ==,
                    DMAE_ERR_FROZEN);
    g_assert_cmpint(r.ram[0], ==, 0x11);

    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_UNFREEZE_DMA), ==, 0);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    g_assert_cmpint(dmae_fill(r.d, WIN, 4096, 0x2222222222222222ULL), ==,
                    DMAE_STATUS_DONE);
    g_assert_cmpint(r.ram[0], ==, 0x22);
    munmap((void *)bar, DMAE_BAR2_SIZE);
    rig_down(&r);
}

/*
 * eeh_pe_set_option(EEH_OPT_THAW_DMA) before THAW_MMIO: DMA on, MMIO
 * still frozen is a state eeh_pe_get_state folds to UNAVAIL.
 */
static void test_eeh_pe_set_option_thaw_dma_alone_is_unavail(void)
{
    Rig r;

    rig_up(&r);
    freeze_by_control();
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_UNFREEZE_DMA), ==, 0);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_UNAVAIL);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_UNFREEZE_IO), ==, 0);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    /* thawing a PE that is not frozen is fine (eeh_pci_enable) */
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_UNFREEZE_IO), ==, 0);
    /* eeh_pe_set_option(EEH_OPT_DISABLE): accepted, nothing changes */
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_DISABLE), ==, 0);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    rig_down(&r);
}

/*
 * eeh_pe_reset(EEH_RESET_HOT, then EEH_RESET_DEACTIVATE), as Linux's
 * recovery does: while the reset is asserted the state is RESET and
 * config cycles are blocked; the device loses its own state (registers)
 * as in a hot reset; deactivation restores its config header
 * (eeh_pe_reenable_devices: BARs, Memory Space; Bus Master clear) and
 * thaws the PE.  eeh_pe_configure has nothing left to do.
 */
static void test_eeh_pe_reset_hot_then_deactivate_restores_config(void)
{
    uint32_t bar0;
    Rig r;

    rig_up(&r);
    vt_dev_wr(r.d, CFG_OFF + PCI_BASE_ADDRESS_0, 4, 0x80001000);
    bar0 = vt_dev_rd(r.d, CFG_OFF + PCI_BASE_ADDRESS_0, 4);
    vt_dev_wr(r.d, BAR0_OFF + DMAE_REG_SRC, 8, 0x1234);
    freeze_by_control();
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_RESET_HOT), ==, 0);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_RESET);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 2), ==, 0xffff);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_RESET_DEACTIVATE), ==, 0);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_CONFIGURE), ==, 0);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_BASE_ADDRESS_0, 4), ==, bar0);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_COMMAND, 2), ==,
                    PCI_COMMAND_MEMORY);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_SRC, 8), ==, 0);
    /* a driver sets Bus Master again and the device works */
    vt_dev_wr(r.d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmpint(dmae_fill(r.d, WIN, 64, 0x3333333333333333ULL), ==,
                    DMAE_STATUS_DONE);
    g_assert_cmpint(r.ram[0], ==, 0x33);

    /* a fundamental reset of a PE that is not frozen freezes it first */
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_RESET_FUNDAMENTAL), ==, 0);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_RESET);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_DEVICE_ID, 2), ==, 0xffff);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_RESET_DEACTIVATE), ==, 0);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ID, 4), ==, DMAE_ID_VALUE);
    rig_down(&r);
}

/*
 * eeh_pe_inject_err: the type must be EEH_ERR_TYPE_32 or _64 and the
 * function at most EEH_ERR_FUNC_MAX (EINVAL, nothing changes); a good
 * one freezes the PE.
 */
static void test_eeh_pe_inject_err_checks_type_and_func(void)
{
    struct vfio_eeh_pe_op o = { .argsz = sizeof(o),
                                .op = VFIO_EEH_PE_INJECT_ERR };
    Rig r;

    rig_up(&r);
    o.err.type = 2;
    g_assert_cmpint(xioctl(r.c, VFIO_EEH_PE_OP, &o), ==, -EINVAL);
    o.err.type = 1;
    o.err.func = 20;
    g_assert_cmpint(xioctl(r.c, VFIO_EEH_PE_OP, &o), ==, -EINVAL);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    o.err.func = 16;                    /* DMA write address */
    o.err.addr = WIN;
    o.err.mask = ~0ULL;
    g_assert_cmpint(xioctl(r.c, VFIO_EEH_PE_OP, &o), ==, 0);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_STOPPED);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 2), ==, 0xffff);
    /* eeh_pe_set_option(EEH_OPT_ENABLE) -> eeh_pe_change_owner thaws */
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_ENABLE), ==, 0);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    rig_down(&r);
}

/*
 * A TCE fault of the device freezes its PE on the PHB, once EEH is
 * enabled on the PE (before, the fault shows only in the device).
 */
static void test_eeh_pe_set_option_enable_then_dma_fault_freezes(void)
{
    Rig r;

    rig_up(&r);
    g_assert_cmpint(dmae_fill(r.d, WIN + 2 * MiB, 64, 0), ==,
                    DMAE_STATUS_ERROR);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_ENABLE), ==, 0);
    /* the fault froze the PE: its STATUS register reads all ones */
    g_assert_cmphex(dmae_fill(r.d, WIN + 2 * MiB, 64, 0), ==, 0xffffffff);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_STOPPED);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_STATUS, 4), ==, 0xffffffff);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_UNFREEZE_IO), ==, 0);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ERR_KIND, 4), ==,
                    DMAE_ERR_NO_MAPPING);
    rig_down(&r);
}

/*
 * Fault injection: the nth next access of the device freezes its PE
 * before it is done.  The last close of the device fd gives the PE
 * back (eeh_dev_release -> eeh_pe_change_owner), unfrozen.
 */
static void test_fault_freeze_nth_access_and_eeh_dev_release(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) o = NULL;
    Rig r;

    rig_up(&r);
    g_assert_true(vsim_control_fault_freeze(ctl(), BDF0, 2, &err));
    g_assert_no_error(err);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 2), ==, DMAE_VENDOR_ID);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 2), ==, 0xffff);
    g_assert_cmpint(pe_op(r.c, VFIO_EEH_PE_GET_STATE), ==,
                    VFIO_EEH_PE_STATE_STOPPED);
    close(r.d);
    o = vsim_control_eeh(ctl(), BDF0, "state", &err);
    g_assert_no_error(err);
    g_assert_cmpint(json_object_get_int_member(o, "state"), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    r.d = xioctl(r.g, VFIO_GROUP_GET_DEVICE_FD, BDF0);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 2), ==, DMAE_VENDOR_ID);
    /* reset-counters disarms a freeze that has not fired */
    g_assert_true(vsim_control_fault_freeze(ctl(), BDF0, 1, &err));
    g_assert_true(vsim_control_reset_counters(ctl(), &err));
    g_assert_no_error(err);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 2), ==, DMAE_VENDOR_ID);
    rig_down(&r);
}

/* A request the control channel cannot do names what was wrong. */
static void assert_control_error(const char *cmd, JsonObject *args,
                                 const char *needle)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) o = vsim_control_request(ctl(), cmd, args, &err);

    g_assert_null(o);
    g_assert_nonnull(err);
    g_test_message("%s: %s", cmd, err->message);
    g_assert_nonnull(strstr(err->message, needle));
}

/*
 * The control channel's "eeh" and "fault"/"freeze" requests: unknown
 * device, unknown action, nth 0 are refused with a message, and leave
 * the PE alone.
 */
static void test_control_eeh_bad_requests_change_nothing(void)
{
    g_autoptr(JsonObject) a = json_object_new();
    g_autoptr(JsonObject) b = json_object_new();
    g_autoptr(JsonObject) c = json_object_new();
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) o = NULL;

    json_object_set_string_member(a, "device", "0001:00:09.0");
    json_object_set_string_member(a, "action", "freeze");
    assert_control_error("eeh", a, "no device");
    json_object_set_string_member(b, "device", BDF0);
    json_object_set_string_member(b, "action", "melt");
    assert_control_error("eeh", b, "freeze");
    json_object_set_string_member(c, "freeze", BDF0);
    json_object_set_int_member(c, "nth", 0);
    assert_control_error("fault", c, "nth");
    o = vsim_control_eeh(ctl(), BDF0, "state", &err);
    g_assert_no_error(err);
    g_assert_cmpint(json_object_get_int_member(o, "state"), ==,
                    VFIO_EEH_PE_STATE_NORMAL);
    g_assert_false(json_object_get_boolean_member(o, "mmio_frozen"));
}

/* vfio_spapr_iommu_eeh_ioctl on a host without EEH: no PE, ENODEV. */
static void test_no_eeh_host_pe_op_is_enodev(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);

    g_assert_cmpint(xioctl(c, VFIO_CHECK_EXTENSION, (void *)VFIO_EEH), ==, 0);
    g_assert_cmpint(pe_op(c, VFIO_EEH_PE_ENABLE), ==, -ENODEV);
    g_assert_cmpint(pe_op(c, VFIO_EEH_PE_GET_STATE), ==, -ENODEV);
    close(g);
    close(c);
}

int main(int argc, char **argv)
{
    const char *host = g_getenv("VFIO_SIM_HOST");

    g_test_init(&argc, &argv, NULL);
    if (host && strstr(host, "eeh=off")) {
        g_test_add_func("/vfio-sim/eeh/vfio_spapr_iommu_eeh_ioctl/"
                        "no-eeh-host-pe-op-is-enodev",
                        test_no_eeh_host_pe_op_is_enodev);
        return g_test_run();
    }
    g_test_add_func("/vfio-sim/eeh/tce_iommu_check_extension/"
                    "answers-eeh", test_check_extension_answers_eeh);
    g_test_add_func("/vfio-sim/eeh/vfio_spapr_iommu_eeh_ioctl/"
                    "pe-op-checks-argsz-flags-and-op",
                    test_pe_op_checks_argsz_flags_and_op);
    g_test_add_func("/vfio-sim/eeh/eeh_pe_get_state/"
                    "frozen-pe-reads-all-ones",
                    test_eeh_pe_get_state_frozen_pe_reads_all_ones);
    g_test_add_func("/vfio-sim/eeh/eeh_pe_set_option/"
                    "thaw-dma-alone-is-unavail",
                    test_eeh_pe_set_option_thaw_dma_alone_is_unavail);
    g_test_add_func("/vfio-sim/eeh/eeh_pe_reset/"
                    "hot-then-deactivate-restores-config",
                    test_eeh_pe_reset_hot_then_deactivate_restores_config);
    g_test_add_func("/vfio-sim/eeh/eeh_pe_inject_err/"
                    "checks-type-and-func",
                    test_eeh_pe_inject_err_checks_type_and_func);
    g_test_add_func("/vfio-sim/eeh/eeh_pe_set_option/"
                    "enable-then-dma-fault-freezes",
                    test_eeh_pe_set_option_enable_then_dma_fault_freezes);
    g_test_add_func("/vfio-sim/eeh/eeh_dev_release/"
                    "fault-freeze-nth-access-then-last-close-thaws",
                    test_fault_freeze_nth_access_and_eeh_dev_release);
    g_test_add_func("/vfio-sim/eeh/control/bad-requests-change-nothing",
                    test_control_eeh_bad_requests_change_nothing);
    return g_test_run();
}
