/*
 * vfio-sim: interposed path queries (stat family, access, readlink,
 * realpath) for /dev/vfio and the configured devices' sysfs entries.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vsim.h"
#include "paths.h"

/* On 64-bit Linux the two structures are one layout. */
G_STATIC_ASSERT(sizeof(struct stat) == sizeof(struct stat64));

static void *next_cached(void **slot, const char *name)
{
    if (!*slot) {
        *slot = dlsym(RTLD_NEXT, name);
    }
    return *slot;
}

#define NEXT(var, name) ((__typeof__(var))next_cached((void **)&(var), name))

static int (*next_stat)(const char *, struct stat *);
static int (*next_lstat)(const char *, struct stat *);
static int (*next_fstat)(int, struct stat *);
static int (*next_fstatat)(int, const char *, struct stat *, int);
static int (*next_access)(const char *, int);
static int (*next_faccessat)(int, const char *, int, int);
static ssize_t (*next_readlink)(const char *, char *, size_t);
static ssize_t (*next_readlinkat)(int, const char *, char *, size_t);
static char *(*next_realpath)(const char *, char *);

static int ret_errno(int r)
{
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return r;
}

static bool ours(const char *path, VsimPath *p)
{
    return path && path[0] == '/' && vsim_path_classify(path, p) &&
           p->kind != VSIM_PATH_NONE;
}

int stat(const char *path, struct stat *st)
{
    VsimPath p;

    if (ours(path, &p)) {
        return ret_errno(vsim_path_stat(&p, st, true));
    }
    return NEXT(next_stat, "stat")(path, st);
}

int lstat(const char *path, struct stat *st)
{
    VsimPath p;

    if (ours(path, &p)) {
        return ret_errno(vsim_path_stat(&p, st, false));
    }
    return NEXT(next_lstat, "lstat")(path, st);
}

int fstat(int fd, struct stat *st)
{
    if (vsim_file_lookup(fd)) {
        vsim_lock();
        vsim_fd_stat(fd, st);
        vsim_unlock();
        return 0;
    }
    return NEXT(next_fstat, "fstat")(fd, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
    VsimPath p;

    if (ours(path, &p)) {
        return ret_errno(vsim_path_stat(&p, st,
                                        !(flags & AT_SYMLINK_NOFOLLOW)));
    }
    if (!*path && (flags & AT_EMPTY_PATH) && vsim_file_lookup(dirfd)) {
        return fstat(dirfd, st);
    }
    return NEXT(next_fstatat, "fstatat")(dirfd, path, st, flags);
}

int stat64(const char *path, struct stat64 *st)
{
    return stat(path, (struct stat *)st);
}

int lstat64(const char *path, struct stat64 *st)
{
    return lstat(path, (struct stat *)st);
}

int fstat64(int fd, struct stat64 *st)
{
    return fstat(fd, (struct stat *)st);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
    return fstatat(dirfd, path, (struct stat *)st, flags);
}

int access(const char *path, int mode)
{
    VsimPath p;
    struct stat st;

    if (ours(path, &p)) {
        return ret_errno(vsim_path_stat(&p, &st, true));
    }
    return NEXT(next_access, "access")(path, mode);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
    VsimPath p;
    struct stat st;

    if (ours(path, &p)) {
        return ret_errno(vsim_path_stat(&p, &st,
                                        !(flags & AT_SYMLINK_NOFOLLOW)));
    }
    return NEXT(next_faccessat, "faccessat")(dirfd, path, mode, flags);
}

static ssize_t link_of(const VsimPath *p, char *buf, size_t len)
{
    g_autofree char *target = vsim_path_link(p, false);
    size_t n;

    if (!target) {
        return ret_errno(p->kind == VSIM_PATH_MISSING ? -ENOENT : -EINVAL);
    }
    n = MIN(strlen(target), len);   /* readlink(2) truncates silently */
    memcpy(buf, target, n);
    return n;
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
    VsimPath p;

    if (ours(path, &p)) {
        return link_of(&p, buf, len);
    }
    return NEXT(next_readlink, "readlink")(path, buf, len);
}

ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
    VsimPath p;

    if (ours(path, &p)) {
        return link_of(&p, buf, len);
    }
    return NEXT(next_readlinkat, "readlinkat")(dirfd, path, buf, len);
}

/*
 * Fortified entries: glibc aborts in __chk_fail when @len exceeds the
 * buffer (@buflen), or when realpath's buffer is shorter than PATH_MAX.
 * Our paths keep that check; others go to glibc's own entry.
 */
extern void __chk_fail(void) __attribute__((noreturn));

static ssize_t (*next_readlink_chk)(const char *, char *, size_t, size_t);
static ssize_t (*next_readlinkat_chk)(int, const char *, char *, size_t,
                                      size_t);
static char *(*next_realpath_chk)(const char *, char *, size_t);

ssize_t __readlink_chk(const char *path, char *buf, size_t len,
                       size_t buflen);
ssize_t __readlink_chk(const char *path, char *buf, size_t len,
                       size_t buflen)
{
    VsimPath p;

    if (!ours(path, &p)) {
        return NEXT(next_readlink_chk, "__readlink_chk")(path, buf, len,
                                                         buflen);
    }
    if (len > buflen) {
        __chk_fail();
    }
    return link_of(&p, buf, len);
}

ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf,
                         size_t len, size_t buflen);
ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf,
                         size_t len, size_t buflen)
{
    VsimPath p;

    if (!ours(path, &p)) {
        return NEXT(next_readlinkat_chk, "__readlinkat_chk")(dirfd, path,
                                                             buf, len,
                                                             buflen);
    }
    if (len > buflen) {
        __chk_fail();
    }
    return link_of(&p, buf, len);
}

char *realpath(const char *path, char *resolved)
{
    VsimPath p;
    g_autofree char *abs = NULL;
    size_t n;

    if (!ours(path, &p)) {
        return NEXT(next_realpath, "realpath")(path, resolved);
    }
    if (p.kind == VSIM_PATH_MISSING) {
        errno = ENOENT;
        return NULL;
    }
    abs = vsim_path_link(&p, true);
    if (!abs) {
        abs = g_strdup(path);   /* already canonical */
    }
    n = strlen(abs) + 1;
    if (!resolved) {
        /* the caller free()s it: not GLib's allocator */
        resolved = malloc(n);
        if (!resolved) {
            errno = ENOMEM;
            return NULL;
        }
    } else if (n > PATH_MAX) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    memcpy(resolved, abs, n);
    return resolved;
}

char *__realpath_chk(const char *path, char *resolved, size_t len);
char *__realpath_chk(const char *path, char *resolved, size_t len)
{
    VsimPath p;

    if (!ours(path, &p)) {
        return NEXT(next_realpath_chk, "__realpath_chk")(path, resolved,
                                                         len);
    }
    if (len < PATH_MAX) {
        __chk_fail();
    }
    return realpath(path, resolved);
}
