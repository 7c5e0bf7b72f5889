/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Dirty logging: per-RAM-block bitmaps for the migration client and the
 * listener callbacks that go with them (log_global_start/stop,
 * log_start/stop, log_sync).
 *
 * A RAM block is logged (rb->dirty_log, with a bitmap of one bit per
 * target page) while global logging is on and the block was reachable
 * in some address space since it started, or while its region has
 * per-region logging on.  The access paths only test rb->dirty_log, so
 * with logging off a write costs one predictable branch more.
 *
 * Bitmap words are updated with atomic read-modify-write operations so
 * that a snapshot, which takes and clears one word at a time, never
 * loses a bit set by a writer on another thread.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/ram.h"
#include "memory-internal.h"
#include "trace.h"

#define BITS_PER_WORD (8 * sizeof(unsigned long))

static bool global_dirty_log;
static uint64_t sync_round;

struct DirtyBitmapSnapshot {
    uint64_t first;         /* first page covered (a block page index) */
    uint64_t last;          /* last page covered, inclusive */
    uint64_t base;          /* page of bit 0 of bits[]: first, rounded */
    size_t nwords;          /* 0: nothing covered */
    unsigned long bits[];
};

/* ------------------------------------------------------------ Bitmaps */

/* Bits [lo, hi] of a word (lo <= hi < BITS_PER_WORD). */
static unsigned long word_mask(unsigned lo, unsigned hi)
{
    unsigned long m = ~0UL << lo;

    if (hi + 1 < BITS_PER_WORD) {
        m &= ~(~0UL << (hi + 1));
    }
    return m;
}

/*
 * Visit the words holding pages [first, last]: @fn gets the word index
 * and the mask of the pages inside it.  Returns true as soon as @fn
 * does.
 */
typedef bool (*WordFn)(unsigned long *map, size_t w, unsigned long mask,
                       void *opaque);

static bool bitmap_for_each_word(unsigned long *map, uint64_t first,
                                 uint64_t last, WordFn fn, void *opaque)
{
    size_t w = first / BITS_PER_WORD, wlast = last / BITS_PER_WORD;

    for (; w <= wlast; w++) {
        unsigned lo = w == first / BITS_PER_WORD ? first % BITS_PER_WORD : 0;
        unsigned hi = w == wlast ? last % BITS_PER_WORD : BITS_PER_WORD - 1;

        if (fn(map, w, word_mask(lo, hi), opaque)) {
            return true;
        }
    }
    return false;
}

static bool word_set(unsigned long *map, size_t w, unsigned long mask,
                     void *opaque)
{
    if ((__atomic_load_n(&map[w], __ATOMIC_RELAXED) & mask) != mask) {
        __atomic_fetch_or(&map[w], mask, __ATOMIC_RELAXED);
    }
    return false;
}

static bool word_clear(unsigned long *map, size_t w, unsigned long mask,
                       void *opaque)
{
    if (__atomic_load_n(&map[w], __ATOMIC_RELAXED) & mask) {
        __atomic_fetch_and(&map[w], ~mask, __ATOMIC_RELAXED);
    }
    return false;
}

static bool word_test(unsigned long *map, size_t w, unsigned long mask,
                      void *opaque)
{
    return (__atomic_load_n(&map[w], __ATOMIC_RELAXED) & mask) != 0;
}

/*
 * Pages of @rb that [offset, offset + length) touches, clipped to the
 * block; false when none.
 */
static bool block_page_range(const RAMBlock *rb, uint64_t offset,
                             uint64_t length, uint64_t *first,
                             uint64_t *last)
{
    uint64_t end;

    if (!length || offset >= rb->used_length) {
        return false;
    }
    end = length > rb->used_length - offset ? rb->used_length
                                            : offset + length;
    *first = offset >> TARGET_PAGE_BITS;
    *last = (end - 1) >> TARGET_PAGE_BITS;
    return true;
}

/* ----------------------------------------------------------- RAM blocks */

