/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RAM blocks (exec.c): how host memory is mapped for guest RAM.
 */
#include "memtest.h"

#include <sys/mman.h>
#include <fcntl.h>

static uint64_t page(void)
{
    return qemu_real_host_page_size();
}

static RAMBlockParams anon(const char *name, uint64_t size)
{
    return (RAMBlockParams) { .name = name, .size = size, .fd = -1 };
}

static unsigned long huge_pages_free(void)
{
    g_autofree char *text = NULL;
    const char *p;

    if (!g_file_get_contents("/proc/meminfo", &text, NULL, NULL)) {
        return 0;
    }
    p = strstr(text, "HugePages_Free:");
    return p ? strtoul(p + strlen("HugePages_Free:"), NULL, 10) : 0;
}

static void test_anonymous_private(void)
{
    RAMBlockParams p = anon("anon", 4 * page());
    RAMBlock *rb = qemu_ram_alloc(&p, &error_abort);

    g_assert_nonnull(rb->host);
    g_assert_cmpuint(rb->page_size, ==, page());
    g_assert_cmpuint(rb->used_length, ==, 4 * page());
    g_assert_cmpint(rb->fd, ==, -1);
    g_assert_false(rb->flags & RAM_SHARED);
    g_assert_cmpuint((uintptr_t)rb->host % page(), ==, 0);
    /* Fresh anonymous memory is zero and writable to the last byte. */
    g_assert_cmpuint(rb->host[0], ==, 0);
    rb->host[4 * page() - 1] = 0x5a;
    g_assert_cmpuint(rb->host[4 * page() - 1], ==, 0x5a);
    qemu_ram_free(rb);
}

static void test_misaligned_size_rejected(void)
{
    RAMBlockParams p = anon("odd", page() + 512);
    g_autofree char *sz = g_strdup_printf("0x%" PRIx64, page() + 512);
    g_autofree char *ps = g_strdup_printf("0x%" PRIx64, page());
    Error *err = NULL;

    g_assert_null(qemu_ram_alloc(&p, &err));
    g_assert_nonnull(err);
    /* The message names the block, the size and the page size. */
    g_assert_nonnull(strstr(error_get_pretty(err), "'odd'"));
    g_assert_nonnull(strstr(error_get_pretty(err), sz));
    g_assert_nonnull(strstr(error_get_pretty(err), ps));
    error_free(err);
}

static void test_zero_size_rejected(void)
{
    RAMBlockParams p = anon("empty", 0);
    Error *err = NULL;

    g_assert_null(qemu_ram_alloc(&p, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "zero"));
    error_free(err);
}

static void test_align_honoured(void)
{
    static const uint64_t aligns[] = { 2 << 20, 64 << 20 };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(aligns); i++) {
        RAMBlockParams p = anon("aligned", 2 * page());
        RAMBlock *rb;

        p.align = aligns[i];
        rb = qemu_ram_alloc(&p, &error_abort);
        g_assert_cmpuint((uintptr_t)rb->host % aligns[i], ==, 0);
        g_assert_cmpuint(rb->align, ==, aligns[i]);
        /* Only the block stays mapped, not the alignment slack. */
        g_assert_cmpuint(rb->map_length, ==, 2 * page());
        rb->host[0] = 1;
        qemu_ram_free(rb);
    }
}

static void test_bad_align_rejected(void)
{
    RAMBlockParams p = anon("badalign", 4 * page());
    Error *err = NULL;

    p.align = 3 * page();
    g_assert_null(qemu_ram_alloc(&p, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "align"));
    error_free(err);
}

static void test_prealloc_populates(void)
{
    RAMBlockParams p = anon("prealloc", 16 * page());
    unsigned char vec[16];
    RAMBlock *rb;
    unsigned i;

    p.prealloc = true;
    rb = qemu_ram_alloc(&p, &error_abort);
    g_assert_cmpint(mincore(rb->host, 16 * page(), vec), ==, 0);
    for (i = 0; i < 16; i++) {
        g_assert_cmpuint(vec[i] & 1, ==, 1);
    }
    qemu_ram_free(rb);

    /* Without prealloc nothing is touched. */
    p.prealloc = false;
    rb = qemu_ram_alloc(&p, &error_abort);
    g_assert_cmpint(mincore(rb->host, 16 * page(), vec), ==, 0);
    for (i = 0; i < 16; i++) {
        g_assert_cmpuint(vec[i] & 1, ==, 0);
    }
    qemu_ram_free(rb);
}

