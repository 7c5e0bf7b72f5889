/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Host memory backends: the common part (properties, registry, the
 * region over the RAM block, destruction).  How each type gets its
 * memory is in hostmem-ram.c, hostmem-memfd.c and hostmem-file.c.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "backends/hostmem-internal.h"

#include <sys/mman.h>

const char *const host_memory_backend_types[] = {
    "memory-backend-ram",
    "memory-backend-memfd",
    "memory-backend-file",
    NULL,
};

static const char *const ram_props[] = {
    "size", "prealloc", "share", "merge", "dump", NULL,
};
static const char *const memfd_props[] = {
    "size", "prealloc", "share", "merge", "dump",
    "hugetlb", "hugetlbsize", "seal", NULL,
};
static const char *const file_props[] = {
    "size", "prealloc", "share", "merge", "dump",
    "mem-path", "align", "readonly", "discard-data", NULL,
};

/*
 * Every backend by id; each remembers when it was made, for listing in
 * creation order.  A hash table keeps object-add/-del and device_add of
 * a DIMM independent of how many backends exist.
 */
static GHashTable *backends;
static uint64_t backend_seq;

const char *const *host_memory_backend_props(const char *type)
{
    if (!g_strcmp0(type, "memory-backend-ram")) {
        return ram_props;
    }
    if (!g_strcmp0(type, "memory-backend-memfd")) {
        return memfd_props;
    }
    if (!g_strcmp0(type, "memory-backend-file")) {
        return file_props;
    }
    return NULL;
}

bool host_memory_backend_type_known(const char *type)
{
    return host_memory_backend_props(type) != NULL;
}

static bool parse_bool_prop(const char *key, const char *val, bool *out,
                            Error **errp)
{
    if (!qemu_parse_bool(val, out)) {
        error_setg(errp, "property '%s' expects on/off, not '%s'", key,
                   val);
        return false;
    }
    return true;
}

static bool parse_size_prop(const char *key, const char *val,
                            uint64_t *out, Error **errp)
{
    if (qemu_strtosz(val, out) < 0) {
        error_setg(errp, "property '%s' expects a size, not '%s'", key,
                   val);
        return false;
    }
    return true;
}

static bool set_prop(HostMemoryBackend *be, const char *key,
                     const char *val, Error **errp)
{
    if (!strcmp(key, "size")) {
        return parse_size_prop(key, val, &be->size, errp);
    } else if (!strcmp(key, "prealloc")) {
        return parse_bool_prop(key, val, &be->prealloc, errp);
    } else if (!strcmp(key, "share")) {
        return parse_bool_prop(key, val, &be->share, errp);
    } else if (!strcmp(key, "merge")) {
        return parse_bool_prop(key, val, &be->merge, errp);
    } else if (!strcmp(key, "dump")) {
        return parse_bool_prop(key, val, &be->dump, errp);
    } else if (!strcmp(key, "hugetlb")) {
        return parse_bool_prop(key, val, &be->hugetlb, errp);
    } else if (!strcmp(key, "hugetlbsize")) {
        return parse_size_prop(key, val, &be->hugetlbsize, errp);
    } else if (!strcmp(key, "seal")) {
        return parse_bool_prop(key, val, &be->seal, errp);
    } else if (!strcmp(key, "mem-path")) {
        g_free(be->mem_path);
        be->mem_path = g_strdup(val);
        return true;
    } else if (!strcmp(key, "align")) {
        return parse_size_prop(key, val, &be->align, errp);
    } else if (!strcmp(key, "readonly")) {
        return parse_bool_prop(key, val, &be->readonly, errp);
    } else if (!strcmp(key, "discard-data")) {
        return parse_bool_prop(key, val, &be->discard_data, errp);
    }
    g_assert_not_reached();
}

/*
 * Apply @props in name order, so that with several bad keys the error
 * is the same from run to run.
 */
static bool set_props(HostMemoryBackend *be, GHashTable *props,
                      Error **errp)
{
    const char *const *known = host_memory_backend_props(be->type);
    g_autoptr(GList) keys = NULL;
    GList *l;

    if (!props) {
        return true;
    }
    keys = g_list_sort(g_hash_table_get_keys(props),
                       (GCompareFunc)strcmp);
    for (l = keys; l; l = l->next) {
        const char *key = l->data;

        if (!g_strv_contains(known, key)) {
            error_setg(errp, "property '%s' is not known to %s", key,
                       be->type);
            return false;
        }
        if (!set_prop(be, key, g_hash_table_lookup(props, key), errp)) {
            error_prepend(errp, "%s '%s': ", be->type, be->id);
            return false;
        }
    }
    return true;
}

static void host_memory_backend_free(HostMemoryBackend *be)
{
    g_free(be->id);
    g_free(be->type);
    g_free(be->mem_path);
    g_free(be->user);
    g_free(be);
}

/* The region's last reference is gone: the RAM block already is too. */
static void host_memory_backend_release(MemoryRegion *mr)
{
    host_memory_backend_free(container_of(mr, HostMemoryBackend, mr));
}

