/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Guest-driven hot-unplug through PAPR dynamic reconfiguration
 * connectors, from outside a real spapr-vfio process: the DRC
 * properties of the device tree, the hotplug events the guest fetches,
 * configure-connector, device_del waiting for the guest (a PCI device,
 * a DIMM, a vfio-pci device under vfio-sim), what goes at once, reset,
 * and bad RTAS input answered with the PAPR error and changing nothing.
 * The guest side is the model's (libspapr-guest-drc.c).
 */
#include <sys/wait.h>
#include <unistd.h>
#include <libfdt.h>
#include "../vfio/vfio-e2e.h"

#define MiB             ((uint64_t)1 << 20)
#define GiB             ((uint64_t)1 << 30)
#define RAM             (1 * GiB)
#define MACHINE         "-m 1G,slots=4,maxmem=3G"
/* pci-testdev at slot 3 of PHB 0 */
#define TD_DEVFN        0x18
#define TD_DRC          GUEST_DRC_PCI_INDEX(0, TD_DEVFN)
#define DIMM_GPA        RAM
#define LMB0            GUEST_DRC_LMB_INDEX(DIMM_GPA)

#define RTAS_PARAM_ERROR        (-3)
#define RTAS_VALID_TRANSLATION  (-9001)
#define RTAS_NO_EVENT           1
#define SPAPR_IRQ_HOTPLUG_NR    0x1001

/* ------------------------------------------------------------ helpers */

#define qmp_ok(qts, ...) qtest_qmp_assert_success(qts, __VA_ARGS__)

static QTestState *start(const char *extra)
{
    return qtest_initf("%s %s", MACHINE, extra ? extra : "");
}

static void quit(QTestState *qts)
{
    int status = qtest_quit_qmp(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/*
 * device_del answers {} and nothing else comes first or with it: the
 * next object after a query-status is its reply, not DEVICE_DELETED.
 */
static void device_del_pending(QTestState *qts, const char *id)
{
    static const char status[] = "{\"execute\": \"query-status\"}";
    g_autoptr(JsonObject) r = NULL;
    g_autoptr(JsonObject) next = NULL;

    r = qtest_qmp(qts, "{'execute': 'device_del', 'arguments': "
                  "{'id': '%s'}}", id);
    g_assert_null(qtest_qmp_error_desc(r));
    g_assert_true(json_object_has_member(r, "return"));
    qtest_qmp_send_raw(qts, status, strlen(status));
    next = qtest_qmp_eventwait_or_reply(qts);
    g_assert_false(json_object_has_member(next, "event"));
    g_assert_true(json_object_has_member(next, "return"));
}

static bool device_exists(QTestState *qts, const char *id)
{
    g_autoptr(JsonObject) r = qtest_qmp(qts, "{'execute': 'qom-list', "
        "'arguments': {'path': '/machine/peripheral/%s'}}", id);

    return qtest_qmp_error_desc(r) == NULL;
}

static void wait_deleted(QTestState *qts, const char *id)
{
    g_autoptr(JsonObject) ev = qtest_qmp_eventwait(qts, "DEVICE_DELETED");

    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(ev, "data"),
                        "device"), ==, id);
    g_assert_false(device_exists(qts, id));
}

static void testdev_add(QTestState *qts, const char *id)
{
    qmp_ok(qts, "{'execute': 'device_add', 'arguments': {'driver': "
           "'pci-testdev', 'id': '%s', 'addr': '3'}}", id);
}

static void dimm_add(QTestState *qts, const char *id, const char *mem,
                     uint64_t size)
{
    qmp_ok(qts, "{'execute': 'object-add', 'arguments': {'qom-type': "
           "'memory-backend-ram', 'id': '%s', 'size': %" PRIu64 "}}", mem,
           size);
    qmp_ok(qts, "{'execute': 'device_add', 'arguments': {'driver': "
           "'pc-dimm', 'id': '%s', 'memdev': '%s'}}", id, mem);
}

static void assert_event(SpaprGuest *g, bool scan, uint8_t type,
                         uint8_t action, uint8_t id_type, uint32_t count,
                         uint32_t index)
{
    GuestHotplugEvent ev;

    g_assert_cmpint(guest_drc_fetch_event(g, scan, &ev), ==, 0);
    g_assert_cmpuint(ev.type, ==, type);
    g_assert_cmpuint(ev.action, ==, action);
    g_assert_cmpuint(ev.id_type, ==, id_type);
    g_assert_cmpuint(ev.count, ==, count);
    g_assert_cmphex(ev.index, ==, index);
}

static void assert_no_event(SpaprGuest *g)
{
    GuestHotplugEvent ev;

    g_assert_cmpint(guest_drc_fetch_event(g, false, &ev), ==, RTAS_NO_EVENT);
    g_assert_cmpint(guest_drc_fetch_event(g, true, &ev), ==, RTAS_NO_EVENT);
}

static uint32_t sense(SpaprGuest *g, uint32_t index)
{
    uint32_t state;

    g_assert_cmpint(guest_drc_get_sensor(g, GUEST_DRC_ENTITY_SENSE, index,
                                         &state), ==, 0);
    return state;
}

