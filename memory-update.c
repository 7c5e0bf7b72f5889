/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * How a transaction commit reaches views and listeners, beyond the full
 * re-render in memory.c.
 *
 * Incremental update: when a transaction's only change is one subregion
 * added or removed where nothing else shows, the flat views that
 * contain it are patched in place (unshared first if other users hold
 * them) and listeners see region_add / region_del for that region's
 * ranges only, instead of a region_nop for every range that stayed.
 * Anything the patching does not model (aliases on the way, overlaps,
 * ranges that would merge with a neighbour) falls back to the full
 * render.
 *
 * Checked transactions: the commit of the outermost one collects the
 * first error a listener posts, so that the caller can undo a change
 * the host refused rather than have the listener fail hard.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "memory-internal.h"
#include "trace.h"

/*
 * One address space root's part of an incremental update: @fv loses the
 * ranges [pos, pos + nr_del) or gains @add's ranges at @pos.
 */
typedef struct ViewPatch {
    MemoryRegion *root;
    FlatView *fv;
    FlatView *add;
    unsigned pos;
    unsigned nr_del;
    FlatRange *removed;     /* copies of the deleted ranges (with refs) */
} ViewPatch;

/*
 * Where @c's subregion shows in @root's view: the container's base and
 * clip as rendering reaches it, and the part of the view the subregion
 * covers (@win, empty when it is hidden).  False when the container is
 * reached through something the patching does not model (an alias).
 */
static bool update_one_locate(const PendingChange *c, MemoryRegion *root,
                              Int128 *base, RenderClip *clip,
                              bool *readonly, RenderClip *win)
{
    g_autoptr(GPtrArray) path = g_ptr_array_new();
    MemoryRegion *x;
    bool visible = c->sub->enabled;
    unsigned i;

    for (x = c->container; x != root; x = x->container) {
        g_ptr_array_add(path, x);
    }
    g_ptr_array_add(path, root);
    *base = 0;
    *clip = (RenderClip) { 0, int128_2_64() };
    *readonly = false;
    /* The same steps render_region takes, from the root down. */
    for (i = path->len; i-- > 0;) {
        x = g_ptr_array_index(path, i);
        if (x->alias) {
            return false;
        }
        visible &= x->enabled;
        *base += x->addr;
        *readonly |= x->readonly;
        clip->start = int128_max(*base, clip->start);
        clip->end = int128_min(*base + x->size, clip->end);
    }
    win->start = int128_max(*base + c->sub->addr, clip->start);
    win->end = int128_min(*base + c->sub->addr + c->sub->size, clip->end);
    if (!visible || win->start >= win->end) {
        win->start = win->end = 0;
    }
    return true;
}

/*
 * Work out @p for its root, or say false when the change interacts with
 * other ranges: an add where something already shows, or whose ranges
 * would merge with a neighbour; a removal that uncovers something.
 */
static bool update_one_prepare(const PendingChange *c, ViewPatch *p)
{
    FlatView *fv = p->fv;
    RenderClip clip, win;
    Int128 base;
    bool readonly;
    unsigned i;

    if (!update_one_locate(c, p->root, &base, &clip, &readonly, &win)) {
        return false;
    }
    p->pos = flatview_first_after(fv, win.start);
    if (win.start == win.end) {
        return true;            /* hidden before and after: no change */
    }
    if (c->adding) {
        if (p->pos < fv->nr && fv->ranges[p->pos].start < win.end) {
            return false;
        }
        p->add = g_new0(FlatView, 1);
        render_region(p->add, c->sub, base, clip, readonly);
        flatview_simplify(p->add);
        if (p->add->nr &&
            ((p->pos > 0 &&
              flatrange_mergeable(&fv->ranges[p->pos - 1],
                                  &p->add->ranges[0])) ||
             (p->pos < fv->nr &&
              flatrange_mergeable(&p->add->ranges[p->add->nr - 1],
                                  &fv->ranges[p->pos])))) {
            return false;
        }
        return true;
    }
    /* Removal: nothing else may show through where it was. */
    {
        g_autofree FlatView *under = g_new0(FlatView, 1);

        render_region(under, p->root, 0, win, false);
        g_free(under->ranges);
        if (under->nr) {
            return false;
        }
    }
    for (i = p->pos; i < fv->nr && fv->ranges[i].start < win.end; i++) {
        const FlatRange *fr = &fv->ranges[i];

        if (fr->start < win.start || fr->start + fr->size > win.end) {
            return false;       /* merged with a range outside */
        }
    }
    p->nr_del = i - p->pos;
    return true;
}

/* A view the caller may change: copied first when others hold it. */
static FlatView *flatview_unshare(FlatView *fv)
{
    unsigned users = 0, i;
    FlatView *copy;

    for (i = 0; i < address_spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);

        users += as->current_map == fv;
    }
    if (fv->ref == users) {
        return fv;
    }
    copy = g_new0(FlatView, 1);
    copy->ref = users;
    copy->root = fv->root;
    memory_region_ref(copy->root);
    copy->nr = copy->nr_allocated = fv->nr;
    copy->ranges = g_memdup2(fv->ranges, fv->nr * sizeof(FlatRange));
    for (i = 0; i < copy->nr; i++) {
        memory_region_ref(copy->ranges[i].mr);
    }
    for (i = 0; i < address_spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);

        if (as->current_map == fv) {
            as->current_map = copy;
            flatview_unref(fv);
        }
    }
    return copy;
}

