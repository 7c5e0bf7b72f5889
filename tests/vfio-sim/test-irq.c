/*
 * vfio-sim conformance: VFIO_DEVICE_SET_IRQS and the dma-engine's
 * interrupts (INTx, MSI, MSI-X), as vfio_pci_core does them.  Each test
 * is named after the kernel function whose behaviour it proves.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <sys/eventfd.h>
#include <linux/pci_regs.h>
#include "vsim-test.h"
#include "dma-engine.h"

#define CFG_OFF     (7ULL << 40)
#define BAR0_OFF    (0ULL << 40)
#define BAR2_OFF    (2ULL << 40)
#define MSIX_CAP    0x70
#define MSI_CAP     0x50
#define NONE_TRIG   (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)
#define BOOL_TRIG   (VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER)
#define EFD_TRIG    (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)

typedef struct IrqSet {
    struct vfio_irq_set s;
    int32_t data[DMAE_MSIX_VECTORS];
} IrqSet;

typedef struct Dev {
    int c, g, d;
} Dev;

static void dev_up(Dev *x)
{
    x->c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &x->g);
    x->d = xioctl(x->g, VFIO_GROUP_GET_DEVICE_FD, BDF0);
    g_assert_cmpint(x->d, >=, 0);
    vt_dev_wr(x->d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void dev_down(Dev *x)
{
    close(x->d);
    close(x->g);
    close(x->c);
}

/* SET_IRQS with @count values of @data (bytes or fds by @flags). */
static long set_irqs(int d, unsigned index, uint32_t flags, unsigned start,
                     unsigned count, const int32_t *fds, const uint8_t *b)
{
    IrqSet a = { { .argsz = sizeof(a), .flags = flags, .index = index,
                   .start = start, .count = count } };

    if (fds) {
        memcpy(a.data, fds, count * sizeof(int32_t));
    } else if (b) {
        memcpy(a.data, b, count);
    }
    return xioctl(d, VFIO_DEVICE_SET_IRQS, &a);
}

static long set_fd(int d, unsigned index, unsigned start, int32_t fd)
{
    return set_irqs(d, index, EFD_TRIG, start, 1, &fd, NULL);
}

static long irqs_off(int d, unsigned index)
{
    return set_irqs(d, index, NONE_TRIG, 0, 0, NULL, NULL);
}

static int efd_new(void)
{
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

    g_assert_cmpint(fd, >=, 0);
    return fd;
}

/* Signals pending on @fd (reading clears them). */
static uint64_t efd_take(int fd)
{
    uint64_t n = 0;

    if (read(fd, &n, sizeof(n)) != sizeof(n)) {
        g_assert_cmpint(errno, ==, EAGAIN);
        return 0;
    }
    return n;
}

/*
 * Make the engine complete a command: an unknown command ends in error
 * at once, a zero-length checksum ends done; both raise the interrupt.
 */
static void complete(int d, bool error)
{
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_LEN, 8, 0);
    vt_dev_wr(d, BAR0_OFF + DMAE_REG_CMD, 4, error ? 7 : DMAE_CMD_CHECKSUM);
    g_assert_cmpint(vt_dev_rd(d, BAR0_OFF + DMAE_REG_STATUS, 4), ==,
                    error ? DMAE_STATUS_ERROR : DMAE_STATUS_DONE);
}

/* The device's "irq" member of the simulator's state (a new ref). */
static JsonObject *irq_state(void)
{
    g_autoptr(JsonObject) o = state();
    JsonArray *a = json_object_get_array_member(o, "devices");

    for (unsigned i = 0; i < json_array_get_length(a); i++) {
        JsonObject *d = json_array_get_object_element(a, i);

        if (!strcmp(json_object_get_string_member(d, "bdf"), BDF0)) {
            return json_object_ref(json_object_get_object_member(d, "irq"));
        }
    }
    g_assert_not_reached();
}

static int64_t irq_int(const char *member)
{
    g_autoptr(JsonObject) q = irq_state();

    return json_object_get_int_member(q, member);
}

static char *irq_type(void)
{
    g_autoptr(JsonObject) q = irq_state();

    return g_strdup(json_object_get_string_member(q, "type"));
}

