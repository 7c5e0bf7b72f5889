/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PCI core: buses, device plug/unplug, configuration space and BAR
 * mapping into the bus memory space.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "hw/qdev.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci-state.h"
#include "hw/pci/msix.h"
#include "trace.h"

static GList *pci_buses;            /* PCIBus, creation order */
static GHashTable *pci_classes;     /* name -> PCIDeviceClass */

/* ------------------------------------------------------------- buses */

void pci_bus_init(PCIBus *bus, const char *name, const char *host_id,
                  void *host, const PCIBusOps *ops, MemoryRegion *mem,
                  AddressSpace *dma_as)
{
    memset(bus, 0, sizeof(*bus));
    bus->name = g_strdup(name);
    bus->host_id = g_strdup(host_id);
    bus->host = host;
    bus->ops = ops;
    bus->mem = mem;
    bus->dma_as = dma_as;
    pci_buses = g_list_append(pci_buses, bus);
}

void pci_bus_cleanup(PCIBus *bus)
{
    unsigned devfn;

    for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        if (bus->devices[devfn]) {
            qdev_destroy(&bus->devices[devfn]->qdev);
        }
    }
    pci_buses = g_list_remove(pci_buses, bus);
    g_free(bus->name);
    g_free(bus->host_id);
    bus->name = bus->host_id = NULL;
}

PCIBus *pci_bus_find(const char *name)
{
    GList *l;

    for (l = pci_buses; l; l = l->next) {
        PCIBus *bus = l->data;

        if (name ? !strcmp(bus->name, name) ||
                   (bus->host_id && !strcmp(bus->host_id, name))
                 : bus->is_default) {
            return bus;
        }
    }
    return NULL;
}

GList *pci_bus_list(void)
{
    return pci_buses;
}

PCIDevice *pci_bus_find_device(PCIBus *bus, unsigned bus_num,
                               unsigned devfn)
{
    /* Only root buses here: bus number 0. */
    if (bus_num != 0 || devfn >= PCI_DEVFN_MAX) {
        return NULL;
    }
    return bus->devices[devfn];
}

void pci_bus_foreach_device(PCIBus *bus,
                            void (*fn)(PCIBus *bus, PCIDevice *dev,
                                       void *opaque),
                            void *opaque)
{
    unsigned devfn;

    for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        if (bus->devices[devfn]) {
            fn(bus, bus->devices[devfn], opaque);
        }
    }
}

GList *pci_device_list(void)
{
    GList *out = NULL, *l;
    unsigned devfn;

    for (l = pci_buses; l; l = l->next) {
        PCIBus *bus = l->data;

        for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
            if (bus->devices[devfn]) {
                out = g_list_prepend(out, bus->devices[devfn]);
            }
        }
    }
    return g_list_reverse(out);
}

const char *pci_device_name(PCIDevice *dev)
{
    return dev->qdev.id ? dev->qdev.id : dev->qdev.klass->name;
}

AddressSpace *pci_device_dma_as(PCIDevice *dev)
{
    return dev->bus->dma_as;
}

/* --------------------------------------------------------------- BARs */

void pci_register_bar(PCIDevice *dev, int bar, uint8_t type,
                      MemoryRegion *mr)
{
    PCIIORegion *r = &dev->io_regions[bar];
    uint64_t size = memory_region_size(mr);
    uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * bar;
    uint64_t wmask = ~(size - 1);

    g_assert(bar >= 0 && bar < PCI_NUM_REGIONS && is_power_of_2(size));
    g_assert(!(type & PCI_BASE_ADDRESS_MEM_TYPE_64) ||
             bar < PCI_NUM_REGIONS - 1);
    r->addr = PCI_BAR_UNMAPPED;
    r->size = size;
    r->type = type;
    r->memory = mr;
    pci_set_long(dev->config + reg, type);
    pci_set_long(dev->wmask + reg, (uint32_t)wmask & ~0xfU);
    if (type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        pci_set_long(dev->config + reg + 4, 0);
        pci_set_long(dev->wmask + reg + 4, wmask >> 32);
    }
}

