/*
 * vfio-sim: internal interface shared by the simulator's files.
 *
 * One process-wide state (VsimState) guarded by one recursive lock: the
 * interposed libc entries, the control channel thread and device DMA all
 * take it.  Recursive because a handler holding the lock may call an
 * interposed libc function (e.g. write() on the control socket).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VSIM_H
#define VSIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include "tce-table.h"

#define VSIM_MAX_GROUPS     64
#define VSIM_MAX_SLOTS      2
#define VSIM_DDW_START      (1ULL << 59)    /* slot 1's host-chosen start */
#define VSIM_MAX_LEVELS     5
#define VSIM_REGION_SHIFT   40              /* region index in fd offset */
#define VSIM_UNLIMITED      UINT64_MAX
#define VSIM_ROUND_UP(n, d) (((n) + (d) - 1) / (d) * (d))

typedef struct VsimContainer VsimContainer;
typedef struct VsimGroup VsimGroup;
typedef struct VsimDevice VsimDevice;
typedef struct VsimPin VsimPin;
typedef struct VsimMig VsimMig;
typedef struct VsimMigFile VsimMigFile;
typedef struct VsimDirtyLog VsimDirtyLog;

/* POWER hosts run 64 KiB pages: the default host's PAGE_SHIFT. */
#define VSIM_DEFAULT_PAGE_SHIFT 16

/* Host configuration (VFIO_SIM_HOST). */
typedef struct VsimHostConfig {
    unsigned page_shift;        /* the host's PAGE_SHIFT: 16 or 12 */
    uint64_t max_alloc;         /* largest contiguous kernel allocation */
    uint64_t pgsizes;           /* bitmap of IOMMU page sizes in bytes */
    uint64_t dma32;             /* default window size */
    unsigned windows;           /* DDW slots, 1 or 2 */
    unsigned levels;            /* max TCE table levels */
    uint64_t memlock;           /* VSIM_UNLIMITED or bytes */
    bool unregister_leak;       /* UNREGISTER of a busy region: 0 + leak */
    bool allow_v1;
    bool allow_v2;
    bool eeh;
} VsimHostConfig;

/* A pinned range with simulated host physical addresses. */
typedef enum VsimPinKind {
    VSIM_PIN_PREREG,            /* v2 REGISTER_MEMORY region */
    VSIM_PIN_V1,                /* one host page pinned by a v1 MAP_DMA */
} VsimPinKind;

struct VsimPin {
    VsimPinKind kind;
    uint64_t vaddr;
    uint64_t size;
    uint64_t hpa;               /* host physical address of vaddr */
    unsigned page_shift;        /* largest IOMMU page the backing allows */
    uint64_t tce_refs;          /* TCEs pointing into this pin */
    unsigned users;             /* containers that registered it (prereg) */
    bool mlocked;               /* real mlock succeeded */
    bool leaked;                /* holds a reference only exit drops */
};

typedef struct VsimWindow {
    bool present;
    bool is_default;            /* the untouched window made at attach */
    uint64_t start;
    uint64_t size;
    unsigned page_shift;
    unsigned levels;
    uint64_t charged;           /* bytes charged to locked memory */
    VsimTceTable *table;
} VsimWindow;

typedef enum VsimIommuType {
    VSIM_IOMMU_NONE = 0,
    VSIM_IOMMU_V1 = 2,          /* VFIO_SPAPR_TCE_IOMMU */
    VSIM_IOMMU_V2 = 7,          /* VFIO_SPAPR_TCE_v2_IOMMU */
} VsimIommuType;

struct VsimContainer {
    unsigned id;
    unsigned refs;              /* fds referring to it */
    pid_t owner;                /* first process to use it */
    VsimIommuType type;
    bool enabled;               /* v1 ENABLE, v2 first REGISTER */
    bool def_window_pending;    /* v2: default window not yet created */
    uint64_t v1_charged;
    GPtrArray *groups;          /* VsimGroup* */
    GPtrArray *regions;         /* VsimPin* it registered */
    VsimWindow win[VSIM_MAX_SLOTS];
};

struct VsimGroup {
    unsigned num;
    unsigned fd_refs;           /* group fds open */
    unsigned dev_refs;          /* device fds open */
    VsimContainer *container;
    GPtrArray *devices;         /* VsimDevice* */
};

