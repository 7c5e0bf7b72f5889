/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The PCI interrupt API (hw/pci/msi.h, msix.h, INTx in pci.h) in
 * process, as a device model (VFIO's included) uses it: capabilities,
 * messages, delivery as a DMA write, MSI-X table and PBA over a BAR,
 * the vector mask notifier, and the INTx EOI notifier.
 */
#include "spapr-fixture.h"
#include "hw/qdev.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci-testdev.h"
#include "hw/ppc/spapr_irq.h"

#define BAR0_CPU    (SPAPR_PCI_BASE + 0x80000000ULL)

static const char *const testdev[] = { "pci-testdev,addr=2", NULL };
static const char *const testdev_nocap[] = {
    "pci-testdev,addr=2,msi=off,msix=off", NULL,
};

static PCIDevice *dev2(void)
{
    PCIDevice *d = pci_bus_find_device(pci_bus_find(NULL), 0,
                                       PCI_DEVFN(2, 0));

    g_assert_nonnull(d);
    return d;
}

static void mmio_writel(hwaddr addr, uint32_t val)
{
    val = GUINT32_TO_LE(val);
    fx_write(addr, &val, 4);
}

static uint32_t mmio_readl(hwaddr addr)
{
    uint32_t v = 0;

    fx_read(addr, &v, 4);
    return GUINT32_FROM_LE(v);
}

static uint32_t ram_ldl_le(hwaddr addr)
{
    uint32_t v = 0;

    fx_read(addr, &v, 4);
    return GUINT32_FROM_LE(v);
}

typedef struct NotifyLog {
    GArray *ev;                 /* vector << 1 | masked */
} NotifyLog;

static void notify_rec(PCIDevice *dev, unsigned vector, bool masked,
                       void *opaque)
{
    NotifyLog *log = opaque;
    unsigned e = vector << 1 | masked;

    g_array_append_val(log->ev, e);
}

static unsigned notify_last(NotifyLog *log)
{
    g_assert_cmpuint(log->ev->len, >, 0);
    return g_array_index(log->ev, unsigned, log->ev->len - 1);
}

static void test_capabilities_listed(void)
{
    PCIDevice *d;

    fx_start(0, testdev);
    d = dev2();
    g_assert_true(msi_present(d));
    g_assert_true(msix_present(d));
    g_assert_cmpuint(pci_find_capability(d, PCI_CAP_ID_MSI), ==, 0x40);
    g_assert_cmpuint(pci_find_capability(d, PCI_CAP_ID_MSIX), ==, 0x60);
    g_assert_cmpuint(msi_nr_vectors_allocated(d), ==, 4);
    g_assert_cmpuint(msix_nr_vectors(d), ==, 8);
    g_assert_false(msi_enabled(d));
    g_assert_false(msix_enabled(d));
    /* Every vector starts masked. */
    g_assert_true(msix_is_masked(d, 0));
    fx_stop();
}

static void test_msi_init_bad_arguments(void)
{
    Error *err = NULL;
    PCIDevice *d;

    fx_start(0, testdev_nocap);
    d = dev2();
    g_assert_false(msi_init(d, 0x40, 3, true, true, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "power of two"));
    g_clear_pointer(&err, error_free);
    g_assert_false(msi_init(d, 0x20, 1, true, true, &err));
    g_clear_pointer(&err, error_free);
    g_assert_false(msi_present(d));
    g_assert_cmpuint(pci_find_capability(d, PCI_CAP_ID_MSI), ==, 0);
    g_assert_true(msi_init(d, 0x50, 2, false, false, &err));
    g_assert_cmpuint(pci_find_capability(d, PCI_CAP_ID_MSI), ==, 0x50);
    msi_uninit(d);
    g_assert_cmpuint(pci_find_capability(d, PCI_CAP_ID_MSI), ==, 0);
    g_assert_false(msi_present(d));
    fx_stop();
}

/* Multiple Message Enable: the vector goes in the data's low bits. */
static void test_msi_message_and_delivery(void)
{
    MSIMessage msg = { .address = 0x1000, .data = 0x44 };
    PCIDevice *d;

    fx_start(0, testdev);
    d = dev2();
    /* Bus 0x1000 maps guest RAM 0x200000 through the default window. */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x1000, 0x200000 | 3), ==, 0);
    msi_set_message(d, msg, 4);
    msi_notify(d, 1);
    g_assert_cmphex(ram_ldl_le(0x200000), ==, 0);       /* disabled */
    pci_config_write(d, 0x40 + PCI_MSI_FLAGS, pci_config_read(d, 0x42, 2) |
                     PCI_MSI_FLAGS_ENABLE, 2);
    g_assert_true(msi_enabled(d));
    g_assert_cmpuint(msi_nr_vectors_enabled(d), ==, 4);
    g_assert_cmphex(msi_get_message(d, 3).data, ==, 0x47);
    msi_notify(d, 3);
    g_assert_cmphex(ram_ldl_le(0x200000), ==, 0x47);
    /* Masked: pending, sent when unmasked. */
    pci_config_write(d, 0x40 + PCI_MSI_MASK_64, 1u << 2, 4);
    g_assert_true(msi_is_masked(d, 2));
    msi_notify(d, 2);
    g_assert_cmphex(ram_ldl_le(0x200000), ==, 0x47);
    g_assert_cmphex(pci_config_read(d, 0x40 + PCI_MSI_PENDING_64, 4), ==,
                    1u << 2);
    pci_config_write(d, 0x40 + PCI_MSI_MASK_64, 0, 4);
    g_assert_cmphex(ram_ldl_le(0x200000), ==, 0x46);
    g_assert_cmphex(pci_config_read(d, 0x40 + PCI_MSI_PENDING_64, 4), ==, 0);
    fx_stop();
}

