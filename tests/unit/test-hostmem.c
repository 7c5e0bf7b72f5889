/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Host memory backends: memory-backend-ram, -memfd and -file.
 */
#include "memtest.h"
#include "sysemu/hostmem.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>

static uint64_t page(void)
{
    return qemu_real_host_page_size();
}

/* Props from "key", "value", ..., NULL. */
static GHashTable *props(const char *key, ...)
{
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          g_free);
    va_list ap;

    va_start(ap, key);
    while (key) {
        const char *val = va_arg(ap, const char *);

        g_hash_table_insert(h, g_strdup(key), g_strdup(val));
        key = va_arg(ap, const char *);
    }
    va_end(ap);
    return h;
}

static HostMemoryBackend *create_ok(const char *type, const char *id,
                                    GHashTable *h)
{
    HostMemoryBackend *be = host_memory_backend_create(type, id, h,
                                                       &error_abort);

    g_hash_table_unref(h);
    return be;
}

/* The error message of a creation that must fail. */
static char *create_err(const char *type, const char *id, GHashTable *h)
{
    Error *err = NULL;
    char *msg;

    g_assert_null(host_memory_backend_create(type, id, h, &err));
    g_assert_nonnull(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    g_hash_table_unref(h);
    return msg;
}

static void destroy(HostMemoryBackend *be)
{
    g_assert_true(host_memory_backend_destroy(be, &error_abort));
}

static RAMBlock *block(HostMemoryBackend *be)
{
    return memory_region_get_ram_block(host_memory_backend_get_memory(be));
}

static void test_ram_private(void)
{
    HostMemoryBackend *be = create_ok("memory-backend-ram", "r0",
                                      props("size", "1M", NULL));
    MemoryRegion *mr = host_memory_backend_get_memory(be);

    g_assert_cmpuint(memory_region_size(mr), ==, 1 << 20);
    g_assert_true(memory_region_is_ram(mr));
    g_assert_cmpstr(memory_region_name(mr), ==, "r0");
    g_assert_cmpint(block(be)->fd, ==, -1);
    g_assert_false(block(be)->flags & RAM_SHARED);
    g_assert_cmpuint(host_memory_backend_pagesize(be), ==, page());
    destroy(be);
}

static void test_ram_share_second_mapping(void)
{
    HostMemoryBackend *be = create_ok("memory-backend-ram", "r1",
                                      props("size", "2M", "share", "on",
                                            NULL));
    RAMBlock *rb = block(be);
    uint8_t *second;

    g_assert_true(rb->flags & RAM_SHARED);
    g_assert_cmpint(rb->fd, >=, 0);
    second = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED,
                  rb->fd, 0);
    g_assert_true(second != MAP_FAILED);
    rb->host[12345] = 0x42;
    g_assert_cmpuint(second[12345], ==, 0x42);
    second[(2 << 20) - 1] = 0x24;
    g_assert_cmpuint(rb->host[(2 << 20) - 1], ==, 0x24);
    munmap(second, 2 << 20);
    destroy(be);
}

