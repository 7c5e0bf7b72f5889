/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The pseries machine: state shared by the machine's files, hypercall
 * and RTAS numbering.  The program's view of the machine is
 * include/sysemu/machine.h.
 */
#ifndef HW_PPC_SPAPR_H
#define HW_PPC_SPAPR_H

#include "exec/memory.h"
#include "sysemu/hostmem.h"
#include "hw/mem/memory-device.h"
#include "hw/qdev.h"

/* Hypercall return codes */
#define H_SUCCESS               0
#define H_HARDWARE              (-1)
#define H_FUNCTION              (-2)
#define H_PARAMETER             (-4)
#define H_NOT_ENOUGH_RESOURCES  (-44)

/* Hypercall numbers */
#define H_GET_TCE               0x1C
#define H_PUT_TCE               0x20
#define H_STUFF_TCE             0x138
#define H_PUT_TCE_INDIRECT      0x13C

/* Registers an hcall can return besides the return code */
#define SPAPR_HCALL_MAX_OUT     9

/* RTAS status codes */
#define RTAS_OUT_SUCCESS        0
#define RTAS_OUT_HW_ERROR       (-1)
#define RTAS_OUT_BUSY           (-2)
#define RTAS_OUT_PARAM_ERROR    (-3)
#define RTAS_OUT_NOT_AUTHORIZED (-9002)

/*
 * RTAS tokens, numbered as QEMU does (a guest reads them from /rtas, so
 * any numbering works, but matching QEMU keeps recorded call sequences
 * replayable on both).
 */
#define RTAS_TOKEN_BASE                 0x2000
#define RTAS_TOKEN_MAX                  0x100
#define RTAS_DISPLAY_CHARACTER          (RTAS_TOKEN_BASE + 0x00)
#define RTAS_GET_TIME_OF_DAY            (RTAS_TOKEN_BASE + 0x01)
#define RTAS_SET_TIME_OF_DAY            (RTAS_TOKEN_BASE + 0x02)
#define RTAS_POWER_OFF                  (RTAS_TOKEN_BASE + 0x03)
#define RTAS_SYSTEM_REBOOT              (RTAS_TOKEN_BASE + 0x04)
#define RTAS_IBM_SET_XIVE               (RTAS_TOKEN_BASE + 0x0A)
#define RTAS_IBM_GET_XIVE               (RTAS_TOKEN_BASE + 0x0B)
#define RTAS_IBM_INT_OFF                (RTAS_TOKEN_BASE + 0x0C)
#define RTAS_IBM_INT_ON                 (RTAS_TOKEN_BASE + 0x0D)
#define RTAS_CHECK_EXCEPTION            (RTAS_TOKEN_BASE + 0x0E)
#define RTAS_EVENT_SCAN                 (RTAS_TOKEN_BASE + 0x0F)
#define RTAS_READ_PCI_CONFIG            (RTAS_TOKEN_BASE + 0x14)
#define RTAS_WRITE_PCI_CONFIG           (RTAS_TOKEN_BASE + 0x15)
#define RTAS_IBM_READ_PCI_CONFIG        (RTAS_TOKEN_BASE + 0x16)
#define RTAS_IBM_WRITE_PCI_CONFIG       (RTAS_TOKEN_BASE + 0x17)
#define RTAS_IBM_QUERY_INTERRUPT_SOURCE_NUMBER (RTAS_TOKEN_BASE + 0x18)
#define RTAS_IBM_CHANGE_MSI             (RTAS_TOKEN_BASE + 0x19)
#define RTAS_SET_INDICATOR              (RTAS_TOKEN_BASE + 0x1A)
#define RTAS_SET_POWER_LEVEL            (RTAS_TOKEN_BASE + 0x1B)
#define RTAS_GET_POWER_LEVEL            (RTAS_TOKEN_BASE + 0x1C)
#define RTAS_GET_SENSOR_STATE           (RTAS_TOKEN_BASE + 0x1D)
#define RTAS_IBM_CONFIGURE_CONNECTOR    (RTAS_TOKEN_BASE + 0x1E)
#define RTAS_IBM_OS_TERM                (RTAS_TOKEN_BASE + 0x1F)
#define RTAS_IBM_SET_EEH_OPTION         (RTAS_TOKEN_BASE + 0x20)
#define RTAS_IBM_GET_CONFIG_ADDR_INFO2  (RTAS_TOKEN_BASE + 0x21)
#define RTAS_IBM_READ_SLOT_RESET_STATE2 (RTAS_TOKEN_BASE + 0x22)
#define RTAS_IBM_SET_SLOT_RESET         (RTAS_TOKEN_BASE + 0x23)
#define RTAS_IBM_CONFIGURE_PE           (RTAS_TOKEN_BASE + 0x24)
#define RTAS_IBM_SLOT_ERROR_DETAIL      (RTAS_TOKEN_BASE + 0x25)
#define RTAS_IBM_QUERY_PE_DMA_WINDOW    (RTAS_TOKEN_BASE + 0x26)
#define RTAS_IBM_CREATE_PE_DMA_WINDOW   (RTAS_TOKEN_BASE + 0x27)
#define RTAS_IBM_REMOVE_PE_DMA_WINDOW   (RTAS_TOKEN_BASE + 0x28)
#define RTAS_IBM_RESET_PE_DMA_WINDOW    (RTAS_TOKEN_BASE + 0x29)
/* Not in QEMU 7.2: numbered after its last token. */
#define RTAS_IBM_ERRINJCT               (RTAS_TOKEN_BASE + 0x30)
#define RTAS_IBM_OPEN_ERRINJCT          (RTAS_TOKEN_BASE + 0x31)
#define RTAS_IBM_CLOSE_ERRINJCT         (RTAS_TOKEN_BASE + 0x32)

