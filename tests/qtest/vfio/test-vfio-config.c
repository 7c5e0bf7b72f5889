/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * End-to-end vfio-pci configuration space, checked from both sides: the
 * guest through ibm,read/write-pci-config, the device through vfio-sim's
 * control channel (the COMMAND and STATUS registers as the device holds
 * them) and through the machine's trace of every config access it makes
 * to the device fd.
 *
 * COMMAND's decode/master/interrupt/error bits reach the device and are
 * read back from it; BARs and the ROM BAR are emulated (sizing works and
 * the device's own BARs are never written); STATUS is the device's, its
 * write-1-to-clear bits forwarded; the capability list is the device's,
 * with MSI emulated; a device the machine marks failed has bus mastering
 * cleared on the device itself; and one host function cannot be
 * attached twice.
 */
#include <errno.h>
#include <sys/wait.h>
#include <linux/pci_regs.h>
#include <glib/gstdio.h>
#include "vfio-e2e.h"

#define BUID0           0x800000020000000ULL
/* The device sits at slot 2 of PHB 0, function 0. */
#define SLOT            2
#define CADDR           ((SLOT << 3) << 8)
#define DEV_ARGS        VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 \
                        ",id=dev0,addr=2"

#define CMD_IO          0x001
#define CMD_MEMORY      0x002
#define CMD_MASTER      0x004
#define CMD_PARITY      0x040
#define CMD_SERR        0x100
#define CMD_INTX_OFF    0x400
#define CMD_DEVICE_BITS (CMD_IO | CMD_MEMORY | CMD_MASTER | CMD_PARITY | \
                         CMD_SERR | CMD_INTX_OFF)
#define STATUS_CAP_LIST 0x10

/* dma-engine's BARs (contrib/vfio-sim/dma-engine.h). */
#define BAR0_SIZE       0x1000
#define BAR2_SIZE       0x10000

static uint32_t cfg_read(SpaprGuest *g, uint32_t reg, unsigned len)
{
    uint32_t v = 0;

    g_assert_true(guest_config_read(g, BUID0, CADDR, reg, len, &v));
    return v;
}

static void cfg_write(SpaprGuest *g, uint32_t reg, unsigned len,
                      uint32_t v)
{
    g_assert_true(guest_config_write(g, BUID0, CADDR, reg, len, v));
}

/* The device's own register, as vfio-sim holds it. */
static uint16_t device_reg(VsimMachine *m, const char *name)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) d = vsim_control_device(vsim_machine_control(m),
                                                  VT_BDF0, &err);

    g_assert_no_error(err);
    g_assert_nonnull(d);
    return vt_int(d, name);
}

/* The capability @id in the guest's view of the list, or 0. */
static uint8_t find_cap(SpaprGuest *g, uint8_t id)
{
    uint8_t pos = cfg_read(g, PCI_CAPABILITY_LIST, 1) & ~3;
    unsigned guard = 0;

    while (pos && guard++ < 48) {
        if (cfg_read(g, pos, 1) == id) {
            return pos;
        }
        pos = cfg_read(g, pos + 1, 1) & ~3;
    }
    return 0;
}

/* ------------------------------------------------------------ COMMAND */

/*
 * What the guest reads is what the device holds, so a Linux-style
 * enable (write only the bits that read back clear) turns them on in
 * the device; every device bit written reaches it and reads back.
 */
