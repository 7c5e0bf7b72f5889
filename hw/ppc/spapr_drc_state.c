/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Migration of the dynamic reconfiguration connectors and the queued
 * hotplug events: the "spapr-drc-state" device the machine creates,
 * whose section carries them.
 *
 * The destination is made from the same command line, so it has the
 * same connectors and devices; machine start left each connector ready
 * (a device behind it) or empty.  Only the connectors that differ from
 * that travel: the ones the guest is moving, those with an unplug
 * pending or a DR indicator set.  Layout (big-endian):
 *   be32 n, n x { be32 index, u8 flags (isolated, allocated,
 *                 configured, unplug requested, walking),
 *                 u8 DR indicator,
 *                 walking only: be32 walk offset, be32 walk depth }
 *   then the event queue (spapr_events_save).
 *
 * Everything read is checked before anything is applied: a connector
 * this machine lacks, a state its device cannot be in, or a walk
 * position the device's nodes cannot have fails the load, naming it.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include <libfdt.h>
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_drc.h"
#include "migration/vmstate.h"
#include "trace.h"

#define DRC_MIG_ISOLATED    0x01
#define DRC_MIG_ALLOCATED   0x02
#define DRC_MIG_CONFIGURED  0x04
#define DRC_MIG_UNPLUG      0x08
#define DRC_MIG_WALKING     0x10
#define DRC_MIG_FLAGS       0x1f

typedef struct DrcMigEntry {
    SpaprDrc *drc;
    uint8_t flags;
    uint8_t dr_indicator;
    int32_t ccs_offset;
    int32_t ccs_depth;
} DrcMigEntry;

static void drc_collect_changed(SpaprDrc *drc, void *opaque)
{
    GPtrArray *changed = opaque;

    if (!spapr_drc_in_boot_state(drc)) {
        g_ptr_array_add(changed, drc);
    }
}

static gint drc_cmp_index(gconstpointer a, gconstpointer b)
{
    const SpaprDrc *da = *(SpaprDrc *const *)a;
    const SpaprDrc *db = *(SpaprDrc *const *)b;

    return da->index < db->index ? -1 : da->index > db->index;
}

static void spapr_drc_state_save(DeviceState *dev, GByteArray *out)
{
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    unsigned i;

    spapr_drc_foreach(drc_collect_changed, changed);
    /* In index order: the same machine state gives the same bytes. */
    g_ptr_array_sort(changed, drc_cmp_index);
    mig_put_be32(out, changed->len);
    for (i = 0; i < changed->len; i++) {
        SpaprDrc *drc = changed->pdata[i];
        bool walking = drc->ccs_fdt || drc->ccs_resume;

        mig_put_be32(out, drc->index);
        mig_put_u8(out, (drc->isolated ? DRC_MIG_ISOLATED : 0) |
                   (drc->allocated ? DRC_MIG_ALLOCATED : 0) |
                   (drc->configured ? DRC_MIG_CONFIGURED : 0) |
                   (drc->unplug_requested ? DRC_MIG_UNPLUG : 0) |
                   (walking ? DRC_MIG_WALKING : 0));
        mig_put_u8(out, drc->dr_indicator);
        if (walking) {
            mig_put_be32(out, drc->ccs_offset);
            mig_put_be32(out, drc->ccs_depth);
        }
    }
    spapr_events_save(out);
    trace_spapr_drc_state_save(changed->len, spapr_events_pending());
}

/* Can the guest have brought @e's connector to @e's state? */
static bool drc_entry_check(const DrcMigEntry *e, Error **errp)
{
    SpaprDrc *drc = e->drc;
    DeviceState *dev = spapr_drc_device(drc);
    bool isolated = e->flags & DRC_MIG_ISOLATED;
    bool allocated = e->flags & DRC_MIG_ALLOCATED;
    bool walking = e->flags & DRC_MIG_WALKING;
    const char *why = NULL;

    if (e->flags & ~DRC_MIG_FLAGS) {
        why = "unknown flags";
    } else if (e->dr_indicator > SPAPR_DR_INDICATOR_MAX) {
        why = "DR indicator out of range";
    } else if (!dev && (!isolated || allocated ||
                        (e->flags & (DRC_MIG_CONFIGURED | DRC_MIG_UNPLUG |
                                     DRC_MIG_WALKING)))) {
        why = "in use, but this machine has no device behind it";
    } else if (drc->kind == SPAPR_DRC_KIND_LMB && !isolated && !allocated) {
        why = "a memory block unisolated but not allocated";
    } else if ((e->flags & DRC_MIG_CONFIGURED) && isolated) {
        why = "configured but isolated";
    } else if (walking && (isolated || drc->kind != SPAPR_DRC_KIND_PCI)) {
        why = "configure-connector walk on a connector that has none";
    }
    if (!why && walking) {
        g_autofree void *fdt = spapr_fdt_pci_device(PCI_DEVICE(dev));

        if (!fdt || !spapr_drc_walk_position_ok(fdt, e->ccs_offset,
                                                e->ccs_depth)) {
            why = "configure-connector walk at a place this device's "
                  "nodes do not have";
        }
    }
    if (why) {
        error_setg(errp, "connector 0x%x: %s", drc->index, why);
        return false;
    }
    return true;
}

