/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * EEH RTAS calls: ibm,set-eeh-option, ibm,get-config-addr-info2,
 * ibm,read-slot-reset-state2, ibm,set-slot-reset, ibm,configure-pe,
 * ibm,slot-error-detail, and error injection (ibm,open-errinjct,
 * ibm,errinjct, ibm,close-errinjct).
 *
 * A device's partitionable endpoint (PE) is what its device type says
 * (PCIDeviceClass.eeh_pe: for vfio-pci, its container when the host
 * answers VFIO_EEH).  The PE address the guest uses is the config
 * address of the PE's lowest function; every call also takes any
 * function's address.  A call on a device without a PE, an unknown
 * PHB or device, or bad argument counts answers -3 (parameter error)
 * and changes nothing; a host failure answers -1.  The calls are in
 * /rtas only while some device has a PE.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include <libfdt.h>
#include "exec/ram.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci-eeh.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_pci.h"
#include "trace.h"

/* ibm,set-eeh-option options */
#define EEH_OPT_DISABLE             0
#define EEH_OPT_ENABLE              1
#define EEH_OPT_THAW_MMIO           2
#define EEH_OPT_THAW_DMA            3

/* ibm,get-config-addr-info2 functions, and the sharing modes */
#define EEH_INFO_PE_ADDR            0
#define EEH_INFO_PE_MODE            1
#define EEH_PE_MODE_NOT_SHARED      1
#define EEH_PE_MODE_SHARED          2

/* ibm,set-slot-reset functions */
#define EEH_RESET_DEACTIVATE        0
#define EEH_RESET_HOT               1
#define EEH_RESET_FUNDAMENTAL       3

/* ibm,read-slot-reset-state2: EEH supported; wait hint in ms */
#define EEH_STATE_SUPPORTED         1
#define EEH_UNAVAIL_WAIT_MS         1000

/* ibm,slot-error-detail severities, and its "no error log" status */
#define EEH_LOG_TEMPORARY           1
#define EEH_LOG_PERMANENT           2
#define EEH_NO_ERROR_LOG            1

/* Error injection: the types /rtas names in ibm,errinjct-tokens */
#define ERRINJCT_IOA_BUS_ERROR      7
#define ERRINJCT_IOA_BUS_ERROR_64   8
#define ERRINJCT_NOT_OPEN           (-4)

static uint32_t errinjct_open_token;    /* 0: not open */
static uint32_t errinjct_next_token = 1;

/* A call's target: the PHB, the device named, and its PE. */
typedef struct EehTarget {
    SpaprPhbState *sphb;
    PCIDevice *dev;
    const void *pe;
} EehTarget;

static const void *eeh_dev_pe(PCIDevice *dev)
{
    if (!dev || !dev->pcic->eeh_pe || !dev->pcic->eeh_pe_op) {
        return NULL;
    }
    return dev->pcic->eeh_pe(dev);
}

static uint32_t eeh_config_addr(PCIDevice *dev)
{
    return (uint32_t)dev->devfn << 8;   /* bus 0 of its PHB */
}

/* The device at @addr of PHB @buid with a PE; false when none. */
static bool eeh_target(uint32_t addr, uint64_t buid, EehTarget *t)
{
    t->sphb = spapr_phb_find_by_buid(buid);
    t->dev = NULL;
    t->pe = NULL;
    if (!t->sphb || (addr >> 16) & 0xff) {
        return false;
    }
    t->dev = pci_bus_find_device(&t->sphb->bus, 0, (addr >> 8) & 0xff);
    t->pe = eeh_dev_pe(t->dev);
    return t->pe != NULL;
}

/* Arguments 0-2 of most calls: address, BUID high, BUID low. */
static bool eeh_target_args(hwaddr args, EehTarget *t)
{
    return eeh_target(rtas_ld(args, 0),
                      (uint64_t)rtas_ld(args, 1) << 32 | rtas_ld(args, 2),
                      t);
}

