/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Device registry: types, instances, -device / device_add / device_del,
 * reset and teardown.
 *
 * Devices live on one list in creation order.  Those created before
 * qdev_machine_creation_done() are part of the machine as started;
 * later ones are hotplugged, which the type must allow.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "qapi/qmp.h"
#include "qemu/keyval.h"
#include "hw/core/qdev-internal.h"
#include "qapi/qmp-internal.h"
#include "trace.h"

static GHashTable *qdev_classes;    /* name -> const DeviceClass * */
static GList *qdev_devices;         /* every DeviceState, oldest first */
static bool qdev_started;

/*
 * Where QEMU's QOM tree shows a device: user-created ones under
 * /machine/peripheral (by id) or /machine/peripheral-anon, the
 * machine's own under /machine/unattached, the anonymous ones as
 * "device[N]" with N counted per container and never reused.
 */
typedef struct QdevQomPlace {
    bool user;
    unsigned index;
} QdevQomPlace;

static GHashTable *qdev_places;     /* DeviceState * -> QdevQomPlace * */

typedef struct QdevGlobal {
    char *driver, *prop, *value;
} QdevGlobal;

static GPtrArray *qdev_globals;     /* QdevGlobal *, in option order */

static void qdev_global_free(gpointer p)
{
    QdevGlobal *g = p;

    g_free(g->driver);
    g_free(g->prop);
    g_free(g->value);
    g_free(g);
}

bool qdev_global_add(const char *driver, const char *prop,
                     const char *value, Error **errp)
{
    const DeviceClass *dc = qdev_find_class(driver);
    const Property *p = dc ? qdev_find_prop(dc, prop) : NULL;
    QdevGlobal *g;

    if (!dc) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return false;
    }
    if (!p) {
        error_setg(errp, "Property '%s.%s' not found", driver, prop);
        return false;
    }
    if (!qdev_prop_check_value(dc, p, value, errp)) {
        return false;
    }
    if (!qdev_globals) {
        qdev_globals = g_ptr_array_new_with_free_func(qdev_global_free);
    }
    g = g_new(QdevGlobal, 1);
    g->driver = g_strdup(driver);
    g->prop = g_strdup(prop);
    g->value = g_strdup(value);
    g_ptr_array_add(qdev_globals, g);
    return true;
}

void qdev_globals_clear(void)
{
    g_clear_pointer(&qdev_globals, g_ptr_array_unref);
}

/* Later -global options win, as they are applied later. */
static void qdev_apply_globals(DeviceState *dev)
{
    unsigned i;

    for (i = 0; qdev_globals && i < qdev_globals->len; i++) {
        QdevGlobal *g = qdev_globals->pdata[i];

        if (!strcmp(g->driver, dev->klass->name)) {
            /* Checked by qdev_global_add: it parses. */
            qdev_prop_parse(dev, qdev_find_prop(dev->klass, g->prop),
                            g->value, &error_abort);
        }
    }
}
static unsigned qdev_next_unattached, qdev_next_anon;

static QdevQomPlace *qdev_place(DeviceState *dev)
{
    return qdev_places ? g_hash_table_lookup(qdev_places, dev) : NULL;
}

const char *qdev_qom_container(DeviceState *dev)
{
    QdevQomPlace *p = qdev_place(dev);

    if (!p || !p->user) {
        return "unattached";
    }
    return dev->id ? "peripheral" : "peripheral-anon";
}

char *qdev_qom_name(DeviceState *dev)
{
    QdevQomPlace *p = qdev_place(dev);

    if (p && p->user && dev->id) {
        return g_strdup(dev->id);
    }
    return g_strdup_printf("device[%u]", p ? p->index : 0);
}

void qdev_register_type(const DeviceClass *dc)
{
    g_assert(dc->name && dc->instance_size >= sizeof(DeviceState));
    if (!qdev_classes) {
        qdev_classes = g_hash_table_new(g_str_hash, g_str_equal);
    }
    /* Two types with one name is a build bug, not a user error. */
    g_assert(!g_hash_table_contains(qdev_classes, dc->name));
    g_hash_table_insert(qdev_classes, (gpointer)dc->name, (gpointer)dc);
}

const DeviceClass *qdev_find_class(const char *name)
{
    return qdev_classes ? g_hash_table_lookup(qdev_classes, name) : NULL;
}

GList *qdev_class_list(void)
{
    return qdev_classes ? g_hash_table_get_values(qdev_classes) : NULL;
}

DeviceState *qdev_new(const char *type, Error **errp)
{
    const DeviceClass *dc = qdev_find_class(type);
    DeviceState *dev;

    if (!dc) {
        error_setg(errp, "'%s' is not a valid device model name", type);
        return NULL;
    }
    dev = g_malloc0(dc->instance_size);
    dev->klass = dc;
    qdev_prop_set_defaults(dev);
    qdev_apply_globals(dev);
    qdev_devices = g_list_append(qdev_devices, dev);
    if (!qdev_places) {
        qdev_places = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    }
    g_hash_table_insert(qdev_places, dev, g_new0(QdevQomPlace, 1));
    return dev;
}

