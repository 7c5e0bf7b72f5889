/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RTAS: the call table (names, tokens), the call block helpers, PCI
 * configuration access and get-time-of-day.  The DDW calls are in
 * spapr_rtas_ddw.c.
 *
 * A call gets its arguments and returns as big-endian 32-bit words in
 * guest memory; rets[0] is the status.  Bad argument counts never make
 * a call touch more of the return buffer than the caller gave.
 */
#include "qemu/osdep.h"
#include "exec/ram.h"
#include "hw/qdev.h"
#include "hw/pci/pci.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_pci.h"
#include "sysemu/machine.h"
#include "trace.h"

uint32_t rtas_ld(hwaddr args, unsigned n)
{
    return ldl_be_phys(&address_space_memory, args + 4ULL * n);
}

void rtas_st(hwaddr rets, unsigned n, uint32_t val)
{
    stl_be_phys(&address_space_memory, rets + 4ULL * n, val);
}

static void rtas_status(uint32_t nret, hwaddr rets, int32_t status)
{
    if (nret >= 1) {
        rtas_st(rets, 0, status);
    }
}

/* ---------------------------------------------------- PCI config */

/* The register: bits 8-11 travel in bits 28-31 of the config address. */
static uint32_t rtas_pci_cfgaddr(uint32_t arg)
{
    return ((arg >> 20) & 0xf00) | (arg & 0xff);
}

static PCIDevice *rtas_pci_find_dev(uint64_t buid, uint32_t config_addr)
{
    SpaprPhbState *sphb = spapr_phb_find_by_buid(buid);

    if (!sphb) {
        return NULL;
    }
    return pci_bus_find_device(&sphb->bus, (config_addr >> 16) & 0xff,
                               (config_addr >> 8) & 0xff);
}

/* The checks every config access makes: RTAS status or 0 and *dev. */
static int rtas_pci_check(uint64_t buid, uint32_t config_addr,
                          uint32_t size, PCIDevice **dev, uint32_t *reg)
{
    *reg = rtas_pci_cfgaddr(config_addr);
    if (size != 1 && size != 2 && size != 4) {
        return RTAS_OUT_HW_ERROR;
    }
    if (*reg % size) {
        return RTAS_OUT_HW_ERROR;
    }
    *dev = rtas_pci_find_dev(buid, config_addr);
    if (!*dev || *reg + size > (*dev)->config_size) {
        return RTAS_OUT_HW_ERROR;
    }
    return RTAS_OUT_SUCCESS;
}

static void rtas_pci_read(uint64_t buid, uint32_t config_addr,
                          uint32_t size, hwaddr rets)
{
    PCIDevice *dev;
    uint32_t reg, val = 0;
    int status = rtas_pci_check(buid, config_addr, size, &dev, &reg);

    if (status == RTAS_OUT_SUCCESS) {
        val = pci_config_read(dev, reg, size);
        rtas_st(rets, 1, val);
    }
    rtas_st(rets, 0, status);
    trace_spapr_pci_rtas_config(0, buid, config_addr, size, val, status);
}

static void rtas_pci_write(uint64_t buid, uint32_t config_addr,
                           uint32_t size, uint32_t val, hwaddr rets)
{
    PCIDevice *dev;
    uint32_t reg;
    int status = rtas_pci_check(buid, config_addr, size, &dev, &reg);

    if (status == RTAS_OUT_SUCCESS) {
        pci_config_write(dev, reg, val, size);
    }
    rtas_st(rets, 0, status);
    trace_spapr_pci_rtas_config(1, buid, config_addr, size, val, status);
}

/* The BUID-less calls address the first PHB: the default one. */
static uint64_t rtas_default_buid(void)
{
    SpaprPhbState *sphb = spapr_phb_find_by_index(0);
    GList *phbs = spapr_phb_list();

    if (!sphb && phbs) {
        sphb = phbs->data;
    }
    return sphb ? sphb->buid : 0;
}

static void rtas_ibm_read_pci_config(SpaprMachineState *spapr,
                                     uint32_t token, uint32_t nargs,
                                     hwaddr args, uint32_t nret, hwaddr rets)
{
    if (nargs != 4 || nret != 2) {
        rtas_status(nret, rets, RTAS_OUT_HW_ERROR);
        return;
    }
    rtas_pci_read((uint64_t)rtas_ld(args, 1) << 32 | rtas_ld(args, 2),
                  rtas_ld(args, 0), rtas_ld(args, 3), rets);
}

static void rtas_ibm_write_pci_config(SpaprMachineState *spapr,
                                      uint32_t token, uint32_t nargs,
                                      hwaddr args, uint32_t nret,
                                      hwaddr rets)
{
    if (nargs != 5 || nret != 1) {
        rtas_status(nret, rets, RTAS_OUT_HW_ERROR);
        return;
    }
    rtas_pci_write((uint64_t)rtas_ld(args, 1) << 32 | rtas_ld(args, 2),
                   rtas_ld(args, 0), rtas_ld(args, 3), rtas_ld(args, 4),
                   rets);
}

static void rtas_read_pci_config(SpaprMachineState *spapr, uint32_t token,
                                 uint32_t nargs, hwaddr args, uint32_t nret,
                                 hwaddr rets)
{
    if (nargs != 2 || nret != 2) {
        rtas_status(nret, rets, RTAS_OUT_HW_ERROR);
        return;
    }
    rtas_pci_read(rtas_default_buid(), rtas_ld(args, 0), rtas_ld(args, 1),
                  rets);
}

