/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Dirty logging for passthrough devices.
 *
 * A device behind VFIO writes guest RAM through the host IOMMU and
 * nothing tells us which pages it touched.  The conservative answer:
 * while logging is on, every page a guest TCE maps with the WRITE bit is
 * dirty.  The prereg listener (on address_space_memory, which holds the
 * RAM sections) does it in log_sync by walking only the mapped entries
 * of each guest window of the container (the TCE table's replay walks
 * its sparse chunks), once per sync round however many sections are
 * synced.  Pages mapped at the previous round are marked again: the
 * device may have written them after that round's snapshot cleared
 * them and before the guest unmapped them.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-container.h"
#include "hw/vfio/vfio-dirty.h"
#include "hw/vfio/vfio-migration.h"
#include "exec/ram.h"
#include "trace.h"

/* Per container, between log_global_start and log_global_stop. */
typedef struct VFIODirtyState {
    uint64_t round;         /* last sync round walked */
    bool walked;
    GArray *prev;           /* VFIODirtyRange mapped at that round */
} VFIODirtyState;

static GHashTable *vfio_dirty_states;  /* VFIOContainer * -> state */

typedef struct VFIODirtyWalk {
    IOMMUNotifier n;
    GArray *record;
    uint64_t pages;
    uint64_t entries;
} VFIODirtyWalk;

uint64_t vfio_dirty_mark_gpa(hwaddr gpa, uint64_t len)
{
    uint64_t pages = 0;

    while (len) {
        hwaddr xlat, l = len;
        MemoryRegion *mr;
        RAMBlock *rb;

        mr = address_space_translate(&address_space_memory, gpa, &xlat, &l,
                                     true, MEMTXATTRS_UNSPECIFIED);
        if (!l) {
            break;
        }
        /* Device memory (ram_device) has no block: never logged. */
        rb = memory_region_is_ram_device(mr) ? NULL
                                             : memory_region_get_ram_block(mr);
        if (rb && rb->dirty_log) {
            cpu_physical_memory_set_dirty_range(rb, xlat, l);
            pages += ((xlat + l - 1) >> TARGET_PAGE_BITS) -
                     (xlat >> TARGET_PAGE_BITS) + 1;
        }
        if (gpa + l < gpa) {
            break;      /* reached the top of the address space */
        }
        gpa += l;
        len -= l;
    }
    return pages;
}

static void vfio_dirty_record(GArray *record, hwaddr gpa, uint64_t len)
{
    if (record->len) {
        VFIODirtyRange *last = &g_array_index(record, VFIODirtyRange,
                                              record->len - 1);

        if (last->gpa + last->len == gpa) {
            last->len += len;
            return;
        }
    }
    g_array_append_val(record, ((VFIODirtyRange) { gpa, len }));
}

static void vfio_dirty_walk_notify(IOMMUNotifier *n,
                                   const IOMMUTLBEntry *e, unsigned count)
{
    VFIODirtyWalk *w = container_of(n, VFIODirtyWalk, n);
    unsigned i;

    for (i = 0; i < count; i++) {
        hwaddr gpa = e[i].translated_addr & ~e[i].addr_mask;
        uint64_t len = e[i].addr_mask + 1;

        /* Read-only mappings cannot dirty anything. */
        if (!(e[i].perm & IOMMU_WO)) {
            continue;
        }
        w->entries++;
        w->pages += vfio_dirty_mark_gpa(gpa, len);
        if (w->record) {
            vfio_dirty_record(w->record, gpa, len);
        }
    }
}

uint64_t vfio_dirty_mark_iommu(IOMMUMemoryRegion *iommu, hwaddr start,
                               hwaddr end, GArray *record)
{
    VFIODirtyWalk w = { .record = record };

    iommu_notifier_init(&w.n, vfio_dirty_walk_notify, IOMMU_NOTIFIER_MAP,
                        start, end, 0);
    /* Replay visits the mapped entries only, not the whole window. */
    memory_region_iommu_replay(iommu, &w.n);
    trace_vfio_dirty_walk(memory_region_name(IOMMU_MR_REGION(iommu)),
                          w.entries, w.pages);
    return w.pages;
}