/* A device model: the dma-engine is the only one today. */
typedef struct VsimModel {
    const char *name;
    uint16_t vendor, device;
    uint32_t class_code;
    uint64_t bar_size[6];       /* 0: absent */
    uint32_t bar_flags[6];      /* low config bits of the BAR */
    int mmap_bar;               /* BAR backed by a memfd, -1: none */
    void (*reset)(VsimDevice *dev);
    uint64_t (*bar_read)(VsimDevice *dev, int bar, uint64_t off,
                         void *buf, uint64_t len);
    void (*bar_write)(VsimDevice *dev, int bar, uint64_t off,
                      const void *buf, uint64_t len);
    bool pcie;                  /* has a PCI Express capability */
    bool intx_only;             /* no MSI capability either */
    unsigned msix_vectors;      /* MSI-X table size, 0: no MSI-X */
    unsigned msix_bar;          /* BAR holding the table and PBA */
    uint32_t msix_table;        /* table offset in it */
    uint32_t msix_pba;          /* PBA offset in it */
} VsimModel;

#define VSIM_CFG_SIZE       256
#define VSIM_NUM_IRQS       5   /* VFIO_PCI_NUM_IRQS */
#define VSIM_MAX_VECTORS    32  /* MSI's most; MSI-X tables are smaller */
#define VSIM_IRQ_NONE       (-1)
#define VSIM_MSIX_CAP       0x70

/* Interrupt state of a device as vfio_pci_core keeps it (irq.c). */
typedef struct VsimIrqs {
    int type;                   /* enabled VFIO_PCI_*_IRQ_INDEX, or NONE */
    unsigned nvec;              /* MSI/MSI-X vectors allocated at enable */
    int trigger[VSIM_MAX_VECTORS];  /* eventfd per vector (INTx: [0]) */
    int err_trigger;
    int req_trigger;
    int unmask_fd;              /* INTx unmask eventfd (kept, not watched) */
    bool intx_masked;           /* host-masked after a trigger */
    bool intx_line;             /* the device asserts INTx */
    uint64_t msix_pending;      /* vectors latched in the PBA, masked */
    uint64_t raised;            /* times the device raised its interrupt */
    int64_t last_raise_us;      /* CLOCK_MONOTONIC of the last raise */
    uint64_t dropped;           /* raised with no way out (MSI, no BME) */
    uint64_t signals[VSIM_NUM_IRQS];    /* eventfd signals per index */
} VsimIrqs;

struct VsimDevice {
    char bdf[16];
    const VsimModel *model;
    VsimGroup *group;
    unsigned fd_refs;
    uint8_t config[VSIM_CFG_SIZE];
    uint8_t wmask[VSIM_CFG_SIZE];   /* writable config bits */
    int mmap_fd;                /* memfd backing model->mmap_bar */
    VsimIrqs irq;
    uint8_t regs[256];          /* register BAR file, little-endian */
    VsimMig *mig;               /* migration state (mig-state.c) */
    VsimDirtyLog *dlog;         /* DMA logging (dirty-log.c) */
};

/* What an fd of ours refers to. */
typedef enum VsimFileKind {
    VSIM_FILE_CONTAINER = 1,
    VSIM_FILE_GROUP,
    VSIM_FILE_DEVICE,
    VSIM_FILE_MIG,              /* a migration data_fd */
} VsimFileKind;

typedef struct VsimFile {
    VsimFileKind kind;
    union {
        VsimContainer *container;
        VsimGroup *group;
        VsimDevice *device;
        VsimMigFile *mig;
    };
} VsimFile;

typedef struct VsimCounter {
    uint64_t calls;
    uint64_t errors;
    unsigned fault_nth;         /* 0: no fault armed */
    int fault_errno;
} VsimCounter;