/* The address a BAR decodes at, from the registers and the command. */
static pcibus_t pci_bar_address(PCIDevice *dev, int bar)
{
    PCIIORegion *r = &dev->io_regions[bar];
    uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * bar;
    uint16_t cmd = pci_get_word(dev->config + PCI_COMMAND);
    pcibus_t addr;

    if ((r->type & PCI_BASE_ADDRESS_SPACE_IO) ||
        !(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    addr = pci_get_long(dev->config + reg) & PCI_BASE_ADDRESS_MEM_MASK;
    if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        addr |= (uint64_t)pci_get_long(dev->config + reg + 4) << 32;
    } else {
        addr &= 0xffffffffULL;
    }
    addr &= ~(r->size - 1);
    /* Zero (firmware has not assigned it) or wrapping: not decoded. */
    if (!addr || addr + r->size - 1 < addr) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

void pci_update_mappings(PCIDevice *dev)
{
    int bar;

    for (bar = 0; bar < PCI_NUM_REGIONS; bar++) {
        PCIIORegion *r = &dev->io_regions[bar];
        pcibus_t addr;

        if (!r->size) {
            continue;
        }
        addr = pci_bar_address(dev, bar);
        if (addr == r->addr) {
            continue;
        }
        if (r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(dev->bus->mem, r->memory);
        }
        r->addr = addr;
        if (addr != PCI_BAR_UNMAPPED) {
            /* Below the bus' own regions (none) and the same for all. */
            memory_region_add_subregion_overlap(dev->bus->mem, addr,
                                                r->memory, 1);
        }
        trace_pci_update_mappings(pci_device_name(dev), bar, addr);
    }
}

pcibus_t pci_get_bar_addr(PCIDevice *dev, int bar)
{
    return dev->io_regions[bar].addr;
}

void pci_set_bar_addr(PCIDevice *dev, int bar, pcibus_t addr)
{
    PCIIORegion *r = &dev->io_regions[bar];
    uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * bar;

    pci_set_long(dev->config + reg, (uint32_t)addr | r->type);
    if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        pci_set_long(dev->config + reg + 4, addr >> 32);
    }
    pci_update_mappings(dev);
}

void pci_set_command(PCIDevice *dev, uint16_t cmd)
{
    pci_set_word(dev->config + PCI_COMMAND, cmd);
    pci_update_mappings(dev);
}

/* -------------------------------------------------------- capabilities */

uint8_t pci_find_capability(PCIDevice *dev, uint8_t cap_id)
{
    uint8_t pos = dev->config[PCI_CAPABILITY_LIST] & ~3;
    unsigned hops;

    if (!(pci_get_word(dev->config + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    /* 48 capabilities fit in 192 bytes: a longer chain is a loop. */
    for (hops = 0; pos >= 0x40 && hops < 48; hops++) {
        if (dev->config[pos] == cap_id) {
            return pos;
        }
        pos = dev->config[pos + 1] & ~3;
    }
    return 0;
}

static bool pci_cap_linked(PCIDevice *dev, uint8_t offset)
{
    uint8_t pos = dev->config[PCI_CAPABILITY_LIST] & ~3;
    unsigned hops;

    for (hops = 0; pos >= 0x40 && hops < 48; hops++) {
        if (pos == offset) {
            return true;
        }
        pos = dev->config[pos + 1] & ~3;
    }
    return false;
}

bool pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset,
                        uint8_t size, Error **errp)
{
    if (offset < 0x40 || (offset & 3) ||
        (uint32_t)offset + size > PCI_CONFIG_SPACE_SIZE) {
        error_setg(errp, "%s: capability 0x%02x at 0x%02x (%u bytes) does "
                   "not fit in 0x40..0xff dword-aligned",
                   pci_device_name(dev), cap_id, offset, size);
        return false;
    }
    dev->config[offset] = cap_id;
    /*
     * A capability the device already lists (a VFIO device emulating its
     * own MSI capability in place) keeps its place in the chain.
     */
    if (!(pci_get_word(dev->config + PCI_STATUS) & PCI_STATUS_CAP_LIST) ||
        !pci_cap_linked(dev, offset)) {
        dev->config[offset + 1] = dev->config[PCI_CAPABILITY_LIST];
        dev->config[PCI_CAPABILITY_LIST] = offset;
    }
    pci_set_word(dev->config + PCI_STATUS,
                 pci_get_word(dev->config + PCI_STATUS) |
                 PCI_STATUS_CAP_LIST);
    return true;
}

void pci_del_capability(PCIDevice *dev, uint8_t offset, uint8_t size)
{
    uint8_t *prev = &dev->config[PCI_CAPABILITY_LIST];
    unsigned hops;

    for (hops = 0; (*prev & ~3) >= 0x40 && hops < 48; hops++) {
        if ((*prev & ~3) == offset) {
            *prev = dev->config[offset + 1];
            break;
        }
        prev = &dev->config[(*prev & ~3) + 1];
    }
    memset(dev->config + offset, 0, size);
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    if (!dev->config[PCI_CAPABILITY_LIST]) {
        pci_set_word(dev->config + PCI_STATUS,
                     pci_get_word(dev->config + PCI_STATUS) &
                     ~PCI_STATUS_CAP_LIST);
    }
}

/* ---------------------------------------------------------------- INTx */

int pci_intx_route(PCIDevice *dev)
{
    uint8_t pin = dev->config ? dev->config[PCI_INTERRUPT_PIN] : 0;

    if (pin < 1 || pin > PCI_NUM_PINS) {
        return -1;
    }
    /* The usual swizzle of a slot's pins onto the bus' four lines. */
    return (PCI_SLOT(dev->devfn) + pin - 1) % PCI_NUM_PINS;
}

/*
 * What the bus sees of the device: its level unless Interrupt Disable
 * is set.  The bus counts asserting devices per line and tells the
 * host bridge when a line's OR changes.
 */
static void pci_intx_update(PCIDevice *dev)
{
    uint16_t cmd = pci_get_word(dev->config + PCI_COMMAND);
    uint16_t status = pci_get_word(dev->config + PCI_STATUS);
    int intx = pci_intx_route(dev);
    bool assert = dev->intx_level && intx >= 0 && dev->bus &&
                  !(cmd & PCI_COMMAND_INTX_DISABLE);
    PCIBus *bus = dev->bus;

    status = dev->intx_level ? status | PCI_STATUS_INTERRUPT
                             : status & ~PCI_STATUS_INTERRUPT;
    pci_set_word(dev->config + PCI_STATUS, status);
    if (assert == dev->intx_counted) {
        return;
    }
    dev->intx_counted = assert;
    bus->intx_count[intx] += assert ? 1 : -1;
    trace_pci_intx(pci_device_name(dev), intx, assert,
                   bus->intx_count[intx]);
    /* Only the OR of the line matters to the host bridge. */
    if (bus->ops && bus->ops->set_irq &&
        bus->intx_count[intx] == (assert ? 1 : 0)) {
        bus->ops->set_irq(bus, intx, assert);
    }
}

void pci_set_irq(PCIDevice *dev, int level)
{
    if (!dev->config) {
        return;
    }
    dev->intx_level = !!level;
    pci_intx_update(dev);
}

void pci_set_intx_eoi_notifier(PCIDevice *dev,
                               void (*fn)(PCIDevice *dev, void *opaque),
                               void *opaque)
{
    dev->intx_eoi_notify = fn;
    dev->intx_eoi_opaque = fn ? opaque : NULL;
}

void pci_bus_intx_eoi(PCIBus *bus, int intx)
{
    unsigned devfn;

    for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *dev = bus->devices[devfn];

        if (dev && dev->intx_eoi_notify && pci_intx_route(dev) == intx) {
            dev->intx_eoi_notify(dev, dev->intx_eoi_opaque);
        }
    }
}

/* ------------------------------------------------------ config space */

uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr,
                                 unsigned len)
{
    uint32_t val = 0;

    g_assert(len <= 4 && addr + len <= dev->config_size);
    memcpy(&val, dev->config + addr, len);
    return GUINT32_FROM_LE(val);
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b,
                           uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                              unsigned len)
{
    uint32_t val_in = val;
    unsigned i;

    g_assert(len <= 4 && addr + len <= dev->config_size);
    for (i = 0; i < len; i++, val >>= 8) {
        uint8_t wm = dev->wmask[addr + i], w1c = dev->w1cmask[addr + i];
        uint8_t *p = &dev->config[addr + i];

        *p = (*p & ~wm) | ((uint8_t)val & wm);
        *p &= ~((uint8_t)val & w1c);
    }
    if (ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 24) ||
        ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        pci_update_mappings(dev);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        pci_intx_update(dev);       /* Interrupt Disable */
    }
    if (dev->msi_cap) {
        msi_write_config(dev, addr, val_in, len);
    }
    if (dev->msix_cap) {
        msix_write_config(dev, addr, val_in, len);
    }
}

uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, unsigned len)
{
    return dev->pcic->config_read ? dev->pcic->config_read(dev, addr, len)
                                  : pci_default_read_config(dev, addr, len);
}

void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len)
{
    if (dev->pcic->config_write) {
        dev->pcic->config_write(dev, addr, val, len);
    } else {
        pci_default_write_config(dev, addr, val, len);
    }
}

static void pci_config_init(PCIDevice *dev)
{
    const PCIDeviceClass *pc = dev->pcic;
    uint8_t *c;

    dev->config_size = pc->is_express ? PCIE_CONFIG_SPACE_SIZE
                                      : PCI_CONFIG_SPACE_SIZE;
    dev->config = g_malloc0(dev->config_size);
    dev->wmask = g_malloc0(dev->config_size);
    dev->w1cmask = g_malloc0(dev->config_size);
    c = dev->config;
    pci_set_word(c + PCI_VENDOR_ID, pc->vendor_id);
    pci_set_word(c + PCI_DEVICE_ID, pc->device_id);
    c[PCI_REVISION_ID] = pc->revision;
    pci_set_word(c + PCI_CLASS_DEVICE, pc->class_id);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, pc->subsystem_vendor_id);
    pci_set_word(c + PCI_SUBSYSTEM_ID, pc->subsystem_id);
    pci_set_word(dev->wmask + PCI_COMMAND, PCI_COMMAND_IO |
                 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_INTX_DISABLE);
    /* The error bits of the status register are write-1-to-clear. */
    pci_set_word(dev->w1cmask + PCI_STATUS, 0xf900);
    dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    dev->wmask[PCI_LATENCY_TIMER] = 0xff;
    dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

