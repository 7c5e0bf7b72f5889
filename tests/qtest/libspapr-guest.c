/*
 * The guest half of the pseries guest model: what a pseries Linux kernel
 * does through hcalls and RTAS to use a PCI device's DMA, driven over
 * qtest.  The machine half (starting spapr-vfio under vfio-sim) is in
 * guest/vsim-machine.c, the dma-engine driver in guest/dma-engine.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <string.h>
#include "libspapr-guest.h"

/* Low RAM the model keeps for itself (below GUEST_RESERVED). */
#define GUEST_RTAS_BUF      UINT64_C(0x1000)    /* RTAS call block */
#define GUEST_TCE_LIST      UINT64_C(0x2000)    /* TCE list page */

#define TCES_PER_LIST       512
#define SPAPR_PHB_BUID0     0x800000020000000ULL
#define SPAPR_LIOBN(i, n)   (0x80000000U | (uint32_t)(i) << 8 | (n))
#define SPAPR_MMIO_BASE     (1ULL << 45)
#define SPAPR_PIO_SIZE      0x10000ULL
#define SPAPR_MMIO32_SIZE   0x80000000ULL
#define SPAPR_MMIO32_PCI    0x80000000ULL
#define SPAPR_MAX_PHBS      31

#define PCI_VENDOR_ID       0x00
#define PCI_COMMAND         0x04
#define PCI_HEADER_TYPE     0x0e
#define PCI_BAR0            0x10
#define PCI_CMD_IO          0x1
#define PCI_CMD_MEMORY      0x2
#define PCI_CMD_MASTER      0x4

/*
 * The on-demand allocator of one PHB's default window: a bitmap of the
 * window's IOMMU pages.  Page 0 is never handed out so that a bus
 * address of 0 can mean failure.
 */
typedef struct GuestDefaultWindow {
    bool probed;
    GuestWindow win;
    uint64_t npages;
    uint64_t *used;             /* bitmap, npages bits */
    uint64_t hint;
    /* DDWs this guest created on the PHB, to know when the default
     * window comes back (removing the last other window restores it). */
    uint32_t ddw_liobn[2];
    unsigned nddw;
} GuestDefaultWindow;

struct SpaprGuest {
    QTestState *qts;
    uint64_t ram_size;
    uint64_t alloc_next;
    GuestStats stats;
    GuestDefaultWindow dw[SPAPR_MAX_PHBS];
};

static bool is_pow2_u64(uint64_t v)
{
    return v && !(v & (v - 1));
}

SpaprGuest *guest_new(QTestState *qts, uint64_t ram_size)
{
    SpaprGuest *g = g_new0(SpaprGuest, 1);

    g_assert(ram_size > GUEST_RESERVED);
    g->qts = qts;
    g->ram_size = ram_size;
    g->alloc_next = GUEST_RESERVED;
    return g;
}

void guest_free(SpaprGuest *g)
{
    unsigned i;

    if (!g) {
        return;
    }
    for (i = 0; i < SPAPR_MAX_PHBS; i++) {
        g_free(g->dw[i].used);
    }
    g_free(g);
}

const GuestStats *guest_stats(SpaprGuest *g)
{
    return &g->stats;
}

QTestState *guest_qts(SpaprGuest *g)
{
    return g->qts;
}

uint64_t guest_ram_size(SpaprGuest *g)
{
    return g->ram_size;
}

uint64_t guest_alloc(SpaprGuest *g, uint64_t size, uint64_t align)
{
    uint64_t at;

    if (!align) {
        align = 1;
    }
    g_assert(is_pow2_u64(align));
    at = (g->alloc_next + align - 1) & ~(align - 1);
    if (at < g->alloc_next || !size || size > g->ram_size ||
        at > g->ram_size - size) {
        return 0;
    }
    g->alloc_next = at + size;
    return at;
}

/* ------------------------------------------------------------- RTAS */

