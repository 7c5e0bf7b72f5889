/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * "info mtree" text: the region trees (with address-space grouping,
 * aliases and disabled regions), the flat views (-f) and the lookup
 * structure (-d).
 */
#include "memtest.h"

typedef struct Topology {
    MemoryRegion ram, dev, off, ram_hi;
    AddressSpace memory2;
    MemoryRegion *dma_root;
    MemoryRegion buf, hidden, dma_win;
    AddressSpace dma;
} Topology;

/*
 * system: ram, an I/O device above it, a disabled device, an alias of
 * the upper half of ram; a second AS on the system root; a "dma" AS
 * with a ROM and an alias of a region mapped nowhere else.
 */
static void topology_init(Topology *t)
{
    MemoryRegion *sys = get_system_memory();

    memory_region_transaction_begin();
    g_assert_true(memory_region_init_ram(&t->ram, NULL, "ram", 0x10000,
                                         &error_abort));
    memory_region_add_subregion(sys, 0, &t->ram);
    memory_region_init_io(&t->dev, NULL, &testdev_be_ops, NULL, "dev",
                          0x1000);
    memory_region_add_subregion_overlap(sys, 0x100000, &t->dev, 1);
    memory_region_init_io(&t->off, NULL, &testdev_be_ops, NULL, "off",
                          0x1000);
    memory_region_set_enabled(&t->off, false);
    memory_region_add_subregion(sys, 0x200000, &t->off);
    memory_region_init_alias(&t->ram_hi, NULL, "ram-hi", &t->ram, 0x8000,
                             0x8000);
    memory_region_add_subregion(sys, 0x80000000, &t->ram_hi);
    address_space_init(&t->memory2, sys, "memory2");

    t->dma_root = test_container_new("dma-root", 0x100000000ULL);
    g_assert_true(memory_region_init_rom(&t->buf, NULL, "buf", 0x1000,
                                         &error_abort));
    memory_region_add_subregion(t->dma_root, 0x1000, &t->buf);
    g_assert_true(memory_region_init_ram(&t->hidden, NULL, "hidden", 0x1000,
                                         &error_abort));
    memory_region_init_alias(&t->dma_win, NULL, "dma-win", &t->hidden, 0,
                             0x1000);
    memory_region_add_subregion(t->dma_root, 0x2000, &t->dma_win);
    address_space_init(&t->dma, t->dma_root, "dma");
    memory_region_transaction_commit();
}

static void topology_fini(Topology *t)
{
    MemoryRegion *sys = get_system_memory();

    address_space_destroy(&t->dma);
    address_space_destroy(&t->memory2);
    memory_region_del_subregion(t->dma_root, &t->dma_win);
    memory_region_del_subregion(t->dma_root, &t->buf);
    memory_region_del_subregion(sys, &t->ram_hi);
    memory_region_del_subregion(sys, &t->off);
    memory_region_del_subregion(sys, &t->dev);
    memory_region_del_subregion(sys, &t->ram);
    memory_region_unref(&t->dma_win);
    memory_region_unref(&t->hidden);
    memory_region_unref(&t->buf);
    memory_region_unref(t->dma_root);
    memory_region_unref(&t->ram_hi);
    memory_region_unref(&t->off);
    memory_region_unref(&t->dev);
    memory_region_unref(&t->ram);
}

static char *mtree(bool flat, bool dispatch)
{
    GString *out = g_string_new(NULL);

    mtree_info(out, flat, dispatch, false);
    return g_string_free(out, FALSE);
}

static const char expected_tree[] =
    "address-space: memory\n"
    "address-space: memory2\n"
    "  0000000000000000-ffffffffffffffff (prio 0, container): system\n"
    "    0000000000000000-000000000000ffff (prio 0, ram): ram\n"
    "    0000000000100000-0000000000100fff (prio 1, i/o): dev\n"
    "    0000000000200000-0000000000200fff (prio 0, i/o): off [disabled]\n"
    "    0000000080000000-0000000080007fff (prio 0, alias): ram-hi @ram "
    "0000000000008000-000000000000ffff\n"
    "\n"
    "address-space: dma\n"
    "  0000000000000000-00000000ffffffff (prio 0, container): dma-root\n"
    "    0000000000001000-0000000000001fff (prio 0, rom): buf\n"
    "    0000000000002000-0000000000002fff (prio 0, alias): dma-win @hidden "
    "0000000000000000-0000000000000fff\n"
    "\n"
    "memory-region: hidden\n"
    "  0000000000000000-0000000000000fff (prio 0, ram): hidden\n"
    "\n";

