/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Hotplug events: the queue of PAPR RTAS event logs the machine posts
 * when a device is added or an unplug is requested, the RTAS calls the
 * guest fetches them with (check-exception, event-scan), and the
 * /event-sources node.
 *
 * A log is what pseries Linux parses: an 8-byte fixed part (version 6,
 * type "hotplug"), the 16-byte version 6 extended header (platform
 * event format, company "IBM"), then sections with 8-byte headers:
 * Main-A ("PH"), Main-B ("UH") and the hotplug section ("HP": resource
 * type, action, identifier type, DRC index and/or count).  All fields
 * are big-endian.
 */
#include "qemu/osdep.h"
#include <libfdt.h>
#include "exec/ram.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_drc.h"
#include "hw/ppc/spapr_irq.h"
#include "migration/vmstate.h"
#include "trace.h"

/* RTAS status: no event of the asked classes */
#define RTAS_OUT_NO_ERRORS_FOUND    1

/* Event classes of the mask argument */
#define RTAS_EVENT_CLASS_HOTPLUG    0x10000000U

/* The fixed part */
#define RTAS_LOG_VERSION_6          0x06000000U
#define RTAS_LOG_OPTIONAL_PRESENT   0x00040000U
#define RTAS_LOG_TYPE_HOTPLUG       0x000000e5U

/* The version 6 extended header */
#define RTAS_LOG_V6_B0_VALID        0x80
#define RTAS_LOG_V6_B0_NEW_LOG      0x04
#define RTAS_LOG_V6_B0_BIGENDIAN    0x02
#define RTAS_LOG_V6_B2_POWERPC      0x80
#define RTAS_LOG_V6_B2_PLATFORM_EVENT 0x0e
#define RTAS_LOG_V6_COMPANY_IBM     0x49424d00U

#define RTAS_LOG_SECTION_MAINA      0x5048  /* "PH" */
#define RTAS_LOG_SECTION_MAINB      0x5548  /* "UH" */
#define RTAS_LOG_SECTION_HOTPLUG    0x4850  /* "HP" */
#define RTAS_LOG_MAINA_LEN          48
#define RTAS_LOG_MAINB_LEN          24

typedef struct SpaprEvent {
    uint32_t klass;             /* RTAS_EVENT_CLASS_* */
    GByteArray *log;
} SpaprEvent;

static GQueue spapr_events = G_QUEUE_INIT;
static uint32_t spapr_event_plid;
static bool spapr_event_irq;        /* the source is claimed */

bool spapr_events_init(Error **errp)
{
    if (!spapr_irq_controller_present()) {
        return true;
    }
    if (!spapr_irq_claim(SPAPR_IRQ_HOTPLUG, false, errp)) {
        return false;
    }
    spapr_event_irq = true;
    return true;
}

void spapr_events_fini(void)
{
    if (spapr_event_irq) {
        spapr_irq_free(SPAPR_IRQ_HOTPLUG, 1);
        spapr_event_irq = false;
    }
    spapr_events_reset();
}

/* Tell the guest there is an event to fetch. */
static void spapr_event_notify(void)
{
    if (spapr_event_irq && !g_queue_is_empty(&spapr_events)) {
        spapr_irq_pulse(SPAPR_IRQ_HOTPLUG);
    }
}

