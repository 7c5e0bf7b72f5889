/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-pci: a host PCI device passed through to the guest.
 *
 * Configuration space is in pci-config.c: a per-byte split between the
 * emulated copy and the device (COMMAND's decode and master bits reach
 * the device, BARs are emulated, the capability list is the device's
 * with MSI/MSI-X emulated).
 *
 * BARs: register BARs are MMIO regions forwarding each access to
 * pread/pwrite of the device fd at the exact width; mmap-able BARs are
 * ram_device regions over the mapping.
 *
 * One host function is attached at most once: a second -device or
 * device_add for it is refused, naming both ids.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "hw/vfio/vfio-eeh.h"
#include "hw/pci/pci.h"
#include "qapi/qmp.h"
#include "trace.h"
#include <sys/ioctl.h>
#include <sys/mman.h>

static GPtrArray *vfio_pci_devices;

static void vfio_pci_container_recovered(VFIOContainerClient *client);

static const char *vdev_name(VFIOPCIDevice *v)
{
    return v->name ? v->name : "vfio-pci";
}

static int vfio_device_ioctl_named(VFIOPCIDevice *v, unsigned long req,
                                   const char *name, void *arg)
{
    int ret = ioctl(v->fd, req, arg);
    int err = ret < 0 ? errno : 0;

    trace_vfio_device_ioctl(vdev_name(v), name, ret < 0 ? -err : ret);
    return ret < 0 ? -err : ret;
}

/* The request's name for traces and messages is its spelling (#req). */
#define vfio_device_ioctl(v, req, arg) \
    vfio_device_ioctl_named((v), (req), #req, (arg))

static bool vfio_region_info(VFIOPCIDevice *v, unsigned index,
                             VFIORegion *r, Error **errp)
{
    struct vfio_region_info info = { .argsz = sizeof(info), .index = index };
    int ret = vfio_device_ioctl(v, VFIO_DEVICE_GET_REGION_INFO, &info);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "%s: VFIO_DEVICE_GET_REGION_INFO(%u) "
                         "failed", vdev_name(v), index);
        return false;
    }
    r->offset = info.offset;
    r->size = info.size;
    r->flags = info.flags;
    return true;
}

/* --------------------------------------------------------------- BARs */

static uint64_t vfio_bar_read(void *opaque, hwaddr addr, unsigned size)
{
    VFIOBAR *bar = opaque;
    uint8_t buf[8];
    uint64_t v = 0;
    unsigned i;

    if (pread(bar->vdev->fd, buf, size, bar->region.offset + addr) !=
        (ssize_t)size) {
        trace_vfio_bar_access_error(vdev_name(bar->vdev), bar->nr, addr);
        return ~0ULL >> (64 - 8 * size);
    }
    /* PCI registers are little-endian. */
    for (i = 0; i < size; i++) {
        v |= (uint64_t)buf[i] << (8 * i);
    }
    trace_vfio_bar_read(vdev_name(bar->vdev), bar->nr, addr, v, size);
    return v;
}

static void vfio_bar_write(void *opaque, hwaddr addr, uint64_t data,
                           unsigned size)
{
    VFIOBAR *bar = opaque;
    uint8_t buf[8];
    unsigned i;

    for (i = 0; i < size; i++) {
        buf[i] = data >> (8 * i);
    }
    trace_vfio_bar_write(vdev_name(bar->vdev), bar->nr, addr, data, size);
    if (pwrite(bar->vdev->fd, buf, size, bar->region.offset + addr) !=
        (ssize_t)size) {
        trace_vfio_bar_access_error(vdev_name(bar->vdev), bar->nr, addr);
    }
}

