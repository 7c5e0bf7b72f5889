/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The pseries machine: guest RAM at 0, the hotplug area and DIMMs above
 * it, the default PHB, machine start, reset and teardown, and the
 * guest's entry points (hypercalls, RTAS) as include/sysemu/machine.h
 * defines them.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include <fcntl.h>
#include <unistd.h>
#include "exec/ram.h"
#include "hw/qdev.h"
#include "hw/mem/pc-dimm.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_drc.h"
#include "hw/ppc/spapr_iommu.h"
#include "hw/ppc/spapr_irq.h"
#include "hw/ppc/spapr_pci.h"
#include "sysemu/machine.h"
#include "trace.h"

SpaprMachineState *spapr_machine;

/*
 * -machine properties this machine accepts.  dumpdtb is acted on by the
 * program (it calls machine_dump_dtb); accel is the accelerator, which
 * is always qtest here.
 */
static const char *const spapr_machine_props[] = {
    "dumpdtb", "accel", "type", "memory-backend", NULL,
};

static bool spapr_check_machine_props(GHashTable *props, Error **errp)
{
    GHashTableIter iter;
    gpointer key;

    if (!props) {
        return true;
    }
    g_hash_table_iter_init(&iter, props);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        if (!g_strv_contains(spapr_machine_props, key)) {
            error_setg(errp, "Property 'pseries-machine.%s' not found",
                       (const char *)key);
            return false;
        }
    }
    return true;
}

/* TCEs may point at boot RAM, or inside one plugged DIMM. */
bool spapr_machine_ram_check(void *opaque, hwaddr gpa, uint64_t size)
{
    SpaprMachineState *spapr = opaque;

    if (!spapr) {
        return false;
    }
    if (size <= spapr->ram_size && gpa <= spapr->ram_size - size) {
        return true;
    }
    return memory_device_area_lookup(&spapr->hotplug, gpa, size) != NULL;
}

bool spapr_is_guest_ram(hwaddr gpa, uint64_t size)
{
    return spapr_machine_ram_check(spapr_machine, gpa, size);
}

/* ------------------------------------------------------ memory hotplug */

static const char *spapr_dimm_name(PCDIMMDevice *dimm)
{
    return dimm->parent_obj.id ? dimm->parent_obj.id : TYPE_PC_DIMM;
}

static bool spapr_dimm_plug(PCDIMMDevice *dimm, Error **errp)
{
    SpaprMachineState *spapr = spapr_machine;
    HostMemoryBackend *be = dimm->backend;
    const char *name = spapr_dimm_name(dimm);
    hwaddr addr = dimm->addr;
    uint32_t slot = dimm->slot;
    Error *err = NULL;

    if (!spapr) {
        error_setg(errp, "'%s': no machine", name);
        return false;
    }
    if (be->readonly) {
        error_setg(errp, "'%s': memory backend '%s' is read-only; a DIMM "
                   "needs writable memory", name, be->id);
        return false;
    }
    /* A huge-page backend also needs its pages aligned in the guest. */
    if (!memory_device_area_place(&spapr->hotplug, name,
                                  memory_region_size(pc_dimm_memory(dimm)),
                                  host_memory_backend_pagesize(be),
                                  &addr, &slot, errp)) {
        return false;
    }
    /*
     * One transaction: listeners see exactly one new section.  Checked:
     * when one cannot follow (the host refuses to pin the memory for a
     * VFIO container), the add is taken back and fails, so that DMA
     * never meets RAM the host IOMMU does not know.
     */
    memory_region_transaction_begin_checked();
    memory_region_add_subregion(get_system_memory(), addr,
                                pc_dimm_memory(dimm));
    if (!memory_region_transaction_commit_checked(&err)) {
        memory_region_del_subregion(get_system_memory(),
                                    pc_dimm_memory(dimm));
        error_prepend(&err, "'%s': cannot plug memory at 0x%" HWADDR_PRIx
                      ": ", name, addr);
        error_propagate(errp, err);
        return false;
    }
    dimm->addr = addr;
    dimm->slot = slot;
    memory_device_area_insert(&spapr->hotplug, addr, pc_dimm_size(dimm),
                              slot, name, dimm);
    trace_spapr_dimm_plug(name, addr, pc_dimm_size(dimm), slot);
    spapr_drc_lmb_plugged(&dimm->parent_obj, addr, pc_dimm_size(dimm), true);
    spapr_machine_devices_changed();
    return true;
}

