/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The device tree the guest boots with: root, /memory@0 and one
 * memory@<addr> node per DIMM, /rtas (one token property per call),
 * /chosen, /event-sources, /ibm,dynamic-reconfiguration-memory (with a
 * hotplug area), and one pci@<buid> node per PHB with a child node per
 * PCI device.  Built again, on demand, after the machine's devices change.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include <libfdt.h>
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_drc.h"
#include "hw/ppc/spapr_irq.h"
#include "hw/ppc/spapr_pci.h"
#include "sysemu/machine.h"

/* The interrupt controller's phandle, as QEMU numbers it. */
#define SPAPR_FDT_PHANDLE_INTC  0x1111

/* PCI bus binding: phys.hi space codes and flags */
#define OF_PCI_SS_CONFIG    0x00000000U
#define OF_PCI_SS_IO        0x01000000U
#define OF_PCI_SS_MEM32     0x02000000U
#define OF_PCI_SS_MEM64     0x03000000U
#define OF_PCI_PREFETCH     0x40000000U
#define OF_PCI_NONRELOC     0x80000000U

/* Bail out of a builder on the first libfdt error. */
#define FDT_TRY(expr) \
    do { \
        int fdt_try_ret_ = (expr); \
        if (fdt_try_ret_ < 0) { \
            return fdt_try_ret_; \
        } \
    } while (0)

static void fdt_put_u64(uint32_t *cells, uint64_t v)
{
    cells[0] = cpu_to_fdt32(v >> 32);
    cells[1] = cpu_to_fdt32((uint32_t)v);
}

static int spapr_fdt_root(void *fdt, SpaprMachineState *spapr)
{
    uint32_t reg[4];
    int off;

    FDT_TRY(fdt_setprop_string(fdt, 0, "device_type", "chrp"));
    FDT_TRY(fdt_setprop_string(fdt, 0, "model", "IBM pSeries (spapr-vfio)"));
    FDT_TRY(fdt_setprop_string(fdt, 0, "compatible", "qemu,pseries"));
    FDT_TRY(fdt_setprop_cell(fdt, 0, "#address-cells", 2));
    FDT_TRY(fdt_setprop_cell(fdt, 0, "#size-cells", 2));

    off = fdt_add_subnode(fdt, 0, "chosen");
    FDT_TRY(off);

    off = fdt_add_subnode(fdt, 0, "memory@0");
    FDT_TRY(off);
    fdt_put_u64(&reg[0], 0);
    fdt_put_u64(&reg[2], spapr->ram_size);
    FDT_TRY(fdt_setprop_string(fdt, off, "device_type", "memory"));
    FDT_TRY(fdt_setprop(fdt, off, "reg", reg, sizeof(reg)));
    return 0;
}

/* -smp / -cpu (machine_set_cpu_topology); one POWER9 core by default. */
static MachineCpuTopology spapr_cpu_topo = { NULL, 1, 1, 1 };
static char *spapr_cpu_model;

void machine_set_cpu_topology(const MachineCpuTopology *topo)
{
    g_free(spapr_cpu_model);
    spapr_cpu_model = g_strdup(topo->model);
    spapr_cpu_topo = *topo;
    spapr_cpu_topo.model = spapr_cpu_model;
    spapr_cpu_topo.threads = MAX(topo->threads, 1);
    spapr_cpu_topo.cpus = MAX(topo->cpus, 1);
}

/* The node name QEMU gives a core of @model, and its PVR. */
static const struct {
    const char *prefix;         /* -cpu names starting so */
    const char *node;
    uint32_t pvr;
} spapr_cpu_models[] = {
    { "power10", "PowerPC,POWER10", 0x00800200 },
    { "power9", "PowerPC,POWER9", 0x004e1202 },
    { "power8nvl", "PowerPC,POWER8NVL", 0x004c0100 },
    { "power8e", "PowerPC,POWER8E", 0x004b0201 },
    { "power8", "PowerPC,POWER8", 0x004d0200 },
    { "power7+", "PowerPC,POWER7+", 0x004a0201 },
    { "power7", "PowerPC,POWER7", 0x003f0203 },
    { "power5+", "PowerPC,POWER5+", 0x003b0300 },
};

