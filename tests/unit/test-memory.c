/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The memory API (memory.c): rendering of region trees into flat views,
 * listener callbacks across topology changes, transactions and the
 * lifetime of regions held by sections.
 */
#include "memtest.h"

#define K 0x1000

/* A 64 KiB root and an address space "as" over it. */
typedef struct Fixture {
    MemoryRegion *root;
    AddressSpace as;
    GString *log;
} Fixture;

static void fixture_init(Fixture *f, uint64_t size)
{
    f->root = test_container_new("root", size);
    address_space_init(&f->as, f->root, "as");
    f->log = g_string_new(NULL);
}

static void fixture_fini(Fixture *f)
{
    address_space_destroy(&f->as);
    memory_region_unref(f->root);
    g_string_free(f->log, TRUE);
}

static void io_region(MemoryRegion *mr, const char *name, uint64_t size)
{
    memory_region_init_io(mr, NULL, &testdev_be_ops, NULL, name, size);
}

static void ram_region(MemoryRegion *mr, const char *name, uint64_t size)
{
    g_assert_true(memory_region_init_ram(mr, NULL, name, size,
                                         &error_abort));
}

static void del_unref(MemoryRegion *parent, MemoryRegion *mr)
{
    memory_region_del_subregion(parent, mr);
    memory_region_unref(mr);
}

#define assert_view(f, expected) do { \
        g_autofree char *dump_ = flatview_dump(&(f)->as); \
        g_assert_cmpstr(dump_, ==, (expected)); \
    } while (0)

#define assert_log(f, expected) do { \
        g_autofree char *log_ = rec_log_take((f)->log); \
        g_assert_cmpstr(log_, ==, (expected)); \
    } while (0)

/* ------------------------------------------------------------ Render */

static void test_render_higher_priority_wins(void)
{
    Fixture f;
    MemoryRegion a, b, c;

    fixture_init(&f, 0x10000);
    ram_region(&a, "a", 4 * K);
    io_region(&b, "b", K);
    io_region(&c, "c", K);
    memory_region_add_subregion_overlap(f.root, 0, &a, 0);
    memory_region_add_subregion_overlap(f.root, K, &b, 1);
    assert_view(&f, "0-fff a@0\n1000-1fff b@0\n2000-3fff a@2000\n");
    /* Added later but with a lower priority: hidden under a. */
    memory_region_add_subregion_overlap(f.root, 3 * K, &c, -1);
    assert_view(&f, "0-fff a@0\n1000-1fff b@0\n2000-3fff a@2000\n");
    del_unref(f.root, &a);
    assert_view(&f, "1000-1fff b@0\n3000-3fff c@0\n");
    del_unref(f.root, &b);
    del_unref(f.root, &c);
    fixture_fini(&f);
}

static void test_render_equal_priority_last_wins(void)
{
    Fixture f;
    MemoryRegion a, b, c;

    fixture_init(&f, 0x10000);
    io_region(&a, "a", 2 * K);
    io_region(&b, "b", 2 * K);
    io_region(&c, "c", K);
    memory_region_add_subregion_overlap(f.root, 0, &a, 0);
    memory_region_add_subregion_overlap(f.root, K, &b, 0);
    assert_view(&f, "0-fff a@0\n1000-2fff b@0\n");
    memory_region_add_subregion_overlap(f.root, 0x1800, &c, 0);
    assert_view(&f, "0-fff a@0\n1000-17ff b@0\n1800-27ff c@0\n"
                "2800-2fff b@1800\n");
    del_unref(f.root, &a);
    del_unref(f.root, &b);
    del_unref(f.root, &c);
    fixture_fini(&f);
}

/* Priorities are local to a container: a child's priority does not
 * lift it above its container's siblings. */
static void test_render_priority_local_to_container(void)
{
    Fixture f;
    MemoryRegion box, inner, top;

    fixture_init(&f, 0x10000);
    memory_region_init(&box, NULL, "box", 4 * K);
    io_region(&inner, "inner", 4 * K);
    io_region(&top, "top", K);
    memory_region_add_subregion_overlap(&box, 0, &inner, 100);
    memory_region_add_subregion_overlap(f.root, 0, &box, 0);
    memory_region_add_subregion_overlap(f.root, K, &top, 1);
    assert_view(&f, "0-fff inner@0\n1000-1fff top@0\n2000-3fff inner@2000\n");
    del_unref(f.root, &top);
    del_unref(&box, &inner);
    del_unref(f.root, &box);
    fixture_fini(&f);
}

