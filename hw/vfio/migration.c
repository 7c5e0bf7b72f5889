/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-pci live migration on the VFIO migration v2 interface.
 *
 * The device's state lives in the host driver; we only move the device
 * through its state machine and carry the opaque bytes of its data_fd
 * in "device-data" sections (migration/savevm.c).  Each section starts
 * with a tag:
 *
 *   'P' data   read in PRE_COPY, between RAM passes
 *   'S' data   read in STOP_COPY, with the machine stopped
 *   'C' be32 size, config   the emulated config space (BARs, COMMAND)
 *   'E' be64 bytes          end: this many data bytes came before
 *
 * Source: RUNNING -> PRE_COPY (if offered) when the migration starts;
 * at the switch-over (RUNNING|PRE_COPY)_P2P (if offered) on every
 * device first, then STOP_COPY, read to EOF.  On success the device
 * stays in STOP with the stopped source; on any failure it goes back
 * to RUNNING by legal arcs (a reset when the device is in ERROR).
 *
 * Destination: the first section moves RUNNING -> STOP -> RESUMING; the
 * data goes to the data_fd; 'E' leaves RESUMING for STOP (the driver
 * checks the state there); the device goes RUNNING with the guest.
 * Windows and TCEs are in place before that: the PHB's section comes
 * first and the container follows it through the memory listeners.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "hw/vfio/vfio-migration.h"
#include "hw/qdev.h"
#include "exec/ram.h"
#include "trace.h"
#include <sys/ioctl.h>

#define VFIO_MIG_TAG_PRECOPY    'P'
#define VFIO_MIG_TAG_STOPCOPY   'S'
#define VFIO_MIG_TAG_CONFIG     'C'
#define VFIO_MIG_TAG_END        'E'

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        p[i] = v >> (8 * (n - 1 - i));
    }
}

static uint64_t get_be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static const char *const vfio_mig_state_names[] = {
    [VFIO_DEVICE_STATE_ERROR] = "ERROR",
    [VFIO_DEVICE_STATE_STOP] = "STOP",
    [VFIO_DEVICE_STATE_RUNNING] = "RUNNING",
    [VFIO_DEVICE_STATE_STOP_COPY] = "STOP_COPY",
    [VFIO_DEVICE_STATE_RESUMING] = "RESUMING",
    [VFIO_DEVICE_STATE_RUNNING_P2P] = "RUNNING_P2P",
    [VFIO_DEVICE_STATE_PRE_COPY] = "PRE_COPY",
    [VFIO_DEVICE_STATE_PRE_COPY_P2P] = "PRE_COPY_P2P",
};

static const char *vfio_mig_state_name(uint32_t state)
{
    return state < G_N_ELEMENTS(vfio_mig_state_names) &&
           vfio_mig_state_names[state] ? vfio_mig_state_names[state] : "?";
}

static const char *vname(VFIOMigration *m)
{
    return m->vdev->name;
}

int vfio_device_feature(VFIOPCIDevice *v, uint32_t flags, const char *what,
                        void *payload, size_t len)
{
    g_autofree struct vfio_device_feature *f =
        g_malloc0(sizeof(*f) + len);
    int ret, err;

    f->argsz = sizeof(*f) + len;
    f->flags = flags;
    if (len) {      /* a PROBE or DMA_LOGGING_STOP has none (maybe NULL) */
        memcpy(f->data, payload, len);
    }
    ret = ioctl(v->fd, VFIO_DEVICE_FEATURE, f);
    err = ret < 0 ? errno : 0;
    trace_vfio_device_ioctl(v->name, what, ret < 0 ? -err : ret);
    if (ret >= 0 && len) {
        memcpy(payload, f->data, len);
    }
    return ret < 0 ? -err : ret;
}

static int vfio_mig_feature(VFIOMigration *m, uint32_t flags,
                            const char *what, void *payload, size_t len)
{
    return vfio_device_feature(m->vdev, flags, what, payload, len);
}

