/*
 * vfio-sim conformance: the device fd (regions, config space, IRQs,
 * reset) and the dma-engine's DMA through the host TCE table.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/eventfd.h>
#include <linux/close_range.h>
#include <linux/pci_regs.h>
#include "vsim-test.h"
#include "dma-engine.h"

#define CFG_OFF     (7ULL << 40)
#define BAR0_OFF    (0ULL << 40)
#define BAR2_OFF    (2ULL << 40)
#define MINSZ_INFO  (offsetof(struct vfio_pci_hot_reset_info, count) + 4)

typedef struct Rig {
    int c, g, d;
    uint8_t *ram;
} Rig;

static void rig_up(Rig *r)
{
    r->c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &r->g);
    r->d = xioctl(r->g, VFIO_GROUP_GET_DEVICE_FD, BDF0);
    g_assert_cmpint(r->d, >=, 0);
    r->ram = alloc_aligned(4 * MiB, 64 * KiB);
    g_assert_cmpint(reg_mem(r->c, r->ram, 4 * MiB), ==, 0);
    /* a driver turns on decoding and bus mastering before using it */
    vt_dev_wr(r->d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void rig_down(Rig *r)
{
    close(r->d);
    close(r->g);
    close(r->c);
    munmap(r->ram, 4 * MiB);
    g_assert_cmpint(locked_bytes(), ==, 0);
}

/* Program and start one command; the engine finishes inside the write. */
static uint32_t dmae(int d, uint32_t cmd, uint64_t src, uint64_t dst,
                     uint64_t len, uint64_t pattern)
{
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_SRC, 8, src);
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_DST, 8, dst);
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_LEN, 8, len);
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_PATTERN, 8, pattern);
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_CMD, 4, cmd);
    return vt_dev_rd(d, BAR0_OFF + DMAE_REG_STATUS, 4);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}

static void test_get_device_fd_checks(void)
{
    int c = open_container();
    int g = open_group(1);

    g_assert_cmpint(xioctl(g, VFIO_GROUP_GET_DEVICE_FD, BDF0), ==, -EINVAL);
    attach(g, c);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_GET_DEVICE_FD, BDF0), ==, -EINVAL);
    g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU,
                           (void *)VFIO_SPAPR_TCE_v2_IOMMU), ==, 0);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0001:00:02.0"), ==,
                    -ENODEV);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_GET_DEVICE_FD, (void *)8), ==,
                    -EFAULT);
    {
        int d = xioctl(g, VFIO_GROUP_GET_DEVICE_FD, BDF0);

        g_assert_cmpint(d, >=, 0);
        /* device fds keep the group attached */
        g_assert_cmpint(xioctl(g, VFIO_GROUP_UNSET_CONTAINER, NULL), ==,
                        -EBUSY);
        close(d);
    }
    g_assert_cmpint(xioctl(g, VFIO_GROUP_UNSET_CONTAINER, NULL), ==, 0);
    close(g);
    close(c);
}

static void test_device_and_region_info(void)
{
    struct vfio_device_info di = { .argsz = sizeof(di) };
    struct vfio_region_info ri = { .argsz = sizeof(ri) };
    Rig r;

    rig_up(&r);
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_INFO, &di), ==, 0);
    g_assert_cmpint(di.flags, ==, VFIO_DEVICE_FLAGS_PCI |
                    VFIO_DEVICE_FLAGS_RESET);
    g_assert_cmpint(di.num_regions, ==, VFIO_PCI_NUM_REGIONS);
    g_assert_cmpint(di.num_irqs, ==, VFIO_PCI_NUM_IRQS);
    di.argsz = 8;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_INFO, &di), ==, -EINVAL);

    ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_REGION_INFO, &ri), ==, 0);
    g_assert_cmphex(ri.offset, ==, CFG_OFF);
    g_assert_cmpint(ri.size, ==, 256);
    ri.index = VFIO_PCI_BAR0_REGION_INDEX;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_REGION_INFO, &ri), ==, 0);
    g_assert_cmpint(ri.size, ==, DMAE_BAR0_SIZE);
    g_assert_cmpint(ri.flags, ==, VFIO_REGION_INFO_FLAG_READ |
                    VFIO_REGION_INFO_FLAG_WRITE);
    ri.index = VFIO_PCI_BAR2_REGION_INDEX;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_REGION_INFO, &ri), ==, 0);
    g_assert_cmpint(ri.size, ==, DMAE_BAR2_SIZE);
    g_assert_true(ri.flags & VFIO_REGION_INFO_FLAG_MMAP);
    g_assert_cmphex(ri.offset, ==, BAR2_OFF);
    ri.index = VFIO_PCI_BAR1_REGION_INDEX;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_REGION_INFO, &ri), ==, 0);
    g_assert_cmpint(ri.size, ==, 0);
    ri.index = VFIO_PCI_NUM_REGIONS;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_REGION_INFO, &ri), ==,
                    -EINVAL);
    rig_down(&r);
}

