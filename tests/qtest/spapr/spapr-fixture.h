/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * In-process machine for the hw/ppc unit tests: the pseries machine
 * linked into the test, driven as a guest kernel would (guest memory,
 * hypercalls, RTAS call blocks) and inspected through its APIs.
 */
#ifndef SPAPR_FIXTURE_H
#define SPAPR_FIXTURE_H

#include "qemu/osdep.h"
#include "exec/ram.h"
#include "sysemu/machine.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_pci.h"

#define FX_RAM_SIZE     (256ULL << 20)
#define FX_LIOBN0       0x80000000U
#define FX_LIOBN1       0x80000001U
#define FX_BUID0        SPAPR_PCI_BASE_BUID
#define FX_RTAS_ARGS    0x1000ULL       /* scratch RAM for call blocks */
#define FX_RTAS_RETS    0x1100ULL
#define FX_RET_POISON   0xdeadbeefU

/* Start a machine: @ram_size 0 = FX_RAM_SIZE; NULL-terminated -device
 * option strings. */
void fx_start(uint64_t ram_size, const char *const *devices);
void fx_stop(void);

void fx_write(hwaddr addr, const void *buf, hwaddr len);
void fx_read(hwaddr addr, void *buf, hwaddr len);
void fx_stq(hwaddr addr, uint64_t val);     /* big-endian, guest RAM */
uint64_t fx_ldq(hwaddr addr);

/* hcall with up to 4 args; *out gets the first output register. */
int64_t fx_hcall(uint64_t opcode, unsigned nargs, const uint64_t *args,
                 uint64_t *out);
int64_t fx_put_tce(uint32_t liobn, uint64_t ioba, uint64_t tce);
uint64_t fx_get_tce(uint32_t liobn, uint64_t ioba);

/*
 * RTAS call through a call block in guest RAM.  rets[] is filled with
 * FX_RET_POISON first so tests can see what the call left alone.
 * Returns rets[0] as a signed status.
 */
int32_t fx_rtas(const char *name, uint32_t nargs, const uint32_t *args,
                uint32_t nret, uint32_t *rets);

/* DDW helpers on a PHB: return the status. */
int32_t fx_ddw_query(uint64_t buid, uint32_t *avail, uint32_t *pgmask);
int32_t fx_ddw_create(uint64_t buid, uint32_t page_shift,
                      uint32_t window_shift, uint32_t *liobn,
                      uint64_t *addr);
int32_t fx_ddw_remove(uint32_t liobn);
int32_t fx_ddw_reset(uint64_t buid);

/* An IOMMU notifier that records what it is told. */
typedef struct FxNotifier {
    IOMMUNotifier n;
    MemoryRegion *mr;   /* referenced while registered */
    GArray *batches;    /* guint: entries per notification call */
    GArray *entries;    /* IOMMUTLBEntry, all calls in order */
} FxNotifier;

void fx_notifier_register(FxNotifier *fn, IOMMUMemoryRegion *iommu,
                          IOMMUNotifierFlag flags);
void fx_notifier_unregister(FxNotifier *fn);
void fx_notifier_clear(FxNotifier *fn);

#endif
