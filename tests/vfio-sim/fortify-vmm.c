/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A VMM-like client built as distributions build QEMU: -O2
 * -D_FORTIFY_SOURCE=2, so glibc's headers turn its open/read/pread/
 * readlink/realpath calls into the checked entries (__open64_2,
 * __read_chk, __pread64_chk, ...).  It finds the device the way a VMM
 * does (sysfs iommu_group link), opens container, group and device, and
 * prints what it read as KEY=VALUE lines for test-fortify to check.
 *
 *   fortify-vmm BDF            the whole walk
 *   fortify-vmm BDF overflow   a device pread larger than its buffer
 *
 * Lengths and flags live in volatile variables: a constant would let
 * the compiler prove the call safe and use the unchecked entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

static volatile int rw_flags = O_RDWR | O_CLOEXEC;
static volatile int ro_flags = O_RDONLY | O_CLOEXEC;
static volatile size_t len2 = 2, len4 = 4, len8 = 8;

static void die(const char *what)
{
    printf("error=%s: %s\n", what, strerror(errno));
    exit(1);
}

static int open_checked(const char *path)
{
    int fd = open(path, rw_flags);

    if (fd < 0) {
        die(path);
    }
    return fd;
}

static uint64_t region_offset(int dev, unsigned index, uint64_t *size)
{
    struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

    if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0) {
        die("VFIO_DEVICE_GET_REGION_INFO");
    }
    if (size) {
        *size = ri.size;
    }
    return ri.offset;
}

int main(int argc, char **argv)
{
    char link[PATH_MAX], real[PATH_MAX], buf[64], small[4];
    const char *bdf = argc > 1 ? argv[1] : "0001:00:01.0";
    unsigned group;
    uint16_t w16 = 0;
    uint32_t w32 = 0;
    uint64_t cfg, bar0, bar2, bar2_size;
    int c, g, d, arg;
    ssize_t n;

    snprintf(buf, sizeof(buf), "/sys/bus/pci/devices/%s/iommu_group", bdf);
    n = readlink(buf, link, len8 * 64);
    if (n <= 0) {
        die("readlink");
    }
    link[n] = 0;
    printf("readlink=%zd\n", n);
    if (!realpath(buf, real)) {
        die("realpath");
    }
    printf("group_link=%s\n", real);
    group = strtoul(strrchr(real, '/') + 1, NULL, 10);

    n = readlinkat(AT_FDCWD, buf, link, len8 * 64);
    printf("readlinkat=%zd\n", n);

    /* a file that is not ours goes through the same checked entries */
    c = open("/proc/self/exe", ro_flags);
    printf("other_read=%zd\n", read(c, small, len4));
    printf("other_magic=%.3s\n", small + 1);
    close(c);

    c = openat(AT_FDCWD, "/dev/vfio/vfio", rw_flags);
    if (c < 0 || ioctl(c, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
        die("openat container");
    }
    close(c);
    c = open_checked("/dev/vfio/vfio");
    snprintf(buf, sizeof(buf), "/dev/vfio/%u", group);
    g = open_checked(buf);
    if (ioctl(g, VFIO_GROUP_SET_CONTAINER, &c) < 0 ||
        ioctl(c, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU) < 0) {
        die("attach");
    }
    d = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, bdf);
    if (d < 0) {
        die("VFIO_GROUP_GET_DEVICE_FD");
    }
    cfg = region_offset(d, VFIO_PCI_CONFIG_REGION_INDEX, NULL);
    bar0 = region_offset(d, VFIO_PCI_BAR0_REGION_INDEX, NULL);
    bar2 = region_offset(d, VFIO_PCI_BAR2_REGION_INDEX, &bar2_size);

    if (argc > 2 && !strcmp(argv[2], "overflow")) {
        /* must abort in the fortify check, never reach the device */
        n = pread(d, small, len8, cfg);
        printf("overflow_returned=%zd\n", n);
        return 0;
    }

    /* config space: IDs, then turn on memory decoding as a VMM does */
    if (pread(d, &w16, len2, cfg + PCI_VENDOR_ID) != 2) {
        die("pread vendor");
    }
    printf("vendor=0x%04x\n", w16);
    if (pread(d, &w16, len2, cfg + PCI_DEVICE_ID) != 2) {
        die("pread device");
    }
    printf("device=0x%04x\n", w16);
    w16 = PCI_COMMAND_MEMORY;
    if (pwrite(d, &w16, len2, cfg + PCI_COMMAND) != 2) {
        die("pwrite command");
    }
    /* read(2) at the file position: __read_chk */
    if (lseek(d, cfg + PCI_COMMAND, SEEK_SET) < 0 ||
        read(d, &w16, len2) != 2) {
        die("read command");
    }
    printf("command=0x%04x\n", w16);

    /* BAR0 registers: the ID register, then SRC written and read back */
    if (pread(d, &w32, len4, bar0) != 4) {
        die("pread bar0");
    }
    printf("bar0_id=0x%08x\n", w32);
    memcpy(buf, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
    if (pwrite(d, buf, len8, bar0 + 8) != 8) {
        die("pwrite bar0");
    }
    memset(buf, 0, sizeof(buf));
    if (pread(d, buf, len8, bar0 + 8) != 8) {
        die("pread bar0 src");
    }
    printf("bar0_src=0x%016llx\n", (unsigned long long)
           ((uint64_t)(uint8_t)buf[7] << 56 | (uint64_t)(uint8_t)buf[6] << 48 |
            (uint64_t)(uint8_t)buf[5] << 40 | (uint64_t)(uint8_t)buf[4] << 32 |
            (uint64_t)(uint8_t)buf[3] << 24 | (uint64_t)(uint8_t)buf[2] << 16 |
            (uint64_t)(uint8_t)buf[1] << 8 | (uint64_t)(uint8_t)buf[0]));

    /* BAR2: write through pwrite, read through the mmap, and back */
    if (pwrite(d, "fortified", len8 + 1, bar2 + 128) != 9) {
        die("pwrite bar2");
    }
    {
        char *map = mmap(NULL, bar2_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                         d, bar2);

        if (map == MAP_FAILED) {
            die("mmap bar2");
        }
        printf("bar2_mmap=%.9s\n", map + 128);
        memcpy(map + 256, "via-mmap", 8);
        munmap(map, bar2_size);
    }
    memset(buf, 0, sizeof(buf));
    if (pread(d, buf, len8, bar2 + 256) != 8) {
        die("pread bar2");
    }
    printf("bar2_pread=%.8s\n", buf);
    arg = 0;
    if (ioctl(g, VFIO_GROUP_UNSET_CONTAINER, &arg) != -1 || errno != EBUSY) {
        die("UNSET_CONTAINER with a device open");
    }
    close(d);
    close(g);
    close(c);
    printf("done=1\n");
    return 0;
}
