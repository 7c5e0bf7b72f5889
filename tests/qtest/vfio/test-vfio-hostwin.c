/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * End-to-end host IOMMU type and host windows: the v1 fallback when a
 * host refuses v2, a CHECK_EXTENSION that fails, DDW creates the host
 * cannot back (refused with the RTAS error, the default window kept and
 * the device working), the level count the host wants, and the
 * permissions a guest TCE gets on the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include "vfio-e2e.h"

#define DEV_ARGS VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0"
#define PHB1     "-device spapr-pci-host-bridge,index=1,id=phb1"
#define TWO_GROUPS VT_BDF0 "=dma-engine@1," VT_BDF1 "=dma-engine@2"

#define RTAS_HW_ERROR     (-1)
#define RTAS_PARAM_ERROR  (-3)

/* query-vfio's container that has @member, or NULL. */
static JsonObject *container_with(JsonArray *list, const char *member)
{
    unsigned i;

    for (i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);

        if (json_object_has_member(o, member)) {
            return o;
        }
    }
    return NULL;
}

/* The simulated container whose IOMMU type is @type ("v1", "v2"). */
static JsonObject *sim_container_of_type(JsonObject *st, const char *type)
{
    JsonArray *cs = vt_containers(st);
    JsonObject *found = NULL;
    unsigned i;

    for (i = 0; i < json_array_get_length(cs); i++) {
        JsonObject *c = json_array_get_object_element(cs, i);

        if (!strcmp(json_object_get_string_member(c, "iommu"), type)) {
            g_assert_null(found);
            found = c;
        }
    }
    return found;
}

static void assert_dma_works(VsimMachine *m, SpaprGuest *g,
                             const GuestDevice *d, uint64_t pattern)
{
    const uint64_t len = 4 * VT_PAGE;
    uint64_t gpa = guest_alloc(g, len, VT_PAGE);
    uint64_t iova = guest_dma_map(g, d, gpa, len, TCE_RW);

    g_assert_cmphex(iova, !=, 0);
    vt_dma_roundtrip(m, g, d, iova, gpa, len, pattern);
    g_assert_true(guest_dma_unmap(g, d, iova, len));
}

/*
 * A host that offers v2 but refuses SET_IOMMU(v2) with EPERM (pseries or
 * nested): the container falls back to v1, says why in query-vfio, has
 * no preregistered memory, the guest's DDW query offers no window, and
 * DMA through the default window works.
 */
static void test_v1_fallback_on_eperm(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, NULL,
                                        DEV_ARGS " " PHB1);
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) st = NULL;
    GuestDevice d0, d1;
    SpaprGuest *g;
    JsonArray *list;
    JsonObject *q, *c1;
    const char *why;
    uint32_t avail = 99, mask;

    vt_fault(m, "VFIO_SET_IOMMU", "EPERM");
    vt_device_add(m, "b", "'host': '" VT_BDF1 "', 'bus': 'phb1'");

    list = vt_query_vfio(m, &reply);
    g_assert_cmpuint(json_array_get_length(list), ==, 2);
    q = container_with(list, "iommu-fallback");
    g_assert_nonnull(q);
    g_assert_cmpstr(json_object_get_string_member(q, "iommu-type"), ==,
                    "sPAPR TCE v1");
    why = json_object_get_string_member(q, "iommu-fallback");
    g_test_message("fallback: %s", why);
    g_assert_nonnull(strstr(why, "VFIO_SET_IOMMU"));
    g_assert_nonnull(strstr(why, g_strerror(EPERM)));
    g_assert_cmpint(json_object_get_int_member(q, "registered-bytes"), ==,
                    0);

    st = vsim_machine_state(m);
    c1 = sim_container_of_type(st, "v1");
    g_assert_nonnull(c1);
    g_assert_true(json_object_get_boolean_member(c1, "enabled"));
    g_assert_cmpuint(json_array_get_length(
                         json_object_get_array_member(c1, "regions")), ==, 0);

    g = guest_new(m->qts, VT_RAM);
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &d0));
    g_assert_true(guest_find_device(g, 1, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &d1));
    /* v1: no dynamic window can be mirrored, so none is offered. */
    g_assert_cmpint(guest_ddw_query(g, &d1, &avail, &mask), ==, 0);
    g_assert_cmpuint(avail, ==, 0);
    /* The v2 PHB still offers one. */
    g_assert_cmpint(guest_ddw_query(g, &d0, &avail, &mask), ==, 0);
    g_assert_cmpuint(avail, ==, 1);

    assert_dma_works(m, g, &d1, 0x1122334455667788ULL);
    assert_dma_works(m, g, &d0, 0x8877665544332211ULL);
    guest_free(g);
    vt_device_del(m, "b");
    vt_quit_clean(m);
}

