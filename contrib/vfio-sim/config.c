/*
 * vfio-sim: configuration from VFIO_SIM_HOST and VFIO_SIM_DEVICES.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "vsim.h"

#define CAP_IPC_LOCK_BIT 14

/* "4096", "64k", "2m", "16M", "1g", "0x1000" */
bool vsim_parse_size(const char *s, uint64_t *out)
{
    char *end;
    uint64_t v, mul = 1;

    errno = 0;
    v = g_ascii_strtoull(s, &end, 0);
    if (errno || end == s) {
        return false;
    }
    switch (g_ascii_tolower(*end)) {
    case 'k': mul = 1ULL << 10; end++; break;
    case 'm': mul = 1ULL << 20; end++; break;
    case 'g': mul = 1ULL << 30; end++; break;
    case 't': mul = 1ULL << 40; end++; break;
    }
    if (*end || (v && v > UINT64_MAX / mul)) {
        return false;
    }
    *out = v * mul;
    return true;
}

static bool has_cap_ipc_lock(void)
{
    struct __user_cap_header_struct hdr = {
        .version = _LINUX_CAPABILITY_VERSION_3,
    };
    struct __user_cap_data_struct data[2] = { 0 };

    if (syscall(SYS_capget, &hdr, data) < 0) {
        return false;
    }
    return data[0].effective & (1u << CAP_IPC_LOCK_BIT);
}

/*
 * The kernel skips locked-memory accounting for CAP_IPC_LOCK, so the
 * default limit mirrors what the host would enforce for this process.
 */
uint64_t vsim_default_memlock(void)
{
    struct rlimit rl;

    if (has_cap_ipc_lock()) {
        return VSIM_UNLIMITED;
    }
    if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY) {
        return VSIM_UNLIMITED;
    }
    return rl.rlim_cur;
}

static bool parse_pgsizes(const char *v, uint64_t *out)
{
    g_auto(GStrv) parts = g_strsplit(v, ":", -1);
    uint64_t map = 0, sz;

    for (char **p = parts; *p; p++) {
        if (!vsim_parse_size(*p, &sz) || sz < 4096 || (sz & (sz - 1))) {
            return false;
        }
        map |= sz;
    }
    *out = map;
    return map != 0;
}

static bool parse_key(VsimHostConfig *cfg, const char *k, const char *v)
{
    uint64_t n;

    if (!strcmp(k, "pgsizes")) {
        return parse_pgsizes(v, &cfg->pgsizes);
    } else if (!strcmp(k, "dma32")) {
        /* the window size travels in a __u32 of TCE_GET_INFO */
        if (!vsim_parse_size(v, &n) || n < 4096 || n > (1ULL << 31) ||
            (n & 4095)) {
            return false;
        }
        cfg->dma32 = n;
    } else if (!strcmp(k, "windows")) {
        if (!vsim_parse_size(v, &n) || n < 1 || n > VSIM_MAX_SLOTS) {
            return false;
        }
        cfg->windows = n;
    } else if (!strcmp(k, "levels")) {
        if (!vsim_parse_size(v, &n) || n < 1 || n > VSIM_MAX_LEVELS) {
            return false;
        }
        cfg->levels = n;
    } else if (!strcmp(k, "memlock")) {
        if (!strcmp(v, "unlimited")) {
            cfg->memlock = VSIM_UNLIMITED;
        } else if (!vsim_parse_size(v, &cfg->memlock)) {
            return false;
        }
    } else if (!strcmp(k, "unregister_busy")) {
        if (strcmp(v, "ebusy") && strcmp(v, "leak")) {
            return false;
        }
        cfg->unregister_leak = !strcmp(v, "leak");
    } else if (!strcmp(k, "iommu")) {
        if (strcmp(v, "v1") && strcmp(v, "v2") && strcmp(v, "both")) {
            return false;
        }
        cfg->allow_v1 = strcmp(v, "v2") != 0;
        cfg->allow_v2 = strcmp(v, "v1") != 0;
    } else if (!strcmp(k, "eeh")) {
        if (strcmp(v, "on") && strcmp(v, "off")) {
            return false;
        }
        cfg->eeh = !strcmp(v, "on");
    } else {
        return false;
    }
    return true;
}

bool vsim_parse_host(VsimHostConfig *cfg, const char *spec, GError **errp)
{
    g_auto(GStrv) items = NULL;

    *cfg = (VsimHostConfig) {
        .page_shift = 12,
        .max_alloc = 4ULL << 20,
        .pgsizes = (4ULL << 10) | (64ULL << 10) | (2ULL << 20) |
                   (16ULL << 20),
        .dma32 = 2ULL << 30,
        .windows = 2,
        .levels = 5,
        .memlock = vsim_default_memlock(),
        .allow_v1 = true,
        .allow_v2 = true,
    };
    if (!spec || !*spec) {
        return true;
    }
    items = g_strsplit(spec, ",", -1);
    for (char **it = items; *it; it++) {
        char *eq = strchr(*it, '=');
        g_autofree char *key = NULL;

        if (!**it) {
            continue;
        }
        key = eq ? g_strndup(*it, eq - *it) : g_strdup(*it);
        if (!eq || !parse_key(cfg, key, eq + 1)) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "VFIO_SIM_HOST: bad item '%s'", *it);
            return false;
        }
    }
    return true;
}

/* DDDD:BB:DD.F, lower-case hex as sysfs spells it */
static bool valid_bdf(const char *s)
{
    unsigned d, b, s2, f;
    char tail;

    return strlen(s) == 12 &&
           sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &s2, &f, &tail) == 4 &&
           s2 < 32 && f < 8;
}

bool vsim_parse_devices(const char *spec, GError **errp)
{
    g_auto(GStrv) items = NULL;
    const char *bad_item = NULL;

    if (!spec) {
        spec = "0001:00:01.0=dma-engine@1";
    }
    items = g_strsplit(spec, ",", -1);
    for (char **it = items; *it; it++) {
        char *eq = strchr(*it, '='), *at = strrchr(*it, '@');
        g_autofree char *bdf = NULL, *model = NULL;
        uint64_t group;

        if (!**it) {
            continue;
        }
        bad_item = *it;
        if (!eq || !at || at < eq) {
            goto bad;
        }
        bdf = g_ascii_strdown(*it, eq - *it);
        model = g_strndup(eq + 1, at - eq - 1);
        if (!valid_bdf(bdf) || !vsim_parse_size(at + 1, &group) ||
            group >= VSIM_MAX_GROUPS || vsim_device_find(bdf)) {
            goto bad;
        }
        if (!vsim_device_new(bdf, model, group, errp)) {
            return false;
        }
    }
    return true;

bad:
    g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "VFIO_SIM_DEVICES: bad item '%s' "
                "(want DDDD:BB:DD.F=MODEL@GROUP)", bad_item);
    return false;
}
