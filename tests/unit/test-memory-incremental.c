/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Incremental view updates (memory.c, memory_update_one): a transaction
 * whose only change is one subregion added or removed where nothing
 * else shows patches the views that contain it, and listeners see only
 * that region's ranges.  Every other change still renders from scratch.
 *
 * Each test checks the patched view against a from-scratch render: a
 * transaction with two changes (a detached region disabled and enabled
 * again) takes the full path, which renders every view anew and reports
 * the difference to the listeners; a correct patched view shows no
 * difference (only region_nop) and the same dump.
 */
#include "memtest.h"

#define K 0x1000

typedef struct Fixture {
    MemoryRegion *root;
    AddressSpace as;
    RecListener l;
    /* An unrelated address space, with its own listener. */
    MemoryRegion *other_root;
    AddressSpace other;
    RecListener o;
    MemoryRegion other_ram;
    MemoryRegion a, b;
    MemoryRegion dummy;         /* detached: toggled to force a render */
    GString *log;
} Fixture;

static void io_region(MemoryRegion *mr, const char *name, uint64_t size)
{
    memory_region_init_io(mr, NULL, &testdev_be_ops, NULL, name, size);
}

static void ram_region(MemoryRegion *mr, const char *name, uint64_t size)
{
    g_assert_true(memory_region_init_ram(mr, NULL, name, size,
                                         &error_abort));
}

#define assert_log(f, expected) do { \
        g_autofree char *log_ = rec_log_take((f)->log); \
        g_assert_cmpstr(log_, ==, (expected)); \
    } while (0)

#define assert_view(f, expected) do { \
        g_autofree char *dump_ = flatview_dump(&(f)->as); \
        g_assert_cmpstr(dump_, ==, (expected)); \
    } while (0)

/*
 * root (1 MiB): RAM a at 0-0x3fff, I/O b over 0x1000-0x1fff (priority
 * 1); "other" over its own root with RAM at 0.  Listener L on as, O on
 * other; logs emptied.
 */
static void fixture_init(Fixture *f)
{
    f->log = g_string_new(NULL);
    f->root = test_container_new("root", 0x100000);
    address_space_init(&f->as, f->root, "as");
    f->other_root = test_container_new("other-root", 0x100000);
    address_space_init(&f->other, f->other_root, "other");
    ram_region(&f->a, "a", 4 * K);
    io_region(&f->b, "b", K);
    ram_region(&f->other_ram, "other-ram", 4 * K);
    io_region(&f->dummy, "dummy", K);
    memory_region_add_subregion(f->root, 0, &f->a);
    memory_region_add_subregion_overlap(f->root, K, &f->b, 1);
    memory_region_add_subregion(f->other_root, 0, &f->other_ram);
    rec_listener_init(&f->l, "L", 0, f->log);
    memory_listener_register(&f->l.ml, &f->as);
    rec_listener_init(&f->o, "O", 0, f->log);
    memory_listener_register(&f->o.ml, &f->other);
    g_string_truncate(f->log, 0);
}

static void fixture_fini(Fixture *f)
{
    memory_listener_unregister(&f->l.ml);
    memory_listener_unregister(&f->o.ml);
    memory_region_del_subregion(f->root, &f->a);
    memory_region_del_subregion(f->root, &f->b);
    memory_region_del_subregion(f->other_root, &f->other_ram);
    memory_region_unref(&f->a);
    memory_region_unref(&f->b);
    memory_region_unref(&f->other_ram);
    memory_region_unref(&f->dummy);
    address_space_destroy(&f->as);
    address_space_destroy(&f->other);
    memory_region_unref(f->root);
    memory_region_unref(f->other_root);
    g_string_free(f->log, TRUE);
}

/* Two changes in one transaction: every view is rendered anew. */
static void render_from_scratch(Fixture *f)
{
    memory_region_transaction_begin();
    memory_region_set_enabled(&f->dummy, false);
    memory_region_set_enabled(&f->dummy, true);
    memory_region_transaction_commit();
}

