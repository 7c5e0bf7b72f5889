/*
 * QMP about the machine type and target: query-machines,
 * query-current-machine, query-target, query-kvm, query-uuid.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/machines.h"
#include "system/qmp-internal.h"
#include "qmp-schema-gen.h"

/* Optional booleans appear only when true, as QEMU sends them. */
static JsonObject *qmp_machine_info(const MachineTypeInfo *mt)
{
    JsonObject *m = json_object_new();

    json_object_set_string_member(m, "name", mt->name);
    if (mt->alias) {
        json_object_set_string_member(m, "alias", mt->alias);
    }
    if (mt->is_default) {
        json_object_set_boolean_member(m, "is-default", true);
    }
    json_object_set_int_member(m, "cpu-max", mt->cpu_max);
    json_object_set_boolean_member(m, "hotpluggable-cpus",
                                   mt->hotpluggable_cpus);
    json_object_set_boolean_member(m, "numa-mem-supported",
                                   mt->numa_mem_supported);
    json_object_set_boolean_member(m, "deprecated", false);
    if (mt->default_cpu_type) {
        json_object_set_string_member(m, "default-cpu-type",
                                      mt->default_cpu_type);
    }
    if (mt->default_ram_id) {
        json_object_set_string_member(m, "default-ram-id",
                                      mt->default_ram_id);
    }
    return m;
}

JsonNode *qmp_cmd_query_machines(Error **errp)
{
    JsonArray *ret = json_array_new();
    const MachineTypeInfo *const *mt;

    for (mt = machine_types; *mt; mt++) {
        json_array_add_object_element(ret, qmp_machine_info(*mt));
    }
    return qmp_node_take_array(ret);
}

/* No guest can suspend to RAM here: there is no CPU to run one. */
JsonNode *qmp_cmd_query_current_machine(Error **errp)
{
    JsonObject *ret = json_object_new();

    json_object_set_boolean_member(ret, "wakeup-suspend-support", false);
    return qmp_node_take_object(ret);
}

JsonNode *qmp_cmd_query_target(Error **errp)
{
    JsonObject *ret = json_object_new();

    json_object_set_string_member(ret, "arch", "ppc64");
    return qmp_node_take_object(ret);
}

/* The accelerator is always qtest: KVM is neither enabled nor present. */
JsonNode *qmp_cmd_query_kvm(Error **errp)
{
    JsonObject *ret = json_object_new();

    json_object_set_boolean_member(ret, "enabled", false);
    json_object_set_boolean_member(ret, "present", false);
    return qmp_node_take_object(ret);
}

JsonNode *qmp_cmd_query_uuid(Error **errp)
{
    JsonObject *ret = json_object_new();

    json_object_set_string_member(ret, "UUID", machine_uuid());
    return qmp_node_take_object(ret);
}

/* No CPU is executed here: there is none to list. */
JsonNode *qmp_cmd_query_cpus_fast(Error **errp)
{
    return qmp_node_take_array(json_array_new());
}

