/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-pci EEH: the platform's EEH operations on a device's
 * partitionable endpoint, as VFIO_EEH_PE_OP on its container fd.
 *
 * The host's PE op acts on the container, so a device has EEH only when
 * the host answers VFIO_EEH in CHECK_EXTENSION and its container holds
 * its group alone: with two groups in one container the op could reach
 * the wrong PE.  The container is then the PE's handle.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "hw/vfio/vfio-pci.h"
#include "hw/vfio/vfio-eeh.h"
#include "trace.h"
#include <sys/ioctl.h>

static const struct {
    uint32_t op;
    const char *name;
} vfio_eeh_ops[] = {
    [PCI_EEH_OP_DISABLE] = { VFIO_EEH_PE_DISABLE, "DISABLE" },
    [PCI_EEH_OP_ENABLE] = { VFIO_EEH_PE_ENABLE, "ENABLE" },
    [PCI_EEH_OP_THAW_MMIO] = { VFIO_EEH_PE_UNFREEZE_IO, "UNFREEZE_IO" },
    [PCI_EEH_OP_THAW_DMA] = { VFIO_EEH_PE_UNFREEZE_DMA, "UNFREEZE_DMA" },
    [PCI_EEH_OP_GET_STATE] = { VFIO_EEH_PE_GET_STATE, "GET_STATE" },
    [PCI_EEH_OP_RESET_DEACTIVATE] = { VFIO_EEH_PE_RESET_DEACTIVATE,
                                      "RESET_DEACTIVATE" },
    [PCI_EEH_OP_RESET_HOT] = { VFIO_EEH_PE_RESET_HOT, "RESET_HOT" },
    [PCI_EEH_OP_RESET_FUNDAMENTAL] = { VFIO_EEH_PE_RESET_FUNDAMENTAL,
                                       "RESET_FUNDAMENTAL" },
    [PCI_EEH_OP_CONFIGURE] = { VFIO_EEH_PE_CONFIGURE, "CONFIGURE" },
    [PCI_EEH_OP_INJECT_ERR] = { VFIO_EEH_PE_INJECT_ERR, "INJECT_ERR" },
};

/* The host's PE state numbers to the platform's (they agree today). */
static int vfio_eeh_state(int st)
{
    switch (st) {
    case VFIO_EEH_PE_STATE_NORMAL:
        return PCI_EEH_STATE_NORMAL;
    case VFIO_EEH_PE_STATE_RESET:
        return PCI_EEH_STATE_RESET;
    case VFIO_EEH_PE_STATE_STOPPED:
        return PCI_EEH_STATE_STOPPED;
    case VFIO_EEH_PE_STATE_STOPPED_DMA:
        return PCI_EEH_STATE_STOPPED_DMA;
    default:
        return PCI_EEH_STATE_UNAVAIL;
    }
}

static VFIOContainer *vfio_eeh_container(VFIOPCIDevice *v)
{
    VFIOContainer *c;
    int ret;

    if (v->fd < 0 || !v->group || !v->group->container) {
        return NULL;
    }
    c = v->group->container;
    if (c->groups->len != 1) {
        return NULL;
    }
    ret = ioctl(c->fd, VFIO_CHECK_EXTENSION, VFIO_EEH);
    trace_vfio_check_extension(c->fd, VFIO_EEH, ret < 0 ? -errno : ret);
    return ret > 0 ? c : NULL;
}

const void *vfio_pci_eeh_pe(PCIDevice *pdev)
{
    return vfio_eeh_container(VFIO_PCI(pdev));
}

/*
 * After a reset the host gave the PE back (RESET_DEACTIVATE, CONFIGURE):
 * its DMA windows must still mirror the guest's.  A container that
 * failed meanwhile re-creates them and replays the TCEs.
 */
static void vfio_eeh_after_reset(VFIOPCIDevice *v, VFIOContainer *c)
{
    if (c->failed) {
        vfio_container_try_recover(c);
    }
}

int vfio_pci_eeh_pe_op(PCIDevice *pdev, const PCIEehOp *op, Error **errp)
{
    VFIOPCIDevice *v = VFIO_PCI(pdev);
    VFIOContainer *c = vfio_eeh_container(v);
    struct vfio_eeh_pe_op pe = { .argsz = sizeof(pe) };
    const char *name;
    int ret;

    if ((unsigned)op->kind >= ARRAY_SIZE(vfio_eeh_ops)) {
        error_setg(errp, "%s: unknown EEH operation %d", v->name, op->kind);
        return -EINVAL;
    }
    name = vfio_eeh_ops[op->kind].name;
    if (!c) {
        error_setg(errp, "%s: EEH %s: the host offers no EEH for the "
                   "device's container (VFIO_EEH)", v->name, name);
        return -ENODEV;
    }
    pe.op = vfio_eeh_ops[op->kind].op;
    if (op->kind == PCI_EEH_OP_INJECT_ERR) {
        pe.err.type = op->err_type;
        pe.err.func = op->err_func;
        pe.err.addr = op->err_addr;
        pe.err.mask = op->err_mask;
    }
    ret = ioctl(c->fd, VFIO_EEH_PE_OP, &pe);
    if (ret < 0) {
        ret = -errno;
    }
    trace_vfio_eeh_pe_op(v->name, c->fd, name, ret);
    if (ret < 0) {
        error_setg(errp, "%s: VFIO_EEH_PE_OP(%s) on container fd %d "
                   "failed: %s (errno %d)", v->name, name, c->fd,
                   g_strerror(-ret), -ret);
        return ret;
    }
    if (op->kind == PCI_EEH_OP_GET_STATE) {
        return vfio_eeh_state(ret);
    }
    if (op->kind == PCI_EEH_OP_RESET_DEACTIVATE ||
        op->kind == PCI_EEH_OP_CONFIGURE) {
        vfio_eeh_after_reset(v, c);
    }
    return ret;
}

/*
 * A machine reset gives the guest a device that is not frozen: a PE
 * left frozen or in reset (a guest that died in its recovery) comes
 * back to normal first, so the reset's own config writes reach it.
 */
void vfio_pci_eeh_reset(VFIOPCIDevice *v)
{
    static const PCIEehOpKind thaw[] = { PCI_EEH_OP_THAW_MMIO,
                                         PCI_EEH_OP_THAW_DMA };
    PCIEehOp op = { .kind = PCI_EEH_OP_GET_STATE };
    Error *err = NULL;
    int state;
    unsigned i;

    if (!vfio_eeh_container(v)) {
        return;
    }
    state = vfio_pci_eeh_pe_op(&v->parent_obj, &op, &err);
    if (state == PCI_EEH_STATE_RESET) {
        op.kind = PCI_EEH_OP_RESET_DEACTIVATE;
        vfio_pci_eeh_pe_op(&v->parent_obj, &op, &err);
    } else if (state > PCI_EEH_STATE_NORMAL) {
        for (i = 0; i < ARRAY_SIZE(thaw) && !err; i++) {
            op.kind = thaw[i];
            vfio_pci_eeh_pe_op(&v->parent_obj, &op, &err);
        }
    }
    if (err) {
        warn_report("%s on reset", error_get_pretty(err));
        error_free(err);
    }
}
