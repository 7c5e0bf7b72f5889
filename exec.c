/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RAM blocks and guest memory access.
 *
 * The first half of this file makes RAM blocks: host mappings (anonymous,
 * shared anonymous or of a file descriptor) that back RAM regions, each
 * knowing the page size of what backs it.  The second half walks address
 * spaces: a lookup in the rendered FlatView (binary search), through IOMMU
 * regions into their target address spaces, down to a terminating region
 * that is then read or written the way its kind demands.
 */
#include "qemu/osdep.h"
#include "exec/ram.h"
#include "qemu/error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif

/* Every live RAM block, in creation order. */
static GPtrArray *ram_blocks;

/* ============================================================ RAM blocks */

uint64_t qemu_fd_getpagesize(int fd)
{
    struct statfs fs;
    int ret;

    do {
        ret = fstatfs(fd, &fs);
    } while (ret != 0 && errno == EINTR);

    /* Only hugetlbfs changes the page size of a mapping. */
    if (ret == 0 && fs.f_type == HUGETLBFS_MAGIC) {
        return fs.f_bsize;
    }
    return qemu_real_host_page_size();
}

static char *size_hex(uint64_t v)
{
    return g_strdup_printf("0x%" PRIx64, v);
}

/*
 * Fault every page in.  MADV_POPULATE_* reports a failure (no huge page
 * left, file hole that cannot be filled) as an error instead of the
 * SIGBUS that touching the memory would raise; older kernels lack it and
 * get the touching fallback.
 */
static bool ram_prealloc(void *host, uint64_t size, uint64_t page_size,
                         bool writable, const char *name, Error **errp)
{
    int advice = writable ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
    volatile uint8_t *p = host;
    uint64_t off;

    if (madvise(host, size, advice) == 0) {
        return true;
    }
    if (errno != EINVAL) {
        error_setg_errno(errp, errno,
                         "preallocating %" PRIu64 " bytes of RAM block "
                         "'%s' failed: madvise(MADV_POPULATE_%s)",
                         size, name, writable ? "WRITE" : "READ");
        return false;
    }
    for (off = 0; off < size; off += page_size) {
        if (writable) {
            p[off] = p[off];
        } else {
            (void)p[off];
        }
    }
    return true;
}

/*
 * Reserve @size + @align bytes of address space and return the aligned
 * start inside it, with the unused head and tail given back.  The real
 * mapping is then placed there with MAP_FIXED.
 */
static void *ram_reserve_aligned(uint64_t size, uint64_t align,
                                 const char *name, Error **errp)
{
    uint64_t total = size + align;
    uint8_t *base, *start;
    uint64_t head, tail;

    base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
                MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        error_setg_errno(errp, errno,
                         "mmap reserving %" PRIu64 " bytes for RAM block "
                         "'%s' failed", total, name);
        return NULL;
    }
    start = (uint8_t *)QEMU_ALIGN_UP((uintptr_t)base, align);
    head = start - base;
    tail = total - head - size;
    if (head) {
        munmap(base, head);
    }
    if (tail) {
        munmap(start + size, tail);
    }
    return start;
}

static bool ram_check_params(const RAMBlockParams *p, uint64_t page_size,
                             uint64_t align, Error **errp)
{
    const char *name = p->name ? p->name : "(unnamed)";
    g_autofree char *ps = size_hex(page_size);

    if (!p->size) {
        error_setg(errp, "RAM block '%s': size must not be zero", name);
        return false;
    }
    if (!QEMU_IS_ALIGNED(p->size, page_size)) {
        g_autofree char *sz = size_hex(p->size);
        error_setg(errp, "RAM block '%s': size %s is not a multiple of "
                   "the backing page size %s", name, sz, ps);
        return false;
    }
    if (!is_power_of_2(align) || !QEMU_IS_ALIGNED(align, page_size)) {
        g_autofree char *al = size_hex(align);
        error_setg(errp, "RAM block '%s': align %s is not a power of two "
                   "multiple of the backing page size %s", name, al, ps);
        return false;
    }
    if (p->fd >= 0 && !QEMU_IS_ALIGNED(p->fd_offset, page_size)) {
        g_autofree char *off = size_hex(p->fd_offset);
        error_setg(errp, "RAM block '%s': file offset %s is not a multiple "
                   "of the backing page size %s", name, off, ps);
        return false;
    }
    return true;
}

