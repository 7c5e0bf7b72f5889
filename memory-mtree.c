/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * "info mtree": the region trees of the address spaces, their flat
 * views (-f) and the lookup structure of each view (-d).
 */
#include "qemu/osdep.h"
#include "exec/memory.h"

static const char *mtree_kind(const MemoryRegion *mr, bool readonly)
{
    switch (mr->kind) {
    case MR_CONTAINER:
        return "container";
    case MR_IO:
        return mr->rom_device ? "romd" : "i/o";
    case MR_RAM:
        return readonly || mr->readonly ? "rom" : "ram";
    case MR_RAM_DEVICE:
        return "ramd";
    case MR_ALIAS:
        return "alias";
    case MR_IOMMU:
        return "iommu";
    }
    return "?";
}

static uint64_t range_last(Int128 start, Int128 size)
{
    /* Last byte; an empty region prints as start - 1, like a size 0. */
    return (uint64_t)(start + size - 1);
}

static int cmp_by_address(gconstpointer pa, gconstpointer pb)
{
    const MemoryRegion *a = *(MemoryRegion *const *)pa;
    const MemoryRegion *b = *(MemoryRegion *const *)pb;

    if (a->addr != b->addr) {
        return a->addr < b->addr ? -1 : 1;
    }
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return a->seq > b->seq ? -1 : (a->seq < b->seq);
}

static void mtree_print_mr(GString *out, MemoryRegion *mr, unsigned depth,
                           Int128 base, GHashTable *alias_targets,
                           bool owner)
{
    Int128 start = base + mr->addr;
    g_autoptr(GPtrArray) subs = NULL;
    unsigned i;

    g_string_append_printf(out, "%*s%016" PRIx64 "-%016" PRIx64
                           " (prio %d, %s): %s", depth * 2, "",
                           (uint64_t)start, range_last(start, mr->size),
                           mr->priority, mtree_kind(mr, false), mr->name);
    if (mr->alias) {
        g_string_append_printf(out, " @%s %016" PRIx64 "-%016" PRIx64,
                               mr->alias->name, mr->alias_offset,
                               range_last(mr->alias_offset, mr->size));
        g_hash_table_add(alias_targets, mr->alias);
    }
    if (owner && mr->owner) {
        g_string_append_printf(out, " owner:{%s}", mr->owner);
    }
    if (!mr->enabled) {
        g_string_append(out, " [disabled]");
    }
    g_string_append_c(out, '\n');

    subs = g_ptr_array_new();
    for (i = 0; i < mr->subregions->len; i++) {
        g_ptr_array_add(subs, g_ptr_array_index(mr->subregions, i));
    }
    g_ptr_array_sort(subs, cmp_by_address);
    for (i = 0; i < subs->len; i++) {
        mtree_print_mr(out, g_ptr_array_index(subs, i), depth + 1, start,
                       alias_targets, owner);
    }
}

typedef struct MtreeState {
    GString *out;
    GPtrArray *ases;
    bool owner;
} MtreeState;

static void collect_as(AddressSpace *as, void *opaque)
{
    g_ptr_array_add(opaque, as);
}

static int cmp_by_name(gconstpointer pa, gconstpointer pb)
{
    const MemoryRegion *a = *(MemoryRegion *const *)pa;
    const MemoryRegion *b = *(MemoryRegion *const *)pb;

    return strcmp(a->name, b->name);
}

/* Is @mr part of the tree below @root? */
static bool mr_in_tree(MemoryRegion *mr, MemoryRegion *root)
{
    for (; mr; mr = mr->container) {
        if (mr == root) {
            return true;
        }
    }
    return false;
}