/*
 * /cpus: one node per present core, named and numbered as QEMU's
 * pseries does with TCG (vCPU ids spaced by the threads per core), its
 * threads in ibm,ppc-interrupt-server#s.  Nothing executes them: they
 * tell the guest the topology -smp asked for.
 */
static int spapr_fdt_cpus(void *fdt)
{
    const MachineCpuTopology *t = &spapr_cpu_topo;
    unsigned i, j, model = 1;       /* power9: host, max, default */
    unsigned cores = (t->cpus + t->threads - 1) / t->threads;
    int cpus;

    for (i = 0; t->model && i < G_N_ELEMENTS(spapr_cpu_models); i++) {
        if (g_str_has_prefix(t->model, spapr_cpu_models[i].prefix)) {
            model = i;
            break;
        }
    }
    cpus = fdt_add_subnode(fdt, 0, "cpus");
    FDT_TRY(cpus);
    FDT_TRY(fdt_setprop_cell(fdt, cpus, "#address-cells", 1));
    FDT_TRY(fdt_setprop_cell(fdt, cpus, "#size-cells", 0));
    /* Added last-first: libfdt puts each new node first. */
    for (i = cores; i-- > 0;) {
        g_autofree uint32_t *servers = g_new(uint32_t, t->threads);
        g_autofree char *name = NULL;
        uint32_t id = i * t->threads;
        unsigned n = MIN(t->threads, t->cpus - id);
        int off;

        name = g_strdup_printf("%s@%x", spapr_cpu_models[model].node, id);
        off = fdt_add_subnode(fdt, cpus, name);
        FDT_TRY(off);
        for (j = 0; j < n; j++) {
            servers[j] = cpu_to_fdt32(id + j);
        }
        FDT_TRY(fdt_setprop_string(fdt, off, "device_type", "cpu"));
        FDT_TRY(fdt_setprop_cell(fdt, off, "reg", id));
        FDT_TRY(fdt_setprop_cell(fdt, off, "cpu-version",
                                 spapr_cpu_models[model].pvr));
        FDT_TRY(fdt_setprop(fdt, off, "ibm,ppc-interrupt-server#s", servers,
                            n * sizeof(uint32_t)));
        FDT_TRY(fdt_setprop_string(fdt, off, "status", "okay"));
    }
    return 0;
}

/* A memory@<addr> node per DIMM, in address order. */
static int spapr_fdt_dimms(void *fdt, SpaprMachineState *spapr)
{
    unsigned i, n = memory_device_area_count(&spapr->hotplug);

    for (i = 0; i < n; i++) {
        const MemoryDeviceEntry *e =
            memory_device_area_entry(&spapr->hotplug, i);
        uint32_t reg[4];
        char name[32];
        int off;

        snprintf(name, sizeof(name), "memory@%" HWADDR_PRIx, e->addr);
        off = fdt_add_subnode(fdt, 0, name);
        FDT_TRY(off);
        fdt_put_u64(&reg[0], e->addr);
        fdt_put_u64(&reg[2], e->size);
        FDT_TRY(fdt_setprop_string(fdt, off, "device_type", "memory"));
        FDT_TRY(fdt_setprop(fdt, off, "reg", reg, sizeof(reg)));
    }
    return 0;
}

typedef struct FdtRtasCtx {
    void *fdt;
    int off;
    int err;
} FdtRtasCtx;

static void spapr_fdt_rtas_token(const SpaprRtasCall *call, void *opaque)
{
    FdtRtasCtx *ctx = opaque;
    int ret;

    if (call->present && !call->present()) {
        return;                 /* not offered now (e.g. EEH) */
    }
    if (!ctx->err) {
        ret = fdt_setprop_cell(ctx->fdt, ctx->off, call->name, call->token);
        ctx->err = ret < 0 ? ret : 0;
    }
}