static bool intx_masked(void)
{
    g_autoptr(JsonObject) q = irq_state();

    return json_object_get_boolean_member(q, "intx_masked");
}

/*
 * vfio_set_irqs_validate_and_prepare: argsz, index, flags, start/count
 * against the index's vectors, one data type, data within argsz; the
 * data itself unreadable is EFAULT.
 */
static void test_validate_and_prepare(void)
{
    IrqSet a = { { .argsz = sizeof(a), .flags = EFD_TRIG,
                   .index = VFIO_PCI_MSIX_IRQ_INDEX, .count = 1 } };
    size_t pg = getpagesize();
    uint8_t *two;
    struct vfio_irq_set *edge;
    Dev x;

    dev_up(&x);
    a.data[0] = -1;
    a.s.argsz = offsetof(struct vfio_irq_set, count) + 3;
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_SET_IRQS, &a), ==, -EINVAL);
    a.s.argsz = sizeof(a);
    a.s.index = VFIO_PCI_NUM_IRQS;
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_SET_IRQS, &a), ==, -EINVAL);
    a.s.index = VFIO_PCI_MSIX_IRQ_INDEX;
    a.s.flags = EFD_TRIG | (1u << 6);
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_SET_IRQS, &a), ==, -EINVAL);
    a.s.flags = EFD_TRIG | VFIO_IRQ_SET_DATA_BOOL;
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_SET_IRQS, &a), ==, -EINVAL);
    a.s.flags = EFD_TRIG;
    a.s.start = DMAE_MSIX_VECTORS;
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_SET_IRQS, &a), ==, -EINVAL);
    a.s.start = 1;
    a.s.count = DMAE_MSIX_VECTORS;
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_SET_IRQS, &a), ==, -EINVAL);
    a.s.start = 0;
    a.s.count = 0xffffffff;
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_SET_IRQS, &a), ==, -EINVAL);
    /* four fds do not fit in an argsz with room for one */
    a.s.count = 4;
    a.s.argsz = sizeof(a.s) + sizeof(int32_t);
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_SET_IRQS, &a), ==, -EINVAL);
    /* the ERR index has no vector on conventional PCI: even disable */
    g_assert_cmpint(irqs_off(x.d, VFIO_PCI_ERR_IRQ_INDEX), ==, -EINVAL);

    /* the header readable, its data on a page that is not */
    two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert(two != MAP_FAILED);
    g_assert_cmpint(mprotect(two + pg, pg, PROT_NONE), ==, 0);
    edge = (struct vfio_irq_set *)(two + pg - sizeof(*edge));
    *edge = (struct vfio_irq_set) { .argsz = sizeof(a), .flags = EFD_TRIG,
        .index = VFIO_PCI_MSIX_IRQ_INDEX, .count = 1 };
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_SET_IRQS, edge), ==, -EFAULT);
    munmap(two, 2 * pg);
    g_autofree char *t = irq_type();
    g_assert_cmpstr(t, ==, "none");
    dev_down(&x);
}

/*
 * vfio_pci_set_irqs_ioctl: an index/action pair without a handler is
 * ENOTTY: MASK/UNMASK of MSI and MSI-X (the host does not export vector
 * masking), anything but TRIGGER on ERR/REQ, several action bits.
 */
static void test_set_irqs_ioctl_enotty(void)
{
    uint8_t one = 1;
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_MSIX_IRQ_INDEX,
                             VFIO_IRQ_SET_DATA_BOOL |
                             VFIO_IRQ_SET_ACTION_MASK, 0, 1, NULL, &one),
                    ==, -ENOTTY);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_MSI_IRQ_INDEX,
                             VFIO_IRQ_SET_DATA_NONE |
                             VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL, NULL),
                    ==, -ENOTTY);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_REQ_IRQ_INDEX,
                             VFIO_IRQ_SET_DATA_NONE |
                             VFIO_IRQ_SET_ACTION_MASK, 0, 1, NULL, NULL),
                    ==, -ENOTTY);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_INTX_IRQ_INDEX,
                             VFIO_IRQ_SET_DATA_NONE |
                             VFIO_IRQ_SET_ACTION_MASK |
                             VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL, NULL),
                    ==, -ENOTTY);
    dev_down(&x);
}