static const char expected_flat[] =
    "FlatView #0\n"
    " AS \"memory\", root: system\n"
    " AS \"memory2\", root: system\n"
    " Root memory region: system\n"
    "  0000000000000000-000000000000ffff (prio 0, ram): ram\n"
    "  0000000000100000-0000000000100fff (prio 1, i/o): dev\n"
    "  0000000080000000-0000000080007fff (prio 0, ram): ram "
    "@0000000000008000\n"
    "\n"
    "FlatView #1\n"
    " AS \"dma\", root: dma-root\n"
    " Root memory region: dma-root\n"
    "  0000000000001000-0000000000001fff (prio 0, rom): buf\n"
    "  0000000000002000-0000000000002fff (prio 0, ram): hidden\n"
    "\n";

static const char expected_dispatch[] =
    "FlatView #0\n"
    " AS \"memory\", root: system\n"
    " AS \"memory2\", root: system\n"
    " Root memory region: system\n"
    "  0000000000000000-000000000000ffff (prio 0, ram): ram\n"
    "  0000000000100000-0000000000100fff (prio 1, i/o): dev\n"
    "  0000000080000000-0000000080007fff (prio 0, ram): ram "
    "@0000000000008000\n"
    "  Dispatch: 3 ranges, binary search\n"
    "   [0] 0000000000000000-000000000000ffff -> ram @0000000000000000\n"
    "   [1] 0000000000100000-0000000000100fff -> dev @0000000000000000\n"
    "   [2] 0000000080000000-0000000080007fff -> ram @0000000000008000\n"
    "\n"
    "FlatView #1\n"
    " AS \"dma\", root: dma-root\n"
    " Root memory region: dma-root\n"
    "  0000000000001000-0000000000001fff (prio 0, rom): buf\n"
    "  0000000000002000-0000000000002fff (prio 0, ram): hidden\n"
    "  Dispatch: 2 ranges, binary search\n"
    "   [0] 0000000000001000-0000000000001fff -> buf @0000000000000000\n"
    "   [1] 0000000000002000-0000000000002fff -> hidden @0000000000000000\n"
    "\n";

/* Render the test topology in one of the three views and compare. */
static void check_view(bool flatview, bool dispatch, const char *expected)
{
    Topology t;
    g_autofree char *out = NULL;

    topology_init(&t);
    out = mtree(flatview, dispatch);
    g_test_message("%s", out);
    g_assert_cmpstr(out, ==, expected);
    topology_fini(&t);
}

static void test_mtree_tree(void)
{
    check_view(false, false, expected_tree);
}

static void test_mtree_flat(void)
{
    check_view(true, false, expected_flat);
}

static void test_mtree_dispatch(void)
{
    check_view(true, true, expected_dispatch);
}

/* Siblings: ascending address, then higher priority, then newest. */
static void test_mtree_sibling_order(void)
{
    MemoryRegion *sys = get_system_memory();
    MemoryRegion a, b, c;
    g_autofree char *out = NULL;
    const char *pa, *pb, *pc;

    memory_region_init_io(&a, NULL, &testdev_be_ops, NULL, "sib-a", 0x100);
    memory_region_init_io(&b, NULL, &testdev_be_ops, NULL, "sib-b", 0x100);
    memory_region_init_io(&c, NULL, &testdev_be_ops, NULL, "sib-c", 0x100);
    memory_region_add_subregion_overlap(sys, 0x5000, &a, 0);
    memory_region_add_subregion_overlap(sys, 0x5000, &b, 0);
    memory_region_add_subregion_overlap(sys, 0x5000, &c, 2);
    out = mtree(false, false);
    pa = strstr(out, "sib-a");
    pb = strstr(out, "sib-b");
    pc = strstr(out, "sib-c");
    g_assert_true(pa && pb && pc);
    g_assert_true(pc < pb && pb < pa);
    memory_region_del_subregion(sys, &a);
    memory_region_del_subregion(sys, &b);
    memory_region_del_subregion(sys, &c);
    memory_region_unref(&a);
    memory_region_unref(&b);
    memory_region_unref(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_init_system();
    g_test_add_func("/mtree/tree/grouped-by-root-with-aliases",
                    test_mtree_tree);
    g_test_add_func("/mtree/flat/views-with-sharing-address-spaces",
                    test_mtree_flat);
    g_test_add_func("/mtree/dispatch/binary-search-ranges",
                    test_mtree_dispatch);
    g_test_add_func("/mtree/tree/siblings-address-priority-newest",
                    test_mtree_sibling_order);
    return g_test_run();
}