void vfio_dirty_mark_mapped(const IOMMUTLBEntry *entries, unsigned count)
{
    unsigned i;

    if (likely(!memory_global_dirty_log_active())) {
        return;
    }
    for (i = 0; i < count; i++) {
        if (entries[i].perm & IOMMU_WO) {
            vfio_dirty_mark_gpa(entries[i].translated_addr &
                                ~entries[i].addr_mask,
                                entries[i].addr_mask + 1);
        }
    }
}

static void vfio_dirty_state_free(gpointer p)
{
    VFIODirtyState *st = p;

    g_array_free(st->prev, TRUE);
    g_free(st);
}

bool vfio_dirty_log_global_start(MemoryListener *l, Error **errp)
{
    VFIOContainer *c = container_of(l, VFIOContainer, prereg_listener);
    VFIODirtyState *st;

    if (!vfio_dirty_states) {
        vfio_dirty_states = g_hash_table_new_full(NULL, NULL, NULL,
                                                  vfio_dirty_state_free);
    }
    st = g_new0(VFIODirtyState, 1);
    st->prev = g_array_new(FALSE, FALSE, sizeof(VFIODirtyRange));
    g_hash_table_replace(vfio_dirty_states, c, st);
    /* Devices that log their own writes make the walk unnecessary. */
    vfio_mig_dirty_start(c);
    trace_vfio_dirty_log_global(c->fd, 1);
    return true;
}

void vfio_dirty_log_global_stop(MemoryListener *l)
{
    VFIOContainer *c = container_of(l, VFIOContainer, prereg_listener);

    vfio_mig_dirty_stop(c);
    if (vfio_dirty_states) {
        g_hash_table_remove(vfio_dirty_states, c);
        if (!g_hash_table_size(vfio_dirty_states)) {
            g_hash_table_destroy(vfio_dirty_states);
            vfio_dirty_states = NULL;
        }
    }
    trace_vfio_dirty_log_global(c->fd, 0);
}

void vfio_dirty_log_sync(MemoryListener *l, MemoryRegionSection *s)
{
    VFIOContainer *c = container_of(l, VFIOContainer, prereg_listener);
    uint64_t round = memory_dirty_sync_round();
    VFIODirtyState *st = vfio_dirty_states ?
                         g_hash_table_lookup(vfio_dirty_states, c) : NULL;
    GArray *now = NULL;
    uint64_t pages = 0;
    unsigned i;

    /* One walk marks every page: the other sections of the round are done. */
    if (st && st->walked && st->round == round) {
        return;
    }
    if (st && vfio_mig_dirty_active(c)) {
        pages = vfio_mig_dirty_sync(c);
        if (pages != UINT64_MAX) {
            st->round = round;
            st->walked = true;
            trace_vfio_dirty_log_sync(c->fd, round, 0, pages);
            return;
        }
        /* The log failed: every write-mapped page, from now on. */
        pages = 0;
    }
    if (st) {
        for (i = 0; i < st->prev->len; i++) {
            VFIODirtyRange *r = &g_array_index(st->prev, VFIODirtyRange, i);

            pages += vfio_dirty_mark_gpa(r->gpa, r->len);
        }
        now = g_array_new(FALSE, FALSE, sizeof(VFIODirtyRange));
    }
    for (i = 0; i < c->giommus->len; i++) {
        VFIOGuestIOMMU *g = g_ptr_array_index(c->giommus, i);

        pages += vfio_dirty_mark_iommu(g->iommu_mr, g->n.start, g->n.end,
                                       now);
    }
    if (st) {
        g_array_free(st->prev, TRUE);
        st->prev = now;
        st->round = round;
        st->walked = true;
    }
    vfio_mig_dirty_count_conservative(c, pages);
    trace_vfio_dirty_log_sync(c->fd, round, c->giommus->len, pages);
}
