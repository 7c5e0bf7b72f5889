/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PCI MSI-X: the capability in configuration space (enable, function
 * mask), the vector table and the pending bit array as MMIO regions
 * laid over the device's BARs, delivery, and the per-vector mask
 * notifier VFIO uses to mask vectors on the host.
 * See include/hw/pci/msix.h.
 *
 * The effective mask of a vector is what decides delivery: MSI-X
 * disabled, the function mask, or the vector's own mask bit.  Every
 * change of it (from a table write or a capability write) goes through
 * msix_update_masks(), which tells the notifier and sends what was
 * pending on the newly unmasked vectors.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "exec/ram.h"
#include "hw/pci/msix.h"
#include "migration/vmstate.h"
#include "trace.h"

typedef struct PCIMSIXState {
    PCIDevice *dev;
    unsigned nentries;
    uint8_t *table;             /* nentries x 16 bytes, little-endian */
    uint8_t *pba;               /* one bit per vector */
    bool *masked;               /* last effective mask told around */
    MemoryRegion table_mr;
    MemoryRegion pba_mr;
    unsigned live_regions;      /* freed when both regions are released */
    MSIVectorNotifier notifier;
    void *notifier_opaque;
} PCIMSIXState;

static uint16_t msix_flags(PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msix_cap + PCI_MSIX_FLAGS);
}

bool msix_present(PCIDevice *dev)
{
    return dev->msix_cap != 0 && dev->msix;
}

bool msix_enabled(PCIDevice *dev)
{
    return msix_present(dev) && (msix_flags(dev) & PCI_MSIX_FLAGS_ENABLE);
}

unsigned msix_nr_vectors(PCIDevice *dev)
{
    return msix_present(dev) ? dev->msix->nentries : 0;
}

static bool msix_function_masked(PCIDevice *dev)
{
    return !msix_enabled(dev) || (msix_flags(dev) & PCI_MSIX_FLAGS_MASKALL);
}

static uint8_t *msix_entry(PCIDevice *dev, unsigned vector)
{
    return dev->msix->table + vector * PCI_MSIX_ENTRY_SIZE;
}

static bool msix_vector_masked(PCIDevice *dev, unsigned vector)
{
    return pci_get_long(msix_entry(dev, vector) +
                        PCI_MSIX_ENTRY_VECTOR_CTRL) &
           PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool msix_is_masked(PCIDevice *dev, unsigned vector)
{
    if (!msix_present(dev) || vector >= dev->msix->nentries) {
        return true;
    }
    return msix_function_masked(dev) || msix_vector_masked(dev, vector);
}

bool msix_is_pending(PCIDevice *dev, unsigned vector)
{
    if (!msix_present(dev) || vector >= dev->msix->nentries) {
        return false;
    }
    return dev->msix->pba[vector / 8] & (1u << (vector % 8));
}

static void msix_set_pending(PCIDevice *dev, unsigned vector, bool pending)
{
    uint8_t bit = 1u << (vector % 8);

    if (pending) {
        dev->msix->pba[vector / 8] |= bit;
    } else {
        dev->msix->pba[vector / 8] &= ~bit;
    }
}

MSIMessage msix_get_message(PCIDevice *dev, unsigned vector)
{
    MSIMessage msg = { 0, 0 };
    const uint8_t *e;

    if (!msix_present(dev) || vector >= dev->msix->nentries) {
        return msg;
    }
    e = msix_entry(dev, vector);
    msg.address = pci_get_long(e + PCI_MSIX_ENTRY_LOWER_ADDR) |
                  (uint64_t)pci_get_long(e + PCI_MSIX_ENTRY_UPPER_ADDR) << 32;
    msg.data = pci_get_long(e + PCI_MSIX_ENTRY_DATA);
    return msg;
}

void msix_set_message(PCIDevice *dev, unsigned vector, MSIMessage msg)
{
    uint8_t *e;

    if (!msix_present(dev) || vector >= dev->msix->nentries) {
        return;
    }
    e = msix_entry(dev, vector);
    pci_set_long(e + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)msg.address);
    pci_set_long(e + PCI_MSIX_ENTRY_UPPER_ADDR, msg.address >> 32);
    pci_set_long(e + PCI_MSIX_ENTRY_DATA, msg.data);
}

