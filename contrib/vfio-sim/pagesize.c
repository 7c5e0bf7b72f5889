/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: the simulated host's page size, as the process sees it.
 *
 * A POWER host runs 64 KiB pages: getpagesize() and sysconf(_SC_PAGESIZE)
 * say so, every mapping starts on such a page and covers whole pages
 * (the kernel's do_mmap rounds the length up with PAGE_ALIGN), and
 * MAP_FIXED, munmap and mprotect refuse an address that is not
 * page-aligned with EINVAL (do_mmap, __do_munmap, do_mprotect_pkey check
 * offset_in_page).  On a host with smaller real pages we emulate that
 * with the real calls: reserve a little more, map at the aligned
 * address inside the reservation, give the rest back.
 *
 * The page size is known before the simulator starts (it starts lazily,
 * on the first /dev/vfio access): a program's own mappings made earlier,
 * in constructors or before it touches VFIO, are already on the
 * simulated pages, so they can be unmapped by the same rules later.
 * Mappings libc and the dynamic loader make internally do not come here
 * and keep the real page size; they are freed internally too.
 */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vsim.h"

static atomic_uint sim_shift;       /* 0: not known yet */
static __thread bool resolving;
static bool env_ready;              /* our constructors have started */

static unsigned real_shift(void)
{
    unsigned long sz = getauxval(AT_PAGESZ);

    return sz ? (unsigned)__builtin_ctzl(sz) : 12;
}

/*
 * The "page" item of VFIO_SIM_HOST, read without GLib's error machinery:
 * this runs before GLib's own constructor when another library's
 * constructor maps memory.  config.c validates the whole spec when the
 * simulator starts and refuses a bad one; here a bad value keeps the
 * default.
 */
static unsigned spec_page_shift(const char *spec, unsigned dflt)
{
    const char *it = spec;

    while (it && *it) {
        const char *next = strchr(it, ',');
        size_t n = next ? (size_t)(next - it) : strlen(it);

        /* plain libc: GLib's number parsing may allocate, and so map */
        if (n > 5 && !strncmp(it, "page=", 5)) {
            char *end;
            unsigned long long sz = strtoull(it + 5, &end, 0);

            if (*end == 'k' || *end == 'K') {
                sz <<= 10;
                end++;
            }
            if (end == it + n && (sz == 4096 || sz == 65536)) {
                dflt = __builtin_ctzll(sz);
            }
        }
        it = next ? next + 1 : NULL;
    }
    return dflt;
}

/*
 * The simulated PAGE_SHIFT, as the simulator will have it once started.
 * Safe before any constructor and from any thread.
 */
unsigned vsim_process_page_shift(void)
{
    unsigned s = atomic_load_explicit(&sim_shift, memory_order_acquire);

    if (s) {
        return s;
    }
    if (resolving) {
        return real_shift();
    }
    resolving = true;
    s = spec_page_shift(getenv("VFIO_SIM_HOST"), VSIM_DEFAULT_PAGE_SHIFT);
    resolving = false;
    /*
     * A sanitizer runtime asks for the page size while the dynamic
     * loader still runs, before the environment can be read: such an
     * answer is not kept, or the process would see another page size
     * than the simulated host has.
     */
    if (env_ready) {
        atomic_store_explicit(&sim_shift, s, memory_order_release);
    }
    return s;
}

static void __attribute__((constructor(101))) vsim_pagesize_env_ready(void)
{
    env_ready = true;
}

/* The simulated page size when it is larger than the real one, else 0. */
static uint64_t emulated_page(void)
{
    unsigned s = vsim_process_page_shift();

    return s > real_shift() ? 1ULL << s : 0;
}

int getpagesize(void)
{
    return 1 << vsim_process_page_shift();
}

int __getpagesize(void);
int __getpagesize(void)
{
    return getpagesize();
}

static long (*next_sysconf)(int);

long sysconf(int name)
{
    if (name == _SC_PAGESIZE || name == _SC_PAGE_SIZE) {
        return getpagesize();
    }
    if (!next_sysconf) {
        next_sysconf = dlsym(RTLD_NEXT, "sysconf");
    }
    return next_sysconf(name);
}

long __sysconf(int name);
long __sysconf(int name)
{
    return sysconf(name);
}

static int (*next_munmap)(void *, size_t);
static int (*next_mprotect)(void *, size_t, int);
static void *(*next_mremap)(void *, size_t, size_t, int, ...);

static void *next_cached(void **slot, const char *name)
{
    if (!*slot) {
        *slot = dlsym(RTLD_NEXT, name);
    }
    return *slot;
}

#define NEXT(var, name) ((__typeof__(var))next_cached((void **)&(var), name))

static void *fail(int err)
{
    errno = err;
    return MAP_FAILED;
}

/*
 * mmap(2) with the simulated page size: the length rounded up to whole
 * pages, the offset and a MAP_FIXED address page-aligned (EINVAL), any
 * other placement chosen on a page boundary.  Hugetlb mappings are
 * aligned to their huge page already.
 */
void *vsim_map_pages(void *addr, size_t len, int prot, int flags, int fd,
                     uint64_t off)
{
    uint64_t page = emulated_page(), rlen, total;
    uintptr_t res, a;
    void *p;

    vsim_libc_resolve();
    if (!page || (flags & MAP_HUGETLB)) {
        return vsim_libc.mmap(addr, len, prot, flags, fd, off);
    }
    if (!len || (off & (page - 1))) {
        return fail(EINVAL);
    }
    rlen = VSIM_ROUND_UP((uint64_t)len, page);
    if (rlen < len) {
        return fail(ENOMEM);
    }
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if ((uintptr_t)addr & (page - 1)) {
            return fail(EINVAL);
        }
        return vsim_libc.mmap(addr, rlen, prot, flags, fd, off);
    }
    total = rlen + page - (1ULL << real_shift());
    p = vsim_libc.mmap(NULL, total, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        return p;
    }
    res = (uintptr_t)p;
    a = VSIM_ROUND_UP(res, page);
    p = vsim_libc.mmap((void *)a, rlen, prot, flags | MAP_FIXED, fd, off);
    if (p == MAP_FAILED) {
        int err = errno;

        NEXT(next_munmap, "munmap")((void *)res, total);
        return fail(err);
    }
    if (a > res) {
        NEXT(next_munmap, "munmap")((void *)res, a - res);
    }
    if (res + total > a + rlen) {
        NEXT(next_munmap, "munmap")((void *)(a + rlen),
                                    res + total - (a + rlen));
    }
    return p;
}