/*
 * The views of both address spaces are what a from-scratch render
 * gives: rendering again changes nothing, and listeners are told so
 * (only region_nop between begin and commit).
 */
static void assert_same_as_full_render(Fixture *f)
{
    g_autofree char *before = flatview_dump(&f->as);
    g_autofree char *other_before = flatview_dump(&f->other);
    g_autofree char *after = NULL, *other_after = NULL, *log = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned i;

    g_string_truncate(f->log, 0);
    render_from_scratch(f);
    after = flatview_dump(&f->as);
    other_after = flatview_dump(&f->other);
    g_assert_cmpstr(before, ==, after);
    g_assert_cmpstr(other_before, ==, other_after);
    log = rec_log_take(f->log);
    lines = g_strsplit(log, "\n", -1);
    for (i = 0; lines[i] && *lines[i]; i++) {
        g_assert_true(strstr(lines[i], " nop ") ||
                      g_str_has_suffix(lines[i], " begin") ||
                      g_str_has_suffix(lines[i], " commit"));
    }
}

static void test_add_delivers_one_region_add(void)
{
    Fixture f;
    MemoryRegion c;

    fixture_init(&f);
    ram_region(&c, "c", 2 * K);
    memory_region_add_subregion(f.root, 0x8000, &c);
    /* No nop for a and b, and nothing at all for "other". */
    assert_log(&f, "L begin\nL add c 8000+2000@0\nL commit\n");
    assert_view(&f, "0-fff a@0\n1000-1fff b@0\n2000-3fff a@2000\n"
                "8000-9fff c@0\n");
    assert_same_as_full_render(&f);
    memory_region_del_subregion(f.root, &c);
    memory_region_unref(&c);
    fixture_fini(&f);
}

static void test_remove_delivers_one_region_del(void)
{
    Fixture f;
    MemoryRegion c;

    fixture_init(&f);
    ram_region(&c, "c", 2 * K);
    memory_region_add_subregion(f.root, 0x8000, &c);
    g_string_truncate(f.log, 0);
    memory_region_del_subregion(f.root, &c);
    assert_log(&f, "L begin\nL del c 8000+2000@0\nL commit\n");
    assert_view(&f, "0-fff a@0\n1000-1fff b@0\n2000-3fff a@2000\n");
    assert_same_as_full_render(&f);
    memory_region_unref(&c);
    fixture_fini(&f);
}

/* Over a: falls back to the full render, which is still right. */
static void test_overlapping_add_falls_back(void)
{
    Fixture f;
    MemoryRegion c;

    fixture_init(&f);
    io_region(&c, "c", K);
    memory_region_add_subregion_overlap(f.root, 2 * K, &c, 2);
    assert_log(&f, "L begin\nL del a 2000+2000@2000\nL nop a 0+1000@0\n"
               "L nop b 1000+1000@0\nL add c 2000+1000@0\n"
               "L add a 3000+1000@3000\nL commit\n"
               "O begin\nO nop other-ram 0+4000@0\nO commit\n");
    assert_view(&f, "0-fff a@0\n1000-1fff b@0\n2000-2fff c@0\n"
                "3000-3fff a@3000\n");
    assert_same_as_full_render(&f);
    memory_region_del_subregion(f.root, &c);
    assert_log(&f, "L begin\nL del c 2000+1000@0\nL del a 3000+1000@3000\n"
               "L nop a 0+1000@0\nL nop b 1000+1000@0\n"
               "L add a 2000+2000@2000\nL commit\n"
               "O begin\nO nop other-ram 0+4000@0\nO commit\n");
    assert_same_as_full_render(&f);
    memory_region_unref(&c);
    fixture_fini(&f);
}

