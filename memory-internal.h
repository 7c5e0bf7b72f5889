/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Private to the memory core (memory.c, memory-update.c, memory-dirty.c):
 * the state of the open transaction, the address space list, and the
 * rendering and listener helpers that a commit's incremental update
 * shares with the full re-render.  Only memory*.c include this.
 */
#ifndef MEMORY_INTERNAL_H
#define MEMORY_INTERNAL_H

#include "exec/memory.h"

/* Every AddressSpace, in creation order (NULL before the first one). */
extern GPtrArray *address_spaces;

/*
 * What the open transaction changed: how many topology changes, and when
 * the first was a subregion added or removed, which one.  Both regions
 * are referenced until the commit, so that a removed region cannot go
 * away while the commit still has to look at it.
 */
typedef struct PendingChange {
    unsigned count;
    bool adding;
    MemoryRegion *container;
    MemoryRegion *sub;
} PendingChange;

/* ------------------------------------------------ Rendering (memory.c) */

typedef struct RenderClip {
    Int128 start;
    Int128 end;     /* exclusive */
} RenderClip;

/* Insert @fr at index @pos of @fv's ranges (no reference taken). */
void flatview_insert(FlatView *fv, unsigned pos, const FlatRange *fr);
/* Index of the first range of @fv that ends after @addr. */
unsigned flatview_first_after(FlatView *fv, Int128 addr);
/*
 * Render @mr, placed at @base by its containers, into the gaps of @fv
 * inside @clip (no references taken).
 */
void render_region(FlatView *fv, MemoryRegion *mr, Int128 base,
                   RenderClip clip, bool readonly);
/* Would @b, right after @a, be merged into it by flatview_simplify? */
bool flatrange_mergeable(const FlatRange *a, const FlatRange *b);
/* Merge adjacent ranges that continue each other. */
void flatview_simplify(FlatView *fv);

/* ------------------------------------------------ Listeners (memory.c) */

typedef enum ListenerCall {
    LISTENER_ADD,
    LISTENER_DEL,
    LISTENER_NOP,
} ListenerCall;

/*
 * Tell @as's listeners about @fr of @fv (deletes in descending priority,
 * the rest ascending), with the dirty-log hooks around it.
 */
void as_listeners_call(AddressSpace *as, ListenerCall call, FlatView *fv,
                       const FlatRange *fr);
void as_listeners_begin(AddressSpace *as);
void as_listeners_commit(AddressSpace *as);

/* ------------------------- Incremental update (memory-update.c) */

/*
 * Patch the views for a transaction whose only change is @c and tell
 * listeners; false, with nothing done, when the caller must render
 * everything instead.
 */
bool memory_update_one(const PendingChange *c);

/* The listener-facing section for one range of a view. */
MemoryRegionSection section_from_flatrange(FlatView *fv, const FlatRange *fr);

#endif