static void test_config_space_ids_caps_and_bar_sizing(void)
{
    Rig r;
    unsigned cap, ncap = 0;

    rig_up(&r);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 2), ==, DMAE_VENDOR_ID);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_DEVICE_ID, 2), ==, DMAE_DEVICE_ID);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_CLASS_REVISION, 4) >> 8, ==,
                    DMAE_CLASS);
    g_assert_true(vt_dev_rd(r.d, CFG_OFF + PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
    for (cap = vt_dev_rd(r.d, CFG_OFF + PCI_CAPABILITY_LIST, 1); cap;
         cap = vt_dev_rd(r.d, CFG_OFF + cap + 1, 1)) {
        ncap++;
    }
    g_assert_cmpint(ncap, ==, 3);     /* PM, MSI, MSI-X */
    /* BAR sizing as a VMM does it: write all ones, read the mask */
    vt_dev_wr(r.d, CFG_OFF + PCI_BASE_ADDRESS_0, 4, 0xffffffff);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_BASE_ADDRESS_0, 4), ==,
                    ~(uint32_t)(DMAE_BAR0_SIZE - 1));
    vt_dev_wr(r.d, CFG_OFF + PCI_BASE_ADDRESS_2, 4, 0xffffffff);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_BASE_ADDRESS_2, 4), ==,
                    (~(uint32_t)(DMAE_BAR2_SIZE - 1)) |
                    PCI_BASE_ADDRESS_MEM_TYPE_64 |
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    vt_dev_wr(r.d, CFG_OFF + PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_COMMAND, 2), ==,
                    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    /* vendor ID is read-only; reads past the end are refused */
    vt_dev_wr(r.d, CFG_OFF + PCI_VENDOR_ID, 2, 0x1234);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 2), ==, DMAE_VENDOR_ID);
    {
        uint32_t v;

        g_assert_cmpint(pread(r.d, &v, 4, CFG_OFF + 256), ==, -1);
        g_assert_cmpint(errno, ==, EINVAL);
    }
    /* the kernel's reset restores the config state it saved */
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_COMMAND, 2), ==,
                    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    rig_down(&r);
}

static void test_mmap_bar_is_shared_with_pread(void)
{
    Rig r;
    uint8_t *bar;
    uint32_t v = 0;

    rig_up(&r);
    bar = mmap(NULL, DMAE_BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
               r.d, BAR2_OFF);
    g_assert(bar != MAP_FAILED);
    memcpy(bar + 64, "\x11\x22\x33\x44", 4);
    g_assert_cmpint(pread(r.d, &v, 4, BAR2_OFF + 64), ==, 4);
    g_assert_cmphex(v, ==, 0x44332211);
    munmap(bar, DMAE_BAR2_SIZE);
    /* register BAR traps: no mmap */
    g_assert(mmap(NULL, 4096, PROT_READ, MAP_SHARED, r.d, BAR0_OFF) ==
             MAP_FAILED);
    rig_down(&r);
}

static void test_irq_info_and_eventfd_trigger(void)
{
    struct vfio_irq_info ii = { .argsz = sizeof(ii) };
    struct {
        struct vfio_irq_set s;
        int32_t fd;
    } set = { { .argsz = sizeof(set), .flags = VFIO_IRQ_SET_DATA_EVENTFD |
                VFIO_IRQ_SET_ACTION_TRIGGER, .index = VFIO_PCI_MSI_IRQ_INDEX,
                .start = 0, .count = 1 } };
    struct vfio_irq_set fire = {
        .argsz = sizeof(fire), .flags = VFIO_IRQ_SET_DATA_NONE |
        VFIO_IRQ_SET_ACTION_TRIGGER, .index = VFIO_PCI_MSI_IRQ_INDEX,
        .count = 1,
    };
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    uint64_t n = 0;
    Rig r;

    rig_up(&r);
    ii.index = VFIO_PCI_INTX_IRQ_INDEX;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_IRQ_INFO, &ii), ==, 0);
    g_assert_cmpint(ii.count, ==, 1);
    g_assert_true(ii.flags & VFIO_IRQ_INFO_EVENTFD);
    ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_IRQ_INFO, &ii), ==, 0);
    g_assert_cmpint(ii.count, ==, DMAE_MSIX_VECTORS);
    ii.index = VFIO_PCI_NUM_IRQS;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_IRQ_INFO, &ii), ==, -EINVAL);

    set.fd = efd;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_SET_IRQS, &set), ==, 0);
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_SET_IRQS, &fire), ==, 0);
    g_assert_cmpint(read(efd, &n, sizeof(n)), ==, sizeof(n));
    g_assert_cmpint(n, ==, 1);
    set.s.count = 2;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_SET_IRQS, &set), ==, -EINVAL);
    set.s.count = 1;
    set.s.flags |= VFIO_IRQ_SET_DATA_BOOL;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_SET_IRQS, &set), ==, -EINVAL);
    close(efd);
    rig_down(&r);
}

/*
 * vfio_pci_ioctl_get_irq_info / vfio_pci_get_irq_count: every index
 * vfio-pci knows answers EVENTFD (NORESIZE but for INTx), REQ has one
 * vector, ERR exists only on a PCI Express device (the dma-engine is
 * conventional PCI: no Express capability), MSI-X counts the vectors
 * of its capability's table.
 */
