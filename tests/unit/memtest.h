/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers shared by the memory API unit tests: a listener that writes
 * what it sees into a log, a register-file MMIO device that logs its
 * accesses, and a dump of a FlatView as text.
 */
#ifndef TESTS_UNIT_MEMTEST_H
#define TESTS_UNIT_MEMTEST_H

#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/ram.h"

/*
 * Every callback appends one line "TAG EVENT" to @log, where EVENT is
 * "begin", "commit", or "add|del|nop NAME START+SIZE@OFFSET[ ro]" (hex,
 * a 2^64 size printed as "2^64").  Several listeners may share a log so
 * that their relative order shows.  With @hold_refs the listener refs
 * the region in region_add and unrefs it in region_del.
 */
typedef struct RecListener {
    MemoryListener ml;
    const char *tag;
    GString *log;
    bool hold_refs;
} RecListener;

void rec_listener_init(RecListener *rl, const char *tag, unsigned priority,
                       GString *log);
/* Returns the log so far and empties it. */
char *rec_log_take(GString *log);

/*
 * A 256-byte register file.  Its read returns the bytes at the address
 * as a value in the device's byte order; each access is logged as
 * "r|w ADDR/SIZE=VALUE" (hex) in @log.
 */
typedef struct TestDev {
    uint8_t regs[256];
    bool little_endian;
    GString *log;
    unsigned accesses;
} TestDev;

extern const MemoryRegionOps testdev_be_ops;       /* 1..8, aligned */
extern const MemoryRegionOps testdev_be_max4_ops;  /* 1..4, aligned */
extern const MemoryRegionOps testdev_le_ops;       /* 1..8, aligned */
extern const MemoryRegionOps testdev_min4_ops;     /* only 4..8 valid */

/* One line "START-END NAME@OFFSET[ ro]" per range of @as's view. */
char *flatview_dump(AddressSpace *as);

/* A heap container, freed when its last reference goes. */
MemoryRegion *test_container_new(const char *name, uint64_t size);

#endif