/*
 * vfio_pci_set_msi_trigger + vfio_msi_enable: eventfds enable MSI-X with
 * start + count vectors and set the hardware's Enable bit; the device's
 * completion and error signal vector 0; DATA_BOOL loops back per vector;
 * a vector beyond those enabled is EINVAL; eventfd -1 unsets one (the
 * vector is masked in hardware, its message latched in the PBA until a
 * trigger is set again: vfio_msi_set_vector_signal); count
 * 0 with DATA_NONE disables (Enable clear, eventfds released); disable
 * of a type not enabled is EINVAL.
 */
static void test_set_msi_trigger_msix(void)
{
    int e0 = efd_new(), e1 = efd_new();
    int32_t fds[2] = { e0, e1 };
    uint8_t bools[2] = { 0, 1 };
    Dev x;

    dev_up(&x);
    g_assert_cmpint(irqs_off(x.d, VFIO_PCI_MSIX_IRQ_INDEX), ==, -EINVAL);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_MSIX_IRQ_INDEX, EFD_TRIG, 0, 2,
                             fds, NULL), ==, 0);
    g_assert_true(vt_dev_rd(x.d, CFG_OFF + MSIX_CAP + PCI_MSIX_FLAGS, 2) &
                  PCI_MSIX_FLAGS_ENABLE);
    g_assert_cmpint(irq_int("vectors"), ==, 2);
    g_assert_cmpint(irq_int("eventfds"), ==, 2);

    complete(x.d, false);
    g_assert_cmpint(efd_take(e0), ==, 1);
    complete(x.d, true);
    g_assert_cmpint(efd_take(e0), ==, 1);
    g_assert_cmpint(efd_take(e1), ==, 0);

    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_MSIX_IRQ_INDEX, BOOL_TRIG, 0, 2,
                             NULL, bools), ==, 0);
    g_assert_cmpint(efd_take(e0), ==, 0);
    g_assert_cmpint(efd_take(e1), ==, 1);

    /* NORESIZE: vector 2 was not allocated at enable */
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_MSIX_IRQ_INDEX, 2, e0), ==,
                    -EINVAL);
    /* -1 unsets vector 0: masked in hardware, the message waits in the
     * PBA and arrives when a trigger is set again */
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_MSIX_IRQ_INDEX, 0, -1), ==, 0);
    complete(x.d, false);
    g_assert_cmpint(efd_take(e0), ==, 0);
    g_assert_cmphex(vt_dev_rd(x.d, BAR2_OFF + DMAE_MSIX_PBA, 8), ==, 1);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_MSIX_IRQ_INDEX, 0, e0), ==, 0);
    g_assert_cmpint(efd_take(e0), ==, 1);
    g_assert_cmphex(vt_dev_rd(x.d, BAR2_OFF + DMAE_MSIX_PBA, 8), ==, 0);
    complete(x.d, false);
    g_assert_cmpint(efd_take(e0), ==, 1);

    g_assert_cmpint(irqs_off(x.d, VFIO_PCI_MSIX_IRQ_INDEX), ==, 0);
    g_assert_false(vt_dev_rd(x.d, CFG_OFF + MSIX_CAP + PCI_MSIX_FLAGS, 2) &
                   PCI_MSIX_FLAGS_ENABLE);
    g_assert_cmpint(irq_int("eventfds"), ==, 0);
    /* with nothing enabled the function asserts INTx, which is off */
    complete(x.d, false);
    g_assert_cmpint(efd_take(e0), ==, 0);
    close(e0);
    close(e1);
    dev_down(&x);
}

/*
 * vfio_pci_set_msi_trigger on MSI, and one type at a time: while MSI is
 * enabled MSI-X and INTx are EINVAL; the device signals MSI only with
 * Bus Master Enable (an MSI is a memory write).
 */