static void test_render_alias(void)
{
    Fixture f;
    MemoryRegion ram, win, box, x, y, boxwin;

    fixture_init(&f, 0x100000);
    ram_region(&ram, "ram", 16 * K);
    memory_region_init_alias(&win, NULL, "win", &ram, 0x800, K);
    memory_region_add_subregion(f.root, 0x8000, &win);
    assert_view(&f, "8000-8fff ram@800\n");

    /* An alias of a container shows the container's rendering. */
    memory_region_init(&box, NULL, "box", 4 * K);
    io_region(&x, "x", K);
    io_region(&y, "y", K);
    memory_region_add_subregion(&box, 0, &x);
    memory_region_add_subregion(&box, 2 * K, &y);
    memory_region_init_alias(&boxwin, NULL, "boxwin", &box, 0x800, 2 * K);
    memory_region_add_subregion(f.root, 0x20000, &boxwin);
    assert_view(&f, "8000-8fff ram@800\n20000-207ff x@800\n"
                "21800-21fff y@0\n");
    del_unref(f.root, &boxwin);
    del_unref(f.root, &win);
    del_unref(&box, &x);
    del_unref(&box, &y);
    memory_region_unref(&box);
    memory_region_unref(&ram);
    fixture_fini(&f);
}

static void test_render_disabled(void)
{
    Fixture f;
    MemoryRegion a, b, box, c;

    fixture_init(&f, 0x10000);
    io_region(&a, "a", 4 * K);
    io_region(&b, "b", K);
    memory_region_init(&box, NULL, "box", 2 * K);
    io_region(&c, "c", K);
    memory_region_add_subregion(&box, 0, &c);
    memory_region_add_subregion(f.root, 0, &a);
    memory_region_add_subregion_overlap(f.root, K, &b, 1);
    memory_region_add_subregion_overlap(f.root, 8 * K, &box, 0);
    memory_region_set_enabled(&b, false);
    memory_region_set_enabled(&box, false);
    /* Disabled b uncovers a; a disabled container hides its children. */
    assert_view(&f, "0-3fff a@0\n");
    memory_region_set_enabled(&b, true);
    memory_region_set_enabled(&box, true);
    assert_view(&f, "0-fff a@0\n1000-1fff b@0\n2000-3fff a@2000\n"
                "8000-8fff c@0\n");
    del_unref(f.root, &a);
    del_unref(f.root, &b);
    del_unref(&box, &c);
    del_unref(f.root, &box);
    fixture_fini(&f);
}

static void test_render_merge_adjacent(void)
{
    Fixture f;
    MemoryRegion ram, w1, w2, w3;

    fixture_init(&f, 0x100000);
    ram_region(&ram, "ram", 16 * K);
    memory_region_init_alias(&w1, NULL, "w1", &ram, 0, K);
    memory_region_init_alias(&w2, NULL, "w2", &ram, K, K);
    /* Adjacent in the address space but not contiguous in ram. */
    memory_region_init_alias(&w3, NULL, "w3", &ram, 8 * K, K);
    memory_region_add_subregion(f.root, 0x10000, &w1);
    memory_region_add_subregion(f.root, 0x11000, &w2);
    memory_region_add_subregion(f.root, 0x12000, &w3);
    assert_view(&f, "10000-11fff ram@0\n12000-12fff ram@8000\n");
    g_assert_cmpuint(address_space_to_flatview(&f.as)->nr, ==, 2);
    del_unref(f.root, &w1);
    del_unref(f.root, &w2);
    del_unref(f.root, &w3);
    memory_region_unref(&ram);
    fixture_fini(&f);
}

static void test_render_readonly(void)
{
    Fixture f;
    MemoryRegion ram;

    fixture_init(&f, 0x10000);
    ram_region(&ram, "ram", K);
    memory_region_add_subregion(f.root, 0, &ram);
    memory_region_set_readonly(&ram, true);
    assert_view(&f, "0-fff ram@0 ro\n");
    del_unref(f.root, &ram);
    fixture_fini(&f);
}

