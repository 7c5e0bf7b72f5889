/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers shared by the end-to-end VFIO tests (test-vfio-dma, -ddw,
 * -topology, -failures): reading the simulated host's state, query-vfio,
 * and checking device DMA against guest RAM read through qtest.
 *
 * Every test starts its own spapr-vfio under vfio-sim and ends with the
 * exit report, which must show nothing registered, mapped, locked or
 * open.
 */
#ifndef VFIO_E2E_H
#define VFIO_E2E_H

#include <inttypes.h>
#include <string.h>
#include "libspapr-guest.h"

#define VT_BDF0         "0001:00:01.0"
#define VT_BDF1         "0001:00:02.0"
#define VT_RAM          (512ULL << 20)
#define VT_RAM_ARG      "-m 512M"
#define VT_PAGE         4096ULL

/* dma-engine BAR0 registers (little-endian). */
#define VT_REG_STATUS   0x2c
#define VT_REG_PATTERN  0x20

#define VT_DMA_DONE     2
#define VT_DMA_ERROR    3
#define VT_ERR_NONE     0
#define VT_ERR_NO_WINDOW 1
#define VT_ERR_NO_MAPPING 2
#define VT_ERR_PERMISSION 3
#define VT_ERR_BUS_MASTER 5     /* COMMAND's Bus Master is off */

/* ------------------------------------------------------ host state */

static inline JsonArray *vt_containers(JsonObject *st)
{
    return json_object_get_array_member(st, "containers");
}

/* The only container of the process (asserts there is exactly one). */
static inline JsonObject *vt_only_container(JsonObject *st)
{
    JsonArray *cs = vt_containers(st);

    g_assert_cmpuint(json_array_get_length(cs), ==, 1);
    return json_array_get_object_element(cs, 0);
}

static inline JsonArray *vt_windows(JsonObject *container)
{
    return json_object_get_array_member(container, "windows");
}

/* The container's window starting at @start, or NULL. */
static inline JsonObject *vt_window_at(JsonObject *container, uint64_t start)
{
    JsonArray *ws = vt_windows(container);
    unsigned i;

    for (i = 0; i < json_array_get_length(ws); i++) {
        JsonObject *w = json_array_get_object_element(ws, i);

        if ((uint64_t)json_object_get_int_member(w, "start") == start) {
            return w;
        }
    }
    return NULL;
}

static inline uint64_t vt_int(JsonObject *o, const char *member)
{
    g_assert(json_object_has_member(o, member));
    return (uint64_t)json_object_get_int_member(o, member);
}

static inline uint64_t vt_ioctl_calls(JsonObject *st, const char *name)
{
    JsonObject *all = json_object_get_object_member(st, "ioctls");

    g_assert(json_object_has_member(all, name));
    return vt_int(json_object_get_object_member(all, name), "calls");
}

static inline uint64_t vt_ioctl_errors(JsonObject *st, const char *name)
{
    JsonObject *all = json_object_get_object_member(st, "ioctls");

    g_assert(json_object_has_member(all, name));
    return vt_int(json_object_get_object_member(all, name), "errors");
}

/* Calls of @name since the last vt_reset_counters(). */
static inline uint64_t vt_calls(VsimMachine *m, const char *name)
{
    g_autoptr(JsonObject) st = vsim_machine_state(m);

    return vt_ioctl_calls(st, name);
}

static inline void vt_reset_counters(VsimMachine *m)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(vsim_control_reset_counters(vsim_machine_control(m),
                                              &err));
    g_assert_no_error(err);
}

/*
 * Make the @nth next call of @ioctl fail with @errno_name.  vfio-sim
 * holds one armed fault per ioctl: arming it again replaces the first
 * (a huge @nth takes it back in effect).
 */
static inline void vt_fault_nth(VsimMachine *m, const char *ioctl,
                                unsigned nth, const char *errno_name)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(vsim_control_fault(vsim_machine_control(m), ioctl, nth,
                                     errno_name, &err));
    g_assert_no_error(err);
}

static inline void vt_fault(VsimMachine *m, const char *ioctl,
                            const char *errno_name)
{
    vt_fault_nth(m, ioctl, 1, errno_name);
}

