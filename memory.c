/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Memory regions, transactions, flat views and listeners.
 *
 * Rendering: a region tree is turned into a FlatView by visiting
 * subregions from the highest priority (and, among equals, the most
 * recently added) down and letting each one fill only the gaps that are
 * still empty; a terminating region then fills what is left of its own
 * extent.  So whatever is visited first wins where regions overlap.
 *
 * Updates: every topology change marks the world dirty; at the
 * outermost transaction commit each address space's view is rendered
 * again (once per distinct root) and listeners are told the difference.
 * The common hot-add case is cheaper: when the transaction's only change
 * is one subregion added or removed where nothing else shows, the views
 * that contain it are patched in place and listeners see only that
 * region's ranges (memory-update.c).
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/ram.h"
#include "memory-internal.h"
#include "trace.h"

static unsigned transaction_depth;
static bool update_pending;
GPtrArray *address_spaces;          /* AddressSpace *, creation order */

static PendingChange pending;

static MemoryRegion system_memory;
AddressSpace address_space_memory;

/* ------------------------------------------------------------ Regions */

static void memory_region_mark_update(void)
{
    update_pending = true;
    pending.count++;
}

static void memory_region_mark_subregion(MemoryRegion *container,
                                         MemoryRegion *sub, bool adding)
{
    if (!pending.count) {
        memory_region_ref(container);
        memory_region_ref(sub);
        pending.container = container;
        pending.sub = sub;
        pending.adding = adding;
    }
    memory_region_mark_update();
}

static void mr_init_common(MemoryRegion *mr, MemoryRegionKind kind,
                           const char *owner, const char *name,
                           uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->kind = kind;
    mr->name = g_strdup(name ? name : "anonymous");
    mr->owner = g_strdup(owner);
    mr->size = int128_from_size(size);
    mr->refcount = 1;
    mr->enabled = true;
    mr->terminates = kind != MR_CONTAINER && kind != MR_ALIAS;
    mr->subregions = g_ptr_array_new();
    trace_memory_region_init(mr->name, (int)kind, size);
}

void memory_region_init(MemoryRegion *mr, const char *owner,
                        const char *name, uint64_t size)
{
    mr_init_common(mr, MR_CONTAINER, owner, name, size);
}

static uint64_t unassigned_read(void *opaque, hwaddr addr, unsigned size)
{
    return ~0ULL;
}

static void unassigned_write(void *opaque, hwaddr addr, uint64_t data,
                             unsigned size)
{
}

static const MemoryRegionOps unassigned_ops = {
    .read = unassigned_read,
    .write = unassigned_write,
    .valid = { .min_access_size = 1, .max_access_size = 8,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 8,
              .unaligned = true },
};

void memory_region_init_io(MemoryRegion *mr, const char *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    mr_init_common(mr, MR_IO, owner, name, size);
    mr->ops = ops ? ops : &unassigned_ops;
    mr->opaque = opaque;
}

void memory_region_init_ram_from_block(MemoryRegion *mr, const char *owner,
                                       const char *name, RAMBlock *rb)
{
    mr_init_common(mr, MR_RAM, owner, name, rb->used_length);
    mr->ram_block = rb;
    rb->mr = mr;
}

bool memory_region_init_ram(MemoryRegion *mr, const char *owner,
                            const char *name, uint64_t size, Error **errp)
{
    RAMBlockParams p = { .name = name, .size = size, .fd = -1 };
    RAMBlock *rb = qemu_ram_alloc(&p, errp);

    if (!rb) {
        return false;
    }
    memory_region_init_ram_from_block(mr, owner, name, rb);
    return true;
}

void memory_region_init_ram_ptr(MemoryRegion *mr, const char *owner,
                                const char *name, uint64_t size, void *ptr)
{
    memory_region_init_ram_from_block(mr, owner, name,
                                      qemu_ram_alloc_from_ptr(name, size,
                                                              ptr));
}

bool memory_region_init_rom(MemoryRegion *mr, const char *owner,
                            const char *name, uint64_t size, Error **errp)
{
    if (!memory_region_init_ram(mr, owner, name, size, errp)) {
        return false;
    }
    mr->readonly = true;
    return true;
}

void memory_region_init_ram_device_ptr(MemoryRegion *mr, const char *owner,
                                       const char *name, uint64_t size,
                                       void *ptr)
{
    mr_init_common(mr, MR_RAM_DEVICE, owner, name, size);
    mr->ram_ptr = ptr;
}