static void test_render_2_64_region(void)
{
    RecListener l;
    Fixture f;
    MemoryRegion all, ram;
    FlatView *fv;

    fixture_init(&f, UINT64_MAX);
    rec_listener_init(&l, "L", 0, f.log);
    memory_listener_register(&l.ml, &f.as);
    io_region(&all, "all", UINT64_MAX);
    g_assert_true(memory_region_size128(&all) == int128_2_64());
    g_assert_cmphex(memory_region_size(&all), ==, UINT64_MAX);
    memory_region_add_subregion(f.root, 0, &all);
    fv = address_space_to_flatview(&f.as);
    g_assert_cmpuint(fv->nr, ==, 1);
    g_assert_true(fv->ranges[0].size == int128_2_64());
    assert_log(&f, "L begin\nL commit\nL begin\nL add all 0+2^64@0\n"
               "L commit\n");
    ram_region(&ram, "top", K);
    memory_region_add_subregion_overlap(f.root, UINT64_MAX - K + 1, &ram, 1);
    assert_view(&f, "0-ffffffffffffefff all@0\n"
                "fffffffffffff000-ffffffffffffffff top@0\n");
    del_unref(f.root, &ram);
    del_unref(f.root, &all);
    memory_listener_unregister(&l.ml);
    fixture_fini(&f);
}

static void test_render_shared_flatview(void)
{
    Fixture f;
    AddressSpace as2;
    MemoryRegion a;

    fixture_init(&f, 0x10000);
    address_space_init(&as2, f.root, "as2");
    g_assert_true(address_space_to_flatview(&f.as) ==
                  address_space_to_flatview(&as2));
    io_region(&a, "a", K);
    memory_region_add_subregion(f.root, 0, &a);
    g_assert_true(address_space_to_flatview(&f.as) ==
                  address_space_to_flatview(&as2));
    g_assert_cmpuint(address_space_to_flatview(&as2)->nr, ==, 1);
    address_space_destroy(&as2);
    del_unref(f.root, &a);
    fixture_fini(&f);
}

/* --------------------------------------------------------- Listeners */

static void test_listener_priority_order(void)
{
    Fixture f;
    RecListener lo, hi;
    MemoryRegion a;

    fixture_init(&f, 0x10000);
    rec_listener_init(&hi, "hi", 10, f.log);
    rec_listener_init(&lo, "lo", 1, f.log);
    /* Registered high first: the order must come from priorities. */
    memory_listener_register(&hi.ml, &f.as);
    memory_listener_register(&lo.ml, &f.as);
    g_string_truncate(f.log, 0);
    io_region(&a, "a", K);
    memory_region_add_subregion(f.root, 0x2000, &a);
    assert_log(&f, "lo begin\nhi begin\nlo add a 2000+1000@0\n"
               "hi add a 2000+1000@0\nlo commit\nhi commit\n");
    memory_region_del_subregion(f.root, &a);
    assert_log(&f, "lo begin\nhi begin\nhi del a 2000+1000@0\n"
               "lo del a 2000+1000@0\nlo commit\nhi commit\n");
    memory_region_unref(&a);
    memory_listener_unregister(&lo.ml);
    memory_listener_unregister(&hi.ml);
    fixture_fini(&f);
}

static void test_listener_register_replays(void)
{
    Fixture f;
    RecListener l;
    MemoryRegion a, b;

    fixture_init(&f, 0x10000);
    io_region(&a, "a", K);
    io_region(&b, "b", 2 * K);
    memory_region_add_subregion(f.root, 0x4000, &b);
    memory_region_add_subregion(f.root, 0x1000, &a);
    rec_listener_init(&l, "L", 0, f.log);
    memory_listener_register(&l.ml, &f.as);
    assert_log(&f, "L begin\nL add a 1000+1000@0\nL add b 4000+2000@0\n"
               "L commit\n");
    g_assert_true(l.ml.address_space == &f.as);
    memory_listener_unregister(&l.ml);
    assert_log(&f, "L begin\nL del b 4000+2000@0\nL del a 1000+1000@0\n"
               "L commit\n");
    g_assert_null(l.ml.address_space);
    /* Gone: later changes do not reach it. */
    del_unref(f.root, &a);
    assert_log(&f, "");
    del_unref(f.root, &b);
    fixture_fini(&f);
}

/* a is RAM 0-0x3fff, b is I/O over 0x1000-0x1fff with priority 1. */
static void setup_ab(Fixture *f, RecListener *l, MemoryRegion *a,
                     MemoryRegion *b)
{
    fixture_init(f, 0x10000);
    ram_region(a, "a", 4 * K);
    io_region(b, "b", K);
    memory_region_add_subregion(f->root, 0, a);
    memory_region_add_subregion_overlap(f->root, K, b, 1);
    rec_listener_init(l, "L", 0, f->log);
    memory_listener_register(&l->ml, &f->as);
    g_string_truncate(f->log, 0);
}