static void test_irq_info_as_vfio_pci_core(void)
{
    static const struct {
        unsigned index;
        int ret;
        unsigned count, flags;
    } want[] = {
        { VFIO_PCI_INTX_IRQ_INDEX, 0, 1, VFIO_IRQ_INFO_EVENTFD |
          VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED },
        { VFIO_PCI_MSI_IRQ_INDEX, 0, 1, VFIO_IRQ_INFO_EVENTFD |
          VFIO_IRQ_INFO_NORESIZE },
        { VFIO_PCI_MSIX_IRQ_INDEX, 0, DMAE_MSIX_VECTORS,
          VFIO_IRQ_INFO_EVENTFD |
          VFIO_IRQ_INFO_NORESIZE },
        { VFIO_PCI_ERR_IRQ_INDEX, -EINVAL },
        { VFIO_PCI_REQ_IRQ_INDEX, 0, 1, VFIO_IRQ_INFO_EVENTFD |
          VFIO_IRQ_INFO_NORESIZE },
    };
    Rig r;

    rig_up(&r);
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        struct vfio_irq_info ii = { .argsz = sizeof(ii),
                                    .index = want[i].index };

        g_test_message("index %u", want[i].index);
        g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_IRQ_INFO, &ii), ==,
                        want[i].ret);
        if (!want[i].ret) {
            g_assert_cmpint(ii.count, ==, want[i].count);
            g_assert_cmphex(ii.flags, ==, want[i].flags);
        }
    }
    rig_down(&r);
}

/* Child: the dma-engine-pcie at 0001:00:03.0 in group 3 (see below). */
static int pcie_child(void)
{
    struct vfio_irq_info ii = { .argsz = sizeof(ii),
                                .index = VFIO_PCI_ERR_IRQ_INDEX };
    int g, c = setup_container(3, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    int d = xioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0001:00:03.0");
    unsigned cap, exp = 0;

    g_assert_cmpint(d, >=, 0);
    for (cap = vt_dev_rd(d, CFG_OFF + PCI_CAPABILITY_LIST, 1); cap;
         cap = vt_dev_rd(d, CFG_OFF + cap + 1, 1)) {
        if (vt_dev_rd(d, CFG_OFF + cap, 1) == PCI_CAP_ID_EXP) {
            exp = cap;
        }
    }
    g_assert_cmpint(exp, !=, 0);
    g_assert_cmpint(vt_dev_rd(d, CFG_OFF + exp + PCI_EXP_FLAGS, 2) >> 4 & 0xf, ==,
                    PCI_EXP_TYPE_ENDPOINT);
    g_assert_cmpint(xioctl(d, VFIO_DEVICE_GET_IRQ_INFO, &ii), ==, 0);
    g_assert_cmpint(ii.count, ==, 1);
    g_assert_cmphex(ii.flags, ==, VFIO_IRQ_INFO_EVENTFD |
                    VFIO_IRQ_INFO_NORESIZE);
    close(d);
    close(g);
    close(c);
    return 0;
}

/*
 * Child: the config region of the dma-engine-pcie.  A PCI Express
 * function has 4 KiB of config space (pci_cfg_space_size), and vfio-pci
 * sizes the region by it; the engine has no extended capability, so
 * the extended space reads 0 and takes no write.
 */
static int pcie_config_child(void)
{
    struct vfio_region_info ri = {
        .argsz = sizeof(ri), .index = VFIO_PCI_CONFIG_REGION_INDEX,
    };
    int g, c = setup_container(3, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    int d = xioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0001:00:03.0");
    uint8_t buf[8];

    g_assert_cmpint(d, >=, 0);
    g_assert_cmpint(xioctl(d, VFIO_DEVICE_GET_REGION_INFO, &ri), ==, 0);
    g_assert_cmphex(ri.size, ==, PCI_CFG_SPACE_EXP_SIZE);
    g_assert_cmphex(vt_dev_rd(d, CFG_OFF + PCI_CFG_SPACE_SIZE, 4), ==, 0);
    vt_dev_wr(d, CFG_OFF + PCI_CFG_SPACE_SIZE, 4, 0xffffffff);
    vt_dev_wr(d, CFG_OFF + 0xffc, 4, 0x12345678);
    g_assert_cmphex(vt_dev_rd(d, CFG_OFF + PCI_CFG_SPACE_SIZE, 4), ==, 0);
    g_assert_cmphex(vt_dev_rd(d, CFG_OFF + 0xffc, 4), ==, 0);
    /* an access across 256 is one access; the region ends at 4 KiB */
    g_assert_cmpint(pread(d, buf, 8, CFG_OFF + 0xfc), ==, 8);
    g_assert_cmpint(pread(d, buf, 8, CFG_OFF + 0xffc), ==, 4);
    g_assert_cmpint(pread(d, buf, 4, CFG_OFF + 0x1000), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    close(d);
    close(g);
    close(c);
    return 0;
}

/* Run this program's @mode child with a dma-engine-pcie as its device. */
static void run_pcie_child(const char *mode)
{
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) env = g_get_environ();
    g_autofree char *errout = NULL;
    const char *argv[] = { "/proc/self/exe", mode, NULL };
    int status;

    env = g_environ_setenv(env, "VFIO_SIM_DEVICES",
                           "0001:00:03.0=dma-engine-pcie@3", true);
    env = g_environ_unsetenv(env, "VFIO_SIM_CONTROL");
    env = g_environ_unsetenv(env, "VFIO_SIM_REPORT");
    g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                 NULL, &errout, &status, &err);
    g_assert_no_error(err);
    if (errout && *errout) {
        g_test_message("child: %s", errout);
    }
    g_assert_true(g_spawn_check_wait_status(status, &err));
    g_assert_no_error(err);
}

/*
 * vfio_pci_ioctl_get_irq_info on a PCI Express device (pci_is_pcie):
 * the ERR index exists with one vector.
 */
static void test_irq_info_err_on_pcie(void)
{
    run_pcie_child("--pcie-child");
}

/* vfio_pci_ioctl_get_region_info: the config region is cfg_size long */
static void test_pcie_config_space_is_4k(void)
{
    struct vfio_region_info ri = {
        .argsz = sizeof(ri), .index = VFIO_PCI_CONFIG_REGION_INDEX,
    };
    Rig r;

    rig_up(&r);
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_REGION_INFO, &ri), ==, 0);
    g_assert_cmphex(ri.size, ==, PCI_CFG_SPACE_SIZE);   /* conventional */
    rig_down(&r);
    run_pcie_child("--pcie-config-child");
}

