/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Host memory backends: memory-backend-ram, -memfd and -file.
 *
 * A backend owns one RAM block and the MemoryRegion over it.  It is
 * created from string properties (the -object command line and QMP
 * object-add both end up here) and can be used by one consumer at a
 * time (guest RAM or a DIMM).
 */
#ifndef SYSEMU_HOSTMEM_H
#define SYSEMU_HOSTMEM_H

#include "exec/memory.h"

typedef struct HostMemoryBackend {
    char *id;
    char *type;                 /* "memory-backend-ram", ... */
    uint64_t size;
    bool share;
    bool prealloc;
    bool hugetlb;
    uint64_t hugetlbsize;
    uint64_t align;
    bool discard_data;
    char *mem_path;
    bool readonly;
    MemoryRegion mr;
    bool in_use;                /* mapped by guest RAM or a DIMM */
    char *user;                 /* who has it in use, for messages */
    uint64_t seq;               /* creation order */
    bool merge;                 /* MADV_MERGEABLE (KSM), default on */
    bool dump;                  /* in core dumps, default on */
    bool seal;                  /* memfd: no grow/shrink, default on */
} HostMemoryBackend;

/* Known backend types, NULL-terminated. */
extern const char *const host_memory_backend_types[];
bool host_memory_backend_type_known(const char *type);

/*
 * Create and allocate a backend.  @props maps property names to string
 * values ("size" -> "1G", "share" -> "on"); every key must be known to
 * the type, else an error names it.
 */
HostMemoryBackend *host_memory_backend_create(const char *type,
                                              const char *id,
                                              GHashTable *props,
                                              Error **errp);
/*
 * Fails (and does nothing) while the backend is in use or mapped.
 * Otherwise it leaves the registry at once and is freed when the last
 * reference to its region goes.
 */
bool host_memory_backend_destroy(HostMemoryBackend *be, Error **errp);
HostMemoryBackend *host_memory_backend_find(const char *id);
/* Every backend, in creation order (free the list with g_list_free). */
GList *host_memory_backend_list(void);
MemoryRegion *host_memory_backend_get_memory(HostMemoryBackend *be);
void host_memory_backend_set_in_use(HostMemoryBackend *be, bool in_use);
/* In use by @user (named in errors), or free again when NULL. */
void host_memory_backend_set_user(HostMemoryBackend *be, const char *user);
uint64_t host_memory_backend_pagesize(HostMemoryBackend *be);
/* Property names a type accepts (NULL-terminated), for help output. */
const char *const *host_memory_backend_props(const char *type);

#endif
