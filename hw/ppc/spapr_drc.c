/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Dynamic reconfiguration connectors: the connectors themselves (one
 * per PCI slot of each PHB, one per LMB of the hotplug area), which
 * device sits behind each, how device_del waits for the guest to
 * release them, and their device-tree properties.  The RTAS calls that
 * move a connector are in spapr_drc_rtas.c, the hotplug events in
 * spapr_events.c.
 *
 * A connector does not point at its device: the device is found from
 * the machine (the PHB's bus, the hotplug area), so a device that goes
 * by any path never leaves a connector pointing at freed memory.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include <libfdt.h>
#include "hw/mem/pc-dimm.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_drc.h"
#include "hw/ppc/spapr_pci.h"
#include "trace.h"

static GHashTable *spapr_drcs;      /* index -> SpaprDrc * */
static hwaddr spapr_lmb_base;       /* the hotplug area, in LMBs */
static uint64_t spapr_lmb_count;
static SpaprDrcUnplugDone spapr_drc_done;

static void spapr_drc_free(gpointer p)
{
    SpaprDrc *drc = p;

    g_free(drc->ccs_fdt);
    g_free(drc);
}

static SpaprDrc *spapr_drc_new(uint32_t index, SpaprDrcKind kind)
{
    SpaprDrc *drc = g_new0(SpaprDrc, 1);

    if (!spapr_drcs) {
        spapr_drcs = g_hash_table_new_full(NULL, NULL, NULL, spapr_drc_free);
    }
    drc->index = index;
    drc->kind = kind;
    drc->isolated = true;
    g_hash_table_insert(spapr_drcs, GUINT_TO_POINTER(index), drc);
    return drc;
}

SpaprDrc *spapr_drc_by_index(uint32_t index)
{
    return spapr_drcs ? g_hash_table_lookup(spapr_drcs,
                                            GUINT_TO_POINTER(index)) : NULL;
}

void spapr_drc_init_lmbs(hwaddr base, uint64_t size)
{
    uint64_t i;

    spapr_lmb_base = base;
    spapr_lmb_count = size / SPAPR_MEMORY_BLOCK_SIZE;
    for (i = 0; i < spapr_lmb_count; i++) {
        spapr_drc_new(SPAPR_DRC_LMB_INDEX(base + i * SPAPR_MEMORY_BLOCK_SIZE),
                      SPAPR_DRC_KIND_LMB);
    }
}

void spapr_drc_add_phb(uint32_t phb_index)
{
    unsigned slot;

    for (slot = 0; slot < SPAPR_DRC_PCI_SLOTS; slot++) {
        spapr_drc_new(SPAPR_DRC_PCI_INDEX(phb_index, slot << 3),
                      SPAPR_DRC_KIND_PCI);
    }
}

void spapr_drc_remove_phb(uint32_t phb_index)
{
    unsigned slot;

    for (slot = 0; spapr_drcs && slot < SPAPR_DRC_PCI_SLOTS; slot++) {
        g_hash_table_remove(spapr_drcs, GUINT_TO_POINTER(
                            SPAPR_DRC_PCI_INDEX(phb_index, slot << 3)));
    }
}

void spapr_drc_cleanup(void)
{
    g_clear_pointer(&spapr_drcs, g_hash_table_unref);
    spapr_lmb_base = spapr_lmb_count = 0;
    spapr_drc_done = NULL;
}

/* ----------------------------------------------------- device lookup */

DeviceState *spapr_drc_device(SpaprDrc *drc)
{
    uint32_t id = drc->index & ((1U << SPAPR_DRC_TYPE_SHIFT) - 1);

    if (drc->kind == SPAPR_DRC_KIND_PCI) {
        SpaprPhbState *sphb = spapr_phb_find_by_index(id >> 16);
        PCIDevice *dev = sphb ? sphb->bus.devices[id & 0xff] : NULL;

        return dev ? &dev->qdev : NULL;
    }
    if (spapr_machine) {
        PCDIMMDevice *dimm = memory_device_area_lookup(
            &spapr_machine->hotplug, (hwaddr)id * SPAPR_MEMORY_BLOCK_SIZE,
            SPAPR_MEMORY_BLOCK_SIZE);

        return dimm ? &dimm->parent_obj : NULL;
    }
    return NULL;
}

SpaprDrc *spapr_drc_of_pci(PCIDevice *dev)
{
    SpaprPhbState *sphb = dev->bus ? dev->bus->host : NULL;

    if (!sphb || PCI_FUNC(dev->devfn)) {
        return NULL;
    }
    return spapr_drc_by_index(SPAPR_DRC_PCI_INDEX(sphb->index, dev->devfn));
}

/* The connectors @dev sits behind (g_ptr_array_unref it), or NULL. */
static GPtrArray *spapr_drcs_of(DeviceState *dev)
{
    PCDIMMDevice *dimm = pc_dimm_cast(dev);
    GPtrArray *out = g_ptr_array_new();
    SpaprDrc *drc;

    if (dimm && dimm->plugged) {
        hwaddr a;

        for (a = dimm->addr; a < dimm->addr + pc_dimm_size(dimm);
             a += SPAPR_MEMORY_BLOCK_SIZE) {
            drc = spapr_drc_by_index(SPAPR_DRC_LMB_INDEX(a));
            if (drc) {
                g_ptr_array_add(out, drc);
            }
        }
    } else if (dev->klass->bus_type && !strcmp(dev->klass->bus_type, "PCI")) {
        drc = spapr_drc_of_pci(PCI_DEVICE(dev));
        if (drc) {
            g_ptr_array_add(out, drc);
        }
    }
    if (!out->len) {
        g_ptr_array_unref(out);
        return NULL;
    }
    return out;
}

/* ------------------------------------------------------------ states */

static void spapr_drc_set_empty(SpaprDrc *drc)
{
    drc->isolated = true;
    drc->allocated = false;
    drc->configured = false;
    drc->unplug_requested = false;
    drc->ccs_resume = false;
    g_clear_pointer(&drc->ccs_fdt, g_free);
}

/* As a device in the boot tree: the guest owns it already. */
static void spapr_drc_set_ready(SpaprDrc *drc)
{
    drc->isolated = false;
    drc->allocated = true;
    drc->configured = true;
    drc->unplug_requested = false;
    drc->ccs_resume = false;
    g_clear_pointer(&drc->ccs_fdt, g_free);
}

/*
 * Given back by the guest.  A PCI slot is a physical connector: PAPR
 * gives it no allocation state, and pseries Linux (drmgr) isolates it
 * and powers it off, so isolation releases it, as on QEMU.  An LMB is
 * a logical connector: isolated, then made unusable.
 */
static bool spapr_drc_is_released(SpaprDrc *drc)
{
    if (drc->kind == SPAPR_DRC_KIND_PCI) {
        return drc->isolated;
    }
    return drc->isolated && !drc->allocated;
}

static void spapr_drc_attach(SpaprDrc *drc, bool plugged)
{
    trace_spapr_drc_attach(drc->index, plugged);
    spapr_drc_set_empty(drc);
}

void spapr_drc_pci_plugged(PCIDevice *dev, bool plugged)
{
    SpaprDrc *drc = spapr_drc_of_pci(dev);

    if (!drc) {
        return;
    }
    spapr_drc_attach(drc, plugged);
    if (plugged) {
        spapr_event_hotplug(SPAPR_HP_TYPE_PCI, SPAPR_HP_ACTION_ADD,
                            SPAPR_HP_ID_DRC_INDEX, 1, drc->index);
    }
}

void spapr_drc_lmb_plugged(DeviceState *dimm, hwaddr addr, uint64_t size,
                           bool plugged)
{
    uint32_t n = size / SPAPR_MEMORY_BLOCK_SIZE;
    hwaddr a;

    for (a = addr; a < addr + size; a += SPAPR_MEMORY_BLOCK_SIZE) {
        SpaprDrc *drc = spapr_drc_by_index(SPAPR_DRC_LMB_INDEX(a));

        if (drc) {
            spapr_drc_attach(drc, plugged);
        }
    }
    /* Cold-plugged DIMMs are in the boot tree: no event for those. */
    if (plugged && dimm->hotplugged && n) {
        spapr_event_hotplug(SPAPR_HP_TYPE_MEMORY, SPAPR_HP_ACTION_ADD,
                            SPAPR_HP_ID_DRC_COUNT_INDEXED, n,
                            SPAPR_DRC_LMB_INDEX(addr));
    }
}

/* ------------------------------------------------------------ unplug */

static void spapr_drc_hotplug_remove_event(DeviceState *dev, GPtrArray *drcs)
{
    SpaprDrc *first = drcs->pdata[0];

    if (first->kind == SPAPR_DRC_KIND_PCI) {
        spapr_event_hotplug(SPAPR_HP_TYPE_PCI, SPAPR_HP_ACTION_REMOVE,
                            SPAPR_HP_ID_DRC_INDEX, 1, first->index);
    } else {
        spapr_event_hotplug(SPAPR_HP_TYPE_MEMORY, SPAPR_HP_ACTION_REMOVE,
                            SPAPR_HP_ID_DRC_COUNT_INDEXED, drcs->len,
                            first->index);
    }
}

int spapr_drc_unplug_request(DeviceState *dev, SpaprDrcUnplugDone done,
                             Error **errp)
{
    g_autoptr(GPtrArray) drcs = spapr_drcs_of(dev);
    bool released = true;
    unsigned i;

    if (!drcs) {
        return 0;
    }
    for (i = 0; i < drcs->len; i++) {
        SpaprDrc *drc = drcs->pdata[i];

        if (drc->unplug_requested) {
            error_setg(errp, "%s unplug already in progress for device %s",
                       drc->kind == SPAPR_DRC_KIND_PCI ? "PCI device"
                                                       : "Memory",
                       dev->id ? dev->id : dev->klass->name);
            return -1;
        }
        released &= spapr_drc_is_released(drc);
    }
    /* The guest never took it: nothing to ask. */
    if (released) {
        trace_spapr_drc_unplug_now(((SpaprDrc *)drcs->pdata[0])->index);
        return 0;
    }
    for (i = 0; i < drcs->len; i++) {
        ((SpaprDrc *)drcs->pdata[i])->unplug_requested = true;
    }
    spapr_drc_done = done;
    trace_spapr_drc_unplug_request(((SpaprDrc *)drcs->pdata[0])->index,
                                   drcs->len);
    spapr_drc_hotplug_remove_event(dev, drcs);
    return 1;
}

/*
 * After the guest changed @drc: when every connector of a device being
 * unplugged is isolated and unusable, the device goes.
 */
void spapr_drc_check_release(SpaprDrc *drc)
{
    DeviceState *dev;
    g_autoptr(GPtrArray) drcs = NULL;
    unsigned i;

    if (!drc->unplug_requested) {
        return;
    }
    dev = spapr_drc_device(drc);
    drcs = dev ? spapr_drcs_of(dev) : NULL;
    if (!drcs) {
        return;
    }
    for (i = 0; i < drcs->len; i++) {
        if (!spapr_drc_is_released(drcs->pdata[i])) {
            return;
        }
    }
    /*
     * The device's own rules still hold: a DIMM a TCE maps again since
     * device_del stays until the guest unmaps it and moves a connector
     * once more.
     */
    if (dev->klass->unplug_request && !dev->klass->unplug_request(dev, NULL)) {
        return;
    }
    trace_spapr_drc_release(drc->index, dev->id ? dev->id : "");
    /* Destroying the device detaches (empties) its connectors. */
    if (spapr_drc_done) {
        spapr_drc_done(dev);
    }
}

static void spapr_drc_collect_pending(gpointer key, gpointer value,
                                      gpointer opaque)
{
    SpaprDrc *drc = value;
    GPtrArray *devs = opaque;
    DeviceState *dev = drc->unplug_requested ? spapr_drc_device(drc) : NULL;

    if (dev && !g_ptr_array_find(devs, dev, NULL)) {
        g_ptr_array_add(devs, dev);
    }
}

static void spapr_drc_reset_one(gpointer key, gpointer value,
                                gpointer opaque)
{
    SpaprDrc *drc = value;

    if (spapr_drc_device(drc)) {
        spapr_drc_set_ready(drc);
    } else {
        spapr_drc_set_empty(drc);
    }
}

void spapr_drc_foreach(SpaprDrcFn fn, void *opaque)
{
    GHashTableIter iter;
    gpointer value;

    if (!spapr_drcs) {
        return;
    }
    g_hash_table_iter_init(&iter, spapr_drcs);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        fn(value, opaque);
    }
}