static const MemoryRegionOps vfio_bar_ops = {
    .read = vfio_bar_read,
    .write = vfio_bar_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Each access reaches the device with exactly its width. */
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static bool vfio_bar_setup(VFIOPCIDevice *v, int nr, Error **errp)
{
    VFIOBAR *bar = &v->bars[nr];
    uint32_t raw;
    uint8_t type;
    g_autofree char *name = NULL;

    if (!vfio_region_info(v, VFIO_PCI_BAR0_REGION_INDEX + nr, &bar->region,
                          errp)) {
        return false;
    }
    if (!bar->region.size) {
        return true;
    }
    if (!vfio_pci_dev_config_read(v, PCI_BASE_ADDRESS_0 + 4 * nr, 4,
                                  &raw)) {
        error_setg(errp, "%s: cannot read BAR %d", vdev_name(v), nr);
        return false;
    }
    if (raw & PCI_BASE_ADDRESS_SPACE_IO) {
        /* The PHB has no I/O space for passthrough: leave it unused. */
        warn_report("%s: I/O BAR %d not supported, ignored", vdev_name(v),
                    nr);
        bar->region.size = 0;
        return true;
    }
    type = raw & 0xf;
    bar->vdev = v;
    bar->nr = nr;
    bar->is64 = (type & PCI_BASE_ADDRESS_MEM_TYPE_64) != 0;
    name = g_strdup_printf("%s BAR %d", vdev_name(v), nr);
    memory_region_init_io(&bar->mr, "vfio-pci", &vfio_bar_ops, bar, name,
                          bar->region.size);
    if (bar->region.flags & VFIO_REGION_INFO_FLAG_MMAP) {
        bar->mmap = mmap(NULL, bar->region.size, PROT_READ | PROT_WRITE,
                         MAP_SHARED, v->fd, bar->region.offset);
        if (bar->mmap == MAP_FAILED) {
            /* Trapping still works: warn and go on without the mapping. */
            warn_report("%s: mmap of BAR %d failed: %s", vdev_name(v), nr,
                        g_strerror(errno));
            bar->mmap = NULL;
        } else {
            g_autofree char *mname = g_strdup_printf("%s BAR %d mmaps[0]",
                                                     vdev_name(v), nr);

            memory_region_init_ram_device_ptr(&bar->mmap_mr, "vfio-pci",
                                              mname, bar->region.size,
                                              bar->mmap);
            memory_region_add_subregion_overlap(&bar->mr, 0, &bar->mmap_mr,
                                                1);
        }
    }
    pci_register_bar(&v->parent_obj, nr, type, &bar->mr);
    bar->registered = true;
    return true;
}

static void vfio_bars_cleanup(VFIOPCIDevice *v)
{
    int i;

    for (i = 0; i < PCI_NUM_REGIONS; i++) {
        VFIOBAR *bar = &v->bars[i];

        if (!bar->registered) {
            continue;
        }
        if (bar->mmap) {
            memory_region_del_subregion(&bar->mr, &bar->mmap_mr);
            memory_region_unref(&bar->mmap_mr);
            munmap(bar->mmap, bar->region.size);
            bar->mmap = NULL;
        }
        /* The PCI core has unmapped the BAR; drop our initial reference. */
        memory_region_unref(&bar->mr);
        bar->registered = false;
    }
}

/* ------------------------------------------------------------ Lifecycle */

/*
 * Stop the device's DMA: bus master off in the device itself (memory
 * decoding stays, so the guest's driver can still look at it).  When the
 * device does not take it, reset the function: the kernel's reset leaves
 * the function with the command register we last wrote.
 */
static bool vfio_pci_stop_dma(VFIOPCIDevice *v)
{
    int ret;

    /*
     * Only the device loses bus master: the guest reads COMMAND from the
     * device, and the emulated copy keeps what the guest enabled, which
     * a recovered container gives back to the device.
     */
    if (vfio_pci_config_set_command(v, PCI_COMMAND_MASTER, 0)) {
        trace_vfio_pci_stop_dma(vdev_name(v), "bus master off");
        return true;
    }
    if (!(v->device_flags & VFIO_DEVICE_FLAGS_RESET)) {
        return false;
    }
    ret = vfio_device_ioctl(v, VFIO_DEVICE_RESET, NULL);
    if (ret < 0) {
        error_report("%s: VFIO_DEVICE_RESET failed: %s", vdev_name(v),
                     g_strerror(-ret));
        return false;
    }
    trace_vfio_pci_stop_dma(vdev_name(v), "function reset");
    return vfio_pci_config_set_command(v, PCI_COMMAND_MASTER, 0);
}

static void vfio_pci_failed(VFIOContainerClient *client)
{
    VFIOPCIDevice *v = container_of(client, VFIOPCIDevice, container_client);
    JsonObject *data;

    if (v->failed) {
        return;
    }
    v->failed = true;
    /* The host no longer mirrors the guest's TCEs. */
    if (vfio_pci_stop_dma(v)) {
        error_report("%s: host DMA mapping failed; device stopped "
                     "(bus mastering disabled on the device)",
                     vdev_name(v));
    } else {
        error_report("%s: host DMA mapping failed and bus mastering "
                     "could not be disabled on the device",
                     vdev_name(v));
    }
    trace_vfio_pci_failed(vdev_name(v));
    data = json_object_new();
    json_object_set_string_member(data, "device",
                                  v->parent_obj.qdev.id ?
                                  v->parent_obj.qdev.id : "");
    json_object_set_string_member(data, "host", vdev_name(v));
    json_object_set_string_member(data, "reason",
                                  "host IOMMU operation failed");
    qmp_event_send("VFIO_DEVICE_FAILED", data);
    json_object_unref(data);
}

static char *vfio_pci_id_str(VFIOPCIDevice *v)
{
    const char *id = v->parent_obj.qdev.id;

    return id ? g_strdup_printf("id '%s'", id) : g_strdup("no id");
}

/* One host function, one vfio-pci device (the kernel would hand out a
 * second fd for it, and two drivers would fight over one function). */
static bool vfio_pci_check_unique(VFIOPCIDevice *v, Error **errp)
{
    unsigned i;

    for (i = 0; vfio_pci_devices && i < vfio_pci_devices->len; i++) {
        VFIOPCIDevice *o = g_ptr_array_index(vfio_pci_devices, i);
        g_autofree char *oid = NULL, *vid = NULL;

        if (strcmp(o->name, v->name)) {
            continue;
        }
        oid = vfio_pci_id_str(o);
        vid = vfio_pci_id_str(v);
        error_setg(errp, "vfio-pci: host device %s is already attached as "
                   "%s; cannot attach it again as %s", v->name, oid, vid);
        return false;
    }
    return true;
}

static bool vfio_pci_resolve_host(VFIOPCIDevice *v, Error **errp)
{
    if (v->sysfsdev && v->host) {
        error_setg(errp, "vfio-pci: give either host= or sysfsdev=, not "
                   "both");
        return false;
    }
    if (!v->sysfsdev && !v->host) {
        error_setg(errp, "vfio-pci: host=DDDD:BB:DD.F or sysfsdev=PATH is "
                   "required");
        return false;
    }
    if (v->host) {
        unsigned dom, bus, slot, fn;
        char extra;

        if (sscanf(v->host, "%x:%x:%x.%x%c", &dom, &bus, &slot, &fn,
                   &extra) != 4 || bus > 0xff || slot > 0x1f || fn > 7) {
            error_setg(errp, "vfio-pci: host='%s' is not DDDD:BB:DD.F",
                       v->host);
            return false;
        }
        v->name = g_strdup_printf("%04x:%02x:%02x.%x", dom, bus, slot, fn);
        v->sysfs_path = g_strdup_printf("/sys/bus/pci/devices/%s", v->name);
    } else {
        g_autofree char *trimmed = g_strdup(v->sysfsdev);
        size_t n = strlen(trimmed);

        while (n > 1 && trimmed[n - 1] == '/') {
            trimmed[--n] = '\0';
        }
        v->name = g_path_get_basename(trimmed);
        v->sysfs_path = g_steal_pointer(&trimmed);
    }
    return true;
}

static bool vfio_pci_realize(PCIDevice *pdev, Error **errp)
{
    VFIOPCIDevice *v = VFIO_PCI(pdev);
    struct vfio_device_info info = { .argsz = sizeof(info) };
    int groupid, ret, i;
    VFIOMigrationMode mig_mode;

    v->fd = -1;
    if (!vfio_migration_parse_mode(v->enable_migration, &mig_mode, errp) ||
        !vfio_pci_resolve_host(v, errp) || !vfio_pci_check_unique(v, errp)) {
        return false;
    }
    groupid = vfio_sysfs_group_id(v->sysfs_path, errp);
    if (groupid < 0) {
        return false;
    }
    v->group = vfio_group_get(groupid, pci_device_dma_as(pdev), errp);
    if (!v->group) {
        error_prepend(errp, "vfio-pci %s: ", v->name);
        return false;
    }
    v->fd = vfio_group_get_device_fd(v->group, v->name, errp);
    if (v->fd < 0) {
        goto put_group;
    }
    ret = vfio_device_ioctl(v, VFIO_DEVICE_GET_INFO, &info);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "%s: VFIO_DEVICE_GET_INFO failed",
                         v->name);
        goto close_fd;
    }
    if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
        info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
        error_setg(errp, "%s is not a PCI device (flags 0x%x, %u regions)",
                   v->name, info.flags, info.num_regions);
        goto close_fd;
    }
    v->device_flags = info.flags;
    if (!vfio_region_info(v, VFIO_PCI_CONFIG_REGION_INDEX, &v->config,
                          errp) ||
        !vfio_pci_config_setup(v, errp)) {
        goto close_fd;
    }
    for (i = 0; i < PCI_NUM_REGIONS; i++) {
        if (!vfio_bar_setup(v, i, errp)) {
            goto bars;
        }
        if (v->bars[i].registered && v->bars[i].is64) {
            i++;    /* the upper half of a 64-bit BAR */
        }
    }
    if (!vfio_pci_irq_setup(v, errp)) {
        goto bars;
    }
    if (!vfio_migration_realize(v, mig_mode, errp)) {
        goto irqs;
    }
    if (!vfio_pci_devices) {
        vfio_pci_devices = g_ptr_array_new();
    }
    g_ptr_array_add(vfio_pci_devices, v);
    v->container_client.failed = vfio_pci_failed;
    v->container_client.recovered = vfio_pci_container_recovered;
    vfio_container_add_client(v->group->container, &v->container_client);
    trace_vfio_pci_realize(v->name, groupid, v->group->container->fd);
    return true;

