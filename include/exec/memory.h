/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The memory API: regions, address spaces, flat views, listeners and
 * IOMMU regions.
 *
 * A MemoryRegion is a node of a tree (containers hold subregions at an
 * offset with a priority).  An AddressSpace renders the tree below its
 * root into a FlatView: sorted, non-overlapping ranges, each naming the
 * region that wins there.  MemoryListeners see the differences between
 * successive flat views as region_add / region_del / region_nop calls.
 *
 * Single-threaded: all topology changes happen on the machine thread.
 */
#ifndef EXEC_MEMORY_H
#define EXEC_MEMORY_H

#include "qemu/osdep.h"
#include "qemu/int128.h"
#include "qemu/error.h"

typedef uint64_t hwaddr;
#define HWADDR_MAX UINT64_MAX
#define HWADDR_PRIx PRIx64

typedef struct MemoryRegion MemoryRegion;
typedef struct IOMMUMemoryRegion IOMMUMemoryRegion;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct MemoryListener MemoryListener;
typedef struct MemoryRegionSection MemoryRegionSection;
typedef struct IOMMUNotifier IOMMUNotifier;
typedef struct RAMBlock RAMBlock;

/* ---------------------------------------------------------------- MMIO */

typedef enum device_endian {
    DEVICE_NATIVE_ENDIAN,   /* the guest's: big-endian on pseries */
    DEVICE_BIG_ENDIAN,
    DEVICE_LITTLE_ENDIAN,
} device_endian;

typedef struct MemTxAttrs {
    unsigned int unspecified:1;
    unsigned int requester_id:16;
} MemTxAttrs;
#define MEMTXATTRS_UNSPECIFIED ((MemTxAttrs) { .unspecified = 1 })

typedef uint32_t MemTxResult;
#define MEMTX_OK            0
#define MEMTX_ERROR         (1U << 0)   /* device returned an error */
#define MEMTX_DECODE_ERROR  (1U << 1)   /* nothing at that address */
#define MEMTX_ACCESS_ERROR  (1U << 2)   /* IOMMU denied the access */

typedef struct MemoryRegionOps {
    /* @size is 1, 2, 4 or 8; values are in host order. */
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    device_endian endianness;
    /* What the guest may do; other accesses are rejected (MEMTX_ERROR). */
    struct {
        unsigned min_access_size;   /* 0 means 1 */
        unsigned max_access_size;   /* 0 means 4 */
        bool unaligned;
    } valid;
    /*
     * What the callbacks implement; valid accesses outside this are
     * split or widened by the core.
     */
    struct {
        unsigned min_access_size;   /* 0 means 1 */
        unsigned max_access_size;   /* 0 means 4 */
        bool unaligned;
    } impl;
} MemoryRegionOps;

/* --------------------------------------------------------------- IOMMU */

typedef enum IOMMUAccessFlags {
    IOMMU_NONE = 0,
    IOMMU_RO   = 1,     /* the device may read memory */
    IOMMU_WO   = 2,     /* the device may write memory */
    IOMMU_RW   = 3,
} IOMMUAccessFlags;

#define IOMMU_ACCESS_FLAG(r, w) (((r) ? IOMMU_RO : 0) | ((w) ? IOMMU_WO : 0))

typedef struct IOMMUTLBEntry {
    AddressSpace *target_as;
    hwaddr iova;                /* aligned to addr_mask + 1 */
    hwaddr translated_addr;
    hwaddr addr_mask;           /* size - 1, size a power of two */
    IOMMUAccessFlags perm;      /* IOMMU_NONE: not mapped (an UNMAP) */
} IOMMUTLBEntry;

typedef enum IOMMUNotifierFlag {
    IOMMU_NOTIFIER_NONE  = 0,
    IOMMU_NOTIFIER_UNMAP = 1,
    IOMMU_NOTIFIER_MAP   = 2,
    IOMMU_NOTIFIER_ALL   = 3,
} IOMMUNotifierFlag;

/*
 * Notification callback.  @entries is a run of @count entries sorted by
 * IOVA and all of one kind (all MAP, perm != NONE, or all UNMAP), every
 * one inside the notifier's range.  A single-entry notification is a
 * batch of one; an UNMAP entry may cover a large aligned block.
 */
typedef void (*IOMMUNotify)(IOMMUNotifier *notifier,
                            const IOMMUTLBEntry *entries, unsigned count);

struct IOMMUNotifier {
    IOMMUNotify notify;
    IOMMUNotifierFlag notifier_flags;
    hwaddr start;               /* inclusive */
    hwaddr end;                 /* inclusive */
    int iommu_idx;
    IOMMUMemoryRegion *iommu_mr;    /* set while registered */
    IOMMUNotifier *next;
};

