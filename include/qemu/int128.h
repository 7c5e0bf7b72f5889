/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * 128-bit arithmetic for address ranges: a region or section may be
 * exactly 2^64 bytes, which does not fit in a uint64_t.
 */
#ifndef QEMU_INT128_H
#define QEMU_INT128_H

#include <stdbool.h>
#include <stdint.h>
#include <assert.h>

typedef __int128 Int128;

static inline Int128 int128_make64(uint64_t a) { return (Int128)a; }
static inline Int128 int128_2_64(void) { return (Int128)1 << 64; }
static inline Int128 int128_zero(void) { return 0; }
static inline Int128 int128_one(void) { return 1; }
static inline bool int128_nz(Int128 a) { return a != 0; }
static inline bool int128_eq(Int128 a, Int128 b) { return a == b; }
static inline Int128 int128_min(Int128 a, Int128 b) { return a < b ? a : b; }
static inline Int128 int128_max(Int128 a, Int128 b) { return a > b ? a : b; }

/* Value of a size that must fit in 64 bits. */
static inline uint64_t int128_get64(Int128 a)
{
    assert(a >= 0 && a <= (Int128)UINT64_MAX);
    return (uint64_t)a;
}

/* Size to 64 bits, saturating 2^64 to UINT64_MAX. */
static inline uint64_t int128_get64_sat(Int128 a)
{
    return a > (Int128)UINT64_MAX ? UINT64_MAX : (uint64_t)a;
}

/* Size argument convention: UINT64_MAX stands for 2^64. */
static inline Int128 int128_from_size(uint64_t size)
{
    return size == UINT64_MAX ? int128_2_64() : int128_make64(size);
}

#endif
