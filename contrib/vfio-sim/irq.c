/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: VFIO_DEVICE_SET_IRQS and the device's interrupt lines.
 *
 * Follows drivers/vfio/pci/vfio_pci_core.c and vfio_pci_intrs.c: one
 * interrupt type (INTx, MSI or MSI-X) is enabled at a time, each vector
 * with an eventfd the user gave; INTx is level-triggered and masked by
 * the host each time it signals, until the user unmasks it.  ERR and REQ
 * carry a single eventfd of their own.
 *
 * The device raises its interrupt through vsim_device_signal(), which
 * may be called from any thread: it takes the simulator's (recursive)
 * lock and signals by writing the eventfd, which is thread-safe.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include "vsim.h"

static const char *const index_names[VSIM_NUM_IRQS] = {
    "intx", "msi", "msix", "err", "req",
};

void vsim_irq_init(VsimDevice *d)
{
    VsimIrqs *q = &d->irq;

    memset(q, 0, sizeof(*q));
    q->type = VSIM_IRQ_NONE;
    q->err_trigger = -1;
    q->req_trigger = -1;
    q->unmask_fd = -1;
    for (int i = 0; i < VSIM_MAX_VECTORS; i++) {
        q->trigger[i] = -1;
    }
}

/*
 * vfio_pci_get_irq_count: INTx when an interrupt pin is wired, MSI from
 * the Multiple Message Capable field, MSI-X from the table size, ERR one
 * on a PCI Express device only, REQ always one.
 */
unsigned vsim_irq_count(VsimDevice *d, unsigned index)
{
    unsigned pos;

    switch (index) {
    case VFIO_PCI_INTX_IRQ_INDEX:
        return d->config[PCI_INTERRUPT_PIN] ? 1 : 0;
    case VFIO_PCI_MSI_IRQ_INDEX:
        pos = vsim_find_cap(d, PCI_CAP_ID_MSI);
        return pos ? 1u << ((d->config[pos + PCI_MSI_FLAGS] &
                             PCI_MSI_FLAGS_QMASK) >> 1) : 0;
    case VFIO_PCI_MSIX_IRQ_INDEX:
        return vsim_msix_table_size(d);
    case VFIO_PCI_ERR_IRQ_INDEX:
        return vsim_find_cap(d, PCI_CAP_ID_EXP) ? 1 : 0;
    case VFIO_PCI_REQ_IRQ_INDEX:
        return 1;
    default:
        return 0;
    }
}

/*
 * eventfd_ctx_fdget: a closed fd is EBADF, an fd that is not an eventfd
 * EINVAL.  The host keeps its own reference: we keep a duplicate.
 */