typedef enum IOMMUMemoryRegionAttr {
    IOMMU_ATTR_SPAPR_TCE_FD,
    IOMMU_ATTR_PAGE_SHIFT,      /* data: unsigned * */
    IOMMU_ATTR_BUS_OFFSET,      /* data: hwaddr *, where the window starts */
} IOMMUMemoryRegionAttr;

typedef struct IOMMUMemoryRegionOps {
    /* Translate @addr (offset inside the region). Must not fail. */
    IOMMUTLBEntry (*translate)(IOMMUMemoryRegion *iommu, hwaddr addr,
                               IOMMUAccessFlags flag, int iommu_idx);
    /* The union of the registered notifiers' flags changed. */
    int (*notify_flag_changed)(IOMMUMemoryRegion *iommu,
                               IOMMUNotifierFlag old_flags,
                               IOMMUNotifierFlag new_flags, Error **errp);
    /*
     * Send a MAP for every valid translation to @notifier only.  Must
     * cost time proportional to the mapped entries.  When NULL, the
     * core walks the region at get_min_page_size steps.
     */
    void (*replay)(IOMMUMemoryRegion *iommu, IOMMUNotifier *notifier);
    /* 0 and *data filled, or -EINVAL when the attribute is unknown. */
    int (*get_attr)(IOMMUMemoryRegion *iommu, IOMMUMemoryRegionAttr attr,
                    void *data);
    uint64_t (*get_min_page_size)(IOMMUMemoryRegion *iommu);
} IOMMUMemoryRegionOps;

/* --------------------------------------------------------- MemoryRegion */

typedef enum MemoryRegionKind {
    MR_CONTAINER,       /* no content of its own */
    MR_RAM,             /* host memory of a RAM block */
    MR_IO,              /* MMIO callbacks */
    MR_ALIAS,           /* a window into another region */
    MR_RAM_DEVICE,      /* host memory of a device: exact-width accesses */
    MR_IOMMU,           /* translates, then goes to another address space */
} MemoryRegionKind;

struct MemoryRegion {
    /* Private: use the accessors below. */
    MemoryRegionKind kind;
    char *name;
    char *owner;                /* a name for "info mtree" (may be NULL) */
    Int128 size;
    unsigned refcount;
    bool enabled;
    bool readonly;              /* ROM, or a read-only RAM mapping */
    bool rom_device;            /* reads as RAM, writes go to ops */
    bool terminates;            /* not a container or alias */
    bool destroyed;
    bool log_dirty;             /* dirty logging requested on it */
    const MemoryRegionOps *ops;
    void *opaque;
    MemoryRegion *container;    /* parent, NULL when not a subregion */
    hwaddr addr;                /* offset inside the container */
    int priority;
    unsigned seq;               /* insertion order among siblings */
    GPtrArray *subregions;      /* sorted: priority desc, then seq desc */
    unsigned next_seq;
    MemoryRegion *alias;
    hwaddr alias_offset;
    unsigned alias_users;       /* aliases whose target this is */
    RAMBlock *ram_block;
    void *ram_ptr;              /* RAM_DEVICE: the host mapping */
    /* Called when the last reference goes (for owners' cleanup). */
    void (*release)(MemoryRegion *mr);
};

/*
 * Region size convention: a uint64_t size of UINT64_MAX means 2^64.
 * Every init function takes the creator's reference (refcount 1);
 * memory_region_unref() drops references; the last one finalizes the
 * region (frees its RAM block) and then calls mr->release if set.
 * A container holds a reference on each of its subregions, a FlatView
 * on each region it shows.
 */
void memory_region_init(MemoryRegion *mr, const char *owner,
                        const char *name, uint64_t size);
void memory_region_init_io(MemoryRegion *mr, const char *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);
/* Anonymous private RAM. */
bool memory_region_init_ram(MemoryRegion *mr, const char *owner,
                            const char *name, uint64_t size, Error **errp);
/* RAM of an existing host mapping the caller owns (not freed by us). */
void memory_region_init_ram_ptr(MemoryRegion *mr, const char *owner,
                                const char *name, uint64_t size, void *ptr);
/* RAM taken over from a RAM block made by exec.c (memory backends). */
void memory_region_init_ram_from_block(MemoryRegion *mr, const char *owner,
                                       const char *name, RAMBlock *rb);
bool memory_region_init_rom(MemoryRegion *mr, const char *owner,
                            const char *name, uint64_t size, Error **errp);
