/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PHBs, PCI config RTAS calls, BAR assignment, the DMA test device
 * through the default and a dynamic window, machine reset, hotplug,
 * query-pci and the device tree, in process.
 */
#include "spapr-fixture.h"
#include <libfdt.h>
#include "hw/qdev.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci-testdev.h"
#include "qapi/qmp.h"

#define CFG(slot, reg)  ((slot) << 11 | ((reg) & 0xff) | \
                         (((reg) & 0xf00) << 20))
#define BUID_HI         (uint32_t)(FX_BUID0 >> 32)
#define BUID_LO         (uint32_t)FX_BUID0
#define MEM32_CPU(phb)  (SPAPR_PCI_BASE + ((phb) + 1ULL) * 0x80000000ULL)
#define BAR0_CPU        MEM32_CPU(0)    /* first BAR at PCI 0x80000000 */

static const char *const one_dma_dev[] = {
    "pci-testdev-dma,id=dma0,addr=2",
    NULL,
};

static int32_t cfg_read(uint32_t cfg, uint32_t size, uint32_t *val)
{
    uint32_t args[] = { cfg, BUID_HI, BUID_LO, size }, rets[2];
    int32_t st = fx_rtas("ibm,read-pci-config", 4, args, 2, rets);

    *val = rets[1];
    return st;
}

static int32_t cfg_write(uint32_t cfg, uint32_t size, uint32_t val)
{
    uint32_t args[] = { cfg, BUID_HI, BUID_LO, size, val }, rets[1];

    return fx_rtas("ibm,write-pci-config", 5, args, 1, rets);
}

static uint32_t reg_read(hwaddr bar, unsigned reg)
{
    uint32_t v = 0;

    /* Nothing there reads as all ones: no MEMTX_OK check here. */
    address_space_read(&address_space_memory, bar + reg,
                       MEMTXATTRS_UNSPECIFIED, &v, 4);
    return GUINT32_FROM_LE(v);
}

static void reg_write(hwaddr bar, unsigned reg, uint32_t val)
{
    val = GUINT32_TO_LE(val);
    fx_write(bar + reg, &val, 4);
}

