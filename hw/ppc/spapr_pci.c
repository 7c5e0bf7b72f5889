/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * sPAPR PCI host bridge: windows into system memory, the PCI bus, the
 * DMA address space with one TCE table per DMA window, and firmware-like
 * BAR assignment.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "hw/qdev.h"
#include "hw/pci/pci.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_drc.h"
#include "hw/ppc/spapr_pci.h"
#include "migration/vmstate.h"
#include "trace.h"

/* The machine owns its PHBs (SpaprMachineState.phbs). */
GList *spapr_phb_list(void)
{
    return spapr_machine ? spapr_machine->phbs : NULL;
}

SpaprPhbState *spapr_phb_find_by_buid(uint64_t buid)
{
    GList *l;

    for (l = spapr_phb_list(); l; l = l->next) {
        SpaprPhbState *sphb = l->data;

        if (sphb->buid == buid) {
            return sphb;
        }
    }
    return NULL;
}

SpaprPhbState *spapr_phb_find_by_index(uint32_t index)
{
    GList *l;

    for (l = spapr_phb_list(); l; l = l->next) {
        SpaprPhbState *sphb = l->data;

        if (sphb->index == index) {
            return sphb;
        }
    }
    return NULL;
}

/*
 * machine -> PHBs -> tables: a LIOBN names one window of one PHB
 * (SPAPR_PCI_LIOBN), and each PHB holds the tables of its windows.
 */
SpaprTceTable *spapr_tce_find_by_liobn(uint32_t liobn)
{
    GList *l;
    unsigned i;

    for (l = spapr_phb_list(); l; l = l->next) {
        SpaprPhbState *sphb = l->data;

        for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
            if (sphb->tables[i] &&
                spapr_tce_table_liobn(sphb->tables[i]) == liobn) {
                return sphb->tables[i];
            }
        }
    }
    return NULL;
}

/* PHBs by index, windows in order: that is LIOBN order. */
bool spapr_tce_find_ram_ref(hwaddr gpa, uint64_t size, uint32_t *liobn,
                            uint64_t *ioba)
{
    GList *l;
    unsigned i;

    for (l = spapr_phb_list(); l; l = l->next) {
        SpaprPhbState *sphb = l->data;

        for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
            SpaprTceTable *tcet = sphb->tables[i];

            if (spapr_tce_table_find_ram_ref(tcet, gpa, size, ioba)) {
                if (liobn) {
                    *liobn = spapr_tce_table_liobn(tcet);
                }
                return true;
            }
        }
    }
    return false;
}

static gint spapr_phb_cmp(gconstpointer a, gconstpointer b)
{
    const SpaprPhbState *x = a, *y = b;

    return x->index < y->index ? -1 : x->index > y->index;
}

/* ------------------------------------------------------------- DMA */

unsigned spapr_phb_active_windows(SpaprPhbState *sphb)
{
    unsigned i, n = 0;

    for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
        n += spapr_tce_table_enabled(sphb->tables[i]);
    }
    return n;
}

void spapr_phb_dma_reset(SpaprPhbState *sphb)
{
    unsigned i;

    trace_spapr_pci_dma_reset(sphb->index);
    for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
        spapr_tce_table_disable(sphb->tables[i]);
    }
    /* Checked at realize, so this cannot fail. */
    spapr_tce_table_enable(sphb->tables[0], SPAPR_TCE_PAGE_SHIFT,
                           sphb->dma_win_addr,
                           sphb->dma_win_size >> SPAPR_TCE_PAGE_SHIFT,
                           &error_abort);
}

/* ------------------------------------------------------------ BARs */

/* Next free address of @size in [*next, limit), or false. */
static bool spapr_phb_alloc(pcibus_t *next, pcibus_t limit, pcibus_t size,
                            pcibus_t *addr)
{
    pcibus_t a = QEMU_ALIGN_UP(*next, size);

    if (a < *next || a > limit || size > limit - a) {
        return false;
    }
    *addr = a;
    *next = a + size;
    return true;
}

