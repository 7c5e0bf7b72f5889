/*
 * vfio-sim conformance: sPAPR TCE v2 containers, row by row of
 * spec/linux-vfio-spapr.md (argsz, flags and state checks, in order).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "vsim-test.h"

#define DDW_START (1ULL << 59)

static void test_api_version_and_extensions(void)
{
    int c = open_container();

    g_assert_cmpint(xioctl(c, VFIO_GET_API_VERSION, NULL), ==,
                    VFIO_API_VERSION);
    g_assert_cmpint(xioctl(c, VFIO_CHECK_EXTENSION,
                           (void *)VFIO_SPAPR_TCE_IOMMU), ==, 1);
    g_assert_cmpint(xioctl(c, VFIO_CHECK_EXTENSION,
                           (void *)VFIO_SPAPR_TCE_v2_IOMMU), ==, 1);
    g_assert_cmpint(xioctl(c, VFIO_CHECK_EXTENSION,
                           (void *)VFIO_TYPE1_IOMMU), ==, 0);
    /* eeh_enabled(): a 64 KiB host is a PowerNV host, which has EEH */
    g_assert_cmpint(xioctl(c, VFIO_CHECK_EXTENSION, (void *)VFIO_EEH), ==,
                    host_page() == 64 * KiB);
    close(c);
}

static void test_ioctls_before_set_iommu_are_einval(void)
{
    struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
    int c = open_container();
    int g = open_group(1);

    g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU,
                           (void *)VFIO_SPAPR_TCE_v2_IOMMU), ==, -EINVAL);
    attach(g, c);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info), ==,
                    -EINVAL);
    g_assert_cmpint(map_dma(c, NULL, 0, 4096, RW), ==, -EINVAL);
    g_assert_cmpint(reg_mem(c, NULL, 4096), ==, -EINVAL);
    g_assert_cmpint(xioctl(c, _IO(VFIO_TYPE, VFIO_BASE + 60), NULL), ==,
                    -ENOTTY);
    close(g);
    close(c);
}

static void test_set_iommu_checks(void)
{
    struct vfio_group_status st = { .argsz = sizeof(st) };
    int c = open_container();
    int g = open_group(1);

    g_assert_cmpint(xioctl(g, VFIO_GROUP_GET_STATUS, &st), ==, 0);
    g_assert_cmpint(st.flags, ==, VFIO_GROUP_FLAGS_VIABLE);
    attach(g, c);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_GET_STATUS, &st), ==, 0);
    g_assert_cmpint(st.flags, ==, VFIO_GROUP_FLAGS_VIABLE |
                    VFIO_GROUP_FLAGS_CONTAINER_SET);
    g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU, (void *)VFIO_TYPE1_IOMMU), ==,
                    -ENODEV);
    g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU,
                           (void *)VFIO_SPAPR_TCE_v2_IOMMU), ==, 0);
    g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU,
                           (void *)VFIO_SPAPR_TCE_v2_IOMMU), ==, -EINVAL);
    /* v2 is enabled by REGISTER only: ENABLE/DISABLE are v1 ioctls */
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_ENABLE, NULL), ==, -ENOTTY);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_DISABLE, NULL), ==, -ENOTTY);
    close(g);
    close(c);
}

static void test_get_info_argsz_and_ddw(void)
{
    struct vfio_iommu_spapr_tce_info info;
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);

    memset(&info, 0xa5, sizeof(info));
    info.argsz = 8;
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info), ==,
                    -EINVAL);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, (void *)8), ==,
                    -EFAULT);
    /* argsz 16: only the mandatory part is written back */
    info.argsz = 16;
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info), ==, 0);
    g_assert_cmpint(info.dma32_window_start, ==, 0);
    g_assert_cmpint(info.dma32_window_size, ==, 2 * GiB);
    g_assert_cmpint(info.flags, ==, VFIO_IOMMU_SPAPR_INFO_DDW);
    g_assert_cmphex(info.ddw.pgsizes, ==, 0xa5a5a5a5a5a5a5a5ULL);
    info.argsz = sizeof(info);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info), ==, 0);
    g_assert_cmphex(info.ddw.pgsizes, ==, 4 * KiB | 64 * KiB | 2 * MiB |
                    16 * MiB);
    g_assert_cmpint(info.ddw.max_dynamic_windows_supported, ==, 2);
    g_assert_cmpint(info.ddw.levels, ==, 5);
    close(g);
    close(c);
}