/* __do_munmap: a page-aligned start, whole pages. */
int munmap(void *addr, size_t len)
{
    uint64_t page = emulated_page();
    int r;

    if (page) {
        if (((uintptr_t)addr & (page - 1)) || !len) {
            errno = EINVAL;
            return -1;
        }
        len = VSIM_ROUND_UP((uint64_t)len, page);
    }
    if (!vsim_bar_maps_any()) {
        return NEXT(next_munmap, "munmap")(addr, len);
    }
    /* under the lock: no zap may map into the hole meanwhile */
    vsim_lock();
    r = NEXT(next_munmap, "munmap")(addr, len);
    if (r == 0) {
        vsim_bar_maps_forget((uintptr_t)addr, len);
    }
    vsim_unlock();
    return r;
}

/* do_mprotect_pkey: a page-aligned start, the length in whole pages. */
int mprotect(void *addr, size_t len, int prot)
{
    uint64_t page = emulated_page();

    if (page) {
        if ((uintptr_t)addr & (page - 1)) {
            errno = EINVAL;
            return -1;
        }
        len = VSIM_ROUND_UP((uint64_t)len, page);
    }
    return NEXT(next_mprotect, "mprotect")(addr, len, prot);
}

/*
 * mremap(2) as do_mremap checks it: a page-aligned old address (and new
 * one with MREMAP_FIXED), sizes in whole pages; a move lands on a page
 * boundary, which the real call would not promise, so it is made into a
 * MREMAP_FIXED move onto an aligned reservation.
 */
void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
    uint64_t page = emulated_page();
    void *target = NULL, *p, *res;
    va_list ap;

    if (flags & MREMAP_FIXED) {
        va_start(ap, flags);
        target = va_arg(ap, void *);
        va_end(ap);
    }
    NEXT(next_mremap, "mremap");
    if (page) {
        if (((uintptr_t)old & (page - 1)) || !new_len ||
            ((flags & MREMAP_FIXED) && ((uintptr_t)target & (page - 1)))) {
            return fail(EINVAL);
        }
        old_len = VSIM_ROUND_UP((uint64_t)old_len, page);
        new_len = VSIM_ROUND_UP((uint64_t)new_len, page);
    }
    if (!page || (flags & MREMAP_FIXED) || !(flags & MREMAP_MAYMOVE)) {
        p = next_mremap(old, old_len, new_len, flags, target);
    } else {
        p = next_mremap(old, old_len, new_len, flags & ~MREMAP_MAYMOVE);
        if (p == MAP_FAILED) {
            res = vsim_map_pages(NULL, new_len, PROT_NONE,
                                 MAP_PRIVATE | MAP_ANONYMOUS |
                                 MAP_NORESERVE, -1, 0);
            if (res == MAP_FAILED) {
                return res;
            }
            p = next_mremap(old, old_len, new_len, flags | MREMAP_FIXED,
                            res);
            if (p == MAP_FAILED) {
                int err = errno;

                NEXT(next_munmap, "munmap")(res, new_len);
                return fail(err);
            }
        }
    }
    if (p != MAP_FAILED && p != old && vsim_bar_maps_any()) {
        vsim_lock();            /* a moved BAR mapping is not tracked */
        vsim_bar_maps_forget((uintptr_t)old, old_len);
        vsim_unlock();
    }
    return p;
}