bool vfio_migration_parse_mode(const char *s, VFIOMigrationMode *mode,
                               Error **errp)
{
    if (!s || !strcmp(s, "auto")) {
        *mode = VFIO_MIGRATION_AUTO;
    } else if (!strcmp(s, "on")) {
        *mode = VFIO_MIGRATION_ON;
    } else if (!strcmp(s, "off")) {
        *mode = VFIO_MIGRATION_OFF;
    } else {
        error_setg(errp, "vfio-pci: enable-migration='%s' is not on, off "
                   "or auto", s);
        return false;
    }
    return true;
}

/* ------------------------------------------------------- state machine */

/*
 * One arc of the FSM.  A new data_fd replaces the open one; an arc that
 * ends the session closes it (the driver closed its side already).
 */
static bool vfio_mig_set_state(VFIOMigration *m, uint32_t state,
                               Error **errp)
{
    struct vfio_device_feature_mig_state st = {
        .device_state = state, .data_fd = -1,
    };
    uint32_t from = m->state;
    int ret;

    ret = vfio_mig_feature(m, VFIO_DEVICE_FEATURE_SET |
                           VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
                           "VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE)", &st,
                           sizeof(st));
    trace_vfio_migration_state(vname(m), vfio_mig_state_name(from),
                               vfio_mig_state_name(state), ret);
    if (ret < 0) {
        struct vfio_device_feature_mig_state now = { .data_fd = -1 };

        error_setg_errno(errp, -ret, "%s: VFIO_DEVICE_FEATURE "
                         "MIG_DEVICE_STATE %s -> %s failed", vname(m),
                         vfio_mig_state_name(from),
                         vfio_mig_state_name(state));
        /* Where did it end up?  (ERROR, or a step of the way.) */
        if (vfio_mig_feature(m, VFIO_DEVICE_FEATURE_GET |
                             VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
                             "VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE)",
                             &now, sizeof(now)) >= 0) {
            m->state = now.device_state;
        } else {
            m->state = VFIO_DEVICE_STATE_ERROR;
        }
        return false;
    }
    m->state = state;
    if (st.data_fd >= 0) {
        if (m->data_fd >= 0) {
            close(m->data_fd);
        }
        m->data_fd = st.data_fd;
    } else if (state != VFIO_DEVICE_STATE_PRE_COPY_P2P &&
               state != VFIO_DEVICE_STATE_PRE_COPY &&
               state != VFIO_DEVICE_STATE_STOP_COPY &&
               state != VFIO_DEVICE_STATE_RESUMING && m->data_fd >= 0) {
        close(m->data_fd);
        m->data_fd = -1;
    }
    return true;
}

static bool vfio_mig_has(VFIOMigration *m, uint64_t flag)
{
    return (m->flags & flag) == flag;
}

/*
 * Back to RUNNING from wherever a failed or cancelled migration left
 * the device, one legal arc at a time; a device in ERROR (or one that
 * refuses the way back) is reset, which the kernel defines as RUNNING.
 */
