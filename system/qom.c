/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The QOM object tree at QEMU's paths, built from the live state:
 *
 *   /machine                       the machine (pseries-7.2-machine)
 *   /machine/peripheral/ID         devices the user created with an id
 *   /machine/peripheral-anon/device[N]   ... and without one
 *   /machine/unattached/device[N]  devices the machine made (the PHB)
 *   /machine/qtest                 the qtest server, when there is one
 *   /objects/ID                    -object / object-add backends
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "sysemu/hostmem.h"
#include "system/machines.h"
#include "system/json-writer.h"
#include "system/qdev-internal.h"
#include "system/qmp-internal.h"
#include "system/qom.h"
#include "system/qtest.h"

typedef enum QomKind {
    QOM_ROOT,
    QOM_CONTAINER,
    QOM_MACHINE,
    QOM_QTEST,
    QOM_DEVICE,
    QOM_BACKEND,
} QomKind;

typedef struct QomObj {
    QomKind kind;
    const char *container;      /* QOM_CONTAINER: its name */
    DeviceState *dev;
    HostMemoryBackend *be;
} QomObj;

/* A property or child as qom-list shows it. */
typedef struct QomEntry {
    char *name;
    char *type;
    QomObj child;               /* for child<...> entries */
    bool is_child;
} QomEntry;

static void qom_entry_free(gpointer p)
{
    QomEntry *e = p;

    g_free(e->name);
    g_free(e->type);
    g_free(e);
}

static void qom_add(void *opaque, const char *name, const char *type)
{
    GPtrArray *out = opaque;
    QomEntry *e = g_new0(QomEntry, 1);

    e->name = g_strdup(name);
    e->type = g_strdup(type);
    g_ptr_array_add(out, e);
}

static void qom_add_child(GPtrArray *out, const char *name,
                          const char *type, QomObj child)
{
    QomEntry *e = g_new0(QomEntry, 1);

    e->name = g_strdup(name);
    e->type = g_strdup_printf("child<%s>", type);
    e->child = child;
    e->is_child = true;
    g_ptr_array_add(out, e);
}

static const char *qom_obj_type(const QomObj *o)
{
    switch (o->kind) {
    case QOM_MACHINE:
        return machine_current_type()->qom_type;
    case QOM_QTEST:
        return "qtest";
    case QOM_DEVICE:
        return o->dev->klass->name;
    case QOM_BACKEND:
        return o->be->type;
    default:
        return "container";
    }
}

/* Backend properties: name, QOM type; values read from the struct. */
static const struct {
    const char *name;
    const char *type;
    const char *only;       /* backend type it exists on, NULL: all */
} qom_backend_props[] = {
    { "size", "int" },
    { "merge", "bool" },
    { "dump", "bool" },
    { "prealloc", "bool" },
    { "share", "bool" },
    { "mem-path", "string", "memory-backend-file" },
    { "align", "int", "memory-backend-file" },
    { "discard-data", "bool", "memory-backend-file" },
    { "readonly", "bool", "memory-backend-file" },
    { "hugetlb", "bool", "memory-backend-memfd" },
    { "hugetlbsize", "int", "memory-backend-memfd" },
    { "seal", "bool", "memory-backend-memfd" },
};

static void qom_device_children(GPtrArray *out, const char *container)
{
    GList *devs = qdev_list(), *l;

    for (l = devs; l; l = l->next) {
        DeviceState *dev = l->data;
        QomObj child = { .kind = QOM_DEVICE, .dev = dev };
        g_autofree char *name = NULL;

        if (strcmp(qdev_qom_container(dev), container)) {
            continue;
        }
        name = qdev_qom_name(dev);
        qom_add_child(out, name, dev->klass->name, child);
    }
    g_list_free(devs);
}

