/*
 * vfio-sim: configuration from VFIO_SIM_HOST and VFIO_SIM_DEVICES.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
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

/* One VFIO_SIM_HOST key and what it accepts, for the error message. */
typedef struct HostKey {
    const char *name;
    const char *allowed;
    bool (*parse)(VsimHostConfig *cfg, const char *v);
} HostKey;

static bool key_page(VsimHostConfig *cfg, const char *v)
{
    if (!strcmp(v, "64k") || !strcmp(v, "4k")) {
        cfg->page_shift = v[0] == '6' ? 16 : 12;
        return true;
    }
    return false;
}

static bool key_max_alloc(VsimHostConfig *cfg, const char *v)
{
    uint64_t n;

    /* a level is at least one page, so less than 4 KiB can never fit */
    if (!vsim_parse_size(v, &n) || n < 4096 || (n & (n - 1))) {
        return false;
    }
    cfg->max_alloc = n;
    return true;
}

static bool key_pgsizes(VsimHostConfig *cfg, const char *v)
{
    return parse_pgsizes(v, &cfg->pgsizes);
}

static bool key_dma32(VsimHostConfig *cfg, const char *v)
{
    uint64_t n;

    /* the window size travels in a __u32 of TCE_GET_INFO */
    if (!vsim_parse_size(v, &n) || n < 4096 || n > (1ULL << 31) ||
        (n & (n - 1))) {
        return false;
    }
    cfg->dma32 = n;
    return true;
}

static bool key_windows(VsimHostConfig *cfg, const char *v)
{
    uint64_t n;

    if (!vsim_parse_size(v, &n) || n < 1 || n > VSIM_MAX_SLOTS) {
        return false;
    }
    cfg->windows = n;
    return true;
}

static bool key_levels(VsimHostConfig *cfg, const char *v)
{
    uint64_t n;

    if (!vsim_parse_size(v, &n) || n < 1 || n > VSIM_MAX_LEVELS) {
        return false;
    }
    cfg->levels = n;
    return true;
}

static bool key_memlock(VsimHostConfig *cfg, const char *v)
{
    if (!strcmp(v, "unlimited")) {
        cfg->memlock = VSIM_UNLIMITED;
        return true;
    }
    return vsim_parse_size(v, &cfg->memlock);
}

static bool key_unregister_busy(VsimHostConfig *cfg, const char *v)
{
    if (strcmp(v, "ebusy") && strcmp(v, "leak")) {
        return false;
    }
    cfg->unregister_leak = !strcmp(v, "leak");
    return true;
}

static bool key_iommu(VsimHostConfig *cfg, const char *v)
{
    if (strcmp(v, "v1") && strcmp(v, "v2") && strcmp(v, "both")) {
        return false;
    }
    cfg->allow_v1 = strcmp(v, "v2") != 0;
    cfg->allow_v2 = strcmp(v, "v1") != 0;
    return true;
}

static bool key_eeh(VsimHostConfig *cfg, const char *v)
{
    if (strcmp(v, "on") && strcmp(v, "off")) {
        return false;
    }
    cfg->eeh = !strcmp(v, "on");
    return true;
}

static const HostKey host_keys[] = {
    { "page", "64k or 4k", key_page },
    { "max_alloc", "a power of two of at least 4k (e.g. 16m)",
      key_max_alloc },
    { "pgsizes", "':'-separated powers of two of at least 4k",
      key_pgsizes },
    { "dma32", "a power of two from 4k to 2g", key_dma32 },
    { "windows", "1 or 2", key_windows },
    { "levels", "1 to 5", key_levels },
    { "memlock", "a size or 'unlimited'", key_memlock },
    { "unregister_busy", "leak or ebusy", key_unregister_busy },
    { "iommu", "v1, v2 or both", key_iommu },
    { "eeh", "on or off", key_eeh },
};

static bool parse_item(VsimHostConfig *cfg, const char *item,
                       bool *max_alloc_set, GError **errp)
{
    const char *eq = strchr(item, '=');
    g_autofree char *key = g_strndup(item, eq ? eq - item : strlen(item));
    g_autoptr(GString) names = g_string_new(NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(host_keys); i++) {
        const HostKey *k = &host_keys[i];

        g_string_append_printf(names, "%s%s", i ? ", " : "", k->name);
        if (strcmp(key, k->name)) {
            continue;
        }
        if (!eq) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "VFIO_SIM_HOST: key '%s' has no value (want "
                        "%s=VALUE, VALUE %s)", key, key, k->allowed);
            return false;
        }
        if (!k->parse(cfg, eq + 1)) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "VFIO_SIM_HOST: %s: want %s", item, k->allowed);
            return false;
        }
        *max_alloc_set |= k->parse == key_max_alloc;
        return true;
    }
    g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "VFIO_SIM_HOST: unknown key '%s' (known: %s)", key,
                names->str);
    return false;
}

static uint64_t vsim_page_size_of(const VsimHostConfig *cfg)
{
    return 1ULL << cfg->page_shift;
}

bool vsim_parse_host(VsimHostConfig *cfg, const char *spec, GError **errp)
{
    g_auto(GStrv) items = NULL;
    bool max_alloc_set = false;

    *cfg = (VsimHostConfig) {
        .page_shift = VSIM_DEFAULT_PAGE_SHIFT,
        .pgsizes = (4ULL << 10) | (64ULL << 10) | (2ULL << 20) |
                   (16ULL << 20),
        .dma32 = 2ULL << 30,
        .windows = 2,
        .levels = 5,
        .memlock = vsim_default_memlock(),
        .unregister_leak = true,
        .allow_v1 = true,
        .allow_v2 = true,
    };
    items = g_strsplit(spec ? spec : "", ",", -1);
    for (char **it = items; *it; it++) {
        if (**it && !parse_item(cfg, *it, &max_alloc_set, errp)) {
            return false;
        }
    }
    /*
     * The largest contiguous allocation the host's page allocator gives
     * (MAX_ORDER pages): 16 MiB with 64 KiB pages, 4 MiB with 4 KiB.
     */
    if (!max_alloc_set) {
        cfg->max_alloc = cfg->page_shift == 16 ? 16ULL << 20 : 4ULL << 20;
    } else if (cfg->max_alloc < vsim_page_size_of(cfg)) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "VFIO_SIM_HOST: max_alloc=%" PRIu64 ": want at least "
                    "the page size (%" PRIu64 ")", cfg->max_alloc,
                    vsim_page_size_of(cfg));
        return false;
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
    VsimDevice *last = NULL;

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
        if (eq && !at && last) {
            /* KEY=VALUE after a device: an option of that device */
            g_autofree char *key = g_strndup(*it, eq - *it);

            if (!vsim_mig_option(last, key, eq + 1)) {
                g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "VFIO_SIM_DEVICES: %s: bad device option (want "
                            "migration=off|stop-copy|p2p|precopy|all, "
                            "dirty-log=on|off, rate=BYTES_PER_SEC)", *it);
                return false;
            }
            continue;
        }
        if (!eq || !at || at < eq) {
            goto bad;
        }
        bdf = g_ascii_strdown(*it, eq - *it);
        model = g_strndup(eq + 1, at - eq - 1);
        if (!valid_bdf(bdf) || !vsim_parse_size(at + 1, &group) ||
            group >= VSIM_MAX_GROUPS || vsim_device_find(bdf)) {
            goto bad;
        }
        last = vsim_device_new(bdf, model, group, errp);
        if (!last) {
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
