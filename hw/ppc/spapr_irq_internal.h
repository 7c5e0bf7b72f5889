/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The interrupt controller's state, shared by spapr_irq.c (what the
 * guest and devices do with it) and spapr_irq_state.c (migration).
 */
#ifndef HW_PPC_SPAPR_IRQ_INTERNAL_H
#define HW_PPC_SPAPR_IRQ_INTERNAL_H

#include "hw/ppc/spapr_irq.h"

typedef struct SpaprIrqSource {
    uint8_t type;               /* SpaprIrqType */
    uint8_t priority;
    uint8_t saved_priority;
    uint32_t server;
    bool level;                 /* LSI input */
    bool out;                   /* LSI: output line told to observers */
    bool presented;             /* pending at the ICP or in service */
    bool rejected;              /* MSI: send again when there is room */
    bool masked_pending;        /* MSI fired while masked */
    uint64_t count;
    uint64_t owner_buid;
    uint32_t owner_cfg;
    bool owner_msix;
    void (*eoi_fn)(uint32_t irq, void *opaque);
    void *eoi_opaque;
} SpaprIrqSource;

typedef struct SpaprIcp {
    uint8_t cppr;
    uint32_t xisr;              /* 0: nothing pending */
    uint8_t pending_priority;
    uint8_t mfrr;
} SpaprIcp;

extern SpaprIrqSource spapr_irq_sources[SPAPR_IRQ_NR];
extern SpaprIcp spapr_icp;

/* A fresh source of @type: masked, low, no owner. */
void spapr_irq_source_init(SpaprIrqSource *s, SpaprIrqType type);

#endif