static void rtas_write_pci_config(SpaprMachineState *spapr, uint32_t token,
                                  uint32_t nargs, hwaddr args, uint32_t nret,
                                  hwaddr rets)
{
    if (nargs != 3 || nret != 1) {
        rtas_status(nret, rets, RTAS_OUT_HW_ERROR);
        return;
    }
    rtas_pci_write(rtas_default_buid(), rtas_ld(args, 0), rtas_ld(args, 1),
                   rtas_ld(args, 2), rets);
}

/* ------------------------------------------------------------ time */

/*
 * -rtc base= (machine_set_rtc_base): the guest clock is the host's UTC,
 * its local time, or runs from a given date on (an offset to UTC).
 */
static bool rtc_localtime;
static GTimeSpan rtc_offset;

bool machine_set_rtc_base(const char *base, Error **errp)
{
    g_autofree char *iso = NULL;
    g_autoptr(GDateTime) start = NULL;
    g_autoptr(GDateTime) now = NULL;

    rtc_localtime = !strcmp(base, "localtime");
    rtc_offset = 0;
    if (rtc_localtime || !strcmp(base, "utc")) {
        return true;
    }
    iso = g_strconcat(base, strchr(base, 'T') ? "Z" : "T00:00:00Z", NULL);
    start = g_date_time_new_from_iso8601(iso, NULL);
    if (!start) {
        error_setg(errp, "invalid date format '%s' (valid formats: "
                   "'2006-06-17T16:01:21' or '2006-06-17')", base);
        return false;
    }
    now = g_date_time_new_now_utc();
    rtc_offset = g_date_time_difference(start, now);
    return true;
}

/* rets: status, year, month, day, hour, minute, second, nanoseconds */
static void rtas_get_time_of_day(SpaprMachineState *spapr, uint32_t token,
                                 uint32_t nargs, hwaddr args, uint32_t nret,
                                 hwaddr rets)
{
    g_autoptr(GDateTime) utc = NULL;
    GDateTime *now;

    if (nret != 8) {
        rtas_status(nret, rets, RTAS_OUT_PARAM_ERROR);
        return;
    }
    utc = g_date_time_new_now_utc();
    now = rtc_localtime ? g_date_time_to_local(utc) :
          g_date_time_add(utc, rtc_offset);
    rtas_st(rets, 0, RTAS_OUT_SUCCESS);
    rtas_st(rets, 1, g_date_time_get_year(now));
    rtas_st(rets, 2, g_date_time_get_month(now));
    rtas_st(rets, 3, g_date_time_get_day_of_month(now));
    rtas_st(rets, 4, g_date_time_get_hour(now));
    rtas_st(rets, 5, g_date_time_get_minute(now));
    rtas_st(rets, 6, g_date_time_get_second(now));
    rtas_st(rets, 7, g_date_time_get_microsecond(now) * 1000);
    g_date_time_unref(now);
}

/* ----------------------------------------------------------- table */

/* Indexed by token - RTAS_TOKEN_BASE; filled by constructors. */
static SpaprRtasCall rtas_table[RTAS_TOKEN_MAX];

void spapr_rtas_register(uint32_t token, const char *name, SpaprRtasFn fn)
{
    uint32_t i = token - RTAS_TOKEN_BASE;

    /* A programming error, found the first time the binary starts. */
    g_assert(token >= RTAS_TOKEN_BASE && i < RTAS_TOKEN_MAX);
    g_assert(!rtas_table[i].name && !spapr_rtas_lookup(name));
    rtas_table[i] = (SpaprRtasCall) { name, token, fn, NULL };
}

void spapr_rtas_register_optional(uint32_t token, const char *name,
                                  SpaprRtasFn fn, bool (*present)(void))
{
    spapr_rtas_register(token, name, fn);
    rtas_table[token - RTAS_TOKEN_BASE].present = present;
}

const SpaprRtasCall *spapr_rtas_lookup(const char *name)
{
    unsigned i;

    for (i = 0; i < RTAS_TOKEN_MAX; i++) {
        if (rtas_table[i].name && !strcmp(rtas_table[i].name, name)) {
            return &rtas_table[i];
        }
    }
    return NULL;
}

uint32_t spapr_rtas_token(const char *name)
{
    const SpaprRtasCall *call = spapr_rtas_lookup(name);

    return call ? call->token : 0;
}

void spapr_rtas_foreach(void (*fn)(const SpaprRtasCall *call, void *opaque),
                        void *opaque)
{
    unsigned i;

    for (i = 0; i < RTAS_TOKEN_MAX; i++) {
        if (rtas_table[i].name) {
            fn(&rtas_table[i], opaque);
        }
    }
}

static void spapr_rtas_base_register(void)
{
    spapr_rtas_register(RTAS_GET_TIME_OF_DAY, "get-time-of-day",
                        rtas_get_time_of_day);
    spapr_rtas_register(RTAS_READ_PCI_CONFIG, "read-pci-config",
                        rtas_read_pci_config);
    spapr_rtas_register(RTAS_WRITE_PCI_CONFIG, "write-pci-config",
                        rtas_write_pci_config);
    spapr_rtas_register(RTAS_IBM_READ_PCI_CONFIG, "ibm,read-pci-config",
                        rtas_ibm_read_pci_config);
    spapr_rtas_register(RTAS_IBM_WRITE_PCI_CONFIG, "ibm,write-pci-config",
                        rtas_ibm_write_pci_config);
}
type_init(spapr_rtas_base_register)