static void test_map_unmap_before_register_eperm(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    void *m = alloc_aligned(64 * KiB, 64 * KiB);

    g_assert_cmpint(map_dma(c, m, 0, 4096, RW), ==, -EPERM);
    g_assert_cmpint(unmap_dma(c, 0, 4096), ==, -EPERM);
    close(g);
    close(c);
    munmap(m, 64 * KiB);
}

static void test_register_memory_checks(void)
{
    struct vfio_iommu_spapr_register_memory r = { .argsz = 16 };
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(4 * MiB, 64 * KiB);
    void *hole = alloc_aligned(64 * KiB, 64 * KiB);
    int64_t base = locked_bytes();

    munmap(hole, 64 * KiB);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &r), ==,
                    -EINVAL);
    r = (struct vfio_iommu_spapr_register_memory) {
        .argsz = sizeof(r), .flags = 1, .vaddr = (uintptr_t)m, .size = 4096,
    };
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &r), ==,
                    -EINVAL);
    g_assert_cmpint(reg_mem(c, m + 1, 4096), ==, -EINVAL);
    g_assert_cmpint(reg_mem(c, m, 4095), ==, -EINVAL);
    g_assert_cmpint(reg_mem(c, (void *)-4096L, 8192), ==, -EINVAL);
    g_assert_cmpint(reg_mem(c, hole, 64 * KiB), ==, -EFAULT);
    g_assert_cmpint(locked_bytes(), ==, base);

    g_assert_cmpint(reg_mem(c, m, 2 * MiB), ==, 0);
    g_assert_cmpint(locked_bytes(), ==, base + 2 * MiB);
    g_assert_cmpint(reg_mem(c, m, 2 * MiB), ==, -EBUSY);
    g_assert_cmpint(reg_mem(c, m + MiB, 2 * MiB), ==, -EINVAL);
    g_assert_cmpint(reg_mem(c, m + 2 * MiB, 2 * MiB), ==, 0);
    g_assert_cmpint(locked_bytes(), ==, base + 4 * MiB);
    g_assert_cmpint(n_regions(), ==, 2);

    /* unregister: flags, alignment, exact match */
    r.flags = 1;
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &r), ==,
                    -EINVAL);
    g_assert_cmpint(unreg_mem(c, m + 1, 2 * MiB), ==, -EINVAL);
    g_assert_cmpint(unreg_mem(c, m, MiB), ==, -ENOENT);
    g_assert_cmpint(unreg_mem(c, m, 2 * MiB), ==, 0);
    g_assert_cmpint(unreg_mem(c, m, 2 * MiB), ==, -ENOENT);
    g_assert_cmpint(locked_bytes(), ==, base + 2 * MiB);
    close(g);
    close(c);
    g_assert_cmpint(locked_bytes(), ==, 0);
    munmap(m, 4 * MiB);
}

static void test_tce_create_remove_checks(void)
{
    struct vfio_iommu_spapr_tce_create cr = { .argsz = 32 };
    struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm) };
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint64_t start = 1;

    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr), ==,
                    -EINVAL);
    cr = (struct vfio_iommu_spapr_tce_create) {
        .argsz = sizeof(cr), .flags = 1, .page_shift = 16,
        .window_size = GiB, .levels = 1,
    };
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr), ==,
                    -EINVAL);
    g_assert_cmpint(tce_create(c, 13, GiB, 1, NULL), ==, -EINVAL);
    g_assert_cmpint(tce_create(c, 16, GiB, 0, NULL), ==, -EINVAL);
    g_assert_cmpint(tce_create(c, 16, GiB, 6, NULL), ==, -EINVAL);
    g_assert_cmpint(tce_create(c, 16, 3 * GiB, 1, NULL), ==, -EINVAL);

    /* the default window holds slot 0: the new one lands at 2^59 */
    g_assert_cmpint(tce_create(c, 16, GiB, 2, &start), ==, 0);
    g_assert_cmphex(start, ==, DDW_START);
    g_assert_cmpint(tce_create(c, 16, GiB, 2, NULL), ==, -ENOSPC);

    rm.flags = 1;
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm), ==,
                    -EINVAL);
    g_assert_cmpint(tce_remove(c, 4 * GiB), ==, -EINVAL);
    g_assert_cmpint(tce_remove(c, 0), ==, 0);
    g_assert_cmpint(tce_remove(c, 0), ==, -EINVAL);
    g_assert_cmpint(tce_create(c, 12, 2 * GiB, 1, &start), ==, 0);
    g_assert_cmphex(start, ==, 0);
    g_assert_cmpint(tce_remove(c, DDW_START + GiB - 1), ==, 0);
    g_assert_cmpint(tce_remove(c, 12345), ==, 0);
    g_assert_cmpint(locked_bytes(), ==, 0);
    close(g);
    close(c);
}

