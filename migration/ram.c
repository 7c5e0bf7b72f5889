/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RAM blocks in the migration stream.
 *
 * "ram-blocks" (once): be32 count, then per block: name, be64 length.
 * "ram" (instance = block name, any number): records of
 *   be64 offset | 1, be64 pages          a run of zero pages
 *   be64 offset | 2, be32 pages, data    a run of pages with contents
 * Offsets are page aligned, so the low bits carry the record type.
 */
#include "qemu/osdep.h"
#include "exec/ram.h"
#include "migration/ram.h"
#include "migration/vmstate.h"
#include "trace.h"

#define RAM_REC_ZERO        1
#define RAM_REC_PAGES       2
#define RAM_REC_TYPE_MASK   (TARGET_PAGE_SIZE - 1)
/*
 * Pages with data per "ram" section (1 MiB: compressed in a few tens
 * of milliseconds, so a slice can stop in time); zero pages cost a
 * record per run and are not counted.
 */
#define RAM_SECTION_PAGES   256
#define RAM_ZERO_RUN_MAX    (1ULL << 30)
#define BITS_PER_LONG       (8 * sizeof(unsigned long))

typedef struct RamSaveBlock {
    RAMBlock *rb;
    uint64_t pages;
    unsigned long *pending;     /* pages still to send */
    uint64_t npending;
    uint64_t cursor;            /* next page to look at */
} RamSaveBlock;

struct MigRamSave {
    GArray *blocks;             /* RamSaveBlock */
    unsigned current;
    bool logging;
    MigRamStats stats;
};

static bool bit_test(const unsigned long *map, uint64_t n)
{
    return map[n / BITS_PER_LONG] & (1UL << (n % BITS_PER_LONG));
}

static void bit_set(unsigned long *map, uint64_t n)
{
    map[n / BITS_PER_LONG] |= 1UL << (n % BITS_PER_LONG);
}

static void bit_clear(unsigned long *map, uint64_t n)
{
    map[n / BITS_PER_LONG] &= ~(1UL << (n % BITS_PER_LONG));
}

/* Guest RAM: every block but read-only mappings. */
static bool ram_block_migratable(RAMBlock *rb)
{
    return !(rb->flags & RAM_READONLY) && rb->used_length;
}

static int ram_collect(RAMBlock *rb, void *opaque)
{
    if (ram_block_migratable(rb)) {
        g_ptr_array_add(opaque, rb);
    }
    return 0;
}

static GPtrArray *ram_block_list(void)
{
    GPtrArray *list = g_ptr_array_new();

    qemu_ram_foreach_block(ram_collect, list);
    return list;
}

MigRamSave *mig_ram_save_new(void)
{
    MigRamSave *rs = g_new0(MigRamSave, 1);
    g_autoptr(GPtrArray) list = ram_block_list();
    guint i;

    rs->blocks = g_array_new(FALSE, TRUE, sizeof(RamSaveBlock));
    for (i = 0; i < list->len; i++) {
        RamSaveBlock b = { .rb = g_ptr_array_index(list, i) };
        uint64_t words;

        b.pages = DIV_ROUND_UP(b.rb->used_length, TARGET_PAGE_SIZE);
        words = DIV_ROUND_UP(b.pages, BITS_PER_LONG);
        b.pending = g_new(unsigned long, words);
        memset(b.pending, 0xff, words * sizeof(unsigned long));
        if (b.pages % BITS_PER_LONG) {
            b.pending[words - 1] = (1UL << (b.pages % BITS_PER_LONG)) - 1;
        }
        b.npending = b.pages;
        rs->stats.total += b.rb->used_length;
        rs->stats.remaining += b.pages * TARGET_PAGE_SIZE;
        g_array_append_val(rs->blocks, b);
    }
    return rs;
}

void mig_ram_save_free(MigRamSave *rs)
{
    guint i;

    if (!rs) {
        return;
    }
    if (rs->logging) {
        memory_global_dirty_log_stop();
    }
    for (i = 0; i < rs->blocks->len; i++) {
        g_free(g_array_index(rs->blocks, RamSaveBlock, i).pending);
    }
    g_array_free(rs->blocks, TRUE);
    g_free(rs);
}

bool mig_ram_save_start_logging(MigRamSave *rs, Error **errp)
{
    if (!memory_global_dirty_log_start(errp)) {
        return false;
    }
    rs->logging = true;
    return true;
}

bool mig_ram_save_blocks(MigRamSave *rs, MigStream *s, Error **errp)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    guint i;

    mig_put_be32(out, rs->blocks->len);
    for (i = 0; i < rs->blocks->len; i++) {
        RAMBlock *rb = g_array_index(rs->blocks, RamSaveBlock, i).rb;

        mig_put_str(out, rb->idstr);
        mig_put_be64(out, rb->used_length);
    }
    return mig_stream_put_section(s, "ram-blocks", "", 1, out->data,
                                  out->len, errp);
}