/* Every ioctl we count, by its <linux/vfio.h> name. */
typedef enum VsimIoctlId {
    VSIM_IOC_GET_API_VERSION,
    VSIM_IOC_CHECK_EXTENSION,
    VSIM_IOC_SET_IOMMU,
    VSIM_IOC_TCE_GET_INFO,
    VSIM_IOC_ENABLE,
    VSIM_IOC_DISABLE,
    VSIM_IOC_MAP_DMA,
    VSIM_IOC_UNMAP_DMA,
    VSIM_IOC_REGISTER_MEMORY,
    VSIM_IOC_UNREGISTER_MEMORY,
    VSIM_IOC_TCE_CREATE,
    VSIM_IOC_TCE_REMOVE,
    VSIM_IOC_EEH_PE_OP,
    VSIM_IOC_GROUP_GET_STATUS,
    VSIM_IOC_GROUP_SET_CONTAINER,
    VSIM_IOC_GROUP_UNSET_CONTAINER,
    VSIM_IOC_GROUP_GET_DEVICE_FD,
    VSIM_IOC_DEVICE_GET_INFO,
    VSIM_IOC_DEVICE_GET_REGION_INFO,
    VSIM_IOC_DEVICE_GET_IRQ_INFO,
    VSIM_IOC_DEVICE_SET_IRQS,
    VSIM_IOC_DEVICE_RESET,
    VSIM_IOC_DEVICE_FEATURE,
    VSIM_IOC_DEVICE_GET_PCI_HOT_RESET_INFO,
    VSIM_IOC_DEVICE_PCI_HOT_RESET,
    VSIM_IOC_MIG_GET_PRECOPY_INFO,
    VSIM_IOC_OTHER,
    VSIM_IOC_COUNT
} VsimIoctlId;

typedef struct VsimState {
    VsimHostConfig host;
    uint64_t locked;            /* bytes charged, process-wide */
    uint64_t next_hpa;          /* bump allocator of host addresses */
    unsigned next_container_id;
    GPtrArray *containers;      /* live VsimContainer* */
    GPtrArray *pins;            /* VsimPin*, sorted by hpa */
    GHashTable *v1_pins;        /* host page vaddr -> VsimPin* */
    VsimGroup *groups[VSIM_MAX_GROUPS];
    GPtrArray *devices;         /* every configured VsimDevice* */
    VsimCounter counters[VSIM_IOC_COUNT];
    char *sysfs_dir;
    bool used;                  /* this process touched a vfio-sim path */
} VsimState;

extern VsimState vsim;

/* The simulated host's page size (PAGE_SIZE), what the process sees. */
static inline uint64_t vsim_page_size(void)
{
    return 1ULL << vsim.host.page_shift;
}

/* init.c */
bool vsim_init(void);
void vsim_lock(void);
void vsim_unlock(void);

/* config.c */
bool vsim_parse_host(VsimHostConfig *cfg, const char *spec, GError **errp);
bool vsim_parse_devices(const char *spec, GError **errp);
uint64_t vsim_default_memlock(void);
bool vsim_parse_size(const char *s, uint64_t *out);

/* fdtable.c */
VsimFile *vsim_file_lookup(int fd);
int vsim_file_install(VsimFileKind kind, void *obj, int flags);
int vsim_file_dup(int oldfd, int newfd);
bool vsim_file_close(int fd);
void vsim_file_release(VsimFile *f);
long vsim_file_ioctl(VsimFile *f, unsigned long req, void *arg);
ssize_t vsim_file_pread(int fd, void *buf, size_t n, uint64_t off);
ssize_t vsim_file_pwrite(int fd, const void *buf, size_t n, uint64_t off);
bool vsim_file_stream_rw(int fd, void *buf, size_t n, bool is_write,
                         ssize_t *r);
void *vsim_file_mmap(int fd, void *addr, size_t len, int prot, int flags,
                     uint64_t off);

/* uaccess.c: copy across the ABI boundary, EFAULT instead of SIGSEGV */
int vsim_copy_from_user(void *dst, const void *src, size_t len);

/* Size of @type up to and including @field (the mandatory head). */
#define MINSZ(type, field) \
    (offsetof(type, field) + sizeof(((type *)0)->field))

/*
 * In an ioctl handler: copy the mandatory head of an argument (EFAULT)
 * and check its argsz (EINVAL), returning from the handler on failure.
 */
#define GET_ARG(var, arg, type, last)                                   \
    do {                                                                \
        size_t minsz_ = MINSZ(type, last);                              \
        if (vsim_copy_from_user(&(var), (arg), minsz_) < 0) {           \
            return -EFAULT;                                             \
        }                                                               \
        if ((var).argsz < minsz_) {                                     \
            return -EINVAL;                                             \
        }                                                               \
    } while (0)

int vsim_copy_to_user(void *dst, const void *src, size_t len);