static void test_map_dma_checks_in_order(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(4 * MiB, 2 * MiB);
    struct vfio_iommu_type1_dma_map bad = { .argsz = 16 };

    g_assert_cmpint(reg_mem(c, m, 4 * MiB), ==, 0);
    g_assert_cmpint(tce_create(c, 16, 4 * GiB, 1, NULL), ==, 0);

    g_assert_cmpint(xioctl(c, VFIO_IOMMU_MAP_DMA, &bad), ==, -EINVAL);
    g_assert_cmpint(map_dma(c, m, 0, 4096, RW | 4), ==, -EINVAL);
    g_assert_cmpint(map_dma(c, m, 3 * GiB, 4096, RW), ==, -ENXIO);
    g_assert_cmpint(map_dma(c, m + 4096, 0, 4096, 0), ==, -EINVAL);
    /* 64 KiB window: 4 KiB aligned size or vaddr is not enough */
    g_assert_cmpint(map_dma(c, m, DDW_START, 4096, RW), ==, -EINVAL);
    g_assert_cmpint(map_dma(c, m + 4096, DDW_START, 64 * KiB, RW), ==,
                    -EINVAL);
    /* a misaligned iova: the kernel's boolean check, returned as 1 */
    g_assert_cmpint(map_dma(c, m, DDW_START + 4096, 64 * KiB, RW), ==, 1);
    /* page not inside a registered region */
    g_assert_cmpint(map_dma(c, m + 4 * MiB, DDW_START, 64 * KiB, RW), ==,
                    -EINVAL);
    /* ordinary memory holds IOMMU pages up to PAGE_SIZE only */
    g_assert_cmpint(map_dma(c, m, DDW_START, 64 * KiB, RW), ==,
                    host_page() >= 64 * KiB ? 0 : -EFAULT);
    /* size 0 succeeds; overwriting is silent */
    g_assert_cmpint(map_dma(c, m, 0, 0, RW), ==, 0);
    g_assert_cmpint(map_dma(c, m, 0, 128 * KiB, VFIO_DMA_MAP_FLAG_READ),
                    ==, 0);
    g_assert_cmpint(map_dma(c, m, 0, 128 * KiB, RW), ==, 0);
    {
        g_autoptr(JsonObject) w = tces(0, 0);
        JsonArray *e = json_object_get_array_member(w, "entries");
        JsonObject *run = json_array_get_object_element(e, 0);

        g_assert_cmpint(json_object_get_int_member(w, "mapped"), ==, 32);
        g_assert_cmpint(json_array_get_length(e), ==, 1);
        g_assert_cmpint(json_object_get_int_member(run, "pages"), ==, 32);
        g_assert_cmpstr(json_object_get_string_member(run, "perm"), ==, "rw");
        /* TCEs carry host physical addresses, never our virtual ones */
        g_assert_cmpint(json_object_get_int_member(run, "hpa"), !=,
                        (int64_t)(uintptr_t)m);
    }
    close(g);
    close(c);
    g_assert_cmpint(locked_bytes(), ==, 0);
    g_assert_cmpint(n_regions(), ==, 0);
    munmap(m, 4 * MiB);
}

static void test_map_dma_failure_rolls_back(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(2 * MiB, 64 * KiB);
    g_autoptr(JsonObject) w = NULL;

    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    /* 256 pages inside the region, then 16 past its end */
    g_assert_cmpint(map_dma(c, m, 0, MiB + 64 * KiB, RW), ==, -EINVAL);
    w = tces(0, 0);
    g_assert_cmpint(json_object_get_int_member(w, "mapped"), ==, 0);
    g_assert_cmpint(json_array_get_length(
                        json_object_get_array_member(w, "entries")), ==, 0);
    g_assert_cmpint(unreg_mem(c, m, MiB), ==, 0);
    close(g);
    close(c);
    munmap(m, 2 * MiB);
}

