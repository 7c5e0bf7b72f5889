/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The RTAS calls a guest moves a dynamic reconfiguration connector
 * with: set-indicator (isolation, allocation, DR indicator),
 * get-sensor-state (dr-entity-sense) and ibm,configure-connector (the
 * device's nodes, one step a call).  See docs/hotplug.md.
 *
 * Every refusal leaves the connector as it was.
 */
#include "qemu/osdep.h"
#include <libfdt.h>
#include "exec/ram.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_drc.h"
#include "hw/ppc/spapr_iommu.h"
#include "trace.h"

/* PAPR: isolating memory a device may still DMA to */
#define RTAS_OUT_VALID_TRANSLATION  (-9001)

static void drc_status(uint32_t nret, hwaddr rets, int32_t status)
{
    if (nret >= 1) {
        rtas_st(rets, 0, status);
    }
}

static int drc_set_isolation(SpaprDrc *drc, uint32_t value)
{
    DeviceState *dev = spapr_drc_device(drc);

    switch (value) {
    case SPAPR_DR_ISOLATION_STATE_ISOLATED:
        if (drc->kind == SPAPR_DRC_KIND_LMB && !drc->isolated) {
            hwaddr addr = (hwaddr)(drc->index &
                                   ((1U << SPAPR_DRC_TYPE_SHIFT) - 1)) *
                          SPAPR_MEMORY_BLOCK_SIZE;
            uint32_t liobn;
            uint64_t ioba;

            /* Memory a TCE still points at stays with the guest. */
            if (spapr_tce_find_ram_ref(addr, SPAPR_MEMORY_BLOCK_SIZE,
                                       &liobn, &ioba)) {
                return RTAS_OUT_VALID_TRANSLATION;
            }
        }
        drc->isolated = true;
        drc->configured = false;
        drc->ccs_resume = false;
        g_clear_pointer(&drc->ccs_fdt, g_free);
        return RTAS_OUT_SUCCESS;
    case SPAPR_DR_ISOLATION_STATE_UNISOLATED:
        if (!dev || drc->unplug_requested) {
            return RTAS_OUT_PARAM_ERROR;
        }
        /* Logical connectors: allocate first, then unisolate. */
        if (drc->kind == SPAPR_DRC_KIND_LMB && !drc->allocated) {
            return RTAS_OUT_PARAM_ERROR;
        }
        drc->isolated = false;
        return RTAS_OUT_SUCCESS;
    }
    return RTAS_OUT_PARAM_ERROR;
}

static int drc_set_allocation(SpaprDrc *drc, uint32_t value)
{
    /* Physical connectors (PCI slots) have no allocation indicator. */
    if (drc->kind != SPAPR_DRC_KIND_LMB) {
        return RTAS_OUT_PARAM_ERROR;
    }
    switch (value) {
    case SPAPR_DR_ALLOCATION_STATE_UNUSABLE:
        /* Isolate first, then give it back. */
        if (!drc->isolated) {
            return RTAS_OUT_PARAM_ERROR;
        }
        drc->allocated = false;
        return RTAS_OUT_SUCCESS;
    case SPAPR_DR_ALLOCATION_STATE_USABLE:
        /* Nothing there, or on its way out: not the guest's to take. */
        if (!spapr_drc_device(drc) || drc->unplug_requested) {
            return RTAS_OUT_PARAM_ERROR;
        }
        drc->allocated = true;
        return RTAS_OUT_SUCCESS;
    }
    return RTAS_OUT_PARAM_ERROR;
}

/* args: indicator type, DRC index, new value; rets: status */
static void rtas_set_indicator(SpaprMachineState *spapr, uint32_t token,
                               uint32_t nargs, hwaddr args, uint32_t nret,
                               hwaddr rets)
{
    uint32_t type, index, value;
    SpaprDrc *drc;
    int status;

    if (nargs != 3 || nret != 1) {
        drc_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    type = rtas_ld(args, 0);
    index = rtas_ld(args, 1);
    value = rtas_ld(args, 2);
    drc = spapr_drc_by_index(index);
    if (!drc) {
        status = RTAS_OUT_PARAM_ERROR;
    } else if (type == RTAS_SENSOR_TYPE_ISOLATION_STATE) {
        status = drc_set_isolation(drc, value);
    } else if (type == RTAS_SENSOR_TYPE_ALLOCATION_STATE) {
        status = drc_set_allocation(drc, value);
    } else if (type == RTAS_SENSOR_TYPE_DR &&
               value <= SPAPR_DR_INDICATOR_MAX) {
        drc->dr_indicator = value;
        status = RTAS_OUT_SUCCESS;
    } else {
        status = RTAS_OUT_PARAM_ERROR;
    }
    trace_spapr_drc_set_indicator(index, type, value, status);
    rtas_st(rets, 0, status);
    if (drc && status == RTAS_OUT_SUCCESS) {
        spapr_drc_check_release(drc);
    }
}

/* args: sensor type, DRC index; rets: status, state */
static void rtas_get_sensor_state(SpaprMachineState *spapr, uint32_t token,
                                  uint32_t nargs, hwaddr args, uint32_t nret,
                                  hwaddr rets)
{
    uint32_t type, index, state = 0;
    SpaprDrc *drc;
    int status = RTAS_OUT_SUCCESS;

    if (nargs != 2 || nret != 2) {
        drc_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    type = rtas_ld(args, 0);
    index = rtas_ld(args, 1);
    drc = spapr_drc_by_index(index);
    if (!drc || type != RTAS_SENSOR_TYPE_ENTITY_SENSE) {
        status = RTAS_OUT_PARAM_ERROR;
    } else if (drc->kind == SPAPR_DRC_KIND_PCI) {
        state = spapr_drc_device(drc) ? SPAPR_DR_ENTITY_SENSE_PRESENT
                                      : SPAPR_DR_ENTITY_SENSE_EMPTY;
    } else {
        /* An LMB is present once the guest has allocated it. */
        state = spapr_drc_device(drc) && drc->allocated ?
                SPAPR_DR_ENTITY_SENSE_PRESENT :
                SPAPR_DR_ENTITY_SENSE_UNUSABLE;
    }
    trace_spapr_drc_get_sensor(index, type, state, status);
    rtas_st(rets, 0, status);
    if (status == RTAS_OUT_SUCCESS) {
        rtas_st(rets, 1, state);
    }
}

/* ------------------------------------------------ configure-connector */

static bool cc_write(hwaddr wa, uint32_t off, const void *buf, uint32_t len)
{
    return address_space_write(&address_space_memory, wa + off,
                               MEMTXATTRS_UNSPECIFIED, buf, len) == MEMTX_OK;
}

/* The next step of the walk over the device's nodes: a status. */
static int cc_step(SpaprDrc *drc, hwaddr wa)
{
    const void *fdt = drc->ccs_fdt;

    for (;;) {
        int next, len;
        uint32_t tag = fdt_next_tag(fdt, drc->ccs_offset, &next);
        const struct fdt_property *prop;
        const char *name;

        switch (tag) {
        case FDT_BEGIN_NODE:
            name = fdt_get_name(fdt, drc->ccs_offset, &len);
            if (!name || SPAPR_DR_CC_WA_DATA + len + 1 > SPAPR_DR_CC_WA_SIZE) {
                return RTAS_OUT_HW_ERROR;
            }
            rtas_st(wa, 2, SPAPR_DR_CC_WA_DATA);
            cc_write(wa, SPAPR_DR_CC_WA_DATA, name, len + 1);
            drc->ccs_offset = next;
            drc->ccs_depth++;
            return SPAPR_DR_CC_RESPONSE_NEXT_CHILD;
        case FDT_PROP: {
            uint32_t nlen, vlen;

            prop = fdt_get_property_by_offset(fdt, drc->ccs_offset, &len);
            name = prop ? fdt_string(fdt, fdt32_to_cpu(prop->nameoff))
                        : NULL;
            if (!name) {
                return RTAS_OUT_HW_ERROR;
            }
            nlen = strlen(name) + 1;
            vlen = fdt32_to_cpu(prop->len);
            if (SPAPR_DR_CC_WA_DATA + nlen + vlen > SPAPR_DR_CC_WA_SIZE) {
                return RTAS_OUT_HW_ERROR;
            }
            rtas_st(wa, 2, SPAPR_DR_CC_WA_DATA);
            rtas_st(wa, 3, vlen);
            rtas_st(wa, 4, SPAPR_DR_CC_WA_DATA + nlen);
            cc_write(wa, SPAPR_DR_CC_WA_DATA, name, nlen);
            cc_write(wa, SPAPR_DR_CC_WA_DATA + nlen, prop->data, vlen);
            drc->ccs_offset = next;
            return SPAPR_DR_CC_RESPONSE_NEXT_PROPERTY;
        }
        case FDT_END_NODE:
            drc->ccs_offset = next;
            if (--drc->ccs_depth == 0) {
                drc->configured = true;
                g_clear_pointer(&drc->ccs_fdt, g_free);
                return SPAPR_DR_CC_RESPONSE_SUCCESS;
            }
            return SPAPR_DR_CC_RESPONSE_PREV_PARENT;
        case FDT_NOP:
            drc->ccs_offset = next;
            continue;
        default:
            return RTAS_OUT_HW_ERROR;
        }
    }
}

bool spapr_drc_walk_position_ok(const void *fdt, int offset, int depth)
{
    int off = fdt_first_subnode(fdt, 0), d = 0;

    /* Step as cc_step does until @offset: never past it, never out. */
    while (off >= 0 && off < offset) {
        int next;

        switch (fdt_next_tag(fdt, off, &next)) {
        case FDT_BEGIN_NODE:
            d++;
            break;
        case FDT_END_NODE:
            if (--d <= 0) {
                return false;   /* the walk would have ended there */
            }
            break;
        case FDT_PROP:
        case FDT_NOP:
            break;
        default:
            return false;
        }
        if (next <= off) {
            return false;
        }
        off = next;
    }
    return off == offset && d == depth;
}

/* Nodes for a walk: a new one, or one that came in by migration. */
static bool cc_start(SpaprDrc *drc, DeviceState *dev)
{
    drc->ccs_fdt = spapr_fdt_pci_device(PCI_DEVICE(dev));
    if (!drc->ccs_fdt) {
        return false;
    }
    if (drc->ccs_resume) {
        drc->ccs_resume = false;
        if (spapr_drc_walk_position_ok(drc->ccs_fdt, drc->ccs_offset,
                                       drc->ccs_depth)) {
            return true;
        }
        /* The device's nodes changed shape: start again. */
    }
    drc->ccs_offset = fdt_first_subnode(drc->ccs_fdt, 0);
    drc->ccs_depth = 0;
    drc->configured = false;
    return true;
}

/* args: work area, memory extent (0); rets: status */
static void rtas_ibm_configure_connector(SpaprMachineState *spapr,
                                         uint32_t token, uint32_t nargs,
                                         hwaddr args, uint32_t nret,
                                         hwaddr rets)
{
    hwaddr wa;
    uint32_t index = 0;
    SpaprDrc *drc;
    DeviceState *dev;
    int status;

    if (nargs != 2 || nret != 1) {
        drc_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    wa = rtas_ld(args, 0);
    if (!spapr_is_guest_ram(wa, SPAPR_DR_CC_WA_SIZE)) {
        status = RTAS_OUT_PARAM_ERROR;
        goto out;
    }
    index = rtas_ld(wa, 0);
    drc = spapr_drc_by_index(index);
    if (!drc) {
        status = RTAS_OUT_PARAM_ERROR;
        goto out;
    }
    dev = spapr_drc_device(drc);
    /* Unisolated first; memory blocks have nothing to configure. */
    if (!dev || drc->isolated || drc->kind != SPAPR_DRC_KIND_PCI) {
        status = SPAPR_DR_CC_RESPONSE_NOT_CONFIGURABLE;
        goto out;
    }
    /* A new walk (a configured device may be walked again). */
    if (!drc->ccs_fdt && !cc_start(drc, dev)) {
        status = RTAS_OUT_HW_ERROR;
        goto out;
    }
    status = cc_step(drc, wa);
out:
    trace_spapr_drc_configure_connector(index, status);
    rtas_st(rets, 0, status);
}

static void spapr_drc_rtas_register(void)
{
    spapr_rtas_register(RTAS_SET_INDICATOR, "set-indicator",
                        rtas_set_indicator);
    spapr_rtas_register(RTAS_GET_SENSOR_STATE, "get-sensor-state",
                        rtas_get_sensor_state);
    spapr_rtas_register(RTAS_IBM_CONFIGURE_CONNECTOR,
                        "ibm,configure-connector",
                        rtas_ibm_configure_connector);
}
type_init(spapr_drc_rtas_register)