static int spapr_fdt_rtas(void *fdt, SpaprMachineState *spapr)
{
    static const char hypertas[] =
        "hcall-tce\0hcall-multi-tce\0hcall-interrupt";
    FdtRtasCtx ctx = { .fdt = fdt };
    const MemoryDeviceArea *hp = &spapr->hotplug;
    uint32_t lrdr[5];
    int off = fdt_add_subnode(fdt, 0, "rtas");

    FDT_TRY(off);
    FDT_TRY(fdt_setprop(fdt, off, "ibm,hypertas-functions", hypertas,
                        sizeof(hypertas)));
    /*
     * Highest RAM address with every DIMM plugged, the memory block
     * size, and the number of processors: Linux sizes its direct-mapped
     * DMA window from the first.
     */
    fdt_put_u64(&lrdr[0], hp->size ? hp->base + hp->size : spapr->ram_size);
    fdt_put_u64(&lrdr[2], SPAPR_MEMORY_BLOCK_SIZE);
    lrdr[4] = cpu_to_fdt32(1);
    FDT_TRY(fdt_setprop(fdt, off, "ibm,lrdr-capacity", lrdr, sizeof(lrdr)));
    ctx.off = off;
    spapr_rtas_foreach(spapr_fdt_rtas_token, &ctx);
    FDT_TRY(ctx.err);
    return spapr_eeh_fdt_rtas(fdt, off);
}

/* One 5-cell PCI address + size entry (reg, assigned-addresses). */
static void fdt_pci_entry(uint32_t *e, uint32_t hi, uint64_t addr,
                          uint64_t size)
{
    e[0] = cpu_to_fdt32(hi);
    fdt_put_u64(&e[1], addr);
    fdt_put_u64(&e[3], size);
}

static int spapr_fdt_pci_dev(void *fdt, int bus_off, PCIDevice *dev)
{
    uint32_t reg[5 * (PCI_NUM_REGIONS + 1)], assigned[5 * PCI_NUM_REGIONS];
    uint32_t devhi = dev->devfn << 8;   /* bus 0 */
    const uint8_t *c = dev->config;
    unsigned nreg = 0, nassigned = 0;
    SpaprDrc *drc;
    char name[32];
    int off, bar;

    if (PCI_FUNC(dev->devfn)) {
        snprintf(name, sizeof(name), "pci%x,%x@%x,%x",
                 pci_get_word(c + PCI_VENDOR_ID),
                 pci_get_word(c + PCI_DEVICE_ID), PCI_SLOT(dev->devfn),
                 PCI_FUNC(dev->devfn));
    } else {
        snprintf(name, sizeof(name), "pci%x,%x@%x",
                 pci_get_word(c + PCI_VENDOR_ID),
                 pci_get_word(c + PCI_DEVICE_ID), PCI_SLOT(dev->devfn));
    }
    off = fdt_add_subnode(fdt, bus_off, name);
    FDT_TRY(off);
    FDT_TRY(fdt_setprop_cell(fdt, off, "vendor-id",
                             pci_get_word(c + PCI_VENDOR_ID)));
    FDT_TRY(fdt_setprop_cell(fdt, off, "device-id",
                             pci_get_word(c + PCI_DEVICE_ID)));
    FDT_TRY(fdt_setprop_cell(fdt, off, "revision-id", c[PCI_REVISION_ID]));
    FDT_TRY(fdt_setprop_cell(fdt, off, "class-code",
                             pci_get_long(c + PCI_REVISION_ID) >> 8));
    FDT_TRY(fdt_setprop_cell(fdt, off, "subsystem-vendor-id",
                             pci_get_word(c + PCI_SUBSYSTEM_VENDOR_ID)));
    FDT_TRY(fdt_setprop_cell(fdt, off, "subsystem-id",
                             pci_get_word(c + PCI_SUBSYSTEM_ID)));

    /* reg: config space first, then each BAR by its register. */
    drc = spapr_drc_of_pci(dev);
    if (drc) {
        FDT_TRY(fdt_setprop_cell(fdt, off, "ibm,my-drc-index", drc->index));
    }

    fdt_pci_entry(&reg[5 * nreg++], OF_PCI_SS_CONFIG | devhi, 0, 0);
    for (bar = 0; bar < PCI_NUM_REGIONS; bar++) {
        PCIIORegion *r = &dev->io_regions[bar];
        uint32_t hi = devhi | (PCI_BASE_ADDRESS_0 + 4 * bar);

        if (!r->size) {
            continue;
        }
        if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
            hi |= OF_PCI_SS_IO;
        } else if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            hi |= OF_PCI_SS_MEM64;
        } else {
            hi |= OF_PCI_SS_MEM32;
        }
        if (r->type & PCI_BASE_ADDRESS_MEM_PREFETCH) {
            hi |= OF_PCI_PREFETCH;
        }
        fdt_pci_entry(&reg[5 * nreg++], hi, 0, r->size);
        if (r->addr != PCI_BAR_UNMAPPED) {
            fdt_pci_entry(&assigned[5 * nassigned++], hi | OF_PCI_NONRELOC,
                          r->addr, r->size);
        }
    }
    FDT_TRY(fdt_setprop(fdt, off, "reg", reg, nreg * 5 * sizeof(reg[0])));
    FDT_TRY(fdt_setprop(fdt, off, "assigned-addresses", assigned,
                        nassigned * 5 * sizeof(assigned[0])));
    /* Interrupts: the INTx pin, and how many MSI / MSI-X it may ask. */
    if (c[PCI_INTERRUPT_PIN]) {
        FDT_TRY(fdt_setprop_cell(fdt, off, "interrupts",
                                 c[PCI_INTERRUPT_PIN]));
    }
    if (msi_present(dev)) {
        FDT_TRY(fdt_setprop_cell(fdt, off, "ibm,req#msi",
                                 msi_nr_vectors_allocated(dev)));
    }
    if (msix_present(dev)) {
        FDT_TRY(fdt_setprop_cell(fdt, off, "ibm,req#msi-x",
                                 msix_nr_vectors(dev)));
    }
    return 0;
}

