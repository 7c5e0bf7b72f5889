/*
 * vfio-sim conformance: sPAPR TCE v1 containers (ENABLE charges the
 * default window, MAP_DMA pins page by page, no DDW ioctls).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "vsim-test.h"

static void test_v1_one_group_per_container(void)
{
    int c = open_container(), g1 = open_group(1), g2 = open_group(2);

    attach(g1, c);
    attach(g2, c);
    g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_IOMMU),
                    ==, -EBUSY);
    g_assert_cmpint(xioctl(g2, VFIO_GROUP_UNSET_CONTAINER, NULL), ==, 0);
    g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_IOMMU),
                    ==, 0);
    g_assert_cmpint(xioctl(g2, VFIO_GROUP_SET_CONTAINER, &c), ==, -EBUSY);
    close(g1);
    close(g2);
    close(c);
}

static void test_v1_info_and_ddw_ioctls_absent(void)
{
    struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
    int g, c = setup_container(1, VFIO_SPAPR_TCE_IOMMU, &g);
    uint8_t *m = alloc_aligned(MiB, 64 * KiB);

    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info), ==, 0);
    g_assert_cmpint(info.flags, ==, 0);
    g_assert_cmpint(info.dma32_window_size, ==, 2 * GiB);
    g_assert_cmpint(reg_mem(c, m, MiB), ==, -ENOTTY);
    g_assert_cmpint(tce_create(c, 16, GiB, 1, NULL), ==, -ENOTTY);
    g_assert_cmpint(tce_remove(c, 0), ==, -ENOTTY);
    close(g);
    close(c);
    munmap(m, MiB);
}

static void test_v1_enable_charges_window_and_map_pins(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_IOMMU, &g);
    uint8_t *m = alloc_aligned(MiB, 64 * KiB);
    void *hole = alloc_aligned(64 * KiB, 64 * KiB);
    g_autoptr(JsonObject) st = NULL;

    munmap(hole, 64 * KiB);
    g_assert_cmpint(map_dma(c, m, 0, 4096, RW), ==, -EPERM);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_ENABLE, NULL), ==, 0);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_ENABLE, NULL), ==, -EBUSY);
    g_assert_cmpint(locked_bytes(), ==, 2 * GiB);
    g_assert_cmpint(map_dma(c, m, 0x1000, MiB, RW), ==, 0);
    g_assert_cmpint(map_dma(c, m + 1, 0x1000, 4096, RW), ==, -EINVAL);
    /* a page that cannot be pinned: EFAULT, and the call's entries go */
    g_assert_cmpint(map_dma(c, (uint8_t *)hole - 8192, 0x200000, 16384, RW),
                    ==, -EFAULT);
    st = state();
    g_assert_cmpint(json_object_get_int_member(st, "v1_pinned_pages"), ==,
                    256);
    g_assert_cmpint(unmap_dma(c, 0x1000, 0x80000), ==, 0);
    g_clear_pointer(&st, json_object_unref);
    st = state();
    g_assert_cmpint(json_object_get_int_member(st, "v1_pinned_pages"), ==,
                    128);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_DISABLE, NULL), ==, 0);
    g_assert_cmpint(locked_bytes(), ==, 0);
    close(g);
    close(c);
    g_clear_pointer(&st, json_object_unref);
    st = state();
    g_assert_cmpint(json_object_get_int_member(st, "v1_pinned_pages"), ==, 0);
    munmap(m, MiB);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/v1/one-group-per-container",
                    test_v1_one_group_per_container);
    g_test_add_func("/vfio-sim/v1/info-and-ddw-ioctls-absent",
                    test_v1_info_and_ddw_ioctls_absent);
    g_test_add_func("/vfio-sim/v1/enable-charges-window-and-map-pins",
                    test_v1_enable_charges_window_and_map_pins);
    return g_test_run();
}
