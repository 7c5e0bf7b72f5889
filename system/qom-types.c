/*
 * The QOM type hierarchy clients see (qom-list-types and the checks of
 * device-list-properties): the abstract types and interfaces QEMU's
 * clients name, plus every machine, device class and memory backend
 * type of this build under the parent QEMU gives it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "sysemu/hostmem.h"
#include "system/machines.h"
#include "system/qdev-internal.h"
#include "system/qom.h"

typedef struct QomStaticType {
    const char *name;
    const char *parent;
    bool abstract;
    const char *interface;      /* one interface, or NULL */
} QomStaticType;

/* The part of QEMU's hierarchy above the concrete types of this build. */
static const QomStaticType qom_static_types[] = {
    { "object", NULL, true },
    { "interface", NULL, true },
    { "user-creatable", "interface", true },
    { "hotplug-handler", "interface", true },
    { "memory-device", "interface", true },
    { "conventional-pci-device", "interface", true },
    { "container", "object", false },
    { "qtest", "object", false, "user-creatable" },
    { "accel", "object", true },
    { "qtest-accel", "accel", false },
    { "machine", "object", true },
    { "spapr-machine", "machine", true, "hotplug-handler" },
    { "device", "object", true },
    { "sys-bus-device", "device", true },
    { "pci-host-bridge", "sys-bus-device", true },
    { "pci-device", "device", true },
    { "memory-backend", "object", true, "user-creatable" },
};

/* Device classes whose place is not given by their bus alone. */
static const QomStaticType qom_device_places[] = {
    { "spapr-pci-host-bridge", "pci-host-bridge", false,
      "hotplug-handler" },
    { "pc-dimm", "device", false, "memory-device" },
};

static QomTypeInfo *qom_type_new(const char *name, const char *parent,
                                 bool abstract, const char *iface)
{
    QomTypeInfo *ti = g_new0(QomTypeInfo, 1);

    ti->name = g_strdup(name);
    ti->parent = g_strdup(parent);
    ti->abstract = abstract;
    ti->interfaces = g_ptr_array_new_with_free_func(g_free);
    if (iface) {
        g_ptr_array_add(ti->interfaces, g_strdup(iface));
    }
    return ti;
}

void qom_type_free(QomTypeInfo *ti)
{
    if (ti) {
        g_free(ti->name);
        g_free(ti->parent);
        g_ptr_array_unref(ti->interfaces);
        g_free(ti);
    }
}

static QomTypeInfo *qom_device_type(const DeviceClass *dc)
{
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(qom_device_places); i++) {
        const QomStaticType *p = &qom_device_places[i];

        if (!strcmp(p->name, dc->name)) {
            return qom_type_new(dc->name, p->parent, false, p->interface);
        }
    }
    if (dc->bus_type && !strcmp(dc->bus_type, "PCI")) {
        return qom_type_new(dc->name, "pci-device", false,
                            "conventional-pci-device");
    }
    return qom_type_new(dc->name, "device", false, NULL);
}

static gint qom_type_compare(gconstpointer a, gconstpointer b)
{
    const QomTypeInfo *ta = *(QomTypeInfo *const *)a;
    const QomTypeInfo *tb = *(QomTypeInfo *const *)b;

    return strcmp(ta->name, tb->name);
}

GPtrArray *qom_type_list(void)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(
        (GDestroyNotify)qom_type_free);
    const MachineTypeInfo *const *mt;
    const char *const *be;
    GList *classes = qdev_class_list(), *l;
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(qom_static_types); i++) {
        const QomStaticType *t = &qom_static_types[i];

        g_ptr_array_add(out, qom_type_new(t->name, t->parent, t->abstract,
                                          t->interface));
    }
    for (mt = machine_types; *mt; mt++) {
        g_ptr_array_add(out, qom_type_new((*mt)->qom_type,
                                          (*mt)->qom_parent, false, NULL));
    }
    for (be = host_memory_backend_types; *be; be++) {
        g_ptr_array_add(out, qom_type_new(*be, "memory-backend", false,
                                          NULL));
    }
    for (l = classes; l; l = l->next) {
        g_ptr_array_add(out, qom_device_type(l->data));
    }
    g_list_free(classes);
    g_ptr_array_sort(out, qom_type_compare);
    return out;
}

QomTypeInfo *qom_type_find(const char *name)
{
    g_autoptr(GPtrArray) all = qom_type_list();
    unsigned i;

    for (i = 0; i < all->len; i++) {
        QomTypeInfo *ti = all->pdata[i];

        if (!strcmp(ti->name, name)) {
            return g_ptr_array_steal_index(all, i);
        }
    }
    return NULL;
}

bool qom_type_implements(const char *type, const char *target)
{
    g_autofree char *cur = g_strdup(type);

    /* The hierarchy is a few levels deep; a lookup per level is fine. */
    while (cur) {
        QomTypeInfo *ti = qom_type_find(cur);
        bool found;

        if (!ti) {
            return false;
        }
        found = !strcmp(ti->name, target) ||
                g_ptr_array_find_with_equal_func(ti->interfaces, target,
                                                 g_str_equal, NULL);
        g_free(cur);
        cur = g_strdup(ti->parent);
        qom_type_free(ti);
        if (found) {
            return true;
        }
    }
    return false;
}