bool qdev_set_prop(DeviceState *dev, const char *name, const char *value,
                   Error **errp)
{
    const Property *prop;

    if (!strcmp(name, "id")) {
        g_free(dev->id);
        dev->id = g_strdup(value);
        return true;
    }
    if (!strcmp(name, "bus")) {
        g_free(dev->bus_id);
        dev->bus_id = g_strdup(value);
        return true;
    }
    prop = qdev_find_prop(dev->klass, name);
    if (!prop) {
        error_setg(errp, "device '%s' has no property '%s'",
                   dev->klass->name, name);
        return false;
    }
    if (dev->realized) {
        error_setg(errp, "property '%s' of '%s' cannot be changed after "
                   "the device is realized", name, dev->klass->name);
        return false;
    }
    return qdev_prop_parse(dev, prop, value, errp);
}

bool qdev_realize(DeviceState *dev, Error **errp)
{
    QdevQomPlace *place = qdev_place(dev);

    g_assert(!dev->realized);
    dev->hotplugged = qdev_started;
    if (dev->klass->realize && !dev->klass->realize(dev, errp)) {
        return false;
    }
    dev->realized = true;
    if (place && !place->user) {
        place->index = qdev_next_unattached++;
    }
    trace_qdev_realize(dev->klass->name, dev->id ? dev->id : "",
                       dev->hotplugged);
    return true;
}

void qdev_destroy(DeviceState *dev)
{
    if (!dev) {
        return;
    }
    if (dev->realized) {
        trace_qdev_unrealize(dev->klass->name, dev->id ? dev->id : "");
        if (dev->klass->unrealize) {
            dev->klass->unrealize(dev);
        }
        dev->realized = false;
    }
    qdev_devices = g_list_remove(qdev_devices, dev);
    if (qdev_places) {
        g_hash_table_remove(qdev_places, dev);
    }
    qdev_prop_free_all(dev);
    g_free(dev->id);
    g_free(dev->bus_id);
    dev->id = dev->bus_id = NULL;
    if (dev->klass->finalize) {
        dev->klass->finalize(dev);
    }
    g_free(dev);
}

DeviceState *qdev_find_by_id(const char *id)
{
    GList *l;

    for (l = qdev_devices; l; l = l->next) {
        DeviceState *dev = l->data;

        if (dev->id && !strcmp(dev->id, id)) {
            return dev;
        }
    }
    return NULL;
}

