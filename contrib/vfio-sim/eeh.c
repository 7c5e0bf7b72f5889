/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: EEH, the PowerNV host's error recovery of a partitionable
 * endpoint (PE), as VFIO_EEH_PE_OP on the container fd reaches it.
 *
 * Each IOMMU group is one PE.  The PE freezes when the control channel
 * says so, when an armed fault fires on a device access, on
 * VFIO_EEH_PE_INJECT_ERR, and on a DMA translation fault of one of its
 * devices once the user has enabled EEH on it.  While the PE's MMIO is
 * frozen, config and BAR reads return all ones and writes are dropped
 * (mmap'ed BARs are replaced by a private all-ones file); while its DMA
 * is frozen the devices' memory requests fail.  Called with the lock
 * held.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include "vsim.h"

/* What the PE's devices looked like when a reset was asserted. */
typedef struct EehSaved {
    uint8_t config[VSIM_CFG_SIZE];
} EehSaved;

typedef struct EehPe {
    bool enabled;           /* EEH_PE_ENABLE seen since the device open */
    bool mmio_frozen;
    bool dma_frozen;
    bool reset_active;      /* hot/fundamental reset asserted */
    bool cfg_blocked;       /* EEH_PE_CFG_BLOCKED: during a reset */
    GHashTable *saved;      /* VsimDevice* -> EehSaved* */
} EehPe;

/* arch/powerpc/include/asm/eeh.h: the error types and functions */
#define EEH_ERR_TYPE_32     0
#define EEH_ERR_TYPE_64     1
#define EEH_ERR_FUNC_MAX    19

static GHashTable *pes;         /* VsimGroup* -> EehPe* */
static GHashTable *armed;       /* VsimDevice* -> accesses left (uint) */
static int ones_fd = -1;
static uint64_t ones_size;

static EehPe *pe_of_group(VsimGroup *g)
{
    EehPe *pe;

    if (!pes) {
        pes = g_hash_table_new(NULL, NULL);
    }
    pe = g_hash_table_lookup(pes, g);
    if (!pe) {
        pe = g_new0(EehPe, 1);
        pe->saved = g_hash_table_new_full(NULL, NULL, NULL, g_free);
        g_hash_table_insert(pes, g, pe);
    }
    return pe;
}

static EehPe *pe_of(VsimDevice *d)
{
    return pe_of_group(d->group);
}

/* Mappings and state follow a change of the PE's MMIO freeze. */
static void pe_sync_maps(VsimGroup *g)
{
    for (unsigned i = 0; i < g->devices->len; i++) {
        vsim_bar_maps_sync(g->devices->pdata[i]);
    }
}

/* The PHB freezes the PE: MMIO and DMA both stop (pnv_eeh_set_option,
 * OPAL_EEH_ACTION_SET_FREEZE_ALL, or the hardware on an error). */
static void pe_freeze(VsimGroup *g)
{
    EehPe *pe = pe_of_group(g);

    pe->mmio_frozen = pe->dma_frozen = true;
    pe_sync_maps(g);
}

static void pe_thaw(VsimGroup *g, bool mmio, bool dma)
{
    EehPe *pe = pe_of_group(g);

    if (mmio) {
        pe->mmio_frozen = false;
    }
    if (dma) {
        pe->dma_frozen = false;
    }
    pe_sync_maps(g);
}

bool vsim_eeh_mmio_frozen(VsimDevice *d)
{
    EehPe *pe = pes ? g_hash_table_lookup(pes, d->group) : NULL;

    return pe && pe->mmio_frozen;
}

/* Config cycles fail while the PE's MMIO is frozen or a reset runs
 * (pnv_pci_cfg_read and EEH_PE_CFG_BLOCKED answer all ones). */
static bool cfg_blocked(VsimDevice *d)
{
    EehPe *pe = pes ? g_hash_table_lookup(pes, d->group) : NULL;

    return pe && (pe->mmio_frozen || pe->cfg_blocked);
}

/* An armed fault ("fault" with "freeze") counts this access down. */
static void tick(VsimDevice *d)
{
    unsigned left;

    if (!armed || !g_hash_table_contains(armed, d)) {
        return;
    }
    left = GPOINTER_TO_UINT(g_hash_table_lookup(armed, d));
    if (left > 1) {
        g_hash_table_insert(armed, d, GUINT_TO_POINTER(left - 1));
        return;
    }
    g_hash_table_remove(armed, d);
    pe_freeze(d->group);
}

/*
 * Hook of every config and BAR access through the device fd: true when
 * it must read all ones and drop writes, as the PHB answers a frozen PE.
 */
bool vsim_eeh_access_blocked(VsimDevice *d, bool config)
{
    tick(d);
    return config ? cfg_blocked(d) : vsim_eeh_mmio_frozen(d);
}

/* reset-counters disarms every fault, the freezes included. */
void vsim_eeh_fault_disarm(void)
{
    if (armed) {
        g_hash_table_remove_all(armed);
    }
}

/* Hook of device DMA: true when the PE's DMA is frozen. */
bool vsim_eeh_dma_blocked(VsimDevice *d)
{
    EehPe *pe;

    tick(d);
    pe = pes ? g_hash_table_lookup(pes, d->group) : NULL;
    return pe && pe->dma_frozen;
}

/*
 * A DMA translation fault: the PHB freezes the PE on a TCE fault.  Our
 * choice: only once the user has enabled EEH on the PE (QEMU does on
 * every reset), so a VMM that never uses EEH sees the fault only in the
 * device's registers.
 */
void vsim_eeh_dma_fault(VsimDevice *d)
{
    if (vsim.host.eeh && pe_of(d)->enabled) {
        pe_freeze(d->group);
    }
}

/* An all-ones file of at least @size bytes for frozen BAR mappings. */
int vsim_eeh_ones_fd(uint64_t size)
{
    static const uint8_t ones[4096] = { [0 ... 4095] = 0xff };

    if (ones_fd < 0) {
        ones_fd = memfd_create("vfio-sim-frozen-bar", MFD_CLOEXEC);
        if (ones_fd < 0) {
            return -1;
        }
    }
    while (ones_size < size) {
        if (vsim_libc.pwrite(ones_fd, ones, sizeof(ones), ones_size) !=
            sizeof(ones)) {
            return -1;
        }
        ones_size += sizeof(ones);
    }
    return ones_fd;
}

/* eeh_pe_change_owner, from eeh_dev_open and eeh_dev_release (first
 * open and last close of a device fd): the PE is unfrozen. */
void vsim_eeh_change_owner(VsimDevice *d)
{
    EehPe *pe = pe_of(d);

    if (armed) {
        g_hash_table_remove(armed, d);
    }
    pe->enabled = pe->reset_active = pe->cfg_blocked = false;
    g_hash_table_remove_all(pe->saved);
    pe_thaw(d->group, true, true);
}

/* ---- VFIO_EEH_PE_OP ---- */

/* eeh_pe_get_state: the PHB's view folded into the VFIO states. */
static long pe_get_state(EehPe *pe)
{
    if (pe->reset_active) {
        return VFIO_EEH_PE_STATE_RESET;
    }
    if (!pe->mmio_frozen && !pe->dma_frozen) {
        return VFIO_EEH_PE_STATE_NORMAL;
    }
    if (pe->mmio_frozen && pe->dma_frozen) {
        return VFIO_EEH_PE_STATE_STOPPED;
    }
    return pe->dma_frozen ? VFIO_EEH_PE_STATE_STOPPED_DMA
                          : VFIO_EEH_PE_STATE_UNAVAIL;
}

/*
 * eeh_pe_reset(EEH_RESET_HOT/FUNDAMENTAL): freeze the PE first so no
 * MMIO reaches a device in reset (EEH_OPT_FREEZE_PE), block config
 * cycles, and assert the reset: the functions lose their state as in a
 * hot reset.  What they looked like is kept for the deactivation.
 */
static long pe_reset_assert(VsimGroup *g, EehPe *pe)
{
    pe_freeze(g);
    pe->cfg_blocked = true;
    for (unsigned i = 0; i < g->devices->len; i++) {
        VsimDevice *d = g->devices->pdata[i];
        EehSaved *s;

        if (!pe->reset_active || !g_hash_table_contains(pe->saved, d)) {
            s = g_new(EehSaved, 1);
            memcpy(s->config, d->config, sizeof(s->config));
            g_hash_table_insert(pe->saved, d, s);
        }
        vsim_device_reset(d);
    }
    pe->reset_active = true;
    return 0;
}

/*
 * eeh_pe_reset(EEH_RESET_DEACTIVATE): release the reset, unblock config
 * cycles, then eeh_pe_reenable_devices: restore each function's config
 * header (pci_restore_state of what vfio-pci saved, where Bus Master is
 * clear) and thaw the PE.
 */
static long pe_reset_deactivate(VsimGroup *g, EehPe *pe)
{
    pe->cfg_blocked = false;
    if (pe->reset_active) {
        for (unsigned i = 0; i < g->devices->len; i++) {
            VsimDevice *d = g->devices->pdata[i];
            EehSaved *s = g_hash_table_lookup(pe->saved, d);
            uint16_t cmd;

            if (!s) {
                continue;
            }
            memcpy(d->config, s->config, sizeof(d->config));
            cmd = d->config[PCI_COMMAND] | d->config[PCI_COMMAND + 1] << 8;
            cmd &= ~PCI_COMMAND_MASTER;
            d->config[PCI_COMMAND] = cmd;
            d->config[PCI_COMMAND + 1] = cmd >> 8;
        }
        g_hash_table_remove_all(pe->saved);
        pe->reset_active = false;
    }
    pe_thaw(g, true, true);
    return 0;
}

/*
 * eeh_pe_inject_err: the type must be 32- or 64-bit and the function
 * one of the 20 that PAPR's error injection names.  The PHB arms the
 * error on a matching access; we let it fire at once, freezing the PE.
 */
static long pe_inject(VsimGroup *g, const struct vfio_eeh_pe_op *op)
{
    if (op->err.type != EEH_ERR_TYPE_32 && op->err.type != EEH_ERR_TYPE_64) {
        return -EINVAL;
    }
    if (op->err.func > EEH_ERR_FUNC_MAX) {
        return -EINVAL;
    }
    pe_freeze(g);
    return 0;
}

/*
 * vfio_spapr_iommu_eeh_ioctl (VFIO_EEH_PE_OP): the container's first
 * group is the PE; without EEH on the host it has none (ENODEV).  Then
 * the head is copied (EFAULT), argsz and flags checked (EINVAL), and
 * the op dispatched; INJECT_ERR needs the longer argument.
 */
long vsim_eeh_pe_op(VsimContainer *c, void *arg)
{
    struct vfio_eeh_pe_op op;
    VsimGroup *g;
    EehPe *pe;

    if (!vsim.host.eeh || !c->groups->len) {
        return -ENODEV;
    }
    g = c->groups->pdata[0];
    pe = pe_of_group(g);
    GET_ARG(op, arg, struct vfio_eeh_pe_op, op);
    if (op.flags) {
        return -EINVAL;
    }
    switch (op.op) {
    case VFIO_EEH_PE_DISABLE:
        /* eeh_pe_set_option(EEH_OPT_DISABLE): accepted, no effect */
        return 0;
    case VFIO_EEH_PE_ENABLE:
        /* eeh_pe_set_option(EEH_OPT_ENABLE) -> eeh_pe_change_owner */
        pe->enabled = true;
        pe_thaw(g, true, true);
        return 0;
    case VFIO_EEH_PE_UNFREEZE_IO:
        /* eeh_pe_set_option(EEH_OPT_THAW_MMIO) */
        pe_thaw(g, true, false);
        return 0;
    case VFIO_EEH_PE_UNFREEZE_DMA:
        /* eeh_pe_set_option(EEH_OPT_THAW_DMA) */
        pe_thaw(g, false, true);
        return 0;
    case VFIO_EEH_PE_GET_STATE:
        return pe_get_state(pe);
    case VFIO_EEH_PE_RESET_DEACTIVATE:
        return pe_reset_deactivate(g, pe);
    case VFIO_EEH_PE_RESET_HOT:
    case VFIO_EEH_PE_RESET_FUNDAMENTAL:
        return pe_reset_assert(g, pe);
    case VFIO_EEH_PE_CONFIGURE:
        /* eeh_pe_configure: the reset already restored the PE */
        return 0;
    case VFIO_EEH_PE_INJECT_ERR:
        if (op.argsz < MINSZ(struct vfio_eeh_pe_op, err.mask)) {
            return -EINVAL;
        }
        if (vsim_copy_from_user(&op, arg,
                                MINSZ(struct vfio_eeh_pe_op, err.mask)) < 0) {
            return -EFAULT;
        }
        return pe_inject(g, &op);
    default:
        return -EINVAL;
    }
}

/* ---- control channel ---- */

static VsimDevice *control_device(JsonObject *req, GError **errp)
{
    const char *bdf = json_object_get_string_member_with_default(
        req, "device", NULL);
    VsimDevice *d = bdf ? vsim_device_find(bdf)
                  : vsim.devices->len ? vsim.devices->pdata[0] : NULL;

    if (!d) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "no device '%s'", bdf ? bdf : "");
    }
    return d;
}