/* -------------------------------------------------- qdev integration */

static void pci_unmap_all(PCIDevice *dev)
{
    int bar;

    for (bar = 0; bar < PCI_NUM_REGIONS; bar++) {
        PCIIORegion *r = &dev->io_regions[bar];

        if (r->size && r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(dev->bus->mem, r->memory);
            r->addr = PCI_BAR_UNMAPPED;
        }
    }
}

static bool pci_qdev_realize(DeviceState *qdev, Error **errp)
{
    PCIDevice *dev = PCI_DEVICE(qdev);
    PCIBus *bus = pci_bus_find(qdev->bus_id);
    int devfn = dev->devfn;

    if (!bus) {
        error_setg(errp, qdev->bus_id ? "Bus '%s' not found"
                                      : "no PCI bus for '%s'",
                   qdev->bus_id ? qdev->bus_id : qdev->klass->name);
        return false;
    }
    dev->pcic = g_hash_table_lookup(pci_classes, qdev->klass->name);
    g_assert(dev->pcic);
    if (devfn < 0) {
        /* First free slot, as QEMU does (function 0). */
        for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn += 8) {
            if (!bus->devices[devfn]) {
                break;
            }
        }
        if (devfn >= PCI_DEVFN_MAX) {
            error_setg(errp, "PCI: no slot/function available for %s, all "
                       "in use", qdev->klass->name);
            return false;
        }
    } else if (devfn >= PCI_DEVFN_MAX) {
        error_setg(errp, "PCI: devfn %d is out of range", devfn);
        return false;
    } else if (bus->devices[devfn]) {
        error_setg(errp, "PCI: slot %d function %d not available for %s, "
                   "in use by %s", PCI_SLOT(devfn), PCI_FUNC(devfn),
                   qdev->klass->name,
                   pci_device_name(bus->devices[devfn]));
        return false;
    }
    dev->devfn = devfn;
    dev->bus = bus;
    pci_config_init(dev);
    if (dev->pcic->realize && !dev->pcic->realize(dev, errp)) {
        goto fail;
    }
    bus->devices[devfn] = dev;
    if (qdev_machine_is_started()) {
        /* Hotplug: firmware is not there, the host bridge assigns. */
        if (bus->ops && bus->ops->assign_bars &&
            !bus->ops->assign_bars(bus, dev, errp)) {
            bus->devices[devfn] = NULL;
            pci_unmap_all(dev);
            if (dev->pcic->exit) {
                dev->pcic->exit(dev);
            }
            goto fail;
        }
        if (bus->ops && bus->ops->device_plugged) {
            bus->ops->device_plugged(bus, dev, true);
        }
    }
    trace_pci_device_plug(pci_device_name(dev), bus->name, devfn);
    return true;

