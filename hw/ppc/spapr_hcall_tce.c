/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * TCE hypercalls: H_PUT_TCE, H_GET_TCE, H_STUFF_TCE, H_PUT_TCE_INDIRECT.
 *
 * Every check happens before anything is written, except that
 * H_PUT_TCE_INDIRECT stops at the first bad list entry and keeps the
 * entries before it (PAPR).  A TCE that is misaligned or grants access
 * to something other than guest RAM is refused with H_PARAMETER, and
 * so is an H_STUFF_TCE or H_PUT_TCE_INDIRECT of zero pages (PAPR gives
 * npages a range starting at 1).
 */
#include "qemu/osdep.h"
#include "exec/ram.h"
#include "hw/qdev.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_iommu.h"
#include "trace.h"

/* Entries one TCE list page holds. */
#define SPAPR_TCE_LIST_MAX  (SPAPR_TCE_PAGE_SIZE / sizeof(uint64_t))

static SpaprTceTable *tce_table_get(uint64_t liobn)
{
    SpaprTceTable *tcet;

    if (liobn > UINT32_MAX) {
        return NULL;
    }
    tcet = spapr_tce_find_by_liobn(liobn);
    /* A disabled table has no entries: to the guest it does not exist. */
    return tcet && spapr_tce_table_enabled(tcet) ? tcet : NULL;
}

/*
 * Index of the entry @ioba names (rounded down to the page size) when
 * it and the @npages after it lie inside the table.
 */
static bool tce_index(SpaprTceTable *tcet, uint64_t ioba, uint64_t npages,
                      uint64_t *index)
{
    unsigned shift = spapr_tce_table_page_shift(tcet);
    uint64_t offset = spapr_tce_table_bus_offset(tcet);
    uint64_t nb = spapr_tce_table_nb_entries(tcet);
    uint64_t i;

    ioba &= ~((1ULL << shift) - 1);
    if (ioba < offset) {
        return false;
    }
    i = (ioba - offset) >> shift;
    if (i >= nb || npages > nb - i) {
        return false;
    }
    *index = i;
    return true;
}

static int64_t spapr_h_put_tce(SpaprMachineState *spapr, const uint64_t *args,
                        uint64_t *out, unsigned *nout)
{
    uint64_t liobn = args[0], ioba = args[1], tce = args[2];
    SpaprTceTable *tcet = tce_table_get(liobn);
    uint64_t index;
    int64_t ret = H_PARAMETER;

    if (tcet && tce_index(tcet, ioba, 1, &index) &&
        spapr_tce_valid(tcet, tce)) {
        spapr_tce_put_batch(tcet, index, &tce, 1);
        ret = H_SUCCESS;
    }
    trace_spapr_iommu_put(liobn, ioba, tce, ret);
    return ret;
}

static int64_t spapr_h_get_tce(SpaprMachineState *spapr, const uint64_t *args,
                        uint64_t *out, unsigned *nout)
{
    uint64_t liobn = args[0], ioba = args[1];
    SpaprTceTable *tcet = tce_table_get(liobn);
    uint64_t index;

    if (!tcet || !tce_index(tcet, ioba, 1, &index)) {
        trace_spapr_iommu_get(liobn, ioba, H_PARAMETER, 0);
        return H_PARAMETER;
    }
    out[0] = spapr_tce_get(tcet, index);
    *nout = 1;
    trace_spapr_iommu_get(liobn, ioba, H_SUCCESS, out[0]);
    return H_SUCCESS;
}

static int64_t spapr_h_stuff_tce(SpaprMachineState *spapr, const uint64_t *args,
                          uint64_t *out, unsigned *nout)
{
    uint64_t liobn = args[0], ioba = args[1], tce = args[2];
    uint64_t npages = args[3];
    SpaprTceTable *tcet = tce_table_get(liobn);
    uint64_t index;
    int64_t ret = H_PARAMETER;

    if (npages && tcet && tce_index(tcet, ioba, npages, &index) &&
        spapr_tce_valid(tcet, tce)) {
        spapr_tce_stuff(tcet, index, tce, npages);
        ret = H_SUCCESS;
    }
    trace_spapr_iommu_stuff(liobn, ioba, tce, npages, ret);
    return ret;
}

static int64_t spapr_h_put_tce_indirect(SpaprMachineState *spapr,
                                 const uint64_t *args, uint64_t *out,
                                 unsigned *nout)
{
    uint64_t liobn = args[0], ioba = args[1], tce_list = args[2];
    uint64_t npages = args[3];
    uint64_t tces[SPAPR_TCE_LIST_MAX];
    SpaprTceTable *tcet;
    uint64_t index;
    unsigned good;
    int64_t ret = H_PARAMETER;

    tcet = tce_table_get(liobn);
    if (!npages || npages > SPAPR_TCE_LIST_MAX || !tcet ||
        !QEMU_IS_ALIGNED(tce_list, SPAPR_TCE_PAGE_SIZE) ||
        !tce_index(tcet, ioba, npages, &index)) {
        goto out;
    }
    /* The list must be guest memory: RAM, readable. */
    if (address_space_read(&address_space_memory, tce_list,
                           MEMTXATTRS_UNSPECIFIED, tces,
                           npages * sizeof(tces[0])) != MEMTX_OK) {
        goto out;
    }
    for (good = 0; good < npages; good++) {
        tces[good] = GUINT64_FROM_BE(tces[good]);
        if (!spapr_tce_valid(tcet, tces[good])) {
            break;
        }
    }
    /* The entries before a bad one are written, as PAPR says. */
    spapr_tce_put_batch(tcet, index, tces, good);
    ret = good == npages ? H_SUCCESS : H_PARAMETER;
out:
    trace_spapr_iommu_indirect(liobn, ioba, tce_list, npages, ret);
    return ret;
}

static void spapr_hcall_tce_register(void)
{
    spapr_register_hypercall(H_PUT_TCE, spapr_h_put_tce);
    spapr_register_hypercall(H_GET_TCE, spapr_h_get_tce);
    spapr_register_hypercall(H_STUFF_TCE, spapr_h_stuff_tce);
    spapr_register_hypercall(H_PUT_TCE_INDIRECT, spapr_h_put_tce_indirect);
}
type_init(spapr_hcall_tce_register)
