/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Dynamic DMA windows: ibm,query-pe-dma-window, ibm,create-pe-dma-window,
 * ibm,remove-pe-dma-window, ibm,reset-pe-dma-window.
 *
 * A PHB has two DMA windows (TCE tables); window 0 is the default 1 GiB
 * window with 4 KiB pages.  The numbers and the order of the checks are
 * those of QEMU 7.2, which pseries guests are written against.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "hw/qdev.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_pci.h"
#include "trace.h"

/* "Largest block of TCEs" the query reports: 2^37 / 2^31 (5 returns). */
#define DDW_LARGEST_BLOCK_64    (1ULL << 37)
#define DDW_LARGEST_BLOCK_32    0x80000000U

/* Page size (log2) -> bit of the query's page-size mask (LoPAPR). */
static const struct {
    unsigned shift;
    uint32_t bit;
} ddw_page_masks[] = {
    { 12, 0x01 }, { 16, 0x02 }, { 24, 0x04 }, { 25, 0x08 }, { 26, 0x10 },
    { 27, 0x20 }, { 28, 0x40 }, { 34, 0x80 }, { 21, 0x100 },
};

static uint32_t ddw_query_mask(uint64_t page_size_mask)
{
    uint32_t mask = 0;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(ddw_page_masks); i++) {
        if (page_size_mask & (1ULL << ddw_page_masks[i].shift)) {
            mask |= ddw_page_masks[i].bit;
        }
    }
    return mask;
}

/* The PHB a call names by (buid_hi, buid_lo) in args 1 and 2. */
static void ddw_param_error(uint32_t nret, hwaddr rets)
{
    if (nret >= 1) {
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
    }
}

/*
 * The PHB a PE call names (config_addr, buid_hi, buid_lo), when the
 * argument counts were right (@counts_ok) and the PHB has DDW on; else
 * the call's status is a parameter error and the result NULL.
 */
static SpaprPhbState *ddw_phb(bool counts_ok, hwaddr args, uint32_t nret,
                              hwaddr rets)
{
    SpaprPhbState *sphb = NULL;

    if (counts_ok) {
        sphb = spapr_phb_find_by_buid((uint64_t)rtas_ld(args, 1) << 32 |
                                      rtas_ld(args, 2));
    }
    if (!sphb || !sphb->ddw_enabled) {
        ddw_param_error(nret, rets);
        return NULL;
    }
    return sphb;
}

static bool ddw_place(SpaprPhbState *sphb, unsigned shift, uint64_t *addr);
static bool ddw_devices_accept(SpaprPhbState *sphb, uint64_t start,
                               uint64_t size, unsigned page_shift,
                               bool quiet);

/* Shift of the window a query probes with: beyond any 32-bit window. */
#define DDW_PROBE_SHIFT 33

/*
 * Could the devices behind @sphb take one more window?  Asked with a
 * window where the next create would put it, larger than any default
 * window, with the PHB's smallest page: a device whose host IOMMU has
 * only its default window (v1) refuses it, so the guest is told there
 * is none instead of being refused later.
 */
static bool ddw_devices_can_add(SpaprPhbState *sphb)
{
    uint64_t addr;
    unsigned shift;

    if (!sphb->page_size_mask) {
        return false;
    }
    shift = __builtin_ctzll(sphb->page_size_mask);
    if (!ddw_place(sphb, DDW_PROBE_SHIFT, &addr)) {
        return true;            /* the create answers for itself */
    }
    return ddw_devices_accept(sphb, addr, 1ULL << DDW_PROBE_SHIFT, shift,
                              true);
}

static void rtas_ibm_query_pe_dma_window(SpaprMachineState *spapr, uint32_t token,
                                  uint32_t nargs, hwaddr args,
                                  uint32_t nret, hwaddr rets)
{
    SpaprPhbState *sphb;
    unsigned avail;
    uint32_t pgmask;

    sphb = ddw_phb(nargs == 3 && (nret == 5 || nret == 6), args, nret, rets);
    if (!sphb) {
        return;
    }
    avail = SPAPR_PCI_DMA_MAX_WINDOWS - spapr_phb_active_windows(sphb);
    if (avail && !ddw_devices_can_add(sphb)) {
        /* A device that cannot mirror a window (v1 host IOMMU). */
        avail = 0;
    }
    pgmask = ddw_query_mask(sphb->page_size_mask);
    rtas_st(rets, 0, RTAS_OUT_SUCCESS);
    rtas_st(rets, 1, avail);
    if (nret == 6) {
        rtas_st(rets, 2, DDW_LARGEST_BLOCK_64 >> 32);
        rtas_st(rets, 3, (uint32_t)DDW_LARGEST_BLOCK_64);
        rtas_st(rets, 4, pgmask);
        rtas_st(rets, 5, 0);    /* not migration capable */
    } else {
        rtas_st(rets, 2, DDW_LARGEST_BLOCK_32);
        rtas_st(rets, 3, pgmask);
        rtas_st(rets, 4, 0);
    }
    trace_spapr_iommu_ddw_query(sphb->buid, rtas_ld(args, 0), avail, pgmask);
}

