/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * sPAPR TCE tables: sparse storage, the IOMMU memory region each
 * enabled table shows in its PHB's DMA address space, and batched
 * MAP/UNMAP notifications.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "exec/ram.h"
#include "hw/ppc/spapr_iommu.h"
#include "trace.h"

/*
 * Entries live in chunks of 512 (one 4 KiB TCE list page worth), kept
 * in a balanced tree by chunk number so walks come out in IOVA order.
 * A chunk exists only while at least one of its entries is nonzero.
 */
#define TCE_CHUNK_SHIFT     9
#define TCE_CHUNK_ENTRIES   (1U << TCE_CHUNK_SHIFT)
#define TCE_CHUNK_MASK      (TCE_CHUNK_ENTRIES - 1)
/* Longest run handed to the notifiers at once. */
#define TCE_BATCH_MAX       512

typedef struct TceChunk {
    uint64_t number;        /* first entry index >> TCE_CHUNK_SHIFT */
    unsigned nr_set;
    uint64_t tce[TCE_CHUNK_ENTRIES];
} TceChunk;

struct SpaprTceTable {
    uint32_t liobn;
    bool enabled;
    unsigned page_shift;
    uint64_t bus_offset;
    uint64_t nb_entries;
    uint64_t nb_set;
    GTree *chunks;          /* &chunk->number -> TceChunk */
    TceChunk *last;         /* last chunk looked up */
    MemoryRegion *dma_root;
    IOMMUMemoryRegion *iommu;   /* while enabled */
    char *owner;
    SpaprTceRamCheck ram_check; /* the machine's, set by the PHB */
    void *ram_check_opaque;
};

void spapr_tce_table_set_ram_check(SpaprTceTable *tcet, SpaprTceRamCheck fn,
                                   void *opaque)
{
    tcet->ram_check = fn;
    tcet->ram_check_opaque = opaque;
}

static gint tce_chunk_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static TceChunk *tce_chunk_lookup(SpaprTceTable *tcet, uint64_t number,
                                  bool create)
{
    TceChunk *c = tcet->last;

    if (c && c->number == number) {
        return c;
    }
    c = g_tree_lookup(tcet->chunks, &number);
    if (!c && create) {
        c = g_new0(TceChunk, 1);
        c->number = number;
        g_tree_insert(tcet->chunks, &c->number, c);
    }
    if (c) {
        tcet->last = c;
    }
    return c;
}

static void tce_chunk_drop(SpaprTceTable *tcet, TceChunk *c)
{
    if (tcet->last == c) {
        tcet->last = NULL;
    }
    g_tree_remove(tcet->chunks, &c->number);    /* frees c */
}

/* Store one entry, keeping the counts; no notification.  Returns the
 * entry's previous value. */
static uint64_t tce_store(SpaprTceTable *tcet, uint64_t index, uint64_t tce)
{
    TceChunk *c = tce_chunk_lookup(tcet, index >> TCE_CHUNK_SHIFT, tce != 0);
    uint64_t old;

    if (!c) {
        return 0;   /* clearing an entry that was never set */
    }
    old = c->tce[index & TCE_CHUNK_MASK];
    c->tce[index & TCE_CHUNK_MASK] = tce;
    if (!old && tce) {
        c->nr_set++;
        tcet->nb_set++;
    } else if (old && !tce) {
        c->nr_set--;
        tcet->nb_set--;
        if (!c->nr_set) {
            tce_chunk_drop(tcet, c);
        }
    }
    return old;
}

static IOMMUTLBEntry tce_to_entry(SpaprTceTable *tcet, uint64_t index,
                                  uint64_t tce)
{
    hwaddr mask = (1ULL << tcet->page_shift) - 1;
    IOMMUTLBEntry e = {
        .target_as = &address_space_memory,
        .iova = index << tcet->page_shift,
        .addr_mask = mask,
        .perm = (IOMMUAccessFlags)(tce & SPAPR_TCE_RW),
    };

    if (e.perm != IOMMU_NONE) {
        e.translated_addr = tce & ~mask;
    }
    return e;
}

static bool tce_has_listeners(SpaprTceTable *tcet)
{
    return tcet->iommu && tcet->iommu->notifiers;
}

/*
 * Collects the entries whose mapping goes away as runs of consecutive
 * indexes and hands each run to the notifiers as the fewest aligned
 * power-of-two blocks, so a listener can undo a run with one host call.
 * Entries that mapped nothing are never added: a listener hears about
 * what changed, and the cost follows the entries that were mapped.
 */