/* A regular file shorter than the mapping would SIGBUS on access. */
static bool ram_check_file_size(const RAMBlockParams *p, Error **errp)
{
    struct stat st;

    if (fstat(p->fd, &st) != 0) {
        error_setg_errno(errp, errno, "fstat of '%s' failed",
                         p->mem_path ? p->mem_path : "(fd)");
        return false;
    }
    if (S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size < p->fd_offset + p->size) {
        error_setg(errp, "file '%s' has %" PRIu64 " bytes, less than the "
                   "%" PRIu64 " bytes of RAM block '%s'",
                   p->mem_path ? p->mem_path : "(fd)",
                   (uint64_t)st.st_size, p->fd_offset + p->size,
                   p->name ? p->name : "(unnamed)");
        return false;
    }
    return true;
}

static void ram_block_register(RAMBlock *rb)
{
    if (!ram_blocks) {
        ram_blocks = g_ptr_array_new();
    }
    g_ptr_array_add(ram_blocks, rb);
}

RAMBlock *qemu_ram_alloc(const RAMBlockParams *p, Error **errp)
{
    const char *name = p->name ? p->name : "(unnamed)";
    uint64_t page_size, align;
    bool shared = p->share;
    int prot = PROT_READ | (p->readonly ? 0 : PROT_WRITE);
    int flags;
    void *where, *host;
    RAMBlock *rb;

    if (p->fd < 0 && p->hugetlb) {
        /* Anonymous huge pages come from a hugetlb memfd. */
        RAMBlockParams fp = *p;

        fp.fd = qemu_memfd_create(name, p->size, true, p->hugetlbsize,
                                  false, errp);
        if (fp.fd < 0) {
            return NULL;
        }
        fp.fd_offset = 0;
        rb = qemu_ram_alloc(&fp, errp);
        if (!rb) {
            close(fp.fd);
        }
        return rb;
    }
    if (p->fd >= 0) {
        page_size = qemu_fd_getpagesize(p->fd);
    } else {
        page_size = qemu_real_host_page_size();
    }
    align = p->align ? p->align : page_size;
    if (!ram_check_params(p, page_size, align, errp)) {
        return NULL;
    }
    if (p->fd >= 0 && !ram_check_file_size(p, errp)) {
        return NULL;
    }
    if (p->size > UINT64_MAX - align) {
        error_setg(errp, "RAM block '%s': size %" PRIu64 " too large",
                   name, p->size);
        return NULL;
    }

    where = ram_reserve_aligned(p->size, align, name, errp);
    if (!where) {
        return NULL;
    }
    flags = MAP_FIXED | (shared ? MAP_SHARED : MAP_PRIVATE);
    if (p->fd < 0) {
        flags |= MAP_ANONYMOUS;
    }
    host = mmap(where, p->size, prot, flags, p->fd,
                p->fd >= 0 ? (off_t)p->fd_offset : 0);
    if (host == MAP_FAILED) {
        int err = errno;

        munmap(where, p->size);
        if (page_size > qemu_real_host_page_size()) {
            /* The usual cause: the host's huge page pool is empty. */
            error_setg(errp, "mmap of %" PRIu64 " bytes for RAM block "
                       "'%s' failed: %s; are there enough free %" PRIu64
                       " KiB huge pages (HugePages_Free in /proc/meminfo)?",
                       p->size, name, g_strerror(err), page_size >> 10);
        } else {
            error_setg_errno(errp, err, "mmap of %" PRIu64 " bytes for "
                             "RAM block '%s'%s%s failed", p->size, name,
                             p->mem_path ? " from " : "",
                             p->mem_path ? p->mem_path : "");
        }
        return NULL;
    }
    if (p->prealloc &&
        !ram_prealloc(host, p->size, page_size, !p->readonly, name, errp)) {
        munmap(host, p->size);
        return NULL;
    }

    rb = g_new0(RAMBlock, 1);
    rb->idstr = g_strdup(name);
    rb->host = host;
    rb->used_length = p->size;
    rb->page_size = page_size;
    rb->align = align;
    rb->fd = p->fd;
    rb->fd_offset = p->fd >= 0 ? p->fd_offset : 0;
    rb->flags = (shared ? RAM_SHARED : 0) |
                (page_size > qemu_real_host_page_size() ? RAM_HUGETLB : 0) |
                (p->readonly ? RAM_READONLY : 0);
    rb->map_base = host;
    rb->map_length = p->size;
    ram_block_register(rb);
    return rb;
}