static void test_config_read(void)
{
    uint32_t val, args[2], rets[2];

    fx_start(0, one_dma_dev);
    g_assert_cmpint(cfg_read(CFG(2, 0), 4, &val), ==, 0);
    g_assert_cmphex(val, ==, PCI_TESTDEV_DMA_DEVICE_ID << 16 |
                    PCI_TESTDEV_VENDOR_ID);
    g_assert_cmpint(cfg_read(CFG(2, 2), 2, &val), ==, 0);
    g_assert_cmphex(val, ==, PCI_TESTDEV_DMA_DEVICE_ID);
    g_assert_cmpint(cfg_read(CFG(2, 1), 1, &val), ==, 0);
    g_assert_cmphex(val, ==, PCI_TESTDEV_VENDOR_ID >> 8);
    /* firmware enabled memory decoding and bus mastering */
    g_assert_cmpint(cfg_read(CFG(2, PCI_COMMAND), 2, &val), ==, 0);
    g_assert_cmphex(val, ==, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    /* the BUID-less call reads the first PHB */
    args[0] = CFG(2, 0);
    args[1] = 4;
    g_assert_cmpint(fx_rtas("read-pci-config", 2, args, 2, rets), ==, 0);
    g_assert_cmphex(rets[1], ==, PCI_TESTDEV_DMA_DEVICE_ID << 16 |
                    PCI_TESTDEV_VENDOR_ID);
    fx_stop();
}

static void test_config_errors(void)
{
    uint32_t val, rets[3];
    uint32_t args[] = { CFG(2, 0), BUID_HI, BUID_LO, 4, 0 };
    uint32_t bad_buid[] = { CFG(2, 0), BUID_HI, BUID_LO + 3, 4, 0 };

    fx_start(0, one_dma_dev);
    /* size 3, 8, 0 */
    g_assert_cmpint(cfg_read(CFG(2, 0), 3, &val), ==, -1);
    g_assert_cmpint(cfg_read(CFG(2, 0), 8, &val), ==, -1);
    g_assert_cmpint(cfg_read(CFG(2, 0), 0, &val), ==, -1);
    /* not naturally aligned */
    g_assert_cmpint(cfg_read(CFG(2, 2), 4, &val), ==, -1);
    g_assert_cmpint(cfg_read(CFG(2, 1), 2, &val), ==, -1);
    /* no device in slot 5, function 1, or on bus 1 */
    g_assert_cmpint(cfg_read(CFG(5, 0), 4, &val), ==, -1);
    g_assert_cmpint(cfg_read(CFG(2, 0) | 1 << 8, 4, &val), ==, -1);
    g_assert_cmpint(cfg_read(CFG(2, 0) | 1 << 16, 4, &val), ==, -1);
    /* extended register 0x100: beyond a 256-byte config space */
    g_assert_cmpint(cfg_read(CFG(2, 0x100), 4, &val), ==, -1);
    g_assert_cmpint(cfg_read(CFG(2, 0xfc), 4, &val), ==, 0);
    /* unknown PHB */
    g_assert_cmpint(fx_rtas("ibm,read-pci-config", 4, bad_buid, 2, rets),
                    ==, -1);
    g_assert_cmpint(fx_rtas("ibm,write-pci-config", 5, bad_buid, 1, rets),
                    ==, -1);
    /* wrong nargs / nret */
    g_assert_cmpint(fx_rtas("ibm,read-pci-config", 3, args, 2, rets), ==,
                    -1);
    g_assert_cmpint(fx_rtas("ibm,read-pci-config", 4, args, 3, rets), ==,
                    -1);
    g_assert_cmpint(fx_rtas("ibm,write-pci-config", 4, args, 1, rets), ==,
                    -1);
    g_assert_cmpint(fx_rtas("ibm,write-pci-config", 5, args, 2, rets), ==,
                    -1);
    g_assert_cmpint(fx_rtas("read-pci-config", 3, args, 2, rets), ==, -1);
    g_assert_cmpint(fx_rtas("write-pci-config", 2, args, 1, rets), ==, -1);
    /* failing writes write nothing */
    g_assert_cmpint(cfg_write(CFG(2, PCI_LATENCY_TIMER), 3, 0x40), ==, -1);
    g_assert_cmpint(cfg_write(CFG(2, PCI_LATENCY_TIMER), 2, 0x4040),
                    ==, -1);
    g_assert_cmpint(cfg_read(CFG(2, PCI_LATENCY_TIMER), 1, &val), ==, 0);
    g_assert_cmphex(val, ==, 0);
    g_assert_cmpint(cfg_write(CFG(2, PCI_LATENCY_TIMER), 1, 0x40), ==, 0);
    g_assert_cmpint(cfg_read(CFG(2, PCI_LATENCY_TIMER), 1, &val), ==, 0);
    g_assert_cmphex(val, ==, 0x40);
    /* read-only fields stay */
    g_assert_cmpint(cfg_write(CFG(2, 0), 4, 0), ==, 0);
    g_assert_cmpint(cfg_read(CFG(2, 0), 2, &val), ==, 0);
    g_assert_cmphex(val, ==, PCI_TESTDEV_VENDOR_ID);
    fx_stop();
}

static void test_bars(void)
{
    SpaprPhbState *sphb;
    PCIDevice *dev;
    uint32_t val;
    uint64_t bar2;

    fx_start(0, one_dma_dev);
    sphb = spapr_phb_find_by_index(0);
    dev = pci_bus_find_device(&sphb->bus, 0, PCI_DEVFN(2, 0));
    g_assert_nonnull(dev);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, 0x80000000);
    bar2 = pci_get_bar_addr(dev, 2);
    g_assert_cmphex(bar2, ==, sphb->mem64_win_pciaddr);
    g_assert_cmphex(bar2, ==, SPAPR_PCI_BASE + (1ULL << 40));
    /* MMIO from the CPU side reaches the device */
    g_assert_cmphex(reg_read(BAR0_CPU, PCI_TESTDEV_REG_ID), ==,
                    PCI_TESTDEV_ID_VALUE);
    reg_write(BAR0_CPU, PCI_TESTDEV_REG_SCRATCH, 0x12345678);
    g_assert_cmphex(reg_read(BAR0_CPU, PCI_TESTDEV_REG_SCRATCH), ==,
                    0x12345678);
    reg_write(bar2 + 0x100, 0, 0xcafef00d);
    g_assert_cmphex(reg_read(bar2 + 0x100, 0), ==, 0xcafef00d);
    /* the BAR register shows the address; sizing reads the mask */
    g_assert_cmpint(cfg_read(CFG(2, PCI_BASE_ADDRESS_0), 4, &val), ==, 0);
    g_assert_cmphex(val, ==, 0x80000000);
    g_assert_cmpint(cfg_write(CFG(2, PCI_BASE_ADDRESS_0), 4, 0xffffffff),
                    ==, 0);
    g_assert_cmpint(cfg_read(CFG(2, PCI_BASE_ADDRESS_0), 4, &val), ==, 0);
    g_assert_cmphex(val, ==, 0xfffff000);
    /* the guest moves BAR0: MMIO follows */
    g_assert_cmpint(cfg_write(CFG(2, PCI_BASE_ADDRESS_0), 4, 0x90000000),
                    ==, 0);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, 0x90000000);
    g_assert_cmphex(reg_read(BAR0_CPU + 0x10000000, PCI_TESTDEV_REG_ID), ==,
                    PCI_TESTDEV_ID_VALUE);
    g_assert_cmphex(reg_read(BAR0_CPU, PCI_TESTDEV_REG_ID), ==, 0xffffffff);
    /* memory decoding off: BARs vanish */
    g_assert_cmpint(cfg_write(CFG(2, PCI_COMMAND), 2, 0), ==, 0);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(reg_read(BAR0_CPU + 0x10000000, PCI_TESTDEV_REG_ID), ==,
                    0xffffffff);
    fx_stop();
}

