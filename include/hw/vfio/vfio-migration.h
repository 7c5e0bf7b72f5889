/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Live migration of a vfio-pci device on the VFIO migration v2
 * interface (hw/vfio/migration.c) and device dirty tracking
 * (hw/vfio/migration-dirty.c).  docs/migration.md describes both.
 */
#ifndef HW_VFIO_MIGRATION_H
#define HW_VFIO_MIGRATION_H

#include "qemu/osdep.h"
#include "linux/vfio-compat.h"

/* PRE_COPY, PRECOPY_INFO, MIG_DATA_SIZE: see linux/vfio-compat.h. */

typedef struct VFIOPCIDevice VFIOPCIDevice;
typedef struct VFIOContainer VFIOContainer;

/* enable-migration= */
typedef enum VFIOMigrationMode {
    VFIO_MIGRATION_AUTO,
    VFIO_MIGRATION_ON,
    VFIO_MIGRATION_OFF,
} VFIOMigrationMode;

typedef struct VFIOMigration {
    VFIOPCIDevice *vdev;
    uint64_t flags;             /* VFIO_MIGRATION_* the device offers */
    bool dma_logging;           /* DMA_LOGGING_* offered (PROBE) */
    uint32_t state;             /* the device's state as last set */
    int data_fd;                /* the open data transfer session */
    /* Source */
    GPtrArray *final;           /* STOP_COPY data read at stop */
    uint64_t state_bytes;       /* device data sent, all phases */
    uint64_t precopy_bytes;
    /* Destination */
    bool loading;               /* RESUMING entered */
    bool loaded;                /* ... and left for STOP: run on cont */
    uint64_t loaded_bytes;
    /* Device dirty tracking */
    bool logging;               /* DMA_LOGGING_START done */
    bool dirty_device;          /* this migration uses the device's log */
    uint64_t log_pgsize;
    GArray *log_ranges;         /* vfio_device_feature_dma_logging_range */
    uint64_t dirty_pages;       /* guest pages marked from REPORT */
    uint64_t conservative_pages; /* ... or from the fallback walk */
} VFIOMigration;

/*
 * VFIO_DEVICE_FEATURE on @v with @flags and @len bytes of payload, copied
 * back on success; traced as @what.  Returns >= 0, or -errno.
 */
int vfio_device_feature(VFIOPCIDevice *v, uint32_t flags, const char *what,
                        void *payload, size_t len);

/* Parse enable-migration=; false with @errp naming the value. */
bool vfio_migration_parse_mode(const char *s, VFIOMigrationMode *mode,
                               Error **errp);
/*
 * Probe the device (VFIO_DEVICE_FEATURE_MIGRATION, DMA logging).  With
 * ON a device without STOP_COPY is refused; with AUTO it stays
 * unmigratable (migrate refuses, naming it); OFF does not ask.
 */
bool vfio_migration_realize(VFIOPCIDevice *v, VFIOMigrationMode mode,
                            Error **errp);
void vfio_migration_exit(VFIOPCIDevice *v);
/* Why migrate must refuse this device (g_free), or NULL. */
char *vfio_migration_blocker(VFIOPCIDevice *v);
extern const struct DeviceMigrationOps vfio_pci_migration_ops;

/* Device dirty tracking (migration-dirty.c), per container. */
/* Dirty logging starts: DMA_LOGGING_START on every device of @c, or
 * none (then the conservative marking stays). */
void vfio_mig_dirty_start(VFIOContainer *c);
void vfio_mig_dirty_stop(VFIOContainer *c);
/* True when every device of @c logs its writes: nothing else to do. */
bool vfio_mig_dirty_active(VFIOContainer *c);
/* One sync: REPORT each device, mark the guest pages its IOVAs map. */
uint64_t vfio_mig_dirty_sync(VFIOContainer *c);
/* The fallback walk marked @pages for the devices of @c. */
void vfio_mig_dirty_count_conservative(VFIOContainer *c, uint64_t pages);
/* "device" or "conservative": how @v's writes are found (or were). */
const char *vfio_mig_dirty_mode(VFIOPCIDevice *v);

#endif
