/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * HMP info pages that print a QMP query's answer in QEMU's text form:
 * info pci (query-pci) and info memory-devices (query-memory-devices).
 * Running the QMP command keeps the two monitors in agreement.
 */
#include "qemu/osdep.h"
#include "system/qmp-internal.h"

/* The "return" of QMP @name with no arguments, or NULL with @errp set. */
static JsonNode *hmp_query(const char *name, Error **errp)
{
    return qmp_dispatch(name, NULL, errp);
}

static int64_t hmp_int(JsonObject *o, const char *name)
{
    return json_object_has_member(o, name) ?
           json_object_get_int_member(o, name) : 0;
}

static bool hmp_bool(JsonObject *o, const char *name)
{
    return json_object_has_member(o, name) &&
           json_object_get_boolean_member(o, name);
}

static void hmp_pci_region(GString *out, JsonObject *r)
{
    int64_t addr = hmp_int(r, "address"), size = hmp_int(r, "size");
    const char *type = json_object_get_string_member(r, "type");

    if (!strcmp(type, "io")) {
        g_string_append_printf(out, "      BAR%" PRId64 ": I/O at 0x%04"
                               PRIx64 " [0x%04" PRIx64 "].\n",
                               hmp_int(r, "bar"), (uint64_t)addr,
                               (uint64_t)(addr + size - 1));
        return;
    }
    g_string_append_printf(out, "      BAR%" PRId64 ": %d bit%s memory at "
                           "0x%08" PRIx64 " [0x%08" PRIx64 "].\n",
                           hmp_int(r, "bar"),
                           hmp_bool(r, "mem_type_64") ? 64 : 32,
                           hmp_bool(r, "prefetch") ? " prefetchable" : "",
                           (uint64_t)addr, (uint64_t)(addr + size - 1));
}

static void hmp_pci_device(GString *out, JsonObject *d)
{
    JsonObject *cls = json_object_get_object_member(d, "class_info");
    JsonObject *id = json_object_get_object_member(d, "id");
    JsonArray *regions = json_object_get_array_member(d, "regions");
    unsigned i;

    g_string_append_printf(out, "  Bus %2" PRId64 ", device %3" PRId64
                           ", function %" PRId64 ":\n", hmp_int(d, "bus"),
                           hmp_int(d, "slot"), hmp_int(d, "function"));
    if (json_object_has_member(cls, "desc")) {
        g_string_append_printf(out, "    %s",
                               json_object_get_string_member(cls, "desc"));
    } else {
        g_string_append_printf(out, "    Class %04" PRIx64,
                               (uint64_t)hmp_int(cls, "class"));
    }
    g_string_append_printf(out, ": PCI device %04" PRIx64 ":%04" PRIx64
                           "\n", (uint64_t)hmp_int(id, "vendor"),
                           (uint64_t)hmp_int(id, "device"));
    if (json_object_has_member(id, "subsystem-vendor")) {
        g_string_append_printf(out, "      PCI subsystem %04" PRIx64 ":%04"
                               PRIx64 "\n",
                               (uint64_t)hmp_int(id, "subsystem-vendor"),
                               (uint64_t)hmp_int(id, "subsystem"));
    }
    if (json_object_has_member(d, "irq") && hmp_int(d, "irq_pin")) {
        g_string_append_printf(out, "      IRQ %" PRId64 ", pin %c\n",
                               hmp_int(d, "irq"),
                               (char)('A' + hmp_int(d, "irq_pin") - 1));
    }
    for (i = 0; regions && i < json_array_get_length(regions); i++) {
        hmp_pci_region(out, json_array_get_object_element(regions, i));
    }
    g_string_append_printf(out, "      id \"%s\"\n",
                           json_object_get_string_member(d, "qdev_id"));
}

/* info pci: QEMU's layout, one block per function. */
static bool hmp_info_pci(GString *out, const char *args, Error **errp)
{
    g_autoptr(JsonNode) ret = hmp_query("query-pci", errp);
    JsonArray *buses;
    unsigned i, j;

    if (!ret) {
        return false;
    }
    buses = json_node_get_array(ret);
    for (i = 0; i < json_array_get_length(buses); i++) {
        JsonArray *devs = json_object_get_array_member(
            json_array_get_object_element(buses, i), "devices");

        for (j = 0; j < json_array_get_length(devs); j++) {
            hmp_pci_device(out, json_array_get_object_element(devs, j));
        }
    }
    return true;
}

/* info memory-devices: QEMU's layout for DIMMs; nothing without one. */
static bool hmp_info_memory_devices(GString *out, const char *args,
                                    Error **errp)
{
    g_autoptr(JsonNode) ret = hmp_query("query-memory-devices", errp);
    JsonArray *list;
    unsigned i;

    if (!ret) {
        return false;
    }
    list = json_node_get_array(ret);
    for (i = 0; i < json_array_get_length(list); i++) {
        JsonObject *e = json_array_get_object_element(list, i);
        JsonObject *d = json_object_get_object_member(e, "data");

        g_string_append_printf(out, "Memory device [%s]: \"%s\"\n",
                               json_object_get_string_member(e, "type"),
                               json_object_has_member(d, "id") ?
                               json_object_get_string_member(d, "id") : "");
        g_string_append_printf(out, "  addr: 0x%" PRIx64 "\n",
                               (uint64_t)hmp_int(d, "addr"));
        g_string_append_printf(out, "  slot: %" PRId64 "\n",
                               hmp_int(d, "slot"));
        g_string_append_printf(out, "  node: %" PRId64 "\n",
                               hmp_int(d, "node"));
        g_string_append_printf(out, "  size: %" PRIu64 "\n",
                               (uint64_t)hmp_int(d, "size"));
        g_string_append_printf(out, "  memdev: %s\n",
                               json_object_get_string_member(d, "memdev"));
        g_string_append_printf(out, "  hotplugged: %s\n",
                               hmp_bool(d, "hotplugged") ? "true" : "false");
        g_string_append_printf(out, "  hotpluggable: %s\n",
                               hmp_bool(d, "hotpluggable") ? "true" :
                               "false");
    }
    return true;
}

void hmp_register_info_pages(void)
{
    hmp_register_info("pci", hmp_info_pci);
    hmp_register_info("memory-devices", hmp_info_memory_devices);
}