/*
 * vfio_pci_ioctl_get_pci_hot_reset_info: the device alone in its reset
 * domain (its own slot); too small a buffer is ENOSPC with the count
 * filled in, so the caller can retry.
 */
static void test_hot_reset_info_lists_the_device_alone(void)
{
    struct {
        struct vfio_pci_hot_reset_info h;
        struct vfio_pci_dependent_device dev[2];
    } info;
    Rig r;

    rig_up(&r);
    memset(&info, 0xff, sizeof(info));
    info.h.argsz = MINSZ_INFO - 1;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info),
                    ==, -EINVAL);
    info.h.argsz = MINSZ_INFO;
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info),
                    ==, -ENOSPC);
    g_assert_cmpint(info.h.count, ==, 1);
    g_assert_cmpint(info.h.flags, ==, 0);
    g_assert_cmphex(info.dev[0].group_id, ==, 0xffffffff);  /* untouched */
    info.h.argsz = sizeof(info);
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info),
                    ==, 0);
    g_assert_cmpint(info.h.count, ==, 1);
    g_assert_cmpint(info.dev[0].group_id, ==, 1);
    g_assert_cmpint(info.dev[0].segment, ==, 1);
    g_assert_cmpint(info.dev[0].bus, ==, 0);
    g_assert_cmpint(info.dev[0].devfn, ==, 1 << 3);
    g_assert_cmphex(info.dev[1].group_id, ==, 0xffffffff);
    rig_down(&r);
}

static long hot_reset(int d, uint32_t flags, uint32_t count, int32_t fd0,
                      int32_t fd1)
{
    struct {
        struct vfio_pci_hot_reset h;
        int32_t fds[2];
    } hr = { { .argsz = sizeof(hr), .flags = flags, .count = count },
             { fd0, fd1 } };

    return xioctl(d, VFIO_DEVICE_PCI_HOT_RESET, &hr);
}

/*
 * vfio_pci_ioctl_pci_hot_reset (group-fd form): no flags, a non-empty
 * list no longer than the reset domain, every entry an open vfio group
 * fd, and the groups must own every device of the domain; then the
 * device is reset.
 */
static void test_hot_reset_checks_the_group_list(void)
{
    int other = open_group(2), notafile;
    Rig r;

    rig_up(&r);
    notafile = dup(0);
    close(notafile);
    vt_dev_wr(r.d, BAR0_OFF + DMAE_REG_SRC, 8, 0x1234);
    g_assert_cmpint(hot_reset(r.d, 1, 1, r.g, -1), ==, -EINVAL);
    g_assert_cmpint(hot_reset(r.d, 0, 0, r.g, -1), ==, -EINVAL);
    g_assert_cmpint(hot_reset(r.d, 0, 2, r.g, r.g), ==, -EINVAL);
    g_assert_cmpint(hot_reset(r.d, 0, 1, notafile, -1), ==, -EBADF);
    g_assert_cmpint(hot_reset(r.d, 0, 1, r.c, -1), ==, -EINVAL);
    g_assert_cmpint(hot_reset(r.d, 0, 1, 0, -1), ==, -EINVAL);
    g_assert_cmpint(hot_reset(r.d, 0, 1, other, -1), ==, -EINVAL);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_SRC, 8), ==, 0x1234);
    g_assert_cmpint(hot_reset(r.d, 0, 1, r.g, -1), ==, 0);
    /* reset as by VFIO_DEVICE_RESET: COMMAND restored, registers lost */
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_COMMAND, 2), ==,
                    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_SRC, 8), ==, 0);
    close(other);
    rig_down(&r);
}

/* An eventfd wired as the device's MSI trigger (completion interrupt). */
static int msi_eventfd(Rig *r)
{
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct {
        struct vfio_irq_set s;
        int32_t fd;
    } set = { { .argsz = sizeof(set), .flags = VFIO_IRQ_SET_DATA_EVENTFD |
                VFIO_IRQ_SET_ACTION_TRIGGER, .index = VFIO_PCI_MSI_IRQ_INDEX,
                .count = 1 }, efd };

    g_assert_cmpint(efd, >=, 0);
    g_assert_cmpint(xioctl(r->d, VFIO_DEVICE_SET_IRQS, &set), ==, 0);
    return efd;
}

static uint16_t command(Rig *r)
{
    return vt_dev_rd(r->d, CFG_OFF + PCI_COMMAND, 2);
}

static void set_command(Rig *r, uint16_t v)
{
    vt_dev_wr(r->d, CFG_OFF + PCI_COMMAND, 2, v);
    g_assert_cmphex(command(r), ==, v);
}

/* The device's own COMMAND register through the control channel. */
static int64_t device_command(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) o = vsim_control_device(ctl(), BDF0, &err);

    g_assert_no_error(err);
    return json_object_get_int_member(o, "command");
}

/*
 * With Bus Master Enable clear (PCI_COMMAND_MASTER, what pci_clear_master
 * leaves) a device cannot issue memory requests: the engine moves no
 * byte, raises no MSI (itself a memory write) and reports bus-master in
 * its registers and in the control channel's dma reply.
 */