/* Would a 2^@shift-byte window at @addr wrap or overlap an active one? */
static bool ddw_overlaps(SpaprPhbState *sphb, uint64_t addr, unsigned shift)
{
    uint64_t end;
    unsigned i;

    if (shift >= 64) {
        if (addr) {
            return true;
        }
        end = UINT64_MAX;
    } else {
        end = addr + ((1ULL << shift) - 1);
        if (end < addr) {
            return true;        /* wraps: no room at this address */
        }
    }
    for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
        SpaprTceTable *t = sphb->tables[i];
        uint64_t start, last;

        if (!spapr_tce_table_enabled(t)) {
            continue;
        }
        start = spapr_tce_table_bus_offset(t);
        last = start + (spapr_tce_table_nb_entries(t) <<
                        spapr_tce_table_page_shift(t)) - 1;
        if (addr <= last && start <= end) {
            return true;
        }
    }
    return false;
}

/*
 * Where a new window goes: dma_win_addr when no window is active, else
 * dma64_win_addr (as PAPR guests expect).  When the active window is a
 * dynamic one that already sits at dma64_win_addr (the guest removed
 * the default window first), the new one takes dma_win_addr instead of
 * landing on top of it; if neither place is free the create fails.
 */
static bool ddw_place(SpaprPhbState *sphb, unsigned shift, uint64_t *addr)
{
    uint64_t first = spapr_phb_active_windows(sphb) ? sphb->dma64_win_addr
                                                     : sphb->dma_win_addr;

    if (!ddw_overlaps(sphb, first, shift)) {
        *addr = first;
        return true;
    }
    if (first != sphb->dma_win_addr &&
        !ddw_overlaps(sphb, sphb->dma_win_addr, shift)) {
        *addr = sphb->dma_win_addr;
        return true;
    }
    return false;
}

typedef struct DDWCheck {
    uint64_t start, size;
    unsigned page_shift;
    bool quiet;                 /* a query's probe: nothing to log */
    bool refused;
} DDWCheck;

static void ddw_device_check(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    DDWCheck *chk = opaque;
    Error *err = NULL;

    if (chk->refused || !dev->pcic->dma_window_check) {
        return;
    }
    if (!dev->pcic->dma_window_check(dev, chk->start, chk->size,
                                     chk->page_shift, &err)) {
        /* The guest sees a hardware error; the reason goes to the log. */
        trace_spapr_iommu_ddw_refused(error_get_pretty(err));
        if (!chk->quiet) {
            warn_report("DDW create refused: %s", error_get_pretty(err));
        }
        error_free(err);
        chk->refused = true;
    }
}

/*
 * Every device behind the PHB must be able to use the window (a VFIO
 * device mirrors it into the host IOMMU): asking before the table is
 * enabled lets the guest fall back to its default window instead of
 * finding a device that cannot reach memory.
 */
static bool ddw_devices_accept(SpaprPhbState *sphb, uint64_t start,
                               uint64_t size, unsigned page_shift,
                               bool quiet)
{
    DDWCheck chk = { start, size, page_shift, quiet, false };

    pci_bus_foreach_device(&sphb->bus, ddw_device_check, &chk);
    return !chk.refused;
}

/*
 * Enable @tcet as the new window, in a checked transaction: a listener
 * that cannot follow (a VFIO container whose host refuses the window:
 * TCE_CREATE failing, too few levels, ...) posts its error, and the
 * window is taken back so the guest's windows are exactly as before
 * and the guest is told before it uses a window no device can reach.
 */
static bool ddw_enable_checked(SpaprTceTable *tcet, uint32_t page_shift,
                               uint64_t win_addr, uint64_t nb_entries)
{
    Error *err = NULL;
    bool ok;

    memory_region_transaction_begin_checked();
    ok = spapr_tce_table_enable(tcet, page_shift, win_addr, nb_entries,
                                &err);
    if (!memory_region_transaction_commit_checked(ok ? &err : NULL)) {
        if (ok) {
            trace_spapr_iommu_ddw_refused(error_get_pretty(err));
            warn_report("DDW create refused: %s", error_get_pretty(err));
            spapr_tce_table_disable(tcet);
            ok = false;
        }
    }
    error_free(err);
    return ok;
}

