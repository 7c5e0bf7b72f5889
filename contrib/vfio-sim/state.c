/*
 * vfio-sim: the simulator's state as JSON (control channel "state" and
 * "tces", and the exit report).  Called with the lock held.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "vsim.h"

static const char *iommu_name(VsimIommuType t)
{
    return t == VSIM_IOMMU_V1 ? "v1" : t == VSIM_IOMMU_V2 ? "v2" : "none";
}

/* Sizes and addresses fit in int64; "unlimited" is -1. */
static void set_u64(JsonObject *o, const char *k, uint64_t v)
{
    json_object_set_int_member(o, k, v == VSIM_UNLIMITED ? -1 : (gint64)v);
}

static JsonObject *pin_json(VsimPin *p)
{
    JsonObject *o = json_object_new();

    set_u64(o, "vaddr", p->vaddr);
    set_u64(o, "size", p->size);
    set_u64(o, "hpa", p->hpa);
    json_object_set_int_member(o, "page_shift", p->page_shift);
    set_u64(o, "mapped", p->tce_refs);
    json_object_set_int_member(o, "users", p->users);
    json_object_set_boolean_member(o, "mlocked", p->mlocked);
    json_object_set_boolean_member(o, "leaked", p->leaked);
    return o;
}

static JsonObject *window_json(int slot, VsimWindow *w)
{
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, "slot", slot);
    set_u64(o, "start", w->start);
    set_u64(o, "size", w->size);
    json_object_set_int_member(o, "page_shift", w->page_shift);
    json_object_set_int_member(o, "levels", w->levels);
    set_u64(o, "mapped", vsim_tce_table_mapped(w->table));
    set_u64(o, "charged", w->charged);
    set_u64(o, "table_bytes", vsim_tce_table_bytes(w->table));
    json_object_set_boolean_member(o, "default", w->is_default);
    return o;
}

static JsonObject *container_json(VsimContainer *c)
{
    JsonObject *o = json_object_new();
    JsonArray *groups = json_array_new();
    JsonArray *regions = json_array_new();
    JsonArray *windows = json_array_new();

    json_object_set_int_member(o, "id", c->id);
    json_object_set_string_member(o, "iommu", iommu_name(c->type));
    json_object_set_boolean_member(o, "enabled", c->enabled);
    json_object_set_boolean_member(o, "default_window_pending",
                                   c->def_window_pending);
    for (unsigned i = 0; i < c->groups->len; i++) {
        json_array_add_int_element(groups,
                                   ((VsimGroup *)c->groups->pdata[i])->num);
    }
    for (unsigned i = 0; i < c->regions->len; i++) {
        json_array_add_object_element(regions, pin_json(c->regions->pdata[i]));
    }
    for (int i = 0; i < VSIM_MAX_SLOTS; i++) {
        if (c->win[i].present) {
            json_array_add_object_element(windows,
                                          window_json(i, &c->win[i]));
        }
    }
    json_object_set_array_member(o, "groups", groups);
    json_object_set_array_member(o, "regions", regions);
    json_object_set_array_member(o, "windows", windows);
    return o;
}