static void test_shared_memfd_second_mapping(void)
{
    RAMBlockParams p = { .name = "shared", .size = 2 * page(),
                         .share = true };
    uint8_t *second;
    RAMBlock *rb;

    p.fd = qemu_memfd_create("shared", p.size, false, 0, false,
                             &error_abort);
    rb = qemu_ram_alloc(&p, &error_abort);
    g_assert_true(rb->flags & RAM_SHARED);
    g_assert_cmpint(rb->fd, ==, p.fd);
    second = mmap(NULL, p.size, PROT_READ | PROT_WRITE, MAP_SHARED, rb->fd,
                  0);
    g_assert_true(second != MAP_FAILED);
    rb->host[page() + 7] = 0xab;
    g_assert_cmpuint(second[page() + 7], ==, 0xab);
    second[3] = 0xcd;
    g_assert_cmpuint(rb->host[3], ==, 0xcd);
    munmap(second, p.size);
    qemu_ram_free(rb);
}

static void test_private_fd_copy_on_write(void)
{
    RAMBlockParams p = { .name = "cow", .size = page() };
    uint8_t byte = 0;
    RAMBlock *rb;
    int fd;

    p.fd = qemu_memfd_create("cow", p.size, false, 0, false, &error_abort);
    fd = dup(p.fd);
    rb = qemu_ram_alloc(&p, &error_abort);
    g_assert_false(rb->flags & RAM_SHARED);
    rb->host[0] = 0x77;
    /* share=off: the file does not see the guest's writes. */
    g_assert_cmpint(pread(fd, &byte, 1, 0), ==, 1);
    g_assert_cmpuint(byte, ==, 0);
    qemu_ram_free(rb);
    close(fd);
}

static void test_free_closes_fd(void)
{
    RAMBlockParams p = { .name = "closing", .size = page(), .share = true };
    RAMBlock *rb;
    int fd;

    p.fd = qemu_memfd_create("closing", p.size, false, 0, false,
                             &error_abort);
    fd = p.fd;
    rb = qemu_ram_alloc(&p, &error_abort);
    g_assert_cmpint(fcntl(fd, F_GETFD), >=, 0);
    qemu_ram_free(rb);
    g_assert_cmpint(fcntl(fd, F_GETFD), ==, -1);
    g_assert_cmpint(errno, ==, EBADF);
}

static void test_file_too_short_rejected(void)
{
    RAMBlockParams p = { .name = "short", .size = 4 * page(),
                         .share = true, .mem_path = "memfd:short" };
    Error *err = NULL;

    p.fd = qemu_memfd_create("short", page(), false, 0, false, &error_abort);
    g_assert_null(qemu_ram_alloc(&p, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "memfd:short"));
    error_free(err);
    close(p.fd);
}

static void test_fd_pagesize_of_memfd_is_base_page(void)
{
    int fd = qemu_memfd_create("pg", page(), false, 0, false, &error_abort);

    g_assert_cmpuint(qemu_fd_getpagesize(fd), ==, page());
    close(fd);
}

/*
 * Huge pages: on a host with a free pool the block has the huge page
 * size; without one the failure must say what is missing.
 */
static void test_hugetlb_page_size_or_clear_error(void)
{
    RAMBlockParams p = anon("huge", 2 << 20);
    Error *err = NULL;
    RAMBlock *rb;

    p.hugetlb = true;
    p.share = true;
    rb = qemu_ram_alloc(&p, &err);
    if (huge_pages_free() > 0) {
        g_assert_nonnull(rb);
        g_assert_cmpuint(rb->page_size, >, page());
        g_assert_true(rb->flags & RAM_HUGETLB);
        qemu_ram_free(rb);
        return;
    }
    g_assert_null(rb);
    g_assert_nonnull(err);
    g_test_message("no huge pages: %s", error_get_pretty(err));
    g_assert_nonnull(strstr(error_get_pretty(err), "huge"));
    error_free(err);
}

static int count_block(RAMBlock *rb, void *opaque)
{
    GPtrArray *seen = opaque;

    g_ptr_array_add(seen, rb);
    return 0;
}

