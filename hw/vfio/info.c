/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * "info vfio" (HMP) and query-vfio (QMP): containers, IOMMU types,
 * groups, devices, host windows and preregistered memory.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "qapi/qmp.h"

static uint64_t vfio_prereg_bytes(VFIOContainer *c)
{
    uint64_t total = 0;
    unsigned i;

    for (i = 0; i < c->prereg->len; i++) {
        total += ((VFIOPreregRegion *)g_ptr_array_index(c->prereg, i))->size;
    }
    return total;
}

static JsonNode *qmp_query_vfio(JsonObject *args, Error **errp)
{
    GPtrArray *all = vfio_containers();
    JsonArray *list = json_array_new();
    JsonNode *node;
    unsigned i, j;

    for (i = 0; i < all->len; i++) {
        VFIOContainer *c = g_ptr_array_index(all, i);
        JsonObject *o = json_object_new();
        JsonArray *groups = json_array_new();
        JsonArray *wins = json_array_new();
        JsonArray *devs = json_array_new();
        GPtrArray *pdevs = vfio_pci_device_list();

        json_object_set_string_member(o, "address-space", c->as->name);
        json_object_set_string_member(o, "iommu-type",
                                      vfio_iommu_type_name(c->iommu_type));
        json_object_set_boolean_member(o, "failed", c->failed);
        json_object_set_string_member(o, "state",
                                      c->failed ? "failed" : "working");
        if (c->fallback) {
            json_object_set_string_member(o, "iommu-fallback", c->fallback);
        }
        if (c->last_error) {
            json_object_set_string_member(o, "last-error", c->last_error);
        }
        json_object_set_int_member(o, "recoveries", c->recoveries);
        for (j = 0; j < c->groups->len; j++) {
            VFIOGroup *g = g_ptr_array_index(c->groups, j);

            json_array_add_int_element(groups, g->groupid);
        }
        for (j = 0; j < c->hostwins->len; j++) {
            VFIOHostDMAWindow *w = g_ptr_array_index(c->hostwins, j);
            JsonObject *wo = json_object_new();

            json_object_set_int_member(wo, "start", (gint64)w->min_iova);
            json_object_set_int_member(wo, "size",
                                       (gint64)(w->max_iova - w->min_iova +
                                                1));
            json_object_set_int_member(wo, "page-size",
                                       (gint64)w->iova_pgsizes);
            json_object_set_int_member(wo, "levels", w->levels);
            json_array_add_object_element(wins, wo);
        }
        for (j = 0; j < pdevs->len; j++) {
            VFIOPCIDevice *v = g_ptr_array_index(pdevs, j);

            if (v->group && v->group->container == c) {
                json_array_add_string_element(devs, v->name);
            }
        }
        json_object_set_array_member(o, "groups", groups);
        json_object_set_array_member(o, "devices", devs);
        json_object_set_array_member(o, "windows", wins);
        json_object_set_int_member(o, "registered-bytes",
                                   (gint64)vfio_prereg_bytes(c));
        json_object_set_int_member(o, "registered-regions", c->prereg->len);
        json_object_set_int_member(o, "map-ioctls",
                                   (gint64)c->stats.map_ioctls);
        json_object_set_int_member(o, "unmap-ioctls",
                                   (gint64)c->stats.unmap_ioctls);
        json_object_set_int_member(o, "mapped-pages",
                                   (gint64)c->stats.mapped_pages);
        json_array_add_object_element(list, o);
    }
    node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, list);
    return node;
}

static bool hmp_info_vfio(GString *out, const char *args, Error **errp)
{
    GPtrArray *all = vfio_containers();
    unsigned i, j;

    if (!all->len) {
        g_string_append(out, "No VFIO containers\n");
        return true;
    }
    for (i = 0; i < all->len; i++) {
        VFIOContainer *c = g_ptr_array_index(all, i);

        g_string_append_printf(out, "container %u: %s, address space %s%s\n",
                               i, vfio_iommu_type_name(c->iommu_type),
                               c->as->name, c->failed ? " [FAILED]" : "");
        if (c->fallback) {
            g_string_append_printf(out, "  fallback: %s\n", c->fallback);
        }
        if (c->last_error) {
            g_string_append_printf(out, "  last error: %s\n",
                                   c->last_error);
        }
        g_string_append(out, "  groups:");
        for (j = 0; j < c->groups->len; j++) {
            g_string_append_printf(out, " %d",
                ((VFIOGroup *)g_ptr_array_index(c->groups, j))->groupid);
        }
        g_string_append_printf(out, "\n  registered: %" PRIu64 " bytes in %u"
                               " regions\n", vfio_prereg_bytes(c),
                               c->prereg->len);
        for (j = 0; j < c->hostwins->len; j++) {
            VFIOHostDMAWindow *w = g_ptr_array_index(c->hostwins, j);

            g_string_append_printf(out, "  window 0x%016" PRIx64 "-0x%016"
                                   PRIx64 " page 0x%" PRIx64 " levels %u\n",
                                   w->min_iova, w->max_iova,
                                   w->iova_pgsizes, w->levels);
        }
        g_string_append_printf(out, "  ioctls: %" PRIu64 " MAP_DMA, %" PRIu64
                               " UNMAP_DMA, %" PRIu64 " pages mapped\n",
                               c->stats.map_ioctls, c->stats.unmap_ioctls,
                               c->stats.mapped_pages);
    }
    return true;
}

static void vfio_info_register(void)
{
    qmp_register_command("query-vfio", qmp_query_vfio);
    hmp_register_info("vfio", hmp_info_vfio);
}

type_init(vfio_info_register)
