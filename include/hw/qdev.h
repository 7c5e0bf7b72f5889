/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Devices: a small registry of device types with typed properties,
 * used by -device, QMP device_add/device_del and machine reset.
 *
 * Each device's file registers its type with type_init() (a constructor
 * run before main), so no list of every type exists anywhere.
 */
#ifndef HW_QDEV_H
#define HW_QDEV_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/*
 * Run @function before main(): a file registers its types, QMP
 * commands and HMP info handlers from here.  The registries it calls
 * create themselves on first use, so the order between files does
 * not matter.  The libraries of devices are linked whole (see
 * system/meson.build), since nothing else refers to such a file.
 */
#define type_init(function) \
    static void __attribute__((constructor)) function##_ctor(void) \
    { \
        function(); \
    }

typedef struct DeviceState DeviceState;
typedef struct DeviceClass DeviceClass;
typedef struct MigReader MigReader;     /* migration/vmstate.h */
typedef struct DeviceMigrationOps DeviceMigrationOps;

typedef enum PropertyType {
    PROP_BOOL,          /* bool: on/off/yes/no/true/false */
    PROP_UINT32,        /* uint32_t, any C base */
    PROP_UINT64,        /* uint64_t, any C base */
    PROP_SIZE,          /* uint64_t, with K/M/G/T suffixes */
    PROP_STRING,        /* char *, g_strdup'ed, freed with the device */
    PROP_PCI_DEVFN,     /* int32_t: "SLOT" or "SLOT.FN"; -1 = auto */
} PropertyType;

typedef struct Property {
    const char *name;
    PropertyType type;
    size_t offset;          /* into the device instance */
    const char *defval;     /* parsed at qdev_new(); NULL = zero */
    const char *desc;
} Property;

#define DEFINE_PROP(_name, _state, _field, _type, _def, _desc) \
    { .name = (_name), .type = (_type), \
      .offset = offsetof(_state, _field), .defval = (_def), .desc = (_desc) }

struct DeviceClass {
    const char *name;
    const char *desc;
    size_t instance_size;       /* >= sizeof(DeviceState), it comes first */
    const Property *props;      /* terminated by { .name = NULL } */
    const char *bus_type;       /* "PCI" for PCI devices, NULL otherwise */
    bool user_creatable;        /* -device / device_add allowed */
    bool hotpluggable;          /* device_add/device_del after start */
    /* Called after properties are set; must undo everything on error. */
    bool (*realize)(DeviceState *dev, Error **errp);
    /* Called before the device is freed; release all host resources. */
    void (*unrealize)(DeviceState *dev);
    /*
     * device_del asks this first (when set): false with @errp set
     * refuses the unplug, and the device stays as it was.  A DIMM
     * refuses while its memory is still mapped for DMA.
     */
    bool (*unplug_request)(DeviceState *dev, Error **errp);
    void (*reset)(DeviceState *dev);
    /* Called after every property is freed and before g_free(). */
    void (*finalize)(DeviceState *dev);

    /*
     * Migration (see docs/migration.md).  save_state appends the state
     * the properties do not describe; load_state reads it back into a
     * device made from the same command line, checking everything it
     * reads.  No save_state: nothing to send.  migration_path names the
     * instance the same way on both sides (default: type and ordinal).
     * An unmigratable device makes migrate fail, naming it.
     */
    uint32_t state_version;
    void (*save_state)(DeviceState *dev, GByteArray *out);
    bool (*load_state)(DeviceState *dev, MigReader *in, uint32_t version,
                       Error **errp);
    char *(*migration_path)(DeviceState *dev);
    bool unmigratable;
    /* Live migration with state of the device's own (vfio); NULL: none. */
    const DeviceMigrationOps *mig_ops;
};

/* What a device with mig_ops sent, for query-migrate. */
typedef struct DeviceMigrationStats {
    const char *dirty_mode;     /* how its DMA writes are found */
    uint64_t state_bytes;       /* device state sent (all phases) */
    uint64_t precopy_bytes;     /* ...of which while it ran */
    uint64_t dirty_pages;       /* guest pages marked dirty for its DMA */
    uint64_t dirty_resent_bytes; /* RAM resent because of its writes */
} DeviceMigrationStats;

/*
 * A device whose state lives outside the process (a VFIO device) and
 * takes part in every phase of a migration (docs/migration.md).  The
 * data goes in "device-data" sections, any number per device, in the
 * order they were produced; the device itself gives them meaning.
 * Every hook may be NULL.
 */
