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
#include "vfio-e2e.h"

#define DEV_ARGS VT_RAM_ARG " -device vfio-pci,host=" VT_BDF0 ",id=dev0"
#define PHB1     "-device spapr-pci-host-bridge,index=1,id=phb1"
#define TWO_GROUPS VT_BDF0 "=dma-engine@1," VT_BDF1 "=dma-engine@2"

#define RTAS_HW_ERROR     (-1)
#define RTAS_PARAM_ERROR  (-3)

/* query-vfio's container whose address space names @phb_hint, or NULL. */
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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/hostwin/v1-fallback/set-iommu-eperm-uses-v1",
                    test_v1_fallback_on_eperm);
    g_test_add_func("/vfio/hostwin/v1-fallback/check-extension-failure",
                    test_check_extension_failure_reported);
    return g_test_run();
}