/*
 * INTx: slot s pin p (1-4) reaches the PHB's LSI for line
 * (s + p - 1) mod 4, as pci_intx_route() swizzles; the mask keeps the
 * slot and the pin.
 */
static int spapr_fdt_phb_intx(void *fdt, int off, SpaprPhbState *sphb)
{
    uint32_t mask[4] = {
        cpu_to_fdt32(0x1f << 11), 0, 0, cpu_to_fdt32(0x7),
    };
    g_autofree uint32_t *map = g_new(uint32_t, 32 * PCI_NUM_PINS * 7);
    unsigned slot, pin, n = 0;

    for (slot = 0; slot < 32; slot++) {
        for (pin = 0; pin < PCI_NUM_PINS; pin++) {
            int intx = (slot + pin) % PCI_NUM_PINS;

            map[n++] = cpu_to_fdt32(slot << 11);
            map[n++] = 0;
            map[n++] = 0;
            map[n++] = cpu_to_fdt32(pin + 1);
            map[n++] = cpu_to_fdt32(SPAPR_FDT_PHANDLE_INTC);
            map[n++] = cpu_to_fdt32(spapr_phb_lsi_irq(sphb->index, intx));
            map[n++] = cpu_to_fdt32(1);     /* level */
        }
    }
    FDT_TRY(fdt_setprop(fdt, off, "interrupt-map-mask", mask,
                        sizeof(mask)));
    FDT_TRY(fdt_setprop(fdt, off, "interrupt-map", map,
                        n * sizeof(map[0])));
    FDT_TRY(fdt_setprop_cell(fdt, off, "ibm,pe-total-#msi",
                             SPAPR_IRQ_BASE + SPAPR_IRQ_NR - SPAPR_IRQ_MSI));
    return 0;
}

