/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The interrupt source controller (ICS) and the presentation controller
 * (ICP) of server 0, XICS style.  See include/hw/ppc/spapr_irq.h.
 *
 * A source reaches the ICP when it is unmasked and raised (an LSI with
 * its level high, an MSI that fired).  The ICP holds one pending source
 * (XISR) with its priority; a source less favoured than the CPPR or the
 * one pending is rejected and sent again when the CPPR drops or an EOI
 * makes room (rejected MSIs remember it; an LSI is sent again while
 * its level is high).  H_XIRR accepts: the CPPR takes the pending
 * priority and the source is in service until H_EOI.
 */
#include "qemu/osdep.h"
#include "hw/ppc/spapr.h"
#include "spapr_irq_internal.h"
#include "trace.h"

SpaprIrqSource spapr_irq_sources[SPAPR_IRQ_NR];
SpaprIcp spapr_icp = { .pending_priority = 0xff, .mfrr = 0xff };
static SpaprIrqObserver observer[2];
static void *observer_opaque[2];

static SpaprIrqSource *irq_src(uint32_t irq)
{
    if (!spapr_irq_in_range(irq)) {
        return NULL;
    }
    return &spapr_irq_sources[irq - SPAPR_IRQ_BASE];
}

/* A claimed source, or NULL. */
static SpaprIrqSource *irq_claimed(uint32_t irq)
{
    SpaprIrqSource *s = irq_src(irq);

    return s && s->type != SPAPR_IRQ_TYPE_NONE ? s : NULL;
}

static void irq_observe(bool out, uint32_t irq, int level)
{
    if (observer[out]) {
        observer[out](irq, level, observer_opaque[out]);
    }
}

void spapr_irq_set_observer(bool out, SpaprIrqObserver fn, void *opaque)
{
    observer[out] = fn;
    observer_opaque[out] = fn ? opaque : NULL;
}

/* --------------------------------------------------------------- ICP */

static void icp_reject_pending(void)
{
    uint32_t old = spapr_icp.xisr;
    SpaprIrqSource *s = irq_claimed(old);

    spapr_icp.xisr = 0;
    spapr_icp.pending_priority = 0xff;
    if (s) {
        trace_spapr_irq_reject(old);
        s->presented = false;
        if (s->type == SPAPR_IRQ_TYPE_MSI) {
            s->rejected = true;
        }
    }
    /* A rejected IPI stays in MFRR and comes back on resend. */
}

/*
 * Offer @irq at @priority to the ICP: true when it is now pending there,
 * false when it was rejected (too low against CPPR or what is pending).
 */
static bool icp_offer(uint32_t irq, uint8_t priority)
{
    if (priority >= spapr_icp.cppr ||
        (spapr_icp.xisr && priority >= spapr_icp.pending_priority)) {
        return false;
    }
    if (spapr_icp.xisr) {
        icp_reject_pending();
    }
    spapr_icp.xisr = irq;
    spapr_icp.pending_priority = priority;
    trace_spapr_irq_present(irq, priority, spapr_icp.cppr);
    return true;
}

static void ics_deliver(uint32_t irq, SpaprIrqSource *s)
{
    if (s->presented) {
        /*
         * Still pending at the ICP: the two edges are one.  Accepted and
         * not yet EOIed: this edge is rejected, resent after the EOI.
         */
        if (s->type == SPAPR_IRQ_TYPE_MSI && spapr_icp.xisr != irq) {
            s->rejected = true;
        }
        return;
    }
    if (icp_offer(irq, s->priority)) {
        s->presented = true;
        s->rejected = false;
    } else if (s->type == SPAPR_IRQ_TYPE_MSI) {
        s->rejected = true;
    }
}

/* Send again what was rejected or is still high; the ICP keeps the best. */
static void ics_resend(void)
{
    unsigned i;

    if (spapr_icp.mfrr < spapr_icp.cppr && spapr_icp.xisr != SPAPR_IRQ_IPI) {
        icp_offer(SPAPR_IRQ_IPI, spapr_icp.mfrr);
    }
    for (i = 0; i < SPAPR_IRQ_NR; i++) {
        SpaprIrqSource *s = &spapr_irq_sources[i];

        if (s->presented || s->priority == SPAPR_IRQ_PRIORITY_MASKED) {
            continue;
        }
        if ((s->type == SPAPR_IRQ_TYPE_MSI && s->rejected) ||
            (s->type == SPAPR_IRQ_TYPE_LSI && s->level)) {
            ics_deliver(SPAPR_IRQ_BASE + i, s);
        }
    }
}