static void test_bus_master_clear_stops_device_dma(void)
{
    const uint64_t win = 1ULL << 59;
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) o = NULL;
    uint64_t n;
    int efd;
    Rig r;

    rig_up(&r);
    efd = msi_eventfd(&r);
    memset(r.ram, 0x11, MiB);
    g_assert_cmpint(tce_create(r.c, host_page_shift(), GiB, 2, NULL), ==, 0);
    g_assert_cmpint(map_dma(r.c, r.ram, win, MiB, RW), ==, 0);
    set_command(&r, PCI_COMMAND_MEMORY);
    g_assert_cmpint(device_command(), ==, PCI_COMMAND_MEMORY);
    g_assert_cmpint(dmae(r.d, DMAE_CMD_FILL, 0, win, 4096, 0x2222), ==,
                    DMAE_STATUS_ERROR);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ERR_KIND, 4), ==,
                    DMAE_ERR_BUS_MASTER);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_DONE, 8), ==, 0);
    g_assert_cmpint(r.ram[0], ==, 0x11);
    g_assert_cmpint(read(efd, &n, sizeof(n)), ==, -1);
    g_assert_cmpint(errno, ==, EAGAIN);
    o = vsim_control_dma(ctl(), BDF0, "checksum", win, 0, 64, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(o, "status"), ==, "error");
    g_assert_cmpstr(json_object_get_string_member(o, "error"), ==,
                    "bus-master");
    g_assert_cmpint(json_object_get_int_member(o, "done"), ==, 0);

    /* the same command once the driver sets bus mastering again */
    set_command(&r, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmpint(dmae(r.d, DMAE_CMD_FILL, 0, win, 4096, 0x2222), ==,
                    DMAE_STATUS_DONE);
    g_assert_cmpint(r.ram[0], ==, 0x22);
    g_assert_cmpint(read(efd, &n, sizeof(n)), ==, sizeof(n));
    close(efd);
    rig_down(&r);
}

/*
 * vfio_pci_bar_rw -> vfio_pci_core_do_io_rw with memory decoding off
 * (__vfio_pci_memory_enabled false): reads and writes of a memory BAR
 * through the device fd fail with EIO and move nothing; config space
 * stays reachable.
 */
static void test_memory_space_clear_bar_rw_is_eio(void)
{
    uint64_t v = 0x5555;
    Rig r;

    rig_up(&r);
    vt_dev_wr(r.d, BAR0_OFF + DMAE_REG_SRC, 8, 0x1111);
    vt_dev_wr(r.d, BAR2_OFF + 8, 4, 0xabcd);
    set_command(&r, PCI_COMMAND_MASTER);
    g_assert_cmpint(pread(r.d, &v, 8, BAR0_OFF + DMAE_REG_SRC), ==, -1);
    g_assert_cmpint(errno, ==, EIO);
    g_assert_cmphex(v, ==, 0x5555);
    g_assert_cmpint(pread(r.d, &v, 4, BAR2_OFF + 8), ==, -1);
    g_assert_cmpint(errno, ==, EIO);
    g_assert_cmpint(pwrite(r.d, &v, 8, BAR0_OFF + DMAE_REG_SRC), ==, -1);
    g_assert_cmpint(errno, ==, EIO);
    g_assert_cmpint(pwrite(r.d, &v, 4, BAR2_OFF + 8), ==, -1);
    g_assert_cmpint(errno, ==, EIO);
    g_assert_cmphex(vt_dev_rd(r.d, CFG_OFF + PCI_VENDOR_ID, 2), ==, DMAE_VENDOR_ID);
    set_command(&r, PCI_COMMAND_MEMORY);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_SRC, 8), ==, 0x1111);
    g_assert_cmphex(vt_dev_rd(r.d, BAR2_OFF + 8, 4), ==, 0xabcd);
    rig_down(&r);
}

