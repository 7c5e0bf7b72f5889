/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * IOMMU memory regions: translate, notifier filtering by range and
 * flags, batched notification and replay.
 */
#include "memtest.h"

#define PAGE 0x1000
#define NPAGES 16

typedef struct TestIommu {
    IOMMUMemoryRegion iommu;
    hwaddr map[NPAGES];
    IOMMUAccessFlags perm[NPAGES];
    unsigned translations;
    GString *flag_log;
    int fail_flag_change;       /* negative errno to return, or 0 */
} TestIommu;

/* A notifier writing each batch as "{MAP|UNMAP iova/size,...}". */
typedef struct RecNotifier {
    IOMMUNotifier n;
    GString *log;
} RecNotifier;

static IOMMUTLBEntry ti_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
                                  IOMMUAccessFlags flag, int idx)
{
    TestIommu *t = container_of(iommu, TestIommu, iommu);
    unsigned i = addr / PAGE;

    t->translations++;
    return (IOMMUTLBEntry) {
        .target_as = &address_space_memory,
        .iova = addr & ~(hwaddr)(PAGE - 1),
        .translated_addr = t->map[i],
        .addr_mask = PAGE - 1,
        .perm = t->perm[i],
    };
}

static int ti_flag_changed(IOMMUMemoryRegion *iommu, IOMMUNotifierFlag old,
                           IOMMUNotifierFlag new_, Error **errp)
{
    TestIommu *t = container_of(iommu, TestIommu, iommu);

    if (t->fail_flag_change) {
        error_setg_errno(errp, -t->fail_flag_change, "flags refused");
        return t->fail_flag_change;
    }
    g_string_append_printf(t->flag_log, "%d->%d ", old, new_);
    return 0;
}

static uint64_t ti_min_page(IOMMUMemoryRegion *iommu)
{
    return PAGE;
}

static int ti_get_attr(IOMMUMemoryRegion *iommu, IOMMUMemoryRegionAttr attr,
                       void *data)
{
    if (attr == IOMMU_ATTR_PAGE_SHIFT) {
        *(unsigned *)data = 12;
        return 0;
    }
    return -EINVAL;
}

/* Replays only the mapped entries it knows of, as one batch. */
static void ti_replay(IOMMUMemoryRegion *iommu, IOMMUNotifier *n)
{
    TestIommu *t = container_of(iommu, TestIommu, iommu);
    IOMMUTLBEntry e[NPAGES];
    unsigned i, count = 0;

    for (i = 0; i < NPAGES; i++) {
        if (t->perm[i] != IOMMU_NONE) {
            e[count++] = (IOMMUTLBEntry) {
                .target_as = &address_space_memory, .iova = i * PAGE,
                .translated_addr = t->map[i], .addr_mask = PAGE - 1,
                .perm = t->perm[i],
            };
        }
    }
    memory_region_notify_iommu_one(n, e, count);
}

static const IOMMUMemoryRegionOps walk_ops = {
    .translate = ti_translate,
    .notify_flag_changed = ti_flag_changed,
    .get_min_page_size = ti_min_page,
    .get_attr = ti_get_attr,
};

static const IOMMUMemoryRegionOps replay_ops = {
    .translate = ti_translate,
    .notify_flag_changed = ti_flag_changed,
    .replay = ti_replay,
};

static void ti_init(TestIommu *t, const IOMMUMemoryRegionOps *ops)
{
    memset(t, 0, sizeof(*t));
    t->flag_log = g_string_new(NULL);
    memory_region_init_iommu(&t->iommu, NULL, ops, t, "tce", NPAGES * PAGE);
}

static void ti_fini(TestIommu *t)
{
    memory_region_unref(IOMMU_MR_REGION(&t->iommu));
    g_string_free(t->flag_log, TRUE);
}

static void rec_notify(IOMMUNotifier *n, const IOMMUTLBEntry *e,
                       unsigned count)
{
    RecNotifier *r = container_of(n, RecNotifier, n);
    unsigned i;

    g_string_append_c(r->log, '{');
    for (i = 0; i < count; i++) {
        g_string_append_printf(r->log, "%s%s %" PRIx64 "/%" PRIx64,
                               i ? "," : "",
                               e[i].perm == IOMMU_NONE ? "UNMAP" : "MAP",
                               e[i].iova, e[i].addr_mask + 1);
        /* The core promises one kind per batch. */
        g_assert_true((e[i].perm == IOMMU_NONE) ==
                      (e[0].perm == IOMMU_NONE));
    }
    g_string_append_c(r->log, '}');
}

static void rec_register(TestIommu *t, RecNotifier *r,
                         IOMMUNotifierFlag flags, hwaddr start, hwaddr end)
{
    r->log = g_string_new(NULL);
    iommu_notifier_init(&r->n, rec_notify, flags, start, end, 0);
    g_assert_cmpint(memory_region_register_iommu_notifier(
                        IOMMU_MR_REGION(&t->iommu), &r->n, &error_abort),
                    ==, 0);
}