/* prereg.c */
int vsim_charge(uint64_t bytes);
void vsim_uncharge(uint64_t bytes);
int vsim_prereg_register(VsimContainer *c, uint64_t vaddr, uint64_t size);
int vsim_prereg_unregister(VsimContainer *c, uint64_t vaddr, uint64_t size);
void vsim_prereg_release_all(VsimContainer *c);
unsigned vsim_pins_release_all(void);
VsimPin *vsim_pin_by_vaddr(uint64_t vaddr, uint64_t size);
VsimPin *vsim_pin_by_hpa(uint64_t hpa);
int vsim_v1_pin(uint64_t vaddr, uint64_t size, bool write, uint64_t *hpa);
void vsim_tce_ref(uint64_t tce);
void vsim_tce_unref(uint64_t tce);
void *vsim_hpa_to_host(uint64_t hpa, uint64_t len);

/* container.c */
int vsim_container_open(int flags);
void vsim_container_unref(VsimContainer *c);
long vsim_container_ioctl(VsimContainer *c, unsigned long req, void *arg);
void vsim_container_attach_default(VsimContainer *c);
void vsim_container_reset(VsimContainer *c);
VsimWindow *vsim_window_find(VsimContainer *c, uint64_t iova);

/* window.c */
int vsim_window_create(VsimContainer *c, unsigned page_shift,
                       uint64_t size, unsigned levels, uint64_t *start);
int vsim_window_create_default(VsimContainer *c);
bool vsim_window_ioba_ok(VsimWindow *w, uint64_t iova, uint64_t pages);
void vsim_window_free(VsimWindow *w);

/* group.c */
long vsim_group_ioctl(VsimGroup *g, unsigned long req, void *arg);
int vsim_group_open(unsigned num, int flags);
void vsim_group_put(VsimGroup *g);
VsimGroup *vsim_group_get_or_create(unsigned num);

/* device.c */
VsimDevice *vsim_device_new(const char *bdf, const char *model,
                            unsigned group, GError **errp);
VsimDevice *vsim_device_find(const char *bdf);
long vsim_device_ioctl(VsimDevice *d, unsigned long req, void *arg);
ssize_t vsim_device_pread(VsimDevice *d, void *buf, size_t len,
                          uint64_t off);
ssize_t vsim_device_pwrite(VsimDevice *d, const void *buf, size_t len,
                           uint64_t off);
void *vsim_device_mmap(VsimDevice *d, void *addr, size_t len, int prot,
                       int flags, uint64_t off);
void vsim_device_reset(VsimDevice *d);
void vsim_device_reset_function(VsimDevice *d);
uint64_t vsim_device_cfg_size(VsimDevice *d);
void vsim_device_close(VsimDevice *d);

/* dma.c: device DMA through the host TCE tables */
typedef enum VsimDmaError {
    VSIM_DMA_OK = 0,
    VSIM_DMA_NO_WINDOW = 1,
    VSIM_DMA_NO_MAPPING = 2,
    VSIM_DMA_PERMISSION = 3,
    VSIM_DMA_BUS_MASTER = 5,    /* COMMAND's Bus Master Enable clear */
    VSIM_DMA_FROZEN = 6,        /* the PE's DMA is frozen (EEH) */
} VsimDmaError;

VsimDmaError vsim_dma_translate(VsimDevice *d, uint64_t iova, bool to_mem,
                                void **host, uint64_t *avail);
VsimDmaError vsim_dma_rw(VsimDevice *d, uint64_t iova, void *buf,
                         uint64_t len, bool is_write, uint64_t *done);
const char *vsim_dma_error_name(VsimDmaError e);

/* dma-engine.c */
extern const VsimModel vsim_dma_engine_model;
extern const VsimModel vsim_dma_engine_pcie_model;
extern const VsimModel vsim_dma_engine_intx_model;
JsonObject *vsim_dma_engine_run(VsimDevice *d, const char *op,
                                uint64_t src, uint64_t dst, uint64_t len,
                                uint64_t pattern, GError **errp);

/* ioctl bookkeeping (counters.c) */
VsimIoctlId vsim_ioctl_id(unsigned long req, VsimFileKind kind);
const char *vsim_ioctl_name(VsimIoctlId id);
bool vsim_ioctl_lookup(const char *name, VsimIoctlId *id);
int vsim_fault_check(VsimIoctlId id);

/* state.c, control.c */
JsonNode *vsim_state_json(void);
JsonNode *vsim_tces_json(unsigned container_id, int slot, GError **errp);
void vsim_control_start(const char *path);
void vsim_control_stop(void);
char *vsim_control_handle(const char *line);