static bool spapr_dimm_unplug_request(PCDIMMDevice *dimm, Error **errp)
{
    uint64_t size = pc_dimm_size(dimm), ioba;
    uint32_t liobn;

    /* Removing RAM a device may still DMA to would be a use-after-free. */
    if (spapr_tce_find_ram_ref(dimm->addr, size, &liobn, &ioba)) {
        error_setg(errp, "'%s': its memory [0x%" HWADDR_PRIx ", 0x%"
                   HWADDR_PRIx ") is still mapped for DMA (TCE table 0x%x, "
                   "bus address 0x%" PRIx64 "); the guest must unmap it "
                   "first", spapr_dimm_name(dimm), dimm->addr,
                   dimm->addr + size, liobn, ioba);
        return false;
    }
    return true;
}

static void spapr_dimm_unplug(PCDIMMDevice *dimm)
{
    SpaprMachineState *spapr = spapr_machine;

    trace_spapr_dimm_unplug(spapr_dimm_name(dimm), dimm->addr,
                            pc_dimm_size(dimm));
    memory_region_del_subregion(get_system_memory(), pc_dimm_memory(dimm));
    if (spapr) {
        memory_device_area_remove(&spapr->hotplug, dimm->addr);
        spapr_drc_lmb_plugged(&dimm->parent_obj, dimm->addr,
                              pc_dimm_size(dimm), false);
        spapr_machine_devices_changed();
    }
}

static const PCDIMMHotplugOps spapr_dimm_ops = {
    .plug = spapr_dimm_plug,
    .unplug_request = spapr_dimm_unplug_request,
    .unplug = spapr_dimm_unplug,
};

/*
 * The hotplug area: from boot RAM rounded up to a memory block, as much
 * address space as maxmem leaves, below the PHB windows.
 */
static bool spapr_init_hotplug(SpaprMachineState *spapr, Error **errp)
{
    uint64_t extra = spapr->maxmem - spapr->ram_size;
    hwaddr base = QEMU_ALIGN_UP(spapr->ram_size, SPAPR_MEMORY_BLOCK_SIZE);
    uint64_t size = QEMU_ALIGN_DOWN(extra, SPAPR_MEMORY_BLOCK_SIZE);

    if (base > SPAPR_PCI_BASE || size > SPAPR_PCI_BASE - base) {
        error_setg(errp, "maxmem (0x%" PRIx64 ") is too large: guest RAM "
                   "must end below the PCI windows at 0x%llx",
                   spapr->maxmem, SPAPR_PCI_BASE);
        return false;
    }
    memory_device_area_init(&spapr->hotplug, base, size,
                            SPAPR_MEMORY_BLOCK_SIZE, spapr->ram_slots,
                            extra);
    spapr_drc_init_lmbs(base, size);
    return true;
}