/* Hints about the memory; the host may refuse them without harm. */
static bool apply_madvise(HostMemoryBackend *be, RAMBlock *rb, Error **errp)
{
    if (be->merge) {
        /* EINVAL: the host kernel has no KSM, nothing to merge with. */
        if (madvise(rb->host, rb->used_length, MADV_MERGEABLE) != 0 &&
            errno != EINVAL) {
            error_setg_errno(errp, errno, "madvise(MADV_MERGEABLE) on "
                             "memory backend '%s' failed", be->id);
            return false;
        }
    }
    if (!be->dump &&
        madvise(rb->host, rb->used_length, MADV_DONTDUMP) != 0) {
        error_setg_errno(errp, errno, "madvise(MADV_DONTDUMP) on memory "
                         "backend '%s' failed", be->id);
        return false;
    }
    return true;
}

HostMemoryBackend *host_memory_backend_create(const char *type,
                                              const char *id,
                                              GHashTable *props,
                                              Error **errp)
{
    HostMemoryBackend *be;
    RAMBlock *rb = NULL;

    if (!host_memory_backend_type_known(type)) {
        error_setg(errp, "unknown memory backend type '%s'",
                   type ? type : "(null)");
        return NULL;
    }
    if (!id || !*id) {
        error_setg(errp, "%s needs an id", type);
        return NULL;
    }
    if (host_memory_backend_find(id)) {
        error_setg(errp, "a memory backend with id '%s' already exists", id);
        return NULL;
    }

    be = g_new0(HostMemoryBackend, 1);
    be->id = g_strdup(id);
    be->type = g_strdup(type);
    be->merge = true;
    be->dump = true;
    if (!strcmp(type, "memory-backend-memfd")) {
        /* A memfd exists to be shared: that is its default. */
        be->share = true;
        be->seal = true;
    }
    if (!set_props(be, props, errp)) {
        goto fail;
    }
    if (!be->size) {
        error_setg(errp, "%s '%s': property 'size' is required and must "
                   "not be zero", type, id);
        goto fail;
    }

    if (!strcmp(type, "memory-backend-ram")) {
        rb = hostmem_ram_alloc(be, errp);
    } else if (!strcmp(type, "memory-backend-memfd")) {
        rb = hostmem_memfd_alloc(be, errp);
    } else {
        rb = hostmem_file_alloc(be, errp);
    }
    if (!rb) {
        goto fail;
    }
    if (!apply_madvise(be, rb, errp)) {
        qemu_ram_free(rb);
        goto fail;
    }

    memory_region_init_ram_from_block(&be->mr, id, id, rb);
    if (be->readonly) {
        memory_region_set_readonly(&be->mr, true);
    }
    be->mr.release = host_memory_backend_release;
    if (!backends) {
        backends = g_hash_table_new(g_str_hash, g_str_equal);
    }
    be->seq = backend_seq++;
    g_hash_table_insert(backends, be->id, be);
    return be;

fail:
    host_memory_backend_free(be);
    return NULL;
}

bool host_memory_backend_destroy(HostMemoryBackend *be, Error **errp)
{
    RAMBlock *rb = be->mr.ram_block;

    if (be->in_use || memory_region_is_mapped(&be->mr)) {
        error_setg(errp, "memory backend '%s' is in use%s%s", be->id,
                   be->user ? " by " : "", be->user ? be->user : "");
        return false;
    }
    g_hash_table_remove(backends, be->id);
    if (!g_hash_table_size(backends)) {
        g_clear_pointer(&backends, g_hash_table_destroy);
    }
    if (be->discard_data && rb && (rb->flags & RAM_SHARED)) {
        /* The file's content is not wanted any more: drop it now. */
        madvise(rb->host, rb->used_length, MADV_REMOVE);
    }
    /* Frees @be through the release callback once nothing holds it. */
    memory_region_unref(&be->mr);
    return true;
}

HostMemoryBackend *host_memory_backend_find(const char *id)
{
    return backends && id ? g_hash_table_lookup(backends, id) : NULL;
}

static gint backend_seq_cmp(gconstpointer a, gconstpointer b)
{
    const HostMemoryBackend *x = a, *y = b;

    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

GList *host_memory_backend_list(void)
{
    return backends ? g_list_sort(g_hash_table_get_values(backends),
                                  backend_seq_cmp) : NULL;
}

MemoryRegion *host_memory_backend_get_memory(HostMemoryBackend *be)
{
    return &be->mr;
}

void host_memory_backend_set_in_use(HostMemoryBackend *be, bool in_use)
{
    be->in_use = in_use;
    if (!in_use) {
        g_clear_pointer(&be->user, g_free);
    }
}

void host_memory_backend_set_user(HostMemoryBackend *be, const char *user)
{
    g_free(be->user);
    be->user = g_strdup(user);
    be->in_use = user != NULL;
}

uint64_t host_memory_backend_pagesize(HostMemoryBackend *be)
{
    return be->mr.ram_block ? be->mr.ram_block->page_size
                            : qemu_real_host_page_size();
}