int32_t guest_rtas(SpaprGuest *g, const char *name, uint32_t nargs,
                   const uint32_t *args, uint32_t nret, uint32_t *rets)
{
    uint32_t buf[32];
    uint64_t rets_addr = GUEST_RTAS_BUF + 4ULL * nargs;
    g_autofree char *reply = NULL;
    uint32_t i;

    g_assert(nargs + nret <= G_N_ELEMENTS(buf) && nret >= 1);
    /* One write for the arguments, one read for the results. */
    for (i = 0; i < nargs; i++) {
        buf[i] = GUINT32_TO_BE(args[i]);
    }
    for (i = 0; i < nret; i++) {
        buf[nargs + i] = GUINT32_TO_BE(0xdeadbeef);
    }
    qtest_memwrite(g->qts, GUEST_RTAS_BUF, buf, 4 * (nargs + nret));
    reply = qtest_command(g->qts, "rtas %s %u 0x%" PRIx64 " %u 0x%" PRIx64,
                          name, nargs, GUEST_RTAS_BUF, nret, rets_addr);
    g->stats.rtas_calls++;
    if (strcmp(reply, "OK 0") != 0) {
        g_error("guest_rtas %s: reply '%s'", name, reply);
    }
    qtest_memread(g->qts, rets_addr, buf, 4 * nret);
    for (i = 0; i < nret; i++) {
        rets[i] = GUINT32_FROM_BE(buf[i]);
    }
    return (int32_t)rets[0];
}

static void buid_words(uint64_t buid, uint32_t *hi, uint32_t *lo)
{
    *hi = buid >> 32;
    *lo = (uint32_t)buid;
}

/* config_addr with the register, extended bits 8-11 in bits 28-31. */
static uint32_t cfg_addr(uint32_t config_addr, unsigned reg)
{
    return config_addr | (reg & 0xff) | ((uint32_t)(reg & 0xf00) << 20);
}

bool guest_config_read(SpaprGuest *g, uint64_t buid, uint32_t config_addr,
                       unsigned reg, unsigned size, uint32_t *value)
{
    uint32_t args[4], rets[2];

    args[0] = cfg_addr(config_addr, reg);
    buid_words(buid, &args[1], &args[2]);
    args[3] = size;
    if (guest_rtas(g, "ibm,read-pci-config", 4, args, 2, rets) != 0) {
        return false;
    }
    *value = rets[1];
    return true;
}

bool guest_config_write(SpaprGuest *g, uint64_t buid, uint32_t config_addr,
                        unsigned reg, unsigned size, uint32_t value)
{
    uint32_t args[5], rets[1];

    args[0] = cfg_addr(config_addr, reg);
    buid_words(buid, &args[1], &args[2]);
    args[3] = size;
    args[4] = value;
    return guest_rtas(g, "ibm,write-pci-config", 5, args, 1, rets) == 0;
}

/* ------------------------------------------------------- PCI probing */

/* PCI bus address of a BAR to the CPU address the PHB decodes it at. */
static uint64_t phb_bus_to_cpu(unsigned phb, uint64_t bus, bool io)
{
    uint64_t mmio32 = SPAPR_MMIO_BASE + (phb + 1) * SPAPR_MMIO32_SIZE;

    if (io) {
        return SPAPR_MMIO_BASE + phb * SPAPR_PIO_SIZE + bus;
    }
    if (bus >= SPAPR_MMIO32_PCI && bus < SPAPR_MMIO32_PCI +
        SPAPR_MMIO32_SIZE) {
        return mmio32 + (bus - SPAPR_MMIO32_PCI);
    }
    /* The 64-bit window is identity-mapped. */
    return bus;
}

/*
 * Size BARs the way firmware and Linux do: with decoding off, write all
 * ones, read back the writable bits, restore.
 */