static int eventfd_get(int32_t fd, int *out)
{
    char path[64], target[64];
    ssize_t n;
    int nfd;

    if (fd < 0 || vsim_libc.fcntl(fd, F_GETFD) < 0) {
        return -EBADF;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    n = readlink(path, target, sizeof(target) - 1);
    if (n < 0) {
        return -EBADF;
    }
    target[n] = '\0';
    if (strcmp(target, "anon_inode:[eventfd]")) {
        return -EINVAL;
    }
    nfd = vsim_libc.fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (nfd < 0) {
        return -EMFILE;
    }
    *out = nfd;
    return 0;
}

static void fd_put(int *fd)
{
    if (*fd >= 0) {
        vsim_libc.close(*fd);
        *fd = -1;
    }
}

/* eventfd_signal; a saturated counter fails, the event is pending anyway */
static void signal_fd(VsimDevice *d, unsigned index, int fd)
{
    uint64_t one = 1;

    if (fd >= 0) {
        (void)vsim_libc.write(fd, &one, sizeof(one));
        d->irq.signals[index]++;
    }
}

/* ---- INTx (vfio_pci_intrs.c: vfio_intx_*) ---- */

static bool is_intx(VsimDevice *d)
{
    return d->irq.type == VFIO_PCI_INTX_IRQ_INDEX;
}

/*
 * vfio_intx_handler: the line asserted while INTx is enabled and not
 * masked: the host masks it and signals the trigger.  Asserted while
 * masked: nothing, the line stays asserted in the device.
 */
static void intx_check(VsimDevice *d)
{
    VsimIrqs *q = &d->irq;

    if (is_intx(d) && q->intx_line && !q->intx_masked) {
        q->intx_masked = true;
        signal_fd(d, VFIO_PCI_INTX_IRQ_INDEX, q->trigger[0]);
    }
}

/* vfio_pci_intx_mask */
static void intx_mask(VsimDevice *d)
{
    d->irq.intx_masked = true;
}

/* The user's Interrupt Disable in COMMAND (virq_disabled). */
static bool virq_disabled(VsimDevice *d)
{
    uint16_t cmd = d->config[PCI_COMMAND] | d->config[PCI_COMMAND + 1] << 8;

    return cmd & PCI_COMMAND_INTX_DISABLE;
}

/*
 * vfio_pci_intx_unmask_handler: unmasking a line the device still
 * asserts signals again at once and stays masked (level-triggered).
 * While the user has Interrupt Disable set it does nothing.
 */
static void intx_unmask(VsimDevice *d)
{
    if (!d->irq.intx_masked || virq_disabled(d)) {
        return;
    }
    d->irq.intx_masked = false;
    intx_check(d);
}

/*
 * vfio_basic_config_write: Interrupt Disable is virtualized; setting it
 * masks INTx on the host (vfio_pci_intx_mask), clearing it unmasks
 * (vfio_pci_intx_unmask).  Called after COMMAND was written.
 */
void vsim_irq_command_written(VsimDevice *d, bool was_disabled)
{
    bool now = virq_disabled(d);

    if (now && !was_disabled && is_intx(d)) {
        intx_mask(d);
    } else if (!now && was_disabled) {
        intx_unmask(d);
    }
}

/* vfio_intx_disable */
static void intx_disable(VsimDevice *d)
{
    fd_put(&d->irq.trigger[0]);
    d->irq.intx_masked = false;
    d->irq.type = VSIM_IRQ_NONE;
}

/*
 * vfio_pci_set_intx_mask: only while INTx is the enabled type, start 0
 * and count 1 (EINVAL); an eventfd is not implemented (ENOTTY).
 */
static long set_intx_mask(VsimDevice *d, unsigned start, unsigned count,
                          uint32_t flags, const uint8_t *data)
{
    if (!is_intx(d) || start != 0 || count != 1) {
        return -EINVAL;
    }
    if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        return -ENOTTY;
    }
    if ((flags & VFIO_IRQ_SET_DATA_NONE) || data[0]) {
        intx_mask(d);
    }
    return 0;
}

/*
 * vfio_pci_set_intx_unmask: the same checks; an unmask eventfd (virqfd)
 * is accepted and kept but not watched (see docs/vfio-sim.md).
 */
static long set_intx_unmask(VsimDevice *d, unsigned start, unsigned count,
                            uint32_t flags, const uint8_t *data)
{
    VsimIrqs *q = &d->irq;

    if (!is_intx(d) || start != 0 || count != 1) {
        return -EINVAL;
    }
    if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        int32_t fd;
        int nfd;
        long r;

        memcpy(&fd, data, sizeof(fd));
        fd_put(&q->unmask_fd);
        if (fd < 0) {
            return 0;
        }
        r = eventfd_get(fd, &nfd);
        if (!r) {
            q->unmask_fd = nfd;
        }
        return r;
    }
    if ((flags & VFIO_IRQ_SET_DATA_NONE) || data[0]) {
        intx_unmask(d);
    }
    return 0;
}

/*
 * vfio_pci_set_intx_trigger: count 0 with DATA_NONE disables INTx; an
 * eventfd enables it (EINVAL while MSI or MSI-X is enabled), -1 unsets
 * the trigger but leaves INTx enabled; DATA_NONE/BOOL signal the trigger
 * as a loopback test (EINVAL unless INTx is enabled).
 */
static long set_intx_trigger(VsimDevice *d, unsigned start, unsigned count,
                             uint32_t flags, const uint8_t *data)
{
    VsimIrqs *q = &d->irq;

    if (is_intx(d) && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
        intx_disable(d);
        return 0;
    }
    if (!(is_intx(d) || q->type == VSIM_IRQ_NONE) || start != 0 ||
        count != 1) {
        return -EINVAL;
    }
    if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        bool was = is_intx(d);
        int32_t fd;
        int nfd = -1;
        long r = 0;

        memcpy(&fd, data, sizeof(fd));
        if (fd >= 0) {
            r = eventfd_get(fd, &nfd);
        }
        if (r) {
            if (!was) {
                intx_disable(d);
            }
            return r;
        }
        fd_put(&q->trigger[0]);
        q->trigger[0] = nfd;
        if (!was) {
            /* vfio_intx_enable: enabled unmasked; a line already
             * asserted fires as soon as the handler is installed */
            q->type = VFIO_PCI_INTX_IRQ_INDEX;
            q->intx_masked = virq_disabled(d);
        }
        intx_check(d);
        return 0;
    }
    if (!is_intx(d)) {
        return -EINVAL;
    }
    /* vfio_send_intx_eventfd: loopback, the mask is left alone */
    if ((flags & VFIO_IRQ_SET_DATA_NONE) || data[0]) {
        signal_fd(d, VFIO_PCI_INTX_IRQ_INDEX, q->trigger[0]);
    }
    return 0;
}

