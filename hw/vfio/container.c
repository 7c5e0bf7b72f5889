/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * VFIO containers and groups: open, attach, choose the IOMMU type,
 * set up the sPAPR state, and tear all of it down again.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-container.h"
#include "exec/ram.h"
#include "trace.h"
#include <fcntl.h>
#include <sys/ioctl.h>

static GPtrArray *containers;

GPtrArray *vfio_containers(void)
{
    if (!containers) {
        containers = g_ptr_array_new();
    }
    return containers;
}

const char *vfio_iommu_type_name(int type)
{
    switch (type) {
    case VFIO_TYPE1_IOMMU:
        return "Type1";
    case VFIO_SPAPR_TCE_IOMMU:
        return "sPAPR TCE v1";
    case VFIO_TYPE1v2_IOMMU:
        return "Type1v2";
    case VFIO_SPAPR_TCE_v2_IOMMU:
        return "sPAPR TCE v2";
    case VFIO_NOIOMMU_IOMMU:
        return "no-IOMMU";
    default:
        return "unknown";
    }
}

int vfio_container_ioctl_named(VFIOContainer *c, unsigned long req,
                               const char *name, void *arg)
{
    int ret = ioctl(c->fd, req, arg);
    int err = ret < 0 ? errno : 0;

    /*
     * None of the container ioctls we issue returns a positive value on
     * success; the kernel's MAP/UNMAP check macro returns 1 with errno
     * untouched (misaligned iova, or outside the table).  Keep it as is
     * so that callers see a failure they can name.
     */
    trace_vfio_container_ioctl(c->fd, name, ret < 0 ? -err : ret);
    return ret < 0 ? -err : ret;
}

const char *vfio_ioctl_strerror(int status)
{
    static __thread char buf[64];

    if (status < 0) {
        return g_strerror(-status);
    }
    snprintf(buf, sizeof(buf), "returned %d with no errno", status);
    return buf;
}

void vfio_container_set_error(VFIOContainer *c, int status,
                              const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    trace_vfio_container_error(c->fd, msg, status);
    g_free(c->last_error);
    c->last_error = status ? g_strdup_printf("%s: %s", msg,
                                             vfio_ioctl_strerror(status))
                           : g_strdup(msg);
    if (c->error) {
        return;
    }
    error_setg(&c->error, "%s", c->last_error);
}

Error *vfio_container_take_error(VFIOContainer *c)
{
    Error *err = c->error;

    c->error = NULL;
    return err;
}

/*
 * After a failure the host tables no longer follow the guest's: clear
 * them, so the device cannot reach pages the guest has since unmapped or
 * reused.  When the UNMAP fails too, remove the window we created (that
 * clears every TCE in it).  False when a host TCE may remain: the
 * container is then "stale" and guest unmaps keep being passed on.
 */
static bool vfio_container_clear_windows(VFIOContainer *c)
{
    bool clean = true;
    unsigned i = 0;

    while (i < c->hostwins->len) {
        VFIOHostDMAWindow *w = g_ptr_array_index(c->hostwins, i);
        VFIODMARun run = {
            .iova = w->min_iova,
            .size = w->max_iova - w->min_iova + 1,
        };
        g_autoptr(Error) err = NULL;

        if (vfio_dma_run_flush(c, &run)) {
            i++;
            continue;
        }
        err = vfio_container_take_error(c);
        if (vfio_spapr_drop_window(c, w)) {
            warn_report("vfio: clearing a failed container: %s; host "
                        "window removed instead", error_get_pretty(err));
            continue;
        }
        warn_report("vfio: clearing a failed container: %s; host TCEs "
                    "may remain in 0x%" PRIx64 "-0x%" PRIx64 ", the "
                    "device stays stopped", error_get_pretty(err),
                    w->min_iova, w->max_iova);
        clean = false;
        i++;
    }
    c->stale = !clean;
    return clean;
}