static void test_set_msi_trigger_msi_one_type(void)
{
    int e = efd_new();
    int64_t dropped;
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_MSI_IRQ_INDEX, 0, e), ==, 0);
    g_autofree char *t = irq_type();
    g_assert_cmpstr(t, ==, "msi");
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_MSIX_IRQ_INDEX, 0, e), ==, -EINVAL);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_INTX_IRQ_INDEX, 0, e), ==, -EINVAL);
    complete(x.d, false);
    g_assert_cmpint(efd_take(e), ==, 1);
    dropped = irq_int("dropped");
    vt_dev_wr(x.d, CFG_OFF + PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    complete(x.d, false);
    g_assert_cmpint(efd_take(e), ==, 0);
    g_assert_cmpint(irq_int("dropped"), ==, dropped + 1);
    g_assert_cmpint(irqs_off(x.d, VFIO_PCI_MSI_IRQ_INDEX), ==, 0);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_MSIX_IRQ_INDEX, 0, e), ==, 0);
    g_assert_cmpint(irqs_off(x.d, VFIO_PCI_MSIX_IRQ_INDEX), ==, 0);
    close(e);
    dev_down(&x);
}

/*
 * vfio_msi_set_vector_signal / eventfd_ctx_fdget: a closed fd is EBADF,
 * an fd that is not an eventfd EINVAL; vfio_msi_set_block unsets the
 * vectors it set before the failure and the failed enable leaves no
 * type enabled.
 */
static void test_msi_set_vector_signal_bad_fds(void)
{
    int e = efd_new(), p[2];
    int32_t fds[2];
    Dev x;

    g_assert_cmpint(pipe(p), ==, 0);
    dev_up(&x);
    fds[0] = e;
    fds[1] = p[0];
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_MSIX_IRQ_INDEX, EFD_TRIG, 0, 2,
                             fds, NULL), ==, -EINVAL);
    g_assert_cmpint(irq_int("eventfds"), ==, 0);
    g_autofree char *t = irq_type();
    g_assert_cmpstr(t, ==, "none");
    close(p[1]);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_MSIX_IRQ_INDEX, 0, p[1]), ==,
                    -EBADF);
    close(p[0]);
    close(e);
    dev_down(&x);
}

/*
 * vfio_pci_set_intx_trigger + vfio_intx_handler: INTx is level-
 * triggered; the host masks it each time it signals.  The engine holds
 * INTx from a completion until the next command (a NOP clears it), so
 * further completions while masked signal nothing.
 */
static void test_intx_handler_automask(void)
{
    int e = efd_new();
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_INTX_IRQ_INDEX, 0, e), ==, 0);
    g_assert_false(intx_masked());
    complete(x.d, false);
    g_assert_cmpint(efd_take(e), ==, 1);
    g_assert_true(intx_masked());
    complete(x.d, true);
    g_assert_cmpint(efd_take(e), ==, 0);
    /* loopback signals whatever the mask says */
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_INTX_IRQ_INDEX, NONE_TRIG, 0, 1,
                             NULL, NULL), ==, 0);
    g_assert_cmpint(efd_take(e), ==, 1);
    g_assert_cmpint(irqs_off(x.d, VFIO_PCI_INTX_IRQ_INDEX), ==, 0);
    g_assert_cmpint(irq_int("eventfds"), ==, 0);
    close(e);
    dev_down(&x);
}

/*
 * vfio_config_do_rw: the kernel virtualizes only Capabilities List in
 * STATUS; the rest is the function's own register, whose Interrupt
 * Status bit (PCI 2.3) is set while the function asserts INTx, whether
 * or not the host masked it.  A guest's INTx handler (Linux's
 * pci_check_and_mask_intx, as uio_pci_generic uses it) reads it to tell
 * its interrupt from another's on a shared line.
 */
