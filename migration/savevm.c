/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Device sections and the destination's load loop.
 *
 * A device section is named after the device type; its instance is
 * qdev_migration_path() (e.g. "phb0", "pci.0/02.0"), which the same
 * command line gives the same device on both sides.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "migration/ram.h"
#include "migration/savevm.h"
#include "migration/vmstate.h"
#include "trace.h"

static bool savevm_has_state(DeviceState *dev)
{
    return dev->realized && dev->klass->save_state &&
           !dev->klass->unmigratable;
}

bool savevm_save_devices(MigStream *s, Error **errp)
{
    g_autoptr(GList) devs = qdev_list();
    GList *l;

    for (l = devs; l; l = l->next) {
        DeviceState *dev = l->data;
        g_autoptr(GByteArray) out = NULL;
        g_autofree char *path = NULL;

        if (!savevm_has_state(dev)) {
            continue;
        }
        out = g_byte_array_new();
        path = qdev_migration_path(dev);
        dev->klass->save_state(dev, out);
        trace_migration_device_save(dev->klass->name, path, out->len);
        if (!mig_stream_put_section(s, dev->klass->name, path,
                                    dev->klass->state_version, out->data,
                                    out->len, errp)) {
            return false;
        }
    }
    return true;
}

typedef struct SavevmLoad {
    MigRamLoad *ram;
    GHashTable *devices;        /* path -> DeviceState still to load */
    GHashTable *data_devices;   /* path -> DeviceState with mig_ops */
} SavevmLoad;

static bool savevm_load_device_data(SavevmLoad *ld, const MigSection *sec,
                                    Error **errp)
{
    DeviceState *dev = g_hash_table_lookup(ld->data_devices, sec->instance);

    if (!dev) {
        error_setg(errp, "no device on this machine takes device data "
                   "there");
        return false;
    }
    if (sec->version != 1) {
        error_setg(errp, "version %u is not supported (this build reads "
                   "1)", sec->version);
        return false;
    }
    trace_migration_device_data_load(sec->instance, sec->len);
    return dev->klass->mig_ops->load_data(dev, sec->data, sec->len, errp);
}

static bool savevm_load_device(SavevmLoad *ld, const MigSection *sec,
                               Error **errp)
{
    DeviceState *dev = g_hash_table_lookup(ld->devices, sec->instance);
    MigReader r;

    if (!dev) {
        error_setg(errp, "no such device on this machine (or it appears "
                   "twice in the stream)");
        return false;
    }
    if (strcmp(dev->klass->name, sec->name)) {
        error_setg(errp, "the device there is a %s", dev->klass->name);
        return false;
    }
    if (sec->version > dev->klass->state_version || !sec->version) {
        error_setg(errp, "state version %u is not supported (this build "
                   "reads 1 to %u)", sec->version,
                   dev->klass->state_version);
        return false;
    }
    mig_reader_init(&r, sec->data, sec->len);
    if (!dev->klass->load_state(dev, &r, sec->version, errp)) {
        return false;
    }
    trace_migration_device_load(sec->name, sec->instance);
    g_hash_table_remove(ld->devices, sec->instance);
    return true;
}

static bool savevm_load_section(SavevmLoad *ld, const MigSection *sec,
                                Error **errp)
{
    if (!strcmp(sec->name, "ram-blocks") || !strcmp(sec->name, "ram")) {
        if (sec->version != 1) {
            error_setg(errp, "version %u is not supported (this build "
                       "reads 1)", sec->version);
            return false;
        }
        return sec->name[3] ? mig_ram_load_blocks(ld->ram, sec, errp)
                            : mig_ram_load_pages(ld->ram, sec, errp);
    }
    if (!strcmp(sec->name, SAVEVM_DEVICE_DATA)) {
        return savevm_load_device_data(ld, sec, errp);
    }
    return savevm_load_device(ld, sec, errp);
}

static bool savevm_load_all(SavevmLoad *ld, MigStream *s, Error **errp)
{
    g_autoptr(GList) devs = qdev_list();
    GHashTableIter iter;
    gpointer key;
    GList *l;

    for (l = devs; l; l = l->next) {
        DeviceState *dev = l->data;

        if (savevm_has_state(dev)) {
            g_hash_table_insert(ld->devices, qdev_migration_path(dev), dev);
        }
        if (dev->realized && dev->klass->mig_ops &&
            dev->klass->mig_ops->load_data) {
            g_hash_table_insert(ld->data_devices, qdev_migration_path(dev),
                                dev);
        }
    }
    if (!mig_stream_get_header(s, errp)) {
        return false;
    }
    for (;;) {
        MigSection sec;
        int r = mig_stream_get_section(s, &sec, errp);
        bool ok;

        if (r < 0) {
            return false;
        }
        if (!r) {
            break;
        }
        ok = savevm_load_section(ld, &sec, errp);
        if (!ok && *sec.instance) {
            error_prepend(errp, "section '%s' (%s): ", sec.name,
                          sec.instance);
        } else if (!ok) {
            error_prepend(errp, "section '%s': ", sec.name);
        }
        mig_section_clear(&sec);
        if (!ok) {
            return false;
        }
    }
    if (!mig_ram_load_complete(ld->ram, errp)) {
        error_prepend(errp, "section 'ram-blocks': ");
        return false;
    }
    /* A device of ours the source did not describe would run stale. */
    g_hash_table_iter_init(&iter, ld->devices);
    if (g_hash_table_iter_next(&iter, &key, NULL)) {
        DeviceState *dev = g_hash_table_lookup(ld->devices, key);

        error_setg(errp, "section '%s' (%s): missing from the stream (the "
                   "source has different devices)", dev->klass->name,
                   (const char *)key);
        return false;
    }
    /* Devices with state of their own check they got all of it. */
    g_hash_table_iter_init(&iter, ld->data_devices);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        DeviceState *dev = g_hash_table_lookup(ld->data_devices, key);

        if (dev->klass->mig_ops->load_finish &&
            !dev->klass->mig_ops->load_finish(dev, errp)) {
            error_prepend(errp, "section '%s' (%s): ", SAVEVM_DEVICE_DATA,
                          (const char *)key);
            return false;
        }
    }
    return true;
}