/* The table and PBA sit over BAR0; the registers around them stay. */
static void test_msix_table_over_bar(void)
{
    PCIDevice *d;

    fx_start(0, testdev);
    d = dev2();
    g_assert_cmphex(mmio_readl(BAR0_CPU + PCI_TESTDEV_REG_ID), ==,
                    PCI_TESTDEV_ID_VALUE);
    mmio_writel(BAR0_CPU + 0x800 + 2 * 16, 0x1000);
    mmio_writel(BAR0_CPU + 0x800 + 2 * 16 + 8, 0x1234);
    g_assert_cmphex(msix_get_message(d, 2).address, ==, 0x1000);
    g_assert_cmphex(msix_get_message(d, 2).data, ==, 0x1234);
    g_assert_cmphex(mmio_readl(BAR0_CPU + 0x800 + 2 * 16 + 12), ==, 1);
    g_assert_cmphex(mmio_readl(BAR0_CPU + 0xc00), ==, 0);
    /* Writes to the PBA do nothing. */
    mmio_writel(BAR0_CPU + 0xc00, 0xff);
    g_assert_cmphex(mmio_readl(BAR0_CPU + 0xc00), ==, 0);
    fx_stop();
}

/* The notifier hears every change of a vector's effective mask. */
static void test_msix_vector_notifier(void)
{
    NotifyLog log = { g_array_new(FALSE, FALSE, sizeof(unsigned)) };
    MSIMessage msg = { .address = 0x1000, .data = 0x99 };
    uint8_t cap = 0x60;
    PCIDevice *d;

    fx_start(0, testdev);
    d = dev2();
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x1000, 0x200000 | 3), ==, 0);
    msix_set_vector_notifier(d, notify_rec, &log);
    msix_set_message(d, 3, msg);
    /* Enabled, vectors still masked in the table: no change. */
    pci_config_write(d, cap + 2, PCI_MSIX_FLAGS_ENABLE, 2);
    g_assert_true(msix_enabled(d));
    g_assert_cmpuint(log.ev->len, ==, 0);
    mmio_writel(BAR0_CPU + 0x800 + 3 * 16 + 12, 0);
    g_assert_cmpuint(notify_last(&log), ==, 3 << 1 | 0);
    g_assert_false(msix_is_masked(d, 3));
    msix_notify(d, 3);
    g_assert_cmphex(ram_ldl_le(0x200000), ==, 0x99);
    /* Function mask: vector 3 masked, a notification pends. */
    pci_config_write(d, cap + 2, PCI_MSIX_FLAGS_ENABLE |
                     PCI_MSIX_FLAGS_MASKALL, 2);
    g_assert_cmpuint(notify_last(&log), ==, 3 << 1 | 1);
    g_assert_true(msix_is_masked(d, 3));
    msix_set_message(d, 3, (MSIMessage) { 0x1000, 0x77 });
    msix_notify(d, 3);
    g_assert_true(msix_is_pending(d, 3));
    g_assert_cmphex(mmio_readl(BAR0_CPU + 0xc00), ==, 1u << 3);
    g_assert_cmphex(ram_ldl_le(0x200000), ==, 0x99);
    pci_config_write(d, cap + 2, PCI_MSIX_FLAGS_ENABLE, 2);
    g_assert_cmpuint(notify_last(&log), ==, 3 << 1 | 0);
    g_assert_cmphex(ram_ldl_le(0x200000), ==, 0x77);
    g_assert_false(msix_is_pending(d, 3));
    /* Disabled: masked again; nothing is sent or made pending. */
    pci_config_write(d, cap + 2, 0, 2);
    g_assert_cmpuint(notify_last(&log), ==, 3 << 1 | 1);
    msix_notify(d, 3);
    g_assert_false(msix_is_pending(d, 3));
    g_assert_cmpuint(log.ev->len, ==, 4);
    msix_set_vector_notifier(d, NULL, NULL);
    fx_stop();
    g_array_free(log.ev, TRUE);
}

