/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: VFIO_DEVICE_FEATURE on a device fd, the device options that
 * decide which features it has, and their state as JSON.
 *
 * The ioctl is checked as vfio_ioctl_device_feature() and
 * vfio_check_feature() check it, then each feature as its handler in
 * drivers/vfio/vfio_main.c does.
 */
#include <errno.h>
#include <string.h>
#include "mig.h"

/*
 * vfio_check_feature: GET/SET beyond what the feature offers is EINVAL;
 * PROBE answers 0 there; otherwise one of GET or SET and a payload of
 * at least @minsz.  1 means: go on and do it.
 */
int vsim_check_feature(uint32_t flags, size_t argsz, uint32_t supported_ops,
                       size_t minsz)
{
    if ((flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET)) &
        ~supported_ops) {
        return -EINVAL;
    }
    if (flags & VFIO_DEVICE_FEATURE_PROBE) {
        return 0;
    }
    if (!(flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET))) {
        return -EINVAL;
    }
    if (argsz < minsz) {
        return -EINVAL;
    }
    return 1;
}

/* vfio_ioctl_device_feature_migration */
static long feature_migration(VsimDevice *d, uint32_t flags, void *data,
                              size_t size)
{
    struct vfio_device_feature_migration mig = { .flags = d->mig->flags };
    int r = vsim_check_feature(flags, size, VFIO_DEVICE_FEATURE_GET,
                               sizeof(mig));

    if (r != 1) {
        return r;
    }
    return vsim_copy_to_user(data, &mig, sizeof(mig));
}

/* vfio_ioctl_device_feature_mig_device_state */
static long feature_mig_state(VsimDevice *d, uint32_t flags, void *data,
                              size_t size)
{
    struct vfio_device_feature_mig_state mig;
    VsimMigFile *f = NULL;
    int r = vsim_check_feature(flags, size,
                               VFIO_DEVICE_FEATURE_GET |
                               VFIO_DEVICE_FEATURE_SET, sizeof(mig));

    if (r != 1) {
        return r;
    }
    if (vsim_copy_from_user(&mig, data, sizeof(mig)) < 0) {
        return -EFAULT;
    }
    if (flags & VFIO_DEVICE_FEATURE_GET) {
        mig.device_state = d->mig->state;
        r = 0;
    } else {
        r = vsim_mig_set_state(d, mig.device_state, &f);
        if (!r && f) {
            /* vfio_ioct_mig_return_fd: a new O_CLOEXEC fd */
            mig.data_fd = vsim_mig_file_install(f);
            if (mig.data_fd < 0) {
                return mig.data_fd;
            }
            if (vsim_copy_to_user(data, &mig, sizeof(mig)) < 0) {
                vsim_file_close(mig.data_fd);
                vsim_libc.close(mig.data_fd);
                return -EFAULT;
            }
            return 0;
        }
    }
    mig.data_fd = -1;
    if (vsim_copy_to_user(data, &mig, sizeof(mig)) < 0) {
        return -EFAULT;
    }
    return r;
}

/* vfio_ioctl_device_feature_migration_data_size */
static long feature_data_size(VsimDevice *d, uint32_t flags, void *data,
                              size_t size)
{
    struct vfio_device_feature_mig_data_size ds;
    int r = vsim_check_feature(flags, size, VFIO_DEVICE_FEATURE_GET,
                               sizeof(ds));

    if (r != 1) {
        return r;
    }
    ds.stop_copy_length = vsim_mig_state_size(d);
    return vsim_copy_to_user(data, &ds, sizeof(ds));
}

/*
 * vfio_ioctl_device_feature: argsz covers the header (EINVAL), no
 * unknown flag bits, GET and SET together only with PROBE; the
 * migration features are ENOTTY on a device without migration, the
 * logging ones without DMA logging, and any other feature is the
 * vfio-pci core's (vfio_pci_core_ioctl_feature: ENOTTY here, the VF
 * token and low-power features are not modelled).
 */