struct DeviceMigrationOps {
    /* migrate refuses while this returns a reason (g_free it). */
    char *(*blocker)(DeviceState *dev);
    /* Source, machine running: the migration starts. */
    bool (*save_setup)(DeviceState *dev, Error **errp);
    /*
     * Between RAM passes: what the device has now, as GByteArrays of at
     * most @max bytes appended to @chunks (each one section).
     */
    bool (*save_iterate)(DeviceState *dev, GPtrArray *chunks, size_t max,
                         Error **errp);
    /*
     * Machine stopped: called for every device with @p2p (stop talking
     * to other devices), then for every device without (stop all DMA,
     * collect the final state) -- before the last RAM sync.
     */
    bool (*save_stop)(DeviceState *dev, bool p2p, Error **errp);
    /* After the last RAM: the final state, as for save_iterate. */
    bool (*save_complete)(DeviceState *dev, GPtrArray *chunks, size_t max,
                          Error **errp);
    /* The migration ended: @ok (source stays stopped) or the device runs
     * again as if nothing happened. */
    void (*save_cleanup)(DeviceState *dev, bool ok);
    void (*stats)(DeviceState *dev, DeviceMigrationStats *st);
    /* Destination: one section's payload. */
    bool (*load_data)(DeviceState *dev, const uint8_t *data, size_t len,
                      Error **errp);
    /* Destination: the stream ended; false if the state is incomplete. */
    bool (*load_finish)(DeviceState *dev, Error **errp);
    /* Either side: the machine runs (again). */
    void (*run)(DeviceState *dev);
};

struct DeviceState {
    const DeviceClass *klass;
    char *id;                   /* user id, or NULL */
    char *bus_id;               /* bus= property, or NULL */
    bool realized;
    bool hotplugged;            /* added after machine start */
};

void qdev_register_type(const DeviceClass *dc);
const DeviceClass *qdev_find_class(const char *name);

/* Allocate with defaults applied; not yet realized. */
DeviceState *qdev_new(const char *type, Error **errp);
bool qdev_set_prop(DeviceState *dev, const char *name, const char *value,
                   Error **errp);
bool qdev_realize(DeviceState *dev, Error **errp);
/* Unrealize (if realized) and free. */
void qdev_destroy(DeviceState *dev);

/*
 * -device / device_add: "driver" (or the first word of @optstr) names
 * the type, "id" and "bus" are common properties, the rest are the
 * type's.  Unknown property: an error naming it and the type.
 */
DeviceState *qdev_device_add_str(const char *optstr, Error **errp);
DeviceState *qdev_device_add_props(GHashTable *props, Error **errp);
/*
 * device_del: @id must name a realized, hotpluggable device whose
 * class unplug_request (if any) agrees; then it is destroyed and
 * DEVICE_DELETED sent.  On error nothing changed.
 */
bool qdev_device_del(const char *id, Error **errp);
DeviceState *qdev_find_by_id(const char *id);
/* Realized devices in creation order. */
GList *qdev_list(void);
void qdev_reset_all(void);
/* Destroy every device, newest first (machine teardown). */
void qdev_destroy_all(void);

/* "-device help" and "-device TYPE,help". */
void qdev_print_types(FILE *out);
bool qdev_print_props(FILE *out, const char *type, Error **errp);

/* Machine started: later device_add calls count as hotplug. */
void qdev_machine_creation_done(void);
bool qdev_machine_is_started(void);

/*
 * Migration: the name of @dev's section instance (g_free it), and the
 * check migrate runs first: an error naming the first unmigratable
 * device (its id, type and host address when it has one).
 */
char *qdev_migration_path(DeviceState *dev);
bool qdev_check_migratable(Error **errp);

/*
 * device_del's second step, once the device's class agreed: the
 * machine's (QdevMachine.unplug; QEMU: the machine is the hotplug
 * handler).  QDEV_UNPLUG_NOW: qdev removes @dev now;
 * QDEV_UNPLUG_PENDING: the guest was asked to release it (a pseries
 * DRC) and the machine calls @done(@dev) when it has, or at the next
 * reset; QDEV_UNPLUG_REFUSED: @errp says why and nothing changed.
 * Without a handler a device goes at once.
 */
enum {
    QDEV_UNPLUG_REFUSED = -1,
    QDEV_UNPLUG_NOW = 0,
    QDEV_UNPLUG_PENDING = 1,
};
typedef int (*QdevUnplugHandler)(void *opaque, DeviceState *dev,
                                 void (*done)(DeviceState *dev),
                                 Error **errp);

/*
 * The machine, root of the device tree (QOM's /machine): devices reach
 * their machine's hotplug handlers through it, not through hooks each
 * device type keeps.  A machine model puts it first in its state and
 * links it with qdev_set_machine() while it exists (NULL after).
 */
typedef struct QdevMachine QdevMachine;
struct QdevMachine {
    /* device_del's second step (called with the machine as @opaque). */
    QdevUnplugHandler unplug;
    /*
     * The machine's plug rules for @dev, in the form @dev's type
     * defines (a DIMM: PCDIMMHotplugOps), or NULL when the machine
     * cannot take such a device.
     */
    const void *(*hotplug_handler)(QdevMachine *machine, DeviceState *dev);
};
void qdev_set_machine(QdevMachine *machine);
QdevMachine *qdev_get_machine(void);
/*
 * The @done a handler gets: the device goes, with DEVICE_DELETED.  For
 * an unplug that was requested before an incoming migration, whose
 * completion the destination's machine owes.
 */
void qdev_unplug_complete(DeviceState *dev);

#endif