static void put8(GByteArray *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

static void put16(GByteArray *b, uint16_t v)
{
    uint16_t be = GUINT16_TO_BE(v);

    g_byte_array_append(b, (const guint8 *)&be, 2);
}

static void put32(GByteArray *b, uint32_t v)
{
    uint32_t be = GUINT32_TO_BE(v);

    g_byte_array_append(b, (const guint8 *)&be, 4);
}

static void put_zeros(GByteArray *b, unsigned n)
{
    while (n--) {
        put8(b, 0);
    }
}

static void put_section_header(GByteArray *b, uint16_t id, uint16_t len)
{
    put16(b, id);
    put16(b, len);
    put8(b, 1);                 /* section version */
    put8(b, 0);                 /* subtype */
    put16(b, 0);                /* creator component */
}

static uint32_t bcd(unsigned v)
{
    return (v / 10 % 10) << 4 | v % 10;
}

static void put_maina(GByteArray *b)
{
    GDateTime *now = g_date_time_new_now_utc();
    unsigned year = g_date_time_get_year(now);

    put_section_header(b, RTAS_LOG_SECTION_MAINA, RTAS_LOG_MAINA_LEN);
    /* creation date YYYYMMDD and time HHMMSS00, in BCD */
    put32(b, bcd(year / 100) << 24 | bcd(year % 100) << 16 |
          bcd(g_date_time_get_month(now)) << 8 |
          bcd(g_date_time_get_day_of_month(now)));
    put32(b, bcd(g_date_time_get_hour(now)) << 24 |
          bcd(g_date_time_get_minute(now)) << 16 |
          bcd(g_date_time_get_second(now)) << 8);
    g_date_time_unref(now);
    put_zeros(b, 8);
    put8(b, 'H');               /* created by the hypervisor */
    put_zeros(b, 2);
    put8(b, 3);                 /* sections: Main-A, Main-B, hotplug */
    put_zeros(b, 4 + 8);
    put32(b, ++spapr_event_plid);
    put_zeros(b, 4);
}

static void put_mainb(GByteArray *b)
{
    put_section_header(b, RTAS_LOG_SECTION_MAINB, RTAS_LOG_MAINB_LEN);
    put_zeros(b, RTAS_LOG_MAINB_LEN - 8);   /* informational event */
}

void spapr_event_hotplug(uint8_t type, uint8_t action, uint8_t id_type,
                         uint32_t count, uint32_t index)
{
    SpaprEvent *ev = g_new0(SpaprEvent, 1);
    GByteArray *b = g_byte_array_new();
    uint16_t hp_len = id_type == SPAPR_HP_ID_DRC_COUNT_INDEXED ? 20 : 16;

    /* fixed part: the extended length follows */
    put32(b, RTAS_LOG_VERSION_6 | RTAS_LOG_OPTIONAL_PRESENT |
          RTAS_LOG_TYPE_HOTPLUG);
    put32(b, 16 + RTAS_LOG_MAINA_LEN + RTAS_LOG_MAINB_LEN + hp_len);
    /* version 6 extended header */
    put8(b, RTAS_LOG_V6_B0_VALID | RTAS_LOG_V6_B0_NEW_LOG |
         RTAS_LOG_V6_B0_BIGENDIAN);
    put8(b, 0);
    put8(b, RTAS_LOG_V6_B2_POWERPC | RTAS_LOG_V6_B2_PLATFORM_EVENT);
    put_zeros(b, 9);
    put32(b, RTAS_LOG_V6_COMPANY_IBM);
    put_maina(b);
    put_mainb(b);
    /* the hotplug section */
    put_section_header(b, RTAS_LOG_SECTION_HOTPLUG, hp_len);
    put8(b, type);
    put8(b, action);
    put8(b, id_type);
    put8(b, 0);
    switch (id_type) {
    case SPAPR_HP_ID_DRC_COUNT:
        put32(b, count);
        break;
    case SPAPR_HP_ID_DRC_COUNT_INDEXED:
        put32(b, count);
        put32(b, index);
        break;
    default:
        put32(b, index);
        break;
    }
    ev->klass = RTAS_EVENT_CLASS_HOTPLUG;
    ev->log = b;
    g_queue_push_tail(&spapr_events, ev);
    trace_spapr_event_queue(type, action, count, index);
    spapr_event_notify();
}

static void spapr_event_free(gpointer p)
{
    SpaprEvent *ev = p;

    g_byte_array_unref(ev->log);
    g_free(ev);
}

void spapr_events_reset(void)
{
    g_queue_clear_full(&spapr_events, spapr_event_free);
}

unsigned spapr_events_pending(void)
{
    return g_queue_get_length(&spapr_events);
}

/*
 * Migration, inside the spapr-drc-state section (big-endian):
 *   be32 last log id, be32 n, n x { be32 class, be32 length, bytes }
 * The interrupt that announced them travels with the controller's
 * state, so loading raises nothing.
 */
#define SPAPR_EVENTS_MIG_MAX        4096    /* queued events */
#define SPAPR_EVENT_LOG_MAX         1024    /* bytes of one log */

void spapr_events_save(GByteArray *out)
{
    GList *l;

    mig_put_be32(out, spapr_event_plid);
    mig_put_be32(out, g_queue_get_length(&spapr_events));
    for (l = spapr_events.head; l; l = l->next) {
        SpaprEvent *ev = l->data;

        mig_put_be32(out, ev->klass);
        mig_put_be32(out, ev->log->len);
        mig_put_bytes(out, ev->log->data, ev->log->len);
    }
}

bool spapr_events_load(MigReader *in, Error **errp)
{
    uint32_t plid = mig_get_be32(in);
    uint32_t n = mig_get_be32(in), i;
    GQueue q = G_QUEUE_INIT;

    if (!mig_reader_ok(in, errp)) {
        return false;
    }
    if (n > SPAPR_EVENTS_MIG_MAX) {
        error_setg(errp, "%u queued events in the stream (at most %u)", n,
                   SPAPR_EVENTS_MIG_MAX);
        return false;
    }
    for (i = 0; i < n; i++) {
        uint32_t klass = mig_get_be32(in);
        uint32_t len = mig_get_be32(in);
        const uint8_t *data;
        SpaprEvent *ev;

        if (!mig_reader_ok(in, errp)) {
            goto fail;
        }
        if (klass != RTAS_EVENT_CLASS_HOTPLUG || len < 8 ||
            len > SPAPR_EVENT_LOG_MAX) {
            error_setg(errp, "event %u: class 0x%x, %u bytes: not a "
                       "hotplug event log", i, klass, len);
            goto fail;
        }
        data = mig_get_ptr(in, len);
        if (!data) {
            mig_reader_ok(in, errp);
            goto fail;
        }
        ev = g_new0(SpaprEvent, 1);
        ev->klass = klass;
        ev->log = g_byte_array_sized_new(len);
        g_byte_array_append(ev->log, data, len);
        g_queue_push_tail(&q, ev);
    }
    spapr_events_reset();
    spapr_events = q;
    spapr_event_plid = plid;
    return true;

fail:
    g_queue_clear_full(&q, spapr_event_free);
    return false;
}

/*
 * The oldest event of a class in @mask goes to the guest's buffer
 * (truncated to @len, as PAPR allows) and leaves the queue.
 */
static int spapr_event_deliver(uint32_t mask, hwaddr buf, uint32_t len)
{
    GList *l;

    if (!len || !spapr_is_guest_ram(buf, len)) {
        return RTAS_OUT_PARAM_ERROR;
    }
    for (l = spapr_events.head; l; l = l->next) {
        SpaprEvent *ev = l->data;

        if (ev->klass & mask) {
            address_space_write(&address_space_memory, buf,
                                MEMTXATTRS_UNSPECIFIED, ev->log->data,
                                MIN(len, ev->log->len));
            g_queue_delete_link(&spapr_events, l);
            spapr_event_free(ev);
            return RTAS_OUT_SUCCESS;
        }
    }
    return RTAS_OUT_NO_ERRORS_FOUND;
}

/*
 * args: vector, additional info, event mask, critical, buffer, length
 * [, extended info]; rets: status
 */
static void rtas_check_exception(SpaprMachineState *spapr, uint32_t token,
                                 uint32_t nargs, hwaddr args, uint32_t nret,
                                 hwaddr rets)
{
    uint32_t mask;
    int status;

    if (nargs < 6 || nargs > 7 || nret != 1) {
        if (nret >= 1) {
            rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        }
        return;
    }
    mask = rtas_ld(args, 2);
    status = spapr_event_deliver(mask, rtas_ld(args, 4), rtas_ld(args, 5));
    trace_spapr_event_deliver("check-exception", mask, status);
    rtas_st(rets, 0, status);
    /* The guest handles one per interrupt: signal the next one. */
    if (status == RTAS_OUT_SUCCESS) {
        spapr_event_notify();
    }
}

/* args: event mask, critical, buffer, length; rets: status */
static void rtas_event_scan(SpaprMachineState *spapr, uint32_t token,
                            uint32_t nargs, hwaddr args, uint32_t nret,
                            hwaddr rets)
{
    uint32_t mask;
    int status;

    if (nargs != 4 || nret != 1) {
        if (nret >= 1) {
            rtas_st(rets, 0, RTAS_OUT_PARAM_ERROR);
        }
        return;
    }
    mask = rtas_ld(args, 0);
    status = spapr_event_deliver(mask, rtas_ld(args, 2), rtas_ld(args, 3));
    trace_spapr_event_deliver("event-scan", mask, status);
    rtas_st(rets, 0, status);
}

/*
 * /event-sources/hot-plug-events: where a guest finds the hotplug event
 * source and its interrupt (two cells: number, 0 = edge).  Without an
 * interrupt controller the node has no interrupt: the guest polls with
 * event-scan.
 */
int spapr_events_fdt(void *fdt)
{
    uint32_t cells[2] = { cpu_to_fdt32(SPAPR_IRQ_HOTPLUG), 0 };
    int off = fdt_add_subnode(fdt, 0, "event-sources");
    int child, ret = 0;

    if (off < 0) {
        return off;
    }
    /* The parent's properties first: they move the child's offset. */
    if (spapr_event_irq) {
        ret = fdt_setprop(fdt, off, "interrupt-controller", NULL, 0);
        if (!ret) {
            ret = fdt_setprop_cell(fdt, off, "#interrupt-cells", 2);
        }
        if (!ret) {
            cells[1] = cpu_to_fdt32(1);     /* interrupt-ranges: one */
            ret = fdt_setprop(fdt, off, "interrupt-ranges", cells,
                              sizeof(cells));
            cells[1] = 0;
        }
        if (ret) {
            return ret;
        }
    }
    child = fdt_add_subnode(fdt, off, "hot-plug-events");
    if (child < 0) {
        return child;
    }
    if (spapr_event_irq) {
        ret = fdt_setprop(fdt, child, "interrupts", cells, sizeof(cells));
    }
    return ret;
}

static void spapr_events_register(void)
{
    spapr_rtas_register(RTAS_CHECK_EXCEPTION, "check-exception",
                        rtas_check_exception);
    spapr_rtas_register(RTAS_EVENT_SCAN, "event-scan", rtas_event_scan);
}
type_init(spapr_events_register)
