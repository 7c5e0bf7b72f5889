/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The guest's view of the interrupt controller: RTAS ibm,set-xive,
 * ibm,get-xive, ibm,int-off, ibm,int-on; hcalls H_XIRR, H_EOI, H_CPPR,
 * H_IPI; and the controller device ("ics") that gives it a QOM path
 * and a section in the migration stream.
 *
 * A call with the wrong number of arguments or returns, or naming a
 * number the controller does not have, answers -3 (parameter error)
 * and changes nothing.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_irq.h"
#include "migration/vmstate.h"
#include "trace.h"

static void rtas_xive_status(uint32_t nret, hwaddr rets, int status)
{
    if (nret >= 1) {
        rtas_st(rets, 0, status);
    }
}

/* args: irq, server, priority; rets: status */
static void rtas_ibm_set_xive(SpaprMachineState *spapr, uint32_t token,
                              uint32_t nargs, hwaddr args, uint32_t nret,
                              hwaddr rets)
{
    int status = RTAS_OUT_PARAM_ERROR;
    uint32_t irq = 0;

    if (nargs == 3 && nret == 1) {
        irq = rtas_ld(args, 0);
        status = spapr_irq_set_xive(irq, rtas_ld(args, 1), rtas_ld(args, 2));
    }
    trace_spapr_irq_rtas("ibm,set-xive", irq, status);
    rtas_xive_status(nret, rets, status);
}

/* args: irq; rets: status, server, priority */
static void rtas_ibm_get_xive(SpaprMachineState *spapr, uint32_t token,
                              uint32_t nargs, hwaddr args, uint32_t nret,
                              hwaddr rets)
{
    uint32_t irq = 0, server = 0, priority = 0;
    int status = RTAS_OUT_PARAM_ERROR;

    if (nargs == 1 && nret == 3) {
        irq = rtas_ld(args, 0);
        status = spapr_irq_get_xive(irq, &server, &priority);
    }
    trace_spapr_irq_rtas("ibm,get-xive", irq, status);
    if (status == RTAS_OUT_SUCCESS) {
        rtas_st(rets, 1, server);
        rtas_st(rets, 2, priority);
    }
    rtas_xive_status(nret, rets, status);
}

static void rtas_ibm_int_off(SpaprMachineState *spapr, uint32_t token,
                             uint32_t nargs, hwaddr args, uint32_t nret,
                             hwaddr rets)
{
    int status = RTAS_OUT_PARAM_ERROR;
    uint32_t irq = 0;

    if (nargs == 1 && nret == 1) {
        irq = rtas_ld(args, 0);
        status = spapr_irq_int_off(irq);
    }
    trace_spapr_irq_rtas("ibm,int-off", irq, status);
    rtas_xive_status(nret, rets, status);
}

static void rtas_ibm_int_on(SpaprMachineState *spapr, uint32_t token,
                            uint32_t nargs, hwaddr args, uint32_t nret,
                            hwaddr rets)
{
    int status = RTAS_OUT_PARAM_ERROR;
    uint32_t irq = 0;

    if (nargs == 1 && nret == 1) {
        irq = rtas_ld(args, 0);
        status = spapr_irq_int_on(irq);
    }
    trace_spapr_irq_rtas("ibm,int-on", irq, status);
    rtas_xive_status(nret, rets, status);
}

/* ------------------------------------------------------------ hcalls */

/* H_XIRR: out[0] = CPPR << 24 | XISR, and the source is accepted. */
static int64_t h_xirr(SpaprMachineState *spapr, const uint64_t *args,
                      uint64_t *out, unsigned *nout)
{
    out[0] = spapr_icp_accept();
    *nout = 1;
    return H_SUCCESS;
}

/* H_EOI(xirr) */
static int64_t h_eoi(SpaprMachineState *spapr, const uint64_t *args,
                     uint64_t *out, unsigned *nout)
{
    if (args[0] > UINT32_MAX) {
        return H_PARAMETER;
    }
    return spapr_icp_eoi(args[0]);
}

/* H_CPPR(cppr) */
static int64_t h_cppr(SpaprMachineState *spapr, const uint64_t *args,
                      uint64_t *out, unsigned *nout)
{
    return spapr_icp_set_cppr(args[0] > 0xff ? 0x100 : args[0]);
}

/* H_IPI(server, mfrr) */
static int64_t h_ipi(SpaprMachineState *spapr, const uint64_t *args,
                     uint64_t *out, unsigned *nout)
{
    if (args[0] > UINT32_MAX || args[1] > 0xff) {
        return H_PARAMETER;
    }
    return spapr_icp_set_mfrr(args[0], args[1]);
}

/* ------------------------------------------------- the device "ics" */

static bool ics_present;

bool spapr_irq_controller_present(void)
{
    return ics_present;
}

static bool spapr_ics_realize(DeviceState *dev, Error **errp)
{
    if (ics_present) {
        error_setg(errp, "the machine has its interrupt controller already");
        return false;
    }
    ics_present = true;
    spapr_irq_reset();
    return true;
}

static void spapr_ics_unrealize(DeviceState *dev)
{
    /* Teardown tells no one: the qtest client may be gone already. */
    spapr_irq_set_observer(false, NULL, NULL);
    spapr_irq_set_observer(true, NULL, NULL);
    spapr_irq_reset();
    ics_present = false;
}

static void spapr_ics_reset(DeviceState *dev)
{
    spapr_irq_reset();
}

static void spapr_ics_save_state(DeviceState *dev, GByteArray *out)
{
    spapr_irq_save(out);
}

static bool spapr_ics_load_state(DeviceState *dev, MigReader *in,
                                 uint32_t version, Error **errp)
{
    return spapr_irq_load(in, errp);
}

static char *spapr_ics_migration_path(DeviceState *dev)
{
    return g_strdup("ics");
}

static const Property spapr_ics_props[] = {
    { .name = NULL },
};

static const DeviceClass spapr_ics_class = {
    .name = TYPE_SPAPR_ICS,
    .desc = "pseries interrupt source controller (XICS)",
    .instance_size = sizeof(DeviceState),
    .props = spapr_ics_props,
    .realize = spapr_ics_realize,
    .unrealize = spapr_ics_unrealize,
    .reset = spapr_ics_reset,
    .state_version = 1,
    .save_state = spapr_ics_save_state,
    .load_state = spapr_ics_load_state,
    .migration_path = spapr_ics_migration_path,
};

static void spapr_irq_calls_register(void)
{
    qdev_register_type(&spapr_ics_class);
    spapr_rtas_register(RTAS_IBM_SET_XIVE, "ibm,set-xive",
                        rtas_ibm_set_xive);
    spapr_rtas_register(RTAS_IBM_GET_XIVE, "ibm,get-xive",
                        rtas_ibm_get_xive);
    spapr_rtas_register(RTAS_IBM_INT_OFF, "ibm,int-off", rtas_ibm_int_off);
    spapr_rtas_register(RTAS_IBM_INT_ON, "ibm,int-on", rtas_ibm_int_on);
    spapr_register_hypercall(H_XIRR, h_xirr);
    spapr_register_hypercall(H_EOI, h_eoi);
    spapr_register_hypercall(H_CPPR, h_cppr);
    spapr_register_hypercall(H_IPI, h_ipi);
}
type_init(spapr_irq_calls_register)