/* Touch @p in a child; the signal that killed it, or 0. */
static int touch_signal(volatile uint8_t *p)
{
    pid_t pid = fork();
    int status;

    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        signal(SIGBUS, SIG_DFL);    /* a sanitizer's handler would exit */
        signal(SIGSEGV, SIG_DFL);
        (void)p[0];
        _exit(0);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/*
 * vfio_pci_zap_and_down_write_memory_lock: clearing Memory Space zaps
 * every user mapping of the BARs; a touch then faults (vfio_pci_mmap_fault
 * answers SIGBUS while memory is disabled) and the contents come back
 * when decoding is on again.  A DEVICE_RESET with decoding off keeps it
 * off (the config state comes back as saved): still zapped.
 */
static void test_memory_space_clear_zaps_bar_mmap(void)
{
    volatile uint8_t *bar, *late;
    Rig r;

    rig_up(&r);
    bar = mmap(NULL, DMAE_BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
               r.d, BAR2_OFF);
    g_assert(bar != MAP_FAILED);
    bar[0] = 0x77;
    g_assert_cmpint(touch_signal(bar), ==, 0);
    set_command(&r, PCI_COMMAND_MASTER);
    g_assert_cmpint(touch_signal(bar), ==, SIGBUS);
    /* a mapping made while disabled faults as well */
    late = mmap(NULL, DMAE_BAR2_SIZE, PROT_READ, MAP_SHARED, r.d, BAR2_OFF);
    g_assert(late != MAP_FAILED);
    g_assert_cmpint(touch_signal(late), ==, SIGBUS);
    set_command(&r, PCI_COMMAND_MEMORY);
    g_assert_cmpint(bar[0], ==, 0x77);
    g_assert_cmpint(late[0], ==, 0x77);
    munmap((void *)late, DMAE_BAR2_SIZE);

    set_command(&r, 0);
    g_assert_cmpint(xioctl(r.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    g_assert_cmphex(command(&r), ==, 0);
    g_assert_cmpint(device_command(), ==, 0);
    g_assert_cmpint(touch_signal(bar), ==, SIGBUS);
    set_command(&r, PCI_COMMAND_MEMORY);
    g_assert_cmpint(touch_signal(bar), ==, 0);
    munmap((void *)bar, DMAE_BAR2_SIZE);
    rig_down(&r);
}

/*
 * One reset through @reset, with the function programmed as a driver
 * leaves it: the config state comes back as saved, the function's own
 * registers do not.
 */
static void check_reset_restores_config(Rig *r, void (*reset)(Rig *r))
{
    const uint16_t cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                         PCI_COMMAND_SERR;
    volatile uint8_t *bar;

    bar = mmap(NULL, DMAE_BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
               r->d, BAR2_OFF);
    g_assert(bar != MAP_FAILED);
    set_command(r, cmd);
    vt_dev_wr(r->d, CFG_OFF + PCI_BASE_ADDRESS_0, 4, 0x80010000);
    vt_dev_wr(r->d, CFG_OFF + PCI_BASE_ADDRESS_3, 4, 0x42);
    vt_dev_wr(r->d, CFG_OFF + PCI_INTERRUPT_LINE, 1, 0x11);
    vt_dev_wr(r->d, CFG_OFF + 0x50 + PCI_MSI_ADDRESS_LO, 4, 0xfee01000);
    vt_dev_wr(r->d, CFG_OFF + 0x50 + PCI_MSI_DATA_64, 2, 0x4321);
    /* D3hot: the ioctl brings the function to D0 before saving */
    vt_dev_wr(r->d, CFG_OFF + 0x40 + PCI_PM_CTRL, 2, 3);
    vt_dev_wr(r->d, BAR0_OFF + DMAE_REG_SRC, 8, 0x1234);
    bar[0] = 0x5a;

    reset(r);

    g_assert_cmphex(command(r), ==, cmd);
    g_assert_cmphex(device_command(), ==, cmd);
    g_assert_cmphex(vt_dev_rd(r->d, CFG_OFF + PCI_BASE_ADDRESS_0, 4), ==,
                    0x80010000);
    g_assert_cmphex(vt_dev_rd(r->d, CFG_OFF + PCI_BASE_ADDRESS_3, 4), ==, 0x42);
    g_assert_cmphex(vt_dev_rd(r->d, CFG_OFF + PCI_INTERRUPT_LINE, 1), ==, 0x11);
    g_assert_cmphex(vt_dev_rd(r->d, CFG_OFF + 0x50 + PCI_MSI_ADDRESS_LO, 4), ==,
                    0xfee01000);
    g_assert_cmphex(vt_dev_rd(r->d, CFG_OFF + 0x50 + PCI_MSI_DATA_64, 2), ==,
                    0x4321);
    g_assert_cmphex(vt_dev_rd(r->d, CFG_OFF + 0x40 + PCI_PM_CTRL, 2) &
                    PCI_PM_CTRL_STATE_MASK, ==, 0);
    /* the function's registers are back at power-on */
    g_assert_cmphex(vt_dev_rd(r->d, BAR0_OFF + DMAE_REG_SRC, 8), ==, 0);
    g_assert_cmphex(vt_dev_rd(r->d, BAR0_OFF + DMAE_REG_ID, 4), ==, DMAE_ID_VALUE);
    /* decoding stayed on: the mapping still works */
    g_assert_cmpint(touch_signal(bar), ==, 0);
    munmap((void *)bar, DMAE_BAR2_SIZE);
}

static void device_reset(Rig *r)
{
    g_assert_cmpint(xioctl(r->d, VFIO_DEVICE_RESET, NULL), ==, 0);
}

static void pci_hot_reset(Rig *r)
{
    g_assert_cmpint(hot_reset(r->d, 0, 1, r->g, -1), ==, 0);
}

/*
 * vfio_pci_core_ioctl(VFIO_DEVICE_RESET) -> pci_try_reset_function:
 * pci_dev_save_and_disable saves the config state, the function is
 * reset, pci_dev_restore writes the state back.
 */
static void test_device_reset_restores_config(void)
{
    Rig r;

    rig_up(&r);
    check_reset_restores_config(&r, device_reset);
    rig_down(&r);
}

/* vfio_pci_ioctl_pci_hot_reset -> pci_reset_bus: saved and restored too */
static void test_hot_reset_restores_config(void)
{
    Rig r;

    rig_up(&r);
    check_reset_restores_config(&r, pci_hot_reset);
    rig_down(&r);
}

static void test_dma_copy_fill_checksum_through_iommu(void)
{
    const uint64_t win = 1ULL << 59;
    uint8_t *src, *dst;
    int efd;
    uint64_t n;
    Rig r;

    rig_up(&r);
    src = r.ram;
    dst = r.ram + 2 * MiB;
    for (int i = 0; i < 256 * 1024; i++) {
        src[i] = i * 7 + (i >> 9);
    }
    efd = msi_eventfd(&r);
    g_assert_cmpint(tce_create(r.c, host_page_shift(), GiB, 2, NULL), ==, 0);
    g_assert_cmpint(map_dma(r.c, src, win, 2 * MiB, VFIO_DMA_MAP_FLAG_READ),
                    ==, 0);
    g_assert_cmpint(map_dma(r.c, dst, win + 2 * MiB, 2 * MiB, RW), ==, 0);

    /* a copy that is not page aligned on either side */
    g_assert_cmpint(dmae(r.d, DMAE_CMD_COPY, win + 100, win + 2 * MiB + 7,
                         200000, 0), ==, DMAE_STATUS_DONE);
    g_assert_cmpint(memcmp(dst + 7, src + 100, 200000), ==, 0);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_DONE, 8), ==, 200000);
    g_assert_cmpint(read(efd, &n, sizeof(n)), ==, sizeof(n));

    g_assert_cmpint(dmae(r.d, DMAE_CMD_FILL, 0, win + 2 * MiB + 3, 70000,
                         0x0807060504030201ULL), ==, DMAE_STATUS_DONE);
    for (int i = 0; i < 70000; i++) {
        g_assert_cmpint(dst[3 + i], ==, (i & 7) + 1);
    }
    g_assert_cmpint(dmae(r.d, DMAE_CMD_CHECKSUM, win + 5, 0, 150001, 0), ==,
                    DMAE_STATUS_DONE);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_RESULT, 8), ==,
                    fnv1a(src + 5, 150001));
    close(efd);
    rig_down(&r);
}