RAMBlock *qemu_ram_alloc_from_ptr(const char *name, uint64_t size,
                                  void *host)
{
    RAMBlock *rb = g_new0(RAMBlock, 1);

    rb->idstr = g_strdup(name ? name : "(unnamed)");
    rb->host = host;
    rb->used_length = size;
    rb->page_size = qemu_real_host_page_size();
    rb->align = 1;
    rb->fd = -1;
    rb->flags = RAM_PREALLOC;
    ram_block_register(rb);
    return rb;
}

void qemu_ram_free(RAMBlock *rb)
{
    if (!rb) {
        return;
    }
    g_ptr_array_remove(ram_blocks, rb);
    if (!(rb->flags & RAM_PREALLOC) && rb->map_base) {
        munmap(rb->map_base, rb->map_length);
    }
    if (rb->fd >= 0) {
        close(rb->fd);
    }
    ram_block_dirty_log_disable(rb);
    g_free(rb->idstr);
    g_free(rb);
}

RAMBlock *qemu_ram_block_from_host(void *host, uint64_t *offset)
{
    uint8_t *p = host;
    guint i;

    for (i = 0; ram_blocks && i < ram_blocks->len; i++) {
        RAMBlock *rb = g_ptr_array_index(ram_blocks, i);

        if (p >= rb->host && p - rb->host < (ptrdiff_t)rb->used_length) {
            if (offset) {
                *offset = p - rb->host;
            }
            return rb;
        }
    }
    return NULL;
}

int qemu_ram_foreach_block(int (*fn)(RAMBlock *rb, void *opaque),
                           void *opaque)
{
    guint i;
    int ret;

    /* Walk a copy: @fn may free the block it is given. */
    g_autoptr(GPtrArray) copy = g_ptr_array_new();

    for (i = 0; ram_blocks && i < ram_blocks->len; i++) {
        g_ptr_array_add(copy, g_ptr_array_index(ram_blocks, i));
    }
    for (i = 0; i < copy->len; i++) {
        ret = fn(g_ptr_array_index(copy, i), opaque);
        if (ret) {
            return ret;
        }
    }
    return 0;
}