#define TCE_RUN_BLOCKS_MAX  (2 * 64)

typedef struct TceUnmapper {
    SpaprTceTable *tcet;
    bool notify;
    uint64_t run_first, run_n;  /* the run being grown */
    uint64_t pages;             /* in blocks[] */
    unsigned count;
    IOMMUTLBEntry blocks[TCE_BATCH_MAX];
} TceUnmapper;

static void tce_unmapper_init(TceUnmapper *u, SpaprTceTable *tcet)
{
    u->tcet = tcet;
    u->notify = tcet->iommu && tcet->iommu->notifiers;
    u->run_first = u->run_n = u->pages = 0;
    u->count = 0;
}

static void tce_unmapper_flush(TceUnmapper *u)
{
    SpaprTceTable *tcet = u->tcet;

    if (!u->count) {
        return;
    }
    trace_spapr_iommu_notify_unmap(tcet->liobn, u->blocks[0].iova, u->pages,
                                   u->count);
    memory_region_notify_iommu_batch(tcet->iommu, 0, u->blocks, u->count);
    u->count = 0;
    u->pages = 0;
}

static void tce_unmapper_end_run(TceUnmapper *u)
{
    uint64_t first = u->run_first, end = u->run_first + u->run_n;

    if (!u->run_n) {
        return;
    }
    if (u->count + TCE_RUN_BLOCKS_MAX > ARRAY_SIZE(u->blocks)) {
        tce_unmapper_flush(u);
    }
    u->pages += u->run_n;
    while (first < end) {
        unsigned order = first ? __builtin_ctzll(first) : 63;
        uint64_t pages;

        while (order && (1ULL << order) > end - first) {
            order--;
        }
        pages = 1ULL << order;
        u->blocks[u->count++] = (IOMMUTLBEntry) {
            .target_as = &address_space_memory,
            .iova = first << u->tcet->page_shift,
            .addr_mask = (pages << u->tcet->page_shift) - 1,
            .perm = IOMMU_NONE,
        };
        first += pages;
    }
    u->run_n = 0;
}

/* Entries [index, index + n) no longer map anything. */
static void tce_unmapper_add(TceUnmapper *u, uint64_t index, uint64_t n)
{
    if (!u->notify) {
        return;
    }
    if (u->run_n && index == u->run_first + u->run_n) {
        u->run_n += n;
        return;
    }
    tce_unmapper_end_run(u);
    u->run_first = index;
    u->run_n = n;
}

static void tce_unmapper_finish(TceUnmapper *u)
{
    if (u->notify) {
        tce_unmapper_end_run(u);
        tce_unmapper_flush(u);
    }
}

/* ------------------------------------------------------- IOMMU region */

static IOMMUTLBEntry spapr_tce_translate(IOMMUMemoryRegion *iommu,
                                         hwaddr addr, IOMMUAccessFlags flag,
                                         int iommu_idx)
{
    SpaprTceTable *tcet = iommu->opaque;
    hwaddr mask = (1ULL << tcet->page_shift) - 1;
    IOMMUTLBEntry ret = {
        .target_as = &address_space_memory,
        .iova = addr & ~mask,
        .addr_mask = mask,
        .perm = IOMMU_NONE,
    };

    /* A region of a table disabled since may still be referenced. */
    if (tcet->iommu == iommu && tcet->enabled &&
        (addr >> tcet->page_shift) < tcet->nb_entries) {
        uint64_t index = addr >> tcet->page_shift;

        ret = tce_to_entry(tcet, index, spapr_tce_get(tcet, index));
    }
    trace_spapr_iommu_xlate(tcet->liobn, addr, ret.translated_addr,
                            ret.perm);
    return ret;
}

typedef struct TceReplay {
    SpaprTceTable *tcet;
    IOMMUNotifier *notifier;
    IOMMUTLBEntry batch[TCE_BATCH_MAX];
    unsigned count;
} TceReplay;

static void tce_replay_flush(TceReplay *r)
{
    if (r->count) {
        memory_region_notify_iommu_one(r->notifier, r->batch, r->count);
        r->count = 0;
    }
}

