/*
 * vfio-sim: sparse multi-level host TCE table.
 *
 * A radix tree of 4 KiB nodes (512 slots each) allocated on first use, so
 * the memory a window costs grows with the entries mapped in it and not
 * with its size: an empty 2^40-byte window costs one small struct.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VSIM_TCE_TABLE_H
#define VSIM_TCE_TABLE_H

#include <stdint.h>
#include <stddef.h>

typedef struct VsimTceTable VsimTceTable;

/* Called for each non-zero entry, in increasing index order. */
typedef void (*VsimTceVisit)(uint64_t idx, uint64_t tce, void *opaque);

VsimTceTable *vsim_tce_table_new(uint64_t entries);
void vsim_tce_table_free(VsimTceTable *t);

uint64_t vsim_tce_table_entries(const VsimTceTable *t);
uint64_t vsim_tce_table_mapped(const VsimTceTable *t);
/* Host memory the table uses right now, in bytes. */
size_t vsim_tce_table_bytes(const VsimTceTable *t);

uint64_t vsim_tce_get(const VsimTceTable *t, uint64_t idx);
/* Store @tce at @idx and return the previous entry. */
uint64_t vsim_tce_xchg(VsimTceTable *t, uint64_t idx, uint64_t tce);

/* Visit the non-zero entries in [first, first + n). */
void vsim_tce_walk(const VsimTceTable *t, uint64_t first, uint64_t n,
                   VsimTceVisit visit, void *opaque);
/* Zero [first, first + n), visiting each entry that was non-zero. */
void vsim_tce_clear(VsimTceTable *t, uint64_t first, uint64_t n,
                    VsimTceVisit visit, void *opaque);

#endif /* VSIM_TCE_TABLE_H */