static void vfio_mig_back_to_running(VFIOMigration *m)
{
    bool p2p = vfio_mig_has(m, VFIO_MIGRATION_P2P);
    Error *err = NULL;
    int guard;

    for (guard = 0; guard < 4 && m->state != VFIO_DEVICE_STATE_RUNNING &&
                    m->state != VFIO_DEVICE_STATE_ERROR && !err; guard++) {
        uint32_t next;

        switch (m->state) {
        case VFIO_DEVICE_STATE_PRE_COPY_P2P:
            next = VFIO_DEVICE_STATE_PRE_COPY;
            break;
        case VFIO_DEVICE_STATE_STOP_COPY:
        case VFIO_DEVICE_STATE_RESUMING:
            next = VFIO_DEVICE_STATE_STOP;
            break;
        case VFIO_DEVICE_STATE_STOP:
            next = p2p ? VFIO_DEVICE_STATE_RUNNING_P2P
                       : VFIO_DEVICE_STATE_RUNNING;
            break;
        default:    /* PRE_COPY, RUNNING_P2P */
            next = VFIO_DEVICE_STATE_RUNNING;
            break;
        }
        vfio_mig_set_state(m, next, &err);
    }
    if (m->data_fd >= 0) {
        close(m->data_fd);
        m->data_fd = -1;
    }
    if (m->state == VFIO_DEVICE_STATE_RUNNING) {
        error_free(err);
        return;
    }
    if (err) {
        warn_report("%s", error_get_pretty(err));
        error_free(err);
    }
    if (ioctl(m->vdev->fd, VFIO_DEVICE_RESET) < 0) {
        error_report("%s: VFIO_DEVICE_RESET to leave migration state %s "
                     "failed: %s", vname(m), vfio_mig_state_name(m->state),
                     g_strerror(errno));
        return;
    }
    trace_vfio_device_ioctl(vname(m), "VFIO_DEVICE_RESET", 0);
    m->state = VFIO_DEVICE_STATE_RUNNING;
    /* The reset cleared decoding and mastering: give back the guest's. */
    vfio_pci_dev_config_write(m->vdev, PCI_COMMAND, 2,
                              pci_get_word(m->vdev->parent_obj.config +
                                           PCI_COMMAND));
    warn_report("%s: device reset to leave migration state %s; it runs "
                "again, without the work it had in flight", vname(m),
                vfio_mig_state_name(m->state));
}

/* ------------------------------------------------------------ realize */

bool vfio_migration_realize(VFIOPCIDevice *v, VFIOMigrationMode mode,
                            Error **errp)
{
    VFIOMigration *m = g_new0(VFIOMigration, 1);
    struct vfio_device_feature_migration mf = { 0 };
    int ret;

    m->vdev = v;
    m->data_fd = -1;
    m->state = VFIO_DEVICE_STATE_RUNNING;
    v->migration = m;
    if (mode == VFIO_MIGRATION_OFF) {
        return true;
    }
    ret = vfio_mig_feature(m, VFIO_DEVICE_FEATURE_GET |
                           VFIO_DEVICE_FEATURE_MIGRATION,
                           "VFIO_DEVICE_FEATURE(MIGRATION)", &mf,
                           sizeof(mf));
    if (ret < 0) {
        if (mode == VFIO_MIGRATION_ON) {
            error_setg_errno(errp, -ret, "vfio-pci %s: enable-migration=on "
                             "but the host driver offers no VFIO "
                             "migration (STOP_COPY): VFIO_DEVICE_FEATURE "
                             "MIGRATION failed", v->name);
            goto fail;
        }
        return true;
    }
    if (!(mf.flags & VFIO_MIGRATION_STOP_COPY)) {
        if (mode == VFIO_MIGRATION_ON) {
            error_setg(errp, "vfio-pci %s: enable-migration=on but the "
                       "host driver does not offer STOP_COPY (migration "
                       "flags 0x%" PRIx64 ")", v->name, (uint64_t)mf.flags);
            goto fail;
        }
        return true;
    }
    m->flags = mf.flags;
    /* PROBE: does the device log its own DMA writes? */
    m->dma_logging = vfio_mig_feature(m, VFIO_DEVICE_FEATURE_PROBE |
                                      VFIO_DEVICE_FEATURE_SET |
                                      VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
                                      "VFIO_DEVICE_FEATURE(PROBE "
                                      "DMA_LOGGING_START)", NULL, 0) >= 0;
    trace_vfio_migration_realize(v->name, m->flags, m->dma_logging);
    return true;

fail:
    g_free(m);
    v->migration = NULL;
    return false;
}

static void vfio_mig_free_final(VFIOMigration *m)
{
    g_clear_pointer(&m->final, g_ptr_array_unref);
}

