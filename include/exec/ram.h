/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RAM blocks (host memory behind RAM regions) and guest memory access:
 * translation through IOMMUs, read/write, map/unmap, load/store helpers.
 */
#ifndef EXEC_RAM_H
#define EXEC_RAM_H

#include "exec/memory.h"

typedef enum RAMBlockFlags {
    RAM_SHARED      = 1 << 0,   /* MAP_SHARED: visible to other mappings */
    RAM_PREALLOC    = 1 << 1,   /* host memory owned by somebody else */
    RAM_HUGETLB     = 1 << 2,
    RAM_NORESERVE   = 1 << 3,
    RAM_READONLY    = 1 << 4,   /* mapped PROT_READ */
} RAMBlockFlags;

struct RAMBlock {
    char *idstr;
    MemoryRegion *mr;
    uint8_t *host;              /* start of the guest-visible memory */
    uint64_t used_length;
    uint64_t page_size;         /* host page size backing the block */
    uint64_t align;             /* alignment of @host */
    int fd;                     /* -1 for anonymous memory */
    uint64_t fd_offset;
    unsigned flags;             /* RAMBlockFlags */
    /* What was mmap'ed (may be larger than used_length for alignment). */
    void *map_base;
    uint64_t map_length;
    /* Dirty bitmap for the migration client: one bit per target page. */
    unsigned long *dirty_bitmap;
    bool dirty_log;
};

#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1ULL << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(TARGET_PAGE_SIZE - 1))

typedef struct RAMBlockParams {
    const char *name;
    uint64_t size;
    uint64_t align;             /* 0: the page size */
    bool share;
    bool prealloc;
    bool hugetlb;               /* memfd: MFD_HUGETLB */
    uint64_t hugetlbsize;       /* memfd: 0 = default huge page size */
    int fd;                     /* file: an open fd, or -1 */
    const char *mem_path;       /* file: path, for messages */
    uint64_t fd_offset;         /* file: where the mapping starts */
    bool readonly;              /* map PROT_READ only */
} RAMBlockParams;

/*
 * Make a RAM block.  @p->fd >= 0 maps that file (the block takes the fd
 * and closes it when freed; on failure the caller keeps it), else
 * anonymous memory.  @p->share makes the mapping MAP_SHARED, else it is
 * a private copy-on-write one.  The host address is aligned to @p->align.
 * The size, the alignment and the file offset must be multiples of the
 * backing page size (the hugetlbfs page size for such files): anything
 * else is an error naming both, never rounded.  @p->prealloc faults in
 * every page and fails when the host cannot provide them.  Anonymous
 * hugetlb memory goes through qemu_memfd_create().
 */
RAMBlock *qemu_ram_alloc(const RAMBlockParams *p, Error **errp);
/* A RAM block over memory the caller owns. */
RAMBlock *qemu_ram_alloc_from_ptr(const char *name, uint64_t size,
                                  void *host);
void qemu_ram_free(RAMBlock *rb);
static inline void *qemu_ram_get_host_addr(RAMBlock *rb) { return rb->host; }
static inline uint64_t qemu_ram_pagesize(RAMBlock *rb)
{
    return rb->page_size;
}
/*
 * A memfd of @size bytes (MFD_HUGETLB with @hugetlb, of @hugetlbsize
 * pages when nonzero), sealed against growing and shrinking with @seal.
 * Returns the fd, or -1 with @errp set.
 */
int qemu_memfd_create(const char *name, uint64_t size, bool hugetlb,
                      uint64_t hugetlbsize, bool seal, Error **errp);
/* Page size of the file system backing @fd (hugetlbfs or base page). */
uint64_t qemu_fd_getpagesize(int fd);
/* The block containing @host, with the offset inside it. */
RAMBlock *qemu_ram_block_from_host(void *host, uint64_t *offset);
/* Calls @fn for every RAM block; stops when it returns nonzero. */
int qemu_ram_foreach_block(int (*fn)(RAMBlock *rb, void *opaque),
                           void *opaque);

/* ------------------------------------------------------------ Access */

/*
 * What addresses nothing maps (and IOMMU-denied accesses) resolve to:
 * an I/O region reading all ones and ignoring writes.
 */
MemoryRegion *exec_unassigned_region(void);

/*
 * Observer of every ram_device access (offset in the region, width in
 * bytes): lets tests and debugging see that device memory only gets
 * loads and stores of exact width.  NULL removes it.
 */
typedef void (*RamDeviceAccessHook)(MemoryRegion *mr, hwaddr offset,
                                    unsigned size, bool is_write,
                                    void *opaque);
void ram_device_set_access_hook(RamDeviceAccessHook hook, void *opaque);

/*
 * Resolve @addr in @as down to a terminating region, following aliases
 * and IOMMUs.  *xlat gets the offset in that region and *plen is clipped
 * to what is contiguous there (and to the IOMMU page).  An IOMMU that
 * denies the access yields the unassigned region with *denied set.
 */
MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr,
                                      hwaddr *xlat, hwaddr *plen,
                                      bool is_write, MemTxAttrs attrs);
/* Same, and tells whether an IOMMU denied it (MEMTX_ACCESS_ERROR). */
MemoryRegion *address_space_translate_full(AddressSpace *as, hwaddr addr,
                                           hwaddr *xlat, hwaddr *plen,
                                           bool is_write, MemTxAttrs attrs,
                                           MemTxResult *result);

MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, void *buf, hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                MemTxAttrs attrs, const void *buf,
                                hwaddr len);
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr,
                             MemTxAttrs attrs, void *buf, hwaddr len,
                             bool is_write);
MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              hwaddr len, MemTxAttrs attrs);
/* Would an access of @len at @addr reach only assigned, permitted memory? */
bool address_space_access_valid(AddressSpace *as, hwaddr addr, hwaddr len,
                                bool is_write, MemTxAttrs attrs);

/*
 * A direct host pointer to guest RAM, or NULL when @addr is not RAM
 * (MMIO, ram_device, unassigned, or denied).  *plen shrinks to what is
 * contiguous.  address_space_unmap() marks written pages dirty.
 */
void *address_space_map(AddressSpace *as, hwaddr addr, hwaddr *plen,
                        bool is_write, MemTxAttrs attrs);
void address_space_unmap(AddressSpace *as, void *buffer, hwaddr len,
                         bool is_write, hwaddr access_len);

/* Big-endian (guest order) loads and stores; errors read all ones. */
uint8_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs a,
                           MemTxResult *r);
uint16_t address_space_lduw_be(AddressSpace *as, hwaddr addr, MemTxAttrs a,
                               MemTxResult *r);
uint32_t address_space_ldl_be(AddressSpace *as, hwaddr addr, MemTxAttrs a,
                              MemTxResult *r);
uint64_t address_space_ldq_be(AddressSpace *as, hwaddr addr, MemTxAttrs a,
                              MemTxResult *r);
void address_space_stb(AddressSpace *as, hwaddr addr, uint8_t v,
                       MemTxAttrs a, MemTxResult *r);
void address_space_stw_be(AddressSpace *as, hwaddr addr, uint16_t v,
                          MemTxAttrs a, MemTxResult *r);
void address_space_stl_be(AddressSpace *as, hwaddr addr, uint32_t v,
                          MemTxAttrs a, MemTxResult *r);
void address_space_stq_be(AddressSpace *as, hwaddr addr, uint64_t v,
                          MemTxAttrs a, MemTxResult *r);

static inline uint32_t ldl_be_phys(AddressSpace *as, hwaddr addr)
{
    return address_space_ldl_be(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
}
static inline uint64_t ldq_be_phys(AddressSpace *as, hwaddr addr)
{
    return address_space_ldq_be(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
}
static inline void stl_be_phys(AddressSpace *as, hwaddr addr, uint32_t v)
{
    address_space_stl_be(as, addr, v, MEMTXATTRS_UNSPECIFIED, NULL);
}
static inline void stq_be_phys(AddressSpace *as, hwaddr addr, uint64_t v)
{
    address_space_stq_be(as, addr, v, MEMTXATTRS_UNSPECIFIED, NULL);
}

/* ------------------------------------------------------ Dirty logging */

/*
 * Bitmaps of the blocks that are logged (memory-dirty.c).  A block is
 * logged while global dirty logging is on and it is reachable in some
 * address space, or while its region has memory_region_set_log() on.
 * Bit n of rb->dirty_bitmap stands for target page n of the block.
 */
static inline uint64_t ram_block_dirty_pages(const RAMBlock *rb)
{
    return DIV_ROUND_UP(rb->used_length, TARGET_PAGE_SIZE);
}
/*
 * Turn logging of @rb on; @all_dirty sets every page dirty (also when it
 * was on already), else a new bitmap starts clean.  Returns whether it
 * was off before.
 */
bool ram_block_dirty_log_enable(RAMBlock *rb, bool all_dirty);
/* Turn it off and free the bitmap. */
void ram_block_dirty_log_disable(RAMBlock *rb);

/* Slow path of cpu_physical_memory_set_dirty_range(). */
void ram_block_mark_dirty(RAMBlock *rb, uint64_t offset, uint64_t length);

/*
 * Mark [offset, offset + length) of @rb dirty.  The access paths call it
 * on every write; with logging off it costs one predictable branch.
 */
static inline void cpu_physical_memory_set_dirty_range(RAMBlock *rb,
                                                       uint64_t offset,
                                                       uint64_t length)
{
    if (unlikely(rb && rb->dirty_log)) {
        ram_block_mark_dirty(rb, offset, length);
    }
}

#endif