bool spapr_drc_in_boot_state(SpaprDrc *drc)
{
    bool ready = spapr_drc_device(drc) != NULL;

    return drc->isolated == !ready && drc->allocated == ready &&
           drc->configured == ready && !drc->unplug_requested &&
           !drc->ccs_fdt && !drc->ccs_resume && !drc->dr_indicator;
}

void spapr_drc_set_boot_state(SpaprDrc *drc)
{
    spapr_drc_reset_one(NULL, drc, NULL);
    drc->dr_indicator = 0;
}

void spapr_drc_adopt_unplug(void)
{
    if (!spapr_drc_done) {
        spapr_drc_done = qdev_unplug_complete;
    }
}

void spapr_drc_reset_all(void)
{
    g_autoptr(GPtrArray) devs = g_ptr_array_new();
    unsigned i;

    if (!spapr_drcs) {
        return;
    }
    /* As on QEMU: a reset finishes the unplugs the guest left pending. */
    g_hash_table_foreach(spapr_drcs, spapr_drc_collect_pending, devs);
    for (i = 0; i < devs->len && spapr_drc_done; i++) {
        trace_spapr_drc_release(0, ((DeviceState *)devs->pdata[i])->id ?
                                ((DeviceState *)devs->pdata[i])->id : "");
        spapr_drc_done(devs->pdata[i]);
    }
    g_hash_table_foreach(spapr_drcs, spapr_drc_reset_one, NULL);
    spapr_events_reset();
}