/* Removing what hides a region below it uncovers that one: full path. */
static void test_removal_uncovering_falls_back(void)
{
    Fixture f;
    MemoryRegion under, c;

    fixture_init(&f);
    io_region(&under, "under", 8 * K);
    io_region(&c, "c", 2 * K);
    memory_region_add_subregion_overlap(f.root, 0x10000, &under, -1);
    memory_region_add_subregion(f.root, 0x12000, &c);
    assert_view(&f, "0-fff a@0\n1000-1fff b@0\n2000-3fff a@2000\n"
                "10000-11fff under@0\n12000-13fff c@0\n"
                "14000-17fff under@4000\n");
    g_string_truncate(f.log, 0);
    memory_region_del_subregion(f.root, &c);
    assert_view(&f, "0-fff a@0\n1000-1fff b@0\n2000-3fff a@2000\n"
                "10000-17fff under@0\n");
    {
        g_autofree char *log = rec_log_take(f.log);

        g_assert_nonnull(strstr(log, "L del c 12000+2000@0\n"));
        g_assert_nonnull(strstr(log, "L add under 10000+8000@0\n"));
    }
    assert_same_as_full_render(&f);
    memory_region_del_subregion(f.root, &under);
    memory_region_unref(&under);
    memory_region_unref(&c);
    fixture_fini(&f);
}

/* A container added whole: one region_add per range it shows. */
static void test_add_container_with_children(void)
{
    Fixture f;
    MemoryRegion box, x, y;

    fixture_init(&f);
    memory_region_init(&box, NULL, "box", 16 * K);
    io_region(&x, "x", K);
    ram_region(&y, "y", 2 * K);
    memory_region_add_subregion(&box, K, &x);
    memory_region_add_subregion(&box, 8 * K, &y);
    assert_log(&f, "");
    memory_region_add_subregion(f.root, 0x20000, &box);
    assert_log(&f, "L begin\nL add x 21000+1000@0\nL add y 28000+2000@0\n"
               "L commit\n");
    assert_same_as_full_render(&f);
    /* Inside the box, visible through root: patched at the right place. */
    memory_region_del_subregion(&box, &x);
    assert_log(&f, "L begin\nL del x 21000+1000@0\nL commit\n");
    assert_same_as_full_render(&f);
    memory_region_del_subregion(f.root, &box);
    assert_log(&f, "L begin\nL del y 28000+2000@0\nL commit\n");
    assert_same_as_full_render(&f);
    memory_region_del_subregion(&box, &y);
    memory_region_unref(&x);
    memory_region_unref(&y);
    memory_region_unref(&box);
    fixture_fini(&f);
}

/* An add clipped by its container shows only the part inside. */
static void test_add_clipped_by_container(void)
{
    Fixture f;
    MemoryRegion box, big;

    fixture_init(&f);
    memory_region_init(&box, NULL, "box", 4 * K);
    memory_region_add_subregion(f.root, 0x40000, &box);
    g_string_truncate(f.log, 0);
    ram_region(&big, "big", 16 * K);
    memory_region_add_subregion(&box, 2 * K, &big);
    assert_log(&f, "L begin\nL add big 42000+2000@0\nL commit\n");
    assert_same_as_full_render(&f);
    memory_region_del_subregion(&box, &big);
    assert_log(&f, "L begin\nL del big 42000+2000@0\nL commit\n");
    assert_same_as_full_render(&f);
    memory_region_del_subregion(f.root, &box);
    memory_region_unref(&big);
    memory_region_unref(&box);
    fixture_fini(&f);
}