static void test_unmap_dma_checks(void)
{
    struct vfio_iommu_type1_dma_unmap u = {
        .argsz = sizeof(u), .flags = 1, .iova = 0, .size = 4096,
    };
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(MiB, 64 * KiB);

    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_UNMAP_DMA, &u), ==, -EINVAL);
    u.argsz = 8;
    u.flags = 0;
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_UNMAP_DMA, &u), ==, -EINVAL);
    g_assert_cmpint(unmap_dma(c, 8 * GiB, 4096), ==, -ENXIO);
    g_assert_cmpint(unmap_dma(c, 0, 100), ==, -EINVAL);
    g_assert_cmpint(unmap_dma(c, 0, 1 * MiB), ==, 0);  /* nothing mapped */
    g_assert_cmpint(map_dma(c, m, 0, MiB, RW), ==, 0);
    g_assert_cmpint(unmap_dma(c, 0, 64 * KiB), ==, 0);
    {
        g_autoptr(JsonObject) w = tces(0, 0);

        g_assert_cmpint(json_object_get_int_member(w, "mapped"), ==, 240);
    }
    close(g);
    close(c);
    munmap(m, MiB);
}

static void test_two_containers_share_process_regions(void)
{
    int g1, c1 = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g1);
    int g2, c2 = setup_container(2, VFIO_SPAPR_TCE_v2_IOMMU, &g2);
    uint8_t *a = alloc_aligned(MiB, 64 * KiB);
    uint8_t *b = alloc_aligned(MiB, 64 * KiB);

    g_assert_cmpint(reg_mem(c1, a, MiB), ==, 0);
    g_assert_cmpint(reg_mem(c2, b, MiB), ==, 0);
    /* the same range in another container: one more user, no charge */
    g_assert_cmpint(reg_mem(c2, a, MiB), ==, 0);
    g_assert_cmpint(locked_bytes(), ==, 2 * MiB);
    g_assert_cmpint(unreg_mem(c2, a, MiB), ==, 0);
    /* a region registered by c1 may still be mapped by c2 */
    g_assert_cmpint(map_dma(c2, a, 0, MiB, RW), ==, 0);
    g_assert_cmpint(unmap_dma(c2, 0, MiB), ==, 0);
    /* c2's default window (8 MiB of table) came with its first MAP */
    g_assert_cmpint(locked_bytes(), ==, 2 * MiB + 8 * MiB);
    close(g1);
    close(c1);
    /* c1's region goes with it: nothing maps it any more */
    g_assert_cmpint(locked_bytes(), ==, MiB + 8 * MiB);
    close(g2);
    close(c2);
    g_assert_cmpint(locked_bytes(), ==, 0);
    g_assert_cmpint(n_regions(), ==, 0);
    munmap(a, MiB);
    munmap(b, MiB);
}

static void test_last_group_detach_releases_everything(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(MiB, 64 * KiB);
    g_autoptr(JsonObject) cs = NULL;

    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    g_assert_cmpint(tce_create(c, host_page_shift(), 64 * GiB, 2, NULL), ==,
                    0);
    g_assert_cmpint(map_dma(c, m, DDW_START, MiB, RW), ==, 0);
    g_assert_cmpint(locked_bytes(), >, MiB);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_UNSET_CONTAINER, NULL), ==, 0);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_UNSET_CONTAINER, NULL), ==, -EINVAL);
    g_assert_cmpint(locked_bytes(), ==, 0);
    cs = container_state(-1);
    g_assert_cmpstr(json_object_get_string_member(cs, "iommu"), ==, "none");
    g_assert_cmpint(json_array_get_length(
                        json_object_get_array_member(cs, "windows")), ==, 0);
    /* the container is usable again from scratch */
    attach(g, c);
    g_assert_cmpint(xioctl(c, VFIO_SET_IOMMU,
                           (void *)VFIO_SPAPR_TCE_v2_IOMMU), ==, 0);
    g_assert_cmpint(map_dma(c, m, 0, 4096, RW), ==, -EPERM);
    close(g);
    close(c);
    munmap(m, MiB);
}

