/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PCI MSI capability: the registers live in configuration space, so the
 * state is the config bytes themselves; this file knows the layout,
 * which bits software may write, and how a vector becomes a memory
 * write.  See include/hw/pci/msi.h.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "exec/ram.h"
#include "hw/pci/msi.h"
#include "trace.h"

static uint16_t msi_flags(PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msi_cap + PCI_MSI_FLAGS);
}

static bool msi_is_64(uint16_t flags)
{
    return flags & PCI_MSI_FLAGS_64BIT;
}

static unsigned msi_data_off(uint16_t flags)
{
    return msi_is_64(flags) ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
}

static unsigned msi_mask_off(uint16_t flags)
{
    return msi_is_64(flags) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;
}

static unsigned msi_pending_off(uint16_t flags)
{
    return msi_is_64(flags) ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32;
}

static unsigned msi_cap_size(uint16_t flags)
{
    if (flags & PCI_MSI_FLAGS_MASKBIT) {
        return msi_pending_off(flags) + 4;
    }
    return msi_data_off(flags) + 2;
}

bool msi_present(PCIDevice *dev)
{
    return dev->msi_cap != 0;
}

bool msi_enabled(PCIDevice *dev)
{
    return msi_present(dev) && (msi_flags(dev) & PCI_MSI_FLAGS_ENABLE);
}

unsigned msi_nr_vectors_allocated(PCIDevice *dev)
{
    if (!msi_present(dev)) {
        return 0;
    }
    return 1u << ((msi_flags(dev) & PCI_MSI_FLAGS_QMASK) >> 1);
}

unsigned msi_nr_vectors_enabled(PCIDevice *dev)
{
    unsigned log2;

    if (!msi_enabled(dev)) {
        return 0;
    }
    log2 = (msi_flags(dev) & PCI_MSI_FLAGS_QSIZE) >> 4;
    /* Software may enable more than the device can: it gets what is. */
    return MIN(1u << MIN(log2, 5u), msi_nr_vectors_allocated(dev));
}