void vfio_migration_exit(VFIOPCIDevice *v)
{
    VFIOMigration *m = v->migration;

    if (!m) {
        return;
    }
    if (m->data_fd >= 0) {
        close(m->data_fd);
    }
    vfio_mig_free_final(m);
    if (m->log_ranges) {
        g_array_free(m->log_ranges, TRUE);
    }
    g_free(m);
    v->migration = NULL;
}

char *vfio_migration_blocker(VFIOPCIDevice *v)
{
    VFIOMigration *m = v->migration;

    if (!m || !m->flags) {
        return g_strdup(m && !m->flags && v->enable_migration &&
                        !strcmp(v->enable_migration, "off") ?
                        "enable-migration=off" :
                        "its host driver offers no VFIO migration "
                        "(STOP_COPY)");
    }
    if (v->failed) {
        return g_strdup("its host DMA mapping failed");
    }
    return NULL;
}

/* ------------------------------------------------------------- source */

static VFIOMigration *dev_mig(DeviceState *dev)
{
    return VFIO_PCI(PCI_DEVICE(dev))->migration;
}

static bool vfio_mig_save_setup(DeviceState *dev, Error **errp)
{
    VFIOMigration *m = dev_mig(dev);

    m->state_bytes = m->precopy_bytes = 0;
    m->dirty_pages = m->conservative_pages = 0;
    vfio_mig_free_final(m);
    if (!vfio_mig_has(m, VFIO_MIGRATION_PRE_COPY)) {
        return true;
    }
    return vfio_mig_set_state(m, VFIO_DEVICE_STATE_PRE_COPY, errp);
}

static GByteArray *vfio_mig_chunk(GPtrArray *chunks, char tag)
{
    GByteArray *c = g_byte_array_new();
    uint8_t t = tag;

    g_byte_array_append(c, &t, 1);
    g_ptr_array_add(chunks, c);
    return c;
}

/*
 * Read up to @want bytes (UINT64_MAX: to EOF) into 'tag' chunks of at
 * most @max bytes.  PRE_COPY may also end early with ENOMSG (nothing
 * more for now).  Returns the bytes read, or -1 with @errp.
 */
static int64_t vfio_mig_read(VFIOMigration *m, GPtrArray *chunks,
                             size_t max, char tag, uint64_t want,
                             Error **errp)
{
    GByteArray *c = NULL;
    uint64_t got = 0;

    while (got < want) {
        size_t room, n;
        ssize_t r;

        if (!c || c->len >= max) {
            c = vfio_mig_chunk(chunks, tag);
        }
        room = max - c->len;
        n = MIN(room, want - got);
        g_byte_array_set_size(c, c->len + n);
        r = read(m->data_fd, c->data + c->len - n, n);
        if (r < 0 && errno == EINTR) {
            g_byte_array_set_size(c, c->len - n);
            continue;
        }
        g_byte_array_set_size(c, c->len - n + MAX(r, 0));
        if (r < 0 && errno == ENOMSG && tag == VFIO_MIG_TAG_PRECOPY) {
            break;
        }
        if (r < 0) {
            error_setg_errno(errp, errno, "%s: read from the migration "
                             "data_fd in %s failed after %" PRIu64
                             " bytes", vname(m),
                             vfio_mig_state_name(m->state), got);
            return -1;
        }
        if (r == 0) {
            if (want != UINT64_MAX) {
                error_setg(errp, "%s: the migration data_fd ended after %"
                           PRIu64 " of the %" PRIu64 " bytes "
                           "VFIO_MIG_GET_PRECOPY_INFO announced", vname(m),
                           got, want);
                return -1;
            }
            break;
        }
        got += r;
    }
    /* A last empty chunk (a tag only) carries nothing. */
    if (chunks->len) {
        GByteArray *last = g_ptr_array_index(chunks, chunks->len - 1);

        if (last->len == 1) {
            g_ptr_array_remove_index(chunks, chunks->len - 1);
        }
    }
    trace_vfio_migration_read(vname(m), vfio_mig_state_name(m->state), got);
    return got;
}