/* Address spaces sharing a view all see the add; they still share. */
static void test_shared_view_patched_once(void)
{
    Fixture f;
    AddressSpace as2;
    RecListener l2;
    MemoryRegion c;

    fixture_init(&f);
    address_space_init(&as2, f.root, "as2");
    rec_listener_init(&l2, "L2", 0, f.log);
    memory_listener_register(&l2.ml, &as2);
    g_string_truncate(f.log, 0);
    ram_region(&c, "c", K);
    memory_region_add_subregion(f.root, 0x8000, &c);
    assert_log(&f, "L begin\nL add c 8000+1000@0\nL commit\n"
               "L2 begin\nL2 add c 8000+1000@0\nL2 commit\n");
    g_assert_true(address_space_to_flatview(&f.as) ==
                  address_space_to_flatview(&as2));
    assert_same_as_full_render(&f);
    memory_listener_unregister(&l2.ml);
    address_space_destroy(&as2);
    memory_region_del_subregion(f.root, &c);
    memory_region_unref(&c);
    fixture_fini(&f);
}

/* A view someone holds is not changed under them: it is copied. */
static void test_held_view_left_alone(void)
{
    Fixture f;
    FlatView *held;
    MemoryRegion c;

    fixture_init(&f);
    held = address_space_to_flatview(&f.as);
    flatview_ref(held);
    ram_region(&c, "c", K);
    memory_region_add_subregion(f.root, 0x8000, &c);
    g_assert_true(address_space_to_flatview(&f.as) != held);
    g_assert_cmpuint(held->nr, ==, 3);
    g_assert_cmpuint(address_space_to_flatview(&f.as)->nr, ==, 4);
    flatview_unref(held);
    assert_same_as_full_render(&f);
    memory_region_del_subregion(f.root, &c);
    memory_region_unref(&c);
    fixture_fini(&f);
}

/* An alias of the container shows the add twice: full path. */
static void test_alias_of_container_falls_back(void)
{
    Fixture f;
    MemoryRegion box, win, c;

    fixture_init(&f);
    memory_region_init(&box, NULL, "box", 4 * K);
    memory_region_add_subregion(f.root, 0x30000, &box);
    memory_region_init_alias(&win, NULL, "win", &box, 0, 4 * K);
    memory_region_add_subregion(f.other_root, 0x50000, &win);
    g_string_truncate(f.log, 0);
    ram_region(&c, "c", K);
    memory_region_add_subregion(&box, 0, &c);
    {
        g_autofree char *log = rec_log_take(f.log);

        g_assert_nonnull(strstr(log, "L add c 30000+1000@0\n"));
        g_assert_nonnull(strstr(log, "O add c 50000+1000@0\n"));
    }
    assert_same_as_full_render(&f);
    memory_region_del_subregion(&box, &c);
    {
        g_autofree char *log = rec_log_take(f.log);

        g_assert_nonnull(strstr(log, "L del c 30000+1000@0\n"));
        g_assert_nonnull(strstr(log, "O del c 50000+1000@0\n"));
    }
    assert_same_as_full_render(&f);
    memory_region_del_subregion(f.other_root, &win);
    memory_region_del_subregion(f.root, &box);
    memory_region_unref(&win);
    memory_region_unref(&c);
    memory_region_unref(&box);
    fixture_fini(&f);
}

/* Hidden (disabled) regions come and go without any callback. */
static void test_hidden_add_is_silent(void)
{
    Fixture f;
    MemoryRegion c;

    fixture_init(&f);
    ram_region(&c, "c", K);
    memory_region_set_enabled(&c, false);
    g_string_truncate(f.log, 0);
    memory_region_add_subregion(f.root, 0x8000, &c);
    assert_log(&f, "");
    assert_same_as_full_render(&f);
    memory_region_del_subregion(f.root, &c);
    assert_log(&f, "");
    memory_region_unref(&c);
    fixture_fini(&f);
}

static GString *dirty_log;

static void log_start_cb(MemoryListener *l, MemoryRegionSection *s,
                         int old, int new_)
{
    g_string_append_printf(dirty_log, "%s log_start %s\n", l->name,
                           memory_region_name(s->mr));
}

static void log_stop_cb(MemoryListener *l, MemoryRegionSection *s,
                        int old, int new_)
{
    g_string_append_printf(dirty_log, "%s log_stop %s\n", l->name,
                           memory_region_name(s->mr));
}