bool msi_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors,
              bool msi64bit, bool per_vector_mask, Error **errp)
{
    uint16_t flags = 0;
    uint8_t *wm;
    unsigned size;

    if (!nr_vectors || nr_vectors > PCI_MSI_VECTORS_MAX ||
        !is_power_of_2(nr_vectors)) {
        error_setg(errp, "%s: MSI with %u vectors (a power of two up to "
                   "%u)", pci_device_name(dev), nr_vectors,
                   PCI_MSI_VECTORS_MAX);
        return false;
    }
    if (dev->msi_cap) {
        error_setg(errp, "%s: MSI capability already present at 0x%02x",
                   pci_device_name(dev), dev->msi_cap);
        return false;
    }
    flags |= (__builtin_ctz(nr_vectors) << 1) & PCI_MSI_FLAGS_QMASK;
    if (msi64bit) {
        flags |= PCI_MSI_FLAGS_64BIT;
    }
    if (per_vector_mask) {
        flags |= PCI_MSI_FLAGS_MASKBIT;
    }
    size = msi_cap_size(flags);
    if (!pci_add_capability(dev, PCI_CAP_ID_MSI, offset, size, errp)) {
        return false;
    }
    memset(dev->config + offset + 2, 0, size - 2);
    memset(dev->wmask + offset + 2, 0, size - 2);
    memset(dev->w1cmask + offset + 2, 0, size - 2);
    pci_set_word(dev->config + offset + PCI_MSI_FLAGS, flags);
    wm = dev->wmask + offset;
    pci_set_word(wm + PCI_MSI_FLAGS,
                 PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_long(wm + PCI_MSI_ADDRESS_LO, 0xfffffffc);
    if (msi64bit) {
        pci_set_long(wm + PCI_MSI_ADDRESS_HI, 0xffffffff);
    }
    pci_set_word(wm + msi_data_off(flags), 0xffff);
    if (per_vector_mask) {
        pci_set_long(wm + msi_mask_off(flags),
                     nr_vectors == 32 ? 0xffffffff : (1u << nr_vectors) - 1);
    }
    dev->msi_cap = offset;
    return true;
}

void msi_uninit(PCIDevice *dev)
{
    if (!dev->msi_cap || !dev->config) {
        dev->msi_cap = 0;
        return;
    }
    pci_del_capability(dev, dev->msi_cap, msi_cap_size(msi_flags(dev)));
    dev->msi_cap = 0;
}

void msi_reset(PCIDevice *dev)
{
    uint16_t flags;
    uint8_t *c;

    if (!msi_present(dev)) {
        return;
    }
    c = dev->config + dev->msi_cap;
    flags = msi_flags(dev) & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_word(c + PCI_MSI_FLAGS, flags);
    memset(c + PCI_MSI_ADDRESS_LO, 0, msi_cap_size(flags) -
           PCI_MSI_ADDRESS_LO);
}

MSIMessage msi_get_message(PCIDevice *dev, unsigned vector)
{
    uint16_t flags = msi_flags(dev);
    const uint8_t *c = dev->config + dev->msi_cap;
    unsigned nvec = MAX(msi_nr_vectors_enabled(dev), 1u);
    MSIMessage msg;

    msg.address = pci_get_long(c + PCI_MSI_ADDRESS_LO);
    if (msi_is_64(flags)) {
        msg.address |= (uint64_t)pci_get_long(c + PCI_MSI_ADDRESS_HI) << 32;
    }
    /* Multiple Message Enable: the device owns the data's low bits. */
    msg.data = pci_get_word(c + msi_data_off(flags));
    msg.data = (msg.data & ~(nvec - 1)) | (vector & (nvec - 1));
    return msg;
}

void msi_set_message(PCIDevice *dev, MSIMessage msg, unsigned nr_vectors)
{
    uint16_t flags = msi_flags(dev);
    uint8_t *c = dev->config + dev->msi_cap;
    unsigned log2 = 0;

    while (log2 < 5 && (1u << log2) < nr_vectors) {
        log2++;
    }

    pci_set_long(c + PCI_MSI_ADDRESS_LO, (uint32_t)msg.address & ~3u);
    if (msi_is_64(flags)) {
        pci_set_long(c + PCI_MSI_ADDRESS_HI, msg.address >> 32);
    }
    pci_set_word(c + msi_data_off(flags), msg.data);
    flags = (flags & ~PCI_MSI_FLAGS_QSIZE) | ((log2 << 4) &
                                              PCI_MSI_FLAGS_QSIZE);
    pci_set_word(c + PCI_MSI_FLAGS, flags);
}

bool msi_is_masked(PCIDevice *dev, unsigned vector)
{
    uint16_t flags;

    if (!msi_present(dev) || vector >= PCI_MSI_VECTORS_MAX) {
        return false;
    }
    flags = msi_flags(dev);
    if (!(flags & PCI_MSI_FLAGS_MASKBIT)) {
        return false;
    }
    return pci_get_long(dev->config + dev->msi_cap + msi_mask_off(flags)) &
           (1u << vector);
}

static void msi_set_pending(PCIDevice *dev, unsigned vector, bool pending)
{
    uint8_t *p = dev->config + dev->msi_cap + msi_pending_off(msi_flags(dev));
    uint32_t bits = pci_get_long(p);

    bits = pending ? bits | (1u << vector) : bits & ~(1u << vector);
    pci_set_long(p, bits);
}

/* The write a device makes: 4 bytes, little-endian, through its IOMMU. */
static void msi_send(PCIDevice *dev, unsigned vector)
{
    MSIMessage msg = msi_get_message(dev, vector);
    uint8_t buf[4];

    trace_msi_notify(pci_device_name(dev), vector, msg.address, msg.data);
    pci_set_long(buf, msg.data);
    address_space_write(pci_device_dma_as(dev), msg.address,
                        MEMTXATTRS_UNSPECIFIED, buf, sizeof(buf));
}

void msi_notify(PCIDevice *dev, unsigned vector)
{
    if (!msi_enabled(dev) || vector >= msi_nr_vectors_enabled(dev)) {
        return;
    }
    if (msi_is_masked(dev, vector)) {
        trace_msi_masked(pci_device_name(dev), vector);
        msi_set_pending(dev, vector, true);
        return;
    }
    msi_send(dev, vector);
}

void msi_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len)
{
    uint16_t flags = msi_flags(dev);
    uint32_t start = dev->msi_cap, size = msi_cap_size(flags);
    uint32_t pending;
    unsigned v;

    if (addr + len <= start || addr >= start + size) {
        return;
    }
    if (addr < start + PCI_MSI_FLAGS + 2 && addr + len > start) {
        trace_msi_enable(pci_device_name(dev), msi_enabled(dev),
                         msi_nr_vectors_enabled(dev));
    }
    if (!(flags & PCI_MSI_FLAGS_MASKBIT) || !msi_enabled(dev)) {
        return;
    }
    /* A vector unmasked with its pending bit set fires now. */
    pending = pci_get_long(dev->config + start + msi_pending_off(flags));
    for (v = 0; pending && v < msi_nr_vectors_enabled(dev); v++) {
        if ((pending & (1u << v)) && !msi_is_masked(dev, v)) {
            msi_set_pending(dev, v, false);
            pending &= ~(1u << v);
            msi_send(dev, v);
        }
    }
}