int qemu_memfd_create(const char *name, uint64_t size, bool hugetlb,
                      uint64_t hugetlbsize, bool seal, Error **errp)
{
    unsigned int flags = MFD_CLOEXEC | (seal ? MFD_ALLOW_SEALING : 0);
    int fd;

    if (hugetlb) {
        flags |= MFD_HUGETLB;
        if (hugetlbsize) {
            if (!is_power_of_2(hugetlbsize)) {
                error_setg(errp, "hugetlbsize %" PRIu64 " is not a power "
                           "of two", hugetlbsize);
                return -1;
            }
            flags |= (unsigned)__builtin_ctzll(hugetlbsize) << MFD_HUGE_SHIFT;
        }
    } else if (hugetlbsize) {
        error_setg(errp, "hugetlbsize needs hugetlb=on");
        return -1;
    }
    fd = memfd_create(name, flags);
    if (fd < 0) {
        error_setg_errno(errp, errno, "memfd_create('%s'%s) failed", name,
                         hugetlb ? ", MFD_HUGETLB" : "");
        return -1;
    }
    if (hugetlb && !QEMU_IS_ALIGNED(size, qemu_fd_getpagesize(fd))) {
        error_setg(errp, "memfd '%s': size 0x%" PRIx64 " is not a multiple "
                   "of the backing page size 0x%" PRIx64, name, size,
                   qemu_fd_getpagesize(fd));
        close(fd);
        return -1;
    }
    if (ftruncate(fd, size) != 0) {
        error_setg_errno(errp, errno, "ftruncate of memfd '%s' to %"
                         PRIu64 " bytes failed", name, size);
        close(fd);
        return -1;
    }
    if (seal && fcntl(fd, F_ADD_SEALS,
                      F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0) {
        error_setg_errno(errp, errno, "fcntl(F_ADD_SEALS) on memfd '%s' "
                         "failed", name);
        close(fd);
        return -1;
    }
    return fd;
}

/* ======================================================= Address lookup */

static MemoryRegion unassigned_mr;

static uint64_t unassigned_read(void *opaque, hwaddr addr, unsigned size)
{
    return UINT64_MAX;
}

static void unassigned_write(void *opaque, hwaddr addr, uint64_t data,
                             unsigned size)
{
}

static const MemoryRegionOps unassigned_ops = {
    .read = unassigned_read,
    .write = unassigned_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid.max_access_size = 8,
    .valid.unaligned = true,
};

MemoryRegion *exec_unassigned_region(void)
{
    /* Never freed: the one reference is the file's own. */
    if (!unassigned_mr.name) {
        memory_region_init_io(&unassigned_mr, NULL, &unassigned_ops, NULL,
                              "unassigned", UINT64_MAX);
    }
    return &unassigned_mr;
}

/*
 * The range of @fv containing @addr, or NULL with *gap_end set to where
 * the next range starts (2^64 when none does).  Ranges are sorted and
 * disjoint, so a binary search on their start is enough.
 */
static const FlatRange *flatview_find_range(const FlatView *fv,
                                            hwaddr addr,
                                            Int128 *gap_end)
{
    Int128 a = int128_make64(addr);
    unsigned lo = 0, hi = fv ? fv->nr : 0;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;

        if (fv->ranges[mid].start <= a) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    /* ranges[lo - 1] is the last one starting at or below @addr. */
    if (lo > 0) {
        const FlatRange *fr = &fv->ranges[lo - 1];

        if (a < fr->start + fr->size) {
            return fr;
        }
    }
    *gap_end = fv && lo < fv->nr ? fv->ranges[lo].start : int128_2_64();
    return NULL;
}

typedef struct Xlat {
    MemoryRegion *mr;
    hwaddr offset;          /* inside mr */
    hwaddr len;             /* contiguous bytes from offset */
    bool readonly;          /* the range is mapped read-only */
    MemTxResult result;     /* DECODE or ACCESS error, else OK */
} Xlat;

static hwaddr clip_len(hwaddr len, Int128 avail)
{
    return avail < int128_make64(len) ? (hwaddr)avail : len;
}

static Xlat exec_translate(AddressSpace *as, hwaddr addr, hwaddr len,
                           bool is_write)
{
    IOMMUAccessFlags want = is_write ? IOMMU_WO : IOMMU_RO;
    Xlat x = { .len = len };

    for (;;) {
        FlatView *fv = address_space_to_flatview(as);
        Int128 gap_end;
        const FlatRange *fr = flatview_find_range(fv, addr, &gap_end);
        IOMMUMemoryRegion *iommu;
        IOMMUTLBEntry e;

        if (!fr) {
            x.mr = exec_unassigned_region();
            x.offset = addr;
            x.len = clip_len(x.len, gap_end - int128_make64(addr));
            x.result = MEMTX_DECODE_ERROR;
            return x;
        }
        x.mr = fr->mr;
        x.offset = fr->offset_in_region + (addr - (hwaddr)fr->start);
        x.len = clip_len(x.len, fr->start + fr->size - int128_make64(addr));
        x.readonly = fr->readonly;
        if (!memory_region_is_iommu(x.mr)) {
            return x;
        }

        iommu = memory_region_get_iommu(x.mr);
        e = memory_region_iommu_translate(iommu, x.offset, want, 0);
        /* Never cross the IOMMU page: the next one maps elsewhere. */
        x.len = clip_len(x.len, int128_make64(x.offset | e.addr_mask) -
                         int128_make64(x.offset) + 1);
        if ((e.perm & want) != want || !e.target_as) {
            x.mr = exec_unassigned_region();
            x.offset = addr;
            x.readonly = false;
            x.result = MEMTX_ACCESS_ERROR;
            return x;
        }
        addr = (e.translated_addr & ~e.addr_mask) |
               (x.offset & e.addr_mask);
        as = e.target_as;
    }
}

MemoryRegion *address_space_translate_full(AddressSpace *as, hwaddr addr,
                                           hwaddr *xlat, hwaddr *plen,
                                           bool is_write, MemTxAttrs attrs,
                                           MemTxResult *result)
{
    Xlat x = exec_translate(as, addr, *plen, is_write);

    *xlat = x.offset;
    *plen = x.len;
    if (result) {
        *result = x.result;
    }
    return x.mr;
}

MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr,
                                      hwaddr *xlat, hwaddr *plen,
                                      bool is_write, MemTxAttrs attrs)
{
    return address_space_translate_full(as, addr, xlat, plen, is_write,
                                        attrs, NULL);
}

