/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The guest model's EEH: what a pseries Linux kernel does to find a
 * frozen PE and bring it back (arch/powerpc/kernel/eeh*.c and
 * platforms/pseries/eeh_pseries.c), through the RTAS calls only.
 */
#include <inttypes.h>
#include <string.h>
#include "libspapr-guest.h"

/* Low RAM the model keeps: the error injection work buffer. */
#define GUEST_ERRINJCT_BUF      UINT64_C(0x3000)
/* /rtas ibm,errinjct-tokens: the 32-bit IOA bus error */
#define ERRINJCT_IOA_BUS_ERROR  7
/* Linux gives the PE this many state reads (it sleeps between them). */
#define EEH_STATE_TRIES         10

static int32_t eeh_call(SpaprGuest *g, const char *name, const GuestEeh *e,
                        uint32_t addr, uint32_t nargs, uint32_t arg3,
                        uint32_t nret, uint32_t *rets)
{
    uint32_t args[4] = { addr, e->buid >> 32, (uint32_t)e->buid, arg3 };

    return guest_rtas(g, name, nargs, args, nret, rets);
}

int32_t guest_eeh_probe(SpaprGuest *g, const GuestDevice *dev,
                        GuestEeh *out)
{
    uint32_t rets[2];
    int32_t st;
    unsigned i;

    memset(out, 0, sizeof(*out));
    out->buid = dev->buid;
    out->config_addr = dev->config_addr;
    st = guest_eeh_set_option(g, out, dev->config_addr, EEH_OPT_ENABLE);
    if (st) {
        return st;
    }
    /* pseries_eeh_get_pe_config_addr: the mode first, then the address */
    st = eeh_call(g, "ibm,get-config-addr-info2", out, dev->config_addr, 4,
                  1, 2, rets);
    if (st) {
        return st;
    }
    out->pe_mode = rets[1];
    st = eeh_call(g, "ibm,get-config-addr-info2", out, dev->config_addr, 4,
                  0, 2, rets);
    if (st) {
        return st;
    }
    out->pe_addr = rets[1];
    for (i = 0; i < G_N_ELEMENTS(out->saved); i++) {
        if (!guest_config_read(g, dev->buid, dev->config_addr, 4 * i, 4,
                               &out->saved[i])) {
            return -1;
        }
    }
    return 0;
}

int32_t guest_eeh_set_option(SpaprGuest *g, const GuestEeh *e,
                             uint32_t addr, uint32_t option)
{
    uint32_t rets[1];

    return eeh_call(g, "ibm,set-eeh-option", e, addr, 4, option, 1, rets);
}

int32_t guest_eeh_get_state(SpaprGuest *g, const GuestEeh *e,
                            uint32_t *state)
{
    uint32_t rets[4];
    int32_t st = eeh_call(g, "ibm,read-slot-reset-state2", e, e->pe_addr, 3,
                          0, 4, rets);

    if (!st) {
        *state = rets[1];
    }
    return st;
}

int32_t guest_eeh_set_slot_reset(SpaprGuest *g, const GuestEeh *e,
                                 uint32_t function)
{
    uint32_t rets[1];

    return eeh_call(g, "ibm,set-slot-reset", e, e->pe_addr, 4, function, 1,
                    rets);
}

int32_t guest_eeh_configure_pe(SpaprGuest *g, const GuestEeh *e)
{
    uint32_t rets[1];

    return eeh_call(g, "ibm,configure-pe", e, e->pe_addr, 3, 0, 1, rets);
}

/* No driver buffer; the log (if any) would come back in the RTAS log. */
int32_t guest_eeh_slot_error_detail(SpaprGuest *g, const GuestEeh *e,
                                    uint32_t severity)
{
    uint32_t args[8] = { e->pe_addr, e->buid >> 32, (uint32_t)e->buid,
                         0, 0, 0, 0, severity };
    uint32_t rets[1];

    return guest_rtas(g, "ibm,slot-error-detail", 8, args, 1, rets);
}