static void test_dma_faults_stop_at_the_faulting_page(void)
{
    const uint64_t win = 1ULL << 59;
    uint8_t *ro, *rw;
    int efd;
    uint64_t n;
    Rig r;

    rig_up(&r);
    ro = r.ram;
    rw = r.ram + 2 * MiB;
    memset(rw, 0xee, 2 * MiB);
    efd = msi_eventfd(&r);
    g_assert_cmpint(tce_create(r.c, host_page_shift(), GiB, 2, NULL), ==, 0);
    /* device may read the first 64 KiB of rw but write only 2 pages */
    g_assert_cmpint(map_dma(r.c, ro, win, MiB, VFIO_DMA_MAP_FLAG_READ), ==,
                    0);
    g_assert_cmpint(map_dma(r.c, rw, win + MiB, 128 * KiB, RW), ==, 0);

    /* permission: writing into a read-only TCE */
    g_assert_cmpint(dmae(r.d, DMAE_CMD_FILL, 0, win + 8, 64, 0), ==,
                    DMAE_STATUS_ERROR);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ERR_KIND, 4), ==,
                    DMAE_ERR_PERMISSION);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ERR_IOVA, 8), ==, win + 8);
    g_assert_cmpint(read(efd, &n, sizeof(n)), ==, sizeof(n));

    /* no mapping: the fill stops exactly at the end of the mapped part */
    g_assert_cmpint(dmae(r.d, DMAE_CMD_FILL, 0, win + MiB + 1000,
                         256 * KiB, 0x4141414141414141ULL), ==,
                    DMAE_STATUS_ERROR);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ERR_KIND, 4), ==,
                    DMAE_ERR_NO_MAPPING);
    g_assert_cmphex(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ERR_IOVA, 8), ==,
                    win + MiB + 128 * KiB);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_DONE, 8), ==,
                    128 * KiB - 1000);
    g_assert_cmpint(rw[999], ==, 0xee);
    g_assert_cmpint(rw[1000], ==, 0x41);
    g_assert_cmpint(rw[128 * KiB - 1], ==, 0x41);
    g_assert_cmpint(rw[128 * KiB], ==, 0xee);

    /* no window at all */
    g_assert_cmpint(dmae(r.d, DMAE_CMD_CHECKSUM, 1ULL << 58, 0, 8, 0), ==,
                    DMAE_STATUS_ERROR);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ERR_KIND, 4), ==,
                    DMAE_ERR_NO_WINDOW);
    /* after UNMAP the device loses access */
    g_assert_cmpint(unmap_dma(r.c, win, MiB), ==, 0);
    g_assert_cmpint(dmae(r.d, DMAE_CMD_CHECKSUM, win, 0, 8, 0), ==,
                    DMAE_STATUS_ERROR);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ERR_KIND, 4), ==,
                    DMAE_ERR_NO_MAPPING);
    g_assert_cmpint(dmae(r.d, 99, 0, 0, 0, 0), ==, DMAE_STATUS_ERROR);
    g_assert_cmpint(vt_dev_rd(r.d, BAR0_OFF + DMAE_REG_ERR_KIND, 4), ==,
                    DMAE_ERR_BAD_CMD);
    g_assert_cmpint(dmae(r.d, DMAE_CMD_NOP, 0, 0, 0, 0), ==,
                    DMAE_STATUS_IDLE);
    close(efd);
    rig_down(&r);
}

static void test_sysfs_iommu_group_link(void)
{
    char buf[256];
    ssize_t n;
    struct stat st;
    g_autofree char *real = NULL;
    const char *link = "/sys/bus/pci/devices/" BDF0 "/iommu_group";

    n = readlink(link, buf, sizeof(buf) - 1);
    g_assert_cmpint(n, >, 0);
    buf[n] = 0;
    g_assert_cmpstr(strrchr(buf, '/'), ==, "/1");
    real = realpath(link, NULL);
    g_assert_cmpstr(real, ==, "/sys/kernel/iommu_groups/1");
    g_assert_cmpint(lstat(link, &st), ==, 0);
    g_assert_true(S_ISLNK(st.st_mode));
    g_assert_cmpint(stat("/dev/vfio/vfio", &st), ==, 0);
    g_assert_true(S_ISCHR(st.st_mode));
    g_assert_cmpint(access("/dev/vfio/1", R_OK | W_OK), ==, 0);
    g_assert_cmpint(access("/dev/vfio/9", F_OK), ==, -1);
    g_assert_cmpint(readlink("/sys/bus/pci/devices/0001:00:1f.0/iommu_group",
                             buf, sizeof(buf)), ==, -1);
}

