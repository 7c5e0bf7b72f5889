/*
 * vfio-sim conformance: host rules taken from the Linux kernel's sPAPR
 * TCE driver (drivers/vfio/vfio_iommu_spapr_tce.c), the mm_iommu
 * preregistration code (arch/powerpc/mm/book3s64/iommu_api.c) and the
 * PowerNV table code (arch/powerpc/platforms/powernv/pci-ioda-tce.c).
 * Each test names the kernel function whose behaviour it checks.  The
 * whole program runs once per simulated PAGE_SIZE (64k and 4k).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "vsim-test.h"

#define DDW_START (1ULL << 59)
#define ROUND_UP(n, d) (((n) + (d) - 1) / (d) * (d))

static JsonObject *region_state(void *va)
{
    g_autoptr(JsonObject) o = state();
    JsonArray *a = json_object_get_array_member(o, "regions");

    for (unsigned i = 0; i < json_array_get_length(a); i++) {
        JsonObject *r = json_array_get_object_element(a, i);

        if (json_object_get_int_member(r, "vaddr") == (int64_t)(uintptr_t)va) {
            return json_object_ref(r);
        }
    }
    return NULL;
}

static unsigned n_windows(void)
{
    g_autoptr(JsonObject) cs = container_state(-1);

    return json_array_get_length(json_object_get_array_member(cs,
                                                              "windows"));
}

/* tce_iommu_register_pages / mm_iommu_do_alloc: PAGE_SIZE granularity */
static void test_register_aligned_to_page_size(void)
{
    uint64_t page = host_page();
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(4 * page, page);

    g_assert_cmpint(reg_mem(c, m + page / 2, page), ==, -EINVAL);
    g_assert_cmpint(reg_mem(c, m, page + page / 2), ==, -EINVAL);
    /* a 4 KiB-aligned range is refused by a 64 KiB-page host */
    g_assert_cmpint(reg_mem(c, m + 4096, page), ==,
                    page > 4096 ? -EINVAL : 0);
    if (page == 4096) {
        g_assert_cmpint(unreg_mem(c, m + 4096, page), ==, 0);
    }
    g_assert_cmpint(reg_mem(c, m, 2 * page), ==, 0);
    /* charged in PAGE_SIZE pages: exactly the size */
    g_assert_cmpint(locked_bytes(), ==, 2 * page);
    g_assert_cmpint(unreg_mem(c, m, 2 * page), ==, 0);
    g_assert_cmpint(locked_bytes(), ==, 0);
    close(g);
    close(c);
    munmap(m, 4 * page);
}

/* mm_iommu_do_alloc: pin (EFAULT) before the overlap check (EINVAL) */
static void test_register_pin_before_overlap(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(4 * MiB, MiB);

    munmap(m + 3 * MiB, MiB);
    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    /* overlaps the region and holds a hole: the pin fails first */
    g_assert_cmpint(reg_mem(c, m, 4 * MiB), ==, -EFAULT);
    /* a pinnable overlapping range gets the overlap error */
    g_assert_cmpint(reg_mem(c, m, 2 * MiB), ==, -EINVAL);
    g_assert_cmpint(locked_bytes(), ==, MiB);
    close(g);
    close(c);
    g_assert_cmpint(locked_bytes(), ==, 0);
    munmap(m, 3 * MiB);
}

/*
 * mm_iommu_do_alloc records the backing page shift (PAGE_SHIFT for
 * ordinary memory); mm_iommu_ua_to_hpa refuses an IOMMU page larger than
 * it with EFAULT.
 */
static void test_ordinary_memory_refuses_large_iommu_pages(void)
{
    unsigned shift = host_page_shift();
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint8_t *m = alloc_aligned(16 * MiB, 16 * MiB);
    g_autoptr(JsonObject) r = NULL;

    g_assert_cmpint(reg_mem(c, m, 16 * MiB), ==, 0);
    r = region_state(m);
    g_assert_nonnull(r);
    /* 16 MiB-aligned, but backed by PAGE_SIZE pages */
    g_assert_cmpint(json_object_get_int_member(r, "page_shift"), ==, shift);
    g_assert_cmpint(tce_remove(c, 0), ==, 0);    /* no default window */
    g_assert_cmpint(tce_create(c, 16, GiB, 1, NULL), ==, 0);
    g_assert_cmpint(tce_create(c, 24, 4 * GiB, 1, NULL), ==, 0);
    g_assert_cmpint(map_dma(c, m, DDW_START, 16 * MiB, RW), ==, -EFAULT);
    g_assert_cmpint(map_dma(c, m, 0, 64 * KiB, RW), ==,
                    shift >= 16 ? 0 : -EFAULT);
    close(g);
    close(c);
    g_assert_cmpint(locked_bytes(), ==, 0);
    munmap(m, 16 * MiB);
}