bool ram_block_dirty_log_enable(RAMBlock *rb, bool all_dirty)
{
    uint64_t pages = ram_block_dirty_pages(rb);
    bool was = rb->dirty_log;

    if (!rb->dirty_bitmap) {
        rb->dirty_bitmap = g_new0(unsigned long,
                                  MAX(DIV_ROUND_UP(pages, BITS_PER_WORD), 1));
    }
    if (all_dirty && pages) {
        bitmap_for_each_word(rb->dirty_bitmap, 0, pages - 1, word_set, NULL);
    }
    if (!was) {
        rb->dirty_log = true;
        trace_memory_dirty_block_log(rb->idstr, 1, pages, all_dirty);
    }
    return !was;
}

void ram_block_dirty_log_disable(RAMBlock *rb)
{
    if (rb->dirty_log) {
        rb->dirty_log = false;
        trace_memory_dirty_block_log(rb->idstr, 0,
                                     ram_block_dirty_pages(rb), false);
    }
    g_free(rb->dirty_bitmap);
    rb->dirty_bitmap = NULL;
}

void ram_block_mark_dirty(RAMBlock *rb, uint64_t offset, uint64_t length)
{
    uint64_t first, last;

    if (rb->dirty_bitmap &&
        block_page_range(rb, offset, length, &first, &last)) {
        bitmap_for_each_word(rb->dirty_bitmap, first, last, word_set, NULL);
    }
}

/* ------------------------------------------------- Regions and sections */

/* The RAM region behind @mr (aliases followed; *addr adjusted). */
static MemoryRegion *dirty_resolve(MemoryRegion *mr, hwaddr *addr)
{
    while (mr->alias) {
        if (addr) {
            *addr += mr->alias_offset;
        }
        mr = mr->alias;
    }
    return mr;
}

/* Device memory (MR_RAM_DEVICE) has no block and is never logged. */
static RAMBlock *dirty_block(const MemoryRegion *mr)
{
    return mr->kind == MR_RAM ? mr->ram_block : NULL;
}

bool memory_dirty_section_logged(const MemoryRegion *mr)
{
    return dirty_block(mr) && (global_dirty_log || mr->log_dirty);
}

bool memory_dirty_section_prepare(MemoryRegion *mr)
{
    RAMBlock *rb = dirty_block(mr);

    if (!memory_dirty_section_logged(mr)) {
        return false;
    }
    /* RAM appearing while logging is on (hot-add): send all of it. */
    if (global_dirty_log && !rb->dirty_log) {
        ram_block_dirty_log_enable(rb, true);
    }
    return true;
}

static void collect_as(AddressSpace *as, void *opaque)
{
    g_ptr_array_add(opaque, as);
}

static GPtrArray *dirty_address_spaces(void)
{
    GPtrArray *spaces = g_ptr_array_new();

    memory_foreach_address_space(collect_as, spaces);
    return spaces;
}

typedef enum LogCall { LOG_START, LOG_STOP } LogCall;

/*
 * log_start (ascending priority) or log_stop (descending) for @s on
 * every listener of @as.
 */
static void as_log_call(AddressSpace *as, MemoryRegionSection *s,
                        LogCall call)
{
    unsigned n = as->listeners->len, i;

    for (i = 0; i < n; i++) {
        MemoryListener *l;

        if (call == LOG_START) {
            l = g_ptr_array_index(as->listeners, i);
            if (l->log_start) {
                l->log_start(l, s, 0, DIRTY_LOG_MIGRATION);
            }
        } else {
            l = g_ptr_array_index(as->listeners, n - 1 - i);
            if (l->log_stop) {
                l->log_stop(l, s, DIRTY_LOG_MIGRATION, 0);
            }
        }
    }
}

/*
 * log_start/log_stop for every section whose logging global start/stop
 * changes: RAM without per-region logging.
 */
static void global_log_calls(GPtrArray *spaces, LogCall call)
{
    unsigned i, j;

    for (i = 0; i < spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(spaces, i);
        FlatView *fv = as->current_map;

        flatview_ref(fv);
        for (j = 0; j < fv->nr; j++) {
            const FlatRange *fr = &fv->ranges[j];
            MemoryRegionSection s;

            if (!dirty_block(fr->mr) || fr->mr->log_dirty) {
                continue;
            }
            s = section_from_flatrange(fv, fr);
            as_log_call(as, &s, call);
        }
        flatview_unref(fv);
    }
}

/* ------------------------------------------------------ Global logging */