static void *dump_dtb(QTestState *qts)
{
    g_autofree char *dir = g_dir_make_tmp("drc-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "t.dtb", NULL);
    char *blob = NULL;
    gsize len;

    qmp_ok(qts, "{'execute': 'dumpdtb', 'arguments': {'filename': '%s'}}",
           path);
    g_assert_true(g_file_get_contents(path, &blob, &len, NULL));
    unlink(path);
    rmdir(dir);
    g_assert_cmpint(fdt_check_header(blob), ==, 0);
    return blob;
}

/* -------------------------------------------------------------- tests */

/* What rpaphp/drmgr and the memory code read from the tree. */
static void test_device_tree_has_drc_properties(void)
{
    QTestState *qts = start("-device pci-testdev,id=cold,addr=3 "
                            "-object memory-backend-ram,id=m0,size=512M "
                            "-device pc-dimm,id=d0,memdev=m0");
    g_autofree void *fdt = dump_dtb(qts);
    const fdt32_t *p;
    const char *s;
    int off, len, i;

    off = fdt_path_offset(fdt, "/pci@800000020000000");
    g_assert_cmpint(off, >=, 0);
    p = fdt_getprop(fdt, off, "ibm,drc-indexes", &len);
    g_assert_cmpint(len, ==, 4 * 33);
    g_assert_cmpuint(fdt32_to_cpu(p[0]), ==, 32);
    for (i = 0; i < 32; i++) {
        g_assert_cmphex(fdt32_to_cpu(p[1 + i]), ==,
                        GUEST_DRC_PCI_INDEX(0, i << 3));
    }
    p = fdt_getprop(fdt, off, "ibm,drc-power-domains", &len);
    g_assert_cmpint(len, ==, 4 * 33);
    g_assert_cmphex(fdt32_to_cpu(p[32]), ==, 0xffffffff);
    s = fdt_getprop(fdt, off, "ibm,drc-names", &len);
    g_assert_cmpuint(fdt32_to_cpu(*(const fdt32_t *)s), ==, 32);
    g_assert_cmpstr(s + 4, ==, "C0");
    g_assert_cmpstr(s + 4 + 3, ==, "C8");
    s = fdt_getprop(fdt, off, "ibm,drc-types", &len);
    g_assert_cmpint(len, ==, 4 + 32 * 3);
    g_assert_cmpstr(s + 4, ==, "28");

    off = fdt_path_offset(fdt, "/pci@800000020000000/pci1b36,5@3");
    g_assert_cmpint(off, >=, 0);
    p = fdt_getprop(fdt, off, "ibm,my-drc-index", &len);
    g_assert_cmpint(len, ==, 4);
    g_assert_cmphex(fdt32_to_cpu(*p), ==, TD_DRC);

    /* 12 LMBs up to 3 GiB: 4 of boot RAM (reserved), 2 of the DIMM */
    off = fdt_path_offset(fdt, "/ibm,dynamic-reconfiguration-memory");
    g_assert_cmpint(off, >=, 0);
    p = fdt_getprop(fdt, off, "ibm,lmb-size", &len);
    g_assert_cmpint(len, ==, 8);
    g_assert_cmphex(fdt32_to_cpu(p[1]), ==, 256 * MiB);
    p = fdt_getprop(fdt, off, "ibm,associativity-lookup-arrays", &len);
    g_assert_cmpint(len, ==, 24);
    g_assert_cmpuint(fdt32_to_cpu(p[0]), ==, 1);
    g_assert_cmpuint(fdt32_to_cpu(p[1]), ==, 4);
    p = fdt_getprop(fdt, off, "ibm,dynamic-memory", &len);
    g_assert_cmpint(len, ==, 4 * (1 + 12 * 6));
    g_assert_cmpuint(fdt32_to_cpu(p[0]), ==, 12);
    for (i = 0; i < 12; i++) {
        const fdt32_t *e = &p[1 + i * 6];
        uint64_t addr = (uint64_t)fdt32_to_cpu(e[0]) << 32 |
                        fdt32_to_cpu(e[1]);

        g_assert_cmphex(addr, ==, i * 256 * MiB);
        if (i < 4) {
            g_assert_cmphex(fdt32_to_cpu(e[5]), ==, 0xa0);
        } else {
            g_assert_cmphex(fdt32_to_cpu(e[2]), ==,
                            GUEST_DRC_LMB_INDEX(addr));
            g_assert_cmphex(fdt32_to_cpu(e[5]), ==, i < 6 ? 0x8 : 0);
        }
    }
    g_assert_cmpint(fdt_path_offset(fdt, "/event-sources/hot-plug-events"),
                    >=, 0);
    off = fdt_path_offset(fdt, "/rtas");
    g_assert_nonnull(fdt_getprop(fdt, off, "set-indicator", NULL));
    g_assert_nonnull(fdt_getprop(fdt, off, "get-sensor-state", NULL));
    g_assert_nonnull(fdt_getprop(fdt, off, "ibm,configure-connector", NULL));
    g_assert_nonnull(fdt_getprop(fdt, off, "check-exception", NULL));
    g_assert_nonnull(fdt_getprop(fdt, off, "event-scan", NULL));
    quit(qts);
}

/*
 * device_add posts an add event; the guest acquires the slot and
 * configure-connector hands it the device's node; then device_del is a
 * request: {} at once, DEVICE_DELETED only once the guest has isolated
 * the slot and given it back.
 */
static void test_pci_unplug_waits_for_guest(void)
{
    QTestState *qts = start(NULL);
    SpaprGuest *g = guest_new(qts, RAM);
    GuestDrcNode node;
    GuestHotplugEvent ev;

    assert_no_event(g);
    g_assert_cmpuint(sense(g, TD_DRC), ==, GUEST_DRC_SENSE_EMPTY);
    testdev_add(qts, "td");
    g_assert_cmpuint(sense(g, TD_DRC), ==, GUEST_DRC_SENSE_PRESENT);
    assert_event(g, false, GUEST_HP_TYPE_PCI, GUEST_HP_ACTION_ADD,
                 GUEST_HP_ID_DRC_INDEX, 1, TD_DRC);
    assert_no_event(g);

    /* configure before unisolate: not configurable, nothing changes */
    g_assert_cmpint(guest_drc_configure(g, TD_DRC, NULL), ==,
                    GUEST_CC_NOT_CONFIGURABLE);
    g_assert_cmpint(guest_drc_acquire(g, TD_DRC, true, &node), ==, 0);
    g_assert_cmpstr(node.name, ==, "pci1b36,5@3");
    g_assert_cmphex(node.my_drc_index, ==, TD_DRC);
    g_assert_cmpuint(node.nprops, >=, 8);
    /* a configured device may be walked again, with the same result */
    g_assert_cmpint(guest_drc_configure(g, TD_DRC, &node), ==, 0);
    g_assert_cmpstr(node.name, ==, "pci1b36,5@3");

    device_del_pending(qts, "td");
    g_assert_true(device_exists(qts, "td"));
    /* the guest takes it through event-scan this time */
    assert_event(g, true, GUEST_HP_TYPE_PCI, GUEST_HP_ACTION_REMOVE,
                 GUEST_HP_ID_DRC_INDEX, 1, TD_DRC);
    /* no taking it back while it goes */
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            TD_DRC, GUEST_DRC_UNISOLATE), ==,
                    RTAS_PARAM_ERROR);
    g_assert_true(device_exists(qts, "td"));
    /* isolating the slot gives it back (as QEMU, as drmgr does it) */
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            TD_DRC, GUEST_DRC_ISOLATE), ==, 0);
    wait_deleted(qts, "td");
    g_assert_cmpuint(sense(g, TD_DRC), ==, GUEST_DRC_SENSE_EMPTY);
    g_assert_cmpint(guest_drc_fetch_event(g, false, &ev), ==, RTAS_NO_EVENT);

    /* the slot can take a new device, with a new add event */
    testdev_add(qts, "td2");
    assert_event(g, false, GUEST_HP_TYPE_PCI, GUEST_HP_ACTION_ADD,
                 GUEST_HP_ID_DRC_INDEX, 1, TD_DRC);
    guest_free(g);
    quit(qts);
}

/*
 * A PCI slot is a physical connector: PAPR gives it no allocation
 * state (-3, as QEMU answers, and nothing changes), and isolation
 * alone completes an unplug, as QEMU does and drmgr expects.  An LMB
 * still needs isolation and then allocation unusable.
 */