irqs:
    vfio_pci_irq_cleanup(v);
bars:
    vfio_bars_cleanup(v);
close_fd:
    vfio_pci_config_cleanup(v);
    close(v->fd);
    v->fd = -1;
put_group:
    vfio_group_put(v->group);
    v->group = NULL;
    return false;
}

static void vfio_pci_exit(PCIDevice *pdev)
{
    VFIOPCIDevice *v = VFIO_PCI(pdev);

    trace_vfio_pci_exit(vdev_name(v));
    if (vfio_pci_devices) {
        g_ptr_array_remove(vfio_pci_devices, v);
    }
    vfio_migration_exit(v);
    if (v->group && v->container_client.failed) {
        vfio_container_remove_client(v->group->container,
                                     &v->container_client);
    }
    vfio_pci_irq_cleanup(v);
    vfio_bars_cleanup(v);
    vfio_pci_config_cleanup(v);
    if (v->fd >= 0) {
        close(v->fd);
        v->fd = -1;
    }
    if (v->group) {
        vfio_group_put(v->group);
        v->group = NULL;
    }
}

/* The PHB reset our DMA windows: a failed container may come back. */
static void vfio_pci_dma_reset(PCIDevice *pdev)
{
    VFIOPCIDevice *v = VFIO_PCI(pdev);

    if (v->group && v->group->container) {
        vfio_container_try_recover(v->group->container);
    }
}