static gboolean tce_replay_chunk(gpointer key, gpointer value, gpointer opaque)
{
    TceReplay *r = opaque;
    TceChunk *c = value;
    unsigned i;

    for (i = 0; i < TCE_CHUNK_ENTRIES; i++) {
        uint64_t index = (c->number << TCE_CHUNK_SHIFT) + i;
        IOMMUTLBEntry e;

        if (!(c->tce[i] & SPAPR_TCE_RW)) {
            continue;
        }
        e = tce_to_entry(r->tcet, index, c->tce[i]);
        if (e.iova < r->notifier->start ||
            e.iova + e.addr_mask > r->notifier->end) {
            continue;
        }
        r->batch[r->count++] = e;
        if (r->count == TCE_BATCH_MAX) {
            tce_replay_flush(r);
        }
    }
    return FALSE;
}

/* Walks the chunks, so the cost follows what is mapped, not the size. */
static void spapr_tce_replay(IOMMUMemoryRegion *iommu, IOMMUNotifier *n)
{
    SpaprTceTable *tcet = iommu->opaque;
    g_autofree TceReplay *r = NULL;

    if (tcet->iommu != iommu || !(n->notifier_flags & IOMMU_NOTIFIER_MAP)) {
        return;
    }
    trace_spapr_iommu_replay(tcet->liobn, tcet->nb_set);
    r = g_new0(TceReplay, 1);
    r->tcet = tcet;
    r->notifier = n;
    g_tree_foreach(tcet->chunks, tce_replay_chunk, r);
    tce_replay_flush(r);
}

static int spapr_tce_notify_flag_changed(IOMMUMemoryRegion *iommu,
                                         IOMMUNotifierFlag old_flags,
                                         IOMMUNotifierFlag new_flags,
                                         Error **errp)
{
    SpaprTceTable *tcet = iommu->opaque;

    trace_spapr_iommu_notify_flags(tcet->liobn, old_flags, new_flags);
    return 0;
}

static int spapr_tce_get_attr(IOMMUMemoryRegion *iommu,
                              IOMMUMemoryRegionAttr attr, void *data)
{
    SpaprTceTable *tcet = iommu->opaque;

    switch (attr) {
    case IOMMU_ATTR_PAGE_SHIFT:
        *(unsigned *)data = tcet->page_shift;
        return 0;
    case IOMMU_ATTR_BUS_OFFSET:
        *(hwaddr *)data = tcet->bus_offset;
        return 0;
    default:
        return -EINVAL;
    }
}

static uint64_t spapr_tce_get_min_page_size(IOMMUMemoryRegion *iommu)
{
    SpaprTceTable *tcet = iommu->opaque;

    return 1ULL << tcet->page_shift;
}

static const IOMMUMemoryRegionOps spapr_tce_iommu_ops = {
    .translate = spapr_tce_translate,
    .notify_flag_changed = spapr_tce_notify_flag_changed,
    .replay = spapr_tce_replay,
    .get_attr = spapr_tce_get_attr,
    .get_min_page_size = spapr_tce_get_min_page_size,
};

/* Regions are allocated per enable: users may hold one past disable. */
static void spapr_tce_iommu_release(MemoryRegion *mr)
{
    g_free(container_of(mr, IOMMUMemoryRegion, parent_obj));
}

/* ------------------------------------------------------------- tables */

SpaprTceTable *spapr_tce_table_new(uint32_t liobn, MemoryRegion *dma_root,
                                   const char *owner)
{
    SpaprTceTable *tcet = g_new0(SpaprTceTable, 1);

    tcet->liobn = liobn;
    tcet->dma_root = dma_root;
    tcet->owner = g_strdup(owner);
    tcet->chunks = g_tree_new_full(tce_chunk_cmp, NULL,
                                   NULL, g_free);
    return tcet;
}

void spapr_tce_table_free(SpaprTceTable *tcet)
{
    if (!tcet) {
        return;
    }
    spapr_tce_table_disable(tcet);
    g_tree_destroy(tcet->chunks);
    g_free(tcet->owner);
    g_free(tcet);
}

