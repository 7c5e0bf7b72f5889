/*
 * Machine types as QEMU names them: the current pseries model (with its
 * versioned name and the unversioned alias) and "none", the empty
 * machine libqtest starts to ask which machines and devices exist.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_MACHINES_H
#define SYSTEM_MACHINES_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include "sysemu/machine.h"
#include <json-glib/json-glib.h>

typedef struct MachineTypeInfo {
    const char *name;           /* "pseries-7.2" */
    const char *alias;          /* "pseries", or NULL */
    const char *desc;
    const char *qom_type;       /* "pseries-7.2-machine" */
    const char *qom_parent;     /* "spapr-machine" */
    bool is_default;
    bool is_none;               /* no PHB, no RAM unless -m */
    unsigned cpu_max;
    bool hotpluggable_cpus;
    bool numa_mem_supported;
    const char *default_cpu_type;   /* NULL: none */
    const char *default_ram_id;
} MachineTypeInfo;

/* By name or alias; NULL when unknown. */
const MachineTypeInfo *machine_type_find(const char *name);
const MachineTypeInfo *machine_type_default(void);
/* Every type, NULL-terminated, in -machine help order. */
extern const MachineTypeInfo *const machine_types[];
/* "-machine help". */
void machine_types_print(FILE *out);
/* The machine this process runs (set once the type is chosen). */
const MachineTypeInfo *machine_current_type(void);
void machine_set_current_type(const MachineTypeInfo *mt);

/* -name: the guest name (query-name), NULL when not given. */
const char *machine_guest_name(void);
void machine_set_guest_name(const char *name);

/* -uuid: the guest UUID (query-uuid), all zeros when not given. */
const char *machine_uuid(void);
void machine_set_uuid(const char *uuid);

/*
 * The run state as QMP sees it, whatever the machine: the pseries model
 * keeps its own; the none machine has nothing to run but still reports
 * running/paused as QEMU does.
 */
bool vl_machine_is_running(void);
void vl_machine_set_running(bool running);
/*
 * QEMU's "prelaunch" state: started with -S (or --preconfig) and never
 * run yet.  query-status reports it; the first cont or stop ends it.
 */
void vl_machine_set_prelaunch(bool prelaunch);
/* "running", "prelaunch" or "paused", for query-status. */
const char *vl_machine_status(void);

/* The none machine: RAM at 0 only when -m gave a size. */
bool machine_none_create(const MachineOptions *opts, Error **errp);
void machine_none_destroy(void);

/*
 * -machine properties (machine-props.c).  apply checks every key of
 * @opts for @mt as QEMU would, records the values, and leaves in @opts
 * only what the program still acts on (dumpdtb, memory-backend).
 */
bool machine_props_apply(const MachineTypeInfo *mt, GHashTable *opts,
                         Error **errp);
void machine_props_print_help(const MachineTypeInfo *mt, FILE *out);
typedef void (*MachinePropDescribeFunc)(void *opaque, const char *name,
                                        const char *type);
/* Each property of the current machine: @fn(@opaque, name, QOM type). */
void machine_props_describe(void *opaque, MachinePropDescribeFunc fn);
JsonNode *machine_prop_get_json(const char *name, Error **errp);
bool machine_prop_set_json(const char *name, JsonNode *value, Error **errp);
void machine_props_cleanup(void);

/* query-machines, query-current-machine, query-target. */

#endif