typedef struct HugeFs {
    char *dir;
    char *file;
    long old_nr;                /* nr_hugepages to restore, -1: keep */
    int lock_fd;                /* serialises runs that resize the pool */
    uint64_t page;
} HugeFs;

static bool write_long(const char *path, long v)
{
    FILE *f = fopen(path, "w");
    bool ok;

    if (!f) {
        return false;
    }
    ok = fprintf(f, "%ld\n", v) > 0;
    return fclose(f) == 0 && ok;
}

static long read_long(const char *path)
{
    g_autofree char *s = NULL;

    return g_file_get_contents(path, &s, NULL, NULL) ? atol(s) : -1;
}

static uint64_t meminfo_kib(const char *key)
{
    g_autofree char *s = NULL;
    char *p;

    if (!g_file_get_contents("/proc/meminfo", &s, NULL, NULL) ||
        !(p = strstr(s, key))) {
        return 0;
    }
    return g_ascii_strtoull(p + strlen(key), NULL, 10);
}

/* Mount hugetlbfs and make @n huge pages free; a reason if we cannot. */
static const char *hugefs_setup(HugeFs *h, unsigned n)
{
    const char *nr = "/proc/sys/vm/nr_hugepages";
    uint64_t free_pages;

    h->old_nr = -1;
    /* the 64k and 4k runs may go in parallel: one owns the pool at once */
    h->lock_fd = open("/tmp/vfio-sim-hugetlb.lock", O_CREAT | O_RDWR, 0600);
    if (h->lock_fd < 0 || flock(h->lock_fd, LOCK_EX) < 0) {
        return "cannot lock /tmp/vfio-sim-hugetlb.lock";
    }
    free_pages = meminfo_kib("HugePages_Free:");
    h->page = meminfo_kib("Hugepagesize:") * KiB;
    if (!h->page) {
        return "the kernel has no huge pages";
    }
    h->dir = g_dir_make_tmp("vsim-huge-XXXXXX", NULL);
    if (!h->dir || mount("none", h->dir, "hugetlbfs", 0, NULL) < 0) {
        return "cannot mount hugetlbfs (needs root)";
    }
    if (free_pages < n) {
        long cur = read_long(nr);

        if (cur < 0 || !write_long(nr, cur + n)) {
            return "cannot reserve huge pages in /proc/sys/vm/nr_hugepages";
        }
        h->old_nr = cur;
        if (meminfo_kib("HugePages_Free:") < n) {
            return "the kernel could not reserve the huge pages";
        }
    }
    h->file = g_build_filename(h->dir, "ram", NULL);
    return NULL;
}

static void hugefs_teardown(HugeFs *h)
{
    if (h->file) {
        unlink(h->file);
    }
    if (h->dir) {
        umount(h->dir);
        rmdir(h->dir);
    }
    if (h->old_nr >= 0) {
        write_long("/proc/sys/vm/nr_hugepages", h->old_nr);
    }
    if (h->lock_fd >= 0) {
        close(h->lock_fd);
    }
    g_free(h->file);
    g_free(h->dir);
}

/*
 * mm_iommu_do_alloc takes the huge page size for hugetlbfs-backed memory
 * (as a guest RAM backend on hugetlbfs has): such a region takes IOMMU
 * pages up to that size, and mm_iommu_ua_to_hpa refuses larger ones.
 */