static void test_memfd_shared_and_sealed(void)
{
    HostMemoryBackend *be = create_ok("memory-backend-memfd", "m0",
                                      props("size", "64K", NULL));
    RAMBlock *rb = block(be);
    uint8_t byte = 0;
    int seals;

    g_assert_true(be->share);
    g_assert_true(rb->flags & RAM_SHARED);
    rb->host[100] = 0x99;
    g_assert_cmpint(pread(rb->fd, &byte, 1, 100), ==, 1);
    g_assert_cmpuint(byte, ==, 0x99);
    seals = fcntl(rb->fd, F_GET_SEALS);
    g_assert_cmpint(seals & (F_SEAL_GROW | F_SEAL_SHRINK),
                    ==, F_SEAL_GROW | F_SEAL_SHRINK);
    g_assert_cmpint(ftruncate(rb->fd, 128 << 10), ==, -1);
    g_assert_cmpint(errno, ==, EPERM);
    destroy(be);

    be = create_ok("memory-backend-memfd", "m1",
                   props("size", "64K", "seal", "off", "share", "off",
                         NULL));
    g_assert_false(block(be)->flags & RAM_SHARED);
    g_assert_cmpint(fcntl(block(be)->fd, F_GET_SEALS) & F_SEAL_SHRINK,
                    ==, 0);
    destroy(be);
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

static void test_memfd_hugetlb(void)
{
    GHashTable *h = props("size", "2M", "hugetlb", "on",
                          "hugetlbsize", "2M", NULL);
    g_autofree char *msg = NULL;
    HostMemoryBackend *be;

    if (huge_pages_free() > 0) {
        be = create_ok("memory-backend-memfd", "huge", h);
        g_assert_cmpuint(host_memory_backend_pagesize(be), ==, 2 << 20);
        destroy(be);
        return;
    }
    msg = create_err("memory-backend-memfd", "huge", h);
    g_test_message("%s", msg);
    g_assert_nonnull(strstr(msg, "huge pages"));
    g_assert_nonnull(strstr(msg, "'huge'"));
    g_assert_null(host_memory_backend_find("huge"));
}

static void test_memfd_hugetlbsize_needs_hugetlb(void)
{
    g_autofree char *msg = create_err("memory-backend-memfd", "hs",
                                      props("size", "2M", "hugetlbsize",
                                            "2M", NULL));

    g_assert_nonnull(strstr(msg, "hugetlb"));
}

static void test_file_in_temp_dir(void)
{
    g_autofree char *dir = g_dir_make_tmp("hostmem-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "guest.ram", NULL);
    HostMemoryBackend *be;
    uint8_t byte = 0;
    int fd;

    be = create_ok("memory-backend-file", "f0",
                   props("size", "1M", "mem-path", path, "share", "on",
                         NULL));
    block(be)->host[4096] = 0x5c;
    fd = open(path, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, &byte, 1, 4096), ==, 1);
    g_assert_cmpuint(byte, ==, 0x5c);
    close(fd);
    destroy(be);

    /* A directory gets a file of its own that leaves no trace. */
    be = create_ok("memory-backend-file", "f1",
                   props("size", "64K", "mem-path", dir, NULL));
    block(be)->host[0] = 1;
    destroy(be);
    g_assert_cmpint(unlink(path), ==, 0);
    g_assert_cmpint(rmdir(dir), ==, 0);
}

static void test_file_align(void)
{
    g_autofree char *dir = g_dir_make_tmp("hostmem-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "dax", NULL);
    HostMemoryBackend *be;

    be = create_ok("memory-backend-file", "f2",
                   props("size", "128K", "mem-path", path, "align", "16M",
                         "share", "on", NULL));
    g_assert_cmpuint((uintptr_t)block(be)->host % (16 << 20), ==, 0);
    g_assert_cmpuint(block(be)->align, ==, 16 << 20);
    destroy(be);
    unlink(path);
    rmdir(dir);
}

static void test_file_misaligned_size(void)
{
    g_autofree char *dir = g_dir_make_tmp("hostmem-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "odd", NULL);
    g_autofree char *sz = g_strdup_printf("0x%" PRIx64, page() + 100);
    g_autofree char *val = g_strdup_printf("%" PRIu64, page() + 100);
    g_autofree char *msg = create_err("memory-backend-file", "f3",
                                      props("size", val, "mem-path", path,
                                            NULL));

    g_assert_nonnull(strstr(msg, sz));
    g_assert_nonnull(strstr(msg, "page size"));
    /* A file made for the backend goes away with the failure. */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    rmdir(dir);
}

static void test_file_prealloc(void)
{
    g_autofree char *dir = g_dir_make_tmp("hostmem-XXXXXX", NULL);
    unsigned char vec[8];
    HostMemoryBackend *be;
    unsigned i;

    be = create_ok("memory-backend-file", "f4",
                   props("size", "32K", "mem-path", dir, "prealloc", "on",
                         "share", "on", NULL));
    g_assert_cmpint(mincore(block(be)->host, 32 << 10, vec), ==, 0);
    for (i = 0; i < (32 << 10) / page(); i++) {
        g_assert_cmpuint(vec[i] & 1, ==, 1);
    }
    destroy(be);
    rmdir(dir);
}

static void test_file_readonly(void)
{
    g_autofree char *dir = g_dir_make_tmp("hostmem-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "rom", NULL);
    g_autofree char *content = g_malloc(page());
    AddressSpace as;
    MemoryRegion *root = test_container_new("root", 1 << 20);
    HostMemoryBackend *be;
    uint32_t v = 0xffffffff;

    memset(content, 0xa5, page());
    g_assert_true(g_file_set_contents(path, content, page(), NULL));
    be = create_ok("memory-backend-file", "f5",
                   props("size", "4K", "mem-path", path, "readonly", "on",
                         NULL));
    g_assert_true(block(be)->flags & RAM_READONLY);
    memory_region_add_subregion(root, 0, host_memory_backend_get_memory(be));
    address_space_init(&as, root, "ro-as");
    g_assert_cmphex(ldl_be_phys(&as, 0), ==, 0xa5a5a5a5);
    /* The write is dropped: it would fault on the PROT_READ mapping. */
    g_assert_cmpint(address_space_write(&as, 0, MEMTXATTRS_UNSPECIFIED,
                                        &v, 4), ==, MEMTX_OK);
    g_assert_cmphex(ldl_be_phys(&as, 0), ==, 0xa5a5a5a5);
    address_space_destroy(&as);
    memory_region_del_subregion(root, host_memory_backend_get_memory(be));
    memory_region_unref(root);
    destroy(be);
    unlink(path);
    rmdir(dir);
}

static void test_file_discard_data(void)
{
    g_autofree char *dir = g_dir_make_tmp("hostmem-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "scratch", NULL);
    g_autofree char *content = NULL;
    HostMemoryBackend *be;
    gsize len = 0;

    be = create_ok("memory-backend-file", "f6",
                   props("size", "8K", "mem-path", path, "share", "on",
                         "discard-data", "on", NULL));
    memset(block(be)->host, 0x11, 8192);
    destroy(be);
    g_assert_true(g_file_get_contents(path, &content, &len, NULL));
    g_assert_cmpuint(len, ==, 8192);
    g_assert_cmpuint((uint8_t)content[0], ==, 0);
    g_assert_cmpuint((uint8_t)content[8191], ==, 0);
    unlink(path);
    rmdir(dir);
}

static void test_file_needs_mem_path(void)
{
    g_autofree char *msg = create_err("memory-backend-file", "f7",
                                      props("size", "4K", NULL));

    g_assert_nonnull(strstr(msg, "mem-path"));
}

static void test_unknown_property_named(void)
{
    g_autofree char *m1 = create_err("memory-backend-ram", "u0",
                                     props("size", "4K", "mem-path", "/tmp",
                                           NULL));
    g_autofree char *m2 = create_err("memory-backend-memfd", "u1",
                                     props("size", "4K", "bogus", "1",
                                           NULL));
    g_autofree char *m3 = create_err("memory-backend-nope", "u2",
                                     props("size", "4K", NULL));

    g_assert_nonnull(strstr(m1, "'mem-path'"));
    g_assert_nonnull(strstr(m1, "memory-backend-ram"));
    g_assert_nonnull(strstr(m2, "'bogus'"));
    g_assert_nonnull(strstr(m2, "memory-backend-memfd"));
    g_assert_nonnull(strstr(m3, "memory-backend-nope"));
    g_assert_false(host_memory_backend_type_known("memory-backend-nope"));
    g_assert_true(g_strv_contains(
        host_memory_backend_props("memory-backend-file"), "align"));
}

static void test_bad_values(void)
{
    g_autofree char *m1 = create_err("memory-backend-ram", "v0",
                                     props("share", "on", NULL));
    g_autofree char *m2 = create_err("memory-backend-ram", "v1",
                                     props("size", "lots", NULL));
    g_autofree char *m3 = create_err("memory-backend-ram", "v2",
                                     props("size", "4K", "share", "maybe",
                                           NULL));

    g_assert_nonnull(strstr(m1, "'size'"));
    g_assert_nonnull(strstr(m2, "lots"));
    g_assert_nonnull(strstr(m3, "maybe"));
}

static void test_registry(void)
{
    HostMemoryBackend *a = create_ok("memory-backend-ram", "reg-a",
                                     props("size", "4K", NULL));
    HostMemoryBackend *b = create_ok("memory-backend-memfd", "reg-b",
                                     props("size", "4K", NULL));
    g_autofree char *dup = create_err("memory-backend-ram", "reg-a",
                                      props("size", "8K", NULL));
    GList *list = host_memory_backend_list();

    g_assert_nonnull(strstr(dup, "'reg-a'"));
    g_assert_true(host_memory_backend_find("reg-a") == a);
    g_assert_true(host_memory_backend_find("reg-b") == b);
    g_assert_cmpuint(g_list_length(list), ==, 2);
    g_assert_true(list->data == a && list->next->data == b);
    g_list_free(list);
    destroy(a);
    g_assert_null(host_memory_backend_find("reg-a"));
    destroy(b);
}

static void test_destroy_refused_in_use(void)
{
    HostMemoryBackend *be = create_ok("memory-backend-ram", "busy",
                                      props("size", "4K", NULL));
    MemoryRegion *root = test_container_new("root", 1 << 20);
    Error *err = NULL;

    host_memory_backend_set_in_use(be, true);
    g_assert_false(host_memory_backend_destroy(be, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "'busy'"));
    error_free(err);
    err = NULL;
    g_assert_true(host_memory_backend_find("busy") == be);
    host_memory_backend_set_in_use(be, false);

    /* Mapped somewhere counts as in use too. */
    memory_region_add_subregion(root, 0, host_memory_backend_get_memory(be));
    g_assert_false(host_memory_backend_destroy(be, &err));
    error_free(err);
    memory_region_del_subregion(root, host_memory_backend_get_memory(be));
    memory_region_unref(root);
    destroy(be);
}

/* Guest accesses through an address space land in the backend's memory. */
static void test_backend_in_address_space(void)
{
    HostMemoryBackend *be = create_ok("memory-backend-memfd", "guest",
                                      props("size", "1M", NULL));
    MemoryRegion *root = test_container_new("root", 1 << 30);
    AddressSpace as;

    memory_region_add_subregion(root, 0x100000,
                                host_memory_backend_get_memory(be));
    address_space_init(&as, root, "guest-as");
    stl_be_phys(&as, 0x100010, 0x01020304);
    g_assert_cmpuint(block(be)->host[0x10], ==, 1);
    g_assert_cmpuint(block(be)->host[0x13], ==, 4);
    address_space_destroy(&as);
    memory_region_del_subregion(root, host_memory_backend_get_memory(be));
    memory_region_unref(root);
    destroy(be);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_init_system();
    g_test_add_func("/hostmem/ram/private-anonymous", test_ram_private);
    g_test_add_func("/hostmem/ram/share-on-seen-through-second-mapping",
                    test_ram_share_second_mapping);
    g_test_add_func("/hostmem/memfd/shared-and-sealed-by-default",
                    test_memfd_shared_and_sealed);
    g_test_add_func("/hostmem/memfd/hugetlb-huge-page-size-or-clear-error",
                    test_memfd_hugetlb);
    g_test_add_func("/hostmem/memfd/hugetlbsize-needs-hugetlb",
                    test_memfd_hugetlbsize_needs_hugetlb);
    g_test_add_func("/hostmem/file/shared-writes-reach-file-in-temp-dir",
                    test_file_in_temp_dir);
    g_test_add_func("/hostmem/file/align-honoured", test_file_align);
    g_test_add_func("/hostmem/file/misaligned-size-rejected-naming-it",
                    test_file_misaligned_size);
    g_test_add_func("/hostmem/file/prealloc-populates", test_file_prealloc);
    g_test_add_func("/hostmem/file/readonly-ignores-guest-writes",
                    test_file_readonly);
    g_test_add_func("/hostmem/file/discard-data-drops-content",
                    test_file_discard_data);
    g_test_add_func("/hostmem/file/mem-path-required",
                    test_file_needs_mem_path);
    g_test_add_func("/hostmem/props/unknown-key-named-with-type",
                    test_unknown_property_named);
    g_test_add_func("/hostmem/props/missing-size-and-bad-values-named",
                    test_bad_values);
    g_test_add_func("/hostmem/registry/find-list-duplicate-id",
                    test_registry);
    g_test_add_func("/hostmem/registry/destroy-refused-while-in-use",
                    test_destroy_refused_in_use);
    g_test_add_func("/hostmem/guest-access-lands-in-backend",
                    test_backend_in_address_space);
    return g_test_run();
}