static bool vfio_mig_save_iterate(DeviceState *dev, GPtrArray *chunks,
                                  size_t max, Error **errp)
{
    VFIOMigration *m = dev_mig(dev);
    struct vfio_precopy_info info = { .argsz = sizeof(info) };
    int64_t got;

    if (m->state != VFIO_DEVICE_STATE_PRE_COPY) {
        return true;
    }
    if (ioctl(m->data_fd, VFIO_MIG_GET_PRECOPY_INFO, &info) < 0) {
        error_setg_errno(errp, errno, "%s: VFIO_MIG_GET_PRECOPY_INFO "
                         "failed", vname(m));
        trace_vfio_device_ioctl(vname(m), "VFIO_MIG_GET_PRECOPY_INFO",
                                -errno);
        return false;
    }
    trace_vfio_device_ioctl(vname(m), "VFIO_MIG_GET_PRECOPY_INFO", 0);
    trace_vfio_migration_precopy_info(vname(m), info.initial_bytes,
                                      info.dirty_bytes);
    if (!info.initial_bytes && !info.dirty_bytes) {
        return true;
    }
    got = vfio_mig_read(m, chunks, max, VFIO_MIG_TAG_PRECOPY,
                        info.initial_bytes + info.dirty_bytes, errp);
    if (got < 0) {
        return false;
    }
    m->precopy_bytes += got;
    m->state_bytes += got;
    return true;
}

static bool vfio_mig_save_stop(DeviceState *dev, bool p2p, Error **errp)
{
    VFIOMigration *m = dev_mig(dev);
    int64_t got;

    if (p2p) {
        if (!vfio_mig_has(m, VFIO_MIGRATION_P2P)) {
            return true;
        }
        return vfio_mig_set_state(m, m->state == VFIO_DEVICE_STATE_PRE_COPY ?
                                  VFIO_DEVICE_STATE_PRE_COPY_P2P :
                                  VFIO_DEVICE_STATE_RUNNING_P2P, errp);
    }
    /* RUNNING(_P2P) -> STOP -> STOP_COPY; PRE_COPY(_P2P) -> STOP_COPY. */
    if ((m->state == VFIO_DEVICE_STATE_RUNNING ||
         m->state == VFIO_DEVICE_STATE_RUNNING_P2P) &&
        !vfio_mig_set_state(m, VFIO_DEVICE_STATE_STOP, errp)) {
        return false;
    }
    if (!vfio_mig_set_state(m, VFIO_DEVICE_STATE_STOP_COPY, errp)) {
        return false;
    }
    if (m->data_fd < 0) {
        error_setg(errp, "%s: STOP_COPY gave no data_fd", vname(m));
        return false;
    }
    vfio_mig_free_final(m);
    m->final = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_byte_array_unref);
    /* Sections carry a tag byte more than the data. */
    got = vfio_mig_read(m, m->final, (1u << 20) - 16, VFIO_MIG_TAG_STOPCOPY,
                        UINT64_MAX, errp);
    if (got < 0) {
        return false;
    }
    m->state_bytes += got;
    /* The session is over: the device sits in STOP. */
    return vfio_mig_set_state(m, VFIO_DEVICE_STATE_STOP, errp);
}

static bool vfio_mig_save_complete(DeviceState *dev, GPtrArray *chunks,
                                   size_t max, Error **errp)
{
    VFIOMigration *m = dev_mig(dev);
    PCIDevice *pdev = PCI_DEVICE(dev);
    GByteArray *c;
    uint8_t be[8];
    guint i;

    for (i = 0; m->final && i < m->final->len; i++) {
        g_ptr_array_add(chunks,
                        g_byte_array_ref(g_ptr_array_index(m->final, i)));
    }
    c = vfio_mig_chunk(chunks, VFIO_MIG_TAG_CONFIG);
    put_be(be, pdev->config_size, 4);
    g_byte_array_append(c, be, 4);
    g_byte_array_append(c, pdev->config, pdev->config_size);
    c = vfio_mig_chunk(chunks, VFIO_MIG_TAG_END);
    put_be(be, m->state_bytes, 8);
    g_byte_array_append(c, be, 8);
    (void)max;
    return true;
}