static void test_hugetlbfs_backing_allows_huge_iommu_pages(void)
{
    HugeFs h = { .lock_fd = -1 };
    const char *why = hugefs_setup(&h, 16 * MiB / (2 * MiB));
    unsigned hshift;
    uint8_t *m;
    int fd, g, c;
    g_autoptr(JsonObject) r = NULL;

    if (!why && h.page > 16 * MiB) {
        why = "huge pages larger than 16 MiB";
    }
    if (why) {
        printf("# skipped: %s\n", why);
        g_test_skip(why);
        hugefs_teardown(&h);
        return;
    }
    hshift = __builtin_ctzll(h.page);
    fd = open(h.file, O_CREAT | O_RDWR, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 16 * MiB), ==, 0);
    /* 16 MiB-aligned, so only the backing can refuse a 16 MiB page */
    m = alloc_aligned(16 * MiB, 16 * MiB);
    g_assert(mmap(m, 16 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                  fd, 0) == m);
    close(fd);

    c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    g_assert_cmpint(reg_mem(c, m, 16 * MiB), ==, 0);
    r = region_state(m);
    g_assert_cmpint(json_object_get_int_member(r, "page_shift"), ==, hshift);
    g_assert_cmpint(tce_remove(c, 0), ==, 0);
    g_assert_cmpint(tce_create(c, hshift, 4 * GiB, 1, NULL), ==, 0);
    g_assert_cmpint(tce_create(c, 24, 4 * GiB, 1, NULL), ==, 0);
    g_assert_cmpint(map_dma(c, m, 0, 16 * MiB, RW), ==, 0);
    g_assert_cmpint(map_dma(c, m, DDW_START, 16 * MiB, RW), ==,
                    hshift >= 24 ? 0 : -EFAULT);
    close(g);
    close(c);
    g_assert_cmpint(locked_bytes(), ==, 0);
    munmap(m, 16 * MiB);
    hugefs_teardown(&h);
}

/*
 * The table cost as pnv_pci_ioda2_get_table_size computes it, written
 * here independently: levels of 2^level_shift-byte tables (at least one
 * page each), every level rounded up to whole tables, the sum doubled
 * for the hardware table plus the kernel's userspace view.
 */
static uint64_t expected_table_cost(unsigned page_shift, uint64_t window,
                                    unsigned levels)
{
    unsigned entries_shift = __builtin_ctzll(window) - page_shift;
    unsigned bits = (entries_shift + levels - 1) / levels;
    unsigned level_shift = MAX(bits + 3, host_page_shift());
    uint64_t tsize = 1ULL << level_shift;
    uint64_t bytes = MAX(8ULL << entries_shift, 4096), total = 0;

    for (unsigned l = 0; l < levels; l++) {
        uint64_t rounded = ROUND_UP(bytes, tsize);

        total += rounded;
        bytes = MAX(rounded / tsize * 8, tsize);
    }
    return 2 * total;
}

static int64_t create_cost(int c, unsigned shift, uint64_t window,
                           unsigned levels, long *ret)
{
    int64_t before = locked_bytes();

    *ret = tce_create(c, shift, window, levels, NULL);
    if (*ret == 0) {
        int64_t cost = locked_bytes() - before;

        g_assert_cmpint(tce_remove(c, 0), ==, 0);
        return cost;
    }
    g_assert_cmpint(locked_bytes(), ==, before);
    return -1;
}

/*
 * tce_iommu_create_table / pnv_pci_ioda2_table_alloc_pages: EINVAL when
 * (level_shift - 3) * levels + page_shift >= 55, ENOMEM for a level
 * larger than the biggest contiguous allocation; the charge is
 * pnv_pci_ioda2_get_table_size's.
 */
