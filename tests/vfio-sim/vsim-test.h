/*
 * Helpers shared by the vfio-sim conformance tests: they talk to the
 * simulated host exactly as a VMM would, through open/ioctl on
 * /dev/vfio, with libvfio-sim.so preloaded by the test harness.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VSIM_TEST_H
#define VSIM_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>
#include <linux/vfio.h>

#define BDF0        "0001:00:01.0"
#define KiB         (1ULL << 10)
#define MiB         (1ULL << 20)
#define GiB         (1ULL << 30)

/* ioctl result as 0/value or -errno, so one assert shows both */
static inline long xioctl(int fd, unsigned long req, void *arg)
{
    long r = ioctl(fd, req, arg);

    return r < 0 ? -errno : r;
}

static inline int open_container(void)
{
    int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

    g_assert_cmpint(fd, >=, 0);
    return fd;
}

static inline int open_group(unsigned n)
{
    char path[32];
    int fd;

    snprintf(path, sizeof(path), "/dev/vfio/%u", n);
    fd = open(path, O_RDWR | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    return fd;
}

static inline void attach(int group, int container)
{
    g_assert_cmpint(xioctl(group, VFIO_GROUP_SET_CONTAINER, &container),
                    ==, 0);
}

/* Container with group @g attached and the IOMMU type set. */
static inline int setup_container(unsigned g, unsigned long type,
                                  int *groupfd)
{
    int c = open_container();

    *groupfd = open_group(g);
    attach(*groupfd, c);
    g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU, (void *)type), ==, 0);
    return c;
}

/* Anonymous memory aligned to @align (power of two). */
static inline void *alloc_aligned(size_t size, size_t align)
{
    uint8_t *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    uintptr_t a;

    g_assert(p != MAP_FAILED);
    a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
    if (a > (uintptr_t)p) {
        munmap(p, a - (uintptr_t)p);
    }
    munmap((void *)(a + size), (uintptr_t)p + align - a);
    return (void *)a;
}

static inline long reg_mem(int c, void *va, uint64_t size)
{
    struct vfio_iommu_spapr_register_memory r = {
        .argsz = sizeof(r), .vaddr = (uintptr_t)va, .size = size,
    };
    return xioctl(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &r);
}

static inline long unreg_mem(int c, void *va, uint64_t size)
{
    struct vfio_iommu_spapr_register_memory r = {
        .argsz = sizeof(r), .vaddr = (uintptr_t)va, .size = size,
    };
    return xioctl(c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &r);
}

static inline long map_dma(int c, void *va, uint64_t iova, uint64_t size,
                           uint32_t flags)
{
    struct vfio_iommu_type1_dma_map m = {
        .argsz = sizeof(m), .flags = flags, .vaddr = (uintptr_t)va,
        .iova = iova, .size = size,
    };
    return xioctl(c, VFIO_IOMMU_MAP_DMA, &m);
}

static inline long unmap_dma(int c, uint64_t iova, uint64_t size)
{
    struct vfio_iommu_type1_dma_unmap u = {
        .argsz = sizeof(u), .iova = iova, .size = size,
    };
    return xioctl(c, VFIO_IOMMU_UNMAP_DMA, &u);
}

static inline long tce_create(int c, unsigned shift, uint64_t size,
                              unsigned levels, uint64_t *start)
{
    struct vfio_iommu_spapr_tce_create cr = {
        .argsz = sizeof(cr), .page_shift = shift, .window_size = size,
        .levels = levels,
    };
    long r = xioctl(c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);

    if (start) {
        *start = cr.start_addr;
    }
    return r;
}

static inline long tce_remove(int c, uint64_t start)
{
    struct vfio_iommu_spapr_tce_remove rm = {
        .argsz = sizeof(rm), .start_addr = start,
    };
    return xioctl(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
}

#define RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* A little-endian register of a device fd's region at @off. */
static inline uint64_t vt_dev_rd(int d, uint64_t off, unsigned size)
{
    uint64_t v = 0;

    g_assert_cmpint(pread(d, &v, size, off), ==, size);
    return GUINT64_FROM_LE(v);
}

static inline void vt_dev_wr(int d, uint64_t off, unsigned size, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    g_assert_cmpint(pwrite(d, &v, size, off), ==, size);
}

#endif /* VSIM_TEST_H */

/* ---- simulator state through the control channel ---- */
#include <json-glib/json-glib.h>
#include "control-client.h"

static inline VsimControl *ctl(void)
{
    static VsimControl *c;
    g_autoptr(GError) err = NULL;

    if (!c) {
        /* opening /dev/vfio first makes sure the simulator is up */
        close(open_container());
        c = vsim_control_connect(g_getenv("VFIO_SIM_CONTROL"), &err);
        g_assert_no_error(err);
    }
    return c;
}

static inline JsonObject *state(void)
{
    g_autoptr(GError) err = NULL;
    JsonObject *o = vsim_control_state(ctl(), &err);

    g_assert_no_error(err);
    return o;
}

static inline int64_t locked_bytes(void)
{
    g_autoptr(JsonObject) o = state();

    return json_object_get_int_member(o, "locked_bytes");
}

static inline unsigned n_regions(void)
{
    g_autoptr(JsonObject) o = state();

    return json_array_get_length(json_object_get_array_member(o,
                                                              "regions"));
}

/* Container @id's object in the state (a new reference), or NULL. */
static inline JsonObject *container_state(int64_t id)
{
    g_autoptr(JsonObject) o = state();
    JsonArray *a = json_object_get_array_member(o, "containers");

    for (unsigned i = 0; i < json_array_get_length(a); i++) {
        JsonObject *c = json_array_get_object_element(a, i);

        if (json_object_get_int_member(c, "id") == id || id < 0) {
            return json_object_ref(c);
        }
    }
    return NULL;
}

static inline JsonObject *tces(unsigned container, int slot)
{
    g_autoptr(GError) err = NULL;
    JsonObject *o = vsim_control_tces(ctl(), container, slot, &err);

    g_assert_no_error(err);
    return o;
}

/* The simulated host's PAGE_SIZE, as its state reports it. */
static inline uint64_t host_page(void)
{
    g_autoptr(JsonObject) o = state();

    return json_object_get_int_member(o, "page_size");
}

static inline unsigned host_page_shift(void)
{
    return __builtin_ctzll(host_page());
}

/*
 * Let the device master the bus: a device model that honours its
 * COMMAND register does no DMA until the VMM sets Bus Master.
 */
static inline int enable_bus_master(int group, const char *bdf)
{
    struct vfio_region_info ri = {
        .argsz = sizeof(ri), .index = VFIO_PCI_CONFIG_REGION_INDEX,
    };
    int dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
    uint16_t cmd = 0;

    g_assert_cmpint(dev, >=, 0);
    g_assert_cmpint(xioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri), ==, 0);
    g_assert_cmpint(pread(dev, &cmd, 2, ri.offset + 4), ==, 2);
    cmd |= 0x6;                 /* Memory Space, Bus Master */
    g_assert_cmpint(pwrite(dev, &cmd, 2, ri.offset + 4), ==, 2);
    return dev;                 /* kept open: a last close may reset it */
}