static uint32_t dma_run(uint32_t cmd, uint64_t src, uint64_t dst,
                        uint32_t len)
{
    reg_write(BAR0_CPU, PCI_TESTDEV_REG_SRC_LO, (uint32_t)src);
    reg_write(BAR0_CPU, PCI_TESTDEV_REG_SRC_HI, src >> 32);
    reg_write(BAR0_CPU, PCI_TESTDEV_REG_DST_LO, (uint32_t)dst);
    reg_write(BAR0_CPU, PCI_TESTDEV_REG_DST_HI, dst >> 32);
    reg_write(BAR0_CPU, PCI_TESTDEV_REG_LEN, len);
    reg_write(BAR0_CPU, PCI_TESTDEV_REG_CMD, cmd);
    return reg_read(BAR0_CPU, PCI_TESTDEV_REG_STATUS);
}

static void test_dma_default_window(void)
{
    g_autofree uint8_t *pat = g_malloc(0x2000);
    g_autofree uint8_t *got = g_malloc(0x2000);
    unsigned i;

    fx_start(0, one_dma_dev);
    for (i = 0; i < 0x2000; i++) {
        pat[i] = i * 7 + 3;
    }
    fx_write(0x200000, pat, 0x2000);
    /* bus 0x10000 -> 0x200000 (2 pages, read), 0x20000 -> 0x300000 */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x10000, 0x200000 | 1), ==, 0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x11000, 0x201000 | 1), ==, 0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x20000, 0x300000 | 2), ==, 0);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x21000, 0x301000 | 2), ==, 0);
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_COPY, 0x10000, 0x20000, 0x2000),
                    ==, PCI_TESTDEV_STATUS_DONE);
    fx_read(0x300000, got, 0x2000);
    g_assert_cmpmem(got, 0x2000, pat, 0x2000);
    /* SUM reads through the window */
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_SUM, 0x10000, 0, 0x100), ==,
                    PCI_TESTDEV_STATUS_DONE);
    {
        uint32_t sum = 0;

        for (i = 0; i < 0x100; i++) {
            sum += pat[i];
        }
        g_assert_cmphex(reg_read(BAR0_CPU, PCI_TESTDEV_REG_RESULT), ==, sum);
    }
    /* write to a read-only TCE: fault, nothing written */
    memset(got, 0, 0x2000);
    fx_write(0x200000, got, 0x10);
    fx_write(0x200000, pat, 0x10);
    reg_write(BAR0_CPU, PCI_TESTDEV_REG_PATTERN, 0xee);
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_FILL, 0, 0x10000, 0x10), ==,
                    PCI_TESTDEV_STATUS_DONE | PCI_TESTDEV_STATUS_WRITE_FAULT);
    fx_read(0x200000, got, 0x10);
    g_assert_cmpmem(got, 0x10, pat, 0x10);
    /* a transfer running into an unmapped page writes nothing at all */
    fx_read(0x301000, got, 0x1000);
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_FILL, 0, 0x21800, 0x1000), ==,
                    PCI_TESTDEV_STATUS_DONE | PCI_TESTDEV_STATUS_WRITE_FAULT);
    fx_read(0x301000, pat, 0x1000);
    g_assert_cmpmem(got, 0x1000, pat, 0x1000);
    /* reading unmapped memory faults */
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_COPY, 0x50000, 0x20000, 4), ==,
                    PCI_TESTDEV_STATUS_DONE | PCI_TESTDEV_STATUS_READ_FAULT);
    /* unmapping cuts the device off */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0x20000, 0), ==, 0);
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_FILL, 0, 0x20000, 4), ==,
                    PCI_TESTDEV_STATUS_DONE | PCI_TESTDEV_STATUS_WRITE_FAULT);
    g_assert_cmpuint(reg_read(BAR0_CPU, PCI_TESTDEV_REG_COUNT), ==, 6);
    /* a bad command, and bus mastering off */
    g_assert_cmphex(dma_run(9, 0, 0, 0), ==, PCI_TESTDEV_STATUS_DONE |
                    PCI_TESTDEV_STATUS_BAD_CMD);
    g_assert_cmpint(cfg_write(CFG(2, PCI_COMMAND), 2, PCI_COMMAND_MEMORY),
                    ==, 0);
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_SUM, 0x10000, 0, 4), ==,
                    PCI_TESTDEV_STATUS_DONE | PCI_TESTDEV_STATUS_BAD_CMD);
    fx_stop();
}