fail:
    g_free(dev->config);
    g_free(dev->wmask);
    g_free(dev->w1cmask);
    dev->config = dev->wmask = dev->w1cmask = NULL;
    dev->bus = NULL;
    return false;
}

static void pci_qdev_unrealize(DeviceState *qdev)
{
    PCIDevice *dev = PCI_DEVICE(qdev);
    PCIBus *bus = dev->bus;

    trace_pci_device_unplug(pci_device_name(dev), bus->name, dev->devfn);
    pci_unmap_all(dev);
    /* A device that goes away lets go of its INTx line. */
    dev->intx_level = 0;
    pci_intx_update(dev);
    bus->devices[dev->devfn] = NULL;
    if (dev->pcic->exit) {
        dev->pcic->exit(dev);
    }
    g_free(dev->config);
    g_free(dev->wmask);
    g_free(dev->w1cmask);
    dev->config = dev->wmask = dev->w1cmask = NULL;
    dev->bus = NULL;
    if (qdev_machine_is_started() && bus->ops && bus->ops->device_plugged) {
        bus->ops->device_plugged(bus, dev, false);
    }
}

/* Reset: decoding off, BARs cleared; firmware assigns them again. */
static void pci_qdev_reset(DeviceState *qdev)
{
    PCIDevice *dev = PCI_DEVICE(qdev);
    int bar;

    if (dev->pcic->reset) {
        dev->pcic->reset(dev);
    }
    /* Interrupts off: MSI and MSI-X disabled, INTx low. */
    if (dev->msi_cap) {
        msi_reset(dev);
    }
    if (dev->msix_cap) {
        msix_reset(dev);
    }
    dev->intx_level = 0;
    pci_set_word(dev->config + PCI_COMMAND, 0);
    pci_intx_update(dev);
    pci_set_word(dev->config + PCI_STATUS,
                 pci_get_word(dev->config + PCI_STATUS) &
                 ~pci_get_word(dev->w1cmask + PCI_STATUS));
    dev->config[PCI_CACHE_LINE_SIZE] = 0;
    dev->config[PCI_LATENCY_TIMER] = 0;
    dev->config[PCI_INTERRUPT_LINE] = 0;
    for (bar = 0; bar < PCI_NUM_REGIONS; bar++) {
        PCIIORegion *r = &dev->io_regions[bar];
        uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * bar;

        if (!r->size) {
            continue;
        }
        pci_set_long(dev->config + reg, r->type);
        if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            pci_set_long(dev->config + reg + 4, 0);
        }
    }
    pci_update_mappings(dev);
}