/* Device memory (an mmap of a BAR): never memcpy'd, not preregistered. */
void memory_region_init_ram_device_ptr(MemoryRegion *mr, const char *owner,
                                       const char *name, uint64_t size,
                                       void *ptr);
void memory_region_init_alias(MemoryRegion *mr, const char *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size);
void memory_region_init_iommu(IOMMUMemoryRegion *iommu_mr,
                              const char *owner,
                              const IOMMUMemoryRegionOps *ops, void *opaque,
                              const char *name, uint64_t size);

void memory_region_ref(MemoryRegion *mr);
void memory_region_unref(MemoryRegion *mr);

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion);
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority);
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);

void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);

const char *memory_region_name(const MemoryRegion *mr);
uint64_t memory_region_size(const MemoryRegion *mr);  /* 2^64 saturates */
static inline Int128 memory_region_size128(const MemoryRegion *mr)
{
    return mr->size;
}
bool memory_region_is_ram(const MemoryRegion *mr);    /* incl. ram_device */
bool memory_region_is_ram_device(const MemoryRegion *mr);
bool memory_region_is_rom(const MemoryRegion *mr);
bool memory_region_is_iommu(const MemoryRegion *mr);
static inline bool memory_region_is_mapped(const MemoryRegion *mr)
{
    return mr->container != NULL;
}
IOMMUMemoryRegion *memory_region_get_iommu(MemoryRegion *mr);
/* Host pointer of RAM / ram_device content (aliases resolved). */
void *memory_region_get_ram_ptr(MemoryRegion *mr);
RAMBlock *memory_region_get_ram_block(MemoryRegion *mr);
/* Host page size backing the region: hugetlb page size or base page. */
uint64_t memory_region_host_page_size(MemoryRegion *mr);

/* Topology changes inside a transaction reach listeners once, at the
 * outermost commit. */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);
unsigned memory_region_transaction_depth(void);

/*
 * Checked transactions, for a caller that can undo its change when a
 * listener cannot follow it (a DIMM whose memory the host refuses to
 * pin).  While the commit of the outermost transaction delivers
 * the change, listeners that see memory_region_transaction_checked()
 * post their failure with memory_listener_report_error() instead of
 * failing hard; commit_checked then returns false with the first error
 * posted (later ones are dropped).  The change itself stays applied:
 * the caller reverts it in a new transaction, so listeners also get
 * region_del for a section whose region_add they failed.  Nested in
 * another transaction, commit_checked returns true and the outer commit
 * delivers the change (checked only if that one is).
 */
void memory_region_transaction_begin_checked(void);
bool memory_region_transaction_commit_checked(Error **errp);
bool memory_region_transaction_checked(void);
/* Takes @err; outside a checked commit it is reported at once. */
void memory_listener_report_error(Error *err);

/* Direct MMIO dispatch on a region (used by address_space_rw). */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
                                        uint64_t *data, unsigned size,
                                        MemTxAttrs attrs);
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
                                         uint64_t data, unsigned size,
                                         MemTxAttrs attrs);

/* ------------------------------------------------------- IOMMU regions */

struct IOMMUMemoryRegion {
    MemoryRegion parent_obj;
    const IOMMUMemoryRegionOps *ops;
    void *opaque;
    IOMMUNotifier *notifiers;
    IOMMUNotifierFlag notify_flags;     /* union of the notifiers' flags */
};

static inline MemoryRegion *IOMMU_MR_REGION(IOMMUMemoryRegion *iommu)
{
    return &iommu->parent_obj;
}

static inline void iommu_notifier_init(IOMMUNotifier *n, IOMMUNotify fn,
                                       IOMMUNotifierFlag flags,
                                       hwaddr start, hwaddr end,
                                       int iommu_idx)
{
    memset(n, 0, sizeof(*n));
    n->notify = fn;
    n->notifier_flags = flags;
    n->start = start;
    n->end = end;
    n->iommu_idx = iommu_idx;
}

/* Returns 0, or the negative errno of notify_flag_changed (errp set). */
int memory_region_register_iommu_notifier(MemoryRegion *mr,
                                          IOMMUNotifier *n, Error **errp);
void memory_region_unregister_iommu_notifier(MemoryRegion *mr,
                                             IOMMUNotifier *n);
/*
 * Tell the notifiers about a run of changed entries (sorted by IOVA,
 * mixed MAP and UNMAP allowed: the core splits the run into one-kind
 * sub-runs and clips each to every notifier's range and flags).
 */
void memory_region_notify_iommu_batch(IOMMUMemoryRegion *iommu_mr,
                                      int iommu_idx,
                                      const IOMMUTLBEntry *entries,
                                      unsigned count);