static void eoi_rec(PCIDevice *dev, void *opaque)
{
    (*(unsigned *)opaque)++;
}

/* INTx routes to the PHB's LSI; its EOI reaches the device. */
static void test_intx_eoi_notifier(void)
{
    uint32_t irq = spapr_phb_lsi_irq(0, 2), args[3] = { irq, 0, 5 }, rets[1];
    uint64_t a, xirr = 0;
    unsigned eois = 0;
    PCIDevice *d;

    fx_start(0, testdev);
    d = dev2();
    g_assert_cmpint(pci_intx_route(d), ==, 2);
    pci_set_intx_eoi_notifier(d, eoi_rec, &eois);
    g_assert_cmpint(fx_rtas("ibm,set-xive", 3, args, 1, rets), ==, 0);
    a = 0xff;
    g_assert_cmpint(fx_hcall(H_CPPR, 1, &a, NULL), ==, 0);
    pci_set_irq(d, 1);
    g_assert_cmphex(pci_config_read(d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
                    ==, PCI_STATUS_INTERRUPT);
    g_assert_cmpint(fx_hcall(H_XIRR, 0, NULL, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, 0xff000000ULL | irq);
    g_assert_cmpuint(eois, ==, 0);
    g_assert_cmpint(fx_hcall(H_EOI, 1, &xirr, NULL), ==, 0);
    g_assert_cmpuint(eois, ==, 1);
    pci_set_irq(d, 0);
    g_assert_cmphex(pci_config_read(d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
                    ==, 0);
    fx_stop();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pci/irq/capabilities-listed", test_capabilities_listed);
    g_test_add_func("/pci/irq/msi-init-bad-arguments",
                    test_msi_init_bad_arguments);
    g_test_add_func("/pci/irq/msi-message-and-delivery",
                    test_msi_message_and_delivery);
    g_test_add_func("/pci/irq/msix-table-over-bar", test_msix_table_over_bar);
    g_test_add_func("/pci/irq/msix-vector-notifier",
                    test_msix_vector_notifier);
    g_test_add_func("/pci/irq/intx-eoi-notifier", test_intx_eoi_notifier);
    return g_test_run();
}