static bool spapr_phb_assign_dev(SpaprPhbState *sphb, PCIDevice *dev,
                                 Error **errp)
{
    bool done[PCI_NUM_REGIONS] = { false };
    unsigned n;

    /* Largest BAR first: natural alignment wastes the least that way. */
    for (n = 0; n < PCI_NUM_REGIONS; n++) {
        int bar = -1, i;
        PCIIORegion *r;
        pcibus_t addr;
        bool ok;

        for (i = 0; i < PCI_NUM_REGIONS; i++) {
            if (!done[i] && dev->io_regions[i].size &&
                (bar < 0 ||
                 dev->io_regions[i].size > dev->io_regions[bar].size)) {
                bar = i;
            }
        }
        if (bar < 0) {
            break;
        }
        done[bar] = true;
        r = &dev->io_regions[bar];
        if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
            continue;   /* no I/O space devices on this machine */
        }
        if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            ok = spapr_phb_alloc(&sphb->next_mem64,
                                 sphb->mem64_win_pciaddr +
                                 SPAPR_PCI_MEM64_WIN_SIZE, r->size, &addr);
        } else {
            ok = spapr_phb_alloc(&sphb->next_mem32,
                                 SPAPR_PCI_MEM_WIN_BUS_OFFSET +
                                 SPAPR_PCI_MEM32_WIN_SIZE, r->size, &addr);
        }
        if (!ok) {
            error_setg(errp, "%s: no room for BAR%d (0x%" PRIx64 " bytes) "
                       "in the windows of PHB %u", pci_device_name(dev), bar,
                       r->size, sphb->index);
            return false;
        }
        trace_spapr_pci_assign_bar(pci_device_name(dev), bar, addr, r->size);
        pci_set_bar_addr(dev, bar, addr);
    }
    pci_set_command(dev, pci_get_word(dev->config + PCI_COMMAND) |
                    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    return true;
}

static void spapr_phb_assign_one(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    Error *err = NULL;

    if (!spapr_phb_assign_dev(opaque, dev, &err)) {
        warn_report("%s", error_get_pretty(err));
        error_free(err);
    }
}

void spapr_phb_assign_all_bars(SpaprPhbState *sphb)
{
    sphb->next_mem32 = SPAPR_PCI_MEM_WIN_BUS_OFFSET;
    sphb->next_mem64 = sphb->mem64_win_pciaddr;
    pci_bus_foreach_device(&sphb->bus, spapr_phb_assign_one, sphb);
}

static bool spapr_phb_bus_assign_bars(PCIBus *bus, PCIDevice *dev,
                                      Error **errp)
{
    return spapr_phb_assign_dev(bus->host, dev, errp);
}

static void spapr_phb_bus_plugged(PCIBus *bus, PCIDevice *dev, bool plugged)
{
    spapr_drc_pci_plugged(dev, plugged);
    if (!plugged) {
        spapr_phb_irq_device_gone(bus->host, dev);
    }
    spapr_machine_devices_changed();
}

static const PCIBusOps spapr_phb_bus_ops = {
    .assign_bars = spapr_phb_bus_assign_bars,
    .device_plugged = spapr_phb_bus_plugged,
    .set_irq = spapr_phb_set_irq,
};

/* ---------------------------------------------------------- device */

static bool spapr_phb_check_props(SpaprPhbState *sphb, Error **errp)
{
    if (sphb->index == UINT32_MAX) {
        error_setg(errp, "%s needs an index property",
                   TYPE_SPAPR_PCI_HOST_BRIDGE);
        return false;
    }
    if (sphb->index >= SPAPR_MAX_PHBS) {
        error_setg(errp, "\"index\" for PAPR PHB is too large (max %u)",
                   SPAPR_MAX_PHBS - 1);
        return false;
    }
    if (spapr_phb_find_by_index(sphb->index)) {
        error_setg(errp, "PHB index %u is already in use%s", sphb->index,
                   sphb->index ? "" : " (the default PHB)");
        return false;
    }
    if (!(sphb->page_size_mask & SPAPR_TCE_PAGE_SIZE)) {
        error_setg(errp, "pgsz 0x%" PRIx64 " lacks 4 KiB pages, which the "
                   "default DMA window uses", sphb->page_size_mask);
        return false;
    }
    if (!sphb->dma_win_size ||
        !QEMU_IS_ALIGNED(sphb->dma_win_size, SPAPR_TCE_PAGE_SIZE) ||
        !QEMU_IS_ALIGNED(sphb->dma_win_addr, SPAPR_TCE_PAGE_SIZE) ||
        sphb->dma_win_addr + sphb->dma_win_size - 1 < sphb->dma_win_addr) {
        error_setg(errp, "bad default DMA window: 0x%" PRIx64 " bytes at "
                   "0x%" PRIx64 " (both must be multiples of 4 KiB)",
                   sphb->dma_win_size, sphb->dma_win_addr);
        return false;
    }
    if (!QEMU_IS_ALIGNED(sphb->dma64_win_addr, SPAPR_TCE_PAGE_SIZE)) {
        error_setg(errp, "dma64_win_addr 0x%" PRIx64 " is not a multiple "
                   "of 4 KiB", sphb->dma64_win_addr);
        return false;
    }
    return true;
}

