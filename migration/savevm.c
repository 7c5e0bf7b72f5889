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
} SavevmLoad;

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
    return true;
}

bool savevm_load(MigStream *s, Error **errp)
{
    SavevmLoad ld = {
        .ram = mig_ram_load_new(),
        .devices = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         NULL),
    };
    bool ok = savevm_load_all(&ld, s, errp);

    mig_ram_load_free(ld.ram);
    g_hash_table_unref(ld.devices);
    return ok;
}