static void global_unwind(GPtrArray *started, GPtrArray *fresh)
{
    unsigned i;

    for (i = started->len; i-- > 0;) {
        MemoryListener *l = g_ptr_array_index(started, i);

        l->log_global_on = false;
        if (l->log_global_stop) {
            l->log_global_stop(l);
        }
    }
    for (i = 0; i < fresh->len; i++) {
        ram_block_dirty_log_disable(g_ptr_array_index(fresh, i));
    }
}

bool memory_global_dirty_log_start(Error **errp)
{
    g_autoptr(GPtrArray) spaces = NULL;
    g_autoptr(GPtrArray) fresh = NULL;      /* blocks this start logged */
    g_autoptr(GPtrArray) started = NULL;    /* listeners started */
    unsigned i, j;

    if (global_dirty_log) {
        error_setg(errp, "dirty logging is already active");
        return false;
    }
    spaces = dirty_address_spaces();
    fresh = g_ptr_array_new();
    started = g_ptr_array_new();

    /* Bitmaps first: a listener may look at them when it starts. */
    for (i = 0; i < spaces->len; i++) {
        FlatView *fv = ((AddressSpace *)g_ptr_array_index(spaces, i))
                       ->current_map;

        for (j = 0; j < fv->nr; j++) {
            RAMBlock *rb = dirty_block(fv->ranges[j].mr);

            if (rb && ram_block_dirty_log_enable(rb, true)) {
                g_ptr_array_add(fresh, rb);
            }
        }
    }
    for (i = 0; i < spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(spaces, i);

        for (j = 0; j < as->listeners->len; j++) {
            MemoryListener *l = g_ptr_array_index(as->listeners, j);
            Error *err = NULL;

            if (l->log_global_start && !l->log_global_start(l, &err)) {
                const char *name = l->name ? l->name : "(unnamed)";

                trace_memory_dirty_log_start_refused(name, as->name);
                if (!err) {
                    error_setg(&err, "refused without a reason");
                }
                error_prepend(&err, "memory listener %s on %s refused dirty "
                              "logging: ", name, as->name);
                global_unwind(started, fresh);
                error_propagate(errp, err);
                return false;
            }
            l->log_global_on = true;
            g_ptr_array_add(started, l);
        }
    }
    global_dirty_log = true;
    for (i = 0; i < spaces->len; i++) {
        ((AddressSpace *)g_ptr_array_index(spaces, i))->global_dirty_log =
            true;
    }
    global_log_calls(spaces, LOG_START);
    trace_memory_dirty_log_start(fresh->len, started->len);
    return true;
}

static int stop_block(RAMBlock *rb, void *opaque)
{
    unsigned *n = opaque;

    /* Per-region logging keeps its bitmap. */
    if (rb->dirty_log && !(rb->mr && rb->mr->log_dirty)) {
        ram_block_dirty_log_disable(rb);
        (*n)++;
    }
    return 0;
}

void memory_global_dirty_log_stop(void)
{
    g_autoptr(GPtrArray) spaces = NULL;
    unsigned i, j, freed = 0;

    if (!global_dirty_log) {
        return;
    }
    spaces = dirty_address_spaces();
    global_log_calls(spaces, LOG_STOP);
    for (i = spaces->len; i-- > 0;) {
        AddressSpace *as = g_ptr_array_index(spaces, i);

        for (j = as->listeners->len; j-- > 0;) {
            MemoryListener *l = g_ptr_array_index(as->listeners, j);

            if (l->log_global_on) {
                l->log_global_on = false;
                if (l->log_global_stop) {
                    l->log_global_stop(l);
                }
            }
        }
        as->global_dirty_log = false;
    }
    global_dirty_log = false;
    qemu_ram_foreach_block(stop_block, &freed);
    trace_memory_dirty_log_stop(freed);
}

bool memory_global_dirty_log_active(void)
{
    return global_dirty_log;
}

uint64_t memory_dirty_sync_round(void)
{
    return sync_round;
}

/*
 * log_sync for the logged sections of @as: all of them, or with @mr
 * only those of @mr clipped to [lo, hi) (region offsets).
 */
