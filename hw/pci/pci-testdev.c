/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Emulated PCI test devices: a register block and a scratch buffer, and
 * a DMA engine that reaches guest memory only through the PCI bus' DMA
 * address space (on pseries: the PHB's TCE tables).  Register map in
 * include/hw/pci/pci-testdev.h.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "exec/ram.h"
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci-testdev.h"
#include "hw/pci/pci-state.h"
#include "trace.h"

typedef struct PCITestDevState {
    PCIDevice parent_obj;
    MemoryRegion regs;          /* BAR0 */
    MemoryRegion buf_mr;        /* BAR2 */
    bool dma_capable;
    bool has_msi;               /* properties */
    bool has_msix;
    uint32_t scratch;
    uint64_t src;
    uint64_t dst;
    uint32_t len;
    uint32_t status;
    uint32_t pattern;
    uint32_t result;
    uint32_t count;
    uint8_t buf[PCI_TESTDEV_BAR2_SIZE];
} PCITestDevState;

static void pci_testdev_run(PCITestDevState *d, uint32_t cmd)
{
    PCIDevice *pdev = &d->parent_obj;
    AddressSpace *as = pci_device_dma_as(pdev);
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;
    uint16_t command = pci_get_word(pdev->config + PCI_COMMAND);
    g_autofree uint8_t *data = NULL;
    uint32_t status = PCI_TESTDEV_STATUS_DONE;
    uint32_t i;

    if (!d->dma_capable || !(command & PCI_COMMAND_MASTER) ||
        d->len > PCI_TESTDEV_DMA_MAX || cmd < PCI_TESTDEV_CMD_COPY ||
        cmd > PCI_TESTDEV_CMD_SUM) {
        status |= PCI_TESTDEV_STATUS_BAD_CMD;
        goto out;
    }
    data = g_malloc(MAX(d->len, 1));
    if (cmd != PCI_TESTDEV_CMD_FILL &&
        address_space_read(as, d->src, attrs, data, d->len) != MEMTX_OK) {
        status |= PCI_TESTDEV_STATUS_READ_FAULT;
        goto out;
    }
    switch (cmd) {
    case PCI_TESTDEV_CMD_SUM:
        d->result = 0;
        for (i = 0; i < d->len; i++) {
            d->result += data[i];
        }
        break;
    case PCI_TESTDEV_CMD_FILL:
        memset(data, d->pattern & 0xff, d->len);
        /* fall through */
    case PCI_TESTDEV_CMD_COPY:
        /* Check it all first: a faulting transfer writes nothing. */
        if (!address_space_access_valid(as, d->dst, d->len, true, attrs) ||
            address_space_write(as, d->dst, attrs, data, d->len) != MEMTX_OK) {
            status |= PCI_TESTDEV_STATUS_WRITE_FAULT;
        }
        break;
    }
out:
    d->status = status;
    d->count++;
    trace_pci_testdev_dma(pci_device_name(pdev), cmd, d->src, d->dst, d->len,
                          status);
}

static uint64_t pci_testdev_reg_read(void *opaque, hwaddr addr,
                                     unsigned size)
{
    PCITestDevState *d = opaque;
    uint64_t val;

    switch (addr) {
    case PCI_TESTDEV_REG_ID:
        val = PCI_TESTDEV_ID_VALUE;
        break;
    case PCI_TESTDEV_REG_SCRATCH:
        val = d->scratch;
        break;
    case PCI_TESTDEV_REG_SRC_LO:
        val = (uint32_t)d->src;
        break;
    case PCI_TESTDEV_REG_SRC_HI:
        val = d->src >> 32;
        break;
    case PCI_TESTDEV_REG_DST_LO:
        val = (uint32_t)d->dst;
        break;
    case PCI_TESTDEV_REG_DST_HI:
        val = d->dst >> 32;
        break;
    case PCI_TESTDEV_REG_LEN:
        val = d->len;
        break;
    case PCI_TESTDEV_REG_STATUS:
        val = d->status;
        break;
    case PCI_TESTDEV_REG_PATTERN:
        val = d->pattern;
        break;
    case PCI_TESTDEV_REG_RESULT:
        val = d->result;
        break;
    case PCI_TESTDEV_REG_COUNT:
        val = d->count;
        break;
    case PCI_TESTDEV_REG_INTX:
        val = d->parent_obj.intx_level;
        break;
    default:
        val = 0;
        break;
    }
    trace_pci_testdev_reg(pci_device_name(&d->parent_obj), 0, addr, val);
    return val;
}

static void pci_testdev_reg_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    PCITestDevState *d = opaque;

    trace_pci_testdev_reg(pci_device_name(&d->parent_obj), 1, addr, val);
    switch (addr) {
    case PCI_TESTDEV_REG_SCRATCH:
        d->scratch = val;
        break;
    case PCI_TESTDEV_REG_SRC_LO:
        d->src = (d->src & ~0xffffffffULL) | (uint32_t)val;
        break;
    case PCI_TESTDEV_REG_SRC_HI:
        d->src = (d->src & 0xffffffffULL) | val << 32;
        break;
    case PCI_TESTDEV_REG_DST_LO:
        d->dst = (d->dst & ~0xffffffffULL) | (uint32_t)val;
        break;
    case PCI_TESTDEV_REG_DST_HI:
        d->dst = (d->dst & 0xffffffffULL) | val << 32;
        break;
    case PCI_TESTDEV_REG_LEN:
        d->len = val;
        break;
    case PCI_TESTDEV_REG_CMD:
        pci_testdev_run(d, val);
        break;
    case PCI_TESTDEV_REG_PATTERN:
        d->pattern = val;
        break;
    case PCI_TESTDEV_REG_MSI:
        msi_notify(&d->parent_obj, val);
        break;
    case PCI_TESTDEV_REG_MSIX:
        msix_notify(&d->parent_obj, val);
        break;
    case PCI_TESTDEV_REG_INTX:
        pci_set_irq(&d->parent_obj, val & 1);
        break;
    default:
        break;      /* read-only or unused */
    }
}