static void test_config_status_interrupt_follows_intx(void)
{
    int e = efd_new();
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_INTX_IRQ_INDEX, 0, e), ==, 0);
    g_assert_cmpint(vt_dev_rd(x.d, CFG_OFF + PCI_STATUS, 2) &
                    PCI_STATUS_INTERRUPT, ==, 0);
    complete(x.d, false);
    g_assert_cmpint(efd_take(e), ==, 1);
    g_assert_true(intx_masked());
    g_assert_cmpint(vt_dev_rd(x.d, CFG_OFF + PCI_STATUS, 2) &
                    PCI_STATUS_INTERRUPT, ==, PCI_STATUS_INTERRUPT);
    /* the dword Linux reads: COMMAND in the low half, STATUS above */
    g_assert_cmpint(vt_dev_rd(x.d, CFG_OFF + PCI_COMMAND, 4) >> 16 &
                    PCI_STATUS_INTERRUPT, ==, PCI_STATUS_INTERRUPT);
    vt_dev_wr(x.d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_NOP);
    g_assert_cmpint(vt_dev_rd(x.d, CFG_OFF + PCI_STATUS, 2) &
                    PCI_STATUS_INTERRUPT, ==, 0);
    close(e);
    dev_down(&x);
}

/*
 * vfio_basic_config_write: Interrupt Disable in COMMAND is virtualized.
 * Setting it masks INTx on the host; UNMASK does nothing while it is set
 * (a VMM unmasks after every EOI, whatever its guest did); clearing it
 * unmasks, and a line still asserted signals at once.
 */
static void test_basic_config_write_intx_disable_masks(void)
{
    int e = efd_new();
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_INTX_IRQ_INDEX, 0, e), ==, 0);
    vt_dev_wr(x.d, CFG_OFF + PCI_COMMAND, 2, PCI_COMMAND_MEMORY |
       PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
    g_assert_true(intx_masked());
    complete(x.d, false);
    g_assert_cmpint(efd_take(e), ==, 0);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_INTX_IRQ_INDEX,
                             VFIO_IRQ_SET_DATA_NONE |
                             VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL, NULL),
                    ==, 0);
    g_assert_cmpint(efd_take(e), ==, 0);
    g_assert_true(intx_masked());
    vt_dev_wr(x.d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmpint(efd_take(e), ==, 1);
    g_assert_true(intx_masked());
    /* enabled while disabled: starts masked */
    g_assert_cmpint(irqs_off(x.d, VFIO_PCI_INTX_IRQ_INDEX), ==, 0);
    vt_dev_wr(x.d, CFG_OFF + PCI_COMMAND, 2, PCI_COMMAND_MEMORY |
       PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_INTX_IRQ_INDEX, 0, e), ==, 0);
    g_assert_true(intx_masked());
    g_assert_cmpint(efd_take(e), ==, 0);
    close(e);
    dev_down(&x);
}

/*
 * vfio_pci_set_intx_unmask -> vfio_pci_intx_unmask_handler: unmasking
 * while the device still asserts INTx signals again at once and masks
 * again; after the device lets go (NOP), unmask stays quiet until the
 * next completion.
 */
static void test_intx_unmask_handler_level(void)
{
    int e = efd_new();
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_INTX_IRQ_INDEX, 0, e), ==, 0);
    complete(x.d, false);
    g_assert_cmpint(efd_take(e), ==, 1);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_INTX_IRQ_INDEX,
                             VFIO_IRQ_SET_DATA_NONE |
                             VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL, NULL),
                    ==, 0);
    g_assert_cmpint(efd_take(e), ==, 1);
    g_assert_true(intx_masked());
    vt_dev_wr(x.d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_NOP);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_INTX_IRQ_INDEX,
                             VFIO_IRQ_SET_DATA_NONE |
                             VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL, NULL),
                    ==, 0);
    g_assert_cmpint(efd_take(e), ==, 0);
    g_assert_false(intx_masked());
    complete(x.d, false);
    g_assert_cmpint(efd_take(e), ==, 1);
    close(e);
    dev_down(&x);
}

/*
 * vfio_pci_set_intx_mask: EINVAL unless INTx is the enabled type; an
 * eventfd is ENOTTY; BOOL 0 changes nothing; a masked line signals
 * nothing until unmasked.
 */