/* XICS: one presentation server (0), sources numbered from 0x1000. */
static int spapr_fdt_intc(void *fdt)
{
    static const char compat[] = "IBM,ppc-xicp\0IBM,ppc-xics";
    uint32_t servers[2] = {
        cpu_to_fdt32(0), cpu_to_fdt32(SPAPR_IRQ_NR_SERVERS),
    };
    int off = fdt_add_subnode(fdt, 0, "interrupt-controller");

    FDT_TRY(off);
    FDT_TRY(fdt_setprop_string(fdt, off, "device_type",
                               "PowerPC-External-Interrupt-Presentation"));
    FDT_TRY(fdt_setprop(fdt, off, "compatible", compat, sizeof(compat)));
    FDT_TRY(fdt_setprop(fdt, off, "interrupt-controller", NULL, 0));
    FDT_TRY(fdt_setprop(fdt, off, "ibm,interrupt-server-ranges", servers,
                        sizeof(servers)));
    FDT_TRY(fdt_setprop_cell(fdt, off, "#interrupt-cells", 2));
    FDT_TRY(fdt_setprop_cell(fdt, off, "linux,phandle",
                             SPAPR_FDT_PHANDLE_INTC));
    FDT_TRY(fdt_setprop_cell(fdt, off, "phandle", SPAPR_FDT_PHANDLE_INTC));
    return 0;
}

static int spapr_fdt_phb(void *fdt, SpaprPhbState *sphb)
{
    struct {
        uint32_t hi;
        uint32_t pci[2];
        uint32_t cpu[2];
        uint32_t size[2];
    } ranges[3];
    uint32_t reg[4], dma_window[5], bus_range[2], msi[2];
    uint32_t ddw_applicable[3], ddw_extensions[3];
    char name[32];
    unsigned devfn;
    int off;

    snprintf(name, sizeof(name), "pci@%" PRIx64, sphb->buid);
    off = fdt_add_subnode(fdt, 0, name);
    FDT_TRY(off);
    FDT_TRY(fdt_setprop_string(fdt, off, "device_type", "pci"));
    FDT_TRY(fdt_setprop_string(fdt, off, "compatible", "IBM,Logical_PHB"));
    FDT_TRY(fdt_setprop_cell(fdt, off, "#address-cells", 3));
    FDT_TRY(fdt_setprop_cell(fdt, off, "#size-cells", 2));
    FDT_TRY(fdt_setprop_cell(fdt, off, "#interrupt-cells", 1));
    bus_range[0] = cpu_to_fdt32(0);
    bus_range[1] = cpu_to_fdt32(0xff);
    FDT_TRY(fdt_setprop(fdt, off, "bus-range", bus_range,
                        sizeof(bus_range)));

    fdt_put_u64(&reg[0], sphb->buid);
    fdt_put_u64(&reg[2], 0);
    FDT_TRY(fdt_setprop(fdt, off, "reg", reg, sizeof(reg)));

    ranges[0].hi = cpu_to_fdt32(OF_PCI_SS_IO);
    fdt_put_u64(ranges[0].pci, 0);
    fdt_put_u64(ranges[0].cpu, sphb->io_win_addr);
    fdt_put_u64(ranges[0].size, SPAPR_PCI_IO_WIN_SIZE);
    ranges[1].hi = cpu_to_fdt32(OF_PCI_SS_MEM32);
    fdt_put_u64(ranges[1].pci, SPAPR_PCI_MEM_WIN_BUS_OFFSET);
    fdt_put_u64(ranges[1].cpu, sphb->mem_win_addr);
    fdt_put_u64(ranges[1].size, SPAPR_PCI_MEM32_WIN_SIZE);
    ranges[2].hi = cpu_to_fdt32(OF_PCI_SS_MEM64);
    fdt_put_u64(ranges[2].pci, sphb->mem64_win_pciaddr);
    fdt_put_u64(ranges[2].cpu, sphb->mem64_win_addr);
    fdt_put_u64(ranges[2].size, SPAPR_PCI_MEM64_WIN_SIZE);
    FDT_TRY(fdt_setprop(fdt, off, "ranges", ranges, sizeof(ranges)));

    FDT_TRY(fdt_setprop_cell(fdt, off, "ibm,pci-config-space-type", 1));
    FDT_TRY(fdt_setprop_cell(fdt, off, "ibm,#dma-address-cells", 2));
    FDT_TRY(fdt_setprop_cell(fdt, off, "ibm,#dma-size-cells", 2));
    /* The default window, as the guest finds it at boot. */
    dma_window[0] = cpu_to_fdt32(SPAPR_PCI_LIOBN(sphb->index, 0));
    fdt_put_u64(&dma_window[1], sphb->dma_win_addr);
    fdt_put_u64(&dma_window[3], sphb->dma_win_size);
    FDT_TRY(fdt_setprop(fdt, off, "ibm,dma-window", dma_window,
                        sizeof(dma_window)));
    /* Where MSI writes go (see docs/interrupts.md). */
    fdt_put_u64(msi, sphb->msi_win_addr);
    FDT_TRY(fdt_setprop(fdt, off, "spapr-vfio,msi-window", msi,
                        sizeof(msi)));

    if (sphb->ddw_enabled) {
        ddw_applicable[0] = cpu_to_fdt32(RTAS_IBM_QUERY_PE_DMA_WINDOW);
        ddw_applicable[1] = cpu_to_fdt32(RTAS_IBM_CREATE_PE_DMA_WINDOW);
        ddw_applicable[2] = cpu_to_fdt32(RTAS_IBM_REMOVE_PE_DMA_WINDOW);
        FDT_TRY(fdt_setprop(fdt, off, "ibm,ddw-applicable", ddw_applicable,
                            sizeof(ddw_applicable)));
        /* 2 extensions: the reset token, and 1 = 6-output query. */
        ddw_extensions[0] = cpu_to_fdt32(2);
        ddw_extensions[1] = cpu_to_fdt32(RTAS_IBM_RESET_PE_DMA_WINDOW);
        ddw_extensions[2] = cpu_to_fdt32(1);
        FDT_TRY(fdt_setprop(fdt, off, "ibm,ddw-extensions", ddw_extensions,
                            sizeof(ddw_extensions)));
    }

    FDT_TRY(spapr_drc_fdt_phb(fdt, off, sphb->index));
    FDT_TRY(spapr_fdt_phb_intx(fdt, off, sphb));

    for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        if (sphb->bus.devices[devfn]) {
            FDT_TRY(spapr_fdt_pci_dev(fdt, off, sphb->bus.devices[devfn]));
        }
    }
    return 0;
}