/* ============================================================== Access */

static RamDeviceAccessHook ram_device_hook;
static void *ram_device_hook_opaque;

void ram_device_set_access_hook(RamDeviceAccessHook hook, void *opaque)
{
    ram_device_hook = hook;
    ram_device_hook_opaque = opaque;
}

static uint64_t ldn_be(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < size; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void stn_be(uint8_t *p, unsigned size, uint64_t v)
{
    unsigned i;

    for (i = size; i > 0; i--) {
        p[i - 1] = v;
        v >>= 8;
    }
}

/* Largest power of two not above @v (v > 0). */
static hwaddr pow2_floor(hwaddr v)
{
    return (hwaddr)1 << (63 - __builtin_clzll(v));
}

/*
 * Size of the next MMIO access: at most the region's largest valid
 * access, naturally aligned unless the region accepts unaligned ones.
 */
static unsigned mmio_access_size(MemoryRegion *mr, hwaddr addr, hwaddr len)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned max = ops && ops->valid.max_access_size ?
                   ops->valid.max_access_size : 4;
    hwaddr l = MIN(len, (hwaddr)max);

    if (!(ops && ops->valid.unaligned) && addr) {
        l = MIN(l, addr & -addr);
    }
    return pow2_floor(l);
}

static bool mmio_access_ok(MemoryRegion *mr, hwaddr addr, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned min = ops && ops->valid.min_access_size ?
                   ops->valid.min_access_size : 1;

    if (size < min) {
        return false;
    }
    return (ops && ops->valid.unaligned) || QEMU_IS_ALIGNED(addr, size);
}

static MemTxResult mmio_rw(MemoryRegion *mr, hwaddr addr, uint8_t *buf,
                           hwaddr len, bool is_write, MemTxAttrs attrs)
{
    MemTxResult r = MEMTX_OK;

    while (len) {
        unsigned size = mmio_access_size(mr, addr, len);

        if (is_write) {
            r |= memory_region_dispatch_write(mr, addr, ldn_be(buf, size),
                                              size, attrs);
        } else {
            uint64_t v = UINT64_MAX;

            r |= memory_region_dispatch_read(mr, addr, &v, size, attrs);
            stn_be(buf, size, v);
        }
        addr += size;
        buf += size;
        len -= size;
    }
    return r;
}

/*
 * Device memory may not tolerate the byte loops or wide vector moves of
 * memcpy: every access is one load or store of the natural width the
 * alignment allows.  Byte order is memory order, as with memcpy.
 */