static void test_pci_slot_released_by_isolation(void)
{
    QTestState *qts = start("-device pci-testdev,id=cold,addr=3 "
                            "-object memory-backend-ram,id=m0,size=256M "
                            "-device pc-dimm,id=d0,memdev=m0");
    SpaprGuest *g = guest_new(qts, RAM);
    uint32_t v;

    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ALLOCATION_STATE,
                                            TD_DRC, GUEST_DRC_USABLE), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ALLOCATION_STATE,
                                            TD_DRC, GUEST_DRC_UNUSABLE), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpuint(sense(g, TD_DRC), ==, GUEST_DRC_SENSE_PRESENT);
    device_del_pending(qts, "cold");
    assert_event(g, false, GUEST_HP_TYPE_PCI, GUEST_HP_ACTION_REMOVE,
                 GUEST_HP_ID_DRC_INDEX, 1, TD_DRC);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            TD_DRC, GUEST_DRC_ISOLATE), ==, 0);
    wait_deleted(qts, "cold");
    g_assert_cmpuint(sense(g, TD_DRC), ==, GUEST_DRC_SENSE_EMPTY);

    device_del_pending(qts, "d0");
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            LMB0, GUEST_DRC_ISOLATE), ==, 0);
    g_assert_true(device_exists(qts, "d0"));
    g_assert_cmpint(guest_drc_get_sensor(g, GUEST_DRC_ENTITY_SENSE, LMB0,
                                         &v), ==, 0);
    g_assert_cmpuint(v, ==, GUEST_DRC_SENSE_PRESENT);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ALLOCATION_STATE,
                                            LMB0, GUEST_DRC_UNUSABLE), ==, 0);
    wait_deleted(qts, "d0");
    guest_free(g);
    quit(qts);
}

/* Plugged, the guest never took it: it goes at once, as on QEMU. */
static void test_never_configured_goes_at_once(void)
{
    QTestState *qts = start(NULL);
    g_autoptr(JsonObject) r = NULL;

    testdev_add(qts, "td");
    r = qtest_qmp(qts, "{'execute': 'device_del', 'arguments': "
                  "{'id': 'td'}}");
    g_assert_null(qtest_qmp_error_desc(r));
    wait_deleted(qts, "td");

    /* A DIMM the guest never acquired goes at once too. */
    dimm_add(qts, "d0", "m0", 256 * MiB);
    qmp_ok(qts, "{'execute': 'device_del', 'arguments': {'id': 'd0'}}");
    wait_deleted(qts, "d0");
    qmp_ok(qts, "{'execute': 'object-del', 'arguments': {'id': 'm0'}}");
    quit(qts);
}

/*
 * A second device_del while the guest has not answered: refused with a
 * message, no second event, and the first request still completes.
 */
static void test_second_device_del_while_pending(void)
{
    QTestState *qts = start("-device pci-testdev,id=cold,addr=3");
    SpaprGuest *g = guest_new(qts, RAM);
    g_autoptr(JsonObject) r = NULL;

    device_del_pending(qts, "cold");
    r = qtest_qmp(qts, "{'execute': 'device_del', 'arguments': "
                  "{'id': 'cold'}}");
    g_assert_nonnull(strstr(qtest_qmp_error_desc(r), "already in progress"));
    g_assert_nonnull(strstr(qtest_qmp_error_desc(r), "cold"));
    assert_event(g, false, GUEST_HP_TYPE_PCI, GUEST_HP_ACTION_REMOVE,
                 GUEST_HP_ID_DRC_INDEX, 1, TD_DRC);
    assert_no_event(g);
    g_assert_true(device_exists(qts, "cold"));
    g_assert_cmpuint(guest_drc_handle_events(g), ==, 0);
    g_assert_cmpint(guest_drc_release(g, TD_DRC), ==, 0);
    wait_deleted(qts, "cold");
    guest_free(g);
    quit(qts);
}

/* A reset with an unplug pending completes it (as QEMU does). */
static void test_reset_completes_pending_unplug(void)
{
    QTestState *qts = start("-device pci-testdev,id=cold,addr=3 "
                            "-device pci-testdev,id=other,addr=4");
    SpaprGuest *g = guest_new(qts, RAM);
    g_autoptr(JsonObject) ev = NULL;

    device_del_pending(qts, "cold");
    qmp_ok(qts, "{'execute': 'system_reset'}");
    wait_deleted(qts, "cold");
    ev = qtest_qmp_eventwait(qts, "RESET");
    /* a new guest: no stale event, the other device is its own */
    assert_no_event(g);
    g_assert_true(device_exists(qts, "other"));
    device_del_pending(qts, "other");
    guest_free(g);
    quit(qts);
}