/* libc entries we forward to (interpose.c) */
typedef struct VsimLibc {
    int (*open)(const char *, int, ...);
    int (*close)(int);
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*pread)(int, void *, size_t, off_t);
    ssize_t (*pwrite)(int, const void *, size_t, off_t);
    void *(*mmap)(void *, size_t, int, int, int, off_t);
    int (*ioctl)(int, unsigned long, ...);
    int (*dup)(int);
    int (*dup3)(int, int, int);
    int (*fcntl)(int, int, ...);
} VsimLibc;

extern VsimLibc vsim_libc;
void vsim_libc_resolve(void);

/* device.c: the device's COMMAND register as the hardware obeys it */
bool vsim_device_memory_enabled(VsimDevice *d);
bool vsim_device_bus_master(VsimDevice *d);
/* irq.c: SET_IRQS, and the interrupt the device raises (any thread) */
void vsim_irq_init(VsimDevice *d);
unsigned vsim_irq_count(VsimDevice *d, unsigned index);
long vsim_irq_set_irqs(VsimDevice *d, void *arg);
void vsim_irq_release(VsimDevice *d);
void vsim_irq_command_written(VsimDevice *d, bool was_disabled);
void vsim_device_signal(VsimDevice *d);
void vsim_device_lower_intx(VsimDevice *d);
JsonObject *vsim_irq_json(VsimDevice *d);

/* msix.c: capability list, the MSI-X capability, table and PBA */
struct vfio_region_info;
unsigned vsim_find_cap(VsimDevice *d, uint8_t id);
void vsim_msix_cap_init(VsimDevice *d, unsigned last);
unsigned vsim_msix_table_size(VsimDevice *d);
void vsim_msix_set_enable(VsimDevice *d, bool on);
void vsim_msix_set_pba(VsimDevice *d, uint64_t pending);
uint64_t vsim_msix_run(VsimDevice *d, unsigned index, uint64_t pos,
                       uint64_t len, bool *in_table);
long vsim_msix_region_caps(VsimDevice *d, void *arg,
                           struct vfio_region_info *info);

/* bar-map.c: user mappings of BARs, zapped while memory is disabled */
void *vsim_bar_map(VsimDevice *d, void *addr, size_t len, int prot,
                   int flags, uint64_t pos);
void vsim_bar_maps_sync(VsimDevice *d);
void vsim_bar_maps_forget(uint64_t addr, uint64_t len);
bool vsim_bar_maps_any(void);

/* pagesize.c: the simulated PAGE_SIZE as the process sees it */
unsigned vsim_process_page_shift(void);
void *vsim_map_pages(void *addr, size_t len, int prot, int flags, int fd,
                     uint64_t off);

/* mig-state.c, migration.c, dirty-log.c: VFIO migration v2 */
long vsim_device_feature(VsimDevice *d, void *arg);
void vsim_mig_reset(VsimDevice *d);
bool vsim_mig_option(VsimDevice *d, const char *key, const char *val);
JsonObject *vsim_mig_json(VsimDevice *d);
unsigned vsim_mig_open_files(VsimDevice *d);
void vsim_mig_file_get(VsimMigFile *f);
void vsim_mig_file_put(VsimMigFile *f);
ssize_t vsim_mig_file_rw(VsimMigFile *f, void *buf, size_t n, bool is_write);
long vsim_mig_file_ioctl(VsimMigFile *f, unsigned long req, void *arg);
JsonNode *vsim_mig_control(const char *cmd, JsonObject *req, GError **errp);
void vsim_dirty_log_close(VsimDevice *d);
void vsim_dirty_log_write(VsimDevice *d, uint64_t iova, uint64_t len);

/* control.c: argument helpers for the other files' requests */
bool vsim_control_errno(JsonNode *n, int *out);
VsimDevice *vsim_control_device(JsonObject *req, GError **errp);
/* eeh.c: the PE (one per group) and its freeze, PowerNV EEH */
long vsim_eeh_pe_op(VsimContainer *c, void *arg);
bool vsim_eeh_access_blocked(VsimDevice *d, bool config);
bool vsim_eeh_mmio_frozen(VsimDevice *d);
bool vsim_eeh_dma_blocked(VsimDevice *d);
void vsim_eeh_dma_fault(VsimDevice *d);
int vsim_eeh_ones_fd(uint64_t size);
void vsim_eeh_change_owner(VsimDevice *d);
JsonNode *vsim_eeh_control(JsonObject *req, GError **errp);
JsonNode *vsim_eeh_fault(JsonObject *req, GError **errp);
void vsim_eeh_fault_disarm(void);

#endif /* VSIM_H */