static void vfio_mig_save_cleanup(DeviceState *dev, bool ok)
{
    VFIOMigration *m = dev_mig(dev);

    vfio_mig_free_final(m);
    if (ok) {
        /* The source stays stopped, and so does its device. */
        if (m->data_fd >= 0) {
            close(m->data_fd);
            m->data_fd = -1;
        }
        return;
    }
    vfio_mig_back_to_running(m);
}

static void vfio_mig_stats(DeviceState *dev, DeviceMigrationStats *st)
{
    VFIOMigration *m = dev_mig(dev);

    if (!m->flags) {
        return;
    }
    st->dirty_mode = vfio_mig_dirty_mode(m->vdev);
    st->state_bytes = m->state_bytes;
    st->precopy_bytes = m->precopy_bytes;
    st->dirty_pages = m->dirty_pages + m->conservative_pages;
    st->dirty_resent_bytes = (m->dirty_pages + m->conservative_pages) *
                             TARGET_PAGE_SIZE;
}

/* -------------------------------------------------------- destination */

static bool vfio_mig_write(VFIOMigration *m, const uint8_t *p, size_t len,
                           Error **errp)
{
    size_t done = 0;

    while (done < len) {
        ssize_t r = write(m->data_fd, p + done, len - done);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            error_setg_errno(errp, r < 0 ? errno : EIO, "%s: write to the "
                             "migration data_fd in RESUMING failed after %"
                             PRIu64 " bytes", vname(m),
                             m->loaded_bytes + done);
            return false;
        }
        done += r;
    }
    trace_vfio_migration_write(vname(m), len);
    m->loaded_bytes += len;
    return true;
}

static bool vfio_mig_load_config(VFIOMigration *m, const uint8_t *p,
                                 size_t len, Error **errp)
{
    PCIDevice *pdev = &m->vdev->parent_obj;
    uint32_t size = len >= 4 ? get_be(p, 4) : 0;

    if (len < 4 || size != len - 4 || size != pdev->config_size) {
        error_setg(errp, "%s: configuration space of %zu bytes in the "
                   "stream, %u here", vname(m), len >= 4 ? len - 4 : 0,
                   pdev->config_size);
        return false;
    }
    if (memcmp(p + 4 + PCI_VENDOR_ID, pdev->config + PCI_VENDOR_ID, 4)) {
        error_setg(errp, "%s: the stream has device %04x:%04x, this host "
                   "device is %04x:%04x", vname(m),
                   pci_get_word(p + 4 + PCI_VENDOR_ID),
                   pci_get_word(p + 4 + PCI_DEVICE_ID),
                   pci_get_word(pdev->config + PCI_VENDOR_ID),
                   pci_get_word(pdev->config + PCI_DEVICE_ID));
        return false;
    }
    memcpy(pdev->config, p + 4, size);
    pci_update_mappings(pdev);
    return true;
}