void memory_region_init_alias(MemoryRegion *mr, const char *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size)
{
    mr_init_common(mr, MR_ALIAS, owner, name, size);
    memory_region_ref(orig);
    /* Its target's subtree now shows in more places (see update_one). */
    orig->alias_users++;
    mr->alias = orig;
    mr->alias_offset = offset;
}

void memory_region_init_iommu(IOMMUMemoryRegion *iommu_mr,
                              const char *owner,
                              const IOMMUMemoryRegionOps *ops, void *opaque,
                              const char *name, uint64_t size)
{
    mr_init_common(&iommu_mr->parent_obj, MR_IOMMU, owner, name, size);
    iommu_mr->ops = ops;
    iommu_mr->opaque = opaque;
    iommu_mr->notifiers = NULL;
    iommu_mr->notify_flags = IOMMU_NOTIFIER_NONE;
}

void memory_region_ref(MemoryRegion *mr)
{
    assert(mr->refcount > 0);
    mr->refcount++;
}

static void memory_region_finalize(MemoryRegion *mr)
{
    /* Subregions left in a dying container are dropped with it. */
    memory_region_transaction_begin();
    while (mr->subregions->len) {
        memory_region_del_subregion(mr, g_ptr_array_index(mr->subregions,
                                                          0));
    }
    memory_region_transaction_commit();
    g_ptr_array_free(mr->subregions, TRUE);
    mr->subregions = NULL;
    if (mr->alias) {
        mr->alias->alias_users--;
        memory_region_unref(mr->alias);
        mr->alias = NULL;
    }
    if (mr->ram_block) {
        qemu_ram_free(mr->ram_block);
        mr->ram_block = NULL;
    }
    trace_memory_region_finalize(mr->name);
    g_free(mr->name);
    g_free(mr->owner);
    mr->name = NULL;
    mr->owner = NULL;
    mr->destroyed = true;
}

void memory_region_unref(MemoryRegion *mr)
{
    if (!mr) {
        return;
    }
    assert(mr->refcount > 0);
    if (--mr->refcount == 0) {
        assert(!mr->container);
        memory_region_finalize(mr);
        if (mr->release) {
            mr->release(mr);
        }
    }
}

/* Siblings sorted so that rendering visits the winner first. */
static bool subregion_before(const MemoryRegion *a, const MemoryRegion *b)
{
    if (a->priority != b->priority) {
        return a->priority > b->priority;
    }
    return a->seq > b->seq;
}

static void memory_region_add_subregion_common(MemoryRegion *mr,
                                               hwaddr offset,
                                               MemoryRegion *sub)
{
    unsigned i;

    assert(!sub->container);
    assert(sub != mr);
    memory_region_ref(sub);
    sub->container = mr;
    sub->addr = offset;
    sub->seq = ++mr->next_seq;
    for (i = 0; i < mr->subregions->len; i++) {
        if (subregion_before(sub, g_ptr_array_index(mr->subregions, i))) {
            break;
        }
    }
    g_ptr_array_insert(mr->subregions, i, sub);
    trace_memory_region_add_subregion(mr->name, sub->name, offset,
                                      sub->priority);
    memory_region_transaction_begin();
    memory_region_mark_subregion(mr, sub, true);
    memory_region_transaction_commit();
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion)
{
    subregion->priority = 0;
    memory_region_add_subregion_common(mr, offset, subregion);
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority)
{
    subregion->priority = priority;
    memory_region_add_subregion_common(mr, offset, subregion);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion)
{
    assert(subregion->container == mr);
    trace_memory_region_del_subregion(mr->name, subregion->name);
    memory_region_transaction_begin();
    memory_region_mark_subregion(mr, subregion, false);
    g_ptr_array_remove(mr->subregions, subregion);
    subregion->container = NULL;
    memory_region_transaction_commit();
    /* The old view (and listeners' sections) were dropped at commit. */
    memory_region_unref(subregion);
}

static void memory_region_changed(MemoryRegion *mr)
{
    memory_region_transaction_begin();
    memory_region_mark_update();
    memory_region_transaction_commit();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        memory_region_changed(mr);
    }
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    if (mr->addr != addr) {
        mr->addr = addr;
        memory_region_changed(mr);
    }
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    Int128 s = int128_from_size(size);

    if (!int128_eq(mr->size, s)) {
        mr->size = s;
        memory_region_changed(mr);
    }
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    assert(mr->alias);
    if (mr->alias_offset != offset) {
        mr->alias_offset = offset;
        memory_region_changed(mr);
    }
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly != readonly) {
        mr->readonly = readonly;
        memory_region_changed(mr);
    }
}

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return int128_get64_sat(mr->size);
}

bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr->kind == MR_RAM || mr->kind == MR_RAM_DEVICE;
}

bool memory_region_is_ram_device(const MemoryRegion *mr)
{
    return mr->kind == MR_RAM_DEVICE;
}

bool memory_region_is_rom(const MemoryRegion *mr)
{
    return mr->kind == MR_RAM && mr->readonly;
}

bool memory_region_is_iommu(const MemoryRegion *mr)
{
    return mr->kind == MR_IOMMU;
}

IOMMUMemoryRegion *memory_region_get_iommu(MemoryRegion *mr)
{
    while (mr->alias) {
        mr = mr->alias;
    }
    if (mr->kind != MR_IOMMU) {
        return NULL;
    }
    return container_of(mr, IOMMUMemoryRegion, parent_obj);
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    hwaddr offset = 0;

    while (mr->alias) {
        offset += mr->alias_offset;
        mr = mr->alias;
    }
    if (mr->kind == MR_RAM) {
        return (uint8_t *)mr->ram_block->host + offset;
    }
    if (mr->kind == MR_RAM_DEVICE) {
        return (uint8_t *)mr->ram_ptr + offset;
    }
    return NULL;
}

RAMBlock *memory_region_get_ram_block(MemoryRegion *mr)
{
    while (mr->alias) {
        mr = mr->alias;
    }
    return mr->ram_block;
}

uint64_t memory_region_host_page_size(MemoryRegion *mr)
{
    RAMBlock *rb = memory_region_get_ram_block(mr);

    return rb ? rb->page_size : qemu_real_host_page_size();
}

/* ------------------------------------------------------------ Rendering */

void flatview_insert(FlatView *fv, unsigned pos, const FlatRange *fr)
{
    if (fv->nr == fv->nr_allocated) {
        fv->nr_allocated = MAX(16, fv->nr_allocated * 2);
        fv->ranges = g_renew(FlatRange, fv->ranges, fv->nr_allocated);
    }
    memmove(fv->ranges + pos + 1, fv->ranges + pos,
            (fv->nr - pos) * sizeof(FlatRange));
    fv->ranges[pos] = *fr;
    fv->nr++;
}