/* Everything qom-list shows for @o, children included. */
static GPtrArray *qom_entries(const QomObj *o)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(qom_entry_free);
    const Property *p;
    unsigned i;

    qom_add(out, "type", "string");
    switch (o->kind) {
    case QOM_ROOT: {
        QomObj machine = { .kind = QOM_MACHINE };
        QomObj objects = { .kind = QOM_CONTAINER, .container = "objects" };

        qom_add_child(out, "machine", qom_obj_type(&machine), machine);
        qom_add_child(out, "objects", "container", objects);
        break;
    }
    case QOM_MACHINE: {
        static const char *const conts[] = {
            "peripheral", "peripheral-anon", "unattached",
        };

        for (i = 0; i < G_N_ELEMENTS(conts); i++) {
            QomObj c = { .kind = QOM_CONTAINER, .container = conts[i] };

            qom_add_child(out, conts[i], "container", c);
        }
        if (qtest_server_active()) {
            QomObj q = { .kind = QOM_QTEST };

            qom_add_child(out, "qtest", "qtest", q);
        }
        machine_props_describe(out, qom_add);
        break;
    }
    case QOM_CONTAINER:
        if (!strcmp(o->container, "objects")) {
            GList *bes = host_memory_backend_list(), *l;

            for (l = bes; l; l = l->next) {
                HostMemoryBackend *be = l->data;
                QomObj c = { .kind = QOM_BACKEND, .be = be };

                qom_add_child(out, be->id, be->type, c);
            }
            g_list_free(bes);
        } else {
            qom_device_children(out, o->container);
        }
        break;
    case QOM_DEVICE:
        qom_add(out, "realized", "bool");
        qom_add(out, "hotpluggable", "bool");
        qom_add(out, "hotplugged", "bool");
        for (p = o->dev->klass->props; p && p->name; p++) {
            qom_add(out, p->name, qdev_prop_type_name(p));
        }
        break;
    case QOM_BACKEND:
        for (i = 0; i < G_N_ELEMENTS(qom_backend_props); i++) {
            if (!qom_backend_props[i].only ||
                !strcmp(qom_backend_props[i].only, o->be->type)) {
                qom_add(out, qom_backend_props[i].name,
                        qom_backend_props[i].type);
            }
        }
        break;
    case QOM_QTEST:
        break;
    }
    return out;
}

static QomEntry *qom_entry_find(GPtrArray *entries, const char *name)
{
    unsigned i;

    for (i = 0; i < entries->len; i++) {
        QomEntry *e = entries->pdata[i];

        if (!strcmp(e->name, name)) {
            return e;
        }
    }
    return NULL;
}

/* An absolute path, component by component through child<> entries. */
static bool qom_resolve(const char *path, QomObj *out, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    QomObj cur = { .kind = QOM_ROOT };
    char **p;

    if (path[0] != '/') {
        goto not_found;
    }
    for (p = parts + 1; *p; p++) {
        g_autoptr(GPtrArray) entries = NULL;
        QomEntry *e;

        if (!**p) {
            continue;           /* "/" and "//" as QEMU takes them */
        }
        entries = qom_entries(&cur);
        e = qom_entry_find(entries, *p);
        if (!e || !e->is_child) {
            goto not_found;
        }
        cur = e->child;
    }
    *out = cur;
    return true;

not_found:
    qmp_error_set_class("DeviceNotFound");
    error_setg(errp, "Device '%s' not found", path);
    return false;
}

JsonNode *qom_list(const char *path, Error **errp)
{
    g_autoptr(GPtrArray) entries = NULL;
    JsonArray *ret;
    QomObj o;
    unsigned i;

    if (!qom_resolve(path, &o, errp)) {
        return NULL;
    }
    entries = qom_entries(&o);
    ret = json_array_new();
    for (i = 0; i < entries->len; i++) {
        QomEntry *e = entries->pdata[i];
        JsonObject *item = json_object_new();

        json_object_set_string_member(item, "name", e->name);
        json_object_set_string_member(item, "type", e->type);
        json_array_add_object_element(ret, item);
    }
    return qmp_node_take_array(ret);
}

static JsonNode *qom_backend_get(HostMemoryBackend *be, const char *name)
{
    JsonNode *n = json_node_alloc();

    if (!strcmp(name, "size")) {
        json_node_init_int(n, be->size);
    } else if (!strcmp(name, "align")) {
        json_node_init_int(n, be->align);
    } else if (!strcmp(name, "hugetlbsize")) {
        json_node_init_int(n, be->hugetlbsize);
    } else if (!strcmp(name, "mem-path")) {
        json_node_init_string(n, be->mem_path ?: "");
    } else {
        bool v = !strcmp(name, "merge") ? be->merge :
                 !strcmp(name, "dump") ? be->dump :
                 !strcmp(name, "prealloc") ? be->prealloc :
                 !strcmp(name, "share") ? be->share :
                 !strcmp(name, "discard-data") ? be->discard_data :
                 !strcmp(name, "readonly") ? be->readonly :
                 !strcmp(name, "hugetlb") ? be->hugetlb : be->seal;

        json_node_init_boolean(n, v);
    }
    return n;
}

static JsonNode *qom_bool_node(bool v)
{
    JsonNode *n = json_node_alloc();

    json_node_init_boolean(n, v);
    return n;
}