static void teardown_ab(Fixture *f, RecListener *l, MemoryRegion *a,
                        MemoryRegion *b)
{
    memory_listener_unregister(&l->ml);
    del_unref(f->root, a);
    del_unref(f->root, b);
    fixture_fini(f);
}

static void test_listener_enable_disable(void)
{
    Fixture f;
    RecListener l;
    MemoryRegion a, b;

    setup_ab(&f, &l, &a, &b);
    memory_region_set_enabled(&b, false);
    assert_log(&f, "L begin\n"
               "L del a 0+1000@0\n"
               "L del b 1000+1000@0\n"
               "L del a 2000+2000@2000\n"
               "L add a 0+4000@0\n"
               "L commit\n");
    memory_region_set_enabled(&b, true);
    assert_log(&f, "L begin\n"
               "L del a 0+4000@0\n"
               "L add a 0+1000@0\n"
               "L add b 1000+1000@0\n"
               "L add a 2000+2000@2000\n"
               "L commit\n");
    /* No change, no callbacks. */
    memory_region_set_enabled(&b, true);
    assert_log(&f, "");
    teardown_ab(&f, &l, &a, &b);
}

static void test_listener_move(void)
{
    Fixture f;
    RecListener l;
    MemoryRegion a, b;

    setup_ab(&f, &l, &a, &b);
    memory_region_set_address(&b, 0x8000);
    assert_log(&f, "L begin\n"
               "L del a 0+1000@0\n"
               "L del b 1000+1000@0\n"
               "L del a 2000+2000@2000\n"
               "L add a 0+4000@0\n"
               "L add b 8000+1000@0\n"
               "L commit\n");
    teardown_ab(&f, &l, &a, &b);
}

static void test_listener_resize_and_nop(void)
{
    Fixture f;
    RecListener l;
    MemoryRegion a, b, c;

    setup_ab(&f, &l, &a, &b);
    io_region(&c, "c", K);
    /* Where nothing else shows: patched in, the rest not walked. */
    memory_region_add_subregion(f.root, 0x8000, &c);
    assert_log(&f, "L begin\n"
               "L add c 8000+1000@0\n"
               "L commit\n");
    memory_region_set_size(&b, 2 * K);
    assert_log(&f, "L begin\n"
               "L del b 1000+1000@0\n"
               "L del a 2000+2000@2000\n"
               "L nop a 0+1000@0\n"
               "L add b 1000+2000@0\n"
               "L add a 3000+1000@3000\n"
               "L nop c 8000+1000@0\n"
               "L commit\n");
    del_unref(f.root, &c);
    teardown_ab(&f, &l, &a, &b);
}

static void test_listener_alias_offset(void)
{
    Fixture f;
    RecListener l;
    MemoryRegion ram, win;

    fixture_init(&f, 0x100000);
    ram_region(&ram, "ram", 16 * K);
    memory_region_init_alias(&win, NULL, "win", &ram, 0, 2 * K);
    memory_region_add_subregion(f.root, 0x10000, &win);
    rec_listener_init(&l, "L", 0, f.log);
    memory_listener_register(&l.ml, &f.as);
    g_string_truncate(f.log, 0);
    memory_region_set_alias_offset(&win, 4 * K);
    assert_log(&f, "L begin\nL del ram 10000+2000@0\n"
               "L add ram 10000+2000@4000\nL commit\n");
    memory_listener_unregister(&l.ml);
    del_unref(f.root, &win);
    memory_region_unref(&ram);
    fixture_fini(&f);
}