bool spapr_tce_table_enable(SpaprTceTable *tcet, unsigned page_shift,
                            uint64_t bus_offset, uint64_t nb_entries,
                            Error **errp)
{
    g_autofree char *name = NULL;
    uint64_t size;

    g_assert(!tcet->enabled);
    if (page_shift < 12 || page_shift > 63 || !nb_entries ||
        nb_entries > (UINT64_MAX >> page_shift)) {
        error_setg(errp, "TCE table 0x%x: bad geometry (page shift %u, "
                   "%" PRIu64 " entries)", tcet->liobn, page_shift,
                   nb_entries);
        return false;
    }
    size = nb_entries << page_shift;    /* 0 means 2^64 */
    if (bus_offset && size && bus_offset + (size - 1) < bus_offset) {
        error_setg(errp, "TCE table 0x%x: window at 0x%" PRIx64 " of 0x%"
                   PRIx64 " bytes wraps the bus", tcet->liobn, bus_offset,
                   size);
        return false;
    }
    if (!size && bus_offset) {
        error_setg(errp, "TCE table 0x%x: a 2^64-byte window must start "
                   "at 0", tcet->liobn);
        return false;
    }
    tcet->page_shift = page_shift;
    tcet->bus_offset = bus_offset;
    tcet->nb_entries = nb_entries;
    tcet->nb_set = 0;
    tcet->enabled = true;

    name = g_strdup_printf("iommu-spapr-%x", tcet->liobn);
    tcet->iommu = g_new0(IOMMUMemoryRegion, 1);
    memory_region_init_iommu(tcet->iommu, tcet->owner, &spapr_tce_iommu_ops,
                             tcet, name, size ? size : UINT64_MAX);
    IOMMU_MR_REGION(tcet->iommu)->release = spapr_tce_iommu_release;
    memory_region_add_subregion(tcet->dma_root, bus_offset,
                                IOMMU_MR_REGION(tcet->iommu));
    trace_spapr_iommu_table_enable(tcet->liobn, page_shift, bus_offset,
                                   nb_entries);
    return true;
}

static gboolean tce_collect_chunk(gpointer key, gpointer value,
                                  gpointer opaque)
{
    g_ptr_array_add(opaque, value);
    return FALSE;
}

void spapr_tce_table_disable(SpaprTceTable *tcet)
{
    IOMMUMemoryRegion *iommu = tcet->iommu;

    if (!tcet->enabled) {
        return;
    }
    trace_spapr_iommu_table_disable(tcet->liobn, tcet->nb_set);
    /*
     * Listeners drop what was mapped before the window goes away: one
     * run over the whole window, as the window itself is going.
     */
    if (tcet->nb_set) {
        g_autofree TceUnmapper *u = g_new(TceUnmapper, 1);

        tce_unmapper_init(u, tcet);
        tce_unmapper_add(u, 0, tcet->nb_entries);
        tce_unmapper_finish(u);
    }
    if (g_tree_nnodes(tcet->chunks)) {
        g_autoptr(GPtrArray) all = g_ptr_array_new();
        unsigned i;

        g_tree_foreach(tcet->chunks, tce_collect_chunk, all);
        tcet->last = NULL;
        for (i = 0; i < all->len; i++) {
            TceChunk *c = g_ptr_array_index(all, i);

            g_tree_remove(tcet->chunks, &c->number);
        }
    }
    tcet->nb_set = 0;
    tcet->enabled = false;
    tcet->iommu = NULL;
    memory_region_del_subregion(tcet->dma_root, IOMMU_MR_REGION(iommu));
    memory_region_unref(IOMMU_MR_REGION(iommu));
    tcet->nb_entries = 0;
    tcet->page_shift = 0;
    tcet->bus_offset = 0;
}

uint32_t spapr_tce_table_liobn(const SpaprTceTable *tcet)
{
    return tcet->liobn;
}

bool spapr_tce_table_enabled(const SpaprTceTable *tcet)
{
    return tcet->enabled;
}

unsigned spapr_tce_table_page_shift(const SpaprTceTable *tcet)
{
    return tcet->page_shift;
}

uint64_t spapr_tce_table_bus_offset(const SpaprTceTable *tcet)
{
    return tcet->bus_offset;
}

uint64_t spapr_tce_table_nb_entries(const SpaprTceTable *tcet)
{
    return tcet->nb_entries;
}

uint64_t spapr_tce_table_nb_set(const SpaprTceTable *tcet)
{
    return tcet->nb_set;
}

size_t spapr_tce_table_mem_usage(const SpaprTceTable *tcet)
{
    /* A GTree node is a key, a value, two links and a balance word. */
    size_t node = 5 * sizeof(void *);

    return sizeof(*tcet) + g_tree_nnodes(tcet->chunks) *
           (sizeof(TceChunk) + node);
}

IOMMUMemoryRegion *spapr_tce_table_iommu(SpaprTceTable *tcet)
{
    return tcet->iommu;
}

typedef struct TceRunWalk {
    SpaprTceRunFn fn;
    void *opaque;
    bool stopped;
} TceRunWalk;