bool savevm_load(MigStream *s, Error **errp)
{
    SavevmLoad ld = {
        .ram = mig_ram_load_new(),
        .devices = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         NULL),
        .data_devices = g_hash_table_new_full(g_str_hash, g_str_equal,
                                              g_free, NULL),
    };
    bool ok = savevm_load_all(&ld, s, errp);

    mig_ram_load_free(ld.ram);
    g_hash_table_unref(ld.devices);
    g_hash_table_unref(ld.data_devices);
    return ok;
}

/* ------------------------------------------ devices with mig_ops */

static const DeviceMigrationOps *savevm_mig_ops(DeviceState *dev)
{
    return dev->realized ? dev->klass->mig_ops : NULL;
}

bool savevm_devices_setup(Error **errp)
{
    g_autoptr(GList) devs = qdev_list();
    GList *l;

    for (l = devs; l; l = l->next) {
        const DeviceMigrationOps *ops = savevm_mig_ops(l->data);

        if (ops && ops->save_setup && !ops->save_setup(l->data, errp)) {
            return false;
        }
    }
    return true;
}

static bool savevm_put_device_data(MigStream *s, DeviceState *dev,
                                   const uint8_t *data, size_t len,
                                   Error **errp)
{
    g_autofree char *path = qdev_migration_path(dev);

    trace_migration_device_data(path, len);
    return mig_stream_put_section(s, SAVEVM_DEVICE_DATA, path, 1, data,
                                  len, errp);
}

/* Each chunk a device hands over becomes one section. */
static bool savevm_devices_collect(MigStream *s, bool final, Error **errp)
{
    g_autoptr(GList) devs = qdev_list();
    GList *l;

    for (l = devs; l; l = l->next) {
        const DeviceMigrationOps *ops = savevm_mig_ops(l->data);
        g_autoptr(GPtrArray) chunks = NULL;
        bool ok;
        guint i;

        if (!ops || !(final ? ops->save_complete : ops->save_iterate)) {
            continue;
        }
        chunks = g_ptr_array_new_with_free_func(
            (GDestroyNotify)g_byte_array_unref);
        ok = final ? ops->save_complete(l->data, chunks,
                                        SAVEVM_DEVICE_CHUNK, errp)
                   : ops->save_iterate(l->data, chunks,
                                       SAVEVM_DEVICE_CHUNK, errp);
        if (!ok) {
            return false;
        }
        for (i = 0; i < chunks->len; i++) {
            GByteArray *c = g_ptr_array_index(chunks, i);

            if (!savevm_put_device_data(s, l->data, c->data, c->len,
                                        errp)) {
                return false;
            }
        }
    }
    return true;
}

bool savevm_devices_iterate(MigStream *s, Error **errp)
{
    return savevm_devices_collect(s, false, errp);
}

bool savevm_devices_stop(Error **errp)
{
    g_autoptr(GList) devs = qdev_list();
    GList *l;
    int p2p;

    /* No device stops before every one has stopped talking to peers. */
    for (p2p = 1; p2p >= 0; p2p--) {
        for (l = devs; l; l = l->next) {
            const DeviceMigrationOps *ops = savevm_mig_ops(l->data);

            if (ops && ops->save_stop &&
                !ops->save_stop(l->data, p2p, errp)) {
                return false;
            }
        }
    }
    return true;
}

bool savevm_devices_complete(MigStream *s, Error **errp)
{
    return savevm_devices_collect(s, true, errp);
}

void savevm_devices_cleanup(bool ok)
{
    g_autoptr(GList) devs = qdev_list();
    GList *l;

    for (l = devs; l; l = l->next) {
        const DeviceMigrationOps *ops = savevm_mig_ops(l->data);

        if (ops && ops->save_cleanup) {
            ops->save_cleanup(l->data, ok);
        }
    }
}

void savevm_devices_run(void)
{
    g_autoptr(GList) devs = qdev_list();
    GList *l;

    for (l = devs; l; l = l->next) {
        const DeviceMigrationOps *ops = savevm_mig_ops(l->data);

        if (ops && ops->run) {
            ops->run(l->data);
        }
    }
}

bool savevm_devices_stats(DeviceMigrationStats *sum)
{
    g_autoptr(GList) devs = qdev_list();
    bool any = false;
    GList *l;

    memset(sum, 0, sizeof(*sum));
    for (l = devs; l; l = l->next) {
        const DeviceMigrationOps *ops = savevm_mig_ops(l->data);
        DeviceMigrationStats st = { 0 };

        if (!ops || !ops->stats) {
            continue;
        }
        ops->stats(l->data, &st);
        /* One mode for the machine: the weakest of its devices. */
        if (!sum->dirty_mode || (st.dirty_mode &&
                                 strcmp(st.dirty_mode, "device"))) {
            sum->dirty_mode = st.dirty_mode;
        }
        sum->state_bytes += st.state_bytes;
        sum->precopy_bytes += st.precopy_bytes;
        sum->dirty_pages += st.dirty_pages;
        sum->dirty_resent_bytes += st.dirty_resent_bytes;
        any = true;
    }
    return any;
}