static bool guest_read_bars(SpaprGuest *g, GuestDevice *d)
{
    uint32_t cmd;
    unsigned i;

    if (!guest_config_read(g, d->buid, d->config_addr, PCI_COMMAND, 2,
                           &cmd) ||
        !guest_config_write(g, d->buid, d->config_addr, PCI_COMMAND, 2,
                            cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY))) {
        return false;
    }
    for (i = 0; i < 6; i++) {
        unsigned reg = PCI_BAR0 + 4 * i;
        uint32_t lo, hi = 0, mlo, mhi = 0xffffffff;
        bool io, is64;
        uint64_t bus, mask;

        if (!guest_config_read(g, d->buid, d->config_addr, reg, 4, &lo) ||
            !guest_config_write(g, d->buid, d->config_addr, reg, 4,
                                0xffffffff) ||
            !guest_config_read(g, d->buid, d->config_addr, reg, 4, &mlo) ||
            !guest_config_write(g, d->buid, d->config_addr, reg, 4, lo)) {
            return false;
        }
        io = lo & 1;
        is64 = !io && (lo & 6) == 4 && i < 5;
        if (is64 &&
            (!guest_config_read(g, d->buid, d->config_addr, reg + 4, 4,
                                &hi) ||
             !guest_config_write(g, d->buid, d->config_addr, reg + 4, 4,
                                 0xffffffff) ||
             !guest_config_read(g, d->buid, d->config_addr, reg + 4, 4,
                                &mhi) ||
             !guest_config_write(g, d->buid, d->config_addr, reg + 4, 4,
                                 hi))) {
            return false;
        }
        mask = (uint64_t)mhi << 32 | (mlo & (io ? ~3u : ~15u));
        if (!is64 && !io) {
            mask |= 0xffffffff00000000ULL;
        } else if (io) {
            mask |= 0xffffffffffff0000ULL;
        }
        bus = ((uint64_t)hi << 32 | lo) & (io ? ~3ULL : ~15ULL);
        if ((mask & 0xffffffffULL) != 0 && (mlo & ~(io ? 3u : 15u))) {
            d->bar_size[i] = ~mask + 1;
            d->bar_cpu[i] = phb_bus_to_cpu(d->phb_index, bus, io);
        }
        if (is64) {
            i++;
        }
    }
    return guest_config_write(g, d->buid, d->config_addr, PCI_COMMAND, 2,
                              (cmd & ~PCI_CMD_IO) | PCI_CMD_MEMORY |
                              PCI_CMD_MASTER);
}

bool guest_find_device(SpaprGuest *g, unsigned phb_index, uint16_t vendor,
                       uint16_t device, unsigned nth, GuestDevice *out)
{
    uint64_t buid = SPAPR_PHB_BUID0 + phb_index;
    unsigned slot, fn, seen = 0;

    for (slot = 0; slot < 32; slot++) {
        unsigned nfn = 1;

        for (fn = 0; fn < nfn; fn++) {
            uint32_t ca = (slot << 3 | fn) << 8, id, hdr;

            if (!guest_config_read(g, buid, ca, PCI_VENDOR_ID, 4, &id) ||
                (id & 0xffff) == 0xffff) {
                continue;
            }
            if (fn == 0 &&
                guest_config_read(g, buid, ca, PCI_HEADER_TYPE, 1, &hdr) &&
                (hdr & 0x80)) {
                nfn = 8;
            }
            if ((id & 0xffff) != vendor || id >> 16 != device ||
                seen++ != nth) {
                continue;
            }
            memset(out, 0, sizeof(*out));
            out->phb_index = phb_index;
            out->buid = buid;
            out->config_addr = ca;
            out->vendor = vendor;
            out->device = device;
            return guest_read_bars(g, out);
        }
    }
    return false;
}

/* ------------------------------------------------------------ hcalls */

int64_t guest_put_tce(SpaprGuest *g, uint32_t liobn, uint64_t ioba,
                      uint64_t tce)
{
    uint64_t args[3] = { liobn, ioba, tce };
    int64_t ret = qtest_hcall(g->qts, H_PUT_TCE, 3, args, 0, NULL);

    g->stats.hcalls++;
    if (ret == H_SUCCESS) {
        g->stats.tces_put++;
    }
    return ret;
}