static void test_tce_create_cost_and_limits(void)
{
    uint64_t page = host_page();
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    long r;

    g_assert_cmpint(tce_remove(c, 0), ==, 0);
    /* 2^56 bytes at 4 KiB pages: over the 55-bit limit at any levels */
    for (unsigned l = 1; l <= 5; l++) {
        g_assert_cmpint(tce_create(c, 12, 1ULL << 56, l, NULL), ==,
                        -EINVAL);
    }
    /* 2^40 at 4 KiB over 4 levels: 9*4+12 = 48 on 4k, 13*4+12 on 64k */
    g_assert_cmpint(create_cost(c, 12, 1ULL << 40, 4, &r), ==,
                    page == 4096 ? (int64_t)expected_table_cost(
                        12, 1ULL << 40, 4) : -1);
    g_assert_cmpint(r, ==, page == 4096 ? 0 : -EINVAL);
    if (page == 4096) {
        /* spelled out: 2 GiB + 4 MiB + 8 KiB + 4 KiB, doubled */
        g_assert_cmpint(expected_table_cost(12, 1ULL << 40, 4), ==,
                        2 * (2 * GiB + 4 * MiB + 8 * KiB + 4 * KiB));
    }
    /* 1 GiB at 64 KiB, one level: a 128 KiB table, doubled */
    g_assert_cmpint(create_cost(c, 16, GiB, 1, &r), ==, 256 * KiB);
    /* one entry: still one page per level, doubled */
    g_assert_cmpint(create_cost(c, 16, 64 * KiB, 1, &r), ==, 2 * page);
    g_assert_cmpint(create_cost(c, 16, 64 * KiB, 2, &r), ==, 4 * page);
    /* three one-page levels: (16 - 3) * 3 + 16 = 55 bits on a 64k host */
    g_assert_cmpint(create_cost(c, 16, 64 * KiB, 3, &r), ==,
                    page == 4096 ? 6 * 4096 : -1);
    g_assert_cmpint(r, ==, page == 4096 ? 0 : -EINVAL);
    /* 2^36 at 64 KiB, one level: an 8 MiB level */
    g_assert_cmpint(create_cost(c, 16, 1ULL << 36, 1, &r), ==,
                    page == 4096 ? -1 : 16 * (int64_t)MiB);
    g_assert_cmpint(r, ==, page == 4096 ? -ENOMEM : 0);
    /* 2^40 at 64 KiB: a 128 MiB level fails; two levels fit */
    g_assert_cmpint(create_cost(c, 16, 1ULL << 40, 1, &r), ==, -1);
    g_assert_cmpint(r, ==, -ENOMEM);
    g_assert_cmpint(create_cost(c, 16, 1ULL << 40, 2, &r), ==,
                    (int64_t)expected_table_cost(16, 1ULL << 40, 2));
    g_assert_cmpint(expected_table_cost(16, 1ULL << 40, 2), ==,
                    2 * (128 * MiB + MAX(32 * KiB, page)));
    close(g);
    close(c);
    g_assert_cmpint(locked_bytes(), ==, 0);
}

/*
 * tce_iommu_create_default_window: the 32-bit window is pending from
 * SET_IOMMU and created (and charged) by the first TCE_CREATE or
 * MAP_DMA; TCE_REMOVE(0) while pending only cancels it.
 */
static void test_default_window_is_lazy(void)
{
    struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint64_t page = host_page();
    uint8_t *m = alloc_aligned(MiB, MiB);
    uint64_t start = 1;
    int64_t cost = expected_table_cost(12, 2 * GiB, 1);

    g_assert_cmpint(cost, ==, 8 * MiB);
    g_assert_cmpint(n_windows(), ==, 0);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info), ==, 0);
    g_assert_cmpint(info.dma32_window_size, ==, 2 * GiB);
    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    g_assert_cmpint(n_windows(), ==, 0);
    g_assert_cmpint(locked_bytes(), ==, MiB);
    g_assert_cmpint(map_dma(c, m, 0, page, RW), ==, 0);
    g_assert_cmpint(n_windows(), ==, 1);
    g_assert_cmpint(locked_bytes(), ==, MiB + cost);
    close(g);
    close(c);

    /* pending, then cancelled: nothing charged, nothing at 0 */
    c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    g_assert_cmpint(tce_remove(c, 0), ==, 0);
    g_assert_cmpint(tce_remove(c, 0), ==, -EINVAL);
    g_assert_cmpint(map_dma(c, m, 0, page, RW), ==, -ENXIO);
    g_assert_cmpint(locked_bytes(), ==, MiB);
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info), ==, 0);
    g_assert_cmpint(info.dma32_window_size, ==, 2 * GiB);
    g_assert_cmpint(tce_create(c, 12, GiB, 1, &start), ==, 0);
    g_assert_cmphex(start, ==, 0);
    close(g);
    close(c);

    /* TCE_CREATE makes the default window first: the new one is slot 1 */
    c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    g_assert_cmpint(tce_create(c, 16, GiB, 1, &start), ==, 0);
    g_assert_cmphex(start, ==, DDW_START);
    g_assert_cmpint(n_windows(), ==, 2);
    g_assert_cmpint(locked_bytes(), ==, cost + 256 * KiB);
    close(g);
    close(c);
    g_assert_cmpint(locked_bytes(), ==, 0);
    munmap(m, MiB);
}

