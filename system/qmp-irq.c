/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Queries of the interrupt controller: QMP x-query-irq (QEMU's name and
 * shape, {"human-readable-text": ...}), QMP query-spapr-irq (each
 * claimed source as an object) and HMP "info irq" (the same text as
 * x-query-irq).  See docs/interrupts.md.
 */
#include "qemu/osdep.h"
#include "hw/ppc/spapr_irq.h"
#include "qapi/qmp.h"
#include "system/qmp-internal.h"

static const char *irq_type_name(SpaprIrqType type)
{
    return type == SPAPR_IRQ_TYPE_LSI ? "lsi" : "msi";
}

static void irq_stats_line(const SpaprIrqSourceInfo *info, void *opaque)
{
    if (info->count) {
        g_string_append_printf(opaque, "%5u: %" PRIu64 "\n", info->irq,
                               info->count);
    }
}

static void irq_state_line(const SpaprIrqSourceInfo *info, void *opaque)
{
    GString *out = opaque;

    g_string_append_printf(out, "  0x%04x %-3s server %u priority 0x%02x%s"
                           "%s%s count %" PRIu64, info->irq,
                           irq_type_name(info->type), info->server,
                           info->priority,
                           info->priority == SPAPR_IRQ_PRIORITY_MASKED ?
                           " masked" : "",
                           info->asserted ? " asserted" : "",
                           info->presented ? " presented" : "",
                           info->count);
    if (info->type == SPAPR_IRQ_TYPE_MSI) {
        g_string_append_printf(out, " %s of %" PRIx64 ":%02x.%x",
                               info->owner_msix ? "msi-x" : "msi",
                               info->owner_buid,
                               (info->owner_cfg >> 11) & 0x1f,
                               (info->owner_cfg >> 8) & 7);
    }
    g_string_append_c(out, '\n');
}

/* QEMU's statistics lines, then the state of every claimed source. */
static char *irq_text(void)
{
    GString *out = g_string_new(NULL);
    uint8_t cppr, pending, mfrr;
    uint32_t xisr;

    if (!spapr_irq_controller_present()) {
        g_string_append(out, "no interrupt controller\n");
        return g_string_free(out, FALSE);
    }
    g_string_append(out, "IRQ statistics for ics:\n");
    spapr_irq_foreach(irq_stats_line, out);
    spapr_icp_state(&cppr, &xisr, &pending, &mfrr);
    g_string_append_printf(out, "server 0: cppr 0x%02x xisr 0x%x pending "
                           "priority 0x%02x mfrr 0x%02x\nsources:\n", cppr,
                           xisr, pending, mfrr);
    spapr_irq_foreach(irq_state_line, out);
    return g_string_free(out, FALSE);
}

static JsonNode *qmp_x_query_irq(JsonObject *args, Error **errp)
{
    JsonObject *o = json_object_new();
    g_autofree char *text = irq_text();

    json_object_set_string_member(o, "human-readable-text", text);
    return qmp_node_take_object(o);
}

static void irq_json(const SpaprIrqSourceInfo *info, void *opaque)
{
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, "irq", info->irq);
    json_object_set_string_member(o, "type", irq_type_name(info->type));
    json_object_set_int_member(o, "server", info->server);
    json_object_set_int_member(o, "priority", info->priority);
    json_object_set_int_member(o, "saved-priority", info->saved_priority);
    json_object_set_boolean_member(o, "masked", info->priority ==
                                   SPAPR_IRQ_PRIORITY_MASKED);
    json_object_set_boolean_member(o, "asserted", info->asserted);
    json_object_set_boolean_member(o, "presented", info->presented);
    json_object_set_int_member(o, "count", info->count);
    if (info->type == SPAPR_IRQ_TYPE_MSI) {
        json_object_set_int_member(o, "buid", info->owner_buid);
        json_object_set_int_member(o, "config-addr", info->owner_cfg);
        json_object_set_boolean_member(o, "msix", info->owner_msix);
    }
    json_array_add_object_element(opaque, o);
}

static JsonNode *qmp_query_spapr_irq(JsonObject *args, Error **errp)
{
    JsonArray *arr = json_array_new();

    spapr_irq_foreach(irq_json, arr);
    return qmp_node_take_array(arr);
}

static bool hmp_info_irq(GString *out, const char *args, Error **errp)
{
    g_autofree char *text = irq_text();

    g_string_append(out, text);
    return true;
}

void qmp_irq_register(void)
{
    qmp_register_command("x-query-irq", qmp_x_query_irq);
    qmp_register_command("query-spapr-irq", qmp_query_spapr_irq);
    hmp_register_info("irq", hmp_info_irq);
}
