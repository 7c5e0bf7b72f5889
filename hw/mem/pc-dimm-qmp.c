/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP query-memory-devices, in QEMU's shape: one {"type": "dimm",
 * "data": {...}} per DIMM, in address order.
 */
#include "qemu/osdep.h"
#include "hw/mem/pc-dimm.h"
#include "qapi/qmp.h"

static gint pc_dimm_addr_cmp(gconstpointer a, gconstpointer b)
{
    const PCDIMMDevice *x = a, *y = b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static JsonObject *pc_dimm_info(PCDIMMDevice *dimm)
{
    DeviceState *dev = &dimm->parent_obj;
    JsonObject *data = json_object_new();
    g_autofree char *memdev = g_strdup_printf("/objects/%s",
                                              dimm->backend->id);

    if (dev->id) {
        json_object_set_string_member(data, "id", dev->id);
    }
    json_object_set_int_member(data, "addr", (int64_t)dimm->addr);
    json_object_set_int_member(data, "size", (int64_t)pc_dimm_size(dimm));
    json_object_set_int_member(data, "slot", dimm->slot);
    json_object_set_int_member(data, "node", dimm->node);
    json_object_set_string_member(data, "memdev", memdev);
    json_object_set_boolean_member(data, "hotplugged", dev->hotplugged);
    json_object_set_boolean_member(data, "hotpluggable",
                                   dev->klass->hotpluggable);
    return data;
}

static JsonNode *qmp_query_memory_devices(JsonObject *args, Error **errp)
{
    GList *dimms = g_list_sort(pc_dimm_list(), pc_dimm_addr_cmp), *l;
    JsonArray *ret = json_array_new();
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);

    for (l = dimms; l; l = l->next) {
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "type", "dimm");
        json_object_set_object_member(o, "data", pc_dimm_info(l->data));
        json_array_add_object_element(ret, o);
    }
    g_list_free(dimms);
    json_node_take_array(node, ret);
    return node;
}

static void pc_dimm_qmp_register(void)
{
    qmp_register_command("query-memory-devices", qmp_query_memory_devices);
}

type_init(pc_dimm_qmp_register)
