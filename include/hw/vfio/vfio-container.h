/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * VFIO containers and groups over an sPAPR TCE host IOMMU.
 *
 * One container per DMA address space (a PHB's).  With the v2 IOMMU the
 * container preregisters all guest RAM (prereg listener on
 * address_space_memory), drops the host's default window and mirrors
 * every guest DMA window of the address space into a host window (IOMMU
 * listener), then every guest TCE into MAP_DMA/UNMAP_DMA (IOMMU
 * notifier).  With v1 the host's default window is used as is.
 */
#ifndef HW_VFIO_CONTAINER_H
#define HW_VFIO_CONTAINER_H

#include "exec/memory.h"
#include "linux/vfio-compat.h"

typedef struct VFIOContainer VFIOContainer;

typedef struct VFIOGroup {
    int fd;
    int groupid;
    VFIOContainer *container;
    unsigned device_count;      /* devices of this group in use */
} VFIOGroup;

/* A host DMA window (v2: created by us; v1: the default one). */
typedef struct VFIOHostDMAWindow {
    hwaddr min_iova;
    hwaddr max_iova;            /* inclusive */
    uint64_t iova_pgsizes;      /* the page size used, as a bitmap */
    unsigned levels;
    bool created;               /* ours to remove */
} VFIOHostDMAWindow;

/* One guest IOMMU region (guest DMA window) being mirrored. */
typedef struct VFIOGuestIOMMU {
    VFIOContainer *container;
    IOMMUMemoryRegion *iommu_mr;
    hwaddr iommu_offset;        /* address-space offset - region offset */
    IOMMUNotifier n;
} VFIOGuestIOMMU;

/* A RAM section registered with REGISTER_MEMORY. */
typedef struct VFIOPreregRegion {
    MemoryRegion *mr;           /* referenced while registered */
    uint64_t vaddr;
    uint64_t size;
    hwaddr gpa;
} VFIOPreregRegion;

typedef struct VFIOContainerStats {
    uint64_t map_ioctls;
    uint64_t unmap_ioctls;
    uint64_t mapped_pages;      /* IOMMU pages passed to MAP_DMA */
    uint64_t register_ioctls;
    uint64_t window_ioctls;
} VFIOContainerStats;

struct VFIOContainer {
    AddressSpace *as;
    int fd;
    int iommu_type;             /* VFIO_SPAPR_TCE_v2_IOMMU or _IOMMU */
    bool v1_enabled;
    int has_v1;                 /* the host offers v1 (CHECK_EXTENSION) */
    char *fallback;             /* why v1 is used although v2 was offered */
    MemoryListener prereg_listener;     /* v2, on address_space_memory */
    bool prereg_registered;
    MemoryListener listener;            /* on @as */
    bool listener_registered;
    GPtrArray *groups;          /* VFIOGroup * */
    GPtrArray *hostwins;        /* VFIOHostDMAWindow * */
    GPtrArray *giommus;         /* VFIOGuestIOMMU * */
    GPtrArray *prereg;          /* VFIOPreregRegion * */
    uint64_t host_pgsizes;      /* page sizes the host IOMMU supports */
    unsigned max_windows;
    unsigned max_levels;
    uint64_t dma32_start;
    uint64_t dma32_size;
    /* First error seen by a listener/notifier callback (cannot return). */
    Error *error;
    char *last_error;           /* the latest failure, for query-vfio */
    bool failed;                /* a runtime failure broke DMA */
    bool stale;                 /* failed, and host TCEs may remain */
    unsigned recoveries;        /* failed -> working again */
    VFIOContainerStats stats;
    unsigned refcount;          /* groups attached */
    /* Told when DMA breaks and when it works again, in order added. */
    GPtrArray *clients;         /* VFIOContainerClient * */
};

/* Every container of the process (for info vfio and queries). */
GPtrArray *vfio_containers(void);

/*
 * Attach group @groupid to a container for @as: an existing container of
 * that address space when the host allows it, else a new one.  Unwinds
 * completely on failure; errors name the ioctl and errno.
 */
VFIOGroup *vfio_group_get(int groupid, AddressSpace *as, Error **errp);
/* Drop a user of the group; the last one detaches and may free the
 * container (windows removed, memory unregistered, fds closed). */
void vfio_group_put(VFIOGroup *group);
/* A device fd from the group, by the device's name ("DDDD:BB:DD.F"). */
int vfio_group_get_device_fd(VFIOGroup *group, const char *name,
                             Error **errp);
/* The IOMMU group number behind a sysfs device directory. */
int vfio_sysfs_group_id(const char *sysfsdev, Error **errp);

const char *vfio_iommu_type_name(int type);

/* sPAPR backend (spapr.c): prereg listener and host windows. */
extern const MemoryListener vfio_prereg_listener_template;
bool vfio_spapr_create_window(VFIOContainer *c, hwaddr iova,
                              uint64_t size, uint64_t guest_pgsize,
                              Error **errp);
void vfio_spapr_remove_window(VFIOContainer *c, VFIOHostDMAWindow *w);
/* Remove @w from the host; forget it only if that worked. */
bool vfio_spapr_drop_window(VFIOContainer *c, VFIOHostDMAWindow *w);
/* Could a guest window at @iova+@size with @guest_pgsize pages be
 * mirrored (v2: a free host slot and page size; v1: it fits the host's
 * default window)?  Asked before the guest's DDW create succeeds. */
bool vfio_spapr_window_check(VFIOContainer *c, hwaddr iova, uint64_t size,
                             uint64_t guest_pgsize, Error **errp);
VFIOHostDMAWindow *vfio_host_win_find(VFIOContainer *c, hwaddr min,
                                      hwaddr max);
/* Smallest host page size backing the registered guest RAM. */
uint64_t vfio_prereg_min_pagesize(VFIOContainer *c);

/* IOMMU listener and notifier (iommu.c). */
extern const MemoryListener vfio_iommu_listener_template;

/* A MAP_DMA (flags != 0) or UNMAP_DMA (flags == 0) being grown. */
typedef struct VFIODMARun {
    hwaddr iova;
    uint64_t vaddr;
    uint64_t size;
    uint32_t flags;             /* VFIO_DMA_MAP_FLAG_READ / _WRITE */
    uint64_t pages;             /* IOMMU pages in the run */
} VFIODMARun;

/* Issue @run as one ioctl; on failure record the error and return false. */
bool vfio_dma_run_flush(VFIOContainer *c, const VFIODMARun *run);

/*
 * Record a failure seen in a callback; the first one is kept.  @status
 * is a vfio_container_ioctl() result (-errno, or a positive return) or
 * 0 when no ioctl is involved.
 */
void vfio_container_set_error(VFIOContainer *c, int status,
                              const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Fetch and clear the recorded error. */
Error *vfio_container_take_error(VFIOContainer *c);
/* Runtime failure: DMA through this container is no longer exact. */
void vfio_container_mark_failed(VFIOContainer *c);
/*
 * A user of the container that DMA failures concern: each vfio-pci
 * device adds itself on realize and removes itself on exit, so the
 * container tells exactly the devices behind it.
 */
typedef struct VFIOContainerClient VFIOContainerClient;
struct VFIOContainerClient {
    /*
     * Called by vfio_container_mark_failed, before the host tables are
     * cleared: stop the device's DMA (bus master off on the device).
     */
    void (*failed)(VFIOContainerClient *client);
    /*
     * The failed container works again (windows re-created, TCEs
     * replayed): reset the device (VFIO_DEVICE_RESET) and give it back
     * the COMMAND bits the guest enabled.
     */
    void (*recovered)(VFIOContainerClient *client);
};
void vfio_container_add_client(VFIOContainer *c, VFIOContainerClient *client);
void vfio_container_remove_client(VFIOContainer *c,
                                  VFIOContainerClient *client);
/* Try to bring failed container @c back; false with @errp if not. */
bool vfio_container_recover(VFIOContainer *c, Error **errp);
/*
 * If @c failed, try to recover it (a PHB reset, a DMA window reset, a
 * machine reset); the result goes to the log and query-vfio.
 */
void vfio_container_try_recover(VFIOContainer *c);

/*
 * ioctl with errno captured and traced: 0 on success, -errno, or the
 * positive value the ioctl returned.  Anything but 0 is a failure.
 */
int vfio_container_ioctl_named(VFIOContainer *c, unsigned long req,
                               const char *name, void *arg);
/* The request's name for traces and messages is its spelling (#req). */
#define vfio_container_ioctl(c, req, arg) \
    vfio_container_ioctl_named((c), (req), #req, (arg))
/* Text for a failed vfio_container_ioctl() status. */
const char *vfio_ioctl_strerror(int status);

#endif