static bool spapr_init_ram(SpaprMachineState *spapr,
                           const MachineOptions *opts, Error **errp)
{
    uint64_t host_page = qemu_real_host_page_size();

    if (opts->memory_backend) {
        HostMemoryBackend *be = host_memory_backend_find(opts->memory_backend);
        MemoryRegion *mr;

        if (!be) {
            error_setg(errp, "Memory backend '%s' not found",
                       opts->memory_backend);
            return false;
        }
        if (be->in_use) {
            error_setg(errp, "Memory backend '%s' is already in use",
                       opts->memory_backend);
            return false;
        }
        mr = host_memory_backend_get_memory(be);
        /* The guest gets RAM in memory blocks, as with -m. */
        if (!QEMU_IS_ALIGNED(memory_region_size(mr),
                             SPAPR_MEMORY_BLOCK_SIZE)) {
            error_setg(errp, "Memory backend '%s' size 0x%" PRIx64 " is not "
                       "a multiple of %llu MiB, the pseries memory block "
                       "size", opts->memory_backend, memory_region_size(mr),
                       SPAPR_MEMORY_BLOCK_SIZE >> 20);
            return false;
        }
        if (opts->ram_size && opts->ram_size != memory_region_size(mr)) {
            error_setg(errp, "Memory size 0x%" PRIx64 " does not match "
                       "the size of memory backend '%s' (0x%" PRIx64 ")",
                       opts->ram_size, opts->memory_backend,
                       memory_region_size(mr));
            return false;
        }
        spapr->ram_size = memory_region_size(mr);
        spapr->ram = mr;
        spapr->ram_backend = be;
        host_memory_backend_set_user(be, "guest RAM");
    } else {
        spapr->ram_size = opts->ram_size ? opts->ram_size
                                         : SPAPR_DEFAULT_RAM_SIZE;
        if (!QEMU_IS_ALIGNED(spapr->ram_size, host_page)) {
            error_setg(errp, "RAM size 0x%" PRIx64 " is not aligned to "
                       "the host page size (0x%" PRIx64 ")",
                       spapr->ram_size, host_page);
            return false;
        }
        if (!memory_region_init_ram(&spapr->own_ram, "spapr", "ppc_spapr.ram",
                                    spapr->ram_size, errp)) {
            return false;
        }
        spapr->ram = &spapr->own_ram;
    }
    memory_region_add_subregion(get_system_memory(), 0, spapr->ram);
    return true;
}

static void spapr_free_ram(SpaprMachineState *spapr)
{
    if (!spapr->ram) {
        return;
    }
    if (memory_region_is_mapped(spapr->ram)) {
        memory_region_del_subregion(get_system_memory(), spapr->ram);
    }
    if (spapr->ram_backend) {
        host_memory_backend_set_user(spapr->ram_backend, NULL);
    } else {
        memory_region_unref(&spapr->own_ram);
    }
    spapr->ram = NULL;
}

static int spapr_unplug_request(void *opaque, DeviceState *dev,
                                void (*done)(DeviceState *dev), Error **errp);

/* The machine's plug rules for @dev: DIMMs go in the hotplug area. */
static const void *spapr_hotplug_handler(QdevMachine *machine,
                                         DeviceState *dev)
{
    return pc_dimm_cast(dev) ? &spapr_dimm_ops : NULL;
}

bool machine_create(const MachineOptions *opts, Error **errp)
{
    SpaprMachineState *spapr;
    DeviceState *phb, *ics, *drcs;

    if (spapr_machine) {
        error_setg(errp, "the machine already exists");
        return false;
    }
    if (!spapr_check_machine_props(opts->machine_props, errp)) {
        return false;
    }
    memory_init_system();

    spapr = g_new0(SpaprMachineState, 1);
    spapr->nodefaults = opts->nodefaults;
    spapr->ram_slots = opts->ram_slots;
    spapr->parent_obj.unplug = spapr_unplug_request;
    spapr->parent_obj.hotplug_handler = spapr_hotplug_handler;
    spapr_machine = spapr;
    qdev_set_machine(&spapr->parent_obj);
    if (!spapr_init_ram(spapr, opts, errp)) {
        goto fail;
    }
    spapr->maxmem = opts->maxmem ? opts->maxmem : spapr->ram_size;
    if (spapr->maxmem < spapr->ram_size) {
        error_setg(errp, "maxmem (0x%" PRIx64 ") must not be smaller than "
                   "the RAM size (0x%" PRIx64 ")", spapr->maxmem,
                   spapr->ram_size);
        goto fail;
    }
    if (!spapr_init_hotplug(spapr, errp)) {
        goto fail;
    }

    /* The default PHB is part of the machine, even with -nodefaults. */
    phb = qdev_new(TYPE_SPAPR_PCI_HOST_BRIDGE, errp);
    if (!phb) {
        goto fail;
    }
    if (!qdev_set_prop(phb, "index", "0", errp) ||
        !qdev_realize(phb, errp)) {
        qdev_destroy(phb);
        goto fail;
    }
    /* After the PHB, which stays /machine/unattached/device[0]. */
    ics = qdev_new(TYPE_SPAPR_ICS, errp);
    if (!ics || !qdev_realize(ics, errp)) {
        if (ics) {
            qdev_destroy(ics);
        }
        qdev_destroy(phb);
        goto fail;
    }
    /* The hotplug event source's interrupt. */
    if (!spapr_events_init(errp)) {
        qdev_destroy(ics);
        qdev_destroy(phb);
        goto fail;
    }
    /* Connector states and queued events migrate in its section. */
    drcs = qdev_new(TYPE_SPAPR_DRC_STATE, errp);
    if (!drcs || !qdev_realize(drcs, errp)) {
        if (drcs) {
            qdev_destroy(drcs);
        }
        qdev_destroy(ics);
        qdev_destroy(phb);
        goto fail;
    }
    spapr->running = true;
    trace_spapr_machine_create(spapr->ram_size, spapr->maxmem);
    return true;

fail:
    spapr_drc_cleanup();
    spapr_events_fini();
    qdev_set_machine(NULL);
    memory_device_area_cleanup(&spapr->hotplug);
    spapr_free_ram(spapr);
    spapr_machine = NULL;
    g_free(spapr);
    return false;
}

