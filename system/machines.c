/*
 * Machine types (-machine help, query-machines) and the none machine.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/ram.h"
#include "system/machines.h"

static const MachineTypeInfo machine_pseries = {
    .name = "pseries-7.2",
    .alias = "pseries",
    .desc = "pSeries Logical Partition (PAPR compliant)",
    .qom_type = "pseries-7.2-machine",
    .qom_parent = "spapr-machine",
    .is_default = true,
    .cpu_max = 1024,
    .hotpluggable_cpus = true,
    .numa_mem_supported = true,
    .default_cpu_type = "power10_v2.0-powerpc64-cpu",
    .default_ram_id = "ppc_spapr.ram",
};

static const MachineTypeInfo machine_none = {
    .name = "none",
    .desc = "empty machine",
    .qom_type = "none-machine",
    .qom_parent = "machine",
    .is_none = true,
    .cpu_max = 1,
    .default_ram_id = "ram",
};

const MachineTypeInfo *const machine_types[] = {
    &machine_pseries, &machine_none, NULL,
};

static const MachineTypeInfo *machine_current;
static char *machine_name;

static char machine_uuid_str[37] = "00000000-0000-0000-0000-000000000000";

const char *machine_uuid(void)
{
    return machine_uuid_str;
}

void machine_set_uuid(const char *uuid)
{
    g_strlcpy(machine_uuid_str, uuid, sizeof(machine_uuid_str));
}

const char *machine_guest_name(void)
{
    return machine_name;
}

void machine_set_guest_name(const char *name)
{
    g_free(machine_name);
    machine_name = g_strdup(name);
}

const MachineTypeInfo *machine_type_find(const char *name)
{
    const MachineTypeInfo *const *mt;

    for (mt = machine_types; *mt; mt++) {
        if (!strcmp((*mt)->name, name) ||
            ((*mt)->alias && !strcmp((*mt)->alias, name))) {
            return *mt;
        }
    }
    return NULL;
}

const MachineTypeInfo *machine_type_default(void)
{
    return &machine_pseries;
}

void machine_types_print(FILE *out)
{
    const MachineTypeInfo *const *mt;

    fprintf(out, "Supported machines are:\n");
    for (mt = machine_types; *mt; mt++) {
        if ((*mt)->alias) {
            fprintf(out, "%-20s %s (alias of %s)\n", (*mt)->alias,
                    (*mt)->desc, (*mt)->name);
        }
        fprintf(out, "%-20s %s%s\n", (*mt)->name, (*mt)->desc,
                (*mt)->is_default ? " (default)" : "");
    }
}

const MachineTypeInfo *machine_current_type(void)
{
    return machine_current ? machine_current : machine_type_default();
}

void machine_set_current_type(const MachineTypeInfo *mt)
{
    machine_current = mt;
}

/* ------------------------------------------------------ the none machine */

static struct {
    bool created;
    bool running;
    MemoryRegion ram;
    bool has_ram;
} none_machine;

bool machine_none_create(const MachineOptions *opts, Error **errp)
{
    memory_init_system();
    if (opts->memory_backend) {
        error_setg(errp, "machine 'none' takes no memory-backend");
        return false;
    }
    if (opts->ram_size) {
        if (!memory_region_init_ram(&none_machine.ram, "none", "ram",
                                    opts->ram_size, errp)) {
            return false;
        }
        memory_region_add_subregion(get_system_memory(), 0,
                                    &none_machine.ram);
        none_machine.has_ram = true;
    }
    none_machine.created = true;
    none_machine.running = true;
    return true;
}

void machine_none_destroy(void)
{
    if (none_machine.has_ram) {
        memory_region_del_subregion(get_system_memory(), &none_machine.ram);
        memory_region_unref(&none_machine.ram);
        none_machine.has_ram = false;
    }
    none_machine.created = false;
}

static bool machine_prelaunch;

void vl_machine_set_prelaunch(bool prelaunch)
{
    machine_prelaunch = prelaunch;
}

const char *vl_machine_status(void)
{
    if (vl_machine_is_running()) {
        return "running";
    }
    return machine_prelaunch ? "prelaunch" : "paused";
}

bool vl_machine_is_running(void)
{
    if (machine_current_type()->is_none) {
        return none_machine.created && none_machine.running;
    }
    return machine_is_running();
}

void vl_machine_set_running(bool running)
{
    if (machine_current_type()->is_none) {
        none_machine.running = running;
        return;
    }
    machine_set_running(running);
}