uint64_t spapr_icp_accept(void)
{
    uint64_t xirr = (uint64_t)spapr_icp.cppr << 24 | spapr_icp.xisr;

    if (spapr_icp.xisr) {
        spapr_icp.cppr = spapr_icp.pending_priority;
        spapr_icp.xisr = 0;
        spapr_icp.pending_priority = 0xff;
    }
    trace_spapr_irq_accept(xirr);
    return xirr;
}

int64_t spapr_icp_eoi(uint32_t xirr)
{
    uint32_t irq = xirr & 0xffffff;
    SpaprIrqSource *s = irq_claimed(irq);

    if (irq && irq != SPAPR_IRQ_IPI && !s) {
        return H_PARAMETER;
    }
    spapr_icp.cppr = xirr >> 24;
    trace_spapr_irq_eoi(irq, spapr_icp.cppr);
    if (s) {
        s->presented = false;
        if (s->type == SPAPR_IRQ_TYPE_LSI && s->eoi_fn) {
            /* VFIO unmasks the host INTx here; its level may follow. */
            s->eoi_fn(irq, s->eoi_opaque);
        }
    }
    /* A pending source less favoured than the new CPPR goes back. */
    if (spapr_icp.xisr && spapr_icp.pending_priority >= spapr_icp.cppr) {
        icp_reject_pending();
    }
    ics_resend();
    return H_SUCCESS;
}

int64_t spapr_icp_set_cppr(uint32_t cppr)
{
    uint8_t old = spapr_icp.cppr;

    if (cppr > 0xff) {
        return H_PARAMETER;
    }
    spapr_icp.cppr = cppr;
    if (cppr < old) {
        if (spapr_icp.xisr && spapr_icp.pending_priority >= cppr) {
            icp_reject_pending();
        }
    } else {
        ics_resend();
    }
    return H_SUCCESS;
}

int64_t spapr_icp_set_mfrr(uint32_t server, uint32_t mfrr)
{
    if (server >= SPAPR_IRQ_NR_SERVERS || mfrr > 0xff) {
        return H_PARAMETER;
    }
    spapr_icp.mfrr = mfrr;
    if (mfrr < spapr_icp.cppr && spapr_icp.xisr != SPAPR_IRQ_IPI) {
        icp_offer(SPAPR_IRQ_IPI, mfrr);
    }
    return H_SUCCESS;
}

void spapr_icp_state(uint8_t *cppr, uint32_t *xisr, uint8_t *pending,
                     uint8_t *mfrr)
{
    *cppr = spapr_icp.cppr;
    *xisr = spapr_icp.xisr;
    *pending = spapr_icp.pending_priority;
    *mfrr = spapr_icp.mfrr;
}

/* --------------------------------------------------------------- ICS */

/* An LSI's output: its level while unmasked. */
static void ics_lsi_update(uint32_t irq, SpaprIrqSource *s)
{
    bool out = s->level && s->priority != SPAPR_IRQ_PRIORITY_MASKED;

    if (out != s->out) {
        s->out = out;
        irq_observe(true, irq, out);
    }
    if (out) {
        ics_deliver(irq, s);
    }
}

static void ics_msi_fire(uint32_t irq, SpaprIrqSource *s)
{
    irq_observe(true, irq, 1);
    irq_observe(true, irq, 0);
    ics_deliver(irq, s);
}

void spapr_irq_set_level(uint32_t irq, int level)
{
    SpaprIrqSource *s = irq_claimed(irq);

    if (!s || s->type != SPAPR_IRQ_TYPE_LSI || s->level == !!level) {
        return;
    }
    s->level = !!level;
    s->count += s->level;
    trace_spapr_irq_set_level(irq, s->level, s->priority);
    irq_observe(false, irq, s->level);
    ics_lsi_update(irq, s);
}

void spapr_irq_pulse(uint32_t irq)
{
    SpaprIrqSource *s = irq_claimed(irq);

    if (!s) {
        trace_spapr_irq_spurious(irq);
        return;
    }
    if (s->type == SPAPR_IRQ_TYPE_LSI) {
        /* A message naming a level source: raise and drop it. */
        spapr_irq_set_level(irq, 1);
        spapr_irq_set_level(irq, 0);
        return;
    }
    s->count++;
    trace_spapr_irq_pulse(irq, s->priority);
    irq_observe(false, irq, 1);
    irq_observe(false, irq, 0);
    if (s->priority == SPAPR_IRQ_PRIORITY_MASKED) {
        s->masked_pending = true;
        return;
    }
    ics_msi_fire(irq, s);
}