static void test_dup_and_close_track_fds(void)
{
    int c = open_container();
    int c2 = dup(c);
    int c3 = fcntl(c, F_DUPFD_CLOEXEC, 100);

    g_assert_cmpint(c3, >=, 100);
    close(c);
    g_assert_cmpint(xioctl(c2, VFIO_GET_API_VERSION, NULL), ==, 0);
    close(c2);
    g_assert_cmpint(xioctl(c3, VFIO_GET_API_VERSION, NULL), ==, 0);
    close(c3);
    g_assert_cmpint(xioctl(c3, VFIO_GET_API_VERSION, NULL), ==, -EBADF);
}

static unsigned n_containers(void)
{
    g_autoptr(JsonObject) o = state();

    return json_array_get_length(json_object_get_array_member(o,
                                                              "containers"));
}

/*
 * close_range(2)/closefrom(3) close without close(): the kernel's
 * __close_range still puts each file, so the container's release
 * (vfio_fops_release) runs and its number may name an unrelated file.
 */
static void test_close_range_releases_files(void)
{
    int c, p[2];
    char b = 0;

    g_assert_cmpint(n_containers(), ==, 0);
    c = open_container();
    g_assert_cmpint(n_containers(), ==, 1);
    g_assert_cmpint(close_range(c, c, CLOSE_RANGE_CLOEXEC), ==, 0);
    g_assert_cmpint(n_containers(), ==, 1);
    g_assert_cmpint(close_range(c, c, 0), ==, 0);
    g_assert_cmpint(n_containers(), ==, 0);
    /* the lowest free number again: a pipe, read and written as one */
    g_assert_cmpint(pipe(p), ==, 0);
    g_assert_cmpint(p[0], ==, c);
    g_assert_cmpint(write(p[1], "x", 1), ==, 1);
    g_assert_cmpint(read(p[0], &b, 1), ==, 1);
    g_assert_cmpint(b, ==, 'x');
    close(p[0]);
    close(p[1]);

    c = open_container();
    g_assert_cmpint(n_containers(), ==, 1);
    closefrom(c);
    g_assert_cmpint(n_containers(), ==, 0);
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--pcie-child")) {
        return pcie_child();
    }
    if (argc == 2 && !strcmp(argv[1], "--pcie-config-child")) {
        return pcie_config_child();
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/device/get-device-fd-checks",
                    test_get_device_fd_checks);
    g_test_add_func("/vfio-sim/device/device-and-region-info",
                    test_device_and_region_info);
    g_test_add_func("/vfio-sim/device/config-space-ids-caps-and-bar-sizing",
                    test_config_space_ids_caps_and_bar_sizing);
    g_test_add_func("/vfio-sim/device/mmap-bar-is-shared-with-pread",
                    test_mmap_bar_is_shared_with_pread);
    g_test_add_func("/vfio-sim/device/irq-info-and-eventfd-trigger",
                    test_irq_info_and_eventfd_trigger);
    g_test_add_func("/vfio-sim/device/dma-copy-fill-checksum-through-iommu",
                    test_dma_copy_fill_checksum_through_iommu);
    g_test_add_func("/vfio-sim/device/dma-faults-stop-at-the-faulting-page",
                    test_dma_faults_stop_at_the_faulting_page);
    g_test_add_func("/vfio-sim/device/sysfs-iommu-group-link",
                    test_sysfs_iommu_group_link);
    g_test_add_func("/vfio-sim/device/dup-and-close-track-fds",
                    test_dup_and_close_track_fds);
    g_test_add_func("/vfio-sim/device/irq-info-as-vfio_pci_core",
                    test_irq_info_as_vfio_pci_core);
    g_test_add_func("/vfio-sim/device/irq-info-err-on-pcie",
                    test_irq_info_err_on_pcie);
    g_test_add_func("/vfio-sim/device/vfio_pci_ioctl_get_region_info/"
                    "pcie-config-space-is-4k", test_pcie_config_space_is_4k);
    g_test_add_func("/vfio-sim/device/hot-reset-info-lists-the-device-alone",
                    test_hot_reset_info_lists_the_device_alone);
    g_test_add_func("/vfio-sim/device/hot-reset-checks-the-group-list",
                    test_hot_reset_checks_the_group_list);
    g_test_add_func("/vfio-sim/device/bus-master-clear-stops-device-dma",
                    test_bus_master_clear_stops_device_dma);
    g_test_add_func("/vfio-sim/device/memory-space-clear-bar-rw-is-eio",
                    test_memory_space_clear_bar_rw_is_eio);
    g_test_add_func("/vfio-sim/device/memory-space-clear-zaps-bar-mmap",
                    test_memory_space_clear_zaps_bar_mmap);
    g_test_add_func("/vfio-sim/device/pci_try_reset_function/"
                    "device-reset-restores-config-loses-registers",
                    test_device_reset_restores_config);
    g_test_add_func("/vfio-sim/device/pci_dev_restore/"
                    "hot-reset-restores-config-loses-registers",
                    test_hot_reset_restores_config);
    g_test_add_func("/vfio-sim/device/close-range-releases-files",
                    test_close_range_releases_files);
    return g_test_run();
}