static void test_transaction_one_update(void)
{
    Fixture f;
    RecListener l;
    MemoryRegion r[3];
    static const char *names[] = { "r0", "r1", "r2" };
    unsigned i;

    fixture_init(&f, 0x10000);
    rec_listener_init(&l, "L", 0, f.log);
    memory_listener_register(&l.ml, &f.as);
    g_string_truncate(f.log, 0);
    memory_region_transaction_begin();
    memory_region_transaction_begin();
    g_assert_cmpuint(memory_region_transaction_depth(), ==, 2);
    for (i = 0; i < 3; i++) {
        io_region(&r[i], names[i], K);
        memory_region_add_subregion(f.root, i * 2 * K, &r[i]);
    }
    memory_region_transaction_commit();
    /* The inner commit delivers nothing. */
    assert_log(&f, "");
    memory_region_set_address(&r[2], 0x8000);
    memory_region_transaction_commit();
    assert_log(&f, "L begin\nL add r0 0+1000@0\nL add r1 2000+1000@0\n"
               "L add r2 8000+1000@0\nL commit\n");
    g_assert_cmpuint(memory_region_transaction_depth(), ==, 0);
    /* A transaction without changes delivers nothing at all. */
    memory_region_transaction_begin();
    memory_region_transaction_commit();
    assert_log(&f, "");
    memory_listener_unregister(&l.ml);
    for (i = 0; i < 3; i++) {
        del_unref(f.root, &r[i]);
    }
    fixture_fini(&f);
}

/* Refuses region "bad" with an error while a checked commit runs. */
typedef struct Refuser {
    RecListener rl;
    unsigned refused;
    unsigned unchecked;
} Refuser;

static void refuser_add(MemoryListener *ml, MemoryRegionSection *s)
{
    Refuser *r = container_of(ml, Refuser, rl.ml);
    Error *err = NULL;

    if (strcmp(memory_region_name(s->mr), "bad")) {
        return;
    }
    if (!memory_region_transaction_checked()) {
        r->unchecked++;
        return;
    }
    r->refused++;
    error_setg(&err, "%s refuses %s", r->rl.tag, memory_region_name(s->mr));
    memory_listener_report_error(err);
}

static void test_transaction_checked_reports_error(void)
{
    Fixture f;
    Refuser r = { 0 }, r2 = { 0 };
    MemoryRegion good, bad;
    Error *err = NULL;

    fixture_init(&f, 0x10000);
    rec_listener_init(&r.rl, "R", 0, f.log);
    r.rl.ml.region_add = refuser_add;
    memory_listener_register(&r.rl.ml, &f.as);
    rec_listener_init(&r2.rl, "R2", 1, f.log);
    r2.rl.ml.region_add = refuser_add;
    memory_listener_register(&r2.rl.ml, &f.as);
    io_region(&good, "good", K);
    io_region(&bad, "bad", K);
    g_assert_false(memory_region_transaction_checked());

    memory_region_transaction_begin_checked();
    memory_region_add_subregion(f.root, 0, &good);
    g_assert_true(memory_region_transaction_commit_checked(&error_abort));

    /* Both listeners refuse "bad": the first error (R's) comes back. */
    memory_region_transaction_begin_checked();
    memory_region_add_subregion_overlap(f.root, 0x8000, &bad, 0);
    memory_region_set_address(&good, 0x4000);
    g_assert_false(memory_region_transaction_commit_checked(&err));
    g_assert_cmpstr(error_get_pretty(err), ==, "R refuses bad");
    error_free(err);
    err = NULL;
    g_assert_cmpuint(r.refused, ==, 1);
    g_assert_cmpuint(r2.refused, ==, 1);
    g_assert_false(memory_region_transaction_checked());
    /* Applied all the same: the caller takes it back. */
    assert_view(&f, "4000-4fff good@0\n8000-8fff bad@0\n");
    memory_region_del_subregion(f.root, &bad);
    assert_view(&f, "4000-4fff good@0\n");

    /* Nested in a plain transaction: delivered later, unchecked. */
    memory_region_transaction_begin();
    memory_region_transaction_begin_checked();
    memory_region_add_subregion(f.root, 0x8000, &bad);
    g_assert_true(memory_region_transaction_commit_checked(&error_abort));
    memory_region_transaction_commit();
    g_assert_cmpuint(r.refused, ==, 1);
    g_assert_cmpuint(r.unchecked, ==, 1);

    memory_listener_unregister(&r2.rl.ml);
    memory_listener_unregister(&r.rl.ml);
    del_unref(f.root, &bad);
    del_unref(f.root, &good);
    fixture_fini(&f);
}

/* ---------------------------------------------------------- Lifetime */

typedef struct Holder {
    MemoryListener ml;
    GPtrArray *held;        /* regions referenced by sections */
} Holder;

static void holder_add(MemoryListener *ml, MemoryRegionSection *s)
{
    Holder *h = container_of(ml, Holder, ml);

    memory_region_ref(s->mr);
    g_ptr_array_add(h->held, s->mr);
}