void vfio_container_add_client(VFIOContainer *c, VFIOContainerClient *client)
{
    if (!c->clients) {
        c->clients = g_ptr_array_new();
    }
    g_ptr_array_add(c->clients, client);
}

void vfio_container_remove_client(VFIOContainer *c,
                                  VFIOContainerClient *client)
{
    if (c->clients) {
        g_ptr_array_remove(c->clients, client);
    }
}

void vfio_container_mark_failed(VFIOContainer *c)
{
    unsigned i;

    if (c->failed) {
        return;
    }
    c->failed = true;
    trace_vfio_container_failed(c->fd);
    /* Stop the devices first: nothing may reach a stale TCE meanwhile. */
    for (i = 0; c->clients && i < c->clients->len; i++) {
        VFIOContainerClient *client = g_ptr_array_index(c->clients, i);

        client->failed(client);
    }
    vfio_container_clear_windows(c);
}

/*
 * Bring a failed container back: stop mirroring, drop every host window
 * and (v2) every registration, then register both listeners again, which
 * re-creates the windows the guest has and replays its TCEs.  The
 * devices were stopped when the container failed; each client's
 * recovered() resets its device and gives it back what the guest enabled.
 */
bool vfio_container_recover(VFIOContainer *c, Error **errp)
{
    Error *err;
    unsigned i = 0;

    if (!c->failed) {
        return true;
    }
    trace_vfio_container_recover(c->fd);
    if (c->listener_registered) {
        memory_listener_unregister(&c->listener);
        c->listener_registered = false;
    }
    while (i < c->hostwins->len) {
        VFIOHostDMAWindow *w = g_ptr_array_index(c->hostwins, i);
        VFIODMARun run = {
            .iova = w->min_iova,
            .size = w->max_iova - w->min_iova + 1,
        };

        if (w->created) {
            if (!vfio_spapr_drop_window(c, w)) {
                error_setg(errp, "%s", c->last_error);
                return false;
            }
            continue;
        }
        /* v1's default window stays: empty it. */
        if (!vfio_dma_run_flush(c, &run)) {
            error_propagate(errp, vfio_container_take_error(c));
            return false;
        }
        i++;
    }
    c->stale = false;
    error_free(vfio_container_take_error(c));
    if (c->prereg_registered) {
        memory_listener_unregister(&c->prereg_listener);
        c->prereg_registered = false;
        memory_listener_register(&c->prereg_listener, &address_space_memory);
        c->prereg_registered = true;
        err = vfio_container_take_error(c);
        if (err) {
            error_propagate(errp, err);
            return false;
        }
    }
    c->failed = false;
    memory_listener_register(&c->listener, c->as);
    c->listener_registered = true;
    err = vfio_container_take_error(c);
    if (err || c->failed) {
        if (!err) {
            error_setg(&err, "%s", c->last_error ? c->last_error
                                                 : "replay failed");
        }
        c->failed = false;
        vfio_container_mark_failed(c);
        error_propagate(errp, err);
        return false;
    }
    c->recoveries++;
    trace_vfio_container_recovered(c->fd);
    for (i = 0; c->clients && i < c->clients->len; i++) {
        VFIOContainerClient *client = g_ptr_array_index(c->clients, i);

        client->recovered(client);
    }
    return true;
}

void vfio_container_try_recover(VFIOContainer *c)
{
    Error *err = NULL;

    if (!c->failed) {
        return;
    }
    if (vfio_container_recover(c, &err)) {
        info_report("vfio: container for %s recovered", c->as->name);
    } else {
        warn_report("vfio: container for %s stays failed: %s",
                    c->as->name, error_get_pretty(err));
        error_free(err);
    }
}

