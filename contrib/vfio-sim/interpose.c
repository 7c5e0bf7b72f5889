/*
 * vfio-sim: the libc entry points the simulator interposes.
 *
 * Each wrapper first decides, cheaply and without the lock, whether the
 * path or fd is one of ours; everything else goes to the next definition
 * (libc, or a sanitizer's interceptor) untouched.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
/* We define both the plain and the 64 names: no header remapping. */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vsim.h"
#include "paths.h"

VsimLibc vsim_libc;

static void *next_sym(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);

    if (!p) {
        fprintf(stderr, "vfio-sim: no next definition of %s\n", name);
        abort();
    }
    return p;
}

static pthread_once_t libc_once = PTHREAD_ONCE_INIT;

static void libc_resolve_once(void)
{
    vsim_libc.open = next_sym("open");
    vsim_libc.close = next_sym("close");
    vsim_libc.read = next_sym("read");
    vsim_libc.write = next_sym("write");
    vsim_libc.pread = next_sym("pread64");
    vsim_libc.pwrite = next_sym("pwrite64");
    vsim_libc.mmap = next_sym("mmap64");
    vsim_libc.ioctl = next_sym("ioctl");
    vsim_libc.dup = next_sym("dup");
    vsim_libc.dup3 = next_sym("dup3");
    vsim_libc.fcntl = next_sym("fcntl64");
}

void vsim_libc_resolve(void)
{
    pthread_once(&libc_once, libc_resolve_once);
}

#define NEXT(fn) ({ vsim_libc_resolve(); vsim_libc.fn; })

/* Next definitions of entries only needed on their own path. */
static int (*next_openat)(int, const char *, int, ...);
static int (*next_dup2)(int, int);

static void *next_cached(void **slot, const char *name)
{
    if (!*slot) {
        *slot = next_sym(name);
    }
    return *slot;
}

#define NEXT_SYM(var, name) \
    ((__typeof__(var))next_cached((void **)&(var), name))

static int set_errno(long r)
{
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return r;
}

/* ---- open ---- */

static int open_common(const char *path, int flags, mode_t mode, int dirfd,
                       bool at)
{
    VsimPath p;

    if (vsim_path_classify(path, &p) && p.kind != VSIM_PATH_NONE) {
        return set_errno(vsim_path_open(&p, flags));
    }
    if (at) {
        return NEXT_SYM(next_openat, "openat")(dirfd, path, flags, mode);
    }
    return NEXT(open)(path, flags, mode);
}

#define OPEN_MODE(flags)                                          \
    ({ mode_t m_ = 0;                                             \
       if ((flags) & (O_CREAT | __O_TMPFILE)) {                   \
           va_list ap_; va_start(ap_, flags);                     \
           m_ = va_arg(ap_, mode_t); va_end(ap_);                 \
       }                                                          \
       m_; })

int open(const char *path, int flags, ...)
{
    return open_common(path, flags, OPEN_MODE(flags), AT_FDCWD, false);
}

int open64(const char *path, int flags, ...)
{
    return open_common(path, flags, OPEN_MODE(flags), AT_FDCWD, false);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    return open_common(path, flags, OPEN_MODE(flags), dirfd, true);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    return open_common(path, flags, OPEN_MODE(flags), dirfd, true);
}

/*
 * The fortified open entries: glibc aborts when the flags need a mode
 * the two-argument call cannot carry.  That check stays glibc's: such a
 * call, and every path that is not ours, goes to its own entry.
 */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

static int (*next_open_2)(const char *, int);
static int (*next_open64_2)(const char *, int);
static int (*next_openat_2)(int, const char *, int);
static int (*next_openat64_2)(int, const char *, int);

static bool open_2_ours(const char *path, int flags, VsimPath *p)
{
    return !(flags & (O_CREAT | __O_TMPFILE)) &&
           vsim_path_classify(path, p) && p->kind != VSIM_PATH_NONE;
}

int __open_2(const char *path, int flags)
{
    VsimPath p;

    if (open_2_ours(path, flags, &p)) {
        return set_errno(vsim_path_open(&p, flags));
    }
    return NEXT_SYM(next_open_2, "__open_2")(path, flags);
}