static void as_log_sync(AddressSpace *as, MemoryRegion *mr, hwaddr lo,
                        hwaddr hi)
{
    FlatView *fv = as->current_map;
    unsigned i, k;

    flatview_ref(fv);
    for (i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        MemoryRegionSection s;

        if ((mr && fr->mr != mr) || !memory_dirty_section_logged(fr->mr)) {
            continue;
        }
        s = section_from_flatrange(fv, fr);
        if (mr) {
            /* RAM ranges are below 2^64 bytes: 64-bit math is enough. */
            hwaddr start = MAX(lo, fr->offset_in_region);
            hwaddr end = MIN(hi, fr->offset_in_region + (hwaddr)fr->size);

            if (start >= end) {
                continue;
            }
            s.offset_within_address_space += start - fr->offset_in_region;
            s.offset_within_region = start;
            s.size = int128_make64(end - start);
        }
        for (k = 0; k < as->listeners->len; k++) {
            MemoryListener *l = g_ptr_array_index(as->listeners, k);

            if (l->log_sync) {
                l->log_sync(l, &s);
            }
        }
    }
    flatview_unref(fv);
}

void memory_global_dirty_log_sync(void)
{
    g_autoptr(GPtrArray) spaces = dirty_address_spaces();
    unsigned i;

    sync_round++;
    trace_memory_dirty_sync(sync_round, "(all)");
    for (i = 0; i < spaces->len; i++) {
        as_log_sync(g_ptr_array_index(spaces, i), NULL, 0, 0);
    }
}

/* ---------------------------------------------------- Listener hooks */

void memory_dirty_listener_added(MemoryListener *listener)
{
    Error *err = NULL;

    if (!global_dirty_log) {
        return;
    }
    if (listener->log_global_start &&
        !listener->log_global_start(listener, &err)) {
        /* Registration cannot fail: say so, and do not stop it later. */
        if (!err) {
            error_setg(&err, "refused without a reason");
        }
        error_prepend(&err, "memory listener %s registered while dirty "
                      "logging is on refused it: ",
                      listener->name ? listener->name : "(unnamed)");
        error_report_err(err);
        return;
    }
    listener->log_global_on = true;
}

void memory_dirty_listener_removed(MemoryListener *listener)
{
    if (listener->log_global_on) {
        listener->log_global_on = false;
        if (listener->log_global_stop) {
            listener->log_global_stop(listener);
        }
    }
}

void memory_dirty_address_space_added(AddressSpace *as)
{
    FlatView *fv = as->current_map;
    unsigned i;

    as->global_dirty_log = global_dirty_log;
    if (!global_dirty_log) {
        return;
    }
    for (i = 0; i < fv->nr; i++) {
        memory_dirty_section_prepare(fv->ranges[i].mr);
    }
}

/* -------------------------------------------------- Per-region logging */

void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client)
{
    g_autoptr(GPtrArray) spaces = NULL;
    RAMBlock *rb;
    bool was, now;
    unsigned i, j;

    assert(client == DIRTY_MEMORY_MIGRATION);
    mr = dirty_resolve(mr, NULL);
    rb = dirty_block(mr);
    if (!rb || mr->log_dirty == log) {
        return;
    }
    was = memory_dirty_section_logged(mr);
    mr->log_dirty = log;
    now = memory_dirty_section_logged(mr);
    if (log) {
        ram_block_dirty_log_enable(rb, false);
    }
    if (was != now) {
        spaces = dirty_address_spaces();
        for (i = 0; i < spaces->len; i++) {
            AddressSpace *as = g_ptr_array_index(spaces, i);
            FlatView *fv = as->current_map;

            flatview_ref(fv);
            for (j = 0; j < fv->nr; j++) {
                MemoryRegionSection s;

                if (fv->ranges[j].mr != mr) {
                    continue;
                }
                s = section_from_flatrange(fv, &fv->ranges[j]);
                as_log_call(as, &s, now ? LOG_START : LOG_STOP);
            }
            flatview_unref(fv);
        }
    }
    if (!now) {
        ram_block_dirty_log_disable(rb);
    }
}

/* ------------------------------------------------------- Dirty bits */

void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size)
{
    mr = dirty_resolve(mr, &addr);
    cpu_physical_memory_set_dirty_range(dirty_block(mr), addr, size);
}

/* The logged block behind [addr, addr + size) of @mr, as page numbers. */
static RAMBlock *dirty_pages_of(MemoryRegion *mr, hwaddr addr, hwaddr size,
                                unsigned client, uint64_t *first,
                                uint64_t *last)
{
    RAMBlock *rb;

    assert(client == DIRTY_MEMORY_MIGRATION);
    mr = dirty_resolve(mr, &addr);
    rb = dirty_block(mr);
    if (!rb || !rb->dirty_bitmap ||
        !block_page_range(rb, addr, size, first, last)) {
        return NULL;
    }
    return rb;
}

bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                             unsigned client)
{
    uint64_t first, last;
    RAMBlock *rb = dirty_pages_of(mr, addr, size, client, &first, &last);

    return rb && bitmap_for_each_word(rb->dirty_bitmap, first, last,
                                      word_test, NULL);
}

void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                               unsigned client)
{
    uint64_t first, last;
    RAMBlock *rb = dirty_pages_of(mr, addr, size, client, &first, &last);

    if (rb) {
        bitmap_for_each_word(rb->dirty_bitmap, first, last, word_clear,
                             NULL);
    }
}

/* ---------------------------------------------------------- Snapshots */

typedef struct SnapCopy {
    DirtyBitmapSnapshot *snap;
    size_t base_word;
    uint64_t dirty;
} SnapCopy;

static bool word_take(unsigned long *map, size_t w, unsigned long mask,
                      void *opaque)
{
    SnapCopy *c = opaque;
    unsigned long old = 0;

    if (__atomic_load_n(&map[w], __ATOMIC_RELAXED) & mask) {
        old = __atomic_fetch_and(&map[w], ~mask, __ATOMIC_ACQ_REL) & mask;
    }
    c->snap->bits[w - c->base_word] = old;
    c->dirty += __builtin_popcountl(old);
    return false;
}

DirtyBitmapSnapshot *memory_region_snapshot_and_clear_dirty(
    MemoryRegion *mr, hwaddr addr, hwaddr size, unsigned client)
{
    DirtyBitmapSnapshot *snap;
    MemoryRegion *target;
    RAMBlock *rb;
    uint64_t first, last;
    SnapCopy copy;
    size_t nwords;

    assert(client == DIRTY_MEMORY_MIGRATION);
    target = dirty_resolve(mr, &addr);
    rb = dirty_block(target);
    if (!rb || !block_page_range(rb, addr, size, &first, &last)) {
        return g_new0(DirtyBitmapSnapshot, 1);
    }
    nwords = last / BITS_PER_WORD - first / BITS_PER_WORD + 1;
    snap = g_malloc0(sizeof(*snap) + nwords * sizeof(unsigned long));
    snap->first = first;
    snap->last = last;
    snap->base = first / BITS_PER_WORD * BITS_PER_WORD;
    snap->nwords = nwords;

    if (memory_dirty_section_logged(target)) {
        g_autoptr(GPtrArray) spaces = dirty_address_spaces();
        hwaddr end = size > rb->used_length - addr ? rb->used_length
                                                   : addr + size;
        unsigned i;

        /* What only listeners know (passthrough DMA) goes in first. */
        sync_round++;
        trace_memory_dirty_sync(sync_round, target->name);
        for (i = 0; i < spaces->len; i++) {
            as_log_sync(g_ptr_array_index(spaces, i), target, addr, end);
        }
    }
    copy = (SnapCopy) { .snap = snap, .base_word = first / BITS_PER_WORD };
    if (rb->dirty_bitmap) {
        bitmap_for_each_word(rb->dirty_bitmap, first, last, word_take,
                             &copy);
    }
    trace_memory_dirty_snapshot(target->name, addr, size, copy.dirty);
    return snap;
}

bool memory_region_snapshot_get_dirty(MemoryRegion *mr,
                                      DirtyBitmapSnapshot *snap,
                                      hwaddr addr, hwaddr size)
{
    uint64_t first, last;

    dirty_resolve(mr, &addr);
    if (!snap->nwords || !size) {
        return false;
    }
    first = MAX(addr >> TARGET_PAGE_BITS, snap->first);
    last = (addr + size - 1) >> TARGET_PAGE_BITS;
    if (addr + size - 1 < addr) {
        last = UINT64_MAX >> TARGET_PAGE_BITS;
    }
    last = MIN(last, snap->last);
    if (first > last) {
        return false;
    }
    return bitmap_for_each_word(snap->bits, first - snap->base,
                                last - snap->base, word_test, NULL);
}

void memory_region_snapshot_free(DirtyBitmapSnapshot *snap)
{
    g_free(snap);
}
