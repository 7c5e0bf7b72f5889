/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The pseries interrupt controller, XICS style (see docs/interrupts.md).
 *
 * Sources (the ICS) have global numbers from SPAPR_IRQ_BASE; each is
 * level (LSI: PCI INTx) or edge (MSI) and has a server, a priority
 * (0xff = masked) and the priority ibm,int-off saved.  The presentation
 * side (the ICP) exists for server 0 only, since there is no CPU: the
 * guest model accepts with H_XIRR and ends with H_EOI.
 *
 * Numbering (as QEMU's pseries):
 *   0x2                IPI (H_IPI), presented by the ICP only
 *   0x1200 + 4 i + n   LSI for INTx line n (A-D) of PHB index i
 *   0x1300 .. 0x1fff   MSI/MSI-X blocks, allocated by ibm,change-msi
 */
#ifndef HW_PPC_SPAPR_IRQ_H
#define HW_PPC_SPAPR_IRQ_H

#include "qemu/osdep.h"
#include "qemu/error.h"

#define TYPE_SPAPR_ICS              "ics"

#define SPAPR_IRQ_BASE              0x1000
#define SPAPR_IRQ_NR                0x1000
#define SPAPR_IRQ_PCI_LSI           (SPAPR_IRQ_BASE + 0x200)
#define SPAPR_IRQ_MSI               (SPAPR_IRQ_BASE + 0x300)
#define SPAPR_IRQ_IPI               0x2
#define SPAPR_IRQ_PRIORITY_MASKED   0xff
/* The one interrupt server (ibm,interrupt-server-ranges = <0 1>). */
#define SPAPR_IRQ_NR_SERVERS        1

/* Hypercalls of the presentation side */
#define H_EOI                       0x64
#define H_CPPR                      0x68
#define H_IPI                       0x6C
#define H_XIRR                      0x74

static inline uint32_t spapr_phb_lsi_irq(uint32_t phb_index, int intx)
{
    return SPAPR_IRQ_PCI_LSI + phb_index * 4 + intx;
}

typedef enum SpaprIrqType {
    SPAPR_IRQ_TYPE_NONE,        /* not claimed */
    SPAPR_IRQ_TYPE_LSI,
    SPAPR_IRQ_TYPE_MSI,
} SpaprIrqType;

/* What a query shows of one claimed source. */
typedef struct SpaprIrqSourceInfo {
    uint32_t irq;
    SpaprIrqType type;
    uint32_t server;
    uint8_t priority;
    uint8_t saved_priority;
    bool asserted;              /* LSI level, or MSI pending while masked */
    bool presented;             /* at the ICP: pending or in service */
    uint64_t count;             /* times it was raised (input side) */
    uint64_t owner_buid;        /* MSI: the device the block is for */
    uint32_t owner_cfg;         /* bus << 16 | devfn << 8 */
    bool owner_msix;
} SpaprIrqSourceInfo;

/* Is @irq a source number of the controller (claimed or not)? */
static inline bool spapr_irq_in_range(uint32_t irq)
{
    return irq >= SPAPR_IRQ_BASE && irq < SPAPR_IRQ_BASE + SPAPR_IRQ_NR;
}

/* Claim one source; fails if taken or out of range. */
bool spapr_irq_claim(uint32_t irq, bool lsi, Error **errp);
/* Free @n sources from @irq: masked, level low, out of the ICP. */
void spapr_irq_free(uint32_t irq, unsigned n);
SpaprIrqType spapr_irq_type(uint32_t irq);
/*
 * Claim @n consecutive MSI sources for the device @buid/@cfg; aligned
 * to @n rounded up to a power of two when @align (plain MSI: the
 * device ORs the vector into the data).  Returns the first, or 0 when
 * no such block is free.
 */
uint32_t spapr_irq_msi_alloc(unsigned n, bool align, uint64_t buid,
                             uint32_t cfg, bool msix);
/* The MSI block of a device: first number and count (0 when none). */
unsigned spapr_irq_msi_find(uint64_t buid, uint32_t cfg, uint32_t *first,
                            bool *msix);

/* Inputs: an LSI's level; an edge source fires. */
void spapr_irq_set_level(uint32_t irq, int level);
void spapr_irq_pulse(uint32_t irq);
/* The guest EOIed an LSI: @fn runs (the PHB tells its devices). */
void spapr_irq_set_eoi_notifier(uint32_t irq,
                                void (*fn)(uint32_t irq, void *opaque),
                                void *opaque);

/* XIVE, as the RTAS calls see it.  Return RTAS status codes. */
int spapr_irq_set_xive(uint32_t irq, uint32_t server, uint32_t priority);
int spapr_irq_get_xive(uint32_t irq, uint32_t *server, uint32_t *priority);
int spapr_irq_int_off(uint32_t irq);
int spapr_irq_int_on(uint32_t irq);

/* Presentation (server 0).  Return hcall codes. */
uint64_t spapr_icp_accept(void);                  /* H_XIRR */
int64_t spapr_icp_eoi(uint32_t xirr);             /* H_EOI */
int64_t spapr_icp_set_cppr(uint32_t cppr);        /* H_CPPR */
int64_t spapr_icp_set_mfrr(uint32_t server, uint32_t mfrr); /* H_IPI */
void spapr_icp_state(uint8_t *cppr, uint32_t *xisr, uint8_t *pending,
                     uint8_t *mfrr);

/*
 * Observers (qtest irq_intercept_in / _out): @fn(irq, level) for every
 * change of a source's input (in: LSI level, each MSI as 1 then 0) or
 * of what it delivers to the presentation side (out: the same, but
 * only while the source is unmasked; an MSI that fired masked arrives
 * when it is unmasked).  NULL @fn removes it.
 */
typedef void (*SpaprIrqObserver)(uint32_t irq, int level, void *opaque);
void spapr_irq_set_observer(bool out, SpaprIrqObserver fn, void *opaque);

/* Every claimed source, in number order. */
void spapr_irq_foreach(void (*fn)(const SpaprIrqSourceInfo *info,
                                  void *opaque), void *opaque);
bool spapr_irq_info(uint32_t irq, SpaprIrqSourceInfo *info);
/* The controller device exists (the machine made it). */
bool spapr_irq_controller_present(void);
/* Machine reset: every source masked, the ICP idle. */
void spapr_irq_reset(void);

/* Migration: sources and ICP (the controller device's section). */
typedef struct MigReader MigReader;
void spapr_irq_save(GByteArray *out);
bool spapr_irq_load(MigReader *in, Error **errp);

#endif