bool machine_creation_done(Error **errp)
{
    SpaprMachineState *spapr = spapr_machine;
    GList *l;

    if (!spapr) {
        error_setg(errp, "no machine");
        return false;
    }
    /* What firmware does at boot: give every BAR an address. */
    for (l = spapr_phb_list(); l; l = l->next) {
        spapr_phb_assign_all_bars(l->data);
    }
    spapr->started = true;
    qdev_machine_creation_done();
    /* Every device so far is in the boot tree: its connector is ready. */
    spapr_drc_reset_all();
    spapr->fdt_dirty = true;
    return spapr_machine_fdt(errp) != NULL;
}

void spapr_machine_devices_changed(void)
{
    if (spapr_machine) {
        spapr_machine->fdt_dirty = true;
    }
}

const void *spapr_machine_fdt(Error **errp)
{
    SpaprMachineState *spapr = spapr_machine;
    void *fdt;

    if (!spapr) {
        error_setg(errp, "no machine");
        return NULL;
    }
    if (spapr->fdt && !spapr->fdt_dirty) {
        return spapr->fdt;
    }
    fdt = spapr_build_fdt(spapr, errp);
    if (!fdt) {
        return NULL;
    }
    g_free(spapr->fdt);
    spapr->fdt = fdt;
    spapr->fdt_dirty = false;
    return fdt;
}

bool machine_dump_dtb(const char *path, Error **errp)
{
    const void *fdt = spapr_machine_fdt(errp);
    size_t size, done = 0;
    int fd;

    if (!fdt) {
        return false;
    }
    /*
     * Written in place, not through a temporary file renamed over @path:
     * that would replace a device node such as /dev/null (which scripts
     * pass to only check the tree can be built) by a regular file.
     */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot write device tree to '%s'",
                         path);
        return false;
    }
    size = spapr_fdt_size(fdt);
    while (done < size) {
        ssize_t n = write(fd, (const char *)fdt + done, size - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : EIO,
                             "cannot write device tree to '%s'", path);
            close(fd);
            return false;
        }
        done += n;
    }
    if (close(fd) < 0) {
        error_setg_errno(errp, errno, "cannot write device tree to '%s'",
                         path);
        return false;
    }
    return true;
}

void machine_reset(void)
{
    GList *l;

    if (!spapr_machine) {
        return;
    }
    trace_spapr_machine_reset();
    /* Pending unplugs finish first: those devices are not reset. */
    spapr_drc_reset_all();
    /* PHBs put their DMA windows back; devices lose their BARs... */
    qdev_reset_all();
    /* ...which firmware assigns again, as at boot. */
    for (l = spapr_phb_list(); l; l = l->next) {
        spapr_phb_assign_all_bars(l->data);
    }
    spapr_machine->fdt_dirty = true;
}