/* ---------------------------------------------------------- migration */

void pci_device_save_config(PCIDevice *dev, GByteArray *out)
{
    mig_put_be32(out, dev->config_size);
    mig_put_bytes(out, dev->config, dev->config_size);
    /* The MSI-X table and PBA are device memory, not config space. */
    if (msix_present(dev)) {
        msix_save(dev, out);
    }
}

bool pci_device_load_config(PCIDevice *dev, MigReader *in, Error **errp)
{
    uint32_t size = mig_get_be32(in);
    const uint8_t *cfg;

    if (!mig_reader_ok(in, errp)) {
        return false;
    }
    if (size != dev->config_size) {
        error_setg(errp, "%s: configuration space of %u bytes in the "
                   "stream, %u here", pci_device_name(dev), size,
                   dev->config_size);
        return false;
    }
    cfg = mig_get_ptr(in, size);
    if (!cfg) {
        return mig_reader_ok(in, errp);
    }
    if (memcmp(cfg + PCI_VENDOR_ID, dev->config + PCI_VENDOR_ID, 4)) {
        error_setg(errp, "%s: the stream has device %04x:%04x, this "
                   "machine %04x:%04x", pci_device_name(dev),
                   pci_get_word(cfg + PCI_VENDOR_ID),
                   pci_get_word(cfg + PCI_DEVICE_ID),
                   pci_get_word(dev->config + PCI_VENDOR_ID),
                   pci_get_word(dev->config + PCI_DEVICE_ID));
        return false;
    }
    memcpy(dev->config, cfg, size);
    /* BARs and decoding follow the registers, as after a guest write. */
    pci_update_mappings(dev);
    if (msix_present(dev) && !msix_load(dev, in, errp)) {
        return false;
    }
    /* The Interrupt Status bit is the device's INTx level. */
    dev->intx_level = !!(pci_get_word(dev->config + PCI_STATUS) &
                         PCI_STATUS_INTERRUPT);
    pci_intx_update(dev);
    trace_pci_device_load_config(pci_device_name(dev), size);
    return true;
}

static void pci_qdev_save_state(DeviceState *qdev, GByteArray *out)
{
    pci_device_save_config(PCI_DEVICE(qdev), out);
}

static bool pci_qdev_load_state(DeviceState *qdev, MigReader *in,
                                uint32_t version, Error **errp)
{
    return pci_device_load_config(PCI_DEVICE(qdev), in, errp) &&
           mig_reader_finish(in, errp);
}

/* "pci.0/02.0": the bus and slot, the same on both sides. */
static char *pci_qdev_migration_path(DeviceState *qdev)
{
    PCIDevice *dev = PCI_DEVICE(qdev);

    return g_strdup_printf("%s/%02x.%x", dev->bus->name,
                           PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn));
}

void pci_register_type(PCIDeviceClass *pcic)
{
    DeviceClass *dc = &pcic->parent;

    dc->bus_type = "PCI";
    dc->realize = pci_qdev_realize;
    dc->unrealize = pci_qdev_unrealize;
    dc->reset = pci_qdev_reset;
    dc->migration_path = pci_qdev_migration_path;
    /* Every PCI device sends its config space unless it says more. */
    if (!dc->save_state && !dc->unmigratable && !dc->mig_ops) {
        dc->state_version = 1;
        dc->save_state = pci_qdev_save_state;
        dc->load_state = pci_qdev_load_state;
    }
    g_assert(dc->instance_size >= sizeof(PCIDevice));
    if (!pci_classes) {
        pci_classes = g_hash_table_new(g_str_hash, g_str_equal);
    }
    g_hash_table_insert(pci_classes, (gpointer)dc->name, pcic);
    qdev_register_type(dc);
}
