/*
 * vfio-sim: simulated PCI devices behind a vfio-pci device fd.
 *
 * Config space is emulated with a write mask (BAR sizing works as on
 * hardware); register BARs trap through pread/pwrite into the model; a
 * model may back one BAR with a memfd that the program can mmap, which
 * is what a VMM turns into a ram_device region.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include "vsim.h"

#define REGION_MASK     ((1ULL << VSIM_REGION_SHIFT) - 1)
#define CAP_PM          0x40
#define CAP_MSI         0x50
#define CAP_EXP         0x60
#define CMD_WMASK       (PCI_COMMAND_IO | PCI_COMMAND_MEMORY |          \
                         PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |      \
                         PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)

static const VsimModel *const models[] = {
    &vsim_dma_engine_model,
    &vsim_dma_engine_pcie_model,
    &vsim_dma_engine_intx_model,
};

VsimDevice *vsim_device_find(const char *bdf)
{
    for (unsigned i = 0; vsim.devices && i < vsim.devices->len; i++) {
        VsimDevice *d = vsim.devices->pdata[i];

        if (!strcmp(d->bdf, bdf)) {
            return d;
        }
    }
    return NULL;
}

static void cfg_set(VsimDevice *d, unsigned off, unsigned len, uint32_t v,
                    uint32_t wmask)
{
    for (unsigned i = 0; i < len; i++) {
        d->config[off + i] = v >> (8 * i);
        d->wmask[off + i] = wmask >> (8 * i);
    }
}

/* Power-on config space of the model. */
static void config_init(VsimDevice *d)
{
    const VsimModel *m = d->model;

    memset(d->config, 0, sizeof(d->config));
    memset(d->wmask, 0, sizeof(d->wmask));
    cfg_set(d, PCI_VENDOR_ID, 2, m->vendor, 0);
    cfg_set(d, PCI_DEVICE_ID, 2, m->device, 0);
    cfg_set(d, PCI_COMMAND, 2, 0, CMD_WMASK);
    cfg_set(d, PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0);
    cfg_set(d, PCI_REVISION_ID, 4, m->class_code << 8 | 1, 0);
    cfg_set(d, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL, 0);
    cfg_set(d, PCI_SUBSYSTEM_VENDOR_ID, 2, m->vendor, 0);
    cfg_set(d, PCI_SUBSYSTEM_ID, 2, m->device, 0);
    cfg_set(d, PCI_CAPABILITY_LIST, 1, CAP_PM, 0);
    cfg_set(d, PCI_INTERRUPT_LINE, 1, 0, 0xff);
    cfg_set(d, PCI_INTERRUPT_PIN, 1, 1, 0);         /* INTA# */
    for (int i = 0; i < 6; i++) {
        uint64_t sz = m->bar_size[i];
        unsigned off = PCI_BASE_ADDRESS_0 + 4 * i;

        if (!sz) {
            continue;
        }
        cfg_set(d, off, 4, m->bar_flags[i], ~(uint32_t)(sz - 1) & ~0xfu);
        if (m->bar_flags[i] & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            cfg_set(d, off + 4, 4, 0, ~(uint32_t)((sz - 1) >> 32));
            i++;
        }
    }
    /* capability list: power management, then MSI (1 vector, 64-bit) */
    cfg_set(d, CAP_PM + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_PM, 0);
    cfg_set(d, CAP_PM + PCI_CAP_LIST_NEXT, 1, CAP_MSI, 0);
    cfg_set(d, CAP_PM + PCI_PM_PMC, 2, 3, 0);
    cfg_set(d, CAP_PM + PCI_PM_CTRL, 2, 0, PCI_PM_CTRL_STATE_MASK);
    cfg_set(d, CAP_MSI + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSI, 0);
    cfg_set(d, CAP_MSI + PCI_CAP_LIST_NEXT, 1, 0, 0);
    cfg_set(d, CAP_MSI + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT,
            PCI_MSI_FLAGS_ENABLE);
    cfg_set(d, CAP_MSI + PCI_MSI_ADDRESS_LO, 4, 0, 0xfffffffc);
    cfg_set(d, CAP_MSI + PCI_MSI_ADDRESS_HI, 4, 0, 0xffffffff);
    cfg_set(d, CAP_MSI + PCI_MSI_DATA_64, 2, 0, 0xffff);
    if (m->intx_only) {
        /* power management only: PM's next ends the list */
        memset(d->config + CAP_MSI, 0, PCI_MSI_DATA_64 + 2);
        memset(d->wmask + CAP_MSI, 0, PCI_MSI_DATA_64 + 2);
        d->config[CAP_PM + PCI_CAP_LIST_NEXT] = 0;
        return;
    }
    if (m->pcie) {
        /* then a PCI Express endpoint capability (version 2) */
        cfg_set(d, CAP_MSI + PCI_CAP_LIST_NEXT, 1, CAP_EXP, 0);
        cfg_set(d, CAP_EXP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_EXP, 0);
        cfg_set(d, CAP_EXP + PCI_CAP_LIST_NEXT, 1, 0, 0);
        cfg_set(d, CAP_EXP + PCI_EXP_FLAGS, 2,
                PCI_EXP_TYPE_ENDPOINT << 4 | 2, 0);
    }
    vsim_msix_cap_init(d, m->pcie ? CAP_EXP : CAP_MSI);
}