static inline void memory_region_notify_iommu(IOMMUMemoryRegion *iommu_mr,
                                              int iommu_idx,
                                              IOMMUTLBEntry entry)
{
    memory_region_notify_iommu_batch(iommu_mr, iommu_idx, &entry, 1);
}
/* Deliver to one notifier only (for replay implementations). */
void memory_region_notify_iommu_one(IOMMUNotifier *notifier,
                                    const IOMMUTLBEntry *entries,
                                    unsigned count);
void memory_region_iommu_replay(IOMMUMemoryRegion *iommu_mr,
                                IOMMUNotifier *n);
IOMMUTLBEntry memory_region_iommu_translate(IOMMUMemoryRegion *iommu_mr,
                                            hwaddr addr,
                                            IOMMUAccessFlags flag,
                                            int iommu_idx);
int memory_region_iommu_get_attr(IOMMUMemoryRegion *iommu_mr,
                                 IOMMUMemoryRegionAttr attr, void *data);
uint64_t memory_region_iommu_get_min_page_size(IOMMUMemoryRegion *iommu_mr);

/* ------------------------------------------------ Sections and views */

struct MemoryRegionSection {
    Int128 size;
    MemoryRegion *mr;
    FlatView *fv;
    hwaddr offset_within_region;
    hwaddr offset_within_address_space;
    bool readonly;
};

static inline bool
memory_region_section_is_ram(const MemoryRegionSection *s)
{
    return memory_region_is_ram(s->mr);
}

typedef struct FlatRange {
    MemoryRegion *mr;
    hwaddr offset_in_region;
    Int128 start;       /* address-space offset */
    Int128 size;
    bool readonly;
} FlatRange;

struct FlatView {
    unsigned ref;
    FlatRange *ranges;
    unsigned nr;
    unsigned nr_allocated;
    MemoryRegion *root;
};

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current_map;
    GPtrArray *listeners;   /* sorted by priority, ascending */
    bool global_dirty_log;
};

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
void address_space_destroy(AddressSpace *as);
/* Current view; the caller may ref it to keep it past a commit. */
FlatView *address_space_to_flatview(AddressSpace *as);
void flatview_ref(FlatView *fv);
void flatview_unref(FlatView *fv);
/* The range containing @addr (binary search), or NULL. */
const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr);
/*
 * The section at @addr (size clipped to the range), or .mr == NULL.
 * Valid until the next topology change; ref the region to keep it.
 */
MemoryRegionSection memory_region_find(MemoryRegion *root, hwaddr addr,
                                       uint64_t size);
MemoryRegionSection address_space_find_section(AddressSpace *as,
                                               hwaddr addr);

/* The system address space (root "system", 2^64 bytes). */
extern AddressSpace address_space_memory;
MemoryRegion *get_system_memory(void);
/* Create the system memory region and address space once. */
void memory_init_system(void);

/* ----------------------------------------------------------- Listeners */

struct MemoryListener {
    void (*begin)(MemoryListener *listener);
    void (*commit)(MemoryListener *listener);
    void (*region_add)(MemoryListener *listener,
                       MemoryRegionSection *section);
    void (*region_del)(MemoryListener *listener,
                       MemoryRegionSection *section);
    void (*region_nop)(MemoryListener *listener,
                       MemoryRegionSection *section);
    void (*log_start)(MemoryListener *listener,
                      MemoryRegionSection *section, int old, int new_);
    void (*log_stop)(MemoryListener *listener,
                     MemoryRegionSection *section, int old, int new_);
    void (*log_sync)(MemoryListener *listener,
                     MemoryRegionSection *section);
    bool (*log_global_start)(MemoryListener *listener, Error **errp);
    void (*log_global_stop)(MemoryListener *listener);
    const char *name;
    /* Adds run in ascending priority order, deletes in descending. */
    unsigned priority;
    AddressSpace *address_space;    /* set while registered */
    /* Private (memory-dirty.c): log_global_start accepted, not stopped. */
    bool log_global_on;
};

/* Replays the current view as begin, region_add..., commit. */
void memory_listener_register(MemoryListener *listener, AddressSpace *as);
/* Delivers begin, region_del... (descending address), commit. */
void memory_listener_unregister(MemoryListener *listener);

/* -------------------------------------------------------- dirty logging */