/* Index of the first range that ends after @addr. */
unsigned flatview_first_after(FlatView *fv, Int128 addr)
{
    unsigned lo = 0, hi = fv->nr;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        FlatRange *fr = &fv->ranges[mid];

        if (fr->start + fr->size <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/*
 * Fill the gaps of [start, end) that no range covers yet with @mr,
 * whose offset @start corresponds to offset_in_region @mr_offset.
 */
static void flatview_fill(FlatView *fv, MemoryRegion *mr, Int128 start,
                          Int128 end, Int128 mr_offset, bool readonly)
{
    unsigned i = flatview_first_after(fv, start);
    Int128 pos = start;

    while (pos < end) {
        Int128 gap_end = end;
        FlatRange fr;

        if (i < fv->nr) {
            FlatRange *next = &fv->ranges[i];

            if (next->start <= pos) {
                /* Covered: skip past it. */
                pos = next->start + next->size;
                i++;
                continue;
            }
            gap_end = int128_min(end, next->start);
        }
        fr.mr = mr;
        fr.offset_in_region = (hwaddr)(mr_offset + (pos - start));
        fr.start = pos;
        fr.size = gap_end - pos;
        fr.readonly = readonly;
        flatview_insert(fv, i, &fr);
        i++;
        pos = gap_end;
    }
}

void render_region(FlatView *fv, MemoryRegion *mr, Int128 base,
                   RenderClip clip, bool readonly)
{
    Int128 start, end;
    unsigned i;

    if (!mr->enabled) {
        return;
    }
    base += mr->addr;
    readonly |= mr->readonly;
    start = int128_max(base, clip.start);
    end = int128_min(base + mr->size, clip.end);
    if (start >= end) {
        return;
    }
    clip.start = start;
    clip.end = end;

    if (mr->alias) {
        /* The alias shows its target from alias_offset on. */
        render_region(fv, mr->alias,
                      base - (Int128)mr->alias->addr - mr->alias_offset,
                      clip, readonly);
        return;
    }
    for (i = 0; i < mr->subregions->len; i++) {
        render_region(fv, g_ptr_array_index(mr->subregions, i), base, clip,
                      readonly);
    }
    if (mr->terminates) {
        flatview_fill(fv, mr, start, end, start - base, readonly);
    }
}

bool flatrange_mergeable(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && a->readonly == b->readonly &&
           a->start + a->size == b->start &&
           (Int128)a->offset_in_region + a->size ==
           (Int128)b->offset_in_region;
}

void flatview_simplify(FlatView *fv)
{
    unsigned i, j;

    if (!fv->nr) {
        return;
    }
    for (i = 0, j = 1; j < fv->nr; j++) {
        if (flatrange_mergeable(&fv->ranges[i], &fv->ranges[j])) {
            fv->ranges[i].size += fv->ranges[j].size;
        } else {
            fv->ranges[++i] = fv->ranges[j];
        }
    }
    fv->nr = i + 1;
}

static FlatView *generate_flatview(MemoryRegion *root)
{
    FlatView *fv = g_new0(FlatView, 1);
    RenderClip clip = { 0, int128_2_64() };
    unsigned i;

    fv->ref = 1;
    fv->root = root;
    memory_region_ref(root);
    if (root) {
        render_region(fv, root, 0, clip, false);
    }
    flatview_simplify(fv);
    for (i = 0; i < fv->nr; i++) {
        memory_region_ref(fv->ranges[i].mr);
    }
    return fv;
}

void flatview_ref(FlatView *fv)
{
    fv->ref++;
}

void flatview_unref(FlatView *fv)
{
    unsigned i;

    if (!fv || --fv->ref) {
        return;
    }
    for (i = 0; i < fv->nr; i++) {
        memory_region_unref(fv->ranges[i].mr);
    }
    memory_region_unref(fv->root);
    g_free(fv->ranges);
    g_free(fv);
}

const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr)
{
    unsigned lo = 0, hi = fv->nr;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        const FlatRange *fr = &fv->ranges[mid];

        if ((Int128)addr < fr->start) {
            hi = mid;
        } else if ((Int128)addr >= fr->start + fr->size) {
            lo = mid + 1;
        } else {
            return fr;
        }
    }
    return NULL;
}

MemoryRegionSection section_from_flatrange(FlatView *fv, const FlatRange *fr)
{
    return (MemoryRegionSection) {
        .size = fr->size,
        .mr = fr->mr,
        .fv = fv,
        .offset_within_region = fr->offset_in_region,
        .offset_within_address_space = (hwaddr)fr->start,
        .readonly = fr->readonly,
    };
}

static MemoryRegionSection flatview_find_section(FlatView *fv, hwaddr addr,
                                                 Int128 size)
{
    const FlatRange *fr = flatview_lookup(fv, addr);
    MemoryRegionSection s = { 0 };
    Int128 end;

    if (!fr) {
        return s;
    }
    s = section_from_flatrange(fv, fr);
    end = int128_min(fr->start + fr->size, (Int128)addr + size);
    s.offset_within_region += addr - (hwaddr)fr->start;
    s.offset_within_address_space = addr;
    s.size = end - addr;
    return s;
}

MemoryRegionSection address_space_find_section(AddressSpace *as,
                                               hwaddr addr)
{
    return flatview_find_section(as->current_map, addr, int128_2_64());
}

MemoryRegionSection memory_region_find(MemoryRegion *root, hwaddr addr,
                                       uint64_t size)
{
    MemoryRegionSection s;
    FlatView *fv = NULL;
    unsigned i;

    for (i = 0; address_spaces && i < address_spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);

        if (as->root == root && as->current_map) {
            fv = as->current_map;
            flatview_ref(fv);
            break;
        }
    }
    if (!fv) {
        fv = generate_flatview(root);
    }
    s = flatview_find_section(fv, addr, int128_from_size(size));
    /* Sections returned here do not pin a view: forget which one. */
    s.fv = NULL;
    flatview_unref(fv);
    return s;
}

/* ----------------------------------------------------------- Listeners */

static bool flatrange_equal(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && a->start == b->start && a->size == b->size &&
           a->offset_in_region == b->offset_in_region &&
           a->readonly == b->readonly;
}

static void listener_call(MemoryListener *l, ListenerCall call,
                          MemoryRegionSection *s)
{
    switch (call) {
    case LISTENER_ADD:
        if (l->region_add) {
            l->region_add(l, s);
        }
        break;
    case LISTENER_DEL:
        if (l->region_del) {
            l->region_del(l, s);
        }
        break;
    case LISTENER_NOP:
        if (l->region_nop) {
            l->region_nop(l, s);
        }
        break;
    }
}