static void drc_entry_apply(const DrcMigEntry *e)
{
    SpaprDrc *drc = e->drc;

    drc->isolated = e->flags & DRC_MIG_ISOLATED;
    drc->allocated = e->flags & DRC_MIG_ALLOCATED;
    drc->configured = e->flags & DRC_MIG_CONFIGURED;
    drc->unplug_requested = e->flags & DRC_MIG_UNPLUG;
    drc->dr_indicator = e->dr_indicator;
    /* The nodes are built again at the guest's next call. */
    g_clear_pointer(&drc->ccs_fdt, g_free);
    drc->ccs_resume = e->flags & DRC_MIG_WALKING;
    drc->ccs_offset = drc->ccs_resume ? e->ccs_offset : 0;
    drc->ccs_depth = drc->ccs_resume ? e->ccs_depth : 0;
}

static void drc_set_boot(SpaprDrc *drc, void *opaque)
{
    spapr_drc_set_boot_state(drc);
}

static bool spapr_drc_state_load(DeviceState *dev, MigReader *in,
                                 uint32_t version, Error **errp)
{
    uint32_t n = mig_get_be32(in), i;
    g_autofree DrcMigEntry *entries = NULL;
    g_autoptr(GHashTable) seen = NULL;
    bool unplug = false;

    if (!mig_reader_ok(in, errp)) {
        return false;
    }
    /* Each entry takes at least 6 bytes: no allocation beyond that. */
    if (n > mig_reader_remaining(in) / 6) {
        error_setg(errp, "%u connectors announced, the section is %zu "
                   "bytes", n, mig_reader_remaining(in));
        return false;
    }
    entries = g_new0(DrcMigEntry, n);
    seen = g_hash_table_new(NULL, NULL);
    for (i = 0; i < n; i++) {
        DrcMigEntry *e = &entries[i];
        uint32_t index = mig_get_be32(in);

        e->flags = mig_get_u8(in);
        e->dr_indicator = mig_get_u8(in);
        if (e->flags & DRC_MIG_WALKING) {
            e->ccs_offset = mig_get_be32(in);
            e->ccs_depth = mig_get_be32(in);
        }
        if (!mig_reader_ok(in, errp)) {
            return false;
        }
        e->drc = spapr_drc_by_index(index);
        if (!e->drc) {
            error_setg(errp, "connector 0x%x: this machine has no such "
                       "connector", index);
            return false;
        }
        if (!g_hash_table_add(seen, e->drc)) {
            error_setg(errp, "connector 0x%x: twice in the stream", index);
            return false;
        }
        if (!drc_entry_check(e, errp)) {
            return false;
        }
        unplug |= e->flags & DRC_MIG_UNPLUG;
    }
    if (!spapr_events_load(in, errp) || !mig_reader_finish(in, errp)) {
        return false;
    }
    spapr_drc_foreach(drc_set_boot, NULL);
    for (i = 0; i < n; i++) {
        drc_entry_apply(&entries[i]);
    }
    if (unplug) {
        spapr_drc_adopt_unplug();
    }
    trace_spapr_drc_state_load(n, spapr_events_pending());
    return true;
}

static bool drc_state_present;

static bool spapr_drc_state_realize(DeviceState *dev, Error **errp)
{
    if (drc_state_present) {
        error_setg(errp, "the machine has its connector state already");
        return false;
    }
    drc_state_present = true;
    return true;
}

static void spapr_drc_state_unrealize(DeviceState *dev)
{
    drc_state_present = false;
}

static char *spapr_drc_state_migration_path(DeviceState *dev)
{
    return g_strdup("drc");
}

static const Property spapr_drc_state_props[] = {
    { .name = NULL },
};

static const DeviceClass spapr_drc_state_class = {
    .name = TYPE_SPAPR_DRC_STATE,
    .desc = "pseries dynamic reconfiguration connectors and hotplug "
            "events (their migration state)",
    .instance_size = sizeof(DeviceState),
    .props = spapr_drc_state_props,
    .realize = spapr_drc_state_realize,
    .unrealize = spapr_drc_state_unrealize,
    .state_version = 1,
    .save_state = spapr_drc_state_save,
    .load_state = spapr_drc_state_load,
    .migration_path = spapr_drc_state_migration_path,
};

static void spapr_drc_state_register(void)
{
    qdev_register_type(&spapr_drc_state_class);
}
type_init(spapr_drc_state_register)