static bool spapr_phb_realize(DeviceState *dev, Error **errp)
{
    SpaprPhbState *sphb = (SpaprPhbState *)dev;
    MemoryRegion *sysmem = get_system_memory();
    g_autofree char *owner = NULL;
    g_autofree char *busname = NULL;
    unsigned i;

    if (!spapr_machine) {
        error_setg(errp, "%s needs a pseries machine to be part of",
                   TYPE_SPAPR_PCI_HOST_BRIDGE);
        return false;
    }
    if (!spapr_phb_check_props(sphb, errp)) {
        return false;
    }
    sphb->machine = spapr_machine;
    sphb->buid = SPAPR_PCI_BASE_BUID + sphb->index;
    sphb->io_win_addr = SPAPR_PCI_BASE + sphb->index * SPAPR_PCI_IO_WIN_SIZE;
    sphb->mem_win_addr = SPAPR_PCI_BASE +
                         (sphb->index + 1ULL) * SPAPR_PCI_MEM32_WIN_SIZE;
    sphb->mem64_win_addr = SPAPR_PCI_BASE +
                           (sphb->index + 1ULL) * SPAPR_PCI_MEM64_WIN_SIZE;
    sphb->mem64_win_pciaddr = sphb->mem64_win_addr;
    sphb->msi_win_addr = SPAPR_PCI_MSI_WINDOW;
    owner = g_strdup_printf("pci@%" PRIx64, sphb->buid);

    /* Outbound: the bus memory space, seen through two windows. */
    memory_region_init(&sphb->memspace, owner, "pci-mem", UINT64_MAX);
    memory_region_init_alias(&sphb->memwindow, owner, "pci-mem32-window",
                             &sphb->memspace, SPAPR_PCI_MEM_WIN_BUS_OFFSET,
                             SPAPR_PCI_MEM32_WIN_SIZE);
    memory_region_add_subregion(sysmem, sphb->mem_win_addr,
                                &sphb->memwindow);
    memory_region_init_alias(&sphb->mem64window, owner, "pci-mem64-window",
                             &sphb->memspace, sphb->mem64_win_pciaddr,
                             SPAPR_PCI_MEM64_WIN_SIZE);
    memory_region_add_subregion(sysmem, sphb->mem64_win_addr,
                                &sphb->mem64window);
    memory_region_init(&sphb->iospace, owner, "pci-io", SPAPR_PCI_IO_WIN_SIZE);
    memory_region_add_subregion(sysmem, sphb->io_win_addr, &sphb->iospace);

    /* Inbound: DMA windows are IOMMU regions placed in dma_root. */
    memory_region_init(&sphb->dma_root, owner, "iommu-spapr-root",
                       UINT64_MAX);
    address_space_init(&sphb->dma_as, &sphb->dma_root, owner);
    for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
        sphb->tables[i] = spapr_tce_table_new(SPAPR_PCI_LIOBN(sphb->index, i),
                                              &sphb->dma_root, owner);
        /* TCEs may point at the RAM of the machine the PHB is part of. */
        spapr_tce_table_set_ram_check(sphb->tables[i],
                                      spapr_machine_ram_check, sphb->machine);
    }
    spapr_phb_dma_reset(sphb);
    if (!spapr_phb_irq_init(sphb, owner, errp)) {
        for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
            spapr_tce_table_free(sphb->tables[i]);
        }
        address_space_destroy(&sphb->dma_as);
        memory_region_unref(&sphb->dma_root);
        memory_region_del_subregion(sysmem, &sphb->iospace);
        memory_region_unref(&sphb->iospace);
        memory_region_del_subregion(sysmem, &sphb->mem64window);
        memory_region_unref(&sphb->mem64window);
        memory_region_del_subregion(sysmem, &sphb->memwindow);
        memory_region_unref(&sphb->memwindow);
        memory_region_unref(&sphb->memspace);
        return false;
    }

    /* QEMU names buses "<id>.0", or "pci.N" without an id. */
    busname = dev->id ? g_strdup_printf("%s.0", dev->id)
                      : g_strdup_printf("pci.%u", sphb->index);
    pci_bus_init(&sphb->bus, busname, dev->id, sphb, &spapr_phb_bus_ops,
                 &sphb->memspace, &sphb->dma_as);
    sphb->bus.is_default = sphb->index == 0;
    sphb->next_mem32 = SPAPR_PCI_MEM_WIN_BUS_OFFSET;
    sphb->next_mem64 = sphb->mem64_win_pciaddr;

    sphb->machine->phbs = g_list_insert_sorted(sphb->machine->phbs, sphb,
                                               spapr_phb_cmp);
    spapr_drc_add_phb(sphb->index);
    spapr_machine_devices_changed();
    trace_spapr_pci_phb_realize(sphb->index, sphb->buid);
    return true;
}