/*
 * CHECK_EXTENSION itself failing is not "v2 unsupported": device_add
 * fails naming the ioctl and errno, and nothing is left behind.
 */
static void test_check_extension_failure_reported(void)
{
    VsimMachine *m = vsim_machine_start(TWO_GROUPS, NULL,
                                        DEV_ARGS " " PHB1);
    g_autoptr(JsonObject) r = NULL;
    g_autoptr(JsonObject) st = NULL;
    const char *desc;

    vt_fault(m, "VFIO_CHECK_EXTENSION", "EIO");
    r = qtest_qmp(m->qts, "{'execute': 'device_add', 'arguments': "
                  "{'driver': 'vfio-pci', 'id': 'b', 'host': '" VT_BDF1
                  "', 'bus': 'phb1'}}");
    desc = qtest_qmp_error_desc(r);
    g_assert_nonnull(desc);
    g_test_message("device_add error: %s", desc);
    g_assert_nonnull(strstr(desc, "VFIO_CHECK_EXTENSION"));
    g_assert_nonnull(strstr(desc, g_strerror(EIO)));

    st = vsim_machine_state(m);
    vt_only_container(st);
    vt_device_add(m, "b", "'host': '" VT_BDF1 "', 'bus': 'phb1'");
    vt_device_del(m, "b");
    vt_quit_clean(m);
}

/* ------------------------------------------------ refused DDW creates */

typedef struct DdwCase {
    const char *host;           /* VFIO_SIM_HOST */
    const char *args;           /* machine arguments, or NULL: DEV_ARGS */
    unsigned phb;               /* the device's PHB index */
    const char *fault_errno;    /* one TCE_CREATE fault, or NULL */
    unsigned page_shift, window_shift;
    bool retry_succeeds;        /* a create without the fault works */
} DdwCase;

/* What the guest and the host have, to compare before and after. */
typedef struct Snapshot {
    uint32_t avail;
    unsigned host_windows;
    uint64_t host_mapped;
} Snapshot;

static Snapshot snapshot(VsimMachine *m, SpaprGuest *g, const GuestDevice *d)
{
    g_autoptr(JsonObject) st = vsim_machine_state(m);
    JsonObject *c = vt_only_container(st);
    JsonArray *ws = vt_windows(c);
    Snapshot s = { 0 };
    uint32_t mask;
    unsigned i;

    g_assert_cmpint(guest_ddw_query(g, d, &s.avail, &mask), ==, 0);
    s.host_windows = json_array_get_length(ws);
    for (i = 0; i < s.host_windows; i++) {
        s.host_mapped += vt_int(json_array_get_object_element(ws, i),
                                "mapped");
    }
    return s;
}

static void assert_not_failed(VsimMachine *m)
{
    g_autoptr(JsonObject) reply = NULL;
    JsonArray *list = vt_query_vfio(m, &reply);
    JsonObject *q = json_array_get_object_element(list, 0);

    g_assert_false(json_object_get_boolean_member(q, "failed"));
    g_assert_cmpstr(json_object_get_string_member(q, "state"), ==,
                    "working");
}

/*
 * The host cannot back the window: the guest gets -1 and no LIOBN, its
 * windows (guest and host) are exactly as before, the container is not
 * failed, and DMA through the default window (an existing mapping and a
 * new one) still works.
 */
