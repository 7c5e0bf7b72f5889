/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The guest model's interrupt side (see libspapr-guest.h): what a
 * pseries Linux kernel does with the XICS controller and with PAPR's
 * MSI calls, driven over qtest, and the wait for "IRQ raise N" lines.
 */
#include <inttypes.h>
#include <string.h>
#include "libspapr-guest.h"

#define PCI_COMMAND             0x04
#define PCI_STATUS              0x06
#define PCI_STATUS_CAP_LIST     0x10
#define PCI_CAPABILITY_LIST     0x34
#define PCI_INTERRUPT_PIN       0x3d
#define PCI_CAP_ID_MSI          0x05
#define PCI_CAP_ID_MSIX         0x11
#define MSI_FLAGS_ENABLE        0x0001
#define MSIX_FLAGS_MASKALL      0x4000
#define MSIX_FLAGS_ENABLE       0x8000
#define MSIX_ENTRY_SIZE         16
#define MSIX_ENTRY_CTRL         12
#define SPAPR_IRQ_PCI_LSI       0x1200

static void buid_words(uint64_t buid, uint32_t *hi, uint32_t *lo)
{
    *hi = buid >> 32;
    *lo = (uint32_t)buid;
}

/* ----------------------------------------------------- controller */

char *guest_irq_controller_path(SpaprGuest *g)
{
    JsonObject *reply = qtest_qmp(guest_qts(g), "{'execute': 'qom-list', "
                                  "'arguments': {'path': "
                                  "'/machine/unattached'}}");
    JsonArray *list = json_object_get_array_member(reply, "return");
    char *path = NULL;
    unsigned i;

    for (i = 0; list && i < json_array_get_length(list); i++) {
        JsonObject *e = json_array_get_object_element(list, i);

        if (!strcmp(json_object_get_string_member(e, "type"),
                    "child<ics>")) {
            path = g_strdup_printf("/machine/unattached/%s",
                                   json_object_get_string_member(e, "name"));
            break;
        }
    }
    json_object_unref(reply);
    g_assert_nonnull(path);
    return path;
}

void guest_irq_intercept(SpaprGuest *g)
{
    g_autofree char *path = guest_irq_controller_path(g);

    qtest_irq_intercept_out(guest_qts(g), path);
}

bool guest_wait_irq(SpaprGuest *g, uint32_t irq, unsigned count,
                    int timeout_ms)
{
    return qtest_irq_wait(guest_qts(g), irq, count, timeout_ms);
}

unsigned guest_irq_count(SpaprGuest *g, uint32_t irq)
{
    return qtest_irq_count(guest_qts(g), irq);
}

/* ------------------------------------------------------------ RTAS */

int32_t guest_set_xive(SpaprGuest *g, uint32_t irq, uint32_t server,
                       uint32_t priority)
{
    uint32_t args[3] = { irq, server, priority }, rets[1];

    return guest_rtas(g, "ibm,set-xive", 3, args, 1, rets);
}

int32_t guest_get_xive(SpaprGuest *g, uint32_t irq, uint32_t *server,
                       uint32_t *priority)
{
    uint32_t args[1] = { irq }, rets[3];
    int32_t st = guest_rtas(g, "ibm,get-xive", 1, args, 3, rets);

    if (st == 0) {
        *server = rets[1];
        *priority = rets[2];
    }
    return st;
}

int32_t guest_int_off(SpaprGuest *g, uint32_t irq)
{
    uint32_t args[1] = { irq }, rets[1];

    return guest_rtas(g, "ibm,int-off", 1, args, 1, rets);
}

int32_t guest_int_on(SpaprGuest *g, uint32_t irq)
{
    uint32_t args[1] = { irq }, rets[1];

    return guest_rtas(g, "ibm,int-on", 1, args, 1, rets);
}

int32_t guest_irq_unmask(SpaprGuest *g, uint32_t irq)
{
    int32_t st = guest_set_xive(g, irq, 0, GUEST_IRQ_PRIORITY);

    return st ? st : guest_int_on(g, irq);
}