typedef struct EehPeScan {
    const void *pe;
    PCIDevice *first;
    unsigned count;
} EehPeScan;

static void eeh_pe_scan_dev(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    EehPeScan *s = opaque;

    if (eeh_dev_pe(dev) == s->pe) {
        if (!s->first) {
            s->first = dev;     /* devfn order: the lowest */
        }
        s->count++;
    }
}

static EehPeScan eeh_pe_scan(const EehTarget *t)
{
    EehPeScan s = { .pe = t->pe };

    pci_bus_foreach_device(&t->sphb->bus, eeh_pe_scan_dev, &s);
    return s;
}

/* One PE operation; its result, or -1 (a host failure, logged). */
static int eeh_op(const EehTarget *t, const PCIEehOp *op)
{
    Error *err = NULL;
    int ret = t->dev->pcic->eeh_pe_op(t->dev, op, &err);

    if (ret < 0) {
        warn_report("EEH: %s", err ? error_get_pretty(err)
                                   : "the device refused the operation");
        error_free(err);
        return -1;
    }
    return ret;
}

static int eeh_op_kind(const EehTarget *t, PCIEehOpKind kind)
{
    PCIEehOp op = { .kind = kind };

    return eeh_op(t, &op);
}

static void eeh_status(uint32_t nret, hwaddr rets, int32_t status)
{
    if (nret >= 1) {
        rtas_st(rets, 0, status);
    }
}

/* ---------------------------------------------------------- options */