VsimDevice *vsim_device_new(const char *bdf, const char *model,
                            unsigned group, GError **errp)
{
    const VsimModel *m = NULL;
    VsimDevice *d;

    for (unsigned i = 0; i < G_N_ELEMENTS(models); i++) {
        if (!strcmp(models[i]->name, model)) {
            m = models[i];
        }
    }
    if (!m) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "VFIO_SIM_DEVICES: unknown model '%s'", model);
        return NULL;
    }
    d = g_new0(VsimDevice, 1);
    g_strlcpy(d->bdf, bdf, sizeof(d->bdf));
    d->model = m;
    d->mmap_fd = -1;
    vsim_irq_init(d);
    if (m->mmap_bar >= 0) {
        d->mmap_fd = memfd_create("vfio-sim-bar", MFD_CLOEXEC);
        if (d->mmap_fd < 0 ||
            ftruncate(d->mmap_fd, m->bar_size[m->mmap_bar]) < 0) {
            g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "vfio-sim: cannot back BAR: %s", g_strerror(errno));
            g_free(d);
            return NULL;
        }
    }
    d->group = vsim_group_get_or_create(group);
    g_ptr_array_add(d->group->devices, d);
    g_ptr_array_add(vsim.devices, d);
    vsim_device_reset(d);
    return d;
}

void vsim_device_reset(VsimDevice *d)
{
    config_init(d);
    /* the host restores the config state it owns around a reset */
    vsim_msix_set_enable(d, d->irq.type == VFIO_PCI_MSIX_IRQ_INDEX);
    d->irq.intx_line = false;
    d->model->reset(d);
    vsim_mig_reset(d);          /* a reset device is RUNNING again */
    vsim_bar_maps_sync(d);      /* COMMAND is 0 again: memory disabled */
}

/*
 * VFIO_DEVICE_RESET and PCI_HOT_RESET: vfio_pci_core_ioctl puts the
 * function in D0 and calls pci_try_reset_function (a bus reset goes
 * through pci_bus_save_and_disable_locked / pci_bus_restore_locked the
 * same way).  pci_dev_save_and_disable saves the config state
 * (pci_save_state), the function is reset (__pci_reset_function_locked)
 * and pci_dev_restore writes the saved state back (pci_restore_state):
 * the header with COMMAND and the BARs, MSI and MSI-X as the host set
 * them.  Only the function's own state is lost: its registers, a
 * pending INTx, its migration state.  The power state stays D0.
 */
void vsim_device_reset_function(VsimDevice *d)
{
    uint8_t saved[VSIM_CFG_SIZE];
    unsigned pm = vsim_find_cap(d, PCI_CAP_ID_PM);

    if (pm) {
        /* vfio_pci_set_power_state(D0) before the save */
        d->config[pm + PCI_PM_CTRL] &= ~PCI_PM_CTRL_STATE_MASK;
    }
    memcpy(saved, d->config, sizeof(saved));        /* pci_save_state */
    vsim_device_reset(d);
    memcpy(d->config, saved, sizeof(saved));        /* pci_restore_state */
    vsim_bar_maps_sync(d);      /* decoding is back as it was */
}

static uint16_t command(VsimDevice *d)
{
    return d->config[PCI_COMMAND] | d->config[PCI_COMMAND + 1] << 8;
}

/* __vfio_pci_memory_enabled: the COMMAND Memory Space bit. */
bool vsim_device_memory_enabled(VsimDevice *d)
{
    return command(d) & PCI_COMMAND_MEMORY;
}

bool vsim_device_bus_master(VsimDevice *d)
{
    return command(d) & PCI_COMMAND_MASTER;
}

/* Last device fd closed: the kernel disables interrupts and resets. */
void vsim_device_close(VsimDevice *d)
{
    VsimGroup *g = d->group;

    g->dev_refs--;
    if (--d->fd_refs == 0) {
        vsim_irq_release(d);
        vsim_dirty_log_close(d);
        vsim_device_reset(d);
        vsim_eeh_change_owner(d);   /* vfio_spapr_pci_eeh_release */
    }
    vsim_group_put(g);
}

/* ---- region access: pread/pwrite/mmap at index << 40 + address ---- */

/*
 * pci_cfg_space_size: a PCI Express function has 4 KiB of config space,
 * and vfio_pci_ioctl_get_region_info gives the region that size.
 */
uint64_t vsim_device_cfg_size(VsimDevice *d)
{
    return d->model->pcie ? PCI_CFG_SPACE_EXP_SIZE : PCI_CFG_SPACE_SIZE;
}