static void test_set_intx_mask(void)
{
    int e = efd_new();
    uint8_t zero = 0;
    uint32_t mask = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK;
    int32_t fd = e;
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_INTX_IRQ_INDEX, mask, 0, 1, NULL,
                             NULL), ==, -EINVAL);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_INTX_IRQ_INDEX, 0, e), ==, 0);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_INTX_IRQ_INDEX,
                             VFIO_IRQ_SET_DATA_EVENTFD |
                             VFIO_IRQ_SET_ACTION_MASK, 0, 1, &fd, NULL),
                    ==, -ENOTTY);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_INTX_IRQ_INDEX,
                             VFIO_IRQ_SET_DATA_BOOL |
                             VFIO_IRQ_SET_ACTION_MASK, 0, 1, NULL, &zero),
                    ==, 0);
    g_assert_false(intx_masked());
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_INTX_IRQ_INDEX, mask, 0, 1, NULL,
                             NULL), ==, 0);
    complete(x.d, false);
    g_assert_cmpint(efd_take(e), ==, 0);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_INTX_IRQ_INDEX,
                             VFIO_IRQ_SET_DATA_NONE |
                             VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL, NULL),
                    ==, 0);
    g_assert_cmpint(efd_take(e), ==, 1);
    close(e);
    dev_down(&x);
}

/*
 * vfio_pci_set_ctx_trigger_single (REQ): DATA_NONE without a trigger is
 * EINVAL; with one, count 1 signals it and count 0 releases it; an
 * eventfd below -1 is EINVAL.
 */
static void test_ctx_trigger_single_req(void)
{
    int e = efd_new();
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_REQ_IRQ_INDEX, NONE_TRIG, 0, 1,
                             NULL, NULL), ==, -EINVAL);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_REQ_IRQ_INDEX, 0, e), ==, 0);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_REQ_IRQ_INDEX, NONE_TRIG, 0, 1,
                             NULL, NULL), ==, 0);
    g_assert_cmpint(efd_take(e), ==, 1);
    g_assert_cmpint(irq_int("eventfds"), ==, 1);
    g_assert_cmpint(irqs_off(x.d, VFIO_PCI_REQ_IRQ_INDEX), ==, 0);
    g_assert_cmpint(irq_int("eventfds"), ==, 0);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_REQ_IRQ_INDEX, 0, -2), ==, -EINVAL);
    close(e);
    dev_down(&x);
}

/*
 * vfio_pci_core_close_device -> vfio_pci_core_disable: closing the last
 * device fd disables the enabled type and releases every eventfd, so no
 * fd of the process stays held.
 */
static void test_core_disable_releases_eventfds(void)
{
    int e = efd_new(), r = efd_new();
    int32_t fds[DMAE_MSIX_VECTORS] = { e, e, e, e };
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_irqs(x.d, VFIO_PCI_MSIX_IRQ_INDEX, EFD_TRIG, 0,
                             DMAE_MSIX_VECTORS, fds, NULL), ==, 0);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_REQ_IRQ_INDEX, 0, r), ==, 0);
    g_assert_cmpint(irq_int("eventfds"), ==, DMAE_MSIX_VECTORS + 1);
    dev_down(&x);
    g_assert_cmpint(irq_int("eventfds"), ==, 0);
    {
        g_autofree char *t = irq_type();
        g_assert_cmpstr(t, ==, "none");
    }
    close(e);
    close(r);
}

/*
 * msix_mmappable_cap (vfio_pci_ioctl_get_region_info): the BAR holding
 * the MSI-X table is mmap-able whole and says so with the MSIX_MAPPABLE
 * capability; a buffer too small gets FLAG_CAPS, the argsz it needs and
 * cap_offset 0.
 */