int32_t guest_eeh_inject(SpaprGuest *g, const GuestEeh *e, uint32_t func,
                         uint32_t addr, uint32_t mask)
{
    uint32_t open[2], args[3], rets[1], buf[6];
    int32_t st;
    unsigned i;

    /* its outputs are the open token, then the status */
    guest_rtas(g, "ibm,open-errinjct", 0, NULL, 2, open);
    if ((int32_t)open[1]) {
        return (int32_t)open[1];
    }
    buf[0] = addr;
    buf[1] = mask;
    buf[2] = e->pe_addr;
    buf[3] = e->buid >> 32;
    buf[4] = (uint32_t)e->buid;
    buf[5] = func;
    for (i = 0; i < G_N_ELEMENTS(buf); i++) {
        buf[i] = GUINT32_TO_BE(buf[i]);
    }
    qtest_memwrite(guest_qts(g), GUEST_ERRINJCT_BUF, buf, sizeof(buf));
    args[0] = ERRINJCT_IOA_BUS_ERROR;
    args[1] = open[0];
    args[2] = GUEST_ERRINJCT_BUF;
    st = guest_rtas(g, "ibm,errinjct", 3, args, 1, rets);
    guest_rtas(g, "ibm,close-errinjct", 1, &open[0], 1, rets);
    return st;
}

bool guest_eeh_check_failure(SpaprGuest *g, const GuestEeh *e)
{
    uint32_t state;

    return guest_eeh_get_state(g, e, &state) == 0 &&
           state != EEH_STATE_NORMAL;
}

/* eeh_wait_state: read the state until it is not "unavailable". */
static bool eeh_wait_state(SpaprGuest *g, const GuestEeh *e,
                           uint32_t *state)
{
    unsigned i;

    for (i = 0; i < EEH_STATE_TRIES; i++) {
        if (guest_eeh_get_state(g, e, state)) {
            return false;
        }
        if (*state != EEH_STATE_UNAVAIL) {
            return true;
        }
    }
    return false;
}

#define EEH_STEP(cond, what)                                            \
    do {                                                                \
        if (!(cond)) {                                                  \
            g_test_message("EEH recovery: %s failed", what);            \
            return false;                                               \
        }                                                               \
    } while (0)

bool guest_eeh_recover(SpaprGuest *g, const GuestEeh *e)
{
    uint32_t state;
    int32_t st;
    unsigned i;

    EEH_STEP(eeh_wait_state(g, e, &state), "read-slot-reset-state2");
    /* eeh_slot_error_detail: MMIO back to read the registers, the log */
    EEH_STEP(!guest_eeh_set_option(g, e, e->pe_addr, EEH_OPT_THAW_MMIO),
             "set-eeh-option(thaw MMIO)");
    EEH_STEP(!guest_eeh_configure_pe(g, e), "configure-pe (for the log)");
    st = guest_eeh_slot_error_detail(g, e, 1);
    EEH_STEP(st == 0 || st == 1, "slot-error-detail");
    /* eeh_reset_pe: activate, then deactivate, then wait for the PE */
    EEH_STEP(!guest_eeh_set_slot_reset(g, e, EEH_RESET_HOT),
             "set-slot-reset(hot)");
    EEH_STEP(!guest_eeh_set_slot_reset(g, e, EEH_RESET_DEACTIVATE),
             "set-slot-reset(deactivate)");
    EEH_STEP(eeh_wait_state(g, e, &state) && state == EEH_STATE_NORMAL,
             "PE normal after the reset");
    EEH_STEP(!guest_eeh_configure_pe(g, e), "configure-pe");
    /* eeh_pe_restore_bars: the BARs, then COMMAND last */
    for (i = 4; i < 10; i++) {
        EEH_STEP(guest_config_write(g, e->buid, e->config_addr, 4 * i, 4,
                                    e->saved[i]), "restore BAR");
    }
    EEH_STEP(guest_config_write(g, e->buid, e->config_addr, 0x3c, 1,
                                e->saved[15] & 0xff), "restore INTx line");
    EEH_STEP(guest_config_write(g, e->buid, e->config_addr, 0x04, 2,
                                (e->saved[1] & 0xffff) | 0x6),
             "restore COMMAND");
    EEH_STEP(!guest_eeh_get_state(g, e, &state) &&
             state == EEH_STATE_NORMAL, "PE normal at resume");
    return true;
}
