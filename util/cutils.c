/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * String to number helpers.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include <math.h>

int qemu_strtou64(const char *nptr, uint64_t *result)
{
    char *end;
    unsigned long long v;

    if (!nptr || !*nptr || g_ascii_isspace(*nptr) || *nptr == '-') {
        return -EINVAL;
    }
    errno = 0;
    v = strtoull(nptr, &end, 0);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (errno || end == nptr || *end) {
        return -EINVAL;
    }
    *result = v;
    return 0;
}

int qemu_strtoi64(const char *nptr, int64_t *result)
{
    char *end;
    long long v;

    if (!nptr || !*nptr || g_ascii_isspace(*nptr)) {
        return -EINVAL;
    }
    errno = 0;
    v = strtoll(nptr, &end, 0);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (errno || end == nptr || *end) {
        return -EINVAL;
    }
    *result = v;
    return 0;
}

static int suffix_shift(char c)
{
    switch (c) {
    case 'B': case 'b': return 0;
    case 'K': case 'k': return 10;
    case 'M': case 'm': return 20;
    case 'G': case 'g': return 30;
    case 'T': case 't': return 40;
    case 'P': case 'p': return 50;
    case 'E': case 'e': return 60;
    default:  return -1;
    }
}

static int do_strtosz(const char *nptr, int default_shift, uint64_t *result)
{
    const char *p = nptr;
    const char *num_end;
    int shift = default_shift;
    uint64_t whole;
    char *end;

    if (!p || !*p || !g_ascii_isdigit(*p)) {
        return -EINVAL;
    }
    /* Hexadecimal sizes are byte counts and take no fraction. */
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        errno = 0;
        whole = strtoull(p, &end, 16);
        if (errno == ERANGE) {
            return -ERANGE;
        }
        if (end == p + 2) {
            return -EINVAL;
        }
        if (*end) {
            if (end[1] || (shift = suffix_shift(*end)) < 0) {
                return -EINVAL;
            }
        } else {
            shift = 0;
        }
        if (shift && whole > (UINT64_MAX >> shift)) {
            return -ERANGE;
        }
        *result = whole << shift;
        return 0;
    }

    num_end = p;
    while (g_ascii_isdigit(*num_end) || *num_end == '.') {
        num_end++;
    }
    if (*num_end) {
        if (num_end[1] || (shift = suffix_shift(*num_end)) < 0) {
            return -EINVAL;
        }
    }
    if (memchr(p, '.', num_end - p)) {
        g_autofree char *num = g_strndup(p, num_end - p);
        double d = g_ascii_strtod(num, &end);
        double v;

        if (*end || !*num_end) {
            /* A fraction of a byte makes no sense: demand a suffix. */
            return -EINVAL;
        }
        v = ldexp(d, shift);
        if (v >= 18446744073709551616.0) {
            return -ERANGE;
        }
        *result = (uint64_t)v;
        return 0;
    }
    errno = 0;
    whole = strtoull(p, &end, 10);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (end != num_end) {
        return -EINVAL;
    }
    if (shift && whole > (UINT64_MAX >> shift)) {
        return -ERANGE;
    }
    *result = whole << shift;
    return 0;
}

int qemu_strtosz(const char *nptr, uint64_t *result)
{
    return do_strtosz(nptr, 0, result);
}

int qemu_strtosz_MiB(const char *nptr, uint64_t *result)
{
    return do_strtosz(nptr, 20, result);
}

bool qemu_parse_bool(const char *str, bool *result)
{
    if (!strcmp(str, "on") || !strcmp(str, "yes") || !strcmp(str, "true")) {
        *result = true;
        return true;
    }
    if (!strcmp(str, "off") || !strcmp(str, "no") ||
        !strcmp(str, "false")) {
        *result = false;
        return true;
    }
    return false;
}

char *size_to_str(uint64_t val)
{
    static const char *const units[] = {
        "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
    };
    unsigned i = 0;

    while (i + 1 < ARRAY_SIZE(units) && val >= 1024 && !(val % 1024)) {
        val /= 1024;
        i++;
    }
    return g_strdup_printf("%" PRIu64 " %s", val, units[i]);
}