static void spapr_phb_unrealize(DeviceState *dev)
{
    SpaprPhbState *sphb = (SpaprPhbState *)dev;
    MemoryRegion *sysmem = get_system_memory();
    unsigned i;

    trace_spapr_pci_phb_unrealize(sphb->index);
    /* The devices on the bus go with it. */
    pci_bus_cleanup(&sphb->bus);
    sphb->machine->phbs = g_list_remove(sphb->machine->phbs, sphb);
    spapr_drc_remove_phb(sphb->index);

    spapr_phb_irq_fini(sphb);
    for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
        spapr_tce_table_free(sphb->tables[i]);
        sphb->tables[i] = NULL;
    }
    address_space_destroy(&sphb->dma_as);
    memory_region_unref(&sphb->dma_root);

    memory_region_del_subregion(sysmem, &sphb->iospace);
    memory_region_unref(&sphb->iospace);
    memory_region_del_subregion(sysmem, &sphb->mem64window);
    memory_region_unref(&sphb->mem64window);
    memory_region_del_subregion(sysmem, &sphb->memwindow);
    memory_region_unref(&sphb->memwindow);
    memory_region_unref(&sphb->memspace);
    spapr_machine_devices_changed();
}

static void spapr_phb_device_dma_reset(PCIBus *bus, PCIDevice *dev,
                                       void *opaque)
{
    if (dev->pcic->dma_reset) {
        dev->pcic->dma_reset(dev);
    }
}

void spapr_phb_dma_recover(SpaprPhbState *sphb)
{
    trace_spapr_pci_dma_recover(sphb->index);
    pci_bus_foreach_device(&sphb->bus, spapr_phb_device_dma_reset, NULL);
}

/*
 * A PHB reset (and so a machine reset) is the point where a device whose
 * host DMA mapping failed gets another chance: the default window is
 * back, and the host is asked to mirror it again.
 */
static void spapr_phb_reset(DeviceState *dev)
{
    SpaprPhbState *sphb = (SpaprPhbState *)dev;

    spapr_phb_dma_reset(sphb);
    spapr_phb_dma_recover(sphb);
    spapr_phb_irq_reset(sphb);
}

/* ------------------------------------------------------- migration */

/*
 * The DMA configuration (checked: the destination must be built the
 * same way), then every TCE table, window 0 first.
 */
static void spapr_phb_save_state(DeviceState *dev, GByteArray *out)
{
    SpaprPhbState *sphb = (SpaprPhbState *)dev;
    unsigned i;

    mig_put_be32(out, sphb->index);
    mig_put_u8(out, sphb->ddw_enabled);
    mig_put_be64(out, sphb->dma_win_addr);
    mig_put_be64(out, sphb->dma_win_size);
    mig_put_be64(out, sphb->dma64_win_addr);
    mig_put_be64(out, sphb->page_size_mask);
    mig_put_u8(out, SPAPR_PCI_DMA_MAX_WINDOWS);
    for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
        spapr_tce_table_save(sphb->tables[i], out);
    }
}