static void test_dma_dynamic_window(void)
{
    uint64_t addr, gpa;
    uint32_t liobn, n;
    uint8_t buf[64], got[64];

    fx_start(0, one_dma_dev);
    /* what Linux does: a 64 KiB-page window, all RAM direct-mapped */
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 28, &liobn, &addr), ==, 0);
    for (gpa = 0; gpa < FX_RAM_SIZE; gpa += 512 * 0x10000ULL) {
        uint64_t args[4] = { liobn, addr + gpa, 0x800000, 512 };

        for (n = 0; n < 512; n++) {
            fx_stq(0x800000 + 8 * n, (gpa + n * 0x10000ULL) | 3);
        }
        g_assert_cmpint(fx_hcall(H_PUT_TCE_INDIRECT, 4, args, NULL), ==, 0);
    }
    memset(buf, 0x3c, sizeof(buf));
    fx_write(0x4000000, buf, sizeof(buf));
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_COPY, addr + 0x4000000,
                            addr + 0x5000010, sizeof(buf)), ==,
                    PCI_TESTDEV_STATUS_DONE);
    fx_read(0x5000010, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), buf, sizeof(buf));
    /* the default window still works alongside */
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0, 0x6000000 | 3), ==, 0);
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_COPY, addr + 0x4000000, 0x20,
                            sizeof(buf)), ==, PCI_TESTDEV_STATUS_DONE);
    fx_read(0x6000020, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), buf, sizeof(buf));
    /* the window removed: the device loses it */
    g_assert_cmpint(fx_ddw_remove(liobn), ==, 0);
    g_assert_cmphex(dma_run(PCI_TESTDEV_CMD_SUM, addr + 0x4000000, 0, 4),
                    ==, PCI_TESTDEV_STATUS_DONE |
                    PCI_TESTDEV_STATUS_READ_FAULT);
    fx_stop();
}