static void msix_send(PCIDevice *dev, unsigned vector)
{
    MSIMessage msg = msix_get_message(dev, vector);
    uint8_t buf[4];

    trace_msix_notify(pci_device_name(dev), vector, msg.address, msg.data);
    pci_set_long(buf, msg.data);
    address_space_write(pci_device_dma_as(dev), msg.address,
                        MEMTXATTRS_UNSPECIFIED, buf, sizeof(buf));
}

void msix_notify(PCIDevice *dev, unsigned vector)
{
    if (!msix_enabled(dev) || vector >= dev->msix->nentries) {
        return;
    }
    if (msix_is_masked(dev, vector)) {
        trace_msix_masked(pci_device_name(dev), vector);
        msix_set_pending(dev, vector, true);
        return;
    }
    msix_send(dev, vector);
}

/* Effective masks of vectors [first, first + n) may have changed. */
static void msix_update_masks(PCIDevice *dev, unsigned first, unsigned n)
{
    PCIMSIXState *s = dev->msix;
    unsigned v;

    for (v = first; v < first + n && v < s->nentries; v++) {
        bool masked = msix_is_masked(dev, v);

        if (masked == s->masked[v]) {
            continue;
        }
        s->masked[v] = masked;
        trace_msix_mask_change(pci_device_name(dev), v, masked);
        if (s->notifier) {
            s->notifier(dev, v, masked, s->notifier_opaque);
        }
        if (!masked && msix_is_pending(dev, v)) {
            msix_set_pending(dev, v, false);
            msix_send(dev, v);
        }
    }
}

void msix_set_vector_notifier(PCIDevice *dev, MSIVectorNotifier fn,
                              void *opaque)
{
    if (!msix_present(dev)) {
        return;
    }
    dev->msix->notifier = fn;
    dev->msix->notifier_opaque = fn ? opaque : NULL;
}

/* ------------------------------------------------------------ MMIO */

static uint64_t msix_table_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIMSIXState *s = opaque;

    return pci_get_long(s->table + addr);
}

static void msix_table_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    PCIMSIXState *s = opaque;
    unsigned vector = addr / PCI_MSIX_ENTRY_SIZE;

    trace_msix_table_write(pci_device_name(s->dev), addr, val, size);
    pci_set_long(s->table + addr, val);
    if (addr % PCI_MSIX_ENTRY_SIZE == PCI_MSIX_ENTRY_VECTOR_CTRL) {
        msix_update_masks(s->dev, vector, 1);
    }
}

/* Dword accesses (a qword is split in two, as the spec allows). */
static const MemoryRegionOps msix_table_ops = {
    .read = msix_table_read,
    .write = msix_table_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t msix_pba_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIMSIXState *s = opaque;
    unsigned len = (s->nentries + 7) / 8;
    uint32_t val = 0;
    unsigned i;

    for (i = 0; i < 4 && addr + i < len; i++) {
        val |= (uint32_t)s->pba[addr + i] << (8 * i);
    }
    return val;
}

static void msix_pba_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    /* Read-only: pending bits are the device's. */
}

