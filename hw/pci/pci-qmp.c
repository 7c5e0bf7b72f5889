/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP query-pci, in the shape QEMU returns: a list of root buses, each
 * with its devices, their ids, class and BARs (regions).
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "qapi/qmp.h"

static JsonNode *pci_region_info(PCIDevice *dev, int bar)
{
    PCIIORegion *r = &dev->io_regions[bar];
    JsonObject *o = json_object_new();
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);
    bool io = r->type & PCI_BASE_ADDRESS_SPACE_IO;

    json_object_set_int_member(o, "bar", bar);
    json_object_set_string_member(o, "type", io ? "io" : "memory");
    /* Unassigned BARs read as -1, as in QEMU. */
    json_object_set_int_member(o, "address", (int64_t)r->addr);
    json_object_set_int_member(o, "size", r->size);
    if (!io) {
        bool prefetch = r->type & PCI_BASE_ADDRESS_MEM_PREFETCH;
        bool mem64 = r->type & PCI_BASE_ADDRESS_MEM_TYPE_64;

        json_object_set_boolean_member(o, "prefetch", prefetch);
        json_object_set_boolean_member(o, "mem_type_64", mem64);
    }
    json_node_take_object(node, o);
    return node;
}

static JsonNode *pci_device_info(PCIDevice *dev)
{
    const uint8_t *c = dev->config;
    JsonObject *o = json_object_new();
    JsonObject *id = json_object_new();
    JsonObject *class_info = json_object_new();
    JsonArray *regions = json_array_new();
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);
    int bar;

    json_object_set_int_member(o, "bus", 0);
    json_object_set_int_member(o, "slot", PCI_SLOT(dev->devfn));
    json_object_set_int_member(o, "function", PCI_FUNC(dev->devfn));
    json_object_set_int_member(class_info, "class",
                               pci_get_word(c + PCI_CLASS_DEVICE));
    json_object_set_object_member(o, "class_info", class_info);
    json_object_set_int_member(id, "vendor", pci_get_word(c + PCI_VENDOR_ID));
    json_object_set_int_member(id, "device", pci_get_word(c + PCI_DEVICE_ID));
    json_object_set_int_member(id, "subsystem-vendor",
                               pci_get_word(c + PCI_SUBSYSTEM_VENDOR_ID));
    json_object_set_int_member(id, "subsystem",
                               pci_get_word(c + PCI_SUBSYSTEM_ID));
    json_object_set_object_member(o, "id", id);
    json_object_set_int_member(o, "irq_pin", c[PCI_INTERRUPT_PIN]);
    json_object_set_string_member(o, "qdev_id",
                                  dev->qdev.id ? dev->qdev.id : "");
    for (bar = 0; bar < PCI_NUM_REGIONS; bar++) {
        if (dev->io_regions[bar].size) {
            json_array_add_element(regions, pci_region_info(dev, bar));
        }
    }
    json_object_set_array_member(o, "regions", regions);
    json_node_take_object(node, o);
    return node;
}

static JsonNode *qmp_query_pci(JsonObject *args, Error **errp)
{
    JsonArray *buses = json_array_new();
    JsonNode *ret = json_node_new(JSON_NODE_ARRAY);
    GList *l;
    unsigned devfn;

    for (l = pci_bus_list(); l; l = l->next) {
        PCIBus *bus = l->data;
        JsonObject *b = json_object_new();
        JsonArray *devices = json_array_new();

        for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
            if (bus->devices[devfn]) {
                json_array_add_element(devices,
                                       pci_device_info(bus->devices[devfn]));
            }
        }
        json_object_set_int_member(b, "bus", 0);
        json_object_set_array_member(b, "devices", devices);
        json_array_add_object_element(buses, b);
    }
    json_node_take_array(ret, buses);
    return ret;
}

static void pci_qmp_register(void)
{
    qmp_register_command("query-pci", qmp_query_pci);
}

type_init(pci_qmp_register)