int32_t guest_change_msi(SpaprGuest *g, const GuestDevice *dev,
                         uint32_t func, uint32_t req, uint32_t *nvec,
                         uint32_t *type)
{
    uint32_t args[6], rets[4];
    int32_t st;

    args[0] = dev->config_addr;
    buid_words(dev->buid, &args[1], &args[2]);
    args[3] = func;
    args[4] = req;
    args[5] = 0;
    st = guest_rtas(g, "ibm,change-msi", 6, args, 4, rets);
    if (st == 0 && nvec) {
        *nvec = rets[1];
    }
    if (st == 0 && type) {
        *type = rets[3];
    }
    return st;
}

int32_t guest_query_irq_number(SpaprGuest *g, const GuestDevice *dev,
                               uint32_t vector, uint32_t *irq)
{
    uint32_t args[4], rets[3];
    int32_t st;

    args[0] = dev->config_addr;
    buid_words(dev->buid, &args[1], &args[2]);
    args[3] = vector;
    st = guest_rtas(g, "ibm,query-interrupt-source-number", 4, args, 3,
                    rets);
    if (st == 0) {
        *irq = rets[1];
    }
    return st;
}

/* ---------------------------------------------------- config space */

static uint32_t cfg_rd(SpaprGuest *g, const GuestDevice *dev, unsigned reg,
                       unsigned size)
{
    uint32_t v = 0;

    g_assert_true(guest_config_read(g, dev->buid, dev->config_addr, reg,
                                    size, &v));
    return v;
}

static void cfg_wr(SpaprGuest *g, const GuestDevice *dev, unsigned reg,
                   unsigned size, uint32_t v)
{
    g_assert_true(guest_config_write(g, dev->buid, dev->config_addr, reg,
                                     size, v));
}