JsonNode *vsim_state_json(void)
{
    JsonObject *o = json_object_new();
    JsonArray *containers = json_array_new();
    JsonArray *groups = json_array_new();
    JsonArray *regions = json_array_new();
    JsonArray *devices = json_array_new();
    JsonObject *counters = json_object_new();
    JsonNode *root = json_node_new(JSON_NODE_OBJECT);
    uint64_t v1_pins = 0;

    set_u64(o, "locked_bytes", vsim.locked);
    set_u64(o, "memlock_limit", vsim.host.memlock);
    set_u64(o, "page_size", vsim_page_size());
    set_u64(o, "max_alloc", vsim.host.max_alloc);
    for (unsigned i = 0; i < vsim.containers->len; i++) {
        json_array_add_object_element(containers,
            container_json(vsim.containers->pdata[i]));
    }
    for (unsigned i = 0; i < VSIM_MAX_GROUPS; i++) {
        VsimGroup *g = vsim.groups[i];
        JsonObject *go;

        if (!g) {
            continue;
        }
        go = json_object_new();
        json_object_set_int_member(go, "id", g->num);
        if (g->container) {
            json_object_set_int_member(go, "container", g->container->id);
        } else {
            json_object_set_null_member(go, "container");
        }
        json_object_set_boolean_member(go, "open", g->fd_refs > 0);
        json_array_add_object_element(groups, go);
    }
    for (unsigned i = 0; i < vsim.pins->len; i++) {
        VsimPin *p = vsim.pins->pdata[i];

        if (p->kind == VSIM_PIN_PREREG) {
            json_array_add_object_element(regions, pin_json(p));
        } else {
            v1_pins++;
        }
    }
    for (unsigned i = 0; i < vsim.devices->len; i++) {
        VsimDevice *d = vsim.devices->pdata[i];
        JsonObject *dobj = json_object_new();

        json_object_set_string_member(dobj, "bdf", d->bdf);
        json_object_set_string_member(dobj, "model", d->model->name);
        json_object_set_int_member(dobj, "group", d->group->num);
        json_object_set_boolean_member(dobj, "open", d->fd_refs > 0);
        json_object_set_object_member(dobj, "migration", vsim_mig_json(d));
        json_object_set_object_member(dobj, "irq", vsim_irq_json(d));
        json_array_add_object_element(devices, dobj);
    }
    for (int i = 0; i < VSIM_IOC_COUNT; i++) {
        JsonObject *co = json_object_new();

        json_object_set_int_member(co, "calls", vsim.counters[i].calls);
        json_object_set_int_member(co, "errors", vsim.counters[i].errors);
        /* an armed fault: it fails the fault_nth-th next call (0: none) */
        json_object_set_int_member(co, "fault_nth",
                                   vsim.counters[i].fault_nth);
        json_object_set_int_member(co, "fault_errno",
                                   vsim.counters[i].fault_nth
                                   ? vsim.counters[i].fault_errno : 0);
        json_object_set_object_member(counters, vsim_ioctl_name(i), co);
    }
    set_u64(o, "v1_pinned_pages", v1_pins);
    /* the host's PAGE_SHIFT: what REGISTER and ordinary RAM pages use */
    json_object_set_int_member(o, "page_shift", vsim.host.page_shift);
    json_object_set_array_member(o, "containers", containers);
    json_object_set_array_member(o, "groups", groups);
    json_object_set_array_member(o, "regions", regions);
    json_object_set_array_member(o, "devices", devices);
    json_object_set_object_member(o, "ioctls", counters);
    json_node_take_object(root, o);
    return root;
}

typedef struct TceRun {
    JsonArray *runs;
    uint64_t start, pgsz;
    uint64_t iova, hpa, pages;  /* the run being built */
    unsigned perm;
} TceRun;

static void run_flush(TceRun *r)
{
    JsonObject *o;
    static const char *perms[] = { "", "r", "w", "rw" };

    if (!r->pages) {
        return;
    }
    o = json_object_new();
    set_u64(o, "iova", r->iova);
    set_u64(o, "hpa", r->hpa);
    set_u64(o, "pages", r->pages);
    json_object_set_string_member(o, "perm", perms[r->perm]);
    json_array_add_object_element(r->runs, o);
    r->pages = 0;
}

/* Consecutive entries with consecutive addresses and equal perms: a run */
static void run_visit(uint64_t idx, uint64_t tce, void *opaque)
{
    TceRun *r = opaque;
    uint64_t iova = r->start + idx * r->pgsz, hpa = tce & ~3ULL;

    if (r->pages && iova == r->iova + r->pages * r->pgsz &&
        hpa == r->hpa + r->pages * r->pgsz && (tce & 3) == r->perm) {
        r->pages++;
        return;
    }
    run_flush(r);
    r->iova = iova;
    r->hpa = hpa;
    r->perm = tce & 3;
    r->pages = 1;
}

JsonNode *vsim_tces_json(unsigned container_id, int slot, GError **errp)
{
    VsimContainer *c = NULL;
    VsimWindow *w;
    JsonObject *o;
    JsonNode *root;
    TceRun r = { 0 };

    for (unsigned i = 0; i < vsim.containers->len; i++) {
        VsimContainer *ci = vsim.containers->pdata[i];

        if (ci->id == container_id ||
            (!container_id && vsim.containers->len == 1)) {
            c = ci;
        }
    }
    if (!c || slot < 0 || slot >= VSIM_MAX_SLOTS || !c->win[slot].present) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "no such container/window");
        return NULL;
    }
    w = &c->win[slot];
    r.runs = json_array_new();
    r.start = w->start;
    r.pgsz = 1ULL << w->page_shift;
    vsim_tce_walk(w->table, 0, vsim_tce_table_entries(w->table),
                  run_visit, &r);
    run_flush(&r);
    o = window_json(slot, w);
    json_object_set_int_member(o, "container", c->id);
    json_object_set_array_member(o, "entries", r.runs);
    root = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(root, o);
    return root;
}