#define SPAPR_DEFAULT_RAM_SIZE  (512ULL << 20)
/*
 * Memory hotplug granularity (a PAPR logical memory block): DIMM sizes
 * and addresses are multiples of it, and the hotplug area starts at the
 * first multiple of it at or above the end of boot RAM.
 */
#define SPAPR_MEMORY_BLOCK_SIZE (256ULL << 20)

typedef struct SpaprMachineState {
    QdevMachine parent_obj;     /* the device tree's root (qdev) */
    uint64_t ram_size;
    uint64_t maxmem;
    unsigned ram_slots;
    MemoryRegion *ram;          /* at guest physical 0 */
    MemoryRegion own_ram;       /* when no backend is named */
    HostMemoryBackend *ram_backend;
    MemoryDeviceArea hotplug;   /* where DIMMs go (-m slots=,maxmem=) */
    bool nodefaults;
    bool started;               /* machine_creation_done ran */
    bool running;
    void *fdt;                  /* last built device tree */
    bool fdt_dirty;
    /*
     * The PHBs (SpaprPhbState, sorted by index) the machine owns; each
     * holds its TCE tables, so LIOBN lookups walk machine -> PHBs ->
     * tables.  A PHB adds itself at realize, leaves at unrealize.
     */
    GList *phbs;
} SpaprMachineState;

/* The machine, or NULL before machine_create / after machine_destroy. */
extern SpaprMachineState *spapr_machine;
/*
 * Is [gpa, gpa + size) RAM of machine @opaque (boot RAM or one plugged
 * DIMM)?  The check each PHB gives its TCE tables.
 */
bool spapr_machine_ram_check(void *opaque, hwaddr gpa, uint64_t size);

/* [gpa, gpa + size) is guest RAM: boot RAM or inside one DIMM. */
bool spapr_is_guest_ram(hwaddr gpa, uint64_t size);

/* Device tree (spapr_fdt.c): a fresh blob, g_free it. */
void *spapr_build_fdt(SpaprMachineState *spapr, Error **errp);
size_t spapr_fdt_size(const void *fdt);
/* Something the tree shows changed (device plug, unplug). */
void spapr_machine_devices_changed(void);
/* The current tree (rebuilt if stale), owned by the machine. */
const void *spapr_machine_fdt(Error **errp);

/*
 * Hypercalls: each file registers its own from a constructor
 * (type_init); machine_hcall dispatches by opcode.
 */
typedef int64_t (*SpaprHcallFn)(SpaprMachineState *spapr,
                                const uint64_t *args, uint64_t *out,
                                unsigned *nout);
void spapr_register_hypercall(uint64_t opcode, SpaprHcallFn fn);
SpaprHcallFn spapr_hypercall_lookup(uint64_t opcode);

/*
 * RTAS: each file registers its calls from a constructor (type_init);
 * the /rtas node lists every registered call with its token.
 */
typedef void (*SpaprRtasFn)(SpaprMachineState *spapr, uint32_t token,
                            uint32_t nargs, hwaddr args,
                            uint32_t nret, hwaddr rets);
typedef struct SpaprRtasCall {
    const char *name;
    uint32_t token;
    SpaprRtasFn fn;
    bool (*present)(void);      /* NULL: always in /rtas */
} SpaprRtasCall;
void spapr_rtas_register(uint32_t token, const char *name, SpaprRtasFn fn);
/*
 * A call /rtas lists only while @present() says the platform offers it
 * (e.g. EEH, when the host has it); it stays callable by token.
 */
void spapr_rtas_register_optional(uint32_t token, const char *name,
                                  SpaprRtasFn fn, bool (*present)(void));
/* By name; NULL when no such call is registered. */
const SpaprRtasCall *spapr_rtas_lookup(const char *name);
/* Token of a registered call, 0 when there is none. */
uint32_t spapr_rtas_token(const char *name);
/* Calls @fn for each registered call in token order. */
void spapr_rtas_foreach(void (*fn)(const SpaprRtasCall *call, void *opaque),
                        void *opaque);

/* Call block helpers: args and rets are big-endian 32-bit words. */
uint32_t rtas_ld(hwaddr args, unsigned n);
void rtas_st(hwaddr rets, unsigned n, uint32_t val);

#endif
