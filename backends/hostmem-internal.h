/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Between the common backend code and the per-type allocators.
 */
#ifndef BACKENDS_HOSTMEM_INTERNAL_H
#define BACKENDS_HOSTMEM_INTERNAL_H

#include "sysemu/hostmem.h"
#include "exec/ram.h"

/* Each makes the RAM block of @be from its parsed properties. */
RAMBlock *hostmem_ram_alloc(HostMemoryBackend *be, Error **errp);
RAMBlock *hostmem_memfd_alloc(HostMemoryBackend *be, Error **errp);
RAMBlock *hostmem_file_alloc(HostMemoryBackend *be, Error **errp);

#endif