/*
 * Dirty logging for the migration client (implemented in memory-dirty.c).
 *
 * Global start turns on the bitmap of every RAM block that is reachable
 * in any address space, with every page dirty (a migration must send all
 * of RAM once), then calls log_global_start on every listener of every
 * address space (one that refuses fails the start: the listeners already
 * started get log_global_stop, the new bitmaps are freed, and the error
 * is returned), then log_start for each logged section.  While it is on,
 * RAM that appears in a view (a hot-added DIMM) gets a bitmap, all
 * dirty, and its region_add is followed by log_start; a section that
 * leaves gets log_stop before its region_del; a listener registered
 * meanwhile gets log_global_start and log_start for what it is shown.
 * Stop reverses all of it and frees the bitmaps.
 *
 * Writers that mark pages: address_space_write/rw and everything built
 * on them (the qtest protocol, the load/store helpers, emulated devices'
 * DMA), address_space_unmap of a write mapping, memory_region_set_dirty.
 * Exactly the pages written are marked.  ram_device regions (device
 * BARs) are never logged.  Listeners add what the core cannot see in
 * log_sync (VFIO: every page mapped for device write, conservatively).
 *
 * The log_start/log_stop masks are 0 or DIRTY_LOG_MIGRATION.
 */
#define DIRTY_MEMORY_MIGRATION 1
#define DIRTY_LOG_MIGRATION (1 << DIRTY_MEMORY_MIGRATION)

/* Fails when logging is already on or a listener refuses. */
bool memory_global_dirty_log_start(Error **errp);
/* Does nothing when logging is off. */
void memory_global_dirty_log_stop(void);
bool memory_global_dirty_log_active(void);
/* Call log_sync on every listener for every logged section it sees. */
void memory_global_dirty_log_sync(void);
/*
 * Sync rounds: the count goes up at the start of every sync (a global
 * one, or a snapshot's).  A listener whose log_sync marks more than the
 * section it is given (every page it knows, as VFIO does) does that
 * work once per round.
 */
uint64_t memory_dirty_sync_round(void);
/*
 * Per-region logging (in addition to global) of a RAM region (aliases
 * are resolved; the flag is the RAM region's): sections of the region
 * get log_start / log_stop when that changes whether they are logged.
 * A bitmap created here starts clean.  @client must be
 * DIRTY_MEMORY_MIGRATION.  Other kinds of region are ignored.
 */
void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client);

/*
 * Offsets are relative to @mr (a RAM region or an alias of one); ranges
 * are widened to whole target pages.  On a region that is not logged,
 * set and reset do nothing and get says false.
 */
void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size);
bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                             unsigned client);
void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                               unsigned client);

typedef struct DirtyBitmapSnapshot DirtyBitmapSnapshot;
/*
 * Sync the listeners for @mr's sections inside [addr, addr + size)
 * (log_sync), copy the dirty bits of that range and clear them, each
 * bitmap word atomically with respect to writers.  The caller does not
 * have to sync first.  A region that is not logged gives a snapshot
 * with nothing dirty.  Free with memory_region_snapshot_free().
 */
DirtyBitmapSnapshot *memory_region_snapshot_and_clear_dirty(
    MemoryRegion *mr, hwaddr addr, hwaddr size, unsigned client);
/*
 * Any page of [addr, addr + size) dirty in the snapshot?  @mr and the
 * range must be those of the snapshot (or inside them).
 */
bool memory_region_snapshot_get_dirty(MemoryRegion *mr,
                                      DirtyBitmapSnapshot *snap,
                                      hwaddr addr, hwaddr size);
void memory_region_snapshot_free(DirtyBitmapSnapshot *snap);

/*
 * For memory.c only: the hooks that keep listeners and bitmaps in step
 * with topology changes.  memory_dirty_section_logged() says whether
 * sections of @mr are logged; memory_dirty_section_prepare() also gives
 * the block of a RAM section appearing under global logging its bitmap.
 */
bool memory_dirty_section_logged(const MemoryRegion *mr);
bool memory_dirty_section_prepare(MemoryRegion *mr);
/* A listener was just registered (before its region_add calls). */
void memory_dirty_listener_added(MemoryListener *listener);
/* A listener is being unregistered (after its region_del calls). */
void memory_dirty_listener_removed(MemoryListener *listener);
/* A new address space: its RAM joins global logging. */
void memory_dirty_address_space_added(AddressSpace *as);

/* ----------------------------------------------------------- info mtree */

/* "info mtree" text: flat = "-f", dispatch = "-d". */
void mtree_info(GString *out, bool flatview, bool dispatch_tree,
                bool owner);
/* Address spaces known to the memory core (for info mtree). */
void memory_foreach_address_space(void (*fn)(AddressSpace *as, void *opaque),
                                  void *opaque);

#endif