static bool page_is_zero(const uint8_t *p)
{
    const uint64_t *q = (const uint64_t *)p;
    unsigned i;

    for (i = 0; i < TARGET_PAGE_SIZE / sizeof(*q); i += 4) {
        if (q[i] | q[i + 1] | q[i + 2] | q[i + 3]) {
            return false;
        }
    }
    return true;
}

/*
 * One "ram" section of block @b from its cursor: up to
 * RAM_SECTION_PAGES pending pages with data, all in runs.
 */
static bool ram_save_section(MigRamSave *rs, RamSaveBlock *b, MigStream *s,
                             uint64_t *sent, Error **errp)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    uint64_t page = b->cursor, taken = 0, data = 0;
    uint8_t *host = b->rb->host;

    while (page < b->pages && data < RAM_SECTION_PAGES) {
        uint64_t first = page, n = 0;
        bool zero;

        if (!bit_test(b->pending, page)) {
            page++;
            continue;
        }
        zero = page_is_zero(host + page * TARGET_PAGE_SIZE);
        while (page < b->pages && bit_test(b->pending, page) &&
               (zero ? n < RAM_ZERO_RUN_MAX : data < RAM_SECTION_PAGES) &&
               (page == first ||
                page_is_zero(host + page * TARGET_PAGE_SIZE) == zero)) {
            bit_clear(b->pending, page);
            page++;
            n++;
            taken++;
            data += !zero;
        }
        mig_put_be64(out, first * TARGET_PAGE_SIZE |
                     (zero ? RAM_REC_ZERO : RAM_REC_PAGES));
        if (zero) {
            mig_put_be64(out, n);
            rs->stats.duplicate += n;
        } else {
            mig_put_be32(out, n);
            mig_put_bytes(out, host + first * TARGET_PAGE_SIZE,
                          n * TARGET_PAGE_SIZE);
            rs->stats.normal += n;
        }
    }
    b->cursor = page;
    b->npending -= taken;
    rs->stats.remaining -= taken * TARGET_PAGE_SIZE;
    *sent = taken;
    if (!out->len) {
        return true;
    }
    return mig_stream_put_section(s, "ram", b->rb->idstr, 1, out->data,
                                  out->len, errp);
}

int mig_ram_save_step(MigRamSave *rs, MigStream *s, uint64_t budget,
                      gint64 deadline, Error **errp)
{
    uint64_t done = 0;

    while (rs->current < rs->blocks->len) {
        RamSaveBlock *b = &g_array_index(rs->blocks, RamSaveBlock,
                                         rs->current);
        uint64_t sent, start;

        if (!b->npending) {
            b->cursor = 0;
            rs->current++;
            continue;
        }
        if (done >= budget ||
            (deadline && g_get_monotonic_time() >= deadline)) {
            return 1;
        }
        start = b->cursor;
        if (!ram_save_section(rs, b, s, &sent, errp)) {
            return -1;
        }
        if (!sent) {
            /* Nothing past the cursor: rewind once, then believe it. */
            if (start) {
                b->cursor = 0;
            } else {
                b->npending = 0;
            }
        }
        done += sent * TARGET_PAGE_SIZE;
    }
    rs->current = 0;
    return 0;
}

uint64_t mig_ram_save_sync(MigRamSave *rs)
{
    uint64_t found = 0;
    guint i;

    rs->stats.dirty_sync_count++;
    if (!rs->logging) {
        return 0;
    }
    for (i = 0; i < rs->blocks->len; i++) {
        RamSaveBlock *b = &g_array_index(rs->blocks, RamSaveBlock, i);
        MemoryRegion *mr = b->rb->mr;
        DirtyBitmapSnapshot *snap;
        uint64_t page;

        if (!mr) {
            continue;   /* not guest visible: nothing writes it */
        }
        snap = memory_region_snapshot_and_clear_dirty(
            mr, 0, b->rb->used_length, DIRTY_MEMORY_MIGRATION);
        if (!snap) {
            continue;
        }
        for (page = 0; page < b->pages; page++) {
            if (!bit_test(b->pending, page) &&
                memory_region_snapshot_get_dirty(mr, snap,
                                                 page * TARGET_PAGE_SIZE,
                                                 TARGET_PAGE_SIZE)) {
                bit_set(b->pending, page);
                b->npending++;
                found++;
            }
        }
        memory_region_snapshot_free(snap);
        b->cursor = 0;
    }
    rs->current = 0;
    rs->stats.dirty_pages = found;
    rs->stats.remaining += found * TARGET_PAGE_SIZE;
    trace_migration_ram_sync(rs->stats.dirty_sync_count, found);
    return found;
}

const MigRamStats *mig_ram_save_stats(MigRamSave *rs)
{
    return &rs->stats;
}

/* --------------------------------------------------------------- load */

struct MigRamLoad {
    GHashTable *blocks;         /* name -> RAMBlock, once listed */
};

MigRamLoad *mig_ram_load_new(void)
{
    return g_new0(MigRamLoad, 1);
}