static void rec_unregister(TestIommu *t, RecNotifier *r)
{
    memory_region_unregister_iommu_notifier(IOMMU_MR_REGION(&t->iommu),
                                            &r->n);
    g_string_free(r->log, TRUE);
}

static IOMMUTLBEntry map(hwaddr iova, hwaddr size)
{
    return (IOMMUTLBEntry) {
        .target_as = &address_space_memory, .iova = iova,
        .translated_addr = 0x100000 + iova, .addr_mask = size - 1,
        .perm = IOMMU_RW,
    };
}

static IOMMUTLBEntry unmap(hwaddr iova, hwaddr size)
{
    IOMMUTLBEntry e = map(iova, size);

    e.perm = IOMMU_NONE;
    return e;
}

static void test_translate_and_attrs(void)
{
    TestIommu t;
    IOMMUTLBEntry e;
    unsigned shift = 0;
    hwaddr bus = 0;

    ti_init(&t, &walk_ops);
    t.map[3] = 0x7000;
    t.perm[3] = IOMMU_RO;
    g_assert_true(memory_region_is_iommu(IOMMU_MR_REGION(&t.iommu)));
    g_assert_true(memory_region_get_iommu(IOMMU_MR_REGION(&t.iommu)) ==
                  &t.iommu);
    e = memory_region_iommu_translate(&t.iommu, 3 * PAGE + 5, IOMMU_RO, 0);
    g_assert_cmphex(e.iova, ==, 3 * PAGE);
    g_assert_cmphex(e.translated_addr, ==, 0x7000);
    g_assert_cmphex(e.addr_mask, ==, PAGE - 1);
    g_assert_cmpint(e.perm, ==, IOMMU_RO);
    g_assert_cmpuint(memory_region_iommu_get_min_page_size(&t.iommu), ==,
                     PAGE);
    g_assert_cmpint(memory_region_iommu_get_attr(
                        &t.iommu, IOMMU_ATTR_PAGE_SHIFT, &shift), ==, 0);
    g_assert_cmpuint(shift, ==, 12);
    g_assert_cmpint(memory_region_iommu_get_attr(
                        &t.iommu, IOMMU_ATTR_BUS_OFFSET, &bus), ==,
                    -EINVAL);
    ti_fini(&t);
}

static void test_notify_range_filter(void)
{
    TestIommu t;
    RecNotifier lo, hi;
    IOMMUTLBEntry batch[4];

    ti_init(&t, &walk_ops);
    rec_register(&t, &lo, IOMMU_NOTIFIER_ALL, 0, 2 * PAGE - 1);
    rec_register(&t, &hi, IOMMU_NOTIFIER_ALL, 4 * PAGE, 8 * PAGE - 1);
    batch[0] = map(0, PAGE);
    batch[1] = map(PAGE, PAGE);
    batch[2] = map(2 * PAGE, PAGE);
    batch[3] = map(5 * PAGE, PAGE);
    memory_region_notify_iommu_batch(&t.iommu, 0, batch, 4);
    g_assert_cmpstr(lo.log->str, ==, "{MAP 0/1000,MAP 1000/1000}");
    g_assert_cmpstr(hi.log->str, ==, "{MAP 5000/1000}");
    /* Nothing in range: no call at all. */
    g_string_truncate(lo.log, 0);
    memory_region_notify_iommu(&t.iommu, 0, map(10 * PAGE, PAGE));
    g_assert_cmpstr(lo.log->str, ==, "");
    /* An entry overlapping the range is delivered whole. */
    memory_region_notify_iommu(&t.iommu, 0, unmap(0, 8 * PAGE));
    g_assert_cmpstr(lo.log->str, ==, "{UNMAP 0/8000}");
    rec_unregister(&t, &lo);
    rec_unregister(&t, &hi);
    ti_fini(&t);
}

static void test_notify_flag_filter(void)
{
    TestIommu t;
    RecNotifier m, u;

    ti_init(&t, &walk_ops);
    rec_register(&t, &m, IOMMU_NOTIFIER_MAP, 0, HWADDR_MAX);
    rec_register(&t, &u, IOMMU_NOTIFIER_UNMAP, 0, HWADDR_MAX);
    memory_region_notify_iommu(&t.iommu, 0, map(PAGE, PAGE));
    memory_region_notify_iommu(&t.iommu, 0, unmap(2 * PAGE, PAGE));
    g_assert_cmpstr(m.log->str, ==, "{MAP 1000/1000}");
    g_assert_cmpstr(u.log->str, ==, "{UNMAP 2000/1000}");
    rec_unregister(&t, &m);
    rec_unregister(&t, &u);
    ti_fini(&t);
}

