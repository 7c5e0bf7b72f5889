/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Migration of the interrupt controller (the "ics" device's section).
 */
#include "qemu/osdep.h"
#include "migration/vmstate.h"
#include "spapr_irq_internal.h"
#include "trace.h"

static SpaprIrqSource *spapr_irq_at(uint32_t irq)
{
    return spapr_irq_in_range(irq) ? &spapr_irq_sources[irq - SPAPR_IRQ_BASE]
                                   : NULL;
}

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

    mig_put_u8(out, spapr_icp.cppr);
    mig_put_be32(out, spapr_icp.xisr);
    mig_put_u8(out, spapr_icp.pending_priority);
    mig_put_u8(out, spapr_icp.mfrr);
    for (i = 0; i < SPAPR_IRQ_NR; i++) {
        n += spapr_irq_sources[i].type != SPAPR_IRQ_TYPE_NONE;
    }
    mig_put_be32(out, n);
    for (i = 0; i < SPAPR_IRQ_NR; i++) {
        SpaprIrqSource *s = &spapr_irq_sources[i];

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
        SpaprIrqSource *s = spapr_irq_at(irq);

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
            spapr_irq_source_init(s, type);
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
    spapr_icp.cppr = cppr;
    spapr_icp.xisr = xisr;
    spapr_icp.pending_priority = pending;
    spapr_icp.mfrr = mfrr;
    trace_spapr_irq_load(n, cppr, xisr);
    return mig_reader_finish(in, errp);
}
