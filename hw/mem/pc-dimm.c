/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pc-dimm: guest RAM from a memory backend, placed by the machine.
 *
 * The DIMM takes its backend for as long as it exists (the backend
 * refuses object-del meanwhile) and holds a reference on the backend's
 * region, so the memory stays until both the DIMM and the backend are
 * gone.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "hw/mem/pc-dimm.h"

static GList *pc_dimms;         /* realized PCDIMMDevice, creation order */

static const char *pc_dimm_name(PCDIMMDevice *dimm)
{
    return dimm->parent_obj.id ? dimm->parent_obj.id : TYPE_PC_DIMM;
}

static bool pc_dimm_realize(DeviceState *dev, Error **errp)
{
    PCDIMMDevice *dimm = (PCDIMMDevice *)dev;
    QdevMachine *machine;
    const PCDIMMHotplugOps *ops;
    HostMemoryBackend *be;

    if (!dimm->memdev || !*dimm->memdev) {
        error_setg(errp, "'%s': property 'memdev' is required",
                   pc_dimm_name(dimm));
        return false;
    }
    be = host_memory_backend_find(dimm->memdev);
    if (!be) {
        error_setg(errp, "'%s': memory backend '%s' not found",
                   pc_dimm_name(dimm), dimm->memdev);
        return false;
    }
    if (be->in_use) {
        error_setg(errp, "'%s': memory backend '%s' is already in use%s%s",
                   pc_dimm_name(dimm), dimm->memdev,
                   be->user ? " by " : "", be->user ? be->user : "");
        return false;
    }
    machine = qdev_get_machine();
    ops = machine && machine->hotplug_handler ?
          machine->hotplug_handler(machine, dev) : NULL;
    if (!ops) {
        error_setg(errp, "'%s': the machine does not support memory "
                   "devices", pc_dimm_name(dimm));
        return false;
    }
    dimm->backend = be;
    if (!ops->plug(dimm, errp)) {
        dimm->backend = NULL;
        return false;
    }
    dimm->hotplug = ops;
    dimm->plugged = true;
    host_memory_backend_set_user(be, pc_dimm_name(dimm));
    memory_region_ref(host_memory_backend_get_memory(be));
    pc_dimms = g_list_append(pc_dimms, dimm);
    return true;
}

static void pc_dimm_unrealize(DeviceState *dev)
{
    PCDIMMDevice *dimm = (PCDIMMDevice *)dev;
    HostMemoryBackend *be = dimm->backend;

    pc_dimms = g_list_remove(pc_dimms, dimm);
    if (dimm->plugged) {
        dimm->hotplug->unplug(dimm);
    }
    dimm->plugged = false;
    dimm->hotplug = NULL;
    host_memory_backend_set_user(be, NULL);
    dimm->backend = NULL;
    /* The backend's own reference keeps the memory until object-del. */
    memory_region_unref(host_memory_backend_get_memory(be));
}

/* qdev's unplug_request: the machine's rules decide. */
static bool pc_dimm_dev_unplug_request(DeviceState *dev, Error **errp)
{
    PCDIMMDevice *dimm = (PCDIMMDevice *)dev;

    if (!dimm->plugged || !dimm->hotplug->unplug_request) {
        return true;
    }
    return dimm->hotplug->unplug_request(dimm, errp);
}

static const Property pc_dimm_props[] = {
    DEFINE_PROP("memdev", PCDIMMDevice, memdev, PROP_STRING, NULL,
                "id of the memory backend (required)"),
    DEFINE_PROP("addr", PCDIMMDevice, addr, PROP_UINT64, "0",
                "guest physical address (0: first free)"),
    DEFINE_PROP("slot", PCDIMMDevice, slot, PROP_UINT32, "4294967295",
                "memory slot (4294967295: first free)"),
    DEFINE_PROP("node", PCDIMMDevice, node, PROP_UINT32, "0",
                "NUMA node"),
    { .name = NULL },
};

static const DeviceClass pc_dimm_class = {
    .name = TYPE_PC_DIMM,
    .desc = "DIMM memory module",
    .instance_size = sizeof(PCDIMMDevice),
    .props = pc_dimm_props,
    .user_creatable = true,
    .hotpluggable = true,
    .realize = pc_dimm_realize,
    .unrealize = pc_dimm_unrealize,
    .unplug_request = pc_dimm_dev_unplug_request,
};

PCDIMMDevice *pc_dimm_cast(DeviceState *dev)
{
    return dev && dev->klass == &pc_dimm_class ? (PCDIMMDevice *)dev : NULL;
}

uint64_t pc_dimm_size(const PCDIMMDevice *dimm)
{
    return dimm->backend ? dimm->backend->size : 0;
}

MemoryRegion *pc_dimm_memory(PCDIMMDevice *dimm)
{
    return host_memory_backend_get_memory(dimm->backend);
}

GList *pc_dimm_list(void)
{
    return g_list_copy(pc_dimms);
}

static void pc_dimm_register_types(void)
{
    qdev_register_type(&pc_dimm_class);
}

type_init(pc_dimm_register_types)
