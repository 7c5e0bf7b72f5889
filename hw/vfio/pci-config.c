/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-pci configuration space: which bits the guest sees from the
 * machine's emulated copy, which from the device, and where its writes go.
 *
 * Two masks per byte decide every access:
 *  - emu_bits: bits read from the emulated copy (pdev->config, written by
 *    the PCI core under pdev->wmask/w1cmask); the others are read from
 *    the device through the config region of its fd;
 *  - dev_wbits: bits of a guest write that go to the device.  Device bits
 *    a write does not own keep the device's value (read-modify-write),
 *    except write-1-to-clear bits, which get 0 so nothing is cleared that
 *    the guest did not ask for.
 *
 * The layout:
 *  - identity, BARs, ROM BAR, header type, interrupt line/pin, capability
 *    pointer: emulated.  BARs hold the addresses the PHB assigned and
 *    answer the sizing protocol from pdev->wmask; the device's own BARs
 *    are never rewritten (the host decodes them wherever it put them).
 *    The ROM BAR is not exposed: it reads 0 and sizes to nothing.
 *  - COMMAND: I/O, memory, bus master, parity, SERR and INTx disable are
 *    the device's (read from and written to it); the memory bit is also
 *    kept in the emulated copy, which maps the BARs.  A failed device
 *    never gets bus master back.
 *  - STATUS: the device's; its error bits are write-1-to-clear there.
 *  - capability list: the device's, passed through, except each
 *    capability's ID/next header (emulated, read-only) and the MSI and
 *    MSI-X capabilities, emulated whole (msi_init/msix_init by pci-irq.c);
 *    a guest write to them ends in vfio_pci_irq_update(), which switches
 *    the host's interrupts.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "hw/pci/pci.h"
#include "trace.h"

#define CMD_PARITY          0x040
#define CMD_SERR            0x100
#define CMD_DEVICE_BITS     (PCI_COMMAND_IO | PCI_COMMAND_MEMORY |    \
                             PCI_COMMAND_MASTER | CMD_PARITY |        \
                             CMD_SERR | PCI_COMMAND_INTX_DISABLE)
#define STATUS_W1C          0xf900  /* parity and abort error bits */

#define CAP_ID_MSI          0x05
#define CAP_ID_MSIX         0x11
#define MSI_FLAGS           2
#define  MSI_FLAGS_ENABLE   0x0001
#define  MSI_FLAGS_QSIZE    0x0070
#define  MSI_FLAGS_64BIT    0x0080
#define  MSI_FLAGS_MASKBIT  0x0100
#define MSI_ADDRESS_LO      4
#define MSI_ADDRESS_HI      8
#define MSIX_FLAGS          2
#define  MSIX_FLAGS_CTRL    0xc000  /* enable, function mask */
#define MSIX_SIZEOF         12

static const char *vname(VFIOPCIDevice *v)
{
    return v->name ? v->name : "vfio-pci";
}

static uint32_t len_mask(unsigned len)
{
    return ~0U >> (32 - 8 * len);
}

/* Gather @len per-byte masks at @addr into a little-endian word. */
static uint32_t byte_mask(const uint8_t *bits, uint32_t addr, unsigned len)
{
    uint32_t m = 0;
    unsigned i;

    for (i = 0; i < len; i++) {
        m |= (uint32_t)bits[addr + i] << (8 * i);
    }
    return m;
}

/* -------------------------------------------------- device access */

bool vfio_pci_dev_config_read(VFIOPCIDevice *v, uint32_t addr,
                              unsigned len, uint32_t *val)
{
    uint8_t buf[4] = { 0 };
    ssize_t n = pread(v->fd, buf, len, v->config.offset + addr);

    if (n != (ssize_t)len) {
        warn_report("%s: config read at 0x%x failed: %s", vname(v), addr,
                    n < 0 ? g_strerror(errno) : "short read");
        return false;
    }
    *val = pci_get_long(buf) & len_mask(len);
    trace_vfio_pci_config_dev_read(vname(v), addr, *val, len);
    return true;
}