static bool vfio_mig_load_data(DeviceState *dev, const uint8_t *data,
                               size_t len, Error **errp)
{
    VFIOMigration *m = dev_mig(dev);

    if (!len) {
        error_setg(errp, "%s: empty device data", vname(m));
        return false;
    }
    if (!m->flags) {
        error_setg(errp, "%s: the stream has device state, but this host "
                   "device offers no VFIO migration (STOP_COPY)", vname(m));
        return false;
    }
    if (m->loaded) {
        error_setg(errp, "%s: device data after its end", vname(m));
        return false;
    }
    if (!m->loading) {
        /* The state written replaces whatever the device holds. */
        if ((m->state != VFIO_DEVICE_STATE_STOP &&
             !vfio_mig_set_state(m, VFIO_DEVICE_STATE_STOP, errp)) ||
            !vfio_mig_set_state(m, VFIO_DEVICE_STATE_RESUMING, errp)) {
            return false;
        }
        if (m->data_fd < 0) {
            error_setg(errp, "%s: RESUMING gave no data_fd", vname(m));
            return false;
        }
        m->loading = true;
        m->loaded_bytes = 0;
    }
    switch (data[0]) {
    case VFIO_MIG_TAG_PRECOPY:
    case VFIO_MIG_TAG_STOPCOPY:
        return vfio_mig_write(m, data + 1, len - 1, errp);
    case VFIO_MIG_TAG_CONFIG:
        return vfio_mig_load_config(m, data + 1, len - 1, errp);
    case VFIO_MIG_TAG_END:
        if (len != 9 || get_be(data + 1, 8) != m->loaded_bytes) {
            error_setg(errp, "%s: %" PRIu64 " bytes of device state "
                       "arrived, the source sent %" PRIu64, vname(m),
                       m->loaded_bytes, len == 9 ? get_be(data + 1, 8) : 0);
            return false;
        }
        /* Leaving RESUMING is where the driver checks the state. */
        if (!vfio_mig_set_state(m, VFIO_DEVICE_STATE_STOP, errp)) {
            error_append_hint(errp, "the host driver refused the device "
                              "state\n");
            return false;
        }
        m->loaded = true;
        trace_vfio_migration_loaded(vname(m), m->loaded_bytes);
        return true;
    default:
        error_setg(errp, "%s: unknown device data tag 0x%02x", vname(m),
                   data[0]);
        return false;
    }
}

static bool vfio_mig_load_finish(DeviceState *dev, Error **errp)
{
    VFIOMigration *m = dev_mig(dev);

    /* No data at all: the source had no device here, it starts fresh. */
    if (m->loading && !m->loaded) {
        error_setg(errp, "%s: the stream ends before the device's state "
                   "is complete (%" PRIu64 " bytes)", vname(m),
                   m->loaded_bytes);
        return false;
    }
    return true;
}

/* The machine runs: a device a migration left in STOP runs with it. */
static void vfio_mig_run(DeviceState *dev)
{
    VFIOMigration *m = dev_mig(dev);
    PCIDevice *pdev = PCI_DEVICE(dev);
    Error *err = NULL;

    if (m->state != VFIO_DEVICE_STATE_STOP) {
        return;
    }
    if (m->loaded) {
        /* Decoding and bus mastering as the guest had them. */
        vfio_pci_dev_config_write(m->vdev, PCI_COMMAND, 2,
                                  pci_get_word(pdev->config + PCI_COMMAND));
        m->loaded = m->loading = false;
    }
    if ((vfio_mig_has(m, VFIO_MIGRATION_P2P) &&
         !vfio_mig_set_state(m, VFIO_DEVICE_STATE_RUNNING_P2P, &err)) ||
        !vfio_mig_set_state(m, VFIO_DEVICE_STATE_RUNNING, &err)) {
        error_report_err(err);
        vfio_mig_back_to_running(m);
    }
}

static char *vfio_mig_blocker(DeviceState *dev)
{
    return vfio_migration_blocker(VFIO_PCI(PCI_DEVICE(dev)));
}

const DeviceMigrationOps vfio_pci_migration_ops = {
    .blocker = vfio_mig_blocker,
    .save_setup = vfio_mig_save_setup,
    .save_iterate = vfio_mig_save_iterate,
    .save_stop = vfio_mig_save_stop,
    .save_complete = vfio_mig_save_complete,
    .save_cleanup = vfio_mig_save_cleanup,
    .stats = vfio_mig_stats,
    .load_data = vfio_mig_load_data,
    .load_finish = vfio_mig_load_finish,
    .run = vfio_mig_run,
};