static void mtree_print_trees(MtreeState *s)
{
    g_autoptr(GHashTable) printed_roots = g_hash_table_new(NULL, NULL);
    g_autoptr(GHashTable) alias_targets = g_hash_table_new(NULL, NULL);
    GHashTableIter it;
    gpointer key;
    unsigned i, j;

    for (i = 0; i < s->ases->len; i++) {
        AddressSpace *as = g_ptr_array_index(s->ases, i);

        if (g_hash_table_contains(printed_roots, as->root)) {
            continue;
        }
        g_hash_table_add(printed_roots, as->root);
        for (j = i; j < s->ases->len; j++) {
            AddressSpace *other = g_ptr_array_index(s->ases, j);

            if (other->root == as->root) {
                g_string_append_printf(s->out, "address-space: %s\n",
                                       other->name);
            }
        }
        mtree_print_mr(s->out, as->root, 1, 0, alias_targets, s->owner);
        g_string_append_c(s->out, '\n');
    }

    /*
     * Alias targets outside every printed tree get a tree of their own;
     * printing those may reveal more targets, so repeat until none is
     * new.  Each round prints in name order so the output is stable.
     */
    for (;;) {
        g_autoptr(GPtrArray) extra = g_ptr_array_new();

        g_hash_table_iter_init(&it, alias_targets);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            MemoryRegion *mr = key;
            bool shown = false;
            GHashTableIter rit;
            gpointer root;

            g_hash_table_iter_init(&rit, printed_roots);
            while (!shown && g_hash_table_iter_next(&rit, &root, NULL)) {
                shown = mr_in_tree(mr, root);
            }
            if (!shown) {
                g_ptr_array_add(extra, mr);
            }
        }
        if (!extra->len) {
            break;
        }
        g_ptr_array_sort(extra, cmp_by_name);
        for (i = 0; i < extra->len; i++) {
            MemoryRegion *mr = g_ptr_array_index(extra, i);

            g_hash_table_add(printed_roots, mr);
            g_string_append_printf(s->out, "memory-region: %s\n",
                                   mr->name);
            mtree_print_mr(s->out, mr, 1, -(Int128)mr->addr, alias_targets,
                           s->owner);
            g_string_append_c(s->out, '\n');
        }
    }
}

static void mtree_print_flatviews(MtreeState *s, bool dispatch)
{
    g_autoptr(GPtrArray) views = g_ptr_array_new();
    unsigned i, j, nview = 0;

    for (i = 0; i < s->ases->len; i++) {
        AddressSpace *as = g_ptr_array_index(s->ases, i);
        FlatView *fv = as->current_map;

        if (g_ptr_array_find(views, fv, NULL)) {
            continue;
        }
        g_ptr_array_add(views, fv);
        g_string_append_printf(s->out, "FlatView #%u\n", nview++);
        for (j = i; j < s->ases->len; j++) {
            AddressSpace *other = g_ptr_array_index(s->ases, j);

            if (other->current_map == fv) {
                g_string_append_printf(s->out, " AS \"%s\", root: %s\n",
                                       other->name, other->root->name);
            }
        }
        g_string_append_printf(s->out, " Root memory region: %s\n",
                               fv->root->name);
        if (!fv->nr) {
            g_string_append(s->out, "  No rendered FlatView\n");
        }
        for (j = 0; j < fv->nr; j++) {
            FlatRange *fr = &fv->ranges[j];

            g_string_append_printf(s->out, "  %016" PRIx64 "-%016" PRIx64
                                   " (prio %d, %s): %s",
                                   (uint64_t)fr->start,
                                   range_last(fr->start, fr->size),
                                   fr->mr->priority,
                                   mtree_kind(fr->mr, fr->readonly),
                                   fr->mr->name);
            if (fr->offset_in_region) {
                g_string_append_printf(s->out, " @%016" PRIx64,
                                       fr->offset_in_region);
            }
            if (s->owner && fr->mr->owner) {
                g_string_append_printf(s->out, " owner:{%s}", fr->mr->owner);
            }
            g_string_append_c(s->out, '\n');
        }
        if (dispatch) {
            g_string_append_printf(s->out,
                                   "  Dispatch: %u ranges, binary search\n",
                                   fv->nr);
            for (j = 0; j < fv->nr; j++) {
                FlatRange *fr = &fv->ranges[j];

                g_string_append_printf(s->out, "   [%u] %016" PRIx64 "-%016"
                                       PRIx64 " -> %s @%016" PRIx64 "\n", j,
                                       (uint64_t)fr->start,
                                       range_last(fr->start, fr->size),
                                       fr->mr->name, fr->offset_in_region);
            }
        }
        g_string_append_c(s->out, '\n');
    }
}

void mtree_info(GString *out, bool flatview, bool dispatch_tree, bool owner)
{
    MtreeState s = { .out = out, .owner = owner };

    s.ases = g_ptr_array_new();
    memory_foreach_address_space(collect_as, s.ases);
    if (flatview) {
        mtree_print_flatviews(&s, dispatch_tree);
    } else {
        mtree_print_trees(&s);
    }
    g_ptr_array_free(s.ases, TRUE);
}