/* Logged sections: log_start after region_add, log_stop before del. */
static void listener_log_start(MemoryListener *l, MemoryRegionSection *s)
{
    if (l->log_start) {
        l->log_start(l, s, 0, DIRTY_LOG_MIGRATION);
    }
}

static void listener_log_stop(MemoryListener *l, MemoryRegionSection *s)
{
    if (l->log_stop) {
        l->log_stop(l, s, DIRTY_LOG_MIGRATION, 0);
    }
}

/* Deletes go to listeners in descending priority, the rest ascending. */
void as_listeners_call(AddressSpace *as, ListenerCall call, FlatView *fv,
                       const FlatRange *fr)
{
    MemoryRegionSection s = section_from_flatrange(fv, fr);
    unsigned n = as->listeners->len, i;
    bool logged = false;

    trace_memory_listener_call(as->name, (int)call, fr->mr->name,
                               (uint64_t)fr->start,
                               int128_get64_sat(fr->size));
    if (call == LISTENER_ADD) {
        logged = memory_dirty_section_prepare(fr->mr);
    } else if (call == LISTENER_DEL) {
        logged = memory_dirty_section_logged(fr->mr);
    }
    for (i = 0; i < n; i++) {
        unsigned idx = call == LISTENER_DEL ? n - 1 - i : i;
        MemoryListener *l = g_ptr_array_index(as->listeners, idx);

        if (logged && call == LISTENER_DEL) {
            listener_log_stop(l, &s);
        }
        listener_call(l, call, &s);
        if (logged && call == LISTENER_ADD) {
            listener_log_start(l, &s);
        }
    }
}

void as_listeners_begin(AddressSpace *as)
{
    unsigned i;

    for (i = 0; i < as->listeners->len; i++) {
        MemoryListener *l = g_ptr_array_index(as->listeners, i);

        if (l->begin) {
            l->begin(l);
        }
    }
}

void as_listeners_commit(AddressSpace *as)
{
    unsigned i;

    for (i = 0; i < as->listeners->len; i++) {
        MemoryListener *l = g_ptr_array_index(as->listeners, i);

        if (l->commit) {
            l->commit(l);
        }
    }
}

/*
 * Walk both sorted views; @adding selects the pass: the first pass
 * reports what disappeared, the second what appeared or stayed.
 */
static void address_space_update_pass(AddressSpace *as, FlatView *old,
                                      FlatView *new, bool adding)
{
    unsigned i = 0, j = 0;

    while (i < old->nr || j < new->nr) {
        FlatRange *o = i < old->nr ? &old->ranges[i] : NULL;
        FlatRange *n = j < new->nr ? &new->ranges[j] : NULL;

        if (o && n && flatrange_equal(o, n)) {
            if (adding) {
                as_listeners_call(as, LISTENER_NOP, new, n);
            }
            i++;
            j++;
        } else if (o && (!n || o->start <= n->start)) {
            if (!adding) {
                as_listeners_call(as, LISTENER_DEL, old, o);
            }
            i++;
        } else {
            if (adding) {
                as_listeners_call(as, LISTENER_ADD, new, n);
            }
            j++;
        }
    }
}

static void memory_update_all(void)
{
    GHashTable *views = g_hash_table_new(NULL, NULL);
    FlatView **old_maps;
    unsigned i, n = address_spaces ? address_spaces->len : 0;

    old_maps = g_new0(FlatView *, n);
    for (i = 0; i < n; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);
        FlatView *fv = g_hash_table_lookup(views, as->root);

        if (!fv) {
            fv = generate_flatview(as->root);
            g_hash_table_insert(views, as->root, fv);
        } else {
            flatview_ref(fv);
        }
        old_maps[i] = as->current_map;
        as->current_map = fv;
    }
    trace_memory_update_topology(n, g_hash_table_size(views));
    for (i = 0; i < n; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);

        as_listeners_begin(as);
        address_space_update_pass(as, old_maps[i], as->current_map, false);
        address_space_update_pass(as, old_maps[i], as->current_map, true);
        as_listeners_commit(as);
    }
    /* Only now may the regions of the old views go away. */
    for (i = 0; i < n; i++) {
        flatview_unref(old_maps[i]);
    }
    g_free(old_maps);
    g_hash_table_destroy(views);
}

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    assert(transaction_depth > 0);
    if (--transaction_depth == 0 && update_pending) {
        PendingChange c = pending;

        memset(&pending, 0, sizeof(pending));
        update_pending = false;
        if (c.count != 1 || !c.sub || !memory_update_one(&c)) {
            memory_update_all();
        }
        memory_region_unref(c.sub);
        memory_region_unref(c.container);
    }
}