static void test_ddw_refused(gconstpointer opaque)
{
    const DdwCase *tc = opaque;
    VsimMachine *m = vsim_machine_start(NULL, tc->host, "%s",
                                        tc->args ? tc->args : DEV_ARGS);
    const uint64_t len = 4 * VT_PAGE;
    GuestDevice d;
    SpaprGuest *g = guest_new(m->qts, VT_RAM);
    GuestWindow w = { 0 };
    Snapshot before, after;
    uint64_t gpa, iova;
    int32_t st;

    g_assert_true(guest_find_device(g, tc->phb, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &d));
    gpa = guest_alloc(g, len, VT_PAGE);
    iova = guest_dma_map(g, &d, gpa, len, TCE_RW);
    g_assert_cmphex(iova, !=, 0);
    before = snapshot(m, g, &d);
    g_assert_cmpuint(before.avail, ==, 1);

    if (tc->fault_errno) {
        vt_fault(m, "VFIO_IOMMU_SPAPR_TCE_CREATE", tc->fault_errno);
    }
    st = guest_ddw_create(g, &d, tc->page_shift, tc->window_shift, &w);
    g_assert_cmpint(st, ==, RTAS_HW_ERROR);
    g_assert_false(w.active);

    after = snapshot(m, g, &d);
    g_assert_cmpuint(after.avail, ==, before.avail);
    g_assert_cmpuint(after.host_windows, ==, before.host_windows);
    g_assert_cmpuint(after.host_mapped, ==, before.host_mapped);
    assert_not_failed(m);

    /* The mapping made before the refusal and a new one both work. */
    vt_dma_roundtrip(m, g, &d, iova, gpa, len, 0x0123456789abcdefULL);
    g_assert_true(guest_dma_unmap(g, &d, iova, len));
    assert_dma_works(m, g, &d, 0xfedcba9876543210ULL);

    if (tc->retry_succeeds) {
        GuestWindow ddw;

        if (tc->args) {
            /* Fault-free is not enough for this one. */
            goto out;
        }

        g_assert_true(guest_ddw_enable(g, &d, 0, &ddw));
        gpa = guest_alloc(g, len, VT_PAGE);
        vt_dma_roundtrip(m, g, &d, guest_ddw_iova(&ddw, gpa), gpa, len,
                         0x5555aaaa5555aaaaULL);
    }
out:
    assert_not_failed(m);
    guest_free(g);
    vt_quit_clean(m);
}

static const DdwCase ddw_einval = {
    .fault_errno = "EINVAL", .page_shift = 16, .window_shift = 40,
    .retry_succeeds = true,
};
static const DdwCase ddw_enospc = {
    .fault_errno = "ENOSPC", .page_shift = 16, .window_shift = 40,
    .retry_succeeds = true,
};
/* Too little locked memory for the table at any depth: ENOMEM each time */
static const DdwCase ddw_memlock = {
    .host = "memlock=520m", .page_shift = 16, .window_shift = 40,
};
/* One level only, and a window whose table needs two. */
static const DdwCase ddw_levels1 = {
    .host = "levels=1", .page_shift = 12, .window_shift = 40,
};
/* The host puts its second window at 2^59, the PHB wants it elsewhere. */
static const DdwCase ddw_placed_elsewhere = {
    .args = VT_RAM_ARG " -device spapr-pci-host-bridge,index=1,id=phb1,"
            "dma64_win_addr=0x10000000000"
            " -device vfio-pci,host=" VT_BDF0 ",id=dev0,bus=phb1",
    .phb = 1, .page_shift = 16, .window_shift = 30,
};

/* ------------------------------------------------ huge host pages */

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

static long read_nr_hugepages(void)
{
    g_autofree char *txt = NULL;

    if (!g_file_get_contents(NR_HUGEPAGES, &txt, NULL, NULL)) {
        return -1;
    }
    return strtol(txt, NULL, 10);
}

/*
 * Tests that resize the huge page pool (here and vfio-sim's conformance
 * tests, which meson may run at the same time) hold this lock from the
 * resize until they give the pages back, so none of them reads a count
 * another is about to change, or finds the pool taken.
 */
#define HUGETLB_LOCK "/tmp/vfio-sim-hugetlb.lock"