static JsonNode *pe_json(VsimDevice *d)
{
    EehPe *pe = pe_of(d);
    JsonObject *o = json_object_new();
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_object_set_string_member(o, "device", d->bdf);
    json_object_set_int_member(o, "group", d->group->num);
    json_object_set_int_member(o, "state", pe_get_state(pe));
    json_object_set_boolean_member(o, "enabled", pe->enabled);
    json_object_set_boolean_member(o, "mmio_frozen", pe->mmio_frozen);
    json_object_set_boolean_member(o, "dma_frozen", pe->dma_frozen);
    json_node_take_object(n, o);
    return n;
}

/*
 * {"cmd": "eeh", "device": BDF, "action": "freeze" | "state"}: freeze
 * the device's PE now, as a hardware error would, or only report it.
 */
JsonNode *vsim_eeh_control(JsonObject *req, GError **errp)
{
    const char *action = json_object_get_string_member_with_default(
        req, "action", "state");
    VsimDevice *d = control_device(req, errp);

    if (!d) {
        return NULL;
    }
    if (!strcmp(action, "freeze")) {
        pe_freeze(d->group);
    } else if (strcmp(action, "state")) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "eeh wants \"action\": \"freeze\" or \"state\"");
        return NULL;
    }
    return pe_json(d);
}

/*
 * {"cmd": "fault", "freeze": BDF, "nth": N}: the nth next access of
 * that device (config or BAR through its fd, or a DMA page) freezes its
 * PE before it is done, as an error the device hits would.
 */
JsonNode *vsim_eeh_fault(JsonObject *req, GError **errp)
{
    const char *bdf = json_object_get_string_member(req, "freeze");
    int64_t nth = json_object_has_member(req, "nth")
                  ? json_object_get_int_member(req, "nth") : 1;
    VsimDevice *d = bdf ? vsim_device_find(bdf) : NULL;
    JsonNode *n;

    if (!d) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "no device '%s'", bdf ? bdf : "");
        return NULL;
    }
    if (nth < 1 || nth > G_MAXUINT) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "fault wants nth >= 1");
        return NULL;
    }
    if (!armed) {
        armed = g_hash_table_new(NULL, NULL);
    }
    g_hash_table_insert(armed, d, GUINT_TO_POINTER((unsigned)nth));
    n = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(n, json_object_new());
    return n;
}