/* Host IOMMU types this kernel would accept, for the error message. */
static char *vfio_host_iommu_types(int fd)
{
    static const int types[] = {
        VFIO_TYPE1_IOMMU, VFIO_SPAPR_TCE_IOMMU, VFIO_TYPE1v2_IOMMU,
        VFIO_SPAPR_TCE_v2_IOMMU, VFIO_NOIOMMU_IOMMU,
    };
    GString *s = g_string_new(NULL);
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(types); i++) {
        if (ioctl(fd, VFIO_CHECK_EXTENSION, types[i]) > 0) {
            g_string_append_printf(s, "%s%s (%d)", s->len ? ", " : "",
                                   vfio_iommu_type_name(types[i]), types[i]);
        }
    }
    if (!s->len) {
        g_string_append(s, "none");
    }
    return g_string_free(s, FALSE);
}

/* GET_INFO: window sizes and DDW capabilities of the host. */
static bool vfio_spapr_get_info(VFIOContainer *c, Error **errp)
{
    struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
    int ret;

    ret = vfio_container_ioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info);
    if (ret) {
        error_setg(errp, "VFIO_IOMMU_SPAPR_TCE_GET_INFO failed: %s",
                   vfio_ioctl_strerror(ret));
        return false;
    }
    c->dma32_start = info.dma32_window_start;
    c->dma32_size = info.dma32_window_size;
    if (info.flags & VFIO_IOMMU_SPAPR_INFO_DDW) {
        c->host_pgsizes = info.ddw.pgsizes;
        c->max_windows = info.ddw.max_dynamic_windows_supported;
        c->max_levels = info.ddw.levels;
    } else {
        c->host_pgsizes = 4096;
        c->max_windows = 1;
        c->max_levels = 1;
    }
    trace_vfio_spapr_info(c->dma32_start, c->dma32_size, c->host_pgsizes,
                          c->max_windows, c->max_levels);
    return true;
}

static void vfio_container_free(VFIOContainer *c)
{
    g_ptr_array_remove(vfio_containers(), c);
    g_ptr_array_free(c->groups, TRUE);
    g_ptr_array_free(c->hostwins, TRUE);
    g_ptr_array_free(c->giommus, TRUE);
    g_ptr_array_free(c->prereg, TRUE);
    if (c->clients) {
        g_ptr_array_free(c->clients, TRUE);
    }
    error_free(c->error);
    g_free(c->last_error);
    g_free(c->fallback);
    if (c->fd >= 0) {
        close(c->fd);
    }
    g_free(c);
}

/*
 * Undo the IOMMU setup: windows and mappings first (the IOMMU listener
 * delivers region_del for every guest window), then the preregistered
 * memory (only unpinnable once nothing maps it), then v1's enable.
 */
static void vfio_container_teardown(VFIOContainer *c)
{
    if (c->listener_registered) {
        memory_listener_unregister(&c->listener);
        c->listener_registered = false;
    }
    /* Windows left without a guest window (e.g. after failures). */
    while (c->hostwins->len) {
        VFIOHostDMAWindow *w = g_ptr_array_index(c->hostwins, 0);

        vfio_spapr_remove_window(c, w);
    }
    if (c->prereg_registered) {
        memory_listener_unregister(&c->prereg_listener);
        c->prereg_registered = false;
    }
    if (c->v1_enabled) {
        int ret = vfio_container_ioctl(c, VFIO_IOMMU_DISABLE, NULL);
        if (ret) {
            warn_report("VFIO_IOMMU_DISABLE failed: %s",
                        vfio_ioctl_strerror(ret));
        }
        c->v1_enabled = false;
    }
}

/* v2: remove the host's default window; ours come from the guest. */
static bool vfio_spapr_drop_default_window(VFIOContainer *c, Error **errp)
{
    struct vfio_iommu_spapr_tce_remove remove = {
        .argsz = sizeof(remove),
        .start_addr = c->dma32_start,
    };
    int ret;

    ret = vfio_container_ioctl(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove);
    c->stats.window_ioctls++;
    if (ret) {
        error_setg(errp, "VFIO_IOMMU_SPAPR_TCE_REMOVE of the default window "
                   "at 0x%" PRIx64 " failed: %s", c->dma32_start,
                   vfio_ioctl_strerror(ret));
        return false;
    }
    return true;
}

