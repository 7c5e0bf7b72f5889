/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The device registry in-process, with device types defined here:
 * defaults, property parsing and its errors, hotplug rules, reset and
 * teardown order.  hw/ relies on exactly these semantics.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

typedef struct TestDev {
    DeviceState parent;
    bool flag;
    uint32_t u32;
    uint64_t u64;
    uint64_t size;
    char *str;
    int32_t addr;
    bool fail_realize;
} TestDev;

static GString *events;     /* "r:ID u:ID x:ID f:ID" in call order */

static const Property test_props[] = {
    DEFINE_PROP("flag", TestDev, flag, PROP_BOOL, "on", "a flag"),
    DEFINE_PROP("u32", TestDev, u32, PROP_UINT32, "0x10", "a number"),
    DEFINE_PROP("u64", TestDev, u64, PROP_UINT64, NULL, "a number"),
    DEFINE_PROP("size", TestDev, size, PROP_SIZE, "64K", "a size"),
    DEFINE_PROP("str", TestDev, str, PROP_STRING, "dflt", "a string"),
    DEFINE_PROP("addr", TestDev, addr, PROP_PCI_DEVFN, NULL, "devfn"),
    DEFINE_PROP("fail", TestDev, fail_realize, PROP_BOOL, NULL, "fail"),
    { .name = NULL },
};

static void note(const char *what, DeviceState *dev)
{
    g_string_append_printf(events, "%s:%s ", what,
                           dev->id ? dev->id : "-");
}

static bool test_realize(DeviceState *dev, Error **errp)
{
    if (((TestDev *)dev)->fail_realize) {
        error_setg(errp, "realize refused");
        return false;
    }
    note("r", dev);
    return true;
}

static void test_unrealize(DeviceState *dev)
{
    note("u", dev);
}

static void test_reset(DeviceState *dev)
{
    note("x", dev);
}

static void test_finalize(DeviceState *dev)
{
    /* Properties are already freed when finalize runs. */
    g_assert_null(((TestDev *)dev)->str);
    g_string_append(events, "f ");
}

static const DeviceClass hot_class = {
    .name = "test-hot", .desc = "hotpluggable",
    .instance_size = sizeof(TestDev), .props = test_props,
    .bus_type = "PCI", .user_creatable = true, .hotpluggable = true,
    .realize = test_realize, .unrealize = test_unrealize,
    .reset = test_reset, .finalize = test_finalize,
};

static const DeviceClass cold_class = {
    .name = "test-cold", .desc = "boot only",
    .instance_size = sizeof(TestDev), .props = test_props,
    .user_creatable = true,
    .realize = test_realize, .unrealize = test_unrealize,
    .reset = test_reset, .finalize = test_finalize,
};

static const DeviceClass internal_class = {
    .name = "test-internal", .instance_size = sizeof(TestDev),
    .props = test_props, .realize = test_realize,
    .unrealize = test_unrealize, .reset = test_reset,
};

static void setup(void)
{
    qdev_destroy_all();
    g_string_truncate(events, 0);
}

/* Check and consume *errp, leaving it ready for the next call. */
static void assert_error_mentions(Error **errp, const char *a,
                                  const char *b)
{
    g_assert_nonnull(*errp);
    g_assert_nonnull(strstr(error_get_pretty(*errp), a));
    if (b) {
        g_assert_nonnull(strstr(error_get_pretty(*errp), b));
    }
    error_free(*errp);
    *errp = NULL;
}

static void test_defaults_are_applied(void)
{
    TestDev *d;

    setup();
    d = (TestDev *)qdev_new("test-hot", &error_abort);
    g_assert_true(d->flag);
    g_assert_cmphex(d->u32, ==, 0x10);
    g_assert_cmpuint(d->u64, ==, 0);
    g_assert_cmpuint(d->size, ==, 64 * 1024);
    g_assert_cmpstr(d->str, ==, "dflt");
    /* No default for a PCI address means "pick a slot". */
    g_assert_cmpint(d->addr, ==, -1);
    g_assert_false(d->parent.realized);
    qdev_destroy(&d->parent);
}

static void test_properties_parse_every_type(void)
{
    TestDev *d;

    setup();
    d = (TestDev *)qdev_device_add_str("test-hot,id=a,flag=off,u32=077,"
                                       "u64=0xffffffffffffffff,size=1.5G,"
                                       "str=x,,y,addr=1f.7",
                                       &error_abort);
    g_assert_false(d->flag);
    g_assert_cmpuint(d->u32, ==, 077);
    g_assert_cmphex(d->u64, ==, UINT64_MAX);
    g_assert_cmpuint(d->size, ==, 3ull << 29);
    g_assert_cmpstr(d->str, ==, "x,y");
    g_assert_cmphex(d->addr, ==, 0x1f << 3 | 7);
    g_assert_cmpstr(d->parent.id, ==, "a");
    g_assert_true(d->parent.realized);
    g_assert_true(qdev_find_by_id("a") == &d->parent);
    d = (TestDev *)qdev_device_add_str("driver=test-hot,addr=3,bus=pci.1",
                                       &error_abort);
    g_assert_cmphex(d->addr, ==, 3 << 3);
    g_assert_cmpstr(d->parent.bus_id, ==, "pci.1");
}