static void test_notify_mixed_batch_runs(void)
{
    TestIommu t;
    RecNotifier all, mid;
    IOMMUTLBEntry batch[5];

    ti_init(&t, &walk_ops);
    rec_register(&t, &all, IOMMU_NOTIFIER_ALL, 0, HWADDR_MAX);
    rec_register(&t, &mid, IOMMU_NOTIFIER_ALL, PAGE, 3 * PAGE - 1);
    batch[0] = map(0, PAGE);
    batch[1] = map(PAGE, PAGE);
    batch[2] = unmap(2 * PAGE, PAGE);
    batch[3] = unmap(3 * PAGE, PAGE);
    batch[4] = map(4 * PAGE, PAGE);
    memory_region_notify_iommu_batch(&t.iommu, 0, batch, 5);
    g_assert_cmpstr(all.log->str, ==,
                    "{MAP 0/1000,MAP 1000/1000}"
                    "{UNMAP 2000/1000,UNMAP 3000/1000}"
                    "{MAP 4000/1000}");
    g_assert_cmpstr(mid.log->str, ==, "{MAP 1000/1000}{UNMAP 2000/1000}");
    rec_unregister(&t, &all);
    rec_unregister(&t, &mid);
    ti_fini(&t);
}

static void test_notify_flag_changed(void)
{
    TestIommu t;
    RecNotifier a, b;
    IOMMUNotifier c;
    Error *err = NULL;

    ti_init(&t, &walk_ops);
    rec_register(&t, &a, IOMMU_NOTIFIER_MAP, 0, HWADDR_MAX);
    rec_register(&t, &b, IOMMU_NOTIFIER_ALL, 0, HWADDR_MAX);
    g_assert_cmpint(t.iommu.notify_flags, ==, IOMMU_NOTIFIER_ALL);
    rec_unregister(&t, &b);
    rec_unregister(&t, &a);
    g_assert_cmpstr(t.flag_log->str, ==, "0->2 2->3 3->2 2->0 ");

    /* A refused flag change fails the registration. */
    t.fail_flag_change = -ENOSPC;
    iommu_notifier_init(&c, rec_notify, IOMMU_NOTIFIER_MAP, 0, HWADDR_MAX,
                        0);
    g_assert_cmpint(memory_region_register_iommu_notifier(
                        IOMMU_MR_REGION(&t.iommu), &c, &err), ==, -ENOSPC);
    g_assert_nonnull(err);
    error_free(err);
    g_assert_null(c.iommu_mr);
    g_assert_null(t.iommu.notifiers);
    ti_fini(&t);
}

static void test_replay_default_walk(void)
{
    TestIommu t;
    RecNotifier r, other;

    ti_init(&t, &walk_ops);
    t.perm[2] = IOMMU_RW;
    t.map[2] = 0x9000;
    t.perm[5] = IOMMU_RO;
    rec_register(&t, &r, IOMMU_NOTIFIER_MAP, 0, HWADDR_MAX);
    rec_register(&t, &other, IOMMU_NOTIFIER_MAP, 0, HWADDR_MAX);
    memory_region_iommu_replay(&t.iommu, &r.n);
    g_assert_cmpstr(r.log->str, ==, "{MAP 2000/1000}{MAP 5000/1000}");
    /* Only the notifier asked for. */
    g_assert_cmpstr(other.log->str, ==, "");
    g_assert_cmpuint(t.translations, ==, NPAGES);
    rec_unregister(&t, &r);
    rec_unregister(&t, &other);
    ti_fini(&t);
}

static void test_replay_override(void)
{
    TestIommu t;
    RecNotifier r;

    ti_init(&t, &replay_ops);
    t.perm[1] = IOMMU_RW;
    t.perm[9] = IOMMU_RW;
    rec_register(&t, &r, IOMMU_NOTIFIER_MAP, 0, HWADDR_MAX);
    memory_region_iommu_replay(&t.iommu, &r.n);
    g_assert_cmpstr(r.log->str, ==, "{MAP 1000/1000,MAP 9000/1000}");
    /* The region's own replay ran: no page-by-page walk. */
    g_assert_cmpuint(t.translations, ==, 0);
    rec_unregister(&t, &r);
    ti_fini(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_init_system();
    g_test_add_func("/iommu/translate/entry-and-attrs",
                    test_translate_and_attrs);
    g_test_add_func("/iommu/notify/range-filter", test_notify_range_filter);
    g_test_add_func("/iommu/notify/flag-filter", test_notify_flag_filter);
    g_test_add_func("/iommu/notify/mixed-batch-split-into-one-kind-runs",
                    test_notify_mixed_batch_runs);
    g_test_add_func("/iommu/notify/flag-changed-callback-and-refusal",
                    test_notify_flag_changed);
    g_test_add_func("/iommu/replay/default-walk-maps-to-one-notifier",
                    test_replay_default_walk);
    g_test_add_func("/iommu/replay/override-used-instead-of-walk",
                    test_replay_override);
    return g_test_run();
}
