/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Interrupts of a PHB: its four INTx LSIs, the MSI window in its DMA
 * address space, and RTAS ibm,change-msi / ibm,query-interrupt-source-
 * number, which allocate a block of MSI sources for a device and
 * program the device's MSI or MSI-X capability the way PAPR firmware
 * does.  See docs/interrupts.md.
 *
 * MSI window encoding: a message is a 4-byte little-endian write of
 * the global interrupt number anywhere in [SPAPR_PCI_MSI_WINDOW,
 * + SPAPR_PCI_MSI_WINDOW_SIZE) of the PHB's DMA address space.  The
 * window sits above the default DMA window and below the 64-bit one
 * and has priority over both, so a message never reaches RAM.
 */
#include "qemu/osdep.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_irq.h"
#include "hw/ppc/spapr_pci.h"
#include "trace.h"

/* ibm,change-msi functions (PAPR 7.3.10.5.1) */
#define RTAS_MSI_FN_QUERY       0
#define RTAS_MSI_FN_CHANGE      1   /* MSI, else MSI-X */
#define RTAS_MSI_FN_RESET       2   /* back to LSI: free everything */
#define RTAS_MSI_FN_MSI         3
#define RTAS_MSI_FN_MSIX        4
/* rets[3]: what the device was set to */
#define RTAS_MSI_TYPE_NONE      0
#define RTAS_MSI_TYPE_MSI       1
#define RTAS_MSI_TYPE_MSIX      2

/* ------------------------------------------------------------- INTx */

static void spapr_phb_lsi_eoi(uint32_t irq, void *opaque)
{
    SpaprPhbState *sphb = opaque;

    pci_bus_intx_eoi(&sphb->bus, irq - spapr_phb_lsi_irq(sphb->index, 0));
}

void spapr_phb_set_irq(PCIBus *bus, int intx, int level)
{
    SpaprPhbState *sphb = bus->host;

    spapr_irq_set_level(spapr_phb_lsi_irq(sphb->index, intx), level);
}

/* -------------------------------------------------------- MSI window */

static uint64_t spapr_msi_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void spapr_msi_write(void *opaque, hwaddr addr, uint64_t data,
                            unsigned size)
{
    SpaprPhbState *sphb = opaque;

    trace_spapr_pci_msi_write(sphb->index, addr, data);
    spapr_irq_pulse(data);
}

static const MemoryRegionOps spapr_msi_ops = {
    .read = spapr_msi_read,
    .write = spapr_msi_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

bool spapr_phb_irq_init(SpaprPhbState *sphb, const char *owner,
                        Error **errp)
{
    int intx;

    for (intx = 0; intx < PCI_NUM_PINS; intx++) {
        uint32_t irq = spapr_phb_lsi_irq(sphb->index, intx);

        if (!spapr_irq_claim(irq, true, errp)) {
            spapr_irq_free(spapr_phb_lsi_irq(sphb->index, 0), intx);
            return false;
        }
        spapr_irq_set_eoi_notifier(irq, spapr_phb_lsi_eoi, sphb);
    }
    memory_region_init_io(&sphb->msiwindow, owner, &spapr_msi_ops, sphb,
                          "msi", SPAPR_PCI_MSI_WINDOW_SIZE);
    memory_region_add_subregion_overlap(&sphb->dma_root, sphb->msi_win_addr,
                                        &sphb->msiwindow, 1);
    return true;
}

/* Every MSI block of the PHB's devices. */
static void spapr_phb_msi_free_all(SpaprPhbState *sphb)
{
    unsigned devfn;

    for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        uint32_t first;
        bool msix;
        unsigned n = spapr_irq_msi_find(sphb->buid, devfn << 8, &first,
                                        &msix);

        if (n) {
            spapr_irq_free(first, n);
        }
    }
}

void spapr_phb_irq_fini(SpaprPhbState *sphb)
{
    spapr_phb_msi_free_all(sphb);
    spapr_irq_free(spapr_phb_lsi_irq(sphb->index, 0), PCI_NUM_PINS);
    memory_region_del_subregion(&sphb->dma_root, &sphb->msiwindow);
    memory_region_unref(&sphb->msiwindow);
}

void spapr_phb_irq_reset(SpaprPhbState *sphb)
{
    spapr_phb_msi_free_all(sphb);
}

void spapr_phb_irq_device_gone(SpaprPhbState *sphb, PCIDevice *dev)
{
    uint32_t first;
    bool msix;
    unsigned n = spapr_irq_msi_find(sphb->buid, dev->devfn << 8, &first,
                                    &msix);

    if (n) {
        spapr_irq_free(first, n);
    }
}

/* ------------------------------------------------------------- RTAS */

/* What firmware writes into the device: vector i -> source first + i. */
static void spapr_msi_program(SpaprPhbState *sphb, PCIDevice *dev,
                              bool msix, uint32_t first, unsigned n)
{
    MSIMessage msg = { .address = first ? sphb->msi_win_addr : 0 };
    unsigned i;

    if (!msix) {
        msg.data = first;
        msi_set_message(dev, msg, n);
        return;
    }
    for (i = 0; i < n; i++) {
        msg.data = first ? first + i : 0;
        msix_set_message(dev, i, msg);
    }
}

static PCIDevice *spapr_msi_find_dev(uint64_t buid, uint32_t cfg,
                                     SpaprPhbState **sphb)
{
    *sphb = spapr_phb_find_by_buid(buid);
    if (!*sphb) {
        return NULL;
    }
    return pci_bus_find_device(&(*sphb)->bus, (cfg >> 16) & 0xff,
                               (cfg >> 8) & 0xff);
}

