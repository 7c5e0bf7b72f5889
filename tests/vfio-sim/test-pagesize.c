/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim conformance: the process sees the simulated host's PAGE_SIZE
 * (VFIO_SIM_HOST page=64k|4k).  getpagesize()/sysconf(_SC_PAGESIZE) are
 * what the kernel's ELF loader puts in AT_PAGESZ (create_elf_tables);
 * mmap places and sizes mappings in whole pages (do_mmap: PAGE_ALIGN of
 * the length, offset_in_page of the offset and of a MAP_FIXED address);
 * munmap and mprotect refuse an unaligned start and act on whole pages
 * (do_vmi_munmap, do_mprotect_pkey), and mremap moves land on a page
 * (do_mremap).
 *
 * Each page size runs in a child with VFIO_SIM_HOST=page=...; a
 * simulator that does not know the key refuses it at start, and the
 * case is skipped.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include "vsim-test.h"

#define BAR2_OFF    (2ULL << 40)
#define ROUND_UP(n, d) (((n) + (d) - 1) / (d) * (d))

static void *early_map;
static long early_page;

/* Before main and before the simulator has started. */
static void __attribute__((constructor)) map_early(void)
{
    early_page = getpagesize();
    early_map = mmap(NULL, 100, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* The /proc/self/maps line holding @addr: its end and permissions. */
static bool mapping_at(uintptr_t addr, uintptr_t *end, char perms[5])
{
    g_autofree char *maps = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true(g_file_get_contents("/proc/self/maps", &maps, NULL,
                                      NULL));
    lines = g_strsplit(maps, "\n", -1);
    for (char **l = lines; *l; l++) {
        unsigned long s, e;

        if (sscanf(*l, "%lx-%lx %4s", &s, &e, perms) == 3 &&
            s <= addr && addr < e) {
            *end = e;
            return true;
        }
    }
    return false;
}

static void assert_aligned(void *p, uintptr_t page)
{
    g_assert(p != MAP_FAILED);
    g_assert_cmphex((uintptr_t)p & (page - 1), ==, 0);
}

static void child_checks(uintptr_t page)
{
    const int rw = PROT_READ | PROT_WRITE;
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    const size_t lens[] = { 1, 4096, page + 1 };
    int expect_small = page > 4096 ? -1 : 0;
    uintptr_t end;
    char perms[5];
    uint8_t *p;
    int fd;

    /* the simulator starts here; refusing the key ends the process */
    close(open("/dev/vfio/vfio", O_RDWR));

    g_assert_cmpint(getpagesize(), ==, page);
    g_assert_cmpint(sysconf(_SC_PAGESIZE), ==, page);
    g_assert_cmpint(sysconf(_SC_PAGE_SIZE), ==, page);
    g_assert_cmpint(early_page, ==, page);
    assert_aligned(early_map, page);
    g_assert_cmpint(munmap(early_map, 100), ==, 0);

    /* do_mmap: placed on a page, the length rounded up to whole pages */
    for (unsigned i = 0; i < G_N_ELEMENTS(lens); i++) {
        size_t whole = ROUND_UP(lens[i], page);

        p = mmap(NULL, lens[i], rw, anon, -1, 0);
        assert_aligned(p, page);
        g_assert_true(mapping_at((uintptr_t)p + whole - 1, &end, perms));
        p[whole - 1] = 1;
        g_assert_cmpint(munmap(p, lens[i]), ==, 0);
        g_assert_false(mapping_at((uintptr_t)p + whole - 1, &end, perms));
    }

    p = mmap(NULL, 4 * page, rw, anon, -1, 0);
    assert_aligned(p, page);
    /* an address inside a page: MAP_FIXED, munmap, mprotect say EINVAL */
    g_assert(mmap(p + 4096, 4096, rw, anon | MAP_FIXED, -1, 0) ==
             (expect_small ? MAP_FAILED : (void *)(p + 4096)));
    if (expect_small) {
        g_assert_cmpint(errno, ==, EINVAL);
    }
    g_assert_cmpint(mprotect(p + 4096, 4096, PROT_READ), ==,
                    expect_small);
    if (expect_small) {
        g_assert_cmpint(errno, ==, EINVAL);
    }
    g_assert_cmpint(munmap(p + 4096, 4096), ==, expect_small);
    if (expect_small) {
        g_assert_cmpint(errno, ==, EINVAL);
    }
    g_assert_cmpint(munmap(p, 0), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    /* do_mprotect_pkey: one byte protects the whole page */
    g_assert_cmpint(mprotect(p + 2 * page, 1, PROT_READ), ==, 0);
    g_assert_true(mapping_at((uintptr_t)p + 3 * page - 1, &end, perms));
    g_assert_cmpstr(perms, ==, "r--p");
    g_assert_true(mapping_at((uintptr_t)p + 3 * page, &end, perms));
    g_assert_cmpstr(perms, ==, "rw-p");
    /* do_mremap: an aligned start, and a move lands on a page */
    if (expect_small) {
        g_assert(mremap(p + 4096, 4096, 8192, MREMAP_MAYMOVE) ==
                 MAP_FAILED);
        g_assert_cmpint(errno, ==, EINVAL);
    }
    g_assert_cmpint(munmap(p, 4 * page), ==, 0);
    p = mmap(NULL, 4 * page, rw, anon, -1, 0);
    assert_aligned(p, page);
    {
        /* something right after it: growing must move it */
        uint8_t *guard = mmap(p + 4 * page, page, PROT_NONE,
                              anon | MAP_FIXED_NOREPLACE, -1, 0);
        uint8_t *q = mremap(p, 4 * page, 6 * page, MREMAP_MAYMOVE);

        assert_aligned(q, page);
        g_assert(q != p);
        g_assert_true(mapping_at((uintptr_t)q + 6 * page - 1, &end,
                                 perms));
        g_assert_cmpint(munmap(q, 6 * page), ==, 0);
        if (guard != MAP_FAILED) {
            g_assert_cmpint(munmap(guard, page), ==, 0);
        }
    }

    /* a file offset inside a page is EINVAL */
    fd = memfd_create("pagesize", MFD_CLOEXEC);
    g_assert_cmpint(ftruncate(fd, 2 * page), ==, 0);
    p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
    g_assert(p == (expect_small ? MAP_FAILED : p));
    if (expect_small) {
        g_assert_cmpint(errno, ==, EINVAL);
    } else {
        munmap(p, 4096);
    }
    p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, page);
    assert_aligned(p, page);
    munmap(p, 4096);
    close(fd);

    /* the simulator's own mappings too: a BAR of the device */
    {
        int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
        int d = xioctl(g, VFIO_GROUP_GET_DEVICE_FD, BDF0);

        g_assert_cmpint(d, >=, 0);
        p = mmap(NULL, 64 * KiB, rw, MAP_SHARED, d, BAR2_OFF);
        assert_aligned(p, page);
        g_assert_cmpint(munmap(p, 64 * KiB), ==, 0);
        close(d);
        close(g);
        close(c);
    }
}

static void run_page(const char *spec, uintptr_t page)
{
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) env = g_get_environ();
    g_autofree char *errout = NULL, *arg = g_strdup_printf("%lu",
                                                           (gulong)page);
    const char *argv[] = { "/proc/self/exe", "--child", arg, NULL };
    int status;

    env = g_environ_setenv(env, "VFIO_SIM_HOST", spec, true);
    env = g_environ_unsetenv(env, "VFIO_SIM_CONTROL");
    env = g_environ_unsetenv(env, "VFIO_SIM_REPORT");
    g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                 NULL, &errout, &status, &err);
    g_assert_no_error(err);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
        strstr(errout, "VFIO_SIM_HOST") && strstr(errout, spec)) {
        g_test_skip(errout);
        return;
    }
    if (errout && *errout) {
        g_test_message("child: %s", errout);
    }
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void test_page_64k(void)
{
    run_page("page=64k", 64 * KiB);
}

static void test_page_4k(void)
{
    run_page("page=4k", 4 * KiB);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--child")) {
        child_checks(strtoul(argv[2], NULL, 0));
        return 0;
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/pagesize/64k-do_mmap-munmap-mprotect",
                    test_page_64k);
    g_test_add_func("/vfio-sim/pagesize/4k-do_mmap-munmap-mprotect",
                    test_page_4k);
    return g_test_run();
}
