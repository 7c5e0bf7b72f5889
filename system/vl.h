/*
 * The command line, parsed: what main() needs to build and run the
 * machine.  Parsing exits on -h, -version and help requests.
 */
#ifndef SYSTEM_VL_H
#define SYSTEM_VL_H

#include "qemu/osdep.h"
#include "sysemu/machine.h"

typedef struct MachineTypeInfo MachineTypeInfo;

typedef struct VLConfig {
    MachineOptions machine;
    const MachineTypeInfo *machine_type;    /* -machine TYPE */
    GHashTable *machine_opts;       /* merged -machine key=values */
    char *dumpdtb;                  /* -machine dumpdtb=FILE */
    GPtrArray *objects;             /* -object strings, in order */
    GPtrArray *devices;             /* -device strings, in order */
    GPtrArray *mons;                /* -mon strings */
    GPtrArray *qmps;                /* -qmp specs */
    char *qtest;                    /* -qtest spec */
    char *qtest_log;                /* -qtest-log FILE */
    bool start_paused;              /* -S */
    char *incoming;                 /* -incoming URI */
} VLConfig;

/* Parse argv into @cfg; on a bad option report it and exit(1). */
void vl_parse_args(VLConfig *cfg, int argc, char **argv);
void vl_config_free(VLConfig *cfg);

#endif
