/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-pci interrupts: INTx, MSI and MSI-X through VFIO_DEVICE_SET_IRQS.
 *
 * The host has one interrupt type enabled at a time (it refuses to
 * switch without a disable in between), each vector with an eventfd we
 * give it.  Which type follows the guest: MSI-X when the guest enabled
 * it in the capability, else MSI, else INTx when the device has a pin.
 * Every guest write to the MSI or MSI-X capability (directly, or RTAS
 * ibm,change-msi, which writes config too) ends in vfio_pci_irq_update().
 *
 * Every eventfd is a GSource of the main loop (g_unix_fd_add): when the
 * host signals one, the callback reads it and raises the interrupt in
 * the machine (msix_notify, msi_notify, pci_set_irq).  Nothing polls.
 *
 * INTx is level-triggered: the host masks it each time it signals; we
 * raise the line, and when the guest EOIs the interrupt it routes to we
 * lower it and unmask the host (which signals again at once when the
 * device still asserts it).
 *
 * A SET_IRQS that fails at run time fails this device only, with a
 * message naming the ioctl and the errno; its interrupts stay off.
 */
#include "qemu/osdep.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "qapi/qmp.h"
#include "pci-irq.h"
#include "trace.h"
#include <glib-unix.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

static const char *vname(VFIOPCIDevice *v)
{
    return v->name ? v->name : "vfio-pci";
}

const char *vfio_irq_index_name(int index)
{
    static const char *const names[VFIO_PCI_NUM_IRQS] = {
        "INTx", "MSI", "MSI-X", "ERR", "REQ",
    };

    return index >= 0 && index < VFIO_PCI_NUM_IRQS ? names[index] : "none";
}

static const char *errno_name(int err)
{
    const char *n = strerrorname_np(err);

    return n ? n : "?";
}

int vfio_irq_set(VFIOPCIDevice *v, int index, uint32_t flags,
                 unsigned start, unsigned count, const int32_t *fds)
{
    size_t dsize = (flags & VFIO_IRQ_SET_DATA_EVENTFD) ?
                   count * sizeof(int32_t) : 0;
    g_autofree struct vfio_irq_set *set = g_malloc0(sizeof(*set) + dsize);
    int ret;

    set->argsz = sizeof(*set) + dsize;
    set->flags = flags;
    set->index = index;
    set->start = start;
    set->count = count;
    if (dsize) {
        memcpy(set->data, fds, dsize);
    }
    ret = ioctl(v->fd, VFIO_DEVICE_SET_IRQS, set);
    ret = ret < 0 ? -errno : 0;
    trace_vfio_pci_set_irqs(vname(v), vfio_irq_index_name(index), flags,
                            start, count, ret);
    return ret;
}

/* -------------------------------------------------------- eventfds */

static gboolean vfio_irq_vector_ready(int fd, GIOCondition cond,
                                      void *opaque)
{
    VFIOIrqVector *vec = opaque;
    VFIOPCIDevice *v = vec->vdev;
    PCIDevice *pdev = &v->parent_obj;
    uint64_t n;

    if (read(fd, &n, sizeof(n)) != sizeof(n)) {
        return G_SOURCE_CONTINUE;       /* spurious wake-up */
    }
    v->irq->delivered[vec->index]++;
    trace_vfio_pci_irq_deliver(vname(v), vfio_irq_index_name(vec->index),
                               vec->nr, n);
    switch (vec->index) {
    case VFIO_PCI_INTX_IRQ_INDEX:
        pci_set_irq(pdev, 1);
        break;
    case VFIO_PCI_MSI_IRQ_INDEX:
        msi_notify(pdev, vec->nr);
        break;
    case VFIO_PCI_MSIX_IRQ_INDEX:
        msix_notify(pdev, vec->nr);
        break;
    }
    return G_SOURCE_CONTINUE;
}

/* 0 or -errno of eventfd(2). */
static int vfio_irq_vector_open(VFIOPCIDevice *v, VFIOIrqVector *vec,
                                int index, unsigned nr)
{
    vec->vdev = v;
    vec->index = index;
    vec->nr = nr;
    vec->host_masked = false;
    vec->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (vec->fd < 0) {
        return -errno;
    }
    vec->watch = g_unix_fd_add(vec->fd, G_IO_IN, vfio_irq_vector_ready,
                               vec);
    return 0;
}

static void vfio_irq_vector_close(VFIOIrqVector *vec)
{
    if (vec->watch) {
        g_source_remove(vec->watch);
        vec->watch = 0;
    }
    if (vec->fd >= 0) {
        close(vec->fd);
        vec->fd = -1;
    }
}