/* ---- MSI and MSI-X (vfio_pci_intrs.c: vfio_msi_*) ---- */

/* vfio_msi_disable: every vector's trigger goes, then the vectors. */
static void msi_disable(VsimDevice *d)
{
    VsimIrqs *q = &d->irq;

    for (unsigned i = 0; i < VSIM_MAX_VECTORS; i++) {
        fd_put(&q->trigger[i]);
    }
    if (q->type == VFIO_PCI_MSIX_IRQ_INDEX) {
        vsim_msix_set_enable(d, false);
    }
    q->msix_pending = 0;
    vsim_msix_set_pba(d, 0);
    q->nvec = 0;
    q->type = VSIM_IRQ_NONE;
}

/*
 * vfio_msi_set_vector_signal: a vector beyond those allocated when the
 * type was enabled is EINVAL (no dynamic MSI-X allocation: NORESIZE);
 * the old trigger goes first, fd < 0 leaves it unset.  An MSI-X vector
 * without a trigger is masked in the hardware (free_irq masks it), so
 * the device latches its message in the PBA; the request_irq of a new
 * trigger unmasks it and the latched message arrives at once.
 */
static long msi_set_vector(VsimDevice *d, unsigned v, int32_t fd)
{
    VsimIrqs *q = &d->irq;
    int nfd;
    long r;

    if (v >= q->nvec) {
        return -EINVAL;
    }
    fd_put(&q->trigger[v]);
    if (fd < 0) {
        return 0;
    }
    r = eventfd_get(fd, &nfd);
    if (r) {
        return r;
    }
    q->trigger[v] = nfd;
    if (q->type == VFIO_PCI_MSIX_IRQ_INDEX &&
        (q->msix_pending & (1ULL << v))) {
        q->msix_pending &= ~(1ULL << v);
        vsim_msix_set_pba(d, q->msix_pending);
        signal_fd(d, VFIO_PCI_MSIX_IRQ_INDEX, nfd);
    }
    return 0;
}

/* vfio_msi_set_block: on a failure the vectors set so far are unset. */
static long msi_set_block(VsimDevice *d, unsigned start, unsigned count,
                          const int32_t *fds)
{
    for (unsigned j = start; j < start + count; j++) {
        long r = msi_set_vector(d, j, fds ? fds[j - start] : -1);

        if (r) {
            for (unsigned i = start; i < j; i++) {
                msi_set_vector(d, i, -1);
            }
            return r;
        }
    }
    return 0;
}

/*
 * vfio_pci_set_msi_trigger: count 0 with DATA_NONE disables the type
 * when it is the enabled one; eventfds enable it with start + count
 * vectors (EINVAL while another type is enabled), or replace triggers
 * of the enabled type; DATA_NONE/BOOL signal triggers (loopback).
 */
static long set_msi_trigger(VsimDevice *d, unsigned index, unsigned start,
                            unsigned count, uint32_t flags,
                            const uint8_t *data)
{
    VsimIrqs *q = &d->irq;

    if (q->type == (int)index && !count &&
        (flags & VFIO_IRQ_SET_DATA_NONE)) {
        msi_disable(d);
        return 0;
    }
    if (!(q->type == (int)index || q->type == VSIM_IRQ_NONE)) {
        return -EINVAL;
    }
    if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        int32_t fds[VSIM_MAX_VECTORS];
        long r;

        memcpy(fds, data, count * sizeof(int32_t));
        if (q->type == (int)index) {
            return msi_set_block(d, start, count, fds);
        }
        /* vfio_msi_enable: pci_alloc_irq_vectors of start + count */
        if (!count) {
            return -EINVAL;
        }
        q->type = index;
        q->nvec = start + count;
        if (index == VFIO_PCI_MSIX_IRQ_INDEX) {
            vsim_msix_set_enable(d, true);
        }
        r = msi_set_block(d, start, count, fds);
        if (r) {
            msi_disable(d);
        }
        return r;
    }
    if (q->type != (int)index) {
        return -EINVAL;
    }
    for (unsigned i = start; i < start + count && i < q->nvec; i++) {
        if ((flags & VFIO_IRQ_SET_DATA_NONE) || data[i - start]) {
            signal_fd(d, index, q->trigger[i]);
        }
    }
    return 0;
}