static const MemoryRegionOps msix_pba_ops = {
    .read = msix_pba_read,
    .write = msix_pba_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static void msix_region_release(MemoryRegion *mr)
{
    PCIMSIXState *s = mr->opaque;

    if (--s->live_regions) {
        return;
    }
    g_free(s->table);
    g_free(s->pba);
    g_free(s->masked);
    g_free(s);
}

/* ------------------------------------------------------ capability */

static void msix_reset_state(PCIDevice *dev)
{
    PCIMSIXState *s = dev->msix;
    unsigned v;

    memset(s->table, 0, s->nentries * PCI_MSIX_ENTRY_SIZE);
    for (v = 0; v < s->nentries; v++) {
        pci_set_long(msix_entry(dev, v) + PCI_MSIX_ENTRY_VECTOR_CTRL,
                     PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
    memset(s->pba, 0, (s->nentries + 7) / 8);
}

bool msix_init(PCIDevice *dev, unsigned nentries,
               MemoryRegion *table_bar, uint8_t table_bar_nr,
               uint32_t table_offset,
               MemoryRegion *pba_bar, uint8_t pba_bar_nr,
               uint32_t pba_offset, uint8_t cap_pos, Error **errp)
{
    uint64_t table_size = (uint64_t)nentries * PCI_MSIX_ENTRY_SIZE;
    uint64_t pba_size = QEMU_ALIGN_UP((nentries + 7) / 8, 8);
    const char *name = pci_device_name(dev);
    PCIMSIXState *s;
    uint8_t *c;
    unsigned v;

    if (!nentries || nentries > PCI_MSIX_VECTORS_MAX) {
        error_setg(errp, "%s: MSI-X with %u vectors (1 to %u)", name,
                   nentries, PCI_MSIX_VECTORS_MAX);
        return false;
    }
    if (dev->msix_cap) {
        error_setg(errp, "%s: MSI-X capability already present at 0x%02x",
                   name, dev->msix_cap);
        return false;
    }
    if (table_bar_nr >= PCI_NUM_REGIONS || pba_bar_nr >= PCI_NUM_REGIONS ||
        (table_offset & 7) || (pba_offset & 7) ||
        table_offset + table_size > memory_region_size(table_bar) ||
        pba_offset + pba_size > memory_region_size(pba_bar)) {
        error_setg(errp, "%s: MSI-X table (BAR%u+0x%x, 0x%" PRIx64 " bytes) "
                   "or PBA (BAR%u+0x%x, 0x%" PRIx64 " bytes) misaligned or "
                   "outside its BAR", name, table_bar_nr, table_offset,
                   table_size, pba_bar_nr, pba_offset, pba_size);
        return false;
    }
    if (table_bar == pba_bar && table_offset < pba_offset + pba_size &&
        pba_offset < table_offset + table_size) {
        error_setg(errp, "%s: MSI-X table and PBA overlap", name);
        return false;
    }
    if (!pci_add_capability(dev, PCI_CAP_ID_MSIX, cap_pos,
                            PCI_MSIX_CAP_SIZE, errp)) {
        return false;
    }
    s = g_new0(PCIMSIXState, 1);
    s->dev = dev;
    s->nentries = nentries;
    s->table = g_malloc0(table_size);
    s->pba = g_malloc0(pba_size);
    s->masked = g_new(bool, nentries);
    for (v = 0; v < nentries; v++) {
        s->masked[v] = true;
    }
    dev->msix = s;
    dev->msix_cap = cap_pos;
    msix_reset_state(dev);

    c = dev->config + cap_pos;
    memset(c + 2, 0, PCI_MSIX_CAP_SIZE - 2);
    memset(dev->wmask + cap_pos + 2, 0, PCI_MSIX_CAP_SIZE - 2);
    pci_set_word(c + PCI_MSIX_FLAGS, nentries - 1);
    pci_set_long(c + PCI_MSIX_TABLE, table_offset | table_bar_nr);
    pci_set_long(c + PCI_MSIX_PBA, pba_offset | pba_bar_nr);
    pci_set_word(dev->wmask + cap_pos + PCI_MSIX_FLAGS,
                 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);

    memory_region_init_io(&s->table_mr, name, &msix_table_ops, s,
                          "msix-table", table_size);
    memory_region_init_io(&s->pba_mr, name, &msix_pba_ops, s, "msix-pba",
                          pba_size);
    s->table_mr.release = msix_region_release;
    s->pba_mr.release = msix_region_release;
    s->live_regions = 2;
    /* Above whatever the BAR holds there (registers, mmap'ed RAM). */
    memory_region_add_subregion_overlap(table_bar, table_offset,
                                        &s->table_mr, PCI_MSIX_PRIORITY);
    memory_region_add_subregion_overlap(pba_bar, pba_offset, &s->pba_mr,
                                        PCI_MSIX_PRIORITY);
    return true;
}

void msix_uninit(PCIDevice *dev, MemoryRegion *table_bar,
                 MemoryRegion *pba_bar)
{
    PCIMSIXState *s = dev->msix;

    if (!s) {
        dev->msix_cap = 0;
        return;
    }
    if (dev->config && dev->msix_cap) {
        pci_del_capability(dev, dev->msix_cap, PCI_MSIX_CAP_SIZE);
    }
    dev->msix_cap = 0;
    dev->msix = NULL;
    s->notifier = NULL;
    memory_region_del_subregion(table_bar, &s->table_mr);
    memory_region_del_subregion(pba_bar, &s->pba_mr);
    memory_region_unref(&s->table_mr);
    memory_region_unref(&s->pba_mr);
}

void msix_reset(PCIDevice *dev)
{
    uint8_t *flags;

    if (!msix_present(dev)) {
        return;
    }
    flags = dev->config + dev->msix_cap + PCI_MSIX_FLAGS;
    pci_set_word(flags, pci_get_word(flags) &
                 ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
    msix_reset_state(dev);
    msix_update_masks(dev, 0, dev->msix->nentries);
}

void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                       unsigned len)
{
    uint32_t flags_at = dev->msix_cap + PCI_MSIX_FLAGS;

    if (!msix_present(dev) || addr + len <= flags_at ||
        addr >= flags_at + 2) {
        return;
    }
    trace_msix_control(pci_device_name(dev), msix_enabled(dev),
                       !!(msix_flags(dev) & PCI_MSIX_FLAGS_MASKALL));
    msix_update_masks(dev, 0, dev->msix->nentries);
}

/* ------------------------------------------------------- migration */

void msix_save(PCIDevice *dev, GByteArray *out)
{
    PCIMSIXState *s = dev->msix;

    mig_put_be32(out, s->nentries);
    mig_put_bytes(out, s->table, s->nentries * PCI_MSIX_ENTRY_SIZE);
    mig_put_bytes(out, s->pba, (s->nentries + 7) / 8);
}

bool msix_load(PCIDevice *dev, MigReader *in, Error **errp)
{
    PCIMSIXState *s = dev->msix;
    uint32_t n = mig_get_be32(in);
    const uint8_t *table, *pba;
    unsigned v;

    if (!mig_reader_ok(in, errp)) {
        return false;
    }
    if (n != s->nentries) {
        error_setg(errp, "%s: MSI-X table of %u vectors in the stream, %u "
                   "here", pci_device_name(dev), n, s->nentries);
        return false;
    }
    table = mig_get_ptr(in, n * PCI_MSIX_ENTRY_SIZE);
    pba = mig_get_ptr(in, (n + 7) / 8);
    if (!table || !pba) {
        return mig_reader_ok(in, errp);
    }
    memcpy(s->table, table, n * PCI_MSIX_ENTRY_SIZE);
    memcpy(s->pba, pba, (n + 7) / 8);
    /*
     * The notifier hears the loaded masks; nothing is sent for pending
     * bits: the source kept them pending, so they stay so until the
     * guest unmasks.
     */
    for (v = 0; v < n; v++) {
        bool masked = msix_is_masked(dev, v);

        if (masked != s->masked[v]) {
            s->masked[v] = masked;
            if (s->notifier) {
                s->notifier(dev, v, masked, s->notifier_opaque);
            }
        }
    }
    return true;
}