int __open64_2(const char *path, int flags)
{
    VsimPath p;

    if (open_2_ours(path, flags, &p)) {
        return set_errno(vsim_path_open(&p, flags));
    }
    return NEXT_SYM(next_open64_2, "__open64_2")(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags)
{
    VsimPath p;

    if (open_2_ours(path, flags, &p)) {
        return set_errno(vsim_path_open(&p, flags));
    }
    return NEXT_SYM(next_openat_2, "__openat_2")(dirfd, path, flags);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
    VsimPath p;

    if (open_2_ours(path, flags, &p)) {
        return set_errno(vsim_path_open(&p, flags));
    }
    return NEXT_SYM(next_openat64_2, "__openat64_2")(dirfd, path, flags);
}

/* ---- close, dup ---- */

int close(int fd)
{
    if (vsim_file_lookup(fd)) {
        vsim_lock();
        vsim_file_close(fd);
        vsim_unlock();
    }
    return NEXT(close)(fd);
}

/* Release our files among [@first, @last] the kernel just closed. */
static void release_range(unsigned first, unsigned last)
{
    for (unsigned fd = first; fd <= last && fd < (1u << 16); fd++) {
        if (vsim_file_lookup(fd)) {
            vsim_lock();
            vsim_file_close(fd);
            vsim_unlock();
        }
    }
}

static int (*next_close_range)(unsigned, unsigned, int);
static void (*next_closefrom)(int);

/*
 * close_range(2) and closefrom(3) close fds without close(): each of
 * ours in the range is released as its last close would be (the
 * kernel's __close_range puts every file, running its release), else a
 * later unrelated file with the same number would be taken for ours.
 */
int close_range(unsigned first, unsigned last, int flags)
{
    int r = NEXT_SYM(next_close_range, "close_range")(first, last, flags);

    if (r == 0 && !(flags & CLOSE_RANGE_CLOEXEC)) {
        release_range(first, last);
    }
    return r;
}

void closefrom(int lowfd)
{
    NEXT_SYM(next_closefrom, "closefrom")(lowfd);
    release_range(MAX(lowfd, 0), UINT_MAX);
}

int dup(int fd)
{
    int r = NEXT(dup)(fd);

    if (r >= 0 && vsim_file_lookup(fd)) {
        vsim_lock();
        r = set_errno(vsim_file_dup(fd, r));
        vsim_unlock();
    }
    return r;
}

static int dup_to(int oldfd, int newfd, int flags, bool is_dup2)
{
    int r;

    if (is_dup2 && oldfd == newfd) {
        return NEXT_SYM(next_dup2, "dup2")(oldfd, newfd);
    }
    r = NEXT(dup3)(oldfd, newfd, flags);
    if (r >= 0 && (vsim_file_lookup(newfd) || vsim_file_lookup(oldfd))) {
        vsim_lock();
        /* the kernel closed our old @newfd as part of the dup */
        vsim_file_close(newfd);
        r = set_errno(vsim_file_dup(oldfd, r));
        vsim_unlock();
    }
    return r;
}

int dup2(int oldfd, int newfd)
{
    return dup_to(oldfd, newfd, 0, true);
}

int dup3(int oldfd, int newfd, int flags)
{
    return dup_to(oldfd, newfd, flags, false);
}

static int fcntl_common(int fd, int cmd, void *arg)
{
    int r = NEXT(fcntl)(fd, cmd, arg);

    if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) &&
        vsim_file_lookup(fd)) {
        vsim_lock();
        r = set_errno(vsim_file_dup(fd, r));
        vsim_unlock();
    }
    return r;
}

int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, cmd);
    arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_common(fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...);
int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, cmd);
    arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_common(fd, cmd, arg);
}

/* ---- ioctl ---- */

int ioctl(int fd, unsigned long req, ...)
{
    VsimFile *f = vsim_file_lookup(fd);
    va_list ap;
    void *arg;
    long r;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (!f) {
        return NEXT(ioctl)(fd, req, arg);
    }
    vsim_lock();
    f = vsim_file_lookup(fd);       /* closed meanwhile by another thread */
    r = f ? vsim_file_ioctl(f, req, arg) : -EBADF;
    vsim_unlock();
    return set_errno(r);
}