/* After a priority change: what is waiting may go now. */
static void ics_unmasked(uint32_t irq, SpaprIrqSource *s)
{
    if (s->type == SPAPR_IRQ_TYPE_LSI) {
        ics_lsi_update(irq, s);
    } else if (s->priority != SPAPR_IRQ_PRIORITY_MASKED &&
               s->masked_pending) {
        s->masked_pending = false;
        ics_msi_fire(irq, s);
    }
}

int spapr_irq_set_xive(uint32_t irq, uint32_t server, uint32_t priority)
{
    SpaprIrqSource *s = irq_claimed(irq);

    if (!s || server >= SPAPR_IRQ_NR_SERVERS || priority > 0xff) {
        return RTAS_OUT_PARAM_ERROR;
    }
    s->server = server;
    s->priority = s->saved_priority = priority;
    trace_spapr_irq_xive(irq, server, priority);
    ics_unmasked(irq, s);
    return RTAS_OUT_SUCCESS;
}

int spapr_irq_get_xive(uint32_t irq, uint32_t *server, uint32_t *priority)
{
    SpaprIrqSource *s = irq_claimed(irq);

    if (!s) {
        return RTAS_OUT_PARAM_ERROR;
    }
    *server = s->server;
    *priority = s->priority;
    return RTAS_OUT_SUCCESS;
}

int spapr_irq_int_off(uint32_t irq)
{
    SpaprIrqSource *s = irq_claimed(irq);

    if (!s) {
        return RTAS_OUT_PARAM_ERROR;
    }
    /* Twice off keeps the first saved priority. */
    if (s->priority != SPAPR_IRQ_PRIORITY_MASKED) {
        s->saved_priority = s->priority;
    }
    s->priority = SPAPR_IRQ_PRIORITY_MASKED;
    trace_spapr_irq_xive(irq, s->server, s->priority);
    if (s->type == SPAPR_IRQ_TYPE_LSI) {
        ics_lsi_update(irq, s);
    }
    return RTAS_OUT_SUCCESS;
}

int spapr_irq_int_on(uint32_t irq)
{
    SpaprIrqSource *s = irq_claimed(irq);

    if (!s) {
        return RTAS_OUT_PARAM_ERROR;
    }
    s->priority = s->saved_priority;
    trace_spapr_irq_xive(irq, s->server, s->priority);
    ics_unmasked(irq, s);
    return RTAS_OUT_SUCCESS;
}

/* ------------------------------------------------------- allocation */

void spapr_irq_source_init(SpaprIrqSource *s, SpaprIrqType type)
{
    memset(s, 0, sizeof(*s));
    s->type = type;
    s->priority = s->saved_priority = SPAPR_IRQ_PRIORITY_MASKED;
}

bool spapr_irq_claim(uint32_t irq, bool lsi, Error **errp)
{
    SpaprIrqSource *s = irq_src(irq);

    if (!s) {
        error_setg(errp, "interrupt 0x%x is outside the controller's "
                   "range 0x%x..0x%x", irq, SPAPR_IRQ_BASE,
                   SPAPR_IRQ_BASE + SPAPR_IRQ_NR - 1);
        return false;
    }
    if (s->type != SPAPR_IRQ_TYPE_NONE) {
        error_setg(errp, "interrupt 0x%x is already in use", irq);
        return false;
    }
    spapr_irq_source_init(s, lsi ? SPAPR_IRQ_TYPE_LSI : SPAPR_IRQ_TYPE_MSI);
    trace_spapr_irq_claim(irq, lsi);
    return true;
}

void spapr_irq_free(uint32_t irq, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        SpaprIrqSource *s = irq_src(irq + i);

        if (!s || s->type == SPAPR_IRQ_TYPE_NONE) {
            continue;
        }
        if (s->out) {
            irq_observe(true, irq + i, 0);
        }
        if (spapr_icp.xisr == irq + i) {
            spapr_icp.xisr = 0;
            spapr_icp.pending_priority = 0xff;
        }
        spapr_irq_source_init(s, SPAPR_IRQ_TYPE_NONE);
        trace_spapr_irq_free(irq + i);
    }
}

SpaprIrqType spapr_irq_type(uint32_t irq)
{
    SpaprIrqSource *s = irq_src(irq);

    return s ? s->type : SPAPR_IRQ_TYPE_NONE;
}

