/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Dynamic reconfiguration connectors (PAPR DRCs): one per PCI slot of
 * each PHB and one per logical memory block (LMB) of the hotplug area.
 * The guest moves a connector through its states with the RTAS calls
 * set-indicator, get-sensor-state and ibm,configure-connector; a
 * device_del completes when the guest has released the connector.
 *
 * DRC indexes, as QEMU's pseries numbers them: the connector type in
 * the top 4 bits, an id below.
 *   PCI slot  0x40000000 | phb_index << 16 | devfn   (devfn = slot << 3)
 *   LMB       0x80000000 | guest address / 256 MiB
 */
#ifndef HW_PPC_SPAPR_DRC_H
#define HW_PPC_SPAPR_DRC_H

#include "hw/qdev.h"
#include "hw/pci/pci.h"
#include "hw/ppc/spapr.h"
#include "migration/vmstate.h"

#define SPAPR_DRC_TYPE_SHIFT        28
#define SPAPR_DRC_TYPE_PCI          0x4U
#define SPAPR_DRC_TYPE_LMB          0x8U
#define SPAPR_DRC_PCI_INDEX(phb, devfn) \
    ((SPAPR_DRC_TYPE_PCI << SPAPR_DRC_TYPE_SHIFT) | (phb) << 16 | (devfn))
#define SPAPR_DRC_LMB_INDEX(addr) \
    ((SPAPR_DRC_TYPE_LMB << SPAPR_DRC_TYPE_SHIFT) | \
     (uint32_t)((addr) / SPAPR_MEMORY_BLOCK_SIZE))
#define SPAPR_DRC_PCI_SLOTS         32

/* RTAS indicator and sensor types (PAPR) */
#define RTAS_SENSOR_TYPE_ISOLATION_STATE    9001
#define RTAS_SENSOR_TYPE_DR                 9002
#define RTAS_SENSOR_TYPE_ALLOCATION_STATE   9003
#define RTAS_SENSOR_TYPE_ENTITY_SENSE       RTAS_SENSOR_TYPE_ALLOCATION_STATE

/* Values of those indicators and of dr-entity-sense */
#define SPAPR_DR_ISOLATION_STATE_ISOLATED   0
#define SPAPR_DR_ISOLATION_STATE_UNISOLATED 1
#define SPAPR_DR_ALLOCATION_STATE_UNUSABLE  0
#define SPAPR_DR_ALLOCATION_STATE_USABLE    1
#define SPAPR_DR_INDICATOR_MAX              3   /* inactive..action */
#define SPAPR_DR_ENTITY_SENSE_EMPTY         0
#define SPAPR_DR_ENTITY_SENSE_PRESENT       1
#define SPAPR_DR_ENTITY_SENSE_UNUSABLE      2

/* ibm,configure-connector status codes (PAPR) */
#define SPAPR_DR_CC_RESPONSE_SUCCESS        0
#define SPAPR_DR_CC_RESPONSE_NEXT_SIB       1
#define SPAPR_DR_CC_RESPONSE_NEXT_CHILD     2
#define SPAPR_DR_CC_RESPONSE_NEXT_PROPERTY  3
#define SPAPR_DR_CC_RESPONSE_PREV_PARENT    4
#define SPAPR_DR_CC_RESPONSE_NOT_CONFIGURABLE (-9003)
/* The work area: index, 0, name offset, value length, value offset. */
#define SPAPR_DR_CC_WA_SIZE                 4096
#define SPAPR_DR_CC_WA_DATA                 20

typedef enum SpaprDrcKind {
    SPAPR_DRC_KIND_PCI,         /* physical: a PCI slot */
    SPAPR_DRC_KIND_LMB,         /* logical: a memory block */
} SpaprDrcKind;

typedef void (*SpaprDrcUnplugDone)(DeviceState *dev);

typedef struct SpaprDrc {
    uint32_t index;
    SpaprDrcKind kind;
    bool isolated;              /* isolation-state */
    bool allocated;             /* allocation-state usable */
    uint32_t dr_indicator;
    bool configured;            /* configure-connector ran to the end */
    bool unplug_requested;      /* device_del waits for the guest */
    /* configure-connector in progress: the device's nodes */
    void *ccs_fdt;
    int ccs_offset;
    int ccs_depth;
    /*
     * A walk that came in by migration: ccs_offset/ccs_depth hold its
     * place, and the next call rebuilds the nodes from the device as
     * it is then (its state loads after the connectors').
     */
    bool ccs_resume;
} SpaprDrc;