static void rtas_ibm_create_pe_dma_window(SpaprMachineState *spapr, uint32_t token,
                                   uint32_t nargs, hwaddr args,
                                   uint32_t nret, hwaddr rets)
{
    SpaprPhbState *sphb;
    SpaprTceTable *tcet = NULL;
    uint32_t page_shift, window_shift;
    uint64_t win_addr;
    unsigned i;

    sphb = ddw_phb(nargs == 5 && nret == 4, args, nret, rets);
    if (!sphb) {
        return;
    }
    page_shift = rtas_ld(args, 3);
    window_shift = rtas_ld(args, 4);
    trace_spapr_iommu_ddw_create(sphb->buid, rtas_ld(args, 0), page_shift,
                                 window_shift);
    if (page_shift > 63 || !(sphb->page_size_mask & (1ULL << page_shift)) ||
        window_shift < page_shift) {
        ddw_param_error(nret, rets);
        return;
    }
    /* The first disabled table gets the window: its LIOBN is ours. */
    for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
        if (!spapr_tce_table_enabled(sphb->tables[i])) {
            tcet = sphb->tables[i];
            break;
        }
    }
    if (!tcet) {
        rtas_st(rets, 0, RTAS_OUT_HW_ERROR);
        return;
    }
    if (window_shift > 64 || !ddw_place(sphb, window_shift, &win_addr)) {
        rtas_st(rets, 0, RTAS_OUT_HW_ERROR);
        return;
    }
    if (window_shift < 64 &&
        !ddw_devices_accept(sphb, win_addr, 1ULL << window_shift,
                            page_shift, false)) {
        rtas_st(rets, 0, RTAS_OUT_HW_ERROR);
        return;
    }
    if (window_shift - page_shift > 63 ||
        !ddw_enable_checked(tcet, page_shift, win_addr,
                            1ULL << (window_shift - page_shift))) {
        rtas_st(rets, 0, RTAS_OUT_HW_ERROR);
        return;
    }
    trace_spapr_iommu_ddw_created(spapr_tce_table_liobn(tcet), win_addr,
                                  spapr_tce_table_nb_entries(tcet));
    rtas_st(rets, 0, RTAS_OUT_SUCCESS);
    rtas_st(rets, 1, spapr_tce_table_liobn(tcet));
    rtas_st(rets, 2, win_addr >> 32);
    rtas_st(rets, 3, (uint32_t)win_addr);
}

static void rtas_ibm_remove_pe_dma_window(SpaprMachineState *spapr, uint32_t token,
                                   uint32_t nargs, hwaddr args,
                                   uint32_t nret, hwaddr rets)
{
    SpaprPhbState *sphb = NULL;
    SpaprTceTable *tcet;
    uint32_t liobn;
    bool restore;
    GList *l;

    if (nargs != 1 || nret != 1) {
        ddw_param_error(nret, rets);
        return;
    }
    liobn = rtas_ld(args, 0);
    tcet = spapr_tce_find_by_liobn(liobn);
    for (l = spapr_phb_list(); tcet && l; l = l->next) {
        SpaprPhbState *p = l->data;

        if (p->tables[0] == tcet || p->tables[1] == tcet) {
            sphb = p;
        }
    }
    if (!tcet || !sphb || !sphb->ddw_enabled ||
        !spapr_tce_table_enabled(tcet)) {
        ddw_param_error(nret, rets);
        return;
    }
    spapr_tce_table_disable(tcet);
    /*
     * PAPR: removing the last window brings the default one back, unless
     * the guest just removed the default window itself.
     */
    restore = !spapr_phb_active_windows(sphb) && tcet != sphb->tables[0];
    if (restore) {
        spapr_phb_dma_reset(sphb);
    }
    trace_spapr_iommu_ddw_remove(liobn, restore);
    rtas_st(rets, 0, RTAS_OUT_SUCCESS);
}

static void rtas_ibm_reset_pe_dma_window(SpaprMachineState *spapr, uint32_t token,
                                  uint32_t nargs, hwaddr args,
                                  uint32_t nret, hwaddr rets)
{
    SpaprPhbState *sphb;

    sphb = ddw_phb(nargs == 3 && nret == 1, args, nret, rets);
    if (!sphb) {
        return;
    }
    trace_spapr_iommu_ddw_reset(sphb->buid);
    spapr_phb_dma_reset(sphb);
    /* Back to the default window: a failed VFIO container may recover. */
    spapr_phb_dma_recover(sphb);
    rtas_st(rets, 0, RTAS_OUT_SUCCESS);
}

static void spapr_rtas_ddw_register(void)
{
    spapr_rtas_register(RTAS_IBM_QUERY_PE_DMA_WINDOW,
                        "ibm,query-pe-dma-window",
                        rtas_ibm_query_pe_dma_window);
    spapr_rtas_register(RTAS_IBM_CREATE_PE_DMA_WINDOW,
                        "ibm,create-pe-dma-window",
                        rtas_ibm_create_pe_dma_window);
    spapr_rtas_register(RTAS_IBM_REMOVE_PE_DMA_WINDOW,
                        "ibm,remove-pe-dma-window",
                        rtas_ibm_remove_pe_dma_window);
    spapr_rtas_register(RTAS_IBM_RESET_PE_DMA_WINDOW,
                        "ibm,reset-pe-dma-window",
                        rtas_ibm_reset_pe_dma_window);
}
type_init(spapr_rtas_ddw_register)