static void test_machine_reset(void)
{
    uint32_t avail;
    uint64_t addr;

    fx_start(0, one_dma_dev);
    g_assert_cmpint(fx_put_tce(FX_LIOBN0, 0, 0x100000 | 3), ==, 0);
    g_assert_cmpint(fx_ddw_create(FX_BUID0, 16, 34, NULL, &addr), ==, 0);
    g_assert_cmpint(cfg_write(CFG(2, PCI_BASE_ADDRESS_0), 4, 0x90000000),
                    ==, 0);
    reg_write(BAR0_CPU + 0x10000000, PCI_TESTDEV_REG_SCRATCH, 77);
    machine_reset();
    /* DMA back to the default window, empty */
    g_assert_cmphex(fx_get_tce(FX_LIOBN0, 0), ==, 0);
    g_assert_cmpint(fx_ddw_query(FX_BUID0, &avail, NULL), ==, 0);
    g_assert_cmpuint(avail, ==, 1);
    /* device state reset, BARs assigned again by "firmware" */
    g_assert_cmphex(reg_read(BAR0_CPU, PCI_TESTDEV_REG_ID), ==,
                    PCI_TESTDEV_ID_VALUE);
    g_assert_cmpuint(reg_read(BAR0_CPU, PCI_TESTDEV_REG_SCRATCH), ==, 0);
    fx_stop();
}

static void test_phb_errors(void)
{
    Error *err = NULL;

    fx_start(0, NULL);
    g_assert_null(qdev_device_add_str("spapr-pci-host-bridge,index=0",
                                      &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "already in use"));
    error_free(err);
    err = NULL;
    g_assert_null(qdev_device_add_str("spapr-pci-host-bridge", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "index"));
    error_free(err);
    err = NULL;
    g_assert_null(qdev_device_add_str("spapr-pci-host-bridge,index=31",
                                      &err));
    error_free(err);
    err = NULL;
    g_assert_null(qdev_device_add_str("spapr-pci-host-bridge,index=3,"
                                      "dma_win_size=0x1800", &err));
    error_free(err);
    err = NULL;
    g_assert_null(qdev_device_add_str("pci-testdev,bus=nosuchbus", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "nosuchbus"));
    error_free(err);
    err = NULL;
    g_assert_nonnull(qdev_device_add_str("pci-testdev,addr=3", &err));
    g_assert_null(qdev_device_add_str("pci-testdev,addr=3", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "not available"));
    error_free(err);
    fx_stop();
}

/* Property @name of node @path as 32-bit cells, or NULL. */
static const fdt32_t *dt_prop(const void *fdt, const char *path,
                              const char *name, int *ncells)
{
    int off = fdt_path_offset(fdt, path), len = 0;
    const fdt32_t *p;

    g_assert_cmpint(off, >=, 0);
    p = fdt_getprop(fdt, off, name, &len);
    *ncells = p ? len / 4 : -1;
    return p;
}