static gboolean tce_run_chunk(gpointer key, gpointer value, gpointer opaque)
{
    TceRunWalk *w = opaque;
    TceChunk *c = value;
    unsigned i = 0;

    while (i < TCE_CHUNK_ENTRIES) {
        unsigned start;

        while (i < TCE_CHUNK_ENTRIES && !c->tce[i]) {
            i++;
        }
        start = i;
        while (i < TCE_CHUNK_ENTRIES && c->tce[i]) {
            i++;
        }
        if (i > start &&
            !w->fn((c->number << TCE_CHUNK_SHIFT) + start, &c->tce[start],
                   i - start, w->opaque)) {
            w->stopped = true;
            return TRUE;
        }
    }
    return FALSE;
}

bool spapr_tce_table_foreach_run(SpaprTceTable *tcet, SpaprTceRunFn fn,
                                 void *opaque)
{
    TceRunWalk w = { .fn = fn, .opaque = opaque };

    g_tree_foreach(tcet->chunks, tce_run_chunk, &w);
    return !w.stopped;
}

/* ------------------------------------------------------------ entries */

uint64_t spapr_tce_get(SpaprTceTable *tcet, uint64_t index)
{
    TceChunk *c;

    if (index >= tcet->nb_entries) {
        return 0;
    }
    c = tce_chunk_lookup(tcet, index >> TCE_CHUNK_SHIFT, false);
    return c ? c->tce[index & TCE_CHUNK_MASK] : 0;
}

bool spapr_tce_valid(SpaprTceTable *tcet, uint64_t tce)
{
    uint64_t page_size = 1ULL << tcet->page_shift;
    uint64_t addr = tce & ~SPAPR_TCE_RW;

    if (addr & (page_size - 1)) {
        return false;
    }
    if (!(tce & SPAPR_TCE_RW)) {
        return true;    /* grants nothing: any address will do */
    }
    return tcet->ram_check &&
           tcet->ram_check(tcet->ram_check_opaque, addr, page_size);
}

/*
 * Does replacing @old with @tce change what the entry translates to?
 * A mapping is always sent (the listener replaces the old one); the
 * removal of a mapping only where there was one.
 */
static bool tce_changes_mapping(uint64_t old, uint64_t tce)
{
    return (tce & SPAPR_TCE_RW) || (old & SPAPR_TCE_RW);
}

void spapr_tce_put_batch(SpaprTceTable *tcet, uint64_t index,
                         const uint64_t *tces, unsigned n)
{
    IOMMUTLBEntry batch[TCE_BATCH_MAX];
    bool notify = tce_has_listeners(tcet);
    unsigned i, count = 0;

    g_assert(n <= TCE_BATCH_MAX && index + n <= tcet->nb_entries);
    for (i = 0; i < n; i++) {
        uint64_t old = tce_store(tcet, index + i, tces[i]);

        if (notify && tce_changes_mapping(old, tces[i])) {
            batch[count++] = tce_to_entry(tcet, index + i, tces[i]);
        }
    }
    if (count) {
        memory_region_notify_iommu_batch(tcet->iommu, 0, batch, count);
    }
}

typedef struct TceClear {
    uint64_t first, last;   /* chunk numbers, inclusive */
    GPtrArray *found;
} TceClear;

static gboolean tce_find_chunks(gpointer key, gpointer value, gpointer opaque)
{
    TceClear *tc = opaque;
    TceChunk *c = value;

    if (c->number > tc->last) {
        return TRUE;
    }
    if (c->number >= tc->first) {
        g_ptr_array_add(tc->found, c);
    }
    return FALSE;
}

/*
 * Clear [index, index + n), visiting only the chunks that hold set
 * entries and, in them, only the set entries: the cost follows what was
 * set, never the size of the range.  Mapped entries go to @u.
 */
static void tce_clear_range(SpaprTceTable *tcet, uint64_t index, uint64_t n,
                            TceUnmapper *u)
{
    TceClear tc = {
        .first = index >> TCE_CHUNK_SHIFT,
        .last = (index + n - 1) >> TCE_CHUNK_SHIFT,
    };
    uint64_t number;
    guint i;

    if (!tcet->nb_set) {
        return;
    }
    tc.found = g_ptr_array_new();
    /* Look each chunk up, or walk the tree when that is cheaper. */
    if (tc.last - tc.first < (uint64_t)g_tree_nnodes(tcet->chunks)) {
        for (number = tc.first; number <= tc.last; number++) {
            TceChunk *c = tce_chunk_lookup(tcet, number, false);

            if (c) {
                g_ptr_array_add(tc.found, c);
            }
        }
    } else {
        g_tree_foreach(tcet->chunks, tce_find_chunks, &tc);
    }
    for (i = 0; i < tc.found->len; i++) {
        TceChunk *c = g_ptr_array_index(tc.found, i);
        uint64_t base = c->number << TCE_CHUNK_SHIFT;
        uint64_t lo = MAX(base, index);
        uint64_t hi = MIN(base + TCE_CHUNK_ENTRIES, index + n);
        unsigned left = c->nr_set;
        uint64_t j;

        /* tce_store frees the chunk with its last entry: stop there. */
        for (j = lo; j < hi && left; j++) {
            uint64_t old = c->tce[j & TCE_CHUNK_MASK];

            if (old) {
                left--;
                if (old & SPAPR_TCE_RW) {
                    tce_unmapper_add(u, j, 1);
                }
                tce_store(tcet, j, 0);
            }
        }
    }
    g_ptr_array_free(tc.found, TRUE);
}