/* Each bad call answers the PAPR error and the connector is unchanged. */
static void test_bad_input_changes_nothing(void)
{
    QTestState *qts = start("-device pci-testdev,id=cold,addr=3");
    SpaprGuest *g = guest_new(qts, RAM);
    uint32_t args[8] = { 0 }, rets[2];
    uint64_t wa = guest_alloc(g, 4096, 4096);

    /* unknown DRC index, bad indicator type, bad values */
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            0x40000019, 0), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            0x12345678, 0), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_drc_set_indicator(g, 9999, TD_DRC, 0), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            TD_DRC, 2), ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ALLOCATION_STATE,
                                            TD_DRC, 7), ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_DR_INDICATOR,
                                            TD_DRC, 4), ==, RTAS_PARAM_ERROR);
    /* giving back a connector still unisolated */
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ALLOCATION_STATE,
                                            TD_DRC, GUEST_DRC_UNUSABLE), ==,
                    RTAS_PARAM_ERROR);
    /* taking an empty slot */
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ALLOCATION_STATE,
                                            GUEST_DRC_PCI_INDEX(0, 0x20),
                                            GUEST_DRC_USABLE), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            GUEST_DRC_PCI_INDEX(0, 0x20),
                                            GUEST_DRC_UNISOLATE), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_DR_INDICATOR,
                                            TD_DRC, 1), ==, 0);

    /* get-sensor-state: unknown index, unknown sensor, bad counts */
    g_assert_cmpint(guest_drc_get_sensor(g, GUEST_DRC_ENTITY_SENSE,
                                         0x40000019, NULL), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_drc_get_sensor(g, 9001, TD_DRC, NULL), ==,
                    RTAS_PARAM_ERROR);
    args[0] = GUEST_DRC_ENTITY_SENSE;
    args[1] = TD_DRC;
    g_assert_cmpint(guest_rtas(g, "get-sensor-state", 1, args, 2, rets), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_rtas(g, "set-indicator", 2, args, 1, rets), ==,
                    RTAS_PARAM_ERROR);

    /* configure-connector: work area outside RAM, unknown index, counts */
    args[0] = 0xfff00000;
    args[1] = 0;
    g_assert_cmpint(guest_rtas(g, "ibm,configure-connector", 2, args, 1,
                               rets), ==, RTAS_PARAM_ERROR);
    args[0] = RAM - 2048;   /* runs past the end of RAM */
    g_assert_cmpint(guest_rtas(g, "ibm,configure-connector", 2, args, 1,
                               rets), ==, RTAS_PARAM_ERROR);
    qtest_writel(qts, wa, 0x40000019);
    args[0] = wa;
    g_assert_cmpint(guest_rtas(g, "ibm,configure-connector", 2, args, 1,
                               rets), ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_rtas(g, "ibm,configure-connector", 1, args, 1,
                               rets), ==, RTAS_PARAM_ERROR);
    /* an LMB has nothing to configure */
    qtest_writel(qts, wa, LMB0);
    g_assert_cmpint(guest_rtas(g, "ibm,configure-connector", 2, args, 1,
                               rets), ==, GUEST_CC_NOT_CONFIGURABLE);
    /* check-exception / event-scan: counts, a buffer outside RAM */
    args[0] = 0x10000000;
    args[1] = 0;
    args[2] = 0xfff00000;
    args[3] = 2048;
    g_assert_cmpint(guest_rtas(g, "event-scan", 4, args, 1, rets), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_rtas(g, "event-scan", 3, args, 1, rets), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_rtas(g, "check-exception", 5, args, 1, rets), ==,
                    RTAS_PARAM_ERROR);

    /* Nothing changed: the device is still configured and the guest's. */
    g_assert_cmpuint(sense(g, TD_DRC), ==, GUEST_DRC_SENSE_PRESENT);
    device_del_pending(qts, "cold");
    assert_event(g, false, GUEST_HP_TYPE_PCI, GUEST_HP_ACTION_REMOVE,
                 GUEST_HP_ID_DRC_INDEX, 1, TD_DRC);
    g_assert_cmpint(guest_drc_release(g, TD_DRC), ==, 0);
    wait_deleted(qts, "cold");
    guest_free(g);
    quit(qts);
}

/*
 * A DIMM: the add event names its LMBs (count and first index), the
 * guest acquires each; device_del waits until the guest has released
 * every LMB; an LMB a TCE still maps cannot be isolated.
 */
static void test_dimm_unplug_waits_for_guest(void)
{
    QTestState *qts = start(NULL);
    SpaprGuest *g = guest_new(qts, RAM);
    GuestHotplugEvent ev;
    uint32_t liobn = 0x80000000;
    uint64_t args[3];

    dimm_add(qts, "d0", "m0", 512 * MiB);
    g_assert_cmpuint(sense(g, LMB0), ==, GUEST_DRC_SENSE_UNUSABLE);
    g_assert_cmpint(guest_drc_fetch_event(g, false, &ev), ==, 0);
    g_assert_cmpuint(ev.type, ==, GUEST_HP_TYPE_MEMORY);
    g_assert_cmpuint(ev.action, ==, GUEST_HP_ACTION_ADD);
    g_assert_cmpuint(ev.id_type, ==, GUEST_HP_ID_DRC_COUNT_INDEXED);
    g_assert_cmpuint(ev.count, ==, 2);
    g_assert_cmphex(ev.index, ==, LMB0);
    /* an LMB is unisolated only once allocated */
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            LMB0, GUEST_DRC_UNISOLATE), ==,
                    RTAS_PARAM_ERROR);
    g_assert_cmpint(guest_drc_handle_event(g, &ev), ==, 0);
    g_assert_cmpuint(sense(g, LMB0), ==, GUEST_DRC_SENSE_PRESENT);
    g_assert_cmpuint(sense(g, LMB0 + 1), ==, GUEST_DRC_SENSE_PRESENT);
    g_assert_cmpuint(sense(g, LMB0 + 2), ==, GUEST_DRC_SENSE_UNUSABLE);

    device_del_pending(qts, "d0");
    assert_event(g, false, GUEST_HP_TYPE_MEMORY, GUEST_HP_ACTION_REMOVE,
                 GUEST_HP_ID_DRC_COUNT_INDEXED, 2, LMB0);

    /* a TCE into the second LMB: it cannot be isolated */
    args[0] = liobn;
    args[1] = 0;
    args[2] = (DIMM_GPA + 256 * MiB) | 3;
    g_assert_cmpint(qtest_hcall(qts, H_PUT_TCE, 3, args, 0, NULL), ==, 0);
    g_assert_cmpint(guest_drc_release(g, LMB0), ==, 0);
    g_assert_true(device_exists(qts, "d0"));
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            LMB0 + 1, GUEST_DRC_ISOLATE), ==,
                    RTAS_VALID_TRANSLATION);
    g_assert_cmpuint(sense(g, LMB0 + 1), ==, GUEST_DRC_SENSE_PRESENT);
    g_assert_true(device_exists(qts, "d0"));
    /*
     * Unmapped, but now a TCE maps the block already released: every
     * connector is released, yet the DIMM stays while it is mapped.
     */
    args[2] = 0;
    g_assert_cmpint(qtest_hcall(qts, H_PUT_TCE, 3, args, 0, NULL), ==, 0);
    args[2] = DIMM_GPA | 3;
    g_assert_cmpint(qtest_hcall(qts, H_PUT_TCE, 3, args, 0, NULL), ==, 0);
    g_assert_cmpint(guest_drc_release(g, LMB0 + 1), ==, 0);
    g_assert_true(device_exists(qts, "d0"));
    /* unmapped, as Linux does before offlining: the next call ends it */
    args[2] = 0;
    g_assert_cmpint(qtest_hcall(qts, H_PUT_TCE, 3, args, 0, NULL), ==, 0);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            LMB0, GUEST_DRC_ISOLATE), ==, 0);
    wait_deleted(qts, "d0");
    g_assert_cmpuint(sense(g, LMB0), ==, GUEST_DRC_SENSE_UNUSABLE);
    qmp_ok(qts, "{'execute': 'object-del', 'arguments': {'id': 'm0'}}");
    guest_free(g);
    quit(qts);
}

/* A DIMM on the command line is the guest's from boot. */
static void test_cold_dimm_needs_guest(void)
{
    QTestState *qts = start("-object memory-backend-ram,id=m0,size=256M "
                            "-device pc-dimm,id=d0,memdev=m0");
    SpaprGuest *g = guest_new(qts, RAM);

    assert_no_event(g);
    g_assert_cmpuint(sense(g, LMB0), ==, GUEST_DRC_SENSE_PRESENT);
    device_del_pending(qts, "d0");
    g_assert_cmpuint(guest_drc_handle_events(g), ==, 1);
    wait_deleted(qts, "d0");
    guest_free(g);
    quit(qts);
}

