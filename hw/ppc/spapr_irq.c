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
#include "hw/ppc/spapr_irq.h"
#include "migration/vmstate.h"
#include "trace.h"

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

static SpaprIrqSource irq_sources[SPAPR_IRQ_NR];
static SpaprIcp icp = { .pending_priority = 0xff, .mfrr = 0xff };
static SpaprIrqObserver observer[2];
static void *observer_opaque[2];

static SpaprIrqSource *irq_src(uint32_t irq)
{
    if (!spapr_irq_in_range(irq)) {
        return NULL;
    }
    return &irq_sources[irq - SPAPR_IRQ_BASE];
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
    uint32_t old = icp.xisr;
    SpaprIrqSource *s = irq_claimed(old);

    icp.xisr = 0;
    icp.pending_priority = 0xff;
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
    if (priority >= icp.cppr ||
        (icp.xisr && priority >= icp.pending_priority)) {
        return false;
    }
    if (icp.xisr) {
        icp_reject_pending();
    }
    icp.xisr = irq;
    icp.pending_priority = priority;
    trace_spapr_irq_present(irq, priority, icp.cppr);
    return true;
}

static void ics_deliver(uint32_t irq, SpaprIrqSource *s)
{
    if (s->presented) {
        /*
         * Still pending at the ICP: the two edges are one.  Accepted and
         * not yet EOIed: this edge is rejected, resent after the EOI.
         */
        if (s->type == SPAPR_IRQ_TYPE_MSI && icp.xisr != irq) {
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

/* Send again what was rejected or is still asserted, most favoured last. */
static void ics_resend(void)
{
    unsigned i;

    if (icp.mfrr < icp.cppr && icp.xisr != SPAPR_IRQ_IPI) {
        icp_offer(SPAPR_IRQ_IPI, icp.mfrr);
    }
    for (i = 0; i < SPAPR_IRQ_NR; i++) {
        SpaprIrqSource *s = &irq_sources[i];

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
    uint64_t xirr = (uint64_t)icp.cppr << 24 | icp.xisr;

    if (icp.xisr) {
        icp.cppr = icp.pending_priority;
        icp.xisr = 0;
        icp.pending_priority = 0xff;
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
    icp.cppr = xirr >> 24;
    trace_spapr_irq_eoi(irq, icp.cppr);
    if (s) {
        s->presented = false;
        if (s->type == SPAPR_IRQ_TYPE_LSI && s->eoi_fn) {
            /* VFIO unmasks the host INTx here; its level may follow. */
            s->eoi_fn(irq, s->eoi_opaque);
        }
    }
    /* A pending source less favoured than the new CPPR goes back. */
    if (icp.xisr && icp.pending_priority >= icp.cppr) {
        icp_reject_pending();
    }
    ics_resend();
    return H_SUCCESS;
}

int64_t spapr_icp_set_cppr(uint32_t cppr)
{
    uint8_t old = icp.cppr;

    if (cppr > 0xff) {
        return H_PARAMETER;
    }
    icp.cppr = cppr;
    if (cppr < old) {
        if (icp.xisr && icp.pending_priority >= cppr) {
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
    icp.mfrr = mfrr;
    if (mfrr < icp.cppr && icp.xisr != SPAPR_IRQ_IPI) {
        icp_offer(SPAPR_IRQ_IPI, mfrr);
    }
    return H_SUCCESS;
}

void spapr_icp_state(uint8_t *cppr, uint32_t *xisr, uint8_t *pending,
                     uint8_t *mfrr)
{
    *cppr = icp.cppr;
    *xisr = icp.xisr;
    *pending = icp.pending_priority;
    *mfrr = icp.mfrr;
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

static void irq_source_init(SpaprIrqSource *s, SpaprIrqType type)
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
    irq_source_init(s, lsi ? SPAPR_IRQ_TYPE_LSI : SPAPR_IRQ_TYPE_MSI);
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
        if (icp.xisr == irq + i) {
            icp.xisr = 0;
            icp.pending_priority = 0xff;
        }
        irq_source_init(s, SPAPR_IRQ_TYPE_NONE);
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
            SpaprIrqSource *s = &irq_sources[first + i - SPAPR_IRQ_BASE];

            irq_source_init(s, SPAPR_IRQ_TYPE_MSI);
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
        SpaprIrqSource *s = &irq_sources[i];

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
    info->presented = s->presented || icp.xisr == irq;
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

        if (irq_sources[i].type == SPAPR_IRQ_TYPE_NONE) {
            continue;
        }
        irq_fill_info(SPAPR_IRQ_BASE + i, &irq_sources[i], &info);
        fn(&info, opaque);
    }
}

void spapr_irq_reset(void)
{
    unsigned i;

    for (i = 0; i < SPAPR_IRQ_NR; i++) {
        SpaprIrqSource *s = &irq_sources[i];

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
    icp.cppr = 0;
    icp.xisr = 0;
    icp.pending_priority = 0xff;
    icp.mfrr = 0xff;
    trace_spapr_irq_reset();
}

/* ------------------------------------------------------- migration */

/*
 * The state of every claimed source and the ICP, for the controller
 * device's section (spapr_irq_dev.c).  Layout (big-endian):
 *   u8 cppr, be32 xisr, u8 pending priority, u8 mfrr, be32 n sources,
 *   n x { be32 irq, u8 type, u8 priority, u8 saved, be32 server,
 *         u8 flags (level, presented, rejected, masked_pending, msix),
 *         be64 count, be64 owner buid, be32 owner cfg }
 */
void spapr_irq_save(GByteArray *out)
{
    unsigned i, n = 0;

    mig_put_u8(out, icp.cppr);
    mig_put_be32(out, icp.xisr);
    mig_put_u8(out, icp.pending_priority);
    mig_put_u8(out, icp.mfrr);
    for (i = 0; i < SPAPR_IRQ_NR; i++) {
        n += irq_sources[i].type != SPAPR_IRQ_TYPE_NONE;
    }
    mig_put_be32(out, n);
    for (i = 0; i < SPAPR_IRQ_NR; i++) {
        SpaprIrqSource *s = &irq_sources[i];

        if (s->type == SPAPR_IRQ_TYPE_NONE) {
            continue;
        }
        mig_put_be32(out, SPAPR_IRQ_BASE + i);
        mig_put_u8(out, s->type);
        mig_put_u8(out, s->priority);
        mig_put_u8(out, s->saved_priority);
        mig_put_be32(out, s->server);
        mig_put_u8(out, s->level | s->presented << 1 | s->rejected << 2 |
                   s->masked_pending << 3 | s->owner_msix << 4);
        mig_put_be64(out, s->count);
        mig_put_be64(out, s->owner_buid);
        mig_put_be32(out, s->owner_cfg);
    }
}

bool spapr_irq_load(MigReader *in, Error **errp)
{
    uint8_t cppr = mig_get_u8(in);
    uint32_t xisr = mig_get_be32(in);
    uint8_t pending = mig_get_u8(in);
    uint8_t mfrr = mig_get_u8(in);
    uint32_t n = mig_get_be32(in), i;

    if (!mig_reader_ok(in, errp)) {
        return false;
    }
    if (n > SPAPR_IRQ_NR) {
        error_setg(errp, "%u interrupt sources in the stream (at most %u)",
                   n, SPAPR_IRQ_NR);
        return false;
    }
    for (i = 0; i < n; i++) {
        uint32_t irq = mig_get_be32(in);
        uint8_t type = mig_get_u8(in);
        uint8_t prio = mig_get_u8(in);
        uint8_t saved = mig_get_u8(in);
        uint32_t server = mig_get_be32(in);
        uint8_t flags = mig_get_u8(in);
        uint64_t count = mig_get_be64(in);
        uint64_t buid = mig_get_be64(in);
        uint32_t cfg = mig_get_be32(in);
        SpaprIrqSource *s = irq_src(irq);

        if (!mig_reader_ok(in, errp)) {
            return false;
        }
        if (!s || (type != SPAPR_IRQ_TYPE_LSI && type != SPAPR_IRQ_TYPE_MSI) ||
            server >= SPAPR_IRQ_NR_SERVERS) {
            error_setg(errp, "interrupt 0x%x: bad source in the stream "
                       "(type %u, server %u)", irq, type, server);
            return false;
        }
        /* LSIs are the PHBs': the same command line made the same. */
        if (s->type != SPAPR_IRQ_TYPE_NONE && s->type != type) {
            error_setg(errp, "interrupt 0x%x is of another type here", irq);
            return false;
        }
        if (s->type == SPAPR_IRQ_TYPE_NONE) {
            irq_source_init(s, type);
        }
        s->priority = prio;
        s->saved_priority = saved;
        s->server = server;
        s->level = flags & 1;
        s->presented = flags & 2;
        s->rejected = flags & 4;
        s->masked_pending = flags & 8;
        s->owner_msix = flags & 16;
        s->count = count;
        s->owner_buid = buid;
        s->owner_cfg = cfg;
        s->out = s->type == SPAPR_IRQ_TYPE_LSI && s->level &&
                 prio != SPAPR_IRQ_PRIORITY_MASKED;
    }
    icp.cppr = cppr;
    icp.xisr = xisr;
    icp.pending_priority = pending;
    icp.mfrr = mfrr;
    trace_spapr_irq_load(n, cppr, xisr);
    return mig_reader_finish(in, errp);
}
