/*
 * vfio-sim: copying ioctl arguments across the ABI boundary.
 *
 * The kernel answers EFAULT for an argument it cannot read or write; a
 * plain memcpy in user space would crash instead.  process_vm_readv/writev
 * on our own pid reports unmapped memory as EFAULT, which is exactly the
 * kernel's copy_from_user/copy_to_user contract.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "vsim.h"

static int vm_copy(void *dst, const void *src, size_t len, bool to_user)
{
    struct iovec local, remote;
    ssize_t n;

    if (!len) {
        return 0;
    }
    if (!src || !dst) {
        return -EFAULT;
    }
    local.iov_base = to_user ? (void *)src : dst;
    local.iov_len = len;
    remote.iov_base = to_user ? dst : (void *)src;
    remote.iov_len = len;
    n = to_user ? process_vm_writev(getpid(), &local, 1, &remote, 1, 0)
                : process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (n == (ssize_t)len) {
        return 0;
    }
    if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
        /* No cross-memory syscalls (seccomp, old kernel): trust the
         * caller as a plain library call would. */
        memcpy(dst, src, len);
        return 0;
    }
    return -EFAULT;
}

int vsim_copy_from_user(void *dst, const void *src, size_t len)
{
    return vm_copy(dst, src, len, false);
}

int vsim_copy_to_user(void *dst, const void *src, size_t len)
{
    return vm_copy(dst, src, len, true);
}