static void test_property_errors_name_property_and_type(void)
{
    static const char *const bad[][2] = {
        { "test-hot,nope=1", "nope" },
        { "test-hot,flag=maybe", "maybe" },
        { "test-hot,u32=0x100000000", "u32" },
        { "test-hot,u64=-1", "u64" },
        { "test-hot,size=12Q", "12Q" },
        { "test-hot,addr=20", "addr" },
        { "test-hot,addr=1.8", "addr" },
    };
    unsigned i;

    setup();
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        Error *err = NULL;

        g_assert_null(qdev_device_add_str(bad[i][0], &err));
        assert_error_mentions(&err, bad[i][1], "test-hot");
    }
    g_assert_null(qdev_list());
}

static void test_add_errors(void)
{
    Error *err = NULL;

    setup();
    g_assert_null(qdev_device_add_str("no-such", &err));
    assert_error_mentions(&err, "no-such", NULL);
    g_assert_null(qdev_device_add_str("id=x", &err));
    assert_error_mentions(&err, "driver", NULL);
    g_assert_null(qdev_device_add_str("test-internal", &err));
    assert_error_mentions(&err, "test-internal", NULL);
    g_assert_null(qdev_device_add_str("test-hot,id=9bad", &err));
    assert_error_mentions(&err, "9bad", NULL);
    g_assert_nonnull(qdev_device_add_str("test-hot,id=one", &error_abort));
    g_assert_null(qdev_device_add_str("test-cold,id=one", &err));
    assert_error_mentions(&err, "one", NULL);
    /* A failed realize leaves nothing behind and frees everything. */
    g_string_truncate(events, 0);
    g_assert_null(qdev_device_add_str("test-hot,id=two,fail=on", &err));
    assert_error_mentions(&err, "realize refused", NULL);
    g_assert_null(qdev_find_by_id("two"));
    g_assert_cmpstr(events->str, ==, "f ");
}

static void test_hotplug_rules(void)
{
    Error *err = NULL;

    setup();
    g_assert_nonnull(qdev_device_add_str("test-cold,id=c", &error_abort));
    g_assert_false(qdev_find_by_id("c")->hotplugged);
    qdev_machine_creation_done();
    g_assert_true(qdev_machine_is_started());
    g_assert_null(qdev_device_add_str("test-cold,id=c2", &err));
    assert_error_mentions(&err, "test-cold", "hotplug");
    g_assert_nonnull(qdev_device_add_str("test-hot,id=h", &error_abort));
    g_assert_true(qdev_find_by_id("h")->hotplugged);
    g_assert_false(qdev_device_del("c", &err));
    assert_error_mentions(&err, "c", "unplug");
    g_assert_false(qdev_device_del("ghost", &err));
    assert_error_mentions(&err, "ghost", "not found");
    g_string_truncate(events, 0);
    g_assert_true(qdev_device_del("h", &error_abort));
    g_assert_cmpstr(events->str, ==, "u:h f ");
    g_assert_null(qdev_find_by_id("h"));
}

static void test_reset_in_order_destroy_newest_first(void)
{
    DeviceState *internal;
    GList *list;

    setup();
    internal = qdev_new("test-internal", &error_abort);
    internal->id = g_strdup("i");
    g_assert_true(qdev_realize(internal, &error_abort));
    qdev_device_add_str("test-hot,id=a", &error_abort);
    qdev_device_add_str("test-cold,id=b", &error_abort);
    /* Created but never realized: listed nowhere, still freed. */
    qdev_new("test-hot", &error_abort);
    list = qdev_list();
    g_assert_cmpuint(g_list_length(list), ==, 3);
    g_list_free(list);
    g_string_truncate(events, 0);
    qdev_reset_all();
    g_assert_cmpstr(events->str, ==, "x:i x:a x:b ");
    g_string_truncate(events, 0);
    qdev_destroy_all();
    g_assert_cmpstr(events->str, ==, "f u:b f u:a f u:i ");
    g_assert_null(qdev_list());
    g_assert_false(qdev_machine_is_started());
}

static void test_help_output(void)
{
    g_autofree char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    Error *err = NULL;

    qdev_print_types(f);
    g_assert_true(qdev_print_props(f, "test-hot", &error_abort));
    g_assert_false(qdev_print_props(f, "nope", &err));
    assert_error_mentions(&err, "nope", NULL);
    fclose(f);
    g_assert_nonnull(strstr(text, "name \"test-hot\", bus PCI"));
    g_assert_nonnull(strstr(text, "name \"test-cold\""));
    /* Internal types are not offered to users. */
    g_assert_null(strstr(text, "test-internal"));
    g_assert_nonnull(strstr(text, "size=<size>"));
    g_assert_nonnull(strstr(text, "(default: 64K)"));
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    events = g_string_new(NULL);
    qdev_register_type(&hot_class);
    qdev_register_type(&cold_class);
    qdev_register_type(&internal_class);
    g_test_add_func("/qdev/defaults-are-applied",
                    test_defaults_are_applied);
    g_test_add_func("/qdev/properties-parse-every-type",
                    test_properties_parse_every_type);
    g_test_add_func("/qdev/property-errors-name-property-and-type",
                    test_property_errors_name_property_and_type);
    g_test_add_func("/qdev/add-errors", test_add_errors);
    g_test_add_func("/qdev/hotplug-rules", test_hotplug_rules);
    g_test_add_func("/qdev/reset-in-order-destroy-newest-first",
                    test_reset_in_order_destroy_newest_first);
    g_test_add_func("/qdev/help-output", test_help_output);
    ret = g_test_run();
    qdev_destroy_all();
    g_string_free(events, TRUE);
    return ret;
}