/* ------------------------------------------------------- device tree */

/* A count cell followed by the entries, as PAPR's DRC arrays are. */
int spapr_drc_fdt_phb(void *fdt, int off, uint32_t phb_index)
{
    uint32_t idx[SPAPR_DRC_PCI_SLOTS + 1], pd[SPAPR_DRC_PCI_SLOTS + 1];
    g_autoptr(GString) names = g_string_new(NULL);
    g_autoptr(GString) types = g_string_new(NULL);
    uint32_t count = cpu_to_fdt32(SPAPR_DRC_PCI_SLOTS);
    unsigned slot;
    int ret;

    g_string_append_len(names, (const char *)&count, 4);
    g_string_append_len(types, (const char *)&count, 4);
    idx[0] = pd[0] = count;
    for (slot = 0; slot < SPAPR_DRC_PCI_SLOTS; slot++) {
        idx[slot + 1] = cpu_to_fdt32(SPAPR_DRC_PCI_INDEX(phb_index,
                                                         slot << 3));
        /* -1: the slot needs no power domain (live insertion) */
        pd[slot + 1] = cpu_to_fdt32(0xffffffff);
        g_string_append_printf(names, "C%u", slot << 3);
        g_string_append_c(names, '\0');
        /* "28": the PCI slot type string QEMU's pseries uses */
        g_string_append_len(types, "28", 3);
    }
    ret = fdt_setprop(fdt, off, "ibm,drc-indexes", idx, sizeof(idx));
    if (!ret) {
        ret = fdt_setprop(fdt, off, "ibm,drc-names", names->str, names->len);
    }
    if (!ret) {
        ret = fdt_setprop(fdt, off, "ibm,drc-types", types->str, types->len);
    }
    if (!ret) {
        ret = fdt_setprop(fdt, off, "ibm,drc-power-domains", pd, sizeof(pd));
    }
    return ret;
}