static void ram_device_rw(MemoryRegion *mr, hwaddr offset, uint8_t *buf,
                          hwaddr len, bool is_write)
{
    uint8_t *host = (uint8_t *)memory_region_get_ram_ptr(mr) + offset;

    while (len) {
        unsigned size = 8;

        while (size > len || ((uintptr_t)host & (size - 1))) {
            size >>= 1;
        }
        if (ram_device_hook) {
            ram_device_hook(mr, offset, size, is_write,
                            ram_device_hook_opaque);
        }
        switch (size) {
        case 8: {
            uint64_t v;
            if (is_write) {
                memcpy(&v, buf, 8);
                *(volatile uint64_t *)host = v;
            } else {
                v = *(volatile uint64_t *)host;
                memcpy(buf, &v, 8);
            }
            break;
        }
        case 4: {
            uint32_t v;
            if (is_write) {
                memcpy(&v, buf, 4);
                *(volatile uint32_t *)host = v;
            } else {
                v = *(volatile uint32_t *)host;
                memcpy(buf, &v, 4);
            }
            break;
        }
        case 2: {
            uint16_t v;
            if (is_write) {
                memcpy(&v, buf, 2);
                *(volatile uint16_t *)host = v;
            } else {
                v = *(volatile uint16_t *)host;
                memcpy(buf, &v, 2);
            }
            break;
        }
        default:
            if (is_write) {
                *(volatile uint8_t *)host = *buf;
            } else {
                *buf = *(volatile uint8_t *)host;
            }
            break;
        }
        host += size;
        buf += size;
        offset += size;
        len -= size;
    }
}

static void ram_rw(MemoryRegion *mr, hwaddr offset, uint8_t *buf,
                   hwaddr len, bool is_write)
{
    uint8_t *host = (uint8_t *)memory_region_get_ram_ptr(mr) + offset;

    if (is_write) {
        RAMBlock *rb = mr->ram_block;

        memcpy(host, buf, len);
        if (rb) {
            cpu_physical_memory_set_dirty_range(rb, host - rb->host, len);
        }
    } else {
        memcpy(buf, host, len);
    }
}

/* Is @mr's content host memory that plain loads and stores may touch? */
static bool is_plain_ram(MemoryRegion *mr)
{
    return memory_region_is_ram(mr) && !memory_region_is_ram_device(mr);
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr,
                             MemTxAttrs attrs, void *buf, hwaddr len,
                             bool is_write)
{
    uint8_t *p = buf;
    MemTxResult r = MEMTX_OK;

    while (len) {
        Xlat x = exec_translate(as, addr, len, is_write);

        if (x.result != MEMTX_OK) {
            /* Unassigned or denied: reads see all ones, writes vanish. */
            if (!is_write) {
                memset(p, 0xff, x.len);
            }
            r |= x.result;
        } else if (memory_region_is_ram_device(x.mr)) {
            if (!(is_write && x.readonly)) {
                ram_device_rw(x.mr, x.offset, p, x.len, is_write);
            }
        } else if (is_plain_ram(x.mr) && !(is_write && x.mr->rom_device)) {
            /* Writes to ROM and read-only RAM are dropped silently. */
            if (!(is_write && (x.readonly || x.mr->readonly))) {
                ram_rw(x.mr, x.offset, p, x.len, is_write);
            }
        } else {
            r |= mmio_rw(x.mr, x.offset, p, x.len, is_write, attrs);
        }
        addr += x.len;
        p += x.len;
        len -= x.len;
    }
    return r;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, void *buf, hwaddr len)
{
    return address_space_rw(as, addr, attrs, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                MemTxAttrs attrs, const void *buf,
                                hwaddr len)
{
    /* The write path only reads from the buffer. */
    return address_space_rw(as, addr, attrs, (void *)buf, len, true);
}

MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              hwaddr len, MemTxAttrs attrs)
{
    uint8_t fill[512];
    MemTxResult r = MEMTX_OK;

    memset(fill, c, sizeof(fill));
    while (len) {
        hwaddr l = MIN(len, (hwaddr)sizeof(fill));

        r |= address_space_write(as, addr, attrs, fill, l);
        addr += l;
        len -= l;
    }
    return r;
}