/*
 * A vfio-pci device the guest configured and used for DMA: after
 * device_del the device stays (and works) until the guest releases
 * the slot; then it goes and the host holds nothing of it: query-vfio
 * is empty and the exit report clean.
 */
static void test_vfio_unplug_waits_for_guest(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s", VT_RAM_ARG);
    QTestState *qts = m->qts;
    SpaprGuest *g = guest_new(qts, VT_RAM);
    g_autoptr(JsonObject) reply = NULL;
    uint32_t drc = GUEST_DRC_PCI_INDEX(0, 0x10);
    GuestDrcNode node;
    GuestDevice d;
    uint64_t gpa, iova;

    vt_device_add(m, "vd", "'host': '" VT_BDF0 "', 'addr': '2'");
    assert_event(g, false, GUEST_HP_TYPE_PCI, GUEST_HP_ACTION_ADD,
                 GUEST_HP_ID_DRC_INDEX, 1, drc);
    g_assert_cmpint(guest_drc_acquire(g, drc, true, &node), ==, 0);
    g_assert_cmphex(node.my_drc_index, ==, drc);
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &d));
    gpa = guest_alloc(g, VT_PAGE, VT_PAGE);
    iova = guest_dma_map(g, &d, gpa, VT_PAGE, TCE_RW);
    g_assert_cmphex(iova, !=, 0);
    vt_dma_roundtrip(m, g, &d, iova, gpa, VT_PAGE, 0x1122334455667788ULL);

    device_del_pending(qts, "vd");
    /* still there, still working, until the guest lets it go */
    vt_dma_roundtrip(m, g, &d, iova, gpa, VT_PAGE, 0x0102030405060708ULL);
    g_assert_cmpuint(json_array_get_length(vt_query_vfio(m, &reply)), ==, 1);
    g_clear_pointer(&reply, json_object_unref);
    assert_event(g, false, GUEST_HP_TYPE_PCI, GUEST_HP_ACTION_REMOVE,
                 GUEST_HP_ID_DRC_INDEX, 1, drc);
    /* Linux's driver stops using it first */
    g_assert_true(guest_dma_unmap(g, &d, iova, VT_PAGE));
    g_assert_cmpint(guest_drc_release(g, drc), ==, 0);
    wait_deleted(qts, "vd");
    g_assert_cmpuint(json_array_get_length(vt_query_vfio(m, &reply)), ==, 0);
    vt_assert_host_idle(m);
    guest_free(g);
    vt_quit_clean(m);
}

/*
 * A DIMM whose unplug is pending while a TCE maps one of its blocks
 * (the device still reaches it): isolating that block answers -9001
 * and the unplug neither completes nor is lost.  The memory stays
 * pinned and reachable, a second device_del is still "in progress",
 * and when the guest has unmapped it and retries, the DIMM goes and
 * its pin with it.  A DIMM left so at quit leaks nothing either.
 */
static uint64_t vsim_locked(VsimMachine *m)
{
    g_autoptr(JsonObject) st = vsim_machine_state(m);

    return vt_int(st, "locked_bytes");
}

static void test_dimm_unplug_held_by_tce_until_retry(void)
{
    VsimMachine *m = vsim_machine_start(NULL, NULL, "%s,slots=4,maxmem=2G "
                                        "-device vfio-pci,host=" VT_BDF0
                                        ",id=vd", VT_RAM_ARG);
    QTestState *qts = m->qts;
    const uint32_t lmb0 = GUEST_DRC_LMB_INDEX(VT_RAM);
    const uint64_t gpa = VT_RAM + 256 * MiB + 8 * VT_PAGE;
    g_autoptr(JsonObject) r = NULL;
    SpaprGuest *g;
    GuestDevice d;
    uint64_t locked0, iova, iova1;

    g = vt_guest(m, VT_RAM, &d);
    locked0 = vsim_locked(m);
    dimm_add(qts, "d0", "m0", 512 * MiB);
    dimm_add(qts, "d1", "m1", 256 * MiB);
    g_assert_cmpuint(guest_drc_handle_events(g), ==, 2);
    g_assert_cmpuint(vsim_locked(m), ==, locked0 + 768 * MiB);

    device_del_pending(qts, "d0");
    assert_event(g, false, GUEST_HP_TYPE_MEMORY, GUEST_HP_ACTION_REMOVE,
                 GUEST_HP_ID_DRC_COUNT_INDEXED, 2, lmb0);
    /* the driver maps a page of the second block again */
    iova = guest_dma_map(g, &d, gpa, VT_PAGE, TCE_RW);
    g_assert_cmphex(iova, !=, 0);
    g_assert_cmpint(guest_drc_release(g, lmb0), ==, 0);
    g_assert_cmpint(guest_drc_release(g, lmb0 + 1), ==,
                    RTAS_VALID_TRANSLATION);
    /* not completed: still there, pinned, reachable, still pending */
    g_assert_true(device_exists(qts, "d0"));
    g_assert_cmpuint(sense(g, lmb0 + 1), ==, GUEST_DRC_SENSE_PRESENT);
    g_assert_cmpuint(vsim_locked(m), ==, locked0 + 768 * MiB);
    vt_dma_roundtrip(m, g, &d, iova, gpa, VT_PAGE, 0x2468ace013579bdfULL);
    /* a second device_del is refused (the TCE names itself first) */
    r = qtest_qmp(qts, "{'execute': 'device_del', 'arguments': "
                  "{'id': 'd0'}}");
    g_assert_nonnull(strstr(qtest_qmp_error_desc(r), "TCE table"));
    assert_no_event(g);
    /* a retry while still mapped changes nothing */
    g_assert_cmpint(guest_drc_release(g, lmb0 + 1), ==,
                    RTAS_VALID_TRANSLATION);
    g_assert_true(device_exists(qts, "d0"));

    /* unmapped, the guest retries: the DIMM goes with its pin */
    g_assert_true(guest_dma_unmap(g, &d, iova, VT_PAGE));
    g_assert_cmpint(guest_drc_release(g, lmb0 + 1), ==, 0);
    wait_deleted(qts, "d0");
    g_assert_cmpuint(vsim_locked(m), ==, locked0 + 256 * MiB);
    qmp_ok(qts, "{'execute': 'object-del', 'arguments': {'id': 'm0'}}");

    /* d1: pending and held by a TCE when the machine quits */
    device_del_pending(qts, "d1");
    iova1 = guest_dma_map(g, &d, VT_RAM + 512 * MiB, VT_PAGE, TCE_RW);
    g_assert_cmphex(iova1, !=, 0);
    assert_event(g, false, GUEST_HP_TYPE_MEMORY, GUEST_HP_ACTION_REMOVE,
                 GUEST_HP_ID_DRC_COUNT_INDEXED, 1,
                 GUEST_DRC_LMB_INDEX(VT_RAM + 512 * MiB));
    g_assert_cmpint(guest_drc_release(g, GUEST_DRC_LMB_INDEX(VT_RAM +
                                                             512 * MiB)),
                    ==, RTAS_VALID_TRANSLATION);
    g_assert_true(device_exists(qts, "d1"));
    guest_free(g);
    vt_quit_clean(m);
}