static int stop_at_second(RAMBlock *rb, void *opaque)
{
    unsigned *n = opaque;

    return ++*n == 2 ? 42 : 0;
}

static void test_block_lookup_and_foreach(void)
{
    RAMBlockParams pa = anon("a", 2 * page()), pb = anon("b", page());
    RAMBlock *a = qemu_ram_alloc(&pa, &error_abort);
    RAMBlock *b = qemu_ram_alloc(&pb, &error_abort);
    g_autoptr(GPtrArray) seen = g_ptr_array_new();
    uint8_t local[64];
    uint64_t off = 0;
    RAMBlock *c = qemu_ram_alloc_from_ptr("c", sizeof(local), local);
    unsigned n = 0;

    g_assert_true(qemu_ram_block_from_host(a->host + page() + 3, &off) == a);
    g_assert_cmpuint(off, ==, page() + 3);
    g_assert_true(qemu_ram_block_from_host(b->host, &off) == b);
    g_assert_cmpuint(off, ==, 0);
    g_assert_true(qemu_ram_block_from_host(local + 10, &off) == c);
    g_assert_cmpuint(off, ==, 10);
    g_assert_null(qemu_ram_block_from_host(&n, NULL));

    qemu_ram_foreach_block(count_block, seen);
    g_assert_cmpuint(seen->len, ==, 3);
    g_assert_true(g_ptr_array_index(seen, 0) == a);
    g_assert_true(g_ptr_array_index(seen, 2) == c);
    g_assert_cmpint(qemu_ram_foreach_block(stop_at_second, &n), ==, 42);
    g_assert_cmpuint(n, ==, 2);

    qemu_ram_free(a);
    qemu_ram_free(b);
    qemu_ram_free(c);
    /* The caller's memory is not unmapped by freeing the block. */
    local[0] = 1;
    g_assert_null(qemu_ram_block_from_host(local, NULL));
}

static void test_dirty_range_only_when_logging(void)
{
    RAMBlockParams p = anon("dirty", 8 * TARGET_PAGE_SIZE);
    RAMBlock *rb = qemu_ram_alloc(&p, &error_abort);

    rb->dirty_bitmap = g_new0(unsigned long, 1);
    cpu_physical_memory_set_dirty_range(rb, 0, 8 * TARGET_PAGE_SIZE);
    g_assert_cmphex(rb->dirty_bitmap[0], ==, 0);
    rb->dirty_log = true;
    cpu_physical_memory_set_dirty_range(rb, TARGET_PAGE_SIZE + 1,
                                        TARGET_PAGE_SIZE);
    g_assert_cmphex(rb->dirty_bitmap[0], ==, 0x6);
    qemu_ram_free(rb);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ram/alloc/anonymous-private-base-page",
                    test_anonymous_private);
    g_test_add_func("/ram/alloc/misaligned-size-rejected-naming-it",
                    test_misaligned_size_rejected);
    g_test_add_func("/ram/alloc/zero-size-rejected", test_zero_size_rejected);
    g_test_add_func("/ram/alloc/align-honoured", test_align_honoured);
    g_test_add_func("/ram/alloc/non-power-of-two-align-rejected",
                    test_bad_align_rejected);
    g_test_add_func("/ram/alloc/prealloc-populates-every-page",
                    test_prealloc_populates);
    g_test_add_func("/ram/alloc/share-seen-through-second-mapping",
                    test_shared_memfd_second_mapping);
    g_test_add_func("/ram/alloc/private-fd-mapping-is-copy-on-write",
                    test_private_fd_copy_on_write);
    g_test_add_func("/ram/alloc/file-shorter-than-block-rejected",
                    test_file_too_short_rejected);
    g_test_add_func("/ram/alloc/hugetlb-page-size-or-clear-error",
                    test_hugetlb_page_size_or_clear_error);
    g_test_add_func("/ram/free/closes-fd", test_free_closes_fd);
    g_test_add_func("/ram/fd-pagesize/memfd-is-base-page",
                    test_fd_pagesize_of_memfd_is_base_page);
    g_test_add_func("/ram/block/from-host-and-foreach",
                    test_block_lookup_and_foreach);
    g_test_add_func("/ram/dirty/marked-only-while-logging",
                    test_dirty_range_only_when_logging);
    return g_test_run();
}
