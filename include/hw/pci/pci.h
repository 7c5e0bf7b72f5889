/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PCI: buses, devices, configuration space and BARs.
 *
 * A PCIBus belongs to a host bridge (the sPAPR PHB) which provides the
 * bus memory space the BARs are mapped into and the DMA address space
 * devices use.  A PCI device type is a PCIDeviceClass whose first member
 * is the qdev DeviceClass, registered with pci_register_type().
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "qemu/osdep.h"
#include "exec/memory.h"
#include "hw/qdev.h"
#include "hw/pci/pci_regs.h"

typedef uint64_t pcibus_t;
typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;
typedef struct PCIDeviceClass PCIDeviceClass;

#define PCI_DEVFN(slot, fn)     ((((slot) & 0x1f) << 3) | ((fn) & 0x07))
#define PCI_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)         ((devfn) & 0x07)
#define PCI_DEVFN_MAX           256

#define PCI_NUM_REGIONS         6       /* BARs 0-5; no expansion ROM */
#define PCI_NUM_PINS            4       /* INTA# .. INTD# */
#define PCI_BAR_UNMAPPED        (~(pcibus_t)0)

typedef struct PCIIORegion {
    pcibus_t addr;          /* bus address while mapped, else UNMAPPED */
    pcibus_t size;          /* 0: BAR not implemented */
    uint8_t type;           /* PCI_BASE_ADDRESS_* low bits */
    MemoryRegion *memory;
} PCIIORegion;

struct PCIDeviceClass {
    DeviceClass parent;     /* what qdev sees; must stay first */
    uint16_t vendor_id;
    uint16_t device_id;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    uint8_t revision;
    uint16_t class_id;      /* base class << 8 | subclass */
    bool is_express;        /* 4 KiB configuration space */
    /* Device part of realize: BARs, registers.  Undo all on failure. */
    bool (*realize)(PCIDevice *dev, Error **errp);
    void (*exit)(PCIDevice *dev);
    void (*reset)(PCIDevice *dev);
    /*
     * Asked before the platform opens a DMA window of @size bytes at bus
     * address @start with 2^@page_shift pages for the device (DDW create):
     * false with @errp set refuses it.  NULL: any window is fine.
     */
    bool (*dma_window_check)(PCIDevice *dev, uint64_t start, uint64_t size,
                             unsigned page_shift, Error **errp);
    /*
     * The platform put the device's DMA windows back to their default
     * (a DMA window reset, a PHB or machine reset): a device whose DMA
     * broke may try again.  NULL: nothing to do.
     */
    void (*dma_reset)(PCIDevice *dev);
    /* Configuration space hooks; NULL = pci_default_*_config. */
    uint32_t (*config_read)(PCIDevice *dev, uint32_t addr, unsigned len);
    void (*config_write)(PCIDevice *dev, uint32_t addr, uint32_t val,
                         unsigned len);
};

struct PCIDevice {
    DeviceState qdev;       /* must stay first */
    int32_t devfn;          /* "addr" property: -1 = first free slot */
    PCIBus *bus;
    const PCIDeviceClass *pcic;
    uint32_t config_size;
    uint8_t *config;        /* little-endian, as on the wire */
    uint8_t *wmask;         /* bits software may write */
    uint8_t *w1cmask;       /* bits cleared by writing 1 */
    PCIIORegion io_regions[PCI_NUM_REGIONS];

    /* Interrupts: INTx (pci.c), MSI (msi.c), MSI-X (msix.c). */
    int intx_level;             /* what the device drives (pci_set_irq) */
    bool intx_counted;          /* counted in bus->intx_count */
    void (*intx_eoi_notify)(PCIDevice *dev, void *opaque);
    void *intx_eoi_opaque;
    uint8_t msi_cap;            /* capability offset, 0: none */
    uint8_t msix_cap;
    struct PCIMSIXState *msix;  /* table, PBA and notifier (msix.c) */
};

/*
 * Host bridge callbacks: the PHB decides where BARs go and hears about
 * devices that come and go after the machine started.
 */
typedef struct PCIBusOps {
    bool (*assign_bars)(PCIBus *bus, PCIDevice *dev, Error **errp);
    void (*device_plugged)(PCIBus *bus, PCIDevice *dev, bool plugged);
    /*
     * INTx line @intx (0-3 = A-D after the slot swizzle) of the bus
     * changed to @level (the OR of every device routed to it).
     */
    void (*set_irq)(PCIBus *bus, int intx, int level);
} PCIBusOps;