static bool vfio_pci_dma_window_check(PCIDevice *pdev, uint64_t start,
                                      uint64_t size, unsigned page_shift,
                                      Error **errp)
{
    VFIOPCIDevice *v = VFIO_PCI(pdev);
    Error *err = NULL;

    if (!v->group || !v->group->container) {
        return true;
    }
    if (!vfio_spapr_window_check(v->group->container, start, size,
                                 1ULL << page_shift, &err)) {
        error_setg(errp, "%s: %s", v->name, error_get_pretty(err));
        error_free(err);
        return false;
    }
    return true;
}

static void vfio_pci_reset(PCIDevice *pdev)
{
    VFIOPCIDevice *v = VFIO_PCI(pdev);
    int ret;

    if (v->fd < 0) {
        return;
    }
    vfio_pci_eeh_reset(v);      /* a frozen PE would drop what follows */
    vfio_pci_irq_reset(v);
    /*
     * The machine's reset stops decoding and DMA (the PCI core clears
     * the emulated COMMAND): so does the device, also when it cannot be
     * reset, and a kernel reset that restores config keeps it so.
     */
    if (!vfio_pci_config_set_command(v, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                                     PCI_COMMAND_MASTER, 0)) {
        warn_report("%s: cannot clear the command register on reset",
                    v->name);
    }
    if (!(v->device_flags & VFIO_DEVICE_FLAGS_RESET)) {
        return;
    }
    ret = vfio_device_ioctl(v, VFIO_DEVICE_RESET, NULL);
    if (ret < 0) {
        warn_report("%s: VFIO_DEVICE_RESET failed: %s", v->name,
                    g_strerror(-ret));
    }
}