static uint32_t cell(const fdt32_t *p, int i)
{
    return fdt32_to_cpu(p[i]);
}

static void test_device_tree(void)
{
    g_autofree char *path = g_build_filename(g_get_tmp_dir(),
                                             "spapr-test-XXXXXX.dtb", NULL);
    g_autofree char *blob = NULL;
    const char *phb = "/pci@800000020000000";
    const fdt32_t *p;
    gsize len;
    int n, fd;

    fx_start(0, one_dma_dev);
    fd = g_mkstemp(path);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(machine_dump_dtb(path, &error_abort));
    g_assert_true(g_file_get_contents(path, &blob, &len, NULL));
    unlink(path);
    g_assert_cmpint(fdt_check_header(blob), ==, 0);
    g_assert_cmpuint(fdt_totalsize(blob), ==, len);

    p = dt_prop(blob, "/memory@0", "reg", &n);
    g_assert_cmpint(n, ==, 4);
    g_assert_cmphex((uint64_t)cell(p, 2) << 32 | cell(p, 3), ==, FX_RAM_SIZE);
    p = dt_prop(blob, "/rtas", "ibm,create-pe-dma-window", &n);
    g_assert_cmphex(cell(p, 0), ==, 0x2027);
    p = dt_prop(blob, "/rtas", "ibm,read-pci-config", &n);
    g_assert_cmphex(cell(p, 0), ==, 0x2016);

    g_assert_cmpstr(fdt_getprop(blob, fdt_path_offset(blob, phb),
                                "compatible", NULL), ==, "IBM,Logical_PHB");
    g_assert_cmpstr(fdt_getprop(blob, fdt_path_offset(blob, phb),
                                "device_type", NULL), ==, "pci");
    p = dt_prop(blob, phb, "reg", &n);
    g_assert_cmpint(n, ==, 4);
    g_assert_cmphex(cell(p, 0), ==, 0x08000000);
    g_assert_cmphex(cell(p, 1), ==, 0x20000000);
    p = dt_prop(blob, phb, "ranges", &n);
    g_assert_cmpint(n, ==, 21);
    g_assert_cmphex(cell(p, 0), ==, 0x01000000);          /* PIO */
    g_assert_cmphex(cell(p, 3), ==, 0x2000);
    g_assert_cmphex(cell(p, 7), ==, 0x02000000);          /* MMIO32 */
    g_assert_cmphex(cell(p, 9), ==, 0x80000000);
    g_assert_cmphex(cell(p, 10), ==, 0x2000);
    g_assert_cmphex(cell(p, 11), ==, 0x80000000);
    g_assert_cmphex(cell(p, 14), ==, 0x03000000);         /* MMIO64 */
    g_assert_cmphex(cell(p, 17), ==, 0x2100);
    g_assert_cmphex(cell(p, 19), ==, 0x100);
    p = dt_prop(blob, phb, "ibm,pci-config-space-type", &n);
    g_assert_cmpuint(cell(p, 0), ==, 1);
    p = dt_prop(blob, phb, "ibm,dma-window", &n);
    g_assert_cmpint(n, ==, 5);
    g_assert_cmphex(cell(p, 0), ==, 0x80000000);
    g_assert_cmphex(cell(p, 2), ==, 0);
    g_assert_cmphex(cell(p, 4), ==, 0x40000000);
    p = dt_prop(blob, phb, "ibm,#dma-address-cells", &n);
    g_assert_cmpuint(cell(p, 0), ==, 2);
    p = dt_prop(blob, phb, "ibm,#dma-size-cells", &n);
    g_assert_cmpuint(cell(p, 0), ==, 2);
    p = dt_prop(blob, phb, "ibm,ddw-applicable", &n);
    g_assert_cmpint(n, ==, 3);
    g_assert_cmphex(cell(p, 0), ==, 0x2026);
    g_assert_cmphex(cell(p, 1), ==, 0x2027);
    g_assert_cmphex(cell(p, 2), ==, 0x2028);
    p = dt_prop(blob, phb, "ibm,ddw-extensions", &n);
    g_assert_cmpint(n, ==, 3);
    g_assert_cmphex(cell(p, 0), ==, 2);
    g_assert_cmphex(cell(p, 1), ==, 0x2029);
    g_assert_cmphex(cell(p, 2), ==, 1);

    /* the device: config + 2 BARs in reg, both BARs assigned */
    p = dt_prop(blob, "/pci@800000020000000/pci1b36,f5@2", "reg", &n);
    g_assert_cmpint(n, ==, 15);
    g_assert_cmphex(cell(p, 0), ==, 0x1000);
    g_assert_cmphex(cell(p, 5), ==, 0x02001010);
    g_assert_cmphex(cell(p, 10), ==, 0x43001018);
    p = dt_prop(blob, "/pci@800000020000000/pci1b36,f5@2",
                "assigned-addresses", &n);
    g_assert_cmpint(n, ==, 10);
    g_assert_cmphex(cell(p, 0), ==, 0x82001010);
    g_assert_cmphex(cell(p, 2), ==, 0x80000000);
    g_assert_cmphex(cell(p, 4), ==, 0x1000);
    g_assert_cmphex(cell(p, 5), ==, 0xc3001018);
    g_assert_cmphex(cell(p, 6), ==, 0x2100);
    fx_stop();
}