/* ---- ERR and REQ (vfio_pci_set_ctx_trigger_single) ---- */

/*
 * vfio_pci_set_ctx_trigger_single: DATA_NONE signals the trigger, or
 * with count 0 releases it, and is EINVAL when there is none; BOOL and
 * EVENTFD need count 1; eventfd -1 unsets, below -1 is EINVAL.
 */
static long set_ctx_trigger_single(VsimDevice *d, unsigned index,
                                   int *ctx, unsigned count,
                                   uint32_t flags, const uint8_t *data)
{
    if (flags & VFIO_IRQ_SET_DATA_NONE) {
        if (*ctx < 0) {
            return -EINVAL;
        }
        if (count) {
            signal_fd(d, index, *ctx);
        } else {
            fd_put(ctx);
        }
        return 0;
    }
    if (!count) {
        return -EINVAL;
    }
    if (flags & VFIO_IRQ_SET_DATA_BOOL) {
        if (data[0]) {
            signal_fd(d, index, *ctx);
        }
        return 0;
    }
    {
        int32_t fd;
        int nfd;
        long r;

        memcpy(&fd, data, sizeof(fd));
        if (fd == -1) {
            fd_put(ctx);
            return 0;
        }
        if (fd < 0) {
            return -EINVAL;
        }
        r = eventfd_get(fd, &nfd);
        if (r) {
            return r;
        }
        fd_put(ctx);
        *ctx = nfd;
        return 0;
    }
}

/* vfio_pci_set_err_trigger, vfio_pci_set_req_trigger: start 0, count <= 1 */
static long set_single(VsimDevice *d, unsigned index, unsigned start,
                       unsigned count, uint32_t flags, const uint8_t *data)
{
    int *ctx = index == VFIO_PCI_ERR_IRQ_INDEX ? &d->irq.err_trigger
                                               : &d->irq.req_trigger;

    if (start != 0 || count > 1) {
        return -EINVAL;
    }
    return set_ctx_trigger_single(d, index, ctx, count, flags, data);
}

/* ---- the ioctl ---- */

/*
 * vfio_pci_core_ioctl_set_irqs -> vfio_set_irqs_validate_and_prepare:
 * argsz (EINVAL), index, count overflowing start, unknown flags (EINVAL);
 * start/count beyond the index's count (EINVAL, so an index with no
 * vectors refuses everything); one data type (EINVAL); the data must fit
 * in argsz (EINVAL) and be readable (EFAULT).  Then
 * vfio_pci_set_irqs_ioctl picks the handler by index and action; a
 * combination without one (MASK/UNMASK of MSI or MSI-X, more than one
 * action bit) is ENOTTY.
 */
long vsim_irq_set_irqs(VsimDevice *d, void *arg)
{
    struct vfio_irq_set hdr;
    const size_t minsz = MINSZ(struct vfio_irq_set, count);
    uint8_t data[VSIM_MAX_VECTORS * sizeof(int32_t)] = { 0 };
    unsigned max;
    size_t size;
    uint32_t action;

    GET_ARG(hdr, arg, struct vfio_irq_set, count);
    if (hdr.index >= VFIO_PCI_NUM_IRQS ||
        hdr.count >= UINT32_MAX - hdr.start ||
        (hdr.flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
                       VFIO_IRQ_SET_ACTION_TYPE_MASK))) {
        return -EINVAL;
    }
    max = vsim_irq_count(d, hdr.index);
    if (hdr.start >= max || hdr.start + hdr.count > max) {
        return -EINVAL;
    }
    switch (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
    case VFIO_IRQ_SET_DATA_NONE:
        size = 0;
        break;
    case VFIO_IRQ_SET_DATA_BOOL:
        size = sizeof(uint8_t);
        break;
    case VFIO_IRQ_SET_DATA_EVENTFD:
        size = sizeof(int32_t);
        break;
    default:
        return -EINVAL;
    }
    if (size) {
        if (hdr.argsz - minsz < hdr.count * size) {
            return -EINVAL;
        }
        /* count <= max <= VSIM_MAX_VECTORS: data[] holds it */
        if (vsim_copy_from_user(data, (uint8_t *)arg + minsz,
                                hdr.count * size) < 0) {
            return -EFAULT;
        }
    }
    action = hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
    switch (hdr.index) {
    case VFIO_PCI_INTX_IRQ_INDEX:
        switch (action) {
        case VFIO_IRQ_SET_ACTION_MASK:
            return set_intx_mask(d, hdr.start, hdr.count, hdr.flags, data);
        case VFIO_IRQ_SET_ACTION_UNMASK:
            return set_intx_unmask(d, hdr.start, hdr.count, hdr.flags,
                                   data);
        case VFIO_IRQ_SET_ACTION_TRIGGER:
            return set_intx_trigger(d, hdr.start, hdr.count, hdr.flags,
                                    data);
        }
        break;
    case VFIO_PCI_MSI_IRQ_INDEX:
    case VFIO_PCI_MSIX_IRQ_INDEX:
        if (action == VFIO_IRQ_SET_ACTION_TRIGGER) {
            return set_msi_trigger(d, hdr.index, hdr.start, hdr.count,
                                   hdr.flags, data);
        }
        break;
    case VFIO_PCI_ERR_IRQ_INDEX:
    case VFIO_PCI_REQ_IRQ_INDEX:
        if (action == VFIO_IRQ_SET_ACTION_TRIGGER) {
            return set_single(d, hdr.index, hdr.start, hdr.count,
                              hdr.flags, data);
        }
        break;
    }
    return -ENOTTY;
}