int64_t guest_get_tce(SpaprGuest *g, uint32_t liobn, uint64_t ioba,
                      uint64_t *tce)
{
    uint64_t args[2] = { liobn, ioba }, out = 0;
    int64_t ret = qtest_hcall(g->qts, H_GET_TCE, 2, args, 1, &out);

    g->stats.hcalls++;
    if (tce) {
        *tce = out;
    }
    return ret;
}

int64_t guest_stuff_tce(SpaprGuest *g, uint32_t liobn, uint64_t ioba,
                        uint64_t tce, uint64_t npages)
{
    uint64_t args[4] = { liobn, ioba, tce, npages };

    g->stats.hcalls++;
    return qtest_hcall(g->qts, H_STUFF_TCE, 4, args, 0, NULL);
}

int64_t guest_put_tce_indirect(SpaprGuest *g, uint32_t liobn, uint64_t ioba,
                               const uint64_t *tces, unsigned npages)
{
    uint64_t list[TCES_PER_LIST];
    uint64_t args[4] = { liobn, ioba, GUEST_TCE_LIST, npages };
    unsigned i, n = MIN(npages, TCES_PER_LIST);
    int64_t ret;

    /* An oversized npages still goes to the hypervisor, which refuses. */
    for (i = 0; i < n; i++) {
        list[i] = GUINT64_TO_BE(tces[i]);
    }
    if (n) {
        qtest_bufwrite(g->qts, GUEST_TCE_LIST, list, n * sizeof(list[0]));
    }
    ret = qtest_hcall(g->qts, H_PUT_TCE_INDIRECT, 4, args, 0, NULL);
    g->stats.hcalls++;
    if (ret == H_SUCCESS) {
        g->stats.tces_put += npages;
    }
    return ret;
}

/* Clear [ioba, ioba + npages pages) with H_STUFF_TCE in 512-page steps. */
static bool guest_clear_range(SpaprGuest *g, uint32_t liobn, uint64_t ioba,
                              unsigned page_shift, uint64_t npages)
{
    bool ok = true;

    while (npages) {
        uint64_t n = MIN(npages, TCES_PER_LIST);

        ok &= guest_stuff_tce(g, liobn, ioba, 0, n) == H_SUCCESS;
        ioba += n << page_shift;
        npages -= n;
    }
    return ok;
}

/* ----------------------------------------------- the default window */

/*
 * A guest learns its default window from the device tree
 * (ibm,dma-window).  The model has no device tree reader, so it asks the
 * hypervisor instead: H_GET_TCE succeeds exactly inside the table, which
 * gives the size by bisection.  The window starts at bus address 0 (the
 * PHB's dma_win_addr default) with 4 KiB pages.  These probes stand in
 * for reading the device tree, so they are not counted in the stats.
 */
static bool probe_tce(SpaprGuest *g, uint32_t liobn, uint64_t ioba)
{
    uint64_t args[2] = { liobn, ioba }, out;

    return qtest_hcall(g->qts, H_GET_TCE, 2, args, 1, &out) == H_SUCCESS;
}