static void test_hotplug_rebuilds_tree(void)
{
    const void *fdt;
    DeviceState *dev;
    SpaprPhbState *sphb;
    PCIDevice *pdev;

    fx_start(0, one_dma_dev);
    fdt = spapr_machine_fdt(&error_abort);
    g_assert_cmpint(fdt_path_offset(fdt, "/pci@800000020000000/pci1b36,5@3"),
                    <, 0);
    dev = qdev_device_add_str("pci-testdev,id=hot,addr=3", &error_abort);
    g_assert_true(dev->hotplugged);
    pdev = PCI_DEVICE(dev);
    /* BARs assigned at device_add, after those of the boot devices */
    g_assert_cmphex(pci_get_bar_addr(pdev, 0), ==, 0x80001000);
    g_assert_cmphex(reg_read(BAR0_CPU + 0x1000, PCI_TESTDEV_REG_ID), ==,
                    PCI_TESTDEV_ID_VALUE);
    fdt = spapr_machine_fdt(&error_abort);
    g_assert_cmpint(fdt_path_offset(fdt, "/pci@800000020000000/pci1b36,5@3"),
                    >=, 0);
    /* a hotplugged PHB with a device behind it */
    g_assert_nonnull(qdev_device_add_str(
                         "spapr-pci-host-bridge,index=1,id=phb1",
                         &error_abort));
    g_assert_nonnull(qdev_device_add_str("pci-testdev,bus=phb1,id=t1",
                                         &error_abort));
    sphb = spapr_phb_find_by_index(1);
    pdev = pci_bus_find_device(&sphb->bus, 0, 0);
    g_assert_nonnull(pdev);
    g_assert_cmphex(reg_read(MEM32_CPU(1), PCI_TESTDEV_REG_ID), ==,
                    PCI_TESTDEV_ID_VALUE);
    fdt = spapr_machine_fdt(&error_abort);
    g_assert_cmpint(fdt_path_offset(fdt, "/pci@800000020000001/pci1b36,5@0"),
                    >=, 0);
    /* unplug: node and MMIO gone; PHB removal takes its devices */
    g_assert_true(qdev_device_del("hot", &error_abort));
    g_assert_cmphex(reg_read(BAR0_CPU + 0x1000, PCI_TESTDEV_REG_ID), ==,
                    0xffffffff);
    fdt = spapr_machine_fdt(&error_abort);
    g_assert_cmpint(fdt_path_offset(fdt, "/pci@800000020000000/pci1b36,5@3"),
                    <, 0);
    g_assert_true(qdev_device_del("phb1", &error_abort));
    g_assert_null(qdev_find_by_id("t1"));
    g_assert_null(spapr_phb_find_by_index(1));
    fdt = spapr_machine_fdt(&error_abort);
    g_assert_cmpint(fdt_path_offset(fdt, "/pci@800000020000001"), <, 0);
    fx_stop();
}

