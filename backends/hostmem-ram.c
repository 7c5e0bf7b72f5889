/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * memory-backend-ram: anonymous memory.  With share=on the memory lives
 * in a memfd mapped MAP_SHARED, so that a second mapping (another
 * process given the fd, or vhost-user style consumers) sees the same
 * pages; plain MAP_SHARED|MAP_ANONYMOUS could not be mapped twice.
 */
#include "qemu/osdep.h"
#include "backends/hostmem-internal.h"

RAMBlock *hostmem_ram_alloc(HostMemoryBackend *be, Error **errp)
{
    RAMBlockParams p = {
        .name = be->id,
        .size = be->size,
        .share = be->share,
        .prealloc = be->prealloc,
        .fd = -1,
    };
    RAMBlock *rb;

    if (be->share) {
        p.fd = qemu_memfd_create(be->id, be->size, false, 0, false, errp);
        if (p.fd < 0) {
            return NULL;
        }
    }
    rb = qemu_ram_alloc(&p, errp);
    if (!rb && p.fd >= 0) {
        close(p.fd);
    }
    return rb;
}