/* LMB flags in ibm,dynamic-memory */
#define SPAPR_LMB_FLAGS_ASSIGNED    0x00000008
#define SPAPR_LMB_FLAGS_DRC_INVALID 0x00000020
#define SPAPR_LMB_FLAGS_RESERVED    0x00000080

/*
 * /ibm,dynamic-reconfiguration-memory (v1 layout): every LMB from 0 to
 * the end of the hotplug area; boot RAM's are reserved (they have no
 * connector), the area's carry their DRC index and are assigned while
 * a DIMM covers them.
 */
int spapr_drc_fdt_memory(void *fdt, hwaddr base, uint64_t size)
{
    uint64_t n = (base + size) / SPAPR_MEMORY_BLOCK_SIZE, i;
    g_autofree uint32_t *dm = g_new(uint32_t, 1 + n * 6);
    uint32_t lmb_size[2], assoc[6] = { 0 };
    int off, ret;

    off = fdt_add_subnode(fdt, 0, "ibm,dynamic-reconfiguration-memory");
    if (off < 0) {
        return off;
    }
    lmb_size[0] = cpu_to_fdt32(SPAPR_MEMORY_BLOCK_SIZE >> 32);
    lmb_size[1] = cpu_to_fdt32((uint32_t)SPAPR_MEMORY_BLOCK_SIZE);
    dm[0] = cpu_to_fdt32(n);
    for (i = 0; i < n; i++) {
        hwaddr addr = i * SPAPR_MEMORY_BLOCK_SIZE;
        uint32_t *e = &dm[1 + i * 6];
        SpaprDrc *drc = addr >= base ?
            spapr_drc_by_index(SPAPR_DRC_LMB_INDEX(addr)) : NULL;
        uint32_t flags;

        if (drc) {
            flags = spapr_drc_device(drc) ? SPAPR_LMB_FLAGS_ASSIGNED : 0;
        } else {
            flags = SPAPR_LMB_FLAGS_RESERVED | SPAPR_LMB_FLAGS_DRC_INVALID;
        }
        e[0] = cpu_to_fdt32(addr >> 32);
        e[1] = cpu_to_fdt32((uint32_t)addr);
        e[2] = cpu_to_fdt32(drc ? drc->index : 0);
        e[3] = 0;
        e[4] = 0;           /* associativity list 0: node 0 */
        e[5] = cpu_to_fdt32(flags);
    }
    /* One list (node 0) of four associativity domains. */
    assoc[0] = cpu_to_fdt32(1);
    assoc[1] = cpu_to_fdt32(4);
    ret = fdt_setprop(fdt, off, "ibm,lmb-size", lmb_size, sizeof(lmb_size));
    if (!ret) {
        ret = fdt_setprop_cell(fdt, off, "ibm,memory-flags-mask", 0xff);
    }
    if (!ret) {
        ret = fdt_setprop_cell(fdt, off, "ibm,memory-preservation-time", 0);
    }
    if (!ret) {
        ret = fdt_setprop(fdt, off, "ibm,associativity-lookup-arrays",
                          assoc, sizeof(assoc));
    }
    if (!ret) {
        ret = fdt_setprop(fdt, off, "ibm,dynamic-memory", dm,
                          (1 + n * 6) * sizeof(uint32_t));
    }
    return ret;
}