uint32_t spapr_irq_msi_alloc(unsigned n, bool align, uint64_t buid,
                             uint32_t cfg, bool msix)
{
    uint32_t step = 1, first, i;

    while (align && step < n) {
        step <<= 1;
    }
    if (!n) {
        return 0;
    }
    for (first = QEMU_ALIGN_UP(SPAPR_IRQ_MSI, step);
         first + n <= SPAPR_IRQ_BASE + SPAPR_IRQ_NR; first += step) {
        for (i = 0; i < n; i++) {
            if (irq_claimed(first + i)) {
                break;
            }
        }
        if (i < n) {
            continue;
        }
        for (i = 0; i < n; i++) {
            SpaprIrqSource *s =
                &spapr_irq_sources[first + i - SPAPR_IRQ_BASE];

            spapr_irq_source_init(s, SPAPR_IRQ_TYPE_MSI);
            s->owner_buid = buid;
            s->owner_cfg = cfg;
            s->owner_msix = msix;
        }
        trace_spapr_irq_msi_alloc(buid, cfg, first, n, msix);
        return first;
    }
    return 0;
}

unsigned spapr_irq_msi_find(uint64_t buid, uint32_t cfg, uint32_t *first,
                            bool *msix)
{
    unsigned i, n = 0;

    for (i = SPAPR_IRQ_MSI - SPAPR_IRQ_BASE; i < SPAPR_IRQ_NR; i++) {
        SpaprIrqSource *s = &spapr_irq_sources[i];

        if (s->type != SPAPR_IRQ_TYPE_MSI || s->owner_buid != buid ||
            s->owner_cfg != cfg) {
            if (n) {
                break;
            }
            continue;
        }
        if (!n) {
            *first = SPAPR_IRQ_BASE + i;
            *msix = s->owner_msix;
        }
        n++;
    }
    return n;
}

void spapr_irq_set_eoi_notifier(uint32_t irq,
                                void (*fn)(uint32_t irq, void *opaque),
                                void *opaque)
{
    SpaprIrqSource *s = irq_claimed(irq);

    if (s) {
        s->eoi_fn = fn;
        s->eoi_opaque = opaque;
    }
}

/* ------------------------------------------------------------ query */

static void irq_fill_info(uint32_t irq, const SpaprIrqSource *s,
                          SpaprIrqSourceInfo *info)
{
    info->irq = irq;
    info->type = s->type;
    info->server = s->server;
    info->priority = s->priority;
    info->saved_priority = s->saved_priority;
    info->asserted = s->type == SPAPR_IRQ_TYPE_LSI ? s->level
                                                   : s->masked_pending;
    info->presented = s->presented || spapr_icp.xisr == irq;
    info->count = s->count;
    info->owner_buid = s->owner_buid;
    info->owner_cfg = s->owner_cfg;
    info->owner_msix = s->owner_msix;
}

bool spapr_irq_info(uint32_t irq, SpaprIrqSourceInfo *info)
{
    SpaprIrqSource *s = irq_claimed(irq);

    if (!s) {
        return false;
    }
    irq_fill_info(irq, s, info);
    return true;
}

void spapr_irq_foreach(void (*fn)(const SpaprIrqSourceInfo *info,
                                  void *opaque), void *opaque)
{
    unsigned i;

    for (i = 0; i < SPAPR_IRQ_NR; i++) {
        SpaprIrqSourceInfo info;

        if (spapr_irq_sources[i].type == SPAPR_IRQ_TYPE_NONE) {
            continue;
        }
        irq_fill_info(SPAPR_IRQ_BASE + i, &spapr_irq_sources[i], &info);
        fn(&info, opaque);
    }
}

void spapr_irq_reset(void)
{
    unsigned i;

    for (i = 0; i < SPAPR_IRQ_NR; i++) {
        SpaprIrqSource *s = &spapr_irq_sources[i];

        if (s->type == SPAPR_IRQ_TYPE_NONE) {
            continue;
        }
        if (s->out) {
            irq_observe(true, SPAPR_IRQ_BASE + i, 0);
            s->out = false;
        }
        s->priority = s->saved_priority = SPAPR_IRQ_PRIORITY_MASKED;
        s->server = 0;
        s->presented = s->rejected = s->masked_pending = false;
    }
    spapr_icp.cppr = 0;
    spapr_icp.xisr = 0;
    spapr_icp.pending_priority = 0xff;
    spapr_icp.mfrr = 0xff;
    trace_spapr_irq_reset();
}