static ssize_t config_rw(VsimDevice *d, void *buf, size_t len,
                         uint64_t pos, bool write)
{
    uint8_t *b = buf;
    size_t ext = 0;
    bool intx_off;

    if (pos >= vsim_device_cfg_size(d)) {
        return -EINVAL;
    }
    len = MIN(len, vsim_device_cfg_size(d) - pos);
    if (vsim_eeh_access_blocked(d, true)) {     /* frozen PE: eeh.c */
        if (!write) {
            memset(buf, 0xff, len);
        }
        return len;
    }
    if (pos + len > VSIM_CFG_SIZE) {
        /*
         * The extended space holds no capability: vfio_ecap_init leaves
         * it reading 0, and the device takes no write there.
         */
        ext = pos + len - MAX(pos, VSIM_CFG_SIZE);
        len -= ext;
        if (!write) {
            memset(b + len, 0, ext);
        }
    }
    intx_off = command(d) & PCI_COMMAND_INTX_DISABLE;
    for (size_t i = 0; i < len; i++) {
        uint8_t m = d->wmask[pos + i];

        if (write) {
            d->config[pos + i] = (d->config[pos + i] & ~m) | (b[i] & m);
        } else {
            b[i] = d->config[pos + i];
        }
    }
    /*
     * vfio_config_do_rw: STATUS is the function's own register (only
     * Capabilities List is virtualized); its Interrupt Status bit is set
     * while the function asserts INTx, masked or not (PCI 2.3).
     */
    if (!write && pos <= PCI_STATUS && pos + len > PCI_STATUS &&
        d->irq.intx_line) {
        b[PCI_STATUS - pos] |= PCI_STATUS_INTERRUPT;
    }
    if (write && pos <= PCI_COMMAND + 1 && pos + len > PCI_COMMAND) {
        vsim_bar_maps_sync(d);  /* Memory Space may have changed */
        vsim_irq_command_written(d, intx_off);
    }
    return len + ext;
}

static ssize_t region_rw(VsimDevice *d, void *buf, size_t len,
                         uint64_t off, bool write)
{
    unsigned index = off >> VSIM_REGION_SHIFT;
    uint64_t pos = off & REGION_MASK, size;
    const VsimModel *m = d->model;
    ssize_t r;

    if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
        return config_rw(d, buf, len, pos, write);
    }
    if (index > VFIO_PCI_BAR5_REGION_INDEX || !m->bar_size[index]) {
        return -EINVAL;
    }
    size = m->bar_size[index];
    if (pos >= size) {
        return -EINVAL;
    }
    /*
     * vfio_pci_bar_rw -> vfio_pci_core_do_io_rw: a memory BAR is not
     * decoded with Memory Space off, reads and writes fail with EIO.
     */
    if (!(m->bar_flags[index] & PCI_BASE_ADDRESS_SPACE_IO) &&
        !vsim_device_memory_enabled(d)) {
        return -EIO;
    }
    len = MIN(len, size - pos);
    if (vsim_eeh_access_blocked(d, false)) {    /* frozen PE: eeh.c */
        if (!write) {
            memset(buf, 0xff, len);
        }
        return len;
    }
    if ((int)index == m->mmap_bar) {
        /* vfio_pci_core_do_io_rw: the MSI-X table range is excluded */
        for (uint64_t done = 0, n; done < len; done += n) {
            uint8_t *b = (uint8_t *)buf + done;
            bool table;

            n = vsim_msix_run(d, index, pos + done, len - done, &table);
            if (table) {
                if (!write) {
                    memset(b, 0xff, n);
                }
                continue;
            }
            r = write ? vsim_libc.pwrite(d->mmap_fd, b, n, pos + done)
                      : vsim_libc.pread(d->mmap_fd, b, n, pos + done);
            if (r < 0) {
                return -errno;
            }
            n = r ? r : n;
        }
        return len;
    }
    if (write) {
        m->bar_write(d, index, pos, buf, len);
    } else {
        m->bar_read(d, index, pos, buf, len);
    }
    return len;
}

ssize_t vsim_device_pread(VsimDevice *d, void *buf, size_t len,
                          uint64_t off)
{
    return region_rw(d, buf, len, off, false);
}

ssize_t vsim_device_pwrite(VsimDevice *d, const void *buf, size_t len,
                           uint64_t off)
{
    return region_rw(d, (void *)buf, len, off, true);
}

void *vsim_device_mmap(VsimDevice *d, void *addr, size_t len, int prot,
                       int flags, uint64_t off)
{
    int index = off >> VSIM_REGION_SHIFT;
    uint64_t pos = off & REGION_MASK;
    const VsimModel *m = d->model;

    if (index != m->mmap_bar || !(flags & MAP_SHARED) ||
        pos >= m->bar_size[index] || len > m->bar_size[index] - pos) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    return vsim_bar_map(d, addr, len, prot, flags, pos);
}
