/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The QMP schema at run time.  qapi/schema.json is the one source:
 * scripts/qapi-gen.py turns it into the checkers, the marshallers and
 * the introspection text (qmp-schema-gen.c); this file registers the
 * marshallers, installs the schema check of events with the registry
 * (which the device layers send through) and serves query-qmp-schema.
 *
 * A command registered with qmp_register_command() but missing from the
 * schema still runs, unchecked;
 * /compat/schema/every-registered-command-is-in-schema
 * (tests/qtest/compat/test-compat-schema.c) fails naming it, so it
 * cannot go unnoticed.
 */
#include "qemu/osdep.h"
#include "system/qmp-internal.h"
#include "qmp-schema-gen.h"

JsonNode *qmp_cmd_query_qmp_schema(Error **errp)
{
    static JsonNode *schema;

    if (!schema) {
        g_autoptr(GError) err = NULL;

        schema = json_from_string(qmp_schema_introspection, &err);
        g_assert(schema);
    }
    return json_node_copy(schema);
}

void qmp_schema_register(void)
{
    const QmpSchemaCommand *c;

    qmp_set_event_check(qmp_event_check_schema);
    for (c = qmp_schema_commands; c->name; c++) {
        if (c->marshal) {
            qmp_register_command(c->name, c->marshal);
        }
    }
}