/* Keeps its references past region_del, as a deferred consumer would. */
static void holder_del(MemoryListener *ml, MemoryRegionSection *s)
{
    g_assert_nonnull(memory_region_name(s->mr));
}

static void released_cb(MemoryRegion *mr)
{
    (*(int *)mr->opaque)++;
}

static void test_section_ref_keeps_region_alive(void)
{
    Fixture f;
    Holder h = { .ml = { .region_add = holder_add,
                         .region_del = holder_del } };
    MemoryRegion a;
    int released = 0;
    unsigned i;

    fixture_init(&f, 0x10000);
    h.held = g_ptr_array_new();
    memory_listener_register(&h.ml, &f.as);
    memory_region_init_io(&a, NULL, &testdev_be_ops, &released, "a", K);
    a.release = released_cb;
    memory_region_add_subregion(f.root, 0, &a);
    g_assert_cmpuint(h.held->len, ==, 1);
    memory_region_del_subregion(f.root, &a);
    memory_region_unref(&a);
    /* The creator, the container and the view let go: still alive. */
    g_assert_cmpint(released, ==, 0);
    g_assert_cmpstr(memory_region_name(&a), ==, "a");
    for (i = 0; i < h.held->len; i++) {
        memory_region_unref(g_ptr_array_index(h.held, i));
    }
    g_assert_cmpint(released, ==, 1);
    memory_listener_unregister(&h.ml);
    g_ptr_array_free(h.held, TRUE);
    fixture_fini(&f);
}

/* A listener that refs in add and unrefs in del: release runs last. */
static void test_release_after_listener_del(void)
{
    Fixture f;
    RecListener l;
    MemoryRegion a;
    int released = 0;

    fixture_init(&f, 0x10000);
    rec_listener_init(&l, "L", 0, f.log);
    l.hold_refs = true;
    memory_listener_register(&l.ml, &f.as);
    memory_region_init_io(&a, NULL, &testdev_be_ops, &released, "a", K);
    a.release = released_cb;
    memory_region_add_subregion(f.root, 0, &a);
    memory_region_unref(&a);        /* the container's ref remains */
    g_assert_cmpint(released, ==, 0);
    memory_region_del_subregion(f.root, &a);
    g_assert_cmpint(released, ==, 1);
    memory_listener_unregister(&l.ml);
    fixture_fini(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_init_system();
    g_test_add_func("/memory/render/higher-priority-wins",
                    test_render_higher_priority_wins);
    g_test_add_func("/memory/render/equal-priority-last-added-wins",
                    test_render_equal_priority_last_wins);
    g_test_add_func("/memory/render/priority-local-to-container",
                    test_render_priority_local_to_container);
    g_test_add_func("/memory/render/alias-of-ram-and-of-container",
                    test_render_alias);
    g_test_add_func("/memory/render/disabled-regions-hidden",
                    test_render_disabled);
    g_test_add_func("/memory/render/adjacent-contiguous-ranges-merge",
                    test_render_merge_adjacent);
    g_test_add_func("/memory/render/readonly-flag-in-range",
                    test_render_readonly);
    g_test_add_func("/memory/render/2-64-byte-region",
                    test_render_2_64_region);
    g_test_add_func("/memory/render/same-root-shares-flatview",
                    test_render_shared_flatview);
    g_test_add_func("/memory/listener/adds-ascending-dels-descending",
                    test_listener_priority_order);
    g_test_add_func("/memory/listener/register-replays-unregister-dels",
                    test_listener_register_replays);
    g_test_add_func("/memory/listener/enable-disable-sequence",
                    test_listener_enable_disable);
    g_test_add_func("/memory/listener/move-sequence", test_listener_move);
    g_test_add_func("/memory/listener/resize-and-nop-sequence",
                    test_listener_resize_and_nop);
    g_test_add_func("/memory/listener/alias-offset-change",
                    test_listener_alias_offset);
    g_test_add_func("/memory/transaction/one-update-per-outermost-commit",
                    test_transaction_one_update);
    g_test_add_func("/memory/transaction/checked-commit-returns-error",
                    test_transaction_checked_reports_error);
    g_test_add_func("/memory/lifetime/section-ref-keeps-region-alive",
                    test_section_ref_keeps_region_alive);
    g_test_add_func("/memory/lifetime/release-after-listener-del",
                    test_release_after_listener_del);
    return g_test_run();
}