static void test_command_reaches_device(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    uint16_t cmd = cfg_read(g, PCI_COMMAND, 2);
    static const uint16_t values[] = {
        CMD_MEMORY | CMD_MASTER,
        CMD_MEMORY | CMD_MASTER | CMD_INTX_OFF | CMD_SERR | CMD_PARITY,
        CMD_INTX_OFF,
        0,
    };
    unsigned i;

    g_assert_cmphex(cmd & CMD_DEVICE_BITS, ==,
                    device_reg(m, "command") & CMD_DEVICE_BITS);
    if ((cmd & (CMD_MEMORY | CMD_MASTER)) != (CMD_MEMORY | CMD_MASTER)) {
        cfg_write(g, PCI_COMMAND, 2, cmd | CMD_MEMORY | CMD_MASTER);
    }
    g_assert_cmphex(device_reg(m, "command") & (CMD_MEMORY | CMD_MASTER),
                    ==, CMD_MEMORY | CMD_MASTER);

    for (i = 0; i < G_N_ELEMENTS(values); i++) {
        cfg_write(g, PCI_COMMAND, 2, values[i]);
        g_assert_cmphex(device_reg(m, "command") & CMD_DEVICE_BITS, ==,
                        values[i]);
        g_assert_cmphex(cfg_read(g, PCI_COMMAND, 2) & CMD_DEVICE_BITS, ==,
                        values[i]);
    }

    /* A dword write covering COMMAND and STATUS, and single bytes. */
    cfg_write(g, PCI_COMMAND, 4, CMD_MEMORY | CMD_MASTER);
    g_assert_cmphex(device_reg(m, "command") & CMD_DEVICE_BITS, ==,
                    CMD_MEMORY | CMD_MASTER);
    cfg_write(g, PCI_COMMAND + 1, 1, CMD_INTX_OFF >> 8);
    g_assert_cmphex(device_reg(m, "command") & CMD_DEVICE_BITS, ==,
                    CMD_MEMORY | CMD_MASTER | CMD_INTX_OFF);
    cfg_write(g, PCI_COMMAND, 1, CMD_MEMORY);
    g_assert_cmphex(device_reg(m, "command") & CMD_DEVICE_BITS, ==,
                    CMD_MEMORY | CMD_INTX_OFF);
    guest_free(g);
    vt_quit_clean(m);
}

/* The guest model's own enable (guest_find_device) leaves DMA working. */
static void test_command_enables_dma(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    uint64_t gpa = guest_alloc(g, 4 * VT_PAGE, VT_PAGE);
    uint64_t iova = guest_dma_map(g, &dev, gpa, 4 * VT_PAGE, TCE_RW);

    g_assert_cmphex(device_reg(m, "command") & (CMD_MEMORY | CMD_MASTER),
                    ==, CMD_MEMORY | CMD_MASTER);
    g_assert_cmphex(iova, !=, 0);
    vt_dma_roundtrip(m, g, &dev, iova, gpa, 4 * VT_PAGE,
                     0x0123456789abcdefULL);
    guest_free(g);
    vt_quit_clean(m);
}

/* ------------------------------------------------------------- STATUS */

static void test_status_is_the_devices(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    uint16_t status = device_reg(m, "status");
    uint32_t dword;

    g_assert_cmphex(status & STATUS_CAP_LIST, ==, STATUS_CAP_LIST);
    g_assert_cmphex(cfg_read(g, PCI_STATUS, 2), ==, status);
    cfg_write(g, PCI_COMMAND, 2, CMD_MEMORY | CMD_MASTER);
    dword = cfg_read(g, PCI_COMMAND, 4);
    g_assert_cmphex(dword >> 16, ==, device_reg(m, "status"));
    g_assert_cmphex(dword & CMD_DEVICE_BITS, ==,
                    device_reg(m, "command") & CMD_DEVICE_BITS);

    /* Write-1-to-clear of every bit: read-only bits are unchanged. */
    cfg_write(g, PCI_STATUS, 2, 0xffff);
    g_assert_cmphex(device_reg(m, "status") & STATUS_CAP_LIST, ==,
                    STATUS_CAP_LIST);
    g_assert_cmphex(cfg_read(g, PCI_STATUS, 2), ==,
                    device_reg(m, "status"));
    g_assert_cmphex(device_reg(m, "command") & CMD_DEVICE_BITS, ==,
                    CMD_MEMORY | CMD_MASTER);
    guest_free(g);
    vt_quit_clean(m);
}

/* ------------------------------------------- BARs, ROM, capabilities */

typedef struct DevAccess {
    uint32_t addr;
    uint32_t val;
    unsigned len;
} DevAccess;