static bool spapr_phb_check_saved(SpaprPhbState *sphb, MigReader *in,
                                  Error **errp)
{
    uint32_t index = mig_get_be32(in);
    bool ddw = mig_get_u8(in);
    uint64_t win_addr = mig_get_be64(in);
    uint64_t win_size = mig_get_be64(in);
    uint64_t win64_addr = mig_get_be64(in);
    uint64_t pgsz = mig_get_be64(in);
    unsigned nwin = mig_get_u8(in);

    if (!mig_reader_ok(in, errp)) {
        return false;
    }
    if (index != sphb->index || ddw != sphb->ddw_enabled ||
        win_addr != sphb->dma_win_addr || win_size != sphb->dma_win_size ||
        win64_addr != sphb->dma64_win_addr ||
        pgsz != sphb->page_size_mask || nwin != SPAPR_PCI_DMA_MAX_WINDOWS) {
        error_setg(errp, "PHB %u is configured differently from the "
                   "source's (index %u, ddw %s, dma_win_addr 0x%" PRIx64
                   ", dma_win_size 0x%" PRIx64 ", dma64_win_addr 0x%"
                   PRIx64 ", pgsz 0x%" PRIx64 ", %u windows)", sphb->index,
                   index, ddw ? "on" : "off", win_addr, win_size,
                   win64_addr, pgsz, nwin);
        return false;
    }
    return true;
}

static bool spapr_phb_load_state(DeviceState *dev, MigReader *in,
                                 uint32_t version, Error **errp)
{
    SpaprPhbState *sphb = (SpaprPhbState *)dev;
    unsigned i;

    if (!spapr_phb_check_saved(sphb, in, errp)) {
        return false;
    }
    /*
     * Drop every window first: the host IOMMU behind a VFIO listener
     * never has to hold the old and the new windows at once.
     */
    for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
        spapr_tce_table_disable(sphb->tables[i]);
    }
    for (i = 0; i < SPAPR_PCI_DMA_MAX_WINDOWS; i++) {
        if (!spapr_tce_table_load(sphb->tables[i], in, sphb->page_size_mask,
                                  errp)) {
            return false;
        }
    }
    trace_spapr_pci_state_load(sphb->index, spapr_phb_active_windows(sphb));
    return mig_reader_finish(in, errp);
}

static char *spapr_phb_migration_path(DeviceState *dev)
{
    return g_strdup_printf("phb%u", ((SpaprPhbState *)dev)->index);
}

static const Property spapr_phb_props[] = {
    DEFINE_PROP("index", SpaprPhbState, index, PROP_UINT32, "0xffffffff",
                "PHB number, 1-30 (0 is the default PHB)"),
    DEFINE_PROP("ddw", SpaprPhbState, ddw_enabled, PROP_BOOL, "on",
                "dynamic DMA windows (the ibm,*-pe-dma-window calls)"),
    DEFINE_PROP("dma_win_addr", SpaprPhbState, dma_win_addr, PROP_UINT64,
                "0", "bus address of the default DMA window"),
    DEFINE_PROP("dma_win_size", SpaprPhbState, dma_win_size, PROP_SIZE,
                "1G", "size of the default DMA window"),
    DEFINE_PROP("dma64_win_addr", SpaprPhbState, dma64_win_addr,
                PROP_UINT64, "0x800000000000000",
                "bus address of the second (dynamic) DMA window"),
    DEFINE_PROP("pgsz", SpaprPhbState, page_size_mask, PROP_UINT64,
                "0x1211000", "IOMMU page sizes offered, a mask of sizes "
                "in bytes"),
    { .name = NULL },
};

static const DeviceClass spapr_phb_class = {
    .name = TYPE_SPAPR_PCI_HOST_BRIDGE,
    .desc = "sPAPR PCI host bridge",
    .instance_size = sizeof(SpaprPhbState),
    .props = spapr_phb_props,
    .user_creatable = true,
    .hotpluggable = true,
    .realize = spapr_phb_realize,
    .unrealize = spapr_phb_unrealize,
    .reset = spapr_phb_reset,
    .state_version = 1,
    .save_state = spapr_phb_save_state,
    .load_state = spapr_phb_load_state,
    .migration_path = spapr_phb_migration_path,
};

static void spapr_pci_register_types(void)
{
    qdev_register_type(&spapr_phb_class);
}

type_init(spapr_pci_register_types)