static bool vfio_container_setup_iommu(VFIOContainer *c, Error **errp)
{
    Error *err;
    int ret;

    if (!vfio_spapr_get_info(c, errp)) {
        return false;
    }
    if (c->iommu_type == VFIO_SPAPR_TCE_v2_IOMMU) {
        /* Pin all guest RAM once; MAP_DMA then only writes TCEs. */
        c->prereg_listener = vfio_prereg_listener_template;
        memory_listener_register(&c->prereg_listener, &address_space_memory);
        c->prereg_registered = true;
        err = vfio_container_take_error(c);
        if (err) {
            error_propagate(errp, err);
            return false;
        }
        if (!vfio_spapr_drop_default_window(c, errp)) {
            return false;
        }
    } else {
        VFIOHostDMAWindow *w = g_new0(VFIOHostDMAWindow, 1);

        ret = vfio_container_ioctl(c, VFIO_IOMMU_ENABLE, NULL);
        if (ret) {
            g_free(w);
            error_setg(errp, "VFIO_IOMMU_ENABLE failed: %s",
                       vfio_ioctl_strerror(ret));
            return false;
        }
        c->v1_enabled = true;
        /* v1 has exactly the default window, with 4 KiB pages. */
        w->min_iova = c->dma32_start;
        w->max_iova = c->dma32_start + c->dma32_size - 1;
        w->iova_pgsizes = 4096;
        w->levels = 1;
        g_ptr_array_add(c->hostwins, w);
    }

    c->listener = vfio_iommu_listener_template;
    memory_listener_register(&c->listener, c->as);
    c->listener_registered = true;
    err = vfio_container_take_error(c);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

static bool vfio_group_set_container(VFIOGroup *g, VFIOContainer *c)
{
    int ret = ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd);

    trace_vfio_group_set_container(g->groupid, c->fd, ret < 0 ? -errno : 0);
    return ret == 0;
}

static void vfio_group_unset_container(VFIOGroup *g)
{
    int ret = ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);

    trace_vfio_group_unset_container(g->groupid, ret < 0 ? -errno : 0);
    if (ret < 0) {
        warn_report("VFIO_GROUP_UNSET_CONTAINER of group %d failed: %s",
                    g->groupid, g_strerror(errno));
    }
}

/* CHECK_EXTENSION(@type): 1 or 0, or -1 with @errp set. */
static int vfio_container_has_type(VFIOContainer *c, int type, Error **errp)
{
    int ret = ioctl(c->fd, VFIO_CHECK_EXTENSION, type);

    trace_vfio_check_extension(c->fd, type, ret < 0 ? -errno : ret);
    if (ret < 0) {
        /* Not "unsupported": the host could not answer at all. */
        error_setg_errno(errp, errno, "VFIO_CHECK_EXTENSION(%s) failed",
                         vfio_iommu_type_name(type));
        return -1;
    }
    return ret > 0;
}

/* The best sPAPR TCE type the host offers: v2, else v1. */
static bool vfio_container_pick_type(VFIOContainer *c, Error **errp)
{
    g_autofree char *types = NULL;
    int ret;

    ret = vfio_container_has_type(c, VFIO_SPAPR_TCE_v2_IOMMU, errp);
    if (ret < 0) {
        return false;
    }
    c->has_v1 = vfio_container_has_type(c, VFIO_SPAPR_TCE_IOMMU, errp);
    if (c->has_v1 < 0) {
        return false;
    }
    if (ret) {
        c->iommu_type = VFIO_SPAPR_TCE_v2_IOMMU;
        return true;
    }
    if (c->has_v1) {
        c->iommu_type = VFIO_SPAPR_TCE_IOMMU;
        return true;
    }
    types = vfio_host_iommu_types(c->fd);
    error_setg(errp, "host IOMMU offers no sPAPR TCE type (v2 or v1); "
               "it offers: %s", types);
    return false;
}

/*
 * SET_IOMMU with the chosen type.  A pseries or nested host offers v2
 * but refuses it (EPERM: a group without DDW support); v1 then still
 * works, without preregistration and with only the default window.
 */
