/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What the program (system/) asks of the machine (hw/ppc/): the
 * contract between the command line / qtest / QMP layer and the pseries
 * model.
 */
#ifndef SYSEMU_MACHINE_H
#define SYSEMU_MACHINE_H

#include "exec/memory.h"

typedef struct MachineOptions {
    uint64_t ram_size;          /* -m; 0 = default (512 MiB) */
    unsigned ram_slots;         /* -m slots=: DIMMs at most (0 = none) */
    uint64_t maxmem;            /* -m maxmem=, 0 = ram_size: boot RAM
                                 * plus DIMMs at most */
    const char *memory_backend; /* -machine memory-backend=ID or NULL */
    bool nodefaults;
    GHashTable *machine_props;  /* other -machine key=value pairs */
} MachineOptions;

/* Create RAM and the default PHB (before -device processing). */
bool machine_create(const MachineOptions *opts, Error **errp);
/* After every -device: assign BARs, build the device tree. */
bool machine_creation_done(Error **errp);
/* Write the flattened device tree (-machine dumpdtb=FILE). */
bool machine_dump_dtb(const char *path, Error **errp);
/* QMP system_reset. */
void machine_reset(void);
/* Teardown on quit / SIGTERM: devices, PHBs, RAM; releases host state. */
void machine_destroy(void);
/* Guest RAM size as set up (boot RAM, without hotplugged DIMMs). */
uint64_t machine_ram_size(void);

/*
 * Guest kernel entry points (the qtest "hcall" and "rtas" commands).
 * machine_hcall returns the hcall return code (H_FUNCTION for an
 * unknown opcode) and fills up to *nout output registers.
 */
int64_t machine_hcall(uint64_t opcode, const uint64_t *args, unsigned nargs,
                      uint64_t *out, unsigned *nout);
/* False when no RTAS call has that name; else the call ran. */
bool machine_rtas(const char *name, uint32_t nargs, hwaddr args_addr,
                  uint32_t nret, hwaddr rets_addr);

/*
 * -smp and -cpu: the guest-visible CPU topology the device tree
 * describes (/cpus, one node per core).  No CPU is executed.  @model is
 * a -cpu name in lower case, NULL for the default (power9).
 */
typedef struct MachineCpuTopology {
    const char *model;
    unsigned cpus, cores, threads;
} MachineCpuTopology;
void machine_set_cpu_topology(const MachineCpuTopology *topo);
/*
 * -rtc base=: "utc" (the default), "localtime" or an ISO 8601 date the
 * guest's clock (RTAS get-time-of-day) starts at.
 */
bool machine_set_rtc_base(const char *base, Error **errp);

/* Run state for query-status / stop / cont. */
bool machine_is_running(void);
void machine_set_running(bool running);

#endif