unsigned memory_region_transaction_depth(void)
{
    return transaction_depth;
}

void memory_listener_register(MemoryListener *listener, AddressSpace *as)
{
    FlatView *fv = as->current_map;
    unsigned i;

    assert(!listener->address_space);
    listener->address_space = as;
    for (i = 0; i < as->listeners->len; i++) {
        MemoryListener *l = g_ptr_array_index(as->listeners, i);

        if (l->priority > listener->priority) {
            break;
        }
    }
    g_ptr_array_insert(as->listeners, i, listener);
    trace_memory_listener_register(listener->name ? listener->name : "",
                                   as->name, listener->priority);

    if (listener->begin) {
        listener->begin(listener);
    }
    memory_dirty_listener_added(listener);
    for (i = 0; i < fv->nr; i++) {
        MemoryRegionSection s = section_from_flatrange(fv, &fv->ranges[i]);

        listener_call(listener, LISTENER_ADD, &s);
        if (memory_dirty_section_logged(s.mr)) {
            listener_log_start(listener, &s);
        }
    }
    if (listener->commit) {
        listener->commit(listener);
    }
}

void memory_listener_unregister(MemoryListener *listener)
{
    AddressSpace *as = listener->address_space;
    FlatView *fv;
    unsigned i;

    if (!as) {
        return;
    }
    fv = as->current_map;
    if (listener->begin) {
        listener->begin(listener);
    }
    for (i = fv->nr; i-- > 0;) {
        MemoryRegionSection s = section_from_flatrange(fv, &fv->ranges[i]);

        if (memory_dirty_section_logged(s.mr)) {
            listener_log_stop(listener, &s);
        }
        listener_call(listener, LISTENER_DEL, &s);
    }
    memory_dirty_listener_removed(listener);
    if (listener->commit) {
        listener->commit(listener);
    }
    g_ptr_array_remove(as->listeners, listener);
    listener->address_space = NULL;
    trace_memory_listener_unregister(listener->name ? listener->name : "",
                                     as->name);
}

/* ------------------------------------------------------ Address spaces */

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    unsigned i;

    memset(as, 0, sizeof(*as));
    if (!address_spaces) {
        address_spaces = g_ptr_array_new();
    }
    memory_region_ref(root);
    as->root = root;
    as->name = g_strdup(name ? name : "anonymous");
    as->listeners = g_ptr_array_new();
    /* Share the view of an address space that has the same root. */
    for (i = 0; i < address_spaces->len; i++) {
        AddressSpace *other = g_ptr_array_index(address_spaces, i);

        if (other->root == root) {
            as->current_map = other->current_map;
            flatview_ref(as->current_map);
            break;
        }
    }
    if (!as->current_map) {
        as->current_map = generate_flatview(root);
    }
    g_ptr_array_add(address_spaces, as);
    /* Its view already shows what the open transaction changed. */
    if (update_pending) {
        pending.count++;
    }
    memory_dirty_address_space_added(as);
    trace_address_space_init(as->name, root->name);
}

void address_space_destroy(AddressSpace *as)
{
    while (as->listeners->len) {
        memory_listener_unregister(g_ptr_array_index(as->listeners,
                                                     as->listeners->len - 1));
    }
    g_ptr_array_remove(address_spaces, as);
    g_ptr_array_free(as->listeners, TRUE);
    flatview_unref(as->current_map);
    memory_region_unref(as->root);
    g_free(as->name);
    memset(as, 0, sizeof(*as));
}

FlatView *address_space_to_flatview(AddressSpace *as)
{
    return as->current_map;
}

void memory_foreach_address_space(void (*fn)(AddressSpace *as, void *opaque),
                                  void *opaque)
{
    unsigned i;

    for (i = 0; address_spaces && i < address_spaces->len; i++) {
        fn(g_ptr_array_index(address_spaces, i), opaque);
    }
}

MemoryRegion *get_system_memory(void)
{
    memory_init_system();
    return &system_memory;
}

void memory_init_system(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    memory_region_init(&system_memory, NULL, "system", UINT64_MAX);
    address_space_init(&address_space_memory, &system_memory, "memory");
}