/*
 * The host window mirrors guest window @w: same start and size, page
 * size @host_shift, and @mapped host TCEs set.
 */
/*
 * The simulated host's PAGE_SHIFT: the largest host IOMMU page ordinary
 * (not hugetlbfs) guest RAM can back, 16 on a 64 KiB POWER host.
 */
static inline unsigned vt_host_page_shift(VsimMachine *m)
{
    g_autoptr(JsonObject) st = vsim_machine_state(m);

    return vt_int(st, "page_shift");
}

static inline void vt_assert_mirrors(JsonObject *container,
                                     const GuestWindow *w,
                                     unsigned host_shift, uint64_t mapped)
{
    JsonObject *hw = vt_window_at(container, w->bus_start);

    g_assert_nonnull(hw);
    g_assert_cmphex(vt_int(hw, "size"), ==, w->size);
    g_assert_cmpuint(vt_int(hw, "page_shift"), ==, host_shift);
    g_assert_cmpuint(vt_int(hw, "mapped"), ==, mapped);
}

/* Nothing of the simulated host is in use (while the process runs). */
static inline void vt_assert_host_idle(VsimMachine *m)
{
    g_autoptr(JsonObject) st = vsim_machine_state(m);
    JsonArray *groups = json_object_get_array_member(st, "groups");
    JsonArray *devs = json_object_get_array_member(st, "devices");
    unsigned i;

    g_assert_cmpuint(json_array_get_length(vt_containers(st)), ==, 0);
    g_assert_cmpuint(json_array_get_length(
                         json_object_get_array_member(st, "regions")), ==, 0);
    g_assert_cmpuint(vt_int(st, "locked_bytes"), ==, 0);
    for (i = 0; i < json_array_get_length(groups); i++) {
        g_assert_false(json_object_get_boolean_member(
                           json_array_get_object_element(groups, i), "open"));
    }
    for (i = 0; i < json_array_get_length(devs); i++) {
        g_assert_false(json_object_get_boolean_member(
                           json_array_get_object_element(devs, i), "open"));
    }
}

static inline void vt_quit_clean(VsimMachine *m)
{
    g_autoptr(JsonObject) report = vsim_machine_quit(m);

    vsim_report_assert_clean(report);
}

/* ------------------------------------------------------------- QMP */

/* query-vfio's list (@reply keeps it alive: unref it when done). */
static inline JsonArray *vt_query_vfio(VsimMachine *m, JsonObject **reply)
{
    *reply = qtest_qmp(m->qts, "{'execute': 'query-vfio'}");
    g_assert_null(qtest_qmp_error_desc(*reply));
    return json_object_get_array_member(*reply, "return");
}

static inline void vt_device_add(VsimMachine *m, const char *id,
                                 const char *props)
{
    g_autoptr(JsonObject) r = qtest_qmp(m->qts,
        "{'execute': 'device_add', 'arguments': {'driver': 'vfio-pci', "
        "'id': '%s', %s}}", id, props);

    g_assert_null(qtest_qmp_error_desc(r));
}

/* Is /machine/peripheral/@id there? */
static inline bool vt_device_exists(VsimMachine *m, const char *id)
{
    g_autoptr(JsonObject) r = qtest_qmp(m->qts, "{'execute': 'qom-list', "
        "'arguments': {'path': '/machine/peripheral/%s'}}", id);

    return qtest_qmp_error_desc(r) == NULL;
}

/*
 * The guest's part of an unplug (libspapr-guest-drc.c), as Linux does
 * it: fetch the remove events and release the connectors they name.
 * Add events of devices the test drives without the DRC steps are
 * passed over.
 */
static inline void vt_guest_release(VsimMachine *m)
{
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    GuestHotplugEvent ev;

    while (guest_drc_fetch_event(g, false, &ev) == 0) {
        if (ev.action == GUEST_HP_ACTION_REMOVE) {
            g_assert_cmpint(guest_drc_handle_event(g, &ev), ==, 0);
        }
    }
    guest_free(g);
}

/*
 * device_del and DEVICE_DELETED: at once for a device the guest never
 * took (hotplugged, not configured), else once the guest has released
 * it (a device from the command line is the guest's from boot).
 */
