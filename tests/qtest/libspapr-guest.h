/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A model of a pseries Linux guest for tests, the demo and benchmarks.
 *
 * Two layers:
 *  - VsimMachine: a spapr-vfio process started under vfio-sim (LD_PRELOAD,
 *    control socket, exit report in a private temporary directory), with
 *    the qtest/QMP session to it.
 *  - SpaprGuest: what a pseries Linux kernel does with it, driven through
 *    qtest: PCI config through RTAS, on-demand mapping in the default
 *    32-bit window, DDW enablement with direct mapping of all RAM, and a
 *    dma-engine driver.  See ../shared/spec/papr-ddw.md, last section.
 *
 * The guest keeps the low 1 MiB of RAM for itself (RTAS call blocks, TCE
 * list pages); data buffers come from guest_alloc() above that.
 */
#ifndef LIBSPAPR_GUEST_H
#define LIBSPAPR_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include "libqtest.h"
#include "control-client.h"

#define H_SUCCESS           0
#define H_PARAMETER         (-4)
#define H_GET_TCE           0x1C
#define H_PUT_TCE           0x20
#define H_STUFF_TCE         0x138
#define H_PUT_TCE_INDIRECT  0x13C

#define TCE_READ            1ULL
#define TCE_WRITE           2ULL
#define TCE_RW              3ULL

#define GUEST_RESERVED      (1ULL << 20)   /* low RAM the model keeps */

/* ------------------------------------------------------------ machine */

typedef struct VsimMachine {
    QTestState *qts;
    VsimControl *ctl;           /* NULL until /dev/vfio was first used */
    char *dir;                  /* private temporary directory */
    char *control_path;
    char *report_path;
} VsimMachine;

/*
 * Start spapr-vfio with @args (everything after the binary, e.g.
 * "-m 4G -device vfio-pci,host=0001:00:01.0") under vfio-sim with
 * VFIO_SIM_DEVICES=@devices and VFIO_SIM_HOST=@host (NULL: defaults).
 * Connects the control socket when the process has opened /dev/vfio.
 * Aborts the test if the process does not start.
 */