void mig_ram_load_free(MigRamLoad *rl)
{
    if (rl) {
        g_clear_pointer(&rl->blocks, g_hash_table_unref);
        g_free(rl);
    }
}

bool mig_ram_load_blocks(MigRamLoad *rl, const MigSection *sec,
                         Error **errp)
{
    g_autoptr(GPtrArray) here = ram_block_list();
    g_autoptr(GHashTable) mine = g_hash_table_new(g_str_hash, g_str_equal);
    MigReader r;
    uint32_t count, i;

    if (rl->blocks) {
        error_setg(errp, "the RAM block list appears twice");
        return false;
    }
    for (i = 0; i < here->len; i++) {
        RAMBlock *rb = g_ptr_array_index(here, i);

        g_hash_table_insert(mine, rb->idstr, rb);
    }
    rl->blocks = g_hash_table_new(g_str_hash, g_str_equal);
    mig_reader_init(&r, sec->data, sec->len);
    count = mig_get_be32(&r);
    for (i = 0; i < count && mig_reader_ok(&r, NULL); i++) {
        g_autofree char *name = mig_get_str(&r);
        uint64_t len = mig_get_be64(&r);
        RAMBlock *rb;

        if (!mig_reader_ok(&r, errp)) {
            return false;
        }
        rb = g_hash_table_lookup(mine, name);
        if (!rb) {
            error_setg(errp, "RAM block '%s' (0x%" PRIx64 " bytes) does "
                       "not exist on this machine (give it the source's "
                       "-m, -object and DIMMs)", name, len);
            return false;
        }
        if (rb->used_length != len) {
            error_setg(errp, "RAM block '%s' is 0x%" PRIx64 " bytes here, "
                       "0x%" PRIx64 " in the stream", name, rb->used_length,
                       len);
            return false;
        }
        if (g_hash_table_contains(rl->blocks, rb->idstr)) {
            error_setg(errp, "RAM block '%s' is listed twice", name);
            return false;
        }
        g_hash_table_insert(rl->blocks, rb->idstr, rb);
    }
    if (!mig_reader_finish(&r, errp)) {
        return false;
    }
    for (i = 0; i < here->len; i++) {
        RAMBlock *rb = g_ptr_array_index(here, i);

        if (!g_hash_table_contains(rl->blocks, rb->idstr)) {
            error_setg(errp, "RAM block '%s' of this machine is not in "
                       "the stream (the source has a different memory "
                       "layout)", rb->idstr);
            return false;
        }
    }
    return true;
}

bool mig_ram_load_pages(MigRamLoad *rl, const MigSection *sec,
                        Error **errp)
{
    RAMBlock *rb;
    MigReader r;
    uint64_t pages = 0;

    if (!rl->blocks) {
        error_setg(errp, "RAM pages before the RAM block list");
        return false;
    }
    rb = g_hash_table_lookup(rl->blocks, sec->instance);
    if (!rb) {
        error_setg(errp, "RAM block '%s' is not in the block list",
                   sec->instance);
        return false;
    }
    mig_reader_init(&r, sec->data, sec->len);
    while (mig_reader_remaining(&r)) {
        uint64_t rec = mig_get_be64(&r);
        uint64_t offset = rec & ~RAM_REC_TYPE_MASK, n, i;
        unsigned type = rec & RAM_REC_TYPE_MASK;
        const uint8_t *data = NULL;

        n = type == RAM_REC_ZERO ? mig_get_be64(&r) : mig_get_be32(&r);
        /* Checked below; keep n * page size from overflowing first. */
        if (type == RAM_REC_PAGES && n <= RAM_SECTION_PAGES) {
            data = mig_get_ptr(&r, n * TARGET_PAGE_SIZE);
        }
        if (!mig_reader_ok(&r, errp)) {
            return false;
        }
        if ((type != RAM_REC_ZERO && type != RAM_REC_PAGES) ||
            (type == RAM_REC_PAGES && !data) || !n ||
            offset >= rb->used_length ||
            n > (rb->used_length - offset) / TARGET_PAGE_SIZE) {
            error_setg(errp, "RAM block '%s': bad record (type %u, 0x%"
                       PRIx64 " pages at 0x%" PRIx64 ")", rb->idstr, type,
                       n, offset);
            return false;
        }
        if (data) {
            memcpy(rb->host + offset, data, n * TARGET_PAGE_SIZE);
        } else {
            /* Only touch what is not zero already: no needless faults. */
            for (i = 0; i < n; i++) {
                uint8_t *p = rb->host + offset + i * TARGET_PAGE_SIZE;

                if (!page_is_zero(p)) {
                    memset(p, 0, TARGET_PAGE_SIZE);
                }
            }
        }
        pages += n;
    }
    trace_migration_ram_load(rb->idstr, pages);
    return true;
}

bool mig_ram_load_complete(MigRamLoad *rl, Error **errp)
{
    if (!rl->blocks) {
        error_setg(errp, "the stream has no RAM block list");
        return false;
    }
    return true;
}