static void test_container_close_releases_everything(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(MiB, 64 * KiB);
    struct vfio_group_status st = { .argsz = sizeof(st) };

    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    g_assert_cmpint(map_dma(c, m, 0, MiB, RW), ==, 0);
    close(c);
    g_assert_cmpint(locked_bytes(), ==, 0);
    g_assert_cmpint(n_regions(), ==, 0);
    g_assert_cmpint(xioctl(g, VFIO_GROUP_GET_STATUS, &st), ==, 0);
    g_assert_cmpint(st.flags, ==, VFIO_GROUP_FLAGS_VIABLE);
    close(g);
    munmap(m, MiB);
}

static void test_empty_huge_window_is_sparse(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(MiB, 64 * KiB);
    g_autoptr(JsonObject) w = NULL;

    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    g_assert_cmpint(tce_create(c, host_page_shift(), 1ULL << 40, 2, NULL), ==,
                    0);
    g_assert_cmpint(map_dma(c, m, DDW_START + (1ULL << 39), MiB, RW), ==, 0);
    w = tces(0, 1);
    g_assert_cmpint(json_object_get_int_member(w, "table_bytes"), <=, MiB);
    g_assert_cmpint(json_object_get_int_member(w, "mapped"), ==,
                    MiB / host_page());
    close(g);
    close(c);
    munmap(m, MiB);
}

static void test_second_group_shares_v2_container(void)
{
    int g1, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g1);
    int g2 = open_group(2);
    g_autoptr(JsonObject) cs = NULL;

    attach(g2, c);
    cs = container_state(-1);
    g_assert_cmpint(json_array_get_length(
                        json_object_get_array_member(cs, "groups")), ==, 2);
    close(g1);
    g_clear_pointer(&cs, json_object_unref);
    cs = container_state(-1);
    g_assert_cmpstr(json_object_get_string_member(cs, "iommu"), ==, "v2");
    close(g2);
    close(c);
}

static void test_group_open_is_exclusive(void)
{
    int g = open_group(1);

    g_assert_cmpint(open("/dev/vfio/1", O_RDWR), ==, -1);
    g_assert_cmpint(errno, ==, EBUSY);
    g_assert_cmpint(open("/dev/vfio/42", O_RDWR), ==, -1);
    g_assert_cmpint(errno, ==, ENOENT);
    close(g);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/v2/api-version-and-extensions",
                    test_api_version_and_extensions);
    g_test_add_func("/vfio-sim/v2/ioctls-before-set-iommu-are-einval",
                    test_ioctls_before_set_iommu_are_einval);
    g_test_add_func("/vfio-sim/v2/set-iommu-checks", test_set_iommu_checks);
    g_test_add_func("/vfio-sim/v2/get-info-argsz-and-ddw",
                    test_get_info_argsz_and_ddw);
    g_test_add_func("/vfio-sim/v2/map-unmap-before-register-eperm",
                    test_map_unmap_before_register_eperm);
    g_test_add_func("/vfio-sim/v2/register-memory-checks",
                    test_register_memory_checks);
    g_test_add_func("/vfio-sim/v2/tce-create-remove-checks",
                    test_tce_create_remove_checks);
    g_test_add_func("/vfio-sim/v2/map-dma-checks-in-order",
                    test_map_dma_checks_in_order);
    g_test_add_func("/vfio-sim/v2/map-dma-failure-rolls-back",
                    test_map_dma_failure_rolls_back);
    g_test_add_func("/vfio-sim/v2/unmap-dma-checks", test_unmap_dma_checks);
    g_test_add_func("/vfio-sim/v2/two-containers-share-process-regions",
                    test_two_containers_share_process_regions);
    g_test_add_func("/vfio-sim/v2/last-group-detach-releases-everything",
                    test_last_group_detach_releases_everything);
    g_test_add_func("/vfio-sim/v2/container-close-releases-everything",
                    test_container_close_releases_everything);
    g_test_add_func("/vfio-sim/v2/empty-huge-window-is-sparse",
                    test_empty_huge_window_is_sparse);
    g_test_add_func("/vfio-sim/v2/second-group-shares-v2-container",
                    test_second_group_shares_v2_container);
    g_test_add_func("/vfio-sim/v2/group-open-is-exclusive",
                    test_group_open_is_exclusive);
    return g_test_run();
}