/* ---- read, write ---- */

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    VsimFile *f = vsim_file_lookup(fd);

    if (!f) {
        return NEXT(pread)(fd, buf, n, off);
    }
    return set_errno(vsim_file_pread(fd, buf, n, off));
}

ssize_t pread64(int fd, void *buf, size_t n, off64_t off)
{
    return pread(fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    VsimFile *f = vsim_file_lookup(fd);

    if (!f) {
        return NEXT(pwrite)(fd, buf, n, off);
    }
    return set_errno(vsim_file_pwrite(fd, buf, n, off));
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    return pwrite(fd, buf, n, off);
}

/*
 * read/write on a device fd use the file position, as vfio-pci does; a
 * data_fd is a stream without one.
 */
static ssize_t positioned_rw(int fd, void *buf, size_t n, bool is_write)
{
    off_t pos;
    ssize_t r;

    if (vsim_file_stream_rw(fd, buf, n, is_write, &r)) {
        return set_errno(r);
    }
    pos = lseek(fd, 0, SEEK_CUR);
    r = is_write ? vsim_file_pwrite(fd, buf, n, pos)
                 : vsim_file_pread(fd, buf, n, pos);

    if (r > 0) {
        lseek(fd, pos + r, SEEK_SET);
    }
    return set_errno(r);
}

ssize_t read(int fd, void *buf, size_t n)
{
    if (!vsim_file_lookup(fd)) {
        return NEXT(read)(fd, buf, n);
    }
    return positioned_rw(fd, buf, n, false);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (!vsim_file_lookup(fd)) {
        return NEXT(write)(fd, buf, n);
    }
    return positioned_rw(fd, (void *)buf, n, true);
}

/*
 * The fortified read entries (-D_FORTIFY_SOURCE with a buffer of known
 * size): glibc's contract is to abort in __chk_fail when the caller asks
 * for more than the buffer holds, before any byte moves.  Our fds get
 * that same check; other fds go to glibc's own entry.
 */
extern void __chk_fail(void) __attribute__((noreturn));

ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off,
                      size_t buflen);

static ssize_t (*next_read_chk)(int, void *, size_t, size_t);
static ssize_t (*next_pread_chk)(int, void *, size_t, off_t, size_t);
static ssize_t (*next_pread64_chk)(int, void *, size_t, off64_t, size_t);

ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
    if (!vsim_file_lookup(fd)) {
        return NEXT_SYM(next_read_chk, "__read_chk")(fd, buf, n, buflen);
    }
    if (n > buflen) {
        __chk_fail();
    }
    return positioned_rw(fd, buf, n, false);
}

ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
    if (!vsim_file_lookup(fd)) {
        return NEXT_SYM(next_pread_chk, "__pread_chk")(fd, buf, n, off,
                                                       buflen);
    }
    if (n > buflen) {
        __chk_fail();
    }
    return set_errno(vsim_file_pread(fd, buf, n, off));
}

ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off,
                      size_t buflen)
{
    if (!vsim_file_lookup(fd)) {
        return NEXT_SYM(next_pread64_chk, "__pread64_chk")(fd, buf, n, off,
                                                           buflen);
    }
    if (n > buflen) {
        __chk_fail();
    }
    return set_errno(vsim_file_pread(fd, buf, n, off));
}

/* ---- mmap ---- */

/* Not ours: mapped on the simulated page size (pagesize.c). */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *p;

    if (!(flags & MAP_ANONYMOUS) && vsim_file_lookup(fd)) {
        return vsim_file_mmap(fd, addr, len, prot, flags, off);
    }
    p = vsim_map_pages(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED && (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) &&
        vsim_bar_maps_any()) {
        /* replaced a BAR mapping: it is not the BAR any more */
        vsim_lock();
        vsim_bar_maps_forget((uintptr_t)p, len);
        vsim_unlock();
    }
    return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
             off64_t off)
{
    return mmap(addr, len, prot, flags, fd, off);
}