static void test_query_pci(void)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *buses, *devices, *regions;
    JsonObject *d, *r, *id;

    fx_start(0, one_dma_dev);
    /* The handler hw/pci registered, without the program's dispatch. */
    g_assert_nonnull(qmp_command_lookup("query-pci"));
    ret = qmp_command_lookup("query-pci")(args, &error_abort);
    buses = json_node_get_array(ret);
    g_assert_cmpuint(json_array_get_length(buses), ==, 1);
    devices = json_object_get_array_member(
        json_array_get_object_element(buses, 0), "devices");
    g_assert_cmpuint(json_array_get_length(devices), ==, 1);
    d = json_array_get_object_element(devices, 0);
    g_assert_cmpint(json_object_get_int_member(d, "slot"), ==, 2);
    g_assert_cmpstr(json_object_get_string_member(d, "qdev_id"), ==, "dma0");
    id = json_object_get_object_member(d, "id");
    g_assert_cmpint(json_object_get_int_member(id, "vendor"), ==, 0x1b36);
    regions = json_object_get_array_member(d, "regions");
    g_assert_cmpuint(json_array_get_length(regions), ==, 2);
    r = json_array_get_object_element(regions, 0);
    g_assert_cmpint(json_object_get_int_member(r, "bar"), ==, 0);
    g_assert_cmphex(json_object_get_int_member(r, "address"), ==,
                    0x80000000);
    g_assert_cmphex(json_object_get_int_member(r, "size"), ==, 0x1000);
    r = json_array_get_object_element(regions, 1);
    g_assert_true(json_object_get_boolean_member(r, "mem_type_64"));
    g_assert_true(json_object_get_boolean_member(r, "prefetch"));
    fx_stop();
}

static void test_time_of_day(void)
{
    uint32_t rets[8];

    fx_start(0, NULL);
    g_assert_cmpint(fx_rtas("get-time-of-day", 0, NULL, 8, rets), ==, 0);
    g_assert_cmpuint(rets[1], >=, 2024);
    g_assert_cmpuint(rets[2], >=, 1);
    g_assert_cmpuint(rets[2], <=, 12);
    g_assert_cmpuint(rets[7], <, 1000000000);
    g_assert_cmpint(fx_rtas("get-time-of-day", 0, NULL, 7, rets), ==, -3);
    g_assert_false(machine_rtas("no-such-call", 0, 0, 1, FX_RTAS_RETS));
    fx_stop();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spapr/pci/rtas-config-read", test_config_read);
    g_test_add_func("/spapr/pci/rtas-config-errors", test_config_errors);
    g_test_add_func("/spapr/pci/bars-assigned-and-mapped", test_bars);
    g_test_add_func("/spapr/pci/testdev-dma-default-window",
                    test_dma_default_window);
    g_test_add_func("/spapr/pci/testdev-dma-dynamic-window",
                    test_dma_dynamic_window);
    g_test_add_func("/spapr/machine/reset", test_machine_reset);
    g_test_add_func("/spapr/pci/phb-errors", test_phb_errors);
    g_test_add_func("/spapr/fdt/properties", test_device_tree);
    g_test_add_func("/spapr/fdt/hotplug-rebuilds-tree",
                    test_hotplug_rebuilds_tree);
    g_test_add_func("/spapr/pci/query-pci", test_query_pci);
    g_test_add_func("/spapr/rtas/get-time-of-day", test_time_of_day);
    return g_test_run();
}
