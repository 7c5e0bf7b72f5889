/*
 * vfio-sim: which file descriptors are ours.
 *
 * Each container, group or device file is a real kernel fd (a memfd), so
 * numbering, close-on-exec, dup and poll behave as the kernel's would; a
 * table indexed by fd says what it stands for.  Lookups are lock-free so
 * that read()/write() on the program's other fds stay cheap.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vsim.h"

#define VSIM_MAX_FD 65536

static VsimFile *_Atomic fd_table[VSIM_MAX_FD];

VsimFile *vsim_file_lookup(int fd)
{
    if (fd < 0 || fd >= VSIM_MAX_FD) {
        return NULL;
    }
    return atomic_load_explicit(&fd_table[fd], memory_order_acquire);
}

static void file_get(VsimFile *f)
{
    switch (f->kind) {
    case VSIM_FILE_CONTAINER:
        f->container->refs++;
        break;
    case VSIM_FILE_GROUP:
        f->group->fd_refs++;
        break;
    case VSIM_FILE_DEVICE:
        f->device->fd_refs++;
        f->device->group->dev_refs++;
        break;
    case VSIM_FILE_MIG:
        vsim_mig_file_get(f->mig);
        break;
    }
}

/* Drop the reference @f holds: the kernel's release() of the file. */
void vsim_file_release(VsimFile *f)
{
    switch (f->kind) {
    case VSIM_FILE_CONTAINER:
        vsim_container_unref(f->container);
        break;
    case VSIM_FILE_GROUP:
        f->group->fd_refs--;
        vsim_group_put(f->group);
        break;
    case VSIM_FILE_DEVICE:
        vsim_device_close(f->device);
        break;
    case VSIM_FILE_MIG:
        vsim_mig_file_put(f->mig);
        break;
    }
    g_free(f);
}

static int file_set(int fd, VsimFileKind kind, void *obj)
{
    VsimFile *f;

    if (fd >= VSIM_MAX_FD) {
        vsim_libc.close(fd);
        return -EMFILE;
    }
    f = g_new0(VsimFile, 1);
    f->kind = kind;
    f->container = obj;        /* union: any member */
    file_get(f);
    atomic_store_explicit(&fd_table[fd], f, memory_order_release);
    return fd;
}

/* Called with the lock held; returns the new fd or -errno. */
int vsim_file_install(VsimFileKind kind, void *obj, int flags)
{
    static const char *names[] = {
        [VSIM_FILE_CONTAINER] = "vfio-sim-container",
        [VSIM_FILE_GROUP] = "vfio-sim-group",
        [VSIM_FILE_DEVICE] = "vfio-sim-device",
        [VSIM_FILE_MIG] = "vfio-sim-mig-data",
    };
    int fd = memfd_create(names[kind], flags & O_CLOEXEC ? MFD_CLOEXEC : 0);

    if (fd < 0) {
        return -errno;
    }
    return file_set(fd, kind, obj);
}

/* @newfd is a fresh duplicate of our @oldfd: share its object. */
int vsim_file_dup(int oldfd, int newfd)
{
    VsimFile *f = vsim_file_lookup(oldfd);

    if (!f || newfd < 0) {
        return newfd;
    }
    return file_set(newfd, f->kind, f->container);
}

/* Forget @fd if it is ours (the caller closes the kernel fd). */
bool vsim_file_close(int fd)
{
    VsimFile *f;

    if (fd < 0 || fd >= VSIM_MAX_FD) {
        return false;
    }
    f = atomic_exchange_explicit(&fd_table[fd], NULL, memory_order_acq_rel);
    if (!f) {
        return false;
    }
    vsim_file_release(f);
    return true;
}

/* ---- operations on our fds, by kind ---- */

/* Called with the lock held. */
long vsim_file_ioctl(VsimFile *f, unsigned long req, void *arg)
{
    VsimIoctlId id = vsim_ioctl_id(req, f->kind);
    VsimCounter *cnt = &vsim.counters[id];
    long r;

    cnt->calls++;
    r = vsim_fault_check(id);
    if (!r) {
        switch (f->kind) {
        case VSIM_FILE_CONTAINER:
            r = vsim_container_ioctl(f->container, req, arg);
            break;
        case VSIM_FILE_GROUP:
            r = vsim_group_ioctl(f->group, req, arg);
            break;
        case VSIM_FILE_DEVICE:
            r = vsim_device_ioctl(f->device, req, arg);
            break;
        case VSIM_FILE_MIG:
            r = vsim_mig_file_ioctl(f->mig, req, arg);
            break;
        }
    }
    if (r < 0) {
        cnt->errors++;
    }
    return r;
}

/* pread/pwrite on a simulator fd: only device fds have regions. */
static ssize_t file_rw(int fd, void *buf, size_t n, uint64_t off,
                       bool is_write)
{
    VsimFile *f;
    ssize_t r = -EINVAL;

    vsim_lock();
    f = vsim_file_lookup(fd);
    if (!f) {
        r = -EBADF;
    } else if (f->kind == VSIM_FILE_DEVICE) {
        r = is_write ? vsim_device_pwrite(f->device, buf, n, off)
                     : vsim_device_pread(f->device, buf, n, off);
    } else if (f->kind == VSIM_FILE_MIG) {
        /*
         * The data_fd is a stream (stream_open clears FMODE_PREAD and
         * FMODE_PWRITE): ksys_pread64 and ksys_pwrite64 refuse it with
         * ESPIPE before looking at the access mode.
         */
        r = -ESPIPE;
    }
    vsim_unlock();
    return r;
}

/* read/write on a data_fd: the stream, no file position. */
bool vsim_file_stream_rw(int fd, void *buf, size_t n, bool is_write,
                         ssize_t *r)
{
    VsimFile *f;
    bool stream;

    vsim_lock();
    f = vsim_file_lookup(fd);
    stream = f && f->kind == VSIM_FILE_MIG;
    if (stream) {
        *r = vsim_mig_file_rw(f->mig, buf, n, is_write);
    }
    vsim_unlock();
    return stream;
}

ssize_t vsim_file_pread(int fd, void *buf, size_t n, uint64_t off)
{
    return file_rw(fd, buf, n, off, false);
}

ssize_t vsim_file_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
    return file_rw(fd, (void *)buf, n, off, true);
}

void *vsim_file_mmap(int fd, void *addr, size_t len, int prot, int flags,
                     uint64_t off)
{
    VsimFile *f;
    void *r = MAP_FAILED;

    vsim_lock();
    f = vsim_file_lookup(fd);
    if (f && f->kind == VSIM_FILE_DEVICE) {
        r = vsim_device_mmap(f->device, addr, len, prot, flags, off);
    } else {
        errno = f ? ENODEV : EBADF;
    }
    vsim_unlock();
    return r;
}
