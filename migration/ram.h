/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RAM in the migration stream: every RAM block by name, sent whole
 * once, then again page by page as dirty logging reports writes.
 */
#ifndef MIGRATION_RAM_H
#define MIGRATION_RAM_H

#include "migration/stream.h"

typedef struct MigRamStats {
    uint64_t total;             /* bytes of RAM to migrate */
    uint64_t remaining;         /* bytes still pending in this pass */
    uint64_t duplicate;         /* zero pages sent as runs */
    uint64_t normal;            /* pages sent with their data */
    uint64_t dirty_sync_count;
    uint64_t dirty_pages;       /* found by the last sync */
} MigRamStats;

typedef struct MigRamSave MigRamSave;

/* Every writable RAM block, each fully pending (the bulk pass). */
MigRamSave *mig_ram_save_new(void);
/* Stops dirty logging if this save started it. */
void mig_ram_save_free(MigRamSave *rs);
/*
 * Start dirty logging so later passes resend what the guest writes.
 * False (and nothing changed) when the build or a listener cannot log:
 * the caller then stops the machine and sends everything once.
 */
bool mig_ram_save_start_logging(MigRamSave *rs, Error **errp);
/* The "ram-blocks" section: names and sizes, checked by the loader. */
bool mig_ram_save_blocks(MigRamSave *rs, MigStream *s, Error **errp);
/*
 * Send pending pages, about @budget bytes of RAM at most and until the
 * monotonic time @deadline (0: none): 1 when some remain, 0 when the
 * pass is done, -1 on a stream error.
 */
int mig_ram_save_step(MigRamSave *rs, MigStream *s, uint64_t budget,
                      gint64 deadline, Error **errp);
/* Add the pages written since the last sync; returns how many now. */
uint64_t mig_ram_save_sync(MigRamSave *rs);
const MigRamStats *mig_ram_save_stats(MigRamSave *rs);

/* Destination side. */
typedef struct MigRamLoad MigRamLoad;
MigRamLoad *mig_ram_load_new(void);
void mig_ram_load_free(MigRamLoad *rl);
bool mig_ram_load_blocks(MigRamLoad *rl, const MigSection *sec,
                         Error **errp);
bool mig_ram_load_pages(MigRamLoad *rl, const MigSection *sec,
                        Error **errp);
/* Was the block list seen (a stream without it is incomplete)? */
bool mig_ram_load_complete(MigRamLoad *rl, Error **errp);

#endif