static int spapr_fdt_fill(void *fdt, SpaprMachineState *spapr)
{
    GList *l;

    FDT_TRY(spapr_fdt_root(fdt, spapr));
    FDT_TRY(spapr_fdt_cpus(fdt));
    FDT_TRY(spapr_fdt_dimms(fdt, spapr));
    FDT_TRY(spapr_fdt_rtas(fdt, spapr));
    FDT_TRY(spapr_events_fdt(fdt));
    if (spapr->hotplug.size) {
        FDT_TRY(spapr_drc_fdt_memory(fdt, spapr->hotplug.base,
                                     spapr->hotplug.size));
    }
    FDT_TRY(spapr_fdt_intc(fdt));
    for (l = spapr_phb_list(); l; l = l->next) {
        FDT_TRY(spapr_fdt_phb(fdt, l->data));
    }
    return fdt_pack(fdt);
}

void *spapr_build_fdt(SpaprMachineState *spapr, Error **errp)
{
    size_t size = 16 * 1024;
    int ret;

    /* Grow the buffer until the whole tree fits. */
    for (;;) {
        void *fdt = g_malloc0(size);

        ret = fdt_create_empty_tree(fdt, size);
        if (ret == 0) {
            ret = spapr_fdt_fill(fdt, spapr);
        }
        if (ret == 0) {
            return fdt;
        }
        g_free(fdt);
        if (ret != -FDT_ERR_NOSPACE || size >= 16 * 1024 * 1024) {
            break;
        }
        size *= 2;
    }
    error_setg(errp, "cannot build the device tree: %s", fdt_strerror(ret));
    return NULL;
}

void *spapr_fdt_pci_device(PCIDevice *dev)
{
    size_t size = 4096;

    for (;;) {
        void *fdt = g_malloc0(size);
        int ret = fdt_create_empty_tree(fdt, size);

        if (ret == 0) {
            ret = spapr_fdt_pci_dev(fdt, 0, dev);
        }
        if (ret >= 0) {
            return fdt;
        }
        g_free(fdt);
        if (ret != -FDT_ERR_NOSPACE || size >= 1024 * 1024) {
            return NULL;
        }
        size *= 2;
    }
}

size_t spapr_fdt_size(const void *fdt)
{
    return fdt_totalsize(fdt);
}
