/*
 * vfio-sim: sparse multi-level host TCE table.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdbool.h>
#include <glib.h>
#include "tce-table.h"

#define NODE_BITS   9
#define NODE_SLOTS  (1u << NODE_BITS)

typedef struct TceNode {
    uint32_t used;                  /* non-zero slots */
    uint64_t slot[NODE_SLOTS];      /* TCEs in leaves, TceNode* above */
} TceNode;

struct VsimTceTable {
    uint64_t entries;
    unsigned depth;                 /* node levels, 1: root is a leaf */
    uint64_t mapped;
    size_t nodes;
    TceNode *root;
};

VsimTceTable *vsim_tce_table_new(uint64_t entries)
{
    VsimTceTable *t = g_new0(VsimTceTable, 1);
    unsigned bits = 0;

    while (bits < 64 && (1ULL << bits) < entries) {
        bits++;
    }
    t->entries = entries;
    t->depth = MAX(1, (bits + NODE_BITS - 1) / NODE_BITS);
    return t;
}

static void node_free(TceNode *n, unsigned level, unsigned depth)
{
    if (!n) {
        return;
    }
    if (level + 1 < depth) {
        for (unsigned i = 0; i < NODE_SLOTS; i++) {
            node_free((TceNode *)(uintptr_t)n->slot[i], level + 1, depth);
        }
    }
    g_free(n);
}

void vsim_tce_table_free(VsimTceTable *t)
{
    if (t) {
        node_free(t->root, 0, t->depth);
        g_free(t);
    }
}

uint64_t vsim_tce_table_entries(const VsimTceTable *t)
{
    return t->entries;
}

uint64_t vsim_tce_table_mapped(const VsimTceTable *t)
{
    return t->mapped;
}

size_t vsim_tce_table_bytes(const VsimTceTable *t)
{
    return sizeof(*t) + t->nodes * sizeof(TceNode);
}

static inline unsigned slot_of(uint64_t idx, unsigned level, unsigned depth)
{
    return (idx >> (NODE_BITS * (depth - 1 - level))) & (NODE_SLOTS - 1);
}

uint64_t vsim_tce_get(const VsimTceTable *t, uint64_t idx)
{
    const TceNode *n = t->root;

    for (unsigned l = 0; n && l + 1 < t->depth; l++) {
        n = (const TceNode *)(uintptr_t)n->slot[slot_of(idx, l, t->depth)];
    }
    return n ? n->slot[slot_of(idx, t->depth - 1, t->depth)] : 0;
}

uint64_t vsim_tce_xchg(VsimTceTable *t, uint64_t idx, uint64_t tce)
{
    TceNode **pp = &t->root;
    TceNode *n;
    uint64_t old;
    unsigned s;

    g_assert(idx < t->entries);
    if (!tce && vsim_tce_get(t, idx) == 0) {
        return 0;           /* clearing an empty entry allocates nothing */
    }
    for (unsigned l = 0; ; l++) {
        if (!*pp) {
            *pp = g_new0(TceNode, 1);
            t->nodes++;
        }
        n = *pp;
        s = slot_of(idx, l, t->depth);
        if (l + 1 == t->depth) {
            break;
        }
        if (!n->slot[s]) {
            n->used++;
        }
        pp = (TceNode **)&n->slot[s];
    }
    old = n->slot[s];
    n->slot[s] = tce;
    if (!old && tce) {
        n->used++;
        t->mapped++;
    } else if (old && !tce) {
        n->used--;
        t->mapped--;
    }
    /* Empty nodes are reclaimed by vsim_tce_clear(); single clears keep
     * them, which bounds churn when a window is remapped in place. */
    return old;
}

typedef struct TceRange {
    uint64_t first, end;
    VsimTceVisit visit;
    void *opaque;
    bool clear;
    VsimTceTable *t;
} TceRange;

/* Walk node @n at @level covering indexes from @base; true if now empty. */
static bool range_walk(TceRange *r, TceNode *n, unsigned level,
                       uint64_t base)
{
    unsigned depth = r->t->depth;
    uint64_t span = 1ULL << (NODE_BITS * (depth - 1 - level));
    uint64_t lo = r->first > base ? (r->first - base) / span : 0;

    for (uint64_t i = lo; i < NODE_SLOTS && n->used; i++) {
        uint64_t child = base + i * span;
        uint64_t v = n->slot[i];

        if (child >= r->end) {
            break;
        }
        if (!v) {
            continue;
        }
        if (level + 1 < depth) {
            TceNode *c = (TceNode *)(uintptr_t)v;

            if (range_walk(r, c, level + 1, child) && r->clear) {
                g_free(c);
                r->t->nodes--;
                n->slot[i] = 0;
                n->used--;
            }
            continue;
        }
        if (r->visit) {
            r->visit(child, v, r->opaque);
        }
        if (r->clear) {
            n->slot[i] = 0;
            n->used--;
            r->t->mapped--;
        }
    }
    return n->used == 0;
}

static void range_run(VsimTceTable *t, uint64_t first, uint64_t n,
                      VsimTceVisit visit, void *opaque, bool clear)
{
    TceRange r = {
        .first = first, .end = MIN(first + n, t->entries),
        .visit = visit, .opaque = opaque, .clear = clear, .t = t,
    };

    if (!t->root || first >= r.end) {
        return;
    }
    if (range_walk(&r, t->root, 0, 0) && clear) {
        g_free(t->root);
        t->root = NULL;
        t->nodes--;
    }
}

void vsim_tce_walk(const VsimTceTable *t, uint64_t first, uint64_t n,
                   VsimTceVisit visit, void *opaque)
{
    range_run((VsimTceTable *)t, first, n, visit, opaque, false);
}

void vsim_tce_clear(VsimTceTable *t, uint64_t first, uint64_t n,
                    VsimTceVisit visit, void *opaque)
{
    range_run(t, first, n, visit, opaque, true);
}
