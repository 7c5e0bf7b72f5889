/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * memory-backend-memfd: a memfd, shared by default, optionally of huge
 * pages (hugetlb, hugetlbsize) and sealed against resizing (seal).
 */
#include "qemu/osdep.h"
#include "backends/hostmem-internal.h"

RAMBlock *hostmem_memfd_alloc(HostMemoryBackend *be, Error **errp)
{
    RAMBlockParams p = {
        .name = be->id,
        .size = be->size,
        .share = be->share,
        .prealloc = be->prealloc,
    };
    RAMBlock *rb;

    p.fd = qemu_memfd_create(be->id, be->size, be->hugetlb,
                             be->hugetlbsize, be->seal, errp);
    if (p.fd < 0) {
        error_prepend(errp, "memory-backend-memfd '%s': ", be->id);
        return NULL;
    }
    rb = qemu_ram_alloc(&p, errp);
    if (!rb) {
        close(p.fd);
    }
    return rb;
}