static bool guest_probe_default(SpaprGuest *g, unsigned phb, GuestWindow *w)
{
    uint32_t liobn = SPAPR_LIOBN(phb, 0);
    uint64_t lo = 1, hi = 2;    /* pages: lo valid, hi not (yet known) */

    *w = (GuestWindow) {
        .liobn = liobn, .bus_start = 0, .size = 1ULL << 30,
        .page_shift = 12, .active = false,
    };
    if (!probe_tce(g, liobn, 0)) {
        return false;
    }
    while (hi < (1ULL << 40) && probe_tce(g, liobn, (hi - 1) << 12)) {
        lo = hi;
        hi <<= 1;
    }
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;

        if (probe_tce(g, liobn, (mid - 1) << 12)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    w->size = lo << 12;
    w->active = true;
    return true;
}

static GuestDefaultWindow *guest_dw(SpaprGuest *g, unsigned phb)
{
    GuestDefaultWindow *dw;

    g_assert(phb < SPAPR_MAX_PHBS);
    dw = &g->dw[phb];
    if (!dw->probed) {
        guest_probe_default(g, phb, &dw->win);
        dw->npages = dw->win.size >> dw->win.page_shift;
        dw->used = g_new0(uint64_t, (dw->npages + 63) / 64);
        dw->hint = 1;
        dw->probed = true;
    }
    return dw;
}

/* The default window's contents were dropped (removed, reset). */
static void guest_dw_forget(GuestDefaultWindow *dw, bool active)
{
    memset(dw->used, 0, (dw->npages + 63) / 64 * 8);
    dw->hint = 1;
    dw->win.active = active;
}

GuestWindow guest_default_window(SpaprGuest *g, const GuestDevice *dev)
{
    return guest_dw(g, dev->phb_index)->win;
}

static bool dw_test(GuestDefaultWindow *dw, uint64_t i)
{
    return dw->used[i / 64] & (1ULL << (i % 64));
}

static void dw_set(GuestDefaultWindow *dw, uint64_t first, uint64_t n,
                   bool on)
{
    for (uint64_t i = first; i < first + n; i++) {
        if (on) {
            dw->used[i / 64] |= 1ULL << (i % 64);
        } else {
            dw->used[i / 64] &= ~(1ULL << (i % 64));
        }
    }
}

/* First fit from the hint, wrapping once; returns the first page or 0. */
static uint64_t dw_alloc(GuestDefaultWindow *dw, uint64_t n)
{
    uint64_t start = dw->hint, i, run = 0;
    unsigned pass;

    for (pass = 0; pass < 2; pass++) {
        run = 0;
        for (i = start; i < dw->npages; i++) {
            run = dw_test(dw, i) ? 0 : run + 1;
            if (run == n) {
                uint64_t first = i + 1 - n;

                dw_set(dw, first, n, true);
                dw->hint = i + 1 < dw->npages ? i + 1 : 1;
                return first;
            }
        }
        start = 1;
    }
    return 0;
}

uint64_t guest_dma_map(SpaprGuest *g, const GuestDevice *dev, uint64_t gpa,
                       uint64_t size, uint64_t perm)
{
    GuestDefaultWindow *dw = guest_dw(g, dev->phb_index);
    unsigned shift = dw->win.page_shift;
    uint64_t psize = 1ULL << shift;
    uint64_t first_gpa = gpa & ~(psize - 1), npages, first, done = 0;
    uint64_t tces[TCES_PER_LIST];

    if (!dw->win.active || !size || gpa + size < gpa) {
        return 0;
    }
    npages = (gpa + size - first_gpa + psize - 1) >> shift;
    first = dw_alloc(dw, npages);
    if (!first) {
        return 0;
    }
    while (done < npages) {
        uint64_t ioba = dw->win.bus_start + ((first + done) << shift);
        unsigned n = MIN(npages - done, TCES_PER_LIST), i;
        int64_t ret;

        if (n == 1) {
            ret = guest_put_tce(g, dw->win.liobn, ioba,
                                (first_gpa + (done << shift)) | perm);
        } else {
            for (i = 0; i < n; i++) {
                tces[i] = (first_gpa + ((done + i) << shift)) | perm;
            }
            ret = guest_put_tce_indirect(g, dw->win.liobn, ioba, tces, n);
        }
        if (ret != H_SUCCESS) {
            /* Entries before a failing one may be set: clear them all. */
            guest_clear_range(g, dw->win.liobn,
                              dw->win.bus_start + (first << shift), shift,
                              done + n);
            dw_set(dw, first, npages, false);
            return 0;
        }
        done += n;
    }
    return dw->win.bus_start + (first << shift) + (gpa & (psize - 1));
}

bool guest_dma_unmap(SpaprGuest *g, const GuestDevice *dev, uint64_t iova,
                     uint64_t size)
{
    GuestDefaultWindow *dw = guest_dw(g, dev->phb_index);
    unsigned shift = dw->win.page_shift;
    uint64_t psize = 1ULL << shift, first, last;

    if (!size || iova < dw->win.bus_start ||
        iova - dw->win.bus_start + size > dw->win.size) {
        return false;
    }
    first = (iova - dw->win.bus_start) >> shift;
    last = (iova - dw->win.bus_start + size + psize - 1) >> shift;
    dw_set(dw, first, last - first, false);
    return guest_clear_range(g, dw->win.liobn,
                             dw->win.bus_start + (first << shift), shift,
                             last - first);
}

/* -------------------------------------------------------------- DDW */

static void pe_words(const GuestDevice *dev, uint32_t *args)
{
    args[0] = dev->config_addr;
    buid_words(dev->buid, &args[1], &args[2]);
}

/* The 6-output form (the ddw-extensions say it exists). */
static int32_t guest_ddw_query6(SpaprGuest *g, const GuestDevice *dev,
                                uint32_t *avail, uint64_t *largest,
                                uint32_t *pgmask)
{
    uint32_t args[3], rets[6];
    int32_t st;

    pe_words(dev, args);
    st = guest_rtas(g, "ibm,query-pe-dma-window", 3, args, 6, rets);
    if (st == 0) {
        *avail = rets[1];
        *largest = (uint64_t)rets[2] << 32 | rets[3];
        *pgmask = rets[4];
    }
    return st;
}

int32_t guest_ddw_query(SpaprGuest *g, const GuestDevice *dev,
                        uint32_t *avail, uint32_t *pgmask)
{
    uint64_t largest;
    uint32_t a = 0, m = 0;
    int32_t st = guest_ddw_query6(g, dev, &a, &largest, &m);

    if (avail) {
        *avail = a;
    }
    if (pgmask) {
        *pgmask = m;
    }
    return st;
}

int32_t guest_ddw_create(SpaprGuest *g, const GuestDevice *dev,
                         unsigned page_shift, unsigned window_shift,
                         GuestWindow *out)
{
    uint32_t args[5], rets[4];
    int32_t st;

    pe_words(dev, args);
    args[3] = page_shift;
    args[4] = window_shift;
    st = guest_rtas(g, "ibm,create-pe-dma-window", 5, args, 4, rets);
    if (st == 0) {
        GuestDefaultWindow *dw = guest_dw(g, dev->phb_index);

        if (dw->nddw < G_N_ELEMENTS(dw->ddw_liobn)) {
            dw->ddw_liobn[dw->nddw++] = rets[1];
        }
    }
    if (st == 0 && out) {
        *out = (GuestWindow) {
            .liobn = rets[1],
            .bus_start = (uint64_t)rets[2] << 32 | rets[3],
            .size = 1ULL << window_shift,
            .page_shift = page_shift,
            .active = true,
        };
    }
    return st;
}

int32_t guest_ddw_remove(SpaprGuest *g, uint32_t liobn)
{
    uint32_t rets[1];
    int32_t st = guest_rtas(g, "ibm,remove-pe-dma-window", 1, &liobn, 1,
                            rets);
    unsigned phb = (liobn >> 8) & 0xff, i;
    GuestDefaultWindow *dw;

    if (st != 0 || phb >= SPAPR_MAX_PHBS) {
        return st;
    }
    dw = guest_dw(g, phb);
    for (i = 0; i < dw->nddw; i++) {
        if (dw->ddw_liobn[i] == liobn) {
            dw->ddw_liobn[i] = dw->ddw_liobn[--dw->nddw];
            if (!dw->nddw && !dw->win.active) {
                guest_dw_forget(dw, true);
            }
            return st;
        }
    }
    if (liobn == dw->win.liobn) {
        guest_dw_forget(dw, false);
    }
    return st;
}

int32_t guest_ddw_reset(SpaprGuest *g, const GuestDevice *dev)
{
    uint32_t args[3], rets[1];
    int32_t st;

    pe_words(dev, args);
    st = guest_rtas(g, "ibm,reset-pe-dma-window", 3, args, 1, rets);
    if (st == 0) {
        GuestDefaultWindow *dw = guest_dw(g, dev->phb_index);

        dw->nddw = 0;
        guest_dw_forget(dw, true);
    }
    return st;
}

/* LoPAPR page-size mask bits, largest page first. */
static const struct {
    uint32_t bit;
    unsigned shift;
} ddw_pgsizes[] = {
    { 0x80, 34 }, { 0x40, 28 }, { 0x20, 27 }, { 0x10, 26 }, { 0x08, 25 },
    { 0x04, 24 }, { 0x100, 21 }, { 0x02, 16 }, { 0x01, 12 },
};

static unsigned ceil_log2(uint64_t v)
{
    return v <= 1 ? 0 : 64 - __builtin_clzll(v - 1);
}

bool guest_ddw_map_range(SpaprGuest *g, const GuestWindow *w,
                         uint64_t gpa, uint64_t size)
{
    uint64_t psize = 1ULL << w->page_shift;
    uint64_t first = gpa & ~(psize - 1);
    uint64_t npages = (gpa + size - first + psize - 1) >> w->page_shift;
    uint64_t tces[TCES_PER_LIST], done = 0;

    while (done < npages) {
        unsigned n = MIN(npages - done, TCES_PER_LIST), i;
        uint64_t at = first + (done << w->page_shift);

        for (i = 0; i < n; i++) {
            tces[i] = (at + ((uint64_t)i << w->page_shift)) | TCE_RW;
        }
        if (guest_put_tce_indirect(g, w->liobn, guest_ddw_iova(w, at), tces,
                                   n) != H_SUCCESS) {
            return false;
        }
        done += n;
    }
    return true;
}

bool guest_ddw_enable(SpaprGuest *g, const GuestDevice *dev,
                      uint64_t max_ram, GuestWindow *out)
{
    GuestDefaultWindow *dw = guest_dw(g, dev->phb_index);
    GuestWindow w = { 0 };
    uint32_t avail, pgmask;
    uint64_t largest;
    unsigned i, page_shift = 0, window_shift;
    bool removed_default = false;

    /* 1. query */
    if (guest_ddw_query6(g, dev, &avail, &largest, &pgmask) != 0) {
        return false;
    }
    /* 2. no free window: give the default one back, query again */
    if (avail == 0) {
        if (!dw->win.active ||
            !guest_clear_range(g, dw->win.liobn, dw->win.bus_start,
                               dw->win.page_shift, dw->npages) ||
            guest_ddw_remove(g, dw->win.liobn) != 0) {
            return false;
        }
        removed_default = true;
        if (guest_ddw_query6(g, dev, &avail, &largest, &pgmask) != 0 ||
            avail == 0) {
            goto fail;
        }
    }
    /* 3. the largest page size; a window covering all (hotplug) RAM */
    for (i = 0; i < G_N_ELEMENTS(ddw_pgsizes); i++) {
        if (pgmask & ddw_pgsizes[i].bit) {
            page_shift = ddw_pgsizes[i].shift;
            break;
        }
    }
    if (!page_shift) {
        goto fail;
    }
    window_shift = MAX(ceil_log2(MAX(max_ram, g->ram_size)), page_shift);
    if (largest) {
        window_shift = MIN(window_shift,
                           63 - __builtin_clzll(largest) + page_shift);
    }
    /* 4. create, then direct-map all boot RAM */
    if (guest_ddw_create(g, dev, page_shift, window_shift, &w) != 0) {
        goto fail;
    }
    if (!guest_ddw_map_range(g, &w, 0, g->ram_size)) {
        guest_clear_range(g, w.liobn, w.bus_start, w.page_shift,
                          (g->ram_size + (1ULL << w.page_shift) - 1) >>
                          w.page_shift);
        guest_ddw_remove(g, w.liobn);
        goto fail;
    }
    if (out) {
        *out = w;
    }
    return true;

fail:
    /* 5. as Linux: reset only if the default window was given up */
    if (removed_default) {
        guest_ddw_reset(g, dev);
    }
    return false;
}