static void vfio_irq_vectors_free(VFIOPCIIrq *q)
{
    for (unsigned i = 0; i < q->nvec; i++) {
        vfio_irq_vector_close(&q->vec[i]);
    }
    g_clear_pointer(&q->vec, g_free);
    q->nvec = 0;
}

/* ---------------------------------------------------------- failure */

void vfio_irq_fail(VFIOPCIDevice *v, const char *what, int ret)
{
    VFIOPCIIrq *q = v->irq;
    g_autofree char *reason = NULL;
    JsonObject *data;

    if (q->failed) {
        return;
    }
    q->failed = true;
    reason = g_strdup_printf("%s failed: %s (%s)", what, g_strerror(-ret),
                             errno_name(-ret));
    error_report("%s: %s; device stopped, its interrupts are off",
                 vname(v), reason);
    /*
     * What the host still holds goes (one more try); our eventfds close
     * either way: a host that keeps a duplicate signals nobody.
     */
    if (q->mode != VFIO_IRQ_NONE) {
        vfio_irq_set(v, q->mode, VFIO_IRQ_SET_DATA_NONE |
                     VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
    }
    vfio_irq_vectors_free(q);
    vfio_irq_vector_close(&q->intx);
    pci_set_irq(&v->parent_obj, 0);
    q->mode = VFIO_IRQ_NONE;
    /* A device the guest cannot be told about must not do DMA. */
    v->failed = true;
    if (!vfio_pci_config_set_command(v, PCI_COMMAND_MASTER, 0)) {
        warn_report("%s: bus mastering could not be disabled", vname(v));
    }
    trace_vfio_pci_irq_failed(vname(v), what, ret);
    data = json_object_new();
    json_object_set_string_member(data, "device", v->parent_obj.qdev.id ?
                                  v->parent_obj.qdev.id : "");
    json_object_set_string_member(data, "host", vname(v));
    json_object_set_string_member(data, "reason", reason);
    qmp_event_send("VFIO_DEVICE_FAILED", data);
    json_object_unref(data);
}

/* ------------------------------------------------------------- INTx */

/*
 * Enable INTx on the host with a new eventfd; 0 or -errno, *what names
 * the call that failed.
 */
static int vfio_intx_enable(VFIOPCIDevice *v, const char **what)
{
    VFIOPCIIrq *q = v->irq;
    int32_t fd;
    int ret;

    *what = "eventfd for INTx";
    ret = vfio_irq_vector_open(v, &q->intx, VFIO_PCI_INTX_IRQ_INDEX, 0);
    if (ret < 0) {
        return ret;
    }
    fd = q->intx.fd;
    *what = "VFIO_DEVICE_SET_IRQS (INTx trigger)";
    ret = vfio_irq_set(v, VFIO_PCI_INTX_IRQ_INDEX,
                       VFIO_IRQ_SET_DATA_EVENTFD |
                       VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &fd);
    if (ret < 0) {
        vfio_irq_vector_close(&q->intx);
        return ret;
    }
    q->mode = VFIO_PCI_INTX_IRQ_INDEX;
    return 0;
}

/* The guest EOIed the interrupt our INTx routes to. */
static void vfio_intx_eoi(PCIDevice *pdev, void *opaque)
{
    VFIOPCIDevice *v = opaque;
    int ret;

    if (!v->irq || v->irq->mode != VFIO_PCI_INTX_IRQ_INDEX) {
        return;
    }
    trace_vfio_pci_intx_eoi(vname(v));
    pci_set_irq(pdev, 0);
    ret = vfio_irq_set(v, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE |
                       VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL);
    if (ret < 0) {
        vfio_irq_fail(v, "VFIO_DEVICE_SET_IRQS (INTx unmask)", ret);
    }
}

/* ------------------------------------------------------ MSI / MSI-X */

/*
 * Enable MSI or MSI-X on the host, one new eventfd per vector: every
 * vector of the table for MSI-X (the host cannot grow the set later),
 * the vectors the guest enabled for MSI.  0 or -errno, *what names the
 * call that failed.
 */
static int vfio_msi_enable(VFIOPCIDevice *v, int index, const char **what)
{
    VFIOPCIIrq *q = v->irq;
    PCIDevice *pdev = &v->parent_obj;
    bool msix = index == VFIO_PCI_MSIX_IRQ_INDEX;
    unsigned n = msix ? msix_nr_vectors(pdev) : msi_nr_vectors_enabled(pdev);
    g_autofree int32_t *fds = NULL;
    int ret;

    n = MIN(MAX(n, 1u), q->count[index]);
    q->vec = g_new0(VFIOIrqVector, n);
    fds = g_new(int32_t, n);
    for (unsigned i = 0; i < n; i++) {
        q->vec[i].fd = -1;
    }
    q->nvec = n;
    *what = msix ? "eventfd for MSI-X" : "eventfd for MSI";
    for (unsigned i = 0; i < n; i++) {
        ret = vfio_irq_vector_open(v, &q->vec[i], index, i);
        if (ret < 0) {
            vfio_irq_vectors_free(q);
            return ret;
        }
        /*
         * A vector masked in the table stays unset on the host: the
         * device holds its message in the PBA until we set it.
         */
        q->vec[i].host_masked = msix && msix_is_masked(pdev, i);
        fds[i] = q->vec[i].host_masked ? -1 : q->vec[i].fd;
    }
    *what = msix ? "VFIO_DEVICE_SET_IRQS (MSI-X enable)"
                 : "VFIO_DEVICE_SET_IRQS (MSI enable)";
    ret = vfio_irq_set(v, index, VFIO_IRQ_SET_DATA_EVENTFD |
                       VFIO_IRQ_SET_ACTION_TRIGGER, 0, n, fds);
    if (ret < 0) {
        vfio_irq_vectors_free(q);
        return ret;
    }
    q->mode = index;
    return 0;
}

/*
 * Whatever the host has enabled goes: SET_IRQS count 0.  When the host
 * refuses, it still holds our eventfds: they stay open and watched.
 */
static int vfio_irq_disable(VFIOPCIDevice *v)
{
    VFIOPCIIrq *q = v->irq;
    int ret = 0;

    if (q->mode == VFIO_IRQ_NONE) {
        return 0;
    }
    ret = vfio_irq_set(v, q->mode, VFIO_IRQ_SET_DATA_NONE |
                       VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
    if (ret < 0) {
        return ret;
    }
    if (q->mode == VFIO_PCI_INTX_IRQ_INDEX) {
        vfio_irq_vector_close(&q->intx);
        pci_set_irq(&v->parent_obj, 0);
    } else {
        vfio_irq_vectors_free(q);
    }
    q->mode = VFIO_IRQ_NONE;
    return ret;
}

/* The type the guest wants now. */
static int vfio_irq_wanted(VFIOPCIDevice *v)
{
    PCIDevice *pdev = &v->parent_obj;
    VFIOPCIIrq *q = v->irq;

    if (q->failed) {
        return VFIO_IRQ_NONE;
    }
    if (msix_present(pdev) && msix_enabled(pdev) &&
        q->count[VFIO_PCI_MSIX_IRQ_INDEX]) {
        return VFIO_PCI_MSIX_IRQ_INDEX;
    }
    if (msi_present(pdev) && msi_enabled(pdev) &&
        q->count[VFIO_PCI_MSI_IRQ_INDEX]) {
        return VFIO_PCI_MSI_IRQ_INDEX;
    }
    if (pdev->config[PCI_INTERRUPT_PIN] &&
        q->count[VFIO_PCI_INTX_IRQ_INDEX]) {
        return VFIO_PCI_INTX_IRQ_INDEX;
    }
    return VFIO_IRQ_NONE;
}

static void vfio_irq_switch(VFIOPCIDevice *v, int want)
{
    VFIOPCIIrq *q = v->irq;
    const char *what = NULL;
    int ret;

    trace_vfio_pci_irq_mode(vname(v), vfio_irq_index_name(q->mode),
                            vfio_irq_index_name(want));
    ret = vfio_irq_disable(v);
    if (ret < 0) {
        vfio_irq_fail(v, "VFIO_DEVICE_SET_IRQS (disable)", ret);
        return;
    }
    if (want == VFIO_IRQ_NONE) {
        return;
    }
    ret = want == VFIO_PCI_INTX_IRQ_INDEX ? vfio_intx_enable(v, &what)
                                          : vfio_msi_enable(v, want, &what);
    if (ret < 0) {
        vfio_irq_fail(v, what, ret);
    }
}

void vfio_pci_irq_update(VFIOPCIDevice *v)
{
    VFIOPCIIrq *q = v->irq;
    int want;

    if (!q) {
        return;
    }
    want = vfio_irq_wanted(v);
    if (want == q->mode) {
        /* MSI with another Multiple Message Enable: enable it anew */
        if (want != VFIO_PCI_MSI_IRQ_INDEX ||
            q->nvec == MIN(MAX(msi_nr_vectors_enabled(&v->parent_obj),
                               1u), q->count[want])) {
            return;
        }
    }
    vfio_irq_switch(v, want);
}

bool vfio_pci_irq_setup(VFIOPCIDevice *v, Error **errp)
{
    PCIDevice *pdev = &v->parent_obj;
    VFIOPCIIrq *q = g_new0(VFIOPCIIrq, 1);

    q->mode = VFIO_IRQ_NONE;
    q->intx.fd = -1;
    q->msix_table_bar = -1;
    q->msix_pba_bar = -1;
    v->irq = q;
    /* The indexes we use (ERR and REQ are not wired to the guest). */
    for (int i = 0; i <= VFIO_PCI_MSIX_IRQ_INDEX; i++) {
        struct vfio_irq_info info = { .argsz = sizeof(info), .index = i };

        if (ioctl(v->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) == 0) {
            q->count[i] = info.count;
        }
        trace_vfio_pci_irq_info(vname(v), vfio_irq_index_name(i),
                                q->count[i]);
    }
    if (v->msi_cap && q->count[VFIO_PCI_MSI_IRQ_INDEX]) {
        uint32_t flags;

        if (!vfio_pci_dev_config_read(v, v->msi_cap + PCI_MSI_FLAGS, 2,
                                      &flags) ||
            !msi_init(pdev, v->msi_cap,
                      1u << ((flags & PCI_MSI_FLAGS_QMASK) >> 1),
                      flags & PCI_MSI_FLAGS_64BIT,
                      flags & PCI_MSI_FLAGS_MASKBIT, errp)) {
            goto fail;
        }
    }
    if (v->msix_cap && q->count[VFIO_PCI_MSIX_IRQ_INDEX] &&
        !vfio_pci_msix_setup(v, errp)) {
        goto fail;
    }
    if (pdev->config[PCI_INTERRUPT_PIN] &&
        q->count[VFIO_PCI_INTX_IRQ_INDEX]) {
        const char *what;
        int ret;

        pci_set_intx_eoi_notifier(pdev, vfio_intx_eoi, v);
        ret = vfio_intx_enable(v, &what);
        if (ret < 0) {
            error_setg(errp, "%s: %s failed: %s (%s)", vname(v), what,
                       g_strerror(-ret), errno_name(-ret));
            goto fail;
        }
    }
    return true;

fail:
    vfio_pci_irq_cleanup(v);
    return false;
}

/*
 * The host side of the device works again (its container recovered and
 * the device was reset): interrupts that failed come back as the guest
 * has them enabled.  false: SET_IRQS failed again and the device is
 * failed anew (vfio_irq_fail said why).
 */
bool vfio_pci_irq_restart(VFIOPCIDevice *v)
{
    VFIOPCIIrq *q = v->irq;

    if (!q) {
        return true;
    }
    if (q->failed) {
        trace_vfio_pci_irq_restart(vname(v));
        q->failed = false;
    }
    vfio_pci_irq_update(v);
    return !q->failed;
}

/* The device's container is failed (it stays stopped for that). */
static bool vfio_pci_container_failed(VFIOPCIDevice *v)
{
    return v->group && v->group->container && v->group->container->failed;
}

void vfio_pci_irq_reset(VFIOPCIDevice *v)
{
    if (!v->irq) {
        return;
    }
    /*
     * A machine reset gives a device that failed on SET_IRQS another
     * start (back on INTx below); one whose container is failed stays
     * stopped until the container recovers.
     */
    if (v->irq->failed) {
        trace_vfio_pci_irq_restart(vname(v));
        v->irq->failed = false;
        if (!vfio_pci_container_failed(v)) {
            v->failed = false;
        }
        v->irq->mode = VFIO_IRQ_NONE;
    }
    /*
     * The PCI core disables MSI and MSI-X in the capability right after
     * this: the host goes back to INTx now.
     */
    if (v->irq->mode != VFIO_PCI_INTX_IRQ_INDEX) {
        int want = v->parent_obj.config[PCI_INTERRUPT_PIN] &&
                   v->irq->count[VFIO_PCI_INTX_IRQ_INDEX] ?
                   VFIO_PCI_INTX_IRQ_INDEX : VFIO_IRQ_NONE;

        vfio_irq_switch(v, want);
    } else {
        pci_set_irq(&v->parent_obj, 0);
    }
}

void vfio_pci_irq_cleanup(VFIOPCIDevice *v)
{
    PCIDevice *pdev = &v->parent_obj;
    VFIOPCIIrq *q = v->irq;

    if (!q) {
        return;
    }
    pci_set_intx_eoi_notifier(pdev, NULL, NULL);
    vfio_irq_disable(v);
    vfio_pci_msix_cleanup(v);
    if (msi_present(pdev)) {
        msi_uninit(pdev);
    }
    trace_vfio_pci_irq_cleanup(vname(v), q->delivered[0], q->delivered[1],
                               q->delivered[2]);
    g_free(q);
    v->irq = NULL;
}