unsigned guest_find_capability(SpaprGuest *g, const GuestDevice *dev,
                               uint8_t cap_id)
{
    unsigned pos, hops;

    if (!(cfg_rd(g, dev, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    pos = cfg_rd(g, dev, PCI_CAPABILITY_LIST, 1) & ~3u;
    for (hops = 0; pos >= 0x40 && hops < 48; hops++) {
        if (cfg_rd(g, dev, pos, 1) == cap_id) {
            return pos;
        }
        pos = cfg_rd(g, dev, pos + 1, 1) & ~3u;
    }
    return 0;
}

/* CPU address of MSI-X table entry @vector (or of the PBA). */
static uint64_t msix_addr(SpaprGuest *g, const GuestDevice *dev,
                          bool pba, unsigned vector)
{
    unsigned cap = guest_find_capability(g, dev, PCI_CAP_ID_MSIX);
    uint32_t loc;

    g_assert_cmpuint(cap, !=, 0);
    loc = cfg_rd(g, dev, cap + (pba ? 8 : 4), 4);
    g_assert_cmpuint(dev->bar_cpu[loc & 7], !=, 0);
    if (pba) {
        return dev->bar_cpu[loc & 7] + (loc & ~7u) + vector / 32 * 4;
    }
    return dev->bar_cpu[loc & 7] + (loc & ~7u) + vector * MSIX_ENTRY_SIZE;
}

/* The table is little-endian; qtest accesses are big-endian. */
void guest_msix_mask(SpaprGuest *g, const GuestDevice *dev, unsigned vector,
                     bool masked)
{
    qtest_writel(guest_qts(g), msix_addr(g, dev, false, vector) +
                 MSIX_ENTRY_CTRL, GUINT32_SWAP_LE_BE((uint32_t)masked));
}

bool guest_msix_pending(SpaprGuest *g, const GuestDevice *dev,
                        unsigned vector)
{
    uint32_t bits = GUINT32_SWAP_LE_BE(qtest_readl(guest_qts(g),
                                       msix_addr(g, dev, true, vector)));

    return bits & (1u << (vector % 32));
}

/* Ask for @nvec of @func; when fewer are offered, ask for those. */
static int guest_msi_alloc(SpaprGuest *g, const GuestDevice *dev,
                           uint32_t func, unsigned nvec, uint32_t *irqs)
{
    uint32_t got = 0, i;
    int32_t st = guest_change_msi(g, dev, func, nvec, &got, NULL);

    if (st == 0 && got && got < nvec) {
        nvec = got;
        st = guest_change_msi(g, dev, func, nvec, &got, NULL);
    }
    if (st) {
        return st;
    }
    if (got != nvec) {
        return -1;
    }
    for (i = 0; i < got; i++) {
        st = guest_query_irq_number(g, dev, i, &irqs[i]);
        if (st) {
            return st;
        }
        st = guest_irq_unmask(g, irqs[i]);
        if (st) {
            return st;
        }
    }
    return got;
}

int guest_enable_msix(SpaprGuest *g, const GuestDevice *dev, unsigned nvec,
                      uint32_t *irqs)
{
    unsigned cap = guest_find_capability(g, dev, PCI_CAP_ID_MSIX), i;
    uint32_t ctrl;
    int n;

    if (!cap) {
        return -3;
    }
    /* As Linux: enabled with the function masked while set up. */
    ctrl = cfg_rd(g, dev, cap + 2, 2);
    cfg_wr(g, dev, cap + 2, 2, ctrl | MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL);
    n = guest_msi_alloc(g, dev, RTAS_CHANGE_MSI_MSIX, nvec, irqs);
    if (n <= 0) {
        cfg_wr(g, dev, cap + 2, 2, ctrl & ~(MSIX_FLAGS_ENABLE |
                                            MSIX_FLAGS_MASKALL));
        return n;
    }
    for (i = 0; i < (unsigned)n; i++) {
        guest_msix_mask(g, dev, i, false);
    }
    cfg_wr(g, dev, cap + 2, 2, (ctrl | MSIX_FLAGS_ENABLE) &
           ~MSIX_FLAGS_MASKALL);
    return n;
}

int guest_enable_msi(SpaprGuest *g, const GuestDevice *dev, unsigned nvec,
                     uint32_t *irqs)
{
    unsigned cap = guest_find_capability(g, dev, PCI_CAP_ID_MSI);
    uint32_t ctrl, log2 = 0;
    int n;

    if (!cap) {
        return -3;
    }
    n = guest_msi_alloc(g, dev, RTAS_CHANGE_MSI_MSI, nvec, irqs);
    if (n <= 0) {
        return n;
    }
    while ((1u << log2) < (unsigned)n) {
        log2++;
    }
    ctrl = cfg_rd(g, dev, cap + 2, 2);
    ctrl = (ctrl & ~0x70u) | log2 << 4 | MSI_FLAGS_ENABLE;
    cfg_wr(g, dev, cap + 2, 2, ctrl);
    return n;
}

int32_t guest_disable_msi(SpaprGuest *g, const GuestDevice *dev)
{
    unsigned msi = guest_find_capability(g, dev, PCI_CAP_ID_MSI);
    unsigned msix = guest_find_capability(g, dev, PCI_CAP_ID_MSIX);

    if (msi) {
        cfg_wr(g, dev, msi + 2, 2,
               cfg_rd(g, dev, msi + 2, 2) & ~MSI_FLAGS_ENABLE);
    }
    if (msix) {
        cfg_wr(g, dev, msix + 2, 2, cfg_rd(g, dev, msix + 2, 2) &
               ~(MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL));
    }
    return guest_change_msi(g, dev, RTAS_CHANGE_MSI_CHANGE, 0, NULL, NULL);
}

uint32_t guest_intx_irq(SpaprGuest *g, const GuestDevice *dev)
{
    unsigned pin = cfg_rd(g, dev, PCI_INTERRUPT_PIN, 1);
    unsigned slot = dev->config_addr >> 11 & 0x1f;

    if (pin < 1 || pin > 4) {
        return 0;
    }
    /* The interrupt-map of the PHB node says the same. */
    return SPAPR_IRQ_PCI_LSI + dev->phb_index * 4 + (slot + pin - 1) % 4;
}

/* ----------------------------------------------------- presentation */

int64_t guest_xirr(SpaprGuest *g, uint64_t *xirr)
{
    uint64_t out = 0;
    int64_t ret = qtest_hcall(guest_qts(g), H_XIRR, 0, NULL, 1, &out);

    *xirr = out;
    return ret;
}

int64_t guest_eoi(SpaprGuest *g, uint64_t xirr)
{
    return qtest_hcall(guest_qts(g), H_EOI, 1, &xirr, 0, NULL);
}

int64_t guest_cppr(SpaprGuest *g, uint32_t cppr)
{
    uint64_t arg = cppr;

    return qtest_hcall(guest_qts(g), H_CPPR, 1, &arg, 0, NULL);
}