bool address_space_access_valid(AddressSpace *as, hwaddr addr, hwaddr len,
                                bool is_write, MemTxAttrs attrs)
{
    while (len) {
        Xlat x = exec_translate(as, addr, len, is_write);

        if (x.result != MEMTX_OK) {
            return false;
        }
        if (!memory_region_is_ram(x.mr) || (is_write && x.mr->rom_device)) {
            hwaddr off = x.offset, l = x.len;

            while (l) {
                unsigned size = mmio_access_size(x.mr, off, l);

                if (!mmio_access_ok(x.mr, off, size)) {
                    return false;
                }
                off += size;
                l -= size;
            }
        }
        addr += x.len;
        len -= x.len;
    }
    return true;
}

void *address_space_map(AddressSpace *as, hwaddr addr, hwaddr *plen,
                        bool is_write, MemTxAttrs attrs)
{
    Xlat x;

    if (!*plen) {
        return NULL;
    }
    x = exec_translate(as, addr, *plen, is_write);
    /* No bounce buffers: only memory that can be touched directly. */
    if (x.result != MEMTX_OK || !is_plain_ram(x.mr) ||
        (is_write && (x.readonly || x.mr->readonly || x.mr->rom_device))) {
        *plen = 0;
        return NULL;
    }
    *plen = x.len;
    return (uint8_t *)memory_region_get_ram_ptr(x.mr) + x.offset;
}

void address_space_unmap(AddressSpace *as, void *buffer, hwaddr len,
                         bool is_write, hwaddr access_len)
{
    uint64_t offset;
    RAMBlock *rb;

    if (!buffer || !is_write || !access_len) {
        return;
    }
    rb = qemu_ram_block_from_host(buffer, &offset);
    if (rb) {
        cpu_physical_memory_set_dirty_range(rb, offset,
                                            MIN(access_len, len));
    }
}

/* ------------------------------------------------ Load/store helpers */

static uint64_t ld_be(AddressSpace *as, hwaddr addr, unsigned size,
                      MemTxAttrs attrs, MemTxResult *result)
{
    uint8_t b[8];
    MemTxResult r = address_space_read(as, addr, attrs, b, size);

    if (result) {
        *result = r;
    }
    if (r != MEMTX_OK) {
        return UINT64_MAX >> (64 - 8 * size);
    }
    return ldn_be(b, size);
}

static void st_be(AddressSpace *as, hwaddr addr, unsigned size, uint64_t v,
                  MemTxAttrs attrs, MemTxResult *result)
{
    uint8_t b[8];
    MemTxResult r;

    stn_be(b, size, v);
    r = address_space_write(as, addr, attrs, b, size);
    if (result) {
        *result = r;
    }
}

uint8_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs a,
                           MemTxResult *r)
{
    return ld_be(as, addr, 1, a, r);
}

uint16_t address_space_lduw_be(AddressSpace *as, hwaddr addr, MemTxAttrs a,
                               MemTxResult *r)
{
    return ld_be(as, addr, 2, a, r);
}

uint32_t address_space_ldl_be(AddressSpace *as, hwaddr addr, MemTxAttrs a,
                              MemTxResult *r)
{
    return ld_be(as, addr, 4, a, r);
}

uint64_t address_space_ldq_be(AddressSpace *as, hwaddr addr, MemTxAttrs a,
                              MemTxResult *r)
{
    return ld_be(as, addr, 8, a, r);
}

void address_space_stb(AddressSpace *as, hwaddr addr, uint8_t v,
                       MemTxAttrs a, MemTxResult *r)
{
    st_be(as, addr, 1, v, a, r);
}

void address_space_stw_be(AddressSpace *as, hwaddr addr, uint16_t v,
                          MemTxAttrs a, MemTxResult *r)
{
    st_be(as, addr, 2, v, a, r);
}

void address_space_stl_be(AddressSpace *as, hwaddr addr, uint32_t v,
                          MemTxAttrs a, MemTxResult *r)
{
    st_be(as, addr, 4, v, a, r);
}

void address_space_stq_be(AddressSpace *as, hwaddr addr, uint64_t v,
                          MemTxAttrs a, MemTxResult *r)
{
    st_be(as, addr, 8, v, a, r);
}