static bool vfio_container_set_iommu(VFIOContainer *c, Error **errp)
{
    static bool warned;
    int ret;

    ret = vfio_container_ioctl(c, VFIO_SET_IOMMU,
                               (void *)(uintptr_t)c->iommu_type);
    if (ret && c->iommu_type == VFIO_SPAPR_TCE_v2_IOMMU && c->has_v1) {
        g_autofree char *why = g_strdup_printf(
            "VFIO_SET_IOMMU(%s) failed: %s",
            vfio_iommu_type_name(c->iommu_type), vfio_ioctl_strerror(ret));

        ret = vfio_container_ioctl(c, VFIO_SET_IOMMU,
                                   (void *)(uintptr_t)VFIO_SPAPR_TCE_IOMMU);
        if (ret) {
            error_setg(errp, "%s, and VFIO_SET_IOMMU(%s) failed too: %s",
                       why, vfio_iommu_type_name(VFIO_SPAPR_TCE_IOMMU),
                       vfio_ioctl_strerror(ret));
            return false;
        }
        c->iommu_type = VFIO_SPAPR_TCE_IOMMU;
        c->fallback = g_strdup_printf("%s; using %s: no memory "
                                      "preregistration, no dynamic DMA "
                                      "windows", why,
                                      vfio_iommu_type_name(c->iommu_type));
        if (!warned) {
            warned = true;
            warn_report("vfio: %s", c->fallback);
        }
        return true;
    }
    if (ret) {
        error_setg(errp, "VFIO_SET_IOMMU(%s) failed: %s",
                   vfio_iommu_type_name(c->iommu_type),
                   vfio_ioctl_strerror(ret));
        return false;
    }
    return true;
}

/* A new container for @g: open, pick the type, set up the IOMMU. */
static VFIOContainer *vfio_container_create(VFIOGroup *g, AddressSpace *as,
                                            Error **errp)
{
    VFIOContainer *c = g_new0(VFIOContainer, 1);
    int ret;

    c->as = as;
    c->groups = g_ptr_array_new();
    c->hostwins = g_ptr_array_new_with_free_func(g_free);
    c->giommus = g_ptr_array_new();
    c->prereg = g_ptr_array_new();
    c->fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
    if (c->fd < 0) {
        error_setg_errno(errp, errno, "cannot open /dev/vfio/vfio");
        goto free;
    }
    ret = ioctl(c->fd, VFIO_GET_API_VERSION);
    if (ret != VFIO_API_VERSION) {
        error_setg(errp, "VFIO_GET_API_VERSION: host has %d, need %d", ret,
                   VFIO_API_VERSION);
        goto free;
    }
    if (!vfio_container_pick_type(c, errp)) {
        goto free;
    }
    if (!vfio_group_set_container(g, c)) {
        error_setg_errno(errp, errno, "VFIO_GROUP_SET_CONTAINER of group "
                         "%d failed", g->groupid);
        goto free;
    }
    if (!vfio_container_set_iommu(c, errp)) {
        goto unset;
    }
    g_ptr_array_add(vfio_containers(), c);
    if (!vfio_container_setup_iommu(c, errp)) {
        goto teardown;
    }
    trace_vfio_container_create(c->fd, vfio_iommu_type_name(c->iommu_type),
                                as->name);
    return c;

teardown:
    vfio_container_teardown(c);
unset:
    vfio_group_unset_container(g);
free:
    vfio_container_free(c);
    return NULL;
}

static VFIOGroup *vfio_group_find(int groupid)
{
    GPtrArray *all = vfio_containers();
    unsigned i, j;

    for (i = 0; i < all->len; i++) {
        VFIOContainer *c = g_ptr_array_index(all, i);

        for (j = 0; j < c->groups->len; j++) {
            VFIOGroup *g = g_ptr_array_index(c->groups, j);

            if (g->groupid == groupid) {
                return g;
            }
        }
    }
    return NULL;
}