struct PCIBus {
    char *name;             /* "pci.0", or "<phb id>.0" */
    char *host_id;          /* qdev id of the host bridge, or NULL */
    bool is_default;        /* where devices go without bus= */
    void *host;             /* the host bridge (SpaprPhbState) */
    const PCIBusOps *ops;
    MemoryRegion *mem;      /* bus memory space BARs are mapped in */
    AddressSpace *dma_as;   /* what devices reach by DMA */
    PCIDevice *devices[PCI_DEVFN_MAX];
    int intx_count[PCI_NUM_PINS];   /* devices asserting each line */
};

/* Common properties of every PCI device type (put in its props list). */
#define DEFINE_PCI_DEVICE_PROPS(_state) \
    DEFINE_PROP("addr", _state, parent_obj.devfn, PROP_PCI_DEVFN, "-1", \
                "slot[.function] on the bus (hex)")

static inline PCIDevice *PCI_DEVICE(DeviceState *dev)
{
    return (PCIDevice *)dev;
}

/* Fills the qdev hooks (realize, reset, bus type) and registers. */
void pci_register_type(PCIDeviceClass *pcic);

/* Buses (created by host bridges). */
void pci_bus_init(PCIBus *bus, const char *name, const char *host_id,
                  void *host, const PCIBusOps *ops, MemoryRegion *mem,
                  AddressSpace *dma_as);
/* Unplugs (destroys) every device left on @bus, then forgets the bus. */
void pci_bus_cleanup(PCIBus *bus);
/* By bus name or host bridge id; NULL name = the default bus. */
PCIBus *pci_bus_find(const char *name);
/* Every bus, in creation order (do not free the list). */
GList *pci_bus_list(void);
PCIDevice *pci_bus_find_device(PCIBus *bus, unsigned bus_num,
                               unsigned devfn);
/* Calls @fn for each device of @bus in devfn order. */
void pci_bus_foreach_device(PCIBus *bus,
                            void (*fn)(PCIBus *bus, PCIDevice *dev,
                                       void *opaque),
                            void *opaque);
/* Every device on every bus (g_list_free the list). */
GList *pci_device_list(void);

/* BARs. */
void pci_register_bar(PCIDevice *dev, int bar, uint8_t type,
                      MemoryRegion *mr);
/* Current address of a BAR (PCI_BAR_UNMAPPED when not decoded). */
pcibus_t pci_get_bar_addr(PCIDevice *dev, int bar);
/* Program a BAR register (firmware-like); mappings follow. */
void pci_set_bar_addr(PCIDevice *dev, int bar, pcibus_t addr);
void pci_set_command(PCIDevice *dev, uint16_t cmd);
void pci_update_mappings(PCIDevice *dev);
AddressSpace *pci_device_dma_as(PCIDevice *dev);

/* Configuration space. */
uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, unsigned len);
void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len);
uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr,
                                 unsigned len);
void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                              unsigned len);

static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static inline uint32_t pci_get_long(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

/*
 * Capabilities: add one of @size bytes at @offset (0x40..0xff, dword
 * aligned) to the list (kept in place when already listed); delete one
 * (its bytes and masks cleared); find the first with @cap_id (0: none).
 */
bool pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset,
                        uint8_t size, Error **errp);
void pci_del_capability(PCIDevice *dev, uint8_t offset, uint8_t size);
uint8_t pci_find_capability(PCIDevice *dev, uint8_t cap_id);

/*
 * INTx.  A device with an interrupt pin (PCI_INTERRUPT_PIN 1-4) drives
 * it with pci_set_irq(); the bus line it reaches is
 * pci_intx_route(), (slot + pin - 1) mod 4, and the host bridge turns
 * that line into a platform interrupt (PCIBusOps.set_irq).  The
 * Interrupt Disable bit of the command register keeps the line low;
 * the Interrupt Status bit follows the device's level.
 */
void pci_set_irq(PCIDevice *dev, int level);
/* Bus line 0-3 of the device's pin, -1 when it has no pin. */
int pci_intx_route(PCIDevice *dev);
/*
 * @fn is called when the guest EOIs the platform interrupt this
 * device's INTx routes to (VFIO unmasks the host's INTx then).
 * NULL @fn removes it.
 */
void pci_set_intx_eoi_notifier(PCIDevice *dev,
                               void (*fn)(PCIDevice *dev, void *opaque),
                               void *opaque);
/* The host bridge saw the EOI of bus line @intx: tell its devices. */
void pci_bus_intx_eoi(PCIBus *bus, int intx);

/* For device names in traces and messages: "type@slot.fn". */
const char *pci_device_name(PCIDevice *dev);

#endif
