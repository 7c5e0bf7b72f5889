/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * String to number helpers with strict error checking.
 */
#ifndef QEMU_CUTILS_H
#define QEMU_CUTILS_H

#include "qemu/osdep.h"

/*
 * Parse an unsigned number in any C base (0x.., 0.., decimal) that must
 * span the whole string.  Returns 0 or -EINVAL / -ERANGE.
 */
int qemu_strtou64(const char *nptr, uint64_t *result);
int qemu_strtoi64(const char *nptr, int64_t *result);

/*
 * Parse a size: a number with an optional suffix B, K/k, M, G, T, P, E
 * (powers of 1024).  Without a suffix the unit is bytes.  Fractions are
 * accepted with a suffix ("1.5G").  Returns 0 or -EINVAL / -ERANGE.
 */
int qemu_strtosz(const char *nptr, uint64_t *result);
/* The same, but a number without suffix means MiB (as -m does). */
int qemu_strtosz_MiB(const char *nptr, uint64_t *result);

/* "on"/"off"/"yes"/"no"/"true"/"false" -> bool; false if neither. */
bool qemu_parse_bool(const char *str, bool *result);

/* Human readable size: "512 MiB", "16 GiB", "4 KiB", "3 B". */
char *size_to_str(uint64_t val);

#endif