bool vfio_pci_dev_config_write(VFIOPCIDevice *v, uint32_t addr,
                               unsigned len, uint32_t val)
{
    uint8_t buf[4];
    ssize_t n;

    pci_set_long(buf, val);
    trace_vfio_pci_config_dev_write(vname(v), addr, val, len);
    n = pwrite(v->fd, buf, len, v->config.offset + addr);
    if (n != (ssize_t)len) {
        warn_report("%s: config write at 0x%x failed: %s", vname(v), addr,
                    n < 0 ? g_strerror(errno) : "short write");
        return false;
    }
    return true;
}

/* ------------------------------------------------------ the layout */

static void set_bits(uint8_t *bits, uint32_t addr, unsigned len,
                     uint32_t mask)
{
    unsigned i;

    for (i = 0; i < len; i++) {
        bits[addr + i] = mask >> (8 * i);
    }
}

/* A whole range emulated: take the device's value, make it read-only. */
static void emulate_range(VFIOPCIDevice *v, const uint8_t *raw,
                          uint32_t addr, unsigned len)
{
    PCIDevice *pdev = &v->parent_obj;

    memcpy(pdev->config + addr, raw + addr, len);
    memset(pdev->wmask + addr, 0, len);
    memset(v->emu_bits + addr, 0xff, len);
    memset(v->dev_wbits + addr, 0, len);
}

/* Bytes of the MSI capability at @pos, from its flags. */
static unsigned msi_size(uint16_t flags)
{
    unsigned size = (flags & MSI_FLAGS_64BIT) ? 14 : 10;

    if (flags & MSI_FLAGS_MASKBIT) {
        size += 10;     /* reserved half-word, mask and pending bits */
    }
    return size;
}

static void emulate_msi(VFIOPCIDevice *v, const uint8_t *raw, uint8_t pos,
                        unsigned cfg_size)
{
    PCIDevice *pdev = &v->parent_obj;
    uint16_t flags = pci_get_word(raw + pos + MSI_FLAGS);
    bool is64 = flags & MSI_FLAGS_64BIT;
    uint32_t data = is64 ? 12 : 8;

    if (pos + msi_size(flags) > cfg_size) {
        /* Runs off the end: keep what fits, read-only. */
        emulate_range(v, raw, pos, cfg_size - pos);
        return;
    }
    emulate_range(v, raw, pos, msi_size(flags));
    /* The guest enables it and programs address and data. */
    pci_set_word(pdev->config + pos + MSI_FLAGS, flags & ~MSI_FLAGS_ENABLE &
                 ~MSI_FLAGS_QSIZE);
    pci_set_word(pdev->wmask + pos + MSI_FLAGS,
                 MSI_FLAGS_ENABLE | MSI_FLAGS_QSIZE);
    pci_set_long(pdev->wmask + pos + MSI_ADDRESS_LO, 0xfffffffc);
    if (is64) {
        pci_set_long(pdev->wmask + pos + MSI_ADDRESS_HI, 0xffffffff);
    }
    pci_set_word(pdev->wmask + pos + data, 0xffff);
    if (flags & MSI_FLAGS_MASKBIT) {
        pci_set_long(pdev->wmask + pos + data + 4, 0xffffffff);
    }
    v->msi_cap = pos;
}

static void emulate_msix(VFIOPCIDevice *v, const uint8_t *raw, uint8_t pos,
                         unsigned cfg_size)
{
    PCIDevice *pdev = &v->parent_obj;

    if (pos + MSIX_SIZEOF > cfg_size) {
        emulate_range(v, raw, pos, cfg_size - pos);
        return;
    }
    emulate_range(v, raw, pos, MSIX_SIZEOF);
    pci_set_word(pdev->config + pos + MSIX_FLAGS,
                 pci_get_word(raw + pos + MSIX_FLAGS) & ~MSIX_FLAGS_CTRL);
    pci_set_word(pdev->wmask + pos + MSIX_FLAGS, MSIX_FLAGS_CTRL);
    v->msix_cap = pos;
}

