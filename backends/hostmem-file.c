/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * memory-backend-file: memory mapped from a file (mem-path).  A
 * directory (typically a hugetlbfs mount) gets a fresh unlinked file;
 * a character device such as device-DAX is mapped as it is, aligned to
 * 'align'; a regular file is grown to the backend size when shorter.
 */
#include "qemu/osdep.h"
#include "backends/hostmem-internal.h"

#include <fcntl.h>
#include <sys/stat.h>

/* A temporary file in @dir that disappears when the mapping goes. */
static int open_in_dir(HostMemoryBackend *be, Error **errp)
{
    g_autofree char *path = NULL;
    int fd;

    if (be->readonly) {
        error_setg(errp, "memory-backend-file '%s': readonly=on needs a "
                   "file, but mem-path '%s' is a directory", be->id,
                   be->mem_path);
        return -1;
    }
    path = g_strdup_printf("%s/spapr-vfio-mem.XXXXXX", be->mem_path);
    fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "mkostemp in '%s' for memory "
                         "backend '%s' failed", be->mem_path, be->id);
        return -1;
    }
    unlink(path);
    return fd;
}

/* Opens @be->mem_path; *created tells whether this call made it. */
static int open_file(HostMemoryBackend *be, bool *created, Error **errp)
{
    int flags = (be->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    int fd;

    *created = false;
    fd = open(be->mem_path, flags);
    if (fd < 0 && errno == ENOENT && !be->readonly) {
        fd = open(be->mem_path, flags | O_CREAT | O_EXCL, 0600);
        *created = fd >= 0;
    }
    if (fd < 0) {
        error_setg_errno(errp, errno, "open of mem-path '%s' for memory "
                         "backend '%s' failed", be->mem_path, be->id);
    }
    return fd;
}

/* A regular file shorter than the backend is grown (unless read-only). */
static bool size_file(HostMemoryBackend *be, int fd, Error **errp)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        error_setg_errno(errp, errno, "fstat of mem-path '%s' failed",
                         be->mem_path);
        return false;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size >= be->size) {
        return true;
    }
    /*
     * With readonly=on, or a size the file system cannot take (not a
     * multiple of its page size), leave the file alone and let
     * qemu_ram_alloc() name the problem.
     */
    if (be->readonly ||
        !QEMU_IS_ALIGNED(be->size, qemu_fd_getpagesize(fd))) {
        return true;
    }
    if (ftruncate(fd, be->size) != 0) {
        error_setg_errno(errp, errno, "ftruncate of mem-path '%s' to %"
                         PRIu64 " bytes failed", be->mem_path, be->size);
        return false;
    }
    return true;
}

RAMBlock *hostmem_file_alloc(HostMemoryBackend *be, Error **errp)
{
    RAMBlockParams p = {
        .name = be->id,
        .size = be->size,
        .align = be->align,
        .share = be->share,
        .prealloc = be->prealloc,
        .mem_path = be->mem_path,
        .readonly = be->readonly,
    };
    bool created = false;
    struct stat st;
    RAMBlock *rb;

    if (!be->mem_path || !*be->mem_path) {
        error_setg(errp, "memory-backend-file '%s': property 'mem-path' is "
                   "required", be->id);
        return NULL;
    }
    if (stat(be->mem_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        p.fd = open_in_dir(be, errp);
    } else {
        p.fd = open_file(be, &created, errp);
    }
    if (p.fd < 0) {
        return NULL;
    }
    if (!size_file(be, p.fd, errp)) {
        rb = NULL;
    } else {
        rb = qemu_ram_alloc(&p, errp);
    }
    if (!rb) {
        close(p.fd);
        if (created) {
            unlink(be->mem_path);
        }
    }
    return rb;
}