JsonNode *qom_get(const char *path, const char *prop, Error **errp)
{
    g_autoptr(GPtrArray) entries = NULL;
    QomEntry *e;
    QomObj o;

    if (!qom_resolve(path, &o, errp)) {
        return NULL;
    }
    entries = qom_entries(&o);
    e = qom_entry_find(entries, prop);
    if (!e) {
        error_setg(errp, "Property '%s.%s' not found", qom_obj_type(&o),
                   prop);
        return NULL;
    }
    if (e->is_child) {
        /* QEMU returns a child's canonical path. */
        JsonNode *n = json_node_alloc();
        g_autofree char *p = g_strdup_printf("%s/%s",
            strcmp(path, "/") ? path : "", prop);

        json_node_init_string(n, p);
        return n;
    }
    if (!strcmp(prop, "type")) {
        JsonNode *n = json_node_alloc();

        json_node_init_string(n, qom_obj_type(&o));
        return n;
    }
    switch (o.kind) {
    case QOM_MACHINE:
        return machine_prop_get_json(prop, errp);
    case QOM_DEVICE:
        if (!strcmp(prop, "realized")) {
            return qom_bool_node(o.dev->realized);
        } else if (!strcmp(prop, "hotpluggable")) {
            return qom_bool_node(o.dev->klass->hotpluggable);
        } else if (!strcmp(prop, "hotplugged")) {
            return qom_bool_node(o.dev->hotplugged);
        }
        return qdev_prop_get_json(o.dev, qdev_find_prop(o.dev->klass, prop));
    case QOM_BACKEND:
        return qom_backend_get(o.be, prop);
    default:
        g_assert_not_reached();
    }
}

bool qom_set(const char *path, const char *prop, JsonNode *value,
             Error **errp)
{
    g_autoptr(GPtrArray) entries = NULL;
    QomEntry *e;
    QomObj o;

    if (!qom_resolve(path, &o, errp)) {
        return false;
    }
    entries = qom_entries(&o);
    e = qom_entry_find(entries, prop);
    if (!e) {
        error_setg(errp, "Property '%s.%s' not found", qom_obj_type(&o),
                   prop);
        return false;
    }
    if (o.kind == QOM_MACHINE && !e->is_child && strcmp(prop, "type")) {
        return machine_prop_set_json(prop, value, errp);
    }
    if (o.kind == QOM_DEVICE && !e->is_child && strcmp(prop, "type")) {
        /* Every device in the tree is realized: qdev props are fixed. */
        error_setg(errp, "Attempt to set property '%s' on device '%s' "
                   "(type '%s') after it was realized", prop,
                   o.dev->id ? o.dev->id : "<anon>", o.dev->klass->name);
        return false;
    }
    if (o.kind == QOM_BACKEND && !e->is_child && strcmp(prop, "type")) {
        error_setg(errp, "Property '%s' of memory backend '%s' cannot be "
                   "changed once the backend is created", prop, o.be->id);
        return false;
    }
    error_setg(errp, "Insufficient permission to perform this operation");
    return false;
}

static void qom_tree_print(GString *out, const QomObj *o, const char *name,
                           unsigned depth)
{
    g_autoptr(GPtrArray) entries = qom_entries(o);
    unsigned i;

    g_string_append_printf(out, "%*s/%s (%s)\n", depth * 2, "", name,
                           qom_obj_type(o));
    for (i = 0; i < entries->len; i++) {
        QomEntry *e = entries->pdata[i];

        if (e->is_child) {
            qom_tree_print(out, &e->child, e->name, depth + 1);
        }
    }
}

/* HMP info qom-tree [PATH]: the composition tree, as QEMU prints it. */
static bool hmp_info_qom_tree(GString *out, const char *args, Error **errp)
{
    const char *path = *args ? args : "/machine";
    const char *base = strrchr(path, '/');
    QomObj o;

    if (!qom_resolve(path, &o, errp)) {
        return false;
    }
    qom_tree_print(out, &o, base && base[1] ? base + 1 : "", 0);
    return true;
}

/* HMP info qtree: every device with its properties, in creation order. */
static bool hmp_info_qtree(GString *out, const char *args, Error **errp)
{
    GList *devs = qdev_list(), *l;

    for (l = devs; l; l = l->next) {
        DeviceState *dev = l->data;
        const Property *p;

        g_string_append_printf(out, "dev: %s, id \"%s\"\n", dev->klass->name,
                               dev->id ? dev->id : "");
        for (p = dev->klass->props; p && p->name; p++) {
            g_autoptr(JsonNode) v = qdev_prop_get_json(dev, p);
            g_autofree char *text = json_write_node(v);

            g_string_append_printf(out, "  %s = %s\n", p->name, text);
        }
    }
    g_list_free(devs);
    return true;
}

void qom_register_hmp(void)
{
    hmp_register_info("qom-tree", hmp_info_qom_tree);
    hmp_register_info("qtree", hmp_info_qtree);
}
