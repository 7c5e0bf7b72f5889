/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Common includes and small helpers used by every file.
 */
#ifndef QEMU_OSDEP_H
#define QEMU_OSDEP_H

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#ifndef container_of
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define QEMU_IS_ALIGNED(n, m)   (((n) % (m)) == 0)
#define QEMU_ALIGN_DOWN(n, m)   ((n) / (m) * (m))
#define QEMU_ALIGN_UP(n, m)     QEMU_ALIGN_DOWN((n) + (m) - 1, (m))
#define ROUND_UP(n, d)          (((n) + (d) - 1) & -(0 ? (n) : (d)))
#define DIV_ROUND_UP(n, d)      (((n) + (d) - 1) / (d))
#define ARRAY_SIZE(x)           (sizeof(x) / sizeof((x)[0]))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define QEMU_PRINTF(fmt_idx, arg_idx) \
    __attribute__((format(printf, fmt_idx, arg_idx)))
#define QEMU_NORETURN __attribute__((noreturn))

static inline bool is_power_of_2(uint64_t v)
{
    return v && !(v & (v - 1));
}

/* Size of the host's base page, cached. */
size_t qemu_real_host_page_size(void);

#endif