static void test_msix_mmappable_cap(void)
{
    struct {
        struct vfio_region_info ri;
        struct vfio_info_cap_header cap;
    } b = { { .argsz = sizeof(struct vfio_region_info),
              .index = VFIO_PCI_BAR2_REGION_INDEX } };
    void *map;
    Dev x;

    dev_up(&x);
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_GET_REGION_INFO, &b), ==, 0);
    g_assert_true(b.ri.flags & VFIO_REGION_INFO_FLAG_CAPS);
    g_assert_cmpint(b.ri.argsz, ==, sizeof(b));
    g_assert_cmpint(b.ri.cap_offset, ==, 0);
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_GET_REGION_INFO, &b), ==, 0);
    g_assert_cmpint(b.ri.cap_offset, ==, sizeof(b.ri));
    g_assert_cmpint(b.cap.id, ==, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE);
    g_assert_cmpint(b.cap.version, ==, 1);
    g_assert_cmpint(b.cap.next, ==, 0);
    /* the registers' BAR has no capability */
    b.ri = (struct vfio_region_info) { .argsz = sizeof(b),
                                       .index = VFIO_PCI_BAR0_REGION_INDEX };
    g_assert_cmpint(xioctl(x.d, VFIO_DEVICE_GET_REGION_INFO, &b), ==, 0);
    g_assert_false(b.ri.flags & VFIO_REGION_INFO_FLAG_CAPS);
    map = mmap(NULL, DMAE_BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
               x.d, BAR2_OFF);
    g_assert(map != MAP_FAILED);
    munmap(map, DMAE_BAR2_SIZE);
    dev_down(&x);
}

/*
 * vfio_pci_bar_rw -> vfio_pci_core_do_io_rw: read()/write() of the MSI-X
 * table range are excluded (reads 0xff, writes dropped); the bytes
 * around it are ordinary BAR memory, even within the same access.
 */
static void test_do_io_rw_excludes_msix_table(void)
{
    uint8_t buf[32], want[32];
    Dev x;

    dev_up(&x);
    vt_dev_wr(x.d, BAR2_OFF + DMAE_MSIX_TABLE, 4, 0x12345678);
    g_assert_cmphex(vt_dev_rd(x.d, BAR2_OFF + DMAE_MSIX_TABLE, 4), ==, 0xffffffff);
    vt_dev_wr(x.d, BAR2_OFF + DMAE_MSIX_TABLE - 8, 8, 0x0807060504030201ULL);
    g_assert_cmpint(pread(x.d, buf, sizeof(buf),
                          BAR2_OFF + DMAE_MSIX_TABLE - 8), ==, sizeof(buf));
    for (unsigned i = 0; i < sizeof(want); i++) {
        want[i] = i < 8 ? i + 1 : 0xff;
    }
    g_assert_cmpmem(buf, sizeof(buf), want, sizeof(want));
    /* the PBA is not excluded: all clear, the host masks no vector */
    g_assert_cmphex(vt_dev_rd(x.d, BAR2_OFF + DMAE_MSIX_PBA, 8), ==, 0);
    dev_down(&x);
}

/*
 * vfio_config_do_rw: the MSI-X capability has no write permission for
 * the user (Enable follows SET_IRQS alone); its table size, BIR and
 * offsets describe the table in BAR2.
 */
static void test_config_msix_capability(void)
{
    Dev x;

    dev_up(&x);
    g_assert_cmphex(vt_dev_rd(x.d, CFG_OFF + MSI_CAP + PCI_CAP_LIST_NEXT, 1), ==,
                    MSIX_CAP);
    g_assert_cmphex(vt_dev_rd(x.d, CFG_OFF + MSIX_CAP, 1), ==, PCI_CAP_ID_MSIX);
    g_assert_cmphex(vt_dev_rd(x.d, CFG_OFF + MSIX_CAP + PCI_MSIX_FLAGS, 2), ==,
                    DMAE_MSIX_VECTORS - 1);
    g_assert_cmphex(vt_dev_rd(x.d, CFG_OFF + MSIX_CAP + PCI_MSIX_TABLE, 4), ==,
                    DMAE_MSIX_TABLE | 2);
    g_assert_cmphex(vt_dev_rd(x.d, CFG_OFF + MSIX_CAP + PCI_MSIX_PBA, 4), ==,
                    DMAE_MSIX_PBA | 2);
    vt_dev_wr(x.d, CFG_OFF + MSIX_CAP + PCI_MSIX_FLAGS, 2,
       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    g_assert_cmphex(vt_dev_rd(x.d, CFG_OFF + MSIX_CAP + PCI_MSIX_FLAGS, 2), ==,
                    DMAE_MSIX_VECTORS - 1);
    dev_down(&x);
}

/*
 * The raise path is thread-safe: a command the control channel's own
 * thread runs (vsim_dma_engine_run) signals the vector's eventfd too.
 */
static void test_raise_from_another_thread(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) r = NULL;
    g_autoptr(JsonObject) dev = NULL;
    int e = efd_new();
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_MSIX_IRQ_INDEX, 0, e), ==, 0);
    r = vsim_control_dma(ctl(), BDF0, "checksum", 0, 0, 0, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(r, "status"), ==, "done");
    g_assert_cmpint(efd_take(e), ==, 1);
    dev = vsim_control_device(ctl(), BDF0, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(dev, "irq"), "type"),
                    ==, "msix");
    close(e);
    dev_down(&x);
}