VsimMachine *vsim_machine_start(const char *devices, const char *host,
                                const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Connect the control socket now (after a late device_add). */
VsimControl *vsim_machine_control(VsimMachine *m);
/* The sim's "state" object (caller unrefs). */
JsonObject *vsim_machine_state(VsimMachine *m);
/*
 * QMP quit, wait for exit status 0, read and return the exit report
 * (caller unrefs), remove the temporary directory, free @m.
 */
JsonObject *vsim_machine_quit(VsimMachine *m);
/* Assert the report shows nothing registered, mapped, locked or open. */
void vsim_report_assert_clean(JsonObject *report);

/* ------------------------------------------------------------ guest */

typedef struct GuestDevice {
    unsigned phb_index;
    uint64_t buid;
    uint32_t config_addr;       /* bus << 16 | devfn << 8 */
    uint16_t vendor, device;
    uint64_t bar_cpu[6];        /* CPU address of each BAR, 0 = none */
    uint64_t bar_size[6];
} GuestDevice;

typedef struct GuestWindow {
    uint32_t liobn;
    uint64_t bus_start;
    uint64_t size;
    unsigned page_shift;
    bool active;
} GuestWindow;

typedef struct GuestStats {
    uint64_t hcalls;            /* TCE hcalls issued */
    uint64_t tces_put;          /* entries written by PUT/INDIRECT */
    uint64_t rtas_calls;
} GuestStats;

typedef struct SpaprGuest SpaprGuest;

/* @ram_size: boot RAM as given to -m (the guest direct-maps it). */
SpaprGuest *guest_new(QTestState *qts, uint64_t ram_size);
void guest_free(SpaprGuest *g);
const GuestStats *guest_stats(SpaprGuest *g);

/* The qtest session and the boot RAM size the guest was made with. */
QTestState *guest_qts(SpaprGuest *g);
uint64_t guest_ram_size(SpaprGuest *g);
/*
 * Any RTAS call through the model's call block (low RAM); returns
 * rets[0], the status (@nret >= 1).  An unknown @name aborts the test.
 */
int32_t guest_rtas(SpaprGuest *g, const char *name, uint32_t nargs,
                   const uint32_t *args, uint32_t nret, uint32_t *rets);

/* RTAS PCI config access; false on an RTAS error status. */
bool guest_config_read(SpaprGuest *g, uint64_t buid, uint32_t config_addr,
                       unsigned reg, unsigned size, uint32_t *value);
bool guest_config_write(SpaprGuest *g, uint64_t buid, uint32_t config_addr,
                        unsigned reg, unsigned size, uint32_t value);
/*
 * Scan bus 0 of PHB @phb_index for the @nth (0-based) function with
 * @vendor:@device, read its BARs and enable memory and bus mastering.
 */
bool guest_find_device(SpaprGuest *g, unsigned phb_index, uint16_t vendor,
                       uint16_t device, unsigned nth, GuestDevice *out);

/* Bump allocator over guest RAM above GUEST_RESERVED (aligned). */
uint64_t guest_alloc(SpaprGuest *g, uint64_t size, uint64_t align);

/* Raw TCE hcalls (return the hcall status). */
int64_t guest_put_tce(SpaprGuest *g, uint32_t liobn, uint64_t ioba,
                      uint64_t tce);
int64_t guest_get_tce(SpaprGuest *g, uint32_t liobn, uint64_t ioba,
                      uint64_t *tce);
int64_t guest_stuff_tce(SpaprGuest *g, uint32_t liobn, uint64_t ioba,
                        uint64_t tce, uint64_t npages);
/* Up to 512 TCEs through one list page. */
int64_t guest_put_tce_indirect(SpaprGuest *g, uint32_t liobn, uint64_t ioba,
                               const uint64_t *tces, unsigned npages);

/* The default 32-bit window of the device's PHB (liobn, start, size). */
GuestWindow guest_default_window(SpaprGuest *g, const GuestDevice *dev);
/*
 * On-demand mapping in the default window, as the Linux IOMMU API does
 * without DDW: map @size bytes at guest physical @gpa with @perm, return
 * the bus address (0 on failure: window full or hcall error).
 */
uint64_t guest_dma_map(SpaprGuest *g, const GuestDevice *dev, uint64_t gpa,
                       uint64_t size, uint64_t perm);
/* Unmap with H_STUFF_TCE 0 in chunks of up to 512. */
bool guest_dma_unmap(SpaprGuest *g, const GuestDevice *dev, uint64_t iova,
                     uint64_t size);

/* DDW RTAS calls; return the RTAS status, outputs through pointers. */
int32_t guest_ddw_query(SpaprGuest *g, const GuestDevice *dev,
                        uint32_t *avail, uint32_t *pgmask);
int32_t guest_ddw_create(SpaprGuest *g, const GuestDevice *dev,
                         unsigned page_shift, unsigned window_shift,
                         GuestWindow *out);
int32_t guest_ddw_remove(SpaprGuest *g, uint32_t liobn);
int32_t guest_ddw_reset(SpaprGuest *g, const GuestDevice *dev);

/*
 * Linux's DDW enablement (spec steps 1-5): query; when no window is free,
 * clear and remove the default window; create a window with the largest
 * page size covering @max_ram (0: the boot RAM); direct-map all RAM with
 * 512-entry H_PUT_TCE_INDIRECT calls.  On failure it clears and removes
 * the new window, resets, and returns false (the default window stays
 * usable).  The created window is in @out.
 */
bool guest_ddw_enable(SpaprGuest *g, const GuestDevice *dev,
                      uint64_t max_ram, GuestWindow *out);
/* Extend the direct mapping to RAM hot-added at [gpa, gpa + size). */
bool guest_ddw_map_range(SpaprGuest *g, const GuestWindow *w,
                         uint64_t gpa, uint64_t size);
/* Bus address of guest physical @gpa in a direct-mapped window. */
static inline uint64_t guest_ddw_iova(const GuestWindow *w, uint64_t gpa)
{
    return w->bus_start + gpa;
}

/* ------------------------------------------------------- dma-engine */

#define DMA_ENGINE_VENDOR   0x5653
#define DMA_ENGINE_DEVICE   0x0d4a

typedef struct DmaResult {
    uint32_t status;            /* 2 done, 3 error */
    uint32_t err_kind;          /* 0 none, 1 no window, 2 no mapping, ... */
    uint64_t err_iova;
    uint64_t done;              /* bytes completed */
    uint64_t result;            /* checksum */
} DmaResult;

/* Commands through BAR0 (little-endian registers), run synchronously. */
DmaResult dma_engine_copy(SpaprGuest *g, const GuestDevice *dev,
                          uint64_t src_iova, uint64_t dst_iova,
                          uint64_t len);
DmaResult dma_engine_fill(SpaprGuest *g, const GuestDevice *dev,
                          uint64_t dst_iova, uint64_t len, uint64_t pattern);
DmaResult dma_engine_checksum(SpaprGuest *g, const GuestDevice *dev,
                              uint64_t src_iova, uint64_t len);
/* FNV-1a 64, as the engine computes it (for checking in the test). */
uint64_t dma_engine_fnv1a(const void *data, size_t len);

/* ------------------------------------------------------------- EEH */
/* libspapr-guest-eeh.c: what pseries Linux's EEH code does. */

/* ibm,set-eeh-option options, ibm,set-slot-reset functions */
#define EEH_OPT_DISABLE         0
#define EEH_OPT_ENABLE          1
#define EEH_OPT_THAW_MMIO       2
#define EEH_OPT_THAW_DMA        3
#define EEH_RESET_DEACTIVATE    0
#define EEH_RESET_HOT           1
#define EEH_RESET_FUNDAMENTAL   3
/* ibm,read-slot-reset-state2 states */
#define EEH_STATE_NORMAL        0
#define EEH_STATE_RESET         1
#define EEH_STATE_STOPPED       2
#define EEH_STATE_STOPPED_DMA   4
#define EEH_STATE_UNAVAIL       5

typedef struct GuestEeh {
    uint64_t buid;
    uint32_t config_addr;       /* the device's */
    uint32_t pe_addr;           /* ibm,get-config-addr-info2 function 0 */
    uint32_t pe_mode;           /* function 1: 1 not shared, 2 shared */
    uint32_t saved[16];         /* config header at probe (eeh_save_bars) */
} GuestEeh;

/*
 * Probe as Linux does at boot: ibm,set-eeh-option(enable) on the
 * device, ibm,get-config-addr-info2 (mode, then PE address), and save
 * the config header.  Returns the first failing RTAS status, or 0.
 */
int32_t guest_eeh_probe(SpaprGuest *g, const GuestDevice *dev,
                        GuestEeh *out);
/* The single calls on the PE (the RTAS status; outputs by pointer). */
int32_t guest_eeh_set_option(SpaprGuest *g, const GuestEeh *e,
                             uint32_t addr, uint32_t option);
int32_t guest_eeh_get_state(SpaprGuest *g, const GuestEeh *e,
                            uint32_t *state);
int32_t guest_eeh_set_slot_reset(SpaprGuest *g, const GuestEeh *e,
                                 uint32_t function);
int32_t guest_eeh_configure_pe(SpaprGuest *g, const GuestEeh *e);
int32_t guest_eeh_slot_error_detail(SpaprGuest *g, const GuestEeh *e,
                                    uint32_t severity);
/*
 * ibm,open-errinjct, ibm,errinjct of an IOA bus error (32-bit) with
 * function @func at @addr/@mask on the PE, ibm,close-errinjct.
 */
int32_t guest_eeh_inject(SpaprGuest *g, const GuestEeh *e, uint32_t func,
                         uint32_t addr, uint32_t mask);
/*
 * eeh_dev_check_failure: after a read returned all ones, is the PE
 * frozen?  True when the state is anything but normal.
 */
bool guest_eeh_check_failure(SpaprGuest *g, const GuestEeh *e);
/*
 * eeh_handle_normal_event, for a driver with slot_reset: thaw MMIO,
 * configure and collect the log (eeh_slot_error_detail), hot reset
 * (activate, deactivate, wait for the PE), ibm,configure-pe, restore the
 * saved config header (eeh_pe_restore_bars: BARs, then COMMAND with
 * memory and bus mastering), and check the PE is normal.  False on the
 * first step that fails (the step is logged).
 */
bool guest_eeh_recover(SpaprGuest *g, const GuestEeh *e);
/* -------------------------------------------- hotplug (DRC), Linux side */

/* DRC indexes as the machine numbers them (docs/hotplug.md) */
#define GUEST_DRC_PCI_INDEX(phb, devfn) \
    (0x40000000U | (uint32_t)(phb) << 16 | (uint32_t)(devfn))
#define GUEST_DRC_LMB_INDEX(addr) \
    (0x80000000U | (uint32_t)((addr) >> 28))

/* set-indicator / get-sensor-state types and values */
#define GUEST_DRC_ISOLATION_STATE   9001
#define GUEST_DRC_DR_INDICATOR      9002
#define GUEST_DRC_ALLOCATION_STATE  9003
#define GUEST_DRC_ENTITY_SENSE      9003
#define GUEST_DRC_ISOLATE           0
#define GUEST_DRC_UNISOLATE         1
#define GUEST_DRC_UNUSABLE          0
#define GUEST_DRC_USABLE            1
#define GUEST_DRC_SENSE_EMPTY       0
#define GUEST_DRC_SENSE_PRESENT     1
#define GUEST_DRC_SENSE_UNUSABLE    2

/* ibm,configure-connector results */
#define GUEST_CC_DONE               0
#define GUEST_CC_NEXT_SIBLING       1
#define GUEST_CC_NEXT_CHILD         2
#define GUEST_CC_NEXT_PROPERTY      3
#define GUEST_CC_PREV_PARENT        4
#define GUEST_CC_NOT_CONFIGURABLE   (-9003)

/* The hotplug section of an event log */
#define GUEST_HP_TYPE_MEMORY        2
#define GUEST_HP_TYPE_PCI           5
#define GUEST_HP_ACTION_ADD         1
#define GUEST_HP_ACTION_REMOVE      2
#define GUEST_HP_ID_DRC_INDEX       2
#define GUEST_HP_ID_DRC_COUNT       3
#define GUEST_HP_ID_DRC_COUNT_INDEXED 4

typedef struct GuestHotplugEvent {
    uint8_t type, action, id_type;
    uint32_t count;             /* connectors named (1 for an index) */
    uint32_t index;             /* the first one */
} GuestHotplugEvent;

typedef struct GuestDrcNode {
    char name[64];              /* the device node configure gave */
    unsigned nprops;            /* its properties */
    uint32_t my_drc_index;      /* its ibm,my-drc-index, 0 = none */
} GuestDrcNode;

/*
 * The oldest hotplug event (check-exception, or event-scan when
 * @event_scan): 0 and *@ev, 1 when there is none, or the RTAS error.
 */
int32_t guest_drc_fetch_event(SpaprGuest *g, bool event_scan,
                              GuestHotplugEvent *ev);
/* Raw calls: the RTAS status. */
int32_t guest_drc_set_indicator(SpaprGuest *g, uint32_t type,
                                uint32_t index, uint32_t value);
int32_t guest_drc_get_sensor(SpaprGuest *g, uint32_t type, uint32_t index,
                             uint32_t *state);
/* The configure-connector loop: 0 when done, else the failing status. */
int32_t guest_drc_configure(SpaprGuest *g, uint32_t index,
                            GuestDrcNode *node);
/*
 * Linux's add: allocation usable, unisolate, then (@configure, a PCI
 * slot) configure-connector.  Linux's remove, once the device is no
 * longer used: isolate, allocation unusable.  0 or the failing status.
 */
int32_t guest_drc_acquire(SpaprGuest *g, uint32_t index, bool configure,
                          GuestDrcNode *node);
int32_t guest_drc_release(SpaprGuest *g, uint32_t index);
/* Act on one event as Linux does (each connector it names). */
int32_t guest_drc_handle_event(SpaprGuest *g, const GuestHotplugEvent *ev);
/* Fetch and act on every pending event; how many there were. */
unsigned guest_drc_handle_events(SpaprGuest *g);
/* ------------------------------------------------------- interrupts */
/*
 * The pseries interrupt path as a Linux guest drives it
 * (libspapr-guest-irq.c, docs/interrupts.md): XICS source numbers from
 * 0x1000, RTAS set/get-xive and int-on/off, ibm,change-msi and
 * ibm,query-interrupt-source-number, H_XIRR/H_EOI/H_CPPR, and the
 * qtest "IRQ raise N" lines to wait for.
 */
#define GUEST_IRQ_PRIORITY      5       /* Linux's default priority */
#define GUEST_IRQ_MASKED        0xff
#define H_EOI                   0x64
#define H_CPPR                  0x68
#define H_IPI                   0x6C
#define H_XIRR                  0x74
#define RTAS_CHANGE_MSI_QUERY   0
#define RTAS_CHANGE_MSI_CHANGE  1
#define RTAS_CHANGE_MSI_RESET   2
#define RTAS_CHANGE_MSI_MSI     3
#define RTAS_CHANGE_MSI_MSIX    4

/* QOM path of the interrupt controller (g_free it). */
char *guest_irq_controller_path(SpaprGuest *g);
/* irq_intercept_out on the controller: IRQ lines start coming. */
void guest_irq_intercept(SpaprGuest *g);
/* Wait until @irq was raised @count times in all (false: timeout). */
bool guest_wait_irq(SpaprGuest *g, uint32_t irq, unsigned count,
                    int timeout_ms);
/* Raises of @irq seen so far. */
unsigned guest_irq_count(SpaprGuest *g, uint32_t irq);

/* RTAS; each returns the RTAS status. */
int32_t guest_set_xive(SpaprGuest *g, uint32_t irq, uint32_t server,
                       uint32_t priority);
int32_t guest_get_xive(SpaprGuest *g, uint32_t irq, uint32_t *server,
                       uint32_t *priority);
int32_t guest_int_off(SpaprGuest *g, uint32_t irq);
int32_t guest_int_on(SpaprGuest *g, uint32_t irq);
/* set-xive to server 0 at GUEST_IRQ_PRIORITY, then int-on (request_irq). */
int32_t guest_irq_unmask(SpaprGuest *g, uint32_t irq);
/* ibm,change-msi: *nvec = rets[1], *type = rets[3] (may be NULL). */
int32_t guest_change_msi(SpaprGuest *g, const GuestDevice *dev,
                         uint32_t func, uint32_t req, uint32_t *nvec,
                         uint32_t *type);
int32_t guest_query_irq_number(SpaprGuest *g, const GuestDevice *dev,
                               uint32_t vector, uint32_t *irq);

/* Configuration space: a capability's offset (0: none). */
unsigned guest_find_capability(SpaprGuest *g, const GuestDevice *dev,
                               uint8_t cap_id);
/*
 * Linux's MSI-X / MSI enablement: enable (MSI-X function-masked),
 * change-msi, query every number into @irqs, unmask each source at the
 * controller, unmask the vectors (MSI-X table) and the function.
 * Returns the vectors enabled (fewer when the platform says so), or a
 * negative RTAS status.
 */
int guest_enable_msix(SpaprGuest *g, const GuestDevice *dev, unsigned nvec,
                      uint32_t *irqs);
int guest_enable_msi(SpaprGuest *g, const GuestDevice *dev, unsigned nvec,
                     uint32_t *irqs);
/* Disable MSI and MSI-X in config space, free with change-msi. */
int32_t guest_disable_msi(SpaprGuest *g, const GuestDevice *dev);
/* MSI-X table entry mask bit of @vector (MMIO in the table's BAR). */
void guest_msix_mask(SpaprGuest *g, const GuestDevice *dev, unsigned vector,
                     bool masked);
bool guest_msix_pending(SpaprGuest *g, const GuestDevice *dev,
                        unsigned vector);
/* The LSI the device's INTx pin reaches (0: no pin). */
uint32_t guest_intx_irq(SpaprGuest *g, const GuestDevice *dev);

/* XICS presentation (server 0); hcall status, H_XIRR's value in *xirr. */
int64_t guest_xirr(SpaprGuest *g, uint64_t *xirr);
int64_t guest_eoi(SpaprGuest *g, uint64_t xirr);
int64_t guest_cppr(SpaprGuest *g, uint32_t cppr);

/* ------------------------------------------ device interrupts, driven */
/*
 * libspapr-guest-msi.c: a driver's interrupt set-up as Linux's PCI core
 * does it on pseries (MSI-X, else MSI, else INTx), and dma-engine
 * commands that wait for their completion interrupt ("IRQ raise N",
 * then H_XIRR, the handler, H_EOI) instead of polling the device.
 * Call guest_irq_intercept() first.
 */
#define GUEST_DEV_MAX_VECTORS   8

typedef enum GuestIrqMode {
    GUEST_IRQ_NONE,
    GUEST_IRQ_INTX,
    GUEST_IRQ_MSI,
    GUEST_IRQ_MSIX,
} GuestIrqMode;

typedef struct GuestDevIrq {
    GuestIrqMode mode;
    unsigned nvec;
    uint32_t irqs[GUEST_DEV_MAX_VECTORS];   /* source of each vector */
    /* pci_save_state: the MSI/MSI-X capability and messages as set up */
    unsigned cap;                           /* MSI or MSI-X capability */
    uint32_t saved_ctrl;                    /* its control word */
    uint32_t saved_msg[GUEST_DEV_MAX_VECTORS][4];   /* addr lo/hi, data,
                                                       vector control */
} GuestDevIrq;

const char *guest_irq_mode_name(GuestIrqMode mode);
/*
 * Set up @nvec vectors of the best mode up to @best (GUEST_IRQ_MSIX:
 * try everything); falls back as Linux does when a mode is missing or
 * refused.  Returns the mode set up (GUEST_IRQ_NONE: none works).
 */
GuestIrqMode guest_dev_irq_setup(SpaprGuest *g, const GuestDevice *dev,
                                 GuestIrqMode best, unsigned nvec,
                                 GuestDevIrq *out);
/*
 * What a driver's slot_reset does after an EEH reset (pci_restore_state
 * -> pci_restore_msi_state): write back the MSI capability, or the
 * MSI-X table with the function masked, as saved at set-up.  Nothing
 * for INTx (the EEH core restored the header).  false: a config write
 * failed.
 */
bool guest_dev_irq_restore(SpaprGuest *g, const GuestDevice *dev,
                           const GuestDevIrq *irq);
/* Undo it: MSI/MSI-X disabled and freed, sources masked. */
void guest_dev_irq_teardown(SpaprGuest *g, const GuestDevice *dev,
                            GuestDevIrq *irq);
/*
 * The interrupt handler: H_XIRR, for INTx ack the device (a NOP command
 * lowers its line), H_EOI.  Returns the source taken (0: none pending).
 */
uint32_t guest_dev_irq_handle(SpaprGuest *g, const GuestDevice *dev,
                              const GuestDevIrq *irq);
/*
 * Start a dma-engine command and sleep until its completion interrupt
 * (vector 0) was raised, then run the handler and read the result.
 * false: no interrupt within @timeout_ms (the result is still read).
 */
bool dma_engine_run_irq(SpaprGuest *g, const GuestDevice *dev,
                        const GuestDevIrq *irq, uint32_t cmd, uint64_t src,
                        uint64_t dst, uint64_t len, int timeout_ms,
                        DmaResult *r);
/* Start a command and return at once (no wait, no handler). */
void dma_engine_start(SpaprGuest *g, const GuestDevice *dev, uint32_t cmd,
                      uint64_t src, uint64_t dst, uint64_t len);

#endif /* LIBSPAPR_GUEST_H */