/*
 * The hotplug event source's interrupt (0x1001, as QEMU numbers it):
 * in the tree, raised when an event is queued, and again after
 * check-exception while more events are pending.  The guest handles it
 * as Linux does: accept, fetch one event, EOI.
 */
static void handle_event_irq(SpaprGuest *g, uint32_t index)
{
    GuestHotplugEvent ev;
    uint64_t xirr;

    g_assert_cmpint(guest_xirr(g, &xirr), ==, 0);
    g_assert_cmphex(xirr & 0xffffff, ==, SPAPR_IRQ_HOTPLUG_NR);
    g_assert_cmpint(guest_drc_fetch_event(g, false, &ev), ==, 0);
    g_assert_cmphex(ev.index, ==, index);
    g_assert_cmpint(guest_eoi(g, xirr), ==, 0);
}

static void test_event_interrupt(void)
{
    QTestState *qts = start(NULL);
    SpaprGuest *g = guest_new(qts, RAM);
    g_autofree void *fdt = dump_dtb(qts);
    const fdt32_t *p;
    int off, len;

    off = fdt_path_offset(fdt, "/event-sources");
    g_assert_nonnull(fdt_getprop(fdt, off, "interrupt-controller", NULL));
    p = fdt_getprop(fdt, off, "interrupt-ranges", &len);
    g_assert_cmpint(len, ==, 8);
    g_assert_cmphex(fdt32_to_cpu(p[0]), ==, SPAPR_IRQ_HOTPLUG_NR);
    g_assert_cmpuint(fdt32_to_cpu(p[1]), ==, 1);
    off = fdt_path_offset(fdt, "/event-sources/hot-plug-events");
    p = fdt_getprop(fdt, off, "interrupts", &len);
    g_assert_cmpint(len, ==, 8);
    g_assert_cmphex(fdt32_to_cpu(p[0]), ==, SPAPR_IRQ_HOTPLUG_NR);
    g_assert_cmpuint(fdt32_to_cpu(p[1]), ==, 0);

    guest_irq_intercept(g);
    /* as Linux at boot: take any priority, then request_irq */
    g_assert_cmpint(guest_cppr(g, 0xff), ==, 0);
    g_assert_cmpint(guest_irq_unmask(g, SPAPR_IRQ_HOTPLUG_NR), ==, 0);
    testdev_add(qts, "t1");
    g_assert_true(guest_wait_irq(g, SPAPR_IRQ_HOTPLUG_NR, 1, 5000));
    qmp_ok(qts, "{'execute': 'device_add', 'arguments': {'driver': "
           "'pci-testdev', 'id': 't2', 'addr': '4'}}");
    handle_event_irq(g, TD_DRC);
    /* one more pending: raised again */
    g_assert_true(guest_wait_irq(g, SPAPR_IRQ_HOTPLUG_NR, 2, 5000));
    handle_event_irq(g, GUEST_DRC_PCI_INDEX(0, 0x20));
    assert_no_event(g);
    g_assert_cmpuint(guest_irq_count(g, SPAPR_IRQ_HOTPLUG_NR), ==, 3);
    guest_free(g);
    quit(qts);
}

/*
 * Connector state and queued events migrate: on the source a cold
 * PCI device and a hot-added DIMM the guest took have device_del
 * pending (the guest fetched those events), and a new device's add
 * event waits unfetched.  On the destination (the same devices on its
 * command line) the add event is fetched there and the guest acquires
 * that slot; a second device_del is still refused; each pending unplug
 * completes with DEVICE_DELETED when the guest releases the connectors.
 */
static void migrate_to_file(QTestState *src, const char *path)
{
    g_autofree char *end = NULL;

    qmp_ok(src, "{'execute': 'migrate', 'arguments': {'uri': "
           "'file:%s'}}", path);
    end = qtest_migration_wait_end(src);
    g_assert_cmpstr(end, ==, "completed");
}

static void test_pending_unplug_migrates(void)
{
    g_autofree char *dir = g_dir_make_tmp("drc-mig-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "mig", NULL);
    const uint32_t hot_drc = GUEST_DRC_PCI_INDEX(0, 0x20);
    QTestState *src, *dst;
    SpaprGuest *g;
    GuestHotplugEvent ev;
    GuestDrcNode node;
    g_autoptr(JsonObject) r = NULL;

    src = start("-device pci-testdev,id=cold,addr=3");
    g = guest_new(src, RAM);
    dimm_add(src, "d0", "m0", 512 * MiB);
    g_assert_cmpuint(guest_drc_handle_events(g), ==, 1);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_DR_INDICATOR,
                                            TD_DRC, 2), ==, 0);
    device_del_pending(src, "cold");
    assert_event(g, false, GUEST_HP_TYPE_PCI, GUEST_HP_ACTION_REMOVE,
                 GUEST_HP_ID_DRC_INDEX, 1, TD_DRC);
    device_del_pending(src, "d0");
    assert_event(g, false, GUEST_HP_TYPE_MEMORY, GUEST_HP_ACTION_REMOVE,
                 GUEST_HP_ID_DRC_COUNT_INDEXED, 2, LMB0);
    /* the guest has released one of the DIMM's two blocks already */
    g_assert_cmpint(guest_drc_release(g, LMB0), ==, 0);
    qmp_ok(src, "{'execute': 'device_add', 'arguments': {'driver': "
           "'pci-testdev', 'id': 'hot', 'addr': '4'}}");
    guest_free(g);
    migrate_to_file(src, path);
    quit(src);

    dst = qtest_initf("%s -device pci-testdev,id=cold,addr=3 "
                      "-object memory-backend-ram,id=m0,size=512M "
                      "-device pc-dimm,id=d0,memdev=m0 "
                      "-device pci-testdev,id=hot,addr=4 "
                      "-incoming file:%s", MACHINE, path);
    g = guest_new(dst, RAM);
    /* states came along: hot is not the guest's yet, cold is going */
    g_assert_cmpuint(sense(g, LMB0), ==, GUEST_DRC_SENSE_UNUSABLE);
    g_assert_cmpuint(sense(g, LMB0 + 1), ==, GUEST_DRC_SENSE_PRESENT);
    g_assert_cmpint(guest_drc_configure(g, hot_drc, NULL), ==,
                    GUEST_CC_NOT_CONFIGURABLE);
    g_assert_cmpint(guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE,
                                            TD_DRC, GUEST_DRC_UNISOLATE), ==,
                    RTAS_PARAM_ERROR);
    r = qtest_qmp(dst, "{'execute': 'device_del', 'arguments': "
                  "{'id': 'cold'}}");
    g_assert_nonnull(strstr(qtest_qmp_error_desc(r), "already in progress"));
    /* the unfetched add event is fetched here */
    g_assert_cmpint(guest_drc_fetch_event(g, false, &ev), ==, 0);
    g_assert_cmpuint(ev.action, ==, GUEST_HP_ACTION_ADD);
    g_assert_cmphex(ev.index, ==, hot_drc);
    assert_no_event(g);
    g_assert_cmpint(guest_drc_acquire(g, hot_drc, true, &node), ==, 0);
    g_assert_cmpstr(node.name, ==, "pci1b36,5@4");
    /* the unplugs requested on the source complete here */
    g_assert_cmpint(guest_drc_release(g, TD_DRC), ==, 0);
    wait_deleted(dst, "cold");
    g_assert_true(device_exists(dst, "d0"));
    g_assert_cmpint(guest_drc_release(g, LMB0 + 1), ==, 0);
    wait_deleted(dst, "d0");
    qmp_ok(dst, "{'execute': 'object-del', 'arguments': {'id': 'm0'}}");
    g_assert_true(device_exists(dst, "hot"));
    guest_free(g);
    quit(dst);
    unlink(path);
    rmdir(dir);
}