static void vfio_pci_finalize(DeviceState *dev)
{
    VFIOPCIDevice *v = VFIO_PCI(PCI_DEVICE(dev));

    g_free(v->name);
    g_free(v->sysfs_path);
}

GPtrArray *vfio_pci_device_list(void)
{
    if (!vfio_pci_devices) {
        vfio_pci_devices = g_ptr_array_new();
    }
    return vfio_pci_devices;
}

static const Property vfio_pci_props[] = {
    DEFINE_PCI_DEVICE_PROPS(VFIOPCIDevice),
    DEFINE_PROP("host", VFIOPCIDevice, host, PROP_STRING, NULL,
                "host PCI address DDDD:BB:DD.F"),
    DEFINE_PROP("sysfsdev", VFIOPCIDevice, sysfsdev, PROP_STRING, NULL,
                "sysfs directory of the host device"),
    DEFINE_PROP("enable-migration", VFIOPCIDevice, enable_migration,
                PROP_STRING, "auto",
                "on (refuse a device without VFIO migration), off (never "
                "migrate) or auto (migrate when the device offers "
                "STOP_COPY)"),
    { .name = NULL },
};

static PCIDeviceClass vfio_pci_class = {
    .parent = {
        .name = TYPE_VFIO_PCI,
        .desc = "VFIO-based PCI device assignment",
        .instance_size = sizeof(VFIOPCIDevice),
        .props = vfio_pci_props,
        .user_creatable = true,
        .hotpluggable = true,
        .finalize = vfio_pci_finalize,
        .mig_ops = &vfio_pci_migration_ops,     /* migration.c */
    },
    .vendor_id = 0xffff,
    .device_id = 0xffff,
    .class_id = PCI_CLASS_OTHERS,
    .realize = vfio_pci_realize,
    .exit = vfio_pci_exit,
    .reset = vfio_pci_reset,
    .dma_window_check = vfio_pci_dma_window_check,
    .dma_reset = vfio_pci_dma_reset,
    .config_read = vfio_pci_config_read,
    .config_write = vfio_pci_config_write,
    .eeh_pe = vfio_pci_eeh_pe,
    .eeh_pe_op = vfio_pci_eeh_pe_op,
};

static void vfio_pci_register_types(void)
{
    pci_register_type(&vfio_pci_class);
}

type_init(vfio_pci_register_types)

/*
 * The device's container (hw/vfio/container.c) works again: its windows
 * and TCEs are back, so reset the device if it was stopped and give it
 * the COMMAND bits the guest had enabled (bus master included).
 */
static void vfio_pci_container_recovered(VFIOContainerClient *client)
{
    VFIOPCIDevice *v = container_of(client, VFIOPCIDevice, container_client);
    int ret = 0;

    if (!v->failed) {
        return;
    }
    if (v->fd >= 0 && (v->device_flags & VFIO_DEVICE_FLAGS_RESET)) {
        ret = vfio_device_ioctl(v, VFIO_DEVICE_RESET, NULL);
    }
    if (ret) {
        /* Its state is unknown: it stays stopped. */
        error_report("%s: VFIO_DEVICE_RESET after recovery failed: %s",
                     vdev_name(v), vfio_ioctl_strerror(ret));
        return;
    }
    v->failed = false;
    /* Interrupts that failed come back too, or the device stays failed. */
    if (!vfio_pci_irq_restart(v)) {
        return;
    }
    vfio_pci_dev_config_write(v, PCI_COMMAND, 2,
                              pci_get_word(v->parent_obj.config +
                                           PCI_COMMAND));
    info_report("%s: host DMA mapping restored; device running again",
                vdev_name(v));
}