static void rtas_msi_done(hwaddr rets, uint32_t nret, unsigned n,
                          uint32_t seq, unsigned type)
{
    rtas_st(rets, 0, RTAS_OUT_SUCCESS);
    rtas_st(rets, 1, n);
    rtas_st(rets, 2, seq + 1);
    if (nret > 3) {
        rtas_st(rets, 3, type);
    }
}

/*
 * args: config_addr, buid hi, buid lo, function, requested, seq
 * rets: status, number of interrupts, seq + 1, [type]
 */
static void rtas_ibm_change_msi(SpaprMachineState *spapr, uint32_t token,
                                uint32_t nargs, hwaddr args, uint32_t nret,
                                hwaddr rets)
{
    uint32_t cfg, func, req, seq, first = 0, cur_first = 0;
    unsigned cur_n, max, type;
    bool cur_msix = false, msix;
    SpaprPhbState *sphb;
    PCIDevice *dev;
    uint64_t buid;

    if (nargs != 6 || (nret != 3 && nret != 4)) {
        if (nret >= 1) {
            rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        }
        return;
    }
    cfg = rtas_ld(args, 0);
    buid = (uint64_t)rtas_ld(args, 1) << 32 | rtas_ld(args, 2);
    func = rtas_ld(args, 3);
    req = rtas_ld(args, 4);
    seq = rtas_ld(args, 5);
    trace_spapr_pci_change_msi(buid, cfg, func, req);
    dev = spapr_msi_find_dev(buid, cfg, &sphb);
    if (!dev) {
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        return;
    }
    cur_n = spapr_irq_msi_find(sphb->buid, dev->devfn << 8, &cur_first,
                               &cur_msix);
    switch (func) {
    case RTAS_MSI_FN_QUERY:
        rtas_msi_done(rets, nret, cur_n, seq, !cur_n ? RTAS_MSI_TYPE_NONE :
                      cur_msix ? RTAS_MSI_TYPE_MSIX : RTAS_MSI_TYPE_MSI);
        return;
    case RTAS_MSI_FN_RESET:
        req = 0;
        /* fall through */
    case RTAS_MSI_FN_CHANGE:
        if (!msi_present(dev) && !msix_present(dev)) {
            rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        msix = !msi_present(dev);
        break;
    case RTAS_MSI_FN_MSI:
    case RTAS_MSI_FN_MSIX:
        msix = func == RTAS_MSI_FN_MSIX;
        if (msix ? !msix_present(dev) : !msi_present(dev)) {
            rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        break;
    default:
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        return;
    }

    if (!req) {
        /* Free: nothing allocated is a hardware error, as in QEMU. */
        if (!cur_n) {
            rtas_st(rets, 0, RTAS_OUT_HW_ERROR);
            return;
        }
        spapr_msi_program(sphb, dev, cur_msix, 0, cur_n);
        spapr_irq_free(cur_first, cur_n);
        rtas_msi_done(rets, nret, 0, seq, RTAS_MSI_TYPE_NONE);
        return;
    }
    /* The other kind while one is allocated: free first (double enable). */
    if (cur_n && cur_msix != msix) {
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        return;
    }
    type = msix ? RTAS_MSI_TYPE_MSIX : RTAS_MSI_TYPE_MSI;
    max = msix ? msix_nr_vectors(dev) : msi_nr_vectors_allocated(dev);
    /* More than the device has: say how many, allocate nothing. */
    if (req > max) {
        rtas_msi_done(rets, nret, max, seq, type);
        return;
    }
    /* Asked again: a new block replaces the old one (as QEMU does). */
    first = spapr_irq_msi_alloc(req, !msix, sphb->buid, dev->devfn << 8,
                                msix);
    if (!first) {
        rtas_st(rets, 0, RTAS_OUT_HW_ERROR);
        return;
    }
    if (cur_n) {
        spapr_msi_program(sphb, dev, cur_msix, 0, cur_n);
        spapr_irq_free(cur_first, cur_n);
    }
    spapr_msi_program(sphb, dev, msix, first, req);
    rtas_msi_done(rets, nret, req, seq, type);
}

/*
 * args: config_addr, buid hi, buid lo, ioa interrupt number
 * rets: status, global number, 1 (edge)
 */
static void rtas_ibm_query_interrupt_source_number(
    SpaprMachineState *spapr, uint32_t token, uint32_t nargs, hwaddr args,
    uint32_t nret, hwaddr rets)
{
    uint32_t cfg, ioa, first = 0;
    SpaprPhbState *sphb;
    PCIDevice *dev;
    uint64_t buid;
    unsigned n;
    bool msix;

    if (nargs != 4 || nret != 3) {
        if (nret >= 1) {
            rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        }
        return;
    }
    cfg = rtas_ld(args, 0);
    buid = (uint64_t)rtas_ld(args, 1) << 32 | rtas_ld(args, 2);
    ioa = rtas_ld(args, 3);
    dev = spapr_msi_find_dev(buid, cfg, &sphb);
    n = dev ? spapr_irq_msi_find(sphb->buid, dev->devfn << 8, &first, &msix)
            : 0;
    if (ioa >= n) {
        rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        return;
    }
    trace_spapr_pci_query_irq(buid, cfg, ioa, first + ioa);
    rtas_st(rets, 0, RTAS_OUT_SUCCESS);
    rtas_st(rets, 1, first + ioa);
    rtas_st(rets, 2, 1);
}

static void spapr_pci_msi_register(void)
{
    spapr_rtas_register(RTAS_IBM_CHANGE_MSI, "ibm,change-msi",
                        rtas_ibm_change_msi);
    spapr_rtas_register(RTAS_IBM_QUERY_INTERRUPT_SOURCE_NUMBER,
                        "ibm,query-interrupt-source-number",
                        rtas_ibm_query_interrupt_source_number);
}
type_init(spapr_pci_msi_register)
