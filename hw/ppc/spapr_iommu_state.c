/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Migration of a TCE table: its geometry and the entries that are set.
 *
 * Layout (big-endian):
 *   be32 liobn, u8 enabled
 *   enabled only: u8 page_shift, be64 bus_offset, be64 nb_entries,
 *                 be64 nb_set, then runs: be32 n (0 ends), be64 index,
 *                 n x be64 tce
 *
 * Only set entries travel: a 2^40-byte window with 1 GiB mapped costs
 * what is mapped.  Runs are at most one batch long, so on load each
 * becomes one notification and a VFIO listener one host mapping call.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "hw/ppc/spapr_iommu.h"
#include "migration/vmstate.h"
#include "trace.h"

#define TCE_RUN_MAX     512

static bool tce_save_run(uint64_t index, const uint64_t *tces, unsigned n,
                         void *opaque)
{
    GByteArray *out = opaque;
    unsigned i;

    mig_put_be32(out, n);
    mig_put_be64(out, index);
    for (i = 0; i < n; i++) {
        mig_put_be64(out, tces[i]);
    }
    return true;
}

void spapr_tce_table_save(SpaprTceTable *tcet, GByteArray *out)
{
    bool enabled = spapr_tce_table_enabled(tcet);

    mig_put_be32(out, spapr_tce_table_liobn(tcet));
    mig_put_u8(out, enabled);
    if (!enabled) {
        return;
    }
    mig_put_u8(out, spapr_tce_table_page_shift(tcet));
    mig_put_be64(out, spapr_tce_table_bus_offset(tcet));
    mig_put_be64(out, spapr_tce_table_nb_entries(tcet));
    mig_put_be64(out, spapr_tce_table_nb_set(tcet));
    spapr_tce_table_foreach_run(tcet, tce_save_run, out);
    mig_put_be32(out, 0);
    trace_spapr_iommu_state_save(spapr_tce_table_liobn(tcet),
                                 spapr_tce_table_nb_set(tcet));
}

/* One run: checked whole before any of it is stored. */
static bool tce_load_run(SpaprTceTable *tcet, MigReader *in, unsigned n,
                         Error **errp)
{
    uint32_t liobn = spapr_tce_table_liobn(tcet);
    uint64_t nb = spapr_tce_table_nb_entries(tcet);
    uint64_t index = mig_get_be64(in);
    uint64_t tces[TCE_RUN_MAX];
    unsigned i;

    if (n > TCE_RUN_MAX) {
        error_setg(errp, "TCE table 0x%x: run of %u entries (at most %u)",
                   liobn, n, TCE_RUN_MAX);
        return false;
    }
    for (i = 0; i < n; i++) {
        tces[i] = mig_get_be64(in);
    }
    if (!mig_reader_ok(in, errp)) {
        return false;
    }
    if (index >= nb || n > nb - index) {
        error_setg(errp, "TCE table 0x%x: entries 0x%" PRIx64 "+%u outside "
                   "the window (0x%" PRIx64 " entries)", liobn, index, n,
                   nb);
        return false;
    }
    for (i = 0; i < n; i++) {
        if (!tces[i] || !spapr_tce_valid(tcet, tces[i])) {
            error_setg(errp, "TCE table 0x%x: entry 0x%" PRIx64 " = 0x%"
                       PRIx64 " is not a valid TCE for this machine "
                       "(unaligned, or not guest RAM)", liobn, index + i,
                       tces[i]);
            return false;
        }
    }
    spapr_tce_put_batch(tcet, index, tces, n);
    return true;
}

bool spapr_tce_table_load(SpaprTceTable *tcet, MigReader *in,
                          uint64_t page_size_mask, Error **errp)
{
    uint32_t liobn = mig_get_be32(in);
    bool enabled = mig_get_u8(in);
    unsigned page_shift;
    uint64_t bus_offset, nb_entries, nb_set;
    uint32_t n;

    if (!mig_reader_ok(in, errp)) {
        return false;
    }
    if (liobn != spapr_tce_table_liobn(tcet)) {
        error_setg(errp, "TCE table 0x%x expected, the stream has 0x%x",
                   spapr_tce_table_liobn(tcet), liobn);
        return false;
    }
    spapr_tce_table_disable(tcet);
    if (!enabled) {
        trace_spapr_iommu_state_load(liobn, 0, 0, 0, 0);
        return true;
    }
    page_shift = mig_get_u8(in);
    bus_offset = mig_get_be64(in);
    nb_entries = mig_get_be64(in);
    nb_set = mig_get_be64(in);
    if (!mig_reader_ok(in, errp)) {
        return false;
    }
    if (page_shift > 63 || !(page_size_mask & (1ULL << page_shift))) {
        error_setg(errp, "TCE table 0x%x: page shift %u is not offered by "
                   "this PHB (page sizes 0x%" PRIx64 ")", liobn, page_shift,
                   page_size_mask);
        return false;
    }
    if (!spapr_tce_table_enable(tcet, page_shift, bus_offset, nb_entries,
                                errp)) {
        return false;
    }
    while ((n = mig_get_be32(in)) != 0) {
        if (!tce_load_run(tcet, in, n, errp)) {
            return false;
        }
    }
    if (!mig_reader_ok(in, errp)) {
        return false;
    }
    if (spapr_tce_table_nb_set(tcet) != nb_set) {
        error_setg(errp, "TCE table 0x%x: %" PRIu64 " entries announced, "
                   "%" PRIu64 " sent", liobn, nb_set,
                   spapr_tce_table_nb_set(tcet));
        return false;
    }
    trace_spapr_iommu_state_load(liobn, page_shift, bus_offset, nb_entries,
                                 nb_set);
    return true;
}