/*
 * tce_iommu_ioctl(MAP_DMA/UNMAP_DMA) returns iommu_tce_put_param_check /
 * iommu_tce_clear_param_check as is: a boolean, so ioctl() gives 1 and
 * leaves errno alone; vaddr/size misalignment is EINVAL.
 */
static void test_map_unmap_bad_iova_returns_one(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    uint64_t page = host_page();
    uint8_t *m = alloc_aligned(MiB, MiB);
    struct vfio_iommu_type1_dma_map map = {
        .argsz = sizeof(map), .flags = RW, .vaddr = (uintptr_t)m,
        .iova = 0x800, .size = 4096,
    };
    struct vfio_iommu_type1_dma_unmap unmap = {
        .argsz = sizeof(unmap), .iova = 0x800, .size = 4096,
    };

    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    errno = EXDEV;
    g_assert_cmpint(ioctl(c, VFIO_IOMMU_MAP_DMA, &map), ==, 1);
    g_assert_cmpint(errno, ==, EXDEV);
    errno = EXDEV;
    g_assert_cmpint(ioctl(c, VFIO_IOMMU_UNMAP_DMA, &unmap), ==, 1);
    g_assert_cmpint(errno, ==, EXDEV);
    /* a range running past the table's end: the clear check again */
    unmap.iova = 2 * GiB - 4096;
    unmap.size = 8192;
    g_assert_cmpint(ioctl(c, VFIO_IOMMU_UNMAP_DMA, &unmap), ==, 1);
    /*
     * A map running past the end passes the kernel's check (first page
     * only) and has no errno to follow: vfio-sim refuses it, whole.
     */
    g_assert_cmpint(map_dma(c, m, 2 * GiB - 4096, 8192, RW), ==, -EINVAL);
    /* nothing was written */
    {
        g_autoptr(JsonObject) w = tces(0, 0);

        g_assert_cmpint(json_object_get_int_member(w, "mapped"), ==, 0);
    }
    /* vaddr and size misalignment stay EINVAL */
    g_assert_cmpint(map_dma(c, m + 2048, 0, 4096, RW), ==, -EINVAL);
    g_assert_cmpint(map_dma(c, m, 0, 2048, RW), ==, -EINVAL);
    g_assert_cmpint(map_dma(c, m, 0, page, RW), ==, 0);
    close(g);
    close(c);
    munmap(m, MiB);
}

/*
 * pnv_tce_build / pnv_tce_xchg (iommu_direction_to_tce_perm): a TCE with
 * WRITE gets READ too, so the device can read a write-only mapping.
 */
static void test_write_only_mapping_is_readable(void)
{
    g_autoptr(GError) err = NULL;
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    int dev = enable_bus_master(g, BDF0);
    uint8_t *m = alloc_aligned(MiB, MiB);
    g_autoptr(JsonObject) w = NULL;
    g_autoptr(JsonObject) r = NULL;

    g_assert_cmpint(reg_mem(c, m, MiB), ==, 0);
    g_assert_cmpint(map_dma(c, m, 0, 64 * KiB, VFIO_DMA_MAP_FLAG_WRITE),
                    ==, 0);
    g_assert_cmpint(map_dma(c, m + 64 * KiB, 64 * KiB, 64 * KiB, RW), ==, 0);
    w = tces(0, 0);
    g_assert_cmpstr(json_object_get_string_member(
                        json_array_get_object_element(
                            json_object_get_array_member(w, "entries"), 0),
                        "perm"), ==, "rw");
    memset(m, 0x3c, 4096);
    r = vsim_control_dma(ctl(), BDF0, "copy", 0, 64 * KiB, 4096, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(r, "status"), ==, "done");
    g_assert_cmpint(m[64 * KiB + 4095], ==, 0x3c);
    close(dev);
    close(g);
    close(c);
    munmap(m, MiB);
}