/*
 * A configure-connector walk the guest is in the middle of goes on,
 * on the destination, where it was: the same node, the same count of
 * properties.
 */
static void test_configure_walk_migrates(void)
{
    g_autofree char *dir = g_dir_make_tmp("drc-mig-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "mig", NULL);
    QTestState *src, *dst;
    SpaprGuest *g;
    GuestDrcNode whole, rest;
    uint32_t args[2] = { 0x4000, 0 }, rets[1];
    unsigned i;

    src = start(NULL);
    g = guest_new(src, RAM);
    testdev_add(src, "td");
    g_assert_cmpuint(guest_drc_handle_events(g), ==, 1);
    /* what a whole walk gives, for comparison */
    g_assert_cmpint(guest_drc_configure(g, TD_DRC, &whole), ==, 0);
    g_assert_cmpuint(whole.nprops, >=, 8);
    /* a new walk: the node, then three of its properties */
    qtest_memset(src, 0x4000, 0, 4096);
    qtest_writel(src, 0x4000, TD_DRC);
    g_assert_cmpint(guest_rtas(g, "ibm,configure-connector", 2, args, 1,
                               rets), ==, GUEST_CC_NEXT_CHILD);
    for (i = 0; i < 3; i++) {
        g_assert_cmpint(guest_rtas(g, "ibm,configure-connector", 2, args,
                                   1, rets), ==, GUEST_CC_NEXT_PROPERTY);
    }
    guest_free(g);
    migrate_to_file(src, path);
    quit(src);

    dst = qtest_initf("%s -device pci-testdev,id=td,addr=3 "
                      "-incoming file:%s", MACHINE, path);
    g = guest_new(dst, RAM);
    for (i = 3; ; i++) {
        int32_t st = guest_rtas(g, "ibm,configure-connector", 2, args, 1,
                                rets);

        if (st == 0) {
            break;
        }
        g_assert_cmpint(st, ==, GUEST_CC_NEXT_PROPERTY);
    }
    g_assert_cmpuint(i, ==, whole.nprops);
    /* and a new walk from the start gives the whole node again */
    g_assert_cmpint(guest_drc_configure(g, TD_DRC, &rest), ==, 0);
    g_assert_cmpstr(rest.name, ==, whole.name);
    g_assert_cmpuint(rest.nprops, ==, whole.nprops);
    device_del_pending(dst, "td");
    g_assert_cmpuint(guest_drc_handle_events(g), ==, 1);
    wait_deleted(dst, "td");
    guest_free(g);
    quit(dst);
    unlink(path);
    rmdir(dir);
}

/*
 * Random arguments to every DRC and event call never crash the
 * machine, nor leak (the process exits 0, which a sanitizer build
 * turns into a leak check): connector indexes real and not, work areas
 * and event buffers at every edge of RAM (the ends of boot RAM and of
 * each DIMM, across them, past 2^64), interleaved with device_add /
 * device_del of PCI devices and DIMMs from QMP, so that calls meet
 * connectors as they are plugged, pending and gone.
 */
static uint32_t pick(GRand *r, const uint32_t *good, unsigned n)
{
    return g_rand_boolean(r) ? good[g_rand_int_range(r, 0, n)]
                             : g_rand_int(r);
}

/* The first and last page of boot RAM and of the area's blocks. */
static uint64_t pick_edge(GRand *r)
{
    static const uint64_t bases[] = {
        0, RAM, RAM + 256 * MiB, RAM + 512 * MiB, RAM + GiB, 3 * GiB,
    };
    static const int64_t offs[] = {
        -4096, -4095, -2048, -20, -1, 0, 1, 4076, 4095,
    };
    uint64_t a;

    if (g_rand_int_range(r, 0, 8) == 0) {
        return G_MAXUINT64 - g_rand_int_range(r, 0, 8192);
    }
    a = bases[g_rand_int_range(r, 0, G_N_ELEMENTS(bases))] +
        offs[g_rand_int_range(r, 0, G_N_ELEMENTS(offs))];
    return a;
}

/*
 * One random hotplug request; errors (occupied slot...) are fine.
 * Whether the last command of it succeeded.
 */
static bool random_qmp(QTestState *qts, GRand *r, unsigned *serial)
{
    static const char *const ids[] = { "cold", "d0", "hot" };
    g_autoptr(JsonObject) rr = NULL;
    unsigned n = g_rand_int_range(r, 0, 4);

    switch (g_rand_int_range(r, 0, 5)) {
    case 0:
        rr = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': "
                       "{'driver': 'pci-testdev', 'id': 'p%u', "
                       "'addr': '%u'}}", n, 4 + n);
        break;
    case 1:
        rr = qtest_qmp(qts, "{'execute': 'device_del', 'arguments': "
                       "{'id': 'p%u'}}", n);
        break;
    case 2:
        (*serial)++;
        rr = qtest_qmp(qts, "{'execute': 'object-add', 'arguments': "
                       "{'qom-type': 'memory-backend-ram', 'id': 'rm%u', "
                       "'size': %" PRIu64 "}}", *serial,
                       (uint64_t)(1 + n % 2) * 256 * MiB);
        g_clear_pointer(&rr, json_object_unref);
        rr = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': "
                       "{'driver': 'pc-dimm', 'id': 'rd%u', "
                       "'memdev': 'rm%u'}}", *serial, *serial);
        break;
    case 3:
        if (*serial) {
            unsigned k = g_rand_int_range(r, 1, *serial + 1);

            rr = qtest_qmp(qts, "{'execute': 'device_del', 'arguments': "
                           "{'id': 'rd%u'}}", k);
            g_clear_pointer(&rr, json_object_unref);
            rr = qtest_qmp(qts, "{'execute': 'object-del', 'arguments': "
                           "{'id': 'rm%u'}}", k);
        }
        break;
    default:
        rr = qtest_qmp(qts, "{'execute': 'device_del', 'arguments': "
                       "{'id': '%s'}}", ids[g_rand_int_range(r, 0, 3)]);
        break;
    }
    return rr && !qtest_qmp_error_desc(rr);
}

