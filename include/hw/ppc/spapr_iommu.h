/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * sPAPR TCE tables: one per LIOBN (logical I/O bus number), each the
 * translation table of one DMA window of a PHB.
 *
 * Storage is sparse (chunks of 512 entries, allocated when an entry is
 * set, freed when the last one is cleared) so a 2^40-byte window costs
 * memory only for what is mapped.  While enabled, a table is visible as
 * an IOMMU memory region of the PHB's DMA address space at its bus
 * offset; every change is sent to the region's notifiers in batches.
 *
 * IOVAs in translations and notifications are offsets inside the
 * region, i.e. bus address - bus_offset (add the section's address to
 * get the bus address, as with any IOMMU region).
 */
#ifndef HW_PPC_SPAPR_IOMMU_H
#define HW_PPC_SPAPR_IOMMU_H

#include "exec/memory.h"

#define SPAPR_TCE_PAGE_SHIFT    12
#define SPAPR_TCE_PAGE_SIZE     (1ULL << SPAPR_TCE_PAGE_SHIFT)

/* TCE permission bits */
#define SPAPR_TCE_RO            0x1ULL  /* device may read memory */
#define SPAPR_TCE_WO            0x2ULL  /* device may write memory */
#define SPAPR_TCE_RW            (SPAPR_TCE_RO | SPAPR_TCE_WO)

typedef struct SpaprTceTable SpaprTceTable;

/*
 * Says whether [gpa, gpa + size) is guest RAM a TCE may point to: the
 * machine's answer (@opaque is the machine).  The PHB links each of its
 * tables to its machine; a table without a link refuses every address.
 */
typedef bool (*SpaprTceRamCheck)(void *opaque, hwaddr gpa, uint64_t size);
void spapr_tce_table_set_ram_check(SpaprTceTable *tcet, SpaprTceRamCheck fn,
                                   void *opaque);

/* A disabled table; @dma_root is where its IOMMU region goes. */
SpaprTceTable *spapr_tce_table_new(uint32_t liobn, MemoryRegion *dma_root,
                                   const char *owner);
/* Disables (UNMAP notifications for what was set) and frees. */
void spapr_tce_table_free(SpaprTceTable *tcet);
/* The machine's table with that LIOBN (see spapr_tce_find_ram_ref). */
SpaprTceTable *spapr_tce_find_by_liobn(uint32_t liobn);

/*
 * Enable: empty table of @nb_entries pages of 1 << @page_shift at
 * @bus_offset.  Fails when the window would not fit in 2^64.
 */
bool spapr_tce_table_enable(SpaprTceTable *tcet, unsigned page_shift,
                            uint64_t bus_offset, uint64_t nb_entries,
                            Error **errp);
void spapr_tce_table_disable(SpaprTceTable *tcet);

uint32_t spapr_tce_table_liobn(const SpaprTceTable *tcet);
bool spapr_tce_table_enabled(const SpaprTceTable *tcet);
unsigned spapr_tce_table_page_shift(const SpaprTceTable *tcet);
uint64_t spapr_tce_table_bus_offset(const SpaprTceTable *tcet);
uint64_t spapr_tce_table_nb_entries(const SpaprTceTable *tcet);
/* Number of entries currently nonzero. */
uint64_t spapr_tce_table_nb_set(const SpaprTceTable *tcet);
/* Bytes of host memory used by the table (structure and chunks). */
size_t spapr_tce_table_mem_usage(const SpaprTceTable *tcet);
/* The IOMMU region while enabled, else NULL. */
IOMMUMemoryRegion *spapr_tce_table_iommu(SpaprTceTable *tcet);

/*
 * Walk the nonzero entries in index order as runs of consecutive ones
 * (at most 512 each, never crossing a storage chunk).  The cost follows
 * what is set, not the window size.  @fn returns false to stop; the
 * walk then returns false.  @fn must not change the table.
 */
typedef bool (*SpaprTceRunFn)(uint64_t index, const uint64_t *tces,
                              unsigned n, void *opaque);
bool spapr_tce_table_foreach_run(SpaprTceTable *tcet, SpaprTceRunFn fn,
                                 void *opaque);

/*
 * Migration (spapr_iommu_state.c): the table's whole state, geometry
 * and set entries, and its restoration.  Loading disables the table,
 * re-enables it with the saved geometry and sets the entries in
 * batches, so listeners get the window and the mappings as a guest
 * would have made them.  Every entry is checked as H_PUT_TCE would.
 */
void spapr_tce_table_save(SpaprTceTable *tcet, GByteArray *out);
typedef struct MigReader MigReader;
bool spapr_tce_table_load(SpaprTceTable *tcet, MigReader *in,
                          uint64_t page_size_mask, Error **errp);

/*
 * Entry access for the hcalls.  Indexes are table indexes; callers
 * check ranges first (these return H_PARAMETER-style false otherwise).
 */
uint64_t spapr_tce_get(SpaprTceTable *tcet, uint64_t index);
/* Is @tce acceptable for this table: aligned and backed by RAM? */
bool spapr_tce_valid(SpaprTceTable *tcet, uint64_t tce);
/* Set entries [index, index + n) from @tces (n <= 512), one batch. */
void spapr_tce_put_batch(SpaprTceTable *tcet, uint64_t index,
                         const uint64_t *tces, unsigned n);
/* Set @n entries from @index to @tce, notifying in runs. */
void spapr_tce_stuff(SpaprTceTable *tcet, uint64_t index, uint64_t tce,
                     uint64_t n);

/*
 * Does an entry of @tcet (enabled) granting access (read or write)
 * point into guest RAM [gpa, gpa + size)?  Walks the set entries only;
 * on a hit *ioba is the bus address of the first one in IOVA order.
 */
bool spapr_tce_table_find_ram_ref(SpaprTceTable *tcet, hwaddr gpa,
                                  uint64_t size, uint64_t *ioba);

/*
 * The machine's tables.  A table belongs to the PHB that created it
 * (SpaprPhbState.tables[]) and the PHBs to the machine, so both walk
 * machine -> PHBs -> tables (spapr_pci.c); no machine, no table.
 *
 * Does an entry granting access of any enabled table point into guest
 * RAM [gpa, gpa + size)?  On a hit, *liobn and *ioba (bus address) name
 * the first one found, in LIOBN then IOVA order.  Memory hot-unplug
 * refuses while true.
 */
bool spapr_tce_find_ram_ref(hwaddr gpa, uint64_t size, uint32_t *liobn,
                            uint64_t *ioba);

#endif