/* the sPAPR driver answers CHECK_EXTENSION for both types on any host */
/*
 * tce_iommu_ioctl(TCE_CREATE): the window is made under the container's
 * lock, and only then is start_addr copied back.  When that copy fails
 * the caller gets EFAULT but the window stays, charged, in its slot
 * (TCE_REMOVE of the slot's address removes it).
 */
static void test_tce_create_efault_keeps_window(void)
{
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    long pg = sysconf(_SC_PAGESIZE);
    struct vfio_iommu_spapr_tce_create *cr;
    g_autoptr(JsonObject) cs = NULL;
    int64_t locked;

    cr = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
              -1, 0);
    g_assert(cr != MAP_FAILED);
    *cr = (struct vfio_iommu_spapr_tce_create) {
        .argsz = sizeof(*cr), .page_shift = 16, .window_size = GiB,
        .levels = 1,
    };
    /* readable, so the argument is read; not writable, so no answer */
    g_assert_cmpint(mprotect(cr, pg, PROT_READ), ==, 0);
    locked = locked_bytes();
    g_assert_cmpint(xioctl(c, VFIO_IOMMU_SPAPR_TCE_CREATE, cr), ==, -EFAULT);
    g_assert_cmphex(cr->start_addr, ==, 0);
    cs = container_state(-1);
    g_assert_cmpint(json_array_get_length(json_object_get_array_member(
                        cs, "windows")), ==, 2);
    /* charged: the default window (made by this call) and the new one */
    g_assert_cmpint(locked_bytes(), >, locked);
    locked = locked_bytes();
    g_assert_cmpint(tce_remove(c, 1ULL << 59), ==, 0);
    g_assert_cmpint(locked_bytes(), <, locked);
    munmap(cr, pg);
    close(g);
    close(c);
    g_assert_cmpint(locked_bytes(), ==, 0);
}

static void test_check_extension_both_types(void)
{
    int c = open_container();

    g_assert_cmpint(xioctl(c, VFIO_CHECK_EXTENSION,
                           (void *)VFIO_SPAPR_TCE_IOMMU), ==, 1);
    g_assert_cmpint(xioctl(c, VFIO_CHECK_EXTENSION,
                           (void *)VFIO_SPAPR_TCE_v2_IOMMU), ==, 1);
    close(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/kernel/mm_iommu_do_alloc/"
                    "register-aligned-to-page-size",
                    test_register_aligned_to_page_size);
    g_test_add_func("/vfio-sim/kernel/mm_iommu_do_alloc/"
                    "pin-before-overlap-check",
                    test_register_pin_before_overlap);
    g_test_add_func("/vfio-sim/kernel/mm_iommu_ua_to_hpa/"
                    "ordinary-memory-refuses-large-iommu-pages",
                    test_ordinary_memory_refuses_large_iommu_pages);
    g_test_add_func("/vfio-sim/kernel/mm_iommu_ua_to_hpa/"
                    "hugetlbfs-backing-allows-huge-iommu-pages",
                    test_hugetlbfs_backing_allows_huge_iommu_pages);
    g_test_add_func("/vfio-sim/kernel/pnv_pci_ioda2_table_alloc_pages/"
                    "tce-create-cost-and-limits",
                    test_tce_create_cost_and_limits);
    g_test_add_func("/vfio-sim/kernel/tce_iommu_create_default_window/"
                    "default-window-is-lazy",
                    test_default_window_is_lazy);
    g_test_add_func("/vfio-sim/kernel/iommu_tce_put_param_check/"
                    "bad-iova-returns-one",
                    test_map_unmap_bad_iova_returns_one);
    g_test_add_func("/vfio-sim/kernel/pnv_tce_xchg/"
                    "write-only-mapping-is-readable",
                    test_write_only_mapping_is_readable);
    g_test_add_func("/vfio-sim/kernel/tce_iommu_ioctl/"
                    "check-extension-both-types",
                    test_check_extension_both_types);
    g_test_add_func("/vfio-sim/kernel/tce_iommu_ioctl/"
                    "tce-create-efault-keeps-window",
                    test_tce_create_efault_keeps_window);
    return g_test_run();
}