static inline void vt_device_del(VsimMachine *m, const char *id)
{
    g_autoptr(JsonObject) r = qtest_qmp(m->qts,
        "{'execute': 'device_del', 'arguments': {'id': '%s'}}", id);
    g_autoptr(JsonObject) ev = NULL;

    g_assert_null(qtest_qmp_error_desc(r));
    if (vt_device_exists(m, id)) {
        vt_guest_release(m);
    }
    ev = qtest_qmp_eventwait(m->qts, "DEVICE_DELETED");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(ev, "data"),
                        "device"), ==, id);
}

/* ------------------------------------------------------------ guest */

static inline SpaprGuest *vt_guest(VsimMachine *m, uint64_t ram,
                                   GuestDevice *dev)
{
    SpaprGuest *g = guest_new(m->qts, ram);

    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, dev));
    return g;
}

static inline uint32_t vt_bar0_readl(VsimMachine *m, const GuestDevice *d,
                                     unsigned reg)
{
    uint32_t v;

    g_assert_cmphex(d->bar_cpu[0], !=, 0);
    qtest_memread(m->qts, d->bar_cpu[0] + reg, &v, 4);
    return GUINT32_FROM_LE(v);
}

/* A buffer of guest RAM filled with a recognisable pattern by qtest. */
static inline uint64_t vt_alloc_pattern(VsimMachine *m, SpaprGuest *g,
                                        uint64_t size, uint8_t seed)
{
    uint64_t gpa = guest_alloc(g, size, VT_PAGE);
    g_autofree uint8_t *buf = g_malloc(size);
    uint64_t i;

    g_assert_cmphex(gpa, !=, 0);
    for (i = 0; i < size; i++) {
        buf[i] = (uint8_t)(seed + i * 7 + (i >> 12));
    }
    qtest_bufwrite(m->qts, gpa, buf, size);
    return gpa;
}

static inline uint64_t vt_ram_fnv(VsimMachine *m, uint64_t gpa,
                                  uint64_t size)
{
    g_autofree uint8_t *buf = g_malloc(size);

    qtest_bufread(m->qts, gpa, buf, size);
    return dma_engine_fnv1a(buf, size);
}

/* Guest RAM at @gpa holds FILL's output for @pattern. */
static inline void vt_assert_filled(VsimMachine *m, uint64_t gpa,
                                    uint64_t size, uint64_t pattern)
{
    g_autofree uint8_t *buf = g_malloc(size);
    uint64_t i;

    qtest_bufread(m->qts, gpa, buf, size);
    for (i = 0; i < size; i++) {
        if (buf[i] != (uint8_t)(pattern >> (8 * (i % 8)))) {
            g_error("guest RAM 0x%" PRIx64 ": 0x%02x, expected 0x%02x",
                    gpa + i, buf[i], (uint8_t)(pattern >> (8 * (i % 8))));
        }
    }
}

static inline void vt_assert_dma_ok(DmaResult r, uint64_t len)
{
    g_assert_cmpuint(r.status, ==, VT_DMA_DONE);
    g_assert_cmpuint(r.err_kind, ==, VT_ERR_NONE);
    g_assert_cmpuint(r.done, ==, len);
}

static inline void vt_assert_dma_fault(DmaResult r, uint32_t kind,
                                       uint64_t iova)
{
    g_assert_cmpuint(r.status, ==, VT_DMA_ERROR);
    g_assert_cmpuint(r.err_kind, ==, kind);
    g_assert_cmphex(r.err_iova, ==, iova);
}

/*
 * FILL @len bytes at bus address @iova (guest RAM @gpa) and check RAM,
 * then CHECKSUM them through the device and compare with RAM.
 */
static inline void vt_dma_roundtrip(VsimMachine *m, SpaprGuest *g,
                                    const GuestDevice *d, uint64_t iova,
                                    uint64_t gpa, uint64_t len,
                                    uint64_t pattern)
{
    DmaResult r;

    r = dma_engine_fill(g, d, iova, len, pattern);
    vt_assert_dma_ok(r, len);
    vt_assert_filled(m, gpa, len, pattern);
    r = dma_engine_checksum(g, d, iova, len);
    vt_assert_dma_ok(r, len);
    g_assert_cmphex(r.result, ==, vt_ram_fnv(m, gpa, len));
}

#endif /* VFIO_E2E_H */