static const MemoryRegionOps pci_testdev_reg_ops = {
    .read = pci_testdev_reg_read,
    .write = pci_testdev_reg_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t pci_testdev_buf_read(void *opaque, hwaddr addr,
                                     unsigned size)
{
    PCITestDevState *d = opaque;
    uint64_t val = 0;

    memcpy(&val, d->buf + addr, size);
    return GUINT64_FROM_LE(val);
}

static void pci_testdev_buf_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    PCITestDevState *d = opaque;

    val = GUINT64_TO_LE(val);
    memcpy(d->buf + addr, &val, size);
}

static const MemoryRegionOps pci_testdev_buf_ops = {
    .read = pci_testdev_buf_read,
    .write = pci_testdev_buf_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static bool pci_testdev_realize_common(PCIDevice *pdev, bool dma,
                                       Error **errp)
{
    PCITestDevState *d = (PCITestDevState *)pdev;
    const char *owner = pci_device_name(pdev);

    d->dma_capable = dma;
    memory_region_init_io(&d->regs, owner, &pci_testdev_reg_ops, d,
                          "pci-testdev-regs", PCI_TESTDEV_BAR0_SIZE);
    memory_region_init_io(&d->buf_mr, owner, &pci_testdev_buf_ops, d,
                          "pci-testdev-buf", PCI_TESTDEV_BAR2_SIZE);
    pci_register_bar(pdev, 0, 0, &d->regs);
    pci_register_bar(pdev, 2, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &d->buf_mr);
    pdev->config[PCI_INTERRUPT_PIN] = 1;
    if (d->has_msi &&
        !msi_init(pdev, PCI_TESTDEV_MSI_CAP, PCI_TESTDEV_MSI_VECTORS, true,
                  true, errp)) {
        goto fail;
    }
    if (d->has_msix &&
        !msix_init(pdev, PCI_TESTDEV_MSIX_VECTORS, &d->regs, 0,
                   PCI_TESTDEV_MSIX_TABLE, &d->regs, 0, PCI_TESTDEV_MSIX_PBA,
                   PCI_TESTDEV_MSIX_CAP, errp)) {
        goto fail;
    }
    return true;

fail:
    msi_uninit(pdev);
    memory_region_unref(&d->regs);
    memory_region_unref(&d->buf_mr);
    return false;
}

static bool pci_testdev_realize(PCIDevice *pdev, Error **errp)
{
    return pci_testdev_realize_common(pdev, false, errp);
}

static bool pci_testdev_dma_realize(PCIDevice *pdev, Error **errp)
{
    return pci_testdev_realize_common(pdev, true, errp);
}

static void pci_testdev_exit(PCIDevice *pdev)
{
    PCITestDevState *d = (PCITestDevState *)pdev;

    msi_uninit(pdev);
    msix_uninit(pdev, &d->regs, &d->regs);
    memory_region_unref(&d->regs);
    memory_region_unref(&d->buf_mr);
}

static void pci_testdev_reset(PCIDevice *pdev)
{
    PCITestDevState *d = (PCITestDevState *)pdev;

    d->scratch = 0;
    d->src = d->dst = 0;
    d->len = d->status = d->pattern = d->result = d->count = 0;
    memset(d->buf, 0, sizeof(d->buf));
    pci_set_irq(pdev, 0);
}

/* Migration: config space, the registers, then the scratch buffer. */
static void pci_testdev_save_state(DeviceState *qdev, GByteArray *out)
{
    PCITestDevState *d = (PCITestDevState *)qdev;

    pci_device_save_config(&d->parent_obj, out);
    mig_put_be32(out, d->scratch);
    mig_put_be64(out, d->src);
    mig_put_be64(out, d->dst);
    mig_put_be32(out, d->len);
    mig_put_be32(out, d->status);
    mig_put_be32(out, d->pattern);
    mig_put_be32(out, d->result);
    mig_put_be32(out, d->count);
    mig_put_bytes(out, d->buf, sizeof(d->buf));
}

static bool pci_testdev_load_state(DeviceState *qdev, MigReader *in,
                                   uint32_t version, Error **errp)
{
    PCITestDevState *d = (PCITestDevState *)qdev;

    if (!pci_device_load_config(&d->parent_obj, in, errp)) {
        return false;
    }
    d->scratch = mig_get_be32(in);
    d->src = mig_get_be64(in);
    d->dst = mig_get_be64(in);
    d->len = mig_get_be32(in);
    d->status = mig_get_be32(in);
    d->pattern = mig_get_be32(in);
    d->result = mig_get_be32(in);
    d->count = mig_get_be32(in);
    mig_get_bytes(in, d->buf, sizeof(d->buf));
    return mig_reader_finish(in, errp);
}

static const Property pci_testdev_props[] = {
    DEFINE_PCI_DEVICE_PROPS(PCITestDevState),
    DEFINE_PROP("msi", PCITestDevState, has_msi, PROP_BOOL, "on",
                "an MSI capability (4 vectors)"),
    DEFINE_PROP("msix", PCITestDevState, has_msix, PROP_BOOL, "on",
                "an MSI-X capability (8 vectors, table in BAR0)"),
    { .name = NULL },
};

static PCIDeviceClass pci_testdev_class = {
    .parent = {
        .name = TYPE_PCI_TESTDEV,
        .desc = "PCI test device: registers and a scratch BAR",
        .instance_size = sizeof(PCITestDevState),
        .props = pci_testdev_props,
        .user_creatable = true,
        .hotpluggable = true,
        .state_version = 1,
        .save_state = pci_testdev_save_state,
        .load_state = pci_testdev_load_state,
    },
    .vendor_id = PCI_TESTDEV_VENDOR_ID,
    .device_id = PCI_TESTDEV_DEVICE_ID,
    .class_id = PCI_CLASS_OTHERS,
    .realize = pci_testdev_realize,
    .exit = pci_testdev_exit,
    .reset = pci_testdev_reset,
};

static PCIDeviceClass pci_testdev_dma_class = {
    .parent = {
        .name = TYPE_PCI_TESTDEV_DMA,
        .desc = "PCI test device with a DMA engine (copy, fill, sum)",
        .instance_size = sizeof(PCITestDevState),
        .props = pci_testdev_props,
        .user_creatable = true,
        .hotpluggable = true,
        .state_version = 1,
        .save_state = pci_testdev_save_state,
        .load_state = pci_testdev_load_state,
    },
    .vendor_id = PCI_TESTDEV_VENDOR_ID,
    .device_id = PCI_TESTDEV_DMA_DEVICE_ID,
    .class_id = PCI_CLASS_OTHERS,
    .realize = pci_testdev_dma_realize,
    .exit = pci_testdev_exit,
    .reset = pci_testdev_reset,
};

static void pci_testdev_register_types(void)
{
    pci_register_type(&pci_testdev_class);
    pci_register_type(&pci_testdev_dma_class);
}

type_init(pci_testdev_register_types)