void machine_destroy(void)
{
    SpaprMachineState *spapr = spapr_machine;

    GList *l;

    if (!spapr) {
        return;
    }
    /*
     * DMA windows first: with no TCE left, guest RAM (DIMMs included)
     * unregisters cleanly from VFIO whatever order devices go in.
     */
    for (l = spapr_phb_list(); l; l = l->next) {
        spapr_phb_dma_reset(l->data);
    }
    /* Newest first: PCI devices go before the PHBs they sit on. */
    qdev_destroy_all();
    spapr_drc_cleanup();
    spapr_events_fini();
    qdev_set_machine(NULL);
    memory_device_area_cleanup(&spapr->hotplug);
    spapr_free_ram(spapr);
    g_free(spapr->fdt);
    g_free(spapr);
    spapr_machine = NULL;
}

uint64_t machine_ram_size(void)
{
    return spapr_machine ? spapr_machine->ram_size : 0;
}

/*
 * Hypercall table: QEMU numbers the PAPR range 0x4..0x450 in steps of
 * 4 and a private range from 0xf000; only the first exists here.
 */
#define SPAPR_HCALL_MAX         0x450
static SpaprHcallFn hcall_table[SPAPR_HCALL_MAX / 4 + 1];

void spapr_register_hypercall(uint64_t opcode, SpaprHcallFn fn)
{
    g_assert(opcode && opcode <= SPAPR_HCALL_MAX && !(opcode & 3));
    g_assert(!hcall_table[opcode / 4]);
    hcall_table[opcode / 4] = fn;
}

SpaprHcallFn spapr_hypercall_lookup(uint64_t opcode)
{
    if (!opcode || opcode > SPAPR_HCALL_MAX || (opcode & 3)) {
        return NULL;
    }
    return hcall_table[opcode / 4];
}

int64_t machine_hcall(uint64_t opcode, const uint64_t *args, unsigned nargs,
                      uint64_t *out, unsigned *nout)
{
    uint64_t a[8] = { 0 };
    uint64_t o[SPAPR_HCALL_MAX_OUT] = { 0 };
    unsigned no = 0, maxout = nout ? *nout : 0;
    SpaprHcallFn fn;
    int64_t ret;

    fn = spapr_hypercall_lookup(opcode);
    if (nout) {
        *nout = 0;
    }
    if (!fn || !spapr_machine) {
        return H_FUNCTION;
    }
    /* Registers the caller did not pass read as zero. */
    if (args && nargs) {
        memcpy(a, args, MIN(nargs, ARRAY_SIZE(a)) * sizeof(a[0]));
    }
    ret = fn(spapr_machine, a, o, &no);
    if (out && nout) {
        *nout = MIN(no, maxout);
        memcpy(out, o, *nout * sizeof(o[0]));
    }
    return ret;
}

bool machine_rtas(const char *name, uint32_t nargs, hwaddr args_addr,
                  uint32_t nret, hwaddr rets_addr)
{
    const SpaprRtasCall *call = spapr_rtas_lookup(name);

    if (!spapr_machine || !call) {
        return false;
    }
    trace_spapr_rtas_call(name, nargs, nret);
    call->fn(spapr_machine, call->token, nargs, args_addr, nret, rets_addr);
    return true;
}

/* qdev's unplug handler while the machine exists: the DRCs decide. */
static int spapr_unplug_request(void *opaque, DeviceState *dev,
                                void (*done)(DeviceState *dev), Error **errp)
{
    SpaprMachineState *spapr = opaque;

    if (!spapr->started) {
        return QDEV_UNPLUG_NOW;
    }
    switch (spapr_drc_unplug_request(dev, done, errp)) {
    case 0:
        return QDEV_UNPLUG_NOW;
    case 1:
        return QDEV_UNPLUG_PENDING;
    default:
        return QDEV_UNPLUG_REFUSED;
    }
}

bool machine_is_running(void)
{
    return spapr_machine && spapr_machine->running;
}

void machine_set_running(bool running)
{
    if (spapr_machine) {
        spapr_machine->running = running;
    }
}