static void rtas_ibm_set_eeh_option(SpaprMachineState *spapr,
                                    uint32_t token, uint32_t nargs,
                                    hwaddr args, uint32_t nret, hwaddr rets)
{
    static const PCIEehOpKind kinds[] = {
        [EEH_OPT_DISABLE] = PCI_EEH_OP_DISABLE,
        [EEH_OPT_ENABLE] = PCI_EEH_OP_ENABLE,
        [EEH_OPT_THAW_MMIO] = PCI_EEH_OP_THAW_MMIO,
        [EEH_OPT_THAW_DMA] = PCI_EEH_OP_THAW_DMA,
    };
    uint32_t option;
    EehTarget t;
    int status;

    if (nargs != 4 || nret != 1 || !eeh_target_args(args, &t)) {
        eeh_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    option = rtas_ld(args, 3);
    if (option >= ARRAY_SIZE(kinds)) {
        status = RTAS_OUT_PARAM_ERROR;
    } else {
        status = eeh_op_kind(&t, kinds[option]) < 0 ? RTAS_OUT_HW_ERROR
                                                    : RTAS_OUT_SUCCESS;
    }
    rtas_st(rets, 0, status);
    trace_spapr_eeh_rtas("ibm,set-eeh-option", t.sphb->buid,
                         rtas_ld(args, 0), option, status);
}

static void rtas_ibm_get_config_addr_info2(SpaprMachineState *spapr,
                                           uint32_t token, uint32_t nargs,
                                           hwaddr args, uint32_t nret,
                                           hwaddr rets)
{
    uint32_t function;
    EehPeScan scan;
    EehTarget t;

    if (nargs != 4 || nret != 2 || !eeh_target_args(args, &t)) {
        eeh_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    function = rtas_ld(args, 3);
    scan = eeh_pe_scan(&t);
    switch (function) {
    case EEH_INFO_PE_ADDR:
        rtas_st(rets, 1, eeh_config_addr(scan.first));
        break;
    case EEH_INFO_PE_MODE:
        rtas_st(rets, 1, scan.count > 1 ? EEH_PE_MODE_SHARED
                                        : EEH_PE_MODE_NOT_SHARED);
        break;
    default:
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        return;
    }
    rtas_st(rets, 0, RTAS_OUT_SUCCESS);
    trace_spapr_eeh_rtas("ibm,get-config-addr-info2", t.sphb->buid,
                         rtas_ld(args, 0), function, RTAS_OUT_SUCCESS);
}

/* ------------------------------------------------------ state, reset */

static void rtas_ibm_read_slot_reset_state2(SpaprMachineState *spapr,
                                            uint32_t token, uint32_t nargs,
                                            hwaddr args, uint32_t nret,
                                            hwaddr rets)
{
    EehTarget t;
    int state;

    if (nargs != 3 || (nret != 4 && nret != 5) ||
        !eeh_target_args(args, &t)) {
        eeh_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    state = eeh_op_kind(&t, PCI_EEH_OP_GET_STATE);
    if (state < 0) {
        rtas_st(rets, 0, RTAS_OUT_HW_ERROR);
        return;
    }
    rtas_st(rets, 0, RTAS_OUT_SUCCESS);
    rtas_st(rets, 1, state);
    rtas_st(rets, 2, EEH_STATE_SUPPORTED);
    rtas_st(rets, 3, EEH_UNAVAIL_WAIT_MS);
    if (nret == 5) {
        rtas_st(rets, 4, 0);    /* no recovery information */
    }
    trace_spapr_eeh_rtas("ibm,read-slot-reset-state2", t.sphb->buid,
                         rtas_ld(args, 0), state, RTAS_OUT_SUCCESS);
}

static void rtas_ibm_set_slot_reset(SpaprMachineState *spapr,
                                    uint32_t token, uint32_t nargs,
                                    hwaddr args, uint32_t nret, hwaddr rets)
{
    uint32_t function;
    PCIEehOpKind kind;
    EehTarget t;
    int status;

    if (nargs != 4 || nret != 1 || !eeh_target_args(args, &t)) {
        eeh_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    function = rtas_ld(args, 3);
    switch (function) {
    case EEH_RESET_DEACTIVATE:
        kind = PCI_EEH_OP_RESET_DEACTIVATE;
        break;
    case EEH_RESET_HOT:
        kind = PCI_EEH_OP_RESET_HOT;
        break;
    case EEH_RESET_FUNDAMENTAL:
        kind = PCI_EEH_OP_RESET_FUNDAMENTAL;
        break;
    default:
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        return;
    }
    status = eeh_op_kind(&t, kind) < 0 ? RTAS_OUT_HW_ERROR
                                       : RTAS_OUT_SUCCESS;
    rtas_st(rets, 0, status);
    trace_spapr_eeh_rtas("ibm,set-slot-reset", t.sphb->buid,
                         rtas_ld(args, 0), function, status);
}

static void rtas_ibm_configure_pe(SpaprMachineState *spapr, uint32_t token,
                                  uint32_t nargs, hwaddr args,
                                  uint32_t nret, hwaddr rets)
{
    EehTarget t;
    int status;

    if (nargs != 3 || nret != 1 || !eeh_target_args(args, &t)) {
        eeh_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    status = eeh_op_kind(&t, PCI_EEH_OP_CONFIGURE) < 0 ? RTAS_OUT_HW_ERROR
                                                       : RTAS_OUT_SUCCESS;
    rtas_st(rets, 0, status);
    trace_spapr_eeh_rtas("ibm,configure-pe", t.sphb->buid,
                         rtas_ld(args, 0), 0, status);
}

/*
 * The host hands no error log to the VMM, so there is none to give:
 * after the checks the answer is "no error log" and nothing is written.
 */
static void rtas_ibm_slot_error_detail(SpaprMachineState *spapr,
                                       uint32_t token, uint32_t nargs,
                                       hwaddr args, uint32_t nret,
                                       hwaddr rets)
{
    uint32_t severity;
    EehTarget t;

    if (nargs != 8 || nret != 1 || !eeh_target_args(args, &t)) {
        eeh_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    severity = rtas_ld(args, 7);
    if (severity != EEH_LOG_TEMPORARY && severity != EEH_LOG_PERMANENT) {
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        return;
    }
    rtas_st(rets, 0, EEH_NO_ERROR_LOG);
    trace_spapr_eeh_rtas("ibm,slot-error-detail", t.sphb->buid,
                         rtas_ld(args, 0), severity, EEH_NO_ERROR_LOG);
}

/* -------------------------------------------------- error injection */

/* rets: open token, status (that order). */
static void rtas_ibm_open_errinjct(SpaprMachineState *spapr, uint32_t token,
                                   uint32_t nargs, hwaddr args,
                                   uint32_t nret, hwaddr rets)
{
    if (nargs != 0 || nret != 2) {
        eeh_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    if (errinjct_open_token) {
        rtas_st(rets, 0, 0);
        rtas_st(rets, 1, ERRINJCT_NOT_OPEN);
        return;
    }
    errinjct_open_token = errinjct_next_token++;
    if (!errinjct_next_token) {
        errinjct_next_token = 1;
    }
    rtas_st(rets, 0, errinjct_open_token);
    rtas_st(rets, 1, RTAS_OUT_SUCCESS);
    trace_spapr_eeh_rtas("ibm,open-errinjct", 0, 0, errinjct_open_token, 0);
}

static void rtas_ibm_close_errinjct(SpaprMachineState *spapr,
                                    uint32_t token, uint32_t nargs,
                                    hwaddr args, uint32_t nret, hwaddr rets)
{
    if (nargs != 1 || nret != 1) {
        eeh_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    if (!errinjct_open_token || rtas_ld(args, 0) != errinjct_open_token) {
        rtas_st(rets, 0, ERRINJCT_NOT_OPEN);
        return;
    }
    errinjct_open_token = 0;
    rtas_st(rets, 0, RTAS_OUT_SUCCESS);
}

/*
 * args: error type token, open token, work buffer.  The IOA bus error
 * buffers: address, mask (32 or 64 bits each), then the PE's config
 * address, BUID high, BUID low and the error function (0-19).
 */
static void rtas_ibm_errinjct(SpaprMachineState *spapr, uint32_t token,
                              uint32_t nargs, hwaddr args, uint32_t nret,
                              hwaddr rets)
{
    PCIEehOp op = { .kind = PCI_EEH_OP_INJECT_ERR };
    uint32_t type, w[8];
    hwaddr buf;
    unsigned n, i, at;
    EehTarget t;
    int status;

    if (nargs != 3 || nret != 1) {
        eeh_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    if (!errinjct_open_token || rtas_ld(args, 1) != errinjct_open_token) {
        rtas_st(rets, 0, ERRINJCT_NOT_OPEN);
        return;
    }
    type = rtas_ld(args, 0);
    buf = rtas_ld(args, 2);
    if (type != ERRINJCT_IOA_BUS_ERROR && type != ERRINJCT_IOA_BUS_ERROR_64) {
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        return;
    }
    n = type == ERRINJCT_IOA_BUS_ERROR ? 6 : 8;
    if (!spapr->ram_size || buf + 4 * n > spapr->ram_size) {
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        return;
    }
    for (i = 0; i < n; i++) {
        w[i] = rtas_ld(buf, i);
    }
    if (type == ERRINJCT_IOA_BUS_ERROR) {
        op.err_type = PCI_EEH_ERR_TYPE_32;
        op.err_addr = w[0];
        op.err_mask = w[1];
        at = 2;
    } else {
        op.err_type = PCI_EEH_ERR_TYPE_64;
        op.err_addr = (uint64_t)w[0] << 32 | w[1];
        op.err_mask = (uint64_t)w[2] << 32 | w[3];
        at = 4;
    }
    op.err_func = w[at + 3];
    if (!eeh_target(w[at], (uint64_t)w[at + 1] << 32 | w[at + 2], &t) ||
        op.err_func > PCI_EEH_ERR_FUNC_MAX) {
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        return;
    }
    status = eeh_op(&t, &op) < 0 ? RTAS_OUT_HW_ERROR : RTAS_OUT_SUCCESS;
    rtas_st(rets, 0, status);
    trace_spapr_eeh_rtas("ibm,errinjct", t.sphb->buid, w[at], op.err_func,
                         status);
}

/* ------------------------------------------------------ device tree */

static void eeh_any_dev(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    bool *any = opaque;

    *any = *any || eeh_dev_pe(dev);
}

bool spapr_phb_eeh_available(SpaprPhbState *sphb)
{
    bool any = false;

    pci_bus_foreach_device(&sphb->bus, eeh_any_dev, &any);
    return any;
}

/* The EEH calls are in /rtas while some PHB has a device with a PE. */
static bool spapr_eeh_present(void)
{
    GList *l;

    for (l = spapr_phb_list(); l; l = l->next) {
        if (spapr_phb_eeh_available(l->data)) {
            return true;
        }
    }
    return false;
}

/* /rtas "ibm,errinjct-tokens": (name, token) pairs, while EEH is on. */
int spapr_eeh_fdt_rtas(void *fdt, int rtas_off)
{
    static const char names[][20] = { "ioa-bus-error", "ioa-bus-error-64" };
    static const uint32_t types[] = { ERRINJCT_IOA_BUS_ERROR,
                                      ERRINJCT_IOA_BUS_ERROR_64 };
    g_autoptr(GByteArray) prop = g_byte_array_new();
    unsigned i;

    if (!spapr_eeh_present()) {
        return 0;
    }
    for (i = 0; i < ARRAY_SIZE(names); i++) {
        uint32_t be = GUINT32_TO_BE(types[i]);

        g_byte_array_append(prop, (const guint8 *)names[i],
                            strlen(names[i]) + 1);
        g_byte_array_append(prop, (const guint8 *)&be, sizeof(be));
    }
    return fdt_setprop(fdt, rtas_off, "ibm,errinjct-tokens", prop->data,
                       prop->len);
}

static void spapr_eeh_register(void)
{
    spapr_rtas_register_optional(RTAS_IBM_SET_EEH_OPTION,
                                 "ibm,set-eeh-option",
                                 rtas_ibm_set_eeh_option, spapr_eeh_present);
    spapr_rtas_register_optional(RTAS_IBM_GET_CONFIG_ADDR_INFO2,
                                 "ibm,get-config-addr-info2",
                                 rtas_ibm_get_config_addr_info2,
                                 spapr_eeh_present);
    spapr_rtas_register_optional(RTAS_IBM_READ_SLOT_RESET_STATE2,
                                 "ibm,read-slot-reset-state2",
                                 rtas_ibm_read_slot_reset_state2,
                                 spapr_eeh_present);
    spapr_rtas_register_optional(RTAS_IBM_SET_SLOT_RESET,
                                 "ibm,set-slot-reset",
                                 rtas_ibm_set_slot_reset, spapr_eeh_present);
    spapr_rtas_register_optional(RTAS_IBM_CONFIGURE_PE, "ibm,configure-pe",
                                 rtas_ibm_configure_pe, spapr_eeh_present);
    spapr_rtas_register_optional(RTAS_IBM_SLOT_ERROR_DETAIL,
                                 "ibm,slot-error-detail",
                                 rtas_ibm_slot_error_detail,
                                 spapr_eeh_present);
    spapr_rtas_register_optional(RTAS_IBM_OPEN_ERRINJCT, "ibm,open-errinjct",
                                 rtas_ibm_open_errinjct, spapr_eeh_present);
    spapr_rtas_register_optional(RTAS_IBM_ERRINJCT, "ibm,errinjct",
                                 rtas_ibm_errinjct, spapr_eeh_present);
    spapr_rtas_register_optional(RTAS_IBM_CLOSE_ERRINJCT,
                                 "ibm,close-errinjct",
                                 rtas_ibm_close_errinjct, spapr_eeh_present);
}
type_init(spapr_eeh_register)