/* Machine life cycle (spapr.c, spapr_pci.c). */
void spapr_drc_init_lmbs(hwaddr base, uint64_t size);
void spapr_drc_add_phb(uint32_t phb_index);
void spapr_drc_remove_phb(uint32_t phb_index);
/*
 * Machine start and reset: an unplug the guest has not finished
 * completes now; a connector with a device is ready (unisolated,
 * usable, configured: the device is in the boot tree), an empty one
 * isolated and unusable.
 */
void spapr_drc_reset_all(void);
void spapr_drc_cleanup(void);

SpaprDrc *spapr_drc_by_index(uint32_t index);
/* The PCI slot connector of @dev (function 0 only), or NULL. */
SpaprDrc *spapr_drc_of_pci(PCIDevice *dev);
/* The device behind @drc now, or NULL. */
DeviceState *spapr_drc_device(SpaprDrc *drc);

/* A device appeared behind / left its connectors. */
void spapr_drc_pci_plugged(PCIDevice *dev, bool plugged);
void spapr_drc_lmb_plugged(DeviceState *dimm, hwaddr addr, uint64_t size,
                           bool plugged);

/*
 * device_del: 0 = remove @dev now (no connector, or the guest never
 * took it), 1 = the guest was asked and @done runs when it has
 * released the connectors, -1 = refused (@errp set, nothing changed).
 */
int spapr_drc_unplug_request(DeviceState *dev, SpaprDrcUnplugDone done,
                             Error **errp);

/*
 * After the guest moved @drc: when every connector of a device being
 * unplugged is released (isolated, unusable), the device goes.
 */
void spapr_drc_check_release(SpaprDrc *drc);

/*
 * Migration (spapr_drc_state.c): the "spapr-drc-state" device the
 * machine creates carries every connector that is not as machine start
 * leaves it, and the queued events.
 */
#define TYPE_SPAPR_DRC_STATE        "spapr-drc-state"
typedef void (*SpaprDrcFn)(SpaprDrc *drc, void *opaque);
void spapr_drc_foreach(SpaprDrcFn fn, void *opaque);
/* Is @drc as machine start leaves it (see spapr_drc_reset_all)? */
bool spapr_drc_in_boot_state(SpaprDrc *drc);
/* Put @drc back so, completing nothing. */
void spapr_drc_set_boot_state(SpaprDrc *drc);
/*
 * An unplug requested on the source: the destination completes it as
 * device_del's own would have.
 */
void spapr_drc_adopt_unplug(void);
/*
 * Is (@offset, @depth) a place a configure-connector walk over @fdt
 * (as spapr_fdt_pci_device gives it) can be at?
 */
bool spapr_drc_walk_position_ok(const void *fdt, int offset, int depth);
void spapr_events_save(GByteArray *out);
bool spapr_events_load(MigReader *in, Error **errp);

/* Device tree (spapr_fdt.c): the PHB's and the memory DRC properties. */
int spapr_drc_fdt_phb(void *fdt, int phb_off, uint32_t phb_index);
int spapr_drc_fdt_memory(void *fdt, hwaddr base, uint64_t size);
/*
 * What ibm,configure-connector hands out for @dev: a tree whose root's
 * only child is the device's node (g_free it), or NULL.
 */
void *spapr_fdt_pci_device(PCIDevice *dev);

/*
 * Hotplug events (spapr_events.c): what the guest fetches with
 * check-exception / event-scan.
 */
#define SPAPR_HP_TYPE_MEMORY        2
#define SPAPR_HP_TYPE_PCI           5
#define SPAPR_HP_ACTION_ADD         1
#define SPAPR_HP_ACTION_REMOVE      2
#define SPAPR_HP_ID_DRC_INDEX       2
#define SPAPR_HP_ID_DRC_COUNT       3
#define SPAPR_HP_ID_DRC_COUNT_INDEXED 4
/*
 * The hotplug event source's interrupt, as QEMU numbers it (an edge
 * source pulsed when an event is queued, and again after check-exception
 * while more are pending).
 */
#define SPAPR_IRQ_HOTPLUG           0x1001
/* Machine create / destroy: claim / free the event source interrupt. */
bool spapr_events_init(Error **errp);
void spapr_events_fini(void);
void spapr_event_hotplug(uint8_t type, uint8_t action, uint8_t id_type,
                         uint32_t count, uint32_t index);
void spapr_events_reset(void);
unsigned spapr_events_pending(void);
int spapr_events_fdt(void *fdt);

#endif