long vsim_device_feature(VsimDevice *d, void *arg)
{
    struct vfio_device_feature hdr;
    const size_t minsz = MINSZ(struct vfio_device_feature, flags);
    VsimMig *m = vsim_mig(d);
    void *data = (uint8_t *)arg + minsz;
    size_t size;

    GET_ARG(hdr, arg, struct vfio_device_feature, flags);
    size = hdr.argsz - minsz;
    if (hdr.flags & ~(VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_GET |
                      VFIO_DEVICE_FEATURE_SET |
                      VFIO_DEVICE_FEATURE_PROBE)) {
        return -EINVAL;
    }
    if (!(hdr.flags & VFIO_DEVICE_FEATURE_PROBE) &&
        (hdr.flags & VFIO_DEVICE_FEATURE_SET) &&
        (hdr.flags & VFIO_DEVICE_FEATURE_GET)) {
        return -EINVAL;
    }
    switch (hdr.flags & VFIO_DEVICE_FEATURE_MASK) {
    case VFIO_DEVICE_FEATURE_MIGRATION:
        return m->flags ? feature_migration(d, hdr.flags, data, size)
                        : -ENOTTY;
    case VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE:
        return m->flags ? feature_mig_state(d, hdr.flags, data, size)
                        : -ENOTTY;
    case VFIO_DEVICE_FEATURE_MIG_DATA_SIZE:
        return m->flags ? feature_data_size(d, hdr.flags, data, size)
                        : -ENOTTY;
    case VFIO_DEVICE_FEATURE_DMA_LOGGING_START:
        return m->dirty_log ? vsim_dirty_log_start(d, hdr.flags, data, size)
                            : -ENOTTY;
    case VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP:
        return m->dirty_log ? vsim_dirty_log_stop(d, hdr.flags, data, size)
                            : -ENOTTY;
    case VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT:
        return m->dirty_log ? vsim_dirty_log_report(d, hdr.flags, data, size)
                            : -ENOTTY;
    default:
        return -ENOTTY;
    }
}

/* VFIO_SIM_DEVICES options that follow a device: migration=, dirty-log= */
bool vsim_mig_option(VsimDevice *d, const char *key, const char *val)
{
    static const struct {
        const char *name;
        uint32_t flags;
    } modes[] = {
        { "off", 0 },
        { "stop-copy", VFIO_MIGRATION_STOP_COPY },
        { "p2p", VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P },
        { "precopy", VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_PRE_COPY },
        { "all", VSIM_MIG_ALL },
    };
    VsimMig *m = vsim_mig(d);

    if (!strcmp(key, "rate")) {
        return vsim_dmae_set_rate(d, val);
    }
    if (!strcmp(key, "dirty-log")) {
        if (strcmp(val, "on") && strcmp(val, "off")) {
            return false;
        }
        m->dirty_log = !strcmp(val, "on");
        return true;
    }
    for (unsigned i = 0; !strcmp(key, "migration") &&
                         i < G_N_ELEMENTS(modes); i++) {
        if (!strcmp(val, modes[i].name)) {
            m->flags = modes[i].flags;
            return true;
        }
    }
    return false;
}

JsonObject *vsim_mig_json(VsimDevice *d)
{
    VsimMig *m = vsim_mig(d);
    JsonObject *o = json_object_new();
    JsonArray *flags = json_array_new(), *path = json_array_new();
    JsonObject *dl;

    if (m->flags & VFIO_MIGRATION_STOP_COPY) {
        json_array_add_string_element(flags, "stop-copy");
    }
    if (m->flags & VFIO_MIGRATION_P2P) {
        json_array_add_string_element(flags, "p2p");
    }
    if (m->flags & VFIO_MIGRATION_PRE_COPY) {
        json_array_add_string_element(flags, "precopy");
    }
    for (unsigned i = 0; i < m->path_len; i++) {
        json_array_add_string_element(path, vsim_mig_state_name(m->path[i]));
    }
    json_object_set_string_member(o, "state", vsim_mig_state_name(m->state));
    json_object_set_array_member(o, "flags", flags);
    json_object_set_array_member(o, "last_path", path);
    json_object_set_int_member(o, "data_fds", vsim_mig_open_files(d));
    json_object_set_boolean_member(o, "session", m->file != NULL);
    json_object_set_int_member(o, "rate", vsim_dmae_rate(d));
    dl = vsim_dirty_log_json(d);
    json_object_set_boolean_member(dl, "offered", m->dirty_log);
    json_object_set_object_member(o, "dirty_log", dl);
    return o;
}