static void test_random_calls_never_crash(void)
{
    static const char *const calls[] = {
        "set-indicator", "get-sensor-state", "ibm,configure-connector",
        "check-exception", "event-scan",
    };
    static const uint32_t indexes[] = {
        TD_DRC, GUEST_DRC_PCI_INDEX(0, 0x20), GUEST_DRC_PCI_INDEX(0, 0x28),
        GUEST_DRC_PCI_INDEX(0, 0x30), GUEST_DRC_PCI_INDEX(0, 0x38),
        LMB0, LMB0 + 1, LMB0 + 2, LMB0 + 3, LMB0 + 7,
        0x40000019, 0x80000000, 0,
    };
    static const uint32_t small[] = { 0, 1, 2, 3, 9001, 9002, 9003 };
    QTestState *qts = start("-device pci-testdev,id=cold,addr=3 "
                            "-object memory-backend-ram,id=m0,size=256M "
                            "-device pc-dimm,id=d0,memdev=m0");
    SpaprGuest *g = guest_new(qts, RAM);
    uint64_t wa = guest_alloc(g, 4096, 4096);
    guint32 seed = g_test_rand_int();
    GRand *r = g_rand_new_with_seed(seed);
    g_autoptr(JsonObject) st = NULL;
    unsigned i, serial = 0, qmp_done = 0;

    g_test_message("seed %u", seed);
    qmp_ok(qts, "{'execute': 'device_add', 'arguments': {'driver': "
           "'pci-testdev', 'id': 'hot', 'addr': '4'}}");
    for (i = 0; i < 3000; i++) {
        uint32_t args[8], rets[8];
        uint32_t nargs = g_rand_int_range(r, 0, 9);
        uint32_t nret = g_rand_int_range(r, 1, 4);
        unsigned c = g_rand_int_range(r, 0, G_N_ELEMENTS(calls)), j;
        uint64_t edge;

        for (j = 0; j < 8; j++) {
            args[j] = j == 1 || g_rand_boolean(r) ?
                      pick(r, indexes, G_N_ELEMENTS(indexes)) :
                      pick(r, small, G_N_ELEMENTS(small));
        }
        switch (g_rand_int_range(r, 0, 3)) {
        case 0:
            break;
        case 1:
            /* a work area in low RAM naming a (maybe) real connector */
            qtest_writel(qts, wa, pick(r, indexes, G_N_ELEMENTS(indexes)));
            args[0] = wa;
            args[c == 3 ? 4 : 2] = wa;
            args[c == 3 ? 5 : 3] = g_rand_int_range(r, 0, 8192);
            break;
        default:
            /*
             * At an edge of RAM: the arguments are 32 bits, so the
             * high half wraps; what is in RAM may hold a connector.
             */
            edge = pick_edge(r);
            if (edge + 4 > edge && edge + 4 <= 3 * GiB) {
                qtest_writel(qts, edge,
                             pick(r, indexes, G_N_ELEMENTS(indexes)));
            }
            args[0] = edge;
            args[c == 3 ? 4 : 2] = edge;
            args[c == 3 ? 5 : 3] = g_rand_boolean(r) ? 4096 :
                                   g_rand_int_range(r, 0, 8192);
            break;
        }
        guest_rtas(g, calls[c], nargs, args, nret, rets);
        if (g_rand_int_range(r, 0, 25) == 0) {
            qmp_done += random_qmp(qts, r, &serial);
        }
    }
    g_rand_free(r);
    /* the calls did meet devices coming and going */
    g_test_message("%u hotplug requests accepted", qmp_done);
    g_assert_cmpuint(qmp_done, >, 0);
    st = qtest_qmp(qts, "{'execute': 'query-status'}");
    g_assert_null(qtest_qmp_error_desc(st));
    /* a reset finishes whatever is pending; the machine still works */
    qmp_ok(qts, "{'execute': 'system_reset'}");
    g_clear_pointer(&st, json_object_unref);
    st = qtest_qmp(qts, "{'execute': 'query-status'}");
    g_assert_null(qtest_qmp_error_desc(st));
    guest_free(g);
    quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spapr/drc/device-tree-has-drc-properties",
                    test_device_tree_has_drc_properties);
    g_test_add_func("/spapr/drc/pci-unplug-waits-for-guest",
                    test_pci_unplug_waits_for_guest);
    g_test_add_func("/spapr/drc/pci-slot-released-by-isolation",
                    test_pci_slot_released_by_isolation);
    g_test_add_func("/spapr/drc/never-configured-goes-at-once",
                    test_never_configured_goes_at_once);
    g_test_add_func("/spapr/drc/second-device-del-while-pending",
                    test_second_device_del_while_pending);
    g_test_add_func("/spapr/drc/reset-completes-pending-unplug",
                    test_reset_completes_pending_unplug);
    g_test_add_func("/spapr/drc/bad-input-changes-nothing",
                    test_bad_input_changes_nothing);
    g_test_add_func("/spapr/drc/dimm-unplug-waits-for-guest",
                    test_dimm_unplug_waits_for_guest);
    g_test_add_func("/spapr/drc/cold-dimm-needs-guest",
                    test_cold_dimm_needs_guest);
    g_test_add_func("/spapr/drc/vfio-unplug-waits-for-guest",
                    test_vfio_unplug_waits_for_guest);
    g_test_add_func("/spapr/drc/dimm-unplug-held-by-tce-until-retry",
                    test_dimm_unplug_held_by_tce_until_retry);
    g_test_add_func("/spapr/drc/event-interrupt",
                    test_event_interrupt);
    g_test_add_func("/spapr/drc/pending-unplug-migrates",
                    test_pending_unplug_migrates);
    g_test_add_func("/spapr/drc/configure-walk-migrates",
                    test_configure_walk_migrates);
    g_test_add_func("/spapr/drc/random-calls-never-crash",
                    test_random_calls_never_crash);
    return g_test_run();
}