/* Config writes the machine made to the device fd, from its trace. */
static GArray *device_writes(const char *trace_path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GArray *out = g_array_new(false, false, sizeof(DevAccess));
    char **l;

    g_assert_true(g_file_get_contents(trace_path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (l = lines; *l; l++) {
        const char *p = strstr(*l, "vfio_pci_config_dev_write ");
        DevAccess a;

        if (!p) {
            continue;
        }
        p = strchr(p, '@');
        g_assert_nonnull(p);
        g_assert_cmpint(sscanf(p, "@0x%x <- 0x%x len %u", &a.addr, &a.val,
                               &a.len), ==, 3);
        g_array_append_val(out, a);
    }
    return out;
}

static bool writes_touch(GArray *w, uint32_t start, uint32_t end)
{
    unsigned i;

    for (i = 0; i < w->len; i++) {
        DevAccess *a = &g_array_index(w, DevAccess, i);

        if (a->addr < end && start < a->addr + a->len) {
            return true;
        }
    }
    return false;
}

/*
 * The sizing protocol on every BAR and the ROM BAR: all-ones reads back
 * the size mask with the type bits, the old value restores the address
 * and the BAR's registers still work; the device's own BARs are never
 * written (nor is the ROM BAR, which the machine does not expose).
 */
static void test_bar_sizing_is_emulated(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vfio-config-XXXXXX", &err);
    g_autofree char *trace = g_build_filename(dir, "trace.log", NULL);
    VsimMachine *m = vsim_machine_start(NULL, NULL,
        "%s -trace 'vfio_pci_config_dev_*,file=%s'", DEV_ARGS, trace);
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    uint32_t bar0 = cfg_read(g, PCI_BASE_ADDRESS_0, 4);
    uint32_t bar2 = cfg_read(g, PCI_BASE_ADDRESS_2, 4);
    uint32_t bar3 = cfg_read(g, PCI_BASE_ADDRESS_3, 4);
    uint32_t status0 = vt_bar0_readl(m, &dev, VT_REG_STATUS);
    g_autoptr(GArray) writes = NULL;

    g_assert_no_error(err);
    g_assert_cmphex(bar0 & ~0xfu, !=, 0);
    g_assert_cmphex(dev.bar_size[0], ==, BAR0_SIZE);
    g_assert_cmphex(dev.bar_size[2], ==, BAR2_SIZE);

    cfg_write(g, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
    g_assert_cmphex(cfg_read(g, PCI_BASE_ADDRESS_0, 4), ==,
                    (uint32_t)~(BAR0_SIZE - 1));
    cfg_write(g, PCI_BASE_ADDRESS_0, 4, bar0);
    g_assert_cmphex(cfg_read(g, PCI_BASE_ADDRESS_0, 4), ==, bar0);

    cfg_write(g, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
    cfg_write(g, PCI_BASE_ADDRESS_3, 4, 0xffffffff);
    g_assert_cmphex(cfg_read(g, PCI_BASE_ADDRESS_2, 4), ==,
                    (uint32_t)~(BAR2_SIZE - 1) | 0xc);
    g_assert_cmphex(cfg_read(g, PCI_BASE_ADDRESS_3, 4), ==, 0xffffffff);
    cfg_write(g, PCI_BASE_ADDRESS_2, 4, bar2);
    cfg_write(g, PCI_BASE_ADDRESS_3, 4, bar3);
    g_assert_cmphex(cfg_read(g, PCI_BASE_ADDRESS_2, 4), ==, bar2);

    /* Not implemented BARs and the ROM BAR size to nothing. */
    cfg_write(g, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
    g_assert_cmphex(cfg_read(g, PCI_BASE_ADDRESS_1, 4), ==, 0);
    cfg_write(g, PCI_ROM_ADDRESS, 4, 0xfffff801);
    g_assert_cmphex(cfg_read(g, PCI_ROM_ADDRESS, 4), ==, 0);

    /* The device still decodes at the guest's address. */
    g_assert_cmphex(vt_bar0_readl(m, &dev, VT_REG_STATUS), ==, status0);
    guest_free(g);
    vt_quit_clean(m);

    writes = device_writes(trace);
    /* The trace works: COMMAND went to the device. */
    g_assert_true(writes_touch(writes, PCI_COMMAND, PCI_COMMAND + 2));
    g_assert_false(writes_touch(writes, PCI_BASE_ADDRESS_0,
                                PCI_BASE_ADDRESS_5 + 4));
    g_assert_false(writes_touch(writes, PCI_ROM_ADDRESS,
                                PCI_ROM_ADDRESS + 4));
    g_unlink(trace);
    g_rmdir(dir);
}

/*
 * The capability list is the device's.  A passed-through capability
 * (power management) reaches the device; MSI is emulated (its writes
 * read back and stay in the machine); the list itself is read-only.
 */
static void test_capabilities(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vfio-config-XXXXXX", &err);
    g_autofree char *trace = g_build_filename(dir, "trace.log", NULL);
    VsimMachine *m = vsim_machine_start(NULL, NULL,
        "%s -trace 'vfio_pci_config_dev_*,file=%s'", DEV_ARGS, trace);
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    uint8_t pm, msi, next;
    uint16_t flags;
    g_autoptr(GArray) writes = NULL;

    g_assert_no_error(err);
    g_assert_cmphex(cfg_read(g, PCI_STATUS, 2) & STATUS_CAP_LIST, ==,
                    STATUS_CAP_LIST);
    pm = find_cap(g, PCI_CAP_ID_PM);
    msi = find_cap(g, PCI_CAP_ID_MSI);
    g_assert_cmpuint(pm, >=, 0x40);
    g_assert_cmpuint(msi, >=, 0x40);

    /* Power management: D3hot and back, on the device. */
    cfg_write(g, pm + PCI_PM_CTRL, 2, 3);
    g_assert_cmphex(cfg_read(g, pm + PCI_PM_CTRL, 2) & 3, ==, 3);
    cfg_write(g, pm + PCI_PM_CTRL, 2, 0);
    g_assert_cmphex(cfg_read(g, pm + PCI_PM_CTRL, 2) & 3, ==, 0);

    /* MSI: 64-bit, one vector; address, data and enable read back. */
    flags = cfg_read(g, msi + PCI_MSI_FLAGS, 2);
    g_assert_cmphex(flags & PCI_MSI_FLAGS_64BIT, ==, PCI_MSI_FLAGS_64BIT);
    cfg_write(g, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee01004);
    cfg_write(g, msi + PCI_MSI_ADDRESS_HI, 4, 0x12);
    cfg_write(g, msi + PCI_MSI_DATA_64, 2, 0x4321);
    cfg_write(g, msi + PCI_MSI_FLAGS, 2, flags | PCI_MSI_FLAGS_ENABLE);
    g_assert_cmphex(cfg_read(g, msi + PCI_MSI_ADDRESS_LO, 4), ==,
                    0xfee01004);
    g_assert_cmphex(cfg_read(g, msi + PCI_MSI_ADDRESS_HI, 4), ==, 0x12);
    g_assert_cmphex(cfg_read(g, msi + PCI_MSI_DATA_64, 2), ==, 0x4321);
    g_assert_cmphex(cfg_read(g, msi + PCI_MSI_FLAGS, 2), ==,
                    flags | PCI_MSI_FLAGS_ENABLE);
    /* Read-only fields of the flags stay. */
    cfg_write(g, msi + PCI_MSI_FLAGS, 2, 0);
    g_assert_cmphex(cfg_read(g, msi + PCI_MSI_FLAGS, 2), ==, flags);

    /* The list cannot be rewritten. */
    next = cfg_read(g, pm + PCI_CAP_LIST_NEXT, 1);
    cfg_write(g, pm + PCI_CAP_LIST_NEXT, 1, 0);
    cfg_write(g, PCI_CAPABILITY_LIST, 1, 0);
    g_assert_cmphex(cfg_read(g, pm + PCI_CAP_LIST_NEXT, 1), ==, next);
    g_assert_cmphex(find_cap(g, PCI_CAP_ID_MSI), ==, msi);
    guest_free(g);
    vt_quit_clean(m);

    writes = device_writes(trace);
    g_assert_true(writes_touch(writes, pm + PCI_PM_CTRL, pm + 6));
    g_assert_false(writes_touch(writes, msi, msi + 14));
    g_assert_false(writes_touch(writes, pm, pm + 2));
    g_assert_false(writes_touch(writes, PCI_CAPABILITY_LIST,
                                PCI_CAPABILITY_LIST + 1));
    g_unlink(trace);
    g_rmdir(dir);
}

/* ------------------------------------------------------------- failed */

/*
 * A runtime MAP_DMA failure marks the device failed: bus mastering is
 * off in the device itself (memory decoding stays, so its registers
 * still answer), the guest reads it off, and setting it again does not
 * reach the device.
 */
static void test_failed_clears_master_on_device(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    GuestWindow dw = guest_default_window(g, &dev);
    uint64_t gpa = guest_alloc(g, VT_PAGE, VT_PAGE);
    g_autoptr(JsonObject) ev = NULL;
    uint32_t status0 = vt_bar0_readl(m, &dev, VT_REG_STATUS);

    g_assert_cmphex(device_reg(m, "command") & (CMD_MEMORY | CMD_MASTER),
                    ==, CMD_MEMORY | CMD_MASTER);
    vt_fault(m, "VFIO_IOMMU_MAP_DMA", "EFAULT");
    g_assert_cmpint(guest_put_tce(g, dw.liobn, dw.bus_start + 7 * VT_PAGE,
                                  gpa | TCE_RW), ==, H_SUCCESS);
    ev = qtest_qmp_eventwait(m->qts, "VFIO_DEVICE_FAILED");

    g_assert_cmphex(device_reg(m, "command") & (CMD_MEMORY | CMD_MASTER),
                    ==, CMD_MEMORY);
    g_assert_cmphex(cfg_read(g, PCI_COMMAND, 2) & (CMD_MEMORY | CMD_MASTER),
                    ==, CMD_MEMORY);
    cfg_write(g, PCI_COMMAND, 2, CMD_MEMORY | CMD_MASTER | CMD_INTX_OFF);
    g_assert_cmphex(device_reg(m, "command") & CMD_DEVICE_BITS, ==,
                    CMD_MEMORY | CMD_INTX_OFF);
    g_assert_cmphex(vt_bar0_readl(m, &dev, VT_REG_STATUS), ==, status0);
    guest_free(g);
    vt_quit_clean(m);
}

/*
 * system_reset stops the device decoding and mastering (in the device),
 * the guest reads it so, and enabling it again reaches the device.
 */
static void test_reset_clears_command_on_device(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) ev = NULL;
    uint64_t gpa, iova;

    g_assert_cmphex(device_reg(m, "command") & (CMD_MEMORY | CMD_MASTER),
                    ==, CMD_MEMORY | CMD_MASTER);
    reply = qtest_qmp(m->qts, "{'execute': 'system_reset'}");
    g_assert_null(qtest_qmp_error_desc(reply));
    ev = qtest_qmp_eventwait(m->qts, "RESET");
    g_assert_cmphex(device_reg(m, "command") & CMD_DEVICE_BITS, ==, 0);
    guest_free(g);

    g = guest_new(m->qts, VT_RAM);
    g_assert_cmphex(cfg_read(g, PCI_COMMAND, 2) & CMD_DEVICE_BITS, ==, 0);
    guest_free(g);
    g = vt_guest(m, VT_RAM, &dev);
    g_assert_cmphex(device_reg(m, "command") & (CMD_MEMORY | CMD_MASTER),
                    ==, CMD_MEMORY | CMD_MASTER);
    gpa = guest_alloc(g, VT_PAGE, VT_PAGE);
    iova = guest_dma_map(g, &dev, gpa, VT_PAGE, TCE_RW);
    g_assert_cmphex(iova, !=, 0);
    vt_dma_roundtrip(m, g, &dev, iova, gpa, VT_PAGE, 0x1122334455667788ULL);
    guest_free(g);
    vt_quit_clean(m);
}

/* ---------------------------------------------------------- duplicates */

/* Two -device for one host function: exit 1 naming it and both ids. */
static void test_duplicate_host_at_start(void)
{
    const char *bin = g_getenv("QTEST_SPAPR_VFIO_BINARY");
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vfio-config-XXXXXX", &err);
    g_autofree char *build = NULL, *run = NULL, *report = NULL;
    g_autofree char *out = NULL, *errout = NULL, *json = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    int status;
    /* A machine that wrongly starts would run forever: bound it. */
    char *argv[] = {
        "timeout", "60", NULL, "--device", VT_BDF0 "=dma-engine@1",
        "--host", "memlock=unlimited", "--report", NULL, "--", NULL,
        "-nodefaults", "-m", "512M",
        "-device", "vfio-pci,host=" VT_BDF0 ",id=first",
        "-device", "vfio-pci,host=" VT_BDF0 ",id=second", NULL,
    };

    g_assert_no_error(err);
    g_assert_nonnull(bin);
    build = g_path_get_dirname(bin);
    run = g_build_filename(build, "..", "contrib", "vfio-sim",
                           "vfio-sim-run", NULL);
    report = g_build_filename(dir, "report.json", NULL);
    argv[2] = run;
    argv[8] = report;
    argv[10] = (char *)bin;
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                               NULL, &out, &errout, &status, &err));
    g_assert_no_error(err);
    g_test_message("stderr: %s", errout);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(errout, VT_BDF0));
    g_assert_nonnull(strstr(errout, "'first'"));
    g_assert_nonnull(strstr(errout, "'second'"));
    g_assert_null(strstr(errout, "Sanitizer"));

    g_assert_true(g_file_get_contents(report, &json, NULL, &err));
    g_assert_true(json_parser_load_from_data(parser, json, -1, &err));
    g_assert_no_error(err);
    vsim_report_assert_clean(json_node_get_object(
                                 json_parser_get_root(parser)));
    g_unlink(report);
    g_rmdir(dir);
}

/*
 * Hot-adding a function already attached (by host= or by sysfsdev=) is
 * refused naming it and both ids; the attached one is untouched.
 */
static void test_duplicate_host_at_hotadd(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", DEV_ARGS);
    GuestDevice dev;
    SpaprGuest *g = vt_guest(m, VT_RAM, &dev);
    const char *props[] = {
        "'host': '" VT_BDF0 "'",
        "'sysfsdev': '/sys/bus/pci/devices/" VT_BDF0 "'",
    };
    uint64_t gpa = guest_alloc(g, VT_PAGE, VT_PAGE);
    uint64_t iova;
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(props); i++) {
        g_autoptr(JsonObject) r = qtest_qmp(m->qts,
            "{'execute': 'device_add', 'arguments': {'driver': 'vfio-pci', "
            "'id': 'again', %s}}", props[i]);
        const char *desc = qtest_qmp_error_desc(r);
        g_autoptr(JsonObject) st = NULL;

        g_assert_nonnull(desc);
        g_test_message("device_add error: %s", desc);
        g_assert_nonnull(strstr(desc, VT_BDF0));
        g_assert_nonnull(strstr(desc, "'dev0'"));
        g_assert_nonnull(strstr(desc, "'again'"));
        st = vsim_machine_state(m);
        vt_only_container(st);
    }

    g_assert_cmphex(device_reg(m, "command") & (CMD_MEMORY | CMD_MASTER),
                    ==, CMD_MEMORY | CMD_MASTER);
    iova = guest_dma_map(g, &dev, gpa, VT_PAGE, TCE_RW);
    g_assert_cmphex(iova, !=, 0);
    vt_dma_roundtrip(m, g, &dev, iova, gpa, VT_PAGE, 0x5a5a5a5a5a5a5a5aULL);
    guest_free(g);
    vt_quit_clean(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/config/command/reaches-device-and-reads-back",
                    test_command_reaches_device);
    g_test_add_func("/vfio/config/command/guest-enable-gives-dma",
                    test_command_enables_dma);
    g_test_add_func("/vfio/config/status/read-from-device",
                    test_status_is_the_devices);
    g_test_add_func("/vfio/config/bar/sizing-emulated-device-bars-untouched",
                    test_bar_sizing_is_emulated);
    g_test_add_func("/vfio/config/caps/passed-through-msi-emulated",
                    test_capabilities);
    g_test_add_func("/vfio/config/failed/bus-master-off-on-device",
                    test_failed_clears_master_on_device);
    g_test_add_func("/vfio/config/reset/command-cleared-on-device",
                    test_reset_clears_command_on_device);
    g_test_add_func("/vfio/config/duplicate/refused-at-start",
                    test_duplicate_host_at_start);
    g_test_add_func("/vfio/config/duplicate/refused-at-hotadd",
                    test_duplicate_host_at_hotadd);
    return g_test_run();
}