/* Join an existing container of @as when the host lets the group in. */
static VFIOContainer *vfio_container_join(VFIOGroup *g, AddressSpace *as)
{
    GPtrArray *all = vfio_containers();
    unsigned i;

    for (i = 0; i < all->len; i++) {
        VFIOContainer *c = g_ptr_array_index(all, i);

        if (c->as == as && !c->failed && vfio_group_set_container(g, c)) {
            return c;
        }
    }
    return NULL;
}

VFIOGroup *vfio_group_get(int groupid, AddressSpace *as, Error **errp)
{
    struct vfio_group_status status = { .argsz = sizeof(status) };
    g_autofree char *path = g_strdup_printf("/dev/vfio/%d", groupid);
    VFIOGroup *g = vfio_group_find(groupid);
    VFIOContainer *c;

    if (g) {
        if (g->container->as != as) {
            error_setg(errp, "IOMMU group %d is already used by another "
                       "address space (%s); all its devices must be behind "
                       "the same PHB", groupid, g->container->as->name);
            return NULL;
        }
        g->device_count++;
        return g;
    }

    g = g_new0(VFIOGroup, 1);
    g->groupid = groupid;
    g->fd = open(path, O_RDWR | O_CLOEXEC);
    if (g->fd < 0) {
        error_setg_errno(errp, errno, "cannot open %s", path);
        goto free;
    }
    if (ioctl(g->fd, VFIO_GROUP_GET_STATUS, &status) < 0) {
        error_setg_errno(errp, errno, "VFIO_GROUP_GET_STATUS of group %d "
                         "failed", groupid);
        goto close;
    }
    if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
        error_setg(errp, "IOMMU group %d is not viable: bind all its "
                   "devices to vfio-pci", groupid);
        goto close;
    }
    c = vfio_container_join(g, as);
    if (!c) {
        c = vfio_container_create(g, as, errp);
        if (!c) {
            goto close;
        }
    }
    g->container = c;
    g->device_count = 1;
    g_ptr_array_add(c->groups, g);
    c->refcount++;
    trace_vfio_group_get(groupid, c->fd);
    return g;

close:
    close(g->fd);
free:
    g_free(g);
    return NULL;
}

void vfio_group_put(VFIOGroup *g)
{
    VFIOContainer *c = g->container;

    if (--g->device_count) {
        return;
    }
    trace_vfio_group_put(g->groupid, c->fd);
    g_ptr_array_remove(c->groups, g);
    if (--c->refcount == 0) {
        /* Last group: release the IOMMU state while the group holds it. */
        vfio_container_teardown(c);
        vfio_group_unset_container(g);
        vfio_container_free(c);
    } else {
        vfio_group_unset_container(g);
    }
    close(g->fd);
    g_free(g);
}

int vfio_group_get_device_fd(VFIOGroup *g, const char *name, Error **errp)
{
    int fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, name);

    trace_vfio_group_get_device_fd(g->groupid, name, fd < 0 ? -errno : fd);
    if (fd < 0) {
        error_setg_errno(errp, errno, "VFIO_GROUP_GET_DEVICE_FD(%s) in group "
                         "%d failed", name, g->groupid);
    }
    return fd;
}

int vfio_sysfs_group_id(const char *sysfsdev, Error **errp)
{
    g_autofree char *link = g_strdup_printf("%s/iommu_group", sysfsdev);
    g_autofree char *target = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autofree char *base = NULL;
    char *end;
    long id;

    target = g_file_read_link(link, &gerr);
    if (!target) {
        error_setg(errp, "no IOMMU group for %s: %s", sysfsdev,
                   gerr->message);
        return -1;
    }
    base = g_path_get_basename(target);
    id = strtol(base, &end, 10);
    if (*end || end == base || id < 0 || id > INT_MAX) {
        error_setg(errp, "%s points to '%s', not an IOMMU group number",
                   link, target);
        return -1;
    }
    return (int)id;
}