/* Ids are used in QMP and paths: letters first, then [A-Za-z0-9-._]. */
static bool qdev_id_wellformed(const char *id)
{
    const char *p;

    if (!g_ascii_isalpha(*id)) {
        return false;
    }
    for (p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static bool qdev_check_addable(const DeviceClass *dc, const char *id,
                               Error **errp)
{
    if (!dc->user_creatable) {
        error_setg(errp, "device '%s' can not be created by the user",
                   dc->name);
        return false;
    }
    if (qdev_started && !dc->hotpluggable) {
        error_setg(errp, "device '%s' does not support hotplugging",
                   dc->name);
        return false;
    }
    if (id && !qdev_id_wellformed(id)) {
        error_setg(errp, "invalid device id '%s': it must start with a "
                   "letter and contain only letters, digits, '-', '.' "
                   "and '_'", id);
        return false;
    }
    if (id && qdev_find_by_id(id)) {
        error_setg(errp, "duplicate device id '%s'", id);
        return false;
    }
    return true;
}

DeviceState *qdev_device_add_props(GHashTable *props, Error **errp)
{
    const char *driver = g_hash_table_lookup(props, "driver");
    const char *id = g_hash_table_lookup(props, "id");
    const DeviceClass *dc;
    DeviceState *dev;
    GList *keys, *l;

    if (!driver) {
        error_setg(errp, "parameter 'driver' is missing");
        return NULL;
    }
    dc = qdev_find_class(driver);
    if (!dc) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return NULL;
    }
    if (!qdev_check_addable(dc, id, errp)) {
        return NULL;
    }
    dev = qdev_new(driver, errp);
    qdev_place(dev)->user = true;
    keys = keyval_sorted_keys(props);
    for (l = keys; l; l = l->next) {
        const char *key = l->data;

        if (!strcmp(key, "driver")) {
            continue;
        }
        if (!qdev_set_prop(dev, key, g_hash_table_lookup(props, key),
                           errp)) {
            g_list_free(keys);
            qdev_destroy(dev);
            return NULL;
        }
    }
    g_list_free(keys);
    if (!qdev_realize(dev, errp)) {
        qdev_destroy(dev);
        return NULL;
    }
    if (!dev->id) {
        qdev_place(dev)->index = qdev_next_anon++;
    }
    return dev;
}

DeviceState *qdev_device_add_str(const char *optstr, Error **errp)
{
    g_autoptr(GHashTable) props = keyval_parse_any(optstr, "driver", errp);

    if (!props) {
        return NULL;
    }
    return qdev_device_add_props(props, errp);
}

static QdevMachine *qdev_machine;     /* the root, while it exists */

void qdev_set_machine(QdevMachine *machine)
{
    qdev_machine = machine;
}

QdevMachine *qdev_get_machine(void)
{
    return qdev_machine;
}

/* The device goes, with its DEVICE_DELETED event. */
static void qdev_unplug_done(DeviceState *dev)
{
    g_autoptr(JsonObject) data = json_object_new();
    g_autofree char *id = g_strdup(dev->id);
    g_autofree char *path = NULL;

    qdev_destroy(dev);
    if (!id) {
        return;     /* device_del needs an id: not from a request */
    }
    /* As QEMU names user-created devices in the QOM tree. */
    path = g_strdup_printf("/machine/peripheral/%s", id);
    json_object_set_string_member(data, "device", id);
    json_object_set_string_member(data, "path", path);
    /* QEMU replies to device_del before the unplug completes. */
    qmp_event_send_after_reply("DEVICE_DELETED", data);
}

void qdev_unplug_complete(DeviceState *dev)
{
    qdev_unplug_done(dev);
}

bool qdev_device_del(const char *id, Error **errp)
{
    DeviceState *dev = qdev_find_by_id(id);

    if (!dev || !dev->realized) {
        error_setg(errp, "device '%s' not found", id);
        return false;
    }
    if (!dev->klass->hotpluggable) {
        error_setg(errp, "device '%s' (%s) does not support hot-unplug",
                   id, dev->klass->name);
        return false;
    }
    if (dev->klass->unplug_request &&
        !dev->klass->unplug_request(dev, errp)) {
        return false;
    }
    /*
     * The machine may have to ask the guest first (a pseries DRC): the
     * device then goes, with its event, when the guest has let it go.
     */
    switch (qdev_machine && qdev_machine->unplug ?
            qdev_machine->unplug(qdev_machine, dev, qdev_unplug_done,
                                 errp) : QDEV_UNPLUG_NOW) {
    case QDEV_UNPLUG_REFUSED:
        return false;
    case QDEV_UNPLUG_PENDING:
        trace_qdev_unplug_pending(dev->klass->name, id);
        return true;
    default:
        qdev_unplug_done(dev);
        return true;
    }
}

GList *qdev_list(void)
{
    GList *out = NULL, *l;

    for (l = qdev_devices; l; l = l->next) {
        DeviceState *dev = l->data;

        if (dev->realized) {
            out = g_list_prepend(out, dev);
        }
    }
    return g_list_reverse(out);
}

void qdev_reset_all(void)
{
    GList *devs = qdev_list(), *l;

    for (l = devs; l; l = l->next) {
        DeviceState *dev = l->data;

        if (dev->klass->reset) {
            dev->klass->reset(dev);
        }
    }
    g_list_free(devs);
}

void qdev_destroy_all(void)
{
    /* Re-read the tail each time: unrealize may destroy children. */
    while (qdev_devices) {
        qdev_destroy(g_list_last(qdev_devices)->data);
    }
    qdev_started = false;
    qdev_next_unattached = qdev_next_anon = 0;
    g_clear_pointer(&qdev_places, g_hash_table_unref);
}

void qdev_machine_creation_done(void)
{
    qdev_started = true;
}

bool qdev_machine_is_started(void)
{
    return qdev_started;
}

/* ---------------------------------------------------------- migration */

char *qdev_migration_path(DeviceState *dev)
{
    unsigned ordinal = 0;
    GList *l;

    if (dev->klass->migration_path) {
        return dev->klass->migration_path(dev);
    }
    /* Same command line, same creation order: the ordinal matches. */
    for (l = qdev_devices; l && l->data != dev; l = l->next) {
        DeviceState *other = l->data;

        ordinal += other->klass == dev->klass;
    }
    return g_strdup_printf("%s/%u", dev->klass->name, ordinal);
}

/* The device's string property @name, or NULL. */
static const char *qdev_get_str_prop(DeviceState *dev, const char *name)
{
    const Property *prop = qdev_find_prop(dev->klass, name);

    if (!prop || prop->type != PROP_STRING) {
        return NULL;
    }
    return *(char **)((uint8_t *)dev + prop->offset);
}

bool qdev_check_migratable(Error **errp)
{
    GList *l;

    for (l = qdev_devices; l; l = l->next) {
        DeviceState *dev = l->data;
        const char *host;

        g_autofree char *why = NULL;

        if (dev->realized && dev->klass->mig_ops &&
            dev->klass->mig_ops->blocker) {
            why = dev->klass->mig_ops->blocker(dev);
        }
        if (!dev->realized || (!dev->klass->unmigratable && !why)) {
            continue;
        }
        host = qdev_get_str_prop(dev, "host");
        error_setg(errp, "device '%s' (%s%s%s) cannot be migrated: %s",
                   dev->id ? dev->id : "(no id)",
                   dev->klass->name, host ? ", host " : "",
                   host ? host : "", why ? why : "it has no device state "
                   "support");
        return false;
    }
    return true;
}