/* The state's irq object counts what the device raised and signalled. */
static void test_state_shows_irq(void)
{
    int e = efd_new();
    Dev x;

    dev_up(&x);
    g_assert_cmpint(set_fd(x.d, VFIO_PCI_MSIX_IRQ_INDEX, 0, e), ==, 0);
    complete(x.d, false);
    complete(x.d, true);
    {
        g_autoptr(JsonObject) q = irq_state();
        JsonObject *sig = json_object_get_object_member(q, "signals");

        g_assert_cmpstr(json_object_get_string_member(q, "type"), ==,
                        "msix");
        g_assert_cmpint(json_object_get_int_member(q, "vectors"), ==, 1);
        g_assert_cmpint(json_object_get_int_member(sig, "msix"), >=, 2);
        g_assert_true(json_object_has_member(q, "intx_masked"));
        g_assert_true(json_object_has_member(q, "raised"));
    }
    close(e);
    dev_down(&x);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/irq/vfio_set_irqs_validate_and_prepare/"
                    "argsz-index-flags-start-count-data",
                    test_validate_and_prepare);
    g_test_add_func("/vfio-sim/irq/vfio_pci_set_irqs_ioctl/"
                    "no-handler-is-enotty", test_set_irqs_ioctl_enotty);
    g_test_add_func("/vfio-sim/irq/vfio_pci_set_msi_trigger/"
                    "msix-eventfd-per-vector", test_set_msi_trigger_msix);
    g_test_add_func("/vfio-sim/irq/vfio_pci_set_msi_trigger/"
                    "msi-and-one-type-at-a-time",
                    test_set_msi_trigger_msi_one_type);
    g_test_add_func("/vfio-sim/irq/vfio_msi_set_vector_signal/"
                    "bad-fds-unwind", test_msi_set_vector_signal_bad_fds);
    g_test_add_func("/vfio-sim/irq/vfio_intx_handler/automask",
                    test_intx_handler_automask);
    g_test_add_func("/vfio-sim/irq/vfio_config_do_rw/"
                    "status-interrupt-follows-intx",
                    test_config_status_interrupt_follows_intx);
    g_test_add_func("/vfio-sim/irq/vfio_basic_config_write/"
                    "intx-disable-masks-on-host",
                    test_basic_config_write_intx_disable_masks);
    g_test_add_func("/vfio-sim/irq/vfio_pci_intx_unmask_handler/"
                    "level-resignals", test_intx_unmask_handler_level);
    g_test_add_func("/vfio-sim/irq/vfio_pci_set_intx_mask/mask",
                    test_set_intx_mask);
    g_test_add_func("/vfio-sim/irq/vfio_pci_set_ctx_trigger_single/req",
                    test_ctx_trigger_single_req);
    g_test_add_func("/vfio-sim/irq/vfio_pci_core_disable/"
                    "close-releases-eventfds",
                    test_core_disable_releases_eventfds);
    g_test_add_func("/vfio-sim/irq/msix_mmappable_cap/region-info",
                    test_msix_mmappable_cap);
    g_test_add_func("/vfio-sim/irq/vfio_pci_core_do_io_rw/"
                    "msix-table-excluded", test_do_io_rw_excludes_msix_table);
    g_test_add_func("/vfio-sim/irq/vfio_config_do_rw/msix-capability",
                    test_config_msix_capability);
    g_test_add_func("/vfio-sim/irq/state-shows-irq", test_state_shows_irq);
    g_test_add_func("/vfio-sim/irq/raise-from-another-thread",
                    test_raise_from_another_thread);
    return g_test_run();
}