/* Walk the device's capability list; emulate headers, MSI and MSI-X. */
static void setup_caps(VFIOPCIDevice *v, const uint8_t *raw,
                       unsigned cfg_size)
{
    uint8_t pos = raw[PCI_CAPABILITY_LIST] & ~3;
    unsigned guard = 0;

    if (!(pci_get_word(raw + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return;
    }
    v->parent_obj.config[PCI_CAPABILITY_LIST] = pos;
    /* A loop in a broken list ends after as many steps as fit. */
    while (pos >= PCI_STD_HEADER_END && pos + 2 <= cfg_size &&
           guard++ < (PCI_CONFIG_SPACE_SIZE - PCI_STD_HEADER_END) / 4) {
        uint8_t id = raw[pos];

        emulate_range(v, raw, pos, 2);
        if (id == CAP_ID_MSI) {
            emulate_msi(v, raw, pos, cfg_size);
        } else if (id == CAP_ID_MSIX) {
            emulate_msix(v, raw, pos, cfg_size);
        }
        trace_vfio_pci_config_cap(vname(v), id, pos);
        pos = raw[pos + 1] & ~3;
    }
}

bool vfio_pci_config_setup(VFIOPCIDevice *v, Error **errp)
{
    PCIDevice *pdev = &v->parent_obj;
    unsigned cfg_size = MIN(pdev->config_size, v->config.size);
    g_autofree uint8_t *raw = g_malloc0(pdev->config_size);
    ssize_t n;

    if (cfg_size < PCI_STD_HEADER_END) {
        error_setg(errp, "%s: config region of %" PRIu64 " bytes is too "
                   "small", vname(v), v->config.size);
        return false;
    }
    n = pread(v->fd, raw, cfg_size, v->config.offset);
    if (n < PCI_STD_HEADER_END) {
        error_setg_errno(errp, n < 0 ? errno : EIO,
                         "%s: cannot read config space", vname(v));
        return false;
    }
    cfg_size = n;
    v->emu_bits = g_malloc(pdev->config_size);
    v->dev_wbits = g_malloc0(pdev->config_size);
    /* Passed through by default; the header and beyond the end are not. */
    memset(v->emu_bits, 0, pdev->config_size);
    memset(v->emu_bits, 0xff, PCI_STD_HEADER_END);
    memset(v->emu_bits + cfg_size, 0xff, pdev->config_size - cfg_size);
    memset(v->dev_wbits + PCI_STD_HEADER_END, 0xff,
           cfg_size - PCI_STD_HEADER_END);

    /* Identity from the device (BARs are registered by the caller). */
    memcpy(pdev->config + PCI_VENDOR_ID, raw + PCI_VENDOR_ID, 4);
    memcpy(pdev->config + PCI_REVISION_ID, raw + PCI_REVISION_ID, 4);
    pdev->config[PCI_HEADER_TYPE] = raw[PCI_HEADER_TYPE] & 0x7f;
    memcpy(pdev->config + PCI_SUBSYSTEM_VENDOR_ID,
           raw + PCI_SUBSYSTEM_VENDOR_ID, 4);
    pdev->config[PCI_INTERRUPT_PIN] = raw[PCI_INTERRUPT_PIN];
    memcpy(pdev->config + PCI_INTERRUPT_PIN + 1,
           raw + PCI_INTERRUPT_PIN + 1, 2);        /* MIN_GNT, MAX_LAT */

    set_bits(v->emu_bits, PCI_COMMAND, 2, ~CMD_DEVICE_BITS);
    set_bits(v->dev_wbits, PCI_COMMAND, 2, CMD_DEVICE_BITS);
    set_bits(v->emu_bits, PCI_STATUS, 2, 0);
    set_bits(v->dev_wbits, PCI_STATUS, 2, STATUS_W1C);
    setup_caps(v, raw, cfg_size);
    return true;
}

void vfio_pci_config_cleanup(VFIOPCIDevice *v)
{
    g_clear_pointer(&v->emu_bits, g_free);
    g_clear_pointer(&v->dev_wbits, g_free);
}

/* ------------------------------------------------------- guest access */

uint32_t vfio_pci_config_read(PCIDevice *pdev, uint32_t addr, unsigned len)
{
    VFIOPCIDevice *v = VFIO_PCI(pdev);
    uint32_t emu = byte_mask(v->emu_bits, addr, len);
    uint32_t val = pci_default_read_config(pdev, addr, len) & emu;
    uint32_t dev;

    if (emu != len_mask(len)) {
        /* A device that does not answer reads as all-ones, like a bus. */
        if (!vfio_pci_dev_config_read(v, addr, len, &dev)) {
            dev = ~0U;
        }
        val |= dev & ~emu & len_mask(len);
    }
    return val;
}

/* The device's write-1-to-clear bits in [addr, addr + len). */
static uint32_t dev_w1c(uint32_t addr, unsigned len)
{
    uint32_t m = 0;
    unsigned i;

    for (i = 0; i < len; i++) {
        if (addr + i == PCI_STATUS || addr + i == PCI_STATUS + 1) {
            m |= (uint32_t)((STATUS_W1C >> (8 * (addr + i - PCI_STATUS))) &
                            0xff) << (8 * i);
        }
    }
    return m;
}

static bool overlaps(uint32_t addr, unsigned len, uint32_t start,
                     unsigned size)
{
    return size && addr < start + size && start < addr + len;
}

/*
 * The guest wrote the emulated MSI or MSI-X capability (enable, address,
 * data, masks): the host's interrupt type follows (pci-irq.c).
 */
static void vfio_pci_msi_write(VFIOPCIDevice *v, uint32_t addr,
                               unsigned len)
{
    PCIDevice *pdev = &v->parent_obj;
    uint8_t pos = v->msi_cap ? v->msi_cap : v->msix_cap;

    trace_vfio_pci_msi_write(vname(v), addr, len,
                             pci_get_word(pdev->config + pos + MSI_FLAGS));
    vfio_pci_irq_update(v);
}

void vfio_pci_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
                           unsigned len)
{
    VFIOPCIDevice *v = VFIO_PCI(pdev);
    uint32_t fwd = byte_mask(v->dev_wbits, addr, len);

    trace_vfio_pci_config_write(vname(v), addr, val, len);
    /* The emulated copy: BARs, the memory bit, MSI, line... */
    pci_default_write_config(pdev, addr, val, len);
    if ((v->msi_cap &&
         overlaps(addr, len, v->msi_cap,
                  msi_size(pci_get_word(pdev->config + v->msi_cap +
                                        MSI_FLAGS)))) ||
        overlaps(addr, len, v->msix_cap, v->msix_cap ? MSIX_SIZEOF : 0)) {
        vfio_pci_msi_write(v, addr, len);
    }
    if (!fwd) {
        return;
    }
    if (fwd != len_mask(len)) {
        uint32_t w1c = dev_w1c(addr, len), keep, dev;

        keep = ~fwd & ~w1c & len_mask(len);
        if (keep) {
            if (!vfio_pci_dev_config_read(v, addr, len, &dev)) {
                return;
            }
            val = (val & fwd) | (dev & keep);
        } else {
            val &= fwd;
        }
    }
    /* A failed device must not master DMA again. */
    if (v->failed && overlaps(addr, len, PCI_COMMAND, 1)) {
        val &= ~((uint32_t)PCI_COMMAND_MASTER << (8 * (PCI_COMMAND - addr)));
    }
    vfio_pci_dev_config_write(v, addr, len, val);
}

/* ------------------------------------------------------ stopping DMA */

bool vfio_pci_config_set_command(VFIOPCIDevice *v, uint16_t clear,
                                 uint16_t set)
{
    uint32_t cmd;

    if (!vfio_pci_dev_config_read(v, PCI_COMMAND, 2, &cmd) ||
        !vfio_pci_dev_config_write(v, PCI_COMMAND, 2,
                                   (cmd & ~clear) | set) ||
        !vfio_pci_dev_config_read(v, PCI_COMMAND, 2, &cmd)) {
        return false;
    }
    return (cmd & clear) == 0 && (cmd & set) == set;
}
