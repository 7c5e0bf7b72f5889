/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
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
    GPtrArray *monitors;            /* -monitor specs (HMP) */
    char *qtest;                    /* -qtest spec */
    char *qtest_log;                /* -qtest-log FILE */
    bool start_paused;              /* -S */
    char *incoming;                 /* -incoming URI */
    /* libvirt-style options (vl-libvirt.c) */
    char *pidfile;                  /* -pidfile FILE */
    bool daemonize;                 /* -daemonize */
    bool no_shutdown;               /* -no-shutdown */
    bool mem_lock;                  /* -overcommit mem-lock=on */
    bool msg_timestamp;             /* -msg timestamp=on */
    bool msg_guest_name;            /* -msg guest-name=on */
    uint64_t smp_cpus, smp_maxcpus; /* -smp, 0 when not given */
    uint64_t smp_cores, smp_threads;
    char *smp_arg;                  /* -smp as given, for messages */
    char *m_arg;                    /* -m as given, for messages */
    char *m_size_arg, *m_maxmem_arg; /* its size and maxmem, as given */
    char *cpu_model;                /* -cpu, lower case */
    bool preconfig;                 /* --preconfig */
} VLConfig;

/* Parse argv into @cfg; on a bad option report it and exit(1). */
void vl_parse_args(VLConfig *cfg, int argc, char **argv);
void vl_config_free(VLConfig *cfg);

/*
 * -readconfig FILE (vl-readconfig.c): each section of the file runs as
 * the option of the same meaning through @run; errors in the file's
 * syntax come back in @errp as "FILE:LINE: ...".  While a section runs,
 * vl_config_location() names it, and option errors say FILE:LINE too.
 */
typedef void VLConfigOptionFunc(VLConfig *cfg, const char *name,
                                const char *arg);
bool vl_readconfig(VLConfig *cfg, const char *path, VLConfigOptionFunc *run,
                   Error **errp);
void vl_config_location(const char *file, int line);
/* "FILE:LINE" of the section a stored -device/-object/-mon came from. */
const char *vl_config_origin(const char *arg);

/* vl-libvirt.c: one of the options libvirt passes (see there). */
bool vl_libvirt_option(VLConfig *cfg, const char *name, const char *arg,
                       Error **errp);
bool vl_pidfile_create(const char *path, Error **errp);
void vl_pidfile_remove(void);
bool vl_mem_lock(Error **errp);
/* Fork; the parent exits when the child calls vl_daemonize_done(). */
bool vl_daemonize_start(Error **errp);
void vl_daemonize_done(void);

#endif
