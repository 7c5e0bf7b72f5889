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

/* RTAS tokens, numbered as QEMU does */
#define RTAS_TOKEN_BASE                 0x2000
#define RTAS_GET_TIME_OF_DAY            (RTAS_TOKEN_BASE + 0x01)
#define RTAS_READ_PCI_CONFIG            (RTAS_TOKEN_BASE + 0x14)
#define RTAS_WRITE_PCI_CONFIG           (RTAS_TOKEN_BASE + 0x15)
#define RTAS_IBM_READ_PCI_CONFIG        (RTAS_TOKEN_BASE + 0x16)
#define RTAS_IBM_WRITE_PCI_CONFIG       (RTAS_TOKEN_BASE + 0x17)
#define RTAS_IBM_QUERY_PE_DMA_WINDOW    (RTAS_TOKEN_BASE + 0x26)
#define RTAS_IBM_CREATE_PE_DMA_WINDOW   (RTAS_TOKEN_BASE + 0x27)
#define RTAS_IBM_REMOVE_PE_DMA_WINDOW   (RTAS_TOKEN_BASE + 0x28)
#define RTAS_IBM_RESET_PE_DMA_WINDOW    (RTAS_TOKEN_BASE + 0x29)

#define SPAPR_DEFAULT_RAM_SIZE  (512ULL << 20)
/*
 * Memory hotplug granularity (a PAPR logical memory block): DIMM sizes
 * and addresses are multiples of it, and the hotplug area starts at the
 * first multiple of it at or above the end of boot RAM.
 */
#define SPAPR_MEMORY_BLOCK_SIZE (256ULL << 20)

typedef struct SpaprMachineState {
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
} SpaprMachineState;

/* The machine, or NULL before machine_create / after machine_destroy. */
extern SpaprMachineState *spapr_machine;

/* Device tree (spapr_fdt.c): a fresh blob, g_free it. */
void *spapr_build_fdt(SpaprMachineState *spapr, Error **errp);
size_t spapr_fdt_size(const void *fdt);
/* Something the tree shows changed (device plug, unplug). */
void spapr_machine_devices_changed(void);
/* The current tree (rebuilt if stale), owned by the machine. */
const void *spapr_machine_fdt(Error **errp);

/* Hypercalls */
typedef int64_t (*SpaprHcallFn)(SpaprMachineState *spapr,
                                const uint64_t *args, uint64_t *out,
                                unsigned *nout);
int64_t spapr_h_put_tce(SpaprMachineState *spapr, const uint64_t *args,
                        uint64_t *out, unsigned *nout);
int64_t spapr_h_get_tce(SpaprMachineState *spapr, const uint64_t *args,
                        uint64_t *out, unsigned *nout);
int64_t spapr_h_stuff_tce(SpaprMachineState *spapr, const uint64_t *args,
                          uint64_t *out, unsigned *nout);
int64_t spapr_h_put_tce_indirect(SpaprMachineState *spapr,
                                 const uint64_t *args, uint64_t *out,
                                 unsigned *nout);

/* RTAS (spapr_rtas.c) */
typedef void (*SpaprRtasFn)(SpaprMachineState *spapr, uint32_t token,
                            uint32_t nargs, hwaddr args,
                            uint32_t nret, hwaddr rets);
typedef struct SpaprRtasCall {
    const char *name;
    uint32_t token;
    SpaprRtasFn fn;
} SpaprRtasCall;
/* NULL-name terminated, in token order (for the /rtas node). */
extern const SpaprRtasCall spapr_rtas_calls[];
uint32_t spapr_rtas_token(const char *name);

/* Call block helpers: args and rets are big-endian 32-bit words. */
uint32_t rtas_ld(hwaddr args, unsigned n);
void rtas_st(hwaddr rets, unsigned n, uint32_t val);

/* The DDW calls (spapr_rtas_ddw.c) */
void rtas_ibm_query_pe_dma_window(SpaprMachineState *spapr, uint32_t token,
                                  uint32_t nargs, hwaddr args,
                                  uint32_t nret, hwaddr rets);
void rtas_ibm_create_pe_dma_window(SpaprMachineState *spapr, uint32_t token,
                                   uint32_t nargs, hwaddr args,
                                   uint32_t nret, hwaddr rets);
void rtas_ibm_remove_pe_dma_window(SpaprMachineState *spapr, uint32_t token,
                                   uint32_t nargs, hwaddr args,
                                   uint32_t nret, hwaddr rets);
void rtas_ibm_reset_pe_dma_window(SpaprMachineState *spapr, uint32_t token,
                                  uint32_t nargs, hwaddr args,
                                  uint32_t nret, hwaddr rets);

#endif