/* Set [index, index + n) to a TCE granting nothing. */
static void tce_fill_unmapped(SpaprTceTable *tcet, uint64_t index,
                              uint64_t tce, uint64_t n, TceUnmapper *u)
{
    uint64_t i;

    for (i = 0; i < n; i++) {
        if (tce_store(tcet, index + i, tce) & SPAPR_TCE_RW) {
            tce_unmapper_add(u, index + i, 1);
        }
    }
}

void spapr_tce_stuff(SpaprTceTable *tcet, uint64_t index, uint64_t tce,
                     uint64_t n)
{
    IOMMUTLBEntry *batch;
    unsigned count = 0;
    bool notify;
    uint64_t i;

    g_assert(index <= tcet->nb_entries && n <= tcet->nb_entries - index);
    if (!n) {
        return;
    }
    if (!(tce & SPAPR_TCE_RW)) {
        g_autofree TceUnmapper *u = g_new(TceUnmapper, 1);

        tce_unmapper_init(u, tcet);
        if (tce) {
            tce_fill_unmapped(tcet, index, tce, n, u);
        } else {
            tce_clear_range(tcet, index, n, u);
        }
        tce_unmapper_finish(u);
        return;
    }
    notify = tce_has_listeners(tcet);
    batch = notify ? g_new(IOMMUTLBEntry, MIN(n, TCE_BATCH_MAX)) : NULL;
    for (i = 0; i < n; i++) {
        tce_store(tcet, index + i, tce);
        if (!notify) {
            continue;
        }
        batch[count++] = tce_to_entry(tcet, index + i, tce);
        if (count == TCE_BATCH_MAX) {
            memory_region_notify_iommu_batch(tcet->iommu, 0, batch, count);
            count = 0;
        }
    }
    if (count) {
        memory_region_notify_iommu_batch(tcet->iommu, 0, batch, count);
    }
    g_free(batch);
}

/* ------------------------------------------- references to guest RAM */

typedef struct TceRefSearch {
    SpaprTceTable *tcet;
    hwaddr gpa;
    uint64_t size;
    bool found;
    uint64_t ioba;
} TceRefSearch;

static gboolean tce_ref_chunk(gpointer key, gpointer value, gpointer opaque)
{
    TceRefSearch *s = opaque;
    TceChunk *c = value;
    uint64_t page = 1ULL << s->tcet->page_shift;
    unsigned i, left = c->nr_set;

    for (i = 0; i < TCE_CHUNK_ENTRIES && left; i++) {
        uint64_t tce = c->tce[i], addr;

        if (!tce) {
            continue;
        }
        left--;
        if (!(tce & SPAPR_TCE_RW)) {
            continue;       /* grants nothing */
        }
        addr = tce & ~(page - 1);
        /* Do [addr, addr + page) and [gpa, gpa + size) intersect? */
        if (addr - s->gpa < s->size || s->gpa - addr < page) {
            s->found = true;
            s->ioba = s->tcet->bus_offset +
                      (((c->number << TCE_CHUNK_SHIFT) + i) <<
                       s->tcet->page_shift);
            return TRUE;
        }
    }
    return FALSE;
}

bool spapr_tce_table_find_ram_ref(SpaprTceTable *tcet, hwaddr gpa,
                                  uint64_t size, uint64_t *ioba)
{
    TceRefSearch s = { .tcet = tcet, .gpa = gpa, .size = size };

    if (!tcet || !size || !tcet->enabled || !tcet->nb_set) {
        return false;
    }
    g_tree_foreach(tcet->chunks, tce_ref_chunk, &s);
    if (s.found && ioba) {
        *ioba = s.ioba;
    }
    return s.found;
}