/* Under global logging a patched-in RAM section is logged too. */
static void test_add_while_logging_starts_log(void)
{
    Fixture f;
    MemoryRegion c;
    RAMBlock *rb;

    fixture_init(&f);
    dirty_log = f.log;
    f.l.ml.log_start = log_start_cb;
    f.l.ml.log_stop = log_stop_cb;
    g_assert_true(memory_global_dirty_log_start(&error_abort));
    g_string_truncate(f.log, 0);
    ram_region(&c, "c", K);
    memory_region_add_subregion(f.root, 0x8000, &c);
    assert_log(&f, "L begin\nL add c 8000+1000@0\nL log_start c\n"
               "L commit\n");
    rb = memory_region_get_ram_block(&c);
    g_assert_true(rb->dirty_log);
    g_assert_true(memory_region_get_dirty(&c, 0, K, DIRTY_MEMORY_MIGRATION));
    memory_region_del_subregion(f.root, &c);
    assert_log(&f, "L begin\nL log_stop c\nL del c 8000+1000@0\n"
               "L commit\n");
    memory_global_dirty_log_stop();
    g_string_truncate(f.log, 0);
    memory_region_unref(&c);
    fixture_fini(&f);
}

/* Many non-overlapping adds in any order keep the view sorted. */
static void test_many_adds_out_of_order(void)
{
    Fixture f;
    MemoryRegion r[16];
    unsigned order[16] = { 7, 3, 12, 0, 15, 9, 1, 14, 5, 10, 2, 8, 13, 4,
                           11, 6 };
    unsigned i;

    fixture_init(&f);
    for (i = 0; i < 16; i++) {
        g_autofree char *name = g_strdup_printf("r%u", order[i]);

        ram_region(&r[i], name, K);
        memory_region_add_subregion(f.root, 0x80000 + order[i] * 2 * K,
                                    &r[i]);
    }
    assert_same_as_full_render(&f);
    g_assert_cmpuint(address_space_to_flatview(&f.as)->nr, ==, 3 + 16);
    for (i = 0; i < 16; i += 2) {
        memory_region_del_subregion(f.root, &r[i]);
    }
    assert_same_as_full_render(&f);
    for (i = 0; i < 16; i++) {
        if (i % 2) {
            memory_region_del_subregion(f.root, &r[i]);
        }
        memory_region_unref(&r[i]);
    }
    assert_view(&f, "0-fff a@0\n1000-1fff b@0\n2000-3fff a@2000\n");
    fixture_fini(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/incremental/add-delivers-one-region-add",
                    test_add_delivers_one_region_add);
    g_test_add_func("/memory/incremental/remove-delivers-one-region-del",
                    test_remove_delivers_one_region_del);
    g_test_add_func("/memory/incremental/overlapping-add-falls-back",
                    test_overlapping_add_falls_back);
    g_test_add_func("/memory/incremental/removal-uncovering-falls-back",
                    test_removal_uncovering_falls_back);
    g_test_add_func("/memory/incremental/container-with-children",
                    test_add_container_with_children);
    g_test_add_func("/memory/incremental/add-clipped-by-container",
                    test_add_clipped_by_container);
    g_test_add_func("/memory/incremental/shared-view-patched-once",
                    test_shared_view_patched_once);
    g_test_add_func("/memory/incremental/held-view-copied-not-changed",
                    test_held_view_left_alone);
    g_test_add_func("/memory/incremental/alias-of-container-falls-back",
                    test_alias_of_container_falls_back);
    g_test_add_func("/memory/incremental/hidden-add-is-silent",
                    test_hidden_add_is_silent);
    g_test_add_func("/memory/incremental/add-while-logging-starts-log",
                    test_add_while_logging_starts_log);
    g_test_add_func("/memory/incremental/many-adds-out-of-order",
                    test_many_adds_out_of_order);
    return g_test_run();
}