/*
 * vfio_pci_core_close_device -> vfio_pci_core_disable: the enabled type
 * is disabled (as SET_IRQS count 0 would), ERR, REQ and the unmask
 * eventfd released.
 */
void vsim_irq_release(VsimDevice *d)
{
    VsimIrqs *q = &d->irq;

    if (is_intx(d)) {
        intx_disable(d);
    } else if (q->type != VSIM_IRQ_NONE) {
        msi_disable(d);
    }
    fd_put(&q->err_trigger);
    fd_put(&q->req_trigger);
    fd_put(&q->unmask_fd);
    q->intx_line = false;
}

/*
 * The device raises its interrupt (completion or error).  MSI-X: vector
 * 0; MSI: its vector; both are memory writes the function masters, so
 * none leaves it without Bus Master Enable.  An MSI-X vector the host
 * masked (no trigger) latches in the PBA.  With neither enabled on the
 * host the function asserts INTx, a wire that holds until the device
 * deasserts it (vsim_device_lower_intx).  Any thread may call this.
 */
void vsim_device_signal(VsimDevice *d)
{
    VsimIrqs *q = &d->irq;

    vsim_lock();
    if (q->type == VFIO_PCI_MSI_IRQ_INDEX ||
        q->type == VFIO_PCI_MSIX_IRQ_INDEX) {
        if (!vsim_device_bus_master(d)) {
            q->dropped++;
        } else if (q->trigger[0] >= 0) {
            signal_fd(d, q->type, q->trigger[0]);
        } else if (q->type == VFIO_PCI_MSIX_IRQ_INDEX) {
            q->msix_pending |= 1;   /* masked in hardware: latched */
            vsim_msix_set_pba(d, q->msix_pending);
        } else {
            q->dropped++;           /* MSI without mask bits: lost */
        }
    } else {
        q->intx_line = true;
        intx_check(d);
    }
    q->raised++;
    q->last_raise_us = g_get_monotonic_time();
    vsim_unlock();
}

/* The device stops asserting INTx (it starts a new command). */
void vsim_device_lower_intx(VsimDevice *d)
{
    vsim_lock();
    d->irq.intx_line = false;
    vsim_unlock();
}

/* The device's interrupt state for the control channel's "state". */
JsonObject *vsim_irq_json(VsimDevice *d)
{
    VsimIrqs *q = &d->irq;
    JsonObject *o = json_object_new();
    JsonObject *sig = json_object_new();
    unsigned fds = 0;

    json_object_set_string_member(o, "type", q->type == VSIM_IRQ_NONE ?
                                  "none" : index_names[q->type]);
    json_object_set_int_member(o, "vectors", q->nvec);
    for (unsigned i = 0; i < VSIM_MAX_VECTORS; i++) {
        fds += q->trigger[i] >= 0;
    }
    fds += (q->err_trigger >= 0) + (q->req_trigger >= 0) +
           (q->unmask_fd >= 0);
    json_object_set_int_member(o, "eventfds", fds);
    json_object_set_boolean_member(o, "intx_masked", q->intx_masked);
    json_object_set_boolean_member(o, "intx_asserted", q->intx_line);
    json_object_set_int_member(o, "raised", q->raised);
    json_object_set_int_member(o, "last_raise_us", q->last_raise_us);
    json_object_set_int_member(o, "dropped", q->dropped);
    json_object_set_int_member(o, "msix_pending", q->msix_pending);
    for (unsigned i = 0; i < VSIM_NUM_IRQS; i++) {
        json_object_set_int_member(sig, index_names[i], q->signals[i]);
    }
    json_object_set_object_member(o, "signals", sig);
    return o;
}