static int hugetlb_lock(void)
{
    int fd = open(HUGETLB_LOCK, O_CREAT | O_RDWR | O_CLOEXEC, 0600);

    if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* A plain write: a sysctl file cannot be replaced by a rename. */
static bool write_nr_hugepages(long n)
{
    FILE *f = fopen(NR_HUGEPAGES, "w");
    bool ok;

    if (!f) {
        return false;
    }
    ok = fprintf(f, "%ld\n", n) > 0;
    ok = fclose(f) == 0 && ok;
    return ok && read_nr_hugepages() == n;
}

/*
 * Guest RAM on hugetlbfs (2 MiB pages): a DDW with 16 MiB pages gets
 * 2 MiB host TCEs (not 4 KiB ones); a DIMM on anonymous 4 KiB memory
 * hot-added next to it is refused, naming the page sizes, and the
 * window keeps working.
 * Needs 256 huge pages, reserved here (CI runs as root) and given back.
 */
static void test_hugetlbfs_host_pages(void)
{
    int lock = hugetlb_lock();
    long before = read_nr_hugepages();
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice d;
    GuestWindow ddw;
    g_autoptr(JsonObject) st = NULL;
    g_autoptr(JsonObject) r = NULL;
    JsonObject *hw;
    const char *desc;
    uint64_t gpa;

    if (lock < 0 || before < 0 || !write_nr_hugepages(before + 256)) {
        if (before >= 0) {
            write_nr_hugepages(before);
        }
        if (lock >= 0) {
            close(lock);
        }
        g_test_skip("cannot reserve 256 huge pages in " NR_HUGEPAGES
                    " (not root, or no hugetlb support)");
        return;
    }
    m = vsim_machine_start(NULL, NULL, "-m 512M,slots=2,maxmem=1G "
                           "-object memory-backend-memfd,id=ram,size=512M,"
                           "hugetlb=on,hugetlbsize=2M "
                           "-machine pseries,memory-backend=ram "
                           "-device vfio-pci,host=" VT_BDF0 ",id=dev0");
    g = vt_guest(m, VT_RAM, &d);
    g_assert_true(guest_ddw_enable(g, &d, 0, &ddw));
    /* The guest takes 16 MiB pages; the host can back 2 MiB ones. */
    g_assert_cmpuint(ddw.page_shift, ==, 24);
    st = vsim_machine_state(m);
    hw = vt_window_at(vt_only_container(st), ddw.bus_start);
    g_assert_nonnull(hw);
    g_assert_cmpuint(vt_int(hw, "page_shift"), ==, 21);

    r = qtest_qmp(m->qts, "{'execute': 'object-add', 'arguments': "
                  "{'qom-type': 'memory-backend-ram', 'id': 'm1', "
                  "'size': %u}}", 256u << 20);
    g_assert_null(qtest_qmp_error_desc(r));
    json_object_unref(r);
    r = qtest_qmp(m->qts, "{'execute': 'device_add', 'arguments': "
                  "{'driver': 'pc-dimm', 'id': 'd1', 'memdev': 'm1'}}");
    desc = qtest_qmp_error_desc(r);
    g_assert_nonnull(desc);
    g_test_message("DIMM refused: %s", desc);
    g_assert_nonnull(strstr(desc, "0x200000-byte IOMMU pages"));

    assert_not_failed(m);
    gpa = guest_alloc(g, 4 * VT_PAGE, VT_PAGE);
    vt_dma_roundtrip(m, g, &d, guest_ddw_iova(&ddw, gpa), gpa, 4 * VT_PAGE,
                     0x2121212112121212ULL);
    guest_free(g);
    vt_quit_clean(m);
    write_nr_hugepages(before);
    close(lock);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/hostwin/v1-fallback/set-iommu-eperm-uses-v1",
                    test_v1_fallback_on_eperm);
    g_test_add_func("/vfio/hostwin/v1-fallback/check-extension-failure",
                    test_check_extension_failure_reported);
    g_test_add_data_func("/vfio/hostwin/ddw-refused/tce-create-einval",
                         &ddw_einval, test_ddw_refused);
    g_test_add_data_func("/vfio/hostwin/ddw-refused/tce-create-enospc",
                         &ddw_enospc, test_ddw_refused);
    g_test_add_data_func("/vfio/hostwin/ddw-refused/enomem-at-every-level",
                         &ddw_memlock, test_ddw_refused);
    g_test_add_data_func("/vfio/hostwin/ddw-refused/host-offers-one-level",
                         &ddw_levels1, test_ddw_refused);
    g_test_add_data_func("/vfio/hostwin/ddw-refused/host-places-elsewhere",
                         &ddw_placed_elsewhere, test_ddw_refused);
    g_test_add_func("/vfio/hostwin/host-pages/hugetlbfs-huge-tces",
                    test_hugetlbfs_host_pages);
    return g_test_run();
}