static void update_one_apply(ViewPatch *p)
{
    FlatView *fv;
    unsigned i;

    if (!p->nr_del && (!p->add || !p->add->nr)) {
        return;
    }
    fv = p->fv = flatview_unshare(p->fv);
    if (p->add) {
        for (i = 0; i < p->add->nr; i++) {
            memory_region_ref(p->add->ranges[i].mr);
            flatview_insert(fv, p->pos + i, &p->add->ranges[i]);
        }
        return;
    }
    p->removed = g_memdup2(fv->ranges + p->pos,
                           p->nr_del * sizeof(FlatRange));
    memmove(fv->ranges + p->pos, fv->ranges + p->pos + p->nr_del,
            (fv->nr - p->pos - p->nr_del) * sizeof(FlatRange));
    fv->nr -= p->nr_del;
}

/* Is @mr @root or below it? */
static bool region_contains(MemoryRegion *root, MemoryRegion *mr)
{
    for (; mr; mr = mr->container) {
        if (mr == root) {
            return true;
        }
    }
    return false;
}

static ViewPatch *update_one_find(GArray *patches, MemoryRegion *root)
{
    unsigned i;

    for (i = 0; i < patches->len; i++) {
        ViewPatch *p = &g_array_index(patches, ViewPatch, i);

        if (p->root == root) {
            return p;
        }
    }
    return NULL;
}

static void update_one_free(GArray *patches)
{
    unsigned i, j;

    for (i = 0; i < patches->len; i++) {
        ViewPatch *p = &g_array_index(patches, ViewPatch, i);

        if (p->add) {
            g_free(p->add->ranges);
            g_free(p->add);
        }
        /* Only now may the regions of the deleted ranges go away. */
        for (j = 0; p->removed && j < p->nr_del; j++) {
            memory_region_unref(p->removed[j].mr);
        }
        g_free(p->removed);
    }
    g_array_free(patches, TRUE);
}

/*
 * The incremental update for a transaction whose only change is @c.
 * Address spaces whose root is not above the subregion cannot show it
 * (no alias reaches its container: checked) and are left alone; the
 * others get the subregion's ranges inserted into (removed from) their
 * view and see region_add (region_del) for exactly those, with no
 * region_nop for what stayed.  False, with nothing done, when the
 * change is not that simple: the caller renders everything instead.
 */
bool memory_update_one(const PendingChange *c)
{
    GArray *patches;
    MemoryRegion *x;
    unsigned i, j, nr_as = 0;

    for (x = c->container; x; x = x->container) {
        if (x->alias_users) {
            return false;
        }
    }
    patches = g_array_new(FALSE, TRUE, sizeof(ViewPatch));
    for (i = 0; address_spaces && i < address_spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);
        ViewPatch p = { .root = as->root, .fv = as->current_map };

        /* Its view depends on its root's address, which was just set. */
        if (as->root == c->sub) {
            update_one_free(patches);
            return false;
        }
        if (!region_contains(as->root, c->container) ||
            update_one_find(patches, as->root)) {
            continue;
        }
        if (!update_one_prepare(c, &p)) {
            g_array_append_val(patches, p);
            update_one_free(patches);
            return false;
        }
        g_array_append_val(patches, p);
    }
    for (i = 0; i < patches->len; i++) {
        update_one_apply(&g_array_index(patches, ViewPatch, i));
    }
    for (i = 0; address_spaces && i < address_spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);
        ViewPatch *p = update_one_find(patches, as->root);

        if (!p || (!p->nr_del && (!p->add || !p->add->nr))) {
            continue;
        }
        nr_as++;
        as_listeners_begin(as);
        for (j = 0; p->add && j < p->add->nr; j++) {
            as_listeners_call(as, LISTENER_ADD, as->current_map,
                              &p->add->ranges[j]);
        }
        for (j = 0; j < p->nr_del; j++) {
            as_listeners_call(as, LISTENER_DEL, as->current_map,
                              &p->removed[j]);
        }
        as_listeners_commit(as);
    }
    trace_memory_update_topology(nr_as, 0);
    update_one_free(patches);
    return true;
}

/* -------------------------------------------------- Checked transactions */

static bool checked_open;           /* the outermost one is checked */
static bool checked_delivering;     /* and its commit is under way */
static Error *checked_error;

void memory_region_transaction_begin_checked(void)
{
    /* Nested, the change is delivered by the outer commit instead. */
    if (memory_region_transaction_depth() == 0) {
        checked_open = true;
    }
    memory_region_transaction_begin();
}

bool memory_region_transaction_commit_checked(Error **errp)
{
    bool outermost = checked_open &&
                     memory_region_transaction_depth() == 1;
    Error *err;

    /* Listeners may post errors only while this commit delivers. */
    checked_delivering = outermost;
    memory_region_transaction_commit();
    checked_delivering = false;
    if (!outermost) {
        return true;
    }
    checked_open = false;
    err = checked_error;
    checked_error = NULL;
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

bool memory_region_transaction_checked(void)
{
    return checked_delivering;
}

void memory_listener_report_error(Error *err)
{
    if (!checked_delivering) {
        error_report_err(err);
    } else if (checked_error) {
        error_free(err);
    } else {
        checked_error = err;
    }
}
