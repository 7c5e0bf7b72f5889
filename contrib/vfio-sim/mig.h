/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: VFIO migration v2 of a simulated device (internal).
 *
 * device-feature.c: VFIO_DEVICE_FEATURE and the device options.
 * mig-state.c: the migration state machine.
 * migration.c: the data_fd (saving and resuming sessions) and the
 *              versioned, checksummed device state it carries.
 * dirty-log.c: device DMA logging (DMA_LOGGING_START/STOP/REPORT).
 * All of it runs with the simulator's lock held.

 */
#ifndef VSIM_MIG_H
#define VSIM_MIG_H

#include "vsim.h"
#include "linux/vfio-compat.h"

#define VSIM_MIG_ALL    (VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P | \
                         VFIO_MIGRATION_PRE_COPY)
#define VSIM_MIG_NSTATES    8       /* ERROR .. PRE_COPY_P2P */

/* Faults a test arms through the control channel ("mig-fault"). */
typedef struct VsimMigFault {
    unsigned nth;               /* 0: disarmed */
    int err;
    int from, to;               /* arc; from -1: any state */
    bool to_error;              /* the failed step leaves ERROR */
} VsimMigFault;

typedef enum VsimMigFdOp {
    VSIM_MIG_FD_READ,
    VSIM_MIG_FD_WRITE,
    VSIM_MIG_FD_PRECOPY_INFO,
    VSIM_MIG_FD_NOPS
} VsimMigFdOp;

typedef struct VsimMigFdFault {
    unsigned nth;               /* 0: disarmed */
    int err;                    /* errno, or 0 with short_len */
    uint64_t short_len;         /* read: return at most this many bytes */
    bool truncate;              /* read: the stream ends after short_len */
} VsimMigFdFault;

typedef struct VsimMigFile VsimMigFile;

typedef struct VsimMig {
    uint32_t flags;             /* VFIO_MIGRATION_* offered; 0: none */
    uint32_t state;             /* enum vfio_device_mig_state */
    VsimMigFile *file;          /* the open data transfer session */
    GPtrArray *files;           /* every VsimMigFile still open */
    int path[VSIM_MIG_NSTATES + 1];    /* states the last SET went through */
    unsigned path_len;
    VsimMigFault arc_fault;
    VsimMigFdFault fd_fault[VSIM_MIG_FD_NOPS];
    bool dirty_log;             /* offers DMA logging */
    bool irq_pending;           /* completion not yet signalled */
} VsimMig;

/* mig-state.c */
VsimMig *vsim_mig(VsimDevice *d);
const char *vsim_mig_state_name(uint32_t state);
int vsim_mig_state_from_name(const char *name);
bool vsim_mig_is_running(VsimDevice *d);
int vsim_mig_set_state(VsimDevice *d, int new, VsimMigFile **out);

/* migration.c: one step of the FSM that moves data, and the data_fd */
VsimMigFile *vsim_mig_file_new(VsimDevice *d, bool saving, bool precopy);
void vsim_mig_file_final(VsimMigFile *f);
void vsim_mig_file_disable(VsimMigFile *f);
int vsim_mig_file_load(VsimMigFile *f);
int vsim_mig_file_install(VsimMigFile *f);
uint64_t vsim_mig_state_size(VsimDevice *d);
unsigned vsim_mig_open_files(VsimDevice *d);

/* the device model's part of the saved state (dma-engine.c) */
#define VSIM_MIG_ENGINE_SIZE 32
void vsim_dmae_save(VsimDevice *d, uint8_t out[VSIM_MIG_ENGINE_SIZE]);
bool vsim_dmae_load(VsimDevice *d, const uint8_t in[VSIM_MIG_ENGINE_SIZE]);
void vsim_dmae_pause(VsimDevice *d);
void vsim_dmae_resume(VsimDevice *d);

/* dma-engine.c, dma-thread.c: the engine's one completion path */
void dmae_complete(VsimDevice *d, uint32_t kind, uint64_t err_iova);
uint64_t dmae_advance(VsimDevice *d, uint64_t budget);
bool vsim_dmae_active(VsimDevice *d);
bool vsim_dmae_thread_start(VsimDevice *d);
bool vsim_dmae_set_rate(VsimDevice *d, const char *val);
uint64_t vsim_dmae_rate(VsimDevice *d);

/* dirty-log.c */
long vsim_dirty_log_start(VsimDevice *d, uint32_t flags, void *data,
                          size_t size);
long vsim_dirty_log_stop(VsimDevice *d, uint32_t flags, void *data,
                         size_t size);
long vsim_dirty_log_report(VsimDevice *d, uint32_t flags, void *data,
                           size_t size);
JsonObject *vsim_dirty_log_json(VsimDevice *d);

/* device-feature.c: vfio_check_feature, shared by the handlers */
int vsim_check_feature(uint32_t flags, size_t argsz, uint32_t supported,
                       size_t minsz);

#endif /* VSIM_MIG_H */
